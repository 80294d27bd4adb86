# SPDX-License-Identifier: GPL-2.0
# Host-side helpers sourced by the scripts in this directory (bash).
#
#   kernel_release NAME   6.1|6.12 -> the installed release, e.g. 6.12.117+deb12-amd64
#   kernel_image NAME     -> /boot/vmlinuz-<release>
#   kernel_headers NAME   -> the headers (KDIR) for that release
#
# Releases are discovered from /boot/vmlinuz-<NAME>.* (or, for headers-only
# machines, /usr/src/linux-headers-<NAME>.*-amd64); the newest one wins.
# MMSCOPE_VMLINUZ_<N> / MMSCOPE_KDIR_<N> (N = name with the dot removed,
# e.g. MMSCOPE_KDIR_612) override the discovery.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
KNOWN_KERNELS="6.1 6.12"

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

check_kernel_name()
{
	case " $KNOWN_KERNELS " in
	*" $1 "*) ;;
	*) die "unknown kernel '$1' (known: $KNOWN_KERNELS)" ;;
	esac
}

kernel_release()
{
	local name=$1 f rel=

	check_kernel_name "$name"
	for f in /boot/vmlinuz-"$name".* /usr/src/linux-headers-"$name".*-amd64; do
		[ -e "$f" ] || continue
		case "$f" in
		/boot/*) f=${f#/boot/vmlinuz-} ;;
		*) f=${f#/usr/src/linux-headers-} ;;
		esac
		# 6.1 must not match 6.12: the character after the name is a dot.
		rel=$( (echo "$rel"; echo "$f") | grep . | sort -V | tail -1)
	done
	[ -n "$rel" ] || die "no kernel $name installed (scripts/deps.sh vm installs it)"
	echo "$rel"
}

kernel_image()
{
	local var="MMSCOPE_VMLINUZ_${1//./}" rel

	if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
	rel=$(kernel_release "$1")
	[ -e "/boot/vmlinuz-$rel" ] || die "no /boot/vmlinuz-$rel (scripts/deps.sh vm)"
	echo "/boot/vmlinuz-$rel"
}

kernel_headers()
{
	local var="MMSCOPE_KDIR_${1//./}" rel d

	if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
	rel=$(kernel_release "$1")
	for d in "/lib/modules/$rel/build" "/usr/src/linux-headers-$rel"; do
		if [ -e "$d/Makefile" ]; then echo "$d"; return; fi
	done
	die "no headers for $rel (scripts/deps.sh build)"
}

# Number of parallel make jobs.
jobs() { nproc 2>/dev/null || echo 2; }
