// SPDX-License-Identifier: GPL-2.0
/*
 * Lab slab: every open file is a struct file from the "filp" slab cache,
 * and every new name a struct dentry from "dentry".  Creating thousands of
 * files and keeping them open makes both caches take new objects (filp new
 * slabs from the page allocator); closing and removing them gives the
 * objects back.  The files are made on tmpfs (/dev/shm), where a removed
 * file's dentry is freed at once (a disk filesystem keeps it cached).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include "cli.h"
#include "lab.h"

#define CACHE		"filp"
#define DCACHE		"dentry"
#define TMPFS_MAGIC_	0x01021994
#define MIN_OPENS	2000
#define SLACK		64	/* files others open or close meanwhile */

/*
 * STEP_READY and STEP_SETTLE do nothing: they mark the moments before the
 * files are made and after the wait for their objects to be freed, for
 * MMSCOPE_LAB_HOOK.
 */
enum { STEP_READY = 1, STEP_OPEN, STEP_CLOSE, STEP_SETTLE };

static int nopen;
static char dir[64];

static uint64_t slab_step(int step, void *arg)
{
	static int *fds;
	struct rlimit rl = { nopen + 64, nopen + 64 };
	char name[96];
	int i, n = 0;

	(void)arg;
	switch (step) {
	case STEP_OPEN:
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return 0;
		fds = calloc(nopen, sizeof(*fds));
		if (!fds)
			return 0;
		for (i = 0; i < nopen; i++) {
			snprintf(name, sizeof(name), "%s/%d", dir, i);
			fds[i] = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
			n += fds[i] >= 0;
		}
		return n;
	case STEP_CLOSE:
		for (i = 0; i < nopen; i++) {
			snprintf(name, sizeof(name), "%s/%d", dir, i);
			n += fds[i] >= 0 && !close(fds[i]) && !unlink(name);
		}
		return n;
	case STEP_READY:
	case STEP_SETTLE:
		return 1;
	}
	return 0;
}

struct cache {
	uint64_t objs, active, slabs, cpu_free;
	uint32_t per_slab;
	bool found;
};

static void cache_mmscope(const char *name, struct cache *c)
{
	const struct mmscope_rec_hdr *r;
	struct mmscope_result res;

	memset(c, 0, sizeof(*c));
	if (slab_fetch(NULL, 0, false, &res))
		return;
	for (r = NULL; (r = dev_next(&res, r));) {
		const struct mmscope_slab_cache *sc = (const void *)r;

		if (r->type != MMSCOPE_REC_SLAB_CACHE || strcmp(sc->name, name))
			continue;
		c->found = true;
		c->objs = sc->num_objs;
		c->active = sc->active_objs;
		c->slabs = sc->num_slabs;
		c->per_slab = sc->objs_per_slab;
		/* Objects free in per-CPU slabs still count as active. */
		c->cpu_free = (sc->cpu_slabs + sc->cpu_partial_slabs) *
			      sc->objs_per_slab;
	}
	dev_result_free(&res);
}

/* The oracle: /proc/slabinfo's line for the cache. */
static void cache_slabinfo(const char *cache, struct cache *c)
{
	char *text = lab_read_file("/proc/slabinfo"), *line, *save = NULL;
	unsigned long long a, o, sz, per, pages, as, ns;
	char name[64];

	memset(c, 0, sizeof(*c));
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s %llu %llu %llu %llu %llu : tunables %*u %*u %*u : slabdata %llu %llu",
			   name, &a, &o, &sz, &per, &pages, &as, &ns) != 8 ||
		    strcmp(name, cache))
			continue;
		c->found = true;
		c->active = a;
		c->objs = o;
		c->per_slab = per;
		c->slabs = ns;
	}
	free(text);
}

