/*
 * rlimit.c: the values of the worker keys limit_nofile ... limit_data,
 * nice and oom_score_adj, as text to numbers. Pure: no syscalls; spawn
 * applies the result in the child before exec.
 *
 * A limit is SOFT[:HARD] or "infinity"; SOFT alone sets both. Each part
 * is a number or "infinity". Sizes (core, memlock, as, fsize, stack,
 * data) take a K, M or G suffix (powers of 1024); counts (nofile, nproc)
 * and seconds (cpu) are plain numbers. The hard limit is never below the
 * soft one.
 */
#include <sys/resource.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rlimit.h"
#include "xmalloc.h"

enum rlimit_unit { RU_SIZE, RU_COUNT, RU_SECONDS };

/* In the order of the spec keys K_LIMIT_NOFILE ... K_LIMIT_DATA. */
static const struct {
	const char		*name;
	int			 resource;
	enum rlimit_unit	 unit;
} rlimit_keys[RLIMIT_NKEYS] = {
	{ "limit_nofile", RLIMIT_NOFILE, RU_COUNT },
	{ "limit_nproc", RLIMIT_NPROC, RU_COUNT },
	{ "limit_core", RLIMIT_CORE, RU_SIZE },
	{ "limit_memlock", RLIMIT_MEMLOCK, RU_SIZE },
	{ "limit_as", RLIMIT_AS, RU_SIZE },
	{ "limit_cpu", RLIMIT_CPU, RU_SECONDS },
	{ "limit_fsize", RLIMIT_FSIZE, RU_SIZE },
	{ "limit_stack", RLIMIT_STACK, RU_SIZE },
	{ "limit_data", RLIMIT_DATA, RU_SIZE },
};

static int	rlimit_one(enum rlimit_unit, const char *, size_t,
		    uint64_t *);

const char *
rlimit_name(int i)
{
	return (rlimit_keys[i].name);
}

int
rlimit_resource(int i)
{
	return (rlimit_keys[i].resource);
}

/* One part (soft or hard) of len bytes; -1 if it is not a value. */
static int
rlimit_one(enum rlimit_unit unit, const char *s, size_t len, uint64_t *v)
{
	char		 buf[32], *end;
	uint64_t	 mult = 1;
	unsigned long long n;

	if (len == 0 || len >= sizeof buf)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "infinity") == 0) {
		*v = RLIMIT_INF;
		return (0);
	}
	if (buf[0] < '0' || buf[0] > '9')
		return (-1);
	errno = 0;
	n = strtoull(buf, &end, 10);
	if (errno != 0)
		return (-1);
	if (unit == RU_SIZE && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'K': case 'k':
			mult = 1024ULL;
			break;
		case 'M': case 'm':
			mult = 1024ULL * 1024;
			break;
		case 'G': case 'g':
			mult = 1024ULL * 1024 * 1024;
			break;
		default:
			return (-1);
		}
		end++;
	}
	if (*end != '\0' || n > (RLIMIT_INF - 1) / mult)
		return (-1);
	*v = n * mult;
	return (0);
}

/* Parse key i's value s into *v; -1 with *cause on a bad value. */
int
rlimit_parse(int i, const char *s, struct rlimit_val *v, char **cause)
{
	enum rlimit_unit	 unit = rlimit_keys[i].unit;
	const char		*colon = strchr(s, ':');
	const char		*how;

	how = unit == RU_SIZE ? "a size with K, M or G, e.g. 64M" :
	    unit == RU_SECONDS ? "seconds, e.g. 3600" : "a count, e.g. 1024";
	if (rlimit_one(unit, s, colon != NULL ? (size_t)(colon - s) :
	    strlen(s), &v->soft) == -1 || (colon != NULL &&
	    rlimit_one(unit, colon + 1, strlen(colon + 1), &v->hard) == -1)) {
		xasprintf(cause, "invalid limit '%.64s' (use SOFT[:HARD] or "
		    "infinity, each %s or infinity)", s, how);
		return (-1);
	}
	if (colon == NULL)
		v->hard = v->soft;
	if (v->hard < v->soft) {
		xasprintf(cause, "hard limit below soft limit in '%.64s' (use "
		    "SOFT:HARD with HARD >= SOFT)", s);
		return (-1);
	}
	v->set = 1;
	return (0);
}
