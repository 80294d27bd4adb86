// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the CLI's parsers and formatters (userspace/parse.c,
 * userspace/json.c), built with them and run by `make unit`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "cli.h"

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

TEST_HARNESS_MAIN
