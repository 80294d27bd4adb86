// SPDX-License-Identifier: GPL-2.0
/* What a lab says: narration, checks, diffs (to stdout, or recorded for --json). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lab.h"

#define C(lr, code) ((lr)->color ? "\033[" code "m" : "")

void lab_say(struct lab_run *lr, const char *fmt, ...)
{
	va_list ap;

	printf("\n%s==>%s ", C(lr, "1;34"), C(lr, "0"));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

bool lab_check(struct lab_run *lr, bool ok, const char *fmt, ...)
{
	struct lab_check_rec *rec;
	char *what = NULL;
	va_list ap;

	lr->checks++;
	if (!ok)
		lr->failed++;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	printf("    %s[%s]%s %s\n", ok ? C(lr, "32") : C(lr, "1;31"),
	       ok ? "ok" : "FAIL", C(lr, "0"), what ? what : "?");
	/* Kept for the JSON record of the run. */
	rec = realloc(lr->recs, (lr->nrecs + 1) * sizeof(*rec));
	if (rec) {
		lr->recs = rec;
		rec[lr->nrecs].ok = ok;
		rec[lr->nrecs].what = what;
		lr->nrecs++;
	} else {
		free(what);
	}
	return ok;
}

void lab_run_free(struct lab_run *lr)
{
	int i;

	for (i = 0; i < lr->nrecs; i++)
		free(lr->recs[i].what);
	free(lr->recs);
	lr->recs = NULL;
	lr->nrecs = 0;
}

static bool has_line(const char *text, const char *line, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n == len && !memcmp(p, line, len))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

#define DIFF_MAX_LINES	16	/* per side: enough to see, short enough to read */

static int diff_side(struct lab_run *lr, const char *from, const char *other,
		     char sign, const char *color)
{
	const char *p = from;
	int n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!has_line(other, p, len)) {
			if (n < DIFF_MAX_LINES)
				printf("    %s%c %.*s%s\n", lr->color ? color : "",
				       sign, (int)len, p, C(lr, "0"));
			n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (n > DIFF_MAX_LINES)
		printf("    %c ... %d more lines\n", sign, n - DIFF_MAX_LINES);
	return n;
}

void lab_diff(struct lab_run *lr, const char *what, const char *before,
	      const char *after)
{
	int n;

	printf("    %s%s, what changed:%s\n", C(lr, "2"), what, C(lr, "0"));
	n = diff_side(lr, before, after, '-', "\033[31m");
	n += diff_side(lr, after, before, '+', "\033[32m");
	if (!n)
		printf("    (nothing)\n");
}

int lab_skip(struct lab_run *lr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lr->skip, sizeof(lr->skip), fmt, ap);
	va_end(ap);
	return LAB_SKIP;
}

void lab_show(struct lab_run *lr, const char *what, const char *text)
{
	const char *p = text;

	printf("    %s%s:%s\n", C(lr, "2"), what, C(lr, "0"));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		printf("    %.*s\n", (int)len, p);
		p = nl ? nl + 1 : NULL;
	}
}

