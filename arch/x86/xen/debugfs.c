// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 side of the Xen statistics in /sys/kernel/debug/xen.
 *
 * xen_init_debugfs() is the directory the statistics core
 * (drivers/xen/pvstats.c) makes at boot on every Xen guest; every caller
 * gets the same dentry.
 *
 * In a PV guest every hypercall goes through the static call
 * xen_hypercall. While counting is on, it points at
 * xen_hypercall_pv_counted (pvstats-asm.S), which counts the hypercall by
 * number and goes on to xen_hypercall_pv; while counting is off, at
 * xen_hypercall_pv, so that no hypercall site carries counting code.
 */
#include <linux/static_call.h>
#include <asm/xen/hypercall.h>
#include <xen/pvstats.h>
#include <xen/xen.h>

#include "debugfs.h"
#include "xen-ops.h"

struct dentry *xen_init_debugfs(void)
{
	return xen_debugfs_root();
}

#ifdef CONFIG_XEN_PV
void xen_hypercall_pv_counted(void);

void xen_pvstats_arch_set_enabled(bool on)
{
	if (xen_pv_domain())
		static_call_update(xen_hypercall, on ? xen_hypercall_pv_counted :
				   xen_hypercall_pv);
}
#endif
