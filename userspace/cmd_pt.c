// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope pt PID [--range START-END] [--raw]: a process's page tables as
 * runs of like entries, and the tables and entries per level.
 * mmscope translate PID ADDR: one address, level by level.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

/*
 * The members every run record shares, pt's and kernel's alike: range,
 * level, count, kind, PFN (null unless @show_pfn) and flags.
 */
void pt_run_json_head(uint64_t start, uint64_t end, unsigned int level,
		      uint64_t count, unsigned int kind, bool show_pfn,
		      uint64_t pfn, uint32_t flags)
{
	json_hex("start", start);
	json_hex("end", end);
	json_str("level", pt_level_name(level));
	json_u64("count", count);
	json_str("kind", pt_kind_name(kind));
	if (show_pfn)
		json_u64("pfn", pfn);
	else
		json_null("pfn");
	json_bits("flags", &pt_flag_bits, flags);
}

static bool pt_has_pfn(unsigned int kind)
{
	return kind == MMSCOPE_PTK_PRESENT || kind == MMSCOPE_PTK_PROTNONE;
}

static bool pt_has_swap(unsigned int kind)
{
	return kind != MMSCOPE_PTK_NONE && kind != MMSCOPE_PTK_TABLE &&
	       !pt_has_pfn(kind) && kind != MMSCOPE_PTK_BAD;
}

int pt_fetch(int pid, uint64_t start, uint64_t end, bool raw,
	     struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_PT,
		.pid = pid,
		.flags = raw ? MMSCOPE_Q_RAW : 0,
		.start = start,
		.end = end,
	};

	return dev_query(&q, res);
}

static bool pt_hidden(const struct mmscope_result *res)
{
	return res->end && (res->end->flags & MMSCOPE_END_HIDDEN);
}

void pt_print_json(int pid, const struct mmscope_result *res)
{
	const struct mmscope_pt_summary *sum = NULL;
	const struct mmscope_rec_hdr *r;
	bool hidden = pt_hidden(res);
	int i;

	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_PT_SUMMARY)
			sum = (const void *)r;
	json_obj_open(NULL);
	json_str("type", "pt");
	json_s64("pid", pid);
	json_u64("levels", sum ? sum->levels : 0);
	json_arr_open("runs");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_pt_run *run = (const void *)r;

		if (r->type != MMSCOPE_REC_PT_RUN)
			continue;
		json_obj_open(NULL);
		pt_run_json_head(run->start, run->end, run->level, run->count,
				 run->kind, pt_has_pfn(run->kind) && !hidden,
				 run->pfn, run->flags);
		if (run->hidden) {
			/* Withheld, as pagemap withholds them: not "clear". */
			json_bits("flags_hidden", &pt_flag_bits,
				  PT_FLAGS_HIDDEN);
			json_null("pkey");
		} else if (run->flags & MMSCOPE_PTF_PKEY) {
			json_u64("pkey", run->pkey);
		}
		if (pt_has_swap(run->kind) && hidden) {
			/* As pagemap: the swap entry needs CAP_SYS_ADMIN. */
			json_obj_open("swap");
			json_null("type");
			json_null("offset");
			json_obj_close();
		} else if (pt_has_swap(run->kind)) {
			json_obj_open("swap");
			json_u64("type", run->swap_type);
			json_u64("offset", run->swap_offset);
			json_obj_close();
		} else {
			json_null("swap");
		}
		if (run->raw)
			json_hex("entry", run->raw);
		json_obj_close();
	}
	json_arr_close();
	json_obj_open("tables");
	for (i = 0; i < MMSCOPE_PT_NR_LEVELS; i++)
		json_u64(pt_level_name(i), sum ? sum->tables[i] : 0);
	json_obj_close();
	json_obj_open("present");
	json_u64("4k", sum ? sum->present[MMSCOPE_PT_PTE] : 0);
	json_u64("2m", sum ? sum->present[MMSCOPE_PT_PMD] : 0);
	json_u64("1g", sum ? sum->present[MMSCOPE_PT_PUD] : 0);
	json_obj_close();
	json_obj_open("entries");
	for (i = MMSCOPE_PTK_PRESENT; i < MMSCOPE_PTK_NR; i++)
		if (sum && sum->hidden && i != MMSCOPE_PTK_PRESENT &&
		    i != MMSCOPE_PTK_SWAP)
			json_null(pt_kind_name(i));	/* folded into those */
		else
			json_u64(pt_kind_name(i), sum ? sum->kinds[i] : 0);
	json_obj_close();
	json_bool("changed", res->end && (res->end->flags & MMSCOPE_END_CHANGED));
	json_bool("hidden", hidden);
	json_obj_close();
}

