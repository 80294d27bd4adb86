// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for selftests/kernel.c: one W+X kernel mapping.
 *
 * On load it vmallocs two pages (writable, not executable) and clears the
 * NX bit of their two PTEs: [addr, addr + 8 KiB) is then mapped both
 * writable and executable, which the kernel's own W+X check (run only at
 * boot) would report.  The address is the parameter @addr (0400).  The
 * pages are never executed.  Unloading sets NX again and frees them.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>

#define WX_PAGES	2

static unsigned long addr;
module_param(addr, ulong, 0400);
MODULE_PARM_DESC(addr, "start of the W+X mapping (read only)");

static void *wx_area;

/* Set or clear NX in the PTEs of the area; false if one is missing. */
static bool wx_set_nx(bool nx)
{
	unsigned int level, i;

	for (i = 0; i < WX_PAGES; i++) {
		unsigned long va = (unsigned long)wx_area + i * PAGE_SIZE;
		pte_t *pte = lookup_address(va, &level);

		if (!pte || level != PG_LEVEL_4K)
			return false;
		set_pte(pte, nx ? pte_set_flags(*pte, _PAGE_NX) :
			pte_clear_flags(*pte, _PAGE_NX));
	}
	return true;
}

static int __init mmscope_test_wx_init(void)
{
	wx_area = vzalloc(WX_PAGES * PAGE_SIZE);
	if (!wx_area)
		return -ENOMEM;
	if (!wx_set_nx(false)) {
		vfree(wx_area);
		return -EINVAL;
	}
	addr = (unsigned long)wx_area;
	return 0;
}

static void __exit mmscope_test_wx_exit(void)
{
	wx_set_nx(true);
	vfree(wx_area);
}

module_init(mmscope_test_wx_init);
module_exit(mmscope_test_wx_exit);
MODULE_DESCRIPTION("mmscope test helper: a W+X kernel mapping");
MODULE_LICENSE("GPL");
