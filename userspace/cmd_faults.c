// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: stream page faults from bpf/faults.bpf.c.
 *
 * The tracer (faults_trace_*) is usable from C without the command line
 * (labs run it around a child they control); cmd_faults() is the
 * command: parse -> open -> set rodata -> load -> attach -> poll -> cleanup.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "faults.skel.h"

#define FAULTS_RINGBUF_DEFAULT	(4u << 20)
#define FAULTS_POLL_MS		100

struct faults_tracer {
	struct faults_bpf *skel;
	struct ring_buffer *rb;
	faults_event_fn fn;
	void *ctx;
	struct faults_summary sum;
	int cgroup_fd;
	bool fentry;
};

static volatile sig_atomic_t exiting;

static const char *const flag_names[MMSCOPE_FF_NR] = {
	"write", "mkwrite", "allow_retry", "retry_nowait", "killable",
	"tried", "user", "remote", "instruction", "interruptible", "unshare",
	"vma_lock",
};

static const char *const result_names[MMSCOPE_FR_NR] = {
	"OOM", "SIGBUS", "MAJOR", "HWPOISON", "HWPOISON_LARGE", "SIGSEGV",
	"NOPAGE", "LOCKED", "RETRY", "FALLBACK", "DONE_COW", "NEEDDSYNC",
	"COMPLETED",
};

#define FR_ERROR (MMSCOPE_FR_OOM | MMSCOPE_FR_SIGBUS | MMSCOPE_FR_SIGSEGV | \
		  MMSCOPE_FR_HWPOISON | MMSCOPE_FR_HWPOISON_LARGE | \
		  MMSCOPE_FR_FALLBACK)

/* ---- the summary ------------------------------------------------------- */

static unsigned int log2_slot(uint64_t v)
{
	unsigned int s = 0;

	while (v > 1 && s < FAULTS_HIST_SLOTS - 1) {
		v >>= 1;
		s++;
	}
	return s;
}

static void summary_add_vma(struct faults_summary *s,
			    const struct mmscope_fault *e)
{
	uint64_t h = (e->vma_start >> 12) * 0x9e3779b97f4a7c15ULL ^ e->pid;
	unsigned int i, n;

	for (n = 0; n < FAULTS_TOP_VMAS; n++) {
		struct faults_vma *v;

		i = (h + n) % FAULTS_TOP_VMAS;
		v = &s->vmas[i];
		if (!v->count) {
			v->pid = e->pid;
			v->start = e->vma_start;
			v->end = e->vma_end;
			v->file = !!(e->bits & MMSCOPE_FB_FILE);
			snprintf(v->name, sizeof(v->name), "%.*s",
				 (int)sizeof(e->file), e->file);
		}
		if (v->pid == e->pid && v->start == e->vma_start &&
		    v->end == e->vma_end) {
			v->count++;
			return;
		}
	}
	s->vmas_other++;
}

static void summary_add(struct faults_summary *s, const struct mmscope_fault *e)
{
	s->events++;
	if (!(e->result & MMSCOPE_FR_RETRY))
		s->completed++;
	if (s->pgfault_all || !(e->result & MMSCOPE_FR_RETRY))
		s->accounted++;
	if (e->result & MMSCOPE_FR_RETRY)
		s->retry++;
	else if (e->result & FR_ERROR)
		s->error++;
	else if (e->result & MMSCOPE_FR_MAJOR)
		s->major++;
	else
		s->minor++;
	if (e->flags & MMSCOPE_FF_WRITE)
		s->write++;
	if (e->flags & MMSCOPE_FF_INSTRUCTION)
		s->exec++;
	if (e->flags & MMSCOPE_FF_USER)
		s->user++;
	if (e->flags & MMSCOPE_FF_REMOTE)
		s->remote++;
	if (e->bits & MMSCOPE_FB_FILE)
		s->file++;
	else
		s->anon++;
	if (e->bits & MMSCOPE_FB_PFN)
		s->mapped++;
	s->hist[log2_slot(e->latency_ns)]++;
	summary_add_vma(s, e);
}

