/*
 * fsm.c: the lifecycle of one child of a supervisor, as a pure state
 * machine: fsm_step(spec, state, event, now) -> next state + actions.
 *
 * It owns every decision about one child: when it is spawned, signalled,
 * timed, reported, restarted (through policy.c) or left down, and what its
 * supervisor must do about it (answer commands, move the plan on, apply
 * the strategy to the siblings, count a restart, give up). It makes no
 * system calls, reads no clock and keeps no globals: the time comes in the
 * context, and the actions go out in a list that sv.c carries out, the way
 * s6-supervise's action table drives it. The ordering of several children
 * (the ordered start and stop) is plan.c's; this file sees one child.
 *
 * The table below is the whole of it: one row per state, one column per
 * event, each cell the handler that runs ("-" does nothing: the event
 * cannot happen there, or no longer matters). docs/lifecycle.md has the
 * same table with each cell's effect in words.
 *
 * States (what the child's process is doing):
 *   DOWN      no process, no timer: not started yet, stopped, or ended
 *             for good (fsm.end says which)
 *   HELD      ended; a restart is decided and waits for its turn in the
 *             plan (one_for_all, rest_for_one)
 *   BACKOFF   no process; the timer counts down to the restart
 *   STARTING  spawned; not ready yet (workers: the start timer runs)
 *   UP        running (fsm.ready: and ready)
 *   STOPPING  we signalled it and wait for the leader to end (kill timer)
 *   DRAINING  the leader ended but its process group did not: the rest is
 *             being stopped before the child counts as down (kill timer)
 *   WAITING   no process: it is due to start but a node of its after
 *             list does not meet its condition yet (dep.c); DEPS_MET
 *             starts it. Every spawn goes through that gate (spawn()),
 *             so a first start, a restart and a start by hand all wait.
 *
 * Invariants:
 * - One timer per child, and the state says what it is for: BACKOFF the
 *   restart, STARTING the start timeout, STOPPING and DRAINING the kill.
 * - A child is down (fsm_is_up() false) only once its leader and its
 *   whole process group are gone.
 * - FSM_A_SPAWN is always the last action of a step: the caller carries
 *   it out and feeds SPAWNED or SPAWN_FAILED back.
 * - fsm.end is FSM_END_NONE only until the child first goes down, so
 *   "not started yet" (fsm_unstarted) is exact.
 * - A retired child never reports: its node is gone from the tree.
 *
 * Only sv.c (the executor) and the unit tests call it.
 */
#include <signal.h>
#include <string.h>

#include "fsm.h"
#include "nstate.h"
#include "policy.h"

typedef void	fsm_fn(struct fsm *, const struct fsm_ctx *,
		    const struct fsm_event *, struct fsm_out *);

static void	emit(struct fsm_out *, enum fsm_act, int64_t);
static void	report(const struct fsm *, struct fsm_out *);
static void	go_down(struct fsm *, enum fsm_end);
static void	by_hand(struct fsm *, struct fsm_out *);
static void	stop_flags(struct fsm *, struct fsm_out *);
static void	retire_flags(struct fsm *, struct fsm_out *);
static void	begin_stop(struct fsm *, const struct fsm_ctx *,
		    struct fsm_out *);
static void	spawn(struct fsm *, const struct fsm_ctx *, struct fsm_out *);
static void	begin_stop_sig(struct fsm *, const struct fsm_ctx *, int,
		    struct fsm_out *);
static void	settle(struct fsm *, struct fsm_out *);
static void	ended(struct fsm *, const struct fsm_ctx *, struct fsm_out *);
static void	restart(struct fsm *, const struct fsm_ctx *,
		    struct fsm_out *);

static fsm_fn	ig, plan_start_down, plan_start_held, plan_stop_down,
		plan_stop_wait, plan_stop_up, plan_stop_drain, start_down,
		start_up, start_stopping, restart_up, restart_drain, stop_down,
		stop_wait, stop_up, strategy, shutdown_down, shutdown_wait,
		shutdown_up, retire_down, retire_up, retire_drain,
		retire_stopping, kill_down, kill_wait, kill_up, spawned,
		spawn_failed, ready_starting, ready_up, unready_up, exit_up,
		exit_stopping, gone, timer_backoff, timer_start, timer_overdue,
		old_gone, deps_met, fail_up, extend_starting, reloading_up;

