#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# torture: the dirty-bit torture of the PTE clears (Documentation/xen/
# pv-mmu.rst, "PTE clears"). Boots Xen with dom0 and a PV domU of two
# vCPUs under QEMU 10's multi-threaded TCG (both vCPUs really run at once)
# and runs pvdirty's two tortures there for SECS seconds (rootfs/init,
# pvperf.plan=torture): writers store into MAP_SHARED pages of a file on
# ext2 on a RAM disk while other threads zap their PTEs, the file read
# back from the disk every 5 s; and a writer stores into MADV_FREE pages
# while another thread reclaims them. Passes when no write was lost, the
# read-backs came from the disk and reclaim discarded pages.
# --expect-loss turns it round, for a kernel booted with a wrong mode
# (--pte-clear all): it passes when the torture caught a lost write.
set -euo pipefail
STEP=torture
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: torture.sh [-h] [--kernel NAME] [--secs SECS] [--pte-clear MODE]
                  [--expect-loss] [--single-thread] [--name NAME]
  --kernel NAME      kernel of dom0 and the domU (default series; known: $KERNELS)
  --secs SECS        how long the tortures run (10-86400, default 600)
  --pte-clear MODE   boot with xen_pte_clear=MODE (safe, all or trap)
  --expect-loss      pass only when a write was lost (a wrong MODE must be caught)
  --single-thread    QEMU 7.2, one host thread for every vCPU (no --mttcg)
  --name NAME        log name (default torture-KERNEL[-MODE])
Builds the kernel and the images when needed. Log: $OUT/logs/NAME.log.
EOF
}

kernel=series
secs=600
mode=""
expect_loss=0
mttcg=--mttcg
name=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) check_kernel_name "${2-}"; kernel=$2; shift ;;
	--secs)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] && [ "$2" -ge 10 ] &&
			[ "$2" -le 86400 ] ||
			usage_error "--secs needs a number of seconds from 10 to 86400"
		secs=$2
		shift
		;;
	--pte-clear)
		case "${2-}" in
		safe | all | trap) mode=$2 ;;
		*) usage_error "--pte-clear needs safe, all or trap" ;;
		esac
		shift
		;;
	--expect-loss) expect_loss=1 ;;
	--single-thread) mttcg="" ;;
	--name) [ $# -ge 2 ] || usage_error "--name needs a name"; name=$2; shift ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
[ -z "$mode" ] || [ "$kernel" = series ] ||
	usage_error "--pte-clear is the series' parameter; the $kernel kernel has none"
name=${name:-torture-$kernel${mode:+-$mode}}

"$HARNESS/build.sh" --kernel "$kernel"
"$HARNESS/rootfs.sh" --kernel "$kernel"
how="QEMU 10, multi-threaded TCG"
[ -n "$mttcg" ] || how="QEMU 7.2, one host thread"
log "$kernel${mode:+ (xen_pte_clear=$mode)}: pvdirty for ${secs}s in a domU of 2 vCPUs ($how)"
args=(--mode xen --kernel "$kernel" --name "$name" --quiet $mttcg
	--append "pvperf.plan=torture pvperf.domu_vcpus=2 pvperf.torture_secs=$secs"
	--append "pvperf.timeout=$((secs + 900))")
[ -z "$mode" ] || args+=(--append "xen_pte_clear=$mode")
rc=0
if [ "$expect_loss" = 1 ]; then
	"$HARNESS/boot.sh" "${args[@]}" 2>"$OUT/logs/$name.stderr" || rc=$?
else
	"$HARNESS/boot.sh" "${args[@]}" || rc=$?
fi

logs=$OUT/logs/$name
echo "== checks ($kernel${mode:+, xen_pte_clear=$mode})"
sed 's/^/  /' "$logs.results"
echo "== pvdirty ($kernel${mode:+, xen_pte_clear=$mode})"
tr -d '\r' <"$logs.log" | sed -n 's/^\[domU\] PVPERF-TORTURE domU /  /p'
tr -d '\r' <"$logs.log" | sed -n 's/^\[domU\] \(PVDIRTY \(FAIL\|ERROR\) .*\)/  \1/p'
if grep -q ' mmu/pte_clear' "$logs.stats" 2>/dev/null; then
	echo "== xen/mmu clears in the domU ($kernel)"
	awk '$1 == "domU" && $2 ~ /^mmu\/pte_clear/ { printf "  %-30s %s\n", $2, $3 }' "$logs.stats"
fi
if [ "$expect_loss" = 1 ]; then
	lost=$(grep -cE '^FAIL domU torture-(file|free)-no-lost-write ' "$logs.results" || true)
	other=$(grep '^FAIL' "$logs.results" |
		grep -vE '^FAIL domU torture-(file|free)-no-lost-write ' || true)
	[ -z "$other" ] ||
		die "the boot failed otherwise than by a lost write: $(echo "$other" | head -n 1)" \
			"(console: $logs.log)"
	[ "$lost" -gt 0 ] ||
		die "no write lost in ${secs}s with xen_pte_clear=${mode:-safe}:" \
			"the torture did not catch it"
	log "passed: the torture caught ${mode:+xen_pte_clear=$mode losing }$lost kind(s) of write"
	exit 0
fi
[ "$rc" = 0 ] || exit "$rc"
log "passed: $(grep -c '^ok' "$logs.results") checks ok, no write lost in ${secs}s"
