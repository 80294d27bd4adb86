// SPDX-License-Identifier: GPL-2.0
/*
 * Every lab's claim, asserted through the same code path a person uses:
 * `mmscope lab NAME`.  Each lab checks its claim against mmscope and the
 * kernel's own /proc files (maps, pagemap, smaps, vmstat, buddyinfo,
 * slabinfo) and exits 0 on PASS, 1 on FAIL, 4 when the kernel cannot show
 * the claim (its reason on the "SKIP" line).
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* --json: one record, its result the exit status's, its checks listed. */
TEST(lab_json_record)
{
	char *argv[] = { (char *)mmt_cli(), "lab", "malloc", "--json", NULL };
	struct mmt_json *doc, *checks;
	char *out, *err;
	int status, i;

	out = mmt_run(argv, &status, &err);
	ASSERT_NE(NULL, out);
	/* Nothing but the record: one line. */
	EXPECT_EQ(strlen(out) - 1, strcspn(out, "\n")) TH_LOG("%s", out);
	doc = mmt_json_parse(out);
	ASSERT_NE(NULL, doc) TH_LOG("%s", out);
	EXPECT_STREQ("lab", mmt_jstr(mmt_jget(doc, "type")) ?: "");
	EXPECT_STREQ("malloc", mmt_jstr(mmt_jget(doc, "name")) ?: "");
	checks = mmt_jget(doc, "checks");
	ASSERT_NE(NULL, checks);
	if (status == 4) {
		EXPECT_STREQ("skip", mmt_jstr(mmt_jget(doc, "result")) ?: "");
		EXPECT_NE(NULL, mmt_jstr(mmt_jget(doc, "skip_reason")));
	} else {
		EXPECT_EQ(0, status) TH_LOG("%s%s", out, err);
		EXPECT_STREQ("pass", mmt_jstr(mmt_jget(doc, "result")) ?: "");
		EXPECT_LT(0, checks->n);
		EXPECT_EQ(checks->n, (int)mmt_jnum(mmt_jget(doc, "passed")));
		EXPECT_EQ(0, mmt_jnum(mmt_jget(doc, "failed")));
		for (i = 0; i < checks->n; i++)
			EXPECT_TRUE(mmt_jget(checks->kids[i], "ok")->boolean);
	}
	mmt_json_free(doc);
	free(out);
	free(err);
}

/* Files the slab lab made in /dev/shm: -1 if it has no directory there. */
static int lab_slab_files(void)
{
	char path[512];
	struct dirent *d, *f;
	int n = -1;
	DIR *shm = opendir("/dev/shm"), *sub;

	while (shm && (d = readdir(shm))) {
		if (strncmp(d->d_name, "mmscope-lab-slab.", 17))
			continue;
		n = n < 0 ? 0 : n;
		snprintf(path, sizeof(path), "/dev/shm/%s", d->d_name);
		sub = opendir(path);
		while (sub && (f = readdir(sub)))
			n += f->d_name[0] != '.';
		if (sub)
			closedir(sub);
	}
	if (shm)
		closedir(shm);
	return n;
}

/*
 * Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM
 * to mmscope alone while the slab lab holds its thousands of files open:
 * mmscope dies of that signal and leaves nothing in /dev/shm.
 */
FIXTURE(interrupt) {};
FIXTURE_VARIANT(interrupt) {
	int sig;
	bool group;
};
FIXTURE_VARIANT_ADD(interrupt, ctrl_c) { .sig = SIGINT, .group = true };
FIXTURE_VARIANT_ADD(interrupt, sigterm) { .sig = SIGTERM, .group = false };
FIXTURE_SETUP(interrupt) {}
FIXTURE_TEARDOWN(interrupt) {}

TEST_F(interrupt, slab_lab_cleans_up)
{
	int st, i, n = -1;
	pid_t cli;

	ASSERT_EQ(-1, lab_slab_files()) TH_LOG("files left from before");
	cli = fork();
	if (cli == 0) {
		setpgid(0, 0);
		if (!freopen("/dev/null", "w", stdout))
			_exit(98);
		execl(mmt_cli(), mmt_cli(), "lab", "slab", (char *)NULL);
		_exit(99);
	}
	ASSERT_LT(0, cli);
	/* Until the program has made most of its files (at least 2000). */
	for (i = 0; i < 60000; i++) {
		n = lab_slab_files();
		if (n >= 1000 || waitpid(cli, &st, WNOHANG) == cli)
			break;
		usleep(1000);
	}
	if (n < 1000) {
		kill(cli, SIGKILL);
		waitpid(cli, &st, 0);
		ASSERT_EQ(-1, lab_slab_files());
		SKIP(return, "the slab lab made no files in /dev/shm (%d): it skipped here", n);
	}
	kill(variant->group ? -cli : cli, variant->sig);
	ASSERT_EQ(cli, waitpid(cli, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == variant->sig)
		TH_LOG("status %#x", st);
	EXPECT_EQ(-1, lab_slab_files());
	if (variant->group)
		kill(-cli, SIGKILL);	/* nothing should be left in it */
}

TEST_HARNESS_MAIN
