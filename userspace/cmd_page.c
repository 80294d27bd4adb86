// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope page PFN | --phys ADDR | --pid PID ADDR: one page frame, what it
 * is, and every process and address that maps it (root only).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <linux/kernel-page-flags.h>
#include "cli.h"

static const char *const kind_names[] = MMSCOPE_FRAME_KIND_NAMES;
static const char *const why_names[] = MMSCOPE_PAGE_WHY_NAMES;
static const char *const pt_why_names[] = MMSCOPE_PT_WHY_NAMES;

static const char *kind_name(unsigned int kind)
{
	return kind < sizeof(kind_names) / sizeof(kind_names[0]) &&
	       kind_names[kind] ? kind_names[kind] : "?";
}

static const char *why_name(unsigned int why)
{
	return why < MMSCOPE_WHY_NR && why_names[why] ? why_names[why] : "?";
}

/* The records of one answer. */
struct page_answer {
	const struct mmscope_page *page;
	const struct mmscope_page_end *end;
	const struct mmscope_page_pt *pt;	/* NULL: not a page table */
	const char *path, *memcg;		/* NULL: not known */
};

/*
 * The page record's two strings, checked against its length: each is
 * its length's bytes, a NUL, zero padding to 8 bytes.
 */
static int page_strings(const struct mmscope_page *p, struct page_answer *a)
{
	size_t room = p->hdr.len - sizeof(*p);
	size_t off = (p->path_len + 1 + 7) & ~7UL;
	size_t need = off + ((p->memcg_len + 1 + 7) & ~7UL);

	if (p->hdr.len < sizeof(*p) || need > room ||
	    p->strings[p->path_len] || p->strings[off + p->memcg_len])
		return -1;
	a->path = p->path_len ? p->strings : NULL;
	a->memcg = (p->bits & MMSCOPE_PAGE_MEMCG) ? p->strings + off : NULL;
	return 0;
}

static int page_parse(const struct mmscope_result *res, struct page_answer *a)
{
	const struct mmscope_rec_hdr *r;

	memset(a, 0, sizeof(*a));
	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_PAGE && !a->page) {
			a->page = (const void *)r;
			if (page_strings(a->page, a))
				return -1;
		} else if (r->type == MMSCOPE_REC_PAGE_END &&
			   r->len >= sizeof(*a->end)) {
			a->end = (const void *)r;
		} else if (r->type == MMSCOPE_REC_PAGE_PT &&
			   r->len >= sizeof(*a->pt)) {
			a->pt = (const void *)r;
		}
	}
	return a->page && a->end ? 0 : -1;
}

#define FOR_EACH_MAPPER(res, r)						\
	for (r = NULL; (r = dev_next(res, r));)				\
		if (r->type == MMSCOPE_REC_PAGE_MAPPER &&		\
		    r->len >= sizeof(struct mmscope_page_mapper))

#define FOR_EACH_PT_OWNER(res, r)					\
	for (r = NULL; (r = dev_next(res, r));)				\
		if (r->type == MMSCOPE_REC_PAGE_PT_OWNER &&		\
		    r->len >= sizeof(struct mmscope_page_pt_owner))

static const char *pt_why_name(unsigned int why)
{
	return why < MMSCOPE_PTW_NR && pt_why_names[why] ?
	       pt_why_names[why] : "?";
}

/* "pagetable": which table of whom the frame is; null when none. */
static void page_pt_json(const struct mmscope_result *res,
			 const struct page_answer *a)
{
	const struct mmscope_page_pt *pt = a->pt;
	const struct mmscope_rec_hdr *r;
	char comm[MMSCOPE_COMM_LEN + 1];

	if (!pt) {
		json_null("pagetable");
		return;
	}
	json_obj_open("pagetable");
	if (pt->level < MMSCOPE_PT_NR_LEVELS)
		json_str("level", pt_level_name(pt->level));
	else
		json_null("level");
	json_arr_open("owners");
	FOR_EACH_PT_OWNER(res, r) {
		const struct mmscope_page_pt_owner *o = (const void *)r;
		bool kernel = o->flags & MMSCOPE_PTO_KERNEL;

		json_obj_open(NULL);
		if (kernel) {
			json_null("pid");
			json_null("comm");
		} else {
			json_s64("pid", o->pid);
			snprintf(comm, sizeof(comm), "%.*s", MMSCOPE_COMM_LEN,
				 o->comm);
			json_str("comm", comm);
		}
		json_bool("kernel", kernel);
		json_str("level", pt_level_name(o->level));
		json_hex("addr", o->addr);
		json_obj_close();
	}
	json_arr_close();
	json_bool("complete", pt->complete);
	json_str("incomplete", pt->complete ? NULL : pt_why_name(pt->why));
	json_u64("processes", pt->mms);
	json_u64("max_hold_ns", pt->hold_ns);
	json_u64("max_kernel_hold_ns", pt->khold_ns);
	json_u64("total_ns", pt->total_ns);
	json_obj_close();
}

