// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report: the JSON embedded in the HTML page against the kernel's
 * own files (/proc/PID/maps, /proc/PID/pagemap, /proc/buddyinfo,
 * /proc/slabinfo), for a parked child with a known layout; the page holds
 * no http(s) reference; a VMA named "</script>..." does not end the data
 * early; the embedded documents are the CLI's own --json output.
 *
 * `report --faults` traces this program run as a workload with known
 * faults (N anonymous pages written, N others read: the zero page), each
 * counted by its own getrusage() around it: the events embedded per class
 * in its region are N.
 *
 * That page (the parked child's views and the workload's faults) is
 * printed gzip-compressed and base64-encoded between the lines
 * MMSCOPE-REPORT-BEGIN and MMSCOPE-REPORT-END: the host opens it in a
 * browser (scripts/check-report.sh, run by `make check`).  Not on
 * PREEMPT_RT: there the console's threaded 8250 interrupt is taken
 * for a spurious one under that much output in TCG ("irq 4: nobody
 * cared", the IRQ disabled, the end of the console lost).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG 4096UL
#define ANON_PAGES 64
#define TOUCHED 10		/* pages 0..9 of the anonymous region */
/* A memfd named so that its VMA's name could end the <script> element. */
#define EVIL_NAME "</script><!--x"
#define HTML "/tmp/mmscope-report-test.html"
#define HTML_FAULTS "/tmp/mmscope-report-faults.html"
#define NFAULT 64		/* pages written, and pages read, by the workload */

struct layout {
	unsigned long anon;	/* ANON_PAGES pages, the first TOUCHED touched */
	unsigned long evil;	/* the memfd's page */
	unsigned long guard;	/* a PROT_NONE page */
};

static void setup(void *data)
{
	struct layout *l = data;
	char *a, *e, *g;
	int fd, i;

	a = mmap(NULL, ANON_PAGES * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = memfd_create(EVIL_NAME, 0);
	if (a == MAP_FAILED || fd < 0 || ftruncate(fd, PG))
		_exit(97);
	/* No THP: the present count is the pages touched, 4 KiB each. */
	madvise(a, ANON_PAGES * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < TOUCHED; i++)
		a[i * PG] = 1;
	e = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	g = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e == MAP_FAILED || g == MAP_FAILED)
		_exit(97);
	e[0] = 1;
	l->anon = (unsigned long)a;
	l->evil = (unsigned long)e;
	l->guard = (unsigned long)g;
}

/* The text of the data element, un-escaped by the JSON parser later. */
static char *data_of(const char *html)
{
	static const char tag[] =
		"<script type=\"application/json\" id=\"mmscope-data\">";
	const char *s = strstr(html, tag), *e;

	if (!s)
		return NULL;
	s += strlen(tag);
	e = strstr(s, "</script>");
	return e ? strndup(s, e - s) : NULL;
}

static bool has_url(const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		if (!strncasecmp(p, "http://", 7) || !strncasecmp(p, "https://", 8))
			return true;
	return false;
}

/* The page, base64, between markers on the console for the host. */
static void print_base64(const char *s, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t i, k = 0;

	printf("MMSCOPE-REPORT-BEGIN\n");
	for (i = 0; i < n; i += 3) {
		unsigned int v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		line[k++] = b64[v >> 18 & 63];
		line[k++] = b64[v >> 12 & 63];
		line[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		line[k++] = i + 2 < n ? b64[v & 63] : '=';
		if (k == 76 || i + 3 >= n) {
			printf("%.*s\n", (int)k, line);
			k = 0;
		}
	}
	printf("MMSCOPE-REPORT-END\n");
	fflush(stdout);
}

FIXTURE(report) {
	pid_t pid;
	struct layout l;
	char *html;		/* the page */
	struct mmt_json *doc;	/* its data */
	struct mmt_json *proc;	/* processes[0] */
	char *slabinfo;		/* /proc/slabinfo read before the report */
};

FIXTURE_SETUP(report)
{
	char pidstr[16], *data, *err = NULL, *out;
	int status;

	self->slabinfo = mmt_read_file("/proc/slabinfo", NULL);
	self->pid = mmt_park(setup, &self->l, sizeof(self->l));
	ASSERT_GT(self->pid, 0);
	snprintf(pidstr, sizeof(pidstr), "%d", self->pid);
	unlink(HTML);
	out = mmt_cli_run(&status, &err, "report", "-p", pidstr, "-o", HTML, NULL);
	ASSERT_EQ(0, status) TH_LOG("report: %s", err ?: "");
	free(out);
	free(err);
	self->html = mmt_read_file(HTML, NULL);
	ASSERT_NE(NULL, self->html);
	data = data_of(self->html);
	ASSERT_NE(NULL, data) TH_LOG("no data element ending in </script>");
	self->doc = mmt_json_parse(data);
	free(data);
	ASSERT_NE(NULL, self->doc) TH_LOG("the data element is no JSON (cut short?)");
	self->proc = mmt_jget(self->doc, "processes");
	ASSERT_NE(NULL, self->proc);
	ASSERT_EQ(1, self->proc->n);
	self->proc = self->proc->kids[0];
}

FIXTURE_TEARDOWN(report)
{
	mmt_reap(self->pid);
	mmt_json_free(self->doc);
	free(self->html);
	free(self->slabinfo);
}

/* No reference out of the file, and nothing fetched: a CSP forbids it. */
TEST_F(report, self_contained)
{
	EXPECT_FALSE(has_url(self->html));
	EXPECT_NE(NULL, strstr(self->html, "default-src 'none'"));
	/* The page's own script and style are in it, not referenced. */
	EXPECT_EQ(NULL, strstr(self->html, "<script src"));
	EXPECT_EQ(NULL, strstr(self->html, "<link"));
}

/* Every VMA as /proc/PID/maps has it, the "</script>" one included. */
TEST_F(report, vmas_match_maps)
{
	struct mmt_json *vmas = mmt_jget(mmt_jget(self->proc, "vma"), "vmas");
	struct mmt_maps m;
	int i, k = 0, evil = 0;

	ASSERT_EQ(self->pid, (pid_t)mmt_jnum(mmt_jget(self->proc, "pid")));
	ASSERT_NE(NULL, vmas);
	ASSERT_EQ(0, mmt_maps_load(self->pid, &m, false));
	for (i = 0; i < m.n; i++) {
		struct mmt_vma *mv = &m.v[i];
		struct mmt_json *v;
		char name[4096];

		snprintf(name, sizeof(name), "%.*s", mv->name_len, mv->name);
		/* the gate area: listed by maps, no VMA of the mm */
		if (!strcmp(name, "[vsyscall]"))
			continue;
		ASSERT_LT(k, vmas->n) TH_LOG("maps has more VMAs than the report");
		v = vmas->kids[k++];
		EXPECT_EQ(mv->start, mmt_jhex(mmt_jget(v, "start")));
		EXPECT_EQ(mv->end, mmt_jhex(mmt_jget(v, "end")));
		EXPECT_STREQ(mv->perms, mmt_jstr(mmt_jget(v, "perms")) ?: "");
		EXPECT_STREQ(name, mmt_jstr(mmt_jget(v, "name")) ?: "(null)");
		evil += mv->start == self->l.evil &&
			strstr(mmt_jstr(mmt_jget(v, "name")) ?: "", EVIL_NAME);
	}
	EXPECT_EQ(k, vmas->n);
	EXPECT_EQ(1, evil) TH_LOG("the memfd named %s not found intact", EVIL_NAME);
	mmt_maps_free(&m);
}

/* Present pages of the page-table runs against pagemap, per VMA. */
TEST_F(report, present_pages_match_pagemap)
{
	struct mmt_json *runs = mmt_jget(mmt_jget(self->proc, "pt"), "runs");
	uint64_t pm[ANON_PAGES];
	unsigned long a = self->l.anon, e = a + ANON_PAGES * PG;
	unsigned long present = 0, oracle = 0;
	int i;

	ASSERT_NE(NULL, runs);
	ASSERT_EQ(0, mmt_pagemap_range(self->pid, a, ANON_PAGES, pm));
	for (i = 0; i < ANON_PAGES; i++)
		oracle += MMT_PM_PRESENT(pm[i]);
	for (i = 0; i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];
		unsigned long long s = mmt_jhex(mmt_jget(r, "start"));
		unsigned long long t = mmt_jhex(mmt_jget(r, "end"));

		if (strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "present"))
			continue;
		if (s < a)
			s = a;
		if (t > e)
			t = e;
		if (s < t)
			present += (t - s) / PG;
	}
	/* The child is parked: nothing faults or reclaims in between. */
	EXPECT_EQ(TOUCHED, oracle);
	EXPECT_EQ(oracle, present);
}

