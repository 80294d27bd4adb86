// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vma: the CLI's JSON against the kernel's own /proc/PID/maps and
 * /proc/PID/status, for the test itself, PID 1 and a workload with many kinds
 * of VMAs; and every bad input the issue names.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG 4096UL
#define MANY_VMAS 10000
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

/* ---- comparing a vma --json document with /proc/PID/maps ---------------- */

/*
 * Compare every VMA; returns the number of mismatches, printing each one.
 * [vsyscall] is the gate area: maps appends it, but it is not in the mm's
 * VMA tree (map_count does not count it), so mmscope does not list it.
 */
static int compare_maps(pid_t pid, const char *maps, struct mmt_json *doc)
{
	struct mmt_json *vmas = mmt_jget(doc, "vmas");
	const char *pos = maps;
	struct mmt_vma mv;
	int i = 0, bad = 0;

	if (!vmas || vmas->type != MMT_JARR) {
		ksft_print_msg("no vmas array in the JSON\n");
		return 1;
	}
	while (mmt_maps_next(&pos, &mv)) {
		unsigned long long start = mv.start, end = mv.end;
		unsigned long long off = mv.offset, ino = mv.inode;
		char dev[16], name[4096], *perms = mv.perms;
		struct mmt_json *v;

		snprintf(name, sizeof(name), "%.*s", mv.name_len, mv.name);
		if (!strcmp(name, "[vsyscall]"))
			continue;
		if (i >= vmas->n) {
			ksft_print_msg("pid %d: maps has more VMAs (%llx-%llx %s)\n",
				       pid, start, end, name);
			return bad + 1;
		}
		v = vmas->kids[i++];
		snprintf(dev, sizeof(dev), "%02x:%02x", mv.dev_major, mv.dev_minor);
		if (mmt_jhex(mmt_jget(v, "start")) != start ||
		    mmt_jhex(mmt_jget(v, "end")) != end ||
		    strcmp(mmt_jstr(mmt_jget(v, "perms")) ?: "", perms) ||
		    mmt_jnum(mmt_jget(v, "offset")) != off ||
		    strcmp(mmt_jstr(mmt_jget(v, "dev")) ?: "", dev) ||
		    mmt_jnum(mmt_jget(v, "inode")) != ino ||
		    strcmp(mmt_jstr(mmt_jget(v, "name")) ?: "(null)", name)) {
			if (bad++ < 5)
				ksft_print_msg("pid %d: maps %llx-%llx %s %llx %s %llu '%s' != mmscope %s-%s %s %llu %s %llu '%s'\n",
					       pid, start, end, perms, off, dev, ino, name,
					       mmt_jstr(mmt_jget(v, "start")),
					       mmt_jstr(mmt_jget(v, "end")),
					       mmt_jstr(mmt_jget(v, "perms")),
					       mmt_jnum(mmt_jget(v, "offset")),
					       mmt_jstr(mmt_jget(v, "dev")),
					       mmt_jnum(mmt_jget(v, "inode")),
					       mmt_jstr(mmt_jget(v, "name")));
		}
	}
	if (i != vmas->n) {
		ksft_print_msg("pid %d: mmscope has %d VMAs, maps %d\n", pid,
			       vmas->n, i);
		bad++;
	}
	return bad;
}

