#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope phys`: the whole map (every PFN of every zone
# classified) beside reading all of /proc/kpageflags, which computes the
# same flags for every PFN (what page-types does first).  The claim: phys
# is no slower, a ratio of at most about 1.  phys reads a free block's
# head once for the whole block, so a quiet VM (memory mostly in large
# free blocks) flatters it; the fragmented run (ANON_MIB of anonymous
# memory with every other page freed: order-0 free blocks between used
# pages) is its worst case.  Prints `bench phys-...: <figure>
# (<ratio>x vs <baseline>)` lines.
set -eu
CLI=${MMSCOPE_CLI:-/mmscope/mmscope}
RUNS=${RUNS:-10}

. "$(dirname "$0")/timing.sh"

# One set of figures, labelled $1 ("" or "-fragmented").
measure() {
	base=$(mean cat /proc/kpageflags)
	map=$(mean "$CLI" phys)
	# The module's own time: the shortest of 3 scans (one is noisy).
	scan=
	for i in 1 2 3; do
		json=$("$CLI" phys --json)
		pfns=$(echo "$json" | sed -n 's/.*"pfns":\([0-9]*\).*/\1/p')
		s=$(echo "$json" | sed -n 's/.*"pfns":[0-9]*,"scan_ns":\([0-9]*\).*/\1/p')
		if [ -z "$scan" ] || [ "$s" -lt "$scan" ]; then scan=$s; fi
	done
	echo "bench phys-map$1: $((map / 1000)) us for mmscope phys, $pfns PFNs ($(ratio "$map" "$base")x vs cat /proc/kpageflags $((base / 1000)) us)"
	echo "bench phys-kernel-scan$1: $((scan / 1000)) us inside the module ($(ratio "$scan" "$base")x vs cat /proc/kpageflags)"
}

measure ""

HOLES_MIB=${HOLES_MIB:-2048}
fifo=/tmp/bench_phys.$$
mkfifo "$fifo"
/mmscope/selftests/workload --holes "$HOLES_MIB" --seconds 3600 >"$fifo" &
wl=$!
while read -r line; do
	case "$line" in pid*) break ;; esac
done <"$fifo"
measure "-fragmented"
kill "$wl" 2>/dev/null || true
wait "$wl" 2>/dev/null || true
rm -f "$fifo"
