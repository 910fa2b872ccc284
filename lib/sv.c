/*
 * sv.c: a supervisor process, the executor of its children's lifecycles.
 *
 * Each child's lifecycle is a pure state machine (fsm.c): this file feeds
 * it events (its pidfd became readable, its timer fired, its readiness
 * protocol spoke, a command came, a reload) through sv_child_feed(), and
 * carries out the actions it returns (spawn, signal, arm a timer, report,
 * answer, move the plan on, fan a strategy out, give up), the way
 * s6-supervise's action table drives it. No decision about a child is
 * taken here. The order of several children (the ordered start and stop)
 * is plan.c's two cursors; sv_plan_run() feeds the children the plan's
 * events.
 *
 * Invariants:
 * - c->pid != 0 exactly while the leader is alive or a zombie we have
 *   not reaped; only then do we signal its process group.
 * - A worker is down only once its whole process group is gone: a
 *   draining worker (FSM_DRAINING) is on the drain queue, and the sweep
 *   that follows a SIGCHLD checks its group.
 * - The counts (nsatisfied, nup) follow each step of a lifecycle, so no
 *   event needs a walk over all children.
 * - Reports are coalesced: one per event fed (and its consequences),
 *   sent before any answer to a command, so a client that got its answer
 *   sees the state it caused.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dep.h"
#include "health.h"
#include "cgroup.h"
#include "log.h"
#include "msg.h"
#include "nofile.h"
#include "output.h"
#include "peer.h"
#include "notify.h"
#include "proc.h"
#include "ready.h"
#include "spawn.h"
#include "spec.h"
#include "sink.h"
#include "sv.h"
#include "sv_int.h"
#include "value.h"
#include "xmalloc.h"

static void	child_feed_ev(struct sv_child *, const struct fsm_event *);
static void	child_act(struct sv_child *, const struct fsm_action *);
static void	child_counts(struct sv_child *, enum fsm_state);
static void	child_settled(struct sv_child *);
static void	child_report(struct sv_child *);
static void	child_spawn(struct sv_child *);
static void	child_signal(struct sv_child *, int);
static void	group_send(struct sv_child *, int, int);
static void	child_say(struct sv_child *, int);
static void	child_gone(struct sv_child *);
static void	child_free_retired(struct sv_child *);
static int	child_reap(struct sv_child *);
static void	child_wipe(struct sv_child *);
static void	proc_cb(int, short, void *);
static void	timer_cb(int, short, void *);
static void	sigchld_cb(int, short, void *);
static void	sweep_cb(int, short, void *);
static void	nopid_cb(int, short, void *);
static void	sv_nopid_del(struct sv_child *);
static int	sv_chld(struct sv *, pid_t);
static void	sv_rewipe(struct sv *);
static void	sv_sweep_in(struct sv *, int64_t);
static void	sv_drain_check(struct sv *);
static void	signal_cb(int, short, void *);
static void	plan_cb(int, short, void *);
static const struct fsm *plan_fsm(void *, int);
static void	sv_fanout(struct sv *, struct sv_child *);
static void	sv_check_done(struct sv *);
static void	sv_auto_shutdown(struct sv *, struct sv_child *);

const char *
sv_node_path(struct sv *sv, int id)
{
	if (id <= 0)
		return (sv->tree->name);
	return (sv->tree->nodes[id].path);
}

/*
 * One line per event on stderr, written at once so that lines from the
 * several supervisor processes sharing stderr never mix.
 */
static void
sv_vevent(struct sv *sv, const char *path, const char *fmt, va_list ap)
{
	char		 buf[1024];
	struct tm	 tm;
	int64_t		 now = proc_wall_ms();
	time_t		 secs = now / 1000;
	int		 n, m;

	if (sv->quiet)
		return;
	localtime_r(&secs, &tm);
	n = snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d supertree: %s: ",
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now % 1000), path);
	m = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (m > 0)
		n += m;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	(void)sink_stdio_write(STDERR_FILENO, buf, n);
}

void
sv_event(struct sv *sv, int id, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sv_vevent(sv, sv_node_path(sv, id), fmt, ap);
	va_end(ap);
}

/* An event about a child, named by its own node (right across reloads). */
void
child_event(struct sv_child *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sv_vevent(c->sv, c->node->parent == -1 ? c->sv->tree->name :
	    c->node->path, fmt, ap);
	va_end(ap);
}

void
sv_event_path(struct sv *sv, const char *path, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sv_vevent(sv, path, fmt, ap);
	va_end(ap);
}

/* A child slot for node id, at index idx among its siblings. */
struct sv_child *
sv_child_new(struct sv *sv, int id, int idx)
{
	struct sv_child	*c;

	c = xcalloc(1, sizeof *c);
	c->sv = sv;
	c->id = id;
	c->idx = idx;
	c->node = &sv->tree->nodes[id];
	c->st = &sv->mirror[id];
	c->pidfd = -1;
	sv_contain_init(c);
	fsm_init(&c->fsm, 1);
	/* The counters of a node the mirror knows (a reload) go on. */
	c->fsm.restarts = c->fsm.exits = c->st->restarts;
	c->ev_timer = evtimer_new(sv->base, timer_cb, c);
	TAILQ_INIT(&c->waiters);
	if (c->node->nafter > 0)
		c->depbits = xcalloc(c->node->nafter, sizeof *c->depbits);
	if (c->node->kind == TREE_WORKER) {
		c->out = output_new(c);
		if (c->node->ready != TREE_READY_EXEC ||
		    c->node->watchdog_ms > 0)
			c->ready = svready_new(c);
		c->health = health_new(c);
	}
	return (c);
}

/* Free a child slot that is down. */
void
sv_child_free(struct sv_child *c)
{
	struct sv_waiter	*w;

	while ((w = TAILQ_FIRST(&c->waiters)) != NULL) {
		TAILQ_REMOVE(&c->waiters, w, entry);
		free(w);
	}
	if (c->satisfied)
		c->sv->nsatisfied--;
	if (c->up)
		c->sv->nup--;
	sv_cgroup_gone(c);
	if (c->wiped)
		c->sv->nwiped--;
	sv_nopid_del(c);
	event_free(c->ev_timer);
	free(c->depbits);
	output_free(c->out);
	ready_free(c->ready);
	health_free(c->health);
	free(c);
}

