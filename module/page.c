// SPDX-License-Identifier: GPL-2.0
/*
 * The page view: one page frame, what it is, and every (process, address)
 * that maps it, found through the kernel's reverse map.
 *
 * The frame is named by PFN, or by a process and a virtual address (the
 * translate view's walk under mmap_lock, which is dropped before anything
 * else happens).  mmscope_frame_classify() (frame.c, shared with the phys
 * view) says what the frame is, computes its /proc/kpageflags bits and
 * finds a free frame's block and its pageblock's migratetype; the rest is
 * read here:
 *
 *  - A frame with an online struct page is pinned as GUP pins one:
 *    folio_try_get() on page_folio(), then page_folio() again must be the
 *    same folio (else it was split or freed and reused meanwhile: try
 *    again, at most MMSCOPE_PAGE_TRIES times).  The reference keeps the
 *    folio from being freed, split or migrated while it is read (both
 *    need the reference count they expect); it may still be unmapped,
 *    truncated or have its flags changed, which every step below allows.
 *  - A frame whose reference count is zero is free, or on its way to or
 *    from it: nothing is pinned, and what the classifier read is all.
 *  - Mappers of an anonymous folio: the anon_vma interval tree, locked as
 *    folio_lock_anon_vma_read() locks it (not exported): under
 *    rcu_read_lock() read folio->mapping, READ_ONCE(anon_vma->root),
 *    down_read_trylock() its rwsem, then check the folio is still mapped.
 *    anon_vma is SLAB_TYPESAFE_BY_RCU, and an anon_vma is freed only after
 *    its root rwsem has been taken for write (anon_vma_free()), so once the
 *    folio is seen mapped under the lock the anon_vma stays until it is
 *    dropped.  No anon_vma reference is taken (__put_anon_vma() is not
 *    exported, so one could not be dropped): if the trylock keeps failing
 *    the search is given up and reported incomplete ("busy").
 *  - Mappers of a page-cache folio: the mapping's i_mmap tree under
 *    i_mmap_rwsem held for read.  The mapping is pinned by a reference on
 *    its inode (igrab()), taken while the folio lock keeps
 *    folio->mapping from being truncated away (folio_trylock()).
 *  - Both trees are interval trees of VMAs by page offset
 *    (anon_vma_chain.rb and vm_area_struct.shared.rb, augmented with
 *    rb_subtree_last); their iterators are not exported, so the same
 *    search is done here with rb_first()-style navigation.  For each VMA
 *    found the address is computed from the page's offset, and the VMA's
 *    page table is read at that address (mmscope_walk_lookup(): PTE tables
 *    only inside RCU, as pte_offset_map() does): a mapper is reported
 *    only when a present leaf there maps this very PFN.  mmap_lock is
 *    never taken under the rmap lock (the kernel's order is the reverse).
 *  - Mappers of a KSM folio: its stable node's rmap_items, walked as
 *    rmap_walk_ksm() walks them, in page_ksm.c (layout from BTF, every
 *    pointer checked before it is followed; "ksm" when BTF lacks it); each
 *    candidate VMA goes through the same mmscope_page_bound() and
 *    mmscope_page_map_at() as the trees' here.  The zero page, and folios
 *    mapped without an rmap (special mappings such as the vDSO), have no
 *    reverse map: incomplete ("no_rmap").
 *  - Bounds: at most max_mappers mappers (parameter, default 4096) and
 *    max_vmas candidate VMAs (default 65536) per query, and one rmap lock
 *    hold of at most MMSCOPE_PAGE_HOLD_NS once MMSCOPE_PAGE_HOLD_MIN VMAs
 *    were visited in it; a bound that stops the search
 *    makes the answer incomplete and says which.  The longest hold is
 *    reported in the closing record, as the other views count theirs.
 *  - A process is named by its mm's owner (mm->owner, under RCU), its PID
 *    as the reader's PID namespace numbers it (0 when it has none there).
 *
 * On PREEMPT_RT the rwsems and zone->lock sleep: nothing here takes them
 * inside an RCU section or with interrupts off, except down_read_trylock(),
 * which does not sleep (and which folio_lock_anon_vma_read() takes there
 * too).
 */
#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/kernfs.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/page_ref.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/kernel-page-flags.h>
#include "mmscope.h"
#include "walk.h"
#include "frame.h"
#include "page_pcp.h"
#include "compat.h"
#include "page.h"
#include "page_pt.h"

/* Attempts at pinning a folio that keeps changing under us. */
#define MMSCOPE_PAGE_TRIES	3
/* Attempts at the anon_vma trylock, MMSCOPE_PAGE_WAIT_US apart. */
#define MMSCOPE_PAGE_LOCK_TRIES	20
#define MMSCOPE_PAGE_WAIT_US	200
/* Attempts at the folio lock that pins a page cache folio's mapping. */
#define MMSCOPE_PAGE_FLOCK_TRIES	20
/*
 * The longest rmap lock hold: past it the search stops (incomplete), once
 * it has visited MMSCOPE_PAGE_HOLD_MIN VMAs in that hold.  Fewer are
 * always visited, so a small tree is searched whole even when the CPU is
 * taken away meanwhile (a preempted vCPU, an interrupt storm): their work
 * bounds that hold.
 */
