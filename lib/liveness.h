/*
 * liveness.h: the pure part of a worker's liveness checks (health.c runs
 * them): counting consecutive failures into a verdict, the wording of
 * every liveness event, and the parsers the checks need (an HTTP status
 * line, a /proc/PID/stat line). No syscalls, no clock, no globals.
 */
#ifndef LIVENESS_H
#define LIVENESS_H

#include <stddef.h>
#include <stdint.h>

/* What one check result means for the worker. */
enum liveness_verdict {
	LIVENESS_OK,		/* healthy (again) */
	LIVENESS_FAILING,	/* failed, fewer than health_failures in a row */
	LIVENESS_UNHEALTHY	/* health_failures in a row: a failed worker */
};

struct liveness {
	int	checked;	/* a check ended since the worker started */
	int	fails;		/* consecutive failed checks */
};

void	liveness_reset(struct liveness *);
enum liveness_verdict liveness_result(struct liveness *, int ok,
	    int failures);
int	liveness_health(const struct liveness *);	/* NSTATE_HEALTH_* */
const char *liveness_health_name(int);

void	liveness_check_msg(char *, size_t, enum liveness_verdict,
	    const char *what, int fails, int failures);
void	liveness_watchdog_msg(char *, size_t, int64_t ms, int trigger);
void	liveness_memory_msg(char *, size_t, int64_t rss, int64_t max);
void	liveness_fmt_size(char *, size_t, int64_t, int up);
int	liveness_memory_over(int64_t rss, int64_t max);

int	liveness_http_status(const char *, size_t, int *code);
int	liveness_http_ok(int code);
void	liveness_http_what(char *, size_t, int code);
int	liveness_stat_parse(const char *, int *pgrp, long *rss_pages);

#endif
