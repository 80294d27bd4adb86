// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: the BPF fault tracer against the kernel's own accounting.
 *
 * Every test runs `mmscope faults --json ... -- <this program> workload ...`
 * so tracing starts at the workload's first instruction.  Workloads map at
 * fixed addresses (MAP_FIXED_NOREPLACE) so the range filter is known before
 * they start, touch one guard page below the range first (so the VMA has its
 * anon_vma and no fault in the range is retried), and report what
 * /proc/self/pagemap shows afterwards through a file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "kselftest_harness.h"
#include "mmscope.h"
#include "lib/mmtest.h"
#include "lib/kcore.h"

#define PG 4096UL

/* ---- workloads (run as `faults workload KIND ...`) ------------------------ */

static char *map_at(unsigned long addr, size_t len, int fd)
{
	char *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED) |
		       MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED) {
		perror("workload: mmap");
		exit(3);
	}
	return p;
}

static uint64_t self_pfn(unsigned long va)
{
	uint64_t e = 0;

	if (mmt_pagemap(getpid(), va, &e) || !MMT_PM_PRESENT(e))
		return 0;
	return MMT_PM_PFN(e);
}

/* anon ADDR N OUT|-: write once to N fresh pages, report their PFNs. */
static int wl_anon(unsigned long addr, unsigned long n, const char *out)
{
	char *p;
	unsigned long i;
	FILE *f;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, (n + 1) * PG, -1);
	madvise(p, (n + 1) * PG, MADV_NOHUGEPAGE);
	p[0] = 1;			/* guard page: anon_vma_prepare() */
	for (i = 1; i <= n; i++)
		p[i * PG] = 1;
	if (!strcmp(out, "-"))
		return 0;
	f = fopen(out, "w");
	if (!f)
		return 3;
	for (i = 0; i < n; i++)
		fprintf(f, "%llu\n", (unsigned long long)self_pfn(addr + i * PG));
	return fclose(f) ? 3 : 0;
}

/* cow ADDR OUT: write, fork, the child writes: "parent_pfn child child_pfn". */
static int wl_cow(unsigned long addr, const char *out)
{
	int pfd[2], st;
	uint64_t cpfn = 0, ppfn;
	char *p;
	pid_t pid;
	FILE *f;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, 2 * PG, -1);
	p[0] = 1;
	p[PG] = 1;
	if (pipe(pfd))
		return 3;
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		p[PG] = 2;		/* copy-on-write */
		cpfn = self_pfn(addr);
		_exit(write(pfd[1], &cpfn, sizeof(cpfn)) != sizeof(cpfn));
	}
	if (read(pfd[0], &cpfn, sizeof(cpfn)) != sizeof(cpfn))
		return 3;
	waitpid(pid, &st, 0);
	ppfn = self_pfn(addr);
	f = fopen(out, "w");
	if (!f)
		return 3;
	fprintf(f, "%llu %d %llu\n", (unsigned long long)ppfn, pid,
		(unsigned long long)cpfn);
	return fclose(f) || p[PG] != 1 ? 3 : 0;
}

/* file PATH ADDR1 ADDR2 N: drop caches, read the file mapped twice. */
static int wl_file(const char *path, unsigned long a1, unsigned long a2,
		   unsigned long n)
{
	int fd = open(path, O_RDWR), dc;
	volatile char sum = 0;
	unsigned long i;
	char *p;

	if (fd < 0)
		return 3;
	sync();
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc < 0 || write(dc, "3", 1) != 1)
		return 3;
	close(dc);
	p = map_at(a1, n * PG, fd);
	for (i = 0; i < n; i++)
		sum += p[i * PG];
	p = map_at(a2, n * PG, fd);
	for (i = 0; i < n; i++)
		sum += p[i * PG];
	return 0;
}

/* storm: map, touch and unmap 64 pages every 20 ms until killed. */
static int wl_storm(void)
{
	unsigned long i;
	char *p;

	for (;;) {
		p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 3;
		for (i = 0; i < 64; i++)
			p[i * PG] = 1;
		munmap(p, 64 * PG);
		usleep(20000);
	}
}

/*
 * slow ADDR N: map N pages at ADDR (guard page below), say "ready" on
 * stdout, wait for SIGUSR1 (the test sends it once the tracer is attached,
 * however long attaching took), then write one new page every 50 ms (10 s
 * for N = 200) and wait to be killed: each page is faulted once, and stays
 * present for the test's pagemap reads however long the tracer takes to
 * end (a debug kernel under TCG: seconds).
 */
static int wl_slow(unsigned long addr, unsigned long n)
{
	unsigned long i;
	char *p;

	sigset_t go;
	int sig;

	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigprocmask(SIG_BLOCK, &go, NULL);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, (n + 1) * PG, -1);
	p[0] = 1;
	printf("ready\n");
	fflush(stdout);
	if (sigwait(&go, &sig))
		return 3;
	for (i = 1; i <= n; i++) {
		p[i * PG] = 1;
		usleep(50000);
	}
	for (;;)
		pause();
	return 0;
}

/* paced ADDR N MS: write once to N fresh pages, MS ms apart, then exit. */
static int wl_paced(unsigned long addr, unsigned long n, unsigned long ms)
{
	unsigned long i;
	char *p;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = map_at(addr - PG, (n + 1) * PG, -1);
	madvise(p, (n + 1) * PG, MADV_NOHUGEPAGE);
	p[0] = 1;
	for (i = 1; i <= n; i++) {
		p[i * PG] = 1;
		/* no pause after the last: it is in the trace's last interval */
		if (i < n)
			usleep(ms * 1000);
	}
	return 0;
}

/* incg CGROUP ADDR N: move into CGROUP, then as anon ADDR N -. */
static int wl_incg(const char *cg, unsigned long addr, unsigned long n)
{
	char path[PATH_MAX], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (mmt_write_str(path, pid))
		return 3;
	return wl_anon(addr, n, "-");
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_ull(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * bench PAGES ROUNDS: map, touch and unmap PAGES fresh pages, ROUNDS times;
 * print the fastest round ("bench_ns"), the median round and the total, on
 * stdout or into the file $MMSCOPE_BENCH_OUT (so that a tracer's output can
 * go elsewhere).  The fastest round is the headline: on a shared host (TCG)
 * a round the vCPU was not preempted in is the one that measures the
 * faults; the median shows how typical it is.
 */
static int wl_bench(unsigned long pages, unsigned long rounds)
{
	unsigned long long t0, *t, total = 0;
	const char *path = getenv("MMSCOPE_BENCH_OUT");
	unsigned long r, i;
	FILE *f = stdout;
	char *p;

	if (!rounds)
		return 2;
	t = calloc(rounds, sizeof(*t));
	if (!t)
		return 3;
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	for (r = 0; r < rounds; r++) {
		t0 = mono_ns();
		p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 3;
		for (i = 0; i < pages; i++)
			p[i * PG] = 1;
		munmap(p, pages * PG);
		t[r] = mono_ns() - t0;
		total += t[r];
	}
	qsort(t, rounds, sizeof(*t), cmp_ull);
	if (path && !(f = fopen(path, "w")))
		return 3;
	fprintf(f, "bench_ns %llu\nbench_median_ns %llu\nbench_total_ns %llu\n",
		t[0], t[rounds / 2], total);
	free(t);
	return fclose(f) ? 3 : 0;
}

static int workload(int argc, char **argv)
{
	const char *nice = getenv("MMSCOPE_WL_NICE");

	/* The storm outruns a deprioritised consumer (ringbuf_drops_exact). */
	if (nice)
		setpriority(PRIO_PROCESS, 0, atoi(nice));
	if (argc == 5 && !strcmp(argv[2], "bench"))
		return wl_bench(strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0));
	if (argc == 6 && !strcmp(argv[2], "anon"))
		return wl_anon(strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0), argv[5]);
	if (argc == 6 && !strcmp(argv[2], "incg"))
		return wl_incg(argv[3], strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0));
	if (argc == 3 && !strcmp(argv[2], "storm"))
		return wl_storm();
	if (argc == 5 && !strcmp(argv[2], "slow"))
		return wl_slow(strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0));
	if (argc == 6 && !strcmp(argv[2], "paced"))
		return wl_paced(strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0),
				strtoul(argv[5], NULL, 0));
	if (argc == 5 && !strcmp(argv[2], "cow"))
		return wl_cow(strtoul(argv[3], NULL, 0), argv[4]);
	if (argc == 7 && !strcmp(argv[2], "file"))
		return wl_file(argv[3], strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0),
			       strtoul(argv[6], NULL, 0));
	fprintf(stderr, "workload: bad arguments\n");
	return 2;
}

/* ---- running the tracer ---------------------------------------------------- */

