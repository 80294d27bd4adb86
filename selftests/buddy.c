// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope buddy: the walked free lists against the kernel's /proc/buddyinfo
 * and /proc/pagetypeinfo, zone sizes and watermarks against /proc/zoneinfo,
 * fragmentation figures against /sys/kernel/debug/extfrag, the block listing
 * against buddyinfo, pagetypeinfo and the zone spans, hugetlb reservations
 * moving the high orders, and the bound on zone->lock holds.
 *
 * Tolerance: none on the counts themselves.  The allocator never stops, so a
 * comparison is made only on a sample where the oracle read just before and
 * just after the CLI agree with each other: a sample is taken again (up to
 * RETRIES times) only when the oracle itself moved between its two reads.
 * The first stable sample is the one compared; a difference there fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
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
#define MAX_ZONES	16
#define PG		4096UL
#define EXTFRAG		"/sys/kernel/debug/extfrag"
#define MMSCOPE_DBG	"/sys/kernel/debug/mmscope"

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

/* The /proc/zoneinfo figures of one zone. */
struct zinfo {
	int node;
	char zone[16];
	long long min, low, high, spanned, present, managed, start_pfn;
};

struct zinfos {
	int n;
	struct zinfo z[MAX_ZONES];
};

/* /proc/zoneinfo: the zones that have a start_pfn line (populated ones). */
static int read_zoneinfo(struct zinfos *t)
{
	char *text = mmt_read_file("/proc/zoneinfo", NULL);
	char *line, *save = NULL;
	struct zinfo cur = { .node = -1 };

	memset(t, 0, sizeof(*t));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[32];
		long long v;

		if (sscanf(line, "Node %d, zone %15s", &cur.node, cur.zone) == 2)
			continue;
		if (sscanf(line, " pages free %lld", &v) == 1)
			continue;
		if (sscanf(line, " %31s %lld", key, &v) != 2)
			continue;
		if (!strcmp(key, "min"))
			cur.min = v;
		else if (!strcmp(key, "low"))
			cur.low = v;
		else if (!strcmp(key, "high"))
			cur.high = v;
		else if (!strcmp(key, "spanned"))
			cur.spanned = v;
		else if (!strcmp(key, "present"))
			cur.present = v;
		else if (!strcmp(key, "managed"))
			cur.managed = v;
		else if (!strcmp(key, "start_pfn:") && cur.present &&
			 t->n < MAX_ZONES) {
			cur.start_pfn = v;
			t->z[t->n++] = cur;
		}
	}
	free(text);
	return 0;
}

static const struct zinfo *zinfo_of(const struct zinfos *t, int node,
				    const char *zone)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->z[i].node == node && !strcmp(t->z[i].zone, zone))
			return &t->z[i];
	return NULL;
}

/* Per zone, one figure per order, times 1000 (extfrag files' format). */
struct frag {
	int n;
	struct {
		int node, nr;
		char zone[16];
		int v[16];
	} z[MAX_ZONES];
};

/* "x.yyy" or "-1.000" -> thousandths. */
static int thousandths(const char *tok)
{
	double d = strtod(tok, NULL);

	return (int)(d * 1000 + (d < 0 ? -0.5 : 0.5));
}

/*
 * Lines "Node N, zone NAME v0 v1 ..." of @text (the extfrag files), or,
 * with @prefix, the mmscope debugfs buddy file's "  @prefix v0 v1 ..." lines
 * under its "Node N, zone NAME:" headers.
 */
static void parse_frag(const char *text_in, const char *prefix, struct frag *f)
{
	char *text = strdup(text_in ?: ""), *line, *save = NULL;
	int node = -1, n;
	char zone[16] = "";

	memset(f, 0, sizeof(*f));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = NULL;
		char tok[32];

		if (sscanf(line, "Node %d, zone %15[^: ]%n", &node, zone, &n) == 2) {
			if (!prefix)
				p = line + n;
		} else if (prefix && !strncmp(line + strspn(line, " "), prefix,
					      strlen(prefix))) {
			p = line + strspn(line, " ") + strlen(prefix);
		}
		if (!p || f->n == MAX_ZONES)
			continue;
		f->z[f->n].node = node;
		snprintf(f->z[f->n].zone, sizeof(f->z[0].zone), "%s", zone);
		while (f->z[f->n].nr < 16 && sscanf(p, "%31s%n", tok, &n) == 1) {
			f->z[f->n].v[f->z[f->n].nr++] = thousandths(tok);
			p += n;
		}
		f->n++;
	}
	free(text);
}

static bool frag_eq(const struct frag *a, const struct frag *b)
{
	return a->n == b->n && !memcmp(a->z, b->z, sizeof(a->z[0]) * a->n);
}

