// SPDX-License-Identifier: GPL-2.0
/*
 * Lab filemap: a MAP_PRIVATE file mapping first maps the page-cache page
 * itself (two readers share one PFN); a write replaces it with a private
 * anonymous copy.  With MAP_SHARED both keep the page-cache page and see
 * each other's writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include "cli.h"
#include "lab.h"

#define PG	4096UL
#define NPG	4

enum { STEP_MAP_PRIVATE = 1, STEP_MAP_SHARED, STEP_READ, STEP_WRITE };

static char lab_file[64];

static uint64_t filemap_step(int step, void *arg)
{
	static char *p;
	int fd;

	switch (step) {
	case STEP_MAP_PRIVATE:
	case STEP_MAP_SHARED:
		if (p)
			munmap(p, NPG * PG);
		fd = open(lab_file, O_RDWR);
		if (fd < 0)
			return 0;
		p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE,
			 step == STEP_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE,
			 fd, 0);
		close(fd);
		return p == MAP_FAILED ? 0 : (uintptr_t)p;
	case STEP_READ:
		return ((volatile char *)p)[0];
	case STEP_WRITE:
		((volatile char *)p)[0] = *(char *)arg;
		return 1;
	}
	return 0;
}

/* The first byte of the file, read with pread(): what the file holds. */
static int file_byte(void)
{
	char c = 0;
	int fd = open(lab_file, O_RDONLY);

	if (fd < 0)
		return -1;
	if (pread(fd, &c, 1, 0) != 1)
		c = -1;
	close(fd);
	return c;
}

/* Both processes' first page, from mmscope translate and pagemap. */
struct view {
	struct mmscope_pt_leaf l;
	uint32_t flags;
	uint64_t pm;
};

static void look(pid_t pid, uint64_t addr, struct view *v)
{
	lab_xlate(pid, addr, &v->l, &v->flags);
	v->pm = lab_pagemap(pid, addr);
}

static const char *kind(const struct view *v)
{
	if (v->l.page_bits & MMSCOPE_PG_ANON)
		return "anonymous";
	return v->l.page_bits & MMSCOPE_PG_FILE ? "page cache" : "?";
}

static void show(struct lab_run *lr, const char *who, const struct view *v)
{
	printf("    %s: PFN %#llx, %s, %s (pagemap: PFN %#llx, %s)\n", who,
	       (unsigned long long)v->l.pfn, kind(v),
	       v->flags & MMSCOPE_PTF_RW ? "writable" : "read-only",
	       (unsigned long long)LAB_PM_PFN(v->pm),
	       v->pm & LAB_PM_FILE ? "file" : "anon");
}

static bool is_file(const struct view *v)
{
	return (v->l.page_bits & MMSCOPE_PG_FILE) &&
	       !(v->l.page_bits & MMSCOPE_PG_ANON) && (v->pm & LAB_PM_FILE);
}

/* The filesystem holding @path, by name (statfs f_type). */
static const char *fs_name(const char *path, bool *tmpfs)
{
	static char other[48];
	struct statfs sf;

	*tmpfs = false;
	if (statfs(path, &sf))
		return "an unknown filesystem";
	switch ((unsigned long)sf.f_type) {
	case 0x01021994:
		*tmpfs = true;
		return "tmpfs";
	case 0x858458f6:
		return "ramfs";
	case 0xef53:
		return "ext2/3/4";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	}
	snprintf(other, sizeof(other), "a filesystem of type %#lx",
		 (unsigned long)sf.f_type);
	return other;
}

