/*
 * render.c: a tree and its node states -> text for people and for tools.
 *
 * This module owns every output format that shows the tree: the drawing
 * of `check` (settings) and of `status` (states), the stable JSON schema of
 * `status --json` and `events`, the wording of an exit ("exit 3",
 * "SIGKILL") and the LSB health verdict of `status`. Pure: no syscalls, no
 * clock (now_ms comes in), no globals beyond constant tables.
 *
 * Anything shown may come from a child (its STATUS= text, its error), so
 * text is sanitised on the way out: in drawings every control character
 * and invalid UTF-8 byte becomes '?', so that no escape byte reaches the
 * terminal unless RENDER_COLOR asked for our own; in JSON they are escaped
 * (\u00XX) and invalid UTF-8 becomes U+FFFD, so the document always parses.
 *
 * states, when not NULL, is indexed by node id, except for
 * render_json_node, which takes the one node's own state.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dep.h"
#include "liveness.h"
#include "nstate.h"
#include "render.h"
#include "value.h"
#include "xmalloc.h"

static void	put_endline(struct buf *);
static int	utf8_next(const unsigned char *, uint32_t *);
static int	put_text(struct buf *, const char *);
static int	text_width(const char *);
static void	put_shellword(struct buf *, const char *);
static void	put_json_str(struct buf *, const char *);
static void	put_secs(struct buf *, int64_t);
static void	put_duration(struct buf *, int64_t);
static void	put_signame(struct buf *, int);
static const char *node_name(const struct tree *, int);
static const struct nstate *node_state(const struct nstate *, int,
		    struct nstate *);
static int	is_last(const struct tree *, int);
static int	is_up(const struct nstate *);
static int	render_indent(struct buf *, const struct tree *, int, int, int);
static void	render_check(struct buf *, const struct tree *, int);
static void	render_status(struct buf *, const struct tree *,
		    const struct nstate *, int64_t, int);
static void	status_cols(const struct nstate *, int64_t, char *, char *,
		    char *, size_t);
static void	status_health(struct buf *, const struct tree_node *,
		    const struct nstate *);
static void	json_health(struct buf *, const struct tree_node *,
		    const struct nstate *);
static void	status_extra(struct buf *, const struct tree_node *,
		    const struct nstate *, int64_t);
static void	json_node(struct buf *, const struct tree *, int,
		    const struct nstate *, int64_t);
static int	health_fine(const struct tree_node *, const struct nstate *);
static void	check_deps(struct buf *, const struct tree *,
		    const struct tree_node *);
static void	json_deps(struct buf *, const struct tree *,
		    const struct tree_node *, const struct nstate *);

static const char *kinds[] = { "supervisor", "worker" };
static const char *restarts[] = { "permanent", "transient", "temporary" };
static const char *strategies[] = {
	"one_for_one", "one_for_all", "rest_for_one"
};

/* By state: green up, yellow in between, red failed, dim down. */
static const char *colours[NS_NSTATES] = {
	"\033[2m", "\033[33m", "\033[32m", "\033[32m", "\033[33m",
	"\033[33m", "\033[2m", "\033[31m", "\033[33m", "\033[32m",
	"\033[32m", "\033[31m"
};

/* End a drawn line; columns padded for nothing leave no trailing blanks. */
static void
put_endline(struct buf *b)
{
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	buf_add(b, "\n", 1);
}

/*
 * Decode one UTF-8 sequence from a NUL-terminated string: its length, or 0
 * if it is invalid (overlong, surrogate, past U+10FFFF, cut short). A NUL
 * is never a continuation byte, so this never reads past the string.
 */
static int
utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t	c = s[0];
	int		i, n;

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return (0);
	c &= 0x7f >> n;		/* the lead byte's payload bits */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/* Add text for a terminal; returns its width in characters. */
static int
put_text(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n, w = 0;

	while (*p != '\0') {
		n = utf8_next(p, &cp);
		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			buf_add(b, "?", 1);
			p += n == 0 ? 1 : n;
		} else {
			buf_add(b, (const char *)p, n);
			p += n;
		}
		w++;
	}
	return (w);
}

