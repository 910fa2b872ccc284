/*
 * mkseeds.c: write the binary seed inputs of the msg and ctl targets with
 * the real encoder (msg.c), so the seeds follow the wire format when it
 * changes. Usage: mkseeds CORPUSDIR (writes CORPUSDIR/msg/seed-* and
 * CORPUSDIR/ctl/seed-*). Hand-made corner cases are written as well:
 * truncated frames, a bad version, an oversize length, a NUL in a string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "nstate.h"

static const char	*dir;

static void
put_file(const char *sub, const char *name, const void *p, size_t len)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s/seed-%s", dir, sub, name);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	if (len != 0 && fwrite(p, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* Append a framed payload to out. */
static void
frame(struct msg_buf *out, uint16_t type, const struct msg_buf *pl)
{
	uint8_t	hdr[MSG_HDRLEN];

	msg_pack_hdr(hdr, type, pl->len);
	msg_put_bytes(out, hdr, sizeof hdr);
	msg_put_bytes(out, pl->data, pl->len);
}

static void
one(const char *sub, const char *name, uint16_t type, struct msg_buf *pl)
{
	struct msg_buf	out;

	msg_buf_init(&out);
	frame(&out, type, pl);
	put_file(sub, name, out.data, out.len);
	msg_buf_free(&out);
	msg_buf_free(pl);
}

static void
state(struct msg_buf *pl, uint32_t node, int st, const char *err,
    const char *status)
{
	struct nstate	s;

	memset(&s, 0, sizeof s);
	s.state = st;
	s.ready = st == NS_READY || st == NS_RUNNING;
	s.pid = 4242;
	s.since_ms = 1700000000000LL;
	s.started_ms = 1700000000000LL;
	s.restarts = 3;
	s.last_exit = -9;
	s.next_ms = st == NS_BACKOFF ? 1700000001000LL : 0;
	snprintf(s.error, sizeof s.error, "%s", err);
	snprintf(s.status, sizeof s.status, "%s", status);
	msg_buf_init(pl);
	msg_put_state(pl, node, &s);
}

static void
request(const char *name, uint32_t flags, int argc, const char **argv)
{
	struct msg_buf	pl;

	msg_buf_init(&pl);
	msg_pack_request(&pl, flags, argc, (char *const *)argv);
	one("ctl", name, MSG_REQUEST, &pl);
}

static void
msg_seeds(void)
{
	struct msg_buf	pl, out;
	char		big[400];
	int		i;

	state(&pl, 2, NS_RUNNING, "", "");
	one("msg", "state-running", MSG_STATE, &pl);
	state(&pl, 5, NS_BACKOFF, "exec: No such file or directory", "");
	one("msg", "state-backoff", MSG_STATE, &pl);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	state(&pl, 1, NS_READY, big, "STATUS text");
	one("msg", "state-longtext", MSG_STATE, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 1);
	msg_put_u8(&pl, 1);
	msg_put_u32(&pl, 2);
	{
		int64_t	times[NSTATE_NTIMES] = { 1700000000100LL,
			    1700000000900LL };

		msg_put_times(&pl, times);
	}
	one("msg", "svinfo", MSG_SVINFO, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 7);
	msg_put_u32(&pl, 1);
	msg_put_str(&pl, "db/pg: not running");
	one("msg", "reply", MSG_REPLY, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 3);
	msg_put_u8(&pl, 1);
	msg_put_str(&pl, "a line of output");
	one("msg", "log", MSG_LOG, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 9);
	msg_put_u32(&pl, 12);
	msg_put_bytes(&pl, "line1\nline2\n", 12);
	one("msg", "logdump", MSG_LOGDUMP, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 11);
	msg_put_u8(&pl, MSG_OP_STOP);
	msg_put_u32(&pl, 4);
	msg_put_u32(&pl, 0);
	one("msg", "cmd-stop", MSG_CMD, &pl);

	msg_buf_init(&pl);
	msg_put_u32(&pl, 1);
	msg_put_u32(&pl, 9);
	msg_put_u32(&pl, 22);
	msg_put_bytes(&pl, "[w]\ncommand = sleep 1\n", 22);
	one("msg", "reload", MSG_RELOAD, &pl);

	/* Several frames in one read, as a link delivers them. */
	msg_buf_init(&out);
	for (i = 1; i < 4; i++) {
		state(&pl, i, i, "", "");
		frame(&out, MSG_STATE, &pl);
		msg_buf_free(&pl);
	}
	put_file("msg", "three-states", out.data, out.len);
	msg_buf_free(&out);

	/* A truncated state, a bad version and an oversize length. */
	state(&pl, 2, NS_RUNNING, "", "");
	pl.len -= 3;
	one("msg", "state-short", MSG_STATE, &pl);
	msg_buf_init(&out);
	msg_buf_init(&pl);
	msg_put_u32(&pl, 1);
	frame(&out, MSG_STATE, &pl);
	out.data[6] = MSG_VERSION + 1;
	put_file("msg", "bad-version", out.data, out.len);
	out.data[6] = MSG_VERSION;
	out.data[0] = 0x7f;
	put_file("msg", "oversize", out.data, out.len);
	msg_buf_free(&out);
	msg_buf_free(&pl);
	/* A string with a NUL inside, which strbuf must refuse. */
	state(&pl, 2, NS_RUNNING, "abc", "");
	pl.data[pl.len - 4] = '\0';
	one("msg", "state-nul", MSG_STATE, &pl);
}

static void
ctl_seeds(void)
{
	struct msg_buf	pl;
	const char	*a[300];
	char		 longpath[5001];
	int		 i;

	request("status", MSG_REQ_TTY | MSG_REQ_UTF8, 1,
	    (const char *[]){ "status" });
	request("status-json", 0, 3,
	    (const char *[]){ "status", "--json", "db/pg" });
	request("stop", 0, 3, (const char *[]){ "stop", "--no-wait", "web" });
	request("start", 0, 2, (const char *[]){ "start", "db" });
	request("restart", 0, 3,
	    (const char *[]){ "restart", "db/pg", "db/cache" });
	request("signal", 0, 3, (const char *[]){ "signal", "SIGHUP", "db" });
	request("wait", 0, 6, (const char *[]){ "wait", "--for", "running",
	    "--timeout", "1.5s", "web" });
	request("logs", 0, 5, (const char *[]){ "logs", "-n", "100", "-f",
	    "db/pg" });
	request("badpath", 0, 2, (const char *[]){ "stop", "../etc" });
	request("fmt", 0, 2, (const char *[]){ "stop", "%s%n%s%n" });
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = '\0';
	request("longpath", 0, 2, (const char *[]){ "stop", longpath });
	request("empty", 0, 0, a);
	for (i = 0; i < 257; i++)
		a[i] = "x";
	request("toomany", 0, 257, a);
	request("max", 0, 256, a);
	/* A request that claims more strings than it carries. */
	msg_buf_init(&pl);
	msg_put_u32(&pl, 0);
	msg_put_u16(&pl, 3);
	msg_put_str(&pl, "status");
	one("ctl", "short", MSG_REQUEST, &pl);
	/* Trailing garbage after the last string. */
	msg_buf_init(&pl);
	msg_put_u32(&pl, 0);
	msg_put_u16(&pl, 1);
	msg_put_str(&pl, "status");
	msg_put_u8(&pl, 0);
	one("ctl", "trailing", MSG_REQUEST, &pl);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds CORPUSDIR\n");
		return (1);
	}
	dir = argv[1];
	msg_seeds();
	ctl_seeds();
	return (0);
}
