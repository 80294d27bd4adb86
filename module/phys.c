// SPDX-License-Identifier: GPL-2.0
/*
 * The phys view: physical memory as a map.
 *
 * Per online node, per populated zone, every PFN of the zone's span is
 * classified (module/frame.c) and the zone's pageblocks are told as runs
 * of the same migratetype and fill, with page counts by kind, as
 * page-types(8) summarises /proc/kpageflags.  A list query (a PFN range)
 * gives the zone records, then one record per PFN with its kpageflags
 * bits: the classifier's test compares them with /proc/kpageflags.
 *
 * No lock is taken: each page is one racy read, as /proc/kpageflags reads
 * it, so the counts are not one snapshot of a busy system (no kernel
 * counter is one either).  The scan yields (cond_resched()) after every
 * pageblock and stops at a fatal signal.  Memory: the scan's state is one
 * fixed structure; records are streamed, a chunk at a time (nothing grows
 * with the size of memory but the number of reads).
 *
 * Root only: PFNs, and where the kernel's pages are.
 */
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "mmscope.h"
#include "compat.h"
#include "frame.h"

/* PFNs classified between two cond_resched() in a list query. */
#define MMSCOPE_PHYS_LIST_BATCH	512

static_assert(MIGRATE_TYPES <= MMSCOPE_BUDDY_MAX_MT);
static_assert(MMSCOPE_FRAME_NR_KINDS <= 16);

static const char *const mmscope_phys_kind_names[] = MMSCOPE_FRAME_KIND_NAMES;
static const char *const mmscope_phys_fill_names[] = MMSCOPE_PHYS_FILL_NAMES;

/* Where the scan is; kept across ->fill() calls. */
struct mmscope_phys_scan {
	bool list;			/* a PFN list query */
	bool zone_started;		/* zone record emitted */
	bool node_started;		/* a zone of this node was scanned */
	int nid, zid;
	unsigned long pfn;		/* next PFN to classify */
	unsigned long stop;		/* list: end of the range */
	u64 t_start, t_zone;
	/* the run being built */
	struct mmscope_phys_run run;
	bool run_open;
	/* the zone and node being summed */
	struct mmscope_phys_zone_end zend;
	struct mmscope_phys_node node;
	unsigned long zone_last_mb, node_last_mb;	/* +1; 0: none yet */
	unsigned int mb_shift;		/* memory block size, log2 bytes */
	struct mmscope_phys_end end;
};

/* The fill class of one frame of a zone's block. */
static unsigned int mmscope_phys_class(u8 kind)
{
	switch (kind) {
	case MMSCOPE_FRAME_FREE:
		return MMSCOPE_FILL_FREE;
	case MMSCOPE_FRAME_ANON:
	case MMSCOPE_FRAME_FILE:
	case MMSCOPE_FRAME_KSM:
	case MMSCOPE_FRAME_ZERO:
		return MMSCOPE_FILL_USER;
	case MMSCOPE_FRAME_SLAB:
		return MMSCOPE_FILL_SLAB;
	case MMSCOPE_FRAME_PAGETABLE:
		return MMSCOPE_FILL_PAGETABLE;
	case MMSCOPE_FRAME_RESERVED:
		return MMSCOPE_FILL_RESERVED;
	case MMSCOPE_FRAME_HUGETLB:
		return MMSCOPE_FILL_HUGETLB;
	case MMSCOPE_FRAME_OTHER:
		return MMSCOPE_FILL_OTHER;
	default:
		return MMSCOPE_FILL_HOLE;
	}
}

/* A block's fill from the classes present in it (bit per class). */
static u8 mmscope_phys_fill(unsigned int classes)
{
	const unsigned int movable = BIT(MMSCOPE_FILL_FREE) |
				     BIT(MMSCOPE_FILL_USER);

	if (hweight32(classes) == 1)
		return __ffs(classes);
	if (!(classes & ~movable))
		return MMSCOPE_FILL_USER;
	return MMSCOPE_FILL_MIXED;
}

static int mmscope_phys_emit_zone(struct mmscope_ctx *ctx,
				  struct mmscope_phys_scan *w,
				  struct zone *zone)
{
	struct mmscope_phys_zone rec = {
		.node = w->nid,
		.zone_idx = w->zid,
		.start_pfn = zone->zone_start_pfn,
		.spanned = zone->spanned_pages,
		.present = zone->present_pages,
		.managed = zone_managed_pages(zone),
		.block_order = pageblock_order,
		.nr_mt = MIGRATE_TYPES,
	};
	unsigned int i;

