/*
 * test_fsm.c: the lifecycle state machine (fsm.c), the ordered plan
 * (plan.c) and the reload diff (diff.c).
 *
 * First every state x event pair of the table, from one typical child of
 * each state, with the exact actions and next state; then properties that
 * hold for every pair under many variations (the spawn comes last, a
 * retired child never reports, the plan always makes progress); then
 * OTP's cases one by one (restart types, max_restarts, intensity,
 * strategies, temporary children under a strategy, significant children,
 * brutal_kill, infinity, start timeouts, shutdown during backoff); then
 * the plan's orders and the reload diff.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fsm.h"
#include "nstate.h"
#include "plan.h"
#include "tap.h"

struct pair {
	enum fsm_state	 from;
	enum fsm_ev	 ev;
	const char	*acts;
	enum fsm_state	 to;
};

#define FSM_down	FSM_DOWN
#define FSM_held	FSM_HELD
#define FSM_backoff	FSM_BACKOFF
#define FSM_starting	FSM_STARTING
#define FSM_up		FSM_UP
#define FSM_stopping	FSM_STOPPING
#define FSM_draining	FSM_DRAINING
#define FSM_waiting	FSM_WAITING
#define FSM_EV_plan_start	FSM_EV_PLAN_START
#define FSM_EV_plan_stop	FSM_EV_PLAN_STOP
#define FSM_EV_start		FSM_EV_START
#define FSM_EV_restart		FSM_EV_RESTART
#define FSM_EV_stop		FSM_EV_STOP
#define FSM_EV_strategy		FSM_EV_STRATEGY
#define FSM_EV_shutdown		FSM_EV_SHUTDOWN
#define FSM_EV_retire		FSM_EV_RETIRE
#define FSM_EV_kill		FSM_EV_KILL
#define FSM_EV_spawned		FSM_EV_SPAWNED
#define FSM_EV_spawn_failed	FSM_EV_SPAWN_FAILED
#define FSM_EV_ready		FSM_EV_READY
#define FSM_EV_unready		FSM_EV_UNREADY
#define FSM_EV_exit		FSM_EV_EXIT
#define FSM_EV_gone		FSM_EV_GONE
#define FSM_EV_timer		FSM_EV_TIMER
#define FSM_EV_old_gone		FSM_EV_OLD_GONE
#define FSM_EV_deps_met		FSM_EV_DEPS_MET
#define FSM_EV_fail		FSM_EV_FAIL
#define FSM_EV_extend		FSM_EV_EXTEND
#define FSM_EV_reloading	FSM_EV_RELOADING

/*
 * The table, from the typical child of each state (see typical()): a
 * permanent worker with a readiness protocol under one_for_one, the
 * leader ending with code 1 (abnormal).
 */
