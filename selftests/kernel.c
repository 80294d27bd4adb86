// SPDX-License-Identifier: GPL-2.0
/*
 * What no VMA covers: a process's unmapped addresses, walked as the MMU
 * would walk them (translate), and the kernel half (kernel, translate
 * --kernel).
 *
 * The oracles are the kernel's: /proc/PID/pagemap and /proc/PID/maps for a
 * process; for the kernel half /proc/meminfo (DirectMap4k/2M/1G),
 * /proc/iomem (System RAM, Kernel code/data), /proc/kallsyms,
 * /proc/vmallocinfo, /proc/modules and /proc/cpuinfo (la57), and, where
 * the kernel has it (CONFIG_PTDUMP_DEBUGFS), its own page-table dump.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG	4096UL
#define PTDUMP	"/sys/kernel/debug/page_tables/kernel"
#define PMD_SZ	(2UL << 20)
#define GIB	(1UL << 30)

/* ---- a process's addresses that no VMA covers -------------------------- */

struct holes {
	unsigned long mapped;	/* a present 4 KiB page */
	unsigned long mapped2;	/* another one, two pages above */
	unsigned long pte_hole;	/* between them: no VMA, same PTE table */
	unsigned long pmd_hole;	/* no VMA, 4 MiB above: same PMD table */
	int err;
};

/*
 * In the parked child: two present 4 KiB pages with an unmapped page
 * between them (one PTE table holds all three), and an address 4 MiB above
 * that no VMA covers, in the same 1 GiB (one PMD table), never mapped.
 * Nothing else is mapped near them.
 */
static void setup_holes(void *data)
{
	struct holes *h = data;
	size_t len = 16 * PMD_SZ;
	char *r = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a, end;

	if (r == MAP_FAILED) {
		h->err = errno;
		return;
	}
	end = (unsigned long)r + len;
	a = ((unsigned long)r + PMD_SZ - 1) & ~(PMD_SZ - 1);
	/* [a, a + 6 MiB) inside one 1 GiB: one PMD table covers it. */
	if ((a / GIB) != ((a + 3 * PMD_SZ - 1) / GIB))
		a += 3 * PMD_SZ;
	/* 4 KiB pages, not a THP (no THP at all on PREEMPT_RT: EINVAL). */
	madvise((void *)a, PMD_SZ, MADV_NOHUGEPAGE);
	*(volatile char *)a = 1;
	*(volatile char *)(a + 2 * PG) = 1;
	if (munmap((void *)(a + PG), PG) ||
	    munmap((void *)(a + PMD_SZ), end - a - PMD_SZ) ||
	    (a > (unsigned long)r && munmap(r, a - (unsigned long)r))) {
		h->err = errno;
		return;
	}
	h->mapped = a;
	h->mapped2 = a + 2 * PG;
	h->pte_hole = a + PG;
	h->pmd_hole = a + 2 * PMD_SZ;
}

static struct mmt_json *translate_doc(pid_t pid, unsigned long va)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "%#lx", va);
	return mmt_cli_json(pid, "translate", addr);
}

static const char *stop_field(struct mmt_json *doc, const char *key)
{
	return mmt_jstr(mmt_jget(mmt_jget(doc, "stop"), key));
}

/*
 * translate of an address no VMA covers walks the tables as the MMU would,
 * down to the empty entry, and then says no VMA covers it.  pagemap says
 * the neighbours of the PTE hole are present: their PTE table exists, so
 * the walk must reach the PTE level and find the hole's PTE empty, through
 * the very tables (next_table) the neighbour's translation goes through.
 * The PMD hole shares only the PMD table (pagemap: nothing present within
 * its 2 MiB): the walk must end at an empty PMD entry.
 */
