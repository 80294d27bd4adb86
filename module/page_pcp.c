// SPDX-License-Identifier: GPL-2.0
/*
 * Which CPU's per-CPU page list holds a free frame.
 *
 * A page freed with free_unref_page() (order 0, the orders up to
 * PAGE_ALLOC_COSTLY_ORDER and the THP order) goes to the freeing CPU's
 * struct per_cpu_pages of its zone (zone->per_cpu_pageset) before the
 * buddy allocator sees it: it is not PageBuddy there and its reference
 * count is zero, so the classifier (frame.c) finds it in no free block.
 * This file searches every possible CPU's lists for it.
 *
 * Locking: each CPU's pcp->lock, taken as drain_pages_zone() takes it for
 * a remote CPU: spin_lock_irqsave() on v6.1, spin_lock() on SMP v6.12
 * (local users of the lock pin themselves to the CPU and take it with
 * preemption off; interrupt context only ever trylocks it, so holding it
 * with interrupts off is a superset of both).  On PREEMPT_RT the lock is
 * a sleeping lock and spin_lock_irqsave() leaves interrupts on: it is
 * taken in process context, outside any RCU section, and nothing here
 * sleeps otherwise.  Under the lock a list and pcp->count change
 * together, so the entries of all lists number at most pcp->count (which
 * counts pages, 1 << order per entry): the walk visits no more, and stops
 * after MMSCOPE_PCP_HOLD_NS once MMSCOPE_PCP_HOLD_MIN entries were
 * visited in that hold.  Nothing is allocated and nothing is followed
 * but the list links and the pages' own addresses (page_to_pfn()).
 *
 * The list index gives the order and the migratetype, inverting the
 * kernel's order_to_pindex() (mm/page_alloc.c, static): lists
 * [0, NR_LOWORDER_PCP_LISTS) are MIGRATE_PCPTYPES migratetypes per order
 * 0..PAGE_ALLOC_COSTLY_ORDER; with THP, NR_PCP_THP lists of THP-order
 * pages follow.  NR_PCP_THP is 2 on both supported kernels (v6.1 got the
 * split by movability as a stable backport: index NR_LOWORDER_PCP_LISTS
 * holds unmovable and reclaimable, the next one movable), 1 on kernels
 * that keep one mixed THP list.  Where the index does not tell the
 * migratetype (the non-movable THP list, a single THP list), the head's
 * pageblock migratetype is reported, which is the free list
 * free_pcppages_bulk() returns it to.  The THP order: pageblock_order in
 * v6.1's pindex_to_order(), HPAGE_PMD_ORDER in v6.12's (the same, 9, on
 * x86-64 with hugetlb).
 */
#include <linux/mm.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/pageblock-flags.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include "mmscope.h"
#include "frame.h"
#include "page_pcp.h"

/*
 * The longest hold of one pcp->lock (interrupts off outside PREEMPT_RT),
 * checked every MMSCOPE_PCP_CHECK entries once MMSCOPE_PCP_HOLD_MIN were
 * visited: fewer are always visited, so a short list is searched whole
 * even when the vCPU is taken away meanwhile.
 */
#define MMSCOPE_PCP_HOLD_NS	(500 * NSEC_PER_USEC)
#define MMSCOPE_PCP_HOLD_MIN	1024
#define MMSCOPE_PCP_CHECK	64

/* The order of the pages on list @pindex: pindex_to_order(). */
static unsigned int mmscope_pcp_order(unsigned int pindex)
{
#if NR_PCP_THP
	if (pindex >= NR_LOWORDER_PCP_LISTS)
#if MMSCOPE_KERNEL >= 612
		return HPAGE_PMD_ORDER;
#else
		return pageblock_order;
#endif
#endif
	return pindex / MIGRATE_PCPTYPES;
}

/*
 * The migratetype list @pindex holds (order_to_pindex()'s), or -1 when
 * the index does not say (see the top of this file).
 */
static int mmscope_pcp_mt(unsigned int pindex)
{
	if (pindex < NR_LOWORDER_PCP_LISTS)
		return pindex % MIGRATE_PCPTYPES;
#if NR_PCP_THP == 2
	if (pindex == NR_LOWORDER_PCP_LISTS + 1)
		return MIGRATE_MOVABLE;
#endif
	return -1;
}

/**
 * struct mmscope_pcp_find - one search
 * @pfn:	the frame searched for
 * @head_pfn:	found: the first frame of the list entry holding @pfn
 * @pindex:	found: the index of its list
 * @cpu:	found: the CPU, else -1
 * @bounded:	a time bound stopped a walk before its list's end
 * @st:		the cost, accumulated
 */
