// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope phys and the frame classifier (module/frame.c) against the
 * kernel's own files:
 *  - every PFN's flags, bit by bit, and its kind, against /proc/kpageflags;
 *  - per zone, the pages by kind against the test's own count over
 *    /proc/kpageflags, read just before and just after the CLI;
 *  - pageblocks per migratetype against /proc/pagetypeinfo's "Number of
 *    blocks type";
 *  - zone spans against /proc/zoneinfo; node totals, memory blocks and the
 *    block size against /sys/devices/system/{node,memory}.
 *
 * The kind of a page, from its kpageflags bits, is the definition the
 * uapi header gives (enum mmscope_frame_kind), in its order of precedence:
 * no page, zero page, buddy, huge (hugetlb), slab, page table, offline,
 * KSM, anonymous.  What kpageflags cannot tell apart (page cache, reserved
 * pages with a mapping, other kernel pages) is compared as one class:
 * "rest" = file + reserved + other.
 *
 * Tolerances are stated where they are used; a PFN or a count is compared
 * only where the oracle read before and the oracle read after the CLI
 * agree, and sampled again (up to RETRIES times) only when they do not.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kernel-page-flags.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define RETRIES		20
#define MAX_ZONES	16
#define MAX_NODES	8

#define B(x)		(1ULL << (x))

/* The kinds the test tells from kpageflags; REST: file/reserved/other. */
#define KIND_REST	MMSCOPE_FRAME_NR_KINDS

/*
 * Whether kpageflags' KSM bit can be believed.  6.12's stable_page_flags()
 * sets KPF_KSM on every anonymous page (it tests mapping &
 * PAGE_MAPPING_KSM, which the anon bit alone satisfies); 6.1's tests
 * PageKsm().  Told from the test's own anonymous page, never merged: where
 * it shows KPF_KSM, KSM pages are compared as anonymous ones.
 */
static bool ksm_reliable = true;

static int oracle_kind(uint64_t f)
{
	if (f & B(KPF_NOPAGE))
		return MMSCOPE_FRAME_ABSENT;
	if (f & B(KPF_ZERO_PAGE))
		return MMSCOPE_FRAME_ZERO;
	if (f & B(KPF_BUDDY))
		return MMSCOPE_FRAME_FREE;
	if (f & B(KPF_HUGE))
		return MMSCOPE_FRAME_HUGETLB;
	if (f & B(KPF_SLAB))
		return MMSCOPE_FRAME_SLAB;
	if (f & B(KPF_PGTABLE))
		return MMSCOPE_FRAME_PAGETABLE;
	if (f & B(KPF_OFFLINE))
		return MMSCOPE_FRAME_OFFLINE;
	if ((f & B(KPF_KSM)) && ksm_reliable)
		return MMSCOPE_FRAME_KSM;
	if (f & B(KPF_ANON))
		return MMSCOPE_FRAME_ANON;
	return KIND_REST;
}

static void probe_ksm_bit(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pm = 0, f = 0;
	int fd;

	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, &pm, 8, (unsigned long)p / 4096 * 8) == 8 &&
	    MMT_PM_PRESENT(pm)) {
		int kf = open("/proc/kpageflags", O_RDONLY);

		if (kf >= 0 && pread(kf, &f, 8, MMT_PM_PFN(pm) * 8) == 8)
			ksm_reliable = !(f & (1ULL << KPF_KSM));
		if (kf >= 0)
			close(kf);
	}
	if (fd >= 0)
		close(fd);
	munmap((void *)p, 4096);
	if (!ksm_reliable)
		ksft_print_msg("kpageflags sets KSM on anonymous pages: KSM compared as anonymous\n");
}

/* mmscope's kind folded the same way (device/offline have no page). */
static int mmscope_kind(unsigned int k)
{
	if (k == MMSCOPE_FRAME_KSM && !ksm_reliable)
		return MMSCOPE_FRAME_ANON;
	switch (k) {
	case MMSCOPE_FRAME_FILE:
	case MMSCOPE_FRAME_RESERVED:
	case MMSCOPE_FRAME_OTHER:
		return KIND_REST;
	case MMSCOPE_FRAME_DEVICE:
		return MMSCOPE_FRAME_ABSENT;
	default:
		return k;
	}
}

