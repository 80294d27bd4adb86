// SPDX-License-Identifier: GPL-2.0
/*
 * The translate view: one virtual address, level by level.
 *
 * The walker runs over the one page containing the address, so every level
 * calls back once; the ops record a step per level and stop (return > 0)
 * at the first entry that is not a table.  Then, for a present page and a
 * privileged reader, the folio is pinned with folio_try_get(), the address
 * is translated again to check the entry still maps it, and the folio's
 * state and the first bytes at the address are read through the kernel.
 * If the page went away meanwhile the leaf says so (MMSCOPE_STOP_CHANGED).
 *
 * The bytes are read only where GUP (and so /proc/PID/mem) would read them
 * too, and never through a path that can fault: not from memfd_secret(2)
 * memory (removed from the direct map, and promised to no one else), not
 * from VM_PFNMAP/VM_IO mappings or special/devmap entries, not from PFNs
 * without an online struct page or from ZONE_DEVICE pages, not from
 * poisoned pages; and the rest with copy_from_kernel_nofault() after
 * checking the direct map still maps the page.  Each refusal is reported
 * (enum mmscope_bytes_reason).
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/memory_hotplug.h>
#include <linux/uaccess.h>
#include <linux/magic.h>
#include <linux/hugetlb.h>
#include <linux/mmap_lock.h>
#include <linux/page_ref.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "mmscope.h"
#include "walk.h"
#include "compat.h"
#include "kernel.h"

#define MMSCOPE_XLATE_STOP	1

struct mmscope_xlate {
	struct mmscope_pt_step steps[MMSCOPE_PT_NR_LEVELS];
	struct mmscope_pt_entry last;	/* decoded last entry */
	int nr_steps;
	int stop_level;
	u32 stop;
	struct vm_area_struct *vma;	/* the VMA of the address, or NULL */
	struct mm_struct *kmm;		/* translate --kernel: whose pgd */
	struct mmscope_walk walk;	/* last: holds a PTE table snapshot */
};

static int mmscope_xlate_step(struct mmscope_walk *walk, u64 raw, int level,
			      unsigned long addr, unsigned int index)
{
	struct mmscope_xlate *x = walk->private;
	struct mmscope_pt_step *st = &x->steps[x->nr_steps++];

	mmscope_pt_decode(raw, level, &x->last);
	memset(st, 0, sizeof(*st));
	st->entry = raw;
	st->next_table = x->last.next_table;
	st->pfn = x->last.pfn;
	st->swap_offset = x->last.swap_offset;
	st->flags = x->last.flags;
	if (walk->vma && is_vm_hugetlb_page(walk->vma) &&
	    x->last.kind != MMSCOPE_PTK_TABLE)
		st->flags |= MMSCOPE_PTF_HUGETLB;
	st->swap_type = x->last.swap_type;
	st->index = index;
	st->level = level;
	st->kind = x->last.kind;
	st->pkey = x->last.pkey;
	st->folded = level == MMSCOPE_PT_P4D && !pgtable_l5_enabled();
	x->stop_level = level;
	switch (x->last.kind) {
	case MMSCOPE_PTK_TABLE:
		return 0;
	case MMSCOPE_PTK_PRESENT:
	case MMSCOPE_PTK_PROTNONE:
		x->stop = MMSCOPE_STOP_LEAF;
		break;
	case MMSCOPE_PTK_BAD:
		x->stop = MMSCOPE_STOP_BAD;
		break;
	case MMSCOPE_PTK_NONE:	/* only a 4-level pgd: the folded p4d decides */
		return 0;
	default:
		x->stop = MMSCOPE_STOP_NOT_PRESENT;
		break;
	}
	return MMSCOPE_XLATE_STOP;
}

static int mmscope_xlate_pgd(pgd_t pgd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_xlate_step(walk, pgd_val(pgd), MMSCOPE_PT_PGD, addr,
				  pgd_index(addr));
}

static int mmscope_xlate_p4d(p4d_t p4d, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_xlate_step(walk, p4d_val(p4d), MMSCOPE_PT_P4D, addr,
				  p4d_index(addr));
}

static int mmscope_xlate_pud(pud_t pud, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_xlate_step(walk, pud_val(pud), MMSCOPE_PT_PUD, addr,
				  pud_index(addr));
}