/* Each recorded translation's page against pagemap (root sees PFNs). */
TEST_F(report, translations_match_pagemap)
{
	struct mmt_json *tr = mmt_jget(self->proc, "translate");
	struct mmt_maps m;
	int i, checked = 0;

	ASSERT_NE(NULL, tr);
	ASSERT_GT(tr->n, 0);
	ASSERT_EQ(0, mmt_maps_load(self->pid, &m, false));
	for (i = 0; i < tr->n; i++) {
		unsigned long long va = mmt_jhex(mmt_jget(tr->kids[i], "vaddr"));
		struct mmt_json *pfn = mmt_jget(tr->kids[i], "pfn");
		uint64_t e;

		EXPECT_TRUE(mmt_maps_has(&m, va)) TH_LOG("sample %llx in no VMA", va);
		if (mmt_pagemap(self->pid, va, &e))
			continue;
		/* pagemap shows no VM_PFNMAP page ([vvar]): only present ones */
		if (!MMT_PM_PRESENT(e))
			continue;
		ASSERT_NE(NULL, pfn);
		EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(pfn)) TH_LOG("at %llx", va);
		checked++;
	}
	/* The anonymous region's first page is touched: one at least. */
	EXPECT_GT(checked, 0);
	mmt_maps_free(&m);
}

