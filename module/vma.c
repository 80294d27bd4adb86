// SPDX-License-Identifier: GPL-2.0
/*
 * The vma view: a process's mm_struct summary and every VMA, walked from the
 * maple tree under mmap_read_lock_killable(), in chunks that resume from the
 * end of the last VMA shown (as /proc/PID/maps does).
 */
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/kdev_t.h>
#include <linux/log2.h>
#include <linux/pgtable.h>
#include <linux/vmalloc.h>
#include "mmscope.h"
#include "compat.h"

/* The VmFlags mnemonics of /proc/PID/smaps, for the kernel built against. */
static const char *const mmscope_vmflag_names[BITS_PER_LONG] = {
	[ilog2(VM_READ)] = "rd",
	[ilog2(VM_WRITE)] = "wr",
	[ilog2(VM_EXEC)] = "ex",
	[ilog2(VM_SHARED)] = "sh",
	[ilog2(VM_MAYREAD)] = "mr",
	[ilog2(VM_MAYWRITE)] = "mw",
	[ilog2(VM_MAYEXEC)] = "me",
	[ilog2(VM_MAYSHARE)] = "ms",
	[ilog2(VM_GROWSDOWN)] = "gd",
	[ilog2(VM_PFNMAP)] = "pf",
	[ilog2(VM_LOCKED)] = "lo",
	[ilog2(VM_IO)] = "io",
	[ilog2(VM_SEQ_READ)] = "sr",
	[ilog2(VM_RAND_READ)] = "rr",
	[ilog2(VM_DONTCOPY)] = "dc",
	[ilog2(VM_DONTEXPAND)] = "de",
	[ilog2(VM_LOCKONFAULT)] = "lf",
	[ilog2(VM_ACCOUNT)] = "ac",
	[ilog2(VM_NORESERVE)] = "nr",
	[ilog2(VM_HUGETLB)] = "ht",
	[ilog2(VM_SYNC)] = "sf",
	[ilog2(VM_ARCH_1)] = "ar",
	[ilog2(VM_WIPEONFORK)] = "wf",
	[ilog2(VM_DONTDUMP)] = "dd",
#ifdef CONFIG_MEM_SOFT_DIRTY
	[ilog2(VM_SOFTDIRTY)] = "sd",
#endif
	[ilog2(VM_MIXEDMAP)] = "mm",
	[ilog2(VM_HUGEPAGE)] = "hg",
	[ilog2(VM_NOHUGEPAGE)] = "nh",
	[ilog2(VM_MERGEABLE)] = "mg",
	[ilog2(VM_UFFD_MISSING)] = "um",
	[ilog2(VM_UFFD_WP)] = "uw",
#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_MINOR
	[ilog2(VM_UFFD_MINOR)] = "ui",
#endif
#ifdef CONFIG_X86_USER_SHADOW_STACK
	[ilog2(VM_SHADOW_STACK)] = "ss",
#endif
#ifdef VM_DROPPABLE
	[ilog2(VM_DROPPABLE)] = "dp",
#endif
#ifdef VM_SEALED
	[ilog2(VM_SEALED)] = "sl",
#endif
};

static void mmscope_decode_vmflags(unsigned long flags, char *out, size_t size)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < BITS_PER_LONG; i++) {
		const char *name = mmscope_vmflag_names[i];

		if (!(flags & BIT(i)) || !name)
			continue;
		len += scnprintf(out + len, size - len, "%s%s",
				 len ? " " : "", name);
	}
}

/* Copy @src to @dst escaping '\n' as seq_path() does for /proc/PID/maps. */
static size_t mmscope_copy_name(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	for (; *src && len + 5 < size; src++) {
		if (*src == '\n') {
			memcpy(dst + len, "\\012", 4);
			len += 4;
		} else {
			dst[len++] = *src;
		}
	}
	dst[len] = '\0';
	return len;
}

/*
 * The name given by prctl(PR_SET_VMA_ANON_NAME), or NULL.  Private
 * anonymous VMAs can be named on both kernels; shared anonymous (shmem)
 * ones since v6.2, which /proc/PID/maps shows as "[anon_shmem:NAME]".
 */
static const char *mmscope_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	if (vma->anon_name)
		return vma->anon_name->name;
#endif
	return NULL;
}

static void mmscope_vma_name(struct vm_area_struct *vma,
			     struct mmscope_vma *rec, char *tmp, size_t size)
{
	const char *name = NULL;

	if (vma->vm_file && mmscope_vma_anon_name(vma)) {
		/* shared anonymous memory named by prctl(PR_SET_VMA) */
		snprintf(tmp, size, "[anon_shmem:%s]",
			 mmscope_vma_anon_name(vma));
		name = tmp;
	} else if (vma->vm_file) {
		name = d_path(mmscope_file_path(vma->vm_file), tmp, size);
		if (IS_ERR(name))
			name = "?";
	} else if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
	}
	if (!name && !vma->vm_file) {
		if (mmscope_vma_is_heap(vma))
			name = "[heap]";
		else if (mmscope_vma_is_stack(vma))
			name = "[stack]";
	}
	if (!name && mmscope_vma_anon_name(vma)) {
		snprintf(tmp, size, "[anon:%s]", mmscope_vma_anon_name(vma));
		name = tmp;
	}
	rec->name_len = mmscope_copy_name(rec->name, MMSCOPE_NAME_MAX,
					  name ? name : "");
}

