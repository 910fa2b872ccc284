/*
 * test_cglimit.c: the cgroup keys' values, as the text written to the
 * cgroup files, and every refusal.
 */
#include <stdlib.h>
#include <string.h>

#include "cglimit.h"
#include "tap.h"

/* Index of the key called name. */
static int
key(const char *name)
{
	int	k;

	for (k = 0; k < CGLIMIT_NKEYS; k++) {
		if (strcmp(cglimit_name(k), name) == 0)
			return (k);
	}
	return (-1);
}

/* The text a value becomes, or "ERR". */
static const char *
parse(const char *name, const char *s)
{
	static struct cglimit_val	v;
	char				*cause = NULL;

	if (cglimit_parse(key(name), s, &v, &cause) == -1) {
		free(cause);
		return ("ERR");
	}
	return (v.text);
}

int
main(void)
{
	char			*cause = NULL;
	struct cglimit_val	 v;
	uint64_t		 u = 0;

	is_str(cglimit_file(key("memory_max")), "memory.max", "memory_max file");
	is_str(cglimit_controller(key("cpu_max")), "cpu", "cpu_max controller");
	is_str(cglimit_file(key("pids_max")), "pids.max", "pids_max file");
	is_str(parse("memory_max", "512M"), "536870912", "memory_max 512M");
	is_str(parse("memory_max", "1g"), "1073741824", "memory_max 1g");
	is_str(parse("memory_high", "4096"), "4096", "memory_high bytes");
	is_str(parse("memory_max", "max"), "max", "memory_max max");
	is_str(parse("memory_max", "12X"), "ERR", "a bad suffix");
	is_str(parse("memory_max", "-1"), "ERR", "a negative size");
	is_str(parse("memory_max", "M"), "ERR", "a suffix alone");
	is_str(parse("cpu_weight", "100"), "100", "cpu_weight 100");
	is_str(parse("cpu_weight", "0"), "ERR", "cpu_weight 0");
	is_str(parse("cpu_weight", "10001"), "ERR", "cpu_weight over 10000");
	is_str(parse("cpu_weight", "max"), "ERR", "cpu_weight max");
	is_str(parse("cpu_max", "50%"), "50000 100000", "cpu_max 50%%");
	is_str(parse("cpu_max", "200%"), "200000 100000", "cpu_max 200%%");
	is_str(parse("cpu_max", "25000 50000"), "25000 50000",
	    "cpu_max QUOTA PERIOD");
	is_str(parse("cpu_max", "20000"), "20000", "cpu_max QUOTA");
	is_str(parse("cpu_max", "max"), "max", "cpu_max max");
	is_str(parse("cpu_max", "max 50000"), "max 50000", "cpu_max max PERIOD");
	is_str(parse("cpu_max", "999"), "ERR", "cpu_max quota under 1000");
	is_str(parse("cpu_max", "1000 2000000"), "ERR", "cpu_max period over 1s");
	is_str(parse("cpu_max", "1 2 3"), "ERR", "cpu_max three fields");
	is_str(parse("cpu_max", "0%"), "ERR", "cpu_max 0%%");
	is_str(parse("pids_max", "64"), "64", "pids_max 64");
	is_str(parse("pids_max", "0"), "ERR", "pids_max 0");
	is_str(parse("pids_max", "1K"), "ERR", "pids_max takes no suffix");
	ok(cglimit_parse(key("memory_max"), "x", &v, &cause) == -1 &&
	    cause != NULL && strstr(cause, "use bytes") != NULL,
	    "the refusal says what to use");
	free(cause);
	ok(cglimit_has("cpuset cpu io memory pids\n", "memory"), "has memory");
	ok(cglimit_has("cpuset cpu\n", "cpu"), "has cpu, not just cpuset");
	ok(!cglimit_has("cpuset\n", "cpu"), "cpuset is not cpu");
	ok(!cglimit_has("", "pids"), "none");
	ok(cglimit_stat("usage_usec 1234\nuser_usec 1000\n", "usage_usec",
	    &u) == 0 && u == 1234, "cpu.stat usage_usec");
	ok(cglimit_stat("low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n",
	    "oom_kill", &u) == 0 && u == 1, "memory.events oom_kill");
	ok(cglimit_stat("oom_kill_x 5\n", "oom_kill", &u) == -1,
	    "a longer key is not the key");
	ok(cglimit_stat("oom 2\n", "oom_kill", &u) == -1, "absent");
	ok(cglimit_stat("oom_kill x\n", "oom_kill", &u) == -1,
	    "not a number");
	return (done_testing());
}
