// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own view of kernel memory, for the labs on the kernel half:
 * symbol addresses from /proc/kallsyms, kernel memory from /proc/kcore
 * (an ELF core file whose PT_LOAD segments are the kernel's virtual
 * ranges; root, CAP_SYS_RAWIO), the System RAM ranges of /proc/iomem.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

uint64_t lab_kallsyms(const char *name)
{
	unsigned long long a, found = 0;
	char line[512], sym[256], t;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &t, sym) == 3 &&
		    !strcmp(sym, name) && !strchr(line, '['))
			found = a;
	fclose(f);
	return found;
}

int lab_kcore_read(uint64_t vaddr, void *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, ret = -ENOENT;

	fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -EIO;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) !=
		    sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr ||
		    vaddr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		ret = pread(fd, buf, len, ph.p_offset + (vaddr - ph.p_vaddr)) ==
		      (ssize_t)len ? 0 : -EIO;
		break;
	}
	close(fd);
	return ret;
}

int lab_iomem_ram(struct lab_range *r, int max)
{
	char line[256];
	unsigned long long s, e;
	int n = 0, off;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < max)
		if (sscanf(line, " %llx-%llx : %n", &s, &e, &off) == 2 &&
		    !strncmp(line + off, "System RAM\n", 11) && e > s) {
			r[n].start = s;
			r[n].end = e + 1;
			n++;
		}
	fclose(f);
	return n;
}
