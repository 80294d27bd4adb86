# SPDX-License-Identifier: GPL-2.0
# Host-side helpers sourced by the scripts in this directory (bash).
#
#   kernel_release NAME   6.1|6.12|6.12-rt -> the Debian release, e.g. 6.12.117+deb12-amd64
#   kernel_image NAME     -> its vmlinuz
#   kernel_headers NAME   -> the headers (KDIR) for that release
#   kernel_root NAME      -> the unpacked tree (lib/modules/<release>/ inside)
#
# The kernels are Debian packages unpacked under kernels_dir (scripts/kernel.sh
# fetches them on first use), never installed on the host.
# MMSCOPE_VMLINUZ_<N> / MMSCOPE_KDIR_<N> (N = name without dots and dashes,
# e.g. MMSCOPE_KDIR_612RT) override them (scripts/check-debug.sh does).

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
KNOWN_KERNELS="6.1 6.12 6.12-rt"

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

check_kernel_name()
{
	case " $KNOWN_KERNELS " in
	*" $1 "*) ;;
	*) die "unknown kernel '$1' (known: $KNOWN_KERNELS)" ;;
	esac
}

# Where unpacked kernels live (shared between checkouts if set).
kernels_dir() { echo "${MMSCOPE_KERNELS_DIR:-$BUILD/kernels}"; }

kvar() { local n=${2//./}; echo "MMSCOPE_${1}_${n//-/}"; }

kernel_release()
{
	local var

	check_kernel_name "$1"
	var=$(kvar KDIR "$1")
	if [ -n "${!var:-}" ]; then
		make -s -C "${!var}" kernelrelease 2>/dev/null && return
	fi
	"$ROOT/scripts/kernel.sh" release "$1"
}

kernel_image()
{
	local var

	var=$(kvar VMLINUZ "$1")
	if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
	"$ROOT/scripts/kernel.sh" vmlinuz "$1"
}

kernel_headers()
{
	local var

	var=$(kvar KDIR "$1")
	if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
	"$ROOT/scripts/kernel.sh" kdir "$1"
}

kernel_root()
{
	"$ROOT/scripts/kernel.sh" root "$1"
}

# 1 when combination K/P of the matrix boots with page-table isolation
# forced on (check.sh, mutants.sh; vm.sh --pti): 6.1 with 4-level paging,
# the setup of a Debian 12 machine on a CPU Meltdown affects (none of them
# has LA57).  Every other combination: 0.
combo_pti() { [ "$1" = 6.1/4 ] && echo 1 || echo 0; }

# Number of parallel make jobs.
jobs() { nproc 2>/dev/null || echo 2; }
