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
#   icount-native-K   series and nopv without Xen, instructions/op
# and print the report (report.py): a table per guest, out/report.json,
# out/report.svg, and the cross-check of xentrace against the statistics.
set -euo pipefail
STEP=run
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: run.sh [-h] [--ops OP,OP...]
  --ops OP,...   run only these benchmarks (default: all; see pvbench --help)
Stages: setup, apply, build, rootfs, 6 boots, report. Logs: $OUT/logs.
Environment: LMBENCH_DIR=<folder of static lmbench binaries> adds
lat_syscall, lat_ctx, lat_pipe, lat_sig, lat_pagefault, lat_mmap and
lat_proc to the benchmarks (instructions/op only).
EOF
}

ops=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
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
known=$(sed -n '/^BENCH_OPS="/,/"$/p' "$HARNESS/rootfs/init" | grep -oE '[a-z0-9_]+:' | tr -d : | tr '\n' ' ')
for o in ${ops//,/ }; do
	case " $known" in
	*" $o "*) ;;
	*) usage_error "--ops: unknown benchmark '$o' (known: $known)" ;;
	esac
done
# ',' separates QEMU's -initrd modules: the guests take '+'.
bench="pvperf.plan=bench${ops:+ pvperf.ops=${ops//,/+}}"

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
for k in series baseline; do
	timed "icount xen $k" "$HARNESS/boot.sh" --mode xen --kernel "$k" --stats off \
		--icount --append "$bench" --name "icount-xen-$k" --quiet
	# The series' statistics and debugfs listing are printed once, here.
	quiet=--quiet
	[ "$k" = series ] && quiet=""
	timed "trace xen $k" "$HARNESS/boot.sh" --mode xen --kernel "$k" --stats on \
		--icount --trace --append "$bench" --name "trace-xen-$k" $quiet
done
for k in series nopv; do
	timed "icount native $k" "$HARNESS/boot.sh" --mode native --kernel "$k" \
		--icount --append "$bench" --name "icount-native-$k" --quiet
done

echo
echo "== report ($(cat "$OUT/upstream-version"); QEMU -icount shift=0: guest ns = instructions)"
rc=0
python3 "$HARNESS/report.py" --logs "$OUT/logs" --json "$OUT/report.json" \
	--svg "$OUT/report.svg" --crosscheck || rc=$?
echo
echo "wrote $OUT/report.json and $OUT/report.svg"
echo "stage times:"
printf '%s' "$summary"
echo "  total                      $(($(date +%s) - run_start))s"
[ "$rc" = 0 ] || die "the report found a problem (above)"
