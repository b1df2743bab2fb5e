#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a small xentrace file for the host tests of pvtrace.

usage: mktrace.py CASE OUT

Records are Xen's struct t_rec (header: event:28, extra_u32:3,
cycles_included:1; then the TSC if included; then the data words), each
physical CPU's run after a TRC_TRACE_CPU_CHANGE record, as xentrace writes
them. Cases:
  good       dom 1 frames tag 5 on CPU 0 and moves to CPU 1 inside the
             window, with a preempted multicall and an mmu_update
             continuation; dom 0 frames tag 7 on CPU 1; records outside
             the windows and of the idle domain must not count
  lost       Xen reports 7 lost records
  unclosed   a window without its end marker
  truncated  the last record is cut short
"""
import struct
import sys

CPU_CHANGE = 0x0001F003
LOST = 0x0001F001
RUNSTATE = 0x00021001
HC = 0x0020100D
SUBCALL = 0x0020200E
PTWR64 = 0x0020110B
PAGEFAULT64 = 0x00201104
BEGIN, END = 0x70760001, 0x70760002
ARG32 = lambda i: 1 << (20 + 2 * i)


def rec(event, data, tsc=None):
    h = event | (len(data) << 28) | ((tsc is not None) << 31)
    out = struct.pack("<I", h)
    if tsc is not None:
        out += struct.pack("<Q", tsc)
    return out + struct.pack("<%dI" % len(data), *data)


def running(dom, tsc):
    # new state running (0) in bits 4-5, old state runnable (1) in 8-9
    return rec(RUNSTATE | (1 << 8), [(dom << 16) | 0], tsc)


def hcall(op, tsc, *args):
    flags = 0
    for i, _ in enumerate(args):
        flags |= ARG32(i)
    return rec(HC, [op | flags] + list(args), tsc)


def marker(what, tag, tsc):
    return rec(HC, [24 | ARG32(0) | ARG32(1), what, tag], tsc)


def cpu_run(cpu, records):
    body = b"".join(records)
    return rec(CPU_CHANGE, [cpu, len(body)]) + body


def good():
    cpu0 = [
        running(1, 10),
        hcall(1, 20, 1),             # before the window: not counted
        marker(BEGIN, 5, 100),
        hcall(1, 110, 4),            # mmu_update
        hcall(13, 120, 2),           # multicall of two
        rec(SUBCALL, [14], 121),
        rec(SUBCALL, [26], 122),
        hcall(13, 123, 3),           # a multicall of three, preempted
        rec(SUBCALL, [14], 124),     # after its first
        hcall(13, 125, 2),           # its continuation
        rec(SUBCALL, [14], 126),
        rec(SUBCALL, [14], 127),
        hcall(1, 128, 0x80000004),   # an mmu_update continuation
        rec(PTWR64, [0, 0, 0, 0, 0], 130),
        running(0x7FFF, 135),        # the idle domain: not counted
        hcall(29, 136, 0),
        running(1, 190),             # dom 1 back on CPU 0
        marker(END, 5, 200),
        hcall(1, 210, 1),            # after the window
    ]
    cpu1 = [
        running(1, 140),             # dom 1 moved to CPU 1
        hcall(24, 150, 10, 0),       # vcpu_op: counted in tag 5
        rec(PAGEFAULT64, [0, 0, 0, 0, 0], 160),
        running(0, 170),
        marker(BEGIN, 7, 171),
        hcall(32, 172),              # event_channel_op
        marker(END, 7, 180),
    ]
    return cpu_run(0, cpu0) + cpu_run(1, cpu1)


def lost():
    return cpu_run(0, [running(1, 1), rec(LOST, [7, 0, 1, 0], 2)])


def unclosed():
    return cpu_run(0, [running(1, 1), marker(BEGIN, 3, 2), hcall(1, 3, 1)])


def truncated():
    return good()[:-6]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("good", "lost", "unclosed", "truncated"):
        sys.exit(__doc__)
    with open(sys.argv[2], "wb") as f:
        f.write(globals()[sys.argv[1]]())
