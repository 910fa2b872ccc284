/*
 * buf.h: the string builder: text (or bytes) appended to a growing,
 * always NUL-terminated buffer. Pure: no I/O. Zero-initialise one
 * (struct buf b = BUF_INIT) and free it with buf_free, or take the text
 * with buf_take.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*s;	/* NUL-terminated; NULL until the first append */
	size_t	 len;	/* bytes before the NUL */
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_pad(struct buf *, int);
char	*buf_take(struct buf *);	/* the text, allocated; b is reset */
void	 buf_free(struct buf *);

#endif
