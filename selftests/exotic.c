// SPDX-License-Identifier: GPL-2.0
/*
 * Every kind of memory a process can hold, under every view.
 *
 * Each test builds one kind in a parked child (mmt_park()): secretmem,
 * device memory (a test module's remap_pfn_range() and vm_insert_page()
 * mappings), vDSO and vvar, the zero page and the huge zero page, KSM-merged
 * pages, mlocked pages, userfaultfd-registered and write-protected ranges,
 * a sealed memfd, shmem, hugetlb, THP, PROT_NONE, swapped-out pages and
 * poisoned pages (MADV_HWPOISON, UFFDIO_POISON).  Then it runs `vma`, `pt`,
 * `pt --raw` and `translate` of every page (every page of small regions;
 * the first, middle and last ones of large regions) and reads every debugfs
 * file for that process.  The faults test traces a workload touching them.
 *
 * The oracles are the kernel's: /proc/PID/maps for the VMAs, /proc/PID/
 * pagemap (read as root) for present, swapped, PFN, soft-dirty, uffd-wp,
 * exclusively-mapped and file bits, swap type and offset, and /proc/PID/mem
 * (GUP) for whether a page's bytes may be read at all and what they are:
 * translate shows bytes exactly where /proc/PID/mem reads them, equal to
 * them, and otherwise says why not.  Where pagemap has no answer (VM_PFNMAP
 * mappings: pagemap skips them) the test module's own PFNs are the oracle.
 * Pass also means no oops and no warning (the runner checks dmesg, and
 * panic_on_warn is set).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/memfd.h>
#include <linux/userfaultfd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG	4096UL
#define PMD_SZ	(2UL << 20)

#ifndef __NR_memfd_secret
#define __NR_memfd_secret	447
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON		100
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif
/* UFFDIO_POISON came in v6.6: not in the build host's headers. */
#define UFFD_FEATURE_POISON_	(1ULL << 14)
struct uffdio_poison_ {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define UFFDIO_POISON_		_IOWR(UFFDIO, 0x08, struct uffdio_poison_)

#define PM_SOFT_DIRTY(e)	(((e) >> 55) & 1)
#define PM_EXCL(e)		(((e) >> 56) & 1)
#define PM_UFFD_WP(e)		(((e) >> 57) & 1)
#define PM_FILE(e)		(((e) >> 61) & 1)
#define PM_SWP_TYPE(e)		((e) & 0x1f)
#define PM_SWP_OFFSET(e)	(((e) >> 5) & ((1ULL << 50) - 1))

#define PFNMAP_KO	"/mmscope/test_modules/mmscope_test_pfnmap.ko"
#define PFNMAP_DEV	"/dev/mmscope_test_pfnmap"
#define PFNMAP_PARAM	"/sys/module/mmscope_test_pfnmap/parameters/"
#define DEBUGFS		"/sys/kernel/debug/mmscope/"
#define PARAMS		"/sys/module/mmscope/parameters/"

/* ---- the regions a kind maps ------------------------------------------- */

enum region_flags {
	R_PFNMAP = 1 << 0,	/* VM_PFNMAP: pagemap shows a hole */
	R_HUGETLB = 1 << 1,	/* pagemap ignores the entry's soft-dirty bit */
	R_NOFILE = 1 << 2,	/* huge zero page: no PM_FILE comparison */
	R_PMD = 1 << 3,		/* present pages are PMD leaves */
	R_ALL = 1 << 4,		/* translate every page, however many */
};

#define MAX_REGIONS	8

struct region {
	char name[32];
	unsigned long start, len;
	unsigned int flags;
	char reason[16];	/* bytes_reason of its present pages, "" = read */
	unsigned long pfn;	/* R_PFNMAP: the PFN mapped at start, 0: unknown */
};

struct kind {
	char skip[200];		/* set by the child: the kind cannot exist here */
	int n;
	struct region r[MAX_REGIONS];
	unsigned long pfns[3];	/* from the test module, set by the parent */
};

static struct region *add(struct kind *k, const char *name, void *p,
			  size_t len, unsigned int flags, const char *reason)
{
	struct region *r = &k->r[k->n++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->start = (unsigned long)p;
	r->len = len;
	r->flags = flags;
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	return r;
}

static void skip_kind(struct kind *k, const char *fmt, const char *what)
{
	snprintf(k->skip, sizeof(k->skip), fmt, what);
}

static char *anon(size_t len, bool huge_ok)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (!huge_ok)
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* A PMD-aligned anonymous range of @len, THP-eligible. */
static char *anon_aligned(size_t len)
{
	char *p = mmap(NULL, len + PMD_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)p + PMD_SZ - 1) & ~(PMD_SZ - 1));
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void fill(char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i += PG)
		snprintf(p + i, 48, "mmscope-exotic-%d-%zu", seed, i / PG);
}

static void touch_read(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += PG)
		(void)*(volatile const char *)(p + i);
}

/* First VMA of this process named @name in maps: its start and length. */
static bool self_vma(const char *name, unsigned long *start,
		     unsigned long *len)
{
	char *buf = mmt_read_file("/proc/self/maps", NULL), *line;
	bool found = false;

	for (line = buf; line && *line && !found;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *nl = strchr(line, '\n');
		unsigned long a, b;

		if (nl)
			*nl = '\0';
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && strstr(line, name) &&
		    !strcmp(strstr(line, name), name)) {
			*start = a;
			*len = b - a;
			found = true;
		}
		if (nl)
			*nl = '\n';
	}
	free(buf);
	return found;
}

/* ---- the oracles -------------------------------------------------------- */

/* Does /proc/PID/smaps flag @va's VMA VM_SOFTDIRTY ("sd")? */
static bool vma_softdirty(pid_t pid, unsigned long va)
{
	char path[64], *buf, *p;
	bool in = false, sd = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	buf = mmt_read_file(path, NULL);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long a, b;

		if (sscanf(p, "%lx-%lx ", &a, &b) == 2 && strchr(p, '-') < strchr(p, ' '))
			in = va >= a && va < b;
		else if (in && !strncmp(p, "VmFlags:", 8)) {
			char *nl = strchr(p, '\n');

			if (nl)
				*nl = '\0';
			sd = strstr(p, " sd") != NULL;
			break;
		}
	}
	free(buf);
	return sd;
}