/* The number of PFNs /proc/kpageflags covers. */
static size_t kpageflags_npfn(void)
{
	static uint64_t chunk[1 << 16];
	int fd = open("/proc/kpageflags", O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		n += r / 8;
	close(fd);
	return n;
}

/*
 * /proc/kpageflags into @v (@n PFNs, allocated and touched by the caller
 * beforehand, so that reading allocates nothing); the PFNs read.
 */
static size_t read_kpageflags_into(uint64_t *v, size_t n)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while (got < n && (r = read(fd, v + got, (n - got) * 8)) > 0)
		got += r / 8;
	close(fd);
	return got;
}

/* All of /proc/kpageflags: one u64 per PFN from 0. */
static uint64_t *read_kpageflags(size_t *npfn)
{
	size_t n = kpageflags_npfn();
	uint64_t *v = n ? malloc(n * 8) : NULL;

	if (!v)
		return NULL;
	*npfn = read_kpageflags_into(v, n);
	return v;
}

static int kpf_one(unsigned long pfn, uint64_t *f)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = pread(fd, f, 8, pfn * 8);
	close(fd);
	return r == 8 ? 0 : -1;
}

/* The device's records of a phys query, or NULL. */
static char *phys_query(unsigned long start, unsigned long end, size_t *len)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PHYS,
		.start = start, .end = end,
	};
	int fd = open("/dev/mmscope", O_RDONLY), err = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	if (!ioctl(fd, MMSCOPE_IOC_QUERY, &q))
		buf = mmt_dev_read(fd, 1 << 20, len, &err);
	else
		ksft_print_msg("phys query: %s\n", strerror(errno));
	close(fd);
	return buf;
}

/* ---- /proc/zoneinfo, /proc/pagetypeinfo, /proc/vmstat ------------------ */

struct zinfo {
	int node;
	char name[16];
	unsigned long long start_pfn, spanned, present, managed;
	unsigned long long pcp;		/* sum of the pagesets' count */
};

static int read_zoneinfo(struct zinfo *z, int max)
{
	char *text = mmt_read_file("/proc/zoneinfo", NULL), *line, *save;
	struct zinfo *cur = NULL;
	unsigned long long v;
	int n = 0, node;
	char name[16];

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "Node %d, zone %15s", &node, name) == 2) {
			cur = n < max ? &z[n++] : NULL;
			if (cur) {
				memset(cur, 0, sizeof(*cur));
				cur->node = node;
				snprintf(cur->name, sizeof(cur->name), "%s", name);
			}
			continue;
		}
		if (!cur)
			continue;
		if (sscanf(line, " spanned %llu", &v) == 1)
			cur->spanned = v;
		else if (sscanf(line, " present %llu", &v) == 1)
			cur->present = v;
		else if (sscanf(line, " managed %llu", &v) == 1)
			cur->managed = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1)
			cur->start_pfn = v;
		else if (sscanf(line, " count: %llu", &v) == 1)
			cur->pcp += v;
	}
	free(text);
	return n;
}

static const struct zinfo *zinfo_find(const struct zinfo *z, int n, int node,
				      const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (z[i].node == node && !strcmp(z[i].name, name))
			return &z[i];
	return NULL;
}

static unsigned long long vmstat(const char *key)
{
	char *text = mmt_read_file("/proc/vmstat", NULL), *p;
	size_t len = strlen(key);
	unsigned long long v = 0;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			v = strtoull(p + len + 1, NULL, 10);
	free(text);
	return v;
}

/* Allocation and free events so far (every pgalloc_* and pgfree). */
static unsigned long long page_events(void)
{
	return vmstat("pgalloc_dma") + vmstat("pgalloc_dma32") +
	       vmstat("pgalloc_normal") + vmstat("pgalloc_movable") +
	       vmstat("pgfree");
}