/* Zones and orders as /proc/buddyinfo lists them. */
TEST_F(report, buddy_zones_match_buddyinfo)
{
	struct mmt_json *nodes = mmt_jget(mmt_jget(self->doc, "buddy"), "nodes");
	char *bi = mmt_read_file("/proc/buddyinfo", NULL), *line, *save = NULL;
	int lines = 0, zones = 0, i, j;

	ASSERT_NE(NULL, nodes);
	ASSERT_NE(NULL, bi);
	for (line = strtok_r(bi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int node, n, orders = 0, found = 0;
		char zone[32];
		const char *p;

		if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &n) != 2)
			continue;
		lines++;
		for (p = line + n; *p; ) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			orders++;
			while (*p && *p != ' ')
				p++;
		}
		for (i = 0; i < nodes->n; i++) {
			struct mmt_json *zs = mmt_jget(nodes->kids[i], "zones");

			if (mmt_jnum(mmt_jget(nodes->kids[i], "node")) != (unsigned long long)node)
				continue;
			for (j = 0; zs && j < zs->n; j++)
				if (!strcmp(mmt_jstr(mmt_jget(zs->kids[j], "name")) ?: "", zone)) {
					found++;
					EXPECT_EQ(orders, mmt_jget(zs->kids[j], "orders")->n)
						TH_LOG("node %d zone %s", node, zone);
				}
		}
		EXPECT_EQ(1, found) TH_LOG("node %d zone %s", node, zone);
	}
	for (i = 0; i < nodes->n; i++)
		zones += mmt_jget(nodes->kids[i], "zones")->n;
	/* buddyinfo lists populated zones; the report may list empty ones too */
	EXPECT_GT(lines, 0);
	EXPECT_GE(zones, lines);
	free(bi);
}

