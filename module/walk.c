// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walker behind the pt and translate views.
 *
 * Modules cannot call walk_page_range() (mm/pagewalk.c), so this is a
 * walker of the same shape: one function per level, each the same loop over
 * the entries of one table, calling the caller's ops.  It only reads.
 *
 * Why reading is safe, level by level (the caller holds mmap_read_lock and
 * walks only ranges inside VMAs it found under that lock):
 *  - pgd, p4d, pud and pmd *tables* are freed only by free_pgtables() for
 *    ranges that are no longer in the VMA tree (munmap, exit: mmap_lock
 *    held for write when the VMAs are detached), or by mremap under the
 *    write lock.  Under the read lock an upper entry inside a VMA can only
 *    go from empty to a table, or hold a huge leaf that may be zapped; each
 *    entry is read once and the next table is derived from that value.
 *  - The exception: a shared hugetlb mapping may share its PMD tables with
 *    other processes mapping the same file (huge_pmd_share()), and
 *    huge_pmd_unshare() clears our pud and drops the table without our
 *    mmap_lock: from truncation, hole punching or rmap, under the file's
 *    i_mmap_rwsem held for write (and the hugetlb VMA lock, which
 *    mm/pagewalk.c takes but modules cannot).  So such a VMA is walked
 *    holding i_mmap_rwsem for read, see mmscope_walk_range().
 *  - PTE tables can go away under the read lock since v6.5: khugepaged's
 *    retract_page_tables() and collapse clear the pmd and free the table
 *    after an RCU grace period (pte_free_defer()).  __pte_offset_map(),
 *    which handles that, is not exported; so do what it does: inside
 *    rcu_read_lock(), read the pmd once, check it is a table, read the PTEs
 *    through that value, and re-read the pmd.  If it changed, the snapshot
 *    may be stale: retry once, then skip the table and set walk->changed.
 *    (Before v6.5 PTE tables are freed only with mmap_lock held for write,
 *    so the RCU section is merely harmless there.)
 *  - The ops are called on the snapshot, outside the RCU section, so they
 *    may sleep (allocate, emit output).
 */
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/irqflags.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include "walk.h"
#include "compat.h"

/*
 * Count the table page @table at @level once, however often it is entered
 * (entered at @addr).
 */
static void mmscope_walk_enter(struct mmscope_walk *walk, int level,
			       const void *table, unsigned long addr)
{
	if (walk->last[level] == table)
		return;
	walk->last[level] = table;
	walk->tables[level]++;
	if (walk->ops->table)
		walk->ops->table(level, addr, walk);
}

/*
 * May the table that the entry @raw points to be read?  Under the locks of
 * mmscope_walk_range(), yes.  A lockless walk (mmscope_walk_lockless())
 * checks it is what a table must be before following it: online RAM with a
 * struct page that the direct map maps.  Kernel page tables freed by memory
 * hot-remove are freed before the TLB flush that disabled interrupts
 * would hold back (remove_pagetable()), and get_online_mems(), which the
 * kernel's ptdump takes against that, is not exported: so a table that
 * fails this is skipped and reported (walk->changed), never read.
 */
static bool mmscope_walk_table_ok(struct mmscope_walk *walk, u64 raw)
{
	unsigned long pfn = (raw & PTE_PFN_MASK) >> PAGE_SHIFT;
	unsigned int level;
	pte_t *pte;

	if (!walk->lockless)
		return true;
	if (!pfn_valid(pfn) || !pfn_to_online_page(pfn))
		goto bad;
	pte = lookup_address((unsigned long)pfn_to_kaddr(pfn), &level);
	if (pte && (pte_val(*pte) & _PAGE_PRESENT))
		return true;
bad:
	walk->changed = true;
	return false;
}

/* Did the entry callback ask not to descend (walk->skip)?  Clears it. */
static bool mmscope_walk_skipped(struct mmscope_walk *walk)
{
	bool skip = walk->skip;

	walk->skip = false;
	return skip;
}

static int mmscope_walk_hole(struct mmscope_walk *walk, unsigned long addr,
			     unsigned long next, int depth)
{
	if (!walk->ops->pte_hole)
		return 0;
	return walk->ops->pte_hole(addr, next, depth, walk);
}

