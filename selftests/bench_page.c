// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of scripts/guest/bench_page.sh (not a test): who maps a page
 * frame, asked of mmscope (one page query through /dev/mmscope: the
 * reverse map) against the way a tool without it finds out (read every
 * process's /proc/PID/maps and /proc/PID/pagemap, looking for the PFN).
 *
 *   bench_page [N]   N processes (default 200), children of this one
 *
 * Two frames: one mapped by one of the N processes only (a page it wrote
 * after fork), and one mapped by all N and this process (a page written
 * before fork and only read after).  Each figure is the fastest of RUNS
 * (env, default 5) runs.  Prints:
 *   bench page-one-mapper: mmscope X us, pagemap scan Y us (R x faster, target >= 100x)
 *   bench page-shared: mmscope X us for M mappers, pagemap scan Y us (R x faster)
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mmscope.h"

#define PG	4096UL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t pfn_of(pid_t pid, unsigned long addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &e, 8, addr / PG * 8) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

/* mmscope: the mappers of @pfn; their number, or -errno. */
static long mmscope_mappers(uint64_t pfn)
{
	static char buf[1 << 20];
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = MMSCOPE_VIEW_PAGE,
		.start = pfn,
	};
	long mappers = 0;
	ssize_t n;
	int fd = open("/dev/mmscope", O_RDONLY);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, MMSCOPE_IOC_QUERY, &q)) {
		close(fd);
		return -errno;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off + sizeof(struct mmscope_rec_hdr) <= (size_t)n) {
			const struct mmscope_rec_hdr *h = (void *)(buf + off);

			if (h->len < sizeof(*h))
				break;
			mappers += h->type == MMSCOPE_REC_PAGE_MAPPER;
			off += h->len;
		}
	}
	close(fd);
	return n < 0 ? -errno : mappers;
}

/* The pagemap scan of every process: mappings of @pfn found. */
static long scan_mappers(uint64_t pfn)
{
	static uint64_t ents[512];
	static char maps[1 << 16];
	struct dirent *de;
	DIR *d = opendir("/proc");
	long found = 0;

	while (d && (de = readdir(d))) {
		int pid = atoi(de->d_name), fd, mfd;
		char path[64], *line;
		ssize_t len;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		mfd = open(path, O_RDONLY);
		if (mfd < 0)
			continue;
		len = read(mfd, maps, sizeof(maps) - 1);
		close(mfd);
		if (len <= 0)
			continue;
		maps[len] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		for (line = maps; line && *line;
		     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			unsigned long start, end, a, i;

			if (sscanf(line, "%lx-%lx", &start, &end) != 2 ||
			    start >= (1UL << 56))
				continue;
			for (a = start; a < end; a += 512 * PG) {
				size_t cnt = (end - a) / PG > 512 ? 512 : (end - a) / PG;
				ssize_t got = pread(fd, ents, cnt * 8, a / PG * 8);

				for (i = 0; got > 0 && i < (size_t)got / 8; i++)
					found += (ents[i] >> 63) &&
						 (ents[i] & ((1ULL << 55) - 1)) == pfn;
			}
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return found;
}

static void figure(const char *name, uint64_t pfn, int runs, bool target)
{
	double best_m = 1e9, best_s = 1e9, t;
	long m = 0, s = 0;
	int i;

	for (i = 0; i < runs; i++) {
		t = now();
		m = mmscope_mappers(pfn);
		t = now() - t;
		if (t < best_m)
			best_m = t;
		t = now();
		s = scan_mappers(pfn);
		t = now() - t;
		if (t < best_s)
			best_s = t;
	}
	if (m < 0) {
		fprintf(stderr, "bench %s: mmscope page failed: %s\n", name,
			strerror(-m));
		exit(1);
	}
	printf("bench %s: mmscope %.0f us for %ld mappers, pagemap scan %.0f us for %ld (%.0fx faster%s)\n",
	       name, best_m * 1e6, m, best_s * 1e6, s, best_s / best_m,
	       target ? ", target >= 100x" : "");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, i, runs;
	int go[2], ready[2];
	char *shared, *own, c;
	pid_t *kids;
	uint64_t pfn_shared, pfn_one;

	runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 5;
	kids = calloc(n, sizeof(*kids));
	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	own = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!kids || shared == MAP_FAILED || own == MAP_FAILED ||
	    pipe(go) || pipe(ready))
		return 1;
	memset(shared, 1, PG);
	memset(own, 2, PG);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 1;
		if (!kids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(go[1]);
			/* A page of its own: written after fork. */
			own[0] = 3;
			(void)*(volatile char *)shared;
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			return 1;
	pfn_shared = pfn_of(getpid(), (unsigned long)shared);
	pfn_one = pfn_of(kids[n / 2], (unsigned long)own);
	if (!pfn_shared || !pfn_one) {
		fprintf(stderr, "bench page: no PFN from pagemap (not root?)\n");
		return 1;
	}
	figure("page-one-mapper", pfn_one, runs, true);
	figure("page-shared", pfn_shared, runs, false);
	close(go[1]);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}