struct sv *
sv_new(struct event_base *base, struct tree *t, int id, int idoff,
    char *text, size_t len)
{
	struct sv		*sv;
	const struct tree_node	*node;
	int			 i, nchild;
	const int		*ids;
	int			 top = 0;

	sv = xcalloc(1, sizeof *sv);
	sv->base = base;
	sv->tree = t;
	sv->id = id;
	sv->idoff = idoff;
	sv->spec_text = text;
	sv->spec_len = len;
	sv->pidfd_room = -1;
	sv->exe = proc_self_exe();
	sv_contain_token(sv);
	/*
	 * Child supervisors run this very image, even if the file is
	 * replaced or removed while the tree runs (an upgrade): a tree never
	 * mixes versions of the link protocol.
	 */
	sv->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	sv->mirror = xcalloc(t->nnodes, sizeof *sv->mirror);
	/* Until its supervisor says otherwise, a node waits to start. */
	for (i = 0; i < t->nnodes; i++) {
		sv->mirror[i].last_exit = NSTATE_NO_EXIT;
		sv->mirror[i].unstarted = 1;
	}
	TAILQ_INIT(&sv->drainq);
	TAILQ_INIT(&sv->nopidq);
	TAILQ_INIT(&sv->retiredq);
	TAILQ_INIT(&sv->settlers);
	if (id == -1) {
		nchild = 1;
		ids = &top;
	} else {
		node = &t->nodes[id];
		sv->node = node;
		nchild = node->nchildren;
		ids = node->children;
		policy_intensity_init(&sv->intensity, node->intensity);
	}
	sv->n = nchild;
	sv->children = xcalloc(nchild, sizeof *sv->children);
	for (i = 0; i < nchild; i++)
		sv->children[i] = sv_child_new(sv, ids[i], i);
	plan_init(&sv->plan, nchild);
	sv_start_order(sv);
	svdep_init(sv);
	sv->ev_plan = event_new(base, -1, 0, plan_cb, sv);
	sv->ev_sweep = evtimer_new(base, sweep_cb, sv);
	sv->ev_nopid = evtimer_new(base, nopid_cb, sv);
	return (sv);
}

/* Every worker's output file, reopened (SIGUSR1, reload, logs --reopen). */
void
sv_outputs_reopen(struct sv *sv)
{
	int	i;

	for (i = 0; i < sv->n; i++)
		output_reopen(sv->children[i]->out);
}

/*
 * The order of the start (and, reversed, of the stop): file order unless
 * the supervisor starts in parallel and its children's subtrees wait for
 * each other (dep_order).
 */
void
sv_start_order(struct sv *sv)
{
	int	*order;

	if (sv->node == NULL || !sv->node->parallel)
		return;
	order = xcalloc(sv->n > 0 ? sv->n : 1, sizeof *order);
	dep_order(sv->tree, sv->id, order);
	plan_set_order(&sv->plan, 1, order);
	free(order);
}

/*
 * Feed one event to a child's lifecycle and carry out what it returns.
 * The actions of one event may feed more (a spawn feeds its outcome, a
 * fan-out feeds the siblings, a shutdown feeds everyone); the report,
 * the plan's turn and a retired slot's freeing wait until the outermost
 * feed of this child is done, so each happens once.
 */
void
sv_child_feed(struct sv_child *c, enum fsm_ev type,
    const struct policy_exit *ex, int group)
{
	struct fsm_event	 e;

	memset(&e, 0, sizeof e);
	e.type = type;
	if (ex != NULL)
		e.ex = *ex;
	/* For a retire, the same argument says whether it is held. */
	if (type == FSM_EV_RETIRE)
		e.hold = group;
	else
		e.group = group;
	child_feed_ev(c, &e);
}

static void
child_feed_ev(struct sv_child *c, const struct fsm_event *ep)
{
	struct sv		*sv = c->sv;
	struct fsm_event	 e = *ep;
	enum fsm_ev		 type = e.type;
	struct fsm_ctx		 x;
	struct fsm_out		 o;
	enum fsm_state		 was = c->fsm.state;
	int			 i;

	memset(&x, 0, sizeof x);
	x.node = c->node;
	x.sup = sv->node;
	x.shutting_down = sv->shutting_down;
	x.deps_met = c->depbits == NULL || svdep_met(c);
	x.now_ms = proc_mono_ms();
	/* Only an end can restart: only then is the window looked at. */
	if (sv->node != NULL && (type == FSM_EV_EXIT || type == FSM_EV_GONE ||
	    type == FSM_EV_SPAWN_FAILED))
		x.intensity_full = policy_intensity_full(&sv->intensity,
		    sv->node->intensity, sv->node->period_ms, x.now_ms);
	fsm_step(&c->fsm, &x, &e, &o);
	child_counts(c, was);
	/* Liveness checks follow the run (before its report goes up). */
	if (c->health != NULL)
		health_follow(c->health, &c->fsm);
	if (fsm_has(&o, FSM_A_REPORT))
		c->dirty = 1;
	c->feeding++;
	for (i = 0; i < o.n; i++)
		child_act(c, &o.a[i]);
	if (--c->feeding == 0)
		child_settled(c);
}

/* The counts and the drain queue follow the lifecycle, step by step. */
static void
child_counts(struct sv_child *c, enum fsm_state was)
{
	struct sv	*sv = c->sv;
	int		 sat, up;

	sat = !c->fsm.retired && fsm_satisfied(&c->fsm);
	if (sat != c->satisfied) {
		c->satisfied = sat;
		sv->nsatisfied += sat ? 1 : -1;
	}
	up = fsm_is_up(&c->fsm);
	if (up != c->up) {
		c->up = up;
		sv->nup += up ? 1 : -1;
	}
	if (was != FSM_DRAINING && c->fsm.state == FSM_DRAINING)
		TAILQ_INSERT_TAIL(&sv->drainq, c, drain_entry);
	else if (was == FSM_DRAINING && c->fsm.state != FSM_DRAINING)
		TAILQ_REMOVE(&sv->drainq, c, drain_entry);
}

