/*
 * dep.h: dependencies between nodes (after = PATH[:CONDITION] ...) as a
 * pure graph: the after list's syntax, the resolution of its paths, the
 * cycle check (with the cycle spelled out), the order in which a
 * supervisor starts and stops its children, and whether a wait is met
 * given the states of the nodes it names. Pure: no syscalls, no clock.
 */
#ifndef DEP_H
#define DEP_H

#include "nstate.h"
#include "tree.h"

/* What a node's state means to those who wait for it (dep_bits). */
#define DEP_STARTED	0x01	/* its process runs, or it has succeeded */
#define DEP_READY	0x02	/* ready, or succeeded */
#define DEP_SUCCEEDED	0x04	/* a one-shot done, or ended normally */
#define DEP_ONESHOT	0x08	/* it is a one-shot: the default is succeeded */
#define DEP_KNOWN	0x10	/* set by whoever sends bits: they are real */

/* An error found while resolving: its line, its node, the message. */
typedef void	dep_error_fn(void *, int line, const char *path,
		    const char *msg);

int		 dep_parse(const char *, struct tree_after **, int *, char **);
int		 dep_resolve(struct tree *, int whole, dep_error_fn *, void *);
int		 dep_cycle(const struct tree *, int *node, char **text);
enum tree_cond	 dep_cond(const struct tree *, const struct tree_after *);
const char	*dep_cond_name(enum tree_cond);
int		 dep_any(const struct tree *);
void		 dep_order(const struct tree *, int sup, int *order);
unsigned	 dep_bits(const struct nstate *, int oneshot);
int		 dep_met(enum tree_cond, unsigned bits);

#endif
