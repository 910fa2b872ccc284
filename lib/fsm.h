/*
 * fsm.h: the lifecycle of one child of a supervisor as a pure state
 * machine. fsm_step() takes the child's spec, its state, one event and the
 * time, and returns the next state and the actions to carry out; sv.c
 * carries them out. The table and its reasons are in fsm.c and in
 * docs/lifecycle.md.
 */
#ifndef FSM_H
#define FSM_H

#include <stdint.h>

#include "policy.h"
#include "tree.h"

/* Where the child's process is. */
enum fsm_state {
	FSM_DOWN,	/* no process, no timer: ended, stopped or not started */
	FSM_HELD,	/* a restart is decided; waits for its turn in the plan */
	FSM_BACKOFF,	/* no process; the restart timer runs */
	FSM_STARTING,	/* spawned; not ready yet */
	FSM_UP,		/* running (fsm.ready: and ready) */
	FSM_STOPPING,	/* we signalled it; waiting for the leader to end */
	FSM_DRAINING,	/* the leader ended; its process group lives on */
	FSM_WAITING	/* no process; its after conditions are not met */
};
#define FSM_NSTATES	8

/*
 * The least delay before a restart after a failed start (exec failed,
 * ended or timed out before it was ready), even with backoff_min = 0: a
 * command that cannot start (EMFILE, ENOENT, ...) never loops hot.
 */
#define FSM_START_FAIL_FLOOR_MS	100

enum fsm_ev {
	FSM_EV_PLAN_START,	/* the ordered start reached it */
	FSM_EV_PLAN_STOP,	/* the ordered stop reached it */
	FSM_EV_START,		/* start by hand */
	FSM_EV_RESTART,		/* restart by hand */
	FSM_EV_STOP,		/* stop by hand */
	FSM_EV_STRATEGY,	/* a sibling's restart takes it down and up */
	FSM_EV_SHUTDOWN,	/* its supervisor shuts down */
	FSM_EV_RETIRE,		/* a reload removed or replaced it */
	FSM_EV_KILL,		/* kill at once (a second interrupt) */
	FSM_EV_SPAWNED,		/* the spawn asked for succeeded */
	FSM_EV_SPAWN_FAILED,	/* the spawn asked for failed */
	FSM_EV_READY,		/* ready (readiness protocol, or subtree) */
	FSM_EV_UNREADY,		/* a child supervisor's subtree is not ready */
	FSM_EV_EXIT,		/* the leader ended (fsm_event.ex, .group) */
	FSM_EV_GONE,		/* the group of a draining worker is gone */
	FSM_EV_TIMER,		/* its timer fired */
	FSM_EV_OLD_GONE,	/* its old self (before a reload) is gone */
	FSM_EV_DEPS_MET,	/* its after conditions are met now */
	FSM_EV_FAIL,		/* a liveness check failed (health.c): stop
				   it, first with fsm_event.ex.signo if set;
				   its end is abnormal */
	FSM_EV_EXTEND,		/* EXTEND_TIMEOUT_USEC: fsm_event.ms more */
	FSM_EV_RELOADING	/* RELOADING=1 (READY=1 ends it) */
};
#define FSM_NEVENTS	21

enum fsm_act {
	FSM_A_SPAWN,		/* start a process; feed SPAWNED or
				   SPAWN_FAILED back (always the last action) */
	FSM_A_SIGNAL,		/* arg: signal the leader and its group */
	FSM_A_ARM,		/* arg: arm the timer for arg ms */
	FSM_A_DISARM,		/* stop the timer */
	FSM_A_REPLY_UP,		/* arg: answer the commands waiting for it
				   to be up: 0 done, 1 it failed,
				   2 it failed and never ran */
	FSM_A_REPLY_DOWN,	/* answer those waiting for it to be down */
	FSM_A_REPORT,		/* its visible state changed: report it */
	FSM_A_REPLAN,		/* let the plan move on */
	FSM_A_QUEUE_START,	/* join the ordered start (at its index) */
	FSM_A_UNQUEUE,		/* leave the ordered start */
	FSM_A_QUEUE_STOP,	/* the ordered stop must reach it */
	FSM_A_FANOUT,		/* apply the strategy to its siblings */
	FSM_A_COUNT,		/* count a restart in the intensity */
	FSM_A_ESCALATE,		/* arg: the supervisor shuts down, exit arg */
	FSM_A_SIGNIFICANT,	/* a significant child ended: auto_shutdown */
	FSM_A_WIPE,		/* a child supervisor died without stopping
				   its subtree: kill what is left of it */
	FSM_A_FREE,		/* a retired slot is down: free it */
	FSM_A_SAY		/* arg: an event line, enum fsm_say */
};
#define FSM_NACTS	18

