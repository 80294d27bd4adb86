// SPDX-License-Identifier: GPL-2.0
/*
 * Lab buddy: a burst of order-0 allocations empties the small free blocks
 * and then splits large ones; freeing the pages merges the buddies back
 * into large blocks, except around pages the per-CPU lists still hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "cli.h"
#include "lab.h"

#define PG		4096UL
#define HIGH_ORDER	9	/* "large": a 2 MiB block or bigger */
#define MARGIN		8192	/* pages the burst asks beyond the small blocks */
#define LRU_BATCH	31	/* mm/swap.c: a CPU's LRU batch (PAGEVEC_SIZE) */
#define MIN_BURST	(64UL << 20)

/*
 * STEP_READY and STEP_SETTLE do nothing: they mark the moments before the
 * burst and after the wait for the per-CPU lists, for MMSCOPE_LAB_HOOK.
 */
enum { STEP_READY = 1, STEP_ALLOC, STEP_FREE, STEP_SETTLE };

/* Free pages by order, summed over every zone. */
struct snap {
	uint64_t nr[MMSCOPE_BUDDY_MAX_ORDERS];
	uint64_t pcp;
	uint64_t movable0;	/* order-0 blocks on node 0's Movable lists */
	unsigned int orders;
};

static uint64_t burst_bytes;

#define HIGH_FRACTION	"/proc/sys/vm/percpu_pagelist_high_fraction"

static int write_sysctl(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", v) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/*
 * The value to put back, preformatted so that a signal handler can write it
 * (open/write/close are async-signal-safe); only the process that changed
 * it restores it, not a forked subject.
 */
static char restore_val[32];
static size_t restore_len;
static pid_t restore_pid;

static void restore_sysctl(void)
{
	int fd;

	if (!restore_len || getpid() != restore_pid)
		return;
	fd = open(HIGH_FRACTION, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, restore_val, restore_len) < 0) {
			/* nothing more a handler can do */
		}
		close(fd);
	}
	restore_len = 0;
}

static void restore_on_signal(int sig)
{
	restore_sysctl();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void arm_restore(long v)
{
	static bool once;

	restore_len = snprintf(restore_val, sizeof(restore_val), "%ld\n", v);
	restore_pid = getpid();
	if (!once) {
		once = true;
		atexit(restore_sysctl);
	}
	signal(SIGINT, restore_on_signal);
	signal(SIGTERM, restore_on_signal);
	signal(SIGHUP, restore_on_signal);
}

static void disarm_restore(void)
{
	restore_len = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

#define MPOL_BIND_VAL	2	/* <linux/mempolicy.h> MPOL_BIND */
static unsigned long node0_mask = 1;

static uint64_t buddy_step(int step, void *arg)
{
	static char *p;

	(void)arg;
	switch (step) {
	case STEP_ALLOC:
		/* Order-0 pages only: no transparent huge page. */
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		/*
		 * From node 0 only, where there are several nodes: each
		 * node has its own free lists, and the drained ones are
		 * then node 0's (ENOSYS/EINVAL without NUMA: nothing to do).
		 */
		syscall(SYS_set_mempolicy, MPOL_BIND_VAL, &node0_mask,
			sizeof(node0_mask) * 8);
		p = mmap(NULL, burst_bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 0;
		madvise(p, burst_bytes, MADV_NOHUGEPAGE);
		memset(p, 1, burst_bytes);
		return (uintptr_t)p;
	case STEP_FREE:
		return !munmap(p, burst_bytes);
	case STEP_READY:
	case STEP_SETTLE:
		return 1;
	}
	return 0;
}

static int snap_mmscope(struct snap *s)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	memset(s, 0, sizeof(*s));
	err = buddy_fetch(false, &res);
	if (err)
		return err;
	int movable = -1;
	unsigned int mt;

	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_buddy_zone *z = (const void *)r;
		const struct mmscope_buddy_order *o = (const void *)r;

		if (r->type == MMSCOPE_REC_BUDDY_ZONE) {
			s->pcp += z->pcp_pages;
			if (z->nr_orders > s->orders)
				s->orders = z->nr_orders;
			movable = -1;
			for (mt = 0; mt < z->nr_mt && mt < MMSCOPE_BUDDY_MAX_MT; mt++)
				if (!strcmp(z->mt_names[mt], "Movable"))
					movable = mt;
		} else if (r->type == MMSCOPE_REC_BUDDY_ORDER &&
			   o->order < MMSCOPE_BUDDY_MAX_ORDERS) {
			s->nr[o->order] += o->nr_free;
			if (o->order == 0 && movable >= 0 && o->node == 0)
				s->movable0 += o->walked[movable];
		}
	}
	dev_result_free(&res);
	if (s->orders > MMSCOPE_BUDDY_MAX_ORDERS)
		s->orders = MMSCOPE_BUDDY_MAX_ORDERS;
	return 0;
}

/* The oracle: /proc/buddyinfo, one line per zone, a count per order. */
static int snap_buddyinfo(struct snap *s)
{
	char *text = lab_read_file("/proc/buddyinfo"), *line, *save = NULL;

	memset(s, 0, sizeof(*s));
	if (!text)
		return -errno;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "zone");
		unsigned int k = 0;
		char *end;

		if (!p)
			continue;
		p += 4;
		p += strspn(p, " ");
		p += strcspn(p, " ");	/* the zone's name */
		for (;; k++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p || k >= MMSCOPE_BUDDY_MAX_ORDERS)
				break;
			s->nr[k] += v;
			p = end;
		}
		if (k > s->orders)
			s->orders = k;
	}
	free(text);
	return 0;
}

