// SPDX-License-Identifier: GPL-2.0
/*
 * Lab thp: a 2 MiB-aligned region with MADV_HUGEPAGE is mapped by one PMD
 * leaf after one page fault, where 4 KiB pages need 512 PTEs and 512
 * faults; MADV_NOHUGEPAGE and a partial munmap() split it back into PTEs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cli.h"
#include "lab.h"

#define PG		4096UL
#define HPAGE		(2UL << 20)
#define NPG		(HPAGE / PG)

enum { STEP_MAP = 1, STEP_WARM, STEP_TOUCH_SMALL, STEP_TOUCH_HUGE, STEP_SPLIT };

struct thp_state {
	char *huge, *small, *scratch;
};

static void touch(char *base, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		((volatile char *)base)[i * PG] = 1;
}

/* A 2 MiB-aligned 2 MiB range inside a fresh 4 MiB mapping. */
static char *map_aligned(void)
{
	char *p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return (char *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));
}

static uint64_t thp_step(int step, void *arg)
{
	struct thp_state *st = arg;

	switch (step) {
	case STEP_MAP:
		st->huge = map_aligned();
		st->small = map_aligned();
		st->scratch = map_aligned();
		if (!st->huge || !st->small || !st->scratch)
			return 0;
		madvise(st->huge, HPAGE, MADV_HUGEPAGE);
		madvise(st->small, HPAGE, MADV_NOHUGEPAGE);
		madvise(st->scratch, HPAGE, MADV_NOHUGEPAGE);
		return (uintptr_t)st->huge;
	case STEP_WARM:
		touch(st->scratch, 1);	/* this code and stack, faulted in */
		return (uintptr_t)st->small;
	case STEP_TOUCH_SMALL:
		touch(st->small, NPG);
		return 1;
	case STEP_TOUCH_HUGE:
		touch(st->huge, NPG);
		return 1;
	case STEP_SPLIT:
		madvise(st->huge, HPAGE, MADV_NOHUGEPAGE);
		return !munmap(st->huge + HPAGE / 2, HPAGE / 2);
	}
	return 0;
}

/* Why THP cannot be shown here, or NULL. */
static const char *thp_unavailable(void)
{
	static char why[160];
	char *s = lab_read_file("/sys/kernel/mm/transparent_hugepage/enabled");
	char *h = lab_read_file("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled");
	const char *ret = NULL;

	/*
	 * The lab asks for MADV_HUGEPAGE.  Since 6.8 the 2 MiB size has its
	 * own control (hugepages-2048kB/enabled): always or madvise allow it
	 * whatever the global mode, never forbids it, inherit defers to the
	 * global mode.  Before 6.8 only the global mode exists.
	 */
	if (!s) {
		ret = "no /sys/kernel/mm/transparent_hugepage (kernel without CONFIG_TRANSPARENT_HUGEPAGE)";
	} else if (h && strstr(h, "[never]")) {
		ret = "THP disabled for 2 MiB: hugepages-2048kB/enabled is [never]";
	} else if (strstr(s, "[never]") && (!h || strstr(h, "[inherit]"))) {
		snprintf(why, sizeof(why), "THP disabled: transparent_hugepage/enabled is %.*s%s",
			 (int)strcspn(s, "\n"), s,
			 h ? " and hugepages-2048kB/enabled inherits it" : "");
		ret = why;
	}
	free(s);
	free(h);
	return ret;
}

