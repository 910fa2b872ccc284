/*
 * sv_int.h: what the parts of the supervisor (sv.c, svspawn.c, svlink.c,
 * reload.c, svdep.c, svcontain.c, svready.c, svtop.c, svwork.c, nofile.c)
 * share with each other and with nobody else: struct sv and struct
 * sv_child are defined here alone. Everyone else (cmd/, http.c, a
 * worker's output.c and health.c) holds them as opaque pointers and goes
 * through the narrow views declared in sv.h.
 */
#ifndef SV_INT_H
#define SV_INT_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "sv.h"

struct peer;

struct sv_waiter {
	uint32_t		  reqid;
	int			  up;	/* wait for up (1) or down (0) */
	TAILQ_ENTRY(sv_waiter)	  entry;
};
TAILQ_HEAD(sv_waiters, sv_waiter);

#define SV_STARTS_PER_TURN	32
#define SV_SWEEP_MS		10	/* a sweep when orphans may exist */
#define SV_LAZY_MS		5000	/* the sweep for a lost SIGCHLD */
#define SV_REAPS_PER_TURN	32	/* a sweep's share of a turn */
#define SV_NOPID_MAX		256	/* reap this many without pidfds
					   by pid, more by one walk */
#define SV_ORPHANS_ALWAYS	2	/* PID 1: anything may come to us */
/* Spawn the next child without a pidfd: no room left for one (nofile.c). */
#define sv_no_pidfd(sv)		((sv)->pidfd_room >= 0 &&		\
				    (sv)->npidfd >= (sv)->pidfd_room)

/*
 * A child slot: its lifecycle (fsm, written by fsm.c alone) and what the
 * process layer holds for it. sv.c feeds the lifecycle events
 * (child_feed) and carries out the actions it returns.
 */
struct sv_child {
	struct sv		*sv;
	int			 id;		/* node id */
	int			 idx;		/* index among siblings */
	const struct tree_node	*node;
	struct nstate		*st;		/* in sv->mirror */
	struct fsm		 fsm;		/* its lifecycle */

	pid_t			 pid;		/* leader, unreaped; 0 if none */
	pid_t			 pgid;		/* group while draining */
	int			 pidfd;
	struct event		*ev_proc;
	struct event		*ev_timer;
	struct peer		*link;		/* supervisor children */
	struct output		*out;		/* captured output */
	struct ready		*ready;		/* readiness protocol */
	unsigned		*depbits;	/* per after entry: what that
						   node offers (svdep.c) */
	struct health		*health;	/* liveness checks, or NULL */
	char			 marker[CONTAIN_MARKLEN]; /* workers: env */
	struct contain_since	 since;		/* pids since its spawn */
	int			 wiped;		/* its subtree was wiped */
	char			*cgdir;		/* its cgroup, or NULL */

	/* Kept by child_feed from the lifecycle, for O(1) counts. */
	int			 satisfied;	/* counted in sv->nsatisfied */
	int			 up;		/* counted in sv->nup */
	int			 feeding;	/* depth of child_feed */
	int			 dirty;		/* report when the feed ends */
	int			 replan;	/* run the plan when it ends */
	int			 dofree;	/* free the slot when it ends */
	unsigned		 reports;	/* reports sent, ever */

	struct sv_waiters	 waiters;
	TAILQ_ENTRY(sv_child)	 drain_entry;	/* while FSM_DRAINING */
	TAILQ_ENTRY(sv_child)	 nopid_entry;	/* running without a pidfd */
	int			 in_nopidq;

	/* Reload: a retired slot being stopped, and the slot waiting. */
	TAILQ_ENTRY(sv_child)	 retired_entry;
	struct sv_child		*heir;		/* starts once this one is gone */
	struct sv_child		*pred;		/* this one waits for pred */
	struct sv_child		*next_retire;	/* removed, held: stops once
						   this one is gone */
	struct sv_child		*prev_retire;	/* and the other way */
};
TAILQ_HEAD(sv_drainq, sv_child);
TAILQ_HEAD(sv_nopidq, sv_child);
TAILQ_HEAD(sv_retiredq, sv_child);

/* Trees and mirrors replaced by a reload, kept until exit. */
struct sv_old {
	struct tree		*tree;
	struct nstate		*mirror;
	struct sv_old		*next;
};

