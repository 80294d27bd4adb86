// SPDX-License-Identifier: GPL-2.0
/*
 * Every command's output against the documentation: the JSON output of
 * each subcommand validated against its schema in docs/schema/ (installed
 * next to this program as jsonschema/), as root and as uid 1000; where root
 * sees PFNs and physical addresses the user sees null; commands that need
 * root refuse the user with status 1 and one line on stderr, nothing on
 * stdout.  The text output: its tables aligned in columns, a legend for
 * the figures it prints.
 *
 * The oracle for "hidden" is the kernel's own rule: /proc/PID/pagemap
 * shows the user a PFN of 0 for the same page root sees a PFN for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"
#include "lib/jschema.h"

#define USER_UID	1000
#define NPAGES		16
#define PG		4096UL

/* ---- the schemas ----------------------------------------------------------- */

static const char *schema_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("MMSCOPE_SCHEMA_DIR");
	ssize_t n;

	if (env)
		return env;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);
	dir[n > 0 ? n : 0] = '\0';
	snprintf(dir + strlen(dirname(dir)), 16, "/jsonschema");
	return dir;
}

static struct js *load_schema(const char *name)
{
	char path[PATH_MAX + 64], err[256], *text;
	struct js *s;

	snprintf(path, sizeof(path), "%s/%s.json", schema_dir(), name);
	text = mmt_read_file(path, NULL);
	if (!text || !text[0]) {
		free(text);
		return NULL;
	}
	s = js_parse(text, NULL, err, sizeof(err));
	if (!s)
		ksft_print_msg("%s: %s\n", path, err);
	free(text);
	return s;
}

/* ---- running the CLI as root or as the user -------------------------------- */

struct result {
	int status;
	char *out, *err;
};

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static bool write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return false;
		p = (const char *)p + n;
		len -= n;
	}
	return true;
}

static char *read_block(FILE *f)
{
	size_t len;
	char *s;

	if (fread(&len, sizeof(len), 1, f) != 1 || len > (256u << 20))
		return NULL;
	s = calloc(1, len + 1);
	if (s && len && fread(s, 1, len, f) != len) {
		free(s);
		return NULL;
	}
	return s;
}

static void drop_to_user(void)
{
	if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
	    setresuid(USER_UID, USER_UID, USER_UID))
		_exit(99);
	/* A uid change makes a process non-dumpable; undo that. */
	prctl(PR_SET_DUMPABLE, 1);
}

