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
 * only ever returns whole records, as many as fit; it fails with EMSGSIZE
 * when the buffer cannot hold even the next one (a record is at most 64 KiB,
 * hdr.len being 16 bits).
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

#define MMSCOPE_ABI_VERSION	5
#define MMSCOPE_DEV_NAME	"mmscope"
#define MMSCOPE_NAME_LEN	64
/*
 * Longest VMA name, NUL included: a d_path() of up to PATH_MAX - 1 bytes
 * with each '\n' escaped as maps escapes it ("\012").
 */
#define MMSCOPE_NAME_MAX	(4 * 4096 + 8)

enum mmscope_view {
	MMSCOPE_VIEW_VMA = 1,		/* mm summary + every VMA */
	MMSCOPE_VIEW_PT,		/* page table as runs (or raw) */
	MMSCOPE_VIEW_TRANSLATE,		/* one address, level by level */
	MMSCOPE_VIEW_BUDDY,		/* free_area counts per zone */
	MMSCOPE_VIEW_BUDDY_BLOCKS,	/* every free block */
	MMSCOPE_VIEW_SLAB,		/* every slab cache */
	MMSCOPE_VIEW_SLAB_CACHE,	/* slabs of one cache */
	MMSCOPE_VIEW_SLAB_ADDR,		/* address -> cache/object */
	MMSCOPE_VIEW_KERNEL,		/* the kernel page tables (root) */
	MMSCOPE_VIEW_KERNEL_TRANSLATE,	/* one kernel address (root) */
	MMSCOPE_VIEW_PAGE,		/* one page frame and its mappers */
	MMSCOPE_VIEW_PHYS,		/* physical memory map, or PFN list */
	MMSCOPE_VIEW_VMALLOC,		/* every vmalloc area (root) */
	MMSCOPE_VIEW_KERNEL_USER,	/* PTI: a process's user-mode pgd (root) */
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
	MMSCOPE_REC_BUDDY_FRAG,		/* added later: numbered after END */
	MMSCOPE_REC_KERNEL_RUN,
	MMSCOPE_REC_KERNEL_WX,
	MMSCOPE_REC_KERNEL_REGION,
	MMSCOPE_REC_KERNEL_SUMMARY,
	MMSCOPE_REC_PAGE,		/* ABI 4: mmscope page */
	MMSCOPE_REC_PAGE_MAPPER,
	MMSCOPE_REC_PAGE_END,
	MMSCOPE_REC_PHYS_ZONE,		/* ABI 4: mmscope phys */
	MMSCOPE_REC_PHYS_RUN,
	MMSCOPE_REC_PHYS_ZONE_END,
	MMSCOPE_REC_PHYS_NODE,
	MMSCOPE_REC_PHYS_END,
	MMSCOPE_REC_PHYS_PFN,
	MMSCOPE_REC_PAGE_PT,		/* page: the page-table owner search */
	MMSCOPE_REC_PAGE_PT_OWNER,
	MMSCOPE_REC_VMALLOC_AREA,	/* mmscope vmalloc */
	MMSCOPE_REC_VMALLOC_SUMMARY,
	MMSCOPE_REC_KERNEL_PGD_SLOT,	/* kernel --user-pgd: one pgd slot */
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
	__u32 mm_users, mm_count;	/* without mmscope's own references */
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
	/*
	 * As /proc/PID/maps prints it: name_len bytes and a NUL, zero-padded
	 * to 8 bytes; the record ends there (hdr.len).
	 */
	char name[];
};

/* ---- page tables ---------------------------------------------------- */

/* Page-table levels, numbered as walk depth (mm/pagewalk.c pte_hole). */
enum mmscope_pt_level {
	MMSCOPE_PT_PGD,
	MMSCOPE_PT_P4D,			/* folded into the pgd on 4-level */
	MMSCOPE_PT_PUD,
	MMSCOPE_PT_PMD,
	MMSCOPE_PT_PTE,
	MMSCOPE_PT_NR_LEVELS,
	MMSCOPE_PT_NONE = 0xff,		/* mmscope_pt_leaf.leaf_level: no leaf */
};

/* What an entry holds. */
enum mmscope_pt_kind {
	MMSCOPE_PTK_NONE,		/* empty (holes are not reported) */
	MMSCOPE_PTK_TABLE,		/* points to a lower-level table */
	MMSCOPE_PTK_PRESENT,		/* maps a page */
	MMSCOPE_PTK_PROTNONE,		/* PROT_NONE or NUMA hinting */
	MMSCOPE_PTK_SWAP,		/* swapped out: swap type, offset */
	MMSCOPE_PTK_MIGRATION,		/* page under migration (offset: pfn) */
	MMSCOPE_PTK_DEVICE_PRIVATE,	/* device private memory (offset: pfn) */
	MMSCOPE_PTK_DEVICE_EXCLUSIVE,	/* device exclusive access (pfn) */
	MMSCOPE_PTK_HWPOISON,		/* poisoned page (offset: pfn) */
	MMSCOPE_PTK_MARKER,		/* pte marker: uffd-wp, poison, guard */
	MMSCOPE_PTK_BAD,		/* corrupt entry (pXd_bad) */
	MMSCOPE_PTK_NR,
};

/* The names of levels and kinds in text and JSON (module and CLI alike). */
#define MMSCOPE_PT_LEVEL_NAMES {					\
	[MMSCOPE_PT_PGD] = "pgd", [MMSCOPE_PT_P4D] = "p4d",		\
	[MMSCOPE_PT_PUD] = "pud", [MMSCOPE_PT_PMD] = "pmd",		\
	[MMSCOPE_PT_PTE] = "pte",					\
}

#define MMSCOPE_PT_KIND_NAMES {						\
	[MMSCOPE_PTK_NONE] = "none",					\
	[MMSCOPE_PTK_TABLE] = "table",					\
	[MMSCOPE_PTK_PRESENT] = "present",				\
	[MMSCOPE_PTK_PROTNONE] = "protnone",				\
	[MMSCOPE_PTK_SWAP] = "swap",					\
	[MMSCOPE_PTK_MIGRATION] = "migration",				\
	[MMSCOPE_PTK_DEVICE_PRIVATE] = "device_private",		\
	[MMSCOPE_PTK_DEVICE_EXCLUSIVE] = "device_exclusive",		\
	[MMSCOPE_PTK_HWPOISON] = "hwpoison",				\
	[MMSCOPE_PTK_MARKER] = "marker",				\
	[MMSCOPE_PTK_BAD] = "bad",					\
}

