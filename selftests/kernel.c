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
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG	4096UL
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

TEST_HARNESS_MAIN
