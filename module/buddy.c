// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy views: every free_area list of every populated zone.
 *
 *  buddy		per zone: sizes, free pages, watermarks, per-CPU pages;
 *			per order: the kernel's nr_free beside the number of
 *			blocks counted by walking each migratetype's list.
 *  buddy_blocks	the same, plus one record per free block (its PFN).
 *
 * Privilege: the zone and nr_free figures are what the world-readable
 * /proc/buddyinfo shows, so anyone may read them.  Walking the lists takes
 * zone->lock, the reason /proc/pagetypeinfo has been root-only since v5.4;
 * so walked counts are produced only for CAP_SYS_ADMIN openers (otherwise
 * MMSCOPE_END_HIDDEN is set and no lock is taken at all).  buddy_blocks is
 * made of PFNs and is root-only.
 *
 * Bounded holds.  zone->lock is taken for at most MMSCOPE_BUDDY_CHUNK list
 * entries at a time, then dropped, with cond_resched() between holds, so a
 * list of millions of blocks (a terabyte of free order-0 pages) costs many
 * short holds rather than one long one.  To resume a list after dropping the
 * lock the walk keeps the PFN of the last block it visited (never a pointer
 * into the list) and, after retaking the lock, resumes from that block only
 * if it is still a free block of the same order in the same zone: an online
 * page, PageBuddy, page_private() == order, page_zone() == zone.  Under
 * zone->lock such a page is linked on one of free_area[order].free_list[],
 * so following ->next from it is safe.  Otherwise the block was allocated,
 * merged or split meanwhile: the list is walked again from its head (its
 * count restarted, at most MMSCOPE_BUDDY_RESTARTS times) and the walk is
 * marked changed.  A resumed block may also have moved to another
 * migratetype's list; the walk sees this when it reaches a list head other
 * than its own, stops that list, and marks the walk changed.
 *
 * The invariant a caller can rely on: when an order's record is not marked
 * MMSCOPE_BUDDY_CHANGED, every one of its lists was walked to its own head,
 * without restart, and the walked counts add up to nr_free as read under
 * zone->lock both in the order's first hold and in its last one.  A quiet
 * system therefore gets exact counts; a busy one gets counts flagged as not
 * being one snapshot.  (A block freed and reallocated between two holds can
 * still escape detection if it leaves every count as it found it.)
 *
 * /proc/pagetypeinfo instead caps each list at 100000 entries and walks it
 * in one hold, dropping the lock only between lists.
 *
 * Not perturbing what is counted.  The walk state is vzalloc()ed (order-0
 * pages: a kmalloc of its 17 KiB would take an order-3 block off the very
 * lists being walked), and once the output buffer exists nothing is
 * allocated until the walk ends: before each record, and before each hold
 * for the records it may produce, the walk checks the room left in the
 * buffer and, when short, returns to let the reader drain it rather than
 * let mmscope_emit() grow it.  A hold in block mode visits no more entries
 * than the buffer can take as records.
 *
 * Fragmentation: after a zone's orders, its largest free block and, per
 * order, the unusable free space index and the external fragmentation
 * index, computed with the integer formulas of the kernel's
 * /sys/kernel/debug/extfrag files from the nr_free values emitted above
 * them: printed in the debugfs text, sent as a mmscope_buddy_frag record
 * to /dev/mmscope (the CLI prints them; the formulas live only here).
 */
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include "mmscope.h"
#include "compat.h"
#include "frame.h"

/* Most list entries visited in one zone->lock hold. */
#define MMSCOPE_BUDDY_CHUNK	1024
/* Times one list is walked again from its head before settling. */
#define MMSCOPE_BUDDY_RESTARTS	4
/* Holds per ->fill() call, so that a reader's signal is seen promptly. */
#define MMSCOPE_BUDDY_HOLDS	64
/*
 * Room mmscope_emit_text() wants free before rendering any record, and the
 * longest text line of a block record: what a hold needs per entry.
 */
#define MMSCOPE_BUDDY_TEXT_ROOM	4096
#define MMSCOPE_BUDDY_TEXT_LINE	96

