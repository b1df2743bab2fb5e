#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# apply: unpack the pristine kernel source (once) and bring the series tree up
# to date with the repo: whole files are copied to their path, NAME.patch is
# applied to upstream's NAME. Only files whose content changes are rewritten,
# so an incremental build recompiles only what the series changed.
set -euo pipefail
STEP=apply
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: apply.sh [-h] [--overlay DIR] [--pristine DIR --tree DIR]
  Default: unpack $KSRC_TARBALL into $CACHE/trees/<version>/pristine
  (once), then apply the series from the repo to .../series.
  --overlay DIR    take the series from DIR instead of the repo ($REPO)
  --pristine DIR   an unpacked upstream tree to apply against (no unpack)
  --tree DIR       the tree to bring up to date (with --pristine)
Environment: XEN_PVPERF_CACHE (default ~/.cache/xen-pvperf),
  XEN_PVPERF_KSRC_TARBALL (default /usr/src/linux-source-6.1.tar.xz).
EOF
}

overlay=$REPO
pristine=""
tree=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--overlay) [ $# -ge 2 ] || usage_error "--overlay needs a folder"; overlay=$2; shift ;;
	--pristine) [ $# -ge 2 ] || usage_error "--pristine needs a folder"; pristine=$2; shift ;;
	--tree) [ $# -ge 2 ] || usage_error "--tree needs a folder"; tree=$2; shift ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
if [ -n "$pristine$tree" ] && { [ -z "$pristine" ] || [ -z "$tree" ]; }; then
	usage_error "--pristine and --tree go together"
fi
[ -d "$overlay" ] || die "overlay folder '$overlay' does not exist"

unpack_pristine() {
	local dir=$1 ver tmp
	[ -f "$dir/.xen-pvperf-unpacked" ] && return 0
	[ -f "$KSRC_TARBALL" ] ||
		die "kernel source $KSRC_TARBALL not found; run 'make setup' (installs $KSRC_PKG)"
	ver=$(upstream_version)
	log "unpacking $KSRC_PKG $ver (about 1-2 minutes)"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	run_with_timeout 900 "unpacking $KSRC_TARBALL" \
		tar -C "$dir.tmp" --strip-components=1 -xJf "$KSRC_TARBALL" ||
		die "cannot unpack $KSRC_TARBALL (disk full? corrupt package? reinstall $KSRC_PKG)"
	[ -f "$dir.tmp/Makefile" ] && [ -d "$dir.tmp/arch/x86/xen" ] ||
		die "$KSRC_TARBALL does not hold a kernel tree with arch/x86/xen"
	echo "$KSRC_PKG $ver" >"$dir.tmp/.xen-pvperf-unpacked"
	mv "$dir.tmp" "$dir"
}

# The series tree starts as hard links to the pristine files. Every file the
# series changes is replaced by a new file (never written in place), which
# breaks the link and leaves the pristine tree untouched.
make_series_tree() {
	local p=$1 s=$2
	[ -f "$s/.xen-pvperf-unpacked" ] && return 0
	log "creating the series tree (hard links to pristine)"
	rm -rf "$s" "$s.tmp"
	mkdir -p "$s.tmp"
	(cd "$p" && find . -path './build-*' -prune -o -print0 |
		cpio -0 -pdlm --quiet "$s.tmp") ||
		die "cannot create the series tree in $s"
	mv "$s.tmp" "$s"
}

# List the overlay: "whole PATH" or "patch PATH" (PATH without .patch).
overlay_entries() {
	local d f
	(
		cd "$overlay"
		for d in $OVERLAY_DIRS $OVERLAY_TOP; do
			[ -e "$d" ] || continue
			find "$d" -type f ! -name '*.orig' ! -name '*.rej' ! -name '*~'
		done
	) | LC_ALL=C sort | while read -r f; do
		case "$f" in
		*.patch) printf 'patch %s\n' "${f%.patch}" ;;
		*) printf 'whole %s\n' "$f" ;;
		esac
	done
}

