/*
 * test_policy.c: the restart rules of policy.c, case by case: every
 * restart type against every kind of end, max_restarts, the backoff curve,
 * the intensity window and the strategy fan-out.
 */
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

static void	node_init(struct tree_node *, enum tree_restart, long);
static struct policy_exit ex_code(int);
static struct policy_exit ex_signal(int);
static struct policy_exit ex_by_us(int);
static struct policy_exit ex_start_failed(void);
static int	list_is(const int *, int, const int *, int);
static void	test_abnormal(void);
static void	test_decide_types(void);
static void	test_decide_max(void);
static void	test_backoff(void);
static void	test_backoff_failures(void);
static void	test_intensity(void);
static void	test_intensity_window(void);
static void	test_fanout(void);

static int normal_codes[] = { 0, 2 };

static void
node_init(struct tree_node *n, enum tree_restart restart, long max)
{
	memset(n, 0, sizeof *n);
	n->kind = TREE_WORKER;
	n->restart = restart;
	n->max_restarts = max;
	n->exit_codes = normal_codes;
	n->nexit_codes = 2;
	n->backoff_min_ms = 50;
	n->backoff_max_ms = 5000;
	n->backoff_multiplier = 1.2;
	n->backoff_reset_ms = 10000;
}

static struct policy_exit
ex_code(int code)
{
	struct policy_exit	ex;

	memset(&ex, 0, sizeof ex);
	ex.code = code;
	return (ex);
}

static struct policy_exit
ex_signal(int signo)
{
	struct policy_exit	ex;

	memset(&ex, 0, sizeof ex);
	ex.signaled = 1;
	ex.signo = signo;
	return (ex);
}

static struct policy_exit
ex_by_us(int signo)
{
	struct policy_exit	ex;

	ex = ex_signal(signo);
	ex.by_us = 1;
	return (ex);
}

static struct policy_exit
ex_start_failed(void)
{
	struct policy_exit	ex;

	ex = ex_code(127);
	ex.start_failed = 1;
	return (ex);
}

static int
list_is(const int *got, int ngot, const int *want, int nwant)
{
	int	i;

	if (ngot != nwant)
		return (0);
	for (i = 0; i < ngot; i++) {
		if (got[i] != want[i])
			return (0);
	}
	return (1);
}

static void
test_abnormal(void)
{
	struct tree_node	n;
	struct policy_exit	ex;

	node_init(&n, TREE_TRANSIENT, TREE_UNLIMITED);
	ex = ex_code(0);
	is_int(policy_abnormal(&n, &ex), 0, "abnormal: exit 0 listed is normal");
	ex = ex_code(2);
	is_int(policy_abnormal(&n, &ex), 0, "abnormal: exit 2 listed is normal");
	ex = ex_code(1);
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: exit 1 unlisted");
	ex = ex_code(255);
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: exit 255 unlisted");
	ex = ex_signal(SIGKILL);
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: SIGKILL not ours");
	ex = ex_signal(SIGTERM);
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: SIGTERM not ours");
	ex = ex_signal(SIGTERM);
	ex.code = 0;
	is_int(policy_abnormal(&n, &ex), 1,
	    "abnormal: signaled ignores a stale code 0");
	ex = ex_by_us(SIGTERM);
	is_int(policy_abnormal(&n, &ex), 0, "abnormal: SIGTERM by us");
	ex = ex_by_us(SIGKILL);
	is_int(policy_abnormal(&n, &ex), 0, "abnormal: SIGKILL by us");
	ex = ex_code(1);
	ex.by_us = 1;
	is_int(policy_abnormal(&n, &ex), 0, "abnormal: exit 1 after our stop");
	ex = ex_start_failed();
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: start failed");
	ex = ex_start_failed();
	ex.code = 0;
	is_int(policy_abnormal(&n, &ex), 1, "abnormal: start failed, code 0");
	ex = ex_start_failed();
	ex.by_us = 1;
	is_int(policy_abnormal(&n, &ex), 1,
	    "abnormal: start failed even when we killed it");

	n.exit_codes = NULL;
	n.nexit_codes = 0;
	ex = ex_code(0);
	is_int(policy_abnormal(&n, &ex), 1,
	    "abnormal: empty exit_codes makes exit 0 abnormal");
}

