#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make soak (in the guest): the stress test for a set time, then what it did
# and what it found.  Minutes from mmscope.args=MINUTES (default 10).
MIN=${1:-10}
case "$MIN" in *[!0-9]*|'') MIN=10 ;; esac
echo "soak: $MIN minutes of concurrent readers, churning targets and allocators"
dmesg -c > /dev/null
start=$(date +%s)
MMSCOPE_STRESS_SECONDS=$((MIN * 60)) /mmscope/selftests/stress
rc=$?
echo "soak: ran $(( $(date +%s) - start )) s"
found=$(dmesg | grep -cE 'BUG:|WARNING:|Oops|general protection|KASAN|kmemleak|INFO: task .* blocked|sleeping function called')
echo "soak: kernel reports found: $found"
dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|KASAN|kmemleak|INFO: task|sleeping function' | head -20
[ "$rc" = 0 ] && [ "$found" = 0 ]
