// SPDX-License-Identifier: GPL-2.0
/*
 * The page frame classifier: what a PFN is, from its struct page alone.
 *
 * No lock is taken.  A frame's state changes under any reader (allocation,
 * freeing, split, migration), so everything here is one racy read of each
 * word, as /proc/kpageflags reads it (stable_page_flags() in
 * fs/proc/page.c): a struct page is read only when pfn_to_online_page()
 * gives one, which is memory that stays mapped while its section is online;
 * nothing a struct page points to (mapping, the folio's other pages) is
 * followed except through the pointer arithmetic the kernel itself uses
 * there.  ZONE_DEVICE memory, offline sections and holes have no usable
 * struct page: their memmap may be uninitialised, so it is never read.
 *
 * Flags are produced in KPF_* bit numbers with the running kernel's own
 * rules for /proc/kpageflags, so that a test compares them bit by bit.
 * Those rules changed between the kernels mmscope supports (see
 * MMSCOPE_KPF_FOLIO below).
 *
 * The huge zero folio (huge_zero_pfn) is not exported: its address is
 * found in kallsyms at load and checked (mmscope_frame_init()).  The
 * pageblock bitmap is read through the exported mem_section, as
 * get_pfnblock_flags_mask() reads it (not exported either).
 */
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/kernel-page-flags.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/page_idle.h>
#include <linux/pageblock-flags.h>
#include "mmscope.h"
#include "compat.h"
#include "frame.h"

/*
 * How /proc/kpageflags reads a page.  Up to v6.8 stable_page_flags() took
 * the page's own flags word (a tail page shows its own few flags; PG_slab
 * and, for THP, the head's LRU/anon state are looked up on the head) and
 * also exported PG_error and PG_mappedtodisk; the folio conversion of
 * fs/proc/page.c (v6.9-v6.10: "proc: rewrite stable_page_flags()",
 * "fs/proc/page: use a folio in stable_page_flags()") reads the folio's
 * flags for every page of it, tests KPF_THP as large_rmappable, and drops
 * PG_error (gone) and PG_mappedtodisk (now PG_owner_2, KPF_OWNER_2).
 * Keyed on the version: the change is inside fs/proc/page.c, which no
 * header shows; the classifier test compares every bit with kpageflags.
 */
#if MMSCOPE_KERNEL >= 610
#define MMSCOPE_KPF_FOLIO	1
#else
#define MMSCOPE_KPF_FOLIO	0
#endif

/* The huge zero folio's PFN (kallsyms), NULL when not found. */
static unsigned long *mmscope_huge_zero_pfn;

/* The names /proc/pagetypeinfo prints (migratetype_names is not exported). */
static const char *const mmscope_frame_mt_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "Unmovable",
	[MIGRATE_MOVABLE] = "Movable",
	[MIGRATE_RECLAIMABLE] = "Reclaimable",
	[MIGRATE_HIGHATOMIC] = "HighAtomic",
#ifdef CONFIG_CMA
	[MIGRATE_CMA] = "CMA",
#endif
#ifdef CONFIG_MEMORY_ISOLATION
	[MIGRATE_ISOLATE] = "Isolate",
#endif
};

/**
 * mmscope_memory_block_bytes() - the size of a memory block
 *
 * Memory blocks (/sys/devices/system/memory) exist only on kernels built
 * with CONFIG_MEMORY_HOTPLUG (Debian's are; the check-debug kernel is not),
 * and memory_block_size_bytes() is only built there.
 *
 * Return: the block size in bytes (a power of two, whole sections), or 0
 * when this kernel has no memory blocks.
 */
unsigned long mmscope_memory_block_bytes(void)
{
#ifdef CONFIG_MEMORY_HOTPLUG
	return memory_block_size_bytes();
#else
	return 0;
#endif
}

/**
 * mmscope_migratetype_name() - a migratetype's name, as pagetypeinfo's
 * @mt: a migratetype
 *
 * Return: "Unmovable", "Movable", ..., or "?" for a value out of range.
 */
