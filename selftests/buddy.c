// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope buddy: the walked free lists against the kernel's /proc/buddyinfo
 * and /proc/pagetypeinfo, the block listing against the counts, hugetlb
 * reservations moving the high orders, and the bound on zone->lock holds.
 *
 * Tolerance: none on the counts themselves.  The allocator never stops, so a
 * comparison is made only on a sample where the oracle read just before and
 * just after the CLI agree with each other; up to RETRIES samples are taken
 * before the test fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define RETRIES		20
#define MAX_ENT		2048
#define PG		4096UL

/* One count of an oracle: node, zone, migratetype ("" for buddyinfo), order. */
struct ent {
	int node, order;
	char zone[16], mt[16];
	long long val;			/* -1: capped by pagetypeinfo (">100000") */
};

struct table {
	int n;
	struct ent e[MAX_ENT];
};

static void table_add(struct table *t, int node, const char *zone,
		      const char *mt, int order, long long val)
{
	struct ent *e;

	if (t->n == MAX_ENT)
		return;
	e = &t->e[t->n++];
	e->node = node;
	e->order = order;
	snprintf(e->zone, sizeof(e->zone), "%s", zone);
	snprintf(e->mt, sizeof(e->mt), "%s", mt);
	e->val = val;
}

/* Counts after the "prefix" of a line, one per order. */
static void add_counts(struct table *t, int node, const char *zone,
		       const char *mt, const char *p)
{
	int order = 0, n;
	char tok[32];

	while (sscanf(p, "%31s%n", tok, &n) == 1) {
		table_add(t, node, zone, mt, order++,
			  tok[0] == '>' ? -1 : strtoll(tok, NULL, 10));
		p += n;
	}
}

/* /proc/buddyinfo, or with @pagetypeinfo the per-migratetype lines. */
static int read_oracle(struct table *t, bool pagetypeinfo)
{
	char *text = mmt_read_file(pagetypeinfo ? "/proc/pagetypeinfo" :
				   "/proc/buddyinfo", NULL);
	char *line, *save = NULL;

	t->n = 0;
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char zone[16], mt[16];
		int node, n = 0;

		if (pagetypeinfo) {
			if (sscanf(line, "Node %d, zone %15[^,], type %15s%n",
				   &node, zone, mt, &n) == 3 && n)
				add_counts(t, node, zone, mt, line + n);
			if (!strncmp(line, "Number of blocks", 16))
				break;
		} else if (sscanf(line, "Node %d, zone %15s%n", &node, zone,
				  &n) == 2 && n) {
			add_counts(t, node, zone, "", line + n);
		}
	}
	/* pagetypeinfo pads zone names with spaces on the left only */
	free(text);
	return 0;
}

static bool table_eq(const struct table *a, const struct table *b)
{
	return a->n == b->n && !memcmp(a->e, b->e, a->n * sizeof(a->e[0]));
}

static char *cli_json(bool blocks, int *status)
{
	char *argv[] = { (char *)mmt_cli(), "buddy", "--json",
			 blocks ? "--blocks" : NULL, NULL };

	return mmt_run(argv, status, NULL);
}

static struct mmt_json *zone_of(struct mmt_json *doc, int node,
				const char *name)
{
	struct mmt_json *nodes = mmt_jget(doc, "nodes");
	int i, j;

	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		if ((int)mmt_jnum(mmt_jget(nodes->kids[i], "node")) != node)
			continue;
		for (j = 0; zones && j < zones->n; j++)
			if (!strcmp(mmt_jstr(mmt_jget(zones->kids[j], "name")),
				    name))
				return zones->kids[j];
	}
	return NULL;
}

static struct mmt_json *order_of(struct mmt_json *zone, int order)
{
	struct mmt_json *orders = mmt_jget(zone, "orders");

	return orders && order < orders->n ? orders->kids[order] : NULL;
}

/*
 * Compare a document with the two oracles; print and count the
 * differences.  Lists pagetypeinfo capped are not compared.
 */
