// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: every handle_mm_fault() call, tied to its VMA and to the
 * page frame the address maps to once the fault is done.
 *
 * fentry/fexit where the kernel supports them, kprobe/kretprobe otherwise
 * (the user side turns the losers off before load).  The entry probe applies
 * the task and address filters before touching any map, then stashes what
 * it needs in the task's local storage (created only for tasks that pass);
 * the exit probe bails out at once when the task has no pending entry,
 * computes the latency, applies the latency/major filters, and only then
 * reserves a ring-buffer record, walks the page table and reads the file
 * name.  A process that is filtered out by pid costs the attach trampoline,
 * a pid_tgid read and a compare at each end.
 *
 * Following a command (`mmscope faults -- CMD`): user space puts the child's
 * tgid in the traced map before it execs; sched_process_exec marks it
 * started (so mmscope's own code in the child before exec is never traced),
 * sched_process_fork adds the children of started tgids, sched_process_exit
 * removes a tgid once its last thread is gone (no pid reuse surprise).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mmscope.h"
#include "pt_mask.h"
#include "faults_stack.h"
#include "faults_layout.h"
#include "faults_agg.h"

/* Filters and settings, fixed before load (0 / false: no filter). */
const volatile __u32 targ_tgid;
const volatile bool follow;		/* only tgids in the traced map */
const volatile __u32 root_tgid;		/* the command's tgid (follow) */
const volatile bool filter_cgroup;	/* under cgroups[0], descendants too */
/*
 * The layout is known (the caller may see kernel addresses): walk.  Read
 * only inside the global functions pt_leaf() (or pt_leaf_cast()) and
 * classify(), which the verifier checks on their own: the fault probes are
 * the same program either way (6.1's verifier gave up, at 1M instructions,
 * on the probes with the walk's calls pruned away as a constant).
 */
const volatile bool layout_known;
const volatile bool want_pfn;		/* and report the PFN (root) */
const volatile bool filter_comm;
const volatile char targ_comm[MMSCOPE_COMM_LEN];
const volatile __u64 targ_start, targ_end;	/* [start, end), end 0: none */
const volatile __u64 min_lat_ns;
const volatile bool major_only;
const volatile __u64 wakeup_bytes;	/* wake the reader past this fill */
const volatile bool merge;		/* user space merges retried calls */
const volatile bool want_ustack;	/* --stack: append the user stack */
const volatile bool want_kstack;	/* --kstack: and the kernel's (root) */
/* --hist, --top --by class|comm|cgroup: count in maps, no records */
const volatile bool agg;
const volatile __u32 agg_by;		/* enum mmscope_agg_by */

/* What the entry probe saw, for the exit probe; ts_ns 0: none pending. */
struct mmscope_fault_start {
	__u64 ts_ns;
	__u64 addr;
	__u64 ip;
	__u64 pgd;			/* mm->pgd: direct-map address */
	__u64 vma_start, vma_end, vm_flags;
	__u64 file;			/* struct file * of the VMA, or 0 */
	__u64 before;			/* leaf entry at entry (layout_known) */
	__u32 before_level;
	__u32 flags;			/* kernel's enum fault_flag bits */
	__u32 bits;			/* MMSCOPE_FB_REGS */
	__u32 retried;			/* the last call returned RETRY (merge) */
	__u64 retry_addr;		/* ... at this address */
	/*
	 * agg: the fault whose last call returned RETRY, counted as it
	 * stands (faults_agg.h): its address, first call's start, and what
	 * was counted, to take it back when the next call continues it.
	 */
	__u64 chain_addr, chain_ts, chain_lat;
	__u32 chain;			/* a chain waits */
	__u32 chain_retries, chain_flags, chain_result, chain_class;
	__u32 chain_bits, chain_uffd, chain_other;
	char chain_key[MMSCOPE_AGG_KEY_LEN];
};

/*
 * Per task, not per CPU: the fault handler sleeps (I/O, locks) and the task
 * may come back on another CPU while other tasks fault on this one.  Task
 * storage is found from the task itself (no hashing, no global lock) and
 * lives until the task exits; one slot is enough because a task's faults do
 * not nest.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mmscope_fault_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);	/* user space may resize before load */
} events SEC(".maps");

/* Events that passed every filter but found the ring buffer full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/*
 * Faults that passed the filters but could not be followed: no task storage
 * (allocation failure), or a child the traced map had no room for.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} missed SEC(".maps");

/*
 * Stack captures that failed (bpf_get_stack() < 0): [0] user, [1] kernel.
 * The event is recorded all the same, with that stack empty.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stack_failed SEC(".maps");

/* agg: the counters, the histograms and the rows by class (faults_agg.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mmscope_agg);
} agg_sums SEC(".maps");

/* agg with agg_by: a row per comm or cgroup, bounded (then agg.other). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MMSCOPE_AGG_KEYS);
	__type(key, char[MMSCOPE_AGG_KEY_LEN]);
	__type(value, struct mmscope_agg_row);
} agg_keys SEC(".maps");

/* Followed processes: tgid -> 0 before its exec, 1 once started. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* The --cgroup filter: the cgroup at index 0 (user space stores its fd). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

/* The command's fault counters when it exec'd: its rusage baseline. */
__u64 root_minflt, root_majflt;
bool root_started;

