// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: see Linux memory management live.
 *
 * main() parses the options common to every subcommand (-j/--json, -h),
 * then dispatches through cmds[], one file per subcommand (bpftool style).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

bool json_output;
const char *prog = "mmscope";

static const struct cmd cmds[] = {
	{ "vma", cmd_vma, "vma PID [--json]",
	  "the mm_struct summary and every VMA of a process" },
	{ "pt", cmd_pt, "pt PID [--range START-END] [--raw] [--json]",
	  "page tables as runs, tables and entries per level" },
	{ "translate", cmd_translate, "translate PID ADDR [--json]",
	  "one address through every page-table level to its page" },
	{ "buddy", cmd_buddy, "buddy [--blocks] [--json]",
	  "free blocks per node, zone, order and migratetype; fragmentation" },
	{ "slab", cmd_slab, "slab [--sort=name|size|objs|slabs|waste] [--cache NAME] [--addr ADDR] [--json]",
	  "slab caches slabtop-style, the slabs of one cache, or the object at a kernel address" },
	{ "faults", cmd_faults,
	  "faults [-p PID] [-c COMM] [--cgroup PATH] [--min-lat USEC] [--major]\n"
	  "         [--range A-B] [--duration S] [--hist] [--summary]\n"
	  "         [--ringbuf-size BYTES] [--json] [-- CMD ARGS...]",
	  "live page faults with their VMA, result, latency and new PFN (BPF)" },
	{ "lab", cmd_lab, "lab [NAME]",
	  "list the labs, or run one: a claim about memory, shown and checked" },
};

int error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int usage_error(const char *name, const char *fmt, ...)
{
	const struct cmd *c = cmd_find(name);
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: %s %s\n", prog, c->usage);
	return 2;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [--json] COMMAND [ARGS...]\n\n", prog);
	fprintf(f, "Live views of Linux memory management (needs mmscope.ko loaded).\n\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-46s %s\n", cmds[i].usage, cmds[i].help);
	fprintf(f, "\n  --json, -j   machine-readable output (addresses as \"0x...\" strings)\n");
	fprintf(f, "PFNs and kernel addresses are shown only to root (CAP_SYS_ADMIN).\n");
}

/* Remove -j/--json from argv (up to "--"), wherever it appears. */
static int take_json_flag(int argc, char **argv)
{
	int i, n = 0;
	bool rest = false;

	for (i = 0; i < argc; i++) {
		if (!rest && !strcmp(argv[i], "--"))
			rest = true;
		if (!rest && (!strcmp(argv[i], "--json") ||
			      !strcmp(argv[i], "-j"))) {
			json_output = true;
			continue;
		}
		argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	argc = take_json_flag(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		error("unknown command '%s' (try '%s help')", argv[1], prog);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
