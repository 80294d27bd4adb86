/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope faults --hist / --top --by class|comm|cgroup: the faults
 * aggregated in the kernel (bpf/faults.bpf.c, rodata agg) instead of one
 * ring-buffer record each.  Shared by the BPF program and the CLI
 * (userspace/faults_kagg.c); not part of the module's ABI.
 *
 * Every counter is per CPU and only ever added to (with a locked add: a
 * preempted program on PREEMPT_RT or PREEMPT never loses another task's
 * update); user space sums the CPUs.  A fault retried after VM_FAULT_RETRY
 * is one fault, as user space merges the streamed calls (faults_merge.c):
 * while its chain waits for the next call, the fault is counted as it
 * stands (class retry or uffd, the latency so far), and each later call of
 * the chain takes that back (adds its two's complement) before counting
 * the fault anew.  A chain the thread left, or that the trace's end cut,
 * stays counted as it stood, as user space reports it.  The sums over the
 * CPUs are exact; a single CPU's counter may wrap below zero.  The maxima
 * only grow: a chain's latency only grows too, so they are the faults'.
 */
#ifndef MMSCOPE_FAULTS_AGG_H
#define MMSCOPE_FAULTS_AGG_H

/*
 * Latency slots: log2 of nanoseconds, the last one (39) open-ended, as the
 * streamed histogram's; the array has 64, a power of two as the classes'
 * 16 (MMSCOPE_FC_NR rounded up), so that a mask bounds each index for the
 * verifier (a compare the compiler may move or drop does not).
 */
#define MMSCOPE_AGG_SLOTS	40
#define MMSCOPE_AGG_SLOTS_POW2	64
#define MMSCOPE_AGG_CLASSES	16
/* Distinct --top keys (comm or cgroup) kept; further faults go to other. */
#define MMSCOPE_AGG_KEYS	4096
#define MMSCOPE_AGG_KEY_LEN	16

/* rodata agg_by: what the key table is keyed by. */
enum mmscope_agg_by {
	MMSCOPE_AGG_BY_NONE,
	MMSCOPE_AGG_BY_COMM,		/* the task's comm */
	MMSCOPE_AGG_BY_CGROUP,		/* the cgroup v2 id (u64, little end) */
};

/* A --top row: its faults, their summed and largest latency. */
struct mmscope_agg_row {
	__u64 faults;
	__u64 latency_ns;
	__u64 max_ns;
};

/*
 * The one value of the per-CPU array "agg": what the streamed summary
 * counts (userspace/trace.c summary_add()), the latency histogram and the
 * --top by class row per class, and the faults of keys the key table had
 * no room for.
 */
struct mmscope_agg {
	__u64 calls;			/* handle_mm_fault() calls */
	__u64 completed;		/* calls without RETRY */
	__u64 events;			/* faults */
	__u64 retries;
	__u64 locks[2];			/* mmap_lock, per-VMA lock */
	__u64 minor, major, retry, error;
	__u64 write, exec, user, remote, anon, file, mapped;
	struct mmscope_agg_row cls[MMSCOPE_AGG_CLASSES];
	struct mmscope_agg_row other;	/* keys past MMSCOPE_AGG_KEYS */
	__u64 hist[MMSCOPE_AGG_CLASSES][MMSCOPE_AGG_SLOTS_POW2];
};

#endif
