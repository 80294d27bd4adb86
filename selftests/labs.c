// SPDX-License-Identifier: GPL-2.0
/*
 * Every lab's claim, asserted through the same code path a person uses:
 * `mmscope lab NAME`.  Each lab checks its claim against mmscope and the
 * kernel's own /proc files (maps, pagemap, smaps, vmstat, buddyinfo,
 * slabinfo) and exits 0 on PASS, 1 on FAIL, 4 when the kernel cannot show
 * the claim (its reason on the "SKIP" line).
 *
 * The lab's PASS is not the proof: its checks and tolerances are product
 * code.  The CLI runs this program after each step of the lab's subject
 * (MMSCOPE_LAB_HOOK, "labs lab-hook STEP PID VALUE"), which copies the
 * subject's /proc/PID/{maps,smaps_rollup,stat} while it waits; the test
 * then checks the claim against those copies itself, from what the lab's
 * program does at each step (the lab's source), with its own rules.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG	4096UL

/* ---- the hook: the subject's /proc files after each step ----------------- */

static int copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = mmt_read_file(from, &len);
	FILE *f;
	int ret;

	if (!text)
		return -1;
	f = fopen(to, "w");
	ret = f && fwrite(text, 1, len, f) == len ? 0 : -1;
	if (f && fclose(f))
		ret = -1;
	free(text);
	return ret;
}

/*
 * labs lab-hook STEP PID VALUE: the Nth call (N from 1) copies the files
 * into $MMSCOPE_LAB_LOG/N.{maps,smaps_rollup,stat} and "STEP VALUE" into
 * N.step, last (so that N.step marks a complete copy).
 */
static int lab_hook(int argc, char **argv)
{
	static const char *const files[] = { "maps", "smaps_rollup", "stat" };
	const char *dir = getenv("MMSCOPE_LAB_LOG");
	char from[64], to[PATH_MAX];
	unsigned int i;
	int seq = 1;
	FILE *f;

	if (argc != 5 || !dir)
		return 2;
	for (;; seq++) {
		snprintf(to, sizeof(to), "%s/%d.step", dir, seq);
		if (access(to, F_OK))
			break;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "/proc/%s/%s", argv[3], files[i]);
		snprintf(to, sizeof(to), "%s/%d.%s", dir, seq, files[i]);
		if (copy_file(from, to))
			return 3;
	}
	snprintf(to, sizeof(to), "%s/%d.step", dir, seq);
	f = fopen(to, "w");
	if (!f || fprintf(f, "%s %s\n", argv[2], argv[4]) < 0 || fclose(f))
		return 3;
	return 0;
}

/*
 * The steps of the lab's last run, in order (a lab whose fault tracer
 * lost events runs again: its first step, 1, starts each run): the hook's
 * sequence numbers, step numbers and values.
 */
#define MAX_STEPS	64

struct steps {
	int n;
	int seq[MAX_STEPS], step[MAX_STEPS];
	unsigned long long val[MAX_STEPS];
};

static void load_steps(const char *dir, struct steps *st)
{
	char path[PATH_MAX], *text;
	int seq, first = 0, i;

	st->n = 0;
	for (seq = 1; st->n < MAX_STEPS; seq++) {
		snprintf(path, sizeof(path), "%s/%d.step", dir, seq);
		text = mmt_read_file(path, NULL);
		if (!text)
			break;
		st->seq[st->n] = seq;
		if (sscanf(text, "%d %llu", &st->step[st->n], &st->val[st->n]) == 2) {
			if (st->step[st->n] == 1)
				first = st->n;
			st->n++;
		}
		free(text);
	}
	for (i = first; i < st->n; i++) {
		st->seq[i - first] = st->seq[i];
		st->step[i - first] = st->step[i];
		st->val[i - first] = st->val[i];
	}
	st->n -= first;
}

/*
 * The hook's copy of a /proc file after the @i-th step (from 1) of the
 * last run (free() it), NULL if missing.  The checks below name steps by
 * their place in the run, as the lab's source orders them.
 */
static struct steps run;

static char *step_file(const char *dir, int i, const char *what)
{
	char path[PATH_MAX];

	if (i < 1 || i > run.n)
		return NULL;
	snprintf(path, sizeof(path), "%s/%d.%s", dir, run.seq[i - 1], what);
	return mmt_read_file(path, NULL);
}

