#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM and run one mode in it.
#
#   scripts/vm.sh [--kernel 6.1|6.12|6.12-rt] [--paging 4|5] [--mode MODE]
#                 [--timeout SECS] [--mem 2G] [--smp 2] [--numa NODES]
#                 [--pti 0|1] [--args "..."]
#
# MODE: check (selftests/run_tests.sh), demo, bench, soak, shell (interactive).
# Defaults come from the environment: KERNEL (6.12), PAGING (5), MODE (shell),
# VM_TIMEOUT, VM_MEM (2G), VM_SMP (2), VM_NUMA (1: no NUMA; N splits the
# memory and the vCPUs evenly over N nodes), VM_PTI (0: mitigations=off;
# 1: page-table isolation forced on, the other mitigations off), ARGS.  Builds what is missing first
# (incremental) unless MMSCOPE_NO_BUILD=1.  MMSCOPE_ACCEL=kvm|tcg forces the
# accelerator; otherwise KVM is probed once (cached in build/accel) and TCG
# with -cpu max is the fallback (single-threaded: VM_TCG_THREAD=multi for
# one host thread per vCPU).  5-level paging is la57 on the vCPU
# (-cpu max), 4-level is la57=off.
#
# The serial log is kept in build/logs/<kernel>-<paging>-<mode>.log.  Exit
# status: the guest's "MMSCOPE-RESULT rc=N"; 1 when that line is missing
# (panic, timeout, crash).  On failure the log tail and any kernel
# complaints are printed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

kernel=${KERNEL:-6.12}
paging=${PAGING:-5}
mode=${MODE:-shell}
tmo=${VM_TIMEOUT:-}
mem=${VM_MEM:-2G}
smp=${VM_SMP:-2}
numa=${VM_NUMA:-1}
pti=${VM_PTI:-0}
args=${ARGS:-}

usage() { sed -n '4,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--paging) paging=$2; shift ;;
	--mode) mode=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--mem) mem=$2; shift ;;
	--smp) smp=$2; shift ;;
	--numa) numa=$2; shift ;;
	--pti) pti=$2; shift ;;
	--args) args=$2; shift ;;
	-h|--help) usage ;;
	*) echo "vm.sh: unknown argument $1" >&2; usage ;;
	esac
	shift
done
check_kernel_name "$kernel"
case "$paging" in 4|5) ;; *) die "--paging must be 4 or 5" ;; esac
case "$numa" in [1-8]) ;; *) die "--numa must be 1 to 8" ;; esac
case "$pti" in 0|1) ;; *) die "--pti must be 0 or 1" ;; esac
[ $((smp % numa)) -eq 0 ] || die "--smp $smp does not split over $numa nodes"
case "$mode" in
# A whole check takes 260-360 s alone in TCG; with the host's CPUs shared
# by more VMs than it has (make check beside mutants or check-debug), 6.1
# once needed more than 900 s.  The timeout catches a hung guest.
check) tmo=${tmo:-1800} ;;
demo|bench) tmo=${tmo:-900} ;;
soak) tmo=${tmo:-$(( ${args:-10} * 60 + 600 ))} ;;
shell) ;;
*) die "unknown mode $mode (check|demo|shell|bench|soak)" ;;
esac

# ---- build (incremental) ----
if [ "${MMSCOPE_NO_BUILD:-0}" != 1 ]; then
	make -s -C "$ROOT" userspace >&2 || die "the CLI does not build (make userspace)"
	"$ROOT/scripts/build-modules.sh" "$kernel" >&2 || die "module build for $kernel failed"
	make -s -C "$ROOT/selftests" >&2 || die "selftests build failed"
	"$ROOT/scripts/mkinitramfs.sh" "$kernel" > /dev/null || die "initramfs failed"
fi
initrd=$BUILD/initramfs-$kernel.cpio.gz
[ -e "$initrd" ] || die "$initrd missing"
vmlinuz=$(kernel_image "$kernel") || exit 1

