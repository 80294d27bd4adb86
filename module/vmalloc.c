// SPDX-License-Identifier: GPL-2.0
/*
 * The vmalloc view: every area of the kernel's vmap allocator, as
 * /proc/vmallocinfo lists them, with the page-table cost of each.
 *
 * Where the areas are.  mm/vmalloc.c keeps them private, differently by
 * version:
 *  - 6.1: one address-sorted list and rb tree of busy areas
 *    (vmap_area_list, vmap_area_root) under vmap_area_lock, and the lazily
 *    freed ones (purge_vmap_area_{list,root}) under purge_vmap_area_lock;
 *  - 6.9+: an array of nr_vmap_nodes struct vmap_node (vmap_nodes), each
 *    with a "busy" and a "lazy" struct rb_list { root; head; lock; }, whose
 *    layout is read from the running kernel's BTF.
 * Which one is decided by which symbols kallsyms has (mmscope_ksym()).
 *
 * Nothing found that way is followed or locked before it is checked
 * against live data: each list head must be consistent (its neighbours
 * point back at it), its first entry and the tree's root must be objects
 * of the vmap_area slab cache, the node count sane; then, with the lock
 * held, an area this module vmalloc()s itself must be found by its address
 * in exactly one tree, else the view is refused as "changed".  Entries
 * are read with copy_from_kernel_nofault() even under the lock.
 *
 * Locks and holds.  The areas are read under the lock vmallocinfo's show
 * takes for them (the node's busy.lock / lazy.lock; vmap_area_lock /
 * purge_vmap_area_lock), at most MMSCOPE_VHOLD_LIMIT areas per hold,
 * copied into a buffer allocated before (nothing is allocated under the
 * spinlock).  The next hold resumes at the first area above the last one
 * copied, found by descending the rb tree.  The areas' page tables are
 * walked afterwards, outside the lock, by the project's walker with
 * interrupts off (as the kernel view walks, kernel.c), each walk bounded
 * to MMSCOPE_VWALK_LIMIT weighted entries.  Holds and walks are counted
 * and timed in the summary.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "mmscope.h"
#include "btf.h"
#include "walk.h"
#include "kernel.h"

#define MMSCOPE_VHOLD_LIMIT	64	/* areas copied per lock hold */
#define MMSCOPE_VWALK_LIMIT	512	/* weighted entries per walk */
#define MMSCOPE_VTABLE_WEIGHT	64	/* a table entered: up to 512 slots */
#define MMSCOPE_VRB_DEPTH	128	/* deeper than any rb tree of areas */
#define MMSCOPE_VNODES_MAX	4096
#define MMSCOPE_VBTF_PATH	"/sys/kernel/btf/vmlinux"
/* mm/vmalloc.c's private mark of a vm_map_ram() area (vmap_area.flags) */
#define MMSCOPE_VMAP_RAM	0x1

/* The layout of this kernel's lists, resolved once. */
static struct {
	bool ok, failed;
	int layout;			/* 1: 6.1 globals, 2: vmap nodes */
	/* layout 1: busy, lazy */
	spinlock_t *lock[2];
	struct list_head *head[2];
	struct rb_root *root[2];
	/* layout 2 */
	void **nodes;			/* &vmap_nodes */
	unsigned int *nr_nodes;		/* &nr_vmap_nodes */
	u32 node_size, busy_off, lazy_off, root_off, head_off, lock_off;
	char cache[MMSCOPE_NAME_LEN];
} vlay;
static DEFINE_MUTEX(mmscope_vlay_lock);

/* One list of areas under one lock. */
struct mmscope_vsrc {
	spinlock_t *lock;		/* mm/vmalloc.c's, guarding the two below */
	struct rb_root *root;
	struct list_head *head;
	u32 node;
	bool lazy;
};

/* An area as copied under the lock. */
struct mmscope_vcopy {
	unsigned long start, end, caller;
	u64 phys;
	u32 nr_pages, page_order, flags;
};

