// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults --stack / --kstack: the frames of each event (text lines
 * under the event, a JSON array in it) and what the summary says about
 * them.  The BPF program appends the raw addresses to the record
 * (bpf/faults_stack.h); symbolize.c names them.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "faults.h"
#include "../bpf/faults_stack.h"

/*
 * Where x86-64 user addresses end (TASK_SIZE_MAX with 5-level paging; 4-level
 * ends lower, at 2^47 - 4096).  A frame-pointer chain that leaves the
 * code's frames (a function without frame pointers, the end of the chain)
 * reads whatever the stack holds there: stack canaries, strings.  No
 * return address lies outside [4096, this): the user stack ends at the
 * first such value, which is never shown (it may be anything, a kernel
 * address too).
 */
#define USER_ADDR_END	((1ULL << 56) - 4096)

/* The symbolized frames of one side of @st, into @f; returns how many. */
static unsigned int frames(struct faults_out *out,
			   const struct mmscope_fault *e,
			   const struct mmscope_fault_stacks *st, bool kernel,
			   struct sym_frame *f)
{
	int len = kernel ? st->kstack_len : st->ustack_len;
	const __u64 *ips = kernel ? st->kstack : st->ustack;
	unsigned int n = len > 0 ? len / sizeof(__u64) : 0, i;

	if (n > MMSCOPE_STACK_DEPTH)
		n = MMSCOPE_STACK_DEPTH;
	for (i = 0; i < n; i++) {
		if (!kernel && (ips[i] < 4096 || ips[i] >= USER_ADDR_END))
			break;
		if (kernel)
			sym_kernel(out->sym, ips[i], &f[i]);
		else
			sym_user(out->sym, e->pid, ips[i], i > 0, &f[i]);
		/* a caller outside the code: the chain went astray */
		if (!kernel && i > 0 && f[i].unmapped)
			break;
	}
	return i;
}

static void frames_text(const struct sym_frame *f, unsigned int n, char side)
{
	const char *base;
	unsigned int i;

	for (i = 0; i < n; i++) {
		printf("%16s%c%-2u %16llx ", "", side, i,
		       (unsigned long long)f[i].ip);
		if (f[i].sym)
			printf("%s+0x%llx", f[i].sym,
			       (unsigned long long)f[i].off);
		else
			printf("?");
		if (f[i].file) {
			base = strrchr(f[i].file, '/');
			printf(" (%s:%d)", base ? base + 1 : f[i].file,
			       f[i].line);
		}
		printf(" %s\n", f[i].module ? f[i].module : "?");
	}
}

/**
 * faults_stack_text() - the frames of the current event, one line each
 * @out: the output state (@out->sym set: --stack)
 * @ev: the event just printed
 */
void faults_stack_text(struct faults_out *out, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;
	const struct mmscope_fault_stacks *st = ev->stacks;
	struct sym_frame f[MMSCOPE_STACK_DEPTH];
	unsigned int n;

	if (!st)
		return;
	if (st->ustack_len < 0)
		printf("%16su  (user stack not captured: error %d)\n", "",
		       st->ustack_len);
	n = frames(out, e, st, false, f);
	frames_text(f, n, 'u');
	if (!out->kstack)
		return;
	if (st->kstack_len < 0)
		printf("%16sk  (kernel stack not captured: error %d)\n", "",
		       st->kstack_len);
	n = frames(out, e, st, true, f);
	frames_text(f, n, 'k');
}

static void frames_json(const char *key, const struct sym_frame *f,
			unsigned int n)
{
	unsigned int i;

	json_arr_open(key);
	for (i = 0; i < n; i++) {
		json_obj_open(NULL);
		json_hex("ip", f[i].ip);
		json_str("sym", f[i].sym);
		if (f[i].sym)
			json_u64("off", f[i].off);
		else
			json_null("off");
		json_str("file", f[i].file);
		if (f[i].file && f[i].line > 0)
			json_u64("line", f[i].line);
		else
			json_null("line");
		json_str("module", f[i].module);
		json_obj_close();
	}
	json_arr_close();
}

/**
 * faults_stack_json() - "stack" (and "kstack") members of the event record
 * @out: the output state (@out->sym set: --stack)
 * @ev: the event whose object is open
 *
 * null for a stack that was not captured; "kstack" null when it was asked
 * for but is hidden (needs CAP_SYS_ADMIN), absent when not asked for.
 */
void faults_stack_json(struct faults_out *out, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;
	const struct mmscope_fault_stacks *st = ev->stacks;
	struct sym_frame f[MMSCOPE_STACK_DEPTH];
	unsigned int n;

	if (!st || st->ustack_len < 0) {
		json_null("stack");
	} else {
		n = frames(out, e, st, false, f);
		frames_json("stack", f, n);
	}
	if (!out->kstack && !out->kstack_hidden)
		return;
	if (!st || !out->kstack || st->kstack_len < 0) {
		json_null("kstack");
		return;
	}
	n = frames(out, e, st, true, f);
	frames_json("kstack", f, n);
}

/**
 * faults_stack_summary() - the summary's stack counts (text or JSON)
 * @s: the summary (s->ustack set)
 *
 * In JSON a "stacks" member of the open summary object.
 */
void faults_stack_summary(const struct faults_summary *s)
{
	const char *k = s->kstack ? "shown" : s->kstack_hidden ? "hidden" :
			"off";

	if (json_output) {
		json_obj_open("stacks");
		json_str("kernel", k);
		json_u64("user_failed", s->stack_failed[0]);
		json_u64("kernel_failed", s->stack_failed[1]);
		json_u64("frames", s->sym.frames);
		json_u64("no_module", s->sym.no_module);
		json_u64("no_sym", s->sym.no_sym);
		json_obj_close();
		return;
	}
	printf("  stacks: %llu user, %llu kernel captures failed; %llu frames, %llu without a mapping (process gone), %llu without a symbol\n",
	       (unsigned long long)s->stack_failed[0],
	       (unsigned long long)s->stack_failed[1],
	       (unsigned long long)s->sym.frames,
	       (unsigned long long)s->sym.no_module,
	       (unsigned long long)s->sym.no_sym);
	if (s->kstack_hidden)
		printf("  kernel stacks hidden: kernel addresses need CAP_SYS_ADMIN.\n");
}
