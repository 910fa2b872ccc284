/*
 * health.h: a worker's liveness checks while it runs: health = exec:,
 * tcp:, http:// every health_interval; the systemd watchdog; max_memory.
 * A worker with none of these keys has no struct health at all.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include <sys/types.h>
#include <stdint.h>

struct fsm;
struct health;
struct sv_child;

struct health	*health_new(struct sv_child *);
void		 health_free(struct health *);
void		 health_follow(struct health *, const struct fsm *);
void		 health_keepalive(struct health *);
void		 health_trigger(struct health *);
void		 health_watchdog_set(struct health *, int64_t ms);
pid_t		 health_probe_pid(struct health *);
int		 health_probe_reap(struct health *);

#endif