struct trace {
	struct mmt_json **ev;		/* every event line */
	int n;
	struct mmt_json **rec;		/* every "top" and "interval" record */
	int nrec;
	struct mmt_json *sum;		/* the "summary" object */
	struct mmt_json *doc;		/* the summary line */
	char *out, *err;
	int status;
};

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

/* Parse the CLI's JSON Lines output t->out (consumed): events, summary. */
static void parse_trace(struct trace *t)
{
	char *line;

	for (line = t->out; line && *line;) {
		char *nl = strchr(line, '\n');
		struct mmt_json *j;

		if (nl)
			*nl = '\0';
		j = mmt_json_parse(line);
		if (j && mmt_jget(j, "summary")) {
			t->doc = j;
			t->sum = mmt_jget(j, "summary");
		} else if (j && mmt_jget(j, "addr")) {
			t->ev = realloc(t->ev, sizeof(*t->ev) * (t->n + 1));
			t->ev[t->n++] = j;
		} else if (j && (!strcmp(mmt_jstr(mmt_jget(j, "type")) ?: "", "top") ||
				 !strcmp(mmt_jstr(mmt_jget(j, "type")) ?: "", "interval"))) {
			t->rec = realloc(t->rec, sizeof(*t->rec) * (t->nrec + 1));
			t->rec[t->nrec++] = j;
		} else {
			mmt_json_free(j);
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* Run the CLI with @argv (NULL-terminated, after "faults"), parse all. */
static int run_trace(struct trace *t, const char *const *args)
{
	const char *argv[32] = { "faults", "--json" };
	int i = 2;

	memset(t, 0, sizeof(*t));
	for (; *args && i < 31; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	t->out = mmt_cli_runv(argv, &t->status, &t->err);
	if (!t->out)
		return -1;
	parse_trace(t);
	return 0;
}

static void trace_free(struct trace *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		mmt_json_free(t->ev[i]);
	free(t->ev);
	for (i = 0; i < t->nrec; i++)
		mmt_json_free(t->rec[i]);
	free(t->rec);
	mmt_json_free(t->doc);
	free(t->out);
	free(t->err);
}

/* Whether the array of strings @a holds @w. */
static bool has_word(const struct mmt_json *a, const char *w)
{
	int i;

	for (i = 0; a && a->type == MMT_JARR && i < a->n; i++)
		if (a->kids[i]->type == MMT_JSTR && !strcmp(a->kids[i]->str, w))
			return true;
	return false;
}

static bool has_result(const struct mmt_json *ev, const char *name)
{
	const struct mmt_json *r = mmt_jget(ev, "result");
	int i;

	for (i = 0; r && r->type == MMT_JARR && i < r->n; i++)
		if (!strcmp(mmt_jstr(r->kids[i]) ?: "", name))
			return true;
	return false;
}

static bool jbool(const struct mmt_json *v)
{
	return v && v->type == MMT_JBOOL && v->boolean;
}

static bool ev_in(const struct mmt_json *ev, unsigned long a, unsigned long b)
{
	unsigned long long addr = mmt_jhex(mmt_jget(ev, "addr"));

	return addr >= a && addr < b;
}

/* Start @argv in the background, its stdout on *@outfd (or NULL). */
static pid_t spawn(const char *const *argv, int *outfd)
{
	int out[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	if (outfd)
		*outfd = out[0];
	else
		close(out[0]);
	return pid;
}

/* The CLI with @args after "faults --json", its stdout into @path. */
static pid_t spawn_cli_to(const char *const *args, const char *path)
{
	const char *argv[32] = { mmt_cli(), "faults", "--json" };
	int i = 3, fd;
	pid_t pid;

	for (; *args && i < 31; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd);
	return pid;
}

/* The first child of @ppid whose comm is @comm (from /proc/N/stat), or 0. */
static pid_t child_named(pid_t ppid, const char *comm)
{
	char path[300], *buf, *rp, name[32];
	struct dirent *d;
	pid_t found = 0;
	DIR *dir = opendir("/proc");
	int pp;

	while (dir && !found && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		buf = mmt_read_file(path, NULL);
		rp = buf ? strrchr(buf, ')') : NULL;
		if (rp && sscanf(rp + 2, "%*c %d", &pp) == 1 && pp == ppid &&
		    sscanf(strchr(buf, '(') + 1, "%31[^)]", name) == 1 &&
		    !strcmp(name, comm))
			found = atoi(d->d_name);
		free(buf);
	}
	if (dir)
		closedir(dir);
	return found;
}

/* Wait up to @ms for @pid to exit; its status, or -1 if it did not. */
static int wait_ms(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i <= ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) :
			       128 + WTERMSIG(st);
		usleep(10000);
	}
	return -1;
}

/*
 * Loaded BPF programs named like mmscope's (the kernel's list, through
 * BPF_PROG_GET_NEXT_ID): a program stays loaded while a link holds it.
 */
static int mmscope_progs_loaded(void)
{
	static const char *const names[] = {
		"fentry_fault", "fexit_fault", "fentry_fault_ld",
		"fexit_fault_ld", "kprobe_fault", "kretprobe_fault",
		"kprobe_fault_ld", "kret_fault_ld",
		"follow_exec", "follow_fork", "follow_exit",
	};
	union bpf_attr a;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		struct bpf_prog_info info;
		unsigned int i;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (!syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				n += !strcmp(info.name, names[i]);
		close(fd);
	}
	return n;
}

/*
 * mmscope's programs still loaded after waiting up to @ms for them to go:
 * the kernel frees a program after its last link and file, deferred
 * through RCU and a workqueue.
 */
static int mmscope_progs_gone(int ms)
{
	int progs = mmscope_progs_loaded();

	for (; progs && ms > 0; ms -= 10) {
		usleep(10000);
		progs = mmscope_progs_loaded();
	}
	return progs;
}

/*
 * mmscope's fault probes attached right now: the kernel's list of BPF links
 * (BPF_LINK_GET_NEXT_ID), counting those whose program is mmscope's entry
 * or exit probe on handle_mm_fault().  A link is found by id only between
 * the end of its attach (bpf_link_settle()) and the drop of its last
 * reference, after which it is detached: so a count of 2 seen at time t
 * means both probes were attached from before t until t.  The fd taken
 * here holds the link for a moment: it delays a detach, never hides one.
 */
static int fault_links_attached(void)
{
	static const char *const names[] = {
		"fentry_fault", "fexit_fault", "fentry_fault_ld",
		"fexit_fault_ld", "kprobe_fault", "kretprobe_fault",
		"kprobe_fault_ld", "kret_fault_ld",
	};
	union bpf_attr a;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		struct bpf_link_info li;
		struct bpf_prog_info pi;
		unsigned int i;
		int lfd, pfd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(SYS_bpf, BPF_LINK_GET_NEXT_ID, &a, sizeof(a)))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.link_id = id;
		lfd = syscall(SYS_bpf, BPF_LINK_GET_FD_BY_ID, &a, sizeof(a));
		if (lfd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = lfd;
		a.info.info_len = sizeof(li);
		a.info.info = (__u64)(unsigned long)&li;
		if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a))) {
			close(lfd);
			continue;
		}
		memset(&a, 0, sizeof(a));
		a.prog_id = li.prog_id;
		pfd = syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
		if (pfd >= 0) {
			memset(&pi, 0, sizeof(pi));
			memset(&a, 0, sizeof(a));
			a.info.bpf_fd = pfd;
			a.info.info_len = sizeof(pi);
			a.info.info = (__u64)(unsigned long)&pi;
			if (!syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
				for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
					n += !strcmp(pi.name, names[i]);
			close(pfd);
		}
		close(lfd);
	}
	return n;
}

/*
 * kprobes on handle_mm_fault in the kernel's list (debugfs), -1: the list
 * cannot be read (the callers assert >= 0 first: no list proves nothing).
 */
static int kprobes_on_fault(void)
{
	char *buf = mmt_read_file("/sys/kernel/debug/kprobes/list", NULL), *p;
	int n = 0;

	if (!buf)
		return -1;
	for (p = buf; (p = strstr(p, "handle_mm_fault")); p++)
		n++;
	free(buf);
	return n;
}

/*
 * Which calls /proc/vmstat pgfault counts, from the kernel release: every
 * handle_mm_fault() call before 6.5 (counted at its top), the ones without
 * VM_FAULT_RETRY since (commit 53156443a303 moved it to mm_account_fault()).
 */