	strscpy(rec.name, zone->name, sizeof(rec.name));
	for (i = 0; i < MIGRATE_TYPES; i++)
		strscpy(rec.mt_names[i], mmscope_migratetype_name(i),
			sizeof(rec.mt_names[i]));
	return mmscope_emit(ctx, &rec, MMSCOPE_REC_PHYS_ZONE, sizeof(rec));
}

static int mmscope_phys_flush_run(struct mmscope_ctx *ctx,
				  struct mmscope_phys_scan *w)
{
	int err;

	if (!w->run_open)
		return 0;
	err = mmscope_emit(ctx, &w->run, MMSCOPE_REC_PHYS_RUN,
			   sizeof(w->run));
	if (!err)
		w->run_open = false;
	return err;
}

/* Count @pfn's memory block once per zone and once per node. */
static void mmscope_phys_memory_block(struct mmscope_phys_scan *w,
				      unsigned long pfn)
{
	unsigned long mb;

	/* No memory blocks on this kernel (no memory hotplug). */
	if (!w->mb_shift)
		return;
	mb = (PFN_PHYS(pfn) >> w->mb_shift) + 1;
	if (w->zone_last_mb != mb) {
		w->zone_last_mb = mb;
		w->zend.memory_blocks++;
	}
	/* A node's zones are scanned in ascending PFN order. */
	if (w->node_last_mb < mb) {
		w->node_last_mb = mb;
		w->node.memory_blocks++;
	}
}

/*
 * Classify the pageblock of @zone that holds w->pfn (cut to the zone's
 * span) and add it to the run being built; emits the previous run when
 * this block does not extend it.
 */
static int mmscope_phys_block(struct mmscope_ctx *ctx,
			      struct mmscope_phys_scan *w, struct zone *zone)
{
	unsigned long start = w->pfn, zone_start = zone->zone_start_pfn;
	unsigned long end = min(ALIGN(start + 1, pageblock_nr_pages),
				zone_end_pfn(zone));
	u64 kinds[MMSCOPE_FRAME_NR_KINDS] = {};
	unsigned long pfn, n, probe;
	struct mmscope_frame f;
	unsigned int classes = 0, k;
	u8 mt = MMSCOPE_PHYS_MT_UNKNOWN, fill;
	struct page *page;
	int err, bmt;

	/* The block's migratetype: one read of its bitmap word. */
	bmt = mmscope_pfn_migratetype(start);
	if (bmt >= 0)
		mt = bmt;
	for (pfn = start; pfn < end; pfn += n) {
		bool ours;

		mmscope_frame_read(pfn, &f, MMSCOPE_FRAME_NO_MT);
		n = 1;
		ours = f.page && f.nid == w->nid && f.zone_idx == w->zid;
		if (f.page && !ours) {
			w->zend.foreign++;
			kinds[MMSCOPE_FRAME_ABSENT]++;
			classes |= BIT(MMSCOPE_FILL_HOLE);
			continue;
		}
		/*
		 * The rest of a free block is free: counted from the one read
		 * of its head, as kpageflags would find each of its pages
		 * (free blocks never cross a zone or a memory block).
		 */
		if (f.kind == MMSCOPE_FRAME_FREE)
			n = max(1UL, min(f.buddy_pfn + (1UL << f.buddy_order),
					 end) - pfn);
		kinds[f.kind] += n;
		classes |= BIT(mmscope_phys_class(f.kind));
		/*
		 * A frame without a struct page inside the zone's span (a
		 * hole, such as the PCI hole that ZONE_DMA32 spans below
		 * 4 GiB) is the zone's: counted by its kind, as kpageflags
		 * counts it NOPAGE, but in no memory block.
		 */
		if (!f.page) {
			w->zend.kinds[f.kind] += n;
			w->node.kinds[f.kind] += n;
			w->end.kinds[f.kind] += n;
			continue;
		}
		if (!ours)
			continue;
		w->zend.kinds[f.kind] += n;
		w->node.kinds[f.kind] += n;
		w->end.kinds[f.kind] += n;
		mmscope_phys_memory_block(w, pfn);
	}
	/*
	 * /proc/pagetypeinfo counts the block of each zone_start_pfn + k *
	 * pageblock_nr_pages that is online and in the zone: this block holds
	 * at most one such PFN.
	 */
	probe = start + ((zone_start - start) & (pageblock_nr_pages - 1));
	page = probe < end ? pfn_to_online_page(probe) : NULL;
	if (page && page_to_nid(page) == w->nid &&
	    page_zonenum(page) == w->zid) {
		bmt = mmscope_pfn_migratetype(probe);
		if (bmt >= 0)
			w->zend.mt_blocks[bmt]++;
	}
	w->end.pfns += end - start;
	fill = mmscope_phys_fill(classes);
	w->zend.fill_blocks[fill]++;