#define MMSCOPE_PAGE_HOLD_NS	(10 * NSEC_PER_MSEC)
#define MMSCOPE_PAGE_HOLD_MIN	256
/* Mapper records allocated at first; the array grows up to max_mappers. */
#define MMSCOPE_PAGE_MAPPERS0	32

static unsigned int mmscope_max_mappers = 4096;
static unsigned int mmscope_max_vmas = 65536;

static int mmscope_bound_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	/* Each mapper is a record kept until it is read: 1 Mi at most. */
	if (err || !v || v > (1U << 20))
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops mmscope_bound_ops = {
	.set = mmscope_bound_set,
	.get = param_get_uint,
};

module_param_cb(max_mappers, &mmscope_bound_ops, &mmscope_max_mappers, 0600);
MODULE_PARM_DESC(max_mappers, "page: most mappers reported per query (1..1048576)");
module_param_cb(max_vmas, &mmscope_bound_ops, &mmscope_max_vmas, 0600);
MODULE_PARM_DESC(max_vmas, "page: most reverse-map VMAs visited per query (1..1048576)");

/**
 * struct mmscope_page_priv - one page query
 * @rec: the page record, without its strings
 * @path: the file's path (PATH_MAX, from names_cache)
 * @memcg: the memcg's path (PATH_MAX, from names_cache)
 * @m: the mappers found, @nr of @room
 * @nr: mappers found
 * @room: room in @m
 * @cap: the most mappers reported (max_mappers when the query started)
 * @max_vmas: the VMA bound in force
 * @vmas: candidate VMAs visited
 * @hold_ns: longest rmap lock hold
 * @why: enum mmscope_page_why
 * @pfn: the frame
 * @pgoff: the page's offset in its anon_vma or file, in pages
 * @ns: the reader's PID namespace
 * @lock_start: when the current rmap lock hold began
 * @hold_vmas: VMAs visited in the current hold
 * @pcp: the per-CPU list search's lock holds (page_pcp.c)
 * @pt: the page-table owner search (page_pt.c)
 */
struct mmscope_page_priv {
	struct mmscope_page *rec;
	char *path, *memcg;
	struct mmscope_page_mapper *m;
	u32 nr, room, cap, max_vmas;
	u64 vmas, hold_ns;
	u32 why;
	unsigned long pfn;
	pgoff_t pgoff;
	struct pid_namespace *ns;
	u64 lock_start;
	u32 hold_vmas;
	struct mmscope_pcp_stat pcp;
	struct mmscope_pt_search *pt;
};

/*
 * The mapcount /proc/kpagecount reports.  v6.12: the page's own mappings
 * plus those of its whole folio (PMD/PUD), a page type counting 0
 * (folio_precise_page_mapcount(), fs/proc/internal.h).  v6.1: 0 for slab
 * and typed pages, else page_mapcount() (mmscope_mapcount() is
 * folio_mapcount() where that is inline, so it is not used here).
 */
static int mmscope_page_mapcount(struct folio *folio, struct page *page)
{
#ifdef MMSCOPE_HAVE_FOLIO_LARGE_MAPCOUNT
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_has_type(page))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
#else
	if (PageSlab(page) || page_has_type(page))
		return 0;
	return page_mapcount(page);
#endif
}

/*
 * A large folio partly mapped: not mapped whole (PMD/PUD), some of its
 * pages mapped by PTEs and some not.  Read racily, as page by page.
 */
static bool mmscope_partially_mapped(struct folio *folio)
{
	long i, nr = folio_nr_pages(folio), mapped = 0;

	if (!folio_test_large(folio) || folio_test_hugetlb(folio) ||
	    folio_entire_mapcount(folio))
		return false;
	for (i = 0; i < nr; i++)
		if (atomic_read(&folio_page(folio, i)->_mapcount) >= 0)
			mapped++;
	return mapped && mapped < nr;
}

/* The memcg the folio is charged to, as /proc/kpagecgroup finds it. */
static void mmscope_page_memcg(struct mmscope_page *rec, struct folio *folio,
			       char *buf, size_t len)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *memcg;
	struct cgroup *cgrp = NULL;
	int n;

	rcu_read_lock();
	memcg = page_memcg_check(&folio->page);
	/* page_cgroup_ino(): the nearest online ancestor. */
	while (memcg && !(memcg->css.flags & CSS_ONLINE))
		memcg = parent_mem_cgroup(memcg);
	if (memcg && css_tryget(&memcg->css))
		cgrp = memcg->css.cgroup;
	rcu_read_unlock();
	if (!cgrp)
		return;
	rec->bits |= MMSCOPE_PAGE_MEMCG;
	rec->memcg_ino = cgroup_ino(cgrp);
	n = kernfs_path_from_node(cgrp->kn, NULL, buf, len);
	if (n > 0 && n < len)
		rec->memcg_len = n;
	else
		buf[0] = '\0';
	css_put(&memcg->css);
#endif
}

/*
 * Pin the inode of a page-cache folio's mapping: the folio lock keeps
 * folio->mapping from being cleared by truncation while igrab() takes the
 * reference.  NULL when the folio is not (or no longer) in a file's page
 * cache, or its lock stayed busy.
 */
static struct inode *mmscope_page_inode(struct folio *folio, bool *busy)
{
	struct address_space *mapping;
	struct inode *inode = NULL;
	int i;

