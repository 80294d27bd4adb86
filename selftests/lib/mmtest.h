/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mmscope selftests: run a program and capture its
 * output, a small JSON reader for the CLI's --json output, and readers for
 * the kernel's own oracles (/proc/PID/status, pagemap); lib/common.h adds
 * the CLI runner, the maps parser and the child parker.
 *
 * Header-only so that each test stays one program (one TEST_GEN_PROGS line).
 */
#ifndef MMSCOPE_MMTEST_H
#define MMSCOPE_MMTEST_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mmscope.h"

#define MMT_UNUSED __attribute__((unused))

/*
 * A debug kernel (KASAN, lockdep) under TCG runs many times slower than the
 * Debian ones: each test case gets 300 s rather than the harness's 30 s.
 * A hung test is still caught by the runner's per-program timeout.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

#ifdef TEST_HARNESS_MAIN
/*
 * And the debug kernel is slower still: run_tests.sh sets
 * MMSCOPE_TIMEOUT_SCALE there (labs took 908 s on it against 153 s on
 * Debian's 6.12, six times), and every test case's timeout, those of
 * TEST_F_TIMEOUT included, is multiplied by it before the harness runs.
 */
static MMT_UNUSED void mmt_scale_timeouts(void)
{
	const char *e = getenv("MMSCOPE_TIMEOUT_SCALE");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	long k = e ? strtol(e, NULL, 10) : 1;

	if (k <= 1 || k > 100)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= k;
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN				\
	int main(int argc, char **argv)			\
	{						\
		mmt_scale_timeouts();			\
		return test_harness_run(argc, argv);	\
	}
#endif

/* The CLI under test: $MMSCOPE_CLI, else the guest's /mmscope/mmscope. */
static MMT_UNUSED const char *mmt_cli(void)
{
	const char *p = getenv("MMSCOPE_CLI");

	return p ? p : "/mmscope/mmscope";
}

/*
 * Read a whole file (procfs, debugfs) into a NUL-terminated heap buffer.
 * NULL with errno set when it cannot be opened or any read() fails: a file
 * that errors part way is an error, never a short or empty text.
 */
static MMT_UNUSED char *mmt_read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd, err;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		free(buf);
		errno = err;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap * 2);

			if (!p) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	err = errno;
	close(fd);
	if (n < 0) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/*
 * The counter @key of /proc/vmstat ("pgfault", "pswpin"), read by the test
 * itself; 0 when the file or the key cannot be read.
 */
static MMT_UNUSED unsigned long long mmt_vmstat(const char *key)
{
	char *buf = mmt_read_file("/proc/vmstat", NULL), *p = buf;
	size_t len = strlen(key);
	unsigned long long v = 0;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ') {
			v = strtoull(p + len + 1, NULL, 10);
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(buf);
	return v;
}

/*
 * Run argv (argv[0] is looked up in PATH unless it has a '/'), capture
 * stdout (and stderr into *errp when errp is set).  Returns stdout, sets
 * *status to the exit code (or 128+signal).
 */
static MMT_UNUSED char *mmt_run(char *const argv[], int *status, char **errp)
{
	int out[2], err[2], st;
	char *bufs[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 }, caps[2] = { 0, 0 };
	int fds[2], open_fds = 2;
	pid_t pid;

	*status = -1;
	if (pipe(out) || pipe(err))
		return NULL;
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	fds[0] = out[0];
	fds[1] = err[0];
	while (open_fds) {
		struct pollfd pfd[2] = { { .fd = fds[0], .events = POLLIN },
					 { .fd = fds[1], .events = POLLIN } };
		int i;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (fds[i] < 0 || !pfd[i].revents)
				continue;
			if (caps[i] - lens[i] < 4096) {
				caps[i] = caps[i] ? caps[i] * 2 : 1 << 16;
				bufs[i] = realloc(bufs[i], caps[i]);
			}
			n = read(fds[i], bufs[i] + lens[i], caps[i] - lens[i] - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
				continue;
			}
			lens[i] += n;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!bufs[i])
			bufs[i] = malloc(1);
		bufs[i][lens[i]] = '\0';
	}
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (errp)
		*errp = bufs[1];
	else
		free(bufs[1]);
	return bufs[0];
}

