// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel view: the kernel half of the page tables, as runs per region.
 *
 * Which tables.  init_mm is not exported to modules.  Every process's pgd
 * holds init_mm's kernel half (pgd_alloc() copies swapper_pg_dir's kernel
 * entries, sync_global_pgds() adds later ones to every pgd; with PTI
 * mm->pgd is the kernel copy): the view walks the reader's own pgd, pinned
 * with mmgrab(), after checking that it reaches the very leaf entries
 * lookup_address() (which walks init_mm) finds for a direct-map, a kernel
 * image and a module address (mmscope_kernel_mm()).
 *
 * Locks.  The kernel's ptdump (mm/ptdump.c) takes get_online_mems() and
 * init_mm's mmap_lock; neither is reachable from a module (init_mm and
 * get_online_mems() are not exported), and neither would keep huge
 * vmap/ioremap from freeing PTE and PMD tables (pmd_free_pte_page(),
 * pud_free_pmd_page()), which takes no lock of init_mm.  Those free a table
 * only after a kernel TLB flush, a synchronous IPI to every CPU: the walk
 * runs with interrupts disabled (mmscope_walk_lockless(), the walker of the
 * user views), so no table it holds can be freed under it.  Memory
 * hot-remove frees direct-map tables before its flush: each table is
 * validated before it is read (online RAM, mapped), see walk.c.
 *
 * Bounded holds.  One interrupts-off walk reads at most
 * MMSCOPE_KHOLD_LIMIT entries (a table entered counts
 * MMSCOPE_KTABLE_WEIGHT: reading it is up to 512 slots), then stops at the
 * next entry and the view resumes there with interrupts on.  The ops must
 * not sleep: finished runs and W+X ranges go to a buffer sized for one
 * hold and are emitted between holds.  The number of holds, the most
 * entries and the longest time in one are reported in the summary.
 *
 * Regions.  The layout of Documentation/arch/x86/x86_64/mm.rst with this
 * boot's bases (page_offset_base, vmalloc_base and vmemmap_base are
 * exported; the fixed areas are constants).  The kernel image's sections
 * have no exported bounds: each is the largest range of like, present
 * leaves around an exported symbol known to lie in it (_printk in text,
 * hex_asc in rodata, jiffies_64 in data, empty_zero_page in bss), which
 * the freed gaps between sections (free_kernel_image_pages()) and their
 * permissions delimit; they are used only when they come out in order and
 * with the permissions each section must have (MMSCOPE_KREGION_DERIVED),
 * else the image is one region.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/page.h>
#include <asm/pgtable.h>
#ifdef CONFIG_KASAN
#include <asm/kasan.h>
#endif
#include "mmscope.h"
#include "walk.h"
#include "kernel.h"

#define MMSCOPE_KHOLD_LIMIT	256
#define MMSCOPE_KTABLE_WEIGHT	64
/* Each entry ends at most one run and one W+X range. */
#define MMSCOPE_KBUF_CAP	(MMSCOPE_KHOLD_LIMIT + 2)
#define MMSCOPE_KREGIONS	32
/* An entry callback's result: this hold is over, resume at k->resume. */
#define MMSCOPE_KSTOP		1

struct mmscope_kregion {
	unsigned long start, end;
	const char *name;
	u32 flags;
	u64 tables[MMSCOPE_PT_NR_LEVELS];
	u64 pages[3];
};

struct mmscope_kdump {
	struct mmscope_ctx *ctx;
	struct mm_struct *mm;		/* the kernel view's, mmdrop() it */
	bool user_copy;			/* PTI: walking a user-mode pgd */
	bool no_pti;			/* kernel_user without PTI: summary only */
	struct mmscope_kregion regions[MMSCOPE_KREGIONS];
	struct mmscope_kregion sorted[MMSCOPE_KREGIONS];	/* scratch */
	int nr_regions;
	int cur;			/* region of the last address seen */
	int direct;			/* index of the direct map */
	u64 path[MMSCOPE_PT_NR_LEVELS];	/* table entries above the leaf */
	/* per level: the table the last table entry pointed to, and for what */
	u64 child[MMSCOPE_PT_NR_LEVELS];
	unsigned long child_base[MMSCOPE_PT_NR_LEVELS];
	/* a table entered, not yet given a region: where it was entered */
	unsigned long pend[MMSCOPE_PT_NR_LEVELS];
	bool pending[MMSCOPE_PT_NR_LEVELS];
	struct mmscope_kernel_run run;	/* pending, if run.count */
	struct mmscope_kernel_wx wx;	/* pending, if wx.pages */
	struct mmscope_kernel_run *runs; /* finished in this hold */
	struct mmscope_kernel_wx *wxs;
	unsigned int nr_runs, nr_wx;
	unsigned int weight;		/* entries read in this hold */
	unsigned long resume;
	struct mmscope_kernel_summary sum;
	struct mmscope_walk walk;	/* last: holds a PTE table snapshot */
};

