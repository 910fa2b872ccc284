/*
 * msg.h: the wire contract between supertree processes: the links between
 * a supervisor and its child supervisors (socketpairs), and the control
 * socket between a client and the tree.
 *
 * Every frame is an 8-byte header followed by the payload:
 *
 *	offset 0  u32  payload length (big-endian), at most MSG_MAXLEN
 *	offset 4  u16  message type (big-endian), see enum msg_type
 *	offset 6  u8   protocol version, MSG_VERSION
 *	offset 7  u8   flags, 0
 *
 * Payload fields are packed one after the other in big-endian order;
 * strings are a u16 length then the bytes (no NUL). Bump MSG_VERSION
 * whenever a payload changes. docs/protocol.md describes each message.
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>
#include <stdint.h>

#include "nstate.h"

#define MSG_VERSION	1
#define MSG_HDRLEN	8
#define MSG_MAXLEN	(4 * 1024 * 1024)

enum msg_type {
	/* 1-99: supervisor link, child to parent (state flows up). */
	MSG_STATE = 1,		/* u32 node, nstate */
	MSG_SVINFO = 2,		/* u32 node, u8 ready, u32 intensity_used,
				   times (see msg_put_times) */
	MSG_REPLY = 3,		/* u32 reqid, i32 status, str text */
	MSG_LOG = 4,		/* u32 node, u8 stream, str line */
	MSG_LOGDUMP = 5,	/* u32 reqid, str lines (logs -n) */
	MSG_PONG = 6,		/* u32 seq, u32 node: answers MSG_PING */

	/* 100-199: supervisor link, parent to child (commands flow down). */
	MSG_CMD = 100,		/* u32 reqid, u8 op, u32 node, i32 arg */
	MSG_PING = 102,		/* u32 seq: answer, and pass it on down */
	MSG_RELOAD = 103,	/* u32 node, u32 width, u32 length, text */
	MSG_DEPSTATE = 104,	/* u32 dest, u32 node, u8 bits, str path:
				   what node offers to those who wait for
				   it, for supervisor dest (svdep.c) */

	/* 200-299: control socket. */
	MSG_REQUEST = 200,	/* u32 flags, u16 argc, argc x str */
	MSG_OUT = 201,		/* bytes for the client's stdout */
	MSG_ERR = 202,		/* bytes for the client's stderr */
	MSG_EXIT = 203,		/* i32 exit status; the server then closes */
	MSG_ACCEPTED = 204,	/* empty: the request was read, it runs now */
	MSG_ERROR = 255		/* str: protocol error; the sender closes */
};

/*
 * MSG_REPLY's status: 0 done, MSG_REPLY_FAILED otherwise; a start that
 * failed before the node ever ran (its first exec failed, or it was
 * refused) says MSG_REPLY_NEVER_RAN, which add reads as "take it out".
 */
#define MSG_REPLY_FAILED	1
#define MSG_REPLY_NEVER_RAN	2


/* MSG_CMD operations. */
enum msg_op {
	MSG_OP_START = 1,
	MSG_OP_STOP,
	MSG_OP_RESTART,
	MSG_OP_SIGNAL,
	MSG_OP_LOGS,		/* arg: number of lines */
	MSG_OP_FOLLOW,		/* arg: 1 to stream MSG_LOG, 0 to stop */
	MSG_OP_REOPEN,		/* reopen output files (SIGHUP) */
	MSG_OP_AWAIT,		/* answer once the node is up (and ready),
				   as a start does, without starting it */
	MSG_OP_SETTLE		/* to a supervisor (node: itself): answer
				   once no child a reload removed is left */
};

/* A MSG_REQUEST carries at most this many arguments. */
#define MSG_REQ_MAXARGS	256

/* MSG_REQUEST flags: what the client's terminal can do. */
#define MSG_REQ_TTY	0x1
#define MSG_REQ_COLOR	0x2
#define MSG_REQ_UTF8	0x4

struct msg_hdr {
	uint32_t	len;
	uint16_t	type;
	uint8_t		version;
	uint8_t		flags;
};

/* A growable output buffer for packing a payload. */
struct msg_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

/* A bounds-checked reader; err is set on any short read. */
struct msg_rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 err;
};

void	 msg_pack_hdr(uint8_t *, uint16_t type, uint32_t len);
int	 msg_unpack_hdr(const uint8_t *, struct msg_hdr *, char **cause);

void	 msg_buf_init(struct msg_buf *);
void	 msg_buf_free(struct msg_buf *);
void	 msg_put_u8(struct msg_buf *, uint8_t);
void	 msg_put_u16(struct msg_buf *, uint16_t);
void	 msg_put_u32(struct msg_buf *, uint32_t);
void	 msg_put_u64(struct msg_buf *, uint64_t);
void	 msg_put_str(struct msg_buf *, const char *);
void	 msg_put_bytes(struct msg_buf *, const void *, size_t);

void	 msg_rd_init(struct msg_rd *, const void *, size_t);
uint8_t	 msg_get_u8(struct msg_rd *);
uint16_t msg_get_u16(struct msg_rd *);
uint32_t msg_get_u32(struct msg_rd *);
uint64_t msg_get_u64(struct msg_rd *);
char	*msg_get_str(struct msg_rd *);	/* allocated; NULL on error */
int	 msg_get_strbuf(struct msg_rd *, char *, size_t);
int	 msg_rd_done(struct msg_rd *);	/* 0 if all consumed, no error */

void	 msg_put_state(struct msg_buf *, uint32_t node, const struct nstate *);
int	 msg_get_state(struct msg_rd *, uint32_t *node, struct nstate *);
/* A supervisor's restart times: u8 n (<= NSTATE_NTIMES), n x i64. */
void	 msg_put_times(struct msg_buf *, const int64_t *);
int	 msg_get_times(struct msg_rd *, int64_t *);

/*
 * Whole payloads, one pair per message type: msg_pack_X appends the
 * payload to a buffer, msg_unpack_X reads a whole payload and returns 0,
 * or -1 if it is short, long or malformed (nothing is then left
 * allocated).
 */
struct msg_request {
	uint32_t	  flags;	/* MSG_REQ_* */
	int		  argc;		/* 1 to MSG_REQ_MAXARGS */
	char		**argv;		/* argc strings, then NULL */
};

void	 msg_pack_request(struct msg_buf *, uint32_t flags, int argc,
	     char *const *argv);
int	 msg_unpack_request(const void *, size_t, struct msg_request *);
void	 msg_request_free(struct msg_request *);

#endif
