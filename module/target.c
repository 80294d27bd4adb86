// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the process to inspect, with the kernel's own access rules.
 */
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/capability.h>
#include "mmscope.h"

/*
 * May @cred inspect @nr the way PTRACE_MODE_READ_FSCREDS allows?
 *
 * ptrace_may_access() is not exported to modules, and reimplementing it would
 * skip the LSM hooks.  Opening /proc/PID/maps performs exactly this check
 * (proc_maps_open() -> mm_access(task, PTRACE_MODE_READ_FSCREDS)), so ask
 * procfs, with the opener's credentials.  Without a procfs to ask, demand
 * CAP_SYS_PTRACE.
 */
static int mmscope_may_inspect(pid_t nr, const struct cred *cred)
{
	const struct cred *old;
	struct file *maps;
	char path[32];
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", nr);
	old = override_creds(cred);
	maps = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(maps)) {
		ret = PTR_ERR(maps);
		if (ret == -ENOENT)
			ret = capable(CAP_SYS_PTRACE) ? 0 : -EACCES;
	} else {
		filp_close(maps, NULL);
	}
	revert_creds(old);
	return ret;
}

/**
 * mmscope_target_mm() - pin the mm of the process @nr for inspection
 * @nr: process ID in the caller's PID namespace
 * @cred: credentials of whoever opened the file
 * @mmp: on success, the mm, pinned with mmgrab() (drop with mmdrop())
 *
 * Only mm_count is held, as /proc/PID/maps does, so an inspected process
 * that exits frees its address space at once; each read then takes
 * mmget_not_zero() (mmscope_mm_get()) and fails with -ESRCH once it is gone.
 *
 * Return: 0; -EINVAL for a PID out of range or a kernel thread; -ESRCH for
 * no such process, or one that has exited (zombie); -EACCES/-EPERM when
 * @cred may not inspect it.
 */
int mmscope_target_mm(pid_t nr, const struct cred *cred,
		      struct mm_struct **mmp)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int ret;

	if (nr <= 0 || nr > PID_MAX_LIMIT)
		return -EINVAL;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		ret = -ESRCH;
		goto err_put_pid;
	}
	if (task->flags & PF_KTHREAD) {
		ret = -EINVAL;
		goto err_put_task;
	}
	ret = mmscope_may_inspect(nr, cred);
	if (ret)
		goto err_put_task;
	/* The check above was on this task only if it still owns @pid. */
	if (!pid_has_task(pid, PIDTYPE_PID)) {
		ret = -ESRCH;
		goto err_put_task;
	}
	mm = get_task_mm(task);
	if (!mm) {
		ret = -ESRCH;
		goto err_put_task;
	}
	mmgrab(mm);
	mmput(mm);
	*mmp = mm;
	ret = 0;
err_put_task:
	put_task_struct(task);
err_put_pid:
	put_pid(pid);
	return ret;
}

/**
 * mmscope_mm_get() - take a user reference on the target for one chunk
 * @ctx: context whose ctx->mm was pinned by mmscope_target_mm()
 * @err: set to -ESRCH when the process has exited
 *
 * Return: the mm (release with mmput()), or NULL.
 */
struct mm_struct *mmscope_mm_get(struct mmscope_ctx *ctx, int *err)
{
	if (!mmget_not_zero(ctx->mm)) {
		*err = -ESRCH;
		return NULL;
	}
	return ctx->mm;
}
