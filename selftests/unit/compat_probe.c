// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of module/compat-probe.sh, the Kbuild-time feature probes of
 * module/compat.h: run against stand-in kernel headers, a feature is found
 * when the headers have it, whatever version they would claim (a 6.1
 * kernel that took get_mm_counter_sum() back is seen to have it; before,
 * compat.h keyed on VERSION/PATCHLEVEL and could not), and a baseline
 * that does not compile stops the build instead of turning every feature
 * off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

/* Run from selftests/ (make unit): the script is in ../module/. */
#define SCRIPT	"../module/compat-probe.sh"

static const char *const base_mm =
	"struct mm_struct { int x; };\n"
	"enum { MM_ANONPAGES };\n"
	"unsigned long get_mm_counter(struct mm_struct *mm, int member);\n";

/* Stand-in headers in @dir: linux/mm.h = base_mm + @extra, others empty. */
static int make_headers(const char *dir, const char *extra)
{
	static const char *const empty[] = { "fs.h", "pgtable.h" };
	char path[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/linux", dir);
	if (mkdir(path, 0755) && access(path, F_OK))
		return -1;
	snprintf(path, sizeof(path), "%s/linux/mm.h", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%s%s", base_mm, extra);
	fclose(f);
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		snprintf(path, sizeof(path), "%s/linux/%s", dir, empty[i]);
		f = fopen(path, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	return 0;
}

static char *probe(const char *dir, int *status)
{
	char flags[300];
	char *argv[] = { "sh", SCRIPT, "cc", flags, NULL };

	snprintf(flags, sizeof(flags),
		 "-I%s -Werror=implicit-function-declaration", dir);
	return mmt_run(argv, status, NULL);
}

TEST(backported_helper_is_found)
{
	char dir[] = "/tmp/mmscope-probe-XXXXXX";
	char *out;
	int status;

	ASSERT_EQ(0, access(SCRIPT, R_OK)) TH_LOG("run from selftests/");
	ASSERT_NE(NULL, mkdtemp(dir));
	/* A "6.1" without the helper. */
	ASSERT_EQ(0, make_headers(dir, ""));
	out = probe(dir, &status);
	EXPECT_EQ(0, status);
	EXPECT_EQ(NULL, strstr(out ?: "", "MMSCOPE_HAVE_GET_MM_COUNTER_SUM"));
	EXPECT_NE(NULL, strstr(out ?: "", "/* no GET_MM_COUNTER_SUM */"));
	free(out);
	/* The same "6.1" with the helper taken back. */
	ASSERT_EQ(0, make_headers(dir,
		"static inline unsigned long get_mm_counter_sum(struct mm_struct *mm, int member) { return 0; }\n"));
	out = probe(dir, &status);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out ?: "", "#define MMSCOPE_HAVE_GET_MM_COUNTER_SUM 1"))
		TH_LOG("%s", out ?: "");
	/* Only what the headers have. */
	EXPECT_EQ(NULL, strstr(out ?: "", "MMSCOPE_HAVE_FILE_USER_PATH"));
	free(out);
}

TEST(broken_flags_stop_the_build)
{
	char dir[] = "/tmp/mmscope-probe-XXXXXX";
	char *out;
	int status;

	ASSERT_NE(NULL, mkdtemp(dir));
	/* No linux/mm.h at all: even the baseline cannot compile. */
	out = probe(dir, &status);
	EXPECT_NE(0, status);
	free(out);
}

TEST_HARNESS_MAIN