static const struct pair pairs[] = {
	{ FSM_down, FSM_EV_plan_start, "spawn", FSM_down },
	{ FSM_down, FSM_EV_plan_stop, "", FSM_down },
	{ FSM_down, FSM_EV_start, "unqueue,report,spawn", FSM_down },
	{ FSM_down, FSM_EV_restart, "unqueue,report,spawn", FSM_down },
	{ FSM_down, FSM_EV_stop, "unqueue,reply_down,report,replan", FSM_down },
	{ FSM_down, FSM_EV_strategy, "queue_start", FSM_down },
	{ FSM_down, FSM_EV_shutdown, "report", FSM_down },
	{ FSM_down, FSM_EV_retire, "unqueue,disarm,free", FSM_down },
	{ FSM_down, FSM_EV_kill, "", FSM_down },
	{ FSM_down, FSM_EV_spawned, "arm,report", FSM_starting },
	{ FSM_down, FSM_EV_spawn_failed, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_down, FSM_EV_ready, "", FSM_down },
	{ FSM_down, FSM_EV_unready, "", FSM_down },
	{ FSM_down, FSM_EV_exit, "", FSM_down },
	{ FSM_down, FSM_EV_gone, "", FSM_down },
	{ FSM_down, FSM_EV_timer, "", FSM_down },
	{ FSM_down, FSM_EV_old_gone, "replan", FSM_down },
	{ FSM_down, FSM_EV_fail, "", FSM_down },
	{ FSM_down, FSM_EV_extend, "", FSM_down },
	{ FSM_down, FSM_EV_reloading, "", FSM_down },
	{ FSM_held, FSM_EV_plan_start, "arm,report", FSM_backoff },
	{ FSM_held, FSM_EV_plan_stop, "", FSM_held },
	{ FSM_held, FSM_EV_start, "unqueue,disarm,report,spawn", FSM_held },
	{ FSM_held, FSM_EV_restart, "unqueue,disarm,report,spawn", FSM_held },
	{ FSM_held, FSM_EV_stop, "unqueue,disarm,reply_down,report,replan", FSM_down },
	{ FSM_held, FSM_EV_strategy, "queue_start", FSM_held },
	{ FSM_held, FSM_EV_shutdown, "disarm,reply_down,report", FSM_down },
	{ FSM_held, FSM_EV_retire, "unqueue,disarm,free", FSM_down },
	{ FSM_held, FSM_EV_kill, "disarm,reply_down,report", FSM_down },
	{ FSM_held, FSM_EV_spawned, "arm,report", FSM_starting },
	{ FSM_held, FSM_EV_spawn_failed, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_held, FSM_EV_ready, "", FSM_held },
	{ FSM_held, FSM_EV_unready, "", FSM_held },
	{ FSM_held, FSM_EV_exit, "", FSM_held },
	{ FSM_held, FSM_EV_gone, "", FSM_held },
	{ FSM_held, FSM_EV_timer, "", FSM_held },
	{ FSM_held, FSM_EV_old_gone, "replan", FSM_held },
	{ FSM_held, FSM_EV_fail, "", FSM_held },
	{ FSM_held, FSM_EV_extend, "", FSM_held },
	{ FSM_held, FSM_EV_reloading, "", FSM_held },
	{ FSM_backoff, FSM_EV_plan_start, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_plan_stop, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_start, "unqueue,disarm,report,spawn", FSM_backoff },
	{ FSM_backoff, FSM_EV_restart, "unqueue,disarm,report,spawn", FSM_backoff },
	{ FSM_backoff, FSM_EV_stop, "unqueue,disarm,reply_down,report,replan", FSM_down },
	{ FSM_backoff, FSM_EV_strategy, "queue_start", FSM_backoff },
	{ FSM_backoff, FSM_EV_shutdown, "disarm,reply_down,report", FSM_down },
	{ FSM_backoff, FSM_EV_retire, "unqueue,disarm,free", FSM_down },
	{ FSM_backoff, FSM_EV_kill, "disarm,reply_down,report", FSM_down },
	{ FSM_backoff, FSM_EV_spawned, "arm,report", FSM_starting },
	{ FSM_backoff, FSM_EV_spawn_failed, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_backoff, FSM_EV_ready, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_unready, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_exit, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_gone, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_timer, "spawn", FSM_backoff },
	{ FSM_backoff, FSM_EV_old_gone, "replan", FSM_backoff },
	{ FSM_backoff, FSM_EV_fail, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_extend, "", FSM_backoff },
	{ FSM_backoff, FSM_EV_reloading, "", FSM_backoff },
	{ FSM_starting, FSM_EV_plan_start, "", FSM_starting },
	{ FSM_starting, FSM_EV_plan_stop, "", FSM_starting },
	{ FSM_starting, FSM_EV_start, "unqueue,report", FSM_starting },
	{ FSM_starting, FSM_EV_restart, "unqueue,queue_stop,report", FSM_starting },
	{ FSM_starting, FSM_EV_stop, "unqueue,queue_stop,report", FSM_starting },
	{ FSM_starting, FSM_EV_strategy, "queue_start,queue_stop,report", FSM_starting },
	{ FSM_starting, FSM_EV_shutdown, "", FSM_starting },
	{ FSM_starting, FSM_EV_retire, "unqueue,say,signal,arm", FSM_stopping },
	{ FSM_starting, FSM_EV_kill, "disarm,signal,report", FSM_stopping },
	{ FSM_starting, FSM_EV_spawned, "", FSM_starting },
	{ FSM_starting, FSM_EV_spawn_failed, "", FSM_starting },
	{ FSM_starting, FSM_EV_ready, "disarm,say,reply_up,report,replan", FSM_up },
	{ FSM_starting, FSM_EV_unready, "", FSM_starting },
	{ FSM_starting, FSM_EV_exit, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_starting, FSM_EV_gone, "", FSM_starting },
	{ FSM_starting, FSM_EV_timer, "say,signal", FSM_starting },
	{ FSM_starting, FSM_EV_old_gone, "replan", FSM_starting },
	{ FSM_starting, FSM_EV_fail, "say,signal,arm,report", FSM_stopping },
	{ FSM_starting, FSM_EV_extend, "", FSM_starting },
	{ FSM_starting, FSM_EV_reloading, "", FSM_starting },
	{ FSM_up, FSM_EV_plan_start, "", FSM_up },
	{ FSM_up, FSM_EV_plan_stop, "", FSM_up },
	{ FSM_up, FSM_EV_start, "unqueue,reply_up,report", FSM_up },
	{ FSM_up, FSM_EV_restart, "unqueue,queue_stop,report", FSM_up },
	{ FSM_up, FSM_EV_stop, "unqueue,queue_stop,report", FSM_up },
	{ FSM_up, FSM_EV_strategy, "queue_start,queue_stop,report", FSM_up },
	{ FSM_up, FSM_EV_shutdown, "", FSM_up },
	{ FSM_up, FSM_EV_retire, "unqueue,say,signal,arm", FSM_stopping },
	{ FSM_up, FSM_EV_kill, "disarm,signal,report", FSM_stopping },
	{ FSM_up, FSM_EV_spawned, "", FSM_up },
	{ FSM_up, FSM_EV_spawn_failed, "", FSM_up },
	{ FSM_up, FSM_EV_ready, "", FSM_up },
	{ FSM_up, FSM_EV_unready, "report", FSM_up },
	{ FSM_up, FSM_EV_exit, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_up, FSM_EV_gone, "", FSM_up },
	{ FSM_up, FSM_EV_timer, "", FSM_up },
	{ FSM_up, FSM_EV_old_gone, "replan", FSM_up },
	{ FSM_up, FSM_EV_fail, "say,signal,arm,report", FSM_stopping },
	{ FSM_up, FSM_EV_extend, "", FSM_up },
	{ FSM_up, FSM_EV_reloading, "report", FSM_up },
	{ FSM_stopping, FSM_EV_plan_start, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_plan_stop, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_start, "unqueue,report", FSM_stopping },
	{ FSM_stopping, FSM_EV_restart, "unqueue,report", FSM_stopping },
	{ FSM_stopping, FSM_EV_stop, "unqueue,queue_stop,report", FSM_stopping },
	{ FSM_stopping, FSM_EV_strategy, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_shutdown, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_retire, "unqueue", FSM_stopping },
	{ FSM_stopping, FSM_EV_kill, "disarm,signal,report", FSM_stopping },
	{ FSM_stopping, FSM_EV_spawned, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_spawn_failed, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_ready, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_unready, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_exit, "disarm,say,reply_down,report,replan", FSM_down },
	{ FSM_stopping, FSM_EV_gone, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_timer, "say,signal", FSM_stopping },
	{ FSM_stopping, FSM_EV_old_gone, "replan", FSM_stopping },
	{ FSM_stopping, FSM_EV_fail, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_extend, "", FSM_stopping },
	{ FSM_stopping, FSM_EV_reloading, "", FSM_stopping },
	{ FSM_draining, FSM_EV_plan_start, "", FSM_draining },
	{ FSM_draining, FSM_EV_plan_stop, "", FSM_draining },
	{ FSM_draining, FSM_EV_start, "unqueue,report", FSM_draining },
	{ FSM_draining, FSM_EV_restart, "unqueue,queue_stop,report", FSM_draining },
	{ FSM_draining, FSM_EV_stop, "unqueue,queue_stop,report", FSM_draining },
	{ FSM_draining, FSM_EV_strategy, "queue_start,queue_stop,report", FSM_draining },
	{ FSM_draining, FSM_EV_shutdown, "", FSM_draining },
	{ FSM_draining, FSM_EV_retire, "unqueue,say,signal,arm", FSM_draining },
	{ FSM_draining, FSM_EV_kill, "disarm,signal,report", FSM_draining },
	{ FSM_draining, FSM_EV_spawned, "", FSM_draining },
	{ FSM_draining, FSM_EV_spawn_failed, "", FSM_draining },
	{ FSM_draining, FSM_EV_ready, "", FSM_draining },
	{ FSM_draining, FSM_EV_unready, "", FSM_draining },
	{ FSM_draining, FSM_EV_exit, "", FSM_draining },
	{ FSM_draining, FSM_EV_gone, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_draining, FSM_EV_timer, "say,signal", FSM_draining },
	{ FSM_draining, FSM_EV_old_gone, "replan", FSM_draining },
	/* Its after list: only a waiting child cares (it spawns). */
	{ FSM_down, FSM_EV_deps_met, "", FSM_down },
	{ FSM_held, FSM_EV_deps_met, "", FSM_held },
	{ FSM_backoff, FSM_EV_deps_met, "", FSM_backoff },
	{ FSM_starting, FSM_EV_deps_met, "", FSM_starting },
	{ FSM_up, FSM_EV_deps_met, "", FSM_up },
	{ FSM_stopping, FSM_EV_deps_met, "", FSM_stopping },
	{ FSM_draining, FSM_EV_deps_met, "", FSM_draining },
	{ FSM_waiting, FSM_EV_plan_start, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_plan_stop, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_start, "unqueue,disarm,report,spawn", FSM_waiting },
	{ FSM_waiting, FSM_EV_restart, "unqueue,disarm,report,spawn", FSM_waiting },
	{ FSM_waiting, FSM_EV_stop, "unqueue,disarm,reply_down,report,replan", FSM_down },
	{ FSM_waiting, FSM_EV_strategy, "queue_start", FSM_waiting },
	{ FSM_waiting, FSM_EV_shutdown, "disarm,reply_down,report", FSM_down },
	{ FSM_waiting, FSM_EV_retire, "unqueue,disarm,free", FSM_down },
	{ FSM_waiting, FSM_EV_kill, "disarm,reply_down,report", FSM_down },
	{ FSM_waiting, FSM_EV_spawned, "arm,report", FSM_starting },
	{ FSM_waiting, FSM_EV_spawn_failed, "disarm,reply_up,count,say,arm,report", FSM_backoff },
	{ FSM_waiting, FSM_EV_ready, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_unready, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_exit, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_gone, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_timer, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_old_gone, "replan", FSM_waiting },
	{ FSM_waiting, FSM_EV_deps_met, "spawn", FSM_waiting },
	{ FSM_draining, FSM_EV_fail, "", FSM_draining },
	{ FSM_draining, FSM_EV_extend, "", FSM_draining },
	{ FSM_draining, FSM_EV_reloading, "", FSM_draining },
	{ FSM_waiting, FSM_EV_fail, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_extend, "", FSM_waiting },
	{ FSM_waiting, FSM_EV_reloading, "", FSM_waiting },
};

static struct tree_node	w, s;
static int		codes[] = { 0 };

static void
fixtures(void)
{
	memset(&w, 0, sizeof w);
	w.kind = TREE_WORKER;
	w.path = "w";
	w.restart = TREE_PERMANENT;
	w.max_restarts = TREE_UNLIMITED;
	w.exit_codes = codes;
	w.nexit_codes = 1;
	w.shutdown_ms = 5000;
	w.backoff_min_ms = 100;
	w.backoff_max_ms = 1000;
	w.backoff_multiplier = 2;
	w.backoff_reset_ms = 10000;
	w.stop_signal = SIGTERM;
	w.ready = TREE_READY_NOTIFY;
	w.start_timeout_ms = 30000;
	memset(&s, 0, sizeof s);
	s.kind = TREE_SUPERVISOR;
	s.path = "s";
	s.strategy = TREE_ONE_FOR_ONE;
	s.intensity = 3;
	s.period_ms = 5000;
	s.shutdown_ms = TREE_SHUTDOWN_INFINITY;
	s.restart = TREE_PERMANENT;
	s.max_restarts = TREE_UNLIMITED;
	s.backoff_min_ms = 100;
	s.backoff_max_ms = 1000;
	s.backoff_multiplier = 2;
	s.backoff_reset_ms = 10000;
}

