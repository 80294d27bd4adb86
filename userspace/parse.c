// SPDX-License-Identifier: GPL-2.0
/* Strict argument parsing and number formatting, unit-tested on the host. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int parse_base(const char *s, int base, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

/* Addresses and sizes: decimal, 0x hex or 0 octal, as C writes them. */
int parse_u64(const char *s, uint64_t *v)
{
	return parse_base(s, 0, v);
}

/* PIDs are decimal, as /proc and ps print them: "010" is 10. */
int parse_pid(const char *s, int *pid)
{
	uint64_t v;

	if (parse_base(s, 10, &v) || v == 0 || v > (1u << 22))
		return -1;
	*pid = (int)v;
	return 0;
}

int parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	char a[32];
	size_t n;

	if (!dash)
		return -1;
	n = dash - s;
	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (parse_u64(a, start) || parse_u64(dash + 1, end))
		return -1;
	return *start < *end ? 0 : -1;
}

int parse_size(const char *s, uint64_t *v)
{
	static const char units[] = "kmgt";
	char buf[32], *u;
	size_t n;
	uint64_t x;
	int shift = 0;

	if (!s || (n = strlen(s)) == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	u = strchr(units, buf[n - 1] | 0x20);
	if (buf[n - 1] >= 'A' && u) {
		shift = 10 * (int)(u - units + 1);
		buf[n - 1] = '\0';
	}
	if (parse_u64(buf, &x))
		return -1;
	if (shift && x > (UINT64_MAX >> shift))
		return -1;
	*v = x << shift;
	return 0;
}

const char *fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
	return buf;
}
