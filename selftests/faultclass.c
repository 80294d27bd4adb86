// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: the class of every fault, against the kernel's own view.
 *
 * `mmscope faults --json -- <this program> workload OUT DIR` traces a
 * workload that makes known numbers of faults of each class, each phase in
 * its own VMA at a fixed address, pinned to one CPU (the per-CPU LRU
 * batches a page may sit in are then the ones the kernel drains itself).
 * For each phase the workload writes one line to OUT: its pid, the
 * CLOCK_MONOTONIC window around it, the deltas of its own rusage (minflt,
 * majflt) and of /proc/vmstat (pgfault, pgmajfault) over the window, and an
 * oracle count taken from the kernel's interfaces that the phase did what it
 * means to do (pagemap, kpageflags, mincore, the signals it received).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG		4096UL
#define HUGE_SZ		(2UL << 20)
#define N		32		/* pages per anonymous phase */
#define NF		16		/* file pages, one per 2 MiB */
#define NBUS		8		/* SIGBUS reads */
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define KPF_ANON_	12
#define KPF_HUGE_	17
#define KPF_ZERO_PAGE_	24

/* One region per phase, 1 GiB apart (2 MiB aligned: hugetlb, file stride). */
#define REGION(i)	(0x3c0000000000UL + (unsigned long)(i) * (1UL << 30))
enum phase {
	PH_ANON, PH_ZERO, PH_COW, PH_REUSE, PH_FILE_MAJOR, PH_FILE_MINOR,
	PH_SWAP, PH_ERROR, PH_HUGETLB, PH_UFFD, PH_NR,
};
static const char *const phase_names[PH_NR] = {
	"anon", "zero", "cow", "reuse", "file_major", "file_minor", "swap",
	"error", "hugetlb", "uffd",
};

/* ---- the workload ---------------------------------------------------------- */

struct win {
	unsigned long long t0, t1, v0[2], v1[2];
	struct rusage r0, r1;
};

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* pgfault and pgmajfault from /proc/vmstat. */
static void vmstat2(unsigned long long v[2])
{
	char *buf = mmt_read_file("/proc/vmstat", NULL), *p;

	v[0] = v[1] = 0;
	p = buf ? strstr(buf, "\npgfault ") : NULL;
	if (p)
		v[0] = strtoull(p + 9, NULL, 10);
	p = buf ? strstr(buf, "\npgmajfault ") : NULL;
	if (p)
		v[1] = strtoull(p + 12, NULL, 10);
	free(buf);
}

/*
 * getrusage() takes its figures, then copies them out: a fault on that copy
 * is not in the figures it returns.  So the clock is read before the
 * figures at both ends: such a fault at the start is inside the window and
 * in the difference, at the end outside both (6.1/4-level once traced 33
 * against 32 with the clock read last).
 */
static void win_start(struct win *w)
{
	/*
	 * Every page of *w written before the window opens: after fork() a
	 * first write to it is a fault of its own (seen: r1 on a page not
	 * yet written since the fork).
	 */
	memset(w, 0, sizeof(*w));
	/*
	 * And every page of code the window's ends run: after fork() the
	 * child's first call into the vDSO or into libc's getrusage() faults
	 * its page in (no page table is copied for them), inside the window
	 * and outside the rusage difference (seen: cow traced 33 against 32
	 * on 6.12).  One call of each first.
	 */
	w->t0 = mono_ns();
	getrusage(RUSAGE_SELF, &w->r0);
	vmstat2(w->v0);
	w->t0 = mono_ns();
	getrusage(RUSAGE_SELF, &w->r0);
}

static void win_end(struct win *w)
{
	w->t1 = mono_ns();
	getrusage(RUSAGE_SELF, &w->r1);
	vmstat2(w->v1);
}

static void win_line(char *buf, size_t len, enum phase ph, const struct win *w,
		     long oracle)
{
	snprintf(buf, len, "%s %d %llu %llu %ld %ld %llu %llu %ld\n",
		 phase_names[ph], getpid(), w->t0, w->t1,
		 w->r1.ru_minflt - w->r0.ru_minflt,
		 w->r1.ru_majflt - w->r0.ru_majflt,
		 w->v1[0] - w->v0[0], w->v1[1] - w->v0[1], oracle);
}

static void win_put(FILE *f, enum phase ph, const struct win *w, long oracle)
{
	char line[256];

	win_line(line, sizeof(line), ph, w, oracle);
	fputs(line, f);
}

