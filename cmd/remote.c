/*
 * remote.c: the live commands (status, start, stop, restart, signal, wait,
 * logs, events, shutdown, reload, scale, add, remove), run inside the top
 * process of a tree on behalf of a client on the control socket, as tmux
 * runs its commands in its server.
 *
 * This file is their core: the table from a command's name to its
 * handler (each group of commands has a file: status.c, control.c,
 * wait.c, logs.c, reload.c, pool.c), the requests waiting for something
 * (struct pending, remote.h), and the top's hooks, which hand each state
 * change, reply or log line to the waiting requests it concerns: state
 * changes only look at the pending requests, never at the whole tree.
 * Commands go down the supervisor links to the supervisor that owns the
 * node; its reply comes back up and completes the client's request.
 */
#include <sys/queue.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cmd.h"
#include "ctl.h"
#include "msg.h"
#include "nstate.h"
#include "proc.h"
#include "remote.h"
#include "render.h"
#include "sv.h"
#include "tree.h"
#include "xmalloc.h"

TAILQ_HEAD(pendings, pending);

static struct sv	*top;
static struct pendings	 pendings = TAILQ_HEAD_INITIALIZER(pendings);
static uint32_t		 next_reqid = 1;

static void	hook_state(struct sv *, int);
static void	hook_reply(struct sv *, uint32_t, int, const char *);
static void	hook_log(struct sv *, int, int, const char *);
static void	hook_logdump(struct sv *, uint32_t, const char *, size_t);
static void	hook_done(struct sv *);
static void	hook_reload(struct sv *);
static void	hook_pong(struct sv *, uint32_t, int);
static void	pending_gone(struct ctl_client *, void *);
static void	remote_events(struct ctl_client *, int, char **, uint32_t);
static void	remote_shutdown(struct ctl_client *, int, char **, uint32_t);
static void	remote_ping(struct ctl_client *, int, char **, uint32_t);
static void	remote_pool(struct ctl_client *, int, char **, uint32_t);

/* The commands a tree runs for a client, by name. */
static const struct {
	const char	*name;
	remote_fn	 fn;
} remote_table[] = {
	{ "status", status_request },
	{ "start", control_request },
	{ "stop", control_request },
	{ "restart", control_request },
	{ "signal", control_request },
	{ "wait", wait_request },
	{ "logs", logs_request },
	{ "reload", reload_request },
	{ "scale", remote_pool },
	{ "add", remote_pool },
	{ "remove", remote_pool },
	{ "events", remote_events },
	{ "shutdown", remote_shutdown },
	{ "ping", remote_ping },
};

void
remote_init(struct sv *sv, int wrap)
{
	static const struct sv_hooks	hooks = {
		.state = hook_state,
		.reply = hook_reply,
		.log = hook_log,
		.logdump = hook_logdump,
		.done = hook_done,
		.reload = hook_reload,
		.pong = hook_pong
	};

	top = sv;
	wrap_init(wrap);
	sv_set_hooks(sv, &hooks);
}

struct pending *
remote_pending(struct ctl_client *cl, enum pending_kind kind)
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
	free(p->added);
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

	(void)cl;
	if (p == NULL)
		return;
	if (p->kind == P_LOGS)
		logs_gone(p);
	pending_free(p);
}

void
remote_finish(struct ctl_client *cl, int status)
{
	ctl_exit(cl, status);
}

/* A new request id (never 0: that is "no reply wanted"). */
uint32_t
remote_seq(void)
{
	uint32_t	id = next_reqid++;

	if (next_reqid == 0)
		next_reqid = 1;
	return (id);
}

/* For pool.c: a request that ends once its commands are answered. */
struct pending *
remote_cmd_new(struct ctl_client *cl)
{
	return (remote_pending(cl, P_CMD));
}

/* A new request id whose reply p awaits. */
uint32_t
remote_cmd_reqid(struct pending *p)
{
	uint32_t	id = remote_seq();

	p->reqids = xreallocarray(p->reqids, p->nreqids + 1,
	    sizeof *p->reqids);
	p->reqids[p->nreqids++] = id;
	p->outstanding++;
	return (id);
}

/* Send a command whose answer the request awaits; said if it fails. */
void
remote_cmd_send(struct pending *p, int op, int id)
{
	char	*cause = NULL;

	if (sv_command(top, remote_cmd_reqid(p), op, id, 0, &cause) == -1) {
		p->outstanding--;
		p->failed = 1;
		ctl_eprintf(p->cl, "supertree: %s\n", cause);
		free(cause);
	}
}

/*
 * add: the request awaits the worker it added at path; if that worker's
 * first start fails, it leaves the tree again (hook_reply).
 */
void
remote_cmd_added(struct pending *p, const char *path)
{
	free(p->added);
	p->added = xstrdup(path);
}

/* All sent: end now if nothing is awaited (or the client won't wait). */
void
remote_cmd_sent(struct pending *p, int nowait)
{
	if (nowait || p->outstanding <= 0)
		remote_finish(p->cl, p->failed ? EXIT_FAIL : 0);
}

struct sv *
remote_top(void)
{
	return (top);
}

struct event_base *
remote_base(void)
{
	return (sv_base(top));
}

const struct tree *
remote_tree(void)
{
	return (sv_tree(top));
}

const struct nstate *
remote_mirror(void)
{
	return (sv_mirror(top));
}

/* Fill in what the workers hold now (procs, cgroup use): contain.c. */
void
remote_holdings(struct nstate *states)
{
	sv_contain_count(top, states);
}

