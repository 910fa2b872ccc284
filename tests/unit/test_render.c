/*
 * test_render.c: the drawings of check and status (ASCII and UTF-8, with
 * and without colour), the JSON schema and its escaping, the wording of
 * exits and the health verdict, on small trees built by hand.
 */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "tap.h"
#include "xmalloc.h"

#define NOW	INT64_C(1700000000000)

static char	**mkargv(const char *, ...);
static void	add_node(struct tree *, int, const char *, enum tree_kind,
		    int);
static struct tree *mk_tree(void);
static void	mk_states(struct nstate *);
static const char *line(const char *, int);
static int	nlines(const char *);
static const char *json_value(const char *);
static int	json_valid(const char *);
static void	test_check(void);
static void	test_status(void);
static void	test_colour(void);
static void	test_json(void);
static void	test_exit(void);
static void	test_health(void);
static void	test_intensity(void);

static char **
mkargv(const char *first, ...)
{
	char		**v = NULL;
	const char	 *s;
	va_list		  ap;
	int		  n = 0;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(s);
	}
	va_end(ap);
	v = xreallocarray(v, n + 1, sizeof *v);
	v[n] = NULL;
	return (v);
}

/* Fill node id under parent; children are linked in id (file) order. */
static void
add_node(struct tree *t, int parent, const char *path, enum tree_kind kind,
    int restart)
{
	struct tree_node	*n = &t->nodes[t->nnodes], *p;
	const char		*slash = strrchr(path, '/');

	n->id = t->nnodes++;
	n->parent = parent;
	n->path = xstrdup(path);
	n->name = xstrdup(slash != NULL ? slash + 1 : path);
	n->kind = kind;
	n->restart = restart;
	n->max_restarts = TREE_UNLIMITED;
	n->strategy = TREE_ONE_FOR_ONE;
	n->intensity = 3;
	n->period_ms = 5000;
	n->exit_codes = xcalloc(1, sizeof *n->exit_codes);
	n->nexit_codes = 1;
	if (parent == -1)
		return;
	p = &t->nodes[parent];
	n->depth = p->depth + 1;
	n->index = p->nchildren;
	p->children = xreallocarray(p->children, p->nchildren + 1,
	    sizeof *p->children);
	p->children[p->nchildren++] = n->id;
}

/*
 * demo
 *   web (permanent), db (one_for_all: pg permanent, cache transient),
 *   batch (temporary)
 */
static struct tree *
mk_tree(void)
{
	struct tree	*t;

	t = xcalloc(1, sizeof *t);
	t->file = xstrdup("demo.ini");
	t->name = xstrdup("demo");
	t->nodes = xcalloc(6, sizeof *t->nodes);
	add_node(t, -1, "supertree", TREE_SUPERVISOR, TREE_PERMANENT);
	add_node(t, 0, "web", TREE_WORKER, TREE_PERMANENT);
	t->nodes[1].argv = mkargv("python3", "-m", "http.server", "8080",
	    NULL);
	t->nodes[1].argc = 4;
	add_node(t, 0, "db", TREE_SUPERVISOR, TREE_PERMANENT);
	t->nodes[2].strategy = TREE_ONE_FOR_ALL;
	add_node(t, 2, "db/pg", TREE_WORKER, TREE_PERMANENT);
	t->nodes[3].argv = mkargv("postgres", "-D", "/data", NULL);
	t->nodes[3].argc = 3;
	add_node(t, 2, "db/cache", TREE_WORKER, TREE_TRANSIENT);
	t->nodes[4].argv = mkargv("sh", "-c", "redis-server --port 6380",
	    NULL);
	t->nodes[4].argc = 3;
	add_node(t, 0, "batch", TREE_WORKER, TREE_TEMPORARY);
	t->nodes[5].argv = mkargv("./batch.sh", "it's", "", NULL);
	t->nodes[5].argc = 3;
	t->pathwidth = 8;
	return (t);
}

