#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by /init: a block-backed scratch filesystem for tests that need a
# page cache drop_caches can empty (the initramfs root is ramfs: its pages
# never leave memory).  Loads the brd and ext4 modules that
# scripts/scratch-modules.sh put in /mmscope/scratch (in their "order"),
# makes a filesystem on a brd RAM disk and mounts it at /mnt/scratch; on
# success exports MMSCOPE_SCRATCH=/mnt/scratch.  Reads of its evicted pages
# go through the block layer, so they are major faults.  On failure it says
# why and exports nothing: the tests that need it fail.

scratch_setup()
{
	local dir=/mmscope/scratch mnt=/mnt/scratch kb=${MMSCOPE_SCRATCH_KB:-65536}
	local m args dev=/dev/ram0

	if [ -b "$dev" ]; then
		# brd and ext4 built in (the check-debug kernel): $dev exists
		# from boot, sized by brd.rd_size= on the kernel command line.
		:
	elif [ -s "$dir/order" ]; then
		while read -r m; do
			args=
			[ "$m" = brd.ko ] && args="rd_nr=1 rd_size=$kb max_part=0"
			insmod "$dir/$m" $args 2>/dev/null && continue
			# Already loaded, or crc32c-intel on a vCPU without
			# SSE4.2 (crc32c_generic, next in the order, serves).
			[ "$m" = crc32c-intel.ko ] && continue
			grep -q "^${m%.ko} " /proc/modules ||
				{ echo "insmod $m failed"; return 1; }
		done < "$dir/order"
	else
		echo "no modules in $dir and no built-in $dev"
		return 1
	fi
	[ -b "$dev" ] || { echo "no $dev after loading brd"; return 1; }
	mke2fs -F "$dev" > /dev/null 2>&1 || { echo "mke2fs $dev failed"; return 1; }
	mkdir -p "$mnt"
	mount -t ext4 "$dev" "$mnt" || { echo "mount $dev failed"; return 1; }
	chmod 1777 "$mnt"
}

if scratch_err=$(scratch_setup 2>&1); then
	export MMSCOPE_SCRATCH=/mnt/scratch
	echo "mmscope-vm: scratch: ext4 on a brd RAM disk at $MMSCOPE_SCRATCH"
else
	echo "mmscope-vm: scratch: no block-backed filesystem: $scratch_err"
fi
unset scratch_err
