// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of bpf/pt_mask.h, the PFN mask of the BPF page-table walk
 * (mmscope faults), with the physical_mask that only SME/SEV/TDX would
 * set forced.  The expected values are computed the kernel's way
 * (arch/x86/include/asm/pgtable.h: pte_pfn() is (pte ^ protnone_mask) &
 * PTE_PFN_MASK >> PAGE_SHIFT, PTE_PFN_MASK = PAGE_MASK & physical_mask),
 * written out here independently of the header.  Before the fix the walk
 * used bits 12-51 whatever the kernel's mask: the SME cases below fail
 * with that mask (the C-bit lands in the PFN).
 */
#include <linux/types.h>
#include "kselftest_harness.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "../../bpf/pt_mask.h"

#define C_BIT		(1ULL << 47)	/* a typical SME/SEV encryption bit */
#define NX		(1ULL << 63)
#define SW_BITS		(0x7fULL << 52)	/* software / protection-key bits */
#define PRESENT		1ULL
#define PSE		(1ULL << 7)
#define DEFAULT_MASK	((1ULL << 52) - 1)

/* The kernel's PTE_PFN_MASK etc. for @phys, written out. */
static __u64 kernel_pfn(__u64 e, __u64 phys, unsigned int shift, int protnone)
{
	__u64 page_mask = ~((1ULL << shift) - 1);

	if (protnone)
		e = ~e;
	return (e & (page_mask & phys)) >> 12;
}

TEST(default_mask_is_bits_12_to_51)
{
	__u64 e = (0x123456789ULL << 12) | NX | SW_BITS | PRESENT;

	EXPECT_EQ(DEFAULT_MASK, mmscope_physical_mask(0));
	EXPECT_EQ(0x000ffffffffff000ULL, mmscope_pfn_mask(DEFAULT_MASK, 12));
	EXPECT_EQ(0x123456789ULL, mmscope_entry_pfn(e, DEFAULT_MASK, 12, 0));
	EXPECT_EQ(kernel_pfn(e, DEFAULT_MASK, 12, 0),
		  mmscope_entry_pfn(e, DEFAULT_MASK, 12, 0));
}

/* SME host / SEV guest: every present entry carries the C-bit. */
TEST(sme_c_bit_is_not_part_of_the_pfn)
{
	__u64 phys = mmscope_physical_mask(DEFAULT_MASK & ~C_BIT);
	__u64 pfn = 0x1234ULL;
	__u64 pte = (pfn << 12) | C_BIT | NX | PRESENT;
	__u64 pmd = (pfn << 12 & ~((1ULL << 21) - 1)) | C_BIT | PSE | PRESENT;
	__u64 pud = (0x40000ULL << 12) | C_BIT | PSE | PRESENT;

	EXPECT_EQ(pfn, mmscope_entry_pfn(pte, phys, 12, 0));
	EXPECT_EQ(kernel_pfn(pte, phys, 12, 0),
		  mmscope_entry_pfn(pte, phys, 12, 0));
	EXPECT_EQ(kernel_pfn(pmd, phys, 21, 0),
		  mmscope_entry_pfn(pmd, phys, 21, 0));
	EXPECT_EQ(0x40000ULL, mmscope_entry_pfn(pud, phys, 30, 0));
	/* A table pointer: the next table's physical address. */
	EXPECT_EQ(pfn << 12, pte & mmscope_pfn_mask(phys, 12));
	/* The old fixed mask took the C-bit for PFN bit 35. */
	EXPECT_NE(pfn, (pte & 0x000ffffffffff000ULL) >> 12);
}

/* L1TF: a PROT_NONE entry holds the PFN inverted, C-bit included. */
TEST(protnone_inverted_with_c_bit)
{
	__u64 phys = DEFAULT_MASK & ~C_BIT;
	__u64 pfn = 0xabcdeULL;
	/* As the kernel builds it: the PFN bits inverted, flags kept. */
	__u64 e = (~(pfn << 12) & mmscope_pfn_mask(phys, 12)) | C_BIT |
		  (1ULL << 8);

	EXPECT_EQ(pfn, mmscope_entry_pfn(e, phys, 12, 1));
	EXPECT_EQ(kernel_pfn(e, phys, 12, 1),
		  mmscope_entry_pfn(e, phys, 12, 1));
}

/* A TDX guest clears its shared bit (the top physical bit) the same way. */
TEST(tdx_shared_bit)
{
	__u64 phys = DEFAULT_MASK & ((1ULL << 51) - 1);
	__u64 e = (0x777ULL << 12) | (1ULL << 51) | PRESENT;

	EXPECT_EQ(0x777ULL, mmscope_entry_pfn(e, phys, 12, 0));
}

TEST_HARNESS_MAIN