static int filemap_run(struct lab_run *lr)
{
	struct lab_run other = { .color = lr->color };
	static char wa = 'A', wb = 'B';
	struct view a, b, a0;
	char buf[NPG * PG];
	uint64_t pa, pb;
	int fd, ret = 0;
	const char *fs;
	bool tmpfs;

	snprintf(lab_file, sizeof(lab_file), "/tmp/mmscope-lab-filemap.%d",
		 (int)getpid());
	fd = open(lab_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	memset(buf, 'f', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		close(fd);
		unlink(lab_file);
		return -EIO;
	}
	close(fd);
	fs = fs_name(lab_file, &tmpfs);
	if (lab_subject_start(lr, filemap_step, &wa) ||
	    lab_subject_start(&other, filemap_step, &wb)) {
		ret = -errno;
		goto out;
	}
	lab_say(lr, "A %lu KiB file on %s (%s), all 'f': its pages are in the page cache. Programs A (pid %d) and B (pid %d) map it MAP_PRIVATE and read its first byte.",
		NPG * PG / 1024, fs, lab_file, lr->pid, other.pid);
	pa = lab_step(lr, STEP_MAP_PRIVATE);
	pb = lab_step(&other, STEP_MAP_PRIVATE);
	if (!pa || !pb) {
		ret = -ENOMEM;
		goto out;
	}
	lab_check(lr, lab_step(lr, STEP_READ) == 'f' &&
		  lab_step(&other, STEP_READ) == 'f', "both read 'f'");
	look(lr->pid, pa, &a);
	look(other.pid, pb, &b);
	show(lr, "A", &a);
	show(lr, "B", &b);
	lab_check(lr, is_file(&a) && is_file(&b) && a.l.pfn == b.l.pfn &&
		  LAB_PM_PFN(a.pm) == a.l.pfn && LAB_PM_PFN(b.pm) == a.l.pfn,
		  "one page-cache page, PFN %#llx, mapped by both (mmscope translate and pagemap agree)",
		  (unsigned long long)a.l.pfn);
	lab_check(lr, !(a.flags & MMSCOPE_PTF_RW) && !(b.flags & MMSCOPE_PTF_RW),
		  "read-only in both: a write must fault");
	a0 = a;

	lab_say(lr, "A writes 'A' into its private mapping.");
	lab_step(lr, STEP_WRITE);
	look(lr->pid, pa, &a);
	look(other.pid, pb, &b);
	show(lr, "A", &a);
	show(lr, "B", &b);
	lab_check(lr, a.l.pfn != a0.l.pfn && (a.l.page_bits & MMSCOPE_PG_ANON) &&
		  !(a.pm & LAB_PM_FILE) && LAB_PM_PFN(a.pm) == a.l.pfn &&
		  (a.flags & MMSCOPE_PTF_RW),
		  "A now maps a private anonymous copy, PFN %#llx, writable (pagemap: not a file page)",
		  (unsigned long long)a.l.pfn);
	lab_check(lr, b.l.pfn == a0.l.pfn && is_file(&b),
		  "B still maps the page-cache page %#llx", (unsigned long long)b.l.pfn);
	lab_check(lr, lab_step(&other, STEP_READ) == 'f' && file_byte() == 'f',
		  "B still reads 'f', and so does pread() of the file: the write stayed private");

	if (tmpfs)
		lab_say(lr, "Now both map the file MAP_SHARED and read it. (tmpfs keeps no dirty accounting, so even a read maps a shared writable page writable.)");
	else
		lab_say(lr, "Now both map the file MAP_SHARED and read it. (%s tracks dirty pages: a read maps the page read-only, and the first write faults to mark it dirty.)",
			fs);
	pa = lab_step(lr, STEP_MAP_SHARED);
	pb = lab_step(&other, STEP_MAP_SHARED);
	lab_step(lr, STEP_READ);
	lab_step(&other, STEP_READ);
	look(lr->pid, pa, &a);
	look(other.pid, pb, &b);
	show(lr, "A", &a);
	show(lr, "B", &b);
	lab_check(lr, is_file(&a) && a.l.pfn == b.l.pfn && a.l.pfn == a0.l.pfn,
		  "both map the same page-cache page %#llx again",
		  (unsigned long long)a.l.pfn);
	a0 = a;

	lab_say(lr, "A writes 'A' into the shared mapping; B reads.");
	lab_step(lr, STEP_WRITE);
	look(lr->pid, pa, &a);
	look(other.pid, pb, &b);
	show(lr, "A", &a);
	show(lr, "B", &b);
	lab_check(lr, a.l.pfn == a0.l.pfn && b.l.pfn == a0.l.pfn && is_file(&a) &&
		  (a.flags & MMSCOPE_PTF_RW),
		  "no copy: A wrote into the page-cache page %#llx itself",
		  (unsigned long long)a.l.pfn);
	lab_check(lr, lab_step(&other, STEP_READ) == 'A' && file_byte() == 'A',
		  "B reads 'A', and so does pread() of the file");
	lab_say(lr, "B writes 'B'; A reads.");
	lab_step(&other, STEP_WRITE);
	lab_check(lr, lab_step(lr, STEP_READ) == 'B' && file_byte() == 'B',
		  "A reads 'B', and so does pread() of the file");
out:
	lab_subject_stop(&other);
	unlink(lab_file);
	return ret;
}

const struct lab lab_filemap = {
	.name = "filemap",
	.title = "file mappings: private copies, shared pages",
	.claim = "MAP_PRIVATE reads map the page-cache page, a write makes a private anonymous copy; MAP_SHARED keeps one page for all",
	.run = filemap_run,
};