/* The mm summary against /proc/PID/status (all figures in kB there). */
static int compare_status(pid_t pid, struct mmt_json *doc)
{
	struct mmt_json *mm = mmt_jget(doc, "mm");
	static const struct {
		const char *status, *field;
		unsigned long long unit;	/* bytes per field unit */
	} pairs[] = {
		{ "VmSize", "total_vm", PG }, { "VmLck", "locked_vm", PG },
		{ "VmPin", "pinned_vm", PG }, { "VmData", "data_vm", PG },
		{ "VmStk", "stack_vm", PG }, { "VmPTE", "pgtables_bytes", 1 },
		{ "RssAnon", "rss_anon", PG }, { "RssFile", "rss_file", PG },
		{ "RssShmem", "rss_shmem", PG }, { "VmSwap", "swap_ents", PG },
		{ "VmHWM", "hiwater_rss", PG }, { "VmPeak", "hiwater_vm", PG },
	};
	unsigned long long code, ecode, exe;
	int bad = 0;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		long long kb = mmt_status_kb(pid, pairs[i].status);
		unsigned long long v = mmt_jnum(mmt_jget(mm, pairs[i].field));

		if (kb < 0 || (unsigned long long)kb != v * pairs[i].unit / 1024) {
			ksft_print_msg("pid %d: status %s %lld kB, mmscope %s %llu\n",
				       pid, pairs[i].status, kb, pairs[i].field, v);
			bad++;
		}
	}
	/* VmExe and VmLib are derived from the code boundaries and exec_vm. */
	code = mmt_jhex(mmt_jget(mm, "start_code")) & ~(PG - 1);
	ecode = (mmt_jhex(mmt_jget(mm, "end_code")) + PG - 1) & ~(PG - 1);
	exe = (ecode - code) >> 10;
	if ((unsigned long long)mmt_status_kb(pid, "VmExe") != exe ||
	    (unsigned long long)mmt_status_kb(pid, "VmLib") !=
	    mmt_jnum(mmt_jget(mm, "exec_vm")) * 4 - exe) {
		ksft_print_msg("pid %d: VmExe/VmLib differ from code range/exec_vm\n", pid);
		bad++;
	}
	return bad;
}

/*
 * The boundaries against /proc/PID/stat (fields 26-28 and 45-51: startcode
 * endcode startstack ... start_data end_data start_brk arg_start arg_end
 * env_start env_end; root reads them unmasked), brk against the end of
 * [heap] in maps, and map_count against the number of maps lines.
 */
static int compare_stat(pid_t pid, const char *maps, struct mmt_json *doc)
{
	static const struct {
		int field;
		const char *name;
	} pairs[] = {
		{ 26, "start_code" }, { 27, "end_code" }, { 28, "start_stack" },
		{ 45, "start_data" }, { 46, "end_data" }, { 47, "start_brk" },
		{ 48, "arg_start" }, { 49, "arg_end" }, { 50, "env_start" },
		{ 51, "env_end" },
	};
	struct mmt_json *mm = mmt_jget(doc, "mm");
	unsigned long long f[53] = { 0 }, brk, hs, he;
	char path[64], *stat, *p, *tok, *save;
	int bad = 0, n = 0, lines = 0;
	const char *l;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	stat = mmt_read_file(path, NULL);
	p = stat ? strrchr(stat, ')') : NULL;
	if (!p) {
		ksft_print_msg("pid %d: no %s\n", pid, path);
		free(stat);
		return 1;
	}
	/* Field 3 (state) is the first after the command's ')'. */
	for (n = 3, tok = strtok_r(p + 1, " \n", &save); tok && n < 53;
	     tok = strtok_r(NULL, " \n", &save), n++)
		f[n] = strtoull(tok, NULL, 10);
	free(stat);
	if (n <= 51) {
		ksft_print_msg("pid %d: stat has only %d fields\n", pid, n - 1);
		return 1;
	}
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		unsigned long long v = mmt_jhex(mmt_jget(mm, pairs[i].name));

		if (v != f[pairs[i].field]) {
			ksft_print_msg("pid %d: stat field %d %llu, mmscope %s %llu\n",
				       pid, pairs[i].field, f[pairs[i].field],
				       pairs[i].name, v);
			bad++;
		}
	}
	/* The heap, when there is one, ends at brk rounded up to a page. */
	brk = mmt_jhex(mmt_jget(mm, "brk"));
	for (l = maps; l && *l; l = *strchrnul(l, '\n') ? strchrnul(l, '\n') + 1 : NULL) {
		const char *nl = strchrnul(l, '\n');
		size_t len = nl - l;

		/* The gate area is not in the mm (see compare_maps()). */
		if (len >= 10 && !strncmp(nl - 10, "[vsyscall]", 10))
			continue;
		lines++;
		if (len < 6 || strncmp(nl - 6, "[heap]", 6) ||
		    sscanf(l, "%llx-%llx", &hs, &he) != 2)
			continue;
		if (he != ((brk + PG - 1) & ~(PG - 1)) || hs > f[47]) {
			ksft_print_msg("pid %d: [heap] %llx-%llx, start_brk %llx, mmscope brk %llx\n",
				       pid, hs, he, f[47], brk);
			bad++;
		}
	}
	if (mmt_jnum(mmt_jget(mm, "map_count")) != (unsigned long long)lines) {
		ksft_print_msg("pid %d: maps has %d lines, mmscope map_count %llu\n",
			       pid, lines,
			       mmt_jnum(mmt_jget(mm, "map_count")));
		bad++;
	}
	return bad;
}