static struct fsm_ctx
ctx(const struct tree_node *n)
{
	struct fsm_ctx	x;

	memset(&x, 0, sizeof x);
	x.node = n;
	x.sup = &s;
	x.deps_met = 1;
	x.now_ms = 1000;
	return (x);
}

/* The typical child of each state, as the table assumes. */
static void
typical(struct fsm *f, enum fsm_state st)
{
	fsm_init(f, 1);
	f->state = st;
	switch (st) {
	case FSM_HELD:
	case FSM_BACKOFF:
		f->delay_ms = 100;
		f->failures = 1;
		break;
	case FSM_UP:
		f->ready = 1;
		break;
	case FSM_STOPPING:
		f->asked = 1;
		f->want_up = 0;
		break;
	default:
		break;
	}
}

static struct fsm_event
ev(enum fsm_ev type)
{
	struct fsm_event	e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.ex.code = 1;
	return (e);
}

static struct fsm_event
ev_exit(int code, int signo, int group)
{
	struct fsm_event	e = ev(FSM_EV_EXIT);

	e.ex.code = code;
	e.ex.signo = signo;
	e.ex.signaled = signo != 0;
	e.group = group;
	return (e);
}

/* "say,signal,arm": the names of the actions, in order. */
static void
acts(const struct fsm_out *o, char *buf, size_t len)
{
	size_t	off = 0;
	int	i, m;

	buf[0] = '\0';
	for (i = 0; i < o->n && off < len; i++) {
		m = snprintf(buf + off, len - off, "%s%s", i > 0 ? "," : "",
		    fsm_act_name(o->a[i].type));
		if (m > 0)
			off += (size_t)m;
	}
}

static int64_t
arg_of(const struct fsm_out *o, enum fsm_act type)
{
	int	i;

	for (i = 0; i < o->n; i++) {
		if (o->a[i].type == type)
			return (o->a[i].arg);
	}
	return (-1);
}


/* Every state x event pair, with its exact actions and next state. */
static void
test_table(void)
{
	struct fsm	f;
	struct fsm_ctx	x = ctx(&w);
	struct fsm_event e;
	struct fsm_out	o;
	char		buf[512];
	int		seen[FSM_NSTATES][FSM_NEVENTS];
	size_t		i;
	int		st, k, all = 1;

	memset(seen, 0, sizeof seen);
	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		typical(&f, pairs[i].from);
		e = ev(pairs[i].ev);
		fsm_step(&f, &x, &e, &o);
		acts(&o, buf, sizeof buf);
		seen[pairs[i].from][pairs[i].ev]++;
		ok(strcmp(buf, pairs[i].acts) == 0 && f.state == pairs[i].to,
		    "%s x %s: [%s] -> %s", fsm_state_name(pairs[i].from),
		    fsm_event_name(pairs[i].ev), pairs[i].acts,
		    fsm_state_name(pairs[i].to));
		if (strcmp(buf, pairs[i].acts) != 0 || f.state != pairs[i].to)
			printf("#   got [%s] -> %s\n", buf,
			    fsm_state_name(f.state));
	}
	for (st = 0; st < FSM_NSTATES; st++) {
		for (k = 0; k < FSM_NEVENTS; k++) {
			if (seen[st][k] != 1)
				all = 0;
		}
	}
	ok(all, "the table lists each of the %d x %d pairs once",
	    FSM_NSTATES, FSM_NEVENTS);
}

/*
 * Properties of every pair, over many variations of the child, its spec
 * and its supervisor (only consistent lifecycles: asked only while a stop
 * is under way, ready only while up, after_old only before the start).
 */
static int	prop_failed;

static void
prop(int cond, const char *what, const struct fsm *in, int ev, int v)
{
	if (cond)
		return;
	if (prop_failed++ < 10)
		printf("# property '%s' fails: %s x %s, variant %#x\n", what,
		    fsm_state_name(in->state), fsm_event_name(ev), v);
}

static int
last_timer(const struct fsm_out *o)
{
	int	i, t = -1;

	for (i = 0; i < o->n; i++) {
		if (o->a[i].type == FSM_A_ARM || o->a[i].type == FSM_A_DISARM)
			t = o->a[i].type;
	}
	return (t);
}

static void
check_pair(const struct fsm *in, const struct fsm_ctx *x, int evt, int v)
{
	struct fsm		f = *in;
	struct fsm_event	e = ev(evt);
	struct fsm_out		o;
	int			i, nspawn = 0, timed, t;

	e.group = (v >> 12) & 1;
	if ((v >> 13) & 1) {
		e.ex.signaled = 1;
		e.ex.signo = SIGKILL;
	}
	fsm_step(&f, x, &e, &o);
	prop(o.n < FSM_MAXACT, "room for every action", in, evt, v);
	for (i = 0; i < o.n; i++) {
		if (o.a[i].type == FSM_A_SPAWN) {
			nspawn++;
			prop(i == o.n - 1, "spawn comes last", in, evt, v);
		}
		if (o.a[i].type == FSM_A_REPORT)
			prop(!in->retired, "a retired child never reports",
			    in, evt, v);
		if (o.a[i].type == FSM_A_REPLY_UP && o.a[i].arg == 0)
			prop((f.state == FSM_UP && f.ready) ||
			    (f.state == FSM_DOWN && f.end == FSM_END_DONE) ||
			    (f.state == FSM_UP && x->node->oneshot),
			    "up replies only once ready (or done)", in, evt, v);
	}
	prop(nspawn == 0 || x->deps_met, "no spawn before its after list is "
	    "met", in, evt, v);
	prop(f.state != FSM_WAITING || in->state == FSM_WAITING ||
	    !x->deps_met, "waits only for an after list not met", in, evt, v);
	prop(f.end != FSM_END_DONE || x->node->oneshot || in->end ==
	    FSM_END_DONE, "only a one-shot is done", in, evt, v);
	prop(nspawn <= 1, "one spawn at most", in, evt, v);
	if (nspawn == 1)
		prop(f.state == FSM_DOWN || f.state == FSM_HELD ||
		    f.state == FSM_BACKOFF || f.state == FSM_WAITING,
		    "spawns only from down", in, evt, v);
	prop(!f.ready || f.state == FSM_UP, "ready only while up", in, evt, v);
	prop(!f.asked || f.state == FSM_STOPPING || f.state == FSM_DRAINING,
	    "asked only while stopping", in, evt, v);
	prop(f.state != FSM_STOPPING || f.asked, "stopping is always ours",
	    in, evt, v);
	prop(!fsm_unstarted(&f) || (f.state == FSM_DOWN &&
	    f.end == FSM_END_NONE), "unstarted only before the first run",
	    in, evt, v);
	prop(in->end == FSM_END_NONE || f.end != FSM_END_NONE,
	    "never unstarted again", in, evt, v);
	/* Timers: none left in a state that has none; one in BACKOFF. */
	timed = in->state == FSM_BACKOFF || in->state == FSM_STARTING ||
	    in->state == FSM_STOPPING || in->state == FSM_DRAINING;
	t = last_timer(&o);
	if (t == FSM_A_ARM)
		timed = 1;
	else if (t == FSM_A_DISARM)
		timed = 0;
	if (f.state != in->state && (f.state == FSM_DOWN ||
	    f.state == FSM_HELD || f.state == FSM_UP ||
	    f.state == FSM_WAITING) && !fsm_has(&o,
	    FSM_A_FREE))
		prop(!timed, "no timer left where none belongs", in, evt, v);
	if (f.state == FSM_BACKOFF && in->state != FSM_BACKOFF)
		prop(t == FSM_A_ARM, "backoff arms the timer", in, evt, v);
	/* The plan's events always make progress. */
	if (evt == FSM_EV_PLAN_STOP && fsm_plan_stop_needed(in))
		prop(!fsm_plan_stop_needed(&f) || fsm_stopping_by_us(&f),
		    "plan_stop makes progress", in, evt, v);
	if (evt == FSM_EV_PLAN_START && fsm_plan_start_needed(in))
		prop(nspawn == 1 || !fsm_plan_start_needed(&f),
		    "plan_start makes progress", in, evt, v);
	prop(f.state != FSM_DOWN || !fsm_is_up(&f), "down is not up", in,
	    evt, v);
}

