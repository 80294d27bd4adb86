// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal reader of raw BTF, as the kernel exposes its own type
 * information in /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): a header,
 * a section of type records and a string section (see
 * Documentation/bpf/btf.rst and include/uapi/linux/btf.h).
 *
 * mmscope uses it at run time to find members of structures that are
 * private to mm/ (struct kmem_cache, struct slab, ...), so that the layout
 * always matches the kernel that is running and nothing is copied from the
 * kernel source.  Only what that needs is implemented: find a struct by
 * name, then a member by name, looking through anonymous struct/union
 * members, with bitfield positions.
 */
#include <linux/btf.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/mm.h>
#include "btf.h"

/* The sysfs file is a few MiB; refuse anything absurd. */
#define MMSCOPE_BTF_MAX		(64 << 20)
/* Anonymous struct/union nesting followed when looking for a member. */
#define MMSCOPE_BTF_DEPTH	8

struct mmscope_btf {
	void *data;
	size_t size;
	const char *strs;
	u32 str_len;
	u32 nr_types;		/* type ids are 1..nr_types */
	u32 *offs;		/* offs[id]: byte offset of the type record */
	const char *types;
};

static void *mmscope_btf_read(const char *path, size_t *sizep, int *err)
{
	struct file *file;
	size_t size, done = 0;
	loff_t pos = 0;
	ssize_t n;
	void *buf = NULL;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file)) {
		*err = PTR_ERR(file);
		return NULL;
	}
	size = i_size_read(file_inode(file));
	if (!size || size > MMSCOPE_BTF_MAX) {
		*err = -EFBIG;
		goto out;
	}
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf) {
		*err = -ENOMEM;
		goto out;
	}
	while (done < size) {
		n = kernel_read(file, buf + done, size - done, &pos);
		if (n <= 0) {
			*err = n ? n : -EIO;
			kvfree(buf);
			buf = NULL;
			goto out;
		}
		done += n;
	}
	*sizep = size;
out:
	filp_close(file, NULL);
	return buf;
}

/* Size of the kind-specific data that follows a struct btf_type. */
static int mmscope_btf_extra(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return sizeof(u32);
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return vlen * 3 * sizeof(u32);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -EINVAL;
	}
}

static int mmscope_btf_index(struct mmscope_btf *btf, u32 type_len)
{
	u32 pos, n = 0, cap = 1 << 16;
	u32 *offs, *grown;
	int extra;

	offs = kvmalloc_array(cap, sizeof(*offs), GFP_KERNEL);
	if (!offs)
		return -ENOMEM;
	offs[0] = 0;		/* id 0 is void */
	for (pos = 0; pos + sizeof(struct btf_type) <= type_len;) {
		const struct btf_type *t = (const void *)(btf->types + pos);

		extra = mmscope_btf_extra(t);
		if (extra < 0)
			goto err_free;
		if (++n == cap) {
			grown = kvmalloc_array(cap * 2, sizeof(*offs),
					       GFP_KERNEL);
			if (!grown) {
				kvfree(offs);
				return -ENOMEM;
			}
			memcpy(grown, offs, cap * sizeof(*offs));
			kvfree(offs);
			offs = grown;
			cap *= 2;
		}
		offs[n] = pos;
		pos += sizeof(*t) + extra;
	}
	if (pos != type_len)
		goto err_free;
	btf->offs = offs;
	btf->nr_types = n;
	return 0;

err_free:
	kvfree(offs);
	return -EINVAL;
}

/**
 * mmscope_btf_load() - read and index a raw BTF file
 * @path: e.g. "/sys/kernel/btf/vmlinux"
 * @err: set to -errno on failure
 *
 * Return: the parsed BTF (free with mmscope_btf_free()), or NULL.
 */
struct mmscope_btf *mmscope_btf_load(const char *path, int *err)
{
	const struct btf_header *hdr;
	struct mmscope_btf *btf;

	btf = kzalloc(sizeof(*btf), GFP_KERNEL);
	if (!btf) {
		*err = -ENOMEM;
		return NULL;
	}
	btf->data = mmscope_btf_read(path, &btf->size, err);
	if (!btf->data)
		goto err_free;
	hdr = btf->data;
	*err = -EINVAL;
	if (btf->size < sizeof(*hdr) || hdr->magic != BTF_MAGIC ||
	    hdr->version != BTF_VERSION || hdr->hdr_len < sizeof(*hdr) ||
	    hdr->hdr_len > btf->size)
		goto err_free;
	if ((u64)hdr->hdr_len + hdr->type_off + hdr->type_len > btf->size ||
	    (u64)hdr->hdr_len + hdr->str_off + hdr->str_len > btf->size ||
	    !hdr->str_len)
		goto err_free;
	btf->types = btf->data + hdr->hdr_len + hdr->type_off;
	btf->strs = btf->data + hdr->hdr_len + hdr->str_off;
	btf->str_len = hdr->str_len;
	if (btf->strs[btf->str_len - 1] != '\0')
		goto err_free;
	*err = mmscope_btf_index(btf, hdr->type_len);
	if (*err)
		goto err_free;
	return btf;

err_free:
	mmscope_btf_free(btf);
	return NULL;
}