static void
mk_states(struct nstate *st)
{
	int	i;

	memset(st, 0, 6 * sizeof *st);
	for (i = 0; i < 6; i++) {
		st[i].state = NS_RUNNING;
		st[i].last_exit = NSTATE_NO_EXIT;
		st[i].since_ms = NOW - 1000;
	}
	st[0].pid = 100;
	st[0].started_ms = NOW - 302000;
	st[0].intensity_used = 1;
	st[1].state = NS_READY;
	st[1].ready = 1;
	st[1].pid = 101;
	st[1].started_ms = NOW - 3723000;
	st[1].restarts = 3;
	st[1].last_exit = -SIGKILL;
	strcpy(st[1].status, "serving on :8080");
	st[2].pid = 102;
	st[2].started_ms = NOW - 133000;
	st[3].state = NS_BACKOFF;
	st[3].restarts = 2;
	st[3].last_exit = 3;
	st[3].next_ms = NOW + 1250;
	st[4].state = NS_FAILED;
	st[4].restarts = 12;
	st[4].last_exit = 1;
	strcpy(st[4].error, "exec: No such file or directory");
	st[5].state = NS_STOPPED;
	st[5].manual = 1;
}

/* Line n (from 0) of s, without its newline, in a static buffer. */
static const char *
line(const char *s, int n)
{
	static char	 buf[1024];
	const char	*e;

	while (n-- > 0 && s != NULL)
		s = (s = strchr(s, '\n')) != NULL ? s + 1 : NULL;
	if (s == NULL)
		return ("(none)");
	e = strchr(s, '\n');
	snprintf(buf, sizeof buf, "%.*s", e != NULL ? (int)(e - s) :
	    (int)strlen(s), s);
	return (buf);
}

static int
nlines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return (n);
}

/* A small JSON parser: where the value at s ends, or NULL if invalid. */
static const char *
json_value(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '{' || *s == '[') {
		char	close = *s == '{' ? '}' : ']';

		for (s++; isspace((unsigned char)*s); s++)
			;
		if (*s == close)
			return (s + 1);
		for (;;) {
			if (close == '}') {
				while (isspace((unsigned char)*s))
					s++;
				if (*s != '"' || (s = json_value(s)) == NULL)
					return (NULL);
				while (isspace((unsigned char)*s))
					s++;
				if (*s++ != ':')
					return (NULL);
			}
			if ((s = json_value(s)) == NULL)
				return (NULL);
			while (isspace((unsigned char)*s))
				s++;
			if (*s == close)
				return (s + 1);
			if (*s++ != ',')
				return (NULL);
		}
	}
	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if ((unsigned char)*s < 0x20)
				return (NULL);
			if (*s == '\\' && strchr("\"\\/bfnrtu", *++s) == NULL)
				return (NULL);
			if (s[-1] == '\\' && *s == 'u' && (strspn(s + 1,
			    "0123456789abcdefABCDEF") < 4))
				return (NULL);
		}
		return (s + 1);
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
		return (s + 4);
	if (strncmp(s, "false", 5) == 0)
		return (s + 5);
	if (*s == '-' || isdigit((unsigned char)*s)) {
		char	*end;

		strtod(s, &end);
		return (end);
	}
	return (NULL);
}

static int
json_valid(const char *s)
{
	if ((s = json_value(s)) == NULL)
		return (0);
	while (isspace((unsigned char)*s))
		s++;
	return (*s == '\0');
}