/*
 * The table. Columns, in enum fsm_ev order:
 * PLAN_START PLAN_STOP START RESTART STOP STRATEGY SHUTDOWN RETIRE KILL
 * SPAWNED SPAWN_FAILED READY UNREADY EXIT GONE TIMER OLD_GONE DEPS_MET
 * FAIL EXTEND RELOADING
 */
static fsm_fn *const table[FSM_NSTATES][FSM_NEVENTS] = {
	[FSM_DOWN] = {
		plan_start_down, plan_stop_down, start_down, start_down,
		stop_down, strategy, shutdown_down, retire_down, kill_down,
		spawned, spawn_failed, ig, ig, ig, ig, ig, old_gone, ig,
		ig, ig, ig
	},
	[FSM_HELD] = {
		plan_start_held, plan_stop_wait, start_down, start_down,
		stop_wait, strategy, shutdown_wait, retire_down, kill_wait,
		spawned, spawn_failed, ig, ig, ig, ig, ig, old_gone, ig,
		ig, ig, ig
	},
	[FSM_BACKOFF] = {
		ig, plan_stop_wait, start_down, start_down,
		stop_wait, strategy, shutdown_wait, retire_down, kill_wait,
		spawned, spawn_failed, ig, ig, ig, ig, timer_backoff, old_gone,
		ig, ig, ig, ig
	},
	[FSM_STARTING] = {
		ig, plan_stop_up, start_up, restart_up,
		stop_up, strategy, shutdown_up, retire_up, kill_up,
		ig, ig, ready_starting, ig, exit_up, ig, timer_start, old_gone,
		ig, fail_up, extend_starting, ig
	},
	[FSM_UP] = {
		ig, plan_stop_up, start_up, restart_up,
		stop_up, strategy, shutdown_up, retire_up, kill_up,
		ig, ig, ready_up, unready_up, exit_up, ig, ig, old_gone, ig,
		fail_up, ig, reloading_up
	},
	[FSM_STOPPING] = {
		ig, ig, start_stopping, start_stopping,
		stop_up, strategy, shutdown_up, retire_stopping, kill_up,
		ig, ig, ig, ig, exit_stopping, ig, timer_overdue, old_gone, ig,
		ig, ig, ig
	},
	[FSM_DRAINING] = {
		ig, plan_stop_drain, start_stopping, restart_drain,
		stop_up, strategy, shutdown_up, retire_drain, kill_up,
		ig, ig, ig, ig, ig, gone, timer_overdue, old_gone, ig,
		ig, ig, ig
	},
	[FSM_WAITING] = {
		ig, plan_stop_wait, start_down, start_down,
		stop_wait, strategy, shutdown_wait, retire_down, kill_wait,
		spawned, spawn_failed, ig, ig, ig, ig, ig, old_gone, deps_met,
		ig, ig, ig
	}
};

static const char *state_names[FSM_NSTATES] = {
	"down", "held", "backoff", "starting", "up", "stopping", "draining",
	"waiting"
};

static const char *event_names[FSM_NEVENTS] = {
	"plan_start", "plan_stop", "start", "restart", "stop", "strategy",
	"shutdown", "retire", "kill", "spawned", "spawn_failed", "ready",
	"unready", "exit", "gone", "timer", "old_gone", "deps_met", "fail",
	"extend", "reloading"
};

static const char *act_names[FSM_NACTS] = {
	"spawn", "signal", "arm", "disarm", "reply_up", "reply_down",
	"report", "replan", "queue_start", "unqueue", "queue_stop", "fanout",
	"count", "escalate", "significant", "wipe", "free", "say"
};

void
fsm_init(struct fsm *f, int want_up)
{
	memset(f, 0, sizeof *f);
	f->state = FSM_DOWN;
	f->end = FSM_END_NONE;
	f->want_up = want_up;
}

void
fsm_step(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	o->n = 0;
	if ((unsigned)f->state >= FSM_NSTATES ||
	    (unsigned)e->type >= FSM_NEVENTS)
		return;
	table[f->state][e->type](f, x, e, o);
}