static int vma_cmp(const void *a, const void *b)
{
	const struct faults_vma *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Sort the VMA table in place, busiest first; returns how many are used. */
static unsigned int summary_top(struct faults_summary *s)
{
	unsigned int n = 0;

	qsort(s->vmas, FAULTS_TOP_VMAS, sizeof(s->vmas[0]), vma_cmp);
	while (n < FAULTS_TOP_VMAS && s->vmas[n].count)
		n++;
	return n;
}

/* /proc/vmstat pgfault, or 0. */
static uint64_t vmstat_pgfault(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "pgfault %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* One log2 histogram of nanoseconds, biolatency style. */
static void print_log2_hist(FILE *f, const uint64_t *vals, unsigned int n,
			    const char *unit)
{
	unsigned int i, j, first = n, last = 0, width = 40;
	uint64_t max = 0;

	for (i = 0; i < n; i++) {
		if (vals[i] && first == n)
			first = i;
		if (vals[i])
			last = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (!max)
		return;
	fprintf(f, "%24s : count    distribution\n", unit);
	for (i = first; i <= last; i++) {
		unsigned long long lo = i ? 1ULL << i : 0, hi = (2ULL << i) - 1;
		unsigned int bar = (unsigned int)(vals[i] * width / max);

		fprintf(f, "%10llu -> %-10llu : %-8llu |", lo, hi,
			(unsigned long long)vals[i]);
		for (j = 0; j < width; j++)
			fputc(j < bar ? '*' : ' ', f);
		fputs("|\n", f);
	}
}

/* ---- the tracer ---------------------------------------------------------- */

static int handle_event(void *ctx, void *data, size_t len)
{
	struct faults_tracer *t = ctx;
	const struct mmscope_fault *e = data;

	if (len < sizeof(*e))
		return 0;
	summary_add(&t->sum, e);
	if (t->fn)
		t->fn(t->ctx, e);
	return 0;
}

/* The sum over CPUs of a per-CPU counter map. */
static uint64_t percpu_sum(const struct bpf_map *map)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *vals, sum = 0;
	__u32 zero = 0;

	if (ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (vals && !bpf_map__lookup_elem(map, &zero, sizeof(zero), vals,
					  sizeof(*vals) * ncpu, 0))
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

/*
 * Runs of a loaded program the kernel skipped because another BPF program
 * was running on that CPU (struct bpf_prog_info recursion_misses, 5.12+).
 */
static uint64_t recursion_misses(const struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(p);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

/* PREEMPT_RT kernels have /sys/kernel/realtime (kernel/ksysfs.c). */
static bool kernel_is_rt(void)
{
	return access("/sys/kernel/realtime", F_OK) == 0;
}

static uint64_t missed_events(struct faults_tracer *t)
{
	struct bpf_program *p;
	uint64_t n = percpu_sum(t->skel->maps.missed);

	bpf_object__for_each_program(p, t->skel->obj)
		if (bpf_program__autoload(p))
			n += recursion_misses(p);
	return n;
}

/*
 * Which handle_mm_fault() calls /proc/vmstat pgfault counts.  Until 6.4 the
 * count is taken at the top of handle_mm_fault(): every call, retried ones
 * included.  Since 6.5 (commit 53156443a303, "mm: do not increment pgfault
 * stats when page fault handler retries") mm_account_fault() counts it at
 * the end, skipping calls that return VM_FAULT_RETRY.  The change is in a
 * function body (mm_account_fault() is static inline), not in any type or
 * enum, so BTF cannot tell: the kernel release does.
 */
static bool pgfault_counts_retries(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 5);
}

/* Whether the caller holds @cap in its effective set. */
static bool have_cap(unsigned int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/*
 * The page-table walk needs page_offset_base and pgdir_shift, which libbpf
 * resolves from /proc/kallsyms.  Without CAP_SYSLOG (kptr_restrict) the file
 * lists them at address 0: libbpf then leaves the weak ksyms unresolved and
 * the walk would use the wrong base.  True when the layout is known: both
 * listed with an address, or absent (a kernel built without them uses the
 * fixed layout the program falls back to).
 */
static bool layout_symbols_visible(void)
{
	char line[256], name[128], type;
	unsigned long long addr;
	bool ok = true;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3)
			continue;
		if ((!strcmp(name, "page_offset_base") ||
		     !strcmp(name, "pgdir_shift")) && !addr)
			ok = false;
	}
	fclose(f);
	return ok;
}

static int open_load_attach(struct faults_tracer *t,
			    const struct faults_opts *o, bool fentry)
{
	struct faults_bpf *skel;
	uint64_t size = o->ringbuf_size ? o->ringbuf_size :
			FAULTS_RINGBUF_DEFAULT;
	int err;

	skel = faults_bpf__open();
	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.fentry_fault, fentry);
	bpf_program__set_autoload(skel->progs.fexit_fault, fentry);
	bpf_program__set_autoload(skel->progs.kprobe_fault, !fentry);
	bpf_program__set_autoload(skel->progs.kretprobe_fault, !fentry);
	bpf_program__set_autoload(skel->progs.follow_exec, o->follow);
	bpf_program__set_autoload(skel->progs.follow_fork, o->follow);
	bpf_program__set_autoload(skel->progs.follow_exit, o->follow);

	skel->rodata->targ_tgid = o->pid;
	skel->rodata->follow = o->follow;
	skel->rodata->root_tgid = o->follow;
	skel->rodata->filter_cgroup = t->cgroup_fd >= 0;
	skel->rodata->want_pfn = t->sum.pfn == FAULTS_PFN_OK;
	if (o->comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, o->comm,
			MMSCOPE_COMM_LEN - 1);
	}
	skel->rodata->targ_start = o->start;
	skel->rodata->targ_end = o->end;
	skel->rodata->min_lat_ns = o->min_lat_ns;
	skel->rodata->major_only = o->major;
	skel->rodata->wakeup_bytes = size / 4;
	err = bpf_map__set_max_entries(skel->maps.events, size);
	if (!err)
		err = faults_bpf__load(skel);
	if (!err && o->follow) {
		__u32 k = o->follow;
		__u8 pending = 0;

		err = bpf_map__update_elem(skel->maps.traced, &k, sizeof(k),
					   &pending, sizeof(pending), BPF_ANY);
	}
	if (!err && t->cgroup_fd >= 0) {
		__u32 k = 0, fd = t->cgroup_fd;

		err = bpf_map__update_elem(skel->maps.cgroups, &k, sizeof(k),
					   &fd, sizeof(fd), BPF_ANY);
	}
	if (!err)
		err = faults_bpf__attach(skel);
	if (err) {
		faults_bpf__destroy(skel);
		return err;
	}
	t->skel = skel;
	t->fentry = fentry;
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBBPF_WARN && getenv("MMSCOPE_DEBUG") ?
	       vfprintf(stderr, fmt, ap) : 0;
}

int faults_trace_start(const struct faults_opts *o, faults_event_fn fn,
		       void *ctx, struct faults_tracer **tp)
{
	struct faults_tracer *t;
	uint64_t size = o->ringbuf_size;
	int err = -EOPNOTSUPP;

	/* A BPF ring buffer is a power-of-2 number of pages. */
	if (size && (size < 4096 || (size & (size - 1)) || size > (1u << 30)))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->ctx = ctx;
	t->cgroup_fd = -1;
	t->sum.pgfault_all = pgfault_counts_retries();
	t->sum.pfn = !have_cap(CAP_SYS_ADMIN) ? FAULTS_PFN_NOCAP :
		     !layout_symbols_visible() ? FAULTS_PFN_KALLSYMS :
		     FAULTS_PFN_OK;
	if (o->cgroup) {
		t->cgroup_fd = open(o->cgroup, O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC);
		if (t->cgroup_fd < 0) {
			err = -errno;
			goto err_free;
		}
	}
	libbpf_set_print(silent_print);
	t->sum.pgfault[0] = vmstat_pgfault();
	/*
	 * fentry/fexit first; kprobes where the kernel cannot attach them,
	 * and on PREEMPT_RT.  There, trampoline programs run preemptible
	 * (migrate_disable() only), so a task preempted inside one holds the
	 * program's per-CPU recursion guard (prog->active) and the task
	 * storage's per-CPU busy count: another task faulting on that CPU is
	 * refused (a recursion miss), not traced.  A kprobe handler runs with
	 * preemption off to its end, so only true nesting can refuse it.
	 */
	if (!o->kprobe && !kernel_is_rt())
		err = open_load_attach(t, o, true);
	if (err && err != -EPERM && err != -EACCES)
		err = open_load_attach(t, o, false);
	if (err)
		goto err_free;
	t->sum.pgfault[1] = vmstat_pgfault();
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events),
				 handle_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		goto err_destroy;
	}
	*tp = t;
	return 0;

