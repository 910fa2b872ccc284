/*
 * sink.c: writing lines without ever blocking the event loop.
 *
 * A sink owns the writing side of one destination: an output file, a FIFO
 * or a device, or the process's own stdout or stderr. sink_writev() takes
 * one whole line (the caller's iovecs end with a newline) and:
 *
 *  - writes it at once when nothing is queued and the descriptor takes it;
 *  - queues what the descriptor did not take (EAGAIN, or the rest of a
 *    short write) in a bounded evbuffer, flushed by an EV_WRITE event that
 *    is armed only while the queue is not empty (no idle wake-ups);
 *  - drops the line and counts it when the queue is full, and writes
 *    "[supertree: N lines dropped]" once the queue has drained, as
 *    `logs -f` does for its followers.
 *
 * Lines stay whole: the rest of a partly written line always goes before
 * the next line. When a write fails after part of a line went out (a full
 * disk, RLIMIT_FSIZE, a reader that vanished), the next line starts with a
 * newline of its own, so it is never glued to the torn one (lastc is the
 * last byte that reached the descriptor).
 *
 * A descriptor that can block must be opened O_NONBLOCK by the caller; a
 * socket is written with MSG_DONTWAIT instead, which needs no flag on the
 * (possibly shared) open file description.
 *
 * stdout and stderr: changing O_NONBLOCK on them would change it for every
 * process sharing their open file description (the shell that started us,
 * workers with output = inherit), so a FIFO or a terminal is reopened
 * through /proc/self/fd as a new, non-blocking description of the same
 * pipe or device. If that fails (no /proc), the inherited descriptor is
 * used as it is. Regular files never block; sockets use MSG_DONTWAIT.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "proc.h"
#include "sink.h"
#include "xmalloc.h"

#define SINK_IOV	16

struct sink {
	struct event_base	*base;
	struct event		*ev;		/* EV_WRITE, armed while queued */
	struct evbuffer		*q;
	int			 fd;
	int			 owned;		/* we close fd */
	int			 sock;		/* use send(MSG_DONTWAIT) */
	size_t			 max;		/* queue bound in bytes */
	uint64_t		 dropped;	/* since the last note */
	uint64_t		 dropped_total;
	char			 lastc;		/* last byte written */
};

static ssize_t	sink_raw(struct sink *, const struct iovec *, int);
static ssize_t	sink_put(struct sink *, const struct iovec *, int);
static ssize_t	sink_queue(struct sink *, const struct iovec *, int,
		    size_t);
static void	sink_arm(struct sink *);
static int	sink_flush(struct sink *);
static void	sink_flush_cb(int, short, void *);
static void	sink_note(struct sink *);
static char	sink_byte_at(const struct iovec *, int, size_t);

/* Our stdout (1) and stderr (2); both may be the same sink. */
static struct sink	*sink_stdio[3];

