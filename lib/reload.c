/*
 * reload.c: apply a new spec to a running supervisor.
 *
 * Every supervisor process gets the new spec text (the top validates it
 * first, so a bad spec never gets this far): the top the whole text, and
 * every supervisor below the slice of it that it runs (tree_slice), with
 * its new id in the whole tree and the whole tree's path width. It
 * compares its own children with the new tree's (diff.c: keep, replace,
 * remove, add), then carries the choice out: a kept slot moves to its
 * new node id and settings pointer with its process, pid, counters and
 * lifecycle; a replaced or removed slot is retired (its lifecycle stops
 * it by its old settings, then it is freed); a replacement starts, in
 * order with its siblings, only once the slot it replaces is gone; a new
 * slot starts in order.
 * The old tree and mirror stay allocated (retired slots still point into
 * them) until the process exits.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fsm.h"
#include "msg.h"
#include "nofile.h"
#include "output.h"
#include "peer.h"
#include "plan.h"
#include "policy.h"
#include "resolve.h"
#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

/* Hand a child supervisor its slice of the new tree. */
static void
forward(struct sv *sv, struct sv_child *c)
{
	struct msg_buf	 mb;
	char		*slice;
	size_t		 len;

	if (c->link == NULL || c->pid == 0)
		return;
	slice = tree_slice(sv->tree, sv->spec_text, c->id, &len);
	msg_buf_init(&mb);
	msg_put_u32(&mb, (uint32_t)(c->id + sv->idoff));
	msg_put_u32(&mb, (uint32_t)sv->tree->pathwidth);
	msg_put_u32(&mb, (uint32_t)len);
	msg_put_bytes(&mb, slice, len);
	peer_send_buf(c->link, MSG_RELOAD, &mb);
	free(slice);
}

/* The slot replacing old waits for old, or for what old itself awaits. */
static void
reload_link(struct sv_child *heir, struct sv_child *old)
{
	struct sv_child	*pred = old->pred != NULL ? old->pred : old;

	/* Nothing runs there: nothing to wait for (it is freed at once). */
	if (!fsm_is_up(&pred->fsm))
		return;
	if (pred->heir != NULL)
		pred->heir->pred = NULL;
	old->pred = NULL;
	pred->heir = heir;
	heir->pred = pred;
	heir->fsm.after_old = 1;
}

/*
 * Apply text, the whole new spec (the top: gid and width are ignored) or
 * our slice of it, in which we are node gid of the whole tree, whose
 * longest path is width bytes long.
 */
