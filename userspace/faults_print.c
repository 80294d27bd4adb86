// SPDX-License-Identifier: GPL-2.0
/* mmscope faults: events and the summary, as text and as JSON. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "faults.h"

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

static const char *const class_names[MMSCOPE_FC_NR] = {
	[MMSCOPE_FC_UNKNOWN] = NULL,
	[MMSCOPE_FC_ANON] = "anon",
	[MMSCOPE_FC_ZERO] = "zero",
	[MMSCOPE_FC_COW] = "cow",
	[MMSCOPE_FC_REUSE] = "reuse",
	[MMSCOPE_FC_FILE_MINOR] = "file_minor",
	[MMSCOPE_FC_FILE_MAJOR] = "file_major",
	[MMSCOPE_FC_SWAP_MINOR] = "swap_minor",
	[MMSCOPE_FC_SWAP_MAJOR] = "swap_major",
	[MMSCOPE_FC_NUMA] = "numa",
	[MMSCOPE_FC_UFFD] = "uffd",
	[MMSCOPE_FC_HUGETLB] = "hugetlb",
	[MMSCOPE_FC_ERROR] = "error",
	[MMSCOPE_FC_RETRY] = "retry",
	[MMSCOPE_FC_SPURIOUS] = "spurious",
};

/**
 * fault_class_name() - the name of a fault class
 * @c: enum mmscope_fault_class
 *
 * Return: the name, NULL for MMSCOPE_FC_UNKNOWN or a value out of range.
 */
const char *fault_class_name(uint32_t c)
{
	return c < MMSCOPE_FC_NR ? class_names[c] : NULL;
}

/* Whether the events carry PFNs: an enum, the reason in the docs. */
static const char *pfn_status(enum faults_pfn p)
{
	return p == FAULTS_PFN_NOCAP ? "hidden" :
	       p == FAULTS_PFN_KALLSYMS ? "unavailable" : "shown";
}

static void result_text(uint32_t r, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!(r & (MMSCOPE_FR_MAJOR | MMSCOPE_FR_RETRY | FAULTS_FR_ERROR)))
		n += snprintf(buf, len, "minor");
	for (i = 0; i < MMSCOPE_FR_NR && n < len; i++)
		if (r & (1u << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
				      fault_result_bits.names[i]);
}

void faults_print_header(void)
{
	printf("%12s %3s %7s %7s %-15s %16s %-3s %-10s %-14s %4s %3s %9s %10s %s\n",
	       "TIME(s)", "CPU", "PID", "TID", "COMM", "ADDR", "RWX",
	       "CLASS", "RESULT", "LOCK", "RTY", "LAT(us)", "PFN", "VMA");
}

/* The lock the (completing) call ran under: the per-VMA lock (6.4+). */
static const char *lock_name(uint32_t flags)
{
	return flags & MMSCOPE_FF_VMA_LOCK ? "vma" : "mmap";
}

static void event_json(struct faults_out *out, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;

	json_obj_open(NULL);
	json_str("type", "fault");
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
	json_bits("flags", &fault_flag_bits, e->flags);
	json_bits("result", &fault_result_bits, e->result);
	json_bool("major", e->result & MMSCOPE_FR_MAJOR);
	/* null: not classified (the page table could not be read) */
	json_str("class", fault_class_name(e->fclass));
	json_bool("huge", e->bits & MMSCOPE_FB_HUGE);
	json_u64("latency_ns", e->latency_ns);
	/* the calls after the first (VM_FAULT_RETRY); 0 with --raw */
	json_u64("retries", ev->retries);
	json_str("lock", lock_name(e->flags));
	json_obj_open("vma");
	json_hex("start", e->vma_start);
	json_hex("end", e->vma_end);
	json_bits("flags", vm_flag_bits(), e->vm_flags);
	json_hex("raw_flags", e->vm_flags);
	/* JSON 1 called it "file": the file's name, null for anonymous memory */
	json_str("name", e->bits & MMSCOPE_FB_FILE ? e->file : NULL);
	json_obj_close();
	if (e->bits & MMSCOPE_FB_PFN) {
		json_u64("pfn", e->pfn);
		json_str("level", fault_level_name(e->level));
	} else {
		json_null("pfn");
		json_null("level");
	}
	if (out && out->sym)
		faults_stack_json(out, ev);
	json_obj_close();
}

