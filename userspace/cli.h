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
#include "names.h"

/*
 * Exit status of every command (documented in --help): 0 success, 1 a
 * runtime failure (the module, the kernel, a lab's check), 2 a usage
 * error.  `faults -- CMD` exits with CMD's status (128+N if killed by
 * signal N); `lab NAME` exits 4 when this kernel cannot show the claim.
 */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_SKIP	4

/* -j/--json and -p/--pretty, before the command or among its options. */
extern bool json_output;
extern bool json_pretty;
extern const char *prog;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;		/* after "mmscope NAME " */
	const char *summary;		/* one line for the command list */
	const char *help;		/* its options, one per line */
};

struct option;

/* The program: its commands and --version (mmscope.c; fakes in unit tests). */
struct cli {
	const struct cmd *cmds;
	size_t nr_cmds;
	int (*version)(void);
};

/* Global options, `help [CMD]`, then the command; returns the exit status. */
int cli_main(const struct cli *cli, int argc, char **argv);

/*
 * cmd_getopt() - getopt_long() for a command: its own options plus the
 * common ones (-j/--json, -p/--pretty, -h/--help; a command's own short
 * option wins over -p).  @shortopts starts with '+' to stop at the first
 * operand.  Returns the next option of the command, -1 at the end, or
 * OPT_EXIT: help was printed (status 0) or a usage error (status 2) is in
 * *@status.  Errors name the option and end with the help hint.
 */
#define OPT_EXIT	(-2)
int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *status);
/* The command's help text (also `mmscope help NAME`). */
void cmd_help(FILE *f, const char *name);

/* Subcommands (cmd_*.c): argv[0] is the subcommand name. */
int cmd_vma(int argc, char **argv);
int cmd_pt(int argc, char **argv);
void pt_run_json_head(uint64_t start, uint64_t end, unsigned int level,
		      uint64_t count, unsigned int kind, bool show_pfn,
		      uint64_t pfn, uint32_t flags);
int cmd_translate(int argc, char **argv);
int cmd_buddy(int argc, char **argv);
int cmd_slab(int argc, char **argv);
int cmd_faults(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_page(int argc, char **argv);
int cmd_phys(int argc, char **argv);
int cmd_vmalloc(int argc, char **argv);

/*
 * Errors: one line on stderr, prefixed with the program name.  error()
 * returns 1 (EXIT_FAIL); usage_error() names the command, adds the help
 * hint on the same line and returns 2 (EXIT_USAGE).
 */
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
/* The flags a record with @hidden set withholds (enum mmscope_pt_flags). */
#define PT_FLAGS_HIDDEN	(((MMSCOPE_PTF_POISONED << 1) - 1) & ~MMSCOPE_PTF_UNPRIV)
int pt_fetch(int pid, uint64_t start, uint64_t end, bool raw,
	     struct mmscope_result *res);
void pt_print_text(FILE *f, const struct mmscope_result *res);
int translate_fetch(int pid, uint64_t addr, struct mmscope_result *res);
/* cmd_kernel.c: the kernel view, and the error of a refused kernel view. */
int kernel_fetch(struct mmscope_result *res);
int kernel_error(int err, const char *what);
void translate_print_text(FILE *f, const struct mmscope_result *res);

#include "trace.h"		/* the page-fault tracer, also used by labs */

/* Views reusable by the labs: fetch, then print to any stream. */
int vma_fetch(int pid, struct mmscope_result *res);
void vma_print_text(FILE *f, const struct mmscope_result *res, bool summary);
/* The --json documents of vma, pt, translate, slab and phys (also report). */
void vma_print_json(const struct mmscope_result *res, int pid);
void pt_print_json(int pid, const struct mmscope_result *res);
void translate_print_json(int pid, uint64_t addr,
			  const struct mmscope_result *res);
void slab_print_json(const struct mmscope_result *res, int key);
void phys_print_json(const struct mmscope_result *res);
int cmd_report(int argc, char **argv);
/* vma_map.c: vma --map, the address space as a one-screen bar map. */
void vma_print_map(FILE *f, const struct mmscope_result *res);

/* slab: --addr when @by_addr, else --cache when @cache, else every cache. */
int slab_fetch(const char *cache, uint64_t addr, bool by_addr,
	       struct mmscope_result *res);
/* @key: 0 name, 1 memory, 2 objects, 3 slabs, 4 waste. */
void slab_print_text(FILE *f, const struct mmscope_result *res, int key);

/* cmd_buddy.c: the buddy views, fetched and printed (also used by labs). */
int buddy_fetch(bool blocks, struct mmscope_result *res);
void buddy_print_text(FILE *f, const struct mmscope_result *res);
void buddy_print_json(const struct mmscope_result *res, bool blocks);

/* cmd_phys.c: the map (@end 0) or the PFNs [@start, @end). */
int phys_fetch(uint64_t start, uint64_t end, struct mmscope_result *res);

#endif