	for (i = 0; !folio_trylock(folio); i++) {
		if (i == MMSCOPE_PAGE_FLOCK_TRIES) {
			*busy = true;
			return NULL;
		}
		usleep_range(MMSCOPE_PAGE_WAIT_US, 2 * MMSCOPE_PAGE_WAIT_US);
	}
	mapping = folio->mapping;
	if (mapping && !folio_test_anon(folio) &&
	    !((unsigned long)mapping & PAGE_MAPPING_FLAGS) && mapping->host)
		inode = igrab(mapping->host);
	folio_unlock(folio);
	return inode;
}

/* The page-cache facts: inode, index, path in its file system. */
static void mmscope_page_file(struct mmscope_page *rec, struct folio *folio,
			      struct page *page, struct inode *inode,
			      char *buf, size_t len)
{
	struct dentry *dentry;
	char *p;

	rec->bits |= MMSCOPE_PAGE_FILE;
	rec->file_inode = inode->i_ino;
	rec->file_dev = new_encode_dev(inode->i_sb->s_dev);
	rec->file_index = folio->index + folio_page_idx(folio, page);
	dentry = d_find_any_alias(inode);
	if (!dentry)
		return;
	p = dentry_path_raw(dentry, buf, len);
	dput(dentry);
	if (IS_ERR(p)) {
		buf[0] = '\0';
		return;
	}
	rec->path_len = strlen(p);
	memmove(buf, p, rec->path_len + 1);
}

/* The owner of @mm, as the reader's PID namespace names it. */
static void mmscope_page_owner(struct mmscope_page_priv *p,
			       struct mm_struct *mm,
			       struct mmscope_page_mapper *m)
{
#ifdef CONFIG_MEMCG
	struct task_struct *task;

	rcu_read_lock();
	task = rcu_dereference(mm->owner);
	if (task) {
		m->pid = task_tgid_nr_ns(task, p->ns);
		/* Racy as /proc/PID/stat's read of it: a rename may tear it. */
		strscpy_pad(m->comm, task->comm, sizeof(m->comm));
	}
	rcu_read_unlock();
#endif
}

/*
 * The mapper array starts small, so that a query takes no fresh pages from
 * the allocator in the common case (they could be the very frame asked
 * about).  When it is full the search stops (MMSCOPE_PAGE_GROW), the lock
 * is dropped, the array replaced by one twice as large (nothing is
 * allocated under an rmap lock: reclaim takes those locks too), and the
 * search starts again: at most log2(max_mappers / 32) times.
 */
#define MMSCOPE_PAGE_GROW	U32_MAX

