#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot: boot a kernel under QEMU (-cpu qemu64, TCG) and judge the run by
# console markers, each within a timeout of the one before.
#   --mode xen:    Xen 4.17 is the multiboot kernel, KERNEL the PV dom0; dom0
#                  starts the toolstack and xl-creates a PV domU running
#                  KERNEL, whose console is relayed into dom0's, then reboots.
#   --mode native: KERNEL boots directly, without Xen.
# Writes out/logs/boot-MODE-KERNEL.{log,results}; prints the checks the
# guests made and the files each has below /sys/kernel/debug/xen.
set -euo pipefail
STEP=boot
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: boot.sh [-h] --mode xen|native --kernel NAME [options]
  --mode xen|native       Xen dom0 + PV domU, or the kernel without Xen
  --kernel NAME           kernel to boot (known: $KERNELS)
  --append ARGS           more kernel arguments (dom0's and the domU's or
                          native's); pvperf.* arguments reach the domU too
  --xen-append ARGS       more Xen arguments (--mode xen)
  --stats on|off          count in the series' debugfs statistics from boot
                          (xen_pvstats=, default on; the baseline has none)
  --icount                QEMU -icount shift=0,sleep=off: the guest clock
                          counts instructions (one ns each), for benchmarks
  --mttcg                 QEMU 10.0 (qemu10.sh, from bookworm-backports)
                          with multi-threaded TCG: the vCPUs run at once,
                          each on a host thread (not with --icount)
  --shadow-xen            Xen built with shadow paging (xen-shadow.sh), which
                          live migration of a PV domU needs (--mode xen)
  --trace                 Xen with trace buffers (tbuf_size=); dom0 runs
                          xentrace and counts each benchmark's entries into
                          Xen per domain (--mode xen, with pvperf.plan=bench)
  --qemu-arg ARG          one more QEMU argument (repeatable; census.py
                          adds its trace, monitor and handshake port)
  --marker-timeout SECS   longest wait for each marker (default 300)
  --name NAME             log name (default boot-MODE-KERNEL)
  --quiet                 do not print the summary
Environment: XEN_PVPERF_MARKER_TIMEOUT (default for --marker-timeout).
Run 'make build rootfs' first.
EOF
}

mode=""
kernel=""
append=""
xen_append=""
marker_timeout=${XEN_PVPERF_MARKER_TIMEOUT:-300}
name=""
quiet=0
stats=on
icount=0
trace=0
mttcg=0
shadow=0
dom0_vcpus=2
qemu_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--mode)
		[ $# -ge 2 ] || usage_error "--mode needs xen or native"
		case "$2" in
		xen | native) mode=$2 ;;
		*) usage_error "unknown mode '$2' (xen or native)" ;;
		esac
		shift
		;;
	--kernel) check_kernel_name "${2-}"; kernel=$2; shift ;;
	--append)
		[ $# -ge 2 ] || usage_error "--append needs arguments"
		append="$append $2"
		shift
		;;
	--xen-append)
		[ $# -ge 2 ] || usage_error "--xen-append needs arguments"
		xen_append="$xen_append $2"
		shift
		;;
	--qemu-arg)
		[ $# -ge 2 ] || usage_error "--qemu-arg needs an argument"
		qemu_args+=("$2")
		shift
		;;
	--marker-timeout)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] ||
			usage_error "--marker-timeout needs a number of seconds"
		marker_timeout=$2
		shift
		;;
	--name) [ $# -ge 2 ] || usage_error "--name needs a name"; name=$2; shift ;;
	--stats)
		case "${2-}" in
		on | off) stats=$2 ;;
		*) usage_error "--stats needs on or off" ;;
		esac
		shift
		;;
	--quiet) quiet=1 ;;
	--icount) icount=1 ;;
	--trace) trace=1 ;;
	--mttcg) mttcg=1 ;;
	--shadow-xen) shadow=1 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$mode" ] || usage_error "--mode is required"
[ -n "$kernel" ] || usage_error "--kernel is required"
[ "$shadow" = 0 ] || [ "$mode" = xen ] || usage_error "--shadow-xen needs --mode xen"
[ "$icount" = 0 ] || [ "$mttcg" = 0 ] ||
	usage_error "--icount and --mttcg exclude each other (-icount needs one host thread)"
[[ $marker_timeout =~ ^[1-9][0-9]*$ ]] ||
	usage_error "XEN_PVPERF_MARKER_TIMEOUT must be a number of seconds, not '$marker_timeout'"