int
fsm_has(const struct fsm_out *o, enum fsm_act type)
{
	int	i;

	for (i = 0; i < o->n; i++) {
		if (o->a[i].type == type)
			return (1);
	}
	return (0);
}

/* Actions are few per step; FSM_MAXACT is checked by the unit test. */
static void
emit(struct fsm_out *o, enum fsm_act type, int64_t arg)
{
	if (o->n == FSM_MAXACT)
		return;
	o->a[o->n].type = type;
	o->a[o->n].arg = arg;
	o->n++;
}

static void
report(const struct fsm *f, struct fsm_out *o)
{
	if (!f->retired)
		emit(o, FSM_A_REPORT, 0);
}

static void
go_down(struct fsm *f, enum fsm_end end)
{
	f->state = FSM_DOWN;
	f->end = end;
	f->ready = 0;
	f->asked = 0;
	f->cycle = 0;
	f->due_ms = 0;
	f->failed = 0;
	f->reloading = 0;
}

/* A start or restart by hand: up, out of order, with a fresh backoff. */
static void
by_hand(struct fsm *f, struct fsm_out *o)
{
	f->want_up = 1;
	f->manual = 0;
	f->now = 1;
	f->delay_ms = 0;
	f->failures = 0;
	emit(o, FSM_A_UNQUEUE, 0);
}

int
fsm_stop_signal(const struct tree_node *n)
{
	if (n->shutdown_ms == TREE_SHUTDOWN_BRUTAL)
		return (SIGKILL);
	return (n->kind == TREE_WORKER ? n->stop_signal : SIGTERM);
}

/* Signal it to stop; the kill timer runs unless it was SIGKILL already. */
static void
begin_stop(struct fsm *f, const struct fsm_ctx *x, struct fsm_out *o)
{
	begin_stop_sig(f, x, 0, o);
}

/* The same, with sig first (0: its stop signal) unless it is brutal_kill. */
static void
begin_stop_sig(struct fsm *f, const struct fsm_ctx *x, int sig,
    struct fsm_out *o)
{
	f->asked = 1;
	f->ready = 0;
	f->reloading = 0;
	if (f->state != FSM_DRAINING)
		f->state = FSM_STOPPING;
	f->sig = fsm_stop_signal(x->node);
	if (sig != 0 && f->sig != SIGKILL)
		f->sig = sig;
	emit(o, FSM_A_SAY, FSM_SAY_STOPPING);
	emit(o, FSM_A_SIGNAL, f->sig);
	if (f->sig != SIGKILL && x->node->shutdown_ms >= 0)
		emit(o, FSM_A_ARM, x->node->shutdown_ms);
	else
		emit(o, FSM_A_DISARM, 0);
	report(f, o);
}

/*
 * The one way to a spawn: through its after list. Not met: it waits
 * (without a timer) until DEPS_MET; the plan sees it as not ready.
 */
static void
spawn(struct fsm *f, const struct fsm_ctx *x, struct fsm_out *o)
{
	f->now = 0;
	if (x->deps_met) {
		emit(o, FSM_A_SPAWN, 0);
		return;
	}
	if (f->state != FSM_WAITING) {
		/* A backoff's timer has fired, or is of no use now. */
		if (f->state == FSM_BACKOFF)
			emit(o, FSM_A_DISARM, 0);
		f->state = FSM_WAITING;
		f->due_ms = 0;
		emit(o, FSM_A_SAY, FSM_SAY_WAITING);
	}
	report(f, o);
}

/* Waiting to restart but no longer wanted: down at once. */
static void
settle(struct fsm *f, struct fsm_out *o)
{
	emit(o, FSM_A_DISARM, 0);
	f->delay_ms = 0;
	go_down(f, FSM_END_STOPPED);
	emit(o, FSM_A_REPLY_DOWN, 0);
	report(f, o);
}

static void
ig(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)f;
	(void)x;
	(void)e;
	(void)o;
}

/* The ordered start reached a child that is down: start it. */
static void
plan_start_down(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	if (f->want_up && !f->after_old)
		spawn(f, x, o);
}

