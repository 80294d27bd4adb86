// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report [-p PID]... -o FILE.html: one self-contained HTML page
 * holding the --json documents of vma, pt and sampled translates of each
 * process and of buddy, phys and slab, and drawing them with the page's own
 * script and style (userspace/report/, compiled in as C strings by the
 * Makefile).  Nothing in the page is fetched: its Content-Security-Policy
 * forbids every request, and it works from file://.
 *
 * Each document is written by the command's own JSON function into a
 * memory stream first (the emitter nests one document at a time), then
 * placed into the report's document with json_raw().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include "cli.h"
#include "report_faults.h"
#include "report_assets.h"	/* report_js[], report_css[]: generated */

#define REPORT_MAX_PIDS		16
/* Translate samples: start, middle and last page of up to this many VMAs. */
#define REPORT_SAMPLE_VMAS	100
#define REPORT_SAMPLES_PER_VMA	3

struct report_err {
	const char *view;
	int pid;
	int err;
};

struct report_proc {
	int pid;
	char comm[32];
	bool have_comm;
	char *vma, *pt;		/* the documents, NULL when refused */
	char **tr;		/* translate documents */
	size_t nr_tr;
};

struct report {
	struct report_proc procs[REPORT_MAX_PIDS];
	int nr_procs;
	char *buddy, *phys, *slab;
	struct report_err errs[3 * REPORT_MAX_PIDS + 4];
	int nr_errs;
	struct report_faults faults;	/* --faults: seconds != 0 */
};

static FILE *cap;
static char *cap_buf;
static size_t cap_len;

/* Start capturing the emitter's output into memory. */
static int cap_start(void)
{
	cap = open_memstream(&cap_buf, &cap_len);
	if (!cap)
		return -ENOMEM;
	json_set_output(cap);
	return 0;
}

/* End the capture: the document, without its final newline, or NULL. */
static char *cap_end(void)
{
	char *s;

	json_set_output(NULL);
	if (fclose(cap)) {
		free(cap_buf);
		cap = NULL;
		return NULL;
	}
	cap = NULL;
	s = cap_buf;
	while (cap_len && (s[cap_len - 1] == '\n'))
		s[--cap_len] = '\0';
	if (!cap_len) {
		free(s);
		return NULL;
	}
	return s;
}

static void report_error(struct report *rp, const char *view, int pid,
			 int err)
{
	if (rp->nr_errs < (int)(sizeof(rp->errs) / sizeof(rp->errs[0])))
		rp->errs[rp->nr_errs++] = (struct report_err){ view, pid, err };
	dev_error(err, view, pid);
}

/* The pages of every VMA whose translation the page shows as is. */
static int report_translates(struct report_proc *p,
			     const struct mmscope_result *vmas)
{
	const struct mmscope_rec_hdr *r;
	size_t nr_vma = 0, step, i = 0, max;
	struct mmscope_result res;

	for (r = NULL; (r = dev_next(vmas, r));)
		nr_vma += r->type == MMSCOPE_REC_VMA;
	step = (nr_vma + REPORT_SAMPLE_VMAS - 1) / REPORT_SAMPLE_VMAS;
	if (!step)
		return 0;
	max = REPORT_SAMPLE_VMAS * REPORT_SAMPLES_PER_VMA;
	p->tr = calloc(max, sizeof(*p->tr));
	if (!p->tr)
		return -ENOMEM;
	for (r = NULL; (r = dev_next(vmas, r));) {
		const struct mmscope_vma *v = (const void *)r;
		uint64_t pages, addr[REPORT_SAMPLES_PER_VMA];
		int k;

		if (r->type != MMSCOPE_REC_VMA || i++ % step)
			continue;
		pages = (v->end - v->start) / 4096;
		addr[0] = v->start;
		addr[1] = v->start + pages / 2 * 4096;
		addr[2] = v->end - 4096;
		for (k = 0; k < REPORT_SAMPLES_PER_VMA && p->nr_tr < max; k++) {
			if (k && addr[k] == addr[k - 1])
				continue;
			if (translate_fetch(p->pid, addr[k], &res))
				continue;	/* the VMA went away: no sample */
			if (!cap_start()) {
				translate_print_json(p->pid, addr[k], &res);
				p->tr[p->nr_tr] = cap_end();
				p->nr_tr += !!p->tr[p->nr_tr];
			}
			dev_result_free(&res);
		}
	}
	return 0;
}

