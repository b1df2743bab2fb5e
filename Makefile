# SPDX-License-Identifier: GPL-2.0
# xen-pvperf: the two commands are 'make run' (the main job) and
# 'make check' (the tests). The other targets run one stage each.
H := tools/testing/xen-pvperf

.PHONY: help run check check-host setup apply build rootfs boot checkpatch overhead stress spinbench lifecycle torture census series report clean

help:
	@echo "make run          setup, apply, build, boot Xen dom0 + PV domU and native, benchmarks, report"
	@echo "                  (RUNS=N: each instruction count over N boots, mean per op)"
	@echo "make check        all tests (host tests, checkpatch, build, boots); 'N passed, N failed'"
	@echo "make check-host   the fast tests only (harness host tests, checkpatch)"
	@echo "make setup|apply|build|rootfs|checkpatch   one stage"
	@echo "make boot MODE=xen|native KERNEL=series|baseline   one boot"
	@echo "make overhead     instructions/op of the statistics: compiled out, off, on"
	@echo "make stress       locktorture in a PV domU of 4 vCPUs on 2 CPUs, with vCPU hotplug"
	@echo "                  (SECS=N: how long, default 600; KERNEL=series|baseline)"
	@echo "make spinbench    spin_contended in a 2-vCPU domU, series and baseline, with and without nopvspin"
	@echo "make lifecycle    dom0 creates, saves, restores, pauses, shrinks and shuts down a PV domU,"
	@echo "                  series and baseline; dom0's entries into Xen per xl command"
	@echo "                  (CYCLES=N: save and restore cycles, default 2;"
	@echo "                  MIGRATIONS=N: boots that migrate, default 3, median taken)"
	@echo "make torture      the dirty-bit torture of the PTE clears in a 2-vCPU domU, vCPUs at once"
	@echo "                  (QEMU 10 from bookworm-backports; SECS=N, default 600; KERNEL=series|baseline)"
	@echo "make census       natively, an op's kernel instructions by function, per kernel, traced"
	@echo "                  by QEMU (OPS=\"op ...\", default fork_exit_16m;"
	@echo "                  CENSUS_KERNELS=\"...\", default series baseline; after make build rootfs)"
	@echo "make series       the series as git format-patch output in out/series, with a cover letter"
	@echo "                  carrying the last 'make run' report; checkpatch, git am and build checked"
	@echo "make report       the report of the last 'make run' again (out/report.json, .svg)"
	@echo "make clean        remove out/ (the cache in ~/.cache/xen-pvperf stays)"

# RUNS=N: boot each icount configuration N times, each in its own guest
# state (pvperf.perturb), the mean per op.
RUNS ?= 1

run:
	$(H)/run.sh --runs $(RUNS)

check:
	$(H)/check.sh

check-host:
	$(H)/check.sh --host-only

setup apply build rootfs checkpatch overhead spinbench series:
	$(H)/$@.sh

MODE ?= xen
KERNEL ?= series
boot:
	$(H)/boot.sh --mode $(MODE) --kernel $(KERNEL)

SECS ?= 600
stress:
	$(H)/stress.sh --kernel $(KERNEL) --secs $(SECS)

torture:
	$(H)/torture.sh --kernel $(KERNEL) --secs $(SECS)

CYCLES ?= 2
MIGRATIONS ?= 3
lifecycle:
	$(H)/lifecycle.sh --cycles $(CYCLES) --migrations $(MIGRATIONS)

OPS ?= fork_exit_16m
CENSUS_KERNELS ?= series baseline
census:
	python3 $(H)/census.py $(foreach k,$(CENSUS_KERNELS),--kernel $(k)) $(foreach o,$(OPS),--op $(o))

report:
	python3 $(H)/report.py --logs out/logs --json out/report.json --svg out/report.svg --crosscheck

clean:
	rm -rf out
