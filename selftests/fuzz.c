// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, generated: every writable control (module parameters), every
 * device query field, and every CLI subcommand get random, oversized,
 * truncated, non-UTF-8 and boundary inputs.  Each must end in a clear error
 * or a valid answer: never a crash, a hang or a silent nothing.
 *
 * Controls and subcommands are discovered (the parameter directory, the
 * CLI's help), so new ones are fuzzed with no change here.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define PARAMS "/sys/module/mmscope/parameters"
#define ROUNDS 200

static const char *const boundary[] = {
	"", "0", "-0", "1", "-1", "+1", " 1", "1 ", "1\n", "0x", "0x1",
	"2147483647", "2147483648", "-2147483648", "4294967295",
	"4194304", "4194305", "18446744073709551615", "18446744073709551616",
	"99999999999999999999999999", "0xffffffffffffffff",
	"0x8000000000000000", "0x00007fffffffffff", "0xffff800000000000",
	"abc", "1abc", "\xff\xfe\xfd", "\xc3\x28", "%s%n%x", "kmalloc-64",
	"no-such-cache-name", "1-2", "2-1", "0x1000-0x2000", "--", "-j",
};

static void random_string(unsigned int *seed, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		buf[i] = (char)(rand_r(seed) % 255 + 1);
	buf[len - 1] = '\0';
}

static int write_param(const char *name, const char *val, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", PARAMS, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The debugfs views must still answer (or refuse clearly) afterwards. */
static int read_all_views(void)
{
	const char *dir = "/sys/kernel/debug/mmscope";
	struct dirent *de;
	char path[512];
	int bad = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		char *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		errno = 0;
		text = mmt_read_file(path, NULL);
		/*
		 * Refusals must be errors a person can act on.  (Not EFAULT:
		 * the buffer is valid.)
		 */
		if (!text && errno != ESRCH && errno != EINVAL &&
		    errno != ENOENT && errno != ENXIO &&
		    errno != EPERM && errno != EOPNOTSUPP) {
			ksft_print_msg("%s: unexpected %s\n", path, strerror(errno));
			bad++;
		}
		free(text);
	}
	if (d)
		closedir(d);
	return bad;
}

/*
 * The writable module parameters as found, written back by the teardown
 * (which runs even when an ASSERT ended the test): later tests select
 * their targets through them.
 */
#define MAX_PARAMS	32

FIXTURE(params) {
	int n;
	char name[MAX_PARAMS][64];
	char val[MAX_PARAMS][256];
};

FIXTURE_SETUP(params)
{
	struct dirent *de;
	DIR *d = opendir(PARAMS);

	ASSERT_NE(NULL, d);
	self->n = 0;
	while ((de = readdir(d)) && self->n < MAX_PARAMS) {
		char path[512], *v;
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", PARAMS, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) ||
		    !(st.st_mode & 0200))
			continue;
		v = mmt_read_file(path, NULL);
		ASSERT_NE(NULL, v) TH_LOG("%s: %s", path, strerror(errno));
		v[strcspn(v, "\n")] = '\0';
		snprintf(self->name[self->n], sizeof(self->name[0]), "%.63s",
			 de->d_name);
		snprintf(self->val[self->n], sizeof(self->val[0]), "%s", v);
		free(v);
		self->n++;
	}
	closedir(d);
}

FIXTURE_TEARDOWN(params)
{
	int i;

	for (i = 0; i < self->n; i++)
		write_param(self->name[i], self->val[i], strlen(self->val[i]));
}

TEST_F(params, module_parameters)
{
	static char big[1 << 16];
	unsigned int seed = 1;
	struct dirent *de;
	DIR *d = opendir(PARAMS);
	int params = 0, i;

	ASSERT_NE(NULL, d);
	memset(big, '7', sizeof(big) - 1);
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PARAMS, de->d_name);
		ASSERT_EQ(0, stat(path, &st));
		/* A load-time parameter (0400) refuses every write. */
		if (!(st.st_mode & 0200)) {
			EXPECT_EQ(-EACCES, write_param(de->d_name, "1", 1));
			continue;
		}
		params++;
		for (i = 0; i < (int)(sizeof(boundary) / sizeof(boundary[0])); i++) {
			int err = write_param(de->d_name, boundary[i],
					      strlen(boundary[i]));

			/* Either accepted or refused with a reason. */
			EXPECT_TRUE(err == 0 || err == -EINVAL || err == -ESRCH ||
				    err == -ENOSPC || err == -ERANGE) {
				TH_LOG("%s <- '%s': %s", de->d_name, boundary[i],
				       strerror(-err));
			}
		}
		EXPECT_NE(0, write_param(de->d_name, big, sizeof(big) - 1));
		for (i = 0; i < ROUNDS; i++) {
			char buf[64];
			size_t len = 1 + rand_r(&seed) % (sizeof(buf) - 1);

			random_string(&seed, buf, len + 1);
			write_param(de->d_name, buf, len);
		}
		/*
		 * fault_fill and fault_rec_max inject failures on purpose
		 * (EIO, EOVERFLOW): a random digit string left in one makes
		 * every view fail as asked.  Back to their values first.
		 */
		if (!strncmp(de->d_name, "fault_", 6))
			for (i = 0; i < self->n; i++)
				if (!strcmp(self->name[i], de->d_name))
					write_param(de->d_name, self->val[i],
						    strlen(self->val[i]));
		EXPECT_EQ(0, read_all_views());
	}
	closedir(d);
	EXPECT_GE(params, 1);
}

