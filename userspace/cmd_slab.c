// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab: every slab cache slabtop-style, the slabs of one cache
 * (--cache), or the cache and object owning a kernel address (--addr).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define SLAB_PAGE_SIZE	4096ULL
#define SLAB_WHY_PATH	"/sys/kernel/debug/mmscope/slab"

static const char *const slab_where_names[] = {
	[MMSCOPE_SLAB_NODE_PARTIAL] = "node-partial",
	[MMSCOPE_SLAB_CPU] = "cpu",
	[MMSCOPE_SLAB_CPU_PARTIAL] = "cpu-partial",
};

static const char *slab_where(unsigned int w)
{
	if (w < sizeof(slab_where_names) / sizeof(slab_where_names[0]) &&
	    slab_where_names[w])
		return slab_where_names[w];
	return "?";
}

static uint64_t slab_memory(const struct mmscope_slab_cache *c)
{
	return c->num_slabs * (SLAB_PAGE_SIZE << c->order);
}

/* Bytes not holding live objects: free slots, metadata, padding, tails. */
static uint64_t slab_waste(const struct mmscope_slab_cache *c)
{
	uint64_t live = c->active_objs * c->object_size;
	uint64_t mem = slab_memory(c);

	return mem > live ? mem - live : 0;
}

/**
 * slab_fetch() - query one of the slab views
 * @cache: a cache name for the slabs of that cache, or NULL
 * @addr: with @by_addr, the kernel address to resolve
 * @by_addr: resolve @addr instead of listing
 * @res: the records
 *
 * Return: 0 or -errno (see slab_error()).
 */
int slab_fetch(const char *cache, uint64_t addr, bool by_addr,
	       struct mmscope_result *res)
{
	struct mmscope_query q = { .version = MMSCOPE_ABI_VERSION,
				   .view = MMSCOPE_VIEW_SLAB };

	if (by_addr) {
		q.view = MMSCOPE_VIEW_SLAB_ADDR;
		q.start = addr;
	} else if (cache) {
		q.view = MMSCOPE_VIEW_SLAB_CACHE;
		snprintf(q.name, sizeof(q.name), "%s", cache);
	}
	return dev_query(&q, res);
}

/* The module's own words when the slab views cannot work on this kernel. */
static int slab_unavailable(void)
{
	char line[256] = "";
	FILE *f = fopen(SLAB_WHY_PATH, "r");
	const char *why = "see the kernel log (dmesg)";

	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "# slab views unavailable: ", 26))
			why = line + 26;
	}
	if (f)
		fclose(f);
	return error("slab: the slab views are unavailable on this kernel: %s",
		     why);
}

static int slab_error(int err, const char *cache, uint64_t addr,
		      bool by_addr)
{
	if (err == -EOPNOTSUPP)
		return slab_unavailable();
	if (err == -ENOENT && cache && !access("/dev/" MMSCOPE_DEV_NAME, F_OK))
		return error("slab: no slab cache named '%s' (see mmscope slab)",
			     cache);
	if (by_addr && err == -EINVAL)
		return error("slab: 0x%llx is not a canonical address",
			     (unsigned long long)addr);
	if (by_addr && err == -ENXIO)
		return error("slab: 0x%llx is not in any slab (not a slab page of the kernel's direct map)",
			     (unsigned long long)addr);
	return dev_error(err, "slab", -1);
}

/* ---- sorting ------------------------------------------------------------ */

enum slab_sort { SORT_NAME, SORT_SIZE, SORT_OBJS, SORT_SLABS, SORT_WASTE };

static int slab_parse_sort(const char *s, enum slab_sort *out)
{
	static const char *const names[] = { "name", "size", "objs", "slabs",
					     "waste" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static enum slab_sort sort_key;

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int slab_cmp(const void *pa, const void *pb)
{
	const struct mmscope_slab_cache *a = *(const void *const *)pa;
	const struct mmscope_slab_cache *b = *(const void *const *)pb;
	int r = 0;

	switch (sort_key) {
	case SORT_SIZE:
		r = cmp_u64_desc(slab_memory(a), slab_memory(b));
		break;
	case SORT_OBJS:
		r = cmp_u64_desc(a->num_objs, b->num_objs);
		break;
	case SORT_SLABS:
		r = cmp_u64_desc(a->num_slabs, b->num_slabs);
		break;
	case SORT_WASTE:
		r = cmp_u64_desc(slab_waste(a), slab_waste(b));
		break;
	case SORT_NAME:
		break;
	}
	return r ? r : strcmp(a->name, b->name);
}

/* The cache records of @res, sorted; free() the array. */
static const struct mmscope_slab_cache **slab_sorted(
	const struct mmscope_result *res, enum slab_sort key, size_t *nr)
{
	const struct mmscope_slab_cache **v = NULL, **nv;
	const struct mmscope_rec_hdr *r;
	size_t n = 0, cap = 0;

	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type != MMSCOPE_REC_SLAB_CACHE)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[n++] = (const void *)r;
	}
	sort_key = key;
	if (n)
		qsort(v, n, sizeof(*v), slab_cmp);
	*nr = n;
	return v;
}

