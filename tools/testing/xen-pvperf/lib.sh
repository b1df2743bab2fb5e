# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the xen-pvperf harness: paths, progress, errors, timeouts.
# Sourced by every stage script; each stage sets STEP before sourcing.

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${XEN_PVPERF_REPO:-$(cd "$HARNESS/../../.." && pwd)}
# Everything expensive to remake lives outside the clone, so a fresh clone
# on the same machine starts warm: unpacked trees, build dirs, ccache.
CACHE=${XEN_PVPERF_CACHE:-$HOME/.cache/xen-pvperf}
OUT=${XEN_PVPERF_OUT:-$REPO/out}
KSRC_PKG=${XEN_PVPERF_KSRC_PKG:-linux-source-6.1}
KSRC_TARBALL=${XEN_PVPERF_KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
XEN_GZ=${XEN_PVPERF_XEN:-/boot/xen-4.17-amd64.gz}
XEN_BIN=/usr/lib/xen-4.17/bin
STEP=${STEP:-xen-pvperf}

# The files of the repo that are copied into (or patch) the kernel tree.
OVERLAY_DIRS="arch drivers include mm Documentation tools/objtool"
OVERLAY_TOP="Kconfig.xen MAINTAINERS.patch"

# Kernels the harness builds by default, and those built on demand:
# nodebugfs is the series without CONFIG_XEN_DEBUG_FS (overhead.sh); am
# is the series' config built from the tree that git am made of the
# exported series (series.sh).
KERNELS="series baseline"
EXTRA_KERNELS="nodebugfs nopv control am"

T0=$(date +%s)

log() {
	printf '[%s %4ss] %s\n' "$STEP" "$(($(date +%s) - T0))" "$*"
}

# One clear line naming the step and the reason; exit 1.
die() {
	printf 'xen-pvperf: %s: error: %s\n' "$STEP" "$*" >&2
	exit 1
}

usage_error() {
	printf 'xen-pvperf: %s: %s\n' "$STEP" "$*" >&2
	usage >&2
	exit 2
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "command '$c' not found;" \
				"run 'make setup' (installs the harness's Debian packages)"
	done
}

# upstream_version: the Debian version of the kernel source package.
upstream_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null) || true
	[ -n "$v" ] || die "package $KSRC_PKG is not installed; run 'make setup'"
	printf '%s\n' "$v"
}

# Trees: pristine (untouched upstream, builds the baseline) and series
# (a hard-linked copy with the series applied). Build dirs are direct
# subdirectories of their tree, so kbuild uses srctree=".." and the compile
# command lines of both trees are identical: ccache shares every object the
# series does not touch.
tree_root() { printf '%s/trees/%s\n' "$CACHE" "$(upstream_version)"; }
pristine_dir() { printf '%s/pristine\n' "$(tree_root)"; }
series_dir() { printf '%s/series\n' "$(tree_root)"; }

kernel_tree() {
	case "$1" in
	series | nodebugfs | nopv | control) series_dir ;;
	baseline) pristine_dir ;;
	am) printf '%s/am\n' "$(tree_root)" ;;
	*) die "unknown kernel '$1' (known: $KERNELS $EXTRA_KERNELS)" ;;
	esac
}

kernel_builddir() { printf '%s/build-%s\n' "$(kernel_tree "$1")" "$1"; }
kernel_image() { printf '%s/arch/x86/boot/bzImage\n' "$(kernel_builddir "$1")"; }
kernel_localversion() { printf -- '-%s\n' "$1"; }

# check_kernel_name NAME: the argument of --kernel is a kernel we know.
check_kernel_name() {
	[ -n "$1" ] || usage_error "--kernel needs a name"
	case " $KERNELS $EXTRA_KERNELS " in
	*" $1 "*) ;;
	*) usage_error "unknown kernel '$1' (known: $KERNELS $EXTRA_KERNELS)" ;;
	esac
}

# number_arg FLAG LO HI VALUE: VALUE, the argument of FLAG, printed when
# it is a number from LO to HI; otherwise the usage error naming the range
# (exit 2 of the $(...) it runs in: call it as "x=$(number_arg ...) ||
# exit 2").
number_arg() {
	[[ ${4-} =~ ^[0-9]+$ ]] && [ "$((10#$4))" -ge "$2" ] && [ "$((10#$4))" -le "$3" ] ||
		usage_error "$1 needs a number from $2 to $3"
	echo "$((10#$4))"
}