/* ---- a small JSON reader (enough for the CLI's output) ---------------- */

enum mmt_jtype { MMT_JNULL, MMT_JBOOL, MMT_JNUM, MMT_JSTR, MMT_JARR, MMT_JOBJ };

struct mmt_json {
	enum mmt_jtype type;
	char *str;			/* string value, or the number's text */
	long long num;
	unsigned long long unum;
	bool boolean;
	int n;				/* children (array/object) */
	char **keys;			/* object keys */
	struct mmt_json **kids;
};

static struct mmt_json *mmt_json_value(const char **p);

static void mmt_json_ws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static char *mmt_json_string(const char **p)
{
	const char *s = *p + 1;
	size_t cap = 64, len = 0;
	char *out = malloc(cap);

	while (*s && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			c = *s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'u') {
				c = (char)strtol((char[]){ s[0], s[1], s[2], s[3], 0 },
						 NULL, 16);
				s += 4;
			}
		}
		if (len + 2 > cap)
			out = realloc(out, cap *= 2);
		out[len++] = c;
	}
	out[len] = '\0';
	*p = *s ? s + 1 : s;
	return out;
}

static void mmt_json_add(struct mmt_json *v, char *key, struct mmt_json *kid)
{
	v->kids = realloc(v->kids, sizeof(*v->kids) * (v->n + 1));
	v->keys = realloc(v->keys, sizeof(*v->keys) * (v->n + 1));
	v->kids[v->n] = kid;
	v->keys[v->n] = key;
	v->n++;
}

static void mmt_json_free(struct mmt_json *v)
{
	int i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		mmt_json_free(v->kids[i]);
		free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
	free(v);
}

static struct mmt_json *mmt_json_value(const char **p)
{
	struct mmt_json *v = calloc(1, sizeof(*v));

	mmt_json_ws(p);
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';

		v->type = **p == '{' ? MMT_JOBJ : MMT_JARR;
		(*p)++;
		mmt_json_ws(p);
		while (**p && **p != close) {
			char *key = NULL;
			struct mmt_json *kid;

			if (v->type == MMT_JOBJ) {
				if (**p != '"')
					goto bad;
				key = mmt_json_string(p);
				mmt_json_ws(p);
				if (**p != ':') {
					free(key);
					goto bad;
				}
				(*p)++;
			}
			kid = mmt_json_value(p);
			if (!kid) {
				free(key);
				goto bad;
			}
			mmt_json_add(v, key, kid);
			mmt_json_ws(p);
			if (**p == ',')
				(*p)++;
			mmt_json_ws(p);
		}
		if (**p != close)
			goto bad;
		(*p)++;
	} else if (**p == '"') {
		v->type = MMT_JSTR;
		v->str = mmt_json_string(p);
	} else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		v->type = MMT_JBOOL;
		v->boolean = **p == 't';
		*p += v->boolean ? 4 : 5;
	} else if (!strncmp(*p, "null", 4)) {
		v->type = MMT_JNULL;
		*p += 4;
	} else if (**p == '-' || isdigit((unsigned char)**p)) {
		const char *s = *p;

		v->type = MMT_JNUM;
		while (**p && strchr("+-0123456789.eE", **p))
			(*p)++;
		v->str = strndup(s, *p - s);
		v->num = strtoll(v->str, NULL, 10);
		v->unum = strtoull(v->str, NULL, 10);
	} else {
		goto bad;
	}
	return v;
bad:
	mmt_json_free(v);
	return NULL;
}

/* Parse one JSON document (the first line of JSON Lines); NULL if invalid. */
static MMT_UNUSED struct mmt_json *mmt_json_parse(const char *text)
{
	const char *p = text;

	return text ? mmt_json_value(&p) : NULL;
}

