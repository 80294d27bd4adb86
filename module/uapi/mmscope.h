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

#define MMSCOPE_BUDDY_MAX_ORDERS	16	/* >= the kernel's number of orders */
#define MMSCOPE_BUDDY_MAX_MT		8	/* >= the kernel's MIGRATE_TYPES */
#define MMSCOPE_BUDDY_NAME_LEN		16

/* One populated zone, before its orders (and blocks). */
struct mmscope_buddy_zone {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 zone_idx;				/* index in node_zones[] */
	char name[MMSCOPE_BUDDY_NAME_LEN];	/* "DMA32", as buddyinfo */
	__u64 start_pfn;			/* 0 when hidden */
	__u64 spanned, present, managed;	/* pages */
	__u64 free_pages;			/* NR_FREE_PAGES */
	__u64 wmark_min, wmark_low, wmark_high;	/* pages, boost included */
	__u64 pcp_pages;			/* sum over CPUs, racy read */
	__u32 nr_orders;			/* orders 0 .. nr_orders - 1 */
	__u32 nr_mt;				/* the kernel's MIGRATE_TYPES */
	/* as /proc/pagetypeinfo names them, indexed by migratetype */
	char mt_names[MMSCOPE_BUDDY_MAX_MT][MMSCOPE_BUDDY_NAME_LEN];
};

/* mmscope_buddy_order.flags */
enum mmscope_buddy_order_flags {
	MMSCOPE_BUDDY_WALKED = 1 << 0,	/* walked[] is valid (privileged) */
	MMSCOPE_BUDDY_CHANGED = 1 << 1,	/* lists changed under the walk */
};

/* One order of one zone: the kernel's count beside the walked ones. */
struct mmscope_buddy_order {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 zone_idx;
	__u32 order;
	__u32 flags;				/* enum mmscope_buddy_order_flags */
	__u64 nr_free;				/* free_area[order].nr_free */
	__u64 walked[MMSCOPE_BUDDY_MAX_MT];	/* blocks on free_list[mt] */
};

/* mmscope_buddy_block.flags */
enum mmscope_buddy_block_flags {
	MMSCOPE_BLOCK_MISMATCH = 1 << 0,	/* first page not a buddy of order */
};

/* One free block (buddy_blocks view, CAP_SYS_ADMIN only). */
struct mmscope_buddy_block {
	struct mmscope_rec_hdr hdr;
	__u64 pfn;				/* first page frame */
	__u32 node;
	__u32 zone_idx;
	__u32 order;
	__u32 mt;				/* the free_list it was on */
	__u32 flags;				/* enum mmscope_buddy_block_flags */
	__u32 pad;
};

/* After the last zone: how the walk went, for tests and benchmarks. */
struct mmscope_buddy_end {
	struct mmscope_rec_hdr hdr;
	__u64 walk_ns;				/* whole walk, locks dropped included */
	__u64 max_hold_ns;			/* longest single zone->lock hold */
	__u64 total_hold_ns;
	__u64 holds;				/* zone->lock acquisitions */
	__u64 relocks;				/* holds resuming a list mid-way */
	__u64 restarts;				/* lists restarted: resume point gone */
	__u64 entries;				/* list entries visited */
	__u64 mismatches;			/* entries failing the buddy check */
	__u32 max_hold_entries;			/* most entries in one hold */
	__u32 chunk;				/* the bound: entries per hold */
	__u32 flags;				/* MMSCOPE_BUDDY_WALKED if lists walked */
	__u32 pad;
};

/* ---- slab caches (issue 5) ------------------------------------------ */

/* ---- page faults, BPF ring buffer (issue 6) ------------------------- */

#endif /* _UAPI_MMSCOPE_H */
