// SPDX-License-Identifier: GPL-2.0
/*
 * The page view's answer for a page-table frame: which table it is (its
 * level), whose (the process whose mm it belongs to, or the kernel), and
 * the first virtual address it maps.
 *
 * The kernel keeps no reverse map for page-table pages (x86 pgd pages have
 * ptdesc->pt_mm, on a list under pgd_lock, which is not exported), so the
 * tables are searched, with the one walker (walk.c):
 *
 *  - every process (thread-group leaders, by PID through find_ge_pid(),
 *    the task pinned with get_task_struct() and its mm with get_task_mm()):
 *    mm->pgd's frame (and, with PTI, the user copy beside it) is compared
 *    with the frame; then, under mmap_read_trylock() (tried
 *    MMSCOPE_PT_LOCK_TRIES times, MMSCOPE_PT_WAIT_US apart, else the
 *    process is skipped and the answer says "busy"), the user half is
 *    walked with mmscope_walk_range(), which reads only what VMAs cover and
 *    holds i_mmap_rwsem for shared hugetlb VMAs (whose PMD tables may be
 *    shared).  Each table entry of the pgd (5-level), p4d, pud and pmd
 *    levels is compared: its target is a table one level down, covering
 *    the entry's range.  PTE tables are never entered (walk->skip at every
 *    pmd entry: the pmd entry gives the PTE table's frame).
 *  - the kernel half once: init_mm's pgd frame (init_mm from kallsyms,
 *    used only once its kernel half equals the reader's pgd's), then the
 *    kernel half as the kernel view walks it (kernel.c): the reader's own
 *    pgd, whose kernel entries are init_mm's (mmscope_kernel_mm() checks),
 *    with mmscope_walk_lockless(), interrupts off, at most
 *    MMSCOPE_PT_KHOLD entries per hold, resumed where it stopped.
 *
 * A table found at any level but a shared hugetlb VMA's PMD table has one
 * owner: the search stops there.  A hugetlb PMD table shared by several
 * processes (huge_pmd_share()) is reported for each, up to
 * MMSCOPE_PT_MAX_OWNERS.  Which levels are searched depends on the kind
 * of the frame: a PageTable() frame may be a table of any level; an
 * untyped one ("other": pgd and p4d pages are never typed, pud pages
 * before v6.6) only a pgd, p4d or pud table of a process, or any kernel
 * table (the direct map's split tables are untyped); a reserved one only a
 * kernel table (the boot-time tables).
 *
 * Bounds: MMSCOPE_PT_MAX_MMS processes, MMSCOPE_PT_TIME_NS for the whole
 * search, one mmap_lock hold of at most MMSCOPE_PT_HOLD_NS once
 * MMSCOPE_PT_HOLD_MIN entries were read in it; each is reported, with the
 * longest mmap_lock hold and the longest interrupts-off kernel hold.  The
 * tables of mms no process runs in (text_poke's, EFI's) are not searched.
 */
#include <linux/delay.h>
#include <linux/hugetlb.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/pgtable.h>
#include "mmscope.h"
#include "walk.h"
#include "kernel.h"
#include "page_pt.h"

#define MMSCOPE_PT_MAX_MMS	65536
#define MMSCOPE_PT_TIME_NS	(10 * NSEC_PER_SEC)
#define MMSCOPE_PT_HOLD_NS	(10 * NSEC_PER_MSEC)
#define MMSCOPE_PT_HOLD_MIN	256
#define MMSCOPE_PT_LOCK_TRIES	10
#define MMSCOPE_PT_WAIT_US	200
#define MMSCOPE_PT_KHOLD	64
/* Entry callback results: stop the walk; end this kernel hold. */
#define MMSCOPE_PT_STOP		1
#define MMSCOPE_PT_PAUSE	2

/**
 * struct mmscope_pt_search - one owner search
 * @pfn: the frame
 * @ns: the reader's PID namespace
 * @deep: compare pmd entries too (the frame may be a PMD or PTE table)
 * @searched: the search ran (the frame's kind allows a page table)
 * @done: a table with a single owner was found: the search is over
 * @mm: the mm being walked; NULL for the kernel half
 * @task: the process whose mm is being walked
 * @why: enum mmscope_pt_why, the first reason the answer is incomplete
 * @nr: owners found
 * @owner_mm: the mm of each owner (compared, never followed)
 * @o: the owners
 * @entries: entries read in the current hold
 * @lock_start: when the current hold began
 * @t0: when the search began
 * @resume: where the next kernel hold starts
 * @sum: the summary record
 * @walk: the walker's state (holds a PTE snapshot: last)
 */