	if (w->run_open && (w->run.mt != mt || w->run.fill != fill)) {
		err = mmscope_phys_flush_run(ctx, w);
		if (err)
			return err;
	}
	if (!w->run_open) {
		memset(&w->run, 0, sizeof(w->run));
		w->run.start_pfn = start;
		w->run.node = w->nid;
		w->run.zone_idx = w->zid;
		w->run.mt = mt;
		w->run.fill = fill;
		w->run_open = true;
	}
	w->run.end_pfn = end;
	w->run.nr_blocks++;
	for (k = 0; k < MMSCOPE_FRAME_NR_KINDS; k++)
		w->run.kinds[k] += kinds[k];
	w->pfn = end;
	return 0;
}

/*
 * Scan one zone from w->pfn.  Return: 0 when the zone is done, 1 when this
 * ->fill() should return (chunk full), or -errno.
 */
static int mmscope_phys_zone(struct mmscope_ctx *ctx,
			     struct mmscope_phys_scan *w, struct zone *zone)
{
	int err;

	if (!w->zone_started) {
		err = mmscope_phys_emit_zone(ctx, w, zone);
		if (err)
			return err;
		memset(&w->zend, 0, sizeof(w->zend));
		w->zend.node = w->nid;
		w->zend.zone_idx = w->zid;
		w->zone_last_mb = 0;
		w->pfn = zone->zone_start_pfn;
		w->t_zone = ktime_get_ns();
		w->zone_started = true;
		w->node_started = true;
		w->node.nr_zones++;
	}
	while (w->pfn < zone_end_pfn(zone)) {
		err = mmscope_phys_block(ctx, w, zone);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		if (mmscope_full(ctx))
			return 1;
	}
	err = mmscope_phys_flush_run(ctx, w);
	if (err)
		return err;
	w->zend.scan_ns = ktime_get_ns() - w->t_zone;
	err = mmscope_emit(ctx, &w->zend, MMSCOPE_REC_PHYS_ZONE_END,
			   sizeof(w->zend));
	if (err)
		return err;
	w->end.zones++;
	w->zone_started = false;
	return 0;
}

static int mmscope_phys_emit_node(struct mmscope_ctx *ctx,
				  struct mmscope_phys_scan *w)
{
	pg_data_t *pgdat = NODE_DATA(w->nid);
	int err;

	w->node.node = w->nid;
	w->node.start_pfn = pgdat->node_start_pfn;
	w->node.spanned = pgdat->node_spanned_pages;
	w->node.present = pgdat->node_present_pages;
	err = mmscope_emit(ctx, &w->node, MMSCOPE_REC_PHYS_NODE,
			   sizeof(w->node));
	if (err)
		return err;
	w->end.nodes++;
	memset(&w->node, 0, sizeof(w->node));
	w->node_last_mb = 0;
	w->node_started = false;
	return 0;
}

static int mmscope_phys_map_fill(struct mmscope_ctx *ctx,
				 struct mmscope_phys_scan *w)
{
	int ret;

	while (w->nid < MAX_NUMNODES) {
		struct zone *zone;

		if (!node_online(w->nid)) {
			w->nid = next_online_node(w->nid);
			w->zid = 0;
			continue;
		}
		if (w->zid >= MAX_NR_ZONES) {
			ret = mmscope_phys_emit_node(ctx, w);
			if (ret)
				return ret;
			w->nid = next_online_node(w->nid);
			w->zid = 0;
			if (mmscope_full(ctx))
				return 1;
			continue;
		}
		zone = &NODE_DATA(w->nid)->node_zones[w->zid];
		if (!populated_zone(zone)) {
			w->zid++;
			continue;
		}
		ret = mmscope_phys_zone(ctx, w, zone);
		if (ret)
			return ret;
		w->zid++;
	}
	return 0;
}

