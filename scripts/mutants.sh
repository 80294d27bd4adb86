#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make mutants`: apply each mutant of scripts/mutants.txt (small deliberate
# bugs in the module, the BPF program and the CLI) one at a time to a copy
# of the tree, build what it touched, run the tests that must see it on its
# one kernel/paging combination, and print the kill table.
#
#   scripts/mutants.sh [--check] [--baseline|--baseline-only] [NAME...]
#
# NAME...     only these mutants (default: all; `make mutants MUTANTS="a b"`)
# --check     only check that every snippet still applies (no build, no VM)
# --baseline  first run the unmutated copy with the same tests on every
#             combination used: they must pass, or no kill means anything
#             (--baseline-only: that, and no mutant)
#
# The working tree's sources are snapshotted once into build/mutants/src
# (edits made while the mutants run do not leak into them).  Each mutant is
# applied to build/mutants/tree, synced from the snapshot by content (a file
# is rewritten only when it differs, so the objects, the BPF object, the CLI
# and the selftests there are rebuilt incrementally: only what the mutant
# changed, and what the previous one changed back, is compiled).  The
# working tree and its build/ are never written: scripts run from the copy
# with ROOT/BUILD pointing into it.  One run at a time (a lock).
# Logs: build/mutants/logs/<mutant>.log.
#
# Result per mutant: killed (a test failed, the VM panicked or timed out),
# SURVIVED (every test passed), stale (a snippet does not occur exactly once
# any more: update scripts/mutants.txt), error (the mutant did not build or
# the VM did not run).  Exit 0 only when every mutant was killed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

list=${MUTANTS_FILE:-$ROOT/scripts/mutants.txt}
work=$BUILD/mutants
src=$work/src
stage=$work/tree
logs=$work/logs
check_only=0
baseline=0
want=()
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check_only=1 ;;
	--baseline) baseline=1 ;;
	--baseline-only) baseline=2 ;;
	-h|--help) sed -n '4,31s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) want+=("$1") ;;
	esac
	shift
done
[ -r "$list" ] || die "no $list"
# The copy shares this tree's unpacked kernels (scripts/kernel.sh).
MMSCOPE_KERNELS_DIR=$(kernels_dir)
export MMSCOPE_KERNELS_DIR

# ---- the mutants file: parsed and applied by perl (exact substrings) ----
read -r -d '' PERL <<'EOF'
use strict;
use warnings;

my ($mode, $file, $name, $dir, $dry) = @ARGV;
my (@m, %seen, $cur, $curfile, $pending);
my $ln = 0;

sub bad { die "$file:$ln: $_[0]\n"; }
sub unesc {
	my $s = shift;
	$s =~ s/\\(.)/$1 eq 't' ? "\t" : $1 eq 'n' ? "\n" :
		$1 eq '\\' ? '\\' : bad("unknown escape \\$1")/ge;
	return $s;
}
sub finish {
	return unless $cur;
	bad("$cur->{name}: 'old' without 'new'") if $pending;
	for my $k (qw(desc tests)) {
		bad("$cur->{name}: no '$k'") unless defined $cur->{$k} &&
						   length $cur->{$k};
	}
	bad("$cur->{name}: no old/new pair") unless @{$cur->{hunks}};
	bad("$cur->{name}: kernel must be K/P, e.g. 6.12/5")
		unless $cur->{kernel} =~ m{^[0-9][0-9a-z.-]*/[45]$};
}

