/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmscope record formats: the one header shared by the kernel module, the
 * BPF program and the CLI.
 *
 * The CLI talks to the module through /dev/mmscope: it opens the device,
 * issues MMSCOPE_IOC_QUERY with a struct mmscope_query naming a view and its
 * arguments, then read()s a stream of records.  Every record starts with a
 * struct mmscope_rec_hdr; a reader skips records whose type it does not know
 * (hdr.len always gives the full record size, header included).  read()
 * only ever returns whole records.
 *
 * Rules (Documentation/process/botching-up-ioctls.rst): fixed-width fields,
 * explicit padding, 64-bit alignment, and MMSCOPE_ABI_VERSION bumped on any
 * incompatible change.
 */
#ifndef _UAPI_MMSCOPE_H
#define _UAPI_MMSCOPE_H

#ifndef __VMLINUX_H__		/* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#include <linux/ioctl.h>
#endif

#define MMSCOPE_ABI_VERSION	1
#define MMSCOPE_DEV_NAME	"mmscope"
#define MMSCOPE_NAME_LEN	64
#define MMSCOPE_PATH_LEN	256

enum mmscope_view {
	MMSCOPE_VIEW_VMA = 1,		/* mm summary + every VMA */
	MMSCOPE_VIEW_PT,		/* page table as runs (or raw) */
	MMSCOPE_VIEW_TRANSLATE,		/* one address, level by level */
	MMSCOPE_VIEW_BUDDY,		/* free_area counts per zone */
	MMSCOPE_VIEW_BUDDY_BLOCKS,	/* every free block */
	MMSCOPE_VIEW_SLAB,		/* every slab cache */
	MMSCOPE_VIEW_SLAB_CACHE,	/* slabs of one cache */
	MMSCOPE_VIEW_SLAB_ADDR,		/* address -> cache/object */
	MMSCOPE_VIEW_MAX,
};

/* mmscope_query.flags */
enum mmscope_query_flags {
	MMSCOPE_Q_RAW = 1 << 0,		/* pt: one record per entry, no folding */
};

struct mmscope_query {
	__u32 version;			/* MMSCOPE_ABI_VERSION */
	__u32 view;			/* enum mmscope_view */
	__s32 pid;			/* target process (pid views) */
	__u32 flags;			/* enum mmscope_query_flags */
	__u64 start;			/* range start / address */
	__u64 end;			/* range end (exclusive), 0: whole space */
	char name[MMSCOPE_NAME_LEN];	/* slab cache name */
};

#define MMSCOPE_IOC_MAGIC	'M'
#define MMSCOPE_IOC_QUERY	_IOW(MMSCOPE_IOC_MAGIC, 1, struct mmscope_query)

enum mmscope_rec_type {
	MMSCOPE_REC_MM = 1,
	MMSCOPE_REC_VMA,
	MMSCOPE_REC_PT_RUN,
	MMSCOPE_REC_PT_SUMMARY,
	MMSCOPE_REC_PT_STEP,
	MMSCOPE_REC_PT_LEAF,
	MMSCOPE_REC_BUDDY_ZONE,
	MMSCOPE_REC_BUDDY_ORDER,
	MMSCOPE_REC_BUDDY_BLOCK,
	MMSCOPE_REC_BUDDY_END,
	MMSCOPE_REC_SLAB_CACHE,
	MMSCOPE_REC_SLAB_NODE,
	MMSCOPE_REC_SLAB_SLAB,
	MMSCOPE_REC_SLAB_OBJ,
	MMSCOPE_REC_END,		/* always last: the view completed */
};

struct mmscope_rec_hdr {
	__u16 type;			/* enum mmscope_rec_type */
	__u16 len;			/* whole record, header included */
	__u32 pad;
};

/* Terminates every successful stream; a missing END means a truncated one. */
struct mmscope_end {
	struct mmscope_rec_hdr hdr;
	__s32 status;			/* 0, or -errno if the walk stopped */
	__u32 flags;			/* MMSCOPE_END_* */
};

enum mmscope_end_flags {
	MMSCOPE_END_CHANGED = 1 << 0,	/* state changed under the walk */
	MMSCOPE_END_HIDDEN = 1 << 1,	/* PFNs/addresses hidden (no CAP_SYS_ADMIN) */
};

/* ---- VMA view ------------------------------------------------------ */

enum mmscope_rss {
	MMSCOPE_RSS_FILE,
	MMSCOPE_RSS_ANON,
	MMSCOPE_RSS_SWAP,
	MMSCOPE_RSS_SHMEM,
	MMSCOPE_RSS_NR,
};

struct mmscope_mm {
	struct mmscope_rec_hdr hdr;
	__s32 pid;
	__u32 map_count;
	__u64 start_code, end_code;
	__u64 start_data, end_data;
	__u64 start_brk, brk;
	__u64 start_stack;
	__u64 arg_start, arg_end;
	__u64 env_start, env_end;
	__u64 mmap_base;
	__u64 task_size;
	__u64 total_vm, locked_vm, pinned_vm;	/* pages */
	__u64 data_vm, exec_vm, stack_vm;	/* pages */
	__u64 hiwater_rss, hiwater_vm;		/* pages */
	__u64 rss[MMSCOPE_RSS_NR];		/* pages */
	__u64 pgtables_bytes;
	__u64 pgd_phys;				/* 0 when hidden */
	__u32 mm_users, mm_count;
	__u32 pgtable_levels;			/* 4 or 5 */
	__u32 pad;
};

