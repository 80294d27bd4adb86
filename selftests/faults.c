// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: the BPF fault tracer against the kernel's own accounting.
 *
 * Every test runs `mmscope faults --json ... -- <this program> workload ...`
 * so tracing starts at the workload's first instruction.  Workloads map at
 * fixed addresses (MAP_FIXED_NOREPLACE) so the range filter is known before
 * they start, touch one guard page below the range first (so the VMA has its
 * anon_vma and no fault in the range is retried), and report what
 * /proc/self/pagemap shows afterwards through a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG 4096UL
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

/* ---- workloads (run as `faults workload KIND ...`) ------------------------ */

static char *map_at(unsigned long addr, size_t len, int fd)
{
	char *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED) |
		       MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED) {
		perror("workload: mmap");
		exit(3);
	}
	return p;
}

static uint64_t self_pfn(unsigned long va)
{
	uint64_t e = 0;

	if (mmt_pagemap(getpid(), va, &e) || !MMT_PM_PRESENT(e))
		return 0;
	return MMT_PM_PFN(e);
}

/* anon ADDR N OUT|-: write once to N fresh pages, report their PFNs. */
static int wl_anon(unsigned long addr, unsigned long n, const char *out)
{
	char *p;
	unsigned long i;
	FILE *f;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, (n + 1) * PG, -1);
	madvise(p, (n + 1) * PG, MADV_NOHUGEPAGE);
	p[0] = 1;			/* guard page: anon_vma_prepare() */
	for (i = 1; i <= n; i++)
		p[i * PG] = 1;
	if (!strcmp(out, "-"))
		return 0;
	f = fopen(out, "w");
	if (!f)
		return 3;
	for (i = 0; i < n; i++)
		fprintf(f, "%llu\n", (unsigned long long)self_pfn(addr + i * PG));
	return fclose(f) ? 3 : 0;
}

/* cow ADDR OUT: write, fork, the child writes: "parent_pfn child child_pfn". */
static int wl_cow(unsigned long addr, const char *out)
{
	int pfd[2], st;
	uint64_t cpfn = 0, ppfn;
	char *p;
	pid_t pid;
	FILE *f;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, 2 * PG, -1);
	p[0] = 1;
	p[PG] = 1;
	if (pipe(pfd))
		return 3;
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		p[PG] = 2;		/* copy-on-write */
		cpfn = self_pfn(addr);
		_exit(write(pfd[1], &cpfn, sizeof(cpfn)) != sizeof(cpfn));
	}
	if (read(pfd[0], &cpfn, sizeof(cpfn)) != sizeof(cpfn))
		return 3;
	waitpid(pid, &st, 0);
	ppfn = self_pfn(addr);
	f = fopen(out, "w");
	if (!f)
		return 3;
	fprintf(f, "%llu %d %llu\n", (unsigned long long)ppfn, pid,
		(unsigned long long)cpfn);
	return fclose(f) || p[PG] != 1 ? 3 : 0;
}

/* file PATH ADDR1 ADDR2 N: drop caches, read the file mapped twice. */
static int wl_file(const char *path, unsigned long a1, unsigned long a2,
		   unsigned long n)
{
	int fd = open(path, O_RDWR), dc;
	volatile char sum = 0;
	unsigned long i;
	char *p;

	if (fd < 0)
		return 3;
	sync();
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc < 0 || write(dc, "3", 1) != 1)
		return 3;
	close(dc);
	p = map_at(a1, n * PG, fd);
	for (i = 0; i < n; i++)
		sum += p[i * PG];
	p = map_at(a2, n * PG, fd);
	for (i = 0; i < n; i++)
		sum += p[i * PG];
	return 0;
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * bench PAGES ROUNDS: map, touch and unmap PAGES fresh pages, ROUNDS times;
 * print the fastest round ("bench_ns") and the total.  The fastest round is
 * the figure: on a shared host (TCG) a round the vCPU was not preempted in
 * is the one that measures the faults.
 */
static int wl_bench(unsigned long pages, unsigned long rounds)
{
	unsigned long long t0, t, best = ~0ULL, total = 0;
	unsigned long r, i;
	char *p;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	for (r = 0; r < rounds; r++) {
		t0 = mono_ns();
		p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 3;
		for (i = 0; i < pages; i++)
			p[i * PG] = 1;
		munmap(p, pages * PG);
		t = mono_ns() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	printf("bench_ns %llu\nbench_total_ns %llu\n", best, total);
	return 0;
}

static int workload(int argc, char **argv)
{
	const char *nice = getenv("MMSCOPE_WL_NICE");

	/* The storm outruns a deprioritised consumer (ringbuf_drops_exact). */
	if (nice)
		setpriority(PRIO_PROCESS, 0, atoi(nice));
	if (argc == 5 && !strcmp(argv[2], "bench"))
		return wl_bench(strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0));
	if (argc == 6 && !strcmp(argv[2], "anon"))
		return wl_anon(strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0), argv[5]);
	if (argc == 5 && !strcmp(argv[2], "cow"))
		return wl_cow(strtoul(argv[3], NULL, 0), argv[4]);
	if (argc == 7 && !strcmp(argv[2], "file"))
		return wl_file(argv[3], strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0),
			       strtoul(argv[6], NULL, 0));
	fprintf(stderr, "workload: bad arguments\n");
	return 2;
}

