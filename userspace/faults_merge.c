// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: the handle_mm_fault() calls of one fault, merged.
 *
 * A call that returns VM_FAULT_RETRY has dropped its lock (to wait for I/O,
 * for a userfaultfd handler, or because the per-VMA lock was not enough);
 * the architecture's fault handler then calls handle_mm_fault() again for
 * the same address, in the same thread, with FAULT_FLAG_TRIED
 * (arch/x86/mm/fault.c: do_user_addr_fault(); mm/gup.c: faultin_page()
 * the same way), until a call does not return RETRY.  The kernel accounts
 * the fault once, on that last call (mm_account_fault() skips RETRY).
 *
 * So: per thread, a call that returned RETRY waits here; the thread's next
 * call continues it when it is at the same address, and the chain ends with
 * the first call that does not return RETRY.  A thread's calls arrive in
 * order (they are sequential, and the ring buffer keeps the order in which
 * they were reserved).  A chain the thread left (its next call was at
 * another address: a signal ended the fault) or never finished (the trace
 * ended first) is reported as it is: class retry.
 */
#include <stdlib.h>
#include <string.h>
#include "trace.h"
#include "../bpf/faults_stack.h"

/* A thread's chain: what the calls so far make of the fault. */
struct faults_pending {
	struct faults_event ev;
	uint32_t result;		/* union of the calls' results */
	bool uffd;			/* a call was handed to userfaultfd */
	struct mmscope_fault_stacks *stacks;	/* a copy: the first call's */
};

struct faults_merge {
	struct faults_pending *p;
	unsigned int n, cap;
};

/* Pending chains at most: one per thread sleeping in a retried fault. */
#define FAULTS_MERGE_MAX	65536

/**
 * faults_merge_new() - an empty merger
 *
 * Return: the merger, NULL without memory.
 */
struct faults_merge *faults_merge_new(void)
{
	return calloc(1, sizeof(struct faults_merge));
}

/* The whole fault from its chain. */
static void finish(struct faults_pending *p)
{
	p->ev.f.result = p->result;
	if (!(p->result & MMSCOPE_FR_RETRY)) {
		/* the completing call's class; but uffd says more than spurious */
		if (p->uffd && !(p->result & FAULTS_FR_ERROR))
			p->ev.f.fclass = MMSCOPE_FC_UFFD;
	}
}

static void drop(struct faults_merge *m, unsigned int i)
{
	free(m->p[i].stacks);
	m->p[i] = m->p[--m->n];
}

/* A chain that waits keeps its stacks: the ring buffer's are reused. */
static void keep_stacks(struct faults_pending *p,
			const struct mmscope_fault_stacks *stacks)
{
	p->stacks = NULL;
	p->ev.stacks = NULL;
	if (!stacks)
		return;
	p->stacks = malloc(sizeof(*p->stacks));
	if (p->stacks)
		memcpy(p->stacks, stacks, sizeof(*p->stacks));
	p->ev.stacks = p->stacks;
}

/**
 * faults_merge_call() - feed one handle_mm_fault() call
 * @m: the merger
 * @c: the call, as the BPF program recorded it
 * @stacks: its stacks (--stack), else NULL; valid during the call only
 * @emit: called for each fault that is complete (none, one or two: a chain
 *	the thread left, then @c itself)
 * @ctx: @emit's
 *
 * A fault's event is its completing call's record (flags, class, PFN),
 * with ts_ns the first call's start, latency_ns from there to the last
 * call's return, result the union of the calls' results (RETRY kept only
 * when no call completed it) and retries the calls after the first.  A
 * chain in which a call was handed to userfaultfd is class uffd.  Its
 * stacks are the completing call's; a chain that never completed has its
 * first call's (a copy), or none when memory ran out.
 */
void faults_merge_call(struct faults_merge *m, const struct mmscope_fault *c,
		       const struct mmscope_fault_stacks *stacks,
		       faults_event_fn emit, void *ctx)
{
	struct faults_pending *p = NULL, one;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->p[i].ev.f.tid == c->tid && m->p[i].ev.f.pid == c->pid)
			break;
	if (i < m->n && m->p[i].ev.f.addr != c->addr) {
		/* the thread left the chain: it is what it was */
		finish(&m->p[i]);
		emit(ctx, &m->p[i].ev);
		drop(m, i);
		i = m->n;
	}
	if (i < m->n) {
		uint64_t ts = m->p[i].ev.f.ts_ns;

		p = &m->p[i];
		p->ev.f = *c;
		p->ev.stacks = stacks;
		p->ev.f.ts_ns = ts;
		p->ev.f.latency_ns = c->ts_ns + c->latency_ns - ts;
		p->ev.retries++;
		/* only the last call says whether the fault still waits */
		p->result = (p->result & ~MMSCOPE_FR_RETRY) | c->result;
	} else {
		memset(&one, 0, sizeof(one));
		one.ev.f = *c;
		one.ev.stacks = stacks;
		one.result = c->result;
		p = &one;
	}
	p->uffd |= c->fclass == MMSCOPE_FC_UFFD;
	if (c->result & MMSCOPE_FR_RETRY) {
		if (p != &one) {
			p->ev.stacks = p->stacks;
			return;
		}
		if (m->n == m->cap && m->cap < FAULTS_MERGE_MAX) {
			unsigned int cap = m->cap ? m->cap * 2 : 16;
			void *np = realloc(m->p, cap * sizeof(*m->p));

			if (np) {
				m->p = np;
				m->cap = cap;
			}
		}
		if (m->n < m->cap) {
			keep_stacks(&one, stacks);
			m->p[m->n++] = one;
			return;
		}
		/* no room: reported unmerged, as --raw would */
	}
	finish(p);
	emit(ctx, &p->ev);
	if (p != &one)
		drop(m, i);
}

/**
 * faults_merge_flush() - report the chains that never completed
 * @m: the merger
 * @emit: called once per chain
 * @ctx: @emit's
 */
void faults_merge_flush(struct faults_merge *m, faults_event_fn emit,
			void *ctx)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		finish(&m->p[i]);
		emit(ctx, &m->p[i].ev);
		free(m->p[i].stacks);
	}
	m->n = 0;
}

/**
 * faults_merge_free() - free a merger (its pending chains are dropped)
 * @m: the merger, or NULL
 */
void faults_merge_free(struct faults_merge *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->p[i].stacks);
	free(m->p);
	free(m);
}
