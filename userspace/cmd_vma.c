// SPDX-License-Identifier: GPL-2.0
/* mmscope vma PID: the mm_struct summary and every VMA, as maps shows them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define PAGE_KB 4

static void perms(const struct mmscope_vma *v, char out[5])
{
	/* VM_READ, VM_WRITE, VM_EXEC, VM_MAYSHARE: the stable low bits. */
	out[0] = v->vm_flags & 0x1 ? 'r' : '-';
	out[1] = v->vm_flags & 0x2 ? 'w' : '-';
	out[2] = v->vm_flags & 0x4 ? 'x' : '-';
	out[3] = v->vm_flags & 0x80 ? 's' : 'p';
	out[4] = '\0';
}

static void json_mm(const struct mmscope_mm *m)
{
	json_obj_open("mm");
	json_u64("pgtable_levels", m->pgtable_levels);
	json_hex("start_code", m->start_code);
	json_hex("end_code", m->end_code);
	json_hex("start_data", m->start_data);
	json_hex("end_data", m->end_data);
	json_hex("start_brk", m->start_brk);
	json_hex("brk", m->brk);
	json_hex("start_stack", m->start_stack);
	json_hex("arg_start", m->arg_start);
	json_hex("arg_end", m->arg_end);
	json_hex("env_start", m->env_start);
	json_hex("env_end", m->env_end);
	json_hex("mmap_base", m->mmap_base);
	json_hex("task_size", m->task_size);
	json_u64("total_vm", m->total_vm);
	json_u64("locked_vm", m->locked_vm);
	json_u64("pinned_vm", m->pinned_vm);
	json_u64("data_vm", m->data_vm);
	json_u64("exec_vm", m->exec_vm);
	json_u64("stack_vm", m->stack_vm);
	json_u64("hiwater_rss", m->hiwater_rss);
	json_u64("hiwater_vm", m->hiwater_vm);
	json_u64("rss_file", m->rss[MMSCOPE_RSS_FILE]);
	json_u64("rss_anon", m->rss[MMSCOPE_RSS_ANON]);
	json_u64("rss_shmem", m->rss[MMSCOPE_RSS_SHMEM]);
	json_u64("swap_ents", m->rss[MMSCOPE_RSS_SWAP]);
	json_u64("pgtables_bytes", m->pgtables_bytes);
	json_u64("map_count", m->map_count);
	json_u64("mm_users", m->mm_users);
	json_u64("mm_count", m->mm_count);
	if (m->pgd_phys)
		json_hex("pgd_phys", m->pgd_phys);
	else
		json_null("pgd_phys");
	json_obj_close();
}

static void json_vma(const struct mmscope_vma *v)
{
	char p[5], dev[16];

	perms(v, p);
	snprintf(dev, sizeof(dev), "%02x:%02x", v->dev_major, v->dev_minor);
	json_obj_open(NULL);
	json_hex("start", v->start);
	json_hex("end", v->end);
	json_str("perms", p);
	json_words("flags", v->vmflags);
	json_u64("offset", v->pgoff);
	json_str("dev", dev);
	json_u64("inode", v->inode);
	json_str("name", v->name);
	json_bool("anon_vma", v->bits & MMSCOPE_VMA_ANON_VMA);
	json_obj_close();
}

static void text_mm(FILE *f, const struct mmscope_mm *m)
{
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(f, "pid %d: %u-level paging, %u VMAs, mm_users %u, mm_count %u\n",
	       m->pid, m->pgtable_levels, m->map_count, m->mm_users,
	       m->mm_count);
	fprintf(f, "  %-5s 0x%012llx-0x%012llx   %-5s 0x%012llx-0x%012llx\n",
	       "code", m->start_code, m->end_code,
	       "data", m->start_data, m->end_data);
	fprintf(f, "  %-5s 0x%012llx-0x%012llx   %-5s 0x%012llx\n",
	       "brk", m->start_brk, m->brk, "stack", m->start_stack);
	fprintf(f, "  %-5s 0x%012llx-0x%012llx   %-5s 0x%012llx-0x%012llx\n",
	       "arg", m->arg_start, m->arg_end,
	       "env", m->env_start, m->env_end);
	fprintf(f, "  virtual: total %s, data %s, exec %s, stack %s, locked %s, pinned %s\n",
	       fmt_size(m->total_vm * 4096, a, sizeof(a)),
	       fmt_size(m->data_vm * 4096, b, sizeof(b)),
	       fmt_size(m->exec_vm * 4096, c, sizeof(c)),
	       fmt_size(m->stack_vm * 4096, d, sizeof(d)),
	       fmt_size(m->locked_vm * 4096, e, sizeof(e)),
	       m->pinned_vm ? "yes" : "0 B");
	fprintf(f, "  resident: anon %s, file %s, shmem %s; swapped %s\n",
	       fmt_size(m->rss[MMSCOPE_RSS_ANON] * 4096, a, sizeof(a)),
	       fmt_size(m->rss[MMSCOPE_RSS_FILE] * 4096, b, sizeof(b)),
	       fmt_size(m->rss[MMSCOPE_RSS_SHMEM] * 4096, c, sizeof(c)),
	       fmt_size(m->rss[MMSCOPE_RSS_SWAP] * 4096, d, sizeof(d)));
	fprintf(f, "  page tables %s", fmt_size(m->pgtables_bytes, a, sizeof(a)));
	if (m->pgd_phys)
		fprintf(f, ", pgd at phys %#llx\n\n", m->pgd_phys);
	else
		fprintf(f, ", pgd address hidden (needs root)\n\n");
	fprintf(f, "%-16s %-16s %10s %-4s %8s %-5s %9s %s %s\n", "START", "END",
	       "SIZE", "PERM", "OFFSET", "DEV", "INODE", "A", "NAME");
}

