// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope page against the kernel's own oracles:
 *  - flags bit by bit against /proc/kpageflags, mapcount against
 *    /proc/kpagecount, memcg against /proc/kpagecgroup (the cgroup
 *    directory's inode), node and zone against /proc/zoneinfo's spans,
 *    pageblock migratetypes against /proc/pagetypeinfo's block counts, a
 *    free page's block against KPF_BUDDY on its head;
 *  - mappers against a scan of every process's /proc/PID/pagemap: an anon
 *    page after fork, a KSM page after fork (parent and child), a file
 *    page shared by several processes, shmem, a
 *    THP mapped by a PMD in one process and by PTEs in another (the level
 *    against smaps' AnonHugePages of the VMA);
 *  - a free page's per-CPU list against the CPU the freeing child was
 *    pinned to, kpageflags and kpagecount, and after that CPU went offline
 *    (its lists drained) its buddy block against KPF_BUDDY;
 *  - pages freed, unmapped and migrated while queried in a loop: every
 *    answer well formed;
 *  - a page-table frame's level and owner: the tables a child's first
 *    touch of an otherwise empty region allocates (new KPF_PGTABLE frames
 *    of /proc/kpageflags), each entry checked through /proc/kcore down to
 *    the data page's PFN in pagemap; the kernel's own pgd (init_top_pgt
 *    from /proc/kallsyms) and a table below it;
 *  - a reader without CAP_SYS_ADMIN refused, and bad arguments.
 *
 * Racing bits.  A page's flags and counts change while it is looked at
 * (reclaim ages referenced/active/lru, the allocator frees and reuses).
 * So each oracle is read before and after the query: a value the two reads
 * agree on is stable, and the module's must equal it; a value that differs
 * between them changed during the query, and either is right.  A stable
 * mismatch is never retried away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kernel-page-flags.h>
#include <linux/membarrier.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"
#include "lib/kcore.h"

#define PG		4096UL
#define PMD_SZ		(2UL << 20)
#define USER_UID	1000
#define CG		"/sys/fs/cgroup/mmscope-page"
/* linux/mempolicy.h: no libnuma in the static build. */
#define MPOL_BIND	2
#define MPOL_MF_MOVE	(1 << 1)

/* ---- oracles ------------------------------------------------------------ */

static int kpage_read(const char *file, unsigned long pfn, uint64_t *v)
{
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, v, sizeof(*v), pfn * sizeof(*v));
	close(fd);
	return n == sizeof(*v) ? 0 : -EIO;
}

static uint64_t kpageflags(unsigned long pfn)
{
	uint64_t v = 0;

	kpage_read("/proc/kpageflags", pfn, &v);
	return v;
}

static uint64_t kpagecount(unsigned long pfn)
{
	uint64_t v = 0;

	kpage_read("/proc/kpagecount", pfn, &v);
	return v;
}

static uint64_t kpagecgroup(unsigned long pfn)
{
	uint64_t v = 0;

	kpage_read("/proc/kpagecgroup", pfn, &v);
	return v;
}

/* The PFN behind @addr of this process, from pagemap (0: none). */
static unsigned long pfn_of(pid_t pid, const void *addr)
{
	uint64_t e;

	if (mmt_pagemap(pid, (unsigned long)addr, &e) || !MMT_PM_PRESENT(e))
		return 0;
	return MMT_PM_PFN(e);
}

/* ---- the module, directly ---------------------------------------------- */

struct answer {
	struct mmscope_page page;
	struct mmscope_page_mapper m[64];
	unsigned int nr;
	struct mmscope_page_end end;
	char path[4096], memcg[4096];
};

/*
 * One page query through /dev/mmscope; 0 and @a filled, or -errno.  Every
 * record is checked for shape; a malformed stream is -EBADMSG.
 */
static int query(pid_t pid, unsigned long arg, struct answer *a)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PAGE,
		.pid = pid, .start = arg,
	};
	const struct mmscope_rec_hdr *r;
	int fd, err = 0, pages = 0, ends = 0, mappers = 0, done = 0;
	size_t len;
	char *buf;

	memset(a, 0, sizeof(*a));
	fd = open("/dev/mmscope", O_RDONLY);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, MMSCOPE_IOC_QUERY, &q)) {
		err = -errno;
		close(fd);
		return err;
	}
	buf = mmt_dev_read(fd, 1 << 16, &len, &err);
	close(fd);
	if (!buf)
		return err;
	for (r = NULL; (r = mmt_rec_next(buf, len, r));) {
		if (r->type == MMSCOPE_REC_PAGE) {
			const struct mmscope_page *p = (const void *)r;
			size_t off = (p->path_len + 8) & ~7UL;

			if (r->len < sizeof(*p) || r->len != sizeof(*p) + off +
			    ((p->memcg_len + 8) & ~7UL) ||
			    p->strings[p->path_len] ||
			    p->strings[off + p->memcg_len] ||
			    p->path_len >= sizeof(a->path) ||
			    p->memcg_len >= sizeof(a->memcg))
				err = -EBADMSG;
			else {
				memcpy(&a->page, p, sizeof(*p));
				memcpy(a->path, p->strings, p->path_len + 1);
				memcpy(a->memcg, p->strings + off,
				       p->memcg_len + 1);
			}
			pages++;
		} else if (r->type == MMSCOPE_REC_PAGE_MAPPER) {
			const struct mmscope_page_mapper *m = (const void *)r;

			/*
			 * A NUMA-hinting (PROT_NONE) leaf maps its page too,
			 * without the present bit: any flags will do.
			 */
			if (r->len != sizeof(*m) || m->level < MMSCOPE_PT_PUD ||
			    m->level > MMSCOPE_PT_PTE ||
			    memchr(m->comm, 0, sizeof(m->comm)) == NULL) {
				ksft_print_msg("malformed mapper: len %u level %u\n",
					       r->len, m->level);
				err = -EBADMSG;
			}
			else if (a->nr < 64)
				a->m[a->nr++] = *m;
			mappers++;
		} else if (r->type == MMSCOPE_REC_PAGE_END) {
			if (r->len != sizeof(a->end))
				err = -EBADMSG;
			memcpy(&a->end, r, sizeof(a->end));
			ends++;
		} else if (r->type == MMSCOPE_REC_END) {
			done++;
		}
	}
	free(buf);
	if (!err && (pages != 1 || ends != 1 || done != 1 ||
		     a->end.mappers != (unsigned int)mappers ||
		     a->end.complete != (a->end.why == MMSCOPE_WHY_COMPLETE) ||
		     a->end.why >= MMSCOPE_WHY_NR))
		ksft_print_msg("malformed stream: %d pages, %d ends, %d END, %d mappers (end says %llu), complete %u why %u\n",
			       pages, ends, done, mappers,
			       (unsigned long long)a->end.mappers,
			       a->end.complete, a->end.why);
	if (!err && (pages != 1 || ends != 1 || done != 1 ||
		     a->end.mappers != (unsigned int)mappers ||
		     a->end.complete != (a->end.why == MMSCOPE_WHY_COMPLETE) ||
		     a->end.why >= MMSCOPE_WHY_NR ||
		     a->page.pfn != (pid ? a->page.pfn : arg)))
		err = -EBADMSG;
	return err;
}

/* ---- mappers: the pagemap scan of every process ------------------------ */

struct mapping {
	pid_t pid;
	unsigned long addr;
};

#define MAX_MAP	256

/*
 * Every (pid, address) whose pagemap entry maps @pfn; returns how many
 * (at most @max kept).  Processes that exit during the scan are skipped.
 */
