/*
 * spec.h: tree spec text -> struct tree, fully validated.
 *
 * Errors are all collected, one per line in *cause, each as
 * "FILE:LINE: [SECTION]: message" (section and line omitted where they
 * do not apply, e.g. "FILE: cannot read: No such file or directory").
 */
#ifndef SPEC_H
#define SPEC_H

#include <stddef.h>

#include "tree.h"

/* file is the name used in messages and for the default tree name. */
struct tree	*spec_parse(const char *file, const char *text, size_t len,
		     char **cause);
/* Read a whole spec file ("-" is stdin) into an allocated buffer. */
int		 spec_read(const char *path, char **text, size_t *len,
		     char **cause);

#endif