struct mmscope_pt_search {
	unsigned long pfn;
	struct pid_namespace *ns;
	bool deep, searched, done;
	struct mm_struct *mm;
	struct task_struct *task;
	u32 why;
	u32 nr;
	const void *owner_mm[MMSCOPE_PT_MAX_OWNERS];
	struct mmscope_page_pt_owner o[MMSCOPE_PT_MAX_OWNERS];
	u32 entries;
	u64 lock_start, t0;
	unsigned long resume;
	struct mmscope_page_pt sum;
	struct mmscope_walk walk;
};

static void mmscope_pt_why(struct mmscope_pt_search *s, u32 why)
{
	if (!s->why)
		s->why = why;
}

/* The process of s->mm: its owner (as the mapper list names it). */
static void mmscope_pt_name(struct mmscope_pt_search *s,
			    struct mmscope_page_pt_owner *o)
{
	struct task_struct *t = NULL;

	rcu_read_lock();
#ifdef CONFIG_MEMCG
	t = rcu_dereference(s->mm->owner);
#endif
	if (!t)
		t = s->task;
	o->pid = task_tgid_nr_ns(t, s->ns);
	/* Racy as /proc/PID/stat's read of it: a rename may tear it. */
	strscpy_pad(o->comm, t->comm, sizeof(o->comm));
	rcu_read_unlock();
}

/*
 * The frame is the table at @level, mapping from @addr, of s->mm (or the
 * kernel's).  MMSCOPE_PT_STOP when the search is over.
 */
static int mmscope_pt_found(struct mmscope_pt_search *s, int level,
			    unsigned long addr, bool shared)
{
	struct mmscope_page_pt_owner *o;
	u32 i;

	for (i = 0; i < s->nr; i++)
		if (s->owner_mm[i] == s->mm && s->o[i].level == level &&
		    s->o[i].addr == addr)
			return shared ? 0 : MMSCOPE_PT_STOP;
	if (s->nr == MMSCOPE_PT_MAX_OWNERS) {
		mmscope_pt_why(s, MMSCOPE_PTW_MAX_OWNERS);
		return MMSCOPE_PT_STOP;
	}
	o = &s->o[s->nr];
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->level = level;
	if (s->mm)
		mmscope_pt_name(s, o);
	else
		o->flags = MMSCOPE_PTO_KERNEL;
	s->owner_mm[s->nr++] = s->mm;
	if (shared)
		return 0;
	s->done = true;
	return MMSCOPE_PT_STOP;
}

/* Is the hold over?  Counts the entry about to be read. */
static int mmscope_pt_bound(struct mmscope_pt_search *s, unsigned long addr)
{
	if (!s->mm) {
		/* Interrupts are off: resume at this entry in a new hold. */
		if (s->entries >= MMSCOPE_PT_KHOLD) {
			s->resume = addr;
			return MMSCOPE_PT_PAUSE;
		}
		s->entries++;
		return 0;
	}
	if (++s->entries > MMSCOPE_PT_HOLD_MIN &&
	    ktime_get_ns() - s->lock_start > MMSCOPE_PT_HOLD_NS) {
		mmscope_pt_why(s, MMSCOPE_PTW_HOLD);
		return MMSCOPE_PT_STOP;
	}
	return 0;
}

/*
 * One entry at @level covering [@addr, ...): if it points to the frame,
 * the frame is the table one level down, mapping from @addr rounded down
 * to what the entry covers.
 */
static int mmscope_pt_entry(struct mmscope_walk *walk, u64 raw, int level,
			    unsigned long addr)
{
	struct mmscope_pt_search *s = walk->private;
	struct mmscope_pt_entry e;
	unsigned long size;
	bool shared;
	int ret = mmscope_pt_bound(s, addr);

	if (ret)
		return ret;
	if (mmscope_pt_kind(raw, level) != MMSCOPE_PTK_TABLE)
		return 0;
	mmscope_pt_decode(raw, level, &e);
	if (e.next_table >> PAGE_SHIFT != s->pfn)
		return 0;
	size = mmscope_pt_level_size(level);
	/* Only a shared hugetlb mapping's PMD tables have several owners. */
	shared = level + 1 == MMSCOPE_PT_PMD && walk->vma &&
		 is_vm_hugetlb_page(walk->vma) &&
		 (walk->vma->vm_flags & VM_MAYSHARE);
	return mmscope_pt_found(s, level + 1, addr & ~(size - 1), shared);
}