/* The PTEs [@addr, @end) of the snapshot in walk->ptes. */
static int mmscope_walk_ptes(struct mmscope_walk *walk, unsigned long addr,
			     unsigned long end)
{
	const struct mmscope_walk_ops *ops = walk->ops;
	const pte_t *pte = &walk->ptes[pte_index(addr)];
	unsigned long next, hole = end;
	int err = 0;

	do {
		next = addr + PAGE_SIZE;
		if (pte_none(*pte)) {
			if (hole == end)
				hole = addr;
			continue;
		}
		if (hole != end) {
			err = mmscope_walk_hole(walk, hole, addr, MMSCOPE_PT_PTE);
			hole = end;
			if (err)
				break;
		}
		if (ops->pte_entry) {
			err = ops->pte_entry(*pte, addr, next, walk);
			if (err)
				break;
		}
	} while (pte++, addr = next, addr != end);
	if (!err && hole != end)
		err = mmscope_walk_hole(walk, hole, end, MMSCOPE_PT_PTE);
	return err;
}

/*
 * Read the pmd at @pmdp and, if it is a table, its PTEs for [@addr, @end)
 * into walk->ptes, as described at the top of this file.  Returns the pmd
 * value; *@stale is set if the table changed while it was read.
 */
static pmd_t mmscope_read_pmd(struct mmscope_walk *walk, pmd_t *pmdp,
			      unsigned long addr, unsigned long end,
			      bool *stale)
{
	unsigned int i, first = pte_index(addr);
	unsigned int last = first + ((end - addr) >> PAGE_SHIFT);
	int tries = 2;
	pmd_t pmd;
	pte_t *ptes;

	/* Nothing reads the PTEs (the callers only compare upper entries). */
	if (!walk->ops->pte_entry && !walk->ops->pte_hole)
		last = first;
	/* An empty entry leads nowhere: no RCU section (sparse ranges). */
	pmd = mmscope_pmdp_get_lockless(pmdp);
	if (pmd_none(pmd)) {
		*stale = false;
		return pmd;
	}
	do {
		rcu_read_lock();
		pmd = mmscope_pmdp_get_lockless(pmdp);
		if (mmscope_pt_kind(pmd_val(pmd), MMSCOPE_PT_PMD) !=
		    MMSCOPE_PTK_TABLE) {
			rcu_read_unlock();
			*stale = false;
			return pmd;
		}
		if (!mmscope_walk_table_ok(walk, pmd_val(pmd))) {
			rcu_read_unlock();
			*stale = true;
			return pmd;
		}
		ptes = (pte_t *)pmd_page_vaddr(pmd);
		for (i = first; i < last; i++)
			walk->ptes[i] = ptep_get(ptes + i);
		*stale = !pmd_same(pmd, mmscope_pmdp_get_lockless(pmdp));
		rcu_read_unlock();
	} while (*stale && --tries);
	return pmd;
}

static int mmscope_walk_pmd_range(struct mmscope_walk *walk, pud_t pud,
				  unsigned long addr, unsigned long end)
{
	const struct mmscope_walk_ops *ops = walk->ops;
	pmd_t *pmdp = pud_pgtable(pud) + pmd_index(addr);
	unsigned long next;
	bool stale;
	pmd_t pmd;
	int err = 0;

	mmscope_walk_enter(walk, MMSCOPE_PT_PMD, pud_pgtable(pud), addr);
	do {
		next = pmd_addr_end(addr, end);
		pmd = mmscope_read_pmd(walk, pmdp, addr, next, &stale);
		if (pmd_none(pmd)) {
			err = mmscope_walk_hole(walk, addr, next, MMSCOPE_PT_PMD);
			if (err)
				break;
			continue;
		}
		if (ops->pmd_entry) {
			err = ops->pmd_entry(pmd, addr, next, walk);
			if (err)
				break;
		}
		if (mmscope_walk_skipped(walk) ||
		    mmscope_pt_kind(pmd_val(pmd), MMSCOPE_PT_PMD) !=
		    MMSCOPE_PTK_TABLE)
			continue;
		if (stale) {
			walk->changed = true;
			continue;
		}
		mmscope_walk_enter(walk, MMSCOPE_PT_PTE,
				   (void *)pmd_page_vaddr(pmd), addr);
		err = mmscope_walk_ptes(walk, addr, next);
		if (err)
			break;
	} while (pmdp++, addr = next, addr != end);
	return err;
}

