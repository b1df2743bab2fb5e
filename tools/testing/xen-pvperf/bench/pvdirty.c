// SPDX-License-Identifier: GPL-2.0
/*
 * pvdirty: the dirty-bit torture of make torture. Between reading a PTE
 * and clearing it, another CPU may set its Dirty bit; a clear that loses
 * it loses data (Documentation/xen/pv-mmu.rst, "PTE clears").
 *
 *	pvdirty file PATH [-t SECS] [-p PAGES] [-w WRITERS] [-r SECS] [-x]
 *	pvdirty free [-t SECS] [-p PAGES] [-w PAIRS] [-x]
 *
 * file: PATH (on a file system with writeback) is mapped MAP_SHARED.
 * WRITERS threads (default 2) each own pages of it and store a new value
 * into one word of each, lap after lap, noting every store once it has
 * returned. Another thread zaps the PTEs under them all along, on a
 * random range each time: MADV_DONTNEED; mmap(MAP_FIXED) of the same file
 * over it; munmap and map again (a writer that finds no mapping waits in
 * its SIGSEGV handler); msync, fdatasync and POSIX_FADV_DONTNEED (writeback
 * and eviction). Every -r seconds (default 5) a round: the writers stop,
 * the whole mapping goes (munmap), the file is written back and its page
 * cache evicted, and every word is read back from the file. A word that
 * is not the last value stored there is a lost write. Each round prints
 *
 *	PVDIRTY file round=N writes=W zaps=Z resident=R ok
 *
 * with R the file's pages still cached after the eviction (mincore): 0
 * when every page was read back from the disk.
 *
 * free: PAIRS (default 1) pairs of threads race on PAGES (default 64)
 * private anonymous pages each. The writer, lap after lap: checks word 0
 * of each page holds the value of its last store, stores a mark into word
 * 1, MADV_FREEs the pages (writable but clean now: reclaim may discard
 * them) and stores a new value into word 0 of each, a random while after
 * the one before. The other thread reclaims the
 * same pages all along (MADV_PAGEOUT). A page reclaimed before the store
 * comes back zero-filled but for that store (counted: discarded); one
 * whose Dirty bit the reclaim lost is discarded after the store: a lost
 * write. Prints once a second
 *
 *	PVDIRTY free secs=T laps=L discarded=D kept=K ok
 *
 * Both end with "PVDIRTY MODE done ... ok" and exit 0 after SECS seconds
 * (default 10). A lost write prints "PVDIRTY FAIL ..." and exits 1; a
 * failed system call exits 3 ("PVDIRTY ERROR ..."); bad arguments exit 2.
 * -x loses a write on purpose (file: a stale word written to the file
 * after the eviction of round 1; free: the first page dropped after the
 * store of lap 2), to show that the check can fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PROG "pvdirty"
#include "args.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))

static long secs = 10, npages, nthreads, round_secs = 5;
static char *region;
static size_t region_len;
static uint64_t *words;
/* What each word must hold: the last value whose store has returned. */
static uint64_t *expect;
static int stop, paused;
static unsigned long nwaiting;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned long writes[64], zaps, laps[64], discarded[64], kept[64];
static int fd = -1, inject;

/*
 * Each access to memory another thread or the kernel changes is one load
 * or store, as the kernel's READ_ONCE() and WRITE_ONCE().
 */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
static time_t started;

