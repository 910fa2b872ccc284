/*
 * resolve.h: the spec's contact with the system (see resolve.c).
 */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <stddef.h>

#include "spec.h"
#include "tree.h"

/* This system's user and group lookups, for spec_parse. */
extern const struct spec_ids resolve_ids;

/* Read a whole spec file ("-" is stdin) into an allocated buffer. */
int		 resolve_read(const char *path, char **text, size_t *len,
		     char **cause);
/* spec_parse with this system's users and groups. */
struct tree	*resolve_parse(const char *file, const char *text, size_t len,
		     char **cause);
/*
 * What is wrong now but may heal, so is no error: each worker whose
 * program is not found or not executable, one warning per line as
 * "FILE:LINE: [PATH]: warning: ...". NULL if there is nothing to say.
 */
char		*resolve_warnings(const struct tree *t);

#endif
