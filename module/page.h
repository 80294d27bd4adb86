/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page view's reverse-map search, shared between page.c (anon_vma and
 * i_mmap trees) and page_ksm.c (KSM's stable tree).
 */
#ifndef _MMSCOPE_PAGE_H
#define _MMSCOPE_PAGE_H

#include <linux/types.h>

struct folio;
struct mmscope_page_priv;
struct vm_area_struct;

/* page.c */
bool mmscope_page_bound(struct mmscope_page_priv *p);
bool mmscope_page_hold_over(struct mmscope_page_priv *p, u32 n);
int mmscope_page_map_at(struct mmscope_page_priv *p,
			struct vm_area_struct *vma, unsigned long addr);
void mmscope_page_hold_begin(struct mmscope_page_priv *p);
void mmscope_page_hold_end(struct mmscope_page_priv *p);

/* page_ksm.c */
u32 mmscope_page_rmap_ksm(struct mmscope_page_priv *p, struct folio *folio,
			  u32 room, u32 max_vmas);

#endif /* _MMSCOPE_PAGE_H */