static char *cli_json(bool blocks, int *status)
{
	return mmt_cli_run(status, NULL, "buddy", "--json",
			   blocks ? "--blocks" : NULL, NULL);
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

/*
 * The document's shape against buddyinfo's: the same (node, zone) pairs,
 * as many orders per zone as buddyinfo has columns, max_order one less.
 */
static int compare_shape(struct mmt_json *doc, const struct table *bi)
{
	struct mmt_json *nodes = mmt_jget(doc, "nodes");
	int i, j, bad = 0, zones_doc = 0, zones_bi = 0, cols;

	for (i = 0; i < bi->n; i++) {
		const struct ent *e = &bi->e[i];
		struct mmt_json *z;

		if (e->order)
			continue;
		zones_bi++;
		for (cols = 0; i + cols < bi->n && bi->e[i + cols].node == e->node &&
		     !strcmp(bi->e[i + cols].zone, e->zone); cols++)
			;
		z = zone_of(doc, e->node, e->zone);
		if (!z || mmt_jget(z, "orders")->n != cols ||
		    (int)mmt_jnum(mmt_jget(doc, "max_order")) != cols - 1) {
			ksft_print_msg("node %d zone %s: buddyinfo %d orders, mmscope %d (max_order %llu)\n",
				       e->node, e->zone, cols,
				       z ? mmt_jget(z, "orders")->n : -1,
				       mmt_jnum(mmt_jget(doc, "max_order")));
			bad++;
		}
	}
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; zones && j < zones->n; j++)
			zones_doc++;
	}
	if (zones_doc != zones_bi) {
		ksft_print_msg("zones: buddyinfo %d, mmscope %d\n", zones_bi,
			       zones_doc);
		bad++;
	}
	return bad;
}

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
		/* Zones and orders do not come and go: no sampling needed. */
		if (try == 0)
			ASSERT_EQ(0, compare_shape(doc, &bi1));
		if (table_eq(&bi1, &bi2) && table_eq(&pti1, &pti2)) {
			compared++;
			bad = compare(doc, &bi1, &pti1, true);
		}
		free(out);
		mmt_json_free(doc);
		if (compared)
			break;
	}
	ksft_print_msg("%d samples, %d stable, %d differences\n",
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

/*
 * Sizes and watermarks equal /proc/zoneinfo's on a sample where zoneinfo
 * held still (a watermark boost can come and go).
 */
TEST(zones_equal_zoneinfo)
{
	static struct zinfos z1, z2;
	int try, status, i, bad = -1;

	for (try = 0; try < RETRIES && bad < 0; try++) {
		struct mmt_json *doc;
		char *out;

		ASSERT_EQ(0, read_zoneinfo(&z1));
		out = cli_json(false, &status);
		ASSERT_EQ(0, read_zoneinfo(&z2));
		ASSERT_EQ(0, status);
		ASSERT_NE(0, z1.n);
		if (memcmp(&z1, &z2, sizeof(z1))) {
			free(out);
			continue;
		}
		doc = mmt_json_parse(out);
		ASSERT_NE(NULL, doc);
		bad = 0;
		for (i = 0; i < z1.n; i++) {
			const struct zinfo *e = &z1.z[i];
			struct mmt_json *z = zone_of(doc, e->node, e->zone);
			struct mmt_json *wm = mmt_jget(z, "watermarks");
			long long got[6] = {
				mmt_jnum(mmt_jget(wm, "min")),
				mmt_jnum(mmt_jget(wm, "low")),
				mmt_jnum(mmt_jget(wm, "high")),
				mmt_jnum(mmt_jget(z, "spanned")),
				mmt_jnum(mmt_jget(z, "present")),
				mmt_jnum(mmt_jget(z, "managed")),
			};
			long long want[6] = { e->min, e->low, e->high,
					      e->spanned, e->present, e->managed };

			if (!z || memcmp(got, want, sizeof(got)) ||
			    mmt_jnum(mmt_jget(z, "start_pfn")) !=
			    (unsigned long long)e->start_pfn) {
				ksft_print_msg("node %d %s: zoneinfo min %lld low %lld high %lld spanned %lld present %lld managed %lld start_pfn %lld; mmscope %lld %lld %lld %lld %lld %lld %#llx\n",
					       e->node, e->zone, want[0], want[1],
					       want[2], want[3], want[4], want[5],
					       e->start_pfn, got[0], got[1], got[2],
					       got[3], got[4], got[5],
					       mmt_jnum(mmt_jget(z, "start_pfn")));
				bad++;
			}
		}
		free(out);
	}
	if (bad < 0)
		SKIP(return, "/proc/zoneinfo changed between every pair of reads in %d tries",
		     RETRIES);
	ASSERT_EQ(0, bad);
}

/* The figures of one zone in @f, or NULL. */
static const int *frag_of(const struct frag *f, int node, const char *zone,
			  int *nr)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (f->z[i].node == node && !strcmp(f->z[i].zone, zone)) {
			*nr = f->z[i].nr;
			return f->z[i].v;
		}
	return NULL;
}