/* ---- running the tracer ---------------------------------------------------- */

struct trace {
	struct mmt_json **ev;		/* every event line */
	int n;
	struct mmt_json *sum;		/* the "summary" object */
	struct mmt_json *doc;		/* the summary line */
	char *out, *err;
	int status;
};

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

/* Run the CLI with @argv (NULL-terminated, after "faults"), parse all. */
static int run_trace(struct trace *t, const char *const *args)
{
	const char *argv[32] = { mmt_cli(), "faults", "--json" };
	int i = 3;
	char *line;

	memset(t, 0, sizeof(*t));
	for (; *args && i < 31; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	t->out = mmt_run((char *const *)argv, &t->status, &t->err);
	if (!t->out)
		return -1;
	for (line = t->out; line && *line;) {
		char *nl = strchr(line, '\n');
		struct mmt_json *j;

		if (nl)
			*nl = '\0';
		j = mmt_json_parse(line);
		if (j && mmt_jget(j, "summary")) {
			t->doc = j;
			t->sum = mmt_jget(j, "summary");
		} else if (j && mmt_jget(j, "addr")) {
			t->ev = realloc(t->ev, sizeof(*t->ev) * (t->n + 1));
			t->ev[t->n++] = j;
		} else {
			mmt_json_free(j);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static void trace_free(struct trace *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		mmt_json_free(t->ev[i]);
	free(t->ev);
	mmt_json_free(t->doc);
	free(t->out);
	free(t->err);
}

static bool has_result(const struct mmt_json *ev, const char *name)
{
	const struct mmt_json *r = mmt_jget(ev, "result");
	int i;

	for (i = 0; r && r->type == MMT_JARR && i < r->n; i++)
		if (!strcmp(mmt_jstr(r->kids[i]) ?: "", name))
			return true;
	return false;
}

static bool jbool(const struct mmt_json *v)
{
	return v && v->type == MMT_JBOOL && v->boolean;
}

static bool ev_in(const struct mmt_json *ev, unsigned long a, unsigned long b)
{
	unsigned long long addr = mmt_jhex(mmt_jget(ev, "addr"));

	return addr >= a && addr < b;
}

/* ---- tests ---------------------------------------------------------------- */

#define N_ANON 64

/* The same test through each attach method (--kprobe forces the fallback). */
FIXTURE(probe) {};
FIXTURE_VARIANT(probe) {
	const char *name;		/* the summary's "probe" */
	const char *opt;		/* CLI option selecting it, or NULL */
};
FIXTURE_VARIANT_ADD(probe, fentry) { .name = "fentry" };
FIXTURE_VARIANT_ADD(probe, kprobe) { .name = "kprobe", .opt = "--kprobe" };
FIXTURE_SETUP(probe) {}
FIXTURE_TEARDOWN(probe) {}

/*
 * N fresh pages written once: exactly N write faults, PFNs as pagemap says.
 * Both Debian kernels can attach fentry, so the fentry variant also checks
 * that no silent fallback to kprobes happened.
 */
TEST_F(probe, anon_write_pfn)
{
	unsigned long a = 0x310000000000UL, b = a + N_ANON * PG;
	char range[64], addr[32], n[16], out[] = "/tmp/mmscope-faults-XXXXXX";
	unsigned long long pfn[N_ANON];
	int seen[N_ANON] = { 0 }, i = 0, fd, faults = 0;
	const char *args[12];
	struct trace t;
	FILE *f;

	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, b);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(n, sizeof(n), "%d", N_ANON);
	args[i++] = "--range";
	args[i++] = range;
	if (variant->opt)
		args[i++] = variant->opt;
	args[i++] = "--";
	args[i++] = self_exe();
	args[i++] = "workload";
	args[i++] = "anon";
	args[i++] = addr;
	args[i++] = n;
	args[i++] = out;
	args[i] = NULL;
	ASSERT_EQ(0, run_trace(&t, args));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	ASSERT_STREQ(variant->name, mmt_jstr(mmt_jget(t.sum, "probe")) ?: "");
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	f = fopen(out, "r");
	ASSERT_NE(NULL, f);
	for (i = 0; i < N_ANON; i++)
		ASSERT_EQ(1, fscanf(f, "%llu", &pfn[i]));
	fclose(f);
	unlink(out);

	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];
		unsigned long va = mmt_jhex(mmt_jget(ev, "addr"));
		int pg;

		ASSERT_TRUE(ev_in(ev, a, b));	/* the range filter */
		if (has_result(ev, "RETRY"))
			continue;
		pg = (va - a) / PG;
		if (pg < 0 || pg >= N_ANON)
			continue;
		faults++;
		seen[pg]++;
		EXPECT_TRUE(jbool(mmt_jget(ev, "write")));
		EXPECT_TRUE(jbool(mmt_jget(ev, "user")));
		EXPECT_FALSE(jbool(mmt_jget(ev, "major")));
		EXPECT_NE(0, pfn[pg]);
		EXPECT_EQ(pfn[pg], mmt_jnum(mmt_jget(ev, "pfn")))
			TH_LOG("page %d: traced pfn %llu, pagemap %llu", pg,
			       mmt_jnum(mmt_jget(ev, "pfn")), pfn[pg]);
	}
	EXPECT_EQ(N_ANON, faults);
	for (i = 0; i < N_ANON; i++) {
		int times = seen[i];

		EXPECT_EQ(1, times) TH_LOG("page %d faulted %d times", i, times);
	}
	ksft_print_msg("%d faults, probe %s\n", faults,
		       mmt_jstr(mmt_jget(t.sum, "probe")));
	trace_free(&t);
}

/* The child's first write to a page shared after fork maps a new PFN. */
TEST(cow_after_fork)
{
	unsigned long a = 0x320000000000UL, b = a + PG;
	char range[64], addr[32], out[] = "/tmp/mmscope-faults-XXXXXX", *buf;
	unsigned long long ppfn, cpfn;
	int fd, child, i, pwrite = 0, cwrite = 0;
	struct trace t;

	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, b);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	/* By comm, not pid: the forked child is another process. */
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--range", range, "-c",
		  "faults", "--", self_exe(), "workload", "cow", addr, out,
		  NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	buf = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(3, sscanf(buf, "%llu %d %llu", &ppfn, &child, &cpfn));
	free(buf);
	ASSERT_NE(0, ppfn);
	ASSERT_NE(0, cpfn);
	ASSERT_NE(ppfn, cpfn);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));

	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];

		if (has_result(ev, "RETRY") || !jbool(mmt_jget(ev, "write")))
			continue;
		if ((int)mmt_jnum(mmt_jget(ev, "pid")) == child) {
			cwrite++;
			EXPECT_EQ(cpfn, mmt_jnum(mmt_jget(ev, "pfn")));
		} else {
			pwrite++;
			EXPECT_EQ(ppfn, mmt_jnum(mmt_jget(ev, "pfn")));
		}
	}
	EXPECT_EQ(1, pwrite);
	EXPECT_EQ(1, cwrite);
	trace_free(&t);
}

