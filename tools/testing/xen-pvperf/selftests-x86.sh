#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# selftests-x86: do the tree's selftests/x86 end in the series' domU as in
# the baseline's? Reads the "PVPERF-SELFTEST domU NAME EXIT ..." lines
# guest /init prints in the two console logs. A test agrees when it passes
# in the series, or exits the same way on both kernels; one that ran on
# only one kernel disagrees. One line per test, sorted; exit 1 when any
# disagrees or neither log has a result, 2 on bad arguments.
#
# fsgsbase_64 passes or fails from boot to boot on both kernels here (its
# ARCH_GET_GS after "mov 0 to %gs" and its switches between threads): QEMU
# clears the GS base on a null selector load, and Xen, without FSGSBASE,
# keeps the user GS base it last set. Its outcome is shown, not compared.
set -euo pipefail
STEP=selftests-x86
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: selftests-x86.sh SERIES_CONSOLE_LOG BASELINE_CONSOLE_LOG"
}

FLAKY="fsgsbase_64"
[ "${1:-}" = -h ] || [ "${1:-}" = --help ] && { usage; exit 0; }
[ $# = 2 ] || usage_error "needs two console logs"
for f in "$@"; do [ -r "$f" ] || die "cannot read $f"; done

awk -v flaky=" $FLAKY " '
	{ sub(/^.*PVPERF-SELFTEST /, "") }
	$1 != "domU" { next }
	FILENAME == ARGV[1] { s[$2] = $3; names[$2] = 1 }
	FILENAME == ARGV[2] { b[$2] = $3; names[$2] = 1 }
	END {
		bad = 0
		for (n in names) {
			if (!(n in s) || !(n in b)) {
				printf "FAIL %s: ran on one kernel only " \
					"(series %s, baseline %s)\n", n,
					(n in s) ? "ran" : "missing", (n in b) ? "ran" : "missing"
				bad = 1
			} else if (index(flaky, " " n " "))
				printf "ok   %s: exit %s, baseline exit %s " \
					"(not compared: flaky under QEMU)\n", n, s[n], b[n]
			else if (s[n] == 0)
				printf "ok   %s: passes (baseline: exit %s)\n", n, b[n]
			else if (s[n] == b[n])
				printf "ok   %s: exit %s on both\n", n, s[n]
			else {
				printf "FAIL %s: exit %s, baseline exit %s\n", n, s[n], b[n]
				bad = 1
			}
		}
		if (!length(names)) { print "FAIL no selftests/x86 result in either log"; bad = 1 }
		exit bad
	}' <(grep -a 'PVPERF-SELFTEST ' "$1" || true) \
		<(grep -a 'PVPERF-SELFTEST ' "$2" || true) | sort -k2
