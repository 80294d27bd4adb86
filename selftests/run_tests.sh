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
# as one failed case; a program skipped as a whole counts as one skip (its
# case named "all").
#
# Skips are checked against the declared ones (SKIPS, for this kernel and
# paging): a skip that is not declared counts as a failed case.  The kernel
# is the host's name for it (mmscope.kernel= on the command line, else
# guessed from the release), the paging is the CPU's (la57 or not).
# Last line: "N passed, N failed, N skipped" (the declared skips that
# happened, listed with their reasons just before); exit 1 on any failure.

DIR=$(cd "$(dirname "$0")" && pwd)
DEFAULT_TIMEOUT=${MMSCOPE_TEST_TIMEOUT:-300}
# A KASAN kernel (make check-debug) runs several times slower: its
# programs get 12 times their timeout and each test case 4 times its own
# (lib/mmtest.h).  Measured there under TCG: labs 908 s against 153 s on
# Debian's 6.12, and faults over 1200 s against 318 s.
SCALE=1
if grep -q ' kasan_quarantine_put$' /proc/kallsyms 2>/dev/null; then
	SCALE=12
	export MMSCOPE_TIMEOUT_SCALE=4
fi

if [ "$1" = "-t" ]; then DEFAULT_TIMEOUT=$2; shift 2; fi

export BASE_DIR=$DIR

# The kernel (as the host names it) and the paging: what SKIPS is keyed on.
KNAME=$(sed -n 's/.*mmscope\.kernel=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -z "$KNAME" ]; then
	case "$(uname -r)" in
	*-rt-*) KNAME=6.12-rt ;;
	6.1.*) KNAME=6.1 ;;
	6.12.*) KNAME=6.12 ;;
	*) KNAME=$(uname -r) ;;
	esac
	grep -q ' kasan_quarantine_put$' /proc/kallsyms 2>/dev/null && KNAME=debug
fi
if grep -qw la57 /proc/cpuinfo; then PAGING=5; else PAGING=4; fi

# declared TEST CASE: print the reason SKIPS gives for this skip on this
# kernel and paging; false when it is not declared.
declared()
{
	local k p tc reason
	[ -r "$DIR/SKIPS" ] || return 1
	while read -r k p tc reason; do
		case "$k" in ''|'#'*) continue ;; esac
		# Patterns, unquoted on purpose.
		# shellcheck disable=SC2254
		case "$KNAME" in $k) ;; *) continue ;; esac
		# shellcheck disable=SC2254
		case "$PAGING" in $p) ;; *) continue ;; esac
		[ "${tc%%:*}" = "$1" ] || continue
		# shellcheck disable=SC2254
		case "$2" in ${tc#*:}) echo "$reason"; return 0 ;; esac
	done < "$DIR/SKIPS"
	return 1
}
DECLARED=/tmp/run_tests.declared
: > $DECLARED
. "$DIR/kselftest/runner.sh"
# runner.sh calls /usr/bin/timeout --foreground; the guest's /usr/bin/timeout
# (scripts/guest/timeout) accepts that.

# The test list: name and timeout.
LIST=/tmp/run_tests.list
if [ $# -gt 0 ]; then
	for n in "$@"; do
		t=$(sed -e 's/#.*//' "$DIR/TESTS" | awk -v n="$n" '$1 == n { print $2 }')
		echo "$n $((${t:-$DEFAULT_TIMEOUT} * SCALE))"
	done > $LIST
else
	sed -e 's/#.*//' "$DIR/TESTS" |
		awk -v d="$DEFAULT_TIMEOUT" -v k="$SCALE" \
			'NF { print $1, ($2 ? $2 : d) * k }' > $LIST
fi

# kmemleak scans need a debugfs write, which lockdown forbids: the runner
# scans before the lockdown test and again at the end.
kmemleak_scan()
{
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan > /sys/kernel/debug/kmemleak 2>/dev/null || return 0
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak 2>/dev/null
	cat /sys/kernel/debug/kmemleak 2>/dev/null | head -40 | sed 's/^/# /'
}

total=$(($(wc -l < $LIST) + 1))
pass=0; fail=0; skip=0; num=0
failed_names=
echo "TAP version 13"
echo "1..$total"
while read -r name tmo; do
	num=$((num + 1))
	[ "$name" = lockdown ] && kmemleak_scan
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
	# Each skip: "CASE|REASON".
	grep -E '^# ok [0-9]+ .*# (SKIP|skip)' "$out" |
		sed -E 's/^# ok [0-9]+ ([^ ]+) .*# (SKIP|skip) ?(.*)$/\1|\3/' \
		> /tmp/run_tests.skips
	case "$top" in
	"ok "*"# SKIP"*)
		if [ $((p + s + f)) -eq 0 ]; then
			s=1
			printf 'all|%s\n' "${top#*# SKIP}" > /tmp/run_tests.skips
		fi ;;
	"ok "*) ;;
	*)
		# Crash, timeout, bad exit: one failure unless it already said so.
		if [ "$f" -eq 0 ]; then
			f=1
			echo "# $name: ${top#*# } (counted as a failed case)"
		fi ;;
	esac
	# Undeclared skips are failures.
	while IFS='|' read -r c why; do
		if reason=$(declared "$name" "$c"); then
			echo "$name:$c  $reason" >> $DECLARED
		else
			echo "# $name: $c skipped, not declared in SKIPS for $KNAME/$PAGING-level: $why (counted as a failed case)"
			s=$((s - 1)); f=$((f + 1))
		fi
	done < /tmp/run_tests.skips
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "# $name: $p passed, $f failed, $s skipped in ${secs}s"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done < $LIST

# The kernel must not have complained.
num=$((num + 1))
kmemleak_scan
PAT='BUG:|WARNING:|Oops|general protection|KASAN|kmemleak: [0-9]+ new suspected|unreferenced object|INFO: task .* blocked|sleeping function called|possible circular locking|suspicious RCU usage'
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
if [ -s $DECLARED ]; then
	echo "# declared skips (SKIPS, kernel $KNAME, $PAGING-level paging):"
	sed 's/^/#   /' $DECLARED
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