static int thp_run(struct lab_run *lr)
{
	static struct thp_state st;
	uint64_t huge, small, pte, pmd, hpfn;
	long f0, f1, alloc0, fb0, split0, ahp, nf;
	struct lab_faults lf;
	struct mmscope_pt_leaf leaf;
	char *before, *after, *mode;
	const char *why;
	int pm;

	why = thp_unavailable();
	if (why)
		return lab_skip(lr, "%s", why);
	if (lab_subject_start(lr, thp_step, &st))
		return -errno;
	huge = lab_step(lr, STEP_MAP);
	small = lab_step(lr, STEP_WARM);
	if (!huge || !small)
		return -ENOMEM;
	mode = lab_read_file("/sys/kernel/mm/transparent_hugepage/enabled");
	lab_say(lr, "THP mode (transparent_hugepage/enabled): %.*s. The program maps two 2 MiB-aligned regions: S at %#llx with MADV_NOHUGEPAGE, H at %#llx with MADV_HUGEPAGE.",
		mode ? (int)strcspn(mode, "\n") : 1, mode ? mode : "?",
		(unsigned long long)small, (unsigned long long)huge);
	free(mode);

	lab_say(lr, "It writes one byte into each of S's %lu pages.", NPG);
	before = lab_capture_pt(lr->pid, small, small + HPAGE);
	lab_faults_start(&lf, lr->pid, small, small + HPAGE);
	f0 = lab_minflt(lr->pid);
	lab_step(lr, STEP_TOUCH_SMALL);
	f1 = lab_minflt(lr->pid);
	nf = lab_faults_stop(&lf);
	after = lab_capture_pt(lr->pid, small, small + HPAGE);
	lab_diff(lr, "mmscope pt (S)", before, after);
	free(before);
	free(after);
	lab_pt_present(lr->pid, small, small + HPAGE, &pte, &pmd);
	lab_check(lr, pte == NPG && pmd == 0,
		  "S: %llu PTEs of 4 KiB, %llu PMD leaves (mmscope pt)",
		  (unsigned long long)pte, (unsigned long long)pmd);
	lab_check_faults(lr, nf, NPG, "S");
	lab_check(lr, f1 - f0 == (long)NPG,
		  "S: %ld page faults (minflt in /proc/PID/stat)", f1 - f0);

	lab_say(lr, "It writes one byte into each of H's %lu pages.", NPG);
	before = lab_capture_pt(lr->pid, huge, huge + HPAGE);
	alloc0 = lab_vmstat("thp_fault_alloc");
	fb0 = lab_vmstat("thp_fault_fallback");
	lab_faults_start(&lf, lr->pid, huge, huge + HPAGE);
	f0 = lab_minflt(lr->pid);
	lab_step(lr, STEP_TOUCH_HUGE);
	f1 = lab_minflt(lr->pid);
	nf = lab_faults_stop(&lf);
	after = lab_capture_pt(lr->pid, huge, huge + HPAGE);
	lab_diff(lr, "mmscope pt (H)", before, after);
	free(before);
	lab_pt_present(lr->pid, huge, huge + HPAGE, &pte, &pmd);
	if (pmd == 0 && lab_vmstat("thp_fault_fallback") > fb0) {
		free(after);
		return lab_skip(lr, "the kernel fell back to 4 KiB pages for H (thp_fault_fallback grew: no free 2 MiB block)");
	}
	lab_check(lr, pmd == 1 && pte == 0,
		  "H: one 2 MiB PMD leaf, %llu PTEs (mmscope pt)",
		  (unsigned long long)pte);
	lab_check_faults(lr, nf, 1, "H, for 512 pages");
	if (nf >= 0)
		lab_check(lr, lf.pmd == 1,
			  "the tracer saw that fault map a PMD leaf");
	lab_check(lr, f1 - f0 == 1, "H: %ld page fault for 512 pages (minflt)",
		  f1 - f0);
	lab_check(lr, lab_vmstat("thp_fault_alloc") > alloc0,
		  "/proc/vmstat thp_fault_alloc grew: a huge page was allocated");
	ahp = lab_smaps_kb(lr->pid, huge, "AnonHugePages");
	pm = lab_pagemap_present(lr->pid, huge, huge + HPAGE);
	lab_check(lr, ahp == 2048 && pm == (int)NPG,
		  "smaps: AnonHugePages %ld kB; pagemap: %d pages present", ahp, pm);
	lab_xlate(lr->pid, huge, &leaf, NULL);
	hpfn = leaf.pfn;
	lab_check(lr, leaf.leaf_level == MMSCOPE_PT_PMD &&
		  LAB_PM_PFN(lab_pagemap(lr->pid, huge + HPAGE - PG)) == hpfn + NPG - 1,
		  "translate: a pmd leaf at PFN %#llx; pagemap: H's last page is PFN %#llx + 511",
		  (unsigned long long)hpfn, (unsigned long long)hpfn);

	lab_say(lr, "MADV_NOHUGEPAGE on H (so khugepaged leaves it alone), then munmap of H's second half.");
	before = after;
	split0 = lab_vmstat("thp_split_pmd");
	lab_step(lr, STEP_SPLIT);
	after = lab_capture_pt(lr->pid, huge, huge + HPAGE);
	lab_diff(lr, "mmscope pt (H)", before, after);
	lab_pt_present(lr->pid, huge, huge + HPAGE, &pte, &pmd);
	lab_check(lr, pmd == 0 && pte == NPG / 2,
		  "H: the PMD leaf is gone, %llu PTEs map the half left (mmscope pt)",
		  (unsigned long long)pte);
	lab_check(lr, lab_vmstat("thp_split_pmd") > split0,
		  "/proc/vmstat thp_split_pmd grew: the kernel split the PMD");
	ahp = lab_smaps_kb(lr->pid, huge, "AnonHugePages");
	pm = lab_pagemap_present(lr->pid, huge, huge + HPAGE);
	lab_check(lr, ahp == 0 && pm == (int)NPG / 2,
		  "smaps: AnonHugePages %ld kB; pagemap: %d pages present", ahp, pm);
	lab_check(lr, LAB_PM_PFN(lab_pagemap(lr->pid, huge)) == hpfn &&
		  LAB_PM_PFN(lab_pagemap(lr->pid, huge + HPAGE / 2 - PG)) ==
		  hpfn + NPG / 2 - 1,
		  "the data did not move: the PTEs map the huge page's own PFNs %#llx..",
		  (unsigned long long)hpfn);
	free(before);
	free(after);
	return 0;
}

const struct lab lab_thp = {
	.name = "thp",
	.title = "transparent huge pages",
	.claim = "a 2 MiB-aligned MADV_HUGEPAGE region is one PMD leaf after one fault, not 512 PTEs and 512 faults; NOHUGEPAGE + partial munmap splits it",
	.run = thp_run,
};