static void
test_properties(void)
{
	struct tree_node	 n, sup;
	struct fsm		 f;
	struct fsm_ctx		 x;
	int			 st, e, v, count = 0;

	for (st = 0; st < FSM_NSTATES; st++) {
		for (v = 0; v < (1 << 15); v++) {
			n = (v & 1) ? s : w;
			n.oneshot = !(v & 1) && ((v >> 2) & 1);
			n.restart = (v >> 1) % 3;
			if (n.restart == 0 && ((v >> 1) & 2))
				n.restart = TREE_TEMPORARY;
			if ((v >> 3) & 1)
				n.shutdown_ms = (v >> 4) & 1 ?
				    TREE_SHUTDOWN_BRUTAL :
				    TREE_SHUTDOWN_INFINITY;
			if ((v >> 4) & 1)
				n.ready = TREE_READY_EXEC;
			if ((v >> 5) & 1)
				n.backoff_min_ms = 0;
			sup = s;
			sup.strategy = (v >> 6) & 1 ? TREE_ONE_FOR_ALL :
			    TREE_ONE_FOR_ONE;
			x = ctx(&n);
			x.sup = ((v >> 6) & 3) == 3 ? NULL : &sup;
			x.shutting_down = (v >> 7) & 1;
			x.intensity_full = (v >> 8) & 1;
			x.deps_met = !((v >> 14) & 1);
			typical(&f, st);
			f.want_up = (v >> 9) & 1;
			if (st == FSM_STOPPING)
				f.asked = 1;
			if (st == FSM_DRAINING)
				f.asked = (v >> 10) & 1;
			if (st == FSM_UP)
				f.ready = (v >> 10) & 1;
			if (st == FSM_DOWN) {
				f.end = (v >> 10) & 3;
				f.after_old = f.end == FSM_END_NONE &&
				    ((v >> 2) & 1);
			}
			if (st == FSM_STARTING || st == FSM_UP ||
			    (st == FSM_DRAINING && !f.asked))
				f.cycle = (v >> 11) & 1;
			f.now = (v >> 11) & 1 && st != FSM_DOWN;
			f.retired = ((v >> 12) & 1) && !f.want_up;
			for (e = 0; e < FSM_NEVENTS; e++) {
				check_pair(&f, &x, e, v);
				count++;
			}
		}
	}
	ok(prop_failed == 0, "every pair keeps the invariants (%d steps)",
	    count);
}

/* OTP's cases, one by one. */
static struct fsm	f;
static struct fsm_out	o;
static char		abuf[512];

static const char *
run(const struct fsm_ctx *x, struct fsm_event e)
{
	fsm_step(&f, x, &e, &o);
	acts(&o, abuf, sizeof abuf);
	return (abuf);
}

/* Bring a fresh child up: spawned, then ready. */
static void
up(const struct fsm_ctx *x)
{
	fsm_init(&f, 1);
	(void)run(x, ev(FSM_EV_SPAWNED));
	if (f.state == FSM_STARTING)
		(void)run(x, ev(FSM_EV_READY));
}