/* A directory whose file pages drop_caches can drop, or NULL. */
static const char *droppable_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/mnt", "/root", "/" };
	const char *env = getenv("MMSCOPE_SCRATCH");
	struct statfs sf;
	unsigned int i;

	if (env)
		return env;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!statfs(dirs[i], &sf) && sf.f_type != TMPFS_MAGIC_ &&
		    sf.f_type != RAMFS_MAGIC_ && !access(dirs[i], W_OK))
			return dirs[i];
	return NULL;
}

/* A file read after drop_caches is a major fault; read again, it is not. */
TEST(major_after_drop_caches)
{
	unsigned long a1 = 0x330000000000UL, a2 = 0x340000000000UL, n = 16;
	char path[PATH_MAX], range[64], s1[32], s2[32], ns[16], page[PG];
	const char *dir = droppable_dir();
	int fd, i, major1 = 0, major2 = 0, ev2 = 0;
	struct trace t;

	if (!dir)
		SKIP(return, "no writable block-backed filesystem (the rootfs is tmpfs/ramfs, whose pages drop_caches cannot drop): the VM gets one from scripts/guest/scratch.sh (see its boot message), elsewhere set MMSCOPE_SCRATCH");
	snprintf(path, sizeof(path), "%s/mmscope-faults-XXXXXX", dir);
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	memset(page, 0x5a, sizeof(page));
	for (i = 0; i < (int)n; i++)
		ASSERT_EQ(PG, write(fd, page, PG));
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a1, a2 + n * PG);
	snprintf(s1, sizeof(s1), "0x%lx", a1);
	snprintf(s2, sizeof(s2), "0x%lx", a2);
	snprintf(ns, sizeof(ns), "%lu", n);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--range", range, "--",
		  self_exe(), "workload", "file", path, s1, s2, ns, NULL }));
	unlink(path);
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	for (i = 0; i < t.n; i++) {
		if (ev_in(t.ev[i], a1, a1 + n * PG))
			major1 += has_result(t.ev[i], "MAJOR");
		if (ev_in(t.ev[i], a2, a2 + n * PG)) {
			ev2++;
			major2 += has_result(t.ev[i], "MAJOR");
		}
	}
	EXPECT_GE(major1, 1);
	EXPECT_GE(ev2, 1);
	EXPECT_EQ(0, major2);
	trace_free(&t);
}

