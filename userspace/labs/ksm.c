// SPDX-License-Identifier: GPL-2.0
/*
 * Lab ksm: 64 pages filled with the same bytes and marked MADV_MERGEABLE
 * become one physical frame once ksmd has scanned them: 64 page-table
 * entries map one PFN, a KSM page, read-only; a write to one of them
 * faults and gives that page its own copy again.
 *
 * ksmd is started through /sys/kernel/mm/ksm (run, pages_to_scan,
 * sleep_millisecs: root), and its settings are put back at the end.  The
 * merge is waited for, bounded: ksmd needs two full scans to merge a page
 * (the first records its checksum, the second merges it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "cli.h"
#include "lab.h"

#define PG		4096UL
#define NPG		64
#define WRITTEN		10		/* the page the program writes */
#define KSM		"/sys/kernel/mm/ksm/"
#define WAIT_MS		120000		/* bound on the wait for ksmd */
#define POLL_MS		100

enum { STEP_MAP = 1, STEP_WRITE, STEP_MERGED };

struct ksm_state {
	char *p;
};

static uint64_t ksm_step(int step, void *arg)
{
	struct ksm_state *st = arg;

	switch (step) {
	case STEP_MAP:
		/* No THP: KSM merges 4 KiB pages (it would split a THP first). */
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		st->p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (st->p == MAP_FAILED)
			return 0;
		memset(st->p, 0x5a, NPG * PG);
		if (madvise(st->p, NPG * PG, MADV_MERGEABLE))
			return 0;
		return (uintptr_t)st->p;
	case STEP_WRITE:
		((volatile char *)st->p)[WRITTEN * PG] = 0x33;
		return 1;
	case STEP_MERGED:	/* nothing: the state after ksmd merged */
		return (uintptr_t)st->p;
	}
	return 0;
}

static long ksm_read(const char *name)
{
	char path[128], *text;
	long v;

	snprintf(path, sizeof(path), KSM "%s", name);
	text = lab_read_file(path);
	if (!text)
		return -1;
	v = strtol(text, NULL, 10);
	free(text);
	return v;
}

static int ksm_write(const char *name, long v)
{
	char path[128], buf[32];
	int fd, n, ret;

	snprintf(path, sizeof(path), KSM "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	ret = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return ret;
}

/* How many of the NPG pages pagemap shows at @pfn (0: the first's). */
static int pages_at(pid_t pid, uint64_t p, uint64_t *pfn)
{
	int i, n = 0;

	*pfn = LAB_PM_PFN(lab_pagemap(pid, p));
	for (i = 0; i < NPG; i++) {
		uint64_t e = lab_pagemap(pid, p + i * PG);

		n += (e & LAB_PM_PRESENT) && LAB_PM_PFN(e) == *pfn;
	}
	return *pfn ? n : 0;
}

/*
 * Each of the @n mappers is the subject @pid at a distinct one of the NPG
 * page addresses from @p, and pagemap shows @pfn there.
 */
static bool mappers_ok(pid_t pid, uint64_t p, uint64_t pfn,
		       const struct lab_mapper *m, int n)
{
	bool seen[NPG] = { false };
	int i;

	for (i = 0; i < n; i++) {
		uint64_t e, pg = (m[i].addr - p) / PG;

		if (m[i].pid != pid || m[i].addr < p || pg >= NPG ||
		    m[i].addr % PG || seen[pg])
			return false;
		seen[pg] = true;
		e = lab_pagemap(pid, m[i].addr);
		if (!(e & LAB_PM_PRESENT) || LAB_PM_PFN(e) != pfn)
			return false;
	}
	return true;
}

/* mmscope phys --range: the kind of @pfn, or "?". */
static const char *frame_kind(uint64_t pfn)
{
	static const char *const names[] = MMSCOPE_FRAME_KIND_NAMES;
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	const char *kind = "?";

	if (phys_fetch(pfn, pfn + 1, &res))
		return kind;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_phys_pfn *f = (const void *)r;

		if (r->type == MMSCOPE_REC_PHYS_PFN &&
		    f->kind < MMSCOPE_FRAME_NR_KINDS)
			kind = names[f->kind];
	}
	dev_result_free(&res);
	return kind;
}