static void
test_decide_types(void)
{
	struct tree_node	n;
	struct policy_exit	normal, bad, sig, ours, failed;

	normal = ex_code(0);
	bad = ex_code(3);
	sig = ex_signal(SIGSEGV);
	ours = ex_by_us(SIGTERM);
	failed = ex_start_failed();

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	is_int(policy_decide(&n, &normal, 0), POLICY_RESTART,
	    "permanent: exit 0 restarts");
	is_int(policy_decide(&n, &bad, 0), POLICY_RESTART,
	    "permanent: exit 3 restarts");
	is_int(policy_decide(&n, &sig, 0), POLICY_RESTART,
	    "permanent: SIGSEGV restarts");
	is_int(policy_decide(&n, &ours, 0), POLICY_DONE,
	    "permanent: our stop is done");
	is_int(policy_decide(&n, &failed, 0), POLICY_RESTART,
	    "permanent: start failure restarts");

	node_init(&n, TREE_TRANSIENT, TREE_UNLIMITED);
	is_int(policy_decide(&n, &normal, 0), POLICY_DONE,
	    "transient: exit 0 is done");
	normal.code = 2;
	is_int(policy_decide(&n, &normal, 0), POLICY_DONE,
	    "transient: exit 2 (listed) is done");
	normal.code = 0;
	is_int(policy_decide(&n, &bad, 0), POLICY_RESTART,
	    "transient: exit 3 restarts");
	is_int(policy_decide(&n, &sig, 0), POLICY_RESTART,
	    "transient: SIGSEGV restarts");
	is_int(policy_decide(&n, &ours, 0), POLICY_DONE,
	    "transient: our stop is done");
	is_int(policy_decide(&n, &failed, 0), POLICY_RESTART,
	    "transient: start failure restarts");

	node_init(&n, TREE_TEMPORARY, TREE_UNLIMITED);
	is_int(policy_decide(&n, &normal, 0), POLICY_DONE,
	    "temporary: exit 0 is done");
	is_int(policy_decide(&n, &bad, 0), POLICY_DONE,
	    "temporary: exit 3 is done");
	is_int(policy_decide(&n, &sig, 0), POLICY_DONE,
	    "temporary: SIGSEGV is done");
	is_int(policy_decide(&n, &ours, 0), POLICY_DONE,
	    "temporary: our stop is done");
	is_int(policy_decide(&n, &failed, 0), POLICY_DONE,
	    "temporary: start failure is done");
}

static void
test_decide_max(void)
{
	struct tree_node	n;
	struct policy_exit	bad, normal, ours;

	bad = ex_code(1);
	normal = ex_code(0);
	ours = ex_by_us(SIGTERM);

	node_init(&n, TREE_PERMANENT, 0);
	is_int(policy_decide(&n, &bad, 0), POLICY_GIVE_UP,
	    "max 0: first crash gives up");
	is_int(policy_decide(&n, &normal, 0), POLICY_GIVE_UP,
	    "max 0: permanent exit 0 gives up too");
	is_int(policy_decide(&n, &ours, 0), POLICY_DONE,
	    "max 0: our stop is still done");
	n.restart = TREE_TRANSIENT;
	is_int(policy_decide(&n, &normal, 0), POLICY_DONE,
	    "max 0: transient exit 0 is done, not failed");
	n.restart = TREE_TEMPORARY;
	is_int(policy_decide(&n, &bad, 0), POLICY_DONE,
	    "max 0: temporary crash is done, not failed");

	node_init(&n, TREE_PERMANENT, 1);
	is_int(policy_decide(&n, &bad, 0), POLICY_RESTART,
	    "max 1 (once): first crash restarts");
	is_int(policy_decide(&n, &bad, 1), POLICY_GIVE_UP,
	    "max 1 (once): second crash gives up");
	is_int(policy_decide(&n, &bad, 7), POLICY_GIVE_UP,
	    "max 1 (once): later crashes give up");

	node_init(&n, TREE_TRANSIENT, 3);
	is_int(policy_decide(&n, &bad, 0), POLICY_RESTART, "max 3: restarts 0");
	is_int(policy_decide(&n, &bad, 2), POLICY_RESTART, "max 3: restarts 2");
	is_int(policy_decide(&n, &bad, 3), POLICY_GIVE_UP, "max 3: restarts 3");
	is_int(policy_decide(&n, &normal, 3), POLICY_DONE,
	    "max 3: transient normal exit past the limit is done");

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	is_int(policy_decide(&n, &bad, 1000000), POLICY_RESTART,
	    "unlimited: a million restarts still restart");
	is_int(policy_decide(&n, &bad, LONG_MAX), POLICY_RESTART,
	    "unlimited: LONG_MAX restarts still restart");
}