struct mmscope_vdump {
	struct mmscope_ctx *ctx;
	struct mm_struct *mm;
	struct mmscope_vsrc *src;
	unsigned int nr_src, cur;
	struct mmscope_vcopy *buf;	/* MMSCOPE_VHOLD_LIMIT */
	struct mmscope_vmalloc_area rec;	/* being walked */
	unsigned int weight;
	unsigned long resume;
	struct mmscope_vmalloc_summary sum;
	struct mmscope_walk walk;	/* last: holds a PTE table snapshot */
};

/* ---- layout ------------------------------------------------------------ */

static int mmscope_vlay_btf(void)
{
	static const struct {
		const char *s, *m;
		u32 *off;
		u32 size;
	} need[] = {
		{ "vmap_node", "busy", &vlay.busy_off, 0 },
		{ "vmap_node", "lazy", &vlay.lazy_off, 0 },
		{ "rb_list", "root", &vlay.root_off, sizeof(struct rb_root) },
		{ "rb_list", "head", &vlay.head_off, sizeof(struct list_head) },
		{ "rb_list", "lock", &vlay.lock_off, sizeof(spinlock_t) },
	};
	struct mmscope_btf *btf;
	u32 list_size;
	size_t i;
	int err;

	btf = mmscope_btf_load(MMSCOPE_VBTF_PATH, &err);
	if (!btf)
		return err;
	err = -ENOENT;
	if (mmscope_btf_struct_size(btf, "vmap_node", &vlay.node_size) ||
	    mmscope_btf_struct_size(btf, "rb_list", &list_size))
		goto out;
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		struct mmscope_btf_field f;
		u32 off, size = need[i].size ? need[i].size : list_size;
		u32 outer = need[i].size ? list_size : vlay.node_size;

		if (mmscope_btf_member(btf, need[i].s, need[i].m, &f))
			goto out;
		off = f.bit_off / BITS_PER_BYTE;
		if (f.bit_size || f.bit_off % BITS_PER_BYTE || f.nelems ||
		    f.size != size || off % sizeof(long) ||
		    off + f.size > outer)
			goto out;
		*need[i].off = off;
	}
	err = 0;
out:
	mmscope_btf_free(btf);
	return err;
}

static int mmscope_vlay_resolve_locked(void)
{
	static const char *const syms[2][3] = {
		{ "vmap_area_lock", "vmap_area_list", "vmap_area_root" },
		{ "purge_vmap_area_lock", "purge_vmap_area_list",
		  "purge_vmap_area_root" },
	};
	void *const *cachep;
	int i, err;

	vlay.nodes = mmscope_ksym("vmap_nodes");
	vlay.nr_nodes = mmscope_ksym("nr_vmap_nodes");
	if (vlay.nodes && vlay.nr_nodes) {
		err = mmscope_vlay_btf();
		if (err) {
			pr_info("vmalloc: BTF lacks struct vmap_node/rb_list: view unavailable\n");
			return err;
		}
		vlay.layout = 2;
	} else {
		for (i = 0; i < 2; i++) {
			vlay.lock[i] = mmscope_ksym(syms[i][0]);
			vlay.head[i] = mmscope_ksym(syms[i][1]);
			vlay.root[i] = mmscope_ksym(syms[i][2]);
			if (!vlay.lock[i] || !vlay.head[i] || !vlay.root[i]) {
				pr_info("vmalloc: no vmap_nodes nor %s: view unavailable\n",
					syms[i][1]);
				return -ENOENT;
			}
		}
		vlay.layout = 1;
	}
	cachep = mmscope_ksym("vmap_area_cachep");
	if (!cachep || mmscope_slab_cache_name(READ_ONCE(*cachep), vlay.cache,
					       sizeof(vlay.cache)))
		strscpy(vlay.cache, "vmap_area", sizeof(vlay.cache));
	return 0;
}

static int mmscope_vlay_resolve(void)
{
	int err = 0;

	/* Pairs with the release below: the layout is read after ok. */
	if (smp_load_acquire(&vlay.ok))
		return 0;
	if (mutex_lock_killable(&mmscope_vlay_lock))
		return -EINTR;
	if (!vlay.ok && !vlay.failed) {
		err = mmscope_vlay_resolve_locked();
		if (err == -ENOENT)
			vlay.failed = true;
		else if (!err)
			/* The layout, then ok: see the acquire above. */
			smp_store_release(&vlay.ok, true);
	}
	if (vlay.failed)
		err = -EOPNOTSUPP;
	mutex_unlock(&mmscope_vlay_lock);
	return err;
}

