// SPDX-License-Identifier: GPL-2.0
/*
 * Lab directmap: all of RAM is mapped at page_offset_base.  The kernel's
 * direct map places physical address P at virtual page_offset_base + P,
 * for every byte of RAM: a kernel address in it minus page_offset_base is
 * its physical address.  The 64-bit answer to the 32-bit 896 MiB story:
 * there the kernel's 1 GiB of address space could map only the low
 * 896 MiB ("lowmem"); the rest ("highmem") was reached through temporary
 * kmap() windows.  x86-64 has no highmem.
 *
 * mmscope's side: `mmscope kernel` (page_offset_base), `mmscope translate
 * --kernel` of page_offset_base + P, `mmscope translate` of the program's
 * page.  The kernel's side: /proc/iomem (System RAM), /proc/kallsyms and
 * /proc/kcore (page_offset_base's value; the program's bytes read at
 * their direct-map address), /proc/PID/pagemap, /proc/meminfo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cli.h"
#include "lab.h"

#define PG		4096ULL
#define NRAM		16		/* System RAM ranges looked at */
#define LOWMEM		(896ULL << 20)	/* 32-bit x86's direct map, at most */

static const char message[16] = "direct-map lab!";

enum { STEP_MAP = 1 };

static uint64_t dm_step(int step, void *arg)
{
	char *p;

	if (step != STEP_MAP)
		return 0;
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 0;
	memcpy(p, message, sizeof(message));
	return (uintptr_t)p;
}

/* translate --kernel @va: the leaf's physical address and level. */
static int kxlate(uint64_t va, uint64_t *phys, uint32_t *level)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_KERNEL_TRANSLATE,
		.start = va,
	};
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	*phys = 0;
	*level = MMSCOPE_PT_NONE;
	err = dev_query(&q, &res);
	if (err)
		return err;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_leaf *l = (const void *)r;

		if (r->type == MMSCOPE_REC_PT_LEAF && r->len >= sizeof(*l) &&
		    l->leaf_level != MMSCOPE_PT_NONE) {
			*phys = l->phys;
			*level = l->leaf_level;
		}
	}
	dev_result_free(&res);
	return 0;
}

static long meminfo_kb(const char *key)
{
	char *text = lab_read_file("/proc/meminfo"), *p;
	char pat[64];
	long kb = -1;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	/* The first line has no newline before it. */
	if (text && !strncmp(text, pat + 1, strlen(pat) - 1))
		kb = strtol(text + strlen(pat) - 1, NULL, 10);
	else if ((p = text ? strstr(text, pat) : NULL))
		kb = strtol(p + strlen(pat), NULL, 10);
	free(text);
	return kb;
}

static const char *leaf_size(uint32_t level)
{
	return level == MMSCOPE_PT_PTE ? "4 KiB" : level == MMSCOPE_PT_PMD ?
	       "2 MiB" : level == MMSCOPE_PT_PUD ? "1 GiB" : "no";
}

