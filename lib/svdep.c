/*
 * svdep.c: dependencies at run time: how the state of a node anywhere in
 * the tree reaches the supervisor of a node that waits for it.
 *
 * A child supervisor holds only its slice of the tree and sees only its
 * own subtree's states; the top holds the whole tree and, since states
 * flow up, every node's state. So the top is where waits are watched: it
 * indexes, from the whole tree, who waits for whom (for each node X that
 * some after list names, the supervisors of the nodes that wait for it),
 * and whenever what X offers to those who wait (dep_bits: started, ready,
 * succeeded) changes, it sends MSG_DEPSTATE down the links to each of
 * those supervisors; the supervisors in between forward it toward its
 * destination unchanged, as commands travel. When a supervisor that
 * waits starts (or starts again), the top sends it the current bits of
 * everything its children wait for, and after a reload it sends them all
 * again: a supervisor never has to ask.
 *
 * The supervisor keeps, for each child with an after list, the last bits
 * of each node listed, and feeds FSM_EV_DEPS_MET to a waiting child once
 * they are all met (dep_met); the lifecycle (fsm.c) does the waiting.
 * Only watched nodes cost anything: a tree without after lists has no
 * index, no message and no per-child state.
 *
 * Called by sv.c (report, feed, say), svlink.c (the message) and
 * reload.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dep.h"
#include "log.h"
#include "msg.h"
#include "peer.h"
#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

#define SVDEP_UNKNOWN	0x80000000U	/* bits not sent yet */
#define SVDEP_PATHMAX	512

struct svdep {
	int		*kids;		/* children with an after list */
	int		 nkids;

	/* The top only: who waits for whom (CSR over node ids). */
	int		 nnodes;
	int		*wstart;	/* X -> its supervisors waiting */
	int		*wdest;
	int		*sstart;	/* S -> the nodes its children wait for */
	int		*sx;
	unsigned	*last;		/* X's bits as last sent */
	int32_t		*pid;		/* S's process that had its resync */
};

struct svdep_pair {
	int	a;
	int	b;
};

static int	svdep_paircmp(const void *, const void *);
static void	svdep_csr(struct svdep_pair *, int, int, int **, int **);
static void	svdep_index(struct sv *);
static void	svdep_send(struct sv *, int, int, unsigned);
static void	svdep_apply(struct sv *, const char *, unsigned);

/* The children with an after list, and the top's index. */
void
svdep_init(struct sv *sv)
{
	struct svdep	*d;
	int		 i;

	d = sv->dep != NULL ? sv->dep : xcalloc(1, sizeof *d);
	sv->dep = d;
	free(d->kids);
	d->kids = NULL;
	d->nkids = 0;
	for (i = 0; i < sv->n; i++) {
		if (sv->children[i]->node->nafter == 0)
			continue;
		d->kids = xreallocarray(d->kids, d->nkids + 1,
		    sizeof *d->kids);
		d->kids[d->nkids++] = i;
	}
	if (sv->id == -1)
		svdep_index(sv);
}

void
svdep_free(struct sv *sv)
{
	struct svdep	*d = sv->dep;

	if (d == NULL)
		return;
	free(d->kids);
	free(d->wstart);
	free(d->wdest);
	free(d->sstart);
	free(d->sx);
	free(d->last);
	free(d->pid);
	free(d);
	sv->dep = NULL;
}

static int
svdep_paircmp(const void *a, const void *b)
{
	const struct svdep_pair	*pa = a, *pb = b;

	if (pa->a != pb->a)
		return (pa->a < pb->a ? -1 : 1);
	return (pa->b < pb->b ? -1 : pa->b > pb->b);
}

/* Sorted, unique pairs (a, b) -> start[a]..start[a + 1] in to[]. */
static void
svdep_csr(struct svdep_pair *p, int np, int n, int **startp, int **top)
{
	int	*start, *to, i, k = 0;

	if (np > 0)
		qsort(p, np, sizeof *p, svdep_paircmp);
	start = xcalloc(n + 1, sizeof *start);
	to = xcalloc(np > 0 ? np : 1, sizeof *to);
	for (i = 0; i < np; i++) {
		if (i > 0 && p[i].a == p[i - 1].a && p[i].b == p[i - 1].b)
			continue;
		start[p[i].a + 1]++;
		to[k++] = p[i].b;
	}
	for (i = 0; i < n; i++)
		start[i + 1] += start[i];
	*startp = start;
	*top = to;
}

