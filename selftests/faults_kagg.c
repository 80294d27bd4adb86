// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults --hist / --top --by class|comm|cgroup counted in the
 * kernel (BPF maps, no record per fault), against the kernel's own counts
 * and against the same options streamed (--stream: a record per fault,
 * counted in user space).
 *
 * The workload ("classes ADDR N [CGROUP]") makes known faults in three
 * regions of its own, 64 MiB apart from ADDR, THP off: N first writes
 * (anon), N first reads (zero: the shared zero page), and in the third N
 * writes (anon), then a forked child's N writes (cow), then, the child
 * reaped, the parent's N writes again (reuse: the pages are its alone).
 * Within --range ADDR..ADDR+3*64MiB that is exactly: anon 2N, zero N,
 * cow N, reuse N, nothing else.  The classes themselves are checked
 * against pagemap and kpageflags by faultclass; here the claim is that
 * both ways of counting give those numbers, and that the whole command's
 * completed faults are its wait4() rusage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG		4096UL
#define N		64
#define REG		(64UL << 20)
#define ADDR		0x3e0000000000UL
#define CGROUP2_MAGIC_	0x63677270

static const char *const names[] = {
	"anon", "zero", "cow", "reuse", "file_minor", "file_major",
	"swap_minor", "swap_major", "numa", "uffd", "hugetlb", "error",
	"retry", "spurious",
};
#define NCLS	((int)(sizeof(names) / sizeof(names[0])))

/* ---- the workload ----------------------------------------------------- */

