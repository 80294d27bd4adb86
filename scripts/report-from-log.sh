#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The `mmscope report` page a guest printed on its serial console:
#
#   scripts/report-from-log.sh LOG OUT.html [N]
#
# The guest (the report selftest, scripts/guest/demo.sh) prints the page
# gzipped and base64-encoded between the lines MMSCOPE-REPORT-BEGIN and
# MMSCOPE-REPORT-END (an uncompressed page is taken as well).  Only lines of
# base64 are kept: a kernel message between them is left out (one inside a
# line makes the decoding fail).  The first page of LOG (the Nth with N)
# is written to OUT.
# Used by scripts/vm.sh (make demo: build/demo/report.html) and
# scripts/check-report.sh.  Exit 1, OUT removed, when LOG holds no page.
set -uo pipefail

[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 LOG OUT.html [N]" >&2; exit 2; }
log=$1 out=$2 nth=${3:-1}

# The Nth BEGIN-END block only; "# " is the kselftest prefix.
awk -v n="$nth" '/MMSCOPE-REPORT-BEGIN/ { k++; p = (k == n); next }
	/MMSCOPE-REPORT-END/ { if (p) exit } p' "$log" |
	sed 's/^# \{0,1\}//; s/\r$//' | grep -E '^[A-Za-z0-9+/=]+$' |
	base64 -d > "$out.raw" 2>/dev/null
if [ "$(head -c 2 "$out.raw" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
	gzip -dc < "$out.raw" > "$out" 2>/dev/null || rm -f "$out"
else
	mv "$out.raw" "$out"
fi
rm -f "$out.raw"
[ -s "$out" ] || { rm -f "$out"; exit 1; }