static int mmscope_xlate_pmd(pmd_t pmd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_xlate_step(walk, pmd_val(pmd), MMSCOPE_PT_PMD, addr,
				  pmd_index(addr));
}

static int mmscope_xlate_pte(pte_t pte, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_xlate_step(walk, pte_val(pte), MMSCOPE_PT_PTE, addr,
				  pte_index(addr));
}

static int mmscope_xlate_hole(unsigned long addr, unsigned long next,
			      int depth, struct mmscope_walk *walk)
{
	struct mmscope_xlate *x = walk->private;
	struct mmscope_pt_step *st = &x->steps[x->nr_steps++];
	static const u8 shift[] = {
		[MMSCOPE_PT_PUD] = PUD_SHIFT, [MMSCOPE_PT_PMD] = PMD_SHIFT,
		[MMSCOPE_PT_PTE] = PAGE_SHIFT,
	};

	memset(st, 0, sizeof(*st));
	st->level = depth;
	st->kind = MMSCOPE_PTK_NONE;
	if (depth == MMSCOPE_PT_PGD)
		st->index = pgd_index(addr);
	else if (depth == MMSCOPE_PT_P4D)
		st->index = p4d_index(addr);
	else
		st->index = (addr >> shift[depth]) & (PTRS_PER_PTE - 1);
	st->folded = depth == MMSCOPE_PT_P4D && !pgtable_l5_enabled();
	x->stop_level = depth;
	x->stop = MMSCOPE_STOP_NONE;
	memset(&x->last, 0, sizeof(x->last));
	return MMSCOPE_XLATE_STOP;
}

static const struct mmscope_walk_ops mmscope_xlate_ops = {
	.pgd_entry = mmscope_xlate_pgd,
	.p4d_entry = mmscope_xlate_p4d,
	.pud_entry = mmscope_xlate_pud,
	.pmd_entry = mmscope_xlate_pmd,
	.pte_entry = mmscope_xlate_pte,
	.pte_hole = mmscope_xlate_hole,
};

static void mmscope_xlate_reset(struct mmscope_xlate *x,
				struct mm_struct *mm)
{
	x->nr_steps = 0;
	x->stop_level = MMSCOPE_PT_PGD;
	x->stop = MMSCOPE_STOP_NONE;
	memset(&x->last, 0, sizeof(x->last));
	x->walk.ops = &mmscope_xlate_ops;
	x->walk.mm = mm;
	x->walk.private = x;
	x->walk.changed = false;
}

/*
 * Translate @addr into @x; mmap_lock held.  Returns 0 or -errno.
 *
 * An address that no VMA covers is walked all the same, as the MMU would
 * walk it, down to the entry that ends the walk; then the translation says
 * that no VMA covers it (MMSCOPE_STOP_NO_VMA), whatever the walk found: a
 * leaf there is one munmap() has not zapped yet, no page of the process.
 * Outside the VMA tree mmap_lock protects no table: the walk is lockless
 * (mmscope_walk_lockless()).
 */
static int mmscope_xlate_walk(struct mm_struct *mm, unsigned long addr,
			      struct mmscope_xlate *x)
{
	unsigned long page = addr & PAGE_MASK;
	int ret;

	mmscope_xlate_reset(x, mm);
	x->vma = vma_lookup(mm, addr);
	if (!x->vma) {
		ret = mmscope_walk_lockless(&x->walk, page, page + PAGE_SIZE);
		x->stop = MMSCOPE_STOP_NO_VMA;
		if (ret == -EOPNOTSUPP)		/* no steps: cannot walk safely */
			x->nr_steps = 0;
		else if (ret < 0)
			return ret;
		memset(&x->last, 0, sizeof(x->last));
		if (x->nr_steps)
			x->last.kind = x->steps[x->nr_steps - 1].kind;
		return 0;
	}
	ret = mmscope_walk_range(&x->walk, page, page + PAGE_SIZE);
	if (ret < 0)
		return ret;
	if (x->walk.changed)
		x->stop = MMSCOPE_STOP_CHANGED;
	return 0;
}