static char *region(unsigned long a, unsigned long len)
{
	char *p = mmap((void *)a, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static int wl_classes(unsigned long a, int n, const char *cg)
{
	volatile char sum = 0;
	char *p, path[PATH_MAX], pid[32];
	int i, st;
	pid_t c;

	if (cg) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (mmt_write_str(path, pid))
			return 3;
	}
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = region(a, n * PG);
	if (!p)
		return 3;
	for (i = 0; i < n; i++)
		p[i * PG] = 1;
	p = region(a + REG, n * PG);
	if (!p)
		return 3;
	for (i = 0; i < n; i++)
		sum += p[i * PG];
	p = region(a + 2 * REG, n * PG);
	if (!p)
		return 3;
	for (i = 0; i < n; i++)
		p[i * PG] = 1;
	c = fork();
	if (c < 0)
		return 3;
	if (!c) {
		for (i = 0; i < n; i++)
			p[i * PG] = 2;
		_exit(0);
	}
	if (waitpid(c, &st, 0) != c || st)
		return 3;
	for (i = 0; i < n; i++)
		p[i * PG] = 3;
	return 0;
}

/* ---- the test ---------------------------------------------------------- */

struct run {
	struct mmt_json *sum, *doc;
	struct mmt_json *top[2];	/* the count and latency rankings */
	char *err;
	int status, ntop, other;	/* other: records of another type */
};

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

/* `mmscope faults --json ARGS... -- <self> classes ADDR N [CG]`. */
static int run(struct run *r, const char *const *args, const char *cg)
{
	const char *argv[32] = { "faults", "--json" };
	char addr[32], n[16], *out, *line;
	int i = 2;

	memset(r, 0, sizeof(*r));
	snprintf(addr, sizeof(addr), "0x%lx", ADDR);
	snprintf(n, sizeof(n), "%d", N);
	for (; *args && i < 24; args++)
		argv[i++] = *args;
	argv[i++] = "--";
	argv[i++] = self_exe();
	argv[i++] = "classes";
	argv[i++] = addr;
	argv[i++] = n;
	if (cg)
		argv[i++] = cg;
	argv[i] = NULL;
	out = mmt_cli_runv(argv, &r->status, &r->err);
	if (!out)
		return -1;
	for (line = out; line && *line;) {
		char *nl = strchr(line, '\n');
		struct mmt_json *j;
		const char *type;

		if (nl)
			*nl = '\0';
		j = mmt_json_parse(line);
		type = mmt_jstr(mmt_jget(j, "type")) ?: "";
		if (j && !strcmp(type, "summary")) {
			r->doc = j;
			r->sum = mmt_jget(j, "summary");
		} else if (j && !strcmp(type, "top") && r->ntop < 2) {
			r->top[r->ntop++] = j;
		} else {
			r->other++;
			mmt_json_free(j);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(out);
	return 0;
}

static void run_free(struct run *r)
{
	mmt_json_free(r->doc);
	mmt_json_free(r->top[0]);
	mmt_json_free(r->top[1]);
	free(r->err);
}

static unsigned long long sumnum(const struct run *r, const char *k)
{
	return mmt_jnum(mmt_jget(r->sum, k));
}

static unsigned long long cls(const struct run *r, const char *name)
{
	return mmt_jnum(mmt_jget(mmt_jget(r->sum, "classes"), name));
}

/* The row of @key in top record @t, or NULL. */
static struct mmt_json *row(const struct mmt_json *t, const char *key)
{
	struct mmt_json *rows = mmt_jget(t, "rows");
	int i;

	for (i = 0; rows && rows->type == MMT_JARR && i < rows->n; i++)
		if (!strcmp(mmt_jstr(mmt_jget(rows->kids[i], "key")) ?: "", key))
			return rows->kids[i];
	return NULL;
}

/*
 * What holds for every run: it ran, nothing lost or missed (every count
 * below is exact), no record but the two rankings and the summary; the
 * histogram holds every fault; each ranking's rows + other = total =
 * the summary's events.  The histogram's slots against the total latency
 * of the same faults (the top records'): a fault in slot i took
 * [2^i, 2^(i+1)) ns (slot 0: [0, 2)), so sum(count_i * 2^i) (slot 0: 0)
 * <= total < sum(count_i * 2^(i+1)): a fault counted in the wrong slot
 * moves one of the bounds past the total by a factor of 2.
 */
static void check_run(struct __test_metadata *_metadata, const struct run *r,
		      const char *agg, const char *by)
{
	unsigned long long events, lo = 0, hi = 0, hsum = 0, total;
	struct mmt_json *h;
	int i, k;

	ASSERT_EQ(0, r->status) TH_LOG("%s", r->err ?: "");
	ASSERT_NE(NULL, r->sum);
	EXPECT_STREQ(agg, mmt_jstr(mmt_jget(r->sum, "aggregation")) ?: "");
	EXPECT_EQ(0, sumnum(r, "lost"));
	EXPECT_EQ(0, sumnum(r, "missed"));
	EXPECT_EQ(0, r->other);
	ASSERT_EQ(2, r->ntop);
	events = sumnum(r, "events");
	EXPECT_EQ(sumnum(r, "calls"), events + sumnum(r, "retries"));
	h = mmt_jget(r->sum, "latency_log2_ns");
	ASSERT_TRUE(h && h->type == MMT_JARR);
	for (i = 0; i < h->n; i++) {
		unsigned long long c = mmt_jnum(h->kids[i]);

		hsum += c;
		lo += i ? c << i : 0;
		hi += c << (i + 1);
	}
	EXPECT_EQ(events, hsum);
	for (k = 0; k < 2; k++) {
		struct mmt_json *rows = mmt_jget(r->top[k], "rows");
		unsigned long long f = 0;

		EXPECT_STREQ(by, mmt_jstr(mmt_jget(r->top[k], "by")) ?: "");
		for (i = 0; rows && i < rows->n; i++)
			f += mmt_jnum(mmt_jget(rows->kids[i], "faults"));
		f += mmt_jnum(mmt_jget(mmt_jget(r->top[k], "other"), "faults"));
		EXPECT_EQ(events, f);
		EXPECT_EQ(events, mmt_jnum(mmt_jget(mmt_jget(r->top[k], "total"),
						    "faults")));
	}
	total = mmt_jnum(mmt_jget(mmt_jget(r->top[0], "total"), "latency_ns"));
	EXPECT_LE(lo, total) TH_LOG("slots' lower bounds %llu ns > total %llu ns",
				    lo, total);
	EXPECT_LT(total, hi) TH_LOG("total %llu ns >= slots' upper bounds %llu ns",
				    total, hi);
}

/* The known classes within the workload's regions (see the top). */
static void check_classes(struct __test_metadata *_metadata,
			  const struct run *r)
{
	static const struct { const char *name; int n; } want[] = {
		{ "anon", 2 * N }, { "zero", N }, { "cow", N }, { "reuse", N },
	};
	unsigned long long rest = 0;
	int i, k;

	for (i = 0; i < 4; i++) {
		struct mmt_json *rw = row(r->top[0], want[i].name);

		EXPECT_EQ(want[i].n, cls(r, want[i].name))
			TH_LOG("%s: %llu of %d", want[i].name,
			       cls(r, want[i].name), want[i].n);
		ASSERT_NE(NULL, rw) TH_LOG("no %s row", want[i].name);
		EXPECT_EQ(want[i].n, mmt_jnum(mmt_jget(rw, "faults")));
	}
	/*
	 * Per class, its histogram holds its known number of faults; slot by
	 * slot, the classes' histograms add up to the whole one.
	 */
	{
		struct mmt_json *by = mmt_jget(r->sum, "latency_log2_ns_by_class");
		struct mmt_json *h = mmt_jget(r->sum, "latency_log2_ns");
		unsigned long long slot[64] = { 0 };

		ASSERT_TRUE(by && by->type == MMT_JOBJ && h);
		EXPECT_EQ(4, by->n);
		for (i = 0; i < 4; i++) {
			struct mmt_json *ch = mmt_jget(by, want[i].name);
			unsigned long long t = 0;

			ASSERT_TRUE(ch && ch->type == MMT_JARR && ch->n <= 64)
				TH_LOG("no histogram of class %s", want[i].name);
			for (k = 0; k < ch->n; k++) {
				t += mmt_jnum(ch->kids[k]);
				slot[k] += mmt_jnum(ch->kids[k]);
			}
			EXPECT_EQ(want[i].n, t)
				TH_LOG("class %s: %llu in its histogram", want[i].name, t);
		}
		for (k = 0; k < h->n && k < 64; k++) {
			EXPECT_EQ(mmt_jnum(h->kids[k]), slot[k])
				TH_LOG("slot %d", k);
		}
	}
	for (k = 4; k < NCLS; k++)
		rest += cls(r, names[k]);
	EXPECT_EQ(0, rest);
	EXPECT_EQ(0, sumnum(r, "unclassified"));
	EXPECT_EQ(5 * N, sumnum(r, "events"));
	EXPECT_EQ(0, sumnum(r, "retries"));
	/* anon and cow and reuse write; the zero phase reads */
	EXPECT_EQ(4 * N, sumnum(r, "write"));
	EXPECT_EQ(5 * N, sumnum(r, "anon"));
	EXPECT_EQ(5 * N, sumnum(r, "minor"));
}

/*
 * The workload's regions, counted in the kernel and streamed: both are the
 * known numbers per class, and every counter the summary has agrees
 * between the two (the same deterministic workload: which lock each fault
 * took, too).
 */
TEST(kernel_and_stream_count_the_known_classes)
{
	static const char *const same[] = {
		"events", "calls", "retries", "completed", "minor", "major",
		"retry", "error", "write", "exec", "user", "remote", "anon",
		"file", "mapped", "unclassified",
	};
	char range[64];
	struct run k, s;
	int i;

	snprintf(range, sizeof(range), "0x%lx-0x%lx", ADDR, ADDR + 3 * REG);
	ASSERT_EQ(0, run(&k, (const char *[]){ "--hist", "--top", "20",
		  "--by", "class", "--range", range, NULL }, NULL));
	check_run(_metadata, &k, "kernel", "class");
	check_classes(_metadata, &k);
	ASSERT_EQ(0, run(&s, (const char *[]){ "--hist", "--top", "20",
		  "--by", "class", "--range", range, "--stream", NULL }, NULL));
	check_run(_metadata, &s, "user", "class");
	check_classes(_metadata, &s);
	for (i = 0; i < (int)(sizeof(same) / sizeof(same[0])); i++)
		EXPECT_EQ(sumnum(&s, same[i]), sumnum(&k, same[i]))
			TH_LOG("%s: streamed %llu, kernel %llu", same[i] ?: "?",
			       sumnum(&s, same[i]), sumnum(&k, same[i]));
	for (i = 0; i < NCLS; i++)
		EXPECT_EQ(cls(&s, names[i]), cls(&k, names[i]));
	EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(s.sum, "locks"), "vma")),
		  mmt_jnum(mmt_jget(mmt_jget(k.sum, "locks"), "vma")));
	ksft_print_msg("kernel: %llu faults, streamed: %llu\n",
		       sumnum(&k, "events"), sumnum(&s, "events"));
	run_free(&k);
	run_free(&s);
}