static void
test_check(void)
{
	struct tree	*t = mk_tree();
	char		*s;

	s = render_tree(t, NULL, NOW, 0);
	is_int(nlines(s), 6, "check ascii: one line per node");
	is_str(line(s, 0), "demo           supervisor  one_for_one  "
	    "intensity 3/5s", "check ascii: root as the tree name");
	is_str(line(s, 1), "|-- web        worker      permanent    "
	    "cmd: python3 -m http.server 8080", "check ascii: web");
	is_str(line(s, 2), "|-- db         supervisor  one_for_all  "
	    "intensity 3/5s", "check ascii: db");
	is_str(line(s, 3), "|   |-- pg     worker      permanent    "
	    "cmd: postgres -D /data", "check ascii: db/pg");
	is_str(line(s, 4), "|   `-- cache  worker      transient    "
	    "cmd: sh -c 'redis-server --port 6380'", "check ascii: db/cache");
	is_str(line(s, 5), "`-- batch      worker      temporary    "
	    "cmd: ./batch.sh 'it'\\''s' ''", "check ascii: batch, quoting");
	free(s);

	s = render_tree(t, NULL, NOW, RENDER_UTF8);
	is_str(line(s, 1), "├── web        worker      permanent    "
	    "cmd: python3 -m http.server 8080", "check utf8: web");
	is_str(line(s, 3), "│   ├── pg     worker      permanent    "
	    "cmd: postgres -D /data", "check utf8: db/pg");
	is_str(line(s, 4), "│   └── cache  worker      transient    "
	    "cmd: sh -c 'redis-server --port 6380'", "check utf8: db/cache");
	is_str(line(s, 5), "└── batch      worker      temporary    "
	    "cmd: ./batch.sh 'it'\\''s' ''", "check utf8: batch");
	free(s);

	t->nodes[0].intensity = TREE_UNLIMITED;
	t->nodes[2].strategy = TREE_REST_FOR_ONE;
	t->nodes[2].intensity = 10;
	t->nodes[2].period_ms = 1500;
	free(t->nodes[3].argv[2]);
	t->nodes[3].argv[2] = xstrdup("/d\033[2J\xc3\xa9\xff");
	s = render_tree(t, NULL, NOW, 0);
	is_str(line(s, 0), "demo           supervisor  one_for_one   "
	    "intensity infinity", "check: unlimited intensity, wider col");
	is_str(line(s, 2), "|-- db         supervisor  rest_for_one  "
	    "intensity 10/1.5s", "check: 1.5s period");
	is_str(line(s, 3), "|   |-- pg     worker      permanent     "
	    "cmd: postgres -D '/d?[2J\xc3\xa9?'",
	    "check: control bytes and bad UTF-8 become ?");
	ok(strchr(s, '\033') == NULL, "check: no escape byte");
	free(s);
	t->nodes[0].period_ms = 60000;
	t->nodes[0].intensity = 1;
	t->nodes[2].period_ms = 250;
	s = render_tree(t, NULL, NOW, 0);
	ok(strstr(line(s, 0), "intensity 1/1m") != NULL, "check: 1m period");
	ok(strstr(line(s, 2), "intensity 10/250ms") != NULL,
	    "check: 250ms period");
	free(s);

	t->nnodes = 1;
	t->nodes[0].intensity = 3;
	t->nodes[0].period_ms = 3600000;
	s = render_tree(t, NULL, NOW, RENDER_UTF8);
	is_str(s, "demo  supervisor  one_for_one  intensity 3/1h\n",
	    "check: a lone root");
	free(s);
	t->nnodes = 6;
	tree_free(t);
}