static unsigned long long step_value(const char *dir, int i)
{
	return i >= 1 && i <= run.n ? run.val[i - 1] : 0;
}

/* The run's steps are the lab's, in the order its source takes them. */
static void expect_steps(struct __test_metadata *_metadata, const int *want,
			 int n)
{
	int i;

	ASSERT_EQ(n, run.n);
	for (i = 0; i < n; i++)
		ASSERT_EQ(want[i], run.step[i]);
}

/* smaps_rollup "KEY: N kB" of a step, -1 if absent. */
static long long step_rollup_kb(const char *dir, int step, const char *key)
{
	char *text = step_file(dir, step, "smaps_rollup"), *p;
	char pat[64];
	long long v = -1;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = text ? strstr(text, pat) : NULL;
	if (p)
		v = strtoll(p + strlen(pat), NULL, 10);
	free(text);
	return v;
}

/* minflt (field 10 of /proc/PID/stat) of a step, -1 if absent. */
static long long step_minflt(const char *dir, int step)
{
	char *text = step_file(dir, step, "stat"), *p;
	long long v = -1;
	int field;

	p = text ? strrchr(text, ')') : NULL;
	/* Field 3 (state) follows ") "; field 10 is 7 more on. */
	for (field = 2; p && field < 10; field++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoll(p + 1, NULL, 10);
	free(text);
	return v;
}

/*
 * In a step's maps: the VMAs that overlap [start, end), how many there
 * are in all (*total), and the permissions of the one holding @start.
 */
static int step_vmas(const char *dir, int step, unsigned long long start,
		     unsigned long long end, int *total, char *perms,
		     unsigned long long *vstart, unsigned long long *vend)
{
	char *text = step_file(dir, step, "maps");
	const char *pos = text;
	struct mmt_vma v;
	int n = 0;

	*total = 0;
	if (perms)
		*perms = '\0';
	while (text && mmt_maps_next(&pos, &v)) {
		(*total)++;
		if (v.end <= start || v.start >= end)
			continue;
		n++;
		if (v.start <= start && start < v.end) {
			if (perms)
				strcpy(perms, v.perms);
			if (vstart)
				*vstart = v.start;
			if (vend)
				*vend = v.end;
		}
	}
	free(text);
	return text ? n : -1;
}

/*
 * demand (steps: 1 warm up, 2 malloc(100 MiB) -> its pointer, 3 write one
 * byte in each of the first 100 pages after it, page-aligned).  glibc
 * serves 100 MiB with a fresh mmap and writes only its chunk header, just
 * below the pointer: after step 2 a VMA that did not exist holds the
 * whole block and anonymous memory grew by that one page; after step 3
 * the kernel counted exactly 100 minor faults and 100 more pages.
 */
#define DEMAND_SIZE	(100ULL << 20)
#define DEMAND_TOUCH	100

static void check_demand(struct __test_metadata *_metadata, const char *dir)
{
	unsigned long long p = step_value(dir, 2), vs = 0, ve = 0;
	int total;

	expect_steps(_metadata, (const int[]){ 1, 2, 3 }, 3);
	ASSERT_NE(0, p);
	EXPECT_EQ(0, step_vmas(dir, 1, p, p + 1, &total, NULL, NULL, NULL));
	EXPECT_EQ(1, step_vmas(dir, 2, p, p + DEMAND_SIZE, &total, NULL, &vs, &ve));
	EXPECT_TRUE(vs < p && ve >= p + DEMAND_SIZE)
		TH_LOG("block %#llx +100 MiB, VMA %#llx-%#llx", p, vs, ve);
	EXPECT_EQ(4, step_rollup_kb(dir, 2, "Anonymous") -
		     step_rollup_kb(dir, 1, "Anonymous"));
	EXPECT_EQ(DEMAND_TOUCH, step_minflt(dir, 3) - step_minflt(dir, 2));
	EXPECT_EQ(DEMAND_TOUCH * 4, step_rollup_kb(dir, 3, "Anonymous") -
				    step_rollup_kb(dir, 2, "Anonymous"));
}

/*
 * vma (steps: 1 map 48 written private pages -> their address, 2 make the
 * middle 16 read-only, 3 writable again, 4 unmap the middle 16).  The
 * kernel's maps: one rw VMA around the 48 pages; three after 2 (rw, r--,
 * rw), two more VMAs in all; one again after 3, as many as after 1; a hole
 * in the middle after 4, one VMA more than after 1, 64 kB less anonymous
 * memory.
 */
#define VMA_NPG		48ULL

static void check_vma(struct __test_metadata *_metadata, const char *dir)
{
	unsigned long long p = step_value(dir, 1), third = VMA_NPG / 3 * PG;
	int t1, t2, t3, t4;
	char perms[8];

	expect_steps(_metadata, (const int[]){ 1, 2, 3, 4 }, 4);
	ASSERT_NE(0, p);
	EXPECT_EQ(1, step_vmas(dir, 1, p, p + VMA_NPG * PG, &t1, perms, NULL, NULL));
	EXPECT_STREQ("rw-p", perms);
	EXPECT_EQ(3, step_vmas(dir, 2, p, p + VMA_NPG * PG, &t2, NULL, NULL, NULL));
	step_vmas(dir, 2, p + third, p + 2 * third, &t2, perms, NULL, NULL);
	EXPECT_STREQ("r--p", perms);
	EXPECT_EQ(t1 + 2, t2);
	EXPECT_EQ(1, step_vmas(dir, 3, p, p + VMA_NPG * PG, &t3, perms, NULL, NULL));
	EXPECT_STREQ("rw-p", perms);
	EXPECT_EQ(t1, t3);
	EXPECT_EQ(0, step_vmas(dir, 4, p + third, p + 2 * third, &t4, NULL, NULL, NULL));
	EXPECT_EQ(2, step_vmas(dir, 4, p, p + VMA_NPG * PG, &t4, NULL, NULL, NULL));
	EXPECT_EQ(t1 + 1, t4);
	EXPECT_EQ(third / 1024, step_rollup_kb(dir, 3, "Anonymous") -
				step_rollup_kb(dir, 4, "Anonymous"));
}

/*
 * malloc (steps in the lab's order: 1 warm up with one 64 KiB block, 3
 * sbrk(0) -> the break, 2 eight 64 KiB blocks -> the last one's address,
 * 3 sbrk(0) again, 4 one 1 MiB block (above glibc's 128 KiB mmap
 * threshold, fixed by mallopt) -> its address, 5 free it).  The kernel's
 * maps: the small blocks lie in [heap], which ends at the new break
 * rounded up to a page; the big block is in a VMA that did not exist,
 * outside [heap], one VMA more; after free() it is gone, as many VMAs as
 * before it.
 */
static void check_malloc(struct __test_metadata *_metadata, const char *dir)
{
	unsigned long long brk0 = step_value(dir, 2), p = step_value(dir, 3);
	unsigned long long brk1 = step_value(dir, 4), big = step_value(dir, 5);
	unsigned long long vs = 0, ve = 0;
	int t4, t5, t6;
	char *maps;
	const char *pos;
	struct mmt_vma v;
	bool heap = false;

	expect_steps(_metadata, (const int[]){ 1, 3, 2, 3, 4, 5 }, 6);
	ASSERT_NE(0, p);
	ASSERT_NE(0, big);
	EXPECT_LT(brk0, brk1);
	maps = step_file(dir, 4, "maps");
	ASSERT_NE(NULL, maps);
	for (pos = maps; mmt_maps_next(&pos, &v);)
		if (mmt_vma_named(&v, "[heap]")) {
			heap = v.start <= p && p < v.end &&
			       v.end == ((brk1 + PG - 1) & ~(PG - 1));
			vs = v.start;
			ve = v.end;
		}
	free(maps);
	EXPECT_TRUE(heap) TH_LOG("block %#llx, break %#llx, [heap] %#llx-%#llx",
				 p, brk1, vs, ve);
	EXPECT_EQ(0, step_vmas(dir, 4, big, big + 1, &t4, NULL, NULL, NULL));
	EXPECT_EQ(1, step_vmas(dir, 5, big, big + 1, &t5, NULL, NULL, NULL));
	maps = step_file(dir, 5, "maps");
	ASSERT_NE(NULL, maps);
	for (pos = maps; mmt_maps_next(&pos, &v);)
		if (v.start <= big && big < v.end)
			EXPECT_FALSE(mmt_vma_named(&v, "[heap]"));
	free(maps);
	EXPECT_EQ(t4 + 1, t5);
	EXPECT_EQ(0, step_vmas(dir, 6, big, big + 1, &t6, NULL, NULL, NULL));
	EXPECT_EQ(t4, t6);
}

FIXTURE(lab) {
};

FIXTURE_VARIANT(lab) {
	const char *name;
	bool traced;		/* checks a count from the BPF fault tracer */
	/* the claim against the subject's /proc files, by the test */
	void (*check)(struct __test_metadata *_metadata, const char *dir);
};

/* One line per lab: the labs this build of mmscope has. */
FIXTURE_VARIANT_ADD(lab, demand) {
	.name = "demand", .traced = true, .check = check_demand
};
FIXTURE_VARIANT_ADD(lab, malloc) { .name = "malloc", .check = check_malloc };
FIXTURE_VARIANT_ADD(lab, cow) { .name = "cow", .traced = true };
FIXTURE_VARIANT_ADD(lab, filemap) { .name = "filemap" };
FIXTURE_VARIANT_ADD(lab, translate) { .name = "translate" };
FIXTURE_VARIANT_ADD(lab, thp) { .name = "thp", .traced = true };
FIXTURE_VARIANT_ADD(lab, vma) { .name = "vma", .check = check_vma };
FIXTURE_VARIANT_ADD(lab, buddy) { .name = "buddy" };
FIXTURE_VARIANT_ADD(lab, slab) { .name = "slab" };

FIXTURE_SETUP(lab)
{
}

FIXTURE_TEARDOWN(lab)
{
}

/* A passed check line "[ok] ... (mmscope's BPF fault tracer)". */
static bool tracer_checked(const char *out)
{
	static const char tag[] = "(mmscope's BPF fault tracer)\n";
	const char *p, *line;

	for (p = out; (p = strstr(p, tag)); p++) {
		for (line = p; line > out && line[-1] != '\n'; line--)
			;
		if (strstr(line, "[ok]") && strstr(line, "[ok]") < p)
			return true;
	}
	return false;
}

/* Remove the hook's copies and their directory. */
static void rm_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

TEST_F(lab, claim_holds)
{
	char dir[] = "/tmp/mmscope-lab-XXXXXX", exe[PATH_MAX];
	char *out, *err, *skip;
	ssize_t n;
	int status;

	ASSERT_NE(NULL, mkdtemp(dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	setenv("MMSCOPE_LAB_HOOK", exe, 1);
	setenv("MMSCOPE_LAB_LOG", dir, 1);
	out = mmt_cli_run(&status, &err, "lab", variant->name, NULL);
	unsetenv("MMSCOPE_LAB_HOOK");
	if (!out)
		rm_dir(dir);
	ASSERT_NE(NULL, out);
	skip = strstr(out, "\nSKIP ");
	if (status == 4 && skip) {
		skip[strcspn(skip + 1, "\n") + 1] = '\0';
		SKIP(goto out, "%s", skip + 6);
	}
	EXPECT_EQ(0, status) {
		TH_LOG("lab %s output:\n%s%s", variant->name, out, err);
	}
	EXPECT_NE(NULL, strstr(out, "\nPASS "));
	EXPECT_EQ(NULL, strstr(out, "[FAIL]"));
	/* The tracer's count was checked (as root it must run). */
	if (variant->traced)
		EXPECT_TRUE(tracer_checked(out))
			TH_LOG("lab %s: no fault-tracer check line:\n%s",
			       variant->name, out);
	/* The claim, checked by the test against /proc itself. */
	if (variant->check) {
		load_steps(dir, &run);
		variant->check(_metadata, dir);
	}
out:
	rm_dir(dir);
	free(out);
	free(err);
}

TEST(lab_list_and_bad_name)
{
	char *list[] = { (char *)mmt_cli(), "lab", NULL };
	char *bad[] = { (char *)mmt_cli(), "lab", "no-such-lab", NULL };
	char *out, *err;
	int status;

	out = mmt_run(list, &status, NULL);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out, "malloc"));
	free(out);
	out = mmt_run(bad, &status, &err);
	EXPECT_EQ(2, status);
	EXPECT_NE(NULL, strstr(err, "no lab named 'no-such-lab'"));
	free(out);
	free(err);
}

/* --json: one record, its result the exit status's, its checks listed. */
TEST(lab_json_record)
{
	char *argv[] = { (char *)mmt_cli(), "lab", "malloc", "--json", NULL };
	struct mmt_json *doc, *checks;
	char *out, *err;
	int status, i;

	out = mmt_run(argv, &status, &err);
	ASSERT_NE(NULL, out);
	/* Nothing but the record: one line. */
	EXPECT_EQ(strlen(out) - 1, strcspn(out, "\n")) TH_LOG("%s", out);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc) TH_LOG("%s", out);
	EXPECT_STREQ("lab", mmt_jstr(mmt_jget(doc, "type")) ?: "");
	EXPECT_STREQ("malloc", mmt_jstr(mmt_jget(doc, "name")) ?: "");
	checks = mmt_jget(doc, "checks");
	ASSERT_NE(NULL, checks);
	if (status == 4) {
		EXPECT_STREQ("skip", mmt_jstr(mmt_jget(doc, "result")) ?: "");
		EXPECT_NE(NULL, mmt_jstr(mmt_jget(doc, "skip_reason")));
	} else {
		EXPECT_EQ(0, status) TH_LOG("%s%s", out, err);
		EXPECT_STREQ("pass", mmt_jstr(mmt_jget(doc, "result")) ?: "");
		EXPECT_LT(0, checks->n);
		EXPECT_EQ(checks->n, (int)mmt_jnum(mmt_jget(doc, "passed")));
		EXPECT_EQ(0, mmt_jnum(mmt_jget(doc, "failed")));
		for (i = 0; i < checks->n; i++)
			EXPECT_TRUE(mmt_jget(checks->kids[i], "ok")->boolean);
	}
	mmt_json_free(doc);
	free(out);
	free(err);
}