static void
child_act(struct sv_child *c, const struct fsm_action *a)
{
	struct sv	*sv = c->sv;
	struct timeval	 tv;

	switch (a->type) {
	case FSM_A_SPAWN:
		child_spawn(c);
		break;
	case FSM_A_SIGNAL:
		child_signal(c, (int)a->arg);
		break;
	case FSM_A_ARM:
		tv.tv_sec = a->arg / 1000;
		tv.tv_usec = (a->arg % 1000) * 1000;
		evtimer_add(c->ev_timer, &tv);
		break;
	case FSM_A_DISARM:
		evtimer_del(c->ev_timer);
		break;
	case FSM_A_REPLY_UP:
	case FSM_A_REPLY_DOWN:
		/* The state first: whoever gets the answer may look. */
		if (c->dirty && !TAILQ_EMPTY(&c->waiters)) {
			c->dirty = 0;
			child_report(c);
		}
		if (a->type == FSM_A_REPLY_DOWN)
			sv_child_replies(c, 0, 0, NULL);
		else if (a->arg == 0)
			sv_child_replies(c, 1, 0, NULL);
		else
			sv_child_refuse(c, (int)a->arg,
			    "ended before it was ready");
		break;
	case FSM_A_REPORT:
		c->dirty = 1;
		break;
	case FSM_A_REPLAN:
		c->replan = 1;
		break;
	case FSM_A_QUEUE_START:
	case FSM_A_UNQUEUE:
	case FSM_A_QUEUE_STOP:
		/* A retired slot's index is no longer its own. */
		if (c->fsm.retired)
			break;
		if (a->type == FSM_A_QUEUE_START)
			plan_queue_start(&sv->plan, c->idx);
		else if (a->type == FSM_A_UNQUEUE)
			plan_unqueue(&sv->plan, c->idx);
		else
			plan_queue_stop(&sv->plan, c->idx);
		if (a->type != FSM_A_UNQUEUE)
			c->replan = 1;
		break;
	case FSM_A_FANOUT:
		sv_fanout(sv, c);
		break;
	case FSM_A_COUNT:
		(void)policy_intensity_add(&sv->intensity, sv->node->intensity,
		    sv->node->period_ms, proc_mono_ms());
		sv_send_info(sv);
		break;
	case FSM_A_ESCALATE:
		sv_shutdown(sv, (int)a->arg);
		break;
	case FSM_A_SIGNIFICANT:
		sv_auto_shutdown(sv, c);
		break;
	case FSM_A_WIPE:
		child_wipe(c);
		break;
	case FSM_A_FREE:
		c->dofree = 1;
		break;
	case FSM_A_SAY:
		child_say(c, (int)a->arg);
		break;
	}
}

/* The outermost feed of a child is done: report, free, plan. */
static void
child_settled(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	struct sv_child	*heir;

	if (c->dofree) {
		heir = c->heir;
		child_free_retired(c);
		if (heir != NULL)
			sv_child_feed(heir, FSM_EV_OLD_GONE, NULL, 0);
		sv_plan_run(sv);
		return;
	}
	if (c->dirty) {
		c->dirty = 0;
		child_report(c);
	}
	sv_ready_check(sv);
	if (c->replan) {
		c->replan = 0;
		sv_plan_run(sv);
	}
}

/* The mirror shows what the lifecycle says; then up the tree it goes. */
static void
child_report(struct sv_child *c)
{
	struct nstate	*st = c->st;
	int		 state = fsm_nstate(&c->fsm, c->node);
	int64_t		 left;

	if (c->fsm.retired)
		return;
	if (st->state != state)
		st->since_ms = proc_wall_ms();
	st->state = state;
	st->ready = c->fsm.ready;
	st->manual = c->fsm.manual;
	st->unstarted = fsm_unstarted(&c->fsm);
	st->cause = c->fsm.cause;
	st->restarts = c->fsm.restarts;
	if (c->fsm.state == FSM_WAITING)
		svdep_text(c, st->waiting, sizeof st->waiting);
	else
		st->waiting[0] = '\0';
	if (c->fsm.state == FSM_HELD || c->fsm.state == FSM_BACKOFF) {
		left = c->fsm.due_ms - proc_mono_ms();
		st->next_ms = proc_wall_ms() + (left > 0 ? left : 0);
	} else
		st->next_ms = 0;
	c->reports++;
	sv_report(c->sv, c->id);
}

/*
 * The supervisor is ready when every child is satisfied: said up the
 * tree when that changes (a child's step, or a reload that took a child
 * away or added one).
 */
void
sv_ready_check(struct sv *sv)
{
	int	ready = sv->nsatisfied == sv->n;

	if (ready != sv->ready) {
		sv->ready = ready;
		sv_send_info(sv);
	}
}

/* Report a node's state to the parent (or to the control socket). */
void
sv_report(struct sv *sv, int id)
{
	struct msg_buf	mb;

	if (sv->up != NULL) {
		msg_buf_init(&mb);
		msg_put_state(&mb, id + sv->idoff, &sv->mirror[id]);
		peer_send_buf(sv->up, MSG_STATE, &mb);
	}
	if (sv->dep != NULL)
		svdep_state(sv, id);
	if (sv->hooks.state != NULL)
		sv->hooks.state(sv, id);
}

void
sv_send_info(struct sv *sv)
{
	struct msg_buf	mb;
	int64_t		times[NSTATE_NTIMES] = { 0 }, mono, wall;
	int		used = 0, i, n;

	if (sv->up == NULL || sv->node == NULL)
		return;
	mono = proc_mono_ms();
	wall = proc_wall_ms();
	used = policy_intensity_used(&sv->intensity, sv->node->period_ms,
	    mono);
	/* The newest restarts' times, so the count shown can age. */
	n = policy_intensity_times(&sv->intensity, sv->node->period_ms, mono,
	    times, NSTATE_NTIMES);
	for (i = 0; i < n; i++)
		times[i] = wall - (mono - times[i]);
	msg_buf_init(&mb);
	msg_put_u32(&mb, sv->id + sv->idoff);
	msg_put_u8(&mb, sv->ready);
	msg_put_u32(&mb, used);
	msg_put_times(&mb, times);
	peer_send_buf(sv->up, MSG_SVINFO, &mb);
}

