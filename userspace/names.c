// SPDX-License-Identifier: GPL-2.0
/* Bits to names, one table per record type (see names.h). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "cli.h"
#include "names.h"

#define TABLE(name, arr) \
	const struct bit_names name = { arr, sizeof(arr) / sizeof(arr[0]) }

static const char *const pt_flag_names[] = {
	"present", "rw", "user", "pwt", "pcd", "accessed", "dirty", "pse",
	"pat", "global", "nx", "soft_dirty", "uffd_wp", "special", "devmap",
	"exclusive", "pkey", "hugetlb", "saved_dirty", "poisoned",
};
TABLE(pt_flag_bits, pt_flag_names);

/* Bit 0 (valid) says the page was read: not a property of the page. */
static const char *const page_bit_names[] = {
	NULL, "anon", "file", "ksm", "lru", "active", "dirty", "uptodate",
	"swapbacked", "large", "head", "tail", "hugetlb", "zero", "reserved",
	"locked", "referenced", "unevictable", "exclusive",
};
TABLE(page_bits, page_bit_names);

/*
 * /proc/kpageflags bits (KPF_*), named as tools/mm/page-types names them;
 * 32 and up are the kernel-internal ones kpageflags reports too (34 was
 * KPF_MAPPEDTODISK before v6.9, 39 KPF_UNCACHED before v6.11).
 */
static const char *const kpf_names[] = {
	"locked", "error", "referenced", "uptodate", "dirty", "lru",
	"active", "slab", "writeback", "reclaim", "buddy", "mmap",
	"anonymous", "swapcache", "swapbacked", "compound_head",
	"compound_tail", "huge", "unevictable", "hwpoison", "nopage", "ksm",
	"thp", "offline", "zero_page", "idle_page", "pgtable", NULL, NULL,
	NULL, NULL, NULL, "reserved", "mlocked", "owner_2", "private",
	"private_2", "owner_private", "arch", "uncached", "softdirty",
	"arch_2", "arch_3",
};
TABLE(kpf_bits, kpf_names);

static const char *const fault_flag_names[MMSCOPE_FF_NR] = {
	"write", "mkwrite", "allow_retry", "retry_nowait", "killable",
	"tried", "user", "remote", "instruction", "interruptible", "unshare",
	"vma_lock",
};
TABLE(fault_flag_bits, fault_flag_names);

static const char *const fault_result_names[MMSCOPE_FR_NR] = {
	"OOM", "SIGBUS", "MAJOR", "HWPOISON", "HWPOISON_LARGE", "SIGSEGV",
	"NOPAGE", "LOCKED", "RETRY", "FALLBACK", "DONE_COW", "NEEDDSYNC",
	"COMPLETED",
};
TABLE(fault_result_bits, fault_result_names);

static const char *const slab_flag_names[MMSCOPE_SLAB_NR_FLAGS] = {
	"HWCACHE_ALIGN", "RECLAIM_ACCOUNT", "ACCOUNT", "TYPESAFE_BY_RCU",
	"POISON", "RED_ZONE", "STORE_USER", "CONSISTENCY_CHECKS", "TRACE",
	"PANIC", "CACHE_DMA", "CACHE_DMA32", "NOLEAKTRACE", "NO_MERGE",
	"KMALLOC", "NO_USER_FLAGS", "MEM_SPREAD", "FAILSLAB",
};
TABLE(slab_flag_bits, slab_flag_names);

/*
 * smaps' show_smap_vma_flags() for x86-64.  Bits 0-31 are the same on
 * every supported kernel; above them 6.1 has VM_UFFD_MINOR at 37, 6.6+
 * VM_SHADOW_STACK at 37 and VM_UFFD_MINOR at 38, 6.10+ VM_SEALED at 63,
 * 6.11+ VM_DROPPABLE at 40.  Pkey bits (32-35) have no mnemonic.
 */
static const char *vm_flag_names[64] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms",
	"gd", "um", "pf", NULL, "uw", "lo", "io", "sr",
	"rr", "dc", "de", "lf", "ac", "nr", "ht", "sf",
	"ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg",
};
static struct bit_names vm_flag_table = { vm_flag_names, 64 };

const struct bit_names *vm_flag_bits(void)
{
	static int done;
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (done)
		return &vm_flag_table;
	done = 1;
	if (!uname(&u))
		sscanf(u.release, "%u.%u", &major, &minor);
	if (major > 6 || (major == 6 && minor >= 6)) {
		vm_flag_names[37] = "ss";
		vm_flag_names[38] = "ui";
	} else {
		vm_flag_names[37] = "ui";
	}
	if (major > 6 || (major == 6 && minor >= 10))
		vm_flag_names[63] = "sl";
	if (major > 6 || (major == 6 && minor >= 11))
		vm_flag_names[40] = "dp";
	return &vm_flag_table;
}

const char *bits_str(const struct bit_names *t, uint64_t bits, const char *sep,
		     char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < t->nr && i < 64; i++) {
		if (!(bits & (1ULL << i)) || !t->names[i] || !t->names[i][0])
			continue;
		if (n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? sep : "",
				      t->names[i]);
	}
	return buf;
}

void json_bits(const char *key, const struct bit_names *t, uint64_t bits)
{
	unsigned int i;

	json_arr_open(key);
	for (i = 0; i < t->nr && i < 64; i++)
		if ((bits & (1ULL << i)) && t->names[i] && t->names[i][0])
			json_str(NULL, t->names[i]);
	json_arr_close();
}

static const char *const pt_level_names[MMSCOPE_PT_NR_LEVELS] =
	MMSCOPE_PT_LEVEL_NAMES;
static const char *const pt_kind_names[MMSCOPE_PTK_NR] =
	MMSCOPE_PT_KIND_NAMES;

const char *pt_level_name(unsigned int level)
{
	return level < MMSCOPE_PT_NR_LEVELS ? pt_level_names[level] : "?";
}

const char *pt_kind_name(unsigned int kind)
{
	return kind < MMSCOPE_PTK_NR ? pt_kind_names[kind] : "?";
}

const char *fault_level_name(unsigned int level)
{
	switch (level) {
	case 1:
		return "pte";
	case 2:
		return "pmd";
	case 3:
		return "pud";
	}
	return "?";
}