/* "Number of blocks type" lines of pagetypeinfo, as one string. */
static char *blocks_section(void)
{
	char *text = mmt_read_file("/proc/pagetypeinfo", NULL), *p;

	if (!text)
		return NULL;
	p = strstr(text, "Number of blocks type");
	if (!p) {
		free(text);
		return NULL;
	}
	p = strdup(p);
	free(text);
	return p;
}

/* The count of blocks of @mt in @node/@zone from a blocks section. */
static long long blocks_of(const char *sec, int node, const char *zone,
			   const char *mt)
{
	char hdr[256], *line, *save, *copy = strdup(sec);
	int col = -1, i, nd;
	long long val = -1;
	char name[16];

	/* Header: "Number of blocks type     Unmovable      Movable ..." */
	line = strtok_r(copy, "\n", &save);
	snprintf(hdr, sizeof(hdr), "%s", line + strlen("Number of blocks type"));
	{
		char *tok, *s2;

		for (i = 0, tok = strtok_r(hdr, " ", &s2); tok;
		     tok = strtok_r(NULL, " ", &s2), i++)
			if (!strcmp(tok, mt))
				col = i;
	}
	for (line = strtok_r(NULL, "\n", &save); line && col >= 0;
	     line = strtok_r(NULL, "\n", &save)) {
		int n = 0;

		if (sscanf(line, "Node %d, zone %15s%n", &nd, name, &n) != 2)
			continue;
		if (nd != node || strcmp(name, zone))
			continue;
		{
			char *p = line + n;

			for (i = 0; i <= col; i++)
				val = strtoll(p, &p, 10);
		}
		break;
	}
	free(copy);
	return val;
}

/* ---- the classifier, PFN by PFN ------------------------------------------ */

/*
 * Every PFN /proc/kpageflags covers: the module's flags must equal the
 * kernel's bit for bit, and its kind the kind the flags define.  A PFN
 * whose kpageflags changed between the read before and the read after is
 * sampled again alone (kpageflags, mmscope, kpageflags) until the two
 * kpageflags reads agree, at most RETRIES times, and at most npfn / 20
 * samples in all (a quiet guest changes about 1.5% of its pages while
 * 2 GiB are read three times under TCG); a PFN that never settles is not
 * compared.  The comparison must cover 99% of the PFNs, or it proves
 * little.  A difference on a
 * settled sample fails.  Pages whose flags change and change back between
 * the two reads would fail too: the second sample of every mismatch is
 * that check's tolerance (a PFN fails only if it mismatches twice).
 */
