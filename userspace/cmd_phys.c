// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope phys [--range START-END]: physical memory as a map.  Per node and
 * zone, the pageblocks as runs of one migratetype and fill, the pages by
 * kind and the blocks by migratetype (as /proc/pagetypeinfo counts them);
 * or, with --range, each PFN's kind and /proc/kpageflags flags.  Root only.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define PHYS_MAX_ZONES	64

static const char *const kind_names[] = MMSCOPE_FRAME_KIND_NAMES;
static const char *const fill_names[] = MMSCOPE_PHYS_FILL_NAMES;

/* The zone records of a stream, to name zones and migratetypes. */
struct phys_zones {
	const struct mmscope_phys_zone *z[PHYS_MAX_ZONES];
	unsigned int n;
};

static const struct mmscope_phys_zone *
zone_find(const struct phys_zones *zs, uint32_t node, uint32_t zid)
{
	unsigned int i;

	for (i = 0; i < zs->n; i++)
		if (zs->z[i]->node == node && zs->z[i]->zone_idx == zid)
			return zs->z[i];
	return NULL;
}

static void zones_get(const struct mmscope_result *res, struct phys_zones *zs)
{
	const struct mmscope_rec_hdr *r;

	zs->n = 0;
	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_PHYS_ZONE &&
		    r->len >= sizeof(*zs->z[0]) && zs->n < PHYS_MAX_ZONES)
			zs->z[zs->n++] = (const void *)r;
}

static const char *mt_name(const struct mmscope_phys_zone *z, unsigned int mt)
{
	if (!z || mt == MMSCOPE_PHYS_MT_UNKNOWN)
		return NULL;
	if (mt >= z->nr_mt || mt >= MMSCOPE_BUDDY_MAX_MT)
		return "?";
	return z->mt_names[mt];
}

static const char *kind_name(unsigned int k)
{
	return k < MMSCOPE_FRAME_NR_KINDS ? kind_names[k] : "?";
}

static const char *fill_name(unsigned int f)
{
	return f < MMSCOPE_FILL_NR ? fill_names[f] : "?";
}

static unsigned int nr_mt(const struct mmscope_phys_zone *z)
{
	return z->nr_mt < MMSCOPE_BUDDY_MAX_MT ? z->nr_mt : MMSCOPE_BUDDY_MAX_MT;
}

int phys_fetch(uint64_t start, uint64_t end, struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_PHYS,
		.start = start,
		.end = end,
	};

	return dev_query(&q, res);
}

/* ---- text ------------------------------------------------------------ */

/* "free 1.2 GiB (300000), anon 12.0 MiB (3072)": the kinds present. */
static void print_kinds(FILE *f, const __u64 *kinds, bool sizes)
{
	const char *sep = "";
	unsigned int k;
	char a[32];

	for (k = 0; k < MMSCOPE_FRAME_NR_KINDS; k++) {
		if (!kinds[k])
			continue;
		if (sizes)
			fprintf(f, "%s%s %s (%llu)", sep, kind_names[k],
				fmt_size(kinds[k] * 4096, a, sizeof(a)),
				(unsigned long long)kinds[k]);
		else
			fprintf(f, "%s%s %llu", sep, kind_names[k],
				(unsigned long long)kinds[k]);
		sep = ", ";
	}
	if (!*sep)
		fprintf(f, "none");
}

static void print_zone_text(FILE *f, const struct mmscope_phys_zone *z)
{
	char a[32], b[32], c[32], d[32];

	fprintf(f, "Node %u, zone %s: start_pfn %#llx, spanned %s, present %s, managed %s; pageblock %s\n",
		z->node, z->name, (unsigned long long)z->start_pfn,
		fmt_size(z->spanned * 4096, a, sizeof(a)),
		fmt_size(z->present * 4096, b, sizeof(b)),
		fmt_size(z->managed * 4096, c, sizeof(c)),
		fmt_size(4096ULL << z->block_order, d, sizeof(d)));
	fprintf(f, "  %-12s %-12s %7s %10s  %-11s %-9s %s\n", "START_PFN",
		"END_PFN", "BLOCKS", "SIZE", "MIGRATETYPE", "FILL", "PAGES");
}

