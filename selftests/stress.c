// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress: readers of every mmscope view at once, while target
 * processes mmap/munmap/mprotect/mremap/fork/exit, THPs split and collapse,
 * the buddy and slab allocators churn, and a module is loaded and unloaded
 * over and over (its text and data vmalloc()ed in the modules region, the
 * direct map's aliases of them split by set_memory_ro()/set_memory_x(), a
 * slab cache created and destroyed); rmmod is attempted while files are
 * open.  Bounded: MMSCOPE_STRESS_ROUNDS rounds (default 40), or
 * MMSCOPE_STRESS_SECONDS of wall time (make soak).
 *
 * Views are discovered, not listed: every file in the debugfs directory and
 * every view id the device accepts.  A new view is covered with no change
 * here.  An open, a query or a read may fail only with the errors a
 * changing target explains (ESRCH: it exited) or that answer the query
 * (ENXIO: the address is in no slab); anything else is a failure.  The runner then checks dmesg.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define DBG "/sys/kernel/debug/mmscope"
#define PG 4096UL
#define THP (2UL << 20)
#define NCHURN 3
#define NREADERS 3

struct stats {
	atomic_long rounds, reads, bytes, esrch, refused, unexpected;
	atomic_long forks, maps, rmmod_refused, exits, modloads;
	atomic_int ephemeral;		/* the latest short-lived target */
	atomic_int stop;		/* module_churn(): finish the round */
};

static struct stats *st;

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 0) : def;
}

static bool time_left(time_t deadline, long round, long rounds)
{
	return deadline ? time(NULL) < deadline : round < rounds;
}

/* ---- the churning target ------------------------------------------------- */

static void churn(unsigned int seed, time_t deadline, long rounds)
{
	long r;

	for (r = 0; time_left(deadline, r, rounds * 20); r++) {
		size_t len = (1 + rand_r(&seed) % 64) * PG;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *t, *q;
		pid_t child;

		if (p == MAP_FAILED)
			continue;
		memset(p, 1, len);
		atomic_fetch_add(&st->maps, 1);
		/* Split and merge back (mremap needs one VMA); inside p only. */
		if (len > 2 * PG) {
			mprotect(p + PG, PG, PROT_READ);
			mprotect(p + PG, PG, PROT_READ | PROT_WRITE);
		}
		q = mremap(p, len, len * 2, MREMAP_MAYMOVE);
		if (q != MAP_FAILED)
			p = q, len *= 2;
		madvise(p, len / 2, MADV_DONTNEED);
		/* A THP, then split it (partial mprotect) and collapse. */
		t = mmap(NULL, 2 * THP, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t != MAP_FAILED) {
			char *a = (char *)(((uintptr_t)t + THP - 1) & ~(THP - 1));

			madvise(a, THP, MADV_HUGEPAGE);
			memset(a, 2, THP);
			mprotect(a + PG * 7, PG, PROT_READ);
			mprotect(a + PG * 7, PG, PROT_READ | PROT_WRITE);
#ifdef MADV_COLLAPSE
			madvise(a, THP, MADV_COLLAPSE);
#else
			madvise(a, THP, 25 /* MADV_COLLAPSE */);
#endif
			munmap(a + THP / 2, PG);
			munmap(t, 2 * THP);
		}
		if (r % 4 == 0) {
			child = fork();
			if (child == 0) {
				p[0] = 3;	/* copy-on-write */
				_exit(0);
			}
			if (child > 0) {
				atomic_fetch_add(&st->forks, 1);
				waitpid(child, NULL, 0);
			}
		}
		munmap(p, len);
	}
}

/*
 * Targets that exit while they are read: each child maps and touches a few
 * MiB, lives for up to 5 ms and exits; readers pick up the latest one.
 */