struct sink *
sink_new(struct event_base *base, int fd, int owned, size_t max)
{
	struct sink	*sk;
	struct stat	 sb;

	sk = xcalloc(1, sizeof *sk);
	sk->base = base;
	sk->fd = fd;
	sk->owned = owned;
	sk->max = max;
	sk->lastc = '\n';
	sk->sock = fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode);
	if ((sk->q = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	return (sk);
}

void
sink_free(struct sink *sk)
{
	if (sk == NULL)
		return;
	/* One last try, never a wait: what is left is dropped. */
	if (evbuffer_get_length(sk->q) > 0)
		(void)sink_flush(sk);
	if (sk->ev != NULL)
		event_free(sk->ev);
	evbuffer_free(sk->q);
	if (sk->owned)
		close(sk->fd);
	free(sk);
}

int
sink_fd(const struct sink *sk)
{
	return (sk->fd);
}

uint64_t
sink_dropped_total(const struct sink *sk)
{
	return (sk->dropped_total);
}

static ssize_t
sink_raw(struct sink *sk, const struct iovec *iov, int n)
{
	struct msghdr	m;
	ssize_t		w;

	if (n > IOV_MAX)
		n = IOV_MAX;
	do {
		if (sk->sock) {
			memset(&m, 0, sizeof m);
			m.msg_iov = (struct iovec *)iov;
			m.msg_iovlen = n;
			w = sendmsg(sk->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else
			w = writev(sk->fd, iov, n);
	} while (w == -1 && errno == EINTR);
	return (w);
}

/* The byte at offset off of the data described by iov. */
static char
sink_byte_at(const struct iovec *iov, int n, size_t off)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (off < iov[i].iov_len)
			return (((const char *)iov[i].iov_base)[off]);
		off -= iov[i].iov_len;
	}
	return ('\n');
}

/*
 * Write one line (iov ends with a newline). Returns the bytes that reached
 * the descriptor now (0 when queued or dropped), or -1 with errno when it
 * failed (the rest of the line is then lost, and the next line will start
 * on a fresh line).
 */
ssize_t
sink_writev(struct sink *sk, const struct iovec *iov, int n)
{
	size_t	total = 0;
	int	i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (evbuffer_get_length(sk->q) == 0 && sk->dropped > 0)
		sink_note(sk);
	if (evbuffer_get_length(sk->q) > 0)
		return (sink_queue(sk, iov, n, total));
	return (sink_put(sk, iov, n));
}

/* Nothing is queued: try the descriptor, and queue what it did not take. */
static ssize_t
sink_put(struct sink *sk, const struct iovec *iov, int n)
{
	struct iovec	v[SINK_IOV + 1];
	size_t		total = 0, done = 0;
	ssize_t		w;
	int		k = 0, i;

	if (n > SINK_IOV)
		n = SINK_IOV;
	/* After a torn line, start a fresh one. */
	if (sk->lastc != '\n')
		v[k++] = (struct iovec){ "\n", 1 };
	for (i = 0; i < n; i++)
		v[k++] = iov[i];
	for (i = 0; i < k; i++)
		total += v[i].iov_len;
	w = sink_raw(sk, v, k);
	if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return (sink_queue(sk, v, k, total));
	if (w == -1)
		return (-1);
	while (w > 0) {
		sk->lastc = sink_byte_at(v, k, done + w - 1);
		done += w;
		if (done == total)
			return (done);
		/* A short write: go on with the rest of the line. */
		while (k > 0 && (size_t)w >= v[0].iov_len) {
			w -= v[0].iov_len;
			memmove(v, v + 1, --k * sizeof *v);
		}
		v[0].iov_base = (char *)v[0].iov_base + w;
		v[0].iov_len -= w;
		w = sink_raw(sk, v, k);
	}
	if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* The rest of a started line is always queued, whole. */
		for (i = 0; i < k; i++)
			evbuffer_add(sk->q, v[i].iov_base, v[i].iov_len);
		sink_arm(sk);
		return (done);
	}
	return (-1);
}

static ssize_t
sink_queue(struct sink *sk, const struct iovec *iov, int n, size_t total)
{
	int	i;

	if (evbuffer_get_length(sk->q) + total > sk->max) {
		sk->dropped++;
		sk->dropped_total++;
		return (0);
	}
	for (i = 0; i < n; i++)
		evbuffer_add(sk->q, iov[i].iov_base, iov[i].iov_len);
	sink_arm(sk);
	return (0);
}

static void
sink_arm(struct sink *sk)
{
	if (sk->base == NULL)
		return;
	if (sk->ev == NULL)
		sk->ev = event_new(sk->base, sk->fd, EV_WRITE | EV_PERSIST,
		    sink_flush_cb, sk);
	if (!event_pending(sk->ev, EV_WRITE, NULL))
		event_add(sk->ev, NULL);
}

/*
 * Write what is queued until the descriptor stops taking it. Returns 1 if
 * something is still queued, 0 if the queue is empty (then a pending note
 * of dropped lines is written).
 */
static int
sink_flush(struct sink *sk)
{
	struct evbuffer_iovec	 vec[SINK_IOV];
	struct iovec		 iov[SINK_IOV];
	ssize_t			 w;
	int			 n, i;

	while (evbuffer_get_length(sk->q) > 0) {
		n = evbuffer_peek(sk->q, -1, NULL, vec, SINK_IOV);
		if (n > SINK_IOV)
			n = SINK_IOV;
		for (i = 0; i < n; i++)
			iov[i] = (struct iovec){ vec[i].iov_base,
			    vec[i].iov_len };
		w = sink_raw(sk, iov, n);
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (1);
		if (w <= 0) {
			/* The reader is gone for good: drop what is queued. */
			evbuffer_drain(sk->q, evbuffer_get_length(sk->q));
			break;
		}
		sk->lastc = sink_byte_at(iov, n, w - 1);
		evbuffer_drain(sk->q, w);
	}
	if (sk->ev != NULL)
		event_del(sk->ev);
	if (sk->dropped > 0)
		sink_note(sk);
	return (evbuffer_get_length(sk->q) > 0);
}

