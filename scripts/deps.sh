#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages a target needs, only those missing.
#
#   scripts/deps.sh build   compilers, libbpf, kmod and dpkg tools,
#                           linux-source-6.12 (kselftest harness, checkpatch),
#                           pahole (what linux-kbuild depends on: the headers
#                           carry a vmlinux, so kbuild gives the module BTF)
#   scripts/deps.sh vm|demo|check|debug
#                           build + qemu, busybox, cpio (check: + chromium, the
#                           browser scripts/check-report.sh opens the report in)
#   scripts/deps.sh deb     what make deb needs: the CLI's build dependencies and
#                           Debian's packaging tools (no kernel headers: the CLI's
#                           BTF may come from /sys/kernel/btf/vmlinux)
#
# No kernel package is installed: the VM kernels, their modules and the
# headers the module is built against are Debian packages downloaded and
# unpacked under build/ by scripts/kernel.sh (installing linux-image-* would
# change the host's default boot kernel, and Debian's 6.12 headers depend on
# the image).
# apt-get update runs only when something must be installed.  Runs as root,
# or through sudo when not root and sudo exists.
set -euo pipefail

target=${1:-build}

build_pkgs="build-essential make gcc clang llvm libbpf-dev bpftool libelf-dev libdw-dev libbz2-dev liblzma-dev
	zlib1g-dev libzstd-dev pkg-config rsync perl kmod gcc-12
	linux-source-6.12 xz-utils zstd pahole"
vm_pkgs="qemu-system-x86 busybox-static cpio gzip kmod xz-utils zstd"
debug_pkgs="bc bison flex libssl-dev python3 cpio"
deb_pkgs="build-essential make clang llvm libbpf-dev bpftool libelf-dev libdw-dev libbz2-dev liblzma-dev zlib1g-dev
	libzstd-dev rsync dpkg-dev debhelper dh-dkms help2man bash-completion"

case "$target" in
build) pkgs=$build_pkgs ;;
check) pkgs="$build_pkgs $vm_pkgs chromium" ;;	# chromium: check-report.sh
demo|vm) pkgs="$build_pkgs $vm_pkgs" ;;
debug) pkgs="$build_pkgs $vm_pkgs $debug_pkgs" ;;
deb) pkgs=$deb_pkgs ;;
*) echo "usage: $0 build|check|demo|vm|debug|deb" >&2; exit 2 ;;
esac

missing=()
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	     grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null; then
	as_root=(sudo)
else
	echo "deps: missing ${missing[*]} and not root (no sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends "${missing[@]}"