static int scan_mappers(unsigned long pfn, struct mapping *out, int max)
{
	static uint64_t ents[512];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	while (d && (de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		char path[64], *maps;
		const char *pos;
		struct mmt_vma v;
		int fd;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		maps = mmt_read_file(path, NULL);
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
		fd = open(path, O_RDONLY);
		for (pos = maps; maps && fd >= 0 && mmt_maps_next(&pos, &v);) {
			unsigned long a;

			/* The vsyscall page is in no page table of the process. */
			if (v.start >= (1ULL << 57))
				continue;
			for (a = v.start; a < v.end; a += 512 * PG) {
				unsigned long i, cnt = (v.end - a) / PG;
				ssize_t got;

				cnt = cnt > 512 ? 512 : cnt;
				got = pread(fd, ents, cnt * 8, a / PG * 8);
				if (got <= 0)
					break;
				for (i = 0; i < (unsigned long)got / 8; i++) {
					if (!MMT_PM_PRESENT(ents[i]) ||
					    MMT_PM_PFN(ents[i]) != pfn)
						continue;
					if (n < max) {
						out[n].pid = pid;
						out[n].addr = a + i * PG;
					}
					n++;
				}
			}
		}
		if (fd >= 0)
			close(fd);
		free(maps);
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * The module's mappers of @pfn equal the pagemap scan's, as sets.  The
 * mappings are held still by the test (parked children), so one scan
 * before the query and one after must agree; else the test's own setup
 * is not still and that is the failure.
 */
static void check_mappers(struct __test_metadata *_metadata,
			  unsigned long pfn, int expect)
{
	struct mapping before[MAX_MAP], after[MAX_MAP];
	struct answer a;
	int nb, na, i, j;

	nb = scan_mappers(pfn, before, MAX_MAP);
	ASSERT_EQ(0, query(0, pfn, &a));
	na = scan_mappers(pfn, after, MAX_MAP);
	ASSERT_EQ(nb, na);
	ASSERT_EQ(0, memcmp(before, after, nb * sizeof(before[0])));
	if (expect >= 0)
		ASSERT_EQ(expect, nb);
	EXPECT_TRUE(a.end.complete) TH_LOG("why %u", a.end.why);
	ASSERT_EQ((unsigned int)nb, a.nr);
	for (i = 0; i < nb; i++) {
		for (j = 0; j < (int)a.nr; j++)
			if (a.m[j].pid == before[i].pid &&
			    a.m[j].addr == before[i].addr)
				break;
		EXPECT_LT(j, (int)a.nr)
			TH_LOG("pagemap: pid %d maps pfn %#lx at %#lx; mmscope does not say so",
			       before[i].pid, pfn, before[i].addr);
	}
	/* kpagecount: the frame's own mappings, here one per mapper. */
	EXPECT_EQ(kpagecount(pfn), a.page.mapcount);
}

/*
 * Flags, mapcount and memcg of @pfn against the oracles read around the
 * query (see the top of the file for the rule).  A value both reads agree
 * on may still have changed and changed back in between (a free page
 * allocated and freed again): so a stable mismatch is judged by majority
 * over three such rounds.  A module that misreads a bit misreads it in
 * every round (or in two of three); a one-off race does not repeat.
 */
#define ROUNDS	3

static void check_oracles(struct __test_metadata *_metadata,
			  unsigned long pfn, struct answer *a)
{
	uint64_t f1, f2, c1, c2, g1, g2, stable, bad_bits[ROUNDS] = { 0 };
	int r, n, bit, bad_count = 0, bad_cg = 0, rounds = 0;

	for (r = 0; r < ROUNDS; r++) {
		f1 = kpageflags(pfn);
		c1 = kpagecount(pfn);
		g1 = kpagecgroup(pfn);
		ASSERT_EQ(0, query(0, pfn, a));
		f2 = kpageflags(pfn);
		c2 = kpagecount(pfn);
		g2 = kpagecgroup(pfn);
		rounds++;
		stable = ~(f1 ^ f2);
		bad_bits[r] = (f1 ^ a->page.flags) & stable;
		if (c1 == c2 && c1 != (uint64_t)a->page.mapcount) {
			bad_count++;
			TH_LOG("pfn %#lx round %d: kpagecount %llu, mmscope %d",
			       pfn, r, (unsigned long long)c1, a->page.mapcount);
		}
		if (g1 == g2 && g1 != a->page.memcg_ino) {
			bad_cg++;
			TH_LOG("pfn %#lx round %d: kpagecgroup %llu, mmscope %llu",
			       pfn, r, (unsigned long long)g1,
			       (unsigned long long)a->page.memcg_ino);
		}
		if (bad_bits[r])
			TH_LOG("pfn %#lx round %d: kpageflags %#llx, mmscope %#llx (stable bits that differ: %#llx)",
			       pfn, r, (unsigned long long)f1,
			       (unsigned long long)a->page.flags,
			       (unsigned long long)bad_bits[r]);
		/* All agree in the first round: that is the verdict. */
		if (!r && !bad_bits[0] && !bad_count && !bad_cg)
			return;
	}
	for (bit = 0; bit < 64; bit++) {
		for (n = 0, r = 0; r < rounds; r++)
			n += !!(bad_bits[r] & (1ULL << bit));
		EXPECT_LT(n, 2) TH_LOG("pfn %#lx: bit %d wrong in %d of %d rounds",
				       pfn, bit, n, rounds);
	}
	EXPECT_LT(bad_count, 2);
	EXPECT_LT(bad_cg, 2);
}

/* ---- children that hold mappings still --------------------------------- */

static void park_noop(void *data)
{
}

/*
 * A forked child gets no PTEs of a shared mapping (fork copies only those
 * of VMAs with an anon_vma; faults fill the rest): read the pages.
 */
struct touch {
	const char *p;
	size_t len;
};

static void park_touch(void *data)
{
	const struct touch *t = data;
	size_t i;

	for (i = 0; i < t->len; i += PG)
		(void)*(volatile const char *)(t->p + i);
}

/* ---- tests --------------------------------------------------------------- */

/* After fork, one anon page: the parent and the child map it, COW. */
TEST(anon_fork)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct answer a;
	unsigned long pfn;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x11, PG);
	child = mmt_park(park_noop, NULL, 0);
	ASSERT_GT(child, 0);
	pfn = pfn_of(getpid(), p);
	ASSERT_NE(0, pfn);
	ASSERT_EQ(pfn, pfn_of(child, p));
	check_mappers(_metadata, pfn, 2);
	check_oracles(_metadata, pfn, &a);
	EXPECT_EQ(MMSCOPE_PAGE_STRUCT, a.page.bits & MMSCOPE_PAGE_STRUCT);
	EXPECT_TRUE(a.page.flags & (1ULL << KPF_ANON));
	/* The child gone, this process alone maps it. */
	mmt_reap(child);
	check_mappers(_metadata, pfn, 1);
	munmap(p, PG);
}

/* The same through the CLI's JSON, and --pid, --phys. */
TEST(cli_json)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char spfn[32], saddr[32], spid[16], sphys[32];
	struct mmt_json *doc, *m, *fl;
	unsigned long pfn;
	uint64_t f1, f2, bits = 0;
	int st, i, k;
	pid_t child;
	/* The names of KPF_* bits, as the JSON dialect spells them. */
	static const struct { int bit; const char *name; } kpf[] = {
		{ KPF_LOCKED, "locked" }, { KPF_REFERENCED, "referenced" },
		{ KPF_UPTODATE, "uptodate" }, { KPF_DIRTY, "dirty" },
		{ KPF_LRU, "lru" }, { KPF_ACTIVE, "active" },
		{ KPF_SLAB, "slab" }, { KPF_WRITEBACK, "writeback" },
		{ KPF_RECLAIM, "reclaim" }, { KPF_BUDDY, "buddy" },
		{ KPF_MMAP, "mmap" }, { KPF_ANON, "anonymous" },
		{ KPF_SWAPCACHE, "swapcache" },
		{ KPF_SWAPBACKED, "swapbacked" },
		{ KPF_COMPOUND_HEAD, "compound_head" },
		{ KPF_COMPOUND_TAIL, "compound_tail" }, { KPF_HUGE, "huge" },
		{ KPF_UNEVICTABLE, "unevictable" }, { KPF_NOPAGE, "nopage" },
		{ KPF_KSM, "ksm" }, { KPF_THP, "thp" },
		{ KPF_ZERO_PAGE, "zero_page" }, { KPF_IDLE, "idle_page" },
		{ KPF_PGTABLE, "pgtable" },
	};

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x22, PG);
	child = mmt_park(park_noop, NULL, 0);
	ASSERT_GT(child, 0);
	pfn = pfn_of(getpid(), p);
	snprintf(spfn, sizeof(spfn), "%lu", pfn);
	snprintf(sphys, sizeof(sphys), "%#lx", pfn * PG + 123);
	snprintf(saddr, sizeof(saddr), "%#lx", (unsigned long)p + 5);
	snprintf(spid, sizeof(spid), "%d", child);
	f1 = kpageflags(pfn);
	doc = mmt_cli_doc(&st, "page", "--json", spfn, NULL);
	f2 = kpageflags(pfn);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("page", mmt_jstr(mmt_jget(doc, "type")));
	EXPECT_EQ(pfn, mmt_jnum(mmt_jget(doc, "pfn")));
	EXPECT_EQ(pfn * PG, mmt_jhex(mmt_jget(doc, "phys")));
	EXPECT_STREQ("anon", mmt_jstr(mmt_jget(doc, "kind")));
	fl = mmt_jget(doc, "flags");
	ASSERT_NE(NULL, fl);
	for (i = 0; i < fl->n; i++)
		for (k = 0; k < (int)(sizeof(kpf) / sizeof(kpf[0])); k++)
			if (!strcmp(mmt_jstr(fl->kids[i]) ?: "", kpf[k].name))
				bits |= 1ULL << kpf[k].bit;
	/* Only the named bits, those that did not change meanwhile. */
	for (k = 0; k < (int)(sizeof(kpf) / sizeof(kpf[0])); k++) {
		uint64_t b = 1ULL << kpf[k].bit;

		if ((f1 & b) == (f2 & b))
			EXPECT_EQ(f1 & b, bits & b)
				TH_LOG("flag %s: kpageflags %d, mmscope's JSON %d",
				       kpf[k].name, !!(f1 & b), !!(bits & b));
	}
	m = mmt_jget(doc, "mappers");
	ASSERT_NE(NULL, m);
	EXPECT_EQ(2, m->n);
	EXPECT_TRUE(mmt_jget(doc, "mappers_complete")->boolean);
	for (i = 0; i < m->n; i++) {
		EXPECT_EQ((unsigned long)p,
			  mmt_jhex(mmt_jget(m->kids[i], "addr")));
		EXPECT_STREQ("pte", mmt_jstr(mmt_jget(m->kids[i], "level")));
	}
	mmt_json_free(doc);
	doc = mmt_cli_doc(&st, "page", "--json", "--phys", sphys, NULL);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(pfn, mmt_jnum(mmt_jget(doc, "pfn")));
	mmt_json_free(doc);
	doc = mmt_cli_doc(&st, "page", "--json", "--pid", spid, saddr, NULL);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(pfn, mmt_jnum(mmt_jget(doc, "pfn")));
	mmt_json_free(doc);
	mmt_reap(child);
	munmap(p, PG);
}

