#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope report`: the page of a process with 10 000 VMAs
# and 64 GiB of sparse memory (issue 18's large cases, in one process)
# beside the page of init (small: the baseline, same run).  Here: the time
# to write each page and its size.  Both pages are printed gzipped in
# base64 (MMSCOPE-REPORT-BEGIN/END, small first) for the host, which opens
# them in headless chromium (scripts/bench-report.sh: the issue's targets,
# open in under 2 s and under 10 MB).  Figures, not assertions.
set -eu
CLI=${MMSCOPE_CLI:-/mmscope/mmscope}
RUNS=${RUNS:-3}

. "$(dirname "$0")/timing.sh"

fifo=/tmp/bench_report.$$
mkfifo "$fifo"
/mmscope/selftests/workload --vmas 10000 --sparse 64 --seconds 3600 >"$fifo" &
wl=$!
while read -r line; do
	case "$line" in pid*) break ;; esac
done <"$fifo"

small=$(mean "$CLI" report -p 1 -o /tmp/small.html)
big=$(mean "$CLI" report -p "$wl" -o /tmp/big.html)
nvma=$(wc -l < "/proc/$wl/maps")
echo "bench report-write: $((big / 1000000)) ms for the page of $nvma VMAs + 64 GiB sparse ($(ratio "$big" "$small")x vs init's page $((small / 1000000)) ms)"
echo "bench report-size: $(wc -c < /tmp/big.html) bytes for that page (target < 10485760), init's $(wc -c < /tmp/small.html)"
for f in small big; do
	echo "MMSCOPE-REPORT-BEGIN $f"
	gzip -9 -c "/tmp/$f.html" | base64
	echo MMSCOPE-REPORT-END
done
kill "$wl" 2>/dev/null || true
wait "$wl" 2>/dev/null || true
rm -f "$fifo" /tmp/small.html /tmp/big.html