static struct mmt_json *vma_json(pid_t pid, int *status, char **err)
{
	char pidstr[16], *out;
	struct mmt_json *doc;

	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	out = mmt_cli_run(status, err, "vma", pidstr, "--json", NULL);
	doc = mmt_json_parse(out);
	free(out);
	return doc;
}

/*
 * Snapshot maps (and with @with_status, status and stat), run the CLI,
 * snapshot them again; compare when the two snapshots agree (the target
 * did not change meanwhile).  A new sample is taken (up to 5) only when
 * the oracle itself moved; the first stable sample is the one compared,
 * and a difference there is a failure.
 */
static char *snapshot(pid_t pid, bool with_status, size_t *maps_len)
{
	static const char *const files[] = { "maps", "status", "stat" };
	char path[64], *all = NULL, *text;
	size_t len = 0, n;
	int i;

	for (i = 0; i < (with_status ? 3 : 1); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		text = mmt_read_file(path, &n);
		if (!text) {
			free(all);
			return NULL;
		}
		all = realloc(all, len + n + 1);
		memcpy(all + len, text, n + 1);
		len += n;
		free(text);
		if (!i)
			*maps_len = n;
	}
	return all;
}

static int check_pid(pid_t pid, bool with_status)
{
	int attempt, bad = -1, status;
	size_t len = 0, len2;

	for (attempt = 0; attempt < 5 && bad < 0; attempt++) {
		char *before = snapshot(pid, with_status, &len), *after, *maps;
		struct mmt_json *doc = vma_json(pid, &status, NULL);

		after = snapshot(pid, with_status, &len2);
		if (!before || !after || !doc || status) {
			ksft_print_msg("pid %d: snapshot or CLI failed (status %d)\n",
				       pid, status);
			bad = 1;
		} else if (!strcmp(before, after)) {
			/* maps is the snapshot's first part. */
			maps = strndup(before, len);
			bad = compare_maps(pid, maps, doc);
			if (with_status && !bad)
				bad = compare_status(pid, doc);
			if (with_status && !bad)
				bad = compare_stat(pid, maps, doc);
			if (!bad && mmt_jnum(mmt_jget(doc, "pid")) != (unsigned)pid)
				bad = 1;
			free(maps);
		}
		mmt_json_free(doc);
		free(before);
		free(after);
	}
	if (bad < 0)
		ksft_print_msg("pid %d: the oracle moved between every pair of reads in %d samples\n",
			       pid, attempt);
	return bad ? 1 : 0;
}

TEST(self_matches_maps)
{
	ASSERT_EQ(0, check_pid(getpid(), false));
}

TEST(pid1_matches_maps_and_status)
{
	ASSERT_EQ(0, check_pid(1, true));
}

/* ---- the workload: many kinds of VMAs ------------------------------------ */

/*
 * A file whose path is longer than 1600 bytes and whose name holds a
 * newline, which maps prints escaped as "\012": mapped and kept.
 */
static void map_long_name(void)
{
	char path[2048] = "/tmp/mmscope_vma_long";
	int fd, i;

	mkdir(path, 0700);
	for (i = 0; i < 40; i++) {
		strcat(path, "/directory-name-of-forty-bytes-0123456789");
		if (mkdir(path, 0700) && errno != EEXIST)
			_exit(15);
	}
	strcat(path, "/file\nwith a newline");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, PG) ||
	    mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		_exit(16);
	close(fd);
}

