// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vmalloc: every area of the kernel's vmap allocator (root only),
 * as /proc/vmallocinfo lists them, with the page-table pages each one's
 * range enters and the pages mapped in it by size.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* enum mmscope_vmalloc_flags, in vmallocinfo's words where it has one. */
static const char *const vmalloc_flag_names[] = {
	"ioremap", "vmalloc", "vmap", "user", "dma-coherent", "sparse",
	"vpages", "uninitialized", "no_guard", "huge", "reset_perms",
	"vm_map_ram", "unpurged",
};

static const struct bit_names vmalloc_flag_bits = {
	.names = vmalloc_flag_names,
	.nr = sizeof(vmalloc_flag_names) / sizeof(vmalloc_flag_names[0]),
};

static const char *const size_keys[] = { "4k", "2m", "1g" };
static const char *const table_keys[] = { "pud", "pmd", "pte" };

/* "tables" (PUD, PMD, PTE table pages) and "mapped" (leaves by size). */
static void json_cost(const __u64 tables[3], const __u64 mapped[3])
{
	int j;

	json_obj_open("tables");
	for (j = 0; j < 3; j++)
		json_u64(table_keys[j], tables[j]);
	json_obj_close();
	json_obj_open("mapped");
	for (j = 0; j < 3; j++)
		json_u64(size_keys[j], mapped[j]);
	json_obj_close();
}

static const struct mmscope_vmalloc_summary *
vmalloc_summary(const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;

	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_VMALLOC_SUMMARY &&
		    r->len >= sizeof(struct mmscope_vmalloc_summary))
			return (const void *)r;
	return NULL;
}

static const struct mmscope_vmalloc_area *
vmalloc_area(const struct mmscope_rec_hdr *r)
{
	if (r->type != MMSCOPE_REC_VMALLOC_AREA ||
	    r->len < sizeof(struct mmscope_vmalloc_area))
		return NULL;
	return (const void *)r;
}

/* The caller's symbol, NUL-terminated whatever the record holds. */
static const char *caller_sym(const struct mmscope_vmalloc_area *a, char *buf,
			      size_t len)
{
	snprintf(buf, len, "%.*s", (int)sizeof(a->caller_sym), a->caller_sym);
	return buf;
}

static void vmalloc_print_json(const struct mmscope_result *res,
			       const struct mmscope_vmalloc_summary *s)
{
	const struct mmscope_rec_hdr *r;
	char sym[sizeof(((struct mmscope_vmalloc_area *)0)->caller_sym) + 1];

	json_obj_open(NULL);
	json_str("type", "vmalloc");
	json_arr_open("areas");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_vmalloc_area *a = vmalloc_area(r);

		if (!a)
			continue;
		json_obj_open(NULL);
		json_hex("start", a->start);
		json_hex("end", a->end);
		json_u64("size", a->size);
		json_u64("pages", a->nr_pages);
		json_u64("page_order", a->page_order);
		if (a->caller) {
			json_hex("caller", a->caller);
			json_str("caller_sym", caller_sym(a, sym, sizeof(sym)));
		} else {
			json_null("caller");
			json_null("caller_sym");
		}
		if (a->phys)
			json_hex("phys", a->phys);
		else
			json_null("phys");
		json_bits("flags", &vmalloc_flag_bits, a->flags);
		json_u64("node", a->node);
		json_cost(a->tables, a->mapped);
		json_obj_close();
	}
	json_arr_close();
	json_obj_open("summary");
	json_u64("areas", s->areas);
	json_u64("vmalloc", s->by_kind[0]);
	json_u64("vmap", s->by_kind[1]);
	json_u64("ioremap", s->by_kind[2]);
	json_u64("other", s->by_kind[3]);
	json_u64("vm_map_ram", s->map_ram);
	json_u64("unpurged", s->unpurged);
	json_u64("bytes", s->bytes);
	json_u64("pages", s->pages);
	json_cost(s->tables, s->mapped);
	json_u64("layout", s->layout);
	json_u64("nodes", s->nodes);
	json_obj_close();
	json_obj_open("holds");
	json_u64("count", s->holds);
	json_u64("max_areas", s->max_hold_areas);
	json_u64("limit", s->hold_limit);
	json_u64("max_ns", s->max_hold_ns);
	json_obj_close();
	json_obj_open("walks");
	json_u64("count", s->walks);
	json_u64("max_ns", s->max_walk_ns);
	json_obj_close();
	json_bool("changed", res->end && (res->end->flags & MMSCOPE_END_CHANGED));
	json_obj_close();
}

