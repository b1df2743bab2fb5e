// SPDX-License-Identifier: GPL-2.0
/*
 * pvbench: the guest workloads of xen-pvperf, in the spirit of lmbench and
 * of mmperf. One subcommand per operation; each runs N iterations and
 * prints one line
 *
 *	op=NAME iterations=N batches=R ns_per_op=X.XX [PHASE=NS_PER_OP ...]
 *
 * where ns are the guest's CLOCK_MONOTONIC nanoseconds (under QEMU with
 * -icount shift=0 they count instructions) of the fastest of R batches of
 * N ops: anything else the machine does only ever adds instructions. Each
 * batch starts settled, at a set point between two timer ticks (settle()),
 * except under -m.
 *
 * With -m TAG, the batches are framed by two marker hypercalls that
 * xentrace records with their arguments (see pvtrace.c), issued through
 * /dev/xen/privcmd, so that entries into Xen can be counted from dom0 for
 * exactly these ops. With -d, when the kernel has the xen-pvperf
 * statistics, what they counted from just before the first marker to just
 * after the second follows: "stats DIR/NAME=DELTA ..." and "hypercalls
 * NR=DIRECT+IN_MULTICALL ...", for the cross-check against xentrace.
 * With -v, each batch's figure and the pages the kernel freed in its timed
 * window go to stderr: "batch R ns_per_op=X.XX pages_freed=N".
 * With -w DEV, the last batch's timed window is framed by a handshake on
 * the serial port DEV: "PVPERF-WINDOW on" and "PVPERF-WINDOW off" lines,
 * each answered by a line from the host before the batch goes on, so that
 * the host can trace exactly those ops (census.py).
 *
 * Exit 2 on bad arguments, 1 when a system call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "marker.h"

#define PAGE	4096UL
#define __attr(a)	__attribute__(a)
#define __maybe_unused	__attr((unused))
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *op_name = "";	/* in every error message */
static long opt_threads;	/* -t: processes or threads */
static long opt_batches = 1;	/* -r: batches of N ops */
static int opt_deltas;		/* -d: print what the statistics counted */
static int opt_verbose;		/* -v: print each batch */
static int handshake_fd = -1;	/* -w: the serial port of the handshake */
static long opt_phase = 500;	/* -P: batches start this far into a tick */
static long opt_size_kb;	/* -s: working set in KiB */

#define NSEC_PER_SEC	1000000000ULL

static unsigned long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

static void die(const char *what)
{
	fprintf(stderr, "pvbench %s: %s: %s\n", op_name, what, strerror(errno));
	exit(1);
}

/*
 * -w: tell the host that the traced window begins or ends, and wait for
 * its answer (any line): a raw serial port, so that nothing is echoed.
 * The wait spins in user space and polls the port every 100 000 loops,
 * rather than sleeping in read(): under QEMU -icount with sleep=off an
 * idle guest's clock jumps from one timer to the next, so the host's
 * latency would put the timer interrupts of an unbounded stretch of
 * guest time into the traced window.
 */
static void handshake_open(const char *dev)
{
	struct termios t;

	handshake_fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (handshake_fd < 0 || tcgetattr(handshake_fd, &t))
		die("-w: the serial port");
	cfmakeraw(&t);
	if (tcsetattr(handshake_fd, TCSANOW, &t))
		die("-w: raw mode");
}

static void handshake(const char *what)
{
	char line[64], c;
	int len = snprintf(line, sizeof(line), "PVPERF-WINDOW %s\n", what);

	if (handshake_fd < 0)
		return;
	if (write(handshake_fd, line, len) != len)
		die("-w: write");
	for (;;) {
		ssize_t got = read(handshake_fd, &c, 1);
		long spin;

		if (got == 1) {
			if (c == '\n')
				return;
			continue;
		}
		if (got == 0 || errno != EAGAIN)
			die("-w: read (the host went away)");
		for (spin = 0; spin < 100000; spin++)
			asm volatile("" : : : "memory");
	}
}