static int compare(struct mmt_json *doc, const struct table *bi,
		   const struct table *pti, bool verbose)
{
	int i, bad = 0;

	for (i = 0; i < bi->n; i++) {
		const struct ent *e = &bi->e[i];
		struct mmt_json *o = order_of(zone_of(doc, e->node, e->zone),
					      e->order);

		if (!o || (long long)mmt_jnum(mmt_jget(o, "nr_free")) != e->val) {
			if (verbose)
				ksft_print_msg("node %d %s order %d: buddyinfo %lld, mmscope %llu\n",
					       e->node, e->zone, e->order, e->val,
					       mmt_jnum(mmt_jget(o, "nr_free")));
			bad++;
		}
	}
	for (i = 0; i < pti->n; i++) {
		const struct ent *e = &pti->e[i];
		struct mmt_json *o = order_of(zone_of(doc, e->node, e->zone),
					      e->order);
		struct mmt_json *w = mmt_jget(mmt_jget(o, "walked"), e->mt);

		if (e->val < 0)
			continue;
		if (!w || (long long)mmt_jnum(w) != e->val) {
			if (verbose)
				ksft_print_msg("node %d %s %s order %d: pagetypeinfo %lld, walked %llu\n",
					       e->node, e->zone, e->mt, e->order,
					       e->val, mmt_jnum(w));
			bad++;
		}
	}
	return bad;
}

static struct table bi1, bi2, pti1, pti2;

TEST(counts_equal_buddyinfo_and_pagetypeinfo)
{
	int try, status, bad = -1, compared = 0;

	for (try = 0; try < RETRIES; try++) {
		struct mmt_json *doc;
		char *out;

		ASSERT_EQ(0, read_oracle(&bi1, false));
		ASSERT_EQ(0, read_oracle(&pti1, true));
		out = cli_json(false, &status);
		ASSERT_EQ(0, read_oracle(&bi2, false));
		ASSERT_EQ(0, read_oracle(&pti2, true));
		ASSERT_EQ(0, status);
		doc = mmt_json_parse(out);
		ASSERT_NE(NULL, doc);
		ASSERT_NE(0, bi1.n);
		ASSERT_NE(0, pti1.n);
		ASSERT_EQ((int)MMT_JBOOL, (int)mmt_jget(doc, "walked")->type);
		ASSERT_TRUE(mmt_jget(doc, "walked")->boolean);
		if (table_eq(&bi1, &bi2) && table_eq(&pti1, &pti2)) {
			compared++;
			bad = compare(doc, &bi1, &pti1, try == RETRIES - 1);
		}
		free(out);
		if (bad == 0)
			break;
	}
	ksft_print_msg("%d samples, %d stable, %d differences in the last\n",
		       try + (try < RETRIES), compared, bad);
	/*
	 * The oracle itself never held still (a debug kernel's background
	 * work allocates all the time): nothing can be compared, say so.
	 */
	if (!compared)
		SKIP(return, "/proc/buddyinfo or pagetypeinfo changed between every pair of reads in %d tries",
		     RETRIES);
	ASSERT_EQ(0, bad);
}

