/*
 * page.h: the status page of GET /: one self-contained HTML document, the
 * tree as a table that reads without JavaScript, kept live by a small
 * script from /events. Pure.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "nstate.h"
#include "tree.h"

/* The page for the tree and its states at now_ms; allocated, *lenp set. */
char	*page_render(const struct tree *, const struct nstate *,
	    int64_t now_ms, size_t *lenp);

/* The same, appended to b (an emptied buffer's memory is reused). */
struct buf;
void	 page_render_buf(struct buf *, const struct tree *,
	    const struct nstate *, int64_t now_ms);

#endif
