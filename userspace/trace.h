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
	bool ustack;			/* --stack: the user stack of each fault */
	bool kstack;			/* --kstack: the kernel's (CAP_SYS_ADMIN) */
};

#define FAULTS_HIST_SLOTS	40
#define FAULTS_TOP_VMAS		256

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
	uint64_t events;		/* received */
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
	struct faults_vma vmas[FAULTS_TOP_VMAS];
	uint64_t vmas_other;
	bool kprobe;			/* kprobes were used */
	/* --stack / --kstack (faults_stack.c) */
	bool ustack, kstack;		/* captured */
	bool kstack_hidden;		/* asked for without CAP_SYS_ADMIN */
	uint64_t stack_failed[2];	/* bpf_get_stack() errors: user, kernel */
	struct sym_stats sym;		/* filled by the caller: symbolizer's */
};

struct faults_tracer;
typedef void (*faults_event_fn)(void *ctx, const struct mmscope_fault *e);

int faults_trace_start(const struct faults_opts *o, faults_event_fn fn,
		       void *ctx, struct faults_tracer **t);
int faults_trace_poll(struct faults_tracer *t, int timeout_ms);
void faults_trace_stop(struct faults_tracer *t, struct faults_summary *s);
/* The followed command's fault counters at its exec; false before it. */
bool faults_trace_exec_base(struct faults_tracer *t, uint64_t *minflt,
			    uint64_t *majflt);

struct mmscope_fault_stacks;
/* Inside the event callback: the event's stacks (--stack), else NULL. */
const struct mmscope_fault_stacks *
faults_trace_stacks(const struct faults_tracer *t);

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