static_assert(MMSCOPE_NR_ORDERS <= MMSCOPE_BUDDY_MAX_ORDERS);
static_assert(MIGRATE_TYPES <= MMSCOPE_BUDDY_MAX_MT);

struct mmscope_buddy_ent {
	unsigned long pfn;
	bool mismatch;
};

/* Where the walk is; kept across holds and across ->fill() calls. */
struct mmscope_buddy_walk {
	bool blocks;			/* emit one record per block */
	bool walk;			/* walk the lists (privileged) */
	bool zone_started;		/* zone record emitted */
	int nid, zid;
	unsigned int order, mt;
	bool resuming;			/* resume_pfn is valid */
	unsigned long resume_pfn;
	unsigned int list_restarts;
	bool order_changed;
	unsigned long nr_free_first;	/* nr_free in the order's first hold */
	unsigned long nr_free_last;	/* ... and in its last */
	u64 nr_free[MMSCOPE_NR_ORDERS];	/* as emitted, for the figures */
	u64 walked[MIGRATE_TYPES];
	u64 t_start;
	struct mmscope_buddy_end end;
	unsigned int nr_ents;
	struct mmscope_buddy_ent ents[MMSCOPE_BUDDY_CHUNK];
};

static bool mmscope_is_free_list_head(struct zone *zone, unsigned int order,
				      const struct list_head *p)
{
	const struct list_head *first = &zone->free_area[order].free_list[0];

	return p >= first && p < first + MIGRATE_TYPES;
}

/*
 * How many records of @len bytes fit in the output buffer without growing
 * it.  Before the buffer exists (first record of the view, before any list
 * is walked) there is no limit.
 */
static unsigned int mmscope_buddy_fit(const struct mmscope_ctx *ctx,
				      size_t len)
{
	size_t room;

	if (!ctx->size)
		return UINT_MAX;
	room = ctx->size - ctx->len;
	if (ctx->text)
		return room < MMSCOPE_BUDDY_TEXT_ROOM ? 0 :
		       min_t(size_t, UINT_MAX - 1,
			     (room - MMSCOPE_BUDDY_TEXT_ROOM) /
			     MMSCOPE_BUDDY_TEXT_LINE) + 1;
	return min_t(size_t, UINT_MAX, room / len);
}

/* Under zone->lock: is @pfn still the first page of a free @order block? */
static struct page *mmscope_buddy_resume_page(struct zone *zone,
					      unsigned long pfn,
					      unsigned int order)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || page_zone(page) != zone)
		return NULL;
	if (!PageBuddy(page) || page_private(page) != order)
		return NULL;
	return page;
}

/*
 * One bounded hold: walk free_list[w->mt] of free_area[w->order] from its
 * head or from the resume block, visiting at most @max (at most
 * MMSCOPE_BUDDY_CHUNK) entries.  Return: true when the list is finished.
 */
static bool mmscope_buddy_hold(struct mmscope_buddy_walk *w,
			       struct zone *zone, unsigned int max)
{
	struct free_area *area = &zone->free_area[w->order];
	struct list_head *head = &area->free_list[w->mt];
	struct list_head *pos = head;
	unsigned int n = 0;
	unsigned long flags;
	bool done = false;
	struct page *page;
	u64 t0, held;

