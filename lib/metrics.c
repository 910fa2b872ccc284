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
 * A tree may have 100,000 nodes and is scraped every few seconds: 10,000
 * workers make 8 MB of text, 170,000 lines. So the text is written
 * straight into memory reserved once for all of it (its size is bounded
 * first, from the paths' lengths), through a plain pointer: no printf, no
 * capacity check per piece, numbers formatted by hand, and the twelve
 * lines of a node's supertree_node_state copy the first one's
 * `name{path="..",state="` prefix instead of escaping the path again.
 * metrics_render_buf writes into a caller's buffer, so that the caller
 * (http.c) can reuse memory that is already mapped: a fresh 8 MB costs
 * 2,000 page faults per scrape, more than the rendering itself.
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

/*
 * The most a sample line adds to its metric name and escaped path:
 * `{path="` `",state="` NAME `"} ` a value of at most 24 characters (a
 * 64-bit number, or seconds with three decimals) and the newline.
 */
#define METRICS_LINE_EXTRA	64
#define METRICS_HEADERS		4096	/* HELP, TYPE and the last line */

/* A literal (sizeof, so that the compiler inlines the copy). */
#define PUT_LIT(p, s)	(memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static char	*put_str(char *, const char *, size_t);
static char	*put_u64(char *, uint64_t);
static char	*put_i64(char *, int64_t);
static char	*put_secs(char *, int64_t);
static char	*put_label(char *, const char *);
static char	*put_family(char *, const char *, const char *,
		    const char *);
static char	*put_sample(char *, const char *, size_t, const char *);
static size_t	 label_len(const char *);
static size_t	 bound(const struct tree *);
static int	 is_up(const struct nstate *);

static char *
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}

static char *
put_u64(char *p, uint64_t v)
{
	char	 tmp[24], *q = tmp + sizeof tmp;

	do {
		*--q = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	return (put_str(p, q, tmp + sizeof tmp - q));
}

static char *
put_i64(char *p, int64_t v)
{
	if (v >= 0)
		return (put_u64(p, (uint64_t)v));
	*p++ = '-';
	return (put_u64(p, -(uint64_t)v));
}

/* Milliseconds (>= 0) as seconds with three decimals: 1500 -> 1.500. */
static char *
put_secs(char *p, int64_t ms)
{
	int	f = (int)(ms % 1000);

	p = put_u64(p, (uint64_t)(ms / 1000));
	p[0] = '.';
	p[1] = '0' + f / 100;
	p[2] = '0' + f / 10 % 10;
	p[3] = '0' + f % 10;
	return (p + 4);
}

/* A label value, escaped: backslash, double quote and newline. */
static char *
put_label(char *p, const char *s)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, "\\\"\n");
		p = put_str(p, s, n);
		s += n;
		if (*s == '\0')
			return (p);
		*p++ = '\\';
		*p++ = *s == '\n' ? 'n' : *s;
		s++;
	}
}

/* The length of s escaped as a label value. */
static size_t
label_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\\' || *s == '"' || *s == '\n' ? 2 : 1;
	return (n);
}

static char *
put_family(char *p, const char *name, const char *type, const char *help)
{
	size_t	n = strlen(name);

	p = PUT_LIT(p, "# HELP ");
	p = put_str(p, name, n);
	*p++ = ' ';
	p = put_str(p, help, strlen(help));
	p = PUT_LIT(p, "\n# TYPE ");
	p = put_str(p, name, n);
	*p++ = ' ';
	p = put_str(p, type, strlen(type));
	*p++ = '\n';
	return (p);
}

/* name{path="PATH" (the caller closes the labels and adds the value). */
static char *
put_sample(char *p, const char *name, size_t len, const char *path)
{
	p = put_str(p, name, len);
	p = PUT_LIT(p, "{path=\"");
	p = put_label(p, path);
	*p++ = '"';
	return (p);
}

/*
 * Up: its process runs and has started (running, or ready, reloading
 * included: a worker that said RELOADING=1 still serves, as systemd's
 * "active (reloading)").
 */
static int
is_up(const struct nstate *st)
{
	return (st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_RELOADING);
}

/*
 * At least the length of the text: per node, five families and one line
 * per state, each a metric name of at most 40 characters, the escaped
 * path and METRICS_LINE_EXTRA; the HELP and TYPE lines besides.
 */
static size_t
bound(const struct tree *t)
{
	size_t	labels = 0, lines = 5 + NS_NSTATES;
	int	i;

	for (i = 0; i < t->nnodes; i++)
		labels += label_len(t->nodes[i].path);
	return (lines * (40 + METRICS_LINE_EXTRA) * (size_t)t->nnodes +
	    lines * labels + METRICS_HEADERS);
}

char *
metrics_render(const struct tree *t, const struct nstate *states,
    int64_t now_ms, size_t *lenp)
{
	struct buf	b = BUF_INIT;

	metrics_render_buf(&b, t, states, now_ms);
	*lenp = b.len;
	return (buf_take(&b));
}

