#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM's kernels, unpacked from Debian's packages under a build directory,
# never installed on the host (installing a linux-image package runs
# update-grub and changes the machine's default boot kernel).
#
#   scripts/kernel.sh fetch NAME      download and unpack (idempotent)
#   scripts/kernel.sh release NAME    e.g. 6.12.117+deb12-amd64
#   scripts/kernel.sh vmlinuz NAME    the bootable image
#   scripts/kernel.sh kdir NAME       headers to build modules against (KDIR)
#   scripts/kernel.sh root NAME       the unpacked tree (boot/, lib/modules/, usr/src/)
#   scripts/kernel.sh btf NAME        the vmlinux (with BTF) of the headers package
#
# NAME picks a Debian flavour on purpose, through its meta package, so that
# installing another flavour on the host never changes what is tested:
#   6.1      linux-image-amd64          (bookworm's 6.1, generic flavour)
#   6.12     linux-image-6.12-amd64     (generic flavour: never -rt or -cloud)
#   6.12-rt  linux-image-6.12-rt-amd64  (PREEMPT_RT)
# The meta package's dependency names the release; image, modules, headers
# and kbuild tools of that one release are unpacked together into
# $MMSCOPE_KERNELS_DIR/<release>/ (default build/kernels; several checkouts
# may share one directory: fetching takes a lock).  The release resolved on
# the first fetch is remembered in <dir>/<NAME>.release, so one tree keeps
# testing one release until `scripts/kernel.sh fetch --update NAME`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() { sed -n '7,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }

update=0
cmd=${1:-}
[ $# -gt 0 ] && shift
if [ "${1:-}" = --update ]; then update=1; shift; fi
name=${1:-}
[ -n "$cmd" ] && [ -n "$name" ] || usage
check_kernel_name "$name"

kdirs=$(kernels_dir)
mkdir -p "$kdirs"

meta_image()
{
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	esac
}

# The release the meta package depends on (apt's candidate), from apt's
# metadata alone: nothing is installed.
resolve_release()
{
	local meta dep

	meta=$(meta_image "$1")
	dep=$(apt-cache depends "$meta" 2>/dev/null |
	      sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -1)
	if [ -z "$dep" ]; then
		apt-get update -qq >&2 || true
		dep=$(apt-cache depends "$meta" 2>/dev/null |
		      sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -1)
	fi
	[ -n "$dep" ] || die "apt knows no $meta (is Debian's bookworm(-security) in sources?)"
	dep=${dep#linux-image-}
	echo "${dep%-unsigned}"
}

# linux-headers-REL's own dependencies that hold files: the common headers
# and the kbuild tools (scripts, modpost).
header_deps()
{
	apt-cache depends "linux-headers-$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-\(headers-[^ ]*common[^ ]*\|kbuild-[^ ]*\)\).*/\1/p' |
		sort -u
}

fetch()
{
	local name=$1 rel root dl pkgs p deb

	rel=""
	if [ "$update" = 0 ] && [ -s "$kdirs/$name.release" ]; then
		rel=$(cat "$kdirs/$name.release")
	fi
	[ -n "$rel" ] || rel=$(resolve_release "$name")
	root=$kdirs/$rel
	if [ -e "$root/.complete" ]; then
		echo "$rel" > "$kdirs/$name.release"
		return 0
	fi
	command -v dpkg-deb > /dev/null || die "no dpkg-deb"
	command -v depmod > /dev/null || die "no depmod (kmod)"
	note "unpacking Debian kernel $rel (image, modules, headers) into $root"
	dl=$kdirs/.debs
	mkdir -p "$dl"
	pkgs=("linux-image-$rel" "linux-headers-$rel" $(header_deps "$rel"))
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp"
	for p in "${pkgs[@]}"; do
		deb=$(ls "$dl/${p}_"*.deb 2>/dev/null | sort -V | tail -1 || true)
		if [ -z "$deb" ]; then
			(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$p" >&2) ||
				die "apt-get download $p failed"
			deb=$(ls "$dl/${p}_"*.deb | sort -V | tail -1)
		fi
		dpkg-deb -x "$deb" "$root.tmp"
	done
	[ -e "$root.tmp/boot/vmlinuz-$rel" ] || die "no vmlinuz in linux-image-$rel"
	# The headers' Makefile includes the common headers by absolute path.
	sed -i "s|include /usr/src/|include $root/usr/src/|" \
		"$root.tmp/usr/src/linux-headers-$rel/Makefile"
	# modules.dep for modprobe -d (scripts/scratch-modules.sh).
	depmod -b "$root.tmp" "$rel"
	rm -rf "$root"
	mv "$root.tmp" "$root"
	touch "$root/.complete"
	echo "$rel" > "$kdirs/$name.release"
}

locked_fetch()
{
	exec 9> "$kdirs/.lock"
	flock 9
	fetch "$1"
	exec 9>&-
}

case "$cmd" in
fetch) locked_fetch "$name" ;;
release|vmlinuz|kdir|root|btf)
	[ -s "$kdirs/$name.release" ] && [ -e "$kdirs/$(cat "$kdirs/$name.release")/.complete" ] ||
		locked_fetch "$name"
	rel=$(cat "$kdirs/$name.release")
	root=$kdirs/$rel
	case "$cmd" in
	release) echo "$rel" ;;
	vmlinuz) echo "$root/boot/vmlinuz-$rel" ;;
	kdir) echo "$root/usr/src/linux-headers-$rel" ;;
	root) echo "$root" ;;
	btf) echo "$root/usr/src/linux-headers-$rel/vmlinux" ;;
	esac ;;
*) usage ;;
esac
