// SPDX-License-Identifier: GPL-2.0
/*
 * Lab cow: after fork() parent and child map the same physical pages, both
 * read-only; the child's first write to a page faults and gives the child
 * its own copy, writable, while the parent keeps the original.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "cli.h"
#include "lab.h"

#define PG	4096UL
#define NPG	4

enum { STEP_MAP = 1, STEP_FORK, STEP_CHILD_WARM, STEP_CHILD_WRITE, STEP_REAP };

struct cow_state {
	char *p;
	pid_t child;
	int cmd, ack;		/* the subject's pipes to its child */
};

/* The child: one step at a time, like the subject it was forked from. */
static void cow_child(void *arg, int cmd, int ack)
{
	struct cow_state *st = arg;
	static char scratch[PG];
	int step;

	while (read(cmd, &step, sizeof(step)) == sizeof(step) && step > 0) {
		uint64_t v = 0;

		if (step == STEP_CHILD_WARM)
			((volatile char *)scratch)[0] = 'w';
		else if (step == STEP_CHILD_WRITE)
			((volatile char *)st->p)[0] = 'c';
		if (write(ack, &v, sizeof(v)) != sizeof(v))
			break;
	}
	_exit(0);
}

/* The subject relays @step to its child and waits for the answer. */
static uint64_t relay(struct cow_state *st, int step)
{
	uint64_t v = 0;

	if (write(st->cmd, &step, sizeof(step)) != sizeof(step) ||
	    read(st->ack, &v, sizeof(v)) != sizeof(v))
		return 0;
	return 1;
}

static uint64_t cow_step(int step, void *arg)
{
	struct cow_state *st = arg;

	switch (step) {
	case STEP_MAP:
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		st->p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (st->p == MAP_FAILED)
			return 0;
		memset(st->p, 'p', NPG * PG);
		return (uintptr_t)st->p;
	case STEP_FORK:
		st->child = lab_fork_child(cow_child, st, &st->cmd, &st->ack);
		return st->child;
	case STEP_CHILD_WARM:
	case STEP_CHILD_WRITE:
		return relay(st, step);
	case STEP_REAP:
		close(st->cmd);
		close(st->ack);
		waitpid(st->child, NULL, 0);
		return 1;
	}
	return 0;
}

/* One byte of @pid's memory at @addr, through /proc/PID/mem. */
static int mem_byte(pid_t pid, uint64_t addr)
{
	char path[64];
	unsigned char c;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &c, 1, addr) == 1)
		ret = c;
	close(fd);
	return ret;
}

static void show_pair(struct lab_run *lr, pid_t parent, pid_t child,
		      uint64_t p)
{
	char *a = lab_capture_pt(parent, p, p + NPG * PG);
	char *b = lab_capture_pt(child, p, p + NPG * PG);

	lab_diff(lr, "mmscope pt: where the parent (-) and the child (+) differ",
		 a, b);
	free(a);
	free(b);
}

#define MAX_MAPPERS	8

/*
 * mmscope page @pfn: its mappers through the reverse map, shown; checked
 * to be exactly the (pid, @addr) pairs of @pids (pagemap, the oracle,
 * shows each of those processes mapping @pfn at @addr).
 */
static void check_mappers(struct lab_run *lr, uint64_t pfn, uint64_t addr,
			  const pid_t *pids, int npids, const char *what)
{
	struct lab_mapper m[MAX_MAPPERS];
	bool complete, seen[4] = { false };
	int n, i, j, match = 0, pm = 0;
	uint32_t why;

	n = lab_page_mappers(pfn, m, MAX_MAPPERS, &complete, &why);
	if (n < 0) {
		lab_check(lr, false, "mmscope page %#llx: %s",
			  (unsigned long long)pfn, strerror(-n));
		return;
	}
	lab_show_mappers(lr, pfn, m, n, complete, why);
	for (i = 0; i < n && i < MAX_MAPPERS; i++)
		for (j = 0; j < npids; j++)
			if (!seen[j] && m[i].pid == pids[j] && m[i].addr == addr) {
				seen[j] = true;
				match++;
			}
	for (j = 0; j < npids; j++) {
		uint64_t e = lab_pagemap(pids[j], addr);

		pm += (e & LAB_PM_PRESENT) && LAB_PM_PFN(e) == pfn;
	}
	lab_check(lr, complete && n == npids && match == npids && pm == npids,
		  "%s: mmscope page lists %d mapper%s of PFN %#llx, %s; pagemap shows the same %d (pid, address)",
		  what, n, n == 1 ? "" : "s", (unsigned long long)pfn,
		  complete ? "complete" : "incomplete", pm);
}