/**
 * mmscope_kernel_allowed() - may this reader see the kernel's layout?
 * @ctx: the context being started
 *
 * Root only (CAP_SYS_ADMIN at open), and not under lockdown's
 * confidentiality mode, which refuses /proc/kcore for the same reason.
 *
 * Return: 0 or -errno.
 */
int mmscope_kernel_allowed(struct mmscope_ctx *ctx)
{
	if (!ctx->privileged)
		return -EPERM;
	return security_locked_down(LOCKDOWN_KCORE);
}

/* ---- the tables to walk ---------------------------------------------- */

struct mmscope_kleaf {
	u64 raw;
	int level;
};

static int mmscope_kleaf_note(struct mmscope_walk *walk, u64 raw, int level)
{
	struct mmscope_kleaf *l = walk->private;

	if (mmscope_pt_kind(raw, level) == MMSCOPE_PTK_TABLE)
		return 0;
	l->raw = raw;
	l->level = level;
	return 1;
}

static int mmscope_kleaf_pud(pud_t pud, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kleaf_note(walk, pud_val(pud), MMSCOPE_PT_PUD);
}

static int mmscope_kleaf_pmd(pmd_t pmd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kleaf_note(walk, pmd_val(pmd), MMSCOPE_PT_PMD);
}

static int mmscope_kleaf_pte(pte_t pte, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kleaf_note(walk, pte_val(pte), MMSCOPE_PT_PTE);
}

static const struct mmscope_walk_ops mmscope_kleaf_ops = {
	.pud_entry = mmscope_kleaf_pud,
	.pmd_entry = mmscope_kleaf_pmd,
	.pte_entry = mmscope_kleaf_pte,
};

/* Does @mm's walk of @addr reach the leaf lookup_address() finds? */
static bool mmscope_kernel_same(struct mmscope_walk *walk, unsigned long addr)
{
	static const int levels[] = {
		[PG_LEVEL_4K] = MMSCOPE_PT_PTE, [PG_LEVEL_2M] = MMSCOPE_PT_PMD,
		[PG_LEVEL_1G] = MMSCOPE_PT_PUD,
	};
	struct mmscope_kleaf leaf = { .level = -1 };
	unsigned int level;
	pte_t *pte;
	u64 raw;

	addr &= PAGE_MASK;
	walk->private = &leaf;
	if (mmscope_walk_lockless(walk, addr, addr + PAGE_SIZE) < 0)
		return false;
	pte = lookup_address(addr, &level);
	if (!pte || level >= ARRAY_SIZE(levels) || level == PG_LEVEL_NONE)
		return false;
	raw = pte_val(READ_ONCE(*pte));
	return leaf.raw == raw && leaf.level == levels[level];
}

/**
 * mmscope_kernel_mm() - the mm whose pgd's kernel half the views walk
 * @err: set to -errno when NULL is returned
 *
 * The reader's own mm, pinned with mmgrab() (mmdrop() it), once its
 * kernel half is seen to reach init_mm's leaves (see the top of this
 * file).  A change under the check (a direct-map split) is retried.
 *
 * Return: the mm, or NULL.
 */
struct mm_struct *mmscope_kernel_mm(int *err)
{
	struct mm_struct *mm = current->mm;
	struct mmscope_walk *walk;
	int tries;

	if (!mm || (current->flags & PF_KTHREAD)) {
		*err = -EINVAL;
		return NULL;
	}
	walk = kzalloc(sizeof(*walk), GFP_KERNEL_ACCOUNT);
	if (!walk) {
		*err = -ENOMEM;
		return NULL;
	}
	mmgrab(mm);
	walk->ops = &mmscope_kleaf_ops;
	walk->mm = mm;
	for (tries = 0; tries < 3; tries++) {
		/* direct map (slab), kernel image (.data), modules (text) */
		if (mmscope_kernel_same(walk, (unsigned long)mm) &&
		    mmscope_kernel_same(walk, (unsigned long)&jiffies_64) &&
		    mmscope_kernel_same(walk,
					(unsigned long)mmscope_kernel_mm)) {
			kfree(walk);
			return mm;
		}
	}
	kfree(walk);
	mmdrop(mm);
	pr_warn_once("the kernel half of a process's pgd differs from init_mm's: kernel views refused\n");
	*err = -EIO;
	return NULL;
}

/* ---- regions ---------------------------------------------------------- */

static void mmscope_kregion_add(struct mmscope_kdump *k, const char *name,
				unsigned long start, unsigned long end,
				u32 flags)
{
	struct mmscope_kregion *r;

	if (k->nr_regions >= MMSCOPE_KREGIONS || start >= end)
		return;
	r = &k->regions[k->nr_regions++];
	r->name = name;
	r->start = start;
	r->end = end;
	r->flags = flags;
}

