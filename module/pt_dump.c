// SPDX-License-Identifier: GPL-2.0
/*
 * The pt view: a process's page tables as runs of like entries.
 *
 * In the manner of ptdump's note_page(), consecutive leaf entries at the
 * same level, of the same kind and flags, with contiguous PFNs (or swap
 * offsets) fold into one run; a run is emitted when the next entry does not
 * continue it.  MMSCOPE_Q_RAW turns folding off: one record per entry.  A
 * summary closes the stream: tables visited and entries seen per level.
 *
 * The walk is chunked: when the buffer is full, or after
 * MMSCOPE_DUMP_PMDS pmd entries, a fill stops before the next pmd entry,
 * drops mmap_lock and resumes there; the pending run and the counters live
 * in the view's private state, so runs fold across chunks.
 */
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "mmscope.h"
#include "walk.h"
#include "compat.h"

/* A pmd_entry result: end this chunk, resume at dump->resume. */
#define MMSCOPE_DUMP_FULL	1

/*
 * Non-empty pmd entries walked per fill, i.e. per mmap_lock hold: 512 PTE
 * tables are 1 GiB of 4 KiB mappings.  Runs fold across fills, so without
 * this bound one big VMA of like pages would be walked in one hold.
 */
#define MMSCOPE_DUMP_PMDS	512

struct mmscope_pt_dump {
	struct mmscope_ctx *ctx;
	struct mmscope_pt_run run;	/* pending run, if run.count */
	struct mmscope_pt_summary sum;
	unsigned long resume;
	unsigned int pmds;		/* pmd entries walked in this fill */
	u64 next_raw;			/* the PTE that continues run, or 0 */
	struct mmscope_walk walk;	/* last: holds a PTE table snapshot */
};

static int mmscope_dump_flush(struct mmscope_pt_dump *dump)
{
	int err;

	if (!dump->run.count)
		return 0;
	err = mmscope_emit(dump->ctx, &dump->run, MMSCOPE_REC_PT_RUN,
			   sizeof(dump->run));
	dump->run.count = 0;
	return err;
}

static bool mmscope_pfn_kind(u8 kind)
{
	return kind == MMSCOPE_PTK_MIGRATION ||
	       kind == MMSCOPE_PTK_DEVICE_PRIVATE ||
	       kind == MMSCOPE_PTK_DEVICE_EXCLUSIVE ||
	       kind == MMSCOPE_PTK_HWPOISON;
}

/* Does @e at @addr continue the pending run? */
static bool mmscope_dump_continues(const struct mmscope_pt_dump *dump,
				   const struct mmscope_pt_entry *e,
				   int level, unsigned long addr)
{
	const struct mmscope_pt_run *run = &dump->run;
	u64 step = mmscope_pt_level_size(level) >> PAGE_SHIFT;

	if (!run->count || run->end != addr || run->level != level ||
	    run->kind != e->kind || run->flags != e->flags ||
	    run->pkey != e->pkey || run->swap_type != e->swap_type)
		return false;
	switch (e->kind) {
	case MMSCOPE_PTK_PRESENT:
	case MMSCOPE_PTK_PROTNONE:
		return e->pfn == run->pfn + run->count * step;
	case MMSCOPE_PTK_MARKER:
	case MMSCOPE_PTK_BAD:
		return e->swap_offset == run->swap_offset;
	default:
		return e->swap_offset == run->swap_offset + run->count * step;
	}
}