	max = min_t(unsigned int, max, MMSCOPE_BUDDY_CHUNK);
	w->nr_ents = 0;
	spin_lock_irqsave(&zone->lock, flags);
	t0 = ktime_get_ns();
	if (w->mt == 0 && !w->resuming && !w->list_restarts)
		w->nr_free_first = area->nr_free;
	if (w->resuming) {
		page = mmscope_buddy_resume_page(zone, w->resume_pfn, w->order);
		if (page) {
			pos = &page->buddy_list;
			w->end.relocks++;
		} else {
			w->end.restarts++;
			w->order_changed = true;
			if (w->blocks ||
			    ++w->list_restarts > MMSCOPE_BUDDY_RESTARTS) {
				/* Blocks already listed can't be unlisted. */
				done = true;
				goto out;
			}
			w->walked[w->mt] = 0;
		}
		w->resuming = false;
	}
	for (;;) {
		struct list_head *next = READ_ONCE(pos->next);

		if (next == head) {
			done = true;
			break;
		}
		if (mmscope_is_free_list_head(zone, w->order, next)) {
			/* The resume block had moved to another list. */
			w->order_changed = true;
			done = true;
			break;
		}
		if (n == max) {
			w->resume_pfn = page_to_pfn(list_entry(pos, struct page,
							       buddy_list));
			w->resuming = true;
			break;
		}
		page = list_entry(next, struct page, buddy_list);
		w->ents[n].pfn = page_to_pfn(page);
		w->ents[n].mismatch = !PageBuddy(page) ||
				      page_private(page) != w->order;
		w->end.mismatches += w->ents[n].mismatch;
		w->walked[w->mt]++;
		n++;
		pos = next;
	}
out:
	if (done)
		w->nr_free_last = area->nr_free;
	held = ktime_get_ns() - t0;
	spin_unlock_irqrestore(&zone->lock, flags);

	w->nr_ents = n;
	w->end.holds++;
	w->end.entries += n;
	w->end.total_hold_ns += held;
	w->end.max_hold_ns = max(w->end.max_hold_ns, held);
	w->end.max_hold_entries = max(w->end.max_hold_entries, n);
	if (done) {
		w->resuming = false;
		w->list_restarts = 0;
	}
	return done;
}

static int mmscope_buddy_emit_zone(struct mmscope_ctx *ctx,
				   struct mmscope_buddy_walk *w,
				   struct zone *zone)
{
	struct mmscope_buddy_zone rec = {
		.node = w->nid,
		.zone_idx = w->zid,
		.start_pfn = ctx->privileged ? zone->zone_start_pfn : 0,
		.spanned = zone->spanned_pages,
		.present = zone->present_pages,
		.managed = zone_managed_pages(zone),
		.free_pages = zone_page_state(zone, NR_FREE_PAGES),
		.wmark_min = min_wmark_pages(zone),
		.wmark_low = low_wmark_pages(zone),
		.wmark_high = high_wmark_pages(zone),
		.nr_orders = MMSCOPE_NR_ORDERS,
		.nr_mt = MIGRATE_TYPES,
	};
	unsigned int i;
	int cpu;

	strscpy(rec.name, zone->name, sizeof(rec.name));
	for (i = 0; i < MIGRATE_TYPES; i++)
		strscpy(rec.mt_names[i], mmscope_migratetype_name(i),
			sizeof(rec.mt_names[i]));
	/* Racy by nature: each CPU changes its own count without a lock. */
	for_each_online_cpu(cpu)
		rec.pcp_pages += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset,
						       cpu)->count);
	return mmscope_emit(ctx, &rec, MMSCOPE_REC_BUDDY_ZONE, sizeof(rec));
}

static int mmscope_buddy_emit_order(struct mmscope_ctx *ctx,
				    struct mmscope_buddy_walk *w,
				    struct zone *zone)
{
	struct mmscope_buddy_order rec = {
		.node = w->nid,
		.zone_idx = w->zid,
		.order = w->order,
	};
	unsigned int mt;
	u64 sum = 0;

	if (!w->walk) {
		/* As /proc/buddyinfo, without its lock: one racy word. */
		rec.nr_free = data_race(zone->free_area[w->order].nr_free);
		w->nr_free[w->order] = rec.nr_free;
		return mmscope_emit(ctx, &rec, MMSCOPE_REC_BUDDY_ORDER,
				    sizeof(rec));
	}
	rec.nr_free = w->nr_free_last;
	w->nr_free[w->order] = rec.nr_free;
	rec.flags = MMSCOPE_BUDDY_WALKED;
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		rec.walked[mt] = w->walked[mt];
		sum += w->walked[mt];
	}
	if (w->order_changed || sum != w->nr_free_last ||
	    w->nr_free_first != w->nr_free_last) {
		rec.flags |= MMSCOPE_BUDDY_CHANGED;
		ctx->end_flags |= MMSCOPE_END_CHANGED;
	}
	return mmscope_emit(ctx, &rec, MMSCOPE_REC_BUDDY_ORDER, sizeof(rec));
}