static int
text_width(const char *s)
{
	struct buf	b = BUF_INIT;
	int		w;

	w = put_text(&b, s);
	buf_free(&b);
	return (w);
}

/* One argument of a command line, quoted as sh would need it. */
static void
put_shellword(struct buf *b, const char *s)
{
	char	*q;

	q = value_quote(s);
	put_text(b, q);
	free(q);
}

static void
put_json_str(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_add(b, "\"", 1);
	for (; *p != '\0'; p += n == 0 ? 1 : n) {
		if ((n = utf8_next(p, &cp)) == 0)
			buf_puts(b, "\\ufffd");
		else if (cp == '"' || cp == '\\')
			buf_printf(b, "\\%c", (int)cp);
		else if (cp == '\n')
			buf_puts(b, "\\n");
		else if (cp == '\t')
			buf_puts(b, "\\t");
		else if (cp == '\r')
			buf_puts(b, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			buf_printf(b, "\\u%04x", (unsigned int)cp);
		else
			buf_add(b, (const char *)p, n);
	}
	buf_add(b, "\"", 1);
}

/* Milliseconds as seconds with three decimals: 1500 -> 1.500. */
static void
put_secs(struct buf *b, int64_t ms)
{
	uint64_t	u = ms < 0 ? -(uint64_t)ms : (uint64_t)ms;

	buf_printf(b, "%s%llu.%03u", ms < 0 ? "-" : "",
	    (unsigned long long)(u / 1000), (unsigned int)(u % 1000));
}

/* A setting's duration, as written in a spec (value.c's one formatter). */
static void
put_duration(struct buf *b, int64_t ms)
{
	char	*s;

	s = value_fmt_duration(ms);
	buf_puts(b, s);
	free(s);
}

/* An elapsed time, two units at most: 45s, 2m13s, 1h02m, 3d04h. */
void
render_uptime(struct buf *b, int64_t ms)
{
	long long	s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		buf_printf(b, "%llds", s);
	else if (s < 3600)
		buf_printf(b, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		buf_printf(b, "%lldh%02lldm", s / 3600, (s / 60) % 60);
	else
		buf_printf(b, "%lldd%02lldh", s / 86400, (s / 3600) % 24);
}

/* A signal's name without "SIG": KILL, RTMIN+2, or its number. */
static void
put_signame(struct buf *b, int signo)
{
	const char	*name;

	if ((name = value_signame(signo)) != NULL)
		buf_puts(b, name);
	else
		buf_printf(b, "%d", signo);
}

char *
render_exit(int32_t last_exit)
{
	struct buf	b = BUF_INIT;

	if (last_exit == NSTATE_NO_EXIT)
		buf_puts(&b, "-");
	else if (last_exit >= 0)
		buf_printf(&b, "exit %d", (int)last_exit);
	else {
		buf_puts(&b, "SIG");
		put_signame(&b, -last_exit);
	}
	return (buf_take(&b));
}

/* The root shows as the tree's name, every other node as its own. */
static const char *
node_name(const struct tree *t, int id)
{
	if (id == 0 && t->name != NULL)
		return (t->name);
	return (t->nodes[id].name);
}

/* A node's state, or a blank "stopped, never ran" one when there is none. */
static const struct nstate *
node_state(const struct nstate *states, int id, struct nstate *blank)
{
	if (states != NULL)
		return (&states[id]);
	memset(blank, 0, sizeof *blank);
	blank->state = NS_STOPPED;
	blank->last_exit = NSTATE_NO_EXIT;
	return (blank);
}

static int
is_last(const struct tree *t, int id)
{
	const struct tree_node	*p = &t->nodes[t->nodes[id].parent];

	return (p->nchildren == 0 || p->children[p->nchildren - 1] == id);
}

/* Does the node have a live process (so a pid and an uptime)? */
static int
is_up(const struct nstate *st)
{
	return (st->state == NS_STARTING || st->state == NS_RUNNING ||
	    st->state == NS_READY || st->state == NS_RELOADING ||
	    st->state == NS_STOPPING);
}

/*
 * The branches left of a node: one column of four per ancestor below the
 * root, then the node's own branch. Returns the width drawn.
 */
static int
render_indent(struct buf *b, const struct tree *t, int id, int utf8,
    int self)
{
	int	last, w;

	if (t->nodes[id].parent == -1)
		return (0);
	w = render_indent(b, t, t->nodes[id].parent, utf8, 0);
	last = is_last(t, id);
	if (self && last)
		buf_puts(b, utf8 ? "└── " : "`-- ");
	else if (self)
		buf_puts(b, utf8 ? "├── " : "|-- ");
	else if (last)
		buf_puts(b, "    ");
	else
		buf_puts(b, utf8 ? "│   " : "|   ");
	return (w + 4);
}

/* check: name, kind, restart type or strategy, command or intensity. */
static void
render_check(struct buf *b, const struct tree *t, int flags)
{
	const struct tree_node	*n;
	const char		*col3;
	int			 i, j, w, w1 = 0, w3 = 0;

	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		w = n->depth * 4 + text_width(node_name(t, i));
		w1 = w > w1 ? w : w1;
		col3 = n->kind == TREE_WORKER ? restarts[n->restart] :
		    strategies[n->strategy];
		w3 = (int)strlen(col3) > w3 ? (int)strlen(col3) : w3;
	}
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		w = render_indent(b, t, i, flags & RENDER_UTF8, 1);
		w += put_text(b, node_name(t, i));
		buf_pad(b, w1 - w + 2);
		buf_printf(b, "%-10s  ", kinds[n->kind]);
		if (n->kind == TREE_WORKER) {
			buf_printf(b, "%-*s  ", w3, restarts[n->restart]);
			check_deps(b, t, n);
			buf_puts(b, "cmd:");
			for (j = 0; n->argv != NULL && j < n->argc &&
			    n->argv[j] != NULL; j++) {
				buf_add(b, " ", 1);
				put_shellword(b, n->argv[j]);
			}
		} else {
			buf_printf(b, "%-*s  intensity ", w3,
			    strategies[n->strategy]);
			if (n->intensity == TREE_UNLIMITED)
				buf_puts(b, "infinity");
			else {
				buf_printf(b, "%ld/", n->intensity);
				put_duration(b, n->period_ms);
			}
			if (n->parallel || n->nafter > 0)
				buf_puts(b, "  ");
			check_deps(b, t, n);
		}
		put_endline(b);
	}
}

