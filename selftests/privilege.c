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
#include <sys/mman.h>
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

/*
 * The kernel's own answer to the same question: may this process read
 * /proc/@pid/maps (PTRACE_MODE_READ)?  0, or the -errno of the refusal.
 * mmscope's answer must be the same one (not a code the test assumes).
 */
static int kernel_maps_verdict(pid_t pid)
{
	char path[64], c;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) < 0)
		ret = -errno;
	close(fd);
	return ret;
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
	/* The kernel lets this user read its child's maps: so must mmscope. */
	if (kernel_maps_verdict(child))
		flags = -1000;
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	if (flags == -1000)
		return 13;
	if (flags < 0)
		return 11;
	/* Allowed, but the pgd's physical address is hidden. */
	if (!(flags & MMSCOPE_END_HIDDEN) || pgd != 0)
		return 12;
	return 0;
}

/* PID 1 is refused as the kernel refuses this user /proc/1/maps. */
static int user_inspects_pid1(void *arg)
{
	int kernel = kernel_maps_verdict(1);
	int fd, ret;

	if (!kernel)
		return 21;	/* the oracle lets the user in: no test */
	fd = open("/dev/mmscope", O_RDONLY);
	if (fd < 0)
		return 10;
	ret = vma_end_flags(fd, 1, NULL);
	/* Refused, and with the kernel's own error for /proc/1/maps. */
	return ret == kernel ? 0 : 20;
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
 * init: the device and the CLI must still refuse it.  With no real procfs
 * at /proc, mmscope cannot tell what the caller's /proc would hide, and
 * answers as hidepid=invisible would: as for a PID that does not exist.
 */
static int user_fakes_proc(void *arg)
{
	char *argv[] = { (char *)mmt_cli(), "vma", "1", NULL };
	char map[32], *out, *err;
	int fd, ret, status, kernel = kernel_maps_verdict(1);

	if (kernel >= 0)
		return 68;	/* the real /proc already lets this user in */
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
	/*
	 * Not the real /proc's answer: a /proc that is not the kernel's own
	 * procfs counts as hiding every process (the module cannot know what
	 * it would show), so PID 1 is answered as a PID that does not exist.
	 */
	if (ret != -ESRCH)
		return 66;

	out = mmt_run(argv, &status, &err);
	ret = status == 1 && err && strstr(err, "no such process") ? 0 : 67;
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
	/*
	 * 6x: 60 unshare, 61 id maps, 62-64 the fake, 65 open, 66 device,
	 * 67 CLI, 68 the kernel lets the user read the real /proc/1/maps
	 */
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

/*
 * `mmscope CMD <this process> --json` as the current user: the document
 * (NULL if none), the exit status in *status, the output in *outp (to free).
 */
static struct mmt_json *own_json(const char *cmd, int *status, char **outp)
{
	char pidstr[16];
	char *argv[] = { (char *)mmt_cli(), (char *)cmd, pidstr, "--json",
			 NULL };

	snprintf(pidstr, sizeof(pidstr), "%d", getpid());
	*outp = mmt_run(argv, status, NULL);
	return mmt_json_parse(*outp);
}

/* @v has @key, and it is null (withheld). */
static bool jnull(const struct mmt_json *v, const char *key)
{
	const struct mmt_json *x = mmt_jget(v, key);

	return x && x->type == MMT_JNULL;
}

static int user_cli_own_json(void *arg)
{
	struct mmt_json *doc, *mm;
	char *out;
	int status, ret = 0;

	doc = own_json("vma", &status, &out);
	mm = mmt_jget(doc, "mm");
	if (status || !mm)
		ret = 50;
	else if (!jnull(mm, "pgd_phys"))
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
	int fd, ret, kernel;

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
	kernel = kernel_maps_verdict(child);
	ASSERT_EQ(0, set_effective_cap(CAP_SYS_PTRACE, true));
	ASSERT_GE(fd, 0);
	ret = vma_end_flags(fd, child, NULL);
	/* The kernel's answer for /proc/PID/maps with the same credentials. */
	ASSERT_GT(0, kernel);
	EXPECT_EQ(kernel, ret) {
		TH_LOG("query of uid %d's process without CAP_SYS_PTRACE: %d, /proc/%d/maps: %d",
		       USER_UID, ret, child, kernel);
	}
	close(fd);
	fd = open("/dev/mmscope", O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kernel_maps_verdict(child));
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

/* ---- without CAP_SYS_ADMIN: what pagemap shows, and nothing more ---- */

#define NP 64
#define PM_SOFT_DIRTY(e)	(((e) >> 55) & 1)
#define PM_UFFD_WP(e)		(((e) >> 57) & 1)

/* Read a whole stream of @q on a new descriptor; NULL on failure. */
static char *query_all(struct mmscope_query *q, size_t *len)
{
	int fd = open("/dev/mmscope", O_RDONLY), err;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	if (!ioctl(fd, MMSCOPE_IOC_QUERY, q))
		buf = mmt_dev_read(fd, 1 << 16, len, &err);
	close(fd);
	return buf;
}

/*
 * As uid 1000, on its own memory: written pages (half of them soft-dirty
 * after clear_refs), pages read from the zero page, written pages made
 * PROT_NONE, untouched ones.  Every run of the raw pt view must say, page
 * by page, what /proc/self/pagemap says to the same user (present, swap,
 * soft-dirty, uffd-wp, PFN 0), with no other flag, no pkey, no raw entry,
 * and the kinds pagemap knows (present, swap) only.  translate likewise.
 */
static int user_pt_is_pagemap(void *arg)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_PT, .pid = getpid(),
				   .flags = MMSCOPE_Q_RAW };
	const struct mmscope_rec_hdr *h = NULL;
	int pm, i, checked = 0, shown = 0, ret = 0;
	volatile char sink = 0;
	uint64_t e;
	size_t len;
	char *m, *buf;

	m = mmap(NULL, NP * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 70;
	madvise(m, NP * 4096, MADV_NOHUGEPAGE);
	for (i = 0; i < 16; i++)
		m[i * 4096] = 1;
	for (i = 16; i < 32; i++)
		sink += m[i * 4096];
	for (i = 32; i < 48; i++)
		m[i * 4096] = 1;
	if (mmt_write_str("/proc/self/clear_refs", "4"))
		return 71;
	for (i = 0; i < 8; i++)
		m[i * 4096] = 2;
	if (mprotect(m + 32 * 4096, 16 * 4096, PROT_NONE))
		return 72;
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		return 73;

	q.start = (unsigned long)m;
	q.end = q.start + NP * 4096;
	buf = query_all(&q, &len);
	if (!buf)
		return 74;
	while ((h = mmt_rec_next(buf, len, h)) && !ret) {
		const struct mmscope_pt_run *r = (const void *)h;
		const struct mmscope_pt_summary *sum = (const void *)h;
		unsigned long a;

		if (h->type == MMSCOPE_REC_PT_SUMMARY) {
			if (!sum->hidden)
				ret = 75;
			for (i = 0; i < MMSCOPE_PTK_NR; i++)
				if (i != MMSCOPE_PTK_PRESENT &&
				    i != MMSCOPE_PTK_SWAP && sum->kinds[i])
					ret = 76;
			continue;
		}
		if (h->type != MMSCOPE_REC_PT_RUN)
			continue;
		if (!r->hidden || r->pfn || r->raw || r->swap_type ||
		    r->swap_offset || r->pkey)
			ret = 77;
		if (r->flags & ~MMSCOPE_PTF_UNPRIV) {
			printf("# run at %#llx: flags %#x beyond pagemap's\n",
			       (unsigned long long)r->start, r->flags);
			ret = 78;
		}
		if (r->kind != MMSCOPE_PTK_PRESENT && r->kind != MMSCOPE_PTK_SWAP)
			ret = 79;
		for (a = r->start; a < r->end && !ret; a += 4096) {
			if (pread(pm, &e, 8, a / 4096 * 8) != 8)
				return 80;
			if (MMT_PM_PRESENT(e) != (r->kind == MMSCOPE_PTK_PRESENT) ||
			    MMT_PM_SWAP(e) != (r->kind == MMSCOPE_PTK_SWAP) ||
			    PM_SOFT_DIRTY(e) != !!(r->flags & MMSCOPE_PTF_SOFT_DIRTY) ||
			    PM_UFFD_WP(e) != !!(r->flags & MMSCOPE_PTF_UFFD_WP) ||
			    MMT_PM_PFN(e)) {
				printf("# page %#lx: pagemap %#llx, mmscope kind %u flags %#x\n",
				       a, (unsigned long long)e, r->kind, r->flags);
				ret = 81;
			}
			checked++;
		}
	}
	free(buf);
	/* Every page pagemap shows is in a run: nothing left out. */
	for (i = 0; i < NP; i++) {
		if (pread(pm, &e, 8, ((unsigned long)m / 4096 + i) * 8) != 8)
			return 80;
		shown += MMT_PM_PRESENT(e) || MMT_PM_SWAP(e);
	}
	if (!ret && (checked != shown || shown != 48)) {
		printf("# %d pages in runs, %d shown by pagemap (48 touched)\n",
		       checked, shown);
		ret = 82;
	}

	/* translate: the same, step by step, for a page of each kind. */
	for (i = 0; i < NP && !ret; i += 8) {
		struct mmscope_query t = { .version = MMSCOPE_ABI_VERSION,
					   .view = MMSCOPE_VIEW_TRANSLATE,
					   .pid = getpid(),
					   .start = (unsigned long)m + i * 4096 };

		if (pread(pm, &e, 8, t.start / 4096 * 8) != 8)
			return 80;
		buf = query_all(&t, &len);
		if (!buf)
			return 83;
		for (h = NULL; (h = mmt_rec_next(buf, len, h));) {
			const struct mmscope_pt_step *st = (const void *)h;
			const struct mmscope_pt_leaf *l = (const void *)h;

			if (h->type == MMSCOPE_REC_PT_STEP &&
			    (!st->hidden || st->entry || st->pfn || st->pkey ||
			     st->next_table || (st->flags & ~MMSCOPE_PTF_UNPRIV) ||
			     st->kind > MMSCOPE_PTK_SWAP))
				ret = 84;
			if (h->type != MMSCOPE_REC_PT_LEAF)
				continue;
			if (!l->hidden || l->pfn || l->phys || l->page_bits ||
			    l->nbytes || l->refcount || l->mapcount)
				ret = 85;
			if ((l->kind == MMSCOPE_PTK_PRESENT) != MMT_PM_PRESENT(e) ||
			    (l->kind == MMSCOPE_PTK_SWAP) != MMT_PM_SWAP(e))
				ret = 86;
		}
		if (ret)
			printf("# translate of page %d (pagemap %#llx): %d\n", i,
			       (unsigned long long)e, ret);
		free(buf);
	}
	close(pm);
	return ret;
}

/* And the CLI says "withheld" with null, not with a zero or prose. */
static int user_pt_json_nulls(void *arg)
{
	struct mmt_json *doc, *runs, *run, *entries;
	int status, ret = 0;
	char *out;

	doc = own_json("pt", &status, &out);
	runs = mmt_jget(doc, "runs");
	entries = mmt_jget(doc, "entries");
	if (status || !runs || runs->n < 1 || !entries)
		ret = 90;
	else if (!(run = runs->kids[0]) || !jnull(run, "pkey") ||
		 !mmt_jget(run, "flags_hidden") ||
		 mmt_jget(run, "pfn")->type != MMT_JNULL)
		ret = 91;
	else if (!jnull(entries, "migration") ||
		 mmt_jget(entries, "present")->type != MMT_JNUM)
		ret = 92;
	mmt_json_free(doc);
	free(out);
	return ret;
}

TEST(unprivileged_sees_what_pagemap_shows)
{
	/* 7x/8x: the device against pagemap; 9x: the CLI's JSON */
	EXPECT_EQ(0, as_user(user_pt_is_pagemap, NULL));
	EXPECT_EQ(0, as_user(user_pt_json_nulls, NULL));
}

TEST_HARNESS_MAIN