static void build_workload(void)
{
	const char *file = "/tmp/mmscope_vma_test.dat";
	char *p, *q, *many;
	int fd, i;

	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 16 * PG))
		_exit(10);
	/* File-backed private and shared, with an offset. */
	p = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	q = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 8 * PG);
	if (p == MAP_FAILED || q == MAP_FAILED)
		_exit(11);
	q[0] = 1;
	/* Private anonymous, touched. */
	p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 1, 64 * PG);
	/* mprotect in the middle: one VMA becomes three. */
	mprotect(p + 16 * PG, 8 * PG, PROT_READ);
	/* Shared anonymous (shmem, "/dev/zero (deleted)"). */
	q = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	q[0] = 1;
	/*
	 * Named anonymous memory: "[anon:NAME]" for private, and (since
	 * v6.2) "[anon_shmem:NAME]" for shared.  Kernels without
	 * CONFIG_ANON_VMA_NAME (Debian's 6.1 and 6.12) refuse both with
	 * EINVAL; the maps oracle shows whatever the kernel accepted.
	 */
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(14);
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 2 * PG, "mmscope-priv");
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, q, 8 * PG, "mmscope-shm");
	/* A PROT_NONE guard below a region. */
	p = mmap(NULL, 9 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p + PG, 8 * PG, PROT_READ | PROT_WRITE);
	/* mremap: grow-and-move a region. */
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	q = mremap(p, 4 * PG, 32 * PG, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		_exit(12);
	/* 10 000 small VMAs: alternate protections so none merge. */
	many = mmap(NULL, MANY_VMAS * PG, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (many == MAP_FAILED)
		_exit(13);
	for (i = 0; i < MANY_VMAS; i += 2)
		mprotect(many + i * PG, PG, PROT_READ | PROT_WRITE);
	close(fd);
	unlink(file);	/* the mappings now show " (deleted)" */
	map_long_name();
}

/*
 * A child that runs @setup(@arg), says it is ready and sleeps until killed
 * (lib/common.h's parker): it dies with the test should an ASSERT end it
 * before stop_workload().  Its PID, or -1.
 */
struct child_setup {
	void (*fn)(int arg);
	int arg;
};

static void run_child_setup(void *data)
{
	struct child_setup *c = data;

	c->fn(c->arg);
}

static pid_t start_child(void (*setup)(int arg), int arg)
{
	struct child_setup c = { setup, arg };

	return mmt_park(run_child_setup, &c, 0);
}

static void setup_workload(int unused)
{
	build_workload();
}

static pid_t start_workload(void)
{
	return start_child(setup_workload, 0);
}

static void stop_workload(pid_t pid)
{
	mmt_reap(pid);
}

TEST(workload_matches_maps_and_status)
{
	pid_t pid = start_workload();

	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, check_pid(pid, true));
	stop_workload(pid);
}

TEST(text_output_lists_every_vma)
{
	pid_t pid = start_workload();
	char pidstr[16], path[64], *argv[] = { (char *)mmt_cli(), "vma", pidstr, NULL };
	char *out, *maps;
	int status, lines = 0, vmas = 0;
	const char *p;

	ASSERT_GT(pid, 0);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	out = mmt_run(argv, &status, NULL);
	maps = mmt_read_file(path, NULL);
	EXPECT_EQ(0, status);
	for (p = maps; p && (p = strchr(p, '\n')); p++)
		lines++;
	if (strstr(maps, "[vsyscall]"))
		lines--;
	/* Each VMA is one table row followed by its flags line. */
	for (p = out; p && (p = strstr(p, " flags: ")); p++)
		vmas++;
	EXPECT_EQ(lines, vmas);
	free(out);
	free(maps);
	stop_workload(pid);
}

/* ---- mm_users: the target's threads, not mmscope's own references ------ */

