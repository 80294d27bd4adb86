/* SPDX-License-Identifier: GPL-2.0 */
/* The page-fault tracer (trace.c): the BPF program, its filters, a summary. */
#ifndef MMSCOPE_TRACE_H
#define MMSCOPE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "mmscope.h"
#include "symbolize.h"

/*
 * trace.c: the page-fault tracer, callable from C (labs trace a child
 * they control).  faults_trace_start() loads and attaches the BPF program
 * with the filters of @o (0/NULL: none) and calls @fn for every event from
 * faults_trace_poll(); faults_trace_stop() detaches, drains and fills @s.
 * Needs root; returns -errno (-EPERM without privileges).
 */
struct faults_top;

struct faults_opts {
	int pid;			/* that process (tgid) only, 0: all */
	int follow;			/* a child not exec'd yet: its tree from exec on */
	const char *comm;
	const char *cgroup;		/* a cgroup2 directory: it and its descendants */
	uint64_t start, end;		/* address range [start, end), end 0: all */
	uint64_t min_lat_ns;
	bool major;			/* major faults only */
	uint64_t ringbuf_size;		/* bytes, power of 2; 0: 4 MiB */
	bool kprobe;			/* force kprobes instead of fentry */
	bool raw;			/* one event per call, retried ones apart */
	bool ustack;			/* --stack: the user stack of each fault */
	bool kstack;			/* --kstack: the kernel's (CAP_SYS_ADMIN) */
	/*
	 * Count in the kernel (faults_kagg.c): no events, only the summary
	 * (no VMA table) and, if not NULL, @agg_top (by class, comm or
	 * cgroup), filled when the trace stops.
	 */
	bool agg;
	struct faults_top *agg_top;
};

#define FAULTS_HIST_SLOTS	40
#define FAULTS_TOP_VMAS		256
#define FAULTS_PROGS_MAX	8

/*
 * The tracer's own start-up and tear-down, step by step (faults_summary.
 * setup_ns): symbols (the kernel variables the page-table walk reads,
 * looked up by bpf/layout.bpf.c), open (parse the BPF object), load (read
 * the kernel's BTF, relocate, verify), attach, reader (the ring buffer
 * mapped), detach, close (programs and maps freed).  A fallback from
 * fentry to kprobes counts both attempts.
 */
enum faults_step {
	FAULTS_STEP_SYMBOLS, FAULTS_STEP_OPEN, FAULTS_STEP_LOAD, FAULTS_STEP_ATTACH,
	FAULTS_STEP_READER, FAULTS_STEP_DETACH, FAULTS_STEP_CLOSE,
	FAULTS_STEP_NR,
};

extern const char *const faults_step_names[FAULTS_STEP_NR];
uint64_t faults_mono_ns(void);

struct faults_vma {
	uint32_t pid;
	bool file;
	uint64_t start, end, count;
	char name[MMSCOPE_FILE_LEN];
};

/* Whether events carry PFNs. */
enum faults_pfn {
	FAULTS_PFN_OK,
	FAULTS_PFN_NOCAP,		/* the caller lacks CAP_SYS_ADMIN */
	FAULTS_PFN_KALLSYMS,		/* /proc/kallsyms hides the layout symbols */
};

