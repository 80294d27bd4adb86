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
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/kernel-page-flags.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"
#include "lib/kcore.h"

#define PG		4096UL
#define HOOK_PAGES	512	/* pages of pagemap from an address: 2 MiB */

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

/* Field @k (from 1, as proc(5) numbers them) of a /proc/PID/stat text. */
static long long stat_field(const char *text, int k)
{
	const char *p = text ? strrchr(text, ')') : NULL;
	int field;

	/* Field 3 (state) follows ") ". */
	for (field = 2; p && field < k; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : -1;
}

/*
 * One hook entry: the step's number, its value and the subject's pid.  A
 * lab whose fault tracer lost events runs again: a step 1 that follows
 * another step than 1 starts a run (the filemap lab starts two subjects,
 * each with a step 1, one after the other).
 */
#define MAX_STEPS	64

struct steps {
	int n;
	int seq[MAX_STEPS], step[MAX_STEPS], pid[MAX_STEPS];
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
		st->pid[st->n] = 0;
		if (sscanf(text, "%d %llu %d", &st->step[st->n], &st->val[st->n],
			   &st->pid[st->n]) >= 2) {
			if (st->step[st->n] == 1 &&
			    (!st->n || st->step[st->n - 1] != 1))
				first = st->n;
			st->n++;
		}
		free(text);
	}
	for (i = first; i < st->n; i++) {
		st->seq[i - first] = st->seq[i];
		st->step[i - first] = st->step[i];
		st->pid[i - first] = st->pid[i];
		st->val[i - first] = st->val[i];
	}
	st->n -= first;
}

/*
 * The lab's processes: the CLI (the hook's parent) and every process
 * below it (its subjects, their children), but the hook.  Their pids in
 * @pids (at most @max), the count returned.
 */
static int lab_procs(pid_t *pids, pid_t *ppids, int max)
{
	pid_t all[4096], par[4096];
	int nall = 0, n = 0, i, k;
	char path[300], *text;
	struct dirent *de;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d)) && nall < 4096) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		text = mmt_read_file(path, NULL);
		if (!text)
			continue;	/* it exited meanwhile */
		all[nall] = atoi(de->d_name);
		par[nall++] = stat_field(text, 4);
		free(text);
	}
	if (d)
		closedir(d);
	/* Breadth first from the CLI: a process after its parent. */
	pids[n] = getppid();
	ppids[n++] = getpid();	/* (not used for the CLI) */
	for (k = 0; k < n; k++)
		for (i = 0; i < nall && n < max; i++)
			if (par[i] == pids[k] && all[i] != getpid()) {
				ppids[n] = par[i];
				pids[n++] = all[i];
			}
	return n;
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * pagemap entries of @pid from @va (page-aligned) for @npages, with
 * /proc/kpagecount and /proc/kpageflags of each present page's PFN, as
 * "PID VA ENTRY COUNT FLAGS" lines (COUNT -1, FLAGS 0 when not present).
 */
static int copy_pages(FILE *out, pid_t pid, unsigned long long va,
		      unsigned long npages)
{
	static uint64_t pm[HOOK_PAGES];
	char path[64];
	int fd, cfd, ffd, ret = 0;
	unsigned long i;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cfd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	ffd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || cfd < 0 || ffd < 0 ||
	    pread(fd, pm, npages * 8, va / PG * 8) != (ssize_t)(npages * 8))
		ret = -1;
	for (i = 0; !ret && i < npages; i++) {
		uint64_t pfn = pm[i] & ((1ULL << 55) - 1), cnt = 0, fl = 0;
		long long count = -1;

		if ((pm[i] >> 63) & 1) {
			if (pread(cfd, &cnt, 8, pfn * 8) != 8 ||
			    pread(ffd, &fl, 8, pfn * 8) != 8)
				ret = -1;
			count = cnt;
		}
		fprintf(out, "%d %llx %llx %lld %llx\n", pid, va + i * PG,
			(unsigned long long)pm[i], count, (unsigned long long)fl);
	}
	if (fd >= 0)
		close(fd);
	if (cfd >= 0)
		close(cfd);
	if (ffd >= 0)
		close(ffd);
	return ret;
}

/*
 * N.procs: "PID PPID MINFLT MAJFLT NFDS" of each of the lab's processes
 * (the CLI is not among them).  N.pages: for each of them, HOOK_PAGES
 * pages of pagemap (or up to its VMA's end) from each value of the run's
 * steps so far that lies in one of its VMAs: the addresses the lab's
 * program returned.
 */
static int copy_procs(const char *dir, int seq, int step,
		      unsigned long long cur)
{
	pid_t pids[64], ppids[64];
	char path[PATH_MAX], *text, *stat;
	unsigned long long vals[MAX_STEPS + 1], done[MAX_STEPS + 1];
	struct steps st;
	FILE *fp, *fg;
	int n, i, j, k, nv = 0, ret = 0;

	load_steps(dir, &st);
	/* This step starts a run: the earlier ones are another run's. */
	if (step == 1 && st.n && st.step[st.n - 1] != 1)
		st.n = 0;
	for (i = 0; i < st.n; i++)
		vals[nv++] = st.val[i];
	vals[nv++] = cur;
	n = lab_procs(pids, ppids, 64);
	snprintf(path, sizeof(path), "%s/%d.procs", dir, seq);
	fp = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/%d.pages", dir, seq);
	fg = fopen(path, "w");
	if (!fp || !fg)
		ret = -1;
	for (i = 1; !ret && i < n; i++) {
		const char *pos;
		struct mmt_vma v;
		int nd = 0;

		snprintf(path, sizeof(path), "/proc/%d/stat", pids[i]);
		stat = mmt_read_file(path, NULL);
		snprintf(path, sizeof(path), "/proc/%d/maps", pids[i]);
		text = mmt_read_file(path, NULL);
		if (stat && text)
			fprintf(fp, "%d %d %lld %lld %d\n", pids[i], ppids[i],
				stat_field(stat, 10), stat_field(stat, 12),
				count_fds(pids[i]));
		for (pos = text; text && mmt_maps_next(&pos, &v);) {
			for (j = 0; j < nv; j++) {
				unsigned long long a = vals[j] & ~(PG - 1);
				unsigned long np;

				if (vals[j] < v.start || vals[j] >= v.end)
					continue;
				for (k = 0; k < nd && done[k] != a; k++)
					;
				if (k < nd)
					continue;
				done[nd++] = a;
				np = (v.end - a) / PG;
				if (np > HOOK_PAGES)
					np = HOOK_PAGES;
				if (copy_pages(fg, pids[i], a, np))
					ret = -1;
			}
		}
		free(stat);
		free(text);
	}
	if (fp && fclose(fp))
		ret = -1;
	if (fg && fclose(fg))
		ret = -1;
	return ret;
}

static bool in_system_ram(unsigned long long pa, unsigned long long *top);

/*
 * The page of RAM at physical @pa, read through /proc/kcore at
 * page_offset_base + @pa, into @to: when @pa is a page-aligned System RAM
 * address (/proc/iomem).  The kernelpt lab's steps return pgd pages'
 * physical addresses; a user address another lab returns may look like
 * one too, and costs a copy no check reads.
 */
static int copy_kpage(unsigned long long pa, const char *to)
{
	static char page[PG];
	unsigned long long po, top;
	FILE *f;
	int ret;

	if (!pa || pa % PG || !in_system_ram(pa, &top))
		return 0;
	po = mmt_page_offset_base();
	if (!po || mmt_kcore(po + pa, page, PG))
		return -1;
	f = fopen(to, "w");
	ret = f && fwrite(page, 1, PG, f) == PG ? 0 : -1;
	if (f && fclose(f))
		ret = -1;
	return ret;
}

/*
 * labs lab-hook STEP PID VALUE: the Nth call (N from 1) copies into
 * $MMSCOPE_LAB_LOG/N.*: the subject's /proc/PID/{maps,smaps_rollup,stat,
 * smaps}; /proc/{vmstat,zoneinfo,buddyinfo,slabinfo}, /proc/sys/fs/file-nr
 * (vmstat first, and again last as N.vmstat2, so that the two bracket the
 * others; zoneinfo before and after buddyinfo, as N.zoneinfo2);
 * N.ksm_{pages_shared,pages_sharing,full_scans} of /sys/kernel/mm/ksm where
 * the kernel has it; N.procs and N.pages (copy_procs()); N.kpage
 * (copy_kpage()); "STEP VALUE PID" into N.step, last (so that N.step
 * marks a complete copy).
 */
