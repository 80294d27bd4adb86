/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal reader of the running kernel's BTF (/sys/kernel/btf/vmlinux),
 * enough to learn the layout of structures private to mm/ at load time.
 */
#ifndef _MMSCOPE_BTF_H
#define _MMSCOPE_BTF_H

#include <linux/types.h>

struct mmscope_btf;

/**
 * struct mmscope_btf_field - where one member lives, as BTF describes it
 * @found:	the member exists
 * @bit_off:	offset in bits from the start of the outer structure
 * @bit_size:	width of a bitfield, 0 for an ordinary member
 * @size:	size in bytes of the member's type (typedefs resolved)
 * @nelems:	number of elements if the member is an array, else 0
 */
struct mmscope_btf_field {
	bool found;
	u32 bit_off;
	u32 bit_size;
	u32 size;
	u32 nelems;
};

struct mmscope_btf *mmscope_btf_load(const char *path, int *err);
void mmscope_btf_free(struct mmscope_btf *btf);
int mmscope_btf_member(const struct mmscope_btf *btf, const char *sname,
		       const char *mname, struct mmscope_btf_field *f);
int mmscope_btf_struct_size(const struct mmscope_btf *btf, const char *sname,
			    u32 *size);

#endif /* _MMSCOPE_BTF_H */
