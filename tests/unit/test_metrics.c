/*
 * test_metrics.c: GET /metrics and GET /healthz as text: the families in
 * order with HELP and TYPE, one sample per node (per state for
 * supertree_node_state), label escaping, the value of each metric, the
 * health verdict and its one-line reason, and a tree of 10,000 workers.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "spec.h"
#include "tap.h"
#include "xmalloc.h"

#define NOW	INT64_C(1700000100000)

static const char spec[] =
    "[supertree]\n"
    "name = demo\n"
    "[web]\n"
    "intensity = 5\n"
    "[web/api]\n"
    "command = /bin/true\n"
    "[db]\n"
    "command = /bin/true\n"
    "restart = transient\n";

static struct tree *
parse(const char *text)
{
	struct tree	*t;
	char		*cause = NULL;

	t = spec_parse("t.ini", text, strlen(text), NULL, &cause);
	if (t == NULL) {
		printf("# %s\n", cause);
		exit(1);
	}
	return (t);
}

/* Every node up and fine. */
static struct nstate *
states_up(const struct tree *t)
{
	struct nstate	*s;
	int		 i;

	s = xcalloc(t->nnodes, sizeof *s);
	for (i = 0; i < t->nnodes; i++) {
		s[i].state = NS_RUNNING;
		s[i].pid = 100 + i;
		s[i].started_ms = INT64_C(1700000000123) + i;
		s[i].since_ms = s[i].started_ms;
		s[i].last_exit = NSTATE_NO_EXIT;
	}
	return (s);
}

/* Whether text has line (a whole line). */
static int
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return (1);
		p += n;
	}
	return (0);
}

static int
count_lines(const char *text, const char *prefix)
{
	const char	*p;
	int		 n = 0;
	size_t		 len = strlen(prefix);

	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return (n);
}

static void
test_families(void)
{
	static const char *fam[][2] = {
		{ "supertree_node_up", "gauge" },
		{ "supertree_node_restarts_total", "counter" },
		{ "supertree_node_state", "gauge" },
		{ "supertree_node_start_time_seconds", "gauge" },
		{ "supertree_node_last_exit_code", "gauge" },
		{ "supertree_supervisor_intensity_used", "gauge" },
		{ "supertree_tree_healthy", "gauge" },
	};
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	char		*m, line[128];
	const char	*prev = NULL, *at;
	size_t		 len, i;

	m = metrics_render(t, s, NOW, &len);
	is_int(len, strlen(m), "the length is the text's");
	ok(len > 0 && m[len - 1] == '\n', "the text ends with a newline");
	for (i = 0; i < sizeof fam / sizeof fam[0]; i++) {
		snprintf(line, sizeof line, "# TYPE %s %s", fam[i][0],
		    fam[i][1]);
		ok(has_line(m, line), "%s is a %s", fam[i][0], fam[i][1]);
		snprintf(line, sizeof line, "# HELP %s ", fam[i][0]);
		at = strstr(m, line);
		ok(at != NULL && (prev == NULL || at > prev),
		    "%s has HELP, in order", fam[i][0]);
		prev = at;
	}
	is_int(count_lines(m, "# HELP "), 7, "seven families");
	is_int(count_lines(m, "supertree_node_up{"), 4, "up: one per node");
	is_int(count_lines(m, "supertree_node_state{"), 4 * NS_NSTATES,
	    "state: one per node and state");
	is_int(count_lines(m, "supertree_supervisor_intensity_used{"), 2,
	    "intensity: supervisors only");
	ok(has_line(m, "supertree_node_up{path=\"supertree\"} 1"),
	    "the root is labelled supertree");
	ok(has_line(m, "supertree_node_up{path=\"web/api\"} 1"),
	    "paths as labels");
	ok(has_line(m, "supertree_tree_healthy 1"), "healthy, no labels");
	free(m);
	free(s);
	tree_free(t);
}