# want_kernel NAME: the argument of --kernel, appended to $kernels.
want_kernel() {
	check_kernel_name "$1"
	kernels="$kernels $1"
}

# run_with_timeout SECONDS WHAT CMD...: a timeout names the step and WHAT.
run_with_timeout() {
	local secs=$1 what=$2 rc=0
	shift 2
	timeout --kill-after=10 "$secs" "$@" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		die "$what timed out after ${secs}s"
	fi
	return "$rc"
}

# no_args ARGS...: a stage that takes no argument but -h.
no_args() {
	case "${1-}" in
	"") ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
}

# table_flags ARGS...: the flags of overhead.sh and spinbench.sh, --runs N
# (sets runs) and --table-only (sets boot=0); -h calls the caller's usage.
table_flags() {
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help) usage; exit 0 ;;
		--runs)
			[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] ||
				usage_error "--runs needs a positive number"
			runs=$2
			shift
			;;
		--table-only) boot=0 ;;
		*) usage_error "unknown argument '$1'" ;;
		esac
		shift
	done
}

# The kernel arguments of every boot that measures: benchmarks only, no
# KUnit suite before them, no user address-space randomization (with it a
# native guest's fork_exec moved by 0.5% between boots of one kernel;
# without it the same kernel reads the same figures every boot).
BENCH_ARGS="pvperf.plan=bench kunit.enable=0 norandmaps"
# bench_perturb RUN: the guest state boot RUN (1, 2, ...) of a
# configuration measures from: pvperf.perturb=RUN-1, the same for every
# kernel (pvperf.rst, "Guest state").
bench_perturb() { printf 'pvperf.perturb=%s\n' $(($1 - 1)); }

# Debian packages the machine's apt sources do not carry (QEMU 10 from
# bookworm-backports, Xen's source package) come through a sources list
# and apt state of our own under $CACHE/apt: the machine's apt
# configuration is never changed. APT_OPTS: the options that point apt-get
# there.
APT_DIR=$CACHE/apt
APT_MIRROR=${XEN_PVPERF_APT_MIRROR:-http://deb.debian.org/debian}
APT_SECURITY=${XEN_PVPERF_APT_SECURITY:-http://deb.debian.org/debian-security}
APT_OPTS=(-o Dir::Etc::SourceList="$APT_DIR/sources.list"
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APT_DIR/lists"
	-o Dir::Cache="$APT_DIR/cache" -o Dir::Cache::archives="$APT_DIR/archives"
	-o APT::Sandbox::User=root)

# apt_error OUTPUT: its first apt errors, or its last line.
apt_error() {
	local e
	e=$(printf '%s\n' "$1" | grep -E '^(E|W):' | head -n 2 | tr '\n' ' ')
	printf '%s\n' "${e:-$(printf '%s\n' "$1" | tail -n 1)}"
}

# apt_private_update: the package lists, at most once a day.
apt_private_update() {
	local key=/usr/share/keyrings/debian-archive-keyring.gpg out fresh
	[ -f "$key" ] || die "no $key; run 'apt-get install debian-archive-keyring'"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial" "$APT_DIR/cache"
	cat >"$APT_DIR/sources.list.new" <<LIST
deb [signed-by=$key] $APT_MIRROR bookworm main
deb [signed-by=$key] $APT_MIRROR bookworm-updates main
deb [signed-by=$key] $APT_MIRROR bookworm-backports main
deb-src [signed-by=$key] $APT_MIRROR bookworm main
deb-src [signed-by=$key] $APT_MIRROR bookworm-updates main
deb-src [signed-by=$key] $APT_SECURITY bookworm-security main
LIST
	fresh=$(find "$APT_DIR/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)
	if cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" && [ -n "$fresh" ]; then
		rm -f "$APT_DIR/sources.list.new"
		return 0
	fi
	mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
	log "apt-get update with the harness's own sources list ($APT_DIR/sources.list)"
	out=$(run_with_timeout 600 "apt-get update ($APT_DIR/sources.list)" \
		apt-get "${APT_OPTS[@]}" update -q 2>&1) ||
		die "apt-get update with $APT_DIR/sources.list failed: $(apt_error "$out")"
}