static int lab_hook(int argc, char **argv)
{
	static const char *const files[] = { "maps", "smaps_rollup", "stat", "smaps" };
	static const char *const sys[][2] = {
		{ "/proc/zoneinfo", "zoneinfo" },
		{ "/proc/buddyinfo", "buddyinfo" },
		{ "/proc/zoneinfo", "zoneinfo2" },
		{ "/proc/slabinfo", "slabinfo" },
		{ "/proc/sys/fs/file-nr", "file-nr" },
	};
	static const char *const ksm[] = { "pages_shared", "pages_sharing",
					   "full_scans" };
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
	snprintf(to, sizeof(to), "%s/%d.vmstat", dir, seq);
	if (copy_file("/proc/vmstat", to))
		return 3;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "/proc/%s/%s", argv[3], files[i]);
		snprintf(to, sizeof(to), "%s/%d.%s", dir, seq, files[i]);
		if (copy_file(from, to))
			return 3;
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		snprintf(to, sizeof(to), "%s/%d.%s", dir, seq, sys[i][1]);
		if (copy_file(sys[i][0], to))
			return 3;
	}
	/* KSM's counters, where the kernel has KSM (the ksm lab's oracle). */
	for (i = 0; i < sizeof(ksm) / sizeof(ksm[0]); i++) {
		snprintf(from, sizeof(from), "/sys/kernel/mm/ksm/%s", ksm[i]);
		snprintf(to, sizeof(to), "%s/%d.ksm_%s", dir, seq, ksm[i]);
		if (!access(from, R_OK) && copy_file(from, to))
			return 3;
	}
	if (copy_procs(dir, seq, atoi(argv[2]), strtoull(argv[4], NULL, 10)))
		return 3;
	snprintf(to, sizeof(to), "%s/%d.kpage", dir, seq);
	if (copy_kpage(strtoull(argv[4], NULL, 10), to))
		return 3;
	snprintf(to, sizeof(to), "%s/%d.vmstat2", dir, seq);
	if (copy_file("/proc/vmstat", to))
		return 3;
	snprintf(to, sizeof(to), "%s/%d.step", dir, seq);
	f = fopen(to, "w");
	if (!f || fprintf(f, "%s %s %s\n", argv[2], argv[4], argv[3]) < 0 ||
	    fclose(f))
		return 3;
	return 0;
}

/*
 * The hook's copy of a file after the @i-th step (from 1) of the last
 * run (free() it), NULL if missing.  The checks below name steps by their
 * place in the run, as the lab's source orders them.
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

static int step_pid(int i)
{
	return i >= 1 && i <= run.n ? run.pid[i - 1] : 0;
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

static void check_demand(struct __test_metadata *_metadata, const char *dir,
			 const char *out)
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

static void check_vma(struct __test_metadata *_metadata, const char *dir,
			 const char *out)
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
static void check_malloc(struct __test_metadata *_metadata, const char *dir,
			 const char *out)
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

/* ---- what the hook copied, parsed ------------------------------------------ */

#define PM_PRESENT(e)	((e) >> 63 & 1)
#define PM_FILE(e)	((e) >> 61 & 1)	/* file page or shared anonymous */
#define PM_EXCL(e)	((e) >> 56 & 1)	/* mapped by this process only */
#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))

/* N.pages: one line per page (copy_pages()). */
struct page_ent {
	int pid;
	unsigned long long va, entry, flags;
	long long count;
};

struct pages {
	int n;
	struct page_ent *e;
};

static void load_pages(const char *dir, int i, struct pages *pg)
{
	char *text = step_file(dir, i, "pages"), *line, *save = NULL;
	struct page_ent e;

	pg->n = 0;
	pg->e = NULL;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%d %llx %llx %lld %llx", &e.pid, &e.va,
			   &e.entry, &e.count, &e.flags) != 5)
			continue;
		if (!(pg->n & (pg->n - 1)) || !pg->n) {
			void *p = realloc(pg->e, (pg->n ? pg->n * 2 : 1) * sizeof(e));

			if (!p)
				break;
			pg->e = p;
		}
		pg->e[pg->n++] = e;
	}
	free(text);
}

/* The page at @va of @pid in @pg, NULL if the hook did not copy it. */
static const struct page_ent *page_at(const struct pages *pg, int pid,
				      unsigned long long va)
{
	int i;

	for (i = 0; i < pg->n; i++)
		if (pg->e[i].pid == pid && pg->e[i].va == (va & ~(PG - 1)))
			return &pg->e[i];
	return NULL;
}

/* Present at @va: its PFN, else 0 (a missing copy counts as not present). */
static unsigned long long pfn_at(const struct pages *pg, int pid,
				 unsigned long long va)
{
	const struct page_ent *e = page_at(pg, pid, va);

	return e && PM_PRESENT(e->entry) ? PM_PFN(e->entry) : 0;
}

/* N.procs: one of the lab's processes after step @i (found false if not). */
struct proc_ent {
	bool found;
	int ppid, nfds;
	long long minflt, majflt;
};

static struct proc_ent step_proc(const char *dir, int i, int pid)
{
	char *text = step_file(dir, i, "procs"), *line, *save = NULL;
	struct proc_ent pe = { 0 };
	int p;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d %d %lld %lld %d", &p, &pe.ppid, &pe.minflt,
			   &pe.majflt, &pe.nfds) == 5 && p == pid) {
			pe.found = true;
			break;
		}
	free(text);
	return pe;
}

/* "KEY VALUE" in a copy (vmstat), summed over the keys starting with @key
 * when @prefix; -1 if none. */
static long long step_kv(const char *dir, int i, const char *file,
			 const char *key, bool prefix)
{
	char *text = step_file(dir, i, file), *line, *save = NULL;
	long long v = -1;
	size_t kl = strlen(key);

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, kl) && (prefix || line[kl] == ' '))
			v = (v < 0 ? 0 : v) + strtoll(strchr(line, ' ') ?: line, NULL, 10);
	free(text);
	return v;
}

/* A field ("Rss", "AnonHugePages") of the smaps entry holding @addr, kB. */
static long long step_smaps_kb(const char *dir, int i, unsigned long long addr,
			       const char *key)
{
	char *text = step_file(dir, i, "smaps"), *line, *save = NULL;
	unsigned long long s, e;
	size_t kl = strlen(key);
	bool in = false;
	long long v = -1;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, '-') <
		    strchr(line, ' '))
			in = s <= addr && addr < e;
		else if (in && !strncmp(line, key, kl) && line[kl] == ':')
			v = strtoll(line + kl + 1, NULL, 10);
	}
	free(text);
	return v;
}

/* A hex number after @prefix in the lab's output (0 if absent). */
static unsigned long long out_hex(const char *out, const char *prefix)
{
	const char *p = strstr(out, prefix);

	return p ? strtoull(p + strlen(prefix), NULL, 16) : 0;
}

/*
 * The @nth (from 0) mapper list the lab printed from `mmscope page`
 * ("mmscope page 0xPFN, its mappers through the reverse map: N,
 * complete|INCOMPLETE: why", a column header, then "PID COMM ADDRESS ..."
 * lines, at most MAPPERS_MAX): false if there is none.
 */
#define MAPPERS_MAX	8

struct mapper_list {
	unsigned long long pfn;
	int n, listed;
	bool complete;
	int pid[MAPPERS_MAX];
	unsigned long long addr[MAPPERS_MAX];
};

static bool out_mappers(const char *out, int nth, struct mapper_list *ml)
{
	const char *p, *line;
	char comm[32];
	int k = 0;

	memset(ml, 0, sizeof(*ml));
	for (p = out; (p = strstr(p, "mmscope page 0x")); p++)
		if (sscanf(p, "mmscope page %llx, its mappers through the reverse map: %d,",
			   &ml->pfn, &ml->n) == 2 && k++ == nth)
			break;
	if (!p)
		return false;
	line = strchr(p, '\n');
	ml->complete = line && !strncmp(line - 8, "complete", 8);
	/* The column header, then the mappers. */
	for (line = line ? strchr(line + 1, '\n') : NULL;
	     line && ml->listed < MAPPERS_MAX; line = strchr(line + 1, '\n'))
		if (sscanf(line + 1, " %d %31s %llx", &ml->pid[ml->listed], comm,
			   &ml->addr[ml->listed]) == 3)
			ml->listed++;
		else
			break;
	return true;
}

