/*
 * nstate.h: the runtime state of one node, as reported up the tree and kept
 * in every supervisor's mirror of its subtree. Plain data; the wire form is
 * in msg.c, the drawing in render.c.
 */
#ifndef NSTATE_H
#define NSTATE_H

#include <sys/types.h>
#include <stdint.h>

enum nstate_state {
	NS_STOPPED,	/* not running: not started yet, or stopped by hand */
	NS_STARTING,	/* spawned; exec or readiness not confirmed yet */
	NS_RUNNING,	/* exec succeeded; for ready = exec this is also ready */
	NS_READY,	/* readiness protocol confirmed */
	NS_BACKOFF,	/* waiting to be restarted */
	NS_STOPPING,	/* stop signal sent, waiting for the process group */
	NS_EXITED,	/* ended and not restarted (normal end / temporary) */
	NS_FAILED,	/* ended and gave up: max_restarts, intensity, ... */
	NS_WAITING,	/* its after conditions are not met yet (dep.c) */
	NS_DONE,	/* a one-shot that succeeded */
	NS_RELOADING,	/* ready, said RELOADING=1 and not READY=1 yet */
	NS_UNRESPONSIVE	/* status only: its supervisor did not answer */
};
#define NS_NSTATES	12
#define NS_NWIRE	11	/* states a supervisor reports (not the last) */

#define NSTATE_NO_EXIT	INT32_MIN	/* last_exit: never exited */
#define NSTATE_TEXTLEN	112
#define NSTATE_NTIMES	8	/* restart times kept for intensity_used */

/* What caused a node's last restart (as fsm.h's enum fsm_cause). */
#define NSTATE_CAUSE_NONE	0
#define NSTATE_CAUSE_EXIT	1	/* its own end */
#define NSTATE_CAUSE_STRATEGY	2	/* its supervisor's strategy */

/* A worker's liveness (health, watchdog, max_memory): health.c. */
#define NSTATE_HEALTH_NONE	0	/* no checks */
#define NSTATE_HEALTH_UNKNOWN	1	/* no check has ended since it started */
#define NSTATE_HEALTH_OK	2
#define NSTATE_HEALTH_FAILING	3	/* health_fails in a row so far */

/*
 * last_exit: >= 0 is an exit code, < 0 is -signal number, NSTATE_NO_EXIT if
 * the node has not ended yet. Times are wall-clock milliseconds
 * (CLOCK_REALTIME) so that every process and client agree on them.
 */
struct nstate {
	uint8_t		state;		/* enum nstate_state */
	uint8_t		manual;		/* stopped by hand: stays stopped */
	uint8_t		ready;		/* up and ready */
	uint8_t		unstarted;	/* stopped, waiting for its first start */
	uint8_t		cause;		/* of the last restart: NSTATE_CAUSE_* */
	int32_t		pid;		/* 0 when none */
	int64_t		since_ms;	/* when the current state began */
	int64_t		started_ms;	/* when the current run began, 0 if none */
	uint32_t	restarts;
	int32_t		last_exit;
	int64_t		next_ms;	/* next restart, when NS_BACKOFF */
	uint32_t	intensity_used;	/* supervisors: restarts in period */
	/*
	 * Supervisors: the wall-clock times of the newest of those restarts
	 * (at most NSTATE_NTIMES, oldest first, 0 for none), so that the
	 * count shown can go down as the period passes without a new
	 * report (render_intensity_used).
	 */
	int64_t		intensity_times[NSTATE_NTIMES];
	char		error[NSTATE_TEXTLEN];	/* last start error, or "" */
	char		status[NSTATE_TEXTLEN];	/* STATUS= text, or "" */
	/* NS_WAITING: what it waits for, "PATH:CONDITION ...", or "". */
	char		waiting[NSTATE_TEXTLEN];
	/* Liveness (last on the wire: see docs/protocol.md Versioning). */
	uint8_t		health;		/* NSTATE_HEALTH_* */
	uint32_t	health_fails;	/* consecutive failed checks */
	char		health_last[NSTATE_TEXTLEN]; /* last result, or "" */
	/*
	 * Status only, never on a link: the processes a worker holds now,
	 * counted by the top when it answers (contain_count).
	 */
	uint8_t		has_procs;
	uint32_t	procs;
	/* Status only, with cgroups: memory (UINT64_MAX: unknown), CPU. */
	uint8_t		has_cg;
	uint64_t	memory;
	uint64_t	cpu_usec;
};

const char	*nstate_name(int state);
const char	*nstate_cause_name(int cause);
int		 nstate_from_name(const char *);

#endif
