#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests of the harness itself: bad flags, a patch that does not
# apply, missing inputs and packages. Fast: no kernel build, no boot.
# Prints "ok NAME" or "FAIL NAME: why" per test; exits 1 if any failed.
set -uo pipefail
H=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0
only=${1:-}

ok() { echo "ok $1"; }
fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# expect NAME RC PATTERN CMD...: CMD exits RC and its output matches PATTERN.
expect() {
	local name=$1 rc=$2 pat=$3 got=0
	shift 3
	case "$name" in *"$only"*) ;; *) return 0 ;; esac
	"$@" >"$TMP/out" 2>&1 || got=$?
	if [ "$got" != "$rc" ]; then
		fail "$name" \
			"exit $got, expected $rc; output: $(head -c 300 "$TMP/out" | tr '\n' ' ')"
	elif ! grep -qE -- "$pat" "$TMP/out"; then
		fail "$name" "output lacks /$pat/: $(head -c 300 "$TMP/out" | tr '\n' ' ')"
	else
		ok "$name"
	fi
}

# Every stage: an unknown flag prints the usage and exits 2.
for s in setup apply build rootfs boot checkpatch mkpatch run check overhead stress spinbench \
	series lifecycle torture qemu10 dfloop; do
	expect "$s-unknown-flag" 2 "unknown argument '--bogus'.*|usage:" \
		"$H/$s.sh" --bogus
	expect "$s-help" 0 "^usage: $s.sh" "$H/$s.sh" --help
done
# selftests-x86.sh: the series' selftests/x86 end as the baseline's.
printf '%s\n' '[domU] PVPERF-SELFTEST domU ldt_gdt_64 0 [OK] x' \
	'[domU] PVPERF-SELFTEST domU sigreturn_32 1 [FAIL] y' >"$TMP/st-s.log"
printf '%s\n' '[domU] PVPERF-SELFTEST domU ldt_gdt_64 1 [FAIL] x' \
	'[domU] PVPERF-SELFTEST domU sigreturn_32 1 [FAIL] y' >"$TMP/st-b.log"
expect selftests-x86-agree 0 "^ok   sigreturn_32: exit 1 on both" \
	"$H/selftests-x86.sh" "$TMP/st-s.log" "$TMP/st-b.log"
expect selftests-x86-differ 1 "^FAIL ldt_gdt_64: exit 1, baseline exit 0" \
	"$H/selftests-x86.sh" "$TMP/st-b.log" "$TMP/st-s.log"
printf '[domU] PVPERF-SELFTEST domU ldt_gdt_64 0 [OK] x\n' >"$TMP/st-one.log"
expect selftests-x86-missing 1 "^FAIL sigreturn_32: ran on one kernel only \\(series missing" \
	"$H/selftests-x86.sh" "$TMP/st-one.log" "$TMP/st-b.log"
expect selftests-x86-none 1 "^FAIL no selftests/x86 result" \
	"$H/selftests-x86.sh" /dev/null /dev/null
printf '[domU] PVPERF-SELFTEST domU fsgsbase_64 1 [FAIL] z\n' >"$TMP/st-f1.log"
printf '[domU] PVPERF-SELFTEST domU fsgsbase_64 0 [OK] z\n' >"$TMP/st-f0.log"
expect selftests-x86-flaky 0 "not compared" "$H/selftests-x86.sh" "$TMP/st-f1.log" "$TMP/st-f0.log"
expect selftests-x86-args 2 "needs two console logs" "$H/selftests-x86.sh" "$TMP/st-s.log"
expect build-unknown-kernel 2 "unknown kernel 'nosuch'" "$H/build.sh" --kernel nosuch
expect dfloop-bad-runs 2 "--runs needs a number from 1 to 10000" "$H/dfloop.sh" --runs 0
expect dfloop-bad-vcpus 2 "--vcpus needs a number from 1 to 8" "$H/dfloop.sh" --vcpus 9
expect dfloop-unknown-kernel 2 "unknown kernel 'nosuch'" "$H/dfloop.sh" --kernel nosuch
expect overhead-bad-runs 2 "--runs needs a positive number" "$H/overhead.sh" --runs 0
# A malformed benchmark line is named, not a traceback (report.py's reader).
mkdir -p "$TMP/ovh/logs"
echo v >"$TMP/ovh/upstream-version"
echo "domU ctx_pipe x" >"$TMP/ovh/logs/overhead-nodebugfs-1.bench"
expect overhead-malformed-bench 1 \
	"overhead: error: overhead-nodebugfs-1: malformed benchmark line: domU ctx_pipe x" \
	env XEN_PVPERF_OUT="$TMP/ovh" "$H/overhead.sh" --table-only
expect stress-bad-secs 2 "--secs needs a positive number of seconds" "$H/stress.sh" --secs 10m
expect stress-bad-vcpus 2 "--vcpus needs a number from 2 to 8" "$H/stress.sh" --vcpus 1
expect stress-bad-hotplug 2 "--hotplug needs a number of seconds" "$H/stress.sh" --hotplug off
expect stress-unknown-kernel 2 "unknown kernel 'nosuch'" "$H/stress.sh" --kernel nosuch
expect torture-bad-secs 2 "--secs needs a number of seconds from 10 to 86400" \
	"$H/torture.sh" --secs 5
expect torture-bad-mode 2 "--pte-clear needs safe, all or trap" "$H/torture.sh" --pte-clear some
expect torture-mode-baseline 2 "--pte-clear is the series' parameter" \
	"$H/torture.sh" --kernel baseline --pte-clear all
expect boot-icount-mttcg 2 "--icount and --mttcg exclude each other" \
	"$H/boot.sh" --mode xen --kernel series --icount --mttcg
expect spinbench-bad-runs 2 "--runs needs a positive number" "$H/spinbench.sh" --runs 0
expect build-bad-jobs 2 "--jobs needs a positive number" "$H/build.sh" --jobs x
expect boot-needs-mode 2 "--mode is required" "$H/boot.sh" --kernel series
expect boot-qemu-arg-missing 2 "--qemu-arg needs an argument" \
	"$H/boot.sh" --mode native --kernel series --qemu-arg

