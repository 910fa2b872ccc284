/*
 * http.c: the top process's optional HTTP listener, on libevent's evhttp.
 *
 * Read-only views of the top's mirror of the tree: GET /metrics (metrics.c),
 * GET /healthz (the rule of `status`), GET /status.json (the document of
 * `status --json`), GET /events (server-sent events: the lines of
 * `supertree events`) and GET / (the status page, page.c). Every other
 * method is 405, every other path 404. Answers come from memory at once:
 * unlike `status`, nothing is asked of the supervisors, so a request costs
 * the tree nothing but the rendering.
 *
 * Safe to leave on, because a client can never hold up the tree nor make
 * it grow without bound:
 *   - at most HTTP_MAX_CONNS connections: at the limit the listener stops
 *     accepting (the kernel's backlog holds the rest) until one closes;
 *     so the tree's own descriptors never run out because of us;
 *   - a request line and headers of at most HTTP_MAX_HEADERS bytes, a body
 *     of at most HTTP_MAX_BODY (evhttp answers 413 or 400);
 *   - HTTP_IO_TIMEOUT without progress reading or writing ends a
 *     connection (evhttp's timeouts), and every connection but an event
 *     stream is closed HTTP_DEADLINE_MS after it was accepted, however
 *     slowly its client trickles bytes (slowloris); every answer but a
 *     stream says "Connection: close", one request per connection;
 *   - an event stream whose client does not read has at most
 *     HTTP_STREAM_MAX_BUF bytes queued (and a socket buffer of
 *     HTTP_STREAM_SNDBUF): past that it is closed (a browser reconnects
 *     and reloads the state), rather than the tree buffering for it; at
 *     most HTTP_MAX_STREAMS of the connections are streams;
 *   - what a client sends beyond its request is not read past
 *     HTTP_READ_HIGH bytes (a read high-water mark).
 * While nobody is connected no timer is armed: the listener is a plain
 * read event, so an idle tree with http on wakes up no more than without.
 * Each connection's deadline timer lives as long as the connection; the
 * streams' keepalive timer only while there is a stream.
 *
 * Connection accounting: evhttp 2.1 has no connection limit and tells us
 * nothing when it accepts. It does ask us for each new connection's
 * bufferevent (evhttp_set_bevcb): that is where we count, and where we
 * stop the listener at the limit. The evhttp connection that owns the
 * bufferevent exists only once that callback has returned, so an event
 * activated there (adopt_cb) runs before anything can happen on the new
 * connection (its socket is not even polled yet) and registers our close
 * callback, which uncounts it. Until then we hold a reference on the
 * bufferevent, so that it stays valid even if evhttp dropped the
 * connection at once (bufferevent_free clears its callbacks: that is how
 * adopt_cb tells).
 *
 * Hooks: http_start chains the top's state and done hooks (remote.c sets
 * them first); each of ours calls the one it replaced, then feeds the
 * streams.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "addr.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "proc.h"
#include "render.h"
#include "sv.h"
#include "xmalloc.h"

#define HTTP_MAX_CONNS		64
#define HTTP_MAX_STREAMS	32
#define HTTP_BACKLOG		16
#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		1024
#define HTTP_READ_HIGH		(4 * HTTP_MAX_HEADERS)
#define HTTP_IO_TIMEOUT		10	/* seconds */
#define HTTP_DEADLINE_MS	30000
#define HTTP_STREAM_MAX_BUF	(1024 * 1024)
#define HTTP_STREAM_SNDBUF	(64 * 1024)
#define HTTP_KEEPALIVE_MS	30000
#define HTTP_RETRY_ACCEPT_MS	1000
#define HTTP_MAX_WRITE		(1024 * 1024)	/* bytes per write(2) */

#define HTTP_METHODS	(EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | \
	EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |	\
	EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH)

