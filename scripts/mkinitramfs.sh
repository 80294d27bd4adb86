#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs for one kernel:
#
#   scripts/mkinitramfs.sh 6.12      -> build/initramfs-6.12.cpio.gz
#
# Expects the modules (scripts/build-modules.sh), the selftests
# (make -C selftests) and the CLI (make userspace) to be built already;
# a missing CLI is a warning.  Guest layout:
#   /init                       scripts/guest/init
#   /mmscope/mmscope            the CLI (static), also on PATH
#   /mmscope/mmscope.ko         build/k-<name>/module/mmscope.ko, or $MMSCOPE_KO
#   /mmscope/test_modules/*.ko  build/k-<name>/selftests/test_modules/*.ko
#   /mmscope/selftests/         build/selftests/ (tests, run_tests.sh, lib.sh,
#                               TESTS, kselftest/ runner)
#   /mmscope/scripts/guest/     scripts/guest/* (demo.sh, bench.sh, soak.sh, ...)
#   /mmscope/scratch/           brd + ext4 modules for scripts/guest/scratch.sh
#                               (scripts/scratch-modules.sh)
#   users root (0) and user (1000); /tmp is a tmpfs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

name=${1:?usage: $0 6.1|6.12|6.12-rt}
check_kernel_name "$name"
kout=$BUILD/k-$name
stage=$BUILD/initramfs-$name
out=$BUILD/initramfs-$name.cpio.gz
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q dynamically &&
	busybox=
[ -n "$busybox" ] || busybox=/bin/busybox
[ -x "$busybox" ] || die "no static busybox (scripts/deps.sh vm)"
# MMSCOPE_KO: another mmscope.ko for this kernel (make check-deb: the DKMS one).
mmscope_ko=${MMSCOPE_KO:-$kout/module/mmscope.ko}
[ -e "$mmscope_ko" ] || die "$mmscope_ko missing (scripts/build-modules.sh $name)"
[ -d "$BUILD/selftests" ] || die "build/selftests missing (make -C selftests)"

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/user,run} \
	"$stage"/mmscope/{test_modules,scripts/guest}
chmod 1777 "$stage/tmp"

cp "$busybox" "$stage/bin/busybox"
for app in $("$busybox" --list-full); do
	[ -e "$stage/$app" ] || ln -s /bin/busybox "$stage/$app"
done
install -m 0755 "$ROOT/scripts/guest/init" "$stage/init"
rm -f "$stage/usr/bin/timeout"
install -m 0755 "$ROOT/scripts/guest/timeout" "$stage/usr/bin/timeout"

cat > "$stage/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat > "$stage/etc/group" <<'GR'
root:x:0:
user:x:1000:
nogroup:x:65534:
GR
chown 1000:1000 "$stage/home/user" 2>/dev/null || chmod 0777 "$stage/home/user"
echo "mmscope-vm" > "$stage/etc/hostname"
echo 'export PS1="mmscope-vm:\w# "; export PATH=/mmscope:$PATH' > "$stage/etc/profile"
# /dev/console for the kernel to open before /init mounts devtmpfs.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null ||
	note "cannot mknod /dev/console (not root?); /init reopens it"

cp "$mmscope_ko" "$stage/mmscope/mmscope.ko"
shopt -s nullglob
for ko in "$kout"/selftests/test_modules/*.ko; do
	cp "$ko" "$stage/mmscope/test_modules/"
done
if [ -x "$ROOT/userspace/mmscope" ]; then
	cp "$ROOT/userspace/mmscope" "$stage/mmscope/mmscope"
else
	note "warning: userspace/mmscope not built; the VM has no CLI"
fi
# The Debian kernel's brd and ext4 modules; a kernel given by MMSCOPE_KDIR_*
# (the check-debug kernel) has them built in.
kvar=$(kvar KDIR "$name")
if [ -z "${!kvar:-}" ]; then
	"$ROOT/scripts/scratch-modules.sh" "$(kernel_release "$name")" \
		"$stage/mmscope/scratch" "$(kernel_root "$name")" ||
		die "no scratch filesystem modules for $name"
fi
rsync -a --exclude='*.log' "$BUILD/selftests/" "$stage/mmscope/selftests/"
# Dynamically linked test programs (selftests' workload-dyn): their loader
# and shared libraries, from the host's glibc they were linked against.
for f in "$BUILD"/selftests/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	file -L "$f" 2>/dev/null | grep -q 'dynamically linked' || continue
	for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done
for f in "$ROOT"/scripts/guest/*; do
	case "${f##*/}" in init|timeout) continue ;; esac
	cp -a "$f" "$stage/mmscope/scripts/guest/"
done
chmod -R a+rX "$stage/mmscope"

(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
