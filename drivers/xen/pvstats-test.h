/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the Xen PV statistics core. Included at the end of
 * pvstats.c so that they reach its static helpers. They run at boot after
 * the initcalls, inside the guest; the tests of the debugfs files are
 * skipped without Xen.
 *
 * Tests that change global counters or the static key save what they
 * change and put it back, so the counts of a running system survive.
 */
#ifndef _XEN_PVSTATS_TEST_H
#define _XEN_PVSTATS_TEST_H

#include <kunit/test.h>
#include <linux/dcache.h>
#include <linux/kallsyms.h>
#include <linux/slab.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/version.h>

static void xen_pvstats_test_buckets(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(1), 1U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(2), 2U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(3), 2U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(4), 3U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(1023), 10U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(1024), 11U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(1ULL << 30), 31U);
	/* Everything larger lands in the last bucket. */
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(1ULL << 31), 31U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_bucket(U64_MAX), 31U);
}

static void xen_pvstats_test_sum_over_cpus(struct kunit *test)
{
	u64 __percpu *c = alloc_percpu(u64);
	u64 expected = 0;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for_each_possible_cpu(cpu) {
		*per_cpu_ptr(c, cpu) = 1000 + cpu;
		expected += 1000 + cpu;
	}
	KUNIT_EXPECT_EQ(test, xen_pvstats_sum(c), expected);
	xen_pvstats_clear(c, 1);
	KUNIT_EXPECT_EQ(test, xen_pvstats_sum(c), 0ULL);
	free_percpu(c);
}

/* Save or restore every CPU's counters and histograms (buf: one copy). */
struct xen_pvstats_test_copy {
	u64 stats[XEN_PVSTATS_NR];
	u64 hists[XEN_PVHISTS_NR][XEN_PVSTATS_BUCKETS];
};

static void xen_pvstats_test_save(struct xen_pvstats_test_copy *buf, bool restore)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		void *stats = per_cpu_ptr(&xen_pvstats[0], cpu);
		void *hists = per_cpu_ptr(&xen_pvhists[0][0], cpu);

		if (restore) {
			memcpy(stats, buf[cpu].stats, sizeof(buf[cpu].stats));
			memcpy(hists, buf[cpu].hists, sizeof(buf[cpu].hists));
		} else {
			memcpy(buf[cpu].stats, stats, sizeof(buf[cpu].stats));
			memcpy(buf[cpu].hists, hists, sizeof(buf[cpu].hists));
		}
	}
}

