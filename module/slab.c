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
static char mmscope_slab_why[200];
static struct list_head *mmscope_slab_caches;
static struct mutex *mmscope_slab_mutex;

/* Sizes of the structs, from BTF: no member may reach past its struct. */
static u32 mmscope_slab_sizes[4];
static const char *const mmscope_slab_structs[4] = {
	"kmem_cache", "kmem_cache_node", "kmem_cache_cpu", "slab",
};

static char mmscope_slab_missing[64];
module_param_string(slab_missing, mmscope_slab_missing,
		    sizeof(mmscope_slab_missing), 0400);
MODULE_PARM_DESC(slab_missing,
		 "testing: resolve the slab views as if BTF lacked STRUCT.MEMBER");

static char mmscope_slab_corrupt[64];
module_param_string(slab_corrupt, mmscope_slab_corrupt,
		    sizeof(mmscope_slab_corrupt), 0400);
MODULE_PARM_DESC(slab_corrupt,
		 "testing: resolve STRUCT.MEMBER 8 bytes past where BTF puts it (validation must refuse it)");

static unsigned int mmscope_slab_transient_left;
module_param_named(slab_transient, mmscope_slab_transient_left, uint, 0400);
MODULE_PARM_DESC(slab_transient,
		 "testing: the first N resolutions of the slab views fail with -EAGAIN, as a transient failure does");

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

static u32 mmscope_slab_struct_size(const char *sname)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmscope_slab_structs); i++)
		if (!strcmp(sname, mmscope_slab_structs[i]))
			return mmscope_slab_sizes[i];
	return 0;
}

static int mmscope_slab_check(const struct mmscope_slab_need *nd,
			      const struct mmscope_btf_field *f)
{
	bool in_slab = !strcmp(nd->sname, "slab");
	u32 ssize = mmscope_slab_struct_size(nd->sname);

	if (nd->size == MMSCOPE_BITFIELD)
		return f->bit_size && f->bit_size < 32 &&
		       f->bit_off % 64 + f->bit_size <= 64 &&
		       (!in_slab || f->bit_off / 64 * 8 + 8 <=
				    sizeof(struct page)) ? 0 : -EINVAL;
	if (f->bit_size || f->bit_off % BITS_PER_BYTE)
		return -EINVAL;
	if (nd->size != MMSCOPE_ANY_SIZE && f->size != nd->size)
		return -EINVAL;
	if ((u64)f->bit_off / BITS_PER_BYTE + f->size > ssize)
		return -EINVAL;
	if (in_slab && f->bit_off / BITS_PER_BYTE + f->size >
		       sizeof(struct page))
		return -EINVAL;
	return 0;
}

/* Does a testing parameter (@param) name this member ("kmem_cache.oo")? */
static bool mmscope_slab_named(const char *param,
			       const struct mmscope_slab_need *nd)
{
	size_t len = strlen(nd->sname);

	return !strncmp(param, nd->sname, len) && param[len] == '.' &&
	       !strcmp(param + len + 1, nd->mname);
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
	for (i = 0; i < ARRAY_SIZE(mmscope_slab_structs); i++) {
		err = mmscope_btf_struct_size(btf, mmscope_slab_structs[i],
					      &mmscope_slab_sizes[i]);
		if (err) {
			snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
				 "BTF has no struct %s",
				 mmscope_slab_structs[i]);
			goto out;
		}
	}
	for (i = 0; i < ARRAY_SIZE(mmscope_slab_needs); i++) {
		const struct mmscope_slab_need *nd = &mmscope_slab_needs[i];
		struct mmscope_btf_field *f = (void *)&lay + nd->field;

		err = mmscope_btf_member(btf, nd->sname, nd->mname, f);
		if (!err && mmscope_slab_named(mmscope_slab_missing, nd))
			err = -ESRCH;
		/* Testing: a wrong offset, for the live validation to catch. */
		if (!err && mmscope_slab_named(mmscope_slab_corrupt, nd))
			f->bit_off += 64;
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
				 "BTF: %s.%s has an unexpected size or position (offset %u)",
				 nd->sname, nd->mname,
				 f->bit_off / BITS_PER_BYTE);
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

/**
 * mmscope_ksym() - the address of a kernel data symbol that is not exported
 * @name: the symbol
 *
 * register_kprobe() looks the name up in kallsyms and stores the result in
 * kp.addr before it finds that the address is not text and refuses it.
 * The address is kept only if sprint_symbol() names it exactly.  Callers
 * check what they find there against live data before following it.
 *
 * Return: the address, or NULL (not found, or text).
 */
void *mmscope_ksym(const char *name)
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
			 "slab_caches found in kallsyms does not list the kmalloc caches at kmem_cache.list (offset %u)",
			 lay.s_list.bit_off / BITS_PER_BYTE);
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

/*
 * ---- validating the offsets against live structures --------------------
 *
 * BTF gives every offset, and the checks above only make sure each member
 * has the expected size and lies inside its struct.  A wrong offset would
 * make spin_lock_irqsave() write into arbitrary memory, and a list walk
 * follow arbitrary pointers.  So before any slab view runs, every member
 * that is locked or followed is checked against a cache of mmscope's own,
 * whose state is known because nothing else uses it: objects are
 * allocated on one CPU until two slabs are full, one object is freed from
 * each (on a kernel with per-CPU partial lists they go there, newest
 * first), and kmem_cache_shrink() moves every slab with free objects to
 * its node's partial list.  Everything is read with
 * copy_from_kernel_nofault() and compared with what the kernel must hold:
 *  - kmem_cache.name, object_size, size, ctor: the values given at creation;
 *  - kmem_cache.list: the cache is on slab_caches;
 *  - kmem_cache.cpu_slab, kmem_cache_cpu.slab: the CPU's slab is the one
 *    the last allocation came from;
 *  - kmem_cache_cpu.partial, slab.next: the two slabs just freed into, in
 *    order (where kmem_cache.cpu_partial is 0, the kernel keeps no per-CPU
 *    partial slabs and those lists are not walked at all);
 *  - kmem_cache.node, kmem_cache_node.partial, slab.slab_list: walking the
 *    node's list from its head returns to it through exactly the slabs that
 *    have free objects, each linked both ways;
 *  - kmem_cache_node.nr_partial, nr_slabs, total_objects and slab.inuse,
 *    frozen: equal to those counts;
 *  - kmem_cache_node.list_lock: no lock is taken to check it.  It must not
 *    overlap a member validated above, and its first word must read as a
 *    free lock (0: an unlocked qspinlock, or the free wait_lock of an RT
 *    lock) on this quiet cache.
 * A member that fails is named in the slab files and the views stay off:
 * nothing at an unvalidated offset is ever written, locked or followed.
 */