static void
test_restart_types(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	up(&x);
	is_str(run(&x, ev_exit(0, 0, 0)), "disarm,reply_up,count,say,arm,report",
	    "permanent: a clean exit is restarted, after a backoff");
	ok(f.state == FSM_BACKOFF && f.restarts == 1 &&
	    f.cause == FSM_CAUSE_EXIT && arg_of(&o, FSM_A_ARM) == 100,
	    "permanent: backoff 100 ms, restart 1, caused by its exit");
	is_int(arg_of(&o, FSM_A_REPLY_UP), 1, "waiters for up hear it failed");

	n.restart = TREE_TRANSIENT;
	up(&x);
	(void)run(&x, ev_exit(0, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_EXITED && !f.want_up &&
	    fsm_nstate(&f, &n) == NS_EXITED,
	    "transient: a normal exit stays down, exited");
	up(&x);
	(void)run(&x, ev_exit(3, 0, 0));
	ok(f.state == FSM_BACKOFF, "transient: an abnormal code restarts");
	up(&x);
	(void)run(&x, ev_exit(0, SIGSEGV, 0));
	ok(f.state == FSM_BACKOFF, "transient: a signal restarts");

	n.restart = TREE_TEMPORARY;
	up(&x);
	(void)run(&x, ev_exit(1, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_EXITED && f.restarts == 0,
	    "temporary: never restarted");
}

/* after lists (dep.c) and one-shots. */
static void
test_deps(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	fsm_init(&f, 1);
	x.deps_met = 0;
	is_str(run(&x, ev(FSM_EV_PLAN_START)), "say,report",
	    "its turn, its after list not met: it says it waits");
	ok(f.state == FSM_WAITING && fsm_nstate(&f, &n) == NS_WAITING &&
	    !fsm_is_up(&f) && !fsm_satisfied(&f) &&
	    !fsm_plan_start_needed(&f), "waiting: not up, not ready, not "
	    "the plan's to start");
	is_int(arg_of(&o, FSM_A_SAY), FSM_SAY_WAITING, "the waiting line");
	is_str(run(&x, ev(FSM_EV_DEPS_MET)), "", "a stray deps_met while "
	    "still not met does nothing");
	x.deps_met = 1;
	is_str(run(&x, ev(FSM_EV_DEPS_MET)), "spawn", "met: it spawns");
	ok(f.state == FSM_WAITING, "still waiting until it is spawned");
	(void)run(&x, ev(FSM_EV_SPAWNED));
	ok(f.state == FSM_STARTING, "spawned: starting");
	(void)run(&x, ev(FSM_EV_READY));
	x.deps_met = 0;
	(void)run(&x, ev_exit(1, 0, 0));
	ok(f.state == FSM_BACKOFF, "it fails: backoff, as usual");
	is_str(run(&x, ev(FSM_EV_TIMER)), "disarm,say,report",
	    "the restart is due but what it waits for is down: it waits "
	    "again");
	ok(f.state == FSM_WAITING, "waiting again");
	is_str(run(&x, ev(FSM_EV_STOP)),
	    "unqueue,disarm,reply_down,report,replan", "a stop ends the "
	    "wait");
	ok(f.state == FSM_DOWN && f.manual, "down, by hand");
	x.deps_met = 1;

	/* One-shots. */
	n.oneshot = 1;
	n.restart = TREE_TRANSIENT;
	n.ready = TREE_READY_EXEC;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	ok(f.state == FSM_UP && !f.ready && fsm_nstate(&f, &n) == NS_RUNNING &&
	    !fsm_satisfied(&f), "a running one-shot is not ready");
	is_str(run(&x, ev_exit(0, 0, 0)), "disarm,reply_up,report,replan",
	    "exit 0: done, answered as a success");
	ok(f.state == FSM_DOWN && f.end == FSM_END_DONE && !f.want_up &&
	    fsm_nstate(&f, &n) == NS_DONE && fsm_satisfied(&f),
	    "done: down, not wanted up, ready for its supervisor");
	is_str(run(&x, ev(FSM_EV_STRATEGY)), "", "a strategy's restart "
	    "leaves a one-shot that is done as it is");
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	is_str(run(&x, ev_exit(2, 0, 0)), "disarm,reply_up,count,say,arm,report",
	    "a failure is retried with the backoff, counted");
	ok(f.state == FSM_BACKOFF && f.restarts == 1, "backoff, restart 1");
	n.restart = TREE_PERMANENT;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	(void)run(&x, ev_exit(0, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_DONE,
	    "even a permanent one-shot is done after exit 0");
	n.restart = TREE_TEMPORARY;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	(void)run(&x, ev_exit(1, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_EXITED,
	    "a temporary one-shot that fails is not retried");
	n.restart = TREE_TRANSIENT;
	n.ready = TREE_READY_NOTIFY;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	(void)run(&x, ev_exit(0, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_DONE,
	    "a one-shot may succeed before its readiness protocol spoke");
}

static void
test_max_restarts(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	n.max_restarts = 1;
	up(&x);
	(void)run(&x, ev_exit(1, 0, 0));
	ok(f.state == FSM_BACKOFF && f.exits == 1, "max_restarts 1: once");
	(void)run(&x, ev(FSM_EV_TIMER));
	(void)run(&x, ev(FSM_EV_SPAWNED));
	(void)run(&x, ev(FSM_EV_READY));
	is_str(run(&x, ev_exit(1, 0, 0)),
	    "disarm,say,reply_up,report,replan",
	    "max_restarts 1: the second end gives up");
	ok(f.state == FSM_DOWN && f.end == FSM_END_FAILED &&
	    arg_of(&o, FSM_A_SAY) == FSM_SAY_MAX_RESTARTS &&
	    fsm_nstate(&f, &n) == NS_FAILED, "... failed, and says why");
}

static void
test_intensity(void)
{
	struct fsm_ctx	x = ctx(&w);

	x.intensity_full = 1;
	up(&x);
	is_str(run(&x, ev_exit(1, 0, 0)), "disarm,reply_up,say,report,escalate",
	    "intensity reached: the supervisor gives up");
	ok(f.state == FSM_DOWN && f.end == FSM_END_FAILED &&
	    arg_of(&o, FSM_A_ESCALATE) == 1 && f.restarts == 0 &&
	    arg_of(&o, FSM_A_SAY) == FSM_SAY_GAVE_UP,
	    "... with exit 1, failed, nothing counted");
}

static void
test_backoff(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);
	int64_t			want[] = { 100, 200, 400, 800, 1000, 1000 };
	int			i, good = 1;

	up(&x);
	for (i = 0; i < 6; i++) {
		(void)run(&x, ev_exit(1, 0, 0));
		if (arg_of(&o, FSM_A_ARM) != want[i])
			good = 0;
		(void)run(&x, ev(FSM_EV_TIMER));
		(void)run(&x, ev(FSM_EV_SPAWNED));
		(void)run(&x, ev(FSM_EV_READY));
	}
	ok(good, "backoff doubles from 100 ms up to 1 s on quick crashes");
	x.now_ms += 20000;
	(void)run(&x, ev_exit(1, 0, 0));
	is_int(arg_of(&o, FSM_A_ARM), 100, "a long run resets the backoff");

	n.backoff_min_ms = 0;
	up(&x);
	is_str(run(&x, ev_exit(1, 0, 0)), "disarm,reply_up,count,say,report,spawn",
	    "no backoff: restarted at once, in the same turn");
	ok(f.state == FSM_HELD && f.restarts == 1, "... held until spawned");
	(void)run(&x, ev(FSM_EV_SPAWNED));
	ok(f.state == FSM_STARTING, "... then starting");
	fsm_init(&f, 1);
	is_str(run(&x, ev(FSM_EV_SPAWN_FAILED)),
	    "disarm,reply_up,count,say,arm,report",
	    "no backoff, but a failed start goes through the timer");
	is_int(arg_of(&o, FSM_A_ARM), FSM_START_FAIL_FLOOR_MS,
	    "... of the start-failure floor, not 0 ms");
}

/*
 * add keeps no worker whose first start failed: the answer to those
 * waiting for it says whether it ever ran (REPLY_UP 2: never; 1: it ran).
 */
static void
test_never_ran(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	fsm_init(&f, 1);
	ok(fsm_never_ran(&f), "a new child never ran");
	(void)run(&x, ev(FSM_EV_SPAWN_FAILED));
	is_int(arg_of(&o, FSM_A_REPLY_UP), 2,
	    "a first start that fails answers 'never ran'");
	ok(fsm_never_ran(&f) && f.state == FSM_BACKOFF,
	    "... and it is restarted as any start failure");
	x.now_ms += 60000;
	(void)run(&x, ev(FSM_EV_TIMER));
	(void)run(&x, ev(FSM_EV_SPAWN_FAILED));
	is_int(arg_of(&o, FSM_A_REPLY_UP), 2,
	    "... so does a later one, while it never ran");
	up(&x);
	ok(!fsm_never_ran(&f), "a spawn that succeeded: it ran");
	(void)run(&x, ev_exit(1, 0, 0));
	is_int(arg_of(&o, FSM_A_REPLY_UP), 1, "an end after a run answers 1");
	x.now_ms += 60000;
	(void)run(&x, ev(FSM_EV_TIMER));
	(void)run(&x, ev(FSM_EV_SPAWN_FAILED));
	is_int(arg_of(&o, FSM_A_REPLY_UP), 1,
	    "a start that fails once it ran answers 1");
	n.restart = TREE_TEMPORARY;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWN_FAILED));
	ok(arg_of(&o, FSM_A_REPLY_UP) == 2 && !f.want_up,
	    "a temporary child that cannot start stays down, 'never ran'");
}

static void
test_strategies(void)
{
	struct tree_node	n = w, sup = s;
	struct fsm_ctx		x = ctx(&n);
	struct fsm		sib;

	sup.strategy = TREE_ONE_FOR_ALL;
	x.sup = &sup;
	up(&x);
	is_str(run(&x, ev_exit(1, 0, 0)),
	    "disarm,reply_up,count,say,queue_start,fanout,report,replan",
	    "one_for_all: held, queued, the siblings fanned out");
	ok(f.state == FSM_HELD && fsm_nstate(&f, &n) == NS_BACKOFF,
	    "... held, shown as backoff");
	is_str(run(&x, ev(FSM_EV_PLAN_START)), "arm,report",
	    "... its turn: the backoff runs");
	ok(f.state == FSM_BACKOFF, "... backoff");

	/* A running sibling: restarted by the strategy, and counted. */
	up(&x);
	sib = f;
	is_str(run(&x, ev(FSM_EV_STRATEGY)), "queue_start,queue_stop,report",
	    "a running sibling is queued to stop and start");
	ok(f.cycle && f.restarts == 1 && f.exits == 0 &&
	    f.cause == FSM_CAUSE_STRATEGY,
	    "... one restart, caused by the strategy");
	is_str(run(&x, ev(FSM_EV_PLAN_STOP)), "say,signal,arm,report",
	    "... stopped in turn with its stop signal");
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGTERM, "... SIGTERM");
	is_str(run(&x, ev_exit(0, SIGTERM, 0)),
	    "disarm,say,reply_down,report,replan", "... stopped");
	ok(f.state == FSM_DOWN && f.want_up && !f.cycle,
	    "... down, still wanted up");
	is_str(run(&x, ev(FSM_EV_PLAN_START)), "spawn", "... then started");

	/* As in OTP, a temporary child taken down by a restart stays down. */
	n.restart = TREE_TEMPORARY;
	f = sib;
	is_str(run(&x, ev(FSM_EV_STRATEGY)), "unqueue,queue_stop",
	    "a temporary sibling is only queued to stop");
	ok(!f.want_up && f.restarts == 0, "... not wanted any more");
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_DOWN && !f.want_up && !fsm_plan_start_needed(&f),
	    "... and stays down");

	/* A sibling that is not wanted is left alone. */
	n.restart = TREE_PERMANENT;
	fsm_init(&f, 0);
	is_str(run(&x, ev(FSM_EV_STRATEGY)), "", "a stopped sibling stays");
	/* One that waits for its first start is queued, not counted. */
	fsm_init(&f, 1);
	is_str(run(&x, ev(FSM_EV_STRATEGY)), "queue_start",
	    "a sibling not started yet is queued");
	is_int(f.restarts, 0, "... and not counted");
}

static void
test_significant(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	n.restart = TREE_TRANSIENT;
	n.significant = 1;
	up(&x);
	(void)run(&x, ev_exit(0, 0, 0));
	ok(fsm_has(&o, FSM_A_SIGNIFICANT), "a significant child's end is "
	    "handed to auto_shutdown");
	n.significant = 0;
	up(&x);
	(void)run(&x, ev_exit(0, 0, 0));
	ok(!fsm_has(&o, FSM_A_SIGNIFICANT), "... and only a significant one");
}

