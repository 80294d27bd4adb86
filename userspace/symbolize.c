// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolization for `mmscope faults --stack/--kstack`, after the event, in
 * user space (never in BPF).
 *
 * A user address is found in its process's executable mappings
 * (/proc/PID/maps, cached per pid and read again when an address misses
 * them), turned into a file offset and then into the ELF file's own virtual
 * address through its PT_LOAD headers, and looked up with libdwfl in that
 * file, which is opened once per (device, inode, size, mtime) whatever
 * address it is loaded at: symbol from .symtab or .dynsym (or the
 * MiniDebugInfo), file:line from DWARF in the file or in its separate debug
 * file (/usr/lib/debug, by build-id or debuglink).  The file is opened
 * through /proc/PID/root so a process in another mount namespace gets its
 * own; a file whose inode is not the mapped one (replaced since) is not
 * used.  Kernel addresses come from /proc/kallsyms, read once.
 */
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "symbolize.h"

#define SYM_PIDS	1024		/* processes cached (all dropped when full) */
#define SYM_BINS	256		/* binaries cached (likewise) */
#define SYM_LOADS	16		/* PT_LOAD headers kept per binary */

struct sym_map {
	uint64_t start, end, pgoff, ino;
	unsigned int dev_major, dev_minor;
	char *path;
};

struct sym_proc {
	pid_t pid;
	bool gone;			/* maps unreadable: do not retry */
	struct sym_map *maps;
	size_t n;
};

struct sym_load {
	uint64_t offset, vaddr, filesz;
};

struct sym_bin {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *path;			/* as the process maps it */
	Dwfl *dwfl;			/* NULL: not an ELF file libdwfl reads */
	Dwfl_Module *mod;
	struct sym_load loads[SYM_LOADS];
	unsigned int nloads;
};

struct ksym {
	uint64_t addr;
	char *name;
	const char *module;		/* "vmlinux" or the module's name */
};

struct symbolizer {
	struct sym_proc procs[SYM_PIDS];
	size_t nprocs;
	struct sym_bin bins[SYM_BINS];
	size_t nbins;
	struct ksym *ksyms;
	size_t nksyms;
	bool ksyms_read;
	struct sym_stats stats;
};

static char *debuginfo_path;

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

/**
 * symbolizer_new() - an empty symbolizer
 *
 * Return: the symbolizer, NULL when out of memory.
 */
struct symbolizer *symbolizer_new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

static void proc_clear(struct sym_proc *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->maps[i].path);
	free(p->maps);
	memset(p, 0, sizeof(*p));
}

static void bin_clear(struct sym_bin *b)
{
	if (b->dwfl)
		dwfl_end(b->dwfl);
	free(b->path);
	memset(b, 0, sizeof(*b));
}

/**
 * symbolizer_free() - free a symbolizer and everything it cached
 * @s: the symbolizer, or NULL
 */
void symbolizer_free(struct symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nprocs; i++)
		proc_clear(&s->procs[i]);
	for (i = 0; i < s->nbins; i++)
		bin_clear(&s->bins[i]);
	for (i = 0; i < s->nksyms; i++)
		free(s->ksyms[i].name);
	free(s->ksyms);
	free(s);
}

/* Read the executable file mappings of @p->pid; false when unreadable. */
static bool proc_read_maps(struct sym_proc *p)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long start, end, pgoff, ino;
		unsigned int maj, min;
		char perms[8], *name, *nl;
		int used = 0;
		struct sym_map *m;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start,
			   &end, perms, &pgoff, &maj, &min, &ino, &used) < 7 ||
		    perms[2] != 'x')
			continue;
		name = line + used;
		nl = strchr(name, '\n');
		if (nl)
			*nl = '\0';
		m = realloc(p->maps, (p->n + 1) * sizeof(*m));
		if (!m)
			break;
		p->maps = m;
		m = &p->maps[p->n];
		m->path = strdup(*name ? name : "[anon]");
		if (!m->path)
			break;
		m->start = start;
		m->end = end;
		m->pgoff = pgoff;
		m->ino = ino;
		m->dev_major = maj;
		m->dev_minor = min;
		p->n++;
	}
	free(line);
	fclose(f);
	return true;
}

