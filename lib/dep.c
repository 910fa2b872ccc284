/*
 * dep.c: dependencies between nodes, as a pure graph.
 *
 * A node's after list (after = PATH[:CONDITION] ...) names nodes anywhere
 * in the tree that must meet a condition (started, ready, succeeded)
 * before it starts. This module owns everything about that list that
 * needs no process: its syntax (dep_parse), its paths (dep_resolve), the
 * check that no start can wait for itself (dep_cycle), the order in which
 * a supervisor starts and stops its children (dep_order), and whether a
 * wait is met given the states of the nodes it names (dep_bits, dep_met).
 *
 * The cycle check sees what really orders starts, not the after lists
 * alone: a node starts after its supervisor has started, a supervisor is
 * ready once its children are, and a child of an ordered supervisor
 * starts once the sibling before it is ready. So each node is two
 * vertices, "started" and "ready", with these edges ("waits for"):
 *
 *	started(N) -> started(parent of N)
 *	started(N) -> ready(previous sibling), under an ordered supervisor
 *	started(N) -> started(X) or ready(X), for each X in N's after list
 *	ready(N)   -> started(N)
 *	ready(S)   -> ready(C), for each child C of a supervisor S
 *
 * Without after lists this graph has no cycle (every edge goes up the
 * tree, back among siblings, or from ready down to started), so a cycle
 * always goes through an after edge, and the search starts only there:
 * a tree without after costs nothing. A cycle is named by its nodes
 * ("cycle: a -> b -> a").
 *
 * Pure: no syscalls, no clock, no globals. Callers: the spec module
 * (parse, resolve, cycle), sv.c (order, bits, met), render.c (names).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dep.h"
#include "xmalloc.h"

static int	dep_edge(const struct tree *, int, int);
static void	dep_order_visit(int, const int *, const int *, uint8_t *,
		    int *, int *);

static const char *cond_names[] = { "ready", "started", "ready",
    "succeeded" };

const char *
dep_cond_name(enum tree_cond c)
{
	if ((unsigned)c > TREE_COND_SUCCEEDED)
		return ("?");
	return (cond_names[c]);
}

/*
 * "PATH[:CONDITION] ..." separated by blanks or commas into an array.
 * Returns 0, or -1 with *cause.
 */
int
dep_parse(const char *s, struct tree_after **out, int *nout, char **cause)
{
	struct tree_after	*a = NULL, *e;
	const char		*p = s, *colon;
	size_t			 w, plen;
	int			 n = 0, i;

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		w = strcspn(p, " \t,");
		colon = memchr(p, ':', w);
		plen = colon != NULL ? (size_t)(colon - p) : w;
		a = xreallocarray(a, n + 1, sizeof *a);
		e = &a[n++];
		e->path = xstrndup(p, plen);
		e->cond = TREE_COND_DEFAULT;
		e->id = -1;
		if (plen == 0 || plen > 255 || e->path[0] == '/' ||
		    e->path[plen - 1] == '/' || strstr(e->path, "//") != NULL) {
			xasprintf(cause, "invalid node path '%.*s' (use a full "
			    "node path such as db/postgres)", (int)(w > 64 ? 64 :
			    w), p);
			goto fail;
		}
		if (colon != NULL) {
			for (i = TREE_COND_STARTED; i <= TREE_COND_SUCCEEDED;
			    i++) {
				if (strlen(cond_names[i]) == w - plen - 1 &&
				    strncasecmp(colon + 1, cond_names[i],
				    w - plen - 1) == 0)
					break;
			}
			if (i > TREE_COND_SUCCEEDED) {
				xasprintf(cause, "invalid condition '%.*s' for "
				    "'%s' (use started, ready or succeeded)",
				    (int)(w - plen - 1 > 32 ? 32 : w - plen - 1),
				    colon + 1, e->path);
				goto fail;
			}
			e->cond = i;
		}
		p += w;
	}
	if (n == 0) {
		xasprintf(cause, "empty list (use PATH[:CONDITION] ...)");
		return (-1);
	}
	*out = a;
	*nout = n;
	return (0);
fail:
	for (i = 0; i < n; i++)
		free(a[i].path);
	free(a);
	return (-1);
}

/*
 * Turn the paths of every after list into node ids. In the whole tree
 * (whole != 0) an unknown path, the node itself, or an after list on the
 * root is an error, said through fn; returns their number. In a slice,
 * a path outside it keeps id -1: the top checked it already.
 */