/*
 * check: a worker's "oneshot", a supervisor's "parallel" and the after
 * list with each condition as it applies ("after: db:ready"), each
 * followed by two blanks.
 */
static void
check_deps(struct buf *b, const struct tree *t, const struct tree_node *n)
{
	int	i;

	if (n->oneshot)
		buf_puts(b, "oneshot  ");
	if (n->parallel)
		buf_puts(b, "parallel  ");
	if (n->nafter == 0)
		return;
	buf_puts(b, "after:");
	for (i = 0; i < n->nafter; i++) {
		buf_add(b, " ", 1);
		put_text(b, n->after[i].path);
		buf_printf(b, ":%s", dep_cond_name(dep_cond(t, &n->after[i])));
	}
	buf_puts(b, "  ");
}

/* The fixed-width columns of a status line. */
static void
status_cols(const struct nstate *st, int64_t now_ms, char *pid, char *up,
    char *rs, size_t len)
{
	struct buf	b = BUF_INIT;

	if (st->pid > 0)
		snprintf(pid, len, "pid %ld", (long)st->pid);
	else
		snprintf(pid, len, "-");
	if (is_up(st) && st->started_ms > 0) {
		render_uptime(&b, now_ms - st->started_ms);
		snprintf(up, len, "up %s", b.s);
		buf_free(&b);
	} else
		snprintf(up, len, "-");
	snprintf(rs, len, "restarts %lu", (unsigned long)st->restarts);
}

