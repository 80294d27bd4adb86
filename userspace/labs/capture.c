// SPDX-License-Identifier: GPL-2.0
/* mmscope's own views of the subject: text captures and counts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lab.h"

/* Print a fetched result into a string; "" when the fetch failed. */
static char *capture(int err, struct mmscope_result *res,
		     void (*print)(FILE *f, const struct mmscope_result *res))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (err)
		return strdup("");
	f = open_memstream(&text, &len);
	if (f) {
		print(f, res);
		fclose(f);
	}
	dev_result_free(res);
	return text ? text : strdup("");
}

static void print_vma_lines(FILE *f, const struct mmscope_result *res)
{
	vma_print_text(f, res, false);
}

char *lab_capture_vma(pid_t pid)
{
	struct mmscope_result res;

	return capture(vma_fetch(pid, &res), &res, print_vma_lines);
}

char *lab_capture_pt(pid_t pid, uint64_t start, uint64_t end)
{
	struct mmscope_result res;

	return capture(pt_fetch(pid, start, end, false, &res), &res,
		       pt_print_text);
}

char *lab_capture_translate(pid_t pid, uint64_t addr)
{
	struct mmscope_result res;

	return capture(translate_fetch(pid, addr, &res), &res,
		       translate_print_text);
}

char *lab_capture_buddy(void)
{
	struct mmscope_result res;

	return capture(buddy_fetch(false, &res), &res, buddy_print_text);
}

int lab_pt_present(pid_t pid, uint64_t start, uint64_t end, uint64_t *pte,
		   uint64_t *pmd)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	*pte = *pmd = 0;
	err = pt_fetch(pid, start, end, false, &res);
	if (err)
		return err;
	err = -ENODATA;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_summary *s = (const void *)r;

		if (r->type != MMSCOPE_REC_PT_SUMMARY)
			continue;
		*pte = s->present[MMSCOPE_PT_PTE];
		*pmd = s->present[MMSCOPE_PT_PMD];
		err = 0;
	}
	dev_result_free(&res);
	return err;
}

int lab_xlate(pid_t pid, uint64_t addr, struct mmscope_pt_leaf *leaf,
	      uint32_t *leaf_flags)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	memset(leaf, 0, sizeof(*leaf));
	leaf->leaf_level = MMSCOPE_PT_NONE;
	if (leaf_flags)
		*leaf_flags = 0;
	err = translate_fetch(pid, addr, &res);
	if (err)
		return err;
	err = -ENODATA;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_step *st = (const void *)r;

		if (r->type == MMSCOPE_REC_PT_STEP && leaf_flags)
			*leaf_flags = st->flags;
		if (r->type == MMSCOPE_REC_PT_LEAF) {
			memcpy(leaf, r, sizeof(*leaf));
			err = 0;
		}
	}
	dev_result_free(&res);
	return err;
}

int lab_count_vmas(pid_t pid)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int n = 0;

	if (vma_fetch(pid, &res))
		return -1;
	for (r = NULL; (r = dev_next(&res, r));)
		n += r->type == MMSCOPE_REC_VMA;
	dev_result_free(&res);
	return n;
}

int lab_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int found = 0;

	*start = *end = 0;
	if (vma_fetch(pid, &res))
		return 0;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_vma *v = (const void *)r;

		if (r->type == MMSCOPE_REC_VMA && v->start <= addr &&
		    addr < v->end) {
			*start = v->start;
			*end = v->end;
			found = 1;
		}
	}
	dev_result_free(&res);
	return found;
}