/**
 * mmscope_translate_pfn() - the page frame mapped at a user address
 * @mm: the address space, its mmap_lock held for read
 * @addr: the user address
 * @pfn: set to the PFN of the 4 KiB page holding @addr
 * @level: set to the level of the leaf (enum mmscope_pt_level)
 *
 * The translate view's own walk, for the views that start from an address
 * (mmscope page --pid).  A PROT_NONE leaf maps its page too.
 *
 * Return: 0, -ENXIO when no page is mapped at @addr (no VMA, empty, swap,
 * or it changed under the walk), -EINVAL for an address above TASK_SIZE,
 * -ENOMEM.
 */
int mmscope_translate_pfn(struct mm_struct *mm, unsigned long addr,
			  u64 *pfn, u32 *level)
{
	struct mmscope_xlate *x;
	unsigned long size;
	int err;

	if (addr >= TASK_SIZE_MAX)
		return -EINVAL;
	x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	err = mmscope_xlate_walk(mm, addr, x);
	if (!err && x->stop != MMSCOPE_STOP_LEAF)
		err = -ENXIO;
	if (!err) {
		size = mmscope_pt_level_size(x->stop_level);
		*pfn = x->last.pfn + ((addr & (size - 1)) >> PAGE_SHIFT);
		*level = x->stop_level;
	}
	kfree(x);
	return err;
}

/*
 * Is @vma memfd_secret(2) memory?  vma_is_secretmem() and secretmem_aops
 * are not exported to modules (6.1 and 6.12 alike), but every secretmem
 * file lives on the secretmem pseudo file system, whose magic is uapi.
 */
static bool mmscope_vma_is_secretmem(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	return file && file_inode(file)->i_sb->s_magic == SECRETMEM_MAGIC;
}

/* Why the bytes of @vma's pages are never read, or MMSCOPE_BYTES_READ. */
static u32 mmscope_vma_bytes_reason(struct vm_area_struct *vma)
{
	/* As GUP's check_vma_flags(): secretmem, VM_IO and VM_PFNMAP. */
	if (mmscope_vma_is_secretmem(vma))
		return MMSCOPE_BYTES_SECRET;
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return MMSCOPE_BYTES_PFNMAP;
	return MMSCOPE_BYTES_READ;
}

/*
 * Is the kernel virtual address @kaddr mapped in the direct map?  What
 * kernel_page_present() (not exported) does: set_direct_map_invalid_noflush()
 * (secretmem, and whoever else takes a page out) clears the present bit of
 * the direct-map entry, at whatever level the direct map maps it.
 */
static bool mmscope_direct_mapped(const void *kaddr)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)kaddr, &level);

	return pte && (pte_val(ptep_get(pte)) & _PAGE_PRESENT);
}

/*
 * Read the first bytes at @off of @page (pinned by the caller) into @leaf,
 * or say why not.
 */
static void mmscope_xlate_bytes(struct page *page, unsigned long off,
				struct mmscope_pt_leaf *leaf)
{
	size_t n = min_t(unsigned long, sizeof(leaf->bytes), PAGE_SIZE - off);
	void *kaddr;

	if (is_page_hwpoison(page)) {
		leaf->bytes_reason = MMSCOPE_BYTES_POISONED;
		return;
	}
	kaddr = kmap_local_page(page);
	if (!mmscope_direct_mapped(kaddr))
		leaf->bytes_reason = MMSCOPE_BYTES_UNMAPPED;
	else if (copy_from_kernel_nofault(leaf->bytes, kaddr + off, n))
		leaf->bytes_reason = MMSCOPE_BYTES_FAULT;
	else
		leaf->nbytes = n;
	kunmap_local(kaddr);
}

/*
 * The page state of @leaf, and its first bytes where they may be read.
 * Returns false if the page went away or the entry changed to map
 * something else before the state could be read.
 */
static bool mmscope_xlate_page(struct mm_struct *mm, unsigned long addr,
			       struct mmscope_xlate *x,
			       struct mmscope_pt_leaf *leaf)
{
	unsigned long pfn = leaf->pfn, off = addr & ~PAGE_MASK;
	int level = x->stop_level;
	u8 kind = x->last.kind;
	u64 leaf_pfn = x->last.pfn;
	u32 vma_reason = mmscope_vma_bytes_reason(x->vma);
	struct folio *folio;
	struct page *page, *head;
	bool same = false;