/*
 * Where a batch starts its clock. It first sleeps SETTLE_NS, so that the
 * work that earlier ops left to RCU is done before the batch, not in
 * it: the kernel stack of a partner that ended is freed a grace period
 * later, and that free can drain the page allocator's per-CPU lists,
 * which the batch's own allocations then refill. It wakes at a set point
 * after a timer tick (the coarse clock reads the time of the last one),
 * so that a batch of a given length always takes the same number of
 * ticks: one costs a PV domU about 30000 instructions, which a batch
 * started anywhere took in or left out by chance. -P moves that point
 * (thousandths of a tick after one): the harness starts each guest state
 * at another, so that a mean over states is one over where the ticks
 * fall, not the figure of one such point. The sleep idles the CPU, and
 * under -icount sleep=off the guest clock jumps over it.
 */
#define SETTLE_NS	100000000ULL	/* 100 ms */

/*
 * Under -m no batch settles: the entries into Xen counted between the
 * markers must be the ops', not those of 100 ms of an idle machine, and
 * the statistics of -d must frame the same span as the markers.
 */
static int no_settle;

static void settle(void)
{
	unsigned long long t, tick;
	struct timespec ts, res;
	int err;

	if (no_settle)
		return;
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) ||
	    clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		die("clock_gettime(CLOCK_MONOTONIC_COARSE)");
	t = ts_ns(&ts) + SETTLE_NS;
	tick = ts_ns(&res);
	if (tick > 1 && tick <= SETTLE_NS)
		t += (tick - SETTLE_NS % tick) % tick + tick * opt_phase / 1000;
	ts.tv_sec = t / NSEC_PER_SEC;
	ts.tv_nsec = t % NSEC_PER_SEC;
	do
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	while (err == EINTR);
	if (err) {
		errno = err;
		die("clock_nanosleep");
	}
}

/*
 * With -v, what happened during a batch's timed window, read outside it:
 * the pages the kernel freed, from /proc/vmstat's pgfree, and how often
 * this process was preempted (its involuntary context switches). The file
 * is opened once and read with pread(), so that reading it leaves no file
 * to free behind (a file is freed a grace period after its close, which
 * would land in the window).
 */
static int vmstat_fd = -1;

struct vsample {
	long long freed;
	long preempted;
};

static void vsample(struct vsample *v)
{
	static char buf[16384];
	struct rusage ru;
	char *p;
	ssize_t r;

	if (!opt_verbose)
		return;
	r = pread(vmstat_fd, buf, sizeof(buf) - 1, 0);
	if (r < 0)
		die("/proc/vmstat");
	buf[r] = 0;
	p = strstr(buf, "\npgfree ");
	v->freed = p ? atoll(p + strlen("\npgfree ")) : -1;
	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage");
	v->preempted = ru.ru_nivcsw;
}

/*
 * The timed window of a batch: all of op->run(), unless the op narrows it
 * with window_open() and window_close() (to leave out making and ending
 * its partners). Each starts settled (above).
 */
static unsigned long long window_t0, window_t1;
static struct vsample window_v0, window_v1;

static void window_open(void)
{
	settle();
	vsample(&window_v0);
	window_t0 = now_ns();
}

static void window_close(void)
{
	window_t1 = now_ns();
	vsample(&window_v1);
}