static int mmscope_pt_pgd(pgd_t pgd, unsigned long addr, unsigned long next,
			  struct mmscope_walk *walk)
{
	/* With 4 levels the pgd entry is the p4d entry: compared there. */
	if (!pgtable_l5_enabled())
		return 0;
	return mmscope_pt_entry(walk, pgd_val(pgd), MMSCOPE_PT_PGD, addr);
}

static int mmscope_pt_p4d(p4d_t p4d, unsigned long addr, unsigned long next,
			  struct mmscope_walk *walk)
{
	struct mmscope_pt_search *s = walk->private;

	/* Only a typed frame can be a process's PMD or PTE table. */
	if (s->mm && !s->deep)
		walk->skip = true;
	return mmscope_pt_entry(walk, p4d_val(p4d), MMSCOPE_PT_P4D, addr);
}

static int mmscope_pt_pud(pud_t pud, unsigned long addr, unsigned long next,
			  struct mmscope_walk *walk)
{
	return mmscope_pt_entry(walk, pud_val(pud), MMSCOPE_PT_PUD, addr);
}

static int mmscope_pt_pmd(pmd_t pmd, unsigned long addr, unsigned long next,
			  struct mmscope_walk *walk)
{
	walk->skip = true;
	return mmscope_pt_entry(walk, pmd_val(pmd), MMSCOPE_PT_PMD, addr);
}

static const struct mmscope_walk_ops mmscope_pt_ops = {
	.pgd_entry = mmscope_pt_pgd,
	.p4d_entry = mmscope_pt_p4d,
	.pud_entry = mmscope_pt_pud,
	.pmd_entry = mmscope_pt_pmd,
};

/* The frame of a pgd page, and of its PTI user copy (the next page). */
static bool mmscope_pt_is_pgd(struct mmscope_pt_search *s, pgd_t *pgd)
{
	unsigned long pfn = __pa(pgd) >> PAGE_SHIFT;

	if (s->pfn == pfn)
		return true;
	return boot_cpu_has(X86_FEATURE_PTI) && s->pfn == pfn + 1;
}

/* One process: its pgd, then its user half's upper tables. */
static void mmscope_pt_user(struct mmscope_pt_search *s,
			    struct task_struct *task, struct mm_struct *mm)
{
	u64 held;
	int i;

	s->mm = mm;
	s->task = task;
	if (mmscope_pt_is_pgd(s, mm->pgd)) {
		mmscope_pt_found(s, MMSCOPE_PT_PGD, 0, false);
		goto out;
	}
	for (i = 0; !mmap_read_trylock(mm); i++) {
		if (i == MMSCOPE_PT_LOCK_TRIES) {
			mmscope_pt_why(s, MMSCOPE_PTW_BUSY);
			goto out;
		}
		usleep_range(MMSCOPE_PT_WAIT_US, 2 * MMSCOPE_PT_WAIT_US);
	}
	s->lock_start = ktime_get_ns();
	s->entries = 0;
	s->walk.mm = mm;
	mmscope_walk_range(&s->walk, 0, TASK_SIZE_MAX);
	held = ktime_get_ns() - s->lock_start;
	mmap_read_unlock(mm);
	s->sum.hold_ns = max(s->sum.hold_ns, held);
out:
	s->mm = NULL;
	s->task = NULL;
}

/* Every process, in PID order, until the frame is found or a bound. */
static int mmscope_pt_users(struct mmscope_pt_search *s)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int nr = 1;

	for (;;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (s->sum.mms >= MMSCOPE_PT_MAX_MMS) {
			mmscope_pt_why(s, MMSCOPE_PTW_MAX_MMS);
			return 0;
		}
		if (ktime_get_ns() - s->t0 > MMSCOPE_PT_TIME_NS) {
			mmscope_pt_why(s, MMSCOPE_PTW_TIME);
			return 0;
		}
		task = NULL;
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		if (pid) {
			nr = pid_nr(pid) + 1;
			task = pid_task(pid, PIDTYPE_TGID);
			if (task)
				get_task_struct(task);
		}
		rcu_read_unlock();
		if (!pid)
			return 0;
		if (!task)
			continue;
		mm = get_task_mm(task);
		if (mm) {
			s->sum.mms++;
			mmscope_pt_user(s, task, mm);
			mmput(mm);
		}
		put_task_struct(task);
		if (s->done || s->why == MMSCOPE_PTW_MAX_OWNERS)
			return 0;
		cond_resched();
	}
}

