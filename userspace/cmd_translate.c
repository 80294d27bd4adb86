// SPDX-License-Identifier: GPL-2.0
/* mmscope translate PID ADDR: one virtual address, level by level. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char *const stop_names[] = {
	[MMSCOPE_STOP_LEAF] = "leaf",
	[MMSCOPE_STOP_NO_VMA] = "no_vma",
	[MMSCOPE_STOP_NONE] = "none",
	[MMSCOPE_STOP_NOT_PRESENT] = "not_present",
	[MMSCOPE_STOP_BAD] = "bad",
	[MMSCOPE_STOP_CHANGED] = "changed",
	[MMSCOPE_STOP_NOT_KERNEL] = "not_kernel",
};

static const char *const bytes_reasons[] = MMSCOPE_BYTES_REASON_NAMES;

/* Why the leaf has no bytes: NULL when it has them. */
static const char *bytes_reason(const struct mmscope_pt_leaf *l)
{
	if (l->nbytes)
		return NULL;
	/* An ABI 2 record (no reason) never reaches here: the query says 3. */
	return l->bytes_reason < MMSCOPE_BYTES_NR &&
	       bytes_reasons[l->bytes_reason] ? bytes_reasons[l->bytes_reason] :
	       "?";
}

static const char *stop_name(unsigned int stop)
{
	return stop < sizeof(stop_names) / sizeof(stop_names[0]) ?
	       stop_names[stop] : "?";
}

int translate_fetch(int pid, uint64_t addr, struct mmscope_result *res)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_TRANSLATE,
		.pid = pid,
		.start = addr,
	};

	return dev_query(&q, res);
}

static const struct mmscope_pt_leaf *
translate_leaf(const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;

	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_PT_LEAF)
			return (const void *)r;
	return NULL;
}

/* @pid < 0: a kernel address (translate --kernel). */
void translate_print_json(int pid, uint64_t addr,
			  const struct mmscope_result *res)
{
	const struct mmscope_pt_leaf *l = translate_leaf(res);
	bool hidden = res->end && (res->end->flags & MMSCOPE_END_HIDDEN);
	const struct mmscope_rec_hdr *r;
	unsigned int i;

	json_obj_open(NULL);
	json_str("type", "translate");
	if (pid < 0) {
		json_null("pid");
		json_bool("kernel", true);
	} else {
		json_s64("pid", pid);
	}
	json_hex("vaddr", addr);
	json_arr_open("steps");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_pt_step *st = (const void *)r;

		if (r->type != MMSCOPE_REC_PT_STEP)
			continue;
		json_obj_open(NULL);
		json_str("level", pt_level_name(st->level));
		json_u64("index", st->index);
		if (hidden)
			json_null("entry");
		else
			json_hex("entry", st->entry);
		json_str("kind", pt_kind_name(st->kind));
		json_bits("flags", &pt_flag_bits, st->flags);
		if (st->hidden)
			json_bits("flags_hidden", &pt_flag_bits,
				  PT_FLAGS_HIDDEN);
		if (st->next_table)
			json_hex("next_table", st->next_table);
		else
			json_null("next_table");
		json_bool("folded", st->folded);
		if (st->kind >= MMSCOPE_PTK_SWAP && st->kind < MMSCOPE_PTK_BAD) {
			json_obj_open("swap");
			if (hidden) {
				json_null("type");
				json_null("offset");
			} else {
				json_u64("type", st->swap_type);
				json_u64("offset", st->swap_offset);
			}
			json_obj_close();
		}
		json_obj_close();
	}
	json_arr_close();
	if (l && l->leaf_level != MMSCOPE_PT_NONE)
		json_str("leaf", pt_level_name(l->leaf_level));
	else
		json_null("leaf");
	if (l && l->leaf_level != MMSCOPE_PT_NONE && !hidden) {
		json_u64("pfn", l->pfn);
		json_hex("phys", l->phys);
	} else {
		json_null("pfn");
		json_null("phys");
	}
	if (l) {
		json_obj_open("stop");
		json_str("level", pt_level_name(l->stop_level));
		json_str("reason", stop_name(l->stop));
		json_str("kind", pt_kind_name(l->kind));
		json_obj_close();
	}
	if (l && (l->page_bits & MMSCOPE_PG_VALID)) {
		json_obj_open("page");
		json_s64("refcount", l->refcount);
		json_s64("mapcount", l->mapcount);
		json_u64("order", l->folio_order);
		json_bits("flags", &page_bits, l->page_bits);
		json_bool("anon", l->page_bits & MMSCOPE_PG_ANON);
		json_bool("file", l->page_bits & MMSCOPE_PG_FILE);
		json_bool("lru", l->page_bits & MMSCOPE_PG_LRU);
		json_bool("dirty", l->page_bits & MMSCOPE_PG_DIRTY);
		json_bool("thp_head", (l->page_bits & MMSCOPE_PG_HEAD) &&
				      !(l->page_bits & MMSCOPE_PG_HUGETLB));
		json_bool("tail", l->page_bits & MMSCOPE_PG_TAIL);
		json_obj_close();
	} else {
		json_null("page");
	}
	if (l && l->nbytes) {
		char hex[2 * sizeof(l->bytes) + 3] = "0x";

		for (i = 0; i < l->nbytes && i < sizeof(l->bytes); i++)
			snprintf(hex + 2 + 2 * i, 3, "%02x", l->bytes[i]);
		json_str("bytes", hex);
		json_null("bytes_reason");
	} else {
		json_null("bytes");
		if (l)
			json_str("bytes_reason", bytes_reason(l));
		else
			json_null("bytes_reason");
	}
	json_obj_close();
}

