/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope's page-table walker, shaped like mm/pagewalk.c (which modules
 * cannot call): per-level callbacks on entries read once, holes reported
 * by range, return 0 to continue, >0 to stop with that value, <0 for an
 * error.
 */
#ifndef _MMSCOPE_WALK_H
#define _MMSCOPE_WALK_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include "uapi/mmscope.h"

struct mmscope_walk;
struct mmscope_pt_entry;

/**
 * struct mmscope_walk_ops - callbacks of one walk
 *
 * Each entry callback gets the value of a non-empty entry, read once, and
 * the range [@addr, @next) it covers within the walked range.  The walker
 * descends only into entries that are tables; leaves (PUD/PMD huge pages,
 * PTEs) and non-present entries end the descent at their level.
 *
 * @pgd_entry:	a pgd entry (on 4-level paging, equal to the folded p4d)
 * @p4d_entry:	a p4d entry
 * @pud_entry:	a pud entry: table, 1 GiB leaf, or not present
 * @pmd_entry:	a pmd entry: table, 2 MiB leaf, or not present
 * @pte_entry:	a pte: present, PROT_NONE or swap-like
 * @pte_hole:	[@addr, @next) has no entry at @depth (enum mmscope_pt_level)
 * @table:	optional: a table page at @level is counted for the first
 *		time, entered at @addr (before any of its entries' callbacks)
 */
struct mmscope_walk_ops {
	int (*pgd_entry)(pgd_t pgd, unsigned long addr, unsigned long next,
			 struct mmscope_walk *walk);
	int (*p4d_entry)(p4d_t p4d, unsigned long addr, unsigned long next,
			 struct mmscope_walk *walk);
	int (*pud_entry)(pud_t pud, unsigned long addr, unsigned long next,
			 struct mmscope_walk *walk);
	int (*pmd_entry)(pmd_t pmd, unsigned long addr, unsigned long next,
			 struct mmscope_walk *walk);
	int (*pte_entry)(pte_t pte, unsigned long addr, unsigned long next,
			 struct mmscope_walk *walk);
	int (*pte_hole)(unsigned long addr, unsigned long next, int depth,
			struct mmscope_walk *walk);
	void (*table)(int level, unsigned long addr, struct mmscope_walk *walk);
};

/**
 * struct mmscope_walk - the state of one walk
 * @ops:	callbacks
 * @mm:		address space; its mmap_lock is held for read
 * @pgd:	the top-level table to walk; NULL: @mm's (mm->pgd).  With PTI
 *		the user-mode copy (kernel_to_user_pgdp(mm->pgd)), which only
 *		a lockless walk reads (kernel.c)
 * @vma:	the VMA being walked; NULL in a lockless walk
 * @private:	the caller's data
 * @tables:	distinct table pages entered, per level (pgd included)
 * @changed:	a PTE table changed under the walk and was skipped (or,
 *		in a lockless walk, a table failed validation)
 * @lockless:	walking without the VMA tree (mmscope_walk_lockless())
 * @skip:	set by an entry callback: do not descend into the table the
 *		entry points to (cleared by the walker)
 * @last:	the last table entered per level, to count each one once
 * @ptes:	snapshot of the PTE table being walked
 */
struct mmscope_walk {
	const struct mmscope_walk_ops *ops;
	struct mm_struct *mm;
	pgd_t *pgd;
	struct vm_area_struct *vma;
	void *private;
	u64 tables[MMSCOPE_PT_NR_LEVELS];
	bool changed;
	bool lockless;
	bool skip;
	const void *last[MMSCOPE_PT_NR_LEVELS];
	pte_t ptes[PTRS_PER_PTE];
};

int mmscope_walk_range(struct mmscope_walk *walk, unsigned long start,
		       unsigned long end);
int mmscope_walk_lockless(struct mmscope_walk *walk, unsigned long start,
			  unsigned long end);
int mmscope_walk_lookup(struct mm_struct *mm, unsigned long addr,
			struct mmscope_pt_entry *e);

/* Decoding of one entry (any level), in pte_decode.c. */
struct mmscope_pt_entry {
	u64 raw;
	u64 pfn;		/* present/protnone leaf; pfn-swap entries */
	u64 next_table;		/* phys of the table a TABLE entry points to */
	u64 swap_offset;
	u32 swap_type;
	u32 flags;		/* enum mmscope_pt_flags */
	u8 kind;		/* enum mmscope_pt_kind */
	u8 pkey;
};

u8 mmscope_pt_kind(u64 raw, int level);
void mmscope_pt_decode(u64 raw, int level, struct mmscope_pt_entry *e);
void mmscope_pt_hide(struct mmscope_pt_entry *e, unsigned long vm_flags);
unsigned long mmscope_pt_level_size(int level);

/* Text of the debugfs files, in pte_decode.c. */
struct seq_buf;
const char *mmscope_pt_level_name(unsigned int level);
const char *mmscope_pt_kind_name(unsigned int kind);
void mmscope_pt_show_flags(struct seq_buf *s, u32 flags);

#endif /* _MMSCOPE_WALK_H */