/*
 * A mapper list against the hook's pagemap copies of step @i: every
 * (pid, address) listed maps the frame there; when it says complete, it
 * lists every (pid, address) of the copies that maps the frame and as
 * many as /proc/kpagecount counts (so none outside the copies is missing).
 */
static void check_mapper_list(struct __test_metadata *_metadata,
			      const struct mapper_list *ml,
			      const struct pages *pg, const char *what)
{
	long long count = -1;
	int i, j, found = 0;

	for (i = 0; i < ml->listed; i++)
		EXPECT_EQ(ml->pfn, pfn_at(pg, ml->pid[i], ml->addr[i]))
			TH_LOG("%s: mapper %d at %#llx", what, ml->pid[i], ml->addr[i]);
	for (i = 0; i < pg->n; i++) {
		if (!PM_PRESENT(pg->e[i].entry) || PM_PFN(pg->e[i].entry) != ml->pfn)
			continue;
		count = pg->e[i].count;
		for (j = 0; j < ml->listed; j++)
			found += ml->pid[j] == pg->e[i].pid &&
				 ml->addr[j] == pg->e[i].va;
	}
	if (ml->complete) {
		EXPECT_EQ(ml->n, ml->listed) TH_LOG("%s", what);
		EXPECT_EQ(count, ml->n) TH_LOG("%s: kpagecount", what);
		EXPECT_EQ(found, ml->listed) TH_LOG("%s", what);
	} else {
		EXPECT_GT(count, ml->n) TH_LOG("%s: incomplete, but all %lld listed", what, count);
	}
}

/*
 * cow (steps: 1 map 4 private pages and write them -> their address,
 * 2 fork -> the child's pid, 3 the child writes its own .bss, 4 the child
 * writes one byte into the first page, 5 reap the child).  The kernel's
 * pagemap and kpagecount: after 3, parent and child map the same PFN at
 * each page, mapped twice; after 4 the child's first page is another PFN,
 * mapped once and only by it, the parent's first page the PFN it had,
 * mapped once; the other three still shared.  The child's write faulted
 * once (its code, stack and .bss were faulted in by step 3).  The PFNs
 * the lab shows are those.  `mmscope page`'s mappers (printed by the lab
 * after 3 for the first page's frame, after 4 for the old and the new
 * frame) are those the pagemap copies show: parent and child at the first
 * page after 3; the parent alone on the old frame and the child alone on
 * the new one after 4; complete, as many as kpagecount counts.
 */
#define COW_NPG		4

static void check_cow(struct __test_metadata *_metadata, const char *dir,
		      const char *out)
{
	unsigned long long p = step_value(dir, 1), pfn[COW_NPG], first, c0;
	int parent = step_pid(1), child = step_value(dir, 2), i;
	struct pages p1, p3, p4;
	struct proc_ent c3, c4;
	struct mapper_list ml;

	expect_steps(_metadata, (const int[]){ 1, 2, 3, 4, 5 }, 5);
	ASSERT_NE(0, p);
	ASSERT_LT(0, child);
	c3 = step_proc(dir, 3, child);
	c4 = step_proc(dir, 4, child);
	ASSERT_TRUE(c3.found && c4.found);
	EXPECT_EQ(parent, c3.ppid);
	load_pages(dir, 1, &p1);
	load_pages(dir, 3, &p3);
	load_pages(dir, 4, &p4);
	first = pfn_at(&p1, parent, p);
	EXPECT_NE(0, first);
	EXPECT_EQ(first, out_hex(out, "the first page is PFN "));
	for (i = 0; i < COW_NPG; i++) {
		unsigned long long va = p + i * PG;
		const struct page_ent *e = page_at(&p3, parent, va);

		pfn[i] = pfn_at(&p3, parent, va);
		EXPECT_NE(0, pfn[i]) TH_LOG("page %d", i);
		EXPECT_EQ(pfn[i], pfn_at(&p3, child, va)) TH_LOG("page %d", i);
		EXPECT_EQ(2, e ? e->count : -1) TH_LOG("page %d", i);
	}
	EXPECT_EQ(first, pfn[0]);
	/* The child's write. */
	c0 = pfn_at(&p4, child, p);
	EXPECT_NE(0, c0);
	EXPECT_NE(pfn[0], c0);
	EXPECT_TRUE(page_at(&p4, child, p) && PM_EXCL(page_at(&p4, child, p)->entry));
	EXPECT_EQ(1, page_at(&p4, child, p) ? page_at(&p4, child, p)->count : -1);
	EXPECT_EQ(pfn[0], pfn_at(&p4, parent, p));
	EXPECT_EQ(1, page_at(&p4, parent, p) ? page_at(&p4, parent, p)->count : -1);
	EXPECT_EQ(c0, out_hex(out, "the child maps a new PFN "));
	for (i = 1; i < COW_NPG; i++) {
		const struct page_ent *e = page_at(&p4, parent, p + i * PG);

		EXPECT_EQ(pfn[i], pfn_at(&p4, parent, p + i * PG)) TH_LOG("page %d", i);
		EXPECT_EQ(pfn[i], pfn_at(&p4, child, p + i * PG)) TH_LOG("page %d", i);
		EXPECT_EQ(2, e ? e->count : -1) TH_LOG("page %d", i);
	}
	EXPECT_EQ(1, c4.minflt - c3.minflt);
	ASSERT_TRUE(out_mappers(out, 0, &ml));
	EXPECT_EQ(pfn[0], ml.pfn);
	EXPECT_TRUE(ml.complete);
	EXPECT_EQ(2, ml.listed);
	check_mapper_list(_metadata, &ml, &p3, "after fork");
	ASSERT_TRUE(out_mappers(out, 1, &ml));
	EXPECT_EQ(pfn[0], ml.pfn);
	EXPECT_EQ(1, ml.listed);
	EXPECT_EQ(parent, ml.pid[0]);
	check_mapper_list(_metadata, &ml, &p4, "the old frame");
	ASSERT_TRUE(out_mappers(out, 2, &ml));
	EXPECT_EQ(c0, ml.pfn);
	EXPECT_EQ(1, ml.listed);
	EXPECT_EQ(child, ml.pid[0]);
	check_mapper_list(_metadata, &ml, &p4, "the new frame");
	free(p1.e);
	free(p3.e);
	free(p4.e);
}

/* A number the hook copied from /sys/kernel/mm/ksm after step @i, -1. */
static long long step_ksm(const char *dir, int i, const char *name)
{
	char what[64], *text;
	long long v;

	snprintf(what, sizeof(what), "ksm_%s", name);
	text = step_file(dir, i, what);
	v = text ? strtoll(text, NULL, 10) : -1;
	free(text);
	return v;
}

/*
 * ksm (steps in the lab's order: 1 map 64 private pages, fill them all
 * with the same byte, MADV_MERGEABLE -> their address, 3 nothing, once
 * ksmd has merged -> the address, 2 write one byte into page 10).  The
 * kernel: after 1, 64 present pages on 64 frames, each mapped once; after
 * 3, all 64 on one frame K, which kpagecount counts 64 times, not
 * exclusive, KPF_KSM set; /sys/kernel/mm/ksm pages_shared >= 1 and
 * pages_sharing >= 63 (others may merge too: at least); after 2, page 10
 * on a frame of its own, exclusive, mapped once, without KPF_KSM unless
 * the kernel sets it on every anonymous page (6.12's stable_page_flags()
 * tests mapping & PAGE_MAPPING_KSM, which PAGE_MAPPING_ANON satisfies:
 * told from the frames after 1, never merged); the other 63 still on K,
 * counted 63 times.  The PFNs the lab prints are those.  Its mapper lists
 * from `mmscope page` (KSM's reverse map), after 3 and after 2, against
 * the pagemap copies of the same step: complete, as many as kpagecount
 * counts there (64, then 63), each listed one (the lab prints the first
 * eight) the subject at an address of its pages where pagemap shows K,
 * page 10 not among them after 2.  (The lab itself checks all of them
 * against pagemap, a failed lab check failing this test.)
 */
