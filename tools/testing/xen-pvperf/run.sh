#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run ('make run'): the main job. Install what is missing, apply the series,
# build the kernels (series, baseline = untouched upstream, nopv = the
# series tree with CONFIG_PARAVIRT=n), then boot under QEMU:
#   icount-xen-K      Xen dom0 + PV domU of kernel K under -icount: the
#                     benchmarks' instructions/op, in the domU then dom0
#   trace-xen-K       the same with xentrace in dom0: entries into Xen/op;
#                     the series counts in its statistics meanwhile (also
#                     under -icount: timer ticks then come per instruction,
#                     not per second of a host that may be busy)
#   icount-xen-series-calls
#                     the series with xen_inline_irq=off (its irq-flag
#                     sites call, as upstream's), the domU's benchmarks
#   icount-native-K   series, nopv and baseline without Xen, instructions/op
# With --runs N every icount boot is made N times (NAME-2, ... for the
# further ones), boot r in guest state pvperf.perturb=r-1, and the report
# takes each op's mean.
# and print the report (report.py): a table per guest, out/report.json,
# out/report.svg, and the cross-check of xentrace against the statistics.
set -euo pipefail
STEP=run
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: run.sh [-h] [--ops OP,OP...] [--runs N]
  --ops OP,...   run only these benchmarks (default: all; see pvbench --help)
  --runs N       boot each icount configuration N times (default 1, at most
                 9), each in its own guest state; instructions/op is
                 each op's mean over them
Stages: setup, apply, build, rootfs, 2 + 6N boots, report. Logs: $OUT/logs.
Environment: LMBENCH_DIR=<folder of static lmbench binaries> adds
lat_syscall, lat_ctx, lat_pipe, lat_sig, lat_pagefault, lat_mmap and
lat_proc to the benchmarks (instructions/op only).
EOF
}

ops=""
runs=1
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--runs)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9]$ ]] ||
			usage_error "--runs needs a number of boots from 1 to 9, not '${2:-}'"
		runs=$2
		shift
		;;
	--ops)
		[ $# -ge 2 ] && [[ $2 =~ ^[a-z0-9_]+(,[a-z0-9_]+)*$ ]] ||
			usage_error "--ops needs a comma-separated list of benchmark names"
		ops=$2
		shift
		;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
# The benchmarks the guests know: BENCH_OPS in rootfs/init.
known=$(sed -n '/^BENCH_OPS="/,/"$/p' "$HARNESS/rootfs/init" |
	grep -oE '[a-z0-9_]+:' | tr -d : | tr '\n' ' ')
for o in ${ops//,/ }; do
	case " $known" in
	*" $o "*) ;;
	*) usage_error "--ops: unknown benchmark '$o' (known: $known)" ;;
	esac
done
# ',' separates QEMU's -initrd modules: the guests take '+'. No KUnit
# suite runs before the benchmarks ('make check' runs them): the series'
# suites left the native ctx_n 0.8% above the same kernel booted without
# them, so both kernels boot the way they would outside a test.
bench="$BENCH_ARGS${ops:+ pvperf.ops=${ops//,/+}}"

summary=""
timed() { # timed NAME CMD...
	local name=$1 t
	shift
	t=$(date +%s)
	"$@"
	summary="$summary$(printf '  %-26s %5ss' "$name" $(($(date +%s) - t)))"$'\n'
}

run_start=$(date +%s)
timed setup "$HARNESS/setup.sh"
timed apply "$HARNESS/apply.sh"
timed build "$HARNESS/build.sh" --kernel series --kernel baseline --kernel nopv
timed rootfs "$HARNESS/rootfs.sh" --kernel series --kernel baseline
# Further boots of an earlier --runs would count as this run's.
rm -f "$OUT"/logs/icount-*-[0-9].*
boot_name() { # boot_name NAME RUN: NAME, then NAME-2, NAME-3, ...
	if [ "$2" = 1 ]; then echo "$1"; else echo "$1-$2"; fi
}
for k in series baseline; do
	for r in $(seq "$runs"); do
		n=$(boot_name "icount-xen-$k" "$r")
		timed "$n" "$HARNESS/boot.sh" --mode xen --kernel "$k" --stats off \
			--icount --append "$bench $(bench_perturb "$r")" --name "$n" --quiet
	done
	# The series' statistics and debugfs listing are printed once, here.
	quiet=--quiet
	[ "$k" = series ] && quiet=""
	timed "trace xen $k" "$HARNESS/boot.sh" --mode xen --kernel "$k" --stats on \
		--icount --trace --append "$bench" --name "trace-xen-$k" $quiet
done
for r in $(seq "$runs"); do
	n=$(boot_name icount-xen-series-calls "$r")
	timed "$n" "$HARNESS/boot.sh" --mode xen --kernel series --stats off --icount \
		--append "$bench $(bench_perturb "$r") pvperf.dom0bench=0 xen_inline_irq=off" \
		--name "$n" --quiet
done
for k in series nopv baseline; do
	for r in $(seq "$runs"); do
		n=$(boot_name "icount-native-$k" "$r")
		timed "$n" "$HARNESS/boot.sh" --mode native --kernel "$k" \
			--icount --append "$bench $(bench_perturb "$r")" --name "$n" --quiet
	done
done

echo
# The report also goes to out/report.txt, which the cover letter of
# 'make series' carries.
rc=0
report=$OUT/report.txt.tmp
echo "== report ($(cat "$OUT/upstream-version"), $(date -u '+%Y-%m-%d %H:%M UTC')," \
	"--runs $runs; QEMU -icount shift=0: guest ns = instructions)" >"$report"
python3 "$HARNESS/report.py" --logs "$OUT/logs" --json "$OUT/report.json" \
	--svg "$OUT/report.svg" --crosscheck >>"$report" 2>&1 || rc=$?
cat "$report"
mv "$report" "$OUT/report.txt"
echo
echo "wrote $OUT/report.txt, $OUT/report.json and $OUT/report.svg"
echo "stage times:"
printf '%s' "$summary"
echo "  total                      $(($(date +%s) - run_start))s"
[ "$rc" = 0 ] || die "the report found a problem (above)"
