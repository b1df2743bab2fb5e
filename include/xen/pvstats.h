/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics of the Xen guest's paravirtual backends, shown in debugfs as
 * /sys/kernel/debug/xen/<dir>/<name>; see Documentation/xen/pvstats.rst.
 *
 * Every counter and histogram is named once, in <xen/pvstats_list.h>.
 * They are per-cpu u64s bumped with raw_cpu ops (an update lost to
 * preemption is acceptable for statistics) and summed over the CPUs when
 * a file is read.
 *
 * Counting costs nothing when it is off: every update sits behind the
 * static key xen_pvstats_key, a patched NOP until counting is turned on
 * (boot parameter xen_pvstats=on, or writing 1 to
 * /sys/kernel/debug/xen/stats_enabled). Without CONFIG_XEN_DEBUG_FS the
 * updates compile to nothing.
 */
#ifndef __XEN_PVSTATS_H__
#define __XEN_PVSTATS_H__

/* Hypercall numbers the table counts (all of Xen's are below 64). */
#define XEN_PVSTATS_NR_HYPERCALLS	64

#ifndef __ASSEMBLY__

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/types.h>

enum xen_pvstat {
#define XEN_PVSTAT(dir, name)	XEN_PVSTAT_##dir##_##name,
#define XEN_PVHIST(dir, name)
#include <xen/pvstats_list.h>
#undef XEN_PVSTAT
#undef XEN_PVHIST
	XEN_PVSTATS_NR
};

enum xen_pvhist {
#define XEN_PVSTAT(dir, name)
#define XEN_PVHIST(dir, name)	XEN_PVHIST_##dir##_##name,
#include <xen/pvstats_list.h>
#undef XEN_PVSTAT
#undef XEN_PVHIST
	XEN_PVHISTS_NR
};

/* Bucket 0 counts the value 0, bucket b the values [2^(b-1), 2^b). */
#define XEN_PVSTATS_BUCKETS	32

/* Columns of the hypercall table. */
enum xen_pvstats_call_kind {
	XEN_PVSTATS_CALL_DIRECT,	/* a hypercall of its own */
	XEN_PVSTATS_CALL_MULTI,		/* a sub-call of a multicall */
	XEN_PVSTATS_CALL_KINDS
};

/*
 * The value of an on|off boot parameter (xen_pvstats=, xen_inline_irq=):
 * *on set, or -EINVAL and *on unchanged.
 */
static inline int xen_parse_onoff(const char *arg, bool *on)
{
	if (!strcmp(arg, "on"))
		*on = true;
	else if (!strcmp(arg, "off"))
		*on = false;
	else
		return -EINVAL;
	return 0;
}

/*
 * The handler of such a parameter: a value other than on or off is named
 * in the kernel log, and *on kept.
 */
static inline void xen_onoff_param(const char *param, const char *arg, bool *on)
{
	if (!arg || xen_parse_onoff(arg, on))
		pr_warn("%s=%s is not valid (on or off); keeping %s\n",
			param, arg ?: "", *on ? "on" : "off");
}

static __always_inline unsigned int xen_pvstats_bucket(u64 value)
{
	unsigned int b = fls64(value);

	return b < XEN_PVSTATS_BUCKETS ? b : XEN_PVSTATS_BUCKETS - 1;
}

/*
 * The counts of an mmu_update or mmuext_op call, for code that runs only
 * while counting is on; declared in both builds, for such code's sake.
 */
struct mmuext_op;
void __xen_pvstats_mmu_update(unsigned int count,
			      enum xen_pvstats_call_kind kind);
void __xen_pvstats_mmuext(const struct mmuext_op *ops, unsigned int count,
			  enum xen_pvstats_call_kind kind);
/* A PTE write issued alone, by the code at ip (mmu/pte_hypercall_callers). */
void __xen_pvstats_pte_caller(unsigned long ip);

#ifdef CONFIG_XEN_DEBUG_FS

DECLARE_STATIC_KEY_FALSE(xen_pvstats_key);
DECLARE_PER_CPU(u64 [XEN_PVSTATS_NR], xen_pvstats);
DECLARE_PER_CPU(u64 [XEN_PVHISTS_NR][XEN_PVSTATS_BUCKETS], xen_pvhists);
DECLARE_PER_CPU(u64 [XEN_PVSTATS_CALL_KINDS][XEN_PVSTATS_NR_HYPERCALLS],
		xen_pvstats_calls);

static __always_inline bool xen_pvstats_enabled(void)
{
	return static_branch_unlikely(&xen_pvstats_key);
}

/*
 * The __ forms count without looking at the key: for code that runs only
 * while counting is on (behind one xen_pvstats_enabled() of its own), so
 * that each of its counters does not pay a jump of its own.
 */
static __always_inline void __xen_pvstat_add_idx(enum xen_pvstat idx, u64 n)
{
	raw_cpu_add(xen_pvstats[idx], n);
}