static char *map_at(unsigned long addr, size_t len, int flags, int fd)
{
	char *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       flags | MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED) {
		perror("workload: mmap");
		exit(3);
	}
	return p;
}

static uint64_t pm(unsigned long va)
{
	uint64_t e = 0;

	mmt_pagemap(getpid(), va, &e);
	return e;
}

static uint64_t kpf(uint64_t pfn)
{
	uint64_t f = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd >= 0 && pread(fd, &f, sizeof(f), pfn * 8) != sizeof(f))
		f = 0;
	if (fd >= 0)
		close(fd);
	return f;
}

/* Pages of [a, a + n pages) (stride @stride) present with kpageflag @bit. */
static long count_kpf(unsigned long a, int n, unsigned long stride, int bit,
		      bool set)
{
	long k = 0;
	int i;

	for (i = 0; i < n; i++) {
		uint64_t e = pm(a + i * stride);

		if (MMT_PM_PRESENT(e) &&
		    !!(kpf(MMT_PM_PFN(e)) & (1ULL << bit)) == set)
			k++;
	}
	return k;
}

/* A region of @n pages at @a with its guard page below touched first. */
static char *anon_region(unsigned long a, int n)
{
	char *p = map_at(a - PG, (n + 1) * PG, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	madvise(p, (n + 1) * PG, MADV_NOHUGEPAGE);
	p[0] = 1;			/* anon_vma_prepare() outside the phase */
	return p + PG;
}

static sigjmp_buf bus_jmp;
static volatile int bus_seen;

static void on_bus(int sig)
{
	bus_seen++;
	siglongjmp(bus_jmp, 1);
}

/* Pages of the file mapping at @a (stride 2 MiB) in the page cache. */
static long resident(unsigned long a, int n)
{
	unsigned char v;
	long k = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!mincore((void *)(a + i * HUGE_SZ), PG, &v) && (v & 1))
			k++;
	return k;
}

/*
 * uffd: the handler thread of a userfaultfd registered for missing pages
 * of the phase's region.  It answers each UFFD_EVENT_PAGEFAULT message
 * with UFFDIO_COPY of a page it wrote before the window, and counts the
 * distinct pages the kernel handed to it: the oracle.
 */
struct uffd_handler {
	int fd;
	long served;
	char *src;
};

static void *uffd_serve(void *arg)
{
	struct uffd_handler *h = arg;
	unsigned long last = 0;

	while (h->served < N) {
		struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
		struct uffd_msg msg;
		struct uffdio_copy c = { .len = PG, .src = (uintptr_t)h->src };

		if (poll(&pfd, 1, 10000) != 1 ||
		    read(h->fd, &msg, sizeof(msg)) != sizeof(msg))
			break;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		c.dst = msg.arg.pagefault.address & ~(PG - 1);
		/* EEXIST: a second message for a page already served */
		if (ioctl(h->fd, UFFDIO_COPY, &c) && errno != EEXIST)
			break;
		h->served += c.dst != last;
		last = c.dst;
	}
	return NULL;
}

/*
 * N writes to missing pages of a userfaultfd range, each served by the
 * handler thread.  Returns 0 (the phase's line written), 1 when the
 * kernel has no userfaultfd for this process, 3 on failure.
 */
static int wl_uffd(FILE *f)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffd_handler h = { .fd = -1 };
	struct uffdio_register reg;
	pthread_t t;
	struct win w;
	char *p;
	int i;

	h.fd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (h.fd < 0 || ioctl(h.fd, UFFDIO_API, &api))
		return 1;
	p = anon_region(REGION(PH_UFFD), N);
	reg.range.start = (uintptr_t)p;
	reg.range.len = N * PG;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(h.fd, UFFDIO_REGISTER, &reg))
		return 3;
	h.src = map_at(REGION(PH_UFFD) + (1UL << 29), PG,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1);
	memset(h.src, 0x77, PG);
	if (pthread_create(&t, NULL, uffd_serve, &h))
		return 3;
	win_start(&w);
	for (i = 0; i < N; i++)
		p[i * PG] = 1;
	win_end(&w);
	pthread_join(t, NULL);
	win_put(f, PH_UFFD, &w, h.served);
	close(h.fd);
	return 0;
}