static void
test_status(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	char		*s;
	int		 i;

	mk_states(st);
	s = render_tree(t, st, NOW, 0);
	is_int(nlines(s), 6, "status: one line per node");
	is_str(line(s, 0), "demo           running   pid 100  up 5m02s  "
	    "restarts 0   one_for_one 1/3 in 5s", "status: root");
	is_str(line(s, 1), "|-- web        ready     pid 101  up 1h02m  "
	    "restarts 3   SIGKILL  status: serving on :8080", "status: web");
	is_str(line(s, 2), "|-- db         running   pid 102  up 2m13s  "
	    "restarts 0   one_for_all 0/3 in 5s", "status: db");
	is_str(line(s, 3), "|   |-- pg     backoff   -        -         "
	    "restarts 2   exit 3  next restart in 1.2s", "status: backoff");
	is_str(line(s, 4), "|   `-- cache  failed    -        -         "
	    "restarts 12  exit 1  error: exec: No such file or directory",
	    "status: failed with error");
	is_str(line(s, 5), "`-- batch      stopped   -        -         "
	    "restarts 0   manual", "status: stopped by hand");
	ok(strchr(s, '\033') == NULL, "status: no escape byte without colour");
	free(s);

	s = render_tree(t, st, NOW, RENDER_UTF8);
	is_str(line(s, 4), "│   └── cache  failed    -        -         "
	    "restarts 12  exit 1  error: exec: No such file or directory",
	    "status utf8: cache");
	free(s);

	/* A longer state name widens the state column for every line. */
	st[2].state = st[3].state = st[4].state = NS_UNRESPONSIVE;
	s = render_tree(t, st, NOW, 0);
	is_str(line(s, 0), "demo           running       pid 100  up 5m02s  "
	    "restarts 0   one_for_one 1/3 in 5s", "status: column widened");
	is_str(line(s, 2), "|-- db         unresponsive  pid 102  -         "
	    "restarts 0   one_for_all 0/3 in 5s", "status: unresponsive");
	free(s);
	mk_states(st);

	/* Uptimes and the backoff countdown, on the root alone. */
	t->nnodes = 1;
	t->nodes[0].intensity = TREE_UNLIMITED;
	st[0].started_ms = NOW - 45900;
	s = render_tree(t, st, NOW, 0);
	is_str(s, "demo  running   pid 100  up 45s  restarts 0  "
	    "one_for_one 1/infinity in 5s\n", "status: 45s, infinity");
	free(s);
	st[0].started_ms = NOW - (3 * 86400 + 4 * 3600 + 59) * INT64_C(1000);
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "up 3d04h ") != NULL, "status: 3d04h");
	free(s);
	st[0].started_ms = NOW + 5000;
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "up 0s ") != NULL, "status: a start in the future is 0s");
	free(s);
	st[0].state = NS_BACKOFF;
	st[0].pid = 0;
	st[0].next_ms = NOW - 10;
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "next restart in 0.0s") != NULL, "status: overdue is 0");
	free(s);
	st[0].next_ms = NOW + 125000;
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "next restart in 2m05s") != NULL, "status: 2m05s");
	free(s);
	st[0].state = NS_STARTING;
	st[0].pid = 100;
	strcpy(st[0].status, "evil\033[2J\x9b\xc2\x9b\x07 ok \xe2\x9c\x93");
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "status: evil?[2J??? ok \xe2\x9c\x93\n") != NULL,
	    "status: control, C1 and bad bytes sanitised, UTF-8 kept");
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			break;
	}
	is_int(s[i], 0, "status: no control byte at all");
	free(s);
	t->nnodes = 6;
	tree_free(t);
}

static void
test_colour(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	char		*s, *plain, *p, *q;

	mk_states(st);
	s = render_tree(t, st, NOW, RENDER_COLOR | RENDER_UTF8);
	ok(strstr(line(s, 0), "\033[32mrunning\033[0m   pid") != NULL,
	    "colour: running is green, padded after the reset");
	ok(strstr(line(s, 1), "\033[32mready\033[0m") != NULL,
	    "colour: ready is green");
	ok(strstr(line(s, 3), "\033[33mbackoff\033[0m") != NULL,
	    "colour: backoff is yellow");
	ok(strstr(line(s, 4), "\033[31mfailed\033[0m") != NULL,
	    "colour: failed is red");
	ok(strstr(line(s, 5), "\033[2mstopped\033[0m") != NULL,
	    "colour: stopped is dim");

	/* Without the escapes the coloured drawing is the plain one. */
	for (p = q = s; *p != '\0'; p++) {
		if (*p == '\033')
			p += strcspn(p, "m");
		else
			*q++ = *p;
	}
	*q = '\0';
	plain = render_tree(t, st, NOW, RENDER_UTF8);
	is_str(s, plain, "colour: same columns as without colour");
	free(plain);
	free(s);
	tree_free(t);
}