void translate_print_text(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_pt_leaf *l = translate_leaf(res);
	bool hidden = res->end && (res->end->flags & MMSCOPE_END_HIDDEN);
	const struct mmscope_rec_hdr *r;
	char buf[256];
	unsigned int i;

	fprintf(f, "%-5s %5s %-18s %-16s %-18s %s\n", "LEVEL", "INDEX", "ENTRY",
		"KIND", "NEXT_TABLE", "FLAGS");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_pt_step *st = (const void *)r;
		char entry[24] = "-", next[24] = "-";

		if (r->type != MMSCOPE_REC_PT_STEP)
			continue;
		if (!hidden)
			snprintf(entry, sizeof(entry), "%#018llx",
				 (unsigned long long)st->entry);
		if (st->next_table)
			snprintf(next, sizeof(next), "%#llx",
				 (unsigned long long)st->next_table);
		bits_str(&pt_flag_bits, st->flags, " ", buf, sizeof(buf));
		fprintf(f, "%-5s %5u %-18s %-16s %-18s %s%s\n",
			pt_level_name(st->level), st->index, entry,
			pt_kind_name(st->kind), next, buf,
			st->folded ? " (folded: same entry as pgd)" : "");
	}
	if (!l)
		return;
	if (l->stop == MMSCOPE_STOP_NO_VMA) {
		if (dev_next(res, NULL) && dev_next(res, NULL)->type == MMSCOPE_REC_PT_STEP)
			fprintf(f, "\nno VMA covers %#llx; walked as the MMU would, the last entry read is the %s's (%s)\n",
				(unsigned long long)l->vaddr,
				pt_level_name(l->stop_level), pt_kind_name(l->kind));
		else
			fprintf(f, "\nno VMA covers %#llx (not walked)\n",
				(unsigned long long)l->vaddr);
		return;
	}
	if (l->stop != MMSCOPE_STOP_LEAF && l->leaf_level == MMSCOPE_PT_NONE) {
		fprintf(f, "\nstopped at %s: %s (%s)\n", pt_level_name(l->stop_level),
			stop_name(l->stop), pt_kind_name(l->kind));
		return;
	}
	fprintf(f, "\n%#llx maps a %s page via a %s leaf", (unsigned long long)l->vaddr,
		l->leaf_level == MMSCOPE_PT_PTE ? "4 KiB" :
		l->leaf_level == MMSCOPE_PT_PMD ? "2 MiB" : "1 GiB",
		pt_level_name(l->leaf_level));
	if (hidden)
		fprintf(f, " (PFN hidden: needs CAP_SYS_ADMIN)\n");
	else
		fprintf(f, ": pfn %#llx, phys %#llx\n", (unsigned long long)l->pfn,
			(unsigned long long)l->phys);
	if (l->stop == MMSCOPE_STOP_CHANGED)
		fprintf(f, "page state not read: the entry changed during the walk\n");
	if (l->page_bits & MMSCOPE_PG_VALID) {
		bits_str(&page_bits, l->page_bits, " ", buf, sizeof(buf));
		fprintf(f, "page: refcount %d, mapcount %d, folio order %u, %s\n",
			l->refcount, l->mapcount, l->folio_order, buf);
	}
	if (l->nbytes) {
		fprintf(f, "bytes at phys:");
		for (i = 0; i < l->nbytes && i < sizeof(l->bytes); i++)
			fprintf(f, " %02x", l->bytes[i]);
		fprintf(f, "\n");
	} else if (l->bytes_reason != MMSCOPE_BYTES_CHANGED) {
		fprintf(f, "bytes not read: %s\n", bytes_reason(l));
	}
}

