#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make check` (busybox sh): run every test named in TESTS (or
# the names given as arguments) through the kselftest runner, count the test
# cases of each program's own KTAP, then check dmesg.
#
#   run_tests.sh [-t SECS] [NAME...]
#
# TESTS: one test per line, "name [timeout-seconds]"; '#' starts a comment.
# A program that crashes, times out or fails without a "not ok" line counts
# as one failed case; a program skipped as a whole counts as one skip.
# Last line: "N passed, N failed, N skipped"; exit 1 on any failure.

DIR=$(cd "$(dirname "$0")" && pwd)
DEFAULT_TIMEOUT=${MMSCOPE_TEST_TIMEOUT:-300}
# A KASAN kernel (make check-debug) runs several times slower.
if grep -q ' kasan_quarantine_put$' /proc/kallsyms 2>/dev/null; then
	DEFAULT_TIMEOUT=$((DEFAULT_TIMEOUT * 4))
fi
if [ "$1" = "-t" ]; then DEFAULT_TIMEOUT=$2; shift 2; fi

export BASE_DIR=$DIR
. "$DIR/kselftest/runner.sh"
# runner.sh calls /usr/bin/timeout --foreground; the guest's /usr/bin/timeout
# (scripts/guest/timeout) accepts that.

# The test list: name and timeout.
LIST=/tmp/run_tests.list
if [ $# -gt 0 ]; then
	for n in "$@"; do
		t=$(sed -e 's/#.*//' "$DIR/TESTS" | awk -v n="$n" '$1 == n { print $2 }')
		echo "$n ${t:-$DEFAULT_TIMEOUT}"
	done > $LIST
else
	sed -e 's/#.*//' "$DIR/TESTS" |
		awk -v d="$DEFAULT_TIMEOUT" 'NF { print $1, ($2 ? $2 : d) }' > $LIST
fi

total=$(($(wc -l < $LIST) + 1))
pass=0; fail=0; skip=0; num=0
failed_names=
echo "TAP version 13"
echo "1..$total"
while read -r name tmo; do
	num=$((num + 1))
	out=/tmp/ksft.$name.log
	start=$(date +%s)
	( export kselftest_override_timeout=$tmo
	  run_one mmscope "$DIR/$name" "$num" ) 2>&1 < /dev/null | tee "$out"
	secs=$(($(date +%s) - start))
	# Cases: the program's own (nested, "# "-prefixed) result lines.
	p=$(grep -cE '^# (ok) [0-9]+ ' "$out")
	s=$(grep -cE '^# ok [0-9]+ .*# (SKIP|skip)' "$out")
	x=$(grep -cE '^# ok [0-9]+ .*# XFAIL' "$out")
	f=$(grep -cE '^# not ok [0-9]+ ' "$out")
	p=$((p - s))
	top=$(grep -E "^(not )?ok $num selftests: " "$out" | tail -1)
	case "$top" in
	"ok "*"# SKIP"*)
		[ $((p + s + f)) -eq 0 ] && s=1 ;;
	"ok "*) ;;
	*)
		# Crash, timeout, bad exit: one failure unless it already said so.
		if [ "$f" -eq 0 ]; then
			f=1
			echo "# $name: ${top#*# } (counted as a failed case)"
		fi ;;
	esac
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "# $name: $p passed, $f failed, $s skipped in ${secs}s"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done < $LIST

# The kernel must not have complained.
num=$((num + 1))
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak | head -40 | sed 's/^/# /'
fi
PAT='BUG:|WARNING:|Oops|general protection|KASAN|kmemleak|INFO: task .* blocked'
if dmesg | grep -qE "$PAT"; then
	dmesg | grep -E -A 15 "$PAT" | head -80 | sed 's/^/# /'
	echo "not ok $num dmesg_clean"
	fail=$((fail + 1))
	failed_names="$failed_names dmesg_clean"
else
	echo "ok $num dmesg_clean"
	pass=$((pass + 1))
fi

[ -n "$failed_names" ] && echo "# failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