struct sv {
	struct event_base	*base;
	struct tree		*tree;
	char			*spec_text;	/* for child supervisors */
	size_t			 spec_len;
	int			 id;		/* -1: the top process */
	int			 idoff;		/* id + idoff: id in the whole tree */
	const struct tree_node	*node;		/* NULL for the top */
	char			*exe;
	int			 exe_fd;	/* our own image, for children */
	int			 quiet;
	long			 token;		/* the tree's, for markers */
	struct contain_since	 since;		/* the top's start */
	struct contain_kids	 kids;		/* our orphans, as last read */
	char			*cgdir;		/* the tree's cgroup, or NULL */

	struct sv_child		**children;
	int			 n;
	struct nstate		*mirror;	/* indexed by node id */
	struct pidmap		 pids;
	struct sv_drainq	 drainq;
	struct sv_nopidq	 nopidq;	/* children without a pidfd */
	int			 nnopid;
	struct sv_retiredq	 retiredq;
	struct sv_old		*old;
	struct sv_waiters	 settlers;	/* MSG_OP_SETTLE */
	struct policy_intensity	 intensity;
	struct svdep		*dep;		/* after lists (svdep.c) */

	struct plan		 plan;		/* ordered start and stop */
	int			 in_plan;
	int			 plan_starts;	/* this turn */
	int			 nup;		/* slots with a process */
	struct event		*ev_plan;	/* the plan's next turn */
	struct event		*ev_sweep;	/* reap orphans, check drains */
	struct event		*ev_nopid;	/* reap children without pidfds */
	struct event		*ev_chld;	/* SIGCHLD, from a signalfd */
	int64_t			 sweep_due;	/* monotonic ms */
	int			 nwiped;	/* children with wiped set */
	int			 orphans;	/* an unknown child may exist:
						   1 until a sweep, or
						   SV_ORPHANS_ALWAYS */

	int			 nsatisfied;
	int			 ready;		/* all children satisfied */
	int			 shutting_down;
	int			 finished;	/* done: do not run the loop */
	enum sv_end		 end;
	int			 sigints;

	struct peer		*up;		/* link to the parent */
	struct sv_hooks		 hooks;
	void			*ctl;		/* the top's control socket */
	struct event		*ev_sig[4];
	int			 out_merged;	/* a prefixed worker's stderr
						   shares its stdout's pipe
						   (nofile.c) */
	long			 pidfd_room;	/* pidfds our children may
						   hold; -1: any number
						   (nofile.c) */
	long			 npidfd;	/* children holding one */
};


/* sv.c */
const char	*sv_node_path(struct sv *, int);
void		 sv_child_replies(struct sv_child *, int, int, const char *);
void		 sv_child_refuse(struct sv_child *, int, const char *);
void		 sv_group_signal(struct sv_child *, int);
void		 sv_send_info(struct sv *);
void		 sv_start_order(struct sv *);
void		 sv_outputs_reopen(struct sv *);
void		 sv_ready_check(struct sv *);

/* svspawn.c */
int		 svspawn_worker(struct sv_child *, char **);
int		 svspawn_supervisor(struct sv_child *, char **);

/* svdep.c */
void		 svdep_init(struct sv *);
void		 svdep_free(struct sv *);
void		 svdep_state(struct sv *, int);
void		 svdep_reload(struct sv *);
void		 svdep_dispatch(struct sv *, const uint8_t *, size_t);
int		 svdep_met(const struct sv_child *);
void		 svdep_text(const struct sv_child *, char *, size_t);
/* svcontain.c */
void		 sv_contain_token(struct sv *);
void		 sv_contain_init(struct sv_child *);
void		 sv_contain_spawned(struct sv_child *);
int		 sv_contain(struct sv_child *, int, int);
void		 sv_contain_wipe(struct sv_child *);
void		 sv_contain_final(struct sv *);
int		 sv_cgroup_child(struct sv_child *, char **);
void		 sv_cgroup_wipe(struct sv_child *);
int		 sv_cgroup_populated(struct sv_child *);
int		 sv_cgroup_oom(struct sv_child *);
void		 sv_cgroup_kill(struct sv_child *);
void		 sv_cgroup_gone(struct sv_child *);

/* svlink.c */
void		 svlink_dispatch(struct peer *, uint16_t, const uint8_t *, size_t,
		     void *);
void		 svlink_lost(struct peer *, const char *, void *);
void		 svlink_up_dispatch(struct peer *, uint16_t, const uint8_t *, size_t,
		     void *);
void		 svlink_up_lost(struct peer *, const char *, void *);

#endif