struct privcmd_hypercall {
	unsigned long long op;
	unsigned long long arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

static int privcmd_fd = -1;

static void mark(unsigned int what, unsigned long tag)
{
	struct privcmd_hypercall h = {
		.op = HYPERVISOR_VCPU_OP,
		.arg = { what, tag },
	};

	/*
	 * It fails by design, ENOENT or ENOSYS (no such vCPU, or no such
	 * command for it): what matters is that Xen traced it. EPERM is the
	 * kernel's privcmd refusing every hypercall, as a domU's does unless
	 * booted with xen_privcmd.unrestricted=1; Xen then never sees it.
	 */
	if (ioctl(privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &h) < 0 && errno == EPERM) {
		fprintf(stderr,
			"pvbench %s: the kernel refused the marker hypercall (EPERM): %s\n",
			op_name, "in a domU, boot with xen_privcmd.unrestricted=1");
		exit(1);
	}
}

#define HCALL_TABLE	"/sys/kernel/debug/xen/hypercalls/table"
#define MAX_HCALL	64

/*
 * The statistics' hypercall table; 0 when the kernel has none. With read()
 * into a static buffer: no allocation, so no page-table update of ours
 * lands in the frame the cross-check compares.
 */
static int read_hcalls(unsigned long long d[MAX_HCALL], unsigned long long mc[MAX_HCALL])
{
	static char buf[16384];
	unsigned long long a, b;
	char *line, *save;
	size_t len = 0;
	ssize_t r;
	int fd, nr;

	memset(d, 0, MAX_HCALL * sizeof(*d));
	memset(mc, 0, MAX_HCALL * sizeof(*mc));
	fd = open(HCALL_TABLE, O_RDONLY);
	if (fd < 0)
		return 0;
	while (len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d %*s %llu %llu", &nr, &a, &b) == 3 &&
		    nr >= 0 && nr < MAX_HCALL) {
			d[nr] = a;
			mc[nr] = b;
		}
	return 1;
}

#define STATS_DIR	"/sys/kernel/debug/xen"
#define MAX_STATS	256

struct stat_snap {
	int n;
	char name[MAX_STATS][520];
	unsigned long long v[MAX_STATS];
};

/* Every counter below STATS_DIR/<dir>/ (histograms and tables are not). */
static void read_stats(struct stat_snap *s)
{
	struct dirent *d, *e;
	char path[600], buf[64], *end;
	DIR *top, *sub;
	FILE *f;

	s->n = 0;
	top = opendir(STATS_DIR);
	if (!top)
		return;
	while ((d = readdir(top))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), STATS_DIR "/%s", d->d_name);
		sub = opendir(path);
		if (!sub)
			continue;
		while ((e = readdir(sub)) && s->n < MAX_STATS) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "zero_stats"))
				continue;
			snprintf(path, sizeof(path), STATS_DIR "/%s/%s", d->d_name,
				 e->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(buf, sizeof(buf), f) && buf[0] >= '0' && buf[0] <= '9') {
				s->v[s->n] = strtoull(buf, &end, 10);
				if (*end == '\n' && !fgets(buf, sizeof(buf), f)) {
					snprintf(s->name[s->n], sizeof(s->name[0]), "%s/%s",
						 d->d_name, e->d_name);
					s->n++;
				}
			}
			fclose(f);
		}
		closedir(sub);
	}
	closedir(top);
}

/* Pin to one CPU: a ping-pong that floats over vCPUs is not repeatable. */
static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static char *map_anon(size_t len, int extra)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/*
 * len bytes of anonymous memory at a multiple of align, so that the
 * number of page tables they span does not depend on where mmap put them.
 */
static char *map_anon_aligned(size_t len, size_t align)
{
	char *p = map_anon(len + align, 0);
	char *start = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));

	if ((start > p && munmap(p, start - p)) ||
	    munmap(start + len, p + align - start))
		die("munmap");
	return start;
}

static void touch(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		p[off]++;
}

/*
 * calibrate: 1000 turns of a two-instruction loop (dec, jnz) per op, so
 * 2000 instructions: under -icount shift=0 it must read 2000 ns per op,
 * which checks that guest ns count instructions on this setup.
 */
static void op_calibrate(long n)
{
	long i, c;

	for (i = 0; i < n; i++) {
		c = 1000;
		asm volatile("1: dec %0\n\tjnz 1b" : "+r"(c));
	}
}