static int mmscope_buddy_emit_blocks(struct mmscope_ctx *ctx,
				     struct mmscope_buddy_walk *w)
{
	struct mmscope_buddy_block rec = {
		.node = w->nid,
		.zone_idx = w->zid,
		.order = w->order,
		.mt = w->mt,
	};
	unsigned int i;
	int err;

	for (i = 0; i < w->nr_ents; i++) {
		rec.pfn = w->ents[i].pfn;
		rec.flags = w->ents[i].mismatch ? MMSCOPE_BLOCK_MISMATCH : 0;
		err = mmscope_emit(ctx, &rec, MMSCOPE_REC_BUDDY_BLOCK,
				   sizeof(rec));
		if (err)
			return err;
	}
	w->nr_ents = 0;
	return 0;
}

/* Kernel extfrag figures of order @k, times 1000, from @nr_free[]. */
static void mmscope_buddy_frag_index(const u64 *nr_free, unsigned int k,
				     int *unusable, int *extfrag)
{
	u64 pages = 0, blocks = 0, suitable = 0;
	unsigned int o;

	for (o = 0; o < MMSCOPE_NR_ORDERS; o++) {
		blocks += nr_free[o];
		pages += nr_free[o] << o;
		if (o >= k)
			suitable += nr_free[o] << (o - k);
	}
	*unusable = pages ? div64_u64((pages - (suitable << k)) * 1000,
				      pages) : 1000;
	if (!blocks)
		*extfrag = 0;
	else if (suitable)
		*extfrag = -1000;
	else
		*extfrag = 1000 - div64_u64(1000 + div64_u64(pages * 1000,
							     1ULL << k),
					    blocks);
}

/* The zone's fragmentation figures, from the nr_free values emitted. */
static void mmscope_buddy_frag_rec(struct mmscope_buddy_walk *w,
				   struct mmscope_buddy_frag *f)
{
	unsigned int k;

	memset(f, 0, sizeof(*f));
	f->node = w->nid;
	f->zone_idx = w->zid;
	f->nr_orders = MMSCOPE_NR_ORDERS;
	f->largest_order = -1;
	for (k = 0; k < MMSCOPE_NR_ORDERS; k++) {
		if (w->nr_free[k])
			f->largest_order = k;
		mmscope_buddy_frag_index(w->nr_free, k, &f->unusable[k],
					 &f->extfrag[k]);
	}
}

/* After a zone's orders: its figures as text or as a record. */
static int mmscope_buddy_frag_emit(struct mmscope_ctx *ctx,
				   struct mmscope_buddy_walk *w)
{
	struct mmscope_buddy_frag f;
	unsigned int k;
	int err;

	mmscope_buddy_frag_rec(w, &f);
	if (!ctx->text)
		return mmscope_emit(ctx, &f, MMSCOPE_REC_BUDDY_FRAG, sizeof(f));
	if (f.largest_order < 0)
		err = mmscope_printf(ctx, "  largest free block: none\n  unusable");
	else
		err = mmscope_printf(ctx, "  largest free block: order %d (%lu pages)\n  unusable",
				     f.largest_order, 1UL << f.largest_order);
	for (k = 0; !err && k < MMSCOPE_NR_ORDERS; k++)
		err = mmscope_printf(ctx, " %d.%03d", f.unusable[k] / 1000,
				     f.unusable[k] % 1000);
	if (!err)
		err = mmscope_printf(ctx, "\n  extfrag ");
	for (k = 0; !err && k < MMSCOPE_NR_ORDERS; k++)
		err = mmscope_printf(ctx, " %s%d.%03d",
				     f.extfrag[k] < 0 ? "-" : "",
				     abs(f.extfrag[k]) / 1000,
				     abs(f.extfrag[k]) % 1000);
	return err ?: mmscope_printf(ctx, "\n");
}

