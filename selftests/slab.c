// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab: the CLI's JSON against /proc/slabinfo, a private cache of
 * known contents made by the helper module mmscope_test_slab.ko, and the
 * bad inputs the issue names.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define HELPER_KO	"/mmscope/test_modules/mmscope_test_slab.ko"
#define HELPER_CACHE	"mmscope_test_slab"
#define HELPER_OBJS	"/sys/kernel/debug/mmscope_test_slab/objects"
#define HELPER_COUNT	200
#define MAX_CACHES	1024

struct slabinfo_row {
	char name[64];
	unsigned long active, num, objsize, perslab, pages, aslabs, nslabs;
};

/* /proc/slabinfo, version 2.1: two header lines, then one line per cache. */
static int read_slabinfo(struct slabinfo_row *rows, int max)
{
	char *text = mmt_read_file("/proc/slabinfo", NULL), *line, *save;
	int n = 0, skip = 2;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		struct slabinfo_row *r = &rows[n];

		if (skip) {
			skip--;
			continue;
		}
		if (sscanf(line, "%63s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %lu %lu",
			   r->name, &r->active, &r->num, &r->objsize,
			   &r->perslab, &r->pages, &r->aslabs, &r->nslabs) == 8)
			n++;
	}
	free(text);
	return n;
}

static const struct slabinfo_row *find_row(const struct slabinfo_row *rows,
					   int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

/*
 * The helper's private cache in slabinfo read @before and @after a read of
 * it: both rows there and the same (nothing else uses the cache, so the
 * read left it as it was).  Its row.
 */
static const struct slabinfo_row *
helper_row_unchanged(struct __test_metadata *_metadata,
		     const struct slabinfo_row *before, int nb,
		     const struct slabinfo_row *after, int na)
{
	const struct slabinfo_row *b = find_row(before, nb, HELPER_CACHE);
	const struct slabinfo_row *a = find_row(after, na, HELPER_CACHE);

	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, memcmp(a, b, sizeof(*a))) TH_LOG("private cache changed");
	return b;
}

static char *run_cli(int *status, char **err, const char *a1, const char *a2,
		     const char *a3)
{
	return mmt_cli_run(status, err, "slab", a1, a2, a3, NULL);
}

/* mmscope slab --json, parsed. */
static struct mmt_json *slab_json(const char *a1, const char *a2)
{
	int status;
	char *out = run_cli(&status, NULL, "--json", a1, a2);
	struct mmt_json *doc = status == 0 ? mmt_json_parse(out) : NULL;

	free(out);
	return doc;
}

static const struct mmt_json *find_cache(const struct mmt_json *doc,
					 const char *name)
{
	const struct mmt_json *caches = mmt_jget(doc, "caches");
	int i;

	for (i = 0; caches && i < caches->n; i++)
		if (!strcmp(mmt_jstr(mmt_jget(caches->kids[i], "name")) ?: "",
			    name))
			return caches->kids[i];
	return NULL;
}

static unsigned long long cnum(const struct mmt_json *c, const char *key)
{
	return mmt_jnum(mmt_jget(c, key));
}

