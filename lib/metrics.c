/*
 * metrics.c: what GET /metrics and GET /healthz say about a tree.
 *
 * metrics_render writes the Prometheus text exposition format, version
 * 0.0.4: for each metric family its # HELP and # TYPE lines, then one
 * sample per node (and per state, for supertree_node_state), nodes in file
 * order. The names and labels are a contract (monitoring rules are
 * written against them): supertree_node_up{path},
 * supertree_node_restarts_total{path}, supertree_node_state{path,state},
 * supertree_node_start_time_seconds{path},
 * supertree_node_last_exit_code{path},
 * supertree_supervisor_intensity_used{path} and supertree_tree_healthy.
 * Label values are escaped as the format says (\\, \" and \n).
 *
 * A tree may have 100,000 nodes and is scraped every few seconds, so
 * the text is built with plain appends, never printf per sample: a node's
 * label is escaped once per family, numbers are formatted by hand.
 *
 * Pure: no syscalls, no clock (now_ms comes in, for the restarts that
 * age out of a supervisor's period), no globals.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "render.h"
#include "xmalloc.h"

static void	put_lit(struct buf *, const char *);
static void	put_u64(struct buf *, uint64_t);
static void	put_i64(struct buf *, int64_t);
static void	put_label(struct buf *, const char *);
static void	put_family(struct buf *, const char *, const char *,
		    const char *);
static void	put_sample(struct buf *, const char *, const char *);
static void	put_secs(struct buf *, int64_t);
static int	is_up(const struct nstate *);

/* A string literal, or any constant string. */
static void
put_lit(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
put_u64(struct buf *b, uint64_t v)
{
	char	 tmp[24], *p = tmp + sizeof tmp;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	buf_add(b, p, tmp + sizeof tmp - p);
}

static void
put_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_add(b, "-", 1);
		put_u64(b, -(uint64_t)v);
	} else
		put_u64(b, (uint64_t)v);
}

/* Milliseconds (>= 0) as seconds with three decimals: 1500 -> 1.500. */
static void
put_secs(struct buf *b, int64_t ms)
{
	char	frac[5];
	int	f = (int)(ms % 1000);

	put_u64(b, (uint64_t)(ms / 1000));
	frac[0] = '.';
	frac[1] = '0' + f / 100;
	frac[2] = '0' + f / 10 % 10;
	frac[3] = '0' + f % 10;
	buf_add(b, frac, 4);
}

/* A label value, escaped: backslash, double quote and newline. */
static void
put_label(struct buf *b, const char *s)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, "\\\"\n");
		buf_add(b, s, n);
		s += n;
		if (*s == '\0')
			return;
		buf_add(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
		s++;
	}
}

static void
put_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	put_lit(b, "# HELP ");
	put_lit(b, name);
	buf_add(b, " ", 1);
	put_lit(b, help);
	put_lit(b, "\n# TYPE ");
	put_lit(b, name);
	buf_add(b, " ", 1);
	put_lit(b, type);
	buf_add(b, "\n", 1);
}

/* name{path="PATH" (the caller closes the labels and adds the value). */
static void
put_sample(struct buf *b, const char *name, const char *path)
{
	put_lit(b, name);
	put_lit(b, "{path=\"");
	put_label(b, path);
	buf_add(b, "\"", 1);
}

/* Up: its process runs and has started (running, or ready). */
static int
is_up(const struct nstate *st)
{
	return (st->state == NS_RUNNING || st->state == NS_READY);
}

