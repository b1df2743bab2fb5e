#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series: export the series as git format-patch output on top of the
# pristine tree, one patch per logical change (series.txt), with a cover
# letter carrying the report of the last 'make run' (out/report.txt).
# Then checks what it wrote: checkpatch.pl --strict on every patch, git am
# of the whole series on a fresh checkout of the pristine tree, the result
# equal to the series tree file for file, and a build of it.
set -euo pipefail
STEP=series
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: series.sh [-h] [--out DIR] [--no-report] [--no-build]
  --out DIR     where the patches go (default $OUT/series; emptied first)
  --no-report   a cover letter without the report of 'make run' (which
                is otherwise required: $OUT/report.txt)
  --no-build    do not build the tree git am made
The pristine tree's git repository and the git am checkout are kept in
the cache ($(tree_root)/{base.git,am}). Run 'make apply' first.
EOF
}

dest=$OUT/series
report=1
build=1
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--out) [ $# -ge 2 ] || usage_error "--out needs a folder"; dest=$2; shift ;;
	--no-report) report=0 ;;
	--no-build) build=0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
need_cmd git perl python3
# The series tree as the repository has it now: what git am must make.
"$HARNESS/apply.sh" >/dev/null
pristine=$(pristine_dir)
series=$(series_dir)
[ -f "$series/.xen-pvperf-unpacked" ] || die "no series tree at $series; run 'make apply' first"
if [ "$report" = 1 ] && [ ! -s "$OUT/report.txt" ]; then
	die "no report of 'make run' at $OUT/report.txt, which the cover letter carries:" \
		"run 'make run' first (or --no-report)"
fi
version=$(upstream_version)
author="xen-pvperf developers <dev@xen-pvperf>"
AUTHOR_NAME=${author% <*}
AUTHOR_EMAIL=${author#*<}
AUTHOR_EMAIL=${AUTHOR_EMAIL%>}
# The same series from the same repository: dates of its last commit.
date=$(git -C "$REPO" log -1 --format=%cI 2>/dev/null || echo "1970-01-01T00:00:00Z")
export GIT_AUTHOR_NAME=$AUTHOR_NAME GIT_AUTHOR_EMAIL=$AUTHOR_EMAIL GIT_AUTHOR_DATE=$date
export GIT_COMMITTER_NAME=$AUTHOR_NAME GIT_COMMITTER_EMAIL=$AUTHOR_EMAIL GIT_COMMITTER_DATE=$date

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The plan: NN.msg and NN.files per patch; every overlay file in one.
n=$(python3 "$HARNESS/series.py" plan "$HARNESS/series.txt" "$REPO" "$work" "$author")
log "$n patches in $HARNESS/series.txt"

# The pristine tree as a git repository (once; its work tree is the
# pristine folder, which git only reads).
bg=$(tree_root)/base.git
if ! git --git-dir="$bg" rev-parse -q --verify refs/heads/base >/dev/null 2>&1; then
	log "making the git repository of the pristine tree in $bg (once; about 2-4 minutes)"
	rm -rf "$bg"
	git init -q --bare "$bg"
	git --git-dir="$bg" config core.autocrlf false
	run_with_timeout 1800 "git add of the pristine tree" \
		git -C "$pristine" --git-dir="$bg" --work-tree="$pristine" add -A -f -- . \
		':(exclude)build-*' ':(exclude).xen-pvperf-*' ||
		die "git add of the pristine tree $pristine failed"
	tree=$(git --git-dir="$bg" write-tree)
	c=$(echo "Linux $version (Debian $KSRC_PKG)" | git --git-dir="$bg" commit-tree "$tree")
	git --git-dir="$bg" update-ref refs/heads/base "$c"
	rm -f "$bg/index"
fi
export GIT_DIR=$bg
export GIT_INDEX_FILE=$work/index
git read-tree base

# The final MAINTAINERS: upstream's with MAINTAINERS.patch applied; each
# patch carries the entry cut down to the files there so far.
git cat-file blob base:MAINTAINERS >"$work/MAINTAINERS"
(cd "$work" && patch -s -p1 --no-backup-if-mismatch <"$REPO/MAINTAINERS.patch") ||
	die "MAINTAINERS.patch does not apply to upstream's MAINTAINERS"
: >"$work/paths"

prev=$(git rev-parse base)
for i in $(seq -f %02g 1 "$n"); do
	while read -r f; do
		case "$f" in
		*.patch)
			git apply --cached --whitespace=nowarn "$REPO/$f" 2>"$work/apply.err" ||
				die "patch $i: $f does not apply to $version:" \
					"$(head -n 3 "$work/apply.err" | tr '\n' ' ')"
			echo "${f%.patch}" >>"$work/paths"
			;;
		*)
			mode=100644
			[ -x "$REPO/$f" ] && mode=100755
			git update-index --add --cacheinfo \
				"$mode,$(git hash-object -w "$REPO/$f"),$f"
			echo "$f" >>"$work/paths"
			;;
		esac
	done <"$work/$i.files"
	python3 "$HARNESS/series.py" maintainers "$work/MAINTAINERS" "$work/paths" \
		>"$work/MAINTAINERS.now"
	git update-index --cacheinfo \
		"100644,$(git hash-object -w "$work/MAINTAINERS.now"),MAINTAINERS"
	prev=$(git commit-tree "$(git write-tree)" -p "$prev" -F "$work/$i.msg")
