/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page view's page-table owner search (page_pt.c), called from page.c.
 */
#ifndef _MMSCOPE_PAGE_PT_H
#define _MMSCOPE_PAGE_PT_H

#include <linux/types.h>

struct mmscope_ctx;
struct mmscope_pt_search;
struct pid_namespace;
struct seq_buf;
struct mmscope_rec_hdr;

struct mmscope_pt_search *mmscope_pt_search_new(void);
void mmscope_pt_search_free(struct mmscope_pt_search *s);
int mmscope_pt_search(struct mmscope_pt_search *s, unsigned long pfn,
		      u32 kind, struct pid_namespace *ns);
int mmscope_pt_emit(struct mmscope_ctx *ctx, struct mmscope_pt_search *s);
void mmscope_pt_show(struct seq_buf *s, const struct mmscope_rec_hdr *hdr);

#endif /* _MMSCOPE_PAGE_PT_H */