static void
test_values(void)
{
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	char		*m;
	size_t		 len;
	int		 api = 2, db = 3;

	s[api].state = NS_BACKOFF;
	s[api].restarts = 7;
	s[api].last_exit = -SIGKILL;
	s[api].started_ms = 0;
	s[db].state = NS_EXITED;
	s[db].last_exit = 3;
	s[db].started_ms = INT64_C(1700000000005);
	s[1].intensity_used = 4;
	m = metrics_render(t, s, NOW, &len);
	ok(has_line(m, "supertree_node_up{path=\"web/api\"} 0"),
	    "backoff is not up");
	ok(has_line(m, "supertree_node_restarts_total{path=\"web/api\"} 7"),
	    "restarts");
	ok(has_line(m, "supertree_node_state{path=\"web/api\","
	    "state=\"backoff\"} 1"), "the current state is 1");
	ok(has_line(m, "supertree_node_state{path=\"web/api\","
	    "state=\"running\"} 0"), "the others are 0");
	ok(has_line(m, "supertree_node_start_time_seconds{path=\"web/api\"} "
	    "0"), "no run: start time 0");
	ok(has_line(m, "supertree_node_start_time_seconds{path=\"db\"} "
	    "1700000000.005"), "start time in seconds, milliseconds kept");
	ok(has_line(m, "supertree_node_start_time_seconds{path=\"web\"} "
	    "1700000000.124"), "start time, three decimals");
	ok(has_line(m, "supertree_node_last_exit_code{path=\"web/api\"} 137"),
	    "killed by signal 9: 128+9");
	ok(has_line(m, "supertree_node_last_exit_code{path=\"db\"} 3"),
	    "exit code");
	ok(has_line(m, "supertree_node_last_exit_code{path=\"web\"} -1"),
	    "never ended: -1");
	ok(has_line(m, "supertree_supervisor_intensity_used{path=\"web\"} 4"),
	    "intensity used");
	ok(has_line(m, "supertree_tree_healthy 0"), "backoff: unhealthy");
	free(m);
	s[api].state = NS_RELOADING;
	m = metrics_render(t, s, NOW, &len);
	ok(has_line(m, "supertree_node_up{path=\"web/api\"} 1"),
	    "reloading is up");
	free(m);
	free(s);
	tree_free(t);
}

static void
test_escape(void)
{
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	char		*m;
	size_t		 len;

	/* Section names cannot hold these; the escaping is there anyway. */
	free(t->nodes[3].path);
	t->nodes[3].path = xstrdup("a\"b\\c\nd");
	m = metrics_render(t, s, NOW, &len);
	ok(has_line(m, "supertree_node_up{path=\"a\\\"b\\\\c\\nd\"} 1"),
	    "quote, backslash and newline escaped");
	free(m);
	free(s);
	tree_free(t);
}

static void
test_health(void)
{
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	char		*line;

	is_int(metrics_health(t, s, &line), 0, "all up: 0");
	is_str(line, "ok: all 4 nodes of demo are where they should be\n",
	    "ok line");
	free(line);
	s[3].state = NS_EXITED;
	s[3].last_exit = 0;
	is_int(metrics_health(t, s, &line), 0, "a transient that exited: 0");
	free(line);
	s[2].state = NS_FAILED;
	snprintf(s[2].error, sizeof s[2].error, "exec: /bin/nope:\nNo such "
	    "file");
	is_int(metrics_health(t, s, &line), 3, "a failed node: 3");
	is_str(line, "unhealthy: web/api is failed: exec: /bin/nope:?No such "
	    "file\n", "the first bad node, its error on one line");
	free(line);
	s[1].state = NS_BACKOFF;
	is_int(metrics_health(t, s, &line), 3, "two bad: 3");
	is_str(line, "unhealthy: web is backoff\n", "the first in file order");
	free(line);
	free(s);
	tree_free(t);
}

