// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: a live inspector of Linux memory management.
 *
 * Two doors to the same views:
 *  - /sys/kernel/debug/mmscope/<view> (0400): text for `cat`.  The process,
 *    address and cache they show are module parameters (root-only, and
 *    writable under lockdown, unlike debugfs):
 *	echo 1234 > /sys/module/mmscope/parameters/pid
 *  - /dev/mmscope: binary records for the CLI.  Each open file carries its
 *    own query (MMSCOPE_IOC_QUERY), so concurrent CLI runs never share a
 *    target.  Debugfs allows no ioctl under lockdown; a misc device does.
 *
 * Both check access when the view is opened or queried: PTRACE_MODE_READ on
 * the target process, and CAP_SYS_ADMIN for PFNs and kernel addresses.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/pid.h>
#include <linux/uaccess.h>
#include "mmscope.h"
#include "frame.h"

static const struct mmscope_view_ops *const mmscope_views[] = {
	&mmscope_vma_view,
	&mmscope_pt_view, &mmscope_pt_raw_view, &mmscope_translate_view,
	&mmscope_buddy_view, &mmscope_buddy_blocks_view,
	&mmscope_slab_view, &mmscope_slab_cache_view, &mmscope_slab_addr_view,
	&mmscope_kernel_view, &mmscope_kernel_translate_view,
	&mmscope_kernel_user_view,
	&mmscope_page_view,
	&mmscope_phys_view,
	&mmscope_vmalloc_view,
};

/* ---- module parameters: the debugfs files' target ------------------ */

static int mmscope_pid;
static unsigned long mmscope_addr;
static char mmscope_cache[MMSCOPE_NAME_LEN];
static unsigned long mmscope_pfn;

static int mmscope_pid_set(const char *val, const struct kernel_param *kp)
{
	struct pid *pid;
	int nr, err;

	err = kstrtoint(val, 10, &nr);
	if (err)
		return -EINVAL;
	if (nr < 0 || nr > PID_MAX_LIMIT)
		return -EINVAL;
	if (nr) {
		pid = find_get_pid(nr);
		if (!pid)
			return -ESRCH;
		put_pid(pid);
	}
	WRITE_ONCE(mmscope_pid, nr);
	return 0;
}

static const struct kernel_param_ops mmscope_pid_ops = {
	.set = mmscope_pid_set,
	.get = param_get_int,
};

module_param_cb(pid, &mmscope_pid_ops, &mmscope_pid, 0600);
MODULE_PARM_DESC(pid, "process shown by the debugfs files (0: none)");
module_param_named(addr, mmscope_addr, ulong, 0600);
MODULE_PARM_DESC(addr, "address for debugfs translate and slab_addr");
module_param_string(cache, mmscope_cache, sizeof(mmscope_cache), 0600);
MODULE_PARM_DESC(cache, "slab cache for debugfs slab_cache");
module_param_named(pfn, mmscope_pfn, ulong, 0600);
MODULE_PARM_DESC(pfn, "page frame shown by debugfs page");

/* ---- debugfs ------------------------------------------------------- */

static int mmscope_dbg_open(struct inode *inode, struct file *file)
{
	const struct mmscope_view_ops *ops = inode->i_private;
	struct mmscope_ctx *ctx;
	int err;

	ctx = mmscope_ctx_new(ops, true);
	if (!ctx)
		return -ENOMEM;
	ctx->q.version = MMSCOPE_ABI_VERSION;
	ctx->q.view = ops->view;
	ctx->q.flags = ops->flags;
	ctx->q.pid = READ_ONCE(mmscope_pid);
	/* The addr parameter is the argument of the address views only. */
	if (ops->view == MMSCOPE_VIEW_TRANSLATE ||
	    ops->view == MMSCOPE_VIEW_KERNEL_TRANSLATE ||
	    ops->view == MMSCOPE_VIEW_SLAB_ADDR)
		ctx->q.start = READ_ONCE(mmscope_addr);
	/* The page file shows a frame by PFN, never a process's address. */
	if (ops->view == MMSCOPE_VIEW_PAGE) {
		ctx->q.pid = 0;
		ctx->q.start = READ_ONCE(mmscope_pfn);
	}
	kernel_param_lock(THIS_MODULE);
	strscpy(ctx->q.name, mmscope_cache, sizeof(ctx->q.name));
	kernel_param_unlock(THIS_MODULE);
	if (ops->needs_mm && !ctx->q.pid) {
		err = -ESRCH;
		goto err_free;
	}
	err = mmscope_ctx_start(ctx, file);
	if (err)
		goto err_free;
	file->private_data = ctx;
	return nonseekable_open(inode, file);

err_free:
	mmscope_ctx_free(ctx);
	return err;
}

static ssize_t mmscope_dbg_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	return mmscope_ctx_read(file->private_data, buf, count);
}

static int mmscope_dbg_release(struct inode *inode, struct file *file)
{
	mmscope_ctx_free(file->private_data);
	return 0;
}

static const struct file_operations mmscope_dbg_fops = {
	.owner = THIS_MODULE,
	.open = mmscope_dbg_open,
	.read = mmscope_dbg_read,
	.release = mmscope_dbg_release,
};

/* ---- /dev/mmscope -------------------------------------------------- */

