// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope kernel: the kernel half of the page tables (root only), as runs
 * named by the region they lie in, the page-table pages and mapped pages
 * per region, the W+X ranges and the direct map's split by page size.
 * With --user-pgd PID (page-table isolation on): the same view of the
 * user-mode copy of PID's pgd, both halves, and its slots beside the
 * kernel copy's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char *const size_keys[] = { "4k", "2m", "1g" };

struct kernel_view {
	const struct mmscope_kernel_region *regions[64];
	unsigned int nr_regions;
	const struct mmscope_kernel_summary *sum;
	int pid;			/* --user-pgd PID, else 0 */
};

static void kernel_index(const struct mmscope_result *res,
			 struct kernel_view *v)
{
	const struct mmscope_rec_hdr *r;

	int pid = v->pid;

	memset(v, 0, sizeof(*v));
	v->pid = pid;
	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_KERNEL_REGION &&
		    r->len >= sizeof(struct mmscope_kernel_region) &&
		    v->nr_regions < sizeof(v->regions) / sizeof(v->regions[0]))
			v->regions[v->nr_regions++] = (const void *)r;
		else if (r->type == MMSCOPE_REC_KERNEL_SUMMARY &&
			 r->len >= sizeof(struct mmscope_kernel_summary))
			v->sum = (const void *)r;
	}
}

static const char *region_name(const struct kernel_view *v, unsigned int i)
{
	return i < v->nr_regions ? v->regions[i]->name : "?";
}

static void kernel_print_json(const struct mmscope_result *res,
			      const struct kernel_view *v)
{
	const struct mmscope_kernel_summary *s = v->sum;
	const struct mmscope_rec_hdr *r;
	unsigned int i, j;

	json_obj_open(NULL);
	json_str("type", "kernel");
	if (v->pid)
		json_u64("pid", v->pid);
	json_u64("levels", s->levels);
	json_bool("pti", s->pti);
	json_obj_open("bases");
	json_hex("page_offset", s->base_page_offset);
	json_hex("vmalloc", s->base_vmalloc);
	json_hex("vmemmap", s->base_vmemmap);
	json_obj_close();
	json_arr_open("regions");
	for (i = 0; i < v->nr_regions; i++) {
		const struct mmscope_kernel_region *g = v->regions[i];

		json_obj_open(NULL);
		json_str("name", g->name);
		json_hex("start", g->start);
		json_hex("end", g->end);
		json_bool("derived", g->flags & MMSCOPE_KREGION_DERIVED);
		json_obj_open("tables");
		for (j = 0; j < MMSCOPE_PT_NR_LEVELS; j++)
			json_u64(pt_level_name(j), g->tables[j]);
		json_obj_close();
		json_obj_open("pages");
		for (j = 0; j < 3; j++)
			json_u64(size_keys[j], g->pages[j]);
		json_obj_close();
		json_obj_close();
	}
	json_arr_close();
	json_arr_open("runs");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_kernel_run *run = (const void *)r;

		if (r->type != MMSCOPE_REC_KERNEL_RUN)
			continue;
		json_obj_open(NULL);
		pt_run_json_head(run->start, run->end, run->level, run->count,
				 run->kind, run->kind == MMSCOPE_PTK_PRESENT,
				 run->pfn, run->flags);
		json_bits("effective", &pt_flag_bits, run->eff_flags);
		json_null("swap");
		json_str("region", region_name(v, run->region));
		json_obj_close();
	}
	json_arr_close();
	json_arr_open("wx");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_kernel_wx *w = (const void *)r;

		if (r->type != MMSCOPE_REC_KERNEL_WX)
			continue;
		json_obj_open(NULL);
		json_hex("start", w->start);
		json_hex("end", w->end);
		json_u64("pages", w->pages);
		json_obj_close();
	}
	json_arr_close();
	if (v->pid) {
		json_str("pgd", "user");
		json_arr_open("pgd_slots");
		for (r = NULL; (r = dev_next(res, r));) {
			const struct mmscope_kernel_pgd_slot *p = (const void *)r;

			if (r->type != MMSCOPE_REC_KERNEL_PGD_SLOT ||
			    r->len < sizeof(*p))
				continue;
			json_obj_open(NULL);
			json_u64("index", p->index);
			json_hex("start", p->start);
			json_hex("user", p->user);
			json_hex("kernel", p->kernel);
			json_bool("same_table", p->same_table);
			json_obj_close();
		}
		json_arr_close();
	}
	json_obj_open("direct_map");
	for (j = 0; j < 3; j++)
		json_u64(size_keys[j], s->direct_map[j]);
	json_obj_close();
	json_obj_open("tables");
	for (j = 0; j < MMSCOPE_PT_NR_LEVELS; j++)
		json_u64(pt_level_name(j), s->tables[j]);
	json_obj_close();
	json_obj_open("holds");
	json_u64("count", s->holds);
	json_u64("max_entries", s->max_hold_entries);
	json_u64("limit", s->hold_limit);
	json_u64("max_ns", s->max_hold_ns);
	json_u64("entries", s->entries);
	json_obj_close();
	json_bool("changed", res->end && (res->end->flags & MMSCOPE_END_CHANGED));
	json_obj_close();
}