struct http_conn {
	struct http			*h;
	struct bufferevent		*bev;
	struct evhttp_connection	*evcon;		/* once adopted */
	struct evhttp_request		*stream;	/* GET /events */
	struct event			*deadline;
	TAILQ_ENTRY(http_conn)		 entry;
};
TAILQ_HEAD(http_conns, http_conn);

/* An answer's body, lent to libevent until it is written. */
struct http_out {
	struct buf	b;
};

struct http {
	struct sv		*top;
	struct event_base	*base;
	struct evhttp		*evh;
	struct evconnlistener	*lev;
	struct event		*ev_adopt;	/* right after an accept */
	struct event		*ev_keepalive;	/* while there are streams */
	struct event		*ev_retry;	/* accept failed: try again */
	struct http_conns	 fresh;		/* accepted, not adopted yet */
	struct http_conns	 conns;
	int			 nconns;	/* fresh ones included */
	int			 nstreams;
	int			 paused;	/* the listener is disabled */
	int			 stopping;
	struct buf		 spare;		/* an answer's memory, reused */
	void			(*prev_state)(struct sv *, int);
	void			(*prev_done)(struct sv *);
};

/* The hooks have only the sv: there is one listener per top process. */
static struct http	*the_http;

static struct bufferevent *bev_cb(struct event_base *, void *);
static void	adopt_cb(evutil_socket_t, short, void *);
static void	closed_cb(struct evhttp_connection *, void *);
static void	deadline_cb(evutil_socket_t, short, void *);
static void	keepalive_cb(evutil_socket_t, short, void *);
static void	retry_cb(evutil_socket_t, short, void *);
static void	accept_error_cb(struct evconnlistener *, void *);
static void	conn_free(struct http_conn *);
static void	conn_drop(struct http_conn *);
static void	listener_update(struct http *);
static void	request_cb(struct evhttp_request *, void *);
static void	reply(struct evhttp_request *, int, const char *,
		    const char *, const char *, size_t);
static void	reply_body(struct evhttp_request *, int, const char *,
		    const char *, const char *, size_t, struct http_out *);
static struct http_out *out_new(struct http *);
static void	out_done(const void *, size_t, void *);
static void	reply_out(struct evhttp_request *, int, const char *,
		    const char *, struct http_out *);
static void	json_into(struct buf *, const struct tree *,
		    const struct nstate *, int64_t);
static void	serve_events(struct http *, struct http_conn *,
		    struct evhttp_request *);
static void	stream_send(struct http_conn *, const char *, size_t);
static void	hook_state(struct sv *, int);
static void	hook_done(struct sv *);
static int	listen_on(const char *, int, char **);
static void	timer_add_ms(struct event *, int64_t);

