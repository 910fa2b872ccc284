/*
 * test_liveness.c: the pure part of the liveness checks: consecutive
 * failures and the verdict they make, the wording of every event, and
 * the parsers of an HTTP status line and a /proc/PID/stat line.
 */
#include <stdio.h>
#include <string.h>

#include "liveness.h"
#include "nstate.h"
#include "tap.h"

static void
test_counting(void)
{
	struct liveness	l;

	liveness_reset(&l);
	is_int(liveness_health(&l), NSTATE_HEALTH_UNKNOWN,
	    "unknown before the first check");
	is_int(liveness_result(&l, 1, 3), LIVENESS_OK, "a success is ok");
	is_int(liveness_health(&l), NSTATE_HEALTH_OK, "... health ok");
	is_int(liveness_result(&l, 0, 3), LIVENESS_FAILING, "1 of 3 failing");
	is_int(liveness_health(&l), NSTATE_HEALTH_FAILING, "... health failing");
	is_int(liveness_result(&l, 0, 3), LIVENESS_FAILING, "2 of 3 failing");
	is_int(l.fails, 2, "... counted");
	is_int(liveness_result(&l, 1, 3), LIVENESS_OK, "a success in between");
	is_int(l.fails, 0, "... resets the count");
	(void)liveness_result(&l, 0, 3);
	(void)liveness_result(&l, 0, 3);
	is_int(liveness_result(&l, 0, 3), LIVENESS_UNHEALTHY,
	    "3 in a row: unhealthy");
	is_int(liveness_result(&l, 0, 3), LIVENESS_UNHEALTHY,
	    "... and stays so, the count capped");
	is_int(l.fails, 3, "... at health_failures");
	liveness_reset(&l);
	is_int(liveness_result(&l, 0, 1), LIVENESS_UNHEALTHY,
	    "health_failures 1: the first failure is enough");
	liveness_reset(&l);
	is_int(liveness_health(&l), NSTATE_HEALTH_UNKNOWN,
	    "a new run: unknown again");
	is_str(liveness_health_name(NSTATE_HEALTH_OK), "ok", "name ok");
	is_str(liveness_health_name(NSTATE_HEALTH_FAILING), "failing",
	    "name failing");
	is_str(liveness_health_name(NSTATE_HEALTH_UNKNOWN), "unknown",
	    "name unknown");
	ok(liveness_health_name(NSTATE_HEALTH_NONE) == NULL,
	    "no name without checks");
}

static void
test_words(void)
{
	char	buf[128];

	liveness_check_msg(buf, sizeof buf, LIVENESS_UNHEALTHY, "http 500", 3,
	    3);
	is_str(buf, "unhealthy: http 500, 3 of 3", "unhealthy");
	liveness_check_msg(buf, sizeof buf, LIVENESS_FAILING,
	    "tcp: Connection refused", 1, 3);
	is_str(buf, "health check failed: tcp: Connection refused, 1 of 3",
	    "failing");
	liveness_check_msg(buf, sizeof buf, LIVENESS_OK, "exec exit 0", 0, 3);
	is_str(buf, "healthy again: exec exit 0", "healthy again");
	liveness_watchdog_msg(buf, sizeof buf, 500, 0);
	is_str(buf, "watchdog: no keep-alive for 500ms", "watchdog timeout");
	liveness_watchdog_msg(buf, sizeof buf, 2000, 0);
	is_str(buf, "watchdog: no keep-alive for 2s", "... in seconds");
	liveness_watchdog_msg(buf, sizeof buf, 2000, 1);
	is_str(buf, "watchdog: triggered by the worker (WATCHDOG=trigger)",
	    "watchdog trigger");
	liveness_memory_msg(buf, sizeof buf, 81LL << 20, 40LL << 20);
	is_str(buf, "memory 81M over max_memory 40M", "memory");
	liveness_memory_msg(buf, sizeof buf, (40LL << 20) + 1, 40LL << 20);
	is_str(buf, "memory 41M over max_memory 40M",
	    "memory just over: rounded up, never equal");
	liveness_fmt_size(buf, sizeof buf, 512 * 1024, 0);
	is_str(buf, "512K", "size in K");
	liveness_fmt_size(buf, sizeof buf, 3LL << 30, 0);
	is_str(buf, "3G", "size in G");
	liveness_fmt_size(buf, sizeof buf, 1000, 0);
	is_str(buf, "1000", "bytes");
	ok(liveness_memory_over(41, 40) && !liveness_memory_over(40, 40) &&
	    !liveness_memory_over(1000, 0), "over: strictly, never without max");
}

static void
test_http(void)
{
	const char	*r = "HTTP/1.1 503 Service Unavailable\r\n";
	int		 code = 0;

	is_int(liveness_http_status(r, strlen(r), &code), 0, "status line");
	is_int(code, 503, "... its code");
	is_int(liveness_http_status("HTTP/1.0 200 OK\n", 16, &code), 0,
	    "HTTP/1.0, bare newline");
	is_int(code, 200, "... 200");
	is_int(liveness_http_status("HTTP/1.1 204\r\n", 14, &code), 0,
	    "no reason phrase");
	is_int(liveness_http_status("HTTP/1.1 20", 11, &code), 1,
	    "incomplete: more to read");
	is_int(liveness_http_status("HTT", 3, &code), 1, "a prefix: more");
	is_int(liveness_http_status("SSH-2.0-x\r\n", 11, &code), -1,
	    "not HTTP");
	is_int(liveness_http_status("HTTP/1.1 2x0 OK\r\n", 17, &code), -1,
	    "a bad code");
	ok(liveness_http_ok(200) && liveness_http_ok(302) &&
	    liveness_http_ok(399) && !liveness_http_ok(400) &&
	    !liveness_http_ok(500) && !liveness_http_ok(199),
	    "200 to 399 is healthy");
	{
		char	buf[32];

		liveness_http_what(buf, sizeof buf, 500);
		is_str(buf, "http 500", "what: http 500");
	}
}

static void
test_stat(void)
{
	const char	*s = "1234 (my (odd) name) S 1 1230 1230 0 -1 4194560 "
	    "100 0 0 0 1 2 0 0 20 0 1 0 12345 1000000 250 18446744073709551615";
	int		 pg = 0;
	long		 rss = 0;

	is_int(liveness_stat_parse(s, &pg, &rss), 0, "stat parsed");
	is_int(pg, 1230, "pgrp, after a name with ') '");
	is_int(rss, 250, "rss pages");
	is_int(liveness_stat_parse("1234 (x) S 1 2", &pg, &rss), -1,
	    "truncated: refused");
	is_int(liveness_stat_parse("garbage", &pg, &rss), -1, "no name");
}

int
main(void)
{
	test_counting();
	test_words();
	test_http();
	test_stat();
	return (done_testing());
}
