/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel half of the address space, shared by the kernel view
 * (kernel.c) and translate --kernel (translate.c).
 */
#ifndef _MMSCOPE_KERNEL_H
#define _MMSCOPE_KERNEL_H

#include <linux/mm_types.h>
#include <asm/pgtable_64_types.h>

struct mmscope_ctx;

/*
 * The kernel half walked: from the first kernel pgd entry (the guard hole,
 * pgd entry -256 with either paging mode) to the last 2 MiB, which
 * Documentation/arch/x86/x86_64/mm.rst lists as an unused hole (and which
 * keeps every end address below 2^64).
 */
#define MMSCOPE_KERNEL_START	GUARD_HOLE_BASE_ADDR
/* The user half: the first half of the pgd's slots (either paging mode). */
#define MMSCOPE_USER_END	((PTRS_PER_PGD / 2) * PGDIR_SIZE)
#define MMSCOPE_KERNEL_END	(-(2UL << 20))

int mmscope_kernel_allowed(struct mmscope_ctx *ctx);
struct mm_struct *mmscope_kernel_mm(int *err);

#endif /* _MMSCOPE_KERNEL_H */
