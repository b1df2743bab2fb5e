/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line numbers of the guest programs (pvlife, pvdirty): a
 * program defines PROG (its name) and bad_args() (prints its usage and
 * exits 2) before it includes this.
 */
#ifndef PVPERF_ARGS_H
#define PVPERF_ARGS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void bad_args(void);

/* S as a number from LO to HI, or a message naming it and bad_args(). */
static long parse_number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, PROG ": '%s' is not a number from %ld to %ld\n",
			s, lo, hi);
		bad_args();
	}
	return v;
}

#endif