static void text_vma(FILE *f, const struct mmscope_vma *v)
{
	char p[5], sz[32];

	perms(v, p);
	fprintf(f, "%016llx %016llx %10s %-4s %08llx %02x:%02x %9llu %c %s\n",
	       v->start, v->end, fmt_size(v->end - v->start, sz, sizeof(sz)),
	       p, v->pgoff, v->dev_major, v->dev_minor, v->inode,
	       v->bits & MMSCOPE_VMA_ANON_VMA ? 'A' : '-', v->name);
	fprintf(f, "%53s flags: %s\n", "", v->vmflags);
}

/* One line per VMA (for diffs): range, size, perms, name, VmFlags. */
static void line_vma(FILE *f, const struct mmscope_vma *v)
{
	char p[5], sz[32];

	perms(v, p);
	fprintf(f, "%012llx-%012llx %10s %s %-20s [%s]\n", v->start, v->end,
		fmt_size(v->end - v->start, sz, sizeof(sz)), p,
		v->name[0] ? v->name : "(anonymous)", v->vmflags);
}

int vma_fetch(int pid, struct mmscope_result *res)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_VMA, .pid = pid };

	return dev_query(&q, res);
}

void vma_print_text(FILE *f, const struct mmscope_result *res, bool summary)
{
	const struct mmscope_rec_hdr *r;

	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_MM && summary)
			text_mm(f, (const void *)r);
		else if (r->type == MMSCOPE_REC_VMA && summary)
			text_vma(f, (const void *)r);
		else if (r->type == MMSCOPE_REC_VMA)
			line_vma(f, (const void *)r);
	}
}

void vma_print_json(const struct mmscope_result *res, int pid)
{
	const struct mmscope_rec_hdr *r;

	json_obj_open(NULL);
	json_str("type", "vma");
	json_s64("pid", pid);
	/* The mm record comes first; without it, "mm" is null. */
	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_MM)
			break;
	if (r)
		json_mm((const void *)r);
	else
		json_null("mm");
	json_arr_open("vmas");
	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_VMA)
			json_vma((const void *)r);
	json_arr_close();
	json_obj_close();
}

int cmd_vma(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct mmscope_result res;
	int opt, err, pid, status;
	bool map = false;

	while ((opt = cmd_getopt(argc, argv, "", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'm')
			map = true;
	}
	if (optind == argc)
		return usage_error("vma", "expected a PID");
	if (argc - optind > 1)
		return usage_error("vma", "unexpected argument '%s' (one PID only)",
				   argv[optind + 1]);
	if (parse_pid(argv[optind], &pid))
		return usage_error("vma", "'%s' is not a valid PID", argv[optind]);
	err = vma_fetch(pid, &res);
	if (err)
		return dev_error(err, "vma", pid);
	if (json_output) {
		vma_print_json(&res, pid);
	} else if (map) {
		vma_print_map(stdout, &res);
	} else {
		vma_print_text(stdout, &res, true);
		printf("\nSIZE in KiB/MiB/GiB (1024-based). OFFSET: in the file, hex bytes. DEV: major:minor, hex.\n");
		printf("A: has an anon_vma (anonymous pages possible). PERM: r/w/x, p(rivate) or s(hared).\n");
		printf("flags: smaps VmFlags mnemonics (rd wr ex sh mr mw me ms gd ... see proc(5)).\n");
	}
	dev_result_free(&res);
	return 0;
}
