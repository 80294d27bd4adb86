// SPDX-License-Identifier: GPL-2.0
/* The kernel's own files, the oracles the labs check mmscope against. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lab.h"

static int maps_scan(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	char path[64], line[512];
	unsigned long long s, e;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &s, &e) != 2 ||
		    strstr(line, "[vsyscall]"))
			continue;
		n++;
		if (start && s <= addr && addr < e) {
			*start = s;
			*end = e;
		}
	}
	fclose(f);
	return n;
}

int lab_maps_vma_of(pid_t pid, uint64_t addr, uint64_t *start, uint64_t *end)
{
	*start = *end = 0;
	maps_scan(pid, addr, start, end);
	return *end != 0;
}

int lab_maps_count(pid_t pid)
{
	return maps_scan(pid, 0, NULL, NULL);
}

uint64_t lab_pagemap(pid_t pid, uint64_t va)
{
	uint64_t e = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), va / 4096 * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

int lab_pagemap_present(pid_t pid, uint64_t start, uint64_t end)
{
	uint64_t e, va;
	char path[64];
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (va = start; va < end; va += 4096)
		if (pread(fd, &e, sizeof(e), va / 4096 * sizeof(e)) ==
		    sizeof(e) && (e & LAB_PM_PRESENT))
			n++;
	close(fd);
	return n;
}

long lab_kpagecount(uint64_t pfn)
{
	uint64_t n;
	long ret = -1;
	int fd;

	fd = open("/proc/kpagecount", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &n, sizeof(n), pfn * sizeof(n)) == sizeof(n))
		ret = (long)n;
	close(fd);
	return ret;
}

char *lab_read_file(const char *path)
{
	char *text = NULL, buf[4096];
	size_t len = 0, n;
	FILE *in, *out;

	in = fopen(path, "r");
	if (!in)
		return NULL;
	out = open_memstream(&text, &len);
	if (out) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(out);
	}
	fclose(in);
	return text;
}

long lab_smaps_kb(pid_t pid, uint64_t addr, const char *field)
{
	unsigned long long s, e;
	char path[64], line[512];
	size_t flen = strlen(field);
	bool in = false;
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2)	/* a VMA's header */
			in = s <= addr && addr < e;
		else if (in && !strncmp(line, field, flen) && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	}
	fclose(f);
	return kb;
}

long lab_smaps_rollup_kb(pid_t pid, const char *field)
{
	size_t flen = strlen(field);
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return kb;
}

long lab_minflt(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long minflt;
	long ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	text = lab_read_file(path);
	if (!text)
		return -1;
	/* After "(comm)": state ppid pgrp session tty tpgid flags minflt */
	p = strrchr(text, ')');
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lu", &minflt) == 1)
		ret = (long)minflt;
	free(text);
	return ret;
}

long lab_vmstat(const char *name)
{
	char line[256], key[128];
	long v, ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", key, &v) == 2 && !strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

