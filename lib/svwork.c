/*
 * svwork.c: a child slot's narrow view, for the modules that serve one
 * worker (output.c, health.c). They hold the slot as an opaque pointer
 * and ask it here for what they need; struct sv_child and struct sv stay
 * private to the supervisor's own files (sv_int.h).
 */
#include <sys/types.h>

#include "proc.h"
#include "sv_int.h"

/* Its node now: a reload may change it. */
const struct tree_node *
sv_child_node(const struct sv_child *c)
{
	return (c->node);
}

/* Its node's id in the whole tree (what the links carry). */
int
sv_child_gid(const struct sv_child *c)
{
	return (c->id + c->sv->idoff);
}

/* Its leader, unreaped; 0 if none. */
pid_t
sv_child_leader(const struct sv_child *c)
{
	return (c->pid);
}

/* Its state in the supervisor's mirror. */
struct nstate *
sv_child_state(struct sv_child *c)
{
	return (c->st);
}

struct event_base *
sv_child_base(const struct sv_child *c)
{
	return (c->sv->base);
}

/* The link to the supervisor's parent; NULL in the top. */
struct peer *
sv_child_up(const struct sv_child *c)
{
	return (c->sv->up);
}

/* The width of the tree's longest path, for aligned prefixes. */
int
sv_child_pathwidth(const struct sv_child *c)
{
	return (c->sv->tree->pathwidth);
}

/* A prefixed worker's stderr shares its stdout's pipe (nofile.c). */
int
sv_child_merged(const struct sv_child *c)
{
	return (c->sv->out_merged);
}

/* Its supervisor is shutting down: start nothing new. */
int
sv_child_closing(const struct sv_child *c)
{
	return (c->sv->shutting_down);
}

/*
 * A process started for the slot besides its leader (a health probe):
 * the supervisor reaps it and hands its end back to the slot (add 1),
 * or forgets it (add 0) so a sweep reaps it as a stray.
 */
void
sv_child_probe(struct sv_child *c, pid_t pid, int add)
{
	if (add)
		pidmap_put(&c->sv->pids, pid, c);
	else
		pidmap_del(&c->sv->pids, pid);
}

/* Its state in the mirror changed: tell the parent. */
void
sv_child_changed(struct sv_child *c)
{
	sv_report(c->sv, c->id);
}
