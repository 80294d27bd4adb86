// SPDX-License-Identifier: GPL-2.0
/*
 * pt/translate under fire: each round forks a target that maps, touches,
 * mprotects, mremaps, MADV_DONTNEEDs, forks writers (copy-on-write), splits
 * THPs (partial mprotect, partial MADV_DONTNEED) and collapses them
 * (MADV_COLLAPSE, and khugepaged scanning every few milliseconds), then
 * exits on its own.  It also maps shared memory (a memfd) that it and a
 * child mapping the same memfd fault in as 4 KiB pages, collapse with
 * MADV_COLLAPSE and zap, in a loop: collapsing shmem retracts the PTE
 * tables of every process mapping it and frees them under mmap_read_lock
 * only (retract_page_tables(), pte_free_defer(), v6.5+), the race the
 * walker's PTE-table snapshot exists for; anonymous collapse holds
 * mmap_lock for write.  Meanwhile readers dump it through /dev/mmscope (pt,
 * pt raw over a range, translate) and through the debugfs pt and pt_raw
 * files (module parameter pid), and check every stream:
 *  - binary: whole records, runs in address order inside the range asked
 *    for, sizes that match count and level, plausible PFNs (at most the
 *    highest PFN of any zone in /proc/zoneinfo), a summary, an END record
 *    with status 0 last; or a read that fails with ESRCH, and nothing else;
 *  - text: every line complete, the summary's last line present, plausible
 *    PFNs; or ESRCH.
 * Around the target's exit it checks that a query opened before the exit
 * and read after it, a query on the zombie, and a debugfs file opened on
 * the zombie, all fail with ESRCH.  The runner checks dmesg afterwards.
 *
 * MMSCOPE_STRESS_ROUNDS sets the number of rounds (default 10).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PG		4096UL
#define THP		(2UL << 20)
#define NREGIONS	9		/* 8 rotating, then the shmem one */
#define SHMEM_SLOT	8
#define SHMEM_LEN	(2 * THP)
#define NREADERS	2
#define TARGET_ITERS	12
#define DBG		"/sys/kernel/debug/mmscope"
#define KHUGEPAGED	"/sys/kernel/mm/transparent_hugepage/khugepaged/"
#define SHMEM_ENABLED	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* Shared between the test, its readers and the target. */
struct shared {
	atomic_ulong region[NREGIONS][2];	/* published by the target */
	atomic_int stop;			/* readers: the round is over */
	atomic_long streams, complete, esrch, bytes, runs;
	atomic_long malformed, bad_pfn, unexpected;
	atomic_long collapsed, collapse_failed;	/* shmem MADV_COLLAPSE */
	atomic_int collapse_errno;		/* of the last failure */
	char why[256];				/* first failure */
};

static struct shared *sh;
static unsigned long long max_pfn;

static void fail(atomic_long *counter, const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	if (atomic_fetch_add(counter, 1) || sh->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(sh->why, msg, sizeof(sh->why));
}

/* The highest PFN of any zone: start_pfn + spanned. */
static unsigned long long zoneinfo_max_pfn(void)
{
	char *buf = mmt_read_file("/proc/zoneinfo", NULL), *p;
	unsigned long long spanned = 0, start, max = 0;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (sscanf(p, " spanned %llu", &spanned) == 1)
			continue;
		if (sscanf(p, " start_pfn: %llu", &start) == 1 &&
		    start + spanned > max)
			max = start + spanned;
	}
	free(buf);
	return max;
}

static unsigned long long level_pages(unsigned int level)
{
	switch (level) {
	case MMSCOPE_PT_PUD:
		return 1ULL << 18;
	case MMSCOPE_PT_PMD:
		return 1ULL << 9;
	default:
		return 1;
	}
}

/*
 * A PFN a run or leaf may hold: RAM the zones span.  A special mapping
 * (VM_PFNMAP, e.g. [vvar]) may map device memory beyond it: such a PFN
 * need only fit in the 52-bit physical address space.
 */
static bool pfn_plausible(unsigned long long pfn, uint32_t flags)
{
	if (flags & MMSCOPE_PTF_SPECIAL)
		return pfn < (1ULL << 40);
	return pfn < max_pfn;
}