# census.py: instructions per function from a QEMU log, a block cut short
# at an I/O instruction (cflags count 1) counted as what it executed and
# not taken for the full block at its address; and its bad arguments.
printf '%s\n' 'ffffffff81000000 T _stext' 'ffffffff81000100 T native_set_pte' \
	'ffffffff81000200 t copy_pte' 'ffffffff81001000 T _etext' >"$TMP/census.map"
cat >"$TMP/census.log" <<'EOF'
IN: native_set_pte
0xffffffff81000100:  mov    %rsi,(%rdi)
0xffffffff81000103:  ret
IN: copy_pte
0xffffffff81000200:  mov    (%rdi),%rax
0xffffffff81000203:  add    $8,%rdi
0xffffffff81000207:  cmp    %rdi,%rsi
0xffffffff8100020a:  jne    0xffffffff81000200
IN: copy_pte
0xffffffff81000200:  mov    (%rdi),%rax
Trace 0: 0x7f00 [0000000000000000/ffffffff81000200/0040c2b0/ff020200] copy_pte
Trace 0: 0x7f00 [0000000000000000/ffffffff81000200/0040c2b0/ff020200] copy_pte
Trace 0: 0x7f80 [0000000000000000/ffffffff81000200/0040c2b0/ff038201] copy_pte
Trace 0: 0x7fc0 [0000000000000000/ffffffff81000100/0040c2b0/ff020200] native_set_pte
EOF
expect census-profile 0 "^\[\('copy_pte', 9\), \('native_set_pte', 2\)\]$" python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import census
syms, s, e = census.read_symbols(sys.argv[2])
print(sorted(census.profile(sys.argv[3], syms).items()))' "$H" "$TMP/census.map" "$TMP/census.log"
expect census-unknown-kernel 2 "census.*unknown kernel 'nosuch'" \
	"$H/census.py" --kernel nosuch
expect census-bad-flag 2 "usage: census.py" "$H/census.py" --bogus
c=$TMP/census-out/census
mkdir -p "$c"
printf '%s\n' '300.00 native_set_pte' '100.00 zap_pte_range' >"$c/series-op.prof"
printf '%s\n' '250.00 zap_pte_range' >"$c/nopv-op.prof"
expect census-no-boot 0 \
	"series +400.00 \(300.00\).*native_set_pte 300.00.*\+300.00 native_set_pte" \
	env XEN_PVPERF_OUT="$TMP/census-out" bash -c \
	'"$1" --no-boot --kernel series --kernel nopv --op op | tr "\n" " "' _ "$H/census.py"
expect census-no-boot-missing 1 "--no-boot: No such file or directory: .*/census/baseline-op.prof" \
	env XEN_PVPERF_OUT="$TMP/census-out" "$H/census.py" --no-boot --op op
expect boot-bad-mode 2 "unknown mode 'pvh'" "$H/boot.sh" --mode pvh --kernel series
expect boot-bad-timeout 2 "--marker-timeout needs a number" \
	"$H/boot.sh" --mode xen --kernel series --marker-timeout 1m
expect boot-bad-env-timeout 2 "XEN_PVPERF_MARKER_TIMEOUT must be a number" \
	env XEN_PVPERF_MARKER_TIMEOUT=soon "$H/boot.sh" --mode xen --kernel series
expect apply-pristine-alone 2 "--pristine and --tree go together" \
	"$H/apply.sh" --pristine /tmp

# A small fake upstream tree and overlays to apply to it.
P=$TMP/pristine
mkdir -p "$P/arch/x86/xen" "$P/drivers/xen"
printf 'one\ntwo\nthree\nfour\nfive\n' >"$P/arch/x86/xen/Kconfig"
printf 'upstream\n' >"$P/drivers/xen/owned.c"
mkoverlay() {
	rm -rf "$TMP/ov"
	mkdir -p "$TMP/ov/arch/x86/xen" "$TMP/ov/drivers/xen"
}
good_patch() {
	cat <<'EOF'
Add six.
---
--- a/arch/x86/xen/Kconfig
+++ b/arch/x86/xen/Kconfig
@@ -3,3 +3,4 @@
 three
 four
 five
+six
EOF
}

mkoverlay
good_patch >"$TMP/ov/arch/x86/xen/Kconfig.patch"
printf 'ours\n' >"$TMP/ov/drivers/xen/owned.c"
printf 'new\n' >"$TMP/ov/drivers/xen/new.c"
T=$TMP/tree
expect apply-good 0 "3 files \(1 patches\); 3 changed" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-result in *"$only"*)
	if [ "$(tail -n 1 "$T/arch/x86/xen/Kconfig")" = six ] &&
		[ "$(cat "$T/drivers/xen/owned.c")" = ours ] && [ -f "$T/drivers/xen/new.c" ]; then
		ok apply-result
	else
		fail apply-result "the tree does not hold the patched and copied files"
	fi
	;;
esac
touch -d '2001-01-01' "$T/drivers/xen/owned.c"
expect apply-again-changes-nothing 0 "; 0 changed" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-keeps-mtime in *"$only"*)
	if [ "$(stat -c %Y "$T/drivers/xen/owned.c")" = "$(date -d 2001-01-01 +%s)" ]; then
		ok apply-keeps-mtime
	else
		fail apply-keeps-mtime "an unchanged file was rewritten (a needless rebuild)"
	fi
	;;
esac
rm "$TMP/ov/drivers/xen/owned.c" "$TMP/ov/drivers/xen/new.c"
expect apply-restores-upstream 0 "owned.c \(restored to upstream\)" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-removes-new in *"$only"*)
	if [ ! -e "$T/drivers/xen/new.c" ] && [ "$(cat "$T/drivers/xen/owned.c")" = upstream ]; then
		ok apply-removes-new
	else
		fail apply-removes-new "a file the series dropped is still in the tree"
	fi
	;;