	if (is_zero_pfn(pfn)) {
		leaf->page_bits = MMSCOPE_PG_VALID | MMSCOPE_PG_ZERO;
		/* Mapped by a VMA that refuses reads, the zero page reads too. */
		leaf->bytes_reason = vma_reason;
		if (!vma_reason)
			mmscope_xlate_bytes(pfn_to_page(pfn), off, leaf);
		return true;
	}
	if (x->last.flags & MMSCOPE_PTF_DEVMAP) {
		leaf->bytes_reason = MMSCOPE_BYTES_DEVICE;
		return true;
	}
	/* No struct page to refcount: remap_pfn_range(), vmf_insert_pfn(). */
	if (x->last.flags & MMSCOPE_PTF_SPECIAL) {
		leaf->bytes_reason = MMSCOPE_BYTES_PFNMAP;
		return true;
	}
	if (!pfn_valid(pfn)) {
		leaf->bytes_reason = MMSCOPE_BYTES_NO_STRUCT_PAGE;
		return true;
	}
	/*
	 * The struct page of offline memory (or of a ZONE_DEVICE range) may
	 * be uninitialised: only its zone bits are read, as
	 * pfn_to_online_page()'s callers do.
	 */
	page = pfn_to_online_page(pfn);
	if (!page || is_zone_device_page(page)) {
		leaf->bytes_reason = is_zone_device_page(pfn_to_page(pfn)) ?
				     MMSCOPE_BYTES_DEVICE : MMSCOPE_BYTES_OFFLINE;
		return true;
	}
	folio = page_folio(page);
	/* A free page, while the entry mapped it: being unmapped. */
	if (!folio_try_get(folio))
		return false;
	/* As GUP: the folio may have been split or freed and reused. */
	if (page_folio(page) != folio)
		goto out_put;
	/*
	 * Still mapped at @addr?  Only the level, kind and PFN matter: the
	 * CPU sets A and D and the kernel flips RW or soft bits without the
	 * entry mapping another page.
	 */
	if (mmscope_xlate_walk(mm, addr, x) || x->stop != MMSCOPE_STOP_LEAF ||
	    x->stop_level != level || x->last.kind != kind ||
	    x->last.pfn != leaf_pfn)
		goto out_put;
	same = true;
	leaf->refcount = folio_ref_count(folio) - 1;
	leaf->mapcount = mmscope_mapcount(folio, page);
	leaf->folio_order = folio_order(folio);
	leaf->page_bits = MMSCOPE_PG_VALID;
	/*
	 * hugetlb keeps PG_anon_exclusive on the head page only (v6.1's
	 * PageAnonExclusive() reads the page given; later kernels look up the
	 * head themselves), THP per page.
	 */
	head = folio_test_hugetlb(folio) ? &folio->page : page;
	if (folio_test_anon(folio)) {
		leaf->page_bits |= MMSCOPE_PG_ANON;
		if (folio_test_ksm(folio))
			leaf->page_bits |= MMSCOPE_PG_KSM;
		else if (PageAnonExclusive(head))
			leaf->page_bits |= MMSCOPE_PG_EXCLUSIVE;
	} else if (folio->mapping) {
		leaf->page_bits |= MMSCOPE_PG_FILE;
	}
	if (folio_test_lru(folio))
		leaf->page_bits |= MMSCOPE_PG_LRU;
	if (folio_test_active(folio))
		leaf->page_bits |= MMSCOPE_PG_ACTIVE;
	if (folio_test_dirty(folio))
		leaf->page_bits |= MMSCOPE_PG_DIRTY;
	if (folio_test_uptodate(folio))
		leaf->page_bits |= MMSCOPE_PG_UPTODATE;
	if (folio_test_swapbacked(folio))
		leaf->page_bits |= MMSCOPE_PG_SWAPBACKED;
	if (folio_test_large(folio))
		leaf->page_bits |= MMSCOPE_PG_LARGE;
	if (PageHead(page))
		leaf->page_bits |= MMSCOPE_PG_HEAD;
	if (PageTail(page))
		leaf->page_bits |= MMSCOPE_PG_TAIL;
	if (folio_test_hugetlb(folio))
		leaf->page_bits |= MMSCOPE_PG_HUGETLB;
	if (PageReserved(page))
		leaf->page_bits |= MMSCOPE_PG_RESERVED;
	if (folio_test_locked(folio))
		leaf->page_bits |= MMSCOPE_PG_LOCKED;
	if (folio_test_referenced(folio))
		leaf->page_bits |= MMSCOPE_PG_REFERENCED;
	if (folio_test_unevictable(folio))
		leaf->page_bits |= MMSCOPE_PG_UNEVICTABLE;
	/*
	 * Online RAM we hold a reference on (reserved pages too: the vDSO's
	 * are, and GUP reads them): read what the process sees.
	 */
	leaf->bytes_reason = vma_reason;
	if (!vma_reason)
		mmscope_xlate_bytes(page, off, leaf);
out_put:
	folio_put(folio);
	return same;
}

