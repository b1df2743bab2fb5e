// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of the Xen guest's paravirtual backends in debugfs.
 *
 * Every counter and histogram is named once in <xen/pvstats_list.h>; the
 * same list expands into the enums of <xen/pvstats.h>, the per-cpu storage
 * and the file names below, so a statistic cannot exist in one place and
 * be missing in another. Each list entry XEN_PVSTAT(dir, name) becomes
 * /sys/kernel/debug/xen/<dir>/<name>, one u64 summed over the CPUs when
 * read; XEN_PVHIST(dir, name) a log2 histogram, one "range count" line per
 * non-empty bucket. xen/hypercalls/table counts hypercalls by number, those
 * issued on their own and those issued inside a multicall.
 * xen/mmu/pte_hypercall_callers names the code whose PTE writes went to
 * Xen one at a time (outside a lazy-MMU section), most frequent first:
 * what is left to batch.
 *
 * Each directory has zero_stats: writing 1 restarts its counters, anything
 * else is refused with -EINVAL. xen/stats_enabled turns counting on (1) or
 * off (0); the boot parameter xen_pvstats=on|off sets it at boot (off by
 * default). Turning counting off keeps the counts; it does not zero them.
 *
 * Updates race with zeroing and with each other (raw_cpu ops, no locks):
 * a count may be off by the few updates in flight, never more.
 */
#define pr_fmt(fmt) "xen_pvstats: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/interface/xen.h>
#include <xen/pvstats.h>
#include <xen/xen.h>

DEFINE_STATIC_KEY_FALSE(xen_pvstats_key);
DEFINE_PER_CPU(u64 [XEN_PVSTATS_NR], xen_pvstats);
DEFINE_PER_CPU(u64 [XEN_PVHISTS_NR][XEN_PVSTATS_BUCKETS], xen_pvhists);
DEFINE_PER_CPU(u64 [XEN_PVSTATS_CALL_KINDS][XEN_PVSTATS_NR_HYPERCALLS],
	       xen_pvstats_calls);

struct xen_pvstats_name {
	const char *dir;
	const char *name;
};

static const struct xen_pvstats_name xen_pvstat_names[XEN_PVSTATS_NR] = {
#define XEN_PVSTAT(dir, name)	{ #dir, #name },
#define XEN_PVHIST(dir, name)
#include <xen/pvstats_list.h>
#undef XEN_PVSTAT
#undef XEN_PVHIST
};

static const struct xen_pvstats_name xen_pvhist_names[XEN_PVHISTS_NR] = {
#define XEN_PVSTAT(dir, name)
#define XEN_PVHIST(dir, name)	{ #dir, #name },
#include <xen/pvstats_list.h>
#undef XEN_PVSTAT
#undef XEN_PVHIST
};

#define XEN_PVSTATS_CALLS_DIR	"hypercalls"

static const struct {
	unsigned int nr;
	const char *name;
} xen_hypercall_names[] = {
#define HCALL(name)	{ __HYPERVISOR_##name, #name }
	HCALL(set_trap_table), HCALL(mmu_update), HCALL(set_gdt),
	HCALL(stack_switch), HCALL(set_callbacks), HCALL(fpu_taskswitch),
	HCALL(sched_op_compat), HCALL(platform_op), HCALL(set_debugreg),
	HCALL(get_debugreg), HCALL(update_descriptor), HCALL(memory_op),
	HCALL(multicall), HCALL(update_va_mapping), HCALL(set_timer_op),
	HCALL(event_channel_op_compat), HCALL(xen_version), HCALL(console_io),
	HCALL(physdev_op_compat), HCALL(grant_table_op), HCALL(vm_assist),
	HCALL(update_va_mapping_otherdomain), HCALL(iret), HCALL(vcpu_op),
	HCALL(set_segment_base), HCALL(mmuext_op), HCALL(xsm_op),
	HCALL(nmi_op), HCALL(sched_op), HCALL(callback_op),
	HCALL(xenoprof_op), HCALL(event_channel_op), HCALL(physdev_op),
	HCALL(hvm_op), HCALL(sysctl), HCALL(domctl), HCALL(kexec_op),
	HCALL(tmem_op), HCALL(xc_reserved_op), HCALL(xenpmu_op), HCALL(dm_op),
	HCALL(arch_0), HCALL(arch_1), HCALL(arch_2), HCALL(arch_3),
	HCALL(arch_4), HCALL(arch_5), HCALL(arch_6), HCALL(arch_7),
#undef HCALL
};

static const char *xen_hypercall_name(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_hypercall_names); i++)
		if (xen_hypercall_names[i].nr == nr)
			return xen_hypercall_names[i].name;
	return "unknown";
}

