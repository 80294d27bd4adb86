// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table isolation: `mmscope kernel --user-pgd PID`, the user-mode copy
 * of a process's pgd, the tables the CPU runs the process's user code on.
 *
 * Oracles, none of them mmscope's: /proc/cpuinfo's "pti" flag (is PTI on);
 * /proc/kallsyms for the entry text (entry_SYSCALL_64, the symbols
 * bounding .entry.text) and kernel data (init_mm, _sdata); /proc/kcore for
 * page_offset_base and /proc/iomem for RAM, whose direct-map addresses the
 * user copy must not map; Documentation/arch/x86/x86_64/mm.rst for
 * cpu_entry_area's fixed place; /proc/PID/pagemap for the user half.
 * The kernel copy's view (`mmscope kernel`) is used only to show that what
 * the user copy leaves out is mapped there: the checks are not vacuous.
 *
 * Without PTI (/proc/cpuinfo) the view must refuse with a clear error
 * (user_pgd_follows_pti); every other case is a declared skip there
 * (selftests/SKIPS, "PTI off"): only the matrix's PTI combination (lib.sh
 * combo_pti) runs them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"
#include "lib/kcore.h"
#include "lib/jschema.h"

#define PG		4096UL
/* Documentation/arch/x86/x86_64/mm.rst: cpu_entry_area, one p4d entry (0.5 TiB). */
#define CEA_BASE	0xfffffe0000000000ULL
#define CEA_END		0xfffffe8000000000ULL
#define NPAGES		16

static bool pti_on(void)
{
	char *buf = mmt_read_file("/proc/cpuinfo", NULL), *p;
	bool on = false;

	/* The "flags" line's word "pti" (X86_FEATURE_PTI). */
	for (p = buf; p && (p = strstr(p, " pti")); p += 4)
		if (p[4] == ' ' || p[4] == '\n') {
			on = true;
			break;
		}
	free(buf);
	return on;
}

#define NEED_PTI() do {							\
	if (!pti_on())							\
		SKIP(return, "PTI off: /proc/cpuinfo has no \"pti\" flag"); \
} while (0)

struct child {
	unsigned long base;	/* NPAGES pages, every other one touched */
	int err;
};

/*
 * In the parked child: NPAGES anonymous 4 KiB pages, the even ones written
 * (present), the odd ones never touched (pagemap: not present).
 */
static void setup_child(void *data)
{
	struct child *c = data;
	char *p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED) {
		c->err = errno;
		return;
	}
	madvise(p, NPAGES * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < NPAGES; i += 2)
		p[i * PG] = 1;
	c->base = (unsigned long)p;
}

static struct mmt_json *user_pgd_doc(pid_t pid)
{
	char spid[16];
	int status;

	snprintf(spid, sizeof(spid), "%d", pid);
	return mmt_cli_doc(&status, "kernel", "--user-pgd", spid, "--json",
			   NULL);
}

static bool has_word(struct mmt_json *arr, const char *w)
{
	int i;

	for (i = 0; arr && i < arr->n; i++)
		if (!strcmp(mmt_jstr(arr->kids[i]) ?: "", w))
			return true;
	return false;
}

/* The run of @doc covering @va when it maps a present page, else NULL. */
static struct mmt_json *present_run(struct mmt_json *doc,
				    unsigned long long va)
{
	struct mmt_json *r = mmt_pt_run_at(doc, va);

	if (r && !strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "present"))
		return r;
	return NULL;
}

/* Present and executable through every level (effective has no nx). */
static bool executable(struct mmt_json *doc, unsigned long long va)
{
	struct mmt_json *r = present_run(doc, va);

	return r && !has_word(mmt_jget(r, "effective"), "nx");
}

/*
 * With PTI on the view answers, without it the CLI refuses with a clear
 * error (exit 1) and prints no document: /proc/cpuinfo decides which.
 */
TEST(user_pgd_follows_pti)
{
	char spid[16], *out, *err = NULL;
	const char *args[] = { "kernel", "--user-pgd", spid, "--json", NULL };
	int status;

	snprintf(spid, sizeof(spid), "%d", getpid());
	out = mmt_cli_runv(args, &status, &err);
	if (pti_on()) {
		EXPECT_EQ(0, status) TH_LOG("%s", err ?: "");
		EXPECT_NE(NULL, strstr(out ?: "", "\"pgd\":\"user\""));
	} else {
		EXPECT_EQ(1, status);
		EXPECT_NE(NULL, strstr(err ?: "", "page-table isolation is off"))
			TH_LOG("stderr: %s", err ?: "");
	}
	free(out);
	free(err);
}