static struct sym_proc *proc_get(struct symbolizer *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	if (s->nprocs == SYM_PIDS) {
		for (i = 0; i < s->nprocs; i++)
			proc_clear(&s->procs[i]);
		s->nprocs = 0;
	}
	s->procs[s->nprocs].pid = pid;
	return &s->procs[s->nprocs++];
}

static const struct sym_map *proc_find(const struct sym_proc *p, uint64_t ip)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (ip >= p->maps[i].start && ip < p->maps[i].end)
			return &p->maps[i];
	return NULL;
}

/* The mapping of @ip in @pid, reading the maps again once on a miss. */
static const struct sym_map *map_of(struct symbolizer *s, pid_t pid,
				    uint64_t ip)
{
	struct sym_proc *p = proc_get(s, pid);
	const struct sym_map *m = proc_find(p, ip);

	if (m || p->gone)
		return m;
	proc_clear(p);
	p->pid = pid;
	if (!proc_read_maps(p)) {
		p->gone = true;
		return NULL;
	}
	return proc_find(p, ip);
}

/* The PT_LOAD headers of @b's file, for file offset -> ELF address. */
static void bin_read_loads(struct sym_bin *b, Elf *elf)
{
	size_t n, i;
	GElf_Phdr ph;

	if (!elf || elf_getphdrnum(elf, &n))
		return;
	for (i = 0; i < n && b->nloads < SYM_LOADS; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		b->loads[b->nloads].offset = ph.p_offset;
		b->loads[b->nloads].vaddr = ph.p_vaddr;
		b->loads[b->nloads].filesz = ph.p_filesz;
		b->nloads++;
	}
}

/* Open @m's file for @pid, the inode it maps; NULL if not ELF or replaced. */
static struct sym_bin *bin_get(struct symbolizer *s, pid_t pid,
			       const struct sym_map *m)
{
	char path[4200];
	struct sym_bin *b;
	struct stat st;
	GElf_Addr bias;
	size_t i;
	int fd;

	if (m->path[0] != '/')
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_ino != m->ino ||
	    major(st.st_dev) != m->dev_major ||
	    minor(st.st_dev) != m->dev_minor) {
		close(fd);
		return NULL;
	}
	for (i = 0; i < s->nbins; i++) {
		b = &s->bins[i];
		if (b->dev == st.st_dev && b->ino == st.st_ino &&
		    b->size == st.st_size &&
		    b->mtime.tv_sec == st.st_mtim.tv_sec &&
		    b->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			close(fd);
			return b->dwfl ? b : NULL;
		}
	}
	if (s->nbins == SYM_BINS) {
		for (i = 0; i < s->nbins; i++)
			bin_clear(&s->bins[i]);
		s->nbins = 0;
	}
	b = &s->bins[s->nbins++];
	b->dev = st.st_dev;
	b->ino = st.st_ino;
	b->size = st.st_size;
	b->mtime = st.st_mtim;
	b->path = strdup(m->path);
	b->dwfl = dwfl_begin(&offline_callbacks);
	if (!b->path || !b->dwfl)
		goto fail;
	dwfl_report_begin(b->dwfl);
	/* At address 0: addresses are the file's own; fd kept on success. */
	b->mod = dwfl_report_elf(b->dwfl, b->path, path, fd, 0, false);
	if (b->mod)
		fd = -1;
	dwfl_report_end(b->dwfl, NULL, NULL);
	if (!b->mod)
		goto fail;
	bin_read_loads(b, dwfl_module_getelf(b->mod, &bias));
	if (!b->nloads)
		goto fail;
	return b;
fail:
	if (fd >= 0)
		close(fd);
	if (b->dwfl)
		dwfl_end(b->dwfl);
	b->dwfl = NULL;
	b->mod = NULL;
	return NULL;
}

/* The ELF address of file offset @off in @b, or 0 when no PT_LOAD has it. */
static uint64_t bin_vaddr(const struct sym_bin *b, uint64_t off)
{
	unsigned int i;

	for (i = 0; i < b->nloads; i++)
		if (off >= b->loads[i].offset &&
		    off < b->loads[i].offset + b->loads[i].filesz)
			return off - b->loads[i].offset + b->loads[i].vaddr;
	return 0;
}

