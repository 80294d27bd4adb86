// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of scripts/guest/bench_pt.sh (not a test): times a dump of a
 * process's page tables through /dev/mmscope against reading
 * /proc/PID/pagemap over the same range, in the same run.
 *
 *   bench_pt dense [PAGES]   PAGES present 4 KiB pages (default 1Mi, 4 GiB;
 *                            fewer if the machine has not the memory)
 *   bench_pt sparse [N]      a 1 TiB MAP_NORESERVE reservation with N
 *                            (default 1024) touched pages scattered in it
 *
 * The target is a child that builds the mapping and waits.  mmscope: one
 * pt query over the range, the records read 1 MiB at a time.  pagemap:
 * pread() 1 MiB at a time (128 Ki entries) over the range, counting the
 * present bits as a tool would.  Each is run RUNS times (env, default 3)
 * and the fastest run is kept.  Prints one line:
 *   bench pt-dense: mmscope X s, pagemap Y s (R x vs pagemap: S times
 *   faster), output A vs B
 * where R = mmscope / pagemap (below 1: mmscope is faster), S = 1 / R.
 * Then, where the kernel has it (6.7+), the same range through the
 * PAGEMAP_SCAN ioctl of /proc/PID/pagemap, the kernel's fastest walk of a
 * process's tables (present ranges only, no PFNs):
 *   bench pt-dense-scan: mmscope X s, PAGEMAP_SCAN Y s (R x), and the
 *   whole CLI (`mmscope pt --json` over the range, output discarded)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mmscope.h"

#define PG	4096UL
#define TIB	(1UL << 40)
#define CHUNK	(1UL << 20)

static char buf[CHUNK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Dump [start, end) of @pid through /dev/mmscope; bytes read, or -errno. */
static long long mmscope_dump(pid_t pid, uint64_t start, uint64_t end,
			      uint64_t *present)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PT,
		.pid = pid, .start = start, .end = end,
	};
	long long total = 0;
	ssize_t n;
	int fd = open("/dev/mmscope", O_RDONLY);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, MMSCOPE_IOC_QUERY, &q)) {
		close(fd);
		return -errno;
	}
	*present = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		/* Records never straddle reads: sum the present pages. */
		while (off + sizeof(struct mmscope_rec_hdr) <= (size_t)n) {
			const struct mmscope_rec_hdr *h = (void *)(buf + off);
			const struct mmscope_pt_run *r = (void *)h;

			if (h->len < sizeof(*h) || off + h->len > (size_t)n) {
				close(fd);
				return -EPROTO;	/* a torn or empty record */
			}
			if (h->type == MMSCOPE_REC_PT_RUN &&
			    r->kind == MMSCOPE_PTK_PRESENT)
				*present += (r->end - r->start) / PG;
			off += h->len;
		}
		if (off != (size_t)n) {
			close(fd);
			return -EPROTO;
		}
		total += n;
	}
	close(fd);
	return n < 0 ? -errno : total;
}

/* Read pagemap of [start, end) of @pid in 1 MiB preads. */
static long long pagemap_dump(pid_t pid, uint64_t start, uint64_t end,
			      uint64_t *present)
{
	uint64_t off = start / PG * 8, stop = end / PG * 8;
	long long total = 0;
	char path[64];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	*present = 0;
	while (off < stop) {
		size_t len = stop - off < CHUNK ? stop - off : CHUNK;
		const uint64_t *e = (const void *)buf;
		ssize_t i;

		n = pread(fd, buf, len, off);
		if (n <= 0)
			break;
		for (i = 0; i < n / 8; i++)
			*present += e[i] >> 63;
		off += n;
		total += n;
	}
	close(fd);
	return n < 0 ? -errno : total;
}

/*
 * The PAGEMAP_SCAN ioctl (6.7+, include/uapi/linux/fs.h); Debian 12's
 * headers (6.1) do not have it, so its ABI is declared here.
 */
struct bench_page_region {
	uint64_t start, end, categories;
};

struct bench_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define BENCH_PAGEMAP_SCAN	_IOWR('f', 16, struct bench_pm_scan_arg)
#define BENCH_PAGE_IS_PRESENT	(1 << 3)

/*
 * The present ranges of [start, end) of @pid through PAGEMAP_SCAN, in
 * batches of as many regions as fit in buf; bytes of regions returned, or
 * -errno (-ENOTTY: a kernel before 6.7).
 */
static long long scan_dump(pid_t pid, uint64_t start, uint64_t end,
			   uint64_t *present)
{
	struct bench_page_region *v = (void *)buf;
	long long total = 0;
	char path[64];
	int fd, n, i;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	*present = 0;
	while (start < end) {
		struct bench_pm_scan_arg a = {
			.size = sizeof(a), .start = start, .end = end,
			.vec = (uintptr_t)v, .vec_len = CHUNK / sizeof(*v),
			.category_mask = BENCH_PAGE_IS_PRESENT,
			.return_mask = BENCH_PAGE_IS_PRESENT,
		};

		n = ioctl(fd, BENCH_PAGEMAP_SCAN, &a);
		if (n < 0) {
			total = -errno;
			break;
		}
		for (i = 0; i < n; i++)
			*present += (v[i].end - v[i].start) / PG;
		total += (long long)n * sizeof(*v);
		/*
		 * Only a full vector stops the walk early.  walk_end is not
		 * used otherwise: 6.12 returns the point of the last internal
		 * stop (its 512-region bounce buffer filling), not the end,
		 * after a walk that went on to the end.
		 */
		if ((uint64_t)n < a.vec_len || a.walk_end <= start)
			break;
		start = a.walk_end;
	}
	close(fd);
	return total;
}

