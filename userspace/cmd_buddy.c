// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope buddy [--blocks]: the page allocator's free lists per node, zone,
 * order and migratetype, the per-CPU pages, and fragmentation figures.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define BAR_WIDTH 24

/* The records of one zone: its header, its orders, its blocks. */
struct buddy_zone {
	const struct mmscope_buddy_zone *z;
	const struct mmscope_buddy_order *o[MMSCOPE_BUDDY_MAX_ORDERS];
	const struct mmscope_buddy_frag *frag;	/* the module's figures */
	uint64_t nr_free[MMSCOPE_BUDDY_MAX_ORDERS];
	unsigned int nr_orders;
	const struct mmscope_rec_hdr *first, *last;	/* records after z */
};

static const struct mmscope_buddy_end *buddy_end(const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;

	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_BUDDY_END)
			return (const void *)r;
	return NULL;
}

/* Order @k's figure of @f (x1000), or @none without the module's record. */
static bool frag_get(const struct buddy_zone *bz, unsigned int k, bool extfrag,
		     int *v)
{
	const struct mmscope_buddy_frag *f = bz->frag;

	if (!f || k >= f->nr_orders || k >= MMSCOPE_BUDDY_MAX_ORDERS)
		return false;
	*v = extfrag ? f->extfrag[k] : f->unusable[k];
	return true;
}

static int largest_order(const struct buddy_zone *bz)
{
	return bz->frag ? bz->frag->largest_order : -1;
}

/* Fill @bz from the zone record @r; return the record after the zone. */
static const struct mmscope_rec_hdr *
buddy_zone_get(const struct mmscope_result *res, const struct mmscope_rec_hdr *r,
	       struct buddy_zone *bz)
{
	memset(bz, 0, sizeof(*bz));
	bz->z = (const void *)r;
	bz->nr_orders = bz->z->nr_orders;
	if (bz->nr_orders > MMSCOPE_BUDDY_MAX_ORDERS)
		bz->nr_orders = MMSCOPE_BUDDY_MAX_ORDERS;
	bz->first = dev_next(res, r);
	for (r = bz->first; r && r->type != MMSCOPE_REC_BUDDY_ZONE &&
	     r->type != MMSCOPE_REC_BUDDY_END && r->type != MMSCOPE_REC_END;
	     r = dev_next(res, r)) {
		const struct mmscope_buddy_order *o = (const void *)r;

		bz->last = r;
		if (r->type == MMSCOPE_REC_BUDDY_ORDER && o->order < bz->nr_orders) {
			bz->o[o->order] = o;
			bz->nr_free[o->order] = o->nr_free;
		}
		if (r->type == MMSCOPE_REC_BUDDY_FRAG &&
		    r->len >= sizeof(*bz->frag))
			bz->frag = (const void *)r;
	}
	if (!bz->last)
		bz->first = NULL;
	return r;
}

static unsigned int mt_count(const struct mmscope_buddy_zone *z)
{
	return z->nr_mt < MMSCOPE_BUDDY_MAX_MT ? z->nr_mt : MMSCOPE_BUDDY_MAX_MT;
}

int buddy_fetch(bool blocks, struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = blocks ? MMSCOPE_VIEW_BUDDY_BLOCKS : MMSCOPE_VIEW_BUDDY,
	};

	return dev_query(&q, res);
}

static void print_zone_text(FILE *f, const struct buddy_zone *bz)
{
	const struct mmscope_buddy_zone *z = bz->z;
	uint64_t free_total = 0;
	unsigned int k, mt, nmt = mt_count(z);
	char a[32], b[32], c[32];
	int largest;

	for (k = 0; k < bz->nr_orders; k++)
		free_total += bz->nr_free[k] << k;
	largest = largest_order(bz);
	fprintf(f, "Node %u, zone %s: managed %s, present %s, spanned %s\n",
		z->node, z->name, fmt_size(z->managed * 4096, a, sizeof(a)),
		fmt_size(z->present * 4096, b, sizeof(b)),
		fmt_size(z->spanned * 4096, c, sizeof(c)));
	fprintf(f, "  free %s (%llu pages), per-CPU lists %llu pages; watermarks min %llu, low %llu, high %llu pages\n",
		fmt_size(z->free_pages * 4096, a, sizeof(a)),
		(unsigned long long)z->free_pages,
		(unsigned long long)z->pcp_pages,
		(unsigned long long)z->wmark_min,
		(unsigned long long)z->wmark_low,
		(unsigned long long)z->wmark_high);
	if (largest >= 0)
		fprintf(f, "  largest free block: order %d (%s)\n", largest,
			fmt_size(4096ULL << largest, a, sizeof(a)));
	else
		fprintf(f, "  no free block\n");
	fprintf(f, "  %5s %9s %9s %-*s", "order", "size", "nr_free",
		BAR_WIDTH, "share");
	if (bz->o[0] && (bz->o[0]->flags & MMSCOPE_BUDDY_WALKED))
		for (mt = 0; mt < nmt; mt++)
			fprintf(f, " %11.11s", z->mt_names[mt]);
	fprintf(f, " %8s %8s\n", "unusable", "extfrag");
	for (k = 0; k < bz->nr_orders; k++) {
		const struct mmscope_buddy_order *o = bz->o[k];
		uint64_t pages = bz->nr_free[k] << k;
		int n = free_total ? (int)((pages * BAR_WIDTH + free_total - 1) /
					   free_total) : 0;
		char bar[BAR_WIDTH + 1], ui[16] = "-", ei[16] = "-";
		int v;

		memset(bar, '#', n);
		bar[n] = '\0';
		fprintf(f, "  %5u %9s %9llu %-*s", k,
			fmt_size(4096ULL << k, a, sizeof(a)),
			(unsigned long long)bz->nr_free[k], BAR_WIDTH, bar);
		if (o && (o->flags & MMSCOPE_BUDDY_WALKED))
			for (mt = 0; mt < nmt; mt++)
				fprintf(f, " %11llu",
					(unsigned long long)o->walked[mt]);
		if (frag_get(bz, k, false, &v))
			snprintf(ui, sizeof(ui), "%.3f", v / 1000.0);
		if (frag_get(bz, k, true, &v))
			snprintf(ei, sizeof(ei), "%.3f", v / 1000.0);
		fprintf(f, " %8s %8s%s\n", ui, ei,
			o && (o->flags & MMSCOPE_BUDDY_CHANGED) ? "  *" : "");
	}
}

