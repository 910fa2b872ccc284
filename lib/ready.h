/*
 * ready.h: readiness protocols of a worker (ready = fd:N, notify, tcp:,
 * exec:CMD). A worker with ready = exec is ready once exec succeeded and
 * needs none of this.
 *
 * ready knows nothing of the supervisor: what it needs from the slot it
 * serves comes through struct ready_host (svready.c fills it in for a
 * supervisor's child), so the supervisor includes ready.h and never the
 * other way round.
 */
#ifndef READY_H
#define READY_H

#include <sys/types.h>

#include <stdint.h>

struct event_base;
struct ready;
struct spawn_fd;
struct spawn_req;
struct tree_node;

#define READY_NENV	4	/* variables ready_prepare may give a worker */

/* What a worker said on its notify socket, beyond "I am ready". */
enum ready_said {
	READY_SAID_RELOADED,	/* READY=1 again, after RELOADING=1 */
	READY_SAID_STATUS,	/* STATUS=text */
	READY_SAID_RELOADING,	/* RELOADING=1 */
	READY_SAID_KEEPALIVE,	/* WATCHDOG=1 */
	READY_SAID_TRIGGER,	/* WATCHDOG=trigger */
	READY_SAID_WATCHDOG,	/* WATCHDOG_USEC=, as ms */
	READY_SAID_EXTEND	/* EXTEND_TIMEOUT_USEC=, as ms */
};

/*
 * The slot's side. arg (given to ready_new) comes back in every call;
 * ready never looks into it.
 */
struct ready_host {
	/* Its node now (a reload may change it) and that node's id. */
	const struct tree_node	*(*node)(void *arg, int *id);
	pid_t	(*leader)(void *arg);		/* its leader; 0: none */
	int	(*is_ready)(void *arg);		/* it said so already */
	int	(*reloading)(void *arg);	/* it said RELOADING=1 */
	void	(*ready)(void *arg);		/* it is ready now */
	void	(*said)(void *arg, enum ready_said, int64_t ms,
		    const char *text);
	void	(*event)(void *arg, const char *text);	/* a line about it */
	const char *(*error)(void *arg);	/* its error text now */
	void	(*set_error)(void *arg, const char *text);
	void	(*report)(void *arg);		/* its state went up */
	void	(*probe_req)(void *arg, struct spawn_req *); /* its env */
	void	(*probe_pid)(void *arg, pid_t, int running); /* to reap */
	int	(*shares_port)(void *arg);	/* a sibling waits on the
						   same tcp address */
};

struct ready	*ready_new(struct event_base *, const struct ready_host *,
		     void *arg);
void		 ready_free(struct ready *);
int		 ready_prepare(struct ready *, struct spawn_fd *, int *nfds,
		     char **env, char **cause);
void		 ready_started(struct ready *, int ok);
void		 ready_stop(struct ready *);
pid_t		 ready_probe_pid(struct ready *);
int		 ready_probe_reap(struct ready *);

/* ready_tcp.c */
int		 ready_tcp_owned(pid_t leader, int port, int shared);

#endif