open(my $fh, '<', $file) or die "$file: $!\n";
while (my $l = <$fh>) {
	$ln++;
	chomp $l;
	$l =~ s/\r$//;
	next if $l =~ /^\s*(#|$)/;
	my ($k, $v) = $l =~ /^(\S+)(?:[ \t]+(.*))?$/;
	$v //= '';
	if ($k eq 'mutant') {
		finish();
		bad("bad mutant name '$v'") unless $v =~ /^[A-Za-z0-9_-]+$/;
		bad("mutant '$v' defined twice") if $seen{$v}++;
		push @m, $cur = { name => $v, kernel => '6.12/5', hunks => [] };
		$curfile = undef;
		next;
	}
	bad("'$k' before the first 'mutant'") unless $cur;
	if ($k eq 'desc' || $k eq 'tests' || $k eq 'kernel') {
		$cur->{$k} = $v;
	} elsif ($k eq 'file') {
		bad("'file' inside an old/new pair") if $pending;
		bad("bad path '$v'") if $v eq '' || $v =~ m{(^/|\.\.)};
		$curfile = $v;
	} elsif ($k eq 'old') {
		bad("'old' without 'file'") unless defined $curfile;
		bad("'old' twice") if $pending;
		bad("empty 'old'") if $v eq '';
		$pending = { file => $curfile, old => unesc($v), text => $v };
	} elsif ($k eq 'new') {
		bad("'new' without 'old'") unless $pending;
		$pending->{new} = unesc($v);
		push @{$cur->{hunks}}, $pending;
		$pending = undef;
	} else {
		bad("unknown key '$k'");
	}
}
finish();
close($fh);

if ($mode eq 'list') {
	for my $m (@m) {
		my (%f, @files);
		for my $h (@{$m->{hunks}}) {
			push @files, $h->{file} unless $f{$h->{file}}++;
		}
		print join("\t", $m->{name}, $m->{kernel}, $m->{tests},
			   join(',', @files), $m->{desc}), "\n";
	}
	exit 0;
}

# apply NAME DIR [dry]: every 'old' must occur exactly once, in order.
my ($mut) = grep { $_->{name} eq $name } @m;
die "no mutant '$name' in $file\n" unless $mut;
# "file A|B": the one of them that holds the snippet (code being moved).
my (%text, %changed, $stale);
for my $h (@{$mut->{hunks}}) {
	my (@where, @counts);
	for my $f (split /\|/, $h->{file}) {
		unless (exists $text{$f}) {
			$text{$f} = undef;
			if (open(my $in, '<', "$dir/$f")) {
				local $/;
				$text{$f} = <$in>;
				close($in);
			}
		}
		my $n = defined $text{$f} ?
			scalar(() = $text{$f} =~ /\Q$h->{old}\E/g) : 0;
		push @counts, defined $text{$f} ? "$n in $f" : "$f missing";
		push @where, $f if $n;
		push @where, $f, $f if $n > 1;
	}
	if (@where != 1) {
		printf STDERR "stale: '%s': %s (must occur exactly once)\n",
			$h->{text}, join(', ', @counts);
		$stale = 1;
		next;
	}
	my $f = $where[0];
	my $i = index($text{$f}, $h->{old});
	substr($text{$f}, $i, length $h->{old}) = $h->{new};
	$changed{$f} = 1;
}
exit 3 if $stale;
exit 0 if $dry;
for my $f (sort keys %changed) {
	open(my $out, '>', "$dir/$f") or die "$dir/$f: $!\n";
	print $out $text{$f};
	close($out) or die "$dir/$f: $!\n";
}
EOF

table=$(perl -e "$PERL" list "$list") || die "cannot parse $list"
names=(); kerns=(); tests=(); files=(); descs=()
while IFS=$'\t' read -r n k t f d; do
	if [ ${#want[@]} -gt 0 ]; then
		case " ${want[*]} " in *" $n "*) ;; *) continue ;; esac
	fi
	names+=("$n"); kerns+=("$k"); tests+=("$t"); files+=("$f"); descs+=("$d")
done <<< "$table"
for n in "${want[@]}"; do
	printf '%s\n' "$table" | cut -f1 | grep -qx -- "$n" ||
		die "no mutant '$n' in $list"
done
[ ${#names[@]} -gt 0 ] || die "no mutants in $list"

# ---- the copies of the tree ----
# sync FROM TO: no -t, so a file whose content differs is rewritten with a
# new mtime and an identical one keeps its old one; build products stay.
sync_tree()
{
	mkdir -p "$2"
	rsync -rlp --checksum --delete --exclude=/build/ --exclude=/.git \
		--exclude=/userspace/mmscope --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='*.order' --exclude='*.symvers' \
		"$1/" "$2/"
}
sync_stage() { sync_tree "$src" "$stage"; }

# Stale mutants first (in tree $1): a snippet that no longer applies, or a
# test no longer in selftests/TESTS (a missing test would fail, a false
# kill), fails the run.
result=(); secs=(); why=()
nstale=0
check_snippets()
{
	local i t err

	for i in "${!names[@]}"; do
		err=
		for t in ${tests[$i]}; do
			[ "$t" = unit ] && continue
			[ "$t" = report-page ] && t=report
			sed -e 's/#.*//' "$1/selftests/TESTS" | awk '{ print $1 }' |
				grep -qx -- "$t" ||
				err+="stale: test '$t' is not in selftests/TESTS"$'\n'
		done
		if [ -z "$err" ] &&
		   err=$(perl -e "$PERL" apply "$list" "${names[$i]}" "$1" dry 2>&1); then
			result[$i]=
		else
			result[$i]=stale
			secs[$i]=0
			why[$i]=$(echo "$err" | grep . | head -1)
			echo "$err" | grep . | sed "s/^/${names[$i]}: /" >&2
			nstale=$((nstale + 1))
		fi
	done
}
if [ $check_only = 1 ]; then
	check_snippets "$ROOT"
	echo "${#names[@]} mutants, $nstale stale"
	[ $nstale -eq 0 ]
	exit
fi

mkdir -p "$logs"
exec 9> "$work/lock"
flock -n 9 || die "another make mutants is running on this tree ($work/lock)"
sync_tree "$ROOT" "$src" || die "cannot copy the tree to $src"
check_snippets "$src"
# The copy's objects are trusted only after a run that ended normally: a
# run stopped half way, or a file of the copy written meanwhile, can leave
# an object newer than a source it was not built from.
if [ ! -e "$work/clean" ]; then
	echo "== previous run did not finish: rebuilding the copy's objects"
	rm -rf "$stage/build/bpf" "$stage/userspace/mmscope"
	find "$stage/build" -path "$stage/build/k-*" \( -name '*.o' -o -name '*.ko' \) \
		-delete 2>/dev/null
fi
rm -f "$work/clean"

# Seed the copy's build with what never changes between mutants.
mkdir -p "$stage/build"
if [ ! -e "$stage/build/kselftest/.stamp" ] && [ -e "$BUILD/kselftest/.stamp" ]; then
	cp -a "$BUILD/kselftest" "$stage/build/"
fi
[ -e "$stage/build/accel" ] || { [ -e "$BUILD/accel" ] && cp "$BUILD/accel" "$stage/build/"; }

# In the copy: the CLI (with the BPF object), the selftests, the module for
# kernel $1 and its initramfs; incremental.  Output to $2.
build_stage()
{
	(
		export ROOT=$stage BUILD=$stage/build
		cd "$stage" &&
		"$stage/scripts/kernel.sh" fetch "$1" &&
		make -s userspace &&
		"$stage/scripts/build-modules.sh" "$1" &&
		make -s -C selftests &&
		"$stage/scripts/mkinitramfs.sh" "$1" > /dev/null
	) >> "$2" 2>&1
}

# Run the tests $2 of mutant (or baseline) log $3 on kernel/paging $1: all
# of them, the unit tests first.  Prints "pass", "fail CASES", or
# "error WHY".
run_tests()
{
	local k=${1%/*} p=${1#*/} t vmt= log=$3 rc cases topo=(--smp 2 --numa 1)
	local unit= page=

	# The topology scripts/check.sh gives this combination.
	[ "$k/$p" = 6.12/4 ] && topo=(--smp 4 --numa 2)

	for t in $2; do
		if [ "$t" = unit ]; then
			echo "== unit tests (host)" >> "$log"
			( cd "$stage" && make -s unit ) >> "$log" 2>&1
			rc=$?
			if [ $rc -ne 0 ]; then
				cases=$(grep -aE '^not ok ' "$log" | sed 's/^not ok [0-9]* *-* *//' |
					head -3 | tr '\n' ',' | sed 's/,$//')
				unit="unit: ${cases:-exit $rc}"
			fi
		elif [ "$t" = report-page ]; then
			# the report selftest's page, then the browser on the host
			page=1
			[[ " $vmt " == *" report "* ]] || vmt+=" report"
		elif [[ " $vmt " != *" $t "* ]]; then
			# each test once ("report" may come with report-page)
			vmt+=" $t"
		fi
	done
	if [ -z "$vmt" ]; then
		[ -n "$unit" ] && echo "fail $unit" || echo pass
		return
	fi
	echo "== VM: kernel $k, $p-level paging, tests:$vmt" >> "$log"
	ROOT=$stage BUILD=$stage/build MMSCOPE_NO_BUILD=1 \
		"$stage/scripts/vm.sh" --kernel "$k" --paging "$p" "${topo[@]}" \
		--pti "$(combo_pti "$k/$p")" --mode check \
		--args "${vmt# }" < /dev/null >> "$log" 2>&1
	rc=$?
	unit=${unit:+$unit; }
	if [ $rc -eq 0 ] && [ -n "$page" ]; then
		echo "== report page in headless chromium" >> "$log"
		ROOT=$stage BUILD=$stage/build "$stage/scripts/check-report.sh" \
			"$log" >> "$log" 2>&1 ||
			unit+="report-page: $(grep -a '^not ok - ' "$log" | head -1 | cut -c10-); "
	fi
	if [ $rc -eq 0 ]; then
		[ -n "$unit" ] && echo "fail ${unit%; }" || echo pass
	elif grep -aq '^MMSCOPE-RESULT rc=' "$log"; then
		# The test programs' failed cases, else the runner's lines.
		cases=$(grep -aE '^# not ok [0-9]+ ' "$log" | sed -E 's/^# not ok [0-9]+ //')
		[ -n "$cases" ] || cases=$(grep -aE '^not ok [0-9]+ ' "$log" |
			sed -E 's/^not ok [0-9]+ (selftests: mmscope: )?//')
		cases=$(echo "$cases" | awk '!seen[$0]++' | head -3 | tr '\n' ',' |
			sed 's/,$//')
		echo "fail $unit${cases:-guest rc != 0}"
	elif grep -aqE 'Kernel panic|BUG:|Oops|general protection' "$log"; then
		echo "fail ${unit}kernel panic: $(grep -aoE 'BUG:.*|Oops.*|general protection.*' "$log" | head -1)"
	elif grep -aq 'timeout after' "$log"; then
		echo "fail ${unit}VM timeout (a hang)"
	else
		echo "error $(grep -a '^vm\(\.sh\)\?: ' "$log" | tail -1)"
	fi
}

started=$(date +%s)

if [ $baseline != 0 ]; then
	declare -A union=()
	for i in "${!names[@]}"; do
		union[${kerns[$i]}]+=" ${tests[$i]}"
	done
	for kp in "${!union[@]}"; do
		t=$(echo ${union[$kp]} | tr ' ' '\n' | awk '!seen[$0]++' | tr '\n' ' ')
		log=$logs/baseline-${kp/\//-}.log
		: > "$log"
		echo "== baseline $kp: $t(log $log)"
		sync_stage
		build_stage "${kp%/*}" "$log" || die "baseline build failed, see $log"
		out=$(run_tests "$kp" "$t" "$log")
		[ "$out" = pass ] || die "baseline on $kp does not pass ($out), see $log"
		echo "   passed in $(($(date +%s) - started))s"
	done
	[ $baseline = 2 ] && exit 0
fi

killed=0; survived=0; errors=0
for i in "${!names[@]}"; do
	[ "${result[$i]}" = stale ] && continue
	n=${names[$i]}
	log=$logs/$n.log
	: > "$log"
	t0=$(date +%s)
	echo "== mutant $n (${kerns[$i]}: ${tests[$i]}): ${descs[$i]}"
	if ! sync_stage >> "$log" 2>&1 ||
	   ! perl -e "$PERL" apply "$list" "$n" "$stage" >> "$log" 2>&1; then
		result[$i]=error; why[$i]="cannot apply, see $log"
	elif ! build_stage "${kerns[$i]%/*}" "$log"; then
		result[$i]=error; why[$i]="does not build, see $log"
	else
		out=$(run_tests "${kerns[$i]}" "${tests[$i]}" "$log")
		case "$out" in
		pass) result[$i]=SURVIVED; why[$i]="every test passed" ;;
		fail*) result[$i]=killed; why[$i]=${out#fail } ;;
		*) result[$i]=error; why[$i]="${out#error }, see $log" ;;
		esac
	fi
	secs[$i]=$(($(date +%s) - t0))
	echo "   ${result[$i]} in ${secs[$i]}s: ${why[$i]}"
done
# Leave the copy as the snapshot has it (rebuilt by the next run).
sync_stage > /dev/null 2>&1 && touch "$work/clean"

echo
echo "== mutants: kill table ($(($(date +%s) - started))s; logs in ${logs#$ROOT/}/)"
printf '%-28s %-22s %-11s %-8s %5s  %s\n' mutant file tests kernel secs result
for i in "${!names[@]}"; do
	r=${result[$i]}
	case "$r" in
	killed) killed=$((killed + 1)) ;;
	SURVIVED) survived=$((survived + 1)) ;;
	error) errors=$((errors + 1)) ;;
	esac
	printf '%-28s %-22s %-11s %-8s %5s  %s\n' "${names[$i]}" "${files[$i]}" \
		"${tests[$i]}" "${kerns[$i]}" "${secs[$i]}" "$r"
	printf '    breaks: %s\n    %s: %s\n' "${descs[$i]}" \
		"$([ "$r" = killed ] && echo "killed by" || echo why)" "${why[$i]}"
done
echo "${#names[@]} mutants: $killed killed, $survived survived, $nstale stale, $errors errors"
[ $killed -eq ${#names[@]} ]