/* The set of names, and each cache's geometry, equal /proc/slabinfo's. */
TEST(names_and_geometry)
{
	static struct slabinfo_row rows[MAX_CACHES];
	const struct mmt_json *caches;
	struct mmt_json *doc = NULL;
	int n = 0, i, tries, missing = 0;

	/* A cache may come or go between the two reads: retry a few times. */
	for (tries = 0; tries < 3; tries++) {
		n = read_slabinfo(rows, MAX_CACHES);
		ASSERT_GT(n, 0);
		doc = slab_json(NULL, NULL);
		ASSERT_NE(NULL, doc);
		caches = mmt_jget(doc, "caches");
		ASSERT_NE(NULL, caches);
		missing = 0;
		for (i = 0; i < n; i++)
			missing += !find_cache(doc, rows[i].name);
		if (!missing && caches->n == n)
			break;
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(n, caches->n);
	for (i = 0; i < caches->n; i++) {
		const struct mmt_json *c = caches->kids[i];
		const char *name = mmt_jstr(mmt_jget(c, "name"));
		const struct slabinfo_row *r = find_row(rows, n, name ?: "");

		if (!r)
			continue;
		/* slabinfo's "objsize" column is the slot size. */
		EXPECT_EQ(r->objsize, cnum(c, "size")) TH_LOG("%s size", name);
		EXPECT_EQ(r->perslab, cnum(c, "objs_per_slab"))
			TH_LOG("%s objs_per_slab", name);
		EXPECT_EQ(r->pages, cnum(c, "pages_per_slab"))
			TH_LOG("%s pages_per_slab", name);
		EXPECT_LE(cnum(c, "object_size"), cnum(c, "size"));
	}
}

/* Lower and upper bound of a busy cache's figure: the two readings, widened. */
static bool within(unsigned long b, unsigned long a, unsigned long slack,
		   unsigned long long v)
{
	unsigned long lo = b < a ? b : a, hi = b < a ? a : b;

	return v + slack >= lo && v <= hi + slack;
}

/*
 * Object and slab counts equal /proc/slabinfo's for every cache that was
 * quiet while mmscope read it: slabinfo is read before and after, and a
 * cache whose line is the same in both is quiet and must match exactly.
 * Most caches are quiet in the test VM, so at least half must be.
 *
 * A busy cache (its line changed: allocating or freeing right now) has no
 * exact value to compare with.  Its mmscope figure must lie between the two
 * readings, widened by BUSY_SLABS slabs per CPU (objects: times objects per
 * slab): while mmscope reads, the CLI's own process (task, mm, VMAs,
 * buffers) exists and is gone by the second reading, and each CPU moves
 * whole slabs between its per-CPU lists and the node lists.
 *
 * Except kmemleak's own caches (the check-debug kernel): kmemleak_object
 * holds one object for every object allocated in any cache, the reading's
 * own included, so no bound follows from its slabs alone (seen: 192 above
 * both readings).  They are compared only when quiet.
 */
#define BUSY_SLABS	2

TEST(counts_of_quiet_caches)
{
	static struct slabinfo_row before[MAX_CACHES], after[MAX_CACHES];
	int nb, na, i, compared = 0, busy = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	struct mmt_json *doc;

	nb = read_slabinfo(before, MAX_CACHES);
	doc = slab_json(NULL, NULL);
	na = read_slabinfo(after, MAX_CACHES);
	ASSERT_NE(NULL, doc);
	ASSERT_GT(nb, 0);
	for (i = 0; i < nb; i++) {
		const struct slabinfo_row *b = &before[i];
		const struct slabinfo_row *a = find_row(after, na, b->name);
		const struct mmt_json *c = find_cache(doc, b->name);

		if (a && c && memcmp(a, b, sizeof(*a))) {
			unsigned long sl = BUSY_SLABS * ncpu, so = sl * b->perslab;

			if (!strncmp(b->name, "kmemleak_", 9))
				continue;
			busy++;
			EXPECT_TRUE(within(b->active, a->active, so,
					   cnum(c, "active_objs")))
				TH_LOG("busy %s active %lu..%lu mmscope %llu", b->name,
				       b->active, a->active, cnum(c, "active_objs"));
			EXPECT_TRUE(within(b->num, a->num, so, cnum(c, "num_objs")))
				TH_LOG("busy %s objs %lu..%lu mmscope %llu", b->name,
				       b->num, a->num, cnum(c, "num_objs"));
			EXPECT_TRUE(within(b->nslabs, a->nslabs, sl,
					   cnum(c, "num_slabs")))
				TH_LOG("busy %s slabs %lu..%lu mmscope %llu", b->name,
				       b->nslabs, a->nslabs, cnum(c, "num_slabs"));
			continue;
		}
		if (!a || !c)
			continue;
		compared++;
		EXPECT_EQ(b->active, cnum(c, "active_objs")) TH_LOG("%s", b->name);
		EXPECT_EQ(b->num, cnum(c, "num_objs")) TH_LOG("%s", b->name);
		EXPECT_EQ(b->aslabs, cnum(c, "active_slabs")) TH_LOG("%s", b->name);
		EXPECT_EQ(b->nslabs, cnum(c, "num_slabs")) TH_LOG("%s", b->name);
	}
	TH_LOG("%d quiet caches compared exactly, %d busy within bounds", compared,
	       busy);
	EXPECT_GE(compared * 2, nb);
}

/* ---- the helper module's private cache -------------------------------- */

FIXTURE(helper) {
	unsigned long objs[HELPER_COUNT];
	int n;
};

/* Load the helper (@shrink: flush its per-CPU slabs); read its objects. */
static void helper_load(struct __test_metadata *_metadata,
			FIXTURE_DATA(helper) *self, int shrink)
{
	char cmd[256], *text, *line, *save;
	struct stat st;

	/* The runner installs it with the test: missing is a setup failure. */
	ASSERT_EQ(0, stat(HELPER_KO, &st)) {
		TH_LOG("%s not installed: the test image is incomplete",
		       HELPER_KO);
	}
	/*
	 * A test the harness killed (timeout) left its helper loaded: its
	 * teardown never ran.
	 */
	system("rmmod mmscope_test_slab 2>/dev/null");
	snprintf(cmd, sizeof(cmd), "insmod %s count=%d shrink=%d 2>&1",
		 HELPER_KO, HELPER_COUNT, shrink);
	ASSERT_EQ(0, system(cmd));
	text = mmt_read_file(HELPER_OBJS, NULL);
	ASSERT_NE(NULL, text);
	self->n = 0;
	for (line = strtok_r(text, "\n", &save);
	     line && self->n < HELPER_COUNT; line = strtok_r(NULL, "\n", &save))
		self->objs[self->n++] = strtoul(line, NULL, 16);
	free(text);
	ASSERT_EQ(HELPER_COUNT, self->n);
}

FIXTURE_SETUP(helper)
{
	helper_load(_metadata, self, 1);
}

FIXTURE_TEARDOWN(helper)
{
	if (self->n)
		system("rmmod mmscope_test_slab 2>/dev/null");
}

/*
 * Exactly the objects the helper allocated, in the slabs that hold them.
 * Minutes under KASAN in TCG: the default 30 s timed out on check-debug.
 */
TEST_F_TIMEOUT(helper, counts_slabs_and_addresses, 900)
{
	static unsigned long slabs[HELPER_COUNT];
	static unsigned char seen[HELPER_COUNT][512];
	unsigned long long size, per, nslabs, partial_free = 0;
	const struct mmt_json *c, *list;
	struct mmt_json *doc, *one;
	int i, j, nr = 0;

	doc = slab_json("--cache", HELPER_CACHE);
	ASSERT_NE(NULL, doc);
	c = find_cache(doc, HELPER_CACHE);
	ASSERT_NE(NULL, c);
	size = cnum(c, "size");
	per = cnum(c, "objs_per_slab");
	nslabs = cnum(c, "num_slabs");
	ASSERT_GT(size, 0ULL);
	ASSERT_GT(per, 0ULL);
	ASSERT_LT(per, 512ULL);
	/* The helper flushed the per-CPU slabs: every count is exact. */
	EXPECT_EQ((unsigned long long)HELPER_COUNT, cnum(c, "active_objs"));
	EXPECT_EQ(nslabs * per, cnum(c, "num_objs"));
	EXPECT_EQ(1, mmt_jget(c, "ctor")->boolean);

	for (i = 0; i < self->n; i++) {
		char arg[32];
		unsigned long slab;
		unsigned long long idx;

		snprintf(arg, sizeof(arg), "0x%lx", self->objs[i]);
		one = slab_json("--addr", arg);
		ASSERT_NE(NULL, one) TH_LOG("--addr %s", arg);
		EXPECT_STREQ(HELPER_CACHE, mmt_jstr(mmt_jget(one, "cache")));
		EXPECT_EQ(self->objs[i], mmt_jhex(mmt_jget(one, "object")));
		EXPECT_EQ(0ULL, cnum(one, "offset"));
		slab = mmt_jhex(mmt_jget(one, "slab"));
		idx = cnum(one, "index");
		EXPECT_EQ((self->objs[i] - slab) / size, idx);
		ASSERT_LT(idx, per);
		for (j = 0; j < nr && slabs[j] != slab; j++)
			;
		if (j == nr)
			slabs[nr++] = slab;
		EXPECT_EQ(0, seen[j][idx]) TH_LOG("object %s seen twice", arg);
		seen[j][idx] = 1;
		mmt_json_free(one);

		/* An address inside the object resolves to the same one. */
		snprintf(arg, sizeof(arg), "0x%lx", self->objs[i] + 5);
		one = slab_json("--addr", arg);
		ASSERT_NE(NULL, one);
		EXPECT_EQ(self->objs[i], mmt_jhex(mmt_jget(one, "object")));
		EXPECT_EQ(5ULL, cnum(one, "offset"));
		mmt_json_free(one);
	}
	/* Its slabs are exactly those holding its objects. */
	EXPECT_EQ(nslabs, (unsigned long long)nr);

	/* Slabs listed: on the node partial lists, each one of its slabs. */
	list = mmt_jget(doc, "slabs");
	ASSERT_NE(NULL, list);
	for (i = 0; i < list->n; i++) {
		const struct mmt_json *s = list->kids[i];
		unsigned long a = mmt_jhex(mmt_jget(s, "addr"));

		EXPECT_STREQ("node-partial", mmt_jstr(mmt_jget(s, "where")));
		for (j = 0; j < nr && slabs[j] != a; j++)
			;
		EXPECT_LT(j, nr) TH_LOG("slab 0x%lx holds none of the objects", a);
		EXPECT_EQ(per, cnum(s, "objects"));
		partial_free += cnum(s, "objects") - cnum(s, "inuse");
	}
	EXPECT_EQ(nslabs * per - HELPER_COUNT, partial_free);
	mmt_json_free(doc);
}

/* After the helper frees its objects and destroys the cache, it is gone. */
TEST_F(helper, gone_after_destroy)
{
	struct mmt_json *doc;
	char *out, *err = NULL;
	int status;

	ASSERT_EQ(0, system("rmmod mmscope_test_slab"));
	self->n = 0;
	doc = slab_json(NULL, NULL);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(NULL, find_cache(doc, HELPER_CACHE));
	mmt_json_free(doc);
	out = run_cli(&status, &err, "--cache", HELPER_CACHE, NULL);
	EXPECT_EQ(1, status);
	EXPECT_NE(NULL, strstr(err ?: "", "no slab cache named"));
	free(out);
	free(err);
}

/* The same helper without the flush: its last slab is a CPU's own. */
FIXTURE(cpu_helper) {
	unsigned long objs[HELPER_COUNT];
	int n;
};

FIXTURE_SETUP(cpu_helper)
{
	helper_load(_metadata, (FIXTURE_DATA(helper) *)self, 0);
}

FIXTURE_TEARDOWN(cpu_helper)
{
	if (self->n)
		system("rmmod mmscope_test_slab 2>/dev/null");
}

/*
 * Per-CPU slabs: the loading CPU keeps the last slab it allocated from, so
 * mmscope sees at least one CPU slab, lists it with inuse unknown (its free
 * objects sit on the CPU's freelist), and the counts still equal
 * /proc/slabinfo's line for the cache (quiet: nothing else uses it; read
 * before and after to be sure).
 */
TEST_F(cpu_helper, cpu_slabs_and_counts)
{
	static struct slabinfo_row before[MAX_CACHES], after[MAX_CACHES];
	const struct slabinfo_row *b;
	const struct mmt_json *c, *list;
	struct mmt_json *doc;
	int nb, na, i, cpu_listed = 0;

	nb = read_slabinfo(before, MAX_CACHES);
	doc = slab_json("--cache", HELPER_CACHE);
	na = read_slabinfo(after, MAX_CACHES);
	ASSERT_NE(NULL, doc);
	b = helper_row_unchanged(_metadata, before, nb, after, na);
	c = find_cache(doc, HELPER_CACHE);
	ASSERT_NE(NULL, c);
	TH_LOG("cpu slabs %llu, cpu partial %llu; slabinfo active %lu num %lu slabs %lu",
	       cnum(c, "cpu_slabs"), cnum(c, "cpu_partial_slabs"), b->active,
	       b->num, b->nslabs);
	EXPECT_GE(cnum(c, "cpu_slabs"), 1ULL);
	EXPECT_EQ(b->active, cnum(c, "active_objs"));
	EXPECT_EQ(b->num, cnum(c, "num_objs"));
	EXPECT_EQ(b->nslabs, cnum(c, "num_slabs"));
	EXPECT_FALSE(mmt_jget(c, "truncated")->boolean);
	list = mmt_jget(doc, "slabs");
	ASSERT_NE(NULL, list);
	for (i = 0; i < list->n; i++) {
		const struct mmt_json *sl = list->kids[i];

		if (strcmp(mmt_jstr(mmt_jget(sl, "where")) ?: "", "cpu"))
			continue;
		cpu_listed++;
		EXPECT_EQ((int)MMT_JNULL, (int)mmt_jget(sl, "inuse")->type);
		EXPECT_EQ(cnum(c, "objs_per_slab"), cnum(sl, "objects"));
	}
	EXPECT_EQ((int)cnum(c, "cpu_slabs"), cpu_listed);
	mmt_json_free(doc);
}

/* ---- the slab views when they cannot work ------------------------------ */

#define MMSCOPE_KO	"/mmscope/mmscope.ko"
#define MISSING		"/sys/module/mmscope/parameters/slab_missing"
#define CORRUPT		"/sys/module/mmscope/parameters/slab_corrupt"

FIXTURE(reload) {
	int dummy;
};

FIXTURE_SETUP(reload)
{
}

/* Whatever happened, leave the module loaded as the VM loaded it. */
FIXTURE_TEARDOWN(reload)
{
	char *p = mmt_read_file(MISSING, NULL);
	char *c = mmt_read_file(CORRUPT, NULL);

	if (!p || strcmp(p, "\n") || !c || strcmp(c, "\n")) {
		system("rmmod mmscope 2>/dev/null");
		system("insmod " MMSCOPE_KO);
	}
	free(p);
	free(c);
}

/*
 * Loaded with slab_missing=kmem_cache.oo, as if BTF lacked that member: the
 * slab files and the CLI say so, buddy and vma still work; then a normal
 * reload gives the slab views back.
 */
TEST_F(reload, missing_member_is_explained)
{
	char *text, *err = NULL, *out, pid[16];
	char *buddy[] = { (char *)mmt_cli(), "buddy", "--json", NULL };
	char *vma[] = { (char *)mmt_cli(), "vma", pid, NULL };
	int status;
	struct stat st;

	/* The VM image carries the module: missing is a failure. */
	ASSERT_EQ(0, stat(MMSCOPE_KO, &st)) TH_LOG("%s not installed", MMSCOPE_KO);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, system("rmmod mmscope"));
	ASSERT_EQ(0, system("insmod " MMSCOPE_KO " slab_missing=kmem_cache.oo"));
	text = mmt_read_file("/sys/kernel/debug/mmscope/slab", NULL);
	ASSERT_NE(NULL, text);
	TH_LOG("slab file: %s", text);
	EXPECT_NE(NULL, strstr(text, "slab views unavailable: BTF: struct kmem_cache has no member 'oo'"));
	free(text);
	text = mmt_read_file("/sys/kernel/debug/mmscope/slab_cache", NULL);
	EXPECT_NE(NULL, strstr(text ?: "", "slab views unavailable"));
	free(text);
	out = run_cli(&status, &err, NULL, NULL, NULL);
	EXPECT_EQ(1, status);
	EXPECT_NE(NULL, strstr(err ?: "", "kmem_cache has no member 'oo'"))
		TH_LOG("stderr: %s", err ?: "");
	free(out);
	free(err);
	/* The other views do not depend on it. */
	free(mmt_run(buddy, &status, NULL));
	EXPECT_EQ(0, status);
	free(mmt_run(vma, &status, NULL));
	EXPECT_EQ(0, status);

	ASSERT_EQ(0, system("rmmod mmscope"));
	ASSERT_EQ(0, system("insmod " MMSCOPE_KO));
	out = run_cli(&status, NULL, "--json", NULL, NULL);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out ?: "", "\"kmalloc-"));
	free(out);
}

