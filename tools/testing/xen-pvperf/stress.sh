#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# stress: PV spinlocks under vCPU overcommit. Boots Xen with dom0 and a PV
# domU of more vCPUs than the machine has CPUs (QEMU -smp 2, no -icount),
# where the kernel's own locktorture takes spin locks from one writer per
# vCPU and one more, while a vCPU goes offline and online again now and
# then (rootfs/init, pvperf.plan=stress). Passes when locktorture ends in
# SUCCESS with no failed acquisition, every hotplug step worked, the
# stress left no soft lockup, hung task, RCU stall, BUG or WARNING in the
# kernel log and, for the series, PV lock waits blocked in Xen and were
# kicked (xen/spinlocks/). The KUnit suite xen_qspinlock runs in dom0 and
# in the domU first.
set -euo pipefail
STEP=stress
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: stress.sh [-h] [--kernel NAME] [--secs SECS] [--vcpus N] [--hotplug SECS]
  --kernel NAME   kernel of dom0 and the domU (default series; known: $KERNELS)
  --secs SECS     how long locktorture runs (default 600)
  --vcpus N       the domU's vCPUs, 2 to 8 (default 4, on 2 CPUs)
  --hotplug SECS  a vCPU offline and back online every SECS seconds
                  (default 30; 0: never)
  --name NAME     log name (default stress-KERNEL)
Builds the kernel and the images when needed. Log: $OUT/logs/NAME.log.
EOF
}

kernel=series
secs=600
vcpus=4
hot=30
name=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) check_kernel_name "${2-}"; kernel=$2; shift ;;
	--secs)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] ||
			usage_error "--secs needs a positive number of seconds"
		secs=$2
		shift
		;;
	--vcpus)
		vcpus=$(number_arg --vcpus 2 8 "${2-}") || exit 2
		shift
		;;
	--hotplug)
		[ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] ||
			usage_error "--hotplug needs a number of seconds (0: never)"
		hot=$2
		shift
		;;
	--name) [ $# -ge 2 ] || usage_error "--name needs a name"; name=$2; shift ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
name=${name:-stress-$kernel}

"$HARNESS/build.sh" --kernel "$kernel"
"$HARNESS/rootfs.sh" --kernel "$kernel"
log "$kernel: locktorture for ${secs}s in a domU of $vcpus vCPUs on 2 CPUs (hotplug every ${hot}s)"
rc=0
"$HARNESS/boot.sh" --mode xen --kernel "$kernel" --name "$name" --quiet \
	--append "pvperf.plan=stress pvperf.domu_vcpus=$vcpus pvperf.stress_secs=$secs" \
	--append "pvperf.stress_hotplug=$hot pvperf.timeout=$((secs + 900))" \
	--append "kunit.filter_glob=xen_qspinlock" ||
	rc=$?

logs=$OUT/logs/$name
echo "== checks ($kernel)"
sed 's/^/  /' "$logs.results"
if [ -s "$logs.stress" ]; then
	echo "== locktorture ($kernel)"
	sed 's/^/  /' "$logs.stress"
fi
if grep -q ' spinlocks/' "$logs.stats" 2>/dev/null; then
	echo "== xen/spinlocks after the stress ($kernel)"
	awk '$2 ~ /^spinlocks\// { printf "  %-5s %-30s %s\n", $1, $2, $3 }' "$logs.stats"
fi
[ "$rc" = 0 ] || exit "$rc"
log "passed: $(grep -c '^ok' "$logs.results") checks ok"
