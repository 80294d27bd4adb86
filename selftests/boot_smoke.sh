#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM is the one the host asked for: 5-level paging (la57) iff the host
# passed mmscope.paging=5, the kernel flavour (PREEMPT_RT iff mmscope.kernel
# names an -rt kernel), as many NUMA nodes as mmscope.numa says, mmscope.ko
# is loaded, and the scratch disk (a block-backed ext4 for the major-fault
# and swap tests) came up.  A VM that is not what was asked for would make
# every later test prove something else: each is a failure, never a skip.
. "$(dirname "$0")/lib.sh"

ktap_plan 6

cmdarg() { sed -n "s/.*mmscope\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }

want=$(sed -n 's/.*mmscope\.paging=\([0-9]\).*/\1/p' /proc/cmdline)
if grep -qw la57 /proc/cpuinfo; then have=5; else have=4; fi
if [ -z "$want" ]; then
	ktap_fail "paging_levels_as_requested" "no mmscope.paging= on the command line"
elif [ "$want" = "$have" ]; then
	ktap_ok "paging_levels_as_requested"
else
	ktap_fail "paging_levels_as_requested" "asked for $want-level, cpu runs $have-level"
fi
ktap_msg "paging: $have-level, kernel $(uname -r)"

kname=$(cmdarg kernel)
if [ -e /sys/kernel/realtime ]; then rt=yes; else rt=no; fi
case "$kname" in
*-rt) wantrt=yes ;;
*) wantrt=no ;;
esac
if [ -z "$kname" ]; then
	ktap_fail "kernel_flavour_as_requested" "no mmscope.kernel= on the command line"
elif [ "$rt" = "$wantrt" ]; then
	ktap_ok "kernel_flavour_as_requested"
else
	ktap_fail "kernel_flavour_as_requested" "asked for $kname, PREEMPT_RT: $rt ($(uname -v))"
fi

wantn=$(cmdarg numa)
haven=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ "$haven" -gt 0 ] || haven=1
if [ -z "$wantn" ]; then
	ktap_fail "numa_nodes_as_requested" "no mmscope.numa= on the command line"
elif [ "$wantn" = "$haven" ]; then
	ktap_ok "numa_nodes_as_requested"
else
	ktap_fail "numa_nodes_as_requested" "asked for $wantn node(s), the kernel has $haven"
fi
ktap_msg "$haven NUMA node(s), $(grep -c ^processor /proc/cpuinfo) CPU(s), kernel $kname, PREEMPT_RT $rt"

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