/* ---- the target ------------------------------------------------------ */

static void publish(int slot, void *p, size_t len)
{
	if (slot != SHMEM_SLOT)
		slot %= NREGIONS - 1;
	atomic_store(&sh->region[slot][0], (unsigned long)p);
	atomic_store(&sh->region[slot][1], len);
}

/* SHMEM_LEN of a memfd, mapped shared at a 2 MiB boundary. */
static char *shmem_region(int *fdp)
{
	int fd = memfd_create("mmscope-pt-stress", 0);
	char *p, *a;

	if (fd < 0 || ftruncate(fd, SHMEM_LEN))
		return NULL;
	p = mmap(NULL, SHMEM_LEN + THP, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((unsigned long)p + THP - 1) & ~(THP - 1));
	if (mmap(a, SHMEM_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		return NULL;
	*fdp = fd;
	return a;
}

/*
 * Empty the memfd, fault it back as 4 KiB pages (the VMA has no
 * MADV_HUGEPAGE), collapse them into THPs, which retracts the PTE tables
 * of every mapping, map the THPs again and zap half.
 */
static void shmem_cycle(int fd, char *a)
{
	size_t off;

	fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		  SHMEM_LEN);
	for (off = 0; off < SHMEM_LEN; off += PG)
		a[off] = 1;
	if (madvise(a, SHMEM_LEN, MADV_COLLAPSE)) {
		atomic_store(&sh->collapse_errno, errno);
		atomic_fetch_add(&sh->collapse_failed, 1);
	} else {
		atomic_fetch_add(&sh->collapsed, 1);
	}
	for (off = 0; off < SHMEM_LEN; off += PG)
		(void)*(volatile char *)(a + off);
	madvise(a + THP, THP, MADV_DONTNEED);
}

/* The second process mapping the memfd: cycles until the target is gone. */
static void shmem_collapser(int fd, char *a, pid_t target)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (getppid() == target)
		shmem_cycle(fd, a);
	_exit(0);
}

static char *thp_region(size_t len, char **mapping)
{
	char *p = mmap(NULL, len + THP, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((unsigned long)p + THP - 1) & ~(THP - 1));
	madvise(a, len, MADV_HUGEPAGE);
	memset(a, 0x5a, len);
	*mapping = p;
	return a;
}

/* Changes its address space in every way the walker must survive. */
static void target(unsigned int seed)
{
	/* Kept for three iterations, for khugepaged to find. */
	struct { char *p; size_t len; } old[3][2] = { 0 };
	char *m, *shm;
	int i, j, shm_fd;
	pid_t collapser = -1;

	shm = shmem_region(&shm_fd);
	if (shm) {
		collapser = fork();
		if (collapser == 0)
			shmem_collapser(shm_fd, shm, getppid());
		publish(SHMEM_SLOT, shm, SHMEM_LEN);
	}
	for (i = 0; i < TARGET_ITERS; i++) {
		size_t len = (1 + rand_r(&seed) % 64) * PG;
		char *a, *p, *q;
		pid_t writer;
		int k = i % 3;

		for (j = 0; j < 2; j++)
			if (old[k][j].p)
				munmap(old[k][j].p, old[k][j].len);
		memset(old[k], 0, sizeof(old[k]));
		/* Two THPs; split one, then collapse or leave to khugepaged. */
		a = thp_region(2 * THP, &m);
		if (a) {
			old[k][0].p = m;
			old[k][0].len = 3 * THP;
			publish(2 * i, a, 2 * THP);
			switch (i % 4) {
			case 0:
				mprotect(a + 5 * PG, PG, PROT_READ);
				mprotect(a + 5 * PG, PG, PROT_READ | PROT_WRITE);
				madvise(a, THP, MADV_COLLAPSE);
				break;
			case 1:
				madvise(a + THP + 3 * PG, PG, MADV_DONTNEED);
				break;
			case 2:
				mprotect(a, THP / 2, PROT_READ);
				munmap(a + THP - PG, PG);
				break;
			case 3:
				/* Grows: moves the THPs' page tables. */
				q = mremap(a, 2 * THP, 4 * THP, MREMAP_MAYMOVE);
				if (q != MAP_FAILED) {
					publish(2 * i, q, 4 * THP);
					old[k][1].p = q;
					old[k][1].len = 4 * THP;
					a = q;
				}
				break;
			}
		}
		if (shm)
			shmem_cycle(shm_fd, shm);
		/* Small pages: mprotect, mremap, MADV_DONTNEED, munmap. */
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		memset(p, i, len);
		q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
		if (q != MAP_FAILED) {
			p = q;
			len *= 2;
			memset(p + len / 2, 1, len / 2);
		}
		mprotect(p, PG, PROT_READ);
		publish(2 * i + 1, p, len);
		madvise(p + len / 2, len / 4, MADV_DONTNEED);
		/* A writer child: copy-on-write breaks in both. */
		writer = fork();
		if (writer == 0) {
			if (len > PG)
				memset(p + PG, 2, len - PG);
			if (a)
				memset(a + THP, 3, THP);
			_exit(0);
		}
		if (len > PG)
			p[PG] = 4;
		if (writer > 0)
			waitpid(writer, NULL, 0);
		munmap(p, len);
	}
	if (collapser > 0) {
		kill(collapser, SIGKILL);
		waitpid(collapser, NULL, 0);
	}
	_exit(0);		/* mid-read, as often as not */
}