/*
 * pgfault: mm_account_fault() (end of handle_mm_fault()) counts every call
 * that returns without VM_FAULT_RETRY in /proc/vmstat pgfault, and, unless
 * VM_FAULT_ERROR, in the task's min_flt/maj_flt.  So for the traced command
 * (no drops): traced events without RETRY or an error == its rusage
 * minflt + majflt since the release; and the vmstat delta, read around the
 * whole trace and counting all tasks, is at least the traced RETRY-less
 * events.
 */
TEST(pgfault_relation)
{
	unsigned long a = 0x350000000000UL;
	char addr[32];
	unsigned long long acc = 0, noerr = 0;
	struct mmt_json *child;
	struct trace t;
	int i;

	snprintf(addr, sizeof(addr), "0x%lx", a);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--",
		  self_exe(), "workload", "anon", addr, "256", "-", NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	child = mmt_jget(t.sum, "child");
	ASSERT_NE(NULL, child);
	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];

		if (has_result(ev, "RETRY"))
			continue;
		acc++;
		if (!has_result(ev, "SIGSEGV") && !has_result(ev, "SIGBUS") &&
		    !has_result(ev, "OOM") && !has_result(ev, "HWPOISON") &&
		    !has_result(ev, "HWPOISON_LARGE") &&
		    !has_result(ev, "FALLBACK"))
			noerr++;
	}
	EXPECT_EQ(acc, mmt_jnum(mmt_jget(t.sum, "accounted")));
	EXPECT_EQ(noerr, mmt_jnum(mmt_jget(child, "minflt")) +
			 mmt_jnum(mmt_jget(child, "majflt")));
	EXPECT_GE(mmt_jnum(mmt_jget(t.sum, "vmstat_pgfault")), acc);
	ksft_print_msg("traced %d (accounted %llu), rusage %llu+%llu, vmstat %llu\n",
		       t.n, acc, mmt_jnum(mmt_jget(child, "minflt")),
		       mmt_jnum(mmt_jget(child, "majflt")),
		       mmt_jnum(mmt_jget(t.sum, "vmstat_pgfault")));
	trace_free(&t);
}

/* A one-page ring buffer under a storm: received + lost == faults. */
TEST(ringbuf_drops_exact)
{
	unsigned long a = 0x360000000000UL, n = 20000;
	char range[64], addr[32], ns[16];
	unsigned long long got, lost;
	cpu_set_t one, all;
	struct trace t;
	int err;

	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + n * PG);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(ns, sizeof(ns), "%lu", n);
	/*
	 * Drops must happen, whatever the machine: the tracer and the storm
	 * share one CPU, the storm at nice -20 and the consumer at nice 19.
	 */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 19));
	setenv("MMSCOPE_WL_NICE", "-20", 1);
	err = run_trace(&t, (const char *[]){ "--range", range,
			"--ringbuf-size", "4096", "--summary", "--",
			self_exe(), "workload", "anon", addr, ns, "-", NULL });
	unsetenv("MMSCOPE_WL_NICE");
	setpriority(PRIO_PROCESS, 0, 0);
	sched_setaffinity(0, sizeof(all), &all);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	got = mmt_jnum(mmt_jget(t.sum, "events"));
	lost = mmt_jnum(mmt_jget(t.sum, "lost"));
	ksft_print_msg("%llu received, %llu lost, %lu faults\n", got, lost, n);
	EXPECT_GT(lost, 0);
	EXPECT_EQ(n, got + lost);
	trace_free(&t);
}

/* Bad arguments are refused before anything is loaded. */
TEST(bad_arguments)
{
	static const char *const bad[][3] = {
		{ "--range", "0x2000-0x1000", NULL },
		{ "--ringbuf-size", "5000", NULL },
		{ "-c", "a-name-longer-than-15", NULL },
		{ "--min-lat", "x", NULL },
		{ "stray", NULL, NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trace t;

		ASSERT_EQ(0, run_trace(&t, bad[i]));
		EXPECT_EQ(2, t.status) TH_LOG("%s %s", bad[i][0], bad[i][1]);
		trace_free(&t);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "workload"))
		return workload(argc, argv);
	return test_harness_run(argc, argv);
}