/* A file page mapped shared by several processes. */
TEST(shared_file)
{
	const char *path = "/tmp/mmscope-page-file";
	struct answer a;
	unsigned long pfn;
	pid_t kids[4];
	struct stat sb;
	char *p;
	int fd, i;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 4 * PG));
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x33, 4 * PG);
	for (i = 0; i < 4; i++) {
		struct touch t = { p, 4 * PG };

		kids[i] = mmt_park(park_touch, &t, 0);
		ASSERT_GT(kids[i], 0);
	}
	pfn = pfn_of(getpid(), p + 2 * PG);
	ASSERT_NE(0, pfn);
	check_mappers(_metadata, pfn, 5);
	check_oracles(_metadata, pfn, &a);
	ASSERT_EQ(0, fstat(fd, &sb));
	EXPECT_TRUE(a.page.bits & MMSCOPE_PAGE_FILE);
	EXPECT_EQ(sb.st_ino, a.page.file_inode);
	EXPECT_EQ(2, a.page.file_index);
	/* Its path inside its file system: /tmp may be a mount of its own. */
	EXPECT_NE(NULL, strstr(a.path, "/mmscope-page-file")) TH_LOG("%s", a.path);
	for (i = 0; i < 4; i++)
		mmt_reap(kids[i]);
	munmap(p, 4 * PG);
	close(fd);
	unlink(path);
}

/* Shared anonymous memory (shmem) after fork. */
TEST(shmem)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct answer a;
	unsigned long pfn;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x44, PG);
	child = mmt_park(park_touch, &(struct touch){ p, PG }, 0);
	ASSERT_GT(child, 0);
	pfn = pfn_of(getpid(), p);
	ASSERT_NE(0, pfn);
	check_mappers(_metadata, pfn, 2);
	check_oracles(_metadata, pfn, &a);
	EXPECT_TRUE(a.page.flags & (1ULL << KPF_SWAPBACKED));
	mmt_reap(child);
	munmap(p, PG);
}

/* smaps' AnonHugePages of the VMA holding @addr in @pid, kB (-1: none). */
static long anon_huge_kb(pid_t pid, unsigned long addr)
{
	char path[64], *s, *line;
	unsigned long start, end;
	long kb = -1;
	bool in = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	s = mmt_read_file(path, NULL);
	for (line = s; line && *line;) {
		char *nl = strchr(line, '\n');

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = addr >= start && addr < end;
		else if (in && !strncmp(line, "AnonHugePages:", 14))
			kb = strtol(line + 14, NULL, 10);
		line = nl ? nl + 1 : NULL;
	}
	free(s);
	return kb;
}

struct thp_child {
	char *thp;
};

/* Split the child's PMD into PTEs: mprotect a page inside (not the folio). */
static void thp_split_pmd(void *data)
{
	struct thp_child *t = data;

	mprotect(t->thp + 64 * PG, PG, PROT_READ);
}

/* A THP mapped by a PMD in this process and by PTEs in a child. */
TEST(thp_pmd_and_ptes)
{
	struct thp_child t;
	struct answer a;
	unsigned long pfn, i;
	char *raw;
	pid_t child;
	bool pmd = false, pte = false;

	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		SKIP(return, "no transparent huge pages in this kernel");
	raw = mmap(NULL, 2 * PMD_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	t.thp = (char *)(((unsigned long)raw + PMD_SZ - 1) & ~(PMD_SZ - 1));
	ASSERT_EQ(0, madvise(t.thp, PMD_SZ, MADV_HUGEPAGE));
	memset(t.thp, 0x55, PMD_SZ);
	pfn = pfn_of(getpid(), t.thp + 3 * PG);
	ASSERT_NE(0, pfn);
	ASSERT_TRUE(kpageflags(pfn) & (1ULL << KPF_THP))
		TH_LOG("no THP after MADV_HUGEPAGE (enabled=never?)");
	child = mmt_park(thp_split_pmd, &t, 0);
	ASSERT_GT(child, 0);
	ASSERT_EQ(pfn, pfn_of(child, t.thp + 3 * PG));
	check_mappers(_metadata, pfn, 2);
	ASSERT_EQ(0, query(0, pfn, &a));
	EXPECT_TRUE(a.page.bits & MMSCOPE_PAGE_LARGE);
	EXPECT_EQ(9, a.page.folio_order);
	EXPECT_EQ(pfn - 3, a.page.folio_pfn);
	/* The level: smaps counts PMD-mapped THPs only in AnonHugePages. */
	for (i = 0; i < a.nr; i++) {
		long kb = anon_huge_kb(a.m[i].pid, a.m[i].addr);

		ASSERT_GE(kb, 0);
		EXPECT_EQ(kb > 0 ? MMSCOPE_PT_PMD : MMSCOPE_PT_PTE,
			  a.m[i].level)
			TH_LOG("pid %d: AnonHugePages %ld kB, level %u",
			       a.m[i].pid, kb, a.m[i].level);
		pmd |= a.m[i].level == MMSCOPE_PT_PMD;
		pte |= a.m[i].level == MMSCOPE_PT_PTE;
	}
	EXPECT_TRUE(pmd && pte);
	mmt_reap(child);
	munmap(raw, 2 * PMD_SZ);
}

/* The memcg of a page charged in a cgroup of our own. */
TEST(memcg)
{
	struct answer a;
	unsigned long pfn;
	struct stat sb;
	char *p, pid[16];

	mkdir("/sys/fs/cgroup", 0755);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0,
				   NULL));
	mmt_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, mmt_write_str(CG "/cgroup.procs", pid));
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x66, PG);
	pfn = pfn_of(getpid(), p);
	check_oracles(_metadata, pfn, &a);
	ASSERT_EQ(0, stat(CG, &sb));
	EXPECT_EQ(sb.st_ino, kpagecgroup(pfn));
	EXPECT_EQ(sb.st_ino, a.page.memcg_ino);
	EXPECT_STREQ("/mmscope-page", a.memcg);
	munmap(p, PG);
	mmt_write_str("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(CG);
}

static long ksm_counter(const char *name)
{
	char path[64], *s;
	long v;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	s = mmt_read_file(path, NULL);
	v = s ? strtol(s, NULL, 10) : -1;
	free(s);
	return v;
}

/*
 * A KSM page mapped by two processes: KSM_PG identical pages merged by
 * ksmd (waited for by its full-scan count, not by time), ksmd stopped,
 * then fork(): parent and child map the one KSM frame at the same
 * addresses.  Through KSM's reverse map (the stable node's rmap_items, all
 * the parent's, and for the child, which ksmd never scanned, the VMAs of
 * other processes in the rmap_items' anon_vma trees: rmap_walk_ksm()'s
 * second pass) the module must list every (pid, address)
 * whose pagemap shows the frame, each once, nothing else, complete, as
 * many as /proc/kpagecount counts.  The expected set is the two
 * processes' pagemaps, read before and after the query (equal: nothing
 * unmerges these pages meanwhile, both processes only wait).
 */
#define KSM_PG		8
#define KSM_CORRUPT	"/sys/module/mmscope/parameters/ksm_corrupt"

/* Which of the KSM_PG pages from @p map @pfn in @pid (pagemap): a mask. */
static unsigned int ksm_mapped(pid_t pid, const char *p, unsigned long pfn)
{
	unsigned int mask = 0;
	int i;

	for (i = 0; i < KSM_PG; i++)
		if (pfn_of(pid, p + i * PG) == pfn)
			mask |= 1U << i;
	return mask;
}

