// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope tells no more about other processes than the caller's own /proc
 * (issue 12, item 6).  In a mount namespace whose /proc is a procfs mounted
 * hidepid=invisible, uid 1000 asks mmscope about every PID: each PID that
 * this /proc hides from the user (the oracle: the kernel's own lookup of
 * /proc/PID) must be answered exactly as a PID that does not exist, by
 * every view that takes a PID.  Then, with the default /proc (hidepid=0),
 * the answer for PID 1 is the kernel's own for /proc/1/maps.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define USER_UID 1000
#define MAX_PIDS 4096

static const __u32 views[] = {
	MMSCOPE_VIEW_VMA, MMSCOPE_VIEW_PT, MMSCOPE_VIEW_TRANSLATE,
};

/* The errno of a query of @view about @pid (0 if it succeeds). */
static int ask(int fd, __u32 view, pid_t pid)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = view, .pid = pid,
		.start = 0x400000,
	};

	return ioctl(fd, MMSCOPE_IOC_QUERY, &q) ? errno : 0;
}

/* Every PID in /proc as root sees it; kernel threads marked. */
static int list_pids(pid_t *pids, bool *kthread, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) && n < max) {
		char path[64], *s;
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		s = mmt_read_file(path, NULL);
		if (!s)
			continue;
		/* Kernel threads have no VmSize line (no mm). */
		kthread[n] = !strstr(s, "VmSize:");
		pids[n++] = pid;
		free(s);
	}
	closedir(d);
	return n;
}

static pid_t absent_pid(void)
{
	char *s = mmt_read_file("/proc/sys/kernel/pid_max", NULL);
	pid_t pid = s ? atoi(s) - 1 : 32767;

	free(s);
	while (pid > 300 && kill(pid, 0) == 0)
		pid--;
	return pid;
}

static int drop_to_user(void)
{
	if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
	    setresuid(USER_UID, USER_UID, USER_UID))
		return -1;
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

TEST(hidden_pid_answered_as_absent)
{
	static pid_t pids[MAX_PIDS];
	static bool kthread[MAX_PIDS];
	int n = list_pids(pids, kthread, MAX_PIDS);
	pid_t absent = absent_pid(), child;
	int st;

	ASSERT_GT(n, 2);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		int fd, i, v, ref[3], hidden = 0, hidden_kthreads = 0, bad = 0;
		char path[64];

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("proc", "/proc", "proc", 0, "hidepid=invisible"))
			_exit(100);
		if (drop_to_user())
			_exit(101);
		fd = open("/dev/mmscope", O_RDONLY);
		if (fd < 0)
			_exit(102);
		for (v = 0; v < 3; v++)
			ref[v] = ask(fd, views[v], absent);
		if (ref[0] != ESRCH) {
			printf("# no such PID %d: %s\n", absent, strerror(ref[0]));
			_exit(103);
		}
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "/proc/%d", pids[i]);
			/* The oracle: the caller's /proc hides it. */
			if (access(path, F_OK) == 0 || errno != ENOENT)
				continue;
			if (kill(pids[i], 0) && errno == ESRCH)
				continue;	/* exited meanwhile */
			hidden++;
			hidden_kthreads += kthread[i];
			for (v = 0; v < 3; v++) {
				int got = ask(fd, views[v], pids[i]);

				if (got != ref[v]) {
					printf("# hidden PID %d (%s), view %u: %s, a PID that does not exist: %s\n",
					       pids[i], kthread[i] ? "kernel thread" : "process",
					       views[v], strerror(got), strerror(ref[v]));
					bad++;
				}
			}
		}
		printf("# %d PIDs hidden by /proc (hidepid=invisible), %d of them kernel threads\n",
		       hidden, hidden_kthreads);
		/* The user's own process is visible, and inspected. */
		if (ask(fd, MMSCOPE_VIEW_VMA, getpid()))
			bad++;
		if (hidden < 2 || !hidden_kthreads)
			_exit(104);
		_exit(bad ? 105 : 0);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	/* 100 mounts, 101 uid, 102 open, 103 reference, 104 too few, 105 told */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		TH_LOG("child status %#x", st);
	}
}

/* Where /proc hides nothing, the answer is the kernel's own for maps. */
TEST(visible_pid_answered_as_proc)
{
	pid_t child = fork();
	int st;

	ASSERT_GE(child, 0);
	if (!child) {
		int fd, want, got;

		if (drop_to_user())
			_exit(101);
		fd = open("/proc/1/maps", O_RDONLY);
		want = fd < 0 ? errno : 0;
		fd = open("/dev/mmscope", O_RDONLY);
		if (fd < 0)
			_exit(102);
		got = ask(fd, MMSCOPE_VIEW_VMA, 1);
		if (got != want) {
			printf("# PID 1: mmscope %s, /proc/1/maps %s\n",
			       strerror(got), strerror(want));
			_exit(103);
		}
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		TH_LOG("child status %#x", st);
	}
}

TEST_HARNESS_MAIN
