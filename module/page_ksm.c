// SPDX-License-Identifier: GPL-2.0
/*
 * The page view's mappers of a KSM folio, found as rmap_walk_ksm()
 * (mm/ksm.c, not exported) finds them.
 *
 * A KSM folio's mapping (flagged PAGE_MAPPING_KSM) is its stable node,
 * whose hlist holds one rmap_item per (mm, address) merged into it, each
 * with the anon_vma of its VMA.  Both structures are private to mm/ksm.c:
 * their members' offsets come from the running kernel's BTF (btf.c),
 * resolved on the first KSM query (struct ksm_stable_node and
 * ksm_rmap_item, stable_node and rmap_item before their rename); without
 * them the answer stays incomplete ("ksm").
 *
 * Nothing read at those offsets is followed before it is checked against
 * live data (a failed check stops the search: "changed"):
 *  - the stable node must be the start of an object of the slab cache
 *    stable nodes come from (ksm.c's stable_node_cache, found with
 *    kallsyms and checked to be a live cache; its name, else
 *    "ksm_stable_node", compared with the object's cache: a merged cache
 *    has its first member's name), and its kpfn this folio's PFN;
 *  - each rmap_item the start of an object of rmap_item_cache's cache,
 *    its head the stable node, its address flagged STABLE_FLAG;
 *  - each anon_vma, and its root, the start of an "anon_vma" object,
 *    before the root's rwsem is tried.
 * The rmap_item's mm is only compared with VMAs' vm_mm, never followed.
 *
 * Locking is rmap_walk_ksm()'s: the folio lock (folio_trylock(), bounded
 * retries, else "busy") keeps the stable node's hlist and each
 * rmap_item's anon_vma reference; the rmap_items are read and checked
 * under it first (the slab checks only try slab_mutex: "busy" after
 * bounded retries; never under an rmap lock), then for each one its anon_vma's root rwsem is tried
 * (down_read_trylock(), bounded retries, else "busy") and the anon_vma's
 * whole interval tree walked: a VMA covering the rmap_item's address
 * (address & PAGE_MASK) is a candidate, first those of the rmap_item's
 * own mm, then, as rmap_walk_ksm()'s second pass, those of other mms
 * (children forked since ksmd last saw the page) for which no rmap_item
 * of this node exists.  A candidate's page table is read at the address
 * by page.c's mmscope_page_map_at(): a mapper only where a leaf maps this
 * very PFN.  A mapper found by the second pass is recorded once (a
 * grandchild is in the trees of its parent's and grandparent's anon_vmas).
 * mmap_lock is never taken.
 *
 * Bounds, page.c's: every tree node visited counts against max_vmas and
 * the hold bound, measured from the folio lock; at most max_vmas
 * rmap_items (collected into an array that starts at the folio's
 * mapcount and doubles, the lock dropped in between), whatever the stable
 * node's rmap_hlist_len says, and no more once the hold bound has passed
 * while they are read (mmscope_page_hold_over()).
 */
#include <linux/bsearch.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "mmscope.h"
#include "btf.h"
#include "page.h"

#define MMSCOPE_KSM_BTF_PATH	"/sys/kernel/btf/vmlinux"
/* mm/ksm.c: rmap_item->address's flag "is listed from the stable tree". */
#define MMSCOPE_KSM_STABLE_FLAG	0x200
/* Attempts at the folio lock and the anon_vma trylock, WAIT_US apart. */
#define MMSCOPE_KSM_TRIES	20
#define MMSCOPE_KSM_WAIT_US	200
/* rmap_items room at first, at least. */
#define MMSCOPE_KSM_ITEMS0	16

/**
 * struct mmscope_ksm_layout - what the KSM walk needs, from BTF
 * @ok: resolved
 * @failed: cannot be resolved on this kernel (BTF lacks something)
 * @sn_size: sizeof(struct ksm_stable_node)
 * @ri_size: sizeof(struct ksm_rmap_item)
 * @sn_hlist: offset of ksm_stable_node.hlist (struct hlist_head)
 * @sn_kpfn: offset of ksm_stable_node.kpfn
 * @ri_mm: offset of ksm_rmap_item.mm
 * @ri_address: offset of ksm_rmap_item.address
 * @ri_anon_vma: offset of ksm_rmap_item.anon_vma
 * @ri_head: offset of ksm_rmap_item.head
 * @ri_hlist: offset of ksm_rmap_item.hlist (struct hlist_node)
 * @sn_cache: name of the cache stable nodes come from
 * @ri_cache: name of the cache rmap_items come from
 */
