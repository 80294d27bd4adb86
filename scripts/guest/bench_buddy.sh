#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope buddy`: a full walk of every free list (time, and
# the longest single zone->lock hold) beside the time to read
# /proc/pagetypeinfo, which walks the same lists in one hold per list
# (capped at 100000 entries).  Meant for a VM with several GiB of RAM.
# Prints `bench buddy-...: <figure> (<ratio>x vs <baseline>)` lines.
set -eu
CLI=${MMSCOPE_CLI:-/mmscope/mmscope}
RUNS=${RUNS:-50}

# now_ns, mean (of $RUNS runs) and ratio.
. "$(dirname "$0")/timing.sh"

# One set of figures, labelled $1 ("" or "-fragmented").
measure() {
	base=$(mean cat /proc/pagetypeinfo)
	walk=$(mean "$CLI" buddy --json)
	json=$("$CLI" buddy --json)
	field() { echo "$json" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
	kwalk=$(field walk_ns)
	hold=$(field max_hold_ns)
	entries=$(field entries)
	holds=$(field holds)
	echo "bench buddy-walk$1: $((walk / 1000)) us for mmscope buddy, $entries entries in $holds holds ($(ratio "$walk" "$base")x vs cat /proc/pagetypeinfo $((base / 1000)) us)"
	echo "bench buddy-kernel-walk$1: $((kwalk / 1000)) us inside the module ($(ratio "$kwalk" "$base")x vs cat /proc/pagetypeinfo)"
	echo "bench buddy-max-hold$1: $((hold / 1000)) us longest zone->lock hold ($(ratio "$hold" "$base")x vs one whole cat /proc/pagetypeinfo)"
}

# A quiet VM: free memory sits mostly in a few hundred order-10 blocks.
measure ""

# Fragmented: HOLES_MIB of memory with every other page freed puts
# HOLES_MIB * 128 order-0 blocks on the lists, more than the 100000 that
# /proc/pagetypeinfo counts per list in one hold; mmscope walks them all,
# 1024 per hold.
HOLES_MIB=${HOLES_MIB:-2048}
fifo=/tmp/bench_buddy.$$
mkfifo "$fifo"
/mmscope/selftests/workload --holes "$HOLES_MIB" --seconds 3600 >"$fifo" &
wl=$!
while read -r line; do
	case "$line" in pid*) break ;; esac
done <"$fifo"
RUNS=${RUNS_FRAGMENTED:-10}
measure "-fragmented"
kill "$wl" 2>/dev/null || true
wait "$wl" 2>/dev/null || true
rm -f "$fifo"
