#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope phys`: the whole map (every PFN of every zone
# classified) beside reading all of /proc/kpageflags, which computes the
# same flags for every PFN (what page-types does first).  The claim: phys
# is no slower, a ratio of at most about 1.  Prints `bench phys-...:
# <figure> (<ratio>x vs <baseline>)` lines.
set -eu
CLI=${MMSCOPE_CLI:-/mmscope/mmscope}
RUNS=${RUNS:-10}

. "$(dirname "$0")/timing.sh"

base=$(mean cat /proc/kpageflags)
map=$(mean "$CLI" phys)
json=$("$CLI" phys --json)
pfns=$(echo "$json" | sed -n 's/.*"pfns":\([0-9]*\).*/\1/p')
scan=$(echo "$json" | sed -n 's/.*"pfns":[0-9]*,"scan_ns":\([0-9]*\).*/\1/p')
echo "bench phys-map: $((map / 1000)) us for mmscope phys, $pfns PFNs ($(ratio "$map" "$base")x vs cat /proc/kpageflags $((base / 1000)) us)"
echo "bench phys-kernel-scan: $((scan / 1000)) us inside the module ($(ratio "$scan" "$base")x vs cat /proc/kpageflags)"