int
sv_reload(struct sv *sv, const char *text, size_t len, int gid, int width,
    char **cause)
{
	struct tree		 *nt;
	struct nstate		 *nm;
	struct sv_child		**nc, *c, *old;
	struct sv_old		 *keep;
	struct diff		  d;
	struct plan		  np;
	const struct tree_node	**on, **nn;
	const int		 *ids;
	struct sv_child		 *prev;
	int			  top = 0, myid, nchild, i, oid, k, hold, chain, grown;

	if (sv->id == -1)
		nt = resolve_parse(sv->tree->file, text, len, cause);
	else
		nt = spec_parse_slice(sv->tree->file, text, len,
		    sv->node->depth, &resolve_ids, cause);
	if (nt == NULL)
		return (-1);
	/* A tree keeps its name (and so its socket) for its whole life. */
	free(nt->name);
	nt->name = xstrdup(sv->tree->name);
	myid = -1;
	if (sv->id != -1) {
		myid = tree_lookup(nt, sv->node->path);
		if (myid == -1 || nt->nodes[myid].kind != TREE_SUPERVISOR ||
		    myid > gid) {
			xasprintf(cause, "%s: not a supervisor in the new spec",
			    sv->node->path);
			tree_free(nt);
			return (-1);
		}
		/* Output lines stay aligned with the whole tree's. */
		nt->pathwidth = width;
	}
	/* The new mirror: every node's state carried over by path. */
	nm = xcalloc(nt->nnodes, sizeof *nm);
	for (i = 0; i < nt->nnodes; i++) {
		oid = tree_lookup(sv->tree, nt->nodes[i].path);
		if (oid != -1)
			nm[i] = sv->mirror[oid];
		else {
			nm[i].last_exit = NSTATE_NO_EXIT;
			nm[i].unstarted = 1;
		}
	}
	if (myid == -1) {
		nchild = 1;
		ids = &top;
	} else {
		nchild = nt->nodes[myid].nchildren;
		ids = nt->nodes[myid].children;
	}
	on = xcalloc(sv->n > 0 ? sv->n : 1, sizeof *on);
	nn = xcalloc(nchild > 0 ? nchild : 1, sizeof *nn);
	for (i = 0; i < sv->n; i++)
		on[i] = sv->children[i]->node;
	for (k = 0; k < nchild; k++)
		nn[k] = &nt->nodes[ids[k]];
	diff_children(on, sv->n, nn, nchild, &d);
	free(on);
	free(nn);

	/* Keep the old tree for the slots still pointing into it. */
	keep = xcalloc(1, sizeof *keep);
	keep->tree = sv->tree;
	keep->mirror = sv->mirror;
	keep->next = sv->old;
	sv->old = keep;
	sv->tree = nt;
	sv->mirror = nm;
	if (myid != -1) {
		sv->id = myid;
		sv->idoff = gid - myid;
		sv->node = &nt->nodes[myid];
		policy_intensity_free(&sv->intensity);
		policy_intensity_init(&sv->intensity, sv->node->intensity);
	}
	free(sv->spec_text);
	sv->spec_text = xmalloc(len + 1);
	memcpy(sv->spec_text, text, len);
	sv->spec_text[len] = '\0';
	sv->spec_len = len;

	/*
	 * The new slots, in the new order. Kept ones stay in the ordered
	 * start only if they were in it; new ones join it.
	 */
	plan_init(&np, nchild);
	nc = xcalloc(nchild > 0 ? nchild : 1, sizeof *nc);
	for (k = 0; k < nchild; k++) {
		if (d.keep[k] != -1) {
			c = nc[k] = sv->children[d.keep[k]];
			np.queued[k] = sv->plan.queued[d.keep[k]];
			c->id = ids[k];
			c->idx = k;
			c->node = &nt->nodes[ids[k]];
			c->st = &nm[ids[k]];
			continue;
		}
		c = nc[k] = sv_child_new(sv, ids[k], k);
		if (d.replaces[k] == -1)
			continue;
		old = sv->children[d.replaces[k]];
		/* Not the old process's: the new slot has none yet. */
		c->st->state = NS_STOPPED;
		c->st->unstarted = 0;
		c->st->pid = 0;
		c->st->ready = 0;
		c->st->started_ms = 0;
		c->st->next_ms = 0;
		/* A node stopped by hand stays stopped. */
		if (!old->fsm.want_up && old->fsm.manual) {
			c->fsm.want_up = 0;
			c->fsm.manual = 1;
			c->st->manual = 1;
			np.queued[k] = 0;
		}
		reload_link(c, old);
	}

	/*
	 * Retire the others. The plan is held meanwhile: the children array
	 * changes under it.
	 */
	sv->in_plan++;
	prev = NULL;
	for (i = sv->n - 1; i >= 0; i--) {
		c = sv->children[i];
		if (d.fate[i] == DIFF_KEEP)
			continue;
		child_event(c, "%s by reload: %s", d.fate[i] == DIFF_REPLACE ?
		    "changed" : "removed", d.fate[i] == DIFF_REPLACE ?
		    "restarting" : "stopping");
		TAILQ_INSERT_TAIL(&sv->retiredq, c, retired_entry);
		/*
		 * Removed workers stop one after the other, the last first,
		 * as the ordered stop takes siblings down (a pool's surplus
		 * instances: the highest number first). The later ones are
		 * retired at once but held running until their turn.
		 */
		chain = d.fate[i] == DIFF_REMOVE &&
		    c->node->kind == TREE_WORKER && fsm_is_up(&c->fsm);
		hold = chain && prev != NULL;
		if (hold) {
			prev->next_retire = c;
			c->prev_retire = prev;
		}
		/* Not up, it is freed in this feed: no pointer is kept. */
		if (chain)
			prev = c;
		sv_child_feed(c, FSM_EV_RETIRE, NULL, hold);
	}
	diff_free(&d);
	free(sv->children);
	sv->children = nc;
	grown = nchild > sv->n;
	sv->n = nchild;
	/* More children: room for their descriptors (nofile.c). */
	if (grown)
		nofile_budget(sv);
	plan_free(&sv->plan);
	sv->plan = np;
	sv->plan.stop_hi = nchild - 1;
	sv_start_order(sv);
	sv->nsatisfied = 0;
	for (k = 0; k < nchild; k++) {
		nc[k]->satisfied = fsm_satisfied(&nc[k]->fsm);
		sv->nsatisfied += nc[k]->satisfied;
	}
	/* A child taken away (or added) changes whether we are ready. */
	sv_ready_check(sv);
	sv->in_plan--;
	sv_outputs_reopen(sv);
	for (k = 0; k < nchild; k++) {
		if (nc[k]->node->kind == TREE_SUPERVISOR)
			forward(sv, nc[k]);
		sv_report(sv, nc[k]->id);
	}
	/* The waits, recomputed: the top tells everyone what they wait for. */
	svdep_reload(sv);
	sv_plan_run(sv);
	return (0);
}
