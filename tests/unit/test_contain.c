/*
 * test_contain.c: the pure part of contain.c: /proc/PID/stat parsing, the
 * environment lookup, the cyclic pid range and the marker.
 */
#include <string.h>

#include "contain.h"
#include "tap.h"

static void
test_stat(void)
{
	struct contain_proc	p;
	const char *s1 = "4242 (sleep) S 17 4242 4200 0 -1 4194304 90 0 0 0 "
	    "0 0 0 0 20 0 1 0 123456 2490368 128 18446744073709551615 1 1 0 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	const char *s2 = "77 (a) b (c)) Z 1 5 6 0 -1 0 0 0 0 0 0 0 0 0 20 0 "
	    "1 0 99 0 0\n";

	ok(contain_parse_stat(s1, strlen(s1), &p) == 0, "stat parses");
	ok(p.pid == 4242 && p.ppid == 17 && p.pgid == 4242 && p.sid == 4200,
	    "pid, ppid, pgid, sid");
	ok(p.state == 'S' && p.start == 123456, "state and start time");
	ok(contain_parse_stat(s2, strlen(s2), &p) == 0 && p.pid == 77 &&
	    p.state == 'Z' && p.ppid == 1 && p.pgid == 5 && p.sid == 6 &&
	    p.start == 99, "a name with spaces and parentheses");
	ok(contain_parse_stat("12 (x", 5, &p) == -1, "no ')' is refused");
	ok(contain_parse_stat("12 (x) S 1 2", 12, &p) == -1,
	    "too few fields are refused");
	ok(contain_parse_stat("", 0, &p) == -1, "empty is refused");
	ok(contain_parse_stat("x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
	    "17 18 19 20", 48, &p) == -1, "no pid is refused");
}

static void
test_env(void)
{
	const char	env[] = "SUPERVISED_BY=12.3\0PATH=/bin\0X=\0";
	const char	env2[] = "SUPERVISED_BYS=1\0A=SUPERVISED_BY=9\0";
	const char	*v;

	v = contain_env_get(env, sizeof env, "SUPERVISED_BY");
	ok(v != NULL && strcmp(v, "12.3") == 0, "the marker is found first");
	v = contain_env_get(env, sizeof env, "PATH");
	ok(v != NULL && strcmp(v, "/bin") == 0, "a later variable is found");
	v = contain_env_get(env, sizeof env, "X");
	ok(v != NULL && *v == '\0', "an empty value");
	ok(contain_env_get(env2, sizeof env2, "SUPERVISED_BY") == NULL,
	    "a longer name or a value that looks like it does not match");
	ok(contain_env_get("", 1, "A") == NULL, "an empty environment");
}

static void
test_range(void)
{
	ok(contain_in_range(100, 200, 150), "inside");
	ok(!contain_in_range(100, 200, 100), "the leader itself is not");
	ok(contain_in_range(100, 200, 200), "the last pid is");
	ok(!contain_in_range(100, 200, 201), "after the last is not");
	ok(!contain_in_range(100, 200, 50), "before is not");
	ok(contain_in_range(30000, 400, 32000), "wrapped: above the leader");
	ok(contain_in_range(30000, 400, 350), "wrapped: below the last");
	ok(!contain_in_range(30000, 400, 1000), "wrapped: in the gap");
	ok(!contain_in_range(100, 100, 150), "nothing since: empty");
}

static void
test_marker(void)
{
	char	buf[CONTAIN_MARKLEN];
	int	id = -1;

	contain_marker(buf, sizeof buf, 4242, 17);
	ok(strcmp(buf, "SUPERVISED_BY=4242.17") == 0, "marker text");
	ok(contain_marker_id("4242.17", 4242, &id) == 0 && id == 17,
	    "marker id");
	ok(contain_marker_id("4243.17", 4242, &id) == -1,
	    "another tree's marker");
	ok(contain_marker_id("4242.", 4242, &id) == -1 &&
	    contain_marker_id("4242.17x", 4242, &id) == -1 &&
	    contain_marker_id("x", 4242, &id) == -1 &&
	    contain_marker_id("4242.-1", 4242, &id) == -1,
	    "malformed markers");
}

static void
test_kids_usable(void)
{
	ok(!contain_kids_usable(CONTAIN_DEAR, CONTAIN_DEAR - 1, 5000, 10),
	    "fewer children than dear: read again, however long it took");
	ok(contain_kids_usable(CONTAIN_DEAR, CONTAIN_DEAR, 400, 0),
	    "a dear read serves");
	ok(contain_kids_usable(CONTAIN_DEAR, 10000, 15000,
	    15000 * CONTAIN_DEAR_AGE - 1),
	    "while younger than its cost times the age factor");
	ok(!contain_kids_usable(CONTAIN_DEAR, 10000, 15000,
	    15000 * CONTAIN_DEAR_AGE),
	    "and not from then on");
	ok(!contain_kids_usable(CONTAIN_DEAR, 10000, 15000, -1),
	    "a read from the future is not");
	ok(contain_kids_usable(CONTAIN_DEAR, 10000, 200000,
	    CONTAIN_DEAR_MAX_US - 1) &&
	    !contain_kids_usable(CONTAIN_DEAR, 10000, 200000,
	    CONTAIN_DEAR_MAX_US), "never older than the cap");
	ok(contain_kids_usable(0, 0, 50, 999) &&
	    !contain_kids_usable(0, 0, 50, 1000),
	    "a threshold of 0 keeps every read, for 20 times its cost");
}

int
main(void)
{
	test_stat();
	test_kids_usable();
	test_env();
	test_range();
	test_marker();
	return (done_testing());
}
