// SPDX-License-Identifier: GPL-2.0
/* mmscope page's mappers of one frame, for the labs (lab.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lab.h"

int lab_page_mappers(uint64_t pfn, struct lab_mapper *m, int max,
		     bool *complete, uint32_t *why)
{
	struct mmscope_query q = {
		.version = MMSCOPE_ABI_VERSION,
		.view = MMSCOPE_VIEW_PAGE,
		.start = pfn,
	};
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;
	bool ended = false;
	int n = 0, err;

	*complete = false;
	*why = MMSCOPE_WHY_NR;
	err = dev_query(&q, &res);
	if (err)
		return err;
	for (r = NULL; (r = dev_next(&res, r));) {
		if (r->type == MMSCOPE_REC_PAGE_MAPPER &&
		    r->len >= sizeof(struct mmscope_page_mapper)) {
			const struct mmscope_page_mapper *pm = (const void *)r;

			if (n < max) {
				m[n].pid = pm->pid;
				m[n].addr = pm->addr;
				m[n].level = pm->level;
				m[n].flags = pm->flags;
				snprintf(m[n].comm, sizeof(m[n].comm), "%.*s",
					 MMSCOPE_COMM_LEN, pm->comm);
			}
			n++;
		} else if (r->type == MMSCOPE_REC_PAGE_END &&
			   r->len >= sizeof(struct mmscope_page_end)) {
			const struct mmscope_page_end *e = (const void *)r;

			*complete = e->complete;
			*why = e->why;
			ended = true;
		}
	}
	dev_result_free(&res);
	return ended ? n : -EIO;
}

#define SHOW_MAX	8	/* mapper lines shown; the rest counted */

void lab_show_mappers(struct lab_run *lr, uint64_t pfn,
		      const struct lab_mapper *m, int n, bool complete,
		      uint32_t why)
{
	static const char *const why_names[] = MMSCOPE_PAGE_WHY_NAMES;
	char buf[256];
	int i;

	printf("    %smmscope page %#llx, its mappers through the reverse map: %d, %s%s%s\n",
	       lr->color ? "\033[2m" : "", (unsigned long long)pfn, n,
	       complete ? "complete" : "INCOMPLETE: ",
	       complete ? "" : why < MMSCOPE_WHY_NR && why_names[why] ?
	       why_names[why] : "?", lr->color ? "\033[0m" : "");
	if (n > 0)
		printf("    %8s %-16s %-18s %-5s %s\n", "PID", "COMM", "ADDRESS",
		       "LEVEL", "FLAGS");
	for (i = 0; i < n && i < SHOW_MAX; i++) {
		bits_str(&pt_flag_bits, m[i].flags, " ", buf, sizeof(buf));
		printf("    %8d %-16.16s %#-18llx %-5s %s\n", m[i].pid,
		       m[i].comm, (unsigned long long)m[i].addr,
		       pt_level_name(m[i].level), buf);
	}
	if (n > SHOW_MAX)
		printf("    ... %d more mappers\n", n - SHOW_MAX);
}
