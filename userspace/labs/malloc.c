// SPDX-License-Identifier: GPL-2.0
/*
 * Lab malloc: small allocations come from [heap], grown with brk(); one
 * above glibc's mmap threshold (128 KiB by default) gets its own anonymous
 * mapping, and free() gives that mapping back.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

#define SMALL		(64 * 1024)	/* below the threshold */
#define NSMALL		8
#define BIG		(1024 * 1024)	/* above it */

enum { STEP_WARM = 1, STEP_SMALL, STEP_BRK, STEP_BIG, STEP_FREE };

struct malloc_state {
	void *small[NSMALL];
	void *big;
};

static uint64_t malloc_step(int step, void *arg)
{
	struct malloc_state *st = arg;
	void *p;
	int i;

	switch (step) {
	case STEP_WARM:
		/* Fix the threshold at its documented default (no sliding). */
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
		p = malloc(SMALL);
		memset(p, 1, SMALL);
		return (uintptr_t)p;
	case STEP_SMALL:
		for (i = 0; i < NSMALL; i++) {
			st->small[i] = malloc(SMALL);
			memset(st->small[i], 1, SMALL);
		}
		return (uintptr_t)st->small[NSMALL - 1];
	case STEP_BRK:
		return (uintptr_t)sbrk(0);
	case STEP_BIG:
		st->big = malloc(BIG);
		memset(st->big, 1, BIG);
		return (uintptr_t)st->big;
	case STEP_FREE:
		free(st->big);
		return 0;
	}
	return 0;
}

/* The brk heap from mmscope's mm summary: [start_brk, brk). */
static void heap_of(pid_t pid, uint64_t *start, uint64_t *end)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;

	*start = *end = 0;
	if (vma_fetch(pid, &res))
		return;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_mm *m = (const void *)r;

		if (r->type == MMSCOPE_REC_MM) {
			*start = m->start_brk;
			*end = m->brk;
		}
	}
	dev_result_free(&res);
}

static int malloc_run(struct lab_run *lr)
{
	static struct malloc_state st;
	uint64_t hs0, he0, hs1, he1, s, e, ms, me, p, brk0, brk1;
	char *before, *after;
	int n0, n1, err;

	err = lab_subject_start(lr, malloc_step, &st);
	if (err)
		return err;
	lab_say(lr, "The program starts with one malloc(%d KiB), so [heap] exists.", SMALL / 1024);
	lab_step(lr, STEP_WARM);
	brk0 = lab_step(lr, STEP_BRK);
	heap_of(lr->pid, &hs0, &he0);
	n0 = lab_count_vmas(lr->pid);
	before = lab_capture_vma(lr->pid);
	lab_say(lr, "The program mallocs %d blocks of %d KiB (below the 128 KiB mmap threshold).",
		NSMALL, SMALL / 1024);
	p = lab_step(lr, STEP_SMALL);
	brk1 = lab_step(lr, STEP_BRK);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	heap_of(lr->pid, &hs1, &he1);
	lab_vma_of(lr->pid, p, &s, &e);
	n1 = lab_count_vmas(lr->pid);
	lab_check(lr, brk1 > brk0 && he1 == brk1,
		  "the program break moved: %#llx -> %#llx",
		  (unsigned long long)brk0, (unsigned long long)brk1);
	lab_check(lr, hs1 == hs0 && hs1 <= p && p < he1,
		  "the blocks lie in the brk heap %#llx-%#llx",
		  (unsigned long long)hs1, (unsigned long long)he1);
	lab_check(lr, e == ((brk1 + 4095) & ~4095ULL) && n1 <= n0 + 1,
		  "their VMA %#llx-%#llx ends at the new break; %d VMAs before, %d after",
		  (unsigned long long)s, (unsigned long long)e, n0, n1);
	lab_maps_vma_of(lr->pid, p, &ms, &me);
	lab_check(lr, ms == s && me == e,
		  "/proc/PID/maps agrees: the blocks are in %#llx-%#llx",
		  (unsigned long long)ms, (unsigned long long)me);
	free(before);
	before = after;

	lab_say(lr, "The program mallocs %d KiB, above the threshold.", BIG / 1024);
	p = lab_step(lr, STEP_BIG);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_vma_of(lr->pid, p, &s, &e);
	lab_check(lr, lab_count_vmas(lr->pid) == n1 + 1 && s && !(p >= hs1 && p < he1),
		  "a new anonymous VMA %#llx-%#llx (%llu KiB) holds it, outside [heap]",
		  (unsigned long long)s, (unsigned long long)e,
		  (unsigned long long)(e - s) / 1024);
	lab_maps_vma_of(lr->pid, p, &ms, &me);
	lab_check(lr, ms == s && me == e, "/proc/PID/maps lists the same VMA");
	free(before);
	before = after;

	lab_say(lr, "The program frees it.");
	lab_step(lr, STEP_FREE);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_check(lr, !lab_vma_of(lr->pid, p, &s, &e) &&
		  lab_count_vmas(lr->pid) == n1,
		  "free() unmapped it: back to %d VMAs", n1);
	lab_check(lr, !lab_maps_vma_of(lr->pid, p, &ms, &me),
		  "/proc/PID/maps no longer has it");
	free(before);
	free(after);
	return 0;
}

const struct lab lab_malloc = {
	.name = "malloc",
	.title = "malloc sizes: brk for small, mmap for large",
	.claim = "small allocations grow [heap] via brk; above 128 KiB malloc maps a new VMA and free unmaps it",
	.run = malloc_run,
};
