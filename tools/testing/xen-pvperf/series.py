#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""series: the plan of 'make series' from series.txt (series.sh runs it).

usage: series.py plan SERIES_TXT REPO WORKDIR AUTHOR
       series.py maintainers FINAL_MAINTAINERS PATHS_FILE
       series.py cover COVER_PATCH REPORT_TABLE SUMMARY

plan         checks that every file of the overlay (git ls-files under
             REPO's overlay folders) is in exactly one patch of SERIES_TXT
             (MAINTAINERS.patch aside), and writes WORKDIR/NN.msg (the
             commit message: subject, body, the descriptions of the
             patch's NAME.patch files, Signed-off-by AUTHOR) and
             WORKDIR/NN.files (its repository files, one per line).
maintainers  prints FINAL_MAINTAINERS with the series' entry cut down to
             the F: lines of the paths in PATHS_FILE (one per line; a
             pattern ending in / matches a path below it), or without the
             entry when none matches.
cover        fills the cover letter git format-patch wrote: subject and
             blurb, with SUMMARY and the report table of REPORT_TABLE.
Errors name the file and line; exit 1.
"""
import os
import re
import subprocess
import sys

OVERLAY = ["arch", "drivers", "include", "mm", "Documentation", "tools/objtool",
           "Kconfig.xen", "MAINTAINERS.patch"]
SPREAD = "MAINTAINERS.patch"
ENTRY = "XEN PV PERFORMANCE BACKENDS AND STATISTICS (XEN-PVPERF)"


def die(msg):
    print("xen-pvperf: series: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def tracked(repo, paths):
    out = subprocess.run(["git", "-C", repo, "ls-files", "--"] + paths,
                         check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l]


def parse(path):
    """[(lineno, [file patterns], [message lines])]"""
    patches = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if line == "==== patch":
                cur = (n, [], [])
                patches.append(cur)
            elif cur is None:
                if line.strip():
                    die("%s:%d: text before the first '==== patch' line" % (path, n))
            elif line.startswith("F: ") and not cur[2]:
                cur[1].append(line[3:].strip())
            else:
                cur[2].append(line)
    for n, files, msg in patches:
        while msg and not msg[0].strip():
            msg.pop(0)
        while msg and not msg[-1].strip():
            msg.pop()
        if not files:
            die("%s:%d: a patch without F: lines" % (path, n))
        if len(msg) < 3 or msg[1].strip():
            die("%s:%d: the message needs a subject, a blank line and a body" % (path, n))
        if len(msg[0]) > 75:
            die("%s:%d: subject longer than 75 characters" % (path, n))
    if not patches:
        die("%s: no '==== patch' lines" % path)
    return patches


def description(path):
    """The text of NAME.patch before its '---' line."""
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.rstrip("\n") == "---":
                break
            lines.append(line.rstrip("\n"))
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def plan(series_txt, repo, work, author):
    patches = parse(series_txt)
    overlay = set(tracked(repo, OVERLAY)) - {SPREAD}
    harness = [p for n, fs, _ in patches for p in fs if p.startswith("tools/testing/")]
    owner = {}
    for i, (n, pats, msg) in enumerate(patches, 1):
        files = []
        for pat in pats:
            if pat.endswith("/"):
                got = tracked(repo, [pat])
            else:
                got = [pat] if tracked(repo, [pat]) else []
            if not got:
                die("%s:%d: F: %s names no file git tracks in %s" % (series_txt, n, pat, repo))
            for f in got:
                if f == SPREAD:
                    die("%s:%d: %s is not a patch's file: each patch adds its own F: lines"
                        % (series_txt, n, SPREAD))
                if f in owner:
                    die("%s:%d: %s is in patch %d already" % (series_txt, n, f, owner[f]))
                owner[f] = i
                files.append(f)
        body = list(msg)
        for f in files:
            if f.endswith(".patch"):
                body += [""] + description(os.path.join(repo, f))
        body += ["", "Signed-off-by: %s" % author]
        with open(os.path.join(work, "%02d.msg" % i), "w", encoding="utf-8") as out:
            out.write("\n".join(body) + "\n")
        with open(os.path.join(work, "%02d.files" % i), "w", encoding="utf-8") as out:
            out.write("".join(f + "\n" for f in files))
    missing = sorted(overlay - set(owner))
    if missing:
        die("%s: in no patch: %s (add an F: line)" % (series_txt, " ".join(missing)))
    if not harness:
        die("%s: no patch takes the harness (F: tools/testing/xen-pvperf/)" % series_txt)
    print(len(patches))


def maintainers(final, paths_file):
    with open(paths_file, encoding="utf-8") as f:
        paths = [l.strip() for l in f if l.strip()]
    with open(final, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        start = lines.index(ENTRY)
    except ValueError:
        die("%s: no entry '%s' (MAINTAINERS.patch)" % (final, ENTRY))
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    entry = []
    have = False
    for l in lines[start:end]:
        if l.startswith("F:\t"):
            pat = l[3:].strip()
            if not any(p == pat or (pat.endswith("/") and p.startswith(pat)) for p in paths):
                continue
            have = True
        entry.append(l)
    if have:
        out = lines[:start] + entry + lines[end:]
    else:
        out = lines[:start] + lines[end + 1:]
    sys.stdout.write("\n".join(out))


def cover(path, table, summary):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(table, encoding="utf-8") as f:
        rep = f.read().rstrip("\n")
    with open(summary, encoding="utf-8") as f:
        summ = f.read().rstrip("\n")
    if "*** SUBJECT HERE ***" not in text or "*** BLURB HERE ***" not in text:
        die("%s: not a cover letter of git format-patch" % path)
    subject, _, blurb = summ.partition("\n")
    text = text.replace("*** SUBJECT HERE ***", subject.strip())
    report = "\n".join(("  " + l).rstrip() for l in rep.split("\n"))
    text = text.replace("*** BLURB HERE ***", blurb.strip("\n") + "\n\n" + report)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    if len(argv) == 5 and argv[0] == "plan":
        plan(*argv[1:])
    elif len(argv) == 3 and argv[0] == "maintainers":
        maintainers(*argv[1:])
    elif len(argv) == 4 and argv[0] == "cover":
        cover(*argv[1:])
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
