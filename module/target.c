// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the process to inspect, with the kernel's own access rules.
 */
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include "mmscope.h"

/*
 * mmscope's own procfs instance, of the initial PID namespace, mounted
 * nowhere.  The access check opens PID/maps in it, so it does not depend on
 * what the caller sees at "/proc": an unprivileged user can mount anything
 * there in a user+mount namespace of their own.  It is mounted
 * hidepid=ptraceable: a process the caller may not PTRACE_MODE_READ, kernel
 * threads included, is absent from it, so the check comes before anything
 * else is told about the process.
 */
static struct vfsmount *mmscope_proc_mnt;

/**
 * mmscope_target_init() - mount the private procfs
 *
 * A procfs instance shows the PID namespace of the task that creates it, and
 * the numbers opened in it are global (pid_nr()), so the module must be
 * loaded from the initial PID namespace.
 *
 * Return: 0 or -errno.
 */
int mmscope_target_init(void)
{
	struct file_system_type *type;
	struct fs_context *fc;
	struct vfsmount *mnt;
	int err;

	if (task_active_pid_ns(current) != &init_pid_ns) {
		pr_err("load the module from the initial PID namespace\n");
		return -EINVAL;
	}
	type = get_fs_type("proc");
	if (!type)
		return -ENODEV;
	/* SB_KERNMOUNT: an internal mount, released by kern_unmount(). */
	fc = fs_context_for_mount(type, SB_KERNMOUNT);
	/* put_filesystem(), which modules cannot call (procfs has no owner). */
	module_put(type->owner);
	if (IS_ERR(fc))
		return PTR_ERR(fc);
	err = vfs_parse_fs_string(fc, "hidepid", "ptraceable",
				  strlen("ptraceable"));
	if (err) {
		put_fs_context(fc);
		return err;
	}
	mnt = fc_mount(fc);
	put_fs_context(fc);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	mmscope_proc_mnt = mnt;
	return 0;
}

/*
 * Called once no file of the module can be open (module exit, or a failed
 * init), so no access check can be using the mount.
 */
void mmscope_target_exit(void)
{
	kern_unmount(mmscope_proc_mnt);
	mmscope_proc_mnt = NULL;
}

/*
 * May @cred inspect the process with global PID @nr the way
 * PTRACE_MODE_READ_FSCREDS allows?
 *
 * ptrace_may_access() is not exported to modules, and reimplementing it would
 * skip the LSM hooks.  Opening /proc/PID/maps performs exactly this check
 * (proc_maps_open() -> mm_access(task, PTRACE_MODE_READ_FSCREDS)), so ask
 * the private procfs, with the opener's credentials.
 */
static int mmscope_may_inspect(pid_t nr, const struct cred *cred)
{
	struct path root = {
		.mnt = mmscope_proc_mnt,
		.dentry = mmscope_proc_mnt->mnt_root,
	};
	const struct cred *old;
	struct file *maps;
	char name[24];
	int ret = 0;

	snprintf(name, sizeof(name), "%d/maps", nr);
	old = override_creds(cred);
	maps = file_open_root(&root, name, O_RDONLY, 0);
	revert_creds(old);
	if (IS_ERR(maps)) {
		/*
		 * -ENOENT: hidden from @cred, or gone (reaped).  A <pid>
		 * dentry already cached (an earlier, privileged lookup) is
		 * not looked up again: proc_pid_permission() refuses it,
		 * with -EPERM under hidepid=ptraceable.  Both mean hidden.
		 */
		ret = PTR_ERR(maps);
		if (ret == -EPERM)
			ret = -ENOENT;
	} else {
		filp_close(maps, NULL);
	}
	return ret;
}

/*
 * Does the caller's own /proc hide the processes it may not ptrace?  That
 * is the procfs at "/proc" in the caller's mount namespace, if it is one of
 * the caller's PID namespace: its hidepid= and gid= (struct proc_fs_info,
 * as proc_pid_lookup() applies them).  Anything else at "/proc" (nothing, a
 * symlink, another filesystem, another namespace's procfs) counts as
 * hiding: then no answer tells more than hidepid=invisible would.
 */
static bool mmscope_proc_hides(const struct cred *cred)
{
	const struct proc_fs_info *fs_info;
	const struct cred *old;
	struct path path;
	bool hides = true;

	old = override_creds(cred);
	if (kern_path("/proc", 0, &path))
		goto out;
	if (path.dentry->d_sb->s_type == mmscope_proc_mnt->mnt_sb->s_type) {
		fs_info = proc_sb_info(path.dentry->d_sb);
		if (fs_info->pid_ns == task_active_pid_ns(current))
			hides = fs_info->hide_pid == HIDEPID_NOT_PTRACEABLE ||
				(fs_info->hide_pid == HIDEPID_INVISIBLE &&
				 !in_group_p(fs_info->pid_gid));
	}
	path_put(&path);
out:
	revert_creds(old);
	return hides;
}