static int mmscope_kregion_cmp(const void *a, const void *b)
{
	const struct mmscope_kregion *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* The leaf attributes a kernel image section is told apart by. */
#define MMSCOPE_KSECT_BITS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_NX)

static unsigned long mmscope_leaf_size(unsigned int level)
{
	return level == PG_LEVEL_1G ? PUD_SIZE :
	       level == PG_LEVEL_2M ? PMD_SIZE : PAGE_SIZE;
}

/* The leaf bits of @addr, or 0 when unmapped. */
static u64 mmscope_ksect_bits(unsigned long addr, unsigned long *size)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	*size = mmscope_leaf_size(level);
	if (!pte)
		return 0;
	return pte_val(READ_ONCE(*pte)) & MMSCOPE_KSECT_BITS;
}

/*
 * The largest range around @anchor inside [@lo, @hi) of leaves with the
 * bits @want; false if @anchor's leaf does not have them.
 */
static bool mmscope_ksection(unsigned long anchor, u64 want, unsigned long lo,
			     unsigned long hi, unsigned long *start,
			     unsigned long *end)
{
	unsigned long size, s, e;

	if (anchor < lo || anchor >= hi ||
	    mmscope_ksect_bits(anchor, &size) != want)
		return false;
	s = anchor & ~(size - 1);
	e = s + size;
	while (s > lo && mmscope_ksect_bits(s - 1, &size) == want)
		s = (s - 1) & ~(size - 1);
	while (e < hi && mmscope_ksect_bits(e, &size) == want)
		e = (e & ~(size - 1)) + size;
	*start = max(s, lo);
	*end = min(e, hi);
	return true;
}

/* The kernel image, by sections where they can be told apart. */
static void mmscope_kregion_image(struct mmscope_kdump *k)
{
	static const char *const names[] = {
		"kernel text", "kernel rodata", "kernel data", "kernel bss",
	};
	const unsigned long anchors[] = {
		(unsigned long)_printk, (unsigned long)hex_asc,
		(unsigned long)&jiffies_64, (unsigned long)empty_zero_page,
	};
	const u64 want[] = {
		_PAGE_PRESENT, _PAGE_PRESENT | _PAGE_NX,
		_PAGE_PRESENT | _PAGE_RW | _PAGE_NX,
		_PAGE_PRESENT | _PAGE_RW | _PAGE_NX,
	};
	unsigned long lo = __START_KERNEL_map, hi = MODULES_VADDR;
	unsigned long s[4], e[4], at = lo;
	int i, n = 4;

	for (i = 0; i < 4; i++) {
		if (!mmscope_ksection(anchors[i], want[i] & __supported_pte_mask,
				      lo, hi, &s[i], &e[i])) {
			unsigned long size;

			pr_notice_ratelimited("%s: %#lx has leaf bits %#llx\n",
					      names[i], anchors[i],
					      mmscope_ksect_bits(anchors[i], &size));
			goto whole;
		}
		/*
		 * Without PTI the init memory freed between data and bss stays
		 * mapped, writable, as they are (free_kernel_image_pages()
		 * unmaps it only with PTI): then they come out as one range,
		 * named as one.
		 */
		if (i == 3 && s[3] == s[2] && e[3] == e[2]) {
			n = 3;
			break;
		}
		/* In order, apart: else one section ran into another. */
		if (s[i] < at) {
			pr_notice_ratelimited("%s %#lx-%#lx runs into the section before it (ends %#lx)\n",
					      names[i], s[i], e[i], at);
			goto whole;
		}
		at = e[i];
	}
	at = lo;
	for (i = 0; i < n; i++) {
		mmscope_kregion_add(k, "kernel image", at, s[i], 0);
		mmscope_kregion_add(k, n == 3 && i == 2 ? "kernel data+bss" :
				    names[i], s[i], e[i],
				    MMSCOPE_KREGION_DERIVED);
		at = e[i];
	}
	mmscope_kregion_add(k, "kernel image", at, hi, 0);
	return;
whole:
	mmscope_kregion_add(k, "kernel image", lo, hi, 0);
}

/*
 * The regions of this boot, sorted, overlaps clipped, and the gaps named
 * "unused", so that they cover the walked range exactly.
 */
