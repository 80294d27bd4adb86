// SPDX-License-Identifier: GPL-2.0
/*
 * The page-fault tracer: load and attach bpf/faults.bpf.c with the filters
 * asked for, stream its events to a callback, count them into a summary.
 * Used by `mmscope faults` (cmd_faults.c) and by the labs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "faults.skel.h"
#include "faults_nokfunc.skel.h"
#include "layout.skel.h"
#include "../bpf/faults_layout.h"
#include "../bpf/faults_stack.h"
#include "../bpf/faults_agg.h"
#include "faults.h"

#define FAULTS_RINGBUF_DEFAULT	(4u << 20)

struct faults_tracer {
	struct faults_bpf *skel;
	struct ring_buffer *rb;
	faults_event_fn fn;
	void *ctx;
	struct faults_summary sum;
	struct faults_merge *merge;	/* NULL: raw, one event per call */
	uint64_t min_lat_ns;		/* the filters, on merged faults */
	bool major;
	int cgroup_fd;
	bool fentry;
	bool walk;			/* the layout is known: classes */
	struct faults_top *agg_top;	/* agg: the --top table to fill */
	uint64_t ksyms[FAULTS_KSYM_NR];	/* faults_layout.h, by index */
};

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

/* One call: what /proc/vmstat and rusage count are calls. */
static void summary_add_call(struct faults_summary *s,
			     const struct mmscope_fault *e)
{
	s->calls++;
	if (!(e->result & MMSCOPE_FR_RETRY))
		s->completed++;
	if (s->pgfault_all || !(e->result & MMSCOPE_FR_RETRY))
		s->accounted++;
}

/* One reported event: a fault, or a call with raw. */
static void summary_add(struct faults_summary *s, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;

	s->events++;
	s->retries += ev->retries;
	s->locks[!!(e->flags & MMSCOPE_FF_VMA_LOCK)]++;
	if (e->result & MMSCOPE_FR_RETRY)
		s->retry++;
	else if (e->result & FAULTS_FR_ERROR)
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
	if (e->fclass < MMSCOPE_FC_NR) {
		s->classes[e->fclass]++;
		s->class_hist[e->fclass][log2_slot(e->latency_ns)]++;
	}
	s->hist[log2_slot(e->latency_ns)]++;
	summary_add_vma(s, e);
}