/* The header and the cache's line from `mmscope slab`. */
static char *capture(void)
{
	struct mmscope_result res;
	char *text = NULL, *out, *line, *save = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	if (slab_fetch(NULL, 0, false, &res))
		return strdup("");
	f = open_memstream(&text, &len);
	if (f) {
		slab_print_text(f, &res, 0);
		fclose(f);
	}
	dev_result_free(&res);
	out = calloc(1, len + 1);
	if (!text || !out) {
		free(text);
		return out ? out : strdup("");
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		if (!n || !strncmp(line, CACHE " ", strlen(CACHE) + 1) ||
		    !strncmp(line, DCACHE " ", strlen(DCACHE) + 1))
			strcat(strcat(out, line), "\n");
	free(text);
	return out;
}

/*
 * KASAN holds freed objects in a quarantine before they go back to their
 * slab, so on such a kernel closing the files frees nothing visible yet.
 */
static bool kasan_quarantine(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_quarantine_put\n") != NULL;
	if (f)
		fclose(f);
	return found;
}

static int slab_show(struct lab_run *lr);

/* "dir/i" with async-signal-safe code only (no snprintf). */
static void file_name(char *name, size_t len, int i)
{
	char digits[16];
	size_t n = strlen(dir), k = 0;

	memcpy(name, dir, n);
	name[n++] = '/';
	do {
		digits[k++] = '0' + i % 10;
		i /= 10;
	} while (i && k < sizeof(digits));
	while (k && n < len - 1)
		name[n++] = digits[--k];
	name[n] = '\0';
}

static void remove_files(void)
{
	char name[96];
	int i;

	for (i = 0; i < nopen; i++) {
		file_name(name, sizeof(name), i);
		unlink(name);
	}
	rmdir(dir);
}

static volatile pid_t subject;

/*
 * Ctrl-C or SIGTERM mid-lab: end the subject, remove its files, then die
 * of the signal as if no handler had been there.
 */
static void slab_on_signal(int sig)
{
	int saved = errno;

	if (subject > 0) {
		kill(subject, SIGKILL);
		waitpid(subject, NULL, 0);
	}
	remove_files();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static int slab_run(struct lab_run *lr)
{
	struct sigaction sa = { .sa_handler = slab_on_signal }, oint, oterm;
	struct statfs sf;
	int ret;

	snprintf(dir, sizeof(dir), "/dev/shm/mmscope-lab-slab.XXXXXX");
	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC_)
		return lab_skip(lr, "/dev/shm is not tmpfs: on other filesystems a removed file's dentry stays cached, so the caches would not shrink");
	nopen = 0;
	subject = 0;
	if (!mkdtemp(dir))
		return -errno;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	ret = slab_show(lr);
	/* The subject removes what it made; this catches an early exit. */
	lab_subject_stop(lr);
	subject = 0;
	remove_files();
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	return ret;
}

/*
 * How far active must drop after @nopen objects are freed, with free
 * objects in per-CPU slabs still counted active: at most the larger of
 * two reads' per-CPU capacity, plus SLACK.
 */
static uint64_t cpu_bound(int nopen, const struct cache *a,
			  const struct cache *b)
{
	uint64_t cpu = a->cpu_free > b->cpu_free ? a->cpu_free : b->cpu_free;

	return (uint64_t)nopen > cpu + SLACK ? nopen - cpu - SLACK : 0;
}

static int slab_show(struct lab_run *lr)
{
	struct cache m0, m1, m2, m3, s0, s1, s2, d0, d1, d2, d3, e0, e1, e2;
	char *before, *after;
	uint64_t need, want, dwant, swant, sdwant;
	int opened, i;

	cache_mmscope(CACHE, &m0);
	cache_slabinfo(CACHE, &s0);
	cache_mmscope(DCACHE, &d0);
	cache_slabinfo(DCACHE, &e0);
	if (!m0.found || !s0.found)
		return lab_skip(lr, "no \"%s\" cache in %s (merged into another cache on this kernel?)",
				CACHE, m0.found ? "/proc/slabinfo" : "mmscope slab");
	if (!d0.found || !e0.found)
		return lab_skip(lr, "no \"%s\" cache in %s (merged into another cache on this kernel?)",
				DCACHE, d0.found ? "/proc/slabinfo" : "mmscope slab");
	/* More files than the filp cache has room for: it must grow. */
	nopen = m0.objs + 4 * m0.per_slab;
	if (nopen < MIN_OPENS)
		nopen = MIN_OPENS;
	if (lab_subject_start(lr, slab_step, NULL))
		return -errno;
	subject = lr->pid;
	before = capture();
	lab_say(lr, "Each open file is a struct file, an object of the \"%s\" slab cache: %llu objects in %llu slabs of %u now; each new name is a struct dentry, from \"%s\" (%llu objects). The program creates %d new files in %s, more than the filp cache holds, and keeps them open.",
		CACHE, (unsigned long long)m0.objs, (unsigned long long)m0.slabs,
		m0.per_slab, DCACHE, (unsigned long long)d0.objs, nopen, dir);
	lab_step(lr, STEP_READY);
	opened = (int)lab_step(lr, STEP_OPEN);
	if (opened != nopen)
		return lab_skip(lr, "the program could create only %d of %d files", opened, nopen);
	cache_mmscope(CACHE, &m1);
	cache_slabinfo(CACHE, &s1);
	cache_mmscope(DCACHE, &d1);
	cache_slabinfo(DCACHE, &e1);
	after = capture();
	lab_diff(lr, "mmscope slab (" CACHE ", " DCACHE ")", before, after);
	/* All nopen files exist at once: the cache holds at least that many. */
	need = (nopen - m0.objs + m0.per_slab - 1) / m0.per_slab;
	lab_check(lr, m1.slabs >= m0.slabs + need && m1.objs >= (uint64_t)nopen,
		  "the filp cache grew by %llu slabs (at least %llu needed): %llu objects now",
		  (unsigned long long)(m1.slabs - m0.slabs),
		  (unsigned long long)need, (unsigned long long)m1.objs);
	lab_check(lr, s1.slabs >= s0.slabs + need && s1.objs >= (uint64_t)nopen,
		  "/proc/slabinfo agrees: %llu -> %llu slabs, %llu objects",
		  (unsigned long long)s0.slabs, (unsigned long long)s1.slabs,
		  (unsigned long long)s1.objs);
	lab_check(lr, m1.active >= (uint64_t)nopen && s1.active >= (uint64_t)nopen,
		  "active filp objects: %llu (mmscope), %llu (slabinfo), at least the %d open files",
		  (unsigned long long)m1.active, (unsigned long long)s1.active, nopen);
	/*
	 * Free dentries in per-CPU slabs already counted as active: the new
	 * names raise active by at least nopen minus those.
	 */
	dwant = cpu_bound(nopen, &d0, &d0);
	lab_check(lr, dwant && d1.active >= d0.active + dwant &&
		  e1.active >= e0.active + dwant,
		  "active dentry objects grew by %lld (mmscope), %lld (slabinfo), at least %llu: %llu -> %llu slabs",
		  (long long)d1.active - (long long)d0.active,
		  (long long)e1.active - (long long)e0.active,
		  (unsigned long long)dwant, (unsigned long long)e0.slabs,
		  (unsigned long long)e1.slabs);
	free(before);
	before = after;
	if (kasan_quarantine()) {
		free(before);
		return lab_skip(lr, "this kernel has KASAN, whose quarantine holds freed objects back, so closing the files frees nothing visible (the growth half of the claim held above)");
	}

	lab_say(lr, "The program closes and removes them all. A struct file is freed after the last reference goes, a tmpfs dentry when its file is removed (both after an RCU grace period).");
	lab_step(lr, STEP_CLOSE);
	for (i = 0; i < 20; i++) {
		usleep(100 * 1000);
		cache_mmscope(CACHE, &m2);
		cache_mmscope(DCACHE, &d2);
		if (m2.active + nopen <= m1.active + m2.cpu_free + SLACK &&
		    d2.active + nopen <= d1.active + d2.cpu_free + SLACK)
			break;
	}
	lab_step(lr, STEP_SETTLE);
	cache_slabinfo(CACHE, &s2);
	cache_slabinfo(DCACHE, &e2);
	/*
	 * The per-CPU slabs can change between the view's read and
	 * slabinfo's: the bound for slabinfo takes the larger of the views
	 * read just before and just after it.
	 */
	cache_mmscope(CACHE, &m3);
	cache_mmscope(DCACHE, &d3);
	after = capture();
	lab_diff(lr, "mmscope slab (" CACHE ", " DCACHE ")", before, after);
	want = cpu_bound(nopen, &m2, &m2);
	dwant = cpu_bound(nopen, &d2, &d2);
	lab_say(lr, "Free objects in per-CPU slabs still count as active (as /proc/slabinfo counts them): up to %llu filp and %llu dentry objects here, so the lab expects active to drop by at least %llu and %llu.",
		(unsigned long long)m2.cpu_free, (unsigned long long)d2.cpu_free,
		(unsigned long long)want, (unsigned long long)dwant);
	swant = cpu_bound(nopen, &m2, &m3);
	sdwant = cpu_bound(nopen, &d2, &d3);
	lab_check(lr, want && m1.active >= m2.active + want,
		  "active filp objects dropped by %lld (mmscope)",
		  (long long)m1.active - (long long)m2.active);
	lab_check(lr, s1.active >= s2.active + swant,
		  "/proc/slabinfo agrees: active filp %llu -> %llu",
		  (unsigned long long)s1.active, (unsigned long long)s2.active);
	lab_check(lr, dwant && d1.active >= d2.active + dwant &&
		  e1.active >= e2.active + sdwant,
		  "active dentry objects dropped by %lld (mmscope), %lld (slabinfo)",
		  (long long)d1.active - (long long)d2.active,
		  (long long)e1.active - (long long)e2.active);
	free(before);
	free(after);
	return 0;
}

const struct lab lab_slab = {
	.name = "slab",
	.title = "slab caches grow and shrink",
	.claim = "creating and opening many files grows the filp cache by whole slabs and the dentry cache; closing and removing them frees the objects",
	.run = slab_run,
};
