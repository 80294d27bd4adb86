#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The privilege model as a person meets it: `cat` and the CLI run as the
# unprivileged user "user" (uid 1000) through busybox su, against the
# kernel's own rule for /proc/PID/maps as the oracle.
. "$(dirname "$0")/lib.sh"

M=${MMSCOPE_CLI:-/mmscope/mmscope}
D=/sys/kernel/debug/mmscope
as_user() { su user -s /bin/sh -c "$1" 2>&1; }

ktap_plan 6

if ! grep -q '^user:' /etc/passwd; then
	for t in cat_debugfs cli_root_process cli_own_process cli_own_pt cli_slab oracle_agrees; do
		ktap_skip "$t" "no unprivileged user in /etc/passwd"
	done
	ktap_finish
fi

echo 1 > /sys/module/mmscope/parameters/pid
out=$(as_user "cat $D/vma")
case "$out" in
*"Permission denied"*) ktap_ok cat_debugfs ;;
*) ktap_fail cat_debugfs "user could cat $D/vma: $out" ;;
esac

out=$(as_user "$M vma 1")
case "$out" in
*"permission denied"*) ktap_ok cli_root_process ;;
*) ktap_fail cli_root_process "user inspected PID 1: $out" ;;
esac

# The user's own process: VMAs yes, the pgd's physical address no.
out=$(as_user "sleep 30 & p=\$!; $M vma \$p --json; kill \$p")
case "$out" in
*'"pgd_phys":null'*'"vmas":['*) ktap_ok cli_own_process ;;
*) ktap_fail cli_own_process "$out" ;;
esac

# Page tables without PFNs: every pfn null, the view marked hidden.
out=$(as_user "sleep 30 & p=\$!; $M pt \$p --json; kill \$p")
case "$out" in
*'"pfn":'[0-9]*) ktap_fail cli_own_pt "a PFN reached an unprivileged user" ;;
*'"runs":['*) ktap_ok cli_own_pt ;;
*) ktap_fail cli_own_pt "$out" ;;
esac

out=$(as_user "$M slab")
case "$out" in
*"permission denied"*|*"needs root"*) ktap_ok cli_slab ;;
*) ktap_fail cli_slab "user read the slab caches: $out" ;;
esac

# The oracle: the kernel itself refuses this user /proc/1/maps too.
if as_user "cat /proc/1/maps" > /dev/null; then
	ktap_fail oracle_agrees "the kernel lets user read /proc/1/maps, mmscope did not"
else
	ktap_ok oracle_agrees
fi

ktap_finish