static void page_print_json(const struct mmscope_result *res,
			    const struct page_answer *a)
{
	const struct mmscope_page *p = a->page;
	const struct mmscope_rec_hdr *r;
	char comm[MMSCOPE_COMM_LEN + 1];

	json_obj_open(NULL);
	json_str("type", "page");
	json_u64("pfn", p->pfn);
	json_hex("phys", p->phys);
	if (p->bits & MMSCOPE_PAGE_ZONE) {
		json_u64("node", p->node);
		json_str("zone", p->zone);
	} else {
		json_null("node");
		json_null("zone");
	}
	json_u64("section", p->section);
	if (p->bits & MMSCOPE_PAGE_BLOCK)
		json_u64("memory_block", p->memory_block);
	else
		json_null("memory_block");
	if (p->bits & MMSCOPE_PAGE_ZONE) {
		json_obj_open("pageblock");
		json_u64("pfn", p->pageblock_pfn);
		json_str("migratetype", p->pageblock_mt_name);
		json_obj_close();
	} else {
		json_null("pageblock");
	}
	json_str("kind", kind_name(p->kind));
	json_bits("flags", &kpf_bits, p->flags);
	json_s64("refcount", p->refcount);
	json_s64("mapcount", p->mapcount);
	if (p->bits & MMSCOPE_PAGE_STRUCT) {
		json_obj_open("folio");
		json_u64("pfn", p->folio_pfn);
		json_u64("order", p->folio_order);
		json_obj_close();
	} else {
		json_null("folio");
	}
	json_bool("large", p->bits & MMSCOPE_PAGE_LARGE);
	json_bool("partially_mapped", p->bits & MMSCOPE_PAGE_PARTIAL);
	json_str("memcg", a->memcg);
	if (p->bits & MMSCOPE_PAGE_BUDDY) {
		json_obj_open("buddy");
		json_u64("pfn", p->buddy_pfn);
		json_u64("order", p->buddy_order);
		json_str("migratetype", p->buddy_mt_name);
		json_obj_close();
	} else {
		json_null("buddy");
	}
	if (p->bits & MMSCOPE_PAGE_PCP) {
		json_obj_open("pcp");
		json_u64("cpu", p->pcp_cpu);
		json_u64("pfn", p->pcp_pfn);
		json_u64("order", p->pcp_order);
		json_str("migratetype", p->pcp_mt_name);
		json_obj_close();
	} else {
		json_null("pcp");
	}
	/* Searched only for a frame with no references, in no free block. */
	if (!a->end->pcp_locks)
		json_null("pcp_search");
	else
		json_str("pcp_search", p->bits & MMSCOPE_PAGE_PCP_BOUNDED ?
			 "bounded" : "complete");
	if (p->bits & MMSCOPE_PAGE_SLAB) {
		json_obj_open("slab");
		json_str("cache", p->slab_cache);
		json_u64("object", p->slab_object);
		json_obj_close();
	} else {
		json_null("slab");
	}
	if (p->bits & MMSCOPE_PAGE_FILE) {
		json_obj_open("file");
		json_str("path", a->path);
		json_u64("inode", p->file_inode);
		json_u64("index", p->file_index);
		json_obj_close();
	} else {
		json_null("file");
	}
	page_pt_json(res, a);
	json_arr_open("mappers");
	FOR_EACH_MAPPER(res, r) {
		const struct mmscope_page_mapper *m = (const void *)r;

		json_obj_open(NULL);
		json_s64("pid", m->pid);
		snprintf(comm, sizeof(comm), "%.*s", MMSCOPE_COMM_LEN, m->comm);
		json_str("comm", comm);
		json_hex("addr", m->addr);
		json_str("level", pt_level_name(m->level));
		json_bits("flags", &pt_flag_bits, m->flags);
		json_obj_close();
	}
	json_arr_close();
	json_bool("mappers_complete", a->end->complete);
	if (a->end->complete)
		json_null("mappers_incomplete");
	else
		json_str("mappers_incomplete", why_name(a->end->why));
	json_obj_close();
}

