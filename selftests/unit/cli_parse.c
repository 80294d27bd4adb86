// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the CLI's grammar, parsers and formatters
 * (userspace/grammar.c, parse.c, json.c, names.c), built with them and run
 * by `make unit`; and of the JSON Schema validator (selftests/lib/
 * jschema.h) with the schemas of docs/schema/.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "cli.h"
#include "lib/jschema.h"

TEST(pid_accepts_only_positive_decimal)
{
	int pid;

	EXPECT_EQ(0, parse_pid("1", &pid));
	EXPECT_EQ(1, pid);
	/* Decimal even with leading zeros: no octal, no hex. */
	EXPECT_EQ(0, parse_pid("010", &pid));
	EXPECT_EQ(10, pid);
	EXPECT_EQ(0, parse_pid("09", &pid));
	EXPECT_EQ(9, pid);
	EXPECT_EQ(-1, parse_pid("0x10", &pid));
	EXPECT_EQ(-1, parse_pid("0", &pid));
	EXPECT_EQ(-1, parse_pid("00", &pid));
	EXPECT_EQ(0, parse_pid("4194304", &pid));
	EXPECT_EQ(-1, parse_pid("4194305", &pid));
	EXPECT_EQ(-1, parse_pid("0", &pid));
	EXPECT_EQ(-1, parse_pid("-5", &pid));
	EXPECT_EQ(-1, parse_pid("+5", &pid));
	EXPECT_EQ(-1, parse_pid(" 5", &pid));
	EXPECT_EQ(-1, parse_pid("5 ", &pid));
	EXPECT_EQ(-1, parse_pid("abc", &pid));
	EXPECT_EQ(-1, parse_pid("12abc", &pid));
	EXPECT_EQ(-1, parse_pid("", &pid));
	EXPECT_EQ(-1, parse_pid("99999999999999999999", &pid));
	EXPECT_EQ(-1, parse_pid(NULL, &pid));
}

TEST(u64_limits)
{
	uint64_t v;

	EXPECT_EQ(0, parse_u64("18446744073709551615", &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_EQ(-1, parse_u64("18446744073709551616", &v));
	EXPECT_EQ(0, parse_u64("0xffffffffffffffff", &v));
	EXPECT_EQ(-1, parse_u64("0x", &v));
	EXPECT_EQ(-1, parse_u64("-1", &v));
}

TEST(range_needs_start_below_end)
{
	uint64_t a, b;

	EXPECT_EQ(0, parse_range("0x1000-0x2000", &a, &b));
	EXPECT_EQ(0x1000, a);
	EXPECT_EQ(0x2000, b);
	EXPECT_EQ(0, parse_range("4096-8192", &a, &b));
	EXPECT_EQ(-1, parse_range("0x2000-0x1000", &a, &b));
	EXPECT_EQ(-1, parse_range("0x1000-0x1000", &a, &b));
	EXPECT_EQ(-1, parse_range("0x1000", &a, &b));
	EXPECT_EQ(-1, parse_range("-0x1000", &a, &b));
	EXPECT_EQ(-1, parse_range("0x1000-", &a, &b));
	EXPECT_EQ(-1, parse_range("a-b", &a, &b));
}

TEST(sizes_with_units)
{
	uint64_t v;

	EXPECT_EQ(0, parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	EXPECT_EQ(0, parse_size("4k", &v));
	EXPECT_EQ(4096, v);
	EXPECT_EQ(0, parse_size("2M", &v));
	EXPECT_EQ(2 << 20, v);
	EXPECT_EQ(0, parse_size("1G", &v));
	EXPECT_EQ(1ULL << 30, v);
	EXPECT_EQ(-1, parse_size("1X", &v));
	EXPECT_EQ(-1, parse_size("k", &v));
	EXPECT_EQ(-1, parse_size("99999999999999999T", &v));
}

TEST(human_sizes)
{
	char buf[32];

	EXPECT_STREQ("0 B", fmt_size(0, buf, sizeof(buf)));
	EXPECT_STREQ("1023 B", fmt_size(1023, buf, sizeof(buf)));
	EXPECT_STREQ("4.0 KiB", fmt_size(4096, buf, sizeof(buf)));
	EXPECT_STREQ("2.0 MiB", fmt_size(2 << 20, buf, sizeof(buf)));
	EXPECT_STREQ("1.5 GiB", fmt_size(3ULL << 29, buf, sizeof(buf)));
}

static char *json_capture(void (*emit)(void))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	json_set_output(f);
	emit();
	fclose(f);
	json_set_output(NULL);
	return text;
}

static void emit_doc(void)
{
	json_obj_open(NULL);
	json_s64("pid", 42);
	json_hex("start", 0x7f0000001000ULL);
	json_str("name", "a \"quoted\"\\ name\n\x01\xff");
	json_null("pfn");
	json_bool("anon", true);
	json_words("flags", "rd wr  mr");
	json_arr_open("empty");
	json_arr_close();
	json_obj_close();
}

TEST(json_document)
{
	char *text = json_capture(emit_doc);

	EXPECT_STREQ("{\"pid\":42,\"start\":\"0x7f0000001000\","
		     "\"name\":\"a \\\"quoted\\\"\\\\ name\\n\\u0001\\u00ff\","
		     "\"pfn\":null,\"anon\":true,\"flags\":[\"rd\",\"wr\",\"mr\"],"
		     "\"empty\":[]}\n", text);
	free(text);
}

static char *escaped(const char *in)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	json_escape(f, in);
	fclose(f);
	return text;
}

/* Valid UTF-8 passes unchanged; only ", \\, controls and stray bytes escaped. */
TEST(json_strings_keep_utf8)
{
	static const char *const cases[][2] = {
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "[anon_shmem:\xe6\x97\xa5\xe6\x9c\xac]",
		  "\"[anon_shmem:\xe6\x97\xa5\xe6\x9c\xac]\"" },
		{ "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
		{ "\x01\x1f\x7f\r", "\"\\u0001\\u001f\\u007f\\u000d\"" },
		/* Not UTF-8: a lone continuation, an overlong '/', a surrogate,
		 * a truncated sequence, above U+10FFFF, 0xff. */
		{ "\x80", "\"\\u0080\"" },
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xffz", "\"\\u00ffz\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = escaped(cases[i][0]);

		EXPECT_STREQ(cases[i][1], text);
		free(text);
	}
}

static void emit_lines(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		json_obj_open(NULL);
		json_u64("i", i);
		json_obj_close();
	}
}

