/*
 * cglimit.c: the values of the cgroup keys of a worker, as text to the
 * exact line written to the cgroup's file. Pure: no syscalls.
 *
 *   memory_max, memory_high	SIZE (K, M, G, T: powers of 1024) or max
 *   cpu_weight			1 to 10000 (the default is 100)
 *   cpu_max			max, QUOTA, QUOTA PERIOD (microseconds), or
 *				N% (of one CPU, over a 100 ms period)
 *   pids_max			a count, or max
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cglimit.h"
#include "xmalloc.h"

static const struct {
	const char	*name;
	const char	*file;
	const char	*controller;
} cglimit_keys[CGLIMIT_NKEYS] = {
	{ "memory_max", "memory.max", "memory" },
	{ "memory_high", "memory.high", "memory" },
	{ "cpu_weight", "cpu.weight", "cpu" },
	{ "cpu_max", "cpu.max", "cpu" },
	{ "pids_max", "pids.max", "pids" },
};

static int	cglimit_num(const char *, int, uint64_t *);

const char *
cglimit_name(int k)
{
	return (cglimit_keys[k].name);
}

const char *
cglimit_file(int k)
{
	return (cglimit_keys[k].file);
}

const char *
cglimit_controller(int k)
{
	return (cglimit_keys[k].controller);
}

/* A whole number, with a K/M/G/T suffix if sizes; -1 if malformed. */
static int
cglimit_num(const char *s, int size, uint64_t *v)
{
	char			*ep;
	unsigned long long	 n, mul = 1;

	if (!isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoull(s, &ep, 10);
	if (errno != 0)
		return (-1);
	if (size && *ep != '\0' && ep[1] == '\0') {
		switch (toupper((unsigned char)*ep)) {
		case 'K': mul = 1ULL << 10; break;
		case 'M': mul = 1ULL << 20; break;
		case 'G': mul = 1ULL << 30; break;
		case 'T': mul = 1ULL << 40; break;
		default: return (-1);
		}
		ep++;
	}
	if (*ep != '\0' || n > UINT64_MAX / mul)
		return (-1);
	*v = n * mul;
	return (0);
}

int
cglimit_parse(int k, const char *s, struct cglimit_val *v, char **cause)
{
	uint64_t	 a, b;
	char		 q[32], p[32], extra;
	int		 n;

	memset(v, 0, sizeof v->text);
	if (strcmp(s, "max") == 0 && k != 2) {
		snprintf(v->text, sizeof v->text, "max");
		v->set = 1;
		return (0);
	}
	switch (k) {
	case 0:
	case 1:
		if (cglimit_num(s, 1, &a) == -1)
			goto bad;
		snprintf(v->text, sizeof v->text, "%llu", (unsigned long long)a);
		break;
	case 2:
		if (cglimit_num(s, 0, &a) == -1 || a < 1 || a > 10000)
			goto bad;
		snprintf(v->text, sizeof v->text, "%llu", (unsigned long long)a);
		break;
	case 3:
		n = strlen(s);
		if (n > 1 && s[n - 1] == '%') {
			snprintf(q, sizeof q, "%.*s", n - 1, s);
			if (cglimit_num(q, 0, &a) == -1 || a < 1 || a > 100000)
				goto bad;
			snprintf(v->text, sizeof v->text, "%llu 100000",
			    (unsigned long long)a * 1000);
			break;
		}
		p[0] = '\0';
		n = sscanf(s, "%31s %31s %c", q, p, &extra);
		if (n < 1 || n > 2 || (strcmp(q, "max") != 0 &&
		    (cglimit_num(q, 0, &a) == -1 || a < 1000)))
			goto bad;
		if (n == 2 && (cglimit_num(p, 0, &b) == -1 || b < 1000 ||
		    b > 1000000))
			goto bad;
		/* Both are numbers of at most 20 digits, or max: they fit. */
		if (strlen(q) + strlen(p) + 2 > sizeof v->text)
			goto bad;
		if (n == 2)
			snprintf(v->text, sizeof v->text, "%.20s %.20s", q, p);
		else
			snprintf(v->text, sizeof v->text, "%.20s", q);
		break;
	case 4:
		if (cglimit_num(s, 0, &a) == -1 || a < 1)
			goto bad;
		snprintf(v->text, sizeof v->text, "%llu", (unsigned long long)a);
		break;
	}
	v->set = 1;
	return (0);
bad:
	switch (k) {
	case 0:
	case 1:
		xasprintf(cause, "invalid size '%.64s' (use bytes with K, M, G "
		    "or T, or max)", s);
		break;
	case 2:
		xasprintf(cause, "invalid weight '%.64s' (use 1 to 10000)", s);
		break;
	case 3:
		xasprintf(cause, "invalid cpu_max '%.64s' (use N%% of one CPU, "
		    "QUOTA [PERIOD] in microseconds from 1000, or max)", s);
		break;
	default:
		xasprintf(cause, "invalid count '%.64s' (use a number from 1, "
		    "or max)", s);
		break;
	}
	return (-1);
}

/* Does a cgroup.controllers line (names separated by blanks) hold name? */
int
cglimit_has(const char *list, const char *name)
{
	size_t	len = strlen(name), n;

	while (*list != '\0') {
		while (*list == ' ' || *list == '\n')
			list++;
		n = strcspn(list, " \n");
		if (n == len && strncmp(list, name, len) == 0)
			return (1);
		list += n;
	}
	return (0);
}

/*
 * The value of key in a cgroup "key value" file (cpu.stat,
 * memory.events): 0 and *v, or -1 if the file has no such line.
 */
int
cglimit_stat(const char *text, const char *key, uint64_t *v)
{
	size_t		 klen = strlen(key);
	const char	*s = text;
	char		*ep;

	while (s != NULL && *s != '\0') {
		if (strncmp(s, key, klen) == 0 && s[klen] == ' ') {
			*v = strtoull(s + klen + 1, &ep, 10);
			if (ep == s + klen + 1)
				return (-1);
			return (0);
		}
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	}
	return (-1);
}
