/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Labs: a textbook claim about Linux memory, shown live and checked.
 *
 * Layout: subject.c (the child and its pipes), narrate.c (what is said
 * and checked), capture.c (mmscope's views of the subject), oracle.c (the
 * kernel's /proc files), tracer.c (the fault tracer around the subject),
 * one file per lab; ../cmd_lab.c is the command.
 *
 * Each lab forks a *subject*: a child that performs numbered steps on
 * command (allocate, touch, fork, mprotect...), so that the lab can look
 * at it with mmscope between steps.  The lab narrates, shows only what
 * changed, and checks the claim against mmscope and the kernel's own
 * /proc files; it ends with PASS or FAIL.
 */
#ifndef MMSCOPE_LAB_H
#define MMSCOPE_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "cli.h"

/* Runs in the subject: perform @step, return a value (e.g. an address). */
typedef uint64_t (*lab_step_fn)(int step, void *state);

/* One check of a run, for the JSON record. */
struct lab_check_rec {
	bool ok;
	char *what;
};

struct lab_run {
	pid_t pid;			/* the subject */
	int cmd_fd, ack_fd;
	bool color;
	int checks, failed;
	bool rerun, retried;		/* fault events lost: run once more */
	char skip[256];			/* why the claim cannot be shown */
	struct lab_check_rec *recs;	/* every check, in order */
	int nrecs;
};

/* Free the checks recorded in @lr. */
void lab_run_free(struct lab_run *lr);

struct lab {
	const char *name;
	const char *title;
	const char *claim;
	int (*run)(struct lab_run *lr);
};

extern const struct lab lab_demand, lab_malloc, lab_cow, lab_filemap,
	lab_translate, lab_thp, lab_vma, lab_buddy, lab_slab, lab_ksm,
	lab_kernelpt, lab_directmap;

int lab_subject_start(struct lab_run *lr, lab_step_fn fn, void *state);
uint64_t lab_step(struct lab_run *lr, int step);
void lab_subject_stop(struct lab_run *lr);
/*
 * In a subject: fork a child of its own that runs @child(@arg, read end of
 * its command pipe, write end of its answer pipe).  Returns its pid, or 0
 * when it could not be started; *@cmd_w and *@ack_r are the subject's ends.
 */
pid_t lab_fork_child(void (*child)(void *arg, int cmd, int ack), void *arg,
		     int *cmd_w, int *ack_r);

void lab_say(struct lab_run *lr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool lab_check(struct lab_run *lr, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print the lines of @after that are not in @before (+) and vice versa (-). */
void lab_diff(struct lab_run *lr, const char *what, const char *before,
	      const char *after);

/* Print @text, indented. */
void lab_show(struct lab_run *lr, const char *what, const char *text);

/* Captures, as text (free() them). */
char *lab_capture_vma(pid_t pid);

/* Counting helpers on the subject. */
int lab_count_vmas(pid_t pid);
/* The VMA containing @addr from mmscope: start/end, 0 if none. */
int lab_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end);
/* The same from the kernel's /proc/PID/maps (the oracle). */
int lab_maps_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end);
int lab_maps_count(pid_t pid);

/* A lab whose claim this kernel cannot show: cmd_lab prints the reason. */
#define LAB_SKIP	1
int lab_skip(struct lab_run *lr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mmscope captures as text: page tables of a range, one translation, buddy. */
char *lab_capture_pt(pid_t pid, uint64_t start, uint64_t end);
char *lab_capture_translate(pid_t pid, uint64_t addr);
char *lab_capture_buddy(void);

/* Present leaves in [start, end) from mmscope pt: 4 KiB PTEs, 2 MiB PMDs. */
int lab_pt_present(pid_t pid, uint64_t start, uint64_t end, uint64_t *pte,
		   uint64_t *pmd);
/* mmscope translate of @addr: its leaf record (and the last step's flags). */
int lab_xlate(pid_t pid, uint64_t addr, struct mmscope_pt_leaf *leaf,
	      uint32_t *leaf_flags);

/*
 * mmscope's BPF fault tracer on the subject's faults in [start, end):
 * lab_faults_start() attaches it, lab_faults_stop() detaches and returns
 * the faults that completed (retries excluded), -errno if the tracer could
 * not run, -EOVERFLOW if events were lost, and the events whose leaf was a
 * PMD.
 */
struct lab_faults {
	struct faults_tracer *t;
	uint64_t pmd;		/* faults that mapped a PMD leaf */
	int err;
};
int lab_faults_start(struct lab_faults *lf, pid_t pid, uint64_t start,
		     uint64_t end);
long lab_faults_stop(struct lab_faults *lf);
/*
 * Check @n (from lab_faults_stop()) == @want.  A tracer failure is a failed
 * check as root; lost events rerun the lab once, then fail.
 */
void lab_check_faults(struct lab_run *lr, long n, long want, const char *what);

/* Oracles: the kernel's own files. */
#define LAB_PM_PRESENT	(1ULL << 63)
#define LAB_PM_FILE	(1ULL << 61)	/* file page or shared anon */
#define LAB_PM_EXCL	(1ULL << 56)	/* page exclusively mapped */
#define LAB_PM_PFN(e)	((e) & ((1ULL << 55) - 1))
uint64_t lab_pagemap(pid_t pid, uint64_t va);	/* the entry, 0 on error */
int lab_pagemap_present(pid_t pid, uint64_t start, uint64_t end);
/* /proc/kpagecount: how many page tables map @pfn. */
long lab_kpagecount(uint64_t pfn);
/* A field ("Rss", "AnonHugePages") of the smaps entry holding @addr, in kB. */
long lab_smaps_kb(pid_t pid, uint64_t addr, const char *field);
/* The same field for the whole process (smaps_rollup). */
long lab_smaps_rollup_kb(pid_t pid, const char *field);
/* minflt from /proc/PID/stat: the kernel's count of minor faults. */
long lab_minflt(pid_t pid);
/* A counter from /proc/vmstat, -1 if missing. */
long lab_vmstat(const char *name);
/* Whole file into a string (free() it), NULL on error. */
char *lab_read_file(const char *path);

/*
 * mmscope page PFN: the frame's mappers found through the reverse map
 * (mappers.c).  At most @max in @m; the number found
 * (which may exceed @max), -errno on error.  *@complete and *@why as the
 * page_end record says (enum mmscope_page_why).
 */
struct lab_mapper {
	pid_t pid;
	uint64_t addr;
	uint32_t level, flags;
	char comm[MMSCOPE_COMM_LEN + 1];
};
int lab_page_mappers(uint64_t pfn, struct lab_mapper *m, int max,
		     bool *complete, uint32_t *why);
/* Print the mappers as `mmscope page` lists them, indented. */
void lab_show_mappers(struct lab_run *lr, uint64_t pfn,
		      const struct lab_mapper *m, int n, bool complete,
		      uint32_t why);

/* kcore.c: the kernel's own files about kernel memory. */
uint64_t lab_kallsyms(const char *name);	/* 0: not found */
/* @len bytes of kernel memory at @vaddr, from /proc/kcore; -errno. */
int lab_kcore_read(uint64_t vaddr, void *buf, size_t len);
struct lab_range {
	uint64_t start, end;		/* [start, end) */
};
/* The top-level "System RAM" ranges of /proc/iomem: how many, or -errno. */
int lab_iomem_ram(struct lab_range *r, int max);

#endif
