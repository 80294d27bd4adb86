// SPDX-License-Identifier: GPL-2.0
/*
 * Every error leaves a clean state (issue 12, item 7):
 *  - a record longer than its header can say is refused (EOVERFLOW), never
 *    wrapped or cut, and the stream ends there;
 *  - a fill that fails after emitting records leaves none of them readable
 *    and walks nothing again: every later read returns the error, and the
 *    records read before it are the stream's first chunks, once each;
 *  - a failed query leaves nothing readable (ENODATA), not the stream of
 *    the query before it.
 * Failures are made with the module's fault-injection parameters
 * (fault_fill, fault_rec_max), which only root may set.  The oracles are
 * the kernel's own: the page tables' layout as /proc/self/pagemap says it,
 * and read()'s errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PARAM "/sys/module/mmscope/parameters/"
#define NPAGES 8192		/* raw pt records: several 64 KiB chunks */

static int query(int fd, __u32 view, pid_t pid, __u32 flags,
		 unsigned long start, unsigned long end)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION, .view = view, .pid = pid,
		.flags = flags, .start = start, .end = end,
	};

	return ioctl(fd, MMSCOPE_IOC_QUERY, &q) ? -errno : 0;
}

/* One read(): bytes, or -errno. */
static ssize_t read_once(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

/* Records are whole and well-formed: count them, -1 if one is not. */
static int count_records(const char *buf, size_t len, __u16 *last_type)
{
	const struct mmscope_rec_hdr *h = NULL;
	size_t seen = 0;
	int n = 0;

	while ((h = mmt_rec_next(buf, len, h))) {
		seen += h->len;
		*last_type = h->type;
		n++;
	}
	return seen == len ? n : -1;
}

FIXTURE(records) {
	char *map;
	int fd;
};

FIXTURE_SETUP(records)
{
	self->fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(self->fd, 0);
	self->map = mmap(NULL, NPAGES * 4096UL, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/*
	 * No THP: one PTE per page, so raw mode gives NPAGES records.
	 * (EINVAL: a kernel without THP, PREEMPT_RT.)
	 */
	ASSERT_TRUE(!madvise(self->map, NPAGES * 4096UL, MADV_NOHUGEPAGE) ||
		    errno == EINVAL);
	for (int i = 0; i < NPAGES; i++)
		self->map[i * 4096UL] = 1;
}

FIXTURE_TEARDOWN(records)
{
	mmt_write_str(PARAM "fault_fill", "0");
	mmt_write_str(PARAM "fault_rec_max", "0");
	munmap(self->map, NPAGES * 4096UL);
	close(self->fd);
}

/*
 * A fill fails after emitting its records: the records of the chunks
 * before it are read once each, in order; none of the failed chunk is;
 * every later read returns the error.
 */
TEST_F(records, failed_fill_leaves_nothing)
{
	unsigned long start = (unsigned long)self->map;
	unsigned long end = start + NPAGES * 4096UL;
	size_t len = 0, cap = 4 << 20;
	char *buf = malloc(cap);
	const struct mmscope_rec_hdr *h = NULL;
	unsigned long next = start;
	int runs = 0, i, err = 0;
	uint64_t pm;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	/* The oracle: every page of the range is present, as pagemap says. */
	for (i = 0; i < NPAGES; i += 512) {
		ASSERT_EQ(0, mmt_pagemap(getpid(), start + i * 4096UL, &pm));
		ASSERT_TRUE(MMT_PM_PRESENT(pm));
	}
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_PT, getpid(), MMSCOPE_Q_RAW,
			   start, end));
	/* The first fill succeeds, the second fails after emitting. */
	ASSERT_EQ(0, mmt_write_str(PARAM "fault_fill", "2"));
	for (;;) {
		n = read_once(self->fd, buf + len, 4096);
		if (n <= 0)
			break;
		len += n;
		ASSERT_LT(len + 4096, cap);
	}
	EXPECT_EQ(-EIO, n) {
		TH_LOG("read after the injected failure: %zd", n);
	}
	/* Nothing is walked again, nothing of the failed chunk appears. */
	for (i = 0; i < 3; i++) {
		n = read_once(self->fd, buf + len, 4096);
		EXPECT_EQ(-EIO, n) {
			TH_LOG("read %d after the failure returned %zd", i, n);
		}
		if (n > 0)
			len += n;
	}
	while ((h = mmt_rec_next(buf, len, h))) {
		const struct mmscope_pt_run *r = (const void *)h;

		EXPECT_NE(MMSCOPE_REC_END, h->type);
		if (h->type != MMSCOPE_REC_PT_RUN)
			continue;
		/* Once each, in order: one run per page from the start. */
		if (r->start != next) {
			err = 1;
			TH_LOG("run %d at %#llx, expected %#lx (a chunk read twice?)",
			       runs, (unsigned long long)r->start, next);
			break;
		}
		next = r->end;
		runs++;
	}
	EXPECT_EQ(0, err);
	/* Some records came before the failure, and not all of them. */
	EXPECT_GT(runs, 0);
	EXPECT_LT(runs, NPAGES);
	TH_LOG("%d runs read before the failed fill", runs);
	EXPECT_EQ(0, mmt_write_str(PARAM "fault_fill", "0"));

	/* The same query without a failure: the whole range, END last. */
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_PT, getpid(), MMSCOPE_Q_RAW,
			   start, end));
	free(buf);
	buf = mmt_dev_read(self->fd, 1 << 16, &len, &err);
	ASSERT_NE(NULL, buf);
	runs = 0;
	h = NULL;
	while ((h = mmt_rec_next(buf, len, h)))
		runs += h->type == MMSCOPE_REC_PT_RUN;
	EXPECT_EQ(NPAGES, runs);
	free(buf);
}

