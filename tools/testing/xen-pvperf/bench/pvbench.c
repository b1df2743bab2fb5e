// SPDX-License-Identifier: GPL-2.0
/*
 * pvbench: small guest workloads whose cost in Xen entries the series
 * counts. One subcommand per operation; each runs N iterations and prints
 *
 *	op=NAME iterations=N ns_per_op=X
 *
 * where ns are the guest's CLOCK_MONOTONIC nanoseconds (under QEMU with
 * -icount shift=0 they count instructions). Exit 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* null_syscall: the cheapest system call, getppid(). */
static void op_null_syscall(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* mprotect_1024: make 1024 touched pages read-only, then writable again. */
static void op_mprotect_1024(long n)
{
	size_t len = 1024 * 4096UL;
	char *p;
	long i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (i = 0; i < n; i++) {
		if (mprotect(p, len, PROT_READ) ||
		    mprotect(p, len, PROT_READ | PROT_WRITE))
			die("mprotect");
	}
	munmap(p, len);
}

/* fork_exit: fork a child that exits at once; the parent waits. */
static void op_fork_exit(long n)
{
	pid_t pid;
	long i;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
}

/* ctx_pipe: one byte back and forth between two processes. */
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
		for (i = 0; i < n; i++) {
			if (read(to_child[0], &c, 1) != 1 ||
			    write(to_parent[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		if (write(to_child[1], &c, 1) != 1 ||
		    read(to_parent[0], &c, 1) != 1)
			die("pipe round trip");
	}
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid");
}

static const struct {
	const char *name;
	void (*run)(long n);
	long default_n;
} ops[] = {
	{ "null_syscall", op_null_syscall, 10000 },
	{ "mprotect_1024", op_mprotect_1024, 100 },
	{ "fork_exit", op_fork_exit, 100 },
	{ "ctx_pipe", op_ctx_pipe, 1000 },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pvbench OP [-n ITERATIONS]\nops:");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(f, " %s", ops[i].name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	char *end;
	long n = -1;
	size_t i;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "-n"))) {
		usage(stderr);
		return 2;
	}
	if (argc == 4) {
		errno = 0;
		n = strtol(argv[3], &end, 10);
		if (errno || *end || end == argv[3] || n < 1) {
			fprintf(stderr, "pvbench: -n needs a positive number, not '%s'\n",
				argv[3]);
			return 2;
		}
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(argv[1], ops[i].name))
			continue;
		if (n < 0)
			n = ops[i].default_n;
		t0 = now_ns();
		ops[i].run(n);
		t1 = now_ns();
		printf("op=%s iterations=%ld ns_per_op=%llu\n", ops[i].name, n,
		       (t1 - t0) / n);
		return 0;
	}
	fprintf(stderr, "pvbench: unknown op '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
