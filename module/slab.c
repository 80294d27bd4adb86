// SPDX-License-Identifier: GPL-2.0
/*
 * The slab views: every SLUB cache (slab), the slabs of one cache
 * (slab_cache), and the cache and object that own a kernel address
 * (slab_addr).
 *
 * Neither the list of caches nor its lock is exported, and struct
 * kmem_cache, kmem_cache_node, kmem_cache_cpu and slab are private to mm/.
 * So, at module load (mmscope_slab_init()), or else on the first open of a
 * slab file:
 *  - member offsets come from the running kernel's own BTF
 *    (/sys/kernel/btf/vmlinux, read by btf.c), checked against a table of
 *    what is needed; a missing member is named in the slab files;
 *  - slab_caches and slab_mutex are found with kallsyms as kprobes does it:
 *    register_kprobe() resolves .symbol_name before refusing to probe data,
 *    and leaves the address in kp.addr.  Nothing unexported is ever called.
 *    Each address is checked: sprint_symbol() must name it exactly, and the
 *    list found must hold a kmalloc cache (kmalloc_caches is exported).
 *  - the one constant written by hand, the split of struct
 *    kmem_cache_order_objects (MMSCOPE_OO_SHIFT), is checked against a live
 *    kmalloc slab: its objects and order must be what oo says.
 * If any of this fails, the slab files say why and the other views work.
 * A transient failure (out of memory, a signal) is not kept: the next open
 * tries again.  The module parameter slab_missing=STRUCT.MEMBER (testing
 * only, read at resolution) resolves as if BTF lacked that member.
 *
 * Counting is /proc/slabinfo's rule for the running kernel (see
 * MMSCOPE_SLABINFO_SCAN in compat.h): 6.1 counts a node's whole partial
 * list; 6.12 scans at most 10000 slabs of a longer one, half from each end,
 * extrapolates, and mmscope marks such a cache approximate.  The slab_cache
 * listing keeps at most MMSCOPE_SLAB_LIST node-partial slabs and
 * MMSCOPE_SLAB_CPU_LIST per-CPU partial slabs per CPU; a cache whose
 * listing or count was cut short is marked truncated.
 *
 * KFENCE objects live on guarded pages of their own, outside the cache's
 * slabs: slab_addr names them as such instead of computing an index.
 *
 * Locking is /proc/slabinfo's: slab_mutex around the walk of the caches,
 * each node's list_lock (irqsave) around its partial list, for a bounded
 * number of slabs and with nothing but copying under it.  Per-CPU slabs
 * belong to their CPU and are read racily, through
 * copy_from_kernel_nofault(), as a snapshot.
 */
#include <linux/kfence.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/list.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "mmscope.h"
#include "btf.h"
#include "compat.h"

#define MMSCOPE_BTF_PATH	"/sys/kernel/btf/vmlinux"
/* Node-partial slabs listed by slab_cache (all nodes), per-CPU partial ones per CPU. */
#define MMSCOPE_SLAB_LIST	4096
#define MMSCOPE_SLAB_CPU_LIST	512
/* Caches walked when checking slab_caches. */
#define MMSCOPE_SLAB_MAX_CACHES	BIT(16)
/* struct kmem_cache_order_objects: order above this shift, objects below. */
#define MMSCOPE_OO_SHIFT	16

struct mmscope_slab_layout {
	struct mmscope_btf_field s_name, s_object_size, s_size, s_align;
	struct mmscope_btf_field s_flags, s_ctor, s_refcount, s_list, s_node;
	struct mmscope_btf_field s_cpu_slab, s_oo, s_red_left_pad;
	struct mmscope_btf_field s_min_partial, s_cpu_partial;
	struct mmscope_btf_field n_list_lock, n_nr_partial, n_partial;
	struct mmscope_btf_field n_nr_slabs, n_total_objects;
	struct mmscope_btf_field c_slab, c_partial;
	struct mmscope_btf_field sl_slab_cache, sl_slab_list, sl_next;
	struct mmscope_btf_field sl_inuse, sl_objects, sl_frozen;
};

#define MMSCOPE_BITFIELD	U32_MAX		/* .size: must be a bitfield */
#define MMSCOPE_ANY_SIZE	0

struct mmscope_slab_need {
	const char *sname;
	const char *mname;
	size_t field;		/* offset in struct mmscope_slab_layout */
	u32 size;		/* expected size, MMSCOPE_ANY_SIZE, or bitfield */
	bool optional;
};