static int frag_diff(const char *what, const struct frag *want,
		     const struct frag *got)
{
	int i, k, nr, bad = 0;

	for (i = 0; i < want->n; i++) {
		const int *g = frag_of(got, want->z[i].node, want->z[i].zone, &nr);

		for (k = 0; k < want->z[i].nr; k++)
			if (!g || nr != want->z[i].nr || g[k] != want->z[i].v[k]) {
				ksft_print_msg("%s node %d %s order %d: kernel %d, mmscope %d (/1000)\n",
					       what, want->z[i].node, want->z[i].zone,
					       k, want->z[i].v[k],
					       g && k < nr ? g[k] : -9999);
				bad++;
			}
	}
	return bad + (got->n != want->n);
}

/* The CLI's figures as the parser of the extfrag files gives them. */
static void frag_of_json(struct mmt_json *doc, const char *key, struct frag *f)
{
	struct mmt_json *nodes = mmt_jget(doc, "nodes");
	int i, j, k;

	memset(f, 0, sizeof(*f));
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; zones && j < zones->n && f->n < MAX_ZONES; j++) {
			struct mmt_json *orders = mmt_jget(zones->kids[j], "orders");

			f->z[f->n].node = mmt_jnum(mmt_jget(nodes->kids[i], "node"));
			snprintf(f->z[f->n].zone, sizeof(f->z[0].zone), "%s",
				 mmt_jstr(mmt_jget(zones->kids[j], "name")));
			for (k = 0; orders && k < orders->n && k < 16; k++) {
				struct mmt_json *v = mmt_jget(orders->kids[k], key);

				/* a number's text, as the files print it */
				f->z[f->n].v[f->z[f->n].nr++] =
					thousandths(v && v->str ? v->str : "9");
			}
			f->n++;
		}
	}
}

/*
 * Fragmentation figures (unusable free space index, external fragmentation
 * index, per order) of the CLI and of the module's debugfs text equal the
 * kernel's extfrag files.  All are functions of nr_free, which moves, so
 * the comparison is exact (tolerance 0) but only on a sample where
 * /proc/buddyinfo (nr_free itself: the indices are rounded to 1/1000 and
 * can hold still while nr_free moves) and both extfrag files read the same
 * before and after mmscope.
 */
TEST(fragmentation_equals_extfrag)
{
	static struct frag u1, u2, e1, e2, cu, ce, tu, te;
	int try, status, bad = -1, compared = 0;

	if (access(EXTFRAG "/unusable_index", R_OK))
		SKIP(return, "no %s (kernel without CONFIG_COMPACTION or debugfs)",
		     EXTFRAG);
	for (try = 0; try < RETRIES && !compared; try++) {
		char *a, *b, *out, *text, *c, *d, *bi1, *bi2;
		struct mmt_json *doc;

		bi1 = mmt_read_file("/proc/buddyinfo", NULL);
		a = mmt_read_file(EXTFRAG "/unusable_index", NULL);
		b = mmt_read_file(EXTFRAG "/extfrag_index", NULL);
		out = cli_json(false, &status);
		text = mmt_read_file(MMSCOPE_DBG "/buddy", NULL);
		c = mmt_read_file(EXTFRAG "/unusable_index", NULL);
		d = mmt_read_file(EXTFRAG "/extfrag_index", NULL);
		bi2 = mmt_read_file("/proc/buddyinfo", NULL);
		ASSERT_EQ(0, status);
		ASSERT_NE(NULL, bi1);
		ASSERT_NE(NULL, bi2);
		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, b);
		ASSERT_NE(NULL, text);
		parse_frag(a, NULL, &u1);
		parse_frag(b, NULL, &e1);
		parse_frag(c, NULL, &u2);
		parse_frag(d, NULL, &e2);
		parse_frag(text, "unusable", &tu);
		parse_frag(text, "extfrag", &te);
		doc = mmt_json_parse(out);
		ASSERT_NE(NULL, doc);
		ASSERT_NE(0, u1.n);
		if (!strcmp(bi1, bi2) && frag_eq(&u1, &u2) &&
		    frag_eq(&e1, &e2)) {
			compared++;
			frag_of_json(doc, "unusable_index", &cu);
			frag_of_json(doc, "extfrag_index", &ce);
			bad = frag_diff("cli unusable", &u1, &cu) +
			      frag_diff("cli extfrag", &e1, &ce) +
			      frag_diff("debugfs unusable", &u1, &tu) +
			      frag_diff("debugfs extfrag", &e1, &te);
		}
		free(a);
		free(b);
		free(c);
		free(d);
		free(bi1);
		free(bi2);
		free(text);
		free(out);
	}
	ksft_print_msg("%d samples, %d stable\n", try, compared);
	if (!compared)
		SKIP(return, "buddyinfo or extfrag changed between every pair of reads in %d tries",
		     RETRIES);
	ASSERT_EQ(0, bad);
}

/* Listed blocks per (node, zone, migratetype or "", order). */
static struct table listed;