static const char *const why_text[] = {
	[MMSCOPE_WHY_MAX_MAPPERS] = "stopped at the max_mappers bound (module parameter)",
	[MMSCOPE_WHY_MAX_VMAS] = "stopped at the max_vmas bound (module parameter)",
	[MMSCOPE_WHY_HOLD] = "stopped: the reverse-map lock was held for its time bound",
	[MMSCOPE_WHY_BUSY] = "the reverse-map lock (or the page lock) stayed busy",
	[MMSCOPE_WHY_KSM] = "a KSM page: this kernel's BTF lacks the stable tree's layout, not walked",
	[MMSCOPE_WHY_NO_RMAP] = "no reverse map leads from this frame to its mappers",
	[MMSCOPE_WHY_CHANGED] = "the frame, a page table or a KSM stable node changed during the search (or failed a check)",
	[MMSCOPE_WHY_NOMEM] = "no memory for more mapper records",
};

static const char *const pt_why_text[] = {
	[MMSCOPE_PTW_MAX_OWNERS] = "stopped at the most owners listed",
	[MMSCOPE_PTW_MAX_MMS] = "stopped at the most processes searched",
	[MMSCOPE_PTW_TIME] = "stopped at the search's time bound",
	[MMSCOPE_PTW_HOLD] = "a process's mmap_lock was held for its time bound",
	[MMSCOPE_PTW_BUSY] = "a process's mmap_lock stayed busy: its tables were not searched",
	[MMSCOPE_PTW_KERNEL] = "the kernel's tables could not be searched (lockdown, or init_mm not found)",
	[MMSCOPE_PTW_PTI] = "PTI's own kernel tables in the user copies are not searched",
	[MMSCOPE_PTW_CHANGED] = "a kernel table changed during the search",
};

static void page_pt_text(const struct mmscope_result *res,
			 const struct page_answer *a)
{
	const struct mmscope_page_pt *pt = a->pt;
	const struct mmscope_rec_hdr *r;
	char range[64];

	if (!pt)
		return;
	printf("\npage table: %s, %llu owner%s%s (%llu processes searched, mmap_lock held %.1f us at most, kernel walk %.1f us at most with interrupts off)\n",
	       pt->level < MMSCOPE_PT_NR_LEVELS ? pt_level_name(pt->level) :
	       "not found", (unsigned long long)pt->owners,
	       pt->owners == 1 ? "" : "s", pt->complete ? ", complete" : "",
	       (unsigned long long)pt->mms, pt->hold_ns / 1e3,
	       pt->khold_ns / 1e3);
	if (!pt->complete)
		printf("INCOMPLETE: %s\n",
		       pt->why < MMSCOPE_PTW_NR && pt_why_text[pt->why] ?
		       pt_why_text[pt->why] : pt_why_name(pt->why));
	if (!pt->owners)
		return;
	printf("%8s %-16s %-5s %s\n", "PID", "COMM", "LEVEL", "MAPS FROM");
	FOR_EACH_PT_OWNER(res, r) {
		const struct mmscope_page_pt_owner *o = (const void *)r;

		snprintf(range, sizeof(range), "0x%llx",
			 (unsigned long long)o->addr);
		if (o->flags & MMSCOPE_PTO_KERNEL)
			printf("%8s %-16s %-5s %s\n", "-", "[kernel]",
			       pt_level_name(o->level), range);
		else
			printf("%8d %-16.16s %-5s %s\n", o->pid, o->comm,
			       pt_level_name(o->level), range);
	}
}