static void
timer_add_ms(struct event *ev, int64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

/* A listening socket on host:port (host: a literal or localhost). */
static int
listen_on(const char *host, int port, char **cause)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof ss);
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof *sin;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof *sin6;
	} else {
		xasprintf(cause, "not an IP address");
		return (-1);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	/* A restarted tree can listen again at once (TIME_WAIT). */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1) {
		xasprintf(cause, "%s", strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

struct http *
http_start(struct sv *top, const char *addr, char **cause)
{
	struct sv_hooks	 hooks;
	struct http	*h;
	char		*host, *why, *where;
	int		 port, fd, v6;

	if (addr_parse(addr, &host, &port, &why) == -1) {
		xasprintf(cause, "http: '%s': %s", addr, why);
		free(why);
		return (NULL);
	}
	v6 = strchr(host, ':') != NULL;
	xasprintf(&where, "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "",
	    port);
	if ((fd = listen_on(host, port, &why)) == -1) {
		xasprintf(cause, "http: %s: cannot listen: %s", where, why);
		free(why);
		free(where);
		free(host);
		return (NULL);
	}
	h = xcalloc(1, sizeof *h);
	h->top = top;
	h->base = sv_base(top);
	TAILQ_INIT(&h->fresh);
	TAILQ_INIT(&h->conns);
	/* Our socket listens already: backlog -1, no second listen(). */
	h->lev = evconnlistener_new(h->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (h->lev == NULL || (h->evh = evhttp_new(h->base)) == NULL)
		fatalx("http: cannot set up the listener");
	evhttp_set_bevcb(h->evh, bev_cb, h);
	evhttp_set_gencb(h->evh, request_cb, h);
	evhttp_set_allowed_methods(h->evh, HTTP_METHODS);
	evhttp_set_max_headers_size(h->evh, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->evh, HTTP_MAX_BODY);
	evhttp_set_timeout(h->evh, HTTP_IO_TIMEOUT);
	if (evhttp_bind_listener(h->evh, h->lev) == NULL)
		fatalx("http: cannot bind the listener");
	evconnlistener_set_error_cb(h->lev, accept_error_cb);
	h->ev_adopt = event_new(h->base, -1, 0, adopt_cb, h);
	h->ev_keepalive = evtimer_new(h->base, keepalive_cb, h);
	h->ev_retry = evtimer_new(h->base, retry_cb, h);
	sv_get_hooks(top, &hooks);
	h->prev_state = hooks.state;
	h->prev_done = hooks.done;
	hooks.state = hook_state;
	hooks.done = hook_done;
	sv_set_hooks(top, &hooks);
	the_http = h;
	sv_event(top, -1, "http: listening on %s%s", where,
	    addr_is_loopback(host) ? "" : " (reachable from other machines)");
	free(where);
	free(host);
	return (h);
}

void
http_stop(struct http *h)
{
	struct sv_hooks		 hooks;
	struct http_conn	*c;

	if (h == NULL)
		return;
	h->stopping = 1;
	sv_get_hooks(h->top, &hooks);
	hooks.state = h->prev_state;
	hooks.done = h->prev_done;
	sv_set_hooks(h->top, &hooks);
	/* Frees the listener, then every connection (closed_cb for each). */
	evhttp_free(h->evh);
	while ((c = TAILQ_FIRST(&h->fresh)) != NULL) {
		TAILQ_REMOVE(&h->fresh, c, entry);
		bufferevent_decref(c->bev);
		free(c);
	}
	event_free(h->ev_adopt);
	event_free(h->ev_keepalive);
	event_free(h->ev_retry);
	buf_free(&h->spare);
	the_http = NULL;
	free(h);
}

/* Accept while under the limit; pause the listener at it. */
static void
listener_update(struct http *h)
{
	if (h->stopping)
		return;
	if (h->nconns >= HTTP_MAX_CONNS && !h->paused) {
		evconnlistener_disable(h->lev);
		h->paused = 1;
	} else if (h->nconns < HTTP_MAX_CONNS && h->paused &&
	    !evtimer_pending(h->ev_retry, NULL)) {
		evconnlistener_enable(h->lev);
		h->paused = 0;
	}
}

/*
 * Out of descriptors (or another accept error): evhttp would retry at
 * once, forever. Pause instead, and try again a little later.
 */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http	*h = the_http;
	int		 e = EVUTIL_SOCKET_ERROR();

	(void)lev;
	(void)arg;
	if (h == NULL || e == EAGAIN || e == EINTR || e == ECONNABORTED)
		return;
	evconnlistener_disable(h->lev);
	h->paused = 1;
	timer_add_ms(h->ev_retry, HTTP_RETRY_ACCEPT_MS);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listener_update(arg);
}

/* evhttp accepted a connection and wants its bufferevent: count it. */
static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->h = h;
	c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("http: bufferevent_socket_new failed");
	bufferevent_incref(c->bev);
	TAILQ_INSERT_TAIL(&h->fresh, c, entry);
	h->nconns++;
	listener_update(h);
	event_active(h->ev_adopt, EV_READ, 0);
	return (c->bev);
}

/* Runs before any event of the connections just accepted: see above. */
static void
adopt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;
	void			*cbarg = NULL;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&h->fresh)) != NULL) {
		TAILQ_REMOVE(&h->fresh, c, entry);
		bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
		bufferevent_decref(c->bev);
		if (cbarg == NULL) {
			/* evhttp gave up on it already. */
			h->nconns--;
			free(c);
			continue;
		}
		c->evcon = cbarg;
		evhttp_connection_set_closecb(c->evcon, closed_cb, c);
		bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_READ_HIGH);
		/* Big answers in big writes, not 16 KiB per loop turn. */
		bufferevent_set_max_single_write(c->bev, HTTP_MAX_WRITE);
		c->deadline = evtimer_new(h->base, deadline_cb, c);
		timer_add_ms(c->deadline, HTTP_DEADLINE_MS);
		TAILQ_INSERT_TAIL(&h->conns, c, entry);
	}
	listener_update(h);
}