/*
 * The whole command (no --range), counted in the kernel, by comm: the
 * faults that completed (neither an error nor a retry, and classified) are
 * exactly its wait4() rusage, minflt + majflt since its exec (read by
 * mmscope from the kernel; mm_account_fault() counts each completed fault
 * once), tolerance 0; /proc/vmstat pgfault, read around the run, counts
 * every task: at least as many.  Every traced task is the workload (its
 * tree from its exec on), so one comm row holds every fault.
 */
TEST(kernel_counts_match_rusage)
{
	unsigned long long v0, v1, done, minflt, majflt;
	struct mmt_json *child, *rw;
	const char *comm = "faults_kagg";
	struct run k;

	v0 = mmt_vmstat("pgfault");
	ASSERT_EQ(0, run(&k, (const char *[]){ "--hist", "--top", "5", "--by",
		  "comm", NULL }, NULL));
	v1 = mmt_vmstat("pgfault");
	check_run(_metadata, &k, "kernel", "comm");
	child = mmt_jget(k.sum, "child");
	ASSERT_NE(NULL, child);
	minflt = mmt_jnum(mmt_jget(child, "minflt"));
	majflt = mmt_jnum(mmt_jget(child, "majflt"));
	done = sumnum(&k, "events") - cls(&k, "error") - cls(&k, "retry") -
	       sumnum(&k, "unclassified");
	EXPECT_EQ(minflt + majflt, done)
		TH_LOG("rusage %llu+%llu, completed %llu", minflt, majflt, done);
	EXPECT_GE(v1 - v0, done);
	EXPECT_LE(5 * N, done);
	rw = row(k.top[0], comm);
	ASSERT_NE(NULL, rw) TH_LOG("no row for %s", comm);
	EXPECT_EQ(sumnum(&k, "events"), mmt_jnum(mmt_jget(rw, "faults")));
	ksft_print_msg("%llu faults (%llu completed), rusage %llu+%llu, pgfault +%llu\n",
		       sumnum(&k, "events"), done, minflt, majflt, v1 - v0);
	run_free(&k);
}

