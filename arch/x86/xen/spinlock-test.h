/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit suite xen_qspinlock: the wait and the kick of spinlock.c on this
 * CPU's own channel, in a Xen guest with PV spinlocks on (two vCPUs or
 * more); skipped elsewhere. Each case sends the kicks it needs to itself:
 * a wait that gets them wrong leaves the channel in the wrong state, or
 * blocks for good. With counting on (xen_pvstats=on) the counts are
 * checked too. Included by spinlock.c.
 */
#ifndef _XEN_SPINLOCK_TEST_H
#define _XEN_SPINLOCK_TEST_H

#include <kunit/test.h>
#include <linux/string.h>

#include "site-test.h"

struct xen_qlock_counts {
	u64 polls, kicks, pending, held, nested;
};

/*
 * A case runs on one CPU with events off, from xen_qlock_test_begin() to
 * xen_qlock_test_end(), and checks what it saw afterwards: a failed check
 * allocates.
 */
struct xen_qlock_test {
	int irq;
	unsigned long flags;
	struct xen_qlock_counts before, after;
};

static void xen_qlock_test_snap(struct xen_qlock_counts *c)
{
#ifdef CONFIG_XEN_DEBUG_FS
	c->polls = this_cpu_read(xen_pvstats[XEN_PVSTAT_spinlocks_poll_hypercalls]);
	c->kicks = this_cpu_read(xen_pvstats[XEN_PVSTAT_spinlocks_kicks]);
	c->pending = this_cpu_read(xen_pvstats[XEN_PVSTAT_spinlocks_pending_kick]);
	c->held = this_cpu_read(xen_pvstats[XEN_PVSTAT_spinlocks_still_held]);
	c->nested = this_cpu_read(xen_pvstats[XEN_PVSTAT_spinlocks_nested_waits]);
#endif
}

/* This CPU's channel, with nothing pending on it; or -1. */
static int xen_qlock_test_begin(struct xen_qlock_test *t)
{
	local_irq_save(t->flags);
	t->irq = __this_cpu_read(xen_qlock.irq);
	if (t->irq >= 0)
		xen_clear_irq_pending(t->irq);
	xen_qlock_test_snap(&t->before);
	return t->irq;
}

static void xen_qlock_test_end(struct xen_qlock_test *t)
{
	xen_qlock_test_snap(&t->after);
	if (t->irq >= 0)
		xen_clear_irq_pending(t->irq);
	local_irq_restore(t->flags);
}

/* With counting on (xen_pvstats=on), how far each count moved. */
static void xen_qlock_test_moved(struct kunit *test, struct xen_qlock_test *t,
				 u64 polls, u64 kicks, u64 pending, u64 held,
				 u64 nested)
{
	if (!xen_pvstats_enabled())
		return;
	KUNIT_EXPECT_EQ(test, t->after.polls - t->before.polls, polls);
	KUNIT_EXPECT_EQ(test, t->after.kicks - t->before.kicks, kicks);
	KUNIT_EXPECT_EQ(test, t->after.pending - t->before.pending, pending);
	KUNIT_EXPECT_EQ(test, t->after.held - t->before.held, held);
	KUNIT_EXPECT_EQ(test, t->after.nested - t->before.nested, nested);
}

static int xen_qlock_test_init(struct kunit *test)
{
	if (!xen_domain() || !xen_pvspin)
		kunit_skip(test, "not a Xen guest with PV spinlocks on");
	return 0;
}

/* A kick sets the channel pending; it is not delivered. */
static void xen_qlock_test_kick(struct kunit *test)
{
	struct xen_qlock_test t;
	bool pending = false;

	if (xen_qlock_test_begin(&t) >= 0) {
		xen_qlock_kick(smp_processor_id());
		pending = xen_test_irq_pending(t.irq);
	}
	xen_qlock_test_end(&t);
	KUNIT_ASSERT_GE(test, t.irq, 0);
	KUNIT_EXPECT_TRUE(test, pending);
	xen_qlock_test_moved(test, &t, 0, 1, 0, 0, 0);
}