esac

mkoverlay
good_patch | sed 's/^ four$/ FOUR/' >"$TMP/ov/arch/x86/xen/Kconfig.patch"
expect apply-conflict 1 "apply: error: arch/x86/xen/Kconfig.patch does not apply" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t2"
expect apply-conflict-shows-reject 1 "reject:" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t2"

mkoverlay
good_patch | sed 's|arch/x86/xen/Kconfig|arch/x86/xen/Kconfig.missing|' \
	>"$TMP/ov/arch/x86/xen/Kconfig.missing.patch"
expect apply-patch-without-upstream 1 "upstream file arch/x86/xen/Kconfig.missing does not exist" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t3"

mkoverlay
good_patch | sed 's|b/arch/x86/xen/Kconfig|b/arch/x86/xen/Other|' \
	>"$TMP/ov/arch/x86/xen/Kconfig.patch"
expect apply-patch-wrong-target 1 "must name b/arch/x86/xen/Kconfig" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t4"

mkoverlay
good_patch >"$TMP/ov/arch/x86/xen/Kconfig.patch"
cp "$P/arch/x86/xen/Kconfig" "$TMP/ov/arch/x86/xen/Kconfig"
expect apply-whole-and-patch 1 "given twice" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t5"

expect apply-missing-source 1 \
	"kernel source /nonexistent/linux.tar.xz not found; run 'make setup'" \
	env XEN_PVPERF_CACHE="$TMP/cache" XEN_PVPERF_KSRC_TARBALL=/nonexistent/linux.tar.xz \
	"$H/apply.sh"
expect setup-unknown-package 1 \
	"xen-pvperf-no-such-package.* not found in the configured Debian archive" \
	env XEN_PVPERF_EXTRA_PACKAGES=xen-pvperf-no-such-package "$H/setup.sh"

# checkpatch must catch what it is there for (it needs the kernel tree).
mkdir -p "$TMP/cp"
printf 'int f(void){return 0;}\n' >"$TMP/cp/bad.c"
if [ -f "$(. "$H/lib.sh"; series_dir)/.xen-pvperf-unpacked" ]; then
	expect checkpatch-catches-missing-spdx 1 "FAIL .*bad.c" "$H/checkpatch.sh" "$TMP/cp/bad.c"
	# --mail (series.sh's exported patches): a patch without a sign-off.
	{
		printf 'From: A <a@b.example>\nSubject: [PATCH] x: y\n\nWhy.\n---\n'
		printf -- '--- a/Kconfig.xen\n+++ b/Kconfig.xen\n@@ -1 +1,2 @@\n'
		printf -- ' %s\n+\n' "$(head -n 1 "$H/../../../Kconfig.xen")"
	} >"$TMP/cp/nosign.patch"
	expect checkpatch-mail-needs-signoff 1 "MISSING_SIGN_OFF" \
		"$H/checkpatch.sh" --mail "$TMP/cp/nosign.patch"
else
	echo "skip checkpatch-catches-missing-spdx (no kernel tree yet: run 'make apply')"
fi

expect boot-bad-stats 2 "--stats needs on or off" \
	"$H/boot.sh" --mode xen --kernel series --stats maybe

# pvlife (make lifecycle's domU workload) and pvmark (its markers).
cc_static() { gcc -static -O2 -Wall -Wextra -Werror "$@"; }
if cc_static -o "$TMP/pvlife" "$H/bench/pvlife.c" 2>"$TMP/cc" &&
	cc_static -o "$TMP/pvmark" "$H/bench/pvmark.c" 2>>"$TMP/cc"; then
	expect pvlife-runs 0 "^PVLIFE tick=2 words=262144 online=[0-9]+ ok$" "$TMP/pvlife" -m 2 -t 1
	: >"$TMP/life.stop"
	expect pvlife-stops-on-file 0 "^PVLIFE tick=1 words=131072 online=[0-9]+ ok$" \
		"$TMP/pvlife" -m 1 -s "$TMP/life.stop"
	expect pvlife-bad-m 2 "pvlife: '0' is not a number from 1 to 4096" "$TMP/pvlife" -m 0
	expect pvlife-extra-arg 2 "^usage: pvlife" "$TMP/pvlife" more
	expect pvmark-bad-what 2 "^usage: pvmark begin\|end TAG" "$TMP/pvmark" start 1
	expect pvmark-bad-tag 2 "^usage: pvmark" "$TMP/pvmark" begin 0
	expect pvmark-no-privcmd 1 "pvmark: /dev/xen/privcmd: .*not a Xen guest" \
		"$TMP/pvmark" begin 7
else
	fail pvlife-builds "$(tail -n 3 "$TMP/cc" | tr '\n' ' ')"
fi

# pvdirty (make torture's two tortures): each runs clean here, and each
# catches a write lost on purpose (-x): the check can fail.
if cc_static -o "$TMP/pvdirty" "$H/bench/pvdirty.c" 2>"$TMP/cc"; then
	expect pvdirty-file-runs 0 \
		"^PVDIRTY file done rounds=2 writes=[1-9][0-9]* zaps=[0-9]+ ok$" \
		timeout 60 "$TMP/pvdirty" file "$TMP/dirty.dat" -t 2 -p 64 -r 1
	expect pvdirty-file-reads-back 0 \
		"^PVDIRTY file round=1 writes=[1-9][0-9]* zaps=[0-9]+ resident=[0-9]+ ok$" \
		timeout 60 "$TMP/pvdirty" file "$TMP/dirty.dat" -t 1 -p 16 -w 3
	expect pvdirty-file-catches-lost-write 1 \
		"^PVDIRTY FAIL file round=1 page=1 word=1 have=0 want=0x" \
		timeout 60 "$TMP/pvdirty" file "$TMP/dirty.dat" -t 2 -p 64 -r 1 -x
	expect pvdirty-free-runs 0 \
		"^PVDIRTY free done laps=[1-9][0-9]* discarded=[0-9]+ kept=[0-9]+ ok$" \
		timeout 60 "$TMP/pvdirty" free -t 1 -w 2
	expect pvdirty-free-catches-lost-write 1 \
		"^PVDIRTY FAIL free secs=[0-9]+ pair=0 lap=3 page=0 have=0 want=0x" \
		timeout 60 "$TMP/pvdirty" free -t 2 -x
	expect pvdirty-bad-mode 2 "pvdirty: unknown mode 'files': file or free" "$TMP/pvdirty" files
	expect pvdirty-file-no-path 2 "pvdirty: file needs the PATH" "$TMP/pvdirty" file -t 1
	expect pvdirty-free-no-r 2 "pvdirty: -r is for file only" "$TMP/pvdirty" free -r 1
	expect pvdirty-bad-p 2 "pvdirty: '8' is not a number from 16 to 65536" \
		"$TMP/pvdirty" file "$TMP/dirty.dat" -p 8
	rm -f "$TMP/dirty.dat"
