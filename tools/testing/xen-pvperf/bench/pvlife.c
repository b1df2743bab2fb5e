// SPDX-License-Identifier: GPL-2.0
/*
 * pvlife: the domU's workload while dom0 saves, restores, pauses,
 * migrates it and takes its vCPUs away (make lifecycle).
 *
 *	pvlife [-m MIB] [-s STOPFILE] [-t SECS]
 *
 * Fills MIB MiB (default 64) of anonymous memory with a known pattern,
 * then once a second (a tick): verifies every word, rewrites one MiB of
 * it with the tick's own pattern (so that dom0 always finds fresh dirty
 * pages), forks a child that verifies a slice, writes to its copy-on-write
 * copy and exits, and makes a slice read-only and writable again
 * (mprotect). Each tick prints, with C the vCPUs online,
 *
 *	PVLIFE tick=N words=W online=C ok
 *
 * The first wrong word ends it with "PVLIFE FAIL tick=N word=I have=X
 * want=Y" and exit 1. It ends with exit 0 once STOPFILE exists (default
 * /tmp/pvlife.stop), or after SECS seconds when -t is given. Exit 2 on bad
 * arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "pvlife"
#include "args.h"

#define MIB		(1024UL * 1024)
#define WORDS_PER_MIB	(MIB / sizeof(uint64_t))

static uint64_t *mem;
static size_t nwords;
/* The tick whose pattern each MiB holds (0: the first fill). */
static unsigned long *gen;

static uint64_t want(size_t i, unsigned long g)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)g << 40) ^ 0x70766c6966650000ULL;
}

static void fill_mib(size_t m, unsigned long g)
{
	size_t i;

	for (i = m * WORDS_PER_MIB; i < (m + 1) * WORDS_PER_MIB; i++)
		mem[i] = want(i, g);
	gen[m] = g;
}

/* Exit 1 on the first wrong word of [from, to). */
static void verify(unsigned long tick, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		uint64_t w = want(i, gen[i / WORDS_PER_MIB]);

		if (mem[i] != w) {
			printf("PVLIFE FAIL tick=%lu word=%zu have=%#llx want=%#llx\n",
			       tick, i, (unsigned long long)mem[i],
			       (unsigned long long)w);
			fflush(stdout);
			exit(1);
		}
	}
}

static void die(const char *what)
{
	printf("PVLIFE FAIL %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void bad_args(void)
{
	fprintf(stderr, "usage: pvlife [-m MIB] [-s STOPFILE] [-t SECS]\n"
		"  -m  MiB of memory to fill and verify (1-4096, default 64)\n"
		"  -s  stop once this file exists (default /tmp/pvlife.stop)\n"
		"  -t  stop after this many seconds (default: only on -s)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *stop = "/tmp/pvlife.stop";
	long mib = 64, secs = 0;
	unsigned long tick;
	time_t start = time(NULL);
	size_t m, slice;
	int c;

	while ((c = getopt(argc, argv, "m:s:t:")) != -1) {
		switch (c) {
		case 'm':
			mib = parse_number(optarg, 1, 4096);
			break;
		case 's':
			stop = optarg;
			break;
		case 't':
			secs = parse_number(optarg, 1, 86400);
			break;
		default:
			bad_args();
		}
	}
	if (optind != argc)
		bad_args();

	nwords = mib * WORDS_PER_MIB;
	mem = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(mib, sizeof(*gen));
	if (mem == MAP_FAILED || !gen)
		die("mmap");
	for (m = 0; m < (size_t)mib; m++)
		fill_mib(m, 0);
	slice = nwords > WORDS_PER_MIB ? WORDS_PER_MIB : nwords;

	for (tick = 1;; tick++) {
		size_t at = ((tick - 1) % mib) * WORDS_PER_MIB;
		pid_t pid;
		int st;

		verify(tick, 0, nwords);
		fill_mib(tick % mib, tick);

		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			verify(tick, at, at + slice);
			memset(mem + at, 0xa5, slice * sizeof(*mem));
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			printf("PVLIFE FAIL tick=%lu child status %#x\n", tick, st);
			fflush(stdout);
			exit(1);
		}

		if (mprotect(mem + at, slice * sizeof(*mem), PROT_READ) ||
		    mprotect(mem + at, slice * sizeof(*mem),
			     PROT_READ | PROT_WRITE))
			die("mprotect");
		verify(tick, at, at + slice);

		printf("PVLIFE tick=%lu words=%zu online=%ld ok\n", tick, nwords,
		       sysconf(_SC_NPROCESSORS_ONLN));
		fflush(stdout);
		if (!access(stop, F_OK) ||
		    (secs && time(NULL) - start >= secs))
			return 0;
		sleep(1);
	}
}