/*
 * The tests that read every PFN several times: 15 minutes, as the
 * debug kernel's 4 GiB guest needs under KASAN and TCG (the harness
 * gives a plain TEST 300 s; only a fixture's test takes a timeout).
 */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, classifier_matches_kpageflags, 900)
{
	size_t n1, n2, len = 0, cap, npfn = kpageflags_npfn();
	uint64_t *k1, *k2;
	const struct mmscope_rec_hdr *h = NULL;
	unsigned long compared = 0, unsettled = 0, rechecked = 0, bad = 0;
	unsigned long kinds_seen = 0, budget = npfn / 20;
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PHYS,
		.start = 0, .end = npfn,
	};
	ssize_t r;
	char *buf;
	int fd;

	probe_ksm_bit();
	ASSERT_GT(npfn, 0);
	/*
	 * Every buffer allocated and touched before the first read: the
	 * test's own allocations would otherwise be pages changing between
	 * the two kpageflags reads.  Records: the zones' and one per PFN.
	 */
	cap = (npfn + 64) * sizeof(struct mmscope_phys_pfn) +
	      sizeof(struct mmscope_phys_end) +
	      MAX_ZONES * sizeof(struct mmscope_phys_zone) + (1 << 16);
	k1 = malloc(npfn * 8);
	k2 = malloc(npfn * 8);
	buf = malloc(cap);
	ASSERT_NE(NULL, k1);
	ASSERT_NE(NULL, k2);
	ASSERT_NE(NULL, buf);
	memset(k1, 0, npfn * 8);
	memset(k2, 0, npfn * 8);
	memset(buf, 0, cap);
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(fd, 0);

	n1 = read_kpageflags_into(k1, npfn);
	ASSERT_EQ(0, ioctl(fd, MMSCOPE_IOC_QUERY, &q));
	while (len < cap && (r = read(fd, buf + len, cap - len)) > 0)
		len += r;
	n2 = read_kpageflags_into(k2, npfn);
	close(fd);
	ASSERT_EQ(npfn, n1);
	ASSERT_EQ(npfn, n2);

	while ((h = mmt_rec_next(buf, len, h))) {
		const struct mmscope_phys_pfn *p = (const void *)h;
		uint64_t a, b, m = p->kpf;
		unsigned int kind = p->kind;
		int tries;

		if (h->type != MMSCOPE_REC_PHYS_PFN)
			continue;
		ASSERT_LT(p->pfn, npfn);
		a = k1[p->pfn];
		b = k2[p->pfn];
		for (tries = 0; (a != b || a != m ||
				 oracle_kind(a) != mmscope_kind(kind)) &&
		     tries < RETRIES; tries++) {
			size_t l2 = 0;
			char *one;
			const struct mmscope_rec_hdr *h2 = NULL;

			if (a == b && a == m &&
			    oracle_kind(a) == mmscope_kind(kind))
				break;
			if (++rechecked > budget)
				break;
			ASSERT_EQ(0, kpf_one(p->pfn, &a));
			one = phys_query(p->pfn, p->pfn + 1, &l2);
			ASSERT_EQ(0, kpf_one(p->pfn, &b));
			ASSERT_NE(NULL, one);
			while ((h2 = mmt_rec_next(one, l2, h2)))
				if (h2->type == MMSCOPE_REC_PHYS_PFN) {
					m = ((const struct mmscope_phys_pfn *)h2)->kpf;
					kind = ((const struct mmscope_phys_pfn *)h2)->kind;
				}
			free(one);
			if (a == b)
				break;
		}
		if (a != b) {
			unsettled++;
			continue;
		}
		compared++;
		kinds_seen |= 1UL << mmscope_kind(kind);
		if (a != m || oracle_kind(a) != mmscope_kind(kind)) {
			if (bad++ < 10)
				ksft_print_msg("pfn %#llx: kpageflags %#llx (kind %d), mmscope %#llx (kind %u), differ %#llx\n",
					       (unsigned long long)p->pfn,
					       (unsigned long long)a,
					       oracle_kind(a),
					       (unsigned long long)m, kind,
					       (unsigned long long)(a ^ m));
		}
	}
	ksft_print_msg("%lu PFNs: %lu compared, %lu sampled again, %lu never settled, %lu differ\n",
		       (unsigned long)npfn, compared, rechecked, unsettled, bad);
	EXPECT_EQ(0, bad);
	/* Every PFN had a record: the stream was complete. */
	EXPECT_EQ(npfn, compared + unsettled);
	EXPECT_LE(unsettled * 100, npfn);
	/* A booted system has free, slab, page-table and anonymous pages. */
	EXPECT_TRUE(kinds_seen & (1UL << MMSCOPE_FRAME_FREE));
	EXPECT_TRUE(kinds_seen & (1UL << MMSCOPE_FRAME_SLAB));
	EXPECT_TRUE(kinds_seen & (1UL << MMSCOPE_FRAME_PAGETABLE));
	EXPECT_TRUE(kinds_seen & (1UL << MMSCOPE_FRAME_ANON));
	free(buf);
	free(k1);
	free(k2);
}

/* ---- the map's counts ---------------------------------------------------- */

