// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: distributions of the faults, aggregated in user space
 * from the events: --top N --by KEY (the heaviest sources by count and by
 * total latency) and --interval S (a table every S seconds, vmstat style).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "faults.h"
#include "../bpf/faults_stack.h"

/* Distinct keys kept; the faults of any further key go to "other". */
#define TOP_KEYS_MAX	65536
#define TOP_KEY_LEN	160

struct top_row {
	char key[TOP_KEY_LEN];
	uint64_t faults, latency_ns, max_ns;
};

struct cg_cache {
	uint32_t pid;
	char path[TOP_KEY_LEN];
};

struct faults_top {
	enum faults_by by;
	unsigned int n;			/* rows shown per ranking */
	struct top_row *rows;
	unsigned int nrows, cap;
	unsigned int *hash;		/* row index + 1, 0 free */
	unsigned int hcap;		/* power of two, > 2 * cap */
	struct top_row other;		/* keys past TOP_KEYS_MAX */
	uint64_t other_keys;
	uint64_t faults, latency_ns;
	struct cg_cache cg[256];	/* pid -> cgroup, direct mapped */
	struct symbolizer *sym;		/* --by sym: the events' stacks' */
};

static const char *const by_names[] = {
	[FAULTS_BY_CLASS] = "class",
	[FAULTS_BY_COMM] = "comm",
	[FAULTS_BY_VMA] = "vma",
	[FAULTS_BY_FILE] = "file",
	[FAULTS_BY_CGROUP] = "cgroup",
	[FAULTS_BY_SYM] = "sym",
};

/* by_names[] in the plural, for "3 classes in all". */
static const char *const by_plurals[] = {
	[FAULTS_BY_CLASS] = "classes",
	[FAULTS_BY_COMM] = "comms",
	[FAULTS_BY_VMA] = "VMAs",
	[FAULTS_BY_FILE] = "files",
	[FAULTS_BY_CGROUP] = "cgroups",
	[FAULTS_BY_SYM] = "symbols",
};

/**
 * faults_by_parse() - the --by argument
 * @s: class, comm, vma, file or cgroup
 *
 * Return: the key, FAULTS_BY_NONE when @s names none.
 */
enum faults_by faults_by_parse(const char *s)
{
	unsigned int i;

	for (i = 1; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (!strcmp(s, by_names[i]))
			return i;
	return FAULTS_BY_NONE;
}

/**
 * faults_top_new() - an empty --top table
 * @by: what a row is
 * @n: rows shown per ranking
 * @sym: the symbolizer for FAULTS_BY_SYM (the events carry user stacks)
 *
 * Return: the table, NULL without memory.
 */
struct faults_top *faults_top_new(enum faults_by by, unsigned int n,
				  struct symbolizer *sym)
{
	struct faults_top *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->by = by;
	t->n = n;
	t->sym = sym;
	snprintf(t->other.key, sizeof(t->other.key), "(other)");
	return t;
}

/* The cgroup v2 path of @pid, cached; "?" once the process is gone. */
static const char *cgroup_of(struct faults_top *t, uint32_t pid)
{
	struct cg_cache *c = &t->cg[pid % 256];
	char path[64], line[TOP_KEY_LEN + 8];
	FILE *f;

	if (c->pid == pid && c->path[0])
		return c->path;
	c->pid = pid;
	snprintf(c->path, sizeof(c->path), "?");
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return c->path;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(c->path, sizeof(c->path), "%.*s",
				 (int)sizeof(c->path) - 1, line + 3);
			break;
		}
	fclose(f);
	return c->path;
}

/*
 * The function of the faulting instruction (user stack frame 0: for a
 * fault taken in the kernel on the task's behalf, the system call's
 * return) and its binary's name; "?" for what is unknown.
 */
static void sym_key(struct faults_top *t, const struct faults_event *ev,
		    char *key, size_t len)
{
	const struct mmscope_fault_stacks *st = ev->stacks;
	const char *mod;
	struct sym_frame f;

	if (!t->sym || !st || st->ustack_len < (int)sizeof(st->ustack[0])) {
		snprintf(key, len, "(no user stack)");
		return;
	}
	sym_user(t->sym, ev->f.pid, st->ustack[0], false, &f);
	mod = f.module ? strrchr(f.module, '/') : NULL;
	mod = mod ? mod + 1 : f.module;
	snprintf(key, len, "%s (%s)", f.sym ?: "?", mod ?: "?");
}

