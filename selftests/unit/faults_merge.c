// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of userspace/faults_merge.c: the handle_mm_fault() calls of one
 * fault into one event.  The sequences are the kernel's: after a call that
 * returned VM_FAULT_RETRY, the same thread calls handle_mm_fault() again for
 * the same address (arch/x86/mm/fault.c do_user_addr_fault(): the per-VMA
 * lock attempt falls back to mmap_lock, a retry after I/O sets
 * FAULT_FLAG_TRIED) until a call does not return RETRY; a signal can end
 * the loop between two calls.  The invariant checked everywhere: calls ==
 * events + the events' retries.
 */
#include <string.h>
#include "kselftest_harness.h"
#include "../../userspace/faults_merge.c"
#include "../../bpf/faults_stack.h"

#define MAXEV	16

struct sink {
	struct faults_event ev[MAXEV];
	int n;
};

static void collect(void *ctx, const struct faults_event *e)
{
	struct sink *s = ctx;

	if (s->n < MAXEV)
		s->ev[s->n] = *e;
	s->n++;
}

static struct mmscope_fault call(unsigned int tid, unsigned long long addr,
				 unsigned long long ts, unsigned long long lat,
				 unsigned int result, unsigned int fclass,
				 unsigned int flags)
{
	struct mmscope_fault c;

	memset(&c, 0, sizeof(c));
	c.pid = 100;
	c.tid = tid;
	c.addr = addr;
	c.ts_ns = ts;
	c.latency_ns = lat;
	c.result = result;
	c.fclass = fclass;
	c.flags = flags;
	return c;
}

static unsigned int sum_retries(const struct sink *s)
{
	unsigned int r = 0;
	int i;

	for (i = 0; i < s->n && i < MAXEV; i++)
		r += s->ev[i].retries;
	return r;
}

/* A call that completes at once is its own event, unchanged. */
TEST(single_call)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c = call(1, 0x1000, 500, 20, 0, MMSCOPE_FC_ANON,
				      MMSCOPE_FF_VMA_LOCK);
	struct sink s = { 0 };

	ASSERT_NE(NULL, m);
	faults_merge_call(m, &c, NULL, collect, &s);
	faults_merge_flush(m, collect, &s);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(0, s.ev[0].retries);
	EXPECT_EQ(500, s.ev[0].f.ts_ns);
	EXPECT_EQ(20, s.ev[0].f.latency_ns);
	EXPECT_EQ(MMSCOPE_FC_ANON, s.ev[0].f.fclass);
	faults_merge_free(m);
}

/*
 * A file read after drop_caches: the first call starts the read, waits
 * with the lock dropped and returns RETRY|MAJOR; the retry (TRIED) finds
 * the page.  One fault: from the first start to the last end, major, the
 * completing call's class and lock.
 */
TEST(retry_after_io_is_one_fault)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c1 = call(1, 0x2000, 1000, 300,
				       MMSCOPE_FR_RETRY | MMSCOPE_FR_MAJOR,
				       MMSCOPE_FC_RETRY, MMSCOPE_FF_VMA_LOCK);
	struct mmscope_fault c2 = call(1, 0x2000, 1400, 50, MMSCOPE_FR_LOCKED,
				       MMSCOPE_FC_FILE_MAJOR, MMSCOPE_FF_TRIED);
	struct sink s = { 0 };

	faults_merge_call(m, &c1, NULL, collect, &s);
	EXPECT_EQ(0, s.n);		/* waits for its retry */
	faults_merge_call(m, &c2, NULL, collect, &s);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(1, s.ev[0].retries);
	EXPECT_EQ(1000, s.ev[0].f.ts_ns);
	EXPECT_EQ(450, s.ev[0].f.latency_ns);	/* 1000 .. 1450 */
	EXPECT_EQ(MMSCOPE_FC_FILE_MAJOR, s.ev[0].f.fclass);
	EXPECT_EQ(MMSCOPE_FR_MAJOR | MMSCOPE_FR_LOCKED, s.ev[0].f.result);
	EXPECT_EQ(MMSCOPE_FF_TRIED, s.ev[0].f.flags);	/* mmap_lock */
	faults_merge_flush(m, collect, &s);
	EXPECT_EQ(1, s.n);
	faults_merge_free(m);
}

