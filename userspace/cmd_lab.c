// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope lab [NAME]: list the labs, or run one (see lab.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

static const struct lab *const lab_table[] = {
	&lab_demand,
	&lab_malloc,
	&lab_cow,
	&lab_filemap,
	&lab_translate,
	&lab_thp,
	&lab_vma,
	&lab_buddy,
	&lab_slab,
};

#define NLABS (sizeof(lab_table) / sizeof(lab_table[0]))

/* ---- the subject --------------------------------------------------------- */

int lab_subject_start(struct lab_run *lr, lab_step_fn fn, void *state)
{
	int cmd[2], ack[2];
	pid_t pid;

	if (pipe(cmd) || pipe(ack))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int step;

		close(cmd[1]);
		close(ack[0]);
		while (read(cmd[0], &step, sizeof(step)) == sizeof(step) &&
		       step > 0) {
			uint64_t v = fn(step, state);

			if (write(ack[1], &v, sizeof(v)) != sizeof(v))
				break;
		}
		_exit(0);
	}
	close(cmd[0]);
	close(ack[1]);
	lr->pid = pid;
	lr->cmd_fd = cmd[1];
	lr->ack_fd = ack[0];
	return 0;
}

/*
 * MMSCOPE_LAB_HOOK=PROGRAM: run as "PROGRAM lab-hook STEP PID VALUE" after
 * each step, while the subject waits for the next one; the lab goes on
 * when it exits.  The selftests use it to check a lab's claims against
 * /proc themselves, apart from the lab's own checks.
 */
static void lab_hook(struct lab_run *lr, int step, uint64_t v)
{
	const char *hook = getenv("MMSCOPE_LAB_HOOK");
	char s[16], p[16], val[24];
	pid_t pid;

	if (!hook || !*hook)
		return;
	snprintf(s, sizeof(s), "%d", step);
	snprintf(p, sizeof(p), "%d", lr->pid);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(hook, hook, "lab-hook", s, p, val, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

uint64_t lab_step(struct lab_run *lr, int step)
{
	uint64_t v = 0;

	if (write(lr->cmd_fd, &step, sizeof(step)) != sizeof(step) ||
	    read(lr->ack_fd, &v, sizeof(v)) != sizeof(v))
		lab_check(lr, false, "the lab's program answered step %d", step);
	else
		lab_hook(lr, step, v);
	return v;
}

void lab_subject_stop(struct lab_run *lr)
{
	int stop = 0;

	if (lr->pid <= 0)
		return;
	if (write(lr->cmd_fd, &stop, sizeof(stop)) != sizeof(stop))
		kill(lr->pid, SIGKILL);
	close(lr->cmd_fd);
	close(lr->ack_fd);
	waitpid(lr->pid, NULL, 0);
	lr->pid = 0;
}

/* ---- narration ----------------------------------------------------------- */

#define C(lr, code) ((lr)->color ? "\033[" code "m" : "")

void lab_say(struct lab_run *lr, const char *fmt, ...)
{
	va_list ap;

	printf("\n%s==>%s ", C(lr, "1;34"), C(lr, "0"));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

bool lab_check(struct lab_run *lr, bool ok, const char *fmt, ...)
{
	va_list ap;

	lr->checks++;
	if (!ok)
		lr->failed++;
	printf("    %s[%s]%s ", ok ? C(lr, "32") : C(lr, "1;31"),
	       ok ? "ok" : "FAIL", C(lr, "0"));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

static bool has_line(const char *text, const char *line, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n == len && !memcmp(p, line, len))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

#define DIFF_MAX_LINES	16	/* per side: enough to see, short enough to read */

static int diff_side(struct lab_run *lr, const char *from, const char *other,
		     char sign, const char *color)
{
	const char *p = from;
	int n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!has_line(other, p, len)) {
			if (n < DIFF_MAX_LINES)
				printf("    %s%c %.*s%s\n", lr->color ? color : "",
				       sign, (int)len, p, C(lr, "0"));
			n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (n > DIFF_MAX_LINES)
		printf("    %c ... %d more lines\n", sign, n - DIFF_MAX_LINES);
	return n;
}

void lab_diff(struct lab_run *lr, const char *what, const char *before,
	      const char *after)
{
	int n;

	printf("    %s%s, what changed:%s\n", C(lr, "2"), what, C(lr, "0"));
	n = diff_side(lr, before, after, '-', "\033[31m");
	n += diff_side(lr, after, before, '+', "\033[32m");
	if (!n)
		printf("    (nothing)\n");
}

int lab_skip(struct lab_run *lr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lr->skip, sizeof(lr->skip), fmt, ap);
	va_end(ap);
	return LAB_SKIP;
}

void lab_show(struct lab_run *lr, const char *what, const char *text)
{
	const char *p = text;

	printf("    %s%s:%s\n", C(lr, "2"), what, C(lr, "0"));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		printf("    %.*s\n", (int)len, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* ---- captures and counts ------------------------------------------------- */

/* Print a fetched result into a string; "" when the fetch failed. */
static char *capture(int err, struct mmscope_result *res,
		     void (*print)(FILE *f, const struct mmscope_result *res))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (err)
		return strdup("");
	f = open_memstream(&text, &len);
	if (f) {
		print(f, res);
		fclose(f);
	}
	dev_result_free(res);
	return text ? text : strdup("");
}

static void print_vma_lines(FILE *f, const struct mmscope_result *res)
{
	vma_print_text(f, res, false);
}

char *lab_capture_vma(pid_t pid)
{
	struct mmscope_result res;

	return capture(vma_fetch(pid, &res), &res, print_vma_lines);
}

char *lab_capture_pt(pid_t pid, uint64_t start, uint64_t end)
{
	struct mmscope_result res;

	return capture(pt_fetch(pid, start, end, false, &res), &res,
		       pt_print_text);
}

char *lab_capture_translate(pid_t pid, uint64_t addr)
{
	struct mmscope_result res;

	return capture(translate_fetch(pid, addr, &res), &res,
		       translate_print_text);
}

char *lab_capture_buddy(void)
{
	struct mmscope_result res;

	return capture(buddy_fetch(false, &res), &res, buddy_print_text);
}

int lab_pt_present(pid_t pid, uint64_t start, uint64_t end, uint64_t *pte,
		   uint64_t *pmd)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	*pte = *pmd = 0;
	err = pt_fetch(pid, start, end, false, &res);
	if (err)
		return err;
	err = -ENODATA;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_summary *s = (const void *)r;

		if (r->type != MMSCOPE_REC_PT_SUMMARY)
			continue;
		*pte = s->present[MMSCOPE_PT_PTE];
		*pmd = s->present[MMSCOPE_PT_PMD];
		err = 0;
	}
	dev_result_free(&res);
	return err;
}

int lab_xlate(pid_t pid, uint64_t addr, struct mmscope_pt_leaf *leaf,
	      uint32_t *leaf_flags)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int err;

	memset(leaf, 0, sizeof(*leaf));
	leaf->leaf_level = MMSCOPE_PT_NONE;
	if (leaf_flags)
		*leaf_flags = 0;
	err = translate_fetch(pid, addr, &res);
	if (err)
		return err;
	err = -ENODATA;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_pt_step *st = (const void *)r;

		if (r->type == MMSCOPE_REC_PT_STEP && leaf_flags)
			*leaf_flags = st->flags;
		if (r->type == MMSCOPE_REC_PT_LEAF) {
			memcpy(leaf, r, sizeof(*leaf));
			err = 0;
		}
	}
	dev_result_free(&res);
	return err;
}