/*
 * Walk one zone from where @w stands.  Return: 0 when the zone is done,
 * 1 when this ->fill() should return (output chunk full or enough holds),
 * or -errno.
 */
static int mmscope_buddy_zone(struct mmscope_ctx *ctx,
			      struct mmscope_buddy_walk *w, struct zone *zone)
{
	unsigned int holds = 0;
	int err;

	if (!w->zone_started) {
		if (!mmscope_buddy_fit(ctx, sizeof(struct mmscope_buddy_zone)))
			return 1;
		err = mmscope_buddy_emit_zone(ctx, w, zone);
		if (err)
			return err;
		w->zone_started = true;
		w->order = 0;
		w->mt = 0;
	}
	for (; w->order < MMSCOPE_NR_ORDERS; w->order++, w->mt = 0) {
		for (; w->walk && w->mt < MIGRATE_TYPES; ) {
			unsigned int max = MMSCOPE_BUDDY_CHUNK;
			bool done;

			if (w->blocks) {
				size_t rec = sizeof(struct mmscope_buddy_block);

				max = mmscope_buddy_fit(ctx, rec);
				/* Drain first rather than grow the buffer. */
				if (max < MMSCOPE_BUDDY_CHUNK && ctx->len)
					return 1;
			}
			done = mmscope_buddy_hold(w, zone, max);

			if (w->blocks) {
				err = mmscope_buddy_emit_blocks(ctx, w);
				if (err)
					return err;
			}
			if (done)
				w->mt++;
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
			if (w->mt < MIGRATE_TYPES &&
			    (mmscope_full(ctx) || ++holds >= MMSCOPE_BUDDY_HOLDS))
				return 1;
		}
		if (!mmscope_buddy_fit(ctx, sizeof(struct mmscope_buddy_order)))
			return 1;
		err = mmscope_buddy_emit_order(ctx, w, zone);
		if (err)
			return err;
		memset(w->walked, 0, sizeof(w->walked));
		w->order_changed = false;
		if (w->order + 1 < MMSCOPE_NR_ORDERS && mmscope_full(ctx)) {
			w->order++;
			w->mt = 0;
			return 1;
		}
	}
	if (!mmscope_buddy_fit(ctx, sizeof(struct mmscope_buddy_frag)))
		return 1;
	err = mmscope_buddy_frag_emit(ctx, w);
	if (err)
		return err;
	w->zone_started = false;
	return 0;
}

static int mmscope_buddy_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_buddy_walk *w = ctx->priv;
	int ret;

	if (!w->t_start)
		w->t_start = ktime_get_ns();
	while (w->nid < MAX_NUMNODES) {
		pg_data_t *pgdat;
		struct zone *zone;

		if (!node_online(w->nid) || w->zid >= MAX_NR_ZONES) {
			w->nid = next_online_node(w->nid);
			w->zid = 0;
			w->zone_started = false;
			continue;
		}
		pgdat = NODE_DATA(w->nid);
		zone = &pgdat->node_zones[w->zid];
		if (!populated_zone(zone)) {
			w->zid++;
			continue;
		}
		ret = mmscope_buddy_zone(ctx, w, zone);
		if (ret)
			return ret;
		w->zid++;
	}
	if (!mmscope_buddy_fit(ctx, sizeof(w->end)))
		return 1;
	w->end.walk_ns = ktime_get_ns() - w->t_start;
	w->end.chunk = MMSCOPE_BUDDY_CHUNK;
	w->end.flags = w->walk ? MMSCOPE_BUDDY_WALKED : 0;
	return mmscope_emit(ctx, &w->end, MMSCOPE_REC_BUDDY_END,
			    sizeof(w->end));
}

static int mmscope_buddy_setup(struct mmscope_ctx *ctx, bool blocks)
{
	/* Order-0 pages: see "Not perturbing what is counted" above. */
	struct mmscope_buddy_walk *w = __vmalloc(sizeof(*w),
						  GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!w)
		return -ENOMEM;
	w->blocks = blocks;
	w->walk = ctx->privileged;
	w->nid = first_online_node;
	if (!w->walk)
		ctx->end_flags |= MMSCOPE_END_HIDDEN;
	ctx->priv = w;
	return 0;
}

