// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: stream page faults from bpf/faults.bpf.c.
 *
 * parse the options -> start the command (child.c) -> start the tracer
 * (trace.c) -> poll until the deadline, a signal or the command's end ->
 * stop -> print the summary (faults_print.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "faults.h"
#include "../bpf/faults_agg.h"

#define FAULTS_POLL_MS		100

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static bool is_cgroup2_dir(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == 0x63677270;	/* CGROUP2 */
}

enum {
	OPT_MIN_LAT = 256, OPT_MAJOR, OPT_RANGE, OPT_HIST,
	OPT_SUMMARY, OPT_RINGBUF, OPT_CGROUP, OPT_KPROBE, OPT_RAW,
	OPT_TOP, OPT_BY, OPT_INTERVAL, OPT_LIVE,
	OPT_STACK = 320, OPT_KSTACK, OPT_STREAM,
};

/* @s seconds from now, saturated: a huge --duration never wraps around. */
static uint64_t deadline_after(uint64_t s)
{
	uint64_t now = faults_mono_ns();

	if (s >= (UINT64_MAX - now) / 1000000000ULL)
		return UINT64_MAX;
	return now + s * 1000000000ULL;
}

int cmd_faults(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "min-lat", required_argument, NULL, OPT_MIN_LAT },
		{ "major", no_argument, NULL, OPT_MAJOR },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "duration", required_argument, NULL, 'd' },
		{ "hist", no_argument, NULL, OPT_HIST },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "kprobe", no_argument, NULL, OPT_KPROBE },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "by", required_argument, NULL, OPT_BY },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "live", no_argument, NULL, OPT_LIVE },
		{ "stack", no_argument, NULL, OPT_STACK },
		{ "kstack", no_argument, NULL, OPT_KSTACK },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ NULL, 0, NULL, 0 },
	};
	struct faults_opts o = { 0 };
	struct faults_summary sum;
	struct faults_child child = { 0 };
	struct faults_out out = { 0 };
	struct faults_interval iv = { 0 };
	enum faults_by by = FAULTS_BY_NONE;
	uint64_t top_n = 0;
	struct faults_tracer *t = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	bool hist = false, summary = false, live = false, stream = false;
	uint64_t v, duration_s = 0, deadline = 0;
	int opt, err, status, go_fd = -1, err_fd = -1, ret = EXIT_FAIL;

	/* '+': the options end at the first operand (CMD after --). */
	while ((opt = cmd_getopt(argc, argv, "+p:c:d:", longopts,
				 &status)) != -1) {
		switch (opt) {
		case OPT_EXIT:
			return status;
		case 'p':
			if (parse_pid(optarg, &o.pid))
				return usage_error("faults", "'%s' is not a valid PID",
						   optarg);
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= MMSCOPE_COMM_LEN)
				return usage_error("faults", "--comm '%s': a command name is 1-15 characters",
						   optarg);
			o.comm = optarg;
			break;
		case OPT_CGROUP:
			if (!is_cgroup2_dir(optarg))
				return usage_error("faults", "--cgroup '%s' is not a cgroup2 directory",
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
		case 'd':
			if (parse_u64(optarg, &duration_s) || !duration_s)
				return usage_error("faults", "bad --duration '%s' (seconds, at least 1)",
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
				return usage_error("faults", "bad --ringbuf-size '%s' (a power of two, 4k-1G)",
						   optarg);
			break;
		case OPT_KPROBE:
			o.kprobe = true;
			break;
		case OPT_RAW:
			o.raw = true;
			break;
		case OPT_TOP:
			if (parse_u64(optarg, &top_n) || !top_n || top_n > 10000)
				return usage_error("faults", "bad --top '%s' (rows, 1-10000)",
						   optarg);
			break;
		case OPT_BY:
			by = faults_by_parse(optarg);
			if (by == FAULTS_BY_NONE)
				return usage_error("faults", "bad --by '%s' (class, comm, vma, file, cgroup or sym)",
						   optarg);
			break;
		case OPT_INTERVAL:
			if (parse_u64(optarg, &v) || !v || v > 86400)
				return usage_error("faults", "bad --interval '%s' (seconds, 1-86400)",
						   optarg);
			iv.period_ns = v * 1000000000ULL;
			break;
		case OPT_LIVE:
			live = true;
			break;
		case OPT_STACK:
			o.ustack = true;
			break;
		case OPT_KSTACK:
			o.kstack = true;
			break;
		case OPT_STREAM:
			stream = true;
			break;
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--"))
		return usage_error("faults", "unexpected argument '%s' (a command goes after --)",
				   argv[optind]);
	if (optind < argc && o.pid)
		return usage_error("faults", "--pid and -- CMD exclude each other");
	if (by != FAULTS_BY_NONE && !top_n)
		return usage_error("faults", "--by needs --top N");
	if (live && (json_output || hist || summary || top_n || iv.period_ns ||
		     o.ustack || o.kstack))
		return usage_error("faults", "--live draws its own table: not with --json, --hist, --summary, --top, --interval or --stack");
	out.live = !hist && !summary && !top_n && !iv.period_ns && !live;
	if ((o.ustack || o.kstack) && !out.live)
		return usage_error("faults", "--stack and --kstack print frames under each event: not with --hist, --summary, --top or --interval");
	if (iv.period_ns)
		out.iv = &iv;
	/* --by sym: each fault's user stack, for its frame 0's function */
	if (by == FAULTS_BY_SYM)
		o.ustack = true;
	if (o.ustack || o.kstack) {
		out.sym = symbolizer_new();
		if (!out.sym)
			return error("faults: out of memory");
	}

	if (optind < argc) {
		child.pid = spawn_stopped(argv + optind, &go_fd, &err_fd);
		if (child.pid < 0)
			return error("faults: cannot start %s: %s", argv[optind],
				     strerror(errno));
		/* The command's process tree (other filters narrow it). */
		o.follow = child.pid;
	}

	if (top_n) {
		out.top = faults_top_new(by != FAULTS_BY_NONE ? by :
					 FAULTS_BY_CLASS, top_n, out.sym);
		if (!out.top) {
			error("faults: %s", strerror(ENOMEM));
			goto cleanup;
		}
	}

	/*
	 * --hist and --top by class, comm or cgroup alone: counted in the
	 * kernel, no record per fault (faults_kagg.c); --stream: not.
	 */
	o.agg = !stream && (hist || top_n) &&
		faults_kagg_possible(&o, out.live || summary || live ||
				     iv.period_ns ||
				     (by != FAULTS_BY_NONE &&
				      by != FAULTS_BY_CLASS &&
				      by != FAULTS_BY_COMM &&
				      by != FAULTS_BY_CGROUP));
	o.agg_top = out.top;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = faults_trace_start(&o, faults_print_event, &out, &t);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			error("faults: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
		else
			error("faults: cannot load or attach the BPF program: %s",
			      strerror(-err));
		goto cleanup;
	}
	out.pfn = faults_trace_pfn(t);
	out.kstack = faults_trace_kstack(t);
	out.kstack_hidden = o.kstack && !out.kstack;
	if (out.kstack_hidden)
		fprintf(stderr, "%s faults: kernel stacks are hidden: kernel addresses need CAP_SYS_ADMIN\n",
			prog);
	if (out.pfn == FAULTS_PFN_KALLSYMS)
		fprintf(stderr, "%s faults: warning: /proc/kallsyms hides kernel addresses (kptr_restrict; needs CAP_SYSLOG): PFNs are not reported\n",
			prog);
	else if (out.pfn == FAULTS_PFN_NOCAP && !json_output)
		fprintf(stderr, "%s faults: PFNs are hidden: they need CAP_SYS_ADMIN\n",
			prog);
	if (child.pid) {
		if (start_stopped(&go_fd)) {
			error("faults: the command did not start");
			goto cleanup;
		}
	} else if (!json_output) {
		fprintf(stderr, "Tracing page faults%s. Ctrl-C to end.\n",
			o.pid ? " of one process" : "");
	}
	if (out.live && !json_output)
		faults_print_header();
	if (live) {
		out.table = faults_live_new(faults_mono_ns());
		if (!out.table) {
			error("faults: %s", strerror(ENOMEM));
			goto cleanup;
		}
	}
	if (duration_s)
		deadline = deadline_after(duration_s);
	iv.t0_ns = iv.start_ns = faults_mono_ns();

	while (!exiting) {
		err = faults_trace_poll(t, FAULTS_POLL_MS);
		if (err) {
			error("faults: reading the ring buffer: %s", strerror(-err));
			goto cleanup;
		}
		if (iv.period_ns && faults_mono_ns() - iv.start_ns >= iv.period_ns)
			faults_interval_print(&iv, faults_mono_ns());
		if (out.table && faults_live_tick(out.table, faults_mono_ns()))
			break;
		if (deadline && faults_mono_ns() >= deadline)
			break;
		if (child.pid && reap_child(&child, t, 0))
			break;
	}
	/* Deadline or signal: end the command first, then the trace. */
	if (child.pid > 0)
		end_child(&child, t);
	/* The command's own status; mmscope's failure if it could not run. */
	ret = !child.pid ? EXIT_OK : child.reaped ? child.status : EXIT_FAIL;
	if (child.reaped && (err = child_exec_error(err_fd))) {
		error("faults: cannot run '%s': %s", argv[optind],
		      strerror(err));
		ret = EXIT_FAIL;
	}
cleanup:
	if (child.pid > 0 && !child.reaped)
		end_child(&child, t);
	if (t) {
		faults_trace_stop(t, &sum);
		/* the last table: every fault, up to the end of the trace */
		faults_live_free(out.table, faults_mono_ns());
		out.table = NULL;
		/* the last interval, partial: the intervals add up to all */
		if (iv.period_ns) {
			faults_interval_print(&iv, faults_mono_ns());
			faults_interval_legend();
		}
		if (out.top)
			faults_top_print(out.top);
		if (out.sym)
			sym_get_stats(out.sym, &sum.sym);
		if (sum.agg_other)
			fprintf(stderr, "%s faults: %llu faults of keys past the kernel's table of %u counted as (other)\n",
				prog, (unsigned long long)sum.agg_other,
				MMSCOPE_AGG_KEYS);
		faults_print_summary(&sum, &child, summary, hist);
	}
	faults_top_free(out.top);
	faults_live_free(out.table, faults_mono_ns());
	symbolizer_free(out.sym);
	if (go_fd >= 0)
		close(go_fd);
	if (err_fd >= 0)
		close(err_fd);
	return ret;
}
