/*
 * sv.c: a supervisor process. It starts its children in order, watches
 * each through a pidfd, applies OTP's restart rules (policy.c) when one
 * ends, and stops them in reverse order.
 *
 * All work that involves several children (start-up, a strategy restart,
 * manual stop/start/restart, shutdown) goes through one "plan" made of two
 * cursors: stop_hi walks down from the highest index stopping every child
 * that must go down (one at a time: a stop completes before the next one
 * begins), then start_lo walks up starting every child of the batch that
 * must come up (one at a time: a child starts only once the one before it
 * is ready). Each cursor only moves forward, so a whole plan costs O(n)
 * and a single event costs O(1). one_for_one restarts bypass the plan:
 * they only touch the child that ended.
 *
 * Invariants:
 * - c->pid != 0 exactly while the leader is alive or a zombie we have
 *   not reaped; only then do we signal its process group.
 * - A worker is down only once its whole process group is gone (the
 *   drain queue holds workers whose leader ended but whose group did not).
 * - Every state change of a child goes through child_state(), which keeps
 *   the readiness count and reports the change up the tree.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/mman.h>

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

#include "log.h"
#include "msg.h"
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

static void	child_stop(struct sv_child *);
static int	child_reap(struct sv_child *);
static void	child_down(struct sv_child *);
static void	child_wipe(struct sv_child *);
static void	proc_cb(int, short, void *);
static void	timer_cb(int, short, void *);
static void	sigchld_cb(int, short, void *);
static void	sweep_cb(int, short, void *);
static void	signal_cb(int, short, void *);
static void	plan_step(struct sv *);
static void	plan_cb(int, short, void *);
static void	sv_check_done(struct sv *);
static void	sv_auto_shutdown(struct sv *, struct sv_child *);

const char *
node_path(struct sv *sv, int id)
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
	sv_vevent(sv, node_path(sv, id), fmt, ap);
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

void
sv_plan_run(struct sv *sv)
{
	plan_run(sv);
}

void
sv_child_stop(struct sv_child *c)
{
	child_stop(c);
}

int
sv_child_is_up(const struct sv_child *c)
{
	return (child_is_up(c));
}

void
sv_report(struct sv *sv, int id)
{
	report(sv, id);
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
	c->want_up = 1;
	c->batch = 1;
	c->ev_timer = evtimer_new(sv->base, timer_cb, c);
	TAILQ_INIT(&c->waiters);
	if (c->node->kind == TREE_WORKER) {
		c->out = output_new(sv, c);
		if (c->node->ready != TREE_READY_EXEC)
			c->ready = ready_new(sv, c);
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
	event_free(c->ev_timer);
	output_free(c->out);
	ready_free(c->ready);
	free(c);
}

struct sv *
sv_new(struct event_base *base, struct tree *t, int id, const char *text,
    size_t len)
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
	sv->spec_text = xmalloc(len + 1);
	memcpy(sv->spec_text, text, len);
	sv->spec_text[len] = '\0';
	sv->spec_len = len;
	sv->exe = proc_self_exe();
	/*
	 * Child supervisors run this very image, even if the file is
	 * replaced or removed while the tree runs (an upgrade): a tree never
	 * mixes versions of the link protocol.
	 */
	sv->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	sv->mirror = xcalloc(t->nnodes, sizeof *sv->mirror);
	for (i = 0; i < t->nnodes; i++)
		sv->mirror[i].last_exit = NSTATE_NO_EXIT;
	TAILQ_INIT(&sv->drainq);
	TAILQ_INIT(&sv->retiredq);
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
	sv->stop_hi = -1;
	sv->start_lo = 0;
	sv->ev_plan = event_new(base, -1, 0, plan_cb, sv);
	sv->ev_sweep = evtimer_new(base, sweep_cb, sv);
	return (sv);
}

int
child_is_up(const struct sv_child *c)
{
	return (c->pid != 0 || c->in_drain);
}

/*
 * A child counts as satisfied (for its supervisor's readiness) when it is
 * ready, or when it is not meant to run.
 */