static int mmscope_buddy_start(struct mmscope_ctx *ctx)
{
	return mmscope_buddy_setup(ctx, false);
}

static int mmscope_buddy_blocks_start(struct mmscope_ctx *ctx)
{
	return mmscope_buddy_setup(ctx, true);
}

static void mmscope_buddy_stop(struct mmscope_ctx *ctx)
{
	vfree(ctx->priv);
}

static void mmscope_buddy_show(struct seq_buf *s,
			       const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_buddy_zone *z = (const void *)hdr;
	const struct mmscope_buddy_order *o = (const void *)hdr;
	const struct mmscope_buddy_block *b = (const void *)hdr;
	const struct mmscope_buddy_end *e = (const void *)hdr;
	unsigned int mt;

	switch (hdr->type) {
	case MMSCOPE_REC_BUDDY_ZONE:
		seq_buf_printf(s,
			       "Node %u, zone %8s: spanned %llu present %llu managed %llu free %llu pcp %llu\n",
			       z->node, z->name, z->spanned, z->present,
			       z->managed, z->free_pages, z->pcp_pages);
		seq_buf_printf(s, "  watermarks min %llu low %llu high %llu\n",
			       z->wmark_min, z->wmark_low, z->wmark_high);
		seq_buf_printf(s, "  %5s %10s", "order", "nr_free");
		for (mt = 0; mt < z->nr_mt && mt < MMSCOPE_BUDDY_MAX_MT; mt++)
			seq_buf_printf(s, " %11s", z->mt_names[mt]);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_BUDDY_ORDER:
		seq_buf_printf(s, "  %5u %10llu", o->order, o->nr_free);
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			if (o->flags & MMSCOPE_BUDDY_WALKED)
				seq_buf_printf(s, " %11llu", o->walked[mt]);
		seq_buf_printf(s, "%s\n", o->flags & MMSCOPE_BUDDY_CHANGED ?
			       " (changed during walk)" : "");
		break;
	case MMSCOPE_REC_BUDDY_BLOCK:
		seq_buf_printf(s, "  block pfn 0x%llx order %u mt %u node %u zone %u%s\n",
			       b->pfn, b->order, b->mt, b->node, b->zone_idx,
			       b->flags & MMSCOPE_BLOCK_MISMATCH ?
			       " NOT-A-BUDDY" : "");
		break;
	case MMSCOPE_REC_BUDDY_END:
		if (!(e->flags & MMSCOPE_BUDDY_WALKED)) {
			seq_buf_printf(s, "# lists not walked: needs CAP_SYS_ADMIN\n");
			break;
		}
		seq_buf_printf(s,
			       "# walk %llu ns; %llu holds of zone->lock (%llu resumed, %llu restarts), longest %llu ns / %u entries (bound %u); %llu entries, %llu not buddies\n",
			       e->walk_ns, e->holds, e->relocks, e->restarts,
			       e->max_hold_ns, e->max_hold_entries, e->chunk,
			       e->entries, e->mismatches);
		break;
	}
}

const struct mmscope_view_ops mmscope_buddy_view = {
	.name = "buddy",
	.view = MMSCOPE_VIEW_BUDDY,
	.start = mmscope_buddy_start,
	.fill = mmscope_buddy_fill,
	.show = mmscope_buddy_show,
	.stop = mmscope_buddy_stop,
};

const struct mmscope_view_ops mmscope_buddy_blocks_view = {
	.name = "buddy_blocks",
	.view = MMSCOPE_VIEW_BUDDY_BLOCKS,
	.root_only = true,
	/* Room for a hold's worth of blocks (root only: not per user). */
	.buf_size = MMSCOPE_CHUNK + PAGE_SIZE,
	.start = mmscope_buddy_blocks_start,
	.fill = mmscope_buddy_fill,
	.show = mmscope_buddy_show,
	.stop = mmscope_buddy_stop,
};
