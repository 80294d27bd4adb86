/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pieces every mmscope selftest shares, one implementation each:
 *
 *  - the CLI runner: mmt_cli_run() runs `mmscope ARGS...` and captures its
 *    output, mmt_cli_doc() parses its --json document;
 *  - the maps parser: mmt_maps_next() reads one /proc/PID/maps line into a
 *    struct mmt_vma, mmt_maps_load() the VMAs of a process;
 *  - the child parker: mmt_park() forks a child that sets something up,
 *    hands its result back and sleeps until mmt_reap() (it dies with the
 *    test should an ASSERT end the test first).
 *
 * Header-only, as lib/mmtest.h (which includes it), so that each test stays
 * one program.
 */
#ifndef MMSCOPE_SELFTEST_COMMON_H
#define MMSCOPE_SELFTEST_COMMON_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the CLI runner ---------------------------------------------------- */

#define MMT_CLI_MAX_ARGS	30

/*
 * Run the CLI with the arguments after @status and @err (NULL-terminated;
 * a NULL among them ends the list early, so optional arguments may be
 * passed as NULL last).  Returns its stdout, sets *status to its exit code
 * (128 + signal), its stderr into *errp when @errp is set.
 */
static MMT_UNUSED char *mmt_cli_run(int *status, char **errp, ...)
{
	char *argv[MMT_CLI_MAX_ARGS + 2] = { (char *)mmt_cli() };
	const char *a;
	va_list ap;
	int i = 1;

	va_start(ap, errp);
	while (i <= MMT_CLI_MAX_ARGS && (a = va_arg(ap, const char *)))
		argv[i++] = (char *)a;
	va_end(ap);
	argv[i] = NULL;
	return mmt_run(argv, status, errp);
}

/*
 * The same from an argument vector (after the CLI's own name), for callers
 * that build their arguments.
 */
static MMT_UNUSED char *mmt_cli_runv(const char *const *args, int *status,
				     char **errp)
{
	char *argv[MMT_CLI_MAX_ARGS + 2] = { (char *)mmt_cli() };
	int i = 1;

	for (; args && *args && i <= MMT_CLI_MAX_ARGS; args++)
		argv[i++] = (char *)*args;
	argv[i] = NULL;
	return mmt_run(argv, status, errp);
}

/*
 * The CLI's --json document for the arguments after @status (NULL-
 * terminated; "--json" is the caller's to pass).  NULL when the CLI failed
 * (the reason printed) or its output does not parse; *status is set.
 */
static MMT_UNUSED struct mmt_json *mmt_cli_doc(int *status, ...)
{
	const char *args[MMT_CLI_MAX_ARGS + 1], *a;
	struct mmt_json *doc = NULL;
	char *out, *err = NULL;
	va_list ap;
	int i = 0;

	va_start(ap, status);
	while (i < MMT_CLI_MAX_ARGS && (a = va_arg(ap, const char *)))
		args[i++] = a;
	va_end(ap);
	args[i] = NULL;
	out = mmt_cli_runv(args, status, &err);
	if (out && !*status)
		doc = mmt_json_parse(out);
	if (!doc)
		ksft_print_msg("mmscope %s%s%s: exit %d: %s%s", args[0] ?: "",
			       i > 1 ? " " : "", i > 1 ? args[1] : "", *status,
			       err ?: "", err && *err ? "" : "\n");
	free(out);
	free(err);
	return doc;
}

/* ---- the maps parser --------------------------------------------------- */

/* One /proc/PID/maps line. */
struct mmt_vma {
	unsigned long long start, end, offset, inode;
	unsigned int dev_major, dev_minor;
	char perms[8];
	const char *name;	/* into the text, not NUL-terminated */
	int name_len;		/* 0: anonymous, no name */
};

/*
 * Parse the maps line at *@pos into @v and move *@pos to the next line.
 * Returns 1 for a line, 0 at the end of @text (lines that do not parse
 * are passed over).
 */
static MMT_UNUSED int mmt_maps_next(const char **pos, struct mmt_vma *v)
{
	while (*pos && **pos) {
		const char *line = *pos, *nl = strchr(line, '\n'), *p;
		int n = 0;

		*pos = nl ? nl + 1 : NULL;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &v->start,
			   &v->end, v->perms, &v->offset, &v->dev_major,
			   &v->dev_minor, &v->inode, &n) < 7 || !n)
			continue;
		for (p = line + n; *p == ' '; p++)
			;
		v->name = p;
		v->name_len = (nl ? nl : p + strlen(p)) - p;
		return 1;
	}
	return 0;
}

/* Does @v's name equal @name? */
static MMT_UNUSED bool mmt_vma_named(const struct mmt_vma *v, const char *name)
{
	return (int)strlen(name) == v->name_len &&
	       !strncmp(v->name, name, v->name_len);
}

/* The VMAs of a process, in address order. */
struct mmt_maps {
	int n;
	struct mmt_vma *v;
	char *text;		/* the names point into it */
};

/*
 * /proc/@pid/maps, parsed, without the entries of special mappings that
 * are no VMA of the mm or that pagemap does not show when @skip_special
 * ([vsyscall], the gate area; [vvar], [vvar_vclock]: VM_PFNMAP).
 * 0, or -errno; free with mmt_maps_free().
 */
static MMT_UNUSED int mmt_maps_load(pid_t pid, struct mmt_maps *m,
				    bool skip_special)
{
	char path[64];
	const char *pos;
	struct mmt_vma v;
	int cap = 0;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	m->text = mmt_read_file(path, NULL);
	if (!m->text)
		return -errno;
	for (pos = m->text; mmt_maps_next(&pos, &v);) {
		if (skip_special && (mmt_vma_named(&v, "[vsyscall]") ||
				     !strncmp(v.name, "[vvar", 5)))
			continue;
		if (m->n == cap) {
			struct mmt_vma *nv;

			cap = cap ? cap * 2 : 256;
			nv = realloc(m->v, cap * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			m->v = nv;
		}
		m->v[m->n++] = v;
	}
	return 0;
}

static MMT_UNUSED void mmt_maps_free(struct mmt_maps *m)
{
	free(m->v);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

/* Is @va inside a VMA of @m?  (Binary search: maps is in address order.) */
static MMT_UNUSED bool mmt_maps_has(const struct mmt_maps *m,
				    unsigned long long va)
{
	int lo = 0, hi = m->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (va < m->v[mid].start)
			hi = mid;
		else if (va >= m->v[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* ---- the child parker -------------------------------------------------- */

/*
 * A child that runs @setup(@data), sends the @size bytes of @data back (a
 * single byte when @size is 0) and sleeps until reaped; it dies with the
 * test process should an ASSERT end the test first (PR_SET_PDEATHSIG).
 * Returns the child's pid with @data filled in, or -1 (the child is gone
 * then: its setup failed or exited).
 */
static MMT_UNUSED pid_t mmt_park(void (*setup)(void *data), void *data,
				 size_t size)
{
	char ready = 'r';
	int fd[2];
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fd[0]);
		setup(data);
		if (size ? write(fd[1], data, size) != (ssize_t)size :
			   write(fd[1], &ready, 1) != 1)
			_exit(98);
		for (;;)
			pause();
	}
	close(fd[1]);
	if (pid > 0 && (size ? read(fd[0], data, size) != (ssize_t)size :
			       read(fd[0], &ready, 1) != 1)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(fd[0]);
	return pid;
}

/* Kill and wait for a parked child. */
static MMT_UNUSED void mmt_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#endif /* MMSCOPE_SELFTEST_COMMON_H */