/* A list query starts with the zone records: their names and spans. */
static int mmscope_phys_list_zones(struct mmscope_ctx *ctx,
				   struct mmscope_phys_scan *w)
{
	int nid, zid, err;

	for_each_online_node(nid) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (!populated_zone(zone))
				continue;
			w->nid = nid;
			w->zid = zid;
			err = mmscope_phys_emit_zone(ctx, w, zone);
			if (err)
				return err;
		}
	}
	w->zone_started = true;
	return 0;
}

static int mmscope_phys_list_fill(struct mmscope_ctx *ctx,
				  struct mmscope_phys_scan *w)
{
	struct mmscope_phys_pfn rec = {};
	struct mmscope_frame f;
	unsigned int n = 0;
	int err;

	if (!w->zone_started) {
		err = mmscope_phys_list_zones(ctx, w);
		if (err)
			return err;
	}
	while (w->pfn < w->stop) {
		mmscope_frame_classify(w->pfn, &f);
		rec.pfn = f.pfn;
		rec.kpf = f.kpf;
		rec.buddy_pfn = f.kind == MMSCOPE_FRAME_FREE ? f.buddy_pfn : 0;
		rec.buddy_order = f.kind == MMSCOPE_FRAME_FREE ?
				  f.buddy_order : 0;
		rec.node = f.page ? f.nid : -1;
		rec.zone_idx = f.zone_idx;
		rec.folio_order = f.folio_order;
		rec.kind = f.kind;
		rec.mt = f.migratetype;
		err = mmscope_emit(ctx, &rec, MMSCOPE_REC_PHYS_PFN, sizeof(rec));
		if (err)
			return err;
		w->end.kinds[f.kind]++;
		w->end.pfns++;
		w->pfn++;
		if (++n % MMSCOPE_PHYS_LIST_BATCH == 0) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		if (mmscope_full(ctx))
			return 1;
	}
	return 0;
}

static int mmscope_phys_fill_cb(struct mmscope_ctx *ctx)
{
	struct mmscope_phys_scan *w = ctx->priv;
	int ret;

	if (!w->t_start)
		w->t_start = ktime_get_ns();
	ret = w->list ? mmscope_phys_list_fill(ctx, w) :
			mmscope_phys_map_fill(ctx, w);
	if (ret)
		return ret;
	w->end.scan_ns = ktime_get_ns() - w->t_start;
	w->end.memory_block_bytes = mmscope_memory_block_bytes();
	return mmscope_emit(ctx, &w->end, MMSCOPE_REC_PHYS_END,
			    sizeof(w->end));
}

/*
 * The end of the PFNs a list may ask for: the last node's end, rounded up
 * to a memory section as /proc/kpageflags rounds max_pfn (not exported).
 */
static unsigned long mmscope_phys_limit(void)
{
	unsigned long end = 0;
	int nid;

	for_each_online_node(nid)
		end = max(end, pgdat_end_pfn(NODE_DATA(nid)));
	return round_up(end, PAGES_PER_SECTION);
}

static int mmscope_phys_start(struct mmscope_ctx *ctx)
{
	struct mmscope_phys_scan *w;

	if (ctx->q.end && (ctx->q.start >= ctx->q.end ||
			   ctx->q.end > mmscope_phys_limit()))
		return -EINVAL;
	if (!ctx->q.end && ctx->q.start)
		return -EINVAL;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	w->list = ctx->q.end;
	/*
	 * A power of two (memory blocks are whole sections); 0 without
	 * memory blocks.
	 */
	if (mmscope_memory_block_bytes())
		w->mb_shift = ilog2(mmscope_memory_block_bytes());
	w->pfn = ctx->q.start;
	w->stop = ctx->q.end;
	w->nid = first_online_node;
	ctx->priv = w;
	return 0;
}

static void mmscope_phys_stop(struct mmscope_ctx *ctx)
{
	kfree(ctx->priv);
}

static const char *mmscope_phys_mt(u8 mt)
{
	return mt == MMSCOPE_PHYS_MT_UNKNOWN ? "-" : mmscope_migratetype_name(mt);
}

static void mmscope_phys_show_kinds(struct seq_buf *s, const u64 *kinds)
{
	unsigned int k;

	for (k = 0; k < MMSCOPE_FRAME_NR_KINDS; k++)
		if (kinds[k])
			seq_buf_printf(s, " %s=%llu", mmscope_phys_kind_names[k],
				       kinds[k]);
}