/*
 * The entry text stays mapped in the user copy, executable: the CPU enters
 * the kernel on the user copy (pti_clone_entry_text()).  Every page of
 * [__entry_text_start, __entry_text_end) (/proc/kallsyms), and
 * entry_SYSCALL_64 itself.
 */
TEST(entry_text_mapped)
{
	unsigned long long s, e, sys, va;
	struct mmt_json *doc;
	int bad = 0;

	NEED_PTI();
	s = mmt_ksym("__entry_text_start");
	e = mmt_ksym("__entry_text_end");
	sys = mmt_ksym("entry_SYSCALL_64");
	ASSERT_NE(0, sys) TH_LOG("no entry_SYSCALL_64 in /proc/kallsyms");
	ASSERT_NE(0, s);
	ASSERT_LT(s, e);
	ASSERT_TRUE(sys >= s && sys < e);
	doc = user_pgd_doc(getpid());
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(mmt_jget(doc, "pti")->boolean);
	EXPECT_TRUE(executable(doc, sys)) TH_LOG("entry_SYSCALL_64 %#llx", sys);
	for (va = s & ~(PG - 1); va < e; va += PG)
		if (!executable(doc, va) && bad++ < 5)
			TH_LOG("entry text page %#llx not mapped executable", va);
	EXPECT_EQ(0, bad);
	EXPECT_STREQ("kernel text",
		     mmt_jstr(mmt_jget(mmt_pt_run_at(doc, sys), "region")));
}

/*
 * What Meltdown must not reach is not mapped in the user copy: kernel data
 * (init_mm, _sdata), the direct map at page_offset_base (/proc/kcore) +
 * the start of /proc/iomem's "Kernel code" and "Kernel data" (the
 * image's RAM seen through the direct map; the only direct-map pages the
 * user copy keeps are the per-CPU TSS pages, in the per-CPU areas, not
 * in the image).  Each one is mapped in the kernel copy (the kernel
 * view): the check sees the difference between the two.
 */
TEST(kernel_data_and_direct_map_unmapped)
{
	static const char *const syms[] = { "init_mm", "_sdata" };
	static const char *const res[] = { "Kernel code", "Kernel data" };
	unsigned long long va[4], pob = mmt_page_offset_base();
	struct mmt_json *udoc, *kdoc;
	char *iomem, *line;
	int status, i;

	NEED_PTI();
	ASSERT_NE(0, pob);
	for (i = 0; i < 2; i++) {
		va[i] = mmt_ksym(syms[i]);
		ASSERT_NE(0, va[i]) TH_LOG("%s not in /proc/kallsyms", syms[i]);
	}
	iomem = mmt_read_file("/proc/iomem", NULL);
	ASSERT_NE(NULL, iomem);
	for (i = 0; i < 2; i++) {
		unsigned long long start = 0;

		line = strstr(iomem, res[i]);
		ASSERT_NE(NULL, line);
		while (line > iomem && line[-1] != '\n')
			line--;
		ASSERT_EQ(1, sscanf(line, " %llx-", &start));
		ASSERT_NE(0, start) TH_LOG("no addresses in /proc/iomem (not root?)");
		va[2 + i] = pob + start;
	}
	free(iomem);
	udoc = user_pgd_doc(getpid());
	ASSERT_NE(NULL, udoc);
	kdoc = mmt_cli_doc(&status, "kernel", "--json", NULL);
	ASSERT_NE(NULL, kdoc);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(NULL, present_run(udoc, va[i]))
			TH_LOG("%#llx (%s) is mapped in the user copy", va[i],
			       i < 2 ? syms[i] : res[i - 2]);
		EXPECT_NE(NULL, present_run(kdoc, va[i]))
			TH_LOG("%#llx not mapped in the kernel copy", va[i]);
	}
}

/*
 * cpu_entry_area (its fixed place in mm.rst) is mapped in the user copy:
 * the GDT, TSS and entry stacks the CPU needs on the way in.
 */
