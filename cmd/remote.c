/*
 * remote.c: the live commands (status, start, stop, restart, signal, wait,
 * logs, events, shutdown), run inside the top process of a tree on behalf
 * of a client on the control socket.
 *
 * Status is answered from the top's mirror of the tree, once every
 * supervisor that should be running has answered a ping (MSG_PING,
 * svlink.c) or STATUS_PING_MS has passed: a supervisor that does not
 * answer in time (stopped, wedged) is shown, with its subtree, as
 * "unresponsive" rather than as whatever it last reported. The ping is
 * sent only for a status request, so an idle tree never wakes up for it.
 * Commands go down the supervisor links to the
 * supervisor that owns the node; its reply comes back up and completes the
 * client's request. A request waiting for something (a command's reply, a
 * state for `wait`, new events or log lines) is a struct pending; state
 * changes only look at the pending requests, never at the whole tree.
 */
#include <sys/queue.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cmd.h"
#include "ctl.h"
#include "log.h"
#include "msg.h"
#include "notify.h"
#include "proc.h"
#include "render.h"
#include "resolve.h"
#include "sv.h"
#include "value.h"
#include "xmalloc.h"

enum pending_kind {
	P_CMD,		/* start, stop, restart, signal: replies to count */
	P_WAIT,		/* wait: node states to reach */
	P_EVENTS,	/* events: every state change */
	P_LOGS,		/* logs: the dump, then (-f) new lines */
	P_SHUTDOWN,	/* shutdown: until the tree is down */
	P_STATUS,	/* status: the supervisors' answers to a ping */
	P_ROLL		/* restart --rolling: one restart at a time */
};

/* How long status waits for the supervisors to answer its ping. */
#define STATUS_PING_MS	1000

struct pending {
	enum pending_kind	 kind;
	struct ctl_client	*cl;
	uint32_t		*reqids;
	int			 nreqids;
	int			 outstanding;
	int			 failed;
	int			*nodes;		/* P_WAIT, P_LOGS */
	char			**paths;	/* their paths, for a change */
	int			 nnodes;
	int			 want;		/* P_WAIT: target */
	int			 follow;	/* P_LOGS: -f */
	unsigned		 dropped;	/* P_LOGS: lines not sent */
	uint32_t		 seq;		/* P_STATUS: the ping's */
	char			*expect;	/* P_STATUS: by node, to answer */
	int			 json;		/* P_STATUS: options */
	int			 quiet;
	int			 rflags;
	int			 owner;		/* P_LOGS: the worker's supervisor */
	int32_t			 owner_pid;	/* P_LOGS: its incarnation */
	uint32_t		 resume_id;	/* P_LOGS: the last resume's dump */
	char			**roll;		/* P_ROLL: paths, in order */
	int			 nroll;
	int			 iroll;		/* P_ROLL: the next one */
	struct event		*timer;
	char			*timeout_text;
	TAILQ_ENTRY(pending)	 entry;
};
TAILQ_HEAD(pendings, pending);

enum wait_for {
	WAIT_RUNNING,
	WAIT_READY,
	WAIT_STOPPED,
	WAIT_EXITED
};

static struct sv	*top;
static struct pendings	 pendings = TAILQ_HEAD_INITIALIZER(pendings);
static uint32_t		 next_reqid = 1;
static int		 wrap_mode;
static int		 wrap_ran;	/* wrap: its worker started once */
static int		 wrap_cannot;	/* wrap: its command cannot run */
static int		 notified_ready;

static void	hook_state(struct sv *, int);
static void	hook_reply(struct sv *, uint32_t, int, const char *);
static void	hook_log(struct sv *, int, int, const char *);
static void	hook_logdump(struct sv *, uint32_t, const char *, size_t);
static void	hook_done(struct sv *);
static void	hook_reload(struct sv *);
static int	do_reload(struct ctl_client *, const char *);
static void	roll_start(struct ctl_client *, int, const int *);
static void	pending_gone(struct ctl_client *, void *);
static void	wait_check(struct pending *);
static void	hook_pong(struct sv *, uint32_t, int);
static void	status_answer(struct pending *, int);
static void	logs_resume(struct pending *);

void
remote_init(struct sv *sv, int wrap)
{
	top = sv;
	wrap_mode = wrap;
	sv->hooks.state = hook_state;
	sv->hooks.reply = hook_reply;
	sv->hooks.log = hook_log;
	sv->hooks.logdump = hook_logdump;
	sv->hooks.done = hook_done;
	sv->hooks.reload = hook_reload;
	sv->hooks.pong = hook_pong;
}

/* wrap exits with its worker's last status. */
int
remote_wrap_status(void)
{
	int32_t	e = top->tree->nnodes > 1 ? top->mirror[1].last_exit :
		    NSTATE_NO_EXIT;

	if (wrap_cannot)
		return (127);
	/* It never ran (could not start): as a shell says, 127. */
	if (e == NSTATE_NO_EXIT)
		return (top->mirror[1].error[0] != '\0' ? 127 :
		    top->end != SV_END_OK ? EXIT_FAIL : 0);
	if (e < 0)
		return (128 + -e);
	return (e);
}

static struct pending *
pending_new(struct ctl_client *cl, enum pending_kind kind)
{
	struct pending	*p;

	p = xcalloc(1, sizeof *p);
	p->kind = kind;
	p->cl = cl;
	TAILQ_INSERT_TAIL(&pendings, p, entry);
	ctl_set_data(cl, p, pending_gone);
	return (p);
}