static void spawn_short_lived(unsigned int seed)
{
	for (;;) {
		pid_t child = fork();

		if (child == 0) {
			size_t len = (1 + rand_r(&seed) % 8) << 20;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				memset(p, 1, len);
			usleep(rand_r(&seed) % 5000);
			_exit(0);
		}
		if (child < 0)
			continue;
		atomic_store(&st->ephemeral, child);
		waitpid(child, NULL, 0);
		atomic_fetch_add(&st->exits, 1);
		seed++;
	}
}

/* Buddy and slab churn: high-order allocations and many open files. */
static void allocator_churn(time_t deadline, long rounds)
{
	long r;

	for (r = 0; time_left(deadline, r, rounds * 4); r++) {
		size_t len = 64UL << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		int fds[256], i;

		for (i = 0; i < 256; i++)
			fds[i] = open("/proc/self/stat", O_RDONLY);
		for (i = 0; i < 256; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (p != MAP_FAILED)
			munmap(p, len);
	}
}

#define TEST_SLAB_KO "/mmscope/test_modules/mmscope_test_slab.ko"

/*
 * Module load and unload: vmalloc/vfree in the modules region, direct-map
 * splits, kmem_cache_create()/kmem_cache_destroy() (the kernel and slab
 * views read those while they change).
 */
static void module_churn(void)
{
	while (!atomic_load(&st->stop)) {
		if (!mmt_sh("insmod " TEST_SLAB_KO " count=64 2>/dev/null"))
			atomic_fetch_add(&st->modloads, 1);
		mmt_sh("rmmod mmscope_test_slab 2>/dev/null");
	}
}

/* ---- readers ------------------------------------------------------------- */

static void account(ssize_t n, int err, const char *what)
{
	if (n >= 0)
		return;
	if (err == ESRCH) {
		atomic_fetch_add(&st->esrch, 1);
	} else if (err == ENXIO || err == ENOENT) {
		/* Answers, not failures: "not in a slab", "no such cache". */
		atomic_fetch_add(&st->refused, 1);
	} else if (atomic_fetch_add(&st->unexpected, 1) < 5) {
		ksft_print_msg("%s: %s\n", what, strerror(err));
	}
}

static void drain(int fd, const char *what)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		atomic_fetch_add(&st->bytes, n);
	atomic_fetch_add(&st->reads, 1);
	account(n, errno, what);
}

