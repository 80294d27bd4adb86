// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "json.h"

#define JSON_MAX_DEPTH 32

static FILE *json_out;
static int depth;
static bool need_comma[JSON_MAX_DEPTH];

void json_set_output(FILE *out)
{
	json_out = out;
}

static FILE *out(void)
{
	return json_out ? json_out : stdout;
}

void json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* Control bytes and non-UTF-8-safe high bytes escaped. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void key(const char *k)
{
	if (depth > 0 && need_comma[depth])
		fputc(',', out());
	if (depth > 0)
		need_comma[depth] = true;
	if (k) {
		json_escape(out(), k);
		fputc(':', out());
	}
}

static void open_(const char *k, char c)
{
	key(k);
	fputc(c, out());
	if (depth < JSON_MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

static void close_(char c)
{
	fputc(c, out());
	if (depth > 0)
		depth--;
	if (depth == 0) {
		fputc('\n', out());
		fflush(out());
	}
}

void json_obj_open(const char *k)
{
	open_(k, '{');
}

void json_obj_close(void)
{
	close_('}');
}

void json_arr_open(const char *k)
{
	open_(k, '[');
}

void json_arr_close(void)
{
	close_(']');
}

void json_u64(const char *k, unsigned long long v)
{
	key(k);
	fprintf(out(), "%llu", v);
}

void json_s64(const char *k, long long v)
{
	key(k);
	fprintf(out(), "%lld", v);
}

void json_hex(const char *k, unsigned long long v)
{
	key(k);
	fprintf(out(), "\"0x%llx\"", v);
}

void json_str(const char *k, const char *s)
{
	key(k);
	if (s)
		json_escape(out(), s);
	else
		fputs("null", out());
}

void json_bool(const char *k, bool v)
{
	key(k);
	fputs(v ? "true" : "false", out());
}

void json_null(const char *k)
{
	key(k);
	fputs("null", out());
}

void json_double(const char *k, double v)
{
	key(k);
	fprintf(out(), "%.4f", v);
}

void json_words(const char *k, const char *words)
{
	char word[64];
	const char *p = words;

	json_arr_open(k);
	while (p && *p) {
		size_t n = strcspn(p, " ");

		if (n && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			json_str(NULL, word);
		}
		p += n;
		p += strspn(p, " ");
	}
	json_arr_close();
}