void
child_state(struct sv_child *c, int state)
{
	struct sv	*sv = c->sv;
	int		 sat;

	if (c->retired)
		return;
	if (c->st->state != state)
		c->st->since_ms = proc_wall_ms();
	c->st->state = state;
	if (state != NS_RUNNING && state != NS_READY)
		c->st->ready = 0;
	sat = c->st->ready || (!c->want_up && !child_is_up(c));
	if (sat != c->satisfied) {
		c->satisfied = sat;
		sv->nsatisfied += sat ? 1 : -1;
	}
	report(sv, c->id);
	if ((sv->nsatisfied == sv->n) != sv->ready) {
		sv->ready = sv->nsatisfied == sv->n;
		sv_send_info(sv);
	}
}

/* Report a node's state to the parent (or to the control socket). */
void
report(struct sv *sv, int id)
{
	struct msg_buf	mb;

	if (sv->up != NULL) {
		msg_buf_init(&mb);
		msg_put_state(&mb, id, &sv->mirror[id]);
		peer_send_buf(sv->up, MSG_STATE, &mb);
	}
	if (sv->hooks.state != NULL)
		sv->hooks.state(sv, id);
}

void
sv_send_info(struct sv *sv)
{
	struct msg_buf	mb;
	int		used = 0;

	if (sv->up == NULL || sv->node == NULL)
		return;
	used = policy_intensity_used(&sv->intensity, sv->node->period_ms,
	    proc_mono_ms());
	msg_buf_init(&mb);
	msg_put_u32(&mb, sv->id);
	msg_put_u8(&mb, sv->ready);
	msg_put_u32(&mb, used);
	peer_send_buf(sv->up, MSG_SVINFO, &mb);
}

void
child_timer(struct sv_child *c, enum sv_timer kind, int64_t ms)
{
	struct timeval	tv;

	evtimer_del(c->ev_timer);
	c->timer = kind;
	if (kind == SV_TIMER_NONE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->ev_timer, &tv);
}

/* A memfd holding the spec, sealed, for a child supervisor to parse. */
void
child_start(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	char		*cause = NULL;
	int		 rv;

	child_timer(c, SV_TIMER_NONE, 0);
	c->delay_ms = 0;
	c->st->manual = 0;
	c->have_ex = 0;
	memset(&c->ex, 0, sizeof c->ex);
	if (c->node->kind == TREE_WORKER)
		rv = spawn_worker(c, &cause);
	else
		rv = spawn_supervisor(c, &cause);
	if (rv == -1) {
		snprintf(c->st->error, sizeof c->st->error, "%s", cause);
		child_event(c, "start failed: %s", cause);
		free(cause);
		c->ex.start_failed = 1;
		c->have_ex = 1;
		c->started_mono = proc_mono_ms();
		child_ended(c);
		return;
	}
	c->st->error[0] = '\0';
	c->st->status[0] = '\0';
	c->st->pid = c->pid;
	c->st->started_ms = proc_wall_ms();
	c->started_mono = proc_mono_ms();
	/*
	 * Without a pidfd (valgrind knows no pidfd_open) the SIGCHLD sweep
	 * reaps it by pid: correct, only later.
	 */
	if (c->pidfd != -1) {
		c->ev_proc = event_new(sv->base, c->pidfd, EV_READ, proc_cb,
		    c);
		event_add(c->ev_proc, NULL);
	}
	pidmap_put(&sv->pids, c->pid, c);
	child_event(c, "started pid %d", (int)c->pid);
	if (c->node->kind == TREE_WORKER && c->node->ready == TREE_READY_EXEC) {
		c->st->ready = 1;
		child_state(c, NS_RUNNING);
		child_ready(c);
		return;
	}
	child_state(c, NS_STARTING);
	if (c->node->kind == TREE_WORKER)
		child_timer(c, SV_TIMER_START, c->node->start_timeout_ms);
}

void
child_ready(struct sv_child *c)
{
	child_replies(c, 1, 0, NULL);
	plan_run(c->sv);
}

/* A readiness protocol says the worker is ready (ready.c). */
void
sv_child_ready(struct sv_child *c)
{
	if (c->pid == 0 || c->st->ready || c->stopping != SV_STOP_NONE)
		return;
	if (c->timer == SV_TIMER_START)
		child_timer(c, SV_TIMER_NONE, 0);
	c->st->ready = 1;
	child_event(c, "ready");
	child_state(c, NS_READY);
	child_ready(c);
}