TEST(unmapped_address_walked)
{
	struct holes h = { 0 };
	struct mmt_json *doc, *near, *steps, *nsteps;
	struct mmt_maps maps;
	uint64_t e;
	pid_t pid;
	int i;

	pid = mmt_park(setup_holes, &h, sizeof(h));
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, h.err);
	/* The oracle: present neighbours, absent holes, no VMA at the holes. */
	ASSERT_EQ(0, mmt_pagemap(pid, h.mapped, &e));
	ASSERT_TRUE(MMT_PM_PRESENT(e));
	ASSERT_EQ(0, mmt_pagemap(pid, h.mapped2, &e));
	ASSERT_TRUE(MMT_PM_PRESENT(e));
	ASSERT_EQ(0, mmt_maps_load(pid, &maps, false));
	ASSERT_FALSE(mmt_maps_has(&maps, h.pte_hole));
	ASSERT_FALSE(mmt_maps_has(&maps, h.pmd_hole));
	for (i = 0; i < 512; i++) {
		unsigned long va = (h.pmd_hole & ~(PMD_SZ - 1)) + i * PG;

		ASSERT_EQ(0, mmt_pagemap(pid, va, &e));
		ASSERT_FALSE(MMT_PM_PRESENT(e));
	}
	mmt_maps_free(&maps);

	doc = translate_doc(pid, h.pte_hole);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("no_vma", stop_field(doc, "reason"));
	EXPECT_STREQ("pte", stop_field(doc, "level"));
	EXPECT_STREQ("none", stop_field(doc, "kind"));
	EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "leaf")->type);
	EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "pfn")->type);
	steps = mmt_jget(doc, "steps");
	ASSERT_NE(NULL, steps);
	ASSERT_LT(0, steps->n);
	EXPECT_STREQ("pte", mmt_jstr(mmt_jget(steps->kids[steps->n - 1], "level")));
	EXPECT_STREQ("none", mmt_jstr(mmt_jget(steps->kids[steps->n - 1], "kind")));
	/* The same upper tables as the present neighbour's walk. */
	near = translate_doc(pid, h.mapped);
	ASSERT_NE(NULL, near);
	EXPECT_STREQ("leaf", stop_field(near, "reason"));
	EXPECT_STREQ("pte", mmt_jstr(mmt_jget(near, "leaf")));
	nsteps = mmt_jget(near, "steps");
	ASSERT_NE(NULL, nsteps);
	EXPECT_EQ(nsteps->n, steps->n);
	for (i = 0; i + 1 < steps->n && i + 1 < nsteps->n; i++) {
		struct mmt_json *a = steps->kids[i], *b = nsteps->kids[i];

		EXPECT_STREQ(mmt_jstr(mmt_jget(b, "level")),
			     mmt_jstr(mmt_jget(a, "level")));
		EXPECT_STREQ("table", mmt_jstr(mmt_jget(a, "kind")));
		EXPECT_EQ(mmt_jhex(mmt_jget(b, "next_table")),
			  mmt_jhex(mmt_jget(a, "next_table")));
	}

	doc = translate_doc(pid, h.pmd_hole);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("no_vma", stop_field(doc, "reason"));
	EXPECT_STREQ("pmd", stop_field(doc, "level"));
	EXPECT_STREQ("none", stop_field(doc, "kind"));
	EXPECT_EQ(MMT_JNULL, mmt_jget(doc, "leaf")->type);
	mmt_reap(pid);
}

/* ---- the kernel half --------------------------------------------------- */

#define WX_KO	"/mmscope/test_modules/mmscope_test_wx.ko"

static struct mmt_json *kernel_doc(void)
{
	int status;

	return mmt_cli_doc(&status, "kernel", "--json", NULL);
}

static struct mmt_json *kxlate(unsigned long long va)
{
	char addr[32];
	int status;

	snprintf(addr, sizeof(addr), "%#llx", va);
	return mmt_cli_doc(&status, "translate", "--kernel", addr, "--json",
			   NULL);
}

/* The name of the region of the run covering @va, or NULL. */
static const char *region_at(struct mmt_json *doc, unsigned long long va)
{
	return mmt_jstr(mmt_jget(mmt_pt_run_at(doc, va), "region"));
}

/* A "Key:   N kB" line of /proc/meminfo, in kB (or -1). */
static long long meminfo_kb(const char *key)
{
	char *buf = mmt_read_file("/proc/meminfo", NULL), *p;
	size_t klen = strlen(key);
	long long v = -1;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			v = strtoll(p + klen + 1, NULL, 10);
			break;
		}
	free(buf);
	return v;
}

struct iomem_range {
	unsigned long long start, end;	/* inclusive, as /proc/iomem */
	char name[64];
};

/* The /proc/iomem ranges named @name (any depth); their number. */
static int iomem_find(const char *name, struct iomem_range *r, int max)
{
	char *buf = mmt_read_file("/proc/iomem", NULL), *line, *nl;
	int n = 0;

	for (line = buf; line && *line && n < max; line = nl + 1) {
		char *sep;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		sep = strstr(line, " : ");
		if (!sep || strcmp(sep + 3, name))
			continue;
		if (sscanf(line, " %llx-%llx", &r[n].start, &r[n].end) != 2)
			continue;
		snprintf(r[n].name, sizeof(r[n].name), "%s", name);
		n++;
	}
	free(buf);
	return n;
}

