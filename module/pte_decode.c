// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding x86-64 page-table entries of every level, in one place.
 *
 * One bit means different things at different levels: bit 7 is PAT in a
 * PTE but PS (a huge leaf) in a PMD or PUD, whose PAT moves to bit 12.
 * Non-present entries are PROT_NONE/NUMA-hinting entries (_PAGE_PROTNONE,
 * which is the global bit, set without _PAGE_PRESENT) or swap-like entries,
 * whose layout is the same at every level on x86 (pmd_to_swp_entry() and
 * huge_pte_to_swp entries use the PTE format).
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/seq_buf.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include "walk.h"
#include "compat.h"

unsigned long mmscope_pt_level_size(int level)
{
	switch (level) {
	case MMSCOPE_PT_PTE:
		return PAGE_SIZE;
	case MMSCOPE_PT_PMD:
		return PMD_SIZE;
	case MMSCOPE_PT_PUD:
		return PUD_SIZE;
	case MMSCOPE_PT_P4D:
		return P4D_SIZE;
	default:
		return PGDIR_SIZE;
	}
}

/*
 * A present entry above the leaf is a table unless the kernel's own check
 * calls it bad; but the MMU takes RW clear or NX set in a table entry as a
 * restriction on everything below it, and the kernel builds such entries
 * itself (ESPfix's read-only, NX tables), where pXd_bad() would refuse
 * them.  Those two bits are left out of the check.
 */
static bool mmscope_pt_bad(u64 raw, int level)
{
	raw = (raw & ~_PAGE_NX) | _PAGE_RW;
	switch (level) {
	case MMSCOPE_PT_PMD:
		return pmd_bad(__pmd(raw));
	case MMSCOPE_PT_PUD:
		return pud_bad(__pud(raw));
	case MMSCOPE_PT_P4D:
		return p4d_bad(__p4d(raw));
	default:
		return pgd_bad(__pgd(raw));
	}
}

static u8 mmscope_swp_kind(swp_entry_t entry)
{
	if (is_pte_marker_entry(entry))
		return MMSCOPE_PTK_MARKER;
	if (is_migration_entry(entry))
		return MMSCOPE_PTK_MIGRATION;
	if (is_device_private_entry(entry))
		return MMSCOPE_PTK_DEVICE_PRIVATE;
	if (is_device_exclusive_entry(entry))
		return MMSCOPE_PTK_DEVICE_EXCLUSIVE;
	if (is_hwpoison_entry(entry))
		return MMSCOPE_PTK_HWPOISON;
	if (swp_type(entry) < MAX_SWAPFILES)
		return MMSCOPE_PTK_SWAP;
	return MMSCOPE_PTK_BAD;	/* other software entries */
}

/**
 * mmscope_pt_kind() - what a raw entry at @level holds
 * @raw: the entry, read once
 * @level: enum mmscope_pt_level
 *
 * Return: enum mmscope_pt_kind.
 */
u8 mmscope_pt_kind(u64 raw, int level)
{
	if (!raw)
		return MMSCOPE_PTK_NONE;
	if (raw & _PAGE_PRESENT) {
		if (level == MMSCOPE_PT_PTE ||
		    ((level == MMSCOPE_PT_PMD || level == MMSCOPE_PT_PUD) &&
		     (raw & _PAGE_PSE)))
			return MMSCOPE_PTK_PRESENT;
		return mmscope_pt_bad(raw, level) ? MMSCOPE_PTK_BAD :
						    MMSCOPE_PTK_TABLE;
	}
	if (level < MMSCOPE_PT_PUD)
		return MMSCOPE_PTK_BAD;
	if (raw & _PAGE_PROTNONE)
		return MMSCOPE_PTK_PROTNONE;
	/* A huge pmd being split (pmdp_invalidate()): present, P clear. */
	if (level != MMSCOPE_PT_PTE && (raw & _PAGE_PSE))
		return MMSCOPE_PTK_PRESENT;
	return mmscope_swp_kind(pte_to_swp_entry(__pte(raw)));
}

