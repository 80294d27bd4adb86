// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope pt / translate against the kernel's own oracles: every present
 * page's PFN against /proc/PID/pagemap, present totals against smaps_rollup
 * Rss and AnonHugePages, page-table pages against VmPTE; translate against
 * pt and pagemap; copy-on-write after fork; hugetlb and >128 TiB mappings
 * when the machine has them.  Then the paths around the main one: what a
 * reader without CAP_SYS_ADMIN gets, --range (with cut THPs), a dump of
 * many 64 KiB chunks, the debugfs pt_raw file, and translate's answers to
 * unmapped, non-canonical and kernel addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG	4096UL
#define PMD_SZ	(2UL << 20)
#define TIB	(1UL << 40)

/* A varied address space in this process; the test inspects itself. */
struct space {
	char *dense, *sparse, *thp, *file, *shared, *remapped;
	size_t dense_len, thp_len;
};

static void build_space(struct space *s, bool sparse)
{
	int fd, i;
	char *p;

	s->dense_len = 8 << 20;
	s->dense = mmap(NULL, s->dense_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(s->dense, s->dense_len, MADV_NOHUGEPAGE);
	for (i = 0; i < (int)(s->dense_len / PG); i++)
		s->dense[i * PG] = i;
	mprotect(s->dense + (1 << 20), 1 << 20, PROT_READ);
	if (sparse) {
		s->sparse = mmap(NULL, TIB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
		madvise(s->sparse, TIB, MADV_NOHUGEPAGE);
		for (i = 0; i < 64; i++)
			s->sparse[(TIB / 64) * i + i * PG] = 1;
	}
	s->thp_len = 8 << 20;
	p = mmap(NULL, s->thp_len + PMD_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->thp = (char *)(((unsigned long)p + PMD_SZ - 1) & ~(PMD_SZ - 1));
	madvise(s->thp, s->thp_len, MADV_HUGEPAGE);
	memset(s->thp, 0x5a, s->thp_len);
	fd = open("/proc/self/exe", O_RDONLY);
	s->file = mmap(NULL, 64 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	for (i = 0; i < 16; i++)
		(void)*(volatile char *)(s->file + i * PG);
	s->shared = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(s->shared, 3, 1 << 20);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 4, 1 << 20);
	s->remapped = mremap(p, 1 << 20, 2 << 20, MREMAP_MAYMOVE);
	/* 2 MiB, half touched: khugepaged would collapse it under the test. */
	madvise(s->remapped, 2 << 20, MADV_NOHUGEPAGE);
}

static void setup_space_sparse(void *s)
{
	build_space(s, true);
}

static unsigned long level_size(const char *level)
{
	if (!strcmp(level, "pmd"))
		return PMD_SZ;
	if (!strcmp(level, "pud"))
		return 1UL << 30;
	return PG;
}

static bool has_flag(struct mmt_json *run, const char *flag)
{
	struct mmt_json *f = mmt_jget(run, "flags");
	int i;

	for (i = 0; f && i < f->n; i++)
		if (!strcmp(mmt_jstr(f->kids[i]), flag))
			return true;
	return false;
}

/*
 * Is the page at @va of @pid a PMD-sized transparent huge page, by the
 * kernel's own account: the PFN (pagemap) of its 2 MiB-aligned start is
 * the head of a THP (/proc/kpageflags KPF_THP, KPF_COMPOUND_HEAD) and
 * 512-page aligned.  Anonymous memory faulted in and never split is then
 * mapped by a PMD.
 */
static bool thp_mapped(pid_t pid, unsigned long va)
{
	uint64_t e = 0, flags = 0;
	int fd;

	if (mmt_pagemap(pid, va & ~(PMD_SZ - 1), &e) || !MMT_PM_PRESENT(e))
		return false;
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return false;
	if (pread(fd, &flags, sizeof(flags), MMT_PM_PFN(e) * 8) != sizeof(flags))
		flags = 0;
	close(fd);
	return (flags >> 22 & 1) && (flags >> 15 & 1) &&
	       !(MMT_PM_PFN(e) % (PMD_SZ / PG));
}

/* smaps_rollup "Key: N kB" */
static long long rollup_kb(pid_t pid, const char *key)
{
	char path[64], *buf, *p;
	long long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	buf = mmt_read_file(path, NULL);
	p = buf ? strstr(buf, key) : NULL;
	if (p && p[strlen(key)] == ':')
		v = strtoll(p + strlen(key) + 1, NULL, 10);
	free(buf);
	return v;
}

/* Is @va in a VM_PFNMAP mapping ([vvar]) that pagemap and smaps skip? */
static bool in_vvar(pid_t pid, unsigned long va)
{
	char path[64], *buf, *line;
	bool ret = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	buf = mmt_read_file(path, NULL);
	for (line = buf; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && va >= a && va < b) {
			ret = strstr(line, "[vvar") && strstr(line, "[vvar") < strchr(line, '\n');
			break;
		}
	}
	free(buf);
	return ret;
}

/*
 * The KiB of page-table pages a pt --json "tables" object counts (PUD, PMD
 * and PTE tables, and @extra more): what /proc/PID/status's VmPTE says.
 */
static long long tables_kb(const struct mmt_json *tables,
			   unsigned long long extra)
{
	return (long long)(mmt_jnum(mmt_jget(tables, "pud")) +
			   mmt_jnum(mmt_jget(tables, "pmd")) +
			   mmt_jnum(mmt_jget(tables, "pte")) + extra) * 4;
}

/*
 * Park a child made by @setup (its data in @data, @len bytes) and dump its
 * page tables: the pt --json document, its "runs" in *runsp, its pid in
 * *pidp.
 */
static struct mmt_json *park_pt(struct __test_metadata *_metadata,
				void (*setup)(void *data), void *data,
				size_t len, pid_t *pidp,
				struct mmt_json **runsp)
{
	struct mmt_json *doc;
	pid_t pid;

	pid = mmt_park(setup, data, len);
	*pidp = pid;
	ASSERT_GT(pid, 0);
	doc = mmt_cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, doc);
	*runsp = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, *runsp);
	return doc;
}

/*
 * The address space is built by a child that then sleeps: the test process
 * itself changes while it runs the CLI (fork breaks COW on its heap).
 */
