#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lifecycle: dom0 at work. For the series and the baseline, one boot of
# Xen with dom0 running the domU's life (pvperf.plan=lifecycle in
# rootfs/init): xl create of a 256 MiB PV domU of two vCPUs running pvlife,
# xl save and xl restore (twice), pause and unpause, vcpu-set down and up,
# shutdown; the domU goes on after each step with its memory intact, and
# no kernel log has a BUG, WARNING or lockup. Then a second boot, on Xen
# built with shadow paging (xen-shadow.sh), migrates such a domU to
# localhost (--migrations N: N such boots, the table takes each count's
# median). xentrace in dom0 counts dom0's entries into Xen in each xl
# command. Both boots run QEMU 10's multi-threaded TCG (boot.sh --mttcg):
# the domU's two vCPUs and dom0's really run at once. Prints the table;
# writes out/lifecycle.txt, out/lifecycle.json and out/lifecycle.svg.
set -euo pipefail
STEP=lifecycle
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: lifecycle.sh [-h] [--kernel NAME]... [--cycles N] [--migrations N] [--no-migrate]
                    [--single-thread] [--table-only]
  --kernel NAME  boot this kernel (series, baseline; default both)
  --cycles N     save and restore cycles (1-9, default 2)
  --migrations N boots that migrate the domU, per kernel (1-9, default 3; on
                 Xen built with shadow paging by xen-shadow.sh): the table
                 takes the median of each count, and lists each boot's
  --no-migrate   no boot that migrates the domU
  --single-thread  QEMU 7.2 with one host thread for every vCPU (default:
                 QEMU 10's multi-threaded TCG, boot.sh --mttcg)
  --table-only   no build, no boot: the table of the logs already there
Fails when a boot fails one of its checks. Logs: $OUT/logs/lifecycle-*.
EOF
}

kernels=""
cycles=2
migrations=3
boot=1
migrate=1
mttcg=--mttcg
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel)
		want_kernel "${2:-}"
		shift
		;;
	--cycles)
		cycles=$(number_arg --cycles 1 9 "${2-}") || exit 2
		shift
		;;
	--migrations)
		migrations=$(number_arg --migrations 1 9 "${2-}") || exit 2
		shift
		;;
	--table-only) boot=0 ;;
	--no-migrate) migrate=0 ;;
	--single-thread) mttcg="" ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
kernels=${kernels:-series baseline}

rc=0
if [ "$boot" = 1 ]; then
	# shellcheck disable=SC2086 # the kernel names
	"$HARNESS/build.sh" $(printf -- '--kernel %s ' $kernels)
	# shellcheck disable=SC2086
	"$HARNESS/rootfs.sh" $(printf -- '--kernel %s ' $kernels)
	for k in $kernels; do
		rm -f "$OUT/logs/lifecycle-$k".*
		log "$k: dom0 creates, saves, restores, pauses, shrinks and shuts down a domU"
		"$HARNESS/boot.sh" --mode xen --kernel "$k" --stats on --trace $mttcg \
			--append "pvperf.plan=lifecycle pvperf.life_cycles=$cycles kunit.enable=0" \
			--name "lifecycle-$k" --quiet || rc=1
		[ "$migrate" = 1 ] || continue
		rm -f "$OUT/logs/lifecycle-migrate"[2-9]"-$k".*
		for i in $(seq 1 "$migrations"); do
			log "$k: dom0 migrates the domU to localhost (Xen with shadow paging)," \
				"boot $i of $migrations"
			[ "$i" = 1 ] && i=""
			"$HARNESS/boot.sh" --mode xen --kernel "$k" --stats on --trace \
				--shadow-xen $mttcg --name "lifecycle-migrate$i-$k" --quiet \
				--append "pvperf.plan=lifecycle pvperf.life_migrate=1" \
				--append "kunit.enable=0" || rc=1
		done
	done
fi

# shellcheck disable=SC2086
python3 - "$OUT" $kernels <<'EOF' >"$OUT/lifecycle.txt" || rc=1
import collections, json, os, statistics, sys

out, kernels = sys.argv[1], sys.argv[2:]
logs = os.path.join(out, "logs")
MIB = 256  # the domU's memory
COLS = ("entries", "hypercalls", "ptwr", "hc.1", "hc.26")


def fail(msg):
    sys.exit("xen-pvperf: lifecycle: error: " + msg)