/*
 * x86 page-table layout.  The direct map base is randomised
 * (CONFIG_RANDOMIZE_MEMORY) and 4- or 5-level paging is chosen at boot, so
 * both come from the kernel's own variables: page_offset_base, and
 * pgdir_shift (48 with 5-level paging, 39 with 4-level, where the p4d
 * level is folded into the pgd).  Kernels built without CONFIG_X86_5LEVEL
 * have no pgdir_shift: 4-level; kernels without
 * CONFIG_DYNAMIC_MEMORY_LAYOUT have no page_offset_base: the fixed
 * __PAGE_OFFSET_BASE of their paging mode.
 *
 * The PFN bits: the kernel's own physical_mask (see pt_mask.h: without it
 * every PFN is wrong on an SME host or an SEV/TDX guest).  Kernels without
 * CONFIG_DYNAMIC_PHYSICAL_MASK have none: bits 0-51.  zero_pfn is the
 * shared zero page's PFN (mm/memory.c, 6.1 and 6.12 alike), huge_zero_pfn
 * the huge zero page's, ~0UL while it is not allocated (mm/huge_memory.c).
 *
 * The variables' addresses (faults_layout.h; 0: the kernel has no such
 * symbol) are looked up by bpf/layout.bpf.c before this program is loaded,
 * and passed in as read-only data: typeless ksyms would make libbpf read
 * all of /proc/kallsyms at load, more than a second under TCG.
 */
const volatile __u64 ksym_addr[FAULTS_KSYM_NR];
#define KSYM(name)	ksym_addr[FAULTS_KSYM_##name]

#define MMSCOPE_PAGE_OFFSET_L4	0xffff888000000000ULL
#define MMSCOPE_PAGE_OFFSET_L5	0xff11000000000000ULL

#define MMSCOPE_PAGE_SHIFT	12
#define MMSCOPE_PTRS_MASK	511UL
#define MMSCOPE_PAGE_PRESENT	(1ULL << 0)
#define MMSCOPE_PAGE_RW		(1ULL << 1)
#define MMSCOPE_PAGE_PSE	(1ULL << 7)		/* leaf at pud/pmd */
#define MMSCOPE_PAGE_PROTNONE	(1ULL << 8)		/* NUMA hinting */

/*
 * Derived from page_offset_base and pgdir_shift on the first event and kept
 * (they are fixed at boot) in one 64-bit word, stored and loaded whole: the
 * direct-map base is page aligned, the shift (39 or 48) sits in its low
 * bits.  Two CPUs racing to fill it write the same value.
 */
static __u64 pt_cache;
/* PTE_PFN_MASK of the running kernel, set before pt_cache. */
static __u64 pt_pfn_mask;
/* zero_pfn + 1, read with pt_cache (0: not known). */
static __u64 zero_pfn_1;

