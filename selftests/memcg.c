// SPDX-License-Identifier: GPL-2.0
/*
 * What a user makes the module hold is charged to the user (issue 12,
 * item 4).  /dev/mmscope is readable by all, and every open, query and
 * read makes the module keep memory (the view's state, its output buffer).
 * An unprivileged user (uid 1000) in a memory cgroup of MEMCG_LIMIT opens,
 * queries and reads descriptors until something fails: it must hit its own
 * limit (ENOMEM, or its cgroup's OOM killer) long before MAX_FDS, and the
 * machine's MemAvailable must not drop by much more than that limit.
 *
 * Oracles: the cgroup's own memory.events (max, oom_kill) and memory.peak,
 * and /proc/meminfo's MemAvailable; nothing of mmscope's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define USER_UID	1000
#define CGROOT		"/sys/fs/cgroup"
#define CG		CGROOT "/mmscope-memcg"
#define MEMCG_LIMIT	(8LL << 20)
/* Enough descriptors to pin far more than the limit before the fix. */
#define MAX_FDS		4000
/* Slack for what the rest of the machine does meanwhile. */
#define SLACK		(16LL << 20)

struct shared {
	int opened;		/* descriptors opened, queried and read */
	int err;		/* errno of the first failure */
	int step;		/* 1 open, 2 query, 3 read */
	long long avail_min;	/* lowest MemAvailable seen, bytes */
};

static long long meminfo_bytes(const char *key)
{
	char *s = mmt_read_file("/proc/meminfo", NULL), *p;
	long long kb = -1;

	if (!s)
		return -1;
	p = strstr(s, key);
	if (p)
		kb = strtoll(p + strlen(key) + 1, NULL, 10);
	free(s);
	return kb < 0 ? -1 : kb << 10;
}

/* "key value" line of a cgroup file such as memory.events; -1 if none. */
static long long cg_key(const char *file, const char *key)
{
	char path[256], *s, *p;
	long long v = -1;

	snprintf(path, sizeof(path), CG "/%s", file);
	s = mmt_read_file(path, NULL);
	if (!s)
		return -1;
	for (p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == ' ')
			v = strtoll(p + strlen(key) + 1, NULL, 10);
	free(s);
	return v;
}

static long long cg_value(const char *file)
{
	char path[256], *s;
	long long v;

	snprintf(path, sizeof(path), CG "/%s", file);
	s = mmt_read_file(path, NULL);
	if (!s)
		return -1;
	v = strtoll(s, NULL, 10);
	free(s);
	return v;
}

/* cgroup v2 with the memory controller for children of the root: or why not. */
static const char *cgroup_setup(void)
{
	struct statfs sfs;
	char *ctl;
	bool mem;

	if (statfs(CGROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		mkdir(CGROOT, 0755);
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
			return "cgroup2 cannot be mounted at " CGROOT;
	}
	ctl = mmt_read_file(CGROOT "/cgroup.controllers", NULL);
	mem = ctl && strstr(ctl, "memory");
	free(ctl);
	if (!mem)
		return "no memory controller in " CGROOT "/cgroup.controllers";
	if (mmt_write_str(CGROOT "/cgroup.subtree_control", "+memory"))
		return "+memory cannot be enabled in the root's subtree_control";
	rmdir(CG);
	if (mkdir(CG, 0755))
		return "cannot create " CG;
	return NULL;
}

static void user_child(struct shared *sh, int go, int ready)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_VMA,
	};
	char buf[512], c;
	long long avail;
	int i, fd;

	if (read(go, &c, 1) != 1)
		_exit(1);
	if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
	    setresuid(USER_UID, USER_UID, USER_UID))
		_exit(2);
	q.pid = getpid();
	for (i = 0; i < MAX_FDS; i++) {
		fd = open("/dev/mmscope", O_RDONLY);
		if (fd < 0) {
			sh->step = 1;
			break;
		}
		if (ioctl(fd, MMSCOPE_IOC_QUERY, &q)) {
			sh->step = 2;
			break;
		}
		/* Part of the stream: the rest stays in the module. */
		if (read(fd, buf, sizeof(buf)) <= 0) {
			sh->step = 3;
			break;
		}
		sh->opened = i + 1;
		if (i % 32 == 0) {
			avail = meminfo_bytes("MemAvailable:");
			if (avail > 0 && avail < sh->avail_min)
				sh->avail_min = avail;
		}
	}
	sh->err = i < MAX_FDS ? errno : 0;
	avail = meminfo_bytes("MemAvailable:");
	if (avail > 0 && avail < sh->avail_min)
		sh->avail_min = avail;
	/* Hold every descriptor until the parent has looked. */
	c = 0;
	if (write(ready, &c, 1) != 1)
		_exit(3);
	pause();
	_exit(0);
}

