// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults --live: a table of the faults per process and kind,
 * redrawn every second, the way top and slabtop behave: q quits, s
 * changes the order (faults in the last period, all faults, total
 * latency).  Aggregated in user space from the events (merged faults, or
 * calls with --raw) that passed the filters.
 *
 * On a terminal the screen is redrawn in place and the keys are read
 * without echo (the terminal is restored at the end).  Otherwise (a pipe,
 * a file, a serial log) each table is printed after the previous one,
 * headed by its time, with no escape sequence; the last one is printed
 * when the trace ends, whatever the period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "faults.h"

/* Processes kept; the faults of further ones are counted in "other". */
#define LIVE_PIDS_MAX	65536
#define LIVE_PERIOD_NS	1000000000ULL

/* The columns: the classes grouped as a person reads them. */
enum live_col {
	COL_ANON, COL_ZERO, COL_COW, COL_REUSE, COL_FILE, COL_MAJOR, COL_SWAP,
	COL_OTHER, COL_NR,
};

static const char *const col_names[COL_NR] = {
	"ANON", "ZERO", "COW", "REUSE", "FILE", "MAJOR", "SWAP", "OTHER",
};

static enum live_col col_of(uint32_t fclass)
{
	switch (fclass) {
	case MMSCOPE_FC_ANON:
		return COL_ANON;
	case MMSCOPE_FC_ZERO:
		return COL_ZERO;
	case MMSCOPE_FC_COW:
		return COL_COW;
	case MMSCOPE_FC_REUSE:
		return COL_REUSE;
	case MMSCOPE_FC_FILE_MINOR:
		return COL_FILE;
	case MMSCOPE_FC_FILE_MAJOR:
	case MMSCOPE_FC_SWAP_MAJOR:
		return COL_MAJOR;
	case MMSCOPE_FC_SWAP_MINOR:
		return COL_SWAP;
	default:
		return COL_OTHER;
	}
}

struct live_row {
	uint32_t pid;			/* 0: the free slot / the "other" row */
	char comm[MMSCOPE_COMM_LEN];
	uint64_t faults, period, latency_ns, max_ns;
	uint64_t cols[COL_NR];
};

enum live_sort { SORT_RATE, SORT_TOTAL, SORT_LATENCY, SORT_NR };

static const char *const sort_names[SORT_NR] = {
	"faults/s", "total faults", "total latency",
};

struct faults_live {
	struct live_row *rows;		/* open addressing by pid */
	unsigned int cap, n;
	struct live_row other;		/* pids past LIVE_PIDS_MAX */
	uint64_t faults, period;
	uint64_t t0_ns, last_ns;	/* the start, the last table */
	enum live_sort sort;
	bool tty_out, tty_in;
	struct termios saved;
	unsigned int frames;
};

/**
 * faults_live_new() - start the live table
 * @now: CLOCK_MONOTONIC now, ns
 *
 * Puts a terminal on stdin into non-canonical mode without echo, for the
 * keys (faults_live_free() restores it).
 *
 * Return: the table, NULL without memory.
 */
struct faults_live *faults_live_new(uint64_t now)
{
	struct faults_live *l = calloc(1, sizeof(*l));
	struct termios raw;

	if (!l)
		return NULL;
	l->t0_ns = l->last_ns = now;
	l->tty_out = isatty(STDOUT_FILENO);
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &l->saved)) {
		raw = l->saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		l->tty_in = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	return l;
}

static unsigned int slot_of(uint32_t pid, unsigned int cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

/* Double the table; false without memory. */
static bool live_grow(struct faults_live *l)
{
	unsigned int cap = l->cap ? l->cap * 2 : 256, i, k;
	struct live_row *rows = calloc(cap, sizeof(*rows));

	if (!rows)
		return false;
	for (i = 0; i < l->cap; i++) {
		if (!l->rows[i].pid)
			continue;
		for (k = slot_of(l->rows[i].pid, cap); rows[k].pid;
		     k = (k + 1) & (cap - 1))
			;
		rows[k] = l->rows[i];
	}
	free(l->rows);
	l->rows = rows;
	l->cap = cap;
	return true;
}

static struct live_row *row_of(struct faults_live *l, uint32_t pid)
{
	unsigned int k;

	if (l->cap) {
		for (k = slot_of(pid, l->cap); l->rows[k].pid;
		     k = (k + 1) & (l->cap - 1))
			if (l->rows[k].pid == pid)
				return &l->rows[k];
	}
	/* a new pid: at most half full, at most LIVE_PIDS_MAX */
	if ((l->n + 1) * 2 > l->cap &&
	    (l->cap >= 2 * LIVE_PIDS_MAX || !live_grow(l)))
		return &l->other;
	for (k = slot_of(pid, l->cap); l->rows[k].pid;
	     k = (k + 1) & (l->cap - 1))
		;
	l->rows[k].pid = pid;
	l->n++;
	return &l->rows[k];
}

/**
 * faults_live_add() - count one event
 * @l: the table
 * @ev: the event (a fault, or a call with --raw)
 */
void faults_live_add(struct faults_live *l, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;
	struct live_row *r = row_of(l, e->pid);

	/* the process's name: that of its latest faulting thread */
	if (r != &l->other)
		snprintf(r->comm, sizeof(r->comm), "%.*s",
			 (int)sizeof(e->comm), e->comm);
	r->faults++;
	r->period++;
	r->latency_ns += e->latency_ns;
	if (e->latency_ns > r->max_ns)
		r->max_ns = e->latency_ns;
	r->cols[col_of(e->fclass)]++;
	l->faults++;
	l->period++;
}

static enum live_sort cmp_sort;

static uint64_t sort_key(const struct live_row *r)
{
	return cmp_sort == SORT_RATE ? r->period :
	       cmp_sort == SORT_TOTAL ? r->faults : r->latency_ns;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct live_row *x = *(const struct live_row *const *)a;
	const struct live_row *y = *(const struct live_row *const *)b;
	uint64_t kx = sort_key(x), ky = sort_key(y);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->faults != y->faults)
		return x->faults < y->faults ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void print_row(const struct live_row *r, const char *pid,
		      double secs)
{
	unsigned int c;

	printf("%7s %-15.15s %8.0f %9llu", pid, r->comm,
	       secs > 0 ? r->period / secs : 0.0,
	       (unsigned long long)r->faults);
	for (c = 0; c < COL_NR; c++)
		printf(" %7llu", (unsigned long long)r->cols[c]);
	printf(" %8.1f %8.1f\n",
	       r->faults ? r->latency_ns / 1e3 / r->faults : 0.0,
	       r->max_ns / 1e3);
}

/* Rows the terminal has room for (all of them off a terminal). */
static unsigned int rows_shown(const struct faults_live *l, unsigned int n)
{
	struct winsize ws;

	if (!l->tty_out)
		return n;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 8)
		return n < 16 ? n : 16;
	return n < ws.ws_row - 6u ? n : ws.ws_row - 6u;
}

