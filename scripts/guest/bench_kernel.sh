#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope kernel` and `mmscope vmalloc`.  kernel: the
# whole kernel half walked, folded into runs and printed as JSON, against
# reading the kernel's own ptdump
# of the same tables (/sys/kernel/debug/page_tables/kernel), which walks
# them with the kernel's generic page walker and prints one line per run.
# Debian's kernels have no ptdump: there only mmscope's time is printed;
# `make bench-debug ARGS=kernel` runs this on the check-debug kernel, which
# has it (and KASAN/lockdep, which slow both sides).  Target: no slower
# than ptdump (ratio <= 1).  Figures, never assertions.
set -eu
RUNS=${RUNS:-10}
PTDUMP=/sys/kernel/debug/page_tables/kernel

. "$(dirname "$0")/timing.sh"

mm=$(mean mmscope kernel --json)
if [ -r "$PTDUMP" ]; then
	pd=$(mean cat "$PTDUMP")
	echo "bench kernel: mmscope kernel --json $((mm / 1000)) us, ptdump $((pd / 1000)) us ($(ratio "$mm" "$pd")x vs ptdump), mean of $RUNS; $(mmscope kernel --json | wc -c) vs $(wc -c < "$PTDUMP") bytes"
else
	echo "bench kernel: mmscope kernel --json $((mm / 1000)) us, mean of $RUNS; no $PTDUMP on this kernel (no CONFIG_PTDUMP_DEBUGFS): make bench-debug ARGS=kernel compares"
fi

# `mmscope vmalloc`: every area with its page-table cost, against
# /proc/vmallocinfo, which lists the same areas under the same locks.
vm=$(mean mmscope vmalloc --json)
vi=$(mean cat /proc/vmallocinfo)
echo "bench vmalloc: mmscope vmalloc --json $((vm / 1000)) us, /proc/vmallocinfo $((vi / 1000)) us ($(ratio "$vm" "$vi")x), mean of $RUNS; $(grep -c . /proc/vmallocinfo) areas"