# ---- accelerator ----
kvm_works()
{
	local cache=$BUILD/accel
	if [ -e "$cache" ]; then [ "$(cat "$cache")" = kvm ]; return; fi
	local r=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
	   timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic \
		-no-reboot -monitor none -kernel "$vmlinuz" \
		-append "console=ttyS0 panic=-1" < /dev/null 2>&1 |
	   grep -q 'Kernel panic'; then
		r=kvm
	fi
	mkdir -p "$BUILD" && echo $r > "$cache"
	[ $r = kvm ]
}
accel=${MMSCOPE_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if kvm_works; then
		# KVM can give 5-level paging only when the host CPU has it.
		if [ "$paging" = 4 ] || grep -qw la57 /proc/cpuinfo; then accel=kvm; fi
	fi
fi
if [ "$accel" = kvm ]; then
	cpu=host
	accel_opts=(-accel kvm)
else
	cpu=max
	# One host thread for all vCPUs (VM_TCG_THREAD=multi for one
	# each): multi-threaded TCG twice executed code the guest kernel was
	# patching on another vCPU: "Oops: int3" in sched_clock_cpu at boot,
	# with no module loaded, and a call through a torn instruction (RIP 0
	# from do_user_addr_fault) while kprobes were being armed.  With
	# every vCPU in one thread, cross-modifying code is coherent; on this
	# 2-core host the suite is no slower.
	accel_opts=(-accel "tcg,thread=${VM_TCG_THREAD:-single}")
fi
[ "$paging" = 4 ] && cpu="$cpu,la57=off"

# ---- boot ----
mkdir -p "$BUILD/logs"
log=$BUILD/logs/$kernel-$paging-$mode.log
append="console=ttyS0 panic=-1 loglevel=5 8250.nr_uarts=1"
if [ "$pti" = 1 ]; then
	# Page-table isolation forced on (the TCG CPU is not Meltdown-prone,
	# so "auto" would leave it off), which mitigations=off would veto
	# (pti_check_boottime_disable()): every other costly mitigation is
	# turned off by its own switch instead, so TCG stays as fast as it
	# can.  Switches a kernel does not know end up in init's environment.
	append+=" pti=on nospectre_v1 spectre_v2=off spectre_v2_user=off"
	append+=" spec_store_bypass_disable=off retbleed=off mds=off"
	append+=" tsx_async_abort=off mmio_stale_data=off l1tf=off srbds=off"
	append+=" gather_data_sampling=off spectre_bhi=off"
	append+=" reg_file_data_sampling=off spec_rstack_overflow=off"
	append+=" indirect_target_selection=off tsa=off vmscape=off"
else
	append+=" mitigations=off"
fi
# Sizes a built-in brd (the check-debug kernel's scratch disk); a modular
# brd gets them from scripts/guest/scratch.sh instead.
append+=" brd.rd_nr=1 brd.rd_size=65536"
# memfd_secret(2) is off by default before v6.5: the exotic test maps it.
append+=" secretmem.enable=1"
# mmscope.kernel: the kernel's name (selftests/SKIPS is keyed on it);
# check-debug.sh names its kernel "debug" through MMSCOPE_KNAME.
append+=" mmscope.mode=$mode mmscope.paging=$paging mmscope.kernel=${MMSCOPE_KNAME:-$kernel}"
append+=" mmscope.numa=$numa mmscope.pti=$pti"
[ -n "$args" ] && append+=" mmscope.args=\"$args\""
numa_opts=()
smp_spec=$smp
if [ "$numa" -gt 1 ]; then
	# Equal nodes: memory in MiB, vCPUs in consecutive ranges.
	case "$mem" in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) die "--mem $mem: give it in M or G with --numa" ;;
	esac
	per_cpu=$((smp / numa))
	for ((n = 0; n < numa; n++)); do
		numa_opts+=(-object "memory-backend-ram,id=m$n,size=$((mib / numa))M"
			-numa "node,nodeid=$n,cpus=$((n * per_cpu))-$(((n + 1) * per_cpu - 1)),memdev=m$n")
	done
	mem=$(((mib / numa) * numa))M
	# One socket per node: CPUs sharing a last-level cache across nodes
	# make the kernel warn (topology_sane) at boot.
	smp_spec="$smp,sockets=$numa,cores=$per_cpu,threads=1"