/* STATUS= text from a worker (ready.c). */
void
sv_child_status(struct sv_child *c, const char *text)
{
	snprintf(c->st->status, sizeof c->st->status, "%s", text);
	report(c->sv, c->id);
}

void
group_signal(struct sv_child *c, int sig)
{
	pid_t	pg = c->pid != 0 ? c->pid : c->pgid;

	/*
	 * Where pidfd_send_signal is not available (an old valgrind, a
	 * seccomp filter), kill(2) is just as safe here: the child is ours
	 * and unreaped, so its pid cannot have been reused.
	 */
	if (c->pid != 0 && (c->pidfd == -1 ||
	    (proc_pidfd_signal(c->pidfd, sig) == -1 && errno != ESRCH)))
		kill(c->pid, sig);
	/* Only for a worker: its group is its own (setsid). */
	if (c->node->kind == TREE_WORKER && pg > 0)
		killpg(pg, sig);
}

static void
child_stop(struct sv_child *c)
{
	const struct tree_node	*n = c->node;
	int			 sig;

	if (!child_is_up(c))
		return;
	if (c->stopping == SV_STOP_PLAN)
		return;
	c->stopping = SV_STOP_PLAN;
	sig = n->kind == TREE_WORKER ? n->stop_signal : SIGTERM;
	if (n->shutdown_ms == TREE_SHUTDOWN_BRUTAL)
		sig = SIGKILL;
	child_event(c, "stopping (SIG%s)", value_signame(sig) ?
	    value_signame(sig) : "?");
	child_state(c, NS_STOPPING);
	group_signal(c, sig);
	if (sig != SIGKILL && sig != SIGCONT && n->kind == TREE_WORKER)
		group_signal(c, SIGCONT);
	if (sig == SIGKILL)
		c->killed = 1;
	else if (n->shutdown_ms >= 0)
		child_timer(c, SV_TIMER_KILL, n->shutdown_ms);
}

static void
proc_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)child_reap(arg);
}

/* The leader ended: collect its status through the pidfd. */
static int
child_reap(struct sv_child *c)
{
	struct sv	*sv = c->sv;
	siginfo_t	 si;
	const char	*name;

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
	if (c->pidfd != -1)
		close(c->pidfd);
	c->pidfd = -1;
	pidmap_del(&sv->pids, c->pid);
	c->pgid = c->pid;
	c->pid = 0;
	/*
	 * st->pid stays the group's id until the group is gone, so that if we
	 * die meanwhile our parent can still kill what is left (child_wipe).
	 */
	output_drain(c->out);
	ready_stop(c->ready);
	if (c->timer == SV_TIMER_START)
		child_timer(c, SV_TIMER_NONE, 0);
	memset(&c->ex, 0, sizeof c->ex);
	c->have_ex = 1;
	if (si.si_code == CLD_EXITED) {
		c->ex.code = si.si_status;
		c->st->last_exit = si.si_status;
		child_event(c, "exited code %d", si.si_status);
	} else {
		c->ex.signaled = 1;
		c->ex.signo = si.si_status;
		c->st->last_exit = -si.si_status;
		name = value_signame(si.si_status);
		child_event(c, "killed by SIG%s", name ? name : "?");
	}
	c->ex.by_us = c->stopping == SV_STOP_PLAN;
	if (c->st->state == NS_STARTING && c->node->kind == TREE_WORKER)
		c->ex.start_failed = 1;
	/* Exit 0 or 1: it stopped its subtree itself; anything else: not. */
	if (c->node->kind == TREE_SUPERVISOR &&
	    !(si.si_code == CLD_EXITED && (si.si_status == 0 ||
	    si.si_status == 1)))
		child_wipe(c);
	if (c->node->kind == TREE_WORKER && killpg(c->pgid, 0) == 0) {
		/* Its group lives on: stop what is left before anything. */
		if (c->stopping == SV_STOP_NONE) {
			c->stopping = SV_STOP_DRAIN;
			child_state(c, NS_STOPPING);
			killpg(c->pgid, c->node->stop_signal);
			killpg(c->pgid, SIGCONT);
			if (c->node->shutdown_ms == TREE_SHUTDOWN_BRUTAL)
				killpg(c->pgid, SIGKILL);
			else if (c->node->shutdown_ms >= 0)
				child_timer(c, SV_TIMER_KILL,
				    c->node->shutdown_ms);
		}
		TAILQ_INSERT_TAIL(&sv->drainq, c, drain_entry);
		c->in_drain = 1;
		return (1);
	}
	child_down(c);
	return (1);
}