/* ---- validation ---------------------------------------------------------- */

/* Is @va the start of a live object of the vmap_area cache? */
static bool mmscope_vobj(const void *va)
{
	struct mmscope_slab_obj obj = {};

	if (!va || mmscope_slab_obj_at((unsigned long)va, &obj))
		return false;
	if (strcmp(obj.cache, vlay.cache) ||
	    obj.object_size < sizeof(struct vmap_area))
		return false;
	if (obj.flags & MMSCOPE_SLAB_OBJ_KFENCE)
		return true;
	return obj.in_object && !obj.offset;
}

/* A list head whose neighbours point back at it, entries of the cache. */
static bool mmscope_vsrc_sane(const struct mmscope_vsrc *s)
{
	struct list_head h, n;
	struct rb_root r;

	if (copy_from_kernel_nofault(&h, s->head, sizeof(h)) ||
	    copy_from_kernel_nofault(&r, s->root, sizeof(r)))
		return false;
	if (h.next == s->head)
		return h.prev == s->head && !r.rb_node;
	if (copy_from_kernel_nofault(&n, h.next, sizeof(n)) ||
	    n.prev != s->head)
		return false;
	if (copy_from_kernel_nofault(&n, h.prev, sizeof(n)) ||
	    n.next != s->head)
		return false;
	return r.rb_node &&
	       mmscope_vobj(list_entry(h.next, struct vmap_area, list)) &&
	       mmscope_vobj(rb_entry(r.rb_node, struct vmap_area, rb_node));
}

/* The sources of this kernel, validated; 0 or -errno. */
static int mmscope_vsrc_build(struct mmscope_vdump *v)
{
	unsigned int nr = 1, i, tries;
	void *nodes = NULL;

	if (vlay.layout == 2) {
		if (copy_from_kernel_nofault(&nr, vlay.nr_nodes, sizeof(nr)) ||
		    copy_from_kernel_nofault(&nodes, vlay.nodes,
					     sizeof(nodes)))
			return -EIO;
		if (!nr || nr > MMSCOPE_VNODES_MAX || !nodes) {
			pr_warn_ratelimited("vmalloc: nr_vmap_nodes %u: refused\n",
					    nr);
			return -EIO;
		}
	}
	v->src = kcalloc(2 * nr, sizeof(*v->src), GFP_KERNEL_ACCOUNT);
	if (!v->src)
		return -ENOMEM;
	v->nr_src = 2 * nr;
	v->sum.layout = vlay.layout;
	v->sum.nodes = nr;
	for (i = 0; i < v->nr_src; i++) {
		struct mmscope_vsrc *s = &v->src[i];
		bool lazy = i >= nr;

		s->lazy = lazy;
		s->node = i % nr;
		if (vlay.layout == 1) {
			s->lock = vlay.lock[lazy];
			s->head = vlay.head[lazy];
			s->root = vlay.root[lazy];
		} else {
			void *l = nodes + (size_t)s->node * vlay.node_size +
				  (lazy ? vlay.lazy_off : vlay.busy_off);

			s->lock = l + vlay.lock_off;
			s->head = l + vlay.head_off;
			s->root = l + vlay.root_off;
		}
		/* A list being changed right now: look again. */
		for (tries = 0; tries < 3; tries++)
			if (mmscope_vsrc_sane(s))
				break;
		if (tries == 3) {
			pr_warn_ratelimited("vmalloc: list %u is not a list of vmap areas: refused\n",
					    i);
			return -EIO;
		}
	}
	return 0;
}

/*
 * The area starting at or above @addr in @root (its lock held), or NULL;
 * *@err on a read that fails or a tree deeper than any real one.
 */
static struct vmap_area *mmscope_vfind(struct rb_root *root,
				       unsigned long addr, int *err)
{
	struct vmap_area *best = NULL;
	struct rb_node *n, node;
	unsigned long start;
	int depth;

	if (copy_from_kernel_nofault(&n, &root->rb_node, sizeof(n)))
		goto bad;
	for (depth = 0; n; depth++) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (depth >= MMSCOPE_VRB_DEPTH ||
		    copy_from_kernel_nofault(&start, &va->va_start,
					     sizeof(start)) ||
		    copy_from_kernel_nofault(&node, n, sizeof(node)))
			goto bad;
		if (start >= addr) {
			best = va;
			n = node.rb_left;
		} else {
			n = node.rb_right;
		}
	}
	return best;