static void
test_backoff(void)
{
	struct tree_node	n;
	static const int64_t	seq[] = { 50, 60, 72, 86, 104, 124, 149, 179,
				    215, 258 };
	int			i;
	int64_t			prev;

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	for (i = 0; i < (int)(sizeof seq / sizeof seq[0]); i++)
		is_int(policy_backoff(&n, i + 1), seq[i], "backoff: failure %d",
		    i + 1);
	is_int(policy_backoff(&n, 0), 50, "backoff: failures 0 is taken as 1");
	is_int(policy_backoff(&n, -5), 50, "backoff: negative taken as 1");

	/* 50 * 1.2^22 = 2760.3, 1.2^25 gives 4769.8, 1.2^26 gives 5723.8 > max. */
	is_int(policy_backoff(&n, 23), 2760, "backoff: failure 23 uncapped");
	is_int(policy_backoff(&n, 26), 4770, "backoff: failure 26 uncapped");
	is_int(policy_backoff(&n, 27), 5000, "backoff: failure 27 capped");
	is_int(policy_backoff(&n, 100), 5000, "backoff: failure 100 capped");
	is_int(policy_backoff(&n, INT_MAX), 5000, "backoff: INT_MAX capped");

	prev = 0;
	for (i = 1; i < 200; i++) {
		if (policy_backoff(&n, i) < prev)
			break;
		prev = policy_backoff(&n, i);
	}
	is_int(i, 200, "backoff: never decreases with failures");

	n.backoff_multiplier = 2.0;
	n.backoff_min_ms = 100;
	n.backoff_max_ms = 1000;
	is_int(policy_backoff(&n, 1), 100, "backoff x2: 100");
	is_int(policy_backoff(&n, 2), 200, "backoff x2: 200");
	is_int(policy_backoff(&n, 3), 400, "backoff x2: 400");
	is_int(policy_backoff(&n, 4), 800, "backoff x2: 800");
	is_int(policy_backoff(&n, 5), 1000, "backoff x2: capped at 1000");

	n.backoff_max_ms = INT64_MAX;
	is_int(policy_backoff(&n, 10), 51200, "backoff: no real cap, 2^9");
	is_int(policy_backoff(&n, INT_MAX), INT64_MAX,
	    "backoff: huge failures with a huge cap do not overflow");
	n.backoff_multiplier = 1e300;
	is_int(policy_backoff(&n, 3), INT64_MAX,
	    "backoff: huge multiplier does not overflow");

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	n.backoff_multiplier = 1.0;
	is_int(policy_backoff(&n, 1), 50, "backoff x1: 50");
	is_int(policy_backoff(&n, 2), 50, "backoff x1: still 50");
	is_int(policy_backoff(&n, INT_MAX), 50, "backoff x1: INT_MAX still 50");

	n.backoff_multiplier = 0.5;
	is_int(policy_backoff(&n, 2), 25, "backoff x0.5: shrinks");
	n.backoff_multiplier = -3;
	is_int(policy_backoff(&n, 2), 0, "backoff: negative multiplier is 0");

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	n.backoff_min_ms = 0;
	is_int(policy_backoff(&n, 1), 0, "backoff min 0: 0");
	is_int(policy_backoff(&n, 50), 0, "backoff min 0: stays 0");

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	n.backoff_min_ms = 9000;
	is_int(policy_backoff(&n, 1), 5000, "backoff: min above max is max");
	n.backoff_min_ms = 5000;
	is_int(policy_backoff(&n, 1), 5000, "backoff: min equal to max");
}