static int mmscope_emit_vma(struct mmscope_ctx *ctx,
			    struct vm_area_struct *vma, struct mmscope_vma *rec,
			    char *tmp)
{
	size_t len;

	memset(rec, 0, sizeof(*rec));
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->vm_flags = vma->vm_flags;
	if (vma->vm_file) {
		const struct inode *inode = mmscope_file_inode(vma->vm_file);

		rec->pgoff = (u64)vma->vm_pgoff << PAGE_SHIFT;
		rec->inode = inode->i_ino;
		rec->dev_major = MAJOR(inode->i_sb->s_dev);
		rec->dev_minor = MINOR(inode->i_sb->s_dev);
		rec->bits |= MMSCOPE_VMA_FILE;
	}
	if (vma->anon_vma)
		rec->bits |= MMSCOPE_VMA_ANON_VMA;
	mmscope_decode_vmflags(vma->vm_flags, rec->vmflags,
			       sizeof(rec->vmflags));
	mmscope_vma_name(vma, rec, tmp, PATH_MAX);
	/* The record ends after the name: zero its padding, never stale. */
	len = ALIGN(rec->name_len + 1, 8);
	memset(rec->name + rec->name_len, 0, len - rec->name_len);
	return mmscope_emit(ctx, rec, MMSCOPE_REC_VMA,
			    offsetof(struct mmscope_vma, name) + len);
}

static int mmscope_emit_mm(struct mmscope_ctx *ctx, struct mm_struct *mm)
{
	struct mmscope_mm rec = {
		.pid = ctx->q.pid,
		.map_count = mm->map_count,
		.start_code = mm->start_code, .end_code = mm->end_code,
		.start_data = mm->start_data, .end_data = mm->end_data,
		.start_brk = mm->start_brk, .brk = mm->brk,
		.start_stack = mm->start_stack,
		.arg_start = mm->arg_start, .arg_end = mm->arg_end,
		.env_start = mm->env_start, .env_end = mm->env_end,
		.mmap_base = mm->mmap_base,
		.task_size = mm->task_size,
		.total_vm = mm->total_vm,
		.locked_vm = mm->locked_vm,
		.pinned_vm = atomic64_read(&mm->pinned_vm),
		.data_vm = mm->data_vm,
		.exec_vm = mm->exec_vm,
		.stack_vm = mm->stack_vm,
		.hiwater_rss = mm->hiwater_rss,
		.hiwater_vm = mm->hiwater_vm,
		.rss = {
			[MMSCOPE_RSS_FILE] = mmscope_mm_counter(mm, MM_FILEPAGES),
			[MMSCOPE_RSS_ANON] = mmscope_mm_counter(mm, MM_ANONPAGES),
			[MMSCOPE_RSS_SWAP] = mmscope_mm_counter(mm, MM_SWAPENTS),
			[MMSCOPE_RSS_SHMEM] = mmscope_mm_counter(mm, MM_SHMEMPAGES),
		},
		.pgtables_bytes = mm_pgtables_bytes(mm),
		.pgd_phys = ctx->privileged ? __pa(mm->pgd) : 0,
		/*
		 * The target's own counts: without the mmget() of this fill
		 * (mmscope_mm_get()) and the mmgrab() of this open file
		 * (mmscope_target_mm()).  Other open mmscope files on the
		 * same process still count, as any other holder does.
		 */
		.mm_users = atomic_read(&mm->mm_users) - 1,
		.mm_count = atomic_read(&mm->mm_count) - 1,
		.pgtable_levels = pgtable_l5_enabled() ? 5 : 4,
	};

	u64 rss = rec.rss[MMSCOPE_RSS_FILE] + rec.rss[MMSCOPE_RSS_ANON] +
		  rec.rss[MMSCOPE_RSS_SHMEM];

	/* As /proc/PID/status: the marks are only updated when usage drops. */
	rec.hiwater_rss = max_t(u64, rec.hiwater_rss, rss);
	rec.hiwater_vm = max_t(u64, rec.hiwater_vm, rec.total_vm);
	if (!ctx->privileged)
		ctx->end_flags |= MMSCOPE_END_HIDDEN;
	return mmscope_emit(ctx, &rec, MMSCOPE_REC_MM, sizeof(rec));
}

/* The record being built and d_path()'s buffer: one fill's scratch. */
#define MMSCOPE_VMA_SCRATCH \
	(struct_size_t(struct mmscope_vma, name, MMSCOPE_NAME_MAX) + PATH_MAX)