#define NEED(s, m, f, sz, opt) \
	{ #s, #m, offsetof(struct mmscope_slab_layout, f), sz, opt }

static const struct mmscope_slab_need mmscope_slab_needs[] = {
	NEED(kmem_cache, name, s_name, sizeof(void *), false),
	NEED(kmem_cache, object_size, s_object_size, sizeof(u32), false),
	NEED(kmem_cache, size, s_size, sizeof(u32), false),
	NEED(kmem_cache, align, s_align, sizeof(u32), false),
	NEED(kmem_cache, flags, s_flags, sizeof(slab_flags_t), false),
	NEED(kmem_cache, ctor, s_ctor, sizeof(void *), false),
	NEED(kmem_cache, refcount, s_refcount, sizeof(int), false),
	NEED(kmem_cache, list, s_list, sizeof(struct list_head), false),
	NEED(kmem_cache, node, s_node, MMSCOPE_ANY_SIZE, false),
	NEED(kmem_cache, cpu_slab, s_cpu_slab, sizeof(void *), false),
	NEED(kmem_cache, oo, s_oo, sizeof(u32), false),
	NEED(kmem_cache, red_left_pad, s_red_left_pad, sizeof(u32), false),
	NEED(kmem_cache, min_partial, s_min_partial, sizeof(long), false),
	NEED(kmem_cache, cpu_partial, s_cpu_partial, sizeof(u32), true),
	NEED(kmem_cache_node, list_lock, n_list_lock, sizeof(spinlock_t), false),
	NEED(kmem_cache_node, nr_partial, n_nr_partial, sizeof(long), false),
	NEED(kmem_cache_node, partial, n_partial, sizeof(struct list_head), false),
	NEED(kmem_cache_node, nr_slabs, n_nr_slabs, sizeof(atomic_long_t), false),
	NEED(kmem_cache_node, total_objects, n_total_objects,
	     sizeof(atomic_long_t), false),
	NEED(kmem_cache_cpu, slab, c_slab, sizeof(void *), false),
	NEED(kmem_cache_cpu, partial, c_partial, sizeof(void *), true),
	NEED(slab, slab_cache, sl_slab_cache, sizeof(void *), false),
	NEED(slab, slab_list, sl_slab_list, sizeof(struct list_head), false),
	NEED(slab, next, sl_next, sizeof(void *), true),
	NEED(slab, inuse, sl_inuse, MMSCOPE_BITFIELD, false),
	NEED(slab, objects, sl_objects, MMSCOPE_BITFIELD, false),
	NEED(slab, frozen, sl_frozen, MMSCOPE_BITFIELD, false),
};

#undef NEED

static struct mmscope_slab_layout lay;
static DEFINE_MUTEX(mmscope_slab_resolve_lock);
static bool mmscope_slab_resolved;
static int mmscope_slab_err;
static char mmscope_slab_why[160];
static struct list_head *mmscope_slab_caches;
static struct mutex *mmscope_slab_mutex;

static char mmscope_slab_missing[64];
module_param_string(slab_missing, mmscope_slab_missing,
		    sizeof(mmscope_slab_missing), 0400);
MODULE_PARM_DESC(slab_missing,
		 "testing: resolve the slab views as if BTF lacked STRUCT.MEMBER");

/* SLAB_* of the kernel built against; a flag the kernel lacks is 0. */
static const struct {
	slab_flags_t flag;
	u32 bit;
} mmscope_slab_flag_map[] = {
	{ SLAB_HWCACHE_ALIGN, MMSCOPE_SLAB_HWCACHE_ALIGN },
	{ SLAB_RECLAIM_ACCOUNT, MMSCOPE_SLAB_RECLAIM_ACCOUNT },
	{ SLAB_ACCOUNT, MMSCOPE_SLAB_ACCOUNT },
	{ SLAB_TYPESAFE_BY_RCU, MMSCOPE_SLAB_TYPESAFE_BY_RCU },
	{ SLAB_POISON, MMSCOPE_SLAB_POISON },
	{ SLAB_RED_ZONE, MMSCOPE_SLAB_RED_ZONE },
	{ SLAB_STORE_USER, MMSCOPE_SLAB_STORE_USER },
	{ SLAB_CONSISTENCY_CHECKS, MMSCOPE_SLAB_CONSISTENCY_CHECKS },
	{ SLAB_TRACE, MMSCOPE_SLAB_TRACE },
	{ SLAB_PANIC, MMSCOPE_SLAB_PANIC },
	{ SLAB_CACHE_DMA, MMSCOPE_SLAB_CACHE_DMA },
	{ SLAB_CACHE_DMA32, MMSCOPE_SLAB_CACHE_DMA32 },
	{ SLAB_NOLEAKTRACE, MMSCOPE_SLAB_NOLEAKTRACE },
	{ MMSCOPE_SLAB_NO_MERGE_FLAG, MMSCOPE_SLAB_NO_MERGE },
	{ SLAB_KMALLOC, MMSCOPE_SLAB_KMALLOC },
	{ SLAB_NO_USER_FLAGS, MMSCOPE_SLAB_NO_USER_FLAGS },
	{ MMSCOPE_SLAB_MEM_SPREAD_FLAG, MMSCOPE_SLAB_MEM_SPREAD },
	{ SLAB_FAILSLAB, MMSCOPE_SLAB_FAILSLAB },
};

static const char *const mmscope_slab_flag_names[MMSCOPE_SLAB_NR_FLAGS] = {
	"HWCACHE_ALIGN", "RECLAIM_ACCOUNT", "ACCOUNT", "TYPESAFE_BY_RCU",
	"POISON", "RED_ZONE", "STORE_USER", "CONSISTENCY_CHECKS", "TRACE",
	"PANIC", "CACHE_DMA", "CACHE_DMA32", "NOLEAKTRACE", "NO_MERGE",
	"KMALLOC", "NO_USER_FLAGS", "MEM_SPREAD", "FAILSLAB",
};

/* ---- reading members at BTF offsets ---------------------------------- */

#define MMSCOPE_AT(p, f)	((void *)(p) + lay.f.bit_off / BITS_PER_BYTE)

static u64 mmscope_rd(const void *base, const struct mmscope_btf_field *f)
{
	const void *p = base + f->bit_off / BITS_PER_BYTE;

	switch (f->size) {
	case 1:
		return READ_ONCE(*(const u8 *)p);
	case 2:
		return READ_ONCE(*(const u16 *)p);
	case 4:
		return READ_ONCE(*(const u32 *)p);
	default:
		return READ_ONCE(*(const u64 *)p);
	}
}

/* A bitfield; the layout check made sure it sits in one aligned u64. */
static u32 mmscope_rd_bits(const void *base, const struct mmscope_btf_field *f)
{
	u64 w = READ_ONCE(*(const u64 *)(base + f->bit_off / 64 * 8));

	return (w >> (f->bit_off % 64)) & GENMASK_ULL(f->bit_size - 1, 0);
}

#define RD(p, f)	mmscope_rd(p, &lay.f)
#define RD_BITS(p, f)	mmscope_rd_bits(p, &lay.f)

/* A copy of a struct slab (it overlays struct page) read without faulting. */
struct mmscope_slab_snap {
	u64 w[sizeof(struct page) / sizeof(u64)];
};

/*
 * Snapshot a per-CPU slab of cache @s.  Return: 1 on success, 0 when @slab
 * is NULL, -1 when it is no longer a slab of @s (the CPU moved on while we
 * read: a stale pointer, skipped).
 */
static int mmscope_slab_snap(const void *slab, const void *s,
			     struct mmscope_slab_snap *sn)
{
	const struct page *page = slab;
	unsigned long pfn;

	if (!slab)
		return 0;
	pfn = page_to_pfn(page);
	if (!pfn_valid(pfn) || pfn_to_page(pfn) != page)
		return -1;
	if (copy_from_kernel_nofault(sn, slab, sizeof(*sn)))
		return -1;
	/* Still a slab, and still one of @s? */
	if (!folio_test_slab(page_folio((struct page *)page)) ||
	    (const void *)(unsigned long)RD(sn, sl_slab_cache) != s)
		return -1;
	return 1;
}

/* ---- resolving layouts and symbols, once ----------------------------- */

static int mmscope_slab_check(const struct mmscope_slab_need *nd,
			      const struct mmscope_btf_field *f)
{
	bool in_slab = !strcmp(nd->sname, "slab");

	if (nd->size == MMSCOPE_BITFIELD)
		return f->bit_size && f->bit_size < 32 &&
		       f->bit_off % 64 + f->bit_size <= 64 &&
		       (!in_slab || f->bit_off / 64 * 8 + 8 <=
				    sizeof(struct page)) ? 0 : -EINVAL;
	if (f->bit_size || f->bit_off % BITS_PER_BYTE)
		return -EINVAL;
	if (nd->size != MMSCOPE_ANY_SIZE && f->size != nd->size)
		return -EINVAL;
	if (in_slab && f->bit_off / BITS_PER_BYTE + f->size >
		       sizeof(struct page))
		return -EINVAL;
	return 0;
}

/* Does slab_missing= name this member ("kmem_cache.oo")? */
static bool mmscope_slab_forced_missing(const struct mmscope_slab_need *nd)
{
	size_t len = strlen(nd->sname);

	return !strncmp(mmscope_slab_missing, nd->sname, len) &&
	       mmscope_slab_missing[len] == '.' &&
	       !strcmp(mmscope_slab_missing + len + 1, nd->mname);
}

static int mmscope_slab_layouts(void)
{
	struct mmscope_btf *btf;
	size_t i;
	int err;

	btf = mmscope_btf_load(MMSCOPE_BTF_PATH, &err);
	if (!btf) {
		snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
			 "cannot read BTF from %s (error %d)",
			 MMSCOPE_BTF_PATH, err);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(mmscope_slab_needs); i++) {
		const struct mmscope_slab_need *nd = &mmscope_slab_needs[i];
		struct mmscope_btf_field *f = (void *)&lay + nd->field;

		err = mmscope_btf_member(btf, nd->sname, nd->mname, f);
		if (!err && mmscope_slab_forced_missing(nd))
			err = -ESRCH;
		if (err && nd->optional) {
			memset(f, 0, sizeof(*f));
			continue;
		}
		if (err == -ENOENT) {
			snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
				 "BTF has no struct %s", nd->sname);
			goto out;
		}
		if (err) {
			snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
				 "BTF: struct %s has no member '%s'%s",
				 nd->sname, nd->mname, err == -ESRCH ?
				 " (as the slab_missing parameter asked)" : "");
			err = -ENOENT;
			goto out;
		}
		err = mmscope_slab_check(nd, f);
		if (err) {
			snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
				 "BTF: struct %s member '%s' has an unexpected size or position",
				 nd->sname, nd->mname);
			goto out;
		}
	}
	if (!lay.s_node.nelems ||
	    lay.s_node.size != lay.s_node.nelems * sizeof(void *)) {
		snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
			 "BTF: kmem_cache.node is not an array of pointers");
		err = -EINVAL;
	}