static void *park(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void setup_threads(int threads)
{
	pthread_t t;
	int i;

	for (i = 1; i < threads; i++)
		if (pthread_create(&t, NULL, park, NULL))
			_exit(10);
}

/* A child with @threads threads in all, parked; its PID or -1. */
static pid_t start_threads(int threads)
{
	return start_child(setup_threads, threads);
}

/*
 * Nothing but its threads holds the mm of a parked process, so mm_users
 * equals Threads in /proc/PID/status.  (A transient holder, e.g. a reader
 * of /proc/PID/..., could add one for a moment: a few attempts.)
 */
static void expect_mm_users(struct __test_metadata *_metadata, int threads)
{
	unsigned long long users = 0;
	long long oracle = -1;
	pid_t pid = start_threads(threads);
	int attempt, status;

	ASSERT_GT(pid, 0);
	for (attempt = 0; attempt < 5; attempt++) {
		struct mmt_json *doc = vma_json(pid, &status, NULL);

		oracle = mmt_status_kb(pid, "Threads");
		users = mmt_jnum(mmt_jget(mmt_jget(doc, "mm"), "mm_users"));
		mmt_json_free(doc);
		if (!status && oracle == threads && users == (unsigned long long)oracle)
			break;
		usleep(100000);
	}
	stop_workload(pid);
	EXPECT_EQ(threads, oracle);
	EXPECT_EQ(oracle, (long long)users) {
		TH_LOG("%d threads: Threads %lld, mm_users %llu", threads,
		       oracle, users);
	}
}

TEST(mm_users_counts_the_targets_threads)
{
	expect_mm_users(_metadata, 1);
	expect_mm_users(_metadata, 3);
}

/* ---- the debugfs file, chosen by the module parameter ------------------- */

static int set_pid_param(const char *val)
{
	return mmt_write_str("/sys/module/mmscope/parameters/pid", val);
}

TEST(debugfs_vma_lists_workload)
{
	pid_t pid = start_workload();
	char val[16], path[64], *text, *maps;
	int vmas = 0, lines = 0;
	const char *p;

	ASSERT_GT(pid, 0);
	snprintf(val, sizeof(val), "%d", pid);
	ASSERT_EQ(0, set_pid_param(val));
	text = mmt_read_file("/sys/kernel/debug/mmscope/vma", NULL);
	ASSERT_NE(NULL, text);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = mmt_read_file(path, NULL);
	/* VMA lines are the ones that start with an address. */
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (isxdigit((unsigned char)*p) &&
		    p[strspn(p, "0123456789abcdef")] == '-')
			vmas++;
	for (p = maps; (p = strchr(p, '\n')); p++)
		lines++;
	if (strstr(maps, "[vsyscall]"))
		lines--;
	EXPECT_EQ(lines, vmas);
	EXPECT_NE(NULL, strstr(text, "# mm_struct of pid"));
	free(text);
	free(maps);
	stop_workload(pid);
}

TEST(param_rejects_bad_pids)
{
	char big[16];

	EXPECT_EQ(-EINVAL, set_pid_param("abc"));
	EXPECT_EQ(-EINVAL, set_pid_param("-5"));
	EXPECT_EQ(-EINVAL, set_pid_param("99999999999999999999"));
	EXPECT_EQ(-EINVAL, set_pid_param("12abc"));
	snprintf(big, sizeof(big), "%d", 4194304 + 1);
	EXPECT_EQ(-EINVAL, set_pid_param(big));
}

/* ---- bad input through the CLI ------------------------------------------- */

static pid_t unused_pid(void)
{
	char path[64];
	pid_t pid;

	for (pid = 4000000; pid > 1000; pid -= 7919) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (access(path, F_OK))
			return pid;
	}
	return -1;
}

/*
 * A kernel thread, found from /proc: PF_KTHREAD (0x00200000) in the flags of
 * /proc/PID/stat (field 9), and an empty /proc/PID/maps.  -1 if none.
 */
static pid_t kernel_thread(void)
{
	char path[64], *stat, *maps, *p;
	unsigned long flags;
	pid_t pid;
	int i;

	for (pid = 2; pid < 1000; pid++) {
		bool kthread = false;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		stat = mmt_read_file(path, NULL);
		p = stat ? strrchr(stat, ')') : NULL;
		/* After ')': state(3) ppid pgrp session tty_nr tpgid flags(9) */
		for (i = 3; p && i <= 9; i++)
			p = strchr(p + 1, ' ');
		if (p && sscanf(p, "%lu", &flags) == 1)
			kthread = flags & 0x00200000;
		free(stat);
		if (!kthread)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		maps = mmt_read_file(path, NULL);
		kthread = maps && !maps[0];
		free(maps);
		if (kthread)
			return pid;
	}
	return -1;
}

static void expect_cli_error(struct __test_metadata *_metadata,
			     const char *arg, int code, const char *msg)
{
	char *argv[] = { (char *)mmt_cli(), "vma", (char *)arg, NULL };
	char *out, *err;
	int status;

	out = mmt_run(argv, &status, &err);
	EXPECT_EQ(code, status);
	/* The first line names the problem; nothing goes to stdout. */
	*strchrnul(err, '\n') = '\0';
	EXPECT_NE(NULL, strstr(err, msg)) {
		TH_LOG("vma %s: stderr '%s', expected '%s'", arg, err, msg);
	}
	EXPECT_EQ(0, out[0]);
	free(out);
	free(err);
}