/* Its turn after a strategy restart: back off first if it must. */
static void
plan_start_held(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	if (!f->want_up || f->after_old)
		return;
	if (f->delay_ms > 0) {
		f->state = FSM_BACKOFF;
		f->due_ms = x->now_ms + f->delay_ms;
		emit(o, FSM_A_ARM, f->delay_ms);
		report(f, o);
		return;
	}
	spawn(f, x, o);
}

static void
plan_stop_down(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	(void)o;
	f->cycle = 0;
}

static void
plan_stop_wait(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->cycle = 0;
	if (!f->want_up)
		settle(f, o);
}

static void
plan_stop_up(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	if (!f->want_up || f->cycle)
		begin_stop(f, x, o);
}

/* Its leader ended on its own: now the plan wants the rest stopped. */
static void
plan_stop_drain(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	if (!f->asked && (!f->want_up || f->cycle))
		begin_stop(f, x, o);
}

/* Start (or restart) by hand of a child that is not running: now. */
static void
start_down(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	by_hand(f, o);
	if (f->state != FSM_DOWN) {
		emit(o, FSM_A_DISARM, 0);
		f->due_ms = 0;
	}
	if (f->after_old) {
		/* Its old self still runs: it starts in order once gone. */
		f->now = 0;
		if (f->state != FSM_DOWN)
			go_down(f, FSM_END_STOPPED);
		emit(o, FSM_A_QUEUE_START, 0);
		report(f, o);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	report(f, o);
	spawn(f, x, o);
}

static void
start_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	by_hand(f, o);
	/* Running already: it only waits to be ready, if it is not. */
	f->now = 0;
	if (f->ready)
		emit(o, FSM_A_REPLY_UP, 0);
	report(f, o);
}

/* Being stopped: it starts again as soon as it is down (fsm.now). */
static void
start_stopping(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	by_hand(f, o);
	report(f, o);
}

static void
restart_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	by_hand(f, o);
	f->cycle = 1;
	emit(o, FSM_A_QUEUE_STOP, 0);
	report(f, o);
}

static void
restart_drain(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	if (f->asked)
		start_stopping(f, x, e, o);
	else
		restart_up(f, x, e, o);
}

static void
stop_flags(struct fsm *f, struct fsm_out *o)
{
	f->want_up = 0;
	f->manual = 1;
	f->now = 0;
	f->cycle = 0;
	emit(o, FSM_A_UNQUEUE, 0);
}

static void
stop_down(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	stop_flags(f, o);
	emit(o, FSM_A_REPLY_DOWN, 0);
	report(f, o);
	emit(o, FSM_A_REPLAN, 0);
}

static void
stop_wait(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	stop_flags(f, o);
	settle(f, o);
	emit(o, FSM_A_REPLAN, 0);
}

static void
stop_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	stop_flags(f, o);
	emit(o, FSM_A_QUEUE_STOP, 0);
	report(f, o);
}

/*
 * A sibling's restart (one_for_all, rest_for_one) takes this child down
 * and up again, in order. As in OTP, a temporary child stays down. A child
 * that was running counts a restart, caused by the strategy.
 */
static void
strategy(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)e;
	if (!f->want_up)
		return;
	if (x->node->restart == TREE_TEMPORARY) {
		f->want_up = 0;
		emit(o, FSM_A_UNQUEUE, 0);
		emit(o, FSM_A_QUEUE_STOP, 0);
		return;
	}
	emit(o, FSM_A_QUEUE_START, 0);
	if (f->state == FSM_STARTING || f->state == FSM_UP ||
	    (f->state == FSM_DRAINING && !f->asked)) {
		f->cycle = 1;
		f->restarts++;
		f->cause = FSM_CAUSE_STRATEGY;
		emit(o, FSM_A_QUEUE_STOP, 0);
		report(f, o);
	}
}

/* Not started yet: it no longer waits for its first start. */
static void
shutdown_down(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->now = 0;
	if (!f->want_up)
		return;
	f->want_up = 0;
	if (f->end == FSM_END_NONE)
		report(f, o);
}

static void
shutdown_wait(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->want_up = 0;
	f->now = 0;
	settle(f, o);
}

/* Running: the plan's ordered stop takes it down. */
static void
shutdown_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	(void)o;
	f->want_up = 0;
	f->now = 0;
}