/* The lifecycle asked for a process: spawn it and say how it went. */
static void
child_spawn(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	char		*cause = NULL;
	int		 rv;

	if (c->node->kind == TREE_WORKER)
		rv = svspawn_worker(c, &cause);
	else
		rv = svspawn_supervisor(c, &cause);
	if (rv == -1) {
		snprintf(c->st->error, sizeof c->st->error, "%s", cause);
		child_event(c, "start failed: %s", cause);
		free(cause);
		sv_child_feed(c, FSM_EV_SPAWN_FAILED, NULL, 0);
		return;
	}
	c->st->error[0] = '\0';
	c->st->status[0] = '\0';
	c->st->pid = c->pid;
	c->st->started_ms = proc_wall_ms();
	/*
	 * Without a pidfd (valgrind knows no pidfd_open; or no room for
	 * one: nofile.c) the SIGCHLD sweep reaps it by pid: correct, only
	 * later.
	 */
	if (c->pidfd != -1) {
		sv->npidfd++;
		c->ev_proc = event_new(sv->base, c->pidfd, EV_READ, proc_cb,
		    c);
		event_add(c->ev_proc, NULL);
	} else {
		TAILQ_INSERT_TAIL(&sv->nopidq, c, nopid_entry);
		c->in_nopidq = 1;
		sv->nnopid++;
	}
	pidmap_put(&sv->pids, c->pid, c);
	sv_contain_spawned(c);
	child_event(c, "started pid %d", (int)c->pid);
	sv_child_feed(c, FSM_EV_SPAWNED, NULL, 0);
}

/* A readiness protocol says the worker is ready (ready.c). */
void
sv_child_ready(struct sv_child *c)
{
	if (c->pid != 0)
		sv_child_feed(c, FSM_EV_READY, NULL, 0);
}

/*
 * A liveness check failed (health.c: unhealthy, watchdog, max_memory):
 * the worker stops, with sig first if not 0, and its end is a crash.
 */
void
sv_child_fail(struct sv_child *c, int sig)
{
	struct policy_exit	ex;

	if (c->pid == 0)
		return;
	memset(&ex, 0, sizeof ex);
	ex.signo = sig;
	sv_child_feed(c, FSM_EV_FAIL, &ex, 0);
}

/* EXTEND_TIMEOUT_USEC= from a starting worker (ready.c). */
void
sv_child_extend(struct sv_child *c, int64_t ms)
{
	struct fsm_event	e;

	memset(&e, 0, sizeof e);
	e.type = FSM_EV_EXTEND;
	e.ms = ms;
	child_feed_ev(c, &e);
}

/* STATUS= text from a worker (ready.c). */
void
sv_child_status(struct sv_child *c, const char *text)
{
	snprintf(c->st->status, sizeof c->st->status, "%s", text);
	sv_report(c->sv, c->id);
}

void
sv_group_signal(struct sv_child *c, int sig)
{
	group_send(c, sig, 0);
}

/*
 * The leader, its group, and (contain.c) whatever of the worker left the
 * group; with cont, each then gets SIGCONT so that a stopped one sees it.
 */
static void
group_send(struct sv_child *c, int sig, int cont)
{
	pid_t	pg = c->pid != 0 ? c->pid : c->pgid;

	/*
	 * Where pidfd_send_signal is not available (an old valgrind, a
	 * seccomp filter), kill(2) is just as safe here: the child is ours
	 * and unreaped, so its pid cannot have been reused.
	 */
	/*
	 * A worker's leader leads its group (setsid, and a session leader
	 * cannot leave its group): killpg reaches it, once. A signal through
	 * its pidfd as well would be a second one, and a shell that ran its
	 * trap for the first before the second came would run it twice.
	 */
	if (c->pid != 0 && !(c->node->kind == TREE_WORKER && pg > 0) &&
	    (c->pidfd == -1 || (proc_pidfd_signal(c->pidfd, sig) == -1 &&
	    errno != ESRCH)))
		kill(c->pid, sig);
	/* Only for a worker: its group is its own (setsid). */
	if (c->node->kind == TREE_WORKER && pg > 0) {
		killpg(pg, sig);
		if (cont)
			killpg(pg, SIGCONT);
	}
	if (cont && c->pid != 0 && c->pidfd != -1)
		(void)proc_pidfd_signal(c->pidfd, SIGCONT);
	if (sig == SIGKILL)
		sv_cgroup_kill(c);
	(void)sv_contain(c, sig, cont);
}

/* A stop signal, then SIGCONT so that a stopped group sees it. */
static void
child_signal(struct sv_child *c, int sig)
{
	group_send(c, sig, c->node->kind == TREE_WORKER && sig != SIGKILL &&
	    sig != SIGCONT);
}

/* The lifecycle's event lines, worded stably. */
static void
child_say(struct sv_child *c, int say)
{
	struct sv	*sv = c->sv;
	const char	*name;
	char		*d, *p;
	int64_t		 now;

	switch (say) {
	case FSM_SAY_STOPPING:
		name = value_signame(c->fsm.sig);
		child_event(c, "stopping (SIG%s)", name != NULL ? name : "?");
		break;
	case FSM_SAY_STOPPED:
		child_event(c, "stopped");
		break;
	case FSM_SAY_RETIRED:
		sv_event_path(sv, c->node->path, "stopped (reload)");
		break;
	case FSM_SAY_READY:
		child_event(c, "ready");
		break;
	case FSM_SAY_NOT_READY:
		d = value_fmt_duration(c->node->start_timeout_ms);
		snprintf(c->st->error, sizeof c->st->error,
		    "not ready within %s", d);
		child_event(c, "not ready within %s", d);
		free(d);
		break;
	case FSM_SAY_KILLING:
		d = value_fmt_duration(c->node->shutdown_ms);
		child_event(c, "still running after %s, sending SIGKILL", d);
		free(d);
		break;
	case FSM_SAY_RESTARTING:
		d = value_fmt_duration(c->fsm.delay_ms);
		if (sv->node->intensity == TREE_UNLIMITED)
			child_event(c, "restarting in %s, restart %u", d,
			    c->fsm.restarts);
		else {
			now = proc_mono_ms();
			p = value_fmt_duration(sv->node->period_ms);
			child_event(c, "restarting in %s, restart %d of %ld "
			    "within %s", d, policy_intensity_used(
			    &sv->intensity, sv->node->period_ms, now),
			    sv->node->intensity, p);
			free(p);
		}
		free(d);
		break;
	case FSM_SAY_MAX_RESTARTS:
		child_event(c, "failed: max_restarts %ld reached",
		    c->node->max_restarts);
		break;
	case FSM_SAY_GAVE_UP:
		p = value_fmt_duration(sv->node->period_ms);
		sv_event(sv, sv->id, "gave up: more than %ld restarts in %s",
		    sv->node->intensity, p);
		free(p);
		break;
	case FSM_SAY_TREE_FAILED:
		child_event(c, "the tree failed");
		break;
	case FSM_SAY_WAITING:
		svdep_text(c, c->st->waiting, sizeof c->st->waiting);
		child_event(c, "waiting for %s", c->st->waiting);
		break;
	}
}