/* Lines of the kernel log that mean the kernel is no longer clean. */
static int kernel_bad_lines(void)
{
	char *argv[] = { "dmesg", NULL }, *out, *line, *save;
	int status, n = 0;

	out = mmt_run(argv, &status, NULL);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		n += strstr(line, "BUG") || strstr(line, "WARNING") ||
		     strstr(line, "Oops") || strstr(line, "general protection") ||
		     strstr(line, "Call Trace");
	free(out);
	return n;
}

/*
 * A transient failure of the resolution (here -EAGAIN, injected with
 * slab_transient=2: at load and at the first open) is not kept: the open,
 * the device query and the CLI fail with it, the slab code never runs
 * unresolved (before the fix, cat of the slab file oopsed on a NULL
 * slab_mutex), and the next open resolves.
 */
TEST_F(reload, transient_failure_fails_the_open)
{
	int bad = kernel_bad_lines(), fd, status;
	char *out, *err = NULL;
	struct stat st;

	/* The VM image installs it: missing is a broken image, not a skip. */
	ASSERT_EQ(0, stat(MMSCOPE_KO, &st)) TH_LOG("%s not installed", MMSCOPE_KO);
	ASSERT_EQ(0, system("rmmod mmscope"));
	ASSERT_EQ(0, system("insmod " MMSCOPE_KO " slab_transient=3"));
	/* Load used one; this open uses the second. */
	fd = open("/sys/kernel/debug/mmscope/slab", O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EAGAIN, errno);
	if (fd >= 0)
		close(fd);
	/* The third, through the device: the CLI reports it. */
	out = run_cli(&status, &err, NULL, NULL, NULL);
	EXPECT_EQ(1, status);
	EXPECT_NE(NULL, strstr(err ?: "", "temporarily unavailable"))
		TH_LOG("stderr: %s", err ?: "");
	free(out);
	free(err);
	/* The next open resolves, and the views work. */
	out = mmt_read_file("/sys/kernel/debug/mmscope/slab", NULL);
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "kmalloc-"));
	free(out);
	out = run_cli(&status, NULL, "--json", NULL, NULL);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out ?: "", "\"kmalloc-"));
	free(out);
	EXPECT_EQ(bad, kernel_bad_lines());
}