/* ---- text ------------------------------------------------------------- */

static void flags_text(char *buf, size_t len, uint32_t flags, uint32_t bits)
{
	size_t used;

	bits_str(&slab_flag_bits, flags, ",", buf, len);
	used = strlen(buf);
	if (bits & MMSCOPE_SLABC_CTOR)
		used += snprintf(buf + used, len - used, "%sctor",
				 used ? "," : "");
	/* Counts extrapolated from a sample, as /proc/slabinfo does */
	if ((bits & MMSCOPE_SLABC_APPROX) && used < len)
		used += snprintf(buf + used, len - used, "%s~approx",
				 used ? "," : "");
	if ((bits & MMSCOPE_SLABC_TRUNC) && used < len)
		snprintf(buf + used, len - used, "%struncated", used ? "," : "");
}

/* The NAME column: as wide as the longest name, at least 26. */
static int name_w = 26;

static void text_cache(FILE *f, const struct mmscope_slab_cache *c)
{
	char mem[32], waste[32], fl[256];

	flags_text(fl, sizeof(fl), c->flags, c->bits);
	fprintf(f, "%-*s %9llu %9llu %3llu%% %7u %6u %8llu %5u %4u %9s %9s %5llu %4llu %4d %s\n",
		name_w, c->name, (unsigned long long)c->active_objs,
		(unsigned long long)c->num_objs,
		c->num_objs ? (unsigned long long)(c->active_objs * 100 /
						   c->num_objs) : 0ULL,
		c->object_size, c->size, (unsigned long long)c->num_slabs,
		c->objs_per_slab, 1U << c->order,
		fmt_size(slab_memory(c), mem, sizeof(mem)),
		fmt_size(slab_waste(c), waste, sizeof(waste)),
		(unsigned long long)c->nr_partial,
		(unsigned long long)(c->cpu_slabs + c->cpu_partial_slabs),
		c->refcount, fl);
}

static void text_header(FILE *f)
{
	fprintf(f, "%-*s %9s %9s %4s %7s %6s %8s %5s %4s %9s %9s %5s %4s %4s %s\n",
		name_w, "NAME", "ACTIVE", "OBJS", "USE", "OBJSIZE", "SLOT", "SLABS",
		"OBJ/S", "PG/S", "MEMORY", "WASTED", "PART", "CPU", "REFS",
		"FLAGS");
}

static void text_slab(FILE *f, const struct mmscope_slab_slab *s)
{
	char inuse[16] = "-";

	if (s->inuse != MMSCOPE_SLAB_INUSE_UNKNOWN)
		snprintf(inuse, sizeof(inuse), "%u", s->inuse);
	fprintf(f, "  pfn %#10llx  addr 0x%016llx  %5u objects %5s in use  %-6s  %s %d\n",
		(unsigned long long)s->pfn, (unsigned long long)s->addr,
		s->objects, inuse, s->frozen ? "frozen" : "",
		slab_where(s->where), s->where_id);
}

static void text_obj(FILE *f, const struct mmscope_slab_obj *o)
{
	if (o->flags & MMSCOPE_SLAB_OBJ_KFENCE) {
		fprintf(f, "0x%llx is a KFENCE object of slab cache %s\n"
			"  on its own guarded page 0x%llx (pfn %#llx), outside the cache's slabs: no slab index\n",
			(unsigned long long)o->addr, o->cache,
			(unsigned long long)o->slab, (unsigned long long)o->pfn);
		return;
	}
	fprintf(f, "0x%llx is in slab cache %s\n", (unsigned long long)o->addr,
		o->cache);
	fprintf(f, "  slab    0x%llx (pfn %#llx, %u objects of %u bytes, slot %u)\n",
		(unsigned long long)o->slab, (unsigned long long)o->pfn,
		o->objects, o->object_size, o->size);
	if (o->index >= o->objects)
		fprintf(f, "  in the slab's unused tail, past the last object\n");
	else
		fprintf(f, "  object  #%u at 0x%llx, offset %u%s\n", o->index,
			(unsigned long long)o->object, o->offset,
			o->in_object ? "" :
			" (outside the object: slab metadata or padding)");
}