/*
 * A direct call is counted in the table when it is issued (the counting
 * xen_hypercall, xen_pvstats_count_hypercalls()); a sub-call here.
 */
void __xen_pvstats_mmu_update(unsigned int count,
			      enum xen_pvstats_call_kind kind)
{
	if (kind == XEN_PVSTATS_CALL_MULTI)
		raw_cpu_inc(xen_pvstats_calls[kind][__HYPERVISOR_mmu_update]);
	__xen_pvstat_inc(mmu, mmu_update_hypercalls);
	__xen_pvstat_add(mmu, mmu_updates, count);
	__xen_pvstat_hist(mmu, updates_per_hypercall, count);
}

void __xen_pvstats_mmuext(const struct mmuext_op *ops, unsigned int count,
			  enum xen_pvstats_call_kind kind)
{
	unsigned int i;

	if (kind == XEN_PVSTATS_CALL_MULTI)
		raw_cpu_inc(xen_pvstats_calls[kind][__HYPERVISOR_mmuext_op]);
	for (i = 0; i < count; i++) {
		switch (ops[i].cmd) {
		case MMUEXT_PIN_L1_TABLE:
		case MMUEXT_PIN_L2_TABLE:
		case MMUEXT_PIN_L3_TABLE:
		case MMUEXT_PIN_L4_TABLE:
			__xen_pvstat_inc(mmu, mmuext_pin);
			break;
		case MMUEXT_UNPIN_TABLE:
			__xen_pvstat_inc(mmu, mmuext_unpin);
			break;
		case MMUEXT_NEW_BASEPTR:
		case MMUEXT_NEW_USER_BASEPTR:
			__xen_pvstat_inc(mmu, mmuext_new_baseptr);
			break;
		case MMUEXT_TLB_FLUSH_LOCAL:
		case MMUEXT_INVLPG_LOCAL:
		case MMUEXT_TLB_FLUSH_MULTI:
		case MMUEXT_INVLPG_MULTI:
		case MMUEXT_TLB_FLUSH_ALL:
		case MMUEXT_INVLPG_ALL:
			__xen_pvstat_inc(mmu, mmuext_tlb_flush);
			break;
		default:
			__xen_pvstat_inc(mmu, mmuext_other);
		}
	}
}

/*
 * xen/mmu/pte_hypercall_callers: the return addresses of the PTE writes
 * issued alone, in a table shared by the CPUs. A slot is taken with a
 * cmpxchg of its address (open addressing, linear probing); a caller that
 * finds no slot counts as "other".
 */
#define XEN_PVSTATS_CALLERS	64
#define XEN_PVSTATS_CALLERS_DIR	"mmu"

static struct {
	unsigned long ip[XEN_PVSTATS_CALLERS];
	atomic64_t count[XEN_PVSTATS_CALLERS];
	atomic64_t other;
} xen_pte_callers;

void __xen_pvstats_pte_caller(unsigned long ip)
{
	unsigned int i, h = hash_long(ip, ilog2(XEN_PVSTATS_CALLERS));
	unsigned long cur;

	for (i = 0; i < XEN_PVSTATS_CALLERS; i++) {
		cur = READ_ONCE(xen_pte_callers.ip[h]);
		if (!cur)
			cur = cmpxchg(&xen_pte_callers.ip[h], 0, ip) ?: ip;
		if (cur == ip) {
			atomic64_inc(&xen_pte_callers.count[h]);
			return;
		}
		h = (h + 1) % XEN_PVSTATS_CALLERS;
	}
	atomic64_inc(&xen_pte_callers.other);
}

static void xen_pte_callers_zero(void)
{
	unsigned int i;

	for (i = 0; i < XEN_PVSTATS_CALLERS; i++) {
		WRITE_ONCE(xen_pte_callers.ip[i], 0);
		atomic64_set(&xen_pte_callers.count[i], 0);
	}
	atomic64_set(&xen_pte_callers.other, 0);
}

/* "count caller" lines, the largest count first. */
static int xen_pte_callers_show(struct seq_file *m, void *v)
{
	u64 count[XEN_PVSTATS_CALLERS], best, other;
	unsigned int i, b;

	for (i = 0; i < XEN_PVSTATS_CALLERS; i++)
		count[i] = atomic64_read(&xen_pte_callers.count[i]);
	for (;;) {
		best = 0;
		for (i = 0; i < XEN_PVSTATS_CALLERS; i++) {
			if (count[i] > best) {
				best = count[i];
				b = i;
			}
		}
		if (!best)
			break;
		seq_printf(m, "%llu %pS\n", best,
			   (void *)READ_ONCE(xen_pte_callers.ip[b]));
		count[b] = 0;
	}
	other = atomic64_read(&xen_pte_callers.other);
	if (other)
		seq_printf(m, "%llu other\n", other);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_pte_callers);

