// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege model, checked from the outside:
 *  - a process may be inspected only by someone who could ptrace it
 *    (PTRACE_MODE_READ, the rule of /proc/PID/maps);
 *  - physical and kernel addresses only for an opener with CAP_SYS_ADMIN,
 *    decided when the file is opened, not when it is read;
 *  - the debugfs files are 0400 root, /dev/mmscope is readable by all;
 *  - what the caller sees at /proc does not matter to the check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"

#define USER_UID 1000

/* Drop or raise one capability in the effective set (keeps it permitted). */
static int set_effective_cap(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[cap / 32].effective |= 1u << (cap % 32);
	else
		data[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Query the vma view of @pid on @fd; return the END record's flags or -errno. */
static int vma_end_flags(int fd, pid_t pid, unsigned long long *pgd_phys)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_VMA, .pid = pid };
	const struct mmscope_rec_hdr *h = NULL;
	int flags = -EBADMSG, err;
	size_t len;
	char *buf;

	if (ioctl(fd, MMSCOPE_IOC_QUERY, &q))
		return -errno;
	buf = mmt_dev_read(fd, 1 << 16, &len, &err);
	if (!buf)
		return err;
	while ((h = mmt_rec_next(buf, len, h))) {
		if (h->type == MMSCOPE_REC_MM && pgd_phys)
			*pgd_phys = ((struct mmscope_mm *)h)->pgd_phys;
		if (h->type == MMSCOPE_REC_END)
			flags = ((struct mmscope_end *)h)->flags;
	}
	free(buf);
	return flags;
}