static bool mmscope_page_grow(struct mmscope_page_priv *p)
{
	u32 room = min(p->room * 2, p->cap);
	struct mmscope_page_mapper *m;

	m = kvmalloc_array(room, sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return false;
	kvfree(p->m);
	p->m = m;
	p->room = room;
	return true;
}

/**
 * mmscope_page_bound() - count one more candidate VMA against the bounds
 * @p: the query
 *
 * Every VMA a reverse-map search looks at counts against max_vmas, and
 * against the lock-hold bound (see the top of this file).
 *
 * Return: false when a bound stops the search (@p's reason says which).
 */
bool mmscope_page_bound(struct mmscope_page_priv *p)
{
	if (++p->vmas > p->max_vmas) {
		p->why = MMSCOPE_WHY_MAX_VMAS;
		return false;
	}
	if (++p->hold_vmas > MMSCOPE_PAGE_HOLD_MIN &&
	    ktime_get_ns() - p->lock_start > MMSCOPE_PAGE_HOLD_NS) {
		p->why = MMSCOPE_WHY_HOLD;
		return false;
	}
	return true;
}

/**
 * mmscope_page_hold_over() - has the current lock hold run past its bound?
 * @p: the query
 * @n: the work done in this hold so far (entries read)
 *
 * The lock-hold bound of mmscope_page_bound(), for work that is not a
 * candidate VMA (the KSM walk's rmap_items).
 *
 * Return: true, with @p's reason set, once @n reached MMSCOPE_PAGE_HOLD_MIN
 * and the hold is longer than MMSCOPE_PAGE_HOLD_NS.
 */
bool mmscope_page_hold_over(struct mmscope_page_priv *p, u32 n)
{
	if (n < MMSCOPE_PAGE_HOLD_MIN ||
	    ktime_get_ns() - p->lock_start <= MMSCOPE_PAGE_HOLD_NS)
		return false;
	p->why = MMSCOPE_WHY_HOLD;
	return true;
}

/**
 * mmscope_page_map_at() - record a mapper if a VMA maps the frame at an address
 * @p: the query
 * @vma: a VMA found through the reverse map, its rmap lock held
 * @addr: an address inside @vma
 *
 * Reads @vma's page table at @addr (never under mmap_lock) and records a
 * mapper when a leaf there maps this very PFN.
 *
 * Return: 1 when a mapper was recorded, 0 when there is none at @addr,
 * -1 when a bound stops the search (@p's reason says which).
 */
int mmscope_page_map_at(struct mmscope_page_priv *p,
			struct vm_area_struct *vma, unsigned long addr)
{
	struct mmscope_pt_entry e;
	struct mmscope_page_mapper *m;
	unsigned long size;
	int level;

	level = mmscope_walk_lookup(vma->vm_mm, addr, &e);
	if (level == -EAGAIN && !p->why)
		p->why = MMSCOPE_WHY_CHANGED;
	if (level < 0)
		return 0;
	size = mmscope_pt_level_size(level);
	if (e.pfn + ((addr & (size - 1)) >> PAGE_SHIFT) != p->pfn)
		return 0;
	if (p->nr == p->cap) {
		p->why = MMSCOPE_WHY_MAX_MAPPERS;
		return -1;
	}
	if (p->nr == p->room) {
		p->why = MMSCOPE_PAGE_GROW;
		return -1;
	}
	m = &p->m[p->nr++];
	memset(m, 0, sizeof(*m));
	m->addr = addr;
	m->level = level;
	m->flags = e.flags;
	if (is_vm_hugetlb_page(vma))
		m->flags |= MMSCOPE_PTF_HUGETLB;
	mmscope_page_owner(p, vma->vm_mm, m);
	return 1;
}

/*
 * One candidate VMA of an anon_vma or i_mmap tree: does its page table map
 * the frame at the address the page's offset gives?  Returns false when a
 * bound stops the search.
 */
static bool mmscope_page_visit(struct mmscope_page_priv *p,
			       struct vm_area_struct *vma)
{
	unsigned long addr;

	if (!mmscope_page_bound(p))
		return false;
	if (p->pgoff < vma->vm_pgoff ||
	    p->pgoff - vma->vm_pgoff >= vma_pages(vma))
		return true;
	addr = vma->vm_start + ((p->pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	return mmscope_page_map_at(p, vma, addr) >= 0;
}

/*
 * The interval trees of the reverse map (anon_vma_chain.rb by its VMA's
 * page offsets, vm_area_struct.shared.rb likewise), searched as
 * INTERVAL_TREE_DEFINE()'s iter_first/iter_next search them: a node's
 * rb_subtree_last is the largest last offset in its subtree.
 */
struct mmscope_itree {
	struct vm_area_struct *(*vma)(struct rb_node *rb);
	unsigned long (*subtree_last)(struct rb_node *rb);
};

static unsigned long mmscope_it_start(const struct mmscope_itree *t,
				      struct rb_node *rb)
{
	return t->vma(rb)->vm_pgoff;
}

static unsigned long mmscope_it_last(const struct mmscope_itree *t,
				     struct rb_node *rb)
{
	struct vm_area_struct *vma = t->vma(rb);

	return vma->vm_pgoff + vma_pages(vma) - 1;
}

/* The leftmost node of @node's subtree whose interval holds @idx. */
static struct rb_node *mmscope_it_subtree(const struct mmscope_itree *t,
					  struct rb_node *node,
					  unsigned long idx)
{
	for (;;) {
		if (node->rb_left && idx <= t->subtree_last(node->rb_left)) {
			node = node->rb_left;
			continue;
		}
		if (mmscope_it_start(t, node) <= idx) {
			if (idx <= mmscope_it_last(t, node))
				return node;
			node = node->rb_right;
			if (node && idx <= t->subtree_last(node))
				continue;
		}
		return NULL;
	}
}

static struct rb_node *mmscope_it_first(const struct mmscope_itree *t,
					struct rb_root_cached *root,
					unsigned long idx)
{
	struct rb_node *node = root->rb_root.rb_node, *leftmost;

	if (!node || t->subtree_last(node) < idx)
		return NULL;
	leftmost = rb_first_cached(root);
	if (mmscope_it_start(t, leftmost) > idx)
		return NULL;
	return mmscope_it_subtree(t, node, idx);
}

static struct rb_node *mmscope_it_next(const struct mmscope_itree *t,
				       struct rb_node *node,
				       unsigned long idx)
{
	struct rb_node *rb = node->rb_right, *prev;

	for (;;) {
		if (rb && idx <= t->subtree_last(rb))
			return mmscope_it_subtree(t, rb, idx);
		do {
			rb = rb_parent(node);
			if (!rb)
				return NULL;
			prev = node;
			node = rb;
			rb = node->rb_right;
		} while (prev == rb);
		if (idx < mmscope_it_start(t, node))
			return NULL;
		if (idx <= mmscope_it_last(t, node))
			return node;
	}
}

static void mmscope_it_walk(struct mmscope_page_priv *p,
			    const struct mmscope_itree *t,
			    struct rb_root_cached *root)
{
	struct rb_node *rb;

	for (rb = mmscope_it_first(t, root, p->pgoff); rb;
	     rb = mmscope_it_next(t, rb, p->pgoff))
		if (!mmscope_page_visit(p, t->vma(rb)))
			break;
}

static struct vm_area_struct *mmscope_avc_vma(struct rb_node *rb)
{
	return rb_entry(rb, struct anon_vma_chain, rb)->vma;
}

static unsigned long mmscope_avc_last(struct rb_node *rb)
{
	return rb_entry(rb, struct anon_vma_chain, rb)->rb_subtree_last;
}

static struct vm_area_struct *mmscope_shared_vma(struct rb_node *rb)
{
	return rb_entry(rb, struct vm_area_struct, shared.rb);
}

static unsigned long mmscope_shared_last(struct rb_node *rb)
{
	return rb_entry(rb, struct vm_area_struct, shared.rb)->shared.rb_subtree_last;
}

static const struct mmscope_itree mmscope_avc_tree = {
	.vma = mmscope_avc_vma,
	.subtree_last = mmscope_avc_last,
};

static const struct mmscope_itree mmscope_i_mmap_tree = {
	.vma = mmscope_shared_vma,
	.subtree_last = mmscope_shared_last,
};

/**
 * mmscope_page_hold_begin() - a reverse-map lock was just taken
 * @p: the query
 */
void mmscope_page_hold_begin(struct mmscope_page_priv *p)
{
	p->lock_start = ktime_get_ns();
	p->hold_vmas = 0;
}

/**
 * mmscope_page_hold_end() - account the hold of a reverse-map lock
 * @p: the query
 *
 * Call just before the lock taken at mmscope_page_hold_begin() (or as
 * page.c's own searches start theirs) is dropped: the longest hold is
 * reported.
 */
void mmscope_page_hold_end(struct mmscope_page_priv *p)
{
	u64 held = ktime_get_ns() - p->lock_start;

	p->hold_ns = max(p->hold_ns, held);
}

/* Mappers of an anonymous (not KSM) folio, as described at the top. */
static void mmscope_page_rmap_anon(struct mmscope_page_priv *p,
				   struct folio *folio)
{
	struct anon_vma *anon_vma, *root;
	unsigned long mapping;
	int tries;

	for (tries = 0;; tries++) {
		rcu_read_lock();
		mapping = (unsigned long)READ_ONCE(folio->mapping);
		if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON) {
			rcu_read_unlock();
			p->why = MMSCOPE_WHY_CHANGED;
			return;
		}
		if (!folio_mapped(folio)) {
			rcu_read_unlock();
			return;
		}
		anon_vma = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
		root = READ_ONCE(anon_vma->root);
		if (down_read_trylock(&root->rwsem)) {
			p->lock_start = ktime_get_ns();
			p->hold_vmas = 0;
			rcu_read_unlock();
			break;
		}
		rcu_read_unlock();
		if (tries == MMSCOPE_PAGE_LOCK_TRIES) {
			p->why = MMSCOPE_WHY_BUSY;
			return;
		}
		usleep_range(MMSCOPE_PAGE_WAIT_US, 2 * MMSCOPE_PAGE_WAIT_US);
	}
	/*
	 * Unmapped between the read of ->mapping and the lock: the anon_vma
	 * may be on its way out; only the lock is touched (as the kernel).
	 */
	if (folio_mapped(folio))
		mmscope_it_walk(p, &mmscope_avc_tree, &anon_vma->rb_root);
	mmscope_page_hold_end(p);
	up_read(&root->rwsem);
}

/* Mappers of a page-cache folio whose inode the caller pinned. */
static void mmscope_page_rmap_file(struct mmscope_page_priv *p,
				   struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	if (down_read_killable(&mapping->i_mmap_rwsem)) {
		p->why = MMSCOPE_WHY_BUSY;
		return;
	}
	p->lock_start = ktime_get_ns();
	p->hold_vmas = 0;
	mmscope_it_walk(p, &mmscope_i_mmap_tree, &mapping->i_mmap);
	mmscope_page_hold_end(p);
	up_read(&mapping->i_mmap_rwsem);
}

/* Mappers of a KSM folio (page_ksm.c); a bound's reason, if one stopped it. */
static void mmscope_page_ksm(struct mmscope_page_priv *p, struct folio *folio)
{
	u32 why = mmscope_page_rmap_ksm(p, folio, p->room, p->max_vmas);

	if (why && !p->why)
		p->why = why;
}

/*
 * The offset of @page in its anon_vma or file, in pages, as the rmap walk
 * computes it.  Before v6.7 (commit a08c7193e4f1, "mm/filemap: remove
 * hugetlb special casing in filemap.c") a hugetlb folio's index counts huge
 * pages; no header shows it.
 */
static pgoff_t mmscope_page_pgoff(struct folio *folio, struct page *page)
{
	if (folio_test_hugetlb(folio)) {
#if MMSCOPE_KERNEL < 607
		return (folio->index << folio_order(folio)) +
		       folio_page_idx(folio, page);
#endif
	}
	return folio->index + folio_page_idx(folio, page);
}

/*
 * Pin the folio of @page (see the top of this file).  NULL when it is
 * free (reference count zero) or kept changing.
 */
static struct folio *mmscope_page_pin(struct page *page, bool *changed)
{
	struct folio *folio;
	int i;

	for (i = 0; i < MMSCOPE_PAGE_TRIES; i++) {
		folio = page_folio(page);
		if (!folio_try_get(folio))
			return NULL;
		if (page_folio(page) == folio)
			return folio;
		folio_put(folio);
	}
	*changed = true;
	return NULL;
}

/* What the struct page and its folio say; @folio pinned. */
static void mmscope_page_folio(struct mmscope_page_priv *p,
			       struct folio *folio, struct page *page,
			       char *path, char *memcg)
{
	struct mmscope_page *rec = p->rec;
	struct mmscope_slab_obj obj;
	struct inode *inode = NULL;
	bool busy = false;

	rec->refcount = folio_ref_count(folio) - 1;
	rec->mapcount = mmscope_page_mapcount(folio, page);
	rec->folio_pfn = folio_pfn(folio);
	rec->folio_order = folio_order(folio);
	if (folio_test_large(folio))
		rec->bits |= MMSCOPE_PAGE_LARGE;
	if (mmscope_partially_mapped(folio))
		rec->bits |= MMSCOPE_PAGE_PARTIAL;
	if (folio_test_anon(folio) && !folio_test_ksm(folio) &&
	    PageAnonExclusive(folio_test_hugetlb(folio) ? &folio->page : page))
		rec->bits |= MMSCOPE_PAGE_ANON_EXCL;
	if (folio_test_slab(folio) &&
	    !mmscope_slab_obj_at((unsigned long)page_address(page), &obj)) {
		rec->bits |= MMSCOPE_PAGE_SLAB;
		strscpy(rec->slab_cache, obj.cache, sizeof(rec->slab_cache));
		rec->slab_object = obj.index;
	}
	if (!folio_test_anon(folio) && !folio_test_slab(folio) &&
	    folio->mapping)
		inode = mmscope_page_inode(folio, &busy);
	if (inode)
		mmscope_page_file(rec, folio, page, inode, path, PATH_MAX);
	mmscope_page_memcg(rec, folio, memcg, PATH_MAX);

	/* Who maps it: again with more room while the array was too small. */
	p->pgoff = mmscope_page_pgoff(folio, page);
	do {
		if (p->why == MMSCOPE_PAGE_GROW && !mmscope_page_grow(p)) {
			p->why = MMSCOPE_WHY_NOMEM;
			break;
		}
		p->nr = 0;
		p->vmas = 0;
		p->why = MMSCOPE_WHY_COMPLETE;
		if (!folio_mapped(folio) && !PageReserved(page))
			;
		else if (!folio_mapped(folio))
			/* Reserved memory is mapped as raw PFNs, uncounted. */
			p->why = MMSCOPE_WHY_NO_RMAP;
		else if (folio_test_ksm(folio))
			mmscope_page_ksm(p, folio);
		else if (folio_test_anon(folio))
			mmscope_page_rmap_anon(p, folio);
		else if (inode)
			mmscope_page_rmap_file(p, inode);
		else
			p->why = busy ? MMSCOPE_WHY_BUSY : MMSCOPE_WHY_NO_RMAP;
	} while (p->why == MMSCOPE_PAGE_GROW);
	if (inode)
		iput(inode);
}

/* The free block of a free frame, as the classifier found it. */
static void mmscope_page_buddy(struct mmscope_page *rec,
			       const struct mmscope_frame *f)
{
	int mt = mmscope_pfn_migratetype(f->buddy_pfn);

	rec->bits |= MMSCOPE_PAGE_BUDDY;
	rec->buddy_pfn = f->buddy_pfn;
	rec->buddy_order = f->buddy_order;
	rec->buddy_mt = mt < 0 ? MMSCOPE_MT_UNKNOWN : mt;
	strscpy(rec->buddy_mt_name, mmscope_migratetype_name(mt),
		sizeof(rec->buddy_mt_name));
}

/* Everything about p->pfn into p->rec and p->m. */
static int mmscope_page_read(struct mmscope_page_priv *p)
{
	struct mmscope_page *rec = p->rec;
	unsigned long pfn = p->pfn;
	struct mmscope_frame f;
	struct folio *folio;
	struct page *page;
	struct zone *zone;
	bool changed = false;
	int err;

	rec->pfn = pfn;
	rec->phys = (u64)pfn << PAGE_SHIFT;
	rec->node = NUMA_NO_NODE;
	err = mmscope_frame_classify(pfn, &f);
	if (err)
		return err;
	rec->section = f.section;
	if (pfn_valid(pfn) && mmscope_memory_block_bytes()) {
		rec->bits |= MMSCOPE_PAGE_BLOCK;
		rec->memory_block = rec->section /
			(mmscope_memory_block_bytes() >> SECTION_SIZE_BITS);
	}
	rec->kind = f.kind;
	rec->flags = f.kpf;
	page = f.page;
	if (!page) {
		/* No struct page to reach a reverse map through. */
		p->why = MMSCOPE_WHY_NO_RMAP;
		return 0;
	}
	rec->bits |= MMSCOPE_PAGE_STRUCT;
	rec->folio_pfn = pfn;
	zone = page_zone(page);
	/*
	 * A frame outside every zone's span (the memmap of a hole below the
	 * first zone, pfn 0) has the zone links its memmap was initialised
	 * with: belonging to no zone, it is shown in none.
	 */
	if (zone_spans_pfn(zone, pfn)) {
		rec->bits |= MMSCOPE_PAGE_ZONE;
		rec->node = page_to_nid(page);
		rec->zone_idx = zone_idx(zone);
		strscpy(rec->zone, zone->name, sizeof(rec->zone));
		rec->pageblock_pfn = ALIGN_DOWN(pfn, pageblock_nr_pages);
		rec->pageblock_mt = f.migratetype;
		strscpy(rec->pageblock_mt_name,
			mmscope_migratetype_name(f.migratetype == MMSCOPE_MT_UNKNOWN ?
						 -1 : f.migratetype),
			sizeof(rec->pageblock_mt_name));
	}
	if (f.kind == MMSCOPE_FRAME_FREE)
		mmscope_page_buddy(rec, &f);
	if (f.kind == MMSCOPE_FRAME_ZERO) {
		/* The (huge) zero page: mapped everywhere, by no reverse map. */
		rec->mapcount = mmscope_page_mapcount(page_folio(page), page);
		rec->refcount = page_ref_count(page);
		p->why = MMSCOPE_WHY_NO_RMAP;
		return 0;
	}
	folio = mmscope_page_pin(page, &changed);
	if (!folio) {
		if (changed) {
			rec->bits |= MMSCOPE_PAGE_CHANGED;
			p->why = MMSCOPE_WHY_CHANGED;
			return 0;
		}
		/* Reference count zero: free, or on its way to or from it. */
		rec->mapcount = mmscope_page_mapcount(page_folio(page), page);
		if (f.kind != MMSCOPE_FRAME_FREE &&
		    (rec->bits & MMSCOPE_PAGE_ZONE))
			mmscope_page_pcp(rec, page, &p->pcp);
		if (rec->bits & MMSCOPE_PAGE_PCP)
			rec->kind = MMSCOPE_FRAME_FREE;
		return 0;
	}
	mmscope_page_folio(p, folio, page, p->path, p->memcg);
	folio_put(folio);
	return 0;
}

static int mmscope_page_start(struct mmscope_ctx *ctx)
{
	struct mmscope_page_priv *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	ctx->priv = p;
	if (!p)
		return -ENOMEM;
	if (ctx->q.pid && ctx->q.start >= TASK_SIZE_MAX)
		return -EINVAL;
	/* A PFN beyond what the CPU can address names no frame. */
	if (!ctx->q.pid && ctx->q.start >= 1ULL << (MAX_PHYSMEM_BITS - PAGE_SHIFT))
		return -EINVAL;
	p->cap = READ_ONCE(mmscope_max_mappers);
	p->max_vmas = READ_ONCE(mmscope_max_vmas);
	/*
	 * Nothing larger than a page, nothing from the page allocator
	 * directly: a query should not take fresh frames (they could be the
	 * frame asked about); the path buffers come from names_cache.
	 */
	p->rec = kzalloc(sizeof(*p->rec), GFP_KERNEL_ACCOUNT);
	p->path = kmem_cache_zalloc(names_cachep, GFP_KERNEL_ACCOUNT);
	p->memcg = kmem_cache_zalloc(names_cachep, GFP_KERNEL_ACCOUNT);
	p->room = min_t(u32, p->cap, MMSCOPE_PAGE_MAPPERS0);
	p->m = kvmalloc_array(p->room, sizeof(*p->m), GFP_KERNEL_ACCOUNT);
	p->pt = mmscope_pt_search_new();
	if (!p->path || !p->memcg || !p->pt)
		return -ENOMEM;
	return p->rec && p->m ? 0 : -ENOMEM;
}

static void mmscope_page_stop(struct mmscope_ctx *ctx)
{
	struct mmscope_page_priv *p = ctx->priv;

	if (!p)
		return;
	kfree(p->rec);
	if (p->path)
		kmem_cache_free(names_cachep, p->path);
	if (p->memcg)
		kmem_cache_free(names_cachep, p->memcg);
	kvfree(p->m);
	mmscope_pt_search_free(p->pt);
	kfree(p);
}

/* The frame behind the query's address in its process. */
static int mmscope_page_resolve(struct mmscope_ctx *ctx,
				struct mmscope_page_priv *p)
{
	struct mm_struct *mm;
	u64 pfn;
	u32 level;
	int err = 0;

	mm = mmscope_mm_read_lock(ctx, &err);
	if (!mm)
		return err;
	err = mmscope_translate_pfn(mm, ctx->q.start, &pfn, &level);
	mmscope_mm_read_unlock(mm);
	if (err)
		return err;
	p->pfn = pfn;
	p->rec->pid = ctx->q.pid;
	p->rec->vaddr = ctx->q.start;
	p->rec->vaddr_level = level;
	return 0;
}

static int mmscope_page_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_page_priv *p = ctx->priv;
	struct mmscope_page *rec = p->rec;
	struct mmscope_page_end end = {};
	u64 t0 = ktime_get_ns();
	struct mmscope_page *out;
	size_t len, off;
	u32 i;
	int err;

	if (ctx->phase)
		return 0;
	ctx->phase = 1;
	p->ns = task_active_pid_ns(current);
	if (ctx->q.pid) {
		err = mmscope_page_resolve(ctx, p);
		if (err)
			return err;
	} else {
		p->pfn = ctx->q.start;
	}
	err = mmscope_page_read(p);
	if (!err && (rec->bits & MMSCOPE_PAGE_STRUCT))
		err = mmscope_pt_search(p->pt, p->pfn, rec->kind, p->ns);
	if (err)
		return err;
	/* The record with its two strings, each NUL-terminated, 8-aligned. */
	off = ALIGN(rec->path_len + 1, 8);
	len = sizeof(*rec) + off + ALIGN(rec->memcg_len + 1, 8);
	out = kzalloc(len, GFP_KERNEL_ACCOUNT);
	if (!out)
		return -ENOMEM;
	memcpy(out, rec, sizeof(*rec));
	memcpy(out->strings, p->path, rec->path_len);
	memcpy(out->strings + off, p->memcg, rec->memcg_len);
	err = mmscope_emit(ctx, out, MMSCOPE_REC_PAGE, len);
	kfree(out);
	if (!err)
		err = mmscope_pt_emit(ctx, p->pt);
	for (i = 0; !err && i < p->nr; i++)
		err = mmscope_emit(ctx, &p->m[i], MMSCOPE_REC_PAGE_MAPPER,
				   sizeof(p->m[i]));
	if (err)
		return err;
	end.mappers = p->nr;
	end.vmas = p->vmas;
	end.hold_ns = p->hold_ns;
	end.complete = p->why == MMSCOPE_WHY_COMPLETE;
	end.why = p->why;
	end.max_mappers = p->cap;
	end.max_vmas = p->max_vmas;
	end.pcp_hold_ns = p->pcp.hold_ns;
	end.pcp_entries = p->pcp.entries;
	end.pcp_locks = p->pcp.locks;
	end.total_ns = ktime_get_ns() - t0;
	/* 0: the view is complete, the end record follows. */
	return mmscope_emit(ctx, &end, MMSCOPE_REC_PAGE_END, sizeof(end));
}

static const char *const mmscope_page_whys[] = MMSCOPE_PAGE_WHY_NAMES;
static const char *const mmscope_frame_kinds[] = MMSCOPE_FRAME_KIND_NAMES;

static void mmscope_page_show(struct seq_buf *s,
			      const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_page *r = (const void *)hdr;
	const struct mmscope_page_mapper *m = (const void *)hdr;
	const struct mmscope_page_end *e = (const void *)hdr;
	int bit;

	switch (hdr->type) {
	case MMSCOPE_REC_PAGE:
		seq_buf_printf(s, "pfn %#llx phys %#llx kind %s\n", r->pfn,
			       r->phys,
			       r->kind < ARRAY_SIZE(mmscope_frame_kinds) &&
			       mmscope_frame_kinds[r->kind] ?
			       mmscope_frame_kinds[r->kind] : "?");
		seq_buf_printf(s, "section %llu", r->section);
		if (r->bits & MMSCOPE_PAGE_BLOCK)
			seq_buf_printf(s, " memory_block %llu", r->memory_block);
		if (r->bits & MMSCOPE_PAGE_ZONE)
			seq_buf_printf(s, " node %d zone %s pageblock %#llx %s",
				       r->node, r->zone, r->pageblock_pfn,
				       r->pageblock_mt_name);
		seq_buf_printf(s, "\nkpageflags %#llx:", r->flags);
		for (bit = 0; bit < 64; bit++)
			if (r->flags & BIT_ULL(bit))
				seq_buf_printf(s, " %d", bit);
		seq_buf_printf(s, "\nrefcount %d mapcount %d folio %#llx order %u%s%s\n",
			       r->refcount, r->mapcount, r->folio_pfn,
			       r->folio_order,
			       r->bits & MMSCOPE_PAGE_LARGE ? " large" : "",
			       r->bits & MMSCOPE_PAGE_PARTIAL ?
			       " partially_mapped" : "");
		if (r->bits & MMSCOPE_PAGE_BUDDY)
			seq_buf_printf(s, "buddy block %#llx order %u %s\n",
				       r->buddy_pfn, r->buddy_order,
				       r->buddy_mt_name);
		if (r->bits & MMSCOPE_PAGE_PCP)
			seq_buf_printf(s, "pcp cpu %d block %#llx order %u %s\n",
				       r->pcp_cpu, r->pcp_pfn, r->pcp_order,
				       r->pcp_mt_name);
		if (r->bits & MMSCOPE_PAGE_SLAB)
			seq_buf_printf(s, "slab %s object %u\n", r->slab_cache,
				       r->slab_object);
		if (r->bits & MMSCOPE_PAGE_FILE)
			seq_buf_printf(s, "file %s inode %llu index %llu\n",
				       r->path_len ? r->strings : "?",
				       r->file_inode, r->file_index);
		if (r->bits & MMSCOPE_PAGE_MEMCG)
			seq_buf_printf(s, "memcg %s\n", r->strings +
				       ALIGN(r->path_len + 1, 8));
		break;
	case MMSCOPE_REC_PAGE_MAPPER:
		seq_buf_printf(s, "mapper pid %d comm %.16s addr %#llx %s ",
			       m->pid, m->comm, m->addr,
			       mmscope_pt_level_name(m->level));
		mmscope_pt_show_flags(s, m->flags);
		seq_buf_printf(s, "\n");
		break;
	case MMSCOPE_REC_PAGE_END:
		seq_buf_printf(s, "mappers %llu %s (%llu VMAs, rmap lock held %llu ns)\n",
			       e->mappers, e->complete ? "complete" :
			       e->why < ARRAY_SIZE(mmscope_page_whys) ?
			       mmscope_page_whys[e->why] : "?",
			       e->vmas, e->hold_ns);
		if (e->pcp_locks)
			seq_buf_printf(s, "pcp %u entries in %u lock holds, longest %llu ns\n",
				       e->pcp_entries, e->pcp_locks,
				       e->pcp_hold_ns);
		break;
	default:
		mmscope_pt_show(s, hdr);
		break;
	}
}

const struct mmscope_view_ops mmscope_page_view = {
	.name = "page",
	.view = MMSCOPE_VIEW_PAGE,
	.mm_if_pid = true,
	.root_only = true,
	.start = mmscope_page_start,
	.fill = mmscope_page_fill,
	.show = mmscope_page_show,
	.stop = mmscope_page_stop,
};