static void listed_add(int node, const char *zone, const char *mt, int order)
{
	int i;

	for (i = 0; i < listed.n; i++) {
		struct ent *e = &listed.e[i];

		if (e->node == node && e->order == order &&
		    !strcmp(e->zone, zone) && !strcmp(e->mt, mt)) {
			e->val++;
			return;
		}
	}
	table_add(&listed, node, zone, mt, order, 1);
}

static long long listed_get(int node, const char *zone, const char *mt,
			    int order)
{
	int i;

	for (i = 0; i < listed.n; i++) {
		const struct ent *e = &listed.e[i];

		if (e->node == node && e->order == order &&
		    !strcmp(e->zone, zone) && !strcmp(e->mt, mt))
			return e->val;
	}
	return 0;
}

/*
 * Check every block of @doc (aligned to its order, a buddy page, inside its
 * zone's span from zoneinfo) and count them into @listed.  Return: number of
 * blocks, or -1 on a failed check.
 */
static int check_blocks(struct __test_metadata *_metadata,
			struct mmt_json *doc, const struct zinfos *zi)
{
	struct mmt_json *nodes = mmt_jget(doc, "nodes");
	int i, j, k, nblocks = 0, bad = 0;

	listed.n = 0;
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");
		int node = mmt_jnum(mmt_jget(nodes->kids[i], "node"));

		for (j = 0; zones && j < zones->n; j++) {
			struct mmt_json *z = zones->kids[j];
			const char *zname = mmt_jstr(mmt_jget(z, "name"));
			struct mmt_json *blocks = mmt_jget(z, "blocks");
			const struct zinfo *span = zinfo_of(zi, node, zname);

			if (!blocks || !span) {
				ksft_print_msg("node %d %s: %s\n", node, zname,
					       blocks ? "not in zoneinfo" : "no blocks array");
				return -1;
			}
			for (k = 0; k < blocks->n; k++) {
				struct mmt_json *b = blocks->kids[k];
				unsigned long long pfn = mmt_jnum(mmt_jget(b, "pfn"));
				int order = mmt_jnum(mmt_jget(b, "order"));
				const char *mt = mmt_jstr(mmt_jget(b, "migratetype"));

				if (order >= 16 || (pfn & ((1ULL << order) - 1)) ||
				    !mmt_jget(b, "buddy")->boolean ||
				    pfn < (unsigned long long)span->start_pfn ||
				    pfn + (1ULL << order) >
				    (unsigned long long)(span->start_pfn + span->spanned)) {
					if (bad++ < 10)
						ksft_print_msg("node %d %s: block pfn %#llx order %d (buddy %d) not aligned or outside [%#llx, %#llx)\n",
							       node, zname, pfn, order,
							       mmt_jget(b, "buddy")->boolean,
							       (unsigned long long)span->start_pfn,
							       (unsigned long long)(span->start_pfn +
										    span->spanned));
				}
				listed_add(node, zname, "", order);
				listed_add(node, zname, mt, order);
				nblocks++;
			}
		}
	}
	return bad ? -1 : nblocks;
}

/*
 * Listed blocks per order against buddyinfo's nr_free and per migratetype
 * against pagetypeinfo, for the orders not marked changed, on a sample where
 * both oracles held still.
 */
static int compare_listing(struct mmt_json *doc, const struct table *bi,
			   const struct table *pti, bool verbose,
			   int *compared)
{
	const struct table *t[2] = { bi, pti };
	int i, x, bad = 0;

	for (x = 0; x < 2; x++)
		for (i = 0; i < t[x]->n; i++) {
			const struct ent *e = &t[x]->e[i];
			struct mmt_json *o = order_of(zone_of(doc, e->node, e->zone),
						      e->order);
			long long got;

			if (!o) {
				bad++;
				continue;
			}
			if (e->val < 0 || mmt_jget(o, "changed")->boolean)
				continue;
			got = listed_get(e->node, e->zone, e->mt, e->order);
			(*compared)++;
			if (got != e->val) {
				if (verbose)
					ksft_print_msg("node %d %s %s order %d: %s %lld, listed %lld\n",
						       e->node, e->zone, e->mt, e->order,
						       x ? "pagetypeinfo" : "buddyinfo",
						       e->val, got);
				bad++;
			}
		}
	return bad;
}