static void count_kinds(const uint64_t *k, size_t npfn, unsigned long long s,
			unsigned long long e, unsigned long long *cnt)
{
	unsigned long long pfn;

	memset(cnt, 0, sizeof(cnt[0]) * (KIND_REST + 1));
	for (pfn = s; pfn < e && pfn < npfn; pfn++)
		cnt[oracle_kind(k[pfn])]++;
}

/*
 * Per zone, mmscope's pages of each kind against the test's count over
 * the zone's span in /proc/kpageflags read before (c1) and after (c2) the
 * CLI.  Tolerance: mmscope read each page once, between the two reads; a
 * page it saw in a kind other than in both reads changed kind at least
 * twice in between, and pages change kind only by allocation and freeing
 * (vmstat pgalloc_* + pgfree over the window, E) or by moving between a
 * per-CPU list and the buddy lists (at most the pages on the per-CPU lists
 * at the two reads, P, from zoneinfo's pagesets).  Pages that changed once
 * are inside [min(c1, c2), max(c1, c2)].  So each count must lie in
 * [min(c1, c2) - E - P, max(c1, c2) + E + P].
 */
TEST(counts_match_kpageflags)
{
	struct zinfo zi1[MAX_ZONES], zi2[MAX_ZONES];
	unsigned long long c1[KIND_REST + 1], c2[KIND_REST + 1];
	unsigned long long ev1, ev2, tol;
	struct mmt_json *doc, *nodes;
	size_t n1 = 0, n2 = 0;
	uint64_t *k1, *k2;
	int nz1, nz2, status, i, j, zones = 0;

	probe_ksm_bit();
	nz1 = read_zoneinfo(zi1, MAX_ZONES);
	ev1 = page_events();
	k1 = read_kpageflags(&n1);
	doc = mmt_cli_doc(&status, "phys", "--json", NULL);
	k2 = read_kpageflags(&n2);
	ev2 = page_events();
	nz2 = read_zoneinfo(zi2, MAX_ZONES);
	ASSERT_NE(NULL, doc);
	ASSERT_NE(NULL, k1);
	ASSERT_NE(NULL, k2);
	ASSERT_EQ(nz1, nz2);
	nodes = mmt_jget(doc, "nodes");
	ASSERT_NE(NULL, nodes);
	for (i = 0; i < nodes->n; i++) {
		struct mmt_json *node = nodes->kids[i];
		struct mmt_json *zs = mmt_jget(node, "zones");
		int nid = mmt_jnum(mmt_jget(node, "node"));

		for (j = 0; zs && j < zs->n; j++) {
			struct mmt_json *z = zs->kids[j], *pages;
			const char *name = mmt_jstr(mmt_jget(z, "name"));
			const struct zinfo *a = zinfo_find(zi1, nz1, nid, name);
			const struct zinfo *b = zinfo_find(zi2, nz2, nid, name);
			unsigned long long m[KIND_REST + 1] = {}, s, e;
			int k;

			ASSERT_NE(NULL, a);
			ASSERT_NE(NULL, b);
			s = mmt_jnum(mmt_jget(z, "start_pfn"));
			e = s + mmt_jnum(mmt_jget(z, "spanned"));
			count_kinds(k1, n1, s, e, c1);
			count_kinds(k2, n2, s, e, c2);
			pages = mmt_jget(z, "pages");
			ASSERT_NE(NULL, pages);
			ASSERT_EQ(MMSCOPE_FRAME_NR_KINDS, pages->n);
			for (k = 0; k < pages->n; k++) {
				static const char *const names[] =
					MMSCOPE_FRAME_KIND_NAMES;
				int kk;

				for (kk = 0; kk < MMSCOPE_FRAME_NR_KINDS; kk++)
					if (!strcmp(names[kk], pages->keys[k]))
						break;
				ASSERT_LT(kk, MMSCOPE_FRAME_NR_KINDS);
				m[mmscope_kind(kk)] += mmt_jnum(pages->kids[k]);
			}
			/* Pages of another zone in the span count as absent. */
			tol = (ev2 - ev1) + a->pcp + b->pcp;
			for (k = 0; k <= KIND_REST; k++) {
				unsigned long long lo = c1[k] < c2[k] ? c1[k] : c2[k];
				unsigned long long hi = c1[k] > c2[k] ? c1[k] : c2[k];

				lo = lo > tol ? lo - tol : 0;
				hi += tol;
				if (m[k] < lo || m[k] > hi)
					ksft_print_msg("node %d %s kind %d: mmscope %llu, kpageflags %llu/%llu, tolerance %llu\n",
						       nid, name, k, m[k], c1[k],
						       c2[k], tol);
				EXPECT_GE(m[k], lo);
				EXPECT_LE(m[k], hi);
			}
			ksft_print_msg("node %d %s: free %llu slab %llu pagetable %llu anon %llu rest %llu (tolerance %llu)\n",
				       nid, name, m[MMSCOPE_FRAME_FREE],
				       m[MMSCOPE_FRAME_SLAB],
				       m[MMSCOPE_FRAME_PAGETABLE],
				       m[MMSCOPE_FRAME_ANON], m[KIND_REST], tol);
			zones++;
		}
	}
	EXPECT_GT(zones, 0);
	mmt_json_free(doc);
	free(k1);
	free(k2);
}