/*
 * evhttp is freeing the connection: forget it (once). A stream's request
 * is freed with its connection, except when the client went away first:
 * then evhttp detaches the request (we had not ended it) and leaves it
 * to us.
 */
static void
closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn	*c = arg;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	if (c->stream != NULL &&
	    evhttp_request_get_connection(c->stream) == NULL)
		evhttp_request_free(c->stream);
	conn_free(c);
}

static void
conn_free(struct http_conn *c)
{
	struct http	*h = c->h;

	TAILQ_REMOVE(&h->conns, c, entry);
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->stream != NULL && --h->nstreams == 0)
		evtimer_del(h->ev_keepalive);
	h->nconns--;
	free(c);
	listener_update(h);
}

/* Close a connection now (its close callback frees c). */
static void
conn_drop(struct http_conn *c)
{
	evhttp_connection_free(c->evcon);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_drop(arg);
}

/*
 * The memory of an answer: the spare buffer of the last one, emptied, when
 * it is not lent out. The big answers (/metrics of 10,000 nodes is 8 MB)
 * are written into pages that are mapped already: fresh memory of that
 * size costs a page fault per 4 kB at each scrape, more than the
 * rendering. So the top keeps, once asked, one buffer of the size of its
 * largest answer; answers that overlap get their own, freed once sent.
 */
static struct http_out *
out_new(struct http *h)
{
	struct http_out	*o;

	o = xcalloc(1, sizeof *o);
	o->b = h->spare;
	o->b.len = 0;
	memset(&h->spare, 0, sizeof h->spare);
	return (o);
}

/* evbuffer_add_reference's cleanup: the body is written, or dropped. */
static void
out_done(const void *data, size_t len, void *arg)
{
	struct http_out	*o = arg;
	struct http	*h = the_http;
	struct buf	 tmp;

	(void)data;
	(void)len;
	if (h != NULL && !h->stopping && o->b.cap > h->spare.cap) {
		/* Keep the larger of the two. */
		tmp = h->spare;
		h->spare = o->b;
		o->b = tmp;
	}
	buf_free(&o->b);
	free(o);
}

/*
 * The document of `status --json` (render_json's, whose framing this
 * follows), node by node into b.
 */
static void
json_into(struct buf *b, const struct tree *t, const struct nstate *states,
    int64_t now_ms)
{
	char	*node;
	size_t	 need;
	int	 i;

	need = b->len + 400 * (size_t)t->nnodes + 16;
	if (need > b->cap) {
		b->s = xrealloc(b->s, need);
		b->cap = need;
	}
	buf_add(b, "[\n", 2);
	for (i = 0; i < t->nnodes; i++) {
		node = render_json_node(t, i, &states[i], now_ms);
		buf_add(b, "  ", 2);
		buf_puts(b, node);
		buf_puts(b, i + 1 < t->nnodes ? ",\n" : "\n");
		free(node);
	}
	buf_add(b, "]\n", 2);
}

/*
 * Answer with body (len bytes). With o, the body is o's, handed over: it
 * is sent without a copy and its memory goes back to the spare buffer
 * once written; without, it is copied.
 */