static int vma_cmp(const void *a, const void *b)
{
	const struct faults_vma *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

unsigned int faults_summary_top(struct faults_summary *s)
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

/*
 * A fault, merged: the BPF program let its calls through the latency and
 * major filters (they are the whole fault's), so they apply here.
 */
static void report(void *ctx, const struct faults_event *ev)
{
	struct faults_tracer *t = ctx;

	if (t->merge && (ev->f.latency_ns < t->min_lat_ns ||
			 (t->major && !(ev->f.result & MMSCOPE_FR_MAJOR))))
		return;
	summary_add(&t->sum, ev);
	if (t->fn)
		t->fn(t->ctx, ev);
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct faults_tracer *t = ctx;
	const struct mmscope_fault *e = data;
	const struct mmscope_fault_stacks *stacks;
	struct faults_event ev = { 0 };

	if (len < sizeof(*e))
		return 0;
	summary_add_call(&t->sum, e);
	stacks = t->sum.ustack && len >= sizeof(*e) + sizeof(*stacks) ?
		 (const void *)(e + 1) : NULL;
	if (t->merge) {
		faults_merge_call(t->merge, e, stacks, report, t);
	} else {
		ev.f = *e;
		ev.stacks = stacks;
		report(t, &ev);
	}
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

/* bpf_get_stack() failures, per side (user, kernel), summed over CPUs. */
static void stack_failures(struct faults_tracer *t, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *vals;
	__u32 k;

	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	for (k = 0; vals && k < 2; k++)
		if (!bpf_map__lookup_elem(t->skel->maps.stack_failed, &k,
					  sizeof(k), vals,
					  sizeof(*vals) * ncpu, 0))
			for (i = 0; i < ncpu; i++)
				out[k] += vals[i];
	free(vals);
}

/* The kernel's struct bpf_prog_info of a loaded program; false: none. */
static bool prog_info(const struct bpf_program *p, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(p);

	memset(info, 0, sizeof(*info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, info, &len);
}

/*
 * Runs of a loaded program the kernel skipped because another BPF program
 * was running on that CPU (struct bpf_prog_info recursion_misses, 5.12+).
 */
static uint64_t recursion_misses(const struct bpf_program *p)
{
	struct bpf_prog_info info;

	return prog_info(p, &info) ? info.recursion_misses : 0;
}

/* PREEMPT_RT kernels have /sys/kernel/realtime (kernel/ksysfs.c). */
static bool kernel_is_rt(void)
{
	return access("/sys/kernel/realtime", F_OK) == 0;
}

/* kernel.bpf_stats_enabled: the kernel times BPF programs (5.1+). */
static bool bpf_stats_on(void)
{
	char c = '0';
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Each loaded program's runs and run time (struct bpf_prog_info). */
static void prog_costs(struct faults_tracer *t)
{
	struct faults_summary *s = &t->sum;
	struct bpf_program *p;

	s->bpf_stats = bpf_stats_on();
	bpf_object__for_each_program(p, t->skel->obj) {
		struct faults_prog_cost *c = &s->progs[s->nprogs];
		struct bpf_prog_info info;

		if (!bpf_program__autoload(p) || s->nprogs == FAULTS_PROGS_MAX ||
		    !prog_info(p, &info))
			continue;
		snprintf(c->name, sizeof(c->name), "%s", bpf_program__name(p));
		c->runs = info.run_cnt;
		c->run_time_ns = info.run_time_ns;
		s->nprogs++;
	}
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
 * The addresses of the kernel variables the page-table walk reads, into
 * @addr (0: the kernel has no such symbol), from bpf/layout.bpf.c: the
 * kernel's own kallsyms lookup.  False when the layout is not known: the
 * caller may not see kernel addresses (kptr_restrict, as /proc/kallsyms
 * shows them as 0), or the program could not run.
 */
static bool layout_symbols(uint64_t addr[FAULTS_KSYM_NR])
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct layout_bpf *skel;
	bool ok;

	memset(addr, 0, sizeof(uint64_t) * FAULTS_KSYM_NR);
	skel = layout_bpf__open_and_load();
	if (!skel)
		return false;
	ok = !bpf_prog_test_run_opts(bpf_program__fd(skel->progs.resolve_layout),
				     &opts) && !skel->bss->hidden;
	if (ok)
		memcpy(addr, (const void *)skel->bss->addr,
		       sizeof(uint64_t) * FAULTS_KSYM_NR);
	layout_bpf__destroy(skel);
	return ok;
}

const char *const faults_step_names[FAULTS_STEP_NR] = {
	[FAULTS_STEP_SYMBOLS] = "symbols",
	[FAULTS_STEP_OPEN] = "open",
	[FAULTS_STEP_LOAD] = "load",
	[FAULTS_STEP_ATTACH] = "attach",
	[FAULTS_STEP_READER] = "reader",
	[FAULTS_STEP_DETACH] = "detach",
	[FAULTS_STEP_CLOSE] = "close",
};

/**
 * faults_mono_ns() - CLOCK_MONOTONIC now, in ns: the tracer's and its
 * callers' one clock
 */
uint64_t faults_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Adds the time since *t0 to @step's and restarts the clock. */
static void step_done(struct faults_tracer *t, enum faults_step step,
		      uint64_t *t0)
{
	uint64_t now = faults_mono_ns();

	t->sum.setup_ns[step] += now - *t0;
	*t0 = now;
}

/*
 * The fault programs' object: the one naming the kfunc bpf_rdonly_cast
 * when @kfunc (the kernel has it), else the same programs built without
 * it (faults_nokfunc.bpf.o).  libbpf 1.1 resolves every extern of an
 * object, loaded programs' or not, and looks for a kfunc missing from the
 * kernel's BTF in the modules' BTF, which needs CAP_SYS_ADMIN: with only
 * CAP_BPF and CAP_PERFMON the first object would not load on 6.1.  The
 * Makefile checks that both have the layout of struct faults_bpf, so one
 * skeleton opens either (as faults_bpf__open() does, with the other
 * object's bytes).
 */
static struct faults_bpf *faults_open(bool kfunc)
{
	struct faults_bpf *obj;
	int err;

	if (kfunc)
		return faults_bpf__open();
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = faults_bpf__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data = (void *)faults_nokfunc_bpf__elf_bytes(
			&obj->skeleton->data_sz);
		err = bpf_object__open_skeleton(obj->skeleton, NULL);
	}
	if (err) {
		faults_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

static int open_load_attach(struct faults_tracer *t,
			    const struct faults_opts *o, bool fentry)
{
	struct faults_bpf *skel;
	uint64_t size = o->ringbuf_size ? o->ringbuf_size :
			FAULTS_RINGBUF_DEFAULT;
	uint64_t t0 = faults_mono_ns();
	/*
	 * The walk's loads (and a kprobe's reads of the VMA) inlined where
	 * the kernel has bpf_rdonly_cast() (6.2+), unless
	 * MMSCOPE_BPF_WALK=helper asks for the helper calls (make bench
	 * compares the two).
	 */
	const char *walk = getenv("MMSCOPE_BPF_WALK");
	bool cast = t->walk && t->ksyms[FAULTS_KSYM_RDONLY_CAST] &&
		    !(walk && !strcmp(walk, "helper"));
	int err;

	skel = faults_open(t->walk && t->ksyms[FAULTS_KSYM_RDONLY_CAST]);
	if (!skel)
		return -errno;
	step_done(t, FAULTS_STEP_OPEN, &t0);
	bpf_program__set_autoload(skel->progs.fentry_fault, fentry && !cast);
	bpf_program__set_autoload(skel->progs.fexit_fault, fentry && !cast);
	bpf_program__set_autoload(skel->progs.fentry_fault_ld, fentry && cast);
	bpf_program__set_autoload(skel->progs.fexit_fault_ld, fentry && cast);
	bpf_program__set_autoload(skel->progs.kprobe_fault, !fentry && !cast);
	bpf_program__set_autoload(skel->progs.kretprobe_fault, !fentry && !cast);
	bpf_program__set_autoload(skel->progs.kprobe_fault_ld, !fentry && cast);
	bpf_program__set_autoload(skel->progs.kret_fault_ld,
				  !fentry && cast);
	bpf_program__set_autoload(skel->progs.follow_exec, o->follow);
	bpf_program__set_autoload(skel->progs.follow_fork, o->follow);
	bpf_program__set_autoload(skel->progs.follow_exit, o->follow);

	skel->rodata->targ_tgid = o->pid;
	skel->rodata->follow = o->follow;
	skel->rodata->root_tgid = o->follow;
	skel->rodata->filter_cgroup = t->cgroup_fd >= 0;
	skel->rodata->want_pfn = t->sum.pfn == FAULTS_PFN_OK;
	skel->rodata->layout_known = t->walk;
	memcpy((void *)skel->rodata->ksym_addr, t->ksyms, sizeof(t->ksyms));
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
	skel->rodata->merge = !o->raw;
	skel->rodata->want_ustack = t->sum.ustack;
	skel->rodata->want_kstack = t->sum.kstack;
	skel->rodata->agg = o->agg;
	if (o->agg && o->agg_top)
		skel->rodata->agg_by =
			faults_top_by(o->agg_top) == FAULTS_BY_COMM ?
			MMSCOPE_AGG_BY_COMM :
			faults_top_by(o->agg_top) == FAULTS_BY_CGROUP ?
			MMSCOPE_AGG_BY_CGROUP : MMSCOPE_AGG_BY_NONE;
	/* agg: no records; the smallest ring buffer (one page) */
	if (o->agg)
		size = 4096;
	err = bpf_map__set_max_entries(skel->maps.events, size);
	if (!err)
		err = faults_bpf__load(skel);
	step_done(t, FAULTS_STEP_LOAD, &t0);
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
	if (!err) {
		err = faults_bpf__attach(skel);
		step_done(t, FAULTS_STEP_ATTACH, &t0);
	}
	if (err) {
		faults_bpf__destroy(skel);
		step_done(t, FAULTS_STEP_CLOSE, &t0);
		return err;
	}
	t->skel = skel;
	t->fentry = fentry;
	t->sum.cast_walk = cast;
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
	uint64_t size = o->ringbuf_size, t0;
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
	t->sum.raw = o->raw;
	t->sum.agg = o->agg;
	t->agg_top = o->agg_top;
	t->min_lat_ns = o->min_lat_ns;
	t->major = o->major;
	if (!o->raw) {
		t->merge = faults_merge_new();
		if (!t->merge) {
			free(t);
			return -ENOMEM;
		}
	}
	t->sum.pgfault_all = pgfault_counts_retries();
	/* Classes need the walk, PFNs also CAP_SYS_ADMIN. */
	libbpf_set_print(silent_print);
	t0 = faults_mono_ns();
	t->walk = layout_symbols(t->ksyms);
	t->sum.walk = t->walk;
	step_done(t, FAULTS_STEP_SYMBOLS, &t0);
	t->sum.pfn = !have_cap(CAP_SYS_ADMIN) ? FAULTS_PFN_NOCAP :
		     !t->walk ? FAULTS_PFN_KALLSYMS : FAULTS_PFN_OK;
	/* Kernel addresses are root's, as PFNs are. */
	t->sum.ustack = o->ustack || o->kstack;
	t->sum.kstack = o->kstack && have_cap(CAP_SYS_ADMIN);
	t->sum.kstack_hidden = o->kstack && !t->sum.kstack;
	if (o->cgroup) {
		t->cgroup_fd = open(o->cgroup, O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC);
		if (t->cgroup_fd < 0) {
			err = -errno;
			goto err_free;
		}
	}
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
	t0 = faults_mono_ns();
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events),
				 handle_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		goto err_destroy;
	}
	step_done(t, FAULTS_STEP_READER, &t0);
	*tp = t;
	return 0;

err_destroy:
	faults_bpf__destroy(t->skel);
err_free:
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	faults_merge_free(t->merge);
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
	uint64_t t0;

	t->sum.pgfault[2] = vmstat_pgfault();
	t0 = faults_mono_ns();
	faults_bpf__detach(t->skel);
	step_done(t, FAULTS_STEP_DETACH, &t0);
	t->sum.pgfault[3] = vmstat_pgfault();
	ring_buffer__consume(t->rb);
	/* the chains that never completed, as they are */
	if (t->merge)
		faults_merge_flush(t->merge, report, t);
	if (t->sum.agg) {
		int err = faults_kagg_read(t->skel, &t->sum, t->agg_top);

		if (err)
			fprintf(stderr, "%s faults: cannot read the kernel's counts: %s\n",
				prog, strerror(-err));
	}
	t->sum.lost = percpu_sum(t->skel->maps.lost);
	t->sum.missed = missed_events(t);
	prog_costs(t);
	if (t->sum.ustack)
		stack_failures(t, t->sum.stack_failed);
	t->sum.kprobe = !t->fentry;
	t0 = faults_mono_ns();
	ring_buffer__free(t->rb);
	faults_bpf__destroy(t->skel);
	step_done(t, FAULTS_STEP_CLOSE, &t0);
	if (s)
		*s = t->sum;
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	faults_merge_free(t->merge);
	free(t);
}

bool faults_trace_kstack(const struct faults_tracer *t)
{
	return t->sum.kstack;
}

enum faults_pfn faults_trace_pfn(const struct faults_tracer *t)
{
	return t->sum.pfn;
}
