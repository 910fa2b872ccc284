/*
 * output.h: a worker's stdout and stderr, captured through pipes, split
 * into lines, prefixed with the node path and written to supertree's own
 * stdout/stderr or to a rotated file; the last lines are kept in a ring
 * for `supertree logs`.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdint.h>

struct output;
struct spawn_fd;
struct sv_child;
struct tree_node;

struct output	*output_new(struct sv_child *);
void		 output_free(struct output *);
int		 output_prepare(struct output *, const struct tree_node *,
		     int devnull, struct spawn_fd *, int *nfds, char **cause);
void		 output_started(struct output *, int ok);
void		 output_drain(struct output *);
void		 output_ended(struct output *);
void		 output_reopen(struct output *);
int		 output_command(struct output *, uint32_t reqid, int op,
		     int arg, char **cause);

#endif