static void
pending_free(struct pending *p)
{
	int	i;

	TAILQ_REMOVE(&pendings, p, entry);
	if (p->timer != NULL)
		event_free(p->timer);
	free(p->reqids);
	free(p->nodes);
	free(p->expect);
	free(p->timeout_text);
	for (i = 0; i < p->nroll; i++)
		free(p->roll[i]);
	free(p->roll);
	free(p);
}

/* The client went away (or was answered): forget its request. */
static void
pending_gone(struct ctl_client *cl, void *data)
{
	struct pending	*p = data;
	char		*cause = NULL;
	int		 i;

	(void)cl;
	if (p == NULL)
		return;
	if (p->kind == P_LOGS && p->follow) {
		for (i = 0; i < p->nnodes; i++) {
			if (sv_command(top, 0, MSG_OP_FOLLOW, p->nodes[i], 0,
			    &cause) == -1) {
				free(cause);
				cause = NULL;
			}
		}
	}
	pending_free(p);
}

static void
finish(struct ctl_client *cl, int status)
{
	ctl_exit(cl, status);
}

static uint32_t
pending_reqid(struct pending *p)
{
	uint32_t	id = next_reqid++;

	if (next_reqid == 0)
		next_reqid = 1;
	p->reqids = xreallocarray(p->reqids, p->nreqids + 1,
	    sizeof *p->reqids);
	p->reqids[p->nreqids++] = id;
	p->outstanding++;
	return (id);
}

/* For pool.c: a request that ends once its commands are answered. */
struct pending *
remote_cmd_new(struct ctl_client *cl)
{
	return (pending_new(cl, P_CMD));
}

uint32_t
remote_cmd_reqid(struct pending *p)
{
	return (pending_reqid(p));
}

/* Send a command whose answer the request awaits; said if it fails. */
void
remote_cmd_send(struct pending *p, int op, int id)
{
	char	*cause = NULL;

	if (sv_command(top, pending_reqid(p), op, id, 0, &cause) == -1) {
		p->outstanding--;
		p->failed = 1;
		ctl_eprintf(p->cl, "supertree: %s\n", cause);
		free(cause);
	}
}

/* All sent: end now if nothing is awaited (or the client won't wait). */
void
remote_cmd_sent(struct pending *p, int nowait)
{
	if (nowait || p->outstanding <= 0)
		finish(p->cl, p->failed ? EXIT_FAIL : 0);
}

struct sv *
remote_top(void)
{
	return (top);
}

static struct pending *
pending_by_reqid(uint32_t reqid)
{
	struct pending	*p;
	int		 i;

	TAILQ_FOREACH(p, &pendings, entry) {
		for (i = 0; i < p->nreqids; i++) {
			if (p->reqids[i] == reqid)
				return (p);
		}
	}
	return (NULL);
}

/*
 * What getopt did not like, said before the usage line: a long option by
 * its word, a short one by its letter (within a cluster such as -zq,
 * optind has not moved on yet).
 */
static void
option_error(struct ctl_client *cl, const char *cmd, int ch, char **argv)
{
	char		 opt[3] = { '-', (char)optopt, '\0' };
	const char	*word = argv[optind - 1];

	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		word = opt;
	ctl_eprintf(cl, "supertree: %s: %s '%s'\n", cmd, ch == ':' ?
	    "no value given for option" : "unknown option", word);
}

/* Look up node paths; complain about the unknown ones. */
static int
resolve(struct ctl_client *cl, int argc, char **argv, int **ids)
{
	int	i, id, bad = 0;

	*ids = xcalloc(argc + 1, sizeof **ids);
	for (i = 0; i < argc; i++) {
		id = tree_lookup(top->tree, argv[i]);
		if (id == -1) {
			ctl_eprintf(cl, "supertree: %s: no such node in tree "
			    "%s\n", argv[i], top->tree->name);
			bad = 1;
		}
		(*ids)[i] = id;
	}
	return (bad ? -1 : 0);
}

/* Whether a supervisor's process should be there to answer a ping. */
static int
status_alive(const struct nstate *st)
{
	return (st->pid != 0 && (st->state == NS_STARTING ||
	    st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_RELOADING || st->state == NS_STOPPING));
}

/*
 * The states status shows: the mirror, except that with mark, each
 * supervisor still expected to answer (and still alive by the mirror) is
 * shown unresponsive with all its subtree. Allocated.
 */
static struct nstate *
status_states(struct pending *p, int mark)
{
	struct nstate	*states;
	int		 id, j, end, n = top->tree->nnodes;

	states = xreallocarray(NULL, n, sizeof *states);
	memcpy(states, top->mirror, n * sizeof *states);
	for (id = 0; mark && p->expect != NULL && id < n; id++) {
		if (!p->expect[id] || !status_alive(&states[id]))
			continue;
		end = tree_subtree_end(top->tree, id);
		for (j = id; j < end; j++)
			states[j].state = NS_UNRESPONSIVE;
		id = end - 1;
	}
	return (states);
}