/* The address of @sym in /proc/kallsyms (a symbol of vmlinux), or 0. */
static unsigned long long kallsyms(const char *sym)
{
	char *buf = mmt_read_file("/proc/kallsyms", NULL), *line, *nl;
	unsigned long long addr = 0;
	size_t len = strlen(sym);

	for (line = buf; line && *line; line = nl + 1) {
		char *name;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		name = line + 19;	/* "ffffffff81000000 T " */
		if (nl - line > 19 && (size_t)(nl - name) == len &&
		    !strncmp(name, sym, len)) {
			addr = strtoull(line, NULL, 16);
			break;
		}
	}
	free(buf);
	return addr;
}

static bool cpu_has_la57(void)
{
	char *buf = mmt_read_file("/proc/cpuinfo", NULL);
	bool la57 = buf && strstr(buf, " la57");

	free(buf);
	return la57;
}

/* The kernel's page tables have 5 levels exactly when the CPU uses LA57. */
TEST(levels_follow_la57)
{
	struct mmt_json *doc = kernel_doc();

	ASSERT_NE(NULL, doc);
	EXPECT_EQ(cpu_has_la57() ? 5 : 4, mmt_jnum(mmt_jget(doc, "levels")));
}

/* PTE tables of the kernel image's regions ("kernel ..."). */
static long long image_pte_tables(struct mmt_json *doc)
{
	struct mmt_json *regions = mmt_jget(doc, "regions");
	long long n = 0;
	int i;

	for (i = 0; regions && i < regions->n; i++)
		if (!strncmp(mmt_jstr(mmt_jget(regions->kids[i], "name")) ?: "",
			     "kernel ", 7))
			n += mmt_jnum(mmt_jget(mmt_jget(regions->kids[i], "tables"), "pte"));
	return n;
}

/*
 * direct_map against /proc/meminfo's DirectMap4k/2M/1G (kB there).  The
 * kernel counts each direct-map leaf it makes or splits, present or not,
 * as the view does; but __split_large_page() also counts splits of the
 * kernel image's own mapping (virt_addr_valid() holds for image addresses
 * too): each such split moved one 2 MiB page to 512 4 KiB pages in
 * meminfo.  The image is mapped with 2 MiB pages at boot, so each PTE
 * table of the image is one such split: with T of them, DirectMap4k =
 * 4 KiB leaves + 512 T pages, DirectMap2M = 2 MiB leaves - T pages.
 * Exact, on a sample where meminfo read before and after the view agree
 * (a split meanwhile moves both).
 *
 * But DirectMap1G is not exact: at boot phys_pud_init() counts a 1 GiB
 * leaf again each time a later init_memory_mapping() call passes over it
 * ("if (!after_bootmem) pages++"), and the 6.12 debug kernel's 4 GiB guest
 * showed DirectMap1G 3145728 kB with one 1 GiB leaf in the direct map, as
 * the kernel's own ptdump showed it.  Where the kernel has ptdump, the
 * 1 GiB leaves are counted there; elsewhere meminfo is the oracle.
 */
static long long ptdump_direct_1g_kb(void)
{
	char *dump = mmt_read_file(PTDUMP, NULL), *line, *nl;
	long long kb = 0;
	bool in = false;

	if (!dump)
		return -1;
	for (line = dump; *line; line = nl + 1) {
		unsigned long long s, e;
		size_t len;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (!strncmp(line, "---[", 4)) {
			in = strstr(line, "Low Kernel Mapping");
			continue;
		}
		len = strlen(line);
		if (in && len > 4 && !strcmp(line + len - 4, " pud") &&
		    strstr(line, " 1G ") &&
		    (strstr(line, " RW ") || strstr(line, " ro ")) &&
		    sscanf(line, "0x%llx-0x%llx", &s, &e) == 2)
			kb += (e - s) >> 10;
	}
	free(dump);
	return kb;
}

TEST(direct_map_equals_meminfo)
{
	static const char *const keys[] = { "DirectMap4k", "DirectMap2M", "DirectMap1G" };
	static const char *const jk[] = { "4k", "2m", "1g" };
	static const long long kb[] = { 4, 2048, 1048576 };
	long long before[3], after[3];
	struct mmt_json *doc = NULL;
	int tries, i;

	for (tries = 0; tries < 5; tries++) {
		for (i = 0; i < 3; i++)
			before[i] = meminfo_kb(keys[i]);
		doc = kernel_doc();
		ASSERT_NE(NULL, doc);
		for (i = 0; i < 3; i++)
			after[i] = meminfo_kb(keys[i]);
		if (!memcmp(before, after, sizeof(before)))
			break;
	}
	ASSERT_LT(tries, 5);
	for (i = 0; i < 3; i++) {
		/* No DirectMap1G line without 1 GiB pages: then 0. */
		long long want = after[i] < 0 ? 0 : after[i];

		if (i == 2 && !access(PTDUMP, R_OK)) {
			ksft_print_msg("DirectMap1G %lld kB in meminfo; ptdump's 1G leaves are the oracle\n",
				       want);
			want = ptdump_direct_1g_kb();
		}
		long long got = mmt_jnum(mmt_jget(mmt_jget(doc, "direct_map"), jk[i])) * kb[i];
		long long t = image_pte_tables(doc);

		if (i == 0)
			got += 512 * t * kb[0];
		else if (i == 1)
			got -= t * kb[1];
		EXPECT_EQ(want, got)
			TH_LOG("%s %lld kB; image PTE tables %lld", keys[i], want, t);
	}
}

