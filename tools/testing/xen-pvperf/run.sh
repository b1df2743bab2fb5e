#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run ('make run'): the main job. Install what is missing, apply the series,
# build the series and baseline kernels, boot each as Xen dom0 + PV domU and
# natively, list /sys/kernel/debug/xen in every guest, and summarise.
set -euo pipefail
STEP=run
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: run.sh [-h] [--kernel NAME]...
  --kernel NAME   only this kernel (repeatable; known: $KERNELS; default all)
Stages: setup, apply, build, rootfs, boot (xen, native). Logs: $OUT/logs.
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
kflags=$(printf -- '--kernel %s ' $kernels)

summary=""
timed() { # timed NAME CMD...
	local name=$1 t
	shift
	t=$(date +%s)
	"$@"
	summary="$summary$(printf '  %-26s %5ss' "$name" $(($(date +%s) - t)))"$'\n'
}

timed setup "$HARNESS/setup.sh"
timed apply "$HARNESS/apply.sh"
# shellcheck disable=SC2086
timed build "$HARNESS/build.sh" $kflags
# shellcheck disable=SC2086
timed rootfs "$HARNESS/rootfs.sh" $kflags
for k in $kernels; do
	timed "boot xen $k" "$HARNESS/boot.sh" --mode xen --kernel "$k"
	timed "boot native $k" "$HARNESS/boot.sh" --mode native --kernel "$k"
done

echo
echo "== summary ($(cat "$OUT/upstream-version"))"
for k in $kernels; do
	for m in xen native; do
		r=$OUT/logs/boot-$m-$k.results
		printf '  %-8s %-7s guests: %-12s checks ok: %3s, skipped: %s\n' "$k" "$m" \
			"$(awk '{ print $2 }' "$r" | sort -u | tr '\n' ' ')" \
			"$(grep -c '^ok' "$r" || true)" "$(grep -c '^skip' "$r" || true)"
	done
done
echo "stage times:"
printf '%s' "$summary"
