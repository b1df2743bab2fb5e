// SPDX-License-Identifier: GPL-2.0
/*
 * pvdf: does the kernel run a system call with the direction flag (DF)
 * its caller left set? It must not: a rep movs or rep stos in the kernel
 * would then run backwards, below its target.
 *
 *	pvdf
 *
 * Built 64-bit, it enters with SYSCALL; built 32-bit (-m32), with
 * int $0x80 and through the vDSO's __kernel_vsyscall (SYSCALL or SYSENTER,
 * whichever the kernel picked). For each way in, it sets DF and reads 16
 * bytes from a pipe into the middle of a buffer. The kernel copies them
 * with copy_to_user(), which with QEMU's qemu64 CPU is rep movsq: with DF
 * set the second 8 bytes land below the target, and the buffer shows it.
 * Prints "PVDF <way> ok" or "PVDF <way> DF set: ..." per way; exit 0 when
 * every way is ok, 1 when one is not, 2 on a bad argument or a failed
 * system call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

#define GUARD	64
#define LEN	16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char data[LEN] = "0123456789abcdef";

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

static const struct way {
	const char *name;
	long (*read)(int fd, void *buf, long len);
} ways[] = {
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

static const struct way {
	const char *name;
	long (*read)(int fd, void *buf, long len);
} ways[] = {
	{ "int80", read_df_int80 },
	{ "vdso32", read_df_vdso },
};
#endif

/* One way in: 0 when the copy went forwards, 1 when not, 2 on failure. */
static int probe(const struct way *w)
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
		printf("PVDF %s read returned %ld, want %d\n", w->name, n, LEN);
		return 2;
	}
	if (memcmp(buf + GUARD, data, LEN)) {
		printf("PVDF %s DF set: read() wrote", w->name);
		for (n = 0; n < LEN; n++)
			printf(" %02x", buf[GUARD + n]);
		printf(" at its buffer, want '%.*s'\n", LEN, data);
		return 1;
	}
	for (n = 0; n < GUARD; n++) {
		if (buf[n] != 0xa5 || buf[GUARD + LEN + n] != 0xa5) {
			printf("PVDF %s DF set: read() wrote outside its buffer\n",
			       w->name);
			return 1;
		}
	}
	printf("PVDF %s ok\n", w->name);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i;
	int rc = 0, r;

	if (argc > 1) {
		fprintf(stderr, "usage: pvdf (no arguments; got '%s')\n", argv[1]);
		return 2;
	}
#ifndef __x86_64__
	vsyscall = getauxval(AT_SYSINFO);
	if (!vsyscall) {
		fprintf(stderr, "pvdf: no AT_SYSINFO: the kernel gave no vDSO\n");
		return 2;
	}
#endif
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < ARRAY_SIZE(ways); i++) {
		r = probe(&ways[i]);
		if (r > rc)
			rc = r;
	}
	return rc;
}
