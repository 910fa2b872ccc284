/*
 * reload.c: apply a new spec to a running supervisor.
 *
 * Every supervisor process gets the new spec text (the top validates it
 * first, so a bad spec never gets this far) and compares its own children
 * with the new tree's, by path:
 * - a worker whose settings are unchanged keeps its slot, process, pid and
 *   counters; only its node id and settings pointer move;
 * - a supervisor child is always kept: its own new settings apply in its
 *   process when the reload reaches it, so its subtree is not disturbed;
 * - a removed child is retired: stopped by its old settings, then freed;
 * - a changed worker is retired and replaced by a new slot, which starts
 *   (in order with its siblings) only once the old one is down;
 * - a new child gets a new slot and starts in order.
 * The old tree and mirror stay allocated (retired slots still point into
 * them) until the process exits.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "output.h"
#include "peer.h"
#include "policy.h"
#include "resolve.h"
#include "sv.h"
#include "xmalloc.h"

static struct sv_child *
find_old(struct sv *sv, const char *path)
{
	int	i;

	for (i = 0; i < sv->n; i++) {
		if (sv->children[i] != NULL &&
		    strcmp(sv->children[i]->node->path, path) == 0)
			return (sv->children[i]);
	}
	return (NULL);
}

static void
retire(struct sv *sv, struct sv_child *c)
{
	c->retired = 1;
	c->want_up = 0;
	c->batch = 0;
	if (c->satisfied) {
		c->satisfied = 0;
		sv->nsatisfied--;
	}
	if (!sv_child_is_up(c) && c->timer != SV_TIMER_BACKOFF) {
		sv_child_free(c);
		return;
	}
	if (c->timer == SV_TIMER_BACKOFF) {
		/* Nothing runs: it can go at once. */
		c->timer = SV_TIMER_NONE;
		sv_child_free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&sv->retiredq, c, retired_entry);
	sv_child_stop(c);
}

static void
forward(struct sv_child *c, const char *text, size_t len)
{
	struct msg_buf	mb;

	if (c->link == NULL || c->pid == 0)
		return;
	msg_buf_init(&mb);
	msg_put_u32(&mb, (uint32_t)len);
	msg_put_bytes(&mb, text, len);
	peer_send_buf(c->link, MSG_RELOAD, &mb);
}

int
sv_reload(struct sv *sv, const char *text, size_t len, char **cause)
{
	struct tree		*nt;
	struct nstate		*nm;
	struct sv_child		**nc, *c, *old;
	struct sv_old		*keep;
	const int		*ids;
	int			 top = 0, myid, nchild, i, oid, k;

	if ((nt = resolve_parse(sv->tree->file, text, len, cause)) == NULL)
		return (-1);
	/* A tree keeps its name (and so its socket) for its whole life. */
	free(nt->name);
	nt->name = xstrdup(sv->tree->name);
	myid = -1;
	if (sv->id != -1) {
		myid = tree_lookup(nt, sv->node->path);
		if (myid == -1 || nt->nodes[myid].kind != TREE_SUPERVISOR) {
			xasprintf(cause, "%s: not a supervisor in the new spec",
			    sv->node->path);
			tree_free(nt);
			return (-1);
		}
	}
	/* The new mirror: every node's state carried over by path. */
	nm = xcalloc(nt->nnodes, sizeof *nm);
	for (i = 0; i < nt->nnodes; i++) {
		oid = tree_lookup(sv->tree, nt->nodes[i].path);
		if (oid != -1)
			nm[i] = sv->mirror[oid];
		else
			nm[i].last_exit = NSTATE_NO_EXIT;
	}
	if (myid == -1) {
		nchild = 1;
		ids = &top;
	} else {
		nchild = nt->nodes[myid].nchildren;
		ids = nt->nodes[myid].children;
	}
	nc = xcalloc(nchild, sizeof *nc);
	for (k = 0; k < nchild; k++) {
		old = find_old(sv, nt->nodes[ids[k]].path);
		if (old != NULL && old->node->kind == nt->nodes[ids[k]].kind &&
		    (old->node->kind == TREE_SUPERVISOR ||
		    strcmp(old->node->digest, nt->nodes[ids[k]].digest) == 0)) {
			/* Unchanged: the same slot, under its new id. */
			for (i = 0; i < sv->n; i++) {
				if (sv->children[i] == old)
					sv->children[i] = NULL;
			}
			old->id = ids[k];
			old->idx = k;
			old->node = &nt->nodes[ids[k]];
			old->st = &nm[ids[k]];
			nc[k] = old;
		}
	}
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
		sv->node = &nt->nodes[myid];
		policy_intensity_free(&sv->intensity);
		policy_intensity_init(&sv->intensity, sv->node->intensity);
	}
	free(sv->spec_text);
	sv->spec_text = xmalloc(len + 1);
	memcpy(sv->spec_text, text, len);
	sv->spec_text[len] = '\0';
	sv->spec_len = len;
	/* New and changed nodes get new slots; the others are retired. */
	for (k = 0; k < nchild; k++) {
		if (nc[k] != NULL)
			continue;
		nc[k] = sv_child_new(sv, ids[k], k);
		for (i = 0; i < sv->n; i++) {
			c = sv->children[i];
			if (c == NULL || strcmp(c->node->path,
			    nt->nodes[ids[k]].path) != 0)
				continue;
			/*
			 * The slot it replaces may itself be waiting for an
			 * older one to go (two reloads in a row): wait for
			 * that one.
			 */
			nc[k]->replaces = c->replaces != NULL ? c->replaces : c;
			/* Not the old process's: the new slot has none yet. */
			nc[k]->st->state = NS_STOPPED;
			nc[k]->st->pid = 0;
			nc[k]->st->ready = 0;
			nc[k]->st->started_ms = 0;
			nc[k]->st->next_ms = 0;
			/* A node stopped by hand stays stopped. */
			if (!c->want_up && c->st->manual) {
				nc[k]->want_up = 0;
				nc[k]->batch = 0;
				nc[k]->st->manual = 1;
			}
		}
	}
	for (i = 0; i < sv->n; i++) {
		if ((c = sv->children[i]) == NULL)
			continue;
		for (k = 0; k < nchild; k++) {
			if (strcmp(nc[k]->node->path, c->node->path) == 0)
				break;
		}
		child_event(c, "%s by reload: %s", k < nchild ? "changed" :
		    "removed", k < nchild ? "restarting" : "stopping");
		/*
		 * Its heir waits for it only if it still runs; retire() frees
		 * it at once otherwise.
		 */
		if (k < nchild && nc[k]->replaces == c &&
		    (!sv_child_is_up(c) || c->timer == SV_TIMER_BACKOFF))
			nc[k]->replaces = NULL;
		retire(sv, c);
	}
	free(sv->children);
	sv->children = nc;
	sv->n = nchild;
	sv->nsatisfied = 0;
	for (k = 0; k < nchild; k++)
		sv->nsatisfied += nc[k]->satisfied;
	output_reopen_all(sv);
	for (k = 0; k < nchild; k++) {
		if (nc[k]->node->kind == TREE_SUPERVISOR)
			forward(nc[k], text, len);
		sv_report(sv, nc[k]->id);
	}
	sv->stop_hi = nchild - 1;
	sv->start_lo = 0;
	sv_plan_run(sv);
	return (0);
}