/* @va's line of /proc/PID/maps: its start and end; false if none. */
static bool maps_vma(pid_t pid, unsigned long va, unsigned long *a,
		     unsigned long *b)
{
	char path[64], *buf, *p;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	buf = mmt_read_file(path, NULL);
	for (p = buf; p && *p && !found;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		found = sscanf(p, "%lx-%lx", a, b) == 2 && va >= *a && va < *b;
	free(buf);
	return found;
}

/* What /proc/PID/mem (GUP, FOLL_FORCE) reads at @va: bytes read, or -1. */
static ssize_t mem_read(pid_t pid, unsigned long va, unsigned char *buf,
			size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, va);
	close(fd);
	return n;
}

static bool has_word(const struct mmt_json *v, const char *key,
		     const char *word)
{
	const struct mmt_json *f = mmt_jget(v, key);
	int i;

	for (i = 0; f && f->type == MMT_JARR && i < f->n; i++)
		if (!strcmp(mmt_jstr(f->kids[i]) ?: "", word))
			return true;
	return false;
}

static bool is_present_kind(const char *kind)
{
	return kind && (!strcmp(kind, "present") || !strcmp(kind, "protnone"));
}

/* ---- one page under pt, pt --raw and translate -------------------------- */

static void check_page(struct __test_metadata *_metadata, pid_t pid,
		       const struct region *r, struct mmt_json *pt,
		       struct mmt_json *raw, unsigned long va)
{
	struct mmt_json *run = mmt_pt_run_at(pt, va);
	struct mmt_json *rrun = mmt_pt_run_at(raw, va);
	struct mmt_json *x, *stop, *page, *steps, *swap;
	const char *rkind = run ? mmt_jstr(mmt_jget(run, "kind")) : NULL;
	const char *hex, *reason;
	unsigned char mem[16];
	unsigned long idx = 0, n;
	char addr[32];
	ssize_t got;
	uint64_t e;

	snprintf(addr, sizeof(addr), "%#lx", va);
	x = mmt_cli_json(pid, "translate", addr);
	ASSERT_NE(NULL, x) ksft_print_msg("%s: translate %s failed\n", r->name, addr);
	ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
	stop = mmt_jget(x, "stop");
	page = mmt_jget(x, "page");
	hex = mmt_jstr(mmt_jget(x, "bytes"));
	reason = mmt_jstr(mmt_jget(x, "bytes_reason"));
	/* bytes xor a reason, never both, never neither. */
	EXPECT_TRUE(!hex != !reason) ksft_print_msg("%s %s: bytes %s reason %s\n",
		r->name, addr, hex ?: "null", reason ?: "null");
	if (run)
		idx = (va - mmt_jhex(mmt_jget(run, "start"))) / PG;
	/* pt --raw: one entry per run, the same kind and PFN as pt. */
	if (run) {
		ASSERT_NE(NULL, rrun) ksft_print_msg("%s %s: no raw run\n", r->name, addr);
		EXPECT_STREQ(rkind, mmt_jstr(mmt_jget(rrun, "kind")));
		EXPECT_EQ(1, mmt_jnum(mmt_jget(rrun, "count")));
		if (is_present_kind(rkind))
			EXPECT_EQ(mmt_jnum(mmt_jget(run, "pfn")) + idx,
				  mmt_jnum(mmt_jget(rrun, "pfn")) +
				  (va - mmt_jhex(mmt_jget(rrun, "start"))) / PG);
	} else {
		EXPECT_EQ(NULL, rrun);
	}
	/* uffd-wp: the entry's bit, for present and swap-like alike. */
	if (run)
		EXPECT_EQ(PM_UFFD_WP(e), has_word(run, "flags", "uffd_wp"))
			ksft_print_msg("%s %s: uffd-wp\n", r->name, addr);