TEST(pt_matches_pagemap_smaps_vmpte)
{
	struct mmt_json *doc, *runs, *tables;
	unsigned long long rss_pages = 0, thp_kb = 0, pages = 0, bad = 0;
	unsigned long long thp_leaves = 0;
	struct space s;
	long long vmpte;
	int i;
	pid_t pid;

	doc = park_pt(_metadata, setup_space_sparse, &s, sizeof(s), &pid, &runs);
	for (i = 0; i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];
		const char *kind = mmt_jstr(mmt_jget(r, "kind"));
		unsigned long start = mmt_jhex(mmt_jget(r, "start"));
		unsigned long end = mmt_jhex(mmt_jget(r, "end"));
		unsigned long size = level_size(mmt_jstr(mmt_jget(r, "level")));
		unsigned long long pfn = mmt_jnum(mmt_jget(r, "pfn"));
		unsigned long va;
		bool vvar;

		if (strcmp(kind, "present") && strcmp(kind, "protnone"))
			continue;
		vvar = in_vvar(pid, start);
		if (!has_flag(r, "special") && !vvar)
			rss_pages += (end - start) / PG;
		if (size == PMD_SZ && !has_flag(r, "hugetlb")) {
			thp_kb += (end - start) / 1024;
			thp_leaves += mmt_jnum(mmt_jget(r, "count"));
		}
		if (vvar)
			continue;
		for (va = start; va < end; va += PG) {
			uint64_t e;

			ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
			pages++;
			if (!MMT_PM_PRESENT(e) ||
			    MMT_PM_PFN(e) != pfn + (va - start) / PG) {
				if (bad++ < 10)
					ksft_print_msg("%#lx: pt pfn %#llx, pagemap %#llx\n",
						       va, pfn + (va - start) / PG,
						       (unsigned long long)e);
			}
		}
	}
	ksft_print_msg("%llu present pages checked against pagemap\n", pages);
	EXPECT_EQ(0, bad);
	EXPECT_GT(pages, s.dense_len / PG);
	/* The touched pages of the sparse 1 TiB reservation are all there. */
	for (i = 0; i < 64; i++) {
		uint64_t e;

		mmt_pagemap(pid, (unsigned long)s.sparse + (TIB / 64) * i + i * PG,
			    &e);
		EXPECT_TRUE(MMT_PM_PRESENT(e));
	}
	EXPECT_EQ(rollup_kb(pid, "Rss"), (long long)rss_pages * 4);
	EXPECT_EQ(rollup_kb(pid, "AnonHugePages") + rollup_kb(pid, "ShmemPmdMapped") +
		  rollup_kb(pid, "FilePmdMapped"), (long long)thp_kb);
	tables = mmt_jget(doc, "tables");
	vmpte = mmt_status_kb(pid, "VmPTE");
	/* A PMD-mapped anon THP keeps a deposited PTE table, counted too. */
	EXPECT_EQ(vmpte, tables_kb(tables, thp_leaves));
	EXPECT_EQ(1, mmt_jnum(mmt_jget(tables, "pgd")));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* translate @va of @pid; checks it against pagemap and returns the doc. */
static struct mmt_json *check_translate(struct __test_metadata *_metadata,
					pid_t pid, unsigned long va)
{
	struct mmt_json *doc, *pfn;
	char addr[32];
	uint64_t e;

	snprintf(addr, sizeof(addr), "%#lx", va);
	doc = mmt_cli_json(pid, "translate", addr);
	if (!doc)
		return NULL;
	EXPECT_EQ(0, mmt_pagemap(pid, va, &e));
	pfn = mmt_jget(doc, "pfn");
	if (MMT_PM_PRESENT(e)) {
		EXPECT_EQ(MMT_JNUM, pfn->type);
		EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(pfn));
		EXPECT_EQ(MMT_PM_PFN(e) * PG + (va & (PG - 1)),
			  mmt_jhex(mmt_jget(doc, "phys")));
	} else {
		EXPECT_EQ(MMT_JNULL, pfn->type);
	}
	return doc;
}

static void check_bytes(struct __test_metadata *_metadata,
			struct mmt_json *doc, const void *va)
{
	const char *hex = mmt_jstr(mmt_jget(doc, "bytes"));
	unsigned char want[16];
	char buf[40] = "0x";
	int i;

	memcpy(want, va, 16);
	for (i = 0; i < 16; i++)
		sprintf(buf + 2 + 2 * i, "%02x", want[i]);
	ASSERT_NE(NULL, hex);
	EXPECT_STREQ(buf, hex);
}

TEST(translate_matches_pagemap)
{
	struct space s;
	struct mmt_json *doc;
	pid_t pid = getpid();
	char *va;

	build_space(&s, true);
	strcpy(s.dense + 5 * PG + 100, "mmscope-translate");
	doc = check_translate(_metadata, pid, (unsigned long)s.dense + 5 * PG + 100);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("pte", mmt_jstr(mmt_jget(doc, "leaf")));
	check_bytes(_metadata, doc, s.dense + 5 * PG + 100);
	EXPECT_TRUE(mmt_jget(mmt_jget(doc, "page"), "anon")->boolean);

	va = s.thp + PMD_SZ + 3 * PG + 8;
	doc = check_translate(_metadata, pid, (unsigned long)va);
	ASSERT_NE(NULL, doc);
	/*
	 * The leaf is whatever the kernel's own AnonHugePages says: a PMD
	 * when the page is a THP (smaps), else a PTE (PREEMPT_RT has no THP,
	 * a fallback leaves 4 KiB pages).
	 */
	EXPECT_STREQ(thp_mapped(pid, (unsigned long)va) ? "pmd" : "pte",
		     mmt_jstr(mmt_jget(doc, "leaf")) ?: "(null)");
	check_bytes(_metadata, doc, va);

	doc = check_translate(_metadata, pid, (unsigned long)s.file + PG);
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(mmt_jget(mmt_jget(doc, "page"), "file")->boolean);
	doc = check_translate(_metadata, pid, (unsigned long)s.shared + 7 * PG);
	ASSERT_NE(NULL, doc);
	doc = check_translate(_metadata, pid, (unsigned long)s.remapped + PG);
	ASSERT_NE(NULL, doc);
	/* Untouched middle of the sparse reservation: stops at an empty entry. */
	doc = check_translate(_metadata, pid, (unsigned long)s.sparse + TIB / 2 + TIB / 128);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "leaf")->type);
	EXPECT_STREQ("none", mmt_jstr(mmt_jget(mmt_jget(doc, "stop"), "reason")));
}

static bool rw(struct mmt_json *doc)
{
	struct mmt_json *steps = mmt_jget(doc, "steps");

	return has_flag(steps->kids[steps->n - 1], "rw");
}

/*
 * The page was written, so its leaf is dirty: D, or since 6.6 on a
 * write-protected leaf the saved-dirty bit instead (Write=0,Dirty=1 would
 * be a shadow-stack page).
 */
static bool dirty(struct mmt_json *doc)
{
	struct mmt_json *steps = mmt_jget(doc, "steps"), *leaf;

	leaf = steps->kids[steps->n - 1];
	if (has_flag(leaf, "saved_dirty"))
		ksft_print_msg("write-protected dirty leaf: saved_dirty%s\n",
			       has_flag(leaf, "dirty") ? " and dirty" : "");
	return has_flag(leaf, "dirty") || has_flag(leaf, "saved_dirty");
}