/*
 * @task is hidden from @cred in the private procfs: @cred may not inspect
 * it.  Say no more than the caller's own /proc says: where it hides the
 * process, answer as for a PID that does not exist.
 */
static int mmscope_target_hidden(struct pid *pid, struct task_struct *task,
				 const struct cred *cred)
{
	if (!pid_has_task(pid, PIDTYPE_PID) || mmscope_proc_hides(cred))
		return -ESRCH;
	return task->flags & PF_KTHREAD ? -EINVAL : -EACCES;
}

static int mmscope_target_try(struct pid *pid, const struct cred *cred,
			      struct mm_struct **mmp)
{
	struct task_struct *task;
	struct mm_struct *mm = NULL, *now;
	int ret;

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	if (!(task->flags & PF_KTHREAD))
		mm = get_task_mm(task);
	/* First: nothing is told about a process the caller may not see. */
	ret = mmscope_may_inspect(pid_nr(pid), cred);
	if (ret == -ENOENT)
		ret = mmscope_target_hidden(pid, task, cred);
	if (ret)
		goto out_put_mm;
	if (task->flags & PF_KTHREAD) {
		ret = -EINVAL;
		goto out_put_mm;
	}
	if (!mm) {
		ret = -ESRCH;
		goto out_put_task;
	}
	/*
	 * The check was on this task only if it still owns @pid (its number
	 * is not reused while it does), and on this mm only if the task
	 * still runs in it.
	 */
	task_lock(task);
	now = task->mm;
	task_unlock(task);
	if (!now || !pid_has_task(pid, PIDTYPE_PID)) {
		ret = -ESRCH;
		goto out_put_mm;
	}
	if (now != mm) {
		ret = -EAGAIN;
		goto out_put_mm;
	}
	mmgrab(mm);
	*mmp = mm;
out_put_mm:
	if (mm)
		mmput(mm);
out_put_task:
	put_task_struct(task);
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
 * The mm is taken before the access check, and must still be the task's
 * after it: an execve() of a setuid program installs its new mm
 * (exec_mmap()) before its new credentials, and a check made in between
 * must not approve the new mm under the old credentials.  (mm_access(),
 * inside the check, sees mm and credentials together: exec_update_lock.)
 * If the process executed a program during the check, check once more.
 *
 * The access check comes first.  A process @cred may not inspect is
 * answered -ESRCH, as a PID that does not exist, wherever the caller's own
 * /proc hides such processes (hidepid=invisible or ptraceable, or no real
 * /proc of its PID namespace); elsewhere -EACCES, or -EINVAL for a kernel
 * thread, as /proc/PID shows both.
 *
 * Return: 0; -EINVAL for a PID out of range or a kernel thread; -ESRCH for
 * no such process, one that has exited (zombie) or one hidden from the
 * caller; -EACCES/-EPERM when @cred may not inspect it; -EAGAIN when it
 * executed programs during both checks.
 */
int mmscope_target_mm(pid_t nr, const struct cred *cred,
		      struct mm_struct **mmp)
{
	struct pid *pid;
	int ret;

	if (nr <= 0 || nr > PID_MAX_LIMIT)
		return -EINVAL;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	ret = mmscope_target_try(pid, cred, mmp);
	if (ret == -EAGAIN)
		ret = mmscope_target_try(pid, cred, mmp);
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

/**
 * mmscope_mm_read_lock() - mmscope_mm_get(), then the mm's mmap_lock for
 *	reading
 * @ctx: context whose ctx->mm was pinned by mmscope_target_mm()
 * @err: set to -ESRCH when the process has exited, -EINTR when killed
 *	waiting for the lock
 *
 * Return: the mm (release with mmscope_mm_read_unlock()), or NULL.
 */
struct mm_struct *mmscope_mm_read_lock(struct mmscope_ctx *ctx, int *err)
{
	struct mm_struct *mm = mmscope_mm_get(ctx, err);

	if (mm && mmap_read_lock_killable(mm)) {
		mmput(mm);
		*err = -EINTR;
		return NULL;
	}
	return mm;
}

/**
 * mmscope_mm_read_unlock() - undo mmscope_mm_read_lock()
 * @mm: what it returned
 */
void mmscope_mm_read_unlock(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
	mmput(mm);
}
