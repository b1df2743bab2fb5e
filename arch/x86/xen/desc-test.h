/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit suite xen_desc: the TLS compare-and-skip and the one-batch context
 * switch of desc.c, in a Xen PV guest. Included by desc.c.
 */
#ifndef _XEN_DESC_TEST_H
#define _XEN_DESC_TEST_H

#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/ldt.h>
#include <asm/segment.h>
#include <xen/xen.h>

/*
 * Each case gets a zeroed thread_struct to load, with counting on for its
 * duration (turned back as it was by the exit).
 */
struct xen_desc_test_ctx {
	struct thread_struct t;
	struct desc_struct saved[GDT_ENTRY_TLS_ENTRIES];
	bool was_on;
};

static int xen_desc_test_init(struct kunit *test)
{
	struct xen_desc_test_ctx *ctx;

	if (!xen_pv_domain())
		kunit_skip(test, "not a Xen PV guest");
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->was_on = xen_pvstats_enabled();
	xen_pvstats_set_enabled(true);
	test->priv = ctx;
	return 0;
}

static void xen_desc_test_exit(struct kunit *test)
{
	struct xen_desc_test_ctx *ctx = test->priv;

	if (ctx)
		xen_pvstats_set_enabled(ctx->was_on);
}

/* A 32-bit user data descriptor at base, as set_thread_area makes them. */
static struct desc_struct xen_desc_test_data(u32 base)
{
	struct user_desc info = {
		.base_addr = base,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.limit_in_pages = 1,
	};
	struct desc_struct d;

	fill_ldt(&d, &info);
	return d;
}

static void xen_desc_test_changed(struct kunit *test)
{
	struct desc_struct a[GDT_ENTRY_TLS_ENTRIES] = {};
	struct desc_struct b[GDT_ENTRY_TLS_ENTRIES] = {};
	struct thread_struct *t = &((struct xen_desc_test_ctx *)test->priv)->t;

	KUNIT_EXPECT_EQ(test, xen_tls_changed(a, b), 0u);
	b[1] = xen_desc_test_data(0x1000);
	KUNIT_EXPECT_EQ(test, xen_tls_changed(a, b), BIT(1));
	b[0] = xen_desc_test_data(0x2000);
	b[2] = xen_desc_test_data(0x3000);
	KUNIT_EXPECT_EQ(test, xen_tls_changed(a, b), BIT(0) | BIT(1) | BIT(2));
	memcpy(a, b, sizeof(a));
	KUNIT_EXPECT_EQ(test, xen_tls_changed(a, b), 0u);
	/* One bit of one descriptor is a change. */
	b[2].limit0 ^= 1;
	KUNIT_EXPECT_EQ(test, xen_tls_changed(a, b), BIT(2));

	/* Null selectors read no descriptor; any other does. */
	KUNIT_EXPECT_FALSE(test, xen_task_loads_selectors(t));
	t->es = 3;
	KUNIT_EXPECT_FALSE(test, xen_task_loads_selectors(t));
	t->ds = __USER_DS;
	KUNIT_EXPECT_TRUE(test, xen_task_loads_selectors(t));
	t->ds = 0;
	t->fsindex = (GDT_ENTRY_TLS_MIN << 3) | 3;
	KUNIT_EXPECT_TRUE(test, xen_task_loads_selectors(t));
}

/* The counters and hypercalls an action moved, on this CPU. */
struct xen_desc_test_counts {
	u64 updated[GDT_ENTRY_TLS_ENTRIES], skipped[GDT_ENTRY_TLS_ENTRIES];
	u64 issued, queued, folded, early, switches, one_call;
};

static void xen_desc_test_read(struct xen_desc_test_counts *c)
{
	unsigned int i;

	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		c->updated[i] = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_slot0_updated + i]);
		c->skipped[i] = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_slot0_skipped + i]);
	}
	c->issued = __this_cpu_read(xen_hypercalls_issued);
	c->queued = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_segbase_queued]);
	c->folded = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_gs_sel_folded]);
	c->early = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_switch_flush_early]);
	c->switches = __this_cpu_read(xen_pvstats[XEN_PVSTAT_tls_switches]);
	c->one_call = __this_cpu_read(xen_pvhists[XEN_PVHIST_tls_switch_hypercalls][1]);
}

/*
 * Load into ctx->t what this CPU's GDT holds, but for slot, which gets a
 * data descriptor at base (or at base + 0x1000, should the GDT hold that
 * one already). Returns the base given. With the CPU held.
 */
static u32 xen_desc_test_prepare(struct xen_desc_test_ctx *ctx,
				 unsigned int cpu, unsigned int slot, u32 base)
{
	memcpy(ctx->saved, per_cpu(xen_tls_shadow, cpu).desc, sizeof(ctx->saved));
	memcpy(ctx->t.tls_array, ctx->saved, sizeof(ctx->saved));
	ctx->t.tls_array[slot] = xen_desc_test_data(base);
	if (!memcmp(&ctx->saved[slot], &ctx->t.tls_array[slot],
		    sizeof(ctx->saved[slot])))
		ctx->t.tls_array[slot] = xen_desc_test_data(base += 0x1000);
	return base;
}

