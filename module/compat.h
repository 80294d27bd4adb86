/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mmscope supports (Debian 6.1 and 6.12),
 * in one place, so that the views never test kernel versions themselves.
 *
 * Features are detected, not versions: a stable kernel may take a helper
 * back (6.12.y took get_mm_counter_sum()), and a version test would then
 * choose wrong.  MMSCOPE_HAVE_* come from compat_probe.h, which Kbuild
 * generates by compiling a probe of each feature against the headers built
 * with (compat-probe.sh); others are macros the feature itself defines
 * (#ifdef).  MMSCOPE_KERNEL (VERSION * 100 + PATCHLEVEL, passed by
 * module/Kbuild) is tested only where nothing in a header shows the change
 * and no stable kernel can take it; each such test says why.
 */
#ifndef _MMSCOPE_COMPAT_H
#define _MMSCOPE_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/page.h>
#include <asm/processor.h>
#include "compat_probe.h"

/*
 * Since v6.8 (file_user_path(), file_user_inode()): a mapped backing file
 * (overlayfs) reports the user-visible path and inode, as /proc/PID/maps
 * prints them.  Before, maps used f_path and file_inode() directly.
 */
#ifdef MMSCOPE_HAVE_FILE_USER_PATH
#define mmscope_file_path(f)	file_user_path(f)
#define mmscope_file_inode(f)	file_user_inode(f)
#else
#define mmscope_file_path(f)	(&(f)->f_path)
#define mmscope_file_inode(f)	file_inode(f)
#endif

/*
 * Since v6.7 include/linux/mm.h has vma_is_initial_heap()/_stack(); before,
 * fs/proc/task_mmu.c open-coded these (inclusive) tests for [heap]/[stack].
 */
#ifdef MMSCOPE_HAVE_VMA_IS_INITIAL_HEAP
#define mmscope_vma_is_heap(vma)	vma_is_initial_heap(vma)
#define mmscope_vma_is_stack(vma)	vma_is_initial_stack(vma)
#else
static inline bool mmscope_vma_is_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
}

static inline bool mmscope_vma_is_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}
#endif

/*
 * Since v6.2 the RSS counters are percpu_counters, and /proc/PID/status sums
 * them exactly (get_mm_counter_sum(), a later helper taken back by 6.12.y; before
 * it, the same percpu_counter_sum_positive()); get_mm_counter() alone reads
 * only the approximate central value.  Before v6.2 they were atomics read
 * with get_mm_counter().
 */
#if defined(MMSCOPE_HAVE_GET_MM_COUNTER_SUM)
#define mmscope_mm_counter(mm, member)	get_mm_counter_sum(mm, member)
#elif defined(MMSCOPE_HAVE_RSS_PERCPU_COUNTER)
#define mmscope_mm_counter(mm, member) \
	percpu_counter_sum_positive(&(mm)->rss_stat[member])
#else
#define mmscope_mm_counter(mm, member)	get_mm_counter(mm, member)
#endif

/*
 * The number of buddy orders.  Before v6.4 MAX_ORDER was that number
 * (orders 0 .. MAX_ORDER - 1); v6.4 ("mm, treewide: redefine MAX_ORDER
 * sanely", 23baf831a32c) made it the largest order, inclusive; v6.8 ("mm,
 * treewide: rename MAX_ORDER to MAX_PAGE_ORDER", 5e0a760b4441) renamed it
 * and added NR_PAGE_ORDERS, a macro.  Between the two the meaning of
 * MAX_ORDER changed with no name to test, hence the version: a treewide
 * redefinition is not something a stable kernel takes.
 */
#ifdef NR_PAGE_ORDERS
#define MMSCOPE_NR_ORDERS	NR_PAGE_ORDERS
#elif MMSCOPE_KERNEL >= 604
#define MMSCOPE_NR_ORDERS	(MAX_ORDER + 1)
#else
#define MMSCOPE_NR_ORDERS	MAX_ORDER
#endif

/*
 * Slab creation flags that exist on one kernel only: SLAB_NO_MERGE came in
 * v6.5 (d0bf7d5759c1), SLAB_MEM_SPREAD went in v6.9 (f88c3fb81c4b).
 */
#ifdef SLAB_NO_MERGE
#define MMSCOPE_SLAB_NO_MERGE_FLAG	SLAB_NO_MERGE
#else
#define MMSCOPE_SLAB_NO_MERGE_FLAG	((slab_flags_t)0)
#endif
#ifdef SLAB_MEM_SPREAD
#define MMSCOPE_SLAB_MEM_SPREAD_FLAG	SLAB_MEM_SPREAD
#else
#define MMSCOPE_SLAB_MEM_SPREAD_FLAG	((slab_flags_t)0)
#endif

