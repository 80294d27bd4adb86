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

/* mmscope_slab_cache.flags: SLAB_* creation flags, kernel-independent bits */
enum mmscope_slab_flags {
	MMSCOPE_SLAB_HWCACHE_ALIGN	= 1 << 0,
	MMSCOPE_SLAB_RECLAIM_ACCOUNT	= 1 << 1,
	MMSCOPE_SLAB_ACCOUNT		= 1 << 2,
	MMSCOPE_SLAB_TYPESAFE_BY_RCU	= 1 << 3,
	MMSCOPE_SLAB_POISON		= 1 << 4,
	MMSCOPE_SLAB_RED_ZONE		= 1 << 5,
	MMSCOPE_SLAB_STORE_USER		= 1 << 6,
	MMSCOPE_SLAB_CONSISTENCY_CHECKS	= 1 << 7,
	MMSCOPE_SLAB_TRACE		= 1 << 8,
	MMSCOPE_SLAB_PANIC		= 1 << 9,
	MMSCOPE_SLAB_CACHE_DMA		= 1 << 10,
	MMSCOPE_SLAB_CACHE_DMA32	= 1 << 11,
	MMSCOPE_SLAB_NOLEAKTRACE	= 1 << 12,
	MMSCOPE_SLAB_NO_MERGE		= 1 << 13,	/* v6.5+ */
	MMSCOPE_SLAB_KMALLOC		= 1 << 14,
	MMSCOPE_SLAB_NO_USER_FLAGS	= 1 << 15,
	MMSCOPE_SLAB_MEM_SPREAD		= 1 << 16,	/* gone in v6.9 */
	MMSCOPE_SLAB_FAILSLAB		= 1 << 17,
	MMSCOPE_SLAB_NR_FLAGS		= 18,
};

/* mmscope_slab_cache.bits */
enum mmscope_slab_bits {
	MMSCOPE_SLABC_CTOR	= 1 << 0,	/* has a constructor */
	MMSCOPE_SLABC_APPROX	= 1 << 1,	/* partial list too long: free count estimated */
	MMSCOPE_SLABC_TRUNC	= 1 << 2,	/* slab_cache: not every slab listed */
};

/*
 * One cache.  Counts are as /proc/slabinfo computes them: num_objs and
 * num_slabs from the node counters, active_objs = num_objs minus the free
 * objects on the node partial lists (objects free in per-CPU slabs count as
 * active there too).  cpu_slabs and cpu_partial_slabs are shown apart.
 */
struct mmscope_slab_cache {
	struct mmscope_rec_hdr hdr;
	char name[MMSCOPE_NAME_LEN];
	__u64 addr;			/* struct kmem_cache *, 0 when hidden */
	__u64 raw_flags;		/* slab_flags_t of the running kernel */
	__u32 flags;			/* enum mmscope_slab_flags */
	__u32 bits;			/* enum mmscope_slab_bits */
	__u32 object_size;		/* bytes the user asked for */
	__u32 size;			/* slot size, metadata included */
	__u32 align;
	__u32 objs_per_slab;
	__u32 order;			/* pages per slab = 1 << order */
	__s32 refcount;			/* > 1: other caches merged into it */
	__u32 nr_nodes;			/* mmscope_slab_node records that follow */
	__u32 cpu_partial;		/* per-CPU partial limit (objects) */
	__u64 min_partial;
	__u64 num_slabs;
	__u64 num_objs;
	__u64 active_objs;
	__u64 nr_partial;		/* slabs on the node partial lists */
	__u64 partial_free;		/* free objects on them */
	__u64 cpu_slabs;		/* per-CPU active slabs */
	__u64 cpu_partial_slabs;	/* slabs on the per-CPU partial lists */
};

struct mmscope_slab_node {
	struct mmscope_rec_hdr hdr;
	__s32 node;
	__u32 pad;
	__u64 nr_slabs;
	__u64 total_objs;
	__u64 nr_partial;
	__u64 partial_free;
};

enum mmscope_slab_where {
	MMSCOPE_SLAB_NODE_PARTIAL = 1,	/* on node @where_id's partial list */
	MMSCOPE_SLAB_CPU,		/* CPU @where_id allocates from it */
	MMSCOPE_SLAB_CPU_PARTIAL,	/* on CPU @where_id's partial list */
};

/* One slab of the selected cache (slab_cache view). */
struct mmscope_slab_slab {
	struct mmscope_rec_hdr hdr;
	__u64 pfn;
	__u64 addr;			/* address of its first byte */
	__u32 objects;
	__u32 inuse;			/* a frozen slab's count is its owner's */
	__u32 frozen;
	__u32 where;			/* enum mmscope_slab_where */
	__s32 where_id;			/* node or CPU */
	__u32 pad;
};

/* slab_addr: the object holding an address. */
struct mmscope_slab_obj {
	struct mmscope_rec_hdr hdr;
	char cache[MMSCOPE_NAME_LEN];
	__u64 addr;			/* the address asked about */
	__u64 pfn;			/* PFN of the page holding it */
	__u64 slab;			/* first byte of the slab */
	__u64 object;			/* start of the object */
	__u32 index;			/* object index in the slab */
	__u32 offset;			/* addr - object */
	__u32 object_size;
	__u32 size;
	__u32 objects;			/* objects in this slab */
	__u32 in_object;		/* 0: metadata/padding, or index >= objects: slab tail */
};

/* ---- page faults, BPF ring buffer (issue 6) ------------------------- */

#endif /* _UAPI_MMSCOPE_H */