out:
	mmscope_btf_free(btf);
	return err;
}

/*
 * The address of a kernel data symbol.  register_kprobe() looks the name up
 * in kallsyms and stores the result in kp.addr before it finds that the
 * address is not text and refuses it.
 */
static void *mmscope_ksym(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);
	int err;

	err = register_kprobe(&kp);
	if (!err) {
		/* Probeable: text, not the data symbol we are after. */
		unregister_kprobe(&kp);
		return NULL;
	}
	if (!kp.addr)
		return NULL;
	sprint_symbol(buf, (unsigned long)kp.addr);
	if (strncmp(buf, name, len) || strncmp(buf + len, "+0x0/", 5))
		return NULL;
	return kp.addr;
}

/* Is @head the list of caches?  It must hold a kmalloc cache. */
static int mmscope_slab_check_list(struct list_head *head)
{
	struct kmem_cache *known = NULL;
	struct list_head *pos, *want;
	unsigned long n = 0;
	int i, ret = -EINVAL;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH && !known; i++)
		known = kmalloc_caches[KMALLOC_NORMAL][i];
	if (!known)
		return -ENOENT;
	want = MMSCOPE_AT(known, s_list);
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	for (pos = head->next; pos != head && n < MMSCOPE_SLAB_MAX_CACHES;
	     pos = pos->next, n++) {
		if (pos == want) {
			ret = 0;
			break;
		}
	}
	mutex_unlock(mmscope_slab_mutex);
	return ret;
}