/*
 * How /proc/slabinfo counts the free objects on a node's partial list.  Up
 * to v6.9 get_slabinfo() walked the whole list (count_partial()); v6.10
 * ("mm/slub: avoid scanning all partial slabs in get_slabinfo()",
 * count_partial_free_approx()) scans at most 10000 slabs of a longer list,
 * half from each end, and extrapolates.  0: the whole list.  Keyed on the
 * version: the change is inside mm/slub.c, no header shows it.  A stable
 * kernel that took it would show in the slab test, which compares every
 * count with /proc/slabinfo's.
 */
#if MMSCOPE_KERNEL >= 610
#define MMSCOPE_SLABINFO_SCAN	10000
#else
#define MMSCOPE_SLABINFO_SCAN	0
#endif

/*
 * Whether SLUB marks the slabs on a node's partial list with PG_workingset
 * (slab_test_node_partial(), under list_lock).  v6.8 ("slub: Keep track of
 * whether slub is on the per-node partial list", part of the series that
 * stopped freezing per-CPU partial slabs) added it; before, a slab on a
 * per-CPU partial list was frozen and a node-partial one was not.  Keyed
 * on the version: the helpers are private to mm/slub.c, nothing in a
 * header shows them, and a stable kernel cannot take the series (it
 * changes SLUB's whole freezing scheme).
 */
#if MMSCOPE_KERNEL >= 608
#define MMSCOPE_SLAB_NODE_PARTIAL_FLAG	1
#else
#define MMSCOPE_SLAB_NODE_PARTIAL_FLAG	0
#endif

/* A canonical address for the paging mode in use (4 or 5 levels). */
static inline bool mmscope_canonical(unsigned long addr)
{
	return __is_canonical_address(addr, boot_cpu_data.x86_virt_bits);
}

/*
 * Reading page-table entries once.  v6.2 added pmdp_get_lockless() to
 * include/linux/pgtable.h (replacing pmd_read_atomic()); v6.7 added
 * pgdp_get()/p4dp_get()/pudp_get()/pmdp_get().  On x86-64 every entry is
 * one 64-bit word, so READ_ONCE() is what those helpers do there.
 */
#ifdef MMSCOPE_HAVE_PXDP_GET
#define mmscope_pgdp_get(p)	pgdp_get(p)
#define mmscope_p4dp_get(p)	p4dp_get(p)
#define mmscope_pudp_get(p)	pudp_get(p)
#else
#define mmscope_pgdp_get(p)	READ_ONCE(*(p))
#define mmscope_p4dp_get(p)	READ_ONCE(*(p))
#define mmscope_pudp_get(p)	READ_ONCE(*(p))
#endif
#ifdef MMSCOPE_HAVE_PMDP_GET_LOCKLESS
#define mmscope_pmdp_get_lockless(p)	pmdp_get_lockless(p)
#else
#define mmscope_pmdp_get_lockless(p)	READ_ONCE(*(p))
#endif

/*
 * v6.2 added PTE_MARKER_SWAPIN_ERROR (renamed PTE_MARKER_POISONED in v6.6),
 * v6.13 PTE_MARKER_GUARD; v6.1 has only PTE_MARKER_UFFD_WP.
 */
#ifdef PTE_MARKER_POISONED
#define MMSCOPE_PTE_MARKER_POISONED	PTE_MARKER_POISONED
#else
#define MMSCOPE_PTE_MARKER_POISONED	0
#endif

/*
 * Since v6.6 (x86 user shadow stack, "x86/mm: Start actually marking
 * _PAGE_SAVED_DIRTY"), write-protecting a dirty leaf moves its Dirty bit to
 * the software bit _PAGE_SAVED_DIRTY (bit 58), whatever the CPU or
 * CONFIG_X86_USER_SHADOW_STACK: pte_wrprotect(), pte_modify() and the pmd/
 * pud twins do it unconditionally on x86-64, so that Write=0,Dirty=1 never
 * looks like a shadow-stack page; pte_dirty() tests both bits.  Before,
 * bit 58 was unused in leaves.
 */
#ifdef _PAGE_SAVED_DIRTY
#define MMSCOPE_PAGE_SAVED_DIRTY	_PAGE_SAVED_DIRTY
#else
#define MMSCOPE_PAGE_SAVED_DIRTY	0
#endif

/*
 * A mapcount to report for @page of @folio.  folio_mapcount() is inline
 * since v6.10, on folio_large_mapcount() (probed); before, it is an
 * unexported function in mm/util.c, so v6.1 reports page_mapcount(): the
 * page's own mappings plus those of its whole (PMD-mapped) folio.
 */
static inline int mmscope_mapcount(struct folio *folio, struct page *page)
{
#ifdef MMSCOPE_HAVE_FOLIO_LARGE_MAPCOUNT
	return folio_mapcount(folio);
#else
	return page_mapcount(page);
#endif
}

#endif /* _MMSCOPE_COMPAT_H */
