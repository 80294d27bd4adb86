/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON parser and a JSON Schema validator for the subset the
 * schemas in docs/schema/ use, so that the CLI's output is checked in the
 * VM (which has no python) and on the host (`make unit`).
 *
 * Parser: RFC 8259; anything else (a trailing comma, a bare word, text
 * after the value, an unopened bracket) is an error with its offset.
 *
 * Schema keywords: type (a name or an array of names; "integer" is a
 * number without fraction or exponent), properties, required,
 * additionalProperties (false or a schema), items, enum (strings, numbers,
 * booleans, null), const, minimum, anyOf, $ref ("#/$defs/NAME" only),
 * $defs, and "format": "hex" (a "0x" string of lowercase hex digits, as
 * the CLI writes addresses).  Other keywords ($schema, $id, title,
 * description, $comment) are annotations.  An unknown keyword is an error:
 * a schema never asks for a check that is silently skipped.
 */
#ifndef MMSCOPE_JSCHEMA_H
#define MMSCOPE_JSCHEMA_H

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JS_UNUSED __attribute__((unused))

enum js_type { JS_NULL, JS_BOOL, JS_NUM, JS_STR, JS_ARR, JS_OBJ };

struct js {
	enum js_type type;
	bool b;
	bool integer;		/* a number without fraction or exponent */
	double num;
	char *str;		/* string value (NUL-terminated, may hold \0 as \u0000: cut) */
	int n;
	char **keys;
	struct js **kids;
};

struct js_parser {
	const char *p, *start;
	char err[160];
	int depth;
};

static void js_free(struct js *v)
{
	int i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		js_free(v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
	free(v);
}

static void js_fail(struct js_parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "%s at offset %ld", what,
			 (long)(ps->p - ps->start));
}

