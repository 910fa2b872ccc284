/*
 * notify.h: the systemd notification protocol, as a client: when
 * NOTIFY_SOCKET is set, `supertree run` tells its own supervisor when the
 * tree is ready, what it is doing, and when it stops. It knows nothing of
 * the tree: the top (cmd/run.c) words the messages.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

void	notify_init(void);
int	notify_send(const char *);
int	notify_active(void);

#endif