/* null_syscall: the cheapest system call, getppid(). */
static void op_null_syscall(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/*
 * The partners of the context-switch ops are made at the start of each
 * batch and ended at its end, outside the batch's timed window: an op is
 * the switches and their pipe calls alone, not a share of a fork, an exit
 * and a wait. They are made anew for every batch so that every batch
 * starts with the scheduler in the same state (a partner made once and
 * left asleep while the parent ran earned a sleeper's credit, and its
 * wakeups then preempted the parent, which moved ctx_pipe by 20% in a
 * PV domU). A partner passes the byte it reads on until its pipe reads
 * end of file; closing the pipes ends them one after the other.
 */
#define MAX_PARTNERS	64

static int ring[MAX_PARTNERS][2];	/* pipe p leads to partner p */
static long ring_procs;			/* pipes in the ring, partners + 1 */
static pid_t partner_pid[MAX_PARTNERS];

static void open_ring(long procs)
{
	long p;

	if (procs < 2 || procs > MAX_PARTNERS) {
		fprintf(stderr, "pvbench %s: needs -t 2 to %d\n", op_name, MAX_PARTNERS);
		exit(2);
	}
	pin_cpu0();
	for (p = 0; p < procs; p++)
		if (pipe(ring[p]))
			die("pipe");
	ring_procs = procs;
}

/*
 * Pass the byte from pipe p to pipe p + 1 (mod the ring) until pipe p
 * ends, touching ws bytes each time. The caller holds only those two
 * ends, so that closing the ring ends it.
 */
static void pass_on(long p, size_t ws)
{
	char *mem = ws ? map_anon(ws, 0) : NULL;
	char c;

	while (read(ring[p][0], &c, 1) == 1) {
		if (mem)
			touch(mem, ws);
		if (write(ring[(p + 1) % ring_procs][1], &c, 1) != 1)
			_exit(1);
	}
}

/* Fork partners 1 .. procs-1 of the ring, each passing the byte on. */
static void fork_ring(long procs, size_t ws)
{
	long p, q;

	open_ring(procs);
	for (p = 1; p < procs; p++) {
		partner_pid[p] = fork();
		if (partner_pid[p] < 0)
			die("fork");
		if (partner_pid[p] == 0) {
			for (q = 0; q < procs; q++) {
				if (q != p)
					close(ring[q][0]);
				if (q != (p + 1) % procs)
					close(ring[q][1]);
			}
			pass_on(p, ws);
			_exit(0);
		}
	}
}

/* Close the ring: partner 1 sees end of file, and so on round. */
static void close_ring(void)
{
	long p;

	for (p = 0; p < ring_procs; p++) {
		close(ring[p][0]);
		close(ring[p][1]);
	}
}

static void end_ring(void)
{
	long p;
	int status;

	close_ring();
	for (p = 1; p < ring_procs; p++) {
		if (waitpid(partner_pid[p], &status, 0) != partner_pid[p])
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "pvbench %s: partner %ld failed (status %#x)\n",
				op_name, p, status);
			exit(1);
		}
	}
}

/* Send the byte round the ring laps times, touching ws bytes each lap. */
static void lap_ring(long laps, char *mem, size_t ws)
{
	char c = 0;
	long i;

	for (i = 0; i < laps; i++) {
		if (write(ring[1][1], &c, 1) != 1 || read(ring[0][0], &c, 1) != 1)
			die("ring");
		if (mem)
			touch(mem, ws);
	}
}

/*
 * Time laps of the ring, after one lap untimed: every partner has then
 * run and waits in read().
 */
static void time_laps(long laps, char *mem, size_t ws)
{
	lap_ring(1, mem, ws);
	window_open();
	lap_ring(laps, mem, ws);
	window_close();
}

/* ctx_pipe: one byte back and forth between two processes on one CPU. */
static void op_ctx_pipe(long n)
{
	fork_ring(2, 0);
	time_laps(n, NULL, 0);
	end_ring();
}

/*
 * ctx_n: -t processes (default 4) in a ring of pipes on one CPU, each
 * touching a working set of -s KiB (default 16) when the token reaches
 * it. One op is one hop of the token: one context switch.
 */
