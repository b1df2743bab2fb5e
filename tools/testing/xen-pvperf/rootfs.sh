#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rootfs: build the initramfs images.
#   out/rootfs/guest.cpio.gz         busybox + /init (+ test programs and
#                                    each kernel's locktorture modules):
#                                    the domU's and the native boot's root
#   out/rootfs/dom0-KERNEL.cpio.gz   guest + the Xen toolstack from Debian's
#                                    packages (xenstored, xenconsoled, xl and
#                                    their libraries) + KERNEL and guest as
#                                    the domU's kernel and ramdisk
set -euo pipefail
STEP=rootfs
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: rootfs.sh [-h] [--kernel NAME]...
  --kernel NAME   make the dom0 image for NAME (repeatable; known: $KERNELS;
                  default all); its domU runs the same kernel
Writes to $OUT/rootfs. Run 'make build' first.
EOF
}

kernels=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) want_kernel "${2-}"; shift ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
kernels=${kernels:-$KERNELS}
need_cmd cpio gzip ldd gcc

BUSYBOX=/bin/busybox
TOOLS="xl xenstored xenconsoled xen-init-dom0 xentrace libxl-save-helper"
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	die "static busybox not found at $BUSYBOX; run 'make setup' (installs busybox-static)"
for t in $TOOLS; do
	[ -x "$XEN_BIN/$t" ] ||
		die "Xen tool $XEN_BIN/$t not found; run 'make setup' (installs xen-utils-4.17)"
done
[ -x /usr/bin/xenstore ] ||
	die "/usr/bin/xenstore not found; run 'make setup' (installs xenstore-utils)"

dest=$OUT/rootfs
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cpio_of DIR FILE: a gzip'd newc archive of DIR, owned by root.
cpio_of() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio -0 -o -H newc -R 0:0 --quiet) | gzip -6 -n >"$2.tmp"
	mv "$2.tmp" "$2"
}

make_guest() {
	local r=$1 a
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,root}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$BUSYBOX" --list-full); do
		[ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
	done
	mkdir -p "$r/var/lib" "$r/var/log"
	ln -s /run "$r/var/run"
	install -m 0755 "$HARNESS/rootfs/init" "$r/init"
	install -m 0755 "$work/pvbench" "$r/bin/pvbench"
	install -m 0755 "$work/pvtoggle" "$r/bin/pvtoggle"
	install -m 0755 "$work/pvlife" "$r/bin/pvlife"
	install -m 0755 "$work/pvmark" "$r/bin/pvmark"
	install -m 0755 "$work/pvdirty" "$r/bin/pvdirty"
	install -m 0755 "$work/pvdf" "$r/bin/pvdf"
	install -m 0755 "$work/pvdf32" "$r/bin/pvdf32"
	mkdir -p "$r/opt/selftests/vm"
	for t in $SELFTESTS_VM; do
		install -m 0755 "$work/selftests/$t" "$r/opt/selftests/vm/$t"
	done
	mkdir -p "$r/opt/selftests/x86"
	for t in $SELFTESTS_X86_64; do
		install -m 0755 "$work/selftests/x86/${t}_64" "$r/opt/selftests/x86/"
	done
	for t in $SELFTESTS_X86_32; do
		install -m 0755 "$work/selftests/x86/${t}_32" "$r/opt/selftests/x86/"
	done
	add_modules "$r"
	if [ -n "${LMBENCH_DIR:-}" ]; then
		mkdir -p "$r/opt/lmbench"
		cp "${LMBENCH_FILES[@]}" "$r/opt/lmbench/"
	fi
}

# The modules the guests load (locktorture for pvperf.plan=stress), of
# every kernel made here, in /lib/modules/RELEASE/ of the guest image.
MODULES="kernel/torture.ko kernel/locking/locktorture.ko"
add_modules() {
	local r=$1 k b rel m
	for k in $kernels; do
		b=$(kernel_builddir "$k")
		rel=$(cat "$b/include/config/kernel.release" 2>/dev/null) ||
			die "no $k kernel in $b; run 'make build'"
		for m in $MODULES; do
			[ -f "$b/$m" ] ||
				die "no $m in $b (CONFIG_LOCK_TORTURE_TEST=m); run 'make build'"
			mkdir -p "$r/lib/modules/$rel"
			cp "$b/$m" "$r/lib/modules/$rel/"
		done
	done
}

