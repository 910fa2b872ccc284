/*
 * peer.h: a framed link over a bufferevent (msg.h frames), with one
 * dispatch callback for each complete frame and one "lost" path for EOF,
 * errors and protocol violations.
 */
#ifndef PEER_H
#define PEER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct peer;
struct msg_buf;

typedef void (*peer_dispatch_cb)(struct peer *, uint16_t type,
    const uint8_t *payload, size_t len, void *arg);
/* cause is NULL on a plain EOF. The callback must free the peer. */
typedef void (*peer_lost_cb)(struct peer *, const char *cause, void *arg);

struct peer	*peer_new(struct event_base *, int fd, peer_dispatch_cb,
		     peer_lost_cb, void *arg);
void		 peer_free(struct peer *);
void		 peer_send(struct peer *, uint16_t type, const void *, size_t);
void		 peer_send_buf(struct peer *, uint16_t type, struct msg_buf *);
void		 peer_send_error(struct peer *, const char *);
void		 peer_close_after_flush(struct peer *);
void		 peer_flush_blocking(struct peer *);
void		 peer_drain(struct peer *);
size_t		 peer_pending(struct peer *);
int		 peer_fd(struct peer *);
void		 peer_set_timeout(struct peer *, int read_ms);
void		 peer_pause(struct peer *, int paused);

#endif
