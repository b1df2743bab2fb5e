#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check ('make check'): every test of the series and the harness.
#   host tests of the harness, checkpatch --strict over the series, the
#   documentation parsed by docutils,
#   apply + build (series, baseline), the guests' images, then boots:
#   Xen dom0 + PV domU and native, for the series and the baseline, with the
#   guests' own checks and KUnit suites; and an injected domU panic, which
#   the harness must report. Ends with "N passed, N failed".
set -uo pipefail
STEP=check
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: check.sh [-h] [--host-only]
  --host-only   only the fast tests: host tests of the harness, checkpatch
Writes logs to $OUT/logs; prints the time of each stage.
EOF
}

host_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--host-only) host_only=1 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done

passed=0
failed=0
times=""
mkdir -p "$OUT/logs"

result() { # result ok|FAIL NAME [why]
	if [ "$1" = ok ] || [ "$1" = skip ]; then
		passed=$((passed + 1))
		echo "$1 $2"
	else
		failed=$((failed + 1))
		echo "FAIL $2${3:+: $3}"
	fi
}

# stage NAME CMD...: run CMD with its output shown, time it, count it.
stage() {
	local name=$1 t rc=0
	shift
	log "== $name"
	t=$(date +%s)
	"$@" || rc=$?
	times="$times$(printf '  %-28s %5ss' "$name" $(($(date +%s) - t)))"$'\n'
	return "$rc"
}

# count_lines FILE: count "ok|skip|FAIL ..." lines of a sub-test run.
count_lines() {
	local st rest
	while read -r st rest; do
		case "$st" in
		ok | skip) result "$st" "$rest" ;;
		FAIL) result FAIL "$rest" ;;
		esac
	done <"$1"
}

run_counted() { # run_counted NAME CMD...: a sub-test runner's ok/FAIL lines
	local name=$1 f=$OUT/logs/$1.out rc=0
	shift
	stage "$name" "$@" >"$f" 2>&1 || rc=$?
	grep -v '^ok ' "$f" || true
	count_lines "$f"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$f"; then
		result FAIL "$name" "exit $rc without a failed test: $(tail -n 1 "$f")"
	fi
}

run_stage() { # run_stage NAME CMD...: one test, passed when CMD succeeds
	local name=$1
	shift
	if stage "$name" "$@"; then
		result ok "$name"
		return 0
	fi
	result FAIL "$name"
	return 1
}

# boot_test MODE KERNEL NAME [ARGS...]: the boot itself and every check it
# printed.
boot_test() {
	local mode=$1 k=$2 name=$3 r=$OUT/logs/$3.results rc=0
	shift 3
	stage "boot $name" "$HARNESS/boot.sh" --mode "$mode" --kernel "$k" --name "$name" \
		--quiet "$@" || rc=$?
	if [ -f "$r" ]; then
		sed -e "s/^\(ok\|FAIL\|skip\) /\1 $k: /" "$r" >"$r.counted"
		count_lines "$r.counted"
	fi
	if [ "$rc" = 0 ]; then
		result ok "boot $name"
	else
		result FAIL "boot $name"
	fi
}

# report_test NAME FLAG: report.py's gate or cross-check on the boots above.
report_test() {
	local out=$OUT/logs/report${2}.out
	if python3 "$HARNESS/report.py" --logs "$OUT/logs" "$2" >"$out" 2>&1; then
		result ok "$1"
	else
		result FAIL "$1" \
			"$(grep -c 'error:' "$out") finding(s), first: $(grep -m1 'error:' "$out")"
	fi
	grep -E '^(gate|crosscheck) |error:' "$out" | sed 's/^/  /' || true
}

# The tree's selftests/x86 in the series' domU end as in the baseline's
# (selftests-x86.sh).
selftests_x86_test() {
	local out=$OUT/logs/selftests-x86.txt name="selftests/x86 in the domU: series as baseline"
	if "$HARNESS/selftests-x86.sh" "$OUT/logs/trace-xen-series.log" \
		"$OUT/logs/trace-xen-baseline.log" >"$out" 2>&1; then
		result ok "$name"
	else
		result FAIL "$name" "$(grep -m1 -E '^FAIL|error' "$out")"
	fi
	sed 's/^/  /' "$out"
}