static int mmscope_xlate_start(struct mmscope_ctx *ctx)
{
	struct mmscope_xlate *x;

	if (ctx->q.start >= TASK_SIZE_MAX)
		return -EINVAL;
	x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	ctx->priv = x;
	return x ? 0 : -ENOMEM;
}

static void mmscope_xlate_stop(struct mmscope_ctx *ctx)
{
	kfree(ctx->priv);
}

/*
 * Without CAP_SYS_ADMIN, as /proc/PID/pagemap: no entry, PFN or swap entry,
 * and the kind and flags mmscope_pt_hide() leaves.  @vm_flags: those of the
 * VMA for the last step (pagemap's soft-dirty), else 0.
 */
static void mmscope_xlate_hide_step(struct mmscope_pt_step *st,
				    unsigned long vm_flags)
{
	struct mmscope_pt_entry e = {
		.kind = st->kind,
		.flags = st->flags,
	};

	mmscope_pt_hide(&e, vm_flags);
	st->entry = 0;
	st->next_table = 0;
	st->pfn = 0;
	st->swap_type = 0;
	st->swap_offset = 0;
	st->kind = e.kind;
	st->flags = e.flags;
	st->pkey = 0;
	st->hidden = 1;
}

static int mmscope_xlate_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_xlate *x = ctx->priv;
	unsigned long addr = ctx->q.start;
	struct mmscope_pt_leaf leaf = { .vaddr = addr };
	struct mm_struct *mm;
	int i, err = 0;

	mm = mmscope_mm_read_lock(ctx, &err);
	if (!mm)
		return err;
	err = mmscope_xlate_walk(mm, addr, x);
	if (err)
		goto out_unlock;
	for (i = 0; i < x->nr_steps; i++) {
		struct mmscope_pt_step *st = &x->steps[i];

		if (!ctx->privileged) {
			struct vm_area_struct *vma = vma_lookup(mm, addr);

			mmscope_xlate_hide_step(st, vma && i == x->nr_steps - 1 ?
						vma->vm_flags : 0);
		}
		err = mmscope_emit(ctx, st, MMSCOPE_REC_PT_STEP, sizeof(*st));
		if (err)
			goto out_unlock;
	}
	leaf.leaf_level = MMSCOPE_PT_NONE;
	leaf.stop = x->stop;
	leaf.stop_level = x->stop_level;
	leaf.kind = x->last.kind;
	if (!ctx->privileged && x->nr_steps) {
		/* The kind pagemap would say: that of the last step. */
		leaf.kind = x->steps[x->nr_steps - 1].kind;
		if (leaf.stop == MMSCOPE_STOP_BAD)
			leaf.stop = MMSCOPE_STOP_NOT_PRESENT;
	}
	if (x->stop == MMSCOPE_STOP_LEAF) {
		unsigned long size = mmscope_pt_level_size(x->stop_level);

		leaf.leaf_level = x->stop_level;
		leaf.pfn = x->last.pfn + ((addr & (size - 1)) >> PAGE_SHIFT);
		leaf.phys = ((u64)leaf.pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
		/* Walks again: x is overwritten, the steps are out already. */
		if (ctx->privileged && !mmscope_xlate_page(mm, addr, x, &leaf)) {
			leaf.stop = MMSCOPE_STOP_CHANGED;
			leaf.bytes_reason = MMSCOPE_BYTES_CHANGED;
			leaf.nbytes = 0;
		}
	} else {
		leaf.bytes_reason = MMSCOPE_BYTES_NO_PAGE;
	}
	if (!ctx->privileged) {
		if (leaf.bytes_reason == MMSCOPE_BYTES_READ)
			leaf.bytes_reason = MMSCOPE_BYTES_HIDDEN;
		leaf.pfn = 0;
		leaf.phys = 0;
		leaf.hidden = 1;
		ctx->end_flags |= MMSCOPE_END_HIDDEN;
	}
	err = mmscope_emit(ctx, &leaf, MMSCOPE_REC_PT_LEAF, sizeof(leaf));
out_unlock:
	mmscope_mm_read_unlock(mm);
	return err;
}

