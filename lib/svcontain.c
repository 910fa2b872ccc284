/*
 * svcontain.c: a supervisor's side of containment (contain.c): who one of
 * its workers is to the /proc scan, and the sweep of what a dead child
 * supervisor's subtree left.
 *
 * The scan runs only when a worker is signalled, when its leader ends and
 * while it drains (after a SIGCHLD): never on a timer, never when idle.
 * contain = false turns it off for a worker (its process group alone is
 * its own again).
 */
#include <sys/types.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "contain.h"
#include "proc.h"
#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

static void	sv_cgroup_init(struct sv *);
static void	sv_cgroup_usage(struct sv *, int, struct nstate *);
static int	sv_contain_mine(void *, const char *);
static int	sv_contain_in(void *, const char *);
static int	sv_contain_known(void *, pid_t);
static int	sv_contain_node(void *, pid_t, int *);
static int	sv_contain_known_sv(void *, pid_t);
static int	sv_contain_ours(void *, const char *);
static void	sv_contain_kill(struct sv *, const struct contain_since *,
		    int (*)(void *, const char *), int (*)(void *, pid_t),
		    void *);

/* The tree's token for markers: the top's pid, as the top said it. */
void
sv_contain_token(struct sv *sv)
{
	char		 buf[32];
	const char	*e;

	if (sv->id == -1) {
		sv->token = (long)getpid();
		if (contain_since_now(&sv->since) == 0)
			sv->since.lo = getpid();
		snprintf(buf, sizeof buf, "%ld", sv->token);
		setenv("SUPERTREE_TREE", buf, 1);
	} else if ((e = getenv("SUPERTREE_TREE")) != NULL)
		sv->token = atol(e);
	else
		sv->token = (long)getppid();
	/* When a read of our children is dear enough to keep (contain.h). */
	sv->kids.dear = CONTAIN_DEAR;
	if ((e = getenv("SUPERTREE_CONTAIN_DEAR")) != NULL && *e != '\0')
		sv->kids.dear = atoi(e);
	sv_cgroup_init(sv);
}

/*
 * The tree's cgroup directory (cgroup.c), if it has one: `run` checked
 * that it can (and the top made it); the top hands it down to every
 * supervisor below (SUPERTREE_CGROUP), since they run in cgroups of
 * their own below it.
 */
static void
sv_cgroup_init(struct sv *sv)
{
	char	*base, *cause = NULL;
	char	*e;

	if (sv->id != -1) {
		if ((e = getenv("SUPERTREE_CGROUP")) != NULL && *e != '\0')
			sv->cgdir = xstrdup(e);
		return;
	}
	if (sv->tree->cgroup == NULL && !cgroup_needed(sv->tree))
		return;
	if ((base = cgroup_base(sv->tree->cgroup, &cause)) == NULL) {
		sv_event(sv, sv->id, "cgroup: %s", cause);
		free(cause);
		return;
	}
	sv->cgdir = cgroup_tree_dir(base, sv->token);
	free(base);
	setenv("SUPERTREE_CGROUP", sv->cgdir, 1);
}

/*
 * A supervisor child died without stopping its subtree: everything in
 * the cgroups of that subtree is killed at once (cgroup.kill), what
 * escaped its workers included.
 */
void
sv_cgroup_wipe(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	char		 dir[4096];
	int		 i, end;

	if (sv->cgdir == NULL)
		return;
	end = tree_subtree_end(sv->tree, c->id);
	for (i = c->id + 1; i < end; i++) {
		cgroup_node_dir(dir, sizeof dir, sv->cgdir, i + sv->idoff,
		    sv->tree->nodes[i].kind == TREE_WORKER);
		if (access(dir, F_OK) == 0)
			(void)cgroup_kill(dir);
	}
}

/*
 * A child is about to be spawned: its cgroup, made (and a worker's
 * limited); a supervisor's holds the supervisor alone.
 */
