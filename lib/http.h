/*
 * http.h: the optional HTTP listener of the top process (the http key of
 * [supertree], `supertree run --http`): /metrics, /healthz, /status.json,
 * /events and the status page, read-only, on libevent's evhttp.
 */
#ifndef HTTP_H
#define HTTP_H

struct sv;
struct http;

/*
 * Listen on addr ([HOST:]PORT) for the tree of top, the top process,
 * whose hooks it chains (so call it after remote_init). NULL and *cause if
 * the address is bad or cannot be bound.
 */
struct http	*http_start(struct sv *top, const char *addr, char **cause);
void		 http_stop(struct http *);

#endif