# install_file SRC DST: replace DST by a new file with SRC's content, only if
# the content differs. Prints the path when it changed.
install_file() {
	local src=$1 dst=$2 rel=$3
	if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
		return 0
	fi
	mkdir -p "$(dirname "$dst")"
	cp "$src" "$dst.xen-pvperf-new"
	chmod --reference="$src" "$dst.xen-pvperf-new" 2>/dev/null || true
	mv -f "$dst.xen-pvperf-new" "$dst"
	printf '%s\n' "$rel"
}

apply_overlay() {
	local p=$1 t=$2 stage kind rel src ent changed=0 n=0 old
	stage=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$stage'" RETURN
	: >"$stage/manifest"
	overlay_entries >"$stage/entries"
	while read -r kind rel; do
		n=$((n + 1))
		if grep -qx "$rel" "$stage/manifest"; then
			die "$rel is given twice (as a whole file and as $rel.patch); keep one"
		fi
		mkdir -p "$stage/new/$(dirname "$rel")"
		if [ "$kind" = whole ]; then
			cp "$overlay/$rel" "$stage/new/$rel"
		else
			apply_one_patch "$p" "$rel" "$stage"
		fi
		echo "$rel" >>"$stage/manifest"
	done <"$stage/entries"

	# Files the series touched last time but no longer does go back to
	# upstream's content (or away, when upstream has no such file).
	old="$t/.xen-pvperf-manifest"
	if [ -f "$old" ]; then
		while read -r rel; do
			grep -qx "$rel" "$stage/manifest" && continue
			if [ -f "$p/$rel" ]; then
				install_file "$p/$rel" "$t/$rel" "$rel (restored to upstream)"
			else
				rm -f "$t/$rel"
				printf '%s\n' "$rel (removed)"
			fi
		done <"$old" >>"$stage/changed"
	fi
	while read -r rel; do
		install_file "$stage/new/$rel" "$t/$rel" "$rel"
	done <"$stage/manifest" >>"$stage/changed"
	cp "$stage/manifest" "$old"
	changed=$(wc -l <"$stage/changed")
	log "series: $n files ($(grep -c '^patch' "$stage/entries" || true) patches);" \
		"$changed changed in $t"
	sed 's/^/  updated: /' "$stage/changed"
}

apply_one_patch() {
	local p=$1 rel=$2 stage=$3 pf out rej targets
	pf="$overlay/$rel.patch"
	[ -f "$p/$rel" ] ||
		die "$rel.patch: upstream file $rel does not exist in the pristine tree"
	targets=$(grep -c '^+++ ' "$pf" || true)
	[ "$targets" = 1 ] ||
		die "$rel.patch: must change exactly one file ($rel), it changes $targets"
	grep -q "^+++ b/$rel\$\|^+++ b/$rel[[:space:]]" "$pf" ||
		die "$rel.patch: its '+++' line must name b/$rel"
	out="$stage/new/$rel"
	rej="$stage/$(echo "$rel" | tr / _).rej"
	if ! patch --quiet --force --fuzz=0 --no-backup-if-mismatch \
		-o "$out" -r "$rej" "$p/$rel" <"$pf" >"$stage/patch.log" 2>&1; then
		{
			printf 'xen-pvperf: apply: error: %s.patch does not apply to %s %s\n' \
				"$rel" "$KSRC_PKG" "$(upstream_version 2>/dev/null || echo '?')"
			sed 's/^/  /' "$stage/patch.log"
			if [ -s "$rej" ]; then
				echo "  reject:"
				sed 's/^/  | /' "$rej"
			fi
			echo "  fix the patch against upstream's $rel, then run 'make apply' again"
		} >&2
		exit 1
	fi
}

if [ -n "$pristine" ]; then
	[ -d "$pristine" ] || die "pristine tree '$pristine' does not exist"
	mkdir -p "$tree"
	apply_overlay "$pristine" "$tree"
	exit 0
fi

need_cmd tar xz patch cpio
pristine=$(pristine_dir)
tree=$(series_dir)
unpack_pristine "$pristine"
make_series_tree "$pristine" "$tree"
apply_overlay "$pristine" "$tree"
mkdir -p "$OUT"
cat "$pristine/.xen-pvperf-unpacked" >"$OUT/upstream-version"