/*
 * All of RAM is mapped at page_offset_base: for pages sampled in every
 * System RAM range of /proc/iomem, translate --kernel of page_offset +
 * phys gives that physical address, through a run of the direct map.
 */
TEST(direct_map_maps_system_ram)
{
	struct iomem_range ram[64];
	struct mmt_json *doc = kernel_doc(), *x;
	unsigned long long base;
	int n, i, j;

	ASSERT_NE(NULL, doc);
	base = mmt_jhex(mmt_jget(mmt_jget(doc, "bases"), "page_offset"));
	ASSERT_NE(0, base);
	n = iomem_find("System RAM", ram, 64);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		unsigned long long first = (ram[i].start + PG - 1) & ~(PG - 1);
		unsigned long long last = ((ram[i].end + 1) & ~(PG - 1)) - PG;
		unsigned long long phys[3] = {
			first, first + ((last - first) / 2 & ~(PG - 1)), last,
		};

		if (last < first)
			continue;
		for (j = 0; j < 3; j++) {
			x = kxlate(base + phys[j] + 8);
			ASSERT_NE(NULL, x);
			EXPECT_STREQ("leaf", stop_field(x, "reason"));
			EXPECT_EQ(phys[j] >> 12, mmt_jnum(mmt_jget(x, "pfn")));
			EXPECT_EQ(phys[j] + 8, mmt_jhex(mmt_jget(x, "phys")));
			EXPECT_STREQ("direct map", region_at(doc, base + phys[j]))
				TH_LOG("phys %#llx", phys[j]);
		}
	}
}

/*
 * The kernel image's sections: the symbols that start them (/proc/kallsyms)
 * lie in runs named after them, and translate --kernel of each lands in
 * /proc/iomem's resource of that section.
 */
TEST(image_sections_named)
{
	static const struct {
		const char *sym, *region, *iomem;
	} s[] = {
		{ "_stext", "kernel text", "Kernel code" },
		{ "__start_rodata", "kernel rodata", "Kernel rodata" },
		{ "_sdata", "kernel data", "Kernel data" },
		{ "__bss_start", "kernel bss", "Kernel bss" },
	};
	struct mmt_json *doc = kernel_doc(), *x;
	struct iomem_range res;
	const char *region;
	unsigned int i;
	bool pti;

	ASSERT_NE(NULL, doc);
	pti = mmt_jget(doc, "pti") && mmt_jget(doc, "pti")->boolean;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		unsigned long long va = kallsyms(s[i].sym), phys;

		ASSERT_NE(0, va) TH_LOG("%s not in /proc/kallsyms", s[i].sym);
		ASSERT_EQ(1, iomem_find(s[i].iomem, &res, 1));
		region = region_at(doc, va);
		/* Without PTI data and bss are one range (docs/kernel.md). */
		if (!pti && region && !strcmp(region, "kernel data+bss") &&
		    (!strcmp(s[i].region, "kernel data") ||
		     !strcmp(s[i].region, "kernel bss")))
			region = s[i].region;
		EXPECT_STREQ(s[i].region, region) {
			TH_LOG("%s %#llx", s[i].sym, va);
			mmt_sh("dmesg | grep 'mmscope.*kernel' >&2; false");
		}
		x = kxlate(va);
		ASSERT_NE(NULL, x);
		phys = mmt_jhex(mmt_jget(x, "phys"));
		EXPECT_TRUE(phys >= res.start && phys <= res.end)
			TH_LOG("%s %#llx -> phys %#llx, %s %#llx-%#llx", s[i].sym,
			       va, phys, s[i].iomem, res.start, res.end);
	}
}

/* The start of a W+X range of @doc covering [@start, @end), or 0. */
static bool wx_covers(struct mmt_json *doc, unsigned long long start,
		      unsigned long long end)
{
	struct mmt_json *wx = mmt_jget(doc, "wx");
	int i;

	for (i = 0; wx && i < wx->n; i++)
		if (mmt_jhex(mmt_jget(wx->kids[i], "start")) <= start &&
		    mmt_jhex(mmt_jget(wx->kids[i], "end")) >= end)
			return true;
	return false;
}