/*
 * Every member that is locked or followed, resolved 8 bytes off
 * (slab_corrupt=): the live validation (or, past the struct's end, the
 * layout check) refuses it, the file and the CLI name the member, nothing
 * was locked or followed at the wrong offset (the kernel log stays clean),
 * the validation cache is gone, and the other views work.
 */
TEST_F(reload, corrupt_offset_is_refused)
{
	static const char *const members[] = {
		"kmem_cache_node.list_lock", "kmem_cache_node.partial",
		"kmem_cache_node.nr_partial", "kmem_cache.cpu_slab",
		"kmem_cache_cpu.slab", "kmem_cache_cpu.partial",
		"kmem_cache.node", "kmem_cache.list", "slab.slab_list",
		"slab.next", "kmem_cache.name",
	};
	char *buddy[] = { (char *)mmt_cli(), "buddy", "--json", NULL };
	int bad = kernel_bad_lines(), status;
	char cmd[256], *text, *out, *err;
	struct stat st;
	size_t i;

	/* The VM image installs it: missing is a broken image, not a skip. */
	ASSERT_EQ(0, stat(MMSCOPE_KO, &st)) TH_LOG("%s not installed", MMSCOPE_KO);
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *m = members[i];

		ASSERT_EQ(0, system("rmmod mmscope"));
		snprintf(cmd, sizeof(cmd), "insmod " MMSCOPE_KO " slab_corrupt=%s",
			 m);
		ASSERT_EQ(0, system(cmd));
		text = mmt_read_file("/sys/kernel/debug/mmscope/slab", NULL);
		ASSERT_NE(NULL, text);
		TH_LOG("%s: %s", m, text);
		/*
		 * Under generic KASAN the module never reads the per-CPU
		 * partial list nor its link, slab.next (its quarantine keeps
		 * freed objects away from their slabs, so nothing validates
		 * them); it says so in the kernel log.  A wrong offset for
		 * either then changes nothing.
		 */
		if ((!strcmp(m, "kmem_cache_cpu.partial") ||
		     !strcmp(m, "slab.next")) &&
		    !strstr(text, "# slab views unavailable: ") &&
		    !system("dmesg | grep -q 'per-CPU partial slabs not validated, not walked'")) {
			free(text);
			continue;
		}
		EXPECT_NE(NULL, strstr(text, "# slab views unavailable: "))
			TH_LOG("%s", m);
		EXPECT_NE(NULL, strstr(text, m)) TH_LOG("%s not named", m);
		EXPECT_EQ(NULL, strstr(text, "kmalloc-")) TH_LOG("%s", m);
		free(text);
		err = NULL;
		out = run_cli(&status, &err, NULL, NULL, NULL);
		EXPECT_EQ(1, status) TH_LOG("%s", m);
		EXPECT_NE(NULL, strstr(err ?: "", "unavailable")) TH_LOG("%s", m);
		EXPECT_NE(NULL, strstr(err ?: "", m))
			TH_LOG("%s: stderr %s", m, err ?: "");
		free(out);
		free(err);
		free(mmt_run(buddy, &status, NULL));
		EXPECT_EQ(0, status);
		text = mmt_read_file("/proc/slabinfo", NULL);
		EXPECT_EQ(NULL, strstr(text ?: "", "mmscope_validate"));
		free(text);
	}
	EXPECT_EQ(bad, kernel_bad_lines());
}

