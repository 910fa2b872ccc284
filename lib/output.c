/*
 * output.c: capture of a worker's stdout and stderr.
 *
 * For output = prefix and file:PATH the worker writes into two pipes (one
 * per stream) whose read ends this supervisor watches. Bytes are split into
 * lines; each complete line is written with a single write(2), so lines
 * never mix mid-line even though several supervisor processes share the
 * terminal. Reads are bounded per callback (OUTPUT_CHUNK) so a worker that
 * floods cannot starve the loop or its siblings; an over-long line is cut
 * into OUTPUT_LINE_MAX pieces so memory stays bounded. When the worker's
 * leader ends, what is already in the pipes is read at once, and when its
 * whole group is gone the pipes are read to EOF and a last line without a
 * newline is flushed: nothing written before the end is lost.
 *
 * The last log_lines lines of each worker stay in a ring for `logs`.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "msg.h"
#include "output.h"
#include "peer.h"
#include "proc.h"
#include "spawn.h"
#include "sv.h"
#include "tree.h"
#include "xmalloc.h"

#define OUTPUT_CHUNK	65536
/* The i-th oldest line of the ring (0 <= i < ring_n). */
#define RING(o, i, cap)	((o)->ring[((o)->ring_head - (o)->ring_n + (i) + \
			    (cap)) % (cap)])
#define OUTPUT_LINE_MAX	4096
#define OUTPUT_FOLLOW_MAX (1024 * 1024)	/* queued up the link, for -f */

struct output_stream {
	int		 fd;		/* read end, or -1 */
	struct event	*ev;
	char		*buf;		/* partial line */
	size_t		 len;
};

struct output {
	struct sv		*sv;
	struct sv_child		*c;
	struct output_stream	 s[2];
	int			 wfd[2];	/* write ends, during spawn */
	int			 filefd;
	int			 regular;	/* filefd is a regular file */
	int			 write_failed;
	int64_t			 filesize;
	char			**ring;
	int			 ring_n;
	int			 ring_head;
	int			 follow;
	uint64_t		 dropped;	/* follow lines not sent */
	char			 prefix[128];
};

static void	output_read_cb(int, short, void *);
static int	output_read(struct output *, int, size_t);
static void	output_line(struct output *, int, const char *, size_t);
static void	output_close(struct output *, int);
static int	output_open_file(struct output *, char **);
static void	output_rotate(struct output *);

static int
use_color(void)
{
	const char	*nc = getenv("NO_COLOR");

	return (isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0'));
}

struct output *
output_new(struct sv *sv, struct sv_child *c)
{
	struct output	*o;
	int		 i, width = sv->tree->pathwidth;

	o = xcalloc(1, sizeof *o);
	o->sv = sv;
	o->c = c;
	o->filefd = -1;
	for (i = 0; i < 2; i++) {
		o->s[i].fd = -1;
		o->wfd[i] = -1;
	}
	if (width > 40)
		width = 40;
	if (use_color())
		snprintf(o->prefix, sizeof o->prefix, "\033[%dm%-*s |\033[0m ",
		    31 + c->id % 6, width, c->node->path);
	else
		snprintf(o->prefix, sizeof o->prefix, "%-*s | ", width,
		    c->node->path);
	return (o);
}

void
output_free(struct output *o)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++)
		output_close(o, i);
	if (o->filefd != -1)
		close(o->filefd);
	for (i = 0; o->ring != NULL && i < o->c->node->log_lines; i++)
		free(o->ring[i]);
	free(o->ring);
	free(o);
}

/*
 * Before a spawn: set up where fds 1 and 2 of the worker go. The pipes'
 * write ends are held until output_started(), then closed here so that
 * EOF on a pipe means every writer is gone.
 */
int
output_prepare(struct output *o, const struct tree_node *n, int devnull,
    struct spawn_fd *fds, int *nfds, char **cause)
{
	int	i, p[2];

	if (o == NULL || n->kind != TREE_WORKER)
		return (0);
	switch (n->output) {
	case TREE_OUT_INHERIT:
		return (0);
	case TREE_OUT_NULL:
		fds[(*nfds)++] = (struct spawn_fd){ devnull, 1 };
		fds[(*nfds)++] = (struct spawn_fd){ devnull, 2 };
		return (0);
	case TREE_OUT_FILE:
		if (o->filefd == -1 && output_open_file(o, cause) == -1)
			return (-1);
		break;
	case TREE_OUT_PREFIX:
		break;
	}
	for (i = 0; i < 2; i++) {
		output_close(o, i);
		if (pipe2(p, O_CLOEXEC) == -1) {
			xasprintf(cause, "pipe: %s", strerror(errno));
			output_started(o, 0);
			return (-1);
		}
		proc_set_nonblock(p[0]);
		o->s[i].fd = p[0];
		o->wfd[i] = p[1];
		fds[(*nfds)++] = (struct spawn_fd){ p[1], i + 1 };
	}
	return (0);
}

