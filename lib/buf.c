/*
 * buf.c: the string builder the modules share (render's drawings and
 * JSON, quoted words, a wrapped command's spec text). Pure: no I/O;
 * allocation through xmalloc, so an append never fails.
 *
 * Invariant: once anything was appended, s holds len bytes and a NUL at
 * s[len], so s can be used as a C string at any time (text holding a NUL
 * byte is cut there, as for any C string).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 64;
		b->s = xrealloc(b->s, b->cap);
	}
	if (n != 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Formats straight into the buffer; a second pass only when it grows. */
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	ap2;
	size_t	room;
	int	n;

	buf_add(b, "", 0);
	room = b->cap - b->len;
	va_copy(ap2, ap);
	n = vsnprintf(b->s + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		/* Doubled, as buf_add does: an exact fit reallocates at
		   every call after it (a status of 10,000 nodes did). */
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
		vsnprintf(b->s + b->len, n + 1, fmt, ap);
	}
	b->len += n;
}

void
buf_pad(struct buf *b, int n)
{
	while (n-- > 0)
		buf_add(b, " ", 1);
}

char *
buf_take(struct buf *b)
{
	char	*s;

	buf_add(b, "", 0);
	s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return (s);
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
