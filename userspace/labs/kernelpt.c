// SPDX-License-Identifier: GPL-2.0
/*
 * Lab kernelpt: every process shares the kernel's page tables.  Each
 * process has a pgd page of its own, but the kernel half of it (entries
 * 256-511) holds the same entries as the kernel's own top table,
 * init_top_pgt (swapper_pg_dir, init_mm's pgd): pgd_alloc() copies them
 * into each new pgd, so every entry points at the same lower tables,
 * shared by all.  The user half is the process's own: after fork() the
 * child's entries point at copies of the parent's tables.
 *
 * mmscope's side: `mmscope vma` (the pgd's physical address), `mmscope
 * translate --kernel` run *by each process* (the kernel view walks the
 * reader's own pgd), `mmscope kernel` (paging levels, PTI, the regions).
 * The kernel's side: /proc/kallsyms (init_top_pgt, page_offset_base),
 * /proc/kcore (init_top_pgt, and each pgd page read at page_offset_base +
 * its physical address), /proc/cpuinfo (the pti flag).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "cli.h"
#include "lab.h"

#define NREG		16	/* kernel regions sampled, at most */
#define NPROC		3	/* the CLI, the program, its child */
#define TABLE_MASK	0x000ffffffffff000ULL	/* an entry's table address */

/*
 * STEP_PGD_*: the physical address of a pgd, as `mmscope vma` gives it,
 * asked by the program (of init, of the CLI, its parent, and of itself)
 * or by its child (of itself): the value each step returns, so that the
 * selftests' hook sees it while the process lives.
 */
enum { STEP_FORK = 1, STEP_QUERY, STEP_CHILD_QUERY, STEP_REAP,
       STEP_PGD_INIT, STEP_PGD_CLI, STEP_PGD_SELF, STEP_PGD_CHILD };

/* Shared by the CLI, the program and its child (MAP_SHARED). */
struct kpt_shared {
	int nreg;
	uint64_t addr[NREG];		/* a kernel address per region */
	uint64_t entry[NPROC][NREG];	/* its pgd entry, as each process sees it */
	int err[NPROC];
};

struct kpt_state {
	struct kpt_shared *sh;
	pid_t child;
	int cmd, ack;
};

/* translate --kernel of every sampled address, from this process. */
static int query_all(struct kpt_shared *sh, int who)
{
	int i, err;

	for (i = 0; i < sh->nreg; i++) {
		const struct mmscope_rec_hdr *r;
		struct mmscope_result res;
		struct mmscope_query q = {
			.version = MMSCOPE_ABI_VERSION,
			.view = MMSCOPE_VIEW_KERNEL_TRANSLATE,
			.start = sh->addr[i],
		};

		err = dev_query(&q, &res);
		if (err)
			return err;
		sh->entry[who][i] = 0;
		for (r = NULL; (r = dev_next(&res, r));) {
			const struct mmscope_pt_step *st = (const void *)r;

			if (r->type == MMSCOPE_REC_PT_STEP &&
			    st->level == MMSCOPE_PT_PGD)
				sh->entry[who][i] = st->entry;
		}
		dev_result_free(&res);
	}
	return 0;
}

/* The pgd's physical address from mmscope vma (its mm record), 0 if none. */
static uint64_t pgd_phys(pid_t pid)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	uint64_t phys = 0;

	if (vma_fetch(pid, &res))
		return 0;
	for (r = NULL; (r = dev_next(&res, r));)
		if (r->type == MMSCOPE_REC_MM &&
		    r->len >= sizeof(struct mmscope_mm))
			phys = ((const struct mmscope_mm *)r)->pgd_phys;
	dev_result_free(&res);
	return phys;
}

static void kpt_child(void *arg, int cmd, int ack)
{
	struct kpt_state *st = arg;
	int step;

	while (read(cmd, &step, sizeof(step)) == sizeof(step) && step > 0) {
		uint64_t v = 1;

		if (step == STEP_PGD_CHILD)
			v = pgd_phys(getpid());
		else
			st->sh->err[2] = query_all(st->sh, 2);
		if (write(ack, &v, sizeof(v)) != sizeof(v))
			break;
	}
	_exit(0);
}