static void
retire_flags(struct fsm *f, struct fsm_out *o)
{
	f->retired = 1;
	f->want_up = 0;
	f->now = 0;
	f->cycle = 0;
	emit(o, FSM_A_UNQUEUE, 0);
}

static void
retire_down(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	retire_flags(f, o);
	emit(o, FSM_A_DISARM, 0);
	go_down(f, f->end == FSM_END_NONE ? FSM_END_STOPPED : f->end);
	emit(o, FSM_A_FREE, 0);
}

/* Held (e->hold): retired, it runs on until its turn to stop comes. */
static void
retire_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	retire_flags(f, o);
	if (!e->hold)
		begin_stop(f, x, o);
}

static void
retire_drain(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	retire_flags(f, o);
	if (!f->asked && !e->hold)
		begin_stop(f, x, o);
}

static void
retire_stopping(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)x;
	(void)e;
	retire_flags(f, o);
}

static void
kill_down(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	(void)o;
	f->want_up = 0;
	f->now = 0;
}

static void
kill_wait(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->want_up = 0;
	f->now = 0;
	settle(f, o);
}

/* Everything at once: SIGKILL, and a child supervisor's subtree too. */
static void
kill_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)e;
	f->want_up = 0;
	f->now = 0;
	f->asked = 1;
	f->ready = 0;
	f->sig = SIGKILL;
	if (f->state != FSM_DRAINING)
		f->state = FSM_STOPPING;
	emit(o, FSM_A_DISARM, 0);
	emit(o, FSM_A_SIGNAL, SIGKILL);
	if (x->node->kind == TREE_SUPERVISOR)
		emit(o, FSM_A_WIPE, 0);
	report(f, o);
}

static void
spawned(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	const struct tree_node	*n = x->node;

	(void)e;
	f->manual = 0;
	f->now = 0;
	f->cycle = 0;
	f->delay_ms = 0;
	f->due_ms = 0;
	f->failed = 0;
	f->reloading = 0;
	f->ran = 1;
	f->started_ms = x->now_ms;
	memset(&f->ex, 0, sizeof f->ex);
	if (n->kind == TREE_WORKER && n->ready == TREE_READY_EXEC) {
		f->state = FSM_UP;
		/* A one-shot is ready once done (see restart()). */
		f->ready = !n->oneshot;
		emit(o, FSM_A_DISARM, 0);
		emit(o, FSM_A_REPLY_UP, 0);
		report(f, o);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	f->state = FSM_STARTING;
	f->ready = 0;
	if (n->kind == TREE_WORKER) {
		f->due_ms = x->now_ms + n->start_timeout_ms;
		emit(o, FSM_A_ARM, n->start_timeout_ms);
	} else
		emit(o, FSM_A_DISARM, 0);
	report(f, o);
}

/* It could not start (exec failed): an end that is a start failure. */
static void
spawn_failed(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	memset(&f->ex, 0, sizeof f->ex);
	f->ex.start_failed = 1;
	f->started_ms = x->now_ms;
	ended(f, x, o);
}

static void
ready_starting(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	f->state = FSM_UP;
	f->ready = !x->node->oneshot;
	f->due_ms = 0;
	emit(o, FSM_A_DISARM, 0);
	if (x->node->kind == TREE_WORKER)
		emit(o, FSM_A_SAY, FSM_SAY_READY);
	emit(o, FSM_A_REPLY_UP, 0);
	report(f, o);
	emit(o, FSM_A_REPLAN, 0);
}

/* A child supervisor's subtree is ready again; a worker's reload done. */
static void
ready_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	if (f->reloading) {
		f->reloading = 0;
		report(f, o);
	}
	if (f->ready)
		return;
	f->ready = 1;
	emit(o, FSM_A_REPLY_UP, 0);
	report(f, o);
	emit(o, FSM_A_REPLAN, 0);
}

static void
unready_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	if (!f->ready)
		return;
	f->ready = 0;
	report(f, o);
}

/*
 * The leader ended on its own. A worker whose group lives on is drained
 * first (its remains get the stop signal and the kill timer); a child
 * supervisor that did not end with 0 or 1 left its subtree behind.
 */
