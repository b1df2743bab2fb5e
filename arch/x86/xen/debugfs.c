// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/xen for the x86 Xen code: the same directory the Xen
 * statistics core (drivers/xen/pvstats.c) makes at boot on every Xen
 * guest and puts its statistics in. Every caller gets the same dentry.
 * And the x86 PV way of counting hypercalls by number.
 */
#include <linux/static_call.h>
#include <asm/xen/hypercall.h>
#include <xen/pvstats.h>

#include "debugfs.h"
#include "xen-ops.h"

struct dentry *xen_init_debugfs(void)
{
	return xen_debugfs_root();
}

#ifdef CONFIG_XEN_PV
/*
 * Every hypercall the counting xen_hypercall_pv_counted saw on this CPU,
 * and the set_segment_base calls desc.c issued: a context switch reads it
 * at its start and its end (xen/tls/switch_hypercalls).
 */
DEFINE_PER_CPU(u64, xen_hypercalls_issued);

/*
 * Statistics on: every hypercall issued through the xen_hypercall static
 * call is counted by number before it is made; off: none is, at no cost.
 * Only a PV guest's: an HVM guest's hypercalls are not counted so.
 */
void xen_pvstats_count_hypercalls(bool on)
{
	void *cur = static_call_query(xen_hypercall);

	if (cur != xen_hypercall_pv && cur != xen_hypercall_pv_counted)
		return;
	static_call_update(xen_hypercall,
			   on ? xen_hypercall_pv_counted : xen_hypercall_pv);
}
#endif
