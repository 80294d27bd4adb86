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

# /proc/uptime in ns (10 ms resolution: hence $RUNS runs per figure; busybox
# date has no %N).
now_ns() { awk '{ printf "%.0f", $1 * 1000000000 }' /proc/uptime; }

# Mean time of one run of "$@", in ns.
mean() {
	i=0
	t0=$(now_ns)
	while [ "$i" -lt "$RUNS" ]; do
		"$@" >/dev/null
		i=$((i + 1))
	done
	t1=$(now_ns)
	echo $(((t1 - t0) / RUNS))
}

base=$(mean cat /proc/pagetypeinfo)
walk=$(mean "$CLI" buddy --json)
json=$("$CLI" buddy --json)
field() { echo "$json" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
kwalk=$(field walk_ns)
hold=$(field max_hold_ns)
entries=$(field entries)
holds=$(field holds)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
echo "bench buddy-walk: $((walk / 1000)) us for mmscope buddy, $entries entries in $holds holds ($(ratio "$walk" "$base")x vs cat /proc/pagetypeinfo $((base / 1000)) us)"
echo "bench buddy-kernel-walk: $((kwalk / 1000)) us inside the module ($(ratio "$kwalk" "$base")x vs cat /proc/pagetypeinfo)"
echo "bench buddy-max-hold: $((hold / 1000)) us longest zone->lock hold ($(ratio "$hold" "$base")x vs one whole cat /proc/pagetypeinfo)"