TEST(cow_after_fork)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmt_json *a, *b;
	int pfd[2], cfd[2];
	pid_t child;
	char c;

	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "cow");
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pipe(cfd));
	child = fork();
	if (!child) {
		write(pfd[1], "r", 1);
		read(cfd[0], &c, 1);
		p[0] = 'C';		/* breaks COW in the child */
		write(pfd[1], "w", 1);
		read(cfd[0], &c, 1);
		_exit(0);
	}
	ASSERT_EQ(0, mmt_wait_ready(pfd[0]));
	a = check_translate(_metadata, getpid(), (unsigned long)p);
	b = check_translate(_metadata, child, (unsigned long)p);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(mmt_jnum(mmt_jget(a, "pfn")), mmt_jnum(mmt_jget(b, "pfn")));
	EXPECT_FALSE(rw(a));
	EXPECT_FALSE(rw(b));
	EXPECT_TRUE(dirty(a));
	EXPECT_EQ(2, mmt_jnum(mmt_jget(mmt_jget(a, "page"), "mapcount")));
	write(cfd[1], "x", 1);
	ASSERT_EQ(0, mmt_wait_ready(pfd[0]));
	b = check_translate(_metadata, child, (unsigned long)p);
	ASSERT_NE(NULL, b);
	EXPECT_NE(mmt_jnum(mmt_jget(a, "pfn")), mmt_jnum(mmt_jget(b, "pfn")));
	EXPECT_TRUE(rw(b));
	write(cfd[1], "x", 1);
	waitpid(child, NULL, 0);
}

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/*
 * A pool of 4 huge pages for the test; nr_hugepages as found is put back
 * by the teardown, which runs even when an ASSERT ended the test.
 */
FIXTURE(hpool) {
	char old[32];
};

FIXTURE_SETUP(hpool)
{
	char *v = mmt_read_file(NR_HUGEPAGES, NULL);

	ASSERT_NE(NULL, v) TH_LOG("no %s (kernel without hugetlb)", NR_HUGEPAGES);
	snprintf(self->old, sizeof(self->old), "%s", v);
	free(v);
	ASSERT_EQ(0, mmt_write_str(NR_HUGEPAGES, "4"));
}

FIXTURE_TEARDOWN(hpool)
{
	if (self->old[0])
		mmt_write_str(NR_HUGEPAGES, self->old);
}

TEST_F(hpool, hugetlb)
{
	struct mmt_json *doc;
	char *p;

	p = mmap(NULL, PMD_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("no 2 MiB hugetlb page could be reserved");
	memset(p, 7, PMD_SZ);
	doc = check_translate(_metadata, getpid(), (unsigned long)p + 12345);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("pmd", mmt_jstr(mmt_jget(doc, "leaf")));
	check_bytes(_metadata, doc, p + 12345);
	munmap(p, PMD_SZ);
}

TEST(above_128tib)
{
	struct mmt_json *doc;
	char *p;

	p = mmap((void *)(1UL << 50), PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	if ((unsigned long)p < (1UL << 47))
		SKIP(return, "4-level paging: no addresses above 128 TiB");
	strcpy(p, "high");
	doc = check_translate(_metadata, getpid(), (unsigned long)p);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("pte", mmt_jstr(mmt_jget(doc, "leaf")));
	EXPECT_EQ(5, mmt_jget(doc, "steps")->n);
	check_bytes(_metadata, doc, p);
}

/* ---- helpers of the tests below ----------------------------------------- */

#define USER_UID	1000

/* In a parked child: become the unprivileged test user, still traceable. */
static void become_user(void)
{
	if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
	    setresuid(USER_UID, USER_UID, USER_UID))
		_exit(99);
	/* A uid change makes a process non-dumpable and clears pdeathsig. */
	prctl(PR_SET_DUMPABLE, 1);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void setup_space(void *s)
{
	build_space(s, false);
}

static void setup_space_user(void *s)
{
	become_user();
	build_space(s, false);
}

/* A child that builds @s (without the 1 TiB reservation) and waits. */
static pid_t spawn_space(struct space *s, bool as_user)
{
	return mmt_park(as_user ? setup_space_user : setup_space, s, sizeof(*s));
}

/*
 * pagemap entries of [@start, @end) of @pid into @out (one per page), read
 * in one pass.  Returns 0 or -errno.
 */
static int pagemap_fd_range(int fd, unsigned long start, unsigned long end,
			    uint64_t *out)
{
	size_t len = (end - start) / PG * sizeof(*out), done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)out + done, len - done,
			  start / PG * sizeof(*out) + done);
		if (n <= 0)
			break;
		done += n;
	}
	return done == len ? 0 : -EIO;
}

static int pagemap_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return open(path, O_RDONLY);
}

/* Present pages pagemap shows in [@start, @end), inside VMAs of @m. */
static long pagemap_present(pid_t pid, const struct mmt_maps *m,
			    unsigned long start, unsigned long end)
{
	int i, fd = pagemap_open(pid);
	long present = 0;

	if (fd < 0)
		return -1;
	for (i = 0; i < m->n; i++) {
		unsigned long a = m->v[i].start > start ? m->v[i].start : start;
		unsigned long b = m->v[i].end < end ? m->v[i].end : end;
		unsigned long j;
		uint64_t *pm;

		if (a >= b)
			continue;
		pm = malloc((b - a) / PG * sizeof(*pm));
		if (!pm || pagemap_fd_range(fd, a, b, pm)) {
			free(pm);
			close(fd);
			return -1;
		}
		for (j = 0; j < (b - a) / PG; j++)
			present += MMT_PM_PRESENT(pm[j]);
		free(pm);
	}
	close(fd);
	return present;
}

/*
 * Present 4 KiB pages of the runs of a pt --json document inside @m, each
 * checked against pagemap: present, and (when @pfns) the same PFN.
 * Mismatches are counted in *@bad.
 */
static long pt_present_pages(struct mmt_json *doc, pid_t pid,
			     const struct mmt_maps *m, bool pfns, long *bad)
{
	struct mmt_json *runs = mmt_jget(doc, "runs");
	int i, fd = pagemap_open(pid);
	long pages = 0;

	for (i = 0; runs && fd >= 0 && i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];
		const char *kind = mmt_jstr(mmt_jget(r, "kind"));
		unsigned long start = mmt_jhex(mmt_jget(r, "start"));
		unsigned long end = mmt_jhex(mmt_jget(r, "end"));
		unsigned long long pfn = mmt_jnum(mmt_jget(r, "pfn"));
		unsigned long j, n = (end - start) / PG;
		uint64_t *pm;

		if ((strcmp(kind, "present") && strcmp(kind, "protnone")) ||
		    !mmt_maps_has(m, start))
			continue;
		pm = malloc(n * sizeof(*pm));
		if (!pm || pagemap_fd_range(fd, start, end, pm)) {
			(*bad)++;
			free(pm);
			continue;
		}
		for (j = 0; j < n; j++) {
			if (MMT_PM_PRESENT(pm[j]) &&
			    (!pfns || MMT_PM_PFN(pm[j]) == pfn + j))
				continue;
			if ((*bad)++ < 10)
				ksft_print_msg("%#lx: pt %s pfn %#llx, pagemap %#llx\n",
					       start + j * PG, kind, pfn + j,
					       (unsigned long long)pm[j]);
		}
		pages += n;
		free(pm);
	}
	if (fd < 0)
		(*bad)++;
	else
		close(fd);
	return pages;
}

