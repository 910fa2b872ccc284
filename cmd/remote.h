/*
 * remote.h: what the files of the live commands share (remote.c, the
 * core, and one file per group of commands: status.c, control.c, wait.c,
 * logs.c, reload.c). Nobody else includes it: the rest of the program
 * sees the commands through cmd.h.
 *
 * A request waiting for something (a command's reply, a state for
 * `wait`, new events or log lines) is a struct pending, on one list kept
 * by remote.c; the top's hooks hand each state change, reply or line to
 * the pending requests of the kind it concerns, never to the whole tree.
 * The commands read the tree and its mirror through remote_tree() and
 * remote_mirror(), each time afresh: a reload replaces both.
 */
#ifndef REMOTE_H
#define REMOTE_H

#include <sys/queue.h>

#include <stdint.h>

struct ctl_client;
struct event;
struct event_base;
struct nstate;
struct sv;
struct tree;

enum pending_kind {
	P_CMD,		/* start, stop, restart, signal: replies to count */
	P_WAIT,		/* wait: node states to reach */
	P_EVENTS,	/* events: every state change */
	P_LOGS,		/* logs: the dump, then (-f) new lines */
	P_SHUTDOWN,	/* shutdown: until the tree is down */
	P_STATUS,	/* status: the supervisors' answers to a ping */
	P_ROLL		/* restart --rolling: one restart at a time */
};

struct pending {
	enum pending_kind	 kind;
	struct ctl_client	*cl;
	uint32_t		*reqids;
	int			 nreqids;
	int			 outstanding;
	int			 failed;
	int			*nodes;		/* P_WAIT, P_LOGS */
	char			**paths;	/* their paths, for a change */
	int			 nnodes;
	int			 want;		/* P_WAIT: target */
	int			 follow;	/* P_LOGS: -f */
	unsigned		 dropped;	/* P_LOGS: lines not sent */
	uint32_t		 seq;		/* P_STATUS: the ping's */
	char			*expect;	/* P_STATUS: by node, to answer */
	int			 json;		/* P_STATUS: options */
	int			 quiet;
	int			 rflags;
	int			 owner;		/* P_LOGS: the worker's supervisor */
	int32_t			 owner_pid;	/* P_LOGS: its incarnation */
	uint32_t		 resume_id;	/* P_LOGS: the last resume's dump */
	char			**roll;		/* P_ROLL: paths, in order */
	int			 nroll;
	int			 iroll;		/* P_ROLL: the next one */
	struct event		*timer;
	char			*timeout_text;
	char			*added;		/* P_CMD: add's worker */
	TAILQ_ENTRY(pending)	 entry;
};

/* A command's handler, from the table in remote.c. */
typedef void (*remote_fn)(struct ctl_client *, int, char **, uint32_t);

/* remote.c */
struct pending		*remote_pending(struct ctl_client *, enum pending_kind);
uint32_t		 remote_seq(void);
void			 remote_finish(struct ctl_client *, int status);
void			 remote_option_error(struct ctl_client *, const char *,
			     int, char **);
int			 remote_resolve(struct ctl_client *, int, char **,
			     int **);
struct event_base	*remote_base(void);
const struct tree	*remote_tree(void);
const struct nstate	*remote_mirror(void);
void			 remote_holdings(struct nstate *);
void			 remote_set_file(const char *);

/* status.c */
void	status_request(struct ctl_client *, int, char **, uint32_t);
void	status_answer(struct pending *, int mark);
void	status_state(struct pending *, int id);
void	status_heard(struct pending *, int id);

/* control.c: start, stop, restart (--rolling), signal */
void	control_request(struct ctl_client *, int, char **, uint32_t);
void	control_roll_next(struct pending *);

/* wait.c */
void	wait_request(struct ctl_client *, int, char **, uint32_t);
void	wait_check(struct pending *);

/* logs.c */
void	logs_request(struct ctl_client *, int, char **, uint32_t);
void	logs_state(struct pending *, int id);
void	logs_line(struct pending *, const char *);
void	logs_gone(struct pending *);

/* reload.c */
void	reload_request(struct ctl_client *, int, char **, uint32_t);
void	reload_hup(void);

/* run.c: STATUS= and READY=1 for systemd, as the tree changes. */
void	run_notify_state(int id);
void	run_notify_reset(void);

/* wrap.c: wrap's tree ends as its one worker does. */
void	wrap_init(int active);
int	wrap_active(void);
void	wrap_state(int id);

#endif