/*
 * --by cgroup: the workload moves itself into a cgroup of its own before
 * its phases; counted in the kernel (the cgroup's id at each fault, named
 * at the end), the workload's regions' faults are all that cgroup's row,
 * under the path the test made; streamed, those of the processes still
 * there when their first record was read.
 */
TEST(kernel_and_stream_by_cgroup)
{
	static const char *const root = "/sys/fs/cgroup";
	char cg[256], key[128], range[64];
	struct mmt_json *rw;
	struct statfs sf;
	struct run k, s;

	if (statfs(root, &sf) || sf.f_type != CGROUP2_MAGIC_) {
		if (mount("cgroup2", root, "cgroup2", 0, NULL))
			SKIP(return, "cgroup2 is not mounted at %s and cannot be mounted there: %s",
			     root, strerror(errno));
	}
	snprintf(key, sizeof(key), "/mmscope-kagg-%d", getpid());
	snprintf(cg, sizeof(cg), "%s%s", root, key);
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(range, sizeof(range), "0x%lx-0x%lx", ADDR, ADDR + 3 * REG);
	ASSERT_EQ(0, run(&k, (const char *[]){ "--top", "5", "--by", "cgroup",
		  "--range", range, NULL }, cg));
	ASSERT_EQ(0, run(&s, (const char *[]){ "--top", "5", "--by", "cgroup",
		  "--range", range, "--stream", NULL }, cg));
	rmdir(cg);
	check_run(_metadata, &k, "kernel", "cgroup");
	check_run(_metadata, &s, "user", "cgroup");
	rw = row(k.top[0], key);
	ASSERT_NE(NULL, rw) TH_LOG("kernel: no row %s", key);
	EXPECT_EQ(5 * N, mmt_jnum(mmt_jget(rw, "faults")));
	/*
	 * Streamed, a pid's cgroup is read from /proc/PID/cgroup when its
	 * first record is read: the cow child (and the parent, at the end)
	 * may be gone by then, "?".  The rest is the test's cgroup.
	 */
	rw = row(s.top[0], key);
	ASSERT_NE(NULL, rw) TH_LOG("streamed: no row %s", key);
	EXPECT_EQ(5 * N, mmt_jnum(mmt_jget(rw, "faults")) +
		  mmt_jnum(mmt_jget(row(s.top[0], "?"), "faults")));
	run_free(&k);
	run_free(&s);
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "classes"))
		return wl_classes(strtoul(argv[2], NULL, 0),
				  atoi(argv[3]), argc == 5 ? argv[4] : NULL);
	return test_harness_run(argc, argv);
}