#define KSM_NPG		64
#define KSM_WRITTEN	10

/*
 * A KSM frame's mapper list (of which the lab prints the first eight)
 * against the pagemap copies @pg: complete, @n of them, as many as
 * kpagecount counts; each listed one @pid at one of the pages from @p,
 * where pagemap shows the frame.
 */
static void check_ksm_mappers(struct __test_metadata *_metadata,
			      const struct mapper_list *ml,
			      const struct pages *pg, int pid,
			      unsigned long long p, int n, const char *what)
{
	/* Page 0 is on the frame in both steps: its kpagecount. */
	const struct page_ent *e = page_at(pg, pid, p);
	int i;

	EXPECT_EQ(ml->pfn, pfn_at(pg, pid, p)) TH_LOG("%s", what);
	EXPECT_TRUE(ml->complete) TH_LOG("%s", what);
	EXPECT_EQ(n, ml->n) TH_LOG("%s", what);
	EXPECT_EQ(ml->n < MAPPERS_MAX ? ml->n : MAPPERS_MAX, ml->listed)
		TH_LOG("%s", what);
	EXPECT_EQ(n, e ? e->count : -1) TH_LOG("%s: kpagecount", what);
	for (i = 0; i < ml->listed; i++) {
		EXPECT_EQ(pid, ml->pid[i]) TH_LOG("%s: mapper %d", what, i);
		EXPECT_TRUE(ml->addr[i] >= p && ml->addr[i] < p + KSM_NPG * PG)
			TH_LOG("%s: mapper %d at %#llx", what, i, ml->addr[i]);
		EXPECT_EQ(ml->pfn, pfn_at(pg, ml->pid[i], ml->addr[i]))
			TH_LOG("%s: mapper %d at %#llx", what, i, ml->addr[i]);
	}
}

static void check_ksm(struct __test_metadata *_metadata, const char *dir,
		      const char *out)
{
	unsigned long long p = step_value(dir, 1), k, own, pf[KSM_NPG];
	int pid = step_pid(1), i, j, distinct = 0, on_k = 0, anon_ksm = 0;
	struct pages p1, p3, p2;
	struct mapper_list ml;
	const struct page_ent *e;

	expect_steps(_metadata, (const int[]){ 1, 3, 2 }, 3);
	ASSERT_NE(0, p);
	EXPECT_EQ(p, step_value(dir, 2));
	load_pages(dir, 1, &p1);
	load_pages(dir, 2, &p3);
	load_pages(dir, 3, &p2);
	for (i = 0; i < KSM_NPG; i++) {
		e = page_at(&p1, pid, p + i * PG);
		pf[i] = pfn_at(&p1, pid, p + i * PG);
		EXPECT_NE(0, pf[i]) TH_LOG("page %d", i);
		for (j = 0; j < i && pf[j] != pf[i]; j++)
			;
		distinct += j == i;
		anon_ksm += e && (e->flags >> KPF_KSM & 1);
	}
	EXPECT_EQ(KSM_NPG, distinct);
	/* All or none: the kernel's rule for unmerged anonymous pages. */
	EXPECT_TRUE(anon_ksm == 0 || anon_ksm == KSM_NPG) TH_LOG("%d", anon_ksm);
	k = pfn_at(&p3, pid, p);
	EXPECT_NE(0, k);
	for (i = 0; i < KSM_NPG; i++) {
		e = page_at(&p3, pid, p + i * PG);
		on_k += e && pfn_at(&p3, pid, p + i * PG) == k &&
			!PM_EXCL(e->entry) && e->count == KSM_NPG &&
			(e->flags >> KPF_KSM & 1);
	}
	EXPECT_EQ(KSM_NPG, on_k);
	EXPECT_LE(1, step_ksm(dir, 2, "pages_shared"));
	EXPECT_LE(KSM_NPG - 1, step_ksm(dir, 2, "pages_sharing"));
	EXPECT_EQ(k, out_hex(out, "pages map one PFN "));
	/* mmscope page's mappers of K, against pagemap after 3. */
	ASSERT_TRUE(out_mappers(out, 0, &ml));
	EXPECT_EQ(k, ml.pfn);
	check_ksm_mappers(_metadata, &ml, &p3, pid, p, KSM_NPG, "merged");
	/* The write. */
	own = pfn_at(&p2, pid, p + KSM_WRITTEN * PG);
	e = page_at(&p2, pid, p + KSM_WRITTEN * PG);
	EXPECT_NE(0, own);
	EXPECT_NE(k, own);
	EXPECT_TRUE(e && PM_EXCL(e->entry) && e->count == 1);
	EXPECT_EQ(anon_ksm != 0, e && (e->flags >> KPF_KSM & 1));
	EXPECT_EQ(own, out_hex(out, "now maps its own PFN "));
	on_k = 0;
	for (i = 0; i < KSM_NPG; i++) {
		e = page_at(&p2, pid, p + i * PG);
		on_k += i != KSM_WRITTEN && e &&
			pfn_at(&p2, pid, p + i * PG) == k &&
			e->count == KSM_NPG - 1;
	}
	EXPECT_EQ(KSM_NPG - 1, on_k);
	ASSERT_TRUE(out_mappers(out, 1, &ml));
	EXPECT_EQ(k, ml.pfn);
	check_ksm_mappers(_metadata, &ml, &p2, pid, p, KSM_NPG - 1, "unmerged one");
	for (i = 0; i < ml.listed; i++)
		EXPECT_NE(p + KSM_WRITTEN * PG, ml.addr[i]);
	free(p1.e);
	free(p3.e);
	free(p2.e);
}

/* 5-level paging: what run_tests.sh keys the skips on (the CPU's la57). */
static bool la57(void)
{
	char *text = mmt_read_file("/proc/cpuinfo", NULL);
	const char *p = text;
	bool ret = false;

	while (p && (p = strstr(p, "la57")) && !ret) {
		ret = (p[-1] == ' ' || p[-1] == '\t') &&
		      (p[4] == ' ' || p[4] == '\n');
		p += 4;
	}
	free(text);
	return ret;
}

/*
 * translate (step 1: map a page with a hint above 128 TiB, write 16
 * bytes at offset 0x5a8 -> that address).  What the lab prints about the
 * address against the x86-64 layout (arch/x86/include/asm/pgtable_64_types.h:
 * 9 bits per level from bit 12; the pgd at 48 with 5 levels, at 39 with 4,
 * where the p4d is folded) and the kernel's pagemap of the same address
 * after the same step: the indices, the offset, the PFN and the physical
 * address.  With 5 levels the kernel honours the hint (mm/mmap.c: above
 * 47 bits only when the hint asks).
 */
