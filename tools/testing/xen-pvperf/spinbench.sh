#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# spinbench: what PV spinlocks do to spin_contended (threads waking one
# futex, all on its hash-bucket spin lock) in a PV domU of two vCPUs on one
# CPU, where Xen deschedules lock holders: the series and the baseline,
# each with PV spinlocks and with nopvspin. Instructions/op from boots
# under -icount (mean of --runs), entries into Xen/op from one boot
# with xentrace. Prints the table; writes out/spinbench.txt.
set -euo pipefail
STEP=spinbench
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: spinbench.sh [-h] [--runs N] [--table-only]
  --runs N       -icount boots per configuration (default 3)
  --table-only   no build, no boot: the table of the logs already there
Logs: $OUT/logs/spinbench-*.
EOF
}

runs=3
boot=1
table_flags "$@"

configs="series-pv:series: series-nopvspin:series:nopvspin"
configs+=" baseline-pv:baseline: baseline-nopvspin:baseline:nopvspin"
args="$BENCH_ARGS pvperf.dom0bench=0 pvperf.domu_vcpus=2"
args+=" pvperf.ops=calibrate+spin_contended"
if [ "$boot" = 1 ]; then
	"$HARNESS/build.sh" --kernel series --kernel baseline
	"$HARNESS/rootfs.sh" --kernel series --kernel baseline
	rm -f "$OUT"/logs/spinbench-*
	for c in $configs; do
		IFS=: read -r cname kernel extra <<<"$c"
		for r in $(seq "$runs"); do
			log "$cname: -icount boot $r of $runs"
			"$HARNESS/boot.sh" --mode xen --kernel "$kernel" --stats off --icount \
				--append "$args $extra $(bench_perturb "$r")" \
				--name "spinbench-$cname-$r" --quiet
		done
		log "$cname: xentrace boot"
		"$HARNESS/boot.sh" --mode xen --kernel "$kernel" --stats on --icount --trace \
			--append "$args $extra" --name "spinbench-$cname-trace" --quiet
	done
fi

python3 - "$OUT/logs" "$configs" "$HARNESS" <<'EOF' | tee "$OUT/spinbench.txt"
import glob, os, sys

logs, configs = sys.argv[1], [c.split(":")[0] for c in sys.argv[2].split()]
sys.path.insert(0, sys.argv[3])
from report import Bad, boot_figures, over_boots


def rows(path):
    with open(path) as f:
        return [l.split() for l in f if l.strip()]


def instr(cname):
    paths = glob.glob(os.path.join(logs, "spinbench-%s-[0-9]*.bench" % cname))
    try:
        figs = boot_figures(paths, "domU").get("spin_contended", [])
    except Bad as e:
        sys.exit("xen-pvperf: spinbench: error: %s" % e)
    return (over_boots(figs) if figs else None), len(figs)


def entries(cname):
    b = os.path.join(logs, "spinbench-%s-trace" % cname)
    if not os.path.exists(b + ".bench"):
        return None, None
    tag = ops = None
    for r in rows(b + ".bench"):
        if r[0] == "domU" and r[1] == "spin_contended":
            tag, ops = int(r[2]), int(r[3])
    stats = {}
    for r in rows(b + ".benchstat") if os.path.exists(b + ".benchstat") else []:
        if r[0] == "domU" and r[1] == "spin_contended" and r[2].startswith("spinlocks/"):
            stats[r[2][10:]] = int(r[3]) / int(r[4])
    for r in rows(b + ".xen"):
        d = dict(w.split("=", 1) for w in r[1:])
        if r[0] == "domU" and tag is not None and int(d["tag"]) == tag:
            return int(d["entries"]) / ops, stats
    sys.exit("xen-pvperf: spinbench: error: no xentrace window of spin_contended in %s.xen" % b)


print("== spin_contended in a PV domU of 2 vCPUs on 1 CPU (4 threads, one op = one FUTEX_WAKE)")
print("%-20s %14s %6s %14s  %s" % ("config", "instr/op", "boots", "entries/op",
                                   "xen/spinlocks per op (traced boot)"))
base = {}
for c in configs:
    i, n = instr(c)
    e, st = entries(c)
    if i is None:
        sys.exit("xen-pvperf: spinbench: error: no spin_contended figure for %s in %s" % (c, logs))
    base[c] = i
    s = " ".join("%s=%.3f" % (k, v) for k, v in sorted((st or {}).items()) if v)
    print("%-20s %14.2f %6d %14s  %s" % (c, i, n, "-" if e is None else "%.3f" % e, s or "-"))
print()
for a, b in (("series-pv", "baseline-pv"), ("series-nopvspin", "baseline-nopvspin"),
             ("series-pv", "series-nopvspin"), ("baseline-pv", "baseline-nopvspin")):
    print("instr/op %-17s / %-17s %.4f" % (a, b, base[a] / base[b]))
EOF
