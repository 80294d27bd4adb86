// SPDX-License-Identifier: GPL-2.0
/*
 * Every lab's claim, asserted through the same code path a person uses:
 * `mmscope lab NAME`.  Each lab checks its claim against mmscope and the
 * kernel's own /proc files (maps, pagemap, smaps, vmstat, buddyinfo,
 * slabinfo) and exits 0 on PASS, 1 on FAIL, 4 when the kernel cannot show
 * the claim (its reason on the "SKIP" line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

FIXTURE(lab) {
};

FIXTURE_VARIANT(lab) {
	const char *name;
	bool traced;		/* checks a count from the BPF fault tracer */
};

/* One line per lab: the labs this build of mmscope has. */
FIXTURE_VARIANT_ADD(lab, demand) { .name = "demand", .traced = true };
FIXTURE_VARIANT_ADD(lab, malloc) { .name = "malloc" };
FIXTURE_VARIANT_ADD(lab, cow) { .name = "cow", .traced = true };
FIXTURE_VARIANT_ADD(lab, filemap) { .name = "filemap" };
FIXTURE_VARIANT_ADD(lab, translate) { .name = "translate" };
FIXTURE_VARIANT_ADD(lab, thp) { .name = "thp", .traced = true };
FIXTURE_VARIANT_ADD(lab, vma) { .name = "vma" };
FIXTURE_VARIANT_ADD(lab, buddy) { .name = "buddy" };
FIXTURE_VARIANT_ADD(lab, slab) { .name = "slab" };

FIXTURE_SETUP(lab)
{
}

FIXTURE_TEARDOWN(lab)
{
}

/* A passed check line "[ok] ... (mmscope's BPF fault tracer)". */
static bool tracer_checked(const char *out)
{
	static const char tag[] = "(mmscope's BPF fault tracer)\n";
	const char *p, *line;

	for (p = out; (p = strstr(p, tag)); p++) {
		for (line = p; line > out && line[-1] != '\n'; line--)
			;
		if (strstr(line, "[ok]") && strstr(line, "[ok]") < p)
			return true;
	}
	return false;
}

TEST_F(lab, claim_holds)
{
	char *argv[] = { (char *)mmt_cli(), "lab", (char *)variant->name, NULL };
	char *out, *err, *skip;
	int status;

	out = mmt_run(argv, &status, &err);
	ASSERT_NE(NULL, out);
	skip = strstr(out, "\nSKIP ");
	if (status == 4 && skip) {
		skip[strcspn(skip + 1, "\n") + 1] = '\0';
		SKIP(goto out, "%s", skip + 6);
	}
	EXPECT_EQ(0, status) {
		TH_LOG("lab %s output:\n%s%s", variant->name, out, err);
	}
	EXPECT_NE(NULL, strstr(out, "\nPASS "));
	EXPECT_EQ(NULL, strstr(out, "[FAIL]"));
	/* The tracer's count was checked (as root it must run). */
	if (variant->traced)
		EXPECT_TRUE(tracer_checked(out))
			TH_LOG("lab %s: no fault-tracer check line:\n%s",
			       variant->name, out);
out:
	free(out);
	free(err);
}

TEST(lab_list_and_bad_name)
{
	char *list[] = { (char *)mmt_cli(), "lab", NULL };
	char *bad[] = { (char *)mmt_cli(), "lab", "no-such-lab", NULL };
	char *out, *err;
	int status;

	out = mmt_run(list, &status, NULL);
	EXPECT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out, "malloc"));
	free(out);
	out = mmt_run(bad, &status, &err);
	EXPECT_EQ(2, status);
	EXPECT_NE(NULL, strstr(err, "no lab named 'no-such-lab'"));
	free(out);
	free(err);
}

TEST_HARNESS_MAIN
