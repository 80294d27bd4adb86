#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope pt`: a dump of 1 Mi present 4 KiB pages (4 GiB;
# the VM needs --mem 6G, fewer pages are used otherwise) and of a sparse
# 1 TiB reservation with scattered touched pages, each against reading
# /proc/PID/pagemap over the same range in 1 MiB chunks, in the same run.
# Targets: dense no slower than pagemap (ratio <= 1), sparse over 100x
# faster (ratio < 0.01).  Figures, not assertions.
set -eu
B=${MMSCOPE_SELFTESTS:-/mmscope/selftests}/bench_pt
"$B" dense
"$B" dense 262144	# 1 GiB, the size issue 16 measured PAGEMAP_SCAN on
"$B" sparse
