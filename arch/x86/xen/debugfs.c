// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/xen: the one debugfs directory under which the x86 Xen
 * guest puts its statistics and tuning files.
 *
 * The directory is made at boot on every Xen guest, so that tools find it
 * before any subsystem has put a file into it, or on the first call of
 * xen_init_debugfs(), whichever comes first. It is never removed; every
 * caller gets the same dentry. Like every debugfs user, callers do not
 * check it: debugfs functions given an error pointer as parent do nothing.
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <xen/xen.h>

#include "debugfs.h"

static struct dentry *xen_debugfs_root;
static DEFINE_MUTEX(xen_debugfs_mutex);

struct dentry *xen_init_debugfs(void)
{
	mutex_lock(&xen_debugfs_mutex);
	if (!xen_debugfs_root)
		xen_debugfs_root = debugfs_create_dir("xen", NULL);
	mutex_unlock(&xen_debugfs_mutex);
	return xen_debugfs_root;
}

static int __init xen_debugfs_setup(void)
{
	if (xen_domain())
		xen_init_debugfs();
	return 0;
}
fs_initcall(xen_debugfs_setup);

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "debugfs-test.h"
#endif
