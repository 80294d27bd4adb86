// SPDX-License-Identifier: GPL-2.0
/*
 * The command `mmscope faults -- CMD` runs: started stopped until the
 * tracer is attached, reaped with its fault counters, ended on a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "faults.h"

/*
 * Fork @argv stopped: the child blocks on a pipe until the tracer is
 * attached (with the child's tgid in its traced map), then execs.  Its
 * faults count from the exec on (sched_process_exec), not before.  An
 * exec failure comes back as its errno on a close-on-exec pipe (read by
 * child_exec_error()), so that it is told from CMD's own exit status.
 */
pid_t spawn_stopped(char **argv, int *go_fd, int *err_fd)
{
	int go[2], ef[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	if (pipe2(ef, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		close(ef[0]);
		close(ef[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int e;

		close(go[1]);
		close(ef[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(ef[1], &e, sizeof(e)) != sizeof(e))
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ef[1]);
	*go_fd = go[1];
	*err_fd = ef[0];
	return pid;
}

int start_stopped(int *go_fd)
{
	int ok = write(*go_fd, "g", 1) == 1;

	close(*go_fd);
	*go_fd = -1;
	return ok ? 0 : -1;
}

int child_exec_error(int err_fd)
{
	int e = 0;

	if (err_fd < 0 || read(err_fd, &e, sizeof(e)) != sizeof(e))
		return 0;
	return e;
}

/* Reap @c if it has exited (@block_ms: wait up to that long). */
bool reap_child(struct faults_child *c, struct faults_tracer *t,
		       int block_ms)
{
	uint64_t min0 = 0, maj0 = 0;
	struct rusage ru;
	int st, i;

	for (i = 0; !c->reaped; i++) {
		pid_t r = wait4(c->pid, &st, WNOHANG, &ru);

		if (r == c->pid) {
			c->status = WIFEXITED(st) ? WEXITSTATUS(st) :
				    128 + WTERMSIG(st);
			if (t && faults_trace_exec_base(t, &min0, &maj0)) {
				c->minflt = ru.ru_minflt - min0;
				c->majflt = ru.ru_majflt - maj0;
			} else {
				c->minflt = ru.ru_minflt;
				c->majflt = ru.ru_majflt;
			}
			c->reaped = true;
		} else if (r < 0 || i * 10 >= block_ms) {
			break;
		} else {
			usleep(10000);
		}
	}
	return c->reaped;
}

/*
 * The trace ends (deadline, signal) while the command runs: ask it to end
 * (SIGTERM), give it 2 s, then SIGKILL and 2 s more.  Never blocks longer:
 * a task stuck in the kernel is left unreaped (and not reported).
 */
void end_child(struct faults_child *c, struct faults_tracer *t)
{
	if (reap_child(c, t, 0))
		return;
	kill(c->pid, SIGTERM);
	if (reap_child(c, t, 2000))
		return;
	kill(c->pid, SIGKILL);
	reap_child(c, t, 2000);
}

