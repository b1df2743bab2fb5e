#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""census: where natively an op's instructions go, function by function.

usage: census.py [--kernel NAME ...] [--op OP ...] [--top N] [--keep]
                 [--no-boot]

Boots each kernel natively under QEMU -icount once per op (pvperf.ops=OP)
with the op's last batch framed by a handshake on a second serial port
(pvbench -w): QEMU logs the kernel text's translation blocks from boot
(-d in_asm,nochain, filtered to _stext.._etext) and, from the host's
"log in_asm,exec,nochain" on the monitor at "PVPERF-WINDOW on" to
"PVPERF-WINDOW off", each execution of one. Instructions per function
are the blocks' sizes times their executions, divided by the ops of the
batch: the kernel's instructions of exactly those ops, by function, with
nothing of the boot or of the other batches. User space is not counted.

Writes out/census/KERNEL-OP.prof ("instructions/op function", largest
first) and prints, per op, each kernel's kernel instructions/op, the
instructions/op of its pv_ops functions (native_*, paravirt_*, *_nop
and the callee-save thunks: what a site that calls rather than holding
its body in line executes; a kernel without paravirt has native_*
functions too, called directly), the N largest of them, and the N functions
whose instructions/op differ most between the first kernel and the
others.

Defaults: --kernel series --kernel baseline, --op fork_exit_16m, --top 12.
--keep leaves the QEMU log (GBs for the heavy ops) in out/census.
--no-boot compares the .prof files an earlier run wrote instead.
Needs 'make build rootfs' for the kernels named. Exit 1 when a boot or
the handshake fails, 2 on bad arguments.
"""
import argparse
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import threading
import time

HARNESS = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get('XEN_PVPERF_REPO',
                      os.path.abspath(os.path.join(HARNESS, '..', '..', '..')))
OUT = os.environ.get('XEN_PVPERF_OUT', os.path.join(REPO, 'out'))
STEP = 'census'
CF_COUNT_MASK = 0x1ff	# QEMU's TranslationBlock cflags: its instructions
PV_RE = re.compile(r'^(native_|paravirt_|_paravirt_|__raw_callee_save_|'
                   r'pv_native_)|_nop$')


def fail(why, code=1):
    print(f'xen-pvperf: {STEP}: error: {why}', file=sys.stderr)
    sys.exit(code)


def builddir(kernel):
    r = subprocess.run(['bash', '-c', 'HARNESS="$1"; . "$1/lib.sh"; '
                        'usage() { :; }; '
                        'check_kernel_name "$2" && kernel_builddir "$2"',
                        '_', HARNESS, kernel], capture_output=True, text=True)
    if r.returncode:
        why = (r.stderr.strip().splitlines() or [f'unknown kernel {kernel}'])[-1]
        fail(re.sub(r'^xen-pvperf: [^:]*: ', '', why), 2)
    return r.stdout.strip()


def read_symbols(smap):
    syms = []
    bounds = {}
    with open(smap) as f:
        for line in f:
            a, t, n = line.split()[:3]
            if t in 'tT':
                syms.append((int(a, 16), n))
            if n in ('_stext', '_etext'):
                bounds[n] = int(a, 16)
    if len(bounds) != 2:
        fail(f'{smap}: no _stext/_etext')
    syms.sort()
    return syms, bounds['_stext'], bounds['_etext']


def profile(log, syms):
    """Instructions per function: translation-block sizes from the
    in_asm lines, executions from the exec ("Trace") lines. Under
    -icount, QEMU translates a block again, cut short, where an I/O
    instruction ends it: such a block's exec line says its length in
    its cflags' count bits (CF_COUNT_MASK), and the block of full length
    at that address is the longest translated there."""
    addrs = [a for a, _ in syms]
    tbsize = {}
    execs = collections.Counter()
    cur = None
    pc_re = re.compile(r'0x([0-9a-f]{16}):\s')
    tr_re = re.compile(r'/([0-9a-f]{16})/([0-9a-f]+)/([0-9a-f]+)\]')
    with open(log, errors='replace') as f:
        for line in f:
            if line.startswith('IN:'):
                cur = None
                n = 0
                continue
            m = pc_re.match(line)
            if m:
                pc = int(m.group(1), 16)
                if cur is None:
                    cur = pc
                n += 1
                tbsize[cur] = max(n, tbsize.get(cur, 0))
                continue
            if line.startswith('Trace'):
                cur = None
                m = tr_re.search(line)
                if m:
                    execs[(int(m.group(1), 16),
                           int(m.group(3), 16) & CF_COUNT_MASK)] += 1
    prof = collections.Counter()
    for (pc, count), c in execs.items():
        i = bisect.bisect_right(addrs, pc) - 1
        prof[syms[i][1] if i >= 0 else '?'] += c * (count or tbsize.get(pc, 0))
    return prof


class Handshake(threading.Thread):
    """Answers pvbench -w: log the executions from "on" to "off"."""

    def __init__(self, sync, mon):
        super().__init__(daemon=True)
        self.sync, self.mon = sync, mon
        self.said = []
        self.error = None

    def monitor(self, cmd):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.mon)
        s.settimeout(30)
        for send in (b'', cmd.encode() + b'\n'):
            s.sendall(send)
            buf = b''
            while not buf.endswith(b'(qemu) '):
                got = s.recv(4096)
                if not got:
                    raise OSError('QEMU closed its monitor')
                buf += got
        s.close()

    def run(self):
        try:
            s = socket.socket(socket.AF_UNIX)
            for _ in range(600):
                try:
                    s.connect(self.sync)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise OSError(f'cannot connect to {self.sync}')
            line = b''
            while True:
                c = s.recv(1)
                if not c:
                    return
                if c != b'\n':
                    line += c
                    continue
                said = line.decode(errors='replace').strip()
                line = b''
                if said == 'PVPERF-WINDOW on':
                    self.monitor('log in_asm,exec,nochain')
                elif said == 'PVPERF-WINDOW off':
                    self.monitor('log in_asm,nochain')
                else:
                    continue
                self.said.append(said)
                s.sendall(b'g\n')
        except OSError as e:
            self.error = str(e)


def census(kernel, op, keep):
    global STEP
    STEP = f'census({kernel}/{op})'
    smap = os.path.join(builddir(kernel), 'System.map')
    if not os.path.isfile(smap):
        fail(f'no {smap}: build it first '
             f'(tools/testing/xen-pvperf/build.sh --kernel {kernel})')
    syms, stext, etext = read_symbols(smap)
    d = os.path.join(OUT, 'census')
    os.makedirs(d, exist_ok=True)
    name = f'{kernel}-{op}'
    log = os.path.join(d, name + '.qemu-log')
    sync = os.path.join(d, name + '.sync')
    mon = os.path.join(d, name + '.mon')
    for p in (log, sync, mon):
        if os.path.exists(p):
            os.unlink(p)
    hs = Handshake(sync, mon)
    hs.start()
    qa = ['-d', 'in_asm,nochain', '-dfilter', f'{stext:#x}..{etext:#x}',
          '-D', log, '-monitor', f'unix:{mon},server=on,wait=off',
          '-serial', f'unix:{sync},server=on,wait=off']
    cmd = [os.path.join(HARNESS, 'boot.sh'), '--mode', 'native',
           '--kernel', kernel, '--icount', '--name', 'census-' + name,
           '--quiet', '--append',
           f'pvperf.plan=bench kunit.enable=0 norandmaps pvperf.window=1 '
           f'pvperf.ops={op}']
    for a in qa:
        cmd += ['--qemu-arg', a]
    print(f'[{STEP}] booting (console: out/logs/census-{name}.log)',
          flush=True)
    if subprocess.run(cmd).returncode:
        fail('the boot failed (see above)')
    hs.join(10)
    if hs.error or hs.said != ['PVPERF-WINDOW on', 'PVPERF-WINDOW off']:
        fail(f'the handshake went wrong: {hs.error or hs.said}')
    console = os.path.join(OUT, 'logs', f'census-{name}.log')
    batches = ops = 0
    with open(console, errors='replace') as f:
        for line in f:
            w = line.split()
            if line.startswith('batch '):
                batches += 1
            if w[:3] == ['PVPERF-BENCH', 'native', op]:
                ops = int(w[4])
    if not batches or not ops or ops % batches:
        fail(f'{console}: no PVPERF-BENCH line and batches for {op}')
    n = ops // batches
    prof = profile(log, syms)
    if not keep:
        os.unlink(log)
    with open(os.path.join(d, name + '.prof'), 'w') as f:
        for fn, c in prof.most_common():
            f.write(f'{c / n:.4f} {fn}\n')
    return {fn: c / n for fn, c in prof.items()}


def read_prof(kernel, op):
    p = os.path.join(OUT, 'census', f'{kernel}-{op}.prof')
    try:
        with open(p) as f:
            return {fn: float(v) for v, fn in (line.split() for line in f)}
    except OSError as e:
        fail(f'--no-boot: {e.strerror}: {p} (run census.py without it first)')


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split('\n\n')[1])
    ap.add_argument('--kernel', action='append')
    ap.add_argument('--op', action='append')
    ap.add_argument('--top', type=int, default=12)
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--no-boot', action='store_true')
    a = ap.parse_args()
    kernels = a.kernel or ['series', 'baseline']
    for op in a.op or ['fork_exit_16m']:
        if a.no_boot:
            profs = [read_prof(k, op) for k in kernels]
        else:
            profs = [census(k, op, a.keep) for k in kernels]
        print(f'\n{op}: kernel instructions/op (pv_ops functions)')
        for k, p in zip(kernels, profs):
            pv = sorted(((v, fn) for fn, v in p.items() if PV_RE.search(fn)),
                        reverse=True)
            print(f'  {k:10} {sum(p.values()):14.2f} '
                  f'({sum(v for v, _ in pv):.2f})')
            pv = [f'{fn} {v:.2f}' for v, fn in pv[:a.top] if v >= 0.01]
            if pv:
                print('             ' + ', '.join(pv))
        ref = profs[0]
        for k, p in zip(kernels[1:], profs[1:]):
            fns = sorted(set(ref) | set(p),
                         key=lambda fn: -abs(ref.get(fn, 0) - p.get(fn, 0)))
            print(f'  {kernels[0]} - {k}, by function:')
            for fn in fns[:a.top]:
                print(f'    {ref.get(fn, 0) - p.get(fn, 0):+12.2f} {fn}')


if __name__ == '__main__':
    main()
