/*
 * svready.c: the supervisor's side of a worker's readiness (ready.c).
 * ready.c knows nothing of struct sv or struct sv_child: it calls back
 * through the struct ready_host filled in here, with the child slot as
 * its argument. What a worker says on its notify socket lands here:
 * readiness and reloads go to the slot's lifecycle (sv.c), watchdog
 * keep-alives to its health checks (health.c).
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "health.h"
#include "ready.h"
#include "sv.h"
#include "sv_int.h"

static const struct tree_node *
svready_node(void *arg, int *id)
{
	struct sv_child	*c = arg;

	if (id != NULL)
		*id = c->id;
	return (c->node);
}

static pid_t
svready_leader(void *arg)
{
	struct sv_child	*c = arg;

	return (c->pid);
}

static int
svready_is_ready(void *arg)
{
	struct sv_child	*c = arg;

	return (c->st->ready);
}

static int
svready_reloading(void *arg)
{
	struct sv_child	*c = arg;

	return (c->fsm.reloading);
}

static void
svready_ready(void *arg)
{
	sv_child_ready(arg);
}

static void
svready_said(void *arg, enum ready_said what, int64_t ms, const char *text)
{
	struct sv_child	*c = arg;

	switch (what) {
	case READY_SAID_RELOADED:
		sv_child_ready(c);
		break;
	case READY_SAID_STATUS:
		sv_child_status(c, text);
		break;
	case READY_SAID_RELOADING:
		sv_child_feed(c, FSM_EV_RELOADING, NULL, 0);
		break;
	case READY_SAID_KEEPALIVE:
		health_keepalive(c->health);
		break;
	case READY_SAID_TRIGGER:
		health_trigger(c->health);
		break;
	case READY_SAID_WATCHDOG:
		health_watchdog_set(c->health, ms);
		break;
	case READY_SAID_EXTEND:
		sv_child_extend(c, ms);
		break;
	}
}

static void
svready_event(void *arg, const char *text)
{
	child_event(arg, "%s", text);
}

static const char *
svready_error(void *arg)
{
	struct sv_child	*c = arg;

	return (c->st->error);
}

static void
svready_set_error(void *arg, const char *text)
{
	struct sv_child	*c = arg;

	snprintf(c->st->error, sizeof c->st->error, "%s", text);
}

static void
svready_report(void *arg)
{
	struct sv_child	*c = arg;

	sv_report(c->sv, c->id);
}

/* A probe sees what the worker sees (not our NOTIFY_SOCKET). */
static void
svready_probe_req(void *arg, struct spawn_req *req)
{
	sv_worker_req(arg, req, NULL);
}

/* A probe is reaped by the supervisor's sweep: it finds the slot so. */
static void
svready_probe_pid(void *arg, pid_t pid, int running)
{
	struct sv_child	*c = arg;

	if (running)
		pidmap_put(&c->sv->pids, pid, c);
	else
		pidmap_del(&c->sv->pids, pid);
}

/* Does a sibling wait for readiness at the same address? */
static int
svready_shares_port(void *arg)
{
	struct sv_child		*c = arg;
	const struct tree_node	*n = c->node, *o;
	struct sv		*sv = c->sv;
	int			 i;

	for (i = 0; i < sv->n; i++) {
		o = sv->children[i]->node;
		if (sv->children[i] == c || o->kind != TREE_WORKER ||
		    o->ready != TREE_READY_TCP || o->ready_port != n->ready_port)
			continue;
		if ((o->ready_host == NULL) == (n->ready_host == NULL) &&
		    (o->ready_host == NULL ||
		    strcmp(o->ready_host, n->ready_host) == 0))
			return (1);
	}
	return (0);
}

static const struct ready_host svready_host = {
	.node = svready_node,
	.leader = svready_leader,
	.is_ready = svready_is_ready,
	.reloading = svready_reloading,
	.ready = svready_ready,
	.said = svready_said,
	.event = svready_event,
	.error = svready_error,
	.set_error = svready_set_error,
	.report = svready_report,
	.probe_req = svready_probe_req,
	.probe_pid = svready_probe_pid,
	.shares_port = svready_shares_port
};

/* The readiness of child slot c (a worker). */
struct ready *
svready_new(struct sv_child *c)
{
	return (ready_new(c->sv->base, &svready_host, c));
}