/* ---- checking one stream --------------------------------------------- */

struct stream {
	char *buf;
	size_t len;
	int err;		/* errno of the read that failed, or 0 */
};

static void read_stream(int fd, struct stream *s)
{
	size_t size = 1 << 16;
	ssize_t n;

	s->buf = malloc(size);
	s->len = 0;
	s->err = 0;
	for (;;) {
		if (size - s->len < (1 << 15)) {
			size *= 2;
			s->buf = realloc(s->buf, size);
		}
		n = read(fd, s->buf + s->len, size - s->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->err = n < 0 ? errno : 0;
			break;
		}
		s->len += n;
	}
	s->buf[s->len] = '\0';
	atomic_fetch_add(&sh->bytes, s->len);
	atomic_fetch_add(&sh->streams, 1);
}

/* Account how a stream ended.  Returns true if it was complete. */
static bool stream_end(struct stream *s, bool ended, const char *what)
{
	if (s->err == ESRCH) {
		atomic_fetch_add(&sh->esrch, 1);
		return false;
	}
	if (s->err) {
		fail(&sh->unexpected, "%s: read failed: %s", what,
		     strerror(s->err));
		return false;
	}
	if (!ended) {
		fail(&sh->malformed, "%s: stream of %zu bytes ends without END",
		     what, s->len);
		return false;
	}
	atomic_fetch_add(&sh->complete, 1);
	return true;
}

/* Walk whole records; the END record must be the last one. */
static const struct mmscope_rec_hdr *next_rec(struct stream *s, size_t *off,
					      bool *ended, const char *what)
{
	const struct mmscope_rec_hdr *h;

	if (*off == s->len)
		return NULL;
	h = (const void *)(s->buf + *off);
	if (*ended || s->len - *off < sizeof(*h) || h->len < sizeof(*h) ||
	    h->len % 8 || h->len > s->len - *off) {
		fail(&sh->malformed, "%s: bad record at %zu of %zu", what, *off,
		     s->len);
		*off = s->len;
		return NULL;
	}
	*off += h->len;
	if (h->type == MMSCOPE_REC_END) {
		const struct mmscope_end *e = (const void *)h;

		*ended = true;
		if (e->status)
			fail(&sh->malformed, "%s: END status %d", what, e->status);
	}
	return h;
}

