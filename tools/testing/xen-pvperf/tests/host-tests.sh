#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests of the harness itself: bad flags, a patch that does not
# apply, missing inputs and packages. Fast: no kernel build, no boot.
# Prints "ok NAME" or "FAIL NAME: why" per test; exits 1 if any failed.
set -uo pipefail
H=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0
only=${1:-}

ok() { echo "ok $1"; }
fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# expect NAME RC PATTERN CMD...: CMD exits RC and its output matches PATTERN.
expect() {
	local name=$1 rc=$2 pat=$3 got=0
	shift 3
	case "$name" in *"$only"*) ;; *) return 0 ;; esac
	"$@" >"$TMP/out" 2>&1 || got=$?
	if [ "$got" != "$rc" ]; then
		fail "$name" "exit $got, expected $rc; output: $(head -c 300 "$TMP/out" | tr '\n' ' ')"
	elif ! grep -qE -- "$pat" "$TMP/out"; then
		fail "$name" "output lacks /$pat/: $(head -c 300 "$TMP/out" | tr '\n' ' ')"
	else
		ok "$name"
	fi
}

# Every stage: an unknown flag prints the usage and exits 2.
for s in setup apply build rootfs boot checkpatch mkpatch run check overhead; do
	expect "$s-unknown-flag" 2 "unknown argument '--bogus'.*|usage:" \
		"$H/$s.sh" --bogus
	expect "$s-help" 0 "^usage: $s.sh" "$H/$s.sh" --help
done
expect build-unknown-kernel 2 "unknown kernel 'nosuch'" "$H/build.sh" --kernel nosuch
expect overhead-bad-runs 2 "--runs needs a positive number" "$H/overhead.sh" --runs 0
expect build-bad-jobs 2 "--jobs needs a positive number" "$H/build.sh" --jobs x
expect boot-needs-mode 2 "--mode is required" "$H/boot.sh" --kernel series
expect boot-bad-mode 2 "unknown mode 'pvh'" "$H/boot.sh" --mode pvh --kernel series
expect boot-bad-timeout 2 "--marker-timeout needs a number" \
	"$H/boot.sh" --mode xen --kernel series --marker-timeout 1m
expect boot-bad-env-timeout 2 "XEN_PVPERF_MARKER_TIMEOUT must be a number" \
	env XEN_PVPERF_MARKER_TIMEOUT=soon "$H/boot.sh" --mode xen --kernel series
expect apply-pristine-alone 2 "--pristine and --tree go together" \
	"$H/apply.sh" --pristine /tmp

# A small fake upstream tree and overlays to apply to it.
P=$TMP/pristine
mkdir -p "$P/arch/x86/xen" "$P/drivers/xen"
printf 'one\ntwo\nthree\nfour\nfive\n' >"$P/arch/x86/xen/Kconfig"
printf 'upstream\n' >"$P/drivers/xen/owned.c"
mkoverlay() {
	rm -rf "$TMP/ov"
	mkdir -p "$TMP/ov/arch/x86/xen" "$TMP/ov/drivers/xen"
}
good_patch() {
	cat <<'EOF'
Add six.
---
--- a/arch/x86/xen/Kconfig
+++ b/arch/x86/xen/Kconfig
@@ -3,3 +3,4 @@
 three
 four
 five
+six
EOF
}

mkoverlay
good_patch >"$TMP/ov/arch/x86/xen/Kconfig.patch"
printf 'ours\n' >"$TMP/ov/drivers/xen/owned.c"
printf 'new\n' >"$TMP/ov/drivers/xen/new.c"
T=$TMP/tree
expect apply-good 0 "3 files \(1 patches\); 3 changed" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-result in *"$only"*)
	if [ "$(tail -n 1 "$T/arch/x86/xen/Kconfig")" = six ] &&
		[ "$(cat "$T/drivers/xen/owned.c")" = ours ] && [ -f "$T/drivers/xen/new.c" ]; then
		ok apply-result
	else
		fail apply-result "the tree does not hold the patched and copied files"
	fi
	;;
esac
touch -d '2001-01-01' "$T/drivers/xen/owned.c"
expect apply-again-changes-nothing 0 "; 0 changed" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-keeps-mtime in *"$only"*)
	if [ "$(stat -c %Y "$T/drivers/xen/owned.c")" = "$(date -d 2001-01-01 +%s)" ]; then
		ok apply-keeps-mtime
	else
		fail apply-keeps-mtime "an unchanged file was rewritten (a needless rebuild)"
	fi
	;;
esac
rm "$TMP/ov/drivers/xen/owned.c" "$TMP/ov/drivers/xen/new.c"
expect apply-restores-upstream 0 "owned.c \(restored to upstream\)" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$T"
case apply-removes-new in *"$only"*)
	if [ ! -e "$T/drivers/xen/new.c" ] && [ "$(cat "$T/drivers/xen/owned.c")" = upstream ]; then
		ok apply-removes-new
	else
		fail apply-removes-new "a file the series dropped is still in the tree"
	fi
	;;