/* Back to what the GDT held, for the next user task on this CPU. */
static void xen_desc_test_restore(struct xen_desc_test_ctx *ctx,
				  unsigned int cpu)
{
	ctx->t.fsindex = 0;
	memcpy(ctx->t.tls_array, ctx->saved, sizeof(ctx->saved));
	xen_load_tls(&ctx->t, cpu);
}

/*
 * load_tls outside a context switch: the changed slot is written at once,
 * in one hypercall, and lands in the GDT; loaded again, nothing is
 * written and no hypercall made.
 */
static void xen_desc_test_load_tls(struct kunit *test)
{
	struct xen_desc_test_ctx *ctx = test->priv;
	struct xen_desc_test_counts c0, c1, c2;
	struct desc_struct gdt1;
	unsigned long flags;
	unsigned int cpu;
	u32 base;

	/* Interrupts off: an event's own hypercalls would count too. */
	cpu = get_cpu();
	local_irq_save(flags);
	base = xen_desc_test_prepare(ctx, cpu, 1, 0x5000);

	xen_desc_test_read(&c0);
	xen_load_tls(&ctx->t, cpu);
	xen_desc_test_read(&c1);
	gdt1 = get_cpu_gdt_rw(cpu)[GDT_ENTRY_TLS_MIN + 1];
	xen_load_tls(&ctx->t, cpu);
	xen_desc_test_read(&c2);

	xen_desc_test_restore(ctx, cpu);
	local_irq_restore(flags);
	put_cpu();

	KUNIT_EXPECT_EQ(test, c1.updated[1] - c0.updated[1], 1ull);
	KUNIT_EXPECT_EQ(test, c1.skipped[0] - c0.skipped[0], 1ull);
	KUNIT_EXPECT_EQ(test, c1.skipped[2] - c0.skipped[2], 1ull);
	KUNIT_EXPECT_EQ(test, c1.issued - c0.issued, 1ull);
	KUNIT_EXPECT_EQ(test, get_desc_base(&gdt1), (unsigned long)base);

	KUNIT_EXPECT_EQ(test, c2.skipped[0] - c1.skipped[0], 1ull);
	KUNIT_EXPECT_EQ(test, c2.skipped[1] - c1.skipped[1], 1ull);
	KUNIT_EXPECT_EQ(test, c2.skipped[2] - c1.skipped[2], 1ull);
	KUNIT_EXPECT_EQ(test, c2.updated[1], c1.updated[1]);
	KUNIT_EXPECT_EQ(test, c2.issued, c1.issued);
}

/*
 * A context switch's TLS slot and segment base, queued from start to end
 * and issued there in one hypercall; the FS base is set only then.
 */
static void xen_desc_test_one_batch(struct kunit *test)
{
	struct xen_desc_test_ctx *ctx = test->priv;
	struct xen_desc_test_counts c0, c1, c2;
	unsigned long fs0, fs_queued, fs_after;
	unsigned long flags;
	unsigned int cpu;

	cpu = get_cpu();
	local_irq_save(flags);
	rdmsrl(MSR_FS_BASE, fs0);
	xen_desc_test_prepare(ctx, cpu, 2, 0x7000);

	xen_desc_test_read(&c0);
	arch_start_context_switch(current);
	xen_load_tls(&ctx->t, cpu);
	wrmsrl(MSR_FS_BASE, fs0 + 0x1000);
	rdmsrl(MSR_FS_BASE, fs_queued);
	xen_desc_test_read(&c1);
	arch_end_context_switch(current);
	rdmsrl(MSR_FS_BASE, fs_after);
	xen_desc_test_read(&c2);

	wrmsrl(MSR_FS_BASE, fs0);
	xen_desc_test_restore(ctx, cpu);
	local_irq_restore(flags);
	put_cpu();

	/* Inside the switch: queued, nothing issued, the base not yet set. */
	KUNIT_EXPECT_EQ(test, c1.updated[2] - c0.updated[2], 1ull);
	KUNIT_EXPECT_EQ(test, c1.issued, c0.issued);
	KUNIT_EXPECT_NE(test, fs_queued, fs0 + 0x1000);
	/* At its end: one hypercall for both, the base set. */
	KUNIT_EXPECT_EQ(test, c2.issued - c1.issued, 1ull);
	KUNIT_EXPECT_EQ(test, c2.queued - c0.queued, 1ull);
	KUNIT_EXPECT_EQ(test, fs_after, fs0 + 0x1000);
	KUNIT_EXPECT_EQ(test, c2.switches - c0.switches, 1ull);
	KUNIT_EXPECT_EQ(test, c2.one_call - c0.one_call, 1ull);
	KUNIT_EXPECT_EQ(test, c2.early, c0.early);
}

/*
 * A next task with a TLS selector in %fs: the switch's descriptors go to
 * Xen before __switch_to() loads the selector.
 */
