/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragmentation figures of one zone, pure functions of its free block counts
 * (nr_free[order], orders 0 .. nr_orders - 1), as the kernel defines them
 * for /sys/kernel/debug/extfrag/{unusable_index,extfrag_index}: both are
 * scaled by 1000 and use the kernel's integer arithmetic, so they can be
 * compared with those files digit for digit.
 *
 *  unusable free space index of order k: the share of free memory that sits
 *	in blocks smaller than 2^k pages, i.e. cannot serve an order-k request.
 *	0 = every free page is usable, 1000 = none is (or nothing is free).
 *  external fragmentation index of order k: meaningful only when no block of
 *	order >= k is free (otherwise -1000: the request would succeed).  Near
 *	0 the failure is for lack of memory, near 1000 for fragmentation.
 */
#ifndef MMSCOPE_FRAG_H
#define MMSCOPE_FRAG_H

#include <stdint.h>

struct frag_info {
	uint64_t free_pages;		/* pages in all free blocks */
	uint64_t free_blocks;		/* free blocks of any order */
	uint64_t suitable;		/* order-k sized pieces in blocks >= k */
};

static inline struct frag_info frag_info(const uint64_t *nr_free,
					 unsigned int nr_orders,
					 unsigned int k)
{
	struct frag_info fi = { 0, 0, 0 };
	unsigned int o;

	for (o = 0; o < nr_orders; o++) {
		fi.free_blocks += nr_free[o];
		fi.free_pages += nr_free[o] << o;
		if (o >= k)
			fi.suitable += nr_free[o] << (o - k);
	}
	return fi;
}

/* Unusable free space index of order @k, times 1000. */
static inline int frag_unusable_index(const uint64_t *nr_free,
				      unsigned int nr_orders, unsigned int k)
{
	struct frag_info fi = frag_info(nr_free, nr_orders, k);

	if (!fi.free_pages)
		return 1000;
	return (int)((fi.free_pages - (fi.suitable << k)) * 1000 /
		     fi.free_pages);
}

/* External fragmentation index of order @k, times 1000 (-1000: would fit). */
static inline int frag_extfrag_index(const uint64_t *nr_free,
				     unsigned int nr_orders, unsigned int k)
{
	struct frag_info fi = frag_info(nr_free, nr_orders, k);
	uint64_t requested = 1ULL << k;

	if (!fi.free_blocks)
		return 0;
	if (fi.suitable)
		return -1000;
	return 1000 - (int)((1000 + fi.free_pages * 1000 / requested) /
			    fi.free_blocks);
}

/* Largest order with a free block, or -1 when nothing is free. */
static inline int frag_largest_order(const uint64_t *nr_free,
				     unsigned int nr_orders)
{
	int o;

	for (o = (int)nr_orders - 1; o >= 0; o--)
		if (nr_free[o])
			return o;
	return -1;
}

#endif
