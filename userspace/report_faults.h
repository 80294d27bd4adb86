/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope report --faults: the page faults of a while, for the page. */
#ifndef MMSCOPE_REPORT_FAULTS_H
#define MMSCOPE_REPORT_FAULTS_H

#include <stdint.h>

/* Events kept in the page by default; the rest are counted as dropped. */
#define REPORT_FAULTS_MAX	10000
#define REPORT_FAULTS_MAX_MAX	1000000
#define REPORT_FAULTS_SECONDS_MAX	86400

struct report_faults {
	uint64_t seconds;		/* how long to trace, at least 1 */
	uint64_t max_events;		/* events kept; the others are dropped */
	char **argv;			/* -- CMD ARGS: its process tree, or NULL */
	int pid;			/* that process only, 0: every task */
	char *buf;			/* the events' JSON records, NUL-separated */
	size_t len;
	uint64_t kept, dropped;
	char *summary;			/* the summary record */
	int err;			/* the tracer's -errno; 0: traced */
};

/*
 * Trace for @rf->seconds (or until the command ends): 0 when traced, the
 * tracer's -errno in @rf->err (the page names it); 1 (EXIT_FAIL, said on
 * stderr) when the command could not be run or memory ran out.
 */
int report_faults_run(struct report_faults *rf);
/* The report document's "faults" value: null when not traced. */
void report_faults_json(const struct report_faults *rf);
void report_faults_free(struct report_faults *rf);

#endif