static void mmscope_kregions(struct mmscope_kdump *k)
{
	struct mmscope_kregion *tmp = k->sorted;
	unsigned long at = k->user_copy ? 0 : MMSCOPE_KERNEL_START;
	int i, n;

	if (k->user_copy) {
		mmscope_kregion_add(k, "user", 0, MMSCOPE_USER_END, 0);
		mmscope_kregion_add(k, "non-canonical", MMSCOPE_USER_END,
				    MMSCOPE_KERNEL_START, 0);
	}
	mmscope_kregion_add(k, "guard hole", GUARD_HOLE_BASE_ADDR,
			    GUARD_HOLE_END_ADDR, 0);
	mmscope_kregion_add(k, "ldt remap", LDT_BASE_ADDR, LDT_END_ADDR, 0);
	mmscope_kregion_add(k, "direct map", page_offset_base, vmalloc_base, 0);
	mmscope_kregion_add(k, "vmalloc", vmalloc_base, VMALLOC_END + 1, 0);
	/* vmemmap: up to whichever region comes next (fixed below). */
	mmscope_kregion_add(k, "vmemmap", vmemmap_base, CPU_ENTRY_AREA_BASE, 0);
#ifdef CONFIG_KASAN
	mmscope_kregion_add(k, "kasan shadow", KASAN_SHADOW_START,
			    KASAN_SHADOW_END, 0);
#endif
	/* One p4d entry, as mm.rst lists it (6.1 maps less of it). */
	mmscope_kregion_add(k, "cpu_entry_area", CPU_ENTRY_AREA_BASE,
			    CPU_ENTRY_AREA_BASE + P4D_SIZE, 0);
	mmscope_kregion_add(k, "espfix", ESPFIX_BASE_ADDR,
			    ESPFIX_BASE_ADDR + P4D_SIZE, 0);
	mmscope_kregion_add(k, "efi runtime", EFI_VA_END, EFI_VA_START, 0);
	mmscope_kregion_image(k);
	mmscope_kregion_add(k, "modules", MODULES_VADDR, MODULES_END, 0);
	mmscope_kregion_add(k, "fixmap", MODULES_END, MMSCOPE_KERNEL_END, 0);
	sort(k->regions, k->nr_regions, sizeof(k->regions[0]),
	     mmscope_kregion_cmp, NULL);
	n = k->nr_regions;
	memcpy(tmp, k->regions, sizeof(k->sorted));
	k->nr_regions = 0;
	for (i = 0; i < n; i++) {
		struct mmscope_kregion r = tmp[i];

		if (r.end <= at)
			continue;
		if (r.start > at)
			mmscope_kregion_add(k, "unused", at, r.start, 0);
		r.start = max(r.start, at);
		if (i + 1 < n && r.end > tmp[i + 1].start &&
		    tmp[i + 1].start > r.start)
			r.end = tmp[i + 1].start;
		mmscope_kregion_add(k, r.name, r.start, r.end, r.flags);
		at = r.end;
	}
	if (at < MMSCOPE_KERNEL_END)
		mmscope_kregion_add(k, "unused", at, MMSCOPE_KERNEL_END, 0);
	k->direct = -1;
	for (i = 0; i < k->nr_regions; i++)
		if (k->regions[i].start == page_offset_base)
			k->direct = i;
}

/* The region of @addr (addresses come in ascending order). */
static struct mmscope_kregion *mmscope_kregion_of(struct mmscope_kdump *k,
						  unsigned long addr)
{
	while (k->cur + 1 < k->nr_regions && addr >= k->regions[k->cur].end)
		k->cur++;
	while (k->cur > 0 && addr < k->regions[k->cur].start)
		k->cur--;
	return &k->regions[k->cur];
}

/* ---- the walk ---------------------------------------------------------- */

/*
 * A table is counted in the region of its first entry that is not empty
 * (a table is entered at the start of its range, which may lie in the
 * region before); one with none, in the region it was entered at.
 */
static void mmscope_kdump_settle(struct mmscope_kdump *k, int level,
				 unsigned long addr)
{
	if (!k->pending[level])
		return;
	k->pending[level] = false;
	mmscope_kregion_of(k, addr)->tables[level]++;
}

static void mmscope_kdump_table(int level, unsigned long addr,
				struct mmscope_walk *walk)
{
	struct mmscope_kdump *k = walk->private;

	k->weight += MMSCOPE_KTABLE_WEIGHT;
	if (level == MMSCOPE_PT_PGD)
		return;
	mmscope_kdump_settle(k, level, k->pend[level]);
	k->pending[level] = true;
	k->pend[level] = addr;
}

/* The flags as the MMU applies them through the tables above @level. */
static u32 mmscope_kdump_eff(struct mmscope_kdump *k, int level, u32 flags)
{
	int i;

	for (i = MMSCOPE_PT_PGD; i < level; i++) {
		if (!(k->path[i] & _PAGE_RW))
			flags &= ~MMSCOPE_PTF_RW;
		if (k->path[i] & _PAGE_NX & __supported_pte_mask)
			flags |= MMSCOPE_PTF_NX;
	}
	return flags & (MMSCOPE_PTF_RW | MMSCOPE_PTF_NX);
}

static void mmscope_kdump_wx(struct mmscope_kdump *k, unsigned long addr,
			     unsigned long next)
{
	struct mmscope_kernel_wx *wx = &k->wx;

	if (wx->pages && wx->end == addr) {
		wx->end = next;
		wx->pages += (next - addr) >> PAGE_SHIFT;
		return;
	}
	if (wx->pages)
		k->wxs[k->nr_wx++] = *wx;
	wx->start = addr;
	wx->end = next;
	wx->pages = (next - addr) >> PAGE_SHIFT;
}