static void vmalloc_print_text(const struct mmscope_result *res,
			       const struct mmscope_vmalloc_summary *s)
{
	const struct mmscope_rec_hdr *r;
	char sym[sizeof(((struct mmscope_vmalloc_area *)0)->caller_sym) + 1];
	char sz[32], flags[256], phys[24];

	printf("%-18s %-18s %11s %7s %4s %4s %4s %7s %5s %-18s %-40s %s\n",
	       "START", "END", "SIZE", "PAGES", "PUD", "PMD", "PTE", "4K",
	       "2M", "PHYS", "CALLER", "FLAGS");
	for (r = NULL; (r = dev_next(res, r));) {
		const struct mmscope_vmalloc_area *a = vmalloc_area(r);

		if (!a)
			continue;
		if (a->phys)
			snprintf(phys, sizeof(phys), "%#llx",
				 (unsigned long long)a->phys);
		else
			snprintf(phys, sizeof(phys), "-");
		bits_str(&vmalloc_flag_bits, a->flags, ",", flags,
			 sizeof(flags));
		printf("%#018llx %#018llx %11s %7u %4llu %4llu %4llu %7llu %5llu %-18s %-40s %s\n",
		       (unsigned long long)a->start,
		       (unsigned long long)a->end,
		       fmt_size(a->size, sz, sizeof(sz)), a->nr_pages,
		       (unsigned long long)a->tables[0],
		       (unsigned long long)a->tables[1],
		       (unsigned long long)a->tables[2],
		       (unsigned long long)a->mapped[0],
		       (unsigned long long)a->mapped[1], phys,
		       a->caller ? caller_sym(a, sym, sizeof(sym)) : "-",
		       flags[0] ? flags : "-");
	}
	printf("\n%llu areas: vmalloc %llu, vmap %llu, ioremap %llu, other %llu, vm_map_ram %llu, unpurged %llu\n",
	       (unsigned long long)s->areas,
	       (unsigned long long)s->by_kind[0],
	       (unsigned long long)s->by_kind[1],
	       (unsigned long long)s->by_kind[2],
	       (unsigned long long)s->by_kind[3],
	       (unsigned long long)s->map_ram,
	       (unsigned long long)s->unpurged);
	printf("%s reserved, %llu pages allocated; page-table pages entered: pud %llu, pmd %llu, pte %llu; mapped: 4 KiB %llu, 2 MiB %llu, 1 GiB %llu\n",
	       fmt_size(s->bytes, sz, sizeof(sz)),
	       (unsigned long long)s->pages,
	       (unsigned long long)s->tables[0],
	       (unsigned long long)s->tables[1],
	       (unsigned long long)s->tables[2],
	       (unsigned long long)s->mapped[0],
	       (unsigned long long)s->mapped[1],
	       (unsigned long long)s->mapped[2]);
	printf("read in %llu lock holds of at most %llu areas (limit %llu), longest %llu us; %llu page-table walks, longest %llu us\n",
	       (unsigned long long)s->holds,
	       (unsigned long long)s->max_hold_areas,
	       (unsigned long long)s->hold_limit,
	       (unsigned long long)(s->max_hold_ns / 1000),
	       (unsigned long long)s->walks,
	       (unsigned long long)(s->max_walk_ns / 1000));
	printf("\nLegend: one line per area, in /proc/vmallocinfo's order (each vmap node's areas by\n"
	       "address, then the unpurged ones). START-END includes the guard page; SIZE in\n"
	       "KiB/MiB/GiB. PAGES: pages allocated for it (vmallocinfo's pages=). PUD/PMD/PTE:\n"
	       "page-table pages its range enters (a table shared with a neighbour counts for\n"
	       "both); 4K/2M: present pages mapping it by size. PHYS: ioremap's physical address.\n"
	       "CALLER: the function that allocated it. FLAGS: vmallocinfo's words (vmalloc,\n"
	       "vmap, ioremap, user, dma-coherent, sparse, vpages, vm_map_ram, unpurged) and\n"
	       "uninitialized (being set up), no_guard, huge (may map 2 MiB), reset_perms.\n");
	if (res->end && (res->end->flags & MMSCOPE_END_CHANGED))
		printf("Note: the page tables changed during a walk.\n");
}

int cmd_vmalloc(int argc, char **argv)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_VMALLOC,
	};
	const struct mmscope_vmalloc_summary *s;
	struct mmscope_result res;
	int opt, err, status;

	while ((opt = cmd_getopt(argc, argv, "", NULL, &status)) != -1)
		if (opt == OPT_EXIT)
			return status;
	if (optind < argc)
		return usage_error("vmalloc", "unexpected argument '%s'",
				   argv[optind]);
	err = dev_query(&q, &res);
	if (err == -EOPNOTSUPP)
		return error("vmalloc: this kernel's vmap lists could not be found (see dmesg)");
	if (err == -EIO)
		return error("vmalloc: refused: the kernel's vmap lists changed or are not what this module expects (see dmesg)");
	if (err)
		return kernel_error(err, "vmalloc");
	s = vmalloc_summary(&res);
	if (!s) {
		dev_result_free(&res);
		return error("vmalloc: the module's output has no summary");
	}
	if (json_output)
		vmalloc_print_json(&res, s);
	else
		vmalloc_print_text(&res, s);
	dev_result_free(&res);
	return 0;
}