void mmscope_btf_free(struct mmscope_btf *btf)
{
	if (!btf)
		return;
	kvfree(btf->offs);
	kvfree(btf->data);
	kfree(btf);
}

static const struct btf_type *mmscope_btf_type(const struct mmscope_btf *btf,
					       u32 id)
{
	if (!id || id > btf->nr_types)
		return NULL;
	return (const void *)(btf->types + btf->offs[id]);
}

static const char *mmscope_btf_str(const struct mmscope_btf *btf, u32 off)
{
	return off < btf->str_len ? btf->strs + off : "";
}

/* Skip typedefs and qualifiers. */
static const struct btf_type *mmscope_btf_strip(const struct mmscope_btf *btf,
						u32 id)
{
	const struct btf_type *t;
	int i;

	for (i = 0; i < 32; i++) {
		t = mmscope_btf_type(btf, id);
		if (!t)
			return NULL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

static int mmscope_btf_size(const struct mmscope_btf *btf, u32 id, u32 *size,
			    u32 *nelems)
{
	const struct btf_type *t = mmscope_btf_strip(btf, id);
	const struct btf_array *a;
	u32 elem;

	if (!t)
		return -EINVAL;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_PTR:
		*size = sizeof(void *);
		return 0;
	case BTF_KIND_ARRAY:
		a = (const void *)(t + 1);
		if (mmscope_btf_size(btf, a->type, &elem, NULL))
			return -EINVAL;
		*size = elem * a->nelems;
		if (nelems)
			*nelems = a->nelems;
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		*size = t->size;
		return 0;
	default:
		return -EINVAL;
	}
}

static bool mmscope_btf_find(const struct mmscope_btf *btf,
			     const struct btf_type *t, const char *mname,
			     u32 base, int depth, struct mmscope_btf_field *f)
{
	const struct btf_member *m = (const void *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);
	u32 i, vlen = BTF_INFO_VLEN(t->info);

	for (i = 0; i < vlen; i++, m++) {
		const struct btf_type *mt = mmscope_btf_strip(btf, m->type);
		u32 off = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
		u32 bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
		int kind;

		if (!mt)
			continue;
		kind = BTF_INFO_KIND(mt->info);
		if (!m->name_off) {
			if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) &&
			    depth < MMSCOPE_BTF_DEPTH &&
			    mmscope_btf_find(btf, mt, mname, base + off,
					     depth + 1, f))
				return true;
			continue;
		}
		if (strcmp(mmscope_btf_str(btf, m->name_off), mname))
			continue;
		if (!kflag && kind == BTF_KIND_INT) {
			u32 enc = *(const u32 *)(mt + 1);

			if (BTF_INT_BITS(enc) != mt->size * 8) {
				off += BTF_INT_OFFSET(enc);
				bits = BTF_INT_BITS(enc);
			}
		}
		f->nelems = 0;
		if (mmscope_btf_size(btf, m->type, &f->size, &f->nelems))
			return false;
		f->bit_off = base + off;
		f->bit_size = bits;
		f->found = true;
		return true;
	}
	return false;
}

/**
 * mmscope_btf_member() - locate a member of a named struct
 * @btf: parsed BTF
 * @sname: struct name (without "struct ")
 * @mname: member name, possibly inside anonymous structs/unions
 * @f: filled in with the member's position and size
 *
 * Return: 0, -ENOENT if the struct is unknown, -ESRCH if it has no such
 * member.
 */
int mmscope_btf_member(const struct mmscope_btf *btf, const char *sname,
		       const char *mname, struct mmscope_btf_field *f)
{
	const struct btf_type *t;
	u32 id;

	memset(f, 0, sizeof(*f));
	for (id = 1; id <= btf->nr_types; id++) {
		t = mmscope_btf_type(btf, id);
		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT ||
		    strcmp(mmscope_btf_str(btf, t->name_off), sname))
			continue;
		return mmscope_btf_find(btf, t, mname, 0, 0, f) ? 0 : -ESRCH;
	}
	return -ENOENT;
}

/**
 * mmscope_btf_struct_size() - the size of a named struct
 * @btf: parsed BTF
 * @sname: struct name (without "struct ")
 * @size: set to the struct's size in bytes
 *
 * Return: 0, or -ENOENT if the struct is unknown.
 */
int mmscope_btf_struct_size(const struct mmscope_btf *btf, const char *sname,
			    u32 *size)
{
	const struct btf_type *t;
	u32 id;

	for (id = 1; id <= btf->nr_types; id++) {
		t = mmscope_btf_type(btf, id);
		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT ||
		    strcmp(mmscope_btf_str(btf, t->name_off), sname))
			continue;
		*size = t->size;
		return 0;
	}
	return -ENOENT;
}