/* A leaf or non-present entry: count it and fold it into the runs. */
static void mmscope_kdump_leaf(struct mmscope_kdump *k, u64 raw, int level,
			       unsigned long addr, unsigned long next)
{
	struct mmscope_kregion *r = mmscope_kregion_of(k, addr);
	struct mmscope_kernel_run *run = &k->run;
	u64 step = mmscope_pt_level_size(level) >> PAGE_SHIFT;
	int size = level == MMSCOPE_PT_PUD ? 2 : level == MMSCOPE_PT_PMD;
	struct mmscope_pt_entry e;
	u32 eff;

	mmscope_pt_decode(raw, level, &e);
	eff = mmscope_kdump_eff(k, level, e.flags);
	/*
	 * /proc/meminfo's DirectMap counts every direct-map leaf the kernel
	 * made, also one set_memory_np() or secretmem made not present.
	 */
	if (r - k->regions == k->direct && level >= MMSCOPE_PT_PUD &&
	    e.kind != MMSCOPE_PTK_TABLE)
		k->sum.direct_map[size]++;
	if (e.kind == MMSCOPE_PTK_PRESENT && level >= MMSCOPE_PT_PUD) {
		r->pages[size]++;
		/*
		 * Without NX everything is executable: no W+X check.  User
		 * pages (the user copy's user half) may be W+X (JITs).
		 */
		if ((eff & MMSCOPE_PTF_RW) && !(eff & MMSCOPE_PTF_NX) &&
		    (__supported_pte_mask & _PAGE_NX) &&
		    addr >= MMSCOPE_KERNEL_START)
			mmscope_kdump_wx(k, addr, next);
	}
	if (run->count && run->end == addr && run->level == level &&
	    run->kind == e.kind && run->flags == e.flags &&
	    run->eff_flags == eff && run->region == r - k->regions &&
	    (e.kind != MMSCOPE_PTK_PRESENT ||
	     e.pfn == run->pfn + run->count * step)) {
		run->count++;
		run->end = next;
		return;
	}
	if (run->count)
		k->runs[k->nr_runs++] = *run;
	memset(run, 0, sizeof(*run));
	run->start = addr;
	run->end = next;
	run->count = 1;
	run->pfn = e.kind == MMSCOPE_PTK_PRESENT ? e.pfn : 0;
	run->flags = e.flags;
	run->eff_flags = eff;
	run->region = r - k->regions;
	run->level = level;
	run->kind = e.kind;
}

/* Every entry callback: end the hold when its budget or buffer is spent. */
static int mmscope_kdump_entry(struct mmscope_walk *walk, u64 raw, int level,
			       unsigned long addr, unsigned long next)
{
	struct mmscope_kdump *k = walk->private;

	if (k->weight >= MMSCOPE_KHOLD_LIMIT ||
	    k->nr_runs + 1 >= MMSCOPE_KBUF_CAP ||
	    k->nr_wx + 1 >= MMSCOPE_KBUF_CAP) {
		k->resume = addr;
		return MMSCOPE_KSTOP;
	}
	k->weight++;
	k->sum.entries++;
	mmscope_kdump_settle(k, level, addr);
	if (mmscope_pt_kind(raw, level) == MMSCOPE_PTK_TABLE) {
		u64 child = raw & PTE_PFN_MASK;
		unsigned long base = addr & ~(mmscope_pt_level_size(level) - 1);

		/*
		 * The table the previous entry pointed to, for another range:
		 * one table mapped many times over (KASAN's early shadow,
		 * ESPfix's clones).  Shown as a run of table entries, walked
		 * once.
		 */
		if (child == k->child[level] && base != k->child_base[level]) {
			walk->skip = true;
			mmscope_kdump_leaf(k, raw, level, addr, next);
			return 0;
		}
		k->child[level] = child;
		k->child_base[level] = base;
		k->path[level] = raw;
	} else {
		mmscope_kdump_leaf(k, raw, level, addr, next);
	}
	return 0;
}

static int mmscope_kdump_pgd(pgd_t pgd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	struct mmscope_kdump *k = walk->private;

	/* On 4 levels the folded p4d entry, seen next: counted there. */
	if (pgtable_l5_enabled())
		return mmscope_kdump_entry(walk, pgd_val(pgd), MMSCOPE_PT_PGD,
					   addr, next);
	k->path[MMSCOPE_PT_PGD] = pgd_val(pgd);
	return 0;
}

static int mmscope_kdump_p4d(p4d_t p4d, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kdump_entry(walk, p4d_val(p4d), MMSCOPE_PT_P4D, addr,
				   next);
}

static int mmscope_kdump_pud(pud_t pud, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kdump_entry(walk, pud_val(pud), MMSCOPE_PT_PUD, addr,
				   next);
}

static int mmscope_kdump_pmd(pmd_t pmd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kdump_entry(walk, pmd_val(pmd), MMSCOPE_PT_PMD, addr,
				   next);
}

static int mmscope_kdump_pte(pte_t pte, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_kdump_entry(walk, pte_val(pte), MMSCOPE_PT_PTE, addr,
				   next);
}

static const struct mmscope_walk_ops mmscope_kdump_ops = {
	.pgd_entry = mmscope_kdump_pgd,
	.p4d_entry = mmscope_kdump_p4d,
	.pud_entry = mmscope_kdump_pud,
	.pmd_entry = mmscope_kdump_pmd,
	.pte_entry = mmscope_kdump_pte,
	.table = mmscope_kdump_table,
};