/*
 * Pageblocks per migratetype, per zone, equal /proc/pagetypeinfo's "Number
 * of blocks type" exactly, on the first sample where pagetypeinfo read
 * before and after the CLI agree (no tolerance: a block changes type only
 * by an allocation stealing it, which leaves pagetypeinfo different).
 */
TEST(blocks_match_pagetypeinfo)
{
	int tries, status, compared = 0;

	for (tries = 0; tries < RETRIES; tries++) {
		char *before = blocks_section(), *after;
		struct mmt_json *doc = mmt_cli_doc(&status, "phys", "--json",
						   NULL);
		struct mmt_json *nodes;
		int i, j, k;

		after = blocks_section();
		ASSERT_NE(NULL, before);
		ASSERT_NE(NULL, after);
		ASSERT_NE(NULL, doc);
		if (strcmp(before, after)) {
			free(before);
			free(after);
			mmt_json_free(doc);
			continue;
		}
		nodes = mmt_jget(doc, "nodes");
		for (i = 0; nodes && i < nodes->n; i++) {
			struct mmt_json *zs = mmt_jget(nodes->kids[i], "zones");
			int nid = mmt_jnum(mmt_jget(nodes->kids[i], "node"));

			for (j = 0; zs && j < zs->n; j++) {
				struct mmt_json *z = zs->kids[j];
				struct mmt_json *bl = mmt_jget(z, "blocks");
				const char *name = mmt_jstr(mmt_jget(z, "name"));

				ASSERT_NE(NULL, bl);
				for (k = 0; k < bl->n; k++) {
					long long want = blocks_of(before, nid,
								   name,
								   bl->keys[k]);

					if (want != (long long)mmt_jnum(bl->kids[k]))
						ksft_print_msg("node %d %s %s: pagetypeinfo %lld, mmscope %llu\n",
							       nid, name, bl->keys[k],
							       want,
							       mmt_jnum(bl->kids[k]));
					EXPECT_EQ(want, (long long)mmt_jnum(bl->kids[k]));
					compared++;
				}
			}
		}
		free(before);
		free(after);
		mmt_json_free(doc);
		break;
	}
	ASSERT_LT(tries, RETRIES);
	EXPECT_GT(compared, 0);
}

/*
 * Zones: start_pfn, spanned and present equal /proc/zoneinfo (fixed after
 * boot without memory hotplug); managed equal on a sample where zoneinfo
 * agrees before and after.  Every populated zone of zoneinfo is there.
 * Runs tile the zone's span: contiguous, from start_pfn to its end.
 */