static bool pgfault_counts_retries(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	uname(&u);
	sscanf(u.release, "%u.%u", &major, &minor);
	return major < 6 || (major == 6 && minor < 5);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- tests ---------------------------------------------------------------- */

#define N_ANON 64

/*
 * The same test through each attach method (--kprobe forces the fallback)
 * and each way of reading the page table (MMSCOPE_BPF_WALK=helper forces
 * the helper calls where the loads would be inlined).
 */
FIXTURE(probe) {};
FIXTURE_VARIANT(probe) {
	const char *name;		/* the summary's "probe" */
	const char *opt;		/* CLI option selecting it, or NULL */
	bool helper;			/* MMSCOPE_BPF_WALK=helper */
};
FIXTURE_VARIANT_ADD(probe, fentry) { .name = "fentry" };
FIXTURE_VARIANT_ADD(probe, fentry_helper) { .name = "fentry", .helper = true };
FIXTURE_VARIANT_ADD(probe, kprobe) { .name = "kprobe", .opt = "--kprobe" };
FIXTURE_SETUP(probe) {}
FIXTURE_TEARDOWN(probe) {}

/*
 * N fresh pages written once: exactly N write faults, PFNs as pagemap says.
 * Both Debian kernels can attach fentry, so the fentry variant also checks
 * that no silent fallback to kprobes happened.
 */
TEST_F(probe, anon_write_pfn)
{
	unsigned long a = 0x310000000000UL, b = a + N_ANON * PG;
	char range[64], addr[32], n[16], out[] = "/tmp/mmscope-faults-XXXXXX";
	unsigned long long pfn[N_ANON];
	int seen[N_ANON] = { 0 }, i = 0, fd, faults = 0;
	const char *args[12];
	struct trace t;
	FILE *f;

	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, b);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(n, sizeof(n), "%d", N_ANON);
	args[i++] = "--range";
	args[i++] = range;
	if (variant->opt)
		args[i++] = variant->opt;
	args[i++] = "--";
	args[i++] = self_exe();
	args[i++] = "workload";
	args[i++] = "anon";
	args[i++] = addr;
	args[i++] = n;
	args[i++] = out;
	args[i] = NULL;
	if (variant->helper)
		setenv("MMSCOPE_BPF_WALK", "helper", 1);
	ASSERT_EQ(0, run_trace(&t, args));
	unsetenv("MMSCOPE_BPF_WALK");
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	/*
	 * The loads inlined exactly where they were not forced off and the
	 * kernel has the kfunc bpf_rdonly_cast (in /proc/kallsyms from 6.2
	 * on): else helper calls.
	 */
	EXPECT_STREQ(!variant->helper && mmt_ksym("bpf_rdonly_cast") ?
		     "inline" : "helper",
		     mmt_jstr(mmt_jget(t.sum, "walk")) ?: "");
	/*
	 * PREEMPT_RT (/sys/kernel/realtime): trampolines run preemptible and
	 * their per-CPU recursion guard refuses other tasks' faults, so the
	 * tracer must take kprobes there even when fentry could attach.
	 */
	ASSERT_STREQ(access("/sys/kernel/realtime", F_OK) == 0 ? "kprobe" :
		     variant->name, mmt_jstr(mmt_jget(t.sum, "probe")) ?: "");
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	f = fopen(out, "r");
	ASSERT_NE(NULL, f);
	for (i = 0; i < N_ANON; i++)
		ASSERT_EQ(1, fscanf(f, "%llu", &pfn[i]));
	fclose(f);
	unlink(out);

	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];
		unsigned long va = mmt_jhex(mmt_jget(ev, "addr"));
		int pg;

		ASSERT_TRUE(ev_in(ev, a, b));	/* the range filter */
		if (has_result(ev, "RETRY"))
			continue;
		pg = (va - a) / PG;
		if (pg < 0 || pg >= N_ANON)
			continue;
		faults++;
		seen[pg]++;
		/* Every field of the JSON line. */
		EXPECT_NE(0, mmt_jnum(mmt_jget(ev, "ts_ns")));
		EXPECT_NE(0, mmt_jnum(mmt_jget(ev, "latency_ns")));
		EXPECT_NE(0, mmt_jnum(mmt_jget(ev, "pid")));
		EXPECT_EQ(mmt_jnum(mmt_jget(ev, "pid")),
			  mmt_jnum(mmt_jget(ev, "tid")));
		EXPECT_STREQ("faults", mmt_jstr(mmt_jget(ev, "comm")) ?: "");
		EXPECT_NE(0, mmt_jhex(mmt_jget(ev, "ip")));
		EXPECT_LE(mmt_jhex(mmt_jget(mmt_jget(ev, "vma"), "start")),
			  a - PG);
		EXPECT_GE(mmt_jhex(mmt_jget(mmt_jget(ev, "vma"), "end")), b);
		ASSERT_NE(NULL, mmt_jget(mmt_jget(ev, "vma"), "name"));
		EXPECT_EQ(MMT_JNULL,
			  mmt_jget(mmt_jget(ev, "vma"), "name")->type);
		/* level: a name; vma.flags: smaps mnemonics, as in the vma view */
		EXPECT_STREQ("pte", mmt_jstr(mmt_jget(ev, "level")) ?: "");
		EXPECT_TRUE(has_word(mmt_jget(mmt_jget(ev, "vma"), "flags"), "wr"));
		EXPECT_TRUE(has_word(mmt_jget(mmt_jget(ev, "vma"), "flags"), "rd"));
		EXPECT_TRUE(jbool(mmt_jget(ev, "write")));
		EXPECT_TRUE(jbool(mmt_jget(ev, "user")));
		EXPECT_FALSE(jbool(mmt_jget(ev, "major")));
		EXPECT_NE(0, pfn[pg]);
		EXPECT_EQ(pfn[pg], mmt_jnum(mmt_jget(ev, "pfn")))
			TH_LOG("page %d: traced pfn %llu, pagemap %llu", pg,
			       mmt_jnum(mmt_jget(ev, "pfn")), pfn[pg]);
	}
	EXPECT_EQ(N_ANON, faults);
	for (i = 0; i < N_ANON; i++) {
		int times = seen[i];

		EXPECT_EQ(1, times) TH_LOG("page %d faulted %d times", i, times);
	}
	ksft_print_msg("%d faults, probe %s, walk %s\n", faults,
		       mmt_jstr(mmt_jget(t.sum, "probe")),
		       mmt_jstr(mmt_jget(t.sum, "walk")));
	trace_free(&t);
}

/* The child's first write to a page shared after fork maps a new PFN. */
TEST(cow_after_fork)
{
	unsigned long a = 0x320000000000UL, b = a + PG;
	char range[64], addr[32], out[] = "/tmp/mmscope-faults-XXXXXX", *buf;
	unsigned long long ppfn, cpfn;
	int fd, child, i, pwrite = 0, cwrite = 0;
	struct trace t;

	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, b);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	/* The command's tree: the forked child is followed. */
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--range", range, "--",
		  self_exe(), "workload", "cow", addr, out, NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	buf = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(3, sscanf(buf, "%llu %d %llu", &ppfn, &child, &cpfn));
	free(buf);
	ASSERT_NE(0, ppfn);
	ASSERT_NE(0, cpfn);
	ASSERT_NE(ppfn, cpfn);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));

	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];

		if (has_result(ev, "RETRY") || !jbool(mmt_jget(ev, "write")))
			continue;
		if ((int)mmt_jnum(mmt_jget(ev, "pid")) == child) {
			cwrite++;
			EXPECT_EQ(cpfn, mmt_jnum(mmt_jget(ev, "pfn")));
		} else {
			pwrite++;
			EXPECT_EQ(ppfn, mmt_jnum(mmt_jget(ev, "pfn")));
		}
	}
	EXPECT_EQ(1, pwrite);
	EXPECT_EQ(1, cwrite);
	trace_free(&t);
}

/*
 * A file of @n pages in a droppable directory, traced through the `file`
 * workload (drop caches, read it mapped at @a1, then again at @a2) with
 * the options @opt (NULL-terminated, at most 4).  Returns false (and sets
 * *skip) when there is no droppable directory.
 */
static bool file_trace(struct __test_metadata *_metadata, struct trace *t,
		       unsigned long a1, unsigned long a2, unsigned long n,
		       const char *const *opt, char *path, size_t len)
{
	char range[64], s1[32], s2[32], ns[16], page[PG];
	const char *dir = mmt_droppable_dir(), *args[16];
	int fd, i, k = 0;

	if (!dir)
		return false;
	snprintf(path, len, "%s/mmscope-faults-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	memset(page, 0x5a, sizeof(page));
	for (i = 0; i < (int)n; i++)
		if (write(fd, page, PG) != PG)
			break;
	close(fd);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a1, a2 + n * PG);
	snprintf(s1, sizeof(s1), "0x%lx", a1);
	snprintf(s2, sizeof(s2), "0x%lx", a2);
	snprintf(ns, sizeof(ns), "%lu", n);
	args[k++] = "--range";
	args[k++] = range;
	for (; opt && *opt; opt++)
		args[k++] = *opt;
	args[k++] = "--";
	args[k++] = self_exe();
	args[k++] = "workload";
	args[k++] = "file";
	args[k++] = path;
	args[k++] = s1;
	args[k++] = s2;
	args[k++] = ns;
	args[k] = NULL;
	EXPECT_EQ(0, run_trace(t, args));
	unlink(path);
	EXPECT_EQ(0, t->status) TH_LOG("%s", t->err);
	return true;
}