/* Answer a status request; with mark, the silent are unresponsive. */
static void
status_answer(struct pending *p, int mark)
{
	struct ctl_client	*cl = p->cl;
	struct nstate		*states;
	struct msg_buf		 mb;
	char			*mask = NULL, *out, *s, *nl;
	int			*ids = p->nodes, argc = p->nnodes;
	int			 i, n, id, line, end, health;
	int64_t			 now = proc_wall_ms();

	if (ctl_closing(cl))
		return;
	if (p->timer != NULL)
		evtimer_del(p->timer);
	states = status_states(p, mark);
	/* With paths, only the named subtrees count (and show). */
	if (argc > 0) {
		mask = xcalloc(top->tree->nnodes, 1);
		for (i = 0; i < argc; i++) {
			end = tree_subtree_end(top->tree, ids[i]);
			memset(mask + ids[i], 1, end - ids[i]);
		}
	}
	health = render_health_of(top->tree, states, mask);
	if (p->quiet)
		goto done;
	if (p->json) {
		msg_buf_init(&mb);
		msg_put_bytes(&mb, "[", 1);
		for (id = 0, n = 0; id < top->tree->nnodes; id++) {
			if (mask != NULL && !mask[id])
				continue;
			out = render_json_node(top->tree, id, &states[id], now);
			if (n++ > 0)
				msg_put_bytes(&mb, ",", 1);
			msg_put_bytes(&mb, "\n  ", 3);
			msg_put_bytes(&mb, out, strlen(out));
			free(out);
		}
		msg_put_bytes(&mb, "\n]\n", 3);
		ctl_out(cl, (char *)mb.data, mb.len);
		msg_buf_free(&mb);
		goto done;
	}
	out = render_tree(top->tree, states, now, p->rflags);
	for (s = out, line = 0; *s != '\0'; s = nl + 1, line++) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s) - 1;
		if (mask == NULL || (line < top->tree->nnodes && mask[line]))
			ctl_out(cl, s, nl - s + 1);
		if (*nl == '\0')
			break;
	}
	free(out);
done:
	free(mask);
	free(states);
	finish(cl, health);
}

static void
status_timeout_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	status_answer(arg, 1);
}

/*
 * Whether supervisor id matters to a status of the nodes given: it shows
 * (it is in one of their subtrees) or it carries their answers (it is an
 * ancestor of one).
 */
static int
status_concerns(struct pending *p, int id)
{
	int	i;

	if (p->nnodes == 0)
		return (1);
	for (i = 0; i < p->nnodes; i++) {
		if (tree_is_ancestor(top->tree, p->nodes[i], id) ||
		    tree_is_ancestor(top->tree, id, p->nodes[i]))
			return (1);
	}
	return (0);
}

/*
 * Ping the supervisors that should be running; answer once those that
 * matter did, or at the deadline.
 */
static void
status_ping(struct pending *p)
{
	struct timeval	tv;
	int		id;

	p->seq = next_reqid++;
	if (next_reqid == 0)
		next_reqid = 1;
	p->expect = xcalloc(top->tree->nnodes, 1);
	for (id = 0; id < top->tree->nnodes; id++) {
		if (top->tree->nodes[id].kind == TREE_SUPERVISOR &&
		    status_alive(&top->mirror[id]) &&
		    status_concerns(p, id)) {
			p->expect[id] = 1;
			p->outstanding++;
		}
	}
	if (p->outstanding == 0) {
		status_answer(p, 0);
		return;
	}
	sv_ping(top, p->seq);
	p->timer = evtimer_new(top->base, status_timeout_cb, p);
	tv.tv_sec = STATUS_PING_MS / 1000;
	tv.tv_usec = (STATUS_PING_MS % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

/* Node id has answered, or is gone (it will not answer). */
static void
status_heard(struct pending *p, int id)
{
	if (p->expect == NULL || id < 0 || id >= top->tree->nnodes ||
	    !p->expect[id])
		return;
	p->expect[id] = 0;
	if (--p->outstanding == 0)
		status_answer(p, 0);
}

static void
do_status(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	struct pending	*p;
	int		 json = 0, quiet = 0, ch, *ids = NULL;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};

	/* 0: glibc re-initialises fully (argv of an earlier request is gone). */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "jq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			option_error(cl, "status", ch, argv);
			ctl_eprintf(cl, "usage: supertree status [--json] "
			    "[--quiet] [NAME] [PATH...]\n");
			finish(cl, EXIT_USAGE);
			return;
		}
	}
	argc -= optind;
	argv += optind;
	if (resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		finish(cl, EXIT_USAGE);
		return;
	}
	p = pending_new(cl, P_STATUS);
	p->nodes = ids;
	p->nnodes = argc;
	p->json = json;
	p->quiet = quiet;
	if (flags & MSG_REQ_UTF8)
		p->rflags |= RENDER_UTF8;
	if (flags & MSG_REQ_COLOR)
		p->rflags |= RENDER_COLOR;
	status_ping(p);
}

