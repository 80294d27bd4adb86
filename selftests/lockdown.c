// SPDX-License-Identifier: GPL-2.0
/*
 * Under lockdown (integrity, as Debian turns on under Secure Boot) debugfs
 * refuses writes and files whose mode exceeds 0444.  Every mmscope file must
 * stay readable and the target must still be selectable.
 *
 * Lockdown cannot be lifted: this test runs last (selftests/TESTS).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define LOCKDOWN "/sys/kernel/security/lockdown"
#define DBG "/sys/kernel/debug/mmscope"

/* Is @sub a subcommand of this build of the CLI? */
static bool cli_has(const char *sub)
{
	char *argv[] = { (char *)mmt_cli(), "help", NULL };
	char pat[64], *out;
	int status;
	bool has;

	out = mmt_run(argv, &status, NULL);
	snprintf(pat, sizeof(pat), "\n  %s ", sub);
	has = out && strstr(out, pat);
	free(out);
	return has;
}

TEST(read_paths_under_lockdown)
{
	char *lock, val[32], path[512], addr[32];
	static char page[4096] __attribute__((aligned(4096)));
	/*
	 * The read paths of every view: one line per CLI subcommand.
	 * "@PID" is this process, "@ADDR" an address mapped in it.
	 */
	const char *const cmds[][5] = {
		{ "vma", "@PID", "--json" },
		{ "pt", "@PID", "--json" },
		{ "translate", "@PID", "@ADDR", "--json" },
		{ "buddy", "--json" },
		{ "slab", "--json" },
		{ "faults", "--duration", "1", "--summary" },
		{ "lab", "vma" },
		{ "kernel", "--json" },
		{ "vmalloc", "--json" },
	};
	struct dirent *de;
	size_t i;
	DIR *d;
	int files = 0;

	if (access(LOCKDOWN, F_OK))
		mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	lock = mmt_read_file(LOCKDOWN, NULL);
	/* Debian's kernels all have the lockdown LSM: missing is a failure. */
	ASSERT_NE(NULL, lock) TH_LOG("no lockdown LSM in this kernel (%s: %s)",
				     LOCKDOWN, strerror(errno));
	free(lock);
	page[0] = 1;
	snprintf(addr, sizeof(addr), "%p", page);
	snprintf(val, sizeof(val), "%d", getpid());
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/pid", val));
	/* Every view's parameter names something that exists. */
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/cache",
				   "kmalloc-64"));

	ASSERT_EQ(0, mmt_write_str(LOCKDOWN, "integrity"));
	lock = mmt_read_file(LOCKDOWN, NULL);
	ASSERT_NE(NULL, strstr(lock, "[integrity]"));
	free(lock);
	/* Lockdown is real: a writable debugfs file now refuses writes. */
	EXPECT_EQ(-EPERM, mmt_write_str("/sys/kernel/debug/fault_around_bytes",
				    "65536"));

	/* Selecting the target still works: module parameters are sysfs. */
	EXPECT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/pid", val));
	EXPECT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/addr", addr));

	/* Every debugfs file opens and reads (0400, no ioctl, no mmap). */
	d = opendir(DBG);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		char *text;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", DBG, de->d_name);
		fd = open(path, O_RDONLY);
		EXPECT_TRUE(fd >= 0 || errno != EPERM) {
			TH_LOG("%s: EPERM under lockdown", path);
		}
		if (fd >= 0)
			close(fd);
		text = mmt_read_file(path, NULL);
		EXPECT_NE(NULL, text) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		free(text);
		files++;
	}
	closedir(d);
	EXPECT_GT(files, 0);

	/* Every CLI view works through /dev/mmscope. */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *argv[8] = { (char *)mmt_cli() }, *out, *err;
		int j, status;

		if (!cli_has(cmds[i][0])) {
			ksft_print_msg("'%s' is not in this build; not checked\n",
				       cmds[i][0]);
			continue;
		}
		for (j = 0; j < 5 && cmds[i][j]; j++)
			argv[j + 1] = !strcmp(cmds[i][j], "@PID") ? val :
				      !strcmp(cmds[i][j], "@ADDR") ? addr :
				      (char *)cmds[i][j];
		out = mmt_run(argv, &status, &err);
		EXPECT_EQ(0, status) {
			TH_LOG("mmscope %s under lockdown: %s", cmds[i][0], err);
		}
		free(out);
		free(err);
	}
}

TEST_HARNESS_MAIN