/* Run the CLI with @args (NULL-terminated, after the program) as @uid. */
static void run_as(int uid, const char *const *args, struct result *r)
{
	const char *argv[32] = { mmt_cli() };
	int i = 1, p[2], st;
	size_t len;
	pid_t pid;
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	for (; *args && i < 31; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	if (!uid) {
		r->out = mmt_run((char *const *)argv, &r->status, &r->err);
		return;
	}
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		char *out, *err = NULL;

		close(p[0]);
		drop_to_user();
		out = mmt_run((char *const *)argv, &st, &err);
		len = out ? strlen(out) : 0;
		if (!write_all(p[1], &st, sizeof(st)) ||
		    !write_all(p[1], &len, sizeof(len)) ||
		    !write_all(p[1], out ?: "", len))
			_exit(98);
		len = err ? strlen(err) : 0;
		if (!write_all(p[1], &len, sizeof(len)) ||
		    !write_all(p[1], err ?: "", len))
			_exit(98);
		_exit(0);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (f && fread(&r->status, sizeof(r->status), 1, f) == 1) {
		r->out = read_block(f);
		r->err = read_block(f);
	}
	if (f)
		fclose(f);
	else
		close(p[0]);
	waitpid(pid, &st, 0);
}

/* ---- the target: the user's process with NPAGES touched anonymous pages --- */

struct target {
	pid_t pid;
	unsigned long addr;
	char spid[16], saddr[32], range[64];
};

static int target_start(struct target *t)
{
	int p[2];

	memset(t, 0, sizeof(*t));
	if (pipe(p))
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		char *m;
		int i;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		drop_to_user();
		m = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		for (i = 0; i < NPAGES; i++)
			m[i * PG] = (char)(i + 1);
		if (!write_all(p[1], &m, sizeof(m)))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (t->pid < 0 || read(p[0], &t->addr, sizeof(t->addr)) !=
	    sizeof(t->addr)) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	snprintf(t->spid, sizeof(t->spid), "%d", t->pid);
	snprintf(t->saddr, sizeof(t->saddr), "%#lx", t->addr);
	snprintf(t->range, sizeof(t->range), "%#lx-%#lx", t->addr,
		 t->addr + NPAGES * PG);
	return 0;
}

static void target_stop(struct target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
}

/* ---- validation ------------------------------------------------------------ */

/*
 * Every line of @out (JSON Lines; the whole of it when @whole, for
 * --pretty) parses strictly and is valid against @schema.  Returns the
 * documents (NULL-terminated, at most @max), or NULL after logging.
 */
static int validate(struct __test_metadata *_metadata, const char *what,
		    const char *out, const struct js *schema, bool whole,
		    struct js **docs, int max)
{
	const char *p = out;
	char err[600];
	int n = 0;

	while (p && *p && n < max) {
		const char *next = NULL;
		struct js *doc = js_parse(p, whole ? NULL : &next, err,
					  sizeof(err));

		if (!doc) {
			TH_LOG("%s: not JSON: %s", what, err);
			return -1;
		}
		if (js_check(doc, schema, err, sizeof(err))) {
			TH_LOG("%s: record %d: %s", what, n, err);
			js_free(doc);
			return -1;
		}
		/* JSON Lines: one record per line */
		if (!whole && next > p && next[-1] != '\n' && *next) {
			TH_LOG("%s: record %d does not end its line", what, n);
			js_free(doc);
			return -1;
		}
		docs[n++] = doc;
		p = whole ? NULL : next;
	}
	docs[n] = NULL;
	return n;
}

static void docs_free(struct js **docs)
{
	for (; *docs; docs++)
		js_free(*docs);
}

static bool is_null(const struct js *v)
{
	return v && v->type == JS_NULL;
}

static bool is_int(const struct js *v)
{
	return v && v->type == JS_NUM && v->integer;
}

/* ---- the cases ------------------------------------------------------------- */

enum who { ROOT = 1, USER = 2, BOTH = 3 };

struct jcase {
	const char *schema;
	const char *args[10];		/* @PID @ADDR @RANGE @CACHE @KADDR @PGD */
	enum who ok;			/* who gets status 0; others 1 */
	bool whole;			/* --pretty: one indented document */
};

static const struct jcase cases[] = {
	{ "version", { "--version", "--json" }, BOTH, false },
	{ "vma", { "vma", "@PID", "--json" }, BOTH, false },
	{ "vma", { "-p", "vma", "@PID" }, BOTH, true },
	{ "pt", { "pt", "@PID", "--json" }, BOTH, false },
	{ "pt", { "pt", "--raw", "--range", "@RANGE", "@PID", "--json" }, BOTH, false },
	{ "translate", { "translate", "@PID", "@ADDR", "--json" }, BOTH, false },
	{ "translate", { "translate", "@PID", "0x1000", "--json" }, BOTH, false },
	{ "translate", { "translate", "--kernel", "@KADDR", "--json" }, ROOT, false },
	{ "kernel", { "kernel", "--json" }, ROOT, false },
	{ "vmalloc", { "vmalloc", "--json" }, ROOT, false },
	{ "buddy", { "buddy", "--json" }, BOTH, false },
	{ "buddy", { "buddy", "--blocks", "--json" }, ROOT, false },
	{ "slab", { "slab", "--json" }, ROOT, false },
	{ "slab", { "slab", "--cache", "@CACHE", "--json" }, ROOT, false },
	{ "slab", { "slab", "--addr", "@KADDR", "--json" }, ROOT, false },
	{ "faults", { "faults", "--json", "--", "true" }, ROOT, false },
	{ "faults", { "faults", "--json", "--summary", "--", "true" }, ROOT, false },
	{ "faults", { "faults", "--json", "--top", "2", "--interval", "1", "--", "true" }, ROOT, false },
	{ "faults", { "faults", "--json", "--raw", "--top", "2", "--by", "vma", "--", "true" }, ROOT, false },
	{ "faults", { "faults", "--json", "--stack", "--kstack", "--", "true" }, ROOT, false },
	/* counted in the kernel: the summary and top records without events */
	{ "faults", { "faults", "--json", "--hist", "--top", "2", "--by", "comm", "--", "true" }, ROOT, false },
	{ "page", { "page", "--pid", "@PID", "@ADDR", "--json" }, ROOT, false },
	{ "page", { "page", "--phys", "0x100000", "--json" }, ROOT, false },
	/* the target's pgd page: a pagetable object */
	{ "page", { "page", "--phys", "@PGD", "--json" }, ROOT, false },
	{ "phys", { "phys", "--json" }, ROOT, false },
	{ "phys", { "phys", "--range", "0-4096", "--json" }, ROOT, false },
	{ "lab", { "lab", "--json" }, BOTH, false },
	{ "lab", { "lab", "vma", "--json" }, BOTH, false },
	{ "report", { "report", "-p", "@PID", "--json" }, BOTH, false },
	/* root: the faults traced; others: faults null, named in errors */
	{ "report", { "report", "-p", "@PID", "--faults", "5", "--json", "--", "true" },
	  BOTH, false },
};

struct subst {
	const struct target *t;
	char cache[MMSCOPE_NAME_LEN], kaddr[32], pgd[32];
};

/* The target's pgd page (physical), from root's `vma --json`. */
static void find_pgd(struct subst *s)
{
	const char *const vma[] = { "vma", s->t->spid, "--json", NULL };
	struct js *doc, *pgd;
	struct result r;

	run_as(0, vma, &r);
	doc = r.out ? js_parse(r.out, NULL, NULL, 0) : NULL;
	pgd = js_get(js_get(doc, "mm"), "pgd_phys");
	if (pgd && pgd->str)
		snprintf(s->pgd, sizeof(s->pgd), "%s", pgd->str);
	js_free(doc);
	result_free(&r);
}

/* A cache name and a slab address from root's `slab --json`. */
static void find_slab(struct subst *s)
{
	const char *const list[] = { "slab", "--json", NULL };
	const char *const one[] = { "slab", "--cache", NULL, "--json", NULL };
	struct js *doc, *caches, *slabs, *best = NULL;
	struct result r;
	int i;

	run_as(0, list, &r);
	doc = r.out ? js_parse(r.out, NULL, NULL, 0) : NULL;
	caches = js_get(doc, "caches");
	/* the cache with the most partial slabs: it lists some */
	for (i = 0; caches && i < caches->n; i++)
		if (!best || js_get(caches->kids[i], "partial_slabs")->num >
		    js_get(best, "partial_slabs")->num)
			best = caches->kids[i];
	if (best)
		snprintf(s->cache, sizeof(s->cache), "%s",
			 js_get(best, "name")->str);
	js_free(doc);
	result_free(&r);
	if (!s->cache[0])
		return;
	((const char **)one)[2] = s->cache;
	run_as(0, one, &r);
	doc = r.out ? js_parse(r.out, NULL, NULL, 0) : NULL;
	slabs = js_get(doc, "slabs");
	if (slabs && slabs->n && js_get(slabs->kids[0], "addr"))
		snprintf(s->kaddr, sizeof(s->kaddr), "%s",
			 js_get(slabs->kids[0], "addr")->str);
	js_free(doc);
	result_free(&r);
}

static const char *subst(const struct subst *s, const char *a)
{
	if (!strcmp(a, "@PID"))
		return s->t->spid;
	if (!strcmp(a, "@ADDR"))
		return s->t->saddr;
	if (!strcmp(a, "@RANGE"))
		return s->t->range;
	if (!strcmp(a, "@CACHE"))
		return s->cache;
	if (!strcmp(a, "@KADDR"))
		return s->kaddr;
	if (!strcmp(a, "@PGD"))
		return s->pgd;
	return a;
}

static int lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Hidden from the user, shown to root: the pgd's physical address, the
 * PFNs of present entries, translate's entries, PFN and physical address,
 * buddy's walked counts and zone start PFNs.
 */
static void check_hidden(struct __test_metadata *_metadata, const char *what,
			 const struct jcase *c, struct js *doc, bool root)
{
	struct js *v, *runs, *nodes;
	int i, j, k, present = 0;

	if (!strcmp(c->schema, "version")) {
		/* The module under test speaks the CLI's ABI, found for both. */
		EXPECT_TRUE(is_int(js_get(doc, "module_abi")) &&
			    js_get(doc, "module_abi")->num ==
			    js_get(doc, "abi")->num) TH_LOG("%s", what);
	} else if (!strcmp(c->schema, "vma")) {
		v = js_get(js_get(doc, "mm"), "pgd_phys");
		EXPECT_TRUE(root ? v && v->type == JS_STR : is_null(v))
			TH_LOG("%s: mm.pgd_phys", what);
	} else if (!strcmp(c->schema, "pt")) {
		runs = js_get(doc, "runs");
		for (i = 0; runs && i < runs->n; i++) {
			struct js *kind = js_get(runs->kids[i], "kind");

			if (strcmp(kind->str, "present"))
				continue;
			present++;
			v = js_get(runs->kids[i], "pfn");
			EXPECT_TRUE(root ? is_int(v) : is_null(v))
				TH_LOG("%s: runs[%d].pfn", what, i);
		}
		EXPECT_LT(0, present) TH_LOG("%s: no present run", what);
		EXPECT_EQ(!root, js_get(doc, "hidden")->b);
	} else if (!strcmp(c->schema, "translate") && !strcmp(c->args[2], "@ADDR")) {
		EXPECT_TRUE(root ? is_int(js_get(doc, "pfn")) :
			    is_null(js_get(doc, "pfn"))) TH_LOG("%s: pfn", what);
		EXPECT_TRUE(root ? !is_null(js_get(doc, "phys")) :
			    is_null(js_get(doc, "phys"))) TH_LOG("%s: phys", what);
		v = js_get(doc, "steps");
		ASSERT_TRUE(v && v->n >= 4);
		for (i = 0; i < v->n; i++)
			EXPECT_EQ(!root, is_null(js_get(v->kids[i], "entry")))
				TH_LOG("%s: steps[%d].entry", what, i);
	} else if (!strcmp(c->schema, "buddy") && !strcmp(c->args[1], "--json")) {
		nodes = js_get(doc, "nodes");
		ASSERT_TRUE(nodes && nodes->n > 0);
		for (i = 0; i < nodes->n; i++) {
			struct js *zones = js_get(nodes->kids[i], "zones");

			for (j = 0; zones && j < zones->n; j++) {
				struct js *z = zones->kids[j], *o;

				EXPECT_TRUE(root ? is_int(js_get(z, "start_pfn")) :
					    is_null(js_get(z, "start_pfn")));
				o = js_get(z, "orders");
				for (k = 0; o && k < o->n; k++)
					EXPECT_EQ(!root, is_null(js_get(o->kids[k],
								       "walked")));
			}
		}
		EXPECT_EQ(root, js_get(doc, "walked")->b);
	}
}

/* The kernel's rule for the same page: pagemap's PFN for root, 0 for the user. */
static int user_pagemap_pfn(const struct target *t, unsigned long long *pfn)
{
	char path[64];
	int p[2], st;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", t->pid);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		uint64_t e = ~0ULL;
		int fd;

		drop_to_user();
		fd = open(path, O_RDONLY);
		if (fd < 0 || pread(fd, &e, sizeof(e), t->addr / PG * 8) != 8)
			_exit(1);
		_exit(write_all(p[1], &e, sizeof(e)) ? 0 : 1);
	}
	close(p[1]);
	st = read(p[0], pfn, sizeof(*pfn)) == sizeof(*pfn) ? 0 : -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	*pfn &= (1ULL << 55) - 1;
	return st;
}