TEST(ksm)
{
	long run = ksm_counter("run"), scans;
	char *p = mmap(NULL, KSM_PG * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int want[2], got[2] = { 0, 0 }, before[2];
	unsigned long pfn = 0;
	pid_t pids[2], child;
	int go[2], i, j, dup = 0, stray = 0;
	struct answer a;
	char c = 0, runv[24];

	if (run < 0)
		SKIP(return, "no KSM (/sys/kernel/mm/ksm)");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x77, KSM_PG * PG);
	ASSERT_EQ(0, madvise(p, KSM_PG * PG, MADV_MERGEABLE));
	ASSERT_EQ(0, mmt_write_str("/sys/kernel/mm/ksm/run", "1"));
	/* Merging takes two scans (checksum, then merge): allow ten. */
	scans = ksm_counter("full_scans");
	while (ksm_counter("full_scans") < scans + 10) {
		pfn = pfn_of(getpid(), p);
		if (pfn && ksm_mapped(getpid(), p, pfn) == (1U << KSM_PG) - 1)
			break;
		usleep(20000);
	}
	ASSERT_NE(0, pfn);
	ASSERT_EQ((1U << KSM_PG) - 1, ksm_mapped(getpid(), p, pfn))
		TH_LOG("not merged");
	/*
	 * ksmd stopped (run 0 keeps what it merged): it never scans the
	 * child, whose mappings only the second pass can find.
	 */
	ASSERT_EQ(0, mmt_write_str("/sys/kernel/mm/ksm/run", "0"));
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);
	}
	close(go[0]);
	pids[0] = getpid();
	pids[1] = child;
	for (j = 0; j < 2; j++)
		before[j] = ksm_mapped(pids[j], p, pfn);
	ASSERT_EQ(0, query(0, pfn, &a));
	for (j = 0; j < 2; j++)
		want[j] = ksm_mapped(pids[j], p, pfn);
	EXPECT_EQ(before[0], want[0]);
	EXPECT_EQ(before[1], want[1]);
	EXPECT_EQ((1U << KSM_PG) - 1, want[0]);
	EXPECT_EQ((1U << KSM_PG) - 1, want[1]) TH_LOG("the child's pagemap");
	EXPECT_TRUE(kpageflags(pfn) & (1ULL << KPF_KSM));
	EXPECT_EQ(MMSCOPE_FRAME_KSM, a.page.kind);
	EXPECT_TRUE(a.end.complete) TH_LOG("why %u", a.end.why);
	EXPECT_EQ(MMSCOPE_WHY_COMPLETE, a.end.why);
	for (i = 0; i < (int)a.nr; i++) {
		unsigned long off = a.m[i].addr - (unsigned long)p;

		for (j = 0; j < 2 && a.m[i].pid != pids[j]; j++)
			;
		if (j == 2 || a.m[i].addr < (unsigned long)p ||
		    off >= KSM_PG * PG || off % PG ||
		    pfn_of(pids[j], (void *)a.m[i].addr) != pfn) {
			stray++;
			TH_LOG("mapper %d: pid %d addr %#llx", i, a.m[i].pid,
			       (unsigned long long)a.m[i].addr);
			continue;
		}
		dup += !!(got[j] & 1U << off / PG);
		got[j] |= 1U << off / PG;
	}
	EXPECT_EQ(0, stray);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(want[0], got[0]);
	EXPECT_EQ(want[1], got[1]);
	EXPECT_EQ(2 * KSM_PG, a.nr);
	EXPECT_EQ(kpagecount(pfn), a.end.mappers);
	/*
	 * The checks before anything read through a BTF offset is followed:
	 * the stable node's kpfn (1), an rmap_item's head (2) read at a wrong
	 * offset (testing parameter) must stop the walk, "changed", nothing
	 * listed.
	 */
	for (i = 1; i <= 2; i++) {
		char v[4];

		snprintf(v, sizeof(v), "%d", i);
		ASSERT_EQ(0, mmt_write_str(KSM_CORRUPT, v));
		j = query(0, pfn, &a);
		mmt_write_str(KSM_CORRUPT, "0");
		ASSERT_EQ(0, j);
		EXPECT_FALSE(a.end.complete) TH_LOG("ksm_corrupt=%d", i);
		EXPECT_EQ(MMSCOPE_WHY_CHANGED, a.end.why) TH_LOG("ksm_corrupt=%d", i);
		EXPECT_EQ(0, a.nr) TH_LOG("ksm_corrupt=%d", i);
	}
	close(go[1]);
	waitpid(child, NULL, 0);
	munmap(p, KSM_PG * PG);
	snprintf(runv, sizeof(runv), "%ld", run);
	mmt_write_str("/sys/kernel/mm/ksm/run", runv);
}

/* ---- every kind of frame: a sweep over physical memory ----------------- */

/*
 * The long tests: minutes under KASAN in TCG, where the default 300 s
 * timed out on check-debug.  (The harness sets a timeout per fixture test
 * only; this fixture holds nothing.)
 */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

struct zone_span {
	int node;
	char name[16];
	unsigned long start, spanned;
	long blocks[8];		/* pagetypeinfo "Number of blocks type" */
};

/* Node, zone and span of every populated zone, from /proc/zoneinfo. */
static int zoneinfo(struct zone_span *z, int max)
{
	char *s = mmt_read_file("/proc/zoneinfo", NULL), *l;
	int n = -1;

	for (l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int node;
		char name[16];

		if (sscanf(l, "Node %d, zone %15s", &node, name) == 2) {
			if (n + 1 >= max)
				break;
			n++;
			memset(&z[n], 0, sizeof(z[n]));
			z[n].node = node;
			strcpy(z[n].name, name);
		} else if (n >= 0 && sscanf(l, " spanned %lu", &z[n].spanned) == 1) {
			;
		} else if (n >= 0) {
			sscanf(l, " start_pfn: %lu", &z[n].start);
		}
	}
	free(s);
	return n + 1;
}

static struct zone_span *zone_of(struct zone_span *z, int n, int node,
				 const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (z[i].node == node && !strcmp(z[i].name, name))
			return &z[i];
	return NULL;
}

static unsigned long max_pfn(void)
{
	struct stat sb;

	/* kpageflags' size: up to the last section's end (get_max_dump_pfn). */
	if (stat("/proc/kpageflags", &sb) || !sb.st_size)
		return 1UL << 19;
	return sb.st_size / 8;
}

/*
 * Every 61st frame (a prime stride: all offsets within pageblocks and
 * folios come up): flags, mapcount, memcg against the oracles, node and
 * zone against zoneinfo's spans, a free frame's block against
 * KPF_BUDDY.
 */
TEST_F_TIMEOUT(slow, sweep, 900)
{
	struct zone_span z[16];
	unsigned long pfn, end = max_pfn(), checked = 0, buddies = 0;
	int nz = zoneinfo(z, 16);
	struct answer a;

	ASSERT_GT(nz, 0);
	for (pfn = 0; pfn < end; pfn += 61) {
		struct zone_span *zs;

		check_oracles(_metadata, pfn, &a);
		checked++;
		if (!(a.page.bits & MMSCOPE_PAGE_STRUCT)) {
			/* No online struct page: kpageflags says NOPAGE too. */
			EXPECT_TRUE(kpageflags(pfn) & (1ULL << KPF_NOPAGE));
			continue;
		}
		if (!(a.page.bits & MMSCOPE_PAGE_ZONE)) {
			int i;

			/* In no zone: then no zone of zoneinfo spans it. */
			for (i = 0; i < nz; i++)
				EXPECT_FALSE(pfn >= z[i].start &&
					     pfn < z[i].start + z[i].spanned)
					TH_LOG("pfn %#lx in no zone, but in node %d %s",
					       pfn, z[i].node, z[i].name);
			continue;
		}
		zs = zone_of(z, nz, a.page.node, a.page.zone);
		ASSERT_NE(NULL, zs) TH_LOG("node %d zone %s not in zoneinfo",
					   a.page.node, a.page.zone);
		EXPECT_TRUE(pfn >= zs->start && pfn < zs->start + zs->spanned)
			TH_LOG("pfn %#lx outside node %d %s [%#lx, +%#lx)", pfn,
			       zs->node, zs->name, zs->start, zs->spanned);
		if (a.page.bits & MMSCOPE_PAGE_BUDDY) {
			unsigned long h = a.page.buddy_pfn;
			uint64_t f1, f2;

			buddies++;
			EXPECT_EQ(0, h & ((1UL << a.page.buddy_order) - 1));
			EXPECT_TRUE(pfn >= h &&
				    pfn < h + (1UL << a.page.buddy_order));
			/*
			 * The head is a buddy in kpageflags, unless the block
			 * was allocated or merged between our reads: then the
			 * head's bit changes between two reads around a new
			 * query, so judge only a block that is still there.
			 */
			f1 = kpageflags(h);
			ASSERT_EQ(0, query(0, pfn, &a));
			f2 = kpageflags(h);
			if ((a.page.bits & MMSCOPE_PAGE_BUDDY) &&
			    a.page.buddy_pfn == h && !((f1 ^ f2) & (1ULL << KPF_BUDDY)))
				EXPECT_TRUE(f1 & (1ULL << KPF_BUDDY))
					TH_LOG("block %#lx of pfn %#lx: no KPF_BUDDY",
					       h, pfn);
		}
	}
	ksft_print_msg("%lu frames checked, %lu in free blocks\n", checked,
		       buddies);
	EXPECT_GT(buddies, 0);
}

