/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel memory as the kernel itself shows it to root: a symbol's address
 * from /proc/kallsyms, bytes at a kernel virtual address through
 * /proc/kcore's PT_LOAD segments, and physical memory through the direct
 * map at page_offset_base (the kernel's variable, read the same way).
 * Never mmscope's own answers: these are the tests' oracles for kernel
 * addresses and page-table pages.
 *
 * Header-only, as lib/mmtest.h.
 */
#ifndef MMSCOPE_SELFTEST_KCORE_H
#define MMSCOPE_SELFTEST_KCORE_H

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mmtest.h"

/* @sym's address in /proc/kallsyms (vmlinux's, not a module's), or 0. */
static MMT_UNUSED unsigned long long mmt_ksym(const char *sym)
{
	char *text = mmt_read_file("/proc/kallsyms", NULL), *line, *save = NULL;
	unsigned long long a, v = 0;
	char name[128], t;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && !v;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%llx %c %127s", &a, &t, name) == 3 &&
		    !strcmp(name, sym) && !strchr(line, '['))
			v = a;
	free(text);
	return v;
}

/* @len bytes of kernel memory at @va through /proc/kcore's PT_LOAD segments. */
static MMT_UNUSED int mmt_kcore(unsigned long long va, void *buf, size_t len)
{
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC), i, ret = -1;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG))
		for (i = 0; i < eh.e_phnum && ret; i++)
			if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) ==
			    sizeof(ph) && ph.p_type == PT_LOAD && va >= ph.p_vaddr &&
			    va + len <= ph.p_vaddr + ph.p_memsz)
				ret = pread(fd, buf, len, ph.p_offset + va - ph.p_vaddr) ==
				      (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

/* The direct map's base (KASLR): page_offset_base, read through kcore. */
static MMT_UNUSED unsigned long long mmt_page_offset_base(void)
{
	unsigned long long a = mmt_ksym("page_offset_base"), v = 0;

	return a && !mmt_kcore(a, &v, sizeof(v)) ? v : 0;
}

#endif /* MMSCOPE_SELFTEST_KCORE_H */