void
output_started(struct output *o, int ok)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (o->wfd[i] != -1) {
			close(o->wfd[i]);
			o->wfd[i] = -1;
		}
		if (o->s[i].fd == -1)
			continue;
		if (!ok) {
			output_close(o, i);
			continue;
		}
		o->s[i].ev = event_new(o->sv->base, o->s[i].fd,
		    EV_READ | EV_PERSIST, output_read_cb, o);
		event_add(o->s[i].ev, NULL);
	}
}

static void
output_read_cb(int fd, short what, void *arg)
{
	struct output	*o = arg;
	int		 i = fd == o->s[0].fd ? 0 : 1;

	(void)what;
	if (output_read(o, i, OUTPUT_CHUNK) == 0)
		output_close(o, i);
}

/*
 * Read up to max bytes from stream i and emit the complete lines. Returns
 * 0 at EOF, 1 otherwise.
 */
static int
output_read(struct output *o, int i, size_t max)
{
	struct output_stream	*s = &o->s[i];
	char			 buf[OUTPUT_CHUNK], *nl, *p;
	size_t			 done = 0, take;
	ssize_t			 n;

	while (done < max) {
		n = read(s->fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (1);
		if (n == 0)
			return (0);
		done += n;
		p = buf;
		while (n > 0) {
			nl = memchr(p, '\n', n);
			take = nl != NULL ? (size_t)(nl - p) : (size_t)n;
			if (s->len + take > OUTPUT_LINE_MAX)
				take = OUTPUT_LINE_MAX - s->len;
			s->buf = xrealloc(s->buf, s->len + take + 1);
			memcpy(s->buf + s->len, p, take);
			s->len += take;
			p += take;
			n -= take;
			if (n > 0 && *p == '\n') {
				p++;
				n--;
				output_line(o, i, s->buf, s->len);
				s->len = 0;
			} else if (s->len == OUTPUT_LINE_MAX) {
				output_line(o, i, s->buf, s->len);
				s->len = 0;
			}
		}
	}
	return (1);
}

static void
output_close(struct output *o, int i)
{
	struct output_stream	*s = &o->s[i];

	if (s->len > 0) {
		output_line(o, i, s->buf, s->len);
		s->len = 0;
	}
	if (s->ev != NULL) {
		event_free(s->ev);
		s->ev = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
	free(s->buf);
	s->buf = NULL;
}

/* The leader ended: take what it wrote so far, before its exit is told. */
void
output_drain(struct output *o)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (o->s[i].fd != -1 && output_read(o, i, SIZE_MAX) == 0)
			output_close(o, i);
	}
}

/* The whole group is gone: read to the end and flush the last line. */
void
output_ended(struct output *o)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (o->s[i].fd == -1)
			continue;
		output_read(o, i, SIZE_MAX);
		output_close(o, i);
	}
}

static void
timestamp(char *buf, size_t size)
{
	struct tm	tm;
	int64_t		now = proc_wall_ms();
	time_t		secs = now / 1000;

	localtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(now % 1000));
}

/*
 * Send a line to the followers (logs -f). Following is best effort: when
 * the link up is congested (a slow client, a flood) lines are dropped and
 * counted rather than queued, so a flooding worker cannot grow our memory
 * and a slow reader cannot slow the worker down.
 */
static void
output_follow(struct output *o, int stream, const char *line, size_t len)
{
	struct msg_buf	 mb;
	char		 note[64];
	int		 n;

	if (peer_pending(o->sv->up) > OUTPUT_FOLLOW_MAX) {
		o->dropped++;
		return;
	}
	if (o->dropped > 0) {
		n = snprintf(note, sizeof note, "[supertree: %llu lines dropped]",
		    (unsigned long long)o->dropped);
		o->dropped = 0;
		output_follow(o, stream, note, n);
	}
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	msg_buf_init(&mb);
	msg_put_u32(&mb, o->c->id);
	msg_put_u8(&mb, stream);
	msg_put_u16(&mb, len);
	msg_put_bytes(&mb, line, len);
	peer_send_buf(o->sv->up, MSG_LOG, &mb);
}