TEST(json_lines)
{
	char *text = json_capture(emit_lines);

	EXPECT_STREQ("{\"i\":0}\n{\"i\":1}\n", text);
	free(text);
}

/* ---- the grammar, with fake commands -------------------------------------- */

static char got[16][64];
static int ngot;

static void record(const char *fmt, const char *v)
{
	if (ngot < 16)
		snprintf(got[ngot++], sizeof(got[0]), fmt, v);
}

/* Like slab: -c/--cache VALUE, --raw, operands. */
static int fake_x(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cache", required_argument, NULL, 'c' },
		{ "raw", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, status;

	while ((opt = cmd_getopt(argc, argv, "c:", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'c')
			record("cache=%s", optarg);
		if (opt == 'R')
			record("raw%s", "");
	}
	for (; optind < argc; optind++)
		record("arg=%s", argv[optind]);
	return 0;
}

/* Like faults: -p PID (not --pretty), operands after "--" only. */
static int fake_f(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, status;

	while ((opt = cmd_getopt(argc, argv, "+p:", opts, &status)) != -1) {
		if (opt == OPT_EXIT)
			return status;
		if (opt == 'p')
			record("pid=%s", optarg);
	}
	for (; optind < argc; optind++)
		record("arg=%s", argv[optind]);
	return 7;
}

static int fake_version(void)
{
	record("version%s", "");
	return 0;
}

static const struct cmd fake_cmds[] = {
	{ "x", fake_x, "[OPTIONS] ARGS", "a fake command",
	  "  -c, --cache NAME    a value\n" },
	{ "f", fake_f, "[OPTIONS] [-- CMD]", "a fake faults",
	  "  -p, --pid PID       a pid\n" },
};

static const struct cli fake_cli = { fake_cmds, 2, fake_version };

struct outcome {
	int status;
	char out[4096], err[1024];
};

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Run cli_main() on a NULL-terminated argv, capturing stdout and stderr. */
static void run(struct outcome *o, const char *const *args)
{
	char *argv[32];
	char on[] = "/tmp/mmscope-unit-outXXXXXX", en[] = "/tmp/mmscope-unit-errXXXXXX";
	int argc = 0, ofd = mkstemp(on), efd = mkstemp(en);
	int so = dup(1), se = dup(2);

	unlink(on);
	unlink(en);
	argv[argc++] = "mmscope";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	ngot = 0;
	memset(got, 0, sizeof(got));
	fflush(stdout);
	fflush(stderr);
	dup2(ofd, 1);
	dup2(efd, 2);
	o->status = cli_main(&fake_cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(ofd, o->out, sizeof(o->out));
	slurp(efd, o->err, sizeof(o->err));
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define RUN(o, ...) run(o, (const char *const[]){ __VA_ARGS__, NULL })

TEST(grammar_option_values_both_forms)
{
	struct outcome o;

	RUN(&o, "x", "--cache", "kmalloc-64", "a");
	EXPECT_EQ(0, o.status);
	EXPECT_STREQ("cache=kmalloc-64", got[0]);
	EXPECT_STREQ("arg=a", got[1]);
	RUN(&o, "x", "--cache=kmalloc-64");
	EXPECT_STREQ("cache=kmalloc-64", got[0]);
	RUN(&o, "x", "-c", "kmalloc-64");
	EXPECT_STREQ("cache=kmalloc-64", got[0]);
	RUN(&o, "x", "-ckmalloc-64", "--raw");
	EXPECT_STREQ("cache=kmalloc-64", got[0]);
	EXPECT_STREQ("raw", got[1]);
	/* Operands and options in any order. */
	RUN(&o, "x", "a", "--raw", "b");
	EXPECT_STREQ("raw", got[0]);
	EXPECT_STREQ("arg=a", got[1]);
	EXPECT_STREQ("arg=b", got[2]);
}

TEST(grammar_json_anywhere_but_never_a_value)
{
	struct outcome o;

	RUN(&o, "x", "a");
	EXPECT_FALSE(json_output);
	RUN(&o, "-j", "x", "a");
	EXPECT_TRUE(json_output);
	EXPECT_STREQ("arg=a", got[0]);
	RUN(&o, "x", "a", "--json");
	EXPECT_TRUE(json_output);
	EXPECT_FALSE(json_pretty);
	EXPECT_STREQ("arg=a", got[0]);
	/* -j as an option's value stays the value. */
	RUN(&o, "x", "--cache", "-j");
	EXPECT_EQ(0, o.status);
	EXPECT_FALSE(json_output);
	EXPECT_STREQ("cache=-j", got[0]);
	RUN(&o, "x", "--cache=--json");
	EXPECT_FALSE(json_output);
	EXPECT_STREQ("cache=--json", got[0]);
	/* After "--", -j is an operand. */
	RUN(&o, "x", "--", "-j");
	EXPECT_FALSE(json_output);
	EXPECT_STREQ("arg=-j", got[0]);
	RUN(&o, "x", "-p");
	EXPECT_TRUE(json_output);
	EXPECT_TRUE(json_pretty);
	RUN(&o, "-p", "x");
	EXPECT_TRUE(json_pretty);
}

TEST(grammar_command_short_option_wins)
{
	struct outcome o;

	/* faults' -p is its PID; --pretty still works, and -p before it. */
	RUN(&o, "f", "-p", "42");
	EXPECT_EQ(7, o.status);
	EXPECT_FALSE(json_pretty);
	EXPECT_STREQ("pid=42", got[0]);
	RUN(&o, "f", "--pretty", "-p", "42");
	EXPECT_TRUE(json_pretty);
	EXPECT_STREQ("pid=42", got[0]);
	/* '+': everything after "--" belongs to the command it runs. */
	RUN(&o, "f", "--", "ls", "-j", "-p", "1");
	EXPECT_FALSE(json_output);
	EXPECT_STREQ("arg=ls", got[0]);
	EXPECT_STREQ("arg=-j", got[1]);
	EXPECT_STREQ("arg=-p", got[2]);
}

TEST(grammar_exit_status_and_one_line_errors)
{
	struct outcome o;

	RUN(&o, "x", "--bogus");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "'--bogus'"));
	RUN(&o, "x", "--raw=5");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "'--raw' takes no value")) TH_LOG("%s", o.err);
	RUN(&o, "x", "--bogus=5");
	EXPECT_EQ(2, o.status);
	EXPECT_NE(NULL, strstr(o.err, "unknown option '--bogus=5'")) TH_LOG("%s", o.err);
	RUN(&o, "x", "-Z");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "'-Z'"));
	RUN(&o, "x", "--cache");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "--cache"));
	RUN(&o, "f", "-p");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	RUN(&o, "nosuch");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "'nosuch'"));
	RUN(&o, "--bogus", "x");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	RUN(&o, "help", "nosuch");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
}

