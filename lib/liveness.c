/*
 * liveness.c: the decisions and words of a worker's liveness checks.
 *
 * A health check ends ok or failed; liveness_result() counts the failures
 * in a row and says when they make the worker unhealthy (health_failures
 * of them; one success resets the count). The verdict then goes to the
 * lifecycle as a failure (fsm.c: FSM_EV_FAIL), where it is handled as an
 * abnormal exit. The event lines are worded here, once, so that people
 * and tests can grep them:
 *   "health check failed: http 500, 1 of 3"
 *   "unhealthy: http 500, 3 of 3"
 *   "healthy again: tcp connected"
 *   "watchdog: no keep-alive for 500ms"
 *   "memory 81M over max_memory 40M"
 * Pure: health.c, the unit test and nothing else call it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liveness.h"
#include "nstate.h"
#include "value.h"

void
liveness_reset(struct liveness *l)
{
	l->checked = 0;
	l->fails = 0;
}

/* One check ended (ok or not): the count, and what it now means. */
enum liveness_verdict
liveness_result(struct liveness *l, int ok, int failures)
{
	l->checked = 1;
	if (ok) {
		l->fails = 0;
		return (LIVENESS_OK);
	}
	if (l->fails < failures)
		l->fails++;
	return (l->fails >= failures ? LIVENESS_UNHEALTHY : LIVENESS_FAILING);
}

int
liveness_health(const struct liveness *l)
{
	if (!l->checked)
		return (NSTATE_HEALTH_UNKNOWN);
	return (l->fails > 0 ? NSTATE_HEALTH_FAILING : NSTATE_HEALTH_OK);
}

const char *
liveness_health_name(int h)
{
	switch (h) {
	case NSTATE_HEALTH_UNKNOWN:
		return ("unknown");
	case NSTATE_HEALTH_OK:
		return ("ok");
	case NSTATE_HEALTH_FAILING:
		return ("failing");
	default:
		return (NULL);
	}
}

void
liveness_check_msg(char *buf, size_t len, enum liveness_verdict v,
    const char *what, int fails, int failures)
{
	switch (v) {
	case LIVENESS_OK:
		snprintf(buf, len, "healthy again: %s", what);
		break;
	case LIVENESS_FAILING:
		snprintf(buf, len, "health check failed: %s, %d of %d", what,
		    fails, failures);
		break;
	case LIVENESS_UNHEALTHY:
		snprintf(buf, len, "unhealthy: %s, %d of %d", what, fails,
		    failures);
		break;
	}
}

void
liveness_watchdog_msg(char *buf, size_t len, int64_t ms, int trigger)
{
	char	*d;

	if (trigger) {
		snprintf(buf, len, "watchdog: triggered by the worker "
		    "(WATCHDOG=trigger)");
		return;
	}
	d = value_fmt_duration(ms);
	snprintf(buf, len, "watchdog: no keep-alive for %s", d);
	free(d);
}

/*
 * Bytes as people write them: 81M, 512K, 2G. up rounds up (a measured
 * size over a ceiling never shows as equal to it); otherwise down.
 */
void
liveness_fmt_size(char *buf, size_t len, int64_t n, int up)
{
	static const char	units[] = "BKMGT";
	int64_t			div = 1;
	int			u = 0;

	while (u < 4 && n >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (u == 0) {
		snprintf(buf, len, "%lld", (long long)n);
		return;
	}
	snprintf(buf, len, "%lld%c", (long long)(up ? (n + div - 1) / div :
	    n / div), units[u]);
}

int
liveness_memory_over(int64_t rss, int64_t max)
{
	return (max > 0 && rss > max);
}

void
liveness_memory_msg(char *buf, size_t len, int64_t rss, int64_t max)
{
	char	a[32], b[32];

	liveness_fmt_size(a, sizeof a, rss, 1);
	liveness_fmt_size(b, sizeof b, max, 0);
	snprintf(buf, len, "memory %s over max_memory %s", a, b);
}

/*
 * The status of an HTTP response from its first bytes: 0 with *code set,
 * 1 when the status line is not complete yet, -1 if it is not HTTP.
 */
int
liveness_http_status(const char *s, size_t len, int *code)
{
	const char	*eol, *p;
	int		 c = 0, i;

	if (len >= 5 && strncmp(s, "HTTP/", 5) != 0)
		return (-1);
	if (len < 5 && strncmp(s, "HTTP/", len) != 0)
		return (-1);
	eol = memchr(s, '\n', len);
	if (eol == NULL)
		return (len > 512 ? -1 : 1);
	p = memchr(s, ' ', eol - s);
	if (p == NULL || eol - p < 4)
		return (-1);
	for (i = 1; i <= 3; i++) {
		if (!isdigit((unsigned char)p[i]))
			return (-1);
		c = c * 10 + (p[i] - '0');
	}
	if (p[4] != ' ' && p[4] != '\r' && p[4] != '\n')
		return (-1);
	*code = c;
	return (0);
}

/* As Kubernetes' httpGet: 200 to 399 is healthy. */
int
liveness_http_ok(int code)
{
	return (code >= 200 && code < 400);
}

void
liveness_http_what(char *buf, size_t len, int code)
{
	snprintf(buf, len, "http %d", code);
}

/*
 * Fields 5 (pgrp) and 24 (rss, in pages) of a /proc/PID/stat line. The
 * command name (field 2) may hold blanks and parentheses: the fields
 * start after the last ')'. Returns 0, or -1 if malformed.
 */
int
liveness_stat_parse(const char *s, int *pgrp, long *rss_pages)
{
	const char	*p = strrchr(s, ')');
	char		*end;
	long		 v;
	int		 field;

	if (p == NULL)
		return (-1);
	p++;
	/* p is before field 3 (state). */
	for (field = 3; field <= 24; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return (-1);
		if (field == 5 || field == 24) {
			v = strtol(p, &end, 10);
			if (end == p)
				return (-1);
			if (field == 5)
				*pgrp = (int)v;
			else
				*rss_pages = v;
		}
		p += strcspn(p, " ");
	}
	return (0);
}