/* Every cache /proc/slabinfo listed before the report is in it. */
TEST_F(report, slab_caches_match_slabinfo)
{
	struct mmt_json *caches = mmt_jget(mmt_jget(self->doc, "slab"), "caches");
	char *line, *save = NULL;
	int i, listed = 0;

	ASSERT_NE(NULL, self->slabinfo);
	ASSERT_NE(NULL, caches);
	for (line = strtok_r(self->slabinfo, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		bool found = false;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8) ||
		    sscanf(line, "%63s", name) != 1)
			continue;
		listed++;
		for (i = 0; i < caches->n && !found; i++)
			found = !strcmp(mmt_jstr(mmt_jget(caches->kids[i], "name")) ?: "", name);
		EXPECT_TRUE(found) TH_LOG("cache %s not in the report", name);
	}
	EXPECT_GT(listed, 0);
}

/*
 * Drop the value of "@key": in @s (in place).  mm_count is not the
 * process's to keep still: a CPU that ran it keeps its mm as the lazy TLB
 * mm of the idle task or a kernel thread (mmgrab_lazy_tlb()) until another
 * mm is switched in, so two reads of a parked child may differ by those.
 */
static void drop_value(char *s, const char *key)
{
	char *p = strstr(s, key), *q;

	if (!p)
		return;
	p += strlen(key);
	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	memmove(p, q, strlen(q) + 1);
}

/* The embedded vma and pt documents are the CLI's own --json output. */
TEST_F(report, documents_are_the_clis)
{
	char pidstr[16], *rep, *vma, *pt;
	int status;

	snprintf(pidstr, sizeof(pidstr), "%d", self->pid);
	rep = mmt_cli_run(&status, NULL, "report", "-p", pidstr, "--json", NULL);
	ASSERT_EQ(0, status);
	vma = mmt_cli_run(&status, NULL, "vma", pidstr, "--json", NULL);
	ASSERT_EQ(0, status);
	pt = mmt_cli_run(&status, NULL, "pt", pidstr, "--json", NULL);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, rep);
	vma[strcspn(vma, "\n")] = '\0';
	pt[strcspn(pt, "\n")] = '\0';
	drop_value(rep, "\"mm_count\":");
	drop_value(vma, "\"mm_count\":");
	EXPECT_NE(NULL, strstr(rep, vma))
		TH_LOG("vma --json not in report --json:\n%.600s\n%.600s", vma,
		       strstr(rep, "\"type\":\"vma\"") ?: rep);
	EXPECT_NE(NULL, strstr(rep, pt))
		TH_LOG("pt --json not in report --json:\n%.600s\n%.600s", pt,
		       strstr(rep, "\"type\":\"pt\"") ?: rep);
	free(rep);
	free(vma);
	free(pt);
}

/*
 * vma --map: the VMAs counted on its bars are those of /proc/PID/maps,
 * each bar's range starts and ends on a VMA of maps, and a hole line
 * stands between two bars.
 */
TEST_F(report, vma_map_matches_maps)
{
	char pidstr[16], *out, *line, *save = NULL;
	int status, vmas = 0, bars = 0, holes = 0, i, n;
	unsigned long long s, e;
	struct mmt_maps m;

	snprintf(pidstr, sizeof(pidstr), "%d", self->pid);
	out = mmt_cli_run(&status, NULL, "vma", pidstr, "--map", NULL);
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, mmt_maps_load(self->pid, &m, false));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char size[16], unit[8];
		bool starts = false, ends = false;

		if (strstr(line, "~ hole "))
			holes++;
		if (sscanf(line, "%llx-%llx %15s %7s %d VMAs |", &s, &e, size, unit, &n) != 5)
			continue;
		bars++;
		vmas += n;
		for (i = 0; i < m.n; i++) {
			starts |= m.v[i].start == s;
			ends |= m.v[i].end == e;
		}
		EXPECT_TRUE(starts && ends) TH_LOG("bar %llx-%llx: no VMA of maps there", s, e);
	}
	for (i = n = 0; i < m.n; i++)
		n += !mmt_vma_named(&m.v[i], "[vsyscall]");
	EXPECT_EQ(n, vmas);
	EXPECT_GT(bars, 0);
	EXPECT_EQ(bars - 1, holes);
	mmt_maps_free(&m);
	free(out);
}