TEST(grammar_no_command_is_a_usage_error)
{
	struct outcome o;

	RUN(&o, "-j");
	EXPECT_EQ(2, o.status);
	EXPECT_EQ(1, lines(o.err));
	EXPECT_NE(NULL, strstr(o.err, "no command"));
	EXPECT_STREQ("", o.out);
}

TEST(grammar_help_is_per_command)
{
	struct outcome a, b, c;

	RUN(&a, "help", "x");
	RUN(&b, "x", "--help");
	EXPECT_EQ(0, a.status);
	EXPECT_EQ(0, b.status);
	EXPECT_STREQ(a.out, b.out);
	EXPECT_NE(NULL, strstr(a.out, "usage: mmscope x [OPTIONS] ARGS"));
	EXPECT_NE(NULL, strstr(a.out, "--cache NAME"));
	EXPECT_NE(NULL, strstr(a.out, "--json"));
	EXPECT_NE(NULL, strstr(a.out, "Exit status: 0"));
	RUN(&c, "x", "-h");
	EXPECT_STREQ(a.out, c.out);
	RUN(&c, "help", "f");
	EXPECT_STRNE(a.out, c.out);
	RUN(&c, "help");
	EXPECT_EQ(0, c.status);
	EXPECT_NE(NULL, strstr(c.out, "Commands:"));
	EXPECT_NE(NULL, strstr(c.out, "--version"));
	RUN(&c, "--version");
	EXPECT_EQ(0, c.status);
	EXPECT_STREQ("version", got[0]);
}