static const char *const mmscope_xlate_stops[] = {
	[MMSCOPE_STOP_LEAF] = "leaf",
	[MMSCOPE_STOP_NO_VMA] = "no VMA at this address",
	[MMSCOPE_STOP_NONE] = "empty entry",
	[MMSCOPE_STOP_NOT_PRESENT] = "entry not present",
	[MMSCOPE_STOP_BAD] = "bad entry",
	[MMSCOPE_STOP_CHANGED] = "entry changed during the walk",
	[MMSCOPE_STOP_NOT_KERNEL] = "not a kernel address",
};

static const char *const mmscope_bytes_reasons[] = MMSCOPE_BYTES_REASON_NAMES;

/* enum mmscope_page_bits, bit by bit */
static const char *const mmscope_page_bit_names[] = {
	"valid", "anon", "file", "ksm", "lru", "active", "dirty", "uptodate",
	"swapbacked", "large", "head", "tail", "hugetlb", "zero", "reserved",
	"locked", "referenced", "unevictable", "exclusive",
};

static void mmscope_show_page_bits(struct seq_buf *s, u32 bits)
{
	unsigned int i;

	/* "valid" only says the rest was read: not shown. */
	for (i = 1; i < ARRAY_SIZE(mmscope_page_bit_names); i++)
		if (bits & BIT(i))
			seq_buf_printf(s, " %s", mmscope_page_bit_names[i]);
}

static void mmscope_xlate_show(struct seq_buf *s,
			       const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_pt_step *st = (const void *)hdr;
	const struct mmscope_pt_leaf *l = (const void *)hdr;
	u32 i;

	switch (hdr->type) {
	case MMSCOPE_REC_PT_STEP:
		if (st->hidden)
			seq_buf_printf(s, "%s[%3u] entry %18s %-9s ",
				       mmscope_pt_level_name(st->level),
				       st->index, "hidden",
				       mmscope_pt_kind_name(st->kind));
		else
			seq_buf_printf(s, "%s[%3u] entry %#018llx %-9s ",
				       mmscope_pt_level_name(st->level),
				       st->index, st->entry,
				       mmscope_pt_kind_name(st->kind));
		mmscope_pt_show_flags(s, st->flags);
		if (st->next_table)
			seq_buf_printf(s, " next %#llx", st->next_table);
		seq_buf_printf(s, "%s\n", st->folded ? " (folded)" : "");
		break;
	case MMSCOPE_REC_PT_LEAF:
		seq_buf_printf(s, "vaddr %#llx: %s at %s (%s)", l->vaddr,
			       mmscope_xlate_stops[l->stop % ARRAY_SIZE(mmscope_xlate_stops)],
			       mmscope_pt_level_name(l->stop_level),
			       mmscope_pt_kind_name(l->kind));
		if (l->leaf_level != MMSCOPE_PT_NONE && l->hidden)
			seq_buf_printf(s, ", pfn hidden phys hidden");
		else if (l->leaf_level != MMSCOPE_PT_NONE)
			seq_buf_printf(s, ", pfn %#llx phys %#llx", l->pfn,
				       l->phys);
		if (l->page_bits & MMSCOPE_PG_VALID) {
			seq_buf_printf(s, ", refcount %d mapcount %d order %u,",
				       l->refcount, l->mapcount,
				       l->folio_order);
			mmscope_show_page_bits(s, l->page_bits);
		}
		if (l->nbytes)
			seq_buf_printf(s, " bytes ");
		else if (l->bytes_reason != MMSCOPE_BYTES_NO_PAGE)
			seq_buf_printf(s, " bytes not read (%s)",
				       mmscope_bytes_reasons[l->bytes_reason %
							     MMSCOPE_BYTES_NR]);
		for (i = 0; i < l->nbytes && i < sizeof(l->bytes); i++)
			seq_buf_printf(s, "%02x", l->bytes[i]);
		seq_buf_printf(s, "\n");
		break;
	}
}