/*
 * The top's index, from the whole tree: for each after entry of node W
 * naming X, W's supervisor waits for X. Nothing at all without after.
 */
static void
svdep_index(struct sv *sv)
{
	struct svdep		*d = sv->dep;
	const struct tree	*t = sv->tree;
	const struct tree_node	*n;
	struct svdep_pair	*w = NULL, *s = NULL;
	int			 i, j, np = 0;

	free(d->wstart);
	free(d->wdest);
	free(d->sstart);
	free(d->sx);
	free(d->last);
	free(d->pid);
	d->wstart = d->wdest = d->sstart = d->sx = NULL;
	d->last = NULL;
	d->pid = NULL;
	d->nnodes = t->nnodes;
	if (!dep_any(t))
		return;
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		for (j = 0; j < n->nafter; j++) {
			if (n->after[j].id < 0 || n->parent < 0)
				continue;
			w = xreallocarray(w, np + 1, sizeof *w);
			s = xreallocarray(s, np + 1, sizeof *s);
			w[np].a = s[np].b = n->after[j].id;
			w[np].b = s[np].a = n->parent;
			np++;
		}
	}
	svdep_csr(w, np, t->nnodes, &d->wstart, &d->wdest);
	svdep_csr(s, np, t->nnodes, &d->sstart, &d->sx);
	free(w);
	free(s);
	d->last = xcalloc(t->nnodes, sizeof *d->last);
	d->pid = xcalloc(t->nnodes, sizeof *d->pid);
	for (i = 0; i < t->nnodes; i++)
		d->last[i] = SVDEP_UNKNOWN;
}

/* MSG_DEPSTATE to supervisor dest (ids of the whole tree: we are the top). */
static void
svdep_send(struct sv *sv, int dest, int x, unsigned bits)
{
	struct sv_child	*root = sv->n > 0 ? sv->children[0] : NULL;
	struct msg_buf	 mb;

	if (root == NULL || root->link == NULL)
		return;
	msg_buf_init(&mb);
	msg_put_u32(&mb, (uint32_t)dest);
	msg_put_u32(&mb, (uint32_t)x);
	msg_put_u8(&mb, (uint8_t)(bits | DEP_KNOWN));
	msg_put_str(&mb, sv->tree->nodes[x].path);
	peer_send_buf(root->link, MSG_DEPSTATE, &mb);
}

/*
 * The top: node id's state changed (its mirror entry). If someone waits
 * for it and what it offers changed, tell them; if it is a supervisor
 * whose children wait and it runs in a new process, tell it everything.
 * A new pid, not a state, says it is new: a restart without backoff is
 * reported once, already running again. O(1) for a node nobody waits
 * for.
 */
void
svdep_state(struct sv *sv, int id)
{
	struct svdep	*d = sv->dep;
	unsigned	 bits;
	int		 k, x;
	int32_t		 pid;

	if (d == NULL || d->wstart == NULL || id < 0 || id >= d->nnodes)
		return;
	if (d->wstart[id] < d->wstart[id + 1]) {
		bits = dep_bits(&sv->mirror[id], sv->tree->nodes[id].oneshot);
		if (bits != d->last[id]) {
			d->last[id] = bits;
			for (k = d->wstart[id]; k < d->wstart[id + 1]; k++)
				svdep_send(sv, d->wdest[k], id, bits);
		}
	}
	if (d->sstart[id] == d->sstart[id + 1])
		return;
	pid = sv->mirror[id].pid;
	if (pid > 0 && pid != d->pid[id]) {
		for (k = d->sstart[id]; k < d->sstart[id + 1]; k++) {
			x = d->sx[k];
			d->last[x] = dep_bits(&sv->mirror[x],
			    sv->tree->nodes[x].oneshot);
			svdep_send(sv, id, x, d->last[x]);
		}
	}
	d->pid[id] = pid;
}

/* After a reload: a new index, and everyone running hears everything
 * (their pids are unknown to the new index). */
