/*
 * metrics.h: a tree and its node states -> the Prometheus text exposition
 * format (0.0.4) of GET /metrics, and the one-line verdict of GET /healthz.
 * Pure: the states come from the top's mirror, the time as now_ms.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "nstate.h"
#include "tree.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The whole exposition at now_ms, allocated; *lenp is its length. */
char	*metrics_render(const struct tree *, const struct nstate *,
	    int64_t now_ms, size_t *lenp);

/*
 * The same, appended to b (whose memory is reused when it is large
 * enough: an emptied buffer, len 0, from an earlier answer).
 */
struct buf;
void	 metrics_render_buf(struct buf *, const struct tree *,
	    const struct nstate *, int64_t now_ms);

/*
 * The health verdict, by the rule of `status` (render_health): 0 when
 * status would exit 0, else 3; *line is an allocated line of text that
 * says why ("ok: ..." or "unhealthy: PATH is STATE ..."), with a newline.
 */
int	 metrics_health(const struct tree *, const struct nstate *,
	    char **line);

#endif