STEP="boot($mode/$kernel)"
kargs="panic=-1 pvperf.kernel=$kernel$append"
[ "$kernel" = baseline ] || kargs="$kargs xen_pvstats=$stats"
[ "$icount" = 1 ] && kargs="$kargs pvperf.icount=1"
if [ "$trace" = 1 ]; then
	[ "$mode" = xen ] || usage_error "--trace needs --mode xen"
	# 8 MiB of trace buffer per CPU: xentrace drains it once a second.
	# The markers go through /dev/xen/privcmd, which Debian's 6.1 kernels
	# restrict in a domU (to the domain it serves) unless told otherwise.
	kargs="$kargs pvperf.trace=1 xen_privcmd.unrestricted=1"
	xen_append="$xen_append tbuf_size=2048"
fi
# QEMU separates multiboot modules with ','.
case "$mode:$kargs" in
xen:*,*)
	die "kernel arguments may not contain ',' under Xen (QEMU's -initrd separator):" \
		"'$kargs'"
	;;
esac
name=${name:-boot-$mode-$kernel}
need_cmd qemu-system-x86_64

img=$(kernel_image "$kernel")
[ -f "$img" ] || die "no $kernel kernel at $img; run 'make build'"
mkdir -p "$OUT/logs"
log_file=$OUT/logs/$name.log
results=$OUT/logs/$name.results

# One host thread runs every vCPU (thread=single). QEMU 7.2's multi-threaded
# TCG breaks the kernel's cross-modifying code: a CPU executing a site that
# another CPU's text_poke_bp() is rewriting traps on the int3 and the
# kernel finds no patch in progress ("int3: 0000 [#1]", then a panic). The
# unpatched 6.1 does it too, natively; static keys flip at boot and
# whenever counting is turned on or off (Documentation/xen/pvperf.rst,
# "Known problems"; make check's static-key boot tests it).
qemu=(qemu-system-x86_64 -cpu qemu64 -smp 2 -accel tcg,thread=single
	-display none -no-reboot -monitor none -serial stdio -nodefaults)
# QEMU 10.0's multi-threaded TCG does not break it (XEN-IN-QEMU.md): the
# boots that count no instructions may run their vCPUs at once.
if [ "$mttcg" = 1 ]; then
	q10=$("$HARNESS/qemu10.sh") || exit 1
	qemu[0]=$q10/usr/bin/qemu-system-x86_64
	qemu[6]=tcg,thread=multi
	qemu+=(-L "$q10/usr/share/qemu" -L /usr/share/seabios)
fi
if [ "$icount" = 1 ]; then
	qemu+=(-icount shift=0,sleep=off)
	# One CPU under -icount: a native boot with two hangs (XEN-IN-QEMU.md),
	# and the clock counts the instructions of every CPU, so a second
	# one (dom0's other vCPU, Xen's idle and timer work there) only adds
	# noise to what an op costs.
	qemu[4]=1
	dom0_vcpus=1
fi
if [ "$mode" = xen ]; then
	[ -f "$XEN_GZ" ] ||
		die "Xen hypervisor $XEN_GZ not found;" \
			"run 'make setup' (installs xen-hypervisor-4.17-amd64)"
	xen_elf=$CACHE/xen/$(basename "$XEN_GZ" .gz).elf
	if [ "$shadow" = 1 ]; then
		xen_elf=$("$HARNESS/xen-shadow.sh") || exit 1
	elif [ ! -f "$xen_elf" ] || [ "$XEN_GZ" -nt "$xen_elf" ]; then
		mkdir -p "$(dirname "$xen_elf")"
		gunzip -c "$XEN_GZ" >"$xen_elf.tmp" && mv "$xen_elf.tmp" "$xen_elf"
	fi
	initrd=$OUT/rootfs/dom0-$kernel.cpio.gz
	[ -f "$initrd" ] || die "no dom0 image at $initrd; run 'make rootfs'"
	xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M"
	xen_cmdline+=" dom0_max_vcpus=$dom0_vcpus loglvl=all guest_loglvl=all$xen_append"
	qemu+=(-m 2048 -kernel "$xen_elf"
		-append "$xen_cmdline"
		-initrd "$img console=hvc0 earlyprintk=xen $kargs,$initrd")
	markers=("(XEN) Xen version" "PVPERF dom0: init" "PVPERF dom0: toolstack ready"
		"PVPERF dom0: domU created" "[domU] PVPERF domU: init" "[domU] PVPERF domU: done"
		"PVPERF dom0: domU finished" "PVPERF dom0: done")
else
	initrd=$OUT/rootfs/guest.cpio.gz
	[ -f "$initrd" ] || die "no guest image at $initrd; run 'make rootfs'"
	qemu+=(-m 1024 -kernel "$img" -initrd "$initrd" -append "console=ttyS0 $kargs")
	markers=("Linux version" "PVPERF native: init" "PVPERF native: done")