static void page_print_text(const struct mmscope_result *res,
			    const struct page_answer *a)
{
	const struct mmscope_page *p = a->page;
	const struct mmscope_rec_hdr *r;
	char buf[512];

#define ROW "%-14s "
	printf(ROW "%llu (%#llx)\n", "pfn", (unsigned long long)p->pfn,
	       (unsigned long long)p->pfn);
	printf(ROW "%#llx\n", "phys", (unsigned long long)p->phys);
	if (p->pid)
		printf(ROW "%#llx in process %d, via a %s leaf\n", "address",
		       (unsigned long long)p->vaddr, p->pid,
		       pt_level_name(p->vaddr_level));
	printf(ROW "%s\n", "kind", kind_name(p->kind));
	if (p->bits & MMSCOPE_PAGE_ZONE)
		printf(ROW "node %d, zone %s\n", "where", p->node, p->zone);
	else
		printf(ROW "no online struct page\n", "where");
	printf(ROW "%llu", "section", (unsigned long long)p->section);
	if (p->bits & MMSCOPE_PAGE_BLOCK)
		printf(", memory block %llu", (unsigned long long)p->memory_block);
	printf("\n");
	if (p->bits & MMSCOPE_PAGE_ZONE)
		printf(ROW "pfn %llu, %s\n", "pageblock",
		       (unsigned long long)p->pageblock_pfn,
		       p->pageblock_mt_name);
	bits_str(&kpf_bits, p->flags, " ", buf, sizeof(buf));
	printf(ROW "%s\n", "flags", buf[0] ? buf : "-");
	/*
	 * v6.12's /proc/kpageflags tests "mapping & PAGE_MAPPING_KSM", which
	 * the ANON bit alone satisfies (PAGE_MAPPING_KSM is ANON | MOVABLE):
	 * it sets ksm on every anonymous page.  The flags copy it bit for bit;
	 * the kind is the module's own test, the whole mapping flags.
	 */
	if ((p->flags & (1ULL << KPF_KSM)) && p->kind != MMSCOPE_FRAME_KSM)
		printf(ROW "ksm as this kernel's /proc/kpageflags sets it on every anonymous\n"
		       ROW "page; the page is not KSM (kind %s)\n",
		       "note", "", kind_name(p->kind));
	if (p->bits & MMSCOPE_PAGE_STRUCT) {
		printf(ROW "%d (mmscope's own reference not counted)\n",
		       "refcount", p->refcount);
		printf(ROW "%d\n", "mapcount", p->mapcount);
		printf(ROW "head pfn %llu, order %u (%lu KiB)%s%s\n", "folio",
		       (unsigned long long)p->folio_pfn, p->folio_order,
		       4UL << p->folio_order,
		       p->bits & MMSCOPE_PAGE_LARGE ? ", large" : "",
		       p->bits & MMSCOPE_PAGE_PARTIAL ?
		       ", partially mapped" : "");
	}
	printf(ROW "%s\n", "memcg", a->memcg ? a->memcg : "-");
	if (p->bits & MMSCOPE_PAGE_BUDDY)
		printf(ROW "free block at pfn %llu, order %u (%lu KiB), %s\n",
		       "buddy", (unsigned long long)p->buddy_pfn,
		       p->buddy_order, 4UL << p->buddy_order,
		       p->buddy_mt_name);
	if (p->bits & MMSCOPE_PAGE_PCP)
		printf(ROW "on CPU %d's list: block at pfn %llu, order %u (%lu KiB), %s\n",
		       "pcp", p->pcp_cpu, (unsigned long long)p->pcp_pfn,
		       p->pcp_order, 4UL << p->pcp_order, p->pcp_mt_name);
	else if (p->bits & MMSCOPE_PAGE_PCP_BOUNDED)
		printf(ROW "not found: the search stopped at its lock-hold bound\n",
		       "pcp");
	else if (a->end->pcp_locks)
		printf(ROW "on no CPU's list (being freed or allocated)\n", "pcp");
	if (p->bits & MMSCOPE_PAGE_SLAB)
		printf(ROW "cache %s, object %u\n", "slab", p->slab_cache,
		       p->slab_object);
	if (p->bits & MMSCOPE_PAGE_FILE)
		printf(ROW "%s, inode %llu, index %llu\n", "file",
		       a->path ? a->path : "?",
		       (unsigned long long)p->file_inode,
		       (unsigned long long)p->file_index);
	if (p->bits & MMSCOPE_PAGE_CHANGED)
		printf("the frame changed while it was read: its state is partial\n");
#undef ROW
	if (a->end->pcp_locks)
		printf("\nper-CPU lists: %u entries searched in %u lock holds, held %.1f us at most\n",
		       a->end->pcp_entries, a->end->pcp_locks,
		       a->end->pcp_hold_ns / 1e3);

	page_pt_text(res, a);
	printf("\nmappers: %llu%s (%llu VMAs searched, reverse-map lock held %.1f us at most)\n",
	       (unsigned long long)a->end->mappers,
	       a->end->complete ? ", complete" : "",
	       (unsigned long long)a->end->vmas, a->end->hold_ns / 1e3);
	if (!a->end->complete)
		printf("INCOMPLETE: %s\n",
		       a->end->why < MMSCOPE_WHY_NR && why_text[a->end->why] ?
		       why_text[a->end->why] : why_name(a->end->why));
	if (a->end->mappers) {
		printf("%8s %-16s %-18s %-5s %s\n", "PID", "COMM", "ADDRESS",
		       "LEVEL", "FLAGS");
		FOR_EACH_MAPPER(res, r) {
			const struct mmscope_page_mapper *m = (const void *)r;

			bits_str(&pt_flag_bits, m->flags, " ", buf, sizeof(buf));
			printf("%8d %-16.16s %#-18llx %-5s %s\n", m->pid, m->comm,
			       (unsigned long long)m->addr,
			       pt_level_name(m->level), buf);
		}
	}
	printf("\nLegend: flags: /proc/kpageflags bits by page-types' names; refcount,\n"
	       "mapcount: the folio's references and /proc/kpagecount's count; memcg: the\n"
	       "cgroup it is charged to; pcp: the CPU whose per-CPU free list holds a free\n"
	       "frame that is in no buddy block (block: that list entry; order and migratetype\n"
	       "from the list it is on); mappers: found through the kernel's reverse map\n"
	       "(PID 0: the mm's owner is not in your PID namespace); ADDRESS: virtual, hex;\n"
	       "LEVEL: the page-table level of the entry that maps it; FLAGS: that entry's bits;\n"
	       "page table: the table this frame is, found by searching every process's\n"
	       "and the kernel's tables; MAPS FROM: the first virtual address it maps.\n");
}