/*
 * A supervisor child died without stopping its subtree (a crash or
 * SIGKILL): kill what we know of the subtree from the mirror. Its workers'
 * leaders already got SIGKILL (PDEATHSIG) and, like its own child
 * supervisors, were reparented to us, so their pids are still ours to
 * signal until we reap them.
 */
static void
child_wipe(struct sv_child *c)
{
	struct sv		*sv = c->sv;
	const struct tree	*t = sv->tree;
	struct nstate		*st;
	int			 i, end = tree_subtree_end(t, c->id);

	for (i = c->id + 1; i < end; i++) {
		st = &sv->mirror[i];
		if (st->pid > 0) {
			if (t->nodes[i].kind == TREE_WORKER)
				killpg(st->pid, SIGKILL);
			else
				kill(st->pid, SIGKILL);
		}
		if (st->state != NS_STOPPED || st->pid != 0) {
			st->pid = 0;
			st->ready = 0;
			st->state = NS_STOPPED;
			st->since_ms = proc_wall_ms();
			report(sv, i);
		}
	}
}

/* The child and its whole process group are gone. */
static void
child_down(struct sv_child *c)
{
	if (c->in_drain) {
		TAILQ_REMOVE(&c->sv->drainq, c, drain_entry);
		c->in_drain = 0;
	}
	child_timer(c, SV_TIMER_NONE, 0);
	c->pgid = 0;
	c->st->pid = 0;
	c->killed = 0;
	if (c->link != NULL) {
		peer_free(c->link);
		c->link = NULL;
	}
	output_ended(c->out);
	if (c->retired) {
		/* Removed or replaced by a reload: now it can go. */
		struct sv	*sv = c->sv;
		int		 i;

		sv_event_path(sv, c->node->path, "stopped (reload)");
		TAILQ_REMOVE(&sv->retiredq, c, retired_entry);
		for (i = 0; i < sv->n; i++) {
			if (sv->children[i]->replaces == c)
				sv->children[i]->replaces = NULL;
		}
		sv_child_free(c);
		plan_run(sv);
		return;
	}
	if (c->stopping == SV_STOP_PLAN) {
		c->stopping = SV_STOP_NONE;
		c->cycle = 0;
		child_event(c, "stopped");
		child_state(c, NS_STOPPED);
		child_replies(c, 0, 0, NULL);
		if (c->now && c->want_up && !c->sv->shutting_down) {
			/* A restart by hand: up again at once. */
			c->now = 0;
			child_start(c);
		}
		plan_run(c->sv);
		return;
	}
	c->stopping = SV_STOP_NONE;
	child_ended(c);
}