fi
qemu+=("${qemu_args[@]}")

# Lines that end a run at once: a kernel or Xen panic, in any guest.
PANIC_RE='Kernel panic - not syncing|\(XEN\) Panic on CPU|\(XEN\) Hardware Dom0 crashed'
PANIC_RE+='|BUG: soft lockup|INFO: task .* blocked for more than'
# and an oops of any kind: die()'s "int3: 0000 [#1]", "invalid opcode: ...".
PANIC_RE+='|[A-Za-z0-9 ,_-]*: [0-9a-f]{4} \[#[0-9]+\]'

# fail WHY [domU]: one line, then the last 40 console lines (of the domU
# alone when it is the domU that failed: dom0 goes on printing after it).
fail() {
	local why=$1 whose=${2:-} run
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	# A benchmark that started and never printed its figure is named.
	run=$(tr -d '\r' <"$log_file" |
		sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-\(RUN\|BENCH\) \([^ ]* [^ ]*\).*/\2 \3/p' |
		tail -n 1)
	# shellcheck disable=SC2086
	[ "${run%% *}" = RUN ] && set -- $run && why="$why, during benchmark $3 in the $2"
	printf 'xen-pvperf: %s: error: %s (console: %s)\n' "$STEP" "$why" "$log_file" >&2
	if [ "$whose" = domU ]; then
		echo "--- last 40 console lines of the domU ---" >&2
		grep -a '^\[domU\] ' "$log_file" | tail -n 40 | sed 's/\r$//' >&2
	else
		echo "--- last 40 console lines ---" >&2
		tail -n 40 "$log_file" | sed 's/\r$//' >&2
	fi
	echo "---" >&2
	echo "FAIL $mode boot $why" >"$results"
	# The guests' checks that failed before it: often the cause.
	tr -d '\r' <"$log_file" | sed -n -e 's/^\[domU\] //' \
		-e 's/^PVPERF-CHECK \([^ ]*\) \([^ ]*\) FAIL \{0,1\}/FAIL \1 \2 /p' |
		tee -a "$results" >&2
	exit 1
}

log "starting QEMU (console: $log_file)"
start=$(date +%s)
: >"$log_file"
"${qemu[@]}" </dev/null >"$log_file" 2>"$log_file.qemu-stderr" &
qpid=$!
trap 'kill $qpid 2>/dev/null || true' EXIT

# A benchmark that finishes, or a long step's progress line, is progress
# too: it is shown, and the wait for the next marker starts again.
seen=0
for m in "${markers[@]}"; do
	deadline=$(($(date +%s) + marker_timeout))
	while ! grep -qF -- "$m" "$log_file"; do
		n=$(grep -acE 'PVPERF-(BENCH|PROGRESS) ' "$log_file" || true)
		if [ "$n" -gt "$seen" ]; then
			seen=$n
			deadline=$(($(date +%s) + marker_timeout))
			log "$(printf '%4ss' $(($(date +%s) - start)))   $(
				grep -aE 'PVPERF-(BENCH|PROGRESS) ' "$log_file" | tr -d '\r' |
				awk '/PVPERF-BENCH / { b++ } END {
					sub(/^.*PVPERF-/, "")
					if (/^BENCH /) print "benchmark " b ": " $2, $3
					else { sub(/^PROGRESS /, ""); print } }')"
		fi
		if grep -qE "$PANIC_RE" "$log_file"; then
			sleep 2 # let the panic's backtrace reach the log
			what=$(grep -a -m1 -oE "(\[domU\] )?($PANIC_RE).*" "$log_file" |
				tr -d '\r' | cut -c1-160)
			case "$what" in
			"[domU] "*) fail "$what before marker '$m'" domU ;;
			*) fail "$what before marker '$m'" ;;
			esac
		fi
		if ! kill -0 "$qpid" 2>/dev/null; then
			# It may have printed the marker and powered off since
			# the grep above (a native boot ends in a second).
			grep -qF -- "$m" "$log_file" && continue
			fail "QEMU exited before marker '$m' ($(tail -n 2 "$log_file.qemu-stderr" |
				tr '\n' ' '))"
		fi
		[ "$(date +%s)" -lt "$deadline" ] ||
			fail "marker '$m' not seen within ${marker_timeout}s (hang?)"
		sleep 0.5
	done
	log "$(printf '%4ss' $(($(date +%s) - start))) $m"
done
deadline=$(($(date +%s) + 120))
while kill -0 "$qpid" 2>/dev/null; do
	[ "$(date +%s)" -lt "$deadline" ] ||
		fail "the machine did not power off within 120s of the last marker"
	sleep 0.5
