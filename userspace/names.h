/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bits to names: one table per record type, decoded once and used by both
 * the text and the JSON output (the same mnemonics in both).
 */
#ifndef MMSCOPE_NAMES_H
#define MMSCOPE_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct bit_names {
	const char *const *names;	/* names[bit], NULL or "": not shown */
	unsigned int nr;
};

extern const struct bit_names pt_flag_bits;	/* enum mmscope_pt_flags */
extern const struct bit_names page_bits;	/* enum mmscope_page_bits */
extern const struct bit_names fault_flag_bits;	/* enum mmscope_fault_flags */
extern const struct bit_names fault_result_bits; /* enum mmscope_fault_result */
extern const struct bit_names slab_flag_bits;	/* enum mmscope_slab_flags */
extern const struct bit_names kpf_bits;		/* /proc/kpageflags KPF_* */

/*
 * vm_flags (a raw value from the BPF program) as smaps' VmFlags mnemonics
 * for the running kernel: the high bits moved between 6.1 and 6.12.
 */
const struct bit_names *vm_flag_bits(void);

/**
 * bits_str() - the names of the bits set in @bits, joined by @sep
 * @t: the table
 * @bits: the value
 * @sep: separator (" " for text, "," for compact columns)
 * @buf: output
 * @len: its size
 *
 * Return: @buf.
 */
const char *bits_str(const struct bit_names *t, uint64_t bits, const char *sep,
		     char *buf, size_t len);
/* The same bits as a JSON array of strings under @key. */
void json_bits(const char *key, const struct bit_names *t, uint64_t bits);

/* Names of enum values; "?" when out of range. */
const char *pt_level_name(unsigned int level);
const char *pt_kind_name(unsigned int kind);
/* A fault's leaf level (1 pte, 2 pmd, 3 pud) as a page-table level name. */
const char *fault_level_name(unsigned int level);

#endif
