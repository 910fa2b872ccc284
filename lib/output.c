/*
 * output.c: capture of a worker's stdout and stderr.
 *
 * For output = prefix and file:PATH the worker writes into a pipe whose
 * read end this supervisor watches: one pipe for both streams when their
 * lines go to the same place (a file; our stdout and stderr when they are
 * one file; or when the descriptor limit has no room for two: nofile.c),
 * so a worker costs one descriptor and its lines keep the order it wrote
 * them in; otherwise one per stream, so that stderr lines go to our
 * stderr. Bytes are split into
 * lines; each complete line is written with a single write(2), so lines
 * never mix mid-line even though several supervisor processes share the
 * terminal. Reads are bounded per callback (OUTPUT_CHUNK) so a worker that
 * floods cannot starve the loop or its siblings; an over-long line is cut
 * into OUTPUT_LINE_MAX pieces so memory stays bounded. When the worker's
 * leader ends, what is already in the pipes is read at once, and when its
 * whole group is gone the pipes are read to EOF and a last line without a
 * newline is flushed: nothing written before the end is lost.
 *
 * Reads stay bounded when a worker ends too: output_drain() takes at most
 * one chunk per stream (the rest comes on the next turns of the loop), and
 * output_ended() marks the streams as ending, to be read over the next
 * turns, a chunk per turn, until they are empty, at EOF, or one pipe's
 * capacity has been read (all that can have been written before the end):
 * an escaped or flooding writer never holds the loop.
 *
 * Writing never blocks either: lines go through a sink (sink.c), a bounded
 * queue that drops and counts when full, whether the destination is our
 * own stdout/stderr or a file, a FIFO or a device.
 *
 * Output files are opened so that a worker can never make us write
 * elsewhere (see output_open_file): relative to a directory descriptor
 * held for the output's life, never through a symbolic link, and checked
 * with fstat; rotation renames only what it checked.
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
#include "sink.h"
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
	int		 ending;	/* the writers are gone: drain, close */
	size_t		 left;		/* while ending: bytes still to take */
};

/* What one bounded read found. */
enum output_rd {
	OUTPUT_RD_EOF,		/* every writer is gone */
	OUTPUT_RD_EMPTY,	/* nothing more for now */
	OUTPUT_RD_MORE		/* the bound was hit: more may be waiting */
};

/*
 * s[0] and s[1] are the current run's stdout and stderr; s[2] and s[3]
 * the previous run's, while they are still being drained after a restart.
 */
#define OUTPUT_NSTREAMS	4