err_destroy:
	faults_bpf__destroy(t->skel);
err_free:
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	free(t);
	return err;
}

bool faults_trace_exec_base(struct faults_tracer *t, uint64_t *minflt,
			    uint64_t *majflt)
{
	if (!t->skel->bss->root_started)
		return false;
	*minflt = t->skel->bss->root_minflt;
	*majflt = t->skel->bss->root_majflt;
	return true;
}

int faults_trace_poll(struct faults_tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);

	if (n < 0 && n != -EINTR)
		return n;
	/* The program wakes us only past a fill level: take the rest. */
	n = ring_buffer__consume(t->rb);
	return n < 0 && n != -EINTR ? n : 0;
}

void faults_trace_stop(struct faults_tracer *t, struct faults_summary *s)
{
	t->sum.pgfault[2] = vmstat_pgfault();
	faults_bpf__detach(t->skel);
	t->sum.pgfault[3] = vmstat_pgfault();
	ring_buffer__consume(t->rb);
	t->sum.lost = percpu_sum(t->skel->maps.lost);
	t->sum.missed = missed_events(t);
	t->sum.kprobe = !t->fentry;
	if (s)
		*s = t->sum;
	ring_buffer__free(t->rb);
	faults_bpf__destroy(t->skel);
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	free(t);
}