else
	fail pvdirty-builds "$(tail -n 3 "$TMP/cc" | tr '\n' ' ')"
fi

# pvdf (the direction-flag probe of the kernel's entries): this machine's
# kernel clears DF, so the 64-bit probe passes; the 32-bit one builds.
if gcc -static -O2 -Wall -Wextra -Werror -o "$TMP/pvdf" "$H/bench/pvdf.c" 2>"$TMP/cc"; then
	expect pvdf-syscall64 0 "^PVDF syscall64 ok$" "$TMP/pvdf"
	expect pvdf-traced-each-cpu 0 "^PVDF syscall64 cpu=0 traced ok$" "$TMP/pvdf" -t -c
	expect pvdf-bad-arg 2 "usage: pvdf \[-t\] \[-c\] \(got 'x'\)" "$TMP/pvdf" x
else
	fail pvdf-builds "$(tail -n 3 "$TMP/cc" | tr '\n' ' ')"
fi
if gcc -m32 -static -O2 -Wall -Wextra -Werror -o "$TMP/pvdf32" "$H/bench/pvdf.c" 2>"$TMP/cc"; then
	ok pvdf-builds-32
else
	fail pvdf-builds-32 "$(tail -n 3 "$TMP/cc" | tr '\n' ' ')"
fi

# lifecycle.sh --table-only on made-up logs: the table, its ratios, the
# JSON; a missing log is an error naming the run to make.
mkdir -p "$TMP/life/logs"
for k in series baseline; do
	printf '%s\n' "PVPERF-LIFE step=create tag=101" "PVPERF-LIFE step=save tag=102" \
		>"$TMP/life/logs/lifecycle-$k.log"
done
printf '%s\n' "PVPERF-LIFECALLER dom0 step=save count=7 caller=do_wp_page+0x1/0x9" \
	"PVPERF-LIFECALLER dom0 step=save count=40 caller=do_anonymous_page+0x2/0x9" \
	>>"$TMP/life/logs/lifecycle-series.log"
printf '%s\n' "dom0 tag=101 entries=3000 hypercalls=2000 ptwr=0 hc.1=900 hc.26=10" \
	"dom0 tag=102 entries=2560 hypercalls=2000 ptwr=0 hc.1=600 hc.26=10" \
	"domU tag=5 entries=1" >"$TMP/life/logs/lifecycle-series.xen"
printf '%s\n' "dom0 tag=101 entries=6000 hypercalls=2000 ptwr=3000 hc.1=1000 hc.26=10" \
	"dom0 tag=102 entries=25600 hypercalls=2000 ptwr=20000 hc.1=1200 hc.26=10" \
	>"$TMP/life/logs/lifecycle-baseline.xen"
expect lifecycle-table 0 "^save +series +2560 +2000 +0 +600 +10 +10\.0$" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
expect lifecycle-ratio 0 "^ +ratio +0\.100 +0\.500$" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
expect lifecycle-callers 0 "^save +do_anonymous_page\+0x2 40, do_wp_page\+0x1 7$" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
if python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
sys.exit(not (len(r) == 4 and r[1]["entries_per_mib"] == 10.0 and
	r[1]["pte_hypercall_callers"]["do_wp_page+0x1"] == 7))' "$TMP/life/lifecycle.json"; then
	ok lifecycle-json
else
	fail lifecycle-json "$(head -c 300 "$TMP/life/lifecycle.json")"
fi
# The migration comes from a boot of its own, whose tags may be any; only
# its migrate step is taken (its create is not the table's).
printf '%s\n' "PVPERF-LIFE step=create tag=101" "PVPERF-LIFE step=migrate tag=120" \
	>"$TMP/life/logs/lifecycle-migrate-series.log"
printf '%s\n' "dom0 tag=101 entries=1 hypercalls=1 ptwr=0 hc.1=1 hc.26=1" \
	"dom0 tag=120 entries=5120 hypercalls=4000 ptwr=7 hc.1=300 hc.26=20" \
	>"$TMP/life/logs/lifecycle-migrate-series.xen"
expect lifecycle-migrate-row 0 "^migrate +series +5120 +4000 +7 +300 +20 +20\.0$" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
expect lifecycle-migrate-only 0 "^create +series +3000 " \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
# Boots 2 and 3 of the migration: each count is the median of the three.
for i in 2 3; do
	printf '%s\n' "PVPERF-LIFE step=migrate tag=120" \
		>"$TMP/life/logs/lifecycle-migrate$i-series.log"
done
printf '%s\n' "dom0 tag=120 entries=9000 hypercalls=1000 ptwr=5 hc.1=100 hc.26=30" \
	>"$TMP/life/logs/lifecycle-migrate2-series.xen"
printf '%s\n' "dom0 tag=120 entries=1000 hypercalls=9000 ptwr=9 hc.1=200 hc.26=10" \
	>"$TMP/life/logs/lifecycle-migrate3-series.xen"