static void
sink_flush_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)sink_flush(arg);
}

/* Say how many lines were dropped, in the stream itself. */
static void
sink_note(struct sink *sk)
{
	struct iovec	iov;
	char		note[64];
	int		n;

	n = snprintf(note, sizeof note, "[supertree: %llu lines dropped]\n",
	    (unsigned long long)sk->dropped);
	sk->dropped = 0;
	iov = (struct iovec){ note, n };
	(void)sink_put(sk, &iov, 1);
}

/*
 * A new non-blocking open file description of the FIFO, pipe or terminal
 * on fd, or -1.
 */
static int
sink_reopen(int fd, const struct stat *sb)
{
	struct stat	nsb;
	char		path[64];
	int		nfd;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (nfd == -1)
		return (-1);
	if (fstat(nfd, &nsb) == -1 || nsb.st_dev != sb->st_dev ||
	    nsb.st_ino != sb->st_ino) {
		close(nfd);
		return (-1);
	}
	return (nfd);
}

/*
 * Set up our stdout and stderr as sinks on base. Until this is called
 * (and after sink_stdio_finish) sink_stdio_writev() writes directly: that
 * is what the short-lived client commands want.
 */
void
sink_stdio_init(struct event_base *base)
{
	struct stat	sb, sb1 = { 0 };
	int		fd, nfd, have1 = 0;

	for (fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fstat(fd, &sb) == -1)
			continue;
		/* 2>&1: one sink, so the lines keep their order. */
		if (fd == STDERR_FILENO && have1 && sb.st_dev == sb1.st_dev &&
		    sb.st_ino == sb1.st_ino && sb.st_rdev == sb1.st_rdev) {
			sink_stdio[fd] = sink_stdio[STDOUT_FILENO];
			continue;
		}
		if (fd == STDOUT_FILENO) {
			sb1 = sb;
			have1 = 1;
		}
		nfd = -1;
		if (S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode))
			nfd = sink_reopen(fd, &sb);
		if (nfd != -1)
			sink_stdio[fd] = sink_new(base, nfd, 1, SINK_STDIO_MAX);
		else
			sink_stdio[fd] = sink_new(base, fd, 0, SINK_STDIO_MAX);
	}
}

/*
 * Before exit: give what is queued up to timeout_ms to drain, then drop
 * it. Never longer: a reader that stopped reading must not keep a
 * supervisor from ending.
 */
void
sink_stdio_finish(int timeout_ms)
{
	struct pollfd	pfd;
	struct sink	*sk;
	int64_t		deadline = proc_mono_ms() + timeout_ms, left;
	int		fd;

	for (fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		if ((sk = sink_stdio[fd]) == NULL)
			continue;
		while (sink_flush(sk) &&
		    (left = deadline - proc_mono_ms()) > 0) {
			pfd = (struct pollfd){ sk->fd, POLLOUT, 0 };
			if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
				break;
		}
	}
	sk = sink_stdio[STDOUT_FILENO];
	if (sink_stdio[STDERR_FILENO] != sk)
		sink_free(sink_stdio[STDERR_FILENO]);
	sink_free(sk);
	sink_stdio[STDOUT_FILENO] = sink_stdio[STDERR_FILENO] = NULL;
}

ssize_t
sink_stdio_writev(int fd, const struct iovec *iov, int n)
{
	if (fd < 0 || fd > STDERR_FILENO || sink_stdio[fd] == NULL)
		return (writev(fd, iov, n));
	return (sink_writev(sink_stdio[fd], iov, n));
}

ssize_t
sink_stdio_write(int fd, const void *buf, size_t len)
{
	struct iovec	iov = { (void *)buf, len };

	return (sink_stdio_writev(fd, &iov, 1));
}