static void
test_backoff_failures(void)
{
	struct tree_node	n;

	node_init(&n, TREE_PERMANENT, TREE_UNLIMITED);
	is_int(policy_backoff_failures(&n, 0, 0), 1,
	    "failures: first failure counts 1");
	is_int(policy_backoff_failures(&n, 1, 100), 2,
	    "failures: quick crash adds one");
	is_int(policy_backoff_failures(&n, 7, 9999), 8,
	    "failures: just short of reset adds one");
	is_int(policy_backoff_failures(&n, 7, 10000), 1,
	    "failures: a run of exactly reset starts again at 1");
	is_int(policy_backoff_failures(&n, 7, 3600000), 1,
	    "failures: a long run starts again at 1");
	is_int(policy_backoff_failures(&n, INT_MAX, 0), INT_MAX,
	    "failures: saturates at INT_MAX");
	is_int(policy_backoff(&n, policy_backoff_failures(&n, 9, 20000)), 50,
	    "failures: after a reset the delay is back to min");
}

static void
test_intensity(void)
{
	struct policy_intensity	pi;
	int			i, r;

	policy_intensity_init(&pi, 0);
	is_int(policy_intensity_add(&pi, 0, 5000, 1000), 1,
	    "intensity 0: the first restart exceeds it");
	policy_intensity_free(&pi);
	ok(pi.times == NULL, "intensity: free clears the ring");

	policy_intensity_init(&pi, 1);
	is_int(policy_intensity_used(&pi, 5000, 0), 0, "intensity 1: used 0");
	is_int(policy_intensity_add(&pi, 1, 5000, 1000), 0,
	    "intensity 1: first restart is allowed");
	is_int(policy_intensity_used(&pi, 5000, 1000), 1, "intensity 1: used 1");
	is_int(policy_intensity_add(&pi, 1, 5000, 2000), 1,
	    "intensity 1: second within period exceeds");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 1);
	is_int(policy_intensity_add(&pi, 1, 5000, 1000), 0,
	    "intensity 1: restart at 1000");
	is_int(policy_intensity_add(&pi, 1, 5000, 6000), 0,
	    "intensity 1: restart exactly one period later is allowed");
	is_int(policy_intensity_add(&pi, 1, 5000, 10999), 1,
	    "intensity 1: 4999 ms later exceeds");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 3);
	is_int(policy_intensity_add(&pi, 3, 5000, 0), 0, "intensity 3: #1");
	is_int(policy_intensity_add(&pi, 3, 5000, 100), 0, "intensity 3: #2");
	is_int(policy_intensity_add(&pi, 3, 5000, 200), 0, "intensity 3: #3");
	is_int(policy_intensity_used(&pi, 5000, 200), 3, "intensity 3: used 3");
	is_int(policy_intensity_add(&pi, 3, 5000, 300), 1,
	    "intensity 3: #4 within period exceeds");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 3);
	r = 0;
	for (i = 0; i < 100; i++)
		r |= policy_intensity_add(&pi, 3, 5000, (int64_t)i * 2000);
	is_int(r, 0, "intensity 3: one restart every 2s never exceeds 3/5s");
	is_int(policy_intensity_used(&pi, 5000, 198000), 3,
	    "intensity 3: 3 restarts in the last 5s");
	ok(pi.cap <= 4, "intensity 3: ring holds at most intensity+1");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, TREE_UNLIMITED);
	ok(pi.times == NULL && pi.cap == 0, "unlimited: no ring");
	r = 0;
	for (i = 0; i < 1000; i++)
		r |= policy_intensity_add(&pi, TREE_UNLIMITED, 5000, 0);
	is_int(r, 0, "unlimited: 1000 restarts at once never exceed");
	is_int(policy_intensity_used(&pi, 5000, 0), 0, "unlimited: used 0");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 1000000000L);
	ok(pi.cap <= 64, "intensity 1e9: ring is not allocated up front");
	r = 0;
	for (i = 0; i < 200; i++)
		r |= policy_intensity_add(&pi, 1000000000L, 5000, i);
	is_int(r, 0, "intensity 1e9: 200 restarts allowed");
	is_int(policy_intensity_used(&pi, 5000, 199), 200,
	    "intensity 1e9: ring grew to hold 200");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 2);
	is_int(policy_intensity_add(&pi, 2, 0, 10), 0, "period 0: #1");
	is_int(policy_intensity_add(&pi, 2, 0, 10), 0, "period 0: #2 same ms");
	is_int(policy_intensity_add(&pi, 2, 0, 10), 1,
	    "period 0: #3 same ms exceeds (taken as 1 ms)");
	is_int(policy_intensity_add(&pi, 2, 0, 11), 0,
	    "period 0: next ms starts afresh");
	policy_intensity_free(&pi);
}

