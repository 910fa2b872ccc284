/*
 * diff.c: a reload's choice for each child of a supervisor, by path:
 * - a worker whose settings are unchanged (same canonical text) keeps its
 *   slot, process, pid and counters;
 * - a child supervisor is always kept: its own new settings apply in its
 *   process when the reload reaches it, so its subtree is not disturbed;
 * - a child whose kind or settings changed is replaced: its old slot is
 *   stopped by its old settings, and a new slot starts (in order with its
 *   siblings) once the old one is down;
 * - a child missing from the new spec is removed (stopped, then freed);
 * - a new child gets a new slot and starts in order.
 * Old children are looked up in a sorted index, so a reload of n children
 * costs O(n log n). Pure: sv's reload (reload.c) carries the result out.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "xmalloc.h"

/* The sorted index of the old slots. */
struct diff_entry {
	const char	*path;
	int		 slot;
};

static int
by_path(const void *a, const void *b)
{
	return (strcmp(((const struct diff_entry *)a)->path,
	    ((const struct diff_entry *)b)->path));
}

/* The old slot whose node has this path, or -1. */
static int
find(const struct diff_entry *order, int nold, const char *path)
{
	int	lo = 0, hi = nold - 1, mid, c;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(order[mid].path, path);
		if (c == 0)
			return (order[mid].slot);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return (-1);
}

static int
same(const struct tree_node *o, const struct tree_node *n)
{
	if (o->kind != n->kind)
		return (0);
	if (o->kind == TREE_SUPERVISOR)
		return (1);
	return (o->digest != NULL && n->digest != NULL &&
	    strcmp(o->digest, n->digest) == 0);
}

void
diff_children(const struct tree_node *const *old, int nold,
    const struct tree_node *const *new, int nnew, struct diff *d)
{
	struct diff_entry	*order;
	int			 i, k, o;

	memset(d, 0, sizeof *d);
	d->nold = nold;
	d->nnew = nnew;
	d->keep = xcalloc(nnew > 0 ? nnew : 1, sizeof *d->keep);
	d->replaces = xcalloc(nnew > 0 ? nnew : 1, sizeof *d->replaces);
	d->fate = xcalloc(nold > 0 ? nold : 1, sizeof *d->fate);
	order = xcalloc(nold > 0 ? nold : 1, sizeof *order);
	for (i = 0; i < nold; i++) {
		order[i].path = old[i]->path;
		order[i].slot = i;
		d->fate[i] = DIFF_REMOVE;
	}
	qsort(order, nold, sizeof *order, by_path);
	for (k = 0; k < nnew; k++) {
		d->keep[k] = d->replaces[k] = -1;
		o = find(order, nold, new[k]->path);
		if (o == -1) {
			d->added++;
			continue;
		}
		if (same(old[o], new[k])) {
			d->keep[k] = o;
			d->fate[o] = DIFF_KEEP;
			d->kept++;
		} else {
			d->replaces[k] = o;
			d->fate[o] = DIFF_REPLACE;
			d->changed++;
		}
	}
	for (i = 0; i < nold; i++) {
		if (d->fate[i] == DIFF_REMOVE)
			d->removed++;
	}
	free(order);
}

void
diff_free(struct diff *d)
{
	free(d->keep);
	free(d->replaces);
	free(d->fate);
	memset(d, 0, sizeof *d);
}