int lab_count_vmas(pid_t pid)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int n = 0;

	if (vma_fetch(pid, &res))
		return -1;
	for (r = NULL; (r = dev_next(&res, r));)
		n += r->type == MMSCOPE_REC_VMA;
	dev_result_free(&res);
	return n;
}

int lab_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	int found = 0;

	*start = *end = 0;
	if (vma_fetch(pid, &res))
		return 0;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_vma *v = (const void *)r;

		if (r->type == MMSCOPE_REC_VMA && v->start <= addr &&
		    addr < v->end) {
			*start = v->start;
			*end = v->end;
			found = 1;
		}
	}
	dev_result_free(&res);
	return found;
}

static int maps_scan(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	char path[64], line[512];
	unsigned long long s, e;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &s, &e) != 2 ||
		    strstr(line, "[vsyscall]"))
			continue;
		n++;
		if (start && s <= addr && addr < e) {
			*start = s;
			*end = e;
		}
	}
	fclose(f);
	return n;
}

int lab_maps_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	*start = *end = 0;
	maps_scan(pid, addr, start, end);
	return *end != 0;
}

int lab_maps_count(pid_t pid)
{
	return maps_scan(pid, 0, NULL, NULL);
}

static void lab_fault_event(void *ctx, const struct mmscope_fault *e)
{
	struct lab_faults *lf = ctx;

	if (!(e->result & MMSCOPE_FR_RETRY) && e->level == 2)
		lf->pmd++;
}

int lab_faults_start(struct lab_faults *lf, pid_t pid, uint64_t start,
		     uint64_t end)
{
	struct faults_opts o = { .pid = pid, .start = start, .end = end };

	memset(lf, 0, sizeof(*lf));
	lf->err = faults_trace_start(&o, lab_fault_event, lf, &lf->t);
	if (lf->err)
		lf->t = NULL;
	return lf->err;
}

/*
 * As root the tracer must work: its failure is a failed check.  Lost events
 * make the count a lower bound: the first time, the lab is run again
 * (cmd_lab() sees lr->rerun); the second time it is a failed check.
 * Without root the tracer cannot load: the lab says so, and the kernel's
 * own count still checks the claim.
 */
void lab_check_faults(struct lab_run *lr, long n, long want, const char *what)
{
	if (n >= 0)
		lab_check(lr, n == want,
			  "%s: %ld page fault%s (mmscope's BPF fault tracer)",
			  what, n, n == 1 ? "" : "s");
	else if (n == -EOVERFLOW && !lr->retried)
		lr->rerun = true;
	else if (n == -EOVERFLOW)
		lab_check(lr, false,
			  "%s: events lost twice, no count (mmscope's BPF fault tracer)",
			  what);
	else if (geteuid() == 0)
		lab_check(lr, false,
			  "%s: the tracer failed: %s (mmscope's BPF fault tracer)",
			  what, strerror((int)-n));
	else
		lab_say(lr, "(mmscope's BPF fault tracer cannot run here: %s. The kernel's own count below still checks the claim.)",
			strerror((int)-n));
}