/*
 * Entry flags.  For present entries these are the x86 bits; PAT is bit 7 in
 * a PTE and bit 12 in a PMD/PUD leaf, where bit 7 is PS (MMSCOPE_PTF_PSE).
 * For swap-like entries only the software bits (soft-dirty, uffd-wp,
 * exclusive) and MMSCOPE_PTF_RW for a writable migration entry apply.
 */
enum mmscope_pt_flags {
	MMSCOPE_PTF_PRESENT = 1 << 0,	/* P */
	MMSCOPE_PTF_RW = 1 << 1,	/* writable */
	MMSCOPE_PTF_USER = 1 << 2,	/* US */
	MMSCOPE_PTF_PWT = 1 << 3,
	MMSCOPE_PTF_PCD = 1 << 4,
	MMSCOPE_PTF_ACCESSED = 1 << 5,
	MMSCOPE_PTF_DIRTY = 1 << 6,
	MMSCOPE_PTF_PSE = 1 << 7,	/* huge leaf (PMD/PUD) */
	MMSCOPE_PTF_PAT = 1 << 8,
	MMSCOPE_PTF_GLOBAL = 1 << 9,
	MMSCOPE_PTF_NX = 1 << 10,
	MMSCOPE_PTF_SOFT_DIRTY = 1 << 11,
	MMSCOPE_PTF_UFFD_WP = 1 << 12,
	MMSCOPE_PTF_SPECIAL = 1 << 13,	/* no struct page to refcount */
	MMSCOPE_PTF_DEVMAP = 1 << 14,
	MMSCOPE_PTF_EXCLUSIVE = 1 << 15, /* swap: anon page was exclusive */
	MMSCOPE_PTF_PKEY = 1 << 16,	/* protection key != 0 (see pkey) */
	MMSCOPE_PTF_HUGETLB = 1 << 17,	/* entry of a hugetlb VMA */
	MMSCOPE_PTF_SAVED_DIRTY = 1 << 18, /* leaf: D moved aside by wrprotect */
	MMSCOPE_PTF_POISONED = 1 << 19,	/* marker: the page was poisoned */
};

/*
 * The flags shown without CAP_SYS_ADMIN (records with @hidden set): what
 * /proc/PID/pagemap and /proc/PID/smaps tell such a reader.  PRESENT and
 * PSE follow the kind and level, SOFT_DIRTY is pagemap's (the entry's or
 * its VMA's), HUGETLB is the VMA's ("ht" in smaps).  Every other flag is
 * withheld (0, and null in the CLI's JSON), as are @pkey, and kinds other
 * than present and swap: a hidden entry is "present" (PROT_NONE included)
 * or "swap" (every non-present entry), as pagemap's PM_PRESENT/PM_SWAP.
 */
#define MMSCOPE_PTF_UNPRIV	(MMSCOPE_PTF_PRESENT | MMSCOPE_PTF_PSE |	\
				 MMSCOPE_PTF_SOFT_DIRTY | MMSCOPE_PTF_UFFD_WP |	\
				 MMSCOPE_PTF_HUGETLB)

/*
 * One run: @count consecutive entries at @level of the same @kind and
 * @flags (and @pkey); for present runs the page at start + i * size has
 * PFN @pfn + i * size / 4096, for swap-like runs offset
 * @swap_offset + i * size / 4096 (PFN-bearing migration/device/hwpoison
 * entries may be PMD-sized; swap entries are PTEs, so that is + i).
 * A huge leaf cut by the start or end of the range asked for is shown as
 * the part inside it (end - start < count * size); @pfn (and a PFN-bearing
 * @swap_offset) is then that of the page at @start.  Markers and bad
 * entries fold when their @swap_offset is equal.
 * In raw mode (MMSCOPE_Q_RAW) every run has count 1 and @raw is the entry.
 * Without CAP_SYS_ADMIN (@hidden set), as for /proc/PID/pagemap, @pfn,
 * @raw, @swap_type, @swap_offset and @pkey are 0, @kind is present or swap
 * and @flags within MMSCOPE_PTF_UNPRIV.
 */
struct mmscope_pt_run {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	__u64 count;
	__u64 pfn;
	__u64 swap_offset;
	__u64 raw;
	__u32 flags;			/* enum mmscope_pt_flags */
	__u32 swap_type;
	__u8 level;			/* enum mmscope_pt_level */
	__u8 kind;			/* enum mmscope_pt_kind */
	__u8 pkey;
	__u8 hidden;			/* PFNs and swap entries withheld */
	__u8 pad[4];
};

/* Closes a pt stream: tables visited and entries seen, per level. */
struct mmscope_pt_summary {
	struct mmscope_rec_hdr hdr;
	__u32 levels;			/* 4 or 5 */
	__u32 hidden;			/* kinds[] only present and swap */
	__u64 start, end;		/* range walked */
	__u64 tables[MMSCOPE_PT_NR_LEVELS];	/* table pages visited */
	__u64 present[MMSCOPE_PT_NR_LEVELS];	/* present leaves per level */
	__u64 kinds[MMSCOPE_PTK_NR];		/* leaf entries per kind */
};

/* One level of a translation. */
struct mmscope_pt_step {
	struct mmscope_rec_hdr hdr;
	__u64 entry;			/* raw entry, 0 if hidden */
	__u64 next_table;		/* phys of the next table, 0: none/hidden */
	__u64 pfn;			/* leaf pfn, 0 if hidden */
	__u64 swap_offset;		/* 0 if hidden, with swap_type */
	__u32 flags;			/* enum mmscope_pt_flags */
	__u32 swap_type;
	__u16 index;			/* the address's 9 bits for this level */
	__u8 level;			/* enum mmscope_pt_level */
	__u8 kind;			/* enum mmscope_pt_kind */
	__u8 pkey;
	__u8 folded;			/* level folded into the one above */
	__u8 hidden;			/* as mmscope_pt_run.hidden, next_table too */
	__u8 pad;
};

