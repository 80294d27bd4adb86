#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM is the one the host asked for: 5-level paging (la57) iff the host
# passed mmscope.paging=5, mmscope.ko is loaded, and the scratch disk (a
# block-backed ext4 for the major-fault and swap tests) came up: a missing
# piece of the VM image is a failure, not a reason for tests to skip.
. "$(dirname "$0")/lib.sh"

ktap_plan 4

want=$(sed -n 's/.*mmscope\.paging=\([0-9]\).*/\1/p' /proc/cmdline)
if grep -qw la57 /proc/cpuinfo; then have=5; else have=4; fi
if [ -z "$want" ]; then
	ktap_skip "paging_levels_as_requested" "no mmscope.paging= on the command line"
elif [ "$want" = "$have" ]; then
	ktap_ok "paging_levels_as_requested"
else
	ktap_fail "paging_levels_as_requested" "asked for $want-level, cpu runs $have-level"
fi
ktap_msg "paging: $have-level, kernel $(uname -r)"

ktap_check "module_loaded" grep -q '^mmscope ' /proc/modules
ktap_check "panic_on_warn_set" grep -qx 1 /proc/sys/kernel/panic_on_warn
# scripts/guest/scratch.sh exports MMSCOPE_SCRATCH once ext4 is mounted.
if [ -n "${MMSCOPE_SCRATCH:-}" ] &&
   grep -q " $MMSCOPE_SCRATCH ext4 " /proc/mounts; then
	ktap_ok "scratch_disk_mounted"
else
	ktap_fail "scratch_disk_mounted" "no ext4 scratch disk (see the boot's 'mmscope-vm: scratch:' line)"
fi

ktap_finish
