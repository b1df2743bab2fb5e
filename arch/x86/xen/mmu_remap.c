// SPDX-License-Identifier: GPL-2.0
/*
 * Foreign mappings of a Xen PV domain: xen_remap_pfn().
 *
 * privcmd's IOCTL_PRIVCMD_MMAPBATCH_V2 and IOCTL_PRIVCMD_MMAP, through
 * xen_remap_domain_gfn_array(), _mfn_array() and _gfn_range(), map
 * another domain's frames into a VM_IO | VM_PFNMAP mapping of a process:
 * dom0's toolstack does it for every page it saves, restores, migrates or
 * builds. Each PTE is an element of an mmu_update whose last argument
 * names the domain that owns the frames; Xen checks every frame against
 * it and refuses the ones the caller may not map.
 *
 * Upstream issued one mmu_update per 16 PTEs. Here one carries up to a
 * page table's worth (512): apply_to_page_range() makes the page tables
 * and collects the PTEs' machine addresses into the batch, then the batch
 * goes to Xen. The batch is 8 KiB, allocated per call; if that fails, 16
 * on the stack, as before.
 *
 * The ABI is upstream's. With err_ptr (the array forms), every frame gets
 * its result there: 0, or Xen's error for that frame; a failed frame is
 * skipped and the ones after it are still mapped. err_ptr may be the
 * frame array itself (privcmd passes it so), so a batch's results are
 * written only once all of its frames were read. The return value is the
 * number of frames mapped, or the error of the last mmu_update issued if
 * it failed. Without err_ptr (a contiguous range) the first failure ends
 * the call with its error.
 *
 * Counted in /sys/kernel/debug/xen/mmu/remap_* and in the mmu_update
 * statistics (Documentation/xen/pvstats.rst).
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/pvstats.h>
#include <xen/xen-ops.h>

#include "mmu.h"

/* PTEs per mmu_update: a page table's worth. */
#define XEN_REMAP_BATCH		PTRS_PER_PTE
/* The same on the stack, when the batch cannot be allocated. */
#define XEN_REMAP_BATCH_STACK	16

struct xen_remap {
	struct mmu_update *u;	/* the batch */
	unsigned int n;		/* PTEs queued in it */
	xen_pfn_t *frames;	/* the next frame, or NULL: next_frame */
	xen_pfn_t next_frame;	/* the next frame of a contiguous range */
	unsigned int cmd;	/* MMU_NORMAL_PT_UPDATE or _NO_TRANSLATE */
	pgprot_t prot;
};

/* apply_to_page_range()'s callback: queue the PTE at ptep. */
static int xen_remap_queue(pte_t *ptep, unsigned long addr, void *data)
{
	struct xen_remap *r = data;
	xen_pfn_t frame = r->frames ? *r->frames++ : r->next_frame++;
	struct mmu_update *u = &r->u[r->n++];

	u->ptr = virt_to_machine(ptep).maddr | r->cmd;
	u->val = pte_val_ma(pte_mkspecial(mfn_pte(frame, r->prot)));
	return 0;
}

/*
 * Issue the batch for domid, adding the frames mapped to *mapped. With
 * err, each frame's result goes there, and the return value is the
 * result of the last call; without, the first error ends it.
 */
static int xen_remap_issue(struct xen_remap *r, int *err, unsigned int domid,
			   int *mapped)
{
	unsigned int i = 0, j;
	int rc = 0;

	while (i < r->n) {
		unsigned int count = r->n - i;
		int done = 0;

		if (xen_pvstats_enabled()) {
			__xen_pvstat_inc(mmu, remap_hypercalls);
			__xen_pvstat_hist(mmu, remap_ptes_per_hypercall, count);
			__xen_pvstats_mmu_update(count, XEN_PVSTATS_CALL_DIRECT);
		}
		rc = HYPERVISOR_mmu_update(r->u + i, count, &done, domid);
		if (rc >= 0)
			done = count;
		else if (done < 0 || done >= count)
			done = 0;	/* not Xen's: count none as done */
		if (err) {
			for (j = i; j < i + done; j++)
				err[j] = 0;
		}
		*mapped += done;
		xen_pvstat_add(mmu, remap_ptes, done);
		i += done;
		if (rc < 0) {
			xen_pvstat_inc(mmu, remap_failed);
			if (!err)
				return rc;
			err[i++] = rc;	/* and go on after it */
		}
	}
	return rc;
}

static void xen_remap_flush_tlb_all(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_ALL };

	xen_pvstats_mmuext(&op, 1, XEN_PVSTATS_CALL_DIRECT);
	if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
		WARN_ONCE(1, "xen: TLB flush after a foreign mapping failed\n");
}

int xen_remap_pfn(struct vm_area_struct *vma, unsigned long addr,
		  xen_pfn_t *pfn, int nr, int *err_ptr, pgprot_t prot,
		  unsigned int domid, bool no_translate)
{
	struct mmu_update on_stack[XEN_REMAP_BATCH_STACK];
	struct xen_remap r = {
		.frames = err_ptr ? pfn : NULL,
		.next_frame = err_ptr ? 0 : *pfn,
		.cmd = no_translate ? MMU_PT_UPDATE_NO_TRANSLATE :
				      MMU_NORMAL_PT_UPDATE,
		.prot = prot,
	};
	unsigned int cap = XEN_REMAP_BATCH;
	int mapped = 0, rc = 0;

	if (WARN_ON_ONCE((vma->vm_flags & (VM_PFNMAP | VM_IO)) !=
			 (VM_PFNMAP | VM_IO)))
		return -EINVAL;

	r.u = nr > XEN_REMAP_BATCH_STACK ?
	      kmalloc_array(min_t(int, nr, XEN_REMAP_BATCH), sizeof(*r.u),
			    GFP_KERNEL | __GFP_NOWARN) : NULL;
	if (!r.u) {
		r.u = on_stack;
		cap = XEN_REMAP_BATCH_STACK;
	}

	while (nr > 0) {
		unsigned int batch = min_t(unsigned int, nr, cap);

		r.n = 0;
		rc = apply_to_page_range(vma->vm_mm, addr,
					 (unsigned long)batch << PAGE_SHIFT,
					 xen_remap_queue, &r);
		if (rc)
			break;
		rc = xen_remap_issue(&r, err_ptr, domid, &mapped);
		if (rc < 0 && !err_ptr)
			break;
		nr -= batch;
		addr += (unsigned long)batch << PAGE_SHIFT;
		if (err_ptr)
			err_ptr += batch;
		cond_resched();
	}

	xen_remap_flush_tlb_all();
	if (r.u != on_stack)
		kfree(r.u);
	return rc < 0 ? rc : mapped;
}
EXPORT_SYMBOL_GPL(xen_remap_pfn);

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "mmu_remap-test.h"
#endif