static u32 mmscope_present_flags(u64 raw, int level)
{
	static const struct {
		u64 bit;
		u32 flag;
	} bits[] = {
		{ _PAGE_PRESENT, MMSCOPE_PTF_PRESENT },
		{ _PAGE_RW, MMSCOPE_PTF_RW },
		{ _PAGE_USER, MMSCOPE_PTF_USER },
		{ _PAGE_PWT, MMSCOPE_PTF_PWT },
		{ _PAGE_PCD, MMSCOPE_PTF_PCD },
		{ _PAGE_ACCESSED, MMSCOPE_PTF_ACCESSED },
		{ _PAGE_DIRTY, MMSCOPE_PTF_DIRTY },
		{ _PAGE_GLOBAL, MMSCOPE_PTF_GLOBAL },
		{ _PAGE_NX, MMSCOPE_PTF_NX },
		{ _PAGE_SOFT_DIRTY, MMSCOPE_PTF_SOFT_DIRTY },
		{ _PAGE_UFFD_WP, MMSCOPE_PTF_UFFD_WP },
		{ _PAGE_SPECIAL, MMSCOPE_PTF_SPECIAL },
		{ _PAGE_DEVMAP, MMSCOPE_PTF_DEVMAP },
		{ MMSCOPE_PAGE_SAVED_DIRTY, MMSCOPE_PTF_SAVED_DIRTY },
	};
	u32 flags = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (bits[i].bit && (raw & bits[i].bit))
			flags |= bits[i].flag;
	if (level == MMSCOPE_PT_PTE) {
		if (raw & _PAGE_PAT)
			flags |= MMSCOPE_PTF_PAT;
	} else if (raw & _PAGE_PSE) {
		flags |= MMSCOPE_PTF_PSE;
		if (raw & _PAGE_PAT_LARGE)
			flags |= MMSCOPE_PTF_PAT;
	} else {
		/*
		 * An entry pointing to a lower table: bit 12 is part of the
		 * table's address, and D, G and the software bits mean nothing.
		 */
		flags &= ~(MMSCOPE_PTF_DIRTY | MMSCOPE_PTF_GLOBAL |
			   MMSCOPE_PTF_SOFT_DIRTY | MMSCOPE_PTF_UFFD_WP |
			   MMSCOPE_PTF_SPECIAL | MMSCOPE_PTF_DEVMAP |
			   MMSCOPE_PTF_SAVED_DIRTY);
	}
	/* _PAGE_PROTNONE is the global bit: it means PROT_NONE here. */
	if ((raw & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE)
		flags &= ~MMSCOPE_PTF_GLOBAL;
	return flags;
}

static u64 mmscope_leaf_pfn(u64 raw, int level)
{
	/* These undo the L1TF inversion of PROT_NONE entries' PFNs. */
	switch (level) {
	case MMSCOPE_PT_PTE:
		return pte_pfn(__pte(raw));
	case MMSCOPE_PT_PMD:
		return pmd_pfn(__pmd(raw));
	default:
		return pud_pfn(__pud(raw));
	}
}

static void mmscope_decode_swp(u64 raw, struct mmscope_pt_entry *e)
{
	pte_t pte = __pte(raw);
	swp_entry_t entry = pte_to_swp_entry(pte);

	if (pte_swp_soft_dirty(pte))
		e->flags |= MMSCOPE_PTF_SOFT_DIRTY;
	if (pte_swp_uffd_wp(pte))
		e->flags |= MMSCOPE_PTF_UFFD_WP;
	if (pte_swp_exclusive(pte))
		e->flags |= MMSCOPE_PTF_EXCLUSIVE;
	e->swap_type = swp_type(entry);
	switch (e->kind) {
	case MMSCOPE_PTK_MIGRATION:
		if (is_writable_migration_entry(entry))
			e->flags |= MMSCOPE_PTF_RW;
		fallthrough;
	case MMSCOPE_PTK_DEVICE_PRIVATE:
	case MMSCOPE_PTK_DEVICE_EXCLUSIVE:
	case MMSCOPE_PTK_HWPOISON:
		e->pfn = swp_offset_pfn(entry);
		e->swap_offset = e->pfn;
		break;
	case MMSCOPE_PTK_MARKER:
		if (pte_marker_get(entry) & PTE_MARKER_UFFD_WP)
			e->flags |= MMSCOPE_PTF_UFFD_WP;
		/*
		 * The page was lost (swap-in error, UFFDIO_POISON): a fault
		 * here gets SIGBUS as on a hwpoison entry.
		 */
		if (pte_marker_get(entry) & MMSCOPE_PTE_MARKER_POISONED)
			e->flags |= MMSCOPE_PTF_POISONED;
		e->swap_offset = pte_marker_get(entry);
		break;
	default:
		e->swap_offset = swp_offset(entry);
		break;
	}
}

/**
 * mmscope_pt_decode() - decode a raw entry of any level
 * @raw: the entry, read once
 * @level: enum mmscope_pt_level
 * @e: filled in; PFNs are real, the caller hides them if it must
 */
void mmscope_pt_decode(u64 raw, int level, struct mmscope_pt_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->raw = raw;
	e->kind = mmscope_pt_kind(raw, level);
	switch (e->kind) {
	case MMSCOPE_PTK_NONE:
	case MMSCOPE_PTK_BAD:
		break;
	case MMSCOPE_PTK_TABLE:
		e->flags = mmscope_present_flags(raw, level);
		e->next_table = raw & PTE_PFN_MASK;
		break;
	case MMSCOPE_PTK_PRESENT:
	case MMSCOPE_PTK_PROTNONE:
		e->flags = mmscope_present_flags(raw, level);
		e->pfn = mmscope_leaf_pfn(raw, level);
		e->pkey = pte_flags_pkey(raw);	/* bits 59-62 at every level */
		if (e->pkey)
			e->flags |= MMSCOPE_PTF_PKEY;
		break;
	default:
		mmscope_decode_swp(raw, e);
		break;
	}
}

/**
 * mmscope_pt_hide() - keep what /proc/PID/pagemap tells a reader without
 * CAP_SYS_ADMIN, and nothing more
 * @e: a decoded entry, changed in place
 * @vm_flags: flags of the VMA it maps
 *
 * pagemap says of a page only: present or swapped (every non-present
 * entry: swap, migration, device, hwpoison, marker), soft-dirty (the
 * entry's or the VMA's), uffd-wp (the entry's or a marker's), and, for a
 * pfn-less reader, no PFN, swap type or offset.  So: the kind becomes
 * present (PROT_NONE and NUMA-hinting entries included) or swap; the flags
 * keep MMSCOPE_PTF_UNPRIV; the raw entry, PFNs, swap entry and protection
 * key are cleared.  Table entries keep no flags.
 */
void mmscope_pt_hide(struct mmscope_pt_entry *e, unsigned long vm_flags)
{
	u32 flags = e->flags & MMSCOPE_PTF_UNPRIV;

	switch (e->kind) {
	case MMSCOPE_PTK_TABLE:
		flags = 0;
		break;
	case MMSCOPE_PTK_PRESENT:
	case MMSCOPE_PTK_PROTNONE:
		e->kind = MMSCOPE_PTK_PRESENT;
		flags |= MMSCOPE_PTF_PRESENT;
		fallthrough;
	default:
		if (e->kind != MMSCOPE_PTK_PRESENT &&
		    e->kind != MMSCOPE_PTK_NONE)
			e->kind = MMSCOPE_PTK_SWAP;
		if (vm_flags & VM_SOFTDIRTY)
			flags |= MMSCOPE_PTF_SOFT_DIRTY;
		break;
	}
	e->flags = flags;
	e->raw = 0;
	e->pfn = 0;
	e->next_table = 0;
	e->swap_type = 0;
	e->swap_offset = 0;
	e->pkey = 0;
}

/* ---- names, shared by the text of the pt and translate views ---------- */

static const char *const mmscope_level_names[MMSCOPE_PT_NR_LEVELS] =
	MMSCOPE_PT_LEVEL_NAMES;
static const char *const mmscope_kind_names[MMSCOPE_PTK_NR] =
	MMSCOPE_PT_KIND_NAMES;

/**
 * mmscope_pt_level_name() - "pgd" ... "pte"
 * @level: enum mmscope_pt_level
 *
 * Return: the name, or "?" for a level out of range.
 */
const char *mmscope_pt_level_name(unsigned int level)
{
	return level < MMSCOPE_PT_NR_LEVELS ? mmscope_level_names[level] : "?";
}

/**
 * mmscope_pt_kind_name() - "present", "swap", ...
 * @kind: enum mmscope_pt_kind
 *
 * Return: the name, or "?" for a kind out of range.
 */
const char *mmscope_pt_kind_name(unsigned int kind)
{
	return kind < MMSCOPE_PTK_NR ? mmscope_kind_names[kind] : "?";
}

/**
 * mmscope_pt_show_flags() - render enum mmscope_pt_flags as text
 * @s: output
 * @f: the flags
 *
 * ptdump-like fixed columns (a clear bit prints as spaces), then the
 * software bits that are set, by name.
 */
void mmscope_pt_show_flags(struct seq_buf *s, u32 f)
{
	seq_buf_printf(s, "%s %s %s %s %s %s %s %s %s %s%s%s%s%s%s%s%s%s%s",
		       f & MMSCOPE_PTF_USER ? "USR" : "   ",
		       f & MMSCOPE_PTF_RW ? "RW" : "ro",
		       f & MMSCOPE_PTF_PWT ? "PWT" : "   ",
		       f & MMSCOPE_PTF_PCD ? "PCD" : "   ",
		       f & MMSCOPE_PTF_PSE ? "PSE" : "   ",
		       f & MMSCOPE_PTF_PAT ? "PAT" : "   ",
		       f & MMSCOPE_PTF_ACCESSED ? "A" : " ",
		       f & MMSCOPE_PTF_DIRTY ? "D" : " ",
		       f & MMSCOPE_PTF_GLOBAL ? "GLB" : "   ",
		       f & MMSCOPE_PTF_NX ? "NX" : "x ",
		       f & MMSCOPE_PTF_SOFT_DIRTY ? " sd" : "",
		       f & MMSCOPE_PTF_UFFD_WP ? " uffd-wp" : "",
		       f & MMSCOPE_PTF_SPECIAL ? " special" : "",
		       f & MMSCOPE_PTF_DEVMAP ? " devmap" : "",
		       f & MMSCOPE_PTF_EXCLUSIVE ? " excl" : "",
		       f & MMSCOPE_PTF_PKEY ? " pkey" : "",
		       f & MMSCOPE_PTF_HUGETLB ? " hugetlb" : "",
		       f & MMSCOPE_PTF_SAVED_DIRTY ? " saved-dirty" : "",
		       f & MMSCOPE_PTF_POISONED ? " poisoned" : "");
}
