// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "json.h"

#define JSON_MAX_DEPTH 32

static FILE *json_out;
static int depth;
static bool need_comma[JSON_MAX_DEPTH];
static bool pretty;

void json_set_pretty(bool on)
{
	pretty = on;
}

void json_set_output(FILE *out)
{
	json_out = out;
}

static FILE *out(void)
{
	return json_out ? json_out : stdout;
}

/*
 * Length of the well-formed UTF-8 sequence at @p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * A JSON string: valid UTF-8 as it is; ", \ and control characters
 * escaped; a byte that is not part of valid UTF-8 (a file name may hold
 * any bytes) as \u00XX, its Latin-1 reading.
 */
void json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	while (*p) {
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
			if (*p >= 0x80 && (n = utf8_len(p))) {
				fwrite(p, 1, n, f);
				p += n;
				continue;
			}
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

static void indent(int n)
{
	fputc('\n', out());
	while (n-- > 0)
		fputs("  ", out());
}

static void key(const char *k)
{
	if (depth > 0 && need_comma[depth])
		fputc(',', out());
	if (depth > 0) {
		need_comma[depth] = true;
		if (pretty)
			indent(depth);
	}
	if (k) {
		json_escape(out(), k);
		fputs(pretty ? ": " : ":", out());
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
	if (pretty && need_comma[depth])
		indent(depth - 1);
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

void json_raw(const char *k, const char *text)
{
	key(k);
	fputs(text, out());
}