const char *mmscope_migratetype_name(int mt)
{
	if (mt < 0 || mt >= MIGRATE_TYPES || !mmscope_frame_mt_names[mt])
		return "?";
	return mmscope_frame_mt_names[mt];
}

/**
 * mmscope_frame_init() - find what the classifier needs at module load
 *
 * Looks up huge_zero_pfn in kallsyms (the data symbol is not exported) and
 * keeps it only if it reads as the kernel keeps it: ~0UL while no huge
 * zero folio exists, else the PFN of an online compound head.  Without it
 * the huge zero folio classifies as "other" and its KPF_ZERO_PAGE bit is
 * missing (logged).  Never fails.
 */
void mmscope_frame_init(void)
{
	unsigned long *p, pfn;
	struct page *page;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return;
	p = mmscope_ksym("huge_zero_pfn");
	if (!p) {
		pr_info("huge_zero_pfn not in kallsyms: the huge zero page shows as 'other'\n");
		return;
	}
	pfn = READ_ONCE(*p);
	if (pfn != ~0UL) {
		page = pfn_to_online_page(pfn);
		if (!page || !PageHead(page)) {
			pr_warn("huge_zero_pfn (0x%lx) is not a compound page: ignored\n",
				pfn);
			return;
		}
	}
	mmscope_huge_zero_pfn = p;
}

static bool mmscope_is_huge_zero_pfn(unsigned long pfn)
{
	return mmscope_huge_zero_pfn && READ_ONCE(*mmscope_huge_zero_pfn) == pfn;
}

/**
 * mmscope_pfn_migratetype() - the migratetype of a PFN's pageblock
 * @pfn: a page frame in a present memory section
 *
 * Reads the section's pageblock bitmap as get_pfnblock_flags_mask() does
 * (one racy word), without a lock.
 *
 * Return: the migratetype, or -ENOENT when @pfn's section has no bitmap,
 * -EIO when the bits read are not a migratetype of this kernel.
 */
