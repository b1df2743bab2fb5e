// SPDX-License-Identifier: GPL-2.0
/*
 * pvtrace: count the entries into Xen of each domain in the windows that
 * pvbench -m TAG framed with marker hypercalls, from a binary xentrace
 * file (xentrace -e 0x00223000: PV entries, multicall sub-calls and
 * runstate changes).
 *
 * The file is a stream of Xen's struct t_rec: a 32-bit header (event:28,
 * extra_u32:3, cycles_included:1), a 64-bit TSC when cycles_included, then
 * extra_u32 32-bit data words. xentrace puts a TRC_TRACE_CPU_CHANGE record
 * (data: cpu, byte count) before each run of one physical CPU's records.
 * PV entry records do not name their domain: each is charged to the domain
 * whose vCPU last became "running" on that physical CPU (a
 * TRC_SCHED_RUNSTATE_CHANGE record on the same CPU; the new state is in
 * bits 4-5 of the event, the domain in the upper half of the first word).
 * A vCPU may move between physical CPUs inside a window, so the charged
 * records of all CPUs are then put in TSC order before the windows are cut.
 *
 * A window of domain D opens at D's vcpu_op(PVPERF_MARK_BEGIN, TAG) and
 * closes at its vcpu_op(PVPERF_MARK_END, TAG); the markers themselves are
 * not counted. One line per window:
 *
 *   window dom=D tag=T entries=E hypercalls=H subcalls=S ptwr=P
 *          privop=V traps=X pagefaults=F other=O hc.NR=N ... sc.NR=N ...
 *
 * entries = hypercalls + ptwr + privop + traps + pagefaults + other, every
 * traced way a PV guest enters Xen. Multicall sub-calls are not entries:
 * they ride in one multicall hypercall. A hypercall Xen preempted is
 * entered again by the guest to continue it; those entries are counted
 * in hypercalls and also apart, as continuations=N and ct.NR=N, so that
 * hypercalls - continuations is what the guest issued: mmu_update and
 * mmuext_op flag their continuation in their count (bit 31); a multicall
 * is a continuation when its count is what the one before it in the same
 * domain left undone, or when its first sub-call is a flagged one. A
 * sub-call continued that way is counted again as a sub-call, and apart as
 * cs.NR=N.
 *
 * Exit 1, naming the problem, on an unreadable or truncated file, records
 * lost by Xen, or a window that never closed; 2 on bad arguments.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marker.h"

#define TRACE_EXTRA_SHIFT		28
#define TRC_64_FLAG			0x100u
#define TRC_LOST_RECORDS		0x0001f001u
#define TRC_TRACE_WRAP_BUFFER		0x0001f002u
#define TRC_TRACE_CPU_CHANGE		0x0001f003u
#define TRC_SCHED_RUNSTATE_CHANGE	0x00021001u
#define TRC_RUNSTATE_MASK		0x330u	/* old << 8, new << 4 */
#define TRC_PV_CLASS_MASK		0x0ffff000u
#define TRC_PV_ENTRY			0x00201000u
#define TRC_PV_SUBCALL			0x00202000u
#define TRC_PV_TRAP			(TRC_PV_ENTRY + 3)
#define TRC_PV_PAGE_FAULT		(TRC_PV_ENTRY + 4)
#define TRC_PV_EMULATE_PRIVOP		(TRC_PV_ENTRY + 6)
#define TRC_PV_PTWR_EMULATION		(TRC_PV_ENTRY + 11)
#define TRC_PV_PTWR_EMULATION_PAE	(TRC_PV_ENTRY + 12)
#define TRC_PV_HYPERCALL_V2		(TRC_PV_ENTRY + 13)
#define TRC_PV_HYPERCALL_SUBCALL	(TRC_PV_SUBCALL + 14)
#define HC_ARG_MASK			0xfff00000u

#define HYPERVISOR_MMU_UPDATE	1
#define HYPERVISOR_MULTICALL	13
#define HYPERVISOR_MMUEXT_OP	26
#define MMU_UPDATE_PREEMPTED	0x80000000u

#define MAX_CPUS	64
#define MAX_DOMS	64
#define NR_HC		64
#define DOM_NONE	0xffffu

enum { HCALLS, SUBCALLS, PTWR, PRIVOP, TRAPS, PAGEFAULTS, OTHER, CONTS, NR_KINDS };
static const char * const kind_name[NR_KINDS] = {
	"hypercalls", "subcalls", "ptwr", "privop", "traps", "pagefaults", "other",
	"continuations"
};