static int mmscope_walk_pud_range(struct mmscope_walk *walk, p4d_t p4d,
				  unsigned long addr, unsigned long end)
{
	const struct mmscope_walk_ops *ops = walk->ops;
	pud_t *pudp = p4d_pgtable(p4d) + pud_index(addr);
	unsigned long next;
	pud_t pud;
	int err = 0;

	mmscope_walk_enter(walk, MMSCOPE_PT_PUD, p4d_pgtable(p4d), addr);
	do {
		next = pud_addr_end(addr, end);
		pud = mmscope_pudp_get(pudp);
		if (pud_none(pud)) {
			err = mmscope_walk_hole(walk, addr, next, MMSCOPE_PT_PUD);
			if (err)
				break;
			continue;
		}
		if (ops->pud_entry) {
			err = ops->pud_entry(pud, addr, next, walk);
			if (err)
				break;
		}
		if (mmscope_walk_skipped(walk) ||
		    mmscope_pt_kind(pud_val(pud), MMSCOPE_PT_PUD) !=
		    MMSCOPE_PTK_TABLE ||
		    !mmscope_walk_table_ok(walk, pud_val(pud)))
			continue;
		err = mmscope_walk_pmd_range(walk, pud, addr, next);
		if (err)
			break;
	} while (pudp++, addr = next, addr != end);
	return err;
}

/*
 * The p4d entry for @addr below the pgd entry @pgd read at @pgdp.  With
 * 4-level paging the p4d level is folded: the pgd entry is the p4d entry,
 * the slot itself; the loop below then runs once per pgd entry.  With 5
 * levels the table is derived from the value read, as p4d_offset() would
 * do after reading *@pgdp again.
 */
static p4d_t *mmscope_p4d_offset(pgd_t *pgdp, pgd_t pgd, unsigned long addr)
{
	if (!pgtable_l5_enabled())
		return (p4d_t *)pgdp;
	return (p4d_t *)pgd_page_vaddr(pgd) + p4d_index(addr);
}

static int mmscope_walk_p4d_range(struct mmscope_walk *walk, pgd_t *pgdp,
				  pgd_t pgd, unsigned long addr,
				  unsigned long end)
{
	const struct mmscope_walk_ops *ops = walk->ops;
	p4d_t *p4dp = mmscope_p4d_offset(pgdp, pgd, addr);
	unsigned long next;
	p4d_t p4d;
	int err = 0;

	if (pgtable_l5_enabled())
		mmscope_walk_enter(walk, MMSCOPE_PT_P4D, p4dp - p4d_index(addr),
				   addr);
	do {
		next = p4d_addr_end(addr, end);
		p4d = mmscope_p4dp_get(p4dp);
		if (p4d_none(p4d)) {
			err = mmscope_walk_hole(walk, addr, next, MMSCOPE_PT_P4D);
			if (err)
				break;
			continue;
		}
		if (ops->p4d_entry) {
			err = ops->p4d_entry(p4d, addr, next, walk);
			if (err)
				break;
		}
		if (mmscope_walk_skipped(walk) ||
		    mmscope_pt_kind(p4d_val(p4d), MMSCOPE_PT_P4D) !=
		    MMSCOPE_PTK_TABLE ||
		    !mmscope_walk_table_ok(walk, p4d_val(p4d)))
			continue;
		err = mmscope_walk_pud_range(walk, p4d, addr, next);
		if (err)
			break;
	} while (p4dp++, addr = next, addr != end);
	return err;
}