static void
proc_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)child_reap(arg);
}

/*
 * The leader ended: collect its status through the pidfd, tell the
 * lifecycle how it ended and whether its process group lives on.
 */
static int
child_reap(struct sv_child *c)
{
	struct sv		*sv = c->sv;
	struct policy_exit	 ex;
	siginfo_t		 si;
	const char		*name;
	int			 group;

	memset(&si, 0, sizeof si);
	if (c->pid == 0 || waitid(c->pidfd != -1 ? P_PIDFD : P_PID,
	    c->pidfd != -1 ? (id_t)c->pidfd : (id_t)c->pid, &si, WEXITED |
	    WNOHANG) == -1 || si.si_pid == 0)
		return (0);
	/* Take its last reports before anything else (see peer_drain). */
	if (c->link != NULL)
		peer_drain(c->link);
	if (c->ev_proc != NULL)
		event_free(c->ev_proc);
	c->ev_proc = NULL;
	if (c->pidfd != -1) {
		close(c->pidfd);
		sv->npidfd--;
	}
	c->pidfd = -1;
	sv_nopid_del(c);
	pidmap_del(&sv->pids, c->pid);
	c->pgid = c->pid;
	c->pid = 0;
	/*
	 * st->pid stays the group's id until the group is gone, so that if we
	 * die meanwhile our parent can still kill what is left (child_wipe).
	 */
	output_drain(c->out);
	ready_stop(c->ready);
	memset(&ex, 0, sizeof ex);
	if (si.si_code == CLD_EXITED) {
		ex.code = si.si_status;
		c->st->last_exit = si.si_status;
		child_event(c, "exited code %d", si.si_status);
	} else {
		ex.signaled = 1;
		ex.signo = si.si_status;
		c->st->last_exit = -si.si_status;
		name = value_signame(si.si_status);
		child_event(c, "killed by SIG%s", name ? name : "?");
	}
	if (sv_cgroup_oom(c)) {
		child_event(c, "out of memory: killed by the kernel's OOM "
		    "killer (memory.events oom_kill)");
		snprintf(c->st->error, sizeof c->st->error,
		    "killed by the OOM killer");
	}
	/*
	 * Only a worker's group is its own (setsid); and what left the group
	 * is the worker's too (contain.c).
	 */
	group = c->node->kind == TREE_WORKER && (killpg(c->pgid, 0) == 0 ||
	    sv_cgroup_populated(c) || sv_contain(c, 0, 0) > 0);
	if (!group)
		child_gone(c);
	sv_child_feed(c, FSM_EV_EXIT, &ex, group);
	return (1);
}

/* The leader and its whole group are gone: release what they held. */
static void
child_gone(struct sv_child *c)
{
	c->pgid = 0;
	c->st->pid = 0;
	sv_cgroup_gone(c);
	if (c->link != NULL) {
		peer_free(c->link);
		c->link = NULL;
	}
	output_ended(c->out);
}

/*
 * A supervisor child died without stopping its subtree (a crash or
 * SIGKILL): kill what we know of the subtree from the mirror. Its workers'
 * leaders already got SIGKILL (PDEATHSIG) and, like its own child
 * supervisors, were reparented to us, so their pids are still ours to
 * signal until we reap them. What ran is marked killed by SIGKILL, with an
 * event, so that no stale exit status stays on show.
 */
static void
child_wipe(struct sv_child *c)
{
	struct sv		*sv = c->sv;
	const struct tree	*t = sv->tree;
	struct nstate		*st;
	int			 i, end = tree_subtree_end(t, c->id);

	/* Its subtree is reparented to us: sweep at the next SIGCHLDs. */
	if (sv->orphans != SV_ORPHANS_ALWAYS)
		sv->orphans = 1;
	sv_contain_wipe(c);
	sv_cgroup_wipe(c);
	if (!c->wiped) {
		c->wiped = 1;
		sv->nwiped++;
	}
	for (i = c->id + 1; i < end; i++) {
		st = &sv->mirror[i];
		if (st->pid > 0) {
			if (t->nodes[i].kind == TREE_WORKER)
				killpg(st->pid, SIGKILL);
			else
				kill(st->pid, SIGKILL);
			st->last_exit = -SIGKILL;
			sv_event_path(sv, t->nodes[i].path, "killed by SIGKILL "
			    "with its supervisor %s", c->node->path);
		}
		if (st->state != NS_STOPPED || st->pid != 0 || st->unstarted) {
			st->pid = 0;
			st->ready = 0;
			st->unstarted = 0;
			st->state = NS_STOPPED;
			st->since_ms = proc_wall_ms();
			sv_report(sv, i);
		}
	}
}