static void read_debugfs_all(void)
{
	struct dirent *de;
	char path[512];
	DIR *d = opendir(DBG);

	while (d && (de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", DBG, de->d_name);
		fd = open(path, O_RDONLY);
		/* Only for a target that exited: the test set addr and cache. */
		if (fd < 0) {
			account(-1, errno, path);
			continue;
		}
		drain(fd, path);
		close(fd);
	}
	if (d)
		closedir(d);
}

static void read_device_all(pid_t target)
{
	int view;

	for (view = 1; view < MMSCOPE_VIEW_MAX; view++) {
		struct mmscope_query q = {
			.version = MMSCOPE_ABI_VERSION, .view = view,
			.pid = target, .start = 0, .end = 0,
		};
		int fd = open("/dev/mmscope", O_RDONLY);
		char what[32];

		if (fd < 0) {
			atomic_fetch_add(&st->unexpected, 1);
			continue;
		}
		strcpy(q.name, "kmalloc-64");
		snprintf(what, sizeof(what), "/dev/mmscope view %d", view);
		if (ioctl(fd, MMSCOPE_IOC_QUERY, &q) == 0)
			drain(fd, what);
		else
			account(-1, errno, what);
		close(fd);
	}
}

static void reader(pid_t *targets, time_t deadline, long rounds)
{
	long r;
	char val[16];

	for (r = 0; time_left(deadline, r, rounds); r++) {
		/* Every fourth round: a target that is about to exit. */
		pid_t t = r % 4 == 3 ? atomic_load(&st->ephemeral) :
				       targets[r % NCHURN];
		int fd = open("/sys/module/mmscope/parameters/pid", O_WRONLY);

		snprintf(val, sizeof(val), "%d", t);
		if (fd >= 0) {
			if (write(fd, val, strlen(val)) < 0 && errno != ESRCH)
				atomic_fetch_add(&st->unexpected, 1);
			close(fd);
		}
		read_debugfs_all();
		read_device_all(t);
		atomic_fetch_add(&st->rounds, 1);
	}
}

static void try_rmmod_while_open(void)
{
	char *argv[] = { "rmmod", "mmscope", NULL };
	int fd = open("/dev/mmscope", O_RDONLY), status;
	char *out;

	out = mmt_run(argv, &status, NULL);
	if (status != 0)
		atomic_fetch_add(&st->rmmod_refused, 1);
	free(out);
	if (fd >= 0)
		close(fd);
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* make soak raises the bound; the per-test timeout must follow it. */
TEST_F_TIMEOUT(stress, readers_while_everything_changes, 7200)
{
	long rounds = env_long("MMSCOPE_STRESS_ROUNDS", 40);
	long seconds = env_long("MMSCOPE_STRESS_SECONDS", 0);
	time_t deadline = seconds ? time(NULL) + seconds : 0;
	pid_t churners[NCHURN], readers[NREADERS], alloc, spawner, modder;
	int i, status, failed = 0;

	/* Arguments every debugfs view accepts (earlier tests leave junk). */
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/addr", "4096"));
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/cache",
				   "kmalloc-64"));
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	memset(st, 0, sizeof(*st));
	for (i = 0; i < NCHURN; i++) {
		churners[i] = fork();
		if (churners[i] == 0) {
			churn(i + 1, 0, 1L << 40);
			_exit(0);
		}
	}
	alloc = fork();
	if (alloc == 0) {
		allocator_churn(0, 1L << 40);
		_exit(0);
	}
	spawner = fork();
	if (spawner == 0) {
		spawn_short_lived(7);
		_exit(0);
	}
	modder = fork();
	if (modder == 0) {
		module_churn();
		_exit(0);
	}
	while (!atomic_load(&st->ephemeral))
		usleep(1000);
	for (i = 0; i < NREADERS; i++) {
		readers[i] = fork();
		if (readers[i] == 0) {
			reader(churners, deadline, rounds);
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++)
		try_rmmod_while_open();
	for (i = 0; i < NREADERS; i++) {
		waitpid(readers[i], &status, 0);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	for (i = 0; i < NCHURN; i++) {
		kill(churners[i], SIGKILL);
		waitpid(churners[i], &status, 0);
		/* A target must live until killed: its crash is a failure. */
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			ksft_print_msg("churning target %d ended early: status %#x\n",
				       churners[i], status);
			failed = 1;
		}
	}
	kill(alloc, SIGKILL);
	waitpid(alloc, NULL, 0);
	kill(spawner, SIGKILL);
	waitpid(spawner, NULL, 0);
	/* Not killed: an insmod it started must end before the last rmmod. */
	atomic_store(&st->stop, 1);
	waitpid(modder, NULL, 0);

	ksft_print_msg("stress: %ld reader rounds, %ld reads, %ld MiB read, %ld target exits seen (ESRCH), %ld clear refusals (ENXIO/ENOENT), %ld unexpected errors\n",
		       (long)st->rounds, (long)st->reads,
		       (long)(st->bytes >> 20), (long)st->esrch,
		       (long)st->refused, (long)st->unexpected);
	ksft_print_msg("stress: %d churning targets: %ld mappings, %ld forks; %ld short-lived targets exited; %ld module loads; %ld rmmod attempts refused while open\n",
		       NCHURN, (long)st->maps, (long)st->forks,
		       (long)st->exits, (long)st->modloads,
		       (long)st->rmmod_refused);
	EXPECT_EQ(0, failed);
	EXPECT_EQ(0, st->unexpected);
	EXPECT_EQ(3, st->rmmod_refused);
	EXPECT_GT(st->reads, 0);
	EXPECT_GT(st->exits, 0);
	EXPECT_GT(st->modloads, 0);
	EXPECT_EQ(0, access("/sys/module/mmscope", F_OK));
}

TEST_HARNESS_MAIN