/* ---- bounded holds -------------------------------------------------------- */

#define CACHE_PARAM	"/sys/module/mmscope/parameters/cache"

struct hold_account {
	unsigned long long ns, lock_holds, relocks, restarts, lock_ns;
	unsigned long long mutex_holds, mutex_ns, slabs;
	unsigned int entries, bound;
};

/* The last line of a slab debugfs file: the lock-hold account. */
static int parse_account(const char *text, struct hold_account *a)
{
	const char *p = strstr(text ?: "", "# walk ");

	return p && sscanf(p, "# walk %llu ns; %llu holds of list_lock (%llu resumed, %llu restarts), longest %llu ns / %u slabs (bound %u); %llu holds of slab_mutex, longest %llu ns; %llu slabs",
			   &a->ns, &a->lock_holds, &a->relocks, &a->restarts,
			   &a->lock_ns, &a->entries, &a->bound,
			   &a->mutex_holds, &a->mutex_ns, &a->slabs) == 10 ? 0 : -1;
}

static int count_lines(const char *text, const char *what)
{
	int n = 0;

	for (; text && (text = strstr(text, what)); text++)
		n++;
	return n;
}

/*
 * A partial list longer than one hold's bound (the helper keeps one object
 * in 10: about 3000 slabs, each with a few objects, all on the node list):
 * the walk takes list_lock for at most its bound each time, as often as
 * the length needs, resumes where it stopped, and still lists every slab
 * and counts exactly what /proc/slabinfo counts (the cache is quiet: it
 * is read before and after to make sure).  The whole-cache view drops
 * slab_mutex between chunks of caches.  Before the fix the account line
 * did not exist and each node's list was walked in one hold.
 */