/* Why a translation ended where it did (mmscope_pt_leaf.stop). */
enum mmscope_pt_stop {
	MMSCOPE_STOP_LEAF,		/* reached a present leaf */
	MMSCOPE_STOP_NO_VMA,		/* address not in any VMA */
	MMSCOPE_STOP_NONE,		/* empty entry at stop_level */
	MMSCOPE_STOP_NOT_PRESENT,	/* swap/migration/... at stop_level */
	MMSCOPE_STOP_BAD,		/* corrupt entry */
	MMSCOPE_STOP_CHANGED,		/* changed under the walk: no page state */
	MMSCOPE_STOP_NOT_KERNEL,	/* translate --kernel: not a kernel address */
};

/* struct page / folio state (mmscope_pt_leaf.page_bits) */
enum mmscope_page_bits {
	MMSCOPE_PG_VALID = 1 << 0,	/* state below was read */
	MMSCOPE_PG_ANON = 1 << 1,
	MMSCOPE_PG_FILE = 1 << 2,	/* page cache (incl. shmem) */
	MMSCOPE_PG_KSM = 1 << 3,
	MMSCOPE_PG_LRU = 1 << 4,
	MMSCOPE_PG_ACTIVE = 1 << 5,
	MMSCOPE_PG_DIRTY = 1 << 6,
	MMSCOPE_PG_UPTODATE = 1 << 7,
	MMSCOPE_PG_SWAPBACKED = 1 << 8,
	MMSCOPE_PG_LARGE = 1 << 9,	/* in a large folio */
	MMSCOPE_PG_HEAD = 1 << 10,
	MMSCOPE_PG_TAIL = 1 << 11,
	MMSCOPE_PG_HUGETLB = 1 << 12,
	MMSCOPE_PG_ZERO = 1 << 13,	/* the shared zero page */
	MMSCOPE_PG_RESERVED = 1 << 14,
	MMSCOPE_PG_LOCKED = 1 << 15,
	MMSCOPE_PG_REFERENCED = 1 << 16,
	MMSCOPE_PG_UNEVICTABLE = 1 << 17,
	MMSCOPE_PG_EXCLUSIVE = 1 << 18,	/* anon page mapped exclusively */
};

/*
 * Why mmscope_pt_leaf.bytes holds nothing (nbytes 0).  The module reads a
 * page's first bytes only where the kernel itself would let a ptrace-reader
 * read them (GUP: not secretmem, not VM_PFNMAP/VM_IO), only from normal
 * online RAM with a struct page, and only through a non-faulting copy from
 * the direct map.
 */
enum mmscope_bytes_reason {
	MMSCOPE_BYTES_READ,		/* read: nbytes > 0 */
	MMSCOPE_BYTES_NO_PAGE,		/* the walk reached no present page */
	MMSCOPE_BYTES_HIDDEN,		/* reader lacks CAP_SYS_ADMIN */
	MMSCOPE_BYTES_CHANGED,		/* the entry changed under the walk */
	MMSCOPE_BYTES_SECRET,		/* memfd_secret(2) memory */
	MMSCOPE_BYTES_NO_STRUCT_PAGE,	/* !pfn_valid(): no struct page */
	MMSCOPE_BYTES_OFFLINE,		/* struct page of offline memory */
	MMSCOPE_BYTES_DEVICE,		/* ZONE_DEVICE / devmap page */
	MMSCOPE_BYTES_PFNMAP,		/* VM_PFNMAP/VM_IO VMA or special entry */
	MMSCOPE_BYTES_UNMAPPED,		/* page not in the kernel's direct map */
	MMSCOPE_BYTES_POISONED,		/* hardware-poisoned page */
	MMSCOPE_BYTES_FAULT,		/* the non-faulting copy faulted */
	MMSCOPE_BYTES_KERNEL,		/* a kernel address: never read */
	MMSCOPE_BYTES_NR,
};

#define MMSCOPE_BYTES_REASON_NAMES {					\
	[MMSCOPE_BYTES_READ] = "read",					\
	[MMSCOPE_BYTES_NO_PAGE] = "no_page",				\
	[MMSCOPE_BYTES_HIDDEN] = "hidden",				\
	[MMSCOPE_BYTES_CHANGED] = "changed",				\
	[MMSCOPE_BYTES_SECRET] = "secret",				\
	[MMSCOPE_BYTES_NO_STRUCT_PAGE] = "no_struct_page",		\
	[MMSCOPE_BYTES_OFFLINE] = "offline",				\
	[MMSCOPE_BYTES_DEVICE] = "device",				\
	[MMSCOPE_BYTES_PFNMAP] = "pfnmap",				\
	[MMSCOPE_BYTES_UNMAPPED] = "unmapped",				\
	[MMSCOPE_BYTES_POISONED] = "poisoned",				\
	[MMSCOPE_BYTES_FAULT] = "fault",				\
	[MMSCOPE_BYTES_KERNEL] = "kernel",				\
}

/* The end of a translation: the page, or where and why it stopped. */
struct mmscope_pt_leaf {
	struct mmscope_rec_hdr hdr;
	__u64 vaddr;
	__u64 pfn;			/* 0 if hidden or none */
	__u64 phys;			/* 0 if hidden or none */
	__u32 leaf_level;		/* enum mmscope_pt_level, or PT_NONE */
	__u32 stop_level;		/* level of the last entry read */
	__u32 stop;			/* enum mmscope_pt_stop */
	__u32 kind;			/* kind of the last entry */
	__u32 page_bits;		/* enum mmscope_page_bits, 0 if hidden */
	__s32 refcount;			/* folio refcount (ours not counted) */
	__s32 mapcount;			/* folio mapcount */
	__u32 folio_order;
	__u32 nbytes;			/* valid bytes in @bytes */
	/* pfn, phys, page state, bytes withheld; kind present/swap only */
	__u32 hidden;
	__u8 bytes[16];			/* memory at @phys, read by the kernel */
	__u32 bytes_reason;		/* enum mmscope_bytes_reason (ABI 3) */
	__u32 pad;
};

/* ---- the kernel page tables (kernel view, root only) ----------------- */

#define MMSCOPE_KREGION_NAME_LEN	24

/*
 * A run of like kernel entries, as struct mmscope_pt_run (never hidden:
 * the view is root only), in region @region (the index of its
 * mmscope_kernel_region record).  @eff_flags: the flags as the MMU applies
 * them, RW only if every level above allows writing, NX if any level
 * forbids executing.
 */