static void
do_command(struct ctl_client *cl, int argc, char **argv)
{
	struct pending	*p;
	const char	*name = argv[0];
	char		*cause = NULL;
	int		 op, ch, nowait = 0, rolling = 0, sig = 0, *ids = NULL;
	int		 i;
	static const struct option longopts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ "rolling", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};

	if (strcmp(name, "start") == 0)
		op = MSG_OP_START;
	else if (strcmp(name, "stop") == 0)
		op = MSG_OP_STOP;
	else if (strcmp(name, "restart") == 0)
		op = MSG_OP_RESTART;
	else
		op = MSG_OP_SIGNAL;
	/* 0: glibc re-initialises fully (argv of an earlier request is gone). */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		if ((ch != 'n' && (ch != 'r' || op != MSG_OP_RESTART)) ||
		    op == MSG_OP_SIGNAL) {
			option_error(cl, name, ch, argv);
			finish(cl, EXIT_USAGE);
			return;
		}
		if (ch == 'r')
			rolling = 1;
		else
			nowait = 1;
	}
	argc -= optind;
	argv += optind;
	if (op == MSG_OP_SIGNAL) {
		if (argc < 1 || value_signal(argv[0], &sig, &cause) == -1) {
			ctl_eprintf(cl, "supertree: signal: %s\n", cause ?
			    cause : "no signal given\nusage: supertree signal "
			    "SIGNAL PATH...");
			free(cause);
			finish(cl, EXIT_USAGE);
			return;
		}
		argc--;
		argv++;
	}
	if (argc == 0) {
		ctl_eprintf(cl, "supertree: %s: no node given\n", name);
		finish(cl, EXIT_USAGE);
		return;
	}
	if (resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		finish(cl, EXIT_USAGE);
		return;
	}
	if (rolling) {
		roll_start(cl, argc, ids);
		free(ids);
		return;
	}
	for (i = 0; i < argc; i++) {
		if (ids[i] == 0 && op != MSG_OP_SIGNAL) {
			ctl_eprintf(cl, "supertree: %s: the root cannot be %s "
			    "by hand: use 'supertree shutdown'\n", argv[i],
			    op == MSG_OP_START ? "started" : op == MSG_OP_STOP ?
			    "stopped" : "restarted");
			free(ids);
			finish(cl, EXIT_USAGE);
			return;
		}
	}
	p = pending_new(cl, P_CMD);
	for (i = 0; i < argc; i++) {
		if (op == MSG_OP_SIGNAL &&
		    top->tree->nodes[ids[i]].kind == TREE_SUPERVISOR) {
			/* A supervisor: every worker below it. */
			int id, end = tree_subtree_end(top->tree, ids[i]);

			for (id = ids[i] + 1; id < end; id++) {
				if (top->tree->nodes[id].kind != TREE_WORKER ||
				    top->mirror[id].pid == 0)
					continue;
				if (sv_command(top, pending_reqid(p), op, id,
				    sig, &cause) == -1) {
					p->outstanding--;
					free(cause);
					cause = NULL;
				}
			}
			continue;
		}
		if (sv_command(top, pending_reqid(p), op, ids[i], sig,
		    &cause) == -1) {
			p->outstanding--;
			p->failed = 1;
			ctl_eprintf(cl, "supertree: %s\n", cause);
			free(cause);
			cause = NULL;
		}
	}
	free(ids);
	if (nowait || p->outstanding == 0)
		finish(cl, p->failed ? EXIT_FAIL : 0);
}

/*
 * restart --rolling: the children of each supervisor named (a worker
 * named: itself), one at a time, each once the one before is up and
 * ready again (the reply to its restart). Nodes are held by path, so a
 * scale or reload meanwhile does not confuse the order; one that left
 * the tree is skipped.
 */
static void
roll_next(struct pending *p)
{
	char	*cause = NULL;
	int	 id;

	while (p->iroll < p->nroll) {
		id = tree_lookup(top->tree, p->roll[p->iroll++]);
		if (id <= 0)
			continue;
		if (sv_command(top, pending_reqid(p), MSG_OP_RESTART, id, 0,
		    &cause) == 0)
			return;
		p->outstanding--;
		ctl_eprintf(p->cl, "supertree: restart: %s\n", cause);
		free(cause);
		finish(p->cl, EXIT_FAIL);
		return;
	}
	finish(p->cl, 0);
}

static void
roll_start(struct ctl_client *cl, int argc, const int *ids)
{
	const struct tree_node	*n;
	struct pending		*p;
	int			 i, k;

	p = pending_new(cl, P_ROLL);
	for (i = 0; i < argc; i++) {
		n = &top->tree->nodes[ids[i]];
		if (n->kind == TREE_WORKER) {
			p->roll = xreallocarray(p->roll, p->nroll + 1,
			    sizeof *p->roll);
			p->roll[p->nroll++] = xstrdup(n->path);
			continue;
		}
		p->roll = xreallocarray(p->roll, p->nroll + n->nchildren + 1,
		    sizeof *p->roll);
		for (k = 0; k < n->nchildren; k++)
			p->roll[p->nroll++] = xstrdup(
			    top->tree->nodes[n->children[k]].path);
	}
	roll_next(p);
}

/*
 * Stopped, for wait: a node that has not started yet is not stopped, it
 * waits for its first start; unless a supervisor above it is down for
 * good (stopped, exited or failed), so that it will not start.
 */
static int
wait_stopped(int id)
{
	const struct nstate	*st = &top->mirror[id];
	int			 p;

	if (st->state != NS_STOPPED)
		return (0);
	if (!st->unstarted)
		return (1);
	for (p = top->tree->nodes[id].parent; p != -1;
	    p = top->tree->nodes[p].parent) {
		st = &top->mirror[p];
		if ((st->state == NS_STOPPED && !st->unstarted) ||
		    st->state == NS_EXITED || st->state == NS_FAILED)
			return (1);
	}
	return (0);
}

static int
wait_reached(int want, int id)
{
	const struct nstate	*st = &top->mirror[id];

	switch (want) {
	case WAIT_RUNNING:
		return (st->state == NS_RUNNING || st->state == NS_READY ||
		    st->state == NS_RELOADING);
	case WAIT_READY:
		/* A one-shot is never ready while it runs: done is. */
		return (st->ready || st->state == NS_DONE);
	case WAIT_STOPPED:
		return (wait_stopped(id));
	case WAIT_EXITED:
		return (st->state == NS_EXITED || st->state == NS_FAILED ||
		    st->state == NS_DONE || wait_stopped(id));
	}
	return (0);
}

static void
wait_check(struct pending *p)
{
	const struct nstate	*st;
	int			 i;

	for (i = 0; i < p->nnodes; i++) {
		st = &top->mirror[p->nodes[i]];
		if (!wait_reached(p->want, p->nodes[i])) {
			if (st->state == NS_FAILED && p->want != WAIT_EXITED) {
				ctl_eprintf(p->cl, "supertree: wait: %s "
				    "failed\n",
				    top->tree->nodes[p->nodes[i]].path);
				finish(p->cl, EXIT_FAIL);
			}
			return;
		}
	}
	finish(p->cl, 0);
}