TEST(blocks_match_oracles_and_are_aligned)
{
	static struct zinfos zi;
	int try, status, bad = -1, stable = 0, compared = 0, nblocks = 0;

	ASSERT_EQ(0, read_zoneinfo(&zi));
	ASSERT_NE(0, zi.n);
	for (try = 0; try < RETRIES && !stable; try++) {
		struct mmt_json *doc;
		char *out;

		ASSERT_EQ(0, read_oracle(&bi1, false));
		ASSERT_EQ(0, read_oracle(&pti1, true));
		out = cli_json(true, &status);
		ASSERT_EQ(0, read_oracle(&bi2, false));
		ASSERT_EQ(0, read_oracle(&pti2, true));
		ASSERT_EQ(0, status);
		doc = mmt_json_parse(out);
		ASSERT_NE(NULL, doc);
		EXPECT_EQ(0ULL, mmt_jnum(mmt_jget(mmt_jget(doc, "walk"),
						  "mismatches")));
		/* Alignment and span hold on every sample, stable or not. */
		nblocks = check_blocks(_metadata, doc, &zi);
		ASSERT_GT(nblocks, 0);
		if (table_eq(&bi1, &bi2) && table_eq(&pti1, &pti2)) {
			stable++;
			compared = 0;
			bad = compare_listing(doc, &bi1, &pti1, true,
					      &compared);
		}
		mmt_json_free(doc);
		free(out);
	}
	ksft_print_msg("%d samples, %d stable; %d blocks listed, %d counts compared, %d differences in the last\n",
		       try, stable, nblocks, compared, bad);
	if (!stable)
		SKIP(return, "/proc/buddyinfo or pagetypeinfo changed between every pair of reads in %d tries",
		     RETRIES);
	ASSERT_EQ(0, bad);
	/* Not every order may be marked changed: something was compared. */
	ASSERT_GT(compared, 0);
}

/*
 * Free blocks per order (summed over zones), and pcp pages, from the CLI on
 * a sample where /proc/buddyinfo held still around it; *diffs: the counts
 * where the CLI and that buddyinfo differ (zero tolerance).  Return 0,
 * -1 when the CLI failed, -2 when buddyinfo never held still.
 */
static int free_blocks(unsigned long long *nr, int *nr_orders,
		       unsigned long long *pcp, int *diffs)
{
	static struct table none, b1, b2;
	struct mmt_json *doc = NULL, *nodes;
	int status, i, j, k, try;
	char *out;

	memset(nr, 0, 16 * sizeof(*nr));
	*pcp = 0;
	*nr_orders = 0;
	for (try = 0; try < RETRIES && !doc; try++) {
		if (read_oracle(&b1, false))
			return -1;
		out = cli_json(false, &status);
		if (read_oracle(&b2, false) || status) {
			free(out);
			return -1;
		}
		if (table_eq(&b1, &b2))
			doc = mmt_json_parse(out);
		free(out);
	}
	if (!doc)
		return try == RETRIES ? -2 : -1;
	*diffs = compare(doc, &b1, &none, true);
	nodes = mmt_jget(doc, "nodes");
	for (i = 0; nodes && i < nodes->n; i++) {
		struct mmt_json *zones = mmt_jget(nodes->kids[i], "zones");

		for (j = 0; zones && j < zones->n; j++) {
			struct mmt_json *orders = mmt_jget(zones->kids[j], "orders");

			*pcp += mmt_jnum(mmt_jget(zones->kids[j], "pcp_pages"));
			for (k = 0; orders && k < orders->n && k < 16; k++)
				nr[k] += mmt_jnum(mmt_jget(orders->kids[k],
							   "nr_free"));
			if (orders && orders->n > *nr_orders)
				*nr_orders = orders->n;
		}
	}
	mmt_json_free(doc);
	return 0;
}