static const char *human(double bytes, char *out, size_t len)
{
	const char *unit[] = { "B", "KiB", "MiB", "GiB" };
	int u = 0;

	while (bytes >= 1024 && u < 3) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
	return out;
}

/* Pages the machine can give the dense target without swapping. */
static unsigned long avail_pages(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb / 4 * 8 / 10;
}

int main(int argc, char **argv)
{
	bool dense = argc > 1 && !strcmp(argv[1], "dense");
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) :
			  dense ? 1UL << 20 : 1024;
	int runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 3;
	double t_mm = 1e9, t_pm = 1e9, t_sc = 1e9, t_cli = 1e9, t;
	char cmd[256];
	long long b_mm = 0, b_pm = 0, b_sc = 0;
	uint64_t p_mm = 0, p_pm = 0, p_sc = 0, range[2];
	char s1[32], s2[32];
	int fd[2], i;
	pid_t pid;

	if (argc < 2 || (!dense && strcmp(argv[1], "sparse"))) {
		fprintf(stderr, "usage: bench_pt dense|sparse [N]\n");
		return 2;
	}
	if (dense && n > avail_pages()) {
		n = avail_pages();
		fprintf(stderr, "bench_pt: only %lu pages fit in MemAvailable\n", n);
	}
	if (pipe(fd))
		return 1;
	pid = fork();
	if (pid == 0) {
		size_t len = dense ? n * PG : TIB;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			       MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		unsigned int seed = 1;
		unsigned long j;

		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (j = 0; j < n; j++)
			p[dense ? j * PG : (len / n) * j +
			  (rand_r(&seed) % (len / n / PG)) * PG] = 1;
		range[0] = (uintptr_t)p;
		range[1] = (uintptr_t)p + len;
		write(fd[1], range, sizeof(range));
		pause();
		_exit(0);
	}
	if (read(fd[0], range, sizeof(range)) != sizeof(range)) {
		fprintf(stderr, "bench_pt: the target could not build its mapping\n");
		return 1;
	}
	for (i = 0; i < runs; i++) {
		t = now();
		b_mm = mmscope_dump(pid, range[0], range[1], &p_mm);
		t = now() - t;
		if (t < t_mm)
			t_mm = t;
		t = now();
		b_pm = pagemap_dump(pid, range[0], range[1], &p_pm);
		t = now() - t;
		if (t < t_pm)
			t_pm = t;
		t = now();
		b_sc = scan_dump(pid, range[0], range[1], &p_sc);
		t = now() - t;
		if (t < t_sc)
			t_sc = t;
		snprintf(cmd, sizeof(cmd),
			 "mmscope pt --json -r %#llx-%#llx %d >/dev/null",
			 (unsigned long long)range[0],
			 (unsigned long long)range[1], pid);
		t = now();
		if (system(cmd))
			t = 1e9;
		t = now() - t;
		if (t < t_cli)
			t_cli = t;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (b_mm < 0 || b_pm < 0) {
		fprintf(stderr, "bench_pt: mmscope %s, pagemap %s\n",
			b_mm < 0 ? strerror(-b_mm) : "ok",
			b_pm < 0 ? strerror(-b_pm) : "ok");
		return 1;
	}
	printf("bench pt-%s: mmscope %.4f s, pagemap %.4f s (%.4fx vs pagemap: %.1f times faster), output %s vs %s; %llu vs %llu present pages of %lu touched\n",
	       argv[1], t_mm, t_pm, t_pm > 0 ? t_mm / t_pm : 0,
	       t_mm > 0 ? t_pm / t_mm : 0,
	       human(b_mm, s1, sizeof(s1)), human(b_pm, s2, sizeof(s2)),
	       (unsigned long long)p_mm, (unsigned long long)p_pm, n);
	if (b_sc == -ENOTTY || b_sc == -EINVAL)
		printf("bench pt-%s-scan: no PAGEMAP_SCAN in this kernel (it came in 6.7)\n",
		       argv[1]);
	else if (b_sc < 0)
		printf("bench pt-%s-scan: PAGEMAP_SCAN failed: %s\n", argv[1],
		       strerror(-b_sc));
	else
		printf("bench pt-%s-scan: mmscope %.4f s, PAGEMAP_SCAN %.4f s (%.2fx vs PAGEMAP_SCAN), %llu vs %llu present pages; the CLI, pt --json: %.4f s (%.2fx)\n",
		       argv[1], t_mm, t_sc, t_sc > 0 ? t_mm / t_sc : 0,
		       (unsigned long long)p_mm, (unsigned long long)p_sc,
		       t_cli, t_sc > 0 ? t_cli / t_sc : 0);
	return 0;
}