static void
wait_timeout_cb(int fd, short what, void *arg)
{
	struct pending	*p = arg;
	int		 i, id;

	(void)fd;
	(void)what;
	for (i = 0; i < p->nnodes; i++) {
		if (!wait_reached(p->want, p->nodes[i]))
			break;
	}
	id = p->nodes[i < p->nnodes ? i : 0];
	ctl_eprintf(p->cl, "supertree: wait: timed out after %s: %s is %s\n",
	    p->timeout_text, top->tree->nodes[id].path,
	    top->mirror[id].state == NS_STOPPED && top->mirror[id].unstarted ?
	    "not started yet" : nstate_name(top->mirror[id].state));
	finish(p->cl, EXIT_TIMEOUT);
}

static void
do_wait(struct ctl_client *cl, int argc, char **argv)
{
	struct pending	*p;
	struct timeval	 tv;
	int64_t		 ms = -1;
	char		*cause = NULL;
	int		 ch, want = WAIT_READY, *ids = NULL;
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};

	/* 0: glibc re-initialises fully (argv of an earlier request is gone). */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "running") == 0)
				want = WAIT_RUNNING;
			else if (strcmp(optarg, "ready") == 0)
				want = WAIT_READY;
			else if (strcmp(optarg, "stopped") == 0)
				want = WAIT_STOPPED;
			else if (strcmp(optarg, "exited") == 0)
				want = WAIT_EXITED;
			else {
				ctl_eprintf(cl, "supertree: wait: --for "
				    "'%s': use running, ready, stopped or "
				    "exited\n", optarg);
				finish(cl, EXIT_USAGE);
				return;
			}
			break;
		case 't':
			if (value_duration(optarg, &ms, &cause) == -1) {
				ctl_eprintf(cl, "supertree: wait: --timeout: "
				    "%s\n", cause);
				free(cause);
				finish(cl, EXIT_USAGE);
				return;
			}
			break;
		default:
			option_error(cl, "wait", ch, argv);
			ctl_eprintf(cl, "usage: supertree wait [--for STATE] "
			    "[--timeout D] PATH...\n");
			finish(cl, EXIT_USAGE);
			return;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		ctl_eprintf(cl, "supertree: wait: no node given\n");
		finish(cl, EXIT_USAGE);
		return;
	}
	if (resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		finish(cl, EXIT_USAGE);
		return;
	}
	p = pending_new(cl, P_WAIT);
	p->nodes = ids;
	p->nnodes = argc;
	p->want = want;
	if (ms >= 0) {
		p->timeout_text = value_fmt_duration(ms);
		p->timer = evtimer_new(top->base, wait_timeout_cb, p);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(p->timer, &tv);
	}
	wait_check(p);
}

/*
 * logs: the dump of the last lines (-n; none for -n 0), then with -f the
 * new lines. Both commands go to the worker's supervisor one after the
 * other, so it dumps its ring and turns following on with nothing in
 * between: no line is lost or printed twice.
 */
