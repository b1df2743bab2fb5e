#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu10: QEMU 10.0 from Debian's bookworm-backports, unpacked into the
# cache (apt-get download through the harness's own sources list; nothing
# is installed and the machine's apt sources stay as they are). Its
# multi-threaded TCG runs each vCPU on a host thread of its own and
# survives the kernel's cross-modifying code, where 7.2's does not
# (Documentation/xen/pvperf.rst, "Known problems"): boot.sh --mttcg uses
# it for the boots that count no instructions (make lifecycle, make
# torture). Prints the directory it unpacked into.
set -euo pipefail
STEP=qemu10
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: qemu10.sh [-h]
  Fetches qemu-system-x86, -common and -data $QEMU10_VERSION from
  bookworm-backports into $CACHE/qemu-<version> (once) and prints that
  directory. Environment: XEN_PVPERF_QEMU10_VERSION (default $QEMU10_VERSION).
EOF
}

QEMU10_VERSION=${XEN_PVPERF_QEMU10_VERSION:-1:10.0.2+ds-2+deb13u1~bpo12+1}
no_args "$@"
# Progress to stderr: stdout is the one path callers take.
exec 3>&1 1>&2

dir=$CACHE/qemu-${QEMU10_VERSION//[:~+]/_}
bin=$dir/usr/bin/qemu-system-x86_64
if [ ! -x "$bin" ]; then
	need_cmd apt-get dpkg-deb ldd
	apt_private_update
	dl=$CACHE/qemu10-download
	rm -rf "$dl" "$dir.tmp"
	mkdir -p "$dl" "$dir.tmp"
	log "apt-get download qemu-system-x86 $QEMU10_VERSION (bookworm-backports, about 13 MB)"
	out=$(cd "$dl" && run_with_timeout 600 "apt-get download of QEMU $QEMU10_VERSION" \
		apt-get "${APT_OPTS[@]}" download -q "qemu-system-x86=$QEMU10_VERSION" \
		"qemu-system-common=$QEMU10_VERSION" "qemu-system-data=$QEMU10_VERSION" 2>&1) ||
		die "apt-get download of QEMU $QEMU10_VERSION from bookworm-backports failed:" \
			"$(apt_error "$out")" \
			"(set XEN_PVPERF_QEMU10_VERSION to a version 'apt-cache policy' lists)"
	for f in "$dl"/*.deb; do
		dpkg-deb -x "$f" "$dir.tmp" || die "dpkg-deb -x $f failed"
	done
	rm -rf "$dl"
	[ -x "$dir.tmp/usr/bin/qemu-system-x86_64" ] ||
		die "the packages of QEMU $QEMU10_VERSION hold no usr/bin/qemu-system-x86_64"
	mv "$dir.tmp" "$dir"
fi
# It runs with bookworm's libraries, those of its own 7.2 ('make setup').
missing=$(ldd "$bin" | awk '/not found/ { printf " %s", $1 }')
[ -z "$missing" ] ||
	die "QEMU 10 lacks libraries:$missing; run 'make setup' (qemu-system-x86 brings them)"
"$bin" --version >/dev/null 2>&1 ||
	die "$bin --version failed: $("$bin" --version 2>&1 | head -n 1)"
printf '%s\n' "$dir" >&3