expect lifecycle-migrate-median 0 "^migrate +series +5120 +4000 +7 +200 +20 +20\.0$" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
expect lifecycle-migrate-boots 0 "^migrate: the median .*3 series boots.*series 5120 9000 1000" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only
expect lifecycle-bad-migrations 2 "--migrations needs a number from 1 to 9" \
	"$H/lifecycle.sh" --migrations 0
rm "$TMP/life/logs/lifecycle-migrate"[23]-series.*
rm "$TMP/life/logs/lifecycle-baseline.log"
expect lifecycle-missing-log 1 "no log of the baseline boot .*run lifecycle.sh" \
	env XEN_PVPERF_OUT="$TMP/life" "$H/lifecycle.sh" --table-only

# The guest benchmark program: usage, bad arguments, a real run.
if gcc -static -O2 -Wall -Wextra -Werror -o "$TMP/pvbench" "$H/bench/pvbench.c" 2>"$TMP/cc"; then
	expect pvbench-help 0 "^usage: pvbench OP" "$TMP/pvbench" --help
	expect pvbench-unknown-op 2 "unknown op 'nosuch'" "$TMP/pvbench" nosuch
	expect pvbench-bad-n 2 "pvbench fork_exit_16m: -n needs a positive number, not '0'" \
		"$TMP/pvbench" fork_exit_16m -n 0
	expect pvbench-bad-t 2 "-t needs a positive number, not 'x'" "$TMP/pvbench" ctx_n -t x
	expect pvbench-ring-of-one 2 "pvbench ctx_n: needs -t 2 to 64" "$TMP/pvbench" ctx_n -t 1
	expect pvbench-ring-too-big 2 "pvbench ctx_n: needs -t 2 to 64" "$TMP/pvbench" ctx_n -t 65
	expect pvbench-extra-arg 2 "unexpected argument 'more'" "$TMP/pvbench" signal more
	expect pvbench-bad-n-text 2 "-n needs a positive number, not 'ten'" \
		"$TMP/pvbench" ctx_pipe -n ten
	for op in calibrate null_syscall ctx_pipe ctx_n signal pagefault_anon pagefault_file \
		mmap_munmap mprotect_1024 fork_exit_16m fork_exec tls_switch spin_contended; do
		expect "pvbench-runs-$op" 0 \
			"^op=$op iterations=3 batches=2 ns_per_op=[0-9]+\.[0-9]{2}$" \
			"$TMP/pvbench" "$op" -n 3 -r 2 -s 64
	done
	want="mmap=[0-9]+ fault=[0-9]+ mprotect=[0-9]+ fork=[0-9]+ munmap=[0-9]+"
	expect pvbench-mmperf-phases 0 \
		"^op=mmperf iterations=2 batches=1 ns_per_op=[0-9]+\.[0-9]{2} ${want}$" \
		"$TMP/pvbench" mmperf -n 2
	expect pvbench-bad-r 2 "-r needs a positive number, not '-1'" "$TMP/pvbench" signal -r -1
	expect pvbench-verbose-batches 0 \
		"^batch 2 ns_per_op=[0-9]+\.[0-9]{2} preempted=[0-9]+ pages_freed=[0-9]+$" \
		"$TMP/pvbench" tls_switch -n 3 -r 2 -v -P 118
	# ctx_n's ring runs SCHED_BATCH: a woken partner does not preempt
	# the writer, so pvbench's own process is hardly ever preempted in
	# a window of 4000 hops (under SCHED_OTHER, 225 times or more in
	# every batch). The host's own tasks may preempt a batch now and
	# then (223 times in one CI batch): the least preempted of three.
	case pvbench-ctx_n-no-preemption in *"$only"*)
		if "$TMP/pvbench" ctx_n -n 4000 -r 3 -v >"$TMP/out" 2>&1 &&
			awk -F'preempted=' '/^batch / { n++; p = $2 + 0
					if (n == 1 || p < least) least = p }
				END { exit n != 3 || least > 40 }' "$TMP/out"; then
			ok pvbench-ctx_n-no-preemption
		else
			out=$(tr '\n' ' ' <"$TMP/out")
			fail pvbench-ctx_n-no-preemption \
				"three batches, one preempted 40 times at most: $out"
		fi
		;;
	esac
	expect pvbench-bad-phase 2 "-P takes 1 to 999 \(thousandths of a tick\), not '1000'" \
		"$TMP/pvbench" signal -P 1000
	expect pvbench-bad-phase-text 2 "-P needs a positive number, not 'half'" \
		"$TMP/pvbench" signal -P half
	expect pvbench-bad-tag 2 "-m needs a positive number, not 'x'" "$TMP/pvbench" signal -m x
	expect pvbench-marker-needs-xen 1 "-m: /dev/xen/privcmd \(not a Xen guest\?\)" \
		"$TMP/pvbench" null_syscall -m 3
	# -w: the last batch alone is framed, one "on" and one "off", each
	# answered (tests/pty-host.py plays census.py's part on a pty).
	expect pvbench-window-handshake 0 \
		"^PVPERF-WINDOW on"$'\n'"PVPERF-WINDOW off"$'\n'"exit 0$" \
		python3 "$H/tests/pty-host.py" "$TMP/pvbench" signal -n 3 -r 2
	expect pvbench-window-no-port 1 "pvbench signal: -w: the serial port: No such file" \
		"$TMP/pvbench" signal -n 3 -w "$TMP/nosuch"
else
	fail pvbench-builds "$(head -n 5 "$TMP/cc")"
fi