static void
do_logs(struct ctl_client *cl, int argc, char **argv)
{
	struct pending	*p;
	char		*cause = NULL, *end;
	long		 lines = -1;
	int		 ch, follow = 0, *ids = NULL;

	/* 0: glibc re-initialises fully (argv of an earlier request is gone). */
	optind = 0;
	opterr = 0;
	while ((ch = getopt(argc, argv, ":n:f")) != -1) {
		switch (ch) {
		case 'n':
			lines = strtol(optarg, &end, 10);
			if (*end != '\0' || lines < 0 || lines > 10000000) {
				ctl_eprintf(cl, "supertree: logs: -n '%s': "
				    "not a number of lines\n", optarg);
				finish(cl, EXIT_USAGE);
				return;
			}
			break;
		case 'f':
			follow = 1;
			break;
		default:
			option_error(cl, "logs", ch, argv);
			ctl_eprintf(cl, "usage: supertree logs [-n N] [-f] "
			    "PATH\n");
			finish(cl, EXIT_USAGE);
			return;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		if (argc == 0)
			ctl_eprintf(cl, "supertree: logs: no worker given\n");
		else
			ctl_eprintf(cl, "supertree: logs: one worker at a "
			    "time ('%s' is one too many)\n", argv[1]);
		ctl_eprintf(cl, "usage: supertree logs [-n N] [-f] PATH\n");
		finish(cl, EXIT_USAGE);
		return;
	}
	if (resolve(cl, argc, argv, &ids) == -1 ||
	    top->tree->nodes[ids[0]].kind != TREE_WORKER) {
		if (ids[0] != -1)
			ctl_eprintf(cl, "supertree: logs: %s is a supervisor: "
			    "name a worker\n", argv[0]);
		free(ids);
		finish(cl, EXIT_USAGE);
		return;
	}
	/* -n 0 without -f: nothing to print, as tail -n 0 says. */
	if (lines == 0 && !follow) {
		free(ids);
		finish(cl, 0);
		return;
	}
	p = pending_new(cl, P_LOGS);
	p->nodes = ids;
	p->nnodes = 1;
	p->follow = follow;
	p->owner = top->tree->nodes[ids[0]].parent;
	p->owner_pid = top->mirror[p->owner].pid;
	/* No -n: every kept line; with -f, the last 10. */
	if (lines == -1)
		lines = follow ? 10 : 0;
	if ((lines > 0 || !follow) && sv_command(top, pending_reqid(p),
	    MSG_OP_LOGS, ids[0], (int)lines, &cause) == -1) {
		ctl_eprintf(cl, "supertree: logs: %s\n", cause);
		free(cause);
		p->follow = 0;
		finish(cl, EXIT_FAIL);
		return;
	}
	if (follow && sv_command(top, 0, MSG_OP_FOLLOW, ids[0], 1,
	    &cause) == -1) {
		ctl_eprintf(cl, "supertree: logs: %s\n", cause);
		free(cause);
		p->follow = 0;
		finish(cl, EXIT_FAIL);
	}
}

/*
 * The worker's supervisor is a new process (restarted by hand or by its
 * parent after it died): the old one took its ring and its followers
 * with it. Ask the new one for every line it has (all written by the
 * worker's new incarnation, so none was printed yet), then follow it
 * again. Called from hook_state, when the mirror shows the new pid: the
 * new supervisor's link is up by then, and commands to it are queued in
 * order. A resume's reply id replaces the previous one, so a follower of
 * a supervisor that restarts often holds two ids at most.
 */
static void
logs_resume(struct pending *p)
{
	char		*cause = NULL;
	uint32_t	 id;
	int		 i;

	p->owner_pid = top->mirror[p->owner].pid;
	id = pending_reqid(p);
	for (i = 0; i < p->nreqids - 1; i++) {
		if (p->resume_id != 0 && p->reqids[i] == p->resume_id) {
			p->reqids[i] = id;
			p->nreqids--;
			p->outstanding--;
			break;
		}
	}
	p->resume_id = id;
	if (sv_command(top, id, MSG_OP_LOGS, p->nodes[0], 0, &cause) == -1 ||
	    sv_command(top, 0, MSG_OP_FOLLOW, p->nodes[0], 1, &cause) == -1) {
		/* Gone again already: the next incarnation resumes. */
		free(cause);
	}
}

void
remote_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags,
    void *arg)
{
	const char	*name = argv[0];

	(void)arg;
	if (strcmp(name, "status") == 0)
		do_status(cl, argc, argv, flags);
	else if (strcmp(name, "start") == 0 || strcmp(name, "stop") == 0 ||
	    strcmp(name, "restart") == 0 || strcmp(name, "signal") == 0)
		do_command(cl, argc, argv);
	else if (strcmp(name, "wait") == 0)
		do_wait(cl, argc, argv);
	else if (strcmp(name, "logs") == 0)
		do_logs(cl, argc, argv);
	else if (strcmp(name, "reload") == 0) {
		/* FILE comes absolute from the client ("-" is not stdin). */
		if (argc > 2 || (argc == 2 && argv[1][0] != '/')) {
			ctl_eprintf(cl, "usage: supertree reload [NAME] "
			    "[FILE]\n");
			finish(cl, EXIT_USAGE);
		} else
			finish(cl, do_reload(cl, argc == 2 ? argv[1] : NULL));
	}
	else if (strcmp(name, "scale") == 0 || strcmp(name, "add") == 0 ||
	    strcmp(name, "remove") == 0)
		pool_request(cl, argc, argv);
	else if (strcmp(name, "events") == 0)
		pending_new(cl, P_EVENTS);
	else if (strcmp(name, "shutdown") == 0) {
		pending_new(cl, P_SHUTDOWN);
		if (!top->shutting_down)
			sv_event(top, -1, "shutting down (requested)");
		sv_shutdown(top, 0);
	} else if (strcmp(name, "ping") == 0) {
		ctl_printf(cl, "%s\n", top->tree->name);
		finish(cl, 0);
	} else {
		ctl_eprintf(cl, "supertree: unknown command '%s'\n", name);
		finish(cl, EXIT_USAGE);
	}
}

/*
 * STATUS= for systemd: counts kept up to date one node at a time, so a
 * state change costs O(1) however large the tree.
 */
static uint8_t	*counted;	/* per node: 1 up, 2 failing */
static int	 nup, nfailing, nworkers = -1;

static void
notify_state(int id)
{
	const struct nstate	*st = &top->mirror[id];
	char			 buf[128];
	int			 i, now;

	if (!notify_active())
		return;
	if (nworkers == -1) {
		counted = xcalloc(top->tree->nnodes, 1);
		for (i = 0, nworkers = 0; i < top->tree->nnodes; i++)
			nworkers += top->tree->nodes[i].kind == TREE_WORKER;
	}
	if (id >= top->tree->nnodes || top->tree->nodes[id].kind != TREE_WORKER)
		return;
	now = st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_RELOADING ? 1 :
	    st->state == NS_BACKOFF || st->state == NS_FAILED ? 2 : 0;
	if (now == counted[id])
		return;
	nup += (now == 1) - (counted[id] == 1);
	nfailing += (now == 2) - (counted[id] == 2);
	counted[id] = now;
	snprintf(buf, sizeof buf, "STATUS=%d of %d workers up%s", nup,
	    nworkers, nfailing ? ", some failing" : "");
	notify_send(buf);
}

/* A reload changes the node ids: count again from scratch. */
static void
notify_reset(void)
{
	int	i;

	free(counted);
	counted = NULL;
	nup = nfailing = 0;
	nworkers = -1;
	for (i = 0; i < top->tree->nnodes; i++)
		notify_state(i);
}

/*
 * wrap: a command that cannot run at its first start (not found, not
 * executable, not a format the kernel runs) will not heal by waiting, so
 * wrap ends at once with 127, as a shell does. Once the command has
 * started, a failed exec (the file was replaced, say) is retried as any
 * start failure. The reason comes up as the worker's error text,
 * "exec: " and strerror(3) of the errno: the root supervisor that wrote
 * it is this same program in the same (C) message locale, so comparing
 * the text is comparing the errno.
 */