static void check_translate(struct __test_metadata *_metadata, const char *dir,
			    const char *out)
{
	static const char *const names[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	unsigned int shift[] = { 39, 39, 30, 21, 12 }, lv, sh, idx;
	unsigned long long va = step_value(dir, 1), pfn, phys, off, shown;
	bool five = la57();
	char pat[32], name[8];
	const char *line;
	struct pages pg;

	expect_steps(_metadata, (const int[]){ 1 }, 1);
	ASSERT_NE(0, va);
	if (five)
		shift[0] = 48;
	EXPECT_EQ(five, va >> 47 != 0) TH_LOG("va %#llx", va);
	for (lv = 0; lv < 5; lv++) {
		snprintf(pat, sizeof(pat), "\n    %-6s ", names[lv]);
		line = strstr(out, pat);
		ASSERT_NE(NULL, line) TH_LOG("no %s line", names[lv]);
		if (!five && lv == 1) {
			EXPECT_NE(NULL, strstr(line, "(folded")) TH_LOG("%.80s", line);
			continue;
		}
		ASSERT_EQ(3, sscanf(line, " %7s index = (va >> %u) & 0x1ff = %u",
				    name, &sh, &idx)) TH_LOG("%.80s", line);
		EXPECT_EQ(shift[lv], sh) TH_LOG("%s", names[lv]);
		EXPECT_EQ((va >> shift[lv]) & 511, idx) TH_LOG("%s", names[lv]);
	}
	line = strstr(out, "\n    offset ");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(1, sscanf(line, " offset = va & 0xfff = %llx", &off))
		TH_LOG("%.80s", line);
	EXPECT_EQ(va & 0xfff, off);
	load_pages(dir, 1, &pg);
	pfn = pfn_at(&pg, step_pid(1), va);
	free(pg.e);
	EXPECT_NE(0, pfn);
	line = strstr(out, "physical address = PFN ");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(3, sscanf(line, "physical address = PFN %llx << 12 | offset %llx = %llx",
			    &shown, &off, &phys)) TH_LOG("%.100s", line);
	EXPECT_EQ(pfn, shown);
	EXPECT_EQ(va & 0xfff, off);
	EXPECT_EQ(pfn << 12 | (va & 0xfff), phys);
}

/*
 * thp (steps: 1 map three 2 MiB-aligned regions, H with MADV_HUGEPAGE,
 * S and a scratch one with MADV_NOHUGEPAGE -> H, 2 touch the scratch one
 * -> S, 3 write each of S's 512 pages, 4 each of H's, 5 MADV_NOHUGEPAGE H
 * and unmap its second half).  The kernel: after 3, S's 512 pages present,
 * none part of a THP, 512 minor faults; after 4, H is one huge page: 512
 * present pages at consecutive PFNs from a 2 MiB-aligned one, each
 * KPF_THP, AnonHugePages 2048 kB in H's VMA, one fault, thp_fault_alloc
 * grew; after 5, the first half still maps the same PFNs, the second is
 * gone, AnonHugePages 0, thp_split_pmd grew.
 */
#define THP_NPG		512ULL

static void check_thp(struct __test_metadata *_metadata, const char *dir,
		      const char *out)
{
	unsigned long long h = step_value(dir, 1), s = step_value(dir, 2), i;
	unsigned long long base;
	int pid = step_pid(1), thp = 0, cons = 0, bad = 0;
	struct pages p3, p4, p5;

	expect_steps(_metadata, (const int[]){ 1, 2, 3, 4, 5 }, 5);
	ASSERT_NE(0, h);
	ASSERT_NE(0, s);
	EXPECT_EQ(0, h & (THP_NPG * PG - 1));
	EXPECT_EQ(0, s & (THP_NPG * PG - 1));
	EXPECT_EQ((long long)THP_NPG, step_minflt(dir, 3) - step_minflt(dir, 2));
	EXPECT_EQ(1, step_minflt(dir, 4) - step_minflt(dir, 3));
	load_pages(dir, 3, &p3);
	for (i = 0; i < THP_NPG; i++) {
		const struct page_ent *e = page_at(&p3, pid, s + i * PG);

		bad += !e || !PM_PRESENT(e->entry) ||
		       (e->flags >> KPF_THP & 1);
	}
	EXPECT_EQ(0, bad) TH_LOG("S: pages not present or in a THP");
	free(p3.e);
	load_pages(dir, 4, &p4);
	base = pfn_at(&p4, pid, h);
	EXPECT_EQ(0, base & (THP_NPG - 1)) TH_LOG("PFN %#llx", base);
	for (i = 0; i < THP_NPG; i++) {
		const struct page_ent *e = page_at(&p4, pid, h + i * PG);

		cons += base && pfn_at(&p4, pid, h + i * PG) == base + i;
		thp += e && (e->flags >> KPF_THP & 1);
	}
	EXPECT_EQ(THP_NPG, cons);
	EXPECT_EQ(THP_NPG, thp);
	EXPECT_EQ(2048, step_smaps_kb(dir, 4, h, "AnonHugePages"));
	EXPECT_LE(1, step_kv(dir, 4, "vmstat2", "thp_fault_alloc", false) -
		     step_kv(dir, 3, "vmstat", "thp_fault_alloc", false));
	free(p4.e);
	load_pages(dir, 5, &p5);
	cons = 0;
	bad = 0;
	for (i = 0; i < THP_NPG; i++) {
		if (i < THP_NPG / 2)
			cons += base && pfn_at(&p5, pid, h + i * PG) == base + i;
		else
			bad += pfn_at(&p5, pid, h + i * PG) != 0;
	}
	EXPECT_EQ(THP_NPG / 2, cons);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, step_smaps_kb(dir, 5, h, "AnonHugePages"));
	EXPECT_LE(1, step_kv(dir, 5, "vmstat2", "thp_split_pmd", false) -
		     step_kv(dir, 4, "vmstat", "thp_split_pmd", false));
	free(p5.e);
}

/*
 * filemap (two subjects A and B on a 4-page file the lab just wrote; in
 * the lab's order: A and B map it MAP_PRIVATE -> the address, both read
 * its first byte -> 'f', A writes 'A', B reads -> 'f', A and B map it
 * MAP_SHARED, both read, A writes 'A', B reads -> 'A', B writes 'B', A
 * reads -> 'B').
 * The kernel: right after mmap nothing is mapped; A's read maps the
 * page-cache page (pagemap: present, a file page) and, by fault-around,
 * the other cached pages of the file in reach (mm/memory.c
 * do_fault_around(): fault_around_bytes from the fault on, clamped to the
 * VMA and to the page table), without a major fault (the file's pages are
 * cached: the lab wrote them); B's read maps the same PFN, then mapped
 * twice (kpagecount); A's private write maps a new anonymous PFN, mapped
 * once and only by A, while B keeps the page-cache page, now mapped once;
 * MAP_SHARED maps the same page-cache page again, and A's write goes into
 * it: no copy.  Neither process ever takes a major fault.
 */
#define FILEMAP_NPG	4ULL

static void check_filemap(struct __test_metadata *_metadata, const char *dir,
			  const char *out)
{
	unsigned long long pa = step_value(dir, 1), pb = step_value(dir, 2);
	unsigned long long f, fab = 65536, off, reach, vs = 0, ve = 0;
	int a = step_pid(1), b = step_pid(2), total, i;
	struct pages pg[15];
	struct proc_ent a1, b2, al, bl;
	char perms[8], *text;

	expect_steps(_metadata, (const int[]){ 1, 1, 3, 3, 4, 3, 2, 2, 3, 3, 4, 3, 4, 3 }, 14);
	ASSERT_NE(0, pa);
	ASSERT_NE(0, pb);
	ASSERT_NE(a, b);
	for (i = 1; i <= 14; i++)
		load_pages(dir, i, &pg[i]);
	/* The mappings: private, the file's 4 pages, nothing mapped yet. */
	EXPECT_EQ(1, step_vmas(dir, 1, pa, pa + 1, &total, perms, &vs, &ve));
	EXPECT_STREQ("rw-p", perms);
	EXPECT_EQ(FILEMAP_NPG * PG, ve - vs);
	EXPECT_EQ(1, step_vmas(dir, 2, pb, pb + 1, &total, perms, NULL, NULL));
	EXPECT_STREQ("rw-p", perms);
	EXPECT_EQ(0, pfn_at(&pg[1], a, pa));
	EXPECT_EQ(0, pfn_at(&pg[2], b, pb));
	/* A reads: the page-cache page, and fault-around. */
	EXPECT_EQ('f', step_value(dir, 3));
	f = pfn_at(&pg[3], a, pa);
	EXPECT_NE(0, f);
	EXPECT_TRUE(page_at(&pg[3], a, pa) && PM_FILE(page_at(&pg[3], a, pa)->entry));
	text = mmt_read_file("/sys/kernel/debug/fault_around_bytes", NULL);
	if (text)
		fab = strtoull(text, NULL, 10);
	free(text);
	off = pa / PG % 512;
	reach = fab / PG > 1 ? fab / PG : 1;
	reach = reach < FILEMAP_NPG ? reach : FILEMAP_NPG;
	reach = reach < 512 - off ? reach : 512 - off;
	EXPECT_EQ((long long)(reach * PG / 1024), step_smaps_kb(dir, 3, pa, "Rss"))
		TH_LOG("fault_around_bytes %llu, page table index %llu", fab, off);
	/* B reads: the same page. */
	EXPECT_EQ('f', step_value(dir, 4));
	EXPECT_EQ(f, pfn_at(&pg[4], b, pb));
	EXPECT_EQ(2, page_at(&pg[4], b, pb) ? page_at(&pg[4], b, pb)->count : -1);
	/* A writes its private mapping: a copy, anonymous, A's alone. */
	EXPECT_NE(0, pfn_at(&pg[5], a, pa));
	EXPECT_NE(f, pfn_at(&pg[5], a, pa));
	EXPECT_TRUE(page_at(&pg[5], a, pa) && !PM_FILE(page_at(&pg[5], a, pa)->entry) &&
		    PM_EXCL(page_at(&pg[5], a, pa)->entry));
	EXPECT_EQ(f, pfn_at(&pg[5], b, pb));
	EXPECT_TRUE(page_at(&pg[5], b, pb) && PM_FILE(page_at(&pg[5], b, pb)->entry));
	EXPECT_EQ(1, page_at(&pg[5], b, pb) ? page_at(&pg[5], b, pb)->count : -1);
	EXPECT_EQ('f', step_value(dir, 6));
	/* MAP_SHARED: the page-cache page again, written in place. */
	pa = step_value(dir, 7);
	pb = step_value(dir, 8);
	EXPECT_EQ(1, step_vmas(dir, 7, pa, pa + 1, &total, perms, NULL, NULL));
	EXPECT_STREQ("rw-s", perms);
	EXPECT_EQ(1, step_vmas(dir, 8, pb, pb + 1, &total, perms, NULL, NULL));
	EXPECT_STREQ("rw-s", perms);
	EXPECT_EQ(f, pfn_at(&pg[9], a, pa));
	EXPECT_EQ(f, pfn_at(&pg[10], b, pb));
	EXPECT_EQ(2, page_at(&pg[10], b, pb) ? page_at(&pg[10], b, pb)->count : -1);
	EXPECT_EQ(f, pfn_at(&pg[11], a, pa));
	EXPECT_TRUE(page_at(&pg[11], a, pa) && PM_FILE(page_at(&pg[11], a, pa)->entry));
	EXPECT_EQ('A', step_value(dir, 12));
	EXPECT_EQ('B', step_value(dir, 14));
	/* No major fault: the file's pages stayed cached. */
	a1 = step_proc(dir, 1, a);
	b2 = step_proc(dir, 2, b);
	al = step_proc(dir, 14, a);
	bl = step_proc(dir, 14, b);
	ASSERT_TRUE(a1.found && b2.found && al.found && bl.found);
	EXPECT_EQ(0, al.majflt - a1.majflt);
	EXPECT_EQ(0, bl.majflt - b2.majflt);
	for (i = 1; i <= 14; i++)
		free(pg[i].e);
}

