// SPDX-License-Identifier: GPL-2.0
/*
 * pvmark: one xentrace marker from the shell, as pvbench -m issues them
 * (marker.h), so that pvtrace counts what happens between two of them:
 *
 *	pvmark begin|end TAG
 *
 * make lifecycle frames each of dom0's xl commands with a pair. TAG is a
 * number from 1 to 65535. Exit 2 on bad arguments, 1 when the kernel
 * refused the hypercall (EPERM) or there is no /dev/xen/privcmd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "marker.h"

struct privcmd_hypercall {
	unsigned long long op;
	unsigned long long arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

static void bad_args(void)
{
	fprintf(stderr, "usage: pvmark begin|end TAG (TAG: 1-65535)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct privcmd_hypercall h = { .op = HYPERVISOR_VCPU_OP };
	char *end;
	long tag;
	int fd;

	if (argc != 3)
		bad_args();
	if (!strcmp(argv[1], "begin"))
		h.arg[0] = PVPERF_MARK_BEGIN;
	else if (!strcmp(argv[1], "end"))
		h.arg[0] = PVPERF_MARK_END;
	else
		bad_args();
	errno = 0;
	tag = strtol(argv[2], &end, 10);
	if (errno || end == argv[2] || *end || tag < 1 || tag > 65535)
		bad_args();
	h.arg[1] = tag;

	fd = open("/dev/xen/privcmd", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "pvmark: /dev/xen/privcmd: %s (not a Xen guest?)\n",
			strerror(errno));
		return 1;
	}
	/* It fails by design (no such vCPU command); EPERM: never traced. */
	if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h) < 0 && errno == EPERM) {
		fprintf(stderr, "pvmark: the kernel refused the marker hypercall (EPERM)\n");
		return 1;
	}
	return 0;
}