/*
 * init_mm, from kallsyms (not exported), once its pgd's kernel half is
 * the one of @mm's pgd (every pgd copies it; the LDT slot, which PTI
 * fills per mm, aside).  NULL when it is not found or does not match.
 */
static struct mm_struct *mmscope_pt_init_mm(struct mm_struct *mm)
{
	static struct mm_struct *init;
	struct mm_struct *k = READ_ONCE(init);
	int i, tries;

	if (!k) {
		k = mmscope_ksym("init_mm");
		if (!k)
			return NULL;
	}
	if (!PAGE_ALIGNED(READ_ONCE(k->pgd)) ||
	    !virt_addr_valid(READ_ONCE(k->pgd)))
		return NULL;
	for (tries = 0; tries < 3; tries++) {
		for (i = KERNEL_PGD_BOUNDARY; i < PTRS_PER_PGD; i++) {
			if (i == pgd_index(LDT_BASE_ADDR))
				continue;
			if (pgd_val(READ_ONCE(k->pgd[i])) !=
			    pgd_val(READ_ONCE(mm->pgd[i])))
				break;
		}
		if (i == PTRS_PER_PGD) {
			WRITE_ONCE(init, k);
			return k;
		}
	}
	return NULL;
}

/* The kernel half, as described at the top of this file. */
static int mmscope_pt_kernel(struct mmscope_pt_search *s)
{
	struct mm_struct *mm, *init;
	unsigned long start;
	u64 t;
	int err = 0;

	/* Kernel addresses: not under lockdown, as /proc/kcore. */
	if (security_locked_down(LOCKDOWN_KCORE)) {
		mmscope_pt_why(s, MMSCOPE_PTW_KERNEL);
		return 0;
	}
	mm = mmscope_kernel_mm(&err);
	if (!mm) {
		mmscope_pt_why(s, MMSCOPE_PTW_KERNEL);
		return 0;
	}
	s->mm = NULL;
	init = mmscope_pt_init_mm(mm);
	if (!init)
		mmscope_pt_why(s, MMSCOPE_PTW_KERNEL);
	else if (mmscope_pt_is_pgd(s, init->pgd))
		mmscope_pt_found(s, MMSCOPE_PT_PGD, 0, false);
	s->walk.mm = mm;
	s->walk.changed = false;
	s->resume = MMSCOPE_KERNEL_START;
	while (!s->done) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (ktime_get_ns() - s->t0 > MMSCOPE_PT_TIME_NS) {
			mmscope_pt_why(s, MMSCOPE_PTW_TIME);
			break;
		}
		start = s->resume;
		s->entries = 0;
		t = ktime_get_ns();
		err = mmscope_walk_lockless(&s->walk, start,
					    MMSCOPE_KERNEL_END);
		s->sum.khold_ns = max(s->sum.khold_ns, ktime_get_ns() - t);
		if (err != MMSCOPE_PT_PAUSE)
			break;
		err = 0;
		cond_resched();
	}
	if (err > 0)
		err = 0;
	if (err == -EOPNOTSUPP) {
		mmscope_pt_why(s, MMSCOPE_PTW_KERNEL);
		err = 0;
	}
	if (s->walk.changed)
		mmscope_pt_why(s, MMSCOPE_PTW_CHANGED);
	mmdrop(mm);
	return err;
}

/**
 * mmscope_pt_search_new() - state for one page query's owner search
 *
 * Return: the state (free with mmscope_pt_search_free()), or NULL.
 */
struct mmscope_pt_search *mmscope_pt_search_new(void)
{
	return kvzalloc(sizeof(struct mmscope_pt_search), GFP_KERNEL_ACCOUNT);
}

/**
 * mmscope_pt_search_free() - free what mmscope_pt_search_new() allocated
 * @s: the state, or NULL
 */
void mmscope_pt_search_free(struct mmscope_pt_search *s)
{
	kvfree(s);
}

/**
 * mmscope_pt_search() - which page table, of whom, is frame @pfn?
 * @s: state from mmscope_pt_search_new()
 * @pfn: the frame, online RAM with a struct page
 * @kind: its enum mmscope_frame_kind
 * @ns: the reader's PID namespace, to number the owners in
 *
 * Searches as described at the top of this file, when @kind allows a page
 * table; mmscope_pt_emit() sends the answer.  Takes mmap_lock (trylock) of
 * each process in turn, and may sleep.
 *
 * Return: 0, or -EINTR when the reader was killed.
 */