static void key_of(struct faults_top *t, const struct faults_event *ev,
		   char *key, size_t len)
{
	const struct mmscope_fault *e = &ev->f;
	const char *file = e->bits & MMSCOPE_FB_FILE ? e->file : "[anon]";
	const char *cls;

	switch (t->by) {
	case FAULTS_BY_CLASS:
		cls = fault_class_name(e->fclass);
		snprintf(key, len, "%s", cls ? cls : "-");
		break;
	case FAULTS_BY_COMM:
		snprintf(key, len, "%.*s", (int)sizeof(e->comm), e->comm);
		break;
	case FAULTS_BY_VMA:
		snprintf(key, len, "%u %llx-%llx %.*s", e->pid,
			 (unsigned long long)e->vma_start,
			 (unsigned long long)e->vma_end,
			 (int)sizeof(e->file), file);
		break;
	case FAULTS_BY_FILE:
		snprintf(key, len, "%.*s", (int)sizeof(e->file), file);
		break;
	case FAULTS_BY_SYM:
		sym_key(t, ev, key, len);
		break;
	default:
		snprintf(key, len, "%s", cgroup_of(t, e->pid));
		break;
	}
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Double the rows and rebuild the index; false without memory. */
static bool top_grow(struct faults_top *t)
{
	unsigned int cap = t->cap ? t->cap * 2 : 64, hcap = cap * 4, i;
	struct top_row *rows = realloc(t->rows, cap * sizeof(*rows));
	unsigned int *hash;

	if (!rows)
		return false;
	t->rows = rows;
	hash = calloc(hcap, sizeof(*hash));
	if (!hash)
		return false;
	for (i = 0; i < t->nrows; i++) {
		uint64_t h = hash_str(rows[i].key);

		while (hash[h & (hcap - 1)])
			h++;
		hash[h & (hcap - 1)] = i + 1;
	}
	free(t->hash);
	t->hash = hash;
	t->hcap = hcap;
	t->cap = cap;
	return true;
}

/* The row of @key, created if there is room; else "other". */
static struct top_row *row_of(struct faults_top *t, const char *key)
{
	struct top_row *r;
	uint64_t h;

	for (h = hash_str(key); t->hcap && t->hash[h & (t->hcap - 1)]; h++) {
		r = &t->rows[t->hash[h & (t->hcap - 1)] - 1];
		if (!strcmp(r->key, key))
			return r;
	}
	if ((t->nrows == t->cap && (t->cap >= TOP_KEYS_MAX ||
				    !top_grow(t)))) {
		t->other_keys++;
		return &t->other;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	for (h = hash_str(key); t->hash[h & (t->hcap - 1)]; h++)
		;
	t->hash[h & (t->hcap - 1)] = t->nrows;
	return r;
}

/**
 * faults_top_add() - count one event in its row
 * @t: the table
 * @ev: the event
 */
void faults_top_add(struct faults_top *t, const struct faults_event *ev)
{
	char key[TOP_KEY_LEN];
	struct top_row *r;

	key_of(t, ev, key, sizeof(key));
	t->faults++;
	t->latency_ns += ev->f.latency_ns;
	r = row_of(t, key);
	r->faults++;
	r->latency_ns += ev->f.latency_ns;
	if (ev->f.latency_ns > r->max_ns)
		r->max_ns = ev->f.latency_ns;
}

/**
 * faults_top_by() - what a row of @t is
 * @t: the table
 *
 * Return: its key.
 */
enum faults_by faults_top_by(const struct faults_top *t)
{
	return t->by;
}

/**
 * faults_top_add_row() - count faults aggregated elsewhere (the kernel's)
 * @t: the table
 * @key: their row's key, as faults_top_add() would make it
 * @faults: how many
 * @latency_ns: their summed latency
 * @max_ns: the largest
 *
 * Return: true if they have a row of their own, false if they went to
 * "other" (no room).
 */
bool faults_top_add_row(struct faults_top *t, const char *key,
			uint64_t faults, uint64_t latency_ns, uint64_t max_ns)
{
	struct top_row *r = row_of(t, key);

	t->faults += faults;
	t->latency_ns += latency_ns;
	r->faults += faults;
	r->latency_ns += latency_ns;
	if (max_ns > r->max_ns)
		r->max_ns = max_ns;
	return r != &t->other;
}

/**
 * faults_top_add_other() - faults whose keys were not kept (the kernel's
 * key table was full), counted as "other"
 * @t: the table
 * @faults: how many
 * @latency_ns: their summed latency
 * @max_ns: the largest
 *
 * Their keys are not known: "other" counts one key for them, at least.
 */
void faults_top_add_other(struct faults_top *t, uint64_t faults,
			  uint64_t latency_ns, uint64_t max_ns)
{
	t->faults += faults;
	t->latency_ns += latency_ns;
	t->other.faults += faults;
	t->other.latency_ns += latency_ns;
	if (max_ns > t->other.max_ns)
		t->other.max_ns = max_ns;
	t->other_keys++;
}

static int by_count(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->faults != y->faults)
		return x->faults < y->faults ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int by_latency(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->latency_ns != y->latency_ns)
		return x->latency_ns < y->latency_ns ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void top_json(struct faults_top *t, const char *rank)
{
	struct top_row other = t->other;
	unsigned int i, shown = t->nrows < t->n ? t->nrows : t->n;

	/* the rows not shown go to "other": rows + other = total */
	for (i = shown; i < t->nrows; i++) {
		other.faults += t->rows[i].faults;
		other.latency_ns += t->rows[i].latency_ns;
		if (t->rows[i].max_ns > other.max_ns)
			other.max_ns = t->rows[i].max_ns;
	}
	json_obj_open(NULL);
	json_str("type", "top");
	json_str("by", by_names[t->by]);
	json_str("rank", rank);
	json_arr_open("rows");
	for (i = 0; i < shown; i++) {
		json_obj_open(NULL);
		json_str("key", t->rows[i].key);
		json_u64("faults", t->rows[i].faults);
		json_u64("latency_ns", t->rows[i].latency_ns);
		json_u64("max_latency_ns", t->rows[i].max_ns);
		json_obj_close();
	}
	json_arr_close();
	json_obj_open("other");
	json_u64("keys", t->nrows - shown + t->other_keys);
	json_u64("faults", other.faults);
	json_u64("latency_ns", other.latency_ns);
	json_obj_close();
	json_obj_open("total");
	json_u64("keys", t->nrows + t->other_keys);
	json_u64("faults", t->faults);
	json_u64("latency_ns", t->latency_ns);
	json_obj_close();
	json_obj_close();
}

static void top_text(struct faults_top *t, const char *rank)
{
	unsigned int i, shown = t->nrows < t->n ? t->nrows : t->n;

	unsigned long long keys = t->nrows + t->other_keys;

	printf("\nTop %u by %s, ranked by %s (%llu %s in all):\n", t->n,
	       by_names[t->by], rank, keys,
	       keys == 1 ? by_names[t->by] : by_plurals[t->by]);
	printf("%10s %6s %14s %12s %12s  %s\n", "FAULTS", "%", "TOTAL_LAT(ms)",
	       "AVG_LAT(us)", "MAX_LAT(us)", "KEY");
	for (i = 0; i < shown; i++) {
		const struct top_row *r = &t->rows[i];

		printf("%10llu %6.1f %14.3f %12.1f %12.1f  %s\n",
		       (unsigned long long)r->faults,
		       t->faults ? 100.0 * r->faults / t->faults : 0.0,
		       r->latency_ns / 1e6,
		       r->faults ? r->latency_ns / 1e3 / r->faults : 0.0,
		       r->max_ns / 1e3, r->key);
	}
}

/**
 * faults_top_print() - the two rankings, by count and by total latency
 * @t: the table
 *
 * JSON: one "top" record per ranking, whose rows, "other" (the rows not
 * shown) and "total" add up.
 */
void faults_top_print(struct faults_top *t)
{
	if (t->nrows)
		qsort(t->rows, t->nrows, sizeof(*t->rows), by_count);
	if (json_output)
		top_json(t, "count");
	else
		top_text(t, "count");
	if (t->nrows)
		qsort(t->rows, t->nrows, sizeof(*t->rows), by_latency);
	if (json_output)
		top_json(t, "latency");
	else
		top_text(t, "latency");
	/* the index points into the rows as they were: no adds after this */
	if (!json_output)
		printf("%% of all %llu faults; latencies from a fault's first call to its end (ms, us).\n",
		       (unsigned long long)t->faults);
}

/**
 * faults_top_free() - free a --top table
 * @t: the table, or NULL
 */
void faults_top_free(struct faults_top *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->hash);
	free(t);
}

/* ---- --interval -------------------------------------------------------- */

/* Short column names, enum mmscope_fault_class order; [0] unclassified. */
static const char *const class_cols[MMSCOPE_FC_NR] = {
	"unk", "anon", "zero", "cow", "reuse", "fmin", "fmaj", "smin", "smaj",
	"numa", "uffd", "htlb", "err", "retry", "spur",
};

/**
 * faults_interval_add() - count one event in the current interval
 * @iv: the interval
 * @ev: the event
 */
void faults_interval_add(struct faults_interval *iv,
			 const struct faults_event *ev)
{
	iv->faults++;
	iv->retries += ev->retries;
	iv->latency_ns += ev->f.latency_ns;
	if (ev->f.latency_ns > iv->max_ns)
		iv->max_ns = ev->f.latency_ns;
	iv->classes[ev->f.fclass < MMSCOPE_FC_NR ? ev->f.fclass : 0]++;
}

/**
 * faults_interval_print() - print the interval that ends at @now, start the next
 * @iv: the interval
 * @now: CLOCK_MONOTONIC, ns
 *
 * Text: a header every 20 lines, one line per interval; JSON: one
 * "interval" record.
 */
void faults_interval_print(struct faults_interval *iv, uint64_t now)
{
	unsigned int i;

	if (json_output) {
		json_obj_open(NULL);
		json_str("type", "interval");
		json_u64("seq", iv->seq);
		json_u64("start_ns", iv->start_ns - iv->t0_ns);
		json_u64("end_ns", now - iv->t0_ns);
		json_u64("faults", iv->faults);
		json_u64("retries", iv->retries);
		json_obj_open("classes");
		for (i = 1; i < MMSCOPE_FC_NR; i++)
			json_u64(fault_class_name(i), iv->classes[i]);
		json_obj_close();
		json_u64("unclassified", iv->classes[0]);
		json_u64("latency_ns", iv->latency_ns);
		json_u64("max_latency_ns", iv->max_ns);
		json_obj_close();
	} else {
		if (iv->seq % 20 == 0) {
			printf("%9s %8s", "TIME(s)", "FAULTS");
			for (i = 1; i < MMSCOPE_FC_NR; i++)
				printf(" %6s", class_cols[i]);
			printf(" %6s %11s %11s\n", class_cols[0], "AVG_LAT(us)",
			       "MAX_LAT(us)");
		}
		printf("%9.1f %8llu", (now - iv->t0_ns) / 1e9,
		       (unsigned long long)iv->faults);
		for (i = 1; i < MMSCOPE_FC_NR; i++)
			printf(" %6llu", (unsigned long long)iv->classes[i]);
		printf(" %6llu %11.1f %11.1f\n",
		       (unsigned long long)iv->classes[0],
		       iv->faults ? iv->latency_ns / 1e3 / iv->faults : 0.0,
		       iv->max_ns / 1e3);
	}
	fflush(stdout);
	iv->seq++;
	iv->start_ns = now;
	iv->faults = iv->retries = iv->latency_ns = iv->max_ns = 0;
	memset(iv->classes, 0, sizeof(iv->classes));
}

/**
 * faults_interval_legend() - what the --interval columns mean (text)
 */
void faults_interval_legend(void)
{
	if (json_output)
		return;
	printf("TIME: end of the interval, seconds since the start; FAULTS per interval, then per class:\n"
	       "  anon zero cow reuse, fmin/fmaj file_minor/major, smin/smaj swap_minor/major, numa uffd,\n"
	       "  htlb hugetlb, err error, retry never completed, spur spurious, unk unclassified.\n"
	       "AVG_LAT/MAX_LAT: the interval's faults' latency, microseconds.\n");
}