static int wl_phases(const char *out, const char *dir)
{
	unsigned long long ppfn[N];
	volatile char sum = 0;
	char path[PATH_MAX], line[256], page[PG];
	struct sigaction sa = { .sa_handler = on_bus };
	struct win w;
	int pfd[2], i, fd, st;
	cpu_set_t one;
	char *p;
	pid_t pid;
	FILE *f;
	long k;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return 3;
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	f = fopen(out, "w");
	if (!f)
		return 3;
	/* Every function the windows use has run once before the first. */
	win_start(&w);
	win_end(&w);
	win_line(line, sizeof(line), PH_ANON, &w, 0);

	/* anon: N first writes to fresh anonymous pages */
	p = anon_region(REGION(PH_ANON), N);
	win_start(&w);
	for (i = 0; i < N; i++)
		p[i * PG] = 1;
	win_end(&w);
	/* anonymous pages, none of them the zero page */
	k = count_kpf(REGION(PH_ANON), N, PG, KPF_ANON_, true);
	if (count_kpf(REGION(PH_ANON), N, PG, KPF_ZERO_PAGE_, true))
		k = -1;
	win_put(f, PH_ANON, &w, k);

	/* zero: N first reads of fresh anonymous pages */
	p = anon_region(REGION(PH_ZERO), N);
	win_start(&w);
	for (i = 0; i < N; i++)
		sum += p[i * PG];
	win_end(&w);
	win_put(f, PH_ZERO, &w,
		count_kpf(REGION(PH_ZERO), N, PG, KPF_ZERO_PAGE_, true));

	/* cow: the child writes N pages shared with its parent */
	p = anon_region(REGION(PH_COW), N);
	for (i = 0; i < N; i++) {
		p[i * PG] = 1;
		ppfn[i] = MMT_PM_PFN(pm(REGION(PH_COW) + i * PG));
	}
	if (pipe(pfd))
		return 3;
	fflush(f);
	pid = fork();
	if (pid < 0)
		return 3;
	if (!pid) {
		win_start(&w);
		for (i = 0; i < N; i++)
			p[i * PG] = 2;
		win_end(&w);
		for (k = 0, i = 0; i < N; i++)
			k += MMT_PM_PFN(pm(REGION(PH_COW) + i * PG)) != ppfn[i];
		win_line(line, sizeof(line), PH_COW, &w, k);
		_exit(write(pfd[1], line, strlen(line)) <= 0);
	}
	close(pfd[1]);
	memset(line, 0, sizeof(line));
	if (read(pfd[0], line, sizeof(line) - 1) <= 0)
		return 3;
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid || st)
		return 3;
	fputs(line, f);

	/* reuse: the parent writes the same N pages, now its own alone */
	win_start(&w);
	for (i = 0; i < N; i++)
		p[i * PG] = 3;
	win_end(&w);
	for (k = 0, i = 0; i < N; i++)
		k += MMT_PM_PFN(pm(REGION(PH_COW) + i * PG)) == ppfn[i];
	win_put(f, PH_REUSE, &w, k);

	/*
	 * file: NF pages 2 MiB apart (fault-around never leaves a page table,
	 * so each read maps one page), MADV_RANDOM (no readahead): read after
	 * drop_caches, then again through a second mapping.
	 */
	snprintf(path, sizeof(path), "%s/mmscope-faultclass-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return 3;
	unlink(path);
	memset(page, 0x5a, sizeof(page));
	for (i = 0; i < NF; i++)
		if (pwrite(fd, page, PG, i * HUGE_SZ) != PG)
			return 3;
	sync();
	if (mmt_write_str("/proc/sys/vm/drop_caches", "3"))
		return 3;
	p = map_at(REGION(PH_FILE_MAJOR), NF * HUGE_SZ, MAP_SHARED, fd);
	madvise(p, NF * HUGE_SZ, MADV_RANDOM);
	k = NF - resident(REGION(PH_FILE_MAJOR), NF);
	win_start(&w);
	for (i = 0; i < NF; i++)
		sum += p[i * HUGE_SZ];
	win_end(&w);
	win_put(f, PH_FILE_MAJOR, &w, k);
	p = map_at(REGION(PH_FILE_MINOR), NF * HUGE_SZ, MAP_SHARED, fd);
	madvise(p, NF * HUGE_SZ, MADV_RANDOM);
	k = resident(REGION(PH_FILE_MINOR), NF);
	win_start(&w);
	for (i = 0; i < NF; i++)
		sum += p[i * HUGE_SZ];
	win_end(&w);
	win_put(f, PH_FILE_MINOR, &w, k);

	/* error: NBUS reads past the end of a one-page file: SIGBUS */
	if (ftruncate(fd, PG))
		return 3;
	p = map_at(REGION(PH_ERROR), (NBUS + 1) * PG, MAP_SHARED, fd);
	sum += p[0];
	sigaction(SIGBUS, &sa, NULL);
	win_start(&w);
	for (i = 1; i <= NBUS; i++)
		if (!sigsetjmp(bus_jmp, 1))
			sum += p[i * PG];
	win_end(&w);
	win_put(f, PH_ERROR, &w, bus_seen);
	close(fd);

	/* swap: N pages paged out with MADV_PAGEOUT, read back */
	p = anon_region(REGION(PH_SWAP), N);
	for (i = 0; i < N; i++)
		memset(p + i * PG, i + 1, PG);
	madvise(p, N * PG, MADV_PAGEOUT);
	for (k = 0, i = 0; i < N; i++)
		k += MMT_PM_SWAP(pm(REGION(PH_SWAP) + i * PG));
	win_start(&w);
	for (i = 0; i < N; i++)
		sum += p[i * PG];
	win_end(&w);
	win_put(f, PH_SWAP, &w, k);

	/* hugetlb: one write to a 2 MiB hugetlb page */
	p = mmap((void *)REGION(PH_HUGETLB), HUGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (p != MAP_FAILED) {
		win_start(&w);
		p[0] = 1;
		win_end(&w);
		win_put(f, PH_HUGETLB, &w,
			count_kpf(REGION(PH_HUGETLB), 1, PG, KPF_HUGE_, true));
	}
	if (wl_uffd(f) == 3)
		return 3;
	return fclose(f) ? 3 : 0;
}

/* ---- the test -------------------------------------------------------------- */

struct ev {
	int pid, tid;
	unsigned long long ts, addr;
	const char *cls;		/* NULL: null */
	bool retry, error, major_bit, huge;
	bool tried;			/* "flags" has "tried" */
	bool vma_lock;			/* "lock":"vma" */
	long retries;
};

struct ph {
	bool seen;
	int pid;
	unsigned long long t0, t1;
	long dmin, dmaj;
	unsigned long long vpgf, vpgmaj;
	long oracle;
};

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

static bool has_word(const struct mmt_json *a, const char *w)
{
	int i;

	for (i = 0; a && a->type == MMT_JARR && i < a->n; i++)
		if (a->kids[i]->type == MMT_JSTR && !strcmp(a->kids[i]->str, w))
			return true;
	return false;
}

/* The phase that owns @va: its region [REGION(i), REGION(i) + 1 GiB). */
static int region_of(unsigned long long va)
{
	int i;

	for (i = 0; i < PH_NR; i++)
		if (va >= REGION(i) && va < REGION(i) + (1UL << 30))
			return i;
	return -1;
}

static const char *const cnames[] = {
	NULL, "anon", "zero", "cow", "reuse", "file_minor",
	"file_major", "swap_minor", "swap_major", "numa", "uffd",
	"hugetlb", "error", "retry", "spurious",
};

/* One traced run of the workload: its events, phases and summary. */
struct run {
	struct ev *ev;
	int n;
	struct ph ph[PH_NR];
	struct mmt_json *doc, *sum;
	char *err;
	int status;
};

static void run_free(struct run *r)
{
	free(r->ev);
	mmt_json_free(r->doc);
	free(r->err);
}

/*
 * `mmscope faults --json [--raw] -- <self> workload`: 0, or -1 with the
 * reason logged.  Merged (the default), a fault retried after
 * VM_FAULT_RETRY is one event; --raw, every handle_mm_fault() call is.
 */
static int trace_workload(struct __test_metadata *_metadata, bool raw,
			  struct run *r)
{
	const char *dir = mmt_droppable_dir(), *args[16];
	char out[] = "/tmp/mmscope-faultclass-XXXXXX", *buf, *line;
	char *old_huge = mmt_read_file("/proc/sys/vm/nr_hugepages", NULL);
	struct mmt_swapfile sw = { 0 };
	int i, n = 0, fd;

	memset(r, 0, sizeof(*r));
	if (!dir) {
		TH_LOG("no block-backed file system for the file and swap phases (the VM's scratch.sh sets MMSCOPE_SCRATCH)");
		return -1;
	}
	if (!old_huge) {
		TH_LOG("no nr_hugepages (kernel without hugetlb)");
		return -1;
	}
	if (mmt_swapfile_on(&sw, dir, "mmscope-faultclass.swap") ||
	    mmt_write_str("/proc/sys/vm/nr_hugepages", "1")) {
		TH_LOG("no swap file or hugetlb page");
		free(old_huge);
		return -1;
	}
	fd = mkstemp(out);
	if (fd < 0) {
		mmt_swapfile_off(&sw);
		mmt_write_str("/proc/sys/vm/nr_hugepages", old_huge);
		free(old_huge);
		return -1;
	}
	close(fd);

	i = 0;
	args[i++] = "faults";
	args[i++] = "--json";
	if (raw)
		args[i++] = "--raw";
	args[i++] = "--";
	args[i++] = self_exe();
	args[i++] = "workload";
	args[i++] = out;
	args[i++] = dir;
	args[i] = NULL;
	buf = mmt_cli_runv(args, &r->status, &r->err);
	mmt_swapfile_off(&sw);
	mmt_write_str("/proc/sys/vm/nr_hugepages", old_huge);
	free(old_huge);
	if (!buf || r->status) {
		TH_LOG("mmscope faults failed (%d): %s", r->status,
		       r->err ?: "");
		unlink(out);
		free(buf);
		return -1;
	}

	/* the events */
	for (line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		struct mmt_json *j;

		if (nl)
			*nl = '\0';
		j = mmt_json_parse(line);
		if (j && mmt_jget(j, "summary")) {
			mmt_json_free(r->doc);
			r->doc = j;
			r->sum = mmt_jget(j, "summary");
		} else if (j && mmt_jget(j, "addr")) {
			struct mmt_json *c = mmt_jget(j, "class");
			struct ev *ev = realloc(r->ev, sizeof(*ev) * (n + 1));

			if (!ev)
				return -1;
			r->ev = ev;
			ev[n].pid = mmt_jnum(mmt_jget(j, "pid"));
			ev[n].tid = mmt_jnum(mmt_jget(j, "tid"));
			ev[n].retries = mmt_jnum(mmt_jget(j, "retries"));
			ev[n].vma_lock = !strcmp(mmt_jstr(mmt_jget(j, "lock")) ?: "",
						 "vma");
			EXPECT_TRUE(mmt_jstr(mmt_jget(j, "lock")) &&
				    (ev[n].vma_lock ||
				     !strcmp(mmt_jstr(mmt_jget(j, "lock")), "mmap")));
			ev[n].ts = mmt_jnum(mmt_jget(j, "ts_ns"));
			ev[n].addr = mmt_jhex(mmt_jget(j, "addr"));
			ev[n].retry = has_word(mmt_jget(j, "result"), "RETRY");
			ev[n].major_bit = has_word(mmt_jget(j, "result"), "MAJOR");
			ev[n].tried = has_word(mmt_jget(j, "flags"), "tried");
			ev[n].error = has_word(mmt_jget(j, "result"), "SIGBUS") ||
				      has_word(mmt_jget(j, "result"), "SIGSEGV") ||
				      has_word(mmt_jget(j, "result"), "OOM");
			ev[n].huge = mmt_jget(j, "huge") &&
				     mmt_jget(j, "huge")->type == MMT_JBOOL &&
				     mmt_jget(j, "huge")->boolean;
			ev[n].cls = NULL;
			/* the names are static: keep a pointer into cnames */
			for (i = 1; c && c->type == MMT_JSTR &&
			     i < (int)(sizeof(cnames) / sizeof(cnames[0])); i++)
				if (!strcmp(c->str, cnames[i]))
					ev[n].cls = cnames[i];
			EXPECT_TRUE(c && (c->type == MMT_JSTR ? !!ev[n].cls :
					  false)) TH_LOG("event %d: class missing or unknown", n);
			n++;
			r->n = n;
			mmt_json_free(j);
		} else {
			mmt_json_free(j);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	if (!r->sum) {
		TH_LOG("no summary record");
		unlink(out);
		return -1;
	}
	/* nothing lost or missed: every count below is exact */
	EXPECT_EQ(0, mmt_jnum(mmt_jget(r->sum, "lost")));
	EXPECT_EQ(0, mmt_jnum(mmt_jget(r->sum, "missed")));

	/* the phases */
	buf = mmt_read_file(out, NULL);
	unlink(out);
	if (!buf)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[32];
		struct ph p = { .seen = true };

		if (sscanf(line, "%31s %d %llu %llu %ld %ld %llu %llu %ld", name,
			   &p.pid, &p.t0, &p.t1, &p.dmin, &p.dmaj, &p.vpgf,
			   &p.vpgmaj, &p.oracle) != 9)
			continue;
		for (i = 0; i < PH_NR; i++)
			if (!strcmp(name, phase_names[i]))
				r->ph[i] = p;
	}
	free(buf);
	return 0;
}

/* Whether @e is in phase @j's process and window. */
static bool in_window(const struct ev *e, const struct ph *p)
{
	return p->seen && e->pid == p->pid && e->ts >= p->t0 && e->ts <= p->t1;
}

/* Since 6.4 (x86-64 SMP: CONFIG_PER_VMA_LOCK is def_bool y). */
static bool kernel_has_vma_lock(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	uname(&u);
	sscanf(u.release, "%u.%u", &major, &minor);
	return major > 6 || (major == 6 && minor >= 4);
}

/*
 * The same workload traced --raw: one event per handle_mm_fault() call.
 * Per phase window, the calls that completed (neither RETRY nor an error)
 * are exactly the rusage minflt + majflt (mm_account_fault() skips RETRY),
 * so the RETRY calls come on top: raw calls = faults + retries.  The
 * merged run's retries are compared per phase: which faults retry is the
 * kernel's rule, the same in both runs (a file page read after
 * drop_caches: filemap_fault() reads it with the lock dropped, returns
 * RETRY|MAJOR, and the retry with FAULT_FLAG_TRIED finds it; a swapped-out
 * page too when do_swap_page() must wait for its folio, but that depends
 * on the swap readahead's timing, so not compared; an anonymous page
 * never).  Each RETRY call is followed by the same thread's next call
 * at the same address, the rule the merge relies on
 * (do_user_addr_fault()'s retry loop; per thread: the uffd phase's handler is a second one).
 */
static void check_raw(struct __test_metadata *_metadata,
		      const struct run *merged, const long *mretries)
{
	struct run raw;
	const struct ev *ev;
	int i, j, k;

	ASSERT_EQ(0, trace_workload(_metadata, true, &raw));
	ev = raw.ev;
	EXPECT_EQ(mmt_jnum(mmt_jget(raw.sum, "calls")),
		  mmt_jnum(mmt_jget(raw.sum, "events")));
	EXPECT_EQ(0, mmt_jnum(mmt_jget(raw.sum, "retries")));
	for (j = 0; j < PH_NR; j++) {
		const struct ph *p = &raw.ph[j];
		long calls = 0, done = 0, retry = 0, err = 0;

		if (!p->seen || !merged->ph[j].seen)
			continue;
		for (i = 0; i < raw.n; i++) {
			if (!in_window(&ev[i], p))
				continue;
			calls++;
			if (ev[i].retry) {
				retry++;
				/* the thread's next call: the same address */
				for (k = i + 1; k < raw.n; k++)
					if (ev[k].tid == ev[i].tid)
						break;
				EXPECT_TRUE(k < raw.n && ev[k].addr == ev[i].addr)
					TH_LOG("phase %s: RETRY at 0x%llx not retried there",
					       phase_names[j], ev[i].addr);
			} else if (ev[i].error) {
				err++;
			} else {
				done++;
			}
		}
		EXPECT_EQ(p->dmin + p->dmaj, done)
			TH_LOG("raw, phase %s: rusage %ld+%ld, completed calls %ld",
			       phase_names[j], p->dmin, p->dmaj, done);
		/*
		 * Swap-in reads ahead: whether a later page's folio is still
		 * locked by that I/O when it is touched (RETRY) is timing,
		 * not the same in both runs.
		 */
		if (j != PH_SWAP)
			EXPECT_EQ(mretries[j], retry)
				TH_LOG("phase %s: %ld retries merged, %ld RETRY calls raw",
				       phase_names[j], mretries[j], retry);
		ksft_print_msg("raw %-10s: %ld calls, %ld RETRY, %ld errors, rusage %ld+%ld\n",
			       phase_names[j], calls, retry, err, p->dmin,
			       p->dmaj);
	}
	/* after drop_caches every file page is read with the lock dropped */
	EXPECT_EQ(NF, mretries[PH_FILE_MAJOR]);
	run_free(&raw);
}

TEST(classes_match_kernel)
{
	struct run run, *r = &run;
	struct ph *ph = r->ph;
	struct ev *ev;
	int i, j, n;
	/* per phase: events in its region by class, and in its window */
	int cls[PH_NR][MMSCOPE_FC_NR + 1] = { 0 }, inreg[PH_NR] = { 0 };
	int vmalock[PH_NR] = { 0 };
	long retries[PH_NR] = { 0 }, nretry = 0;

	ASSERT_EQ(0, trace_workload(_metadata, false, r));
	ev = r->ev;
	n = r->n;

	for (i = 0; i < n; i++) {
		int q = region_of(ev[i].addr), c = 0;

		if (q < 0)
			continue;
		/* the cow region holds the reuse phase too: by pid and time */
		if (q == PH_COW && ph[PH_REUSE].seen &&
		    ev[i].ts >= ph[PH_REUSE].t0 && ev[i].ts <= ph[PH_REUSE].t1)
			q = PH_REUSE;
		if (!in_window(&ev[i], &ph[q]))
			continue;
		vmalock[q] += ev[i].vma_lock;
		retries[q] += ev[i].retries;
		for (j = 1; j <= MMSCOPE_FC_NR && !c; j++)
			if (j < (int)(sizeof(cnames) / sizeof(cnames[0])) &&
			    ev[i].cls == cnames[j])
				c = j;
		cls[q][c]++;
		inreg[q]++;
		if (q == PH_HUGETLB)
			EXPECT_TRUE(ev[i].huge);
	}
	for (i = 0; i < n; i++)
		nretry += ev[i].retry;

	/*
	 * Per phase: the oracle says the kernel did what the phase means, and
	 * every fault in the phase's region got the phase's class, exactly N
	 * of them (tolerance 0: the region is the phase's own VMA, touched
	 * nowhere else in the window, and its VMA was set up, anon_vma and
	 * all, before the window).  A fault retried after VM_FAULT_RETRY is
	 * one event, so every event in the region counts: a call that
	 * returned RETRY reported on its own would make one too many.
	 */
	struct { int ph, cls, n; } want[] = {
		{ PH_ANON, MMSCOPE_FC_ANON, N },
		{ PH_ZERO, MMSCOPE_FC_ZERO, N },
		{ PH_COW, MMSCOPE_FC_COW, N },
		{ PH_REUSE, MMSCOPE_FC_REUSE, N },
		{ PH_FILE_MAJOR, MMSCOPE_FC_FILE_MAJOR, NF },
		{ PH_FILE_MINOR, MMSCOPE_FC_FILE_MINOR, NF },
		{ PH_ERROR, MMSCOPE_FC_ERROR, NBUS },
		{ PH_HUGETLB, MMSCOPE_FC_HUGETLB, 1 },
		{ PH_UFFD, MMSCOPE_FC_UFFD, N },
	};
	for (i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++) {
		int p = want[i].ph;

		ASSERT_TRUE(ph[p].seen) TH_LOG("phase %s did not run", phase_names[p]);
		EXPECT_EQ(want[i].n, ph[p].oracle)
			TH_LOG("phase %s: oracle %ld of %d", phase_names[p],
			       ph[p].oracle, want[i].n);
		EXPECT_EQ(want[i].n, cls[p][want[i].cls])
			TH_LOG("phase %s: %d %s of %d", phase_names[p],
			       cls[p][want[i].cls], cnames[want[i].cls],
			       want[i].n);
		EXPECT_EQ(want[i].n, inreg[p])
			TH_LOG("phase %s: %d faults in its region", phase_names[p],
			       inreg[p]);
	}
	/* swap: paged out, every one swapped in; major or minor is the kernel's */
	ASSERT_TRUE(ph[PH_SWAP].seen);
	EXPECT_EQ(N, ph[PH_SWAP].oracle) TH_LOG("%ld pages paged out", ph[PH_SWAP].oracle);
	EXPECT_EQ(N, cls[PH_SWAP][MMSCOPE_FC_SWAP_MAJOR] +
		  cls[PH_SWAP][MMSCOPE_FC_SWAP_MINOR]);
	EXPECT_EQ(N, inreg[PH_SWAP]);
	/* merged: no fault of the workload was left unfinished */
	EXPECT_EQ(0, nretry) TH_LOG("%ld events still RETRY", nretry);

	/*
	 * The lock: no /proc/vmstat vma_lock_* here (Debian builds without
	 * CONFIG_PER_VMA_LOCK_STATS), so the kernel's own rule is the oracle.
	 * Since 6.4 do_user_addr_fault() first calls handle_mm_fault() with
	 * FAULT_FLAG_VMA_LOCK under lock_vma_under_rcu(), which succeeds for
	 * a VMA nobody is changing; an anonymous private VMA with its
	 * anon_vma (set up before each window) is then handled there without
	 * RETRY.  6.1 has no per-VMA lock: mmap_lock always.
	 */
	{
		static const int anon_phases[] = {
			PH_ANON, PH_ZERO, PH_COW, PH_REUSE,
		};
		bool vl = kernel_has_vma_lock();

		for (i = 0; i < 4; i++) {
			int p = anon_phases[i];

			EXPECT_EQ(vl ? inreg[p] : 0, vmalock[p])
				TH_LOG("phase %s: %d of %d faults under the per-VMA lock (kernel %s one)",
				       phase_names[p], vmalock[p], inreg[p],
				       vl ? "has" : "has no");
		}
		/* the summary counts each lock */
		EXPECT_EQ(mmt_jnum(mmt_jget(r->sum, "events")),
			  mmt_jnum(mmt_jget(mmt_jget(r->sum, "locks"), "vma")) +
			  mmt_jnum(mmt_jget(mmt_jget(r->sum, "locks"), "mmap")));
		if (!vl)
			EXPECT_EQ(0, mmt_jnum(mmt_jget(mmt_jget(r->sum, "locks"),
						       "vma")));
	}
	/* every call is an event or a retry of one */
	EXPECT_EQ(mmt_jnum(mmt_jget(r->sum, "calls")),
		  mmt_jnum(mmt_jget(r->sum, "events")) +
		  mmt_jnum(mmt_jget(r->sum, "retries")));

	/*
	 * Per window, every event of the phase's process (its stack, its
	 * code pages too), against the kernel's own counters: the task's
	 * rusage counts each completed fault (neither RETRY nor an error) once,
	 * major when VM_FAULT_MAJOR or FAULT_FLAG_TRIED (mm_account_fault()),
	 * exactly the _major classes' rule: equal, tolerance 0 (the window is
	 * read before its first and after its last fault; a single thread).
	 * /proc/vmstat counts every task: its deltas are at least ours
	 * (pgfault, every call that did not RETRY, more on 6.1; pgmajfault,
	 * each call that returned MAJOR, where the kernel counts it).
	 */
	for (j = 0; j < PH_NR; j++) {
		long done = 0, major = 0, majbit = 0;

		if (!ph[j].seen)
			continue;
		for (i = 0; i < n; i++) {
			if (ev[i].pid != ph[j].pid || ev[i].ts < ph[j].t0 ||
			    ev[i].ts > ph[j].t1)
				continue;
			majbit += ev[i].major_bit;
			if (ev[i].retry || ev[i].error)
				continue;
			done++;
			major += ev[i].cls && (!strcmp(ev[i].cls, "file_major") ||
					       !strcmp(ev[i].cls, "swap_major"));
			/*
			 * A fault handed to userfaultfd returns RETRY; the
			 * call that completes it is major in rusage when it
			 * ran with FAULT_FLAG_TRIED (6.1; on 6.4+ the per-VMA
			 * lock's RETRY falls back to mmap_lock without it).
			 */
			major += ev[i].cls && !strcmp(ev[i].cls, "uffd") &&
				 ev[i].tried;
		}
		EXPECT_EQ(ph[j].dmin + ph[j].dmaj, done)
			TH_LOG("phase %s: rusage %ld+%ld, traced %ld", phase_names[j],
			       ph[j].dmin, ph[j].dmaj, done);
		EXPECT_EQ(ph[j].dmaj, major)
			TH_LOG("phase %s: rusage majflt %ld, traced major classes %ld",
			       phase_names[j], ph[j].dmaj, major);
		EXPECT_GE(ph[j].vpgf, (unsigned long long)done);
		EXPECT_GE(ph[j].vpgmaj, (unsigned long long)majbit);
		ksft_print_msg("%-10s pid %d: %ld faults (%ld major, %ld retries), rusage %ld+%ld, vmstat %llu/%llu\n",
			       phase_names[j], ph[j].pid, done, major,
			       retries[j], ph[j].dmin, ph[j].dmaj, ph[j].vpgf,
			       ph[j].vpgmaj);
	}
	check_raw(_metadata, r, retries);
	run_free(r);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "workload"))
		return wl_phases(argv[2], argv[3]);
	return test_harness_run(argc, argv);
}
