// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for selftests/slab.c: a private slab cache holding a known
 * number of objects.
 *
 * On load it creates the cache "mmscope_test_slab" (a constructor keeps it
 * from being merged with another cache, on every kernel), allocates @count
 * objects of @size bytes and, unless @shrink=0, flushes the per-CPU slabs
 * with kmem_cache_shrink(), so that every slab sits on a node list and the
 * counts are exact.  With shrink=0 the last slab stays the loading CPU's
 * active slab, for the per-CPU views.  With @keep_every=K, every object but
 * one in K is freed again before the flush: every slab then holds a few
 * objects and sits on its node's partial list (a long partial list, for the
 * bounded walks).  /sys/kernel/debug/mmscope_test_slab/objects (0400)
 * lists the addresses of the objects held, one per line.  Unloading frees the objects
 * and destroys the cache.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

static unsigned int count = 100;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "objects to allocate (at most 100000)");

static unsigned int size = 200;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "object size in bytes (8 to 4096)");

static bool shrink = true;
module_param(shrink, bool, 0444);
MODULE_PARM_DESC(shrink, "flush the per-CPU slabs after allocating (default 1)");

static unsigned int keep_every = 1;
module_param(keep_every, uint, 0444);
MODULE_PARM_DESC(keep_every, "keep one object in this many, free the others (default 1: keep all)");

static struct kmem_cache *test_cache;
static void **test_objs;
static struct dentry *test_dir;

static void test_ctor(void *obj)
{
	memset(obj, 0x5a, size);
}

static int objects_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (test_objs[i])
			seq_printf(m, "0x%lx\n", (unsigned long)test_objs[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static void test_free(void)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (test_objs[i])
			kmem_cache_free(test_cache, test_objs[i]);
	kvfree(test_objs);
	kmem_cache_destroy(test_cache);
}

static int __init test_slab_init(void)
{
	unsigned int i;

	if (count > 100000 || size < 8 || size > 4096 || !keep_every)
		return -EINVAL;
	test_cache = kmem_cache_create("mmscope_test_slab", size, 0, 0,
				       test_ctor);
	if (!test_cache)
		return -ENOMEM;
	test_objs = kvcalloc(count, sizeof(*test_objs), GFP_KERNEL);
	if (!test_objs) {
		kmem_cache_destroy(test_cache);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		test_objs[i] = kmem_cache_alloc(test_cache, GFP_KERNEL);
		if (!test_objs[i]) {
			test_free();
			return -ENOMEM;
		}
	}
	for (i = 0; i < count; i++) {
		if (i % keep_every) {
			kmem_cache_free(test_cache, test_objs[i]);
			test_objs[i] = NULL;
		}
	}
	if (shrink)
		kmem_cache_shrink(test_cache);
	test_dir = debugfs_create_dir("mmscope_test_slab", NULL);
	debugfs_create_file("objects", 0400, test_dir, NULL, &objects_fops);
	return 0;
}

static void __exit test_slab_exit(void)
{
	debugfs_remove_recursive(test_dir);
	test_free();
}

module_init(test_slab_init);
module_exit(test_slab_exit);
MODULE_DESCRIPTION("mmscope selftest helper: a private slab cache");
MODULE_LICENSE("GPL");