/* The child ended on its own (or could not start): apply the policy. */
void
child_ended(struct sv_child *c)
{
	struct sv		*sv = c->sv;
	const struct tree_node	*n = c->node;
	struct sv_child		*o;
	enum policy_decision	 d;
	int			 stop[1], start[1], nstop, nstart, i;
	int64_t			 run_ms, now = proc_mono_ms();
	char			*what, *delay;

	if (sv->shutting_down || !c->want_up) {
		child_state(c, NS_STOPPED);
		child_replies(c, 0, 0, NULL);
		plan_run(sv);
		return;
	}
	if (sv->id == -1) {
		/* The top: the root ended; so does supertree run. */
		if (c->ex.signaled || c->ex.code != 0) {
			child_event(c, "the tree failed");
			sv->exit_code = 1;
		}
		c->want_up = 0;
		child_state(c, c->ex.code == 0 && !c->ex.signaled ?
		    NS_EXITED : NS_FAILED);
		sv_shutdown(sv, sv->exit_code);
		return;
	}
	run_ms = now - c->started_mono;
	d = policy_decide(n, &c->ex, c->st->restarts);
	if (d == POLICY_DONE || d == POLICY_GIVE_UP) {
		c->want_up = 0;
		if (d == POLICY_GIVE_UP)
			child_event(c, "failed: max_restarts %ld reached",
			    n->max_restarts);
		child_state(c, d == POLICY_DONE ? NS_EXITED : NS_FAILED);
		child_replies(c, 1, 1, c->st->error[0] != '\0' ?
		    c->st->error : "ended before it was ready");
		if (n->significant)
			sv_auto_shutdown(sv, c);
		plan_run(sv);
		return;
	}
	child_replies(c, 1, 1, c->st->error[0] != '\0' ? c->st->error :
	    "ended before it was ready");
	if (policy_intensity_add(&sv->intensity, sv->node->intensity,
	    sv->node->period_ms, now)) {
		what = value_fmt_duration(sv->node->period_ms);
		sv_event(sv, -1 == sv->id ? -1 : sv->id,
		    "gave up: more than %ld restarts in %s",
		    sv->node->intensity, what);
		free(what);
		child_state(c, NS_FAILED);
		sv_shutdown(sv, 1);
		return;
	}
	c->st->restarts++;
	c->failures = policy_backoff_failures(n, c->failures, run_ms);
	c->delay_ms = policy_backoff(n, c->failures);
	delay = value_fmt_duration(c->delay_ms);
	what = value_fmt_duration(sv->node->period_ms);
	if (sv->node->intensity == TREE_UNLIMITED)
		child_event(c, "restarting in %s, restart %u", delay,
		    c->st->restarts);
	else
		child_event(c, "restarting in %s, restart %d of %ld "
		    "within %s", delay, policy_intensity_used(&sv->intensity,
		    sv->node->period_ms, now), sv->node->intensity, what);
	free(delay);
	free(what);
	sv_send_info(sv);
	c->st->next_ms = proc_wall_ms() + c->delay_ms;
	child_state(c, NS_BACKOFF);
	if (sv->node->strategy == TREE_ONE_FOR_ONE) {
		child_timer(c, SV_TIMER_BACKOFF, c->delay_ms);
		return;
	}
	/* one_for_all, rest_for_one: stop the others, then start in order. */
	for (i = sv->node->strategy == TREE_ONE_FOR_ALL ? 0 : c->idx + 1;
	    i < sv->n; i++) {
		o = sv->children[i];
		if (i == c->idx || !o->want_up)
			continue;
		/* As in OTP, a temporary child terminated by a restart stays
		 * terminated. */
		if (o->node->restart == TREE_TEMPORARY)
			o->want_up = 0;
		else
			o->cycle = 1;
	}
	(void)stop;
	(void)start;
	(void)nstop;
	(void)nstart;
	for (i = sv->node->strategy == TREE_ONE_FOR_ALL ? 0 : c->idx;
	    i < sv->n; i++)
		sv->children[i]->batch = sv->children[i]->want_up;
	sv->stop_hi = sv->n - 1;
	if (sv->node->strategy == TREE_ONE_FOR_ALL)
		sv->start_lo = 0;
	else if (c->idx < sv->start_lo)
		sv->start_lo = c->idx;
	plan_run(sv);
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
		    (sv->children[i]->want_up || child_is_up(sv->children[i])))
			return;
	}
	sv_event(sv, sv->id, "auto_shutdown: all significant children ended");
	sv_shutdown(sv, 0);
}

static void
timer_cb(int fd, short what, void *arg)
{
	struct sv_child	*c = arg;
	enum sv_timer	 kind = c->timer;
	char		*d;

	(void)fd;
	(void)what;
	c->timer = SV_TIMER_NONE;
	switch (kind) {
	case SV_TIMER_BACKOFF:
		c->st->next_ms = 0;
		if (c->want_up && !c->sv->shutting_down)
			child_start(c);
		break;
	case SV_TIMER_KILL:
		d = value_fmt_duration(c->node->shutdown_ms);
		child_event(c, "still running after %s, sending "
		    "SIGKILL", d);
		free(d);
		c->killed = 1;
		group_signal(c, SIGKILL);
		break;
	case SV_TIMER_START:
		d = value_fmt_duration(c->node->start_timeout_ms);
		snprintf(c->st->error, sizeof c->st->error,
		    "not ready within %s", d);
		child_event(c, "not ready within %s", d);
		free(d);
		c->stopping = SV_STOP_NONE;
		group_signal(c, SIGKILL);
		break;
	case SV_TIMER_NONE:
		break;
	}
}

