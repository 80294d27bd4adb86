// SPDX-License-Identifier: GPL-2.0
/*
 * The chunked producer behind every mmscope file: a view's ->fill() appends
 * records to a buffer; read() hands the buffer out and asks for the next
 * chunk only when it is drained.  Nothing here holds a view's locks.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/sched/mm.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/limits.h>
#include "mmscope.h"
#include "compat.h"

#define MMSCOPE_TEXT_SLACK	1024
/* debugfs (root only) renders records 4 KiB at a time: start with room. */
#define MMSCOPE_TEXT_BUF	(16 * 1024)

/*
 * Fault injection for the tests (root only, 0600).  fault_fill=N: the N-th
 * ->fill() from now, of any open file, fails with -EIO after the view has
 * emitted its records, as a walk that fails half-way does.  fault_rec_max=N
 * (0: off): records longer than N bytes are refused as records longer than
 * hdr.len can say are (-EOVERFLOW); no view makes one that long today.
 */
static unsigned int mmscope_fault_fill;
module_param_named(fault_fill, mmscope_fault_fill, uint, 0600);
MODULE_PARM_DESC(fault_fill, "test: the Nth fill from now fails with EIO (0: off)");
static unsigned int mmscope_fault_rec_max;
module_param_named(fault_rec_max, mmscope_fault_rec_max, uint, 0600);
MODULE_PARM_DESC(fault_rec_max, "test: refuse records longer than this (0: off)");

/* Count down fault_fill; true for the fill that must fail. */
static bool mmscope_fault_fire(void)
{
	unsigned int n = READ_ONCE(mmscope_fault_fill), old;

	while (n) {
		old = cmpxchg(&mmscope_fault_fill, n, n - 1);
		if (old == n)
			return n == 1;
		n = old;
	}
	return false;
}

/*
 * The output buffer grows on demand, from one page: a descriptor holds what
 * its view produced in one chunk (a few KiB for a translation, a small
 * process or the unprivileged buddy counts), never a fixed 64 KiB.  A view
 * that wants room before it starts (buddy blocks) says so in ->buf_size.
 * Charged to the caller's memory cgroup, like every allocation a user can
 * make the module keep (the device is world-readable).
 */
static int mmscope_grow(struct mmscope_ctx *ctx, size_t need)
{
	size_t size = max3(ctx->size * 2, ctx->ops->buf_size,
			   ctx->text ? MMSCOPE_TEXT_BUF : PAGE_SIZE);
	char *buf;

	if (ctx->len + need <= ctx->size)
		return 0;
	while (size < ctx->len + need)
		size *= 2;
	/*
	 * vmalloc, not kvmalloc: an inspector of the page allocator must not
	 * take high-order blocks itself (kmalloc of 68 KiB is an order-5
	 * block, missing from the free lists while the buddy view walks them).
	 */
	buf = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf)
		return -ENOMEM;
	if (ctx->len)
		memcpy(buf, ctx->buf, ctx->len);
	kvfree(ctx->buf);
	ctx->buf = buf;
	ctx->size = size;
	return 0;
}

/**
 * mmscope_full() - has this chunk reached its size?
 * @ctx: the producing context
 *
 * A ->fill() checks this after each record and stops at the next point it
 * can resume from.  The buffer still grows if a record needs more room.
 */
bool mmscope_full(const struct mmscope_ctx *ctx)
{
	return ctx->len >= MMSCOPE_CHUNK;
}

/**
 * mmscope_printf() - append text to the pending output (debugfs views)
 * @ctx: the producing context
 * @fmt: printf format
 *
 * Return: 0 or -ENOMEM.
 */
int mmscope_printf(struct mmscope_ctx *ctx, const char *fmt, ...)
{
	va_list args;
	int n, err;

	for (;;) {
		err = mmscope_grow(ctx, MMSCOPE_TEXT_SLACK);
		if (err)
			return err;
		va_start(args, fmt);
		n = vsnprintf(ctx->buf + ctx->len, ctx->size - ctx->len,
			      fmt, args);
		va_end(args);
		if (ctx->len + n < ctx->size) {
			ctx->len += n;
			return 0;
		}
		err = mmscope_grow(ctx, n + 1);
		if (err)
			return err;
	}
}

