#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report: the per-op report of xen-pvperf from the logs of its boots.

usage: report.py [--logs DIR] [--json FILE] [--svg FILE] [--gate] [--crosscheck]

Reads, in DIR (default out/logs), what boot.sh wrote for these runs (a
missing run leaves its columns empty):
  icount-xen-series, icount-xen-baseline     instructions/op, domU and dom0
  icount-native-series, icount-native-nopv,  instructions/op, native
  icount-native-baseline
  icount-xen-series-calls                    the series booted with
                                             xen_inline_irq=off: its
                                             irq-flag sites call
  trace-xen-series, trace-xen-baseline       entries into Xen/op (xentrace)
                                             and, for the series, its stats
An icount run booted more than once (run.sh --runs N) has its further
boots in NAME-2, NAME-3, ...: instructions/op is the mean of an op's
figures over them (each boot is one guest state: pvperf.perturb).
Prints a table per guest; writes the records as JSON and a chart of
series/baseline per op as SVG.

--gate        fail (exit 1) when an op in the domU enters Xen more often
              under the series than under the baseline, beyond the
              tolerance: series <= baseline * (1 + 2%) + 0.5 per op
              and when the series needs more than its limit of one
              hypercall: mprotect_1024 at most 4 mmu_update calls per op
              (direct or in a multicall, Xen's continuations of preempted
              ones left out; 2048 PTE updates per op), + 2% for the calls
              of other code in the same window; and when fork_exit_16m
              enters Xen more than half as often as under the baseline
              (+ 2%)
--crosscheck  fail when, in the series' traced run, the hypercalls xentrace
              saw (less Xen's continuations of preempted ones) and those
              the series counted in debugfs in the same window (less the
              two markers) differ, by hypercall number, beyond 4 per
              window + 0.5%; 12 for set_segment_base, of which a context
              switch at the window's edge carries 3 (iret, issued from
              assembly, is left out of the statistics by design and not
              compared)