struct mmscope_ksm_layout {
	bool ok, failed;
	u32 sn_size, ri_size;
	u32 sn_hlist, sn_kpfn;
	u32 ri_mm, ri_address, ri_anon_vma, ri_head, ri_hlist;
	char sn_cache[MMSCOPE_NAME_LEN], ri_cache[MMSCOPE_NAME_LEN];
};

static struct mmscope_ksm_layout ksm;
static DEFINE_MUTEX(mmscope_ksm_lock);

/*
 * Testing only: a wrong offset for the checks to catch, one member's read
 * 8 bytes off (still inside the object): bit 0 the stable node's kpfn,
 * bit 1 the rmap_item's head.
 */
#define MMSCOPE_KSM_CORRUPT_KPFN	BIT(0)
#define MMSCOPE_KSM_CORRUPT_HEAD	BIT(1)
static unsigned int mmscope_ksm_corrupt;
module_param_named(ksm_corrupt, mmscope_ksm_corrupt, uint, 0600);
MODULE_PARM_DESC(ksm_corrupt,
		 "testing: read KSM's kpfn (1) / rmap_item head (2) at a wrong offset");

/* @off, or 8 bytes off it when @bit of ksm_corrupt asks (in @size). */
static u32 mmscope_ksm_off(u32 off, u32 size, unsigned int bit)
{
	if (!(READ_ONCE(mmscope_ksm_corrupt) & bit))
		return off;
	return off + 2 * sizeof(long) <= size ? off + sizeof(long) :
	       off - sizeof(long);
}

struct mmscope_ksm_need {
	bool stable;		/* in the stable node, else in the rmap_item */
	const char *mname;
	u32 size;
	size_t field;
};

#define NEED(st, m, sz, f) \
	{ st, m, sz, offsetof(struct mmscope_ksm_layout, f) }

static const struct mmscope_ksm_need mmscope_ksm_needs[] = {
	NEED(true, "hlist", sizeof(struct hlist_head), sn_hlist),
	NEED(true, "kpfn", sizeof(unsigned long), sn_kpfn),
	NEED(false, "mm", sizeof(void *), ri_mm),
	NEED(false, "address", sizeof(unsigned long), ri_address),
	NEED(false, "anon_vma", sizeof(void *), ri_anon_vma),
	NEED(false, "head", sizeof(void *), ri_head),
	NEED(false, "hlist", sizeof(struct hlist_node), ri_hlist),
};

/* The struct names, as 6.0 renamed them, then before. */
static const char *const mmscope_ksm_sn_names[] = {
	"ksm_stable_node", "stable_node",
};

static const char *const mmscope_ksm_ri_names[] = {
	"ksm_rmap_item", "rmap_item",
};

static const char *mmscope_ksm_struct(const struct mmscope_btf *btf,
				      const char *const names[2], u32 *size)
{
	int i;

	for (i = 0; i < 2; i++)
		if (!mmscope_btf_struct_size(btf, names[i], size))
			return names[i];
	return NULL;
}

/*
 * The name of the cache ksm.c allocates from (@sym holds its pointer),
 * else @fallback (the name ksm.c gives it): a merged cache is named after
 * its first member.
 */
static void mmscope_ksm_cache(const char *sym, const char *fallback,
			      char *buf)
{
	void *const *cachep = mmscope_ksym(sym);

	if (!cachep || mmscope_slab_cache_name(READ_ONCE(*cachep), buf,
					       MMSCOPE_NAME_LEN))
		strscpy(buf, fallback, MMSCOPE_NAME_LEN);
}