int mmscope_pfn_migratetype(unsigned long pfn)
{
#ifdef CONFIG_SPARSEMEM
	struct mem_section *ms;
	unsigned long *bitmap, word, bitidx;

	if (pfn_to_section_nr(pfn) >= NR_MEM_SECTIONS)
		return -ENOENT;
	ms = __pfn_to_section(pfn);
	if (!ms || !valid_section(ms) || !READ_ONCE(ms->usage))
		return -ENOENT;
	bitmap = section_to_usemap(ms);
	bitidx = ((pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order) *
		 NR_PAGEBLOCK_BITS;
	word = READ_ONCE(bitmap[bitidx / BITS_PER_LONG]);
	word = (word >> (bitidx % BITS_PER_LONG)) & MIGRATETYPE_MASK;
	return word < MIGRATE_TYPES ? (int)word : -EIO;
#else
	return -ENOENT;
#endif
}

/*
 * Free: @pfn lies in a free buddy block when the first page of an aligned
 * block around it is PageBuddy with an order at least that block's
 * (is_free_buddy_page()'s test, which also gives the block).  The heads
 * tried are at most MAX_PAGE_ORDER pages below @pfn, in the same memory
 * section (a section spans more than the largest order), whose memmap is
 * contiguous: the arithmetic is the kernel's own.
 */
static bool mmscope_frame_buddy(struct mmscope_frame *f)
{
	unsigned int order;

	for (order = 0; order < MMSCOPE_NR_ORDERS; order++) {
		unsigned long head_pfn = f->pfn & ~((1UL << order) - 1);
		struct page *head = f->page - (f->pfn - head_pfn);
		unsigned long head_order;

		if (!PageBuddy(head))
			continue;
		/* buddy_order_unsafe(): one racy read of page_private(). */
		head_order = READ_ONCE(head->private);
		if (head_order >= order) {
			f->buddy_pfn = head_pfn;
			f->buddy_order = min_t(unsigned long, head_order,
					       MMSCOPE_NR_ORDERS - 1);
			return true;
		}
	}
	return false;
}

static inline u64 mmscope_kpf_bit(unsigned long flags, int kbit, int ubit)
{
	return (u64)((flags >> kbit) & 1) << ubit;
}

/* The kpageflags bits of an online page (stable_page_flags()'s rules). */
static u64 mmscope_frame_kpf(struct mmscope_frame *f, bool buddy)
{
	struct page *page = f->page;
	unsigned long k;
	u64 u = 0;

#if MMSCOPE_KPF_FOLIO
	struct folio *folio = f->folio;
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	k = READ_ONCE(folio->flags);
	if (page_mapped(page))
		u |= 1ULL << KPF_MMAP;
	if (mapping & PAGE_MAPPING_ANON) {
		u |= 1ULL << KPF_ANON;
		if (mapping & PAGE_MAPPING_KSM)
			u |= 1ULL << KPF_KSM;
	}
	if (page == &folio->page)
		u |= mmscope_kpf_bit(k, PG_head, KPF_COMPOUND_HEAD);
	else
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (folio_test_hugetlb(folio))
		u |= 1ULL << KPF_HUGE;
	else if (folio_test_large(folio) && folio_test_large_rmappable(folio))
		u |= 1ULL << KPF_THP;
	else if (mmscope_is_huge_zero_pfn(folio_pfn(folio)))
		u |= (1ULL << KPF_ZERO_PAGE) | (1ULL << KPF_THP);
	else if (is_zero_pfn(f->pfn))
		u |= 1ULL << KPF_ZERO_PAGE;
#else
	k = READ_ONCE(page->flags);
	if (!PageSlab(page) && page_mapped(page))
		u |= 1ULL << KPF_MMAP;
	if (PageAnon(page))
		u |= 1ULL << KPF_ANON;
	if (PageKsm(page))
		u |= 1ULL << KPF_KSM;
	if (PageHead(page))
		u |= 1ULL << KPF_COMPOUND_HEAD;
	if (PageTail(page))
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (PageHuge(page)) {
		u |= 1ULL << KPF_HUGE;
	} else if (PageTransCompound(page)) {
		struct page *head = compound_head(page);

		if (PageLRU(head) || PageAnon(head))
			u |= 1ULL << KPF_THP;
		else if (mmscope_is_huge_zero_pfn(page_to_pfn(head)))
			u |= (1ULL << KPF_ZERO_PAGE) | (1ULL << KPF_THP);
	} else if (is_zero_pfn(f->pfn)) {
		u |= 1ULL << KPF_ZERO_PAGE;
	}
#endif
	if (buddy)
		u |= 1ULL << KPF_BUDDY;
	if (PageOffline(page))
		u |= 1ULL << KPF_OFFLINE;
	if (PageTable(page))
		u |= 1ULL << KPF_PGTABLE;
#if MMSCOPE_KPF_FOLIO
	if (folio_test_slab(folio))
		u |= 1ULL << KPF_SLAB;
#else
	u |= mmscope_kpf_bit(k, PG_slab, KPF_SLAB);
	if (PageTail(page) && PageSlab(compound_head(page)))
		u |= 1ULL << KPF_SLAB;
	u |= mmscope_kpf_bit(k, PG_error, KPF_ERROR);
#endif
#if defined(CONFIG_PAGE_IDLE_FLAG) && defined(CONFIG_64BIT)
	/* PG_idle is a head flag: page_is_idle() reads the folio's. */
	u |= mmscope_kpf_bit(READ_ONCE(f->folio->flags), PG_idle, KPF_IDLE);
#endif
	u |= mmscope_kpf_bit(k, PG_locked, KPF_LOCKED);
	u |= mmscope_kpf_bit(k, PG_dirty, KPF_DIRTY);
	u |= mmscope_kpf_bit(k, PG_uptodate, KPF_UPTODATE);
	u |= mmscope_kpf_bit(k, PG_writeback, KPF_WRITEBACK);
	u |= mmscope_kpf_bit(k, PG_lru, KPF_LRU);
	u |= mmscope_kpf_bit(k, PG_referenced, KPF_REFERENCED);
	u |= mmscope_kpf_bit(k, PG_active, KPF_ACTIVE);
	u |= mmscope_kpf_bit(k, PG_reclaim, KPF_RECLAIM);
#if MMSCOPE_KPF_FOLIO
	if ((k & ((1UL << PG_swapbacked) | (1UL << PG_swapcache))) ==
	    ((1UL << PG_swapbacked) | (1UL << PG_swapcache)))
		u |= 1ULL << KPF_SWAPCACHE;
#else
	if (PageSwapCache(page))
		u |= 1ULL << KPF_SWAPCACHE;
#endif
	u |= mmscope_kpf_bit(k, PG_swapbacked, KPF_SWAPBACKED);
	u |= mmscope_kpf_bit(k, PG_unevictable, KPF_UNEVICTABLE);
	u |= mmscope_kpf_bit(k, PG_mlocked, KPF_MLOCKED);
#ifdef CONFIG_MEMORY_FAILURE
#if MMSCOPE_KPF_FOLIO
	if (u & (1ULL << KPF_HUGE))
		u |= mmscope_kpf_bit(k, PG_hwpoison, KPF_HWPOISON);
	else
		u |= mmscope_kpf_bit(READ_ONCE(page->flags), PG_hwpoison,
				     KPF_HWPOISON);
#else
	u |= mmscope_kpf_bit(k, PG_hwpoison, KPF_HWPOISON);
#endif
#endif
	u |= mmscope_kpf_bit(k, PG_reserved, KPF_RESERVED);
#ifdef KPF_OWNER_2
	u |= mmscope_kpf_bit(k, PG_owner_2, KPF_OWNER_2);
#else
	u |= mmscope_kpf_bit(k, PG_mappedtodisk, KPF_MAPPEDTODISK);
#endif
	u |= mmscope_kpf_bit(k, PG_private, KPF_PRIVATE);
	u |= mmscope_kpf_bit(k, PG_private_2, KPF_PRIVATE_2);
	u |= mmscope_kpf_bit(k, PG_owner_priv_1, KPF_OWNER_PRIVATE);
	u |= mmscope_kpf_bit(k, PG_arch_1, KPF_ARCH);
#if MMSCOPE_KPF_FOLIO
#ifdef CONFIG_ARCH_USES_PG_ARCH_2
	u |= mmscope_kpf_bit(k, PG_arch_2, KPF_ARCH_2);
#endif
#ifdef CONFIG_ARCH_USES_PG_ARCH_3
	u |= mmscope_kpf_bit(k, PG_arch_3, KPF_ARCH_3);
#endif
#elif defined(CONFIG_64BIT)
	u |= mmscope_kpf_bit(k, PG_arch_2, KPF_ARCH_2);
#endif
	return u;
}

/* The kind of an online page, from its flags and folio (see the enum). */
static u8 mmscope_frame_kind(struct mmscope_frame *f, bool buddy)
{
	unsigned long mapping;

	if (f->kpf & (1ULL << KPF_ZERO_PAGE))
		return MMSCOPE_FRAME_ZERO;
	if (buddy)
		return MMSCOPE_FRAME_FREE;
	if (f->kpf & (1ULL << KPF_HUGE))
		return MMSCOPE_FRAME_HUGETLB;
	if (folio_test_slab(f->folio))
		return MMSCOPE_FRAME_SLAB;
	if (PageTable(f->page))
		return MMSCOPE_FRAME_PAGETABLE;
	if (PageOffline(f->page))
		return MMSCOPE_FRAME_OFFLINE;
	mapping = (unsigned long)READ_ONCE(f->folio->mapping);
	if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM)
		return MMSCOPE_FRAME_KSM;
	if (mapping & PAGE_MAPPING_ANON)
		return MMSCOPE_FRAME_ANON;
	/* An address_space: page cache (shmem too); movable ones are other. */
	if (mapping && !(mapping & PAGE_MAPPING_FLAGS))
		return MMSCOPE_FRAME_FILE;
	if (f->kpf & (1ULL << KPF_RESERVED))
		return MMSCOPE_FRAME_RESERVED;
	return MMSCOPE_FRAME_OTHER;
}