/**
 * sym_user() - symbolize a user address of a process
 * @s: the symbolizer
 * @pid: the process (tgid)
 * @ip: the address
 * @ret_addr: @ip is a return address (every frame but the first): it is
 *	looked up at @ip - 1, inside the call, since a call that ends a
 *	function returns to the next one; @f->off stays @ip's own offset
 * @f: filled; strings belong to @s and live until symbolizer_free()
 */
void sym_user(struct symbolizer *s, pid_t pid, uint64_t ip, bool ret_addr,
	      struct sym_frame *f)
{
	uint64_t look = ret_addr && ip ? ip - 1 : ip, vaddr;
	const struct sym_map *m;
	struct sym_bin *b;
	const char *name;
	GElf_Off off = 0;
	GElf_Sym esym;
	Dwfl_Line *l;

	memset(f, 0, sizeof(*f));
	f->ip = ip;
	s->stats.frames++;
	m = map_of(s, pid, look);
	if (!m) {
		/* maps read: not code (a chain gone astray); else gone */
		f->unmapped = !proc_get(s, pid)->gone;
		if (!f->unmapped)
			s->stats.no_module++;
		return;
	}
	f->module = m->path;
	b = bin_get(s, pid, m);
	vaddr = b ? bin_vaddr(b, look - m->start + m->pgoff) : 0;
	if (!vaddr) {
		s->stats.no_sym++;
		return;
	}
	name = dwfl_module_addrinfo(b->mod, vaddr, &off, &esym, NULL, NULL,
				    NULL);
	if (!name) {
		s->stats.no_sym++;
		return;
	}
	f->sym = name;
	f->off = off + (ip - look);
	l = dwfl_module_getsrc(b->mod, vaddr);
	if (l)
		f->file = dwfl_lineinfo(l, NULL, &f->line, NULL, NULL, NULL);
	if (!f->file)
		f->line = 0;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The text symbols of /proc/kallsyms, sorted; none when addresses are 0. */
static void ksyms_read(struct symbolizer *s)
{
	char line[512], name[256], mod[128], type;
	unsigned long long addr;
	size_t cap = 0;
	FILE *f;

	s->ksyms_read = true;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct ksym *k;
		int n;

		mod[0] = '\0';
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type,
			   name, mod);
		if (n < 3 || !addr || (type != 't' && type != 'T'))
			continue;
		if (s->nksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			k = realloc(s->ksyms, cap * sizeof(*k));
			if (!k)
				break;
			s->ksyms = k;
		}
		k = &s->ksyms[s->nksyms];
		k->addr = addr;
		k->name = strdup(name);
		if (!k->name)
			break;
		/* Module names stay with the symbol (a few hundred bytes). */
		k->module = "vmlinux";
		if (n == 4 && mod[0]) {
			size_t nl = strlen(name) + 1, ml = strlen(mod) + 1;
			char *m = malloc(nl + ml);

			if (!m)
				break;
			memcpy(m, name, nl);
			memcpy(m + nl, mod, ml);
			free(k->name);
			k->name = m;
			k->module = m + nl;
		}
		s->nksyms++;
	}
	fclose(f);
	qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), ksym_cmp);
}

/**
 * sym_kernel() - symbolize a kernel address through /proc/kallsyms
 * @s: the symbolizer
 * @ip: the address (a return address unless it is the innermost frame)
 * @f: filled: the nearest text symbol at or below @ip and its module;
 *	no file:line (no DWARF for the running kernel)
 */
void sym_kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *f)
{
	size_t lo = 0, hi;

	memset(f, 0, sizeof(*f));
	f->ip = ip;
	s->stats.frames++;
	if (!s->ksyms_read)
		ksyms_read(s);
	hi = s->nksyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		s->stats.no_sym++;
		return;
	}
	f->sym = s->ksyms[lo - 1].name;
	f->off = ip - s->ksyms[lo - 1].addr;
	f->module = s->ksyms[lo - 1].module;
}

/**
 * sym_get_stats() - what could not be resolved so far
 * @s: the symbolizer
 * @st: filled
 */
void sym_get_stats(const struct symbolizer *s, struct sym_stats *st)
{
	*st = s->stats;
}