/* Resolve the layout once; 0, -ENOENT when this kernel's BTF lacks it. */
static int mmscope_ksm_resolve_locked(void)
{
	const char *sn, *ri;
	struct mmscope_btf *btf;
	size_t i;
	int err;

	btf = mmscope_btf_load(MMSCOPE_KSM_BTF_PATH, &err);
	if (!btf)
		return err;
	sn = mmscope_ksm_struct(btf, mmscope_ksm_sn_names, &ksm.sn_size);
	ri = mmscope_ksm_struct(btf, mmscope_ksm_ri_names, &ksm.ri_size);
	err = sn && ri ? 0 : -ENOENT;
	for (i = 0; !err && i < ARRAY_SIZE(mmscope_ksm_needs); i++) {
		const struct mmscope_ksm_need *nd = &mmscope_ksm_needs[i];
		struct mmscope_btf_field f;
		u32 off, ssize = nd->stable ? ksm.sn_size : ksm.ri_size;

		err = mmscope_btf_member(btf, nd->stable ? sn : ri, nd->mname,
					 &f);
		if (err) {
			err = -ENOENT;
			break;
		}
		off = f.bit_off / BITS_PER_BYTE;
		if (f.bit_size || f.bit_off % BITS_PER_BYTE || f.nelems ||
		    f.size != nd->size || off % sizeof(long) ||
		    off + f.size > ssize) {
			err = -ENOENT;
			break;
		}
		*(u32 *)((void *)&ksm + nd->field) = off;
	}
	mmscope_btf_free(btf);
	if (err) {
		pr_info("page: KSM mappers not walked: BTF lacks the stable node's layout\n");
		return err;
	}
	mmscope_ksm_cache("stable_node_cache", "ksm_stable_node", ksm.sn_cache);
	mmscope_ksm_cache("rmap_item_cache", "ksm_rmap_item", ksm.ri_cache);
	return 0;
}

static bool mmscope_ksm_resolve(void)
{
	int err;

	/* Pairs with the release below: the layout is read after ok. */
	if (smp_load_acquire(&ksm.ok))
		return true;
	if (mutex_lock_killable(&mmscope_ksm_lock))
		return false;
	if (!ksm.ok && !ksm.failed) {
		err = mmscope_ksm_resolve_locked();
		/* Out of memory, a signal: the next query tries again. */
		if (err == -ENOENT)
			ksm.failed = true;
		else if (!err)
			/* The layout, then ok: see the acquire above. */
			smp_store_release(&ksm.ok, true);
	}
	mutex_unlock(&mmscope_ksm_lock);
	return ksm.ok;
}

/*
 * Is @addr the start of a live-slab object of cache @cache, at least
 * @size bytes long?  0 if so, MMSCOPE_WHY_BUSY when slab_mutex is held
 * (only tried: the folio lock is held), else MMSCOPE_WHY_CHANGED.
 */
static u32 mmscope_ksm_object(const void *addr, const char *cache, u32 size)
{
	struct mmscope_slab_obj obj = {};
	int err;

	if (!addr)
		return MMSCOPE_WHY_CHANGED;
	err = mmscope_slab_obj_at_nowait((unsigned long)addr, &obj);
	if (err == -EBUSY)
		return MMSCOPE_WHY_BUSY;
	if (err || strcmp(obj.cache, cache) || obj.object_size < size)
		return MMSCOPE_WHY_CHANGED;
	/* KFENCE: one object on a guarded page of its own, no index. */
	if (obj.flags & MMSCOPE_SLAB_OBJ_KFENCE)
		return 0;
	return obj.in_object && !obj.offset ? 0 : MMSCOPE_WHY_CHANGED;
}

static unsigned long mmscope_ksm_rd(const void *base, u32 off)
{
	return READ_ONCE(*(const unsigned long *)(base + off));
}

/* One rmap_item, as read and checked under the folio lock. */
struct mmscope_ksm_item {
	struct mm_struct *mm;
	unsigned long addr;
	struct anon_vma *anon_vma, *root;
};

/* A mapper the second pass recorded. */
struct mmscope_ksm_seen {
	struct mm_struct *mm;
	unsigned long addr;
};