/*
 * No W+X mapping on a Debian kernel (CONFIG_DEBUG_WX checked it at boot);
 * then the test module makes one (two vmalloc'd pages with NX cleared):
 * exactly those two pages are reported, in the vmalloc region.
 */
TEST(wx_found)
{
	struct mmt_json *doc = kernel_doc();
	unsigned long long addr;
	char *p;

	ASSERT_NE(NULL, doc);
	EXPECT_EQ(0, mmt_jget(doc, "wx")->n);
	ASSERT_EQ(0, mmt_sh("grep -q '^mmscope_test_wx ' /proc/modules || insmod " WX_KO));
	p = mmt_read_file("/sys/module/mmscope_test_wx/parameters/addr", NULL);
	ASSERT_NE(NULL, p);
	addr = strtoull(p, NULL, 10);
	free(p);
	doc = kernel_doc();
	mmt_sh("rmmod mmscope_test_wx");
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(wx_covers(doc, addr, addr + 2 * PG)) TH_LOG("W+X at %#llx not found", addr);
	EXPECT_FALSE(wx_covers(doc, addr - PG, addr));
	EXPECT_FALSE(wx_covers(doc, addr + 2 * PG, addr + 3 * PG));
	EXPECT_STREQ("vmalloc", region_at(doc, addr));
}

static bool present_at(struct mmt_json *doc, unsigned long long va)
{
	struct mmt_json *r = mmt_pt_run_at(doc, va);

	return r && !strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "present");
}

/*
 * One comparison of the view against /proc/vmallocinfo read before and
 * after it: every page of a sampled vmalloc area (pages=N: N pages from
 * its start, the guard page after them) is present, in the vmalloc or
 * modules region (or, on a KASAN kernel, the shadow region).  An area
 * whose line differs in the second read is not compared.  Returns the
 * number of pages and areas that disagree, each logged; *@checked counts
 * the areas compared.
 */