/* /proc/slabinfo's line for @cache in a copy: false if absent. */
struct slabline {
	long long active, num, per, slabs;
};

static bool step_slab(const char *dir, int i, const char *cache,
		      struct slabline *sl)
{
	char *text = step_file(dir, i, "slabinfo"), *line, *save = NULL;
	char name[64];
	bool found = false;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = sscanf(line, "%63s %lld %lld %*u %lld %*u : tunables %*u %*u %*u : slabdata %*u %lld",
			       name, &sl->active, &sl->num, &sl->per,
			       &sl->slabs) == 5 && !strcmp(name, cache);
	free(text);
	return found;
}

static long long file_nr(const char *dir, int i)
{
	char *text = step_file(dir, i, "file-nr");
	long long v = text ? strtoll(text, NULL, 10) : -1;

	free(text);
	return v;
}

/*
 * slab (steps: 1 nothing (the state before), 2 create and open N files
 * in a tmpfs directory -> N, 3 close and remove them -> N, 4 nothing,
 * after the lab waited for the objects to be freed).  Each open file is
 * one "filp" object (fs/file_table.c alloc_empty_file()).  The kernel:
 * the subject has N more descriptors after 2 and as many as before after
 * 3; N is at least the lab's MIN_OPENS (2000) and more than the cache's
 * objects before 2 (the lab makes more files than the cache holds).
 * After 2 the N objects exist at once: num_objs >= N, so num_slabs >=
 * N / objperslab rounded up (a slab holds at most objperslab), more slabs
 * than before; active_objs >= N.
 * After 4, SLUB's active_objs (mm/slub.c get_slabinfo(): all objects but
 * the free ones on the node partial lists) is the objects in use plus the
 * free ones in per-CPU slabs: per CPU one slab and at most cpu_partial_slabs
 * + 1 partial ones (put_cpu_partial() drains the list when it reaches
 * cpu_partial_slabs; cpu_partial_slabs = DIV_ROUND_UP(2 * cpu_partial,
 * objperslab), slub_set_cpu_partial()), each with at most objperslab free.
 * The objects in use are /proc/sys/fs/file-nr's first field (nr_files,
 * every struct file allocated), so active_objs must drop by at least
 * N - ncpus * objperslab * (cpu_partial_slabs + 2) - what others opened
 * meanwhile (file-nr after 4 - (file-nr after 2 - N), if positive).
 */
#define SLAB_MIN_OPENS	2000

static void check_slab(struct __test_metadata *_metadata, const char *dir,
		       const char *out)
{
	long long n = step_value(dir, 2), need, cps, slack, others, ncpu;
	struct slabline r, o, s;
	struct proc_ent p1, p2, p3;
	int pid = step_pid(1);
	char *text;

	expect_steps(_metadata, (const int[]){ 1, 2, 3, 4 }, 4);
	EXPECT_LE(SLAB_MIN_OPENS, n);
	EXPECT_EQ(n, (long long)step_value(dir, 3));
	p1 = step_proc(dir, 1, pid);
	p2 = step_proc(dir, 2, pid);
	p3 = step_proc(dir, 3, pid);
	ASSERT_TRUE(p1.found && p2.found && p3.found);
	EXPECT_EQ(n, p2.nfds - p1.nfds);
	EXPECT_EQ(p1.nfds, p3.nfds);
	ASSERT_TRUE(step_slab(dir, 1, "filp", &r));
	ASSERT_TRUE(step_slab(dir, 2, "filp", &o));
	ASSERT_TRUE(step_slab(dir, 4, "filp", &s));
	ASSERT_LT(0, o.per);
	EXPECT_LT(r.num, n);
	EXPECT_LE(n, o.num);
	EXPECT_LE(n, o.active);
	need = (n + o.per - 1) / o.per;
	EXPECT_LE(need, o.slabs) TH_LOG("%lld objects, %lld per slab", n, o.per);
	EXPECT_LT(r.slabs, o.slabs);
	text = mmt_read_file("/sys/kernel/slab/filp/cpu_partial", NULL);
	ASSERT_NE(NULL, text);
	cps = (2 * strtoll(text, NULL, 10) + o.per - 1) / o.per;
	free(text);
	ncpu = sysconf(_SC_NPROCESSORS_CONF);
	ASSERT_LT(0, file_nr(dir, 2));
	ASSERT_LT(0, file_nr(dir, 4));
	others = file_nr(dir, 4) - (file_nr(dir, 2) - n);
	others = others > 0 ? others : 0;
	slack = ncpu * o.per * (cps + 2) + others;
	EXPECT_LT(slack, n) TH_LOG("the bound says nothing: slack %lld", slack);
	EXPECT_LE(n - slack, o.active - s.active)
		TH_LOG("active filp %lld -> %lld, %lld files; slack %lld (%lld CPUs, %lld per slab, %lld partial slabs, %lld opened by others)",
		       o.active, s.active, n, slack, ncpu, o.per, cps, others);
}

/* Free pages on node 0's buddy lists, below order 9 and from order 9 up. */
#define HIGH_ORDER	9

static void node0_buddy(const char *dir, int i, long long *low, long long *high)
{
	char *text = step_file(dir, i, "buddyinfo"), *line, *save = NULL;

	*low = *high = 0;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "zone"), *end;
		int k;

		if (strncmp(line, "Node 0,", 7) || !p)
			continue;
		p += 4;
		p += strspn(p, " ");
		p += strcspn(p, " ");
		for (k = 0;; k++, p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			if (k < HIGH_ORDER)
				*low += v << k;
			else
				*high += v << k;
		}
	}
	if (!text)
		*low = *high = -1;
	free(text);
}

/* "KEY:" summed over node 0's per-CPU lists in a zoneinfo copy, -1 if none. */
static long long node0_pcp(const char *dir, int i, const char *file,
			   const char *key)
{
	char *text = step_file(dir, i, file), *line, *save = NULL;
	long long n = 0;
	bool node0 = false;
	char *p;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Node ", 5))
			node0 = !strncmp(line, "Node 0,", 7);
		else if (node0 && (p = strstr(line, key)))
			n += strtoll(p + strlen(key), NULL, 10);
	}
	free(text);
	return text ? n : -1;
}