/* Member @key of object @v, or NULL. */
static MMT_UNUSED struct mmt_json *mmt_jget(const struct mmt_json *v,
					    const char *key)
{
	int i;

	if (!v || v->type != MMT_JOBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->kids[i];
	return NULL;
}

static MMT_UNUSED unsigned long long mmt_jnum(const struct mmt_json *v)
{
	return v && v->type == MMT_JNUM ? v->unum : 0;
}

static MMT_UNUSED const char *mmt_jstr(const struct mmt_json *v)
{
	return v && v->type == MMT_JSTR ? v->str : NULL;
}

/* A "0x..." address string as a number (0 if absent). */
static MMT_UNUSED unsigned long long mmt_jhex(const struct mmt_json *v)
{
	return v && v->type == MMT_JSTR ? strtoull(v->str, NULL, 16) : 0;
}

/* ---- kernel oracles ---------------------------------------------------- */

/* A "Key:   N kB" line of /proc/PID/status, in kB (or -1). */
static MMT_UNUSED long long mmt_status_kb(pid_t pid, const char *key)
{
	char path[64], *buf, *p;
	long long v = -1;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf = mmt_read_file(path, NULL);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			v = strtoll(p + klen + 1, NULL, 10);
			break;
		}
	}
	free(buf);
	return v;
}

/* The pagemap entry of @vaddr in @pid (bit 63 present, bits 0-54 PFN). */
static MMT_UNUSED int mmt_pagemap(pid_t pid, unsigned long vaddr,
				  uint64_t *entry)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, entry, sizeof(*entry), (vaddr / 4096) * sizeof(*entry));
	close(fd);
	return n == sizeof(*entry) ? 0 : -EIO;
}

/*
 * The pagemap entries of @n pages from @vaddr in @pid, in one read: a
 * large range costs one open, not one per page.
 */
static MMT_UNUSED int mmt_pagemap_range(pid_t pid, unsigned long vaddr,
					size_t n, uint64_t *entries)
{
	size_t want = n * sizeof(*entries), got = 0;
	char path[64];
	ssize_t r = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (got < want) {
		r = pread(fd, (char *)entries + got, want - got,
			  (vaddr / 4096) * sizeof(*entries) + got);
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	return got == want ? 0 : r < 0 ? -errno : -EIO;
}

/*
 * A writable directory whose file pages drop_caches can drop (not tmpfs or
 * ramfs), $MMSCOPE_SCRATCH if set, or NULL.
 */
static MMT_UNUSED const char *mmt_droppable_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/mnt", "/root", "/" };
	const char *env = getenv("MMSCOPE_SCRATCH");
	struct statfs sf;
	unsigned int i;

	if (env)
		return env;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!statfs(dirs[i], &sf) && sf.f_type != 0x01021994 /* tmpfs */ &&
		    sf.f_type != 0x858458f6 /* ramfs */ && !access(dirs[i], W_OK))
			return dirs[i];
	return NULL;
}

#define MMT_PM_PRESENT(e)	(((e) >> 63) & 1)
#define MMT_PM_SWAP(e)		(((e) >> 62) & 1)
#define MMT_PM_PFN(e)		((e) & ((1ULL << 55) - 1))

/* Write a string to a sysfs/proc/debugfs file: 0 or -errno. */
static MMT_UNUSED int mmt_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * Read a /dev/mmscope stream to its end, @chunk bytes per read() (small
 * chunks exercise records split across reads).  Returns the bytes (free()
 * them) or NULL with *err = -errno.
 */
