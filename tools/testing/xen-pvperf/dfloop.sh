#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dfloop: the reproducer of the kernel run with the direction flag set
# (Documentation/xen/pvperf.rst, "Known problems"). For each kernel, one
# boot of Xen whose dom0 runs a PV domU of N vCPUs that runs the tree's
# selftests/x86 test_syscall_vdso_32 (32-bit system calls with every flag
# set, DF included, traced and untraced) RUNS times and counts the runs
# after which its kernel log has a new oops (pvperf.plan=dfloop). Xen
# 4.17.5 and later leave DF set on a SYSCALL into the guest kernel; the
# series clears it in its entry stubs, upstream runs on with it. Fails
# when the series oopses or a series boot fails; what the baseline does
# is reported as shared with upstream, not judged.
set -euo pipefail
STEP=dfloop
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: dfloop.sh [-h] [--kernel NAME]... [--runs N] [--vcpus N] [--single-thread]
  --kernel NAME    boot this kernel (series, baseline; default both)
  --runs N         runs of test_syscall_vdso_32 per boot (1-10000, default 200)
  --vcpus N        the domU's vCPUs (1-8, default 2)
  --single-thread  QEMU 7.2, one host thread for every vCPU (default:
                   QEMU 10's multi-threaded TCG, boot.sh --mttcg)
Prints each kernel's oopses per run and at which runs.
Logs: $OUT/logs/dfloop-KERNEL-VCPUS-mttcg|st.log.
EOF
}

kernels=""
runs=200
vcpus=2
mttcg=--mttcg
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) want_kernel "${2:-}"; shift ;;
	--runs)
		runs=$(number_arg --runs 1 10000 "${2-}") || exit 2
		shift
		;;
	--vcpus)
		vcpus=$(number_arg --vcpus 1 8 "${2-}") || exit 2
		shift
		;;
	--single-thread) mttcg="" ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
kernels=${kernels:-series baseline}

# shellcheck disable=SC2086 # the kernel names
"$HARNESS/build.sh" $(printf -- '--kernel %s ' $kernels)
# shellcheck disable=SC2086
"$HARNESS/rootfs.sh" $(printf -- '--kernel %s ' $kernels)
how="QEMU 10, multi-threaded TCG" tag=mttcg
[ -n "$mttcg" ] || { how="QEMU 7.2, one host thread"; tag=st; }
rc=0
summary=""
for k in $kernels; do
	name=dfloop-$k-$vcpus-$tag
	log "$k: test_syscall_vdso_32 $runs times in a domU of $vcpus vCPUs ($how)"
	brc=0
	"$HARNESS/boot.sh" --mode xen --kernel "$k" --name "$name" --quiet $mttcg \
		--append "pvperf.plan=dfloop pvperf.dfloop_n=$runs pvperf.domu_vcpus=$vcpus" \
		--append "kunit.enable=0 pvperf.timeout=$((runs * 30 + 600))" || brc=$?
	lines=$(tr -d '\r' <"$OUT/logs/$name.log" | sed -n 's/^\[domU\] PVPERF-DFLOOP domU //p')
	done_line=$(echo "$lines" | sed -n 's/^done //p')
	last=$(echo "$lines" | sed -n 's/^run=\([0-9]*\) .*/\1/p' | tail -n 1)
	at=$(echo "$lines" | sed -n 's/^run=\([0-9]*\) oops (exit.*/\1/p' | tr '\n' ' ')
	oopses=$(echo "$at" | wc -w)
	what="$k: $oopses oops(es) in"
	if [ -n "$done_line" ]; then
		what="$what $runs runs"
	else
		what="$what ${last:-0} runs, then no end (the domU stalled or died)"
	fi
	what="$what${at:+, at run ${at% }} ($vcpus vCPUs, $how)"
	summary="$summary$what"$'\n'
	if [ "$k" = baseline ]; then
		log "$what: shared with upstream, not judged"
	elif [ "$brc" != 0 ] || [ "$oopses" != 0 ] || [ -z "$done_line" ]; then
		log "FAIL $what (console: $OUT/logs/$name.log)"
		rc=1
	else
		log "$what"
	fi
done
printf '%s' "$summary" | tee "$OUT/dfloop-$vcpus-$tag.txt"
exit "$rc"