static void op_ctx_n(long n)
{
	size_t ws = (opt_size_kb ? opt_size_kb : 16) * 1024;
	struct sched_param sp = { 0 };
	static char *mem;

	if (!mem)
		mem = map_anon(ws, 0);
	/*
	 * SCHED_BATCH (inherited by the partners): a woken partner does
	 * not preempt the writer, so every hop is one switch, made when
	 * the writer blocks in read(). Under SCHED_OTHER a woken partner
	 * preempts the writer now and then, which depends on the tasks'
	 * vruntimes: 1.4 to 1.5 switches per hop, in one of several
	 * patterns that each batch falls into by chance.
	 */
	if (sched_setscheduler(0, SCHED_BATCH, &sp))
		die("sched_setscheduler(SCHED_BATCH)");
	fork_ring(opt_threads ? opt_threads : 4, ws);
	time_laps((n + ring_procs - 1) / ring_procs, mem, ws);
	end_ring();
	if (sched_setscheduler(0, SCHED_OTHER, &sp))
		die("sched_setscheduler(SCHED_OTHER)");
}

static sig_atomic_t signals_seen;	/* only through READ_ONCE, WRITE_ONCE */

static void on_usr1(int sig __maybe_unused)
{
	WRITE_ONCE(signals_seen, READ_ONCE(signals_seen) + 1);
}

/* signal: deliver SIGUSR1 to ourselves and return from the handler. */
static void op_signal(long n)
{
	struct sigaction sa;
	long i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");
	WRITE_ONCE(signals_seen, 0);
	for (i = 0; i < n; i++)
		kill(getpid(), SIGUSR1);
	if (READ_ONCE(signals_seen) != n) {
		fprintf(stderr, "pvbench signal: %d of %ld signals handled\n",
			(int)READ_ONCE(signals_seen), n);
		exit(1);
	}
}

/* pagefault_anon: one op is the first touch of one anonymous page. */
static void op_pagefault_anon(long n)
{
	size_t chunk = 1024 * PAGE, len;
	char *p;

	while (n > 0) {
		len = n < 1024 ? n * PAGE : chunk;
		p = map_anon(len, 0);
		touch(p, len);
		munmap(p, len);
		n -= len / PAGE;
	}
}

/*
 * pagefault_file: one op is the first read of one page of a file whose
 * pages are in the page cache (a tmpfs file when /tmp is tmpfs).
 */
static void op_pagefault_file(long n)
{
	char path[] = "/tmp/pvbench.XXXXXX";
	size_t len = 1024 * PAGE, off;
	char sum = 0;	/* through READ_ONCE, WRITE_ONCE: each page is read */
	char *p;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	if (ftruncate(fd, len))
		die("ftruncate");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	touch(p, len);	/* into the page cache */
	munmap(p, len);
	while (n > 0) {
		size_t this = n < 1024 ? n * PAGE : len;

		p = mmap(NULL, this, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (off = 0; off < this; off += PAGE)
			WRITE_ONCE(sum, READ_ONCE(sum) + p[off]);
		munmap(p, this);
		n -= this / PAGE;
	}
	close(fd);
}

/* mmap_munmap: map -s KiB (default 4096: 1024 pages), touch, unmap. */
static void op_mmap_munmap(long n)
{
	size_t len = (opt_size_kb ? opt_size_kb : 4096) * 1024;
	char *p;
	long i;

	for (i = 0; i < n; i++) {
		p = map_anon(len, 0);
		touch(p, len);
		if (munmap(p, len))
			die("munmap");
	}
}

/*
 * mprotect_1024: make 1024 touched pages read-only, then writable again.
 * They start on a 2 MiB boundary: two whole page tables. Mapped and
 * touched once, before the batches.
 */
static char *mprotect_pages;

static void setup_mprotect_1024(void)
{
	mprotect_pages = map_anon_aligned(1024 * PAGE, 512 * PAGE);
	touch(mprotect_pages, 1024 * PAGE);
}

static void op_mprotect_1024(long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (mprotect(mprotect_pages, 1024 * PAGE, PROT_READ) ||
		    mprotect(mprotect_pages, 1024 * PAGE, PROT_READ | PROT_WRITE))
			die("mprotect");
}

/*
 * The working set of the fork ops: -s KiB, default 16 MiB, touched once,
 * before the batches, so that an op is the fork and exit alone.
 */
static void setup_fork(void)
{
	size_t len = (opt_size_kb ? opt_size_kb : 16384) * 1024;

	touch(map_anon(len, 0), len);
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "pvbench %s: child failed (status %#x)\n", op_name, status);
		exit(1);
	}
}