static uint64_t pages(const struct snap *s, unsigned int from, unsigned int to)
{
	uint64_t n = 0;
	unsigned int k;

	for (k = from; k < to && k < s->orders; k++)
		n += s->nr[k] << k;
	return n;
}

#define LOW(s)		pages(s, 0, HIGH_ORDER)
#define HIGHP(s)	pages(s, HIGH_ORDER, MMSCOPE_BUDDY_MAX_ORDERS)
#define ALL(s)		pages(s, 0, MMSCOPE_BUDDY_MAX_ORDERS)

/*
 * Both views at once.  A snapshot that failed, or that shows no free
 * memory at all (nothing parsed), is an error: a zeroed snapshot would
 * make every "fewer pages" claim hold.
 */
static int snap_both(struct snap *m, struct snap *b)
{
	int err = snap_mmscope(m);

	if (!err)
		err = snap_buddyinfo(b);
	if (!err && (!m->orders || !b->orders || !ALL(m) || !ALL(b)))
		err = -ENODATA;
	return err;
}

static void table(const char *what, const struct snap *a, const struct snap *b)
{
	unsigned int k;

	printf("    %-28s", what);
	for (k = 0; k < a->orders; k++)
		printf(" %6u", k);
	printf("\n    %-28s", "  free blocks before");
	for (k = 0; k < a->orders; k++)
		printf(" %6llu", (unsigned long long)a->nr[k]);
	printf("\n    %-28s", "  free blocks after");
	for (k = 0; k < b->orders; k++)
		printf(" %6llu", (unsigned long long)b->nr[k]);
	printf("\n");
}

static int buddy_show(struct lab_run *lr);

/*
 * Per-CPU lists hold freed pages back from the buddy lists: up to a few
 * thousand pages per CPU by default (6.1: low watermark / CPUs; 6.7+ tunes
 * the mark up under heavy freeing).  Any one of them keeps a whole large
 * block from merging.  The lab lowers the high mark to its minimum (4
 * batches per CPU) for its run, and restores it.
 */
static int buddy_run(struct lab_run *lr)
{
	char *old = lab_read_file(HIGH_FRACTION);
	int ret, err;

	if (!old)
		return lab_skip(lr, "no %s (kernel older than 5.14)", HIGH_FRACTION);
	/* Ctrl-C, SIGTERM or an exit mid-run put the old value back too. */
	arm_restore(strtol(old, NULL, 10));
	err = write_sysctl(HIGH_FRACTION, 1L << 30);
	if (err) {
		disarm_restore();
		free(old);
		return err;
	}
	lab_say(lr, "Per-CPU lists keep freed pages back from the buddy lists (by default up to thousands of pages per CPU), and each page kept there stops its block from merging. For this run the lab sets %s to its largest value, which leaves each CPU's list its minimum (4 batches); it restores %ld after.",
		HIGH_FRACTION, strtol(old, NULL, 10));
	ret = buddy_show(lr);
	err = write_sysctl(HIGH_FRACTION, strtol(old, NULL, 10));
	disarm_restore();
	free(old);
	return ret ? ret : err;
}

/* Pages allocated so far (vmstat pgalloc_*, every zone type), -1 if none. */
static long long pgalloc(void)
{
	static const char *const names[] = {
		"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal",
		"pgalloc_movable", "pgalloc_device",
	};
	long long n = -1;
	unsigned int i;
	long v;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = lab_vmstat(names[i]);
		if (v >= 0)
			n = (n < 0 ? 0 : n) + v;
	}
	return n;
}

