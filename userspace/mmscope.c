// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: see Linux memory management live.
 *
 * One grammar for every command (bpftool's model): main() parses the
 * global options (-j/--json, -p/--pretty, -h/--help, -V/--version) up to
 * the command name, then dispatches through cmds[]; each command parses
 * its own options with cmd_getopt(), which knows the common ones too, so
 * `mmscope -j vma 1` and `mmscope vma 1 --json` are the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cli.h"

#ifndef MMSCOPE_CLI_VERSION
#define MMSCOPE_CLI_VERSION "0.3"
#endif

bool json_output;
bool json_pretty;
const char *prog = "mmscope";

#define COMMON_HELP \
	"  -j, --json          machine-readable output (docs/schema/)\n" \
	"  -p, --pretty        indented JSON (implies --json)\n" \
	"  -h, --help          this help\n"

static const struct cmd cmds[] = {
	{ "vma", cmd_vma, "[OPTIONS] PID",
	  "the mm_struct summary and every VMA of a process",
	  "" },
	{ "pt", cmd_pt, "[OPTIONS] PID",
	  "page tables as runs, tables and entries per level",
	  "  -r, --range START-END  only this address range (hex or decimal)\n"
	  "      --raw           one line per entry, with the raw entry\n" },
	{ "translate", cmd_translate, "[OPTIONS] PID ADDR",
	  "one address through every page-table level to its page",
	  "" },
	{ "buddy", cmd_buddy, "[OPTIONS]",
	  "free blocks per node, zone, order and migratetype; fragmentation",
	  "  -b, --blocks        every free block (root only)\n" },
	{ "slab", cmd_slab, "[OPTIONS]",
	  "slab caches slabtop-style, the slabs of one cache, or the object at a kernel address",
	  "  -s, --sort KEY      name, size (default), objs, slabs or waste\n"
	  "  -c, --cache NAME    the slabs of one cache\n"
	  "  -a, --addr ADDR     the cache, slab and object of a kernel address\n" },
	{ "faults", cmd_faults, "[OPTIONS] [-- CMD [ARGS...]]",
	  "live page faults with their VMA, result, latency and new PFN (BPF)",
	  "  -p, --pid PID       faults of that process only (--pretty has no\n"
	  "                      short form here)\n"
	  "  -c, --comm COMM     faults of tasks named COMM (1-15 characters)\n"
	  "      --cgroup PATH   faults of a cgroup2 directory and its descendants\n"
	  "      --min-lat USEC  faults that took at least USEC microseconds\n"
	  "      --major         major faults only\n"
	  "      --range A-B     faulting addresses in [A, B)\n"
	  "  -d, --duration SEC  stop after SEC seconds\n"
	  "      --hist          no event lines: a latency histogram at the end\n"
	  "      --summary       no event lines: the full summary at the end\n"
	  "      --ringbuf-size BYTES  power of two, 4k-1G (default 4M)\n"
	  "      --kprobe        kprobes instead of fentry/fexit\n"
	  "  -- CMD [ARGS...]    run CMD and trace it (and its children) from its\n"
	  "                      exec on; the exit status is CMD's\n" },
	{ "lab", cmd_lab, "[OPTIONS] [NAME]",
	  "list the labs, or run one: a claim about memory, shown and checked",
	  "" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

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

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
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
	fprintf(f, "usage: %s %s %s\n\n%s.\n\nOptions:\n%s" COMMON_HELP "\n%s",
		prog, c->name, c->usage, c->summary, c->help, exit_help);
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
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
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
			if (optopt && optopt < 0x100)
				*status = usage_error(argv[0], "unknown option '-%c'",
						      optopt);
			else
				*status = usage_error(argv[0], "unknown option '%s'",
						      argv[optind - 1]);
			return OPT_EXIT;
		} else {
			return opt;
		}
	}
}

/*
 * The ABI of the loaded module: a query on no view is refused with EPROTO
 * for another ABI version, EOPNOTSUPP (or EINVAL) for the right one.  No
 * view is started.  Returns the version, 0 if no version answers, -errno
 * if the device cannot be opened.
 */
static int module_abi(void)
{
	struct mmscope_query q = { .view = 0 };
	int fd, v, found = 0;

	fd = open("/dev/" MMSCOPE_DEV_NAME, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (v = 1; v <= MMSCOPE_ABI_VERSION + 8 && !found; v++) {
		q.version = v;
		if (ioctl(fd, MMSCOPE_IOC_QUERY, &q) == 0 || errno != EPROTO)
			found = v;
	}
	close(fd);
	return found;
}

static int version(void)
{
	int abi = module_abi();

	if (json_output) {
		json_obj_open(NULL);
		json_str("type", "version");
		json_str("cli", MMSCOPE_CLI_VERSION);
		json_u64("json", MMSCOPE_JSON_VERSION);
		json_u64("abi", MMSCOPE_ABI_VERSION);
		if (abi > 0)
			json_u64("module_abi", abi);
		else
			json_null("module_abi");
		json_obj_close();
		return EXIT_OK;
	}
	printf("%s %s (JSON version %d, module ABI %d)\n", prog,
	       MMSCOPE_CLI_VERSION, MMSCOPE_JSON_VERSION, MMSCOPE_ABI_VERSION);
	if (abi > 0)
		printf("loaded module: ABI %d%s\n", abi,
		       abi == MMSCOPE_ABI_VERSION ? "" :
		       " (another version: rebuild and reload one of them)");
	else if (abi == 0)
		printf("loaded module: ABI unknown (no version answered)\n");
	else
		printf("loaded module: none (/dev/%s: %s)\n", MMSCOPE_DEV_NAME,
		       strerror(-abi));
	return EXIT_OK;
}

int main(int argc, char **argv)
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
		return version();
	if (optind >= argc) {
		usage(stderr);
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