/*
 * Canonical with 4-level (bits 63-47 equal) or 5-level paging (bits 63-56
 * equal)?  Anything else is no address on any x86-64 machine.
 */
static bool canonical(uint64_t addr)
{
	return (uint64_t)((int64_t)(addr << 16) >> 16) == addr ||
	       (uint64_t)((int64_t)(addr << 7) >> 7) == addr;
}

static int translate_kernel(const char *arg)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_KERNEL_TRANSLATE,
	};
	const struct mmscope_pt_leaf *leaf;
	struct mmscope_result res;
	uint64_t addr;
	int err;

	if (parse_u64(arg, &addr))
		return usage_error("translate", "'%s' is not an address", arg);
	q.start = addr;
	if (!canonical(addr))
		return usage_error("translate", "%s is a non-canonical address",
				   arg);
	err = dev_query(&q, &res);
	if (err)
		return kernel_error(err, "translate");
	leaf = translate_leaf(&res);
	if (leaf && leaf->stop == MMSCOPE_STOP_NOT_KERNEL) {
		dev_result_free(&res);
		return error("translate: %s is not in the kernel half of the address space", arg);
	}
	if (json_output) {
		translate_print_json(-1, q.start, &res);
	} else {
		translate_print_text(stdout, &res);
		printf("\nLegend: INDEX: the entry's slot in its table (0-511, from the address bits);\n"
		       "ENTRY: the raw entry, hex; NEXT_TABLE: physical address of the table it points\n"
		       "to, hex; FLAGS: the entry's bits. Kernel pages' contents are not read.\n");
	}
	dev_result_free(&res);
	return 0;
}

int cmd_translate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct mmscope_result res;
	int opt, err, pid, status;
	bool kernel = false;
	uint64_t addr;

	while ((opt = cmd_getopt(argc, argv, "k", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'k')
			kernel = true;
	}
	if (kernel) {
		if (argc - optind != 1)
			return usage_error("translate", "--kernel takes one ADDR and no PID");
		return translate_kernel(argv[optind]);
	}
	if (argc - optind < 2)
		return usage_error("translate", "expected PID and ADDR");
	if (argc - optind > 2)
		return usage_error("translate", "unexpected argument '%s'",
				   argv[optind + 2]);
	if (parse_pid(argv[optind], &pid))
		return usage_error("translate", "'%s' is not a valid PID",
				   argv[optind]);
	if (parse_u64(argv[optind + 1], &addr))
		return usage_error("translate", "'%s' is not an address",
				   argv[optind + 1]);
	if (!canonical(addr))
		return usage_error("translate", "%s is a non-canonical address",
				   argv[optind + 1]);
	err = translate_fetch(pid, addr, &res);
	/* The lowest TASK_SIZE is 4-level's, 128 TiB minus a guard page. */
	if (err == -EINVAL && addr >= 0x7ffffffff000ULL)
		return error("translate: %s is above the user address space (TASK_SIZE) of this machine",
			     argv[optind + 1]);
	if (err)
		return dev_error(err, "translate", pid);
	if (json_output) {
		translate_print_json(pid, addr, &res);
	} else {
		translate_print_text(stdout, &res);
		printf("\nLegend: INDEX: the entry's slot in its table (0-511, from the address bits);\n"
		       "ENTRY: the raw entry, hex (hidden without CAP_SYS_ADMIN); NEXT_TABLE: physical\n"
		       "address of the table it points to, hex; FLAGS: the entry's bits.\n");
	}
	dev_result_free(&res);
	return 0;
}
