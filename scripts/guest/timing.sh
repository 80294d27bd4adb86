# SPDX-License-Identifier: GPL-2.0
#
# Timing helpers the guest benches source (not a bench_*.sh: bench.sh does
# not run it): $RUNS runs per figure, set by the bench.

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

# $1 / $2 with two decimals (0 if $2 is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
