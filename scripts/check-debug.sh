#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: every selftest, the stress tests included, on a 6.12
# kernel built with KASAN, lockdep (PROVE_LOCKING, PROVE_RCU),
# DEBUG_ATOMIC_SLEEP, DEBUG_VM, DEBUG_LIST, PAGE_TABLE_CHECK and KMEMLEAK
# (scripts/debug-kernel.sh builds it once and caches it outside the tree).
#
# Pass: every test passes and the serial log holds no KASAN, lockdep, RCU,
# "sleeping function called from invalid context", DEBUG_VM or kmemleak
# report.  4-level paging by default: with 5-level paging (LA57) under TCG,
# this KASAN kernel often reports a wild-memory-access in an early interrupt
# during start_kernel(), long before any module loads, and the taint turns
# lockdep off for the rest of the run.  PAGING=5 runs it anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
paging=${PAGING:-4}

scripts/deps.sh debug
kdir=$(scripts/debug-kernel.sh)
export MMSCOPE_VMLINUZ_612=$kdir/arch/x86/boot/bzImage
export MMSCOPE_KDIR_612=$kdir
# Its declared skips are those of "debug" (selftests/SKIPS).
export MMSCOPE_KNAME=debug
# Modules and initramfs for this kernel live apart from the Debian 6.12 ones.
export BUILD=$ROOT/build/debug
mkdir -p "$BUILD"
make -s userspace
make -s -C selftests
ln -sfn ../selftests "$BUILD/selftests"

log=$BUILD/logs/6.12-$paging-check.log
rc=0
# MODE=bench (make bench-debug): the guest benches on this kernel instead.
if [ "${MODE:-check}" = bench ]; then
	exec scripts/vm.sh --kernel 6.12 --paging "$paging" --mode bench \
		--mem 6G --timeout "${VM_TIMEOUT:-14400}"
fi
# KASAN and lockdep under TCG: minutes, not seconds.
scripts/vm.sh --kernel 6.12 --paging "$paging" --mode check --mem 4G \
	--timeout "${VM_TIMEOUT:-14400}" || rc=$?

# Kernel log lines (timestamped) that report a problem, and kmemleak's
# findings (the runner prints /sys/kernel/debug/kmemleak after its scans).
kernel='^\[ *[0-9]+\.[0-9]+\] .*(BUG: KASAN|KASAN:|WARNING:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|BUG:|kernel BUG at|Oops|list_add corruption|list_del corruption|page_table_check|kmemleak: [0-9]+ new suspected)'
reports="$kernel|unreferenced object 0x"
found=$(grep -acE "$reports" "$log" || true)
echo "check-debug: kernel $(basename "$kdir") with KASAN, lockdep, DEBUG_VM, KMEMLEAK; $found report lines in $log"
if [ "$found" != 0 ]; then
	grep -aE -A 12 "$reports" "$log" | head -120
	rc=1
fi
grep -a -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true
exit $rc