static int buddy_show(struct lab_run *lr)
{
	struct snap m0, m1, m2, b0, b1, b2;
	uint64_t burst, took, split, back, want, freed, alloced, lru;
	long long free0, free1, alloc1, alloc2;
	char *before, *after;
	int i, err;

	/*
	 * The free pool (buddy and per-CPU lists) loses what is allocated
	 * and gains what is freed, and /proc/vmstat counts every page freed
	 * (pgfree) and allocated (pgalloc_*): the bounds below take what
	 * others do meanwhile from there, measured, not guessed.
	 */
	free0 = lab_vmstat("pgfree");
	err = snap_both(&m0, &b0);
	if (err)
		return err;
	/*
	 * Big enough that the small blocks and the per-CPU lists cannot
	 * supply it all, so large blocks must be split; small enough to
	 * leave most memory free.
	 */
	burst = LOW(&m0) + m0.pcp + MARGIN;
	if (burst < MIN_BURST / PG)
		burst = MIN_BURST / PG;
	burst = (burst + 511) & ~511ULL;
	if (burst > ALL(&m0) / 2)
		return lab_skip(lr, "memory too fragmented to show splitting: %llu free pages, %llu of them in blocks below order %d",
				(unsigned long long)ALL(&m0),
				(unsigned long long)LOW(&m0), HIGH_ORDER);
	burst_bytes = burst * PG;
	if (lab_subject_start(lr, buddy_step, NULL))
		return -errno;
	before = lab_capture_buddy();

	lab_say(lr, "Free memory: %llu pages, %llu of them in blocks of order %d (2 MiB) or more, %llu in smaller ones; %llu more sit on per-CPU lists. The program maps %llu MiB and writes to every page: %llu order-0 allocations.",
		(unsigned long long)ALL(&m0), (unsigned long long)HIGHP(&m0),
		HIGH_ORDER, (unsigned long long)LOW(&m0),
		(unsigned long long)m0.pcp, (unsigned long long)burst * PG >> 20,
		(unsigned long long)burst);
	lab_step(lr, STEP_READY);
	if (!lab_step(lr, STEP_ALLOC))
		return -ENOMEM;
	err = snap_both(&m1, &b1);
	if (err)
		return err;
	free1 = lab_vmstat("pgfree");
	alloc1 = pgalloc();
	if (free0 < 0 || free1 < free0 || alloc1 < 0)
		return -ENODATA;
	freed = free1 - free0;
	after = lab_capture_buddy();
	lab_diff(lr, "mmscope buddy", before, after);
	table("order (all zones, mmscope)", &m0, &m1);
	/*
	 * The pool lost at least the burst and gained at most what anyone
	 * freed: the buddy lists lost at least the burst minus what the
	 * per-CPU lists held, minus the pages freed.
	 */
	took = ALL(&m0) > ALL(&m1) ? ALL(&m0) - ALL(&m1) : 0;
	want = burst > m0.pcp + freed ? burst - m0.pcp - freed : 0;
	lab_check(lr, want && took >= want,
		  "the burst took %llu pages from the free lists (at least %llu: %llu minus the %llu on per-CPU lists, minus the %llu pages anyone freed meanwhile, vmstat pgfree)",
		  (unsigned long long)took, (unsigned long long)want,
		  (unsigned long long)burst, (unsigned long long)m0.pcp,
		  (unsigned long long)freed);
	/* Of those, at most the small blocks' pages came from below order 9. */
	split = HIGHP(&m0) > HIGHP(&m1) ? HIGHP(&m0) - HIGHP(&m1) : 0;
	want = burst > LOW(&m0) + m0.pcp + freed ?
	       burst - LOW(&m0) - m0.pcp - freed : 0;
	lab_check(lr, want && split >= want,
		  "large blocks were split: %llu fewer pages in blocks of order >= %d (at least %llu: the small blocks and per-CPU lists held only %llu, %llu freed meanwhile)",
		  (unsigned long long)split, HIGH_ORDER, (unsigned long long)want,
		  (unsigned long long)(LOW(&m0) + m0.pcp), (unsigned long long)freed);
	/*
	 * Order-0 allocations take the order-0 blocks first: after the
	 * burst the Movable order-0 lists hold only pages freed to them
	 * meanwhile (by anyone, or drained from a per-CPU list: at most
	 * the pages freed plus those the lists held) and what the last
	 * split of each zone left there (one block; x86-64 has at most 5
	 * zones).  A fixed "a few" failed once: 33 blocks before, 123 after.
	 */
	want = freed + m0.pcp + 5;
	lab_check(lr, m1.movable0 <= want,
		  "the order-0 Movable free lists (node 0, where the program's memory is bound) were drained: %llu blocks before, %llu after (at most %llu: pages freed meanwhile or drained from per-CPU lists, and one per zone)",
		  (unsigned long long)m0.movable0, (unsigned long long)m1.movable0,
		  (unsigned long long)want);
	want = burst > LOW(&b0) + m0.pcp + freed ?
	       burst - LOW(&b0) - m0.pcp - freed : 0;
	lab_check(lr, want && HIGHP(&b0) >= HIGHP(&b1) + want,
		  "/proc/buddyinfo agrees: %llu -> %llu pages in blocks of order >= %d",
		  (unsigned long long)HIGHP(&b0), (unsigned long long)HIGHP(&b1),
		  HIGH_ORDER);
	free(before);
	before = after;

	lab_say(lr, "The program unmaps it all. Freed pages go to the per-CPU lists first; past their high mark they return to the buddy lists, where each block merges with its free buddy.");
	if (!lab_step(lr, STEP_FREE))
		return -EIO;
	/* 6.7+ shrinks idle per-CPU lists every second: give them 3 s. */
	for (i = 0; i < 6; i++) {
		usleep(500 * 1000);
		err = snap_both(&m2, &b2);
		if (err)
			return err;
		if (HIGHP(&m2) >= HIGHP(&m0))
			break;
	}
	alloc2 = pgalloc();
	lab_step(lr, STEP_SETTLE);
	after = lab_capture_buddy();
	lab_diff(lr, "mmscope buddy", before, after);
	table("order (all zones, mmscope)", &m1, &m2);
	/*
	 * munmap() frees every page of the burst but those a CPU's LRU
	 * batch still holds (folio_add_lru(): at most LRU_BATCH a CPU);
	 * others took at most the pages allocated meanwhile.
	 */
	alloced = alloc2 > alloc1 ? alloc2 - alloc1 : 0;
	lru = (uint64_t)LRU_BATCH * (uint64_t)sysconf(_SC_NPROCESSORS_CONF);
	want = ALL(&m1) + burst > lru + alloced ? ALL(&m1) + burst - lru - alloced : 0;
	lab_check(lr, ALL(&m2) + m2.pcp >= want,
		  "the %llu pages are back on the free lists: %llu free now (%llu on per-CPU lists), at least %llu (%llu after the burst, minus %llu allocated meanwhile and %llu LRU-batched)",
		  (unsigned long long)burst, (unsigned long long)(ALL(&m2) + m2.pcp),
		  (unsigned long long)m2.pcp, (unsigned long long)want,
		  (unsigned long long)ALL(&m1), (unsigned long long)alloced,
		  (unsigned long long)lru);
	want = ALL(&b1) + burst > lru + alloced ? ALL(&b1) + burst - lru - alloced : 0;
	lab_check(lr, ALL(&b2) + m2.pcp >= want,
		  "/proc/buddyinfo agrees: %llu free pages (and the %llu on per-CPU lists)",
		  (unsigned long long)ALL(&b2), (unsigned long long)m2.pcp);
	/*
	 * How far they merged is shown, not promised: each page a per-CPU
	 * list keeps or someone else took can keep a whole 2 MiB block
	 * apart, and there are more of those than the burst has blocks (a
	 * bound "back >= split - 512 x (pcp + allocated)" is below zero).
	 */
	back = HIGHP(&m2) > HIGHP(&m1) ? HIGHP(&m2) - HIGHP(&m1) : 0;
	lab_say(lr, "Merged: %llu of the %llu pages taken from large blocks are back in blocks of order >= %d. Per-CPU lists hold %llu pages and others allocated %llu meanwhile; each of those can keep a whole 2 MiB block (the burst took %llu) from merging, so how many merge is shown here, not promised.",
		(unsigned long long)back, (unsigned long long)split, HIGH_ORDER,
		(unsigned long long)m2.pcp, (unsigned long long)alloced,
		(unsigned long long)burst / 512);
	free(before);
	free(after);
	return 0;
}

const struct lab lab_buddy = {
	.name = "buddy",
	.title = "the buddy allocator splits and merges",
	.claim = "a burst of page allocations splits large free blocks; freeing gives the pages back, to merge with their buddies where per-CPU lists and others' allocations let them",
	.run = buddy_run,
};