/*
 * The user-mode copy of @mm's pgd with page-table isolation on, else
 * NULL: the second page of the order-1 pgd (kernel_to_user_pgdp(), either
 * paging mode), which CR3 points to while user code runs.
 */
static pgd_t *mmscope_user_pgd(struct mm_struct *mm)
{
#if defined(CONFIG_MITIGATION_PAGE_TABLE_ISOLATION) || \
	defined(CONFIG_PAGE_TABLE_ISOLATION)
	if (boot_cpu_has(X86_FEATURE_PTI))
		return kernel_to_user_pgdp(mm->pgd);
#endif
	return NULL;
}

/* Set up the walk of @k->walk.mm (pgd @pgd, NULL: its own) for @ctx. */
static int mmscope_kdump_init(struct mmscope_ctx *ctx, struct mmscope_kdump *k,
			      pgd_t *pgd)
{
	/* vmalloc: no high-order block taken by an inspector of the buddy. */
	k->runs = __vmalloc(MMSCOPE_KBUF_CAP * sizeof(*k->runs),
			    GFP_KERNEL_ACCOUNT);
	k->wxs = __vmalloc(MMSCOPE_KBUF_CAP * sizeof(*k->wxs),
			   GFP_KERNEL_ACCOUNT);
	if (!k->runs || !k->wxs)
		return -ENOMEM;
	k->ctx = ctx;
	k->user_copy = pgd;
	k->walk.ops = &mmscope_kdump_ops;
	k->walk.pgd = pgd;
	k->walk.private = k;
	mmscope_kregions(k);
	k->sum.levels = pgtable_l5_enabled() ? 5 : 4;
	k->sum.pti = boot_cpu_has(X86_FEATURE_PTI);
	k->sum.base_page_offset = page_offset_base;
	k->sum.base_vmalloc = vmalloc_base;
	k->sum.base_vmemmap = vmemmap_base;
	k->sum.start = pgd ? 0 : MMSCOPE_KERNEL_START;
	k->sum.end = MMSCOPE_KERNEL_END;
	k->sum.hold_limit = MMSCOPE_KHOLD_LIMIT;
	k->sum.nr_regions = k->nr_regions;
	ctx->cursor = k->sum.start;
	return 0;
}

/* A dump's state, for a reader allowed the kernel half; NULL and *@err. */
static struct mmscope_kdump *mmscope_kdump_alloc(struct mmscope_ctx *ctx,
						 int *err)
{
	struct mmscope_kdump *k;

	*err = mmscope_kernel_allowed(ctx);
	if (*err)
		return NULL;
	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	ctx->priv = k;
	if (!k)
		*err = -ENOMEM;
	return k;
}

static int mmscope_kernel_start(struct mmscope_ctx *ctx)
{
	struct mmscope_kdump *k;
	int err;

	k = mmscope_kdump_alloc(ctx, &err);
	if (!k)
		return err;
	k->mm = mmscope_kernel_mm(&err);
	if (!k->mm)
		return err;
	k->walk.mm = k->mm;
	return mmscope_kdump_init(ctx, k, NULL);
}

/*
 * The user-mode copy of a process's pgd (PTI).  The target is pinned as
 * for pt (ctx->mm, mmgrab() by mmscope_target_mm(); mmget_not_zero() and
 * mmap_read_lock() around each hold, as pt takes them for each chunk):
 * the pgd lives as long as the mm, and the tables below it are read only
 * in the interrupts-off holds of mmscope_walk_lockless(), which no table
 * freeing can pass (munmap's, khugepaged's retracted PTE tables after
 * their RCU grace period, the LDT remap's at exit), as for the kernel
 * view.  The user copy's kernel half was built at boot (pti_init()) and
 * copied into each pgd by pgd_alloc(); its user half is written by
 * pti_set_user_pgtbl() with every user pgd entry.
 */
static int mmscope_kernel_user_start(struct mmscope_ctx *ctx)
{
	struct mmscope_kdump *k;
	pgd_t *pgd;
	int err;

	k = mmscope_kdump_alloc(ctx, &err);
	if (!k)
		return err;
	/* No PTI: one pgd, no user copy: the summary alone says "pti 0". */
	pgd = mmscope_user_pgd(ctx->mm);
	if (!pgd) {
		k->no_pti = true;
		k->sum.levels = pgtable_l5_enabled() ? 5 : 4;
		return 0;
	}
	k->walk.mm = ctx->mm;
	return mmscope_kdump_init(ctx, k, pgd);
}

static void mmscope_kernel_stop(struct mmscope_ctx *ctx)
{
	struct mmscope_kdump *k = ctx->priv;

	if (!k)
		return;
	if (k->mm)
		mmdrop(k->mm);
	vfree(k->runs);
	vfree(k->wxs);
	kfree(k);
}

