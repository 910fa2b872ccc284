/*
 * logs.c: `logs [-n N] [-f] PATH`, run inside the top process: the dump
 * of a worker's last lines from its supervisor's ring, then with -f its
 * new lines as they come (remote.c's log hook), following the worker
 * across restarts of its supervisor.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "msg.h"
#include "nstate.h"
#include "remote.h"
#include "sv.h"
#include "tree.h"

/* Output queued for a follower past this is dropped, and counted. */
#define LOGS_QUEUE_MAX	(1024 * 1024)

static void	logs_resume(struct pending *);

/*
 * logs: the dump of the last lines (-n; none for -n 0), then with -f the
 * new lines. Both commands go to the worker's supervisor one after the
 * other, so it dumps its ring and turns following on with nothing in
 * between: no line is lost or printed twice.
 */
void
logs_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	const struct tree	*t = remote_tree();
	struct sv		*top = remote_top();
	struct pending		*p;
	char			*cause = NULL, *end;
	long			 lines = -1;
	int			 ch, follow = 0, *ids = NULL;

	(void)flags;
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
				remote_finish(cl, EXIT_USAGE);
				return;
			}
			break;
		case 'f':
			follow = 1;
			break;
		default:
			remote_option_error(cl, "logs", ch, argv);
			ctl_eprintf(cl, "usage: supertree logs [-n N] [-f] "
			    "PATH\n");
			remote_finish(cl, EXIT_USAGE);
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
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	if (remote_resolve(cl, argc, argv, &ids) == -1 ||
	    t->nodes[ids[0]].kind != TREE_WORKER) {
		if (ids[0] != -1)
			ctl_eprintf(cl, "supertree: logs: %s is a supervisor: "
			    "name a worker\n", argv[0]);
		free(ids);
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	/* -n 0 without -f: nothing to print, as tail -n 0 says. */
	if (lines == 0 && !follow) {
		free(ids);
		remote_finish(cl, 0);
		return;
	}
	p = remote_pending(cl, P_LOGS);
	p->nodes = ids;
	p->nnodes = 1;
	p->follow = follow;
	p->owner = t->nodes[ids[0]].parent;
	p->owner_pid = remote_mirror()[p->owner].pid;
	/* No -n: every kept line; with -f, the last 10. */
	if (lines == -1)
		lines = follow ? 10 : 0;
	if ((lines > 0 || !follow) && sv_command(top, remote_cmd_reqid(p),
	    MSG_OP_LOGS, ids[0], (int)lines, &cause) == -1) {
		ctl_eprintf(cl, "supertree: logs: %s\n", cause);
		free(cause);
		p->follow = 0;
		remote_finish(cl, EXIT_FAIL);
		return;
	}
	if (follow && sv_command(top, 0, MSG_OP_FOLLOW, ids[0], 1,
	    &cause) == -1) {
		ctl_eprintf(cl, "supertree: logs: %s\n", cause);
		free(cause);
		p->follow = 0;
		remote_finish(cl, EXIT_FAIL);
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
	struct sv	*top = remote_top();
	char		*cause = NULL;
	uint32_t	 id;
	int		 i;

	p->owner_pid = remote_mirror()[p->owner].pid;
	id = remote_cmd_reqid(p);
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

/*
 * Supervisor id changed state: if it is the one that holds this
 * follower's worker and it is a new process, follow the new one.
 */
void
logs_state(struct pending *p, int id)
{
	const struct nstate	*m = remote_mirror();

	if (p->follow && p->owner == id && m[id].pid != 0 &&
	    m[id].pid != p->owner_pid)
		logs_resume(p);
}

/* A new line of the worker this request follows. */
void
logs_line(struct pending *p, const char *line)
{
	/* A client that does not keep up loses lines, not the tree. */
	if (ctl_pending(p->cl) > LOGS_QUEUE_MAX) {
		p->dropped++;
		return;
	}
	if (p->dropped > 0) {
		ctl_printf(p->cl, "[supertree: %u lines dropped]\n",
		    p->dropped);
		p->dropped = 0;
	}
	ctl_printf(p->cl, "%s\n", line);
}

/* The follower went away: its worker's supervisor stops sending. */
void
logs_gone(struct pending *p)
{
	char	*cause = NULL;
	int	 i;

	if (!p->follow)
		return;
	for (i = 0; i < p->nnodes; i++) {
		if (sv_command(remote_top(), 0, MSG_OP_FOLLOW, p->nodes[i], 0,
		    &cause) == -1) {
			free(cause);
			cause = NULL;
		}
	}
}