static uint64_t kpt_step(int step, void *arg)
{
	struct kpt_state *st = arg;
	uint64_t v = 0;

	switch (step) {
	case STEP_FORK:
		st->child = lab_fork_child(kpt_child, st, &st->cmd, &st->ack);
		return st->child;
	case STEP_QUERY:
		st->sh->err[1] = query_all(st->sh, 1);
		return 1;
	case STEP_PGD_INIT:
		return pgd_phys(1);
	case STEP_PGD_CLI:
		return pgd_phys(getppid());
	case STEP_PGD_SELF:
		return pgd_phys(getpid());
	case STEP_CHILD_QUERY:
	case STEP_PGD_CHILD:
		if (write(st->cmd, &step, sizeof(step)) != sizeof(step) ||
		    read(st->ack, &v, sizeof(v)) != sizeof(v))
			return 0;
		return v;
	case STEP_REAP:
		close(st->cmd);
		close(st->ack);
		waitpid(st->child, NULL, 0);
		return 1;
	}
	return 0;
}

static bool cpu_has_pti(void)
{
	char *text = lab_read_file("/proc/cpuinfo"), *p;
	bool pti = false;

	for (p = text; p && (p = strstr(p, " pti")) && !pti; p += 4)
		pti = p[4] == ' ' || p[4] == '\n';
	free(text);
	return pti;
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	text = lab_read_file(path);
	snprintf(buf, len, "%s", text ? text : "?");
	buf[strcspn(buf, "\n")] = '\0';
	free(text);
}

/* The pgd page at @phys, through /proc/kcore and the direct map. */
static int read_pgd(uint64_t page_offset, uint64_t phys, uint64_t *pgd)
{
	return lab_kcore_read(page_offset + phys, pgd, 4096);
}