/* Reply to the commands waiting on this child. */
void
child_replies(struct sv_child *c, int up, int status, const char *text)
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

/*
 * A child that must not run and is only waiting to restart (on a timer,
 * or held by the plan) is stopped at once: nothing needs to wait for it.
 */
void
child_settle(struct sv_child *c)
{
	if (c->want_up || child_is_up(c) || (c->timer != SV_TIMER_BACKOFF &&
	    c->st->state != NS_BACKOFF))
		return;
	child_timer(c, SV_TIMER_NONE, 0);
	c->delay_ms = 0;
	c->st->next_ms = 0;
	child_state(c, NS_STOPPED);
	child_replies(c, 0, 0, NULL);
}

void
plan_run(struct sv *sv)
{
	if (sv->in_plan) {
		sv->plan_again = 1;
		return;
	}
	sv->in_plan = 1;
	sv->plan_starts = 0;
	do {
		sv->plan_again = 0;
		plan_step(sv);
	} while (sv->plan_again && sv->plan_starts < SV_STARTS_PER_TURN);
	sv->in_plan = 0;
	sv_check_done(sv);
}

/* The plan's next turn, after the loop has served everything else. */
static void
plan_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	plan_run(arg);
}

static void
plan_step(struct sv *sv)
{
	struct sv_child	*c;

	for (; sv->stop_hi >= 0; sv->stop_hi--) {
		c = sv->children[sv->stop_hi];
		if (c->stopping == SV_STOP_PLAN)
			return;
		if (child_is_up(c) && (!c->want_up || c->cycle)) {
			child_stop(c);
			if (child_is_up(c))
				return;
		}
		child_settle(c);
		if (!child_is_up(c))
			c->cycle = 0;
	}
	if (sv->shutting_down)
		return;
	for (; sv->start_lo < sv->n; sv->start_lo++) {
		c = sv->children[sv->start_lo];
		if (c->batch && c->want_up && c->replaces != NULL)
			return;
		if (c->batch && c->want_up) {
			if (!child_is_up(c) && c->timer != SV_TIMER_BACKOFF) {
				if (c->delay_ms > 0) {
					child_timer(c, SV_TIMER_BACKOFF,
					    c->delay_ms);
					c->st->next_ms = proc_wall_ms() +
					    c->delay_ms;
					child_state(c, NS_BACKOFF);
					return;
				}
				/*
				 * Start at most SV_STARTS_PER_TURN children
				 * per turn of the loop, so that signals,
				 * commands and other children's ends are
				 * served during a long start-up.
				 */
				if (sv->plan_starts++ == SV_STARTS_PER_TURN) {
					event_active(sv->ev_plan, EV_TIMEOUT, 0);
					return;
				}
				child_start(c);
			}
			if (c->want_up && !c->st->ready)
				return;
		}
		c->batch = 0;
	}
}

/* A shutdown is complete once nothing is up; then the process exits. */
static void
sv_check_done(struct sv *sv)
{
	int	i;

	if (!sv->shutting_down || sv->stop_hi >= 0 ||
	    !TAILQ_EMPTY(&sv->retiredq))
		return;
	for (i = 0; i < sv->n; i++) {
		if (child_is_up(sv->children[i]))
			return;
	}
	/* A loopbreak before the loop runs would be forgotten: flag it. */
	sv->finished = 1;
	event_base_loopbreak(sv->base);
}

void
sv_shutdown(struct sv *sv, int exit_code)
{
	int	i;

	if (exit_code != 0)
		sv->exit_code = exit_code;
	if (sv->shutting_down) {
		plan_run(sv);
		return;
	}
	sv->shutting_down = 1;
	if (sv->id == -1)
		notify_send("STOPPING=1");
	for (i = 0; i < sv->n; i++) {
		sv->children[i]->want_up = 0;
		child_settle(sv->children[i]);
	}
	sv->stop_hi = sv->n - 1;
	sv->start_lo = sv->n;
	plan_run(sv);
}