static void
reply_body(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len, struct http_out *o)
{
	struct evkeyvalq	*hd = evhttp_request_get_output_headers(req);
	struct evbuffer		*b;
	char			 clen[32];

	evhttp_add_header(hd, "Content-Type", type);
	evhttp_add_header(hd, "Cache-Control", "no-store");
	evhttp_add_header(hd, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hd, "Connection", "close");
	if ((b = evbuffer_new()) == NULL)
		fatalx("http: evbuffer_new failed");
	/* HEAD: the length of what GET would send, and no body. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(clen, sizeof clen, "%zu", len);
		evhttp_add_header(hd, "Content-Length", clen);
		if (o != NULL)
			out_done(NULL, 0, o);
	} else if (o != NULL) {
		if (evbuffer_add_reference(b, body, len, out_done, o) == -1)
			fatalx("http: evbuffer_add_reference failed");
	} else
		evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len)
{
	reply_body(req, code, reason, type, body, len, NULL);
}

static void
reply_out(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct http_out *o)
{
	reply_body(req, code, reason, type, o->b.s, o->b.len, o);
}

static struct http_conn *
conn_of(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct http_conn		*c;

	evcon = evhttp_request_get_connection(req);
	TAILQ_FOREACH(c, &h->conns, entry) {
		if (c->evcon == evcon)
			return (c);
	}
	return (NULL);
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	struct sv		*top = h->top;
	const struct evhttp_uri	*uri;
	struct http_conn	*c;
	struct http_out		*o;
	struct nstate		*states;
	const char		*path;
	char			*out;
	int			 code, method;
	static const char	 notfound[] = "supertree: no such page: there "
	    "are /, /metrics, /healthz, /status.json and /events\n";
	static const char	 notallowed[] = "supertree: only GET (or HEAD) "
	    "is allowed: this interface is read-only\n";

	method = evhttp_request_get_command(req);
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/") != 0 && strcmp(path, "/metrics") != 0 &&
	    strcmp(path, "/healthz") != 0 &&
	    strcmp(path, "/status.json") != 0 &&
	    strcmp(path, "/events") != 0) {
		reply(req, 404, "Not Found", "text/plain; charset=utf-8",
		    notfound, sizeof notfound - 1);
		return;
	}
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply(req, 405, "Method Not Allowed",
		    "text/plain; charset=utf-8", notallowed,
		    sizeof notallowed - 1);
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		o = out_new(h);
		metrics_render_buf(&o->b, sv_tree(top), sv_mirror(top),
		    proc_wall_ms());
		reply_out(req, 200, "OK", METRICS_CONTENT_TYPE, o);
	} else if (strcmp(path, "/healthz") == 0) {
		code = metrics_health(sv_tree(top), sv_mirror(top), &out);
		reply(req, code == 0 ? 200 : 503, code == 0 ? "OK" :
		    "Service Unavailable", "text/plain; charset=utf-8", out,
		    strlen(out));
		free(out);
	} else if (strcmp(path, "/status.json") == 0) {
		/* What status --json says: the mirror and the holdings. */
		states = xreallocarray(NULL, sv_tree(top)->nnodes,
		    sizeof *states);
		memcpy(states, sv_mirror(top), sv_tree(top)->nnodes *
		    sizeof *states);
		sv_contain_count(top, states);
		o = out_new(h);
		json_into(&o->b, sv_tree(top), states, proc_wall_ms());
		free(states);
		reply_out(req, 200, "OK", "application/json", o);
	} else if (strcmp(path, "/events") == 0 && method == EVHTTP_REQ_HEAD) {
		reply(req, 200, "OK", "text/event-stream", "", 0);
		return;
	} else if (strcmp(path, "/events") == 0) {
		/* Every connection is adopted before it can read: see above. */
		if ((c = conn_of(h, req)) == NULL) {
			reply(req, 503, "Service Unavailable",
			    "text/plain; charset=utf-8", "", 0);
			return;
		}
		serve_events(h, c, req);
		return;
	} else {
		o = out_new(h);
		page_render_buf(&o->b, sv_tree(top), sv_mirror(top), proc_wall_ms());
		reply_out(req, 200, "OK", "text/html; charset=utf-8", o);
	}
}