/* Two retries (per-VMA lock, then mmap_lock after I/O): retries 2. */
TEST(two_retries)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c[3] = {
		call(1, 0x3000, 10, 5, MMSCOPE_FR_RETRY, MMSCOPE_FC_RETRY,
		     MMSCOPE_FF_VMA_LOCK),
		call(1, 0x3000, 20, 100, MMSCOPE_FR_RETRY | MMSCOPE_FR_MAJOR,
		     MMSCOPE_FC_RETRY, 0),
		call(1, 0x3000, 130, 7, 0, MMSCOPE_FC_SWAP_MAJOR,
		     MMSCOPE_FF_TRIED),
	};
	struct sink s = { 0 };
	int i;

	for (i = 0; i < 3; i++)
		faults_merge_call(m, &c[i], NULL, collect, &s);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(2, s.ev[0].retries);
	EXPECT_EQ(10, s.ev[0].f.ts_ns);
	EXPECT_EQ(127, s.ev[0].f.latency_ns);
	EXPECT_EQ(MMSCOPE_FC_SWAP_MAJOR, s.ev[0].f.fclass);
	EXPECT_EQ(3, s.n + sum_retries(&s));
	faults_merge_free(m);
}

/* Threads are apart: another thread's call never continues a chain. */
TEST(threads_interleaved)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c[4] = {
		call(1, 0x4000, 10, 5, MMSCOPE_FR_RETRY, MMSCOPE_FC_RETRY, 0),
		call(2, 0x4000, 12, 5, MMSCOPE_FR_RETRY, MMSCOPE_FC_RETRY, 0),
		call(2, 0x4000, 30, 5, 0, MMSCOPE_FC_FILE_MINOR, 0),
		call(1, 0x4000, 40, 5, 0, MMSCOPE_FC_FILE_MINOR, 0),
	};
	struct sink s = { 0 };
	int i;

	for (i = 0; i < 4; i++)
		faults_merge_call(m, &c[i], NULL, collect, &s);
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(2, s.ev[0].f.tid);
	EXPECT_EQ(12, s.ev[0].f.ts_ns);
	EXPECT_EQ(23, s.ev[0].f.latency_ns);
	EXPECT_EQ(1, s.ev[1].f.tid);
	EXPECT_EQ(10, s.ev[1].f.ts_ns);
	EXPECT_EQ(35, s.ev[1].f.latency_ns);
	EXPECT_EQ(4, s.n + sum_retries(&s));
	faults_merge_free(m);
}

/*
 * A signal ended the fault after RETRY: the thread's next call is at
 * another address.  The left chain is reported as it is (class retry,
 * RETRY in its result), then the new call.
 */
TEST(left_chain_is_reported)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c1 = call(1, 0x5000, 10, 5, MMSCOPE_FR_RETRY,
				       MMSCOPE_FC_RETRY, 0);
	struct mmscope_fault c2 = call(1, 0x9000, 40, 5, 0, MMSCOPE_FC_ANON, 0);
	struct sink s = { 0 };

	faults_merge_call(m, &c1, NULL, collect, &s);
	faults_merge_call(m, &c2, NULL, collect, &s);
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(0x5000, s.ev[0].f.addr);
	EXPECT_EQ(MMSCOPE_FC_RETRY, s.ev[0].f.fclass);
	EXPECT_TRUE(s.ev[0].f.result & MMSCOPE_FR_RETRY);
	EXPECT_EQ(5, s.ev[0].f.latency_ns);
	EXPECT_EQ(0x9000, s.ev[1].f.addr);
	EXPECT_EQ(0, s.ev[1].retries);
	EXPECT_EQ(2, s.n + sum_retries(&s));
	faults_merge_free(m);
}

/* Each event's first user frame, read in the callback (the stacks live no longer). */
static void collect_ip(void *ctx, const struct faults_event *e)
{
	unsigned long long *ip = ctx;

	*ip = e->stacks ? e->stacks->ustack[0] : 0;
}

/*
 * --stack: a completed fault carries its completing call's stacks, a
 * chain the thread left its first call's (a copy: the ring buffer's
 * record is gone by then), a flushed one likewise.
 */