/* Kill everything at once (a second SIGINT). */
void
sv_kill_all(struct sv *sv)
{
	struct sv_child	*c;
	int		 i;

	for (i = sv->n - 1; i >= 0; i--) {
		c = sv->children[i];
		if (!child_is_up(c))
			continue;
		c->want_up = 0;
		if (c->stopping == SV_STOP_NONE)
			c->stopping = SV_STOP_PLAN;
		c->killed = 1;
		group_signal(c, SIGKILL);
		if (c->node->kind == TREE_SUPERVISOR)
			child_wipe(c);
	}
	sv->shutting_down = 1;
	sv->stop_hi = -1;
	sv->start_lo = sv->n;
	sv_check_done(sv);
}

/*
 * SIGCHLD: collect every child that ended. Our own children are reaped
 * through their pidfd (so their status goes to the right place); anything
 * else is an orphan reparented to us (we are a subreaper) and is reaped
 * here. WNOWAIT lets us look before reaping.
 */
static void
sigchld_cb(int fd, short what, void *arg)
{
	struct sv	*sv = arg;
	struct timeval	 tv = { 0, SV_SWEEP_MS * 1000 };

	(void)fd;
	(void)what;
	/*
	 * Our own children are reaped through their pidfds as they end;
	 * the sweep is for orphans and for draining groups. Each sweep walks
	 * the kernel's list of all our children, so sweeps are coalesced:
	 * at most one per SV_SWEEP_MS, and only after a SIGCHLD (never when
	 * idle).
	 */
	if (!evtimer_pending(sv->ev_sweep, NULL))
		evtimer_add(sv->ev_sweep, &tv);
}

static void
sweep_cb(int fd, short what, void *arg)
{
	struct sv	*sv = arg;
	struct sv_child	*c, *tc;
	siginfo_t	 si;

	(void)fd;
	(void)what;
	for (;;) {
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
		/* An orphan reparented to us (or a stray): reap it here. */
		waitpid(si.si_pid, NULL, WNOHANG);
	}
	TAILQ_FOREACH_SAFE(c, &sv->drainq, drain_entry, tc) {
		if (killpg(c->pgid, 0) == -1 && errno == ESRCH)
			child_down(c);
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
			sv->exit_code = 130;
			sv_kill_all(sv);
			break;
		}
		/* FALLTHROUGH */
	case SIGTERM:
		/* Below the top, SIGTERM is our parent's stop: it said so. */
		if (!sv->shutting_down && (sv->id == -1 || sig != SIGTERM))
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
		output_reopen_all(sv);
		for (i = 0; i < sv->n; i++) {
			c = sv->children[i];
			if (c->node->kind == TREE_SUPERVISOR && c->pid != 0)
				proc_pidfd_signal(c->pidfd, SIGUSR1);
		}
		break;
	}
}

/* Messages from a child supervisor: state flows up. */
/* The link to a child supervisor closed: it is ending; its pidfd tells. */
/* Commands from the parent flow down. */
static void
sv_signals(struct sv *sv)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t		 i;

	signal(SIGPIPE, SIG_IGN);
	/* A log file over RLIMIT_FSIZE is a failed write, not our death. */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sv->ev_sig[i] = evsignal_new(sv->base, sigs[i],
		    sigs[i] == SIGCHLD ? sigchld_cb : signal_cb, sv);
		evsignal_add(sv->ev_sig[i], NULL);
	}
}

/*
 * Run the loop until the supervisor is done. linkfd is the link to the
 * parent (-1 for the top). Returns the exit status.
 */
int
sv_run(struct sv *sv, int linkfd)
{
	int	fl;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sv_signals(sv);
	if (linkfd != -1) {
		proc_set_nonblock(linkfd);
		sv->up = peer_new(sv->base, linkfd, up_dispatch, up_lost, sv);
	}
	if (sv->n == 0 && sv->id != -1) {
		sv->ready = 1;
		sv_send_info(sv);
	}
	plan_run(sv);
	if (!sv->finished)
		event_base_dispatch(sv->base);
	if (sv->hooks.done != NULL)
		sv->hooks.done(sv);
	/* Let the last reports reach the parent before we exit. */
	if (sv->up != NULL && peer_pending(sv->up) > 0) {
		fl = fcntl(peer_fd(sv->up), F_GETFL);
		fcntl(peer_fd(sv->up), F_SETFL, fl & ~O_NONBLOCK);
		peer_flush_blocking(sv->up);
	}
	return (sv->exit_code);
}
