// SPDX-License-Identifier: GPL-2.0
/*
 * Lab translate: a virtual address is a list of 9-bit indices, one per
 * page-table level, and a 12-bit offset; following the entries gives the
 * physical address, and the bytes there are the ones the program wrote.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cli.h"
#include "lab.h"

#define PG		4096UL
#define OFFSET		0x5a8
static const char pattern[16] = "mmscope-lab-5:ok";

static uint64_t translate_step(int step, void *arg)
{
	char *p;

	(void)arg;
	if (step != 1)
		return 0;
	/*
	 * A hint above 128 TiB: with 5-level paging the kernel places the
	 * page there (every level's index is then interesting); with 4-level
	 * it cannot and ignores the hint.
	 */
	p = mmap((void *)(1UL << 52), PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	memcpy(p + OFFSET, pattern, sizeof(pattern));
	return (uintptr_t)p + OFFSET;
}

static unsigned int levels_of(pid_t pid)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	unsigned int n = 0;

	if (vma_fetch(pid, &res))
		return 0;
	for (r = NULL; (r = dev_next(&res, r));)
		if (r->type == MMSCOPE_REC_MM)
			n = ((const struct mmscope_mm *)r)->pgtable_levels;
	dev_result_free(&res);
	return n;
}

static int translate_run(struct lab_run *lr)
{
	static const char *const names[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	/* The bit where each level's index starts (pgd: 48 with 5 levels). */
	unsigned int shift[MMSCOPE_PT_NR_LEVELS] = { 39, 39, 30, 21, 12 };
	unsigned int idx[MMSCOPE_PT_NR_LEVELS], lv, levels, ok = 0, nsteps = 0;
	const struct mmscope_rec_hdr *r;
	struct mmscope_pt_leaf leaf;
	struct mmscope_result res;
	uint64_t va, pm, phys;
	char *text;
	int err;

	if (lab_subject_start(lr, translate_step, NULL))
		return -errno;
	va = lab_step(lr, 1);
	if (!va)
		return -ENOMEM;
	levels = levels_of(lr->pid);
	if (levels != 4 && levels != 5)
		return -ENODATA;
	if (levels == 5)
		shift[MMSCOPE_PT_PGD] = 48;
	lab_say(lr, "The program writes the 16 bytes \"%.16s\" at %#llx. The kernel runs %u-level paging, so the address reads as:",
		pattern, (unsigned long long)va, levels);
	for (lv = 0; lv < MMSCOPE_PT_NR_LEVELS; lv++) {
		idx[lv] = (va >> shift[lv]) & 511;
		if (levels == 4 && lv == MMSCOPE_PT_P4D) {
			printf("    %-6s (folded: 4-level paging has no p4d; it is the pgd entry)\n",
			       names[lv]);
			continue;
		}
		printf("    %-6s index = (va >> %2u) & 0x1ff = %3u   bits %u-%u\n",
		       names[lv], shift[lv], idx[lv], shift[lv] + 8, shift[lv]);
	}
	printf("    offset       =  va & 0xfff       = %#5llx bits 11-0\n",
	       (unsigned long long)(va & 0xfff));
	lab_say(lr, "mmscope translate follows the entries from the pgd down:");
	text = lab_capture_translate(lr->pid, va);
	lab_show(lr, "mmscope translate", text);
	free(text);

	err = translate_fetch(lr->pid, va, &res);
	if (err)
		return err;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_step *st = (const void *)r;

		if (r->type != MMSCOPE_REC_PT_STEP || st->folded)
			continue;
		nsteps++;
		ok += st->level < MMSCOPE_PT_NR_LEVELS &&
		      st->index == idx[st->level];
	}
	dev_result_free(&res);
	lab_check(lr, nsteps == levels && ok == levels,
		  "each of the %u levels used the index computed above", levels);
	lab_xlate(lr->pid, va, &leaf, NULL);
	phys = (leaf.pfn << 12) | (va & 0xfff);
	lab_check(lr, leaf.stop == MMSCOPE_STOP_LEAF &&
		  leaf.leaf_level == MMSCOPE_PT_PTE && leaf.phys == phys,
		  "physical address = PFN %#llx << 12 | offset %#llx = %#llx",
		  (unsigned long long)leaf.pfn, (unsigned long long)(va & 0xfff),
		  (unsigned long long)leaf.phys);
	pm = lab_pagemap(lr->pid, va);
	lab_check(lr, (pm & LAB_PM_PRESENT) && LAB_PM_PFN(pm) == leaf.pfn,
		  "/proc/PID/pagemap gives the same PFN %#llx",
		  (unsigned long long)LAB_PM_PFN(pm));
	lab_check(lr, leaf.nbytes == sizeof(pattern) &&
		  !memcmp(leaf.bytes, pattern, sizeof(pattern)),
		  "the kernel read \"%.*s\" at physical %#llx: the bytes the program wrote",
		  (int)(leaf.nbytes < 16 ? leaf.nbytes : 16), (const char *)leaf.bytes,
		  (unsigned long long)leaf.phys);
	if (levels == 5)
		lab_check(lr, va >> 47,
			  "with 5 levels the address lies above 128 TiB (pgd index %u), out of reach of 4-level paging",
			  idx[MMSCOPE_PT_PGD]);
	return 0;
}

const struct lab lab_translate = {
	.name = "translate",
	.title = "address translation",
	.claim = "a virtual address is 9-bit indices per level plus a 12-bit offset; the walk ends at a physical address holding the bytes the program wrote",
	.run = translate_run,
};
