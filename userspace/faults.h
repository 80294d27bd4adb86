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
/* The errno of a failed exec, 0 if the command ran (or never started). */
int child_exec_error(int err_fd);
/* Reap @c if it has exited, waiting up to @block_ms; true once reaped. */
bool reap_child(struct faults_child *c, struct faults_tracer *t, int block_ms);
/* SIGTERM, 2 s, SIGKILL, 2 s: never blocks longer. */
void end_child(struct faults_child *c, struct faults_tracer *t);

/* faults_print.c: one event (text line or JSON record), the summary. */
struct faults_out {
	bool live;			/* a line (or JSON record) per event */
	uint64_t t0;
	enum faults_pfn pfn;
	/* --stack: the tracer (the event's stacks) and the symbolizer */
	struct faults_tracer *t;
	struct symbolizer *sym;
	bool kstack;			/* kernel stacks captured */
	bool kstack_hidden;		/* asked for, hidden: no CAP_SYS_ADMIN */
};

void faults_print_header(void);
const char *fault_class_name(uint32_t c);
void faults_print_event(void *ctx, const struct mmscope_fault *e);
void faults_print_summary(struct faults_summary *s, const struct faults_child *c,
			  bool full, bool hist);

/* faults_stack.c: --stack / --kstack frames and their summary. */
void faults_stack_text(struct faults_out *out, const struct mmscope_fault *e);
void faults_stack_json(struct faults_out *out, const struct mmscope_fault *e);
void faults_stack_summary(const struct faults_summary *s);

#endif