/**
 * mmscope_frame_classify() - what a page frame is
 * @pfn: the page frame number
 * @f:   filled in (see struct mmscope_frame)
 *
 * Without a struct page that can be read (pfn_to_online_page() gives
 * none) the frame is "device" (ZONE_DEVICE: get_dev_pagemap() finds it),
 * "offline" (a valid section's memmap, offline) or "absent" (no memmap: a
 * hole, or beyond the last section), with @kpf 1 << KPF_NOPAGE and
 * @page NULL.  Otherwise @page, @folio, @kpf, @kind, @nid, @zone_idx and,
 * for a free frame, the free block (@buddy_pfn, @buddy_order) are one racy
 * read of the struct page.  @migratetype is the pageblock's whenever the
 * section has a bitmap.  Takes no lock; may be called in any context
 * where get_dev_pagemap() may (not NMI).
 *
 * Return: 0, or -EINVAL for a PFN beyond the physical address space.
 */
int mmscope_frame_classify(unsigned long pfn, struct mmscope_frame *f)
{
	return mmscope_frame_read(pfn, f, 0);
}

/**
 * mmscope_frame_read() - mmscope_frame_classify(), with less when asked
 * @pfn:   the page frame number
 * @f:     filled in
 * @flags: MMSCOPE_FRAME_NO_MT: leave @migratetype MMSCOPE_MT_UNKNOWN (a
 *	   scan reads it once per pageblock)
 *
 * Return: as mmscope_frame_classify().
 */
