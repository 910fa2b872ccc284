/*
 * svlink.c: a supervisor's links. State flows up: a child supervisor
 * reports the states of its subtree (MSG_STATE), its own readiness and
 * intensity (MSG_SVINFO), command replies and log lines; each supervisor
 * updates its mirror and forwards them unchanged to its parent.
 * Commands flow down: a command for a node travels from the top toward
 * the supervisor that owns it, which runs it (sv_command) and answers
 * once it is done. A message that does not fit the sender's subtree is
 * dropped with a warning, never trusted. Node ids on the links are those
 * of the whole tree; link_node() turns them into ids of our slice.
 *
 * Liveness is asked for, never polled: at `status` time the top sends
 * MSG_PING down; each supervisor answers MSG_PONG for itself and passes
 * the ping on to its child supervisors, and their answers travel up
 * through it. A frozen supervisor therefore silences its whole subtree,
 * which is what the top then reports (remote.c). Nothing is sent while
 * nobody asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"
#include "output.h"
#include "peer.h"
#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

static void	waiter_add(struct sv_child *, uint32_t, int);
static void	waiter_add_sv(struct sv *, uint32_t);
static int	link_node(struct sv *, uint32_t);

/* A node id from a link, as an id in our slice; -1 if not in it. */
static int
link_node(struct sv *sv, uint32_t node)
{
	int64_t	id = (int64_t)node - sv->idoff;

	if (id < 0 || id >= sv->tree->nnodes)
		return (-1);
	return ((int)id);
}

void
svlink_dispatch(struct peer *p, uint16_t type, const uint8_t *data, size_t len,
    void *arg)
{
	struct sv_child	*c = arg;
	struct sv	*sv = c->sv;
	struct msg_rd	 r;
	struct nstate	 st;
	unsigned	 seen;
	uint32_t	 node, reqid;
	int		 end = tree_subtree_end(sv->tree, c->id), ready, status;
	int		 id;
	char		*text;

	if (c->fsm.retired)
		return;
	msg_rd_init(&r, data, len);
	switch (type) {
	case MSG_STATE:
		if (msg_get_state(&r, &node, &st) == -1 ||
		    msg_rd_done(&r) == -1 || (id = link_node(sv, node)) <=
		    c->id || id >= end)
			goto bad;
		sv->mirror[id] = st;
		sv_report(sv, id);
		break;
	case MSG_SVINFO:
		node = msg_get_u32(&r);
		ready = msg_get_u8(&r);
		c->st->intensity_used = msg_get_u32(&r);
		msg_get_times(&r, c->st->intensity_times);
		if (msg_rd_done(&r) == -1 || link_node(sv, node) != c->id)
			goto bad;
		/* Its readiness goes to its lifecycle; its intensity shows. */
		seen = c->reports;
		if (c->pid != 0)
			sv_child_feed(c, ready ? FSM_EV_READY : FSM_EV_UNREADY,
			    NULL, 0);
		if (c->reports == seen)
			sv_report(sv, c->id);
		break;
	case MSG_REPLY:
	case MSG_LOGDUMP:
		if (sv->up != NULL)
			peer_send(sv->up, type, data, len);
		if (type == MSG_REPLY && sv->hooks.reply != NULL) {
			reqid = msg_get_u32(&r);
			status = (int)msg_get_u32(&r);
			text = msg_get_str(&r);
			if (text != NULL)
				sv->hooks.reply(sv, reqid, status, text);
			free(text);
		} else if (type == MSG_LOGDUMP && sv->hooks.logdump != NULL) {
			reqid = msg_get_u32(&r);
			status = (int)msg_get_u32(&r);
			if (!r.err && (size_t)status == len - r.off)
				sv->hooks.logdump(sv, reqid,
				    (const char *)data + r.off, status);
		}
		break;
	case MSG_PONG:
		reqid = msg_get_u32(&r);
		node = msg_get_u32(&r);
		if (msg_rd_done(&r) == -1 || (id = link_node(sv, node)) <
		    c->id || id >= end)
			goto bad;
		if (sv->up != NULL)
			peer_send(sv->up, type, data, len);
		if (sv->hooks.pong != NULL)
			sv->hooks.pong(sv, reqid, id);
		break;
	case MSG_LOG:
		/* Best effort (see output_follow): dropped when congested. */
		if (sv->up != NULL && peer_pending(sv->up) < 2 * 1024 * 1024)
			peer_send(sv->up, type, data, len);
		if (sv->hooks.log != NULL) {
			node = msg_get_u32(&r);
			ready = msg_get_u8(&r);
			text = msg_get_str(&r);
			id = link_node(sv, node);
			if (text != NULL && id > c->id && id < end)
				sv->hooks.log(sv, id, ready, text);
			free(text);
		}
		break;
	default:
		goto bad;
	}
	return;
bad:
	log_warnx("%s: bad message %u from child supervisor",
	    sv_node_path(sv, c->id), type);
	(void)p;
}

