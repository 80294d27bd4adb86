#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo (in the guest): a tour of every feature on a demo workload.
# With arguments (make demo ARGS="demand cow"): run only those labs, plain
# text, and exit non-zero when one of them fails (a SKIP is not a failure).
M=/mmscope/mmscope
W=/mmscope/selftests/workload
D=/sys/kernel/debug/mmscope

# Exit status: 1 when a step failed (a lab's SKIP, exit 4, is not a failure).
rc=0
# show [-s] CMD...: print and run CMD; -s: exit 4 (a lab's SKIP) is no failure
show() {
	skip_ok=0
	[ "$1" = -s ] && { skip_ok=1; shift; }
	printf '\n\033[1;36m$ %s\033[0m\n' "$*"
	"$@"
	r=$?
	[ $r = 0 ] && return 0
	[ $r = 4 ] && [ $skip_ok = 1 ] && return 0
	echo "demo: '$*' failed (exit $r)"
	rc=1
}

has() {
	$M help | grep -q "^  $1 "
}

if [ $# -gt 0 ]; then
	rc=0
	for lab in "$@"; do
		printf '\n$ mmscope lab %s\n' "$lab"
		NO_COLOR=1 $M lab "$lab"
		r=$?
		echo "lab $lab: exit $r"
		[ $r = 0 ] || [ $r = 4 ] || rc=1
	done
	exit $rc
fi

echo "mmscope demo on $(uname -r), $(grep -q la57 /proc/cpuinfo && echo 5 || echo 4)-level paging"
[ -x $M ] || { echo "demo: no CLI at $M"; exit 1; }
$W --anon 8 --thp --file --shared --forked > /tmp/workload.out &
WPID=$!
while ! grep -q '^pid ' /tmp/workload.out; do
	kill -0 $WPID 2>/dev/null || { echo "demo: the workload exited"; exit 1; }
	sleep 1
done
PID=$(sed -n 's/^pid //p' /tmp/workload.out | head -1)
THP=$(sed -n 's/^thp \(0x[0-9a-f]*\).*/\1/p' /tmp/workload.out | head -1)
ANON=$(sed -n 's/^anon \(0x[0-9a-f]*\).*/\1/p' /tmp/workload.out | head -1)
echo "demo workload: pid $PID"
cat /tmp/workload.out

printf '\n\033[1m== 1. VMAs and the mm_struct\033[0m\n'
show sh -c "echo $PID > /sys/module/mmscope/parameters/pid"
show sh -c "head -20 $D/vma"
show $M vma "$PID"

if has pt; then
	printf '\n\033[1m== 2. Page tables\033[0m\n'
	show $M pt "$PID"
	show $M translate "$PID" "$ANON"
	[ -n "$THP" ] && show $M translate "$PID" "$THP"
fi
if has faults; then
	printf '\n\033[1m== 3. Page faults, live\033[0m\n'
	show $M faults --summary -- $W --anon 4 --seconds 0
	show $M faults --top 3 --by class -- $W --anon 4 --seconds 0
	show sh -c "$M faults --json -- $W --anon 1 --seconds 0 | grep '\"type\":\"fault\"' | sed -n 1p"
fi
if has buddy; then
	printf '\n\033[1m== 4. The buddy allocator\033[0m\n'
	show $M buddy
fi
if has slab; then
	printf '\n\033[1m== 5. Slab caches\033[0m\n'
	show sh -c "$M slab --sort=size | head -25"
fi
if has page; then
	printf '\n\033[1m== 6. Physical memory: one frame and who maps it, all frames\033[0m\n'
	# The workload forked: parent and child map its anonymous pages.
	show $M page --pid "$PID" "$ANON"
	show sh -c "$M phys | head -24"
fi
if has kernel; then
	printf '\n\033[1m== 7. The kernel half: its page tables by region\033[0m\n'
	show sh -c "$M kernel | head -30"
	show $M translate --kernel "$(sed -n 's/^\([0-9a-f]*\) [Tt] _stext$/0x\1/p' /proc/kallsyms)"
fi
if has report; then
	printf '\n\033[1m== 8. Pictures: the address space on a console, and a report page\033[0m\n'
	show $M vma "$PID" --map
	# With the faults of a workload run (its process tree, up to 30 s).
	show $M report -p "$PID" -p 1 --faults 30 -o /tmp/report.html -- $W --anon 4 --seconds 0
	# The host (scripts/vm.sh, scripts/report-from-log.sh) writes it to
	# build/demo/report.html and prints that path.
	if [ -s /tmp/report.html ]; then
		echo MMSCOPE-REPORT-BEGIN
		gzip -9 -c /tmp/report.html | base64
		echo MMSCOPE-REPORT-END
	fi
fi
printf '\n\033[1m== 9. Labs: textbook claims, shown and checked\033[0m\n'
show $M lab
for lab in $($M lab | awk 'NR > 1 && NF { print $1 }' | grep -v '^Run$'); do
	show -s $M lab "$lab"
done
kill "$PID" 2>/dev/null
echo "demo: exit $rc"
exit $rc