/* Files the slab lab made in /dev/shm: -1 if it has no directory there. */
static int lab_slab_files(void)
{
	char path[512];
	struct dirent *d, *f;
	int n = -1;
	DIR *shm = opendir("/dev/shm"), *sub;

	while (shm && (d = readdir(shm))) {
		if (strncmp(d->d_name, "mmscope-lab-slab.", 17))
			continue;
		n = n < 0 ? 0 : n;
		snprintf(path, sizeof(path), "/dev/shm/%s", d->d_name);
		sub = opendir(path);
		while (sub && (f = readdir(sub)))
			n += f->d_name[0] != '.';
		if (sub)
			closedir(sub);
	}
	if (shm)
		closedir(shm);
	return n;
}

/*
 * Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM
 * to mmscope alone while the slab lab holds its thousands of files open:
 * mmscope dies of that signal and leaves nothing in /dev/shm.
 */
FIXTURE(interrupt) {};
FIXTURE_VARIANT(interrupt) {
	int sig;
	bool group;
};
FIXTURE_VARIANT_ADD(interrupt, ctrl_c) { .sig = SIGINT, .group = true };
FIXTURE_VARIANT_ADD(interrupt, sigterm) { .sig = SIGTERM, .group = false };
FIXTURE_SETUP(interrupt) {}
FIXTURE_TEARDOWN(interrupt) {}