enum fsm_say {
	FSM_SAY_STOPPING,	/* "stopping (SIG...)", the signal in sig */
	FSM_SAY_STOPPED,	/* "stopped" */
	FSM_SAY_RETIRED,	/* "stopped (reload)" */
	FSM_SAY_READY,		/* "ready" */
	FSM_SAY_NOT_READY,	/* "not ready within ..." */
	FSM_SAY_KILLING,	/* "still running after ..., sending SIGKILL" */
	FSM_SAY_RESTARTING,	/* "restarting in ..." (delay in fsm.delay_ms) */
	FSM_SAY_MAX_RESTARTS,	/* "failed: max_restarts ... reached" */
	FSM_SAY_GAVE_UP,	/* the supervisor: "gave up: more than ..." */
	FSM_SAY_TREE_FAILED,	/* the top: "the tree failed" */
	FSM_SAY_WAITING		/* "waiting for PATH:CONDITION ..." */
};

/* Why a child is down (FSM_DOWN): what status shows. */
enum fsm_end {
	FSM_END_NONE,		/* not started yet */
	FSM_END_STOPPED,	/* stopped (by hand, a strategy, a shutdown) */
	FSM_END_EXITED,		/* ended normally and stays down */
	FSM_END_FAILED,		/* gave up */
	FSM_END_DONE		/* a one-shot that succeeded */
};

/* What caused the last restart. */
enum fsm_cause {
	FSM_CAUSE_NONE,
	FSM_CAUSE_EXIT,		/* its own end */
	FSM_CAUSE_STRATEGY	/* its supervisor's strategy (a sibling) */
};

/*
 * A child's lifecycle. Only fsm_step() and fsm_init() write it; everything
 * else reads it (the fsm_*() predicates say what it means).
 */
struct fsm {
	enum fsm_state	 state;
	enum fsm_end	 end;
	int		 want_up;	/* it should run */
	int		 cycle;		/* stop it, then start it again */
	int		 now;		/* by hand: start as soon as it is down */
	int		 manual;	/* stopped by hand */
	int		 asked;		/* the stop under way is ours */
	int		 ready;		/* up and ready */
	int		 after_old;	/* its old self still runs (reload) */
	int		 retired;	/* removed by a reload: freed once down */
	int		 failed;	/* the stop under way is for a failed
					   liveness check: its end is abnormal */
	int		 reloading;	/* up, said RELOADING=1, not READY=1 */
	int		 ran;		/* a spawn of it succeeded */
	uint32_t	 restarts;	/* every restart, whatever its cause */
	uint32_t	 exits;		/* restarts after its own end (policy) */
	enum fsm_cause	 cause;		/* of the last restart */
	int		 failures;	/* consecutive short runs (backoff) */
	int64_t		 delay_ms;	/* the backoff before the next start */
	int64_t		 due_ms;	/* HELD, BACKOFF: when the start is due;
					   STARTING: the start timeout */
	int64_t		 started_ms;	/* when the last run began */
	int		 sig;		/* the signal of the last stop */
	struct policy_exit ex;		/* how the last run ended */
};

/* What the child's supervisor adds to an event. */
struct fsm_ctx {
	const struct tree_node	*node;		/* the child */
	const struct tree_node	*sup;		/* its supervisor; NULL: top */
	int			 shutting_down;	/* its supervisor is */
	int			 intensity_full; /* one more restart gives up */
	int			 deps_met;	/* its after list is met (or
						   empty): it may spawn */
	int64_t			 now_ms;	/* monotonic */
};

struct fsm_event {
	enum fsm_ev		 type;
	struct policy_exit	 ex;	/* FSM_EV_EXIT: how the leader ended */
	int			 group;	/* FSM_EV_EXIT: its group lives on */
	int			 hold;	/* FSM_EV_RETIRE: retire it, but leave
					   it running until a RETIRE without
					   hold (removed ones stop in turn) */
	int64_t			 ms;	/* FSM_EV_EXTEND */
};

#define FSM_MAXACT	12

struct fsm_action {
	enum fsm_act	 type;
	int64_t		 arg;
};

struct fsm_out {
	struct fsm_action a[FSM_MAXACT];
	int		  n;
};

void		 fsm_init(struct fsm *, int want_up);
void		 fsm_step(struct fsm *, const struct fsm_ctx *,
		    const struct fsm_event *, struct fsm_out *);
int		 fsm_has(const struct fsm_out *, enum fsm_act);

int		 fsm_is_up(const struct fsm *);
int		 fsm_satisfied(const struct fsm *);
int		 fsm_unstarted(const struct fsm *);
int		 fsm_never_ran(const struct fsm *);
int		 fsm_nstate(const struct fsm *, const struct tree_node *);
int		 fsm_stopping_by_us(const struct fsm *);
int		 fsm_plan_stop_needed(const struct fsm *);
int		 fsm_plan_start_needed(const struct fsm *);
int		 fsm_stop_signal(const struct tree_node *);

const char	*fsm_state_name(int);
const char	*fsm_event_name(int);
const char	*fsm_act_name(int);

#endif