#define MMSCOPE_VC_NAME		"mmscope_validate"
#define MMSCOPE_VC_SIZE		256
#define MMSCOPE_VC_OBJS		2048
#define MMSCOPE_VC_SLABS	8

struct mmscope_vslab {
	const void *slab;
	int nid;
	u32 objects;
	u32 mine;			/* our objects in it */
};

struct mmscope_vc {
	struct kmem_cache *s;
	void **objs;
	u32 nr_objs;
	struct mmscope_vslab slabs[MMSCOPE_VC_SLABS];
	u32 nr_slabs;
};

static void mmscope_vc_ctor(void *obj)
{
}

static __printf(2, 3) int mmscope_slab_invalid(const char *member,
					       const char *fmt, ...)
{
	char why[96];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
		 "%s failed validation against a live cache: %s", member, why);
	return -EINVAL;
}

/* A member of at most 8 bytes, without faulting. */
static int mmscope_peek(const void *base, const struct mmscope_btf_field *f,
			u64 *v)
{
	*v = 0;
	if (f->size > sizeof(*v) || !base)
		return -EFAULT;
	return copy_from_kernel_nofault(v, base + f->bit_off / BITS_PER_BYTE,
					f->size) ? -EFAULT : 0;
}

static int mmscope_peek_ptr(const void *addr, const void **v)
{
	*v = NULL;
	return copy_from_kernel_nofault(v, addr, sizeof(*v)) ? -EFAULT : 0;
}

static struct mmscope_vslab *mmscope_vc_slab(struct mmscope_vc *vc,
					     const void *slab)
{
	u32 i;

	for (i = 0; i < vc->nr_slabs; i++)
		if (vc->slabs[i].slab == slab)
			return &vc->slabs[i];
	return NULL;
}

/* Free our object number @i, in slab @vs. */
static void mmscope_vc_free(struct mmscope_vc *vc, u32 i,
			    struct mmscope_vslab *vs)
{
	kmem_cache_free(vc->s, vc->objs[i]);
	vc->objs[i] = NULL;
	if (vs)
		vs->mine--;
}

/* The first object we hold in slab @vs. */
static int mmscope_vc_obj_in(struct mmscope_vc *vc, struct mmscope_vslab *vs)
{
	u32 i;

	for (i = 0; i < vc->nr_objs; i++)
		if (vc->objs[i] && !is_kfence_address(vc->objs[i]) &&
		    (const void *)virt_to_folio(vc->objs[i]) == vs->slab)
			return i;
	return -1;
}

/*
 * On one CPU: allocate until two slabs are full and a third is the CPU's,
 * check the CPU's slab, free one object of each full slab and check the
 * CPU's partial list.
 */
static int mmscope_vc_cpu(struct mmscope_vc *vc)
{
	struct mmscope_vslab *vs = NULL, *full[2] = {};
	const void *pcp, *slab, *c, *next;
	int cpu, i, nfull = 0, err = 0;
	u64 v;

	migrate_disable();
	cpu = smp_processor_id();
	while (nfull < 2 || !vs || vs->mine == vs->objects) {
		void *obj;

		if (vc->nr_objs == MMSCOPE_VC_OBJS ||
		    vc->nr_slabs == MMSCOPE_VC_SLABS) {
			snprintf(mmscope_slab_why, sizeof(mmscope_slab_why),
				 "could not fill two slabs of a cache of its own to validate the layout");
			err = -EAGAIN;
			goto out;
		}
		obj = kmem_cache_alloc(vc->s, GFP_KERNEL);
		if (!obj) {
			err = -ENOMEM;
			goto out;
		}
		vc->objs[vc->nr_objs++] = obj;
		/* A KFENCE object has a page of its own: not in a slab. */
		if (is_kfence_address(obj))
			continue;
		slab = virt_to_folio(obj);
		vs = mmscope_vc_slab(vc, slab);
		if (!vs) {
			vs = &vc->slabs[vc->nr_slabs++];
			vs->slab = slab;
			vs->nid = folio_nid(virt_to_folio(obj));
			vs->objects = RD_BITS(slab, sl_objects);
		}
		vs->mine++;
		if (vs->mine == vs->objects && nfull < 2)
			full[nfull++] = vs;
	}

	/* The slab the last object came from is this CPU's. */
	if (mmscope_peek(vc->s, &lay.s_cpu_slab, &v)) {
		err = mmscope_slab_invalid("kmem_cache.cpu_slab", "unreadable");
		goto out;
	}
	pcp = (const void *)(unsigned long)v;
	c = per_cpu_ptr((void __percpu *)pcp, cpu);
	if (mmscope_peek(c, &lay.c_slab, &v) ||
	    (const void *)(unsigned long)v != vs->slab) {
		err = mmscope_slab_invalid("kmem_cache.cpu_slab or kmem_cache_cpu.slab",
					   "CPU %d's slab reads 0x%llx, not the slab allocated from",
					   cpu, v);
		goto out;
	}

	/*
	 * Generic KASAN keeps freed objects in its quarantine, away from
	 * their slabs: no free below would reach a slab, so the per-CPU
	 * partial list cannot be shown to be where BTF says it is.  (The
	 * message says "kasan" in lower case: the test runner takes any
	 * "KASAN" in the kernel log for a report.)
	 */
	if (IS_ENABLED(CONFIG_KASAN_GENERIC)) {
		pr_info("slab views: freed objects wait in kasan's quarantine: per-CPU partial slabs not validated, not walked\n");
		lay.c_partial.found = false;
		goto out;
	}
	/* A full slab that gets a free object goes to the CPU's partial list. */
	for (i = 0; i < 2; i++) {
		int o = mmscope_vc_obj_in(vc, full[i]);

		if (o >= 0)
			mmscope_vc_free(vc, o, full[i]);
	}
	if (!lay.c_partial.found || !lay.sl_next.found)
		goto out;
	/* kmem_cache.cpu_partial: 0 when the kernel keeps none for it. */
	if (!lay.s_cpu_partial.found || mmscope_peek(vc->s, &lay.s_cpu_partial,
						     &v) || !v) {
		pr_info("slab views: no per-CPU partial slabs on this kernel, not walked\n");
		lay.c_partial.found = false;
		goto out;
	}
	if (mmscope_peek(c, &lay.c_partial, &v)) {
		err = mmscope_slab_invalid("kmem_cache_cpu.partial",
					   "unreadable");
		goto out;
	}
	if ((const void *)(unsigned long)v != full[1]->slab) {
		err = mmscope_slab_invalid("kmem_cache_cpu.partial",
					   "reads 0x%llx, not the slab last freed into",
					   v);
		goto out;
	}
	if (mmscope_peek(full[1]->slab, &lay.sl_next, &v))
		v = -1;
	next = (const void *)(unsigned long)v;
	/* The kernel may have drained the older one to the node already. */
	if (next != full[0]->slab && next) {
		err = mmscope_slab_invalid("slab.next",
					   "reads 0x%llx, not the slab freed into before",
					   v);
	}
out:
	migrate_enable();
	return err;
}

