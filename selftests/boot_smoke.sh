#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM is the one the host asked for: 5-level paging (la57) iff the host
# passed mmscope.paging=5, the kernel flavour (PREEMPT_RT iff mmscope.kernel
# names an -rt kernel), as many NUMA nodes as mmscope.numa says,
# page-table isolation (/proc/cpuinfo's "pti") iff mmscope.pti=1, mmscope.ko
# is loaded, and the scratch disk (a block-backed ext4 for the major-fault
# and swap tests) came up.  A VM that is not what was asked for would make
# every later test prove something else: each is a failure, never a skip.
. "$(dirname "$0")/lib.sh"

ktap_plan 7

cmdarg() { sed -n "s/.*mmscope\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }

# Test $1: a failure if mmscope.$2= is not on the command line ($3 empty),
# else ok when "$4" is "$5", else a failure that says $6.
as_requested() {
	if [ -z "$3" ]; then
		ktap_fail "$1" "no mmscope.$2= on the command line"
	elif [ "$4" = "$5" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "$6"
	fi
}

want=$(sed -n 's/.*mmscope\.paging=\([0-9]\).*/\1/p' /proc/cmdline)
if grep -qw la57 /proc/cpuinfo; then have=5; else have=4; fi
as_requested paging_levels_as_requested paging "$want" "$want" "$have" \
	"asked for $want-level, cpu runs $have-level"
ktap_msg "paging: $have-level, kernel $(uname -r)"

kname=$(cmdarg kernel)
if [ -e /sys/kernel/realtime ]; then rt=yes; else rt=no; fi
case "$kname" in
*-rt) wantrt=yes ;;
*) wantrt=no ;;
esac
as_requested kernel_flavour_as_requested kernel "$kname" "$rt" "$wantrt" \
	"asked for $kname, PREEMPT_RT: $rt ($(uname -v))"

wantn=$(cmdarg numa)
haven=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ "$haven" -gt 0 ] || haven=1
as_requested numa_nodes_as_requested numa "$wantn" "$wantn" "$haven" \
	"asked for $wantn node(s), the kernel has $haven"
ktap_msg "$haven NUMA node(s), $(grep -c ^processor /proc/cpuinfo) CPU(s), kernel $kname, PREEMPT_RT $rt"

wantp=$(cmdarg pti)
if grep -qw pti /proc/cpuinfo; then havep=1; else havep=0; fi
as_requested pti_as_requested pti "$wantp" "$wantp" "$havep" \
	"asked for PTI $wantp, the kernel runs with PTI $havep"

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