static void
test_shutdown_kinds(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	n.shutdown_ms = TREE_SHUTDOWN_BRUTAL;
	up(&x);
	(void)run(&x, ev(FSM_EV_STOP));
	is_str(run(&x, ev(FSM_EV_PLAN_STOP)), "say,signal,disarm,report",
	    "brutal_kill: SIGKILL, no kill timer");
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGKILL, "... SIGKILL");
	n.shutdown_ms = TREE_SHUTDOWN_INFINITY;
	up(&x);
	(void)run(&x, ev(FSM_EV_STOP));
	is_str(run(&x, ev(FSM_EV_PLAN_STOP)), "say,signal,disarm,report",
	    "infinity: the stop signal, no kill timer");
	n.shutdown_ms = 250;
	n.stop_signal = SIGINT;
	up(&x);
	(void)run(&x, ev(FSM_EV_STOP));
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	ok(arg_of(&o, FSM_A_SIGNAL) == SIGINT &&
	    arg_of(&o, FSM_A_ARM) == 250, "a timeout: stop_signal, then the "
	    "kill timer");
	is_str(run(&x, ev(FSM_EV_TIMER)), "say,signal",
	    "the kill timer: SIGKILL");
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGKILL, "... SIGKILL");
	s.shutdown_ms = TREE_SHUTDOWN_INFINITY;
	x = ctx(&s);
	up(&x);
	(void)run(&x, ev(FSM_EV_STOP));
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGTERM,
	    "a child supervisor gets SIGTERM");
}

/*
 * A failed liveness check (health.c) is a crash: the worker is stopped
 * with its stop sequence, then its end is counted and restarted as an
 * abnormal exit, whatever its exit status and restart type.
 */
static void
test_fail(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);
	struct fsm_event	e;

	n.restart = TREE_TRANSIENT;
	up(&x);
	is_str(run(&x, ev(FSM_EV_FAIL)), "say,signal,arm,report",
	    "fail: the stop sequence begins");
	ok(f.state == FSM_STOPPING && f.failed && f.asked &&
	    arg_of(&o, FSM_A_SIGNAL) == SIGTERM &&
	    arg_of(&o, FSM_A_ARM) == 5000, "... SIGTERM, then the kill timer");
	is_str(run(&x, ev_exit(0, 0, 0)), "disarm,reply_up,count,say,arm,report",
	    "fail: its clean exit is counted and restarted");
	ok(f.state == FSM_BACKOFF && f.restarts == 1 && f.exits == 1 &&
	    f.cause == FSM_CAUSE_EXIT && f.ex.failed && !f.ex.by_us &&
	    !f.failed && !f.asked, "... as an abnormal exit, even transient");

	up(&x);
	e = ev(FSM_EV_FAIL);
	e.ex.signo = SIGABRT;
	(void)run(&x, e);
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGABRT,
	    "fail with a signal (watchdog): that signal first");
	(void)run(&x, ev(FSM_EV_TIMER));
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGKILL, "... SIGKILL when overdue");

	n.shutdown_ms = TREE_SHUTDOWN_BRUTAL;
	up(&x);
	(void)run(&x, e);
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGKILL,
	    "fail under brutal_kill: SIGKILL, whatever the signal");
	n.shutdown_ms = 5000;

	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	(void)run(&x, ev(FSM_EV_STOP));
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_STOPPED && f.restarts == 0,
	    "fail, then a stop by hand: stopped, not restarted");

	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	(void)run(&x, ev(FSM_EV_RESTART));
	is_str(run(&x, ev_exit(0, SIGTERM, 0)), "disarm,report,spawn",
	    "fail, then a restart by hand: started again, not counted");

	n.restart = TREE_TEMPORARY;
	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_EXITED,
	    "fail, temporary: stays down");
	n.restart = TREE_PERMANENT;

	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	x.intensity_full = 1;
	is_str(run(&x, ev_exit(0, SIGTERM, 0)),
	    "disarm,reply_up,say,report,escalate",
	    "fail with the budget spent: the supervisor gives up");
	x.intensity_full = 0;

	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	x.shutting_down = 1;
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_STOPPED,
	    "fail during a shutdown: stopped");
	x.shutting_down = 0;

	s.strategy = TREE_ONE_FOR_ALL;
	up(&x);
	(void)run(&x, ev(FSM_EV_FAIL));
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_HELD && fsm_has(&o, FSM_A_FANOUT),
	    "fail under one_for_all: the siblings restart too");
	s.strategy = TREE_ONE_FOR_ONE;
}

/* EXTEND_TIMEOUT_USEC, RELOADING=1. */
static void
test_notify_events(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);
	struct fsm_event	e = ev(FSM_EV_EXTEND);

	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWNED));
	e.ms = 60000;
	is_str(run(&x, e), "arm", "extend: beyond start_timeout, re-armed");
	is_int(arg_of(&o, FSM_A_ARM), 60000, "... for the time asked");
	e.ms = 1000;
	is_str(run(&x, e), "", "extend: sooner than the deadline: nothing");
	(void)run(&x, ev(FSM_EV_READY));
	is_str(run(&x, ev(FSM_EV_RELOADING)), "report", "reloading: shown");
	ok(f.reloading && f.ready && fsm_nstate(&f, &n) == NS_RELOADING,
	    "... as reloading, still ready");
	is_str(run(&x, ev(FSM_EV_READY)), "report", "ready again: shown");
	ok(!f.reloading && fsm_nstate(&f, &n) == NS_READY, "... as ready");
	(void)run(&x, ev(FSM_EV_RELOADING));
	(void)run(&x, ev(FSM_EV_STOP));
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	ok(!f.reloading && f.state == FSM_STOPPING,
	    "a stop ends the reload");
}

static void
test_start_timeout(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	n.restart = TREE_TRANSIENT;
	fsm_init(&f, 1);
	is_str(run(&x, ev(FSM_EV_SPAWNED)), "arm,report",
	    "a readiness protocol: starting, with the start timer");
	is_int(arg_of(&o, FSM_A_ARM), 30000, "... of start_timeout");
	ok(fsm_nstate(&f, &n) == NS_STARTING, "... shown starting");
	is_str(run(&x, ev(FSM_EV_TIMER)), "say,signal",
	    "not ready in time: killed");
	(void)run(&x, ev_exit(0, SIGKILL, 0));
	ok(f.ex.start_failed && f.state == FSM_BACKOFF,
	    "... a start failure: restarted even though transient");
	n.backoff_min_ms = 0;
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_SPAWN_FAILED));
	ok(f.state == FSM_BACKOFF && arg_of(&o, FSM_A_ARM) ==
	    FSM_START_FAIL_FLOOR_MS,
	    "a failed start waits the floor even with backoff_min = 0");
	n.backoff_min_ms = w.backoff_min_ms;
	n.ready = TREE_READY_EXEC;
	fsm_init(&f, 1);
	is_str(run(&x, ev(FSM_EV_SPAWNED)), "disarm,reply_up,report,replan",
	    "ready = exec: up and ready at once");
	ok(fsm_nstate(&f, &n) == NS_RUNNING && f.ready, "... running");
}

static void
test_shutdown(void)
{
	struct fsm_ctx	x = ctx(&w);

	up(&x);
	(void)run(&x, ev_exit(1, 0, 0));
	is_str(run(&x, ev(FSM_EV_SHUTDOWN)), "disarm,reply_down,report",
	    "shutdown during backoff: stopped at once");
	ok(f.state == FSM_DOWN && f.end == FSM_END_STOPPED, "... stopped");
	up(&x);
	x.shutting_down = 1;
	(void)run(&x, ev(FSM_EV_SHUTDOWN));
	(void)run(&x, ev_exit(1, 0, 0));
	ok(f.state == FSM_DOWN && f.end == FSM_END_STOPPED &&
	    !fsm_has(&o, FSM_A_COUNT), "an end during a shutdown is not "
	    "restarted");
	fsm_init(&f, 1);
	ok(fsm_unstarted(&f), "a new child waits for its first start");
	is_str(run(&x, ev(FSM_EV_SHUTDOWN)), "report",
	    "... a shutdown: it no longer does, and says so");
	ok(!fsm_unstarted(&f) && fsm_nstate(&f, &w) == NS_STOPPED &&
	    fsm_satisfied(&f), "... stopped");
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_STOP));
	ok(!fsm_unstarted(&f) && f.manual, "a stop by hand too");
}

