#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, run the host unit tests, then the selftests
# in a VM for every kernel x paging combination.
#
#   KERNELS="6.1 6.12 6.12-rt" PAGINGS="5 4" scripts/check.sh
#
# KERNEL / PAGING (what `make check KERNEL=6.12 PAGING=4` sets) take
# precedence over KERNELS / PAGINGS; each may be one value or a list.
# Every kernel runs with both paging modes.  Topology: 6.12 with 4-level
# paging boots a 2-node NUMA guest with 4 vCPUs (per-node free lists,
# per-node slab lists and per-CPU caches tested where there is more than
# one); the others 2 vCPUs, 1 node.  One combination (lib.sh combo_pti:
# 6.1 with 4-level paging) boots with page-table isolation forced on, the
# others with mitigations=off.
# ARGS is passed to run_tests.sh in every VM (test names to run a subset).
# CHECK_JOBS VMs run at once (default: the number of CPUs).
# Last line: "N passed, N failed, N skipped" summed over unit tests and all
# combinations; exit 1 when anything failed or a VM did not report.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

kernels=${KERNEL:-${KERNELS:-6.1 6.12 6.12-rt}}
pagings=${PAGING:-${PAGINGS:-5 4}}
started=$(date +%s)

"$ROOT/scripts/deps.sh" check || die "installing dependencies failed"

echo "== build"
make -s all || die "build failed (make)"
for k in $kernels; do
	check_kernel_name "$k"
	"$ROOT/scripts/kernel.sh" fetch "$k" || die "unpacking kernel $k failed"
	"$ROOT/scripts/build-modules.sh" "$k" || die "module build for $k failed"
done
make -s -C selftests 2>&1 | grep -v "statically linked applications\|in function" >&2
[ "${PIPESTATUS[0]}" = 0 ] || die "selftests build failed"
for k in $kernels; do
	"$ROOT/scripts/mkinitramfs.sh" "$k" > /dev/null || die "initramfs for $k failed"
done

rows=()
tp=0; tf=0; ts=0; bad=0
add_row()
{
	# name, "N passed, N failed, N skipped" or "", seconds, status
	local p=0 f=0 s=0
	if [[ "$2" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
		p=${BASH_REMATCH[1]}; f=${BASH_REMATCH[2]}; s=${BASH_REMATCH[3]}
	fi
	tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + s))
	rows+=("$(printf '%-22s %6s %6s %7s %6ss  %s' "$1" "$p" "$f" "$s" "$3" "$4")")
}

echo "== unit tests (host)"
t0=$(date +%s)
unit_out=$(make -s unit 2>&1)
unit_rc=$?
echo "$unit_out"
unit_line=$(echo "$unit_out" | grep -E '^unit: [0-9]+ passed' | tail -1)
unit_line=${unit_line#unit: }
status=ok
if [ $unit_rc -ne 0 ]; then status=FAILED; bad=1; fi
[ -n "$unit_line" ] || { unit_line="0 passed, 1 failed, 0 skipped"; status="FAILED (no report)"; bad=1; }
add_row "unit" "$unit_line" $(($(date +%s) - t0)) "$status"

# The combinations run side by side, $jobs at a time: each VM is one host
# thread (single-threaded TCG) in 2 GiB, so as many as there are CPUs.
# Each one's console goes to its log; the VM's verdict is printed as it
# ends, the rows in the fixed order below.
jobs=${CHECK_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
combos=()
for k in $kernels; do
	for p in $pagings; do
		combos+=("$k/$p")
	done
done
run_combo()
{
	local k=${1%/*} p=${1#*/} topo=(--smp 2 --numa 1) t0 rc
	[ "$1" = 6.12/4 ] && topo=(--smp 4 --numa 2)
	t0=$(date +%s)
	MMSCOPE_NO_BUILD=1 "$ROOT/scripts/vm.sh" --kernel "$k" --paging "$p" \
		"${topo[@]}" --pti "$(combo_pti "$1")" --mode check ${ARGS:+--args "$ARGS"} \
		> "$BUILD/logs/$k-$p-check.out" 2>&1
	rc=$?
	echo "$rc $(($(date +%s) - t0))" > "$BUILD/logs/$k-$p-check.rc"
	grep -a '^vm: ' "$BUILD/logs/$k-$p-check.out" | tail -1
	return $rc
}
mkdir -p "$BUILD/logs"
echo "== VMs: ${combos[*]} ($jobs at a time; 6.12/4 is a 2-node NUMA guest with 4 vCPUs, 6.1/4 boots with PTI)"
running=0
for c in "${combos[@]}"; do
	rm -f "$BUILD/logs/${c%/*}-${c#*/}-check.rc"
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_combo "$c" &
	running=$((running + 1))
done
wait
for c in "${combos[@]}"; do
	k=${c%/*}; p=${c#*/}; tname=""
	[ "$c" = 6.12/4 ] && tname=" numa2"
	[ "$(combo_pti "$c")" = 1 ] && tname+=" pti"
	log=$BUILD/logs/$k-$p-check.log
	read -r rc t < "$BUILD/logs/$k-$p-check.rc" 2>/dev/null || { rc=1; t=0; }
	line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" 2>/dev/null | tail -1)
	status=ok
	[ "$rc" -eq 0 ] || { status="FAILED (rc=$rc)"; bad=1; }
	if [ -z "$line" ]; then
		line="0 passed, 1 failed, 0 skipped"
		status="FAILED (no report: panic or timeout, see $log)"
		bad=1
	fi
	echo "== VM $c$tname: $line ($status, ${t}s)"
	grep -aE '^# [A-Za-z0-9_.-]+: [0-9]+ passed|SKIP|not ok' "$log" 2>/dev/null
	# A failed VM's console, whole, where CI shows it.
	if [ "$status" != ok ]; then
		echo "== VM $c failed: its console ($BUILD/logs/$k-$p-check.out)"
		cat "$BUILD/logs/$k-$p-check.out"
	fi
	add_row "$k/$p-level$tname" "$line" "$t" "$status"
done

# The report page the `report` selftest printed, in a real browser: once
# per run, from the first combination's log that holds one.
for c in "${combos[@]}"; do
	log=$BUILD/logs/${c%/*}-${c#*/}-check.log
	grep -aq 'MMSCOPE-REPORT-END' "$log" 2>/dev/null || continue
	echo "== report page of $c in headless chromium (scripts/check-report.sh)"
	t0=$(date +%s)
	page_out=$("$ROOT/scripts/check-report.sh" "$log" 2>&1)
	rc=$?
	echo "$page_out"
	line=$(echo "$page_out" | grep -E '^report-page: [0-9]+ passed' | tail -1)
	line=${line#report-page: }
	status=ok
	[ $rc -eq 0 ] || { status=FAILED; bad=1; }
	[ -n "$line" ] || { line="0 passed, 1 failed, 0 skipped"; status="FAILED (no report)"; bad=1; }
	add_row "report page ($c)" "$line" $(($(date +%s) - t0)) "$status"
	break
done

echo
echo "== summary ($(($(date +%s) - started))s; logs in build/logs/)"
printf '%-22s %6s %6s %7s %7s  %s\n' "combination" passed failed skipped time status
printf '%s\n' "${rows[@]}"
echo "$tp passed, $tf failed, $ts skipped"
[ $bad -eq 0 ] && [ $tf -eq 0 ]