TEST(bounded_holds)
{
	static struct slabinfo_row before[MAX_CACHES], after[MAX_CACHES];
	const struct slabinfo_row *b;
	struct hold_account acc = {}, all = {};
	unsigned long long nr_partial = 0;
	const struct mmt_json *c;
	struct mmt_json *doc;
	char *text, *p;
	int nb, na;

	system("rmmod mmscope_test_slab 2>/dev/null");
	ASSERT_EQ(0, system("insmod " HELPER_KO " count=60000 keep_every=10"));
	ASSERT_EQ(0, mmt_write_str(CACHE_PARAM, HELPER_CACHE));
	nb = read_slabinfo(before, MAX_CACHES);
	text = mmt_read_file("/sys/kernel/debug/mmscope/slab_cache", NULL);
	na = read_slabinfo(after, MAX_CACHES);
	ASSERT_NE(NULL, text);
	b = helper_row_unchanged(_metadata, before, nb, after, na);
	for (p = text; (p = strstr(p, "#   node ")); p++) {
		unsigned long long n;

		if (sscanf(p, "#   node %*d: %*u slabs, %*u objs, %llu partial",
			   &n) == 1)
			nr_partial += n;
	}
	ASSERT_EQ(0, parse_account(text, &acc)) TH_LOG("%s", strrchr(text, '#'));
	TH_LOG("%llu partial slabs; %llu list_lock holds (%llu resumed, %llu restarts), longest %llu ns / %u slabs; %llu slab_mutex holds, longest %llu ns",
	       nr_partial, acc.lock_holds, acc.relocks, acc.restarts,
	       acc.lock_ns, acc.entries, acc.mutex_holds, acc.mutex_ns);
	EXPECT_GT(nr_partial, 2ULL * acc.bound);
	EXPECT_LE(acc.entries, acc.bound);
	EXPECT_GE(acc.lock_holds * acc.bound, nr_partial);
	EXPECT_GE(acc.slabs, nr_partial);
	/* Every slab listed, and the counts are slabinfo's. */
	EXPECT_EQ(nr_partial, (unsigned long long)count_lines(text, " node-partial "));
	EXPECT_NE(NULL, strstr(text, HELPER_CACHE));
	free(text);
	doc = slab_json("--cache", HELPER_CACHE);
	c = find_cache(doc, HELPER_CACHE);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(b->active, cnum(c, "active_objs"));
	EXPECT_EQ(b->num, cnum(c, "num_objs"));
	EXPECT_EQ(b->nslabs, cnum(c, "num_slabs"));
	EXPECT_EQ(nr_partial, cnum(c, "partial_slabs"));
	EXPECT_FALSE(mmt_jget(c, "truncated")->boolean);
	mmt_json_free(doc);

	/* All caches: slab_mutex taken more than once, list_lock bounded. */
	text = mmt_read_file("/sys/kernel/debug/mmscope/slab", NULL);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, parse_account(text, &all));
	TH_LOG("all caches: %llu slab_mutex holds, longest %llu ns; longest list_lock %llu ns / %u slabs",
	       all.mutex_holds, all.mutex_ns, all.lock_ns, all.entries);
	EXPECT_GT(all.mutex_holds, 1ULL);
	EXPECT_LE(all.entries, all.bound);
	free(text);
	system("rmmod mmscope_test_slab");
}