/**
 * slab_print_text() - render slab view records for people
 * @f: output stream
 * @res: records from slab_fetch()
 * @key: sort order of the cache list (0: name)
 */
void slab_print_text(FILE *f, const struct mmscope_result *res, int key)
{
	const struct mmscope_slab_cache **v;
	const struct mmscope_rec_hdr *r;
	uint64_t total = 0, wasted = 0;
	char a[32], b[32];
	size_t i, n = 0;
	bool slabs = false;

	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_SLAB_OBJ)
			text_obj(f, (const void *)r);
		if (r->type == MMSCOPE_REC_SLAB_SLAB)
			slabs = true;
	}
	v = slab_sorted(res, key, &n);
	if (!n) {
		free(v);
		return;
	}
	name_w = 26;
	for (i = 0; i < n; i++)
		if ((int)strnlen(v[i]->name, sizeof(v[i]->name)) > name_w)
			name_w = (int)strnlen(v[i]->name, sizeof(v[i]->name));
	text_header(f);
	for (i = 0; i < n; i++) {
		text_cache(f, v[i]);
		total += slab_memory(v[i]);
		wasted += slab_waste(v[i]);
	}
	free(v);
	if (n > 1)
		fprintf(f, "\n%zu caches, %s in slabs, %s of it not holding live objects\n",
			n, fmt_size(total, a, sizeof(a)),
			fmt_size(wasted, b, sizeof(b)));
	if (!slabs)
		return;
	fprintf(f, "\nslabs on the node partial lists and per-CPU (full slabs are on no list):\n");
	for (r = NULL; (r = dev_next(res, r));)
		if (r->type == MMSCOPE_REC_SLAB_SLAB)
			text_slab(f, (const void *)r);
}

/* ---- JSON --------------------------------------------------------------- */

static void json_cache_open(const struct mmscope_slab_cache *c)
{
	json_obj_open(NULL);
	json_str("name", c->name);
	json_u64("object_size", c->object_size);
	json_u64("size", c->size);
	json_u64("align", c->align);
	json_u64("objs_per_slab", c->objs_per_slab);
	json_u64("pages_per_slab", 1ULL << c->order);
	json_u64("order", c->order);
	json_u64("active_objs", c->active_objs);
	json_u64("num_objs", c->num_objs);
	json_u64("active_slabs", c->num_slabs);
	json_u64("num_slabs", c->num_slabs);
	json_u64("partial_slabs", c->nr_partial);
	json_u64("partial_free_objs", c->partial_free);
	json_u64("cpu_slabs", c->cpu_slabs);
	json_u64("cpu_partial_slabs", c->cpu_partial_slabs);
	json_u64("memory", slab_memory(c));
	json_u64("waste", slab_waste(c));
	json_s64("refcount", c->refcount);
	json_bool("ctor", c->bits & MMSCOPE_SLABC_CTOR);
	json_bool("approximate", c->bits & MMSCOPE_SLABC_APPROX);
	json_bool("truncated", c->bits & MMSCOPE_SLABC_TRUNC);
	json_hex("raw_flags", c->raw_flags);
	json_bits("flags", &slab_flag_bits, c->flags);
	json_arr_open("nodes");
}

static void json_node(const struct mmscope_slab_node *n)
{
	json_obj_open(NULL);
	json_s64("node", n->node);
	json_u64("num_slabs", n->nr_slabs);
	json_u64("num_objs", n->total_objs);
	json_u64("partial_slabs", n->nr_partial);
	json_u64("partial_free_objs", n->partial_free);
	json_obj_close();
}

static void json_slab(const struct mmscope_slab_slab *s)
{
	json_obj_open(NULL);
	json_u64("pfn", s->pfn);
	json_hex("addr", s->addr);
	json_u64("objects", s->objects);
	if (s->inuse == MMSCOPE_SLAB_INUSE_UNKNOWN)
		json_null("inuse");	/* a CPU's active slab */
	else
		json_u64("inuse", s->inuse);
	json_bool("frozen", s->frozen);
	json_str("where", slab_where(s->where));
	json_s64(s->where == MMSCOPE_SLAB_NODE_PARTIAL ? "node" : "cpu",
		 s->where_id);
	json_obj_close();
}