static void
test_json(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	char		*s;

	mk_states(st);
	s = render_json(t, st, NOW);
	ok(json_valid(s), "json: the document parses");
	ok(strncmp(s, "[\n  {\"path\":\"supertree\",\"name\":\"demo\","
	    "\"kind\":\"supervisor\",\"parent\":null,", 60) == 0,
	    "json: array of objects, root first");
	is_int(nlines(s), 8, "json: one line per node and the brackets");
	is_str(line(s, 7), "]", "json: closing bracket");
	is_str(line(s, 3), "  {\"path\":\"db\",\"name\":\"db\",\"kind\":"
	    "\"supervisor\",\"parent\":\"supertree\",\"state\":\"running\","
	    "\"pid\":102,\"ready\":false,\"since\":1699999999.000,"
	    "\"uptime\":133.000,\"restarts\":0,\"last_exit\":null,"
	    "\"next_restart\":null,\"error\":null,\"status_text\":null,"
	    "\"manual\":false,\"strategy\":\"one_for_all\",\"intensity\":3,"
	    "\"period\":5.000,\"intensity_used\":0},", "json: a supervisor");
	free(s);

	s = render_json_node(t, 1, &st[1], NOW);
	is_str(s, "{\"path\":\"web\",\"name\":\"web\",\"kind\":\"worker\","
	    "\"parent\":\"supertree\",\"state\":\"ready\",\"pid\":101,"
	    "\"ready\":true,\"since\":1699999999.000,\"uptime\":3723.000,"
	    "\"restarts\":3,\"last_exit\":{\"signal\":\"KILL\"},"
	    "\"next_restart\":null,\"error\":null,"
	    "\"status_text\":\"serving on :8080\",\"manual\":false,"
	    "\"restart\":\"permanent\",\"command\":[\"python3\",\"-m\","
	    "\"http.server\",\"8080\"]}", "json node: a ready worker");
	free(s);

	/* procs: counted by the top at status time, for workers only. */
	st[1].has_procs = 1;
	st[1].procs = 3;
	s = render_json_node(t, 1, &st[1], NOW);
	ok(strstr(s, "\"manual\":false,\"procs\":3,\"restart\"") != NULL,
	    "json: procs of a worker");
	free(s);
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "procs 3") != NULL, "status: procs drawn when over 1");
	free(s);
	st[1].procs = 1;
	s = render_tree(t, st, NOW, 0);
	ok(strstr(s, "procs") == NULL, "status: procs 1 is not drawn");
	free(s);
	st[2].has_procs = 1;
	s = render_json_node(t, 2, &st[2], NOW);
	ok(strstr(s, "procs") == NULL, "json: no procs for a supervisor");
	free(s);
	st[1].has_procs = st[2].has_procs = 0;

	st[3].cause = NSTATE_CAUSE_EXIT;
	s = render_json_node(t, 3, &st[3], NOW);
	ok(strstr(s, "\"restarts\":2,\"restart_cause\":\"exit\","
	    "\"last_exit\"") != NULL, "json node: the cause of the last restart");
	free(s);
	st[3].cause = NSTATE_CAUSE_STRATEGY;
	s = render_json_node(t, 3, &st[3], NOW);
	ok(strstr(s, "\"restart_cause\":\"strategy\",") != NULL,
	    "json node: a restart by the strategy");
	free(s);
	st[3].cause = NSTATE_CAUSE_NONE;
	s = render_json_node(t, 3, &st[3], NOW);
	ok(strstr(s, "restart_cause") == NULL,
	    "json node: no cause before a restart");
	ok(strstr(s, "\"pid\":null,") != NULL, "json node: no pid is null");
	ok(strstr(s, "\"uptime\":null,") != NULL, "json node: uptime null");
	ok(strstr(s, "\"last_exit\":{\"code\":3},") != NULL,
	    "json node: exit code");
	ok(strstr(s, "\"next_restart\":1.250,") != NULL,
	    "json node: next restart in seconds");
	ok(strstr(s, "\"path\":\"db/pg\",\"name\":\"pg\"") != NULL &&
	    strstr(s, "\"parent\":\"db\"") != NULL, "json node: nested path");
	free(s);

	st[4].last_exit = -(SIGRTMIN + 2);
	snprintf(st[4].error, sizeof st[4].error,
	    "a \"q\" \\ b\nc\td\001e\x7f \xc3\xa9 \xff\xfe \xed\xa0\x80 end");
	s = render_json_node(t, 4, &st[4], NOW);
	ok(json_valid(s), "json escaping: parses");
	ok(strstr(s, "\"error\":\"a \\\"q\\\" \\\\ b\\nc\\td\\u0001e\\u007f "
	    "\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd end\"") != NULL,
	    "json escaping: quotes, backslash, controls, bad UTF-8");
	ok(strstr(s, "{\"signal\":\"RTMIN+2\"}") != NULL,
	    "json: real-time signal name");
	free(s);

	s = render_json(t, NULL, NOW);
	ok(json_valid(s), "json without states: parses");
	ok(strstr(line(s, 2), "\"state\":\"stopped\",\"pid\":null,"
	    "\"ready\":false,\"since\":0.000,\"uptime\":null,\"restarts\":0,"
	    "\"last_exit\":null,\"next_restart\":null,\"error\":null,"
	    "\"status_text\":null,\"manual\":false,") != NULL,
	    "json without states: zeroed fields");
	free(s);
	s = render_json_node(t, 0, NULL, NOW);
	ok(json_valid(s) && strstr(s, "\"state\":\"stopped\"") != NULL,
	    "json node without state");
	free(s);

	t->nodes[0].intensity = TREE_UNLIMITED;
	t->nodes[0].period_ms = 1500;
	t->nodes[5].argc = 0;
	s = render_json(t, st, NOW);
	ok(json_valid(s), "json: unlimited and empty command parse");
	ok(strstr(line(s, 1), "\"intensity\":null,\"period\":1.500,") !=
	    NULL, "json: intensity infinity is null");
	ok(strstr(line(s, 6), "\"command\":[]}") != NULL,
	    "json: empty command");
	free(s);
	ok(!json_valid("[{\"a\":1,}]") && !json_valid("{\"a\" 1}") &&
	    !json_valid("\"\001\"") && json_valid("[1, {\"b\": [true]}]"),
	    "json: the test parser itself rejects bad documents");
	tree_free(t);
}