struct mmscope_dev_file {
	struct mutex lock;		/* protects ctx */
	struct mmscope_ctx *ctx;
};

static const struct mmscope_view_ops *mmscope_find_view(u32 view)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmscope_views); i++)
		if (mmscope_views[i]->view == view)
			return mmscope_views[i];
	return NULL;
}

static int mmscope_dev_open(struct inode *inode, struct file *file)
{
	struct mmscope_dev_file *df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);

	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	file->private_data = df;
	return nonseekable_open(inode, file);
}

static struct mmscope_ctx *mmscope_dev_new(struct file *file,
					   void __user *arg)
{
	const struct mmscope_view_ops *ops;
	struct mmscope_ctx *ctx;
	struct mmscope_query q;
	int err;

	if (copy_from_user(&q, arg, sizeof(q)))
		return ERR_PTR(-EFAULT);
	if (q.version != MMSCOPE_ABI_VERSION)
		return ERR_PTR(-EPROTO);
	if (q.flags & ~MMSCOPE_Q_RAW)
		return ERR_PTR(-EINVAL);
	if (strnlen(q.name, sizeof(q.name)) == sizeof(q.name))
		return ERR_PTR(-ENAMETOOLONG);
	ops = mmscope_find_view(q.view);
	if (!ops)
		return ERR_PTR(-EOPNOTSUPP);
	ctx = mmscope_ctx_new(ops, false);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->q = q;
	err = mmscope_ctx_start(ctx, file);
	if (err) {
		mmscope_ctx_free(ctx);
		return ERR_PTR(err);
	}
	return ctx;
}

/*
 * A query replaces the stream of the previous one, also when it fails: after
 * a failed query nothing is readable (-ENODATA) until a query succeeds.
 */
static long mmscope_dev_query(struct file *file, void __user *arg)
{
	struct mmscope_dev_file *df = file->private_data;
	struct mmscope_ctx *ctx, *old;

	if (mutex_lock_killable(&df->lock))
		return -EINTR;
	old = df->ctx;
	df->ctx = NULL;
	mutex_unlock(&df->lock);
	mmscope_ctx_free(old);

	ctx = mmscope_dev_new(file, arg);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (mutex_lock_killable(&df->lock)) {
		mmscope_ctx_free(ctx);
		return -EINTR;
	}
	old = df->ctx;
	df->ctx = ctx;
	mutex_unlock(&df->lock);
	/* Another query on the same file raced with this one: keep ours. */
	mmscope_ctx_free(old);
	return 0;
}

static long mmscope_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	switch (cmd) {
	case MMSCOPE_IOC_QUERY:
		return mmscope_dev_query(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static ssize_t mmscope_dev_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct mmscope_dev_file *df = file->private_data;
	ssize_t ret;

	if (mutex_lock_killable(&df->lock))
		return -EINTR;
	ret = df->ctx ? mmscope_ctx_read(df->ctx, buf, count) : -ENODATA;
	mutex_unlock(&df->lock);
	return ret;
}

static int mmscope_dev_release(struct inode *inode, struct file *file)
{
	struct mmscope_dev_file *df = file->private_data;

	mmscope_ctx_free(df->ctx);
	kfree(df);
	return 0;
}

static const struct file_operations mmscope_dev_fops = {
	.owner = THIS_MODULE,
	.open = mmscope_dev_open,
	.read = mmscope_dev_read,
	.unlocked_ioctl = mmscope_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = mmscope_dev_release,
};

/*
 * World-readable like /proc/PID/pagemap: every query is checked against the
 * caller (ptrace rules for processes, CAP_SYS_ADMIN for PFNs and kernel
 * addresses), so an unprivileged user can inspect only their own processes.
 * Nothing is written to it: queries are ioctls, which work on O_RDONLY.
 */
static struct miscdevice mmscope_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MMSCOPE_DEV_NAME,
	.fops = &mmscope_dev_fops,
	.mode = 0444,
};

/* ---- init/exit ----------------------------------------------------- */

static struct dentry *mmscope_dir;

static int __init mmscope_init(void)
{
	size_t i;
	int err;

	err = mmscope_target_init();
	if (err)
		return err;
	mmscope_slab_init();
	mmscope_frame_init();
	err = misc_register(&mmscope_misc);
	if (err) {
		mmscope_target_exit();
		return err;
	}
	mmscope_dir = debugfs_create_dir("mmscope", NULL);
	for (i = 0; i < ARRAY_SIZE(mmscope_views); i++)
		debugfs_create_file(mmscope_views[i]->name, 0400, mmscope_dir,
				    (void *)mmscope_views[i], &mmscope_dbg_fops);
	pr_info("loaded: /dev/%s, /sys/kernel/debug/mmscope/\n",
		MMSCOPE_DEV_NAME);
	return 0;
}

static void __exit mmscope_exit(void)
{
	debugfs_remove_recursive(mmscope_dir);
	misc_deregister(&mmscope_misc);
	/* Last: an open file pins the module, so no check is in flight. */
	mmscope_target_exit();
}

module_init(mmscope_init);
module_exit(mmscope_exit);
MODULE_DESCRIPTION("mmscope: live inspector of page tables, VMAs, buddy and slab");
MODULE_LICENSE("GPL");