TEST(descriptors_charged_to_their_user)
{
	struct rlimit rl = { MAX_FDS + 64, MAX_FDS + 64 };
	long long before, drop, peak, max_events, ooms, avail, after;
	int go[2], ready[2], st;
	struct shared *sh;
	const char *why;
	char pidstr[16], c;
	pid_t child;

	why = cgroup_setup();
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mmt_write_str(CG "/memory.max", "8388608"));
	/* Charges stay in memory: what is not reclaimable is counted. */
	mmt_write_str(CG "/memory.swap.max", "0");
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	before = meminfo_bytes("MemAvailable:");
	ASSERT_GT(before, 0);
	sh->avail_min = before;

	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		close(go[1]);
		close(ready[0]);
		user_child(sh, go[0], ready[1]);
	}
	close(go[0]);
	close(ready[1]);
	snprintf(pidstr, sizeof(pidstr), "%d", child);
	ASSERT_EQ(0, mmt_write_str(CG "/cgroup.procs", pidstr));
	ASSERT_EQ(1, write(go[1], "g", 1));
	/* A byte when the child stops, EOF if its cgroup killed it. */
	if (read(ready[0], &c, 1) == 1) {
		avail = meminfo_bytes("MemAvailable:");
		if (avail > 0 && avail < sh->avail_min)
			sh->avail_min = avail;
	}
	peak = cg_value("memory.peak");
	max_events = cg_key("memory.events", "max");
	ooms = cg_key("memory.events", "oom_kill");
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	/* Its descriptors closed: what they held is uncharged (no leak). */
	after = cg_value("memory.current");
	drop = before - sh->avail_min;
	TH_LOG("uid %d: %d descriptors (stopped at step %d: %s%s), cgroup peak %lld KiB, events max %lld oom_kill %lld; MemAvailable dropped by %lld KiB (limit %lld KiB)",
	       USER_UID, sh->opened, sh->step, strerror(sh->err),
	       WIFSIGNALED(st) && ooms > 0 ? ", then OOM-killed" : "",
	       peak >> 10, max_events, ooms, drop >> 10, MEMCG_LIMIT >> 10);

	/* Its own limit stopped it, well before MAX_FDS. */
	EXPECT_LT(sh->opened, MAX_FDS);
	EXPECT_GT(max_events, 0);
	EXPECT_TRUE(sh->err == ENOMEM || sh->err == EMFILE || ooms > 0) {
		TH_LOG("stopped by %s, not by its memory cgroup",
		       strerror(sh->err));
	}
	/* What its descriptors pinned was charged to it ... */
	EXPECT_GE(peak, MEMCG_LIMIT / 2);
	/* ... and not to the rest of the machine. */
	EXPECT_LE(drop, MEMCG_LIMIT + SLACK);
	/* Closed, they give it all back (per-CPU charge stocks aside). */
	EXPECT_LE(after, 2LL << 20) {
		TH_LOG("memory.current %lld KiB after the descriptors closed",
		       after >> 10);
	}
	/* Per descriptor: at most the limit spread over what it opened. */
	if (sh->opened > 0)
		TH_LOG("about %lld bytes charged per descriptor",
		       peak / sh->opened);
	munmap(sh, sizeof(*sh));
	for (int i = 0; i < 100 && rmdir(CG); i++)
		usleep(10000);
}

TEST_HARNESS_MAIN
