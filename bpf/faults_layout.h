/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel variables the fault programs read (bpf/faults.bpf.c), in the
 * order bpf/layout.bpf.c looks them up and user space (trace.c) passes
 * them on.
 */
#ifndef _MMSCOPE_FAULTS_LAYOUT_H
#define _MMSCOPE_FAULTS_LAYOUT_H

enum faults_ksym {
	FAULTS_KSYM_PAGE_OFFSET_BASE,	/* the direct map's base (KASLR) */
	FAULTS_KSYM_PGDIR_SHIFT,	/* 48: 5-level paging, 39: 4-level */
	FAULTS_KSYM_PHYSICAL_MASK,	/* the PFN bits (SME, SEV, TDX) */
	FAULTS_KSYM_ZERO_PFN,		/* the shared zero page */
	FAULTS_KSYM_HUGE_ZERO_PFN,	/* the huge zero page, ~0UL: none */
	FAULTS_KSYM_RDONLY_CAST,	/* the kfunc bpf_rdonly_cast (6.2+) */
	FAULTS_KSYM_NR,
};

#endif /* _MMSCOPE_FAULTS_LAYOUT_H */