static void kernel_print_slots(const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;
	unsigned int used = 0, same = 0;

	printf("\n%-5s %-18s %-18s %-18s %s\n", "PGD", "START", "USER",
	       "KERNEL", "SAME");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_kernel_pgd_slot *p = (const void *)r;

		if (r->type != MMSCOPE_REC_KERNEL_PGD_SLOT || r->len < sizeof(*p))
			continue;
		printf("%-5u 0x%016llx 0x%016llx 0x%016llx %s\n", p->index,
		       (unsigned long long)p->start,
		       (unsigned long long)p->user,
		       (unsigned long long)p->kernel,
		       p->same_table ? "yes" : "no");
		if (p->index < 256 && (p->user || p->kernel)) {
			used++;
			same += p->same_table;
		}
	}
	printf("user half: %u slots in use, %u point to the same tables in both copies\n",
	       used, same);
}

static void kernel_print_text(const struct mmscope_result *res,
			      const struct kernel_view *v)
{
	const struct mmscope_kernel_summary *s = v->sum;
	const struct mmscope_rec_hdr *r;
	char sz[32], flags[256], pfn[24];
	unsigned int i, nwx = 0;

	if (v->pid)
		printf("The user-mode copy of process %d's pgd (page-table isolation): what the CPU\n"
		       "maps while user code runs.\n", v->pid);
	printf("%u-level paging, PTI %s; bases: page_offset %#llx, vmalloc %#llx, vmemmap %#llx\n\n",
	       s->levels, s->pti ? "on" : "off",
	       (unsigned long long)s->base_page_offset,
	       (unsigned long long)s->base_vmalloc,
	       (unsigned long long)s->base_vmemmap);
	printf("%-18s %-18s %11s %-3s %8s %-9s %-12s %-16s %s\n", "START", "END",
	       "SIZE", "LVL", "COUNT", "KIND", "PFN", "REGION", "FLAGS");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_kernel_run *run = (const void *)r;

		if (r->type != MMSCOPE_REC_KERNEL_RUN)
			continue;
		if (run->kind == MMSCOPE_PTK_PRESENT)
			snprintf(pfn, sizeof(pfn), "%#llx",
				 (unsigned long long)run->pfn);
		else
			snprintf(pfn, sizeof(pfn), "-");
		bits_str(&pt_flag_bits, run->flags, " ", flags, sizeof(flags));
		printf("%#018llx %#018llx %11s %-3s %8llu %-9s %-12s %-16s %s\n",
		       (unsigned long long)run->start,
		       (unsigned long long)run->end,
		       fmt_size(run->end - run->start, sz, sizeof(sz)),
		       pt_level_name(run->level),
		       (unsigned long long)run->count,
		       pt_kind_name(run->kind), pfn,
		       region_name(v, run->region), flags);
	}
	printf("\n%-16s %-18s %-18s %11s %6s %6s %6s %6s %8s %6s %6s\n", "REGION",
	       "START", "END", "SIZE", "P4D", "PUD", "PMD", "PTE", "4K", "2M",
	       "1G");
	for (i = 0; i < v->nr_regions; i++) {
		const struct mmscope_kernel_region *g = v->regions[i];

		printf("%-16s 0x%016llx 0x%016llx %11s %6llu %6llu %6llu %6llu %8llu %6llu %6llu%s\n",
		       g->name, (unsigned long long)g->start,
		       (unsigned long long)g->end,
		       fmt_size(g->end - g->start, sz, sizeof(sz)),
		       (unsigned long long)g->tables[MMSCOPE_PT_P4D],
		       (unsigned long long)g->tables[MMSCOPE_PT_PUD],
		       (unsigned long long)g->tables[MMSCOPE_PT_PMD],
		       (unsigned long long)g->tables[MMSCOPE_PT_PTE],
		       (unsigned long long)g->pages[0],
		       (unsigned long long)g->pages[1],
		       (unsigned long long)g->pages[2],
		       g->flags & MMSCOPE_KREGION_DERIVED ? " *" : "");
	}
	printf("\nW+X (writable and executable):");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_kernel_wx *w = (const void *)r;

		if (r->type != MMSCOPE_REC_KERNEL_WX)
			continue;
		printf("\n  %#018llx-%#018llx %llu pages",
		       (unsigned long long)w->start, (unsigned long long)w->end,
		       (unsigned long long)w->pages);
		nwx++;
	}
	printf("%s\n", nwx ? "" : " none");
	if (v->pid)
		kernel_print_slots(res);
	printf(v->pid ? "direct map in this copy: 4 KiB pages %llu, 2 MiB %llu, 1 GiB %llu (the per-CPU TSS pages)\n" :
	       "direct map: 4 KiB pages %llu, 2 MiB %llu, 1 GiB %llu (/proc/meminfo DirectMap4k/2M/1G)\n",
	       (unsigned long long)s->direct_map[0],
	       (unsigned long long)s->direct_map[1],
	       (unsigned long long)s->direct_map[2]);
	printf("page-table pages: pgd %llu, p4d %llu, pud %llu, pmd %llu, pte %llu\n",
	       (unsigned long long)s->tables[MMSCOPE_PT_PGD],
	       (unsigned long long)s->tables[MMSCOPE_PT_P4D],
	       (unsigned long long)s->tables[MMSCOPE_PT_PUD],
	       (unsigned long long)s->tables[MMSCOPE_PT_PMD],
	       (unsigned long long)s->tables[MMSCOPE_PT_PTE]);
	printf("walked in %llu interrupts-off holds of at most %llu entries (limit %llu), longest %llu us\n",
	       (unsigned long long)s->holds,
	       (unsigned long long)s->max_hold_entries,
	       (unsigned long long)s->hold_limit,
	       (unsigned long long)(s->max_hold_ns / 1000));
	printf("\nLegend: one line per run of entries at one level with the same kind, flags and\n"
	       "region and contiguous PFNs (hex). SIZE: bytes mapped (KiB/MiB/GiB). REGION: the\n"
	       "part of the kernel half the run starts in, with this boot's (KASLR) bases; regions\n"
	       "marked * have bounds found from the tables around a symbol of that section.\n"
	       "P4D..PTE: page-table pages first entered in the region; 4K/2M/1G: present pages\n"
	       "mapped per size. FLAGS as in pt (rw writable, nx no-execute, global, pse huge).\n");
	if (v->pid)
		printf("PGD SLOTS: each slot either copy fills; USER the user copy's entry, KERNEL\n"
		       "mm->pgd's. SAME: both point to the same next table (the user half: the kernel\n"
		       "copy's entries get NX added, pti_set_user_pgtbl()); the kernel half of the user\n"
		       "copy maps only the entry text, cpu_entry_area, ESPfix, the LDT remap and the\n"
		       "per-CPU TSS (cpu_tss_rw, in the direct map).\n");
	if (res->end && (res->end->flags & MMSCOPE_END_CHANGED))
		printf("Note: the page tables changed during the walk.\n");
}

