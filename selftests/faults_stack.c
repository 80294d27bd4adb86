// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults --stack / --kstack: the frames of known faults.
 *
 * `mmscope faults --json --stack --kstack -- workload --touch N --stdin`:
 * the workload (selftests/workload.c, built static and dynamic with frame
 * pointers) writes to N new pages in touch_pages(), called by
 * touch_caller(), prints where and which lines of workload.c touch_pages()
 * spans, then waits for the end of its stdin, so that it is alive while
 * mmscope symbolizes its events and while this test reads its
 * /proc/PID/maps.  The oracles are the workload binary's own ELF symbol
 * table (read here, <elf.h>), its load address from /proc/PID/maps, the
 * workload's __LINE__ values and /proc/kallsyms: never mmscope's output.
 *
 * For each of the N faults in the pages: the record's ip (the faulting
 * instruction) lies in touch_pages(); frame 0 is that ip, named
 * touch_pages at offset ip - its start, in workload.c at a line of
 * touch_pages(), module the workload's path; frame 1 is a return address
 * in touch_caller() (ip - 1 inside it), named so.  As root, the kernel
 * frames include do_user_addr_fault() or exc_page_fault() (the callers of
 * handle_mm_fault()) among the innermost 8 by /proc/kallsyms ranges, and
 * every named kernel frame carries the name kallsyms gives its address.
 * Without CAP_SYS_ADMIN no kernel address appears at all.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "kselftest_harness.h"
#include "lib/mmtest.h"

#define PG		4096UL
#define TOUCH_PAGES	32
/* The kernel frames searched for the fault's callers (see below). */
#define KFRAMES		8
/* x86-64: user addresses are below 2^56 with 5-level paging, kernel ones at or above 0xff00... */
#define USER_TOP	(1ULL << 56)

/* ---- the binary's own symbol table --------------------------------------- */

struct elfsym {
	unsigned long long lo, hi;	/* [lo, hi), the file's addresses */
};

/*
 * Function @name of ELF file @buf: its [st_value, st_value + st_size) from
 * .symtab; *@type the ELF type (ET_EXEC, ET_DYN).  0 when found.
 */
static int elf_func(const char *buf, size_t len, const char *name,
		    struct elfsym *s, int *type)
{
	const Elf64_Ehdr *eh = (const void *)buf;
	const Elf64_Shdr *sh;
	int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > len)
		return -1;
	*type = eh->e_type;
	sh = (const void *)(buf + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *str;
		size_t j, n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		sym = (const void *)(buf + sh[i].sh_offset);
		str = buf + sh[sh[i].sh_link].sh_offset;
		n = sh[i].sh_size / sizeof(*sym);
		for (j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC ||
			    strcmp(str + sym[j].st_name, name))
				continue;
			s->lo = sym[j].st_value;
			s->hi = sym[j].st_value + sym[j].st_size;
			return 0;
		}
	}
	return -1;
}

/* The first PT_LOAD's page-aligned address (0 for a PIE). */
static unsigned long long elf_first_load(const char *buf)
{
	const Elf64_Ehdr *eh = (const void *)buf;
	const Elf64_Phdr *ph = (const void *)(buf + eh->e_phoff);
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			return ph[i].p_vaddr & ~(PG - 1);
	return 0;
}

/* ---- /proc/kallsyms -------------------------------------------------------- */

struct ksym {
	unsigned long long addr;
	char name[128];
};

struct kallsyms {
	struct ksym *s;
	int n;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Text symbols, sorted by address (the kernel's own list). */
static void kallsyms_read(struct kallsyms *k)
{
	char line[512], name[128], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "re");
	int cap = 0;

	memset(k, 0, sizeof(*k));
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3 ||
		    !addr || (type != 't' && type != 'T'))
			continue;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 65536;
			k->s = realloc(k->s, cap * sizeof(*k->s));
			if (!k->s)
				break;
		}
		k->s[k->n].addr = addr;
		snprintf(k->s[k->n].name, sizeof(k->s[k->n].name), "%s", name);
		k->n++;
	}
	if (f)
		fclose(f);
	if (k->s)
		qsort(k->s, k->n, sizeof(*k->s), ksym_cmp);
}