TEST(json_matches_schema_root_and_user)
{
	struct subst s = { 0 };
	struct target t;
	unsigned long long upfn = 1;
	uint64_t rpm = 0;
	int uid, ci, checked = 0;

	ASSERT_EQ(0, getuid()) TH_LOG("runs as root (it runs the CLI as both)");
	ASSERT_EQ(0, target_start(&t));
	s.t = &t;
	find_slab(&s);
	find_pgd(&s);
	/* The oracle: the user's pagemap hides the PFN root's shows. */
	ASSERT_EQ(0, user_pagemap_pfn(&t, &upfn));
	EXPECT_EQ(0, upfn);
	ASSERT_EQ(0, mmt_pagemap(t.pid, t.addr, &rpm));
	EXPECT_NE(0, MMT_PM_PFN(rpm));

	for (ci = 0; ci < (int)(sizeof(cases) / sizeof(cases[0])); ci++) {
		const struct jcase *c = &cases[ci];
		struct js *schema = load_schema(c->schema), *docs[4096];

		ASSERT_NE(NULL, schema) TH_LOG("%s/%s.json", schema_dir(), c->schema);
		for (uid = 0; uid <= USER_UID; uid += USER_UID) {
			const char *args[12];
			char what[256] = "";
			bool root = uid == 0, ok;
			struct result r;
			int i, n;

			for (i = 0; c->args[i]; i++) {
				args[i] = subst(&s, c->args[i]);
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " %s", args[i]);
			}
			args[i] = NULL;
			for (i = 0; args[i] && *args[i]; i++)
				;
			if (args[i]) {
				/* @CACHE, @KADDR or @PGD not found */
				ksft_print_msg("not run: mmscope%s: no slab cache with listed slabs, or no pgd\n",
					       what);
				continue;
			}
			run_as(uid, args, &r);
			ok = c->ok & (root ? ROOT : USER);
			if (!ok) {
				/* Refused: status 1, one line, no output. */
				EXPECT_EQ(1, r.status) TH_LOG("uid %d:%s", uid, what);
				EXPECT_EQ(1, lines(r.err)) TH_LOG("uid %d:%s: '%s'",
								  uid, what, r.err);
				EXPECT_STREQ("", r.out ?: "") TH_LOG("uid %d:%s", uid, what);
				result_free(&r);
				continue;
			}
			EXPECT_EQ(0, r.status) TH_LOG("uid %d:%s: %s", uid, what, r.err);
			ASSERT_NE(NULL, r.out);
			n = validate(_metadata, what, r.out, schema, c->whole,
				     docs, 4095);
			EXPECT_LT(0, n) TH_LOG("uid %d:%s", uid, what);
			if (n > 0) {
				check_hidden(_metadata, what, c, docs[0], root);
				checked++;
			}
			if (n >= 0)
				docs_free(docs);
			ksft_print_msg("uid %d:%s: %d record%s valid\n", uid, what,
				       n, n == 1 ? "" : "s");
			result_free(&r);
		}
		js_free(schema);
	}
	EXPECT_LE(20, checked);
	target_stop(&t);
}