struct faults_summary {
	uint64_t events;		/* reported: faults, or calls with raw */
	uint64_t calls;			/* handle_mm_fault() calls received */
	uint64_t retries;		/* the reported events' retries, summed */
	uint64_t locks[2];		/* events by lock: mmap_lock, per-VMA lock */
	uint64_t lost;			/* ring buffer full (all CPUs) */
	uint64_t missed;		/* not recorded: no task storage, map full,
					 * or the program not run (recursion) */
	uint64_t completed;		/* events without RETRY */
	uint64_t accounted;		/* the events /proc/vmstat pgfault counts:
					 * all before 6.5, those without RETRY since */
	bool pgfault_all;		/* the rule: true before 6.5 */
	uint64_t minor, major, retry, error;	/* by outcome (disjoint) */
	uint64_t write, exec, user, remote, anon, file, mapped;
	uint64_t classes[MMSCOPE_FC_NR];	/* by enum mmscope_fault_class */
	/* /proc/vmstat pgfault before and after attach, before and after detach */
	uint64_t pgfault[4];
	enum faults_pfn pfn;
	uint64_t hist[FAULTS_HIST_SLOTS];	/* log2 latency, ns */
	/* the same, per class (class_hist[c] sums to classes[c]) */
	uint64_t class_hist[MMSCOPE_FC_NR][FAULTS_HIST_SLOTS];
	struct faults_vma vmas[FAULTS_TOP_VMAS];
	uint64_t vmas_other;
	bool kprobe;			/* kprobes were used */
	bool walk;			/* the programs walk the page table */
	/* ... with its loads inlined (bpf_rdonly_cast), not helper calls */
	bool cast_walk;
	/*
	 * The BPF programs' own cost, from struct bpf_prog_info (run_cnt,
	 * run_time_ns), which the kernel counts only while the sysctl
	 * kernel.bpf_stats_enabled is 1: bpf_stats says whether it was at
	 * the end of the trace.
	 */
	bool bpf_stats;
	unsigned int nprogs;
	struct faults_prog_cost {
		char name[32];
		uint64_t runs, run_time_ns;
	} progs[FAULTS_PROGS_MAX];
	bool raw;			/* events are calls, not merged */
	bool agg;			/* counted in the kernel (faults_kagg.c) */
	uint64_t agg_other;		/* agg: faults of keys the kernel had no row for */
	/* --stack / --kstack (faults_stack.c) */
	bool ustack, kstack;		/* captured */
	bool kstack_hidden;		/* asked for without CAP_SYS_ADMIN */
	uint64_t stack_failed[2];	/* bpf_get_stack() errors: user, kernel */
	struct sym_stats sym;		/* filled by the caller: symbolizer's */
	/* Each step of setting up and tearing down the tracer (CLOCK_MONOTONIC). */
	uint64_t setup_ns[FAULTS_STEP_NR];
};

struct mmscope_fault_stacks;

/*
 * One fault: the record of its completing call (flags, class, PFN), with
 * ts_ns its first call's start, latency_ns until its last call returned,
 * result the union of its calls' (RETRY only when none completed it), and
 * retries the calls after the first (faults_merge.c).  With raw, one call.
 */
struct faults_event {
	struct mmscope_fault f;
	uint32_t retries;
	/* --stack: the completing call's stacks (valid in the callback) */
	const struct mmscope_fault_stacks *stacks;
};

struct faults_tracer;
typedef void (*faults_event_fn)(void *ctx, const struct faults_event *e);

/* faults_merge.c: a thread's calls of one fault into one event. */
struct faults_merge;
struct faults_merge *faults_merge_new(void);
void faults_merge_call(struct faults_merge *m, const struct mmscope_fault *c,
		       const struct mmscope_fault_stacks *stacks,
		       faults_event_fn emit, void *ctx);
void faults_merge_flush(struct faults_merge *m, faults_event_fn emit,
			void *ctx);
void faults_merge_free(struct faults_merge *m);

int faults_trace_start(const struct faults_opts *o, faults_event_fn fn,
		       void *ctx, struct faults_tracer **t);
int faults_trace_poll(struct faults_tracer *t, int timeout_ms);
void faults_trace_stop(struct faults_tracer *t, struct faults_summary *s);
/* The followed command's fault counters at its exec; false before it. */
bool faults_trace_exec_base(struct faults_tracer *t, uint64_t *minflt,
			    uint64_t *majflt);

/* Whether the events of @t carry kernel stacks (--kstack and root). */
bool faults_trace_kstack(const struct faults_tracer *t);

/* Whether the events of @t carry PFNs. */
enum faults_pfn faults_trace_pfn(const struct faults_tracer *t);

/* Results that are errors (SIGSEGV, OOM...): neither minor nor major. */
#define FAULTS_FR_ERROR (MMSCOPE_FR_OOM | MMSCOPE_FR_SIGBUS | \
			 MMSCOPE_FR_SIGSEGV | MMSCOPE_FR_HWPOISON | \
			 MMSCOPE_FR_HWPOISON_LARGE | MMSCOPE_FR_FALLBACK)

/* Sort the summary's VMA table, busiest first; returns how many are used. */
unsigned int faults_summary_top(struct faults_summary *s);

#endif
