/*
 * control.c: `start`, `stop`, `restart [--rolling]` and `signal`, run
 * inside the top process. Each command goes down the supervisor links to
 * the supervisor that owns the node; its reply comes back up (remote.c's
 * reply hook) and completes the client's request once every reply is in,
 * unless --no-wait said not to wait for them.
 */
#include <sys/queue.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "msg.h"
#include "nstate.h"
#include "remote.h"
#include "sv.h"
#include "tree.h"
#include "value.h"
#include "xmalloc.h"

static void	roll_start(struct ctl_client *, int, const int *);

void
control_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*m = remote_mirror();
	struct sv		*top = remote_top();
	struct pending		*p;
	const char		*name = argv[0];
	char			*cause = NULL;
	int			 op, ch, nowait = 0, rolling = 0, sig = 0;
	int			 i, *ids = NULL;
	static const struct option longopts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ "rolling", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};

	(void)flags;
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
			remote_option_error(cl, name, ch, argv);
			remote_finish(cl, EXIT_USAGE);
			return;
		}
		if (ch == 'r')
			rolling = 1;
		else
			nowait = 1;
	}
	/* The usage line's [--no-wait | --rolling]: a rolling restart waits. */
	if (rolling && nowait) {
		ctl_eprintf(cl, "supertree: restart: --no-wait and --rolling "
		    "cannot go together (a rolling restart waits for each "
		    "child)\nusage: supertree restart [--no-wait | --rolling] "
		    "PATH...\n");
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	argc -= optind;
	argv += optind;
	if (op == MSG_OP_SIGNAL) {
		if (argc < 1 || value_signal(argv[0], &sig, &cause) == -1) {
			ctl_eprintf(cl, "supertree: signal: %s\n", cause ?
			    cause : "no signal given\nusage: supertree signal "
			    "SIGNAL PATH...");
			free(cause);
			remote_finish(cl, EXIT_USAGE);
			return;
		}
		argc--;
		argv++;
	}
	if (argc == 0) {
		ctl_eprintf(cl, "supertree: %s: no node given\n", name);
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	if (remote_resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		remote_finish(cl, EXIT_USAGE);
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
			remote_finish(cl, EXIT_USAGE);
			return;
		}
	}
	p = remote_pending(cl, P_CMD);
	for (i = 0; i < argc; i++) {
		if (op == MSG_OP_SIGNAL &&
		    t->nodes[ids[i]].kind == TREE_SUPERVISOR) {
			/* A supervisor: every worker below it. */
			int id, end = tree_subtree_end(t, ids[i]);

			for (id = ids[i] + 1; id < end; id++) {
				if (t->nodes[id].kind != TREE_WORKER ||
				    m[id].pid == 0)
					continue;
				if (sv_command(top, remote_cmd_reqid(p), op, id,
				    sig, &cause) == -1) {
					p->outstanding--;
					free(cause);
					cause = NULL;
				}
			}
			continue;
		}
		if (sv_command(top, remote_cmd_reqid(p), op, ids[i], sig,
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
		remote_finish(cl, p->failed ? EXIT_FAIL : 0);
}

/*
 * restart --rolling: the children of each supervisor named (a worker
 * named: itself), one at a time, each once the one before is up and
 * ready again (the reply to its restart). Nodes are held by path, so a
 * scale or reload meanwhile does not confuse the order; one that left
 * the tree is skipped.
 */
void
control_roll_next(struct pending *p)
{
	char	*cause = NULL;
	int	 id;

	while (p->iroll < p->nroll) {
		id = tree_lookup(remote_tree(), p->roll[p->iroll++]);
		if (id <= 0)
			continue;
		if (sv_command(remote_top(), remote_cmd_reqid(p),
		    MSG_OP_RESTART, id, 0, &cause) == 0)
			return;
		p->outstanding--;
		ctl_eprintf(p->cl, "supertree: restart: %s\n", cause);
		free(cause);
		remote_finish(p->cl, EXIT_FAIL);
		return;
	}
	remote_finish(p->cl, 0);
}

static void
roll_start(struct ctl_client *cl, int argc, const int *ids)
{
	const struct tree	*t = remote_tree();
	const struct tree_node	*n;
	struct pending		*p;
	int			 i, k;

	p = remote_pending(cl, P_ROLL);
	for (i = 0; i < argc; i++) {
		n = &t->nodes[ids[i]];
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
			    t->nodes[n->children[k]].path);
	}
	control_roll_next(p);
}
