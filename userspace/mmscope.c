// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: see Linux memory management live.
 *
 * The table of commands (one file per command) and --version; the grammar
 * (global options, dispatch, cmd_getopt()) is in grammar.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cli.h"

#ifndef MMSCOPE_CLI_VERSION
#define MMSCOPE_CLI_VERSION "0.3"
#endif

static const struct cmd cmds[] = {
	{ "vma", cmd_vma, "[OPTIONS] PID",
	  "the mm_struct summary and every VMA of a process",
	  "      --map           a one-screen Unicode bar map of the address space\n"
	  "                      (holes compressed) instead of the table\n" },
	{ "pt", cmd_pt, "[OPTIONS] PID",
	  "page tables as runs, tables and entries per level",
	  "  -r, --range START-END  only this address range (hex or decimal)\n"
	  "      --raw           one line per entry, with the raw entry\n" },
	{ "translate", cmd_translate, "[OPTIONS] PID ADDR | --kernel ADDR",
	  "one address through every page-table level to its page",
	  "  -k, --kernel        ADDR is a kernel address, walked through the kernel's\n"
	  "                      page tables (root only; no PID)\n" },
	{ "kernel", cmd_kernel, "[OPTIONS]",
	  "the kernel's page tables by region, W+X ranges, the direct map (root only)",
	  "      --user-pgd PID  with page-table isolation: the user-mode copy of PID's\n"
	  "                      pgd, what stays mapped while its user code runs\n" },
	{ "vmalloc", cmd_vmalloc, "[OPTIONS]",
	  "every vmalloc/vmap/ioremap area with its caller and page-table cost (root only)",
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
	  "  -p, --pid PID       faults of that process only\n"
	  "  -c, --comm COMM     faults of tasks named COMM (1-15 characters)\n"
	  "      --cgroup PATH   faults of a cgroup2 directory and its descendants\n"
	  "      --min-lat USEC  faults that took at least USEC microseconds\n"
	  "      --major         major faults only\n"
	  "      --range A-B     faulting addresses in [A, B)\n"
	  "  -d, --duration SEC  stop after SEC seconds\n"
	  "      --hist          no event lines: latency histograms, all and per class\n"
	  "      --summary       no event lines: the full summary at the end\n"
	  "      --ringbuf-size BYTES  power of two, 4k-1G (default 4M)\n"
	  "      --kprobe        kprobes instead of fentry/fexit\n"
	  "      --raw           one event per handle_mm_fault() call (a retried\n"
	  "                      fault is otherwise one event with its retries)\n"
	  "      --top N         no event lines: the N heaviest sources by count and\n"
	  "                      by total latency at the end\n"
	  "      --by KEY        --top's sources: class (default), comm, vma, file, cgroup,\n"
	  "                      sym (the faulting function: captures user stacks)\n"
	  "      --interval S    no event lines: a table of faults per class every S s\n"
	  "      --live          no event lines: a table per process and kind, redrawn\n"
	  "                      every second (top style: s sorts, q quits)\n"
	  "      --stack         each fault's user stack, symbolized (frame pointers)\n"
	  "      --kstack        and its kernel stack (root: CAP_SYS_ADMIN)\n"
	  "      --stream        --hist, --top by class/comm/cgroup from a record per\n"
	  "                      fault (otherwise counted in the kernel)\n"
	  "  -- CMD [ARGS...]    run CMD and trace it (and its children) from its\n"
	  "                      exec on; the exit status is CMD's\n" },
	{ "page", cmd_page, "[OPTIONS] PFN | --phys ADDR | --pid PID ADDR",
	  "one page frame: what it is, and every process and address mapping it (root only)",
	  "      --phys          the argument is a physical address, not a PFN\n"
	  "      --pid PID       the frame mapped at virtual address ADDR of process PID\n" },
	{ "phys", cmd_phys, "[OPTIONS]",
	  "physical memory per node and zone: pageblocks by migratetype and fill, pages by kind (root only)",
	  "  -r, --range START-END  each PFN of [START, END): kind, kpageflags flags,\n"
	  "                      free block, migratetype\n" },
	{ "report", cmd_report, "[OPTIONS] -o FILE.html [-- CMD ARGS...]",
	  "one self-contained HTML page drawing processes' address spaces and page tables, buddy, slab and page faults",
	  "  -p, --pid PID       a process to draw (repeat for more, at most 16)\n"
	  "  -o, --output FILE   the HTML file ('-': stdout); with --json the report's\n"
	  "                      JSON document instead (stdout without -o)\n"
	  "      --from FILE     the page of a document saved with --json (no -p)\n"
	  "      --faults SEC    trace page faults that long (root): of CMD's process\n"
	  "                      tree, of the one -p PID, or of every task\n"
	  "      --faults-max N  fault events kept in the page (default 10000; the\n"
	  "                      others are counted as dropped)\n" },
	{ "lab", cmd_lab, "[OPTIONS] [NAME]",
	  "list the labs, or run one: a claim about memory, shown and checked",
	  "" },
};


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
	static const struct cli cli = {
		.cmds = cmds,
		.nr_cmds = sizeof(cmds) / sizeof(cmds[0]),
		.version = version,
	};

	return cli_main(&cli, argc, argv);
}