Exit 2 on bad arguments; 1 when a run's records are malformed or missing
for an op another run has, naming the run and the op.
"""
import json
import os
import statistics
import sys

GATE_REL, GATE_ABS = 0.02, 0.5
XCHK_REL, XCHK_ABS = 0.005, 4
# Calls of one number a single event at a window's edge carries: a context
# switch queues three set_segment_base (FS base, %gs selector twice).
XCHK_EDGE_CALLS = {25: 3}
MARKER_NR, MARKERS = 24, 2      # pvbench -m's two vcpu_op markers
NOT_COUNTED = {23: "iret"}
OPS_ORDER = ["calibrate", "null_syscall", "ctx_pipe", "ctx_n", "signal", "pagefault_anon",
             "pagefault_file", "mmap_munmap", "mprotect_1024", "fork_exit_16m",
             "fork_exec", "tls_switch", "spin_contended", "mmperf"]


class Bad(Exception):
    pass


def lines(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [ln.split() for ln in f if ln.strip()]


def read_rows(path, run, what, parse):
    """{key: value} of parse(row) for each row of a log; None if none."""
    rows = lines(path)
    if rows is None:
        return None
    out = {}
    for r in rows:
        try:
            key, value = parse(r)
        except (IndexError, KeyError, ValueError):
            raise Bad("%s: malformed %s: %s" % (run, what, " ".join(r)))
        out[key] = value
    return out


def kv(words):
    d = {}
    for w in words:
        k, _, v = w.partition("=")
        d[k] = int(v) if v.isdigit() else v
    return d


def bench_row(r):
    """NAME.bench: role op tag ops ns_per_op [phase=ns ...]."""
    phases = {k: int(v) for k, v in (p.split("=") for p in r[5:])}
    return (r[0], r[1]), {"tag": int(r[2]), "ops": int(r[3]), "ns": float(r[4]),
                          "phases": phases}


def window_row(r):
    """NAME.xen: role tag=T entries=E ... (pvtrace's windows)."""
    d = kv(r[1:])
    return (r[0], int(d["tag"])), d


def read_bench(path, run):
    return read_rows(path, run, "benchmark line", bench_row)


def over_boots(values):
    """The figure of an op over the boots of one configuration: the mean.
    Boot N measures from its own guest state (pvperf.perturb=N-1, the
    same for every kernel), and some ops jump between two levels from
    state to state; the mean weighs each level by how often it came, the
    median would pick one (pvperf.rst, "Guest state")."""
    return round(statistics.fmean(values), 2)


def boot_figures(paths, role):
    """{op: [instructions/op of each boot]} of role's benchmark lines in
    the NAME.bench files at paths, one boot each (Bad if one is
    malformed)."""
    figs = {}
    for p in paths:
        run = os.path.basename(p)[:-len(".bench")]
        for (r, op), rec in (read_bench(p, run) or {}).items():
            if r == role:
                figs.setdefault(op, []).append(rec["ns"])
    return figs


def read_bench_boots(logs, name):
    """NAME.bench and its further boots NAME-2.bench, ...: per op the
    record of the first boot with its figure and those of its phases
    over_boots() of all, and "boots" the number read."""
    seen = {}
    n = 1
    while True:
        run = name if n == 1 else "%s-%d" % (name, n)
        recs = read_bench(os.path.join(logs, run + ".bench"), run)
        if recs is None:
            break
        for key, rec in recs.items():
            seen.setdefault(key, []).append(rec)
        n += 1
    if n == 1:
        return None
    out = {}
    for key, recs in seen.items():
        phases = {p: over_boots([r["phases"][p] for r in recs])
                  for p in recs[0]["phases"] if all(p in r["phases"] for r in recs)}
        out[key] = dict(recs[0], ns=over_boots([r["ns"] for r in recs]), phases=phases,
                        boots=len(recs))
    return out


def read_xen(path, run):
    return read_rows(path, run, "xentrace window", window_row)


def dbghc_row(r):
    """NAME.dbghc: role op tag NR=DIRECT+IN_MULTICALL ..."""
    calls = {}
    for w in r[3:]:
        nr, _, v = w.partition("=")
        d, _, m = v.partition("+")
        calls[int(nr)] = (int(d), int(m))
    return (r[0], r[1]), calls


def read_dbghc(path, run):
    return read_rows(path, run, "debugfs hypercall line", dbghc_row) or {}


def read_benchstat(path):
    """{(role, op): {stat: per_op}}: delta over the batches / ops, NAME.benchstat."""
    out = {}
    for r in lines(path) or []:
        if len(r) == 5 and int(r[4]):
            out.setdefault((r[0], r[1]), {})[r[2]] = round(int(r[3]) / int(r[4]), 3)
    return out


def per_op(n, ops):
    return round(n / ops, 3)


def build(logs):
    runs = {}
    for name in ("icount-xen-series", "icount-xen-baseline", "icount-xen-series-calls",
                 "icount-native-series", "icount-native-nopv", "icount-native-baseline",
                 "trace-xen-series", "trace-xen-baseline"):
        b = os.path.join(logs, name)
        if name.startswith("icount"):
            runs[name] = {"bench": read_bench_boots(logs, name)}
        else:
            runs[name] = {"bench": read_bench(b + ".bench", name)}
        if name.startswith("trace"):
            runs[name]["xen"] = read_xen(b + ".xen", name)
            runs[name]["dbghc"] = read_dbghc(b + ".dbghc", name)
            runs[name]["stats"] = read_benchstat(b + ".benchstat")
    records = []
    xen_kernels = ("series", "baseline", "series-calls")
    for guest, kernels in (("domU", xen_kernels), ("dom0", xen_kernels),
                           ("native", ("series", "nopv", "baseline"))):
        mode = "native" if guest == "native" else "xen"
        for kernel in kernels:
            ic = runs["icount-%s-%s" % (mode, kernel)]["bench"]
            tr = runs.get("trace-%s-%s" % (mode, kernel))
            ops = set()
            for src in (ic, tr and tr["bench"]):
                ops |= {op for (role, op) in (src or {}) if role == guest}
            for op in ops:
                rec = {"op": op, "guest": guest,
                       "kernel": "native-nopv" if kernel == "nopv" else kernel,
                       "instructions_per_op": None, "xen_entries_per_op": None,
                       "hypercalls_per_op": None}
                if ic and (guest, op) in ic:
                    rec["instructions_per_op"] = ic[(guest, op)]["ns"]
                    rec["icount_boots"] = ic[(guest, op)]["boots"]
                    if ic[(guest, op)]["phases"]:
                        rec["instructions_per_op_by_phase"] = ic[(guest, op)]["phases"]
                if guest == "native":
                    rec["xen_entries_per_op"] = 0
                    rec["hypercalls_per_op"] = 0
                elif tr and tr["bench"] and (guest, op) in tr["bench"] and \
                        tr["bench"][(guest, op)]["tag"]:
                    # tag 0: not framed by markers (lmbench), no entries
                    b = tr["bench"][(guest, op)]
                    w = (tr["xen"] or {}).get((guest, b["tag"]))
                    if w is None:
                        raise Bad("trace-%s-%s: no xentrace record of op %s in %s (tag %d): "
                                  "xentrace did not run or the markers never reached Xen"
                                  % (mode, kernel, op, guest, b["tag"]))
                    n = b["ops"]
                    rec["xen_entries_per_op"] = per_op(w["entries"], n)
                    rec["hypercalls_per_op"] = per_op(w["hypercalls"], n)
                    for k in ("subcalls", "ptwr", "privop", "traps", "pagefaults", "other",
                              "continuations"):
                        rec["%s_per_op" % k] = per_op(w.get(k, 0), n)
                    rec["hypercalls_by_nr_per_op"] = {
                        k[3:]: per_op(v, n) for k, v in w.items() if k.startswith("hc.")}
                    rec["multicall_subcalls_by_nr_per_op"] = {
                        k[3:]: per_op(v, n) for k, v in w.items() if k.startswith("sc.")}
                    # Xen's continuations of preempted calls, by number
                    # (ct. direct, cs. in multicalls): in the counts above.
                    rec["continuations_by_nr_per_op"] = {
                        k[3:]: per_op(v, n) for k, v in w.items() if k.startswith("ct.")}
                    rec["multicall_continuations_by_nr_per_op"] = {
                        k[3:]: per_op(v, n) for k, v in w.items() if k.startswith("cs.")}
                    st = tr["stats"].get((guest, op))
                    if st:
                        rec["stat_deltas_per_op"] = st
                records.append(rec)
    order = {op: i for i, op in enumerate(OPS_ORDER)}
    records.sort(key=lambda r: (r["guest"], order.get(r["op"], 99), r["op"], r["kernel"]))
    return runs, records


def fmt(v, width=12):
    if v is None:
        return "%*s" % (width, "-")
    if isinstance(v, float) and v != int(v):
        return "%*.2f" % (width, v)
    return "%*d" % (width, v)


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def table(records):
    idx = {(r["guest"], r["kernel"], r["op"]): r for r in records}
    out = []
    for guest, k1, k2 in (("domU", "series", "baseline"), ("dom0", "series", "baseline"),
                          ("native", "series", "native-nopv")):
        ops = sorted({r["op"] for r in records if r["guest"] == guest},
                     key=lambda o: (OPS_ORDER.index(o) if o in OPS_ORDER else 99, o))
        if not ops:
            continue
        out.append("")
        if guest == "native":
            out.append("== native: instructions/op (series booted natively vs native-nopv, CONFIG_PARAVIRT=n, "
                       "and vs the baseline booted natively)")
            out.append("%-16s %12s %12s %9s %12s %9s" % ("op", "series", "native-nopv", "ratio",
                                                        "baseline", "ratio"))
        else:
            out.append("== %s: instructions/op and entries into Xen/op (series vs baseline, upstream 6.1)" % guest)
            out.append("%-16s %12s %12s %7s  %10s %10s %7s  %9s %9s" % (
                "op", "instr series", "baseline", "ratio", "entries s.", "baseline",
                "ratio", "hcalls s.", "baseline"))
        for op in ops:
            a, b = idx.get((guest, k1, op), {}), idx.get((guest, k2, op), {})
            ia, ib = a.get("instructions_per_op"), b.get("instructions_per_op")
            ri = ratio(ia, ib)
            if guest == "native":
                ic = idx.get((guest, "baseline", op), {}).get("instructions_per_op")
                rc = ratio(ia, ic)
                out.append("%-16s %s %s %9s %s %9s" % (op, fmt(ia), fmt(ib), "%.3f" % ri if ri else "-",
                                                       fmt(ic), "%.4f" % rc if rc else "-"))
                continue
            ea, eb = a.get("xen_entries_per_op"), b.get("xen_entries_per_op")
            re_ = ratio(ea, eb)
            out.append("%-16s %s %s %7s  %s %s %7s  %s %s" % (
                op, fmt(ia), fmt(ib), "%.3f" % ri if ri else "-", fmt(ea, 10), fmt(eb, 10),
                "%.3f" % re_ if re_ else "-", fmt(a.get("hypercalls_per_op"), 9),
                fmt(b.get("hypercalls_per_op"), 9)))
    # The irq-flag bodies inline against the same kernel's direct calls.
    rows = []
    for op in OPS_ORDER:
        i = idx.get(("domU", "series", op), {}).get("instructions_per_op")
        c = idx.get(("domU", "series-calls", op), {}).get("instructions_per_op")
        b = idx.get(("domU", "baseline", op), {}).get("instructions_per_op")
        if c is not None:
            ric, rcb = ratio(i, c), ratio(c, b)
            rows.append("%-16s %s %s %9s %s %9s" % (
                op, fmt(i), fmt(c), "%.4f" % ric if ric else "-", fmt(b),
                "%.4f" % rcb if rcb else "-"))
    if rows:
        out.append("")
        out.append("== domU: instructions/op, irq-flag bodies inline (series) vs direct calls "
                   "(series, xen_inline_irq=off) vs baseline")
        out.append("%-16s %12s %12s %9s %12s %9s" % ("op", "inline", "calls", "ratio",
                                                    "baseline", "ratio"))
        out.extend(rows)
    # PV against native: the series' domU against the series natively and nopv.
    rows = []
    for op in OPS_ORDER:
        d = idx.get(("domU", "series", op), {}).get("instructions_per_op")
        n = idx.get(("native", "series", op), {}).get("instructions_per_op")
        p = idx.get(("native", "native-nopv", op), {}).get("instructions_per_op")
        if d is not None or n is not None:
            rows.append("%-16s %s %s %s %12s" % (
                op, fmt(d), fmt(n), fmt(p),
                "%.3f" % ratio(n - p, p) if n is not None and p else "-"))
    if rows:
        out.append("")
        out.append("== instructions/op: PV domU vs native (series), native-nopv; "
                   "(series-native - nopv) / nopv")
        out.append("%-16s %12s %12s %12s %12s" % ("op", "domU", "native", "native-nopv",
                                                  "pvops cost"))
        out.extend(rows)
    return "\n".join(out)


def svg(records):
    """Bars per op: series/baseline in the domU, instructions and entries."""
    idx = {(r["guest"], r["kernel"], r["op"]): r for r in records}
    ops = [op for op in OPS_ORDER if ("domU", "series", op) in idx]
    bars = []
    for op in ops:
        a, b = idx[("domU", "series", op)], idx.get(("domU", "baseline", op), {})
        bars.append((op, ratio(a.get("instructions_per_op"), b.get("instructions_per_op")),
                     ratio(a.get("xen_entries_per_op"), b.get("xen_entries_per_op"))))
    top = max([1.2] + [v for _, x, y in bars for v in (x, y) if v is not None])
    w, h, left, bottom, bw = 80 + 70 * len(bars), 360, 60, 300, 24
    y = lambda v: bottom - (v / top) * 260
    s = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (w, h),
         '<text x="%d" y="16" font-size="13">xen-pvperf: series / baseline per op in the PV domU '
         '(below 1 is better)</text>' % left,
         '<rect x="%d" y="24" width="10" height="10" fill="#4477aa"/><text x="%d" y="33">instructions/op</text>' % (left, left + 14),
         '<rect x="%d" y="24" width="10" height="10" fill="#ee6677"/><text x="%d" y="33">entries into Xen/op</text>' % (left + 120, left + 134),
         '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="black" stroke-dasharray="4"/>' % (left, y(1), w - 10, y(1)),
         '<text x="%d" y="%.1f" text-anchor="end">1.0</text>' % (left - 4, y(1) + 4),
         '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, bottom, w - 10, bottom)]
    for i, (op, ri, re_) in enumerate(bars):
        x = left + 10 + 70 * i
        for j, (v, colour) in enumerate(((ri, "#4477aa"), (re_, "#ee6677"))):
            if v is None:
                continue
            s.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %.3f</title></rect>'
                     % (x + j * bw, y(v), bw - 2, bottom - y(v), colour, op, v))
            s.append('<text x="%d" y="%.1f" font-size="9" text-anchor="middle">%.2f</text>'
                     % (x + j * bw + bw / 2, y(v) - 2, v))
        s.append('<text x="%d" y="%d" transform="rotate(30 %d %d)">%s</text>'
                 % (x, bottom + 14, x, bottom + 14, op))
    s.append("</svg>")
    return "\n".join(s) + "\n"


