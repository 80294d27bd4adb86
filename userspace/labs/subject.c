// SPDX-License-Identifier: GPL-2.0
/* The subject: a child performing numbered steps on command (lab.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

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

pid_t lab_fork_child(void (*child)(void *arg, int cmd, int ack), void *arg,
		     int *cmd_w, int *ack_r)
{
	int cmd[2], ack[2];
	pid_t pid;

	if (pipe(cmd))
		return 0;
	if (pipe(ack)) {
		close(cmd[0]);
		close(cmd[1]);
		return 0;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		child(arg, cmd[0], ack[1]);
		_exit(0);
	}
	close(cmd[0]);
	close(ack[1]);
	if (pid < 0) {
		close(cmd[1]);
		close(ack[0]);
		return 0;
	}
	*cmd_w = cmd[1];
	*ack_r = ack[0];
	return pid;
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

