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
 * faults count from the exec on (sched_process_exec), not before.
 */
pid_t spawn_stopped(char **argv, int *go_fd)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "%s faults: %s: %s\n", prog, argv[0],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	*go_fd = go[1];
	return pid;
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