/* A retired slot is down: it goes, and whoever waited for it may start. */
static void
child_free_retired(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	struct sv_child	*next;
	char		*why;

	TAILQ_REMOVE(&sv->retiredq, c, retired_entry);
	if (c->heir != NULL)
		c->heir->pred = NULL;
	if (c->pred != NULL)
		c->pred->heir = NULL;
	/*
	 * Removed ones stop in turn (reload.c): the next stops now, unless
	 * this one ended before its turn (then the one before it is still
	 * stopping, and the next waits for that one instead).
	 */
	/* Commands still waiting on it get their answer: it is gone. */
	if (!TAILQ_EMPTY(&c->waiters)) {
		xasprintf(&why, "%s: taken out by a reload (changed or "
		    "removed)", c->node->path);
		sv_child_replies(c, 0, 0, NULL);
		sv_child_replies(c, 1, 1, why);
		free(why);
	}
	next = c->next_retire;
	if (next != NULL)
		next->prev_retire = c->prev_retire;
	if (c->prev_retire != NULL) {
		c->prev_retire->next_retire = next;
		next = NULL;
	}
	sv_child_free(c);
	if (next != NULL)
		sv_child_feed(next, FSM_EV_RETIRE, NULL, 0);
	if (TAILQ_EMPTY(&sv->retiredq))
		sv_settled(sv);
}

/*
 * one_for_all, rest_for_one: the siblings the strategy takes down
 * (policy_fanout), in the order they stop; the plan then stops them and
 * starts everyone again in order.
 */
static void
sv_fanout(struct sv *sv, struct sv_child *c)
{
	int	*stop, *start, nstop, nstart, i;

	stop = xcalloc(sv->n, sizeof *stop);
	start = xcalloc(sv->n, sizeof *start);
	if (policy_fanout(sv->node->strategy, sv->n, c->idx, stop, &nstop,
	    start, &nstart) == 0) {
		for (i = 0; i < nstop; i++)
			sv_child_feed(sv->children[stop[i]], FSM_EV_STRATEGY,
			    NULL, 0);
	}
	free(stop);
	free(start);
}

static void
sv_auto_shutdown(struct sv *sv, struct sv_child *c)
{
	int	i;

	(void)c;
	if (sv->node == NULL || sv->shutting_down)
		return;
	if (sv->node->auto_shutdown == TREE_AUTO_ANY) {
		sv_event(sv, sv->id, "auto_shutdown: significant child %s "
		    "ended", c->node->path);
		sv_shutdown(sv, 0);
		return;
	}
	if (sv->node->auto_shutdown != TREE_AUTO_ALL)
		return;
	for (i = 0; i < sv->n; i++) {
		if (sv->children[i]->node->significant &&
		    (sv->children[i]->fsm.want_up ||
		    fsm_is_up(&sv->children[i]->fsm)))
			return;
	}
	sv_event(sv, sv->id, "auto_shutdown: all significant children ended");
	sv_shutdown(sv, 0);
}

static void
timer_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sv_child_feed(arg, FSM_EV_TIMER, NULL, 0);
}

/*
 * Answer the commands waiting for the child to come up with a failure
 * (status: MSG_REPLY_FAILED, or MSG_REPLY_NEVER_RAN), said as "PATH: why"
 * (its error, or dflt): a start of several nodes tells which one failed.
 */
void
sv_child_refuse(struct sv_child *c, int status, const char *dflt)
{
	char	*why;

	xasprintf(&why, "%s: %s", c->node->path, c->st->error[0] != '\0' ?
	    c->st->error : dflt);
	sv_child_replies(c, 1, status, why);
	free(why);
}

/* Reply to the commands waiting on this child. */
void
sv_child_replies(struct sv_child *c, int up, int status, const char *text)
{
	struct sv_waiter	*w, *tw;
	struct msg_buf		 mb;
	struct sv		*sv = c->sv;

	TAILQ_FOREACH_SAFE(w, &c->waiters, entry, tw) {
		if (w->up != up)
			continue;
		TAILQ_REMOVE(&c->waiters, w, entry);
		if (sv->up != NULL) {
			msg_buf_init(&mb);
			msg_put_u32(&mb, w->reqid);
			msg_put_u32(&mb, (uint32_t)status);
			msg_put_str(&mb, text);
			peer_send_buf(sv->up, MSG_REPLY, &mb);
		}
		if (sv->hooks.reply != NULL)
			sv->hooks.reply(sv, w->reqid, status, text);
		free(w);
	}
}

static const struct fsm *
plan_fsm(void *arg, int i)
{
	struct sv	*sv = arg;

	return (&sv->children[i]->fsm);
}

/*
 * The plan's turn: feed the children what the plan says, until it waits.
 * A feed that asks for the plan meanwhile finds it running and leaves it
 * to this loop.
 */
void
sv_plan_run(struct sv *sv)
{
	enum plan_op	op;
	int		i;

	if (sv->in_plan)
		return;
	sv->in_plan = 1;
	sv->plan_starts = 0;
	for (;;) {
		op = plan_next(&sv->plan, plan_fsm, sv, sv->shutting_down, &i);
		if (op == PLAN_STOP) {
			sv_child_feed(sv->children[i], FSM_EV_PLAN_STOP, NULL,
			    0);
			continue;
		}
		if (op != PLAN_START)
			break;
		/*
		 * Start at most SV_STARTS_PER_TURN children per turn of the
		 * loop, so that signals, commands and other children's ends
		 * are served during a long start-up.
		 */
		if (sv->plan_starts++ == SV_STARTS_PER_TURN) {
			event_active(sv->ev_plan, EV_TIMEOUT, 0);
			break;
		}
		sv_child_feed(sv->children[i], FSM_EV_PLAN_START, NULL, 0);
	}
	sv->in_plan = 0;
	sv_check_done(sv);
}

/* The plan's next turn, after the loop has served everything else. */
static void
plan_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sv_plan_run(arg);
}

/* A shutdown is complete once nothing is up; then the process exits. */
static void
sv_check_done(struct sv *sv)
{
	if (!sv->shutting_down || sv->plan.stop_hi >= 0 || sv->nup > 0 ||
	    !TAILQ_EMPTY(&sv->retiredq))
		return;
	sv_contain_final(sv);
	/* A loopexit before the loop runs would be forgotten: flag it. */
	sv->finished = 1;
	/*
	 * Not loopbreak: what this turn made active must run first. A peer
	 * freed now is only released by libevent's finalizer in the loop,
	 * which a loopbreak would skip (valgrind saw its buffers left).
	 */
	event_base_loopexit(sv->base, NULL);
}