/*
 * fork with a working set of -s KiB (16 MiB) touched; the child exits at
 * once (fork_exit_16m) or execs this program's "nop" (fork_exec).
 */
static void fork_loop(long n, int exec)
{
	pid_t pid;
	long i;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (exec)
				execl("/proc/self/exe", "pvbench", "nop", (char *)NULL);
			_exit(exec ? 127 : 0);
		}
		wait_child(pid);
	}
}

static void op_fork_exit_16m(long n)
{
	fork_loop(n, 0);
}

static void op_fork_exec(long n)
{
	fork_loop(n, 1);
}

/*
 * tls_switch: two threads (each its own TLS, so its own fs base) on one
 * CPU pass a byte back and forth: one op is a round trip, two switches.
 * The partner thread is made and joined outside the timed window.
 */
static __thread long tls_rounds;

static void *tls_partner(void *arg __maybe_unused)
{
	char c;

	for (tls_rounds = 0;; tls_rounds++)
		if (read(ring[1][0], &c, 1) != 1 ||
		    write(ring[0][1], &c, 1) != 1)
			break;
	return NULL;
}

static void op_tls_switch(long n)
{
	pthread_t t;

	open_ring(2);
	if (pthread_create(&t, NULL, tls_partner, NULL))
		die("pthread_create");
	lap_ring(1, NULL, 0);
	window_open();
	for (tls_rounds = 0; tls_rounds < n; tls_rounds++)
		lap_ring(1, NULL, 0);
	window_close();
	/* The thread shares the ring: end what it reads, then join it. */
	close(ring[1][1]);
	pthread_join(t, NULL);
	close(ring[1][0]);
	close(ring[0][0]);
	close(ring[0][1]);
}

/*
 * spin_contended: -t threads (default 4) wake the same futex word over and
 * over; every FUTEX_WAKE takes the one hash-bucket spinlock of that word.
 * One op is one FUTEX_WAKE.
 */
static int futex_word;
static long futex_calls;

static void *futex_waker(void *arg __maybe_unused)
{
	long i;

	for (i = 0; i < futex_calls; i++)
		syscall(SYS_futex, &futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return NULL;
}

static void op_spin_contended(long n)
{
	long threads = opt_threads ? opt_threads : 4, i;
	pthread_t *t = calloc(threads, sizeof(*t));

	if (!t)
		die("calloc");
	futex_calls = (n + threads - 1) / threads;
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, futex_waker, NULL))
			die("pthread_create");
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/*
 * mmperf: a mixed memory-management loop: map 256 pages, fault them in,
 * mprotect them read-only and back, fork a child that touches them and
 * exits, unmap. Prints the time per iteration of each phase too.
 */
enum { MM_MAP, MM_FAULT, MM_MPROTECT, MM_FORK, MM_MUNMAP, MM_PHASES };
static const char * const mm_phase[MM_PHASES] = {
	"mmap", "fault", "mprotect", "fork", "munmap"
};

static unsigned long long mm_ns[MM_PHASES], mm_best[MM_PHASES];

static void op_mmperf(long n)
{
	size_t len = 256 * PAGE;
	unsigned long long t;
	pid_t pid;
	char *p;
	long i;

	for (i = 0; i < n; i++) {
		t = now_ns();
		p = map_anon(len, 0);
		mm_ns[MM_MAP] += now_ns() - t;
		t = now_ns();
		touch(p, len);
		mm_ns[MM_FAULT] += now_ns() - t;
		t = now_ns();
		if (mprotect(p, len, PROT_READ) ||
		    mprotect(p, len, PROT_READ | PROT_WRITE))
			die("mprotect");
		mm_ns[MM_MPROTECT] += now_ns() - t;
		t = now_ns();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			touch(p, len);
			_exit(0);
		}
		wait_child(pid);
		mm_ns[MM_FORK] += now_ns() - t;
		t = now_ns();
		if (munmap(p, len))
			die("munmap");
		mm_ns[MM_MUNMAP] += now_ns() - t;
	}
}