static unsigned long long high_pages(const unsigned long long *nr, int n)
{
	unsigned long long pages = 0;
	int k;

	for (k = 9; k < n; k++)
		pages += nr[k] << k;
	return pages;
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

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/* nr_hugepages as found, restored by the teardown whatever happens. */
FIXTURE(hugetlb) {
	long old;
};

FIXTURE_SETUP(hugetlb)
{
	self->old = read_long(NR_HUGEPAGES);
}

FIXTURE_TEARDOWN(hugetlb)
{
	if (self->old >= 0 && read_long(NR_HUGEPAGES) != self->old)
		write_long(NR_HUGEPAGES, self->old);
}

/*
 * Reserving N huge pages takes N order-9 blocks from the free memory, and
 * releasing them gives them back.  Checked two ways, with no tolerance on
 * a count:
 *  - at each of the three points (before, reserved, released) every
 *    per-order count equals /proc/buddyinfo's, on a sample where
 *    buddyinfo held still around the CLI: the view follows the change;
 *  - in pages over all orders >= 9: each huge page is one order-9 block
 *    taken either from the buddy lists (from an order-9 block, or by
 *    splitting a larger one, which leaves the rest in orders 9 .. m-1)
 *    or from a per-CPU list (which keeps pageblock-order pages too), so
 *    the buddy lists lose N * 512 pages less at most what the per-CPU
 *    lists held (pcp0): h1 + N * 512 <= h0 + pcp0.  Released, the pages
 *    go back to the buddy lists or the per-CPU lists: h2 + pcp2 >=
 *    h1 + N * 512.  Frees of unrelated memory meanwhile can only add to
 *    orders >= 9 (the first bound's direction): such a cycle is taken
 *    again (up to 3 times), reported.
 * The per-order changes themselves are not bounded: per-CPU list refills
 * and drains move whole blocks between orders >= 9 and the per-CPU lists.
 */
/*
 * Order >= 9 free pages once they hold still for 200 ms (memory freed by
 * earlier tests, or released late by KASAN's quarantine, still merges
 * into high orders for a while); 0 when they never did in 5 s, CLI_FAILED
 * when mmscope buddy failed.
 */
#define CLI_FAILED	(~0ULL)
static unsigned long long quiet_high_pages(unsigned long long *n, int *no,
					   unsigned long long *pcp, int *diffs)
{
	unsigned long long prev = 0, h;
	int i;

	for (i = 0; i < 25; i++) {
		int r = free_blocks(n, no, pcp, diffs);

		if (r == -1)
			return CLI_FAILED;
		if (r)
			return 0;
		h = high_pages(n, *no);
		if (h == prev)
			return h;
		prev = h;
		usleep(200000);
	}
	return 0;
}

TEST_F(hugetlb, reservation_moves_high_orders)
{
	unsigned long long n0[16], n1[16], n2[16], p0, p1, p2, h0, h1, h2;
	int no, k, attempt, d0 = 0, d1 = 0, d2 = 0, r1, r2;
	long want, got;
	bool moved;

	ASSERT_LE(0, self->old) TH_LOG("no %s (kernel without hugetlb)",
				       NR_HUGEPAGES);
	for (attempt = 0; attempt < 3; attempt++) {
		h0 = quiet_high_pages(n0, &no, &p0, &d0);
		/*
		 * As above: on a kernel whose free lists never hold still
		 * (the debug kernel's background work), nothing to compare.
		 */
		ASSERT_NE(CLI_FAILED, h0) TH_LOG("mmscope buddy failed");
		if (!h0)
			SKIP(return, "order >= 9 free memory never held still for 200 ms in 5 s");
		ASSERT_GT(no, 10);
		want = (long)(h0 / 512 / 2);
		if (want > 64)
			want = 64;
		ASSERT_LE(1, want) TH_LOG("no free block of order >= 9 to reserve");
		ASSERT_EQ(0, write_long(NR_HUGEPAGES, self->old + want));
		got = read_long(NR_HUGEPAGES) - self->old;
		ASSERT_GT(got, 0) TH_LOG("could not reserve any of %ld huge pages with %llu pages free in orders >= 9",
					 want, h0);
		r1 = free_blocks(n1, &no, &p1, &d1);
		ASSERT_EQ(0, write_long(NR_HUGEPAGES, self->old));
		ASSERT_EQ(self->old, read_long(NR_HUGEPAGES));
		r2 = free_blocks(n2, &no, &p2, &d2);
		ASSERT_NE(-1, r1) TH_LOG("mmscope buddy failed");
		ASSERT_NE(-1, r2) TH_LOG("mmscope buddy failed");
		/* -2: buddyinfo never held still for two reads (as above). */
		if (r1 || r2)
			SKIP(return, "/proc/buddyinfo changed between every pair of reads while reserving");
		h1 = high_pages(n1, no);
		h2 = high_pages(n2, no);
		ksft_print_msg("reserved %ld huge pages: order>=9 free pages %llu -> %llu -> %llu (pcp %llu, %llu, %llu)\n",
			       got, h0, h1, h2, p0, p1, p2);
		for (k = 9; k < no; k++)
			ksft_print_msg("order %d: %llu -> %llu -> %llu blocks\n",
				       k, n0[k], n1[k], n2[k]);
		EXPECT_EQ(0, d0 + d1 + d2) TH_LOG("counts differing from /proc/buddyinfo: %d before, %d reserved, %d released",
						  d0, d1, d2);
		moved = h1 + got * 512ULL > h0 + p0;
		if (!moved)
			break;
		ksft_print_msg("more order >= 9 memory than before the reservation: unrelated frees; again\n");
	}
	EXPECT_LE(h1 + got * 512ULL, h0 + p0);
	EXPECT_GE(h2 + p2, h1 + got * 512ULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin_to_all(void)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_CONF);

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The contender: on the other CPU, reads extfrag/unusable_index over and
 * over, each read taking every populated zone's zone->lock for a moment,
 * and keeps the longest read that overlapped the window [from, to).
 */
struct contender {
	atomic_bool stop, done;		/* done: a read ended after the window */
	atomic_ullong from, to;		/* window; to == 0: still open */
	uint64_t worst, in_window;
	int cpu;
};

static void *contend(void *arg)
{
	struct contender *c = arg;
	char buf[4096];

	if (pin_to(c->cpu))
		return NULL;
	while (!atomic_load(&c->stop)) {
		uint64_t t0 = now_ns(), t1, from, to;
		int fd = open(EXTFRAG "/unusable_index", O_RDONLY);

		if (fd < 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		t1 = now_ns();
		from = atomic_load(&c->from);
		to = atomic_load(&c->to);
		if (from && t1 > from && (!to || t0 < to)) {
			c->in_window++;
			if (t1 - t0 > c->worst)
				c->worst = t1 - t0;
		}
		if (to && t1 > to)
			atomic_store(&c->done, true);
	}
	return NULL;
}

/*
 * The contender's longest wait while this thread reads @path (pinned to
 * CPU 0, the contender to CPU 1).  Return: 0, or -1 when no read of the
 * contender overlapped.
 */
static int contended_read(const char *path, uint64_t *worst, uint64_t *span,
			  uint64_t *reads)
{
	struct contender c = { .cpu = 1 };
	uint64_t from, to;
	pthread_t th;
	char *text;

	if (pin_to(0) || pthread_create(&th, NULL, contend, &c))
		return -1;
	usleep(100000);
	from = now_ns();
	atomic_store(&c.from, from);
	text = mmt_read_file(path, NULL);
	to = now_ns();
	atomic_store(&c.to, to);
	/* The read in progress at the window's end is finished and counted. */
	for (int i = 0; i < 10000 && !atomic_load(&c.done); i++)
		usleep(1000);
	atomic_store(&c.stop, true);
	pthread_join(th, NULL);
	free(text);
	*worst = c.worst;
	*span = to - from;
	*reads = c.in_window;
	return c.in_window ? 0 : -1;
}

/*
 * From outside: a reader on the other CPU takes zone->lock over and over
 * (extfrag/unusable_index), once while mmscope walks and once while
 * /proc/pagetypeinfo is read, which walks each free list in a single
 * zone->lock hold (the long order-0 list included).  With mmscope's holds
 * bounded, the contender's longest wait during mmscope's walk is shorter
 * than its longest wait during pagetypeinfo's.  Like is compared with
 * like: OUTSIDE_ROUNDS walks of each, alternated, and the best (shortest)
 * longest-wait of each side (host noise, a preempted vCPU, only lengthens
 * waits, on either side alike).  What the two hold differs in work per
 * entry: pagetypeinfo only counts the L list entries in one hold, mmscope
 * records each of at most C (the chunk) per hold, which under TCG measured
 * up to ~30 times the cost of counting one.  So the list is made long
 * enough that L > 30 C: 512 MiB with every other page freed is L = 65536
 * entries against C = 1024 (30 C = 30720); pagetypeinfo counts up to
 * 100000, so all of it is held at once.  Every round must have had a contender
 * read overlapping the walk: a read that none overlapped (the contender's
 * vCPU was off the host CPU between two of its reads for the whole walk)
 * is no sample, and is taken again, up to OUTSIDE_TRIES times.  Return:
 * 0, or -1 when a round could not be measured.
 */
#define OUTSIDE_ROUNDS	7
#define OUTSIDE_TRIES	5

/* contended_read() until a contender read overlapped the walk. */
static int sampled_read(const char *path, uint64_t *worst, uint64_t *span,
			uint64_t *reads)
{
	int t, ret = -1;

	for (t = 0; t < OUTSIDE_TRIES && ret; t++)
		ret = contended_read(path, worst, span, reads);
	return ret;
}

static int outside_check(uint64_t *mm_best, uint64_t *ref_best,
			 uint64_t *mm_span, uint64_t *reads)
{
	uint64_t w, span, n;
	int t, ret = 0;

	*mm_best = UINT64_MAX;
	*ref_best = UINT64_MAX;
	for (t = 0; t < OUTSIDE_ROUNDS && !ret; t++) {
		ret = sampled_read("/proc/pagetypeinfo", &w, &span, &n);
		if (!ret && w < *ref_best)
			*ref_best = w;
		if (!ret)
			ret = sampled_read(MMSCOPE_DBG "/buddy", &w, &span, &n);
		if (!ret && w < *mm_best) {
			*mm_best = w;
			*mm_span = span;
			*reads = n;
		}
	}
	pin_to_all();
	return ret;
}

/*
 * A list longer than the chunk: fault in memory and give back every other
 * page, so that the freed pages cannot merge with their buddies and queue
 * up as order-0 blocks.
 *
 * The bound is checked two ways.  From inside: the module's own account of
 * its longest hold, in entries (at most the chunk) and in time (at most
 * MAX_HOLD_NS, generous for TCG, where a 1024-entry hold takes well under a
 * millisecond but the host may preempt the vCPU inside it).  From outside,
 * by a contender on the other CPU (outside_check()): it must get
 * zone->lock while mmscope walks, and its longest wait then and during a
 * read of /proc/pagetypeinfo (which holds the lock across each whole list)
 * are shown side by side, best of 7 each.  The comparison of the two is a
 * timing, so it is reported, not asserted (see below); the bound itself is
 * asserted in entries.  With one CPU the test skips (undeclared: the VM
 * always has two or more).
 */
#define MAX_HOLD_NS	(50ULL * 1000 * 1000)
#define HIGH_FRACTION	"/proc/sys/vm/percpu_pagelist_high_fraction"

/*
 * percpu_pagelist_high_fraction as found, put back by the teardown, which
 * runs even when an ASSERT ended the test.
 */
FIXTURE(pcp) {
	long high;
};

FIXTURE_SETUP(pcp)
{
	self->high = read_long(HIGH_FRACTION);
}

FIXTURE_TEARDOWN(pcp)
{
	if (self->high >= 0 && read_long(HIGH_FRACTION) != self->high)
		write_long(HIGH_FRACTION, self->high);
	pin_to_all();
}

/* Transparent huge pages in this kernel (none on PREEMPT_RT). */
static bool have_thp(void)
{
	return !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK);
}

/* Touching and freeing 512 MiB: minutes under KASAN and TCG. */
TEST_F_TIMEOUT(pcp, lock_hold_bounded, 900)
{
	size_t len = 512UL << 20, off, npfn, freed = 0;
	uint64_t *pfns, *sorted;
	unsigned long long chunk, longest = 0;
	uint64_t worst = 0, walk_ns = 0, ref = 0, reads = 0;
	struct mmt_json *doc, *walk, *nodes;
	int status, i, j, k;
	char *p, *out;

	/* The contender needs a CPU of its own. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: the outside contender needs a second one");
	ASSERT_EQ(0, access(EXTFRAG "/unusable_index", R_OK))
		TH_LOG("no %s/unusable_index for the outside contender", EXTFRAG);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/*
	 * 4 KiB pages: a THP would only be split, not freed, by DONTNEED.
	 * Without THP (PREEMPT_RT) every page is 4 KiB already, and the
	 * kernel refuses the advice with EINVAL.
	 */
	if (have_thp()) {
		ASSERT_EQ(0, madvise(p, len, MADV_NOHUGEPAGE));
	} else {
		ASSERT_EQ(-1, madvise(p, len, MADV_NOHUGEPAGE));
		ASSERT_EQ(EINVAL, errno);
	}
	npfn = len / PG;
	pfns = calloc(npfn, sizeof(*pfns));
	ASSERT_NE(NULL, pfns);
	for (off = 0; off < len; off += PG)
		p[off] = 1;
	ASSERT_EQ(0, mmt_pagemap_range(getpid(), (unsigned long)p, npfn, pfns));
	for (off = 0; off < npfn; off++) {
		ASSERT_TRUE(MMT_PM_PRESENT(pfns[off]));
		pfns[off] = MMT_PM_PFN(pfns[off]);
	}
	sorted = malloc(npfn * sizeof(*sorted));
	ASSERT_NE(NULL, sorted);
	memcpy(sorted, pfns, npfn * sizeof(*sorted));
	qsort(sorted, npfn, sizeof(*sorted), cmp_u64);
	/*
	 * The per-CPU lists (auto-tuned to thousands of pages since 6.7)
	 * could keep every freed page off the buddy lists: shrunk to their
	 * minimum while freeing and walking, as the buddy lab does.
	 */
	ASSERT_LE(0, self->high) TH_LOG("no %s", HIGH_FRACTION);
	ASSERT_EQ(0, write_long(HIGH_FRACTION, 1L << 30));
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
	ASSERT_EQ(0, write_long(HIGH_FRACTION, self->high));
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
	EXPECT_LE(mmt_jnum(mmt_jget(walk, "max_hold_ns")), MAX_HOLD_NS);

	/*
	 * The contender reads back to back through the whole walk, so one
	 * of its reads overlaps the long list: each round must see one.
	 */
	ASSERT_EQ(0, outside_check(&worst, &ref, &walk_ns, &reads))
		TH_LOG("a round had no contender read overlapping the walk");
	ksft_print_msg("outside, best of %d rounds each: %llu zone->lock reads during a %llu us walk, longest wait %llu us; %llu us while pagetypeinfo was read\n",
		       OUTSIDE_ROUNDS, (unsigned long long)reads,
		       (unsigned long long)walk_ns / 1000,
		       (unsigned long long)worst / 1000,
		       (unsigned long long)ref / 1000);
	/*
	 * Not asserted: a timing.  Under TCG the contender's own read of
	 * unusable_index takes about 2 ms on 6.1, ten times a 1024-entry hold
	 * (188 us), so the two longest waits differ by host noise there (a
	 * round at load 6 gave 2.76 ms during the walk against 2.03 ms during
	 * pagetypeinfo, with every hold of the walk 1024 entries or fewer).
	 * The project keeps timings in `make bench` as ratios
	 * (bench_buddy.sh); here the contender must only have got the lock
	 * during the walk (outside_check() above), and the figures are shown.
	 */
	ksft_print_msg("outside: longest wait during mmscope's walk / during pagetypeinfo = %.2f (shown, not asserted: see make bench)\n",
		       ref ? (double)worst / ref : 0.0);
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