TEST(blocks_add_up_and_are_aligned)
{
	struct mmt_json *doc, *nodes, *walk;
	int status, i, j, k, nblocks = 0;
	char *out = cli_json(true, &status);

	ASSERT_EQ(0, status);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc);
	walk = mmt_jget(doc, "walk");
	EXPECT_EQ(0ULL, mmt_jnum(mmt_jget(walk, "mismatches")));
	nodes = mmt_jget(doc, "nodes");
	ASSERT_NE(NULL, nodes);
	for (i = 0; i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; j < zones->n; j++) {
			struct mmt_json *z = zones->kids[j];
			struct mmt_json *orders = mmt_jget(z, "orders");
			struct mmt_json *blocks = mmt_jget(z, "blocks");
			unsigned long long pages = 0, walked_pages = 0;
			/* blocks per order and migratetype, from the listing */
			static unsigned long long cnt[16][8];
			static char mts[8][16];
			int nmt = 0, m;

			ASSERT_NE(NULL, blocks);
			memset(cnt, 0, sizeof(cnt));
			for (k = 0; k < blocks->n; k++) {
				struct mmt_json *b = blocks->kids[k];
				unsigned long long pfn = mmt_jhex(mmt_jget(b, "pfn"));
				int order = mmt_jnum(mmt_jget(b, "order"));
				const char *mt = mmt_jstr(mmt_jget(b, "migratetype"));

				ASSERT_LT(order, 16);
				EXPECT_EQ(0ULL, pfn & ((1ULL << order) - 1)) {
					ksft_print_msg("pfn %#llx not aligned to order %d\n",
						       pfn, order);
				}
				EXPECT_TRUE(mmt_jget(b, "buddy")->boolean);
				for (m = 0; m < nmt && strcmp(mts[m], mt); m++)
					;
				if (m == nmt) {
					ASSERT_LT(nmt, 8);
					snprintf(mts[nmt++], sizeof(mts[0]), "%s", mt);
				}
				cnt[order][m]++;
				pages += 1ULL << order;
				nblocks++;
			}
			for (k = 0; k < orders->n; k++) {
				struct mmt_json *o = orders->kids[k];
				struct mmt_json *w = mmt_jget(o, "walked");
				unsigned long long sum = 0;
				int x;

				ASSERT_EQ((int)MMT_JOBJ, (int)w->type);
				for (x = 0; x < w->n; x++) {
					sum += w->kids[x]->unum;
					for (m = 0; m < nmt && strcmp(mts[m], w->keys[x]); m++)
						;
					if (mmt_jget(o, "changed")->boolean)
						continue;
					EXPECT_EQ(w->kids[x]->unum,
						  m < nmt ? cnt[k][m] : 0) {
						ksft_print_msg("%s order %d %s: walked %llu, listed %llu\n",
							       mmt_jstr(mmt_jget(z, "name")),
							       k, w->keys[x], w->kids[x]->unum,
							       m < nmt ? cnt[k][m] : 0);
					}
				}
				walked_pages += sum << k;
			}
			if (!mmt_jget(doc, "changed")->boolean)
				EXPECT_EQ(walked_pages, pages);
		}
	}
	ksft_print_msg("%d blocks listed\n", nblocks);
	ASSERT_NE(0, nblocks);
	free(out);
}

/* Free pages in blocks of order >= 9 (a 2 MiB huge page), and pcp pages. */
static int high_free(unsigned long long *high, unsigned long long *pcp)
{
	struct mmt_json *doc, *nodes;
	int status, i, j, k;
	char *out = cli_json(false, &status);

	*high = *pcp = 0;
	doc = mmt_json_parse(out);
	free(out);
	if (status || !doc)
		return -1;
	nodes = mmt_jget(doc, "nodes");
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; zones && j < zones->n; j++) {
			struct mmt_json *orders = mmt_jget(zones->kids[j], "orders");

			*pcp += mmt_jnum(mmt_jget(zones->kids[j], "pcp_pages"));
			for (k = 9; orders && k < orders->n; k++)
				*high += mmt_jnum(mmt_jget(orders->kids[k],
							   "nr_free")) << k;
		}
	}
	return 0;
}

static long read_long(const char *path)
{
	char *s = mmt_read_file(path, NULL);
	long v = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", v) < 0;
	ret |= fclose(f);
	return ret ? -1 : 0;
}

/*
 * Reserving N huge pages takes N * 512 pages out of blocks of order >= 9;
 * at most the per-CPU lists (which hold THP-order pages too) can have
 * served some of them.  Releasing them puts them back the same way.
 */
