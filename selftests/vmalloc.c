// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vmalloc: every vmap area, against the kernel's own list of them,
 * /proc/vmallocinfo, read before and after the view.  An area whose line is
 * the same in both reads existed, unchanged, while the view was read: it
 * must be in the view with the same range, size, pages=, caller, flag
 * words and phys=.  Its page-table cost is checked against what its line
 * says it holds: a "vmalloc" area maps exactly its pages= pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

/* The words vmallocinfo prints after the caller, as the view names them. */
static const char *const words[] = {
	"ioremap", "sparse", "vmalloc", "vmap", "user", "dma-coherent",
	"vpages", "vm_map_ram",
};
#define NR_WORDS	(sizeof(words) / sizeof(words[0]))

struct oline {
	unsigned long long start, end, size, pages, phys;
	char caller[256];
	unsigned int words;	/* bit i: words[i] */
	bool unpurged;
};

static int word_index(const char *w)
{
	unsigned int i;

	for (i = 0; i < NR_WORDS; i++)
		if (!strcmp(w, words[i]))
			return i;
	return -1;
}

/*
 * One vmallocinfo line: "0xS-0xE SIZE [CALLER] [pages=N] [phys=P] WORDS
 * [N0=..]", or "0xS-0xE SIZE unpurged vm_area".  The caller (%pS, "f+0x1/0x2
 * [mod]" for a module) is every token before the first of the others.
 */
static int oline_parse(char *line, struct oline *o)
{
	char *save = NULL, *tok;
	bool in_caller = true;
	int i = 0;

	memset(o, 0, sizeof(*o));
	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save), i++) {
		int w;

		if (i == 0) {
			if (sscanf(tok, "%llx-%llx", &o->start, &o->end) != 2)
				return -1;
			continue;
		}
		if (i == 1) {
			o->size = strtoull(tok, NULL, 10);
			continue;
		}
		if (i == 2 && !strcmp(tok, "unpurged")) {
			o->unpurged = true;
			return 0;
		}
		w = word_index(tok);
		if (!strncmp(tok, "pages=", 6))
			o->pages = strtoull(tok + 6, NULL, 10);
		else if (!strncmp(tok, "phys=", 5))
			o->phys = strtoull(tok + 5, NULL, 16);
		else if (w >= 0)
			o->words |= 1U << w;
		else if (tok[0] == 'N' && strchr(tok, '='))
			;	/* NUMA node counts */
		else if (in_caller) {
			size_t len = strlen(o->caller);

			snprintf(o->caller + len, sizeof(o->caller) - len,
				 "%s%s", len ? " " : "", tok);
			continue;
		}
		in_caller = false;
	}
	return i >= 2 ? 0 : -1;
}

/* Is @line (without its newline) a whole line of @text? */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') &&
		    (p[len] == '\n' || p[len] == '\0'))
			return true;
		p++;
	}
	return false;
}

static unsigned int view_words(const struct mmt_json *a, bool *unpurged)
{
	const struct mmt_json *f = mmt_jget(a, "flags");
	unsigned int r = 0;
	int i, w;

	*unpurged = false;
	for (i = 0; f && i < f->n; i++) {
		const char *s = mmt_jstr(f->kids[i]) ?: "";

		if (!strcmp(s, "unpurged"))
			*unpurged = true;
		w = word_index(s);
		if (w >= 0)
			r |= 1U << w;
	}
	return r;
}

static struct mmt_json *find_area(struct mmt_json *areas,
				  const struct oline *o)
{
	int i;

	for (i = 0; areas && i < areas->n; i++) {
		struct mmt_json *a = areas->kids[i];
		bool unpurged;

		view_words(a, &unpurged);
		if (mmt_jhex(mmt_jget(a, "start")) == o->start &&
		    unpurged == o->unpurged)
			return a;
	}
	return NULL;
}

static unsigned long long jsub(const struct mmt_json *a, const char *obj,
			       const char *key)
{
	return mmt_jnum(mmt_jget(mmt_jget(a, obj), key));
}

