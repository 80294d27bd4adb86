// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI grammar shared by every command (bpftool's model): global
 * options up to the command name, then the command's own options through
 * cmd_getopt(), which knows the common ones too, so `mmscope -j vma 1` and
 * `mmscope vma 1 --json` are the same.  Unit-tested on the host
 * (selftests/unit/cli_parse.c) with a table of fake commands.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

bool json_output;
bool json_pretty;
const char *prog = "mmscope";

static const struct cli *cli;

#define JSON_HELP \
	"  -j, --json          machine-readable output (docs/schema/)\n"
#define PRETTY_HELP \
	"--pretty        indented JSON (implies --json)\n"
#define HELP_HELP \
	"  -h, --help          this help\n"
#define COMMON_HELP JSON_HELP "  -p, " PRETTY_HELP HELP_HELP

int error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cli && i < cli->nr_cmds; i++)
		if (!strcmp(cli->cmds[i].name, name))
			return &cli->cmds[i];
	return NULL;
}

int usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s help %s')\n", prog, name);
	return EXIT_USAGE;
}

static const char exit_help[] =
	"Exit status: 0 success, 1 runtime failure, 2 usage error; 'faults -- CMD'\n"
	"exits with CMD's status (128+N if a signal N killed it), 'lab NAME' with 4\n"
	"when this kernel cannot show the lab's claim.\n";

void cmd_help(FILE *f, const char *name)
{
	const struct cmd *c = cmd_find(name);

	if (!c)
		return;
	/* A command whose own -p is another option has --pretty only. */
	fprintf(f, "usage: %s %s %s\n\n%s.\n\nOptions:\n%s" JSON_HELP
		"  %s" PRETTY_HELP HELP_HELP "\n%s",
		prog, c->name, c->usage, c->summary, c->help,
		strstr(c->help, "  -p, ") ? "    " : "-p, ", exit_help);
	fprintf(f, "PFNs and kernel addresses are shown only to root (CAP_SYS_ADMIN): without\n"
		"it they are \"hidden\" in text and null in JSON.\n");
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [-j|--json] [-p|--pretty] COMMAND [OPTIONS] [ARGS...]\n"
		"       %s help [COMMAND]    %s --version\n\n", prog, prog, prog);
	fprintf(f, "Live views of Linux memory management (needs mmscope.ko loaded).\n\n"
		"Commands:\n");
	for (i = 0; i < cli->nr_cmds; i++)
		fprintf(f, "  %-10s %s\n", cli->cmds[i].name,
			cli->cmds[i].summary);
	fprintf(f, "\nOptions:\n" COMMON_HELP
		"  -V, --version       the CLI, JSON and module ABI versions\n\n"
		"'%s help COMMAND' (or '%s COMMAND --help') describes a command.\n%s",
		prog, prog, exit_help);
}

int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *status)
{
	static const struct option common[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 0x100 + 'p' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option all[64];
	char sopts[64];
	bool plus = shortopts[0] == '+';
	size_t n = 0, i;
	int opt;

	for (i = 0; longopts && longopts[i].name && n < 60; i++)
		all[n++] = longopts[i];
	for (i = 0; i < 3; i++)
		all[n++] = common[i];
	memset(&all[n], 0, sizeof(all[n]));
	/* ':' first: a missing value is reported as ':', not '?' */
	snprintf(sopts, sizeof(sopts), "%s:jh%s%s", plus ? "+" : "",
		 strchr(shortopts, 'p') ? "" : "p", shortopts + plus);
	opterr = 0;
	for (;;) {
		opt = getopt_long(argc, argv, sopts, all, NULL);
		if (opt == 'j') {
			json_output = true;
		} else if (opt == 0x100 + 'p' ||
			   (opt == 'p' && !strchr(shortopts, 'p'))) {
			json_output = json_pretty = true;
			json_set_pretty(true);
		} else if (opt == 'h') {
			cmd_help(stdout, argv[0]);
			*status = EXIT_OK;
			return OPT_EXIT;
		} else if (opt == ':') {
			*status = usage_error(argv[0], "option '%s' needs a value",
					      argv[optind - 1]);
			return OPT_EXIT;
		} else if (opt == '?') {
			const char *arg = argv[optind - 1], *eq = strchr(arg, '=');
			bool known = false;

			for (i = 0; eq && all[i].name; i++)
				known |= !strncmp(all[i].name, arg + 2, eq - arg - 2) &&
					 !all[i].name[eq - arg - 2];
			/* "--raw=5": getopt sets optopt to --raw's value */
			if (!strncmp(arg, "--", 2) && known)
				*status = usage_error(argv[0], "option '%.*s' takes no value",
						      (int)(strchr(arg, '=') - arg), arg);
			else if (!strncmp(arg, "--", 2) || !optopt)
				*status = usage_error(argv[0], "unknown option '%s'",
						      arg);
			else
				*status = usage_error(argv[0], "unknown option '-%c'",
						      optopt);
			return OPT_EXIT;
		} else {
			return opt;
		}
	}
}

int cli_main(const struct cli *c_, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool want_version = false;
	const struct cmd *c;
	int opt, ret;

	cli = c_;
	json_output = json_pretty = false;
	json_set_pretty(false);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = json_pretty = true;
			json_set_pretty(true);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			want_version = true;
			break;
		default:
			if (optopt)
				error("unknown option '-%c' (see '%s help')",
				      optopt, prog);
			else
				error("unknown option '%s' (see '%s help')",
				      argv[optind - 1], prog);
			return EXIT_USAGE;
		}
	}
	if (want_version)
		return cli->version();
	if (optind >= argc) {
		error("no command given (see '%s help')", prog);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!cmd_find(argv[optind + 1])) {
			error("help: unknown command '%s' (see '%s help')",
			      argv[optind + 1], prog);
			return EXIT_USAGE;
		}
		cmd_help(stdout, argv[optind + 1]);
		return EXIT_OK;
	}
	c = cmd_find(argv[optind]);
	if (!c) {
		error("unknown command '%s' (see '%s help')", argv[optind],
		      prog);
		return EXIT_USAGE;
	}
	/* The command parses its own argv from scratch (argv[0]: its name). */
	argc -= optind;
	argv += optind;
	optind = 0;
	ret = c->fn(argc, argv);
	fflush(stdout);
	if (ferror(stdout))
		return error("%s: writing the output failed", c->name);
	return ret;
}