static void xen_pvstats_test_zero_dir(struct kunit *test)
{
	struct xen_pvstats_test_copy *saved;
	bool was_on = xen_pvstats_enabled();
	int cpu;

	saved = kunit_kcalloc(test, nr_cpu_ids, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	xen_pvstats_set_enabled(false);
	xen_pvstats_test_save(saved, false);

	for_each_possible_cpu(cpu) {
		per_cpu(xen_pvstats[XEN_PVSTAT_mmu_mmu_updates], cpu) = 7;
		per_cpu(xen_pvhists[XEN_PVHIST_mmu_updates_per_hypercall][3], cpu) = 5;
		per_cpu(xen_pvstats[XEN_PVSTAT_multicalls_batches], cpu) = 9;
	}
	xen_pvstats_zero_dir("mmu");
	KUNIT_EXPECT_EQ(test, xen_pvstats_sum(&xen_pvstats[XEN_PVSTAT_mmu_mmu_updates]), 0ULL);
	KUNIT_EXPECT_EQ(test,
			xen_pvstats_sum(&xen_pvhists[XEN_PVHIST_mmu_updates_per_hypercall][3]),
			0ULL);
	/* Another directory keeps its counts. */
	KUNIT_EXPECT_EQ(test, xen_pvstats_sum(&xen_pvstats[XEN_PVSTAT_multicalls_batches]),
			9ULL * num_possible_cpus());

	xen_pvstats_test_save(saved, true);
	xen_pvstats_set_enabled(was_on);
}

static void xen_pvstats_test_enable_disable(struct kunit *test)
{
	bool was_on = xen_pvstats_enabled();
	u64 *c, before_on, after_on, before_off, after_off;

	/* The key is flipped outside get_cpu(): flipping it may sleep. */
	xen_pvstats_set_enabled(true);
	c = per_cpu_ptr(&xen_pvstats[XEN_PVSTAT_tls_load_tls], get_cpu());
	before_on = *c;
	xen_pvstat_inc(tls, load_tls);
	after_on = *c;
	*c = before_on;
	put_cpu();

	xen_pvstats_set_enabled(false);
	c = per_cpu_ptr(&xen_pvstats[XEN_PVSTAT_tls_load_tls], get_cpu());
	before_off = *c;
	xen_pvstat_inc(tls, load_tls);
	after_off = *c;
	put_cpu();
	xen_pvstats_set_enabled(was_on);

	KUNIT_EXPECT_EQ(test, after_on, before_on + 1);
	KUNIT_EXPECT_EQ(test, after_off, before_off);
}

static void xen_pvstats_test_hist_and_calls(struct kunit *test)
{
	bool was_on = xen_pvstats_enabled();
	u64 *bucket, *cell, *last, b0, c0, l0, b1, c1, l1;
	int cpu;

	xen_pvstats_set_enabled(true);
	cpu = get_cpu();
	bucket = per_cpu_ptr(&xen_pvhists[XEN_PVHIST_spinlocks_blocked_ns][11], cpu);
	cell = per_cpu_ptr(&xen_pvstats_calls[XEN_PVSTATS_CALL_MULTI][__HYPERVISOR_mmu_update],
			   cpu);
	/* Where an unchecked [DIRECT][NR_HYPERCALLS] would land. */
	last = per_cpu_ptr(&xen_pvstats_calls[XEN_PVSTATS_CALL_MULTI][0], cpu);
	b0 = *bucket;
	c0 = *cell;
	l0 = *last;
	xen_pvstat_hist(spinlocks, blocked_ns, 1500);	/* [1024, 2048) */
	xen_pvstats_call(__HYPERVISOR_mmu_update, XEN_PVSTATS_CALL_MULTI);
	xen_pvstats_call(XEN_PVSTATS_NR_HYPERCALLS, XEN_PVSTATS_CALL_DIRECT);
	b1 = *bucket;
	c1 = *cell;
	l1 = *last;
	*bucket = b0;
	*cell = c0;
	put_cpu();
	xen_pvstats_set_enabled(was_on);

	KUNIT_EXPECT_EQ(test, b1, b0 + 1);
	KUNIT_EXPECT_EQ(test, c1, c0 + 1);
	/* A number past the table is dropped, not written out of bounds. */
	KUNIT_EXPECT_EQ(test, l1, l0);
}

/* A real hypercall moves its direct count while counting is on, only then. */
static void xen_pvstats_test_direct_hypercall(struct kunit *test)
{
	u64 __percpu *c = &xen_pvstats_calls[XEN_PVSTATS_CALL_DIRECT][__HYPERVISOR_xen_version];
	bool was_on = xen_pvstats_enabled();
	u64 before_on, after_on, before_off, after_off;

	if (!xen_pv_domain())
		kunit_skip(test, "not an x86 PV guest");
	xen_pvstats_set_enabled(true);
	before_on = xen_pvstats_sum(c);
	HYPERVISOR_xen_version(XENVER_version, NULL);
	after_on = xen_pvstats_sum(c);
	xen_pvstats_set_enabled(false);
	before_off = xen_pvstats_sum(c);
	HYPERVISOR_xen_version(XENVER_version, NULL);
	after_off = xen_pvstats_sum(c);
	xen_pvstats_set_enabled(was_on);
	/* Other CPUs may add event checks of their own: at least one. */
	KUNIT_EXPECT_GE(test, after_on, before_on + 1);
	KUNIT_EXPECT_EQ(test, after_off, before_off);
}

static void xen_pvstats_test_parse(struct kunit *test)
{
	unsigned int v = 9;

	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("1", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("0\n", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("2", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("on", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("-1", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("1 1", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pvstats_parse_01("10", &v), -EINVAL);
}

static void xen_pvstats_test_boot_param(struct kunit *test)
{
	bool on = false;

	KUNIT_EXPECT_EQ(test, xen_parse_onoff("on", &on), 0);
	KUNIT_EXPECT_TRUE(test, on);
	KUNIT_EXPECT_EQ(test, xen_parse_onoff("off", &on), 0);
	KUNIT_EXPECT_FALSE(test, on);
	/* A bad value leaves the setting as it was. */
	KUNIT_EXPECT_EQ(test, xen_parse_onoff("yes", &on), -EINVAL);
	KUNIT_EXPECT_FALSE(test, on);
	on = true;
	KUNIT_EXPECT_EQ(test, xen_parse_onoff("", &on), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_parse_onoff("1", &on), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_parse_onoff("ON", &on), -EINVAL);
	KUNIT_EXPECT_TRUE(test, on);
}

static void xen_pvstats_test_root(struct kunit *test)
{
	struct dentry *root;

	if (!xen_domain())
		kunit_skip(test, "not running on Xen");
	/* Made by the initcalls, before the test asked for it. */
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(xen_debugfs_top));
	root = xen_debugfs_root();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(root));
	KUNIT_EXPECT_PTR_EQ(test, root, xen_debugfs_root());
	KUNIT_EXPECT_STREQ(test, root->d_name.name, "xen");
	KUNIT_EXPECT_PTR_EQ(test, root->d_parent, root->d_sb->s_root);
}

/* Every name of the list, zero_stats in each directory, the controls. */
static void xen_pvstats_test_files(struct kunit *test)
{
	static const char * const dirs[] = { "multicalls", "mmu", "irq", "tls", "spinlocks",
			       XEN_PVSTATS_CALLS_DIR };
	struct dentry *d, *f;
	unsigned int i;

	if (!xen_domain())
		kunit_skip(test, "not running on Xen");
	f = debugfs_lookup("stats_enabled", xen_debugfs_root());
	KUNIT_EXPECT_NOT_NULL(test, f);
	dput(f);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		d = debugfs_lookup(dirs[i], xen_debugfs_root());
		KUNIT_ASSERT_NOT_NULL_MSG(test, d, "xen/%s", dirs[i]);
		f = debugfs_lookup("zero_stats", d);
		KUNIT_EXPECT_NOT_NULL_MSG(test, f, "xen/%s/zero_stats", dirs[i]);
		dput(f);
		dput(d);
	}
	for (i = 0; i < XEN_PVSTATS_NR + XEN_PVHISTS_NR; i++) {
		const struct xen_pvstats_name *n = i < XEN_PVSTATS_NR ?
			&xen_pvstat_names[i] : &xen_pvhist_names[i - XEN_PVSTATS_NR];

		d = debugfs_lookup(n->dir, xen_debugfs_root());
		KUNIT_ASSERT_NOT_NULL(test, d);
		f = debugfs_lookup(n->name, d);
		KUNIT_EXPECT_NOT_NULL_MSG(test, f, "xen/%s/%s", n->dir, n->name);
		dput(f);
		dput(d);
	}
}

/*
 * mmu/pte_hypercall_callers: a caller's writes add up in one line, the
 * largest count first; callers beyond the table's slots count as other;
 * zeroing the mmu directory empties it. Counting is off meanwhile, so
 * that no real PTE write lands in the table; the counters are put back,
 * the table is left empty.
 */
static void xen_pvstats_test_pte_callers(struct kunit *test)
{
	unsigned long a = (unsigned long)xen_pvstats_test_buckets;
	unsigned long b = (unsigned long)xen_pvstats_test_parse;
	struct seq_file m = { .size = PAGE_SIZE };
	char want[2 * KSYM_SYMBOL_LEN + 8];
	struct xen_pvstats_test_copy *saved;
	bool was_on = xen_pvstats_enabled();
	unsigned int i;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	saved = kunit_kcalloc(test, nr_cpu_ids, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	xen_pvstats_set_enabled(false);
	xen_pvstats_test_save(saved, false);
	xen_pte_callers_zero();
	__xen_pvstats_pte_caller(b);
	for (i = 0; i < 3; i++)
		__xen_pvstats_pte_caller(a);
	__xen_pvstats_pte_caller(b);
	xen_pte_callers_show(&m, NULL);
	snprintf(want, sizeof(want), "3 %pS\n2 %pS\n", (void *)a, (void *)b);
	KUNIT_EXPECT_STREQ(test, m.buf, want);

	/* 62 more callers fill the table; the next two are other. */
	for (i = 1; i <= XEN_PVSTATS_CALLERS; i++)
		__xen_pvstats_pte_caller(a + i);
	KUNIT_EXPECT_EQ(test, atomic64_read(&xen_pte_callers.other), 2LL);

	xen_pvstats_zero_dir(XEN_PVSTATS_CALLERS_DIR);
	m.count = 0;
	memset(m.buf, 0, m.size);
	xen_pte_callers_show(&m, NULL);
	KUNIT_EXPECT_STREQ(test, m.buf, "");
	xen_pvstats_test_save(saved, true);
	xen_pvstats_set_enabled(was_on);
}

static struct kunit_case xen_pvstats_test_cases[] = {
	KUNIT_CASE(xen_pvstats_test_buckets),
	KUNIT_CASE(xen_pvstats_test_sum_over_cpus),
	KUNIT_CASE(xen_pvstats_test_zero_dir),
	KUNIT_CASE(xen_pvstats_test_enable_disable),
	KUNIT_CASE(xen_pvstats_test_hist_and_calls),
	KUNIT_CASE(xen_pvstats_test_direct_hypercall),
	KUNIT_CASE(xen_pvstats_test_parse),
	KUNIT_CASE(xen_pvstats_test_boot_param),
	KUNIT_CASE(xen_pvstats_test_root),
	KUNIT_CASE(xen_pvstats_test_files),
	KUNIT_CASE(xen_pvstats_test_pte_callers),
	{}
};

static struct kunit_suite xen_pvstats_test_suite = {
	.name = "xen_pvstats",
	.test_cases = xen_pvstats_test_cases,
};

kunit_test_suite(xen_pvstats_test_suite);

#endif /* _XEN_PVSTATS_TEST_H */