static void
exit_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	const struct tree_node	*n = x->node;

	f->ex = e->ex;
	f->ex.by_us = 0;
	/* A one-shot may end well before a readiness protocol spoke. */
	f->ex.start_failed = f->state == FSM_STARTING &&
	    n->kind == TREE_WORKER && !n->oneshot;
	if (n->kind == TREE_SUPERVISOR && (e->ex.signaled ||
	    (e->ex.code != 0 && e->ex.code != 1)))
		emit(o, FSM_A_WIPE, 0);
	if (e->group && n->kind == TREE_WORKER) {
		f->state = FSM_DRAINING;
		f->asked = 0;
		f->ready = 0;
		f->sig = fsm_stop_signal(n);
		emit(o, FSM_A_SIGNAL, f->sig);
		if (f->sig != SIGKILL && n->shutdown_ms >= 0)
			emit(o, FSM_A_ARM, n->shutdown_ms);
		else
			emit(o, FSM_A_DISARM, 0);
		report(f, o);
		return;
	}
	ended(f, x, o);
}

/* The leader ended after our stop: the kill timer goes on if it drains. */
static void
exit_stopping(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	f->ex = e->ex;
	f->ex.by_us = !f->failed;
	f->ex.failed = f->failed;
	f->ex.start_failed = 0;
	if (x->node->kind == TREE_SUPERVISOR && (e->ex.signaled ||
	    (e->ex.code != 0 && e->ex.code != 1)))
		emit(o, FSM_A_WIPE, 0);
	if (e->group && x->node->kind == TREE_WORKER) {
		f->state = FSM_DRAINING;
		return;
	}
	ended(f, x, o);
}

static void
gone(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)e;
	ended(f, x, o);
}

static void
timer_backoff(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	f->due_ms = 0;
	if (f->want_up && !x->shutting_down && !f->after_old) {
		spawn(f, x, o);
		return;
	}
	settle(f, o);
}

/* Not ready in time: killed; its end is then a start failure. */
static void
timer_start(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)f;
	(void)e;
	if (x->node->kind != TREE_WORKER)
		return;
	emit(o, FSM_A_SAY, FSM_SAY_NOT_READY);
	emit(o, FSM_A_SIGNAL, SIGKILL);
}

static void
timer_overdue(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->sig = SIGKILL;
	emit(o, FSM_A_SAY, FSM_SAY_KILLING);
	emit(o, FSM_A_SIGNAL, SIGKILL);
}

/* What it waits for is there: start it, if it is still wanted. */
static void
deps_met(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)e;
	if (f->want_up && !x->shutting_down && !f->after_old && x->deps_met)
		spawn(f, x, o);
}

static void
old_gone(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	(void)x;
	(void)e;
	f->after_old = 0;
	emit(o, FSM_A_REPLAN, 0);
}

/*
 * A liveness check failed (unhealthy, watchdog, max_memory): the worker
 * is stopped with its stop sequence (the watchdog's signal first, if the
 * event carries one), and its end is then handled as an abnormal exit:
 * counted, restarted by its restart type, escalated (see ended).
 */
static void
fail_up(struct fsm *f, const struct fsm_ctx *x, const struct fsm_event *e,
    struct fsm_out *o)
{
	if (x->node->kind != TREE_WORKER)
		return;
	f->failed = 1;
	f->due_ms = 0;
	begin_stop_sig(f, x, e->ex.signo, o);
}

/* EXTEND_TIMEOUT_USEC while starting: the start timeout is at least ms. */
static void
extend_starting(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	if (x->node->kind != TREE_WORKER || e->ms <= 0 ||
	    x->now_ms + e->ms <= f->due_ms)
		return;
	f->due_ms = x->now_ms + e->ms;
	emit(o, FSM_A_ARM, e->ms);
}

/* RELOADING=1: shown as reloading until READY=1 (ready_up). */
static void
reloading_up(struct fsm *f, const struct fsm_ctx *x,
    const struct fsm_event *e, struct fsm_out *o)
{
	(void)e;
	if (x->node->kind != TREE_WORKER || f->reloading)
		return;
	f->reloading = 1;
	report(f, o);
}

/*
 * The leader and its whole group are gone (or it could not start): what
 * its end means. Ours: stopped (and up again at once if a start by hand
 * asked for it). Its own: OTP's rules (policy.c), then the intensity,
 * then the restart, at once when there is no backoff.
 */