struct mmscope_kernel_run {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	__u64 count;
	__u64 pfn;
	__u32 flags;			/* enum mmscope_pt_flags, the leaf's */
	__u32 eff_flags;		/* RW and NX through every level */
	__u32 region;
	__u8 level;			/* enum mmscope_pt_level */
	__u8 kind;			/* enum mmscope_pt_kind */
	__u8 pad[2];
};

/* A range mapped both writable and executable (the kernel's W+X check). */
struct mmscope_kernel_wx {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	__u64 pages;			/* 4 KiB pages */
};

/* enum mmscope_kernel_region_flags */
enum mmscope_kernel_region_flags {
	MMSCOPE_KREGION_DERIVED = 1 << 0,	/* bounds found from the tables */
};

/*
 * One region of the kernel half, after the runs, in address order
 * (index = record order).  @tables counts the table pages first entered
 * at an address in the region (a table spanning regions counts in the
 * first); @pages the present leaves per size.
 */
struct mmscope_kernel_region {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	char name[MMSCOPE_KREGION_NAME_LEN];
	__u64 tables[MMSCOPE_PT_NR_LEVELS];
	__u64 pages[3];			/* present leaves: 4 KiB, 2 MiB, 1 GiB */
	__u32 flags;			/* enum mmscope_kernel_region_flags */
	__u32 pad;
};

/* Closes the kernel view. */
struct mmscope_kernel_summary {
	struct mmscope_rec_hdr hdr;
	__u32 levels;			/* 4 or 5 */
	__u32 pti;			/* page-table isolation on */
	__u64 base_page_offset;		/* this boot's bases */
	__u64 base_vmalloc;
	__u64 base_vmemmap;
	__u64 start, end;		/* range walked */
	__u64 tables[MMSCOPE_PT_NR_LEVELS];	/* distinct table pages */
	__u64 direct_map[3];		/* direct-map leaves: 4K, 2M, 1G */
	__u64 holds;			/* interrupts-off walks */
	__u64 max_hold_entries;		/* most entries (weighted) in one */
	__u64 hold_limit;		/* the bound on that */
	__u64 max_hold_ns;
	__u64 entries;			/* entries read in all */
	__u32 nr_regions;
	__u32 pad;
};

/*
 * MMSCOPE_VIEW_KERNEL_USER (CAP_SYS_ADMIN, PTRACE_MODE_READ on @pid): with
 * page-table isolation, the user-mode copy of process @pid's pgd (the
 * second page of its order-1 pgd, kernel_to_user_pgdp()), the tables the
 * CPU runs user code on.  The stream is the kernel view's, over the user
 * half too: runs and W+X ranges (kernel half only), one
 * mmscope_kernel_pgd_slot per pgd slot that either copy fills, the
 * regions (the first two "user" and "non-canonical"), the summary (pti
 * 1; start 0).  Without PTI nothing is walked: the stream is the summary
 * alone, pti 0.
 */
struct mmscope_kernel_pgd_slot {
	struct mmscope_rec_hdr hdr;
	__u64 user;			/* the user copy's entry, raw */
	__u64 kernel;			/* the kernel copy's (mm->pgd) entry */
	__u64 start;			/* first address the slot maps */
	__u32 index;			/* 0 .. 511 */
	__u32 same_table;		/* both present, same next table */
};

/* ---- page frames ---------------------------------------------------- */

/*
 * What a page frame is, one word (module/frame.c decides, in this order of
 * precedence: a frame that is two things is the first).  ZERO: the shared
 * zero page or the huge zero folio; FREE: inside a free buddy block (pages
 * on a per-CPU list are not PageBuddy and count as OTHER, as kpageflags
 * shows them with no flag; the page view, which finds them on their
 * list, says FREE); FILE: page cache, shmem included; DEVICE,
 * OFFLINE (a section offline, or a PageOffline page) and ABSENT (no struct
 * page: a memory hole) have no usable struct page but PageOffline ones.
 */
enum mmscope_frame_kind {
	MMSCOPE_FRAME_FREE,
	MMSCOPE_FRAME_SLAB,
	MMSCOPE_FRAME_ANON,
	MMSCOPE_FRAME_FILE,
	MMSCOPE_FRAME_PAGETABLE,
	MMSCOPE_FRAME_RESERVED,
	MMSCOPE_FRAME_ZERO,
	MMSCOPE_FRAME_KSM,
	MMSCOPE_FRAME_HUGETLB,
	MMSCOPE_FRAME_DEVICE,
	MMSCOPE_FRAME_OFFLINE,
	MMSCOPE_FRAME_OTHER,
	MMSCOPE_FRAME_ABSENT,
	MMSCOPE_FRAME_NR_KINDS,
};

#define MMSCOPE_FRAME_KIND_NAMES {					\
	[MMSCOPE_FRAME_FREE] = "free",					\
	[MMSCOPE_FRAME_SLAB] = "slab",					\
	[MMSCOPE_FRAME_ANON] = "anon",					\
	[MMSCOPE_FRAME_FILE] = "file",					\
	[MMSCOPE_FRAME_PAGETABLE] = "pagetable",			\
	[MMSCOPE_FRAME_RESERVED] = "reserved",				\
	[MMSCOPE_FRAME_ZERO] = "zero",					\
	[MMSCOPE_FRAME_KSM] = "ksm",					\
	[MMSCOPE_FRAME_HUGETLB] = "hugetlb",				\
	[MMSCOPE_FRAME_DEVICE] = "device",				\
	[MMSCOPE_FRAME_OFFLINE] = "offline",				\
	[MMSCOPE_FRAME_OTHER] = "other",				\
	[MMSCOPE_FRAME_ABSENT] = "absent",				\
}

/* ---- buddy allocator ------------------------------------------------ */

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

/*
 * After a zone's order records: its fragmentation figures, computed by the
 * module from the nr_free values of those records with the integer
 * formulas of /sys/kernel/debug/extfrag/{unusable_index,extfrag_index}
 * (so they compare with those files digit for digit), times 1000.
 *  unusable[k]: share of free memory in blocks smaller than order k
 *	(1000 when nothing is free).
 *  extfrag[k]: -1000 when a block of order >= k is free (the request
 *	would succeed); else near 0 = short of memory, near 1000 =
 *	fragmented (0 when nothing is free).
 */