/* Run the CLI as uid 1000 (no capabilities); its stdout. */
static char *run_as_user(char *const argv[], int *status)
{
	size_t len = 0, cap = 1 << 16;
	int fd[2], st;
	char *out;
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		return NULL;
	pid = fork();
	if (!pid) {
		close(fd[0]);
		if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(99);
		out = mmt_run(argv, &st, NULL);
		if (out)
			write(fd[1], out, strlen(out));
		_exit(st);
	}
	close(fd[1]);
	out = malloc(cap);
	while (out && (n = read(fd[0], out + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096)
			out = realloc(out, cap *= 2);
	}
	if (out)
		out[len] = '\0';
	close(fd[0]);
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return out;
}

/*
 * Without CAP_SYS_ADMIN: the same runs, kinds and counts, but every PFN
 * null, no raw entries, "hidden": true; present pages still agree with
 * pagemap's present bits.
 */
TEST(pt_unprivileged)
{
	char spid[16], *out;
	char *argv[] = { (char *)mmt_cli(), "pt", spid, "--json", NULL };
	char *raw_argv[] = { (char *)mmt_cli(), "pt", spid, "--raw", "--json",
			     NULL };
	struct mmt_json *doc, *runs, *root, *present;
	long bad = 0, pages, pm;
	struct space s;
	struct mmt_maps *m = malloc(sizeof(*m));
	int i, status;
	pid_t pid;

	pid = spawn_space(&s, true);
	ASSERT_LT(0, pid);
	snprintf(spid, sizeof(spid), "%d", pid);
	out = run_as_user(argv, &status);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, status) ksft_print_msg("%s", out);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(mmt_jget(doc, "hidden")->boolean);
	runs = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, runs);
	for (i = 0; i < runs->n; i++) {
		EXPECT_EQ(MMT_JNULL, mmt_jget(runs->kids[i], "pfn")->type);
		EXPECT_EQ(NULL, mmt_jget(runs->kids[i], "entry"));
	}
	ASSERT_EQ(0, mmt_maps_load(pid, m, true));
	pages = pt_present_pages(doc, pid, m, false, &bad);
	pm = pagemap_present(pid, m, 0, ~0UL);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pm, pages);
	EXPECT_GE(pages, (long)(s.dense_len / PG));
	/* Same totals as root sees. */
	root = mmt_cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, root);
	present = mmt_jget(root, "present");
	EXPECT_EQ(mmt_jnum(mmt_jget(present, "4k")),
		  mmt_jnum(mmt_jget(mmt_jget(doc, "present"), "4k")));
	EXPECT_EQ(mmt_jnum(mmt_jget(present, "2m")),
		  mmt_jnum(mmt_jget(mmt_jget(doc, "present"), "2m")));
	EXPECT_FALSE(mmt_jget(root, "hidden")->boolean);
	/* Raw mode: one run per entry, entries still hidden. */
	free(out);
	out = run_as_user(raw_argv, &status);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, status);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc);
	runs = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, runs);
	for (i = 0; i < runs->n; i++) {
		EXPECT_EQ(1, mmt_jnum(mmt_jget(runs->kids[i], "count")));
		EXPECT_EQ(NULL, mmt_jget(runs->kids[i], "entry"));
		EXPECT_EQ(MMT_JNULL, mmt_jget(runs->kids[i], "pfn")->type);
	}
	free(out);
	mmt_maps_free(m);
	free(m);
	mmt_reap(pid);
}

/*
 * --range START-END: only runs inside it, and its present pages are
 * pagemap's.  The range cuts through the middle of a run and spans the
 * three VMAs of the partly mprotect()ed dense region.
 */
static struct mmt_json *pt_range_json(pid_t pid, unsigned long start,
				      unsigned long end)
{
	char spid[16], range[64], *out;
	char *argv[] = { (char *)mmt_cli(), "pt", spid, "--range", range,
			 "--json", NULL };
	struct mmt_json *doc;
	int status;

	snprintf(spid, sizeof(spid), "%d", pid);
	snprintf(range, sizeof(range), "%#lx-%#lx", start, end);
	out = mmt_run(argv, &status, NULL);
	doc = out && !status ? mmt_json_parse(out) : NULL;
	free(out);
	return doc;
}

/*
 * Runs of a --range dump: inside the range, and every page of them present
 * in pagemap with the same PFN; their pages are all pagemap's present
 * pages of the range.  Returns the number of runs.
 */
static int check_range(struct __test_metadata *_metadata, pid_t pid,
		       const struct mmt_maps *m, unsigned long start,
		       unsigned long end)
{
	struct mmt_json *doc = pt_range_json(pid, start, end), *runs;
	long bad = 0, pages;
	int i;

	ASSERT_NE(NULL, doc) return 0;
	runs = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, runs) return 0;
	for (i = 0; i < runs->n; i++) {
		EXPECT_GE(mmt_jhex(mmt_jget(runs->kids[i], "start")), start);
		EXPECT_LE(mmt_jhex(mmt_jget(runs->kids[i], "end")), end);
	}
	pages = pt_present_pages(doc, pid, m, true, &bad);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pagemap_present(pid, m, start, end), pages);
	return runs->n;
}

/*
 * --range START-END: only runs inside it, and its present pages are
 * pagemap's, PFN for PFN.  One range spans the three VMAs of the partly
 * mprotect()ed dense region and cuts runs; one cuts through two THPs, whose
 * cut PMD leaves must give the PFN of their first page inside the range.
 */
TEST(pt_range)
{
	struct mmt_maps *m = malloc(sizeof(*m));
	unsigned long start, end;
	struct space s;
	pid_t pid;

	pid = spawn_space(&s, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mmt_maps_load(pid, m, true));
	start = (unsigned long)s.dense + 3 * PG;
	end = (unsigned long)s.dense + (3 << 20) + 5 * PG;
	EXPECT_GE(check_range(_metadata, pid, m, start, end), 3);
	start = (unsigned long)s.thp + PMD_SZ / 2 + 3 * PG;
	end = (unsigned long)s.thp + 2 * PMD_SZ - 7 * PG;
	EXPECT_GE(check_range(_metadata, pid, m, start, end), 1);
	mmt_maps_free(m);
	free(m);
	mmt_reap(pid);
}

/*
 * More records than one 64 KiB chunk: 20000 one-page VMAs of alternating
 * protection, each with its page touched, so no two fold into one run.
 * The dump resumes chunk after chunk; every page is there once, with its
 * pagemap PFN, and the table count still equals VmPTE.
 */