static void
ended(struct fsm *f, const struct fsm_ctx *x, struct fsm_out *o)
{
	int	bad;

	emit(o, FSM_A_DISARM, 0);
	f->ready = 0;
	if (f->retired) {
		go_down(f, FSM_END_STOPPED);
		emit(o, FSM_A_SAY, FSM_SAY_RETIRED);
		emit(o, FSM_A_FREE, 0);
		return;
	}
	if (f->asked && !f->failed) {
		go_down(f, FSM_END_STOPPED);
		emit(o, FSM_A_SAY, FSM_SAY_STOPPED);
		emit(o, FSM_A_REPLY_DOWN, 0);
		report(f, o);
		emit(o, FSM_A_REPLAN, 0);
		if (f->now && f->want_up && !x->shutting_down)
			spawn(f, x, o);
		return;
	}
	if (x->shutting_down || !f->want_up) {
		go_down(f, FSM_END_STOPPED);
		emit(o, FSM_A_REPLY_DOWN, 0);
		report(f, o);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	if (x->sup == NULL) {
		/* The top: the root ended, and with it the tree. */
		bad = f->ex.signaled || f->ex.code != 0;
		if (bad)
			emit(o, FSM_A_SAY, FSM_SAY_TREE_FAILED);
		f->want_up = 0;
		go_down(f, bad ? FSM_END_FAILED : FSM_END_EXITED);
		report(f, o);
		emit(o, FSM_A_ESCALATE, bad);
		return;
	}
	if (f->now) {
		/* A start by hand came while it was draining: honour it. */
		go_down(f, FSM_END_STOPPED);
		report(f, o);
		spawn(f, x, o);
		return;
	}
	/* A failed liveness check ends as a crash would. */
	f->asked = 0;
	f->failed = 0;
	restart(f, x, o);
}

static void
restart(struct fsm *f, const struct fsm_ctx *x, struct fsm_out *o)
{
	const struct tree_node	*n = x->node;
	enum policy_decision	 d;

	if (n->oneshot && !policy_abnormal(n, &f->ex)) {
		/*
		 * A one-shot that succeeded is done: never restarted, ready
		 * for its supervisor, succeeded for those who wait for it.
		 */
		f->want_up = 0;
		go_down(f, FSM_END_DONE);
		emit(o, FSM_A_REPLY_UP, 0);
		report(f, o);
		if (n->significant)
			emit(o, FSM_A_SIGNIFICANT, 0);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	d = policy_decide(n, &f->ex, f->exits);
	if (d != POLICY_RESTART) {
		f->want_up = 0;
		if (d == POLICY_GIVE_UP)
			emit(o, FSM_A_SAY, FSM_SAY_MAX_RESTARTS);
		go_down(f, d == POLICY_DONE ? FSM_END_EXITED : FSM_END_FAILED);
		emit(o, FSM_A_REPLY_UP, f->ran ? 1 : 2);
		report(f, o);
		if (n->significant)
			emit(o, FSM_A_SIGNIFICANT, 0);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	emit(o, FSM_A_REPLY_UP, f->ran ? 1 : 2);
	if (x->intensity_full) {
		emit(o, FSM_A_SAY, FSM_SAY_GAVE_UP);
		go_down(f, FSM_END_FAILED);
		report(f, o);
		emit(o, FSM_A_ESCALATE, 1);
		return;
	}
	emit(o, FSM_A_COUNT, 0);
	f->restarts++;
	f->exits++;
	f->cause = FSM_CAUSE_EXIT;
	f->failures = policy_backoff_failures(n, f->failures,
	    x->now_ms - f->started_ms);
	f->delay_ms = policy_backoff(n, f->failures);
	/* A start that failed never loops hot, whatever backoff_min says. */
	if (f->ex.start_failed && f->delay_ms < FSM_START_FAIL_FLOOR_MS)
		f->delay_ms = FSM_START_FAIL_FLOOR_MS;
	f->due_ms = x->now_ms + f->delay_ms;
	emit(o, FSM_A_SAY, FSM_SAY_RESTARTING);
	if (x->sup->strategy != TREE_ONE_FOR_ONE) {
		/* The others stop first, then all start again in order. */
		f->state = FSM_HELD;
		emit(o, FSM_A_QUEUE_START, 0);
		emit(o, FSM_A_FANOUT, 0);
		report(f, o);
		emit(o, FSM_A_REPLAN, 0);
		return;
	}
	/*
	 * No backoff: start at once, in this very turn. Not after a failed
	 * start, though: that one goes through the timer (a loop turn), so
	 * a command that cannot start never spins without serving the loop.
	 */
	if (f->delay_ms == 0 && !f->ex.start_failed) {
		f->state = FSM_HELD;
		report(f, o);
		spawn(f, x, o);
		return;
	}
	f->state = FSM_BACKOFF;
	emit(o, FSM_A_ARM, f->delay_ms);
	report(f, o);
}

int
fsm_is_up(const struct fsm *f)
{
	return (f->state == FSM_STARTING || f->state == FSM_UP ||
	    f->state == FSM_STOPPING || f->state == FSM_DRAINING);
}

/* For its supervisor's readiness: ready, or not meant to run and down. */
int
fsm_satisfied(const struct fsm *f)
{
	return (f->ready || (!f->want_up && !fsm_is_up(f)));
}

/* Waiting for its first start. */
int
fsm_unstarted(const struct fsm *f)
{
	return (f->state == FSM_DOWN && f->end == FSM_END_NONE &&
	    f->want_up);
}

/*
 * It never ran: no spawn of it succeeded (a start that fails now is its
 * first, as add sees it).
 */
int
fsm_never_ran(const struct fsm *f)
{
	return (!f->ran);
}

/* The state status shows (enum nstate_state). */
int
fsm_nstate(const struct fsm *f, const struct tree_node *n)
{
	switch (f->state) {
	case FSM_DOWN:
		if (f->end == FSM_END_EXITED)
			return (NS_EXITED);
		if (f->end == FSM_END_FAILED)
			return (NS_FAILED);
		if (f->end == FSM_END_DONE)
			return (NS_DONE);
		return (NS_STOPPED);
	case FSM_WAITING:
		return (NS_WAITING);
	case FSM_HELD:
	case FSM_BACKOFF:
		return (NS_BACKOFF);
	case FSM_STARTING:
		return (NS_STARTING);
	case FSM_UP:
		if (f->reloading)
			return (NS_RELOADING);
		if (f->ready && n->kind == TREE_WORKER &&
		    n->ready != TREE_READY_EXEC)
			return (NS_READY);
		return (NS_RUNNING);
	case FSM_STOPPING:
	case FSM_DRAINING:
		return (NS_STOPPING);
	}
	return (NS_STOPPED);
}

/* The plan's ordered stop waits for a stop of ours to complete. */
int
fsm_stopping_by_us(const struct fsm *f)
{
	return (f->state == FSM_STOPPING ||
	    (f->state == FSM_DRAINING && f->asked));
}

/* Must the ordered stop feed it FSM_EV_PLAN_STOP? */
int
fsm_plan_stop_needed(const struct fsm *f)
{
	switch (f->state) {
	case FSM_DOWN:
		return (f->cycle);
	case FSM_HELD:
	case FSM_BACKOFF:
	case FSM_WAITING:
		return (f->cycle || !f->want_up);
	case FSM_STARTING:
	case FSM_UP:
		return (f->cycle || !f->want_up);
	case FSM_DRAINING:
		return (!f->asked && (f->cycle || !f->want_up));
	case FSM_STOPPING:
		return (0);
	}
	return (0);
}

/* Must the ordered start feed it FSM_EV_PLAN_START? */
int
fsm_plan_start_needed(const struct fsm *f)
{
	return (f->want_up && !f->after_old &&
	    (f->state == FSM_DOWN || f->state == FSM_HELD));
}

const char *
fsm_state_name(int s)
{
	if (s < 0 || s >= FSM_NSTATES)
		return ("?");
	return (state_names[s]);
}

const char *
fsm_event_name(int e)
{
	if (e < 0 || e >= FSM_NEVENTS)
		return ("?");
	return (event_names[e]);
}

const char *
fsm_act_name(int a)
{
	if (a < 0 || a >= FSM_NACTS)
		return ("?");
	return (act_names[a]);
}