static void xen_desc_test_flush_early(struct kunit *test)
{
	struct xen_desc_test_ctx *ctx = test->priv;
	struct xen_desc_test_counts c0, c1, c2;
	struct desc_struct gdt0;
	unsigned long flags;
	unsigned int cpu;
	u32 base;

	cpu = get_cpu();
	local_irq_save(flags);
	base = xen_desc_test_prepare(ctx, cpu, 0, 0x9000);
	ctx->t.fsindex = (GDT_ENTRY_TLS_MIN << 3) | 3;

	xen_desc_test_read(&c0);
	arch_start_context_switch(current);
	xen_load_tls(&ctx->t, cpu);
	xen_desc_test_read(&c1);
	gdt0 = get_cpu_gdt_rw(cpu)[GDT_ENTRY_TLS_MIN];
	arch_end_context_switch(current);
	xen_desc_test_read(&c2);

	xen_desc_test_restore(ctx, cpu);
	local_irq_restore(flags);
	put_cpu();

	KUNIT_EXPECT_EQ(test, c1.early - c0.early, 1ull);
	KUNIT_EXPECT_EQ(test, c1.issued - c0.issued, 1ull);
	KUNIT_EXPECT_EQ(test, get_desc_base(&gdt0), (unsigned long)base);
	/* Nothing left for the end of the switch. */
	KUNIT_EXPECT_EQ(test, c2.issued, c1.issued);
	KUNIT_EXPECT_EQ(test, c2.switches - c0.switches, 1ull);
}

/*
 * A switch to a task with the null %gs selector on a CPU with
 * X86_BUG_NULL_SEG loads __USER_DS, then 0. The second load replaces the
 * first in the batch: one sub-call, after which Xen has cleared the user
 * GS base it held.
 */
static void xen_desc_test_gs_fold(struct kunit *test)
{
	struct xen_desc_test_counts c0, c1;
	unsigned long gs0, gs_after;
	unsigned short sel0, sel_after;
	unsigned long flags;

	if (!xen_gs_sel_folds)
		kunit_skip(test, "Xen before 4.15: %%gs loads are not folded");

	local_irq_save(flags);
	rdmsrl(MSR_KERNEL_GS_BASE, gs0);
	savesegment(gs, sel0);
	wrmsrl(MSR_KERNEL_GS_BASE, 0x12345000);

	xen_desc_test_read(&c0);
	arch_start_context_switch(current);
	load_gs_index(__USER_DS);
	load_gs_index(0);
	arch_end_context_switch(current);
	xen_desc_test_read(&c1);
	rdmsrl(MSR_KERNEL_GS_BASE, gs_after);
	savesegment(gs, sel_after);

	load_gs_index(sel0);
	wrmsrl(MSR_KERNEL_GS_BASE, gs0);
	local_irq_restore(flags);

	KUNIT_EXPECT_EQ(test, c1.folded - c0.folded, 1ull);
	KUNIT_EXPECT_EQ(test, c1.queued - c0.queued, 1ull);
	KUNIT_EXPECT_EQ(test, c1.issued - c0.issued, 1ull);
	KUNIT_EXPECT_EQ(test, c1.one_call - c0.one_call, 1ull);
	KUNIT_EXPECT_EQ(test, gs_after, 0ul);
	KUNIT_EXPECT_EQ(test, sel_after, (unsigned short)0);
}

/*
 * The switch's in-line test of the lazy mode says what
 * paravirt_get_lazy_mode() says: before, inside and after a switch.
 */
static void xen_desc_test_lazy_cpu(struct kunit *test)
{
	bool before, inside, after;
	int mode_inside;
	unsigned long flags;

	local_irq_save(flags);
	before = xen_lazy_cpu();
	arch_start_context_switch(current);
	inside = xen_lazy_cpu();
	mode_inside = paravirt_get_lazy_mode();
	arch_end_context_switch(current);
	after = xen_lazy_cpu();
	local_irq_restore(flags);

	KUNIT_EXPECT_FALSE(test, before);
	KUNIT_EXPECT_EQ(test, mode_inside, PARAVIRT_LAZY_CPU);
	KUNIT_EXPECT_TRUE(test, inside);
	KUNIT_EXPECT_FALSE(test, after);
	KUNIT_EXPECT_EQ(test, paravirt_get_lazy_mode(), PARAVIRT_LAZY_NONE);
}

static struct kunit_case xen_desc_test_cases[] = {
	KUNIT_CASE(xen_desc_test_lazy_cpu),
	KUNIT_CASE(xen_desc_test_changed),
	KUNIT_CASE(xen_desc_test_load_tls),
	KUNIT_CASE(xen_desc_test_one_batch),
	KUNIT_CASE(xen_desc_test_flush_early),
	KUNIT_CASE(xen_desc_test_gs_fold),
	{}
};

static struct kunit_suite xen_desc_test_suite = {
	.name = "xen_desc",
	.init = xen_desc_test_init,
	.exit = xen_desc_test_exit,
	.test_cases = xen_desc_test_cases,
};

kunit_test_suite(xen_desc_test_suite);

#endif /* _XEN_DESC_TEST_H */