struct window {
	int open;
	uint32_t tag;
	unsigned long long n[NR_KINDS];
	unsigned long long hc[NR_HC], sc[NR_HC], ct[NR_HC], cs[NR_HC];
	uint32_t mc_count, mc_done;	/* the last multicall, its sub-calls */
	int mc_cont;			/* ... was seen to be a continuation */
};

static struct window win[MAX_DOMS];
static unsigned int cpu_dom[MAX_CPUS];	/* domain running there */
static const char *file;
static unsigned long long nrec;

#define __attr(a)	__attribute__(a)
#define __printf(a, b)	__attr((format(printf, a, b)))
#define __noreturn	__attr((noreturn))

static __printf(1, 2) __noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pvtrace: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* " PREFIX.NR=N" for each hypercall number counted in m. */
static void print_by_nr(const char *prefix, const unsigned long long *m)
{
	int nr;

	for (nr = 0; nr < NR_HC; nr++)
		if (m[nr])
			printf(" %s.%d=%llu", prefix, nr, m[nr]);
}

static void print_window(unsigned int dom, const struct window *w)
{
	unsigned long long entries = 0;
	int k;

	for (k = 0; k < NR_KINDS; k++)
		if (k != SUBCALLS && k != CONTS)
			entries += w->n[k];
	printf("window dom=%u tag=%u entries=%llu", dom, w->tag, entries);
	for (k = 0; k < NR_KINDS; k++)
		printf(" %s=%llu", kind_name[k], w->n[k]);
	print_by_nr("hc", w->hc);
	print_by_nr("sc", w->sc);
	print_by_nr("ct", w->ct);
	print_by_nr("cs", w->cs);
	printf("\n");
}

/* A hypercall record: the op, and its first traced argument words. */
static void hypercall(unsigned int dom, const uint32_t *d, unsigned int nd,
		      int sub)
{
	struct window *w = &win[dom];
	uint32_t op = d[0] & ~HC_ARG_MASK;
	int cont = 0;

	if (!sub && op == HYPERVISOR_VCPU_OP && nd >= 3 &&
	    (d[1] == PVPERF_MARK_BEGIN || d[1] == PVPERF_MARK_END)) {
		if (d[1] == PVPERF_MARK_BEGIN) {
			if (w->open)
				fail("marker: dom %u opened window %u inside window %u",
				     dom, d[2], w->tag);
			uint32_t count = w->mc_count, done = w->mc_done;
			int mc_cont = w->mc_cont;

			memset(w, 0, sizeof(*w));
			w->mc_count = count;
			w->mc_done = done;
			w->mc_cont = mc_cont;
			w->open = 1;
			w->tag = d[2];
		} else {
			if (!w->open || w->tag != d[2])
				fail("marker: dom %u closed window %u it never opened",
				     dom, d[2]);
			print_window(dom, w);
			w->open = 0;
		}
		return;
	}
	if (nd >= 2 && (op == HYPERVISOR_MMU_UPDATE || op == HYPERVISOR_MMUEXT_OP))
		cont = !!(d[1] & MMU_UPDATE_PREEMPTED);
	if (sub) {
		/*
		 * A multicall preempted inside a sub-call is continued from
		 * that sub-call: its count is one more than what was left,
		 * and the sub-call comes first, flagged.
		 */
		int first = !w->mc_done++;

		if (cont && first && !w->mc_cont) {
			w->mc_cont = 1;
			if (w->open) {
				w->n[CONTS]++;
				w->ct[HYPERVISOR_MULTICALL]++;
			}
		}
	} else if (nd >= 2 && op == HYPERVISOR_MULTICALL) {
		cont = w->mc_done && w->mc_done < w->mc_count &&
		       d[1] == w->mc_count - w->mc_done;
		w->mc_count = d[1];
		w->mc_done = 0;
		w->mc_cont = cont;
	}
	if (!w->open)
		return;
	w->n[sub ? SUBCALLS : HCALLS]++;
	if (op < NR_HC)
		(sub ? w->sc : w->hc)[op]++;
	if (cont && !sub) {
		w->n[CONTS]++;
		if (op < NR_HC)
			w->ct[op]++;
	} else if (cont && op < NR_HC) {
		w->cs[op]++;
	}
}

struct rec {
	unsigned long long tsc;
	unsigned long long seq;
	uint32_t ev;
	uint16_t dom;
	uint8_t nd;
	uint32_t d[7];
};

static struct rec *recs;
static size_t nr_recs, max_recs;