int mmscope_pt_search(struct mmscope_pt_search *s, unsigned long pfn,
		      u32 kind, struct pid_namespace *ns)
{
	int err = 0;

	s->searched = kind == MMSCOPE_FRAME_PAGETABLE ||
		      kind == MMSCOPE_FRAME_OTHER ||
		      kind == MMSCOPE_FRAME_RESERVED;
	if (!s->searched)
		return 0;
	s->pfn = pfn;
	s->ns = ns;
	s->deep = kind == MMSCOPE_FRAME_PAGETABLE;
	s->walk.ops = &mmscope_pt_ops;
	s->walk.private = s;
	s->t0 = ktime_get_ns();
	/* Boot-time (reserved) tables are the kernel's. */
	if (kind != MMSCOPE_FRAME_RESERVED)
		err = mmscope_pt_users(s);
	if (!err && !s->done && s->why != MMSCOPE_PTW_MAX_OWNERS &&
	    s->why != MMSCOPE_PTW_TIME && s->why != MMSCOPE_PTW_MAX_MMS)
		err = mmscope_pt_kernel(s);
	/*
	 * A table found where it has one owner (not a shared hugetlb PMD
	 * table): no process skipped or cut short can own it too.
	 */
	if (s->done)
		s->why = MMSCOPE_PTW_COMPLETE;
	/* PTI's own tables under the user copies' kernel half: not walked. */
	if (!s->nr && boot_cpu_has(X86_FEATURE_PTI))
		mmscope_pt_why(s, MMSCOPE_PTW_PTI);
	s->sum.total_ns = ktime_get_ns() - s->t0;
	return err;
}

/**
 * mmscope_pt_emit() - send the owner search's records
 * @ctx: the page view's context
 * @s: a search mmscope_pt_search() ran
 *
 * Nothing when the frame's kind rules out a page table, or when a frame not
 * typed as one was not found to be one; else a mmscope_page_pt and one
 * mmscope_page_pt_owner per owner.
 *
 * Return: 0 or -errno from mmscope_emit().
 */
int mmscope_pt_emit(struct mmscope_ctx *ctx, struct mmscope_pt_search *s)
{
	struct mmscope_page_pt *sum = &s->sum;
	u32 i;
	int err;

	if (!s->searched || (!s->deep && !s->nr))
		return 0;
	sum->owners = s->nr;
	sum->complete = s->why == MMSCOPE_PTW_COMPLETE;
	sum->why = s->why;
	sum->level = s->nr ? s->o[0].level : MMSCOPE_PT_NR_LEVELS;
	err = mmscope_emit(ctx, sum, MMSCOPE_REC_PAGE_PT, sizeof(*sum));
	for (i = 0; !err && i < s->nr; i++)
		err = mmscope_emit(ctx, &s->o[i], MMSCOPE_REC_PAGE_PT_OWNER,
				   sizeof(s->o[i]));
	return err;
}

static const char *const mmscope_pt_whys[] = MMSCOPE_PT_WHY_NAMES;

/**
 * mmscope_pt_show() - the debugfs text of the owner search's records
 * @s: the text
 * @hdr: a MMSCOPE_REC_PAGE_PT or MMSCOPE_REC_PAGE_PT_OWNER record
 */
void mmscope_pt_show(struct seq_buf *s, const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_page_pt *p = (const void *)hdr;
	const struct mmscope_page_pt_owner *o = (const void *)hdr;

	switch (hdr->type) {
	case MMSCOPE_REC_PAGE_PT:
		/* Holds in ns: mmap_lock, and the kernel walk's (irqs off). */
		seq_buf_printf(s,
			       "pagetable %s owners %llu %s processes %llu hold %llu khold %llu\n",
			       p->level < MMSCOPE_PT_NR_LEVELS ?
			       mmscope_pt_level_name(p->level) : "-",
			       p->owners, p->complete ? "complete" :
			       p->why < ARRAY_SIZE(mmscope_pt_whys) ?
			       mmscope_pt_whys[p->why] : "?",
			       p->mms, p->hold_ns, p->khold_ns);
		break;
	case MMSCOPE_REC_PAGE_PT_OWNER:
		if (o->flags & MMSCOPE_PTO_KERNEL)
			seq_buf_printf(s, "pagetable owner kernel %s addr %#llx\n",
				       mmscope_pt_level_name(o->level), o->addr);
		else
			seq_buf_printf(s, "pagetable owner pid %d comm %.16s %s addr %#llx\n",
				       o->pid, o->comm,
				       mmscope_pt_level_name(o->level), o->addr);
		break;
	}
}