void pt_print_text(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;
	bool hidden = pt_hidden(res);
	char sz[32], flags[256];

	fprintf(f, "%-18s %-18s %9s %-3s %8s %-16s %-14s %s\n", "START", "END",
		"SIZE", "LVL", "COUNT", "KIND", "PFN|SWAP", "FLAGS");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_pt_run *run = (const void *)r;
		const struct mmscope_pt_summary *s = (const void *)r;
		char where[32];

		if (r->type == MMSCOPE_REC_PT_RUN) {
			if (pt_has_pfn(run->kind))
				snprintf(where, sizeof(where), hidden ? "-" :
					 "%#llx", (unsigned long long)run->pfn);
			else if (pt_has_swap(run->kind) && hidden)
				snprintf(where, sizeof(where), "-");
			else if (pt_has_swap(run->kind))
				snprintf(where, sizeof(where), "%u:%#llx",
					 run->swap_type,
					 (unsigned long long)run->swap_offset);
			else
				snprintf(where, sizeof(where), "-");
			fprintf(f, "%#018llx %#018llx %9s %-3s %8llu %-16s %-14s ",
				(unsigned long long)run->start,
				(unsigned long long)run->end,
				fmt_size(run->end - run->start, sz, sizeof(sz)),
				pt_level_name(run->level),
				(unsigned long long)run->count,
				pt_kind_name(run->kind), where);
			bits_str(&pt_flag_bits, run->hidden ?
				 run->flags & ~MMSCOPE_PTF_PRESENT : run->flags,
				 " ", flags, sizeof(flags));
			/* Only pagemap's flags when hidden: say so. */
			if (run->hidden)
				fputs("(flags hidden) ", f);
			fputs(flags, f);
			if (run->flags & MMSCOPE_PTF_PKEY)
				fprintf(f, " pkey=%u", run->pkey);
			if (run->raw)
				fprintf(f, " [%#llx]", (unsigned long long)run->raw);
			fprintf(f, "\n");
		} else if (r->type == MMSCOPE_REC_PT_SUMMARY) {
			fprintf(f, "\n%u-level paging%s, range %#llx-%#llx\n",
				s->levels, s->levels == 4 ? " (p4d folded into pgd)" : "",
				(unsigned long long)s->start, (unsigned long long)s->end);
			fprintf(f, "page-table pages: pgd %llu, p4d %llu, pud %llu, pmd %llu, pte %llu\n",
				(unsigned long long)s->tables[MMSCOPE_PT_PGD],
				(unsigned long long)s->tables[MMSCOPE_PT_P4D],
				(unsigned long long)s->tables[MMSCOPE_PT_PUD],
				(unsigned long long)s->tables[MMSCOPE_PT_PMD],
				(unsigned long long)s->tables[MMSCOPE_PT_PTE]);
			fprintf(f, "present entries: 4 KiB %llu, 2 MiB %llu, 1 GiB %llu (PROT_NONE included: %llu)\n",
				(unsigned long long)s->present[MMSCOPE_PT_PTE],
				(unsigned long long)s->present[MMSCOPE_PT_PMD],
				(unsigned long long)s->present[MMSCOPE_PT_PUD],
				(unsigned long long)s->kinds[MMSCOPE_PTK_PROTNONE]);
			fprintf(f, "not present: swap %llu, migration %llu, device %llu, hwpoison %llu, marker %llu, bad %llu\n",
				(unsigned long long)s->kinds[MMSCOPE_PTK_SWAP],
				(unsigned long long)s->kinds[MMSCOPE_PTK_MIGRATION],
				(unsigned long long)(s->kinds[MMSCOPE_PTK_DEVICE_PRIVATE] +
						     s->kinds[MMSCOPE_PTK_DEVICE_EXCLUSIVE]),
				(unsigned long long)s->kinds[MMSCOPE_PTK_HWPOISON],
				(unsigned long long)s->kinds[MMSCOPE_PTK_MARKER],
				(unsigned long long)s->kinds[MMSCOPE_PTK_BAD]);
		}
	}
	fprintf(f, "\nLegend: one line per run of entries at one level with the same kind and flags\n"
		"and contiguous PFNs (PFN of page i = PFN + i * size/4K). SIZE: bytes the run\n"
		"maps (KiB/MiB/GiB); COUNT: entries; PFN hex, SWAP type:offset. FLAGS (as in\n"
		"--json): rw writable, user, pwt/pcd caching, accessed, dirty, pse huge leaf, pat,\n"
		"global, nx no-execute, soft_dirty, special (no struct page), exclusive (swapped\n"
		"exclusive anon), saved_dirty (dirty kept aside by write-protection), poisoned.\n");
	if (hidden)
		fprintf(f, "PFNs and swap entries hidden: they need CAP_SYS_ADMIN.\n");
	if (res->end && (res->end->flags & MMSCOPE_END_CHANGED))
		fprintf(f, "Note: the page tables changed during the walk.\n");
}

int cmd_pt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "range", required_argument, NULL, 'r' },
		{ "raw", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t start = 0, end = 0;
	struct mmscope_result res;
	bool raw = false;
	int opt, err, status, pid = -1;

	while ((opt = cmd_getopt(argc, argv, "r:", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'R') {
			raw = true;
		} else if (opt == 'r') {
			if (parse_range(optarg, &start, &end))
				return usage_error("pt", "bad --range '%s' (START-END, START < END)",
						   optarg);
		}
	}
	if (optind == argc)
		return usage_error("pt", "expected a PID");
	if (argc - optind > 1)
		return usage_error("pt", "unexpected argument '%s' (one PID only)",
				   argv[optind + 1]);
	if (parse_pid(argv[optind], &pid))
		return usage_error("pt", "'%s' is not a valid PID", argv[optind]);
	err = pt_fetch(pid, start, end, raw, &res);
	if (err)
		return dev_error(err, "pt", pid);
	if (json_output)
		pt_print_json(pid, &res);
	else
		pt_print_text(stdout, &res);
	dev_result_free(&res);
	return 0;
}