static int mmscope_slab_symbols(void)
{
	mmscope_slab_caches = mmscope_ksym("slab_caches");
	mmscope_slab_mutex = mmscope_ksym("slab_mutex");
	if (!mmscope_slab_caches || !mmscope_slab_mutex) {
		snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
			 "cannot find %s in kallsyms (needs CONFIG_KPROBES and CONFIG_KALLSYMS_ALL)",
			 mmscope_slab_caches ? "slab_mutex" : "slab_caches");
		return -ENOENT;
	}
	if (mmscope_slab_check_list(mmscope_slab_caches)) {
		snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
			 "slab_caches found in kallsyms does not list the kmalloc caches");
		return -EINVAL;
	}
	return 0;
}

/*
 * MMSCOPE_OO_SHIFT is the one layout fact not taken from BTF (oo is a
 * plain u32 there).  Check it on a live slab of a kmalloc cache: the
 * objects and order oo gives must be the slab's own, and fit in it.
 */
static int mmscope_slab_check_oo(void)
{
	void *objs[2] = {};
	int i, err = 0;
	u32 oo = 0, order = 0, nr = 0, size = 0, live = 0, forder = 0;

	for (i = 0; i < 2; i++) {
		objs[i] = kmalloc(64, GFP_KERNEL);
		if (!objs[i]) {
			err = -ENOMEM;
			goto out;
		}
		/* A KFENCE page holds a single object: not a real slab. */
		if (!is_kfence_address(objs[i]))
			break;
	}
	if (i == 2) {
		err = -EAGAIN;
		goto out;
	}
	{
		struct folio *folio = virt_to_folio(objs[i]);
		const void *slab = folio, *s;

		s = (const void *)(unsigned long)RD(slab, sl_slab_cache);
		if (!folio_test_slab(folio) || !s) {
			err = -EINVAL;
		} else {
			oo = RD(s, s_oo);
			order = oo >> MMSCOPE_OO_SHIFT;
			nr = oo & (BIT(MMSCOPE_OO_SHIFT) - 1);
			size = RD(s, s_size);
			live = RD_BITS(slab, sl_objects);
			forder = folio_order(folio);
			if (!nr || !size || order != forder || live != nr ||
			    order >= MMSCOPE_NR_ORDERS ||
			    (u64)nr * size > (PAGE_SIZE << order))
				err = -EINVAL;
		}
	}
	if (err)
		snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
			 "kmem_cache.oo (0x%x) split at bit %d gives order %u, %u objects of %u bytes; a live kmalloc-64 slab has order %u, %u objects",
			 oo, MMSCOPE_OO_SHIFT, order, nr, size, forder, live);
out:
	kfree(objs[0]);
	kfree(objs[1]);
	return err;
}

static bool mmscope_slab_transient(int err)
{
	return err == -ENOMEM || err == -EINTR || err == -EAGAIN;
}

/*
 * Resolve everything once; the outcome is kept for good, unless it was a
 * transient failure, which the next open tries again.
 */
static int mmscope_slab_ready(void)
{
	int err;

	if (mutex_lock_killable(&mmscope_slab_resolve_lock))
		return -EINTR;
	if (!mmscope_slab_resolved) {
		err = mmscope_slab_layouts();
		if (!err)
			err = mmscope_slab_symbols();
		if (!err)
			err = mmscope_slab_check_oo();
		if (mmscope_slab_transient(err)) {
			mutex_unlock(&mmscope_slab_resolve_lock);
			pr_info("slab views: resolution failed (%d), will retry on next open\n",
				err);
			return err;
		}
		mmscope_slab_err = err;
		mmscope_slab_resolved = true;
		if (err)
			pr_warn("slab views unavailable: %s\n",
				mmscope_slab_why);
		else
			pr_info("slab views ready: layouts from BTF, slab_caches and slab_mutex from kallsyms\n");
	}
	mutex_unlock(&mmscope_slab_resolve_lock);
	return mmscope_slab_err;
}

/**
 * mmscope_slab_init() - resolve the slab views at module load
 *
 * Logs the outcome; never fails the load (the slab files say why they
 * cannot work, the other views are unaffected).  A transient failure is
 * retried on the first open of a slab file.
 */
void mmscope_slab_init(void)
{
	mmscope_slab_ready();
}

/* ---- gathering ------------------------------------------------------- */

struct mmscope_slab_priv {
	struct mmscope_slab_node *nodes;	/* nr_node_ids entries */
	struct mmscope_slab_slab *slabs;	/* slab_cache: one list */
	u32 nr_slabs;				/* entries in @slabs */
};

static u32 mmscope_slab_flags(slab_flags_t raw)
{
	u32 out = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmscope_slab_flag_map); i++)
		if (mmscope_slab_flag_map[i].flag &&
		    (raw & mmscope_slab_flag_map[i].flag))
			out |= mmscope_slab_flag_map[i].bit;
	return out;
}

static void *mmscope_cache_node(const void *s, int node)
{
	void *const *nodes = MMSCOPE_AT(s, s_node);

	if (node >= lay.s_node.nelems)
		return NULL;
	return READ_ONCE(nodes[node]);
}