	if (MMT_PM_PRESENT(e)) {
		ASSERT_NE(NULL, run) ksft_print_msg("%s %s: present, no pt run\n", r->name, addr);
		EXPECT_TRUE(is_present_kind(rkind)) ksft_print_msg("%s %s: %s\n", r->name, addr, rkind);
		EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(mmt_jget(run, "pfn")) + idx)
			ksft_print_msg("%s %s: pt pfn\n", r->name, addr);
		EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(mmt_jget(x, "pfn")))
			ksft_print_msg("%s %s: translate pfn\n", r->name, addr);
		if (r->pfn)
			EXPECT_EQ(r->pfn + (va - r->start) / PG, MMT_PM_PFN(e));
		EXPECT_STREQ(mmt_jstr(mmt_jget(run, "level")),
			     mmt_jstr(mmt_jget(x, "leaf")));
		EXPECT_STREQ(rkind, mmt_jstr(mmt_jget(stop, "kind")));
		if (r->flags & R_PMD)
			EXPECT_STREQ("pmd", mmt_jstr(mmt_jget(run, "level")));
		if (!(r->flags & R_HUGETLB))
			EXPECT_EQ(PM_SOFT_DIRTY(e),
				  has_word(run, "flags", "soft_dirty") ||
				  vma_softdirty(pid, va))
				ksft_print_msg("%s %s: soft-dirty\n", r->name, addr);
		if (page && page->type == MMT_JOBJ &&
		    !has_word(page, "flags", "zero")) {
			bool is_anon = mmt_jget(page, "anon")->boolean;

			if (!(r->flags & R_NOFILE))
				EXPECT_EQ(PM_FILE(e), !is_anon)
					ksft_print_msg("%s %s: file\n", r->name, addr);
			if (mmt_jnum(mmt_jget(page, "order")) == 0)
				EXPECT_EQ(PM_EXCL(e),
					  mmt_jnum(mmt_jget(page, "mapcount")) == 1)
					ksft_print_msg("%s %s: exclusive\n", r->name, addr);
		} else if (!(r->flags & R_NOFILE)) {
			/* The zero page: no "normal" page for pagemap. */
			EXPECT_EQ(0, PM_FILE(e));
			EXPECT_EQ(0, PM_EXCL(e));
		}
	} else if (MMT_PM_SWAP(e)) {
		ASSERT_NE(NULL, run) ksft_print_msg("%s %s: swapped, no pt run\n", r->name, addr);
		EXPECT_FALSE(is_present_kind(rkind));
		EXPECT_STREQ(rkind, mmt_jstr(mmt_jget(stop, "kind")));
		EXPECT_EQ(MMT_JNULL, mmt_jget(x, "leaf")->type);
		EXPECT_STREQ("no_page", reason);
		if (!(r->flags & R_HUGETLB))
			EXPECT_EQ(PM_SOFT_DIRTY(e),
				  has_word(run, "flags", "soft_dirty") ||
				  vma_softdirty(pid, va));
		steps = mmt_jget(x, "steps");
		ASSERT_NE(NULL, steps);
		ASSERT_LT(0, steps->n);
		swap = mmt_jget(steps->kids[steps->n - 1], "swap");
		ASSERT_NE(NULL, swap);
		/* Markers fold with equal offsets (their bits), the others count up. */
		if (!strcmp(rkind, "marker"))
			idx = 0;
		EXPECT_EQ(PM_SWP_TYPE(e), mmt_jnum(mmt_jget(swap, "type")));
		EXPECT_EQ(PM_SWP_OFFSET(e), mmt_jnum(mmt_jget(swap, "offset")));
		EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(run, "swap"), "offset")) + idx,
			  mmt_jnum(mmt_jget(swap, "offset")));
		ksft_print_msg("%s %s: %s\n", r->name, addr, rkind);
		mmt_json_free(x);
		return;
	} else if ((r->flags & R_PFNMAP) && is_present_kind(rkind)) {
		/*
		 * pagemap skips VM_PFNMAP (a hole: soft-dirty at most): the
		 * module's PFN is the answer.
		 */
		EXPECT_EQ(0, e & ~(1ULL << 55));
		if (r->pfn)
			EXPECT_EQ(r->pfn + (va - r->start) / PG,
				  mmt_jnum(mmt_jget(x, "pfn")));
		EXPECT_EQ(mmt_jnum(mmt_jget(run, "pfn")) + idx,
			  mmt_jnum(mmt_jget(x, "pfn")));
		EXPECT_TRUE(has_word(run, "flags", "special"));
	} else {
		/* Nothing mapped: no leaf, nothing to read. */
		if (run)
			EXPECT_STREQ("none", rkind) ksft_print_msg("%s %s\n", r->name, addr);
		EXPECT_EQ(MMT_JNULL, mmt_jget(x, "leaf")->type);
		EXPECT_STREQ("no_page", reason);
		mmt_json_free(x);
		return;
	}

	/*
	 * A present page: translate shows its bytes exactly where
	 * /proc/PID/mem reads them, and the same bytes; else the reason.
	 */
	n = PG - (va & (PG - 1));
	n = n < sizeof(mem) ? n : sizeof(mem);
	got = mem_read(pid, va, mem, n);
	if (got == (ssize_t)n) {
		char want[40] = "0x";
		unsigned long i;

		for (i = 0; i < n; i++)
			sprintf(want + 2 + 2 * i, "%02x", mem[i]);
		EXPECT_STREQ(want, hex ?: "null")
			ksft_print_msg("%s %s: bytes (reason %s)\n", r->name,
				       addr, reason ?: "-");
	} else {
		EXPECT_EQ(NULL, hex) ksft_print_msg("%s %s: /proc/PID/mem cannot read it (%s), translate did\n",
						    r->name, addr, strerror(errno));
	}
	if (r->reason[0]) {
		EXPECT_STREQ(r->reason, reason ?: "read")
			ksft_print_msg("%s %s\n", r->name, addr);
	} else {
		EXPECT_EQ(NULL, reason) ksft_print_msg("%s %s: not read: %s\n",
						       r->name, addr, reason);
	}
	mmt_json_free(x);
}

/* The pages of @r to translate: all of a small region, samples of a big one. */
static void check_region(struct __test_metadata *_metadata, pid_t pid,
			 const struct region *r, struct mmt_json *pt,
			 struct mmt_json *raw)
{
	unsigned long pages = r->len / PG, i;

	ksft_print_msg("%s: %lu pages at %#lx\n", r->name, pages, r->start);
	for (i = 0; i < pages; i++) {
		if (pages > 16 && !(r->flags & R_ALL) && i >= 3 &&
		    i != pages / 2 && i < pages - 3)
			continue;
		check_page(_metadata, pid, r, pt, raw, r->start + i * PG + 8 * (i % 3));
	}
}

/* Every VMA holding a region is in the vma view as maps shows it. */
static void check_vmas(struct __test_metadata *_metadata, pid_t pid,
		       const struct kind *k)
{
	struct mmt_json *doc = mmt_cli_json(pid, "vma", NULL), *vmas;
	int i, j;

	ASSERT_NE(NULL, doc);
	vmas = mmt_jget(doc, "vmas");
	ASSERT_NE(NULL, vmas);
	for (i = 0; i < k->n; i++) {
		unsigned long a, b;
		bool found = false;

		ASSERT_TRUE(maps_vma(pid, k->r[i].start, &a, &b));
		for (j = 0; j < vmas->n && !found; j++)
			found = mmt_jhex(mmt_jget(vmas->kids[j], "start")) == a &&
				mmt_jhex(mmt_jget(vmas->kids[j], "end")) == b;
		EXPECT_TRUE(found) ksft_print_msg("%s: VMA %#lx-%#lx not in the vma view\n",
						  k->r[i].name, a, b);
	}
	mmt_json_free(doc);
}

