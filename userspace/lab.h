/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Labs: a textbook claim about Linux memory, shown live and checked.
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

/* Runs in the subject: perform @step, return a value (e.g. an address). */
typedef uint64_t (*lab_step_fn)(int step, void *state);

struct lab_run {
	pid_t pid;			/* the subject */
	int cmd_fd, ack_fd;
	bool color;
	int checks, failed;
};

struct lab {
	const char *name;
	const char *title;
	const char *claim;
	int (*run)(struct lab_run *lr);
};

extern const struct lab lab_demand, lab_malloc, lab_cow, lab_filemap,
	lab_translate, lab_thp, lab_vma, lab_buddy, lab_slab;

int lab_subject_start(struct lab_run *lr, lab_step_fn fn, void *state);
uint64_t lab_step(struct lab_run *lr, int step);
void lab_subject_stop(struct lab_run *lr);

void lab_say(struct lab_run *lr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool lab_check(struct lab_run *lr, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print the lines of @after that are not in @before (+) and vice versa (-). */
void lab_diff(struct lab_run *lr, const char *what, const char *before,
	      const char *after);

/* Captures, as text (free() them). */
char *lab_capture_vma(pid_t pid);

/* Counting helpers on the subject. */
int lab_count_vmas(pid_t pid);
/* The VMA containing @addr from mmscope: start/end, 0 if none. */
int lab_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end);
/* The same from the kernel's /proc/PID/maps (the oracle). */
int lab_maps_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end);
int lab_maps_count(pid_t pid);

#endif