static u64 xen_pvstats_sum(u64 __percpu *counter)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

/* Zero n consecutive per-cpu u64s starting at first, on every CPU. */
static void xen_pvstats_clear(u64 __percpu *first, size_t n)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(first, cpu), 0, n * sizeof(u64));
}

/* Restart every statistic shown in xen/<dir>. */
static void xen_pvstats_zero_dir(const char *dir)
{
	unsigned int i;

	for (i = 0; i < XEN_PVSTATS_NR; i++)
		if (!strcmp(xen_pvstat_names[i].dir, dir))
			xen_pvstats_clear(&xen_pvstats[i], 1);
	for (i = 0; i < XEN_PVHISTS_NR; i++)
		if (!strcmp(xen_pvhist_names[i].dir, dir))
			xen_pvstats_clear(&xen_pvhists[i][0], XEN_PVSTATS_BUCKETS);
	if (!strcmp(dir, XEN_PVSTATS_CALLS_DIR))
		xen_pvstats_clear(&xen_pvstats_calls[0][0],
				  XEN_PVSTATS_NR_HYPERCALLS * XEN_PVSTATS_CALL_KINDS);
	if (!strcmp(dir, XEN_PVSTATS_CALLERS_DIR))
		xen_pte_callers_zero();
}

/* The architecture counts direct hypercalls, if it can. */
void __weak xen_pvstats_count_hypercalls(bool on)
{
}

void xen_pvstats_set_enabled(bool on)
{
	if (on) {
		static_branch_enable(&xen_pvstats_key);
		xen_pvstats_count_hypercalls(true);
	} else {
		xen_pvstats_count_hypercalls(false);
		static_branch_disable(&xen_pvstats_key);
	}
}

/*
 * The control files take "0" or "1" (a trailing newline allowed); parse
 * into *val, -EINVAL for anything else.
 */
static int xen_pvstats_parse_01(const char *buf, unsigned int *val)
{
	if (kstrtouint(buf, 10, val) || *val > 1)
		return -EINVAL;
	return 0;
}

static int xen_pvstats_parse_user(const char __user *ubuf, size_t len,
				  unsigned int *val)
{
	char buf[8];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return xen_pvstats_parse_01(buf, val);
}

static int xen_pvstat_get(void *data, u64 *val)
{
	*val = xen_pvstats_sum(&xen_pvstats[(unsigned long)data]);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_pvstat_fops, xen_pvstat_get, NULL, "%llu\n");

static int xen_pvhist_show(struct seq_file *m, void *v)
{
	unsigned long h = (unsigned long)m->private;
	unsigned int b;
	u64 count;

	for (b = 0; b < XEN_PVSTATS_BUCKETS; b++) {
		count = xen_pvstats_sum(&xen_pvhists[h][b]);
		if (!count)
			continue;
		if (b <= 1)
			seq_printf(m, "%u %llu\n", b, count);
		else if (b == XEN_PVSTATS_BUCKETS - 1)
			seq_printf(m, "%llu+ %llu\n", 1ULL << (b - 1), count);
		else
			seq_printf(m, "%llu-%llu %llu\n", 1ULL << (b - 1),
				   (1ULL << b) - 1, count);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_pvhist);

static int xen_pvstats_calls_show(struct seq_file *m, void *v)
{
	u64 direct, multi, total_direct = 0, total_multi = 0;
	unsigned int nr;

	seq_printf(m, "%-3s %-30s %12s %12s\n", "nr", "hypercall", "direct",
		   "in_multicall");
	for (nr = 0; nr < XEN_PVSTATS_NR_HYPERCALLS; nr++) {
		direct = xen_pvstats_sum(&xen_pvstats_calls[XEN_PVSTATS_CALL_DIRECT][nr]);
		multi = xen_pvstats_sum(&xen_pvstats_calls[XEN_PVSTATS_CALL_MULTI][nr]);
		if (!direct && !multi)
			continue;
		seq_printf(m, "%-3u %-30s %12llu %12llu\n", nr,
			   xen_hypercall_name(nr), direct, multi);
		total_direct += direct;
		total_multi += multi;
	}
	seq_printf(m, "%-3s %-30s %12llu %12llu\n", "-", "total", total_direct,
		   total_multi);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_pvstats_calls);

static ssize_t xen_pvstats_zero_write(struct file *file, const char __user *ubuf,
				      size_t len, loff_t *ppos)
{
	const char *dir = file_inode(file)->i_private;
	unsigned int val;
	int ret;

	ret = xen_pvstats_parse_user(ubuf, len, &val);
	if (ret)
		return ret;
	if (val != 1)
		return -EINVAL;
	xen_pvstats_zero_dir(dir);
	return len;
}

static const struct file_operations xen_pvstats_zero_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = xen_pvstats_zero_write,
	.llseek = no_llseek,
};