TEST_F(interrupt, slab_lab_cleans_up)
{
	int st, i, n = -1;
	pid_t cli;

	ASSERT_EQ(-1, lab_slab_files()) TH_LOG("files left from before");
	cli = fork();
	if (cli == 0) {
		setpgid(0, 0);
		if (!freopen("/dev/null", "w", stdout))
			_exit(98);
		execl(mmt_cli(), mmt_cli(), "lab", "slab", (char *)NULL);
		_exit(99);
	}
	ASSERT_LT(0, cli);
	/* Until the program has made most of its files (at least 2000). */
	for (i = 0; i < 60000; i++) {
		n = lab_slab_files();
		if (n >= 1000 || waitpid(cli, &st, WNOHANG) == cli)
			break;
		usleep(1000);
	}
	if (n < 1000) {
		kill(cli, SIGKILL);
		waitpid(cli, &st, 0);
		ASSERT_EQ(-1, lab_slab_files());
		SKIP(return, "the slab lab made no files in /dev/shm (%d): it skipped here", n);
	}
	kill(variant->group ? -cli : cli, variant->sig);
	ASSERT_EQ(cli, waitpid(cli, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == variant->sig)
		TH_LOG("status %#x", st);
	EXPECT_EQ(-1, lab_slab_files());
	if (variant->group)
		kill(-cli, SIGKILL);	/* nothing should be left in it */
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "lab-hook"))
		return lab_hook(argc, argv);
	return test_harness_run(argc, argv);
}