/* The VM's scratch disk is part of the image: without it the test fails. */
#define NO_SCRATCH "no writable block-backed filesystem (the rootfs is tmpfs/ramfs, whose pages drop_caches cannot drop): the VM gets one from scripts/guest/scratch.sh (see its boot message), elsewhere set MMSCOPE_SCRATCH"

/*
 * A file read after drop_caches is a major fault; read again, it is not.
 * The first access to the file's first page is MAJOR (it may also say
 * RETRY: the I/O was waited for without the lock), and the event names the
 * file.
 */
TEST(major_after_drop_caches)
{
	unsigned long a1 = 0x330000000000UL, a2 = 0x340000000000UL, n = 16;
	int i, first = -1, major2 = 0, ev2 = 0;
	char path[PATH_MAX];
	struct trace t;

	if (!file_trace(_metadata, &t, a1, a2, n, NULL, path, sizeof(path)))
		ASSERT_TRUE(0) TH_LOG(NO_SCRATCH);
	for (i = 0; i < t.n; i++) {
		const char *file = mmt_jstr(mmt_jget(mmt_jget(t.ev[i], "vma"),
						     "name"));

		if (ev_in(t.ev[i], a1, a1 + n * PG) || ev_in(t.ev[i], a2, a2 + n * PG))
			EXPECT_STREQ(base_name(path), file ?: "(null)");
		if (first < 0 && ev_in(t.ev[i], a1, a1 + PG))
			first = i;
		if (ev_in(t.ev[i], a2, a2 + n * PG)) {
			ev2++;
			major2 += has_result(t.ev[i], "MAJOR");
		}
	}
	ASSERT_LE(0, first) TH_LOG("no fault on the file's first page");
	EXPECT_TRUE(has_result(t.ev[first], "MAJOR"));
	EXPECT_TRUE(jbool(mmt_jget(t.ev[first], "major")));
	EXPECT_NE(0, mmt_jnum(mmt_jget(t.ev[first], "latency_ns")));
	EXPECT_GE(ev2, 1);
	EXPECT_EQ(0, major2);
	trace_free(&t);
}

/* --major: only major faults, and the first read's is among them. */
TEST(filter_major)
{
	unsigned long a1 = 0x370000000000UL, a2 = 0x380000000000UL, n = 16;
	char path[PATH_MAX];
	struct trace t;
	int i, first = 0;

	if (!file_trace(_metadata, &t, a1, a2, n,
			(const char *[]){ "--major", NULL }, path, sizeof(path)))
		ASSERT_TRUE(0) TH_LOG(NO_SCRATCH);
	ASSERT_GE(t.n, 1);
	for (i = 0; i < t.n; i++) {
		EXPECT_TRUE(has_result(t.ev[i], "MAJOR"));
		/*
		 * A file read after drop_caches returns RETRY|MAJOR, its retry
		 * only finds the page: the fault is the two calls, and it
		 * completed (the command ran to its end), so never RETRY.
		 */
		EXPECT_FALSE(has_result(t.ev[i], "RETRY"));
		EXPECT_STREQ(base_name(path),
			     mmt_jstr(mmt_jget(mmt_jget(t.ev[i], "vma"),
					       "name")) ?: "(null)");
		first += ev_in(t.ev[i], a1, a1 + PG);
	}
	EXPECT_GE(first, 1);
	trace_free(&t);
}

/* --min-lat USEC: every event took at least that; the disk reads do. */
TEST(filter_min_lat)
{
	unsigned long a1 = 0x390000000000UL, a2 = 0x3a0000000000UL, n = 16;
	char path[PATH_MAX];
	struct trace t;
	int i;

	if (!file_trace(_metadata, &t, a1, a2, n,
			(const char *[]){ "--min-lat", "20", NULL }, path,
			sizeof(path)))
		ASSERT_TRUE(0) TH_LOG(NO_SCRATCH);
	ASSERT_GE(t.n, 1);
	for (i = 0; i < t.n; i++)
		EXPECT_GE(mmt_jnum(mmt_jget(t.ev[i], "latency_ns")), 20000);
	trace_free(&t);
}

/*
 * The BPF programs' own cost (the floor of the tracer's overhead): with
 * the sysctl kernel.bpf_stats_enabled at 1 the summary's bpf_cost names
 * every loaded program with the runs and run time the kernel counted.
 * Every handle_mm_fault() call in the system runs both fault probes, so
 * each ran at least once per page of the workload's 64 fresh pages, and
 * took time; the exec tracepoint ran for the workload's exec.  With the
 * sysctl at 0 (the default) the kernel counts nothing and bpf_cost is null.
 */
#define STATS "/proc/sys/kernel/bpf_stats_enabled"

TEST(bpf_cost_when_stats_enabled)
{
	unsigned long a = 0x3c0000000000UL;
	char addr[32], *old;
	struct mmt_json *c;
	struct trace t;
	int i, on, faultprogs;

	old = mmt_read_file(STATS, NULL);
	ASSERT_NE(NULL, old) TH_LOG("no " STATS);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	for (on = 1; on >= 0; on--) {
		ASSERT_EQ(0, mmt_write_str(STATS, on ? "1" : "0"));
		ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--summary", "--",
			  self_exe(), "workload", "anon", addr, "64", "-", NULL }));
		mmt_write_str(STATS, old);
		ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
		c = mmt_jget(t.sum, "bpf_cost");
		ASSERT_NE(NULL, c) TH_LOG("the summary has no bpf_cost");
		if (!on) {
			EXPECT_EQ(MMT_JNULL, c->type);
			trace_free(&t);
			continue;
		}
		ASSERT_EQ(MMT_JARR, c->type);
		faultprogs = 0;
		for (i = 0; i < c->n; i++) {
			const char *name = mmt_jstr(mmt_jget(c->kids[i], "prog")) ?: "";
			unsigned long long runs = mmt_jnum(mmt_jget(c->kids[i], "runs"));

			if (strstr(name, "fault")) {
				faultprogs++;
				EXPECT_LE(64, runs) TH_LOG("%s: %llu runs", name, runs);
				EXPECT_LT(0, mmt_jnum(mmt_jget(c->kids[i], "run_time_ns")));
			} else if (strstr(name, "exec")) {
				EXPECT_LE(1, runs) TH_LOG("%s: %llu runs", name, runs);
			}
		}
		EXPECT_EQ(2, faultprogs);
		trace_free(&t);
	}
	free(old);
}

#define KPTR "/proc/sys/kernel/kptr_restrict"

/* The address /proc/kallsyms gives its first text symbol (0: hidden). */
static unsigned long long kallsyms_first_text(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	unsigned long long a = 0;
	char type, line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c", &a, &type) == 2 &&
		    (type == 'T' || type == 't'))
			break;
	if (f)
		fclose(f);
	return a;
}

/*
 * The page-table walk needs kernel addresses (the direct map's base): it
 * runs only where the caller may see them.  With kptr_restrict 2 not even
 * root may, and /proc/kallsyms says so (its first text symbol at 0); the
 * tracer then reports no PFN and no class, and says why ("pfn":
 * "unavailable").  With kptr_restrict 0, the kernel's addresses shown, the
 * same 64 fresh pages are 64 anon faults with PFNs.
 */
TEST(layout_hidden_means_no_walk)
{
	unsigned long a = 0x3c8000000000UL;
	char addr[32], *old;
	struct trace t;
	int hide, i, pfns;

	old = mmt_read_file(KPTR, NULL);
	ASSERT_NE(NULL, old) TH_LOG("no " KPTR);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	for (hide = 1; hide >= 0; hide--) {
		unsigned long long seen;

		ASSERT_EQ(0, mmt_write_str(KPTR, hide ? "2" : "0"));
		seen = kallsyms_first_text();
		ASSERT_EQ(0, run_trace(&t, (const char *[]){
			  "--range", "0x3c8000000000-0x3c8000040000", "--",
			  self_exe(), "workload", "anon", addr, "64", "-",
			  NULL }));
		mmt_write_str(KPTR, old);
		ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
		EXPECT_EQ(hide, !seen) TH_LOG("kallsyms' first text symbol at %#llx", seen);
		EXPECT_EQ(64, t.n);
		for (i = pfns = 0; i < t.n; i++)
			pfns += mmt_jget(t.ev[i], "pfn") &&
				mmt_jget(t.ev[i], "pfn")->type != MMT_JNULL;
		EXPECT_STREQ(hide ? "unavailable" : "shown",
			     mmt_jstr(mmt_jget(t.sum, "pfn")) ?: "");
		EXPECT_EQ(hide ? 0 : 64, pfns);
		EXPECT_EQ(hide ? 0 : 64,
			  mmt_jnum(mmt_jget(mmt_jget(t.sum, "classes"), "anon")));
		trace_free(&t);
	}
	free(old);
}