static int report_proc(struct report *rp, struct report_proc *p)
{
	struct mmscope_result vmas, res;
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	f = fopen(path, "re");
	if (f) {
		p->have_comm = fgets(p->comm, sizeof(p->comm), f);
		p->comm[strcspn(p->comm, "\n")] = '\0';
		fclose(f);
	}
	err = vma_fetch(p->pid, &vmas);
	if (err)
		return dev_error(err, "report: vma", p->pid);
	if (cap_start()) {
		dev_result_free(&vmas);
		return error("report: out of memory");
	}
	vma_print_json(&vmas, p->pid);
	p->vma = cap_end();
	err = pt_fetch(p->pid, 0, 0, false, &res);
	if (err) {
		report_error(rp, "pt", p->pid, err);
	} else {
		if (!cap_start()) {
			pt_print_json(p->pid, &res);
			p->pt = cap_end();
		}
		dev_result_free(&res);
	}
	err = report_translates(p, &vmas);
	dev_result_free(&vmas);
	if (err || !p->vma)
		return error("report: out of memory");
	return 0;
}

/* buddy, phys and slab: a refused view is null in the report. */
static void report_system(struct report *rp)
{
	struct mmscope_result res;
	int err;

	err = buddy_fetch(false, &res);
	if (err) {
		report_error(rp, "buddy", -1, err);
	} else {
		if (!cap_start()) {
			buddy_print_json(&res, false);
			rp->buddy = cap_end();
		}
		dev_result_free(&res);
	}
	err = phys_fetch(0, 0, &res);
	if (err) {
		report_error(rp, "phys", -1, err);
	} else {
		if (!cap_start()) {
			phys_print_json(&res);
			rp->phys = cap_end();
		}
		dev_result_free(&res);
	}
	err = slab_fetch(NULL, 0, false, &res);
	if (err) {
		report_error(rp, "slab", -1, err);
	} else {
		if (!cap_start()) {
			slab_print_json(&res, 1);	/* by memory */
			rp->slab = cap_end();
		}
		dev_result_free(&res);
	}
}

static void raw_or_null(const char *key, const char *doc)
{
	if (doc)
		json_raw(key, doc);
	else
		json_null(key);
}