done
git update-ref refs/heads/series "$prev"

# The cover letter and the patches.
rm -rf "$dest"
mkdir -p "$dest"
git format-patch -q --cover-letter --no-signature -o "$dest" base..series
cover=$(ls "$dest"/0000-*.patch)
{
	echo "xen-pvperf: fast pvops backends for Xen PV guests, and their costs"
	echo
	sed -e '/^#/d' "$HARNESS/series-cover.txt"
} >"$work/summary"
if [ "$report" = 1 ]; then
	cp "$OUT/report.txt" "$work/report"
else
	echo "(no report: made with --no-report; 'make run' writes it)" >"$work/report"
fi
python3 "$HARNESS/series.py" cover "$cover" "$work/report" "$work/summary"
log "wrote $(ls "$dest" | wc -l) files to $dest"

# checkpatch.pl --strict on every patch, as mailed (Signed-off-by too).
bad=0
# shellcheck disable=SC2046 # the patch files, no blanks in their names
"$HARNESS/checkpatch.sh" --mail $(ls "$dest"/0*.patch | grep -v /0000-) || bad=1
# Go on: git am and the build are worth knowing about too.

# git am on a fresh checkout of the pristine tree.
unset GIT_DIR GIT_INDEX_FILE
am=$(tree_root)/am
if [ ! -d "$am/.git" ] && [ ! -f "$am/.git" ]; then
	log "checking out the pristine tree in $am (once)"
	rm -rf "$am"
	git --git-dir="$bg" worktree prune
	git --git-dir="$bg" worktree add -q --detach "$am" base
fi
git -C "$am" am --abort >/dev/null 2>&1 || true
git -C "$am" checkout -q --detach -f base
git -C "$am" clean -q -fd -e /build-am/
ls "$dest"/0*.patch | grep -v /0000- >"$work/patches"
# shellcheck disable=SC2046
git -C "$am" am -q --whitespace=nowarn $(cat "$work/patches") >"$work/am.out" 2>&1 ||
	die "git am of $dest failed on a fresh $version tree:" \
		"$(grep -m 2 -E 'error|Patch failed' "$work/am.out" | tr '\n' ' ')"
echo "ok git am: $(wc -l <"$work/patches") patches on $version"

# The result is the series tree, file for file.
diffs=0
while read -r f; do
	# The harness is not in the kernel tree: compare with the repository.
	src=$series
	case "$f" in tools/testing/xen-pvperf/*) src=$REPO ;; esac
	f=${f%.patch}
	cmp -s "$src/$f" "$am/$f" || { echo "differs: $f"; diffs=$((diffs + 1)); }
done < <(cat "$work"/[0-9]*.files; echo MAINTAINERS.patch)
[ "$diffs" = 0 ] || die "$diffs file(s) of the git am tree differ from the series tree"
echo "ok the git am tree equals the series tree in every file the series touches"

if [ "$build" = 1 ]; then
	"$HARNESS/build.sh" --kernel am
	echo "ok build of the git am tree: $(kernel_image am)"
fi
[ "$bad" = 0 ] || die "checkpatch findings in the exported patches (above)"
log "done: $dest"
