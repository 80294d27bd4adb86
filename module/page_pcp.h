/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page view's search of the per-CPU page lists (page_pcp.c).
 */
#ifndef _MMSCOPE_PAGE_PCP_H
#define _MMSCOPE_PAGE_PCP_H

#include <linux/types.h>

struct page;
struct mmscope_page;

/**
 * struct mmscope_pcp_stat - what one search of the per-CPU lists cost
 * @hold_ns:	longest hold of one CPU's pcp->lock
 * @entries:	list entries visited, over all CPUs
 * @locks:	pcp->lock holds taken (one per possible CPU searched)
 */
struct mmscope_pcp_stat {
	u64 hold_ns;
	u32 entries;
	u32 locks;
};

void mmscope_page_pcp(struct mmscope_page *rec, struct page *page,
		      struct mmscope_pcp_stat *st);

#endif /* _MMSCOPE_PAGE_PCP_H */
