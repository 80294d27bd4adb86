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

# The user is part of the VM image (scripts/mkinitramfs.sh): without it
# nothing here can be shown, and that is a failure of the image.
if ! grep -q '^user:' /etc/passwd; then
	for t in cat_debugfs cli_root_process cli_own_process cli_own_pt cli_slab oracle_agrees; do
		ktap_fail "$t" "no unprivileged user in /etc/passwd (the VM image must have it)"
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

# The oracle: for each (reader, process) pair, mmscope allows exactly when
# the kernel lets the same reader read /proc/PID/maps.  Processes: PID 1,
# a root process, a process of the user's; readers: the user and root.
# Both sides are asked from the same shell, so from the same credentials.
verdicts()
{
	# "kernel mmscope" for PID $1: allow or deny each.
	echo "$(cat /proc/$1/maps > /dev/null 2>&1 && echo allow || echo deny)" \
	     "$($M vma $1 > /dev/null 2>&1 && echo allow || echo deny)"
}
sleep 60 & rootp=$!
su user -s /bin/sh -c "exec sleep 60" & userp=$!
sleep 1
bad=
pairs=0
for p in 1 $rootp $userp; do
	u=$(as_user "$(sed -n '/^verdicts()/,/^}/p' "$0"); M=$M; verdicts $p")
	r=$(verdicts $p)
	for v in "user:$u" "root:$r"; do
		pairs=$((pairs + 1))
		case "${v#*:}" in
		"allow allow"|"deny deny") ;;
		*) bad="$bad ${v%%:*}/pid$p(kernel,mmscope: ${v#*:})" ;;
		esac
	done
	ktap_msg "pid $p: as user (kernel, mmscope): $u; as root: $r"
done
kill $rootp $userp 2>/dev/null
# The pairs differ in answer: the user is refused PID 1 and root's process.
case "$(as_user "$(sed -n '/^verdicts()/,/^}/p' "$0"); M=$M; verdicts 1")" in
"deny deny") ;;
*) bad="$bad user-allowed-pid1" ;;
esac
if [ -z "$bad" ] && [ "$pairs" = 6 ]; then
	ktap_ok oracle_agrees
else
	ktap_fail oracle_agrees "mmscope and /proc/PID/maps disagree:$bad"
fi

ktap_finish