static void print_blocks_text(FILE *f, const struct mmscope_result *res,
			      const struct buddy_zone *bz)
{
	const struct mmscope_rec_hdr *r;

	bool header = false;

	if (!bz->first)
		return;
	for (r = bz->first; r; r = dev_next(res, r)) {
		const struct mmscope_buddy_block *b = (const void *)r;

		if (r->type == MMSCOPE_REC_BUDDY_BLOCK && !header) {
			fprintf(f, "  %-18s %5s %s\n", "PFN", "ORDER",
				"MIGRATETYPE");
			header = true;
		}
		if (r->type == MMSCOPE_REC_BUDDY_BLOCK)
			fprintf(f, "  %#-18llx %5u %s%s\n",
				(unsigned long long)b->pfn, b->order,
				b->mt < mt_count(bz->z) ?
				bz->z->mt_names[b->mt] : "?",
				b->flags & MMSCOPE_BLOCK_MISMATCH ?
				" NOT A BUDDY PAGE" : "");
		if (r == bz->last)
			break;
	}
}

void buddy_print_text(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_buddy_end *e = buddy_end(res);
	const struct mmscope_rec_hdr *r = dev_next(res, NULL);
	struct buddy_zone bz;

	while (r) {
		if (r->type != MMSCOPE_REC_BUDDY_ZONE) {
			r = dev_next(res, r);
			continue;
		}
		r = buddy_zone_get(res, r, &bz);
		print_zone_text(f, &bz);
		print_blocks_text(f, res, &bz);
		fputc('\n', f);
	}
	fprintf(f, "size: of one block (KiB/MiB/GiB); share: the order's part of the zone's free memory.\n"
		"nr_free: the kernel's count of free blocks; the migratetype columns count the\n"
		"blocks found by walking each free list.  unusable: share of free memory in\n"
		"blocks too small for the order; extfrag: -1 = the order is available, near 0\n"
		"= short of memory, near 1 = fragmented (as /sys/kernel/debug/extfrag).\n");
	if (!e)
		return;
	if (!(e->flags & MMSCOPE_BUDDY_WALKED)) {
		fprintf(f, "Free lists not walked: per-migratetype counts need root (CAP_SYS_ADMIN).\n");
		return;
	}
	if (res->end && (res->end->flags & MMSCOPE_END_CHANGED))
		fprintf(f, "* lists changed during the walk: those counts are not one snapshot.\n");
	fprintf(f, "Walk: %.3f ms, %llu entries in %llu zone->lock holds (%llu resumed, %llu restarted);\n"
		"longest hold %.1f us over %u entries (bound %u per hold).\n",
		e->walk_ns / 1e6, (unsigned long long)e->entries,
		(unsigned long long)e->holds, (unsigned long long)e->relocks,
		(unsigned long long)e->restarts, e->max_hold_ns / 1e3,
		e->max_hold_entries, e->chunk);
}

