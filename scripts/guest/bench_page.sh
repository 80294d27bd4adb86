#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest bench for `mmscope page`: the mappers of a frame mapped by one of
# 200 processes, and of one mapped by all 200 (and their parent), found by
# the module through the reverse map against a scan of every process's
# /proc/PID/maps and pagemap, in the same run.  Target: the one-mapper
# query at least 100x faster than the scan.  Figures, not assertions.
set -eu
B=${MMSCOPE_SELFTESTS:-/mmscope/selftests}/bench_page
"$B" "${BENCH_PROCS:-200}"
