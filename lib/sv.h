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
struct sv;
struct sv_child;
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

/*
 * svwork.c: a child slot's narrow view, for what serves one worker
 * (output.c, health.c): they hold the slot as an opaque pointer.
 */
const struct tree_node	*sv_child_node(const struct sv_child *);
int			 sv_child_gid(const struct sv_child *);
pid_t			 sv_child_leader(const struct sv_child *);
struct nstate		*sv_child_state(struct sv_child *);
struct event_base	*sv_child_base(const struct sv_child *);
struct peer		*sv_child_up(const struct sv_child *);
int			 sv_child_pathwidth(const struct sv_child *);
int			 sv_child_merged(const struct sv_child *);
int			 sv_child_closing(const struct sv_child *);
void			 sv_child_probe(struct sv_child *, pid_t, int);
void			 sv_child_changed(struct sv_child *);

/* svtop.c: the top's narrow view (cmd/, http.c). */
struct event_base	*sv_base(const struct sv *);
const struct tree	*sv_tree(const struct sv *);
const struct nstate	*sv_mirror(const struct sv *);
const char		*sv_spec(const struct sv *, size_t *);
enum sv_end		 sv_result(const struct sv *);
int			 sv_shutting_down(const struct sv *);
void			 sv_set_hooks(struct sv *, const struct sv_hooks *);
void			 sv_get_hooks(const struct sv *, struct sv_hooks *);
void			 sv_set_quiet(struct sv *, int);
void			 sv_set_file(struct sv *, const char *);

#endif