/* ---- names: one table per record type -------------------------------- */

TEST(names_bits)
{
	char buf[256];

	bits_str(&pt_flag_bits, MMSCOPE_PTF_PRESENT | MMSCOPE_PTF_NX, " ",
		 buf, sizeof(buf));
	EXPECT_STREQ("present nx", buf);
	bits_str(&fault_result_bits, MMSCOPE_FR_MAJOR | MMSCOPE_FR_RETRY, ",",
		 buf, sizeof(buf));
	EXPECT_STREQ("MAJOR,RETRY", buf);
	/* smaps' mnemonics for the stable low bits */
	bits_str(vm_flag_bits(), 0x1 | 0x2 | 0x10 | 0x20 | 0x40 | 0x100000,
		 " ", buf, sizeof(buf));
	EXPECT_STREQ("rd wr mr mw me ac", buf);
	/* pkey bits have no mnemonic */
	bits_str(vm_flag_bits(), 1ULL << 32, " ", buf, sizeof(buf));
	EXPECT_STREQ("", buf);
	EXPECT_STREQ("pmd", fault_level_name(2));
	EXPECT_STREQ("pte", pt_level_name(MMSCOPE_PT_PTE));
}

/* ---- the JSON Schema validator and the schemas --------------------------- */

#ifndef SCHEMA_DIR
#define SCHEMA_DIR "docs/schema"
#endif

static struct js *load_schema(const char *name)
{
	char path[512], err[200], *text;
	struct js *s;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", SCHEMA_DIR, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, len + 1);
	if (fread(text, 1, len, f) != (size_t)len)
		len = 0;
	fclose(f);
	s = js_parse(text, NULL, err, sizeof(err));
	if (!s)
		fprintf(stderr, "# %s: %s\n", path, err);
	free(text);
	return s;
}

static int check_text(const struct js *schema, const char *text, char *err,
		      size_t len)
{
	struct js *doc = js_parse(text, NULL, err, len);
	int n;

	if (!doc)
		return -1;
	n = js_check(doc, schema, err, len);
	js_free(doc);
	return n;
}