TEST(cli_bad_pids)
{
	char pidstr[16];
	pid_t zombie;

	expect_cli_error(_metadata, "abc", 2, "not a valid PID");
	expect_cli_error(_metadata, "-5", 2, "unknown option '-5'");
	expect_cli_error(_metadata, "0", 2, "not a valid PID");
	expect_cli_error(_metadata, "99999999999999999999", 2, "not a valid PID");
	snprintf(pidstr, sizeof(pidstr), "%d", unused_pid());
	expect_cli_error(_metadata, pidstr, 1, "no such process");
	snprintf(pidstr, sizeof(pidstr), "%d", kernel_thread());
	ASSERT_NE(-1, kernel_thread());
	expect_cli_error(_metadata, pidstr, 1, "kernel thread");
	zombie = fork();
	if (zombie == 0)
		_exit(0);
	/* Let it exit, but do not reap it: it stays a zombie. */
	while (1) {
		char path[64], *st;
		bool z;

		snprintf(path, sizeof(path), "/proc/%d/stat", zombie);
		st = mmt_read_file(path, NULL);
		z = st && strstr(st, ") Z ");
		free(st);
		if (z)
			break;
		usleep(1000);
	}
	snprintf(pidstr, sizeof(pidstr), "%d", zombie);
	expect_cli_error(_metadata, pidstr, 1, "no such process");
	waitpid(zombie, NULL, 0);
}

/* ---- the device: per-open queries, bad queries, exit mid-read ----------- */

static int dev_open_query(pid_t pid, struct mmscope_query *over)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_VMA, .pid = pid };
	int fd = open("/dev/mmscope", O_RDONLY);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, MMSCOPE_IOC_QUERY, over ? over : &q) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

TEST(device_rejects_bad_queries)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_VMA, .pid = getpid() };
	char buf[64];
	int fd;

	q.version = 999;
	EXPECT_EQ(-EPROTO, dev_open_query(0, &q));
	q.version = MMSCOPE_ABI_VERSION;
	q.view = 0;
	EXPECT_EQ(-EOPNOTSUPP, dev_open_query(0, &q));
	q.view = 12345;
	EXPECT_EQ(-EOPNOTSUPP, dev_open_query(0, &q));
	q.view = MMSCOPE_VIEW_VMA;
	q.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, dev_open_query(0, &q));
	q.flags = 0;
	q.pid = -1;
	EXPECT_EQ(-EINVAL, dev_open_query(0, &q));
	q.pid = kernel_thread();
	ASSERT_NE(-1, q.pid);
	EXPECT_EQ(-EINVAL, dev_open_query(0, &q));
	memset(q.name, 'x', sizeof(q.name));
	q.pid = getpid();
	EXPECT_EQ(-ENAMETOOLONG, dev_open_query(0, &q));
	/* A read before any query. */
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('M', 99)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* Read a whole stream in small pieces; count records of @type. */
static int count_records(int fd, int type, int *pid_seen)
{
	const struct mmscope_rec_hdr *h = NULL;
	size_t len;
	int count = 0, err;
	/* Room for any record: hdr.len is 16 bits. */
	char *buf = mmt_dev_read(fd, 1 << 16, &len, &err);

	if (!buf)
		return err;
	while ((h = mmt_rec_next(buf, len, h))) {
		if (h->type == type)
			count++;
		if (h->type == MMSCOPE_REC_MM && pid_seen)
			*pid_seen = ((struct mmscope_mm *)h)->pid;
	}
	free(buf);
	return count;
}

TEST(concurrent_queries_keep_their_own_target)
{
	pid_t a = start_workload(), b;
	int fa, fb, pa = 0, pb = 0, na, nb;
	char path[64], *maps;
	int lines_a = 0;
	const char *p;

	ASSERT_GT(a, 0);
	b = getppid();
	fa = dev_open_query(a, NULL);
	fb = dev_open_query(b, NULL);
	ASSERT_GE(fa, 0);
	ASSERT_GE(fb, 0);
	na = count_records(fa, MMSCOPE_REC_VMA, &pa);
	nb = count_records(fb, MMSCOPE_REC_VMA, &pb);
	EXPECT_EQ(a, pa);
	EXPECT_EQ(b, pb);
	snprintf(path, sizeof(path), "/proc/%d/maps", a);
	maps = mmt_read_file(path, NULL);
	for (p = maps; (p = strchr(p, '\n')); p++)
		lines_a++;
	if (strstr(maps, "[vsyscall]"))
		lines_a--;
	EXPECT_EQ(lines_a, na);
	EXPECT_GT(nb, 0);
	EXPECT_NE(na, nb);
	free(maps);
	close(fa);
	close(fb);
	stop_workload(a);
}