TEST(zones_match_zoneinfo)
{
	struct zinfo zi1[MAX_ZONES], zi2[MAX_ZONES];
	int nz1, nz2, i, j, k, status, populated = 0, seen = 0;
	struct mmt_json *doc, *nodes;

	nz1 = read_zoneinfo(zi1, MAX_ZONES);
	doc = mmt_cli_doc(&status, "phys", "--json", NULL);
	nz2 = read_zoneinfo(zi2, MAX_ZONES);
	ASSERT_NE(NULL, doc);
	ASSERT_EQ(nz1, nz2);
	for (i = 0; i < nz1; i++)
		populated += zi1[i].present > 0;
	nodes = mmt_jget(doc, "nodes");
	ASSERT_NE(NULL, nodes);
	for (i = 0; i < nodes->n; i++) {
		struct mmt_json *zs = mmt_jget(nodes->kids[i], "zones");
		int nid = mmt_jnum(mmt_jget(nodes->kids[i], "node"));

		for (j = 0; zs && j < zs->n; j++) {
			struct mmt_json *z = zs->kids[j];
			struct mmt_json *runs = mmt_jget(z, "runs");
			const char *name = mmt_jstr(mmt_jget(z, "name"));
			const struct zinfo *a = zinfo_find(zi1, nz1, nid, name);
			const struct zinfo *b = zinfo_find(zi2, nz2, nid, name);
			unsigned long long start, end, at;

			ASSERT_NE(NULL, a);
			start = mmt_jnum(mmt_jget(z, "start_pfn"));
			end = start + mmt_jnum(mmt_jget(z, "spanned"));
			EXPECT_EQ(a->start_pfn, start);
			EXPECT_EQ(a->spanned, mmt_jnum(mmt_jget(z, "spanned")));
			EXPECT_EQ(a->present, mmt_jnum(mmt_jget(z, "present")));
			if (a->managed == b->managed)
				EXPECT_EQ(a->managed,
					  mmt_jnum(mmt_jget(z, "managed")));
			ASSERT_NE(NULL, runs);
			ASSERT_GT(runs->n, 0);
			for (k = 0, at = start; k < runs->n; k++) {
				struct mmt_json *r = runs->kids[k];

				EXPECT_EQ(at, mmt_jnum(mmt_jget(r, "start_pfn")));
				at = mmt_jnum(mmt_jget(r, "end_pfn"));
			}
			EXPECT_EQ(end, at);
			seen++;
		}
	}
	EXPECT_EQ(populated, seen);
	mmt_json_free(doc);
}

/* Entries named "memoryN" in @dir. */
static int count_memory_dirs(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		if (!strncmp(d->d_name, "memory", 6) &&
		    d->d_name[6] >= '0' && d->d_name[6] <= '9')
			n++;
	closedir(dp);
	return n;
}

/*
 * Nodes: one per online node of /sys/devices/system/node (two on the NUMA
 * guest); each node's present pages equal the sum of its zones' present
 * in /proc/zoneinfo, its start_pfn the lowest start_pfn of its zones with
 * pages, its memory blocks the memoryN links of
 * /sys/devices/system/node/nodeN; the memory block size equals
 * /sys/devices/system/memory/block_size_bytes; and the blocks of all
 * nodes, each counted once per node it has memory on, are at least the
 * memoryN of /sys/devices/system/memory (exactly as many when no block is
 * shared by two nodes: then the sum equals).
 */
