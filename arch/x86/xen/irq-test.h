/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit suite xen_irq: the irq-flag bodies of irq.c, inline at the call
 * sites and as direct functions, in a Xen PV guest. Included by irq.c.
 */
#ifndef _XEN_IRQ_TEST_H
#define _XEN_IRQ_TEST_H

#include <kunit/test.h>
#include <linux/string.h>
#include <asm/text-patching.h>
#include <xen/xen.h>

#include "site-test.h"

static int xen_irq_test_init(struct kunit *test)
{
	if (!xen_pv_domain())
		kunit_skip(test, "not a Xen PV guest");
	return 0;
}

static u8 xen_irq_test_mask(unsigned int cpu)
{
	return READ_ONCE(per_cpu(xen_vcpu_info, cpu).evtchn_upcall_mask);
}

/*
 * The three operations as the kernel's sites run them, and the mask they
 * leave. Checked once events are on again: a failed check allocates.
 */
static void xen_irq_test_inline_ops(struct kunit *test)
{
	u8 m_before, m_saved, m_restored, m_disabled, m_enabled;
	bool off_disabled, off_enabled;
	unsigned long flags, inside;
	unsigned int cpu = get_cpu();

	m_before = xen_irq_test_mask(cpu);
	local_irq_save(flags);
	m_saved = xen_irq_test_mask(cpu);
	inside = arch_local_save_flags();
	local_irq_restore(flags);
	m_restored = xen_irq_test_mask(cpu);

	local_irq_disable();
	off_disabled = irqs_disabled();
	m_disabled = xen_irq_test_mask(cpu);
	local_irq_enable();
	off_enabled = irqs_disabled();
	m_enabled = xen_irq_test_mask(cpu);
	put_cpu();

	KUNIT_EXPECT_EQ(test, m_before, 0);
	KUNIT_EXPECT_EQ(test, m_saved, 1);
	KUNIT_EXPECT_EQ(test, m_restored, 0);
	/* Events on: IF and nothing else; off: 0. */
	KUNIT_EXPECT_EQ(test, flags, X86_EFLAGS_IF);
	KUNIT_EXPECT_EQ(test, inside, 0UL);
	KUNIT_EXPECT_TRUE(test, off_disabled);
	KUNIT_EXPECT_EQ(test, m_disabled, 1);
	KUNIT_EXPECT_FALSE(test, off_enabled);
	KUNIT_EXPECT_EQ(test, m_enabled, 0);
}

/* The same through the direct functions (xen_inline_irq=off). */
static void xen_irq_test_direct_ops(struct kunit *test)
{
	unsigned int cpu = get_cpu();
	unsigned long on, off;
	u8 m_disabled, m_enabled;

	on = xen_save_fl_direct();
	xen_irq_disable_direct();
	m_disabled = xen_irq_test_mask(cpu);
	off = xen_save_fl_direct();
	xen_irq_enable_direct();
	m_enabled = xen_irq_test_mask(cpu);
	put_cpu();

	KUNIT_EXPECT_EQ(test, m_disabled, 1);
	KUNIT_EXPECT_EQ(test, m_enabled, 0);
	KUNIT_EXPECT_EQ(test, on, X86_EFLAGS_IF);
	KUNIT_EXPECT_EQ(test, off, 0UL);
}

static u64 xen_irq_test_checks(unsigned int cpu)
{
	return per_cpu(xen_pvstats[XEN_PVSTAT_irq_event_check_hypercalls], cpu);
}

/*
 * With nothing pending, irq_enable makes no hypercall. An event may come
 * between the look at pending and the enable (then checking is right):
 * one of ten tries must see none.
 */
static void xen_irq_test_enable_nothing_pending(struct kunit *test)
{
	bool was_on = xen_pvstats_enabled();
	unsigned int cpu, try;
	u64 before, after;
	bool quiet = false;

	xen_pvstats_set_enabled(true);
	for (try = 0; try < 10 && !quiet; try++) {
		cpu = get_cpu();
		local_irq_disable();
		if (READ_ONCE(per_cpu(xen_vcpu_info, cpu).evtchn_upcall_pending)) {
			local_irq_enable();
			put_cpu();
			continue;
		}
		before = xen_irq_test_checks(cpu);
		local_irq_enable();
		after = xen_irq_test_checks(cpu);
		put_cpu();
		quiet = after == before;
	}
	xen_pvstats_set_enabled(was_on);
	KUNIT_EXPECT_TRUE_MSG(test, quiet,
			      "every irq_enable of 10 made an event check");
}