/* One area of the oracle against the view's; the disagreements, logged. */
static int compare_area(const char *line, const struct oline *o,
			struct mmt_json *a)
{
	unsigned long long pages, mapped, ptes;
	const char *caller;
	bool unpurged;
	int bad = 0;

#define DIFFER(what, fmt, x, y) do {					\
	fprintf(stderr, "#   %s: %s: vmallocinfo " fmt ", view " fmt "\n",	\
		line, what, x, y);						\
	bad++;								\
} while (0)
	if (mmt_jhex(mmt_jget(a, "end")) != o->end)
		DIFFER("end", "%#llx", o->end, mmt_jhex(mmt_jget(a, "end")));
	if (mmt_jnum(mmt_jget(a, "size")) != o->size)
		DIFFER("size", "%llu", o->size, mmt_jnum(mmt_jget(a, "size")));
	if (o->unpurged)
		return bad;
	pages = mmt_jnum(mmt_jget(a, "pages"));
	if (pages != o->pages)
		DIFFER("pages", "%llu", o->pages, pages);
	if (mmt_jhex(mmt_jget(a, "phys")) != o->phys)
		DIFFER("phys", "%#llx", o->phys, mmt_jhex(mmt_jget(a, "phys")));
	caller = mmt_jstr(mmt_jget(a, "caller_sym")) ?: "";
	if (strcmp(caller, o->caller))
		DIFFER("caller", "'%s'", o->caller, caller);
	if (view_words(a, &unpurged) != o->words)
		DIFFER("flag words (bits of the test's list)", "%#x", o->words,
		       view_words(a, &unpurged));
	/*
	 * vmalloc() maps every page it allocated (pages=) and nothing else
	 * (the guard page stays unmapped): the present leaves, weighted by
	 * the 4 KiB pages each maps, are pages=.  One PTE table maps 512
	 * pages: at least ceil(4K leaves / 512) PTE tables hold them.  A
	 * VM_ALLOC area without pages= is the percpu allocator's
	 * (pcpu_get_vm_areas()), which maps its chunks' pages itself, as
	 * they are populated: not compared.
	 */
	if ((o->words & (1U << word_index("vmalloc"))) && o->pages) {
		mapped = jsub(a, "mapped", "4k") + 512 * jsub(a, "mapped", "2m") +
			 512ULL * 512 * jsub(a, "mapped", "1g");
		ptes = jsub(a, "tables", "pte");
		if (mapped != o->pages)
			DIFFER("pages mapped", "%llu", o->pages, mapped);
		if (ptes < (jsub(a, "mapped", "4k") + 511) / 512)
			DIFFER("PTE tables for the 4K leaves", "%llu",
			       (jsub(a, "mapped", "4k") + 511) / 512, ptes);
	}
#undef DIFFER
	return bad;
}

struct counts {
	int checked, stable_vmalloc;
};

/*
 * The view against /proc/vmallocinfo read before and after it; the number
 * of disagreements, each logged, or -1.  *@doc is the view.
 */
static int vmalloc_compare(struct mmt_json **docp, struct counts *c)
{
	char *before, *after, *line, *nl, *kptr, *copy;
	struct mmt_json *doc, *areas;
	int status, bad = 0;

	/*
	 * vmallocinfo prints %pK: hashed with kptr_restrict 0, real addresses
	 * to CAP_SYSLOG with 1.
	 */
	kptr = mmt_read_file("/proc/sys/kernel/kptr_restrict", NULL);
	if (!kptr || mmt_write_str("/proc/sys/kernel/kptr_restrict", "1"))
		return -1;
	before = mmt_read_file("/proc/vmallocinfo", NULL);
	doc = mmt_cli_doc(&status, "vmalloc", "--json", NULL);
	after = mmt_read_file("/proc/vmallocinfo", NULL);
	mmt_write_str("/proc/sys/kernel/kptr_restrict", kptr);
	free(kptr);
	*docp = doc;
	if (!before || !doc || !after)
		return -1;
	areas = mmt_jget(doc, "areas");
	memset(c, 0, sizeof(*c));
	for (line = before; *line; line = nl + 1) {
		struct oline o;
		struct mmt_json *a;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (!has_line(after, line))
			continue;
		copy = strdup(line);
		if (!copy || oline_parse(copy, &o)) {
			fprintf(stderr, "#   unparsed vmallocinfo line: %s\n",
				line);
			free(copy);
			bad++;
			continue;
		}
		free(copy);
		a = find_area(areas, &o);
		if (!a) {
			fprintf(stderr, "#   %s: not in the view\n", line);
			bad++;
			continue;
		}
		bad += compare_area(line, &o, a);
		c->checked++;
		if (!o.unpurged && (o.words & (1U << word_index("vmalloc"))))
			c->stable_vmalloc++;
	}
	free(before);
	free(after);
	return bad;
}