/* ---- output ---------------------------------------------------------------- */

struct faults_out {
	bool live;		/* a line (or JSON object) per event */
	uint64_t t0;
	enum faults_pfn pfn;
};

static const char *pfn_status(enum faults_pfn p)
{
	return p == FAULTS_PFN_NOCAP ? "hidden (needs CAP_SYS_ADMIN)" :
	       p == FAULTS_PFN_KALLSYMS ? "unavailable (kallsyms hidden)" :
	       "shown";
}

static void result_text(uint32_t r, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!(r & (MMSCOPE_FR_MAJOR | MMSCOPE_FR_RETRY | FR_ERROR)))
		n += snprintf(buf, len, "minor");
	for (i = 0; i < MMSCOPE_FR_NR && n < len; i++)
		if (r & (1u << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
				      result_names[i]);
}

static void print_event(void *ctx, const struct mmscope_fault *e)
{
	struct faults_out *out = ctx;
	char res[128], kind[4];

	if (!out->live)
		return;
	if (json_output) {
		unsigned int i;

		json_obj_open(NULL);
		json_u64("ts_ns", e->ts_ns);
		json_u64("cpu", e->cpu);
		json_u64("pid", e->pid);
		json_u64("tid", e->tid);
		json_str("comm", e->comm);
		json_hex("addr", e->addr);
		if (e->bits & MMSCOPE_FB_REGS)
			json_hex("ip", e->ip);
		else
			json_null("ip");
		json_bool("write", e->flags & MMSCOPE_FF_WRITE);
		json_bool("user", e->flags & MMSCOPE_FF_USER);
		json_bool("exec", e->flags & MMSCOPE_FF_INSTRUCTION);
		json_bool("remote", e->flags & MMSCOPE_FF_REMOTE);
		json_arr_open("flags");
		for (i = 0; i < MMSCOPE_FF_NR; i++)
			if (e->flags & (1u << i))
				json_str(NULL, flag_names[i]);
		json_arr_close();
		json_arr_open("result");
		for (i = 0; i < MMSCOPE_FR_NR; i++)
			if (e->result & (1u << i))
				json_str(NULL, result_names[i]);
		json_arr_close();
		json_bool("major", e->result & MMSCOPE_FR_MAJOR);
		json_u64("latency_ns", e->latency_ns);
		json_obj_open("vma");
		json_hex("start", e->vma_start);
		json_hex("end", e->vma_end);
		json_hex("flags", e->vm_flags);
		json_str("file", e->bits & MMSCOPE_FB_FILE ? e->file : NULL);
		json_obj_close();
		if (e->bits & MMSCOPE_FB_PFN) {
			json_u64("pfn", e->pfn);
			json_u64("level", e->level);
		} else {
			json_null("pfn");
			json_null("level");
		}
		json_obj_close();
		return;
	}
	if (!out->t0)
		out->t0 = e->ts_ns;
	kind[0] = e->flags & MMSCOPE_FF_INSTRUCTION ? 'X' :
		  e->flags & MMSCOPE_FF_WRITE ? 'W' : 'R';
	kind[1] = e->flags & MMSCOPE_FF_USER ? 'U' : 'K';
	kind[2] = e->flags & MMSCOPE_FF_REMOTE ? 'r' : ' ';
	kind[3] = '\0';
	result_text(e->result, res, sizeof(res));
	printf("%12.6f %3u %7u %7u %-15.15s %16llx %s %-14s %9.1f ",
	       (e->ts_ns - out->t0) / 1e9, e->cpu, e->pid, e->tid, e->comm,
	       (unsigned long long)e->addr, kind, res, e->latency_ns / 1e3);
	if (e->bits & MMSCOPE_FB_PFN)
		printf("%10llx", (unsigned long long)e->pfn);
	else
		printf("%10s", out->pfn == FAULTS_PFN_NOCAP ? "hidden" : "-");
	printf(" %llx-%llx %s\n", (unsigned long long)e->vma_start,
	       (unsigned long long)e->vma_end,
	       e->bits & MMSCOPE_FB_FILE ? e->file : "[anon]");
}