/*
 * A VMA record longer than a record may be (hdr.len is 16 bits; the limit
 * lowered with fault_rec_max to below this file's name) is refused with
 * EOVERFLOW, and the stream stays ended.
 */
TEST_F(records, record_too_long_refused)
{
	char dir[4096] = "/tmp/records", *path, *buf;
	const struct mmscope_rec_hdr *h = NULL;
	size_t len, plen;
	__u16 last = 0;
	int fd, err = 0, i, found = 0;
	void *m;
	ssize_t n;

	/* A path of about 3 KiB: directories of 200 characters. */
	mkdir(dir, 0755);
	for (i = 0; i < 15; i++) {
		plen = strlen(dir);
		dir[plen] = '/';
		memset(dir + plen + 1, 'a' + i, 200);
		dir[plen + 201] = '\0';
		ASSERT_TRUE(mkdir(dir, 0755) == 0 || errno == EEXIST);
	}
	ASSERT_GT(asprintf(&path, "%s/file", dir), 0);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	plen = strlen(path);

	/* Without the limit: the record is there, its length right. */
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	buf = mmt_dev_read(self->fd, 1 << 16, &len, &err);
	ASSERT_NE(NULL, buf);
	while ((h = mmt_rec_next(buf, len, h))) {
		const struct mmscope_vma *v = (const void *)h;

		if (h->type == MMSCOPE_REC_VMA && v->name_len == plen &&
		    !strcmp(v->name, path))
			found = h->len;
	}
	ASSERT_GT(found, (int)plen) {
		TH_LOG("no VMA named %s", path);
	}
	ASSERT_GE(count_records(buf, len, &last), 2);
	EXPECT_EQ(MMSCOPE_REC_END, last);
	free(buf);

	/* Records may be 2 KiB: this one is longer. */
	ASSERT_EQ(0, mmt_write_str(PARAM "fault_rec_max", "2048"));
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	buf = malloc(1 << 20);
	ASSERT_NE(NULL, buf);
	len = 0;
	for (;;) {
		n = read_once(self->fd, buf + len, 1 << 16);
		if (n <= 0)
			break;
		len += n;
	}
	EXPECT_EQ(-EOVERFLOW, n);
	/* Whatever came before is whole records, and no END. */
	EXPECT_GE(count_records(buf, len, &last), 0);
	if (len)
		EXPECT_NE(MMSCOPE_REC_END, last);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EOVERFLOW, read_once(self->fd, buf, 1 << 16));
	free(buf);
	EXPECT_EQ(0, mmt_write_str(PARAM "fault_rec_max", "0"));

	/* A new query on the same file starts clean. */
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	buf = mmt_dev_read(self->fd, 1 << 16, &len, &err);
	ASSERT_NE(NULL, buf);
	ASSERT_GE(count_records(buf, len, &last), 2);
	EXPECT_EQ(MMSCOPE_REC_END, last);
	free(buf);
	munmap(m, 4096);
	unlink(path);
	free(path);
}

/* A failed query leaves nothing readable, not the previous stream. */
TEST_F(records, failed_query_leaves_nothing)
{
	struct mmscope_query bad = { .version = MMSCOPE_ABI_VERSION + 100,
				     .view = MMSCOPE_VIEW_VMA };
	char buf[4096];
	pid_t gone;
	int st;

	/* A PID that does not exist: a child, reaped. */
	gone = fork();
	if (!gone)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, &st, 0));

	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	EXPECT_EQ(-ESRCH, query(self->fd, MMSCOPE_VIEW_VMA, gone, 0, 0, 0));
	EXPECT_EQ(-ENODATA, read_once(self->fd, buf, sizeof(buf)));

	/* Half read, then a query the module refuses outright. */
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	EXPECT_GT(read_once(self->fd, buf, 512), 0);
	EXPECT_NE(0, ioctl(self->fd, MMSCOPE_IOC_QUERY, &bad));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(-ENODATA, read_once(self->fd, buf, sizeof(buf)));

	/* And a good query after: a whole stream. */
	ASSERT_EQ(0, query(self->fd, MMSCOPE_VIEW_VMA, getpid(), 0, 0, 0));
	EXPECT_GT(read_once(self->fd, buf, sizeof(buf)), 0);
}

TEST_HARNESS_MAIN