# The harness must turn a domU that crashes in the middle of the benchmarks
# into one clear line naming the benchmark, and the tail of its console.
injected_panic_test() {
	local out=$OUT/logs/injected-panic.out rc
	local name="domU panic during a benchmark is reported with the op and the console tail"
	local why="Kernel panic - not syncing.*, during benchmark signal in the domU"
	# No KUnit and no selftests here (plan=bench): they run in the
	# traced boots. In this boot's two-vCPU dom0 the suites once died
	# of an unhandled int3 at a static-key site being patched, and the
	# domU once died in selftests/x86 ldt_gdt_32 at
	# xen_failsafe_callback (Documentation/xen/pvperf.rst, "Known
	# problems"), which is not what this boot tests.
	# Counting off: the statistics' lines after each benchmark came in a
	# burst that the crashing domU's console did not hand on in time.
	stage "boot xen series, domU panic" "$HARNESS/boot.sh" --mode xen --kernel series \
		--stats off \
		--append "pvperf.plan=bench pvperf.dom0bench=0 pvperf.ops=null_syscall+signal" \
		--append "pvperf.panic=domU:signal kunit.enable=0" \
		--name boot-injected-panic --quiet >"$out" 2>&1
	rc=$?
	if [ $rc = 1 ] &&
		grep -q "error: \[domU\] $why" "$out" &&
		grep -q -- "--- last 40 console lines of the domU ---" "$out" &&
		grep -q "^\[domU\] PVPERF domU: crashing on request" "$out"; then
		result ok "$name"
	else
		result FAIL "$name" "exit $rc: $(grep -m1 'error:' "$out" ||
			tail -n 2 "$out" | tr '\n' ' ')"
	fi
}

# Static keys flipped at run time, in a dom0 of two vCPUs: pvtoggle turns
# the perf context-switch key and the series' counting on and off from
# vCPU 1 for 30 s while vCPU 0 context-switches, each flip rewriting code
# vCPU 0 runs. Under QEMU's multi-threaded TCG this died of an int3 within
# seconds (boot.sh, the QEMU command).
toggle_test() {
	local r=$OUT/logs/static-key-toggle.results t name
	boot_test xen series static-key-toggle --stats on \
		--append "pvperf.toggle=30 pvperf.plan=bench pvperf.dom0bench=0" \
		--append "pvperf.ops=calibrate kunit.enable=0"
	name="static keys flipped 30 s on vCPU 1 while vCPU 0 switches"
	t=$(tr -d '\r' <"$OUT/logs/static-key-toggle.log" |
		sed -n 's/^PVPERF-TOGGLE dom0 toggles //p')
	if grep -q "^ok dom0 static-keys-toggled" "$r" 2>/dev/null &&
		echo "$t" | grep -qE '^perf=[1-9][0-9]* xen_stats=[1-9]'; then
		result ok "$name ($t)"
	else
		result FAIL "$name" "${t:-no PVPERF-TOGGLE line}; $(
			grep -m1 'static-keys' "$r" 2>/dev/null ||
			echo "no static-keys-toggled check")"
	fi
}