/* With an event made pending while masked: exactly one event check. */
static void xen_irq_test_enable_pending(struct kunit *test)
{
	u64 before, after, up_before, up_after;
	bool was_on = xen_pvstats_enabled();
	unsigned int cpu;

	xen_pvstats_set_enabled(true);
	cpu = get_cpu();
	local_irq_disable();
	before = xen_irq_test_checks(cpu);
	up_before = per_cpu(xen_pvstats[XEN_PVSTAT_irq_upcalls], cpu);
	/* The upcall finds no port pending and returns. */
	WRITE_ONCE(per_cpu(xen_vcpu_info, cpu).evtchn_upcall_pending, 1);
	local_irq_enable();
	after = xen_irq_test_checks(cpu);
	up_after = per_cpu(xen_pvstats[XEN_PVSTAT_irq_upcalls], cpu);
	put_cpu();
	xen_pvstats_set_enabled(was_on);

	KUNIT_EXPECT_EQ(test, after - before, 1ULL);
	/* Xen delivered it on the way back from the check. */
	KUNIT_EXPECT_GE(test, up_after - up_before, 1ULL);
}

/* Sites of this file, each in a function of its own. */
static noinline unsigned long xen_irq_test_save_fl_site(void)
{
	return arch_local_save_flags();
}

static noinline void xen_irq_test_disable_site(void)
{
	local_irq_disable();
}

static noinline void xen_irq_test_enable_site(void)
{
	local_irq_enable();
}

/* Do the first 64 bytes of the function fn hold the n bytes of body? */
static bool xen_irq_test_holds(const void *fn, const u8 *body, unsigned int n)
{
	return xen_test_code_holds(fn, 64, body, n);
}

/*
 * With the bodies inline, each site holds its direct function's body
 * (irq_enable's up to its call, whose displacement depends on where it
 * is); with xen_inline_irq=off none does. Either way the sites work, and
 * every site of the kernel is counted in the right column.
 */
static void xen_irq_test_site_patched(struct kunit *test)
{
	bool inl = boot_cpu_has(X86_FEATURE_XENPV_INLINE_IRQ);
	unsigned long flags;
	bool off;
	int i;

	KUNIT_EXPECT_EQ(test, xen_irq_test_holds(xen_irq_test_save_fl_site,
						 xen_save_fl_direct_body,
						 xen_save_fl_direct_len), inl);
	KUNIT_EXPECT_EQ(test, xen_irq_test_holds(xen_irq_test_disable_site,
						 xen_irq_disable_direct_body,
						 xen_irq_disable_direct_len), inl);
	KUNIT_EXPECT_EQ(test, xen_irq_test_holds(xen_irq_test_enable_site,
						 xen_irq_enable_direct_body,
						 xen_irq_enable_direct_len - CALL_INSN_SIZE),
			inl);

	flags = xen_irq_test_save_fl_site();
	xen_irq_test_disable_site();
	off = irqs_disabled();
	xen_irq_test_enable_site();
	KUNIT_EXPECT_EQ(test, flags, X86_EFLAGS_IF);
	KUNIT_EXPECT_TRUE(test, off);
	KUNIT_EXPECT_FALSE(test, irqs_disabled());

	for (i = 0; i < XEN_IRQ_OPS; i++) {
		KUNIT_EXPECT_GT(test, xen_irq_sites[i][!inl], 0U);
		KUNIT_EXPECT_EQ(test, xen_irq_sites[i][inl], 0U);
	}
}

static struct kunit_case xen_irq_test_cases[] = {
	KUNIT_CASE(xen_irq_test_inline_ops),
	KUNIT_CASE(xen_irq_test_direct_ops),
	KUNIT_CASE(xen_irq_test_enable_nothing_pending),
	KUNIT_CASE(xen_irq_test_enable_pending),
	KUNIT_CASE(xen_irq_test_site_patched),
	{}
};

static struct kunit_suite xen_irq_test_suite = {
	.name = "xen_irq",
	.init = xen_irq_test_init,
	.test_cases = xen_irq_test_cases,
};

kunit_test_suite(xen_irq_test_suite);

#endif /* _XEN_IRQ_TEST_H */
