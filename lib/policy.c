/*
 * policy.c: OTP's restart rules as pure functions.
 *
 * This module owns four decisions: whether a child's end was abnormal and
 * whether it is restarted (per restart type and max_restarts), how long to
 * back off before a restart, whether a supervisor's restart intensity is
 * exceeded, and which siblings a strategy stops and starts again. It makes
 * no syscalls, reads no clock and keeps no globals: time comes in as
 * now_ms from a monotonic clock, so every rule can be unit tested.
 *
 * Any layer may call it; sv.c feeds it child exits and carries out what it
 * returns.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "xmalloc.h"

/* The ring never grows past this many slots in one step. */
#define POLICY_RING_CHUNK	64

static int	policy_normal_code(const struct tree_node *, int);
static int64_t	policy_oldest(const struct policy_intensity *);
static void	policy_ring_drop(struct policy_intensity *);
static void	policy_ring_grow(struct policy_intensity *, long);

/* Is code one of the node's normal exit codes? */
static int
policy_normal_code(const struct tree_node *node, int code)
{
	int	i;

	for (i = 0; i < node->nexit_codes; i++) {
		if (node->exit_codes[i] == code)
			return (1);
	}
	return (0);
}

/*
 * An end is normal when we stopped the child ourselves (a shutdown), or
 * when it exited by itself with one of its exit_codes. A signal we did not
 * send is abnormal, and so is a start that failed (exec failure, readiness
 * timeout) or a worker stopped for a failed liveness check (unhealthy,
 * watchdog, max_memory), even if we then killed it.
 */
int
policy_abnormal(const struct tree_node *node, const struct policy_exit *ex)
{
	if (ex->start_failed || ex->failed)
		return (1);
	if (ex->by_us)
		return (0);
	if (ex->signaled)
		return (1);
	/* A supervisor ends normally with 0 (auto_shutdown); 1 is giving up. */
	if (node->kind == TREE_SUPERVISOR)
		return (ex->code != 0);
	return (!policy_normal_code(node, ex->code));
}

/*
 * restarts is how many times the node has been restarted so far over its
 * life. max_restarts = 1 allows exactly one restart ("Once").
 */
enum policy_decision
policy_decide(const struct tree_node *node, const struct policy_exit *ex,
    long restarts)
{
	/*
	 * A stop we asked for (by hand, a strategy, a shutdown): the caller
	 * knows what comes next, so nothing is restarted from here.
	 */
	if (ex->by_us)
		return (POLICY_DONE);

	switch (node->restart) {
	case TREE_TEMPORARY:
		return (POLICY_DONE);
	case TREE_TRANSIENT:
		if (!policy_abnormal(node, ex))
			return (POLICY_DONE);
		break;
	case TREE_PERMANENT:
		break;
	}

	if (node->max_restarts != TREE_UNLIMITED &&
	    restarts >= node->max_restarts)
		return (POLICY_GIVE_UP);
	return (POLICY_RESTART);
}

/*
 * min(backoff_max, backoff_min * multiplier^(failures-1)), rounded to the
 * millisecond. The power is taken by squaring and stops as soon as the
 * product passes the cap, so a huge failure count neither loops long nor
 * overflows. A multiplier below 1 shrinks the delay (it never goes below
 * 0); backoff_min <= 0 means no delay at all.
 */
int64_t
policy_backoff(const struct tree_node *node, int failures)
{
	double	base, cap, d, m;
	int64_t	minv = node->backoff_min_ms, maxv = node->backoff_max_ms;
	unsigned int e;

	if (minv <= 0 || maxv <= 0)
		return (0);
	if (failures < 1)
		failures = 1;
	cap = (double)maxv;
	base = (double)minv;
	if (base >= cap)
		return (maxv);

	d = base;
	m = node->backoff_multiplier;
	if (!(m >= 0))
		m = 0;		/* negative or NaN */
	for (e = (unsigned int)failures - 1; e != 0; e >>= 1) {
		if (e & 1) {
			d *= m;
			if (d >= cap)
				return (maxv);
		}
		if (e > 1) {
			/* m >= cap/base already makes any further power cap. */
			if (m >= cap / base)
				return (maxv);
			m *= m;
		}
	}
	if (d >= cap)
		return (maxv);
	return ((int64_t)(d + 0.5));
}

/*
 * The consecutive-failure count after a run of run_ms: a run of at least
 * backoff_reset counts as healthy, so the count starts again at 1 for the
 * end that just happened.
 */
int
policy_backoff_failures(const struct tree_node *node, int failures,
    int64_t run_ms)
{
	if (run_ms >= node->backoff_reset_ms || failures < 1)
		return (1);
	if (failures == INT_MAX)
		return (failures);
	return (failures + 1);
}

/*
 * Intensity. The ring holds the times of the most recent restarts, oldest
 * at head. Intensity is exceeded once more than intensity restarts fall in
 * the window, so intensity+1 slots are all that is ever needed; the ring
 * grows in chunks up to that size rather than allocating it up front, so a
 * huge intensity costs nothing until restarts happen.
 *
 * The window: a restart at t counts at now while now - t < period_ms.
 * OTP counts now - t <= period with whole seconds; with milliseconds the
 * strict rule makes "5 restarts in 5s" mean "in any 5000 ms", and a
 * restart exactly period_ms ago has aged out. A period_ms below 1 is taken
 * as 1 ms so the restart being recorded always counts.
 */