void
metrics_render_buf(struct buf *b, const struct tree *t,
    const struct nstate *states, int64_t now_ms)
{
	const struct nstate	*st;
	const char		*m, *path, *name[NS_NSTATES];
	char			*p, *line;
	size_t			 need, mlen, plen, nlen[NS_NSTATES];
	int			 i, s, healthy;
	int32_t			 e;

	/*
	 * Room for all of it at once. An empty buffer too small is replaced
	 * rather than grown: realloc would copy what is not needed.
	 */
	need = b->len + bound(t) + 1;
	if (need > b->cap) {
		if (b->len == 0) {
			free(b->s);
			b->s = xmalloc(need);
		} else
			b->s = xrealloc(b->s, need);
		b->cap = need;
	}
	p = b->s + b->len;
	for (s = 0; s < NS_NSTATES; s++) {
		name[s] = nstate_name(s);
		nlen[s] = strlen(name[s]);
	}

	m = "supertree_node_up";
	mlen = strlen(m);
	p = put_family(p, m, "gauge", "Whether the node is up: running or "
	    "ready (1), or not (0).");
	for (i = 0; i < t->nnodes; i++) {
		p = put_sample(p, m, mlen, t->nodes[i].path);
		p = is_up(&states[i]) ? PUT_LIT(p, "} 1\n") :
		    PUT_LIT(p, "} 0\n");
	}

	m = "supertree_node_restarts_total";
	mlen = strlen(m);
	p = put_family(p, m, "counter", "How many times the node was "
	    "restarted since the tree started.");
	for (i = 0; i < t->nnodes; i++) {
		p = put_sample(p, m, mlen, t->nodes[i].path);
		p = PUT_LIT(p, "} ");
		p = put_u64(p, states[i].restarts);
		*p++ = '\n';
	}

	m = "supertree_node_state";
	mlen = strlen(m);
	p = put_family(p, m, "gauge", "The node's state: 1 for the state it is "
	    "in, 0 for the others.");
	for (i = 0; i < t->nnodes; i++) {
		path = t->nodes[i].path;
		line = p;
		p = put_sample(p, m, mlen, path);
		p = PUT_LIT(p, ",state=\"");
		plen = p - line;
		for (s = 0; s < NS_NSTATES; s++) {
			if (s > 0)
				p = put_str(p, line, plen);
			p = put_str(p, name[s], nlen[s]);
			p = states[i].state == s ? PUT_LIT(p, "\"} 1\n") :
			    PUT_LIT(p, "\"} 0\n");
		}
	}

	m = "supertree_node_start_time_seconds";
	mlen = strlen(m);
	p = put_family(p, m, "gauge", "When the node's current run began, in "
	    "seconds since the epoch; 0 if it has none.");
	for (i = 0; i < t->nnodes; i++) {
		st = &states[i];
		p = put_sample(p, m, mlen, t->nodes[i].path);
		p = PUT_LIT(p, "} ");
		if (st->started_ms > 0)
			p = put_secs(p, st->started_ms);
		else
			*p++ = '0';
		*p++ = '\n';
	}

	m = "supertree_node_last_exit_code";
	mlen = strlen(m);
	p = put_family(p, m, "gauge", "How the node's process last ended: its "
	    "exit status, 128+N if signal N killed it, -1 if it has not "
	    "ended yet.");
	for (i = 0; i < t->nnodes; i++) {
		e = states[i].last_exit;
		p = put_sample(p, m, mlen, t->nodes[i].path);
		p = PUT_LIT(p, "} ");
		p = put_i64(p, e == NSTATE_NO_EXIT ? -1 : e < 0 ?
		    128 - (int64_t)e : e);
		*p++ = '\n';
	}

	m = "supertree_supervisor_intensity_used";
	mlen = strlen(m);
	p = put_family(p, m, "gauge", "Restarts the supervisor counts against "
	    "its intensity in the current period.");
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].kind != TREE_SUPERVISOR)
			continue;
		p = put_sample(p, m, mlen, t->nodes[i].path);
		p = PUT_LIT(p, "} ");
		p = put_u64(p, render_intensity_used(&states[i],
		    t->nodes[i].period_ms, now_ms));
		*p++ = '\n';
	}

	m = "supertree_tree_healthy";
	healthy = render_health(t, states) == 0;
	p = put_family(p, m, "gauge", "Whether every node is where it should "
	    "be (1), as when status exits 0, or not (0).");
	p = put_str(p, m, strlen(m));
	p = healthy ? PUT_LIT(p, " 1\n") : PUT_LIT(p, " 0\n");
	*p = '\0';
	b->len = p - b->s;
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
	/*
	 * Why: its error, else its failing health check, worded as status
	 * words it ("health failing 2/3: http 500"), since a worker failing
	 * its checks is still running and its state alone says nothing.
	 */
	p = NULL;
	if (st->error[0] != '\0') {
		buf_puts(&b, ": ");
		p = st->error;
	} else if (st->health == NSTATE_HEALTH_FAILING &&
	    t->nodes[first].kind == TREE_WORKER &&
	    t->nodes[first].health != TREE_HEALTH_NONE) {
		buf_printf(&b, ": health failing %lu/%d",
		    (unsigned long)st->health_fails,
		    t->nodes[first].health_failures);
		if (st->health_last[0] != '\0') {
			buf_puts(&b, ": ");
			p = st->health_last;
		}
	}
	/* A child's words: one line, no control characters. */
	for (; p != NULL && *p != '\0'; p++)
		buf_add(&b, (unsigned char)*p < 0x20 || *p == 0x7f ? "?" : p, 1);
	buf_add(&b, "\n", 1);
	*line = buf_take(&b);
	return (3);
}