static void print_run_text(FILE *f, const struct mmscope_phys_zone *z,
			   const struct mmscope_phys_run *r)
{
	const char *mt = mt_name(z, r->mt);
	char a[32];

	fprintf(f, "  %#-12llx %#-12llx %7u %10s  %-11s %-9s ",
		(unsigned long long)r->start_pfn, (unsigned long long)r->end_pfn,
		r->nr_blocks,
		fmt_size((r->end_pfn - r->start_pfn) * 4096, a, sizeof(a)),
		mt ? mt : "-", fill_name(r->fill));
	print_kinds(f, r->kinds, false);
	fputc('\n', f);
}

static void print_zone_end_text(FILE *f, const struct mmscope_phys_zone *z,
				const struct mmscope_phys_zone_end *e)
{
	unsigned int i;

	fprintf(f, "\n  pages: ");
	print_kinds(f, e->kinds, true);
	if (e->foreign)
		fprintf(f, "; %llu pages of another zone in the span",
			(unsigned long long)e->foreign);
	fprintf(f, "\n  pageblocks by migratetype:");
	for (i = 0; z && i < nr_mt(z); i++)
		fprintf(f, " %s %llu", z->mt_names[i],
			(unsigned long long)e->mt_blocks[i]);
	fprintf(f, "\n  pageblocks by fill:");
	for (i = 0; i < MMSCOPE_FILL_NR; i++)
		if (e->fill_blocks[i])
			fprintf(f, " %s %llu", fill_names[i],
				(unsigned long long)e->fill_blocks[i]);
	fprintf(f, "\n  memory blocks: %llu; scanned in %.1f ms\n\n",
		(unsigned long long)e->memory_blocks, e->scan_ns / 1e6);
}

static void print_map_text(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_phys_zone *z = NULL;
	const struct mmscope_phys_end *end = NULL;
	const struct mmscope_rec_hdr *r;
	char a[32], b[32];

	for (r = NULL; (r = dev_next(res, r));) {
		switch (r->type) {
		case MMSCOPE_REC_PHYS_ZONE:
			z = (const void *)r;
			print_zone_text(f, z);
			break;
		case MMSCOPE_REC_PHYS_RUN:
			print_run_text(f, z, (const void *)r);
			break;
		case MMSCOPE_REC_PHYS_ZONE_END:
			print_zone_end_text(f, z, (const void *)r);
			break;
		case MMSCOPE_REC_PHYS_NODE: {
			const struct mmscope_phys_node *n = (const void *)r;

			fprintf(f, "Node %u: start_pfn %#llx, spanned %s, present %s, %u zones, %llu memory blocks\n  pages: ",
				n->node, (unsigned long long)n->start_pfn,
				fmt_size(n->spanned * 4096, a, sizeof(a)),
				fmt_size(n->present * 4096, b, sizeof(b)),
				n->nr_zones,
				(unsigned long long)n->memory_blocks);
			print_kinds(f, n->kinds, true);
			fprintf(f, "\n\n");
			break;
		}
		case MMSCOPE_REC_PHYS_END:
			end = (const void *)r;
			break;
		}
	}
	if (end) {
		fprintf(f, "All nodes: %llu pages scanned in %.1f ms; memory block %s\n  pages: ",
			(unsigned long long)end->pfns, end->scan_ns / 1e6,
			end->memory_block_bytes ?
			fmt_size(end->memory_block_bytes, a, sizeof(a)) :
			"none (no memory hotplug)");
		print_kinds(f, end->kinds, true);
		fputc('\n', f);
	}
	fprintf(f, "\nSizes in KiB/MiB/GiB (pages of 4 KiB; counts in parentheses are pages).\n"
		"A run: consecutive pageblocks [START_PFN, END_PFN) of one migratetype and fill;\n"
		"PAGES: its pages by kind.\n"
		"FILL: the one class of all the block's pages (free; user = anon, file, ksm, zero;\n"
		"slab; pagetable; reserved; hugetlb; other = kernel pages of no other kind, and\n"
		"per-CPU free pages; hole = no struct page, or another zone's), user when only\n"
		"user and free pages, else mixed.  Migratetype blocks are counted as\n"
		"/proc/pagetypeinfo counts them.  Each page is one lockless read, as\n"
		"/proc/kpageflags reads it: a busy system changes under the scan.\n");
}