# pvtrace on xentrace files made by tests/mktrace.py: windows per domain
# across CPUs in TSC order, and each way a trace can be unusable.
if gcc -static -O2 -Wall -Wextra -Werror -o "$TMP/pvtrace" "$H/bench/pvtrace.c" 2>"$TMP/cc"; then
	for c in good lost unclosed truncated; do
		python3 "$H/tests/mktrace.py" $c "$TMP/trace.$c"
	done
	expect pvtrace-usage 2 "^usage: pvtrace XENTRACE_FILE" "$TMP/pvtrace"
	expect pvtrace-missing-file 1 "No such file" "$TMP/pvtrace" "$TMP/nosuch"
	want="^window dom=1 tag=5 entries=8 hypercalls=6 subcalls=5 ptwr=1 privop=0 traps=0"
	want="$want pagefaults=1 other=0 continuations=2 hc.1=2 hc.13=3 hc.24=1 sc.14=4 sc.26=1"
	expect pvtrace-domU-window 0 "$want ct.1=1 ct.13=1$" \
		"$TMP/pvtrace" "$TMP/trace.good"
	expect pvtrace-dom0-window 0 "^window dom=0 tag=7 entries=1 hypercalls=1 .* hc.32=1$" \
		"$TMP/pvtrace" "$TMP/trace.good"
	expect pvtrace-lost-records 1 "Xen lost 7 trace records on CPU 0: raise tbuf_size" \
		"$TMP/pvtrace" "$TMP/trace.lost"
	expect pvtrace-unclosed-window 1 "window 3 of dom 1 never closed \(no end marker\)" \
		"$TMP/pvtrace" "$TMP/trace.unclosed"
	expect pvtrace-truncated 1 "truncated record after 27 records" \
		"$TMP/pvtrace" "$TMP/trace.truncated"
else
	fail pvtrace-builds "$(head -n 5 "$TMP/cc")"
fi

# LMBENCH_DIR must hold lmbench's seven static binaries.
expect lmbench-dir-missing 1 "LMBENCH_DIR=$TMP/nolm is not a folder" \
	env LMBENCH_DIR="$TMP/nolm" XEN_PVPERF_OUT="$TMP/lmout" "$H/rootfs.sh"
mkdir -p "$TMP/lm"
expect lmbench-dir-incomplete 1 "no executable lat_syscall in $TMP/lm" \
	env LMBENCH_DIR="$TMP/lm" XEN_PVPERF_OUT="$TMP/lmout" "$H/rootfs.sh"
for p in lat_syscall lat_ctx lat_pipe lat_sig lat_pagefault lat_mmap lat_proc; do
	cp /bin/true "$TMP/lm/$p"
done
expect lmbench-not-static 1 "lat_syscall is not a static binary" \
	env LMBENCH_DIR="$TMP/lm" XEN_PVPERF_OUT="$TMP/lmout" "$H/rootfs.sh"
expect run-unknown-op 2 "--ops: unknown benchmark 'bogus'" "$H/run.sh" --ops null_syscall,bogus
expect run-bad-runs 2 "--runs needs a number of boots from 1 to 9, not '0'" "$H/run.sh" --runs 0

# report.py on made-up logs: the table, the JSON, the gate and the
# cross-check, and the errors that name the op.
R=$TMP/rlogs
mkreport() { # mkreport SERIES_CTX_ENTRIES DEBUGFS_CTX_MMU [drop-tag-2]
	# [SERIES_MPROTECT_MMU_UPDATES [CONTINUED [SERIES_FORK_ENTRIES]]]
	local mp=${4-60} ct=${5-0} fk=${6-40}
	rm -rf "$R"
	mkdir -p "$R"
	printf '%s\n' 'domU null_syscall 1 300 990' 'domU ctx_pipe 2 30 19000' \
		'domU mprotect_1024 3 30 2000000' 'domU fork_exit_16m 4 10 500000' \
		>"$R/icount-xen-series.bench"
	printf '%s\n' 'domU null_syscall 1 300 995' 'domU ctx_pipe 2 30 21000' \
		'domU mprotect_1024 3 30 2100000' 'domU fork_exit_16m 4 10 600000' \
		>"$R/icount-xen-baseline.bench"
	printf 'native null_syscall 1 300 210\n' >"$R/icount-native-series.bench"
	printf 'native null_syscall 1 300 200\n' >"$R/icount-native-nopv.bench"
	printf '%s\n' 'domU null_syscall 1 300 5000' 'domU ctx_pipe 2 30 90000' \
		'domU mprotect_1024 3 30 9000000' 'domU fork_exit_16m 4 10 900000' |
		tee "$R/trace-xen-series.bench" >"$R/trace-xen-baseline.bench"
	{
		echo "domU tag=1 entries=30 hypercalls=30 subcalls=0 ptwr=0 privop=0 traps=0" \
			"pagefaults=0 other=0 hc.24=30"
		[ "${3-}" = drop-tag-2 ] ||
			echo "domU tag=2 entries=$1 hypercalls=$1 subcalls=60 ptwr=0 privop=0" \
				"traps=0 pagefaults=0 other=0 hc.1=$1 sc.14=60"
		echo "domU tag=3 entries=$mp hypercalls=$mp subcalls=0 ptwr=0 privop=0 traps=0" \
			"pagefaults=0 other=0 continuations=$ct hc.1=$mp ct.1=$ct"
		echo "domU tag=4 entries=$fk hypercalls=0 subcalls=0 ptwr=$fk privop=0 traps=0" \
			"pagefaults=0 other=0"
	} >"$R/trace-xen-series.xen"
	{
		echo "domU tag=1 entries=30 hypercalls=30 subcalls=0 ptwr=0 privop=0 traps=0" \
			"pagefaults=0 other=0 hc.24=30"
		echo "domU tag=2 entries=300 hypercalls=300 subcalls=0 ptwr=0 privop=0 traps=0" \
			"pagefaults=0 other=0 hc.1=300"
		echo "domU tag=3 entries=2000 hypercalls=2000 subcalls=0 ptwr=0 privop=0 traps=0" \
			"pagefaults=0 other=0 hc.1=2000"
		echo "domU tag=4 entries=100 hypercalls=0 subcalls=0 ptwr=100 privop=0 traps=0" \
			"pagefaults=0 other=0"
	} >"$R/trace-xen-baseline.xen"
	printf 'domU null_syscall 1 24=32+0\ndomU ctx_pipe 2 1=%s+0 14=0+60 23=5+0\n' "$2" \
		>"$R/trace-xen-series.dbghc"
	printf 'domU mprotect_1024 3 1=%s+0\ndomU fork_exit_16m 4\n' $((mp - ct)) \
		>>"$R/trace-xen-series.dbghc"
	printf 'domU ctx_pipe multicalls/batches 120 30\n' >"$R/trace-xen-series.benchstat"
}
mkreport 150 150
expect report-table 0 "^ctx_pipe +19000 +21000 +0.905 +5 +10 +0.500" \
	python3 "$H/report.py" --logs "$R" --json "$TMP/r.json" --svg "$TMP/r.svg" \
		--gate --crosscheck