void
svdep_reload(struct sv *sv)
{
	struct svdep	*d;
	int		 i;

	svdep_init(sv);
	d = sv->dep;
	if (sv->id != -1 || d->wstart == NULL)
		return;
	for (i = 0; i < d->nnodes; i++)
		svdep_state(sv, i);
}

/*
 * MSG_DEPSTATE from our parent: ours to apply, or to pass on toward the
 * supervisor it is for.
 */
void
svdep_dispatch(struct sv *sv, const uint8_t *data, size_t len)
{
	struct msg_rd	 r;
	struct sv_child	*c;
	char		 path[SVDEP_PATHMAX];
	uint32_t	 dest;
	int64_t		 id;
	unsigned	 bits;
	int		 cid;

	msg_rd_init(&r, data, len);
	dest = msg_get_u32(&r);
	(void)msg_get_u32(&r);
	bits = msg_get_u8(&r);
	if (msg_get_strbuf(&r, path, sizeof path) == -1 ||
	    msg_rd_done(&r) == -1) {
		log_warnx("%s: bad dependency message", sv_node_path(sv, sv->id));
		return;
	}
	id = (int64_t)dest - sv->idoff;
	if (id == sv->id) {
		svdep_apply(sv, path, bits);
		return;
	}
	if (id <= sv->id || id >= sv->tree->nnodes ||
	    (cid = tree_child_toward(sv->tree, sv->id, (int)id)) == -1)
		return;
	c = sv->children[sv->tree->nodes[cid].index];
	if (c->id == cid && c->link != NULL && !c->fsm.retired)
		peer_send(c->link, MSG_DEPSTATE, data, len);
}

/* The bits of path for every child that waits for it. */
static void
svdep_apply(struct sv *sv, const char *path, unsigned bits)
{
	struct svdep		*d = sv->dep;
	struct sv_child		*c;
	const struct tree_node	*n;
	int			 i, j, changed;

	if (d == NULL)
		return;
	for (i = 0; i < d->nkids; i++) {
		c = sv->children[d->kids[i]];
		n = c->node;
		changed = 0;
		for (j = 0; j < n->nafter && c->depbits != NULL; j++) {
			if (strcmp(n->after[j].path, path) == 0 &&
			    c->depbits[j] != bits) {
				c->depbits[j] = bits;
				changed = 1;
			}
		}
		if (!changed || c->fsm.state != FSM_WAITING)
			continue;
		if (svdep_met(c))
			sv_child_feed(c, FSM_EV_DEPS_MET, NULL, 0);
		else {
			/* Still waiting, for less: show what is left. */
			svdep_text(c, c->st->waiting, sizeof c->st->waiting);
			sv_report(sv, c->id);
		}
	}
}

/* May the child start: is every entry of its after list met? */
int
svdep_met(const struct sv_child *c)
{
	const struct tree_node	*n = c->node;
	int			 j;

	for (j = 0; j < n->nafter; j++) {
		if (c->depbits == NULL ||
		    !dep_met(n->after[j].cond, c->depbits[j]))
			return (0);
	}
	return (1);
}

/* What it waits for: "PATH:CONDITION ..." of the entries not met. */
void
svdep_text(const struct sv_child *c, char *buf, size_t len)
{
	const struct tree_node	*n = c->node;
	const struct tree_after	*a;
	enum tree_cond		 cond;
	size_t			 off = 0;
	int			 j, m;
	unsigned		 bits;

	buf[0] = '\0';
	for (j = 0; j < n->nafter; j++) {
		a = &n->after[j];
		bits = c->depbits != NULL ? c->depbits[j] : 0;
		if (dep_met(a->cond, bits))
			continue;
		cond = a->cond;
		if (cond == TREE_COND_DEFAULT)
			cond = (bits & DEP_ONESHOT) ? TREE_COND_SUCCEEDED :
			    TREE_COND_READY;
		/* Not heard of yet: its default condition is not known. */
		if (a->cond == TREE_COND_DEFAULT && !(bits & DEP_KNOWN))
			m = snprintf(buf + off, len - off, "%s%s", off > 0 ?
			    " " : "", a->path);
		else
			m = snprintf(buf + off, len - off, "%s%s:%s", off > 0 ?
			    " " : "", a->path, dep_cond_name(cond));
		if (m < 0 || (size_t)m >= len - off) {
			buf[off] = '\0';
			break;
		}
		off += m;
	}
}