int kernel_fetch(struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_KERNEL,
	};

	return dev_query(&q, res);
}

static int kernel_user_fetch(int pid, struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_KERNEL_USER,
		.pid = pid,
	};

	return dev_query(&q, res);
}

/* Why a kernel view was refused, in one line; returns 1. */
int kernel_error(int err, const char *what)
{
	if (err == -EPERM && geteuid() == 0)
		return error("%s: refused: kernel lockdown (confidentiality) hides the kernel's layout, or CAP_SYS_ADMIN is missing",
			     what);
	return dev_error(err, what, -1);
}

int cmd_kernel(int argc, char **argv)
{
	enum { OPT_USER_PGD = 256 };
	static const struct option opts[] = {
		{ "user-pgd", required_argument, NULL, OPT_USER_PGD },
		{ NULL, 0, NULL, 0 },
	};
	struct mmscope_result res;
	struct kernel_view v = { 0 };
	int opt, err, status;

	while ((opt = cmd_getopt(argc, argv, "", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == OPT_USER_PGD &&
		    (parse_pid(optarg, &v.pid) || v.pid <= 0))
			return usage_error("kernel", "'%s' is not a valid PID",
					   optarg);
	}
	if (optind < argc)
		return usage_error("kernel", "unexpected argument '%s'",
				   argv[optind]);
	if (v.pid) {
		err = kernel_user_fetch(v.pid, &res);
		if (err == -EPERM && geteuid() == 0)
			return kernel_error(err, "kernel --user-pgd");
		if (err)
			return dev_error(err, "kernel --user-pgd", v.pid);
	} else {
		err = kernel_fetch(&res);
		if (err)
			return kernel_error(err, "kernel");
	}
	kernel_index(&res, &v);
	if (!v.sum) {
		dev_result_free(&res);
		return error("kernel: the module's output has no summary");
	}
	if (v.pid && !v.sum->pti) {
		dev_result_free(&res);
		return error("kernel --user-pgd: page-table isolation is off on this kernel: a process has one pgd, no user-mode copy");
	}
	if (json_output)
		kernel_print_json(&res, &v);
	else
		kernel_print_text(&res, &v);
	dev_result_free(&res);
	return 0;
}