/* One node of the quiet cache: its partial list and counters. */
static int mmscope_vc_node(struct mmscope_vc *vc, int nid)
{
	const struct list_head *head, *pos, *prev, *back;
	u32 i, expect = 0, nslabs = 0, found = 0;
	u64 nobjs = 0, v;
	const void *n, *slab;

	for (i = 0; i < vc->nr_slabs; i++) {
		const struct mmscope_vslab *vs = &vc->slabs[i];

		if (vs->nid != nid || !vs->mine)
			continue;
		nslabs++;
		nobjs += vs->objects;
		expect += vs->mine < vs->objects;
	}
	if (nid >= lay.s_node.nelems ||
	    mmscope_peek_ptr(MMSCOPE_AT(vc->s, s_node) + nid * sizeof(void *),
			     &n) || !n || !virt_addr_valid(n) ||
	    !folio_test_slab(virt_to_folio(n)))
		return mmscope_slab_invalid("kmem_cache.node",
					    "node %d's entry is not a slab object",
					    nid);

	/* The partial list, read-only: from the head back to the head. */
	head = MMSCOPE_AT(n, n_partial);
	prev = head;
	if (mmscope_peek_ptr(&head->next, (const void **)&pos))
		return mmscope_slab_invalid("kmem_cache_node.partial",
					    "unreadable");
	for (i = 0; pos != head; i++) {
		/* The head's first entry may be wrong for either reason. */
		const char *link = i ? "slab.slab_list" :
			"kmem_cache_node.partial or slab.slab_list";
		struct mmscope_vslab *vs;

		if (i == expect)
			return mmscope_slab_invalid("kmem_cache_node.partial",
						    "node %d: more than the %u slabs with free objects",
						    nid, expect);
		slab = (const void *)pos - lay.sl_slab_list.bit_off / 8;
		vs = mmscope_vc_slab(vc, slab);
		if (!vs || vs->mine == vs->objects)
			return mmscope_slab_invalid(link,
						    "node %d: entry %u is not one of the cache's partial slabs",
						    nid, i);
		if (mmscope_peek_ptr(&pos->prev, (const void **)&back) ||
		    back != prev)
			return mmscope_slab_invalid(link,
						    "node %d: entry %u is not linked back",
						    nid, i);
		if (RD_BITS(slab, sl_inuse) != vs->mine)
			return mmscope_slab_invalid("slab.inuse",
						    "%u, the cache's own count is %u",
						    RD_BITS(slab, sl_inuse),
						    vs->mine);
		if (RD_BITS(slab, sl_frozen))
			return mmscope_slab_invalid("slab.frozen",
						    "set on a node-partial slab");
		found++;
		prev = pos;
		if (mmscope_peek_ptr(&pos->next, (const void **)&pos))
			return mmscope_slab_invalid("slab.slab_list",
						    "unreadable");
	}
	if (found != expect ||
	    mmscope_peek_ptr(&head->prev, (const void **)&back) || back != prev)
		return mmscope_slab_invalid("kmem_cache_node.partial",
					    "node %d: %u slabs listed, %u have free objects",
					    nid, found, expect);
	if (mmscope_peek(n, &lay.n_nr_partial, &v) || v != expect)
		return mmscope_slab_invalid("kmem_cache_node.nr_partial",
					    "node %d: reads %llu, the list holds %u",
					    nid, v, expect);
	if (mmscope_peek(n, &lay.n_nr_slabs, &v) || v != nslabs)
		return mmscope_slab_invalid("kmem_cache_node.nr_slabs",
					    "node %d: reads %llu, the cache has %u",
					    nid, v, nslabs);
	if (mmscope_peek(n, &lay.n_total_objects, &v) || v != nobjs)
		return mmscope_slab_invalid("kmem_cache_node.total_objects",
					    "node %d: reads %llu, the cache has %llu",
					    nid, v, nobjs);
	return 0;
}