/*
 * At most the pages on node 0's per-CPU lists when the hook read
 * buddyinfo after step @i: the larger of the counts read just before and
 * just after it, plus one batch per list for a refill in between (pages
 * a refill moves from the buddy lists are in neither the buddyinfo read
 * nor the first count; mm/page_alloc.c rmqueue_bulk() moves a batch;
 * pages freed to the lists meanwhile are in the pgfree delta).
 */
static long long node0_pcp_bound(const char *dir, int i)
{
	long long z1 = node0_pcp(dir, i, "zoneinfo", "count:");
	long long z2 = node0_pcp(dir, i, "zoneinfo2", "count:");
	long long batch = node0_pcp(dir, i, "zoneinfo", "batch:");

	if (z1 < 0 || z2 < 0 || batch < 0)
		return -1;
	return (z1 > z2 ? z1 : z2) + batch;
}

/*
 * buddy (steps: 1 nothing (the state before), 2 map B pages bound to
 * node 0, THP off, and write each -> the address, 3 unmap them, 4 nothing,
 * after the lab's wait).  Counted in pages on node 0: LOW free in blocks
 * below order 9, HIGH from order 9 up (/proc/buddyinfo), PCP on per-CPU
 * lists (zoneinfo "count:", bounded by node0_pcp_bound()).  B from the kernel: the burst's VMA, every page
 * resident (smaps Rss).
 * Split: the free pool (buddy + per-CPU lists) loses at least the B pages
 * the burst allocated and gains at most what anyone freed meanwhile
 * (vmstat pgfree from the hook's first read after 1 to its last after 2:
 * every free is counted there, mm/page_alloc.c); at most LOW + PCP of the
 * pages came from below order 9, so HIGH drops by at least
 * B - LOW - PCP - pgfree delta (and the lab's burst is sized to make that
 * positive).
 * Freed: munmap frees the B pages but those still held by a per-CPU LRU
 * batch (mm/swap.c folio_add_lru(), at most PAGEVEC_SIZE = 31 each CPU);
 * so after 3 the pool holds at least what it held after 2 plus B - 31 *
 * CPUs, minus what anyone allocated meanwhile (vmstat pgalloc_*).
 * Merging back is not asserted here: each page others hold or a per-CPU
 * list keeps can stop a whole 2 MiB block from merging, and there are more
 * of those than the burst has blocks, so no bound from outside holds.
 */
#define BUDDY_MIN_BURST	((64ULL << 20) / PG)
#define LRU_BATCH	31

static void check_buddy(struct __test_metadata *_metadata, const char *dir,
			const char *out)
{
	unsigned long long p = step_value(dir, 2), vs = 0, ve = 0;
	long long b, low1, high1, low2, high2, low3, high3, pcp1, pcp3;
	long long freed, alloced, ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int total;

	expect_steps(_metadata, (const int[]){ 1, 2, 3, 4 }, 4);
	ASSERT_NE(0, p);
	ASSERT_EQ(1, step_vmas(dir, 2, p, p + 1, &total, NULL, &vs, &ve));
	b = step_smaps_kb(dir, 2, p, "Rss") / 4;
	EXPECT_EQ((long long)((ve - vs) / PG), b);
	EXPECT_EQ(0, b % 512);
	EXPECT_LE((long long)BUDDY_MIN_BURST, b);
	node0_buddy(dir, 1, &low1, &high1);
	node0_buddy(dir, 2, &low2, &high2);
	node0_buddy(dir, 3, &low3, &high3);
	ASSERT_LT(0, low1 + high1);
	ASSERT_LE(0, low2);
	ASSERT_LE(0, low3);
	pcp1 = node0_pcp_bound(dir, 1);
	pcp3 = node0_pcp_bound(dir, 3);
	ASSERT_LE(0, pcp1);
	ASSERT_LE(0, pcp3);
	freed = step_kv(dir, 2, "vmstat2", "pgfree", false) -
		step_kv(dir, 1, "vmstat", "pgfree", false);
	EXPECT_LT(low1 + pcp1 + freed, b)
		TH_LOG("the burst (%lld pages) cannot force a split: %lld below order 9, %lld on per-CPU lists, %lld freed meanwhile",
		       b, low1, pcp1, freed);
	EXPECT_LE(b - low1 - pcp1 - freed, high1 - high2)
		TH_LOG("order >= 9: %lld -> %lld pages; burst %lld, below order 9 %lld, per-CPU %lld, freed meanwhile %lld",
		       high1, high2, b, low1, pcp1, freed);
	alloced = step_kv(dir, 3, "vmstat2", "pgalloc_", true) -
		  step_kv(dir, 2, "vmstat", "pgalloc_", true);
	EXPECT_LE(low2 + high2 + b - LRU_BATCH * ncpu - alloced,
		  low3 + high3 + pcp3)
		TH_LOG("free on node 0: %lld -> %lld (+ %lld per-CPU); burst %lld, allocated meanwhile %lld",
		       low2 + high2, low3 + high3, pcp3, b, alloced);
}

/* ---- the kernel's own files about kernel memory ------------------------ */

/* In a top-level "System RAM" range of /proc/iomem? */
static bool in_system_ram(unsigned long long pa, unsigned long long *top)
{
	char *text = mmt_read_file("/proc/iomem", NULL), *line, *save = NULL;
	unsigned long long s, e;
	bool in = false;
	int off;

	*top = 0;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != ' ' && sscanf(line, "%llx-%llx : %n", &s, &e, &off) == 2 &&
		    !strcmp(line + off, "System RAM")) {
			in |= s <= pa && pa <= e;
			*top = e + 1 > *top ? e + 1 : *top;
		}
	free(text);
	return in;
}

/* The CPU's pti flag (set when page-table isolation is on). */
static bool cpu_pti(void)
{
	char *text = mmt_read_file("/proc/cpuinfo", NULL), *p;
	bool pti = false;

	for (p = text; p && (p = strstr(p, " pti")) && !pti; p += 4)
		pti = p[4] == ' ' || p[4] == '\n';
	free(text);
	return pti;
}