static void check_pt_binary(struct stream *s, uint64_t start, uint64_t end,
			    bool raw)
{
	const char *what = raw ? "pt raw" : "pt";
	const struct mmscope_rec_hdr *h;
	bool ended = false, summary = false;
	uint64_t prev = start;
	size_t off = 0;

	while ((h = next_rec(s, &off, &ended, what))) {
		const struct mmscope_pt_run *r = (const void *)h;
		const struct mmscope_pt_summary *m = (const void *)h;
		unsigned long long pages, first, last;

		if (h->type == MMSCOPE_REC_END)
			continue;
		if (h->type == MMSCOPE_REC_PT_SUMMARY) {
			if (summary || h->len != sizeof(*m) ||
			    (m->levels != 4 && m->levels != 5))
				fail(&sh->malformed, "%s: bad summary", what);
			summary = true;
			continue;
		}
		if (h->type != MMSCOPE_REC_PT_RUN || h->len != sizeof(*r) ||
		    summary) {
			fail(&sh->malformed, "%s: record type %u out of place",
			     what, h->type);
			continue;
		}
		atomic_fetch_add(&sh->runs, 1);
		pages = level_pages(r->level);
		/* A huge leaf may be cut by the range asked for. */
		first = r->start == start ? r->start & ~(pages * PG - 1) :
			r->start;
		last = r->end == end ? (r->end + pages * PG - 1) &
			~(pages * PG - 1) : r->end;
		if (r->level < MMSCOPE_PT_PUD || r->level > MMSCOPE_PT_PTE ||
		    r->kind < MMSCOPE_PTK_PRESENT || r->kind >= MMSCOPE_PTK_NR ||
		    !r->count || (raw && r->count != 1) ||
		    last - first != r->count * pages * PG ||
		    r->start < prev || r->end > end || r->start >= r->end) {
			fail(&sh->malformed, "%s: bad run %#llx-%#llx level %u kind %u count %llu (previous end %#llx)",
			     what, (unsigned long long)r->start,
			     (unsigned long long)r->end, r->level, r->kind,
			     (unsigned long long)r->count,
			     (unsigned long long)prev);
			continue;
		}
		prev = r->end;
		if ((r->kind == MMSCOPE_PTK_PRESENT ||
		     r->kind == MMSCOPE_PTK_PROTNONE) &&
		    !pfn_plausible(r->pfn + (r->count - 1) * pages, r->flags))
			fail(&sh->bad_pfn, "%s: run at %#llx: pfn %#llx + %llu pages beyond max_pfn %#llx",
			     what, (unsigned long long)r->start,
			     (unsigned long long)r->pfn,
			     (unsigned long long)(r->count * pages), max_pfn);
	}
	if (stream_end(s, ended, what) && !summary)
		fail(&sh->malformed, "%s: no summary", what);
}

static void check_translate_binary(struct stream *s, uint64_t addr)
{
	const struct mmscope_rec_hdr *h;
	const struct mmscope_pt_leaf *l = NULL;
	bool ended = false;
	uint32_t flags = 0;
	int steps = 0;
	size_t off = 0;

	while ((h = next_rec(s, &off, &ended, "translate"))) {
		if (h->type == MMSCOPE_REC_PT_STEP && !l &&
		    h->len == sizeof(struct mmscope_pt_step) && steps < 5) {
			flags = ((const struct mmscope_pt_step *)h)->flags;
			steps++;
		} else if (h->type == MMSCOPE_REC_PT_LEAF && !l &&
			   h->len == sizeof(*l)) {
			l = (const void *)h;
		} else if (h->type != MMSCOPE_REC_END) {
			fail(&sh->malformed, "translate: record type %u out of place",
			     h->type);
		}
	}
	if (!stream_end(s, ended, "translate"))
		return;
	if (!l || l->vaddr != addr) {
		fail(&sh->malformed, "translate %#llx: no leaf record",
		     (unsigned long long)addr);
		return;
	}
	if (l->stop != MMSCOPE_STOP_NO_VMA && !steps)
		fail(&sh->malformed, "translate %#llx: stop %u without steps",
		     (unsigned long long)addr, l->stop);
	if (l->stop == MMSCOPE_STOP_LEAF &&
	    (!pfn_plausible(l->pfn, flags) || l->phys >> 12 != l->pfn))
		fail(&sh->bad_pfn, "translate %#llx: pfn %#llx phys %#llx (max_pfn %#llx)",
		     (unsigned long long)addr, (unsigned long long)l->pfn,
		     (unsigned long long)l->phys, max_pfn);
}