static bool mmscope_overlap(const struct mmscope_btf_field *a,
			    const struct mmscope_btf_field *b)
{
	u32 a0 = a->bit_off / 8, b0 = b->bit_off / 8;

	return a0 < b0 + b->size && b0 < a0 + a->size;
}

/* list_lock: never taken here; only what reading can show. */
static int mmscope_vc_lock(struct mmscope_vc *vc, int nid)
{
	const struct mmscope_btf_field *lock = &lay.n_list_lock;
	const void *n;
	u32 word = U32_MAX;

	if (mmscope_overlap(lock, &lay.n_partial) ||
	    mmscope_overlap(lock, &lay.n_nr_partial) ||
	    mmscope_overlap(lock, &lay.n_nr_slabs) ||
	    mmscope_overlap(lock, &lay.n_total_objects))
		return mmscope_slab_invalid("kmem_cache_node.list_lock",
					    "offset %u overlaps a validated member",
					    lock->bit_off / 8);
	if (mmscope_peek_ptr(MMSCOPE_AT(vc->s, s_node) + nid * sizeof(void *),
			     &n) ||
	    copy_from_kernel_nofault(&word, MMSCOPE_AT(n, n_list_lock),
				     sizeof(word)) || word)
		return mmscope_slab_invalid("kmem_cache_node.list_lock",
					    "node %d: reads 0x%x, not a free lock, on a cache nobody uses",
					    nid, word);
	return 0;
}

static int mmscope_vc_check(struct mmscope_vc *vc)
{
	char name[sizeof(MMSCOPE_VC_NAME)] = "";
	struct list_head *want = MMSCOPE_AT(vc->s, s_list), *pos;
	unsigned long n = 0;
	bool listed = false;
	u64 v;
	u32 i;
	int nid, err;

	/* Plain members read by the views. */
	if (mmscope_peek(vc->s, &lay.s_name, &v) ||
	    copy_from_kernel_nofault(name, (const void *)(unsigned long)v,
				     sizeof(name)) ||
	    memcmp(name, MMSCOPE_VC_NAME, sizeof(name)))
		return mmscope_slab_invalid("kmem_cache.name",
					    "does not name the cache");
	if (mmscope_peek(vc->s, &lay.s_object_size, &v) ||
	    v != MMSCOPE_VC_SIZE)
		return mmscope_slab_invalid("kmem_cache.object_size",
					    "reads %llu, not %u", v,
					    MMSCOPE_VC_SIZE);
	if (mmscope_peek(vc->s, &lay.s_size, &v) || v < MMSCOPE_VC_SIZE)
		return mmscope_slab_invalid("kmem_cache.size",
					    "reads %llu", v);
	if (mmscope_peek(vc->s, &lay.s_ctor, &v) ||
	    v != (unsigned long)mmscope_vc_ctor)
		return mmscope_slab_invalid("kmem_cache.ctor",
					    "not the constructor given");

	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	for (pos = mmscope_slab_caches->next;
	     pos != mmscope_slab_caches && n < MMSCOPE_SLAB_MAX_CACHES;
	     pos = pos->next, n++) {
		if (pos == want) {
			listed = true;
			break;
		}
	}
	mutex_unlock(mmscope_slab_mutex);
	if (!listed)
		return mmscope_slab_invalid("kmem_cache.list",
					    "the cache is not found on slab_caches");

	err = mmscope_vc_cpu(vc);
	if (err)
		return err;
	/* Every slab with free objects to its node's partial list. */
	kmem_cache_shrink(vc->s);
	for_each_node(nid) {
		for (i = 0; i < vc->nr_slabs; i++)
			if (vc->slabs[i].nid == nid && vc->slabs[i].mine)
				break;
		if (i == vc->nr_slabs)
			continue;
		err = mmscope_vc_node(vc, nid);
		if (!err)
			err = mmscope_vc_lock(vc, nid);
		if (err)
			return err;
	}
	return 0;
}