/* The report's own document, around the commands' documents. */
static void report_json(const struct report *rp)
{
	char when[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	int i;
	size_t k;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	json_obj_open(NULL);
	json_str("type", "report");
	json_u64("json", MMSCOPE_JSON_VERSION);
	json_str("created", when);
	json_str("host", u.nodename);
	json_str("kernel", u.release);
	json_arr_open("processes");
	for (i = 0; i < rp->nr_procs; i++) {
		const struct report_proc *p = &rp->procs[i];

		json_obj_open(NULL);
		json_s64("pid", p->pid);
		json_str("comm", p->have_comm ? p->comm : NULL);
		raw_or_null("vma", p->vma);
		raw_or_null("pt", p->pt);
		json_arr_open("translate");
		for (k = 0; k < p->nr_tr; k++)
			json_raw(NULL, p->tr[k]);
		json_arr_close();
		json_obj_close();
	}
	json_arr_close();
	raw_or_null("buddy", rp->buddy);
	raw_or_null("phys", rp->phys);
	raw_or_null("slab", rp->slab);
	report_faults_json(rp->faults.seconds && !rp->faults.err ?
			   &rp->faults : NULL);
	json_arr_open("errors");
	for (i = 0; i < rp->nr_errs; i++) {
		json_obj_open(NULL);
		json_str("view", rp->errs[i].view);
		if (rp->errs[i].pid > 0)
			json_s64("pid", rp->errs[i].pid);
		else
			json_null("pid");
		json_str("error", strerror(-rp->errs[i].err));
		json_obj_close();
	}
	json_arr_close();
	json_obj_close();
}

/*
 * The page.  In a <script> element only "</script" and "<!--" could end
 * or bend the data: '<' occurs in JSON only inside strings, where \u003c
 * is the same character.
 */
static void report_html(FILE *f, const char *json)
{
	const char *s;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>mmscope report</title>\n<style>\n", f);
	fputs(report_css, f);
	fputs("</style>\n</head>\n<body>\n<noscript>This report draws its pictures with "
	      "JavaScript; the data is in the mmscope-data element.</noscript>\n"
	      "<main id=\"app\"></main>\n"
	      "<script type=\"application/json\" id=\"mmscope-data\">", f);
	for (s = json; *s; s++) {
		if (*s == '<')
			fputs("\\u003c", f);
		else
			fputc(*s, f);
	}
	fputs("</script>\n<script>\n", f);
	fputs(report_js, f);
	fputs("</script>\n</body>\n</html>\n", f);
}

/*
 * --from FILE: the page of a report document saved with --json (made on
 * another machine, or earlier).  Only its type is checked here: the page
 * parses it.
 */
static int report_from(const char *from, const char *outfile, int nr_pids)
{
	char *doc = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in, *f;
	int ret = EXIT_OK;

	if (nr_pids || json_output || !outfile)
		return usage_error("report", "--from FILE takes -o FILE.html, no -p and no --json");
	in = strcmp(from, "-") ? fopen(from, "re") : stdin;
	if (!in)
		return error("report: cannot open %s: %s", from, strerror(errno));
	n = getdelim(&doc, &cap, '\0', in);
	if (in != stdin)
		fclose(in);
	if (n <= 0 || !strstr(doc, "\"type\":\"report\"")) {
		free(doc);
		return error("report: %s is not a report --json document", from);
	}
	while (n > 0 && (doc[n - 1] == '\n' || doc[n - 1] == ' '))
		doc[--n] = '\0';
	f = strcmp(outfile, "-") ? fopen(outfile, "we") : stdout;
	if (!f) {
		free(doc);
		return error("report: cannot create %s: %s", outfile, strerror(errno));
	}
	report_html(f, doc);
	if (f != stdout ? fclose(f) : fflush(f))
		ret = error("report: writing %s failed", outfile);
	free(doc);
	return ret;
}

static void report_free(struct report *rp)
{
	int i;
	size_t k;

	for (i = 0; i < rp->nr_procs; i++) {
		free(rp->procs[i].vma);
		free(rp->procs[i].pt);
		for (k = 0; k < rp->procs[i].nr_tr; k++)
			free(rp->procs[i].tr[k]);
		free(rp->procs[i].tr);
	}
	free(rp->buddy);
	free(rp->phys);
	free(rp->slab);
	report_faults_free(&rp->faults);
	free(rp);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'F' },
		{ "faults", required_argument, NULL, 'f' },
		{ "faults-max", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outfile = NULL, *from = NULL;
	struct report *rp;
	char *doc = NULL;
	size_t len = 0;
	int opt, status, pid, i, ret = EXIT_FAIL;
	uint64_t v;
	bool pretty = json_pretty;
	FILE *f;

	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return error("report: out of memory");
	rp->faults.max_events = REPORT_FAULTS_MAX;
	/* '+': the options end at the first operand (CMD after --). */
	while ((opt = cmd_getopt(argc, argv, "+p:o:", opts, &status)) != -1) {
		if (opt == OPT_EXIT) {
			free(rp);
			return status;
		}
		if (opt == 'o') {
			outfile = optarg;
		} else if (opt == 'F') {
			from = optarg;
		} else if (opt == 'f') {
			if (parse_u64(optarg, &v) || !v || v > REPORT_FAULTS_SECONDS_MAX) {
				free(rp);
				return usage_error("report", "bad --faults '%s' (seconds, 1-%d)",
						   optarg, REPORT_FAULTS_SECONDS_MAX);
			}
			rp->faults.seconds = v;
		} else if (opt == 'M') {
			if (parse_u64(optarg, &v) || v > REPORT_FAULTS_MAX_MAX) {
				free(rp);
				return usage_error("report", "bad --faults-max '%s' (events, 0-%d)",
						   optarg, REPORT_FAULTS_MAX_MAX);
			}
			rp->faults.max_events = v;
		} else if (opt == 'p') {
			if (parse_pid(optarg, &pid)) {
				free(rp);
				return usage_error("report", "'%s' is not a valid PID",
						   optarg);
			}
			if (rp->nr_procs == REPORT_MAX_PIDS) {
				free(rp);
				return usage_error("report", "at most %d processes",
						   REPORT_MAX_PIDS);
			}
			rp->procs[rp->nr_procs++].pid = pid;
		}
	}
	pretty = json_pretty;
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		free(rp);
		return usage_error("report", "unexpected argument '%s' (processes go with -p PID, a command after --)",
				   argv[optind]);
	}
	if (optind < argc && !rp->faults.seconds) {
		free(rp);
		return usage_error("report", "a command (-- CMD) is traced with --faults SECONDS");
	}
	if (optind < argc)
		rp->faults.argv = argv + optind;
	else if (rp->nr_procs == 1)
		rp->faults.pid = rp->procs[0].pid;	/* one process: its faults */
	if (!outfile && !json_output) {
		free(rp);
		return usage_error("report", "expected -o FILE.html (or -o - for stdout)");
	}
	if (from && rp->faults.seconds) {
		free(rp);
		return usage_error("report", "--from FILE and --faults exclude each other");
	}
	if (from) {
		ret = report_from(from, outfile, rp->nr_procs);
		free(rp);
		return ret;
	}
	/* The documents in the page are compact; --pretty indents the outer. */
	json_set_pretty(false);
	/* The faults first: the pictures then show the state they left. */
	if (rp->faults.seconds) {
		if (report_faults_run(&rp->faults))
			goto out;
		if (rp->faults.err)
			report_error(rp, "faults", rp->faults.pid, rp->faults.err);
	}
	for (i = 0; i < rp->nr_procs; i++)
		if (report_proc(rp, &rp->procs[i]))
			goto out;
	report_system(rp);
	/* Nothing to draw (no module, say): a failure, no file. */
	if (!rp->nr_procs && !rp->buddy && !rp->phys && !rp->slab &&
	    !(rp->faults.seconds && !rp->faults.err)) {
		error("report: no view could be read: nothing to report");
		goto out;
	}
	json_set_pretty(pretty && json_output);
	if (json_output && (!outfile || !strcmp(outfile, "-"))) {
		report_json(rp);
		ret = EXIT_OK;
		goto out;
	}
	f = outfile && strcmp(outfile, "-") ? fopen(outfile, "we") : stdout;
	if (!f) {
		error("report: cannot create %s: %s", outfile, strerror(errno));
		goto out;
	}
	if (cap_start()) {
		error("report: out of memory");
	} else {
		report_json(rp);
		doc = cap_end();
		(void)len;
		if (!doc) {
			error("report: out of memory");
		} else if (json_output) {
			fputs(doc, f);
			fputc('\n', f);
		} else {
			report_html(f, doc);
		}
	}
	if (f != stdout) {
		if (fclose(f) || !doc) {
			error("report: writing %s failed", outfile);
			doc = NULL;
		} else {
			fprintf(stderr, "report: wrote %s\n", outfile);
		}
	} else if (fflush(f)) {
		doc = NULL;
	}
	ret = doc ? EXIT_OK : EXIT_FAIL;
	free(doc);
out:
	json_set_pretty(pretty);
	report_free(rp);
	return ret;
}
