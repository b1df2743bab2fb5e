// SPDX-License-Identifier: GPL-2.0
/*
 * pvbench: the guest workloads of xen-pvperf, in the spirit of lmbench and
 * of mmperf. One subcommand per operation; each runs N iterations and
 * prints one line
 *
 *	op=NAME iterations=N ns_per_op=X [PHASE=NS_PER_OP ...]
 *
 * where ns are the guest's CLOCK_MONOTONIC nanoseconds (under QEMU with
 * -icount shift=0 they count instructions). Exit 2 on bad arguments, 1 when
 * a system call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL

static long opt_threads;	/* -t: processes or threads */
static long opt_size_kb;	/* -s: working set in KiB */

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "pvbench: %s: %s\n", what, strerror(errno));
	exit(1);
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

static void touch(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		p[off]++;
}

/* null_syscall: the cheapest system call, getppid(). */
static void op_null_syscall(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* ctx_pipe: one byte back and forth between two processes on one CPU. */
static void op_ctx_pipe(long n)
{
	int to_child[2], to_parent[2];
	char c = 0;
	pid_t pid;
	long i;

	pin_cpu0();
	if (pipe(to_child) || pipe(to_parent))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (read(to_child[0], &c, 1) != 1 ||
			    write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < n; i++)
		if (write(to_child[1], &c, 1) != 1 ||
		    read(to_parent[0], &c, 1) != 1)
			die("pipe round trip");
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid");
}

/*
 * ctx_n: -t processes (default 4) in a ring of pipes on one CPU, each
 * touching a working set of -s KiB (default 16) when the token reaches
 * it. One op is one hop of the token: one context switch.
 */
static void op_ctx_n(long n)
{
	long procs = opt_threads ? opt_threads : 4;
	size_t ws = (opt_size_kb ? opt_size_kb : 16) * 1024;
	int (*ring)[2];
	long hops, p, i;
	char c = 0;
	pid_t pid;
	char *mem;

	if (procs < 2) {
		fprintf(stderr, "pvbench: ctx_n needs -t 2 or more\n");
		exit(2);
	}
	pin_cpu0();
	ring = calloc(procs, sizeof(*ring));
	if (!ring)
		die("calloc");
	for (p = 0; p < procs; p++)
		if (pipe(ring[p]))
			die("pipe");
	hops = (n + procs - 1) / procs;	/* laps of the ring */
	for (p = 1; p < procs; p++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			mem = map_anon(ws, 0);
			for (i = 0; i < hops; i++) {
				if (read(ring[p][0], &c, 1) != 1)
					_exit(1);
				touch(mem, ws);
				if (write(ring[(p + 1) % procs][1], &c, 1) != 1)
					_exit(1);
			}
			_exit(0);
		}
	}
	mem = map_anon(ws, 0);
	for (i = 0; i < hops; i++) {
		if (write(ring[1][1], &c, 1) != 1 || read(ring[0][0], &c, 1) != 1)
			die("ring");
		touch(mem, ws);
	}
	while (wait(NULL) > 0)
		;
	free(ring);
}

static volatile sig_atomic_t signals_seen;