void faults_print_event(void *ctx, const struct faults_event *ev)
{
	const struct mmscope_fault *e = &ev->f;
	struct faults_out *out = ctx;
	const char *cls = fault_class_name(e->fclass);
	char res[128], kind[4];

	if (out->top)
		faults_top_add(out->top, ev);
	if (out->iv)
		faults_interval_add(out->iv, ev);
	if (out->table)
		faults_live_add(out->table, ev);
	if (!out->live)
		return;
	if (json_output) {
		event_json(out, ev);
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
	printf("%12.6f %3u %7u %7u %-15.15s %16llx %s %-10s %-14s %4s %3u %9.1f ",
	       (e->ts_ns - out->t0) / 1e9, e->cpu, e->pid, e->tid, e->comm,
	       (unsigned long long)e->addr, kind, cls ? cls : "-", res,
	       lock_name(e->flags), ev->retries, e->latency_ns / 1e3);
	if (e->bits & MMSCOPE_FB_PFN)
		printf("%10llx", (unsigned long long)e->pfn);
	else
		printf("%10s", out->pfn == FAULTS_PFN_NOCAP ? "hidden" : "-");
	printf(" %llx-%llx %s\n", (unsigned long long)e->vma_start,
	       (unsigned long long)e->vma_end,
	       e->bits & MMSCOPE_FB_FILE ? e->file : "[anon]");
	if (out->sym)
		faults_stack_text(out, ev);
}

static void print_summary_json(struct faults_summary *s, unsigned int ntop,
			       const struct faults_child *c)
{
	unsigned int i;

	json_obj_open(NULL);
	json_str("type", "summary");
	json_obj_open("summary");
	json_u64("events", s->events);
	/* events are faults (retried calls merged), or calls with --raw */
	json_bool("raw", s->raw);
	/* kernel: counted in BPF maps, no record per fault (no top_vmas) */
	json_str("aggregation", s->agg ? "kernel" : "user");
	json_u64("calls", s->calls);
	json_u64("retries", s->retries);
	json_obj_open("locks");
	json_u64("mmap", s->locks[0]);
	json_u64("vma", s->locks[1]);
	json_obj_close();
	json_u64("lost", s->lost);
	json_u64("missed", s->missed);
	json_str("probe", s->kprobe ? "kprobe" : "fentry");
	if (!s->walk)		/* the layout is hidden: classes unknown */
		json_null("walk");
	else
		json_str("walk", s->cast_walk ? "inline" : "helper");
	json_str("pfn", pfn_status(s->pfn));
	json_u64("completed", s->completed);
	json_u64("accounted", s->accounted);
	json_str("pgfault_counts", s->pgfault_all ? "every_call" :
		 "without_retry");
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
	/* Every class, 0 included; "unclassified": the events without one. */
	json_obj_open("classes");
	for (i = 1; i < MMSCOPE_FC_NR; i++)
		json_u64(class_names[i], s->classes[i]);
	json_obj_close();
	json_u64("unclassified", s->classes[MMSCOPE_FC_UNKNOWN]);
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
		json_str("name", s->vmas[i].file ? s->vmas[i].name : NULL);
		json_u64("faults", s->vmas[i].count);
		json_obj_close();
	}
	json_arr_close();
	if (s->ustack)
		faults_stack_summary(s);
	/* null: not measured (kernel.bpf_stats_enabled was 0) */
	if (s->bpf_stats) {
		json_arr_open("bpf_cost");
		for (i = 0; i < s->nprogs; i++) {
			json_obj_open(NULL);
			json_str("prog", s->progs[i].name);
			json_u64("runs", s->progs[i].runs);
			json_u64("run_time_ns", s->progs[i].run_time_ns);
			json_obj_close();
		}
		json_arr_close();
	} else {
		json_null("bpf_cost");
	}
	json_obj_open("setup_ns");
	for (i = 0; i < FAULTS_STEP_NR; i++)
		json_u64(faults_step_names[i], s->setup_ns[i]);
	json_obj_close();
	json_arr_open("latency_log2_ns");
	for (i = 0; i < FAULTS_HIST_SLOTS; i++)
		json_u64(NULL, s->hist[i]);
	json_arr_close();
	/* Per class, the classes that have faults (the unclassified: "-"). */
	json_obj_open("latency_log2_ns_by_class");
	for (i = 0; i < MMSCOPE_FC_NR; i++) {
		unsigned int j;

		if (!s->classes[i])
			continue;
		json_arr_open(fault_class_name(i) ?: "-");
		for (j = 0; j < FAULTS_HIST_SLOTS; j++)
			json_u64(NULL, s->class_hist[i][j]);
		json_arr_close();
	}
	json_obj_close();
	if (c->reaped) {
		json_obj_open("child");
		json_u64("pid", c->pid);
		/* exit code, or 128 + the signal that killed it */
		json_s64("status", c->status);
		json_u64("minflt", c->minflt);
		json_u64("majflt", c->majflt);
		json_obj_close();
	}
	json_obj_close();
	json_obj_close();
}

/* The programs' own time per run (kernel.bpf_stats_enabled). */
static void print_bpf_cost(const struct faults_summary *s)
{
	unsigned int i;

	if (!s->bpf_stats) {
		printf("  BPF cost: not measured (sysctl kernel.bpf_stats_enabled=1 measures it)\n");
		return;
	}
	printf("  BPF cost:");
	for (i = 0; i < s->nprogs; i++)
		printf("  %s %llu runs, %.0f ns/run", s->progs[i].name,
		       (unsigned long long)s->progs[i].runs,
		       s->progs[i].runs ? (double)s->progs[i].run_time_ns /
					  s->progs[i].runs : 0.0);
	printf("\n");
}