# add_elf ROOT FILE: FILE and the shared libraries it needs.
add_elf() {
	local r=$1 f=$2 lib
	mkdir -p "$r$(dirname "$f")"
	cp -L "$f" "$r$f"
	for lib in $(ldd "$f" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		[ -e "$r$lib" ] && continue
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

make_dom0() {
	local r=$1 kernel=$2 t libgcc img
	make_guest "$r"
	for t in $TOOLS; do
		add_elf "$r" "$XEN_BIN/$t"
	done
	add_elf "$r" /usr/bin/xenstore
	for t in read write ls list exists rm chmod watch control; do
		ln -sf /usr/bin/xenstore "$r/usr/bin/xenstore-$t"
	done
	# glibc dlopens libgcc_s at run time (pthread_cancel); ldd does not
	# show it and xl aborts without it.
	libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !f { f = $NF } END { print f }')
	[ -n "$libgcc" ] || die "libgcc_s.so.1 not found (package libgcc-s1)"
	mkdir -p "$r$(dirname "$libgcc")"
	cp -L "$libgcc" "$r$libgcc"
	mkdir -p "$r/etc/xen" "$r/boot" "$r/var/lib/xen" "$r/var/log/xen"
	img=$(kernel_image "$kernel")
	[ -f "$img" ] || die "no $kernel kernel at $img; run 'make build'"
	cp "$img" "$r/boot/domU-bzImage"
	cp "$dest/guest.cpio.gz" "$r/boot/domU-initrd.gz"
	install -m 0755 "$work/pvtrace" "$r/bin/pvtrace"
}

# LMBENCH_DIR: lmbench's static binaries, run in every guest after pvbench.
LMBENCH_FILES=()
if [ -n "${LMBENCH_DIR:-}" ]; then
	[ -d "$LMBENCH_DIR" ] || die "LMBENCH_DIR=$LMBENCH_DIR is not a folder"
	for p in lat_syscall lat_ctx lat_pipe lat_sig lat_pagefault lat_mmap lat_proc; do
		f=$LMBENCH_DIR/$p
		[ -x "$f" ] || die "LMBENCH_DIR: no executable $p in $LMBENCH_DIR" \
			"(need lat_syscall lat_ctx lat_pipe lat_sig" \
			"lat_pagefault lat_mmap lat_proc)"
		LANG=C file -L "$f" | grep -q 'statically linked' ||
			die "LMBENCH_DIR: $f is not a static binary" \
				"(the guests have no C library;" \
				"build lmbench with LDFLAGS=-static)"
		LMBENCH_FILES+=("$f")
	done
fi

log "guest programs"
for p in pvbench pvtrace pvtoggle pvlife pvmark pvdirty pvdf; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$work/$p" "$HARNESS/bench/$p.c" ||
		die "cannot build bench/$p.c (compiler messages above;" \
			"gcc or libc6-dev missing: run 'make setup')"
done
# pvdf 32-bit as well: the compat ways into the kernel.
gcc -m32 -static -O2 -Wall -Wextra -Werror -o "$work/pvdf32" "$HARNESS/bench/pvdf.c" ||
	die "cannot build bench/pvdf.c 32-bit (compiler messages above;" \
		"gcc-multilib missing: run 'make setup')"
# The kernel tree's own tests of mmap, mprotect, mremap and munmap, from
# the pristine tree of the same version (static, against the C library's
# kernel headers).
SELFTESTS_VM="mremap_test mremap_dontunmap map_fixed_noreplace map_populate"
SELFTESTS_VM+=" madv_populate mlock2-tests soft-dirty"
log "selftests/vm: $SELFTESTS_VM"
vmdir=$(pristine_dir)/tools/testing/selftests/vm
[ -d "$vmdir" ] || die "no $vmdir; run 'make apply' (unpacks the kernel source)"
mkdir -p "$work/selftests"
for t in $SELFTESTS_VM; do
	src=$vmdir/$t.c
	if [ "$t" = soft-dirty ]; then
		# Without its transparent-huge-page case (two of its 15 results):
		# a PV guest has no huge pages, and the case ends the test.
		src=$work/selftests/soft-dirty.c
		sed -e '/^\ttest_hugepage(pagemap_fd, pagesize);$/d' \
			-e 's/ksft_set_plan(15);/ksft_set_plan(13);/' "$vmdir/$t.c" >"$src"
		if grep -q 'test_hugepage(pagemap_fd' "$src" ||
			! grep -q 'ksft_set_plan(13)' "$src"; then
			die "selftests/vm/soft-dirty.c changed: cannot leave out its huge-page case"
		fi
	fi
	extra=""
	grep -q '"vm_util.h"' "$src" && extra=$vmdir/vm_util.c
	# shellcheck disable=SC2086 # extra is one path or empty
	gcc -static -O2 -Wall -I"$vmdir" -I"$vmdir/.." -o "$work/selftests/$t" "$src" $extra \
		-lrt -lpthread >"$work/selftests/$t.log" 2>&1 ||
		die "cannot build selftests/vm/$t: $(tail -n 3 "$work/selftests/$t.log")"
done
# The kernel tree's own tests of segments, descriptors, TLS and the
# kernel entries that reload them (selftests/x86), 64-bit and 32-bit
# (gcc-multilib), static, as NAME_64 and NAME_32.
SELFTESTS_X86_64="ldt_gdt sigreturn fsgsbase fsgsbase_restore sysret_ss_attrs syscall_nt
	single_step_syscall mov_ss_trap sigaltstack test_mremap_vdso"
SELFTESTS_X86_32="ldt_gdt sigreturn test_syscall_vdso sysret_ss_attrs ptrace_syscall"
log "selftests/x86: 64-bit: $(echo $SELFTESTS_X86_64); 32-bit: $SELFTESTS_X86_32"
x86dir=$(pristine_dir)/tools/testing/selftests/x86
[ -d "$x86dir" ] || die "no $x86dir; run 'make apply' (unpacks the kernel source)"
# x86_selftest BITS NAME [EXTRA SOURCE...]: build selftests/x86/NAME.c.
x86_selftest() {
	local bits=$1 t=$2 out=$work/selftests/x86/$2_$1 src=() f
	shift 2
	for f in "$t.c" "$@"; do src+=("$x86dir/$f"); done
	mkdir -p "$work/selftests/x86"
	gcc -m"$bits" -static -no-pie -O2 -std=gnu99 -pthread -Wall -o "$out" \
		"${src[@]}" -lrt -ldl -lm >"$out.log" 2>&1 ||
		die "cannot build selftests/x86/${t}_$bits:" \
			"$(grep -m 2 -E 'error|cannot find' "$out.log" | tr '\n' ' ')" \
			"$([ "$bits" = 32 ] &&
				echo "(32-bit needs gcc-multilib: run 'make setup')")"
}
for t in $SELFTESTS_X86_64; do
	case $t in
	sysret_ss_attrs) x86_selftest 64 "$t" thunks.S ;;
	*) x86_selftest 64 "$t" ;;
	esac
done
for t in $SELFTESTS_X86_32; do
	case $t in
	test_syscall_vdso) x86_selftest 32 "$t" thunks_32.S ;;
	ptrace_syscall) x86_selftest 32 "$t" raw_syscall_helper_32.S ;;
	*) x86_selftest 32 "$t" ;;
	esac
done
log "guest image"
make_guest "$work/guest"
cpio_of "$work/guest" "$dest/guest.cpio.gz"
for k in $kernels; do
	log "dom0 image for $k"
	make_dom0 "$work/dom0-$k" "$k"
	cpio_of "$work/dom0-$k" "$dest/dom0-$k.cpio.gz"
done
log "done: $(cd "$dest" && ls -s --block-size=K ./*.cpio.gz | tr '\n' ' ')"