static int mmscope_ksm_cmp(const void *a, const void *b)
{
	const struct mmscope_ksm_item *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

/* Result of the collection beyond a reason: the array was too small. */
#define MMSCOPE_KSM_MORE	U32_MAX

/*
 * Read and check the stable node of @folio (locked) and its rmap_items
 * into @items (room @cap); *@n of them.  Returns 0, a reason (the hold
 * bound of @p among them), or MMSCOPE_KSM_MORE.
 */
static u32 mmscope_ksm_collect(struct mmscope_page_priv *p,
			       struct folio *folio,
			       struct mmscope_ksm_item *items, u32 cap,
			       u32 *n)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	u32 kpfn = mmscope_ksm_off(ksm.sn_kpfn, ksm.sn_size,
				   MMSCOPE_KSM_CORRUPT_KPFN);
	u32 head = mmscope_ksm_off(ksm.ri_head, ksm.ri_size,
				   MMSCOPE_KSM_CORRUPT_HEAD);
	struct hlist_node *pos;
	void *node, *ri;
	u32 why;

	*n = 0;
	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_KSM)
		return MMSCOPE_WHY_CHANGED;
	node = (void *)(mapping & ~PAGE_MAPPING_FLAGS);
	why = mmscope_ksm_object(node, ksm.sn_cache, ksm.sn_size);
	if (why)
		return why;
	if (mmscope_ksm_rd(node, kpfn) != folio_pfn(folio))
		return MMSCOPE_WHY_CHANGED;
	pos = READ_ONCE(((struct hlist_head *)(node + ksm.sn_hlist))->first);
	for (; pos; pos = READ_ONCE(pos->next)) {
		struct mmscope_ksm_item *it = &items[*n];
		unsigned long address;

		if (*n == cap)
			return MMSCOPE_KSM_MORE;
		/* Each item costs three slab lookups: bound the hold by time too. */
		if (mmscope_page_hold_over(p, *n))
			return MMSCOPE_WHY_HOLD;
		ri = (void *)pos - ksm.ri_hlist;
		why = mmscope_ksm_object(ri, ksm.ri_cache, ksm.ri_size);
		if (why)
			return why;
		if ((void *)mmscope_ksm_rd(ri, head) != node)
			return MMSCOPE_WHY_CHANGED;
		address = mmscope_ksm_rd(ri, ksm.ri_address);
		if (!(address & MMSCOPE_KSM_STABLE_FLAG))
			return MMSCOPE_WHY_CHANGED;
		it->mm = (void *)mmscope_ksm_rd(ri, ksm.ri_mm);
		/* The low bits are ksm.c's flags and sequence number. */
		it->addr = address & PAGE_MASK;
		it->anon_vma = (void *)mmscope_ksm_rd(ri, ksm.ri_anon_vma);
		why = mmscope_ksm_object(it->anon_vma, "anon_vma",
					 sizeof(struct anon_vma));
		if (why)
			return why;
		it->root = READ_ONCE(it->anon_vma->root);
		why = mmscope_ksm_object(it->root, "anon_vma",
					 sizeof(struct anon_vma));
		if (why)
			return why;
		(*n)++;
	}
	return 0;
}

/**
 * struct mmscope_ksm_walk - one walk of the stable node's rmap_items
 * @p: the query
 * @items: the rmap_items, sorted by (mm, address)
 * @n: how many
 * @seen: mappers recorded by the second pass, @nseen of @room
 * @nseen: see @seen
 * @room: room in @seen: the mapper array's, which they cannot outnumber
 */
struct mmscope_ksm_walk {
	struct mmscope_page_priv *p;
	struct mmscope_ksm_item *items;
	u32 n;
	struct mmscope_ksm_seen *seen;
	u32 nseen, room;
};

/* Already covered: an rmap_item of its own, or recorded by pass two. */
static bool mmscope_ksm_covered(struct mmscope_ksm_walk *w,
				struct mm_struct *mm, unsigned long addr)
{
	struct mmscope_ksm_item key = { .mm = mm, .addr = addr };
	u32 i;

	if (bsearch(&key, w->items, w->n, sizeof(key), mmscope_ksm_cmp))
		return true;
	for (i = 0; i < w->nseen; i++)
		if (w->seen[i].mm == mm && w->seen[i].addr == addr)
			return true;
	return false;
}

/*
 * The VMAs of one rmap_item's anon_vma (its root rwsem held) that map the
 * frame at its address: pass 0 its own mm's, pass 1 the others'.
 * Returns false when a bound stops the search.
 */
static bool mmscope_ksm_tree(struct mmscope_ksm_walk *w,
			     const struct mmscope_ksm_item *it, int pass)
{
	struct rb_node *rb;

	for (rb = rb_first_cached(&it->anon_vma->rb_root); rb; rb = rb_next(rb)) {
		struct vm_area_struct *vma;
		int r;

		vma = rb_entry(rb, struct anon_vma_chain, rb)->vma;
		if (!mmscope_page_bound(w->p))
			return false;
		if (it->addr < vma->vm_start || it->addr >= vma->vm_end)
			continue;
		/* Pass 0: the rmap_item's own mm; pass 1: the others. */
		if (pass ? vma->vm_mm == it->mm : vma->vm_mm != it->mm)
			continue;
		if (pass && mmscope_ksm_covered(w, vma->vm_mm, it->addr))
			continue;
		r = mmscope_page_map_at(w->p, vma, it->addr);
		if (r < 0)
			return false;
		if (r && pass && w->nseen < w->room) {
			w->seen[w->nseen].mm = vma->vm_mm;
			w->seen[w->nseen++].addr = it->addr;
		}
	}
	return true;
}

