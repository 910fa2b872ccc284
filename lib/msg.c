/*
 * msg.c: packing and unpacking of frames (see msg.h for the layout). Pure:
 * no I/O. Unpacking never trusts a length: every read is bounds-checked
 * and a short or malformed payload sets the reader's error flag, which the
 * caller turns into a protocol error.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "xmalloc.h"

void
msg_pack_hdr(uint8_t *b, uint16_t type, uint32_t len)
{
	b[0] = len >> 24;
	b[1] = len >> 16;
	b[2] = len >> 8;
	b[3] = len;
	b[4] = type >> 8;
	b[5] = type;
	b[6] = MSG_VERSION;
	b[7] = 0;
}

int
msg_unpack_hdr(const uint8_t *b, struct msg_hdr *h, char **cause)
{
	h->len = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	h->type = (uint16_t)(b[4] << 8 | b[5]);
	h->version = b[6];
	h->flags = b[7];
	if (h->version != MSG_VERSION) {
		xasprintf(cause, "protocol version %u, expected %u",
		    h->version, MSG_VERSION);
		return (-1);
	}
	if (h->len > MSG_MAXLEN) {
		xasprintf(cause, "frame of %u bytes is over the limit of %u",
		    h->len, MSG_MAXLEN);
		return (-1);
	}
	return (0);
}

void
msg_buf_init(struct msg_buf *mb)
{
	mb->data = NULL;
	mb->len = mb->cap = 0;
}

void
msg_buf_free(struct msg_buf *mb)
{
	free(mb->data);
	msg_buf_init(mb);
}

void
msg_put_bytes(struct msg_buf *mb, const void *p, size_t n)
{
	if (mb->len + n > mb->cap) {
		mb->cap = (mb->len + n) * 2 + 64;
		mb->data = xrealloc(mb->data, mb->cap);
	}
	if (n != 0)
		memcpy(mb->data + mb->len, p, n);
	mb->len += n;
}

void
msg_put_u8(struct msg_buf *mb, uint8_t v)
{
	msg_put_bytes(mb, &v, 1);
}

void
msg_put_u16(struct msg_buf *mb, uint16_t v)
{
	uint8_t	b[2] = { v >> 8, v };

	msg_put_bytes(mb, b, 2);
}

void
msg_put_u32(struct msg_buf *mb, uint32_t v)
{
	uint8_t	b[4] = { v >> 24, v >> 16, v >> 8, v };

	msg_put_bytes(mb, b, 4);
}

void
msg_put_u64(struct msg_buf *mb, uint64_t v)
{
	msg_put_u32(mb, v >> 32);
	msg_put_u32(mb, (uint32_t)v);
}

/* Strings longer than a u16 can say are cut (they are texts, not data). */
void
msg_put_str(struct msg_buf *mb, const char *s)
{
	size_t	n = s == NULL ? 0 : strlen(s);

	if (n > UINT16_MAX)
		n = UINT16_MAX;
	msg_put_u16(mb, n);
	msg_put_bytes(mb, s, n);
}

void
msg_rd_init(struct msg_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

static const uint8_t *
msg_take(struct msg_rd *r, size_t n)
{
	const uint8_t	*p;

	if (r->err || r->len - r->off < n) {
		r->err = 1;
		return (NULL);
	}
	p = r->p + r->off;
	r->off += n;
	return (p);
}

uint8_t
msg_get_u8(struct msg_rd *r)
{
	const uint8_t	*p = msg_take(r, 1);

	return (p == NULL ? 0 : p[0]);
}

uint16_t
msg_get_u16(struct msg_rd *r)
{
	const uint8_t	*p = msg_take(r, 2);

	return (p == NULL ? 0 : (uint16_t)(p[0] << 8 | p[1]));
}

uint32_t
msg_get_u32(struct msg_rd *r)
{
	const uint8_t	*p = msg_take(r, 4);

	if (p == NULL)
		return (0);
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

uint64_t
msg_get_u64(struct msg_rd *r)
{
	uint64_t	hi = msg_get_u32(r);

	return (hi << 32 | msg_get_u32(r));
}

char *
msg_get_str(struct msg_rd *r)
{
	uint16_t	 n = msg_get_u16(r);
	const uint8_t	*p = msg_take(r, n);

	if (p == NULL)
		return (NULL);
	/* A NUL inside would silently cut the text: refuse it. */
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return (NULL);
	}
	return (xstrndup((const char *)p, n));
}

/* Copy a string into a fixed buffer, cutting it to fit. */
int
msg_get_strbuf(struct msg_rd *r, char *buf, size_t size)
{
	uint16_t	 n = msg_get_u16(r);
	const uint8_t	*p = msg_take(r, n);
	size_t		 m;

	if (p == NULL) {
		buf[0] = '\0';
		return (-1);
	}
	m = n < size - 1 ? n : size - 1;
	memcpy(buf, p, m);
	buf[m] = '\0';
	/* A NUL inside would silently cut the text: refuse it. */
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return (-1);
	}
	return (0);
}