TEST(stacks_follow_the_event)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault_stacks st1 = { 0 }, st2 = { 0 };
	struct mmscope_fault c1 = call(1, 0xa000, 10, 5, MMSCOPE_FR_RETRY,
				       MMSCOPE_FC_RETRY, 0);
	struct mmscope_fault c2 = call(1, 0xa000, 20, 5, 0, MMSCOPE_FC_ANON,
				       MMSCOPE_FF_TRIED);
	struct mmscope_fault c3 = call(1, 0xb000, 30, 5, MMSCOPE_FR_RETRY,
				       MMSCOPE_FC_RETRY, 0);
	struct mmscope_fault c4 = call(1, 0xc000, 40, 5, MMSCOPE_FR_RETRY,
				       MMSCOPE_FC_RETRY, 0);
	unsigned long long ip = 0;

	ASSERT_NE(NULL, m);
	st1.ustack[0] = 0x401000;
	st2.ustack[0] = 0x402000;
	faults_merge_call(m, &c1, &st1, collect_ip, &ip);
	EXPECT_EQ(0, ip);
	st1.ustack[0] = 0xdead;		/* the ring buffer reuses the record */
	faults_merge_call(m, &c2, &st2, collect_ip, &ip);
	EXPECT_EQ(0x402000, ip);	/* completed: the completing call's */
	st1.ustack[0] = 0x403000;
	faults_merge_call(m, &c3, &st1, collect_ip, &ip);
	st1.ustack[0] = 0x404000;
	faults_merge_call(m, &c4, &st1, collect_ip, &ip);
	EXPECT_EQ(0x403000, ip);	/* left for 0xc000: its own copy */
	st1.ustack[0] = 0xdead;
	faults_merge_flush(m, collect_ip, &ip);
	EXPECT_EQ(0x404000, ip);	/* never completed: its copy */
	faults_merge_free(m);
}

/* The trace ended in the middle of a fault: the flush reports it. */
TEST(flush_reports_pending)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c[2] = {
		call(1, 0x6000, 10, 5, MMSCOPE_FR_RETRY, MMSCOPE_FC_RETRY, 0),
		call(1, 0x6000, 20, 5, MMSCOPE_FR_RETRY, MMSCOPE_FC_RETRY, 0),
	};
	struct sink s = { 0 };

	faults_merge_call(m, &c[0], NULL, collect, &s);
	faults_merge_call(m, &c[1], NULL, collect, &s);
	EXPECT_EQ(0, s.n);
	faults_merge_flush(m, collect, &s);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(1, s.ev[0].retries);
	EXPECT_EQ(MMSCOPE_FC_RETRY, s.ev[0].f.fclass);
	EXPECT_TRUE(s.ev[0].f.result & MMSCOPE_FR_RETRY);
	EXPECT_EQ(2, s.n + sum_retries(&s));
	faults_merge_flush(m, collect, &s);
	EXPECT_EQ(1, s.n);
	faults_merge_free(m);
}

/*
 * Handed to userfaultfd: the first call waits for the handler and returns
 * RETRY; the retry finds the page the handler placed (spurious by itself).
 * The fault is uffd.
 */
TEST(uffd_chain_is_uffd)
{
	struct faults_merge *m = faults_merge_new();
	struct mmscope_fault c1 = call(1, 0x7000, 10, 900, MMSCOPE_FR_RETRY,
				       MMSCOPE_FC_UFFD, 0);
	struct mmscope_fault c2 = call(1, 0x7000, 950, 3, 0,
				       MMSCOPE_FC_SPURIOUS, MMSCOPE_FF_TRIED);
	struct sink s = { 0 };

	faults_merge_call(m, &c1, NULL, collect, &s);
	faults_merge_call(m, &c2, NULL, collect, &s);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(MMSCOPE_FC_UFFD, s.ev[0].f.fclass);
	EXPECT_EQ(943, s.ev[0].f.latency_ns);
	faults_merge_free(m);
}

/* Many threads in a retried fault at once: each chain its own. */
TEST(many_pending)
{
	struct faults_merge *m = faults_merge_new();
	struct sink s = { 0 };
	struct mmscope_fault c;
	unsigned int t;

	for (t = 1; t <= 1000; t++) {
		c = call(t, 0x8000 + t * 4096, t, 1, MMSCOPE_FR_RETRY,
			 MMSCOPE_FC_RETRY, 0);
		faults_merge_call(m, &c, NULL, collect, &s);
	}
	EXPECT_EQ(0, s.n);
	for (t = 1000; t >= 1; t--) {
		c = call(t, 0x8000 + t * 4096, 5000 + t, 1, 0,
			 MMSCOPE_FC_FILE_MINOR, 0);
		faults_merge_call(m, &c, NULL, collect, &s);
	}
	EXPECT_EQ(1000, s.n);
	EXPECT_EQ(0x8000 + 1000 * 4096, s.ev[0].f.addr);
	EXPECT_EQ(1, s.ev[0].retries);
	EXPECT_EQ(5001 + 1000 - 1000, s.ev[0].f.latency_ns);
	faults_merge_flush(m, collect, &s);
	EXPECT_EQ(1000, s.n);
	faults_merge_free(m);
}

TEST_HARNESS_MAIN
