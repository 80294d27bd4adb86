// SPDX-License-Identifier: GPL-2.0
/*
 * A demo workload for `make demo`, the README samples and the benchmarks:
 * builds a varied address space, prints what it mapped, and waits.
 *
 *   workload [--anon MIB] [--thp] [--file] [--shared] [--sparse GIB]
 *            [--vmas N] [--forked] [--touch PAGES] [--stdin] [--seconds N]
 *
 * --touch: touch_pages(), called by touch_caller(), writes to PAGES new
 * pages and prints "touch ADDR PAGES FIRST LAST" (FIRST-LAST: the lines of
 * touch_pages() in this file), for the faults_stack test, which builds this
 * file twice (static and dynamic, -fno-omit-frame-pointer).  --stdin: wait
 * for the end of stdin instead of sleeping.  --vmas: N one-page VMAs, every
 * other one writable (none merge), each touched (the report bench).
 *
 * Not a test (it is not listed in selftests/TESTS).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1UL << 20)
#define THP (2 * MIB)

static void *map(size_t len, int prot, int flags, int fd)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED) {
		perror("workload: mmap");
		exit(1);
	}
	return p;
}

/* Called by touch_pages(): not a leaf, so it has a frame of its own. */
__attribute__((noinline)) void touch_done(volatile char *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * A fault in each of @n pages at @p, the same instruction each time.  Not
 * inlined, so that the fault's instruction is in this function and its
 * caller is touch_caller().  With frame pointers, only a function that
 * sets up its frame (not a leaf: gcc 12 omits a leaf's; the call not a tail
 * call: -fno-optimize-sibling-calls) links its caller into the chain.
 */
static const int touch_first = __LINE__;
__attribute__((noinline)) void touch_pages(volatile char *p, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		p[i * 4096] = 1;
	touch_done(p);
}
static const int touch_last = __LINE__;

/* Calls touch_pages() (not as a tail call: work follows the call). */
__attribute__((noinline)) int touch_caller(volatile char *p, unsigned long n)
{
	touch_pages(p, n);
	return p[0] + p[(n - 1) * 4096];
}

int main(int argc, char **argv)
{
	unsigned long anon = 0, sparse = 0, holes = 0, vmas = 0, seconds = 3600;
	unsigned long touch = 0;
	int thp = 0, file = 0, shared = 0, forked = 0, wait_stdin = 0, i;
	char *p;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--anon") && i + 1 < argc)
			anon = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sparse") && i + 1 < argc)
			sparse = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--vmas") && i + 1 < argc)
			vmas = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--holes") && i + 1 < argc)
			holes = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--thp"))
			thp = 1;
		else if (!strcmp(argv[i], "--file"))
			file = 1;
		else if (!strcmp(argv[i], "--shared"))
			shared = 1;
		else if (!strcmp(argv[i], "--forked"))
			forked = 1;
		else if (!strcmp(argv[i], "--touch") && i + 1 < argc)
			touch = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--stdin"))
			wait_stdin = 1;
		else {
			fprintf(stderr, "usage: %s [--anon MIB] [--thp] [--file] [--shared] [--sparse GIB] [--vmas N] [--holes MIB] [--forked] [--touch PAGES] [--stdin] [--seconds N]\n",
				argv[0]);
			return 2;
		}
	}
	if (anon) {
		p = map(anon * MIB, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1);
		madvise(p, anon * MIB, MADV_NOHUGEPAGE);
		memset(p, 1, anon * MIB);
		printf("anon %p %lu MiB (4 KiB pages)\n", p, anon);
	}
	if (thp) {
		char *raw = map(2 * THP, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1);

		p = (char *)(((unsigned long)raw + THP - 1) & ~(THP - 1));
		madvise(p, THP, MADV_HUGEPAGE);
		memset(p, 2, THP);
		printf("thp %p 2 MiB (MADV_HUGEPAGE)\n", p);
	}
	if (file) {
		int fd = open("/proc/self/exe", O_RDONLY);

		p = map(4096 * 4, PROT_READ, MAP_PRIVATE, fd);
		printf("file %p (the workload's own binary, read)  %d\n", p, p[0]);
		close(fd);
	}
	if (shared) {
		p = map(16 * 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1);
		memset(p, 3, 16 * 4096);
		printf("shared %p 64 KiB\n", p);
	}
	if (sparse) {
		unsigned long len = sparse << 30, off;

		p = map(len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
		for (off = 0; off < len; off += len / 64)
			p[off] = 4;
		printf("sparse %p %lu GiB, 64 pages touched\n", p, sparse);
	}
	if (vmas) {
		unsigned long n;

		p = map(vmas * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1);
		for (n = 0; n < vmas; n++) {
			p[n * 4096] = 6;
			if (n % 2)
				mprotect(p + n * 4096, 4096, PROT_READ);
		}
		printf("vmas %p %lu one-page VMAs\n", p, vmas);
	}
	if (holes) {
		unsigned long len = holes * MIB, off;

		/*
		 * Fragment free memory: fault in every page, then give back
		 * every other one.  A freed page's buddy stays allocated, so
		 * the freed pages queue up as order-0 blocks.
		 */
		p = map(len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1);
		madvise(p, len, MADV_NOHUGEPAGE);
		memset(p, 5, len);
		for (off = 0; off < len; off += 2 * 4096)
			madvise(p + off, 4096, MADV_DONTNEED);
		printf("holes %p %lu MiB, every other page freed\n", p, holes);
	}
	if (touch) {
		p = map(touch * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1);
		madvise(p, touch * 4096, MADV_NOHUGEPAGE);
		if (touch_caller(p, touch) != 2)
			return 1;
		printf("touch %p %lu %d %d\n", p, touch, touch_first,
		       touch_last);
	}
	fflush(stdout);
	if (forked && fork() == 0) {
		printf("child %d\n", getpid());
		fflush(stdout);
		sleep(seconds);
		return 0;
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	if (wait_stdin) {
		char c;

		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	sleep(seconds);
	return 0;
}