static void draw(struct faults_live *l, uint64_t now)
{
	double secs = (now - l->last_ns) / 1e9;
	struct live_row **v = NULL;
	unsigned int i, k = 0, shown;
	char pid[16];

	if (l->n)
		v = malloc(l->n * sizeof(*v));
	for (i = 0; v && i < l->cap; i++)
		if (l->rows[i].pid)
			v[k++] = &l->rows[i];
	cmp_sort = l->sort;
	if (k)
		qsort(v, k, sizeof(*v), cmp_rows);
	shown = rows_shown(l, k);
	if (l->tty_out)
		printf("\033[H\033[J");
	else if (l->frames)
		printf("\n");
	printf("mmscope faults --live: %.1f s, %llu faults, %.0f/s in the last %.1f s; %u processes; sort: %s%s\n",
	       (now - l->t0_ns) / 1e9, (unsigned long long)l->faults,
	       secs > 0 ? l->period / secs : 0.0, secs, l->n,
	       sort_names[l->sort],
	       l->tty_in ? " (s: sort, q: quit)" : "");
	printf("%7s %-15s %8s %9s", "PID", "COMM", "FAULTS/s", "TOTAL");
	for (i = 0; i < COL_NR; i++)
		printf(" %7s", col_names[i]);
	printf(" %8s %8s\n", "AVG(us)", "MAX(us)");
	for (i = 0; i < shown; i++) {
		snprintf(pid, sizeof(pid), "%u", v[i]->pid);
		print_row(v[i], pid, secs);
	}
	if (l->other.faults) {
		snprintf(l->other.comm, sizeof(l->other.comm), "(more pids)");
		print_row(&l->other, "-", secs);
	}
	if (shown < k)
		printf("(%u more processes)\n", k - shown);
	printf("ANON new anonymous page, ZERO zero page, COW copied, REUSE made writable, FILE page-cache hit,\n"
	       "MAJOR read I/O (file or swap), SWAP swap-cache hit, OTHER numa uffd hugetlb error retry spurious.\n");
	fflush(stdout);
	free(v);
	for (i = 0; i < l->cap; i++)
		l->rows[i].period = 0;
	l->other.period = 0;
	l->period = 0;
	l->last_ns = now;
	l->frames++;
}

/**
 * faults_live_tick() - read the keys, redraw when a period has passed
 * @l: the table
 * @now: CLOCK_MONOTONIC now, ns
 *
 * Return: true when q was pressed (the caller ends the trace).
 */
bool faults_live_tick(struct faults_live *l, uint64_t now)
{
	bool quit = false, redraw = false;
	char c;

	while (l->tty_in && read(STDIN_FILENO, &c, 1) == 1) {
		if (c == 'q' || c == 'Q') {
			quit = true;
		} else if (c == 's' || c == 'S') {
			l->sort = (l->sort + 1) % SORT_NR;
			redraw = true;
		}
	}
	if (!quit && (redraw || now - l->last_ns >= LIVE_PERIOD_NS))
		draw(l, now);
	return quit;
}

/**
 * faults_live_free() - the last table, then restore the terminal
 * @l: the table, or NULL
 * @now: CLOCK_MONOTONIC now, ns
 */
void faults_live_free(struct faults_live *l, uint64_t now)
{
	if (!l)
		return;
	draw(l, now);
	if (l->tty_in)
		tcsetattr(STDIN_FILENO, TCSANOW, &l->saved);
	free(l->rows);
	free(l);
}
