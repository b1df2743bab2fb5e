#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xen-shadow: Xen 4.17 built from Debian's own source package with
# CONFIG_SHADOW_PAGING=y, for the boots that migrate a PV domU: log-dirty
# mode, which live migration needs, is given to PV guests through shadow
# paging, and Debian's hypervisor is built without it ("Failed to enable
# logdirty: 95"). The source comes through the harness's own sources list
# (deb-src of bookworm; the machine's apt sources are not changed); the
# hypervisor alone is built, with Debian's configuration plus shadow
# paging, once, into the cache. Prints the path of the ELF image.
set -euo pipefail
STEP=xen-shadow
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: xen-shadow.sh [-h]
  Fetches Debian's xen source package $XEN_SRC_VERSION (deb-src of bookworm),
  builds its hypervisor with CONFIG_SHADOW_PAGING=y into
  $CACHE/xen-shadow-<version> (once, a few minutes) and prints the path
  of the image. Environment: XEN_PVPERF_XEN_SRC_VERSION (default
  $XEN_SRC_VERSION; the security update the machine runs has no source
  on the mirror).
EOF
}

XEN_SRC_VERSION=${XEN_PVPERF_XEN_SRC_VERSION:-4.17.5+72-g01140da4e8-1}
no_args "$@"
# Progress to stderr: stdout is the one path callers take.
exec 3>&1 1>&2

dir=$CACHE/xen-shadow-${XEN_SRC_VERSION//[:~+]/_}
elf=$dir/xen-shadow.elf
if [ ! -f "$elf" ]; then
	need_cmd apt-get dpkg-source make gcc python3
	apt_private_update
	rm -rf "$dir"
	mkdir -p "$dir/dl"
	log "apt-get source xen=$XEN_SRC_VERSION (about 5 MB)"
	out=$(cd "$dir/dl" && run_with_timeout 600 "apt-get source of xen $XEN_SRC_VERSION" \
		apt-get "${APT_OPTS[@]}" source --download-only -q "xen=$XEN_SRC_VERSION" 2>&1) ||
		die "apt-get source of xen $XEN_SRC_VERSION failed: $(apt_error "$out")" \
			"(set XEN_PVPERF_XEN_SRC_VERSION to a version 'apt-cache showsrc xen' lists)"
	out=$(cd "$dir/dl" && dpkg-source -x ./*.dsc "$dir/src" 2>&1) ||
		die "dpkg-source -x of xen $XEN_SRC_VERSION failed:" \
			"$(printf '%s\n' "$out" | tail -n 1)"
	rm -rf "$dir/dl"
	# Debian's own configuration of its hypervisor (debian/rules:
	# debian/xen-kconfig, then olddefconfig), plus shadow paging.
	cp "$dir/src/debian/xen-kconfig" "$dir/src/xen/.config"
	echo CONFIG_SHADOW_PAGING=y >>"$dir/src/xen/.config"
	make -s -C "$dir/src/xen" olddefconfig XEN_TARGET_ARCH=x86_64 >"$dir/build.log" 2>&1 ||
		die "olddefconfig of Xen failed: $(tail -n 1 "$dir/build.log")"
	grep -qx CONFIG_SHADOW_PAGING=y "$dir/src/xen/.config" ||
		die "CONFIG_SHADOW_PAGING=y did not stick in $dir/src/xen/.config"
	log "building the hypervisor with CONFIG_SHADOW_PAGING=y" \
		"(a few minutes; log: $dir/build.log)"
	run_with_timeout 3600 "the build of Xen" \
		make -C "$dir/src/xen" -j"$(nproc)" XEN_TARGET_ARCH=x86_64 \
		>>"$dir/build.log" 2>&1 ||
		die "the build of Xen failed:" \
			"$(grep -m1 -E 'error|Error' "$dir/build.log" ||
				tail -n 1 "$dir/build.log")"
	[ -f "$dir/src/xen/xen" ] || die "the build of Xen made no $dir/src/xen/xen"
	cp "$dir/src/xen/xen" "$elf.tmp" && mv "$elf.tmp" "$elf"
	log "built $elf"
fi
printf '%s\n' "$elf" >&3
