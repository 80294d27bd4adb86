#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-deb`: the Debian packages of `make deb`, end to end on this
# machine (as root; not part of `make check`: it installs packages):
#
#   1. apt installs build/deb/mmscope-dkms_*.deb and mmscope_*.deb;
#   2. `dkms status` has the module installed for every kernel with headers
#      (/lib/modules/*/build), and each .ko is where DKMS puts it, for that
#      kernel (vermagic), signed where the kernel signs modules; removed for
#      one kernel, the package's dkms-all-kernels (its postinst) builds it
#      again;
#   3. the CLI runs, mmscope(8) and the bash completion are installed and
#      work;
#   4. for each VM kernel (KERNELS, default: every one scripts/lib.sh knows)
#      the VM boots with the DKMS-built .ko instead of build/k-*/module/
#      mmscope.ko (MMSCOPE_KO, scripts/mkinitramfs.sh) and passes
#      boot_smoke.sh, 5-level paging (PAGING);
#   5. dpkg --purge of both leaves nothing: no /usr/src/mmscope-*,
#      /var/lib/dkms/mmscope, /lib/modules/*/updates/dkms/mmscope.ko*, CLI,
#      man page, completion, dpkg record or modules.dep entry.
#
# The packages are purged on any exit (KEEP=1 keeps them installed).
# KERNELS="6.12" narrows the VM part, KERNELS= skips it.  Things that are new
# after the purge under /lib/modules, /usr/src, /var/lib/dkms and the
# packages' directories fail the check, except DKMS's own key
# (/var/lib/dkms/mok.*) and depmod's indexes of a kernel that has only headers.
# Refuses to run when mmscope or mmscope-dkms is installed already (it would
# purge someone's install).  Last line: "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

[ "$(id -u)" -eq 0 ] || die "run as root (it installs and purges packages)"
version=$(dpkg-parsechangelog -S Version) || die "dpkg-parsechangelog failed"
dkms_deb=$BUILD/deb/mmscope-dkms_${version}_all.deb
cli_deb=$BUILD/deb/mmscope_${version}_amd64.deb
for f in "$dkms_deb" "$cli_deb"; do
	[ -e "$f" ] || die "$f missing (make deb)"
done
# known PKG: dpkg has a record of PKG (installed, or its configuration left)
known()
{
	local st
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)
	[ -n "$st" ] && [ "${st:1:1}" != n ]
}
for p in mmscope mmscope-dkms; do
	known "$p" && die "$p is installed already: dpkg --purge it first"
done