bad:
	*err = -EIO;
	return NULL;
}

/*
 * With each busy lock held in turn: is the module's own area @probe found
 * by its address in exactly one tree, with its vm_struct?
 */
static int mmscope_vprobe(struct mmscope_vdump *v, void *probe)
{
	unsigned long addr = (unsigned long)probe;
	unsigned int i, found = 0;
	int err = 0;

	for (i = 0; i < v->nr_src && !err; i++) {
		struct mmscope_vsrc *s = &v->src[i];
		struct vmap_area *va, a;
		struct vm_struct vm;

		if (s->lazy)
			continue;
		spin_lock(s->lock);
		va = mmscope_vfind(s->root, addr, &err);
		if (va && !copy_from_kernel_nofault(&a, va, sizeof(a)) &&
		    a.va_start == addr && a.vm &&
		    !copy_from_kernel_nofault(&vm, a.vm, sizeof(vm)) &&
		    vm.addr == probe)
			found++;
		spin_unlock(s->lock);
	}
	if (!err && found != 1)
		err = -EIO;
	if (err)
		pr_warn_ratelimited("vmalloc: the kernel's vmap lists changed (own area %s): refused\n",
				    found ? "found twice" : "not found");
	return err;
}

/* ---- copying, under the lock ----------------------------------------- */

static u32 mmscope_vm_flags(unsigned long f)
{
	u32 r = 0;

	if (f & VM_IOREMAP)
		r |= MMSCOPE_VMF_IOREMAP;
	if (f & VM_ALLOC)
		r |= MMSCOPE_VMF_ALLOC;
	if (f & VM_MAP)
		r |= MMSCOPE_VMF_MAP;
	if (f & VM_USERMAP)
		r |= MMSCOPE_VMF_USERMAP;
	if (f & VM_DMA_COHERENT)
		r |= MMSCOPE_VMF_DMA_COHERENT;
#ifdef VM_SPARSE
	if (f & VM_SPARSE)
		r |= MMSCOPE_VMF_SPARSE;
#endif
	if (f & VM_UNINITIALIZED)
		r |= MMSCOPE_VMF_UNINITIALIZED;
	if (f & VM_NO_GUARD)
		r |= MMSCOPE_VMF_NO_GUARD;
	if (f & VM_ALLOW_HUGE_VMAP)
		r |= MMSCOPE_VMF_HUGE;
	if (f & VM_FLUSH_RESET_PERMS)
		r |= MMSCOPE_VMF_RESET_PERMS;
	return r;
}

/* One area into @c; 1 if shown, 0 if vmallocinfo skips it, -errno. */
static int mmscope_vcopy_one(const struct mmscope_vsrc *s,
			     const struct vmap_area *a, struct mmscope_vcopy *c)
{
	struct vm_struct vm;
	unsigned long f;

	memset(c, 0, sizeof(*c));
	c->start = a->va_start;
	c->end = a->va_end;
	if (s->lazy) {
		c->flags = MMSCOPE_VMF_UNPURGED;
		return 1;
	}
	if (!a->vm) {
		/*
		 * 6.2 marked vm_map_ram() areas (vmap_area.flags); before,
		 * vmallocinfo calls every area without a vm_struct so.
		 */
#if MMSCOPE_KERNEL >= 602
		if (!(a->flags & MMSCOPE_VMAP_RAM))
			return 0;
#endif
		c->flags = MMSCOPE_VMF_MAP_RAM;
		return 1;
	}
	if (copy_from_kernel_nofault(&f, &a->vm->flags, sizeof(f)))
		return -EIO;
	/* Pairs with smp_wmb() in clear_vm_uninitialized_flag(). */
	smp_rmb();
	if (copy_from_kernel_nofault(&vm, a->vm, sizeof(vm)))
		return -EIO;
	c->start = (unsigned long)vm.addr;
	c->end = c->start + vm.size;
	if (c->end < c->start || c->start < a->va_start ||
	    c->end > a->va_end)
		return -EIO;
	c->caller = (unsigned long)vm.caller;
	c->phys = vm.phys_addr;
	c->nr_pages = vm.nr_pages;
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	c->page_order = vm.page_order;
#endif
	c->flags = mmscope_vm_flags(f);
	if (is_vmalloc_addr(vm.pages))
		c->flags |= MMSCOPE_VMF_VPAGES;
	return 1;
}