static int vmalloc_compare(int *checked)
{
	char *before, *after, *line, *nl, *kptr;
	int areas = 0, n = 0, bad = 0;
	struct mmt_json *doc;

	/*
	 * vmallocinfo prints %pK: hashed with kptr_restrict 0, real addresses
	 * to CAP_SYSLOG with 1.
	 */
	kptr = mmt_read_file("/proc/sys/kernel/kptr_restrict", NULL);
	if (!kptr || mmt_write_str("/proc/sys/kernel/kptr_restrict", "1"))
		return -1;
	before = mmt_read_file("/proc/vmallocinfo", NULL);
	doc = kernel_doc();
	after = mmt_read_file("/proc/vmallocinfo", NULL);
	mmt_write_str("/proc/sys/kernel/kptr_restrict", kptr);
	free(kptr);
	if (!before || !doc || !after)
		return -1;
	for (line = before; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		areas++;
	}
	*checked = 0;
	for (line = before; *line; line = nl + 1) {
		unsigned long long start, end, pages, i;
		const char *region;
		char *pg;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		pg = strstr(line, " pages=");
		if (!pg || !strstr(line, " vmalloc") ||
		    sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		/* About 40 areas spread over the list. */
		if (n++ % (areas / 40 + 1))
			continue;
		if (!strstr(after, line))
			continue;
		pages = strtoull(pg + 7, NULL, 10);
		for (i = 0; i < pages && start + i * PG < end; i++)
			if (!present_at(doc, start + i * PG)) {
				fprintf(stderr, "#   %s: page %llu not present\n",
					line, i);
				bad++;
			}
		region = region_at(doc, start);
		/*
		 * With KASAN, the shadow of module memory is vmalloc()ed at
		 * its place in the shadow (kasan_alloc_module_shadow()):
		 * areas in the KASAN shadow region, which only a KASAN
		 * kernel has.
		 */
		if (!region || (strcmp(region, "vmalloc") &&
				strcmp(region, "modules") &&
				strcmp(region, "kasan shadow"))) {
			fprintf(stderr, "#   %s in region %s\n", line,
				region ?: "-");
			bad++;
		}
		(*checked)++;
	}
	free(before);
	free(after);
	return bad;
}

/*
 * Every sampled vmalloc area of /proc/vmallocinfo is mapped in the view
 * (vmalloc_compare()).  An area can be freed during the walk and another
 * one allocated at the same place, of the same size, by the same caller
 * before the second read (thread stacks are: the allocator takes the
 * lowest hole, and a lazy purge frees many at once); that race cannot
 * happen three times in a row, a walk that misses pages can.
 */
TEST(vmalloc_areas_mapped)
{
	int attempt, bad = -1, checked = 0;

	for (attempt = 1; attempt <= 3 && bad; attempt++) {
		bad = vmalloc_compare(&checked);
		ASSERT_LE(0, bad);
		if (bad)
			TH_LOG("attempt %d: %d disagreements with /proc/vmallocinfo",
			       attempt, bad);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, checked);
}

/* Each module's base address (/proc/modules, root) lies in "modules". */
TEST(modules_in_modules_region)
{
	char *mods = mmt_read_file("/proc/modules", NULL), *line, *nl;
	struct mmt_json *doc = kernel_doc();
	int n = 0;

	ASSERT_NE(NULL, mods);
	ASSERT_NE(NULL, doc);
	for (line = mods; *line; line = nl + 1) {
		char *at;
		unsigned long long va;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		at = strstr(line, " 0x");
		if (!at)
			continue;
		va = strtoull(at + 1, NULL, 16);
		EXPECT_NE(0, va);
		EXPECT_TRUE(present_at(doc, va)) TH_LOG("%s", line);
		EXPECT_STREQ("modules", region_at(doc, va)) TH_LOG("%s", line);
		n++;
	}
	EXPECT_LT(0, n);	/* mmscope itself */
	free(mods);
}

/*
 * Regions cover the walked range in order; per level, the tables counted
 * per region add up to the distinct tables of the walk.  In the direct
 * map every PTE table maps at least one page (made by splitting a 2 MiB
 * leaf, or at boot for RAM that does not fill 2 MiB), so it has exactly
 * one PTE table per 2 MiB block with a 4 KiB run, and one PMD table per
 * 1 GiB block with a 4 KiB or 2 MiB run.  Each hold stays within the
 * bound: an entry is read only while the hold has read fewer than the
 * limit (so at most the limit), and after it at most one table (64) is
 * entered before the next entry's check ends the hold.
 */
TEST(tables_and_holds)
{
	struct mmt_json *doc = kernel_doc(), *regions, *runs, *holds, *dm = NULL;
	static const char *const lv[] = { "p4d", "pud", "pmd", "pte" };
	unsigned long long sum[4] = { 0 }, prev_end = 0, last2m = ~0ULL, last1g = ~0ULL;
	unsigned long long n2m = 0, n1g = 0;
	int i, j;

	ASSERT_NE(NULL, doc);
	regions = mmt_jget(doc, "regions");
	runs = mmt_jget(doc, "runs");
	ASSERT_NE(NULL, regions);
	ASSERT_NE(NULL, runs);
	for (i = 0; i < regions->n; i++) {
		struct mmt_json *g = regions->kids[i];

		if (i)
			EXPECT_EQ(prev_end, mmt_jhex(mmt_jget(g, "start")));
		prev_end = mmt_jhex(mmt_jget(g, "end"));
		for (j = 0; j < 4; j++)
			sum[j] += mmt_jnum(mmt_jget(mmt_jget(g, "tables"), lv[j]));
		if (!strcmp(mmt_jstr(mmt_jget(g, "name")) ?: "", "direct map"))
			dm = g;
	}
	for (j = 0; j < 4; j++)
		EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(doc, "tables"), lv[j])), sum[j])
			TH_LOG("tables of level %d", j + 1);
	ASSERT_NE(NULL, dm);
	for (i = 0; i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];
		const char *level = mmt_jstr(mmt_jget(r, "level")) ?: "";
		unsigned long long s = mmt_jhex(mmt_jget(r, "start"));
		unsigned long long e = mmt_jhex(mmt_jget(r, "end"));
		unsigned long long a;

		if (strcmp(mmt_jstr(mmt_jget(r, "region")) ?: "", "direct map"))
			continue;
		if (!strcmp(level, "pte")) {
			for (a = s & ~(PMD_SZ - 1); a < e; a += PMD_SZ)
				if (a != last2m) {
					n2m++;
					last2m = a;
				}
		}
		if (!strcmp(level, "pte") || !strcmp(level, "pmd")) {
			for (a = s & ~(GIB - 1); a < e; a += GIB)
				if (a != last1g) {
					n1g++;
					last1g = a;
				}
		}
	}
	EXPECT_EQ(n2m, mmt_jnum(mmt_jget(mmt_jget(dm, "tables"), "pte")));
	EXPECT_EQ(n1g, mmt_jnum(mmt_jget(mmt_jget(dm, "tables"), "pmd")));
	holds = mmt_jget(doc, "holds");
	EXPECT_LT(1, mmt_jnum(mmt_jget(holds, "count")));
	EXPECT_GE(mmt_jnum(mmt_jget(holds, "limit")) + 64,
		  mmt_jnum(mmt_jget(holds, "max_entries")));
}

