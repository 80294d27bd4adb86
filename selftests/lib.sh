# SPDX-License-Identifier: GPL-2.0
# KTAP helpers for shell selftests (busybox sh).  Source it, then:
#
#   ktap_plan 3
#   ktap_ok "name"                      # or: ktap_check "name" <command...>
#   ktap_fail "name" ["why"]
#   ktap_skip "name" "reason"
#   ktap_finish                         # totals line + exit code
#
# Exit codes as kselftest: PASS 0, FAIL 1, SKIP 4 (only when all skipped).
# The runner counts the "ok N" / "not ok N" / "# SKIP" lines.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_XFAIL=2
KSFT_XPASS=3
KSFT_SKIP=4

KTAP_N=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

echo "TAP version 13"

ktap_plan() { echo "1..$1"; }
ktap_msg() { echo "# $*"; }

ktap_ok()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $1"
}

ktap_fail()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_FAIL=$((KTAP_FAIL + 1))
	[ -n "${2:-}" ] && echo "# $1: $2"
	echo "not ok $KTAP_N $1"
}

ktap_skip()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP ${2:-}"
}

# ktap_check NAME CMD...: ok when CMD succeeds.
ktap_check()
{
	local name=$1
	shift
	if "$@"; then ktap_ok "$name"; else ktap_fail "$name" "failed: $*"; fi
}

ktap_finish()
{
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	if [ "$KTAP_FAIL" -gt 0 ]; then exit $KSFT_FAIL; fi
	if [ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ]; then exit $KSFT_SKIP; fi
	exit $KSFT_PASS
}
