#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkpatch: write the repo's PATH.patch as the diff from upstream's PATH to an
# edited copy of it. Never edit the series tree in place: its files are hard
# links to the pristine tree until the series replaces them.
set -euo pipefail
STEP=mkpatch
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: mkpatch.sh [-h] [-m DESCRIPTION] PATH EDITED
       mkpatch.sh --copy PATH DEST
  PATH     a file of the kernel tree, e.g. arch/x86/xen/Kconfig
  EDITED   your edited copy of upstream's PATH (start from
           mkpatch.sh --copy PATH DEST, which copies upstream's file)
  -m TEXT  what the hunk does and why (kept from the old PATH.patch
           when not given; required for a new one)
Writes $REPO/PATH.patch: the description, a "---" line, then the unified
diff a/PATH -> b/PATH, as quilt and git-am read it.
EOF
}

desc=""
case "${1:-}" in
-h | --help) usage; exit 0 ;;
--copy)
	[ $# = 3 ] || usage_error "--copy needs PATH and DEST"
	[ -f "$(pristine_dir)/$2" ] || die "upstream has no $2"
	mkdir -p "$(dirname "$3")"
	if [ -f "$REPO/$2.patch" ]; then
		patch -s -o "$3" "$(pristine_dir)/$2" <"$REPO/$2.patch" ||
			die "$2.patch does not apply to upstream's $2"
	else
		cp "$(pristine_dir)/$2" "$3"
	fi
	log "copied upstream's $2 (with $2.patch if any) to $3"
	exit 0
	;;
-m)
	[ $# -ge 2 ] || usage_error "-m needs a description"
	desc=$2
	shift 2
	;;
esac
case "${1:-}" in
"" | -*) usage_error "a kernel PATH is needed" ;;
esac
[ $# = 2 ] || usage_error "PATH and EDITED are needed"
rel=$1
edited=$2
orig=$(pristine_dir)/$rel
[ -f "$orig" ] || die "upstream has no $rel (a new file is added whole, not as a patch)"
[ -f "$edited" ] || die "edited file $edited does not exist"
mkdir -p "$(dirname "$REPO/$rel")"
if [ -z "$desc" ] && [ -f "$REPO/$rel.patch" ]; then
	desc=$(sed -n "/^---\$/q;p" "$REPO/$rel.patch")
fi
[ -n "$desc" ] || usage_error "a new patch needs -m DESCRIPTION"
printf '%s\n---\ndiff --git a/%s b/%s\n' "$desc" "$rel" "$rel" >"$REPO/$rel.patch.new"
rc=0
diff -u --label "a/$rel" --label "b/$rel" "$orig" "$edited" >>"$REPO/$rel.patch.new" || rc=$?
if [ "$rc" != 1 ]; then
	rm -f "$REPO/$rel.patch.new"
	die "$edited is the same as upstream's $rel; no patch written"
fi
# A blank context line is written empty, not as one space: patch and
# git apply take both, and checkpatch takes the space for trailing
# whitespace.
sed -i 's/^ $//' "$REPO/$rel.patch.new"
mv "$REPO/$rel.patch.new" "$REPO/$rel.patch"
log "wrote $rel.patch ($(grep -c '^[-+][^-+]' "$REPO/$rel.patch") changed lines)"
