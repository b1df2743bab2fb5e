// SPDX-License-Identifier: GPL-2.0
/*
 * The PV qspinlock backend of Xen guests: how a CPU waiting for a lock
 * sleeps, and how the unlocker wakes it.
 *
 * The generic PV qspinlock code (kernel/locking/qspinlock_paravirt.h) spins
 * a while, then calls pv_wait(ptr, val) to sleep until *ptr may no longer
 * be val, and pv_kick(cpu) to wake a CPU that sleeps. Here each CPU has an
 * event channel of its own, an IPI bound to XEN_SPIN_UNLOCK_VECTOR and
 * kept masked: it is never delivered as an interrupt. A wait blocks the
 * vCPU in SCHEDOP_poll on that channel; a kick sends it. The channel's
 * pending bit is the wakeup, and it cannot be lost: a kick that comes
 * before the poll leaves the bit set, and the poll returns at once.
 *
 * Only the outermost wait of a CPU clears that bit. A wait begun in an
 * interrupt that came while this CPU waited (a nested wait) leaves it, or
 * it could take the kick of the wait it interrupted; while the bit is set
 * its polls return at once, and it spins.
 *
 * PV spinlocks are off with one vCPU (no lock holder can be preempted by
 * a waiter of the same guest), with "nopvspin" and with the deprecated
 * "xen_nopvspin": the kernel then uses the native qspinlock.
 *
 * Statistics: xen/spinlocks/ (Documentation/xen/pvstats.rst).
 */
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>

#include <asm/paravirt.h>
#include <asm/qspinlock.h>

#include <xen/events.h>
#include <xen/pvstats.h>

#include "xen-ops.h"

struct xen_qlock_cpu {
	int irq;		/* the kick's irq; -1 while the CPU has none */
	unsigned int depth;	/* waits in progress (interrupts nest them) */
	char name[16];		/* the irq's name in /proc/interrupts */
};

static DEFINE_PER_CPU(struct xen_qlock_cpu, xen_qlock) = { .irq = -1 };

static bool xen_pvspin __ro_after_init = true;

static void xen_qlock_kick(int cpu)
{
	/* A CPU without a channel spins instead of waiting: nothing to do. */
	if (READ_ONCE(per_cpu(xen_qlock, cpu).irq) < 0)
		return;

	xen_pvstat_inc(spinlocks, kicks);
	xen_send_IPI_one(cpu, XEN_SPIN_UNLOCK_VECTOR);
}

/* Block until the kick's channel is pending; count how long it took. */
static void xen_qlock_poll(int irq, u8 *byte, u8 val)
{
	u64 start;

	if (!xen_pvstats_enabled()) {
		xen_poll_irq(irq);
		return;
	}

	__xen_pvstat_inc(spinlocks, poll_hypercalls);
	start = local_clock();
	xen_poll_irq(irq);
	__xen_pvstat_hist(spinlocks, blocked_ns, local_clock() - start);
	if (READ_ONCE(*byte) == val)
		__xen_pvstat_inc(spinlocks, still_held);
}

static void xen_qlock_wait(u8 *byte, u8 val)
{
	int irq = __this_cpu_read(xen_qlock.irq);
	unsigned int depth;

	/* No channel yet (a CPU coming up), or an NMI: the caller spins. */
	if (irq < 0 || in_nmi())
		return;

	depth = this_cpu_inc_return(xen_qlock.depth);
	if (depth > 1)
		xen_pvstat_inc(spinlocks, nested_waits);

	if (depth == 1 && xen_test_irq_pending(irq)) {
		/*
		 * A kick came before this wait: for it, or for a wait that
		 * returned before it came. Take it and return; the caller
		 * looks at the lock again and, if it must, waits again.
		 */
		xen_clear_irq_pending(irq);
		xen_pvstat_inc(spinlocks, pending_kick);
	} else if (READ_ONCE(*byte) == val) {
		xen_qlock_poll(irq, byte, val);
	}

	this_cpu_dec(xen_qlock.depth);
}

/* The channel stays masked: its interrupt is never delivered. */
static irqreturn_t xen_qlock_interrupt(int irq, void *dev_id)
{
	WARN_ONCE(1, "xen: spinlock kick delivered as irq %d\n", irq);
	return IRQ_HANDLED;
}

/* Give CPU @cpu its kick channel: when it comes up, before it takes locks. */
void xen_init_lock_cpu(int cpu)
{
	struct xen_qlock_cpu *q = per_cpu_ptr(&xen_qlock, cpu);
	int irq;

	if (!xen_pvspin)
		return;
	if (WARN(q->irq >= 0, "xen: CPU %d already has spinlock irq %d\n",
		 cpu, q->irq))
		return;

	snprintf(q->name, sizeof(q->name), "spinlock%d", cpu);
	irq = bind_ipi_to_irqhandler(XEN_SPIN_UNLOCK_VECTOR, cpu,
				     xen_qlock_interrupt,
				     IRQF_PERCPU | IRQF_NOBALANCING,
				     q->name, NULL);
	if (irq < 0) {
		pr_warn("xen: CPU %d has no spinlock kick channel (error %d); its lock waits spin\n",
			cpu, irq);
		return;
	}
	disable_irq(irq);
	WRITE_ONCE(q->irq, irq);
}

/* Take it away when @cpu has gone down (CPU hotplug). */
void xen_uninit_lock_cpu(int cpu)
{
	struct xen_qlock_cpu *q = per_cpu_ptr(&xen_qlock, cpu);
	int irq = q->irq;

	/* None: PV spinlocks off, the CPU never came up, or binding failed. */
	if (irq < 0)
		return;

	WRITE_ONCE(q->irq, -1);
	unbind_from_irqhandler(irq, NULL);
}

PV_CALLEE_SAVE_REGS_THUNK(xen_vcpu_stolen);

/*
 * Before the alternatives and paravirt sites are patched, and before the
 * other CPUs come up: the sites of queued_spin_unlock become calls of the
 * PV unlock only if it is set here.
 */
void __init xen_init_spinlocks(void)
{
	const char *off = NULL;

	if (num_possible_cpus() == 1)
		off = "one vCPU";
	else if (nopvspin)
		off = "nopvspin";
	else if (!xen_pvspin)
		off = "xen_nopvspin";

	if (off) {
		xen_pvspin = false;
		pr_info("xen: PV spinlocks off (%s)\n", off);
		/* The native qspinlock, not the unfair test-and-set lock. */
		static_branch_disable(&virt_spin_lock_key);
		return;
	}
	pr_info("xen: PV spinlocks on: lock waits poll an event channel\n");

	__pv_init_lock_hash();
	pv_ops.lock.queued_spin_lock_slowpath = __pv_queued_spin_lock_slowpath;
	pv_ops.lock.queued_spin_unlock =
		PV_CALLEE_SAVE(__pv_queued_spin_unlock);
	pv_ops.lock.wait = xen_qlock_wait;
	pv_ops.lock.kick = xen_qlock_kick;
	pv_ops.lock.vcpu_is_preempted = PV_CALLEE_SAVE(xen_vcpu_stolen);
}

static int __init xen_parse_nopvspin(char *arg)
{
	pr_notice("\"xen_nopvspin\" is deprecated; use \"nopvspin\"\n");
	xen_pvspin = false;
	return 0;
}
early_param("xen_nopvspin", xen_parse_nopvspin);

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "spinlock-test.h"
#endif