int
dep_resolve(struct tree *t, int whole, dep_error_fn *fn, void *arg)
{
	struct tree_node	*n;
	struct tree_after	*a;
	char			 msg[512];
	int			 i, j, errs = 0;

	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->nafter > 0 && i == 0 && whole) {
			fn(arg, n->after_line, n->path, "key 'after' is not "
			    "allowed in [supertree]: the root starts first");
			errs++;
			continue;
		}
		for (j = 0; j < n->nafter; j++) {
			a = &n->after[j];
			a->id = tree_lookup(t, a->path);
			if (!whole)
				continue;
			if (a->id == -1) {
				snprintf(msg, sizeof msg, "key 'after': unknown "
				    "node '%s' (there is no section [%s])",
				    a->path, a->path);
				fn(arg, n->after_line, n->path, msg);
				errs++;
			} else if (a->id == i) {
				snprintf(msg, sizeof msg, "key 'after': '%s' is "
				    "this node itself", a->path);
				fn(arg, n->after_line, n->path, msg);
				a->id = -1;	/* said once: not a cycle too */
				errs++;
			}
		}
	}
	return (errs);
}

/* Does any node have an after list? */
int
dep_any(const struct tree *t)
{
	int	i;

	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].nafter > 0)
			return (1);
	}
	return (0);
}

/* The condition that applies: the default resolved when the node is known. */
enum tree_cond
dep_cond(const struct tree *t, const struct tree_after *a)
{
	if (a->cond != TREE_COND_DEFAULT || a->id < 0 || a->id >= t->nnodes)
		return (a->cond);
	return (t->nodes[a->id].oneshot ? TREE_COND_SUCCEEDED :
	    TREE_COND_READY);
}

/*
 * Edge e of vertex v (see the top of the file): its target, -1 if there
 * is no such edge (skip it), -2 past the last.
 */
static int
dep_edge(const struct tree *t, int v, int e)
{
	const struct tree_node	*n = &t->nodes[v / 2], *p;
	const struct tree_after	*a;

	if (v % 2 == 1) {
		if (e == 0)
			return (v - 1);
		if (e - 1 >= n->nchildren)
			return (-2);
		return (2 * n->children[e - 1] + 1);
	}
	if (e == 0)
		return (n->parent == -1 ? -1 : 2 * n->parent);
	if (e - 1 < n->nafter) {
		a = &n->after[e - 1];
		if (a->id < 0 || a->id >= t->nnodes)
			return (-1);
		return (2 * a->id + (dep_cond(t, a) == TREE_COND_STARTED ?
		    0 : 1));
	}
	if (e - 1 > n->nafter)
		return (-2);
	/* The last edge: an ordered start waits for the sibling before. */
	if (n->parent == -1 || n->index == 0)
		return (-1);
	p = &t->nodes[n->parent];
	return (p->parallel ? -1 : 2 * p->children[n->index - 1] + 1);
}

/*
 * Find a cycle. Returns 0 if there is none; else 1 with *node, the node
 * whose after key to blame (the first of the cycle that has one), and
 * *text, "a -> b -> a" starting and ending there. Iterative depth-first
 * search: a chain of 100,000 nodes must not overflow the stack.
 */
int
dep_cycle(const struct tree *t, int *node, char **text)
{
	uint8_t	*color;
	int	*vs, *es, *ids, sp, nv = 2 * t->nnodes, s, v, w, i, k, nids;
	int	 first, found = 0;
	struct buf b = BUF_INIT;

	if (!dep_any(t))
		return (0);
	color = xcalloc(nv, 1);
	vs = xcalloc(nv, sizeof *vs);
	es = xcalloc(nv, sizeof *es);
	for (s = 0; s < t->nnodes && !found; s++) {
		if (t->nodes[s].nafter == 0 || color[2 * s] != 0)
			continue;
		sp = 0;
		vs[0] = 2 * s;
		es[0] = 0;
		color[2 * s] = 1;
		while (sp >= 0 && !found) {
			v = vs[sp];
			w = dep_edge(t, v, es[sp]++);
			if (w == -2) {
				color[v] = 2;
				sp--;
				continue;
			}
			if (w == -1 || color[w] == 2)
				continue;
			if (color[w] == 0) {
				color[w] = 1;
				vs[++sp] = w;
				es[sp] = 0;
				continue;
			}
			/* w is on the stack: the cycle is vs[k..sp], w. */
			for (k = sp; vs[k] != w; k--)
				;
			ids = xcalloc(sp - k + 2, sizeof *ids);
			nids = 0;
			for (i = k; i <= sp; i++) {
				if (nids == 0 || ids[nids - 1] != vs[i] / 2)
					ids[nids++] = vs[i] / 2;
			}
			if (nids > 1 && ids[nids - 1] == ids[0])
				nids--;
			first = 0;
			for (i = 0; i < nids; i++) {
				if (t->nodes[ids[i]].nafter > 0) {
					first = i;
					break;
				}
			}
			for (i = 0; i <= nids; i++) {
				buf_printf(&b, "%s%s", i > 0 ? " -> " : "",
				    t->nodes[ids[(first + i) % nids]].path);
			}
			/* The last edge of a started vertex: ordered. */
			for (i = k; i <= sp; i++) {
				if (vs[i] % 2 == 0 && es[i] - 1 ==
				    t->nodes[vs[i] / 2].nafter + 1)
					break;
			}
			if (i <= sp)
				buf_printf(&b, " ([%s] starts its children in "
				    "order, each once the one before is ready: "
				    "set start = parallel there)", t->nodes[
				    t->nodes[vs[i] / 2].parent].path);
			*node = ids[first];
			*text = buf_take(&b);
			free(ids);
			found = 1;
		}
	}
	free(color);
	free(vs);
	free(es);
	return (found);
}