void
svlink_lost(struct peer *p, const char *cause, void *arg)
{
	struct sv_child	*c = arg;

	(void)cause;
	if (c->link == p) {
		peer_free(p);
		c->link = NULL;
	}
}

void
svlink_up_dispatch(struct peer *p, uint16_t type, const uint8_t *data, size_t len,
    void *arg)
{
	struct sv	*sv = arg;
	struct msg_rd	 r;
	struct msg_buf	 mb;
	uint32_t	 reqid, node, width;
	int		 op, a, id;
	char		*cause = NULL;

	(void)p;
	msg_rd_init(&r, data, len);
	switch (type) {
	case MSG_CMD:
		reqid = msg_get_u32(&r);
		op = msg_get_u8(&r);
		node = msg_get_u32(&r);
		a = (int)msg_get_u32(&r);
		if (msg_rd_done(&r) == -1 || (id = link_node(sv, node)) == -1)
			break;
		if (sv_command(sv, reqid, op, id, a, &cause) == -1) {
			msg_buf_init(&mb);
			msg_put_u32(&mb, reqid);
			msg_put_u32(&mb, 1);
			msg_put_str(&mb, cause);
			peer_send_buf(sv->up, MSG_REPLY, &mb);
			free(cause);
		}
		break;
	case MSG_PING:
		reqid = msg_get_u32(&r);
		if (msg_rd_done(&r) == -1)
			break;
		msg_buf_init(&mb);
		msg_put_u32(&mb, reqid);
		msg_put_u32(&mb, (uint32_t)(sv->id + sv->idoff));
		peer_send_buf(sv->up, MSG_PONG, &mb);
		sv_ping(sv, reqid);
		break;
	case MSG_RELOAD:
		node = msg_get_u32(&r);
		width = msg_get_u32(&r);
		a = (int)msg_get_u32(&r);
		if (r.err || (size_t)a != len - r.off || node > INT32_MAX ||
		    width > INT32_MAX) {
			log_warnx("%s: bad reload message", sv_node_path(sv,
			    sv->id));
			break;
		}
		if (sv_reload(sv, (const char *)data + r.off, a, (int)node,
		    (int)width, &cause) == -1) {
			log_warnx("%s: reload: %s", sv_node_path(sv, sv->id),
			    cause);
			free(cause);
		}
		break;
	case MSG_DEPSTATE:
		svdep_dispatch(sv, data, len);
		break;
	default:
		log_warnx("%s: bad message %u from parent", sv_node_path(sv,
		    sv->id), type);
		break;
	}
}

void
svlink_up_lost(struct peer *p, const char *cause, void *arg)
{
	struct sv	*sv = arg;

	(void)cause;
	peer_free(p);
	sv->up = NULL;
	if (!sv->shutting_down)
		sv_event(sv, sv->id, "parent is gone: stopping");
	sv_shutdown(sv, 0);
}

/*
 * Ping every child supervisor we have a link to (those of the current
 * tree: a child retired by a reload is not asked about).
 */
void
sv_ping(struct sv *sv, uint32_t seq)
{
	struct sv_child	*c;
	struct msg_buf	 mb;
	int		 i;

	for (i = 0; i < sv->n; i++) {
		c = sv->children[i];
		if (c == NULL || c->link == NULL || c->fsm.retired)
			continue;
		msg_buf_init(&mb);
		msg_put_u32(&mb, seq);
		peer_send_buf(c->link, MSG_PING, &mb);
	}
}

static void
waiter_add(struct sv_child *c, uint32_t reqid, int up)
{
	struct sv_waiter	*w;

	if (reqid == 0)
		return;
	w = xcalloc(1, sizeof *w);
	w->reqid = reqid;
	w->up = up;
	TAILQ_INSERT_TAIL(&c->waiters, w, entry);
}

/*
 * A settle (MSG_OP_SETTLE) waits for the slots a reload retired to be
 * gone: scale and remove answer once what they removed has stopped.
 */
static void
waiter_add_sv(struct sv *sv, uint32_t reqid)
{
	struct sv_waiter	*w;

	w = xcalloc(1, sizeof *w);
	w->reqid = reqid;
	TAILQ_INSERT_TAIL(&sv->settlers, w, entry);
	if (TAILQ_EMPTY(&sv->retiredq))
		sv_settled(sv);
}

/* No retired slot is left: answer the settles. */
void
sv_settled(struct sv *sv)
{
	struct sv_waiter	*w;

	while ((w = TAILQ_FIRST(&sv->settlers)) != NULL) {
		TAILQ_REMOVE(&sv->settlers, w, entry);
		sv_reply(sv, w->reqid, 0, NULL);
		free(w);
	}
}