/* ---- text: columns and legends ----------------------------------------------- */

/*
 * The table under the header line that starts with @first: every row
 * (up to a blank line; continuation lines indented deeper are skipped)
 * has each column but the last where the header puts it, left-aligned
 * (starts at the header word) or right-aligned (ends with it), or blank.
 */
static int check_columns(struct __test_metadata *_metadata, const char *what,
			 const char *text, const char *first)
{
	char head[512], row[1024];
	int starts[32], ends[32], ncol = 0, rows = 0, bad = 0, indent;
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchrnul(p, '\n');
		indent = strspn(p, " ");
		if (!strncmp(p + indent, first, strlen(first)) &&
		    (p[indent + strlen(first)] == ' '))
			break;
		p = *nl ? nl + 1 : NULL;
	}
	if (!p || !*p) {
		TH_LOG("%s: no header starting with '%s'", what, first);
		return -1;
	}
	snprintf(head, sizeof(head), "%.*s", (int)(nl - p), p);
	for (char *h = head; *h && ncol < 32;) {
		h += strspn(h, " ");
		if (!*h)
			break;
		starts[ncol] = h - head;
		h += strcspn(h, " ");
		ends[ncol++] = h - head;
	}
	for (p = *nl ? nl + 1 : NULL; p && *p && *p != '\n'; p = *nl ? nl + 1 : NULL) {
		int len, i;

		nl = strchrnul(p, '\n');
		len = snprintf(row, sizeof(row), "%.*s", (int)(nl - p), p);
		if (!strncmp(row + strspn(row, " "), "flags:", 6))
			continue;		/* vma's second line per VMA */
		rows++;
		for (i = 0; i + 1 < ncol; i++) {
			int s0 = starts[i], e = ends[i], k;
			bool blank = true, left, right;

			for (k = s0; k < e && k < len; k++)
				blank &= row[k] == ' ';
			left = s0 < len && row[s0] != ' ' &&
			       (s0 == 0 || row[s0 - 1] == ' ');
			right = e <= len && row[e - 1] != ' ' &&
				(e == len || row[e] == ' ');
			if (!blank && !left && !right) {
				if (bad++ < 3)
					TH_LOG("%s: column %.*s misaligned in '%s'",
					       what, e - s0, head + s0, row);
			}
		}
	}
	EXPECT_LT(0, rows) TH_LOG("%s: no rows under the header", what);
	return bad;
}