/* Emit what the last hold finished, interrupts on again. */
static int mmscope_kernel_emit_held(struct mmscope_kdump *k)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < k->nr_runs && !err; i++)
		err = mmscope_emit(k->ctx, &k->runs[i], MMSCOPE_REC_KERNEL_RUN,
				   sizeof(k->runs[i]));
	for (i = 0; i < k->nr_wx && !err; i++)
		err = mmscope_emit(k->ctx, &k->wxs[i], MMSCOPE_REC_KERNEL_WX,
				   sizeof(k->wxs[i]));
	k->nr_runs = 0;
	k->nr_wx = 0;
	return err;
}

/*
 * Every pgd slot that either copy fills: the user copy's entry beside the
 * kernel copy's.  pti_set_user_pgtbl() writes a user entry into both (the
 * kernel copy with NX added), so the user half's slots point to the same
 * tables; the kernel half's differ.  Both pages live as long as the mm
 * (pinned): each entry is read once, no lock needed.
 */
static int mmscope_kernel_slots(struct mmscope_kdump *k)
{
	const pgd_t *upgd = k->walk.pgd, *kpgd = k->walk.mm->pgd;
	struct mmscope_kernel_pgd_slot rec = { };
	unsigned int i;
	int err;

	for (i = 0; i < PTRS_PER_PGD; i++) {
		u64 u = pgd_val(READ_ONCE(upgd[i]));
		u64 kv = pgd_val(READ_ONCE(kpgd[i]));
		unsigned long start = (unsigned long)i << PGDIR_SHIFT;

		if (!u && !kv)
			continue;
		/* The kernel half is the top of the address space. */
		if (i >= PTRS_PER_PGD / 2)
			start |= ~(MMSCOPE_USER_END * 2 - 1);
		rec.user = u;
		rec.kernel = kv;
		rec.start = start;
		rec.index = i;
		rec.same_table = (u & _PAGE_PRESENT) && (kv & _PAGE_PRESENT) &&
				 (u & PTE_PFN_MASK) == (kv & PTE_PFN_MASK);
		err = mmscope_emit(k->ctx, &rec, MMSCOPE_REC_KERNEL_PGD_SLOT,
				   sizeof(rec));
		if (err)
			return err;
	}
	return 0;
}

static int mmscope_kernel_tail(struct mmscope_kdump *k)
{
	struct mmscope_ctx *ctx = k->ctx;
	int i, err;

	for (i = 0; i < MMSCOPE_PT_NR_LEVELS; i++)
		mmscope_kdump_settle(k, i, k->pend[i]);
	if (k->run.count)
		k->runs[k->nr_runs++] = k->run;
	if (k->wx.pages)
		k->wxs[k->nr_wx++] = k->wx;
	err = mmscope_kernel_emit_held(k);
	if (!err && k->user_copy)
		err = mmscope_kernel_slots(k);
	for (i = 0; i < k->nr_regions && !err; i++) {
		struct mmscope_kregion *r = &k->regions[i];
		struct mmscope_kernel_region rec = {
			.start = r->start,
			.end = r->end,
			.flags = r->flags,
		};

		strscpy(rec.name, r->name, sizeof(rec.name));
		memcpy(rec.tables, r->tables, sizeof(rec.tables));
		memcpy(rec.pages, r->pages, sizeof(rec.pages));
		err = mmscope_emit(ctx, &rec, MMSCOPE_REC_KERNEL_REGION,
				   sizeof(rec));
	}
	if (err)
		return err;
	memcpy(k->sum.tables, k->walk.tables, sizeof(k->sum.tables));
	return mmscope_emit(ctx, &k->sum, MMSCOPE_REC_KERNEL_SUMMARY,
			    sizeof(k->sum));
}

/*
 * One interrupts-off hold from ctx->cursor to @end; for a process's user
 * copy inside mmget_not_zero() and mmap_read_lock(), as pt walks.
 */
static int mmscope_kernel_hold(struct mmscope_kdump *k, unsigned long end,
			       u64 *dt)
{
	struct mmscope_ctx *ctx = k->ctx;
	struct mm_struct *mm = NULL;
	int ret, err = 0;
	u64 t0;

	if (k->user_copy) {
		mm = mmscope_mm_read_lock(ctx, &err);
		if (!mm)
			return err;
	}
	t0 = ktime_get_ns();
	ret = mmscope_walk_lockless(&k->walk, ctx->cursor, end);
	*dt = ktime_get_ns() - t0;
	if (mm)
		mmscope_mm_read_unlock(mm);
	return ret;
}

