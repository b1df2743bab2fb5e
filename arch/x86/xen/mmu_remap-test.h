/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of xen_remap_pfn(), included at the end of mmu_remap.c.
 * They run at boot inside a PV guest and map the guest's own frames
 * (DOMID_SELF: Xen checks them as it checks a foreign domain's) into a
 * range of the kernel's vmalloc space, through a VMA of init_mm made for
 * the test, then read the pattern of each frame through its new mapping.
 */
#ifndef _XEN_MMU_REMAP_TEST_H
#define _XEN_MMU_REMAP_TEST_H

#include <kunit/test.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>

/* Frames mapped: a batch of 512 and one of 88. */
#define XEN_REMAP_TEST_NR	600
/* Distinct pages behind them, each mapped over and over. */
#define XEN_REMAP_TEST_PAGES	4
/* A frame above any machine address: Xen refuses it. */
#define XEN_REMAP_TEST_BAD	((1UL << 40) - 1)

struct xen_remap_test {
	bool was_on;
	struct page *pages[XEN_REMAP_TEST_PAGES];
	struct vm_struct *area;
	struct vm_area_struct vma;
	xen_pfn_t frames[XEN_REMAP_TEST_NR];
	int err[XEN_REMAP_TEST_NR];
};

static u64 xen_remap_test_stat(enum xen_pvstat idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(xen_pvstats, cpu)[idx];
	return sum;
}

static u32 xen_remap_test_pattern(unsigned int page)
{
	return 0x5eed0000 + page;
}

static int xen_remap_test_init(struct kunit *test)
{
	struct xen_remap_test *t;
	unsigned int i;

	if (!xen_pv_domain())
		kunit_skip(test, "not an x86 PV guest");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	for (i = 0; i < XEN_REMAP_TEST_PAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->pages[i]);
		*(u32 *)page_address(t->pages[i]) = xen_remap_test_pattern(i);
	}
	t->area = get_vm_area(XEN_REMAP_TEST_NR * PAGE_SIZE, VM_IOREMAP);
	KUNIT_ASSERT_NOT_NULL(test, t->area);
	t->vma.vm_mm = &init_mm;
	t->vma.vm_flags = VM_IO | VM_PFNMAP;
	for (i = 0; i < XEN_REMAP_TEST_NR; i++) {
		struct page *page = t->pages[i % XEN_REMAP_TEST_PAGES];

		t->frames[i] = pfn_to_mfn(page_to_pfn(page));
	}
	t->was_on = xen_pvstats_enabled();
	xen_pvstats_set_enabled(true);
	return 0;
}

static void xen_remap_test_exit(struct kunit *test)
{
	struct xen_remap_test *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	xen_pvstats_set_enabled(t->was_on);
	/* Clears the PTEs and flushes the TLB before the pages go. */
	if (t->area)
		free_vm_area(t->area);
	for (i = 0; i < XEN_REMAP_TEST_PAGES; i++)
		if (t->pages[i])
			__free_page(t->pages[i]);
}

static unsigned long xen_remap_test_addr(struct xen_remap_test *t,
					 unsigned int i)
{
	return (unsigned long)t->area->addr + i * PAGE_SIZE;
}

/* Frame i reads its page's pattern through its new mapping. */
static void xen_remap_test_expect_mapped(struct kunit *test, unsigned int i)
{
	struct xen_remap_test *t = test->priv;
	u32 v = READ_ONCE(*(u32 *)xen_remap_test_addr(t, i));

	KUNIT_EXPECT_EQ_MSG(test, v,
			    xen_remap_test_pattern(i % XEN_REMAP_TEST_PAGES),
			    "frame %u", i);
}

/* 600 frames in two mmu_updates (512 + 88), each mapped, err all 0. */
static void xen_remap_test_batches(struct kunit *test)
{
	struct xen_remap_test *t = test->priv;
	u64 calls = xen_remap_test_stat(XEN_PVSTAT_mmu_remap_hypercalls);
	u64 ptes = xen_remap_test_stat(XEN_PVSTAT_mmu_remap_ptes);
	unsigned int i;
	int rc;

	memset(t->err, 0x55, sizeof(t->err));
	rc = xen_remap_pfn(&t->vma, xen_remap_test_addr(t, 0), t->frames,
			   XEN_REMAP_TEST_NR, t->err, PAGE_KERNEL, DOMID_SELF,
			   false);
	KUNIT_EXPECT_EQ(test, rc, XEN_REMAP_TEST_NR);
	KUNIT_EXPECT_EQ(test, xen_remap_test_stat(XEN_PVSTAT_mmu_remap_hypercalls),
			calls + 2);
	KUNIT_EXPECT_EQ(test, xen_remap_test_stat(XEN_PVSTAT_mmu_remap_ptes),
			ptes + XEN_REMAP_TEST_NR);
	for (i = 0; i < XEN_REMAP_TEST_NR; i++) {
		KUNIT_EXPECT_EQ_MSG(test, t->err[i], 0, "frame %u", i);
		xen_remap_test_expect_mapped(test, i);
	}
}

