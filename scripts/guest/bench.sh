#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench (in the guest): every bench_*.sh, figures as ratios against a
# baseline measured in the same run.  Figures, never assertions.
rc=0
for b in /mmscope/scripts/guest/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || rc=1
done
exit $rc