/*
 * A supervisor's restarts within its period, at now: the count it last
 * reported, less those that have aged out since. The times of the newest
 * NSTATE_NTIMES of them came with it; any older ones are older than all
 * of these, so they are surely gone once the oldest listed is, and may
 * still count until then (the figure errs high, never low). Without
 * times (an empty window) the count is taken as it is.
 */
uint32_t
render_intensity_used(const struct nstate *st, int64_t period_ms,
    int64_t now_ms)
{
	uint32_t	n, k = 0, i;

	for (n = 0; n < NSTATE_NTIMES && st->intensity_times[n] != 0; n++)
		;
	if (n == 0 || st->intensity_used < n)
		return (st->intensity_used);
	if (period_ms < 1)
		period_ms = 1;
	for (i = 0; i < n; i++) {
		if (now_ms - st->intensity_times[i] < period_ms)
			k++;
	}
	/* The oldest listed still counts: so may the ones before it. */
	if (k == n)
		return (st->intensity_used);
	return (k);
}

/* A checked worker's health: "health ok", "health failing 2/3: http 500". */
static void
status_health(struct buf *b, const struct tree_node *n,
    const struct nstate *st)
{
	const char	*name = liveness_health_name(st->health);

	if (n->kind != TREE_WORKER || n->health == TREE_HEALTH_NONE ||
	    name == NULL)
		return;
	buf_printf(b, "  health %s", name);
	if (st->health == NSTATE_HEALTH_FAILING)
		buf_printf(b, " %lu/%d", (unsigned long)st->health_fails,
		    n->health_failures);
	if (st->health == NSTATE_HEALTH_FAILING && st->health_last[0] != '\0') {
		buf_puts(b, ": ");
		put_text(b, st->health_last);
	}
}

/* A checked worker's health in JSON: only where there is one. */
static void
json_health(struct buf *b, const struct tree_node *n, const struct nstate *st)
{
	const char	*name = liveness_health_name(st->health);

	if (n->kind != TREE_WORKER || n->health == TREE_HEALTH_NONE)
		return;
	buf_puts(b, ",\"health\":");
	put_json_str(b, name != NULL ? name : "unknown");
	buf_printf(b, ",\"health_failures\":%lu,\"health_last\":",
	    (unsigned long)st->health_fails);
	put_json_str(b, st->health_last[0] != '\0' ? st->health_last : NULL);
}

/* What follows the columns: budget, last exit, backoff, error, status. */
static void
status_extra(struct buf *b, const struct tree_node *n,
    const struct nstate *st, int64_t now_ms)
{
	char	*s;

	if (n->kind == TREE_SUPERVISOR) {
		buf_printf(b, "  %s %lu/", strategies[n->strategy],
		    (unsigned long)render_intensity_used(st, n->period_ms,
		    now_ms));
		if (n->intensity == TREE_UNLIMITED)
			buf_puts(b, "infinity");
		else
			buf_printf(b, "%ld", n->intensity);
		buf_puts(b, " in ");
		put_duration(b, n->period_ms);
	}
	if (st->last_exit != NSTATE_NO_EXIT) {
		s = render_exit(st->last_exit);
		buf_printf(b, "  %s", s);
		free(s);
	}
	if (st->state == NS_BACKOFF) {
		int64_t	left = st->next_ms - now_ms;

		left = left < 0 ? 0 : left;
		buf_puts(b, "  next restart in ");
		if (left < 60000)
			buf_printf(b, "%lld.%llds", (long long)left / 1000,
			    (long long)(left % 1000) / 100);
		else
			render_uptime(b, left);
	}
	if (st->state == NS_WAITING && st->waiting[0] != '\0') {
		buf_puts(b, "  waiting for ");
		put_text(b, st->waiting);
	}
	if (st->manual)
		buf_puts(b, "  manual");
	if (n->dynamic)
		buf_puts(b, "  dynamic");
	status_health(b, n, st);
	if (n->kind == TREE_WORKER && st->has_procs && st->procs > 1)
		buf_printf(b, "  procs %lu", (unsigned long)st->procs);
	if (n->kind == TREE_WORKER && st->has_cg) {
		if (st->memory != UINT64_MAX)
			buf_printf(b, "  mem %.1fM",
			    (double)st->memory / (1024.0 * 1024.0));
		buf_printf(b, "  cpu %.2fs", (double)st->cpu_usec / 1e6);
	}
	if (st->error[0] != '\0') {
		buf_puts(b, "  error: ");
		put_text(b, st->error);
	}
	if (st->status[0] != '\0') {
		buf_puts(b, "  status: ");
		put_text(b, st->status);
	}
}

