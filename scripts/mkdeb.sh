#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: build the Debian packages with Debian's own tools
# (dpkg-buildpackage, debhelper, dh-dkms) from debian/:
#
#   build/deb/mmscope-dkms_<version>_all.deb    module source + dkms.conf
#   build/deb/mmscope_<version>_amd64.deb       the CLI, mmscope(8), completion
#
# The package is built in a copy of the tree (build/deb/mmscope-<version>/,
# without build/ and what .gitignore lists), so the checkout is left as it
# is and the .debs land in build/deb/.  scripts/deps.sh deb installs the
# tools.  Unsigned (-us -uc), binary only (-b).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v dpkg-buildpackage > /dev/null ||
	die "dpkg-buildpackage missing (scripts/deps.sh deb)"
version=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
out=$BUILD/deb
src=$out/mmscope-$version

# The CLI's vmlinux.h: the BTF of Debian's 6.12 headers, as `make` uses
# (scripts/kernel.sh, cached under build/), resolved here so that the package
# build itself fetches nothing; the running kernel's BTF if that fails.
if [ -z "${BTF:-}" ]; then
	BTF=$("$ROOT/scripts/kernel.sh" btf 6.12) || BTF=/sys/kernel/btf/vmlinux
fi
[ -r "$BTF" ] || die "no BTF for the CLI's vmlinux.h ($BTF); set BTF="
export BTF

rm -rf "$src"
mkdir -p "$src"
rm -f "$out"/mmscope*_"$version"_*.deb "$out"/mmscope_"$version"_*.changes \
	"$out"/mmscope_"$version"_*.buildinfo
rsync -a --exclude=/.git --exclude=/build/ --filter=':- .gitignore' \
	"$ROOT/" "$src/"

echo "deb: building mmscope $version in $src" >&2
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(jobs)") > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
rm -rf "$src"
ls "$out"/mmscope*_"$version"_*.deb
