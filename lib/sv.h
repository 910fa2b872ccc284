/*
 * sv.h: one supervisor process: its children, their processes, and the
 * links to its parent and child supervisors.
 *
 * The same code runs the top process of `supertree run` (id -1: its only
 * child is the root supervisor, node 0) and every supervisor node below.
 * The top process also owns the control socket (ctl.c), through hooks.
 *
 * Only the top holds the whole tree. Every supervisor below holds the
 * slice of it that it runs (tree_slice: the root, its ancestors and its
 * own subtree), with the spec text and the mirror of that slice alone.
 * Ids inside a process are ids in its slice; ids on the links are always
 * those of the whole tree: a process adds sv->idoff to its own ids when
 * it sends and takes it off when it receives.
 */
#ifndef SV_H
#define SV_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

#include "contain.h"
#include "fsm.h"
#include "nstate.h"
#include "plan.h"
#include "policy.h"
#include "proc.h"
#include "tree.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

struct event;
struct event_base;
struct peer;
struct output;
struct ready;
struct svdep;
struct health;

/*
 * How a supervisor's run ended (sv_run). The commands (cmd/run.c) turn
 * it into an exit status; a failure below wins over an interrupt.
 */
enum sv_end {
	SV_END_OK,		/* stopped as asked, or the tree exited 0 */
	SV_END_FAILED,		/* the root failed, or a supervisor gave up */
	SV_END_INTERRUPTED	/* the top: a second SIGINT killed everything */
};

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
#define SV_ORPHANS_ALWAYS	2	/* PID 1, or children without pidfds
					   (valgrind, or no room: nofile.c) */
/* Spawn our children without pidfds (no room for them: nofile.c). */
#define sv_no_pidfd(sv)		((sv)->no_pidfd)

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

	/* Reload: a retired slot being stopped, and the slot waiting. */
	TAILQ_ENTRY(sv_child)	 retired_entry;
	struct sv_child		*heir;		/* starts once this one is gone */
	struct sv_child		*pred;		/* this one waits for pred */
	struct sv_child		*next_retire;	/* removed, held: stops once
						   this one is gone */
	struct sv_child		*prev_retire;	/* and the other way */
};
TAILQ_HEAD(sv_drainq, sv_child);
TAILQ_HEAD(sv_retiredq, sv_child);

/* Trees and mirrors replaced by a reload, kept until exit. */
struct sv_old {
	struct tree		*tree;
	struct nstate		*mirror;
	struct sv_old		*next;
};

struct sv_hooks {
	void	(*state)(struct sv *, int id);
	void	(*reply)(struct sv *, uint32_t reqid, int status,
		    const char *text);
	void	(*log)(struct sv *, int id, int stream, const char *line);
	void	(*logdump)(struct sv *, uint32_t reqid, const char *lines,
		    size_t len);
	void	(*done)(struct sv *);
	void	(*reload)(struct sv *);
	void	(*pong)(struct sv *, uint32_t seq, int id);
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
	char			*cgdir;		/* the tree's cgroup, or NULL */

	struct sv_child		**children;
	int			 n;
	struct nstate		*mirror;	/* indexed by node id */
	struct pidmap		 pids;
	struct sv_drainq	 drainq;
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
	int			 no_pidfd;	/* children without pidfds
						   (nofile.c) */
};

/* Takes text, t's spec text (allocated, NUL-terminated): see svspawn.c. */
struct sv	*sv_new(struct event_base *, struct tree *, int id, int idoff,
		    char *text, size_t len);
struct sv_child	*sv_child_new(struct sv *, int id, int idx);
void		 sv_child_free(struct sv_child *);
enum sv_end	 sv_run(struct sv *, int linkfd);
void		 sv_shutdown(struct sv *, int failed);
void		 sv_kill_all(struct sv *);
int		 sv_command(struct sv *, uint32_t reqid, int op, int node,
		    int arg, char **cause);
int		 sv_reload(struct sv *, const char *, size_t, int gid, int width,
		    char **);
void		 sv_plan_run(struct sv *);
void		 sv_ping(struct sv *, uint32_t seq);
void		 sv_reply(struct sv *, uint32_t reqid, int status,
		    const char *text);
void		 sv_settled(struct sv *);
void		 sv_child_feed(struct sv_child *, enum fsm_ev,
		    const struct policy_exit *, int);
void		 sv_report(struct sv *, int id);
void		 sv_contain_count(struct sv *, struct nstate *);
void		 sv_child_ready(struct sv_child *);
void		 sv_child_fail(struct sv_child *, int);
void		 sv_child_extend(struct sv_child *, int64_t);
char		**sv_child_env(struct sv_child *, char **);
struct spawn_req;
void		 sv_worker_req(struct sv_child *, struct spawn_req *, char **);
void		 sv_child_status(struct sv_child *, const char *);
void		 sv_event(struct sv *, int id, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 child_event(struct sv_child *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 sv_event_path(struct sv *, const char *, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* svready.c: a worker's readiness, through ready.c's host interface. */
struct ready		*svready_new(struct sv_child *);

/* svtop.c: the top's narrow view (cmd/, http.c). */
struct event_base	*sv_base(const struct sv *);
const struct tree	*sv_tree(const struct sv *);
const struct nstate	*sv_mirror(const struct sv *);
const char		*sv_spec(const struct sv *, size_t *);
enum sv_end		 sv_result(const struct sv *);
int			 sv_shutting_down(const struct sv *);
void			 sv_set_hooks(struct sv *, const struct sv_hooks *);
void			 sv_set_quiet(struct sv *, int);
void			 sv_set_file(struct sv *, const char *);

#endif