expect report-json 0 '"xen_entries_per_op": 5.0' cat "$TMP/r.json"
expect report-json-stats 0 '"multicalls/batches": 4.0' cat "$TMP/r.json"
expect report-svg 0 "<title>ctx_pipe 0.905</title>" cat "$TMP/r.svg"
expect report-native 0 "^null_syscall +210 +200 +1.050" python3 "$H/report.py" --logs "$R"
# Further boots (run.sh --runs): each op's mean over all of them
# (ctx_pipe 19000, 18500, 19900: not the smallest, not the median).
printf 'domU ctx_pipe 2 30 18500\n' >"$R/icount-xen-series-2.bench"
printf 'domU null_syscall 1 300 980\ndomU ctx_pipe 2 30 19900\n' >"$R/icount-xen-series-3.bench"
printf 'native null_syscall 1 300 209\n' >"$R/icount-native-baseline.bench"
expect report-mean-of-boots 0 "^ctx_pipe +19133.33 +21000 +0.911" python3 "$H/report.py" --logs "$R"
expect report-mean-of-boots-two 0 "^null_syscall +985 +995" python3 "$H/report.py" --logs "$R"
expect report-mean-of-boots-json 0 '"icount_boots": 3' sh -c \
	'python3 "$0" --logs "$1" --json "$2" >/dev/null && cat "$2"' \
	"$H/report.py" "$R" "$TMP/m.json"
expect report-native-baseline 0 "^null_syscall +210 +200 +1.050 +209 +1.0048" \
	python3 "$H/report.py" --logs "$R"
# The series booted with xen_inline_irq=off: a table of its own.
expect report-no-calls-table 0 "^absent" sh -c \
	'python3 "$0" --logs "$1" | grep -q "direct calls" || echo absent' "$H/report.py" "$R"
printf 'domU ctx_pipe 2 30 18700\ndomU null_syscall 1 300 1000\n' \
	>"$R/icount-xen-series-calls.bench"
expect report-calls-table 0 "^ctx_pipe +19133.33 +18700 +1.0232 +21000 +0.8905" \
	python3 "$H/report.py" --logs "$R"
mkreport 400 400
expect report-gate-fails 1 "gate: ctx_pipe: series enters Xen 13.33 times per op, baseline 10.00" \
	python3 "$H/report.py" --logs "$R" --gate
mkreport 150 150 "" 150
expect report-limit-fails 1 \
	"gate: mprotect_1024: series issues hypercall 1 5.00 times per op, limit 4.0 \(\+2%\)" \
	python3 "$H/report.py" --logs "$R" --gate
mkreport 150 150 "" 150 60
expect report-limit-continuations 0 "gate ok: domU mprotect_1024 +hypercall 1/op series +3.00" \
	python3 "$H/report.py" --logs "$R" --gate --crosscheck
mkreport 150 150 "" 60 0 60
want="gate: fork_exit_16m: series enters Xen 6.00 times per op,"
expect report-ratio-fails 1 "$want more than 0.50 of the baseline's 10.00" \
	python3 "$H/report.py" --logs "$R" --gate
mkreport 150 150 "" 60 0 50
expect report-ratio-holds 0 \
	"gate ok: domU fork_exit_16m +entries/op series +5.00, limit 0.50 x baseline 10.00" \
	python3 "$H/report.py" --logs "$R" --gate
mkreport 150 100
expect report-crosscheck-fails 1 \
	"cross-check: domU ctx_pipe: hypercall 1 direct: xentrace 150, debugfs 100" \
	python3 "$H/report.py" --logs "$R" --crosscheck
mkreport 150 150 drop-tag-2
expect report-missing-window 1 "no xentrace record of op ctx_pipe in domU \(tag 2\)" \
	python3 "$H/report.py" --logs "$R"
printf 'domU ctx_pipe 2 30 x\n' >"$R/icount-xen-series.bench"
expect report-malformed 1 "icount-xen-series: malformed benchmark line: domU ctx_pipe 2 30 x" \
	python3 "$H/report.py" --logs "$R"
expect report-bad-arg 2 "unknown argument '--bogus'" python3 "$H/report.py" --bogus

# The guests' lmbench runner (rootfs/init) on fake lmbench programs that
# print what lmbench's print: the figure is the last number, in us.
L=$TMP/fakelm
mkdir -p "$L"
fake() { printf '#!/bin/sh\necho "%s" >&2\n' "$2" >"$L/$1"; chmod +x "$L/$1"; }
fake lat_syscall "Simple syscall: 0.1036 microseconds"
printf '#!/bin/sh\nprintf "\\"size=0k ovr=0.84\\n2 1.73\\n" >&2\n' >"$L/lat_ctx"
chmod +x "$L/lat_ctx"
fake lat_pipe "Pipe latency: 4.5210 microseconds"
fake lat_sig "Signal handler overhead: 0.9500 microseconds"
fake lat_pagefault "Pagefaults on /x: 0.1200 microseconds"
fake lat_mmap "4.000000 52.3"
printf '#!/bin/sh\necho "fork: no memory" >&2\nexit 1\n' >"$L/lat_proc"
chmod +x "$L/lat_proc"
sed -n '/^LMDIR=/,/^}/p' "$H/rootfs/init" >"$TMP/lm.sh"
printf 'role=domU\nrun_lmbench\n' >>"$TMP/lm.sh"
expect lmbench-runner-syscall 0 "^PVPERF-BENCH domU lmbench_lat_syscall 0 1 103$" \
	env LMDIR="$L" busybox sh "$TMP/lm.sh"