static void
test_drain(void)
{
	struct tree_node	n = w;
	struct fsm_ctx		x = ctx(&n);

	up(&x);
	is_str(run(&x, ev_exit(1, 0, 1)), "signal,arm,report",
	    "its leader ended, its group did not: drained");
	ok(f.state == FSM_DRAINING && !f.asked && fsm_is_up(&f) &&
	    fsm_nstate(&f, &n) == NS_STOPPING, "... shown stopping, up still");
	is_int(arg_of(&o, FSM_A_SIGNAL), SIGTERM, "... its stop signal");
	(void)run(&x, ev(FSM_EV_GONE));
	ok(f.state == FSM_BACKOFF && f.ex.code == 1, "the group gone: "
	    "restarted as its leader's end says");

	up(&x);
	(void)run(&x, ev(FSM_EV_STOP));
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	is_str(run(&x, ev_exit(0, SIGTERM, 1)), "",
	    "our stop, its group lives on: the kill timer goes on");
	ok(f.state == FSM_DRAINING && f.asked && fsm_stopping_by_us(&f),
	    "... draining, our stop");
	(void)run(&x, ev(FSM_EV_GONE));
	ok(f.state == FSM_DOWN && f.end == FSM_END_STOPPED, "... then stopped");

	up(&x);
	(void)run(&x, ev_exit(1, 0, 1));
	(void)run(&x, ev(FSM_EV_START));
	is_str(run(&x, ev(FSM_EV_GONE)), "disarm,report,spawn",
	    "a start by hand while it drained: started once it is gone");
}

static void
test_supervisor_child(void)
{
	struct fsm_ctx	x = ctx(&s);

	fsm_init(&f, 1);
	is_str(run(&x, ev(FSM_EV_SPAWNED)), "disarm,report",
	    "a child supervisor: starting, no start timer");
	is_str(run(&x, ev(FSM_EV_READY)), "disarm,reply_up,report,replan",
	    "... its subtree ready: up, no \"ready\" line");
	ok(fsm_nstate(&f, &s) == NS_RUNNING, "... shown running");
	is_str(run(&x, ev(FSM_EV_UNREADY)), "report", "... not ready again");
	ok(!f.ready && f.state == FSM_UP, "... up, not ready");
	is_str(run(&x, ev(FSM_EV_READY)), "reply_up,report,replan",
	    "... ready again: answers and moves the plan");
	is_str(run(&x, ev_exit(2, 0, 0)),
	    "wipe,disarm,reply_up,count,say,arm,report",
	    "it died with 2: its subtree is wiped, it is restarted");
	up(&x);
	(void)run(&x, ev_exit(1, 0, 0));
	ok(!fsm_has(&o, FSM_A_WIPE), "it gave up (1): its subtree is down");
	up(&x);
	is_str(run(&x, ev(FSM_EV_KILL)), "disarm,signal,wipe,report",
	    "killed at once: SIGKILL and its subtree too");
}

static void
test_top(void)
{
	struct fsm_ctx	x = ctx(&s);

	x.sup = NULL;
	up(&x);
	is_str(run(&x, ev_exit(0, 0, 0)), "disarm,report,escalate",
	    "the top: the root ended well, the tree ends");
	ok(f.end == FSM_END_EXITED && arg_of(&o, FSM_A_ESCALATE) == 0,
	    "... exited, status 0");
	up(&x);
	(void)run(&x, ev_exit(0, SIGKILL, 0));
	ok(f.end == FSM_END_FAILED && arg_of(&o, FSM_A_ESCALATE) == 1 &&
	    arg_of(&o, FSM_A_SAY) == FSM_SAY_TREE_FAILED,
	    "... the root killed: the tree failed, status 1");
}

static void
test_by_hand(void)
{
	struct fsm_ctx	x = ctx(&w);

	up(&x);
	is_str(run(&x, ev(FSM_EV_RESTART)), "unqueue,queue_stop,report",
	    "restart by hand: queued to stop");
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	is_str(run(&x, ev_exit(0, SIGTERM, 0)),
	    "disarm,say,reply_down,report,replan,spawn",
	    "... stopped, then started at once");
	(void)run(&x, ev(FSM_EV_SPAWNED));
	is_int(f.restarts, 0, "... a restart by hand is not counted");
	(void)run(&x, ev(FSM_EV_READY));
	is_str(run(&x, ev(FSM_EV_STOP)), "unqueue,queue_stop,report",
	    "stop by hand: queued to stop");
	ok(f.manual && !f.want_up, "... manual");
	(void)run(&x, ev(FSM_EV_PLAN_STOP));
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(f.state == FSM_DOWN && f.manual && fsm_satisfied(&f),
	    "... stopped, and fine so");
	is_str(run(&x, ev(FSM_EV_START)), "unqueue,report,spawn",
	    "start by hand: spawned at once, out of order");
	ok(!f.manual, "... no longer manual");
	up(&x);
	is_str(run(&x, ev(FSM_EV_START)), "unqueue,reply_up,report",
	    "start of a ready child: answered at once");
	(void)run(&x, ev_exit(1, 0, 0));
	(void)run(&x, ev(FSM_EV_START));
	ok(fsm_has(&o, FSM_A_DISARM) && fsm_has(&o, FSM_A_SPAWN) &&
	    f.delay_ms == 0 && f.failures == 0,
	    "start by hand during backoff: now, with a fresh backoff");
}

static void
test_reload(void)
{
	struct fsm_ctx	x = ctx(&w);
	struct fsm_event hold;

	fsm_init(&f, 1);
	f.after_old = 1;
	ok(!fsm_plan_start_needed(&f), "a replacement waits for its old self");
	is_str(run(&x, ev(FSM_EV_PLAN_START)), "", "... the plan cannot start it");
	is_str(run(&x, ev(FSM_EV_START)), "unqueue,queue_start,report,replan",
	    "... nor a start by hand: it is queued");
	is_str(run(&x, ev(FSM_EV_OLD_GONE)), "replan", "its old self gone");
	is_str(run(&x, ev(FSM_EV_PLAN_START)), "spawn", "... it starts");
	up(&x);
	is_str(run(&x, ev(FSM_EV_RETIRE)), "unqueue,say,signal,arm",
	    "retired while running: stopped, without reports");
	is_str(run(&x, ev_exit(0, SIGTERM, 0)), "disarm,say,free",
	    "... gone: freed");
	is_int(arg_of(&o, FSM_A_SAY), FSM_SAY_RETIRED, "... \"stopped (reload)\"");

	/* A held retire: removed ones stop in turn (reload.c). */
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_PLAN_START));
	up(&x);
	hold = ev(FSM_EV_RETIRE);
	hold.hold = 1;
	is_str(run(&x, hold), "unqueue", "held retire: retired, still running");
	ok(f.retired && fsm_is_up(&f) && !f.want_up, "... up, not wanted");
	is_str(run(&x, ev(FSM_EV_RETIRE)), "unqueue,say,signal,arm",
	    "... its turn: stopped");
	(void)run(&x, ev_exit(0, SIGTERM, 0));
	ok(fsm_has(&o, FSM_A_FREE), "... gone: freed");
	fsm_init(&f, 1);
	(void)run(&x, ev(FSM_EV_PLAN_START));
	up(&x);
	(void)run(&x, hold);
	is_str(run(&x, ev_exit(1, 0, 0)), "disarm,say,free",
	    "held, it ends by itself: freed, never restarted");
	fsm_init(&f, 1);
	is_str(run(&x, hold), "unqueue,disarm,free",
	    "held retire of a child that is down: freed at once");
}

/* The plan over a few children, with the actions carried out by hand. */
#define NKIDS	3
static struct fsm	kids[NKIDS];
static struct plan	pl;
static int		shutting;
static struct tree_node	ksup;

static const struct fsm *
kid(void *arg, int i)
{
	(void)arg;
	return (&kids[i]);
}

static void	feed(int, struct fsm_event);

static void
fanout(int failed)
{
	int	stop[NKIDS], start[NKIDS], nstop, nstart, i;

	policy_fanout(ksup.strategy, NKIDS, failed, stop, &nstop, start,
	    &nstart);
	for (i = 0; i < nstop; i++)
		feed(stop[i], ev(FSM_EV_STRATEGY));
}