FIXTURE(chunk) {
};

FIXTURE_SETUP(chunk)
{
}

FIXTURE_TEARDOWN(chunk)
{
}

#define CHUNK_VMAS	20000L

/* CHUNK_VMAS touched pages, every other one read-only: as many VMAs. */
static void setup_chunk(void *data)
{
	char *p = mmap(NULL, CHUNK_VMAS * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, CHUNK_VMAS * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < CHUNK_VMAS; i++)
		p[i * PG] = 1;
	for (i = 1; i < CHUNK_VMAS; i += 2)
		mprotect(p + i * PG, PG, PROT_READ);
	*(char **)data = p;
}

/*
 * Present pages of @pid's VMAs (@m) that map the shared zero page (a read
 * of untouched anonymous memory): /proc/kpageflags KPF_ZERO_PAGE (bit 24).
 * pagemap shows them present; smaps Rss, which counts only
 * vm_normal_page()s, does not.  -1 on error.
 */
static long zero_pages(pid_t pid, const struct mmt_maps *m)
{
	int i, fd = pagemap_open(pid), kf = open("/proc/kpageflags", O_RDONLY);
	long zero = 0;

	for (i = 0; fd >= 0 && kf >= 0 && i < m->n && zero >= 0; i++) {
		unsigned long a = m->v[i].start, b = m->v[i].end, j;
		uint64_t *pm = malloc((b - a) / PG * sizeof(*pm)), fl;

		if (!pm || pagemap_fd_range(fd, a, b, pm))
			zero = -1;
		for (j = 0; zero >= 0 && j < (b - a) / PG; j++) {
			if (!MMT_PM_PRESENT(pm[j]))
				continue;
			if (pread(kf, &fl, sizeof(fl),
				  MMT_PM_PFN(pm[j]) * sizeof(fl)) != sizeof(fl))
				zero = -1;
			else
				zero += fl >> 24 & 1;
		}
		free(pm);
	}
	if (fd < 0 || kf < 0)
		zero = -1;
	if (fd >= 0)
		close(fd);
	if (kf >= 0)
		close(kf);
	return zero;
}

/* 20000 mprotect()s and as many runs checked: minutes under TCG and KASAN. */
TEST_F_TIMEOUT(chunk, pt_chunk_resume, 900)
{
	const long nvmas = CHUNK_VMAS;
	struct mmt_json *doc, *runs, *tables;
	long i, bad = 0, inside = 0, pages, zero;
	struct mmt_maps *m = malloc(sizeof(*m));
	char *p;
	pid_t pid;

	doc = park_pt(_metadata, setup_chunk, &p, sizeof(p), &pid, &runs);
	/* 72-byte records: well past one chunk. */
	EXPECT_GT(runs->n, nvmas);
	for (i = 0; i < runs->n; i++) {
		unsigned long start = mmt_jhex(mmt_jget(runs->kids[i], "start"));

		if (start >= (unsigned long)p &&
		    start < (unsigned long)p + nvmas * PG) {
			EXPECT_EQ(PG, mmt_jhex(mmt_jget(runs->kids[i], "end")) - start);
			inside++;
		}
		if (i)
			EXPECT_LE(mmt_jhex(mmt_jget(runs->kids[i - 1], "end")), start);
	}
	EXPECT_EQ(nvmas, inside);
	ASSERT_EQ(0, mmt_maps_load(pid, m, true));
	EXPECT_GT(m->n, nvmas);
	pages = pt_present_pages(doc, pid, m, true, &bad);
	EXPECT_EQ(0, bad);
	EXPECT_GE(pages, nvmas);
	EXPECT_EQ(nvmas, pagemap_present(pid, m, (unsigned long)p,
					 (unsigned long)p + nvmas * PG));
	zero = zero_pages(pid, m);
	ASSERT_LE(0, zero);
	ksft_print_msg("%ld present pages, %ld of them the zero page\n", pages,
		       zero);
	EXPECT_EQ(rollup_kb(pid, "Rss"), (pages - zero) * 4);
	tables = mmt_jget(doc, "tables");
	EXPECT_EQ(mmt_status_kb(pid, "VmPTE"), tables_kb(tables, 0));
	mmt_maps_free(m);
	free(m);
	mmt_reap(pid);
}

/*
 * debugfs pt_raw: one line per populated entry.  For a quiet process the
 * present 4 KiB lines plus 512 per 2 MiB line are pagemap's present pages,
 * and each raw entry holds the PFN pagemap reports.
 */
TEST(pt_raw_debugfs)
{
	struct mmt_maps *m = malloc(sizeof(*m));
	char *text, *line, spid[16];
	long pte = 0, pmd = 0, bad = 0, pm;
	struct space s;
	int fd;
	pid_t pid;

	pid = spawn_space(&s, false);
	ASSERT_LT(0, pid);
	snprintf(spid, sizeof(spid), "%d", pid);
	fd = open("/sys/module/mmscope/parameters/pid", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(spid), write(fd, spid, strlen(spid)));
	close(fd);
	text = mmt_read_file("/sys/kernel/debug/mmscope/pt_raw", NULL);
	ASSERT_NE(NULL, text);
	ASSERT_NE(NULL, strstr(text, "# columns:"));
	ASSERT_EQ(0, mmt_maps_load(pid, m, true));
	for (line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned long long start, end, count, pfn, raw;
		char level[8], kind[32], *r;
		uint64_t e;

		if (sscanf(line, "0x%llx-0x%llx %7s %llu %31s pfn %llx",
			   &start, &end, level, &count, kind, &pfn) != 6 ||
		    !mmt_maps_has(m, start))
			continue;
		EXPECT_EQ(1, count);
		r = strstr(line, " raw ");
		if (!r || r > strchr(line, '\n') ||
		    sscanf(r, " raw %llx", &raw) != 1) {
			bad++;
			continue;
		}
		if (!strcmp(level, "pte")) {
			pte++;
			ASSERT_EQ(0, mmt_pagemap(pid, start, &e));
			if (!MMT_PM_PRESENT(e) || MMT_PM_PFN(e) != pfn ||
			    ((raw >> 12) & ((1ULL << 40) - 1)) != pfn)
				bad++;
		} else if (!strcmp(level, "pmd")) {
			pmd++;
		}
	}
	pm = pagemap_present(pid, m, 0, ~0UL);
	ksft_print_msg("pt_raw: %ld 4 KiB lines, %ld 2 MiB lines; pagemap: %ld present\n",
		       pte, pmd, pm);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pm, pte + 512 * pmd);
	free(text);
	mmt_maps_free(m);
	free(m);
	mmt_reap(pid);
}