/* Account one leaf (or non-present) entry and fold it into the runs. */
static int mmscope_dump_note(struct mmscope_walk *walk, u64 raw, int level,
			     unsigned long addr, unsigned long next)
{
	struct mmscope_pt_dump *dump = walk->private;
	struct mmscope_ctx *ctx = dump->ctx;
	struct mmscope_pt_run *run = &dump->run;
	u64 step = mmscope_pt_level_size(level) >> PAGE_SHIFT;
	struct mmscope_pt_entry e;
	u64 cut;
	int err;

	mmscope_pt_decode(raw, level, &e);
	if (e.kind == MMSCOPE_PTK_TABLE)
		return 0;
	/*
	 * A huge leaf (or PMD migration entry) cut by the start of the range
	 * asked for: the run starts at @addr, so its PFN is that of the page
	 * at @addr.
	 */
	cut = (addr & (mmscope_pt_level_size(level) - 1)) >> PAGE_SHIFT;
	if (e.kind == MMSCOPE_PTK_PRESENT || e.kind == MMSCOPE_PTK_PROTNONE) {
		e.pfn += cut;
	} else if (mmscope_pfn_kind(e.kind)) {
		e.pfn += cut;
		e.swap_offset += cut;
	}
	if (is_vm_hugetlb_page(walk->vma))
		e.flags |= MMSCOPE_PTF_HUGETLB;
	/* As /proc/PID/pagemap: present or swap, a few flags, no PFN. */
	if (!ctx->privileged)
		mmscope_pt_hide(&e, walk->vma->vm_flags);
	dump->sum.kinds[e.kind]++;
	if (e.kind == MMSCOPE_PTK_PRESENT || e.kind == MMSCOPE_PTK_PROTNONE)
		dump->sum.present[level]++;
	if (!ctx->privileged) {
		/*
		 * Fold as if each entry continued the run (a hidden run starts
		 * at 0), since contiguity would tell PFNs and offsets apart.
		 */
		e.pfn = run->pfn + run->count * step;
		if (e.kind == MMSCOPE_PTK_MARKER || e.kind == MMSCOPE_PTK_BAD)
			e.swap_offset = 0;
		else
			e.swap_offset = run->swap_offset + run->count * step;
	}
	/*
	 * The fast path of mmscope_dump_pte(): a present PTE whose successor
	 * differs only by the next PFN (PROT_NONE PFNs are stored inverted).
	 */
	dump->next_raw = 0;
	if (level == MMSCOPE_PT_PTE && ctx->privileged &&
	    !(ctx->q.flags & MMSCOPE_Q_RAW) && (raw & _PAGE_PRESENT))
		dump->next_raw = raw + PAGE_SIZE;
	if (!(ctx->q.flags & MMSCOPE_Q_RAW) &&
	    mmscope_dump_continues(dump, &e, level, addr)) {
		run->count++;
		run->end = next;
		return 0;
	}
	err = mmscope_dump_flush(dump);
	if (err)
		return err;
	memset(run, 0, sizeof(*run));
	run->start = addr;
	run->end = next;
	run->count = 1;
	run->hidden = !ctx->privileged;
	run->pfn = run->hidden ? 0 : e.pfn;
	run->swap_offset = run->hidden ? 0 : e.swap_offset;
	run->raw = ctx->q.flags & MMSCOPE_Q_RAW ? e.raw : 0;
	run->flags = e.flags;
	run->swap_type = e.swap_type;
	run->level = level;
	run->kind = e.kind;
	run->pkey = e.pkey;
	return 0;
}

static int mmscope_dump_pud(pud_t pud, unsigned long addr, unsigned long next,
			    struct mmscope_walk *walk)
{
	return mmscope_dump_note(walk, pud_val(pud), MMSCOPE_PT_PUD, addr, next);
}

static int mmscope_dump_pmd(pmd_t pmd, unsigned long addr, unsigned long next,
			    struct mmscope_walk *walk)
{
	struct mmscope_pt_dump *dump = walk->private;

	/* A resumable point: nothing of this pmd's range was shown yet. */
	if (mmscope_full(dump->ctx) || dump->pmds >= MMSCOPE_DUMP_PMDS) {
		dump->resume = addr;
		return MMSCOPE_DUMP_FULL;
	}
	dump->pmds++;
	return mmscope_dump_note(walk, pmd_val(pmd), MMSCOPE_PT_PMD, addr, next);
}

static int mmscope_dump_pte(pte_t pte, unsigned long addr, unsigned long next,
			    struct mmscope_walk *walk)
{
	struct mmscope_pt_dump *dump = walk->private;

	/*
	 * Dense memory is mostly runs of PTEs that differ only by the PFN:
	 * continue the pending run without decoding the entry again.
	 */
	if (pte_val(pte) == dump->next_raw && dump->run.end == addr &&
	    dump->run.count) {
		dump->run.count++;
		dump->run.end = next;
		dump->next_raw += PAGE_SIZE;
		dump->sum.kinds[MMSCOPE_PTK_PRESENT]++;
		dump->sum.present[MMSCOPE_PT_PTE]++;
		return 0;
	}
	return mmscope_dump_note(walk, pte_val(pte), MMSCOPE_PT_PTE, addr, next);
}

static const struct mmscope_walk_ops mmscope_dump_ops = {
	.pud_entry = mmscope_dump_pud,
	.pmd_entry = mmscope_dump_pmd,
	.pte_entry = mmscope_dump_pte,
};

static int mmscope_pt_start(struct mmscope_ctx *ctx)
{
	struct mmscope_pt_dump *dump;
	u64 start = ctx->q.start, end = ctx->q.end;

	if (!end)
		end = TASK_SIZE_MAX;
	if (start >= end || end > TASK_SIZE_MAX)
		return -EINVAL;
	dump = kzalloc(sizeof(*dump), GFP_KERNEL_ACCOUNT);
	if (!dump)
		return -ENOMEM;
	dump->ctx = ctx;
	dump->walk.ops = &mmscope_dump_ops;
	dump->walk.private = dump;
	dump->sum.levels = pgtable_l5_enabled() ? 5 : 4;
	dump->sum.hidden = !ctx->privileged;
	dump->sum.start = start & PAGE_MASK;
	dump->sum.end = PAGE_ALIGN(end);
	ctx->cursor = dump->sum.start;
	ctx->priv = dump;
	return 0;
}