/*
 * One hold: copy up to MMSCOPE_VHOLD_LIMIT areas of source @s from the
 * first at or above @from.  Return: how many, *@more if areas remain,
 * *@next where to resume; -errno.
 */
static int mmscope_vhold(struct mmscope_vdump *v, struct mmscope_vsrc *s,
			 unsigned long from, bool *more, unsigned long *next)
{
	unsigned int n = 0, seen = 0;
	struct vmap_area *va, a;
	int err = 0, ret;
	u64 t0, dt;

	*more = false;
	t0 = ktime_get_ns();
	spin_lock(s->lock);
	va = mmscope_vfind(s->root, from, &err);
	while (va && !err) {
		if (seen >= MMSCOPE_VHOLD_LIMIT) {
			*more = true;
			break;
		}
		if (copy_from_kernel_nofault(&a, va, sizeof(a)) ||
		    a.va_start < from || a.va_end <= a.va_start) {
			err = -EIO;
			break;
		}
		seen++;
		from = a.va_start + 1;
		ret = mmscope_vcopy_one(s, &a, &v->buf[n]);
		if (ret < 0)
			err = ret;
		else if (ret)
			n++;
		else
			v->sum.skipped++;
		va = a.list.next == s->head ? NULL :
		     list_entry(a.list.next, struct vmap_area, list);
	}
	spin_unlock(s->lock);
	dt = ktime_get_ns() - t0;
	v->sum.holds++;
	v->sum.max_hold_ns = max(v->sum.max_hold_ns, dt);
	v->sum.max_hold_areas = max_t(u64, v->sum.max_hold_areas, seen);
	*next = from;
	if (err) {
		pr_warn_ratelimited("vmalloc: an area changed under the lock: stopped\n");
		return err;
	}
	return n;
}

/* ---- the page-table cost, outside the lock ---------------------------- */

static void mmscope_vwalk_table(int level, unsigned long addr,
				struct mmscope_walk *walk)
{
	struct mmscope_vdump *v = walk->private;

	v->weight += MMSCOPE_VTABLE_WEIGHT;
}

static int mmscope_vwalk_entry(struct mmscope_walk *walk, u64 raw, int level,
			       unsigned long addr)
{
	struct mmscope_vdump *v = walk->private;

	if (v->weight >= MMSCOPE_VWALK_LIMIT) {
		v->resume = addr;
		return 1;
	}
	v->weight++;
	if (level >= MMSCOPE_PT_PUD &&
	    mmscope_pt_kind(raw, level) == MMSCOPE_PTK_PRESENT)
		v->rec.mapped[MMSCOPE_PT_PTE - level]++;
	return 0;
}

static int mmscope_vwalk_pud(pud_t pud, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_vwalk_entry(walk, pud_val(pud), MMSCOPE_PT_PUD, addr);
}

static int mmscope_vwalk_pmd(pmd_t pmd, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_vwalk_entry(walk, pmd_val(pmd), MMSCOPE_PT_PMD, addr);
}

static int mmscope_vwalk_pte(pte_t pte, unsigned long addr,
			     unsigned long next, struct mmscope_walk *walk)
{
	return mmscope_vwalk_entry(walk, pte_val(pte), MMSCOPE_PT_PTE, addr);
}

static const struct mmscope_walk_ops mmscope_vwalk_ops = {
	.pud_entry = mmscope_vwalk_pud,
	.pmd_entry = mmscope_vwalk_pmd,
	.pte_entry = mmscope_vwalk_pte,
	.table = mmscope_vwalk_table,
};

