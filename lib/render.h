/*
 * render.h: a tree and its node states -> text. Pure.
 *
 * render_tree draws the tree for `check` (states == NULL: show each node's
 * kind and key settings) and for `status` (show states). render_json
 * prints the stable JSON schema of `status --json`. now_ms is wall-clock
 * milliseconds. Both return an allocated NUL-terminated string.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stdint.h>

#include "nstate.h"
#include "tree.h"

#define RENDER_UTF8	0x1	/* box-drawing characters, else ASCII */
#define RENDER_COLOR	0x2	/* ANSI colours */

char	*render_tree(const struct tree *, const struct nstate *, int64_t now_ms,
	    int flags);
char	*render_json(const struct tree *, const struct nstate *,
	    int64_t now_ms);
char	*render_json_node(const struct tree *, int id, const struct nstate *,
	    int64_t now_ms);
char	*render_exit(int32_t last_exit);	/* "0", "code 3", "SIGKILL" */
/* A supervisor's restarts within its period at now_ms (they age out). */
uint32_t render_intensity_used(const struct nstate *, int64_t period_ms,
	    int64_t now_ms);
/* 0: every node where it should be; 3 otherwise (LSB status). */
int	 render_health(const struct tree *, const struct nstate *);
int	 render_health_of(const struct tree *, const struct nstate *,
	    const char *mask);
int	 render_health_why(const struct tree *, const struct nstate *,
	    const char *mask, int *first);

struct buf;
void		render_uptime(struct buf *, int64_t);

#endif