/*
 * Pageblock migratetypes against /proc/pagetypeinfo: the module's type of
 * every pageblock of a zone, counted as pagetypeinfo counts them (from the
 * zone's start PFN in pageblock steps), equals "Number of blocks type".
 * A block's type changes rarely (stealing, isolation); the table is read
 * before and after, and a zone is judged only when both reads agree.
 */
static int blocks_table(struct zone_span *z, int nz, char names[8][16],
			int *nmt)
{
	char *s = mmt_read_file("/proc/pagetypeinfo", NULL), *l, *hdr;
	int found = 0;

	/* One "Number of blocks type" table per node. */
	for (hdr = s ? strstr(s, "Number of blocks type") : NULL; hdr;
	     hdr = strstr(hdr + 1, "Number of blocks type")) {
		*nmt = sscanf(hdr, "Number of blocks type %15s %15s %15s %15s %15s %15s %15s %15s",
			      names[0], names[1], names[2], names[3], names[4],
			      names[5], names[6], names[7]);
		for (l = strchr(hdr, '\n'); l && *++l;
		     l = strchr(l, '\n')) {
			int node, i;
			char name[16];
			struct zone_span *zs;
			char *p;

			if (sscanf(l, "Node %d, zone %15s", &node, name) != 2)
				break;
			zs = zone_of(z, nz, node, name);
			if (!zs)
				continue;
			p = strstr(l, name) + strlen(name);
			for (i = 0; i < *nmt && i < 8; i++)
				zs->blocks[i] = strtol(p, &p, 10);
			found++;
		}
	}
	free(s);
	return found;
}

TEST(pageblock_migratetype)
{
	struct zone_span z1[16], z2[16];
	char names[8][16];
	int nz = zoneinfo(z1, 16), nmt = 0, i, k, judged = 0;
	struct answer a;

	ASSERT_GT(nz, 0);
	memcpy(z2, z1, sizeof(z1));
	ASSERT_GT(blocks_table(z1, nz, names, &nmt), 0);
	for (i = 0; i < nz; i++) {
		long count[8] = { 0 };
		unsigned long pfn;

		for (pfn = z1[i].start; pfn < z1[i].start + z1[i].spanned;
		     pfn += 512) {
			ASSERT_EQ(0, query(0, pfn, &a));
			if (!(a.page.bits & MMSCOPE_PAGE_ZONE) ||
			    a.page.node != z1[i].node ||
			    strcmp(a.page.zone, z1[i].name))
				continue;
			for (k = 0; k < nmt; k++)
				if (!strcmp(names[k], a.page.pageblock_mt_name))
					count[k]++;
		}
		blocks_table(z2, nz, names, &nmt);
		if (memcmp(z1[i].blocks, z2[i].blocks, sizeof(z1[i].blocks)))
			continue;
		judged++;
		for (k = 0; k < nmt; k++)
			EXPECT_EQ(z1[i].blocks[k], count[k])
				TH_LOG("node %d %s: %s blocks: pagetypeinfo %ld, mmscope %ld",
				       z1[i].node, z1[i].name, names[k],
				       z1[i].blocks[k], count[k]);
	}
	EXPECT_GT(judged, 0);
}

/* ---- races -------------------------------------------------------------- */

#define RACE_PAGES	64

struct race {
	char *area;
	volatile int stop;
	unsigned long pfns[RACE_PAGES];
};

/* Map, touch, unmap, zap: the frames come and go under the queries. */
static void *churn(void *arg)
{
	struct race *r = arg;
	unsigned long nodes;
	int i, round = 0;

	while (!r->stop) {
		char *p = mmap(r->area, RACE_PAGES * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED)
			break;
		for (i = 0; i < RACE_PAGES; i++)
			p[i * PG] = i;
		for (i = 0; i < RACE_PAGES; i++)
			r->pfns[i] = pfn_of(getpid(), p + i * PG);
		if (round % 3 == 1)
			madvise(p, RACE_PAGES * PG, MADV_DONTNEED);
		if (round % 3 == 2) {
			/* Migrate to the other node when there is one. */
			nodes = 1UL << (round / 3 % 2);
			syscall(SYS_mbind, p, RACE_PAGES * PG, MPOL_BIND,
				&nodes, 8, MPOL_MF_MOVE, 0);
		}
		if (round % 5 == 0 && !fork())
			_exit(0);	/* COW sharing that ends at once */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		round++;
	}
	return NULL;
}

TEST_F_TIMEOUT(slow, racing, 900)
{
	struct race r = { 0 };
	struct answer a;
	pthread_t th;
	int i, err, ok = 0;

	r.area = mmap(NULL, RACE_PAGES * PG, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r.area);
	ASSERT_EQ(0, pthread_create(&th, NULL, churn, &r));
	for (i = 0; i < 3000; i++) {
		unsigned long pfn = r.pfns[i % RACE_PAGES];

		err = query(0, pfn, &a);
		ASSERT_EQ(0, err) TH_LOG("query %d pfn %#lx: %s", i, pfn,
					 strerror(-err));
		ok++;
		err = query(getpid(), (unsigned long)r.area + (i % RACE_PAGES) * PG,
			    &a);
		/* Unmapped right then: no page at the address. */
		ASSERT_TRUE(err == 0 || err == -ENXIO)
			TH_LOG("pid query %d: %s", i, strerror(-err));
	}
	r.stop = 1;
	pthread_join(th, NULL);
	ksft_print_msg("%d racing queries well formed\n", ok);
}

/* ---- refusals and bad arguments ----------------------------------------- */

/* ---- free frames on a per-CPU list ------------------------------------- */

#define PCP_N	64

struct pcp_shared {
	int state;			/* 0 working, 1 freed, -1 failed */
	unsigned long pfn[PCP_N];
};

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * On CPU 1: PCP_N order-0 anonymous pages, their PFNs from pagemap, then
 * munmap(): free_unref_page() puts each on CPU 1's per-CPU list of its
 * zone (LIFO, at the head).  Then idle: nothing allocated on CPU 1 by this
 * process (the handshake is a word in a shared page touched before).
 */