static void mmscope_slab_list_one(void *slab, struct mmscope_slab_slab *out,
				  u32 *nr_out, int node, u32 objects, u32 inuse)
{
	struct mmscope_slab_slab *r = &out[(*nr_out)++];

	r->pfn = page_to_pfn((struct page *)slab);
	r->addr = (unsigned long)page_address((struct page *)slab);
	r->objects = objects;
	r->inuse = inuse;
	r->frozen = RD_BITS(slab, sl_frozen);
	r->where = MMSCOPE_SLAB_NODE_PARTIAL;
	r->where_id = node;
}

/*
 * Free objects on one node's partial list, counted by /proc/slabinfo's rule
 * for this kernel (MMSCOPE_SLABINFO_SCAN), and optionally the slabs
 * themselves, appended to @out while *@nr_out < MMSCOPE_SLAB_LIST.  Sets
 * *@approx when the count is extrapolated, *@trunc when not every slab on
 * the list was listed.
 */
static u64 mmscope_node_partial(void *n, struct mmscope_slab_slab *out,
				u32 *nr_out, int node, bool *approx,
				bool *trunc)
{
	spinlock_t *lock = MMSCOPE_AT(n, n_list_lock);
	struct list_head *head = MMSCOPE_AT(n, n_partial);
	unsigned long flags, nr, scanned = 0, limit = ULONG_MAX;
	struct list_head *pos;
	bool sampled = false;
	u64 free = 0;

	spin_lock_irqsave(lock, flags);
	nr = RD(n, n_nr_partial);
	if (MMSCOPE_SLABINFO_SCAN && nr > MMSCOPE_SLABINFO_SCAN) {
		limit = MMSCOPE_SLABINFO_SCAN / 2;
		sampled = true;
	}
	for (pos = head->next; pos != head && scanned < limit;
	     pos = pos->next, scanned++) {
		void *slab = (void *)pos - lay.sl_slab_list.bit_off / 8;
		u32 objects = RD_BITS(slab, sl_objects);
		u32 inuse = RD_BITS(slab, sl_inuse);

		free += objects - inuse;
		if (!out)
			continue;
		if (*nr_out < MMSCOPE_SLAB_LIST)
			mmscope_slab_list_one(slab, out, nr_out, node, objects,
					      inuse);
		else
			*trunc = true;
	}
	if (sampled) {
		/* The other half from the tail, as the kernel samples it. */
		for (pos = head->prev; pos != head &&
		     scanned < MMSCOPE_SLABINFO_SCAN;
		     pos = pos->prev, scanned++) {
			void *slab = (void *)pos - lay.sl_slab_list.bit_off / 8;

			free += RD_BITS(slab, sl_objects) -
				RD_BITS(slab, sl_inuse);
		}
		free = mult_frac(free, nr, scanned);
		free = min_t(u64, free,
			     atomic_long_read(MMSCOPE_AT(n, n_total_objects)));
		*approx = true;
		if (out)
			*trunc = true;
	}
	spin_unlock_irqrestore(lock, flags);
	return free;
}

/*
 * Fill @rec for cache @s; with @out, also list its node-partial slabs (the
 * same pass under the same locks as the counts).
 */
static void mmscope_slab_rec(const void *s, struct mmscope_slab_cache *rec,
			     struct mmscope_slab_node *nodes, bool priv,
			     struct mmscope_slab_slab *out, u32 *nr_out)
{
	const char *name = (const char *)RD(s, s_name);
	u32 oo = RD(s, s_oo);
	bool approx = false, trunc = false;
	int node, cpu;

	memset(rec, 0, sizeof(*rec));
	strscpy(rec->name, name ? name : "?", sizeof(rec->name));
	rec->addr = priv ? (unsigned long)s : 0;
	rec->raw_flags = RD(s, s_flags);
	rec->flags = mmscope_slab_flags(rec->raw_flags);
	rec->object_size = RD(s, s_object_size);
	rec->size = RD(s, s_size);
	rec->align = RD(s, s_align);
	rec->order = oo >> MMSCOPE_OO_SHIFT;
	rec->objs_per_slab = oo & (BIT(MMSCOPE_OO_SHIFT) - 1);
	rec->refcount = (int)RD(s, s_refcount);
	rec->min_partial = RD(s, s_min_partial);
	if (lay.s_cpu_partial.found)
		rec->cpu_partial = RD(s, s_cpu_partial);
	if (RD(s, s_ctor))
		rec->bits |= MMSCOPE_SLABC_CTOR;

	for (node = 0; node < nr_node_ids; node++) {
		void *n = mmscope_cache_node(s, node);
		struct mmscope_slab_node *nr = &nodes[rec->nr_nodes];

		if (!n)
			continue;
		memset(nr, 0, sizeof(*nr));
		nr->node = node;
		nr->nr_slabs = atomic_long_read(MMSCOPE_AT(n, n_nr_slabs));
		nr->total_objs = atomic_long_read(MMSCOPE_AT(n,
							     n_total_objects));
		nr->nr_partial = RD(n, n_nr_partial);
		nr->partial_free = mmscope_node_partial(n, out, nr_out, node,
							&approx, &trunc);
		rec->num_slabs += nr->nr_slabs;
		rec->num_objs += nr->total_objs;
		rec->nr_partial += nr->nr_partial;
		rec->partial_free += nr->partial_free;
		rec->nr_nodes++;
	}
	rec->active_objs = rec->num_objs - min(rec->partial_free,
					       rec->num_objs);
	if (approx)
		rec->bits |= MMSCOPE_SLABC_APPROX;