/* Pass 1, in file order: charge each PV record to its CPU's domain. */
static void charge(unsigned int cpu, uint32_t ev, unsigned long long tsc,
		   const uint32_t *d, unsigned int nd)
{
	struct rec *r;

	if ((ev & ~TRC_RUNSTATE_MASK) == TRC_SCHED_RUNSTATE_CHANGE) {
		/* new state 0 is "running": this domain has the CPU now */
		if (nd >= 1 && !((ev >> 4) & 3))
			cpu_dom[cpu] = d[0] >> 16;
		return;
	}
	if ((ev & TRC_PV_CLASS_MASK) != TRC_PV_ENTRY &&
	    (ev & TRC_PV_CLASS_MASK) != TRC_PV_SUBCALL)
		return;
	if (cpu_dom[cpu] >= MAX_DOMS)
		return;		/* before the first runstate record, or idle */
	if (nr_recs == max_recs) {
		max_recs = max_recs ? 2 * max_recs : 65536;
		recs = realloc(recs, max_recs * sizeof(*recs));
		if (!recs)
			fail("out of memory after %zu records", nr_recs);
	}
	r = &recs[nr_recs];
	r->tsc = tsc;
	r->seq = nr_recs++;
	r->ev = ev;
	r->dom = cpu_dom[cpu];
	r->nd = nd;
	memcpy(r->d, d, nd * sizeof(*d));
}

static int by_time(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pass 2, in time order: count into the domain's open window. */
static void count(const struct rec *r)
{
	struct window *w = &win[r->dom];
	uint32_t pv = r->ev & ~TRC_64_FLAG;

	if ((pv == TRC_PV_HYPERCALL_V2 || pv == TRC_PV_HYPERCALL_SUBCALL) && r->nd) {
		hypercall(r->dom, r->d, r->nd, pv == TRC_PV_HYPERCALL_SUBCALL);
		return;
	}
	if (!w->open || (r->ev & TRC_PV_CLASS_MASK) != TRC_PV_ENTRY)
		return;
	switch (pv) {
	case TRC_PV_PTWR_EMULATION:
	case TRC_PV_PTWR_EMULATION_PAE:
		w->n[PTWR]++;
		break;
	case TRC_PV_EMULATE_PRIVOP:
		w->n[PRIVOP]++;
		break;
	case TRC_PV_TRAP:
		w->n[TRAPS]++;
		break;
	case TRC_PV_PAGE_FAULT:
		w->n[PAGEFAULTS]++;
		break;
	default:
		w->n[OTHER]++;
	}
}

int main(int argc, char **argv)
{
	unsigned long long tsc;
	unsigned int cpu = 0, i;
	uint32_t h, d[9];
	size_t words, k;
	FILE *f;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: pvtrace XENTRACE_FILE\n");
		return 2;
	}
	file = argv[1];
	f = fopen(file, "rb");
	if (!f) {
		perror(file);
		return 1;
	}
	for (i = 0; i < MAX_CPUS; i++)
		cpu_dom[i] = DOM_NONE;
	while (fread(&h, sizeof(h), 1, f) == 1) {
		uint32_t ev = h & ((1u << TRACE_EXTRA_SHIFT) - 1);
		unsigned int extra = (h >> TRACE_EXTRA_SHIFT) & 7;
		int cycles = h >> 31;

		words = extra + (cycles ? 2 : 0);
		if (fread(d, sizeof(uint32_t), words, f) != words)
			fail("truncated record after %llu records", nrec);
		nrec++;
		tsc = 0;
		if (cycles) {
			tsc = d[0] | (unsigned long long)d[1] << 32;
			memmove(d, d + 2, extra * sizeof(uint32_t));
		}
		switch (ev) {
		case TRC_TRACE_CPU_CHANGE:
			if (extra < 1 || d[0] >= MAX_CPUS)
				fail("bad CPU change record (record %llu)", nrec);
			cpu = d[0];
			continue;
		case TRC_LOST_RECORDS:
			fail("Xen lost %u trace records on CPU %u: raise tbuf_size",
			     extra ? d[0] : 0, cpu);
		case TRC_TRACE_WRAP_BUFFER:
			continue;
		}
		charge(cpu, ev, tsc, d, extra);
	}
	if (ferror(f))
		fail("read error");
	fclose(f);
	qsort(recs, nr_recs, sizeof(*recs), by_time);
	for (k = 0; k < nr_recs; k++)
		count(&recs[k]);
	for (i = 0; i < MAX_DOMS; i++)
		if (win[i].open)
			fail("marker: window %u of dom %u never closed (no end marker)",
			     win[i].tag, i);
	printf("records=%llu\n", nrec);
	return 0;
}