/* The hook's copy of a RAM page after step @i (copy_kpage()). */
static int step_kpage(const char *dir, int i, unsigned long long *page)
{
	char path[PATH_MAX];
	int fd, ret;

	if (i < 1 || i > run.n)
		return -1;
	snprintf(path, sizeof(path), "%s/%d.kpage", dir, run.seq[i - 1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = read(fd, page, PG) == PG ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * kernelpt (steps in the lab's order: 1 the program forks -> the child's
 * pid; 5, 6, 7, 8 the physical address of the pgd of init, of the CLI, of
 * the program, of its child (mmscope vma) -> that address; 2 the program
 * runs translate --kernel of each region's start, 3 its child does, 4
 * reap).  The kernel's own: init_top_pgt (/proc/kallsyms) read through
 * /proc/kcore; each of the four pgd pages as the hook read it through
 * /proc/kcore (at page_offset_base, the kernel's variable read the same
 * way, + the address) while its process lived: four different pages, all
 * 256 kernel-half entries init_top_pgt's (with PTI the LDT slot,
 * LDT_PGD_ENTRY, may be the process's own); the program's pgd maps the
 * program (the user-half slot of the lowest VMA the hook saw in its maps
 * is present) and the child's points that slot at another table (fork
 * copies the page tables).  The lab prints the same four addresses.  Each
 * row of the lab's table: the slot is the address's top-level index (bits
 * 39+ with 4 levels, 48+ with 5) and the three processes' entries are
 * init_top_pgt's there.  PTI as the lab says is the CPU's pti flag.
 */
#define TABLE_MASK	0x000ffffffffff000ULL

static void check_kernelpt(struct __test_metadata *_metadata, const char *dir,
			   const char *out)
{
	static unsigned long long init[512], pgd[4][512];
	unsigned long long phys[4], a, e[4], ua = 0;
	unsigned int shift = la57() ? 48 : 39, ldt = la57() ? 400 : 272, slot;
	int pid[4], n = 0, i, k, rows = 0, prog = step_pid(1);
	int child = step_value(dir, 1);
	const char *p, *pos;
	struct mmt_vma v;
	char *maps;

	expect_steps(_metadata, (const int[]){ 1, 5, 6, 7, 8, 2, 3, 4 }, 8);
	ASSERT_NE(0, mmt_ksym("init_top_pgt"));
	ASSERT_EQ(0, mmt_kcore(mmt_ksym("init_top_pgt"), init, sizeof(init)));
	EXPECT_NE(NULL, strstr(out, cpu_pti() ? "(PTI) is on" : "(PTI) is off"));
	for (p = out; n < 4 && (p = strstr(p, "\n    pid ")); p++)
		if (sscanf(p, "\n    pid %d (%*[^)]): pgd at phys %llx", &pid[n],
			   &phys[n]) == 2)
			n++;
	ASSERT_EQ(4, n);
	EXPECT_EQ(1, pid[0]);
	EXPECT_EQ(prog, pid[2]);
	EXPECT_EQ(child, pid[3]);
	for (i = 0; i < 4; i++) {
		int same = 0;

		EXPECT_EQ(phys[i], step_value(dir, 2 + i)) TH_LOG("pid %d", pid[i]);
		ASSERT_EQ(0, step_kpage(dir, 2 + i, pgd[i]))
			TH_LOG("pid %d: pgd at %#llx", pid[i], phys[i]);
		for (k = 0; k < i; k++)
			EXPECT_NE(phys[k], phys[i]);
		for (k = 256; k < 512; k++)
			same += pgd[i][k] == init[k] || (cpu_pti() && k == (int)ldt);
		EXPECT_EQ(256, same) TH_LOG("pid %d", pid[i]);
	}
	/* The program's own pgd: the slot of its lowest VMA is present. */
	maps = step_file(dir, 1, "maps");
	pos = maps;
	if (maps && mmt_maps_next(&pos, &v))
		ua = v.start;
	free(maps);
	ASSERT_NE(0, ua);
	slot = (ua >> shift) & 511;
	EXPECT_TRUE(pgd[2][slot] & 1) TH_LOG("slot %u", slot);
	EXPECT_TRUE(pgd[3][slot] & 1) TH_LOG("slot %u", slot);
	EXPECT_NE(pgd[2][slot] & TABLE_MASK, pgd[3][slot] & TABLE_MASK);
	/* The table. */
	for (p = out; (p = strstr(p, " pgd[")); p++) {
		const char *as = p;	/* the address before it */

		while (as > out && as[-1] != ' ' && as[-1] != '\n')
			as--;
		if (as == p || as == out || sscanf(as - 1, " %llx pgd[%u] %llx %llx %llx %llx",
				      &a, &slot, &e[0], &e[1], &e[2], &e[3]) != 6)
			continue;
		rows++;
		EXPECT_EQ((a >> shift) & 511, slot) TH_LOG("%#llx", a);
		EXPECT_TRUE(init[slot] & 1) TH_LOG("slot %u", slot);
		for (i = 0; i < 4; i++)
			EXPECT_EQ(init[slot], e[i]) TH_LOG("slot %u, column %d", slot, i);
	}
	EXPECT_LT(2, rows);
}

/*
 * directmap (step 1: map a page and write 16 bytes into it -> its
 * address).  The kernel's own: page_offset_base (kallsyms + kcore) is the
 * lab's; every "System RAM A-B: page_offset_base + P -> phys Q" line has P
 * in System RAM (/proc/iomem) and Q == P, and they cover the top RAM page
 * (above 896 MiB when the machine has RAM there); the program's page is
 * the PFN pagemap gave (the hook's copy), and the kernel address the lab
 * names for it is page_offset_base + PFN * 4096 and reaches that PFN.
 */
static void check_directmap(struct __test_metadata *_metadata, const char *dir,
			    const char *out)
{
	unsigned long long po = mmt_page_offset_base(), pa, q, top = 0, high = 0;
	unsigned long long va = step_value(dir, 1), pfn, kva, kpfn;
	int rows = 0;
	const char *p;
	struct pages pg;

	expect_steps(_metadata, (const int[]){ 1 }, 1);
	ASSERT_NE(0, po);
	EXPECT_EQ(po, out_hex(out, "] page_offset_base "));
	for (p = out; (p = strstr(p, ": page_offset_base + ")); p++) {
		if (sscanf(p, ": page_offset_base + %llx -> phys %llx", &pa, &q) != 2)
			continue;
		rows++;
		EXPECT_TRUE(in_system_ram(pa, &top)) TH_LOG("%#llx", pa);
		EXPECT_EQ(pa, q);
		high = pa > high ? pa : high;
	}
	in_system_ram(0, &top);
	EXPECT_LE(3, rows);
	EXPECT_EQ(top - PG, high);
	if (top > (896ULL << 20))
		EXPECT_NE(NULL, strstr(out, ", above 896 MiB"));
	load_pages(dir, 1, &pg);
	pfn = pfn_at(&pg, step_pid(1), va);
	free(pg.e);
	ASSERT_NE(0, pfn);
	EXPECT_EQ(pfn, out_hex(out, "pagemap PFN "));
	p = strstr(out, "translate --kernel ");
	while (p && sscanf(p, "translate --kernel %llx reaches PFN %llx", &kva, &kpfn) != 2)
		p = strstr(p + 1, "translate --kernel ");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(po + pfn * PG, kva);
	EXPECT_EQ(pfn, kpfn);
}

FIXTURE(lab) {
};

FIXTURE_VARIANT(lab) {
	const char *name;
	bool traced;		/* checks a count from the BPF fault tracer */
	/* the claim against the subject's /proc files, by the test */
	void (*check)(struct __test_metadata *_metadata, const char *dir,
		      const char *out);
};

/* One line per lab: the labs this build of mmscope has. */
FIXTURE_VARIANT_ADD(lab, demand) {
	.name = "demand", .traced = true, .check = check_demand
};
FIXTURE_VARIANT_ADD(lab, malloc) { .name = "malloc", .check = check_malloc };
FIXTURE_VARIANT_ADD(lab, cow) {
	.name = "cow", .traced = true, .check = check_cow
};
FIXTURE_VARIANT_ADD(lab, filemap) { .name = "filemap", .check = check_filemap };
FIXTURE_VARIANT_ADD(lab, translate) {
	.name = "translate", .check = check_translate
};
FIXTURE_VARIANT_ADD(lab, thp) {
	.name = "thp", .traced = true, .check = check_thp
};
FIXTURE_VARIANT_ADD(lab, vma) { .name = "vma", .check = check_vma };
FIXTURE_VARIANT_ADD(lab, buddy) { .name = "buddy", .check = check_buddy };
FIXTURE_VARIANT_ADD(lab, slab) { .name = "slab", .check = check_slab };
FIXTURE_VARIANT_ADD(lab, ksm) { .name = "ksm", .check = check_ksm };
FIXTURE_VARIANT_ADD(lab, kernelpt) {
	.name = "kernelpt", .check = check_kernelpt
};
FIXTURE_VARIANT_ADD(lab, directmap) {
	.name = "directmap", .check = check_directmap
};

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

#define HIGH_FRACTION	"/proc/sys/vm/percpu_pagelist_high_fraction"

TEST_F(lab, claim_holds)
{
	char dir[] = "/tmp/mmscope-lab-XXXXXX", exe[PATH_MAX];
	char *out, *err, *skip, *frac, *frac2;
	ssize_t n;
	int status;

	ASSERT_NE(NULL, mkdtemp(dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	setenv("MMSCOPE_LAB_HOOK", exe, 1);
	setenv("MMSCOPE_LAB_LOG", dir, 1);
	frac = mmt_read_file(HIGH_FRACTION, NULL);
	out = mmt_cli_run(&status, &err, "lab", variant->name, NULL);
	unsetenv("MMSCOPE_LAB_HOOK");
	/* The buddy lab changes it for its run: as found after every lab. */
	frac2 = mmt_read_file(HIGH_FRACTION, NULL);
	if (frac && frac2 && strcmp(frac, frac2))
		mmt_write_str(HIGH_FRACTION, frac);
	EXPECT_STREQ(frac ?: "?", frac2 ?: "-");
	free(frac);
	free(frac2);
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
		variant->check(_metadata, dir, out);
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