TEST(text_columns_and_legends)
{
	struct subst s = { 0 };
	struct target t;
	const struct {
		const char *args[6];
		const char *header, *legend;
	} tc[] = {
		{ { "vma", "@PID" }, "START", "SIZE in KiB" },
		{ { "pt", "@PID" }, "START", "Legend:" },
		{ { "translate", "@PID", "@ADDR" }, "LEVEL", "Legend:" },
		{ { "kernel" }, "START", "Legend:" },
		{ { "vmalloc" }, "START", "Legend:" },
		{ { "buddy" }, "order", "nr_free:" },
		{ { "buddy", "--blocks" }, "PFN", "nr_free:" },
		{ { "slab" }, "NAME", "USE:" },
		{ { "faults", "--", "true" }, "TIME(s)", "LAT(us) in microseconds" },
		{ { "phys" }, "START_PFN", "A run:" },
		{ { "phys", "--range", "0-4096" }, "PFN", "KIND:" },
		{ { "lab" }, "LAB", "Run one with" },
	};
	unsigned int i, j;

	ASSERT_EQ(0, target_start(&t));
	s.t = &t;
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		const char *args[8];
		char what[128] = "";
		struct result r;

		for (j = 0; tc[i].args[j]; j++) {
			args[j] = subst(&s, tc[i].args[j]);
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 " %s", args[j]);
		}
		args[j] = NULL;
		run_as(0, args, &r);
		EXPECT_EQ(0, r.status) TH_LOG("%s: %s", what, r.err);
		ASSERT_NE(NULL, r.out);
		EXPECT_NE(NULL, strstr(r.out, tc[i].legend))
			TH_LOG("mmscope%s: no legend '%s'", what, tc[i].legend);
		EXPECT_EQ(0, check_columns(_metadata, what, r.out, tc[i].header));
		result_free(&r);
	}
	target_stop(&t);
}

TEST_HARNESS_MAIN