done
wait "$qpid" || true
trap - EXIT
log "QEMU exited after $(($(date +%s) - start))s"

# Results: the guests' own checks and their KUnit cases.
# Lines of the domU carry "[domU] "; the others are dom0's or native's.
first_role=dom0
[ "$mode" = native ] && first_role=native
# The series runs its KUnit suites at boot; with kunit.enable=0 (the
# benchmark boots) no kernel may run any, in dom0 or the domU.
expect_kunit=0 kunit_off=0
case " $kargs " in *" kunit.enable=0 "*) kunit_off=1 ;; esac
[ "$kernel" = series ] && [ "$kunit_off" = 0 ] && expect_kunit=1
tr -d '\r' <"$log_file" | awk -v r0="$first_role" -v expect_kunit="$expect_kunit" \
	-v kunit_off="$kunit_off" '
	{ role = r0; line = $0 }
	sub(/^\[domU\] /, "", line) { role = "domU" }
	line ~ /^PVPERF-CHECK / {
		split(line, f, " ")
		detail = line; sub(/^PVPERF-CHECK [^ ]+ [^ ]+ [^ ]+ ?/, "", detail)
		print (f[4] == "ok" || f[4] == "skip" ? f[4] : "FAIL"), f[2], f[3], detail
		next
	}
	line ~ /^    # Subtest: / { suite[role] = line; sub(/.*Subtest: /, "", suite[role]) }
	line ~ /^PVPERF [a-zA-Z0-9]+: init/ { seen[role] = 1 }
	line ~ /^    (not )?ok [0-9]+ / {
		t = line; sub(/^    (not )?ok [0-9]+ (- )?/, "", t)
		st = (line ~ /^    not ok/) ? "FAIL" : "ok"
		if (t ~ /# SKIP/) { st = "skip"; sub(/ *# SKIP.*/, "", t) }
		print st, role, "kunit:" suite[role] "." t
		kunit[role]++
	}
	END {
		for (r in seen)
			if (expect_kunit && !kunit[r])
				print "FAIL", r, "kunit-ran", "no KUnit results on the console"
			else if (kunit_off && kunit[r])
				print "FAIL", r, "kunit-off",
					kunit[r] " KUnit results despite kunit.enable=0"
	}
' >"$results"

# The benchmarks the guests ran: "role op tag ops ns_per_op [phase=ns ...]".
tr -d '\r' <"$log_file" | sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-BENCH //p' >"$OUT/logs/$name.bench"

# Entries into Xen per benchmark, from xentrace: "role tag=T entries=E ...";
# and the hypercalls the series counted in the same windows:
# "role op tag NR=DIRECT+IN_MULTICALL ...".
tr -d '\r' <"$log_file" | sed -n 's/^PVPERF-XEN //p' >"$OUT/logs/$name.xen"
tr -d '\r' <"$log_file" | sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-DBGHC //p' >"$OUT/logs/$name.dbghc"

# The stress plan's figures: "role key=value ...".
tr -d '\r' <"$log_file" |
	sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-STRESS //p' >"$OUT/logs/$name.stress"

# What one op moved: "role op dir/name delta iterations".
tr -d '\r' <"$log_file" |
	sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-BENCHSTAT //p' >"$OUT/logs/$name.benchstat"

# The statistics the guests dumped: "role dir/name value".
tr -d '\r' <"$log_file" | sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-STAT //p' >"$OUT/logs/$name.stats"

if [ "$quiet" = 0 ]; then
	echo "== checks ($mode/$kernel)"
	sed 's/^/  /' "$results"
	echo "== /sys/kernel/debug/xen ($mode/$kernel)"
	tr -d '\r' <"$log_file" | sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-LS \([^ ]*\) /  \2: /p'
	if [ -s "$OUT/logs/$name.stats" ]; then
		echo "== statistics at the end of the run ($mode/$kernel; non-zero counters)"
		awk '$3 != 0 { printf "  %-5s %-40s %s\n", $1, $2, $3 }' "$OUT/logs/$name.stats"
		echo "== hypercalls by number ($mode/$kernel)"
		tr -d '\r' <"$log_file" |
			sed -n 's/^\(\[domU\] \)\{0,1\}PVPERF-HCALL \([^ ]*\) /  \2: /p'
	fi
fi
if grep -q '^FAIL' "$results"; then
	printf 'xen-pvperf: %s: error: %s guest check(s) failed: %s\n' "$STEP" \
		"$(grep -c '^FAIL' "$results")" "$(grep -m1 '^FAIL' "$results")" >&2
	exit 1
fi
log "passed: $(grep -c '^ok' "$results" || true) checks ok," \
	"$(grep -c '^skip' "$results" || true) skipped"