static void
output_line(struct output *o, int stream, const char *line, size_t len)
{
	const struct tree_node	*n = o->c->node;
	struct iovec		 iov[4];
	char			 ts[80] = "", *copy;
	ssize_t			 w;
	int			 k = 0;

	if (n->timestamps)
		timestamp(ts, sizeof ts);
	if (n->log_lines > 0) {
		if (o->ring == NULL)
			o->ring = xcalloc(n->log_lines, sizeof *o->ring);
		copy = xmalloc(len + 1);
		memcpy(copy, line, len);
		copy[len] = '\0';
		free(o->ring[o->ring_head]);
		o->ring[o->ring_head] = copy;
		o->ring_head = (o->ring_head + 1) % n->log_lines;
		if (o->ring_n < n->log_lines)
			o->ring_n++;
	}
	if (o->follow > 0 && o->sv->up != NULL)
		output_follow(o, stream, line, len);
	if (n->output == TREE_OUT_PREFIX) {
		iov[k++] = (struct iovec){ o->prefix, strlen(o->prefix) };
	}
	if (ts[0] != '\0')
		iov[k++] = (struct iovec){ ts, strlen(ts) };
	iov[k++] = (struct iovec){ (void *)line, len };
	iov[k++] = (struct iovec){ "\n", 1 };
	if (n->output == TREE_OUT_FILE && o->filefd != -1) {
		if ((w = writev(o->filefd, iov, k)) == -1) {
			/* Said once per failing spell, not once per line. */
			if (!o->write_failed)
				log_warn("%s: output %s", n->path,
				    n->output_path);
			o->write_failed = 1;
		} else {
			o->write_failed = 0;
			o->filesize += w;
		}
		if (n->log_max_size > 0 && o->filesize >= n->log_max_size &&
		    o->regular)
			output_rotate(o);
	} else if (n->output == TREE_OUT_PREFIX)
		(void)writev(stream == 0 ? STDOUT_FILENO : STDERR_FILENO, iov,
		    k);
}

static int
output_open_file(struct output *o, char **cause)
{
	const char	*path = o->c->node->output_path;
	struct stat	 sb;
	off_t		 end;

	o->filefd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644);
	if (o->filefd == -1) {
		xasprintf(cause, "output %s: %s", path, strerror(errno));
		return (-1);
	}
	/*
	 * Only a regular file is ever rotated: renaming a device such as
	 * /dev/null (or a fifo, a tty) away would be a disaster.
	 */
	o->regular = fstat(o->filefd, &sb) == 0 && S_ISREG(sb.st_mode);
	end = lseek(o->filefd, 0, SEEK_END);
	o->filesize = end > 0 ? end : 0;
	return (0);
}

/* PATH -> PATH.1 -> ... -> PATH.<log_keep>; the oldest is dropped. */
static void
output_rotate(struct output *o)
{
	const struct tree_node	*n = o->c->node;
	char			*from, *to;
	char			*cause = NULL;
	int			 i;

	close(o->filefd);
	o->filefd = -1;
	for (i = n->log_keep; i >= 1; i--) {
		if (i == 1)
			from = xstrdup(n->output_path);
		else
			xasprintf(&from, "%s.%d", n->output_path, i - 1);
		xasprintf(&to, "%s.%d", n->output_path, i);
		(void)rename(from, to);
		free(from);
		free(to);
	}
	if (n->log_keep == 0)
		(void)unlink(n->output_path);
	if (output_open_file(o, &cause) == -1) {
		log_warnx("%s: %s", n->path, cause);
		free(cause);
	}
}

void
output_reopen_all(struct sv *sv)
{
	struct output	*o;
	char		*cause = NULL;
	int		 i;

	for (i = 0; i < sv->n; i++) {
		o = sv->children[i]->out;
		if (o == NULL || o->filefd == -1)
			continue;
		close(o->filefd);
		o->filefd = -1;
		if (output_open_file(o, &cause) == -1) {
			log_warnx("%s: %s", o->c->node->path, cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* `logs`: the last arg lines (all if arg <= 0), or follow on/off. */
int
output_command(struct sv_child *c, uint32_t reqid, int op, int arg,
    char **cause)
{
	struct output	*o = c->out;
	struct msg_buf	 mb, text;
	size_t		 size;
	int		 i, k, cap;

	if (c->node->kind != TREE_WORKER || o == NULL) {
		xasprintf(cause, "%s: not a worker", c->node->path);
		return (-1);
	}
	if (op == MSG_OP_REOPEN) {
		output_reopen_all(c->sv);
		return (0);
	}
	if (op == MSG_OP_FOLLOW) {
		o->follow += arg ? 1 : -1;
		if (o->follow < 0)
			o->follow = 0;
		return (0);
	}
	if (c->sv->up == NULL) {
		xasprintf(cause, "%s: no parent to answer", c->node->path);
		return (-1);
	}
	msg_buf_init(&text);
	cap = c->node->log_lines;
	k = arg <= 0 || arg > o->ring_n ? o->ring_n : arg;
	/* If they do not all fit in a frame, the newest ones are kept. */
	for (i = o->ring_n - 1, size = 0; i >= o->ring_n - k; i--) {
		size += strlen(RING(o, i, cap)) + 1;
		if (size > MSG_MAXLEN - 64) {
			k = o->ring_n - 1 - i;
			break;
		}
	}
	for (i = o->ring_n - k; i < o->ring_n; i++) {
		msg_put_bytes(&text, RING(o, i, cap), strlen(RING(o, i, cap)));
		msg_put_bytes(&text, "\n", 1);
	}
	msg_buf_init(&mb);
	msg_put_u32(&mb, reqid);
	msg_put_u32(&mb, (uint32_t)text.len);
	msg_put_bytes(&mb, text.data, text.len);
	msg_buf_free(&text);
	peer_send_buf(c->sv->up, MSG_LOGDUMP, &mb);
	return (0);
}