/* A kick before the wait: the wait takes it and does not poll. */
static void xen_qlock_test_kick_first(struct kunit *test)
{
	struct xen_qlock_test t;
	bool pending = true;
	unsigned int depth = ~0U;
	u8 byte = 1;

	if (xen_qlock_test_begin(&t) >= 0) {
		xen_qlock_kick(smp_processor_id());
		xen_qlock_wait(&byte, 1);
		pending = xen_test_irq_pending(t.irq);
		depth = __this_cpu_read(xen_qlock.depth);
	}
	xen_qlock_test_end(&t);
	KUNIT_ASSERT_GE(test, t.irq, 0);
	KUNIT_EXPECT_FALSE(test, pending);
	KUNIT_EXPECT_EQ(test, depth, 0U);
	xen_qlock_test_moved(test, &t, 0, 1, 1, 0, 0);
}

/* The lock byte already moved: no poll, so nothing to block on. */
static void xen_qlock_test_byte_moved(struct kunit *test)
{
	struct xen_qlock_test t;
	bool pending = true;
	u8 byte = 0;

	if (xen_qlock_test_begin(&t) >= 0) {
		xen_qlock_wait(&byte, 1);
		pending = xen_test_irq_pending(t.irq);
	}
	xen_qlock_test_end(&t);
	KUNIT_ASSERT_GE(test, t.irq, 0);
	KUNIT_EXPECT_FALSE(test, pending);
	xen_qlock_test_moved(test, &t, 0, 0, 0, 0, 0);
}

/*
 * A wait nested in another leaves a pending kick to the outer wait: its
 * poll returns at once, the kick still pending; the outer wait takes it.
 */
static void xen_qlock_test_nested(struct kunit *test)
{
	bool inner = false, outer = true;
	struct xen_qlock_test t;
	u8 byte = 1;

	if (xen_qlock_test_begin(&t) >= 0) {
		xen_qlock_kick(smp_processor_id());
		this_cpu_inc(xen_qlock.depth);
		xen_qlock_wait(&byte, 1);
		inner = xen_test_irq_pending(t.irq);
		this_cpu_dec(xen_qlock.depth);
		xen_qlock_wait(&byte, 1);
		outer = xen_test_irq_pending(t.irq);
	}
	xen_qlock_test_end(&t);
	KUNIT_ASSERT_GE(test, t.irq, 0);
	KUNIT_EXPECT_TRUE(test, inner);
	KUNIT_EXPECT_FALSE(test, outer);
	xen_qlock_test_moved(test, &t, 1, 1, 1, 1, 1);
}

static struct kunit_case xen_qlock_test_cases[] = {
	KUNIT_CASE(xen_qlock_test_kick),
	KUNIT_CASE(xen_qlock_test_kick_first),
	KUNIT_CASE(xen_qlock_test_byte_moved),
	KUNIT_CASE(xen_qlock_test_nested),
	{}
};

static struct kunit_suite xen_qlock_test_suite = {
	.name = "xen_qspinlock",
	.init = xen_qlock_test_init,
	.test_cases = xen_qlock_test_cases,
};

/* An unlock site in a function of its own. */
static noinline void xen_unlock_test_site(struct qspinlock *lock)
{
	queued_spin_unlock(lock);
}

/*
 * Natively, and in a guest without PV spinlocks, the site is the one
 * store of a zero to the lock byte in all six bytes of the call (no NOP
 * after it); with PV spinlocks, the call of __pv_queued_spin_unlock().
 * Either way it unlocks. The function's first bytes go to the log, for
 * a disassembler (check.sh shows them with objdump). Runs natively too.
 */
static void xen_unlock_test_native_site(struct kunit *test)
{
	const u8 store[] = { 0x3e, 0xc6, 0x44, 0x27, 0x00, 0x00 };
	const u8 *p = (const u8 *)xen_unlock_test_site;
	bool pv = boot_cpu_has(X86_FEATURE_PVUNLOCK);
	struct qspinlock lock;

	kunit_info(test, "xen_unlock_test_site: %*ph\n", 32, p);
	KUNIT_EXPECT_EQ(test, xen_test_code_holds(p, 32, store, sizeof(store)),
			!pv);

	atomic_set(&lock.val, _Q_LOCKED_VAL);
	xen_unlock_test_site(&lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&lock.val), 0);
}

static struct kunit_case xen_unlock_test_cases[] = {
	KUNIT_CASE(xen_unlock_test_native_site),
	{}
};

static struct kunit_suite xen_unlock_test_suite = {
	.name = "xen_unlock_site",
	.test_cases = xen_unlock_test_cases,
};

kunit_test_suites(&xen_qlock_test_suite, &xen_unlock_test_suite);

#endif /* _XEN_SPINLOCK_TEST_H */