/* A worker failing its health check is running: the line says why. */
static void
test_health_check(void)
{
	struct tree	*t = parse("[supertree]\nname = hc\n[w]\n"
	    "command = /bin/true\nhealth = tcp:8080\n");
	struct nstate	*s = states_up(t);
	char		*line;

	s[1].health = NSTATE_HEALTH_FAILING;
	s[1].health_fails = 2;
	snprintf(s[1].health_last, sizeof s[1].health_last, "http\n500");
	is_int(metrics_health(t, s, &line), 3, "failing its check: 3");
	is_str(line, "unhealthy: w is running: health failing 2/3: http?500\n",
	    "the count and the last result, on one line");
	free(line);
	s[1].state = NS_BACKOFF;
	snprintf(s[1].error, sizeof s[1].error, "exec failed");
	is_int(metrics_health(t, s, &line), 3, "in backoff: 3");
	is_str(line, "unhealthy: w is backoff: exec failed\n",
	    "an error comes first");
	free(line);
	free(s);
	tree_free(t);
}

static void
test_big(void)
{
	struct buf	 b = BUF_INIT;
	struct tree	*t;
	struct nstate	*s;
	char		*m, *text;
	size_t		 len;
	int		 i;

	buf_puts(&b, "[supertree]\nname = big\n");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "[w%d]\ncommand = /bin/true\n", i);
	text = buf_take(&b);
	t = parse(text);
	s = states_up(t);
	m = metrics_render(t, s, NOW, &len);
	is_int(count_lines(m, "supertree_node_up{"), 10001,
	    "10,000 workers: every one");
	ok(has_line(m, "supertree_node_last_exit_code{path=\"w9999\"} -1"),
	    "the last worker");
	free(m);
	free(s);
	free(text);
	tree_free(t);
}

/*
 * Into a caller's buffer (http.c reuses one): the same text, after what
 * the buffer holds, whether its memory is too small, large enough or
 * was a larger answer's.
 */
static void
test_buf(void)
{
	struct buf	 b = BUF_INIT;
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	char		*m;
	size_t		 len, cap;

	m = metrics_render(t, s, NOW, &len);
	buf_puts(&b, "x");
	metrics_render_buf(&b, t, s, NOW);
	ok(b.len == len + 1 && b.s[0] == 'x' && memcmp(b.s + 1, m, len) == 0,
	    "appended after what the buffer held");
	is_int(b.s[b.len], '\0', "NUL-terminated");
	b.len = 0;
	cap = b.cap;
	metrics_render_buf(&b, t, s, NOW);
	ok(b.len == len && memcmp(b.s, m, len) == 0 && b.cap == cap,
	    "an emptied buffer is reused as it is");
	free(b.s);
	b.s = xmalloc(4);
	b.cap = 4;
	b.len = 0;
	metrics_render_buf(&b, t, s, NOW);
	ok(b.len == len && memcmp(b.s, m, len) == 0, "a small one is replaced");
	buf_free(&b);
	free(m);
	free(s);
	tree_free(t);
}

/* The size bound holds for paths that are all escapes. */
static void
test_bound(void)
{
	struct tree	*t = parse(spec);
	struct nstate	*s = states_up(t);
	struct buf	 b = BUF_INIT;
	char		 path[200];

	memset(path, '"', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	free(t->nodes[3].path);
	t->nodes[3].path = xstrdup(path);
	s[3].restarts = UINT32_MAX;
	s[3].started_ms = INT64_MAX;
	s[3].last_exit = INT32_MIN;
	metrics_render_buf(&b, t, s, NOW);
	ok(b.len < b.cap, "within the room reserved");
	ok(strstr(b.s, "\\\"\\\"\\\"") != NULL, "escaped");
	buf_free(&b);
	free(s);
	tree_free(t);
}

int
main(void)
{
	test_families();
	test_buf();
	test_bound();
	test_values();
	test_escape();
	test_health();
	test_health_check();
	test_big();
	return (done_testing());
}