/*
 * privcmd's way: the results written over the frame array itself. Two
 * bad frames, one in each batch: each gets its error, every other frame
 * is mapped, those after a bad one included; the last call succeeded, so
 * the count of frames mapped is returned.
 */
static void xen_remap_test_errors(struct kunit *test)
{
	struct xen_remap_test *t = test->priv;
	const unsigned int bad[] = { 3, 520 };
	u64 failed = xen_remap_test_stat(XEN_PVSTAT_mmu_remap_failed);
	int *err = (int *)t->frames;
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		t->frames[bad[i]] = XEN_REMAP_TEST_BAD;
	rc = xen_remap_pfn(&t->vma, xen_remap_test_addr(t, 0), t->frames,
			   XEN_REMAP_TEST_NR, err, PAGE_KERNEL, DOMID_SELF,
			   false);
	KUNIT_EXPECT_EQ(test, rc, XEN_REMAP_TEST_NR - (int)ARRAY_SIZE(bad));
	KUNIT_EXPECT_EQ(test, xen_remap_test_stat(XEN_PVSTAT_mmu_remap_failed),
			failed + ARRAY_SIZE(bad));
	for (i = 0; i < XEN_REMAP_TEST_NR; i++) {
		if (i == bad[0] || i == bad[1]) {
			KUNIT_EXPECT_LT_MSG(test, err[i], 0, "frame %u", i);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, err[i], 0, "frame %u", i);
		xen_remap_test_expect_mapped(test, i);
	}
}

/* The last frame bad: its error is the return value. */
static void xen_remap_test_last_bad(struct kunit *test)
{
	struct xen_remap_test *t = test->priv;
	int rc;

	t->frames[9] = XEN_REMAP_TEST_BAD;
	rc = xen_remap_pfn(&t->vma, xen_remap_test_addr(t, 0), t->frames, 10,
			   t->err, PAGE_KERNEL, DOMID_SELF, false);
	KUNIT_EXPECT_LT(test, rc, 0);
	KUNIT_EXPECT_EQ(test, t->err[9], rc);
	KUNIT_EXPECT_EQ(test, t->err[8], 0);
	xen_remap_test_expect_mapped(test, 8);
}

/* A range without err_ptr: one frame maps; a bad one is the error. */
static void xen_remap_test_range(struct kunit *test)
{
	struct xen_remap_test *t = test->priv;
	xen_pfn_t frame = t->frames[0];
	int rc;

	rc = xen_remap_pfn(&t->vma, xen_remap_test_addr(t, 0), &frame, 1,
			   NULL, PAGE_KERNEL, DOMID_SELF, false);
	KUNIT_EXPECT_EQ(test, rc, 1);
	xen_remap_test_expect_mapped(test, 0);

	frame = XEN_REMAP_TEST_BAD;
	rc = xen_remap_pfn(&t->vma, xen_remap_test_addr(t, 1), &frame, 1,
			   NULL, PAGE_KERNEL, DOMID_SELF, false);
	KUNIT_EXPECT_LT(test, rc, 0);
}

static struct kunit_case xen_remap_test_cases[] = {
	KUNIT_CASE(xen_remap_test_batches),
	KUNIT_CASE(xen_remap_test_errors),
	KUNIT_CASE(xen_remap_test_last_bad),
	KUNIT_CASE(xen_remap_test_range),
	{}
};

static struct kunit_suite xen_remap_test_suite = {
	.name = "xen_remap",
	.init = xen_remap_test_init,
	.exit = xen_remap_test_exit,
	.test_cases = xen_remap_test_cases,
};

kunit_test_suites(&xen_remap_test_suite);

#endif /* _XEN_MMU_REMAP_TEST_H */