/* status: name, state, pid, uptime, restarts, then whatever applies. */
static void
render_status(struct buf *b, const struct tree *t,
    const struct nstate *states, int64_t now_ms, int flags)
{
	const struct nstate	*st;
	char			 pid[64], up[64], rs[64];
	const char		*name;
	int			 i, w, w1 = 0, ws = 8, wp = 0, wu = 0, wr = 0;

	for (i = 0; i < t->nnodes; i++) {
		w = t->nodes[i].depth * 4 + text_width(node_name(t, i));
		w1 = w > w1 ? w : w1;
		w = (int)strlen(nstate_name(states[i].state));
		ws = w > ws ? w : ws;
		status_cols(&states[i], now_ms, pid, up, rs, sizeof pid);
		wp = (int)strlen(pid) > wp ? (int)strlen(pid) : wp;
		wu = (int)strlen(up) > wu ? (int)strlen(up) : wu;
		wr = (int)strlen(rs) > wr ? (int)strlen(rs) : wr;
	}
	for (i = 0; i < t->nnodes; i++) {
		st = &states[i];
		w = render_indent(b, t, i, flags & RENDER_UTF8, 1);
		w += put_text(b, node_name(t, i));
		buf_pad(b, w1 - w + 2);
		name = nstate_name(st->state);
		if ((flags & RENDER_COLOR) && st->state < NS_NSTATES)
			buf_printf(b, "%s%s\033[0m", colours[st->state], name);
		else
			buf_puts(b, name);
		buf_pad(b, ws - (int)strlen(name) + 2);
		status_cols(st, now_ms, pid, up, rs, sizeof pid);
		buf_printf(b, "%-*s  %-*s  %-*s", wp, pid, wu, up, wr, rs);
		status_extra(b, &t->nodes[i], st, now_ms);
		put_endline(b);
	}
}

char *
render_tree(const struct tree *t, const struct nstate *states,
    int64_t now_ms, int flags)
{
	struct buf	b = BUF_INIT;

	buf_add(&b, "", 0);
	if (states == NULL)
		render_check(&b, t, flags);
	else
		render_status(&b, t, states, now_ms, flags);
	return (buf_take(&b));
}

