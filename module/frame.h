/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One page frame: what it is, told from its struct page without a lock.
 * Shared by the views that start from a PFN (phys, page).
 */
#ifndef _MMSCOPE_FRAME_H
#define _MMSCOPE_FRAME_H

#include <linux/types.h>
#include "uapi/mmscope.h"

struct page;
struct folio;

/* mmscope_frame.migratetype when the pageblock bitmap cannot be read. */
#define MMSCOPE_MT_UNKNOWN	0xff

/**
 * struct mmscope_frame - a page frame as mmscope_frame_classify() read it
 * @pfn:	the frame
 * @page:	its struct page, NULL for device, offline and absent frames
 * @folio:	page_folio(@page) when it was read (may be stale at once)
 * @kpf:	KPF_* bits (include/uapi/linux/kernel-page-flags.h), as the
 *		running kernel's /proc/kpageflags computes them for @pfn:
 *		1 << KPF_NOPAGE when there is no usable struct page
 * @kind:	enum mmscope_frame_kind
 * @nid:	NUMA node, NUMA_NO_NODE without @page
 * @zone_idx:	index in the node's node_zones[], valid with @page
 * @migratetype: migratetype of @pfn's pageblock, MMSCOPE_MT_UNKNOWN when
 *		the pageblock bitmap holds none (no memory section)
 * @folio_order: order of @folio (0: a single page)
 * @buddy_pfn:	kind free: first frame of the free block holding @pfn
 * @buddy_order: kind free: that block's order
 * @section:	memory section number of @pfn
 *
 * Every field is one racy read of state that can change at once, as
 * /proc/kpageflags reads it; only @pfn, @section and whether @page is
 * NULL are stable (memory hot-remove aside).
 */
struct mmscope_frame {
	unsigned long pfn;
	struct page *page;
	struct folio *folio;
	u64 kpf;
	u8 kind;
	u8 zone_idx;
	u8 migratetype;
	u8 buddy_order;
	int nid;
	unsigned int folio_order;
	unsigned long buddy_pfn;
	unsigned long section;
};

void mmscope_frame_init(void);
int mmscope_frame_classify(unsigned long pfn, struct mmscope_frame *f);
/* mmscope_frame_read() flags */
#define MMSCOPE_FRAME_NO_MT	BIT(0)	/* skip the pageblock's migratetype */
int mmscope_frame_read(unsigned long pfn, struct mmscope_frame *f,
		       unsigned int flags);
int mmscope_pfn_migratetype(unsigned long pfn);
const char *mmscope_migratetype_name(int mt);
unsigned long mmscope_memory_block_bytes(void);

#endif /* _MMSCOPE_FRAME_H */