/*
 * Canonical with 4-level (bits 63-47 equal) or 5-level paging (bits 63-56
 * equal)?  As translate checks it.
 */
static bool canonical(uint64_t addr)
{
	return (uint64_t)((int64_t)(addr << 16) >> 16) == addr ||
	       (uint64_t)((int64_t)(addr << 7) >> 7) == addr;
}

int cmd_page(int argc, char **argv)
{
	enum { OPT_PID = 256, OPT_PHYS };
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, OPT_PID },
		{ "phys", no_argument, NULL, OPT_PHYS },
		{ NULL, 0, NULL, 0 },
	};
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_PAGE,
	};
	struct mmscope_result res;
	struct page_answer a;
	bool phys = false;
	int opt, err, status, pid = 0;
	uint64_t v;
	char what[64];

	while ((opt = cmd_getopt(argc, argv, "", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == OPT_PHYS)
			phys = true;
		if (opt == OPT_PID && (parse_pid(optarg, &pid) || pid <= 0))
			return usage_error("page", "'%s' is not a valid PID",
					   optarg);
	}
	if (phys && pid)
		return usage_error("page", "--phys and --pid exclude each other");
	if (argc - optind < 1)
		return usage_error("page", pid ? "expected ADDR" : phys ?
				   "expected a physical ADDR" : "expected PFN");
	if (argc - optind > 1)
		return usage_error("page", "unexpected argument '%s'",
				   argv[optind + 1]);
	if (parse_u64(argv[optind], &v))
		return usage_error("page", "'%s' is not a number", argv[optind]);
	if (pid && !canonical(v))
		return usage_error("page", "%s is a non-canonical address",
				   argv[optind]);
	q.pid = pid;
	q.start = phys ? v >> 12 : v;
	err = dev_query(&q, &res);
	snprintf(what, sizeof(what), "page %s", argv[optind]);
	if (err == -ENXIO && pid)
		return error("page: no page is mapped at %s in process %d",
			     argv[optind], pid);
	if (err == -EINVAL && !pid)
		return error("page: %s is beyond any physical address of this machine",
			     argv[optind]);
	if (err == -EINVAL && pid)
		return error("page: %s is above the user address space of this machine",
			     argv[optind]);
	if (err)
		return dev_error(err, what, err == -ESRCH ? pid : -1);
	if (page_parse(&res, &a)) {
		dev_result_free(&res);
		return error("page: the module's answer is malformed");
	}
	if (json_output)
		page_print_json(&res, &a);
	else
		page_print_text(&res, &a);
	dev_result_free(&res);
	return 0;
}