/* translate ADDR: where an unmapped address stops, and bad addresses. */
TEST(translate_bad_input)
{
	unsigned long slot512 = 512UL << 30, gib = 1UL << 30, va, p512;
	struct mmt_json *doc, *stop;
	char spid[16], addr[32], *out, *err;
	char *argv[] = { (char *)mmt_cli(), "translate", spid, addr, NULL };
	struct {
		unsigned long va;
		const char *level;
	} cases[4];
	char *res, *hole;
	int i, status;

	res = mmap(NULL, TIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	madvise(res, TIB, MADV_NOHUGEPAGE);
	/* A 512 GiB slot wholly inside the reservation: nothing below it. */
	p512 = ((unsigned long)res + slot512 - 1) & ~(slot512 - 1);
	va = p512 + 3 * gib + 5 * PMD_SZ;
	*(volatile char *)va = 1;
	cases[0].va = va + PG;			/* same PTE table */
	cases[0].level = "pte";
	cases[1].va = va + 7 * PMD_SZ;		/* same PMD table */
	cases[1].level = "pmd";
	cases[2].va = va + 100 * gib;		/* same PUD table */
	cases[2].level = "pud";
	/* The other half of the reservation: an empty p4d (or pgd) entry. */
	cases[3].va = p512 == (unsigned long)res ? p512 + slot512 + PG :
			(unsigned long)res + PG;
	cases[3].level = "p4d";
	if ((cases[3].va & ~(slot512 - 1)) == (p512 & ~(slot512 - 1)))
		cases[3].va = p512 + slot512 + PG;
	for (i = 0; i < 4; i++) {
		uint64_t e;

		if (cases[i].va >= (unsigned long)res + TIB) {
			ksft_print_msg("case %d outside the reservation\n", i);
			continue;
		}
		snprintf(addr, sizeof(addr), "%#lx", cases[i].va);
		doc = mmt_cli_json(getpid(), "translate", addr);
		ASSERT_NE(NULL, doc);
		EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "leaf")->type);
		EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "pfn")->type);
		stop = mmt_jget(doc, "stop");
		EXPECT_STREQ("none", mmt_jstr(mmt_jget(stop, "reason")));
		EXPECT_STREQ(cases[i].level, mmt_jstr(mmt_jget(stop, "level")))
			ksft_print_msg("%s stopped at %s\n", addr,
				       mmt_jstr(mmt_jget(stop, "level")));
		ASSERT_EQ(0, mmt_pagemap(getpid(), cases[i].va, &e));
		EXPECT_FALSE(MMT_PM_PRESENT(e));
	}
	/* Not in any VMA. */
	hole = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole + PG, PG);
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)hole + PG);
	doc = mmt_cli_json(getpid(), "translate", addr);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("no_vma", mmt_jstr(mmt_jget(mmt_jget(doc, "stop"), "reason")));
	EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "leaf")->type);
	/* Non-canonical with either paging mode: a usage error. */
	snprintf(spid, sizeof(spid), "%d", getpid());
	strcpy(addr, "0x8000000000000000");
	out = mmt_run(argv, &status, &err);
	EXPECT_EQ(2, status);
	EXPECT_NE(NULL, strstr(err, "non-canonical")) ksft_print_msg("%s", err);
	free(out);
	free(err);
	/* Canonical but a kernel address, above TASK_SIZE: a clear error. */
	strcpy(addr, "0xffff888000000000");
	out = mmt_run(argv, &status, &err);
	EXPECT_EQ(1, status);
	EXPECT_NE(NULL, strstr(err, "TASK_SIZE")) ksft_print_msg("%s", err);
	free(out);
	free(err);
	munmap(res, TIB);
}

/* ---- entry kinds: pt, translate and pagemap agree ---------------------- */

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define PM_SWP_TYPE(e)		((e) & 0x1f)
#define PM_SWP_OFFSET(e)	(((e) >> 5) & ((1ULL << 50) - 1))

/*
 * @va of @pid: the pt run covering it (from @pt) and translate agree on
 * level, kind and PFN (or swap type and offset), and both agree with
 * pagemap: present (PROT_NONE included) with that PFN, or a swap entry
 * with that type and offset.  @kind, if set, is the kind expected.
 */
static void check_kind(struct __test_metadata *_metadata, pid_t pid,
		       struct mmt_json *pt, unsigned long va, const char *kind)
{
	struct mmt_json *run = mmt_pt_run_at(pt, va), *x, *stop, *steps, *swap;
	const char *rkind, *level;
	unsigned long start, i;
	uint64_t e;

	ASSERT_NE(NULL, run) ksft_print_msg("%#lx: no pt run\n", va);
	rkind = mmt_jstr(mmt_jget(run, "kind"));
	level = mmt_jstr(mmt_jget(run, "level"));
	start = mmt_jhex(mmt_jget(run, "start"));
	i = (va - start) / PG;		/* the 4 KiB page's index in the run */
	if (kind)
		EXPECT_STREQ(kind, rkind) ksft_print_msg("%#lx\n", va);
	x = check_translate(_metadata, pid, va);
	ASSERT_NE(NULL, x);
	stop = mmt_jget(x, "stop");
	EXPECT_STREQ(rkind, mmt_jstr(mmt_jget(stop, "kind")))
		ksft_print_msg("%#lx\n", va);
	EXPECT_STREQ(level, mmt_jstr(mmt_jget(stop, "level")));
	ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
	if (!strcmp(rkind, "present") || !strcmp(rkind, "protnone")) {
		EXPECT_STREQ(level, mmt_jstr(mmt_jget(x, "leaf")));
		EXPECT_EQ(mmt_jnum(mmt_jget(run, "pfn")) + i,
			  mmt_jnum(mmt_jget(x, "pfn")));
		/* pagemap counts PROT_NONE entries as present, with PFN. */
		EXPECT_TRUE(MMT_PM_PRESENT(e));
		EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(mmt_jget(run, "pfn")) + i);
		return;
	}
	/* Swap-like: the last step holds the entry. */
	steps = mmt_jget(x, "steps");
	ASSERT_NE(NULL, steps);
	ASSERT_LT(0, steps->n);
	swap = mmt_jget(steps->kids[steps->n - 1], "swap");
	ASSERT_NE(NULL, swap);
	EXPECT_EQ(MMT_JNULL, mmt_jget(x, "leaf")->type);
	EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(run, "swap"), "type")),
		  mmt_jnum(mmt_jget(swap, "type")));
	/* Markers fold with equal offsets (their bits), the others count up. */
	if (!strcmp(rkind, "marker") || !strcmp(rkind, "bad"))
		i = 0;
	EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(run, "swap"), "offset")) + i,
		  mmt_jnum(mmt_jget(swap, "offset")));
	EXPECT_FALSE(MMT_PM_PRESENT(e));
	EXPECT_TRUE(MMT_PM_SWAP(e));
	EXPECT_EQ(PM_SWP_TYPE(e), mmt_jnum(mmt_jget(swap, "type")));
	EXPECT_EQ(PM_SWP_OFFSET(e), mmt_jnum(mmt_jget(swap, "offset")));
}