static int mmscope_walk_pgd_range(struct mmscope_walk *walk,
				  unsigned long addr, unsigned long end)
{
	const struct mmscope_walk_ops *ops = walk->ops;
	pgd_t *top = walk->pgd ? walk->pgd : walk->mm->pgd;
	pgd_t *pgdp = top + pgd_index(addr);
	unsigned long next;
	pgd_t pgd;
	int err = 0;

	mmscope_walk_enter(walk, MMSCOPE_PT_PGD, top, addr);
	do {
		next = pgd_addr_end(addr, end);
		pgd = mmscope_pgdp_get(pgdp);
		/* pgd_none() and pgd_bad() are 0 on 4-level: the p4d decides. */
		if (pgd_none(pgd)) {
			err = mmscope_walk_hole(walk, addr, next, MMSCOPE_PT_PGD);
			if (err)
				break;
			continue;
		}
		if (ops->pgd_entry) {
			err = ops->pgd_entry(pgd, addr, next, walk);
			if (err)
				break;
		}
		if (mmscope_walk_skipped(walk))
			continue;
		if (pgtable_l5_enabled() &&
		    (mmscope_pt_kind(pgd_val(pgd), MMSCOPE_PT_PGD) !=
		     MMSCOPE_PTK_TABLE ||
		     !mmscope_walk_table_ok(walk, pgd_val(pgd))))
			continue;
		err = mmscope_walk_p4d_range(walk, pgdp, pgd, addr, next);
		if (err)
			break;
	} while (pgdp++, addr = next, addr != end);
	return err;
}

/*
 * The mapping whose i_mmap_rwsem keeps the PMD tables of @vma from being
 * unshared and freed (see the top of this file), or NULL.  Only shared
 * hugetlb mappings share PMD tables.
 */
static struct address_space *mmscope_shared_pmds(struct vm_area_struct *vma)
{
	if (is_vm_hugetlb_page(vma) && (vma->vm_flags & VM_MAYSHARE) &&
	    vma->vm_file)
		return vma->vm_file->f_mapping;
	return NULL;
}

/**
 * mmscope_walk_range() - walk the page tables of the VMAs in [start, end)
 * @walk: ops, mm and private data; counters accumulate across calls
 * @start: first address (page aligned)
 * @end: end of the range (exclusive)
 *
 * Only ranges covered by VMAs are walked (see the top of this file); the
 * gaps between VMAs are skipped without a hole callback.  The caller holds
 * mmap_read_lock(walk->mm).
 *
 * Return: 0 when the range was walked, the first non-zero op result
 * otherwise.
 */
int mmscope_walk_range(struct mmscope_walk *walk, unsigned long start,
		       unsigned long end)
{
	VMA_ITERATOR(vmi, walk->mm, start);
	struct vm_area_struct *vma;
	int err = 0;

	mmap_assert_locked(walk->mm);
	for_each_vma_range(vmi, vma, end) {
		struct address_space *shared = mmscope_shared_pmds(vma);

		walk->vma = vma;
		/*
		 * A sleeping rwsem, taken with only mmap_lock held (no RCU
		 * section, no spinlock): the kernel's own order, mmap_lock
		 * then i_mmap_rwsem.  The ops may sleep under it.
		 */
		if (shared)
			i_mmap_lock_read(shared);
		err = mmscope_walk_pgd_range(walk, max(start, vma->vm_start),
					     min(end, vma->vm_end));
		if (shared)
			i_mmap_unlock_read(shared);
		if (err)
			break;
		cond_resched();
	}
	walk->vma = NULL;
	return err;
}

/**
 * mmscope_walk_lockless() - walk [start, end) of walk->mm outside any VMA
 * @walk: ops, mm and private data; counters accumulate across calls
 * @start: first address (page aligned)
 * @end: end of the range (exclusive; 0: the top of the address space)
 *
 * For what no VMA covers (a process's unmapped addresses, the kernel half)
 * the VMA tree and mmap_lock protect nothing: a concurrent munmap() frees
 * the tables of a detached range with mmap_lock downgraded to read, and
 * huge vmap/ioremap (pmd_free_pte_page(), pud_free_pmd_page()) frees kernel
 * tables with no lock a module can take.  So the walk runs with interrupts
 * disabled, as GUP-fast and perf_get_page_size() walk: user tables are
 * freed after an RCU grace period or a synchronous IPI to every CPU
 * (MMU_GATHER_RCU_TABLE_FREE, which x86 selects with PARAVIRT, as Debian
 * builds it; without it this refuses: -EOPNOTSUPP), vmap's after a kernel
 * TLB flush IPI to every CPU; neither can complete while this CPU has
 * interrupts off.  Each table is also validated before it is read
 * (mmscope_walk_table_ok()).  The ops must not sleep, and the caller bounds
 * the work of one call (ops return > 0 to stop early).
 *
 * Return: as mmscope_walk_range().
 */
