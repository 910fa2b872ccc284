/*
 * rlimit.h: the worker keys limit_* (setrlimit before exec), nice and
 * oom_score_adj: their names, units and the parsing of their values.
 */
#ifndef RLIMIT_H
#define RLIMIT_H

#include <stdint.h>

#define RLIMIT_NKEYS	9
#define RLIMIT_INF	UINT64_MAX	/* "infinity" */

struct rlimit_val {
	int		set;
	uint64_t	soft;
	uint64_t	hard;
};

const char	*rlimit_name(int);
int		 rlimit_resource(int);
int		 rlimit_parse(int, const char *, struct rlimit_val *, char **);

#endif