static void js_ws(struct js_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static int js_hex4(const char *s)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			      (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	return v;
}

static char *js_string(struct js_parser *ps)
{
	size_t cap = 32, len = 0;
	char *out = malloc(cap);

	ps->p++;			/* the opening quote */
	while (out) {
		unsigned char c = (unsigned char)*ps->p;
		unsigned int cp;

		if (c == '"') {
			ps->p++;
			out[len] = '\0';
			return out;
		}
		if (!c || c < 0x20) {
			js_fail(ps, c ? "control character in a string" :
				"unterminated string");
			break;
		}
		if (len + 8 > cap) {
			char *n = realloc(out, cap *= 2);

			if (!n)
				break;
			out = n;
		}
		if (c != '\\') {
			out[len++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		switch (*ps->p) {
		case '"': case '\\': case '/':
			out[len++] = *ps->p;
			break;
		case 'b': out[len++] = '\b'; break;
		case 'f': out[len++] = '\f'; break;
		case 'n': out[len++] = '\n'; break;
		case 'r': out[len++] = '\r'; break;
		case 't': out[len++] = '\t'; break;
		case 'u':
			if (js_hex4(ps->p + 1) < 0) {
				js_fail(ps, "bad \\u escape");
				free(out);
				return NULL;
			}
			cp = (unsigned int)js_hex4(ps->p + 1);
			ps->p += 4;
			/* UTF-8 (surrogate halves kept as 3 bytes: enough here) */
			if (cp < 0x80) {
				out[len++] = (char)(cp ? cp : '?');
			} else if (cp < 0x800) {
				out[len++] = (char)(0xc0 | cp >> 6);
				out[len++] = (char)(0x80 | (cp & 0x3f));
			} else {
				out[len++] = (char)(0xe0 | cp >> 12);
				out[len++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				out[len++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			js_fail(ps, "bad escape");
			free(out);
			return NULL;
		}
		ps->p++;
	}
	free(out);
	return NULL;
}

static struct js *js_value(struct js_parser *ps);

static bool js_add(struct js *v, char *key, struct js *kid)
{
	struct js **k = realloc(v->kids, sizeof(*k) * (v->n + 1));
	char **ks;

	if (!k)
		return false;
	v->kids = k;
	if (v->type == JS_OBJ) {
		ks = realloc(v->keys, sizeof(*ks) * (v->n + 1));
		if (!ks)
			return false;
		v->keys = ks;
		v->keys[v->n] = key;
	}
	v->kids[v->n++] = kid;
	return true;
}

static struct js *js_container(struct js_parser *ps, struct js *v)
{
	char close = v->type == JS_OBJ ? '}' : ']';

	ps->p++;
	js_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct js *kid;
		int i;

		js_ws(ps);
		if (v->type == JS_OBJ) {
			if (*ps->p != '"') {
				js_fail(ps, "expected a key");
				return NULL;
			}
			key = js_string(ps);
			if (!key)
				return NULL;
			for (i = 0; i < v->n; i++)
				if (!strcmp(v->keys[i], key)) {
					js_fail(ps, "duplicate key");
					free(key);
					return NULL;
				}
			js_ws(ps);
			if (*ps->p != ':') {
				js_fail(ps, "expected ':'");
				free(key);
				return NULL;
			}
			ps->p++;
		}
		kid = js_value(ps);
		if (!kid || !js_add(v, key, kid)) {
			free(key);
			js_free(kid);
			return NULL;
		}
		js_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return v;
		}
		js_fail(ps, v->type == JS_OBJ ? "expected ',' or '}'" :
			"expected ',' or ']'");
		return NULL;
	}
}

static bool js_number(struct js_parser *ps, struct js *v)
{
	const char *s = ps->p;
	char *end;

	v->type = JS_NUM;
	v->integer = true;
	if (*ps->p == '-')
		ps->p++;
	if (*ps->p == '0') {
		ps->p++;
	} else if (*ps->p >= '1' && *ps->p <= '9') {
		while (isdigit((unsigned char)*ps->p))
			ps->p++;
	} else {
		return false;
	}
	if (*ps->p == '.') {
		v->integer = false;
		ps->p++;
		if (!isdigit((unsigned char)*ps->p))
			return false;
		while (isdigit((unsigned char)*ps->p))
			ps->p++;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		v->integer = false;
		ps->p++;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (!isdigit((unsigned char)*ps->p))
			return false;
		while (isdigit((unsigned char)*ps->p))
			ps->p++;
	}
	v->num = strtod(s, &end);
	return end == ps->p;
}

static struct js *js_value(struct js_parser *ps)
{
	struct js *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	if (++ps->depth > 64) {
		js_fail(ps, "nested too deep");
		goto bad;
	}
	js_ws(ps);
	switch (*ps->p) {
	case '{':
	case '[':
		v->type = *ps->p == '{' ? JS_OBJ : JS_ARR;
		if (!js_container(ps, v))
			goto bad;
		break;
	case '"':
		v->type = JS_STR;
		v->str = js_string(ps);
		if (!v->str)
			goto bad;
		break;
	case 't':
	case 'f':
		v->type = JS_BOOL;
		v->b = *ps->p == 't';
		if (strncmp(ps->p, v->b ? "true" : "false", v->b ? 4 : 5)) {
			js_fail(ps, "bad literal");
			goto bad;
		}
		ps->p += v->b ? 4 : 5;
		break;
	case 'n':
		if (strncmp(ps->p, "null", 4)) {
			js_fail(ps, "bad literal");
			goto bad;
		}
		ps->p += 4;
		break;
	default:
		if (!js_number(ps, v)) {
			js_fail(ps, "expected a value");
			goto bad;
		}
	}
	ps->depth--;
	return v;
bad:
	js_free(v);
	return NULL;
}

/*
 * Parse one JSON document from @text, which may be followed by whitespace
 * only; *@next (if not NULL) instead allows more documents after it (JSON
 * Lines) and is set past the document.  NULL on error, @err filled.
 */
static JS_UNUSED struct js *js_parse(const char *text, const char **next,
				     char *err, size_t errlen)
{
	struct js_parser ps = { .p = text, .start = text };
	struct js *v;

	v = js_value(&ps);
	if (v) {
		js_ws(&ps);
		if (next)
			*next = ps.p;
		else if (*ps.p) {
			js_fail(&ps, "text after the document");
			js_free(v);
			v = NULL;
		}
	}
	if (!v && err)
		snprintf(err, errlen, "%s", ps.err[0] ? ps.err : "out of memory");
	return v;
}

static JS_UNUSED struct js *js_get(const struct js *v, const char *key)
{
	int i;

	if (!v || v->type != JS_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->kids[i];
	return NULL;
}

/* ---- the validator ------------------------------------------------------ */

struct js_check {
	const struct js *root;		/* the schema document, for $ref */
	char err[512];
	int errors;
};

static void js_err(struct js_check *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void js_err(struct js_check *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->errors++) {
		n = snprintf(c->err, sizeof(c->err), "%s: ", path[0] ? path : "/");
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(c->err))
			vsnprintf(c->err + n, sizeof(c->err) - n, fmt, ap);
		va_end(ap);
	}
}

static const char *js_type_name(const struct js *v)
{
	static const char *const names[] = { "null", "boolean", "number",
					     "string", "array", "object" };

	if (v->type == JS_NUM && v->integer)
		return "integer";
	return names[v->type];
}

static bool js_is_type(const struct js *v, const char *t)
{
	if (!strcmp(t, "number"))
		return v->type == JS_NUM;
	if (!strcmp(t, "integer"))
		return v->type == JS_NUM && v->integer;
	return !strcmp(t, js_type_name(v));
}

static bool js_equal(const struct js *a, const struct js *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JS_NULL:
		return true;
	case JS_BOOL:
		return a->b == b->b;
	case JS_NUM:
		return a->num == b->num;
	case JS_STR:
		return !strcmp(a->str, b->str);
	default:
		return false;	/* enums of scalars only */
	}
}

static bool js_hex_str(const char *s)
{
	if (strncmp(s, "0x", 2) || !s[2])
		return false;
	for (s += 2; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

static void js_validate(struct js_check *c, const struct js *v,
			const struct js *s, const char *path, int depth);

static const struct js *js_resolve(struct js_check *c, const struct js *s,
				   const char *path)
{
	const struct js *ref = js_get(s, "$ref"), *d;

	if (!ref)
		return s;
	if (ref->type != JS_STR || strncmp(ref->str, "#/$defs/", 8)) {
		js_err(c, path, "schema: unsupported $ref");
		return NULL;
	}
	d = js_get(js_get(c->root, "$defs"), ref->str + 8);
	if (!d)
		js_err(c, path, "schema: no definition %s", ref->str);
	return d;
}

static void js_validate(struct js_check *c, const struct js *v,
			const struct js *s, const char *path, int depth)
{
	static const char *const known[] = {
		"$schema", "$id", "title", "description", "$comment", "$defs",
		"$ref", "type", "properties", "required",
		"additionalProperties", "items", "enum", "const", "minimum",
		"anyOf", "format",
	};
	const struct js *t, *props, *req, *add, *items, *en, *cst, *min, *any,
		*fmt;
	char sub[512];
	int i, j;
	size_t k;

	if (depth > 32) {
		js_err(c, path, "schema: nested too deep");
		return;
	}
	s = js_resolve(c, s, path);
	if (!s)
		return;
	if (s->type == JS_BOOL) {
		if (!s->b)
			js_err(c, path, "not allowed here");
		return;
	}
	if (s->type != JS_OBJ) {
		js_err(c, path, "schema: not an object");
		return;
	}
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (!strcmp(s->keys[i], known[k]))
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			js_err(c, path, "schema: unsupported keyword '%s'",
			       s->keys[i]);
			return;
		}
	}
	t = js_get(s, "type");
	if (t) {
		bool ok = false;

		if (t->type == JS_STR)
			ok = js_is_type(v, t->str);
		for (i = 0; t->type == JS_ARR && i < t->n; i++)
			ok |= t->kids[i]->type == JS_STR &&
			      js_is_type(v, t->kids[i]->str);
		if (!ok) {
			js_err(c, path, "is %s, not of the schema's type",
			       js_type_name(v));
			return;
		}
	}
	en = js_get(s, "enum");
	if (en && en->type == JS_ARR) {
		bool ok = false;

		for (i = 0; i < en->n; i++)
			ok |= js_equal(v, en->kids[i]);
		if (!ok)
			js_err(c, path, "%s%s%s is not one of the enum's values",
			       v->type == JS_STR ? "\"" : "",
			       v->type == JS_STR ? v->str : js_type_name(v),
			       v->type == JS_STR ? "\"" : "");
	}
	cst = js_get(s, "const");
	if (cst && !js_equal(v, cst))
		js_err(c, path, "is not the schema's constant");
	min = js_get(s, "minimum");
	if (min && min->type == JS_NUM && v->type == JS_NUM && v->num < min->num)
		js_err(c, path, "%g is below the minimum %g", v->num, min->num);
	fmt = js_get(s, "format");
	if (fmt && fmt->type == JS_STR && v->type == JS_STR) {
		if (strcmp(fmt->str, "hex"))
			js_err(c, path, "schema: unsupported format '%s'",
			       fmt->str);
		else if (!js_hex_str(v->str))
			js_err(c, path, "\"%s\" is not a \"0x...\" hex string",
			       v->str);
	}
	any = js_get(s, "anyOf");
	if (any && any->type == JS_ARR) {
		bool ok = false;

		for (i = 0; i < any->n && !ok; i++) {
			struct js_check one = { .root = c->root };

			js_validate(&one, v, any->kids[i], path, depth + 1);
			ok = !one.errors;
		}
		if (!ok)
			js_err(c, path, "matches none of anyOf");
	}
	if (v->type == JS_OBJ) {
		props = js_get(s, "properties");
		req = js_get(s, "required");
		add = js_get(s, "additionalProperties");
		for (i = 0; req && req->type == JS_ARR && i < req->n; i++)
			if (req->kids[i]->type == JS_STR &&
			    !js_get(v, req->kids[i]->str))
				js_err(c, path, "required key '%s' missing",
				       req->kids[i]->str);
		for (i = 0; i < v->n; i++) {
			const struct js *ps = js_get(props, v->keys[i]);

			snprintf(sub, sizeof(sub), "%s/%s", path, v->keys[i]);
			if (ps)
				js_validate(c, v->kids[i], ps, sub, depth + 1);
			else if (add)
				js_validate(c, v->kids[i], add, sub, depth + 1);
		}
	}
	items = js_get(s, "items");
	if (v->type == JS_ARR && items)
		for (j = 0; j < v->n; j++) {
			snprintf(sub, sizeof(sub), "%s/%d", path, j);
			js_validate(c, v->kids[j], items, sub, depth + 1);
		}
}

/*
 * Validate @doc against @schema; 0 if valid, else the number of errors,
 * the first described in @err.
 */
static JS_UNUSED int js_check(const struct js *doc, const struct js *schema,
			      char *err, size_t errlen)
{
	struct js_check c = { .root = schema };

	js_validate(&c, doc, schema, "", 0);
	if (c.errors && err)
		snprintf(err, errlen, "%s", c.err);
	return c.errors;
}

#endif