/* Walk [start, end) of the kernel tables in bounded interrupts-off calls. */
static int mmscope_vwalk(struct mmscope_vdump *v, unsigned long start,
			 unsigned long end)
{
	struct mmscope_walk *walk = &v->walk;
	unsigned long at = start & PAGE_MASK;
	int ret;
	u64 t0, dt;

	memset(walk->tables, 0, sizeof(walk->tables));
	memset(walk->last, 0, sizeof(walk->last));
	end = PAGE_ALIGN(end);
	while (at < end) {
		v->weight = 0;
		v->resume = end;
		t0 = ktime_get_ns();
		ret = mmscope_walk_lockless(walk, at, end);
		dt = ktime_get_ns() - t0;
		v->sum.walks++;
		v->sum.max_walk_ns = max(v->sum.max_walk_ns, dt);
		if (ret < 0)
			return ret;
		if (walk->changed)
			v->ctx->end_flags |= MMSCOPE_END_CHANGED;
		if (!ret)
			break;
		if (v->resume <= at)
			return -EIO;
		at = v->resume;
		cond_resched();
	}
	v->rec.tables[0] = walk->tables[MMSCOPE_PT_PUD];
	v->rec.tables[1] = walk->tables[MMSCOPE_PT_PMD];
	v->rec.tables[2] = walk->tables[MMSCOPE_PT_PTE];
	return 0;
}

static int mmscope_vemit(struct mmscope_vdump *v, const struct mmscope_vsrc *s,
			 const struct mmscope_vcopy *c)
{
	struct mmscope_vmalloc_area *r = &v->rec;
	struct mmscope_vmalloc_summary *m = &v->sum;
	int i, err;

	memset(r, 0, sizeof(*r));
	r->start = c->start;
	r->end = c->end;
	r->size = c->end - c->start;
	r->caller = c->caller;
	r->phys = c->phys;
	r->nr_pages = c->nr_pages;
	r->page_order = c->page_order;
	r->flags = c->flags;
	r->node = s->node;
	if (c->caller)
		snprintf(r->caller_sym, sizeof(r->caller_sym), "%pS",
			 (void *)c->caller);
	err = mmscope_vwalk(v, c->start, c->end);
	if (err)
		return err;
	m->areas++;
	if (c->flags & MMSCOPE_VMF_MAP_RAM)
		m->map_ram++;
	else if (c->flags & MMSCOPE_VMF_UNPURGED)
		m->unpurged++;
	else if (c->flags & MMSCOPE_VMF_ALLOC)
		m->by_kind[0]++;
	else if (c->flags & MMSCOPE_VMF_MAP)
		m->by_kind[1]++;
	else if (c->flags & MMSCOPE_VMF_IOREMAP)
		m->by_kind[2]++;
	else
		m->by_kind[3]++;
	m->bytes += r->size;
	m->pages += r->nr_pages;
	for (i = 0; i < 3; i++) {
		m->tables[i] += r->tables[i];
		m->mapped[i] += r->mapped[i];
	}
	return mmscope_emit(v->ctx, r, MMSCOPE_REC_VMALLOC_AREA, sizeof(*r));
}

/* ---- the view ---------------------------------------------------------- */

static int mmscope_vmalloc_start(struct mmscope_ctx *ctx)
{
	struct mmscope_vdump *v;
	void *probe;
	int err;

	err = mmscope_kernel_allowed(ctx);
	if (err)
		return err;
	err = mmscope_vlay_resolve();
	if (err)
		return err;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	ctx->priv = v;
	if (!v)
		return -ENOMEM;
	v->ctx = ctx;
	v->buf = kcalloc(MMSCOPE_VHOLD_LIMIT, sizeof(*v->buf),
			 GFP_KERNEL_ACCOUNT);
	if (!v->buf)
		return -ENOMEM;
	v->mm = mmscope_kernel_mm(&err);
	if (!v->mm)
		return err;
	v->walk.ops = &mmscope_vwalk_ops;
	v->walk.mm = v->mm;
	v->walk.private = v;
	err = mmscope_vsrc_build(v);
	if (err)
		return err;
	probe = vmalloc(PAGE_SIZE);
	if (!probe)
		return -ENOMEM;
	err = mmscope_vprobe(v, probe);
	vfree(probe);
	if (err)
		return err;
	v->sum.hold_limit = MMSCOPE_VHOLD_LIMIT;
	ctx->cursor = 0;
	return 0;
}