struct mmscope_pcp_find {
	unsigned long pfn, head_pfn;
	unsigned int pindex;
	int cpu;
	bool bounded;
	struct mmscope_pcp_stat *st;
};

/* Walk @pcp's lists, its lock held.  True when @s->pfn was found. */
static bool mmscope_pcp_walk(struct per_cpu_pages *pcp,
			     struct mmscope_pcp_find *s, u64 t0)
{
	unsigned int pindex, order;
	long left = pcp->count;
	u32 seen = 0;
	struct page *page;

	for (pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
		order = mmscope_pcp_order(pindex);
		list_for_each_entry(page, &pcp->lists[pindex], pcp_list) {
			unsigned long head = page_to_pfn(page);

			/* Entries are 1 << order pages each: count bounds them. */
			if (left <= 0) {
				s->bounded = true;
				goto out;
			}
			left -= 1L << order;
			seen++;
			if (s->pfn >= head && s->pfn - head < (1UL << order)) {
				s->head_pfn = head;
				s->pindex = pindex;
				s->st->entries += seen;
				return true;
			}
			if (seen >= MMSCOPE_PCP_HOLD_MIN &&
			    !(seen % MMSCOPE_PCP_CHECK) &&
			    ktime_get_ns() - t0 > MMSCOPE_PCP_HOLD_NS) {
				s->bounded = true;
				goto out;
			}
		}
	}
out:
	s->st->entries += seen;
	return false;
}

/* Search each possible CPU's lists of @zone, one lock hold per CPU. */
static void mmscope_pcp_search(struct zone *zone, struct mmscope_pcp_find *s)
{
	unsigned long flags;
	int cpu;

	s->cpu = -1;
	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = per_cpu_ptr(zone->per_cpu_pageset,
							cpu);
		bool found;
		u64 t0;

		spin_lock_irqsave(&pcp->lock, flags);
		t0 = ktime_get_ns();
		found = mmscope_pcp_walk(pcp, s, t0);
		s->st->hold_ns = max(s->st->hold_ns, ktime_get_ns() - t0);
		spin_unlock_irqrestore(&pcp->lock, flags);
		s->st->locks++;
		if (found) {
			s->cpu = cpu;
			return;
		}
		cond_resched();
	}
}

/**
 * mmscope_page_pcp() - which CPU's per-CPU list holds a free frame
 * @rec:  the page record: its pfn is the frame; on a find, its pcp_*
 *	  fields and MMSCOPE_PAGE_PCP are set, and MMSCOPE_PAGE_PCP_BOUNDED
 *	  when a bound stopped the search before it found the frame
 * @page: the frame's online struct page, in a zone spanning it
 * @st:   the lock holds and entries of the search, accumulated
 *
 * For a frame whose reference count is zero and which is in no free buddy
 * block (searched only when its kind is other: see the enum).  The answer
 * is one moment's: the frame may be allocated or drained as soon as each
 * lock is dropped.  Process context; may sleep.
 */
void mmscope_page_pcp(struct mmscope_page *rec, struct page *page,
		      struct mmscope_pcp_stat *st)
{
	struct zone *zone = page_zone(page);
	struct mmscope_pcp_find s = { .pfn = rec->pfn, .st = st };
	int mt;

	/*
	 * A frame on a list has no flags, no mapping, no type (kind other);
	 * a free hugetlb pool page or an offline page is on none.
	 */
	if (rec->kind != MMSCOPE_FRAME_OTHER || !populated_zone(zone) ||
	    !zone->per_cpu_pageset)
		return;
	mmscope_pcp_search(zone, &s);
	if (s.cpu < 0) {
		if (s.bounded)
			rec->bits |= MMSCOPE_PAGE_PCP_BOUNDED;
		return;
	}
	mt = mmscope_pcp_mt(s.pindex);
	if (mt < 0)
		mt = mmscope_pfn_migratetype(s.head_pfn);
	rec->bits |= MMSCOPE_PAGE_PCP;
	rec->pcp_cpu = s.cpu;
	rec->pcp_pfn = s.head_pfn;
	rec->pcp_order = mmscope_pcp_order(s.pindex);
	rec->pcp_mt = mt < 0 ? MMSCOPE_MT_UNKNOWN : mt;
	strscpy(rec->pcp_mt_name, mmscope_migratetype_name(mt),
		sizeof(rec->pcp_mt_name));
}