static MMT_UNUSED char *mmt_dev_read(int fd, size_t chunk, size_t *lenp,
				     int *err)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	ssize_t n;

	for (;;) {
		if (cap - len < chunk) {
			buf = realloc(buf, cap *= 2);
			if (!buf)
				break;
		}
		n = read(fd, buf + len, chunk);
		if (n <= 0)
			break;
		len += n;
	}
	if (!buf || n < 0) {
		*err = buf ? -errno : -ENOMEM;
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* The record after @prev (the first if NULL), or NULL at the end. */
static MMT_UNUSED const struct mmscope_rec_hdr *
mmt_rec_next(const char *buf, size_t len, const struct mmscope_rec_hdr *prev)
{
	const char *p = prev ? (const char *)prev + prev->len : buf;
	const struct mmscope_rec_hdr *h = (const void *)p;

	if (p + sizeof(*h) > buf + len || h->len < sizeof(*h) ||
	    p + h->len > buf + len)
		return NULL;
	return h;
}

/* Block until the child writes one byte to @fd (its "ready" signal). */
static MMT_UNUSED int mmt_wait_ready(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* The CLI runner, maps parser and child parker every test shares. */
#include "common.h"

/*
 * `mmscope CMD PID [ARG] --json` as a parsed document, or NULL (the reason
 * printed as a KTAP comment) if it failed.
 */
static MMT_UNUSED struct mmt_json *mmt_cli_json(pid_t pid, const char *cmd,
						const char *arg)
{
	char spid[16];
	int status;

	snprintf(spid, sizeof(spid), "%d", pid);
	if (arg)
		return mmt_cli_doc(&status, cmd, spid, arg, "--json", NULL);
	return mmt_cli_doc(&status, cmd, spid, "--json", NULL);
}

/* busybox sh -c @cmd: its exit status (nonzero printed with its output). */
static MMT_UNUSED int mmt_sh(const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *out, *err;
	int status;

	out = mmt_run(argv, &status, &err);
	if (status)
		ksft_print_msg("%s: exit %d: %s%s", cmd, status, out ?: "", err ?: "");
	free(out);
	free(err);
	return status;
}

/* A swap file: its path (empty until made) and whether it is on. */
struct mmt_swapfile {
	char path[256];
	bool on;
};

/*
 * A swap file of 8 MiB, @dir/@name, made and enabled with busybox
 * mkswap/swapon: @dir must be block-backed (the VM's scratch disk,
 * $MMSCOPE_SCRATCH: tmpfs and ramfs cannot hold a swap file).  The status
 * of the commands; mmt_swapfile_off() undoes it, made or not.
 */
static MMT_UNUSED int mmt_swapfile_on(struct mmt_swapfile *sw,
				      const char *dir, const char *name)
{
	char cmd[1280];

	sw->on = false;
	snprintf(sw->path, sizeof(sw->path), "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd),
		 "dd if=/dev/zero of=%s bs=1M count=8 2>/dev/null && chmod 600 %s && mkswap %s >/dev/null && swapon %s",
		 sw->path, sw->path, sw->path, sw->path);
	sw->on = !mmt_sh(cmd);
	return sw->on ? 0 : -1;
}

/* swapoff the swap file if it is on, and unlink it if it was named. */
static MMT_UNUSED void mmt_swapfile_off(struct mmt_swapfile *sw)
{
	char cmd[1280];

	if (sw->on) {
		snprintf(cmd, sizeof(cmd), "swapoff %s", sw->path);
		mmt_sh(cmd);
	}
	if (sw->path[0])
		unlink(sw->path);
}

/* The run of a pt --json document that covers @va, or NULL. */
static MMT_UNUSED struct mmt_json *mmt_pt_run_at(struct mmt_json *doc,
						 unsigned long va)
{
	struct mmt_json *runs = mmt_jget(doc, "runs");
	int i;

	for (i = 0; runs && i < runs->n; i++) {
		struct mmt_json *r = runs->kids[i];

		if (va >= mmt_jhex(mmt_jget(r, "start")) &&
		    va < mmt_jhex(mmt_jget(r, "end")))
			return r;
	}
	return NULL;
}

#endif /* MMSCOPE_MMTEST_H */