static void print_summary_json(struct faults_summary *s, unsigned int ntop,
			       const struct faults_child *c)
{
	unsigned int i;

	json_obj_open(NULL);
	json_obj_open("summary");
	json_u64("events", s->events);
	json_u64("lost", s->lost);
	json_u64("missed", s->missed);
	json_str("probe", s->kprobe ? "kprobe" : "fentry");
	json_str("pfn", pfn_status(s->pfn));
	json_u64("completed", s->completed);
	json_u64("accounted", s->accounted);
	json_str("pgfault_counts", s->pgfault_all ? "every call" :
		 "calls without RETRY");
	json_u64("minor", s->minor);
	json_u64("major", s->major);
	json_u64("retry", s->retry);
	json_u64("error", s->error);
	json_u64("write", s->write);
	json_u64("exec", s->exec);
	json_u64("user", s->user);
	json_u64("remote", s->remote);
	json_u64("anon", s->anon);
	json_u64("file", s->file);
	json_u64("mapped", s->mapped);
	json_obj_open("vmstat_pgfault");
	json_u64("before_attach", s->pgfault[0]);
	json_u64("after_attach", s->pgfault[1]);
	json_u64("before_detach", s->pgfault[2]);
	json_u64("after_detach", s->pgfault[3]);
	json_obj_close();
	json_arr_open("top_vmas");
	for (i = 0; i < ntop && i < 10; i++) {
		json_obj_open(NULL);
		json_u64("pid", s->vmas[i].pid);
		json_hex("start", s->vmas[i].start);
		json_hex("end", s->vmas[i].end);
		json_str("file", s->vmas[i].file ? s->vmas[i].name : NULL);
		json_u64("faults", s->vmas[i].count);
		json_obj_close();
	}
	json_arr_close();
	json_arr_open("latency_log2_ns");
	for (i = 0; i < FAULTS_HIST_SLOTS; i++)
		json_u64(NULL, s->hist[i]);
	json_arr_close();
	if (c->reaped) {
		json_obj_open("child");
		json_u64("pid", c->pid);
		json_s64("status", c->status);
		json_u64("minflt", c->minflt);
		json_u64("majflt", c->majflt);
		json_obj_close();
	}
	json_obj_close();
	json_obj_close();
}

static void print_summary_text(struct faults_summary *s, unsigned int ntop,
			       const struct faults_child *c, bool full, bool hist)
{
	unsigned int i;

	fprintf(stdout, "\n%llu faults traced (%s), %llu lost, %llu missed\n",
		(unsigned long long)s->events, s->kprobe ? "kprobe" : "fentry",
		(unsigned long long)s->lost, (unsigned long long)s->missed);
	if (full) {
		printf("  minor %llu  major %llu  retry %llu  error %llu\n",
		       (unsigned long long)s->minor,
		       (unsigned long long)s->major,
		       (unsigned long long)s->retry,
		       (unsigned long long)s->error);
		printf("  write %llu  exec %llu  user %llu  remote %llu  anon %llu  file %llu\n",
		       (unsigned long long)s->write,
		       (unsigned long long)s->exec,
		       (unsigned long long)s->user,
		       (unsigned long long)s->remote,
		       (unsigned long long)s->anon,
		       (unsigned long long)s->file);
		printf("  /proc/vmstat pgfault while attached: %llu (all tasks; it counts %s: %llu traced)\n",
		       (unsigned long long)(s->pgfault[2] - s->pgfault[1]),
		       s->pgfault_all ? "every call" : "calls without RETRY",
		       (unsigned long long)s->accounted);
		if (c->reaped)
			printf("  child %d: status %d, minflt %llu majflt %llu\n",
			       c->pid, c->status,
			       (unsigned long long)c->minflt,
			       (unsigned long long)c->majflt);
		if (ntop)
			printf("\n%8s %7s %-33s %s\n", "FAULTS", "PID", "VMA",
			       "FILE");
		for (i = 0; i < ntop && i < 10; i++)
			printf("%8llu %7u %16llx-%-16llx %s\n",
			       (unsigned long long)s->vmas[i].count,
			       s->vmas[i].pid,
			       (unsigned long long)s->vmas[i].start,
			       (unsigned long long)s->vmas[i].end,
			       s->vmas[i].file ? s->vmas[i].name : "[anon]");
	}
	if (full || hist) {
		putchar('\n');
		print_log2_hist(stdout, s->hist, FAULTS_HIST_SLOTS,
				"latency (ns)");
	}
}

