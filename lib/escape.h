/*
 * escape.h: make bytes from another process safe to write to a terminal.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>

#define ESCAPE_UTF8	0x1	/* the terminal decodes UTF-8 */
#define ESCAPE_SGR	0x2	/* let colour sequences (ESC [ ... m) through */

/* Longest input kept back between calls: an unfinished colour sequence. */
#define ESCAPE_PENDMAX	40

struct escape {
	int		flags;
	unsigned char	pend[ESCAPE_PENDMAX];
	size_t		npend;
};

void	 escape_init(struct escape *, int flags);
char	*escape_feed(struct escape *, const void *, size_t, size_t *outlen);
char	*escape_flush(struct escape *, size_t *outlen);

#endif