static int mmscope_emit_text(struct mmscope_ctx *ctx,
			     const struct mmscope_rec_hdr *rec)
{
	struct seq_buf s;
	size_t room = 4096;
	int err;

	for (;;) {
		err = mmscope_grow(ctx, room);
		if (err)
			return err;
		seq_buf_init(&s, ctx->buf + ctx->len, ctx->size - ctx->len);
		ctx->ops->show(&s, rec);
		if (!seq_buf_has_overflowed(&s)) {
			ctx->len += seq_buf_used(&s);
			return 0;
		}
		room = (ctx->size - ctx->len) * 2;
	}
}

/**
 * mmscope_emit() - append one record to the pending output
 * @ctx: the producing context
 * @rec: the record, starting with a struct mmscope_rec_hdr
 * @type: enum mmscope_rec_type
 * @len: size of the whole record
 *
 * Fills in the header; the device gets the record as it is, debugfs gets
 * the view's text rendering of it.  A record longer than hdr.len can say
 * is refused, never cut or wrapped.
 *
 * Return: 0, -EOVERFLOW for a record longer than U16_MAX, or -ENOMEM.
 */
int mmscope_emit(struct mmscope_ctx *ctx, void *rec, u16 type, size_t len)
{
	unsigned int rec_max = READ_ONCE(mmscope_fault_rec_max);
	struct mmscope_rec_hdr *hdr = rec;
	int err;

	if (WARN_ON_ONCE(len < sizeof(*hdr)))
		return -EINVAL;
	if (len > U16_MAX || (rec_max && len > rec_max))
		return -EOVERFLOW;
	hdr->type = type;
	hdr->len = len;
	hdr->pad = 0;
	if (ctx->text)
		return mmscope_emit_text(ctx, hdr);
	err = mmscope_grow(ctx, len);
	if (err)
		return err;
	memcpy(ctx->buf + ctx->len, rec, len);
	ctx->len += len;
	return 0;
}

static int mmscope_emit_end(struct mmscope_ctx *ctx, int status)
{
	struct mmscope_end end = {
		.status = status,
		.flags = ctx->end_flags,
	};

	if (!ctx->text)
		return mmscope_emit(ctx, &end, MMSCOPE_REC_END, sizeof(end));
	if (ctx->end_flags & MMSCOPE_END_CHANGED)
		return mmscope_printf(ctx,
				      "# note: state changed during the walk; counts are not one snapshot\n");
	return 0;
}

struct mmscope_ctx *mmscope_ctx_new(const struct mmscope_view_ops *ops,
				    bool text)
{
	struct mmscope_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	ctx->ops = ops;
	ctx->text = text;
	mutex_init(&ctx->lock);
	return ctx;
}

/**
 * mmscope_ctx_start() - check access and set up a view for one opener
 * @ctx: new context with @ctx->q filled in
 * @file: the opened file; its f_cred are the opener's credentials
 *
 * Privilege is decided here, once, from the opener's credentials, as
 * /proc/PID/pagemap decides whether to show PFNs.
 *
 * Return: 0, or -errno to fail the open/query.
 */
int mmscope_ctx_start(struct mmscope_ctx *ctx, struct file *file)
{
	const struct mmscope_view_ops *ops = ctx->ops;
	int err;

	ctx->privileged = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	if (ops->root_only && !ctx->privileged)
		return -EPERM;
	if (ops->needs_mm || (ops->mm_if_pid && ctx->q.pid)) {
		err = mmscope_target_mm(ctx->q.pid, file->f_cred, &ctx->mm);
		if (err)
			return err;
	}
	/*
	 * ->stop runs whenever ->start ran, even if it failed: it frees
	 * whatever ->start had already put in ctx->priv.
	 */
	ctx->started = true;
	return ops->start ? ops->start(ctx) : 0;
}

