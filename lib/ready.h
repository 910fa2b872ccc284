/*
 * ready.h: readiness protocols of a worker (ready = fd:N, notify, tcp:,
 * exec:CMD). A worker with ready = exec is ready once exec succeeded and
 * needs none of this.
 */
#ifndef READY_H
#define READY_H

#include <sys/types.h>

struct ready;
struct spawn_fd;
struct sv;
struct sv_child;

#define READY_NENV	4	/* variables ready_prepare may give a worker */

struct ready	*ready_new(struct sv *, struct sv_child *);
void		 ready_free(struct ready *);
int		 ready_prepare(struct ready *, struct spawn_fd *, int *nfds,
		     char **env, char **cause);
void		 ready_started(struct ready *, int ok);
void		 ready_stop(struct ready *);
pid_t		 ready_probe_pid(struct ready *);
int		 ready_probe_reap(struct ready *);
int		 ready_tcp_owned(const struct sv_child *);

#endif