	for_each_possible_cpu(cpu) {
		void __percpu *pcp = (void __percpu *)RD(s, s_cpu_slab);
		void *c = per_cpu_ptr(pcp, cpu);
		struct mmscope_slab_snap sn;
		void *slab;
		int i, got = 0;

		if (RD(c, c_slab))
			rec->cpu_slabs++;
		if (!lay.c_partial.found || !lay.sl_next.found)
			continue;
		slab = (void *)RD(c, c_partial);
		for (i = 0; i < MMSCOPE_SLAB_CPU_LIST; i++) {
			got = mmscope_slab_snap(slab, s, &sn);
			if (got <= 0)
				break;
			rec->cpu_partial_slabs++;
			slab = (void *)RD(&sn, sl_next);
		}
		/* A stale link, or a chain longer than we follow. */
		if (got < 0 || (i == MMSCOPE_SLAB_CPU_LIST && slab))
			trunc = true;
	}
	if (trunc)
		rec->bits |= MMSCOPE_SLABC_TRUNC;
}

static int mmscope_emit_cache(struct mmscope_ctx *ctx, const void *s)
{
	struct mmscope_slab_priv *p = ctx->priv;
	struct mmscope_slab_cache rec;
	u32 i;
	int err;

	p->nr_slabs = 0;
	mmscope_slab_rec(s, &rec, p->nodes, ctx->privileged, p->slabs,
			 &p->nr_slabs);
	err = mmscope_emit(ctx, &rec, MMSCOPE_REC_SLAB_CACHE, sizeof(rec));
	for (i = 0; !err && i < rec.nr_nodes; i++)
		err = mmscope_emit(ctx, &p->nodes[i], MMSCOPE_REC_SLAB_NODE,
				   sizeof(p->nodes[i]));
	return err;
}

static int mmscope_emit_cpu_slab(struct mmscope_ctx *ctx, void *slab,
				 const struct mmscope_slab_snap *sn, u32 where,
				 int cpu)
{
	struct mmscope_slab_slab r = {
		.pfn = page_to_pfn((struct page *)slab),
		.addr = (unsigned long)page_address((struct page *)slab),
		.objects = RD_BITS(sn, sl_objects),
		/* The CPU's own slab: its free objects are on the CPU. */
		.inuse = where == MMSCOPE_SLAB_CPU ?
			 MMSCOPE_SLAB_INUSE_UNKNOWN : RD_BITS(sn, sl_inuse),
		.frozen = RD_BITS(sn, sl_frozen),
		.where = where,
		.where_id = cpu,
	};

	return mmscope_emit(ctx, &r, MMSCOPE_REC_SLAB_SLAB, sizeof(r));
}

/* The per-CPU slabs of one cache: a racy snapshot, as the CPUs run on. */
static int mmscope_emit_cpu_slabs(struct mmscope_ctx *ctx, const void *s)
{
	void __percpu *pcp = (void __percpu *)RD(s, s_cpu_slab);
	struct mmscope_slab_snap sn;
	int cpu, i, err;
	void *slab;

	for_each_possible_cpu(cpu) {
		void *c = per_cpu_ptr(pcp, cpu);

		slab = (void *)RD(c, c_slab);
		if (mmscope_slab_snap(slab, s, &sn) > 0) {
			err = mmscope_emit_cpu_slab(ctx, slab, &sn,
						    MMSCOPE_SLAB_CPU, cpu);
			if (err)
				return err;
		}
		if (!lay.c_partial.found || !lay.sl_next.found)
			continue;
		slab = (void *)RD(c, c_partial);
		for (i = 0; i < MMSCOPE_SLAB_CPU_LIST; i++) {
			if (mmscope_slab_snap(slab, s, &sn) <= 0)
				break;
			err = mmscope_emit_cpu_slab(ctx, slab, &sn,
						    MMSCOPE_SLAB_CPU_PARTIAL,
						    cpu);
			if (err)
				return err;
			slab = (void *)RD(&sn, sl_next);
		}
	}
	return 0;
}

/* The node-partial slabs gathered with the counts, then the per-CPU ones. */
static int mmscope_emit_slabs(struct mmscope_ctx *ctx, const void *s)
{
	struct mmscope_slab_priv *p = ctx->priv;
	u32 i;
	int err;

	for (i = 0; i < p->nr_slabs; i++) {
		err = mmscope_emit(ctx, &p->slabs[i], MMSCOPE_REC_SLAB_SLAB,
				   sizeof(p->slabs[i]));
		if (err)
			return err;
	}
	return mmscope_emit_cpu_slabs(ctx, s);
}

/* ---- the views --------------------------------------------------------- */

static int mmscope_slab_start(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_priv *p;
	int err;

	err = mmscope_slab_ready();
	if (err == -EINTR)
		return err;
	/* debugfs says why in the file; the device fails the query. */
	if (err)
		return ctx->text ? 0 : -EOPNOTSUPP;
	/* "echo NAME > .../parameters/cache" leaves a newline. */
	strreplace(ctx->q.name, '\n', '\0');
	if (ctx->ops->view == MMSCOPE_VIEW_SLAB_CACHE && !ctx->q.name[0])
		return -EINVAL;
	/* A malformed query fails at once; "not in a slab" is an answer. */
	if (ctx->ops->view == MMSCOPE_VIEW_SLAB_ADDR && !ctx->text &&
	    !mmscope_canonical(ctx->q.start))
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ctx->priv = p;
	p->nodes = kcalloc(nr_node_ids, sizeof(*p->nodes), GFP_KERNEL);
	if (!p->nodes)
		return -ENOMEM;
	if (ctx->ops->view == MMSCOPE_VIEW_SLAB_CACHE) {
		p->slabs = kvcalloc(MMSCOPE_SLAB_LIST, sizeof(*p->slabs),
				    GFP_KERNEL);
		if (!p->slabs)
			return -ENOMEM;
	}
	return 0;
}

