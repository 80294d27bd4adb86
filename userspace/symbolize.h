/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address to symbol, in user space after the event (symbolize.c): user
 * addresses through the process's /proc/PID/maps and the mapped ELF file
 * (elfutils libdwfl: symbol tables, and file:line where the file or its
 * separate debug file has DWARF), kernel addresses through /proc/kallsyms.
 * Binaries are opened once and cached by device, inode, size and mtime;
 * a process's mappings are read once and again only when an address falls
 * outside them.
 */
#ifndef MMSCOPE_SYMBOLIZE_H
#define MMSCOPE_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One symbolized frame; a NULL string or 0 line: unknown. */
struct sym_frame {
	uint64_t ip;
	const char *sym;		/* function (or nearest symbol) */
	uint64_t off;			/* ip - the symbol's start */
	const char *file;		/* source file, from DWARF */
	int line;			/* its line, 0: unknown */
	const char *module;		/* binary path, "vmlinux" or a module */
	bool unmapped;			/* user: the process's maps were read and
					 * no executable mapping holds ip */
};

/* What could not be resolved, for the summary. */
struct sym_stats {
	uint64_t frames;		/* frames looked up */
	uint64_t no_module;		/* no mapping: the process was gone */
	uint64_t no_sym;		/* a mapping but no symbol */
};

struct symbolizer;

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s);
void sym_user(struct symbolizer *s, pid_t pid, uint64_t ip, bool ret_addr,
	      struct sym_frame *f);
void sym_kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *f);
void sym_get_stats(const struct symbolizer *s, struct sym_stats *st);

#endif