static __always_inline void count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline bool trace_allowed(__u32 tgid, __u64 addr)
{
	if (targ_tgid && targ_tgid != tgid)
		return false;
	if (targ_end && (addr < targ_start || addr >= targ_end))
		return false;
	if (follow) {
		__u8 *started = bpf_map_lookup_elem(&traced, &tgid);

		if (!started || !*started)
			return false;
	}
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroups, 0) != 1)
		return false;
	if (filter_comm) {
		char comm[MMSCOPE_COMM_LEN];
		int i;

		bpf_get_current_comm(comm, sizeof(comm));
		for (i = 0; i < MMSCOPE_COMM_LEN; i++) {
			if (comm[i] != targ_comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	return true;
}

/*
 * bpf_rdonly_cast() (6.2+): an address as an untrusted, read-only pointer
 * to a kernel type, whose loads the verifier turns into fault-safe ones
 * (an exception-table entry, like a BTF pointer's), and the JIT into one
 * move: no helper call per read.  Weak: 6.1 has no such kfunc, and a
 * program calling it does not load there (its verifier refuses an
 * unresolved kfunc call even in dead code), so only the _ld programs
 * below call it, and user space loads them only where the kfunc exists.
 */
#ifndef MMSCOPE_NO_KFUNC
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define LD	true		/* the _ld programs inline their loads */
#else
/*
 * The build without the kfunc (build/bpf/faults_nokfunc.bpf.o, for kernels
 * without it): the _ld programs are the helper-call ones, nothing names
 * the kfunc, and the casts below are dead code.
 */
#define bpf_rdonly_cast(obj, btf_id)	((void *)(obj))
#define LD	false
#endif

/*
 * Read entry @idx of the table at physical address @table, through the
 * direct map at @base.  @cast (a constant): with one fault-safe load, as
 * the first word of a struct page (any kernel struct whose first member is
 * an 8-byte integer would do: the cast needs a struct); else with
 * bpf_probe_read_kernel(), a helper call.
 */
static __always_inline __u64 pt_entry(__u64 base, __u64 table, __u64 idx,
				      const bool cast)
{
	__u64 e = 0, at = base + table + idx * sizeof(e);
	struct page *p;

	if (cast) {
		p = bpf_rdonly_cast((void *)at,
				    bpf_core_type_id_kernel(struct page));
		return p->flags;
	}
	bpf_probe_read_kernel(&e, sizeof(e), (void *)at);
	return e;
}

/*
 * The leaf entry for @addr in the page table at @pgd, into *@ent, and its
 * level (1 pte, 2 pmd, 3 pud); 0 (and *@ent 0) when no table reaches it.
 * A leaf that is not present is returned as it is: none (0), a swap or
 * migration entry, or PROT_NONE (NUMA hinting).  Lockless: page tables may
 * be freed under us (munmap on another CPU), but page-table pages stay in
 * the direct map and bpf_probe_read_kernel() cannot fault, so the worst
 * case is a stale answer, never a crash.
 */
static __always_inline int pt_walk(__u64 pgd, __u64 addr, __u64 *ent,
				   const bool cast)
{
	__u64 cache = *(volatile __u64 *)&pt_cache, base, e, table, mask;
	__u64 phys = 0, zp = 0;
	__u32 shift;

	if (!ent)
		return 0;
	*ent = 0;
	if (!layout_known)
		return 0;
	if (!cache) {
		if (KSYM(PHYSICAL_MASK))
			bpf_probe_read_kernel(&phys, sizeof(phys),
					      (const void *)KSYM(PHYSICAL_MASK));
		phys = mmscope_physical_mask(phys);
		*(volatile __u64 *)&pt_pfn_mask = mmscope_pfn_mask(phys, 12);
		if (KSYM(ZERO_PFN) &&
		    !bpf_probe_read_kernel(&zp, sizeof(zp),
					   (const void *)KSYM(ZERO_PFN)) && zp)
			*(volatile __u64 *)&zero_pfn_1 = zp + 1;
		shift = 39;
		base = 0;
		if (KSYM(PGDIR_SHIFT))
			bpf_probe_read_kernel(&shift, sizeof(shift),
					      (const void *)KSYM(PGDIR_SHIFT));
		if (KSYM(PAGE_OFFSET_BASE))
			bpf_probe_read_kernel(&base, sizeof(base),
					      (const void *)KSYM(PAGE_OFFSET_BASE));
		else
			base = shift == 48 ? MMSCOPE_PAGE_OFFSET_L5 :
					     MMSCOPE_PAGE_OFFSET_L4;
		if (!base || (base & 0xfff) || (shift != 39 && shift != 48))
			return 0;
		cache = base | shift;
		*(volatile __u64 *)&pt_cache = cache;
	}
	base = cache & ~0xfffULL;
	shift = cache & 0xfff;
	mask = *(volatile __u64 *)&pt_pfn_mask;
	if (!pgd || !mask)
		return 0;

	e = pt_entry(0, pgd, (addr >> (shift & 63)) & MMSCOPE_PTRS_MASK,
		     cast);
	if (!(e & MMSCOPE_PAGE_PRESENT))
		return 0;
	if (shift == 48) {			/* 5-level: p4d table */
		table = e & mask;
		e = pt_entry(base, table, (addr >> 39) & MMSCOPE_PTRS_MASK,
			     cast);
		if (!(e & MMSCOPE_PAGE_PRESENT))
			return 0;
	}
	table = e & mask;	/* pud */
	e = pt_entry(base, table, (addr >> 30) & MMSCOPE_PTRS_MASK, cast);
	if (!(e & MMSCOPE_PAGE_PRESENT) || (e & MMSCOPE_PAGE_PSE)) {
		*ent = e;
		return e ? 3 : 0;
	}
	table = e & mask;	/* pmd */
	e = pt_entry(base, table, (addr >> 21) & MMSCOPE_PTRS_MASK, cast);
	if (!(e & MMSCOPE_PAGE_PRESENT) || (e & MMSCOPE_PAGE_PSE)) {
		/* PROT_NONE without PSE: not a leaf, no table either */
		if (!(e & MMSCOPE_PAGE_PSE) && (e & MMSCOPE_PAGE_PROTNONE))
			return 0;
		*ent = e;
		return e ? 2 : 0;
	}
	table = e & mask;	/* pte */
	*ent = pt_entry(base, table, (addr >> 12) & MMSCOPE_PTRS_MASK, cast);
	return *ent ? 1 : 0;
}

/* pt_walk() with helper calls: every kernel (6.1 has no bpf_rdonly_cast). */
__noinline int pt_leaf(__u64 pgd, __u64 addr, __u64 *ent)
{
	return pt_walk(pgd, addr, ent, false);
}

#ifndef MMSCOPE_NO_KFUNC
/* pt_walk() with fault-safe loads: only the _ld programs call it. */
__noinline int pt_leaf_cast(__u64 pgd, __u64 addr, __u64 *ent)
{
	return pt_walk(pgd, addr, ent, true);
}
#endif

/* The walk the program was built for (@cast a constant). */
static __always_inline int leaf_of(__u64 pgd, __u64 addr, __u64 *ent,
				   const bool cast)
{
#ifndef MMSCOPE_NO_KFUNC
	if (cast)
		return pt_leaf_cast(pgd, addr, ent);
#endif
	return pt_leaf(pgd, addr, ent);
}

/* A leaf maps a page (present, or PROT_NONE for NUMA hinting). */
static __always_inline bool leaf_maps(__u64 e)
{
	return e & (MMSCOPE_PAGE_PRESENT | MMSCOPE_PAGE_PROTNONE);
}

/* The PFN @addr maps to through leaf @e at @level (leaf_maps(e)). */
__noinline __u64 leaf_pfn(__u64 e, int level, __u64 addr)
{
	__u64 phys = *(volatile __u64 *)&pt_pfn_mask | 0xfff;
	/* L1TF: a PROT_NONE (not present) entry holds the inverted PFN. */
	int inv = !(e & MMSCOPE_PAGE_PRESENT);

	if (level == 3)
		return mmscope_entry_pfn(e, phys, 30, inv) +
		       ((addr >> MMSCOPE_PAGE_SHIFT) & ((1UL << 18) - 1));
	if (level == 2)
		return mmscope_entry_pfn(e, phys, 21, inv) +
		       ((addr >> MMSCOPE_PAGE_SHIFT) & MMSCOPE_PTRS_MASK);
	return mmscope_entry_pfn(e, phys, 12, inv);
}

/* Kernel enum value to mmscope bit, if the running kernel has the value. */
#define XLATE(v, out, kenum, kval, bit)					\
	do {								\
		if (bpf_core_enum_value_exists(enum kenum, kval) &&	\
		    ((v) & bpf_core_enum_value(enum kenum, kval)))	\
			(out) |= (bit);					\
	} while (0)

static __always_inline __u32 xlate_flags(__u32 v)
{
	__u32 r = 0;

	XLATE(v, r, fault_flag, FAULT_FLAG_WRITE, MMSCOPE_FF_WRITE);
	XLATE(v, r, fault_flag, FAULT_FLAG_MKWRITE, MMSCOPE_FF_MKWRITE);
	XLATE(v, r, fault_flag, FAULT_FLAG_ALLOW_RETRY, MMSCOPE_FF_ALLOW_RETRY);
	XLATE(v, r, fault_flag, FAULT_FLAG_RETRY_NOWAIT, MMSCOPE_FF_RETRY_NOWAIT);
	XLATE(v, r, fault_flag, FAULT_FLAG_KILLABLE, MMSCOPE_FF_KILLABLE);
	XLATE(v, r, fault_flag, FAULT_FLAG_TRIED, MMSCOPE_FF_TRIED);
	XLATE(v, r, fault_flag, FAULT_FLAG_USER, MMSCOPE_FF_USER);
	XLATE(v, r, fault_flag, FAULT_FLAG_REMOTE, MMSCOPE_FF_REMOTE);
	XLATE(v, r, fault_flag, FAULT_FLAG_INSTRUCTION, MMSCOPE_FF_INSTRUCTION);
	XLATE(v, r, fault_flag, FAULT_FLAG_INTERRUPTIBLE, MMSCOPE_FF_INTERRUPTIBLE);
	XLATE(v, r, fault_flag, FAULT_FLAG_UNSHARE, MMSCOPE_FF_UNSHARE);
	XLATE(v, r, fault_flag, FAULT_FLAG_VMA_LOCK, MMSCOPE_FF_VMA_LOCK);
	return r;
}

static __always_inline __u32 xlate_result(__u32 v)
{
	__u32 r = 0;

	XLATE(v, r, vm_fault_reason, VM_FAULT_OOM, MMSCOPE_FR_OOM);
	XLATE(v, r, vm_fault_reason, VM_FAULT_SIGBUS, MMSCOPE_FR_SIGBUS);
	XLATE(v, r, vm_fault_reason, VM_FAULT_MAJOR, MMSCOPE_FR_MAJOR);
	XLATE(v, r, vm_fault_reason, VM_FAULT_HWPOISON, MMSCOPE_FR_HWPOISON);
	XLATE(v, r, vm_fault_reason, VM_FAULT_HWPOISON_LARGE, MMSCOPE_FR_HWPOISON_LARGE);
	XLATE(v, r, vm_fault_reason, VM_FAULT_SIGSEGV, MMSCOPE_FR_SIGSEGV);
	XLATE(v, r, vm_fault_reason, VM_FAULT_NOPAGE, MMSCOPE_FR_NOPAGE);
	XLATE(v, r, vm_fault_reason, VM_FAULT_LOCKED, MMSCOPE_FR_LOCKED);
	XLATE(v, r, vm_fault_reason, VM_FAULT_RETRY, MMSCOPE_FR_RETRY);
	XLATE(v, r, vm_fault_reason, VM_FAULT_FALLBACK, MMSCOPE_FR_FALLBACK);
	XLATE(v, r, vm_fault_reason, VM_FAULT_DONE_COW, MMSCOPE_FR_DONE_COW);
	XLATE(v, r, vm_fault_reason, VM_FAULT_NEEDDSYNC, MMSCOPE_FR_NEEDDSYNC);
	XLATE(v, r, vm_fault_reason, VM_FAULT_COMPLETED, MMSCOPE_FR_COMPLETED);
	return r;
}

/* vm_flags bits, the same in 6.1 and 6.12 (include/linux/mm.h). */
#define MMSCOPE_VM_UFFD_MISSING	0x00000200ULL
#define MMSCOPE_VM_UFFD_WP	0x00001000ULL
#define MMSCOPE_VM_HUGETLB	0x00400000ULL

#define MMSCOPE_FR_ERROR	(MMSCOPE_FR_OOM | MMSCOPE_FR_SIGBUS |		\
				 MMSCOPE_FR_SIGSEGV | MMSCOPE_FR_HWPOISON |	\
				 MMSCOPE_FR_HWPOISON_LARGE)

/* Whether @pfn (mapped at @level) is the zero page or the huge zero page. */
static __always_inline bool is_zero(__u64 pfn, int level)
{
	__u64 z = *(volatile __u64 *)&zero_pfn_1, hz = 0;

	if (level == 1)
		return z && pfn == z - 1;
	if (level == 2 && KSYM(HUGE_ZERO_PFN) &&
	    !bpf_probe_read_kernel(&hz, sizeof(hz),
				   (const void *)KSYM(HUGE_ZERO_PFN)))
		return hz != ~0ULL && (pfn & ~MMSCOPE_PTRS_MASK) == hz;
	return false;
}

/* classify()'s @packed argument: what does not fit in five. */
#define CL_FLAGS(p)		((__u32)(p) & 0xffff)		/* MMSCOPE_FF_* */
#define CL_RESULT(p)		((__u32)((p) >> 16) & 0xffff)	/* MMSCOPE_FR_* */
#define CL_BLEVEL(p)		((int)((p) >> 32) & 3)
#define CL_LEVEL(p)		((int)((p) >> 34) & 3)
#define CL_FILE			(1ULL << 36)
#define CL_PACK(flags, result, blevel, level, file)			\
	((__u64)((flags) & 0xffff) | ((__u64)((result) & 0xffff) << 16) |	\
	 ((__u64)((blevel) & 3) << 32) | ((__u64)((level) & 3) << 34) |	\
	 ((file) ? CL_FILE : 0))

/*
 * The class of a fault (enum mmscope_fault_class): @before the leaf entry
 * for @addr when the call started, @after when it returned, @vm_flags the
 * VMA's, @packed the fault flags, the result (mmscope bits), both levels
 * and whether the VMA has a file (CL_PACK).  The kernel counts a completed
 * fault as major when it returned VM_FAULT_MAJOR or was a retry
 * (FAULT_FLAG_TRIED: the first call waited for I/O; mm_account_fault()):
 * the _major classes follow that rule, so that they add up to pgmajfault.
 * A global function: verified once, not once per path of its callers.
 */
__noinline __u32 classify(__u64 before, __u64 after, __u64 vm_flags,
			  __u64 addr, __u64 packed)
{
	__u32 flags = CL_FLAGS(packed), result = CL_RESULT(packed);
	bool major = (result & MMSCOPE_FR_MAJOR) || (flags & MMSCOPE_FF_TRIED);
	int level = CL_LEVEL(packed);

	if (result & MMSCOPE_FR_ERROR)
		return MMSCOPE_FC_ERROR;
	if (vm_flags & MMSCOPE_VM_HUGETLB)
		return MMSCOPE_FC_HUGETLB;
	if (result & MMSCOPE_FR_RETRY)
		return (vm_flags & (MMSCOPE_VM_UFFD_MISSING |
				    MMSCOPE_VM_UFFD_WP)) && !major ?
		       MMSCOPE_FC_UFFD : MMSCOPE_FC_RETRY;
	if (!layout_known)
		return MMSCOPE_FC_UNKNOWN;
	if (before & MMSCOPE_PAGE_PRESENT) {
		if (!(flags & MMSCOPE_FF_WRITE) || (before & MMSCOPE_PAGE_RW) ||
		    !(after & MMSCOPE_PAGE_PRESENT))
			return MMSCOPE_FC_SPURIOUS;
		return leaf_pfn(before, CL_BLEVEL(packed), addr) ==
		       leaf_pfn(after, level, addr) ?
		       MMSCOPE_FC_REUSE : MMSCOPE_FC_COW;
	}
	if (before & MMSCOPE_PAGE_PROTNONE)
		return MMSCOPE_FC_NUMA;
	if (before)		/* swap entry (or migration, device) */
		return major ? MMSCOPE_FC_SWAP_MAJOR : MMSCOPE_FC_SWAP_MINOR;
	if (packed & CL_FILE)
		return major ? MMSCOPE_FC_FILE_MAJOR : MMSCOPE_FC_FILE_MINOR;
	if ((after & MMSCOPE_PAGE_PRESENT) &&
	    is_zero(leaf_pfn(after, level, addr), level))
		return MMSCOPE_FC_ZERO;
	return MMSCOPE_FC_ANON;
}

/* ---- agg: faults counted in maps (faults_agg.h) ----------------------- */

/* What user space counts as an error outcome (trace.h FAULTS_FR_ERROR). */
#define AGG_FR_ERROR	(MMSCOPE_FR_ERROR | MMSCOPE_FR_FALLBACK)

/* agg_fault()'s @packed argument. */
#define AG_FLAGS(p)	((__u32)(p) & 0xffff)		/* MMSCOPE_FF_* */
#define AG_RESULT(p)	((__u32)((p) >> 16) & 0xffff)	/* MMSCOPE_FR_* */
#define AG_CLASS(p)	((__u32)((p) >> 32) & 0xff)
#define AG_BITS(p)	((__u32)((p) >> 40) & 0xff)	/* MMSCOPE_FB_* */
#define AG_PACK(flags, result, fclass, bits)				\
	((__u64)((flags) & 0xffff) | ((__u64)((result) & 0xffff) << 16) | \
	 ((__u64)((fclass) & 0xff) << 32) | ((__u64)((bits) & 0xff) << 40))

/* The log2 slot of @v ns, as user space computes it (trace.c log2_slot()). */
static __always_inline __u32 agg_slot(__u64 v)
{
	__u32 s = 0, b;

	b = (v > 0xffffffffULL) << 5;
	v >>= b;
	s |= b;
	b = (v > 0xffff) << 4;
	v >>= b;
	s |= b;
	b = (v > 0xff) << 3;
	v >>= b;
	s |= b;
	b = (v > 0xf) << 2;
	v >>= b;
	s |= b;
	b = (v > 0x3) << 1;
	v >>= b;
	s |= b;
	s |= v >> 1;
	return s < MMSCOPE_AGG_SLOTS - 1 ? s : MMSCOPE_AGG_SLOTS - 1;
}

static __always_inline void agg_row(struct mmscope_agg_row *r, __u64 n,
				    __u64 lat)
{
	__sync_fetch_and_add(&r->faults, n);
	__sync_fetch_and_add(&r->latency_ns, n * lat);
	/* a racing CPU may lose a maximum: n 1 only, and rarely */
	if (n == 1 && lat > r->max_ns)
		r->max_ns = lat;
}

#define AGG_ADD(field, cond)						\
	do {								\
		if (cond)						\
			__sync_fetch_and_add(&(field), n);		\
	} while (0)

/*
 * Count one fault @n times (1, or -1 to take it back), as summary_add()
 * and the --top rows count a streamed event; @key is its key-table key,
 * @other whether it went to agg.other.  Returns whether it did (n 1).
 */
static __always_inline bool agg_count(struct mmscope_agg *a, __u64 n,
				      __u32 fclass, __u64 lat, __u32 retries,
				      __u32 flags, __u32 result, __u32 bits,
				      const char *key, bool other)
{
	struct mmscope_agg_row zero = {}, *r = NULL;
	__u64 slot;
	/* fclass < MMSCOPE_FC_NR: the mask is for the verifier */
	__u32 c = fclass & (MMSCOPE_AGG_CLASSES - 1);

	AGG_ADD(a->events, true);
	__sync_fetch_and_add(&a->retries, n * retries);
	AGG_ADD(a->locks[1], flags & MMSCOPE_FF_VMA_LOCK);
	AGG_ADD(a->locks[0], !(flags & MMSCOPE_FF_VMA_LOCK));
	if (result & MMSCOPE_FR_RETRY)
		AGG_ADD(a->retry, true);
	else if (result & AGG_FR_ERROR)
		AGG_ADD(a->error, true);
	else if (result & MMSCOPE_FR_MAJOR)
		AGG_ADD(a->major, true);
	else
		AGG_ADD(a->minor, true);
	AGG_ADD(a->write, flags & MMSCOPE_FF_WRITE);
	AGG_ADD(a->exec, flags & MMSCOPE_FF_INSTRUCTION);
	AGG_ADD(a->user, flags & MMSCOPE_FF_USER);
	AGG_ADD(a->remote, flags & MMSCOPE_FF_REMOTE);
	AGG_ADD(a->file, bits & MMSCOPE_FB_FILE);
	AGG_ADD(a->anon, !(bits & MMSCOPE_FB_FILE));
	AGG_ADD(a->mapped, bits & MMSCOPE_FB_PFN);
	agg_row(&a->cls[c], n, lat);
	/*
	 * The mask after a barrier: the compiler would drop it (the slot is
	 * at most 39), and 6.1's verifier loses the bound of the compare.
	 */
	slot = agg_slot(lat);
	barrier_var(slot);
	slot &= MMSCOPE_AGG_SLOTS_POW2 - 1;
	__sync_fetch_and_add(&a->hist[c][slot], n);
	if (!agg_by)
		return false;
	if (!other) {
		r = bpf_map_lookup_elem(&agg_keys, key);
		if (!r && n == 1) {
			/* full (or busy): agg.other, never silent */
			bpf_map_update_elem(&agg_keys, key, &zero, BPF_NOEXIST);
			r = bpf_map_lookup_elem(&agg_keys, key);
		}
	}
	if (!r) {
		agg_row(&a->other, n, lat);
		return true;
	}
	agg_row(r, n, lat);
	return false;
}

/*
 * One call of task storage @s's fault returned: @lat its latency, @packed
 * its flags, result, class and bits (AG_PACK).  Merges the calls of a
 * retried fault as faults_merge.c does: a chain continues at the thread's
 * next call at the same address, and ends with a call without RETRY.
 */
__noinline int agg_fault(struct mmscope_fault_start *s, __u64 lat,
			 __u64 packed)
{
	__u32 flags = AG_FLAGS(packed), result = AG_RESULT(packed);
	__u32 fclass = AG_CLASS(packed), bits = AG_BITS(packed);
	__u32 zero = 0, retries = 0, all = result;
	char key[MMSCOPE_AGG_KEY_LEN] = {}, pkey[MMSCOPE_AGG_KEY_LEN];
	struct mmscope_agg *a;
	__u64 ts0, cgid;
	bool uffd, other;

	if (!s)
		return 0;
	a = bpf_map_lookup_elem(&agg_sums, &zero);
	if (!a)
		return 0;
	__sync_fetch_and_add(&a->calls, 1);
	if (!(result & MMSCOPE_FR_RETRY))
		__sync_fetch_and_add(&a->completed, 1);
	/* a chain the thread left (a signal ended it): counted as it was */
	if (s->chain && s->chain_addr != s->addr)
		s->chain = 0;
	ts0 = s->ts_ns;
	uffd = fclass == MMSCOPE_FC_UFFD;
	if (s->chain) {
		/* a key on the stack: 6.1 takes no other memory as a key */
		__builtin_memcpy(pkey, s->chain_key, sizeof(pkey));
		agg_count(a, -1ULL, s->chain_class, s->chain_lat,
			  s->chain_retries, s->chain_flags, s->chain_result,
			  s->chain_bits, pkey, s->chain_other);
		ts0 = s->chain_ts;
		retries = s->chain_retries + 1;
		all = (s->chain_result & ~MMSCOPE_FR_RETRY) | result;
		uffd |= s->chain_uffd;
	}
	lat = s->ts_ns + lat - ts0;
	if (!(all & MMSCOPE_FR_RETRY) && uffd && !(all & AGG_FR_ERROR))
		fclass = MMSCOPE_FC_UFFD;
	if (agg_by == MMSCOPE_AGG_BY_COMM) {
		bpf_get_current_comm(key, sizeof(key));
	} else if (agg_by == MMSCOPE_AGG_BY_CGROUP) {
		cgid = bpf_get_current_cgroup_id();
		__builtin_memcpy(key, &cgid, sizeof(cgid));
	}
	other = agg_count(a, 1, fclass, lat, retries, flags, all, bits, key,
			  false);
	s->chain = !!(result & MMSCOPE_FR_RETRY);
	if (s->chain) {
		s->chain_addr = s->addr;
		s->chain_ts = ts0;
		s->chain_lat = lat;
		s->chain_retries = retries;
		s->chain_flags = flags;
		s->chain_result = all;
		s->chain_class = fclass;
		s->chain_bits = bits;
		s->chain_uffd = uffd;
		s->chain_other = other;
		__builtin_memcpy(s->chain_key, key, sizeof(key));
	}
	return 0;
}

/* agg: classify the call that returned and count it; no record. */
static __always_inline void agg_exit(struct mmscope_fault_start *s, __u64 lat,
				     __u32 result, const bool cast)
{
	__u32 flags = xlate_flags(s->flags), bits = 0, fclass;
	__u64 leaf = 0;
	int level;

	level = leaf_of(s->pgd, s->addr, &leaf, cast);
	fclass = classify(s->before, leaf, s->vm_flags, s->addr,
			  CL_PACK(flags, result, s->before_level, level,
				  s->file));
	if (level && leaf_maps(leaf) && want_pfn)
		bits |= MMSCOPE_FB_PFN;
	if (s->file)
		bits |= MMSCOPE_FB_FILE;
	agg_fault(s, lat, AG_PACK(flags, result, fclass, bits));
}

/*
 * @btf: the arguments are BTF-typed (fentry), so fields are read with plain
 * loads, which the verifier turns into fault-safe ones; a kprobe reads them
 * with bpf_probe_read_kernel(), a helper call each.  @btf is a constant at
 * each call site: the compiler keeps one branch.
 */
static __always_inline int fault_entry(struct vm_area_struct *vma, __u64 addr,
				       __u32 flags, struct pt_regs *regs,
				       const bool btf, const bool cast)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct mmscope_fault_start *s;

	if (!trace_allowed(id >> 32, addr))
		return 0;
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		count(&missed);
		return 0;
	}

	/* The VMA is stable here: the caller holds mmap_lock or its lock. */
	s->addr = addr;
	s->flags = flags;
	s->bits = 0;
	s->ip = 0;
	if (cast && !btf) {
		/* a kprobe's arguments as untrusted BTF pointers: plain loads */
		vma = bpf_rdonly_cast(vma,
			bpf_core_type_id_kernel(struct vm_area_struct));
		if (regs)
			regs = bpf_rdonly_cast(regs,
				bpf_core_type_id_kernel(struct pt_regs));
	}
	if (btf || cast) {
		s->pgd = (__u64)vma->vm_mm->pgd;
		s->vma_start = vma->vm_start;
		s->vma_end = vma->vm_end;
		s->vm_flags = vma->vm_flags;
		s->file = (__u64)vma->vm_file;
		/* user_mode(regs): a hardware fault taken in user mode. */
		if (regs && (regs->cs & 3) == 3) {
			s->ip = regs->ip;
			s->bits = MMSCOPE_FB_REGS;
		}
	} else {
		s->pgd = (__u64)BPF_CORE_READ(vma, vm_mm, pgd);
		s->vma_start = BPF_CORE_READ(vma, vm_start);
		s->vma_end = BPF_CORE_READ(vma, vm_end);
		s->vm_flags = BPF_CORE_READ(vma, vm_flags);
		s->file = (__u64)BPF_CORE_READ(vma, vm_file);
		if (regs && (BPF_CORE_READ(regs, cs) & 3) == 3) {
			s->ip = BPF_CORE_READ(regs, ip);
			s->bits = MMSCOPE_FB_REGS;
		}
	}
	s->before = 0;
	s->before_level = 0;
	/*
	 * Reloaded from the map: the register that stored it may still hold
	 * the BTF pointer, which 6.1 refuses as a global function's scalar.
	 */
	s->before_level = leaf_of(*(volatile __u64 *)&s->pgd, addr,
				  &s->before, cast);
	s->ts_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * The stacks of the current fault into @st, right after its record: the
 * user stack as the kernel's perf callchain walks it (the faulting ip, then
 * the frame-pointer chain: a binary built without frame pointers gives its
 * first frame only, or wrong callers), and the kernel's when asked for.
 */