void
policy_intensity_init(struct policy_intensity *pi, long intensity)
{
	memset(pi, 0, sizeof *pi);
	if (intensity == TREE_UNLIMITED || intensity < 0)
		return;
	policy_ring_grow(pi, intensity);
}

void
policy_intensity_free(struct policy_intensity *pi)
{
	free(pi->times);
	memset(pi, 0, sizeof *pi);
}

static int64_t
policy_oldest(const struct policy_intensity *pi)
{
	return (pi->times[pi->head]);
}

static void
policy_ring_drop(struct policy_intensity *pi)
{
	pi->head = (pi->head + 1) % pi->cap;
	pi->n--;
}

/* Grow the ring by a chunk, up to intensity+1 slots, keeping its order. */
static void
policy_ring_grow(struct policy_intensity *pi, long intensity)
{
	int64_t	*t;
	long	 want;
	int	 i;

	want = (long)pi->cap + POLICY_RING_CHUNK;
	if (intensity < INT_MAX - 1 && want > intensity + 1)
		want = intensity + 1;
	if (want > INT_MAX - 1)
		want = INT_MAX - 1;
	if (want <= pi->cap)
		return;
	t = xreallocarray(NULL, (size_t)want, sizeof *t);
	for (i = 0; i < pi->n; i++)
		t[i] = pi->times[(pi->head + i) % pi->cap];
	free(pi->times);
	pi->times = t;
	pi->head = 0;
	pi->cap = (int)want;
}

int
policy_intensity_add(struct policy_intensity *pi, long intensity,
    int64_t period_ms, int64_t now_ms)
{
	if (intensity == TREE_UNLIMITED || intensity < 0)
		return (0);
	if (period_ms < 1)
		period_ms = 1;

	/* Times only grow, so a restart that aged out never counts again. */
	while (pi->n > 0 && now_ms - policy_oldest(pi) >= period_ms)
		policy_ring_drop(pi);
	if (pi->n == pi->cap)
		policy_ring_grow(pi, intensity);
	if (pi->n == pi->cap)
		policy_ring_drop(pi);	/* full at intensity+1: keep newest */

	pi->times[(pi->head + pi->n) % pi->cap] = now_ms;
	pi->n++;
	return (pi->n > intensity);
}

int
policy_intensity_used(const struct policy_intensity *pi, int64_t period_ms,
    int64_t now_ms)
{
	int	i, used = 0;

	if (period_ms < 1)
		period_ms = 1;
	for (i = 0; i < pi->n; i++) {
		if (now_ms - pi->times[(pi->head + i) % pi->cap] < period_ms)
			used++;
	}
	return (used);
}

int
policy_intensity_times(const struct policy_intensity *pi, int64_t period_ms,
    int64_t now_ms, int64_t *times, int max)
{
	int	i, k, n = 0;
	int64_t	t;

	if (period_ms < 1)
		period_ms = 1;
	/* Newest first from the end of the ring, then put in order. */
	for (i = pi->n - 1; i >= 0 && n < max; i--) {
		t = pi->times[(pi->head + i) % pi->cap];
		if (now_ms - t >= period_ms)
			break;
		times[n++] = t;
	}
	for (k = 0; k < n / 2; k++) {
		t = times[k];
		times[k] = times[n - 1 - k];
		times[n - 1 - k] = t;
	}
	return (n);
}

/*
 * The same test as policy_intensity_add makes, without recording: the
 * restarts still in the window, plus this one, against intensity.
 */
int
policy_intensity_full(const struct policy_intensity *pi, long intensity,
    int64_t period_ms, int64_t now_ms)
{
	if (intensity == TREE_UNLIMITED || intensity < 0)
		return (0);
	return (policy_intensity_used(pi, period_ms, now_ms) + 1 > intensity);
}

/*
 * Strategy fan-out. Siblings are stopped in reverse start order, as OTP
 * terminates children, and started again in start order. Returns -1 (with
 * both lists empty) when failed is not a valid index among n.
 */
int
policy_fanout(enum tree_strategy strategy, int n, int failed, int *stop,
    int *nstop, int *start, int *nstart)
{
	int	i, from;

	*nstop = *nstart = 0;
	if (n < 1 || failed < 0 || failed >= n)
		return (-1);

	switch (strategy) {
	case TREE_ONE_FOR_ONE:
		start[(*nstart)++] = failed;
		return (0);
	case TREE_ONE_FOR_ALL:
		from = 0;
		break;
	case TREE_REST_FOR_ONE:
		from = failed;
		break;
	default:
		return (-1);
	}
	for (i = n - 1; i >= from; i--) {
		if (i != failed)
			stop[(*nstop)++] = i;
	}
	for (i = from; i < n; i++)
		start[(*nstart)++] = i;
	return (0);
}