/* Read a debugfs file whole: its text (free it), NULL with errno on error. */
static char *debugfs_read(const char *name)
{
	char path[128], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 1 << 17);

			if (!p)
				break;
			buf = p;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			close(fd);
			errno = err;
			return NULL;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * The debugfs files for @pid: the per-process ones must read, translate at
 * the start of every region too (secretmem's saying why it shows no bytes);
 * every other file is read to its end as well.
 */
static void check_debugfs(struct __test_metadata *_metadata, pid_t pid,
			  const struct kind *k)
{
	static const char *const per_pid[] = { "vma", "pt", "pt_raw" };
	char val[32], *text;
	struct dirent *d;
	DIR *dir;
	int i;

	snprintf(val, sizeof(val), "%d", pid);
	ASSERT_EQ(0, mmt_write_str(PARAMS "pid", val));
	for (i = 0; i < 3; i++) {
		text = debugfs_read(per_pid[i]);
		EXPECT_NE(NULL, text) ksft_print_msg("debugfs %s: %s\n", per_pid[i], strerror(errno));
		EXPECT_LT(0, text ? strlen(text) : 0);
		free(text);
	}
	for (i = 0; i < k->n; i++) {
		snprintf(val, sizeof(val), "%lu", k->r[i].start);
		ASSERT_EQ(0, mmt_write_str(PARAMS "addr", val));
		text = debugfs_read("translate");
		ASSERT_NE(NULL, text) ksft_print_msg("debugfs translate %s: %s\n",
						     k->r[i].name, strerror(errno));
		if (!strcmp(k->r[i].reason, "secret") && strstr(text, " leaf at "))
			EXPECT_NE(NULL, strstr(text, "bytes not read (secret)"))
				ksft_print_msg("%s", text);
		free(text);
	}
	dir = opendir(DEBUGFS);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		/* Other views may refuse (slab views off): never crash. */
		free(debugfs_read(d->d_name));
	}
	closedir(dir);
}

/* All views over every region of @k in @pid. */
static void check_all(struct __test_metadata *_metadata, pid_t pid,
		      const struct kind *k)
{
	struct mmt_json *pt, *raw;
	int i;

	check_vmas(_metadata, pid, k);
	pt = mmt_cli_json(pid, "pt", NULL);
	ASSERT_NE(NULL, pt);
	raw = mmt_cli_json(pid, "pt", "--raw");
	ASSERT_NE(NULL, raw);
	for (i = 0; i < k->n; i++)
		check_region(_metadata, pid, &k->r[i], pt, raw);
	check_debugfs(_metadata, pid, k);
	mmt_json_free(pt);
	mmt_json_free(raw);
}

/*
 * Park a child that builds @setup's kind, run @parked, check every view
 * over it, reap it.  Skips with the child's reason when the kind cannot
 * exist here.
 */
#define RUN_KIND_THEN(setup, kp, parked)				\
	do {								\
		pid_t pid_ = mmt_park(setup, (kp), sizeof(*(kp)));	\
									\
		parked;							\
		ASSERT_GT(pid_, 0);					\
		if ((kp)->skip[0]) {					\
			mmt_reap(pid_);					\
			SKIP(return, "%s", (kp)->skip);			\
		}							\
		ASSERT_LT(0, (kp)->n);					\
		check_all(_metadata, pid_, (kp));			\
		mmt_reap(pid_);						\
	} while (0)
#define RUN_KIND(setup, kp)	RUN_KIND_THEN(setup, kp, (void)0)

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

/* THP "always" for a test; returns the setting to restore ("" if none). */
static void thp_always(char *old, size_t len)
{
	char *v = mmt_read_file(THP_ENABLED, NULL), *a, *b;

	old[0] = '\0';
	a = v ? strchr(v, '[') : NULL;
	b = a ? strchr(a, ']') : NULL;
	if (b)
		snprintf(old, len, "%.*s", (int)(b - a - 1), a + 1);
	free(v);
	mmt_write_str(THP_ENABLED, "always");
}

static void thp_restore(const char *old)
{
	if (old[0])
		mmt_write_str(THP_ENABLED, old);
}

/*
 * RUN_KIND with THP "always" while @setup maps its pages; the setting is
 * restored once the child is parked (the mapping is made: what later tests
 * see is restored).
 */
#define RUN_KIND_THP(setup)						\
	do {								\
		struct kind k_ = { 0 };					\
		char old_[32];						\
									\
		thp_always(old_, sizeof(old_));				\
		RUN_KIND_THEN(setup, &k_, thp_restore(old_));		\
	} while (0)

/*
 * Is this process's 2 MiB at @p PMD-mapped?  Its first page present, and
 * its last page on the PFN 511 pages on.
 */
static bool pmd_mapped(const char *p)
{
	uint64_t e, f;

	return !mmt_pagemap(getpid(), (unsigned long)p, &e) &&
	       MMT_PM_PRESENT(e) &&
	       !mmt_pagemap(getpid(), (unsigned long)p + PMD_SZ - PG, &f) &&
	       MMT_PM_PFN(f) == MMT_PM_PFN(e) + 511;
}

/* Clear the soft-dirty bits (and VM_SOFTDIRTY) of this process. */
static void clear_soft_dirty(void)
{
	mmt_write_str("/proc/self/clear_refs", "4");
}

/* ---- the kinds ------------------------------------------------------------ */

static void setup_secretmem(void *data)
{
	struct kind *k = data;
	int fd = syscall(__NR_memfd_secret, 0);
	char *p;

	if (fd < 0) {
		skip_kind(k, "memfd_secret: %s (needs CONFIG_SECRETMEM and, before v6.5, secretmem.enable=1)",
			  strerror(errno));
		return;
	}
	if (ftruncate(fd, 8 * PG)) {
		skip_kind(k, "memfd_secret ftruncate: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		skip_kind(k, "memfd_secret mmap: %s (RLIMIT_MEMLOCK?)", strerror(errno));
		return;
	}
	fill(p, 4 * PG, 1);		/* half populated */
	clear_soft_dirty();
	p[0] = 1;
	add(k, "secretmem", p, 8 * PG, R_ALL, "secret");
}

/*
 * secretmem: pagemap has the PFNs, translate the path to them, but no
 * bytes ("secret"): the direct map does not map them, GUP refuses them.
 * Before the fix, translate oopsed here.
 */
TEST(secretmem)
{
	struct kind k = { 0 };

	RUN_KIND(setup_secretmem, &k);
}

static unsigned long module_pfn(const char *name)
{
	char path[128], *v;
	unsigned long pfn;

	snprintf(path, sizeof(path), PFNMAP_PARAM "%s", name);
	v = mmt_read_file(path, NULL);
	pfn = v ? strtoul(v, NULL, 10) : 0;
	free(v);
	return pfn;
}

static void setup_device(void *data)
{
	struct kind *k = data;
	int fd = open(PFNMAP_DEV, O_RDWR);
	char *p;

	if (fd < 0) {
		skip_kind(k, "%s missing", PFNMAP_DEV);
		return;
	}
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		skip_kind(k, "remap_pfn_range mapping: %s", strerror(errno));
		return;
	}
	(void)*(volatile char *)p;
	add(k, "remap_pfn_range RAM", p, PG, R_PFNMAP, "pfnmap")->pfn = k->pfns[0];
	if (k->pfns[1]) {
		/* Never touched by anyone: there is nothing at that address. */
		p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
		if (p != MAP_FAILED)
			add(k, "remap_pfn_range no page", p, PG, R_PFNMAP,
			    "pfnmap")->pfn = k->pfns[1];
	}
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	if (p == MAP_FAILED) {
		skip_kind(k, "vm_insert_page mapping: %s", strerror(errno));
		return;
	}
	(void)*(volatile char *)p;
	add(k, "vm_insert_page", p, PG, 0, NULL)->pfn = k->pfns[2];
}