/*
 * translate --kernel: a kernel address through the kernel half of the
 * tables (mmscope_kernel_mm(): init_mm's, through the reader's pgd), with
 * the ops and walker of a process's translation, walked locklessly as the
 * kernel view walks (kernel.c).  Root only; the PFN and physical address
 * of the leaf, no page state and no bytes (MMSCOPE_BYTES_KERNEL).
 */
static int mmscope_kxlate_start(struct mmscope_ctx *ctx)
{
	struct mmscope_xlate *x;
	int err = mmscope_kernel_allowed(ctx);

	if (err)
		return err;
	x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	ctx->priv = x;
	if (!x)
		return -ENOMEM;
	x->kmm = mmscope_kernel_mm(&err);
	return x->kmm ? 0 : err;
}

static void mmscope_kxlate_stop(struct mmscope_ctx *ctx)
{
	struct mmscope_xlate *x = ctx->priv;

	if (x && x->kmm)
		mmdrop(x->kmm);
	kfree(x);
}

static int mmscope_kxlate_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_xlate *x = ctx->priv;
	unsigned long addr = ctx->q.start;
	struct mmscope_pt_leaf leaf = {
		.vaddr = addr,
		.leaf_level = MMSCOPE_PT_NONE,
		.bytes_reason = MMSCOPE_BYTES_KERNEL,
	};
	int i, err;

	mmscope_xlate_reset(x, x->kmm);
	x->vma = NULL;
	/* Not an error: the debugfs file may hold a process's address. */
	if (addr < MMSCOPE_KERNEL_START || addr >= MMSCOPE_KERNEL_END) {
		leaf.stop = MMSCOPE_STOP_NOT_KERNEL;
		leaf.bytes_reason = MMSCOPE_BYTES_NO_PAGE;
		return mmscope_emit(ctx, &leaf, MMSCOPE_REC_PT_LEAF,
				    sizeof(leaf));
	}
	err = mmscope_walk_lockless(&x->walk, addr & PAGE_MASK,
				    (addr & PAGE_MASK) + PAGE_SIZE);
	if (err < 0)
		return err;
	if (x->walk.changed)
		x->stop = MMSCOPE_STOP_CHANGED;
	for (i = 0; i < x->nr_steps; i++) {
		err = mmscope_emit(ctx, &x->steps[i], MMSCOPE_REC_PT_STEP,
				   sizeof(x->steps[i]));
		if (err)
			return err;
	}
	leaf.stop = x->stop;
	leaf.stop_level = x->stop_level;
	leaf.kind = x->last.kind;
	if (x->stop == MMSCOPE_STOP_LEAF) {
		unsigned long in = addr & (mmscope_pt_level_size(x->stop_level) - 1);

		leaf.leaf_level = x->stop_level;
		leaf.pfn = x->last.pfn + (in >> PAGE_SHIFT);
		leaf.phys = ((u64)leaf.pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
	}
	return mmscope_emit(ctx, &leaf, MMSCOPE_REC_PT_LEAF, sizeof(leaf));
}

const struct mmscope_view_ops mmscope_kernel_translate_view = {
	.name = "translate_kernel",
	.view = MMSCOPE_VIEW_KERNEL_TRANSLATE,
	.root_only = true,
	.start = mmscope_kxlate_start,
	.fill = mmscope_kxlate_fill,
	.show = mmscope_xlate_show,
	.stop = mmscope_kxlate_stop,
};

const struct mmscope_view_ops mmscope_translate_view = {
	.name = "translate",
	.view = MMSCOPE_VIEW_TRANSLATE,
	.needs_mm = true,
	.start = mmscope_xlate_start,
	.fill = mmscope_xlate_fill,
	.show = mmscope_xlate_show,
	.stop = mmscope_xlate_stop,
};