static int ksm_run(struct lab_run *lr)
{
	static struct ksm_state st;
	long run0, scan0, sleep0, full0, waited = 0;
	struct lab_mapper m[NPG];
	struct mmscope_pt_leaf leaf;
	uint64_t p, pfn, pfn2, pm;
	uint32_t lf, why;
	bool complete;
	int n, same, i, nm;

	run0 = ksm_read("run");
	scan0 = ksm_read("pages_to_scan");
	sleep0 = ksm_read("sleep_millisecs");
	if (run0 < 0 || scan0 < 0 || sleep0 < 0)
		return lab_skip(lr, "no %s (kernel without CONFIG_KSM)", KSM);
	if (lab_subject_start(lr, ksm_step, &st))
		return -errno;
	lab_say(lr, "The program maps %d pages of anonymous memory, fills every one with the same bytes and marks them MADV_MERGEABLE.",
		NPG);
	p = lab_step(lr, STEP_MAP);
	if (!p)
		return -ENOMEM;
	n = pages_at(lr->pid, p, &pfn);
	lab_check(lr, n == 1, "before ksmd runs: %d pages, %d physical frames (pagemap)",
		  NPG, NPG - n + 1);

	lab_say(lr, "ksmd is started (%srun = 1, pages_to_scan = 1000, sleep_millisecs = 10) and given two full scans.",
		KSM);
	full0 = ksm_read("full_scans");
	if (ksm_write("pages_to_scan", 1000) || ksm_write("sleep_millisecs", 10) ||
	    ksm_write("run", 1)) {
		lab_check(lr, false, "ksmd started (writing %s needs root)", KSM);
		goto out;
	}
	while (waited < WAIT_MS) {
		n = pages_at(lr->pid, p, &pfn);
		if (n == NPG && ksm_read("full_scans") >= full0 + 2)
			break;
		usleep(POLL_MS * 1000);
		waited += POLL_MS;
	}
	lab_say(lr, "After %.1f s of waiting, %ld full scans: pages_shared %ld, pages_sharing %ld.",
		waited / 1000.0, ksm_read("full_scans") - full0,
		ksm_read("pages_shared"), ksm_read("pages_sharing"));
	lab_step(lr, STEP_MERGED);
	lab_check(lr, n == NPG, "all %d pages map one PFN %#llx (pagemap)", NPG,
		  (unsigned long long)pfn);
	same = 0;
	for (i = 0; i < NPG; i++) {
		lab_xlate(lr->pid, p + i * PG, &leaf, &lf);
		same += leaf.pfn == pfn && !(lf & MMSCOPE_PTF_RW);
	}
	lab_check(lr, same == NPG,
		  "mmscope translate: all %d entries map PFN %#llx, read-only", NPG,
		  (unsigned long long)pfn);
	lab_check(lr, !strcmp(frame_kind(pfn), "ksm"),
		  "mmscope phys: PFN %#llx is a %s page", (unsigned long long)pfn,
		  frame_kind(pfn));
	lab_check(lr, lab_kpagecount(pfn) == NPG,
		  "/proc/kpagecount: PFN %#llx is mapped %ld times",
		  (unsigned long long)pfn, lab_kpagecount(pfn));
	pm = lab_pagemap(lr->pid, p);
	lab_check(lr, !(pm & LAB_PM_EXCL),
		  "pagemap: the page is not exclusively mapped");
	lab_check(lr, ksm_read("pages_shared") >= 1 &&
		  ksm_read("pages_sharing") >= NPG - 1,
		  "%s: pages_shared %ld >= 1, pages_sharing %ld >= %d", KSM,
		  ksm_read("pages_shared"), ksm_read("pages_sharing"), NPG - 1);

	lab_say(lr, "Who maps the merged frame? A KSM page's mappers are found through KSM's own reverse map: the page's stable node lists one rmap_item per (process, address) ksmd merged, each with its anon_vma; mmscope walks it as the kernel's rmap_walk_ksm() does.");
	nm = lab_page_mappers(pfn, m, NPG, &complete, &why);
	if (nm >= 0)
		lab_show_mappers(lr, pfn, m, nm, complete, why);
	lab_check(lr, nm == NPG && complete && mappers_ok(lr->pid, p, pfn, m, nm),
		  "mmscope page %#llx: %d mappers, complete, each (pid %d, a distinct one of the %d addresses) mapping it in pagemap; the kernel counts %ld mappings (/proc/kpagecount)",
		  (unsigned long long)pfn, nm, lr->pid, NPG, lab_kpagecount(pfn));
	lab_check(lr, nm == lab_kpagecount(pfn),
		  "as many mappers as /proc/kpagecount counts (%ld)",
		  lab_kpagecount(pfn));

	lab_say(lr, "The program writes one byte into page %d.", WRITTEN);
	lab_step(lr, STEP_WRITE);
	lab_xlate(lr->pid, p + WRITTEN * PG, &leaf, &lf);
	pfn2 = LAB_PM_PFN(lab_pagemap(lr->pid, p + WRITTEN * PG));
	lab_check(lr, leaf.pfn && leaf.pfn != pfn && leaf.pfn == pfn2 &&
		  (lf & MMSCOPE_PTF_RW),
		  "page %d now maps its own PFN %#llx, writable (mmscope translate; pagemap %#llx)",
		  WRITTEN, (unsigned long long)leaf.pfn,
		  (unsigned long long)pfn2);
	lab_check(lr, !strcmp(frame_kind(leaf.pfn), "anon"),
		  "mmscope phys: PFN %#llx is an %s page", (unsigned long long)leaf.pfn,
		  frame_kind(leaf.pfn));
	n = pages_at(lr->pid, p, &pfn2);
	lab_check(lr, n == NPG - 1 && pfn2 == pfn,
		  "the other %d pages still map PFN %#llx (pagemap)", n,
		  (unsigned long long)pfn2);
	lab_check(lr, lab_kpagecount(pfn) == NPG - 1,
		  "/proc/kpagecount: PFN %#llx is mapped %ld times",
		  (unsigned long long)pfn, lab_kpagecount(pfn));
	nm = lab_page_mappers(pfn, m, NPG, &complete, &why);
	if (nm >= 0)
		lab_show_mappers(lr, pfn, m, nm, complete, why);
	lab_check(lr, nm == NPG - 1 && complete &&
		  mappers_ok(lr->pid, p, pfn, m, nm),
		  "mmscope page %#llx: %d mappers, complete, each mapping it in pagemap, page %d not among them",
		  (unsigned long long)pfn, nm, WRITTEN);
out:
	ksm_write("run", run0);
	ksm_write("pages_to_scan", scan0);
	ksm_write("sleep_millisecs", sleep0);
	return 0;
}

const struct lab lab_ksm = {
	.name = "ksm",
	.title = "KSM: identical pages merged into one frame",
	.claim = "64 identical MADV_MERGEABLE pages end up mapping one read-only KSM frame once ksmd has scanned them; a write to one gives it its own writable copy",
	.run = ksm_run,
};