static ssize_t xen_pvstats_enabled_read(struct file *file, char __user *ubuf,
					size_t len, loff_t *ppos)
{
	char buf[3] = { xen_pvstats_enabled() ? '1' : '0', '\n', '\0' };

	return simple_read_from_buffer(ubuf, len, ppos, buf, 2);
}

static ssize_t xen_pvstats_enabled_write(struct file *file,
					 const char __user *ubuf, size_t len,
					 loff_t *ppos)
{
	unsigned int val;
	int ret;

	ret = xen_pvstats_parse_user(ubuf, len, &val);
	if (ret)
		return ret;
	xen_pvstats_set_enabled(val);
	return len;
}

static const struct file_operations xen_pvstats_enabled_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = xen_pvstats_enabled_read,
	.write = xen_pvstats_enabled_write,
	.llseek = default_llseek,
};

static struct dentry *xen_debugfs_top;
static DEFINE_MUTEX(xen_debugfs_mutex);

static struct dentry *__xen_debugfs_root(void)
{
	lockdep_assert_held(&xen_debugfs_mutex);
	if (!xen_debugfs_top)
		xen_debugfs_top = debugfs_create_dir("xen", NULL);
	return xen_debugfs_top;
}

/* /sys/kernel/debug/xen, made on first use; never removed. */
struct dentry *xen_debugfs_root(void)
{
	struct dentry *d;

	mutex_lock(&xen_debugfs_mutex);
	d = __xen_debugfs_root();
	mutex_unlock(&xen_debugfs_mutex);
	return d;
}

/*
 * /sys/kernel/debug/xen/<name>, made on first use and shared by every
 * user (the statistics of mmu/ and the p2m dump live in one directory).
 */
struct dentry *xen_debugfs_dir(const char *name)
{
	struct dentry *d;

	mutex_lock(&xen_debugfs_mutex);
	d = debugfs_lookup(name, __xen_debugfs_root());
	if (d)
		dput(d);	/* debugfs keeps its own reference */
	else
		d = debugfs_create_dir(name, __xen_debugfs_root());
	mutex_unlock(&xen_debugfs_mutex);
	return d;
}

/* xen/<dir> of the statistics, with its zero_stats. */
static struct dentry *xen_pvstats_dir(const char *dir)
{
	struct dentry *d = xen_debugfs_dir(dir);
	struct dentry *f = debugfs_lookup("zero_stats", d);

	if (f)
		dput(f);
	else
		debugfs_create_file("zero_stats", 0200, d, (void *)dir,
				    &xen_pvstats_zero_fops);
	return d;
}

static bool xen_pvstats_boot_on __initdata;

/* Parsed early, applied by the initcall below. */
static int __init xen_pvstats_param(char *arg)
{
	xen_onoff_param("xen_pvstats", arg, &xen_pvstats_boot_on);
	return 0;
}
early_param("xen_pvstats", xen_pvstats_param);

/* Count from early boot on when asked to, before most backends run. */
static int __init xen_pvstats_early_init(void)
{
	if (xen_domain() && xen_pvstats_boot_on)
		xen_pvstats_set_enabled(true);
	return 0;
}
early_initcall(xen_pvstats_early_init);

static int __init xen_pvstats_init(void)
{
	unsigned long i;

	if (!xen_domain())
		return 0;
	debugfs_create_file("stats_enabled", 0600, xen_debugfs_root(), NULL,
			    &xen_pvstats_enabled_fops);
	for (i = 0; i < XEN_PVSTATS_NR; i++)
		debugfs_create_file_unsafe(xen_pvstat_names[i].name, 0400,
					   xen_pvstats_dir(xen_pvstat_names[i].dir),
					   (void *)i, &xen_pvstat_fops);
	for (i = 0; i < XEN_PVHISTS_NR; i++)
		debugfs_create_file(xen_pvhist_names[i].name, 0400,
				    xen_pvstats_dir(xen_pvhist_names[i].dir),
				    (void *)i, &xen_pvhist_fops);
	debugfs_create_file("table", 0400, xen_pvstats_dir(XEN_PVSTATS_CALLS_DIR),
			    NULL, &xen_pvstats_calls_fops);
	debugfs_create_file("pte_hypercall_callers", 0400,
			    xen_pvstats_dir(XEN_PVSTATS_CALLERS_DIR), NULL,
			    &xen_pte_callers_fops);
	pr_info("statistics in /sys/kernel/debug/xen, counting %s\n",
		xen_pvstats_enabled() ? "on" : "off (xen_pvstats=on to count)");
	return 0;
}
fs_initcall(xen_pvstats_init);

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "pvstats-test.h"
#endif
