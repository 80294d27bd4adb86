// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope pt / translate against the kernel's own oracles: every present
 * page's PFN against /proc/PID/pagemap, present totals against smaps_rollup
 * Rss and AnonHugePages, page-table pages against VmPTE; translate against
 * pt and pagemap; copy-on-write after fork; hugetlb and >128 TiB mappings
 * when the machine has them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

static void build_space(struct space *s)
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
	s->sparse = mmap(NULL, TIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	madvise(s->sparse, TIB, MADV_NOHUGEPAGE);
	for (i = 0; i < 64; i++)
		s->sparse[(TIB / 64) * i + i * PG] = 1;
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
}

static struct mmt_json *cli_json(pid_t pid, const char *cmd, const char *arg)
{
	char spid[16], *out;
	char *argv[] = { (char *)mmt_cli(), (char *)cmd, spid, (char *)arg,
			 "--json", NULL };
	struct mmt_json *doc;
	int status;

	snprintf(spid, sizeof(spid), "%d", pid);
	if (!arg) {
		argv[3] = "--json";
		argv[4] = NULL;
	}
	out = mmt_run(argv, &status, NULL);
	if (!out || status) {
		ksft_print_msg("%s %s failed: %s\n", cmd, spid, out ? out : "");
		free(out);
		return NULL;
	}
	doc = mmt_json_parse(out);
	free(out);
	return doc;
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
	int i, fd[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(fd));
	pid = fork();
	if (!pid) {
		build_space(&s);
		write(fd[1], &s, sizeof(s));
		for (;;)
			pause();
	}
	ASSERT_EQ(sizeof(s), read(fd[0], &s, sizeof(s)));
	doc = cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, doc);
	runs = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, runs);
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
	EXPECT_EQ(vmpte, (long long)(mmt_jnum(mmt_jget(tables, "pud")) +
				     mmt_jnum(mmt_jget(tables, "pmd")) +
				     mmt_jnum(mmt_jget(tables, "pte")) +
				     thp_leaves) * 4);
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
	doc = cli_json(pid, "translate", addr);
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

	build_space(&s);
	strcpy(s.dense + 5 * PG + 100, "mmscope-translate");
	doc = check_translate(_metadata, pid, (unsigned long)s.dense + 5 * PG + 100);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("pte", mmt_jstr(mmt_jget(doc, "leaf")));
	check_bytes(_metadata, doc, s.dense + 5 * PG + 100);
	EXPECT_TRUE(mmt_jget(mmt_jget(doc, "page"), "anon")->boolean);

	va = s.thp + PMD_SZ + 3 * PG + 8;
	doc = check_translate(_metadata, pid, (unsigned long)va);
	ASSERT_NE(NULL, doc);
	if (strcmp(mmt_jstr(mmt_jget(doc, "leaf")), "pmd"))
		ksft_print_msg("THP region not PMD-mapped (THP unavailable?)\n");
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

TEST(hugetlb)
{
	struct mmt_json *doc;
	FILE *f;
	char *p;

	f = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (f) {
		fprintf(f, "4\n");
		fclose(f);
	}
	p = mmap(NULL, PMD_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page could be reserved");
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

TEST_HARNESS_MAIN
