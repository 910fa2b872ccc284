/*
 * fuzz_msg.c: libFuzzer target for the wire codec as the supervisor links
 * use it.
 *
 * The input is a byte stream as a peer reads it from a link. It is cut
 * into frames exactly as peer.c's peer_read_cb does (header, length check,
 * payload) and each payload is decoded as svlink.c's svlink_dispatch (child to
 * parent: MSG_STATE, MSG_SVINFO, MSG_REPLY, MSG_LOG, MSG_LOGDUMP) and
 * svlink_up_dispatch (parent to child: MSG_CMD, MSG_RELOAD) decode it, whatever
 * the frame's type says, so every decoder sees every payload. The readers
 * must never read out of bounds, leak or accept a malformed record; a
 * state record that decodes must survive a pack/unpack round trip
 * unchanged.
 *
 * Each payload is copied into an allocation of its exact size, so ASan
 * sees a read one byte past the end (peer.c keeps a spare NUL after each
 * frame, which would hide it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "nstate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
decode_state(const uint8_t *p, size_t len)
{
	struct msg_rd	r, r2;
	struct msg_buf	mb;
	struct nstate	st, st2;
	uint32_t	node, node2;

	msg_rd_init(&r, p, len);
	if (msg_get_state(&r, &node, &st) == -1)
		return;
	if (st.state >= NS_NSTATES || st.pid < 0)
		abort();
	if (memchr(st.error, '\0', sizeof st.error) == NULL ||
	    memchr(st.status, '\0', sizeof st.status) == NULL)
		abort();
	(void)msg_rd_done(&r);
	/* What decodes must encode to something that decodes the same. */
	msg_buf_init(&mb);
	msg_put_state(&mb, node, &st);
	msg_rd_init(&r2, mb.data, mb.len);
	if (msg_get_state(&r2, &node2, &st2) == -1 ||
	    msg_rd_done(&r2) == -1 || node2 != node ||
	    memcmp(&st, &st2, sizeof st) != 0)
		abort();
	msg_buf_free(&mb);
}

static void
decode_link(const uint8_t *p, size_t len)
{
	struct msg_rd	 r;
	uint32_t	 node, reqid, n;
	int64_t		 times[NSTATE_NTIMES];
	char		*text;
	int		 status, i;

	/* MSG_SVINFO */
	msg_rd_init(&r, p, len);
	(void)msg_get_u32(&r);
	(void)msg_get_u8(&r);
	(void)msg_get_u32(&r);
	if (msg_get_times(&r, times) == 0) {
		for (i = 1; i < NSTATE_NTIMES; i++) {
			if (times[i] != 0 && times[i - 1] == 0)
				abort();
		}
	}
	(void)msg_rd_done(&r);

	/* MSG_REPLY */
	msg_rd_init(&r, p, len);
	reqid = msg_get_u32(&r);
	status = (int)msg_get_u32(&r);
	text = msg_get_str(&r);
	if (text != NULL && strlen(text) > len)
		abort();
	free(text);
	(void)reqid;
	(void)status;

	/* MSG_LOGDUMP: the text is the rest of the payload. */
	msg_rd_init(&r, p, len);
	(void)msg_get_u32(&r);
	status = (int)msg_get_u32(&r);
	if (!r.err && (size_t)status == len - r.off && r.off > len)
		abort();

	/* MSG_LOG */
	msg_rd_init(&r, p, len);
	node = msg_get_u32(&r);
	(void)msg_get_u8(&r);
	text = msg_get_str(&r);
	free(text);
	(void)node;

	/* MSG_CMD */
	msg_rd_init(&r, p, len);
	(void)msg_get_u32(&r);
	(void)msg_get_u8(&r);
	(void)msg_get_u32(&r);
	(void)msg_get_u32(&r);
	(void)msg_rd_done(&r);

	/*
	 * MSG_RELOAD: u32 node, u32 path width, u32 length, then that many
	 * bytes of spec text.
	 */
	msg_rd_init(&r, p, len);
	(void)msg_get_u32(&r);
	(void)msg_get_u32(&r);
	n = msg_get_u32(&r);
	if (!r.err && (size_t)n == len - r.off && r.off + n != len)
		abort();

	/* Every reader, in turn, to the end: none may overrun. */
	msg_rd_init(&r, p, len);
	while (!r.err) {
		switch (r.off % 5) {
		case 0:
			(void)msg_get_u8(&r);
			break;
		case 1:
			(void)msg_get_u16(&r);
			break;
		case 2:
			(void)msg_get_u64(&r);
			break;
		case 3:
			free(msg_get_str(&r));
			break;
		default:
			(void)msg_get_u32(&r);
			break;
		}
		if (r.off > r.len)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_hdr	 h;
	char		*cause;
	uint8_t		*payload;
	size_t		 off = 0;

	while (size - off >= MSG_HDRLEN) {
		cause = NULL;
		if (msg_unpack_hdr(data + off, &h, &cause) == -1) {
			if (cause == NULL)
				abort();
			free(cause);
			return (0);
		}
		if (h.len > MSG_MAXLEN)
			abort();
		if (size - off - MSG_HDRLEN < h.len)
			return (0);
		off += MSG_HDRLEN;
		payload = malloc(h.len == 0 ? 1 : h.len);
		memcpy(payload, data + off, h.len);
		decode_state(payload, h.len);
		decode_link(payload, h.len);
		free(payload);
		off += h.len;
	}
	return (0);
}