/*
 * Device memory: a test module's page mapped with remap_pfn_range() (a
 * VM_PFNMAP|VM_IO mapping, PFN with a struct page), a PFN with no struct
 * page mapped the same way, and a page inserted with vm_insert_page().
 */
TEST(device_memory)
{
	struct kind k = { 0 };
	char cmd[160];
	int st;

	snprintf(cmd, sizeof(cmd), "grep -q '^mmscope_test_pfnmap ' /proc/modules || insmod %s",
		 PFNMAP_KO);
	st = system(cmd);
	ASSERT_EQ(0, st);
	k.pfns[0] = module_pfn("ram_pfn");
	k.pfns[1] = module_pfn("nostruct_pfn");
	k.pfns[2] = module_pfn("insert_pfn");
	ASSERT_NE(0, k.pfns[0]);
	if (!k.pfns[1])
		ksft_print_msg("no PFN without a struct page below the physical address limit\n");
	RUN_KIND(setup_device, &k);
}

static void setup_vdso(void *data)
{
	struct kind *k = data;
	unsigned long a, len;

	if (self_vma("[vdso]", &a, &len)) {
		touch_read((char *)a, len);
		add(k, "vdso", (void *)a, len, R_ALL, NULL);
	}
	if (self_vma("[vvar]", &a, &len)) {
		/* The first page only: the others may SIGBUS (no pvclock). */
		(void)*(volatile char *)a;
		add(k, "vvar", (void *)a, len, R_PFNMAP | R_ALL, "pfnmap");
	}
	if (self_vma("[vvar_vclock]", &a, &len))
		add(k, "vvar_vclock", (void *)a, len, R_PFNMAP | R_ALL, "pfnmap");
	if (!k->n)
		skip_kind(k, "%s", "no [vdso] or [vvar] in maps");
}

/* The vDSO's pages are read like any other, vvar's are VM_PFNMAP. */
TEST(vdso_vvar)
{
	struct kind k = { 0 };

	RUN_KIND(setup_vdso, &k);
}

static void setup_zero(void *data)
{
	struct kind *k = data;
	char *p = anon(16 * PG, false);

	touch_read(p, 16 * PG);
	add(k, "zero page", p, 16 * PG, 0, NULL);
}

/* Reads of untouched anonymous memory map the shared zero page. */
TEST(zero_page)
{
	struct kind k = { 0 };

	RUN_KIND(setup_zero, &k);
}

static void setup_huge_zero(void *data)
{
	struct kind *k = data;
	char *p = anon_aligned(PMD_SZ);
	char *v = mmt_read_file("/sys/kernel/mm/transparent_hugepage/use_zero_page", NULL);

	if (!v) {
		skip_kind(k, "%s", "no transparent huge pages on this kernel (none on PREEMPT_RT)");
		return;
	}
	if (v[0] != '1') {
		skip_kind(k, "%s", "transparent_hugepage/use_zero_page is 0");
		free(v);
		return;
	}
	free(v);
	touch_read(p, PMD_SZ);
	add(k, "huge zero page", p, PMD_SZ, R_NOFILE, NULL);
	if (pmd_mapped(p))
		k->r[0].flags |= R_PMD;
	else
		skip_kind(k, "%s", "the read did not map the huge zero page (THP disabled?)");
}

/* A read fault on a THP-eligible range maps the huge zero page. */
TEST(huge_zero_page)
{
	RUN_KIND_THP(setup_huge_zero);
}

static void setup_ksm(void *data)
{
	struct kind *k = data;
	char *p = anon(16 * PG, false);
	int i;

	for (i = 0; i < 16; i++)
		memset(p + i * PG, i < 12 ? 0x6b : i, PG);
	if (madvise(p, 16 * PG, MADV_MERGEABLE)) {
		skip_kind(k, "MADV_MERGEABLE: %s", strerror(errno));
		return;
	}
	add(k, "ksm", p, 16 * PG, 0, NULL);
}

static long ksm_counter(const char *name)
{
	char path[96], *v;
	long n;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	v = mmt_read_file(path, NULL);
	n = v && *v ? strtol(v, NULL, 10) : -1;
	free(v);
	return n;
}

/* Pages of [p, p + 12 pages) of @pid sharing one PFN. */
static int ksm_merged(pid_t pid, unsigned long p)
{
	uint64_t first, e;
	int i, n = 0;

	if (mmt_pagemap(pid, p, &first) || !MMT_PM_PRESENT(first))
		return 0;
	for (i = 1; i < 12; i++)
		if (!mmt_pagemap(pid, p + i * PG, &e) && MMT_PM_PRESENT(e) &&
		    MMT_PM_PFN(e) == MMT_PM_PFN(first))
			n++;
	return n;
}

/*
 * KSM: twelve equal pages merged by ksmd into one (waited for by ksmd's
 * full-scan count, not by time), then every view over them.
 */
