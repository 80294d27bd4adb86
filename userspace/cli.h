/* SPDX-License-Identifier: GPL-2.0 */
/* The mmscope CLI: shared declarations.  One file per subcommand. */
#ifndef MMSCOPE_CLI_H
#define MMSCOPE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "mmscope.h"		/* module/uapi: the record formats */
#include "json.h"

/* Set once by main() from -j/--json anywhere before "--". */
extern bool json_output;
extern const char *prog;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

/* Subcommands (cmd_*.c): argv[0] is the subcommand name. */
int cmd_vma(int argc, char **argv);
int cmd_pt(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_buddy(int argc, char **argv);
int cmd_slab(int argc, char **argv);
int cmd_faults(int argc, char **argv);
int cmd_lab(int argc, char **argv);

/* Errors: one line on stderr, prefixed with the program name; return 1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* parse.c: strict parsers; 0 on success, -1 on bad input. */
int parse_pid(const char *s, int *pid);
int parse_u64(const char *s, uint64_t *v);	/* decimal or 0x hex */
int parse_range(const char *s, uint64_t *start, uint64_t *end); /* A-B */
int parse_size(const char *s, uint64_t *v);	/* 4096, 4k, 2M, 1G */
const char *fmt_size(uint64_t bytes, char *buf, size_t len); /* "2.0 MiB" */

/* dev.c: run one query on /dev/mmscope and read all of its records. */
struct mmscope_result {
	void *buf;
	size_t len;
	const struct mmscope_end *end;	/* NULL if the stream was cut */
};

int dev_query(const struct mmscope_query *q, struct mmscope_result *res);
void dev_result_free(struct mmscope_result *res);
/* Iterate records: for (r = NULL; (r = dev_next(res, r));) */
const struct mmscope_rec_hdr *dev_next(const struct mmscope_result *res,
				       const struct mmscope_rec_hdr *prev);
/* Explain an errno from a query on @pid (or -1) in one line; returns 1. */
int dev_error(int err, const char *what, int pid);

/* cmd_pt.c, cmd_translate.c: page tables (also used by the labs). */
const char *pt_level_name(unsigned int level);
const char *pt_kind_name(unsigned int kind);
void pt_flags_str(uint32_t flags, char *buf, size_t len);
/* The flags a record with @hidden set withholds (enum mmscope_pt_flags). */
#define PT_FLAGS_HIDDEN	(((MMSCOPE_PTF_POISONED << 1) - 1) & ~MMSCOPE_PTF_UNPRIV)
int pt_fetch(int pid, uint64_t start, uint64_t end, bool raw,
	     struct mmscope_result *res);
void pt_print_text(FILE *f, const struct mmscope_result *res);
int translate_fetch(int pid, uint64_t addr, struct mmscope_result *res);
void translate_print_text(FILE *f, const struct mmscope_result *res);

/*
 * cmd_faults.c: the page-fault tracer, callable from C (labs trace a child
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
	/* /proc/vmstat pgfault before and after attach, before and after detach */
	uint64_t pgfault[4];
	enum faults_pfn pfn;
	uint64_t hist[FAULTS_HIST_SLOTS];	/* log2 latency, ns */
	struct faults_vma vmas[FAULTS_TOP_VMAS];
	uint64_t vmas_other;
	bool kprobe;			/* kprobes were used */
};

struct faults_child {
	int pid;
	int status;
	bool reaped;
	uint64_t minflt, majflt;	/* from wait4(), since its exec */
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

/* Views reusable by the labs: fetch, then print to any stream. */
int vma_fetch(int pid, struct mmscope_result *res);
void vma_print_text(FILE *f, const struct mmscope_result *res, bool summary);

/* slab: --addr when @by_addr, else --cache when @cache, else every cache. */
int slab_fetch(const char *cache, uint64_t addr, bool by_addr,
	       struct mmscope_result *res);
/* @key: 0 name, 1 memory, 2 objects, 3 slabs, 4 waste. */
void slab_print_text(FILE *f, const struct mmscope_result *res, int key);

/* cmd_buddy.c: the buddy views, fetched and printed (also used by labs). */
int buddy_fetch(bool blocks, struct mmscope_result *res);
void buddy_print_text(FILE *f, const struct mmscope_result *res);
void buddy_print_json(const struct mmscope_result *res, bool blocks);

#endif