/* One node's JSON object; the schema is documented in supertree(1). */
static void
json_node(struct buf *b, const struct tree *t, int id,
    const struct nstate *st, int64_t now_ms)
{
	const struct tree_node	*n = &t->nodes[id];
	int			 i;

	buf_puts(b, "{\"path\":");
	put_json_str(b, n->path);
	buf_puts(b, ",\"name\":");
	put_json_str(b, node_name(t, id));
	buf_printf(b, ",\"kind\":\"%s\",\"parent\":", kinds[n->kind]);
	put_json_str(b, n->parent == -1 ? NULL : t->nodes[n->parent].path);
	buf_printf(b, ",\"state\":\"%s\",\"pid\":", nstate_name(st->state));
	if (st->pid > 0)
		buf_printf(b, "%ld", (long)st->pid);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"ready\":%s,\"since\":", st->ready ? "true" : "false");
	put_secs(b, st->since_ms);
	buf_puts(b, ",\"uptime\":");
	if (is_up(st) && st->started_ms > 0)
		put_secs(b, now_ms > st->started_ms ? now_ms - st->started_ms : 0);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"restarts\":%lu,", (unsigned long)st->restarts);
	/* Only once it has one: the object of a node never restarted is as
	 * it always was. */
	if (nstate_cause_name(st->cause) != NULL) {
		buf_puts(b, "\"restart_cause\":");
		put_json_str(b, nstate_cause_name(st->cause));
		buf_puts(b, ",");
	}
	buf_puts(b, "\"last_exit\":");
	if (st->last_exit == NSTATE_NO_EXIT)
		buf_puts(b, "null");
	else if (st->last_exit >= 0)
		buf_printf(b, "{\"code\":%d}", (int)st->last_exit);
	else {
		buf_puts(b, "{\"signal\":\"");
		put_signame(b, -st->last_exit);
		buf_puts(b, "\"}");
	}
	buf_puts(b, ",\"next_restart\":");
	if (st->state == NS_BACKOFF)
		put_secs(b, st->next_ms > now_ms ? st->next_ms - now_ms : 0);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"error\":");
	put_json_str(b, st->error[0] != '\0' ? st->error : NULL);
	buf_puts(b, ",\"status_text\":");
	put_json_str(b, st->status[0] != '\0' ? st->status : NULL);
	buf_printf(b, ",\"manual\":%s", st->manual ? "true" : "false");
	if (n->kind == TREE_WORKER && st->has_procs)
		buf_printf(b, ",\"procs\":%lu", (unsigned long)st->procs);
	if (n->kind == TREE_WORKER && st->has_cg) {
		if (st->memory != UINT64_MAX)
			buf_printf(b, ",\"memory_bytes\":%llu",
			    (unsigned long long)st->memory);
		buf_printf(b, ",\"cpu_usec\":%llu",
		    (unsigned long long)st->cpu_usec);
	}
	json_deps(b, t, n, st);
	if (n->kind == TREE_SUPERVISOR) {
		buf_printf(b, ",\"strategy\":\"%s\",\"intensity\":",
		    strategies[n->strategy]);
		if (n->intensity == TREE_UNLIMITED)
			buf_puts(b, "null");
		else
			buf_printf(b, "%ld", n->intensity);
		buf_puts(b, ",\"period\":");
		put_secs(b, n->period_ms);
		buf_printf(b, ",\"intensity_used\":%lu",
		    (unsigned long)render_intensity_used(st, n->period_ms,
		    now_ms));
	} else {
		buf_printf(b, ",\"restart\":\"%s\",\"command\":[",
		    restarts[n->restart]);
		for (i = 0; n->argv != NULL && i < n->argc &&
		    n->argv[i] != NULL; i++) {
			if (i > 0)
				buf_add(b, ",", 1);
			put_json_str(b, n->argv[i]);
		}
		buf_add(b, "]", 1);
		json_health(b, n, st);
	}
	/* Only for those: other nodes' objects are as they always were. */
	if (n->dynamic)
		buf_puts(b, ",\"dynamic\":true");
	if (n->instances > 0)
		buf_printf(b, ",\"instances\":%d", n->instances);
	buf_add(b, "}", 1);
}

/*
 * Only what a node uses: "start" of a parallel supervisor, "oneshot",
 * "after" (each path with its condition as it applies) and, while it
 * waits, "waiting_for" (the conditions not met yet, as "PATH:CONDITION").
 */