static void print_flags_text(FILE *f, uint64_t kpf)
{
	char buf[512];

	bits_str(&kpf_bits, kpf, ",", buf, sizeof(buf));
	fputs(*buf ? buf : "-", f);
}

static void print_list_text(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;
	struct phys_zones zs;

	zones_get(res, &zs);
	fprintf(f, "%-12s %-9s %4s %-8s %-11s %-22s %s\n", "PFN", "KIND",
		"NODE", "ZONE", "MIGRATETYPE", "BUDDY", "FLAGS");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_phys_pfn *p = (const void *)r;
		const struct mmscope_phys_zone *z;
		const char *mt;
		char blk[32] = "-";

		if (r->type != MMSCOPE_REC_PHYS_PFN)
			continue;
		z = p->node >= 0 ? zone_find(&zs, p->node, p->zone_idx) : NULL;
		mt = mt_name(z ? z : zs.n ? zs.z[0] : NULL, p->mt);
		if (p->kind == MMSCOPE_FRAME_FREE)
			snprintf(blk, sizeof(blk), "%#llx order %u",
				 (unsigned long long)p->buddy_pfn, p->buddy_order);
		fprintf(f, "%#-12llx %-9s ", (unsigned long long)p->pfn,
			kind_name(p->kind));
		if (p->node >= 0)
			fprintf(f, "%4d %-8s ", p->node, z ? z->name : "?");
		else
			fprintf(f, "%4s %-8s ", "-", "-");
		fprintf(f, "%-11s %-22s ", mt ? mt : "-", blk);
		print_flags_text(f, p->kpf);
		fputc('\n', f);
	}
	fprintf(f, "\nKIND: what the frame is (free: in a free buddy block, BUDDY its first PFN\n"
		"and order; absent: no struct page).  MIGRATETYPE: of its pageblock.  FLAGS:\n"
		"the /proc/kpageflags bits, named as page-types names them.\n");
}

/* ---- JSON ------------------------------------------------------------ */

static void json_kinds(const char *key, const __u64 *kinds)
{
	unsigned int k;

	json_obj_open(key);
	for (k = 0; k < MMSCOPE_FRAME_NR_KINDS; k++)
		json_u64(kind_names[k], kinds[k]);
	json_obj_close();
}

static void json_zone_open(const struct mmscope_phys_zone *z)
{
	json_obj_open(NULL);
	json_str("name", z->name);
	json_u64("zone_idx", z->zone_idx);
	json_u64("start_pfn", z->start_pfn);
	json_u64("spanned", z->spanned);
	json_u64("present", z->present);
	json_u64("managed", z->managed);
	json_u64("pageblock_pages", 1ULL << z->block_order);
	json_arr_open("runs");
}

static void json_run(const struct mmscope_phys_zone *z,
		     const struct mmscope_phys_run *r)
{
	json_obj_open(NULL);
	json_u64("start_pfn", r->start_pfn);
	json_u64("end_pfn", r->end_pfn);
	json_u64("blocks", r->nr_blocks);
	json_str("migratetype", mt_name(z, r->mt));
	json_str("fill", fill_name(r->fill));
	json_kinds("pages", r->kinds);
	json_obj_close();
}

static void json_zone_close(const struct mmscope_phys_zone *z,
			    const struct mmscope_phys_zone_end *e)
{
	unsigned int i;

	json_arr_close();		/* runs */
	json_kinds("pages", e->kinds);
	json_u64("other_zone_pages", e->foreign);
	json_obj_open("blocks");
	for (i = 0; i < nr_mt(z); i++)
		json_u64(z->mt_names[i], e->mt_blocks[i]);
	json_obj_close();
	json_obj_open("fill_blocks");
	for (i = 0; i < MMSCOPE_FILL_NR; i++)
		json_u64(fill_names[i], e->fill_blocks[i]);
	json_obj_close();
	json_u64("memory_blocks", e->memory_blocks);
	json_u64("scan_ns", e->scan_ns);
	json_obj_close();
}

