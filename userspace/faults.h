/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope faults internals: the traced command and the output. */
#ifndef MMSCOPE_FAULTS_H
#define MMSCOPE_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "trace.h"

/* child.c: the command of `faults -- CMD`. */
struct faults_child {
	int pid;
	int status;			/* exit code, or 128 + signal */
	bool reaped;
	uint64_t minflt, majflt;	/* from wait4(), since its exec */
};

/*
 * Fork @argv stopped: it execs once a byte is written to *@go_fd (after
 * the tracer is attached).  Returns the pid or -1 (errno set); *@err_fd
 * tells an exec failure (child_exec_error(), after the child is reaped).
 */
pid_t spawn_stopped(char **argv, int *go_fd, int *err_fd);
/* Let the child of spawn_stopped() exec; closes *@go_fd.  0, or -1. */
int start_stopped(int *go_fd);
/* The errno of a failed exec, 0 if the command ran (or never started). */
int child_exec_error(int err_fd);
/* Reap @c if it has exited, waiting up to @block_ms; true once reaped. */
bool reap_child(struct faults_child *c, struct faults_tracer *t, int block_ms);
/* SIGTERM, 2 s, SIGKILL, 2 s: never blocks longer. */
void end_child(struct faults_child *c, struct faults_tracer *t);

/* faults_agg.c: --top N --by KEY, --interval S. */
enum faults_by {
	FAULTS_BY_NONE, FAULTS_BY_CLASS, FAULTS_BY_COMM, FAULTS_BY_VMA,
	FAULTS_BY_FILE, FAULTS_BY_CGROUP, FAULTS_BY_SYM,
};

struct faults_top;

struct faults_interval {
	uint64_t period_ns;		/* 0: no --interval */
	uint64_t t0_ns, start_ns;	/* CLOCK_MONOTONIC: trace, interval */
	uint64_t seq;
	uint64_t faults, retries, latency_ns, max_ns;
	uint64_t classes[MMSCOPE_FC_NR];
};

enum faults_by faults_by_parse(const char *s);
struct faults_top *faults_top_new(enum faults_by by, unsigned int n,
				  struct symbolizer *sym);
void faults_top_add(struct faults_top *t, const struct faults_event *ev);
void faults_top_print(struct faults_top *t);
enum faults_by faults_top_by(const struct faults_top *t);
bool faults_top_add_row(struct faults_top *t, const char *key,
			uint64_t faults, uint64_t latency_ns, uint64_t max_ns);
void faults_top_add_other(struct faults_top *t, uint64_t faults,
			  uint64_t latency_ns, uint64_t max_ns);
void faults_top_free(struct faults_top *t);
void faults_interval_add(struct faults_interval *iv,
			 const struct faults_event *ev);
void faults_interval_print(struct faults_interval *iv, uint64_t now);
void faults_interval_legend(void);

/* faults_kagg.c: --hist, --top by class|comm|cgroup counted in the kernel. */
struct faults_bpf;
bool faults_kagg_possible(const struct faults_opts *o, bool events);
int faults_kagg_read(struct faults_bpf *skel, struct faults_summary *s,
		     struct faults_top *top);

/* faults_live.c: --live, a table per process redrawn every second. */
struct faults_live;
struct faults_live *faults_live_new(uint64_t now);
void faults_live_add(struct faults_live *l, const struct faults_event *ev);
bool faults_live_tick(struct faults_live *l, uint64_t now);
void faults_live_free(struct faults_live *l, uint64_t now);

/* faults_print.c: one event (text line or JSON record), the summary. */
struct faults_out {
	bool live;			/* a line (or JSON record) per event */
	uint64_t t0;
	enum faults_pfn pfn;
	struct faults_top *top;		/* --top, or NULL */
	struct faults_interval *iv;	/* --interval, or NULL */
	struct faults_live *table;	/* --live, or NULL */
	/* --stack: the symbolizer (the event carries its stacks) */
	struct symbolizer *sym;
	bool kstack;			/* kernel stacks captured */
	bool kstack_hidden;		/* asked for, hidden: no CAP_SYS_ADMIN */
};

void faults_print_header(void);
const char *fault_class_name(uint32_t c);
void faults_print_event(void *ctx, const struct faults_event *ev);
void faults_print_summary(struct faults_summary *s, const struct faults_child *c,
			  bool full, bool hist);
/* The same JSON records, for the report's document. */
void faults_event_json(const struct faults_event *ev);
void faults_summary_json(struct faults_summary *s, const struct faults_child *c);

/* faults_stack.c: --stack / --kstack frames and their summary. */
void faults_stack_text(struct faults_out *out, const struct faults_event *ev);
void faults_stack_json(struct faults_out *out, const struct faults_event *ev);
void faults_stack_summary(const struct faults_summary *s);

#endif