void
sv_shutdown(struct sv *sv, int failed)
{
	int	i;

	if (failed)
		sv->end = SV_END_FAILED;
	if (sv->shutting_down) {
		sv_plan_run(sv);
		return;
	}
	sv->shutting_down = 1;
	if (sv->id == -1)
		notify_send("STOPPING=1");
	plan_stop_all(&sv->plan);
	/* One plan turn for all, after every child heard it. */
	sv->in_plan++;
	for (i = 0; i < sv->n; i++)
		sv_child_feed(sv->children[i], FSM_EV_SHUTDOWN, NULL, 0);
	sv->in_plan--;
	sv_plan_run(sv);
}

/* Kill everything at once (a second SIGINT). */
void
sv_kill_all(struct sv *sv)
{
	int	i;

	sv->shutting_down = 1;
	plan_stop_all(&sv->plan);
	sv->in_plan++;
	for (i = sv->n - 1; i >= 0; i--)
		sv_child_feed(sv->children[i], FSM_EV_KILL, NULL, 0);
	sv->in_plan--;
	/* No order to keep: nothing waits for anything. */
	sv->plan.stop_hi = -1;
	sv_check_done(sv);
}

/*
 * SIGCHLD, read from a signalfd so that each comes with the pid that sent
 * it. Our own children are reaped through their pidfds as they end (a
 * SIGCHLD of theirs only reaps them sooner, if their pidfd has not been
 * read yet); anything else is an orphan reparented to us (we are a
 * subreaper), reaped here by its pid. None of this walks our children.
 *
 * A full sweep (waitid(P_ALL), which walks the kernel's list of all our
 * children: about a microsecond each) runs only when an unknown child can
 * exist: an orphan was just reaped (others may have died with it), a
 * worker is draining (its group's zombies keep the group alive until
 * reaped), a child supervisor died (its subtree is ours now), or our
 * children have no pidfds (valgrind, or no room for them: nofile.c).
 * SIGCHLD is a standard signal: one
 * that comes while another is pending is lost. So an orphan that dies at
 * the very moment one of our children does could go unseen: a lazy sweep,
 * at most one per SV_LAZY_MS and only after a SIGCHLD (never when idle),
 * reaps it.
 */
static void
sigchld_cb(int fd, short what, void *arg)
{
	struct sv		*sv = arg;
	struct signalfd_siginfo	 si[16];
	struct timeval		 tv;
	ssize_t			 n;
	size_t			 i;
	int			 orphan = 0;

	(void)what;
	while ((n = read(fd, si, sizeof si)) > 0) {
		for (i = 0; i < (size_t)n / sizeof si[0]; i++)
			orphan |= sv_chld(sv, (pid_t)si[i].ssi_pid);
	}
	if (orphan || sv->orphans || !TAILQ_EMPTY(&sv->drainq) ||
	    sv->nnopid > SV_NOPID_MAX)
		sv_sweep_in(sv, SV_SWEEP_MS);
	else
		sv_sweep_in(sv, SV_LAZY_MS);
	if (sv->nnopid > 0 && sv->nnopid <= SV_NOPID_MAX &&
	    !evtimer_pending(sv->ev_nopid, NULL)) {
		tv.tv_sec = 0;
		tv.tv_usec = SV_SWEEP_MS * 1000;
		evtimer_add(sv->ev_nopid, &tv);
	}
}

/*
 * Our children without a pidfd (no room for one: nofile.c), reaped by
 * pid: the SIGCHLD of one that ended while another SIGCHLD was pending
 * was lost. A few hundred waitid(P_PID) cost less than walking the
 * kernel's list of all our children (waitid(P_ALL)), which a large
 * supervisor would do after every SIGCHLD; more than SV_NOPID_MAX go
 * through that walk (sigchld_cb).
 */
static void
nopid_cb(int fd, short what, void *arg)
{
	struct sv	*sv = arg;
	struct sv_child	*c, *tc;
	siginfo_t	 si;

	(void)fd;
	(void)what;
	TAILQ_FOREACH_SAFE(c, &sv->nopidq, nopid_entry, tc) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == c->pid)
			(void)child_reap(c);
	}
	sv_drain_check(sv);
}

/* A child no longer runs without a pidfd. */
static void
sv_nopid_del(struct sv_child *c)
{
	if (!c->in_nopidq)
		return;
	TAILQ_REMOVE(&c->sv->nopidq, c, nopid_entry);
	c->in_nopidq = 0;
	c->sv->nnopid--;
}

/* A child sent SIGCHLD: 1 if it was an orphan (reaped here), else 0. */
static int
sv_chld(struct sv *sv, pid_t pid)
{
	struct sv_child	*c;
	siginfo_t	 si;

	if (pid <= 0)
		return (0);
	c = pidmap_get(&sv->pids, pid);
	if (c != NULL && c->pid == pid) {
		(void)child_reap(c);
		return (0);
	}
	if (c != NULL && ready_probe_pid(c->ready) == pid) {
		(void)ready_probe_reap(c->ready);
		return (0);
	}
	if (c != NULL && health_probe_pid(c->health) == pid) {
		(void)health_probe_reap(c->health);
		return (0);
	}
	/* Not ours to account for: an orphan, reaped by its pid. */
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 &&
	    si.si_pid == pid) {
		sv_rewipe(sv);
		return (1);
	}
	return (0);
}

/*
 * An orphan was reaped: if it was a supervisor of a subtree we wiped (a
 * grandchild supervisor outlives its parent by a moment), what it held
 * came to us as it died, after the wipe's scan; wipe again. Only when a
 * wipe happened (nwiped), and only orphans are looked at: a restarted
 * supervisor's subtree is below it, known, and never touched.
 */
static void
sv_rewipe(struct sv *sv)
{
	int	i;

	for (i = 0; sv->nwiped > 0 && i < sv->n; i++) {
		if (sv->children[i]->wiped)
			sv_contain_wipe(sv->children[i]);
	}
}

/* Sweep within ms (sooner if one is due sooner already). */
static void
sv_sweep_in(struct sv *sv, int64_t ms)
{
	struct timeval	tv;
	int64_t		due = proc_mono_ms() + ms;

	if (evtimer_pending(sv->ev_sweep, NULL) && sv->sweep_due <= due)
		return;
	sv->sweep_due = due;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(sv->ev_sweep, &tv);
}

