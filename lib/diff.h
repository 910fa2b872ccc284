/*
 * diff.h: what a reload does to a supervisor's children: which slots it
 * keeps, which it replaces and which it removes. Pure.
 */
#ifndef DIFF_H
#define DIFF_H

#include "tree.h"

enum diff_fate {
	DIFF_KEEP,		/* same child: keeps its slot and process */
	DIFF_REPLACE,		/* changed: stopped, then a new slot starts */
	DIFF_REMOVE		/* gone from the new spec: stopped */
};

struct diff {
	int		*keep;		/* new child k: the old slot it keeps,
					   or -1 (a new slot) */
	int		*replaces;	/* new child k: the old slot of the
					   same path it replaces, or -1 */
	enum diff_fate	*fate;		/* old slot i */
	int		 nold;
	int		 nnew;
	int		 kept;
	int		 changed;
	int		 added;
	int		 removed;
};

void	diff_children(const struct tree_node *const *old, int nold,
	    const struct tree_node *const *new, int nnew, struct diff *);
void	diff_free(struct diff *);

#endif