/* Answer request reqid, up the tree (or to the control socket). */
void
sv_reply(struct sv *sv, uint32_t reqid, int status, const char *text)
{
	struct msg_buf	mb;

	if (reqid == 0)
		return;
	if (sv->up != NULL) {
		msg_buf_init(&mb);
		msg_put_u32(&mb, reqid);
		msg_put_u32(&mb, (uint32_t)status);
		msg_put_str(&mb, text);
		peer_send_buf(sv->up, MSG_REPLY, &mb);
	}
	if (sv->hooks.reply != NULL)
		sv->hooks.reply(sv, reqid, status, text);
}

/*
 * Run a command on node, or pass it down toward the supervisor that owns
 * it. Returns -1 with *cause when it cannot be done at all; otherwise the
 * reply comes later (through the waiters) or was already sent.
 */
int
sv_command(struct sv *sv, uint32_t reqid, int op, int node, int arg,
    char **cause)
{
	struct sv_child	*c;
	struct msg_buf	 mb;
	int		 cid;

	/* A settle is for the supervisor itself (reached below). */
	if (op == MSG_OP_SETTLE && node == sv->id && sv->id != -1) {
		waiter_add_sv(sv, reqid);
		return (0);
	}
	cid = tree_child_toward(sv->tree, sv->id, node);
	if (cid == -1) {
		xasprintf(cause, "%s: not below %s", sv_node_path(sv, node),
		    sv_node_path(sv, sv->id));
		return (-1);
	}
	c = sv->children[sv->id == -1 ? 0 : sv->tree->nodes[cid].index];
	if (cid == node && op == MSG_OP_SETTLE) {
		/* Not running: it has nothing left to stop. */
		if (c->node->kind != TREE_SUPERVISOR || c->link == NULL ||
		    c->pid == 0) {
			sv_reply(sv, reqid, 0, NULL);
			return (0);
		}
	}
	if (cid != node || op == MSG_OP_SETTLE) {
		if (c->link == NULL || c->pid == 0) {
			xasprintf(cause, "%s: its supervisor %s is not running",
			    sv_node_path(sv, node), c->node->path);
			return (-1);
		}
		msg_buf_init(&mb);
		msg_put_u32(&mb, reqid);
		msg_put_u8(&mb, op);
		msg_put_u32(&mb, node + sv->idoff);
		msg_put_u32(&mb, (uint32_t)arg);
		peer_send_buf(c->link, MSG_CMD, &mb);
		return (0);
	}
	if (sv->shutting_down) {
		xasprintf(cause, "%s: the tree is shutting down",
		    sv_node_path(sv, node));
		return (-1);
	}
	switch (op) {
	case MSG_OP_STOP:
		waiter_add(c, reqid, 0);
		sv_child_feed(c, FSM_EV_STOP, NULL, 0);
		return (0);
	case MSG_OP_START:
	case MSG_OP_RESTART:
		/*
		 * A start by hand does not wait for the ordered start of its
		 * siblings (an earlier one may be crash-looping): it starts
		 * the node as soon as it is down (fsm.c).
		 */
		waiter_add(c, reqid, 1);
		sv_child_feed(c, op == MSG_OP_START ? FSM_EV_START :
		    FSM_EV_RESTART, NULL, 0);
		return (0);
	case MSG_OP_SIGNAL:
		if (c->pid == 0) {
			xasprintf(cause, "%s: not running", c->node->path);
			return (-1);
		}
		sv_group_signal(c, arg);
		waiter_add(c, reqid, 1);
		sv_child_replies(c, 1, 0, NULL);
		return (0);
	case MSG_OP_AWAIT:
		/* As a start by hand would, but the plan starts it. */
		waiter_add(c, reqid, 1);
		if (fsm_is_up(&c->fsm) && c->fsm.ready)
			sv_child_replies(c, 1, 0, NULL);
		else if (!c->fsm.want_up)
			sv_child_refuse(c, fsm_never_ran(&c->fsm) ?
			    MSG_REPLY_NEVER_RAN : MSG_REPLY_FAILED,
			    "not started");
		return (0);
	case MSG_OP_LOGS:
	case MSG_OP_FOLLOW:
	case MSG_OP_REOPEN:
		if (c->node->kind != TREE_WORKER || c->out == NULL) {
			xasprintf(cause, "%s: not a worker", c->node->path);
			return (-1);
		}
		if (op == MSG_OP_REOPEN) {
			sv_outputs_reopen(c->sv);
			return (0);
		}
		return (output_command(c->out, reqid, op, arg, cause));
	default:
		xasprintf(cause, "unknown operation %d", op);
		return (-1);
	}
}