static void error_exit(const char *what)
{
	printf("PVDIRTY ERROR %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(3);
}

static void bad_args(void)
{
	fprintf(stderr,
		"usage: pvdirty file PATH [-t SECS] [-p PAGES] [-w WRITERS] [-r SECS] [-x]\n"
		"       pvdirty free [-t SECS] [-p PAGES] [-w PAIRS] [-x]\n"
		"  -t  how long (1-86400 s, default 10)\n"
		"  -p  pages (file: 16-65536, default 2048; free: 1-4096 per pair, default 64)\n"
		"  -w  writer threads (file, 1-32, default 2) or pairs (free, 1-32, default 1)\n"
		"  -r  seconds between two read-backs of the whole file (1-3600, default 5)\n"
		"  -x  lose one write on purpose (a test that the check can fail)\n");
	exit(2);
}

static unsigned long rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t value(long thread, unsigned long lap, size_t page)
{
	return ((uint64_t)(thread + 1) << 56) ^ ((uint64_t)lap << 20) ^ page ^
		0x0070766469727479ULL;
}

/*
 * A writer's store into a range the zapper has unmapped for a moment:
 * wait and return, and the store runs again. A fault anywhere else is a
 * bug of ours: let it kill the program.
 */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *a = si->si_addr;

	(void)uc;
	if (a < region || a >= region + region_len) {
		signal(sig, SIG_DFL);
		return;
	}
	sched_yield();
}

/* Writers wait here while a round reads the file back. */
static void maybe_pause(void)
{
	if (!LOAD(paused))
		return;
	pthread_mutex_lock(&lock);
	nwaiting++;
	pthread_cond_broadcast(&cond);
	while (LOAD(paused))
		pthread_cond_wait(&cond, &lock);
	nwaiting--;
	pthread_mutex_unlock(&lock);
}

static void *file_writer(void *arg)
{
	long t = (long)arg;
	unsigned long lap;
	size_t p, w;

	for (lap = 1; !LOAD(stop); lap++) {
		w = lap % WORDS;
		for (p = t; p < (size_t)npages && !LOAD(stop); p += nthreads) {
			uint64_t v = value(t, lap, p);

			maybe_pause();
			STORE(words[p * WORDS + w], v);
			expect[p * WORDS + w] = v;
			writes[t]++;
		}
	}
	return NULL;
}

static void map_file(size_t first, size_t n)
{
	void *at = region + first * PAGE;

	if (mmap(at, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, first * PAGE) != at)
		error_exit("mmap MAP_FIXED");
}

static void zap_once(unsigned long *seed)
{
	size_t n = 1 + rnd(seed) % 64, first;
	char *at;

	if (n > (size_t)npages)
		n = npages;
	first = rnd(seed) % (npages - n + 1);
	at = region + first * PAGE;
	switch (rnd(seed) % 4) {
	case 0:
		if (madvise(at, n * PAGE, MADV_DONTNEED))
			error_exit("madvise MADV_DONTNEED");
		break;
	case 1:
		map_file(first, n);
		break;
	case 2:
		if (munmap(at, n * PAGE))
			error_exit("munmap");
		sched_yield();
		map_file(first, n);
		break;
	default:
		if (msync(at, n * PAGE, MS_SYNC))
			error_exit("msync");
		if (fdatasync(fd))
			error_exit("fdatasync");
		errno = posix_fadvise(fd, first * PAGE, n * PAGE,
				      POSIX_FADV_DONTNEED);
		if (errno)
			error_exit("posix_fadvise");
		break;
	}
	zaps++;
}

/* The file's pages still in the page cache. */
static long resident(void)
{
	unsigned char *vec = malloc(npages);
	void *m;
	long i, n = 0;

	m = mmap(NULL, region_len, PROT_READ, MAP_SHARED, fd, 0);
	if (!vec || m == MAP_FAILED)
		error_exit("mmap for mincore");
	if (mincore(m, region_len, vec))
		error_exit("mincore");
	for (i = 0; i < npages; i++)
		n += vec[i] & 1;
	munmap(m, region_len);
	free(vec);
	return n;
}