# A bad pvperf.* parameter is one failed check that says what it takes;
# a bad xen_inline_irq= or xen_pte_clear= is named in the kernel log,
# the default kept.
bad_param_test() {
	local out=$OUT/logs/bad-param.out r=$OUT/logs/boot-bad-param.results
	local name="pvperf.pcp_high_fraction=3 fails the boot with what it takes"
	stage "boot native series, bad parameters" "$HARNESS/boot.sh" \
		--mode native --kernel series \
		--append "pvperf.plan=bench pvperf.ops=calibrate pvperf.pcp_high_fraction=3" \
		--append "xen_inline_irq=maybe pvperf.perturb=x pvperf.toggle=x" \
		--append "xen_pte_clear=sometimes" \
		--name boot-bad-param --quiet >"$out" 2>&1
	if [ $? = 1 ] &&
		grep -q "^FAIL native pcp-high-fraction .*takes 0 or a number of 8 and up" "$r"
	then
		result ok "$name"
	else
		result FAIL "$name" "$(grep -m1 'pcp-high-fraction' "$r" 2>/dev/null ||
			grep -m1 'error:' "$out" || echo "no pcp-high-fraction check in $r")"
	fi
	param_result "pvperf.perturb=x fails the boot with what it takes" \
		"^FAIL native perturb-param .*takes a number from 0 to 99" perturb-param
	param_result "pvperf.toggle=x fails the boot with what it takes" \
		"^FAIL native static-keys-toggled pvperf.toggle=x: takes a number" \
		static-keys-toggled
	param_result "xen_inline_irq=maybe is reported in the kernel log" \
		"^ok native inline-irq-param-rejected" inline-irq-param-rejected
	param_result "xen_pte_clear=sometimes is reported in the kernel log" \
		"^ok native pte-clear-param-rejected" pte-clear-param-rejected
}

# param_result NAME PATTERN CHECK: the bad-parameter boot's results have
# a line matching PATTERN; else the line of CHECK is the reason.
param_result() {
	local r=$OUT/logs/boot-bad-param.results
	if grep -q "$2" "$r"; then
		result ok "$1"
	else
		result FAIL "$1" "$(grep -- " $3" "$r" || echo "no $3 check in $r")"
	fi
}

# The benchmarks' figures are reproducible: two boots of one kernel in
# one perturbed state (pvperf.perturb=2) under -icount, with the arguments
# of every measuring boot (BENCH_ARGS: no address-space randomization),
# read the same instructions/op, to 0.02%, on the ops whose figure moved
# between boots by up to 0.5% with randomization on.
repeat_test() {
	local n a b out name="two native boots of one kernel read the same instructions/op"
	for n in 1 2; do
		out=$OUT/logs/repeat-$n.out
		stage "boot native series, repeat $n" "$HARNESS/boot.sh" --mode native \
			--kernel series --icount --name "icount-repeat-$n" --quiet \
			--append "$BENCH_ARGS pvperf.ops=ctx_n+fork_exec+spin_contended" \
			--append "$(bench_perturb 3)" >"$out" 2>&1 ||
			{
				result FAIL "$name" "boot $n: $(tail -n 2 "$out" | tr '\n' ' ')"
				return
			}
	done
	a=$OUT/logs/icount-repeat-1.bench
	b=$OUT/logs/icount-repeat-2.bench
	if ! grep -q "perturbed: 2" "$OUT/logs/icount-repeat-1.log"; then
		result FAIL "$name" "the guest did not say 'perturbed: 2'"
	elif awk 'NR == FNR { v[$2] = $5; next }
		{ n++; d = $5 / v[$2] - 1; if (d > 0.0002 || d < -0.0002) bad = bad " " $2 }
		END { exit !(n == 3 && !bad) }' "$a" "$b"; then
		result ok "$name"
		paste "$a" "$b" | awk '{ printf "  %-16s %12s %12s\n", $2, $5, $10 }'
	else
		result FAIL "$name" "$(paste "$a" "$b" | awk '{ printf "%s %s/%s ", $2, $5, $10 }')"
	fi
}

# dom0 at work, short (lifecycle.sh with one cycle, the series only):
# dom0 creates a 2-vCPU domU running pvlife, saves and restores it,
# pauses it, takes a vCPU away and back, shuts it down; then, on Xen
# built with shadow paging (xen-shadow.sh), creates one and migrates it
# to localhost. Every life-* check of dom0 and the domU counts, and the
# table of dom0's entries into Xen per xl command is printed.
lifecycle_test() {
	local out=$OUT/logs/lifecycle-check.out
	boot_test xen series lifecycle-series --stats on --trace --mttcg \
		--append "pvperf.plan=lifecycle pvperf.life_cycles=1 kunit.enable=0"
	boot_test xen series lifecycle-migrate-series --stats on --trace --shadow-xen --mttcg \
		--append "pvperf.plan=lifecycle pvperf.life_migrate=1 kunit.enable=0"
	if "$HARNESS/lifecycle.sh" --table-only --kernel series >"$out" 2>&1; then
		result ok "lifecycle table of dom0's entries into Xen"
	else
		result FAIL "lifecycle table of dom0's entries into Xen" "$(tail -n 1 "$out")"
	fi
	sed 's/^/  /' "$out"
}