static void
test_intensity_window(void)
{
	struct policy_intensity	pi;

	/* 3 in 10s: restarts at 0, 4000, 8000; the 4th at 10000 or later. */
	policy_intensity_init(&pi, 3);
	is_int(policy_intensity_add(&pi, 3, 10000, 0), 0, "window: t=0");
	is_int(policy_intensity_add(&pi, 3, 10000, 4000), 0, "window: t=4s");
	is_int(policy_intensity_add(&pi, 3, 10000, 8000), 0, "window: t=8s");
	is_int(policy_intensity_used(&pi, 10000, 8000), 3, "window: 3 used");
	is_int(policy_intensity_used(&pi, 10000, 9999), 3,
	    "window: t=0 still counts at 9999");
	is_int(policy_intensity_used(&pi, 10000, 10000), 2,
	    "window: t=0 ages out at exactly the period");
	is_int(policy_intensity_used(&pi, 10000, 14000), 1,
	    "window: t=4s ages out at 14s");
	is_int(policy_intensity_used(&pi, 10000, 100000), 0,
	    "window: all aged out much later");
	is_int(policy_intensity_add(&pi, 3, 10000, 10000), 0,
	    "window: 4th at 10s slides past t=0");
	is_int(policy_intensity_add(&pi, 3, 10000, 12000), 1,
	    "window: 5th at 12s makes 4 in (2s,12s]");
	policy_intensity_free(&pi);

	policy_intensity_init(&pi, 3);
	is_int(policy_intensity_add(&pi, 3, 10000, 0), 0, "window: t=0");
	is_int(policy_intensity_add(&pi, 3, 10000, 9999), 0, "window: t=9.999");
	is_int(policy_intensity_add(&pi, 3, 10000, 9999), 0, "window: t=9.999");
	is_int(policy_intensity_add(&pi, 3, 10000, 9999), 1,
	    "window: 4 within 9999 ms exceeds");
	policy_intensity_free(&pi);

	/* full: what add would say, without recording anything. */
	policy_intensity_init(&pi, 2);
	is_int(policy_intensity_full(&pi, 2, 10000, 0), 0, "full: empty");
	(void)policy_intensity_add(&pi, 2, 10000, 0);
	(void)policy_intensity_add(&pi, 2, 10000, 1000);
	is_int(policy_intensity_full(&pi, 2, 10000, 2000), 1,
	    "full: a third within the period would exceed 2");
	is_int(policy_intensity_used(&pi, 10000, 2000), 2,
	    "full: ... and records nothing");
	is_int(policy_intensity_full(&pi, 2, 10000, 10000), 0,
	    "full: once the first ages out, there is room");
	is_int(policy_intensity_add(&pi, 2, 10000, 10000), 0,
	    "full: ... as add agrees");
	is_int(policy_intensity_full(&pi, TREE_UNLIMITED, 10000, 10000), 0,
	    "full: never when unlimited");
	policy_intensity_free(&pi);
	/* The times of the newest restarts in the window, oldest first. */
	{
		int64_t	times[4];

		policy_intensity_init(&pi, 5);
		is_int(policy_intensity_times(&pi, 10000, 0, times, 4), 0,
		    "times: none yet");
		policy_intensity_add(&pi, 5, 10000, 1000);
		policy_intensity_add(&pi, 5, 10000, 2000);
		policy_intensity_add(&pi, 5, 10000, 3000);
		is_int(policy_intensity_times(&pi, 10000, 3000, times, 4), 3,
		    "times: three in the window");
		ok(times[0] == 1000 && times[1] == 2000 && times[2] == 3000,
		    "times: oldest first");
		is_int(policy_intensity_times(&pi, 10000, 11500, times, 4), 2,
		    "times: the first aged out");
		ok(times[0] == 2000 && times[1] == 3000,
		    "times: the two left, oldest first");
		is_int(policy_intensity_times(&pi, 10000, 3000, times, 2), 2,
		    "times: at most max");
		ok(times[0] == 2000 && times[1] == 3000,
		    "times: the newest ones kept");
		policy_intensity_free(&pi);
	}
}