static void
wrap_check(int id)
{
	const struct nstate	*st;
	const char		*why;

	if (!wrap_mode || id != 1 || wrap_ran || wrap_cannot ||
	    top->tree->nnodes < 2)
		return;
	st = &top->mirror[1];
	if (st->pid != 0) {
		wrap_ran = 1;
		return;
	}
	if (strncmp(st->error, "exec: ", 6) != 0)
		return;
	why = st->error + 6;
	if (strcmp(why, strerror(ENOENT)) != 0 &&
	    strcmp(why, strerror(EACCES)) != 0 &&
	    strcmp(why, strerror(ENOEXEC)) != 0)
		return;
	wrap_cannot = 1;
	log_warnx("wrap: %s: cannot run it: %s", top->tree->nodes[1].argv[0],
	    why);
	sv_shutdown(top, 0);
}

static void
hook_state(struct sv *sv, int id)
{
	struct pending	*p, *tp;
	char		*json;

	(void)sv;
	TAILQ_FOREACH_SAFE(p, &pendings, entry, tp) {
		if (ctl_closing(p->cl))
			continue;
		if (p->kind == P_WAIT)
			wait_check(p);
		else if (p->kind == P_STATUS &&
		    !status_alive(&top->mirror[id]))
			status_heard(p, id);
		else if (p->kind == P_LOGS && p->follow && p->owner == id &&
		    top->mirror[id].pid != 0 &&
		    top->mirror[id].pid != p->owner_pid)
			logs_resume(p);
		else if (p->kind == P_EVENTS) {
			json = render_json_node(top->tree, id, &top->mirror[id],
			    proc_wall_ms());
			ctl_printf(p->cl, "%s\n", json);
			free(json);
		}
	}
	wrap_check(id);
	if (!notified_ready && id == 0 && top->mirror[0].ready) {
		notified_ready = 1;
		notify_send("READY=1");
	}
	notify_state(id);
}

static void
hook_reply(struct sv *sv, uint32_t reqid, int status, const char *text)
{
	struct pending	*p;

	(void)sv;
	if ((p = pending_by_reqid(reqid)) == NULL || ctl_closing(p->cl))
		return;
	if (status != 0) {
		p->failed = 1;
		if (text != NULL && *text != '\0')
			ctl_eprintf(p->cl, "supertree: %s\n", text);
	}
	/* A resume's error: the next incarnation of the supervisor resumes. */
	if (p->kind == P_LOGS && status != 0 && p->follow &&
	    reqid == p->resume_id)
		return;
	if (p->kind == P_LOGS && status != 0) {
		p->follow = 0;
		finish(p->cl, EXIT_FAIL);
		return;
	}
	if (p->kind == P_ROLL && status != 0) {
		finish(p->cl, EXIT_FAIL);
		return;
	}
	if (--p->outstanding <= 0 && p->kind == P_CMD)
		finish(p->cl, p->failed ? EXIT_FAIL : 0);
	else if (p->outstanding <= 0 && p->kind == P_ROLL)
		roll_next(p);
}

static void
hook_pong(struct sv *sv, uint32_t seq, int id)
{
	struct pending	*p;

	(void)sv;
	TAILQ_FOREACH(p, &pendings, entry) {
		if (p->kind == P_STATUS && p->seq == seq) {
			if (!ctl_closing(p->cl))
				status_heard(p, id);
			return;
		}
	}
}

static void
hook_log(struct sv *sv, int id, int stream, const char *line)
{
	struct pending	*p;

	(void)sv;
	(void)stream;
	TAILQ_FOREACH(p, &pendings, entry) {
		if (p->kind != P_LOGS || !p->follow || p->nodes[0] != id ||
		    ctl_closing(p->cl))
			continue;
		/* A client that does not keep up loses lines, not the tree. */
		if (ctl_pending(p->cl) > 1024 * 1024) {
			p->dropped++;
			continue;
		}
		if (p->dropped > 0) {
			ctl_printf(p->cl, "[supertree: %u lines dropped]\n",
			    p->dropped);
			p->dropped = 0;
		}
		ctl_printf(p->cl, "%s\n", line);
	}
}

static void
hook_logdump(struct sv *sv, uint32_t reqid, const char *text, size_t len)
{
	struct pending	*p;

	(void)sv;
	if ((p = pending_by_reqid(reqid)) == NULL || ctl_closing(p->cl))
		return;
	ctl_out(p->cl, text, len);
	if (!p->follow)
		finish(p->cl, 0);
}

/* Print "supertree: LINE" for each line of a multi-line cause. */
static void
eprint_lines(struct ctl_client *cl, const char *cause)
{
	const char	*p = cause, *nl;

	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (cl != NULL)
			ctl_eprintf(cl, "supertree: %.*s\n", (int)(nl - p), p);
		else
			sv_event(top, -1, "reload: %.*s", (int)(nl - p), p);
		p = *nl == '\n' ? nl + 1 : nl;
	}
}

/* One reload message, to the client or (SIGHUP) to the event log. */
static void
eprint_msg(struct ctl_client *cl, const char *msg)
{
	if (cl != NULL)
		ctl_eprintf(cl, "supertree: reload: %s\n", msg);
	else
		sv_event(top, -1, "reload: %s", msg);
}

/*
 * reload (and SIGHUP): re-read the spec file, validate it, and if it is
 * good hand it down the tree. Requests that hold node ids are ended: the
 * ids change. With newfile (reload FILE, an absolute path from the
 * client), that file is read instead and, once applied, is the tree's
 * file from then on: later reloads and SIGHUP read it.
 */