static void json_obj(const struct mmscope_slab_obj *o)
{
	json_obj_open(NULL);
	json_str("type", "slab_addr");
	json_hex("addr", o->addr);
	json_str("cache", o->cache);
	json_hex("slab", o->slab);
	json_u64("pfn", o->pfn);
	json_u64("objects", o->objects);
	json_u64("object_size", o->object_size);
	json_u64("size", o->size);
	json_bool("kfence", o->flags & MMSCOPE_SLAB_OBJ_KFENCE);
	if (!(o->flags & MMSCOPE_SLAB_OBJ_KFENCE) && o->index < o->objects) {
		json_u64("index", o->index);
		json_hex("object", o->object);
		json_u64("offset", o->offset);
	} else {
		json_null("index");
		json_null("object");
		json_null("offset");
	}
	json_bool("in_object", o->in_object);
	json_obj_close();
}

void slab_print_json(const struct mmscope_result *res, int key)
{
	const struct mmscope_slab_cache **v;
	const struct mmscope_rec_hdr *r, *q;
	bool slabs = false;
	size_t i, n = 0;

	for (r = NULL; (r = dev_next(res, r));) {
		if (r->type == MMSCOPE_REC_SLAB_OBJ) {
			json_obj((const void *)r);
			return;
		}
		slabs |= r->type == MMSCOPE_REC_SLAB_SLAB;
	}
	v = slab_sorted(res, key, &n);
	json_obj_open(NULL);
	json_str("type", "slab");
	json_arr_open("caches");
	for (i = 0; i < n; i++) {
		json_cache_open(v[i]);
		/* Its node records follow it in the stream. */
		for (q = dev_next(res, (const void *)v[i]);
		     q && q->type == MMSCOPE_REC_SLAB_NODE; q = dev_next(res, q))
			json_node((const void *)q);
		json_arr_close();
		json_obj_close();
	}
	json_arr_close();
	free(v);
	if (slabs) {
		json_arr_open("slabs");
		for (r = NULL; (r = dev_next(res, r));)
			if (r->type == MMSCOPE_REC_SLAB_SLAB)
				json_slab((const void *)r);
		json_arr_close();
	}
	json_obj_close();
}

/* ---- the command -------------------------------------------------------- */

int cmd_slab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "cache", required_argument, NULL, 'c' },
		{ "addr", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	enum slab_sort key = SORT_SIZE;
	const char *cache = NULL;
	struct mmscope_result res;
	bool by_addr = false;
	uint64_t addr = 0;
	int opt, err, status;

	while ((opt = cmd_getopt(argc, argv, "s:c:a:", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 's' && slab_parse_sort(optarg, &key))
			return usage_error("slab", "--sort takes name, size, objs, slabs or waste, not '%s'",
					   optarg);
		if (opt == 'c') {
			if (!*optarg || strlen(optarg) >= MMSCOPE_NAME_LEN)
				return usage_error("slab", "bad cache name '%s' (1-%d characters)",
						   optarg, MMSCOPE_NAME_LEN - 1);
			cache = optarg;
		}
		if (opt == 'a') {
			if (parse_u64(optarg, &addr))
				return usage_error("slab", "'%s' is not an address",
						   optarg);
			by_addr = true;
		}
	}
	if (optind < argc)
		return usage_error("slab", "unexpected argument '%s'",
				   argv[optind]);
	if (cache && by_addr)
		return usage_error("slab", "--cache and --addr exclude each other");
	err = slab_fetch(cache, addr, by_addr, &res);
	if (err)
		return slab_error(err, cache, addr, by_addr);
	if (json_output) {
		slab_print_json(&res, key);
	} else {
		slab_print_text(stdout, &res, key);
		if (!by_addr)
			printf("\nUSE: active/objs. OBJSIZE, SLOT: bytes; SLOT is the object plus metadata and padding.\n"
			       "PG/S: 4 KiB pages per slab. MEMORY: slabs x pages; WASTED: MEMORY minus active\n"
			       "objects x OBJSIZE (KiB/MiB/GiB, 1024-based). PART: slabs on node partial lists.\n"
			       "CPU: per-CPU slabs + per-CPU partial slabs. REFS > 1: other caches merged into\n"
			       "this one. Counts as /proc/slabinfo.\n");
	}
	dev_result_free(&res);
	return 0;
}
