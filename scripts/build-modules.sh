#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build mmscope.ko and the test modules for one kernel in build/k-<name>/,
# out of the source tree so two kernels never share objects:
#
#   scripts/build-modules.sh 6.12 [make args, e.g. W=1]
#
# Output: build/k-<name>/module/mmscope.ko, build/k-<name>/selftests/test_modules/*.ko
set -euo pipefail
source "$(dirname "$0")/lib.sh"

name=${1:?usage: $0 6.1|6.12 [make args]}
shift
kdir=$(kernel_headers "$name")
out=${MODULE_OUT:-$BUILD/k-$name}   # MODULE_OUT: another build dir (style.sh W=1)

mkdir -p "$out/selftests"
[ -e "$ROOT/selftests/test_modules/Kbuild" ] ||
	die "selftests/test_modules/Kbuild missing"
# Mirror the module sources; --delete drops files removed from the tree, the
# excludes keep the objects of the previous build (incremental rebuilds).
rsync_opts=(-a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod'
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.order'
	--exclude='*.symvers' --exclude='.tmp_versions'
	--exclude=compat_probe.h)
cp -p "$ROOT/Kbuild" "$out/Kbuild"
rsync "${rsync_opts[@]}" "$ROOT/module/" "$out/module/"
rsync "${rsync_opts[@]}" "$ROOT/selftests/test_modules/" "$out/selftests/test_modules/"
# rsync --delete with excludes keeps stale objects of deleted sources; the
# kernel build ignores them.
make -s -C "$kdir" M="$out" -j"$(jobs)" "$@" modules