/* Writers stopped: unmap all, write back, evict, read back, map again. */
static void file_round(unsigned long round)
{
	static uint64_t buf[WORDS];
	unsigned long total = 0;
	long p, i, cached;

	if (munmap(region, region_len))
		error_exit("munmap");
	if (fdatasync(fd))
		error_exit("fdatasync");
	errno = posix_fadvise(fd, 0, region_len, POSIX_FADV_DONTNEED);
	if (errno)
		error_exit("posix_fadvise");
	cached = resident();
	if (inject) {
		uint64_t stale = 0;

		if (pwrite(fd, &stale, sizeof(stale), PAGE + 8) != sizeof(stale))
			error_exit("pwrite");
	}
	for (p = 0; p < npages; p++) {
		if (pread(fd, buf, PAGE, p * PAGE) != (ssize_t)PAGE)
			error_exit("pread");
		for (i = 0; i < (long)WORDS; i++) {
			if (buf[i] == expect[p * WORDS + i])
				continue;
			printf("PVDIRTY FAIL file round=%lu page=%ld word=%ld",
			       round, p, i);
			printf(" have=%#llx want=%#llx\n",
			       (unsigned long long)buf[i],
			       (unsigned long long)expect[p * WORDS + i]);
			fflush(stdout);
			exit(1);
		}
	}
	for (i = 0; i < nthreads; i++)
		total += writes[i];
	printf("PVDIRTY file round=%lu writes=%lu zaps=%lu resident=%ld ok\n",
	       round, total, zaps, cached);
	fflush(stdout);
	map_file(0, npages);
}

static int run_file(const char *path)
{
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_t th[32];
	unsigned long seed = 0x9e3779b97f4a7c15UL, round = 0, total = 0;
	time_t start = time(NULL), next;
	long t;

	region_len = npages * PAGE;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		error_exit(path);
	if (ftruncate(fd, region_len) || fsync(fd))
		error_exit("ftruncate");
	expect = calloc(npages * WORDS, sizeof(*expect));
	region = mmap(NULL, region_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	if (!expect || region == MAP_FAILED)
		error_exit("mmap");
	words = (uint64_t *)region;
	if (sigaction(SIGSEGV, &sa, NULL))
		error_exit("sigaction");
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, file_writer, (void *)t))
			error_exit("pthread_create");

	next = start + round_secs;
	for (;;) {
		time_t now = time(NULL);
		int last = now - start >= secs;

		if (now >= next || last) {
			pthread_mutex_lock(&lock);
			if (last)
				STORE(stop, 1);
			else
				STORE(paused, 1);
			while (!stop && nwaiting < (unsigned long)nthreads)
				pthread_cond_wait(&cond, &lock);
			pthread_mutex_unlock(&lock);
			if (stop)
				for (t = 0; t < nthreads; t++)
					pthread_join(th[t], NULL);
			file_round(++round);
			if (last)
				break;
			pthread_mutex_lock(&lock);
			STORE(paused, 0);
			pthread_cond_broadcast(&cond);
			pthread_mutex_unlock(&lock);
			next = time(NULL) + round_secs;
		}
		zap_once(&seed);
	}
	for (t = 0; t < nthreads; t++)
		total += writes[t];
	printf("PVDIRTY file done rounds=%lu writes=%lu zaps=%lu ok\n", round,
	       total, zaps);
	return 0;
}

static void *free_writer(void *arg)
{
	long t = (long)arg;
	char *base = region + t * npages * PAGE;
	uint64_t *w;
	unsigned long lap, seed = 0x2545f4914f6cdd1dUL + t;
	size_t p;

	for (lap = 1; !LOAD(stop); lap++) {
		for (p = 0; p < (size_t)npages; p++) {
			uint64_t want = expect[t * npages + p];

			w = (uint64_t *)(base + p * PAGE);
			if (LOAD(w[0]) != want) {
				printf("PVDIRTY FAIL free secs=%ld pair=%ld lap=%lu page=%zu",
				       (long)(time(NULL) - started), t, lap, p);
				printf(" have=%#llx want=%#llx\n",
				       (unsigned long long)LOAD(w[0]),
				       (unsigned long long)want);
				fflush(stdout);
				exit(1);
			}
			if (lap > 1) {
				if (LOAD(w[1]) == want)
					kept[t]++;
				else
					discarded[t]++;
			}
			STORE(w[1], value(t, lap, p));
		}
		if (madvise(base, npages * PAGE, MADV_FREE))
			error_exit("madvise MADV_FREE");
		for (p = 0; p < (size_t)npages; p++) {
			uint64_t v = value(t, lap, p);
			unsigned long spin = rnd(&seed) % 4096;

			/*
			 * The pages stay clean a while, for the reclaimer to
			 * find them so: a store then may land between its
			 * read of a PTE and the clear.
			 */
			while (spin--)
				__asm__ volatile("" ::: "memory");
			w = (uint64_t *)(base + p * PAGE);
			STORE(w[0], v);
			expect[t * npages + p] = v;
		}
		if (inject && t == 0 && lap == 2 &&
		    madvise(base, PAGE, MADV_DONTNEED))
			error_exit("madvise MADV_DONTNEED");
		laps[t]++;
	}
	return NULL;
}