/* Run @fn in a child as uid/gid 1000 without capabilities; its exit code. */
static int as_user(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(USER_UID, USER_UID, USER_UID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(99);
		/* A uid change makes a process non-dumpable; undo that. */
		prctl(PR_SET_DUMPABLE, 1);
		_exit(fn(arg));
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int user_inspects_own_child(void *arg)
{
	unsigned long long pgd = 1;
	int fd, flags, st;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = open("/dev/mmscope", O_RDONLY);
	if (fd < 0)
		return 10;
	flags = vma_end_flags(fd, child, &pgd);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	if (flags < 0)
		return 11;
	/* Allowed, but the pgd's physical address is hidden. */
	if (!(flags & MMSCOPE_END_HIDDEN) || pgd != 0)
		return 12;
	return 0;
}

static int user_inspects_pid1(void *arg)
{
	int fd = open("/dev/mmscope", O_RDONLY);
	int ret;

	if (fd < 0)
		return 10;
	ret = vma_end_flags(fd, 1, NULL);
	return ret == -EACCES || ret == -EPERM ? 0 : 20;
}

static int user_opens_debugfs(void *arg)
{
	int fd = open("/sys/kernel/debug/mmscope/vma", O_RDONLY);

	return fd < 0 && (errno == EACCES || errno == EPERM) ? 0 : 30;
}

TEST(unprivileged_may_inspect_only_own_processes)
{
	EXPECT_EQ(0, as_user(user_inspects_own_child, NULL));
	EXPECT_EQ(0, as_user(user_inspects_pid1, NULL));
	EXPECT_EQ(0, as_user(user_opens_debugfs, NULL));
}

#define USERNS_SKIP 77

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * The attack on a path-based ptrace check: in a user+mount namespace of its
 * own, the user mounts a fake /proc holding a readable 1/maps.  Opening
 * "/proc/1/maps" now succeeds for this user, but PID 1 is still the real
 * init: the device and the CLI must still refuse it.
 */
static int user_fakes_proc(void *arg)
{
	char *argv[] = { (char *)mmt_cli(), "vma", "1", NULL };
	char map[32], *out, *err;
	int fd, ret, status;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return errno == EPERM || errno == ENOSPC || errno == EINVAL ?
		       USERNS_SKIP : 60;
	snprintf(map, sizeof(map), "0 %d 1", USER_UID);
	if (write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/uid_map", map) ||
	    write_str("/proc/self/gid_map", map))
		return 61;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("fake", "/proc", "tmpfs", 0, "mode=0755"))
		return 62;
	if (mkdir("/proc/1", 0755))
		return 63;
	fd = open("/proc/1/maps", O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0 || write(fd, "0-1000 r--p 00000000 00:00 0\n", 29) != 29)
		return 63;
	close(fd);
	fd = open("/proc/1/maps", O_RDONLY);
	if (fd < 0)
		return 64;	/* the fake is not in place: no test */
	close(fd);

	fd = open("/dev/mmscope", O_RDONLY);
	if (fd < 0)
		return 65;
	ret = vma_end_flags(fd, 1, NULL);
	close(fd);
	if (ret != -EACCES && ret != -EPERM)
		return 66;

	out = mmt_run(argv, &status, &err);
	ret = status == 1 && err && strstr(err, "permission denied") ? 0 : 67;
	free(out);
	free(err);
	return ret;
}

TEST(fake_proc_in_user_namespace_is_ignored)
{
	int ret = as_user(user_fakes_proc, NULL);

	if (ret == USERNS_SKIP) {
		char *clone = mmt_read_file("/proc/sys/kernel/unprivileged_userns_clone",
					    NULL);
		char *max = mmt_read_file("/proc/sys/user/max_user_namespaces",
					  NULL);

		SKIP(free(clone); free(max); return,
		     "this kernel forbids unprivileged user namespaces (unprivileged_userns_clone=%s max_user_namespaces=%s)",
		     clone ? strtok(clone, "\n") : "absent",
		     max ? strtok(max, "\n") : "?");
	}
	/* 6x: 60 unshare, 61 id maps, 62-64 the fake, 65 open, 66 device, 67 CLI */
	EXPECT_EQ(0, ret);
}

static int user_runs_cli(void *arg)
{
	char *argv[] = { (char *)mmt_cli(), "vma", "1", NULL };
	char *out, *err;
	int status, ret = 0;

	out = mmt_run(argv, &status, &err);
	if (status != 1 || !strstr(err, "permission denied"))
		ret = 40;
	free(out);
	free(err);
	return ret;
}

static int user_cli_own_json(void *arg)
{
	char pidstr[16];
	char *argv[] = { (char *)mmt_cli(), "vma", pidstr, "--json", NULL };
	struct mmt_json *doc, *mm;
	char *out;
	int status, ret = 0;

	snprintf(pidstr, sizeof(pidstr), "%d", getpid());
	out = mmt_run(argv, &status, NULL);
	doc = mmt_json_parse(out);
	mm = mmt_jget(doc, "mm");
	if (status || !mm)
		ret = 50;
	else if (!mmt_jget(mm, "pgd_phys") ||
		 mmt_jget(mm, "pgd_phys")->type != MMT_JNULL)
		ret = 51;
	mmt_json_free(doc);
	free(out);
	return ret;
}

TEST(unprivileged_cli)
{
	EXPECT_EQ(0, as_user(user_runs_cli, NULL));
	EXPECT_EQ(0, as_user(user_cli_own_json, NULL));
}

TEST(root_sees_physical_addresses)
{
	unsigned long long pgd = 0;
	int fd = open("/dev/mmscope", O_RDONLY);

	ASSERT_GE(fd, 0);
	ASSERT_GE(vma_end_flags(fd, getpid(), &pgd), 0);
	EXPECT_NE(0, pgd);
	close(fd);
}

/*
 * Privilege is the opener's: a file opened without CAP_SYS_ADMIN stays
 * unprivileged after the capability returns, and vice versa.
 */
TEST(capability_checked_at_open)
{
	unsigned long long pgd = 1;
	int fd, flags;

	ASSERT_EQ(0, set_effective_cap(CAP_SYS_ADMIN, false));
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_ADMIN, true));
	ASSERT_GE(fd, 0);
	flags = vma_end_flags(fd, getpid(), &pgd);
	ASSERT_GE(flags, 0);
	EXPECT_TRUE(flags & MMSCOPE_END_HIDDEN);
	EXPECT_EQ(0, pgd);
	close(fd);

	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_ADMIN, false));
	pgd = 0;
	flags = vma_end_flags(fd, getpid(), &pgd);
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_ADMIN, true));
	ASSERT_GE(flags, 0);
	EXPECT_FALSE(flags & MMSCOPE_END_HIDDEN);
	EXPECT_NE(0, pgd);
	close(fd);
}