# The dirty-bit torture (torture.sh, shorter): pvdirty for 60 s in a
# 2-vCPU domU whose vCPUs run at once (QEMU 10, multi-threaded TCG), the
# series' KUnit suites first; then the same with xen_pte_clear=all, which
# batches the clears of writable clean PTEs too: the torture must catch
# it losing a write.
torture_test() {
	boot_test xen series torture-check --mttcg \
		--append "pvperf.plan=torture pvperf.domu_vcpus=2 pvperf.torture_secs=60"
	run_stage "torture catches xen_pte_clear=all losing a write" \
		"$HARNESS/torture.sh" --secs 60 --pte-clear all --expect-loss \
		--name torture-check-all
	sed -n 's/^\[domU\] PVPERF-TORTURE domU /  /p' "$OUT/logs/torture-check.log" \
		"$OUT/logs/torture-check-all.log" 2>/dev/null | tr -d '\r'
}

# The census (census.py) frames exactly one batch: null_syscall's kernel
# instructions per op are those of one system call (about 200; a window
# that missed the batch reads 0, one that ran on into the boot millions),
# and do_syscall_64 is among them.
census_test() {
	local p=$OUT/census/series-null_syscall.prof why
	if stage "census series null_syscall" "$HARNESS/census.py" --kernel series \
		--op null_syscall --top 3; then
		why=$(awk '{ t += $1 } $2 == "do_syscall_64" { d = $1 }
			END { if (t < 100 || t > 400 || d < 1)
				printf "%.2f kernel instructions/op (want 100-400), %s %.2f",
					t, "do_syscall_64", d }' "$p")
		if [ -z "$why" ]; then
			result ok "census null_syscall: one batch, one system call per op"
		else
			result FAIL "census null_syscall" "$why"
		fi
	else
		result FAIL "census null_syscall" "census.py failed"
	fi
}

# The direction flag (dfloop.sh, shorter): selftests/x86
# test_syscall_vdso_32, which makes system calls with DF set, 50 times in
# a 2-vCPU series domU whose vCPUs run at once; its kernel must not oops.
# (Every boot's check entry-clears-df tests the flag itself.)
dfloop_test() {
	boot_test xen series dfloop-check --mttcg \
		--append "pvperf.plan=dfloop pvperf.dfloop_n=50 pvperf.domu_vcpus=2 kunit.enable=0"
}

# PV spinlocks under overcommit (stress.sh, shorter): locktorture in a
# domU of four vCPUs on two CPUs with vCPU hotplug; the KUnit suite
# xen_qspinlock must have run, not been skipped, in dom0 and the domU.
stress_test() {
	local r=$OUT/logs/stress-check.results role n name
	boot_test xen series stress-check \
		--append "pvperf.plan=stress pvperf.domu_vcpus=4 pvperf.stress_secs=60" \
		--append "pvperf.stress_hotplug=20 kunit.filter_glob=xen_qspinlock"
	for role in dom0 domU; do
		name="KUnit xen_qspinlock ran in the $role of the stress boot"
		n=$(grep -c "^ok $role kunit:xen_qspinlock\." "$r" 2>/dev/null || true)
		if [ "$n" = 4 ]; then
			result ok "$name"
		else
			result FAIL "$name" "$n of 4 cases passed: $(
				grep "kunit:xen_qspinlock" "$r" 2>/dev/null | grep -v '^ok' |
				head -n 1)"
		fi
	done
	[ -s "$OUT/logs/stress-check.stress" ] && sed 's/^/  /' "$OUT/logs/stress-check.stress"
	return 0
}

