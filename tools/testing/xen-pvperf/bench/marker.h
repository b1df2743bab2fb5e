/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace markers of pvbench -m, read back by pvtrace:
 * vcpu_op(PVPERF_MARK_BEGIN or PVPERF_MARK_END, TAG) is no command Xen
 * knows and changes nothing, but Xen's trace of a vcpu_op keeps both
 * arguments (the command and the vCPU number, here TAG).
 */
#ifndef PVPERF_MARKER_H
#define PVPERF_MARKER_H

#define HYPERVISOR_VCPU_OP	24
#define PVPERF_MARK_BEGIN	0x70760001u
#define PVPERF_MARK_END		0x70760002u

#endif