struct output {
	struct sv_child		*c;		/* opaque: svwork.c */
	struct output_stream	 s[OUTPUT_NSTREAMS];
	int			 wfd[2];	/* write ends, during spawn */
	struct sink		*file;		/* output = file:, or NULL */
	int			 dirfd;		/* the file's directory */
	char			*base;		/* the file's name in dirfd */
	dev_t			 dev;		/* what file is, by identity */
	ino_t			 ino;
	int			 regular;	/* file is a regular file */
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
static enum output_rd output_read(struct output *, int, size_t, size_t *);
static void	output_take(struct output *, int);
static void	output_line(struct output *, int, const char *, size_t);
static void	output_close(struct output *, int);
static int	output_open_file(struct output *, char **);
static int	output_open_dir(struct output *, char **);
static void	output_rotate(struct output *);
static void	output_reopen_file(struct output *);

static int
use_color(void)
{
	const char	*nc = getenv("NO_COLOR");

	return (isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0'));
}

struct output *
output_new(struct sv_child *c)
{
	const struct tree_node	*n = sv_child_node(c);
	struct output		*o;
	int			 i, width = sv_child_pathwidth(c);

	o = xcalloc(1, sizeof *o);
	o->c = c;
	o->dirfd = -1;
	for (i = 0; i < OUTPUT_NSTREAMS; i++)
		o->s[i].fd = -1;
	for (i = 0; i < 2; i++)
		o->wfd[i] = -1;
	if (width > 40)
		width = 40;
	if (use_color())
		snprintf(o->prefix, sizeof o->prefix, "\033[%dm%-*s |\033[0m ",
		    31 + sv_child_gid(c) % 6, width, n->path);
	else
		snprintf(o->prefix, sizeof o->prefix, "%-*s | ", width,
		    n->path);
	return (o);
}

void
output_free(struct output *o)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < OUTPUT_NSTREAMS; i++)
		output_close(o, i);
	for (i = 0; i < 2; i++) {
		if (o->wfd[i] != -1)
			close(o->wfd[i]);
	}
	sink_free(o->file);
	if (o->dirfd != -1)
		close(o->dirfd);
	free(o->base);
	for (i = 0; o->ring != NULL && i < sv_child_node(o->c)->log_lines; i++)
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
	int	i, npipes, p[2];

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
		if (o->file == NULL && output_open_file(o, cause) == -1)
			return (-1);
		break;
	case TREE_OUT_PREFIX:
		break;
	}
	/* stdout's pipe is stderr's too (see the opening comment). */
	npipes = n->output == TREE_OUT_PREFIX && !sv_child_merged(o->c) ? 2 : 1;
	for (i = 0; i < npipes; i++) {
		/*
		 * The last run's stream, if still draining, goes on draining
		 * beside the new one (and one older than that is closed).
		 */
		if (o->s[i].fd != -1) {
			output_close(o, i + 2);
			o->s[i + 2] = o->s[i];
			memset(&o->s[i], 0, sizeof o->s[i]);
			o->s[i].fd = -1;
		}
		if (pipe2(p, O_CLOEXEC) == -1) {
			xasprintf(cause, "pipe: %s", strerror(errno));
			output_started(o, 0);
			return (-1);
		}
		proc_set_nonblock(p[0]);
		o->s[i].fd = p[0];
		o->wfd[i] = p[1];
		fds[(*nfds)++] = (struct spawn_fd){ p[1], i + 1 };
		if (npipes == 1)
			fds[(*nfds)++] = (struct spawn_fd){ p[1], 2 };
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
		o->s[i].ev = event_new(sv_child_base(o->c), o->s[i].fd,
		    EV_READ | EV_PERSIST, output_read_cb, o);
		event_add(o->s[i].ev, NULL);
	}
}

static void
output_read_cb(int fd, short what, void *arg)
{
	struct output	*o = arg;
	int		 i;

	(void)what;
	for (i = 0; i < OUTPUT_NSTREAMS; i++) {
		if (o->s[i].fd == fd) {
			output_take(o, i);
			return;
		}
	}
}

/*
 * One wake-up's worth of stream i: at most OUTPUT_CHUNK bytes. A live
 * stream is closed at EOF; an ending one also once it is empty or its
 * allowance is used up.
 */
static void
output_take(struct output *o, int i)
{
	struct output_stream	*s = &o->s[i];
	enum output_rd		 rd;
	size_t			 max = OUTPUT_CHUNK, got = 0;

	if (s->ending && s->left < max)
		max = s->left;
	rd = output_read(o, i, max, &got);
	if (s->ending)
		s->left -= got < s->left ? got : s->left;
	if (rd == OUTPUT_RD_EOF || (s->ending && (rd == OUTPUT_RD_EMPTY ||
	    s->left == 0)))
		output_close(o, i);
}

/*
 * Read up to max bytes from stream i and emit the complete lines; *got is
 * the number of bytes read.
 */
static enum output_rd
output_read(struct output *o, int i, size_t max, size_t *got)
{
	struct output_stream	*s = &o->s[i];
	char			 buf[OUTPUT_CHUNK], *nl, *p;
	size_t			 done = 0, take;
	ssize_t			 n;

	*got = 0;
	while (done < max) {
		take = max - done < sizeof buf ? max - done : sizeof buf;
		n = read(s->fd, buf, take);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (OUTPUT_RD_EMPTY);
		if (n == 0)
			return (OUTPUT_RD_EOF);
		done += n;
		*got = done;
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
				output_line(o, i % 2, s->buf, s->len);
				s->len = 0;
			} else if (s->len == OUTPUT_LINE_MAX) {
				output_line(o, i % 2, s->buf, s->len);
				s->len = 0;
			}
		}
	}
	return (OUTPUT_RD_MORE);
}

static void
output_close(struct output *o, int i)
{
	struct output_stream	*s = &o->s[i];

	if (s->len > 0) {
		output_line(o, i % 2, s->buf, s->len);
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
	s->ending = 0;
	s->left = 0;
}

/*
 * The leader ended: take what it wrote last, before its exit is told; one
 * chunk per stream, so a group that floods cannot hold us (the rest comes
 * on the next turns, as usual).
 */
void
output_drain(struct output *o)
{
	int	i;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (o->s[i].fd != -1 && !o->s[i].ending)
			output_take(o, i);
	}
}