struct mmscope_buddy_frag {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 zone_idx;
	__u32 nr_orders;			/* entries used below */
	__s32 largest_order;			/* -1: no free block */
	__s32 unusable[MMSCOPE_BUDDY_MAX_ORDERS];
	__s32 extfrag[MMSCOPE_BUDDY_MAX_ORDERS];
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

/* ---- slab caches ---------------------------------------------------- */

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
	/* not every slab listed or counted: list too long, or a per-CPU slab changed while read */
	MMSCOPE_SLABC_TRUNC	= 1 << 2,
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

/*
 * A CPU's active slab has handed its free objects to the CPU's freelist:
 * its own inuse counts them all as used, so it is reported as unknown.
 */
#define MMSCOPE_SLAB_INUSE_UNKNOWN	0xffffffffu

/* One slab of the selected cache (slab_cache view). */
struct mmscope_slab_slab {
	struct mmscope_rec_hdr hdr;
	__u64 pfn;
	__u64 addr;			/* address of its first byte */
	__u32 objects;
	__u32 inuse;			/* MMSCOPE_SLAB_INUSE_UNKNOWN: see below */
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
	__u32 flags;			/* enum mmscope_slab_obj_flags */
	__u32 pad;
};

enum mmscope_slab_obj_flags {
	/*
	 * A KFENCE object: one object on its own guarded page, outside the
	 * cache's slabs; index, objects and in_object do not apply.
	 */
	MMSCOPE_SLAB_OBJ_KFENCE = 1 << 0,
};

/* ---- page faults, BPF ring buffer ----------------------------------- */

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

/*
 * mmscope_fault.fclass: what kind of fault this call was, from the leaf
 * entry for the address before (entry probe) and after (exit probe) the
 * call, the fault flags, the VMA and the result (docs/faults.md has the
 * rules).  UNKNOWN: the page table could not be read (the kernel layout is
 * hidden by kptr_restrict).  RETRY: a call that returned VM_FAULT_RETRY
 * without being handed to userfaultfd; the retried call is the fault.
 * SPURIOUS: the entry already allowed the access (a racing thread, or the
 * call after a userfaultfd handler resolved it).
 */
enum mmscope_fault_class {
	MMSCOPE_FC_UNKNOWN,
	MMSCOPE_FC_ANON,		/* none -> a new anonymous page */
	MMSCOPE_FC_ZERO,		/* none -> the shared zero page (read) */
	MMSCOPE_FC_COW,			/* present + write -> another page */
	MMSCOPE_FC_REUSE,		/* present + write -> same page, writable */
	MMSCOPE_FC_FILE_MINOR,		/* file-backed, page-cache hit */
	MMSCOPE_FC_FILE_MAJOR,		/* file-backed, read I/O */
	MMSCOPE_FC_SWAP_MINOR,		/* swap entry, swap-cache hit */
	MMSCOPE_FC_SWAP_MAJOR,		/* swap entry, swap read */
	MMSCOPE_FC_NUMA,		/* PROT_NONE entry: NUMA hinting */
	MMSCOPE_FC_UFFD,		/* handed to userfaultfd */
	MMSCOPE_FC_HUGETLB,		/* in a hugetlbfs VMA */
	MMSCOPE_FC_ERROR,		/* SIGSEGV, SIGBUS, OOM, HWPOISON */
	MMSCOPE_FC_RETRY,		/* VM_FAULT_RETRY: retried */
	MMSCOPE_FC_SPURIOUS,		/* nothing to do */
	MMSCOPE_FC_NR,
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
	__u32 fclass;			/* enum mmscope_fault_class */
	char comm[MMSCOPE_COMM_LEN];
	char file[MMSCOPE_FILE_LEN];	/* dentry name of vm_file */
};

/* ---- one page frame ------------------------------------------------- */

/*
 * MMSCOPE_VIEW_PAGE (CAP_SYS_ADMIN only).  The query names the frame by
 * PFN (@start, @pid 0), or by a virtual address @start of process @pid:
 * the frame its page table maps there.  The stream: one mmscope_page, one
 * mmscope_page_mapper per mapping found through the reverse map, one
 * mmscope_page_end.
 */

/* mmscope_page.bits */
enum mmscope_page_rec_bits {
	MMSCOPE_PAGE_STRUCT = 1 << 0,	/* has an online struct page */
	MMSCOPE_PAGE_LARGE = 1 << 1,	/* in a large folio */
	MMSCOPE_PAGE_PARTIAL = 1 << 2,	/* large folio, partially mapped */
	MMSCOPE_PAGE_BUDDY = 1 << 3,	/* buddy_* valid: inside a free block */
	MMSCOPE_PAGE_SLAB = 1 << 4,	/* slab_cache, slab_object valid */
	MMSCOPE_PAGE_FILE = 1 << 5,	/* file_* valid (page cache) */
	MMSCOPE_PAGE_MEMCG = 1 << 6,	/* charged: memcg_ino and path valid */
	MMSCOPE_PAGE_ANON_EXCL = 1 << 7,	/* anon page mapped exclusively */
	MMSCOPE_PAGE_CHANGED = 1 << 8,	/* changed while read: state partial */
	MMSCOPE_PAGE_BLOCK = 1 << 9,	/* memory_block valid */
	MMSCOPE_PAGE_ZONE = 1 << 10,	/* node, zone, pageblock valid */
	MMSCOPE_PAGE_PCP = 1 << 11,	/* pcp_* valid: on a per-CPU list */
	MMSCOPE_PAGE_PCP_BOUNDED = 1 << 12, /* per-CPU search stopped early */
};

#define MMSCOPE_PAGE_NAME_LEN	16

/*
 * One page frame.  @flags are /proc/kpageflags bits (KPF_*,
 * linux/kernel-page-flags.h) as the running kernel computes them for this
 * PFN; @mapcount is /proc/kpagecount's (the page's own mappings plus those
 * of its whole folio), @refcount the folio's (mmscope's own reference not
 * counted).  The record ends with two NUL-terminated strings, each
 * zero-padded to 8 bytes: the file's path (@path_len bytes) then the
 * memcg's path (@memcg_len bytes); an empty string when not known.
 */
struct mmscope_page {
	struct mmscope_rec_hdr hdr;
	__u64 pfn;
	__u64 phys;
	__u64 flags;			/* 1ULL << KPF_* */
	__u64 section;			/* memory section number */
	__u64 memory_block;		/* /sys/devices/system/memory/memoryN */
	__u64 pageblock_pfn;		/* first PFN of its pageblock */
	__u64 folio_pfn;		/* head of its folio */
	__u64 buddy_pfn;		/* free block's first PFN (BUDDY) */
	__u64 pcp_pfn;			/* per-CPU list entry's first PFN (PCP) */
	__u64 file_inode;		/* inode number (FILE) */
	__u64 file_index;		/* page index in the file (FILE) */
	__u64 file_dev;			/* st_dev, new_encode_dev() (FILE) */
	__u64 memcg_ino;		/* cgroup inode, as /proc/kpagecgroup */
	__u64 vaddr;			/* the address asked about (pid query) */
	__s32 pid;			/* the process asked about, or 0 */
	__s32 node;			/* -1: none */
	__u32 zone_idx;
	__u32 kind;			/* enum mmscope_frame_kind */
	__s32 refcount;
	__s32 mapcount;
	__u32 folio_order;
	__u32 bits;			/* enum mmscope_page_rec_bits */
	__u32 pageblock_mt;		/* migratetype of its pageblock */
	__u32 buddy_order;
	__u32 buddy_mt;			/* migratetype of the free block */
	__s32 pcp_cpu;			/* whose per-CPU list (PCP) */
	__u32 pcp_order;		/* the list entry's order (PCP) */
	__u32 pcp_mt;			/* the list's migratetype (PCP) */
	__u32 pcp_pad;
	__u32 slab_object;		/* object index in its slab (SLAB) */
	__u32 path_len;			/* strlen(file path) */
	__u32 memcg_len;		/* strlen(memcg path) */
	__u32 vaddr_level;		/* enum mmscope_pt_level (pid query) */
	__u32 pad;
	char zone[MMSCOPE_PAGE_NAME_LEN];	/* "DMA32", as zoneinfo */
	char pageblock_mt_name[MMSCOPE_PAGE_NAME_LEN]; /* as pagetypeinfo */
	char buddy_mt_name[MMSCOPE_PAGE_NAME_LEN];
	char pcp_mt_name[MMSCOPE_PAGE_NAME_LEN];
	char slab_cache[MMSCOPE_NAME_LEN];
	char strings[];			/* file path, memcg path */
};

/* One (process, address) whose page table maps the frame. */
struct mmscope_page_mapper {
	struct mmscope_rec_hdr hdr;
	__u64 addr;			/* virtual address of the frame */
	__s32 pid;			/* reader's PID namespace; 0: none */
	__u32 level;			/* enum mmscope_pt_level of the leaf */
	__u32 flags;			/* enum mmscope_pt_flags of the entry */
	__u32 pad;
	char comm[MMSCOPE_COMM_LEN];
};

/* Why the mapper list may be incomplete (mmscope_page_end.reason). */
enum mmscope_page_why {
	MMSCOPE_WHY_COMPLETE,		/* every mapper listed */
	MMSCOPE_WHY_MAX_MAPPERS,	/* the max_mappers bound */
	MMSCOPE_WHY_MAX_VMAS,		/* the max_vmas bound */
	MMSCOPE_WHY_HOLD,		/* the lock-hold bound */
	MMSCOPE_WHY_BUSY,		/* rmap lock or folio lock not taken */
	MMSCOPE_WHY_KSM,		/* KSM page: stable tree not walked */
	MMSCOPE_WHY_NO_RMAP,		/* mapped, but no reverse map to walk */
	MMSCOPE_WHY_CHANGED,		/* the frame changed while searched */
	MMSCOPE_WHY_NOMEM,		/* no memory for more mapper records */
	MMSCOPE_WHY_NR,
};

#define MMSCOPE_PAGE_WHY_NAMES {					\
	[MMSCOPE_WHY_COMPLETE] = "complete",				\
	[MMSCOPE_WHY_MAX_MAPPERS] = "max_mappers",			\
	[MMSCOPE_WHY_MAX_VMAS] = "max_vmas",				\
	[MMSCOPE_WHY_HOLD] = "lock_hold",				\
	[MMSCOPE_WHY_BUSY] = "busy",					\
	[MMSCOPE_WHY_KSM] = "ksm",					\
	[MMSCOPE_WHY_NO_RMAP] = "no_rmap",				\
	[MMSCOPE_WHY_CHANGED] = "changed",				\
	[MMSCOPE_WHY_NOMEM] = "nomem",					\
}