static int mmscope_slab_validate(void)
{
	struct mmscope_vc vc = {};
	u32 i;
	int err;

	vc.objs = kvcalloc(MMSCOPE_VC_OBJS, sizeof(*vc.objs), GFP_KERNEL);
	if (!vc.objs)
		return -ENOMEM;
	/* A constructor keeps it from being merged with another cache. */
	vc.s = kmem_cache_create(MMSCOPE_VC_NAME, MMSCOPE_VC_SIZE, 0, 0,
				 mmscope_vc_ctor);
	if (!vc.s) {
		kvfree(vc.objs);
		return -ENOMEM;
	}
	err = mmscope_vc_check(&vc);
	for (i = 0; i < vc.nr_objs; i++)
		if (vc.objs[i])
			kmem_cache_free(vc.s, vc.objs[i]);
	kmem_cache_destroy(vc.s);
	kvfree(vc.objs);
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
		if (!err)
			err = mmscope_slab_validate();
		/* Testing: a transient failure, as -ENOMEM or -EAGAIN is. */
		if (!err && mmscope_slab_transient_left) {
			mmscope_slab_transient_left--;
			err = -EAGAIN;
		}
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

/*
 * ---- gathering, in bounded holds -----------------------------------------
 *
 * Every lock hold is bounded, as in the buddy walk:
 *  - n->list_lock (irqsave) is held for at most MMSCOPE_SLAB_CHUNK entries
 *    of a partial list, then dropped, with cond_resched() between holds;
 *  - slab_mutex is held for at most MMSCOPE_SLAB_LOCKS list_lock holds and
 *    MMSCOPE_SLAB_CACHES caches (MMSCOPE_SLAB_VISITS caches passed by name),
 *    then dropped: ->fill() returns and the next one takes it again.
 * Each hold is timed; the debugfs files end with the account (longest
 * hold of each lock), which `make bench` prints.
 *
 * Resuming a partial list after dropping list_lock.  The slab the walk
 * stopped at may meanwhile have left the list, been freed, or become a
 * slab of another cache.  The walk keeps its PFN, never a pointer it would
 * follow, and after retaking list_lock resumes from it only if, under that
 * lock, it is provably still on this node's partial list of this cache:
 * an online page heading a slab folio, slab_cache == the cache, on this
 * node, linked both ways (next->prev and prev->next lead back to it, read
 * with copy_from_kernel_nofault()), and in the node-partial state, which
 * list_lock protects: the PG_workingset flag SLUB sets exactly while a
 * slab is on a node partial list (v6.8 on), or before v6.8 "not frozen
 * and not full" (per-CPU partial slabs were frozen then, and a full slab
 * is on no partial list).  Such a slab's ->next is a live entry of the
 * list or its head, so the walk goes on from there.  Otherwise the node's
 * walk starts again from the head, its count and listing dropped, at most
 * MMSCOPE_SLAB_RESTARTS times; after that the count so far is kept and
 * the cache is marked approximate (and truncated when listed).  Restarting
 * from the head and skipping N entries was rejected: the skip itself is
 * an unbounded walk under the lock.  /proc/slabinfo's sampling (v6.10 on)
 * is kept: MMSCOPE_SLABINFO_SCAN / 2 entries from each end, each end
 * walked in bounded holds the same way.  A busy cache's figures are then
 * not one snapshot, as they are not in /proc/slabinfo either.
 *
 * Resuming slab_caches after dropping slab_mutex: the last cache passed is
 * kept (compared, never dereferenced) with the number of caches passed; on
 * retaking the mutex the walk goes on after that cache if it is still on
 * the list, else after as many caches as were passed, and the view is
 * marked changed.  A cache being gathered across holds is used again only
 * if it is still on slab_caches (slab_mutex keeps it alive); if it was
 * destroyed its partial figures are dropped and the view marked changed.
 */
/* Most partial-list entries visited in one list_lock hold. */
#define MMSCOPE_SLAB_CHUNK	1024
/* Per slab_mutex hold: list_lock holds, caches gathered, caches passed. */
#define MMSCOPE_SLAB_LOCKS	16
#define MMSCOPE_SLAB_CACHES	16
#define MMSCOPE_SLAB_VISITS	256
/* Times one node's partial list is walked again from its head. */
#define MMSCOPE_SLAB_RESTARTS	4

struct mmscope_slab_acct {
	u64 t_start;
	u64 lock_holds, lock_ns_max, entries, relocks, restarts;
	u32 lock_entries_max;
	u64 mutex_holds, mutex_ns_max;
};

struct mmscope_slab_priv {
	struct mmscope_slab_node *nodes;	/* nr_node_ids entries */
	struct mmscope_slab_slab *slabs;	/* slab_cache: one list */
	u32 nr_slabs;				/* entries in @slabs */
	bool header, found, done;
	/* Position in slab_caches. */
	const void *last;		/* last cache passed: compared only */
	unsigned long idx;		/* caches passed */
	const void *cur;		/* cache being gathered, or NULL */
	/* Position in @cur. */
	struct mmscope_slab_cache rec;
	int node;			/* node being walked */
	bool node_started;
	int dir;			/* 0: from the head, 1: from the tail */
	unsigned long nr, limit, scanned, dir_scanned;
	u64 free;
	bool sampled, approx, trunc;
	bool resuming;
	unsigned long resume_pfn;
	unsigned int restarts;
	u32 node_first;			/* nr_slabs when the node began */
	struct mmscope_slab_acct acct;
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
 * Under @n's list_lock: the slab at @pfn if it is still on @n's partial
 * list of cache @s (see "Resuming a partial list" above), else NULL.
 */
static void *mmscope_partial_resume(const void *s, int node,
				    unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);
	struct list_head *link, *nx, *pv, *back;
	struct folio *folio;

	if (!page)
		return NULL;
	folio = page_folio(page);
	if (&folio->page != page || !folio_test_slab(folio) ||
	    (const void *)(unsigned long)RD(page, sl_slab_cache) != s ||
	    page_to_nid(page) != node)
		return NULL;
#if MMSCOPE_SLAB_NODE_PARTIAL_FLAG
	if (!folio_test_workingset(folio))
		return NULL;
#else
	if (RD_BITS(page, sl_frozen) ||
	    RD_BITS(page, sl_inuse) >= RD_BITS(page, sl_objects))
		return NULL;
#endif
	link = MMSCOPE_AT(page, sl_slab_list);
	nx = READ_ONCE(link->next);
	pv = READ_ONCE(link->prev);
	if (copy_from_kernel_nofault(&back, &nx->prev, sizeof(back)) ||
	    back != link ||
	    copy_from_kernel_nofault(&back, &pv->next, sizeof(back)) ||
	    back != link)
		return NULL;
	return page;
}

/* The node's walk starts again from the head (or settles). */
static void mmscope_partial_restart(struct mmscope_slab_priv *p, bool listing)
{
	p->acct.restarts++;
	if (++p->restarts > MMSCOPE_SLAB_RESTARTS) {
		/* Settle for what was counted. */
		p->approx = true;
		if (listing)
			p->trunc = true;
		p->dir = p->sampled ? 2 : 1;
		return;
	}
	p->free = 0;
	p->scanned = 0;
	p->dir_scanned = 0;
	p->dir = 0;
	if (listing)
		p->nr_slabs = p->node_first;
}

/*
 * One bounded list_lock hold on node @n's partial list of cache @s, from
 * the head (or tail) or from the resume slab.  Free objects are counted by
 * /proc/slabinfo's rule for this kernel (MMSCOPE_SLABINFO_SCAN); with
 * @listing, the slabs are also kept, up to MMSCOPE_SLAB_LIST.
 */
static void mmscope_partial_hold(struct mmscope_slab_priv *p, const void *s,
				 void *n, bool listing)
{
	spinlock_t *lock = MMSCOPE_AT(n, n_list_lock);
	struct list_head *head = MMSCOPE_AT(n, n_partial);
	struct list_head *pos = head;
	unsigned int visited = 0;
	unsigned long flags;
	u64 t0, held;
	void *slab;

	spin_lock_irqsave(lock, flags);
	t0 = ktime_get_ns();
	p->nr = RD(n, n_nr_partial);
	if (!p->node_started) {
		p->node_started = true;
		p->limit = ULONG_MAX;
		p->sampled = MMSCOPE_SLABINFO_SCAN &&
			     p->nr > MMSCOPE_SLABINFO_SCAN;
		if (p->sampled)
			p->limit = MMSCOPE_SLABINFO_SCAN / 2;
	}
	if (p->resuming) {
		p->resuming = false;
		slab = mmscope_partial_resume(s, p->node, p->resume_pfn);
		if (slab) {
			pos = MMSCOPE_AT(slab, sl_slab_list);
			p->acct.relocks++;
		} else {
			mmscope_partial_restart(p, listing);
		}
	}
	while (p->dir < (p->sampled ? 2 : 1)) {
		struct list_head *nx = p->dir ? READ_ONCE(pos->prev) :
						READ_ONCE(pos->next);
		u32 objects, inuse;

		if (nx == head || p->dir_scanned >= p->limit) {
			/* This end is done; a sample goes on from the tail. */
			p->dir++;
			p->dir_scanned = 0;
			pos = head;
			continue;
		}
		if (visited == MMSCOPE_SLAB_CHUNK) {
			slab = (void *)pos - lay.sl_slab_list.bit_off / 8;
			p->resume_pfn = page_to_pfn((struct page *)slab);
			p->resuming = true;
			break;
		}
		slab = (void *)nx - lay.sl_slab_list.bit_off / 8;
		objects = RD_BITS(slab, sl_objects);
		inuse = RD_BITS(slab, sl_inuse);
		p->free += objects - min(inuse, objects);
		if (listing) {
			if (p->nr_slabs < MMSCOPE_SLAB_LIST)
				mmscope_slab_list_one(slab, p->slabs,
						      &p->nr_slabs, p->node,
						      objects, inuse);
			else
				p->trunc = true;
		}
		visited++;
		p->scanned++;
		p->dir_scanned++;
		pos = nx;
	}
	held = ktime_get_ns() - t0;
	spin_unlock_irqrestore(lock, flags);

	p->acct.lock_holds++;
	p->acct.entries += visited;
	p->acct.lock_ns_max = max(p->acct.lock_ns_max, held);
	p->acct.lock_entries_max = max(p->acct.lock_entries_max, visited);
}

/* The cache's own fields, before its nodes are walked. */
static void mmscope_slab_rec_begin(struct mmscope_slab_priv *p, const void *s,
				   bool priv)
{
	struct mmscope_slab_cache *rec = &p->rec;
	const char *name = (const char *)RD(s, s_name);
	u32 oo = RD(s, s_oo);

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
	p->node = 0;
	p->node_started = false;
	p->approx = false;
	p->trunc = false;
	p->nr_slabs = 0;
}

/*
 * Walk the nodes of cache @s from where @p stands, spending at most
 * *@locks list_lock holds.  Return: true when every node is done.
 */
static bool mmscope_slab_rec_nodes(struct mmscope_slab_priv *p,
				   const void *s, bool listing,
				   unsigned int *locks)
{
	struct mmscope_slab_cache *rec = &p->rec;

	for (; p->node < nr_node_ids; p->node++, p->node_started = false) {
		void *n = mmscope_cache_node(s, p->node);
		struct mmscope_slab_node *nr = &p->nodes[rec->nr_nodes];

		if (!n)
			continue;
		if (!p->node_started) {
			p->free = 0;
			p->scanned = 0;
			p->dir_scanned = 0;
			p->dir = 0;
			p->restarts = 0;
			p->resuming = false;
			p->node_first = p->nr_slabs;
		}
		do {
			if (!*locks)
				return false;
			(*locks)--;
			mmscope_partial_hold(p, s, n, listing);
			cond_resched();
		} while (p->resuming);

		if (p->sampled) {
			p->free = mult_frac(p->free, p->nr, max(p->scanned, 1UL));
			p->free = min_t(u64, p->free,
					atomic_long_read(MMSCOPE_AT(n, n_total_objects)));
			p->approx = true;
			if (listing)
				p->trunc = true;
		}
		memset(nr, 0, sizeof(*nr));
		nr->node = p->node;
		nr->nr_slabs = atomic_long_read(MMSCOPE_AT(n, n_nr_slabs));
		nr->total_objs = atomic_long_read(MMSCOPE_AT(n,
							     n_total_objects));
		nr->nr_partial = p->nr;
		nr->partial_free = p->free;
		rec->num_slabs += nr->nr_slabs;
		rec->num_objs += nr->total_objs;
		rec->nr_partial += nr->nr_partial;
		rec->partial_free += nr->partial_free;
		rec->nr_nodes++;
	}
	return true;
}

/* The per-CPU part of the record: a racy snapshot, read without faulting. */
static void mmscope_slab_rec_cpus(struct mmscope_slab_priv *p, const void *s)
{
	struct mmscope_slab_cache *rec = &p->rec;
	void __percpu *pcp = (void __percpu *)RD(s, s_cpu_slab);
	int cpu;

	rec->active_objs = rec->num_objs - min(rec->partial_free,
					       rec->num_objs);
	if (p->approx)
		rec->bits |= MMSCOPE_SLABC_APPROX;

	for_each_possible_cpu(cpu) {
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
			p->trunc = true;
	}
	if (p->trunc)
		rec->bits |= MMSCOPE_SLABC_TRUNC;
}

static int mmscope_emit_cache(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_priv *p = ctx->priv;
	u32 i;
	int err;

	err = mmscope_emit(ctx, &p->rec, MMSCOPE_REC_SLAB_CACHE,
			   sizeof(p->rec));
	for (i = 0; !err && i < p->rec.nr_nodes; i++)
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

/* The node-partial slabs gathered with the counts, without any lock. */
static int mmscope_emit_node_slabs(struct mmscope_ctx *ctx)
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
	p->nr_slabs = 0;
	return 0;
}

/* ---- the views --------------------------------------------------------- */

static int mmscope_slab_start(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_priv *p;
	int err;

	err = mmscope_slab_ready();
	/*
	 * Not resolved (a transient failure: no memory, a signal, -EAGAIN):
	 * the open or query fails with it, and ->fill() never runs.
	 */
	if (err == -EINTR || (err && !READ_ONCE(mmscope_slab_resolved)))
		return err;
	/* Resolved as unusable: debugfs says why in the file. */
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

/*
 * Text mode only: the slab files explain why they are empty.  Also what
 * ->fill() says if it ever ran without its state: it never touches the
 * unresolved symbols.
 */
static int mmscope_slab_unavailable(struct mmscope_ctx *ctx)
{
	if (!ctx->text)
		return -EOPNOTSUPP;
	return mmscope_printf(ctx, "# slab views unavailable: %s\n",
			      mmscope_slab_err ? mmscope_slab_why :
			      "not resolved yet (a transient failure): open the file again");
}

static bool mmscope_slab_usable(const struct mmscope_ctx *ctx)
{
	return ctx->priv && READ_ONCE(mmscope_slab_resolved) &&
	       !mmscope_slab_err;
}

/* Text mode: the lock-hold account, last. */
static int mmscope_slab_account(struct mmscope_ctx *ctx)
{
	struct mmscope_slab_priv *p = ctx->priv;
	const struct mmscope_slab_acct *a = &p->acct;

	if (!ctx->text)
		return 0;
	return mmscope_printf(ctx,
			      "# walk %llu ns; %llu holds of list_lock (%llu resumed, %llu restarts), longest %llu ns / %u slabs (bound %u); %llu holds of slab_mutex, longest %llu ns; %llu slabs\n",
			      ktime_get_ns() - a->t_start, a->lock_holds,
			      a->relocks, a->restarts, a->lock_ns_max,
			      a->lock_entries_max, MMSCOPE_SLAB_CHUNK,
			      a->mutex_holds, a->mutex_ns_max, a->entries);
}

/*
 * With slab_mutex held: the entry of slab_caches after which the walk goes
 * on (see "Resuming slab_caches" above).
 */
static struct list_head *mmscope_slab_reposition(struct mmscope_ctx *ctx,
						 struct mmscope_slab_priv *p)
{
	struct list_head *head = mmscope_slab_caches, *pos;
	unsigned long i = 0;

	if (p->cur && !mmscope_slab_is_cache(p->cur)) {
		/* Destroyed while the mutex was dropped: it is gone. */
		p->cur = NULL;
		p->nr_slabs = 0;
		ctx->end_flags |= MMSCOPE_END_CHANGED;
	}
	if (!p->last)
		return head;
	for (pos = head->next; pos != head && i < MMSCOPE_SLAB_MAX_CACHES;
	     pos = pos->next, i++)
		if ((void *)pos - lay.s_list.bit_off / 8 == p->last)
			return pos;
	ctx->end_flags |= MMSCOPE_END_CHANGED;
	for (pos = head, i = 0; i < p->idx && pos->next != head; i++)
		pos = pos->next;
	return pos;
}

/*
 * Emit the gathered cache @s and, for slab_cache, its per-CPU slabs (read
 * now, under slab_mutex).  Its node-partial slabs, already copied, are
 * emitted once the mutex is dropped (mmscope_emit_node_slabs()).
 */
static int mmscope_slab_finish(struct mmscope_ctx *ctx, const void *s,
			       bool one)
{
	struct mmscope_slab_priv *p = ctx->priv;
	int err;

	mmscope_slab_rec_cpus(p, s);
	err = mmscope_emit_cache(ctx);
	if (!err && one)
		err = mmscope_emit_cpu_slabs(ctx, s);
	return err;
}

static int mmscope_slab_fill(struct mmscope_ctx *ctx)
{
	bool one = ctx->ops->view == MMSCOPE_VIEW_SLAB_CACHE;
	struct mmscope_slab_priv *p = ctx->priv;
	unsigned int locks = MMSCOPE_SLAB_LOCKS, caches = 0, visits = 0;
	struct list_head *pos;
	u64 t0, held;
	int err = 0;

	if (!mmscope_slab_usable(ctx))
		return mmscope_slab_unavailable(ctx);
	if (p->done)
		goto end;
	if (!p->header) {
		p->header = true;
		p->acct.t_start = ktime_get_ns();
		if (ctx->text)
			err = mmscope_printf(ctx,
					     "# %-24s %10s %10s %7s %7s %6s %5s %8s %8s %7s %4s %4s %s\n",
					     "name", "active", "objs", "objsize",
					     "slotsz", "perslb", "pages",
					     "slabs", "partial", "cpuslb",
					     "cpup", "refs", "flags");
		if (err)
			return err;
	}
	if (fatal_signal_pending(current))
		return -EINTR;
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	t0 = ktime_get_ns();
	pos = mmscope_slab_reposition(ctx, p);
	for (;;) {
		const void *s = p->cur;

		if (!s) {
			if (pos->next == mmscope_slab_caches ||
			    p->idx >= MMSCOPE_SLAB_MAX_CACHES) {
				p->done = true;
				break;
			}
			if (visits++ >= MMSCOPE_SLAB_VISITS ||
			    caches >= MMSCOPE_SLAB_CACHES)
				break;
			pos = pos->next;
			s = (void *)pos - lay.s_list.bit_off / 8;
			p->idx++;
			p->last = s;
			if (one) {
				const char *name = (const char *)RD(s, s_name);

				if (!name || strcmp(name, ctx->q.name))
					continue;
			}
			p->cur = s;
			mmscope_slab_rec_begin(p, s, ctx->privileged);
		}
		if (!mmscope_slab_rec_nodes(p, s, one, &locks))
			break;		/* the mutex is dropped mid-cache */
		pos = (struct list_head *)MMSCOPE_AT(s, s_list);
		p->cur = NULL;
		caches++;
		err = mmscope_slab_finish(ctx, s, one);
		if (err)
			break;
		if (one) {
			p->found = true;
			p->done = true;
			break;
		}
		if (mmscope_full(ctx))
			break;
	}
	held = ktime_get_ns() - t0;
	mutex_unlock(mmscope_slab_mutex);
	p->acct.mutex_holds++;
	p->acct.mutex_ns_max = max(p->acct.mutex_ns_max, held);
	if (!err && one && p->found)
		err = mmscope_emit_node_slabs(ctx);
	if (err)
		return err;
	if (!p->done) {
		cond_resched();
		return 1;
	}
end:
	if (one && !p->found) {
		if (!ctx->text)
			return -ENOENT;
		err = mmscope_printf(ctx, "# no slab cache named '%s'\n",
				     ctx->q.name);
		if (err)
			return err;
	}
	return mmscope_slab_account(ctx);
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

static int mmscope_slab_lookup(unsigned long addr, struct mmscope_slab_obj *r)
{
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

	if (!mmscope_slab_usable(ctx))
		return mmscope_slab_unavailable(ctx);
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	err = mmscope_slab_lookup(ctx->q.start, &r);
	mutex_unlock(mmscope_slab_mutex);
	if (err && ctx->text)
		return mmscope_printf(ctx, "# 0x%llx: %s\n", ctx->q.start,
				      err == -EINVAL ? "not a canonical address" :
				      "not in a slab (not a slab page of the direct map)");
	if (err)
		return err;
	return mmscope_emit(ctx, &r, MMSCOPE_REC_SLAB_OBJ, sizeof(r));
}

/* Resolved already, without waiting: 0, -EBUSY, -EAGAIN or why not. */
static int mmscope_slab_ready_nowait(void)
{
	bool resolved;
	int err;

	if (!mutex_trylock(&mmscope_slab_resolve_lock))
		return -EBUSY;
	resolved = mmscope_slab_resolved;
	err = mmscope_slab_err;
	mutex_unlock(&mmscope_slab_resolve_lock);
	return resolved ? err : -EAGAIN;
}

static int mmscope_slab_obj_lookup(unsigned long addr,
				   struct mmscope_slab_obj *r, bool wait)
{
	int err = wait ? mmscope_slab_ready() : mmscope_slab_ready_nowait();

	if (err)
		return err;
	if (!wait) {
		if (!mutex_trylock(mmscope_slab_mutex))
			return -EBUSY;
	} else if (mutex_lock_killable(mmscope_slab_mutex)) {
		return -EINTR;
	}
	err = mmscope_slab_lookup(addr, r);
	mutex_unlock(mmscope_slab_mutex);
	return err;
}

/**
 * mmscope_slab_obj_at() - the cache and object holding a kernel address
 * @addr: a kernel address (of the direct map: a slab page's)
 * @r: filled as the slab_addr view fills its record
 *
 * For the page view: resolves the slab views first if they are not yet,
 * then looks @addr up under slab_mutex, as the slab_addr view does.
 *
 * Return: 0, -ENXIO when @addr is not in a slab, -EINTR, or why the slab
 * views are unavailable (-errno).
 */
int mmscope_slab_obj_at(unsigned long addr, struct mmscope_slab_obj *r)
{
	return mmscope_slab_obj_lookup(addr, r, true);
}

/**
 * mmscope_slab_obj_at_nowait() - mmscope_slab_obj_at(), never sleeping
 *	on slab_mutex
 * @addr: a kernel address (of the direct map: a slab page's)
 * @r: filled as the slab_addr view fills its record
 *
 * For callers that hold a lock others wait on (the KSM walk holds the
 * folio lock): slab_mutex and the resolution lock are only tried, so
 * their hold is not lengthened by someone else's.
 *
 * Return: as mmscope_slab_obj_at(), -EBUSY when slab_mutex or the
 * resolution lock is held, -EAGAIN when the slab views are not resolved.
 */
int mmscope_slab_obj_at_nowait(unsigned long addr, struct mmscope_slab_obj *r)
{
	return mmscope_slab_obj_lookup(addr, r, false);
}

/**
 * mmscope_slab_cache_name() - the name of a live slab cache
 * @cache: a struct kmem_cache pointer from anywhere (checked: it must be
 *	   on the list of caches)
 * @buf: filled with the cache's name (a merged cache's: its first one's)
 * @len: size of @buf
 *
 * Return: 0, -ENXIO when @cache is not a live cache, -EINTR, or why the
 * slab views are unavailable (-errno).
 */
int mmscope_slab_cache_name(const void *cache, char *buf, size_t len)
{
	const char *name;
	int err = mmscope_slab_ready();

	if (err)
		return err;
	if (mutex_lock_killable(mmscope_slab_mutex))
		return -EINTR;
	err = -ENXIO;
	if (cache && mmscope_slab_is_cache(cache)) {
		name = (const char *)RD(cache, s_name);
		if (name) {
			strscpy(buf, name, len);
			err = 0;
		}
	}
	mutex_unlock(mmscope_slab_mutex);
	return err;
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
		seq_buf_printf(sb,
			       "%-26s %10llu %10llu %7u %7u %6u %5u %8llu %8llu %7llu %4llu %4d ",
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
			seq_buf_printf(sb,
				       "0x%llx: KFENCE object of cache %s, on its own guarded page 0x%llx (pfn 0x%llx); no slab index\n",
				       o->addr, o->cache, o->slab, o->pfn);
			break;
		}
		seq_buf_printf(sb,
			       "0x%llx: cache %s slab 0x%llx (pfn 0x%llx) object %u at 0x%llx offset %u%s\n",
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
