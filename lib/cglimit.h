/*
 * cglimit.h: the worker keys that need cgroup v2 (memory_max,
 * memory_high, cpu_weight, cpu_max, pids_max): names, the file and the
 * controller each writes, and the parsing of their values into the text
 * written to the file. Pure.
 */
#ifndef CGLIMIT_H
#define CGLIMIT_H

#include <stdint.h>

#define CGLIMIT_NKEYS	5
#define CGLIMIT_TEXTLEN	48

struct cglimit_val {
	int	set;
	char	text[CGLIMIT_TEXTLEN];	/* as written to the file */
};

const char	*cglimit_name(int);
const char	*cglimit_file(int);
const char	*cglimit_controller(int);
int		 cglimit_parse(int, const char *, struct cglimit_val *, char **);
int		 cglimit_has(const char *, const char *);
int		 cglimit_stat(const char *, const char *, uint64_t *);

#endif