long lab_faults_stop(struct lab_faults *lf)
{
	struct faults_summary *s;
	long n;

	if (!lf->t)
		return lf->err ? lf->err : -EINVAL;
	s = malloc(sizeof(*s));
	if (!s) {
		faults_trace_stop(lf->t, NULL);
		lf->t = NULL;
		return -ENOMEM;
	}
	faults_trace_stop(lf->t, s);
	lf->t = NULL;
	/* A lost or missed event would make the count a lower bound. */
	n = s->lost || s->missed ? -EOVERFLOW : (long)s->completed;
	free(s);
	return n;
}

uint64_t lab_pagemap(pid_t pid, uint64_t va)
{
	uint64_t e = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), va / 4096 * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

int lab_pagemap_present(pid_t pid, uint64_t start, uint64_t end)
{
	uint64_t e, va;
	char path[64];
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (va = start; va < end; va += 4096)
		if (pread(fd, &e, sizeof(e), va / 4096 * sizeof(e)) ==
		    sizeof(e) && (e & LAB_PM_PRESENT))
			n++;
	close(fd);
	return n;
}

long lab_kpagecount(uint64_t pfn)
{
	uint64_t n;
	long ret = -1;
	int fd;

	fd = open("/proc/kpagecount", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &n, sizeof(n), pfn * sizeof(n)) == sizeof(n))
		ret = (long)n;
	close(fd);
	return ret;
}

char *lab_read_file(const char *path)
{
	char *text = NULL, buf[4096];
	size_t len = 0, n;
	FILE *in, *out;

	in = fopen(path, "r");
	if (!in)
		return NULL;
	out = open_memstream(&text, &len);
	if (out) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(out);
	}
	fclose(in);
	return text;
}

long lab_smaps_kb(pid_t pid, uint64_t addr, const char *field)
{
	unsigned long long s, e;
	char path[64], line[512];
	size_t flen = strlen(field);
	bool in = false;
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2)	/* a VMA's header */
			in = s <= addr && addr < e;
		else if (in && !strncmp(line, field, flen) && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	}
	fclose(f);
	return kb;
}

long lab_smaps_rollup_kb(pid_t pid, const char *field)
{
	size_t flen = strlen(field);
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return kb;
}

long lab_minflt(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long minflt;
	long ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	text = lab_read_file(path);
	if (!text)
		return -1;
	/* After "(comm)": state ppid pgrp session tty tpgid flags minflt */
	p = strrchr(text, ')');
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lu", &minflt) == 1)
		ret = (long)minflt;
	free(text);
	return ret;
}

long lab_vmstat(const char *name)
{
	char line[256], key[128];
	long v, ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", key, &v) == 2 && !strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

/* ---- the subcommand ------------------------------------------------------ */

static void list_labs(void)
{
	size_t i;

	printf("%-10s %s\n", "LAB", "CLAIM");
	for (i = 0; i < NLABS; i++)
		printf("%-10s %s\n", lab_table[i]->name, lab_table[i]->claim);
	printf("\nRun one with: %s lab NAME\n", prog);
}

int cmd_lab(int argc, char **argv)
{
	struct lab_run lr = { 0 };
	const struct lab *lab = NULL;
	size_t i;
	int ret;

	if (argc == 1) {
		list_labs();
		return 0;
	}
	if (argc != 2)
		return usage_error("lab", "expected at most one lab name");
	for (i = 0; i < NLABS; i++)
		if (!strcmp(lab_table[i]->name, argv[1]))
			lab = lab_table[i];
	if (!lab)
		return usage_error("lab", "no lab named '%s' (run '%s lab' for the list)",
				   argv[1], prog);
	lr.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	printf("%sLab %s: %s%s\nClaim: %s\n", C(&lr, "1"), lab->name,
	       lab->title, C(&lr, "0"), lab->claim);
	ret = lab->run(&lr);
	lab_subject_stop(&lr);
	if (ret >= 0 && ret != LAB_SKIP && lr.rerun) {
		memset(&lr, 0, sizeof(lr));
		lr.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		lr.retried = true;
		printf("\n%s==>%s The fault tracer lost events: the whole lab runs again, once.\n",
		       C(&lr, "1;34"), C(&lr, "0"));
		ret = lab->run(&lr);
		lab_subject_stop(&lr);
	}
	if (ret < 0)
		return dev_error(ret, "lab", -1);
	if (ret == LAB_SKIP) {
		printf("\nSKIP %s: %s\n", lab->name, lr.skip);
		return 4;
	}
	printf("\n%s %s: %d of %d checks passed\n",
	       lr.failed ? "FAIL" : "PASS", lab->name, lr.checks - lr.failed,
	       lr.checks);
	return lr.failed ? 1 : 0;
}