static int
do_reload(struct ctl_client *cl, const char *newfile)
{
	struct tree	*nt;
	const char	*file = newfile != NULL ? newfile : top->tree->file;
	char		*text = NULL, *cause = NULL;
	size_t		 len;
	int		 i, oid, added = 0, removed = 0, changed = 0;

	if (wrap_mode) {
		eprint_msg(cl, "this tree's spec came from stdin or the "
		    "command line: there is no file to re-read");
		return (EXIT_USAGE);
	}
	if (strcmp(file, "-") == 0) {
		eprint_msg(cl, "this tree's spec came from stdin or the "
		    "command line: there is no file to re-read (name one: "
		    "supertree reload FILE)");
		return (EXIT_USAGE);
	}
	if (resolve_read(file, &text, &len, &cause) == -1 ||
	    (nt = resolve_parse(file, text, len, &cause)) == NULL ||
	    pool_rebase(&nt, &text, &len, &cause) == -1) {
		eprint_lines(cl, cause);
		eprint_msg(cl, "the new spec is not valid; the tree runs on "
		    "unchanged");
		free(cause);
		free(text);
		return (EXIT_USAGE);
	}
	for (i = 0; i < nt->nnodes; i++) {
		oid = tree_lookup(top->tree, nt->nodes[i].path);
		if (oid == -1)
			added++;
		else if (nt->nodes[i].kind != top->tree->nodes[oid].kind ||
		    (nt->nodes[i].kind == TREE_WORKER &&
		    strcmp(nt->nodes[i].digest,
		    top->tree->nodes[oid].digest) != 0))
			changed++;
	}
	for (i = 0; i < top->tree->nnodes; i++) {
		if (tree_lookup(nt, top->tree->nodes[i].path) == -1)
			removed++;
	}
	if (strcmp(nt->name, top->tree->name) != 0)
		eprint_msg(cl, "a new tree name takes effect only after a "
		    "restart");
	tree_free(nt);
	if (remote_apply(cl, text, len, 0, &cause) == -1) {
		eprint_lines(cl, cause);
		free(cause);
		free(text);
		return (EXIT_FAIL);
	}
	free(text);
	if (newfile != NULL) {
		free(top->tree->file);
		top->tree->file = xstrdup(newfile);
	}
	if (cl != NULL)
		ctl_printf(cl, "reloaded %s: %d added, %d removed, %d changed\n",
		    top->tree->name, added, removed, changed);
	sv_event(top, -1, "reloaded: %d added, %d removed, %d changed", added,
	    removed, changed);
	return (0);
}

/* The ids of the nodes a request follows, from their paths; -1: gone. */
static int
pending_refind(struct pending *p)
{
	int	i;

	for (i = 0; i < p->nnodes; i++) {
		if ((p->nodes[i] = tree_lookup(top->tree, p->paths[i])) == -1) {
			ctl_eprintf(p->cl, "supertree: %s: removed from the "
			    "tree\n", p->paths[i]);
			return (-1);
		}
	}
	if (p->kind == P_LOGS)
		p->owner = top->tree->nodes[p->nodes[0]].parent;
	return (0);
}

/*
 * Run the tree from text from now on: a reload of the file (follow 0:
 * requests that hold node ids end, as they always did) or a change by
 * scale, add or remove (follow 1: they follow their nodes by path, and
 * end only if a node left the tree). A status under way is answered
 * first, as the tree was.
 */
int
remote_apply(struct ctl_client *cl, const char *text, size_t len, int follow,
    char **cause)
{
	struct pending	*p, *tp;
	int		 i, rv;

	TAILQ_FOREACH_SAFE(p, &pendings, entry, tp) {
		if (p->cl == cl || ctl_closing(p->cl))
			continue;
		if ((p->kind == P_WAIT || p->kind == P_LOGS) && !follow) {
			ctl_eprintf(p->cl, "supertree: the tree was reloaded\n");
			finish(p->cl, EXIT_FAIL);
		} else if (p->kind == P_WAIT || p->kind == P_LOGS) {
			p->paths = xcalloc(p->nnodes, sizeof *p->paths);
			for (i = 0; i < p->nnodes; i++)
				p->paths[i] = xstrdup(
				    top->tree->nodes[p->nodes[i]].path);
		}
		/* Its node ids are about to change: answer it as it is. */
		if (p->kind == P_STATUS)
			status_answer(p, 0);
	}
	rv = sv_reload(top, text, len, -1, -1, cause);
	TAILQ_FOREACH_SAFE(p, &pendings, entry, tp) {
		if (p->paths == NULL)
			continue;
		if (rv == 0 && !ctl_closing(p->cl) && pending_refind(p) == -1)
			finish(p->cl, EXIT_FAIL);
		for (i = 0; i < p->nnodes; i++)
			free(p->paths[i]);
		free(p->paths);
		p->paths = NULL;
		if (rv == 0 && !ctl_closing(p->cl) && p->kind == P_WAIT)
			wait_check(p);
	}
	if (rv == 0)
		notify_reset();
	return (rv);
}

static void
hook_reload(struct sv *sv)
{
	(void)sv;
	(void)do_reload(NULL, NULL);
}

static void
hook_done(struct sv *sv)
{
	struct pending	*p;

	(void)sv;
	TAILQ_FOREACH(p, &pendings, entry) {
		if (ctl_closing(p->cl))
			continue;
		if (p->kind == P_WAIT)
			wait_check(p);
		if (p->kind == P_STATUS)
			status_answer(p, 0);
		/* The tree ended normally: so do the streams. */
		if (p->kind == P_SHUTDOWN)
			finish(p->cl, 0);
		/* Streams end with the tree: 0 if it ended cleanly. */
		if (p->kind == P_EVENTS || p->kind == P_LOGS)
			finish(p->cl, top->end == SV_END_OK ? 0 : EXIT_FAIL);
	}
}