#define MANY_VMAS 10000
#define SPARSE_BYTES (64ULL << 30)
/* The bound for the pages of these two processes. */
#define MAX_PAGE_BYTES (10UL << 20)

/* 10 000 VMAs (alternate protections: none merge), 64 GiB reserved sparse. */
static void setup_big(void *data)
{
	char *many, *sparse;
	unsigned long i;

	many = mmap(NULL, MANY_VMAS * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	sparse = mmap(NULL, SPARSE_BYTES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (many == MAP_FAILED || sparse == MAP_FAILED)
		_exit(97);
	for (i = 0; i < MANY_VMAS; i += 2)
		mprotect(many + i * PG, PG, PROT_READ | PROT_WRITE);
	/* one page per GiB touched: a table at every level per GiB */
	for (i = 0; i < SPARSE_BYTES; i += 1UL << 30)
		sparse[i] = 1;
}

/*
 * The page of a 10 000-VMA, 64 GiB sparse process stays under 10 MB and
 * lists every VMA of maps.
 */
TEST(big_process_page_size)
{
	char pidstr[16], *out, *html, *data;
	struct mmt_json *doc, *vmas;
	struct mmt_maps m;
	size_t len = 0;
	int status;
	pid_t pid;

	pid = mmt_park(setup_big, NULL, 0);
	ASSERT_GT(pid, 0);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	out = mmt_cli_run(&status, NULL, "report", "-p", pidstr, "-o", HTML, NULL);
	free(out);
	ASSERT_EQ(0, status);
	html = mmt_read_file(HTML, &len);
	ASSERT_NE(NULL, html);
	EXPECT_LT(len, MAX_PAGE_BYTES);
	data = data_of(html);
	doc = mmt_json_parse(data);
	ASSERT_NE(NULL, doc);
	vmas = mmt_jget(mmt_jget(mmt_jget(doc, "processes")->kids[0], "vma"), "vmas");
	ASSERT_EQ(0, mmt_maps_load(pid, &m, false));
	/* maps also lists [vsyscall], which is no VMA of the mm */
	EXPECT_EQ(m.n - (mmt_maps_has(&m, 0xffffffffff600000ULL) ? 1 : 0), vmas->n);
	EXPECT_GT(vmas->n, MANY_VMAS);
	ksft_print_msg("page of %d VMAs: %zu bytes\n", vmas->n, len);
	mmt_maps_free(&m);
	mmt_json_free(doc);
	free(data);
	free(html);
	mmt_reap(pid);
}

/* ---- report --faults ------------------------------------------------------ */

/*
 * The workload (this program, `report fault-workload OUT`): NFAULT pages
 * written in one region (anon) and NFAULT read in another (zero), each
 * region with a page below it touched first (its anon_vma and page table
 * made outside the count), no THP.  OUT gets per region its start and the
 * minflt of getrusage() around the loop: the kernel's own count.
 */
static int fault_workload(const char *out)
{
	struct rusage r0, r1;
	volatile char sink = 0;
	long dmin[2];
	char *reg[2];
	FILE *f;
	int k, i;

	for (k = 0; k < 2; k++) {
		char *p = mmap(NULL, (NFAULT + 1) * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 3;
		madvise(p, (NFAULT + 1) * PG, MADV_NOHUGEPAGE);
		p[0] = 1;
		reg[k] = p + PG;
	}
	f = fopen(out, "w");
	if (!f)
		return 3;
	/* r0 and r1 written before: a fault on getrusage()'s copy-out is not
	 * in the figures it copies, so it would count in the next window */
	memset(&r0, 0, sizeof(r0));
	memset(&r1, 0, sizeof(r1));
	for (k = 0; k < 2; k++) {
		getrusage(RUSAGE_SELF, &r0);
		for (i = 0; i < NFAULT; i++) {
			if (k == 0)
				reg[k][i * PG] = 1;
			else
				sink += reg[k][i * PG];
		}
		getrusage(RUSAGE_SELF, &r1);
		dmin[k] = r1.ru_minflt - r0.ru_minflt;
	}
	for (k = 0; k < 2; k++)
		fprintf(f, "%lx %ld\n", (unsigned long)reg[k], dmin[k]);
	return fclose(f) ? 3 : sink;
}

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

/*
 * report -p CHILD --faults S [--faults-max M] -o FILE -- workload: the
 * page's data (NULL on failure), the workload's regions and counts.
 */
static struct mmt_json *faults_report(struct __test_metadata *_metadata,
				      pid_t pid, const char *max,
				      unsigned long reg[2], long dmin[2],
				      unsigned long long *vm_delta)
{
	char out[] = "/tmp/mmscope-report-wl-XXXXXX", pidstr[16], *html, *data;
	const char *args[16];
	unsigned long long v0;
	struct mmt_json *doc;
	char *err = NULL, *buf;
	int i = 0, status, fd;
	FILE *f;

	fd = mkstemp(out);
	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	args[i++] = "report";
	args[i++] = "-p";
	args[i++] = pidstr;
	/* A bound only: the trace ends when the workload does. */
	args[i++] = "--faults";
	args[i++] = "600";
	if (max) {
		args[i++] = "--faults-max";
		args[i++] = max;
	}
	args[i++] = "-o";
	args[i++] = HTML_FAULTS;
	args[i++] = "--";
	args[i++] = self_exe();
	args[i++] = "fault-workload";
	args[i++] = out;
	args[i] = NULL;
	unlink(HTML_FAULTS);
	v0 = mmt_vmstat("pgfault");
	buf = mmt_cli_runv(args, &status, &err);
	*vm_delta = mmt_vmstat("pgfault") - v0;
	free(buf);
	EXPECT_EQ(0, status) TH_LOG("report --faults: %s", err ?: "");
	free(err);
	f = fopen(out, "r");
	if (!f || fscanf(f, "%lx %ld %lx %ld", &reg[0], &dmin[0], &reg[1],
			 &dmin[1]) != 4) {
		if (f)
			fclose(f);
		unlink(out);
		return NULL;
	}
	fclose(f);
	unlink(out);
	html = mmt_read_file(HTML_FAULTS, NULL);
	data = html ? data_of(html) : NULL;
	doc = data ? mmt_json_parse(data) : NULL;
	free(data);
	free(html);
	return doc;
}

/*
 * The events embedded per class in each region are N, the count the
 * workload's getrusage() saw there (each page faulted once: no fault
 * around for anonymous memory, no THP); /proc/vmstat pgfault grew by at
 * least as much.  The page is the one the host opens in a browser.
 */
TEST_F(report, faults_by_class)
{
	static const char *const want[2] = { "anon", "zero" };
	unsigned long reg[2];
	unsigned long long vm;
	long dmin[2];
	int in[2] = { 0 }, cls[2] = { 0 }, i, k;
	struct mmt_json *doc, *f, *ev, *sum;

	doc = faults_report(_metadata, self->pid, NULL, reg, dmin, &vm);
	ASSERT_NE(NULL, doc) TH_LOG("no page, or the workload wrote no counts");
	f = mmt_jget(doc, "faults");
	ASSERT_NE(NULL, f) TH_LOG("the page has no faults");
	ev = mmt_jget(f, "events");
	sum = mmt_jget(mmt_jget(f, "summary"), "summary");
	ASSERT_NE(NULL, ev);
	ASSERT_NE(NULL, sum);
	for (i = 0; i < ev->n; i++) {
		unsigned long long a = mmt_jhex(mmt_jget(ev->kids[i], "addr"));
		const char *c = mmt_jstr(mmt_jget(ev->kids[i], "class")) ?: "";

		for (k = 0; k < 2; k++) {
			if (a < reg[k] || a >= reg[k] + NFAULT * PG)
				continue;
			in[k]++;
			cls[k] += !strcmp(c, want[k]);
		}
	}
	for (k = 0; k < 2; k++) {
		/* the kernel's count: each page faulted once */
		EXPECT_EQ(NFAULT, dmin[k]) TH_LOG("%s: getrusage minflt", want[k]);
		EXPECT_EQ(dmin[k], in[k]) TH_LOG("%s: events in the region", want[k]);
		EXPECT_EQ(NFAULT, cls[k]) TH_LOG("%s: events of that class", want[k]);
	}
	/* everything traced is in the page (far below the cap) */
	EXPECT_EQ(0, mmt_jnum(mmt_jget(f, "dropped")));
	EXPECT_EQ(mmt_jnum(mmt_jget(sum, "events")), (unsigned long long)ev->n);
	EXPECT_EQ(0, mmt_jnum(mmt_jget(mmt_jget(sum, "child"), "status")));
	/* pgfault counts every task: at least the workload's faults */
	EXPECT_GE(vm, (unsigned long long)(dmin[0] + dmin[1]));
	/* the parked child's views are in the same page */
	EXPECT_EQ(self->pid, (pid_t)mmt_jnum(mmt_jget(mmt_jget(doc, "processes")->kids[0], "pid")));
	mmt_json_free(doc);
	if (!access("/sys/kernel/realtime", F_OK)) {
		ksft_print_msg("PREEMPT_RT: the page is not printed for the host\n");
	} else if (!mmt_sh("gzip -9 -c " HTML_FAULTS " > " HTML_FAULTS ".gz")) {
		size_t len = 0;
		char *gz = mmt_read_file(HTML_FAULTS ".gz", &len);

		if (gz)
			print_base64(gz, len);
		free(gz);
	}
}

/*
 * --faults-max M: M events in the page, the others counted as dropped;
 * traced are at least the 2 N the workload's getrusage() counted.
 */
TEST_F(report, faults_cap)
{
	unsigned long reg[2];
	unsigned long long vm, events;
	long dmin[2];
	struct mmt_json *doc, *f, *sum;

	doc = faults_report(_metadata, self->pid, "5", reg, dmin, &vm);
	ASSERT_NE(NULL, doc);
	f = mmt_jget(doc, "faults");
	ASSERT_NE(NULL, f);
	sum = mmt_jget(mmt_jget(f, "summary"), "summary");
	ASSERT_NE(NULL, sum);
	events = mmt_jnum(mmt_jget(sum, "events"));
	EXPECT_GE(events, (unsigned long long)(dmin[0] + dmin[1]));
	EXPECT_EQ(5, mmt_jget(f, "events")->n);
	EXPECT_EQ(5, mmt_jnum(mmt_jget(f, "kept")));
	EXPECT_EQ(events - 5, mmt_jnum(mmt_jget(f, "dropped")));
	mmt_json_free(doc);
}

/* Bad input: a usage error, and no file. */
TEST(bad_input)
{
	int status;
	char *out;

	out = mmt_cli_run(&status, NULL, "report", "-p", "1", NULL);
	EXPECT_EQ(2, status);
	free(out);
	out = mmt_cli_run(&status, NULL, "report", "-p", "x", "-o", HTML, NULL);
	EXPECT_EQ(2, status);
	free(out);
	out = mmt_cli_run(&status, NULL, "report", "--from", "/proc/self/maps",
			  "-o", HTML, NULL);
	EXPECT_EQ(1, status);
	free(out);
	/* --faults: 1 s at least; a command only with it */
	out = mmt_cli_run(&status, NULL, "report", "--faults", "0", "-o", HTML, NULL);
	EXPECT_EQ(2, status);
	free(out);
	out = mmt_cli_run(&status, NULL, "report", "-o", HTML, "--", "true", NULL);
	EXPECT_EQ(2, status);
	free(out);
	out = mmt_cli_run(&status, NULL, "report", "--faults", "1", "-o", HTML,
			  "--", "/nonexistent", NULL);
	EXPECT_EQ(1, status);
	free(out);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fault-workload"))
		return fault_workload(argv[2]);
	return test_harness_run(argc, argv);
}