/* reload FILE: the tree's file from now on. */
void
remote_set_file(const char *path)
{
	sv_set_file(top, path);
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
void
remote_option_error(struct ctl_client *cl, const char *cmd, int ch, char **argv)
{
	char		 opt[3] = { '-', (char)optopt, '\0' };
	const char	*word = argv[optind - 1];

	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		word = opt;
	ctl_eprintf(cl, "supertree: %s: %s '%s'\n", cmd, ch == ':' ?
	    "no value given for option" : "unknown option", word);
}

/* Look up node paths; complain about the unknown ones. */
int
remote_resolve(struct ctl_client *cl, int argc, char **argv, int **ids)
{
	int	i, id, bad = 0;

	*ids = xcalloc(argc + 1, sizeof **ids);
	for (i = 0; i < argc; i++) {
		id = tree_lookup(sv_tree(top), argv[i]);
		if (id == -1) {
			ctl_eprintf(cl, "supertree: %s: no such node in tree "
			    "%s\n", argv[i], sv_tree(top)->name);
			bad = 1;
		}
		(*ids)[i] = id;
	}
	return (bad ? -1 : 0);
}

/* events: every state change from now on, as JSON lines (hook_state). */
static void
remote_events(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	(void)argc;
	(void)argv;
	(void)flags;
	remote_pending(cl, P_EVENTS);
}

/* shutdown: the client is answered once the tree is down (hook_done). */
static void
remote_shutdown(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	(void)argc;
	(void)argv;
	(void)flags;
	remote_pending(cl, P_SHUTDOWN);
	if (!sv_shutting_down(top))
		sv_event(top, -1, "shutting down (requested)");
	sv_shutdown(top, 0);
}

/* ping: the tree's name, to tell that it answers. */
static void
remote_ping(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	(void)argc;
	(void)argv;
	(void)flags;
	ctl_printf(cl, "%s\n", sv_tree(top)->name);
	remote_finish(cl, 0);
}

/* scale, add and remove: pool.c. */
static void
remote_pool(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	(void)flags;
	pool_request(cl, argc, argv);
}

void
remote_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags,
    void *arg)
{
	size_t	i;

	(void)arg;
	for (i = 0; i < sizeof remote_table / sizeof remote_table[0]; i++) {
		if (strcmp(argv[0], remote_table[i].name) == 0) {
			remote_table[i].fn(cl, argc, argv, flags);
			return;
		}
	}
	ctl_eprintf(cl, "supertree: unknown command '%s'\n", argv[0]);
	remote_finish(cl, EXIT_USAGE);
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
		else if (p->kind == P_STATUS)
			status_state(p, id);
		else if (p->kind == P_LOGS)
			logs_state(p, id);
		else if (p->kind == P_EVENTS) {
			json = render_json_node(sv_tree(top), id,
			    &sv_mirror(top)[id], proc_wall_ms());
			ctl_printf(p->cl, "%s\n", json);
			free(json);
		}
	}
	wrap_state(id);
	run_notify_state(id);
}
static void
hook_reply(struct sv *sv, uint32_t reqid, int status, const char *text)
{
	struct pending	*p;

	(void)sv;
	if ((p = pending_by_reqid(reqid)) == NULL)
		return;
	/* An added worker that never ran is taken out, as remove would. */
	if (p->added != NULL && status == MSG_REPLY_NEVER_RAN) {
		pool_add_failed(p->cl, p->added);
		free(p->added);
		p->added = NULL;
	}
	if (ctl_closing(p->cl))
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
		remote_finish(p->cl, EXIT_FAIL);
		return;
	}
	if (p->kind == P_ROLL && status != 0) {
		remote_finish(p->cl, EXIT_FAIL);
		return;
	}
	if (--p->outstanding <= 0 && p->kind == P_CMD)
		remote_finish(p->cl, p->failed ? EXIT_FAIL : 0);
	else if (p->outstanding <= 0 && p->kind == P_ROLL)
		control_roll_next(p);
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
		logs_line(p, line);
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
		remote_finish(p->cl, 0);
}

/* The ids of the nodes a request follows, from their paths; -1: gone. */
static int
pending_refind(struct pending *p)
{
	const struct tree	*t = sv_tree(top);
	int			 i;

	for (i = 0; i < p->nnodes; i++) {
		if ((p->nodes[i] = tree_lookup(t, p->paths[i])) == -1) {
			ctl_eprintf(p->cl, "supertree: %s: removed from the "
			    "tree\n", p->paths[i]);
			return (-1);
		}
	}
	if (p->kind == P_LOGS)
		p->owner = t->nodes[p->nodes[0]].parent;
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
			remote_finish(p->cl, EXIT_FAIL);
		} else if (p->kind == P_WAIT || p->kind == P_LOGS) {
			p->paths = xcalloc(p->nnodes, sizeof *p->paths);
			for (i = 0; i < p->nnodes; i++)
				p->paths[i] = xstrdup(
				    sv_tree(top)->nodes[p->nodes[i]].path);
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
			remote_finish(p->cl, EXIT_FAIL);
		for (i = 0; i < p->nnodes; i++)
			free(p->paths[i]);
		free(p->paths);
		p->paths = NULL;
		if (rv == 0 && !ctl_closing(p->cl) && p->kind == P_WAIT)
			wait_check(p);
	}
	if (rv == 0)
		run_notify_reset();
	return (rv);
}

static void
hook_reload(struct sv *sv)
{
	(void)sv;
	reload_hup();
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
			remote_finish(p->cl, 0);
		/* Streams end with the tree: 0 if it ended cleanly. */
		if (p->kind == P_EVENTS || p->kind == P_LOGS)
			remote_finish(p->cl, sv_result(top) == SV_END_OK ?
			    0 : EXIT_FAIL);
	}
}
