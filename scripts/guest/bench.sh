#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench (in the guest): every bench_*.sh, figures as ratios against a
# baseline measured in the same run.  Figures, never assertions.  Names
# given as arguments (mmscope.args, e.g. "slab") run only those benches.
rc=0
for b in /mmscope/scripts/guest/bench_*.sh; do
	[ -e "$b" ] || continue
	name=$(basename "$b" .sh)
	if [ $# -gt 0 ]; then
		case " $* " in *" ${name#bench_} "*) ;; *) continue ;; esac
	fi
	echo "== $name"
	sh "$b" || rc=1
done
exit $rc