/* Index of the last symbol at or below @ip, -1 if none. */
static int ksym_at(const struct kallsyms *k, unsigned long long ip)
{
	int lo = 0, hi = k->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (k->s[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* Whether a symbol at the address of k->s[i] is named @name (aliases). */
static bool ksym_named(const struct kallsyms *k, int i, const char *name)
{
	int j;

	for (j = i; j >= 0 && k->s[j].addr == k->s[i].addr; j--)
		if (!strcmp(k->s[j].name, name))
			return true;
	for (j = i + 1; j < k->n && k->s[j].addr == k->s[i].addr; j++)
		if (!strcmp(k->s[j].name, name))
			return true;
	return false;
}

/* Whether @ip lies in function @name: [its address, the next symbol's). */
static bool in_kfunc(const struct kallsyms *k, unsigned long long ip,
		     const char *name)
{
	int i = ksym_at(k, ip);

	return i >= 0 && ksym_named(k, i, name);
}

/* ---- one traced run ---------------------------------------------------- */

struct run {
	char *out;			/* mmscope's stdout (and the workload's) */
	size_t len;
	int status;
	pid_t wpid;			/* the workload, from its "pid N" line */
	unsigned long long addr;	/* its pages, from its "touch" line */
	unsigned long n;
	int first, last;		/* the lines of touch_pages() */
	char *maps;			/* its /proc/PID/maps while it waited */
	struct kallsyms k;		/* /proc/kallsyms then (mmscope's BPF
					 * programs are listed while loaded) */
	int events;			/* events in its pages seen while it waited */
	int intervals;			/* interval records after its "touch" line */
};

static const char *self_dir(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	path[n > 0 ? n : 0] = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	return path;
}

/*
 * Scan @r->out, complete lines only: the workload's lines, and the events
 * in its pages (counted from the start each time: the workload's lines and
 * mmscope's share the pipe in no set order).
 */
static void scan_lines(struct run *r)
{
	char *line, *nl;
	bool touched = false;

	r->events = 0;
	r->intervals = 0;
	for (line = r->out; (nl = memchr(line, '\n', r->out + r->len - line));
	     line = nl + 1) {
		unsigned long long a;
		unsigned long n;
		int f, l, pid;

		*nl = '\0';
		if (touched && strstr(line, "\"type\":\"interval\""))
			r->intervals++;
		if (sscanf(line, "touch %llx %lu %d %d", &a, &n, &f, &l) == 4) {
			touched = true;
			r->addr = a;
			r->n = n;
			r->first = f;
			r->last = l;
		} else if (sscanf(line, "pid %d", &pid) == 1) {
			r->wpid = pid;
		}
		*nl = '\n';
	}
	for (line = r->out; r->n && (nl = memchr(line, '\n', r->out + r->len - line));
	     line = nl + 1) {
		struct mmt_json *j;
		unsigned long long ea;

		if (line[0] != '{')
			continue;
		*nl = '\0';
		j = mmt_json_parse(line);
		ea = mmt_jhex(mmt_jget(j, "addr"));
		if (ea >= r->addr && ea < r->addr + r->n * PG)
			r->events++;
		mmt_json_free(j);
		*nl = '\n';
	}
}

/*
 * Run `mmscope faults --json @opts... -- @wl --touch N --stdin`; once the
 * workload has reported and its N events are out (or two --interval
 * records followed its report), read its maps and end its stdin; then
 * read to the end.  @no_admin: without CAP_SYS_ADMIN
 * (dropped from the bounding set, so the exec'd CLI lacks it).
 */
static int run_stack(struct run *r, const char *wl, const char *const *opts,
		     bool no_admin)
{
	const char *argv[24] = { mmt_cli(), "faults", "--json" };
	char npages[16], path[64];
	int in[2], out[2], i = 3, st;
	size_t cap = 1 << 16;
	bool ended = false;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	for (; *opts && i < 16; opts++)
		argv[i++] = *opts;
	snprintf(npages, sizeof(npages), "%d", TOUCH_PAGES);
	argv[i++] = "--";
	argv[i++] = wl;
	argv[i++] = "--touch";
	argv[i++] = npages;
	argv[i++] = "--stdin";
	argv[i] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (no_admin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
			_exit(126);
		dup2(in[0], 0);
		dup2(out[1], 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	r->out = malloc(cap);
	for (;;) {
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		ssize_t n;

		/* A hang guard, not a timing: 20 min under TCG. */
		if (poll(&p, 1, 1200 * 1000) <= 0)
			break;
		if (r->len + 4096 + 1 > cap) {
			cap *= 2;
			r->out = realloc(r->out, cap);
		}
		n = read(out[0], r->out + r->len, cap - r->len - 1);
		if (n <= 0)
			break;
		r->len += n;
		r->out[r->len] = '\0';
		scan_lines(r);
		/*
		 * Its faults are read: their events came, or (no event
		 * lines: --interval) two interval records were printed
		 * after its "touch" line, each after a ring-buffer read.
		 */
		if (!ended && r->wpid && r->n &&
		    (r->events >= (int)r->n || r->intervals >= 2)) {
			snprintf(path, sizeof(path), "/proc/%d/maps", r->wpid);
			r->maps = mmt_read_file(path, NULL);
			kallsyms_read(&r->k);
			close(in[1]);
			ended = true;
		}
	}
	if (!ended)
		close(in[1]);
	close(out[0]);
	if (!ended)
		kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return ended ? 0 : -1;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->maps);
	free(r->k.s);
}

/* Where @path's first page is mapped in @maps (the load address), or 0. */
static unsigned long long map_start(const char *maps, const char *path)
{
	const char *line = maps;

	while (line && *line) {
		unsigned long long start, off;
		char name[PATH_MAX];

		name[0] = '\0';
		if (sscanf(line, "%llx-%*x %*s %llx %*s %*s %4095s", &start, &off,
			   name) == 3 && off == 0 && !strcmp(name, path))
			return start;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return 0;
}

static const char *basename_of(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/* The event records of @r's output in its pages, parsed (NULL-ended). */
static struct mmt_json **events_in(struct run *r, int *n)
{
	struct mmt_json **ev = calloc(r->len / 16 + 2, sizeof(*ev));
	char *line = r->out, *nl;

	*n = 0;
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		struct mmt_json *j;
		unsigned long long a;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		j = line[0] == '{' ? mmt_json_parse(line) : NULL;
		a = mmt_jhex(mmt_jget(j, "addr"));
		if (j && mmt_jget(j, "addr") && a >= r->addr &&
		    a < r->addr + r->n * PG)
			ev[(*n)++] = j;
		else
			mmt_json_free(j);
		if (nl)
			*nl = '\n';
	}
	return ev;
}

/* The "summary" object of @r's last line, parsed (caller frees the doc). */
static struct mmt_json *summary_doc(struct run *r)
{
	char *last = NULL, *p;

	for (p = r->out; (p = strstr(p, "{\"type\":\"summary\"")); p++)
		last = p;
	return last ? mmt_json_parse(last) : NULL;
}

static void events_free(struct mmt_json **ev, int n)
{
	while (n--)
		mmt_json_free(ev[n]);
	free(ev);
}

/* ---- the cases ------------------------------------------------------------- */

FIXTURE(stack) {};
FIXTURE_VARIANT(stack) {
	const char *wl;
	const char *opt;
};
FIXTURE_VARIANT_ADD(stack, static_fentry) { .wl = "workload" };
FIXTURE_VARIANT_ADD(stack, dynamic_fentry) { .wl = "workload-dyn" };
FIXTURE_VARIANT_ADD(stack, static_kprobe) { .wl = "workload", .opt = "--kprobe" };
FIXTURE_SETUP(stack) {}
FIXTURE_TEARDOWN(stack) {}

TEST_F(stack, frames_of_known_faults)
{
	const char *opts[4] = { "--stack", "--kstack", variant->opt, NULL };
	char wl[PATH_MAX + 64], real[PATH_MAX];
	struct elfsym tp, tc;
	unsigned long long bias = 0;
	struct mmt_json **ev, *doc, *stacks;
	const struct kallsyms *k;
	int type, n, i, j, kfound = 0;
	size_t flen;
	char *file;
	struct run r;

	snprintf(wl, sizeof(wl), "%s/%s", self_dir(), variant->wl);
	ASSERT_NE(NULL, realpath(wl, real));
	file = mmt_read_file(real, &flen);
	ASSERT_NE(NULL, file);
	ASSERT_EQ(0, elf_func(file, flen, "touch_pages", &tp, &type));
	ASSERT_EQ(0, elf_func(file, flen, "touch_caller", &tc, &type));
	ASSERT_TRUE(type == ET_EXEC || type == ET_DYN);

	ASSERT_EQ(0, run_stack(&r, real, opts, false))
		TH_LOG("the workload's %d events did not come (%d seen)",
		       TOUCH_PAGES, r.events);
	ASSERT_EQ(0, r.status);
	ASSERT_NE(NULL, r.maps);
	/* A PIE (and a static PIE) is loaded where maps says; ET_EXEC at its own addresses. */
	if (type == ET_DYN) {
		bias = map_start(r.maps, real) - elf_first_load(file);
		ASSERT_NE(0, map_start(r.maps, real));
	}
	tp.lo += bias;
	tp.hi += bias;
	tc.lo += bias;
	tc.hi += bias;
	k = &r.k;
	ASSERT_LT(1000, k->n) TH_LOG("/proc/kallsyms lists no text symbols");

	ev = events_in(&r, &n);
	ASSERT_EQ(TOUCH_PAGES, n);
	for (i = 0; i < n; i++) {
		struct mmt_json *st = mmt_jget(ev[i], "stack");
		struct mmt_json *ks = mmt_jget(ev[i], "kstack");
		unsigned long long ip = mmt_jhex(mmt_jget(ev[i], "ip"));
		struct mmt_json *f0, *f1;
		unsigned long long ip1;

		/* The faulting instruction, by the record's own ip. */
		ASSERT_TRUE(ip >= tp.lo && ip < tp.hi)
			TH_LOG("event %d: ip %llx not in touch_pages [%llx, %llx)",
			       i, ip, tp.lo, tp.hi);
		ASSERT_TRUE(st && st->type == MMT_JARR && st->n >= 2)
			TH_LOG("event %d: no user stack of 2 frames", i);
		f0 = st->kids[0];
		f1 = st->kids[1];
		EXPECT_EQ(ip, mmt_jhex(mmt_jget(f0, "ip")));
		EXPECT_STREQ("touch_pages", mmt_jstr(mmt_jget(f0, "sym")) ?: "(null)");
		EXPECT_EQ(ip - tp.lo, mmt_jnum(mmt_jget(f0, "off")));
		EXPECT_STREQ(real, mmt_jstr(mmt_jget(f0, "module")) ?: "(null)");
		EXPECT_STREQ("workload.c",
			     basename_of(mmt_jstr(mmt_jget(f0, "file"))) ?: "(null)");
		EXPECT_TRUE((int)mmt_jnum(mmt_jget(f0, "line")) >= r.first &&
			    (int)mmt_jnum(mmt_jget(f0, "line")) <= r.last)
			TH_LOG("event %d: line %llu not in touch_pages (%d-%d)", i,
			       mmt_jnum(mmt_jget(f0, "line")), r.first, r.last);
		/* The caller: a return address, the call inside touch_caller. */
		ip1 = mmt_jhex(mmt_jget(f1, "ip"));
		EXPECT_TRUE(ip1 - 1 >= tc.lo && ip1 - 1 < tc.hi)
			TH_LOG("event %d: frame 1 at %llx not in touch_caller [%llx, %llx)",
			       i, ip1, tc.lo, tc.hi);
		EXPECT_STREQ("touch_caller", mmt_jstr(mmt_jget(f1, "sym")) ?: "(null)");
		EXPECT_EQ(ip1 - tc.lo, mmt_jnum(mmt_jget(f1, "off")));

		/* Kernel side: handle_mm_fault()'s callers, kallsyms' names. */
		ASSERT_TRUE(ks && ks->type == MMT_JARR && ks->n > 0)
			TH_LOG("event %d: no kernel stack as root", i);
		for (j = 0; j < ks->n; j++) {
			unsigned long long kip = mmt_jhex(mmt_jget(ks->kids[j], "ip"));
			const char *sym = mmt_jstr(mmt_jget(ks->kids[j], "sym"));
			int at = ksym_at(k, kip);

			EXPECT_LE(USER_TOP, kip);
			if (sym)
				EXPECT_TRUE(at >= 0 && ksym_named(k, at, sym))
					TH_LOG("event %d kframe %d: %llx named %s, kallsyms says %s",
					       i, j, kip, sym, at >= 0 ? k->s[at].name : "-");
			if (j < KFRAMES && (in_kfunc(k, kip, "do_user_addr_fault") ||
					    in_kfunc(k, kip, "exc_page_fault"))) {
				kfound++;
				break;
			}
		}
	}
	/*
	 * Every fault's kernel stack passes through the page-fault entry
	 * (asm_exc_page_fault -> exc_page_fault -> do_user_addr_fault ->
	 * handle_mm_fault); the innermost frames are the probe's own
	 * (trampoline or kprobe handler) and then these: 8 leaves room.
	 */
	EXPECT_EQ(n, kfound);
	doc = summary_doc(&r);
	stacks = mmt_jget(mmt_jget(doc, "summary"), "stacks");
	ASSERT_NE(NULL, stacks);
	EXPECT_STREQ("shown", mmt_jstr(mmt_jget(stacks, "kernel")) ?: "(null)");
	EXPECT_EQ(0, mmt_jnum(mmt_jget(stacks, "user_failed")));
	EXPECT_EQ(0, mmt_jnum(mmt_jget(stacks, "kernel_failed")));
	mmt_json_free(doc);
	events_free(ev, n);
	free(file);
	run_free(&r);
}

/*
 * Without CAP_SYS_ADMIN: user frames as before, no kernel stack, and not
 * one kernel address anywhere in the output (every "0x..." below 2^56).
 */
TEST(no_kernel_addresses_unprivileged)
{
	const char *opts[] = { "--stack", "--kstack", NULL };
	char wl[PATH_MAX + 64], real[PATH_MAX], *p, *paranoid;
	struct mmt_json **ev, *doc, *stacks;
	int n, i, hex = 0, ret;
	struct run r;

	snprintf(wl, sizeof(wl), "%s/workload", self_dir());
	ASSERT_NE(NULL, realpath(wl, real));
	/*
	 * Debian's kernels default to perf_event_paranoid 3, where
	 * perf_event_open() needs CAP_SYS_ADMIN (a Debian patch): the
	 * kprobes the tracer uses on PREEMPT_RT could not attach.  2 is the
	 * upstream default (CAP_PERFMON suffices), restored afterwards.
	 */
	paranoid = mmt_read_file("/proc/sys/kernel/perf_event_paranoid", NULL);
	ASSERT_NE(NULL, paranoid);
	if (atoi(paranoid) > 2)
		ASSERT_EQ(0, mmt_write_str("/proc/sys/kernel/perf_event_paranoid", "2"));
	ret = run_stack(&r, real, opts, true);
	if (atoi(paranoid) > 2)
		mmt_write_str("/proc/sys/kernel/perf_event_paranoid", paranoid);
	free(paranoid);
	ASSERT_EQ(0, ret)
		TH_LOG("the workload's events did not come (%d seen)", r.events);
	ASSERT_EQ(0, r.status);
	for (p = r.out; (p = strstr(p, "\"0x")); p += 3) {
		unsigned long long v = strtoull(p + 1, NULL, 16);

		hex++;
		EXPECT_GT(USER_TOP, v) TH_LOG("a kernel address: %.40s", p);
	}
	ASSERT_LT(0, hex);
	ev = events_in(&r, &n);
	ASSERT_EQ(TOUCH_PAGES, n);
	for (i = 0; i < n; i++) {
		struct mmt_json *st = mmt_jget(ev[i], "stack");
		struct mmt_json *ks = mmt_jget(ev[i], "kstack");

		ASSERT_TRUE(st && st->type == MMT_JARR && st->n >= 1);
		EXPECT_STREQ("touch_pages",
			     mmt_jstr(mmt_jget(st->kids[0], "sym")) ?: "(null)");
		EXPECT_TRUE(ks && ks->type == MMT_JNULL);
	}
	doc = summary_doc(&r);
	stacks = mmt_jget(mmt_jget(doc, "summary"), "stacks");
	EXPECT_STREQ("hidden", mmt_jstr(mmt_jget(stacks, "kernel")) ?: "(null)");
	mmt_json_free(doc);
	events_free(ev, n);
	run_free(&r);
}

/*
 * --top --by sym: the faults ranked by the function of the faulting
 * instruction.  The workload's N page writes in touch_pages() are one row,
 * named after the binary's own ELF symbol, holding exactly N faults (its
 * other faults, in the loader and libc, are elsewhere); rows and other add
 * up to the total.
 */
TEST(top_by_sym)
{
	const char *opts[] = { "--top", "50", "--by", "sym", "--interval", "1",
			       NULL };
	char wl[PATH_MAX + 64], real[PATH_MAX], want[PATH_MAX + 64];
	struct mmt_json *top = NULL, *rows;
	unsigned long long sum = 0, hits = 0;
	char *line, *nl;
	int i, seen = 0;
	struct run r;

	snprintf(wl, sizeof(wl), "%s/workload", self_dir());
	ASSERT_NE(NULL, realpath(wl, real));
	snprintf(want, sizeof(want), "touch_pages (%s)", basename_of(real));
	ASSERT_EQ(0, run_stack(&r, real, opts, false))
		TH_LOG("no interval records after the workload's faults");
	ASSERT_EQ(0, r.status);
	for (line = r.out; (nl = strchr(line, '\n')); line = nl + 1) {
		struct mmt_json *j;

		*nl = '\0';
		j = strstr(line, "\"rank\":\"count\"") ? mmt_json_parse(line) : NULL;
		*nl = '\n';
		if (j && !top)
			top = j;
		else if (j)
			mmt_json_free(j);
	}
	ASSERT_NE(NULL, top) TH_LOG("no --top record by count");
	EXPECT_STREQ("sym", mmt_jstr(mmt_jget(top, "by")) ?: "(null)");
	rows = mmt_jget(top, "rows");
	ASSERT_TRUE(rows && rows->type == MMT_JARR);
	for (i = 0; i < rows->n; i++) {
		const char *key = mmt_jstr(mmt_jget(rows->kids[i], "key"));
		unsigned long long f = mmt_jnum(mmt_jget(rows->kids[i], "faults"));

		sum += f;
		if (key && !strcmp(key, want)) {
			hits = f;
			seen++;
		}
	}
	EXPECT_EQ(1, seen) TH_LOG("no row '%s'", want);
	EXPECT_EQ(TOUCH_PAGES, hits);
	EXPECT_EQ(mmt_jnum(mmt_jget(mmt_jget(top, "total"), "faults")),
		  sum + mmt_jnum(mmt_jget(mmt_jget(top, "other"), "faults")));
	mmt_json_free(top);
	run_free(&r);
}

/* Frames go under event lines: with --summary or --hist there are none. */
TEST(stack_needs_event_lines)
{
	const char *const bad[][2] = {
		{ "--stack", "--summary" }, { "--kstack", "--hist" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)mmt_cli(), "faults", (char *)bad[i][0],
				 (char *)bad[i][1], "--", "true", NULL };
		char *out, *err = NULL;
		int status;

		out = mmt_run(argv, &status, &err);
		EXPECT_EQ(2, status) TH_LOG("%s %s: %s", bad[i][0], bad[i][1],
					    err ?: "");
		free(out);
		free(err);
	}
}

TEST_HARNESS_MAIN