static const struct op {
	const char *name;
	void (*run)(long n);
	long default_n;
	void (*setup)(void);	/* once, before the batches; not measured */
} ops[] = {
	{ "calibrate", op_calibrate, 10000, NULL },
	{ "null_syscall", op_null_syscall, 10000, NULL },
	{ "ctx_pipe", op_ctx_pipe, 1000, NULL },
	{ "ctx_n", op_ctx_n, 1000, NULL },
	{ "signal", op_signal, 1000, NULL },
	{ "pagefault_anon", op_pagefault_anon, 4096, NULL },
	{ "pagefault_file", op_pagefault_file, 4096, NULL },
	{ "mmap_munmap", op_mmap_munmap, 20, NULL },
	{ "mprotect_1024", op_mprotect_1024, 100, setup_mprotect_1024 },
	{ "fork_exit_16m", op_fork_exit_16m, 20, setup_fork },
	{ "fork_exec", op_fork_exec, 20, setup_fork },
	{ "tls_switch", op_tls_switch, 1000, NULL },
	{ "spin_contended", op_spin_contended, 10000, NULL },
	{ "mmperf", op_mmperf, 20, NULL },
	{ "nop", NULL, 1, NULL },
};

#define NR_OPS	ARRAY_SIZE(ops)

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pvbench OP [-n ITERATIONS] [-r BATCHES] [-t THREADS] [-s KIB]\n"
		"               [-m TAG] [-d] [-v] [-P PHASE] [-w DEV]\n"
		"  -n  iterations (ops) per batch; each op has a default\n"
		"  -r  batches (default 1); ns_per_op is that of the fastest\n"
		"  -m  frame the batches with xentrace markers carrying TAG\n"
		"      (needs /dev/xen/privcmd); the batches do not settle\n"
		"  -d  print what /sys/kernel/debug/xen counted during the\n"
		"      batches: 'stats NAME=DELTA ...' and 'hypercalls NR=D+M ...'\n"
		"  -v  print each batch to stderr: 'batch R ns_per_op=X preempted=P\n"
		"      pages_freed=N', P the times pvbench was preempted and N the\n"
		"      pages the kernel freed in its timed window\n"
		"  -w  frame the last batch with a handshake on serial port DEV\n"
		"      (lines 'PVPERF-WINDOW on' and 'off', each answered by the\n"
		"      host): how census.py traces exactly those ops\n"
		"  -P  each batch's clock starts PHASE thousandths of a timer tick\n"
		"      after one (1-999, default 500), after a 100 ms sleep\n"
		"  -t  processes or threads (ctx_n, spin_contended; default 4)\n"
		"  -s  working set in KiB (ctx_n 16, mmap_munmap 4096,\n"
		"      fork_exit_16m and fork_exec 16384)\nops:");
	for (i = 0; i < NR_OPS; i++)
		fprintf(f, " %s", ops[i].name);
	fprintf(f, "\n");
}