/*
 * --live off a terminal: tables one after the other, the last one at the
 * end of the trace.  With --range on the workload's 64 fresh pages, that
 * last table has one row, the workload's: 64 faults, all ANON, under
 * its name.
 */
TEST(live_table_counts_the_workload)
{
	unsigned long a = 0x3d0000000000UL;
	char range[64], addr[32];
	const char *argv[] = { "faults", "--live", "--range", range, "--",
			       self_exe(), "workload", "anon", addr, "64",
			       "-", NULL };
	char *out, *err = NULL, *last, *line, *nl;
	unsigned long long col[12];
	int status, rows = 0, n;
	char comm[32], pid[16];

	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + 64 * PG);
	out = mmt_cli_runv(argv, &status, &err);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, status) TH_LOG("%s", err ?: "");
	EXPECT_EQ(NULL, strchr(out, '\033')) TH_LOG("an escape sequence off a terminal");
	last = NULL;
	for (line = out; (line = strstr(line, "mmscope faults --live:")); line++)
		last = line;
	ASSERT_NE(NULL, last) TH_LOG("no table: %s", out);
	for (line = strchr(last, '\n'); line && *++line; line = nl) {
		nl = strchr(line, '\n');
		if (!strncmp(line, "    PID", 7) || !strncmp(line, "ANON ", 5))
			continue;
		n = sscanf(line, "%15s %31s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   pid, comm, &col[0], &col[1], &col[2], &col[3], &col[4],
			   &col[5], &col[6], &col[7], &col[8], &col[9]);
		if (n != 12)
			continue;
		rows++;
		EXPECT_STREQ("faults", comm);
		EXPECT_EQ(64, col[1]) TH_LOG("TOTAL");
		EXPECT_EQ(64, col[2]) TH_LOG("ANON");
		for (n = 3; n < 10; n++)
			EXPECT_EQ(0, col[n]) TH_LOG("column %d", n);
	}
	EXPECT_EQ(1, rows) TH_LOG("%s", last);
	free(out);
	free(err);
}

/*
 * --live on a terminal (a pseudo-terminal here): the screen is redrawn in
 * place, s changes the order, q ends the trace with status 0.
 */
TEST(live_keys_on_a_terminal)
{
	char buf[1 << 16], *slave, dur[16];
	size_t len = 0;
	int m, st, sorted = 0, i, scale;
	pid_t pid;

	scale = getenv("MMSCOPE_TIMEOUT_SCALE") ?
		atoi(getenv("MMSCOPE_TIMEOUT_SCALE")) : 1;
	if (scale < 1 || scale > 100)
		scale = 1;
	snprintf(dur, sizeof(dur), "%d", 20 * scale);
	buf[0] = '\0';
	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, grantpt(m));
	ASSERT_EQ(0, unlockpt(m));
	slave = ptsname(m);
	ASSERT_NE(NULL, slave);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int s;

		/*
		 * Its own session (the pty is its terminal), so the harness's
		 * kill of this test's process group would miss it: it dies
		 * with the test, and ends by itself within the test's
		 * timeout (30 s, scaled as the harness's on a debug kernel).
		 */
		setsid();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		s = open(slave, O_RDWR);
		if (s < 0)
			_exit(126);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execl(mmt_cli(), mmt_cli(), "faults", "--live", "-d", dur,
		      (char *)NULL);
		_exit(127);
	}
	/* Until it ends: q, or its own duration (a hang guard past it). */
	for (i = 0; i < (20 * scale + 10) * 10; i++) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) > 0) {
			n = read(m, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				break;
			len += n;
			buf[len] = '\0';
			if (len > sizeof(buf) / 2) {	/* keep the tail */
				memmove(buf, buf + len / 2, len - len / 2 + 1);
				len -= len / 2;
			}
		}
		if (!sorted && strstr(buf, "(s: sort, q: quit)")) {
			ASSERT_EQ(1, write(m, "s", 1));
			sorted = 1;
		} else if (sorted == 1 && strstr(buf, "sort: total faults")) {
			EXPECT_NE(NULL, strstr(buf, "\033[H\033[J"));
			ASSERT_EQ(1, write(m, "q", 1));
			sorted = 2;
		}
	}
	/* after q it detaches and exits; otherwise it is stopped here */
	if (sorted != 2)
		kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid)
		st = 0;
	close(m);
	EXPECT_EQ(2, sorted) TH_LOG("the keys were not taken: %.300s", buf);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* --range: exactly the faults in the range, none of its neighbours'. */
TEST(filter_range)
{
	unsigned long a = 0x3b0000000000UL, lo = a + 16 * PG, hi = a + 48 * PG;
	char range[64], addr[32];
	int seen[64] = { 0 }, i, n = 0;
	struct trace t;

	snprintf(range, sizeof(range), "0x%lx-0x%lx", lo, hi);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--range", range, "--",
		  self_exe(), "workload", "anon", addr, "64", "-", NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	for (i = 0; i < t.n; i++) {
		ASSERT_TRUE(ev_in(t.ev[i], lo, hi));
		if (has_result(t.ev[i], "RETRY"))
			continue;
		n++;
		seen[(mmt_jhex(mmt_jget(t.ev[i], "addr")) - a) / PG]++;
	}
	EXPECT_EQ(32, n);
	for (i = 16; i < 48; i++)
		EXPECT_EQ(1, seen[i]);
	trace_free(&t);
}

/* Which of the @n pages at @a are present in @pid's pagemap. */
static void present_pages(pid_t pid, unsigned long a, unsigned long n,
			  bool *present)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		uint64_t e = 0;

		present[i] = !mmt_pagemap(pid, a + i * PG, &e) &&
			     MMT_PM_PRESENT(e);
	}
}

/*
 * -p PID on a process already running: only its faults, not those of a
 * second process doing the same at the same addresses; each event's PFN
 * is what the process's pagemap shows.  Complete, too: every page that
 * became present in the process's pagemap between two reads made while
 * both fault probes were attached (the kernel's BPF link list) was
 * faulted in then, by one write fault that the trace must hold (each page
 * is written once, from the moment the tracer is attached).
 */
#define SLOW_PAGES	200

TEST(filter_pid_running)
{
	unsigned long a = 0x3c0000000000UL, n = SLOW_PAGES;
	char range[64], addr[32], ns[16], pid[16], buf[16];
	char out[] = "/tmp/mmscope-pid-XXXXXX";
	const char *wl[] = { self_exe(), "workload", "slow", addr, ns, NULL };
	static bool p2[SLOW_PAGES], p3[SLOW_PAGES], cand[SLOW_PAGES];
	int seen[SLOW_PAGES] = { 0 };
	int fd[2], i, mine = 0, window = 0, st;
	struct trace t = { 0 };
	pid_t w[2], cli;
	bool got3 = false;

	ASSERT_EQ(0, mmscope_progs_gone(3000));
	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(ns, sizeof(ns), "%lu", n);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + n * PG);
	i = mkstemp(out);
	ASSERT_GE(i, 0);
	close(i);
	for (i = 0; i < 2; i++) {
		w[i] = spawn(wl, &fd[i]);
		ASSERT_GT(w[i], 0);
		ASSERT_EQ(6, read(fd[i], buf, 6));	/* "ready\n" */
	}
	snprintf(pid, sizeof(pid), "%d", w[0]);
	cli = spawn_cli_to((const char *[]){ "-p", pid, "--range", range,
			   "--duration", "2", NULL }, out);
	ASSERT_GT(cli, 0);
	for (i = 0; i < 6000 && fault_links_attached() < 2; i++)
		usleep(10000);
	present_pages(w[0], a, n, p2);
	ASSERT_EQ(2, fault_links_attached()) TH_LOG("the tracer never attached");
	/* attached: both start writing their pages */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, kill(w[i], SIGUSR1));
	for (;;) {
		present_pages(w[0], a, n, cand);
		if (fault_links_attached() < 2)
			break;
		memcpy(p3, cand, sizeof(p3));
		got3 = true;
		usleep(20000);
	}
	ASSERT_EQ(cli, waitpid(cli, &st, 0));
	t.out = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, t.out);
	parse_trace(&t);
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	ASSERT_TRUE(got3);
	for (i = 0; i < t.n; i++) {
		unsigned long va = mmt_jhex(mmt_jget(t.ev[i], "addr"));
		uint64_t e0 = 0, e1 = 0;

		EXPECT_EQ(w[0], (pid_t)mmt_jnum(mmt_jget(t.ev[i], "pid")));
		if (has_result(t.ev[i], "RETRY"))
			continue;
		mine++;
		if (va >= a && va < a + n * PG)
			seen[(va - a) / PG]++;
		mmt_pagemap(w[0], va, &e0);
		mmt_pagemap(w[1], va, &e1);
		EXPECT_TRUE(MMT_PM_PRESENT(e0));
		EXPECT_EQ(MMT_PM_PFN(e0), mmt_jnum(mmt_jget(t.ev[i], "pfn")));
		EXPECT_NE(MMT_PM_PFN(e1), mmt_jnum(mmt_jget(t.ev[i], "pfn")));
	}
	for (i = 0; i < (int)n; i++) {
		if (!p2[i] && p3[i]) {
			window++;
			EXPECT_EQ(1, seen[i]) TH_LOG("page %d faulted while attached, traced %d times",
						     i, seen[i]);
		}
	}
	for (i = 0; i < 2; i++) {
		kill(w[i], SIGKILL);
		waitpid(w[i], NULL, 0);
		close(fd[i]);
	}
	ksft_print_msg("%d faults of pid %d traced; %d pages faulted in while attached\n",
		       mine, w[0], window);
	/* Something happened in the window: the claim was tested. */
	EXPECT_GE(window, 1);
	EXPECT_GE(mine, window);
	trace_free(&t);
}

