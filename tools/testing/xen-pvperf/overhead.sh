#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# overhead: what the debugfs statistics cost, in instructions per operation.
# Boots under QEMU with -icount shift=0,sleep=off (the guest clock advances
# one nanosecond per instruction the machine executes, Xen included) and
# runs pvbench in a PV domU with:
#   nodebugfs   the series built without CONFIG_XEN_DEBUG_FS
#   control     the same with a larger printk buffer: no other code runs,
#               but image and memory are laid out differently, which alone
#               moves instructions/op; its ratio to nodebugfs is the noise
#               floor of comparing two builds
#   stats-off   the series with the statistics compiled in, counting off
#   stats-on    the same kernel, counting on (xen_pvstats=on)
# Prints instructions/op and the ratios; writes out/stats-overhead.txt.
set -euo pipefail
STEP=overhead
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: overhead.sh [-h] [--runs N] [--table-only]
  --runs N       boots per configuration (default 5), each in its own guest
                 state (pvperf.perturb); the table takes the
                 mean per op over the runs of a configuration
  --table-only   no build, no boot: the table of the logs already there
Builds the nodebugfs kernel when needed. Logs: $OUT/logs/overhead-*.
EOF
}

runs=5
boot=1
table_flags "$@"

configs="nodebugfs:nodebugfs:off control:control:off stats-off:series:off stats-on:series:on"
if [ "$boot" = 1 ]; then
	"$HARNESS/build.sh" --kernel series --kernel nodebugfs --kernel control
	"$HARNESS/rootfs.sh" --kernel series --kernel nodebugfs --kernel control
	# Only this run's figures make the table.
	rm -f "$OUT"/logs/overhead-*
	for c in $configs; do
		IFS=: read -r cname kernel stats <<<"$c"
		for r in $(seq "$runs"); do
			log "$cname, run $r of $runs"
			"$HARNESS/boot.sh" --mode xen --kernel "$kernel" --stats "$stats" --icount \
				--append "$BENCH_ARGS $(bench_perturb "$r") pvperf.dom0bench=0" \
				--name "overhead-$cname-$r" --quiet
		done
	done
fi
runs=$(find "$OUT/logs" -name 'overhead-stats-on-*.bench' | wc -l)

# Instructions/op per configuration and op over the runs (report.py's
# over_boots: the mean).
table=$OUT/stats-overhead.txt
python3 - "$OUT/logs" "$configs" "$HARNESS" >"$table.tmp" <<'EOF'
import glob, os, sys

logs, configs = sys.argv[1], [c.split(":")[0] for c in sys.argv[2].split()]
sys.path.insert(0, sys.argv[3])
from report import Bad, boot_figures, over_boots

figs = {}
try:
    for c in configs:
        paths = glob.glob(os.path.join(logs, "overhead-%s-*.bench" % c))
        for op, f in boot_figures(paths, "domU").items():
            figs.setdefault(op, {})[c] = f
except Bad as e:
    sys.exit("xen-pvperf: overhead: error: %s" % e)
for op in sorted(figs):
    a, k, b, c = (over_boots(figs[op][n]) if figs[op].get(n) else 0 for n in configs)
    print("%-16s %12.2f %12.2f %12.2f %12.2f %9.4f %9.4f %9.4f %9.4f" % (
        op, a, k, b, c, k / a if a else 0, b / a if a else 0, c / a if a else 0,
        c / b if b else 0))
EOF
{
	echo "# instructions per op (QEMU -icount shift=0: guest ns = instructions),"
	echo "# mean of $runs run(s), PV domU, $(cat "$OUT/upstream-version")"
	printf "%-16s %12s %12s %12s %12s %9s %9s %9s %9s\n" "op (domU)" nodebugfs \
		control stats-off stats-on ctl/nodbg off/nodbg on/nodbg on/off
	cat "$table.tmp"
} >"$table"
rm -f "$table.tmp"
# What one op moved, from the series' own counters (first stats-on run).
st=$OUT/logs/overhead-stats-on-1.benchstat
if [ -s "$st" ]; then
	{
		echo
		echo "# per op in the domU, from the series' counters" \
			"(pvbench -d, over the batches)"
		printf "%-16s %10s %10s %10s %10s %10s\n" op hcall_dir hcall_mc mmu_upd_hc \
			mc_batches load_tls
		awk '$1 == "domU" { v[$2 " " $3] = $4 / $5; ops[$2] = 1 }
		END {
			for (op in ops)
				printf "%-16s %10.2f %10.2f %10.2f %10.2f %10.2f\n", op,
					v[op " hypercalls/direct"],
					v[op " hypercalls/in_multicall"],
					v[op " mmu/mmu_update_hypercalls"],
					v[op " multicalls/batches"], v[op " tls/load_tls"]
		}' "$st" | sort
	} >>"$table"
fi
cat "$table"