static long parse_positive(const char *flag, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1) {
		fprintf(stderr, "pvbench %s: %s needs a positive number, not '%s'\n",
			op_name, flag, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const struct op *op = NULL;
	unsigned long long t0, t1, best = ~0ULL;
	static unsigned long long d0[MAX_HCALL], m0[MAX_HCALL];
	static unsigned long long d1[MAX_HCALL], m1[MAX_HCALL];
	static struct stat_snap s0, s1;
	struct vsample v0 = { 0 }, v1 = { 0 };
	const char *handshake_dev = NULL;
	long n = 0, tag = -1, r;
	int counted = 0;
	size_t i;
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		print_usage(stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		print_usage(stderr);
		return 2;
	}
	for (i = 0; i < NR_OPS; i++)
		if (!strcmp(argv[1], ops[i].name))
			op = &ops[i];
	if (!op) {
		fprintf(stderr, "pvbench: unknown op '%s'\n", argv[1]);
		print_usage(stderr);
		return 2;
	}
	op_name = op->name;
	optind = 2;
	while ((c = getopt(argc, argv, "n:r:t:s:m:dvP:w:")) != -1) {
		switch (c) {
		case 'd':
			opt_deltas = 1;
			break;
		case 'v':
			opt_verbose = 1;
			break;
		case 'P':
			opt_phase = parse_positive("-P", optarg);
			if (opt_phase > 999) {
				fprintf(stderr, "pvbench %s: -P takes 1 to 999 %s, not '%s'\n",
					op_name, "(thousandths of a tick)", optarg);
				return 2;
			}
			break;
		case 'n':
			n = parse_positive("-n", optarg);
			break;
		case 'r':
			opt_batches = parse_positive("-r", optarg);
			break;
		case 'm':
			tag = parse_positive("-m", optarg);
			break;
		case 't':
			opt_threads = parse_positive("-t", optarg);
			break;
		case 's':
			opt_size_kb = parse_positive("-s", optarg);
			break;
		case 'w':
			handshake_dev = optarg;
			break;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pvbench %s: unexpected argument '%s'\n", op_name, argv[optind]);
		return 2;
	}
	if (!op->run)
		return 0;	/* what fork_exec execs: nothing to time or print */
	if (!n)
		n = op->default_n;
	if (tag >= 0) {
		privcmd_fd = open("/dev/xen/privcmd", O_RDWR);
		if (privcmd_fd < 0)
			die("-m: /dev/xen/privcmd (not a Xen guest?)");
		no_settle = 1;
	}
	if (handshake_dev)
		handshake_open(handshake_dev);
	if (opt_verbose) {
		vmstat_fd = open("/proc/vmstat", O_RDONLY);
		if (vmstat_fd < 0)
			die("-v: /proc/vmstat");
	}
	if (op->setup)
		op->setup();
	if (opt_deltas) {
		read_stats(&s0);
		counted = read_hcalls(d0, m0);
	}
	if (tag >= 0)
		mark(PVPERF_MARK_BEGIN, tag);
	for (r = 0; r < opt_batches; r++) {
		memset(mm_ns, 0, sizeof(mm_ns));
		window_t0 = 0;
		window_t1 = 0;
		settle();
		vsample(&v0);
		if (r == opt_batches - 1)
			handshake("on");
		t0 = now_ns();
		op->run(n);
		t1 = now_ns();
		if (r == opt_batches - 1)
			handshake("off");
		vsample(&v1);
		if (window_t0 && window_t1) {
			t0 = window_t0;
			t1 = window_t1;
			v0 = window_v0;
			v1 = window_v1;
		}
		if (opt_verbose)
			fprintf(stderr,
				"batch %ld ns_per_op=%llu.%02llu preempted=%ld pages_freed=%lld\n",
				r + 1, (t1 - t0) / n, (t1 - t0) * 100 / n % 100,
				v1.preempted - v0.preempted, v1.freed - v0.freed);
		if (t1 - t0 < best) {
			best = t1 - t0;
			memcpy(mm_best, mm_ns, sizeof(mm_ns));
		}
	}
	if (tag >= 0)
		mark(PVPERF_MARK_END, tag);
	if (opt_deltas) {
		counted = counted && read_hcalls(d1, m1);
		read_stats(&s1);
	}
	/*
	 * Two decimals: under -icount an op of a few hundred instructions
	 * would otherwise be read to 0.2-0.5% only.
	 */
	printf("op=%s iterations=%ld batches=%ld ns_per_op=%llu.%02llu", op->name,
	       n, opt_batches, best / n, best * 100 / n % 100);
	if (op->run == op_mmperf)
		for (i = 0; i < MM_PHASES; i++)
			printf(" %s=%llu", mm_phase[i], mm_best[i] / n);
	printf("\n");
	if (opt_deltas && s0.n && s0.n == s1.n) {
		printf("stats");
		for (c = 0; c < s1.n; c++)
			printf(" %s=%llu", s1.name[c], s1.v[c] - s0.v[c]);
		printf("\n");
	}
	if (counted) {
		printf("hypercalls");
		for (c = 0; c < MAX_HCALL; c++)
			if (d1[c] != d0[c] || m1[c] != m0[c])
				printf(" %d=%llu+%llu", c, d1[c] - d0[c], m1[c] - m0[c]);
		printf("\n");
	}
	return 0;
}