/*
 * Reap every zombie child: ours through child_reap (so that its status
 * goes to the right place; WNOWAIT lets us look first), the others here.
 * Then check the draining groups.
 */
static void
sweep_cb(int fd, short what, void *arg)
{
	struct sv	*sv = arg;
	struct sv_child	*c;
	siginfo_t	 si;
	int		 n;

	(void)fd;
	(void)what;
	/*
	 * At most SV_REAPS_PER_TURN, then on at the next turn: children that
	 * crash as fast as we restart them (a restart starts in the same
	 * turn) must not keep us here.
	 */
	for (n = 0; n < SV_REAPS_PER_TURN; n++) {
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1 ||
		    si.si_pid == 0)
			break;
		c = pidmap_get(&sv->pids, si.si_pid);
		if (c != NULL && c->pid == si.si_pid && child_reap(c))
			continue;
		if (c != NULL && ready_probe_pid(c->ready) == si.si_pid &&
		    ready_probe_reap(c->ready))
			continue;
		if (c != NULL && health_probe_pid(c->health) == si.si_pid &&
		    health_probe_reap(c->health))
			continue;
		/* An orphan reparented to us (or a stray): reap it here. */
		if (waitpid(si.si_pid, NULL, WNOHANG) > 0)
			sv_rewipe(sv);
	}
	if (n == SV_REAPS_PER_TURN)
		sv_sweep_in(sv, 0);
	/* A child supervisor's remains are reaped now. */
	else if (sv->orphans > 0 && sv->orphans != SV_ORPHANS_ALWAYS)
		sv->orphans = 0;
	sv_drain_check(sv);
}

/* A draining worker whose group is gone is down. O(draining). */
static void
sv_drain_check(struct sv *sv)
{
	struct sv_child	*c, *tc;

	TAILQ_FOREACH_SAFE(c, &sv->drainq, drain_entry, tc) {
		if (killpg(c->pgid, 0) == -1 && errno == ESRCH &&
		    !sv_cgroup_populated(c) &&
		    sv_contain(c, c->fsm.sig == SIGKILL ? SIGKILL : 0, 0) == 0) {
			child_gone(c);
			sv_child_feed(c, FSM_EV_GONE, NULL, 0);
		}
	}
}

static void
signal_cb(int sig, short what, void *arg)
{
	struct sv	*sv = arg;
	struct sv_child	*c;
	int		 i;

	(void)what;
	switch (sig) {
	case SIGINT:
		if (sv->id == -1 && ++sv->sigints >= 2) {
			sv_event(sv, -1, "second interrupt: killing "
			    "everything");
			sv->end = SV_END_INTERRUPTED;
			sv_kill_all(sv);
			break;
		}
		/* FALLTHROUGH */
	case SIGTERM:
		/* Below the top, SIGTERM is our parent's stop: it said so. */
		if (!sv->shutting_down && sv->id == -1 && sig == SIGINT)
			sv_event(sv, sv->id, "shutting down (SIGINT): "
			    "interrupt again to kill everything at once");
		else if (!sv->shutting_down && (sv->id == -1 ||
		    sig != SIGTERM))
			sv_event(sv, sv->id, "shutting down (SIG%s)",
			    value_signame(sig));
		sv_shutdown(sv, 0);
		break;
	case SIGHUP:
		if (sv->id == -1 && sv->hooks.reload != NULL) {
			sv->hooks.reload(sv);
			break;
		}
		/* FALLTHROUGH */
	case SIGUSR1:
		/* Reopen output files here and in every supervisor below. */
		sv_outputs_reopen(sv);
		for (i = 0; i < sv->n; i++) {
			c = sv->children[i];
			if (c->node->kind == TREE_SUPERVISOR && c->pid != 0)
				sv_group_signal(c, SIGUSR1);
		}
		break;
	}
}

static void
sv_signals(struct sv *sv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	sigset_t	 chld;
	size_t		 i;
	int		 fd;

	signal(SIGPIPE, SIG_IGN);
	/* A log file over RLIMIT_FSIZE is a failed write, not our death. */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sv->ev_sig[i] = evsignal_new(sv->base, sigs[i], signal_cb, sv);
		evsignal_add(sv->ev_sig[i], NULL);
	}
	/*
	 * SIGCHLD is blocked and read from a signalfd, for the pid each one
	 * carries. spawn.c unblocks everything in a child before its exec.
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	sv->ev_chld = event_new(sv->base, fd, EV_READ | EV_PERSIST,
	    sigchld_cb, sv);
	event_add(sv->ev_chld, NULL);
	/* As PID 1, anything may be reparented to us. */
	if (getpid() == 1)
		sv->orphans = SV_ORPHANS_ALWAYS;
}

/* Room for our children's descriptors (nofile.c). */
static void
sv_nofile(struct sv *sv)
{
	if (sv->id == -1)
		nofile_init(NULL);
	nofile_budget(sv);
}

/*
 * Run the loop until the supervisor is done. linkfd is the link to the
 * parent (-1 for the top). Returns the exit status.
 */
enum sv_end
sv_run(struct sv *sv, int linkfd)
{
	int	fl;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sv_signals(sv);
	sv_nofile(sv);
	if (linkfd != -1) {
		proc_set_nonblock(linkfd);
		sv->up = peer_new(sv->base, linkfd, svlink_up_dispatch, svlink_up_lost, sv);
	}
	if (sv->n == 0 && sv->id != -1) {
		sv->ready = 1;
		sv_send_info(sv);
	}
	sv_plan_run(sv);
	if (!sv->finished)
		event_base_dispatch(sv->base);
	if (sv->hooks.done != NULL)
		sv->hooks.done(sv);
	/* The tree's cgroup, empty now that everything is down. */
	if (sv->id == -1 && sv->cgdir != NULL)
		cgroup_tree_remove(sv->cgdir);
	/* Let the last reports reach the parent before we exit. */
	if (sv->up != NULL && peer_pending(sv->up) > 0) {
		fl = fcntl(peer_fd(sv->up), F_GETFL);
		fcntl(peer_fd(sv->up), F_SETFL, fl & ~O_NONBLOCK);
		peer_flush_blocking(sv->up);
	}
	return (sv->end);
}