/* ---- bad input ---------------------------------------------------------- */

static void expect_error(struct __test_metadata *_metadata, int code,
			 const char *want, const char *a1, const char *a2)
{
	char *err = NULL, *out;
	int status;

	out = run_cli(&status, &err, a1, a2, NULL);
	EXPECT_EQ(code, status) TH_LOG("slab %s %s", a1, a2 ?: "");
	EXPECT_NE(NULL, strstr(err ?: "", want))
		TH_LOG("slab %s %s: stderr '%s'", a1, a2 ?: "", err ?: "");
	free(out);
	free(err);
}

/* A kernel symbol's address from /proc/kallsyms (root sees them), or 0. */
static unsigned long ksym(const char *name)
{
	char *text = mmt_read_file("/proc/kallsyms", NULL), *line, *save;
	unsigned long addr = 0;
	char sym[128], type;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name))
			break;
		addr = 0;
	}
	free(text);
	return addr;
}

TEST(bad_input)
{
	unsigned long init_task = ksym("init_task");
	char arg[32];

	expect_error(_metadata, 1, "no slab cache named", "--cache",
		     "no-such-cache-xyz");
	expect_error(_metadata, 1, "not a canonical address", "--addr",
		     "0x8000000000000000");
	/* A user address, and kernel data that is not in a slab. */
	expect_error(_metadata, 1, "not in any slab", "--addr", "0x1000");
	ASSERT_NE(0, init_task);
	snprintf(arg, sizeof(arg), "0x%lx", init_task);
	expect_error(_metadata, 1, "not in any slab", "--addr", arg);
	expect_error(_metadata, 2, "--sort takes", "--sort=bogus", NULL);
	expect_error(_metadata, 2, "not an address", "--addr", "xyz");
}

TEST_HARNESS_MAIN