static void mmscope_slab_stop(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_priv *p = ctx->priv;

	if (!p)
		return;
	kvfree(p->slabs);
	kfree(p->nodes);
	kfree(p);
}

/* Text mode only: the slab files explain why they are empty. */
static int mmscope_slab_unavailable(struct mmscope_ctx *ctx)
{
	return mmscope_printf(ctx, "# slab views unavailable: %s\n",
			      mmscope_slab_why);
}

static int mmscope_slab_fill(struct mmscope_ctx *ctx)
{
	bool one = ctx->ops->view == MMSCOPE_VIEW_SLAB_CACHE;
	struct list_head *pos;
	unsigned long n = 0;
	bool found = false;
	int err = 0;

	if (mmscope_slab_err)
		return mmscope_slab_unavailable(ctx);
	if (ctx->text)
		err = mmscope_printf(ctx, "# %-24s %10s %10s %7s %7s %6s %5s %8s %8s %7s %4s %4s %s\n",
				     "name", "active", "objs", "objsize",
				     "slotsz", "perslb", "pages", "slabs",
				     "partial", "cpuslb", "cpup", "refs",
				     "flags");
	if (err)
		return err;
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	list_for_each(pos, mmscope_slab_caches) {
		const void *s = (void *)pos - lay.s_list.bit_off / 8;

		if (++n > MMSCOPE_SLAB_MAX_CACHES)
			break;
		if (one) {
			const char *name = (const char *)RD(s, s_name);

			if (!name || strcmp(name, ctx->q.name))
				continue;
			found = true;
		}
		err = mmscope_emit_cache(ctx, s);
		if (!err && one)
			err = mmscope_emit_slabs(ctx, s);
		if (err)
			break;
	}
	mutex_unlock(mmscope_slab_mutex);
	if (!err && one && !found) {
		if (!ctx->text)
			return -ENOENT;
		err = mmscope_printf(ctx, "# no slab cache named '%s'\n",
				     ctx->q.name);
	}
	return err;
}

/* Is @s one of the caches on slab_caches?  Caller holds slab_mutex. */
static bool mmscope_slab_is_cache(const void *s)
{
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, mmscope_slab_caches) {
		if ((void *)pos - lay.s_list.bit_off / 8 == s)
			return true;
		if (++n > MMSCOPE_SLAB_MAX_CACHES)
			break;
	}
	return false;
}

/*
 * A KFENCE address: its page is its own, holding at most one object, with
 * guard pages around; name the cache when the page holds a live object of
 * a cache on slab_caches.  Caller holds slab_mutex.
 */
static int mmscope_slab_kfence(unsigned long addr, struct mmscope_slab_obj *r)
{
	struct page *page = virt_to_page((void *)addr);
	struct folio *folio = page_folio(page);
	const void *s = NULL;
	const char *name;

	r->flags = MMSCOPE_SLAB_OBJ_KFENCE;
	r->addr = addr;
	r->pfn = page_to_pfn(page);
	r->slab = (unsigned long)folio_address(folio);
	if (folio_test_slab(folio))
		s = (const void *)(unsigned long)RD((void *)folio,
						    sl_slab_cache);
	if (s && mmscope_slab_is_cache(s)) {
		name = (const char *)RD(s, s_name);
		strscpy(r->cache, name ? name : "?", sizeof(r->cache));
		r->object_size = RD(s, s_object_size);
		r->size = RD(s, s_size);
	} else {
		strscpy(r->cache, "-", sizeof(r->cache));
	}
	return 0;
}

static int mmscope_slab_lookup(struct mmscope_ctx *ctx,
			       struct mmscope_slab_obj *r)
{
	unsigned long addr = ctx->q.start;
	struct folio *folio;
	struct page *page;
	void *slab, *s, *base;
	const char *name;
	u32 size, red;

	if (!mmscope_canonical(addr))
		return -EINVAL;
	if (is_kfence_address((void *)addr))
		return mmscope_slab_kfence(addr, r);
	if (!virt_addr_valid((void *)addr))
		return -ENXIO;
	page = virt_to_page((void *)addr);
	folio = page_folio(page);
	if (!folio_test_slab(folio))
		return -ENXIO;
	slab = folio;
	s = (void *)RD(slab, sl_slab_cache);
	/* Still a slab of a live cache?  slab_mutex keeps caches alive. */
	if (!s || !mmscope_slab_is_cache(s) || !folio_test_slab(folio) ||
	    page_folio(page) != folio)
		return -ENXIO;
	base = folio_address(folio);
	size = RD(s, s_size);
	red = RD(s, s_red_left_pad);
	if (!size)
		return -ENXIO;
	name = (const char *)RD(s, s_name);
	strscpy(r->cache, name ? name : "?", sizeof(r->cache));
	r->addr = addr;
	r->pfn = page_to_pfn(page);
	r->slab = (unsigned long)base;
	r->index = (addr - (unsigned long)base) / size;
	r->object = (unsigned long)base + (u64)r->index * size + red;
	r->object_size = RD(s, s_object_size);
	r->size = size;
	r->objects = RD_BITS(slab, sl_objects);
	r->in_object = r->index < r->objects && addr >= r->object &&
		       addr < r->object + r->object_size;
	r->offset = addr >= r->object ? addr - r->object : 0;
	return 0;
}