# The native unlock site: the bytes the KUnit suite xen_unlock_site
# printed in the series' native boot, disassembled: one store, no NOP.
unlock_site_test() {
	local log=$OUT/logs/boot-native-series.log hex dis
	local name="native unlock site is one store, no NOP (objdump)"
	hex=$(tr -d '\r' <"$log" | sed -n 's/.*xen_unlock_test_site: \([0-9a-f ]*\)$/\1/p' |
		head -n 1)
	if [ -z "$hex" ]; then
		result FAIL "$name" "no 'xen_unlock_test_site:' bytes in $log"
		return
	fi
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$hex" \
		>"$OUT/logs/unlock-site.bin"
	dis=$(objdump -D -b binary -m i386:x86-64 "$OUT/logs/unlock-site.bin" |
		sed -n 's/^ *[0-9a-f]*:\t//p')
	echo "$dis" | head -n 6 | sed 's/^/  /'
	# objdump: "ds movb $0x0,0x0(%rdi,%riz,1)", and no NOP right after it
	# (the NOPs that pad the function come after its ret).
	if echo "$dis" | awk '/movb +\$0x0,(%ds:)?0x0\(%rdi,%riz,1\)/ { site = NR }
			site && NR == site + 1 { after = $0 }
			END { exit !(site && after !~ /nop/) }'; then
		result ok "$name"
	else
		result FAIL "$name" \
			"want 'ds movb \$0x0,0x0(%rdi,%riz,1)' and no NOP after it, have: $(
			echo "$dis" | head -n 3 | tr '\t\n' '  ')"
	fi
}

start=$(date +%s)
if [ "$host_only" = 0 ]; then
	run_stage setup "$HARNESS/setup.sh" || true
fi
if [ "$host_only" = 0 ] && run_stage apply "$HARNESS/apply.sh"; then
	run_counted host-tests "$HARNESS/tests/host-tests.sh"
	run_counted checkpatch "$HARNESS/checkpatch.sh"
	run_counted docs "$HARNESS/tests/checkdocs.py" "$REPO"/Documentation/xen/*.rst
	built=""
	for k in $KERNELS; do
		run_stage "build $k" "$HARNESS/build.sh" --kernel "$k" && built="$built $k"
	done
	if [ -n "$built" ] &&
		run_stage rootfs "$HARNESS/rootfs.sh" $(printf -- '--kernel %s ' $built); then
		# Under Xen: the domU runs its checks, then every benchmark with
		# xentrace counting its entries into Xen (the gate below); under
		# -icount, so that timer ticks come per instruction executed,
		# not per second of a host that may be busy.
		for k in $built; do
			boot_test xen "$k" "trace-xen-$k" --icount --trace \
				--append pvperf.plan=check
			boot_test native "$k" "boot-native-$k"
		done
		# -icount: the guest clock must count instructions (calibrate).
		case " $built " in *" series "*)
			boot_test native series icount-native-series-check --icount \
				--append "pvperf.plan=bench pvperf.ops=calibrate+null_syscall"
			;;
		esac
		case " $built " in *" series baseline "*)
			report_test "entries into Xen per domU op: series <= baseline" --gate
			report_test "xentrace agrees with the series' debugfs counts" --crosscheck
			selftests_x86_test
			;;
		esac
		case " $built " in *" series "*)
			unlock_site_test
			injected_panic_test
			toggle_test
			bad_param_test
			repeat_test
			stress_test
			torture_test
			dfloop_test
			census_test
			lifecycle_test
			# The exported series: checkpatch per patch, git am on a
			# fresh pristine tree, equal to the series tree, builds.
			run_counted series "$HARNESS/series.sh" --no-report \
				--out "$OUT/series-check"
			;;
		esac
	fi
elif [ "$host_only" = 1 ]; then
	run_counted host-tests "$HARNESS/tests/host-tests.sh"
	run_counted docs "$HARNESS/tests/checkdocs.py" "$REPO"/Documentation/xen/*.rst
	if [ -f "$(series_dir)/.xen-pvperf-unpacked" ]; then
		run_counted checkpatch "$HARNESS/checkpatch.sh"
	else
		result skip "checkpatch (no kernel tree yet: run 'make apply')"
	fi
fi

echo
echo "stage times:"
printf '%s' "$times"
printf '  %-28s %5ss\n' total $(($(date +%s) - start))
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