int
sv_cgroup_child(struct sv_child *c, char **cause)
{
	struct sv	*sv = c->sv;
	int		 gid = c->id + sv->idoff;

	if (sv->cgdir == NULL || c->cgdir != NULL)
		return (0);
	if (c->node->kind == TREE_WORKER)
		c->cgdir = cgroup_worker(sv->cgdir, gid, c->node, cause);
	else
		c->cgdir = cgroup_supervisor(sv->cgdir, gid, cause);
	if (c->cgdir == NULL)
		return (-1);
	return (0);
}

/* The top, for status: what worker id's cgroup uses, if it has one. */
static void
sv_cgroup_usage(struct sv *sv, int id, struct nstate *st)
{
	char	dir[4096];

	if (sv->cgdir == NULL)
		return;
	snprintf(dir, sizeof dir, "%s/w%d", sv->cgdir, id);
	if (cgroup_usage(dir, &st->memory, &st->cpu_usec) == 0)
		st->has_cg = 1;
}

/*
 * The worker ended: did the kernel's OOM killer end it (memory.events of
 * its cgroup, made anew for each start, counts a kill)?
 */
int
sv_cgroup_oom(struct sv_child *c)
{
	return (c->cgdir != NULL && cgroup_oom_kills(c->cgdir) > 0);
}

/* Is anything left in the worker's cgroup? */
int
sv_cgroup_populated(struct sv_child *c)
{
	return (c->cgdir != NULL && cgroup_populated(c->cgdir) == 1);
}

/* The kill: everything in the worker's cgroup at once. */
void
sv_cgroup_kill(struct sv_child *c)
{
	if (c->cgdir != NULL)
		(void)cgroup_kill(c->cgdir);
}

/* The worker is down: its cgroup goes (a later start makes it again). */
void
sv_cgroup_gone(struct sv_child *c)
{
	if (c->cgdir == NULL)
		return;
	cgroup_remove(c->cgdir);
	free(c->cgdir);
	c->cgdir = NULL;
}

/* A new child slot: a worker's marker. */
void
sv_contain_init(struct sv_child *c)
{
	if (c->node->kind == TREE_WORKER)
		contain_marker(c->marker, sizeof c->marker, c->sv->token,
		    c->id + c->sv->idoff);
}

/* A child was spawned: pids from now on may be its own. */
void
sv_contain_spawned(struct sv_child *c)
{
	c->since.lo = 0;
	if (c->node->kind == TREE_WORKER && !c->node->contain)
		return;
	if (contain_since_now(&c->since) == 0)
		c->since.lo = c->pid;
}

static int
sv_contain_mine(void *arg, const char *v)
{
	struct sv_child	*c = arg;

	return (strcmp(v, c->marker + sizeof CONTAIN_VAR) == 0);
}

static int
sv_contain_known(void *arg, pid_t pid)
{
	struct sv_child	*c = arg;

	return (pidmap_get(&c->sv->pids, pid) != NULL);
}

/*
 * The worker's processes outside its leader (its group's included): how
 * many, and with sig != 0 each is sent sig (and SIGCONT with cont).
 */
int
sv_contain(struct sv_child *c, int sig, int cont)
{
	struct contain_who	w;

	if (c->node->kind != TREE_WORKER || !c->node->contain ||
	    c->since.lo == 0)
		return (0);
	memset(&w, 0, sizeof w);
	w.self = getpid();
	w.leader = c->pid;
	w.pgid = c->pid != 0 ? c->pid : c->pgid;
	w.since = c->since;
	w.mine = sv_contain_mine;
	w.known = sv_contain_known;
	w.arg = c;
	w.kids = &c->sv->kids;
	return (contain_sweep(&w, sig, cont));
}

/* A marker of a node in the subtree of c (in the whole tree's ids)? */
static int
sv_contain_in(void *arg, const char *v)
{
	struct sv_child	*c = arg;
	struct sv	*sv = c->sv;
	int		 id, end = tree_subtree_end(sv->tree, c->id);

	if (contain_marker_id(v, sv->token, &id) == -1)
		return (0);
	return (id > c->id + sv->idoff && id < end + sv->idoff);
}

