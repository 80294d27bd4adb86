// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for selftests/exotic.c: device memory mapped into a process.
 *
 * /dev/mmscope_test_pfnmap maps one page per mmap(), chosen by the offset
 * (in pages):
 *   0  a page of RAM the module owns, with remap_pfn_range(): a VM_PFNMAP |
 *      VM_IO mapping, special entry, the PFN has a struct page;
 *   1  a physical address with no struct page (!pfn_valid(), above every
 *      memory section, below the CPU's physical address limit), with
 *      remap_pfn_range(): nothing ever reads it;
 *   2  another page of RAM the module owns, with vm_insert_page(): a
 *      VM_MIXEDMAP mapping of a normal, refcounted page.
 * The PFNs are read-only parameters (ram_pfn, nostruct_pfn, insert_pfn);
 * the RAM pages begin with "mmscope-pfnmap-R" and "mmscope-pfnmap-I".
 */
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/processor.h>

static unsigned long ram_pfn;
module_param(ram_pfn, ulong, 0444);
MODULE_PARM_DESC(ram_pfn, "PFN mapped at offset 0 (remap_pfn_range of RAM)");

static unsigned long nostruct_pfn;
module_param(nostruct_pfn, ulong, 0444);
MODULE_PARM_DESC(nostruct_pfn, "PFN mapped at offset 1 (no struct page)");

static unsigned long insert_pfn;
module_param(insert_pfn, ulong, 0444);
MODULE_PARM_DESC(insert_pfn, "PFN mapped at offset 2 (vm_insert_page)");

static struct page *ram_page, *insert_page;

static int pfnmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	switch (vma->vm_pgoff) {
	case 0:
		return remap_pfn_range(vma, vma->vm_start, ram_pfn, PAGE_SIZE,
				       vma->vm_page_prot);
	case 1:
		if (!nostruct_pfn)
			return -ENXIO;
		return remap_pfn_range(vma, vma->vm_start, nostruct_pfn,
				       PAGE_SIZE, vma->vm_page_prot);
	case 2:
		return vm_insert_page(vma, vma->vm_start, insert_page);
	default:
		return -EINVAL;
	}
}

static const struct file_operations pfnmap_fops = {
	.owner = THIS_MODULE,
	.mmap = pfnmap_mmap,
};

static struct miscdevice pfnmap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mmscope_test_pfnmap",
	.fops = &pfnmap_fops,
	.mode = 0600,
};

/*
 * A PFN without a struct page: half the CPU's physical address space,
 * when no memory section is there (a test VM has a few GiB).
 */
static unsigned long pfnmap_find_nostruct(void)
{
	unsigned long pfn;

	if (boot_cpu_data.x86_phys_bits <= PAGE_SHIFT + 1)
		return 0;
	pfn = 1UL << (boot_cpu_data.x86_phys_bits - 1 - PAGE_SHIFT);
	return pfn_valid(pfn) ? 0 : pfn;
}

static int __init pfnmap_init(void)
{
	int ret;

	ram_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	insert_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ram_page || !insert_page) {
		ret = -ENOMEM;
		goto err;
	}
	memcpy(page_address(ram_page), "mmscope-pfnmap-R", 16);
	memcpy(page_address(insert_page), "mmscope-pfnmap-I", 16);
	ram_pfn = page_to_pfn(ram_page);
	insert_pfn = page_to_pfn(insert_page);
	nostruct_pfn = pfnmap_find_nostruct();
	ret = misc_register(&pfnmap_dev);
	if (!ret)
		return 0;
err:
	if (ram_page)
		__free_page(ram_page);
	if (insert_page)
		__free_page(insert_page);
	return ret;
}

static void __exit pfnmap_exit(void)
{
	misc_deregister(&pfnmap_dev);
	__free_page(ram_page);
	__free_page(insert_page);
}

module_init(pfnmap_init);
module_exit(pfnmap_exit);
MODULE_DESCRIPTION("mmscope selftest helper: device memory mapped into a process");
MODULE_LICENSE("GPL");