/*
 * debugfs text: complete lines; run lines "START-END level count kind pfn
 * PFN ..." with plausible PFNs; the summary's "# columns:" line, followed at
 * most by the "# note:" of a walk that saw changes.
 */
static void check_pt_text(struct stream *s, const char *what)
{
	char *line = s->buf, *nl, kind[32], level[8];
	unsigned long long start, end, count, pfn;
	bool last = false, ended = false;

	for (; s->len && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl) {
			fail(&sh->malformed, "%s: incomplete last line", what);
			break;
		}
		*nl = '\0';
		if (last && strncmp(line, "# note:", 7))
			fail(&sh->malformed, "%s: '%s' after the summary", what,
			     line);
		if (!strncmp(line, "# columns:", 10))
			last = ended = true;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "0x%llx-0x%llx %7s %llu %31s pfn %llx",
			   &start, &end, level, &count, kind, &pfn) == 6) {
			unsigned long long pages = !strcmp(level, "pmd") ? 512 :
				!strcmp(level, "pud") ? 1 << 18 : 1;

			atomic_fetch_add(&sh->runs, 1);
			if (!pfn_plausible(pfn + (count - 1) * pages,
					   strstr(line, " special") ?
					   MMSCOPE_PTF_SPECIAL : 0))
				fail(&sh->bad_pfn, "%s: %s", what, line);
		} else if (sscanf(line, "0x%llx-0x%llx %7s %llu %31s",
				  &start, &end, level, &count, kind) != 5 ||
			   end <= start) {
			fail(&sh->malformed, "%s: bad line '%s'", what, line);
		}
	}
	stream_end(s, ended, what);
}

/* ---- readers ----------------------------------------------------------- */