int
msg_rd_done(struct msg_rd *r)
{
	return (r->err || r->off != r->len ? -1 : 0);
}

void
msg_put_state(struct msg_buf *mb, uint32_t node, const struct nstate *s)
{
	msg_put_u32(mb, node);
	msg_put_u8(mb, s->state);
	msg_put_u8(mb, s->manual);
	msg_put_u8(mb, s->ready);
	msg_put_u8(mb, s->unstarted);
	msg_put_u8(mb, s->cause);
	msg_put_u32(mb, (uint32_t)s->pid);
	msg_put_u64(mb, (uint64_t)s->since_ms);
	msg_put_u64(mb, (uint64_t)s->started_ms);
	msg_put_u32(mb, s->restarts);
	msg_put_u32(mb, (uint32_t)s->last_exit);
	msg_put_u64(mb, (uint64_t)s->next_ms);
	msg_put_u32(mb, s->intensity_used);
	msg_put_str(mb, s->error);
	msg_put_str(mb, s->status);
	msg_put_times(mb, s->intensity_times);
	msg_put_str(mb, s->waiting);
	msg_put_u8(mb, s->health);
	msg_put_u32(mb, s->health_fails);
	msg_put_str(mb, s->health_last);
}

void
msg_put_times(struct msg_buf *mb, const int64_t *times)
{
	int	n;

	for (n = 0; n < NSTATE_NTIMES && times[n] != 0; n++)
		;
	msg_put_u8(mb, n);
	while (n-- > 0)
		msg_put_u64(mb, (uint64_t)*times++);
}

/* Fills all NSTATE_NTIMES slots (0 past the last); -1 if malformed. */
int
msg_get_times(struct msg_rd *r, int64_t *times)
{
	int	i, n = msg_get_u8(r);

	memset(times, 0, NSTATE_NTIMES * sizeof *times);
	if (n > NSTATE_NTIMES) {
		r->err = 1;
		return (-1);
	}
	for (i = 0; i < n; i++) {
		times[i] = (int64_t)msg_get_u64(r);
		if (times[i] <= 0)
			r->err = 1;
	}
	return (r->err ? -1 : 0);
}

int
msg_get_state(struct msg_rd *r, uint32_t *node, struct nstate *s)
{
	memset(s, 0, sizeof *s);
	*node = msg_get_u32(r);
	s->state = msg_get_u8(r);
	s->manual = msg_get_u8(r) != 0;
	s->ready = msg_get_u8(r) != 0;
	s->unstarted = msg_get_u8(r) != 0;
	s->cause = msg_get_u8(r);
	s->pid = (int32_t)msg_get_u32(r);
	s->since_ms = (int64_t)msg_get_u64(r);
	s->started_ms = (int64_t)msg_get_u64(r);
	s->restarts = msg_get_u32(r);
	s->last_exit = (int32_t)msg_get_u32(r);
	s->next_ms = (int64_t)msg_get_u64(r);
	s->intensity_used = msg_get_u32(r);
	msg_get_strbuf(r, s->error, sizeof s->error);
	msg_get_strbuf(r, s->status, sizeof s->status);
	msg_get_times(r, s->intensity_times);
	msg_get_strbuf(r, s->waiting, sizeof s->waiting);
	s->health = msg_get_u8(r);
	s->health_fails = msg_get_u32(r);
	msg_get_strbuf(r, s->health_last, sizeof s->health_last);
	if (r->err || s->state >= NS_NWIRE || s->pid < 0 ||
	    s->cause > NSTATE_CAUSE_STRATEGY ||
	    s->health > NSTATE_HEALTH_FAILING)
		return (-1);
	return (0);
}

void
msg_pack_request(struct msg_buf *mb, uint32_t flags, int argc,
    char *const *argv)
{
	int	i;

	msg_put_u32(mb, flags);
	msg_put_u16(mb, (uint16_t)argc);
	for (i = 0; i < argc; i++)
		msg_put_str(mb, argv[i]);
}

/* At least one argument, at most MSG_REQ_MAXARGS, nothing left over. */
int
msg_unpack_request(const void *data, size_t len, struct msg_request *rq)
{
	struct msg_rd	r;
	int		i;

	msg_rd_init(&r, data, len);
	rq->argv = NULL;
	rq->flags = msg_get_u32(&r);
	rq->argc = msg_get_u16(&r);
	if (r.err || rq->argc == 0 || rq->argc > MSG_REQ_MAXARGS)
		return (-1);
	rq->argv = xcalloc(rq->argc + 1, sizeof *rq->argv);
	for (i = 0; i < rq->argc; i++) {
		if ((rq->argv[i] = msg_get_str(&r)) == NULL)
			break;
	}
	if (msg_rd_done(&r) == -1) {
		msg_request_free(rq);
		return (-1);
	}
	return (0);
}

void
msg_request_free(struct msg_request *rq)
{
	int	i;

	if (rq->argv != NULL) {
		for (i = 0; i < rq->argc; i++)
			free(rq->argv[i]);
		free(rq->argv);
	}
	rq->argv = NULL;
	rq->argc = 0;
}