/* First, middle and last page of [@p, @p + @len). */
static void check_region(struct __test_metadata *_metadata, pid_t pid,
			 struct mmt_json *pt, const char *what, void *p,
			 size_t len, const char *kind)
{
	unsigned long va = (unsigned long)p;

	ksft_print_msg("%s at %p: %s\n", what, p, mmt_jstr(mmt_jget(mmt_pt_run_at(pt, va), "kind")));
	check_kind(_metadata, pid, pt, va, kind);
	check_kind(_metadata, pid, pt, va + (len / 2 & ~(PG - 1)), kind);
	check_kind(_metadata, pid, pt, va + len - PG, kind);
}

/* A file for MAP_SHARED: on the block-backed scratch fs if any. */
static int shared_file(size_t len)
{
	const char *dir = getenv("MMSCOPE_SCRATCH");
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/mmscope-pt-XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

struct kinds {
	char *anon, *thp, *protnone, *fshared, *fprivate, *hshared;
	size_t hshared_len;
};

static void setup_kinds(void *data)
{
	struct kinds *k = data;
	char *p;
	int f;

	memset(k, 0, sizeof(*k));
	k->anon = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(k->anon, 64 * PG, MADV_NOHUGEPAGE);
	memset(k->anon, 1, 64 * PG);
	p = mmap(NULL, 2 * PMD_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	k->thp = (char *)(((unsigned long)p + PMD_SZ - 1) & ~(PMD_SZ - 1));
	madvise(k->thp, PMD_SZ, MADV_HUGEPAGE);
	memset(k->thp, 2, PMD_SZ);
	k->protnone = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(k->protnone, 16 * PG, MADV_NOHUGEPAGE);
	memset(k->protnone, 3, 16 * PG);
	mprotect(k->protnone, 16 * PG, PROT_NONE);
	f = shared_file(16 * PG);
	k->fshared = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED, f, 0);
	if (k->fshared != MAP_FAILED)
		memset(k->fshared, 4, 16 * PG);
	else
		k->fshared = NULL;
	f = open("/proc/self/exe", O_RDONLY);
	k->fprivate = mmap(NULL, 16 * PG, PROT_READ, MAP_PRIVATE, f, 0);
	for (f = 0; f < 16; f++)
		(void)*(volatile char *)(k->fprivate + f * PG);
	k->hshared_len = 2 * PMD_SZ;
	k->hshared = mmap(NULL, k->hshared_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (k->hshared == MAP_FAILED) {
		k->hshared_len = PMD_SZ;
		k->hshared = mmap(NULL, PMD_SZ, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB,
				 -1, 0);
	}
	if (k->hshared != MAP_FAILED)
		memset(k->hshared, 5, k->hshared_len);
	else
		k->hshared = NULL;
}

/*
 * Each kind of present entry in a child that then sleeps: anon, THP,
 * PROT_NONE after touching, MAP_SHARED and MAP_PRIVATE file pages, and a
 * shared hugetlb mapping (whose PMD tables may be shared) when a huge page
 * can be reserved.
 */
TEST_F(hpool, kinds_pt_translate_pagemap)
{
	struct mmt_json *pt;
	struct kinds k;
	pid_t pid;

	pid = mmt_park(setup_kinds, &k, sizeof(k));
	ASSERT_GT(pid, 0);
	pt = mmt_cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, pt);
	check_region(_metadata, pid, pt, "anon", k.anon, 64 * PG, "present");
	check_region(_metadata, pid, pt, "THP", k.thp, PMD_SZ, "present");
	check_region(_metadata, pid, pt, "PROT_NONE", k.protnone, 16 * PG,
		     "protnone");
	check_region(_metadata, pid, pt, "MAP_PRIVATE file", k.fprivate,
		     16 * PG, "present");
	if (k.fshared)
		check_region(_metadata, pid, pt, "MAP_SHARED file", k.fshared,
			     16 * PG, "present");
	else
		ksft_print_msg("no MAP_SHARED file mapping: %s\n",
			       "no writable file system");
	EXPECT_NE(NULL, k.fshared);
	if (k.hshared)
		check_region(_metadata, pid, pt, "MAP_SHARED hugetlb",
			     k.hshared, k.hshared_len, "present");
	else
		ksft_print_msg("no shared hugetlb mapping: no 2 MiB page could be reserved\n");
	mmt_reap(pid);
}

FIXTURE(swap) {
	struct mmt_swapfile sw;
};

/*
 * A swap file on the VM's block-backed scratch file system (ext4 on a brd
 * RAM disk: tmpfs and ramfs cannot hold swap files), made and enabled with
 * busybox mkswap/swapon.
 */
FIXTURE_SETUP(swap)
{
	const char *dir = getenv("MMSCOPE_SCRATCH");

	/* The VM's scratch disk is part of the image: missing is a failure. */
	ASSERT_NE(NULL, dir) TH_LOG("no block-backed file system for a swap file (the VM's scratch.sh sets MMSCOPE_SCRATCH; tmpfs/ramfs cannot swap)");
	ASSERT_EQ(0, mmt_swapfile_on(&self->sw, dir, "mmscope-pt.swap"));
}

FIXTURE_TEARDOWN(swap)
{
	mmt_swapfile_off(&self->sw);
}

/*
 * As the test user: 64 pages of distinct bytes, paged out; NULL when the
 * kernel has no MADV_PAGEOUT.
 */
static void setup_swapped(void *data)
{
	char *p;
	int i;

	become_user();
	p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, 64 * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < 64; i++)
		memset(p + i * PG, i + 1, PG);
	if (madvise(p, 64 * PG, MADV_PAGEOUT))
		p = NULL;
	*(char **)data = p;
}

/*
 * Swap entries: a child (uid 1000) pages out anon memory with MADV_PAGEOUT.
 * For root, pt runs, translate and pagemap agree on swap type and offset;
 * for the child's own user, as in pagemap, pt and translate show the kind
 * but neither type nor offset.
 */