static void on_usr1(int sig)
{
	signals_seen++;
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
	for (i = 0; i < n; i++)
		kill(getpid(), SIGUSR1);
	if (signals_seen != n) {
		fprintf(stderr, "pvbench: %d of %ld signals handled\n",
			(int)signals_seen, n);
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
	volatile char sum = 0;
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
			sum += p[off];
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

/* mprotect_1024: make 1024 touched pages read-only, then writable again. */
static void op_mprotect_1024(long n)
{
	size_t len = 1024 * PAGE;
	char *p = map_anon(len, MAP_POPULATE);
	long i;

	for (i = 0; i < n; i++)
		if (mprotect(p, len, PROT_READ) ||
		    mprotect(p, len, PROT_READ | PROT_WRITE))
			die("mprotect");
	munmap(p, len);
}

/* The working set of the fork ops: -s KiB, default 16 MiB, touched. */
static char *fork_working_set(void)
{
	size_t len = (opt_size_kb ? opt_size_kb : 16384) * 1024;
	char *p = map_anon(len, 0);

	touch(p, len);
	return p;
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "pvbench: child failed (status %#x)\n", status);
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

	fork_working_set();
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

/* tls_switch: two threads (each its own TLS, so its own fs base) on one CPU
 * pass a byte back and forth: one op is a round trip, two switches.
 */
static int tls_pipes[2][2];
static __thread long tls_rounds;

static void *tls_partner(void *arg)
{
	long n = (long)arg;
	char c;

	for (tls_rounds = 0; tls_rounds < n; tls_rounds++)
		if (read(tls_pipes[0][0], &c, 1) != 1 ||
		    write(tls_pipes[1][1], &c, 1) != 1)
			break;
	return NULL;
}

static void op_tls_switch(long n)
{
	pthread_t t;
	char c = 0;

	pin_cpu0();
	if (pipe(tls_pipes[0]) || pipe(tls_pipes[1]))
		die("pipe");
	if (pthread_create(&t, NULL, tls_partner, (void *)n))
		die("pthread_create");
	for (tls_rounds = 0; tls_rounds < n; tls_rounds++)
		if (write(tls_pipes[0][1], &c, 1) != 1 ||
		    read(tls_pipes[1][0], &c, 1) != 1)
			die("thread round trip");
	pthread_join(t, NULL);
}

/*
 * spin_contended: -t threads (default 4) wake the same futex word over and
 * over; every FUTEX_WAKE takes the one hash-bucket spinlock of that word.
 * One op is one FUTEX_WAKE.
 */
static int futex_word;
static long futex_calls;

static void *futex_waker(void *arg)
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
static unsigned long long mm_ns[MM_PHASES];

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
} ops[] = {
	{ "null_syscall", op_null_syscall, 10000 },
	{ "ctx_pipe", op_ctx_pipe, 1000 },
	{ "ctx_n", op_ctx_n, 1000 },
	{ "signal", op_signal, 1000 },
	{ "pagefault_anon", op_pagefault_anon, 4096 },
	{ "pagefault_file", op_pagefault_file, 4096 },
	{ "mmap_munmap", op_mmap_munmap, 20 },
	{ "mprotect_1024", op_mprotect_1024, 100 },
	{ "fork_exit_16m", op_fork_exit_16m, 20 },
	{ "fork_exec", op_fork_exec, 20 },
	{ "tls_switch", op_tls_switch, 1000 },
	{ "spin_contended", op_spin_contended, 10000 },
	{ "mmperf", op_mmperf, 20 },
	{ "nop", NULL, 1 },
};

#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pvbench OP [-n ITERATIONS] [-t THREADS] [-s KIB]\n"
		"  -n  iterations (ops) to run; each op has a default\n"
		"  -t  processes or threads (ctx_n, spin_contended; default 4)\n"
		"  -s  working set in KiB (ctx_n 16, mmap_munmap 4096,\n"
		"      fork_exit_16m and fork_exec 16384)\nops:");
	for (i = 0; i < NR_OPS; i++)
		fprintf(f, " %s", ops[i].name);
	fprintf(f, "\n");
}

static long positive(const char *flag, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1) {
		fprintf(stderr, "pvbench: %s needs a positive number, not '%s'\n",
			flag, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const struct op *op = NULL;
	unsigned long long t0, t1;
	long n = 0;
	size_t i;
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NR_OPS; i++)
		if (!strcmp(argv[1], ops[i].name))
			op = &ops[i];
	if (!op) {
		fprintf(stderr, "pvbench: unknown op '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt(argc, argv, "n:t:s:")) != -1) {
		switch (c) {
		case 'n':
			n = positive("-n", optarg);
			break;
		case 't':
			opt_threads = positive("-t", optarg);
			break;
		case 's':
			opt_size_kb = positive("-s", optarg);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pvbench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!op->run)
		return 0;	/* what fork_exec execs: nothing to time or print */
	if (!n)
		n = op->default_n;
	t0 = now_ns();
	op->run(n);
	t1 = now_ns();
	printf("op=%s iterations=%ld ns_per_op=%llu", op->name, n, (t1 - t0) / n);
	if (op->run == op_mmperf)
		for (i = 0; i < MM_PHASES; i++)
			printf(" %s=%llu", mm_phase[i], mm_ns[i] / n);
	printf("\n");
	return 0;
}