npass=0
nfail=0
ok() { echo "ok: $*"; npass=$((npass + 1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=900)
export DEBIAN_FRONTEND=noninteractive

purge()
{
	local p pkgs=()
	for p in mmscope mmscope-dkms; do known "$p" && pkgs+=("$p"); done
	[ ${#pkgs[@]} -eq 0 ] || dpkg --purge "${pkgs[@]}"
}
cleanup()
{
	[ "${KEEP:-0}" = 1 ] && return
	purge > /dev/null 2>&1
}
trap cleanup EXIT

# What is under the trees the packages and DKMS write to, before: anything
# new after the purge is left behind (depmod's indexes of a kernel that has
# no modules of its own, only headers, are reported apart: DKMS's depmod
# writes them, and nothing removes them).
snapshot()
{
	find /lib/modules -mindepth 1 -maxdepth 3 \( -name build -o -name source \) \
		-prune -o -print
	find /usr/src /var/lib/dkms /usr/sbin /usr/share/man/man8 /usr/share/doc \
		/usr/share/bash-completion/completions -maxdepth 1 -print 2>/dev/null
}
before=$(snapshot | sort)

# ---- 1. install ----
echo "== apt install $dkms_deb $cli_deb"
if ! apt-get install "${apt_opts[@]}" "$dkms_deb" "$cli_deb"; then
	fail "apt install of both packages"
	echo "$npass passed, $nfail failed"
	exit 1
fi
ok "apt install of both packages"

# ---- 2. DKMS ----
echo "== dkms status"
dkms status mmscope
kernels=()
for d in /lib/modules/*; do
	[ -e "$d/build/Makefile" ] && kernels+=("${d##*/}")
done
[ ${#kernels[@]} -gt 0 ] || fail "no kernel with headers on this machine"
for k in "${kernels[@]}"; do
	if dkms status "mmscope/$version" -k "$k" 2>/dev/null |
	   grep -q "^mmscope/$version, $k, x86_64: installed"; then
		ok "dkms: mmscope/$version installed for $k"
	else
		fail "dkms: mmscope/$version not installed for $k (make.log: /var/lib/dkms/mmscope/$version/build/make.log)"
		continue
	fi
	ko=$(ls /lib/modules/"$k"/updates/dkms/mmscope.ko* 2>/dev/null | head -1)
	if [ -z "$ko" ]; then
		fail "$k: no /lib/modules/$k/updates/dkms/mmscope.ko*"
		continue
	fi
	vermagic=$(modinfo -F vermagic "$ko")
	check "$k: $ko is built for $k (vermagic $vermagic)" \
		test "${vermagic%% *}" = "$k"
	check "$k: modinfo finds mmscope in updates/dkms" \
		sh -c "modinfo -k '$k' -n mmscope | grep -q '/updates/dkms/mmscope.ko'"
	if grep -q '^CONFIG_MODULE_SIG=y' "/lib/modules/$k/build/.config" 2>/dev/null; then
		signer=$(modinfo -F signer "$ko")
		check "$k: signed by DKMS's key (signer: ${signer:-none})" test -n "$signer"
	fi
done

# The postinst's build for the kernels DKMS's postinst leaves out (on a
# machine whose running kernel is installed, all but it and the newest; here
# DKMS may have built them all): without the module for one kernel, it
# builds it again.
k=${kernels[0]:-}
if [ -n "$k" ] && dkms remove -m mmscope -v "$version" -k "$k" > /dev/null; then
	/usr/lib/mmscope-dkms/dkms-all-kernels
	check "the package's dkms-all-kernels builds the module for $k again" \
		sh -c "dkms status mmscope/$version -k '$k' | grep -q ': installed'"
else
	fail "dkms remove of mmscope/$version for ${k:-no kernel}"
fi

# ---- 3. the CLI, man page, completion ----
echo "== the mmscope package"
check "/usr/sbin/mmscope help runs" sh -c '/usr/sbin/mmscope help > /dev/null'
man8=/usr/share/man/man8/mmscope.8.gz
check "mmscope(8) installed, generated from the CLI's help" \
	sh -c "zcat $man8 | grep -q '^\\.TH MMSCOPE \"8\"' && zcat $man8 | grep -q buddy"
check "man -w 8 mmscope finds it" sh -c "man -w 8 mmscope | grep -qx $man8"
comp=/usr/share/bash-completion/completions/mmscope
check "bash completion installed" test -r "$comp"
completes()
{
	# completes "WORDS..." WANT: the completion of the last word holds WANT
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source '"$comp"'
		COMP_WORDS=($1); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
		_mmscope mmscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$1" | grep -qx -- "$2"
}
check "completion: 'mmscope bu' -> buddy" completes "mmscope bu" buddy
check "completion: 'mmscope lab co' -> cow" completes "mmscope lab co" cow
check "completion: 'mmscope buddy --bl' -> --blocks" completes "mmscope buddy --bl" --blocks

# ---- 4. the VM boots the DKMS-built module ----
vm_kernels=${KERNELS-$KNOWN_KERNELS}
for name in $vm_kernels; do
	echo "== VM: kernel $name with the DKMS-built module"
	rel=$(kernel_release "$name") || { fail "VM $name: no such kernel"; continue; }
	ko=$(ls /lib/modules/"$rel"/updates/dkms/mmscope.ko* 2>/dev/null | head -1)
	if [ -z "$ko" ]; then
		fail "VM $name: DKMS built no module for $rel"
		continue
	fi
	mkdir -p "$BUILD/deb/check"
	plain=$BUILD/deb/check/mmscope-$rel.ko
	case "$ko" in
	*.xz) xz -dc "$ko" > "$plain" ;;
	*.zst) zstd -qdc "$ko" > "$plain" ;;
	*.gz) gzip -dc "$ko" > "$plain" ;;
	*) cp "$ko" "$plain" ;;
	esac
	MMSCOPE_KO=$plain "$ROOT/scripts/vm.sh" --kernel "$name" \
		--paging "${PAGING:-5}" --mode check --args boot_smoke.sh
	rc=$?
	log=$BUILD/logs/$name-${PAGING:-5}-check.log
	staged=$BUILD/initramfs-$name/mmscope/mmscope.ko
	check "VM $name: the initramfs carries the DKMS .ko" cmp -s "$plain" "$staged"
	check "VM $name: boot_smoke.sh passes with the DKMS .ko (rc=$rc, $log)" \
		test "$rc" = 0
done

# ---- 5. purge ----
echo "== dpkg --purge mmscope mmscope-dkms"
check "dpkg --purge of both" purge
left=$(ls -d /usr/src/mmscope-* /var/lib/dkms/mmscope \
	/lib/modules/*/updates/dkms/mmscope.ko* /usr/sbin/mmscope \
	/usr/share/man/man8/mmscope.8* \
	/usr/share/bash-completion/completions/mmscope \
	/usr/share/doc/mmscope /usr/share/doc/mmscope-dkms 2>/dev/null)
check "nothing left behind${left:+: $left}" test -z "$left"
no_record() { ! known mmscope && ! known mmscope-dkms; }
check "dpkg has no record of either" no_record
check "dkms knows no mmscope" sh -c '[ -z "$(dkms status mmscope 2>/dev/null)" ]'
check "no modules.dep names mmscope" \
	sh -c '! grep -qs mmscope /lib/modules/*/modules.dep'
new=$(comm -13 <(echo "$before") <(snapshot | sort) |
	grep -v '^/var/lib/dkms$\|^/var/lib/dkms/mok\.\(key\|pub\)$')
depmod_only=$(echo "$new" | grep -E '^/lib/modules/[^/]+/modules\.[a-z.]+$' |
	while read -r f; do
		[ -d "${f%/*}/kernel" ] || echo "$f"
	done)
if [ -n "$depmod_only" ]; then
	echo "note: depmod indexes of kernels with headers but no modules, left by DKMS's depmod:"
	echo "$depmod_only" | sed 's/^/  /'
fi
others=$(comm -23 <(echo "$new" | grep .) <(echo "$depmod_only" | grep . | sort))
check "no other file or directory is new after the purge${others:+: $others}" \
	test -z "$others"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