static void *free_reclaimer(void *arg)
{
	long t = (long)arg;

	while (!LOAD(stop))
		if (madvise(region + t * npages * PAGE, npages * PAGE,
			    MADV_PAGEOUT))
			error_exit("madvise MADV_PAGEOUT");
	return NULL;
}

static void free_sums(unsigned long *l, unsigned long *d, unsigned long *k)
{
	long t;

	*l = *d = *k = 0;
	for (t = 0; t < nthreads; t++) {
		*l += laps[t];
		*d += discarded[t];
		*k += kept[t];
	}
}

static int run_free(void)
{
	pthread_t th[64];
	unsigned long l, d, k;
	long t, s;

	region_len = nthreads * npages * PAGE;
	region = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect = calloc(nthreads * npages, sizeof(*expect));
	if (region == MAP_FAILED || !expect)
		error_exit("mmap");
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&th[2 * t], NULL, free_writer, (void *)t) ||
		    pthread_create(&th[2 * t + 1], NULL, free_reclaimer,
				   (void *)t))
			error_exit("pthread_create");
	for (s = 1; s <= secs; s++) {
		sleep(1);
		free_sums(&l, &d, &k);
		printf("PVDIRTY free secs=%ld laps=%lu discarded=%lu kept=%lu ok\n",
		       s, l, d, k);
		fflush(stdout);
	}
	STORE(stop, 1);
	for (t = 0; t < 2 * nthreads; t++)
		pthread_join(th[t], NULL);
	free_sums(&l, &d, &k);
	printf("PVDIRTY free done laps=%lu discarded=%lu kept=%lu ok\n", l, d, k);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int file, c;

	if (argc < 2)
		bad_args();
	file = !strcmp(argv[1], "file");
	if (!file && strcmp(argv[1], "free")) {
		fprintf(stderr, "pvdirty: unknown mode '%s': file or free\n",
			argv[1]);
		bad_args();
	}
	optind = 2;
	if (file) {
		if (argc < 3 || argv[2][0] == '-') {
			fprintf(stderr, "pvdirty: file needs the PATH of the file to map\n");
			bad_args();
		}
		path = argv[2];
		optind = 3;
	}
	npages = file ? 2048 : 64;
	nthreads = file ? 2 : 1;
	while ((c = getopt(argc, argv, "t:p:w:r:x")) != -1) {
		switch (c) {
		case 'x':
			inject = 1;
			break;
		case 't':
			secs = parse_number(optarg, 1, 86400);
			break;
		case 'p':
			npages = file ? parse_number(optarg, 16, 65536) :
					parse_number(optarg, 1, 4096);
			break;
		case 'w':
			nthreads = parse_number(optarg, 1, 32);
			break;
		case 'r':
			if (!file) {
				fprintf(stderr, "pvdirty: -r is for file only\n");
				bad_args();
			}
			round_secs = parse_number(optarg, 1, 3600);
			break;
		default:
			bad_args();
		}
	}
	if (optind != argc)
		bad_args();
	setvbuf(stdout, NULL, _IOLBF, 0);
	started = time(NULL);
	return file ? run_file(path) : run_free();
}
