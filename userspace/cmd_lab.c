// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope lab [NAME]: list the labs, or run one (see lab.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "labs/lab.h"

static const struct lab *const lab_table[] = {
	&lab_demand,
	&lab_malloc,
	&lab_cow,
	&lab_filemap,
	&lab_translate,
	&lab_thp,
	&lab_vma,
	&lab_buddy,
	&lab_slab,
	&lab_ksm,
	&lab_kernelpt,
	&lab_directmap,
};

#define NLABS (sizeof(lab_table) / sizeof(lab_table[0]))

#define C(lr, code) ((lr)->color ? "\033[" code "m" : "")

static int list_labs(void)
{
	size_t i;

	if (json_output) {
		json_obj_open(NULL);
		json_str("type", "labs");
		json_arr_open("labs");
		for (i = 0; i < NLABS; i++) {
			json_obj_open(NULL);
			json_str("name", lab_table[i]->name);
			json_str("title", lab_table[i]->title);
			json_str("claim", lab_table[i]->claim);
			json_obj_close();
		}
		json_arr_close();
		json_obj_close();
		return EXIT_OK;
	}
	printf("%-10s %s\n", "LAB", "CLAIM");
	for (i = 0; i < NLABS; i++)
		printf("%-10s %s\n", lab_table[i]->name, lab_table[i]->claim);
	printf("\nRun one with: %s lab NAME\n", prog);
	return EXIT_OK;
}

/*
 * --json: the narration (the labs print to stdout) goes to /dev/null and
 * the record of the run to the real stdout.  Returns the JSON stream.
 */
static FILE *json_stream(void)
{
	int fd = dup(STDOUT_FILENO), null;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!f || null < 0) {
		if (f)
			fclose(f);
		else
			close(fd);
		if (null >= 0)
			close(null);
		return NULL;
	}
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	close(null);
	return f;
}

static void run_json(const struct lab *lab, const struct lab_run *lr,
		     int ret, bool reran)
{
	int i;

	json_obj_open(NULL);
	json_str("type", "lab");
	json_str("name", lab->name);
	json_str("title", lab->title);
	json_str("claim", lab->claim);
	json_str("result", ret == LAB_SKIP ? "skip" :
		 lr->failed ? "fail" : "pass");
	json_str("skip_reason", ret == LAB_SKIP ? lr->skip : NULL);
	json_u64("passed", lr->checks - lr->failed);
	json_u64("failed", lr->failed);
	json_bool("rerun", reran);
	json_arr_open("checks");
	for (i = 0; i < lr->nrecs; i++) {
		json_obj_open(NULL);
		json_bool("ok", lr->recs[i].ok);
		json_str("what", lr->recs[i].what);
		json_obj_close();
	}
	json_arr_close();
	json_obj_close();
}

int cmd_lab(int argc, char **argv)
{
	struct lab_run lr = { 0 };
	const struct lab *lab = NULL;
	FILE *jf = NULL;
	int opt, status, ret;
	size_t i;

	while ((opt = cmd_getopt(argc, argv, "", NULL, &status)) != -1)
		if (opt == OPT_EXIT)
			return status;
	if (optind == argc)
		return list_labs();
	if (argc - optind > 1)
		return usage_error("lab", "unexpected argument '%s' (one lab at a time)",
				   argv[optind + 1]);
	for (i = 0; i < NLABS; i++)
		if (!strcmp(lab_table[i]->name, argv[optind]))
			lab = lab_table[i];
	if (!lab)
		return usage_error("lab", "no lab named '%s' (run '%s lab' for the list)",
				   argv[optind], prog);
	if (json_output) {
		jf = json_stream();
		if (!jf)
			return error("lab: cannot set up the JSON output: %s",
				     strerror(errno));
		json_set_output(jf);
	}
	lr.color = !json_output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	printf("%sLab %s: %s%s\nClaim: %s\n", C(&lr, "1"), lab->name,
	       lab->title, C(&lr, "0"), lab->claim);
	ret = lab->run(&lr);
	lab_subject_stop(&lr);
	if (ret >= 0 && ret != LAB_SKIP && lr.rerun) {
		lab_run_free(&lr);
		memset(&lr, 0, sizeof(lr));
		lr.color = !json_output && isatty(STDOUT_FILENO) &&
			   !getenv("NO_COLOR");
		lr.retried = true;
		printf("\n%s==>%s The fault tracer lost events: the whole lab runs again, once.\n",
		       C(&lr, "1;34"), C(&lr, "0"));
		ret = lab->run(&lr);
		lab_subject_stop(&lr);
	}
	fflush(stdout);
	if (ret < 0) {
		lab_run_free(&lr);
		if (jf)
			fclose(jf);
		return dev_error(ret, "lab", -1);
	}
	if (jf) {
		run_json(lab, &lr, ret, lr.retried);
		fclose(jf);
		json_set_output(NULL);
	} else if (ret == LAB_SKIP) {
		printf("\nSKIP %s: %s\n", lab->name, lr.skip);
	} else {
		printf("\n%s %s: %d of %d checks passed\n",
		       lr.failed ? "FAIL" : "PASS", lab->name,
		       lr.checks - lr.failed, lr.checks);
	}
	lab_run_free(&lr);
	if (ret == LAB_SKIP)
		return EXIT_SKIP;
	return lr.failed ? EXIT_FAIL : EXIT_OK;
}