/* mmscope_vma.bits */
enum mmscope_vma_bits {
	MMSCOPE_VMA_ANON_VMA = 1 << 0,		/* has an anon_vma */
	MMSCOPE_VMA_FILE = 1 << 1,		/* file-backed */
};

struct mmscope_vma {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	__u64 vm_flags;				/* raw vm_flags bits */
	__u64 pgoff;				/* offset in bytes, as maps */
	__u64 inode;
	__u32 dev_major, dev_minor;
	__u32 bits;				/* enum mmscope_vma_bits */
	__u32 name_len;				/* strlen(name) */
	char vmflags[96];			/* as smaps VmFlags: "rd wr mr mw me ac" */
	char name[MMSCOPE_PATH_LEN];		/* as /proc/PID/maps prints it */
};

/* ---- page tables (issue 3) ------------------------------------------ */

/* ---- buddy allocator (issue 4) -------------------------------------- */

/* ---- slab caches (issue 5) ------------------------------------------ */

/* ---- page faults, BPF ring buffer (issue 6) ------------------------- */

/*
 * One record per handle_mm_fault() call, produced by bpf/faults.bpf.c into a
 * BPF ring buffer (not through /dev/mmscope: no mmscope_rec_hdr).  The bits
 * are mmscope's own: the BPF program translates the kernel's enum fault_flag
 * and enum vm_fault_reason values (read with CO-RE) into these, so the CLI
 * never depends on a kernel's numbering.
 */
enum mmscope_fault_flags {
	MMSCOPE_FF_WRITE = 1 << 0,
	MMSCOPE_FF_MKWRITE = 1 << 1,
	MMSCOPE_FF_ALLOW_RETRY = 1 << 2,
	MMSCOPE_FF_RETRY_NOWAIT = 1 << 3,
	MMSCOPE_FF_KILLABLE = 1 << 4,
	MMSCOPE_FF_TRIED = 1 << 5,
	MMSCOPE_FF_USER = 1 << 6,
	MMSCOPE_FF_REMOTE = 1 << 7,
	MMSCOPE_FF_INSTRUCTION = 1 << 8,
	MMSCOPE_FF_INTERRUPTIBLE = 1 << 9,
	MMSCOPE_FF_UNSHARE = 1 << 10,
	MMSCOPE_FF_VMA_LOCK = 1 << 11,		/* 6.4+: under the per-VMA lock */
	MMSCOPE_FF_NR = 12,
};

enum mmscope_fault_result {
	MMSCOPE_FR_OOM = 1 << 0,
	MMSCOPE_FR_SIGBUS = 1 << 1,
	MMSCOPE_FR_MAJOR = 1 << 2,
	MMSCOPE_FR_HWPOISON = 1 << 3,
	MMSCOPE_FR_HWPOISON_LARGE = 1 << 4,
	MMSCOPE_FR_SIGSEGV = 1 << 5,
	MMSCOPE_FR_NOPAGE = 1 << 6,
	MMSCOPE_FR_LOCKED = 1 << 7,
	MMSCOPE_FR_RETRY = 1 << 8,
	MMSCOPE_FR_FALLBACK = 1 << 9,
	MMSCOPE_FR_DONE_COW = 1 << 10,
	MMSCOPE_FR_NEEDDSYNC = 1 << 11,
	MMSCOPE_FR_COMPLETED = 1 << 12,
	MMSCOPE_FR_NR = 13,
};

/* mmscope_fault.bits */
enum mmscope_fault_bits {
	MMSCOPE_FB_PFN = 1 << 0,	/* pfn valid: the address was mapped */
	MMSCOPE_FB_FILE = 1 << 1,	/* VMA is file-backed (file[] = name) */
	MMSCOPE_FB_REGS = 1 << 2,	/* a hardware fault: ip is valid */
	MMSCOPE_FB_HUGE = 1 << 3,	/* pfn came from a PMD/PUD leaf */
};

#define MMSCOPE_COMM_LEN	16
#define MMSCOPE_FILE_LEN	64

struct mmscope_fault {
	__u64 ts_ns;			/* CLOCK_MONOTONIC at entry */
	__u64 latency_ns;
	__u64 addr;			/* faulting user address */
	__u64 ip;			/* user ip (MMSCOPE_FB_REGS) */
	__u64 pfn;			/* after the fault (MMSCOPE_FB_PFN) */
	__u64 vma_start, vma_end;
	__u64 vm_flags;			/* raw vm_flags */
	__u32 pid;			/* tgid */
	__u32 tid;
	__u32 cpu;
	__u32 flags;			/* enum mmscope_fault_flags */
	__u32 result;			/* enum mmscope_fault_result */
	__u32 bits;			/* enum mmscope_fault_bits */
	__u32 level;			/* page-table level of the leaf: 1 pte .. 3 pud */
	__u32 pad;
	char comm[MMSCOPE_COMM_LEN];
	char file[MMSCOPE_FILE_LEN];	/* dentry name of vm_file */
};

#endif /* _UAPI_MMSCOPE_H */
