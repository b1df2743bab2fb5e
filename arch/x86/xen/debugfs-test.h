/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the /sys/kernel/debug/xen root. Included at the end of
 * debugfs.c so that they can see its static state. They run at boot, after
 * the initcalls, inside the Xen guest; without Xen they are skipped.
 */
#ifndef _XEN_DEBUGFS_TEST_H
#define _XEN_DEBUGFS_TEST_H

#include <kunit/test.h>
#include <linux/dcache.h>

static void xen_debugfs_test_made_at_boot(struct kunit *test)
{
	if (!xen_domain())
		kunit_skip(test, "not running on Xen");
	/* Made by the initcall, before anyone asked for it. */
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(xen_debugfs_root));
}

static void xen_debugfs_test_root_is_shared(struct kunit *test)
{
	struct dentry *first, *again;

	if (!xen_domain())
		kunit_skip(test, "not running on Xen");
	first = xen_init_debugfs();
	again = xen_init_debugfs();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(first));
	KUNIT_EXPECT_PTR_EQ(test, first, again);
	KUNIT_EXPECT_STREQ(test, first->d_name.name, "xen");
	/* Directly below the debugfs mount point. */
	KUNIT_EXPECT_PTR_EQ(test, first->d_parent, first->d_sb->s_root);
}

static struct kunit_case xen_debugfs_test_cases[] = {
	KUNIT_CASE(xen_debugfs_test_made_at_boot),
	KUNIT_CASE(xen_debugfs_test_root_is_shared),
	{}
};

static struct kunit_suite xen_debugfs_test_suite = {
	.name = "xen_debugfs",
	.test_cases = xen_debugfs_test_cases,
};

kunit_test_suite(xen_debugfs_test_suite);

#endif /* _XEN_DEBUGFS_TEST_H */
