#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel modules for the guest's block-backed scratch filesystem (a brd
# RAM disk with ext4 on it; scripts/guest/scratch.sh sets it up), taken from
# the kernel's Debian package as scripts/kernel.sh unpacked it (ROOTDIR holds
# lib/modules/RELEASE), dependencies first:
#
#   scripts/scratch-modules.sh RELEASE DESTDIR [ROOTDIR]
#
# DESTDIR gets the modules uncompressed (busybox insmod cannot read .ko.xz)
# and "order": one module file name per line, in insmod order.  Soft
# dependencies (ext4 and jbd2 want crc32c) are resolved by modprobe too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rel=${1:?usage: $0 RELEASE DESTDIR [ROOTDIR]}
dest=${2:?usage: $0 RELEASE DESTDIR [ROOTDIR]}
rootdir=${3:-/}
command -v modprobe > /dev/null || die "no modprobe (kmod) to resolve module dependencies"
[ -d "$rootdir/lib/modules/$rel/kernel" ] || die "no $rootdir/lib/modules/$rel (the kernel's modules package)"

mkdir -p "$dest"
: > "$dest/order"
for mod in brd ext4; do
	# "insmod ROOTDIR/lib/modules/REL/kernel/.../NAME.ko[.xz] [params]"; a
	# "builtin NAME" line needs nothing.
	modprobe -d "$rootdir" --show-depends -S "$rel" "$mod" ||
		die "modprobe cannot resolve $mod for $rel"
done | while read -r verb path _; do
	[ "$verb" = insmod ] || continue
	base=${path##*/}
	base=${base%.xz}
	base=${base%.zst}
	grep -qxF "$base" "$dest/order" && continue
	case "$path" in
	*.xz) xz -dc "$path" > "$dest/$base" ;;
	*.zst) zstd -qdc "$path" > "$dest/$base" ;;
	*) cp "$path" "$dest/$base" ;;
	esac
	echo "$base" >> "$dest/order"
done
[ -s "$dest/order" ] || die "no modules found for brd and ext4 in $rel"
