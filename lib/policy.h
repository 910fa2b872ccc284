/*
 * policy.h: OTP's restart rules as pure functions. No syscalls, no clock
 * reads: time comes in as now_ms (a monotonic clock in milliseconds).
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdint.h>

#include "tree.h"

/* How a child ended, as seen by its supervisor. */
struct policy_exit {
	int	code;		/* exit code, when !signaled */
	int	signo;		/* signal number, when signaled */
	int	signaled;
	int	by_us;		/* we asked it to stop (stop, strategy, ...) */
	int	start_failed;	/* exec failed or readiness timed out */
	int	failed;		/* stopped for a failed liveness check */
};

enum policy_decision {
	POLICY_RESTART,		/* restart it (and apply the strategy) */
	POLICY_DONE,		/* ended normally, stays down: exited */
	POLICY_GIVE_UP		/* max_restarts reached: failed */
};

int	policy_abnormal(const struct tree_node *, const struct policy_exit *);
enum policy_decision policy_decide(const struct tree_node *,
	    const struct policy_exit *, long restarts);

/*
 * Backoff. failures is the number of consecutive failed runs (a run that
 * lasted at least backoff_reset resets it to 0 before counting).
 * Returns the delay before restart number failures (>= 1):
 * min(backoff_max, backoff_min * multiplier^(failures-1)).
 */
int64_t	policy_backoff(const struct tree_node *, int failures);
int	policy_backoff_failures(const struct tree_node *, int failures,
	    int64_t run_ms);

/*
 * Intensity: OTP keeps the times of recent restarts; a restart that makes
 * their number within period exceed intensity makes the supervisor give up.
 */
struct policy_intensity {
	int64_t	*times;		/* ring of restart times */
	int	 n;		/* how many are recorded */
	int	 cap;
	int	 head;
};

void	policy_intensity_init(struct policy_intensity *, long intensity);
void	policy_intensity_free(struct policy_intensity *);
/* Record a restart at now; returns 1 if intensity is now exceeded. */
int	policy_intensity_add(struct policy_intensity *, long intensity,
	    int64_t period_ms, int64_t now_ms);
int	policy_intensity_used(const struct policy_intensity *,
	    int64_t period_ms, int64_t now_ms);
/* Would one more restart at now exceed intensity? (Records nothing.) */
int	policy_intensity_full(const struct policy_intensity *, long intensity,
	    int64_t period_ms, int64_t now_ms);
/* The newest (at most max) restart times within period, oldest first. */
int	policy_intensity_times(const struct policy_intensity *,
	    int64_t period_ms, int64_t now_ms, int64_t *times, int max);

/*
 * Strategy fan-out: child failed (its index among n siblings) is to be
 * restarted. Fills stop[] with the indexes of the siblings to terminate,
 * in termination order (reverse start order), and start[] with the indexes
 * to start again, in start order (the failed child included). Returns 0.
 */
int	policy_fanout(enum tree_strategy, int n, int failed, int *stop,
	    int *nstop, int *start, int *nstart);

#endif