esac

mkoverlay
good_patch | sed 's/^ four$/ FOUR/' >"$TMP/ov/arch/x86/xen/Kconfig.patch"
expect apply-conflict 1 "apply: error: arch/x86/xen/Kconfig.patch does not apply" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t2"
expect apply-conflict-shows-reject 1 "reject:" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t2"

mkoverlay
good_patch | sed 's|arch/x86/xen/Kconfig|arch/x86/xen/Kconfig.missing|' \
	>"$TMP/ov/arch/x86/xen/Kconfig.missing.patch"
expect apply-patch-without-upstream 1 "upstream file arch/x86/xen/Kconfig.missing does not exist" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t3"

mkoverlay
good_patch | sed 's|b/arch/x86/xen/Kconfig|b/arch/x86/xen/Other|' >"$TMP/ov/arch/x86/xen/Kconfig.patch"
expect apply-patch-wrong-target 1 "must name b/arch/x86/xen/Kconfig" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t4"

mkoverlay
good_patch >"$TMP/ov/arch/x86/xen/Kconfig.patch"
cp "$P/arch/x86/xen/Kconfig" "$TMP/ov/arch/x86/xen/Kconfig"
expect apply-whole-and-patch 1 "given twice" \
	"$H/apply.sh" --overlay "$TMP/ov" --pristine "$P" --tree "$TMP/t5"

expect apply-missing-source 1 "kernel source /nonexistent/linux.tar.xz not found; run 'make setup'" \
	env XEN_PVPERF_CACHE="$TMP/cache" XEN_PVPERF_KSRC_TARBALL=/nonexistent/linux.tar.xz \
	"$H/apply.sh"
expect setup-unknown-package 1 "xen-pvperf-no-such-package.* not found in the configured Debian archive" \
	env XEN_PVPERF_EXTRA_PACKAGES=xen-pvperf-no-such-package "$H/setup.sh"

# checkpatch must catch what it is there for (it needs the kernel tree).
mkdir -p "$TMP/cp"
printf 'int f(void){return 0;}\n' >"$TMP/cp/bad.c"
if [ -f "$(. "$H/lib.sh"; series_dir)/.xen-pvperf-unpacked" ]; then
	expect checkpatch-catches-missing-spdx 1 "FAIL .*bad.c" "$H/checkpatch.sh" "$TMP/cp/bad.c"
else
	echo "skip checkpatch-catches-missing-spdx (no kernel tree yet: run 'make apply')"
fi

expect boot-bad-stats 2 "--stats needs on or off" \
	"$H/boot.sh" --mode xen --kernel series --stats maybe

# The guest benchmark program: usage, bad arguments, a real run.
if gcc -static -O2 -o "$TMP/pvbench" "$H/bench/pvbench.c" 2>"$TMP/cc"; then
	expect pvbench-help 0 "^usage: pvbench OP" "$TMP/pvbench" --help
	expect pvbench-unknown-op 2 "unknown op 'nosuch'" "$TMP/pvbench" nosuch
	expect pvbench-bad-n 2 "-n needs a positive number, not '0'" "$TMP/pvbench" fork_exit_16m -n 0
	expect pvbench-bad-t 2 "-t needs a positive number, not 'x'" "$TMP/pvbench" ctx_n -t x
	expect pvbench-ring-of-one 2 "ctx_n needs -t 2 or more" "$TMP/pvbench" ctx_n -t 1
	expect pvbench-extra-arg 2 "unexpected argument 'more'" "$TMP/pvbench" signal more
	expect pvbench-bad-n-text 2 "-n needs a positive number, not 'ten'" "$TMP/pvbench" ctx_pipe -n ten
	for op in null_syscall ctx_pipe ctx_n signal pagefault_anon pagefault_file \
		mmap_munmap mprotect_1024 fork_exit_16m fork_exec tls_switch spin_contended; do
		expect "pvbench-runs-$op" 0 "^op=$op iterations=3 ns_per_op=[0-9]+$" \
			"$TMP/pvbench" "$op" -n 3 -s 64
	done
	expect pvbench-mmperf-phases 0 \
		"^op=mmperf iterations=2 ns_per_op=[0-9]+ mmap=[0-9]+ fault=[0-9]+ mprotect=[0-9]+ fork=[0-9]+ munmap=[0-9]+$" \
		"$TMP/pvbench" mmperf -n 2
else
	fail pvbench-builds "$(head -n 5 "$TMP/cc")"
fi

# A comma cannot reach a kernel under Xen through QEMU's -initrd.
expect boot-comma-under-xen 1 "may not contain ','" \
	env XEN_PVPERF_OUT="$TMP/out" "$H/boot.sh" --mode xen --kernel series --append "a=1,2"

[ "$failed" = 0 ]