static void mmscope_ctx_release_buf(struct mmscope_ctx *ctx)
{
	kvfree(ctx->buf);
	ctx->buf = NULL;
	ctx->size = 0;
	ctx->len = 0;
	ctx->pos = 0;
}

/* The stream ends with @err: nothing of the failed chunk is read. */
static void mmscope_ctx_fail(struct mmscope_ctx *ctx, int err)
{
	ctx->err = err;
	ctx->done = true;
	mmscope_ctx_release_buf(ctx);
}

void mmscope_ctx_free(struct mmscope_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->started && ctx->ops->stop)
		ctx->ops->stop(ctx);
	if (ctx->mm)
		mmdrop(ctx->mm);
	kvfree(ctx->buf);
	kfree(ctx);
}

/*
 * Binary mode: the bytes from ctx->pos that hold only whole records and fit
 * in @room.  The buffer holds whole records, each ->len long (>= header).
 */
static size_t mmscope_whole_records(const struct mmscope_ctx *ctx,
				    size_t room)
{
	size_t pos = ctx->pos, n = 0, len;

	while (pos + sizeof(struct mmscope_rec_hdr) <= ctx->len) {
		len = ((const struct mmscope_rec_hdr *)(ctx->buf + pos))->len;
		if (WARN_ON_ONCE(len < sizeof(struct mmscope_rec_hdr) ||
				 pos + len > ctx->len))
			break;
		if (n + len > room)
			break;
		n += len;
		pos += len;
	}
	return n;
}

/**
 * mmscope_ctx_read() - copy the view to user space, producing on demand
 * @ctx: the context
 * @ubuf: user buffer
 * @count: its size
 *
 * Text (debugfs) is a byte stream.  Binary (device) reads return whole
 * records only: as many as fit in @count.
 *
 * A chunk that fails is dropped whole, with the records it had emitted,
 * and the stream ends there: every later read returns the same error,
 * nothing is walked again.  The buffer is freed once the stream is read.
 *
 * Return: bytes copied, 0 at the end, or -errno (e.g. -ESRCH when the
 * target exited before the next chunk could be produced; -EOVERFLOW for a
 * record too long for its header; -EMSGSIZE when @count cannot hold the
 * next record).
 */
ssize_t mmscope_ctx_read(struct mmscope_ctx *ctx, char __user *ubuf,
			 size_t count)
{
	size_t copied = 0, n;
	int ret = 0;

	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	while (copied < count) {
		if (ctx->err) {
			ret = ctx->err;
			break;
		}
		if (ctx->pos == ctx->len) {
			ctx->pos = 0;
			ctx->len = 0;
			if (ctx->done) {
				mmscope_ctx_release_buf(ctx);
				break;
			}
			ret = ctx->ops->fill(ctx);
			if (ret >= 0 && mmscope_fault_fire())
				ret = -EIO;
			if (ret == 0) {
				ctx->done = true;
				ret = mmscope_emit_end(ctx, 0);
			}
			if (ret < 0) {
				mmscope_ctx_fail(ctx, ret);
				break;
			}
			continue;
		}
		n = min(ctx->len - ctx->pos, count - copied);
		if (!ctx->text) {
			n = mmscope_whole_records(ctx, count - copied);
			if (!n) {
				/* Not even the next record fits. */
				if (!copied)
					ret = -EMSGSIZE;
				break;
			}
		}
		if (copy_to_user(ubuf + copied, ctx->buf + ctx->pos, n)) {
			ret = -EFAULT;
			break;
		}
		ctx->pos += n;
		copied += n;
	}
	/* Read to its end: a finished stream keeps no buffer. */
	if (ctx->done && ctx->pos == ctx->len)
		mmscope_ctx_release_buf(ctx);
	mutex_unlock(&ctx->lock);
	if (copied)
		return copied;
	return ret < 0 ? ret : 0;
}