/*
 * translate --kernel refuses what is not a kernel address, with a clear
 * error; and a kernel address maps where the kernel view says.
 */
TEST(kernel_translate_refusals)
{
	char *out, *err;
	int status;

	out = mmt_cli_run(&status, &err, "translate", "--kernel", "0x1000", NULL);
	EXPECT_EQ(1, status);
	EXPECT_NE(NULL, strstr(err, "kernel half")) TH_LOG("%s", err);
	free(out);
	free(err);
	out = mmt_cli_run(&status, &err, "translate", "--kernel", "1", "0x1000", NULL);
	EXPECT_EQ(2, status);
	free(out);
	free(err);
}

/* ---- the kernel's own dump (CONFIG_PTDUMP_DEBUGFS) --------------------- */


struct krun {
	unsigned long long start, end;
	char level[4];
	bool present, rw, nx, shared;
	const char *region;
};

static bool has_flag(struct mmt_json *flags, const char *name)
{
	int i;

	for (i = 0; flags && i < flags->n; i++)
		if (!strcmp(mmt_jstr(flags->kids[i]) ?: "", name))
			return true;
	return false;
}

/* The runs of @doc as an array in address order; their number. */
static int krun_load(struct mmt_json *doc, struct krun **out)
{
	struct mmt_json *runs = mmt_jget(doc, "runs");
	struct krun *k = calloc(runs ? runs->n + 1 : 1, sizeof(*k));
	int i;

	for (i = 0; runs && i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];

		k[i].start = mmt_jhex(mmt_jget(r, "start"));
		k[i].end = mmt_jhex(mmt_jget(r, "end"));
		snprintf(k[i].level, sizeof(k[i].level), "%s",
			 mmt_jstr(mmt_jget(r, "level")) ?: "");
		k[i].present = !strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "present");
		k[i].shared = !strcmp(mmt_jstr(mmt_jget(r, "kind")) ?: "", "table");
		k[i].rw = has_flag(mmt_jget(r, "flags"), "rw");
		k[i].nx = has_flag(mmt_jget(r, "flags"), "nx");
		k[i].region = mmt_jstr(mmt_jget(r, "region"));
	}
	*out = k;
	return runs ? runs->n : 0;
}

static const struct krun *krun_at(const struct krun *k, int n,
				  unsigned long long va)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (va < k[mid].start)
			hi = mid;
		else if (va >= k[mid].end)
			lo = mid + 1;
		else
			return &k[mid];
	}
	return NULL;
}

/*
 * Compare one reading of the kernel's dump with one of the view, line by
 * line (those starting in [@lo, @hi)): at the first and last page of each line's range, present in both
 * or in neither, and where present the same level and the leaf's RW and NX
 * (ptdump prints the leaf's own bits, as the view's flags are).  vmalloc
 * areas come and go between the two readings: that region is left out.
 * So is a table the view walked once for many entries (a "table" run: the
 * KASAN shadow's early zero tables), where ptdump prints every leaf below.
 * Returns the number of differences (the first few printed).
 */
static int ptdump_compare(char *dump, const struct krun *k, int n,
			  unsigned long long lo, unsigned long long hi)
{
	char *line, *nl;
	int bad = 0, lines = 0;

	for (line = dump; *line; line = nl + 1) {
		unsigned long long s, e, at[2];
		char level[8];
		bool present, rw, nx;
		int j;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (sscanf(line, "0x%llx-0x%llx", &s, &e) != 2 || s < lo ||
		    s >= hi || strlen(line) < 4)
			continue;
		snprintf(level, sizeof(level), "%s", line + strlen(line) - 3);
		present = strstr(line, " RW ") || strstr(line, " ro ");
		rw = strstr(line, " RW ");
		nx = strstr(line, " NX ");
		at[0] = s;
		at[1] = e - 4096;
		lines++;
		for (j = 0; j < 2; j++) {
			const struct krun *r = krun_at(k, n, at[j]);
			bool ours = r && r->present;

			if (r && ((r->region && !strcmp(r->region, "vmalloc")) ||
				  r->shared))
				continue;
			if (ours == present && (!present ||
			    (!strcmp(r->level, level) && r->rw == rw && r->nx == nx)))
				continue;
			if (bad++ < 5)
				ksft_print_msg("ptdump '%s' at %#llx; mmscope: %s %s%s%s\n",
					       line, at[j], r ? r->level : "-",
					       ours ? "present" : "none",
					       r && r->rw ? " rw" : "",
					       r && r->nx ? " nx" : "");
		}
	}
	if (!lines)
		bad++;
	return bad;
}

