// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope lab [NAME]: list the labs, or run one (see lab.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

static const struct lab *const lab_table[] = {
	&lab_malloc,
	&lab_vma,
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

uint64_t lab_step(struct lab_run *lr, int step)
{
	uint64_t v = 0;

	if (write(lr->cmd_fd, &step, sizeof(step)) != sizeof(step) ||
	    read(lr->ack_fd, &v, sizeof(v)) != sizeof(v))
		lab_check(lr, false, "the lab's program answered step %d", step);
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

static int diff_side(struct lab_run *lr, const char *from, const char *other,
		     char sign, const char *color)
{
	const char *p = from;
	int n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!has_line(other, p, len)) {
			printf("    %s%c %.*s%s\n", lr->color ? color : "",
			       sign, (int)len, p, C(lr, "0"));
			n++;
		}
		p = nl ? nl + 1 : NULL;
	}
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

/* ---- captures and counts ------------------------------------------------- */

char *lab_capture_vma(pid_t pid)
{
	struct mmscope_result res;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (vma_fetch(pid, &res))
		return strdup("");
	f = open_memstream(&text, &len);
	if (f) {
		vma_print_text(f, &res, false);
		fclose(f);
	}
	dev_result_free(&res);
	return text ? text : strdup("");
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
	if (ret < 0)
		return dev_error(ret, "lab", -1);
	printf("\n%s %s: %d of %d checks passed\n",
	       lr.failed ? "FAIL" : "PASS", lab->name, lr.checks - lr.failed,
	       lr.checks);
	return lr.failed ? 1 : 0;
}