static __always_inline void xen_pvstat_add_idx(enum xen_pvstat idx, u64 n)
{
	if (xen_pvstats_enabled())
		__xen_pvstat_add_idx(idx, n);
}

static __always_inline void __xen_pvstat_hist_idx(enum xen_pvhist idx, u64 v)
{
	raw_cpu_inc(xen_pvhists[idx][xen_pvstats_bucket(v)]);
}

static __always_inline void xen_pvstat_hist_idx(enum xen_pvhist idx, u64 v)
{
	if (xen_pvstats_enabled())
		__xen_pvstat_hist_idx(idx, v);
}

/* One hypercall of number nr, issued directly or inside a multicall. */
static __always_inline void __xen_pvstats_call(unsigned int nr,
					       enum xen_pvstats_call_kind kind)
{
	if (nr < XEN_PVSTATS_NR_HYPERCALLS)
		raw_cpu_inc(xen_pvstats_calls[kind][nr]);
}

static __always_inline void xen_pvstats_call(unsigned int nr,
					     enum xen_pvstats_call_kind kind)
{
	if (xen_pvstats_enabled())
		__xen_pvstats_call(nr, kind);
}

/*
 * An mmu_update hypercall (kind DIRECT) or multicall entry (MULTI)
 * carrying count updates: the call in the table and its updates in
 * xen/mmu/, behind one static-key site.
 */
static __always_inline void
xen_pvstats_mmu_update(unsigned int count, enum xen_pvstats_call_kind kind)
{
	if (xen_pvstats_enabled())
		__xen_pvstats_mmu_update(count, kind);
}

/* The same for an mmuext_op call: the call, and its ops by kind. */
static __always_inline void
xen_pvstats_mmuext(const struct mmuext_op *ops, unsigned int count,
		   enum xen_pvstats_call_kind kind)
{
	if (xen_pvstats_enabled())
		__xen_pvstats_mmuext(ops, count, kind);
}

/* Turn counting on or off (may sleep), like xen/stats_enabled. */
void xen_pvstats_set_enabled(bool on);

/*
 * Count, or stop counting, every hypercall issued directly in the table's
 * DIRECT column; the arch's, called by xen_pvstats_set_enabled().
 */
void xen_pvstats_count_hypercalls(bool on);

struct dentry *xen_debugfs_root(void);
struct dentry *xen_debugfs_dir(const char *name);

#else /* !CONFIG_XEN_DEBUG_FS */

static inline void xen_pvstats_set_enabled(bool on)
{
}

static __always_inline bool xen_pvstats_enabled(void)
{
	return false;
}

static __always_inline void __xen_pvstat_add_idx(enum xen_pvstat idx, u64 n)
{
}

static __always_inline void xen_pvstat_add_idx(enum xen_pvstat idx, u64 n)
{
}

static __always_inline void __xen_pvstat_hist_idx(enum xen_pvhist idx, u64 v)
{
}

static __always_inline void xen_pvstat_hist_idx(enum xen_pvhist idx, u64 v)
{
}

static __always_inline void __xen_pvstats_call(unsigned int nr,
					       enum xen_pvstats_call_kind kind)
{
}

static __always_inline void xen_pvstats_call(unsigned int nr,
					     enum xen_pvstats_call_kind kind)
{
}

static __always_inline void
xen_pvstats_mmu_update(unsigned int count, enum xen_pvstats_call_kind kind)
{
}

static __always_inline void
xen_pvstats_mmuext(const struct mmuext_op *ops, unsigned int count,
		   enum xen_pvstats_call_kind kind)
{
}

#endif /* CONFIG_XEN_DEBUG_FS */

/* xen_pvstat_add(mmu, mmu_updates, n): add n to xen/mmu/mmu_updates. */
#define xen_pvstat_add(dir, name, n)	\
	xen_pvstat_add_idx(XEN_PVSTAT_##dir##_##name, (n))
#define xen_pvstat_inc(dir, name)	xen_pvstat_add(dir, name, 1)

/* xen_pvstat_hist(mmu, updates_per_hypercall, v): count the value v. */
#define xen_pvstat_hist(dir, name, v)	\
	xen_pvstat_hist_idx(XEN_PVHIST_##dir##_##name, (v))

/* The same, for code that runs only while counting is on. */
#define __xen_pvstat_add(dir, name, n)	\
	__xen_pvstat_add_idx(XEN_PVSTAT_##dir##_##name, (n))
#define __xen_pvstat_inc(dir, name)	__xen_pvstat_add(dir, name, 1)
#define __xen_pvstat_hist(dir, name, v)	\
	__xen_pvstat_hist_idx(XEN_PVHIST_##dir##_##name, (v))

#endif /* !__ASSEMBLY__ */

#endif /* __XEN_PVSTATS_H__ */
