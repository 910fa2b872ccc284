/*
 * peer.c: a framed, non-blocking link over a libevent bufferevent.
 *
 * Incoming bytes are split into frames (msg.h); each complete frame goes
 * to the dispatch callback with its payload. A bad header (version,
 * oversize) is a protocol error: the peer gets an error frame, its output
 * is flushed, and the lost callback runs. Reads are bounded per callback
 * (the bufferevent's watermark and a frame budget) so one chatty peer
 * cannot starve the loop.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "msg.h"
#include "peer.h"
#include "xmalloc.h"

#define PEER_FRAMES_PER_READ	64

struct peer {
	struct bufferevent	*bev;
	peer_dispatch_cb	 dispatch;
	peer_lost_cb		 lost;
	void			*arg;
	int			 closing;	/* flush then report lost */
	int			 dead;
	int			 unbounded;	/* draining: no frame budget */
	uint8_t			*frame;
	size_t			 framecap;
};

static void	peer_read_cb(struct bufferevent *, void *);
static void	peer_write_cb(struct bufferevent *, void *);
static void	peer_event_cb(struct bufferevent *, short, void *);
static void	peer_die(struct peer *, const char *);

struct peer *
peer_new(struct event_base *base, int fd, peer_dispatch_cb dispatch,
    peer_lost_cb lost, void *arg)
{
	struct peer	*p;

	p = xcalloc(1, sizeof *p);
	p->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (p->bev == NULL)
		fatalx("bufferevent_socket_new failed");
	p->dispatch = dispatch;
	p->lost = lost;
	p->arg = arg;
	bufferevent_setcb(p->bev, peer_read_cb, peer_write_cb, peer_event_cb,
	    p);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	return (p);
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	bufferevent_free(p->bev);
	free(p->frame);
	free(p);
}

int
peer_fd(struct peer *p)
{
	return (bufferevent_getfd(p->bev));
}

size_t
peer_pending(struct peer *p)
{
	return (evbuffer_get_length(bufferevent_get_output(p->bev)));
}

void
peer_set_timeout(struct peer *p, int read_ms)
{
	struct timeval	tv;

	if (read_ms <= 0) {
		bufferevent_set_timeouts(p->bev, NULL, NULL);
		return;
	}
	tv.tv_sec = read_ms / 1000;
	tv.tv_usec = (read_ms % 1000) * 1000;
	bufferevent_set_timeouts(p->bev, &tv, &tv);
}

void
peer_pause(struct peer *p, int paused)
{
	if (paused)
		bufferevent_disable(p->bev, EV_READ);
	else
		bufferevent_enable(p->bev, EV_READ);
}

void
peer_send(struct peer *p, uint16_t type, const void *data, size_t len)
{
	struct evbuffer	*out;
	uint8_t		 hdr[MSG_HDRLEN];

	if (p->dead || p->closing)
		return;
	out = bufferevent_get_output(p->bev);
	msg_pack_hdr(hdr, type, (uint32_t)len);
	evbuffer_add(out, hdr, sizeof hdr);
	if (len != 0)
		evbuffer_add(out, data, len);
}

void
peer_send_buf(struct peer *p, uint16_t type, struct msg_buf *mb)
{
	peer_send(p, type, mb->data, mb->len);
	msg_buf_free(mb);
}

void
peer_send_error(struct peer *p, const char *text)
{
	struct msg_buf	mb;

	msg_buf_init(&mb);
	msg_put_str(&mb, text);
	peer_send_buf(p, MSG_ERROR, &mb);
}

/*
 * Stop reading, and once everything queued has been written report the
 * peer as lost. If nothing is queued, that happens from the write
 * callback's next run; trigger it now.
 */
void
peer_close_after_flush(struct peer *p)
{
	if (p->closing || p->dead)
		return;
	p->closing = 1;
	bufferevent_disable(p->bev, EV_READ);
	bufferevent_set_timeouts(p->bev, NULL, NULL);
	if (peer_pending(p) == 0)
		bufferevent_trigger(p->bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS |
		    BEV_TRIG_DEFER_CALLBACKS);
}

/*
 * The other end has exited: read and dispatch everything it wrote before
 * it went, so that its last reports are not lost when the caller frees
 * the link right after.
 */
void
peer_drain(struct peer *p)
{
	struct evbuffer	*in = bufferevent_get_input(p->bev);
	int		 fd = bufferevent_getfd(p->bev);

	if (p->dead)
		return;
	/*
	 * A socket bufferevent keeps the end of its input buffer frozen (only
	 * it may add); thaw it while we read by hand.
	 */
	evbuffer_unfreeze(in, 0);
	while (evbuffer_read(in, fd, -1) > 0)
		;
	evbuffer_freeze(in, 0);
	p->unbounded = 1;
	peer_read_cb(p->bev, p);
	p->unbounded = 0;
}

/* Write out what is queued, blocking (used just before exit). */
void
peer_flush_blocking(struct peer *p)
{
	struct evbuffer	*out = bufferevent_get_output(p->bev);
	int		 fd = bufferevent_getfd(p->bev);

	/* Likewise the start of its output buffer (only it may drain). */
	evbuffer_unfreeze(out, 1);
	while (evbuffer_get_length(out) > 0) {
		if (evbuffer_write(out, fd) <= 0 && errno != EINTR)
			break;
	}
	evbuffer_freeze(out, 1);
}

static void
peer_die(struct peer *p, const char *cause)
{
	if (p->dead)
		return;
	p->dead = 1;
	bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	p->lost(p, cause, p->arg);
}

static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct msg_hdr	 h;
	uint8_t		 hdr[MSG_HDRLEN];
	char		*cause;
	int		 frames = 0;

	while (!p->dead && !p->closing &&
	    evbuffer_get_length(in) >= MSG_HDRLEN) {
		if (frames++ == PEER_FRAMES_PER_READ && !p->unbounded) {
			/* Come back on the next loop iteration. */
			bufferevent_trigger(bev, EV_READ,
			    BEV_TRIG_DEFER_CALLBACKS);
			return;
		}
		evbuffer_copyout(in, hdr, sizeof hdr);
		if (msg_unpack_hdr(hdr, &h, &cause) == -1) {
			peer_send_error(p, cause);
			free(cause);
			evbuffer_drain(in, evbuffer_get_length(in));
			peer_close_after_flush(p);
			return;
		}
		if (evbuffer_get_length(in) < MSG_HDRLEN + (size_t)h.len)
			return;
		evbuffer_drain(in, MSG_HDRLEN);
		if (h.len + 1 > p->framecap) {
			p->framecap = h.len + 1;
			p->frame = xrealloc(p->frame, p->framecap);
		}
		evbuffer_remove(in, p->frame, h.len);
		p->frame[h.len] = 0;
		p->dispatch(p, h.type, p->frame, h.len, p->arg);
	}
}

static void
peer_write_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;

	if (p->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		peer_die(p, NULL);
}

static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer	*p = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT)
		peer_die(p, "timed out");
	else if (what & BEV_EVENT_ERROR)
		peer_die(p, strerror(EVUTIL_SOCKET_ERROR()));
	else
		peer_die(p, NULL);
}
