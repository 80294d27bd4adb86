// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faults: the faults aggregated in the kernel (bpf/faults_agg.h),
 * read back into the summary and the --top table that the streamed path
 * fills event by event (trace.c summary_add(), faults_agg.c), so that the
 * output is the same: --hist, and --top N --by class|comm|cgroup, without
 * an option that needs each event (faults_kagg_possible()).
 *
 * The maps are per CPU: each counter is the sum over the CPUs (taken back
 * counts may leave one CPU's below zero: the sum is exact, see
 * faults_agg.h), each maximum the largest.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "faults.h"
#include "faults.skel.h"
#include "../bpf/faults_agg.h"

/* Per-CPU values are laid out 8-byte aligned, one per possible CPU. */
static size_t pcpu_stride(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

static void row_add(struct mmscope_agg_row *sum,
		    const struct mmscope_agg_row *r)
{
	sum->faults += r->faults;
	sum->latency_ns += r->latency_ns;
	if (r->max_ns > sum->max_ns)
		sum->max_ns = r->max_ns;
}

/* The u64 words of @v, added to @sum's; the rows' maxima kept apart. */
static void agg_add(struct mmscope_agg *sum, const struct mmscope_agg *v)
{
	unsigned int i, j;

	sum->calls += v->calls;
	sum->completed += v->completed;
	sum->events += v->events;
	sum->retries += v->retries;
	sum->locks[0] += v->locks[0];
	sum->locks[1] += v->locks[1];
	sum->minor += v->minor;
	sum->major += v->major;
	sum->retry += v->retry;
	sum->error += v->error;
	sum->write += v->write;
	sum->exec += v->exec;
	sum->user += v->user;
	sum->remote += v->remote;
	sum->anon += v->anon;
	sum->file += v->file;
	sum->mapped += v->mapped;
	for (i = 0; i < MMSCOPE_AGG_CLASSES; i++) {
		row_add(&sum->cls[i], &v->cls[i]);
		for (j = 0; j < MMSCOPE_AGG_SLOTS; j++)
			sum->hist[i][j] += v->hist[i][j];
	}
	row_add(&sum->other, &v->other);
}

/* The cgroup2 mount point, from /proc/self/mountinfo ("" if none). */
static void cgroup2_root(char *root, size_t len)
{
	char line[1024], mnt[512], *dash;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	root[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		dash = strstr(line, " - cgroup2 ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1)
			continue;
		snprintf(root, len, "%s", mnt);
		break;
	}
	fclose(f);
}

/*
 * The path, under the cgroup2 root @root, of the directory whose inode is
 * @id (a cgroup's id is its kernfs inode number), into @out as
 * /proc/PID/cgroup shows it ("/" for the root); false if none.  Depth-first,
 * bounded by @depth.
 */
static bool cgroup_find(const char *root, const char *rel, uint64_t id,
			char *out, size_t len, int depth)
{
	char path[4096], sub[4096];
	struct dirent *d;
	struct stat st;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (stat(path, &st))
		return false;
	if ((uint64_t)st.st_ino == id) {
		snprintf(out, len, "%s", *rel ? rel : "/");
		return true;
	}
	if (!depth)
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") ||
		    !strcmp(d->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", rel, d->d_name);
		found = cgroup_find(root, sub, id, out, len, depth - 1);
	}
	closedir(dir);
	return found;
}

/* The key table's rows into @top (comm or cgroup); false on an error. */
static bool read_keys(struct faults_bpf *skel, struct faults_top *top,
		      int ncpu)
{
	size_t stride = pcpu_stride(sizeof(struct mmscope_agg_row));
	char key[MMSCOPE_AGG_KEY_LEN], next[MMSCOPE_AGG_KEY_LEN];
	char name[160], root[512];
	int fd = bpf_map__fd(skel->maps.agg_keys), i;
	bool first = true, ok = true;
	void *vals = calloc(ncpu, stride);

	if (!vals)
		return false;
	cgroup2_root(root, sizeof(root));
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		struct mmscope_agg_row row = { 0 };
		uint64_t id;

		first = false;
		memcpy(key, next, sizeof(key));
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* only ever added: cannot go */
		for (i = 0; i < ncpu; i++)
			row_add(&row, (const void *)((char *)vals + i * stride));
		if (!row.faults)
			continue;	/* a taken-back chain's, now elsewhere */
		if (faults_top_by(top) == FAULTS_BY_CGROUP) {
			memcpy(&id, key, sizeof(id));
			if (!*root || !cgroup_find(root, "", id, name,
						   sizeof(name), 32))
				snprintf(name, sizeof(name), "?");
		} else {
			snprintf(name, sizeof(name), "%.*s",
				 MMSCOPE_AGG_KEY_LEN, key);
		}
		if (!faults_top_add_row(top, name, row.faults, row.latency_ns,
					row.max_ns))
			ok = false;
	}
	free(vals);
	return ok;
}

/**
 * faults_kagg_possible() - whether a trace can be aggregated in the kernel
 * @o: the tracer's options
 * @events: the output needs each event (a line or record per event,
 *	--interval, --live, --summary's VMA table, --top by vma, file or sym)
 *
 * Return: true when the maps can produce the output: no per-event output,
 * and no filter that user space applies to a merged fault (--min-lat,
 * --major), no --raw, no stacks.
 */
bool faults_kagg_possible(const struct faults_opts *o, bool events)
{
	return !events && !o->raw && !o->min_lat_ns && !o->major &&
	       !o->ustack && !o->kstack;
}

/**
 * faults_kagg_read() - the kernel's aggregates into a summary and a table
 * @skel: the tracer's BPF object, detached (the counts are final)
 * @s: the summary: its counters, classes and histogram are set
 * @top: the --top table to fill (by class, comm or cgroup), or NULL
 *
 * Return: 0, or -errno when a map could not be read.
 */
int faults_kagg_read(struct faults_bpf *skel, struct faults_summary *s,
		     struct faults_top *top)
{
	size_t stride = pcpu_stride(sizeof(struct mmscope_agg));
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	struct mmscope_agg *sum;
	unsigned int c, j;
	void *vals;
	__u32 zero = 0;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, stride);
	sum = calloc(1, sizeof(*sum));
	if (!vals || !sum) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.agg_sums), &zero,
				vals)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < ncpu; i++)
		agg_add(sum, (const void *)((char *)vals + i * stride));

	s->calls = sum->calls;
	s->completed = sum->completed;
	s->accounted = s->pgfault_all ? sum->calls : sum->completed;
	s->events = sum->events;
	s->retries = sum->retries;
	s->locks[0] = sum->locks[0];
	s->locks[1] = sum->locks[1];
	s->minor = sum->minor;
	s->major = sum->major;
	s->retry = sum->retry;
	s->error = sum->error;
	s->write = sum->write;
	s->exec = sum->exec;
	s->user = sum->user;
	s->remote = sum->remote;
	s->anon = sum->anon;
	s->file = sum->file;
	s->mapped = sum->mapped;
	for (c = 0; c < MMSCOPE_FC_NR; c++) {
		s->classes[c] = sum->cls[c].faults;
		for (j = 0; j < MMSCOPE_AGG_SLOTS && j < FAULTS_HIST_SLOTS; j++) {
			s->hist[j] += sum->hist[c][j];
			s->class_hist[c][j] = sum->hist[c][j];
		}
	}
	s->agg_other = sum->other.faults;
	if (!top)
		goto out;
	if (faults_top_by(top) == FAULTS_BY_CLASS) {
		for (c = 0; c < MMSCOPE_FC_NR; c++) {
			const char *cls = fault_class_name(c);

			if (sum->cls[c].faults &&
			    !faults_top_add_row(top, cls ? cls : "-",
						sum->cls[c].faults,
						sum->cls[c].latency_ns,
						sum->cls[c].max_ns))
				err = -ENOMEM;
		}
	} else if (!read_keys(skel, top, ncpu)) {
		err = -ENOMEM;
	}
	if (sum->other.faults)
		faults_top_add_other(top, sum->other.faults,
				     sum->other.latency_ns, sum->other.max_ns);
out:
	free(sum);
	free(vals);
	return err;
}