TEST(ksm)
{
	struct kind k = { 0 };
	long scans, run = ksm_counter("run");
	int merged = 0, i;
	pid_t pid;

	if (run < 0)
		SKIP(return, "no KSM (/sys/kernel/mm/ksm)");
	ASSERT_EQ(0, mmt_write_str("/sys/kernel/mm/ksm/run", "1"));
	pid = mmt_park(setup_ksm, &k, sizeof(k));
	ASSERT_GT(pid, 0);
	if (k.skip[0]) {
		mmt_reap(pid);
		SKIP(return, "%s", k.skip);
	}
	/* Merging takes two scans (checksum, then merge): allow ten. */
	scans = ksm_counter("full_scans");
	for (i = 0; ksm_counter("full_scans") < scans + 10 && merged < 11; i++) {
		usleep(20000);
		merged = ksm_merged(pid, k.r[0].start);
	}
	ksft_print_msg("%d of 12 pages merged after %ld full scans\n", merged + 1,
		       ksm_counter("full_scans") - scans);
	EXPECT_EQ(11, merged);
	check_all(_metadata, pid, &k);
	mmt_reap(pid);
	if (run != 1) {
		char v[24];

		snprintf(v, sizeof(v), "%ld", run);
		mmt_write_str("/sys/kernel/mm/ksm/run", v);
	}
}

static void setup_mlock(void *data)
{
	struct kind *k = data;
	char *p = anon(16 * PG, false);

	fill(p, 16 * PG, 2);
	if (mlock(p, 16 * PG)) {
		skip_kind(k, "mlock: %s", strerror(errno));
		return;
	}
	add(k, "mlocked", p, 16 * PG, 0, NULL);
}

TEST(mlocked)
{
	struct kind k = { 0 };

	RUN_KIND(setup_mlock, &k);
}

static int uffd_open(uint64_t features, uint64_t *have)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (have)
		*have = api.features;
	return fd;
}