static int cow_run(struct lab_run *lr)
{
	static struct cow_state st;
	struct mmscope_pt_leaf pl, cl;
	uint32_t pf, cf;
	uint64_t p, pfn0, pm, cm;
	char *before, *after;
	long f0, f1, nf;
	struct lab_faults lf;
	pid_t child, both[2];
	int i, same;

	if (lab_subject_start(lr, cow_step, &st))
		return -errno;
	lab_say(lr, "The program maps %lu pages of anonymous memory and writes to them.",
		(unsigned long)NPG);
	p = lab_step(lr, STEP_MAP);
	if (!p)
		return -ENOMEM;
	lab_xlate(lr->pid, p, &pl, &pf);
	pfn0 = pl.pfn;
	lab_check(lr, pl.stop == MMSCOPE_STOP_LEAF && (pf & MMSCOPE_PTF_RW),
		  "the first page is PFN %#llx, writable (mmscope translate)",
		  (unsigned long long)pfn0);
	before = lab_capture_pt(lr->pid, p, p + NPG * PG);

	lab_say(lr, "The program forks. The child gets a copy of the page tables, not of the pages.");
	child = (pid_t)lab_step(lr, STEP_FORK);
	if (child <= 0)
		return -ECHILD;
	lab_step(lr, STEP_CHILD_WARM);	/* its own stack and code faulted in */
	after = lab_capture_pt(lr->pid, p, p + NPG * PG);
	lab_diff(lr, "mmscope pt, the parent before and after fork", before, after);
	free(before);
	free(after);
	show_pair(lr, lr->pid, child, p);
	same = 0;
	for (i = 0; i < NPG; i++) {
		lab_xlate(lr->pid, p + i * PG, &pl, &pf);
		lab_xlate(child, p + i * PG, &cl, &cf);
		same += pl.pfn == cl.pfn && pl.pfn &&
			!(pf & MMSCOPE_PTF_RW) && !(cf & MMSCOPE_PTF_RW);
	}
	lab_check(lr, same == NPG,
		  "all %d pages: the same PFN in parent and child, read-only in both (mmscope translate)",
		  NPG);
	pm = lab_pagemap(lr->pid, p);
	cm = lab_pagemap(child, p);
	lab_check(lr, LAB_PM_PFN(pm) == pfn0 && LAB_PM_PFN(cm) == pfn0,
		  "pagemap agrees: parent PFN %#llx, child PFN %#llx",
		  (unsigned long long)LAB_PM_PFN(pm),
		  (unsigned long long)LAB_PM_PFN(cm));
	lab_check(lr, lab_kpagecount(pfn0) == 2,
		  "/proc/kpagecount: PFN %#llx is mapped %ld times",
		  (unsigned long long)pfn0, lab_kpagecount(pfn0));
	lab_say(lr, "Who maps the first page's frame? The kernel's reverse map (the anon_vma the child shares with the parent) leads from the frame to every page table that maps it.");
	both[0] = lr->pid;
	both[1] = child;
	check_mappers(lr, pfn0, p, both, 2,
		      "one frame, both processes");

	lab_say(lr, "The child writes one byte into the first page.");
	lab_faults_start(&lf, child, p, p + NPG * PG);
	f0 = lab_minflt(child);
	lab_step(lr, STEP_CHILD_WRITE);
	f1 = lab_minflt(child);
	nf = lab_faults_stop(&lf);
	show_pair(lr, lr->pid, child, p);
	lab_check_faults(lr, nf, 1, "the child's write, in the region");
	lab_check(lr, f1 - f0 == 1,
		  "the write faulted once: the child's minflt grew by %ld", f1 - f0);
	lab_xlate(lr->pid, p, &pl, &pf);
	lab_xlate(child, p, &cl, &cf);
	lab_check(lr, cl.pfn && cl.pfn != pfn0 && (cf & MMSCOPE_PTF_RW),
		  "the child maps a new PFN %#llx there, writable",
		  (unsigned long long)cl.pfn);
	lab_check(lr, pl.pfn == pfn0 && !(pf & MMSCOPE_PTF_RW),
		  "the parent keeps PFN %#llx, still read-only until it writes",
		  (unsigned long long)pl.pfn);
	pm = lab_pagemap(lr->pid, p);
	cm = lab_pagemap(child, p);
	lab_check(lr, LAB_PM_PFN(pm) == pfn0 && LAB_PM_PFN(cm) == cl.pfn &&
		  (cm & LAB_PM_EXCL),
		  "pagemap agrees: parent %#llx, child %#llx (exclusively mapped)",
		  (unsigned long long)LAB_PM_PFN(pm),
		  (unsigned long long)LAB_PM_PFN(cm));
	lab_check(lr, lab_kpagecount(pfn0) == 1 && lab_kpagecount(cl.pfn) == 1,
		  "/proc/kpagecount: each PFN is now mapped once");
	lab_say(lr, "The two frames behind the first page now, through the reverse map:");
	check_mappers(lr, pfn0, p, &both[0], 1, "the old frame, the parent's");
	check_mappers(lr, cl.pfn, p, &both[1], 1, "the new frame, the child's");
	lab_check(lr, mem_byte(child, p) == 'c' && mem_byte(lr->pid, p) == 'p',
		  "the child reads its 'c', the parent still reads 'p' (/proc/PID/mem)");
	same = 0;
	for (i = 1; i < NPG; i++) {
		lab_xlate(lr->pid, p + i * PG, &pl, &pf);
		lab_xlate(child, p + i * PG, &cl, &cf);
		same += pl.pfn == cl.pfn && pl.pfn;
	}
	lab_check(lr, same == NPG - 1,
		  "the %d pages nobody wrote are still shared", NPG - 1);
	lab_step(lr, STEP_REAP);
	return 0;
}

const struct lab lab_cow = {
	.name = "cow",
	.title = "copy-on-write after fork",
	.claim = "after fork both map the same PFNs read-only; the child's first write faults and maps a new, writable PFN in the child only",
	.run = cow_run,
};