/* Root without CAP_SYS_PTRACE may not inspect another user's process. */
TEST(root_without_ptrace_capability)
{
	pid_t child = fork();
	int fd, ret;

	if (child == 0) {
		if (setresuid(USER_UID, USER_UID, USER_UID))
			_exit(1);
		pause();
		_exit(0);
	}
	usleep(100000);
	/* The opener's credentials count: drop the capability, then open. */
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_PTRACE, false));
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_PTRACE, true));
	ASSERT_GE(fd, 0);
	ret = vma_end_flags(fd, child, NULL);
	EXPECT_TRUE(ret == -EACCES || ret == -EPERM) {
		TH_LOG("query of uid %d's process without CAP_SYS_PTRACE: %d",
		       USER_UID, ret);
	}
	close(fd);
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_GE(vma_end_flags(fd, child, NULL), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
}

TEST(file_modes)
{
	const char *dir = "/sys/kernel/debug/mmscope";
	struct stat st;
	char path[512], name[128];
	FILE *ls;
	int files = 0;

	ASSERT_EQ(0, stat("/dev/mmscope", &st));
	/* Readable by all (queries are ioctls on O_RDONLY), writable by none. */
	EXPECT_EQ(0444, st.st_mode & 07777);
	snprintf(path, sizeof(path), "ls %s", dir);
	ls = popen(path, "r");
	ASSERT_NE(NULL, ls);
	while (fgets(name, sizeof(name), ls)) {
		name[strcspn(name, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0400, st.st_mode & 07777) {
			TH_LOG("%s has mode %o", path, st.st_mode & 07777);
		}
		files++;
	}
	pclose(ls);
	EXPECT_GT(files, 0);
	ASSERT_EQ(0, stat("/sys/module/mmscope/parameters/pid", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

/* The records of @view (at @addr) of this process, read from the device. */
static char *user_records(int view, unsigned long addr, size_t *len)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = view, .pid = getpid(),
				   .start = addr };
	char *buf = NULL;
	int fd, err;

	fd = open("/dev/mmscope", O_RDONLY);
	if (fd < 0)
		return NULL;
	if (!ioctl(fd, MMSCOPE_IOC_QUERY, &q))
		buf = mmt_dev_read(fd, 1 << 16, len, &err);
	close(fd);
	return buf;
}

/*
 * 7x: 70 no mapping, 71/74 query, 72 a pt run, 73 no present run,
 * 75 a translate step, 76 the leaf, 77 no leaf reached.
 */
static int user_device_hides_pfns(void *arg)
{
	const struct mmscope_rec_hdr *h = NULL;
	int i, present = 0, leaves = 0;
	size_t len;
	char *buf, *p;

	p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 70;
	for (i = 0; i < 64; i++)
		p[i * 4096] = 1;

	buf = user_records(MMSCOPE_VIEW_PT, 0, &len);
	if (!buf)
		return 71;
	while ((h = mmt_rec_next(buf, len, h))) {
		const struct mmscope_pt_run *r = (const void *)h;

		if (h->type != MMSCOPE_REC_PT_RUN)
			continue;
		if (r->pfn || r->raw || r->swap_offset || r->swap_type ||
		    !r->hidden)
			return 72;
		present += r->kind == MMSCOPE_PTK_PRESENT;
	}
	free(buf);
	if (!present)
		return 73;

	buf = user_records(MMSCOPE_VIEW_TRANSLATE, (unsigned long)p + 4096,
			   &len);
	if (!buf)
		return 74;
	for (h = NULL; (h = mmt_rec_next(buf, len, h));) {
		const struct mmscope_pt_step *s = (const void *)h;
		const struct mmscope_pt_leaf *l = (const void *)h;

		if (h->type == MMSCOPE_REC_PT_STEP &&
		    (s->entry || s->next_table || s->pfn || s->swap_offset ||
		     s->swap_type || !s->hidden))
			return 75;
		if (h->type != MMSCOPE_REC_PT_LEAF)
			continue;
		if (l->pfn || l->phys || l->page_bits || l->nbytes ||
		    !l->hidden)
			return 76;
		leaves += l->stop == MMSCOPE_STOP_LEAF;
	}
	free(buf);
	return leaves == 1 ? 0 : 77;
}

/*
 * Below the CLI, which prints null for every PFN of a view marked hidden
 * whatever its records hold: the device's own records of the pt and
 * translate views give a reader without CAP_SYS_ADMIN no PFN, physical
 * address, raw entry, table address or swap entry (pagemap's rule), for
 * present pages of the reader's own process.
 */
TEST(unprivileged_device_records_hide_pfns)
{
	/* 7x: see user_device_hides_pfns() */
	EXPECT_EQ(0, as_user(user_device_hides_pfns, NULL));
}

TEST_HARNESS_MAIN