/* Closes a page stream. */
struct mmscope_page_end {
	struct mmscope_rec_hdr hdr;
	__u64 mappers;			/* mapper records sent */
	__u64 vmas;			/* candidate VMAs visited */
	__u64 hold_ns;			/* rmap lock held, longest hold */
	__u64 total_ns;			/* the whole query */
	__u32 complete;			/* every mapper is listed */
	__u32 why;			/* enum mmscope_page_why */
	__u32 max_mappers;		/* the bounds in force */
	__u32 max_vmas;
	__u64 pcp_hold_ns;		/* pcp->lock held, longest hold */
	__u32 pcp_entries;		/* per-CPU list entries visited */
	__u32 pcp_locks;		/* pcp->lock holds (CPUs searched) */
};

/*
 * A frame that may be a page table (kind pagetable, other or reserved):
 * which table of which address space it is, found by a bounded search of
 * every process's user half and of the kernel half (module/page_pt.c).
 * Sent after the mmscope_page record: one mmscope_page_pt, then one
 * mmscope_page_pt_owner per owner found.
 */
enum mmscope_pt_owner_flags {
	MMSCOPE_PTO_KERNEL = 1 << 0,	/* the kernel's tables (init_mm) */
};

struct mmscope_page_pt_owner {
	struct mmscope_rec_hdr hdr;
	__u64 addr;			/* first virtual address the table maps */
	__s32 pid;			/* reader's PID namespace; 0: none */
	__u32 level;			/* enum mmscope_pt_level of the table */
	__u32 flags;			/* enum mmscope_pt_owner_flags */
	__u32 pad;
	char comm[MMSCOPE_COMM_LEN];
};

