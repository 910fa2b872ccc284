/*
 * test_rlimit.c: the limit_* values: SOFT[:HARD], infinity, units per
 * key, and every refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rlimit.h"
#include "tap.h"

/* Index of the key called name. */
static int
key(const char *name)
{
	int	i;

	for (i = 0; i < RLIMIT_NKEYS; i++)
		if (strcmp(rlimit_name(i), name) == 0)
			return (i);
	return (-1);
}

/* Parse; 0 if it was refused (the cause freed). */
static int
parse(const char *name, const char *s, struct rlimit_val *v)
{
	char	*cause = NULL;
	int	 rv;

	memset(v, 0, sizeof *v);
	rv = rlimit_parse(key(name), s, v, &cause);
	free(cause);
	return (rv == 0);
}

int
main(void)
{
	struct rlimit_val	v;

	ok(key("limit_nofile") >= 0 && key("limit_data") >= 0,
	    "every limit key has a name");
	ok(parse("limit_nofile", "1024", &v) && v.soft == 1024 &&
	    v.hard == 1024, "N sets soft and hard");
	ok(parse("limit_nofile", "256:4096", &v) && v.soft == 256 &&
	    v.hard == 4096, "SOFT:HARD");
	ok(parse("limit_nofile", "infinity", &v) && v.soft == RLIMIT_INF &&
	    v.hard == RLIMIT_INF, "infinity");
	ok(parse("limit_core", "0:infinity", &v) && v.soft == 0 &&
	    v.hard == RLIMIT_INF, "SOFT:infinity");
	ok(parse("limit_as", "2G", &v) && v.soft == 2ULL << 30,
	    "G is 1024^3 for a size");
	ok(parse("limit_stack", "8M:16M", &v) && v.soft == 8ULL << 20 &&
	    v.hard == 16ULL << 20, "M on both sides");
	ok(parse("limit_fsize", "64K", &v) && v.soft == 64ULL << 10,
	    "K is 1024");
	ok(parse("limit_cpu", "30", &v) && v.soft == 30, "cpu in seconds");
	ok(!parse("limit_nofile", "1K", &v), "a count takes no size suffix");
	ok(!parse("limit_cpu", "1M", &v), "seconds take no size suffix");
	ok(!parse("limit_nofile", "200:100", &v), "hard below soft refused");
	ok(!parse("limit_nofile", "", &v), "empty refused");
	ok(!parse("limit_nofile", "abc", &v), "garbage refused");
	ok(!parse("limit_nofile", "-1", &v), "negative refused");
	ok(!parse("limit_nofile", "1:2:3", &v), "three parts refused");
	ok(!parse("limit_data", "1T", &v), "unknown suffix refused");
	return (done_testing());
}