#define CGROUP2_MAGIC_ 0x63677270

/*
 * --cgroup DIR: the faults of tasks in DIR and in its descendants (the
 * workload moves itself into DIR/leaf), none when DIR is a sibling.
 */
TEST(filter_cgroup)
{
	static const char *const root = "/sys/fs/cgroup";
	unsigned long a = 0x3d0000000000UL;
	char range[64], addr[32], top[128], leaf[160], other[128];
	struct statfs sf;
	struct trace t;
	int i, n = 0;

	if (statfs(root, &sf) || sf.f_type != CGROUP2_MAGIC_) {
		if (mount("cgroup2", root, "cgroup2", 0, NULL))
			SKIP(return, "cgroup2 is not mounted at %s and cannot be mounted there: %s",
			     root, strerror(errno));
	}
	snprintf(top, sizeof(top), "%s/mmscope-faults-%d", root, getpid());
	snprintf(leaf, sizeof(leaf), "%s/leaf", top);
	snprintf(other, sizeof(other), "%s/mmscope-other-%d", root, getpid());
	ASSERT_EQ(0, mkdir(top, 0755));
	ASSERT_EQ(0, mkdir(leaf, 0755));
	ASSERT_EQ(0, mkdir(other, 0755));
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + 32 * PG);
	snprintf(addr, sizeof(addr), "0x%lx", a);

	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--cgroup", top,
		  "--range", range, "--", self_exe(), "workload", "incg", leaf,
		  addr, "32", NULL }));
	EXPECT_EQ(0, t.status) TH_LOG("%s", t.err);
	for (i = 0; i < t.n; i++)
		n += !has_result(t.ev[i], "RETRY");
	EXPECT_EQ(32, n);
	trace_free(&t);

	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--cgroup", other,
		  "--range", range, "--", self_exe(), "workload", "incg", leaf,
		  addr, "32", NULL }));
	EXPECT_EQ(0, t.status) TH_LOG("%s", t.err);
	EXPECT_EQ(0, t.n);
	EXPECT_NE(NULL, t.sum);
	trace_free(&t);
	EXPECT_EQ(0, rmdir(leaf));
	EXPECT_EQ(0, rmdir(top));
	EXPECT_EQ(0, rmdir(other));
}

/*
 * `-- CMD` traces the command's process tree from its exec on: every event
 * is the command's or its forked child's, none is mmscope's code from before
 * the exec, and the faults the kernel counted for the command (wait4's
 * rusage, children included, since the exec) are the traced ones that
 * completed without error.
 */
TEST(command_tree_from_exec)
{
	unsigned long a = 0x3e0000000000UL;
	char addr[32], out[] = "/tmp/mmscope-faults-XXXXXX", *buf;
	unsigned long long ppfn, cpfn, noerr = 0;
	int fd, grandchild, root, i, from_child = 0;
	struct mmt_json *child;
	struct trace t;

	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--", self_exe(),
		  "workload", "cow", addr, out, NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	buf = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(3, sscanf(buf, "%llu %d %llu", &ppfn, &grandchild, &cpfn));
	free(buf);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "missed")));
	child = mmt_jget(t.sum, "child");
	ASSERT_NE(NULL, child);
	root = mmt_jnum(mmt_jget(child, "pid"));
	for (i = 0; i < t.n; i++) {
		struct mmt_json *ev = t.ev[i];
		int pid = mmt_jnum(mmt_jget(ev, "pid"));
		const char *file = mmt_jstr(mmt_jget(mmt_jget(ev, "vma"), "name"));

		EXPECT_TRUE(pid == root || pid == grandchild) TH_LOG("pid %d", pid);
		from_child += pid == grandchild;
		EXPECT_STREQ("faults", mmt_jstr(mmt_jget(ev, "comm")) ?: "");
		EXPECT_STRNE("mmscope", file ?: "");
		if (!has_result(ev, "RETRY") && !has_result(ev, "SIGSEGV") &&
		    !has_result(ev, "SIGBUS") && !has_result(ev, "OOM") &&
		    !has_result(ev, "HWPOISON") &&
		    !has_result(ev, "HWPOISON_LARGE") &&
		    !has_result(ev, "FALLBACK"))
			noerr++;
	}
	EXPECT_GE(from_child, 1);
	EXPECT_EQ(noerr, mmt_jnum(mmt_jget(child, "minflt")) +
			 mmt_jnum(mmt_jget(child, "majflt")));
	ksft_print_msg("%d events (%d of the forked child), %llu completed; rusage since exec %llu+%llu\n",
		       t.n, from_child, noerr,
		       mmt_jnum(mmt_jget(child, "minflt")),
		       mmt_jnum(mmt_jget(child, "majflt")));
	trace_free(&t);
}

/*
 * /proc/vmstat pgfault against the trace of every task (no filter).  The
 * test reads pgfault itself: V1 before starting the tracer, V2 once both
 * fault probes are attached (the kernel's BPF link list), V3 the last read
 * made while both still were, V4 after the tracer exited.
 *
 * The counting rule, from the kernel's source: before 6.5,
 * handle_mm_fault() counts PGFAULT at its top, once per call; since 6.5
 * (commit 53156443a303, "mm: do page fault accounting in
 * handle_mm_fault"), mm_account_fault() counts it at the end, once per
 * call that did not return VM_FAULT_RETRY (errors count too).  Either way
 * the count happens between the entry and exit probes, so every counted
 * traced call lies in [V1, V4] and every call counted in [V2, V3] is
 * traced:  V3 - V2 <= traced <= V4 - V1.
 *
 * Between V2 and V3 the test writes PGFAULT_OWN fresh pages itself, each
 * a fault counted once (no THP, its VMA's anon_vma made first): so V3 - V2
 * is at least that.  A storm of faults in another process runs throughout.
 */
#define PGFAULT_OWN	256

