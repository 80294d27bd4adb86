#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Open an `mmscope report` page in a real browser (Debian's chromium,
# headless) and check it:
#
#   scripts/check-report.sh LOG|FILE.html
#
# LOG: a VM's serial log; the page is the one the `report` selftest printed
# gzipped and base64-encoded between MMSCOPE-REPORT-BEGIN and
# MMSCOPE-REPORT-END (scripts/report-from-log.sh decodes it).
# Checks: it loads from file:// with no console message (errors, refused
# requests), renders completely, its screenshot is not blank, the numbers
# in its tables equal the JSON embedded in it (scripts/check-report.py),
# and the click-to-translate path of sampled addresses shows the levels,
# indices, leaf kind and PFN of the recorded `mmscope translate`; with
# --faults, the faults per class and the latency histogram's buckets.
# Last line: "report-page: N passed, N failed, 0 skipped"; exit 1 on failure.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 LOG|FILE.html"
in=$1
out=$BUILD/report
mkdir -p "$out"
command -v chromium >/dev/null || die "no chromium (scripts/deps.sh check installs it)"

if [[ "$in" == *.html ]]; then
	html=$(realpath "$in")
else
	html=$out/vm-report.html
	"$ROOT/scripts/report-from-log.sh" "$in" "$html" ||
		die "no report page in $in, or it does not decode (did the report selftest run?)"
fi

pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }

# A fresh profile each run; nothing else of the host's.
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
browse()
{
	# $1 URL, $2 DOM output, $3 console output; extra arguments follow
	local url=$1 dom=$2 log=$3
	shift 3
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$prof" --no-first-run --disable-extensions \
		--enable-logging=stderr --v=0 --virtual-time-budget=10000 \
		"$@" "$url" > "$dom" 2> "$log"
}

url="file://$html"
browse "$url" "$out/dom.html" "$out/console.log" --dump-dom
if [ -s "$out/dom.html" ] && grep -q 'data-rendered="ok"' "$out/dom.html"; then
	ok "the page loads and renders from file://"
else
	notok "the page loads and renders from file:// (see $out/console.log)"
fi
if grep -aE 'CONSOLE|Uncaught|Refused to|ERR_' "$out/console.log" > "$out/console-errors.txt"; then
	notok "no console message: $(head -3 "$out/console-errors.txt" | tr '\n' ' ')"
else
	ok "no console message"
fi

browse "$url" /dev/null "$out/shot.log" --window-size=1280,1600 \
	--screenshot="$out/report.png"
if python3 "$ROOT/scripts/check-report.py" png "$out/report.png"; then
	ok "the screenshot is not blank ($out/report.png)"
else
	notok "the screenshot is not blank"
fi

if python3 "$ROOT/scripts/check-report.py" numbers "$out/dom.html"; then
	ok "the numbers on the page equal its JSON"
else
	notok "the numbers on the page equal its JSON"
fi

n=0
for t in $(python3 "$ROOT/scripts/check-report.py" samples "$out/dom.html"); do
	n=$((n + 1))
	browse "$url#translate=$t" "$out/tr-$n.html" "$out/tr-$n.log" --dump-dom
	if python3 "$ROOT/scripts/check-report.py" translate "$out/tr-$n.html" "$t"; then
		ok "translate $t shows the recorded walk"
	else
		notok "translate $t shows the recorded walk"
	fi
done
[ "$n" -gt 0 ] || notok "translate: the page records no sample with a leaf"

echo "report-page: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