static int kpt_run(struct lab_run *lr)
{
	static struct kpt_state st;
	static uint64_t init_pgd[512], pgd[4][512];
	const struct mmscope_kernel_summary *sum = NULL;
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	struct kpt_shared *sh;
	char rname[NREG][MMSCOPE_KREGION_NAME_LEN + 1];
	uint64_t init_va, po, po_ks = 0, phys[4];
	unsigned int shift, ldt, levels, idx[NREG];
	pid_t pids[4];
	const char *who[4] = { "init", "the lab's CLI", "the program",
			       "its child" };
	int i, j, k, err, nkern = 0, same, present, ok, nuser, diff;
	bool pti;

	init_va = lab_kallsyms("init_top_pgt");
	if (!init_va || lab_kcore_read(init_va, init_pgd, sizeof(init_pgd)))
		return lab_skip(lr, "no init_top_pgt in /proc/kallsyms, or /proc/kcore unreadable (kernel without CONFIG_PROC_KCORE, or lockdown)");
	err = kernel_fetch(&res);
	if (err)
		return err;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		dev_result_free(&res);
		return -ENOMEM;
	}
	memset(sh, 0, sizeof(*sh));
	for (r = NULL; (r = dev_next(&res, r));)
		if (r->type == MMSCOPE_REC_KERNEL_SUMMARY &&
		    r->len >= sizeof(*sum))
			sum = (const void *)r;
	if (!sum) {
		dev_result_free(&res);
		munmap(sh, sizeof(*sh));
		return -EIO;
	}
	levels = sum->levels;
	shift = levels == 5 ? 48 : 39;
	/* LDT_PGD_ENTRY (asm/pgtable_64_types.h): per process, used with PTI. */
	ldt = levels == 5 ? 512 - 112 : 512 - 240;
	po = sum->base_page_offset;
	pti = sum->pti;
	/* One address per top-level entry the kernel's regions start in. */
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_kernel_region *g = (const void *)r;
		unsigned int x;

		if (r->type != MMSCOPE_REC_KERNEL_REGION ||
		    r->len < sizeof(*g) || sh->nreg >= NREG)
			continue;
		x = (g->start >> shift) & 511;
		if (!(init_pgd[x] & 1) || !strcmp(g->name, "unused"))
			continue;
		for (k = 0; k < sh->nreg && idx[k] != x; k++)
			;
		if (k < sh->nreg)
			continue;
		idx[sh->nreg] = x;
		snprintf(rname[sh->nreg], sizeof(rname[0]), "%.*s",
			 (int)sizeof(g->name), g->name);
		sh->addr[sh->nreg++] = g->start;
	}
	dev_result_free(&res);		/* sum is gone with it */
	lab_kcore_read(lab_kallsyms("page_offset_base"), &po_ks, sizeof(po_ks));
	for (i = 256; i < 512; i++)
		nkern += init_pgd[i] & 1;

	lab_say(lr, "The kernel's own page tables belong to init_mm. Their top table, init_top_pgt (the kernel's swapper_pg_dir), is at %#llx (/proc/kallsyms); read through /proc/kcore, %d of its 256 kernel-half entries (256-511) are present. The kernel runs %u-level paging; each top-level entry covers %s.",
		(unsigned long long)init_va, nkern, levels,
		levels == 5 ? "256 TiB" : "512 GiB");
	lab_check(lr, po && po == po_ks,
		  "the direct map starts at page_offset_base %#llx (mmscope kernel; the kernel's variable, read through /proc/kcore: %#llx)",
		  (unsigned long long)po, (unsigned long long)po_ks);
	lab_check(lr, pti == cpu_has_pti(),
		  "page-table isolation (PTI) is %s (mmscope kernel; /proc/cpuinfo %s the pti flag)",
		  pti ? "on" : "off", cpu_has_pti() ? "has" : "lacks");
	if (pti)
		lab_say(lr, "With PTI each process's pgd is two pages: the kernel copy (mm->pgd, compared here), whose kernel half is init_mm's, and a user copy 4 KiB above it, loaded while user code runs, whose kernel half maps only what entering the kernel needs (the entry trampoline, cpu_entry_area). Its LDT slot (pgd[%u]) is the process's own.",
			ldt);
	else
		lab_say(lr, "PTI is off (the kernel was booted with mitigations=off or pti=off, as the test VM is, or the CPU is not affected by Meltdown): each process has one pgd page, the same for kernel and user mode.");

	st.sh = sh;
	if (lab_subject_start(lr, kpt_step, &st)) {
		munmap(sh, sizeof(*sh));
		return -errno;
	}
	lab_say(lr, "The program (pid %d) forks a child. Every process has a pgd page of its own (mmscope vma):",
		lr->pid);
	pids[0] = 1;
	pids[1] = getpid();
	pids[2] = lr->pid;
	pids[3] = (pid_t)lab_step(lr, STEP_FORK);
	if (pids[3] <= 0) {
		munmap(sh, sizeof(*sh));
		return -ECHILD;
	}
	ok = 1;
	for (i = 0; i < 4; i++) {
		char comm[32];

		phys[i] = lab_step(lr, STEP_PGD_INIT + i);
		comm_of(pids[i], comm, sizeof(comm));
		printf("    pid %d (%s, %s): pgd at phys %#llx\n", pids[i], comm,
		       who[i], (unsigned long long)phys[i]);
		ok &= phys[i] != 0;
		for (j = 0; j < i; j++)
			ok &= phys[j] != phys[i];
	}
	lab_check(lr, ok, "four processes, four different pgd pages");

	lab_say(lr, "Each process asks mmscope translate --kernel about the start of each kernel region. The kernel view walks the asking process's own pgd, so each sees its own top-level entry:");
	lab_step(lr, STEP_QUERY);
	lab_step(lr, STEP_CHILD_QUERY);
	sh->err[0] = query_all(sh, 0);
	printf("    %-16s %-18s %-8s %-18s %-18s %-18s %s\n", "REGION", "ADDRESS",
	       "SLOT", "INIT_MM (KCORE)", "MMSCOPE", "PROGRAM", "CHILD");
	same = 0;
	for (i = 0; i < sh->nreg; i++) {
		printf("    %-16.16s %#-18llx pgd[%3u] %#018llx %#018llx %#018llx %#018llx\n",
		       rname[i], (unsigned long long)sh->addr[i], idx[i],
		       (unsigned long long)init_pgd[idx[i]],
		       (unsigned long long)sh->entry[0][i],
		       (unsigned long long)sh->entry[1][i],
		       (unsigned long long)sh->entry[2][i]);
		same += sh->entry[0][i] == init_pgd[idx[i]] &&
			sh->entry[1][i] == init_pgd[idx[i]] &&
			sh->entry[2][i] == init_pgd[idx[i]];
	}
	lab_check(lr, !sh->err[0] && !sh->err[1] && !sh->err[2] && sh->nreg &&
		  same == sh->nreg,
		  "%d of %d regions: the three processes' entries equal init_top_pgt's (mmscope translate --kernel; /proc/kcore)",
		  same, sh->nreg);

	lab_say(lr, "Not only those: the whole kernel half of every pgd page, read through /proc/kcore at page_offset_base + its physical address, against init_top_pgt:");
	ok = 1;
	for (i = 0; i < 4; i++) {
		int eq = 0, other = 0;

		if (read_pgd(po, phys[i], pgd[i])) {
			ok = 0;
			continue;
		}
		for (k = 256; k < 512; k++) {
			eq += pgd[i][k] == init_pgd[k];
			other += pgd[i][k] != init_pgd[k] && k == (int)ldt && pti;
		}
		printf("    pid %d: %d of 256 kernel-half entries equal init_top_pgt's%s\n",
		       pids[i], eq, other ? " (the LDT slot is its own)" : "");
		ok &= eq + other == 256;
	}
	lab_check(lr, ok,
		  "every kernel-half entry of the four pgds is init_top_pgt's: one set of kernel tables below them, shared (/proc/kcore)");

	lab_say(lr, "The user half (entries 0-255) is each process's own. fork() copied the program's page tables for the child: the same slots are present, each pointing at a table of its own:");
	nuser = diff = 0;
	for (k = 0; k < 256; k++) {
		if (!(pgd[2][k] & 1))
			continue;
		nuser++;
		present = (pgd[3][k] & 1) &&
			  (pgd[3][k] & TABLE_MASK) != (pgd[2][k] & TABLE_MASK);
		diff += present;
		if (nuser <= 4)
			printf("    pgd[%3d]: the program's points at the table at phys %#llx, its child's at %#llx\n",
			       k, (unsigned long long)(pgd[2][k] & TABLE_MASK),
			       (unsigned long long)(pgd[3][k] & TABLE_MASK));
	}
	lab_check(lr, nuser && diff == nuser,
		  "%d of the program's %d present user-half entries point at other tables in its child (/proc/kcore)",
		  diff, nuser);
	lab_say(lr, "Why: pgd_alloc() copies the kernel half of init_top_pgt into every new pgd. The kernel preallocates the tables under the vmalloc area's top-level entries at boot, so a vmalloc() or a module load never adds one; memory hot-add may add a direct-map one, which sync_global_pgds() then copies into every pgd. Everything below is one set of tables: a change made in it by any process shows up in all of them at once.");
	lab_step(lr, STEP_REAP);
	munmap(sh, sizeof(*sh));
	return 0;
}

const struct lab lab_kernelpt = {
	.name = "kernelpt",
	.title = "every process shares the kernel's page tables",
	.claim = "the kernel half of every process's pgd holds init_mm's entries: one set of kernel page tables, shared; only the user half is each process's own",
	.run = kpt_run,
};