static int mmscope_kernel_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_kdump *k = ctx->priv;
	unsigned long end;
	int ret, err;
	u64 dt = 0;

	if (k->no_pti)
		return mmscope_emit(ctx, &k->sum, MMSCOPE_REC_KERNEL_SUMMARY,
				    sizeof(k->sum));
	for (;;) {
		/* The user copy: its user half, then the kernel half. */
		end = ctx->cursor < MMSCOPE_USER_END ? MMSCOPE_USER_END :
		      MMSCOPE_KERNEL_END;
		k->weight = 0;
		ret = mmscope_kernel_hold(k, end, &dt);
		k->sum.holds++;
		k->sum.max_hold_ns = max(k->sum.max_hold_ns, dt);
		k->sum.max_hold_entries = max_t(u64, k->sum.max_hold_entries,
						k->weight);
		if (k->walk.changed)
			ctx->end_flags |= MMSCOPE_END_CHANGED;
		err = mmscope_kernel_emit_held(k);
		if (err)
			return err;
		if (!ret && end == MMSCOPE_USER_END) {
			ctx->cursor = MMSCOPE_KERNEL_START;
			continue;
		}
		if (ret != MMSCOPE_KSTOP)
			break;
		ctx->cursor = k->resume;
		if (mmscope_full(ctx))
			return 1;
		cond_resched();
	}
	if (ret < 0)
		return ret;
	return mmscope_kernel_tail(k);
}

static const char *const mmscope_kernel_size_names[] = { "4K", "2M", "1G" };

static void mmscope_kernel_show(struct seq_buf *s,
				const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_kernel_run *r = (const void *)hdr;
	const struct mmscope_kernel_wx *w = (const void *)hdr;
	const struct mmscope_kernel_region *g = (const void *)hdr;
	const struct mmscope_kernel_summary *m = (const void *)hdr;
	const struct mmscope_kernel_pgd_slot *p = (const void *)hdr;
	int i;

	switch (hdr->type) {
	case MMSCOPE_REC_KERNEL_PGD_SLOT:
		seq_buf_printf(s, "# pgd %3u 0x%016llx user copy %#018llx kernel copy %#018llx%s\n",
			       p->index, p->start, p->user, p->kernel,
			       p->same_table ? " same table" : "");
		break;
	case MMSCOPE_REC_KERNEL_RUN:
		seq_buf_printf(s, "0x%016llx-0x%016llx %s %8llu %-9s region %2u pfn %#12llx ",
			       r->start, r->end,
			       mmscope_pt_level_name(r->level), r->count,
			       mmscope_pt_kind_name(r->kind), r->region,
			       r->pfn);
		mmscope_pt_show_flags(s, r->flags);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_KERNEL_WX:
		seq_buf_printf(s, "# W+X 0x%016llx-0x%016llx %llu pages\n",
			       w->start, w->end, w->pages);
		break;
	case MMSCOPE_REC_KERNEL_REGION:
		seq_buf_printf(s,
			       "# region 0x%016llx-0x%016llx %-16s tables p4d %llu pud %llu pmd %llu pte %llu; pages",
			       g->start, g->end, g->name,
			       g->tables[MMSCOPE_PT_P4D],
			       g->tables[MMSCOPE_PT_PUD],
			       g->tables[MMSCOPE_PT_PMD],
			       g->tables[MMSCOPE_PT_PTE]);
		for (i = 0; i < 3; i++)
			seq_buf_printf(s, " %s %llu",
				       mmscope_kernel_size_names[i],
				       g->pages[i]);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_KERNEL_SUMMARY:
		seq_buf_printf(s,
			       "# %u-level paging, pti %s; page_offset %#llx vmalloc %#llx vmemmap %#llx\n",
			       m->levels, m->pti ? "on" : "off",
			       m->base_page_offset, m->base_vmalloc, m->base_vmemmap);
		seq_buf_printf(s,
			       "# tables: pgd %llu p4d %llu pud %llu pmd %llu pte %llu; direct map: 4K %llu 2M %llu 1G %llu\n",
			       m->tables[MMSCOPE_PT_PGD],
			       m->tables[MMSCOPE_PT_P4D],
			       m->tables[MMSCOPE_PT_PUD],
			       m->tables[MMSCOPE_PT_PMD],
			       m->tables[MMSCOPE_PT_PTE],
			       m->direct_map[0], m->direct_map[1],
			       m->direct_map[2]);
		seq_buf_printf(s,
			       "# %llu interrupts-off holds, at most %llu entries (limit %llu) and %llu ns in one\n",
			       m->holds, m->max_hold_entries, m->hold_limit,
			       m->max_hold_ns);
		seq_buf_printf(s,
			       "# columns: start-end level count kind region (index of the region lines) pfn flags\n");
		break;
	}
}

const struct mmscope_view_ops mmscope_kernel_user_view = {
	.name = "kernel_user",
	.view = MMSCOPE_VIEW_KERNEL_USER,
	.needs_mm = true,
	.root_only = true,
	.start = mmscope_kernel_user_start,
	.fill = mmscope_kernel_fill,
	.show = mmscope_kernel_show,
	.stop = mmscope_kernel_stop,
};

const struct mmscope_view_ops mmscope_kernel_view = {
	.name = "kernel",
	.view = MMSCOPE_VIEW_KERNEL,
	.root_only = true,
	.start = mmscope_kernel_start,
	.fill = mmscope_kernel_fill,
	.show = mmscope_kernel_show,
	.stop = mmscope_kernel_stop,
};