static void
test_exit(void)
{
	char	*s;

#define EXIT_IS(v, want) do {						\
	s = render_exit(v);						\
	is_str(s, want, "render_exit(%ld)", (long)(v));			\
	free(s);							\
} while (0)
	EXIT_IS(NSTATE_NO_EXIT, "-");
	EXIT_IS(0, "exit 0");
	EXIT_IS(3, "exit 3");
	EXIT_IS(255, "exit 255");
	EXIT_IS(-SIGKILL, "SIGKILL");
	EXIT_IS(-SIGTERM, "SIGTERM");
	EXIT_IS(-SIGSEGV, "SIGSEGV");
	EXIT_IS(-SIGHUP, "SIGHUP");
	EXIT_IS(-SIGSYS, "SIGSYS");
	EXIT_IS(-SIGRTMIN, "SIGRTMIN");
	EXIT_IS(-(SIGRTMIN + 3), "SIGRTMIN+3");
	EXIT_IS(-200, "SIG200");
#undef EXIT_IS
}

static void
test_health(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	int		 i;

	for (i = 0; i < 6; i++) {
		memset(&st[i], 0, sizeof st[i]);
		st[i].state = i % 2 ? NS_READY : NS_RUNNING;
		st[i].last_exit = NSTATE_NO_EXIT;
	}
	is_int(render_health(t, st), 0, "health: all up");
	is_int(render_health(t, NULL), 3, "health: no states");

#define HEALTH(id, s, m, want, what) do {				\
	st[id].state = s;						\
	st[id].manual = m;						\
	is_int(render_health(t, st), want, "health: %s", what);		\
	st[id].state = NS_RUNNING;					\
	st[id].manual = 0;						\
} while (0)
	HEALTH(1, NS_EXITED, 0, 3, "permanent exited");
	HEALTH(1, NS_STOPPED, 0, 3, "permanent stopped");
	HEALTH(1, NS_STOPPED, 1, 0, "permanent stopped by hand");
	HEALTH(1, NS_STARTING, 0, 3, "permanent starting");
	HEALTH(1, NS_STOPPING, 0, 3, "permanent stopping");
	HEALTH(1, NS_BACKOFF, 0, 3, "permanent in backoff");
	HEALTH(1, NS_FAILED, 0, 3, "permanent failed");
	HEALTH(1, NS_FAILED, 1, 3, "failed is bad even if manual");
	HEALTH(4, NS_EXITED, 0, 0, "transient exited");
	HEALTH(4, NS_STOPPED, 0, 3, "transient never started");
	HEALTH(4, NS_BACKOFF, 0, 3, "transient in backoff");
	HEALTH(5, NS_EXITED, 0, 0, "temporary exited");
	HEALTH(5, NS_FAILED, 0, 3, "temporary failed");
	HEALTH(5, NS_STOPPED, 1, 0, "temporary stopped by hand");
	HEALTH(0, NS_EXITED, 0, 3, "root exited");
	HEALTH(0, NS_FAILED, 0, 3, "root failed");
	HEALTH(1, NS_UNRESPONSIVE, 0, 3, "unresponsive");
	HEALTH(1, NS_UNRESPONSIVE, 1, 3, "unresponsive is bad even if manual");