/*
 * Every area of /proc/vmallocinfo that is the same in the reads before and
 * after the view is in it, with the same fields (compare_area()).  An area
 * can be freed and another allocated at the same place, of the same size,
 * by the same caller between the reads and the view's hold on that list
 * (thread stacks are); that cannot happen three times in a row, a wrong
 * field can.
 */
TEST(areas_match_vmallocinfo)
{
	int attempt, bad = -1;
	struct mmt_json *doc = NULL;
	struct counts c = {};

	for (attempt = 1; attempt <= 3 && bad; attempt++) {
		bad = vmalloc_compare(&doc, &c);
		ASSERT_LE(0, bad);
		if (bad)
			TH_LOG("attempt %d: %d disagreements with /proc/vmallocinfo",
			       attempt, bad);
	}
	EXPECT_EQ(0, bad);
	/* A booted kernel has vmalloc()ed areas (stacks, modules, BPF). */
	EXPECT_LT(0, c.stable_vmalloc);
	TH_LOG("%d areas compared, %d of them vmalloc", c.checked,
	       c.stable_vmalloc);
}

/*
 * The summary adds up the areas sent, and counts at least the vmalloc
 * areas vmallocinfo showed unchanged across the view; each lock hold
 * copies at most its limit of areas, so there were at least
 * areas / limit of them.
 */
TEST(summary_counts)
{
	unsigned long long pages = 0, bytes = 0, kinds = 0, n;
	struct mmt_json *doc = NULL, *areas, *s;
	struct counts c = {};
	int i;

	ASSERT_LE(0, vmalloc_compare(&doc, &c));
	areas = mmt_jget(doc, "areas");
	s = mmt_jget(doc, "summary");
	ASSERT_NE(NULL, areas);
	ASSERT_NE(NULL, s);
	n = areas->n;
	for (i = 0; i < areas->n; i++) {
		pages += mmt_jnum(mmt_jget(areas->kids[i], "pages"));
		bytes += mmt_jnum(mmt_jget(areas->kids[i], "size"));
	}
	EXPECT_EQ(n, mmt_jnum(mmt_jget(s, "areas")));
	EXPECT_EQ(pages, mmt_jnum(mmt_jget(s, "pages")));
	EXPECT_EQ(bytes, mmt_jnum(mmt_jget(s, "bytes")));
	kinds = mmt_jnum(mmt_jget(s, "vmalloc")) + mmt_jnum(mmt_jget(s, "vmap")) +
		mmt_jnum(mmt_jget(s, "ioremap")) + mmt_jnum(mmt_jget(s, "other")) +
		mmt_jnum(mmt_jget(s, "vm_map_ram")) +
		mmt_jnum(mmt_jget(s, "unpurged"));
	EXPECT_EQ(n, kinds);
	EXPECT_LE(c.stable_vmalloc, mmt_jnum(mmt_jget(s, "vmalloc")));
	EXPECT_LE(jsub(doc, "holds", "max_areas"), jsub(doc, "holds", "limit"));
	EXPECT_LT(0, jsub(doc, "holds", "limit"));
	if (jsub(doc, "holds", "limit"))
		EXPECT_LE(n / jsub(doc, "holds", "limit"),
			  jsub(doc, "holds", "count"));
}

/*
 * A user the kernel refuses /proc/vmallocinfo (0400 root) is refused the
 * view: EPERM from the query, as for the kernel view.
 */
TEST(unprivileged_refused)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_VMALLOC,
	};
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* The kernel's own answer first. */
		if (open("/proc/vmallocinfo", O_RDONLY) >= 0)
			_exit(11);
		fd = open("/dev/mmscope", O_RDONLY);
		if (fd < 0)
			_exit(12);
		if (!ioctl(fd, MMSCOPE_IOC_QUERY, &q))
			_exit(13);
		_exit(errno == EPERM ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* The text table runs and prints its legend. */
TEST(text_output)
{
	const char *args[] = { "vmalloc", NULL };
	char *out;
	int status;

	out = mmt_cli_runv(args, &status, NULL);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out, "START"));
	EXPECT_NE(NULL, strstr(out, "Legend:"));
	free(out);
}

TEST_HARNESS_MAIN