TEST(cpu_entry_area_mapped)
{
	struct mmt_json *doc, *runs;
	unsigned long long pages = 0;
	int i;

	NEED_PTI();
	doc = user_pgd_doc(getpid());
	ASSERT_NE(NULL, doc);
	runs = mmt_jget(doc, "runs");
	for (i = 0; runs && i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];
		unsigned long long s = mmt_jhex(mmt_jget(r, "start"));
		unsigned long long e = mmt_jhex(mmt_jget(r, "end"));

		if (s >= CEA_BASE && e <= CEA_END &&
		    !strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "present"))
			pages += (e - s) / PG;
	}
	EXPECT_LT(0, pages);
}

/*
 * The user half of the user copy is the process's: for each of the
 * child's NPAGES pages, present in the user copy exactly when pagemap
 * says present, with pagemap's PFN; and every pgd slot of the user half
 * that either copy fills points to the same table in both.
 */
TEST(user_half_agrees_with_pagemap)
{
	struct child c = { 0 };
	struct mmt_json *doc, *slots, *r;
	int i, used = 0;
	uint64_t e;
	pid_t pid;

	NEED_PTI();
	pid = mmt_park(setup_child, &c, sizeof(c));
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, c.err);
	doc = user_pgd_doc(pid);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(pid, mmt_jnum(mmt_jget(doc, "pid")));
	for (i = 0; i < NPAGES; i++) {
		unsigned long va = c.base + i * PG;

		ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
		r = present_run(doc, va);
		EXPECT_EQ(!!MMT_PM_PRESENT(e), r != NULL) TH_LOG("page %d %#lx", i, va);
		if (r && MMT_PM_PRESENT(e)) {
			uint64_t off = (va - mmt_jhex(mmt_jget(r, "start"))) / PG;

			EXPECT_EQ(MMT_PM_PFN(e), mmt_jnum(mmt_jget(r, "pfn")) + off);
			EXPECT_STREQ("user", mmt_jstr(mmt_jget(r, "region")));
			EXPECT_TRUE(has_word(mmt_jget(r, "flags"), "user"));
		}
	}
	/* pagemap agrees: the even pages were written, the odd never. */
	ASSERT_EQ(0, mmt_pagemap(pid, c.base, &e));
	EXPECT_TRUE(MMT_PM_PRESENT(e));
	ASSERT_EQ(0, mmt_pagemap(pid, c.base + PG, &e));
	EXPECT_FALSE(MMT_PM_PRESENT(e));
	slots = mmt_jget(doc, "pgd_slots");
	ASSERT_NE(NULL, slots);
	for (i = 0; i < slots->n; i++) {
		struct mmt_json *s = slots->kids[i];

		if (mmt_jnum(mmt_jget(s, "index")) >= 256)
			continue;
		used++;
		EXPECT_TRUE(mmt_jget(s, "same_table")->boolean)
			TH_LOG("pgd slot %llu: user %#llx kernel %#llx",
			       mmt_jnum(mmt_jget(s, "index")),
			       mmt_jhex(mmt_jget(s, "user")),
			       mmt_jhex(mmt_jget(s, "kernel")));
	}
	/* The child's stack, binary and pages: at least one slot. */
	EXPECT_LT(0, used);
	mmt_reap(pid);
}

/*
 * The document validates against docs/schema/kernel.json (as the schema
 * test checks every other command's), beside the schemas in the guest.
 */
TEST(user_pgd_json_valid)
{
	char path[PATH_MAX], err[512] = "", spid[16], *text, *out, *serr = NULL;
	const char *args[] = { "kernel", "--user-pgd", spid, "--json", NULL };
	struct js *schema, *doc;
	ssize_t n;
	int status;

	NEED_PTI();
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	ASSERT_LT(0, n);
	path[n] = '\0';
	snprintf(path + strlen(dirname(path)), 32, "/jsonschema/kernel.json");
	text = mmt_read_file(path, NULL);
	ASSERT_NE(NULL, text) TH_LOG("%s", path);
	schema = js_parse(text, NULL, err, sizeof(err));
	ASSERT_NE(NULL, schema) TH_LOG("%s: %s", path, err);
	snprintf(spid, sizeof(spid), "%d", getpid());
	out = mmt_cli_runv(args, &status, &serr);
	ASSERT_EQ(0, status) TH_LOG("%s", serr ?: "");
	doc = js_parse(out, NULL, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("%s", err);
	EXPECT_EQ(0, js_check(doc, schema, err, sizeof(err))) TH_LOG("%s", err);
	free(text);
	free(out);
	free(serr);
}

TEST_HARNESS_MAIN
