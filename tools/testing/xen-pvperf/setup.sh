#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# setup: install from Debian's archive whatever the harness needs and is
# missing. Idempotent; prints nothing when everything is present.
set -euo pipefail
STEP=setup
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: setup.sh [-h]
  Installs the Debian packages the harness needs (as root, with apt-get):
  kernel source, Xen hypervisor and toolstack, QEMU, busybox, build tools.
  Extra packages: XEN_PVPERF_EXTRA_PACKAGES="pkg ...".
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
done

PACKAGES="$KSRC_PKG xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common
	xenstore-utils qemu-system-x86 busybox-static ccache
	build-essential gcc-multilib bc flex bison libelf-dev libssl-dev dwarves
	cpio xz-utils gzip kmod file python3 python3-ply python3-git python3-docutils
	${XEN_PVPERF_EXTRA_PACKAGES:-}"

missing=""
for p in $PACKAGES; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

log "missing:$missing"
[ "$(id -u)" = 0 ] ||
	die "missing packages:$missing; run 'make setup' as root, or 'apt-get install$missing'"
command -v apt-get >/dev/null ||
	die "missing packages:$missing and no apt-get here;" \
		"this harness needs Debian 12 or compatible"

export DEBIAN_FRONTEND=noninteractive
aptlog=$(mktemp)
trap 'rm -f "$aptlog"' EXIT
log "apt-get update"
run_with_timeout 600 "apt-get update" apt-get update -q >"$aptlog" 2>&1 ||
	die "apt-get update failed: $(grep -E '^(E|W):' "$aptlog" | head -n 3 | tr '\n' ' ')"

unknown=""
for p in $missing; do
	cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[ -n "$cand" ] && [ "$cand" != "(none)" ] || unknown="$unknown $p"
done
[ -z "$unknown" ] ||
	die "package(s)$unknown not found in the configured Debian archive;" \
		"this harness needs Debian 12 (bookworm) sources in /etc/apt/sources.list"

log "apt-get install$missing (a few minutes)"
# shellcheck disable=SC2086
run_with_timeout 1800 "apt-get install" \
	apt-get install -y -q --no-install-recommends $missing >"$aptlog" 2>&1 ||
	die "apt-get install$missing failed: $(grep -E '^E:' "$aptlog" | head -n 3 | tr '\n' ' ')"
log "installed:$missing"
