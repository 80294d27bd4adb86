/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PFN bits of an x86-64 page-table entry, as the kernel masks them.
 *
 * The kernel's PTE_PFN_MASK is PAGE_MASK & __PHYSICAL_MASK, and its pmd/pud
 * leaf masks PMD_MASK / PUD_MASK & __PHYSICAL_MASK
 * (arch/x86/include/asm/page_types.h).  With CONFIG_DYNAMIC_PHYSICAL_MASK
 * (AMD SME/SEV, Intel TDX) __PHYSICAL_MASK is the variable physical_mask,
 * from which the boot code clears the encryption bit (sme_enable():
 * physical_mask &= ~sme_me_mask; a TDX guest clears its shared bit): on an
 * SME host or an SEV guest every present entry has the C-bit (e.g. bit 47)
 * set, and a fixed mask of bits 12-51 would take it for part of the PFN.
 * Without that option the mask is the constant bits 0-51.
 *
 * Shared by the BPF program (bpf/faults.bpf.c, which reads physical_mask
 * as a weak ksym) and a host unit test (selftests/unit/pt_mask.c), which
 * can force the mask that only SME/SEV/TDX hardware would set.
 */
#ifndef _MMSCOPE_PT_MASK_H
#define _MMSCOPE_PT_MASK_H

/* __PHYSICAL_MASK without encryption: bits 0-51 (__PHYSICAL_MASK_SHIFT). */
#define MMSCOPE_PHYSICAL_MASK_DEFAULT	((1ULL << 52) - 1)

/*
 * The kernel's physical_mask as read (0: the kernel has none, or it could
 * not be read): the mask to use.
 */
static __always_inline __u64 mmscope_physical_mask(__u64 read)
{
	return read ? read : MMSCOPE_PHYSICAL_MASK_DEFAULT;
}

/* PFN bits of an entry mapping (or pointing to) 1 << @shift bytes. */
static __always_inline __u64 mmscope_pfn_mask(__u64 physical_mask,
					      unsigned int shift)
{
	return physical_mask & ~((1ULL << shift) - 1);
}

/*
 * The PFN of the first page an entry maps, for a leaf of 1 << @shift bytes
 * (12 pte, 21 pmd, 30 pud) or a table pointer (12).  A PROT_NONE entry
 * (L1TF mitigation) holds its PFN inverted: @inverted flips it back first,
 * as pte_pfn()/pmd_pfn() do with protnone_mask().
 */
static __always_inline __u64 mmscope_entry_pfn(__u64 e, __u64 physical_mask,
					       unsigned int shift,
					       int inverted)
{
	if (inverted)
		e = ~e;
	return (e & mmscope_pfn_mask(physical_mask, shift)) >> 12;
}

#endif /* _MMSCOPE_PT_MASK_H */