# Upper limits of the series, (op, hypercall number): calls per op.
SERIES_LIMITS = {("mprotect_1024", "1"): 4.0}
# Upper limits of the series' entries into Xen/op as a share of the baseline's.
SERIES_RATIOS = {"fork_exit_16m": 0.5}


def series_limits(idx):
    bad = []
    for (op, nr), limit in sorted(SERIES_LIMITS.items()):
        r = idx.get(("domU", "series", op))
        if r is None:
            continue
        # Calls issued: Xen's continuations of preempted ones left out.
        calls = sum((r.get(k) or {}).get(nr, 0) * sign for k, sign in (
            ("hypercalls_by_nr_per_op", 1), ("continuations_by_nr_per_op", -1),
            ("multicall_subcalls_by_nr_per_op", 1),
            ("multicall_continuations_by_nr_per_op", -1)))
        if calls > limit * (1 + GATE_REL):
            bad.append("%s: series issues hypercall %s %.2f times per op, limit %.1f (+%d%%)"
                       % (op, nr, calls, limit, GATE_REL * 100))
        else:
            print("gate ok: domU %-16s hypercall %s/op series %10.2f, limit %10.1f (+%d%%)"
                  % (op, nr, calls, limit, GATE_REL * 100))
    return bad


def series_ratio(op, s, b):
    """The series' own limit of entries into Xen/op, a share of the baseline's."""
    share = SERIES_RATIOS.get(op)
    if share is None:
        return []
    if s > b * share * (1 + GATE_REL):
        return ["%s: series enters Xen %.2f times per op, more than %.2f of the baseline's %.2f (+%d%%)"
                % (op, s, share, b, GATE_REL * 100)]
    print("gate ok: domU %-16s entries/op series %10.2f, limit %.2f x baseline %.2f"
          % (op, s, share, b))
    return []