static int uffd_register(int fd, void *p, size_t len, uint64_t mode)
{
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)p, .len = len },
		.mode = mode,
	};

	return ioctl(fd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

static int uffd_wp(int fd, void *p, size_t len)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (unsigned long)p, .len = len },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};

	return ioctl(fd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

static void setup_uffd(void *data)
{
	struct kind *k = data;
	char *miss = anon(16 * PG, false), *wp = anon(16 * PG, false), *shm;
	int fd, err;

	/* Each userfaultfd stays open: the child sleeps with them. */
	fd = uffd_open(0, NULL);
	if (fd < 0) {
		skip_kind(k, "userfaultfd: %s", strerror(-fd));
		return;
	}
	fill(miss, 8 * PG, 3);		/* the other half stays missing */
	err = uffd_register(fd, miss, 16 * PG, UFFDIO_REGISTER_MODE_MISSING);
	if (err) {
		skip_kind(k, "UFFDIO_REGISTER missing: %s", strerror(-err));
		return;
	}
	add(k, "uffd missing", miss, 16 * PG, R_ALL, NULL);
	fd = uffd_open(0, NULL);
	fill(wp, 16 * PG, 4);
	err = fd < 0 ? fd : uffd_register(fd, wp, 16 * PG, UFFDIO_REGISTER_MODE_WP);
	if (err) {
		skip_kind(k, "UFFDIO_REGISTER wp: %s", strerror(-err));
		return;
	}
	err = uffd_wp(fd, wp, 8 * PG);
	if (err) {
		skip_kind(k, "UFFDIO_WRITEPROTECT: %s", strerror(-err));
		return;
	}
	add(k, "uffd wp anon", wp, 16 * PG, R_ALL, NULL);
	/* shmem: write-protecting what is not populated leaves markers. */
	fd = uffd_open(UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
	if (fd < 0)
		return;
	shm = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(shm, 8 * PG, 5);
	if (!uffd_register(fd, shm, 16 * PG, UFFDIO_REGISTER_MODE_WP) &&
	    !uffd_wp(fd, shm, 16 * PG))
		add(k, "uffd wp shmem", shm, 16 * PG, R_ALL, NULL);
}

/*
 * userfaultfd: a MISSING-registered range half populated, an anonymous
 * range half write-protected, a shmem range write-protected where half is
 * not populated (uffd-wp PTE markers).
 */
TEST(userfaultfd)
{
	struct kind k = { 0 };

	RUN_KIND(setup_uffd, &k);
}

static void setup_memfd(void *data)
{
	struct kind *k = data;
	int fd = memfd_create("mmscope-sealed", MFD_ALLOW_SEALING), fd2;
	char *p, *w;

	if (fd < 0 || ftruncate(fd, 8 * PG)) {
		skip_kind(k, "memfd_create: %s", strerror(errno));
		return;
	}
	w = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fill(w, 8 * PG, 6);
	munmap(w, 8 * PG);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
		  F_SEAL_SEAL)) {
		skip_kind(k, "F_ADD_SEALS: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, 8 * PG, PROT_READ, MAP_SHARED, fd, 0);
	touch_read(p, 4 * PG);
	add(k, "memfd sealed", p, 8 * PG, 0, NULL);
	/* F_SEAL_FUTURE_WRITE (v5.1): the existing writable mapping stays. */
	fd2 = memfd_create("mmscope-future", MFD_ALLOW_SEALING);
	if (fd2 >= 0 && !ftruncate(fd2, 4 * PG)) {
		w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
		fill(w, 4 * PG, 7);
		if (!fcntl(fd2, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))
			add(k, "memfd future-write", w, 4 * PG, 0, NULL);
	}
}

TEST(memfd_sealed)
{
	struct kind k = { 0 };

	RUN_KIND(setup_memfd, &k);
}

static void setup_shmem(void *data)
{
	struct kind *k = data;
	char *p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char path[] = "/dev/shm/mmscope-exotic-XXXXXX";
	int fd;

	fill(p, 12 * PG, 8);
	add(k, "shmem anon", p, 16 * PG, 0, NULL);
	fd = mkstemp(path);
	if (fd >= 0 && !ftruncate(fd, 8 * PG)) {
		unlink(path);
		p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		fill(p, 8 * PG, 9);
		add(k, "tmpfs file", p, 8 * PG, 0, NULL);
	}
}

TEST(shmem)
{
	struct kind k = { 0 };

	RUN_KIND(setup_shmem, &k);
}

static void setup_hugetlb(void *data)
{
	struct kind *k = data;
	char *p = mmap(NULL, PMD_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	char *s = mmap(NULL, PMD_SZ, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED || s == MAP_FAILED) {
		skip_kind(k, "no 2 MiB hugetlb page could be reserved: %s",
			  strerror(errno));
		return;
	}
	fill(p, PMD_SZ, 10);
	fill(s, PMD_SZ, 11);
	add(k, "hugetlb private", p, PMD_SZ, R_HUGETLB | R_PMD, NULL);
	add(k, "hugetlb shared", s, PMD_SZ, R_HUGETLB | R_PMD, NULL);
}

/*
 * A pool of 4 huge pages while the child maps its two; nr_hugepages as
 * found is put back once the child is parked (the two in use then become
 * surplus pages, freed when it exits): later tests see the old pool.
 */
TEST(hugetlb)
{
	struct kind k = { 0 };
	char *old = mmt_read_file("/proc/sys/vm/nr_hugepages", NULL);

	ASSERT_NE(NULL, old) TH_LOG("no nr_hugepages (kernel without hugetlb)");
	ASSERT_EQ(0, mmt_write_str("/proc/sys/vm/nr_hugepages", "4"));
	RUN_KIND_THEN(setup_hugetlb, &k,
		      (mmt_write_str("/proc/sys/vm/nr_hugepages", old), free(old)));
}

static void setup_thp(void *data)
{
	struct kind *k = data;
	char *p = anon_aligned(PMD_SZ);
	char *v = mmt_read_file("/sys/kernel/mm/transparent_hugepage/enabled", NULL);

	if (!v) {
		skip_kind(k, "%s", "no transparent huge pages on this kernel (none on PREEMPT_RT)");
		return;
	}
	free(v);
	fill(p, PMD_SZ, 12);
	add(k, "THP", p, PMD_SZ, 0, NULL);
	if (pmd_mapped(p))
		k->r[0].flags |= R_PMD;
	else
		skip_kind(k, "%s", "the write did not map a THP (THP disabled, or no 2 MiB page free)");
}

TEST(thp)
{
	RUN_KIND_THP(setup_thp);
}

static void setup_protnone(void *data)
{
	struct kind *k = data;
	char *p = anon(16 * PG, false);

	fill(p, 12 * PG, 13);
	mprotect(p, 16 * PG, PROT_NONE);
	add(k, "PROT_NONE", p, 16 * PG, 0, NULL);
}

TEST(prot_none)
{
	struct kind k = { 0 };

	RUN_KIND(setup_protnone, &k);
}

/* ---- swapped pages: a swap file on the VM's scratch disk ---------------- */

FIXTURE(swap) {
	struct mmt_swapfile sw;
};

/* As pt.c's swap fixture: tmpfs and ramfs cannot hold a swap file. */
FIXTURE_SETUP(swap)
{
	const char *dir = getenv("MMSCOPE_SCRATCH");

	/* The VM's scratch disk is part of its image: missing is a failure. */
	ASSERT_NE(NULL, dir) TH_LOG("no block-backed file system for a swap file (the VM's scratch.sh sets MMSCOPE_SCRATCH; tmpfs/ramfs cannot swap)");
	ASSERT_EQ(0, mmt_swapfile_on(&self->sw, dir, "mmscope-exotic.swap"));
}

FIXTURE_TEARDOWN(swap)
{
	mmt_swapfile_off(&self->sw);
}

static void setup_swapped(void *data)
{
	struct kind *k = data;
	char *p = anon(16 * PG, false);
	char *s = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	fill(p, 16 * PG, 14);
	fill(s, 8 * PG, 15);
	clear_soft_dirty();
	memset(p, 1, 8);		/* one soft-dirty page swapped out */
	if (madvise(p, 16 * PG, MADV_PAGEOUT)) {
		skip_kind(k, "MADV_PAGEOUT: %s", strerror(errno));
		return;
	}
	madvise(s, 8 * PG, MADV_PAGEOUT);
	add(k, "swapped anon", p, 16 * PG, R_ALL, NULL);
	add(k, "swapped shmem", s, 8 * PG, R_ALL, NULL);
}

/* Swapped-out anonymous pages (swap entries) and shmem pages (holes). */
TEST_F(swap, swapped)
{
	struct kind k = { 0 };
	unsigned long i, swapped = 0;
	uint64_t e;
	pid_t pid;

	pid = mmt_park(setup_swapped, &k, sizeof(k));
	ASSERT_GT(pid, 0);
	if (k.skip[0]) {
		mmt_reap(pid);
		SKIP(return, "%s", k.skip);
	}
	for (i = 0; i < 16; i++)
		if (!mmt_pagemap(pid, k.r[0].start + i * PG, &e))
			swapped += MMT_PM_SWAP(e);
	ksft_print_msg("%lu of 16 anonymous pages swapped out\n", swapped);
	EXPECT_LT(0, swapped);
	check_all(_metadata, pid, &k);
	mmt_reap(pid);
}

/* ---- poisoned pages ------------------------------------------------------- */

static void on_sigbus(int sig)
{
}

static void setup_hwpoison(void *data)
{
	struct kind *k = data;
	char *p = anon(8 * PG, false);

	fill(p, 8 * PG, 16);
	/*
	 * memory_failure() sends the caller SIGBUS (BUS_MCEERR_AR) for a
	 * dirty page it had mapped, on the way out of madvise(): survive it.
	 */
	signal(SIGBUS, on_sigbus);
	/* Never touched again: the child would get SIGBUS. */
	if (madvise(p + 2 * PG, 2 * PG, MADV_HWPOISON)) {
		skip_kind(k, "MADV_HWPOISON: %s (needs CONFIG_MEMORY_FAILURE)",
			  strerror(errno));
		return;
	}
	add(k, "hwpoison", p, 8 * PG, R_ALL, NULL);
}

/* MADV_HWPOISON: the pages are taken away, hwpoison entries left. */
TEST(hwpoison)
{
	struct kind k = { 0 };

	RUN_KIND(setup_hwpoison, &k);
}

static void setup_uffd_poison(void *data)
{
	struct kind *k = data;
	struct uffdio_poison_ poison = { 0 };
	char *p = anon(8 * PG, false);
	uint64_t have = 0;
	int fd;

	fd = uffd_open(UFFD_FEATURE_POISON_, &have);
	if (fd < 0) {
		skip_kind(k, "no UFFD_FEATURE_POISON (UFFDIO_POISON came in v6.6): %s",
			  strerror(-fd));
		return;
	}
	fill(p, 2 * PG, 17);
	if (uffd_register(fd, p, 8 * PG, UFFDIO_REGISTER_MODE_MISSING)) {
		skip_kind(k, "UFFDIO_REGISTER: %s", strerror(errno));
		return;
	}
	poison.range.start = (unsigned long)p + 4 * PG;
	poison.range.len = 2 * PG;
	if (ioctl(fd, UFFDIO_POISON_, &poison)) {
		skip_kind(k, "UFFDIO_POISON: %s", strerror(errno));
		return;
	}
	add(k, "uffd poison", p, 8 * PG, R_ALL, NULL);
}

/* UFFDIO_POISON: poisoned PTE markers. */
TEST(uffd_poison)
{
	struct kind k = { 0 };

	RUN_KIND(setup_uffd_poison, &k);
}

/* ---- faults while every kind is touched ---------------------------------- */

/*
 * `exotic workload OUT`: map the kinds that a fault can populate, touch
 * them, then write "start len pfn-of-each-page..." per region to OUT from
 * this process's own pagemap (0: not present), and "pfnmap PFN" lines.
 */
static int workload(const char *out)
{
	struct kind k = { 0 };
	FILE *f;
	int i;

	k.pfns[0] = module_pfn("ram_pfn");
	setup_zero(&k);
	setup_shmem(&k);
	setup_mlock(&k);
	setup_protnone(&k);	/* PROT_NONE: written before mprotect */
	if (access(PFNMAP_DEV, F_OK) == 0 && k.n < MAX_REGIONS - 1) {
		struct kind d = { .pfns = { k.pfns[0] } };

		setup_device(&d);
		if (d.n)
			k.r[k.n++] = d.r[0];
	}
	{
		struct kind s = { 0 };

		setup_secretmem(&s);
		if (s.n && k.n < MAX_REGIONS)
			k.r[k.n++] = s.r[0];
		if (s.n)
			fill((char *)s.r[0].start, s.r[0].len, 18);
	}
	f = fopen(out, "w");
	if (!f)
		return 3;
	for (i = 0; i < k.n; i++) {
		unsigned long va;

		fprintf(f, "%s|%lu %lu %lu", k.r[i].name, k.r[i].start,
			k.r[i].len, k.r[i].flags & R_PFNMAP ? k.r[i].pfn : 0);
		for (va = k.r[i].start; va < k.r[i].start + k.r[i].len; va += PG) {
			uint64_t e = 0;

			mmt_pagemap(getpid(), va, &e);
			fprintf(f, " %llu", MMT_PM_PRESENT(e) ?
				(unsigned long long)MMT_PM_PFN(e) : 0ULL);
		}
		fprintf(f, "\n");
	}
	return fclose(f) ? 3 : 0;
}

/*
 * `mmscope faults` traces the workload while it maps and touches the zero
 * page, shmem, mlocked, PROT_NONE (touched before), device (PFNMAP) and
 * secretmem memory: every fault in those regions that reports a PFN reports
 * the one pagemap shows afterwards (for VM_PFNMAP, the module's).
 */
TEST(faults_while_touched)
{
	char out[] = "/tmp/mmscope-exotic-XXXXXX", self[PATH_MAX], *res, *line;
	char *argv[] = { (char *)mmt_cli(), "faults", "--json", "--", self,
			 "workload", out, NULL };
	char *text, *err;
	int status, fd, checked = 0;
	ssize_t n;

	system("grep -q '^mmscope_test_pfnmap ' /proc/modules || insmod " PFNMAP_KO);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_LT(0, n);
	self[n] = '\0';
	fd = mkstemp(out);
	ASSERT_LE(0, fd);
	close(fd);
	text = mmt_run(argv, &status, &err);
	ASSERT_EQ(0, status) ksft_print_msg("faults: %s\n", err ?: "");
	res = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, res);
	ASSERT_NE(0, strlen(res));
	for (line = text; line && *line;) {
		char *nl = strchr(line, '\n'), *r;
		struct mmt_json *ev;
		unsigned long long a, pfn;

		if (nl)
			*nl = '\0';
		ev = mmt_json_parse(line);
		line = nl ? nl + 1 : NULL;
		if (!ev || !mmt_jget(ev, "addr") ||
		    mmt_jget(ev, "pfn")->type != MMT_JNUM) {
			mmt_json_free(ev);
			continue;
		}
		a = mmt_jhex(mmt_jget(ev, "addr"));
		pfn = mmt_jnum(mmt_jget(ev, "pfn"));
		for (r = res; r && *r; r = strchr(r, '\n') ? strchr(r, '\n') + 1 : NULL) {
			unsigned long start, len, mpfn, i;
			char *p = strchr(r, '|'), *q;

			if (!p || sscanf(p + 1, "%lu %lu %lu", &start, &len, &mpfn) != 3 ||
			    a < start || a >= start + len)
				continue;
			i = (a - start) / PG;
			if (mpfn) {
				EXPECT_EQ(mpfn + i, pfn);
			} else {
				unsigned long want = 0, j;

				q = p + 1;
				for (j = 0; j < 3 + i && q; j++) {
					q = strchr(q, ' ');
					if (q)
						q++;
				}
				want = q ? strtoul(q, NULL, 10) : 0;
				/* 0: not present at the end (never mapped for good). */
				if (want)
					EXPECT_EQ(want, pfn) ksft_print_msg("%.*s %#llx\n",
						(int)(p - r), r, a);
			}
			checked++;
			break;
		}
		mmt_json_free(ev);
	}
	ksft_print_msg("%d faults with a PFN in the workload's regions\n", checked);
	EXPECT_LT(0, checked);
	free(res);
	free(text);
	free(err);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "workload"))
		return workload(argv[2]);
	return test_harness_run(argc, argv);
}
