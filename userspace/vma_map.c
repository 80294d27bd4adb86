// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vma PID --map: the address space on one screen, for serial
 * consoles.  The VMAs fall into segments (a hole larger than 4 MiB and
 * than a quarter of the segment so far starts a new one; at most
 * MAP_MAX_SEGS, the smallest holes merged first); each segment is one bar
 * of MAP_COLS cells drawn to its own scale, each cell the kind of VMA
 * covering most of it; holes between segments are one labelled line.
 * The kinds are the report page's (userspace/report/report.js).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAP_COLS	64
#define MAP_MAX_SEGS	16

enum map_kind { MK_GAP, MK_CODE, MK_DATA, MK_HEAP, MK_STACK, MK_ANON,
		MK_FILE, MK_SHARED, MK_GUARD, MK_SPECIAL, MK_NR };

static const char *const map_glyph[MK_NR] = {
	" ", "\u2588", "\u2593", "\u2592", "\u2599", "\u2591", "\u259e",
	"\u259a", "\u00b7", "\u25c6",
};
static const char *const map_name[MK_NR] = {
	"unmapped", "code", "data", "heap", "stack", "anon", "file", "shared",
	"guard", "special",
};

static enum map_kind map_kind(const struct mmscope_vma *v)
{
	const char *n = v->name;

	if (!(v->vm_flags & 0x7))		/* no VM_READ/WRITE/EXEC */
		return MK_GUARD;
	if (!strcmp(n, "[stack]") || strstr(v->vmflags, "gd"))
		return MK_STACK;
	if (!strcmp(n, "[heap]"))
		return MK_HEAP;
	if (n[0] == '[')
		return MK_SPECIAL;
	if (v->vm_flags & 0x80)			/* VM_MAYSHARE */
		return MK_SHARED;
	if (v->vm_flags & 0x4)			/* VM_EXEC */
		return MK_CODE;
	if (n[0] && (v->vm_flags & 0x2))
		return MK_DATA;
	return n[0] ? MK_FILE : MK_ANON;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;	/* descending */
}

/**
 * vma_print_map() - the VMAs of @res as a one-screen Unicode bar map
 * @f: the stream
 * @res: a vma view (vma_fetch())
 */
void vma_print_map(FILE *f, const struct mmscope_result *res)
{
	const struct mmscope_rec_hdr *r;
	const struct mmscope_vma **v = NULL;
	uint64_t *gaps = NULL, cut = 0, seg_start = 0, seg_end = 0;
	size_t n = 0, cap = 0, i, j, first = 0, segs = 0;
	char sz[32], sz2[32];
	bool used[MK_NR] = { false };
	int pid = 0;

	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_MM)
			pid = ((const struct mmscope_mm *)r)->pid;
		if (r->type != MMSCOPE_REC_VMA)
			continue;
		if (n == cap) {
			const struct mmscope_vma **nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fprintf(f, "out of memory\n");
				return;
			}
			v = nv;
		}
		v[n++] = (const void *)r;
	}
	if (!n) {
		fprintf(f, "pid %d: no VMAs\n", pid);
		free(v);
		return;
	}
	/* The holes worth a segment break; keep the MAP_MAX_SEGS-1 largest. */
	gaps = calloc(n, sizeof(*gaps));
	if (gaps) {
		size_t ng = 0;

		for (i = 1; i < n; i++)
			gaps[ng++] = v[i]->start - v[i - 1]->end;
		qsort(gaps, ng, sizeof(*gaps), cmp_u64);
		if (ng >= MAP_MAX_SEGS)
			cut = gaps[MAP_MAX_SEGS - 2];
		free(gaps);
	}
	for (i = 1; i <= n; i++) {
		uint64_t gap = i < n ? v[i]->start - v[i - 1]->end : 0;
		uint64_t span = v[i - 1]->end - v[first]->start;

		if (i < n && (gap <= 4ULL << 20 || gap <= span / 4 || gap < cut ||
			      segs == MAP_MAX_SEGS - 1))
			continue;
		/* v[first .. i-1] is a segment */
		segs++;
		seg_start = v[first]->start;
		seg_end = v[i - 1]->end;
		span = seg_end - seg_start;
		fprintf(f, "%#014llx-%#014llx %10s %4zu VMAs |",
			(unsigned long long)seg_start, (unsigned long long)seg_end,
			fmt_size(span, sz, sizeof(sz)), i - first);
		for (j = 0; j < MAP_COLS; j++) {
			uint64_t cs = seg_start + span / MAP_COLS * j +
				      span % MAP_COLS * j / MAP_COLS;
			uint64_t ce = j + 1 == MAP_COLS ? seg_end :
				      seg_start + span / MAP_COLS * (j + 1) +
				      span % MAP_COLS * (j + 1) / MAP_COLS;
			uint64_t most = 0, k_bytes[MK_NR] = { 0 };
			enum map_kind best = MK_GAP;
			size_t k;

			for (k = first; k < i; k++) {
				uint64_t lo = v[k]->start > cs ? v[k]->start : cs;
				uint64_t hi = v[k]->end < ce ? v[k]->end : ce;

				if (lo < hi)
					k_bytes[map_kind(v[k])] += hi - lo;
			}
			for (k = 1; k < MK_NR; k++)
				if (k_bytes[k] > most) {
					most = k_bytes[k];
					best = k;
				}
			used[best] = true;
			fputs(map_glyph[best], f);
		}
		fputs("|\n", f);
		if (i < n)
			fprintf(f, "%29s~ hole %s ~\n", "",
				fmt_size(v[i]->start - v[i - 1]->end, sz2, sizeof(sz2)));
		first = i;
	}
	fprintf(f, "\npid %d: %zu VMAs in %zu segments; each bar is one segment to its own scale\n"
		"(%d cells), the holes between them compressed to one line. Legend:", pid, n,
		segs, MAP_COLS);
	for (i = 0; i < MK_NR; i++)
		if (used[i])
			fprintf(f, " %s %s", map_glyph[i], map_name[i]);
	fputc('\n', f);
	free(v);
}