def gate(records):
    bad = []
    idx = {(r["guest"], r["kernel"], r["op"]): r for r in records}
    ops = [r["op"] for r in records if r["guest"] == "domU" and r["kernel"] == "series"]
    if not ops:
        return ["no domU records of the series: the traced boot did not run its benchmarks"]
    for op in ops:
        s = idx[("domU", "series", op)].get("xen_entries_per_op")
        b = idx.get(("domU", "baseline", op), {}).get("xen_entries_per_op")
        if s is None or b is None:
            bad.append("%s: entries into Xen missing (series %s, baseline %s)" % (op, s, b))
            continue
        if s > b * (1 + GATE_REL) + GATE_ABS:
            bad.append("%s: series enters Xen %.2f times per op, baseline %.2f (tolerance %d%% + %.1f)"
                       % (op, s, b, GATE_REL * 100, GATE_ABS))
        else:
            print("gate ok: domU %-16s entries/op series %10.2f, baseline %10.2f, limit %10.2f"
                  % (op, s, b, b * (1 + GATE_REL) + GATE_ABS))
        bad += series_ratio(op, s, b)
    return bad + series_limits(idx)


def crosscheck(runs):
    tr = runs["trace-xen-series"]
    if not tr["bench"]:
        return ["trace-xen-series: no benchmark records"]
    bad, n = [], 0
    for (role, op), b in sorted(tr["bench"].items()):
        dbg = tr["dbghc"].get((role, op))
        w = (tr["xen"] or {}).get((role, b["tag"]))
        if dbg is None or w is None:
            bad.append("%s %s: %s missing" % (role, op, "debugfs count" if dbg is None else "xentrace window"))
            continue
        worst = (0, None)
        for nr in sorted(set(dbg) | {int(k[3:]) for k in w if k[:3] in ("hc.", "sc.")}):
            if nr in NOT_COUNTED:
                continue
            d, m = dbg.get(nr, (0, 0))
            if nr == MARKER_NR:
                d -= MARKERS    # in the table's frame, not in the window
            issued = w.get("hc.%d" % nr, 0) - w.get("ct.%d" % nr, 0)
            for kind, x, y in (("direct", issued, d),
                               ("in multicalls", w.get("sc.%d" % nr, 0) - w.get("cs.%d" % nr, 0), m)):
                diff = abs(x - y)
                if diff > XCHK_ABS * XCHK_EDGE_CALLS.get(nr, 1) + XCHK_REL * x:
                    bad.append("%s %s: hypercall %d %s: xentrace %d, debugfs %d" % (role, op, nr, kind, x, y))
                if worst[1] is None or diff > worst[0]:
                    worst = (diff, "hypercall %d %s: xentrace %d debugfs %d" % (nr, kind, x, y))
        n += 1
        print("crosscheck %-5s %-16s xentrace hypercalls %8d, largest difference: %s"
              % (role, op, w["hypercalls"], worst[1] or "none"))
    if not n:
        bad.append("no window to compare")
    return bad