static void
test_fanout(void)
{
	int	stop[8], start[8], nstop, nstart, r;

#define FANOUT(st, n, f) \
	r = policy_fanout(st, n, f, stop, &nstop, start, &nstart)

	FANOUT(TREE_ONE_FOR_ONE, 4, 0);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){0}, 1),
	    "one_for_one first: start {0}");
	FANOUT(TREE_ONE_FOR_ONE, 4, 2);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){2}, 1),
	    "one_for_one middle: start {2}");
	FANOUT(TREE_ONE_FOR_ONE, 4, 3);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){3}, 1),
	    "one_for_one last: start {3}");
	FANOUT(TREE_ONE_FOR_ONE, 1, 0);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){0}, 1),
	    "one_for_one n=1: start {0}");

	FANOUT(TREE_ONE_FOR_ALL, 4, 0);
	ok(r == 0 && list_is(stop, nstop, (int[]){3, 2, 1}, 3) &&
	    list_is(start, nstart, (int[]){0, 1, 2, 3}, 4),
	    "one_for_all first: stop 3,2,1 start 0..3");
	FANOUT(TREE_ONE_FOR_ALL, 4, 2);
	ok(r == 0 && list_is(stop, nstop, (int[]){3, 1, 0}, 3) &&
	    list_is(start, nstart, (int[]){0, 1, 2, 3}, 4),
	    "one_for_all middle: stop 3,1,0 start 0..3");
	FANOUT(TREE_ONE_FOR_ALL, 4, 3);
	ok(r == 0 && list_is(stop, nstop, (int[]){2, 1, 0}, 3) &&
	    list_is(start, nstart, (int[]){0, 1, 2, 3}, 4),
	    "one_for_all last: stop 2,1,0 start 0..3");
	FANOUT(TREE_ONE_FOR_ALL, 1, 0);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){0}, 1),
	    "one_for_all n=1: stop none, start {0}");

	FANOUT(TREE_REST_FOR_ONE, 4, 0);
	ok(r == 0 && list_is(stop, nstop, (int[]){3, 2, 1}, 3) &&
	    list_is(start, nstart, (int[]){0, 1, 2, 3}, 4),
	    "rest_for_one first: stop 3,2,1 start 0..3");
	FANOUT(TREE_REST_FOR_ONE, 4, 1);
	ok(r == 0 && list_is(stop, nstop, (int[]){3, 2}, 2) &&
	    list_is(start, nstart, (int[]){1, 2, 3}, 3),
	    "rest_for_one middle: stop 3,2 start 1,2,3");
	FANOUT(TREE_REST_FOR_ONE, 4, 3);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){3}, 1),
	    "rest_for_one last: stop none, start {3}");
	FANOUT(TREE_REST_FOR_ONE, 1, 0);
	ok(r == 0 && nstop == 0 && list_is(start, nstart, (int[]){0}, 1),
	    "rest_for_one n=1: stop none, start {0}");

	FANOUT(TREE_ONE_FOR_ALL, 4, 4);
	ok(r == -1 && nstop == 0 && nstart == 0, "fanout: failed == n refused");
	FANOUT(TREE_REST_FOR_ONE, 4, -1);
	ok(r == -1 && nstop == 0 && nstart == 0, "fanout: failed < 0 refused");
	FANOUT(TREE_ONE_FOR_ONE, 0, 0);
	ok(r == -1 && nstop == 0 && nstart == 0, "fanout: n = 0 refused");
#undef FANOUT
}

int
main(void)
{
	test_abnormal();
	test_decide_types();
	test_decide_max();
	test_backoff();
	test_backoff_failures();
	test_intensity();
	test_intensity_window();
	test_fanout();
	return (done_testing());
}