static __always_inline void fault_stacks(void *ctx,
					 struct mmscope_fault_stacks *st)
{
	__u32 user = 0, kernel = 1;
	__u64 *n;

	st->ustack_len = bpf_get_stack(ctx, st->ustack, sizeof(st->ustack),
				       BPF_F_USER_STACK);
	if (st->ustack_len < 0) {
		n = bpf_map_lookup_elem(&stack_failed, &user);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	st->kstack_len = 0;
	if (!want_kstack)
		return;
	st->kstack_len = bpf_get_stack(ctx, st->kstack, sizeof(st->kstack), 0);
	if (st->kstack_len < 0) {
		n = bpf_map_lookup_elem(&stack_failed, &kernel);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
}

static __always_inline int fault_exit(void *ctx, __u32 ret, const bool cast)
{
	__u64 id = bpf_get_current_pid_tgid(), lat, avail, leaf = 0;
	struct mmscope_fault_start *s;
	struct mmscope_fault *e;
	struct file *file;
	__u32 result;
	int level = 0;
	bool chain;

	if (targ_tgid && targ_tgid != id >> 32)
		return 0;
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), NULL, 0);
	if (!s || !s->ts_ns)
		return 0;
	lat = bpf_ktime_get_ns() - s->ts_ns;
	result = xlate_result(ret);
	if (agg) {
		agg_exit(s, lat, result, cast);
		goto out;
	}
	/*
	 * Merging: a call that returned RETRY and the task's next call at the
	 * same address are one fault, which user space filters by the whole
	 * fault's latency and outcome; both pass the filters here.
	 */
	chain = merge && ((result & MMSCOPE_FR_RETRY) ||
			  (s->retried && s->retry_addr == s->addr));
	s->retried = merge && (result & MMSCOPE_FR_RETRY);
	s->retry_addr = s->addr;
	if (!chain && (lat < min_lat_ns ||
		       (major_only && !(result & MMSCOPE_FR_MAJOR))))
		goto out;

