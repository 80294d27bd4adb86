#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for the slab views: reading every cache (the debugfs slab
# file) beside reading /proc/slabinfo, which walks the same lists, and the
# longest single hold of a node's list_lock and of slab_mutex, from the
# account line the file ends with.  Then the same with one cache holding a
# long node partial list (the test helper keeps one object in 10 of
# 100000: about 5000 partial slabs; walked at most 1024 per list_lock
# hold).  Figures, never assertions.
set -eu
RUNS=${RUNS:-20}
HELPER=${MMSCOPE_TEST_MODULES:-/mmscope/test_modules}/mmscope_test_slab.ko
D=/sys/kernel/debug/mmscope

# now_ns, mean (of $RUNS runs) and ratio.
. "$(dirname "$0")/timing.sh"

# The account line: "# walk N ns; H holds of list_lock (...), longest L ns
# / E slabs (bound B); M holds of slab_mutex, longest K ns; S slabs".
account() {
	sed -n 's/^# walk \([0-9]*\) ns; \([0-9]*\) holds of list_lock.*longest \([0-9]*\) ns \/ \([0-9]*\) slabs (bound \([0-9]*\)); \([0-9]*\) holds of slab_mutex, longest \([0-9]*\) ns; \([0-9]*\) slabs$/\1 \2 \3 \4 \5 \6 \7 \8/p' "$1" | tail -1
}

measure() {
	file=$1 label=$2
	base=$(mean cat /proc/slabinfo)
	walk=$(mean cat "$file")
	set -- $(account "$file")
	[ $# -eq 8 ] || { echo "bench slab$label: no account line in $file" >&2; return 1; }
	echo "bench slab-walk$label: $((walk / 1000)) us for cat $file ($(ratio "$walk" "$base")x vs cat /proc/slabinfo $((base / 1000)) us); $8 partial slabs in $2 list_lock holds"
	echo "bench slab-max-lock-hold$label: $(($3 / 1000)) us longest list_lock hold, $4 slabs (bound $5) ($(ratio "$3" "$base")x vs one whole cat /proc/slabinfo)"
	echo "bench slab-max-mutex-hold$label: $(($7 / 1000)) us longest slab_mutex hold, $6 holds ($(ratio "$7" "$base")x vs one whole cat /proc/slabinfo)"
}

measure "$D/slab" ""

if [ -e "$HELPER" ]; then
	rmmod mmscope_test_slab 2>/dev/null || true
	insmod "$HELPER" count=100000 keep_every=10
	echo mmscope_test_slab > /sys/module/mmscope/parameters/cache
	measure "$D/slab" "-long-list"
	measure "$D/slab_cache" "-one-cache-long-list"
	rmmod mmscope_test_slab
fi
