/*
 * status.c: `status [--json] [--quiet] [PATH...]`, answered inside the
 * top process from its mirror of the tree.
 *
 * Status is answered once every supervisor that should be running has
 * answered a ping (MSG_PING, svlink.c) or STATUS_PING_MS has passed: a
 * supervisor that does not answer in time (stopped, wedged) is shown,
 * with its subtree, as "unresponsive" rather than as whatever it last
 * reported. The ping is sent only for a status request, so an idle tree
 * never wakes up for it.
 */
#include <sys/queue.h>

#include <getopt.h>
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

/* How long status waits for the supervisors to answer its ping. */
#define STATUS_PING_MS	1000

/* Whether a supervisor's process should be there to answer a ping. */
static int
status_alive(const struct nstate *st)
{
	return (st->pid != 0 && (st->state == NS_STARTING ||
	    st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_RELOADING || st->state == NS_STOPPING));
}

/*
 * Kept from one answer to the next: a status of 10,000 nodes copies 6 MB
 * of states, and fresh memory each time cost more in page faults than
 * the copy itself. The JSON goes out in pieces of STATUS_JSON_PIECE
 * through one small buffer, kept too.
 */
#define STATUS_JSON_PIECE	65536
static struct nstate	*status_scratch;
static int		 status_scratch_n;
static struct msg_buf	 status_mb;

/*
 * The states status shows: the mirror, except that with mark, each
 * supervisor still expected to answer (and still alive by the mirror) is
 * shown unresponsive with all its subtree. In status_scratch.
 */
static struct nstate *
status_states(struct pending *p, int mark)
{
	const struct tree	*t = remote_tree();
	struct nstate		*states;
	int			 id, j, end, n = t->nnodes;

	if (n > status_scratch_n) {
		status_scratch = xreallocarray(status_scratch, n,
		    sizeof *status_scratch);
		status_scratch_n = n;
	}
	states = status_scratch;
	memcpy(states, remote_mirror(), n * sizeof *states);
	remote_holdings(states);
	for (id = 0; mark && p->expect != NULL && id < n; id++) {
		if (!p->expect[id] || !status_alive(&states[id]))
			continue;
		end = tree_subtree_end(t, id);
		for (j = id; j < end; j++)
			states[j].state = NS_UNRESPONSIVE;
		id = end - 1;
	}
	return (states);
}

/* Answer a status request; with mark, the silent are unresponsive. */
void
status_answer(struct pending *p, int mark)
{
	struct ctl_client	*cl = p->cl;
	const struct tree	*t = remote_tree();
	struct nstate		*states;
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
		mask = xcalloc(t->nnodes, 1);
		for (i = 0; i < argc; i++) {
			end = tree_subtree_end(t, ids[i]);
			memset(mask + ids[i], 1, end - ids[i]);
		}
	}
	health = render_health_of(t, states, mask);
	if (p->quiet)
		goto done;
	if (p->json) {
		status_mb.len = 0;
		msg_put_bytes(&status_mb, "[", 1);
		for (id = 0, n = 0; id < t->nnodes; id++) {
			if (mask != NULL && !mask[id])
				continue;
			out = render_json_node(t, id, &states[id], now);
			if (n++ > 0)
				msg_put_bytes(&status_mb, ",", 1);
			msg_put_bytes(&status_mb, "\n  ", 3);
			msg_put_bytes(&status_mb, out, strlen(out));
			free(out);
			if (status_mb.len >= STATUS_JSON_PIECE) {
				ctl_out(cl, (char *)status_mb.data,
				    status_mb.len);
				status_mb.len = 0;
			}
		}
		msg_put_bytes(&status_mb, "\n]\n", 3);
		ctl_out(cl, (char *)status_mb.data, status_mb.len);
		goto done;
	}
	out = render_tree(t, states, now, p->rflags);
	for (s = out, line = 0; *s != '\0'; s = nl + 1, line++) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s) - 1;
		if (mask == NULL || (line < t->nnodes && mask[line]))
			ctl_out(cl, s, nl - s + 1);
		if (*nl == '\0')
			break;
	}
	free(out);
done:
	free(mask);
	remote_finish(cl, health);
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
	const struct tree	*t = remote_tree();
	int			 i;

	if (p->nnodes == 0)
		return (1);
	for (i = 0; i < p->nnodes; i++) {
		if (tree_is_ancestor(t, p->nodes[i], id) ||
		    tree_is_ancestor(t, id, p->nodes[i]))
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
	const struct tree	*t = remote_tree();
	const struct nstate	*m = remote_mirror();
	struct timeval		 tv;
	int			 id;

	p->seq = remote_seq();
	p->expect = xcalloc(t->nnodes, 1);
	for (id = 0; id < t->nnodes; id++) {
		if (t->nodes[id].kind == TREE_SUPERVISOR &&
		    status_alive(&m[id]) &&
		    status_concerns(p, id)) {
			p->expect[id] = 1;
			p->outstanding++;
		}
	}
	if (p->outstanding == 0) {
		status_answer(p, 0);
		return;
	}
	sv_ping(remote_top(), p->seq);
	p->timer = evtimer_new(remote_base(), status_timeout_cb, p);
	tv.tv_sec = STATUS_PING_MS / 1000;
	tv.tv_usec = (STATUS_PING_MS % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

/* Node id has answered, or is gone (it will not answer). */
void
status_heard(struct pending *p, int id)
{
	if (p->expect == NULL || id < 0 || id >= remote_tree()->nnodes ||
	    !p->expect[id])
		return;
	p->expect[id] = 0;
	if (--p->outstanding == 0)
		status_answer(p, 0);
}

/* Node id changed state: a supervisor no longer alive will not answer. */
void
status_state(struct pending *p, int id)
{
	if (!status_alive(&remote_mirror()[id]))
		status_heard(p, id);
}

void
status_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
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
			remote_option_error(cl, "status", ch, argv);
			ctl_eprintf(cl, "usage: supertree status [--json] "
			    "[--quiet] [NAME] [PATH...]\n");
			remote_finish(cl, EXIT_USAGE);
			return;
		}
	}
	argc -= optind;
	argv += optind;
	if (remote_resolve(cl, argc, argv, &ids) == -1) {
		free(ids);
		remote_finish(cl, EXIT_USAGE);
		return;
	}
	p = remote_pending(cl, P_STATUS);
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
