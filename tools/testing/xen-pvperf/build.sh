#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build: configure and build the kernels out of tree (make O=) with ccache.
# series = the tree with the series applied; baseline = the untouched tree of
# the same version, same config fragment. Rebuilds only what changed.
set -euo pipefail
STEP=build
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: build.sh [-h] [--kernel NAME]... [--jobs N]
  --kernel NAME   build only NAME (repeatable; default: $KERNELS;
                  on demand: $EXTRA_KERNELS)
  --jobs N        parallel make jobs (default: $(nproc))
Environment: XEN_PVPERF_BUILD_TIMEOUT seconds per kernel (default 3600).
Run 'make apply' first: the series kernel builds from the applied tree.
EOF
}

kernels=""
jobs=$(nproc)
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) want_kernel "${2-}"; shift ;;
	--jobs)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] ||
			usage_error "--jobs needs a positive number"
		jobs=$2
		shift
		;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
kernels=${kernels:-$KERNELS}
timeout_s=${XEN_PVPERF_BUILD_TIMEOUT:-3600}
need_cmd make gcc ccache flex bison bc

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_NOHASHDIR=1
# Reproducible build strings: the same object from the same source.
export KBUILD_BUILD_USER=xen-pvperf KBUILD_BUILD_HOST=xen-pvperf
export KBUILD_BUILD_TIMESTAMP="1970-01-01"

fragments_of() {
	local c=$HARNESS/configs
	case "$1" in
	series | am) echo "$c/pvguest.config $c/series.config" ;;
	nodebugfs) echo "$c/pvguest.config $c/nodebugfs.config" ;;
	nopv) echo "$c/pvguest.config $c/nopv.config" ;;
	control) echo "$c/pvguest.config $c/control.config" ;;
	*) echo "$c/pvguest.config" ;;
	esac
}

# The fragments merged: one line per option, the last fragment's wins.
merged_fragments() {
	# shellcheck disable=SC2086
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1 &/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 &/p' $1 |
		awk '{ sym = $1; sub(/^[^ ]* /, ""); v[sym] = $0; if (!(sym in o)) o[sym] = n++ }
		     END { for (s in v) print o[s], v[s] }' | sort -n | cut -d' ' -f2-
}

# configure NAME TREE BUILDDIR: allnoconfig + fragments when the fragments
# changed, olddefconfig otherwise; then check every fragment line stuck,
# but for those a fragment names in "# xen-pvperf-unchecked: REGEX".
configure() {
	local name=$1 tree=$2 b=$3 frags sum line sym unchecked
	frags=$(fragments_of "$name")
	# shellcheck disable=SC2086
	unchecked=$(sed -n 's/^# xen-pvperf-unchecked: //p' $frags | paste -sd'|')
	# shellcheck disable=SC2086
	sum=$(cat $frags | sha256sum | cut -c1-16)
	mkdir -p "$b"
	if [ ! -f "$b/.config" ] ||
		[ "$(cat "$b/.xen-pvperf-fragments" 2>/dev/null)" != "$sum" ]; then
		log "$name: configuring from $(echo "$frags" | xargs -n1 basename | tr '\n' ' ')"
		merged_fragments "$frags" >"$b/.xen-pvperf-allconfig"
		make -C "$tree" O="$b" -s KCONFIG_ALLCONFIG="$b/.xen-pvperf-allconfig" \
			allnoconfig >"$b/.xen-pvperf-config.log" 2>&1 ||
			die "$name: kernel configuration failed:" \
				"$(tail -n 3 "$b/.xen-pvperf-config.log" | tr '\n' ' ')"
		echo "$sum" >"$b/.xen-pvperf-fragments"
	else
		make -C "$tree" O="$b" -s olddefconfig >"$b/.xen-pvperf-config.log" 2>&1 ||
			die "$name: kernel configuration failed:" \
				"$(tail -n 3 "$b/.xen-pvperf-config.log" | tr '\n' ' ')"
	fi
	merged_fragments "$frags" | while read -r line; do
		[ -n "$unchecked" ] && echo "$line" | grep -qE "$unchecked" && continue
		sym=${line%%=*}
		case "$line" in
		"# "*)
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$b/.config" || continue
			;;
		*) grep -qx "$line" "$b/.config" && continue ;;
		esac
		rm -f "$b/.xen-pvperf-fragments"
		die "$name: config option '$line' from the fragments did not stick" \
			"(now: $(grep -E "^(# )?$sym[= ]" "$b/.config" || echo unset));" \
			"a dependency is missing"
	done
}

build_one() {
	local name=$1 tree b start last log pid rc=0
	tree=$(kernel_tree "$name")
	b=$(kernel_builddir "$name")
	[ -f "$tree/Makefile" ] || die "$name: no kernel tree at $tree; run 'make apply' first"
	configure "$name" "$tree" "$b"
	log="$b/.xen-pvperf-build.log"
	start=$(date +%s)
	log "$name: make -j$jobs bzImage modules in $b (cold about 10-15 minutes, warm seconds)"
	timeout --kill-after=10 "$timeout_s" \
		make -C "$tree" O="$b" -j"$jobs" CC="ccache gcc" \
		LOCALVERSION="$(kernel_localversion "$name")" bzImage modules \
		>"$log" 2>&1 &
	pid=$!
	last=$start
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if [ $(($(date +%s) - last)) -ge 60 ]; then
			last=$(date +%s)
			log "$name: $(grep -c '^  CC' "$log" || true) files compiled," \
				"$((last - start))s"
		fi
	done
	wait "$pid" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		die "$name: make timed out after ${timeout_s}s (log: $log)"
	elif [ "$rc" != 0 ]; then
		grep -E 'error|Error' "$log" | head -n 20 >&2 || true
		tail -n 10 "$log" >&2
		die "$name: make failed (exit $rc); full log: $log"
	fi
	log "$name: built $(kernel_image "$name") ($(($(date +%s) - start))s," \
		"$(grep -c '^  CC' "$log" || true) files compiled)"
}

for k in $kernels; do
	build_one "$k"
done