/* The tracer's own start-up and tear-down, step by step. */
static void print_setup(const struct faults_summary *s)
{
	unsigned int i;

	printf("  tracer set-up and tear-down (ms):");
	for (i = 0; i < FAULTS_STEP_NR; i++)
		printf(" %s %.1f", faults_step_names[i], s->setup_ns[i] / 1e6);
	printf("\n");
}

static void print_summary_text(struct faults_summary *s, unsigned int ntop,
			       const struct faults_child *c, bool full, bool hist)
{
	unsigned int i;

	fprintf(stdout, "\n%llu %s traced (%s%s), %llu lost, %llu missed\n",
		(unsigned long long)s->events,
		s->raw ? "handle_mm_fault() calls" : "faults",
		s->kprobe ? "kprobe" : "fentry",
		s->cast_walk ? ", walk inline" : "",
		(unsigned long long)s->lost, (unsigned long long)s->missed);
	if (s->ustack)
		faults_stack_summary(s);
	if (full) {
		print_bpf_cost(s);
		print_setup(s);
		printf("  calls %llu  retries %llu  lock: vma %llu  mmap %llu\n",
		       (unsigned long long)s->calls,
		       (unsigned long long)s->retries,
		       (unsigned long long)s->locks[1],
		       (unsigned long long)s->locks[0]);
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
		printf("  class");
		for (i = 1; i < MMSCOPE_FC_NR; i++)
			if (s->classes[i])
				printf(" %s %llu", class_names[i],
				       (unsigned long long)s->classes[i]);
		if (s->classes[MMSCOPE_FC_UNKNOWN])
			printf(" unclassified %llu",
			       (unsigned long long)s->classes[MMSCOPE_FC_UNKNOWN]);
		putchar('\n');
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
		unsigned int c, nclass = 0;

		putchar('\n');
		print_log2_hist(stdout, s->hist, FAULTS_HIST_SLOTS,
				"latency (ns)");
		for (c = 0; c < MMSCOPE_FC_NR; c++)
			nclass += !!s->classes[c];
		/* Then each class on its own, where there is more than one. */
		for (c = 0; hist && nclass > 1 && c < MMSCOPE_FC_NR; c++) {
			char unit[32];

			if (!s->classes[c])
				continue;
			printf("\nclass %s: %llu faults\n",
			       fault_class_name(c) ?: "- (unclassified)",
			       (unsigned long long)s->classes[c]);
			snprintf(unit, sizeof(unit), "%s (ns)",
				 fault_class_name(c) ?: "-");
			print_log2_hist(stdout, s->class_hist[c],
					FAULTS_HIST_SLOTS, unit);
		}
	}
	if (!full && !hist)
		printf("RWX: R read, W write, X instruction fetch; U user, K kernel mode; r remote.\n"
		       "CLASS: anon new page, zero zero page, cow copied, reuse made writable, file_/swap_minor|major\n"
		       "  cache hit|read I/O, numa, uffd, hugetlb, error, retry (retried, never completed), spurious (nothing to do); - unknown.\n"
		       "LOCK: vma per-VMA lock, mmap mmap_lock (of the completing call); RTY: times the fault was retried (VM_FAULT_RETRY).\n"
		       "TIME in seconds from the first event, LAT(us) in microseconds, ADDR and PFN hex.\n");
	if (!full && !hist && s->ustack)
		printf("Frames: u0 the faulting instruction, u1.. its callers (frame pointers), k0.. kernel;\n"
		       "  function+offset hex, (file:line) from DWARF, then the binary; ? unknown.\n");
	if (s->pfn == FAULTS_PFN_NOCAP)
		printf("PFNs hidden: they need CAP_SYS_ADMIN.\n");
	else if (s->pfn == FAULTS_PFN_KALLSYMS)
		printf("PFNs unavailable: /proc/kallsyms hides the kernel layout (needs CAP_SYSLOG).\n");
}

void faults_print_summary(struct faults_summary *s, const struct faults_child *c,
			  bool full, bool hist)
{
	unsigned int ntop = faults_summary_top(s);

	if (json_output)
		print_summary_json(s, ntop, c);
	else
		print_summary_text(s, ntop, c, full, hist);
}

/**
 * faults_event_json() - one event as `faults --json` prints it
 * @ev: the event
 *
 * For the report, which embeds the events in its own document.
 */
void faults_event_json(const struct faults_event *ev)
{
	event_json(NULL, ev);
}

/**
 * faults_summary_json() - the summary record as `faults --json` prints it
 * @s: the summary (its VMA table is sorted)
 * @c: the traced command (reaped or not)
 */
void faults_summary_json(struct faults_summary *s, const struct faults_child *c)
{
	print_summary_json(s, faults_summary_top(s), c);
}