TEST(device_queries)
{
	unsigned int seed = 2;
	static char buf[1 << 16];
	int i, answered = 0;

	for (i = 0; i < ROUNDS * 5; i++) {
		struct mmscope_query q;
		int fd = open("/dev/mmscope", O_RDONLY);
		ssize_t n;

		ASSERT_GE(fd, 0);
		random_string(&seed, (char *)&q, sizeof(q));
		/* Mostly well-formed headers, so the deeper checks run. */
		if (i % 4) {
			q.version = MMSCOPE_ABI_VERSION;
			q.view = 1 + rand_r(&seed) % (MMSCOPE_VIEW_MAX + 1);
			q.flags = rand_r(&seed) % 3;
			q.pid = i % 3 ? getpid() : (int)rand_r(&seed);
			if (i % 2)
				q.name[rand_r(&seed) % sizeof(q.name)] = '\0';
		}
		if (ioctl(fd, MMSCOPE_IOC_QUERY, &q) == 0) {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				;
			/*
			 * The end, or an answer: no such process (any more),
			 * no such cache, not in a slab.
			 */
			EXPECT_TRUE(n == 0 || errno == ESRCH || errno == ENOENT ||
				    errno == ENXIO) {
				TH_LOG("view %u read: %s", q.view, strerror(errno));
			}
			answered++;
		} else {
			EXPECT_TRUE(errno == EINVAL || errno == EPROTO ||
				    errno == EOPNOTSUPP || errno == ESRCH ||
				    errno == ENAMETOOLONG || errno == ENOENT ||
				    errno == EPERM || errno == EACCES ||
				    errno == ERANGE) {
				TH_LOG("view %u: unexpected %s", q.view,
				       strerror(errno));
			}
		}
		close(fd);
	}
	EXPECT_GT(answered, 0);
}

/* EFAULT is the answer only to a bad pointer, passed here on purpose. */
TEST(device_bad_pointers)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_VMA, .pid = getpid() };
	int fd = open("/dev/mmscope", O_RDONLY);
	void *volatile bad = (void *)8;

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, ioctl(fd, MMSCOPE_IOC_QUERY, bad));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(fd, MMSCOPE_IOC_QUERY, &q));
	EXPECT_EQ(-1, read(fd, bad, 4096));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* The subcommands, from the CLI's own help. */
static int subcommands(char names[][32], int max)
{
	char *argv[] = { (char *)mmt_cli(), "help", NULL };
	char *out, *p;
	int status, n = 0;

	out = mmt_run(argv, &status, NULL);
	for (p = out; p && (p = strstr(p, "\n  ")) && n < max; p++) {
		if (p[3] == '-' || p[3] == ' ')
			continue;
		sscanf(p + 3, "%31s", names[n]);
		n++;
	}
	free(out);
	return n;
}

TEST(cli_malformed_arguments)
{
	char names[32][32], junk[48];
	unsigned int seed = 3;
	int n = subcommands(names, 32), i, j;

	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		for (j = 0; j < (int)(sizeof(boundary) / sizeof(boundary[0])) + 10; j++) {
			char *argv[6] = { (char *)mmt_cli(), names[i] };
			char *out, *err;
			int status;

			if (j < (int)(sizeof(boundary) / sizeof(boundary[0]))) {
				argv[2] = (char *)boundary[j];
				argv[3] = (char *)boundary[(j * 7) % (sizeof(boundary) / sizeof(boundary[0]))];
				argv[4] = "--bogus";
			} else {
				random_string(&seed, junk, sizeof(junk));
				argv[2] = junk;
				argv[3] = "--range";
				argv[4] = junk + 20;
			}
			out = mmt_run(argv, &status, &err);
			/* A usage error (2) or a runtime error (1), said on stderr. */
			EXPECT_TRUE((status == 1 || status == 2) && err[0]) {
				TH_LOG("mmscope %s '%s' '%s': status %d, stderr '%s'",
				       names[i], argv[2], argv[3], status, err);
			}
			free(out);
			free(err);
		}
	}
}

TEST_HARNESS_MAIN