TEST(pgfault_relation)
{
	const char *storm[] = { self_exe(), "workload", "storm", NULL };
	char out[] = "/tmp/mmscope-pgfault-XXXXXX";
	unsigned long long acc = 0, v[4], cand;
	bool all = pgfault_counts_retries();
	struct trace t = { 0 };
	pid_t pid, cli;
	int i, fd, st;
	char *own;

	ASSERT_EQ(0, mmscope_progs_gone(3000));
	fd = mkstemp(out);
	ASSERT_GE(fd, 0);
	close(fd);
	own = mmap(NULL, (PGFAULT_OWN + 1) * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, own);
	madvise(own, (PGFAULT_OWN + 1) * PG, MADV_NOHUGEPAGE);
	own[0] = 1;			/* the VMA's anon_vma: no retried fault */

	pid = spawn(storm, NULL);
	ASSERT_GT(pid, 0);
	v[0] = mmt_vmstat("pgfault");
	cli = spawn_cli_to((const char *[]){ "--duration", "3", NULL }, out);
	ASSERT_GT(cli, 0);
	/* Attached: both probes' links (up to 60 s: TCG, a debug kernel). */
	for (i = 0; i < 6000 && fault_links_attached() < 2; i++)
		usleep(10000);
	v[1] = mmt_vmstat("pgfault");
	ASSERT_EQ(2, fault_links_attached()) TH_LOG("the tracer never attached");
	for (i = 1; i <= PGFAULT_OWN; i++)
		own[i * PG] = 1;
	/* The last read that a later look still finds both probes attached. */
	v[2] = 0;
	for (;;) {
		cand = mmt_vmstat("pgfault");
		if (fault_links_attached() < 2)
			break;
		v[2] = cand;
		usleep(5000);
	}
	ASSERT_EQ(cli, waitpid(cli, &st, 0));
	v[3] = mmt_vmstat("pgfault");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(own, (PGFAULT_OWN + 1) * PG);
	t.out = mmt_read_file(out, NULL);
	unlink(out);
	ASSERT_NE(NULL, t.out);
	parse_trace(&t);
	ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	ASSERT_NE(NULL, t.sum);
	/*
	 * An event is a fault: its first call and "retries" more (each of
	 * those but the last returned RETRY); RETRY stays in its result only
	 * if none completed it.
	 */
	for (i = 0; i < t.n; i++)
		if (all)
			acc += 1 + mmt_jnum(mmt_jget(t.ev[i], "retries"));
		else if (!has_result(t.ev[i], "RETRY"))
			acc++;
	ksft_print_msg("pgfault counts %s: V3-V2 %llu <= traced %llu <= V4-V1 %llu (%d events, %llu lost, %llu missed)\n",
		       all ? "every call" : "calls without RETRY", v[2] - v[1],
		       acc, v[3] - v[0], t.n,
		       mmt_jnum(mmt_jget(t.sum, "lost")),
		       mmt_jnum(mmt_jget(t.sum, "missed")));
	ASSERT_TRUE(v[0] && v[0] <= v[1] && v[1] <= v[2] && v[2] <= v[3]);
	/* The test's own writes fell between V2 and V3. */
	EXPECT_GE(v[2] - v[1], PGFAULT_OWN);
	EXPECT_LE(acc, v[3] - v[0]);
	/* Only a complete trace is a lower bound. */
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "missed")));
	EXPECT_LE(v[2] - v[1], acc);
	trace_free(&t);
}

/*
 * --top 1 --by class --interval 1 on a command that writes PACED_PAGES
 * fresh pages 50 ms apart (at least 2 s: the 1 s interval ends once while
 * it runs, the last one at the end).  What mmscope aggregates adds up:
 * the intervals' faults and classes are the summary's, the top rows plus
 * "other" are the total, in both rankings, and the latencies agree.  The
 * kernel's view: the command's wait4() rusage (minflt + majflt since its
 * exec, read by mmscope from the kernel) equals the completed faults in
 * the intervals (neither error nor retry: mm_account_fault()), tolerance
 * 0; /proc/vmstat pgfault, read by the test around the run, counts every
 * task: at least as many.  The anon class holds at least the PACED_PAGES
 * writes; the count ranking's one row is the commonest class.
 */
#define PACED_PAGES	40

TEST(top_and_interval_add_up)
{
	unsigned long a = 0x3d0000000000UL;
	unsigned long long v0, v1, sumf = 0, suml = 0, done = 0, cls[16] = { 0 };
	unsigned long long events, minflt, majflt;
	static const char *const names[] = {
		"anon", "zero", "cow", "reuse", "file_minor", "file_major",
		"swap_minor", "swap_major", "numa", "uffd", "hugetlb", "error",
		"retry", "spurious",
	};
	int i, k, nint = 0, ntop = 0, top_row = 0;
	char addr[32], n[16];
	struct mmt_json *child;
	struct trace t;

	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(n, sizeof(n), "%d", PACED_PAGES);
	v0 = mmt_vmstat("pgfault");
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--top", "1", "--by",
		  "class", "--interval", "1", "--", self_exe(), "workload",
		  "paced", addr, n, "50", NULL }));
	v1 = mmt_vmstat("pgfault");
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "lost")));
	ASSERT_EQ(0, mmt_jnum(mmt_jget(t.sum, "missed")));
	EXPECT_EQ(0, t.n);		/* no event lines */
	events = mmt_jnum(mmt_jget(t.sum, "events"));
	child = mmt_jget(t.sum, "child");
	ASSERT_NE(NULL, child);
	minflt = mmt_jnum(mmt_jget(child, "minflt"));
	majflt = mmt_jnum(mmt_jget(child, "majflt"));

	for (i = 0; i < t.nrec; i++) {
		struct mmt_json *r = t.rec[i], *c = mmt_jget(r, "classes");
		const char *type = mmt_jstr(mmt_jget(r, "type")) ?: "";

		if (!strcmp(type, "interval")) {
			EXPECT_EQ(nint, mmt_jnum(mmt_jget(r, "seq")));
			nint++;
			sumf += mmt_jnum(mmt_jget(r, "faults"));
			suml += mmt_jnum(mmt_jget(r, "latency_ns"));
			for (k = 0; k < 14; k++)
				cls[k] += mmt_jnum(mmt_jget(c, names[k]));
			done += mmt_jnum(mmt_jget(r, "faults")) -
				mmt_jnum(mmt_jget(c, "error")) -
				mmt_jnum(mmt_jget(c, "retry")) -
				mmt_jnum(mmt_jget(r, "unclassified"));
		} else {
			struct mmt_json *rows = mmt_jget(r, "rows");
			unsigned long long rf = 0, rl = 0;

			ntop++;
			EXPECT_STREQ("class", mmt_jstr(mmt_jget(r, "by")) ?: "");
			ASSERT_TRUE(rows && rows->type == MMT_JARR);
			EXPECT_EQ(1, rows->n);
			for (k = 0; k < rows->n; k++) {
				rf += mmt_jnum(mmt_jget(rows->kids[k], "faults"));
				rl += mmt_jnum(mmt_jget(rows->kids[k], "latency_ns"));
				/* the count ranking's row: the commonest class */
				if (!strcmp(mmt_jstr(mmt_jget(r, "rank")) ?: "",
					    "count") && !k) {
					const char *key = mmt_jstr(mmt_jget(rows->kids[k], "key")) ?: "";
					struct mmt_json *sc = mmt_jget(t.sum, "classes");
					unsigned long long maxc = 0;
					int m;

					for (m = 0; m < 14; m++)
						if (mmt_jnum(mmt_jget(sc, names[m])) > maxc)
							maxc = mmt_jnum(mmt_jget(sc, names[m]));
					top_row = 1;
					EXPECT_EQ(maxc, mmt_jnum(mmt_jget(rows->kids[k], "faults")));
					EXPECT_EQ(mmt_jnum(mmt_jget(sc, key)),
						  mmt_jnum(mmt_jget(rows->kids[k], "faults")))
						TH_LOG("top class %s", key);
				}
			}
			/* more than one class: "other" is not empty */
			EXPECT_LT(0, mmt_jnum(mmt_jget(mmt_jget(r, "other"), "faults")));
			EXPECT_EQ(events, rf + mmt_jnum(mmt_jget(mmt_jget(r, "other"),
								 "faults")));
			EXPECT_EQ(events, mmt_jnum(mmt_jget(mmt_jget(r, "total"),
							    "faults")));
			rl += mmt_jnum(mmt_jget(mmt_jget(r, "other"), "latency_ns"));
			EXPECT_EQ(rl, mmt_jnum(mmt_jget(mmt_jget(r, "total"),
							"latency_ns")));
		}
	}
	EXPECT_GE(nint, 2);
	EXPECT_EQ(2, ntop);
	EXPECT_TRUE(top_row);
	EXPECT_EQ(events, sumf);
	for (k = 0; k < 14; k++)
		EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(t.sum, "classes"), names[k])),
			  cls[k]) TH_LOG("class %s", names[k] ?: "?");
	EXPECT_GE(cls[0], PACED_PAGES);
	EXPECT_EQ(minflt + majflt, done)
		TH_LOG("rusage %llu+%llu, completed in the intervals %llu",
		       minflt, majflt, done);
	EXPECT_GE(v1 - v0, done);
	for (i = 0; i < t.nrec; i++)
		if (!strcmp(mmt_jstr(mmt_jget(t.rec[i], "type")) ?: "", "top"))
			EXPECT_EQ(suml, mmt_jnum(mmt_jget(mmt_jget(t.rec[i], "total"),
							  "latency_ns")));
	ksft_print_msg("%d intervals, %llu faults (%llu completed), rusage %llu+%llu, pgfault +%llu\n",
		       nint, events, done, minflt, majflt, v1 - v0);
	trace_free(&t);

	/*
	 * An interval longer than the trace: only the last, partial one,
	 * printed at the end, and it holds every fault and the command's
	 * rusage (whether the first run's last interval held any depends on
	 * where its periods fell).
	 */
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--interval", "3600",
		  "--", self_exe(), "workload", "paced", addr, n, "0", NULL }));
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	ASSERT_EQ(1, t.nrec) TH_LOG("one interval record");
	EXPECT_STREQ("interval", mmt_jstr(mmt_jget(t.rec[0], "type")) ?: "");
	EXPECT_EQ(mmt_jnum(mmt_jget(t.sum, "events")),
		  mmt_jnum(mmt_jget(t.rec[0], "faults")));
	EXPECT_LE(PACED_PAGES, mmt_jnum(mmt_jget(t.rec[0], "faults")));
	trace_free(&t);
}

