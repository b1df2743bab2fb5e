// SPDX-License-Identifier: GPL-2.0
/*
 * pvtoggle SECS: from CPU 1, flip static keys of the running kernel for
 * SECS seconds while the rest of the guest runs on, and say how often.
 *
 * Every flip rewrites the kernel's code at each site of the key with
 * text_poke_bp(): an int3 first, so that a CPU executing the site at that
 * moment traps and is sent on by poke_int3_handler(). Two keys:
 *   - perf: opening a software context-switch counter turns on the key
 *     perf_sw_event_sched() tests in every context switch
 *     (perf_swevent_enabled[PERF_COUNT_SW_CONTEXT_SWITCHES]); closing it
 *     turns it off. The baseline has it as well as the series.
 *   - xen stats: writing 1, then 0, to /sys/kernel/debug/xen/stats_enabled
 *     (the series under Xen) flips the key of every statistics site; the
 *     file's first value is written back at the end. It patches far more
 *     sites than the perf key: once per 50 flips of that.
 * The harness runs a pipe ping-pong on CPU 0 meanwhile (rootfs/init,
 * pvperf.toggle=SECS). Output: "toggles perf=N xen_stats=M".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STATS_ENABLED "/sys/kernel/debug/xen/stats_enabled"

static void fail(const char *what)
{
	fprintf(stderr, "pvtoggle: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		fail(path);
	close(fd);
}

static void toggle_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CONTEXT_SWITCHES,
	};
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);

	if (fd < 0)
		fail("perf_event_open (software context switches, CPU 0)");
	close(fd);
}

int main(int argc, char **argv)
{
	long secs, perf = 0, stats = 0;
	char first[4] = "";
	cpu_set_t set;
	time_t end;
	char *rest;
	FILE *f;

	secs = argc == 2 ? strtol(argv[1], &rest, 10) : 0;
	if (secs <= 0 || *rest) {
		fprintf(stderr, "usage: pvtoggle SECS (a number of seconds above 0)\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("CPU 1 (a guest of two CPUs or more is needed)");
	f = fopen(STATS_ENABLED, "r");
	if (f) {
		if (!fgets(first, sizeof(first), f))
			fail(STATS_ENABLED);
		fclose(f);
	}
	for (end = time(NULL) + secs; time(NULL) < end;) {
		toggle_perf();
		perf++;
		/* A flip of every statistics site costs as much as ~50 of these. */
		if (first[0] && perf % 50 == 1) {
			write_file(STATS_ENABLED, "1");
			write_file(STATS_ENABLED, "0");
			stats++;
		}
	}
	if (first[0])
		write_file(STATS_ENABLED, first[0] == '1' ? "1" : "0");
	printf("toggles perf=%ld xen_stats=%ld\n", perf, stats);
	return 0;
}