static int mmscope_slab_addr_fill(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_obj r = {};
	int err;

	if (mmscope_slab_err)
		return mmscope_slab_unavailable(ctx);
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	err = mmscope_slab_lookup(ctx, &r);
	mutex_unlock(mmscope_slab_mutex);
	if (err && ctx->text)
		return mmscope_printf(ctx, "# 0x%llx: %s\n", ctx->q.start,
				      err == -EINVAL ? "not a canonical address" :
				      "not in a slab (not a slab page of the direct map)");
	if (err)
		return err;
	return mmscope_emit(ctx, &r, MMSCOPE_REC_SLAB_OBJ, sizeof(r));
}

static void mmscope_slab_show_flags(struct seq_buf *sb, u32 flags)
{
	const char *sep = "";
	int i;

	for (i = 0; i < MMSCOPE_SLAB_NR_FLAGS; i++) {
		if (!(flags & BIT(i)))
			continue;
		seq_buf_printf(sb, "%s%s", sep, mmscope_slab_flag_names[i]);
		sep = ",";
	}
	if (!*sep)
		seq_buf_printf(sb, "-");
}

static const char *const mmscope_slab_where_names[] = {
	[MMSCOPE_SLAB_NODE_PARTIAL] = "node-partial",
	[MMSCOPE_SLAB_CPU] = "cpu",
	[MMSCOPE_SLAB_CPU_PARTIAL] = "cpu-partial",
};

static void mmscope_slab_show(struct seq_buf *sb,
			      const struct mmscope_rec_hdr *hdr)
{
	const struct mmscope_slab_cache *c = (const void *)hdr;
	const struct mmscope_slab_node *n = (const void *)hdr;
	const struct mmscope_slab_slab *sl = (const void *)hdr;
	const struct mmscope_slab_obj *o = (const void *)hdr;

	switch (hdr->type) {
	case MMSCOPE_REC_SLAB_CACHE:
		seq_buf_printf(sb, "%-26s %10llu %10llu %7u %7u %6u %5u %8llu %8llu %7llu %4llu %4d ",
			       c->name, c->active_objs, c->num_objs,
			       c->object_size, c->size, c->objs_per_slab,
			       1U << c->order, c->num_slabs, c->nr_partial,
			       c->cpu_slabs, c->cpu_partial_slabs,
			       c->refcount);
		mmscope_slab_show_flags(sb, c->flags);
		seq_buf_printf(sb, "%s%s%s\n",
			       c->bits & MMSCOPE_SLABC_CTOR ? " ctor" : "",
			       c->bits & MMSCOPE_SLABC_APPROX ? " ~approx" : "",
			       c->bits & MMSCOPE_SLABC_TRUNC ? " truncated" : "");
		break;
	case MMSCOPE_REC_SLAB_NODE:
		seq_buf_printf(sb, "#   node %d: %llu slabs, %llu objs, %llu partial (%llu free)\n",
			       n->node, n->nr_slabs, n->total_objs,
			       n->nr_partial, n->partial_free);
		break;
	case MMSCOPE_REC_SLAB_SLAB:
		seq_buf_printf(sb, "    slab pfn 0x%llx addr 0x%llx objects %u inuse ",
			       sl->pfn, sl->addr, sl->objects);
		if (sl->inuse == MMSCOPE_SLAB_INUSE_UNKNOWN)
			seq_buf_printf(sb, "-");
		else
			seq_buf_printf(sb, "%u", sl->inuse);
		seq_buf_printf(sb, "%s %s %d\n",
			       sl->frozen ? " frozen" : "",
			       sl->where < ARRAY_SIZE(mmscope_slab_where_names) &&
			       mmscope_slab_where_names[sl->where] ?
			       mmscope_slab_where_names[sl->where] : "?",
			       sl->where_id);
		break;
	case MMSCOPE_REC_SLAB_OBJ:
		if (o->flags & MMSCOPE_SLAB_OBJ_KFENCE) {
			seq_buf_printf(sb, "0x%llx: KFENCE object of cache %s, on its own guarded page 0x%llx (pfn 0x%llx); no slab index\n",
				       o->addr, o->cache, o->slab, o->pfn);
			break;
		}
		seq_buf_printf(sb, "0x%llx: cache %s slab 0x%llx (pfn 0x%llx) object %u at 0x%llx offset %u%s\n",
			       o->addr, o->cache, o->slab, o->pfn, o->index,
			       o->object, o->offset,
			       o->in_object ? "" : " (outside the object: metadata or padding)");
		break;
	}
}

const struct mmscope_view_ops mmscope_slab_view = {
	.name = "slab",
	.view = MMSCOPE_VIEW_SLAB,
	.root_only = true,
	.start = mmscope_slab_start,
	.fill = mmscope_slab_fill,
	.show = mmscope_slab_show,
	.stop = mmscope_slab_stop,
};

const struct mmscope_view_ops mmscope_slab_cache_view = {
	.name = "slab_cache",
	.view = MMSCOPE_VIEW_SLAB_CACHE,
	.root_only = true,
	.start = mmscope_slab_start,
	.fill = mmscope_slab_fill,
	.show = mmscope_slab_show,
	.stop = mmscope_slab_stop,
};

const struct mmscope_view_ops mmscope_slab_addr_view = {
	.name = "slab_addr",
	.view = MMSCOPE_VIEW_SLAB_ADDR,
	.root_only = true,
	.start = mmscope_slab_start,
	.fill = mmscope_slab_addr_fill,
	.show = mmscope_slab_show,
	.stop = mmscope_slab_stop,
};