/*
 * --duration ends a trace of a command that runs longer: the command is
 * ended by SIGTERM (its status says so; sleep 30 would otherwise exit 0),
 * which is the claim.  No clock is asserted: a hang is the runner's
 * timeout.
 */
TEST(duration_ends_command)
{
	struct mmt_json *child;
	struct trace t;

	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--summary", "--duration",
		  "1", "--", "sleep", "30", NULL }));
	/* The command's status: ended by SIGTERM. */
	EXPECT_EQ(128 + SIGTERM, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	child = mmt_jget(t.sum, "child");
	ASSERT_NE(NULL, child);
	EXPECT_EQ(128 + SIGTERM, (int)mmt_jnum(mmt_jget(child, "status")));
	trace_free(&t);
}

/*
 * faults -- CMD exits with CMD's status; a CMD that cannot be run is
 * mmscope's failure (1), said in one line; a --duration too large for the
 * clock does not end the trace at once: CMD runs to its end, each of its
 * faults traced.
 */
TEST(exit_status_is_the_commands)
{
	unsigned long a = 0x3a0000000000UL, n = 64, i, seen = 0;
	char addr[32], ns[16], range[64];
	struct mmt_json *child;
	struct trace t;

	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--summary", "--",
		  "sh", "-c", "exit 3", NULL }));
	EXPECT_EQ(3, t.status) TH_LOG("%s", t.err);
	trace_free(&t);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--summary", "--",
		  "sh", "-c", "kill -KILL $$", NULL }));
	EXPECT_EQ(128 + SIGKILL, t.status) TH_LOG("%s", t.err);
	trace_free(&t);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--summary", "--",
		  "/no/such/command", NULL }));
	EXPECT_EQ(1, t.status);
	EXPECT_NE(NULL, strstr(t.err ?: "", "cannot run '/no/such/command'"))
		TH_LOG("%s", t.err);
	for (i = 0; t.err && t.err[i]; i++)
		seen += t.err[i] == '\n';
	EXPECT_EQ(1, seen) TH_LOG("%s", t.err);	/* one line */
	seen = 0;
	trace_free(&t);

	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(ns, sizeof(ns), "%lu", n);
	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + n * PG);
	ASSERT_EQ(0, run_trace(&t, (const char *[]){ "--duration",
		  "18446744073709551615", "--range", range, "--", self_exe(),
		  "workload", "anon", addr, ns, "-", NULL }));
	EXPECT_EQ(0, t.status) TH_LOG("%s", t.err);
	ASSERT_NE(NULL, t.sum);
	child = mmt_jget(t.sum, "child");
	ASSERT_NE(NULL, child);
	EXPECT_EQ(0, (int)mmt_jnum(mmt_jget(child, "status")));
	for (i = 0; i < (unsigned long)t.n; i++)
		seen += ev_in(t.ev[i], a, a + n * PG) &&
			!has_result(t.ev[i], "RETRY");
	EXPECT_EQ(n, seen);
	trace_free(&t);
}

/*
 * SIGINT or SIGTERM mid-trace: the summary is printed, the command ended
 * and reaped, and nothing stays attached: no mmscope program is loaded any
 * more (the kernel's program list) and, with kprobes, no kprobe remains on
 * handle_mm_fault (debugfs kprobes/list).  A new session then attaches.
 */
FIXTURE(stop) {};
FIXTURE_VARIANT(stop) {
	int sig;
	const char *opt;
};
FIXTURE_VARIANT_ADD(stop, sigint_fentry) { .sig = SIGINT, .opt = "--json" };
FIXTURE_VARIANT_ADD(stop, sigterm_kprobe) { .sig = SIGTERM, .opt = "--kprobe" };
FIXTURE_SETUP(stop) {}
FIXTURE_TEARDOWN(stop) {}

TEST_F(stop, signal_mid_trace)
{
	const char *argv[] = { mmt_cli(), "faults", "--json", "--summary",
			       variant->opt, "--", "sleep", "30", NULL };
	pid_t cli, sleeper = 0;
	char out[8192];
	int fd, i, st;
	ssize_t len = 0, r;

	/* The previous test's programs go once RCU lets them. */
	ASSERT_EQ(0, mmscope_progs_gone(3000));
	cli = spawn(argv, &fd);
	ASSERT_GT(cli, 0);
	/* Released (so attached) once the child is "sleep". */
	for (i = 0; i < 3000 && !sleeper; i++) {
		sleeper = child_named(cli, "sleep");
		if (!sleeper)
			usleep(10000);
	}
	ASSERT_NE(0, sleeper);
	EXPECT_GE(mmscope_progs_loaded(), 2);
	if (variant->opt && !strcmp(variant->opt, "--kprobe"))
		EXPECT_GT(kprobes_on_fault(), 0);
	kill(cli, variant->sig);
	st = wait_ms(cli, 10000);
	if (st < 0) {
		kill(cli, SIGKILL);
		waitpid(cli, NULL, 0);
	}
	/* The command's status: mmscope ended it with SIGTERM. */
	EXPECT_EQ(128 + SIGTERM, st);
	while (len < (ssize_t)sizeof(out) - 1 &&
	       (r = read(fd, out + len, sizeof(out) - 1 - len)) > 0)
		len += r;
	out[len] = '\0';
	close(fd);
	EXPECT_NE(NULL, strstr(out, "{\"type\":\"summary\",\"summary\":{")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"child\":")) TH_LOG("%s", out);
	EXPECT_EQ(-1, kill(sleeper, 0));
	/* Links are released when the last file goes: give RCU a moment. */
	EXPECT_EQ(0, mmscope_progs_gone(3000));
	EXPECT_EQ(0, kprobes_on_fault());
}

/* A one-page ring buffer under a storm: received + lost == faults. */
TEST(ringbuf_drops_exact)
{
	unsigned long a = 0x360000000000UL, n = 20000;
	char range[64], addr[32], ns[16];
	unsigned long long got, lost;
	cpu_set_t one, all;
	struct trace t;
	int err;

	snprintf(range, sizeof(range), "0x%lx-0x%lx", a, a + n * PG);
	snprintf(addr, sizeof(addr), "0x%lx", a);
	snprintf(ns, sizeof(ns), "%lu", n);
	/*
	 * Drops must happen, whatever the machine: the tracer and the storm
	 * share one CPU, the storm at nice -20 and the consumer at nice 19.
	 */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 19));
	setenv("MMSCOPE_WL_NICE", "-20", 1);
	err = run_trace(&t, (const char *[]){ "--range", range,
			"--ringbuf-size", "4096", "--summary", "--",
			self_exe(), "workload", "anon", addr, ns, "-", NULL });
	unsetenv("MMSCOPE_WL_NICE");
	setpriority(PRIO_PROCESS, 0, 0);
	sched_setaffinity(0, sizeof(all), &all);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, t.status) TH_LOG("%s", t.err);
	got = mmt_jnum(mmt_jget(t.sum, "events"));
	lost = mmt_jnum(mmt_jget(t.sum, "lost"));
	ksft_print_msg("%llu received, %llu lost, %lu faults\n", got, lost, n);
	EXPECT_GT(lost, 0);
	EXPECT_EQ(n, got + lost);
	trace_free(&t);
}

/* Bad arguments are refused before anything is loaded. */
TEST(bad_arguments)
{
	static const char *const bad[][3] = {
		{ "--range", "0x2000-0x1000", NULL },
		{ "--ringbuf-size", "5000", NULL },
		{ "-c", "a-name-longer-than-15", NULL },
		{ "--min-lat", "x", NULL },
		{ "stray", NULL, NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trace t;

		ASSERT_EQ(0, run_trace(&t, bad[i]));
		EXPECT_EQ(2, t.status) TH_LOG("%s %s", bad[i][0], bad[i][1]);
		trace_free(&t);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "workload"))
		return workload(argc, argv);
	return test_harness_run(argc, argv);
}