# One boot: (step, tag) in order, dom0's counts per tag, and per step the
# series' xen/mmu counts and its PTE-writing callers, (count, function+off).
Boot = collections.namedtuple("Boot", "order counts mmu callers")


def steps(k, name="lifecycle-", only=None):
    """The Boot of one boot's logs; with ONLY, of that step alone, and None
    when the boot left no log."""
    base = os.path.join(logs, name + k)
    if not os.path.exists(base + ".log"):
        if only:
            return None
        fail("no log of the %s boot (%s.log): run lifecycle.sh" % (k, base))
    order, mmu_b, callers_b = [], {}, {}
    with open(base + ".log", errors="replace") as f:
        for line in f:
            line = line.strip("\r\n")
            if line.startswith("PVPERF-LIFE "):
                d = dict(w.split("=", 1) for w in line.split()[1:])
                if not only or d["step"] == only:
                    order.append((d["step"], int(d["tag"])))
            elif line.startswith("PVPERF-LIFECALLER dom0 "):
                d = dict(w.split("=", 1) for w in line.split()[2:])
                if not only or d["step"] == only:
                    callers_b.setdefault(d["step"], []).append(
                        (int(d["count"]), d["caller"].split("/")[0]))
            elif line.startswith("PVPERF-LIFESTAT dom0 "):
                d = dict(w.split("=", 1) for w in line.split()[2:])
                step = d.pop("step")
                if not only or step == only:
                    mmu_b[step] = {n: int(v) for n, v in d.items()}
    counts = {}
    if os.path.exists(base + ".xen"):
        with open(base + ".xen") as f:
            for line in f:
                w = line.split()
                if not w or w[0] != "dom0":
                    continue
                d = dict(x.split("=", 1) for x in w[1:])
                counts[int(d["tag"])] = {c: int(d.get(c, 0)) for c in COLS}
    return Boot(order, counts, mmu_b, callers_b)


def median_of(dicts):
    """Each key's median (the lower middle one of an even number) over
    the dicts that have it."""
    return {key: statistics.median_low([d[key] for d in dicts if key in d])
            for key in set().union(*dicts)}


records = []
per = {}
mmu = {}
callers = {}
migrations = {}  # kernel: the migration's entries in each boot
for k in kernels:
    order, counts, mmu_b, callers_b = steps(k)
    if not order:
        fail("the %s boot ran no lifecycle step (lifecycle-%s.log)" % (k, k))
    mmu.update({(k, s): m for s, m in mmu_b.items()})
    callers.update({(k, s): c for s, c in callers_b.items()})
    # The migration, from boots of its own (Xen with shadow paging):
    # lifecycle-migrate-K, lifecycle-migrate2-K, ...; each count is the
    # median over those boots, the callers those of the first.
    boots = [steps(k, "lifecycle-migrate%s-" % (i if i > 1 else ""), "migrate")
             for i in range(1, 10)]
    boots = [b for b in boots if b and b.order]
    morder = boots[0].order if boots else []
    mcounts = {}
    for _, t in morder:
        have = [b.counts[t] for b in boots if t in b.counts]
        if have:
            mcounts[t] = median_of(have)
            migrations[k] = [c["entries"] for c in have]
    mmu_m = [b.mmu["migrate"] for b in boots if "migrate" in b.mmu]
    if mmu_m:
        mmu[(k, "migrate")] = median_of(mmu_m)
    if boots and "migrate" in boots[0].callers:
        callers[(k, "migrate")] = boots[0].callers["migrate"]
    order = [(s, (0, t)) for s, t in order] + [(s, (1, t)) for s, t in morder]
    counts = {(0, t): c for t, c in counts.items()}
    counts.update({(1, t): c for t, c in mcounts.items()})
    for step, tag in order:
        c = counts.get(tag)
        if c is None:
            continue  # a step that failed before its end marker
        rec = {"kernel": k, "step": step, "tag": tag[1], "domu_mib": MIB}
        rec.update({c2.replace("hc.", "hypercall_"): v for c2, v in c.items()})
        rec["entries_per_mib"] = c["entries"] / MIB
        if step == "migrate":
            rec["boots"] = len(migrations.get(k, []))
        records.append(rec)
        per[(k, step)] = rec

for r in records:
    c = callers.get((r["kernel"], r["step"]))
    if c:
        r["pte_hypercall_callers"] = {f: n for n, f in c}