/* Why the owner search may be incomplete (mmscope_page_pt.why). */
enum mmscope_pt_why {
	MMSCOPE_PTW_COMPLETE,		/* every process and the kernel searched */
	MMSCOPE_PTW_MAX_OWNERS,		/* MMSCOPE_PT_MAX_OWNERS owners found */
	MMSCOPE_PTW_MAX_MMS,		/* the processes bound */
	MMSCOPE_PTW_TIME,		/* the search's time bound */
	MMSCOPE_PTW_HOLD,		/* a process's mmap_lock hold bound */
	MMSCOPE_PTW_BUSY,		/* a process's mmap_lock stayed busy */
	MMSCOPE_PTW_KERNEL,		/* the kernel half could not be walked */
	MMSCOPE_PTW_PTI,		/* PTI's user-copy kernel tables not walked */
	MMSCOPE_PTW_CHANGED,		/* a kernel table failed validation */
	MMSCOPE_PTW_NR,
};

#define MMSCOPE_PT_WHY_NAMES {						\
	[MMSCOPE_PTW_COMPLETE] = "complete",				\
	[MMSCOPE_PTW_MAX_OWNERS] = "max_owners",			\
	[MMSCOPE_PTW_MAX_MMS] = "max_processes",			\
	[MMSCOPE_PTW_TIME] = "time",					\
	[MMSCOPE_PTW_HOLD] = "lock_hold",				\
	[MMSCOPE_PTW_BUSY] = "busy",					\
	[MMSCOPE_PTW_KERNEL] = "kernel",				\
	[MMSCOPE_PTW_PTI] = "pti",					\
	[MMSCOPE_PTW_CHANGED] = "changed",				\
}

#define MMSCOPE_PT_MAX_OWNERS	64

struct mmscope_page_pt {
	struct mmscope_rec_hdr hdr;
	__u64 owners;			/* owner records that follow */
	__u64 mms;			/* processes whose tables were searched */
	__u64 hold_ns;			/* longest mmap_lock hold */
	__u64 khold_ns;			/* longest kernel walk (interrupts off) */
	__u64 total_ns;			/* the whole search */
	__u32 complete;			/* every owner is listed */
	__u32 why;			/* enum mmscope_pt_why */
	__u32 level;			/* the table's level; NR_LEVELS: none found */
	__u32 pad;
};

/* ---- physical memory map -------------------------------------------- */

/*
 * MMSCOPE_VIEW_PHYS (CAP_SYS_ADMIN only).  With @end 0, the map: per
 * online node, per populated zone, a mmscope_phys_zone, the zone's
 * pageblocks as mmscope_phys_run records (consecutive pageblocks of the
 * same migratetype and fill folded), a mmscope_phys_zone_end with its
 * counts; after a node's zones a mmscope_phys_node; last a
 * mmscope_phys_end.  With @end > @start: every populated zone's
 * mmscope_phys_zone (names), one mmscope_phys_pfn per PFN of [@start,
 * @end), then the mmscope_phys_end.  Every page is one racy read
 * (module/frame.c), as /proc/kpageflags reads it.
 */

/*
 * What fills a pageblock: the class of all its pages when they share one
 * (anon, file, KSM and zero pages are "user"; absent, offline and device
 * frames and pages of another zone are "hole"); "user" also when only user
 * and free pages are in it (compaction could empty it); else "mixed".
 */
enum mmscope_phys_fill {
	MMSCOPE_FILL_FREE,
	MMSCOPE_FILL_USER,
	MMSCOPE_FILL_SLAB,
	MMSCOPE_FILL_PAGETABLE,
	MMSCOPE_FILL_RESERVED,
	MMSCOPE_FILL_HUGETLB,
	MMSCOPE_FILL_OTHER,
	MMSCOPE_FILL_HOLE,
	MMSCOPE_FILL_MIXED,
	MMSCOPE_FILL_NR,
};

#define MMSCOPE_PHYS_FILL_NAMES {					\
	[MMSCOPE_FILL_FREE] = "free",					\
	[MMSCOPE_FILL_USER] = "user",					\
	[MMSCOPE_FILL_SLAB] = "slab",					\
	[MMSCOPE_FILL_PAGETABLE] = "pagetable",				\
	[MMSCOPE_FILL_RESERVED] = "reserved",				\
	[MMSCOPE_FILL_HUGETLB] = "hugetlb",				\
	[MMSCOPE_FILL_OTHER] = "other",					\
	[MMSCOPE_FILL_HOLE] = "hole",					\
	[MMSCOPE_FILL_MIXED] = "mixed",					\
}

#define MMSCOPE_PHYS_MT_UNKNOWN	0xff	/* no pageblock bitmap */

/* A populated zone, before its runs: what /proc/zoneinfo says of it. */
struct mmscope_phys_zone {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 zone_idx;				/* index in node_zones[] */
	char name[MMSCOPE_BUDDY_NAME_LEN];	/* "DMA32" */
	__u64 start_pfn;
	__u64 spanned, present, managed;	/* pages */
	__u32 block_order;			/* pages per pageblock: 1 << it */
	__u32 nr_mt;				/* the kernel's MIGRATE_TYPES */
	char mt_names[MMSCOPE_BUDDY_MAX_MT][MMSCOPE_BUDDY_NAME_LEN];
};

/*
 * Pageblocks [@start_pfn, @end_pfn) of one zone (the first and last cut
 * to the zone's span), all of migratetype @mt and fill @fill; @kinds
 * counts their pages by enum mmscope_frame_kind (pages of another zone
 * inside the span count as absent).
 */
struct mmscope_phys_run {
	struct mmscope_rec_hdr hdr;
	__u64 start_pfn, end_pfn;
	__u32 node;
	__u32 zone_idx;
	__u32 nr_blocks;
	__u8 mt;				/* migratetype, or _MT_UNKNOWN */
	__u8 fill;				/* enum mmscope_phys_fill */
	__u8 pad[2];
	__u64 kinds[MMSCOPE_FRAME_NR_KINDS];
};

/*
 * After a zone's runs.  @kinds: its pages by kind, every PFN of its span
 * whose page is in this zone or that has no struct page (a hole in the
 * span: absent, offline or device; pages of other zones: @foreign).  @mt_blocks: pageblocks
 * per migratetype counted as /proc/pagetypeinfo's "Number of blocks type"
 * counts them (the block of zone_start_pfn + k * pageblock pages, when
 * that PFN is online and in the zone).  @fill_blocks: pageblocks by fill.
 * @memory_blocks: memory blocks (/sys/devices/system/memory) holding one
 * of the zone's pages.
 */
