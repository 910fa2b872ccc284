/*
 * notify.h: the systemd notification protocol, as a client: when
 * NOTIFY_SOCKET is set, `supertree run` tells its own supervisor when the
 * tree is ready, what it is doing, and when it stops.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

struct sv;

void	notify_init(struct sv *);
int	notify_send(const char *);
int	notify_active(void);

#endif