TEST(json_parser_is_strict)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "[1,2,]", "{\"a\" 1}", "{a:1}", "[1 2]", "01",
		"1.", "-", "\"abc", "{\"a\":1}]", "{\"a\":1} x", "tru", "[",
		"{\"a\":1,\"a\":2}", "\"\\x\"", "\"a\tb\"", "",
	};
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e3", "\"\\u00e9\\n\"", "null", "true",
		"{\"a\":[1,{\"b\":null}],\"c\":\"0x1\"}\n",
	};
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct js *v = js_parse(bad[i], NULL, err, sizeof(err));

		EXPECT_EQ(NULL, v) TH_LOG("accepted '%s'", bad[i]);
		js_free(v);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct js *v = js_parse(good[i], NULL, err, sizeof(err));

		EXPECT_NE(NULL, v) TH_LOG("refused '%s': %s", good[i], err);
		js_free(v);
	}
}

TEST(schema_keywords)
{
	static const char schema[] =
		"{\"$defs\":{\"a\":{\"type\":\"string\",\"format\":\"hex\"}},"
		"\"type\":\"object\",\"required\":[\"t\",\"n\"],"
		"\"additionalProperties\":false,\"properties\":{"
		"\"t\":{\"const\":\"x\"},\"n\":{\"type\":\"integer\",\"minimum\":0},"
		"\"a\":{\"$ref\":\"#/$defs/a\"},\"e\":{\"enum\":[\"p\",null]},"
		"\"l\":{\"type\":\"array\",\"items\":{\"type\":[\"integer\",\"null\"]}},"
		"\"o\":{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"boolean\"}]}}}";
	static const char *const good[] = {
		"{\"t\":\"x\",\"n\":0}",
		"{\"t\":\"x\",\"n\":5,\"a\":\"0x7f00\",\"e\":null,\"l\":[1,null],\"o\":true}",
	};
	static const char *const bad[] = {
		"{\"t\":\"x\"}",			/* required */
		"{\"t\":\"y\",\"n\":0}",		/* const */
		"{\"t\":\"x\",\"n\":-1}",		/* minimum */
		"{\"t\":\"x\",\"n\":1.5}",		/* integer */
		"{\"t\":\"x\",\"n\":0,\"z\":1}",	/* additionalProperties */
		"{\"t\":\"x\",\"n\":0,\"a\":\"7f00\"}",	/* format hex */
		"{\"t\":\"x\",\"n\":0,\"a\":\"0x7F\"}",
		"{\"t\":\"x\",\"n\":0,\"a\":123}",
		"{\"t\":\"x\",\"n\":0,\"e\":\"q\"}",	/* enum */
		"{\"t\":\"x\",\"n\":0,\"l\":[\"1\"]}",	/* items */
		"{\"t\":\"x\",\"n\":0,\"o\":1}",	/* anyOf */
		"[]",
	};
	char err[512];
	struct js *s = js_parse(schema, NULL, err, sizeof(err));
	size_t i;

	ASSERT_NE(NULL, s);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		EXPECT_EQ(0, check_text(s, good[i], err, sizeof(err)))
			TH_LOG("case %zu: %s", i, err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_LT(0, check_text(s, bad[i], err, sizeof(err)))
			TH_LOG("accepted case %zu", i);
	js_free(s);
	/* A keyword the validator does not know is an error, not a pass. */
	s = js_parse("{\"pattern\":\"^0x\"}", NULL, err, sizeof(err));
	EXPECT_LT(0, check_text(s, "\"0x1\"", err, sizeof(err)));
	js_free(s);
}

/* Every schema loads, and a document of the old dialect fails it. */
TEST(schemas_reject_json1)
{
	static const char *const names[] = {
		"vma", "pt", "translate", "buddy", "slab", "faults", "lab",
		"version",
	};
	/* JSON 1: hex pfn in buddy blocks; integer level and hex vma.flags in
	 * faults; prose for the summary's pfn; no "type". */
	static const char *const old[][2] = {
		{ "buddy", "{\"max_order\":10,\"walked\":true,\"changed\":false,\"nodes\":[]}" },
		{ "faults", "{\"type\":\"fault\",\"ts_ns\":1,\"cpu\":0,\"pid\":1,\"tid\":1,\"comm\":\"a\",\"addr\":\"0x1000\",\"ip\":null,\"write\":true,\"user\":true,\"exec\":false,\"remote\":false,\"flags\":[\"write\"],\"result\":[],\"major\":false,\"latency_ns\":1,\"vma\":{\"start\":\"0x1000\",\"end\":\"0x2000\",\"flags\":\"0x73\",\"raw_flags\":\"0x73\",\"name\":null},\"pfn\":5,\"level\":1}" },
		{ "vma", "{\"type\":\"vma\",\"pid\":1,\"mm\":null,\"vmas\":[{\"start\":\"0x1000\",\"end\":\"0x2000\",\"perms\":\"r--p\",\"flags\":[\"rd\"],\"offset\":0,\"dev\":\"00:00\",\"inode\":0,\"file\":\"/bin/x\",\"anon_vma\":false}]}" },
	};
	static const char *const cur[][2] = {
		{ "buddy", "{\"type\":\"buddy\",\"max_order\":10,\"walked\":true,\"changed\":false,\"nodes\":[{\"node\":0,\"zones\":[{\"name\":\"DMA\",\"free_pages\":1,\"managed\":1,\"present\":1,\"spanned\":1,\"start_pfn\":null,\"watermarks\":{\"min\":0,\"low\":0,\"high\":0},\"pcp_pages\":0,\"largest_order\":-1,\"orders\":[{\"order\":0,\"nr_free\":0,\"walked\":null,\"changed\":false,\"unusable_index\":1.0000,\"extfrag_index\":-1.0000}],\"blocks\":[{\"pfn\":4096,\"order\":0,\"migratetype\":\"Movable\",\"buddy\":true}]}]}]}" },
		{ "faults", "{\"type\":\"fault\",\"ts_ns\":1,\"cpu\":0,\"pid\":1,\"tid\":1,\"comm\":\"a\",\"addr\":\"0x1000\",\"ip\":null,\"write\":true,\"user\":true,\"exec\":false,\"remote\":false,\"flags\":[\"write\"],\"result\":[],\"major\":false,\"class\":\"anon\",\"huge\":false,\"latency_ns\":1,\"retries\":0,\"lock\":\"mmap\",\"vma\":{\"start\":\"0x1000\",\"end\":\"0x2000\",\"flags\":[\"rd\",\"wr\"],\"raw_flags\":\"0x73\",\"name\":null},\"pfn\":5,\"level\":\"pte\"}" },
		{ "vma", "{\"type\":\"vma\",\"pid\":1,\"mm\":null,\"vmas\":[]}" },
	};
	char err[512];
	size_t i, j;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct js *s = load_schema(names[i]);

		EXPECT_NE(NULL, s) TH_LOG("docs/schema/%s.json", names[i]);
		if (!s)
			continue;
		for (j = 0; j < sizeof(old) / sizeof(old[0]); j++) {
			if (strcmp(old[j][0], names[i]))
				continue;
			EXPECT_LT(0, check_text(s, old[j][1], err, sizeof(err)))
				TH_LOG("%s accepted JSON 1", names[i]);
			EXPECT_EQ(0, check_text(s, cur[j][1], err, sizeof(err)))
				TH_LOG("%s: %s", names[i], err);
		}
		js_free(s);
	}
}

/* --pretty output is the same document. */
static void emit_nested(void)
{
	json_obj_open(NULL);
	json_str("type", "x");
	json_arr_open("a");
	json_u64(NULL, 1);
	json_obj_open(NULL);
	json_null("b");
	json_obj_close();
	json_arr_close();
	json_arr_open("e");
	json_arr_close();
	json_obj_close();
}

TEST(json_pretty_same_document)
{
	char *compact = json_capture(emit_nested), *pretty, err[100];
	struct js *a, *b;

	json_set_pretty(true);
	pretty = json_capture(emit_nested);
	json_set_pretty(false);
	EXPECT_STREQ("{\"type\":\"x\",\"a\":[1,{\"b\":null}],\"e\":[]}\n", compact);
	EXPECT_STREQ("{\n  \"type\": \"x\",\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": []\n}\n",
		     pretty);
	a = js_parse(compact, NULL, err, sizeof(err));
	b = js_parse(pretty, NULL, err, sizeof(err));
	EXPECT_NE(NULL, a);
	EXPECT_NE(NULL, b);
	js_free(a);
	js_free(b);
	free(compact);
	free(pretty);
}

TEST_HARNESS_MAIN
