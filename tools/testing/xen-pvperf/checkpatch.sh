#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch: scripts/checkpatch.pl --strict over the series, whole files
# with -f and NAME.patch files as patches. Any error, warning or check fails.
# Prints "ok FILE" or "FAIL FILE" per file, then the findings.
set -euo pipefail
STEP=checkpatch
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: checkpatch.sh [-h] [--mail] [FILE...]
  Checks the given series files (default: every file of the series:
  $OVERLAY_DIRS $OVERLAY_TOP, and the harness files git tracks in
  tools/testing/xen-pvperf) with the pristine tree's checkpatch.pl.
  --mail   the FILEs are patches as mailed (git format-patch, series.sh):
           their Signed-off-by is checked too
EOF
}

files=()
signoff=--no-signoff
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--mail) signoff="" ;;
	-*) usage_error "unknown argument '$1'" ;;
	*) files+=("$1") ;;
	esac
	shift
done

pristine=$(pristine_dir)
cp=$pristine/scripts/checkpatch.pl
[ -f "$cp" ] || die "no checkpatch.pl at $cp; run 'make apply' first (it unpacks the kernel source)"
# checkpatch validates SPDX tags with scripts/spdxcheck.py, which reads
# LICENSES/ from a git commit: give it a root of links to the series tree
# (so that it sees the series' documentation, e.g. of boot parameters) and
# a repository holding a copy of LICENSES/.
series=$(series_dir)
[ -f "$series/.xen-pvperf-unpacked" ] || die "no series tree at $series; run 'make apply' first"
root=$CACHE/checkpatch-root
if [ ! -f "$root/.xen-pvperf-series" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for e in "$series"/*; do
		[ "$(basename "$e")" = LICENSES ] || ln -s "$e" "$root/$(basename "$e")"
	done
	cp -r "$pristine/LICENSES" "$root/LICENSES"
	{
		git -C "$root" init -q &&
			git -C "$root" add LICENSES &&
			git -C "$root" -c user.name=xen-pvperf -c user.email=xen-pvperf@localhost \
				commit -q -m "LICENSES of $(upstream_version)"
	} || die "cannot make the git repository checkpatch needs in $root"
	touch "$root/.xen-pvperf-series"
fi
cd "$REPO"
if [ ${#files[@]} = 0 ]; then
	# shellcheck disable=SC2086
	mapfile -t files < <({
		find $OVERLAY_DIRS $OVERLAY_TOP -type f 2>/dev/null
		# The harness is the last patch of 'make series'.
		git ls-files tools/testing/xen-pvperf
	} | LC_ALL=C sort)
fi

bad=0
findings=$(mktemp)
trap 'rm -f "$findings"' EXIT
for f in "${files[@]}"; do
	[ -f "$f" ] || die "no such file: $f"
	case "$f" in
	*.patch) args=($signoff "$(realpath "$f")") ;; # relative: false findings
	*) args=(-f "$f") ;;
	esac
	if PATH="/usr/bin:$PATH" perl "$cp" --root="$root" --strict --terse --no-summary \
		--show-types "${args[@]}" >"$findings" 2>&1 && ! [ -s "$findings" ]; then
		echo "ok $f"
	else
		echo "FAIL $f"
		sed 's/^/  /' "$findings"
		bad=$((bad + 1))
	fi
done
[ "$bad" = 0 ] || die "$bad file(s) with checkpatch findings"