expect lmbench-runner-ctx 0 "^PVPERF-BENCH domU lmbench_lat_ctx 0 1 1730$" \
	env LMDIR="$L" busybox sh "$TMP/lm.sh"
expect lmbench-runner-mmap 0 "^PVPERF-BENCH domU lmbench_lat_mmap 0 1 52300$" \
	env LMDIR="$L" busybox sh "$TMP/lm.sh"
expect lmbench-runner-failure 0 \
	"^PVPERF-CHECK domU lmbench-lat_proc FAIL lat_proc fork: fork: no memory$" \
	env LMDIR="$L" busybox sh "$TMP/lm.sh"

# A comma cannot reach a kernel under Xen through QEMU's -initrd.
expect boot-comma-under-xen 1 "may not contain ','" \
	env XEN_PVPERF_OUT="$TMP/out" "$H/boot.sh" --mode xen --kernel series --append "a=1,2"

# series.py: every overlay file in one patch; the MAINTAINERS entry cut
# down to the files a patch has so far.
R=$TMP/srepo
mkdir -p "$R/arch/x86/xen" "$R/tools/testing/xen-pvperf"
printf 'one\n' >"$R/arch/x86/xen/a.c"
printf 'desc\n---\ndiff\n' >"$R/arch/x86/xen/b.c.patch"
printf 'h\n' >"$R/tools/testing/xen-pvperf/h.sh"
printf 'm\n' >"$R/MAINTAINERS.patch"
git -C "$R" init -q && git -C "$R" add -A
mkseries() { # mkseries FILE F-LINES-OF-PATCH-1
	printf '==== patch\n%b\nsub: one\n\nBody.\n\n' "$2" >"$1"
	printf '==== patch\nF: tools/testing/xen-pvperf/\n\nsub: two\n\nBody.\n' >>"$1"
}
mkdir -p "$TMP/plan"
mkseries "$TMP/s-ok.txt" 'F: arch/x86/xen/a.c\nF: arch/x86/xen/b.c.patch'
expect series-plan-ok 0 "^2$" "$H/series.py" plan "$TMP/s-ok.txt" "$R" "$TMP/plan" "A <a@b>"
expect series-plan-message 0 "^desc$" cat "$TMP/plan/01.msg"
expect series-plan-signoff 0 "^Signed-off-by: A <a@b>$" cat "$TMP/plan/02.msg"
mkseries "$TMP/s-miss.txt" 'F: arch/x86/xen/a.c'
expect series-plan-missing 1 "in no patch: arch/x86/xen/b.c.patch" \
	"$H/series.py" plan "$TMP/s-miss.txt" "$R" "$TMP/plan" "A <a@b>"
mkseries "$TMP/s-twice.txt" 'F: arch/x86/xen/a.c\nF: arch/x86/xen/b.c.patch\nF: arch/x86/xen/a.c'
expect series-plan-twice 1 "a.c is in patch 1 already" \
	"$H/series.py" plan "$TMP/s-twice.txt" "$R" "$TMP/plan" "A <a@b>"
mkseries "$TMP/s-none.txt" 'F: arch/x86/xen/a.c\nF: arch/x86/xen/b.c.patch\nF: arch/x86/xen/c.c'
expect series-plan-no-file 1 "F: arch/x86/xen/c.c names no file" \
	"$H/series.py" plan "$TMP/s-none.txt" "$R" "$TMP/plan" "A <a@b>"
mkseries "$TMP/s-spread.txt" 'F: arch/x86/xen/a.c\nF: arch/x86/xen/b.c.patch\nF: MAINTAINERS.patch'
expect series-plan-maintainers-spread 1 "MAINTAINERS.patch is not a patch's file" \
	"$H/series.py" plan "$TMP/s-spread.txt" "$R" "$TMP/plan" "A <a@b>"
printf 'A\n\nXEN PV PERFORMANCE BACKENDS AND STATISTICS (XEN-PVPERF)\nM:\tx\n' >"$TMP/MAINT"
printf 'F:\tarch/x86/xen/a.c\nF:\tarch/x86/xen/z.c\nF:\ttools/testing/xen-pvperf/\n\nB\n' \
	>>"$TMP/MAINT"
printf 'arch/x86/xen/a.c\n' >"$TMP/paths1"
printf 'arch/x86/xen/z.c\ntools/testing/xen-pvperf/h.sh\n' >"$TMP/paths2"
: >"$TMP/paths0"
"$H/series.py" maintainers "$TMP/MAINT" "$TMP/paths1" >"$TMP/m1" 2>&1
expect series-maintainers-some 0 "^absent$" \
	sh -c '! grep -E "z.c|xen-pvperf/" "$1" && echo absent' - "$TMP/m1"
expect series-maintainers-has 0 "F:.arch/x86/xen/a.c" cat "$TMP/m1"
"$H/series.py" maintainers "$TMP/MAINT" "$TMP/paths2" >"$TMP/m2" 2>&1
expect series-maintainers-folder 0 "F:.tools/testing/xen-pvperf/" cat "$TMP/m2"
"$H/series.py" maintainers "$TMP/MAINT" "$TMP/paths0" >"$TMP/m0" 2>&1
expect series-maintainers-none 0 "^absent$" \
	sh -c '! grep XEN-PVPERF "$1" && grep -q B "$1" && echo absent' - "$TMP/m0"
expect series-needs-report 1 "run 'make run' first" env XEN_PVPERF_OUT="$TMP/noout" "$H/series.sh"

[ "$failed" = 0 ]