/*
 * A child supervisor died without stopping its subtree: everything of
 * its workers that came to us (their leaders, killed by PDEATHSIG, and
 * whatever escaped their groups) carries a marker of its subtree, and is
 * killed.
 */
void
sv_contain_wipe(struct sv_child *c)
{
	if (c->since.lo == 0)
		return;
	/* What it held came to us when it died: a fresh read. */
	sv_contain_kill(c->sv, &c->since, sv_contain_in, sv_contain_known, c);
}

/*
 * SIGKILL to what mine() says is ours among our orphans and below them,
 * found by a fresh read of our children.
 */
static void
sv_contain_kill(struct sv *sv, const struct contain_since *since,
    int (*mine)(void *, const char *), int (*known)(void *, pid_t),
    void *arg)
{
	struct contain_who	w;

	memset(&w, 0, sizeof w);
	w.self = getpid();
	w.since = *since;
	w.mine = mine;
	w.known = known;
	w.arg = arg;
	w.kids = &sv->kids;
	w.fresh = 1;
	(void)contain_sweep(&w, SIGKILL, 0);
}

static int
sv_contain_known_sv(void *arg, pid_t pid)
{
	struct sv	*sv = arg;

	return (pidmap_get(&sv->pids, pid) != NULL);
}

/* A marker of one of our workers (in the whole tree's ids)? */
static int
sv_contain_ours(void *arg, const char *v)
{
	struct sv	*sv = arg;
	int		 id;

	if (contain_marker_id(v, sv->token, &id) == -1)
		return (0);
	return (id >= sv->idoff && id < sv->idoff + sv->tree->nnodes);
}

/*
 * All our children are down. If a scan took a kept read of our orphans
 * (hundreds of children make a read dear: contain.h), a process of one of
 * our workers may have come to us after that read and been missed: one
 * fresh look, and whatever of our workers' is still there is killed, so
 * that nothing is left behind.
 */
void
sv_contain_final(struct sv *sv)
{
	if (!sv->kids.stale)
		return;
	sv->kids.stale = 0;
	sv_contain_kill(sv, &sv->since, sv_contain_ours, sv_contain_known_sv,
	    sv);
}

/* For contain_count: a pid's node, by the map sv_contain_count built. */
static int
sv_contain_node(void *arg, pid_t pid, int *id)
{
	intptr_t	v = (intptr_t)pidmap_get(arg, pid);

	if (v == 0)
		return (0);
	*id = (int)(v >> 2) - 1;
	return ((int)(v & 3));
}

/*
 * The top, answering status: how many processes each worker holds now
 * (states is its copy of the mirror). One scan; nothing is kept.
 */
void
sv_contain_count(struct sv *sv, struct nstate *states)
{
	struct contain_tree	 t;
	struct pidmap		 m;
	uint32_t		*counts;
	int			 i, n = sv->tree->nnodes, kind;

	memset(&m, 0, sizeof m);
	pidmap_put(&m, getpid(), (void *)(intptr_t)CONTAIN_SUPER);
	for (i = 0; i < n; i++) {
		if (states[i].pid <= 0)
			continue;
		kind = sv->tree->nodes[i].kind == TREE_WORKER ?
		    CONTAIN_LEADER : CONTAIN_SUPER;
		pidmap_put(&m, states[i].pid,
		    (void *)(intptr_t)(((i + 1) << 2) | kind));
	}
	memset(&t, 0, sizeof t);
	t.token = sv->token;
	t.since = sv->since;
	t.node_of = sv_contain_node;
	t.arg = &m;
	counts = xcalloc(n, sizeof *counts);
	contain_count(&t, counts, n);
	for (i = 0; i < n; i++) {
		if (sv->tree->nodes[i].kind != TREE_WORKER)
			continue;
		states[i].has_procs = 1;
		states[i].procs = counts[i];
		sv_cgroup_usage(sv, i, &states[i]);
	}
	free(counts);
	pidmap_free(&m);
}