char *
metrics_render(const struct tree *t, const struct nstate *states,
    int64_t now_ms, size_t *lenp)
{
	struct buf		 b = BUF_INIT;
	const struct nstate	*st;
	const char		*path, *m;
	size_t			 paths = 0;
	int			 i, s, healthy;
	int32_t			 e;

	/*
	 * One allocation of about the final size: growing a buffer of
	 * megabytes by doubling would copy it several times over.
	 */
	for (i = 0; i < t->nnodes; i++)
		paths += strlen(t->nodes[i].path);
	b.cap = (NS_NSTATES + 6) * (64 * (size_t)t->nnodes + paths) + 4096;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';

	m = "supertree_node_up";
	put_family(&b, m, "gauge", "Whether the node is up: running or "
	    "ready (1), or not (0).");
	for (i = 0; i < t->nnodes; i++) {
		put_sample(&b, m, t->nodes[i].path);
		put_lit(&b, is_up(&states[i]) ? "} 1\n" : "} 0\n");
	}

	m = "supertree_node_restarts_total";
	put_family(&b, m, "counter", "How many times the node was "
	    "restarted since the tree started.");
	for (i = 0; i < t->nnodes; i++) {
		put_sample(&b, m, t->nodes[i].path);
		put_lit(&b, "} ");
		put_u64(&b, states[i].restarts);
		buf_add(&b, "\n", 1);
	}

	m = "supertree_node_state";
	put_family(&b, m, "gauge", "The node's state: 1 for the state it is "
	    "in, 0 for the others.");
	for (i = 0; i < t->nnodes; i++) {
		path = t->nodes[i].path;
		for (s = 0; s < NS_NSTATES; s++) {
			put_sample(&b, m, path);
			put_lit(&b, ",state=\"");
			put_lit(&b, nstate_name(s));
			put_lit(&b, states[i].state == s ? "\"} 1\n" :
			    "\"} 0\n");
		}
	}

	m = "supertree_node_start_time_seconds";
	put_family(&b, m, "gauge", "When the node's current run began, in "
	    "seconds since the epoch; 0 if it has none.");
	for (i = 0; i < t->nnodes; i++) {
		st = &states[i];
		put_sample(&b, m, t->nodes[i].path);
		put_lit(&b, "} ");
		if (st->started_ms > 0)
			put_secs(&b, st->started_ms);
		else
			buf_add(&b, "0", 1);
		buf_add(&b, "\n", 1);
	}

	m = "supertree_node_last_exit_code";
	put_family(&b, m, "gauge", "How the node's process last ended: its "
	    "exit status, 128+N if signal N killed it, -1 if it has not "
	    "ended yet.");
	for (i = 0; i < t->nnodes; i++) {
		e = states[i].last_exit;
		put_sample(&b, m, t->nodes[i].path);
		put_lit(&b, "} ");
		put_i64(&b, e == NSTATE_NO_EXIT ? -1 : e < 0 ? 128 - (int64_t)e :
		    e);
		buf_add(&b, "\n", 1);
	}

	m = "supertree_supervisor_intensity_used";
	put_family(&b, m, "gauge", "Restarts the supervisor counts against "
	    "its intensity in the current period.");
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].kind != TREE_SUPERVISOR)
			continue;
		put_sample(&b, m, t->nodes[i].path);
		put_lit(&b, "} ");
		put_u64(&b, render_intensity_used(&states[i],
		    t->nodes[i].period_ms, now_ms));
		buf_add(&b, "\n", 1);
	}

	m = "supertree_tree_healthy";
	healthy = render_health(t, states) == 0;
	put_family(&b, m, "gauge", "Whether every node is where it should "
	    "be (1), as when status exits 0, or not (0).");
	put_lit(&b, m);
	put_lit(&b, healthy ? " 1\n" : " 0\n");

	*lenp = b.len;
	return (buf_take(&b));
}

int
metrics_health(const struct tree *t, const struct nstate *states,
    char **line)
{
	const struct nstate	*st;
	struct buf		 b = BUF_INIT;
	const char		*p;
	int			 first;

	if (render_health_why(t, states, NULL, &first) == 0) {
		buf_printf(&b, "ok: all %d nodes of %s are where they should "
		    "be\n", t->nnodes, t->name);
		*line = buf_take(&b);
		return (0);
	}
	st = &states[first];
	buf_printf(&b, "unhealthy: %s is %s", t->nodes[first].path,
	    nstate_name(st->state));
	if (st->error[0] != '\0') {
		/* A child's words: one line, no control characters. */
		buf_puts(&b, ": ");
		for (p = st->error; *p != '\0'; p++)
			buf_add(&b, (unsigned char)*p < 0x20 || *p == 0x7f ?
			    "?" : p, 1);
	}
	buf_add(&b, "\n", 1);
	*line = buf_take(&b);
	return (3);
}
