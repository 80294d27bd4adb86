// SPDX-License-Identifier: GPL-2.0
/* The page-fault tracer (trace.c) around a lab's subject. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

static void lab_fault_event(void *ctx, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;
	struct lab_faults *lf = ctx;

	if (!(e->result & MMSCOPE_FR_RETRY) && e->level == 2)
		lf->pmd++;
}

int lab_faults_start(struct lab_faults *lf, pid_t pid, uint64_t start,
		     uint64_t end)
{
	struct faults_opts o = { .pid = pid, .start = start, .end = end };

	memset(lf, 0, sizeof(*lf));
	lf->err = faults_trace_start(&o, lab_fault_event, lf, &lf->t);
	if (lf->err)
		lf->t = NULL;
	return lf->err;
}

/*
 * As root the tracer must work: its failure is a failed check.  Lost events
 * make the count a lower bound: the first time, the lab is run again
 * (cmd_lab() sees lr->rerun); the second time it is a failed check.
 * Without root the tracer cannot load: the lab says so, and the kernel's
 * own count still checks the claim.
 */
void lab_check_faults(struct lab_run *lr, long n, long want, const char *what)
{
	if (n >= 0)
		lab_check(lr, n == want,
			  "%s: %ld page fault%s (mmscope's BPF fault tracer)",
			  what, n, n == 1 ? "" : "s");
	else if (n == -EOVERFLOW && !lr->retried)
		lr->rerun = true;
	else if (n == -EOVERFLOW)
		lab_check(lr, false,
			  "%s: events lost twice, no count (mmscope's BPF fault tracer)",
			  what);
	else if (geteuid() == 0)
		lab_check(lr, false,
			  "%s: the tracer failed: %s (mmscope's BPF fault tracer)",
			  what, strerror((int)-n));
	else
		lab_say(lr, "(mmscope's BPF fault tracer cannot run here: %s. The kernel's own count below still checks the claim.)",
			strerror((int)-n));
}

long lab_faults_stop(struct lab_faults *lf)
{
	struct faults_summary *s;
	long n;

	if (!lf->t)
		return lf->err ? lf->err : -EINVAL;
	s = malloc(sizeof(*s));
	if (!s) {
		faults_trace_stop(lf->t, NULL);
		lf->t = NULL;
		return -ENOMEM;
	}
	faults_trace_stop(lf->t, s);
	lf->t = NULL;
	/* A lost or missed event would make the count a lower bound. */
	n = s->lost || s->missed ? -EOVERFLOW : (long)s->completed;
	free(s);
	return n;
}

