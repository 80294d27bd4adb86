// SPDX-License-Identifier: GPL-2.0
/* /dev/mmscope: one query per open file, its records read to the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cli.h"

#define DEV_PATH "/dev/" MMSCOPE_DEV_NAME
#define MMSCOPE_REC_MAX (1 << 16)	/* hdr.len is 16 bits */

/* One open, query and read to the end; *queried says the query was taken. */
static int dev_query_once(const struct mmscope_query *q,
			  struct mmscope_result *res, int *queried)
{
	size_t cap = 1 << 20;
	const struct mmscope_rec_hdr *r;
	ssize_t n;
	int fd, err = 0;

	memset(res, 0, sizeof(*res));
	fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, MMSCOPE_IOC_QUERY, q) < 0) {
		err = -errno;
		goto out;
	}
	*queried = 1;
	res->buf = malloc(cap);
	if (!res->buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		/* read() returns whole records: leave room for the largest. */
		if (cap - res->len < MMSCOPE_REC_MAX) {
			void *p = realloc(res->buf, cap * 2);

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			res->buf = p;
			cap *= 2;
		}
		n = read(fd, (char *)res->buf + res->len, cap - res->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		res->len += n;
	}
	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_END)
			res->end = (const void *)r;
	if (!res->end)
		err = -EPIPE;
	else if (res->end->status)
		err = res->end->status;
out:
	close(fd);
	if (err)
		dev_result_free(res);
	return err;
}

/*
 * The query pins the process's mm as it is then.  A process that executes
 * a program drops that mm (exec_mmap()), and reading it then fails with
 * ESRCH although the process lives on: right after fork() a shell's child
 * is still in the shell's copy.  Ask again, about the program it runs now;
 * a process that has exited fails the query itself, and stops the retries.
 */
int dev_query(const struct mmscope_query *q, struct mmscope_result *res)
{
	int tries = 3, queried, err;

	do {
		queried = 0;
		err = dev_query_once(q, res, &queried);
	} while (err == -ESRCH && queried && q->pid > 0 && --tries);
	return err;
}

void dev_result_free(struct mmscope_result *res)
{
	free(res->buf);
	memset(res, 0, sizeof(*res));
}

const struct mmscope_rec_hdr *dev_next(const struct mmscope_result *res,
				       const struct mmscope_rec_hdr *prev)
{
	const char *base = res->buf, *p;

	p = prev ? (const char *)prev + prev->len : base;
	if (p + sizeof(struct mmscope_rec_hdr) > base + res->len)
		return NULL;
	prev = (const void *)p;
	if (prev->len < sizeof(*prev) || p + prev->len > base + res->len)
		return NULL;
	return prev;
}

int dev_error(int err, const char *what, int pid)
{
	char who[32] = "";

	if (pid > 0)
		snprintf(who, sizeof(who), "process %d", pid);
	switch (-err) {
	case ENOENT:
		return error("%s: %s not found: is the module loaded? (sudo insmod module/mmscope.ko)",
			     what, DEV_PATH);
	case ESRCH:
		return error("%s: no such process: %s (or it has exited)",
			     what, who);
	case EACCES:
	case EPERM:
		if (pid > 0)
			return error("%s: permission denied: you may not inspect %s (needs ptrace access, or root)",
				     what, who);
		return error("%s: permission denied: needs root (CAP_SYS_ADMIN)",
			     what);
	case EINVAL:
		if (pid > 0)
			return error("%s: invalid request for %s (a kernel thread has no address space)",
				     what, who);
		return error("%s: invalid argument", what);
	case EPROTO:
		return error("%s: the loaded mmscope module speaks another ABI version; rebuild and reload it",
			     what);
	case EOPNOTSUPP:
		return error("%s: the loaded module does not support this view", what);
	case EPIPE:
		return error("%s: the module's output stopped early", what);
	default:
		return error("%s: %s", what, strerror(-err));
	}
}