int mmscope_walk_lockless(struct mmscope_walk *walk, unsigned long start,
			  unsigned long end)
{
	unsigned long flags;
	int err;

	if (!IS_ENABLED(CONFIG_MMU_GATHER_RCU_TABLE_FREE))
		return -EOPNOTSUPP;
	walk->vma = NULL;
	walk->lockless = true;
	local_irq_save(flags);
	err = mmscope_walk_pgd_range(walk, start, end);
	local_irq_restore(flags);
	walk->lockless = false;
	return err;
}

/**
 * mmscope_walk_lookup() - the leaf entry that maps one address
 * @mm: the address space
 * @addr: a user address
 * @e: the leaf entry, decoded (set when the return value is a level)
 *
 * One address, read level by level as the walker reads a range: each
 * entry read once, the next table derived from the value read, the PTE
 * read inside rcu_read_lock() with the pmd read again after it (see the
 * top of this file; a pmd that changed twice gives -EAGAIN).  No
 * mmap_lock is needed or taken: the caller keeps the upper tables of @addr
 * alive some other way, for the reverse map by holding the anon_vma or
 * i_mmap lock of a VMA of @mm covering @addr (free_pgtables() unlinks a
 * VMA from both before it frees its tables; shared hugetlb PMD tables are
 * unshared only under i_mmap_rwsem held for write).  It does not sleep.
 *
 * Return: the level of a present or PROT_NONE leaf (MMSCOPE_PT_PUD ..
 * MMSCOPE_PT_PTE), -ENOENT when nothing present maps @addr, -EAGAIN.
 */
int mmscope_walk_lookup(struct mm_struct *mm, unsigned long addr,
			struct mmscope_pt_entry *e)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	pgd_t pgd = mmscope_pgdp_get(pgdp);
	p4d_t p4d;
	pud_t pud;
	pmd_t *pmdp, pmd;
	pte_t pte;
	int tries, level = -ENOENT;
	bool same;

	if (pgtable_l5_enabled() &&
	    mmscope_pt_kind(pgd_val(pgd), MMSCOPE_PT_PGD) != MMSCOPE_PTK_TABLE)
		return -ENOENT;
	p4d = mmscope_p4dp_get(mmscope_p4d_offset(pgdp, pgd, addr));
	if (mmscope_pt_kind(p4d_val(p4d), MMSCOPE_PT_P4D) != MMSCOPE_PTK_TABLE)
		return -ENOENT;
	pud = mmscope_pudp_get(p4d_pgtable(p4d) + pud_index(addr));
	mmscope_pt_decode(pud_val(pud), MMSCOPE_PT_PUD, e);
	if (e->kind != MMSCOPE_PTK_TABLE)
		goto leaf;
	pmdp = pud_pgtable(pud) + pmd_index(addr);
	for (tries = 0; tries < 2; tries++) {
		rcu_read_lock();
		pmd = mmscope_pmdp_get_lockless(pmdp);
		if (mmscope_pt_kind(pmd_val(pmd), MMSCOPE_PT_PMD) !=
		    MMSCOPE_PTK_TABLE) {
			rcu_read_unlock();
			mmscope_pt_decode(pmd_val(pmd), MMSCOPE_PT_PMD, e);
			level = MMSCOPE_PT_PMD;
			goto leaf;
		}
		pte = ptep_get((pte_t *)pmd_page_vaddr(pmd) + pte_index(addr));
		same = pmd_same(pmd, mmscope_pmdp_get_lockless(pmdp));
		rcu_read_unlock();
		if (same) {
			mmscope_pt_decode(pte_val(pte), MMSCOPE_PT_PTE, e);
			level = MMSCOPE_PT_PTE;
			goto leaf;
		}
	}
	return -EAGAIN;
leaf:
	if (level == -ENOENT)
		level = MMSCOPE_PT_PUD;
	if (e->kind != MMSCOPE_PTK_PRESENT && e->kind != MMSCOPE_PTK_PROTNONE)
		return -ENOENT;
	return level;
}