static int dm_run(struct lab_run *lr)
{
	static int state;
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	struct lab_range ram[NRAM];
	struct mmscope_pt_leaf leaf;
	uint64_t po = 0, po_ks = 0, top = 0, va, pm, pfn, kva, phys;
	unsigned int levels = 0;
	int n, i, j, good = 0, tried = 0, err;
	uint32_t level;
	char bytes[sizeof(message)];

	err = kernel_fetch(&res);
	if (err)
		return err;
	for (r = NULL; (r = dev_next(&res, r));)
		if (r->type == MMSCOPE_REC_KERNEL_SUMMARY &&
		    r->len >= sizeof(struct mmscope_kernel_summary)) {
			po = ((const struct mmscope_kernel_summary *)r)->base_page_offset;
			levels = ((const struct mmscope_kernel_summary *)r)->levels;
		}
	dev_result_free(&res);
	n = lab_iomem_ram(ram, NRAM);
	if (n <= 0)
		return lab_skip(lr, "no System RAM in /proc/iomem");
	if (lab_kcore_read(lab_kallsyms("page_offset_base"), &po_ks,
			   sizeof(po_ks)))
		return lab_skip(lr, "page_offset_base not readable through /proc/kallsyms and /proc/kcore (kernel without CONFIG_PROC_KCORE, or lockdown)");

	lab_say(lr, "On 32-bit x86 the kernel had the top 1 GiB of every address space: it mapped the first 896 MiB of RAM there for good (lowmem) and reached the rest (highmem) only through temporary kmap() windows. On x86-64 the direct map is %s of address space from page_offset_base: all of RAM, always, physical address P at page_offset_base + P.",
		levels == 5 ? "32 PiB (5-level paging)" : "64 TiB (4-level paging)");
	lab_check(lr, po && po == po_ks,
		  "page_offset_base %#llx (mmscope kernel; the kernel's variable through /proc/kcore: %#llx), randomised at boot (KASLR)",
		  (unsigned long long)po, (unsigned long long)po_ks);
	for (i = 0; i < n; i++)
		top = ram[i].end > top ? ram[i].end : top;
	lab_check(lr, meminfo_kb("HighTotal") < 0,
		  "/proc/meminfo has no HighTotal: no highmem here (MemTotal %ld kB, RAM up to physical %#llx)",
		  meminfo_kb("MemTotal"), (unsigned long long)top);

	lab_say(lr, "Each System RAM range of /proc/iomem: its first, middle and last page, at page_offset_base + P, walked by mmscope translate --kernel:");
	for (i = 0; i < n; i++) {
		uint64_t s = (ram[i].start + PG - 1) & ~(PG - 1);
		uint64_t e = ram[i].end & ~(PG - 1);
		uint64_t pick[3] = { s, s + (e - s) / 2 / PG * PG, e - PG };

		if (e <= s)
			continue;
		for (j = 0; j < 3; j++) {
			if (j && pick[j] == pick[j - 1])
				continue;
			tried++;
			err = kxlate(po + pick[j], &phys, &level);
			good += !err && phys == pick[j];
			printf("    System RAM %#llx-%#llx: page_offset_base + %#llx -> phys %#llx (%s leaf)%s\n",
			       (unsigned long long)ram[i].start,
			       (unsigned long long)ram[i].end - 1,
			       (unsigned long long)pick[j],
			       (unsigned long long)phys, leaf_size(level),
			       pick[j] >= LOWMEM ? ", above 896 MiB" : "");
		}
	}
	lab_check(lr, tried && good == tried,
		  "%d of %d pages: the kernel address minus page_offset_base is the physical address (mmscope translate --kernel; /proc/iomem)",
		  good, tried);
	if (top > LOWMEM)
		lab_say(lr, "RAM reaches %#llx here, past 896 MiB: a 32-bit kernel could not have mapped the top %llu MiB of it for good.",
			(unsigned long long)top,
			(unsigned long long)((top - LOWMEM) >> 20));

	if (lab_subject_start(lr, dm_step, &state))
		return -errno;
	lab_say(lr, "The program writes \"%s\" into a page of its own.", message);
	va = lab_step(lr, STEP_MAP);
	if (!va)
		return -ENOMEM;
	pm = lab_pagemap(lr->pid, va);
	pfn = LAB_PM_PFN(pm);
	lab_xlate(lr->pid, va, &leaf, NULL);
	lab_check(lr, (pm & LAB_PM_PRESENT) && pfn && leaf.pfn == pfn,
		  "the program's %#llx is PFN %#llx (mmscope translate), pagemap PFN %#llx",
		  (unsigned long long)va, (unsigned long long)leaf.pfn,
		  (unsigned long long)pfn);
	kva = po + pfn * PG;
	lab_say(lr, "The kernel reaches the same frame at page_offset_base + PFN * 4096 = %#llx.",
		(unsigned long long)kva);
	err = kxlate(kva, &phys, &level);
	lab_check(lr, !err && pfn && phys == pfn * PG,
		  "translate --kernel %#llx reaches PFN %#llx (%s leaf), the program's",
		  (unsigned long long)kva, (unsigned long long)(phys / PG),
		  leaf_size(level));
	memset(bytes, 0, sizeof(bytes));
	err = lab_kcore_read(kva, bytes, sizeof(bytes));
	lab_check(lr, !err && !memcmp(bytes, message, sizeof(message)),
		  "/proc/kcore at %#llx reads \"%.15s\": the program's bytes, through the kernel's own mapping",
		  (unsigned long long)kva, err ? "?" : bytes);
	return 0;
}

const struct lab lab_directmap = {
	.name = "directmap",
	.title = "all of RAM is mapped at page_offset_base",
	.claim = "every physical address P of RAM is mapped at page_offset_base + P: a direct-map address minus page_offset_base is the physical address; no highmem on 64-bit",
	.run = dm_run,
};