TEST(exit_mid_read_is_esrch)
{
	pid_t pid = start_workload();
	char buf[4096];
	int fd;

	ASSERT_GT(pid, 0);
	fd = dev_open_query(pid, NULL);
	ASSERT_GE(fd, 0);
	/* First chunk (the 10 000 VMAs need many), then the target dies. */
	ASSERT_GT(read(fd, buf, sizeof(buf)), 0);
	stop_workload(pid);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

/*
 * Every read() of the device holds whole records only, as many as fit; a
 * buffer too small for the next record is refused with EMSGSIZE, and only
 * then (the workload's long file name makes one VMA record larger than the
 * small sizes; the reader then offers a larger buffer).  The stream read in
 * odd-sized pieces is the same as read at once.
 */
TEST(device_reads_whole_records)
{
	pid_t pid = start_workload();
	size_t sizes[] = { 500, 777, 4096, 65536 }, i, big_len = 0;
	char *big, buf[65536];
	int fd, err, records, big_records = 0;
	const struct mmscope_rec_hdr *h = NULL;

	ASSERT_GT(pid, 0);
	fd = dev_open_query(pid, NULL);
	ASSERT_GE(fd, 0);
	big = mmt_dev_read(fd, 1 << 20, &big_len, &err);
	close(fd);
	ASSERT_NE(NULL, big);
	while ((h = mmt_rec_next(big, big_len, h)))
		big_records++;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ssize_t n;
		size_t total = 0;

		fd = dev_open_query(pid, NULL);
		ASSERT_GE(fd, 0);
		/* The first record (the mm summary) is bigger than 8 bytes. */
		EXPECT_EQ(-1, read(fd, buf, 8));
		EXPECT_EQ(EMSGSIZE, errno);
		records = 0;
		for (;;) {
			size_t off = 0, want = sizes[i];

			n = read(fd, buf, want);
			if (n < 0 && errno == EMSGSIZE && total < big_len) {
				h = (const void *)(big + total);
				ASSERT_GT(h->len, want);
				want = sizeof(buf);
				n = read(fd, buf, want);
			}
			if (n <= 0)
				break;

			ASSERT_LE((size_t)n, want);
			/* Whole records, ending exactly at n. */
			for (h = NULL; (h = mmt_rec_next(buf, n, h)); records++)
				off = (const char *)h - buf + h->len;
			ASSERT_EQ((size_t)n, off) {
				TH_LOG("read(%zu) returned %zd bytes, records end at %zu",
				       sizes[i], n, off);
			}
			total += n;
		}
		EXPECT_EQ(0, n) {
			TH_LOG("read(%zu) after %zu bytes: %s", sizes[i], total,
			       strerror(errno));
		}
		EXPECT_EQ(big_len, total);
		EXPECT_EQ(big_records, records);
		close(fd);
	}
	free(big);
	stop_workload(pid);
}

TEST(rmmod_refused_while_open)
{
	char *argv[] = { "rmmod", "mmscope", NULL };
	char *out, *err;
	int fd_dbg, fd_dev, status;
	char buf[256];

	fd_dbg = open("/sys/kernel/debug/mmscope/vma", O_RDONLY);
	if (fd_dbg < 0) {
		/* the pid param may point at an exited process: select ours */
		char val[16];

		snprintf(val, sizeof(val), "%d", getpid());
		ASSERT_EQ(0, set_pid_param(val));
		fd_dbg = open("/sys/kernel/debug/mmscope/vma", O_RDONLY);
	}
	ASSERT_GE(fd_dbg, 0);
	fd_dev = dev_open_query(getpid(), NULL);
	ASSERT_GE(fd_dev, 0);
	out = mmt_run(argv, &status, &err);
	EXPECT_NE(0, status);
	EXPECT_NE(-1, access("/sys/module/mmscope", F_OK));
	/* Both files still work. */
	EXPECT_GT(read(fd_dbg, buf, sizeof(buf)), 0);
	EXPECT_GT(read(fd_dev, buf, sizeof(buf)), 0);
	close(fd_dbg);
	close(fd_dev);
	free(out);
	free(err);
}

TEST_HARNESS_MAIN