static int mmscope_vma_fill(struct mmscope_ctx *ctx)
{
	struct vm_area_struct *vma;
	struct mmscope_vma *rec;
	struct mm_struct *mm;
	int ret = 0, err = 0;
	char *tmp;

	/*
	 * Held for this fill only, not by the open file, and charged to the
	 * reader's memory cgroup; order-0 pages (see mmscope_grow()).
	 */
	rec = __vmalloc(MMSCOPE_VMA_SCRATCH, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!rec)
		return -ENOMEM;
	tmp = (char *)rec + struct_size(rec, name, MMSCOPE_NAME_MAX);
	mm = mmscope_mm_read_lock(ctx, &err);
	if (!mm)
		goto out_free;
	if (ctx->phase == 0) {
		err = mmscope_emit_mm(ctx, mm);
		if (err)
			goto out_unlock;
		ctx->phase = 1;
	}
	{
		VMA_ITERATOR(vmi, mm, ctx->cursor);

		for_each_vma(vmi, vma) {
			err = mmscope_emit_vma(ctx, vma, rec, tmp);
			if (err)
				break;
			ctx->cursor = vma->vm_end;
			if (mmscope_full(ctx)) {
				ret = 1;
				break;
			}
		}
	}
out_unlock:
	mmscope_mm_read_unlock(mm);
out_free:
	vfree(rec);
	return err ? err : ret;
}

/* Text for `cat`: the mm summary, then one maps-like line per VMA. */
static void mmscope_vma_show(struct seq_buf *s,
			     const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_vma *v = (const void *)hdr;
	const struct mmscope_mm *m = (const void *)hdr;

	switch (hdr->type) {
	case MMSCOPE_REC_MM:
		seq_buf_printf(s, "# mm_struct of pid %d (%u-level paging)\n",
			       m->pid, m->pgtable_levels);
		seq_buf_printf(s, "%-12s %016llx-%016llx\n%-12s %016llx-%016llx\n",
			       "code", m->start_code, m->end_code,
			       "data", m->start_data, m->end_data);
		seq_buf_printf(s, "%-12s %016llx-%016llx\n%-12s %016llx\n",
			       "brk", m->start_brk, m->brk,
			       "stack", m->start_stack);
		seq_buf_printf(s, "%-12s %016llx-%016llx\n%-12s %016llx-%016llx\n",
			       "arg", m->arg_start, m->arg_end,
			       "env", m->env_start, m->env_end);
		seq_buf_printf(s, "%-12s %016llx\n%-12s %016llx\n",
			       "mmap_base", m->mmap_base, "task_size",
			       m->task_size);
		seq_buf_printf(s, "%-12s %llu kB\n%-12s %llu kB\n%-12s %llu kB\n",
			       "total_vm", m->total_vm << (PAGE_SHIFT - 10),
			       "locked_vm", m->locked_vm << (PAGE_SHIFT - 10),
			       "pinned_vm", m->pinned_vm << (PAGE_SHIFT - 10));
		seq_buf_printf(s, "%-12s %llu kB\n%-12s %llu kB\n%-12s %llu kB\n",
			       "data_vm", m->data_vm << (PAGE_SHIFT - 10),
			       "exec_vm", m->exec_vm << (PAGE_SHIFT - 10),
			       "stack_vm", m->stack_vm << (PAGE_SHIFT - 10));
		seq_buf_printf(s,
			       "%-12s %llu kB anon, %llu kB file, %llu kB shmem, %llu kB swapped\n",
			       "rss", m->rss[MMSCOPE_RSS_ANON] << (PAGE_SHIFT - 10),
			       m->rss[MMSCOPE_RSS_FILE] << (PAGE_SHIFT - 10),
			       m->rss[MMSCOPE_RSS_SHMEM] << (PAGE_SHIFT - 10),
			       m->rss[MMSCOPE_RSS_SWAP] << (PAGE_SHIFT - 10));
		seq_buf_printf(s, "%-12s %llu bytes\n%-12s %u\n%-12s %u users, %u refs\n",
			       "pgtables", m->pgtables_bytes,
			       "map_count", m->map_count,
			       "mm", m->mm_users, m->mm_count);
		if (m->pgd_phys)
			seq_buf_printf(s, "%-12s 0x%llx\n", "pgd_phys",
				       m->pgd_phys);
		else
			seq_buf_printf(s, "%-12s (hidden: needs CAP_SYS_ADMIN)\n",
				       "pgd_phys");
		seq_buf_printf(s, "# start-end perms offset dev inode anon_vma name | VmFlags\n");
		break;
	case MMSCOPE_REC_VMA:
		seq_buf_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %-8llu %c %s | %s\n",
			       v->start, v->end,
			       v->vm_flags & VM_READ ? 'r' : '-',
			       v->vm_flags & VM_WRITE ? 'w' : '-',
			       v->vm_flags & VM_EXEC ? 'x' : '-',
			       v->vm_flags & VM_MAYSHARE ? 's' : 'p',
			       v->pgoff, v->dev_major, v->dev_minor, v->inode,
			       v->bits & MMSCOPE_VMA_ANON_VMA ? 'A' : '-',
			       v->name, v->vmflags);
		break;
	}
}

const struct mmscope_view_ops mmscope_vma_view = {
	.name = "vma",
	.view = MMSCOPE_VIEW_VMA,
	.needs_mm = true,
	.fill = mmscope_vma_fill,
	.show = mmscope_vma_show,
};
