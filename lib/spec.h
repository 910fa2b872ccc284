/*
 * spec.h: tree spec text -> struct tree, fully validated.
 *
 * Pure: spec_parse reads no file and asks no system database. The caller
 * reads the text (resolve_read) and passes in how user and group names
 * become ids (resolve.c has this system's lookups: resolve_parse).
 *
 * Errors are all collected, one per line in *cause, each as
 * "FILE:LINE: [SECTION]: message" (section and line omitted where they
 * do not apply, e.g. "FILE: no workers: add a section with a command").
 */
#ifndef SPEC_H
#define SPEC_H

#include <sys/types.h>
#include <stddef.h>

#include "tree.h"

/* The spec travels down the tree in one frame (MSG_MAXLEN, 4 MiB). */
#define SPEC_MAX_SIZE	(4 * 1024 * 1024 - 4096)

/*
 * A user's passwd entry as a lookup returns it; the strings stay valid
 * until the next lookup, as getpwnam's do.
 */
struct spec_user {
	uid_t		 uid;
	gid_t		 gid;		/* primary group */
	const char	*name;
	const char	*dir;
	const char	*shell;
};

/*
 * User and group lookups, each returning 0 with the entry filled in, or
 * -1 when there is none: user by name, user by uid, group by name.
 */
struct spec_ids {
	int	(*user)(const char *, struct spec_user *);
	int	(*uid)(uid_t, struct spec_user *);
	int	(*group)(const char *, gid_t *);
};

/*
 * file is the name used in messages and for the default tree name. With
 * ids NULL, numeric ids are taken as they are and names are not looked
 * up (their ids stay -1): for tests and fuzzers, never to run a tree.
 */
struct tree	*spec_parse(const char *file, const char *text, size_t len,
		     const struct spec_ids *ids, char **cause);
/*
 * The same, for a slice made by tree_slice() for the supervisor of node
 * self (its id in the slice: its depth): it may hold no worker, and only
 * self and its children get their settings (and their users resolved).
 */
struct tree	*spec_parse_slice(const char *file, const char *text,
		     size_t len, int self, const struct spec_ids *ids,
		     char **cause);

#endif
