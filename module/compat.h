/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mmscope supports (Debian 6.1 and 6.12),
 * in one place.  Each branch names the version and commit that changed it,
 * so that the views never test LINUX_VERSION_CODE themselves.
 */
#ifndef _MMSCOPE_COMPAT_H
#define _MMSCOPE_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

/*
 * Since v6.8 (file_user_path(), file_user_inode()): a mapped backing file
 * (overlayfs) reports the user-visible path and inode, as /proc/PID/maps
 * prints them.  Before, maps used f_path and file_inode() directly.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define mmscope_file_path(f)	file_user_path(f)
#define mmscope_file_inode(f)	file_user_inode(f)
#else
#define mmscope_file_path(f)	(&(f)->f_path)
#define mmscope_file_inode(f)	file_inode(f)
#endif

/*
 * Since v6.7 include/linux/mm.h has vma_is_initial_heap()/_stack(); before,
 * fs/proc/task_mmu.c open-coded these (inclusive) tests for [heap]/[stack].
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define mmscope_vma_is_heap(vma)	vma_is_initial_heap(vma)
#define mmscope_vma_is_stack(vma)	vma_is_initial_stack(vma)
#else
static inline bool mmscope_vma_is_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
}

static inline bool mmscope_vma_is_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}
#endif

/* v6.11 dropped kvrealloc()'s old-size argument. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define mmscope_kvrealloc(p, old, new)	kvrealloc(p, new, GFP_KERNEL)
#else
#define mmscope_kvrealloc(p, old, new)	kvrealloc(p, old, new, GFP_KERNEL)
#endif

#endif /* _MMSCOPE_COMPAT_H */
