// SPDX-License-Identifier: GPL-2.0
/*
 * Lab vma: mprotect() of the middle of a mapping splits one VMA into three;
 * restoring the protection merges them back; munmap() removes the pages.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "cli.h"
#include "lab.h"

#define PG	4096UL
#define NPG	48

enum { STEP_MAP = 1, STEP_PROTECT, STEP_RESTORE, STEP_UNMAP };

static uint64_t vma_step(int step, void *arg)
{
	static char *p;

	switch (step) {
	case STEP_MAP:
		p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 0;
		madvise(p, NPG * PG, MADV_NOHUGEPAGE);
		memset(p, 1, NPG * PG);
		return (uintptr_t)p;
	case STEP_PROTECT:
		return mprotect(p + NPG / 3 * PG, NPG / 3 * PG, PROT_READ);
	case STEP_RESTORE:
		return mprotect(p + NPG / 3 * PG, NPG / 3 * PG,
				PROT_READ | PROT_WRITE);
	case STEP_UNMAP:
		return munmap(p + NPG / 3 * PG, NPG / 3 * PG);
	}
	return 0;
}

static int lab_pages_present(pid_t pid, uint64_t start, uint64_t end)
{
	char path[64];
	uint64_t e, va;
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (va = start; va < end; va += PG)
		if (pread(fd, &e, sizeof(e), va / PG * 8) == 8 && (e >> 63))
			n++;
	close(fd);
	return n;
}

static int vma_run(struct lab_run *lr)
{
	uint64_t p, s, e, mid, ms, me;
	char *before, *after;
	int n0, err;

	err = lab_subject_start(lr, vma_step, NULL);
	if (err)
		return err;
	lab_say(lr, "The program maps %lu KiB of anonymous memory and touches it.",
		NPG * PG / 1024);
	p = lab_step(lr, STEP_MAP);
	mid = p + NPG / 3 * PG;
	n0 = lab_count_vmas(lr->pid);
	lab_vma_of(lr->pid, p, &s, &e);
	lab_check(lr, s <= p && e >= p + NPG * PG,
		  "one VMA %#llx-%#llx covers it", (unsigned long long)s,
		  (unsigned long long)e);
	before = lab_capture_vma(lr->pid);

	lab_say(lr, "mprotect(PROT_READ) on the middle third.");
	lab_step(lr, STEP_PROTECT);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_vma_of(lr->pid, mid, &s, &e);
	lab_check(lr, lab_count_vmas(lr->pid) == n0 + 2,
		  "one VMA became three: %d -> %d VMAs", n0,
		  lab_count_vmas(lr->pid));
	lab_check(lr, s == mid && e == mid + NPG / 3 * PG,
		  "the middle VMA is exactly the protected range");
	lab_maps_vma_of(lr->pid, mid, &ms, &me);
	lab_check(lr, lab_maps_count(lr->pid) == n0 + 2 && ms == s && me == e,
		  "/proc/PID/maps shows the same split");
	free(before);
	before = after;

	lab_say(lr, "mprotect(PROT_READ|PROT_WRITE) restores the protection.");
	lab_step(lr, STEP_RESTORE);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_check(lr, lab_count_vmas(lr->pid) == n0,
		  "the three VMAs merged back: %d VMAs", lab_count_vmas(lr->pid));
	free(before);
	before = after;

	lab_say(lr, "munmap() of the middle third.");
	lab_check(lr, lab_pages_present(lr->pid, mid, mid + NPG / 3 * PG) ==
		  NPG / 3, "before: its %lu pages are present (pagemap)", NPG / 3UL);
	lab_step(lr, STEP_UNMAP);
	after = lab_capture_vma(lr->pid);
	lab_diff(lr, "mmscope vma", before, after);
	lab_check(lr, !lab_vma_of(lr->pid, mid, &s, &e) &&
		  lab_count_vmas(lr->pid) == n0 + 1,
		  "the hole splits the VMA in two: %d VMAs",
		  lab_count_vmas(lr->pid));
	lab_check(lr, lab_pages_present(lr->pid, mid, mid + NPG / 3 * PG) == 0,
		  "after: none of its pages is mapped (pagemap)");
	free(before);
	free(after);
	return 0;
}

const struct lab lab_vma = {
	.name = "vma",
	.title = "VMAs split and merge",
	.claim = "mprotect on the middle of a mapping splits one VMA into three; restoring merges them; munmap removes the pages",
	.run = vma_run,
};