void phys_print_json(const struct mmscope_result *res)
{
	const struct mmscope_phys_zone *z = NULL;
	const struct mmscope_phys_end *end = NULL;
	const struct mmscope_rec_hdr *r;
	bool node_open = false;

	json_obj_open(NULL);
	json_str("type", "phys");
	json_bool("changed", res->end && (res->end->flags & MMSCOPE_END_CHANGED));
	json_arr_open("nodes");
	for (r = NULL; (r = dev_next(res, r));) {
		switch (r->type) {
		case MMSCOPE_REC_PHYS_ZONE:
			if (!node_open) {
				json_obj_open(NULL);
				json_arr_open("zones");
				node_open = true;
			}
			z = (const void *)r;
			json_zone_open(z);
			break;
		case MMSCOPE_REC_PHYS_RUN:
			if (z)
				json_run(z, (const void *)r);
			break;
		case MMSCOPE_REC_PHYS_ZONE_END:
			if (z)
				json_zone_close(z, (const void *)r);
			z = NULL;
			break;
		case MMSCOPE_REC_PHYS_NODE: {
			const struct mmscope_phys_node *n = (const void *)r;

			if (!node_open) {	/* a node without memory */
				json_obj_open(NULL);
				json_arr_open("zones");
			}
			json_arr_close();
			node_open = false;
			json_u64("node", n->node);
			json_u64("start_pfn", n->start_pfn);
			json_u64("spanned", n->spanned);
			json_u64("present", n->present);
			json_u64("memory_blocks", n->memory_blocks);
			json_kinds("pages", n->kinds);
			json_obj_close();
			break;
		}
		case MMSCOPE_REC_PHYS_END:
			end = (const void *)r;
			break;
		}
	}
	json_arr_close();
	if (end) {
		json_kinds("pages", end->kinds);
		json_u64("pfns", end->pfns);
		json_u64("scan_ns", end->scan_ns);
		json_u64("memory_block_bytes", end->memory_block_bytes);
	}
	json_obj_close();
}

static void print_list_json(const struct mmscope_result *res)
{
	const struct mmscope_phys_end *end = NULL;
	const struct mmscope_rec_hdr *r;
	struct phys_zones zs;

	zones_get(res, &zs);
	json_obj_open(NULL);
	json_str("type", "phys_pfns");
	json_arr_open("pfns");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_phys_pfn *p = (const void *)r;
		const struct mmscope_phys_zone *z;

		if (r->type == MMSCOPE_REC_PHYS_END)
			end = (const void *)r;
		if (r->type != MMSCOPE_REC_PHYS_PFN)
			continue;
		z = p->node >= 0 ? zone_find(&zs, p->node, p->zone_idx) : NULL;
		json_obj_open(NULL);
		json_u64("pfn", p->pfn);
		json_str("kind", kind_name(p->kind));
		json_bits("flags", &kpf_bits, p->kpf);
		json_u64("kpageflags", p->kpf);
		if (p->node >= 0) {
			json_u64("node", p->node);
			json_str("zone", z ? z->name : NULL);
		} else {
			json_null("node");
			json_null("zone");
		}
		json_str("migratetype", mt_name(z ? z : zs.n ? zs.z[0] : NULL,
						p->mt));
		json_u64("folio_order", p->folio_order);
		if (p->kind == MMSCOPE_FRAME_FREE) {
			json_obj_open("buddy");
			json_u64("pfn", p->buddy_pfn);
			json_u64("order", p->buddy_order);
			json_obj_close();
		} else {
			json_null("buddy");
		}
		json_obj_close();
	}
	json_arr_close();
	if (end)
		json_kinds("pages", end->kinds);
	json_obj_close();
}

int cmd_phys(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "range", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t start = 0, end = 0;
	struct mmscope_result res;
	int opt, err, status;

	while ((opt = cmd_getopt(argc, argv, "r:", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'r') {
			if (parse_range(optarg, &start, &end) || end <= start)
				return usage_error("phys",
						   "bad PFN range '%s' (START-END, END > START)",
						   optarg);
		}
	}
	if (optind < argc)
		return usage_error("phys", "unexpected argument '%s'",
				   argv[optind]);
	err = phys_fetch(start, end, &res);
	if (err)
		return dev_error(err, end ? "phys --range" : "phys", -1);
	if (json_output)
		end ? print_list_json(&res) : phys_print_json(&res);
	else if (end)
		print_list_text(stdout, &res);
	else
		print_map_text(stdout, &res);
	dev_result_free(&res);
	return 0;
}