TEST_F(swap, swap_entries)
{
	char spid[16], addr[32], *out;
	char *pt_argv[] = { (char *)mmt_cli(), "pt", spid, "--json", NULL };
	char *x_argv[] = { (char *)mmt_cli(), "translate", spid, addr, "--json",
			   NULL };
	struct mmt_json *pt, *doc, *runs, *steps, *swap;
	unsigned long i, swapped = 0;
	int status;
	uint64_t e;
	char *p;
	pid_t pid;

	pid = mmt_park(setup_swapped, &p, sizeof(p));
	ASSERT_GT(pid, 0);
	if (!p) {
		mmt_reap(pid);
		SKIP(return, "MADV_PAGEOUT unsupported by this kernel");
	}
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, mmt_pagemap(pid, (unsigned long)p + i * PG, &e));
		swapped += MMT_PM_SWAP(e);
	}
	ksft_print_msg("%lu of 64 pages swapped out\n", swapped);
	ASSERT_LT(0, swapped);
	pt = mmt_cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, pt);
	for (i = 0; i < 64; i++) {
		unsigned long va = (unsigned long)p + i * PG;

		ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
		check_kind(_metadata, pid, pt, va,
			   MMT_PM_SWAP(e) ? "swap" : NULL);
	}
	/* The owner without CAP_SYS_ADMIN: kind yes, type and offset no. */
	snprintf(spid, sizeof(spid), "%d", pid);
	out = run_as_user(pt_argv, &status);
	ASSERT_EQ(0, status);
	doc = mmt_json_parse(out);
	free(out);
	ASSERT_NE(NULL, doc);
	runs = mmt_jget(doc, "runs");
	for (i = 0, swapped = 0; runs && i < (unsigned long)runs->n; i++) {
		swap = mmt_jget(runs->kids[i], "swap");
		if (swap->type != MMT_JOBJ)
			continue;
		swapped++;
		EXPECT_EQ(MMT_JNULL, mmt_jget(swap, "type")->type);
		EXPECT_EQ(MMT_JNULL, mmt_jget(swap, "offset")->type);
	}
	EXPECT_LT(0, swapped);
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, mmt_pagemap(pid, (unsigned long)p + i * PG, &e));
		if (MMT_PM_SWAP(e))
			break;
	}
	ASSERT_GT(64, i);
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)p + i * PG);
	out = run_as_user(x_argv, &status);
	ASSERT_EQ(0, status);
	doc = mmt_json_parse(out);
	free(out);
	ASSERT_NE(NULL, doc);
	steps = mmt_jget(doc, "steps");
	ASSERT_NE(NULL, steps);
	swap = mmt_jget(steps->kids[steps->n - 1], "swap");
	ASSERT_NE(NULL, swap);
	EXPECT_EQ(MMT_JNULL, mmt_jget(swap, "type")->type);
	EXPECT_EQ(MMT_JNULL, mmt_jget(swap, "offset")->type);
	EXPECT_STREQ("swap", mmt_jstr(mmt_jget(mmt_jget(doc, "stop"), "kind")));
	mmt_reap(pid);
}

/*
 * A poisoned PTE marker, which UFFDIO_POISON (v6.6+) installs: a marker
 * run flagged "poisoned", translate stopping at it, pagemap a swap-like
 * entry with the same type and offset.
 */
#define UFFD_API_		0xaaULL
#define UFFD_FEATURE_POISON_	(1ULL << 14)
#define UFFDIO_REGISTER_MODE_MISSING_	(1ULL << 0)
struct uffdio_api_ { uint64_t api, features, ioctls; };
struct uffdio_range_ { uint64_t start, len; };
struct uffdio_register_ { struct uffdio_range_ range; uint64_t mode, ioctls; };
struct uffdio_poison_ { struct uffdio_range_ range; uint64_t mode; int64_t updated; };
#define UFFDIO_API_		_IOWR(0xAA, 0x3F, struct uffdio_api_)
#define UFFDIO_REGISTER_	_IOWR(0xAA, 0x00, struct uffdio_register_)
#define UFFDIO_POISON_		_IOWR(0xAA, 0x08, struct uffdio_poison_)

TEST(poisoned_marker)
{
	struct uffdio_api_ api = { .api = UFFD_API_,
				   .features = UFFD_FEATURE_POISON_ };
	struct uffdio_register_ reg = { 0 };
	struct uffdio_poison_ poison = { 0 };
	struct mmt_json *pt, *run;
	int uffd;
	char *p;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	if (ioctl(uffd, UFFDIO_API_, &api)) {
		close(uffd);
		SKIP(return, "no UFFD_FEATURE_POISON (UFFDIO_POISON came in v6.6): %s",
		     strerror(errno));
	}
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	reg.range.start = (unsigned long)p;
	reg.range.len = 4 * PG;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING_;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER_, &reg));
	poison.range.start = (unsigned long)p + PG;
	poison.range.len = 2 * PG;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_POISON_, &poison));
	ASSERT_EQ(2 * PG, poison.updated);
	pt = mmt_cli_json(getpid(), "pt", NULL);
	ASSERT_NE(NULL, pt);
	run = mmt_pt_run_at(pt, (unsigned long)p + PG);
	ASSERT_NE(NULL, run);
	EXPECT_TRUE(has_flag(run, "poisoned"));
	check_kind(_metadata, getpid(), pt, (unsigned long)p + PG, "marker");
	check_kind(_metadata, getpid(), pt, (unsigned long)p + 2 * PG, "marker");
	munmap(p, 4 * PG);
	close(uffd);
}

#define BOUND_TABLES	600L

/* One page in each of BOUND_TABLES PTE tables. */
static void setup_tables(void *data)
{
	char *p = mmap(NULL, BOUND_TABLES * PMD_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long i;

	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, BOUND_TABLES * PMD_SZ, MADV_NOHUGEPAGE);
	for (i = 0; i < BOUND_TABLES; i++)
		p[i * PMD_SZ + (i % 512) * PG] = 1;
	*(char **)data = p;
}

/*
 * One touched page per 2 MiB over 1.2 GiB: 600 PTE tables, more than one
 * chunk may walk (512), whose 600 runs of 72 bytes fit in one 64 KiB chunk:
 * the dump pauses (drops mmap_lock) because of the bound on tables walked,
 * not because its buffer is full.  Every page is still
 * there once, with pagemap's PFN, and each table counted once (VmPTE).
 */
TEST(pt_table_bound)
{
	const long n = BOUND_TABLES;
	struct mmt_maps *m = malloc(sizeof(*m));
	struct mmt_json *doc, *runs, *tables;
	long i, bad = 0, inside = 0;
	char *p;
	pid_t pid;

	doc = park_pt(_metadata, setup_tables, &p, sizeof(p), &pid, &runs);
	for (i = 0; i < runs->n; i++) {
		unsigned long start = mmt_jhex(mmt_jget(runs->kids[i], "start"));

		if (start >= (unsigned long)p && start < (unsigned long)p + n * PMD_SZ)
			inside += (mmt_jhex(mmt_jget(runs->kids[i], "end")) - start) / PG;
		if (i)
			EXPECT_LE(mmt_jhex(mmt_jget(runs->kids[i - 1], "end")), start);
	}
	EXPECT_EQ(n, inside);
	ASSERT_EQ(0, mmt_maps_load(pid, m, true));
	pt_present_pages(doc, pid, m, true, &bad);
	EXPECT_EQ(0, bad);
	tables = mmt_jget(doc, "tables");
	EXPECT_GE(mmt_jnum(mmt_jget(tables, "pte")), n);
	EXPECT_EQ(mmt_status_kb(pid, "VmPTE"), tables_kb(tables, 0));
	mmt_maps_free(m);
	free(m);
	mmt_reap(pid);
}

TEST_HARNESS_MAIN