static void print_zone_json(const struct mmscope_result *res,
			    const struct buddy_zone *bz, bool blocks)
{
	bool hidden = res->end && (res->end->flags & MMSCOPE_END_HIDDEN);
	const struct mmscope_buddy_zone *z = bz->z;
	const struct mmscope_rec_hdr *r;
	unsigned int k, mt, nmt = mt_count(z);
	int v;

	json_obj_open(NULL);
	json_str("name", z->name);
	json_u64("free_pages", z->free_pages);
	json_u64("managed", z->managed);
	json_u64("present", z->present);
	json_u64("spanned", z->spanned);
	if (hidden)
		json_null("start_pfn");	/* a physical address: root only */
	else
		json_u64("start_pfn", z->start_pfn);
	json_obj_open("watermarks");
	json_u64("min", z->wmark_min);
	json_u64("low", z->wmark_low);
	json_u64("high", z->wmark_high);
	json_obj_close();
	json_u64("pcp_pages", z->pcp_pages);
	json_s64("largest_order", largest_order(bz));
	json_arr_open("orders");
	for (k = 0; k < bz->nr_orders; k++) {
		const struct mmscope_buddy_order *o = bz->o[k];

		json_obj_open(NULL);
		json_u64("order", k);
		json_u64("nr_free", bz->nr_free[k]);
		if (o && (o->flags & MMSCOPE_BUDDY_WALKED)) {
			json_obj_open("walked");
			for (mt = 0; mt < nmt; mt++)
				json_u64(z->mt_names[mt], o->walked[mt]);
			json_obj_close();
		} else {
			json_null("walked");
		}
		json_bool("changed", o && (o->flags & MMSCOPE_BUDDY_CHANGED));
		if (frag_get(bz, k, false, &v))
			json_double("unusable_index", v / 1000.0);
		else
			json_null("unusable_index");
		if (frag_get(bz, k, true, &v))
			json_double("extfrag_index", v / 1000.0);
		else
			json_null("extfrag_index");
		json_obj_close();
	}
	json_arr_close();
	if (blocks) {
		json_arr_open("blocks");
		for (r = bz->first; r; r = dev_next(res, r)) {
			const struct mmscope_buddy_block *b = (const void *)r;

			if (r->type == MMSCOPE_REC_BUDDY_BLOCK) {
				json_obj_open(NULL);
				json_u64("pfn", b->pfn);
				json_u64("order", b->order);
				json_str("migratetype", b->mt < nmt ?
					 z->mt_names[b->mt] : "?");
				json_bool("buddy", !(b->flags & MMSCOPE_BLOCK_MISMATCH));
				json_obj_close();
			}
			if (r == bz->last)
				break;
		}
		json_arr_close();
	}
	json_obj_close();
}

void buddy_print_json(const struct mmscope_result *res, bool blocks)
{
	const struct mmscope_buddy_end *e = buddy_end(res);
	const struct mmscope_rec_hdr *r;
	struct buddy_zone bz;
	long node = -1;
	unsigned int nr_orders = 0;

	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_BUDDY_ZONE) {
			nr_orders = ((const struct mmscope_buddy_zone *)r)->nr_orders;
			break;
		}
	json_obj_open(NULL);
	json_str("type", "buddy");
	json_u64("max_order", nr_orders ? nr_orders - 1 : 0);
	json_bool("walked", e && (e->flags & MMSCOPE_BUDDY_WALKED));
	json_bool("changed", res->end && (res->end->flags & MMSCOPE_END_CHANGED));
	json_arr_open("nodes");
	r = dev_next(res, NULL);
	while (r) {
		if (r->type != MMSCOPE_REC_BUDDY_ZONE) {
			r = dev_next(res, r);
			continue;
		}
		if ((long)((const struct mmscope_buddy_zone *)r)->node != node) {
			if (node >= 0) {
				json_arr_close();
				json_obj_close();
			}
			node = ((const struct mmscope_buddy_zone *)r)->node;
			json_obj_open(NULL);
			json_u64("node", node);
			json_arr_open("zones");
		}
		r = buddy_zone_get(res, r, &bz);
		print_zone_json(res, &bz, blocks);
	}
	if (node >= 0) {
		json_arr_close();
		json_obj_close();
	}
	json_arr_close();
	if (e) {
		json_obj_open("walk");
		json_u64("walk_ns", e->walk_ns);
		json_u64("max_hold_ns", e->max_hold_ns);
		json_u64("total_hold_ns", e->total_hold_ns);
		json_u64("max_hold_entries", e->max_hold_entries);
		json_u64("chunk", e->chunk);
		json_u64("holds", e->holds);
		json_u64("relocks", e->relocks);
		json_u64("restarts", e->restarts);
		json_u64("entries", e->entries);
		json_u64("mismatches", e->mismatches);
		json_obj_close();
	}
	json_obj_close();
}

int cmd_buddy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "blocks", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct mmscope_result res;
	bool blocks = false;
	int opt, err, status;

	while ((opt = cmd_getopt(argc, argv, "b", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'b')
			blocks = true;
	}
	if (optind < argc)
		return usage_error("buddy", "unexpected argument '%s'",
				   argv[optind]);
	err = buddy_fetch(blocks, &res);
	if (err)
		return dev_error(err, blocks ? "buddy --blocks" : "buddy", -1);
	if (json_output)
		buddy_print_json(&res, blocks);
	else
		buddy_print_text(stdout, &res);
	dev_result_free(&res);
	return 0;
}