int mmscope_frame_read(unsigned long pfn, struct mmscope_frame *f,
		       unsigned int flags)
{
	struct dev_pagemap *pgmap;
	bool buddy = false;
	int mt;

	memset(f, 0, sizeof(*f));
	f->pfn = pfn;
	f->nid = NUMA_NO_NODE;
	f->migratetype = MMSCOPE_MT_UNKNOWN;
	if (pfn >= (1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT)))
		return -EINVAL;
	f->section = pfn_to_section_nr(pfn);
	mt = flags & MMSCOPE_FRAME_NO_MT ? -1 : mmscope_pfn_migratetype(pfn);
	if (mt >= 0)
		f->migratetype = mt;

	f->page = pfn_to_online_page(pfn);
	if (!f->page) {
		f->kpf = 1ULL << KPF_NOPAGE;
		if (!pfn_valid(pfn)) {
			f->kind = MMSCOPE_FRAME_ABSENT;
			return 0;
		}
		pgmap = get_dev_pagemap(pfn, NULL);
		if (pgmap) {
			put_dev_pagemap(pgmap);
			f->kind = MMSCOPE_FRAME_DEVICE;
		} else {
			f->kind = MMSCOPE_FRAME_OFFLINE;
		}
		return 0;
	}
	f->folio = page_folio(f->page);
	f->nid = page_to_nid(f->page);
	f->zone_idx = page_zonenum(f->page);
	if (folio_test_large(f->folio))
		f->folio_order = folio_order(f->folio);
	/* A buddy head, or a page in a free block (refcount 0), as kpageflags. */
	if (PageBuddy(f->page)) {
		buddy = true;
		if (!mmscope_frame_buddy(f)) {
			/* Freed or merged between the two reads. */
			f->buddy_pfn = pfn;
			f->buddy_order = 0;
		}
	} else if (!page_count(f->page)) {
		buddy = mmscope_frame_buddy(f);
	}
	f->kpf = mmscope_frame_kpf(f, buddy);
	f->kind = mmscope_frame_kind(f, buddy);
	return 0;
}
