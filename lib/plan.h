/*
 * plan.h: the order in which a supervisor stops and starts its children,
 * as two cursors over their lifecycles (fsm.h). Pure.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdint.h>

struct fsm;

struct plan {
	uint8_t	*queued;	/* in the ordered start, by child index */
	int	 n;
	int	 stop_hi;	/* next to consider stopping; -1: none */
	int	 start_lo;	/* next to consider starting; n: none */
	int	 parallel;	/* start = parallel: never wait for ready */
	int	*order;		/* position -> child index; NULL: identity */
	int	*pos;		/* child index -> position */
};

enum plan_op {
	PLAN_DONE,		/* nothing to do until a child changes */
	PLAN_WAIT,		/* a child must stop or be ready first */
	PLAN_STOP,		/* feed FSM_EV_PLAN_STOP to child *idx */
	PLAN_START		/* feed FSM_EV_PLAN_START to child *idx */
};

/* The lifecycle of child i. */
typedef const struct fsm *plan_fsm_fn(void *, int);

void		plan_init(struct plan *, int n);
void		plan_free(struct plan *);
void		plan_set_order(struct plan *, int parallel, const int *);
void		plan_queue_start(struct plan *, int);
void		plan_unqueue(struct plan *, int);
void		plan_queue_stop(struct plan *, int);
void		plan_stop_all(struct plan *);
enum plan_op	plan_next(struct plan *, plan_fsm_fn *, void *,
		    int, int *);

#endif