static void mmscope_phys_show(struct seq_buf *s,
			      const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_phys_zone *z = (const void *)hdr;
	const struct mmscope_phys_run *r = (const void *)hdr;
	const struct mmscope_phys_zone_end *ze = (const void *)hdr;
	const struct mmscope_phys_node *n = (const void *)hdr;
	const struct mmscope_phys_end *e = (const void *)hdr;
	const struct mmscope_phys_pfn *p = (const void *)hdr;
	unsigned int i;

	switch (hdr->type) {
	case MMSCOPE_REC_PHYS_ZONE:
		seq_buf_printf(s,
			       "Node %u, zone %8s: start_pfn 0x%llx spanned %llu present %llu managed %llu (pages of 4 KiB; pageblock %lu pages)\n",
			       z->node, z->name, z->start_pfn, z->spanned,
			       z->present, z->managed, 1UL << z->block_order);
		seq_buf_printf(s, "  %-12s %-12s %7s %-12s %s\n", "start_pfn",
			       "end_pfn", "blocks", "migratetype", "fill: pages by kind");
		break;
	case MMSCOPE_REC_PHYS_RUN:
		seq_buf_printf(s, "  0x%-10llx 0x%-10llx %7u %-12s %s:",
			       r->start_pfn, r->end_pfn, r->nr_blocks,
			       mmscope_phys_mt(r->mt),
			       r->fill < MMSCOPE_FILL_NR ?
			       mmscope_phys_fill_names[r->fill] : "?");
		mmscope_phys_show_kinds(s, r->kinds);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_PHYS_ZONE_END:
		seq_buf_printf(s, "  pages:");
		mmscope_phys_show_kinds(s, ze->kinds);
		seq_buf_printf(s, " (other zone %llu)\n  blocks by migratetype:",
			       ze->foreign);
		for (i = 0; i < MIGRATE_TYPES; i++)
			seq_buf_printf(s, " %s=%llu", mmscope_migratetype_name(i),
				       ze->mt_blocks[i]);
		seq_buf_printf(s, "\n  blocks by fill:");
		for (i = 0; i < MMSCOPE_FILL_NR; i++)
			if (ze->fill_blocks[i])
				seq_buf_printf(s, " %s=%llu",
					       mmscope_phys_fill_names[i],
					       ze->fill_blocks[i]);
		seq_buf_printf(s, "\n  memory blocks %llu; scanned in %llu ns\n",
			       ze->memory_blocks, ze->scan_ns);
		break;
	case MMSCOPE_REC_PHYS_NODE:
		seq_buf_printf(s,
			       "Node %u: %u zones, start_pfn 0x%llx spanned %llu present %llu memory blocks %llu\n  pages:",
			       n->node, n->nr_zones, n->start_pfn, n->spanned,
			       n->present, n->memory_blocks);
		mmscope_phys_show_kinds(s, n->kinds);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_PHYS_PFN:
		seq_buf_printf(s, "pfn 0x%llx %s kpf 0x%llx node %d zone %u mt %s",
			       p->pfn, p->kind < MMSCOPE_FRAME_NR_KINDS ?
			       mmscope_phys_kind_names[p->kind] : "?",
			       p->kpf, p->node, p->zone_idx,
			       mmscope_phys_mt(p->mt));
		if (p->kind == MMSCOPE_FRAME_FREE)
			seq_buf_printf(s, " in free block 0x%llx order %u",
				       p->buddy_pfn, p->buddy_order);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_PHYS_END:
		seq_buf_printf(s,
			       "# %llu pages in %u zones of %u nodes, scanned in %llu ns; memory block %llu MiB\n# pages:",
			       e->pfns, e->zones, e->nodes, e->scan_ns,
			       e->memory_block_bytes >> 20);
		mmscope_phys_show_kinds(s, e->kinds);
		seq_buf_printf(s,
			       "\n# fill: free, user (anon/file/ksm/zero, or those and free), slab, pagetable, reserved, hugetlb, other, hole (no page, or another zone's), mixed\n");
		break;
	}
}

const struct mmscope_view_ops mmscope_phys_view = {
	.name = "phys",
	.view = MMSCOPE_VIEW_PHYS,
	.root_only = true,
	.start = mmscope_phys_start,
	.fill = mmscope_phys_fill_cb,
	.show = mmscope_phys_show,
	.stop = mmscope_phys_stop,
};
