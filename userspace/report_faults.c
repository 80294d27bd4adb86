// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report --faults SECONDS [-- CMD ARGS]: the page faults of that
 * while, traced by the tracer of `mmscope faults` (trace.c), each event
 * the record `faults --json` prints (faults_event_json()), kept up to
 * max_events and counted beyond, and the summary record.  The page draws
 * them (userspace/report/report.js).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "faults.h"
#include "report_faults.h"

#define POLL_MS		100

static volatile sig_atomic_t stop_trace;

static void on_signal(int sig)
{
	stop_trace = 1;
}

struct sink {
	struct report_faults *rf;
	FILE *out;
};

/* Keep the first max_events events; count the others. */
static void on_event(void *ctx, const struct faults_event *e)
{
	struct sink *k = ctx;

	if (k->rf->kept >= k->rf->max_events) {
		k->rf->dropped++;
		return;
	}
	faults_event_json(e);
	k->rf->kept++;
}

/* The summary record, without its newline, or NULL. */
static char *summary_doc(struct faults_summary *s,
			 const struct faults_child *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_set_output(f);
	faults_summary_json(s, c);
	json_set_output(NULL);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return buf;
}

/**
 * report_faults_run() - trace the page faults for the report
 * @rf: what to trace; the events and the summary are filled in
 *
 * Return: 0 when traced or when the tracer could not start (its -errno in
 * @rf->err, for the page's error list); EXIT_FAIL, said on stderr, when
 * the command could not be run or memory ran out.
 */
int report_faults_run(struct report_faults *rf)
{
	struct faults_opts o = { 0 };
	struct faults_child child = { 0 };
	struct faults_summary sum;
	struct faults_tracer *t = NULL;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct sink k = { .rf = rf };
	int go_fd = -1, err_fd = -1, ret = EXIT_FAIL, err;
	uint64_t deadline;
	size_t i;

	k.out = open_memstream(&rf->buf, &rf->len);
	if (!k.out)
		return error("report: out of memory");
	o.pid = rf->pid;
	if (rf->argv) {
		child.pid = spawn_stopped(rf->argv, &go_fd, &err_fd);
		if (child.pid < 0) {
			fclose(k.out);
			return error("report: cannot start %s: %s", rf->argv[0],
				     strerror(errno));
		}
		o.follow = child.pid;
	}
	stop_trace = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	json_set_output(k.out);
	err = faults_trace_start(&o, on_event, &k, &t);
	if (err) {
		rf->err = err;	/* named by the caller, like a refused view */
		ret = 0;
		goto out;
	}
	if (child.pid) {
		if (start_stopped(&go_fd)) {
			error("report: the command did not start");
			goto out;
		}
	}
	deadline = faults_mono_ns() + rf->seconds * 1000000000ULL;
	while (!stop_trace) {
		err = faults_trace_poll(t, POLL_MS);
		if (err) {
			error("report: reading the ring buffer: %s", strerror(-err));
			goto out;
		}
		if (faults_mono_ns() >= deadline)
			break;
		if (child.pid && reap_child(&child, t, 0))
			break;
	}
	if (child.pid > 0)
		end_child(&child, t);
	err = child.reaped ? child_exec_error(err_fd) : 0;
	if (err) {
		error("report: cannot run '%s': %s", rf->argv[0], strerror(err));
		goto out;
	}
	ret = 0;
out:
	if (child.pid > 0 && !child.reaped)
		end_child(&child, t);
	if (t) {
		faults_trace_stop(t, &sum);
		/* Drained by the stop: the events of its last poll are in. */
		json_set_output(NULL);
		if (!ret) {
			rf->summary = summary_doc(&sum, &child);
			if (!rf->summary)
				ret = error("report: out of memory");
		}
	}
	json_set_output(NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (go_fd >= 0)
		close(go_fd);
	if (err_fd >= 0)
		close(err_fd);
	if (fclose(k.out) && !ret)
		ret = error("report: out of memory");
	/* One record per line: split them for json_raw(). */
	for (i = 0; rf->buf && i < rf->len; i++)
		if (rf->buf[i] == '\n')
			rf->buf[i] = '\0';
	return ret;
}

/**
 * report_faults_json() - the "faults" member of the report's document
 * @rf: the trace, NULL when the report has none
 */
void report_faults_json(const struct report_faults *rf)
{
	size_t i;
	char **a;

	if (!rf) {
		json_null("faults");
		return;
	}
	json_obj_open("faults");
	json_u64("seconds", rf->seconds);
	if (rf->argv) {
		json_arr_open("command");
		for (a = rf->argv; *a; a++)
			json_str(NULL, *a);
		json_arr_close();
	} else {
		json_null("command");
	}
	if (rf->pid)
		json_s64("pid", rf->pid);
	else
		json_null("pid");
	json_u64("max_events", rf->max_events);
	json_u64("kept", rf->kept);
	json_u64("dropped", rf->dropped);
	json_arr_open("events");
	for (i = 0; rf->buf && i < rf->len; i += strlen(rf->buf + i) + 1)
		if (rf->buf[i])
			json_raw(NULL, rf->buf + i);
	json_arr_close();
	if (rf->summary)
		json_raw("summary", rf->summary);
	else
		json_null("summary");
	json_obj_close();
}

/**
 * report_faults_free() - free what report_faults_run() filled in
 * @rf: the trace
 */
void report_faults_free(struct report_faults *rf)
{
	free(rf->buf);
	free(rf->summary);
	rf->buf = NULL;
	rf->summary = NULL;
}