fi
qemu=(qemu-system-x86_64 "${accel_opts[@]}" -cpu "$cpu" -m "$mem" -smp "$smp_spec"
	"${numa_opts[@]}" -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd"
	-append "$append")

echo "vm: kernel $kernel ($vmlinuz), $paging-level paging, $smp vCPUs, $numa node(s), PTI $pti, $accel, mode $mode${tmo:+, timeout ${tmo}s}; log $log" >&2
if [ "$mode" = shell ]; then
	echo "vm: Ctrl-A X quits qemu" >&2
	"${qemu[@]}" -serial mon:stdio -monitor none 2>&1 | tee "$log"
	exit "${PIPESTATUS[0]}"
fi

start=$(date +%s)
boot()
{
	timeout --foreground -k 10 "$tmo" "${qemu[@]}" -serial stdio -monitor none < /dev/null 2>&1 |
		sed -u 's/\r$//' | tee "$log"
	qrc=${PIPESTATUS[0]}
}
boot
# A kernel that dies before /init has run (no "mmscope-vm: kernel" line
# yet: nothing of mmscope is loaded) is a boot failure, not a test result.
# Multi-threaded TCG can trip over the kernel's own text patching (seen
# once: "Oops: int3" in sched_clock_cpu at 2.7 s, no module loaded): boot
# once more, say so, and keep the first log beside the second.
if ! grep -aq '^mmscope-vm: kernel' "$log" && grep -aqE 'Kernel panic|BUG:|Oops' "$log"; then
	mv "$log" "${log%.log}.boot1.log"
	echo "vm: the kernel died before /init ran (log ${log%.log}.boot1.log): booting once more" >&2
	boot
fi
secs=$(($(date +%s) - start))
# make demo: the report page the guest printed gzipped in base64
# (scripts/guest/demo.sh).
if [ "$mode" = demo ] && grep -aq '^MMSCOPE-REPORT-END' "$log"; then
	mkdir -p "$BUILD/demo"
	if "$ROOT/scripts/report-from-log.sh" "$log" "$BUILD/demo/report.html"; then
		echo "vm: the report page: $BUILD/demo/report.html (open it in a browser)" >&2
	else
		echo "vm: the report page in $log does not decode" >&2
	fi
fi

# make bench: the report pages of bench_report.sh, opened in chromium here.
if [ "$mode" = bench ] && grep -aq '^MMSCOPE-REPORT-END' "$log"; then
	"$ROOT/scripts/bench-report.sh" "$log" | tee -a "$log" ||
		echo "vm: the report pages in $log did not open" >&2
fi

result=$(grep -a '^MMSCOPE-RESULT rc=' "$log" | tail -1)
if [ -n "$result" ]; then
	rc=${result#MMSCOPE-RESULT rc=}
	case "$rc" in ''|*[!0-9]*) rc=1 ;; esac
	why="guest rc=$rc"
else
	rc=1
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		why="timeout after ${tmo}s"
	elif grep -aqE 'Kernel panic|BUG:|Oops' "$log"; then
		why="kernel panic"
	else
		why="no MMSCOPE-RESULT (qemu exit $qrc)"
	fi
fi
echo "vm: $kernel $paging-level $mode: $why in ${secs}s" >&2
if [ "$rc" != 0 ]; then
	{
		echo "==== vm: FAILED ($why); last 60 lines of $log:"
		tail -n 60 "$log"
		echo "==== vm: kernel complaints:"
		grep -aE 'BUG:|WARNING:|Oops|KASAN|Call Trace|Kernel panic|general protection|INFO: task .* blocked' "$log" | head -40
		echo "===="
	} >&2
fi
exit "$rc"