with open(os.path.join(out, "lifecycle.json"), "w") as f:
    json.dump(records, f, indent=1)

names = []
for r in records:
    if r["step"] not in names:
        names.append(r["step"])
print("== dom0's entries into Xen per xl command (xentrace, dom0's alone), 256 MiB PV domU")
print("%-10s %-9s %10s %10s %9s %10s %10s %12s" % (
    "step", "kernel", "entries", "hcalls", "ptwr", "mmu_update", "mmuext", "entries/MiB"))
for s in names:
    for k in kernels:
        r = per.get((k, s))
        if r:
            print("%-10s %-9s %10d %10d %9d %10d %10d %12.1f" % (
                s, k, r["entries"], r["hypercalls"], r["ptwr"], r["hypercall_1"],
                r["hypercall_26"], r["entries_per_mib"]))
    if len(kernels) > 1 and all((k, s) in per for k in ("series", "baseline")):
        a, b = per[("series", s)], per[("baseline", s)]
        print("%-10s %-9s %10.3f %10s %9s %10.3f" % (
            "", "ratio", a["entries"] / max(b["entries"], 1), "", "",
            a["hypercall_1"] / max(b["hypercall_1"], 1)))

if any(len(v) > 1 for v in migrations.values()):
    print("migrate: the median of each count over %s; dom0's entries in each boot: %s" % (
        ", ".join("%d %s boots" % (len(migrations[k]), k) for k in kernels if k in migrations),
        "; ".join("%s %s" % (k, " ".join(str(e) for e in migrations[k]))
                  for k in kernels if k in migrations)))

# What the series' own xen/mmu counters moved over each step.
MMU = ("pte_hypercall", "pte_batched", "pte_clear", "pte_clear_trapped",
       "mmu_update_hypercalls", "remap_hypercalls", "remap_ptes")
if any(k == "series" for k, _ in mmu):
    print()
    print("== the series dom0's xen/mmu counters per xl command")
    print("%-10s" % "step" + "".join(" %11s" % n[:11] for n in MMU))
    for s in names:
        m = mmu.get(("series", s))
        if m is not None:
            print("%-10s" % s + "".join(" %11d" % m.get(n, 0) for n in MMU))
    print("(columns: " + ", ".join(MMU) + ")")

# Who wrote those pte_hypercall PTEs (xen/mmu/pte_hypercall_callers).
if any(k == "series" for k, _ in callers):
    print()
    print("== the series dom0's PTE writes issued alone (pte_hypercall), by caller, per xl command")
    for s in names:
        c = callers.get(("series", s))
        if c:
            c = sorted(c, reverse=True)
            print("%-10s " % s + ", ".join("%s %d" % (f, n) for n, f in c[:6])
                  + (", the rest %d" % sum(n for n, _ in c[6:]) if len(c) > 6 else ""))

# The chart: entries/MiB per step, one bar per kernel.
W, H, left, top = 640, 300, 60, 30
vals = [r["entries_per_mib"] for r in records] or [1]
top_v = max(vals)
bw = (W - left - 20) / max(len(names), 1)
colors = {"series": "#2a6fdb", "baseline": "#999999"}
svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (W, H + 60),
       '<text x="%d" y="18" font-size="13">%s</text>'
       % (left, "dom0 entries into Xen per MiB of domU, per xl command")]
for i, s in enumerate(names):
    for j, k in enumerate(kernels):
        r = per.get((k, s))
        if not r:
            continue
        h = (H - top) * r["entries_per_mib"] / top_v
        x = left + i * bw + j * bw / (len(kernels) + 1)
        svg.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>' % (
            x, H - h, bw / (len(kernels) + 1), h, colors.get(k, "#444")))
    svg.append('<text x="%.1f" y="%d" font-size="11">%s</text>' % (left + i * bw, H + 16, s))
for j, k in enumerate(kernels):
    svg.append('<text x="%d" y="%d" font-size="11" fill="%s">%s</text>' % (
        left + 90 * j, H + 40, colors.get(k, "#444"), k))
svg.append("</svg>")
with open(os.path.join(out, "lifecycle.svg"), "w") as f:
    f.write("\n".join(svg) + "\n")
EOF
cat "$OUT/lifecycle.txt"
[ "$rc" = 0 ] || die "a lifecycle boot failed a check or the table could not be made" \
	"(logs: $OUT/logs/lifecycle-*)"
