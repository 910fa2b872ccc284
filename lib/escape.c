/*
 * escape.c: bytes that came from another process, made safe to write to
 * a terminal. The client passes everything a tree sends through this
 * before it reaches its standard output or error, so that no process it
 * talks to (a hostile server, a worker whose log lines are relayed) can
 * drive the user's terminal.
 *
 * Printable ASCII, newline and tab pass. Every other control character
 * (C0, DEL, and C1 whether as a UTF-8 code point or, for a terminal that
 * does not decode UTF-8, as a raw byte) and every byte that is not valid
 * UTF-8 (when the terminal decodes it) is written as \xHH, one escape per
 * byte. With ESCAPE_SGR, colour sequences (ESC [ digits and ; m, as the
 * status drawing uses) pass unchanged: they can only colour text.
 *
 * Input arrives in pieces (frames): a UTF-8 character or colour sequence
 * cut at the end of a piece is kept back (at most ESCAPE_PENDMAX bytes)
 * and completed by the next; escape_flush ends the stream.
 *
 * Pure: no syscalls, no globals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xmalloc.h"

static int	sgr_seq(const unsigned char *, size_t);
static int	utf8_seq(const unsigned char *, size_t, unsigned *);
static char	*escape_run(struct escape *, const unsigned char *, size_t,
		    int, size_t *);

void
escape_init(struct escape *e, int flags)
{
	memset(e, 0, sizeof *e);
	e->flags = flags;
}

/*
 * A colour sequence at p: its length, 0 if the bytes are not one, -1 if
 * they end before it does (more may come).
 */
static int
sgr_seq(const unsigned char *p, size_t n)
{
	size_t	j;

	if (n < 2)
		return (-1);
	if (p[1] != '[')
		return (0);
	for (j = 2; j < n; j++) {
		if (p[j] == 'm')
			return (j + 1);
		if ((p[j] < '0' || p[j] > '9') && p[j] != ';')
			return (0);
		if (j + 2 > ESCAPE_PENDMAX)
			return (0);
	}
	return (-1);
}

/*
 * A UTF-8 character at p: its length (and code point), 0 if the bytes
 * are not valid UTF-8 (overlong forms and surrogates included), -1 if
 * they end before it does.
 */
static int
utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned	c = p[0], min;
	int		len, i;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (0);
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return (-1);
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

/*
 * The safe form of b[0..n) (each byte at most 4 out); unless final, an
 * unfinished sequence at the end is kept in e->pend.
 */
static char *
escape_run(struct escape *e, const unsigned char *b, size_t n, int final,
    size_t *outlen)
{
	char		*out, *o;
	size_t		 i = 0;
	unsigned	 c, cp;
	int		 len, k;

	out = o = xmalloc(n * 4 + 1);
	while (i < n) {
		c = b[i];
		if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			*o++ = c;
			i++;
			continue;
		}
		len = 0;
		if (c == 0x1b && (e->flags & ESCAPE_SGR)) {
			if ((len = sgr_seq(b + i, n - i)) == -1 && !final)
				break;
		} else if (c >= 0x80 && (e->flags & ESCAPE_UTF8)) {
			if ((len = utf8_seq(b + i, n - i, &cp)) == -1 && !final)
				break;
			if (len > 0 && cp < 0xa0) {
				/* A C1 control, however well encoded. */
				for (k = 0; k < len; k++)
					o += sprintf(o, "\\x%02x", b[i + k]);
				i += len;
				continue;
			}
		} else if (c >= 0xa0)
			len = 1;	/* an 8-bit terminal's printable */
		if (len > 0) {
			memcpy(o, b + i, len);
			o += len;
			i += len;
			continue;
		}
		o += sprintf(o, "\\x%02x", c);
		i++;
	}
	e->npend = n - i;
	memcpy(e->pend, b + i, e->npend);
	*outlen = o - out;
	return (out);
}

/* The safe form of the next len bytes of the stream; *outlen its size. */
char *
escape_feed(struct escape *e, const void *buf, size_t len, size_t *outlen)
{
	unsigned char	*b;
	char		*out;
	size_t		 n = e->npend + len;

	b = xmalloc(n + 1);
	memcpy(b, e->pend, e->npend);
	if (len > 0)
		memcpy(b + e->npend, buf, len);
	e->npend = 0;
	out = escape_run(e, b, n, 0, outlen);
	free(b);
	return (out);
}

/* The end of the stream: what was kept back, escaped. */
char *
escape_flush(struct escape *e, size_t *outlen)
{
	unsigned char	b[ESCAPE_PENDMAX];
	size_t		n = e->npend;

	memcpy(b, e->pend, n);
	e->npend = 0;
	return (escape_run(e, b, n, 1, outlen));
}
