// SPDX-License-Identifier: GPL-2.0
/*
 * The fragmentation figures of `mmscope buddy` (userspace/frag.h) on free
 * counts small enough to work out by hand, following the definitions the
 * kernel documents for /sys/kernel/debug/extfrag.
 */
#include <stdint.h>
#include "kselftest_harness.h"
#include "frag.h"

/* 4 order-0, 2 order-1, 1 order-2 block: 12 free pages in 7 blocks. */
static const uint64_t mixed[4] = { 4, 2, 1, 0 };

TEST(unusable_index)
{
	EXPECT_EQ(0, frag_unusable_index(mixed, 4, 0));	/* all usable */
	EXPECT_EQ(333, frag_unusable_index(mixed, 4, 1));	/* 4 of 12 */
	EXPECT_EQ(666, frag_unusable_index(mixed, 4, 2));	/* 8 of 12 */
	EXPECT_EQ(1000, frag_unusable_index(mixed, 4, 3));	/* none */
}

TEST(extfrag_index)
{
	/* a block of the order exists: the request would succeed */
	EXPECT_EQ(-1000, frag_extfrag_index(mixed, 4, 0));
	EXPECT_EQ(-1000, frag_extfrag_index(mixed, 4, 2));
	/* order 3: 1000 - (1000 + 12 * 1000 / 8) / 7 = 1000 - 357 */
	EXPECT_EQ(643, frag_extfrag_index(mixed, 4, 3));
}

TEST(nothing_free)
{
	static const uint64_t none[11];

	EXPECT_EQ(1000, frag_unusable_index(none, 11, 0));
	EXPECT_EQ(0, frag_extfrag_index(none, 11, 5));
	EXPECT_EQ(-1, frag_largest_order(none, 11));
	EXPECT_EQ(2, frag_largest_order(mixed, 4));
}

TEST_HARNESS_MAIN
