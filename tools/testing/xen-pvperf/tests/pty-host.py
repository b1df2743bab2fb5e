#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pty-host: the host's side of pvbench -w, on a pseudo-terminal.

usage: pty-host.py PVBENCH ARGS...

Runs "PVBENCH ARGS... -w PTY" and answers each line it writes on PTY, as
census.py does on the guest's serial port; prints the lines, then
pvbench's exit status. Exits 1 when pvbench does not end within 60 s.
"""
import os
import pty
import select
import subprocess
import sys
import time

master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:] + ['-w', os.ttyname(slave)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
line = b''
end = time.time() + 60
while p.poll() is None and time.time() < end:
    r, _, _ = select.select([master], [], [], 0.1)
    if not r:
        continue
    c = os.read(master, 1)
    if c != b'\n':
        line += c
        continue
    print(line.decode(errors='replace'))
    line = b''
    os.write(master, b'g\n')
if p.poll() is None:
    p.kill()
    print('pvbench did not end')
    sys.exit(1)
sys.stdout.write(p.stderr.read().decode(errors='replace'))
print(f'exit {p.returncode}')
