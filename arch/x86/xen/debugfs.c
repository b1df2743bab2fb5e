// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/xen for the x86 Xen code: the same directory the Xen
 * statistics core (drivers/xen/pvstats.c) makes at boot on every Xen
 * guest and puts its statistics in. Every caller gets the same dentry.
 */
#include <xen/pvstats.h>

#include "debugfs.h"

struct dentry *xen_init_debugfs(void)
{
	return xen_debugfs_root();
}