static void
dep_order_visit(int i, const int *start, const int *to, uint8_t *mark,
    int *order, int *n)
{
	int	k;

	if (mark[i])
		return;
	mark[i] = 1;
	for (k = start[i]; k < start[i + 1]; k++)
		dep_order_visit(to[k], start, to, mark, order, n);
	order[(*n)++] = i;
}

/*
 * The order in which supervisor sup starts its children, and whose
 * reverse is the order in which it stops them: file order, except that a
 * child comes after every sibling whose subtree holds a node that a node
 * of its own subtree waits for (dep_cycle has made sure no two children
 * each wait for the other). order gets the children's indices.
 */
void
dep_order(const struct tree *t, int sup, int *order)
{
	const struct tree_node	*s = &t->nodes[sup], *n;
	int			*from, *to, *start, nedge = 0, cap = 0;
	int			 i, j, k, x, c, cend, send, no = 0;
	uint8_t			*mark;

	for (i = 0; i < s->nchildren; i++)
		order[i] = i;
	send = tree_subtree_end(t, sup);
	from = to = NULL;
	for (i = 0; i < s->nchildren; i++) {
		c = s->children[i];
		cend = tree_subtree_end(t, c);
		for (j = c; j < cend; j++) {
			n = &t->nodes[j];
			for (k = 0; k < n->nafter; k++) {
				x = n->after[k].id;
				if (x <= sup || x >= send || (x >= c &&
				    x < cend))
					continue;
				if (nedge == cap) {
					cap = cap == 0 ? 8 : cap * 2;
					from = xreallocarray(from, cap,
					    sizeof *from);
					to = xreallocarray(to, cap, sizeof *to);
				}
				from[nedge] = i;
				to[nedge++] = t->nodes[tree_child_toward(t,
				    sup, x)].index;
			}
		}
	}
	if (nedge == 0)
		return;
	/* Edges grouped by their child (from is already in order). */
	start = xcalloc(s->nchildren + 1, sizeof *start);
	for (k = 0; k < nedge; k++)
		start[from[k] + 1]++;
	for (i = 0; i < s->nchildren; i++)
		start[i + 1] += start[i];
	mark = xcalloc(s->nchildren, 1);
	for (i = 0; i < s->nchildren; i++)
		dep_order_visit(i, start, to, mark, order, &no);
	free(mark);
	free(start);
	free(from);
	free(to);
}

/* What a node's state offers to those who wait for it. */
unsigned
dep_bits(const struct nstate *st, int oneshot)
{
	unsigned	b = oneshot ? DEP_ONESHOT : 0;

	switch (st->state) {
	case NS_DONE:
		return (b | DEP_STARTED | DEP_READY | DEP_SUCCEEDED);
	case NS_EXITED:
		return (st->last_exit == 0 ? b | DEP_SUCCEEDED : b);
	case NS_STARTING:
	case NS_RUNNING:
	case NS_READY:
	case NS_RELOADING:	/* still ready (RELOADING=1) */
		b |= DEP_STARTED;
		if (st->ready)
			b |= DEP_READY;
		return (b);
	}
	return (b);
}

/* Is a wait for cond met by a node whose bits are these? */
int
dep_met(enum tree_cond cond, unsigned bits)
{
	switch (cond) {
	case TREE_COND_DEFAULT:
		return ((bits & ((bits & DEP_ONESHOT) ? DEP_SUCCEEDED :
		    DEP_READY)) != 0);
	case TREE_COND_STARTED:
		return ((bits & DEP_STARTED) != 0);
	case TREE_COND_READY:
		return ((bits & DEP_READY) != 0);
	case TREE_COND_SUCCEEDED:
		return ((bits & DEP_SUCCEEDED) != 0);
	}
	return (0);
}