/* GET /events: keep the answer open; hook_state writes to it. */
static void
serve_events(struct http *h, struct http_conn *c, struct evhttp_request *req)
{
	struct evkeyvalq	*hd = evhttp_request_get_output_headers(req);
	struct timeval		 wtv = { HTTP_IO_TIMEOUT, 0 };
	int			 sndbuf = HTTP_STREAM_SNDBUF;
	static const char	 busy[] = "supertree: too many event streams "
	    "open: try again later\n";

	if (h->nstreams >= HTTP_MAX_STREAMS) {
		evhttp_add_header(hd, "Retry-After", "10");
		reply(req, 503, "Service Unavailable",
		    "text/plain; charset=utf-8", busy, sizeof busy - 1);
		return;
	}
	evhttp_add_header(hd, "Content-Type", "text/event-stream");
	evhttp_add_header(hd, "Cache-Control", "no-store");
	evhttp_add_header(hd, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hd, "Connection", "close");
	evhttp_send_reply_start(req, 200, "OK");
	/*
	 * A stream lasts: no deadline, and no read timeout (its client has
	 * nothing more to say); a write that makes no progress still ends it.
	 */
	evtimer_del(c->deadline);
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	/* And a fixed socket buffer: what the kernel holds is bounded too. */
	(void)setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_SNDBUF,
	    &sndbuf, sizeof sndbuf);
	c->stream = req;
	if (h->nstreams++ == 0)
		timer_add_ms(h->ev_keepalive, HTTP_KEEPALIVE_MS);
}

/* Queue text on a stream, or drop the stream if its client lags. */
static void
stream_send(struct http_conn *c, const char *text, size_t len)
{
	struct evbuffer	*b;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len >
	    HTTP_STREAM_MAX_BUF) {
		conn_drop(c);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatalx("http: evbuffer_new failed");
	evbuffer_add(b, text, len);
	evhttp_send_reply_chunk(c->stream, b);
	evbuffer_free(b);
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c, *tc;
	static const char	 ping[] = ": keepalive\n\n";

	(void)fd;
	(void)what;
	TAILQ_FOREACH_SAFE(c, &h->conns, entry, tc) {
		if (c->stream != NULL)
			stream_send(c, ping, sizeof ping - 1);
	}
	if (h->nstreams > 0)
		timer_add_ms(h->ev_keepalive, HTTP_KEEPALIVE_MS);
}

/* A node changed: one "data:" line to every stream, as `events` prints. */
static void
hook_state(struct sv *sv, int id)
{
	struct http		*h = the_http;
	struct http_conn	*c, *tc;
	char			*json, *line;
	int			 len;

	if (h->prev_state != NULL)
		h->prev_state(sv, id);
	if (h->nstreams == 0)
		return;
	json = render_json_node(sv_tree(sv), id, &sv_mirror(sv)[id],
	    proc_wall_ms());
	len = xasprintf(&line, "data: %s\n\n", json);
	free(json);
	TAILQ_FOREACH_SAFE(c, &h->conns, entry, tc) {
		if (c->stream != NULL)
			stream_send(c, line, len);
	}
	free(line);
}

/* The tree is down: end the streams, as `events` ends. */
static void
hook_done(struct sv *sv)
{
	struct http		*h = the_http;
	struct http_conn	*c, *tc;
	struct evhttp_request	*req;

	if (h->prev_done != NULL)
		h->prev_done(sv);
	TAILQ_FOREACH_SAFE(c, &h->conns, entry, tc) {
		if ((req = c->stream) == NULL)
			continue;
		c->stream = NULL;
		if (--h->nstreams == 0)
			evtimer_del(h->ev_keepalive);
		evhttp_send_reply_end(req);
	}
}