static void mmscope_vmalloc_stop(struct mmscope_ctx *ctx)
{
	struct mmscope_vdump *v = ctx->priv;

	if (!v)
		return;
	if (v->mm)
		mmdrop(v->mm);
	kfree(v->src);
	kfree(v->buf);
	kfree(v);
}

static int mmscope_vmalloc_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_vdump *v = ctx->priv;
	unsigned long next;
	bool more;
	int n, i, err;

	while (v->cur < v->nr_src) {
		struct mmscope_vsrc *s = &v->src[v->cur];

		n = mmscope_vhold(v, s, ctx->cursor, &more, &next);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			err = mmscope_vemit(v, s, &v->buf[i]);
			if (err)
				return err;
		}
		if (more) {
			ctx->cursor = next;
		} else {
			v->cur++;
			ctx->cursor = 0;
		}
		if (mmscope_full(ctx))
			return 1;
		cond_resched();
	}
	return mmscope_emit(ctx, &v->sum, MMSCOPE_REC_VMALLOC_SUMMARY,
			    sizeof(v->sum));
}

static void mmscope_vmalloc_show(struct seq_buf *s,
				 const struct mmscope_rec_hdr *hdr)
{
	static const char *const words[] = {
		"ioremap", "vmalloc", "vmap", "user", "dma-coherent", "sparse",
		"vpages", "uninitialized", "no_guard", "huge", "reset_perms",
		"vm_map_ram", "unpurged",
	};
	const struct mmscope_vmalloc_area *a = (const void *)hdr;
	const struct mmscope_vmalloc_summary *m = (const void *)hdr;
	size_t i;

	switch (hdr->type) {
	case MMSCOPE_REC_VMALLOC_AREA:
		seq_buf_printf(s, "0x%016llx-0x%016llx %9llu %s pages=%u",
			       a->start, a->end, a->size,
			       a->caller_sym[0] ? a->caller_sym : "-",
			       a->nr_pages);
		if (a->phys)
			seq_buf_printf(s, " phys=%#llx", a->phys);
		for (i = 0; i < ARRAY_SIZE(words); i++)
			if (a->flags & (1U << i))
				seq_buf_printf(s, " %s", words[i]);
		seq_buf_printf(s, " | node %u tables pud %llu pmd %llu pte %llu",
			       a->node, a->tables[0], a->tables[1],
			       a->tables[2]);
		seq_buf_printf(s, " mapped 4K %llu 2M %llu 1G %llu\n",
			       a->mapped[0], a->mapped[1], a->mapped[2]);
		break;
	case MMSCOPE_REC_VMALLOC_SUMMARY:
		seq_buf_printf(s,
			       "# %llu areas (vmalloc %llu vmap %llu ioremap %llu other %llu vm_map_ram %llu unpurged %llu), %llu bytes, %llu pages; layout %u, %u nodes\n",
			       m->areas, m->by_kind[0], m->by_kind[1],
			       m->by_kind[2], m->by_kind[3], m->map_ram,
			       m->unpurged, m->bytes, m->pages, m->layout,
			       m->nodes);
		seq_buf_printf(s,
			       "# tables pud %llu pmd %llu pte %llu; mapped 4K %llu 2M %llu 1G %llu\n",
			       m->tables[0], m->tables[1], m->tables[2],
			       m->mapped[0], m->mapped[1], m->mapped[2]);
		seq_buf_printf(s,
			       "# %llu lock holds, at most %llu areas (limit %llu) and %llu ns in one; %llu walks, longest %llu ns\n",
			       m->holds, m->max_hold_areas, m->hold_limit,
			       m->max_hold_ns, m->walks, m->max_walk_ns);
		break;
	}
}

const struct mmscope_view_ops mmscope_vmalloc_view = {
	.name = "vmalloc",
	.view = MMSCOPE_VIEW_VMALLOC,
	.root_only = true,
	.start = mmscope_vmalloc_start,
	.fill = mmscope_vmalloc_fill,
	.show = mmscope_vmalloc_show,
	.stop = mmscope_vmalloc_stop,
};