def main(argv):
    logs, json_out, svg_out, do_gate, do_xchk = "out/logs", None, None, False, False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--logs", "--json", "--svg"):
            if not args:
                print("report.py: %s needs a value" % a, file=sys.stderr)
                return 2
            v = args.pop(0)
            if a == "--logs":
                logs = v
            elif a == "--json":
                json_out = v
            else:
                svg_out = v
        elif a == "--gate":
            do_gate = True
        elif a == "--crosscheck":
            do_xchk = True
        else:
            print("report.py: unknown argument '%s'\n%s" % (a, __doc__.strip()), file=sys.stderr)
            return 2
    try:
        runs, records = build(logs)
    except Bad as e:
        print("xen-pvperf: report: error: %s" % e, file=sys.stderr)
        return 1
    print(table(records))
    if json_out:
        with open(json_out + ".tmp", "w") as f:
            json.dump(records, f, indent=1, sort_keys=True)
        os.replace(json_out + ".tmp", json_out)
    if svg_out:
        with open(svg_out + ".tmp", "w") as f:
            f.write(svg(records))
        os.replace(svg_out + ".tmp", svg_out)
    bad = []
    if do_xchk:
        print()
        bad += ["cross-check: " + b for b in crosscheck(runs)]
    if do_gate:
        print()
        bad += ["gate: " + b for b in gate(records)]
    for b in bad:
        print("xen-pvperf: report: error: %s" % b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