/* Both passes over the rmap_items; folio locked.  0 or a reason. */
static u32 mmscope_ksm_passes(struct mmscope_ksm_walk *w)
{
	int pass, tries;
	u32 i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < w->n; i++) {
			const struct mmscope_ksm_item *it = &w->items[i];
			bool more;

			for (tries = 0; !down_read_trylock(&it->root->rwsem);
			     tries++) {
				if (tries == MMSCOPE_KSM_TRIES)
					return MMSCOPE_WHY_BUSY;
				usleep_range(MMSCOPE_KSM_WAIT_US,
					     2 * MMSCOPE_KSM_WAIT_US);
			}
			more = mmscope_ksm_tree(w, it, pass);
			up_read(&it->root->rwsem);
			if (!more)
				return 0;
		}
	}
	return 0;
}

/**
 * mmscope_page_rmap_ksm() - the mappers of a KSM folio, into the query
 * @p: the query
 * @folio: a KSM folio, pinned by the caller
 * @room: room in the query's mapper array (the second pass records no
 *	  more than fit in it)
 * @max_vmas: the max_vmas bound in force: the most rmap_items read too
 *
 * Walks the folio's stable node as described at the top of this file,
 * recording mappers with mmscope_page_map_at().
 *
 * Return: 0 when the walk ran to its end or a bound stopped it (the
 * bound's reason is in @p then), else the reason it could not be done:
 * MMSCOPE_WHY_KSM (layout unknown), MMSCOPE_WHY_BUSY, MMSCOPE_WHY_CHANGED,
 * MMSCOPE_WHY_MAX_VMAS (more rmap_items than max_vmas) or
 * MMSCOPE_WHY_NOMEM.
 */
u32 mmscope_page_rmap_ksm(struct mmscope_page_priv *p, struct folio *folio,
			  u32 room, u32 max_vmas)
{
	struct mmscope_ksm_walk w = { .p = p, .room = room };
	int tries, busy = 0;
	bool slab_busy;
	u32 cap, why;

	if (!mmscope_ksm_resolve())
		return MMSCOPE_WHY_KSM;
	/* A KSM folio is one page: its mappings, a first guess. */
	cap = clamp_t(u32, atomic_read(&folio->_mapcount) + 1,
		      MMSCOPE_KSM_ITEMS0, max_vmas);
	w.seen = kvmalloc_array(room, sizeof(*w.seen), GFP_KERNEL_ACCOUNT);
	if (!w.seen)
		return MMSCOPE_WHY_NOMEM;
	for (;;) {
		w.items = kvmalloc_array(cap, sizeof(*w.items),
					 GFP_KERNEL_ACCOUNT);
		if (!w.items) {
			why = MMSCOPE_WHY_NOMEM;
			break;
		}
		for (tries = 0; !folio_trylock(folio); tries++) {
			if (tries == MMSCOPE_KSM_TRIES) {
				why = MMSCOPE_WHY_BUSY;
				goto out;
			}
			usleep_range(MMSCOPE_KSM_WAIT_US,
				     2 * MMSCOPE_KSM_WAIT_US);
		}
		mmscope_page_hold_begin(p);
		why = mmscope_ksm_collect(p, folio, w.items, cap, &w.n);
		slab_busy = why == MMSCOPE_WHY_BUSY;
		if (!why) {
			sort(w.items, w.n, sizeof(*w.items), mmscope_ksm_cmp,
			     NULL);
			w.nseen = 0;
			why = mmscope_ksm_passes(&w);
		}
		mmscope_page_hold_end(p);
		folio_unlock(folio);
		/* slab_mutex was held: try again, as for the folio lock. */
		if (slab_busy && ++busy < MMSCOPE_KSM_TRIES) {
			usleep_range(MMSCOPE_KSM_WAIT_US,
				     2 * MMSCOPE_KSM_WAIT_US);
			kvfree(w.items);
			continue;
		}
		if (why != MMSCOPE_KSM_MORE)
			break;
		if (cap == max_vmas) {
			why = MMSCOPE_WHY_MAX_VMAS;
			break;
		}
		cap = cap > max_vmas / 2 ? max_vmas : cap * 2;
		kvfree(w.items);
	}
out:
	kvfree(w.items);
	kvfree(w.seen);
	return why;
}
