/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope internals shared by the views.
 *
 * A *view* (vma, pt, translate, buddy, slab, ...) produces a stream of
 * records (uapi/mmscope.h).  The same producer serves two kinds of file:
 *  - /sys/kernel/debug/mmscope/<view>: records are rendered as text by the
 *    view's ->show() callback, for a person with `cat`;
 *  - /dev/mmscope: records are copied as they are, for the CLI.
 *
 * A view is produced in chunks: ->fill() appends records to the context's
 * buffer until mmscope_full() says the chunk is big enough, saves where to
 * resume in ctx->cursor, and returns 1; it returns 0 once the view is
 * complete.  Locks (mmap_lock, zone->lock, slab_mutex) are taken and dropped
 * inside one ->fill() call and never held while copying to user space.
 */
#ifndef _MMSCOPE_H
#define _MMSCOPE_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/seq_buf.h>
#include "uapi/mmscope.h"

struct mm_struct;
struct file;
struct cred;
struct mmscope_ctx;

/**
 * struct mmscope_view_ops - one view of kernel memory state
 * @name:	debugfs file name, equal to the CLI subcommand name
 * @view:	enum mmscope_view served through the device
 * @needs_mm:	the view inspects a process (ctx->mm is set before ->fill)
 * @mm_if_pid:	the view inspects a process when the query names one
 * @root_only:	the whole view needs CAP_SYS_ADMIN (kernel addresses/PFNs)
 * @flags:	query flags forced when opened through debugfs (e.g. raw)
 * @buf_size:	output buffer to start with (0: one page, grown on demand)
 * @start:	optional: validate the query, set up private state
 * @fill:	produce the next chunk; 0 done, 1 more to come, <0 error
 * @show:	render one record as text (debugfs)
 * @stop:	optional: free private state
 */
struct mmscope_view_ops {
	const char *name;
	enum mmscope_view view;
	bool needs_mm;
	bool mm_if_pid;
	bool root_only;
	u32 flags;
	size_t buf_size;
	int (*start)(struct mmscope_ctx *ctx);
	int (*fill)(struct mmscope_ctx *ctx);
	void (*show)(struct seq_buf *s, const struct mmscope_rec_hdr *rec);
	void (*stop)(struct mmscope_ctx *ctx);
};

/**
 * struct mmscope_ctx - one open file's state
 * @ops:	the view being produced
 * @q:		the query (pid, range, flags, name)
 * @mm:		target mm, pinned with mmgrab(); take mmget_not_zero() per fill
 * @privileged:	opener had CAP_SYS_ADMIN at open time
 * @text:	render records as text (debugfs) rather than binary (device)
 * @cursor:	view-defined resume point (an address, a PFN, an index)
 * @phase:	view-defined phase counter
 * @end_flags:	MMSCOPE_END_* reported in the final record
 * @err:	the error that ended the stream: every later read returns it
 * @priv:	view private data
 * @buf:	pending output, @len bytes of which @pos were read
 * @lock:	serialises readers of the same open file
 */
struct mmscope_ctx {
	const struct mmscope_view_ops *ops;
	struct mmscope_query q;
	struct mm_struct *mm;
	bool privileged;
	bool text;
	bool done;
	bool started;
	u64 cursor;
	u64 cursor2;
	int phase;
	u32 end_flags;
	int err;
	void *priv;
	char *buf;
	size_t len, pos, size;
	struct mutex lock;	/* serialises reads of one context */
};

/* Chunk size: a ->fill() stops at the first resumable point past this. */
#define MMSCOPE_CHUNK		(64 * 1024)

int mmscope_emit(struct mmscope_ctx *ctx, void *rec, u16 type, size_t len);
bool mmscope_full(const struct mmscope_ctx *ctx);
int mmscope_printf(struct mmscope_ctx *ctx, const char *fmt, ...) __printf(2, 3);

struct mmscope_ctx *mmscope_ctx_new(const struct mmscope_view_ops *ops,
				    bool text);
int mmscope_ctx_start(struct mmscope_ctx *ctx, struct file *file);
void mmscope_ctx_free(struct mmscope_ctx *ctx);
ssize_t mmscope_ctx_read(struct mmscope_ctx *ctx, char __user *ubuf,
			 size_t count);

/* target.c */
int mmscope_target_init(void);
void mmscope_target_exit(void);
int mmscope_target_mm(pid_t nr, const struct cred *cred,
		      struct mm_struct **mmp);
struct mm_struct *mmscope_mm_get(struct mmscope_ctx *ctx, int *err);
struct mm_struct *mmscope_mm_read_lock(struct mmscope_ctx *ctx, int *err);
void mmscope_mm_read_unlock(struct mm_struct *mm);

/* slab.c: resolve the slab views at load (never fails; logs the outcome) */
void mmscope_slab_init(void);
void *mmscope_ksym(const char *name);

/* slab.c: the cache and object at a kernel address (page view) */
int mmscope_slab_obj_at(unsigned long addr, struct mmscope_slab_obj *r);
int mmscope_slab_obj_at_nowait(unsigned long addr, struct mmscope_slab_obj *r);
int mmscope_slab_cache_name(const void *cache, char *buf, size_t len);
/* translate.c: the PFN mapped at a user address; mmap_lock held */
int mmscope_translate_pfn(struct mm_struct *mm, unsigned long addr,
			  u64 *pfn, u32 *level);

/* Views, each in its own file. */
extern const struct mmscope_view_ops mmscope_vma_view;
extern const struct mmscope_view_ops mmscope_slab_view;
extern const struct mmscope_view_ops mmscope_slab_cache_view;
extern const struct mmscope_view_ops mmscope_slab_addr_view;
extern const struct mmscope_view_ops mmscope_buddy_view;
extern const struct mmscope_view_ops mmscope_buddy_blocks_view;
extern const struct mmscope_view_ops mmscope_pt_view, mmscope_pt_raw_view,
	mmscope_translate_view;
extern const struct mmscope_view_ops mmscope_kernel_view,
	mmscope_kernel_translate_view, mmscope_kernel_user_view;
extern const struct mmscope_view_ops mmscope_page_view;
extern const struct mmscope_view_ops mmscope_phys_view;
extern const struct mmscope_view_ops mmscope_vmalloc_view;

#endif /* _MMSCOPE_H */