/* ---- the command ------------------------------------------------------------ */

static void on_signal(int sig)
{
	exiting = 1;
}

/*
 * Fork @argv stopped: the child blocks on a pipe until the tracer is
 * attached (with the child's tgid in its traced map), then execs.  Its
 * faults count from the exec on (sched_process_exec), not before.
 */
static pid_t spawn_stopped(char **argv, int *go_fd)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "%s faults: %s: %s\n", prog, argv[0],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	*go_fd = go[1];
	return pid;
}

/* Reap @c if it has exited (@block_ms: wait up to that long). */
static bool reap_child(struct faults_child *c, struct faults_tracer *t,
		       int block_ms)
{
	uint64_t min0 = 0, maj0 = 0;
	struct rusage ru;
	int st, i;

	for (i = 0; !c->reaped; i++) {
		pid_t r = wait4(c->pid, &st, WNOHANG, &ru);

		if (r == c->pid) {
			c->status = WIFEXITED(st) ? WEXITSTATUS(st) :
				    128 + WTERMSIG(st);
			if (t && faults_trace_exec_base(t, &min0, &maj0)) {
				c->minflt = ru.ru_minflt - min0;
				c->majflt = ru.ru_majflt - maj0;
			} else {
				c->minflt = ru.ru_minflt;
				c->majflt = ru.ru_majflt;
			}
			c->reaped = true;
		} else if (r < 0 || i * 10 >= block_ms) {
			break;
		} else {
			usleep(10000);
		}
	}
	return c->reaped;
}

/*
 * The trace ends (deadline, signal) while the command runs: ask it to end
 * (SIGTERM), give it 2 s, then SIGKILL and 2 s more.  Never blocks longer:
 * a task stuck in the kernel is left unreaped (and not reported).
 */
static void end_child(struct faults_child *c, struct faults_tracer *t)
{
	if (reap_child(c, t, 0))
		return;
	kill(c->pid, SIGTERM);
	if (reap_child(c, t, 2000))
		return;
	kill(c->pid, SIGKILL);
	reap_child(c, t, 2000);
}