static void pcp_child(struct pcp_shared *sh)
{
	char *p;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p = mmap(NULL, PCP_N * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pin_cpu(1) || p == MAP_FAILED) {
		__atomic_store_n(&sh->state, -1, __ATOMIC_RELEASE);
		_exit(1);
	}
	for (i = 0; i < PCP_N; i++)
		p[i * PG] = 1;
	for (i = 0; i < PCP_N; i++)
		sh->pfn[i] = pfn_of(getpid(), p + i * PG);
	munmap(p, PCP_N * PG);
	__atomic_store_n(&sh->state, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* What one CLI answer says about @pfn's lists; 0, or -1 on no answer. */
struct pcp_view {
	bool pcp, buddy;
	long cpu;
	unsigned long head, order;
};

static int pcp_query(unsigned long pfn, struct pcp_view *v)
{
	struct mmt_json *doc, *pcp, *buddy;
	char spfn[32];
	int st;

	memset(v, 0, sizeof(*v));
	snprintf(spfn, sizeof(spfn), "%lu", pfn);
	doc = mmt_cli_doc(&st, "page", "--json", spfn, NULL);
	if (!doc)
		return -1;
	pcp = mmt_jget(doc, "pcp");
	buddy = mmt_jget(doc, "buddy");
	if (!pcp || !buddy) {
		mmt_json_free(doc);
		return -1;
	}
	v->buddy = buddy->type != MMT_JNULL;
	v->pcp = pcp->type != MMT_JNULL;
	if (v->pcp) {
		v->cpu = mmt_jnum(mmt_jget(pcp, "cpu"));
		v->head = mmt_jnum(mmt_jget(pcp, "pfn"));
		v->order = mmt_jnum(mmt_jget(pcp, "order"));
	}
	mmt_json_free(doc);
	return 0;
}

/*
 * The text and the debugfs view of a page just found on CPU 1's list as
 * the child freed it: true when both name that list entry.  The page can
 * be taken meanwhile (seen on 6.12-rt: the guest's own `sleep` on CPU 1
 * mapped it between the JSON query and the text one), so a miss is logged
 * and the caller tries the next such page; every one of them missing is
 * the failure.
 */
static bool pcp_texts(unsigned long pfn)
{
	char num[32], want[96], *out, *err = NULL;
	bool text, debugfs;
	int st;

	snprintf(num, sizeof(num), "%lu", pfn);
	out = mmt_cli_run(&st, &err, "page", num, NULL);
	snprintf(want, sizeof(want), "on CPU 1's list: block at pfn %lu, order 0 ",
		 pfn);
	text = out && strstr(out, want);
	if (!text)
		ksft_print_msg("pfn %#lx: the text does not say \"%s\" (taken meanwhile?):\n%s\n",
			       pfn, want, out ?: err ?: "");
	free(out);
	free(err);
	if (mmt_write_str("/sys/module/mmscope/parameters/pfn", num))
		return false;
	out = mmt_read_file("/sys/kernel/debug/mmscope/page", NULL);
	snprintf(want, sizeof(want), "pcp cpu 1 block %#lx order 0 ", pfn);
	debugfs = out && strstr(out, want);
	if (!debugfs)
		ksft_print_msg("pfn %#lx: debugfs does not say \"%s\" (taken meanwhile?):\n%s\n",
			       pfn, want, out ?: "");
	free(out);
	return text && debugfs;
}

/*
 * The oracle is what the test did itself: the CPU the freeing child was
 * pinned to, the PFNs pagemap gave before the munmap(), and kpageflags /
 * kpagecount read before and after each query (a value both reads agree
 * on is stable: the answer must be consistent with it).
 *
 * Tolerances:
 *  - Every answer is consistent with the stable oracle: on a per-CPU list
 *    means not KPF_BUDDY and kpagecount 0; in a buddy block means
 *    KPF_BUDDY; a stable KPF_BUDDY means a buddy block and no list.  Two
 *    equal reads do not prove the page stayed put between them: it can be
 *    allocated and freed, or freed and allocated again, during one query
 *    (the debug kernel, slow under KASAN, showed 3 of 64 so: an allocated
 *    page found on a list, two free ones in buddy blocks that kpageflags
 *    read in neither).  At most PCP_N / 16 answers may disagree; each is
 *    logged.
 *  - Nothing is claimed about CPU 0's list.  A page leaves CPU 1's list
 *    for the buddy allocator when the list is trimmed past pcp->high or,
 *    on 6.12, when vmstat_update()'s decay_pcp_high() shrinks it, about
 *    once a second: under TCG with other VMs on the host the 64 queries
 *    take many seconds.  CPU 0's own allocations (this test, the CLI)
 *    refill CPU 0's list from the buddy allocator in batches, so a page of
 *    ours can rightly sit on CPU 0's list by then (seen: 4 of 64 with five
 *    VMs on the host's two cores).  The answer is still checked against
 *    the stable oracle above.
 *  - At least PCP_N / 16 are on CPU 1's list as the entry the child freed
 *    (order 0, head its own PFN).  The list is LIFO and both the trim and
 *    the decay free its oldest entries first (free_pcppages_bulk() from
 *    the tail), so the queries go newest first.  Measured: 53 to 64 of 64
 *    on a quiet host, 33 with five VMs on its two cores, 7 on the debug
 *    kernel (KASAN: each query takes long, and CPU 1's own allocations
 *    took the rest back); the bound leaves room below that, and a wrong
 *    CPU, order or head gives 0.
 *
 * Then CPU 1 is taken offline: page_alloc_cpu_dead() drains its lists to
 * the buddy allocator (drain_pages(), on 6.1 and 6.12; writing
 * /proc/sys/vm/compact_memory does not: compact_nodes() never calls
 * drain_all_pages(), only kcompactd does, after a failed compaction).
 * While it is offline its lists stay empty, so nothing may be reported
 * on them, and every page kpageflags shows BUDDY (stably) is reported in
 * its buddy block and on no list, but for the same allocated-and-freed
 * answers as above, counted in the same PCP_N / 16 (the debug kernel
 * showed 2: one on CPU 0's list, one in neither); at least one is (each
 * page was on CPU 1's list or in the buddy allocator a moment before; CPU
 * 0 reallocating every one in the window would take all PCP_N).
 */
TEST(pcp_list)
{
	struct pcp_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const char *online = "/sys/devices/system/cpu/cpu1/online";
	int i, on0 = 0, on1 = 0, own1 = 0, buddies = 0, late1 = 0, aba = 0, state;
	bool texts = false;
	uint64_t f1, f2, c1, c2;
	struct pcp_view v;
	cpu_set_t saved;
	pid_t child;

	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	ASSERT_GE(sysconf(_SC_NPROCESSORS_ONLN), 2) TH_LOG("the VM has 2 vCPUs");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	ASSERT_EQ(0, pin_cpu(0));
	child = fork();
	ASSERT_GE(child, 0);
	if (!child)
		pcp_child(sh);
	while (!(state = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE)) &&
	       waitpid(child, NULL, WNOHANG) == 0)
		usleep(1000);
	ASSERT_EQ(1, state) {
		mmt_reap(child);
	}
	for (i = PCP_N - 1; i >= 0; i--) {
		unsigned long pfn = sh->pfn[i];

		ASSERT_NE(0, pfn);
		f1 = kpageflags(pfn);
		c1 = kpagecount(pfn);
		ASSERT_EQ(0, pcp_query(pfn, &v));
		f2 = kpageflags(pfn);
		c2 = kpagecount(pfn);
		if (v.pcp) {
			EXPECT_FALSE(v.buddy);
			EXPECT_TRUE(v.head <= pfn && pfn - v.head < (1UL << v.order))
				TH_LOG("pfn %#lx outside the entry %#lx order %lu",
				       pfn, v.head, v.order);
			if (f1 == f2 && c1 == c2 &&
			    ((f1 & (1ULL << KPF_BUDDY)) || c1)) {
				aba++;
				ksft_print_msg("pfn %#lx on CPU %ld's list, kpageflags %#llx count %llu before and after\n",
					       pfn, v.cpu, (unsigned long long)f1,
					       (unsigned long long)c1);
			}
			on0 += v.cpu == 0;
			on1 += v.cpu == 1;
			if (v.cpu == 1 && v.order == 0 && v.head == pfn) {
				own1++;
				if (!texts)
					texts = pcp_texts(pfn);
			}
		}
		if (v.buddy && f1 == f2 && !(f1 & (1ULL << KPF_BUDDY))) {
			aba++;
			ksft_print_msg("pfn %#lx in a buddy block, kpageflags %#llx before and after\n",
				       pfn, (unsigned long long)f1);
		}
		if (f1 == f2 && (f1 & (1ULL << KPF_BUDDY)) && !(v.buddy && !v.pcp)) {
			aba++;
			ksft_print_msg("pfn %#lx BUDDY before and after, the answer buddy %d pcp %d\n",
				       pfn, v.buddy, v.pcp);
		}
	}
	ksft_print_msg("pcp: %d of %d freed pages on CPU 1's list as freed (%d on CPU 1, %d on CPU 0)\n",
		       own1, PCP_N, on1, on0);
	EXPECT_GE(own1, PCP_N / 16);
	EXPECT_TRUE(texts) TH_LOG("no page on CPU 1's list named so by the text and debugfs");

	/* Drain CPU 1's lists: take it offline. */
	EXPECT_EQ(0, mmt_write_str(online, "0"));
	for (i = 0; i < PCP_N; i++) {
		unsigned long pfn = sh->pfn[i];

		f1 = kpageflags(pfn);
		if (pcp_query(pfn, &v)) {
			EXPECT_TRUE(0) TH_LOG("pfn %#lx: no answer", pfn);
			continue;
		}
		f2 = kpageflags(pfn);
		late1 += v.pcp && v.cpu == 1;
		if (f1 == f2 && (f1 & (1ULL << KPF_BUDDY))) {
			if (!v.buddy || v.pcp) {
				aba++;
				ksft_print_msg("pfn %#lx BUDDY before and after the drain's query, the answer buddy %d pcp %d (cpu %ld)\n",
					       pfn, v.buddy, v.pcp, v.cpu);
			}
			buddies++;
		}
	}
	EXPECT_LE(aba, PCP_N / 16);
	EXPECT_EQ(0, mmt_write_str(online, "1"));
	ksft_print_msg("pcp: after CPU 1's drain %d of %d in buddy blocks\n",
		       buddies, PCP_N);
	EXPECT_EQ(0, late1);
	EXPECT_GE(buddies, 1);
	mmt_reap(child);
	sched_setaffinity(0, sizeof(saved), &saved);
	munmap(sh, sizeof(*sh));
}

/* ---- page-table frames: which table, of whom --------------------------- */

/*
 * An address whose pgd, p4d, pud and pmd slots nothing else of a fresh
 * child uses, with either paging mode: 16 TiB + 7 GiB + 10 MiB + 12 KiB
 * (aligned to no table's span, so each table's first address differs
 * from it).  With 4 levels
 * its pgd slot is 32 (512 GiB each; a program, its libraries, heap and
 * stack sit in slots 0 and 255); with 5 levels it shares pgd slot 0 and
 * the p4d table under it with the program, and its p4d slot is 32.  So
 * the first touch allocates a new pud, pmd and PTE table, and with 5
 * levels no p4d table.
 */
#define PT_ADDR		((16UL << 40) + (7UL << 30) + (5UL << 21) + (3UL << 12))
#define PTE_PHYS_MASK	0x000ffffffffff000ULL
#define PT_PFNS		(1UL << 24)
#define PT_ROUNDS	5

static bool la57(void)
{
	char *buf = mmt_read_file("/proc/cpuinfo", NULL);
	bool yes = buf && strstr(buf, " la57");

	free(buf);
	return yes;
}

/* Address bits each level's index takes (pgd's depends on the mode). */
static int pt_shift(int level, bool five)
{
	static const int shift[] = { 39, 39, 30, 21, 12 };

	return level == 0 && five ? 48 : shift[level];
}

static const char *const pt_levels[] = { "pgd", "p4d", "pud", "pmd", "pte" };

/* Entry @idx of the table at physical @pa, through /proc/kcore. */
static int kentry(unsigned long long po, unsigned long long pa, int idx,
		  uint64_t *e)
{
	return mmt_kcore(po + pa + idx * 8ULL, e, sizeof(*e));
}

/* Every PFN /proc/kpageflags marks KPF_PGTABLE, as a bitmap. */
static uint8_t *pgtable_frames(unsigned long n)
{
	static uint64_t buf[4096];
	uint8_t *map = calloc(n / 8 + 1, 1);
	int fd = open("/proc/kpageflags", O_RDONLY);
	unsigned long pfn = 0, i;
	ssize_t got;

	while (map && fd >= 0 && pfn < n &&
	       (got = pread(fd, buf, sizeof(buf), pfn * 8)) > 0) {
		for (i = 0; i < (unsigned long)got / 8 && pfn + i < n; i++)
			if (buf[i] & (1ULL << KPF_PGTABLE))
				map[(pfn + i) / 8] |= 1 << ((pfn + i) % 8);
		pfn += got / 8;
	}
	if (fd >= 0)
		close(fd);
	return map;
}

/*
 * `mmscope page --json PFN`'s pagetable: the owner that is process @pid
 * (or the kernel, @pid 0) with its level and address; false if none.
 */
static bool cli_pt_owner(unsigned long pfn, pid_t pid, char *level,
			 unsigned long *addr, bool *complete)
{
	struct mmt_json *doc, *pt, *ow;
	char spfn[32];
	bool found = false;
	int st, i;

	snprintf(spfn, sizeof(spfn), "%lu", pfn);
	doc = mmt_cli_doc(&st, "page", "--json", spfn, NULL);
	pt = mmt_jget(doc, "pagetable");
	ow = mmt_jget(pt, "owners");
	if (complete)
		*complete = pt && mmt_jget(pt, "complete") &&
			    mmt_jget(pt, "complete")->boolean;
	for (i = 0; ow && i < ow->n && !found; i++) {
		struct mmt_json *o = ow->kids[i];
		bool kernel = mmt_jget(o, "kernel") &&
			      mmt_jget(o, "kernel")->boolean;

		if (pid ? kernel || (pid_t)mmt_jnum(mmt_jget(o, "pid")) != pid :
			  !kernel)
			continue;
		snprintf(level, 8, "%s", mmt_jstr(mmt_jget(o, "level")) ?: "?");
		*addr = mmt_jhex(mmt_jget(o, "addr"));
		found = true;
	}
	mmt_json_free(doc);
	return found;
}

static void park_map_empty(void *data)
{
	void *p = mmap((void *)PT_ADDR, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	*(int *)data = p == (void *)PT_ADDR ? 0 : -1;
}

/*
 * A child maps one page at PT_ADDR; the test writes it through
 * /proc/PID/mem (a fault in the child's mm, as its own touch would be).
 * The KPF_PGTABLE frames new after the touch are the candidates.  The
 * child's chain of tables for PT_ADDR is followed top-down from its pgd
 * (the vma view's pgd_phys; translate's next tables), and every link is
 * checked through /proc/kcore: the entry at the address's index in each
 * table points to the next, the PTE table's to pagemap's PFN.  Then:
 * `page` names each table of the chain the child's at its level, mapping
 * from PT_ADDR rounded down to what the table covers; the PTE and PMD
 * tables (and the pud table where the kernel types it PGTABLE) are new
 * candidates; and of all candidates exactly one per level is named the
 * child's table covering PT_ADDR.
 */
TEST(pagetable_owner)
{
	bool five = la57();
	int nlev = 5, st, lvl, i, ok = -1, count[5] = { 0 }, round;
	unsigned long long po = mmt_page_offset_base(), pa[5] = { 0 };
	unsigned long long next[4] = { 0 };
	unsigned long n = 0, pfn, data, addr, chain[5] = { 0 };
	uint8_t *before, *after;
	struct mmt_json *doc, *steps;
	char spid[16], saddr[32], level[8], path[64];
	pid_t child;
	uint64_t e;
	int fd;

	ASSERT_NE(0, po) TH_LOG("page_offset_base through kallsyms and kcore");
	/* kpageflags' size may be 0 (procfs): read up to 64 GiB of PFNs. */
	n = max_pfn() > PT_PFNS ? max_pfn() : PT_PFNS;
	/*
	 * A process that exited just before (the previous test's, a CLI
	 * run's) has its tables freed after an RCU grace period: one still
	 * typed PGTABLE in the first snapshot can be freed and handed to the
	 * child's fault before the second, and look old.  So wait for grace
	 * periods first (membarrier's global command is synchronize_rcu()),
	 * and take a fresh child when the chain's PTE or PMD table was a
	 * page table in the first snapshot: at most PT_ROUNDS times.
	 */
	for (round = 0;; round++) {
		child = mmt_park(park_map_empty, &ok, sizeof(ok));
		ASSERT_GT(child, 0);
		ASSERT_EQ(0, ok) TH_LOG("MAP_FIXED_NOREPLACE at %#lx", PT_ADDR);
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
		snprintf(spid, sizeof(spid), "%d", child);
		snprintf(saddr, sizeof(saddr), "%#lx", PT_ADDR);
		snprintf(path, sizeof(path), "/proc/%d/mem", child);
		before = pgtable_frames(n);
		ASSERT_NE(NULL, before);
		fd = open(path, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(4, pwrite(fd, "pte!", 4, PT_ADDR));
		close(fd);
		after = pgtable_frames(n);
		ASSERT_NE(NULL, after);
		data = pfn_of(child, (void *)PT_ADDR);
		ASSERT_NE(0, data);

		/* The chain, from mmscope's vma and translate, checked below. */
		doc = mmt_cli_doc(&st, "vma", "--json", spid, NULL);
		pa[0] = mmt_jhex(mmt_jget(mmt_jget(doc, "mm"), "pgd_phys"));
		mmt_json_free(doc);
		doc = mmt_cli_doc(&st, "translate", "--json", spid, saddr, NULL);
		steps = mmt_jget(doc, "steps");
		ASSERT_NE(NULL, steps);
		for (i = 0; i < steps->n; i++) {
			struct mmt_json *s = steps->kids[i];
			const char *l = mmt_jstr(mmt_jget(s, "level"));

			for (lvl = 0; lvl < 4; lvl++)
				if (l && !strcmp(l, pt_levels[lvl]) &&
				    !(mmt_jget(s, "folded") && mmt_jget(s, "folded")->boolean))
					next[lvl] = mmt_jhex(mmt_jget(s, "next_table"));
		}
		mmt_json_free(doc);
		if (five) {
			for (lvl = 0; lvl < 4; lvl++)
				pa[lvl + 1] = next[lvl];
		} else {
			/*
			 * 4 levels: no p4d table; the pgd (indexed as the p4d would
			 * be, bits 39-47) points to the pud table.
			 */
			pa[1] = pa[0];
			pa[2] = next[1] ? next[1] : next[0];
			pa[3] = next[2];
			pa[4] = next[3];
		}
		if (round == PT_ROUNDS - 1 || !pa[3] || !pa[4] ||
		    !((before[pa[3] / PG / 8] >> (pa[3] / PG % 8)) & 1 ||
		      (before[pa[4] / PG / 8] >> (pa[4] / PG % 8)) & 1))
			break;
		ksft_print_msg("round %d: the child's PMD or PTE table was a page table before its touch (freed and reused meanwhile): again\n",
			       round);
		mmt_reap(child);
		free(before);
		free(after);
		memset(next, 0, sizeof(next));
		memset(pa, 0, sizeof(pa));
	}

	/* Every link through kcore: the kernel's memory, not mmscope's. */
	for (lvl = five ? 0 : 1; lvl < nlev; lvl++) {
		int idx = (PT_ADDR >> pt_shift(lvl, five)) & 511;
		unsigned long long want = lvl == 4 ? data * PG : pa[lvl + 1];

		ASSERT_NE(0, pa[lvl]) TH_LOG("no %s table", pt_levels[lvl]);
		ASSERT_EQ(0, kentry(po, pa[lvl], idx, &e));
		EXPECT_EQ(want, e & PTE_PHYS_MASK)
			TH_LOG("%s table %#llx entry %d: %#llx, next %#llx",
			       pt_levels[lvl], pa[lvl], idx,
			       (unsigned long long)e, want);
		EXPECT_TRUE(e & 1) TH_LOG("%s entry not present", pt_levels[lvl]);
	}

	/* mmscope page on each table of the chain. */
	for (lvl = 0; lvl < nlev; lvl++) {
		unsigned long cover;
		bool complete = false;

		if (!five && lvl == 1)
			continue;
		pfn = pa[lvl] / PG;
		chain[lvl] = pfn;
		/* A table at level L maps what one entry above it covers. */
		cover = lvl ? 1UL << pt_shift(lvl - 1, five) : 0;
		ASSERT_TRUE(cli_pt_owner(pfn, child, level, &addr, &complete))
			TH_LOG("pfn %#lx, the child's %s table: not named the child's",
			       pfn, pt_levels[lvl]);
		EXPECT_STREQ(pt_levels[lvl], level);
		EXPECT_EQ(cover ? PT_ADDR & ~(cover - 1) : 0, addr)
			TH_LOG("%s table maps from %#lx", pt_levels[lvl], addr);
		EXPECT_TRUE(complete);
		/* Tables the first touch allocated, typed PGTABLE: new. */
		if (lvl >= 2 && (after[pfn / 8] & (1 << (pfn % 8))))
			EXPECT_FALSE(before[pfn / 8] & (1 << (pfn % 8)))
				TH_LOG("%s table %#lx was a page table before the touch",
				       pt_levels[lvl], pfn);
	}
	/* PTE and PMD tables are PGTABLE on every kernel tested. */
	EXPECT_TRUE(after[chain[4] / 8] & (1 << (chain[4] % 8)));
	EXPECT_TRUE(after[chain[3] / 8] & (1 << (chain[3] % 8)));

	/* Every new PGTABLE frame: the child's covering PT_ADDR, once a level. */
	for (pfn = 0; pfn < n; pfn++) {
		if (!(after[pfn / 8] & (1 << (pfn % 8))) ||
		    (before[pfn / 8] & (1 << (pfn % 8))))
			continue;
		if (!cli_pt_owner(pfn, child, level, &addr, NULL))
			continue;
		for (lvl = 0; lvl < 5; lvl++)
			if (!strcmp(level, pt_levels[lvl]) &&
			    (!lvl || addr == (PT_ADDR & ~((1UL << pt_shift(lvl - 1, five)) - 1)))) {
				count[lvl]++;
				EXPECT_EQ(chain[lvl], pfn)
					TH_LOG("new frame %#lx named the child's %s table; the chain's is %#lx",
					       pfn, level, chain[lvl]);
			}
	}
	EXPECT_EQ(1, count[4]);
	EXPECT_EQ(1, count[3]);
	/* The pud table is a candidate where the kernel types it PGTABLE. */
	EXPECT_EQ(!!(after[chain[2] / 8] & (1 << (chain[2] % 8))), count[2]);
	/* No new p4d table with 5 levels (the program's), none with 4. */
	EXPECT_EQ(0, count[1]);
	free(before);
	free(after);
	mmt_reap(child);
}

/*
 * The kernel's own pgd: init_top_pgt (kallsyms), at physical
 * va - __START_KERNEL_map + phys_base (the kernel image's mapping, as
 * __phys_addr_symbol() computes it, phys_base read through kcore); and
 * the table its entry for the direct map (page_offset_base) points to,
 * read through kcore: the kernel's p4d (5 levels) or pud table.
 */
TEST(pagetable_kernel)
{
	bool five = la57(), complete = false;
	unsigned long long po = mmt_page_offset_base(), top = mmt_ksym("init_top_pgt");
	unsigned long long pb = 0, phys, next;
	unsigned long addr, cover = 1UL << pt_shift(0, five);
	char level[8], spfn[32], *text;
	uint64_t e;
	int st;

	ASSERT_NE(0, po);
	ASSERT_NE(0, top);
	ASSERT_EQ(0, mmt_kcore(mmt_ksym("phys_base"), &pb, sizeof(pb)));
	phys = top - 0xffffffff80000000ULL + pb;
	ASSERT_TRUE(cli_pt_owner(phys / PG, 0, level, &addr, &complete))
		TH_LOG("init_top_pgt, pfn %#llx: not named the kernel's", phys / PG);
	EXPECT_STREQ("pgd", level);
	EXPECT_EQ(0, addr);
	EXPECT_TRUE(complete);
	/* Its entry for the direct map, through the direct map itself. */
	ASSERT_EQ(0, kentry(po, phys, (po >> pt_shift(0, five)) & 511, &e));
	ASSERT_TRUE(e & 1);
	next = e & PTE_PHYS_MASK;
	ASSERT_TRUE(cli_pt_owner(next / PG, 0, level, &addr, &complete))
		TH_LOG("pfn %#llx under init_top_pgt: not named the kernel's",
		       next / PG);
	EXPECT_STREQ(five ? "p4d" : "pud", level);
	EXPECT_EQ(po & ~(cover - 1), addr);
	EXPECT_TRUE(complete);
	/* And no process owns either. */
	EXPECT_FALSE(cli_pt_owner(phys / PG, getpid(), level, &addr, NULL));
	/* The CLI's text and the debugfs text say the same. */
	snprintf(spfn, sizeof(spfn), "%llu", phys / PG);
	text = mmt_cli_run(&st, NULL, "page", spfn, NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, st);
	EXPECT_NE(NULL, strstr(text, "\npage table: pgd, 1 owner, complete"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "       - [kernel]         pgd   0x0\n"))
		TH_LOG("%s", text);
	free(text);
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/pfn", spfn));
	text = mmt_read_file("/sys/kernel/debug/mmscope/page", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "pagetable owner kernel pgd addr 0x0\n"))
		TH_LOG("%s", text);
	free(text);
}

TEST(unprivileged)
{
	pid_t pid = fork();
	int st;

	ASSERT_GE(pid, 0);
	if (!pid) {
		struct answer a;
		int e1, e2, fd;

		if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(10);
		e1 = query(0, 0x1000, &a);
		e2 = query(getpid(), (unsigned long)&a, &a);
		fd = open("/sys/kernel/debug/mmscope/page", O_RDONLY);
		if (e1 != -EPERM)
			_exit(11);
		if (e2 != -EPERM)
			_exit(12);
		if (fd >= 0 || (errno != EACCES && errno != EPERM))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST(bad_arguments)
{
	struct answer a;
	char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st;
	char *out, *err = NULL;

	/* Beyond any physical address (52 bits). */
	EXPECT_EQ(-EINVAL, query(0, 1ULL << 52, &a));
	/* Never touched: nothing mapped there. */
	EXPECT_EQ(-ENXIO, query(getpid(), (unsigned long)p, &a));
	EXPECT_EQ(-EINVAL, query(getpid(), 1ULL << 63, &a));
	out = mmt_cli_run(&st, &err, "page", NULL);
	EXPECT_EQ(2, st);
	free(out);
	free(err);
	out = mmt_cli_run(&st, &err, "page", "--pid", "1", "--phys", "0", NULL);
	EXPECT_EQ(2, st);
	free(out);
	free(err);
	munmap(p, PG);
}

/* The debugfs file shows the frame the pfn parameter names. */
TEST(debugfs)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), num[32], *text;
	unsigned long pfn;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	pfn = pfn_of(getpid(), p);
	snprintf(num, sizeof(num), "%lu", pfn);
	ASSERT_EQ(0, mmt_write_str("/sys/module/mmscope/parameters/pfn", num));
	text = mmt_read_file("/sys/kernel/debug/mmscope/page", NULL);
	ASSERT_NE(NULL, text);
	snprintf(num, sizeof(num), "pfn %#lx ", pfn);
	EXPECT_NE(NULL, strstr(text, num)) TH_LOG("%s", text);
	snprintf(num, sizeof(num), "addr %#lx ", (unsigned long)p);
	EXPECT_NE(NULL, strstr(text, num)) TH_LOG("%s", text);
	free(text);
	munmap(p, PG);
}

TEST_HARNESS_MAIN