TEST(nodes_match_sysfs)
{
	struct zinfo zi[MAX_ZONES];
	struct mmt_json *doc, *nodes;
	int nz, i, j, status, nonline = 0, sum_blocks = 0;
	char *text, path[128];
	unsigned long long bs;

	nz = read_zoneinfo(zi, MAX_ZONES);
	doc = mmt_cli_doc(&status, "phys", "--json", NULL);
	ASSERT_NE(NULL, doc);
	nodes = mmt_jget(doc, "nodes");
	ASSERT_NE(NULL, nodes);
	for (i = 0; i < MAX_NODES; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", i);
		if (!access(path, F_OK))
			nonline++;
	}
	EXPECT_EQ(nonline, nodes->n);
	for (i = 0; i < nodes->n; i++) {
		struct mmt_json *n = nodes->kids[i];
		int nid = mmt_jnum(mmt_jget(n, "node"));
		unsigned long long present = 0, start = ~0ULL;
		int blocks;

		for (j = 0; j < nz; j++) {
			if (zi[j].node != nid)
				continue;
			present += zi[j].present;
			if (zi[j].spanned && zi[j].start_pfn < start)
				start = zi[j].start_pfn;
		}
		EXPECT_EQ(present, mmt_jnum(mmt_jget(n, "present")));
		if (present)
			EXPECT_EQ(start, mmt_jnum(mmt_jget(n, "start_pfn")));
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", nid);
		blocks = count_memory_dirs(path);
		ASSERT_GE(blocks, 0);
		EXPECT_EQ(blocks, (int)mmt_jnum(mmt_jget(n, "memory_blocks")));
		ksft_print_msg("node %d: present %llu pages, %d memory blocks\n",
			       nid, present, blocks);
		sum_blocks += mmt_jnum(mmt_jget(n, "memory_blocks"));
	}
	/*
	 * A kernel without memory hotplug (the check-debug kernel) has no
	 * memory blocks: no /sys/devices/system/memory, no memoryN links
	 * under the nodes (counted as 0 above), and a block size of 0.
	 */
	if (access("/sys/devices/system/memory", F_OK)) {
		EXPECT_EQ(0, sum_blocks);
		EXPECT_EQ(0ULL, mmt_jnum(mmt_jget(doc, "memory_block_bytes")));
		mmt_json_free(doc);
		return;
	}
	EXPECT_GE(sum_blocks, count_memory_dirs("/sys/devices/system/memory"));
	text = mmt_read_file("/sys/devices/system/memory/block_size_bytes", NULL);
	ASSERT_NE(NULL, text);
	bs = strtoull(text, NULL, 16);
	free(text);
	EXPECT_EQ(bs, mmt_jnum(mmt_jget(doc, "memory_block_bytes")));
	mmt_json_free(doc);
}

/* A bad range is a usage error; the device refuses an empty or huge one. */
TEST(bad_ranges_refused)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PHYS,
	};
	int fd = open("/dev/mmscope", O_RDONLY), status;
	char *out;

	ASSERT_GE(fd, 0);
	q.start = 10;
	q.end = 10;
	EXPECT_EQ(-1, ioctl(fd, MMSCOPE_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.start = 0;
	q.end = ~0ULL;
	EXPECT_EQ(-1, ioctl(fd, MMSCOPE_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.start = 5;
	q.end = 0;
	EXPECT_EQ(-1, ioctl(fd, MMSCOPE_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	out = mmt_cli_run(&status, NULL, "phys", "--range", "20-10", NULL);
	EXPECT_EQ(2, status);
	free(out);
}

/*
 * The KSM lab (userspace/labs/ksm.c) holds its claim: its own checks are
 * against pagemap, /proc/kpagecount and /sys/kernel/mm/ksm, and the frame's
 * kind against the classifier.  Every check passed is the oracle here.
 */
TEST(ksm_lab_claim_holds)
{
	struct mmt_json *doc;
	int status;

	doc = mmt_cli_doc(&status, "lab", "ksm", "--json", NULL);
	if (!doc) {
		char *out = mmt_cli_run(&status, NULL, "lab", "ksm", NULL);

		ksft_print_msg("mmscope lab ksm (exit %d):\n%s", status,
			       out ?: "");
		free(out);
	}
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(0, status);
	EXPECT_STREQ("pass", mmt_jstr(mmt_jget(doc, "result")));
	EXPECT_EQ(0, mmt_jnum(mmt_jget(doc, "failed")));
	EXPECT_LE(10, mmt_jnum(mmt_jget(doc, "passed")));
	mmt_json_free(doc);
}

TEST_HARNESS_MAIN