static void mmscope_pt_stop(struct mmscope_ctx *ctx)
{
	kfree(ctx->priv);
}

static int mmscope_pt_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_pt_dump *dump = ctx->priv;
	struct mm_struct *mm;
	int ret, err = 0;

	/* Fills follow each other without a return to user space. */
	cond_resched();
	mm = mmscope_mm_read_lock(ctx, &err);
	if (!mm)
		return err;
	dump->walk.mm = mm;
	dump->pmds = 0;
	ret = mmscope_walk_range(&dump->walk, ctx->cursor, dump->sum.end);
	mmscope_mm_read_unlock(mm);
	if (dump->walk.changed)
		ctx->end_flags |= MMSCOPE_END_CHANGED;
	if (!ctx->privileged)
		ctx->end_flags |= MMSCOPE_END_HIDDEN;
	if (ret == MMSCOPE_DUMP_FULL) {
		ctx->cursor = dump->resume;
		return 1;
	}
	if (ret)
		return ret;
	err = mmscope_dump_flush(dump);
	if (err)
		return err;
	memcpy(dump->sum.tables, dump->walk.tables, sizeof(dump->sum.tables));
	return mmscope_emit(ctx, &dump->sum, MMSCOPE_REC_PT_SUMMARY,
			    sizeof(dump->sum));
}

static void mmscope_pt_show(struct seq_buf *s,
			    const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_pt_summary *m = (const void *)hdr;
	const struct mmscope_pt_run *r = (const void *)hdr;

	switch (hdr->type) {
	case MMSCOPE_REC_PT_RUN:
		seq_buf_printf(s, "0x%016llx-0x%016llx %s %8llu %-9s ",
			       r->start, r->end,
			       mmscope_pt_level_name(r->level),
			       r->count,
			       mmscope_pt_kind_name(r->kind));
		if ((r->kind == MMSCOPE_PTK_PRESENT ||
		     r->kind == MMSCOPE_PTK_PROTNONE) && r->hidden)
			seq_buf_printf(s, "pfn %12s ", "hidden");
		else if (r->kind == MMSCOPE_PTK_PRESENT ||
			 r->kind == MMSCOPE_PTK_PROTNONE)
			seq_buf_printf(s, "pfn %#12llx ", r->pfn);
		else if (r->hidden)
			seq_buf_printf(s, "%15s ", "hidden");
		else
			seq_buf_printf(s, "%2u:%#12llx ", r->swap_type,
				       r->swap_offset);
		mmscope_pt_show_flags(s, r->flags);
		if (r->raw)
			seq_buf_printf(s, " raw %#018llx", r->raw);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_PT_SUMMARY:
		seq_buf_printf(s,
			       "# %u-level paging%s; tables: pgd %llu p4d %llu pud %llu pmd %llu pte %llu\n",
			       m->levels, m->levels == 4 ? " (p4d folded)" : "",
			       m->tables[MMSCOPE_PT_PGD],
			       m->tables[MMSCOPE_PT_P4D],
			       m->tables[MMSCOPE_PT_PUD],
			       m->tables[MMSCOPE_PT_PMD],
			       m->tables[MMSCOPE_PT_PTE]);
		seq_buf_printf(s,
			       "# present: 4K %llu, 2M %llu, 1G %llu; protnone %llu swap %llu migration %llu hwpoison %llu marker %llu other %llu\n",
			       m->present[MMSCOPE_PT_PTE],
			       m->present[MMSCOPE_PT_PMD],
			       m->present[MMSCOPE_PT_PUD],
			       m->kinds[MMSCOPE_PTK_PROTNONE],
			       m->kinds[MMSCOPE_PTK_SWAP],
			       m->kinds[MMSCOPE_PTK_MIGRATION],
			       m->kinds[MMSCOPE_PTK_HWPOISON],
			       m->kinds[MMSCOPE_PTK_MARKER],
			       m->kinds[MMSCOPE_PTK_DEVICE_PRIVATE] +
			       m->kinds[MMSCOPE_PTK_DEVICE_EXCLUSIVE] +
			       m->kinds[MMSCOPE_PTK_BAD]);
		seq_buf_printf(s,
			       "# columns: start-end level count kind pfn|swaptype:offset flags (present counts include protnone)\n");
		break;
	}
}

const struct mmscope_view_ops mmscope_pt_view = {
	.name = "pt",
	.view = MMSCOPE_VIEW_PT,
	.needs_mm = true,
	.start = mmscope_pt_start,
	.fill = mmscope_pt_fill,
	.show = mmscope_pt_show,
	.stop = mmscope_pt_stop,
};

const struct mmscope_view_ops mmscope_pt_raw_view = {
	.name = "pt_raw",
	.view = MMSCOPE_VIEW_PT,
	.needs_mm = true,
	.flags = MMSCOPE_Q_RAW,
	.start = mmscope_pt_start,
	.fill = mmscope_pt_fill,
	.show = mmscope_pt_show,
	.stop = mmscope_pt_stop,
};