	if (want_ustack)
		e = bpf_ringbuf_reserve(&events, sizeof(*e) +
					sizeof(struct mmscope_fault_stacks), 0);
	else
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(&lost);
		goto out;
	}
	e->ts_ns = s->ts_ns;
	e->latency_ns = lat;
	e->addr = s->addr;
	e->ip = s->ip;
	e->vma_start = s->vma_start;
	e->vma_end = s->vma_end;
	e->vm_flags = s->vm_flags;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->cpu = bpf_get_smp_processor_id();
	e->flags = xlate_flags(s->flags);
	e->result = result;
	e->bits = s->bits;
	level = leaf_of(s->pgd, s->addr, &leaf, cast);
	e->fclass = classify(s->before, leaf, s->vm_flags, s->addr,
			     CL_PACK(e->flags, result, s->before_level, level,
				     s->file));
	e->level = 0;
	e->pfn = 0;
	if (level && leaf_maps(leaf)) {
		if (level > 1)
			e->bits |= MMSCOPE_FB_HUGE;
		if (want_pfn) {
			e->level = level;
			e->pfn = leaf_pfn(leaf, level, s->addr);
			e->bits |= MMSCOPE_FB_PFN;
		}
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/*
	 * The name is read only for events that are kept.  The VMA holds its
	 * file while the fault's lock is held; after VM_FAULT_RETRY or
	 * VM_FAULT_COMPLETED that lock was dropped and a racing munmap() plus
	 * close() may free the file: the read cannot fault, the name may then
	 * be stale.
	 */
	__builtin_memset(e->file, 0, sizeof(e->file));
	file = (struct file *)s->file;
	if (file) {
		e->bits |= MMSCOPE_FB_FILE;
		bpf_probe_read_kernel_str(e->file, sizeof(e->file),
					  BPF_CORE_READ(file, f_path.dentry,
							d_name.name));
	}

	if (want_ustack)
		fault_stacks(ctx, (struct mmscope_fault_stacks *)(e + 1));

	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, !wakeup_bytes ? 0 : avail >= wakeup_bytes ?
			   BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
out:
	s->ts_ns = 0;
	return 0;
}

