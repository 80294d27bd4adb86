/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One JSON emitter for every view.  Calls nest; the emitter inserts commas.
 * A NULL key is for values inside arrays (or the top level).  Closing the
 * outermost value ends the line, so a stream of objects is JSON Lines.
 * Addresses and raw entries go out as "0x..." strings (json_hex()).
 */
#ifndef MMSCOPE_JSON_H
#define MMSCOPE_JSON_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The JSON dialect's version (docs/schema/): bumped on any change a reader
 * may notice.  2: PFNs are numbers everywhere, fault levels are names,
 * faults' vma.flags are mnemonics (raw value in vma.raw_flags), the file
 * of a VMA is "name" in every view, hidden values are null, every
 * top-level record has a "type".
 */
#define MMSCOPE_JSON_VERSION	2

void json_set_output(FILE *out);
/* Indent nested values (one value per line); default: compact. */
void json_set_pretty(bool pretty);
void json_obj_open(const char *key);
void json_obj_close(void);
void json_arr_open(const char *key);
void json_arr_close(void);
void json_u64(const char *key, unsigned long long v);
void json_s64(const char *key, long long v);
void json_hex(const char *key, unsigned long long v);
void json_str(const char *key, const char *s);		/* NULL -> null */
void json_bool(const char *key, bool v);
void json_null(const char *key);
void json_double(const char *key, double v);
/* Space-separated words as an array of strings: "rd wr" -> ["rd","wr"]. */
void json_words(const char *key, const char *words);
void json_escape(FILE *out, const char *s);
/* @text, a complete JSON value this emitter wrote, as the value of @key. */
void json_raw(const char *key, const char *text);

#endif
