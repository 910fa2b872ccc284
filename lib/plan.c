/*
 * plan.c: the ordered start and stop of a supervisor's children.
 *
 * All work that involves several children (the start-up, a strategy
 * restart, a stop or restart by hand, a shutdown, a reload) goes through
 * one plan made of two cursors. stop_hi walks down from the highest index,
 * and every child that must go down (not wanted, or to be restarted) is
 * stopped in turn, one at a time: the next stop begins once the one
 * before is complete, in reverse start order as OTP terminates children.
 * Then start_lo walks up over the children queued for the ordered start
 * and starts each in turn, one at a time: a child starts once the one
 * before it is ready.
 *
 * Each cursor only moves forward until an event moves it back (a queued
 * stop raises stop_hi, a queued start lowers start_lo), so a whole plan
 * costs O(children) and an event that concerns one child costs O(1).
 *
 * Under start = parallel the start cursor never waits for a child to be
 * ready: every queued child is started in one pass (a child whose after
 * list is not met waits in its own lifecycle, fsm.c). The cursors walk
 * positions in the supervisor's start order (dep_order: file order,
 * except that a child comes after the siblings its subtree waits for),
 * so the stop is always its reverse.
 *
 * plan_next() only says what comes next; the caller feeds the child the
 * event and calls it again. Feeding the event always makes progress (the
 * child begins to stop, settles, or is spawned), which the unit test
 * checks for every state. Pure: no syscalls, no clock, no globals.
 */
#include <stdlib.h>
#include <string.h>

#include "fsm.h"
#include "plan.h"
#include "xmalloc.h"

/* A new supervisor starts every child, in order. */
void
plan_init(struct plan *p, int n)
{
	memset(p, 0, sizeof *p);
	p->n = n;
	p->queued = xcalloc(n > 0 ? n : 1, 1);
	memset(p->queued, 1, n);
	p->stop_hi = -1;
	p->start_lo = 0;
}

void
plan_free(struct plan *p)
{
	free(p->queued);
	free(p->order);
	free(p->pos);
	memset(p, 0, sizeof *p);
}

/* The start order (order[position] = child index; NULL: file order). */
void
plan_set_order(struct plan *p, int parallel, const int *order)
{
	int	i;

	p->parallel = parallel;
	free(p->order);
	free(p->pos);
	p->order = p->pos = NULL;
	for (i = 0; order != NULL && i < p->n; i++) {
		if (order[i] != i)
			break;
	}
	if (order == NULL || i == p->n)
		return;
	p->order = xcalloc(p->n, sizeof *p->order);
	p->pos = xcalloc(p->n, sizeof *p->pos);
	for (i = 0; i < p->n; i++) {
		p->order[i] = order[i];
		p->pos[order[i]] = i;
	}
}

#define POS(p, i)	((p)->pos != NULL ? (p)->pos[i] : (i))
#define IDX(p, k)	((p)->order != NULL ? (p)->order[k] : (k))

void
plan_queue_start(struct plan *p, int i)
{
	if (i < 0 || i >= p->n)
		return;
	p->queued[i] = 1;
	if (POS(p, i) < p->start_lo)
		p->start_lo = POS(p, i);
}

void
plan_unqueue(struct plan *p, int i)
{
	if (i >= 0 && i < p->n)
		p->queued[i] = 0;
}

void
plan_queue_stop(struct plan *p, int i)
{
	if (i >= 0 && i < p->n && POS(p, i) > p->stop_hi)
		p->stop_hi = POS(p, i);
}

/* A shutdown: every child is considered for stopping, none for starting. */
void
plan_stop_all(struct plan *p)
{
	p->stop_hi = p->n - 1;
	p->start_lo = p->n;
}

enum plan_op
plan_next(struct plan *p, plan_fsm_fn *fsm_of, void *arg, int shutting_down,
    int *idx)
{
	const struct fsm	*f;
	int			 i;

	for (; p->stop_hi >= 0; p->stop_hi--) {
		i = IDX(p, p->stop_hi);
		f = fsm_of(arg, i);
		if (fsm_stopping_by_us(f))
			return (PLAN_WAIT);
		if (fsm_plan_stop_needed(f)) {
			*idx = i;
			return (PLAN_STOP);
		}
	}
	if (shutting_down)
		return (PLAN_DONE);
	for (; p->start_lo < p->n; p->start_lo++) {
		i = IDX(p, p->start_lo);
		if (!p->queued[i])
			continue;
		f = fsm_of(arg, i);
		if (!f->want_up) {
			p->queued[i] = 0;
			continue;
		}
		/* Its old self (before a reload) must be gone first. */
		if (f->after_old)
			return (PLAN_WAIT);
		if (fsm_plan_start_needed(f)) {
			*idx = i;
			return (PLAN_START);
		}
		if (!f->ready && !p->parallel)
			return (PLAN_WAIT);
		p->queued[i] = 0;
	}
	return (PLAN_DONE);
}