#undef HEALTH

	st[2].state = NS_STOPPED;
	st[2].manual = 1;
	st[3].state = st[4].state = NS_STOPPED;
	is_int(render_health(t, st), 0,
	    "health: below a supervisor stopped by hand, stopped is fine");
	st[4].state = NS_FAILED;
	is_int(render_health(t, st), 3,
	    "health: below it, failed is still bad");
	st[4].state = NS_RUNNING;
	is_int(render_health(t, st), 3,
	    "health: below it, running is not where it should be");
	st[2].manual = 0;
	st[4].state = NS_STOPPED;
	is_int(render_health(t, st), 3,
	    "health: below a supervisor that is just stopped, bad");
	tree_free(t);
}

/* The restart budget shown ages as the period passes (issue 17). */
static void
test_intensity(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	char		*s;
	int		 i;

	mk_states(st);
	/* Three restarts 9, 5 and 1 seconds ago, in a 10 s period. */
	st[0].intensity_used = 3;
	st[0].intensity_times[0] = NOW - 9000;
	st[0].intensity_times[1] = NOW - 5000;
	st[0].intensity_times[2] = NOW - 1000;
	is_int(render_intensity_used(&st[0], 10000, NOW), 3,
	    "intensity: all three within the period");
	is_int(render_intensity_used(&st[0], 10000, NOW + 999), 3,
	    "intensity: the oldest 1 ms before it ages out");
	is_int(render_intensity_used(&st[0], 10000, NOW + 1000), 2,
	    "intensity: the oldest aged out (period exactly passed)");
	is_int(render_intensity_used(&st[0], 10000, NOW + 5000), 1,
	    "intensity: two aged out");
	is_int(render_intensity_used(&st[0], 10000, NOW + 9000), 0,
	    "intensity: all aged out");
	is_int(render_intensity_used(&st[0], 10000, NOW + 86400000), 0,
	    "intensity: a day later");
	/* Without times the count is taken as it is. */
	st[1].intensity_used = 2;
	is_int(render_intensity_used(&st[1], 10000, NOW + 86400000), 2,
	    "intensity: no times, the count as reported");
	/* More restarts than times: the unlisted are older than the listed. */
	st[2].intensity_used = NSTATE_NTIMES + 4;
	for (i = 0; i < NSTATE_NTIMES; i++)
		st[2].intensity_times[i] = NOW - 8000 + i * 1000;
	is_int(render_intensity_used(&st[2], 10000, NOW), NSTATE_NTIMES + 4,
	    "intensity: older unlisted ones may still count");
	is_int(render_intensity_used(&st[2], 10000, NOW + 2000),
	    NSTATE_NTIMES - 1, "intensity: once the oldest listed is gone, "
	    "so are the unlisted");
	/* The status line and the JSON both show the aged figure. */
	t->nodes[0].period_ms = 10000;
	s = render_tree(t, st, NOW + 5000, 0);
	ok(strstr(line(s, 0), "one_for_one 1/3 in 10s") != NULL,
	    "intensity: status shows the aged figure");
	free(s);
	s = render_json_node(t, 0, &st[0], NOW + 9000);
	ok(strstr(s, "\"intensity_used\":0") != NULL,
	    "intensity: json shows the aged figure");
	free(s);
	tree_free(t);
}