static void
json_deps(struct buf *b, const struct tree *t, const struct tree_node *n,
    const struct nstate *st)
{
	const char	*p, *e;
	int		 i;

	if (n->parallel)
		buf_puts(b, ",\"start\":\"parallel\"");
	if (n->oneshot)
		buf_puts(b, ",\"oneshot\":true");
	if (n->nafter > 0) {
		buf_puts(b, ",\"after\":[");
		for (i = 0; i < n->nafter; i++) {
			buf_puts(b, i > 0 ? ",{\"path\":" : "{\"path\":");
			put_json_str(b, n->after[i].path);
			buf_printf(b, ",\"condition\":\"%s\"}", dep_cond_name(
			    dep_cond(t, &n->after[i])));
		}
		buf_add(b, "]", 1);
	}
	if (st->state != NS_WAITING)
		return;
	buf_puts(b, ",\"waiting_for\":[");
	for (p = st->waiting, i = 0; *p != '\0'; p = e, i++) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		if (i > 0)
			buf_add(b, ",", 1);
		buf_add(b, "\"", 1);
		for (; p < e; p++) {
			if ((unsigned char)*p >= 0x20 && *p != '"' &&
			    *p != '\\' && (unsigned char)*p < 0x7f)
				buf_add(b, p, 1);
		}
		buf_add(b, "\"", 1);
	}
	buf_add(b, "]", 1);
}

char *
render_json(const struct tree *t, const struct nstate *states,
    int64_t now_ms)
{
	struct buf	 b = BUF_INIT;
	struct nstate	 blank;
	int		 i;

	buf_puts(&b, "[\n");
	for (i = 0; i < t->nnodes; i++) {
		buf_puts(&b, "  ");
		json_node(&b, t, i, node_state(states, i, &blank), now_ms);
		buf_puts(&b, i + 1 < t->nnodes ? ",\n" : "\n");
	}
	buf_puts(&b, "]\n");
	return (buf_take(&b));
}

/* st is the node's own state (not the array), or NULL; no newline. */
char *
render_json_node(const struct tree *t, int id, const struct nstate *st,
    int64_t now_ms)
{
	struct buf	 b = BUF_INIT;
	struct nstate	 blank;

	json_node(&b, t, id, st != NULL ? st : node_state(NULL, id, &blank),
	    now_ms);
	return (buf_take(&b));
}

/*
 * Where a node should be, given its own settings: stopped by hand is fine;
 * the root and permanent nodes must be up; transient and temporary ones
 * may also have exited. Starting, stopping, backoff and failed never are.
 */
static int
health_fine(const struct tree_node *n, const struct nstate *st)
{
	if (st->state == NS_FAILED || st->state == NS_BACKOFF)
		return (0);
	/* A running worker failing its health checks is not well. */
	if (st->health == NSTATE_HEALTH_FAILING && is_up(st) &&
	    st->state != NS_STOPPING)
		return (0);
	if (st->manual && st->state == NS_STOPPED)
		return (1);
	if (st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_DONE || st->state == NS_RELOADING)
		return (1);
	return (st->state == NS_EXITED && n->parent != -1 &&
	    n->restart != TREE_PERMANENT);
}

/*
 * A node below one that is down where it should be (stopped by hand, or a
 * transient supervisor that exited) is fine when it is down too.
 */
int
render_health(const struct tree *t, const struct nstate *states)
{
	return (render_health_of(t, states, NULL));
}

/* The same rule, counting only the nodes marked in mask (NULL: all). */
int
render_health_of(const struct tree *t, const struct nstate *states,
    const char *mask)
{
	return (render_health_why(t, states, mask, NULL));
}

/* The same again; *first (if not NULL) is the first bad node, or -1. */
int
render_health_why(const struct tree *t, const struct nstate *states,
    const char *mask, int *first)
{
	const struct nstate	*st;
	struct nstate		 blank;
	char			*down;
	int			 i, p, fine, bad = 0;

	if (first != NULL)
		*first = -1;
	down = xcalloc(t->nnodes, 1);
	for (i = 0; i < t->nnodes; i++) {
		st = node_state(states, i, &blank);
		p = t->nodes[i].parent;
		if (p != -1 && down[p])
			fine = st->state == NS_STOPPED ||
			    st->state == NS_EXITED;
		else
			fine = health_fine(&t->nodes[i], st);
		down[i] = fine && (st->state == NS_STOPPED ||
		    st->state == NS_EXITED);
		if ((mask == NULL || mask[i]) && !fine) {
			if (!bad && first != NULL)
				*first = i;
			bad = 1;
		}
	}
	free(down);
	return (bad ? 3 : 0);
}
