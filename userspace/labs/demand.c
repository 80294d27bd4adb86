// SPDX-License-Identifier: GPL-2.0
/*
 * Lab demand: malloc() of 100 MiB only reserves addresses (a new VMA); no
 * page is mapped and RSS does not grow until the program touches the
 * memory, and then each touched page costs one page fault and one PTE.
 *
 * The kernel may merge the new mapping with an adjacent anonymous VMA of
 * the same flags (seen on PREEMPT_RT, where the layout differs): the lab
 * then says so, and counts pages over the block's own range, with the
 * neighbour's pages (from pagemap) added where a check is about the VMA.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "cli.h"
#include "lab.h"

#define PG		4096UL
#define SIZE		(100UL << 20)
#define NTOUCH		100

enum { STEP_WARM = 1, STEP_MALLOC, STEP_TOUCH };

struct demand_state {
	char *p;
	char *scratch;
};

static char *page_up(char *p)
{
	return (char *)(((uintptr_t)p + PG - 1) & ~(PG - 1));
}

/* One write per page: the first write to a page is its fault. */
static void touch(char *base, int n)
{
	int i;

	for (i = 0; i < n; i++)
		((volatile char *)base)[i * PG] = 1;
}

static uint64_t demand_step(int step, void *arg)
{
	struct demand_state *st = arg;

	switch (step) {
	case STEP_WARM:
		/* 4 KiB pages only: no transparent huge page for this process. */
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		/* Fault in this code and the stack once, on a scratch mapping. */
		st->scratch = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (st->scratch == MAP_FAILED)
			return 0;
		touch(st->scratch, 4);
		/* And glibc's malloc state (its arena, tcache) in [heap]. */
		free(malloc(16));
		return 1;
	case STEP_MALLOC:
		st->p = malloc(SIZE);
		if (!st->p)
			return 0;
		/* The mapping: the header page, then SIZE bytes. */
		madvise(page_up(st->p) - PG, SIZE + PG, MADV_NOHUGEPAGE);
		return (uintptr_t)st->p;
	case STEP_TOUCH:
		touch(page_up(st->p), NTOUCH);
		return NTOUCH;
	}
	return 0;
}

static int demand_run(struct lab_run *lr)
{
	static struct demand_state st;
	uint64_t p, s, e, ms, me, user, pte, pmd, bs, be;
	char *before, *after, *pt0, *pt1;
	long rss0, rss1, flt0, flt1, vrss, nf;
	struct lab_faults lf;
	int nvma, pm, other;
	bool merged;

	if (lab_subject_start(lr, demand_step, &st))
		return -errno;
	if (!lab_step(lr, STEP_WARM))
		return -ENOMEM;
	nvma = lab_count_vmas(lr->pid);
	before = lab_capture_vma(lr->pid);
	rss0 = lab_smaps_rollup_kb(lr->pid, "Anonymous");

	lab_say(lr, "The program calls malloc(%lu MiB). glibc asks the kernel for a new mapping (mmap), writes its 16-byte chunk header at the start, and returns the rest.",
		SIZE >> 20);
	p = lab_step(lr, STEP_MALLOC);
	if (!p)
		return -ENOMEM;
	user = (p + PG - 1) & ~(PG - 1);
	/* The mapping glibc made: the header page, then the block. */
	bs = p & ~(PG - 1);
	be = (p + SIZE + PG - 1) & ~(PG - 1);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_vma_of(lr->pid, p, &s, &e);
	lab_maps_vma_of(lr->pid, p, &ms, &me);
	merged = s <= bs && e >= be && (s < bs || e > be);
	if (merged) {
		lab_check(lr, lab_count_vmas(lr->pid) == nvma &&
			  lab_maps_count(lr->pid) == nvma,
			  "the new mapping %#llx-%#llx was merged into its neighbour: one VMA %#llx-%#llx (%llu MiB) holds both (adjacent, same flags: vma_merge()), so the VMA count stays %d",
			  (unsigned long long)bs, (unsigned long long)be,
			  (unsigned long long)s, (unsigned long long)e,
			  (unsigned long long)(e - s) >> 20, nvma);
	} else {
		lab_check(lr, lab_count_vmas(lr->pid) == nvma + 1 &&
			  s == bs && e == be,
			  "one new VMA %#llx-%#llx (%llu MiB) holds the block",
			  (unsigned long long)s, (unsigned long long)e,
			  (unsigned long long)(e - s) >> 20);
	}
	lab_check(lr, ms == s && me == e, "/proc/PID/maps lists the same VMA");
	/* Pages of a merged neighbour, outside the block (pagemap). */
	other = lab_pagemap_present(lr->pid, s, bs) +
		lab_pagemap_present(lr->pid, be, e);
	pt0 = lab_capture_pt(lr->pid, s, e);
	lab_pt_present(lr->pid, user, be, &pte, &pmd);
	pm = lab_pagemap_present(lr->pid, user, be);
	lab_check(lr, pte == 0 && pmd == 0 && pm == 0,
		  "no page is mapped behind the block's %llu pages: mmscope pt present %llu, pagemap present %d",
		  (unsigned long long)(be - user) / PG,
		  (unsigned long long)(pte + pmd), pm);
	lab_pt_present(lr->pid, bs, user, &pte, &pmd);
	vrss = lab_smaps_kb(lr->pid, p, "Rss");
	rss1 = lab_smaps_rollup_kb(lr->pid, "Anonymous");
	lab_check(lr, pte == 1 && vrss == (1 + other) * 4 && rss1 - rss0 == 4,
		  "only the header page is: %llu PTE, the VMA's smaps Rss %ld kB (%d neighbour pages + the header page), the process's anonymous memory %ld -> %ld kB (smaps_rollup)",
		  (unsigned long long)pte, vrss, other, rss0, rss1);
	free(before);

	lab_say(lr, "The program writes one byte into each of the first %d pages of the block.",
		NTOUCH);
	lab_faults_start(&lf, lr->pid, user, be);
	flt0 = lab_minflt(lr->pid);
	lab_step(lr, STEP_TOUCH);
	flt1 = lab_minflt(lr->pid);
	nf = lab_faults_stop(&lf);
	pt1 = lab_capture_pt(lr->pid, s, e);
	lab_diff(lr, "mmscope pt (the block's VMA)", pt0, pt1);
	lab_pt_present(lr->pid, user, be, &pte, &pmd);
	pm = lab_pagemap_present(lr->pid, user, be);
	lab_check(lr, pte == NTOUCH && pmd == 0,
		  "mmscope pt: %llu present 4 KiB PTEs in the block, no huge page",
		  (unsigned long long)pte);
	lab_check(lr, pm == NTOUCH, "/proc/PID/pagemap: %d pages present", pm);
	lab_check_faults(lr, nf, NTOUCH, "one fault per page, in the block");
	lab_check(lr, flt1 - flt0 == NTOUCH,
		  "the kernel's count agrees: minflt in /proc/PID/stat grew by %ld",
		  flt1 - flt0);
	vrss = lab_smaps_kb(lr->pid, p, "Rss");
	lab_check(lr, vrss == (long)(NTOUCH + 1 + other) * 4,
		  "smaps: the VMA's Rss is %ld kB (%d pages + the header page + %d neighbour pages)",
		  vrss, NTOUCH, other);
	free(after);
	free(pt0);
	free(pt1);
	return 0;
}

const struct lab lab_demand = {
	.name = "demand",
	.title = "demand paging",
	.claim = "malloc(100 MiB) adds a VMA but no page and no RSS; each touched page then costs one fault and one PTE",
	.run = demand_run,
};