TEST(hugetlb_reservation_moves_high_orders)
{
	const char *knob = "/proc/sys/vm/nr_hugepages";
	unsigned long long h0, p0, h1, p1, h2, p2;
	long old = read_long(knob), want, got;

	if (old < 0)
		SKIP(return, "no %s (kernel without hugetlb)", knob);
	ASSERT_EQ(0, high_free(&h0, &p0));
	want = (long)(h0 / 512 / 2);
	if (want > 64)
		want = 64;
	if (want < 1)
		SKIP(return, "no free block of order >= 9 to reserve");
	ASSERT_EQ(0, write_long(knob, old + want));
	got = read_long(knob) - old;
	if (got < 1) {
		write_long(knob, old);
		SKIP(return, "could not reserve any huge page");
	}
	ASSERT_EQ(0, high_free(&h1, &p1));
	ASSERT_EQ(0, write_long(knob, old));
	ASSERT_EQ(old, read_long(knob));
	ASSERT_EQ(0, high_free(&h2, &p2));
	ksft_print_msg("reserved %ld huge pages: order>=9 free pages %llu -> %llu -> %llu (pcp %llu, %llu, %llu)\n",
		       got, h0, h1, h2, p0, p1, p2);
	EXPECT_LE(h1 + got * 512ULL, h0 + p0);
	EXPECT_GE(h2 + p2, h1 + got * 512ULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A list longer than the chunk: fault in memory and give back every other
 * page, so that the freed pages cannot merge with their buddies and queue
 * up as order-0 blocks.
 */
TEST(lock_hold_bounded)
{
	size_t len = 256UL << 20, off, npfn, freed = 0;
	uint64_t *pfns, *sorted;
	unsigned long long chunk, longest = 0;
	struct mmt_json *doc, *walk, *nodes;
	int status, i, j, k;
	char *p, *out;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		SKIP(return, "cannot map %zu MiB", len >> 20);
	/* 4 KiB pages: a THP would only be split, not freed, by DONTNEED */
	ASSERT_EQ(0, madvise(p, len, MADV_NOHUGEPAGE));
	npfn = len / PG;
	pfns = calloc(npfn, sizeof(*pfns));
	ASSERT_NE(NULL, pfns);
	for (off = 0; off < len; off += PG) {
		uint64_t e;

		p[off] = 1;
		ASSERT_EQ(0, mmt_pagemap(getpid(), (unsigned long)p + off, &e));
		pfns[off / PG] = MMT_PM_PFN(e);
	}
	sorted = malloc(npfn * sizeof(*sorted));
	ASSERT_NE(NULL, sorted);
	memcpy(sorted, pfns, npfn * sizeof(*sorted));
	qsort(sorted, npfn, sizeof(*sorted), cmp_u64);
	/* Free odd PFNs whose buddy (even) page we keep: they cannot merge. */
	for (off = 0; off < len; off += PG) {
		uint64_t buddy = pfns[off / PG] ^ 1;

		if ((pfns[off / PG] & 1) &&
		    bsearch(&buddy, sorted, npfn, sizeof(*sorted), cmp_u64)) {
			ASSERT_EQ(0, madvise(p + off, PG, MADV_DONTNEED));
			freed++;
		}
	}
	ksft_print_msg("freed %zu pages whose buddies stay allocated\n", freed);

	out = cli_json(false, &status);
	ASSERT_EQ(0, status);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc);
	walk = mmt_jget(doc, "walk");
	chunk = mmt_jnum(mmt_jget(walk, "chunk"));
	nodes = mmt_jget(doc, "nodes");
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; zones && j < zones->n; j++) {
			struct mmt_json *w = mmt_jget(order_of(zones->kids[j], 0),
						      "walked");

			for (k = 0; w && k < w->n; k++)
				if (w->kids[k]->unum > longest)
					longest = w->kids[k]->unum;
		}
	}
	ksft_print_msg("longest list %llu, chunk %llu: %llu holds, %llu resumed, %llu restarts, longest hold %llu entries / %llu ns\n",
		       longest, chunk, mmt_jnum(mmt_jget(walk, "holds")),
		       mmt_jnum(mmt_jget(walk, "relocks")),
		       mmt_jnum(mmt_jget(walk, "restarts")),
		       mmt_jnum(mmt_jget(walk, "max_hold_entries")),
		       mmt_jnum(mmt_jget(walk, "max_hold_ns")));
	ASSERT_NE(0ULL, chunk);
	ASSERT_GT(longest, 2 * chunk);
	EXPECT_LE(mmt_jnum(mmt_jget(walk, "max_hold_entries")), chunk);
	EXPECT_GT(mmt_jnum(mmt_jget(walk, "relocks")), 0ULL);
	munmap(p, len);
	free(pfns);
	free(sorted);
	free(out);
}

/* Without CAP_SYS_ADMIN: buddyinfo's figures, no walk, no PFNs. */
TEST(unprivileged)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : 65534;
	int st;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct mmt_json *doc, *w;
		char *out;
		int status;

		if (setgid(uid) || setuid(uid))
			_exit(3);
		out = cli_json(false, &status);
		doc = mmt_json_parse(out);
		if (status || !doc || mmt_jget(doc, "walked")->boolean)
			_exit(4);
		w = mmt_jget(order_of(zone_of(doc, 0, "DMA32") ?:
				      zone_of(doc, 0, "Normal"), 0), "walked");
		if (!w || w->type != MMT_JNULL)
			_exit(5);
		free(cli_json(true, &status));
		_exit(status == 1 ? 0 : 6);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