static bool is_cgroup2_dir(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == 0x63677270;	/* CGROUP2 */
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

enum {
	OPT_MIN_LAT = 256, OPT_MAJOR, OPT_RANGE, OPT_DURATION, OPT_HIST,
	OPT_SUMMARY, OPT_RINGBUF, OPT_CGROUP, OPT_KPROBE,
};

int cmd_faults(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "min-lat", required_argument, NULL, OPT_MIN_LAT },
		{ "major", no_argument, NULL, OPT_MAJOR },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "hist", no_argument, NULL, OPT_HIST },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "kprobe", no_argument, NULL, OPT_KPROBE },
		{ NULL, 0, NULL, 0 },
	};
	struct faults_opts o = { 0 };
	struct faults_summary sum;
	struct faults_child child = { 0 };
	struct faults_out out = { 0 };
	struct faults_tracer *t = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	bool hist = false, summary = false;
	uint64_t v, duration_s = 0, deadline = 0;
	int opt, err, go_fd = -1, ret = 1;
	unsigned int ntop;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, &o.pid))
				return usage_error("faults", "bad pid '%s'", optarg);
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= MMSCOPE_COMM_LEN)
				return usage_error("faults", "comm must be 1-15 characters");
			o.comm = optarg;
			break;
		case OPT_CGROUP:
			if (!is_cgroup2_dir(optarg))
				return usage_error("faults", "'%s' is not a cgroup2 directory",
						   optarg);
			o.cgroup = optarg;
			break;
		case OPT_MIN_LAT:
			if (parse_u64(optarg, &v) || v > UINT64_MAX / 1000)
				return usage_error("faults", "bad --min-lat '%s' (microseconds)",
						   optarg);
			o.min_lat_ns = v * 1000;
			break;
		case OPT_MAJOR:
			o.major = true;
			break;
		case OPT_RANGE:
			if (parse_range(optarg, &o.start, &o.end))
				return usage_error("faults", "bad --range '%s' (START-END, START < END)",
						   optarg);
			break;
		case OPT_DURATION:
			if (parse_u64(optarg, &duration_s) || !duration_s)
				return usage_error("faults", "bad --duration '%s' (seconds)",
						   optarg);
			break;
		case OPT_HIST:
			hist = true;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_RINGBUF:
			if (parse_size(optarg, &o.ringbuf_size) ||
			    o.ringbuf_size < 4096 || o.ringbuf_size > (1u << 30) ||
			    (o.ringbuf_size & (o.ringbuf_size - 1)))
				return usage_error("faults", "--ringbuf-size must be a power of two, 4k-1G");
			break;
		case OPT_KPROBE:
			o.kprobe = true;
			break;
		default:
			return usage_error("faults", "unknown option");
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--"))
		return usage_error("faults", "unexpected argument '%s' (a command goes after --)",
				   argv[optind]);
	if (optind < argc && o.pid)
		return usage_error("faults", "-p and -- CMD exclude each other");
	out.live = !hist && !summary;

	if (optind < argc) {
		child.pid = spawn_stopped(argv + optind, &go_fd);
		if (child.pid < 0)
			return error("faults: cannot start %s: %s", argv[optind],
				     strerror(errno));
		/* The command's process tree (other filters narrow it). */
		o.follow = child.pid;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = faults_trace_start(&o, print_event, &out, &t);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			error("faults: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN); PFNs need CAP_SYS_ADMIN too");
		else
			error("faults: cannot load or attach the BPF program: %s",
			      strerror(-err));
		goto cleanup;
	}
	out.pfn = t->sum.pfn;
	if (t->sum.pfn == FAULTS_PFN_KALLSYMS)
		fprintf(stderr, "%s faults: warning: /proc/kallsyms hides kernel addresses (kptr_restrict; needs CAP_SYSLOG): the page-table layout is unknown, PFNs are not reported (null)\n",
			prog);
	else if (t->sum.pfn == FAULTS_PFN_NOCAP && !json_output)
		fprintf(stderr, "%s faults: PFNs are hidden: they need CAP_SYS_ADMIN\n",
			prog);
	if (child.pid) {
		if (write(go_fd, "g", 1) != 1) {
			error("faults: the command did not start");
			goto cleanup;
		}
		close(go_fd);
		go_fd = -1;
	} else if (!json_output) {
		fprintf(stderr, "Tracing page faults%s. Ctrl-C to end.\n",
			o.pid ? " of one process" : "");
	}
	if (out.live && !json_output)
		printf("%12s %3s %7s %7s %-15s %16s %-3s %-14s %9s %10s %s\n",
		       "TIME(s)", "CPU", "PID", "TID", "COMM", "ADDR", "RWX",
		       "RESULT", "LAT(us)", "PFN", "VMA");
	if (duration_s)
		deadline = now_ns() + duration_s * 1000000000ULL;

	while (!exiting) {
		err = faults_trace_poll(t, FAULTS_POLL_MS);
		if (err) {
			error("faults: reading the ring buffer: %s", strerror(-err));
			goto cleanup;
		}
		if (deadline && now_ns() >= deadline)
			break;
		if (child.pid && reap_child(&child, t, 0))
			break;
	}
	/* Deadline or signal: end the command first, then the trace. */
	if (child.pid > 0)
		end_child(&child, t);
	/* 127: the command could not be run (as a shell reports it). */
	ret = child.reaped && child.status == 127 ? 1 : 0;
cleanup:
	if (child.pid > 0 && !child.reaped)
		end_child(&child, t);
	if (t) {
		faults_trace_stop(t, &sum);
		ntop = summary_top(&sum);
		if (json_output)
			print_summary_json(&sum, ntop, &child);
		else
			print_summary_text(&sum, ntop, &child, summary, hist);
	}
	if (go_fd >= 0)
		close(go_fd);
	return ret;
}