/*
 * The whole group is gone: what is in the pipes now is all that was
 * written before the end, at most one pipe's capacity. Read it over the
 * next turns, a chunk per turn, then close and flush the last line. A
 * writer that escaped the group and goes on writing only gets that much.
 */
void
output_ended(struct output *o)
{
	struct output_stream	*s;
	int			 i, cap;

	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		s = &o->s[i];
		if (s->fd == -1 || s->ending)
			continue;
		cap = fcntl(s->fd, F_GETPIPE_SZ);
		s->ending = 1;
		s->left = cap > 0 ? (size_t)cap : OUTPUT_CHUNK;
		output_take(o, i);
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

	if (peer_pending(sv_child_up(o->c)) > OUTPUT_FOLLOW_MAX) {
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
	msg_put_u32(&mb, sv_child_gid(o->c));
	msg_put_u8(&mb, stream);
	msg_put_u16(&mb, len);
	msg_put_bytes(&mb, line, len);
	peer_send_buf(sv_child_up(o->c), MSG_LOG, &mb);
}

static void
output_line(struct output *o, int stream, const char *line, size_t len)
{
	const struct tree_node	*n = sv_child_node(o->c);
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
	if (o->follow > 0 && sv_child_up(o->c) != NULL)
		output_follow(o, stream, line, len);
	if (n->output == TREE_OUT_PREFIX) {
		iov[k++] = (struct iovec){ o->prefix, strlen(o->prefix) };
	}
	if (ts[0] != '\0')
		iov[k++] = (struct iovec){ ts, strlen(ts) };
	iov[k++] = (struct iovec){ (void *)line, len };
	iov[k++] = (struct iovec){ "\n", 1 };
	if (n->output == TREE_OUT_FILE && o->file != NULL) {
		if ((w = sink_writev(o->file, iov, k)) == -1) {
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
		(void)sink_stdio_writev(stream == 0 ? STDOUT_FILENO :
		    STDERR_FILENO, iov, k);
}

/*
 * The directory of the output file, opened once for the output's life:
 * every later open, rename and unlink is relative to it, so what a worker
 * does to the path's directories later changes nothing for us.
 */
static int
output_open_dir(struct output *o, char **cause)
{
	const char	*path = sv_child_node(o->c)->output_path;
	const char	*slash = strrchr(path, '/');
	char		*dir;

	if (slash != NULL && slash[1] == '\0') {
		xasprintf(cause, "output %s: names a directory, not a file",
		    path);
		return (-1);
	}
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, slash - path);
	o->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd == -1) {
		xasprintf(cause, "output %s: directory %s: %s", path, dir,
		    strerror(errno));
		free(dir);
		return (-1);
	}
	free(dir);
	free(o->base);
	o->base = xstrdup(slash != NULL ? slash + 1 : path);
	return (0);
}

/*
 * Open the output file for appending, safely, since we may be root and the
 * worker may own the directory (see supertree.ini(5), "Output files"):
 *
 *  - O_NOFOLLOW: a symbolic link at the path (planted by the worker, at
 *    start, between two reopens or during a rotation) is refused, never
 *    followed;
 *  - O_NONBLOCK: a FIFO or a device never blocks the loop, neither in
 *    open(2) nor in the writes (the sink queues and drops);
 *  - fstat of what was opened: a regular file with no other hard link, a
 *    character device (only root can make one), or a FIFO that belongs
 *    to our own user or root (a worker can make FIFOs: one of its own is
 *    refused). Anything else is refused.
 *
 * A FIFO without a reader is opened read-write, so that it never fails
 * nor blocks: lines wait in the pipe, then in the sink, then are dropped
 * and counted until a reader comes.
 */
static int
output_open_file(struct output *o, char **cause)
{
	const char	*path = sv_child_node(o->c)->output_path;
	const int	 fl = O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			     O_CLOEXEC;
	struct stat	 sb;
	const char	*why = NULL;
	int		 fd;

	if (o->dirfd == -1 && output_open_dir(o, cause) == -1)
		return (-1);
	fd = openat(o->dirfd, o->base, O_WRONLY | O_CREAT | fl, 0644);
	if (fd == -1 && errno == ENXIO)
		fd = openat(o->dirfd, o->base, O_RDWR | fl);
	if (fd == -1) {
		if (errno == ELOOP)
			xasprintf(cause, "output %s: is a symbolic link: refused "
			    "(output files are never written through links)",
			    path);
		else
			xasprintf(cause, "output %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1)
		why = strerror(errno);
	else if (S_ISREG(sb.st_mode) && sb.st_nlink > 1)
		why = "has other hard links: refused";
	else if (S_ISFIFO(sb.st_mode) && sb.st_uid != geteuid() &&
	    sb.st_uid != 0)
		why = "is a FIFO of another user: refused";
	else if (!S_ISREG(sb.st_mode) && !S_ISCHR(sb.st_mode) &&
	    !S_ISFIFO(sb.st_mode))
		why = "not a regular file, character device or FIFO: refused";
	if (why != NULL) {
		xasprintf(cause, "output %s: %s", path, why);
		close(fd);
		return (-1);
	}
	/*
	 * Only a regular file is ever rotated: renaming a device such as
	 * /dev/null (or a fifo, a tty) away would be a disaster.
	 */
	o->regular = S_ISREG(sb.st_mode);
	o->dev = sb.st_dev;
	o->ino = sb.st_ino;
	o->filesize = o->regular ? sb.st_size : 0;
	o->file = sink_new(sv_child_base(o->c), fd, 1, SINK_QUEUE_MAX);
	return (0);
}

/* Close and open again (SIGUSR1, reload, `logs --reopen`, rotation). */
/*
 * output = file: reopens its file (SIGUSR1, reload, `logs --reopen`),
 * also one that failed since it was first opened; any other output has
 * nothing to reopen.
 */
void
output_reopen(struct output *o)
{
	if (o == NULL || o->dirfd == -1 ||
	    sv_child_node(o->c)->output != TREE_OUT_FILE)
		return;
	output_reopen_file(o);
}

static void
output_reopen_file(struct output *o)
{
	char	*cause = NULL;

	sink_free(o->file);
	o->file = NULL;
	if (output_open_file(o, &cause) == -1) {
		log_warnx("%s: %s", sv_child_node(o->c)->path, cause);
		free(cause);
	}
}

/*
 * PATH -> PATH.1 -> ... -> PATH.<log_keep>; the oldest is dropped. Only
 * when the name still is the file we hold open (checked without following
 * links): if a worker put something else there, nothing is renamed and
 * the reopen refuses what it finds if it is not safe. All names are in
 * the directory we hold, and renameat(2) moves links, never their targets.
 */
static void
output_rotate(struct output *o)
{
	const struct tree_node	*n = sv_child_node(o->c);
	struct stat		 sb;
	char			*from, *to;
	int			 i;

	if (fstatat(o->dirfd, o->base, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    sb.st_dev != o->dev || sb.st_ino != o->ino) {
		log_warnx("%s: output %s: replaced by something else: not "
		    "rotated", n->path, n->output_path);
		output_reopen_file(o);
		return;
	}
	for (i = n->log_keep; i >= 1; i--) {
		if (i == 1)
			from = xstrdup(o->base);
		else
			xasprintf(&from, "%s.%d", o->base, i - 1);
		xasprintf(&to, "%s.%d", o->base, i);
		(void)renameat(o->dirfd, from, o->dirfd, to);
		free(from);
		free(to);
	}
	if (n->log_keep == 0)
		(void)unlinkat(o->dirfd, o->base, 0);
	output_reopen_file(o);
}

/* `logs`: the last arg lines (all if arg <= 0), or follow on/off. */
int
output_command(struct output *o, uint32_t reqid, int op, int arg,
    char **cause)
{
	const struct tree_node	*n = sv_child_node(o->c);
	struct peer		*up = sv_child_up(o->c);
	struct msg_buf		 mb, text;
	size_t			 size;
	int			 i, k, cap;

	if (op == MSG_OP_FOLLOW) {
		o->follow += arg ? 1 : -1;
		if (o->follow < 0)
			o->follow = 0;
		return (0);
	}
	if (up == NULL) {
		xasprintf(cause, "%s: no parent to answer", n->path);
		return (-1);
	}
	msg_buf_init(&text);
	cap = n->log_lines;
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
	peer_send_buf(up, MSG_LOGDUMP, &mb);
	return (0);
}
