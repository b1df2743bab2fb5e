// SPDX-License-Identifier: GPL-2.0
/*
 * pvdf: does the kernel run a system call with the direction flag (DF)
 * its caller left set? It must not: a rep movs or rep stos in the kernel
 * would then run backwards, below its target.
 *
 *	pvdf [-t] [-c]
 *
 * Built 64-bit, it enters with SYSCALL; built 32-bit (-m32), with
 * int $0x80 and through the vDSO's __kernel_vsyscall (SYSCALL or SYSENTER,
 * whichever the kernel picked). For each way in, it sets DF and reads 16
 * bytes from a pipe into the middle of a buffer. The kernel copies them
 * with copy_to_user(), which with QEMU's qemu64 CPU is rep movsq: with DF
 * set the second 8 bytes land below the target, and the buffer shows it.
 * -t: each probe again in a child this process traces with PTRACE_SYSCALL,
 * so that every system call stops at its entry and exit (the kernel's slow
 * path, where it schedules). -c: the probes on each CPU of its affinity
 * mask in turn. Prints "PVDF <way>[ cpu=N][ traced] ok" or "... DF set:
 * ..." per probe; exit 0 when every probe is ok, 1 when one is not, 2 on
 * a bad argument or a failed system call.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define GUARD	64
#define LEN	16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char data[LEN] = "0123456789abcdef";

/* A way into the kernel: read(fd, buf, len) entered with DF set. */
struct way {
	const char *name;
	long (*read)(int fd, void *buf, long len);
};

#ifdef __x86_64__
#define NR_READ	0

/* read(fd, buf, len) by SYSCALL, with DF set on the way in. */
static long read_df_syscall(int fd, void *buf, long len)
{
	long ret;

	asm volatile("std\n\tsyscall\n\tcld"
		     : "=a" (ret)
		     : "0" ((long)NR_READ), "D" ((long)fd), "S" (buf), "d" (len)
		     : "rcx", "r11", "memory", "cc");
	return ret;
}

static const struct way ways[] = {
	{ "syscall64", read_df_syscall },
};
#else
#define NR_READ	3

static unsigned long vsyscall;

/* read(fd, buf, len) by int $0x80, with DF set on the way in. */
static long read_df_int80(int fd, void *buf, long len)
{
	long ret;

	asm volatile("std\n\tint $0x80\n\tcld"
		     : "=a" (ret)
		     : "0" ((long)NR_READ), "b" (fd), "c" (buf), "d" (len)
		     : "memory", "cc");
	return ret;
}

/* The same through __kernel_vsyscall, as the C library's fast path. */
static long read_df_vdso(int fd, void *buf, long len)
{
	long ret;

	asm volatile("std\n\tcall *%[vs]\n\tcld"
		     : "=a" (ret)
		     : "0" ((long)NR_READ), "b" (fd), "c" (buf), "d" (len),
		       [vs] "m" (vsyscall)
		     : "memory", "cc");
	return ret;
}

static const struct way ways[] = {
	{ "int80", read_df_int80 },
	{ "vdso32", read_df_vdso },
};
#endif

/*
 * One way in, named name: 0 when the copy went forwards, 1 when not, 2 on
 * failure.
 */
static int probe(const struct way *w, const char *name)
{
	unsigned char buf[GUARD + LEN + GUARD];
	int p[2];
	long n;

	if (pipe(p) || write(p[1], data, LEN) != LEN) {
		perror("pvdf: pipe");
		return 2;
	}
	memset(buf, 0xa5, sizeof(buf));
	n = w->read(p[0], buf + GUARD, LEN);
	close(p[0]);
	close(p[1]);
	if (n != LEN) {
		printf("PVDF %s read returned %ld, want %d\n", name, n, LEN);
		return 2;
	}
	if (memcmp(buf + GUARD, data, LEN)) {
		printf("PVDF %s DF set: read() wrote", name);
		for (n = 0; n < LEN; n++)
			printf(" %02x", buf[GUARD + n]);
		printf(" at its buffer, want '%.*s'\n", LEN, data);
		return 1;
	}
	for (n = 0; n < GUARD; n++) {
		if (buf[n] != 0xa5 || buf[GUARD + LEN + n] != 0xa5) {
			printf("PVDF %s DF set: read() wrote outside its buffer\n",
			       name);
			return 1;
		}
	}
	printf("PVDF %s ok\n", name);
	return 0;
}

/* Every way in, on CPU cpu (-1: wherever it runs), traced or not. */
static int probe_all(int cpu, int traced)
{
	char name[64], where[16] = "";
	unsigned int i;
	int rc = 0, r;
	cpu_set_t set;

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("pvdf: sched_setaffinity");
			return 2;
		}
	}
	if (cpu >= 0)
		snprintf(where, sizeof(where), " cpu=%d", cpu);
	for (i = 0; i < ARRAY_SIZE(ways); i++) {
		snprintf(name, sizeof(name), "%s%s%s", ways[i].name, where,
			 traced ? " traced" : "");
		r = probe(&ways[i], name);
		if (r > rc)
			rc = r;
	}
	return rc;
}

/*
 * probe_all() in a child traced with PTRACE_SYSCALL: it stops at the
 * entry and the exit of each of its system calls.
 */
static int probe_traced(int cpu)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("pvdf: fork");
		return 2;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
			perror("pvdf: PTRACE_TRACEME");
			_exit(2);
		}
		raise(SIGSTOP);
		_exit(probe_all(cpu, 1));
	}
	for (;;) {
		if (waitpid(pid, &status, 0) != pid) {
			perror("pvdf: waitpid");
			return 2;
		}
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status)) {
			printf("PVDF traced child killed by signal %d\n",
			       WTERMSIG(status));
			return 2;
		}
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL)) {
			perror("pvdf: PTRACE_SYSCALL");
			return 2;
		}
	}
}

/* probe_all() on CPU cpu untraced, and traced too if asked. */
static int probe_on(int cpu, int traced)
{
	int rc = probe_all(cpu, 0), r;

	if (traced) {
		r = probe_traced(cpu);
		if (r > rc)
			rc = r;
	}
	return rc;
}

static int bad_arg(const char *bad)
{
	fprintf(stderr, "usage: pvdf [-t] [-c] (got '%s')\n", bad);
	return 2;
}

int main(int argc, char **argv)
{
	int traced = 0, each_cpu = 0, rc = 0, r, cpu, i;
	cpu_set_t cpus;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t"))
			traced = 1;
		else if (!strcmp(argv[i], "-c"))
			each_cpu = 1;
		else
			return bad_arg(argv[i]);
	}
#ifndef __x86_64__
	vsyscall = getauxval(AT_SYSINFO);
	if (!vsyscall) {
		fprintf(stderr, "pvdf: no AT_SYSINFO: the kernel gave no vDSO\n");
		return 2;
	}
#endif
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!each_cpu)
		return probe_on(-1, traced);
	if (sched_getaffinity(0, sizeof(cpus), &cpus)) {
		perror("pvdf: sched_getaffinity");
		return 2;
	}
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &cpus))
			continue;
		r = probe_on(cpu, traced);
		if (r > rc)
			rc = r;
	}
	return rc;
}