struct mmscope_phys_zone_end {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 zone_idx;
	__u64 kinds[MMSCOPE_FRAME_NR_KINDS];
	__u64 foreign;
	__u64 mt_blocks[MMSCOPE_BUDDY_MAX_MT];
	__u64 fill_blocks[MMSCOPE_FILL_NR];
	__u64 memory_blocks;
	__u64 scan_ns;
};

/*
 * After a node's zones: its totals.  @memory_blocks: memory blocks holding
 * a page of the node (the node's /sys/devices/system/node/nodeN/memoryM).
 */
struct mmscope_phys_node {
	struct mmscope_rec_hdr hdr;
	__u32 node;
	__u32 nr_zones;				/* populated zones scanned */
	__u64 start_pfn;			/* node_start_pfn */
	__u64 spanned, present;			/* node_{spanned,present}_pages */
	__u64 kinds[MMSCOPE_FRAME_NR_KINDS];
	__u64 memory_blocks;
};

/* Last record of a phys stream (before mmscope_end). */
struct mmscope_phys_end {
	struct mmscope_rec_hdr hdr;
	__u64 kinds[MMSCOPE_FRAME_NR_KINDS];	/* all zones, or the PFNs listed */
	__u64 pfns;				/* PFNs classified */
	__u64 scan_ns;				/* the whole scan */
	__u64 memory_block_bytes;		/* memory_block_size_bytes() */
	__u32 nodes;
	__u32 zones;
};

/*
 * One PFN (a list query).  @kpf: KPF_* bits as the running kernel's
 * /proc/kpageflags computes them (1 << KPF_NOPAGE without a usable struct
 * page); @buddy_pfn/@buddy_order: the free block holding it (kind free).
 */
struct mmscope_phys_pfn {
	struct mmscope_rec_hdr hdr;
	__u64 pfn;
	__u64 kpf;
	__u64 buddy_pfn;
	__s32 node;				/* -1: no struct page */
	__u32 zone_idx;
	__u32 folio_order;
	__u8 kind;				/* enum mmscope_frame_kind */
	__u8 mt;				/* pageblock migratetype, _MT_UNKNOWN */
	__u8 buddy_order;
	__u8 pad;
};

/* ---- vmalloc areas -------------------------------------------------- */

/*
 * MMSCOPE_VIEW_VMALLOC (CAP_SYS_ADMIN only): every area of the kernel's
 * vmap allocator, as /proc/vmallocinfo lists them: each vmap node's busy
 * areas in address order, then each node's lazily freed ("unpurged")
 * ones.  The flags are the vm_struct's VM_* words vmallocinfo prints,
 * plus where the area came from.
 */
enum mmscope_vmalloc_flags {
	MMSCOPE_VMF_IOREMAP = 1 << 0,		/* VM_IOREMAP: "ioremap" */
	MMSCOPE_VMF_ALLOC = 1 << 1,		/* VM_ALLOC: "vmalloc" */
	MMSCOPE_VMF_MAP = 1 << 2,		/* VM_MAP: "vmap" */
	MMSCOPE_VMF_USERMAP = 1 << 3,		/* VM_USERMAP: "user" */
	MMSCOPE_VMF_DMA_COHERENT = 1 << 4,	/* VM_DMA_COHERENT */
	MMSCOPE_VMF_SPARSE = 1 << 5,		/* VM_SPARSE (6.9+): "sparse" */
	MMSCOPE_VMF_VPAGES = 1 << 6,		/* the pages array is vmalloc'd */
	MMSCOPE_VMF_UNINITIALIZED = 1 << 7,	/* being set up (6.12 hides it) */
	MMSCOPE_VMF_NO_GUARD = 1 << 8,		/* VM_NO_GUARD */
	MMSCOPE_VMF_HUGE = 1 << 9,		/* VM_ALLOW_HUGE_VMAP */
	MMSCOPE_VMF_RESET_PERMS = 1 << 10,	/* VM_FLUSH_RESET_PERMS */
	MMSCOPE_VMF_MAP_RAM = 1 << 11,		/* vm_map_ram() block, no vm_struct */
	MMSCOPE_VMF_UNPURGED = 1 << 12,		/* freed, waiting for a lazy purge */
};

/*
 * One area.  @start/@end: the vm_struct's addr and addr + size (its guard
 * page included, as vmallocinfo prints), else the vmap_area's range.
 * @caller: the allocating function's address; @caller_sym: as %pS prints
 * it.  @tables/@mapped: the page-table cost of [@start, @end), walked
 * after the list was copied: the PUD, PMD and PTE table pages the range
 * enters (shared with a neighbour counted for both) and the present
 * leaves mapping it by size (4K, 2M, 1G).
 */
struct mmscope_vmalloc_area {
	struct mmscope_rec_hdr hdr;
	__u64 start, end;
	__u64 size;
	__u64 caller;
	__u64 phys;			/* ioremap's phys_addr, else 0 */
	__u64 tables[3];		/* PUD, PMD, PTE table pages */
	__u64 mapped[3];		/* present leaves: 4K, 2M, 1G */
	__u32 nr_pages;			/* vm_struct.nr_pages */
	__u32 page_order;		/* huge vmalloc: order of its pages */
	__u32 flags;			/* enum mmscope_vmalloc_flags */
	__u32 node;			/* vmap node (0 on 6.1) */
	char caller_sym[128];
};

/*
 * Last record before mmscope_end.  @holds: lock holds (each at most
 * @hold_limit areas copied), @max_hold_ns the longest; @walks: interrupts-
 * off page-table walks (each at most MMSCOPE_VMALLOC_WALK_SPAN bytes).
 * @layout: 1 one global list (6.1), 2 per-node lists (6.9+).
 */
struct mmscope_vmalloc_summary {
	struct mmscope_rec_hdr hdr;
	__u64 areas;			/* records sent */
	__u64 by_kind[4];		/* vmalloc, vmap, ioremap, other */
	__u64 map_ram, unpurged;
	__u64 bytes;			/* sum of sizes */
	__u64 pages;			/* sum of nr_pages */
	__u64 tables[3];		/* sums of the areas' */
	__u64 mapped[3];
	__u64 holds, max_hold_ns, max_hold_areas, hold_limit;
	__u64 walks, max_walk_ns;
	__u64 skipped;			/* no vm_struct and not vm_map_ram */
	__u32 layout;
	__u32 nodes;
};

#define MMSCOPE_VMALLOC_WALK_SPAN	(4ULL << 20)

#endif /* _UAPI_MMSCOPE_H */
