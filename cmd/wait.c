/*
 * wait.c: `wait [--for STATE] [--timeout D] PATH...`, run inside the top
 * process: it ends once every node named has reached the state, looked
 * at on each state change (remote.c's state hook), never by polling.
 */
#include <sys/queue.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cmd.h"
#include "ctl.h"
#include "nstate.h"
#include "remote.h"
#include "tree.h"
#include "value.h"

enum wait_for {
	WAIT_RUNNING,
	WAIT_READY,
	WAIT_STOPPED,
	WAIT_EXITED
};

/*
 * Stopped, for wait: a node that has not started yet is not stopped, it
 * waits for its first start; unless a supervisor above it is down for
 * good (stopped, exited or failed), so that it will not start.
 */
static int
wait_stopped(int id)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*m = remote_mirror(), *st = &m[id];
	int			 p;

	if (st->state != NS_STOPPED)
		return (0);
	if (!st->unstarted)
		return (1);
	for (p = t->nodes[id].parent; p != -1;
	    p = t->nodes[p].parent) {
		st = &m[p];
		if ((st->state == NS_STOPPED && !st->unstarted) ||
		    st->state == NS_EXITED || st->state == NS_FAILED)
			return (1);
	}
	return (0);
}

static int
wait_reached(int want, int id)
{
	const struct nstate	*st = &remote_mirror()[id];

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

void
wait_check(struct pending *p)
{
	const struct nstate	*st;
	int			 i;

	for (i = 0; i < p->nnodes; i++) {
		st = &remote_mirror()[p->nodes[i]];
		if (!wait_reached(p->want, p->nodes[i])) {
			if (st->state == NS_FAILED && p->want != WAIT_EXITED) {
				ctl_eprintf(p->cl, "supertree: wait: %s "
				    "failed\n",
				    remote_tree()->nodes[p->nodes[i]].path);
				remote_finish(p->cl, EXIT_FAIL);
			}
			return;
		}
	}
	remote_finish(p->cl, 0);
}

static void
wait_timeout_cb(int fd, short what, void *arg)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*m = remote_mirror();
	struct pending		*p = arg;
	int			 i, id;

	(void)fd;
	(void)what;
	for (i = 0; i < p->nnodes; i++) {
		if (!wait_reached(p->want, p->nodes[i]))
			break;
	}
	id = p->nodes[i < p->nnodes ? i : 0];
	ctl_eprintf(p->cl, "supertree: wait: timed out after %s: %s is %s\n",
	    p->timeout_text, t->nodes[id].path,
	    m[id].state == NS_STOPPED && m[id].unstarted ?
	    "not started yet" : nstate_name(m[id].state));
	remote_finish(p->cl, EXIT_TIMEOUT);
}

void
wait_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
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

	(void)flags;
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
				remote_finish(cl, EXIT_USAGE);
				return;
			}
			break;
		case 't':
			if (value_duration(optarg, &ms, &cause) == -1) {
				ctl_eprintf(cl, "supertree: wait: --timeout: "
				    "%s\n", cause);
				free(cause);
				remote_finish(cl, EXIT_USAGE);
				return;
			}
			break;
		default:
			remote_option_error(cl, "wait", ch, argv);
			ctl_eprintf(cl, "usage: supertree wait [--for STATE] "
			    "[--timeout D] PATH...\n");
			remote_finish(cl, EXIT_USAGE);
			return;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		ctl_eprintf(cl, "supertree: wait: no node given\n");
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	if (remote_resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	p = remote_pending(cl, P_WAIT);
	p->nodes = ids;
	p->nnodes = argc;
	p->want = want;
	if (ms >= 0) {
		p->timeout_text = value_fmt_duration(ms);
		p->timer = evtimer_new(remote_base(), wait_timeout_cb, p);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(p->timer, &tv);
	}
	wait_check(p);
}