/* A checked worker's health in status, in JSON and in the verdict. */
static void
test_liveness(void)
{
	struct tree	*t = mk_tree();
	struct nstate	 st[6];
	char		*s;

	mk_states(st);
	/* Everything else well, so the verdict is web's. */
	st[3].state = st[4].state = NS_RUNNING;
	t->nodes[1].health = TREE_HEALTH_HTTP;
	t->nodes[1].health_failures = 3;
	st[1].health = NSTATE_HEALTH_FAILING;
	st[1].health_fails = 2;
	snprintf(st[1].health_last, sizeof st[1].health_last, "http 500");
	s = render_tree(t, st, NOW, 0);
	ok(strstr(line(s, 1), "  health failing 2/3: http 500") != NULL,
	    "status: health failing, count and last result");
	ok(strstr(s, "health") == strstr(s, "health failing"),
	    "status: only the checked worker shows health");
	free(s);
	s = render_json(t, st, NOW);
	ok(json_valid(s), "json with health: parses");
	ok(strstr(line(s, 2), ",\"health\":\"failing\",\"health_failures\":2,"
	    "\"health_last\":\"http 500\"}") != NULL, "json: health fields");
	ok(strstr(line(s, 4), "health") == NULL,
	    "json: no health field without a check");
	free(s);
	ok(render_health(t, st) != 0, "failing health: the tree is unhealthy");
	st[1].state = NS_STOPPED;
	st[1].manual = 1;
	ok(render_health(t, st) == 0,
	    "failing health of a worker stopped by hand: healthy");
	st[1].state = NS_READY;
	st[1].manual = 0;
	st[1].health = NSTATE_HEALTH_OK;
	st[1].health_fails = 0;
	ok(render_health(t, st) == 0, "health ok: healthy");
	s = render_tree(t, st, NOW, 0);
	ok(strstr(line(s, 1), "  health ok") != NULL, "status: health ok");
	free(s);
	st[1].health = NSTATE_HEALTH_UNKNOWN;
	s = render_json(t, st, NOW);
	ok(strstr(line(s, 2), "\"health\":\"unknown\"") != NULL,
	    "json: health unknown before the first check");
	free(s);
	st[1].state = NS_RELOADING;
	ok(render_health(t, st) == 0, "reloading counts as up");
	s = render_tree(t, st, NOW, 0);
	ok(strstr(line(s, 1), "reloading") != NULL, "status: reloading");
	free(s);
	tree_free(t);
}

int
main(void)
{
	test_check();
	test_status();
	test_colour();
	test_json();
	test_exit();
	test_health();
	test_intensity();
	test_liveness();
	return (done_testing());
}
