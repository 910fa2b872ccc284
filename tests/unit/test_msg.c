/*
 * test_msg.c: the wire codec: headers, every field type, state records,
 * whole request payloads, and that malformed or truncated input is
 * refused, never over-read.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "tap.h"
#include "xmalloc.h"

static void
test_header(void)
{
	uint8_t		 b[MSG_HDRLEN];
	struct msg_hdr	 h;
	char		*cause = NULL;

	msg_pack_hdr(b, MSG_STATE, 1234);
	ok(msg_unpack_hdr(b, &h, &cause) == 0, "header round trip");
	is_int(h.len, 1234, "length");
	is_int(h.type, MSG_STATE, "type");
	is_int(h.version, MSG_VERSION, "version");
	b[6] = MSG_VERSION + 1;
	ok(msg_unpack_hdr(b, &h, &cause) == -1, "wrong version refused");
	ok(cause != NULL && strstr(cause, "version") != NULL,
	    "version error says so");
	free(cause);
	cause = NULL;
	msg_pack_hdr(b, MSG_STATE, MSG_MAXLEN + 1);
	ok(msg_unpack_hdr(b, &h, &cause) == -1, "oversized frame refused");
	free(cause);
	cause = NULL;
	msg_pack_hdr(b, MSG_OUT, MSG_MAXLEN);
	ok(msg_unpack_hdr(b, &h, &cause) == 0, "frame at the limit accepted");
}

static void
test_fields(void)
{
	struct msg_buf	 mb;
	struct msg_rd	 r;
	char		*s, buf[4];

	msg_buf_init(&mb);
	msg_put_u8(&mb, 0xab);
	msg_put_u16(&mb, 0xbeef);
	msg_put_u32(&mb, 0xdeadbeef);
	msg_put_u64(&mb, 0x0123456789abcdefULL);
	msg_put_str(&mb, "hello");
	msg_put_str(&mb, "toolong");
	msg_rd_init(&r, mb.data, mb.len);
	is_int(msg_get_u8(&r), 0xab, "u8");
	is_int(msg_get_u16(&r), 0xbeef, "u16");
	ok(msg_get_u32(&r) == 0xdeadbeef, "u32");
	ok(msg_get_u64(&r) == 0x0123456789abcdefULL, "u64");
	s = msg_get_str(&r);
	is_str(s, "hello", "string");
	free(s);
	msg_get_strbuf(&r, buf, sizeof buf);
	is_str(buf, "too", "string cut to its buffer");
	ok(msg_rd_done(&r) == 0, "all consumed");
	ok(msg_get_u8(&r) == 0 && r.err, "read past the end sets err");
	ok(msg_rd_done(&r) == -1, "and done reports it");

	/* A string whose length runs past the payload. */
	msg_rd_init(&r, "\x00\x10" "abc", 5);
	ok(msg_get_str(&r) == NULL && r.err, "short string refused");
	/* A NUL inside a string is refused. */
	msg_rd_init(&r, "\x00\x03" "a\0b", 5);
	ok(msg_get_strbuf(&r, buf, sizeof buf) == -1, "NUL in string refused");
	/* Trailing bytes are an error. */
	msg_rd_init(&r, "\x01\x02", 2);
	msg_get_u8(&r);
	ok(msg_rd_done(&r) == -1, "trailing bytes refused");
	msg_buf_free(&mb);
}