/*
 * Where the kernel has its own page-table dump (CONFIG_PTDUMP_DEBUGFS, the
 * check-debug kernel), the view agrees with it range by range.  Debian's
 * kernels lack it: a declared skip.  A difference found in one reading is
 * looked at again (a direct-map split between the two readings); three
 * readings in a row that differ fail.
 */
TEST(ptdump_agrees)
{
	int tries, bad = 1;

	if (access(PTDUMP, R_OK))
		SKIP(return, "no %s (kernel without CONFIG_PTDUMP_DEBUGFS)", PTDUMP);
	for (tries = 0; tries < 3 && bad; tries++) {
		struct mmt_json *doc = kernel_doc();
		char *dump = mmt_read_file(PTDUMP, NULL);
		struct krun *k;
		int n;

		ASSERT_NE(NULL, doc);
		ASSERT_NE(NULL, dump);
		n = krun_load(doc, &k);
		ASSERT_LT(0, n);
		bad = ptdump_compare(dump, k, n, k[0].start, ~0ULL);
		free(k);
		free(dump);
	}
	EXPECT_EQ(0, bad);
}

#define PTDUMP_CURRENT	"/sys/kernel/debug/page_tables/current_kernel"
#define CUR_PAGES	64

/*
 * A process's view against the kernel's dump of the reader's own tables
 * (current_kernel, the check-debug kernel's ptdump): a child builds a
 * region of known kinds (a quarter each: written, read-only after
 * writing, read-only and executable after writing, never touched), reads
 * the dump of its own mm, hands it over and waits; `mmscope pt` of the
 * region must agree with it line by line (ptdump_compare()).  Debian's
 * kernels have no ptdump: a declared skip.
 */
TEST(ptdump_current_agrees)
{
	size_t len = CUR_PAGES * PG, cap = 4 << 20, got = 0;
	int pfd[2], status, n, i;
	unsigned long long lo;
	char *dump, range[64];
	struct mmt_json *doc;
	struct krun *k;
	ssize_t r;
	pid_t pid;

	if (access(PTDUMP_CURRENT, R_OK))
		SKIP(return, "no %s (kernel without CONFIG_PTDUMP_DEBUGFS)",
		     PTDUMP_CURRENT);
	ASSERT_EQ(0, pipe(pfd));
	dump = calloc(1, cap + 1);
	ASSERT_NE(NULL, dump);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fd = open(PTDUMP_CURRENT, O_RDONLY);
		size_t off = 0;

		if (p == MAP_FAILED || fd < 0)
			_exit(1);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < 3 * CUR_PAGES / 4; i++)
			p[i * PG] = 1;
		mprotect(p + len / 4, len / 4, PROT_READ);
		mprotect(p + len / 2, len / 4, PROT_READ | PROT_EXEC);
		while (off < cap && (r = read(fd, dump + off, cap - off)) > 0)
			off += r;
		close(fd);
		lo = (unsigned long)p;
		if (write(pfd[1], &lo, sizeof(lo)) != sizeof(lo) ||
		    write(pfd[1], dump, off) != (ssize_t)off)
			_exit(1);
		close(pfd[1]);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(lo), read(pfd[0], &lo, sizeof(lo)));
	while (got < cap && (r = read(pfd[0], dump + got, cap - got)) > 0)
		got += r;
	close(pfd[0]);
	snprintf(range, sizeof(range), "%#llx-%#llx", lo, lo + len);
	{
		char spid[16];

		snprintf(spid, sizeof(spid), "%d", pid);
		doc = mmt_cli_doc(&status, "pt", "--json", "-r", range, spid,
				  NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_NE(NULL, doc);
	ASSERT_LT(0, (int)got) TH_LOG("the child read nothing from %s",
				       PTDUMP_CURRENT);
	n = krun_load(doc, &k);
	ASSERT_LT(0, n);
	EXPECT_EQ(0, ptdump_compare(dump, k, n, lo, lo + len));
	/* And the kinds are there: present RW, ro NX, ro X, none. */
	for (i = 0; i < 4; i++) {
		const struct krun *q = krun_at(k, n, lo + i * len / 4);

		EXPECT_TRUE(i == 3 ? !q || !q->present :
			    q && q->present && q->rw == (i == 0) &&
			    q->nx == (i != 2))
			TH_LOG("quarter %d of %s", i, range);
	}
	free(k);
	free(dump);
}

TEST_HARNESS_MAIN