static void
feed(int i, struct fsm_event e)
{
	struct fsm_ctx	x = ctx(&w);
	struct fsm_out	out;
	int		k;

	x.sup = &ksup;
	x.shutting_down = shutting;
	fsm_step(&kids[i], &x, &e, &out);
	for (k = 0; k < out.n; k++) {
		switch (out.a[k].type) {
		case FSM_A_SPAWN:
			feed(i, ev(FSM_EV_SPAWNED));
			break;
		case FSM_A_QUEUE_START:
			plan_queue_start(&pl, i);
			break;
		case FSM_A_UNQUEUE:
			plan_unqueue(&pl, i);
			break;
		case FSM_A_QUEUE_STOP:
			plan_queue_stop(&pl, i);
			break;
		case FSM_A_FANOUT:
			fanout(i);
			break;
		default:
			break;
		}
	}
}

/* Run the plan until it waits: "start0 stop2 ...". */
static const char *
drive(void)
{
	static char	buf[256];
	size_t		off = 0;
	int		i, guard = 0;
	enum plan_op	op;

	buf[0] = '\0';
	while ((op = plan_next(&pl, kid, NULL, shutting, &i)) == PLAN_STOP ||
	    op == PLAN_START) {
		off += snprintf(buf + off, sizeof buf - off, "%s%s%d",
		    off > 0 ? " " : "", op == PLAN_STOP ? "stop" : "start", i);
		feed(i, ev(op == PLAN_STOP ? FSM_EV_PLAN_STOP :
		    FSM_EV_PLAN_START));
		if (++guard > 50 || off >= sizeof buf)
			break;
	}
	return (buf);
}

static void
plan_reset(enum tree_strategy strategy)
{
	int	i;

	ksup = s;
	ksup.strategy = strategy;
	shutting = 0;
	plan_free(&pl);
	plan_init(&pl, NKIDS);
	for (i = 0; i < NKIDS; i++)
		fsm_init(&kids[i], 1);
}

/* Start them all, each once the one before is ready. */
static int
all_up(void)
{
	int	i, k;

	for (k = 0; k < NKIDS; k++) {
		(void)drive();
		for (i = 0; i < NKIDS; i++)
			feed(i, ev(FSM_EV_READY));
	}
	(void)drive();
	for (i = 0; i < NKIDS; i++) {
		if (kids[i].state != FSM_UP || !kids[i].ready)
			return (0);
	}
	return (1);
}

static void
test_plan(void)
{
	plan_reset(TREE_ONE_FOR_ONE);
	is_str(drive(), "start0", "start-up: the first child, then wait");
	is_str(drive(), "", "... nothing more until it is ready");
	feed(0, ev(FSM_EV_READY));
	is_str(drive(), "start1", "... ready: the next one");
	feed(1, ev(FSM_EV_READY));
	is_str(drive(), "start2", "... and the last");
	feed(2, ev(FSM_EV_READY));
	is_str(drive(), "", "all ready: nothing to do");

	feed(1, ev_exit(1, 0, 0));
	is_str(drive(), "", "one_for_one: the plan stays out of a restart");
	ok(kids[1].state == FSM_BACKOFF && kids[0].state == FSM_UP &&
	    kids[2].state == FSM_UP, "... only the child that ended");

	plan_reset(TREE_ONE_FOR_ALL);
	ok(all_up(), "one_for_all: all up");
	feed(1, ev_exit(1, 0, 0));
	is_str(drive(), "stop2", "one_for_all: the last one stops first");
	feed(2, ev_exit(0, SIGTERM, 0));
	is_str(drive(), "stop0", "... then the first");
	feed(0, ev_exit(0, SIGTERM, 0));
	is_str(drive(), "start0", "... once down, the first starts");
	feed(0, ev(FSM_EV_READY));
	is_str(drive(), "start1", "... ready: the failed one's turn");
	ok(kids[1].state == FSM_BACKOFF, "... it backs off first");
	feed(1, ev(FSM_EV_TIMER));
	feed(1, ev(FSM_EV_READY));
	is_str(drive(), "start2", "... then the last");
	ok(kids[0].restarts == 1 && kids[2].restarts == 1 &&
	    kids[1].restarts == 1 && kids[0].cause == FSM_CAUSE_STRATEGY &&
	    kids[1].cause == FSM_CAUSE_EXIT,
	    "one restart each: two by the strategy, one by its exit");

	plan_reset(TREE_REST_FOR_ONE);
	ok(all_up(), "rest_for_one: all up");
	feed(1, ev_exit(1, 0, 0));
	is_str(drive(), "stop2", "rest_for_one: only the ones after it stop");
	ok(kids[0].state == FSM_UP && kids[0].restarts == 0,
	    "... the one before is untouched");

	plan_reset(TREE_ONE_FOR_ONE);
	ok(all_up(), "all up again");
	shutting = 1;
	feed(0, ev(FSM_EV_SHUTDOWN));
	feed(1, ev(FSM_EV_SHUTDOWN));
	feed(2, ev(FSM_EV_SHUTDOWN));
	plan_stop_all(&pl);
	is_str(drive(), "stop2", "shutdown: in reverse order");
	feed(2, ev_exit(0, SIGTERM, 0));
	is_str(drive(), "stop1", "... one at a time");
	feed(1, ev_exit(0, SIGTERM, 0));
	is_str(drive(), "stop0", "... to the first");
	feed(0, ev_exit(0, SIGTERM, 0));
	is_str(drive(), "", "... and nothing starts");
	plan_free(&pl);
}

static struct tree_node *
mk(const char *path, enum tree_kind kind, const char *digest)
{
	struct tree_node	*n;

	n = calloc(1, sizeof *n);
	n->path = (char *)path;
	n->kind = kind;
	n->digest = (char *)digest;
	return (n);
}

static void
test_diff(void)
{
	const struct tree_node	*old[5], *new[5];
	struct diff		 d;
	int			 i;

	old[0] = mk("a", TREE_WORKER, "x");
	old[1] = mk("b", TREE_WORKER, "x");
	old[2] = mk("c", TREE_SUPERVISOR, "x");
	old[3] = mk("d", TREE_WORKER, "x");
	old[4] = mk("e", TREE_WORKER, "x");
	new[0] = mk("e", TREE_WORKER, "x");	/* moved, unchanged */
	new[1] = mk("b", TREE_WORKER, "y");	/* changed */
	new[2] = mk("c", TREE_SUPERVISOR, "y");	/* a supervisor: kept */
	new[3] = mk("d", TREE_SUPERVISOR, "x");	/* another kind */
	new[4] = mk("f", TREE_WORKER, "x");	/* new */
	diff_children(old, 5, new, 5, &d);
	ok(d.keep[0] == 4 && d.replaces[0] == -1,
	    "an unchanged worker keeps its slot, wherever it moved");
	ok(d.keep[1] == -1 && d.replaces[1] == 1 && d.fate[1] == DIFF_REPLACE,
	    "a changed worker is replaced");
	ok(d.keep[2] == 2 && d.fate[2] == DIFF_KEEP,
	    "a child supervisor is always kept");
	ok(d.keep[3] == -1 && d.replaces[3] == 3,
	    "a child of another kind is replaced");
	ok(d.keep[4] == -1 && d.replaces[4] == -1, "a new child gets a slot");
	ok(d.fate[0] == DIFF_REMOVE, "a child gone from the spec is removed");
	ok(d.kept == 2 && d.changed == 2 && d.added == 1 && d.removed == 1,
	    "counts: 2 kept, 2 changed, 1 added, 1 removed");
	diff_free(&d);
	diff_children(old, 0, new, 0, &d);
	ok(d.kept + d.changed + d.added + d.removed == 0, "nothing to nothing");
	diff_free(&d);
	for (i = 0; i < 5; i++) {
		free((void *)old[i]);
		free((void *)new[i]);
	}
}

int
main(void)
{
	fixtures();
	test_table();
	test_properties();
	test_restart_types();
	test_never_ran();
	test_deps();
	test_max_restarts();
	test_intensity();
	test_backoff();
	test_strategies();
	test_significant();
	test_shutdown_kinds();
	test_start_timeout();
	test_fail();
	test_notify_events();
	test_shutdown();
	test_drain();
	test_supervisor_child();
	test_top();
	test_by_hand();
	test_reload();
	test_plan();
	test_diff();
	return (done_testing());
}