static void
test_state(void)
{
	struct msg_buf	 mb;
	struct msg_rd	 r;
	struct nstate	 a, b;
	uint32_t	 node;
	size_t		 cut;
	int		 bad = 0;

	memset(&a, 0, sizeof a);
	a.state = NS_BACKOFF;
	a.manual = 1;
	a.ready = 0;
	a.pid = 4242;
	a.since_ms = 1700000000123LL;
	a.started_ms = 1700000000000LL;
	a.restarts = 7;
	a.last_exit = -9;
	a.next_ms = 1700000001000LL;
	a.intensity_used = 2;
	a.intensity_times[0] = 1700000000100LL;
	a.intensity_times[1] = 1700000000900LL;
	strcpy(a.error, "exec: No such file or directory");
	strcpy(a.status, "serving");
	a.health = NSTATE_HEALTH_FAILING;
	a.health_fails = 2;
	strcpy(a.health_last, "http 500");
	msg_buf_init(&mb);
	msg_put_state(&mb, 18, &a);
	strcpy(b.waiting, "x");
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == 0 && b.waiting[0] == '\0',
	    "an empty waiting text");
	msg_buf_free(&mb);
	strcpy(a.waiting, "db/pg:ready migrate:succeeded");
	msg_buf_init(&mb);
	msg_put_state(&mb, 18, &a);
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == 0 && strcmp(b.waiting,
	    a.waiting) == 0, "the waiting text round trip");
	msg_buf_free(&mb);
	memset(a.waiting, 0, sizeof a.waiting);
	msg_buf_init(&mb);
	msg_put_state(&mb, 17, &a);
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == 0 && msg_rd_done(&r) == 0,
	    "state round trip");
	is_int(node, 17, "node id");
	ok(memcmp(&a, &b, sizeof a) == 0, "every field kept");
	for (cut = 0; cut < mb.len; cut++) {
		msg_rd_init(&r, mb.data, cut);
		if (msg_get_state(&r, &node, &b) == 0 && msg_rd_done(&r) == 0)
			bad++;
	}
	is_int(bad, 0, "every truncation refused");
	/*
	 * The count of times is the byte after the status text (before
	 * the waiting text, empty here: 2 bytes, and the health fields).
	 */
	mb.data[mb.len - (1 + 4 + 2 + 8) - 2 - 2 * 8 - 1] = NSTATE_NTIMES + 1;
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == -1, "too many restart times refused");
	mb.data[mb.len - 2 * 8 - 1] = 2;
	mb.data[4] = NS_NSTATES;
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == -1, "unknown state refused");
	mb.data[4] = NS_UNRESPONSIVE;
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == -1,
	    "unresponsive (the top's own) is never taken from the wire");
	msg_buf_free(&mb);

	/* Not started yet, and the cause of the last restart. */
	memset(&a, 0, sizeof a);
	a.unstarted = 1;
	a.cause = NSTATE_CAUSE_STRATEGY;
	a.restarts = 1;
	msg_buf_init(&mb);
	msg_put_state(&mb, 3, &a);
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == 0 && b.unstarted == 1 &&
	    b.cause == NSTATE_CAUSE_STRATEGY, "unstarted and cause kept");
	mb.data[8] = NSTATE_CAUSE_STRATEGY + 1;
	msg_rd_init(&r, mb.data, mb.len);
	ok(msg_get_state(&r, &node, &b) == -1, "an unknown cause refused");
	msg_buf_free(&mb);
}

static void
test_request(void)
{
	struct msg_buf		 mb;
	struct msg_request	 rq;
	char			*argv[] = { "status", "--json", "", NULL };
	char			*many[MSG_REQ_MAXARGS + 1];
	int			 i;

	msg_buf_init(&mb);
	msg_pack_request(&mb, MSG_REQ_TTY | MSG_REQ_UTF8, 3, argv);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == 0, "request round trip");
	is_int(rq.flags, MSG_REQ_TTY | MSG_REQ_UTF8, "request flags");
	is_int(rq.argc, 3, "request argc");
	ok(rq.argv != NULL && rq.argv[3] == NULL, "request argv ends in NULL");
	is_str(rq.argv[0], "status", "request argv[0]");
	is_str(rq.argv[2], "", "request: an empty argument");
	msg_request_free(&rq);
	ok(msg_unpack_request(mb.data, mb.len - 1, &rq) == -1 &&
	    rq.argv == NULL, "request: a short payload is refused");
	msg_put_u8(&mb, 0);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == -1 &&
	    rq.argv == NULL, "request: trailing bytes are refused");
	msg_buf_free(&mb);

	msg_buf_init(&mb);
	msg_pack_request(&mb, 0, 0, argv);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == -1,
	    "request: no argument is refused");
	msg_buf_free(&mb);

	for (i = 0; i < MSG_REQ_MAXARGS + 1; i++)
		many[i] = "x";
	msg_buf_init(&mb);
	msg_pack_request(&mb, 0, MSG_REQ_MAXARGS, many);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == 0 &&
	    rq.argc == MSG_REQ_MAXARGS, "request: the most arguments");
	msg_request_free(&rq);
	msg_buf_free(&mb);
	msg_buf_init(&mb);
	msg_pack_request(&mb, 0, MSG_REQ_MAXARGS + 1, many);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == -1,
	    "request: one argument too many is refused");
	msg_buf_free(&mb);

	/* A NUL inside an argument would cut it silently. */
	msg_buf_init(&mb);
	msg_put_u32(&mb, 0);
	msg_put_u16(&mb, 1);
	msg_put_u16(&mb, 3);
	msg_put_bytes(&mb, "a\0b", 3);
	ok(msg_unpack_request(mb.data, mb.len, &rq) == -1,
	    "request: a NUL inside an argument is refused");
	msg_buf_free(&mb);
}

int
main(void)
{
	test_header();
	test_fields();
	test_state();
	test_request();
	return (done_testing());
}
