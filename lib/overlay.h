/*
 * overlay.h: what `supertree scale`, `add` and `remove` changed in a
 * running tree, held by the top as an edit of the spec file's text.
 *
 * The tree a supervisor runs is always the parse of one spec text. The
 * top keeps the file's text apart from these changes: live pool sizes
 * (an edit of the pool's 'instances' line) and dynamic workers (sections
 * appended at the end, each with 'dynamic = true'). overlay_apply makes
 * the text the tree runs from the two, and that text goes through the
 * same reload as a changed file (reload.c), which keeps every unchanged
 * worker running. A reload of the file keeps the changes that still fit
 * it (overlay_refresh). Pure.
 */
#ifndef OVERLAY_H
#define OVERLAY_H

#include <stddef.h>

#include "tree.h"

/* A pool's live size, and its size in the file when it was set. */
struct overlay_size {
	char	*path;
	int	 file_n;
	int	 n;
};

/* A dynamic worker: its path and its section's text. */
struct overlay_dyn {
	char	*path;
	char	*text;
};

struct overlay {
	struct overlay_size	*sizes;
	int			 nsizes;
	struct overlay_dyn	*dyns;
	int			 ndyns;
};

/* A dynamic worker's settings, as `supertree add` takes them. */
struct overlay_worker {
	const char	*path;
	const char	*restart;	/* NULL: the default */
	const char	*ready;		/* NULL: the default */
	const char	*directory;	/* NULL: inherit */
	char *const	*env;		/* KEY=VALUE, NULL-terminated; or NULL */
	char *const	*argv;		/* NULL-terminated */
};

void	 overlay_init(struct overlay *);
void	 overlay_free(struct overlay *);
void	 overlay_set_size(struct overlay *, const char *path, int file_n,
	     int n);
int	 overlay_size(const struct overlay *, const char *path);
char	*overlay_section(const struct overlay_worker *);
void	 overlay_add(struct overlay *, const char *path, char *text);
int	 overlay_remove(struct overlay *, const char *path);
int	 overlay_has(const struct overlay *, const char *path);
int	 overlay_refresh(struct overlay *, const struct tree *file);
char	*overlay_apply(const struct overlay *, const struct tree *file,
	     const char *text, size_t len, size_t *lenp);

#endif