SEC("fentry/handle_mm_fault")
int BPF_PROG(fentry_fault, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs)
{
	return fault_entry(vma, address, flags, regs, true, false);
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(fexit_fault, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs, vm_fault_t ret)
{
	return fault_exit(ctx, ret, false);
}

/*
 * The same pair with the walk's loads inlined (bpf_rdonly_cast, 6.2+):
 * "_ld", loads.  The names stay within the kernel's 15 characters
 * (BPF_OBJ_NAME_LEN), which is how the programs are listed.
 */
SEC("fentry/handle_mm_fault")
int BPF_PROG(fentry_fault_ld, struct vm_area_struct *vma,
	     unsigned long address, unsigned int flags, struct pt_regs *regs)
{
	return fault_entry(vma, address, flags, regs, true, LD);
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(fexit_fault_ld, struct vm_area_struct *vma,
	     unsigned long address, unsigned int flags, struct pt_regs *regs,
	     vm_fault_t ret)
{
	return fault_exit(ctx, ret, LD);
}

SEC("kprobe/handle_mm_fault")
int BPF_KPROBE(kprobe_fault, struct vm_area_struct *vma, unsigned long address,
	       unsigned int flags, struct pt_regs *regs)
{
	return fault_entry(vma, address, flags, regs, false, false);
}

SEC("kretprobe/handle_mm_fault")
int BPF_KRETPROBE(kretprobe_fault, vm_fault_t ret)
{
	return fault_exit(ctx, ret, false);
}

/* The kprobe pair with every load inlined (bpf_rdonly_cast, 6.2+). */
SEC("kprobe/handle_mm_fault")
int BPF_KPROBE(kprobe_fault_ld, struct vm_area_struct *vma,
	       unsigned long address, unsigned int flags, struct pt_regs *regs)
{
	return fault_entry(vma, address, flags, regs, false, LD);
}

SEC("kretprobe/handle_mm_fault")
int BPF_KRETPROBE(kret_fault_ld, vm_fault_t ret)
{
	return fault_exit(ctx, ret, LD);
}

/* Following a command: its tree, from its exec on. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(follow_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	__u8 *started = bpf_map_lookup_elem(&traced, &tgid);

	if (!started || *started)
		return 0;
	if (tgid == root_tgid && !root_started) {
		/* exec left one thread: the process's counters are its. */
		root_minflt = p->min_flt;
		root_majflt = p->maj_flt;
		root_started = true;
	}
	*started = 1;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 *started;

	if (ptgid == ctgid)		/* a thread: its tgid is in already */
		return 0;
	started = bpf_map_lookup_elem(&traced, &ptgid);
	if (started && bpf_map_update_elem(&traced, &ctgid, started, BPF_ANY))
		count(&missed);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(follow_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;

	/* The process's last thread: signal->live reached 0 before this. */
	if (!p->signal->live.counter)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
