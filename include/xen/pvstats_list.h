/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every statistic of the Xen guest's paravirtual backends, named once.
 *
 * XEN_PVSTAT(dir, name) is a u64 counter, XEN_PVHIST(dir, name) a log2
 * histogram; each is the file /sys/kernel/debug/xen/<dir>/<name>. The
 * entries of one directory stand together, in the order the files are
 * listed. Units and healthy values: Documentation/xen/pvstats.rst.
 *
 * No include guard: include/xen/pvstats.h and drivers/xen/pvstats.c expand
 * this list several times with different definitions of the two macros.
 */

/* multicalls/: the per-cpu batch of hypercalls */
XEN_PVSTAT(multicalls, batches)			/* flushes that issued at least one entry */
XEN_PVSTAT(multicalls, entries)			/* entries those flushes issued */
XEN_PVSTAT(multicalls, issued_multicall)	/* batches issued as one multicall hypercall */
XEN_PVSTAT(multicalls, issued_single)		/* one-entry batches issued as a plain hypercall */
XEN_PVSTAT(multicalls, flush_entries_full)	/* flushes forced by a full entry array */
XEN_PVSTAT(multicalls, flush_args_full)		/* flushes forced by full argument space */
XEN_PVSTAT(multicalls, flush_callbacks_full)	/* flushes forced by a full callback array */
XEN_PVSTAT(multicalls, flush_explicit)		/* flushes asked for by a caller */
XEN_PVSTAT(multicalls, flush_lazy_end)		/* flushes ending a lazy MMU or CPU section */
XEN_PVSTAT(multicalls, failed_entries)		/* entries (and elements issued again) Xen failed */
XEN_PVHIST(multicalls, entries_per_batch)	/* entries per non-empty flush */

/* mmu/: page-table updates */
XEN_PVSTAT(mmu, pte_hypercall)			/* PTE writes issued at once as an mmu_update */
XEN_PVSTAT(mmu, pte_batched)			/* PTE writes queued in a lazy-MMU batch */
XEN_PVSTAT(mmu, pte_trapped)			/* PTE writes left to trap into Xen */
XEN_PVSTAT(mmu, pte_wrprotect)			/* of the first two: fork write-protects */
XEN_PVSTAT(mmu, pte_clear)			/* of the first two: ptep_get_and_clear */
XEN_PVSTAT(mmu, pte_clear_trapped)		/* of pte_trapped: ptep_get_and_clear's xchg */
XEN_PVSTAT(mmu, mmu_update_hypercalls)		/* mmu_update calls, direct or in a multicall */
XEN_PVSTAT(mmu, mmu_updates)			/* updates those calls carried */
XEN_PVHIST(mmu, updates_per_hypercall)		/* updates per mmu_update call */
XEN_PVSTAT(mmu, mmuext_pin)			/* MMUEXT_PIN_L{1,2,3,4}_TABLE ops */
XEN_PVSTAT(mmu, mmuext_unpin)			/* MMUEXT_UNPIN_TABLE ops */
XEN_PVSTAT(mmu, mmuext_new_baseptr)		/* MMUEXT_NEW_BASEPTR and NEW_USER_BASEPTR ops */
XEN_PVSTAT(mmu, mmuext_tlb_flush)		/* MMUEXT TLB flush and INVLPG ops */
XEN_PVSTAT(mmu, mmuext_other)			/* every other mmuext op */
XEN_PVSTAT(mmu, lazy_enter)			/* lazy-MMU sections entered */
XEN_PVSTAT(mmu, lazy_leave)			/* lazy-MMU sections left */
XEN_PVSTAT(mmu, remap_hypercalls)		/* mmu_update calls of foreign mappings */
XEN_PVSTAT(mmu, remap_ptes)			/* foreign frames those calls mapped */
XEN_PVSTAT(mmu, remap_failed)			/* foreign frames Xen refused to map */
XEN_PVHIST(mmu, remap_ptes_per_hypercall)	/* PTEs per foreign-mapping mmu_update */

/* irq/: the virtual interrupt flag and event delivery */
XEN_PVSTAT(irq, event_check_hypercalls)		/* irq_enable found an event pending */
XEN_PVSTAT(irq, block)				/* safe_halt: SCHEDOP_block */
XEN_PVSTAT(irq, halt)				/* halt with interrupts off: VCPUOP_down */
XEN_PVSTAT(irq, upcalls)			/* event-channel upcalls taken */

/* tls/: TLS, GDT and LDT descriptors, segment bases, the context switch */
XEN_PVSTAT(tls, load_tls)			/* load_tls calls (context switches) */
XEN_PVSTAT(tls, desc_updated)			/* TLS descriptors written to the GDT */
XEN_PVSTAT(tls, desc_skipped)			/* TLS descriptors left alone as unchanged */
XEN_PVSTAT(tls, slot0_updated)			/* of those written: TLS slot 0 */
XEN_PVSTAT(tls, slot1_updated)			/* ... slot 1 */
XEN_PVSTAT(tls, slot2_updated)			/* ... slot 2 */
XEN_PVSTAT(tls, slot0_skipped)			/* of those left alone: TLS slot 0 */
XEN_PVSTAT(tls, slot1_skipped)			/* ... slot 1 */
XEN_PVSTAT(tls, slot2_skipped)			/* ... slot 2 */
XEN_PVSTAT(tls, gdt_writes)			/* GDT entries written (write_gdt_entry) */
XEN_PVSTAT(tls, ldt_writes)			/* LDT entries written (write_ldt_entry) */
XEN_PVSTAT(tls, segbase_queued)			/* set_segment_base queued in a switch's batch */
XEN_PVSTAT(tls, segbase_direct)			/* set_segment_base issued on its own */
XEN_PVSTAT(tls, gs_sel_folded)			/* %gs selector loads replaced by the next */
XEN_PVSTAT(tls, switches)			/* context switches, start to end */
XEN_PVSTAT(tls, switch_flush_early)		/* switches whose batch went before the segments */
XEN_PVHIST(tls, switch_hypercalls)		/* hypercalls per context switch */

/* spinlocks/: what only Xen knows of the PV qspinlock slow path */
XEN_PVSTAT(spinlocks, poll_hypercalls)		/* waits that blocked in SCHEDOP_poll */
XEN_PVSTAT(spinlocks, kicks)			/* kick IPIs sent to a waiting CPU */
XEN_PVSTAT(spinlocks, pending_kick)		/* waits that found their kick already pending */
XEN_PVSTAT(spinlocks, still_held)		/* wakeups finding the lock byte unchanged */
XEN_PVSTAT(spinlocks, nested_waits)		/* waits begun inside another wait */
XEN_PVHIST(spinlocks, blocked_ns)		/* nanoseconds blocked per poll */
