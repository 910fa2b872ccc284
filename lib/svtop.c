/*
 * svtop.c: the narrow view of a supervisor that the top's commands
 * (cmd/run.c, cmd/remote.c and the files of the live commands) and the
 * HTTP listener use: the tree it runs and its mirror (read-only: only
 * the supervisor writes them, from its children's reports), its event
 * base, how its run ended, and the few settings the top makes before
 * sv_run. Nothing outside lib/sv*.c needs struct sv's fields.
 */
#include <sys/types.h>

#include <stdlib.h>

#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

struct event_base *
sv_base(const struct sv *sv)
{
	return (sv->base);
}

/* The tree it runs now: a reload replaces it, so never keep it across. */
const struct tree *
sv_tree(const struct sv *sv)
{
	return (sv->tree);
}

/* The states of sv_tree's nodes, indexed by node id; replaced with it. */
const struct nstate *
sv_mirror(const struct sv *sv)
{
	return (sv->mirror);
}

/* The spec text it runs (NUL-terminated), as its children get it. */
const char *
sv_spec(const struct sv *sv, size_t *len)
{
	*len = sv->spec_len;
	return (sv->spec_text);
}

enum sv_end
sv_result(const struct sv *sv)
{
	return (sv->end);
}

int
sv_shutting_down(const struct sv *sv)
{
	return (sv->shutting_down);
}

void
sv_set_hooks(struct sv *sv, const struct sv_hooks *hooks)
{
	sv->hooks = *hooks;
}

/* The hooks now, for one that chains to them (http.c). */
void
sv_get_hooks(const struct sv *sv, struct sv_hooks *hooks)
{
	*hooks = sv->hooks;
}

void
sv_set_quiet(struct sv *sv, int quiet)
{
	sv->quiet = quiet;
}

/* The tree's file from now on (reload FILE). */
void
sv_set_file(struct sv *sv, const char *path)
{
	free(sv->tree->file);
	sv->tree->file = xstrdup(path);
}
