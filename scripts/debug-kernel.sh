#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a 6.12 debug kernel from Debian's linux-source-6.12 for
# `make check-debug`: KASAN, lockdep (PROVE_LOCKING, PROVE_RCU),
# DEBUG_ATOMIC_SLEEP, DEBUG_VM, DEBUG_LIST, PAGE_TABLE_CHECK, KMEMLEAK, BTF;
# KSM and MEMORY_FAILURE for the exotic-memory test, and the kernel's own
# page-table dump (PTDUMP_DEBUGFS) as an oracle.
# The tree and its build are cached outside the repository, keyed by the
# source package version and this script's config fragment.
#
# usage: scripts/debug-kernel.sh   -> prints the build directory (KDIR)
set -euo pipefail

CACHE=${MMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmscope}
TARBALL=/usr/src/linux-source-6.12.tar.xz
FRAGMENT=$(cat <<'CFG'
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_PROVE_RCU=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_VM=y
CONFIG_DEBUG_LIST=y
CONFIG_PAGE_TABLE_CHECK=y
CONFIG_PAGE_TABLE_CHECK_ENFORCED=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=65536
CONFIG_DEBUG_INFO_DWARF5=y
CONFIG_DEBUG_INFO_BTF=y
CONFIG_DEBUG_FS=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_KPROBES=y
CONFIG_KPROBE_EVENTS=y
CONFIG_FTRACE=y
CONFIG_FUNCTION_TRACER=y
CONFIG_DYNAMIC_FTRACE=y
CONFIG_BPF=y
CONFIG_BPF_SYSCALL=y
CONFIG_BPF_JIT=y
CONFIG_BPF_EVENTS=y
CONFIG_CGROUPS=y
CONFIG_MEMCG=y
CONFIG_X86_5LEVEL=y
CONFIG_TRANSPARENT_HUGEPAGE=y
CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS=y
CONFIG_HUGETLBFS=y
CONFIG_USERFAULTFD=y
CONFIG_CHECKPOINT_RESTORE=y
CONFIG_MEM_SOFT_DIRTY=y
CONFIG_NUMA_BALANCING=y
CONFIG_SLUB=y
CONFIG_SLUB_DEBUG=y
CONFIG_SLUB_CPU_PARTIAL=y
CONFIG_SECURITY=y
CONFIG_SECURITYFS=y
CONFIG_SECURITY_LOCKDOWN_LSM=y
CONFIG_LSM="lockdown,capability"
CONFIG_DEVTMPFS=y
CONFIG_BLK_DEV_RAM=y
CONFIG_EXT4_FS=y
CONFIG_SWAP=y
CONFIG_USER_NS=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_IKCONFIG=y
CONFIG_IKCONFIG_PROC=y
CONFIG_KSM=y
CONFIG_MEMORY_FAILURE=y
CONFIG_NUMA=y
CONFIG_PTDUMP_DEBUGFS=y
CONFIG_PANIC_ON_OOPS=n
CFG
)
KEY=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
KEY=$KEY-$(printf '%s' "$FRAGMENT" | sha256sum | cut -c1-12)
DIR=$CACHE/debug-kernel-$KEY
SRC=$DIR/src

if [ -f "$DIR/done" ]; then
	[ -e "$SRC/Module.symvers" ] || cp "$SRC/vmlinux.symvers" "$SRC/Module.symvers"
	echo "$SRC"
	exit 0
fi
mkdir -p "$DIR"
if [ ! -d "$SRC" ]; then
	echo "debug kernel: extracting $TARBALL into $DIR" >&2
	tar -C "$DIR" -xJf "$TARBALL"
	mv "$DIR"/linux-source-6.12 "$SRC"
fi
cd "$SRC"
printf '%s\n' "$FRAGMENT" > mmscope-debug.config
make -s x86_64_defconfig >&2
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
	mmscope-debug.config >&2
make -s olddefconfig >&2
# Every option asked for must have survived olddefconfig.
missing=0
while IFS= read -r opt; do
	case "$opt" in *=n) continue ;; esac
	grep -qxF "$opt" .config || { echo "debug kernel: $opt did not stick" >&2; missing=1; }
done <<< "$FRAGMENT"
[ $missing = 0 ] || exit 1
echo "debug kernel: building in $SRC (about 26 min on 2 cores)" >&2
start=$(date +%s)
nice -n 10 make -s -j"$(nproc)" bzImage modules_prepare >&2
echo "debug kernel: built in $(( $(date +%s) - start )) s" >&2
# Out-of-tree modules link against vmlinux's exports only: no in-tree module
# build is needed to give modpost its symbol list.
cp vmlinux.symvers Module.symvers
touch "$DIR/done"
echo "$SRC"