/* Open a device query; ESRCH is how a target that is gone answers. */
static int dev_open(pid_t pid, uint32_t view, uint32_t flags,
		    uint64_t start, uint64_t end)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = view, .pid = pid,
		.flags = flags, .start = start, .end = end,
	};
	int fd = open("/dev/mmscope", O_RDONLY);

	if (fd < 0) {
		fail(&sh->unexpected, "open /dev/mmscope: %s", strerror(errno));
		return -1;
	}
	if (ioctl(fd, MMSCOPE_IOC_QUERY, &q)) {
		if (errno == ESRCH)
			atomic_fetch_add(&sh->esrch, 1);
		else
			fail(&sh->unexpected, "query view %u pid %d: %s", view,
			     pid, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void read_dev_pt(pid_t pid, uint64_t start, uint64_t end, bool raw)
{
	struct stream s;
	int fd = dev_open(pid, MMSCOPE_VIEW_PT, raw ? MMSCOPE_Q_RAW : 0,
			  start, end);

	if (fd < 0)
		return;
	read_stream(fd, &s);
	close(fd);
	check_pt_binary(&s, start, end ? end : ~0ULL, raw);
	free(s.buf);
}

static void read_dev_translate(pid_t pid, uint64_t addr)
{
	struct stream s;
	int fd = dev_open(pid, MMSCOPE_VIEW_TRANSLATE, 0, addr, 0);

	if (fd < 0)
		return;
	read_stream(fd, &s);
	close(fd);
	check_translate_binary(&s, addr);
	free(s.buf);
}

static int set_pid_param(pid_t pid)
{
	char val[16];
	int fd = open("/sys/module/mmscope/parameters/pid", O_WRONLY), ret = 0;

	snprintf(val, sizeof(val), "%d", pid);
	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

static void read_debugfs(pid_t pid, const char *file)
{
	char path[64];
	struct stream s;
	int fd, err;

	err = set_pid_param(pid);
	snprintf(path, sizeof(path), DBG "/%s", file);
	fd = err ? -1 : open(path, O_RDONLY);
	if (fd < 0) {
		err = err ? -err : errno;
		if (err == ESRCH)
			atomic_fetch_add(&sh->esrch, 1);
		else
			fail(&sh->unexpected, "%s for pid %d: %s", file, pid,
			     strerror(err));
		return;
	}
	read_stream(fd, &s);
	close(fd);
	check_pt_text(&s, file);
	free(s.buf);
}

static void reader(pid_t pid, unsigned int seed)
{
	long i;

	for (i = 0; !atomic_load(&sh->stop); i++) {
		int slot = rand_r(&seed) % NREGIONS;
		uint64_t base = atomic_load(&sh->region[slot][0]);
		uint64_t len = atomic_load(&sh->region[slot][1]);
		uint64_t addr = base + (len ? rand_r(&seed) % len : 0);

		switch (i % 4) {
		case 0:
			read_dev_pt(pid, 0, 0, false);
			break;
		case 1:
			if (len)
				read_dev_pt(pid, base, base + len, true);
			read_dev_translate(pid, addr);
			break;
		case 2:
			read_debugfs(pid, "pt");
			break;
		case 3:
			read_debugfs(pid, "pt_raw");
			read_dev_translate(pid, addr & ~(PG - 1));
			break;
		}
	}
	_exit(0);
}

/* A file opened on a live target and read after it died: ESRCH. */
static void expect_esrch_read(struct __test_metadata *_metadata, int fd,
			      const char *what)
{
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	if (n >= 0 || errno != ESRCH)
		ksft_print_msg("%s: read after exit returned %zd (%s)\n", what,
			       n, n < 0 ? strerror(errno) : "data");
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

static void write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			ksft_print_msg("%s: %s\n", path, strerror(errno));
		close(fd);
	}
}

static long vmstat(const char *key)
{
	char *buf = mmt_read_file("/proc/vmstat", NULL), *p;
	size_t n = strlen(key);
	long v = 0;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			v = strtol(p + n + 1, NULL, 10);
	free(buf);
	return v;
}

FIXTURE(pt_stress) {
	char *scan_sleep, *alloc_sleep;
	char shmem_enabled[32];		/* to restore, or "" */
};

/* The [selected] word of a THP sysfs setting into @buf, or "". */
static void thp_setting(const char *path, char *buf, size_t len)
{
	char *s = mmt_read_file(path, NULL), *a, *b;

	buf[0] = '\0';
	a = s ? strchr(s, '[') : NULL;
	b = a ? strchr(a, ']') : NULL;
	if (b && (size_t)(b - a) < len) {
		memcpy(buf, a + 1, b - a - 1);
		buf[b - a - 1] = '\0';
	}
	free(s);
}

FIXTURE_SETUP(pt_stress)
{
	/* The runner loads the module first: missing is a setup failure. */
	ASSERT_EQ(0, access("/dev/mmscope", R_OK)) {
		TH_LOG("/dev/mmscope missing: the module is not loaded");
	}
	/* khugepaged wakes up every 10 ms instead of every 10 s. */
	self->scan_sleep = mmt_read_file(KHUGEPAGED "scan_sleep_millisecs", NULL);
	self->alloc_sleep = mmt_read_file(KHUGEPAGED "alloc_sleep_millisecs", NULL);
	write_str(KHUGEPAGED "scan_sleep_millisecs", "10");
	write_str(KHUGEPAGED "alloc_sleep_millisecs", "10");
	/*
	 * Shmem THPs for the collapse loop and khugepaged (MADV_COLLAPSE
	 * itself only needs shmem_enabled not to be "deny").
	 */
	thp_setting(SHMEM_ENABLED, self->shmem_enabled,
		    sizeof(self->shmem_enabled));
	if (self->shmem_enabled[0])
		write_str(SHMEM_ENABLED, "advise");
	max_pfn = zoneinfo_max_pfn();
	ASSERT_GT(max_pfn, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
}

FIXTURE_TEARDOWN(pt_stress)
{
	if (self->scan_sleep)
		write_str(KHUGEPAGED "scan_sleep_millisecs", self->scan_sleep);
	if (self->alloc_sleep)
		write_str(KHUGEPAGED "alloc_sleep_millisecs", self->alloc_sleep);
	free(self->scan_sleep);
	free(self->alloc_sleep);
	if (self->shmem_enabled[0])
		write_str(SHMEM_ENABLED, self->shmem_enabled);
	set_pid_param(0);
}

TEST_F_TIMEOUT(pt_stress, dump_while_the_target_changes_and_exits, 3600)
{
	long rounds = strtol(getenv("MMSCOPE_STRESS_ROUNDS") ?: "10", NULL, 0);
	long splits = vmstat("thp_split_pmd"), collapses =
		vmstat("thp_collapse_alloc"), file_allocs = vmstat("thp_file_alloc");
	pid_t readers[NREADERS];
	long round;
	int i;

	for (round = 0; round < rounds; round++) {
		int held_dev, held_dbg, go[2];
		siginfo_t info;
		pid_t pid;
		char c;

		memset(sh->region, 0, sizeof(sh->region));
		atomic_store(&sh->stop, 0);
		ASSERT_EQ(0, pipe(go));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(go[1]);
			read(go[0], &c, 1);	/* until the held files are open */
			target(round + 1);
		}
		close(go[0]);
		/* Opened on the live target, read only once it is gone. */
		held_dev = dev_open(pid, MMSCOPE_VIEW_PT, 0, 0, 0);
		ASSERT_EQ(0, set_pid_param(pid));
		held_dbg = open(DBG "/pt_raw", O_RDONLY);
		EXPECT_LE(0, held_dbg);
		for (i = 0; i < NREADERS; i++) {
			readers[i] = fork();
			if (readers[i] == 0)
				reader(pid, round * NREADERS + i + 1);
		}
		/* Go: the readers hold the pipe too, so write, not close. */
		ASSERT_EQ(1, write(go[1], "g", 1));
		close(go[1]);
		/* The target has exited: a zombie with no mm. */
		ASSERT_EQ(0, waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
		EXPECT_EQ(CLD_EXITED, info.si_code)
			ksft_print_msg("round %ld: the target died of signal %d\n",
				       round, info.si_status);
		atomic_store(&sh->stop, 1);
		for (i = 0; i < NREADERS; i++) {
			int status;

			waitpid(readers[i], &status, 0);
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		}
		/*
		 * No reader holds the mm any more (a fill in progress would
		 * keep it alive, and a held file could still read it).
		 */
		expect_esrch_read(_metadata, held_dev, "held device query");
		expect_esrch_read(_metadata, held_dbg, "held debugfs pt_raw");
		EXPECT_EQ(-1, dev_open(pid, MMSCOPE_VIEW_PT, 0, 0, 0));
		EXPECT_EQ(-1, dev_open(pid, MMSCOPE_VIEW_TRANSLATE, 0, PG, 0));
		if (!set_pid_param(pid)) {
			EXPECT_EQ(-1, open(DBG "/pt", O_RDONLY));
			EXPECT_EQ(ESRCH, errno);
		}
		waitpid(pid, NULL, 0);
		/* Reaped: the pid itself is gone. */
		EXPECT_EQ(-ESRCH, set_pid_param(pid));
	}
	ksft_print_msg("%ld rounds: %ld streams (%ld complete, %ld ESRCH), %ld runs, %ld KiB; THP splits %ld, collapses %ld\n",
		       rounds, (long)sh->streams, (long)sh->complete,
		       (long)sh->esrch, (long)sh->runs, (long)sh->bytes >> 10,
		       vmstat("thp_split_pmd") - splits,
		       vmstat("thp_collapse_alloc") - collapses);
	/* Figures, not assertions: how much the shmem loop really did. */
	ksft_print_msg("shmem: MADV_COLLAPSE %ld ok, %ld failed (last: %s); vmstat thp_file_alloc +%ld\n",
		       (long)sh->collapsed, (long)sh->collapse_failed,
		       sh->collapse_failed ? strerror(sh->collapse_errno) : "-",
		       vmstat("thp_file_alloc") - file_allocs);
	if (sh->collapse_errno == EINVAL)
		ksft_print_msg("MADV_COLLAPSE refused with EINVAL: unsupported for shmem here, the PTE-table retraction race was not exercised\n");
	if (sh->why[0])
		ksft_print_msg("first failure: %s\n", sh->why);
	EXPECT_EQ(0, sh->malformed);
	EXPECT_EQ(0, sh->bad_pfn);
	EXPECT_EQ(0, sh->unexpected);
	EXPECT_GT(sh->complete, 0);
	EXPECT_GT(sh->runs, 0);
}

TEST_HARNESS_MAIN
