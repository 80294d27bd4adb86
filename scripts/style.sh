#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make style`: checkpatch on the kernel code, then a W=1 build of the
# modules for every kernel; any warning fails.
#
# checkpatch.pl (with spelling.txt and const_structs.checkpatch) comes from
# the linux-source-6.12 tarball into build/checkpatch/ at run time.
# CHECKPATCH_FLAGS adds options (e.g. --strict); KERNELS picks the kernels.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -1)
cp_dir=$BUILD/checkpatch
if [ ! -e "$cp_dir/checkpatch.pl" ]; then
	[ -n "$tarball" ] || die "no linux-source-6.12 tarball (scripts/deps.sh build)"
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' || die "extracting checkpatch failed"
fi

fail=0
shopt -s nullglob
files=()
for f in module/*.c module/*.h module/uapi/*.h selftests/test_modules/*.c; do
	case "$f" in *.mod.c|*/compat_probe.h) continue ;; esac   # generated
	files+=("$f")
done
echo "== checkpatch (${#files[@]} files)"
if [ ${#files[@]} -gt 0 ]; then
	# shellcheck disable=SC2086
	perl "$cp_dir/checkpatch.pl" --no-tree --quiet --show-types \
		${CHECKPATCH_FLAGS:-} -f "${files[@]}" || fail=1
fi

for k in ${KERNELS:-$KNOWN_KERNELS}; do
	echo "== W=1 build for $k"
	rm -rf "$BUILD/w1-$k"   # a full rebuild, so every warning shows
	out=$(MODULE_OUT=$BUILD/w1-$k "$ROOT/scripts/build-modules.sh" "$k" W=1 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out"
	if [ $rc -ne 0 ] || echo "$out" | grep -q 'warning:'; then
		echo "style: W=1 build for $k has warnings or errors"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "style: clean"
exit $fail
