/*
 * ctl.c: the control socket of a running tree.
 *
 * The top process of `supertree run` listens on a unix stream socket in a
 * private directory (0700, owned by the user). A client connects, sends
 * one MSG_REQUEST frame (its argv), and gets MSG_OUT / MSG_ERR frames and
 * finally MSG_EXIT, as a tmux client does: every command runs here, in
 * the process that holds the tree's state, and the client only prints.
 *
 * Hostile or broken clients cannot hurt the tree: peers of another uid
 * (other than root) are refused at accept; a client has a few seconds to
 * send its request; a bad frame gets an error frame and a close; a client
 * whose unread output passes CTL_OUT_MAX is dropped; at most CTL_MAX
 * clients are served at once and, when accept(2) runs out of descriptors,
 * accepting pauses for a moment instead of spinning.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "log.h"
#include "msg.h"
#include "peer.h"
#include "proc.h"
#include "xmalloc.h"

#define CTL_MAX		512
#define CTL_REQ_MS	5000
#define CTL_OUT_MAX	(16 * 1024 * 1024)

struct ctl_client {
	struct ctl		*ctl;
	struct peer		*peer;
	uint32_t		 flags;
	int			 requested;
	int			 closing;
	void			*data;
	ctl_gone_cb		 gone;
	TAILQ_ENTRY(ctl_client) entry;
};

struct ctl {
	struct event_base	*base;
	char			*path;
	int			 fd;
	struct event		*ev;
	struct event		*ev_pause;
	ctl_request_cb		 cb;
	void			*arg;
	TAILQ_HEAD(, ctl_client) clients;
	int			 nclients;
};

static void	ctl_accept_cb(int, short, void *);
static void	ctl_resume_cb(int, short, void *);
static void	ctl_dispatch(struct peer *, uint16_t, const uint8_t *, size_t,
		    void *);
static void	ctl_lost(struct peer *, const char *, void *);
static void	ctl_running_cause(const char *, char **);

char *
ctl_socket_dir(void)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	char		*dir;

	if (xdg != NULL && *xdg == '/')
		xasprintf(&dir, "%s/supertree", xdg);
	else
		xasprintf(&dir, "/tmp/supertree-%u", (unsigned)getuid());
	return (dir);
}

/* -S, else $SUPERTREE_SOCKET, else the spec's socket, else the default. */
char *
ctl_socket_path(const char *opt, const char *spec_socket, const char *name)
{
	const char	*env = getenv("SUPERTREE_SOCKET");
	char		*dir, *path;

	if (opt != NULL)
		return (xstrdup(opt));
	if (env != NULL && *env != '\0')
		return (xstrdup(env));
	if (spec_socket != NULL)
		return (xstrdup(spec_socket));
	dir = ctl_socket_dir();
	xasprintf(&path, "%s/%s.sock", dir, name);
	free(dir);
	return (path);
}

/* The directory part of a socket path: "." or "/" when it has none. */
static char *
ctl_dirname(const char *path)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL)
		return (xstrdup("."));
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, slash - path));
}

/*
 * "already running": with the command that stops that tree. A socket of
 * the default directory is the tree's name with ".sock"; any other is
 * named by its path with -S.
 */
static void
ctl_running_cause(const char *path, char **cause)
{
	char		*dir = ctl_socket_dir(), *name = NULL;
	size_t		 dlen = strlen(dir), plen = strlen(path);

	if (strncmp(path, dir, dlen) == 0 && path[dlen] == '/' &&
	    strchr(path + dlen + 1, '/') == NULL && plen > dlen + 6 &&
	    strcmp(path + plen - 5, ".sock") == 0)
		name = xstrndup(path + dlen + 1, plen - dlen - 6);
	if (name != NULL)
		xasprintf(cause, "%s: tree %s is already running on this "
		    "socket (stop it with 'supertree shutdown %s', or run "
		    "this one on another socket with -S)", path, name, name);
	else
		xasprintf(cause, "%s: a tree is already running on this "
		    "socket (stop it with 'supertree -S %s shutdown', or run "
		    "this one on another socket with -S)", path, path);
	free(name);
	free(dir);
}

/*
 * The rule for a socket's directory, on both sides: a directory (not a
 * link to one), ours or root's (such as /run), and not writable by group
 * or others unless sticky (as /tmp: there nobody can replace another
 * user's entry). Otherwise someone else could put their socket in place
 * of the tree's. A directory that does not exist passes (nothing can
 * answer there).
 */
int
ctl_trust_dir(const char *dir, char **cause)
{
	struct stat	sb;

	if (lstat(dir, &sb) == -1) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: not a directory", dir);
		return (-1);
	}
	if (sb.st_uid != getuid() && sb.st_uid != 0) {
		xasprintf(cause, "%s: owned by uid %u, not by you (uid %u): "
		    "remove it or choose another socket with -S", dir,
		    (unsigned)sb.st_uid, (unsigned)getuid());
		return (-1);
	}
	if ((sb.st_mode & 022) != 0 && (sb.st_mode & S_ISVTX) == 0) {
		xasprintf(cause, "%s: writable by others (mode %03o): "
		    "chmod 700 it", dir, (unsigned)(sb.st_mode & 0777));
		return (-1);
	}
	return (0);
}

/* The directory of a socket: created 0700 if missing, then checked. */
int
ctl_check_dir(const char *path, char **cause)
{
	char	*dir;
	int	 rv;

	dir = ctl_dirname(path);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: cannot create: %s", dir, strerror(errno));
		free(dir);
		return (-1);
	}
	rv = ctl_trust_dir(dir, cause);
	free(dir);
	return (rv);
}

static int
ctl_sockaddr(const char *path, struct sockaddr_un *sa, char **cause)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		xasprintf(cause, "%s: socket path too long (the limit is %zu)",
		    path, sizeof sa->sun_path - 1);
		return (-1);
	}
	strcpy(sa->sun_path, path);
	return (0);
}

int
ctl_connect(const char *path, char **cause)
{
	struct sockaddr_un	sa;
	int			fd;

	if (ctl_sockaddr(path, &sa, cause) == -1)
		return (-1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * The client's connect: nothing is sent to a tree it has not
 * authenticated. The socket's directory must pass ctl_trust_dir, and the
 * process listening must be ours or root's (SO_PEERCRED gives the
 * credentials it had when it called listen(2), which it cannot fake).
 * timeout_ms (0: none) bounds the connect, which blocks while a frozen
 * tree's listen backlog is full. On failure, *err says why:
 * CTL_ENOTREE (nothing answers), CTL_ESOCKET (not to be trusted) or
 * CTL_ETIMEOUT.
 */
int
ctl_dial(const char *path, int64_t timeout_ms, enum ctl_err *err, char **cause)
{
	struct sockaddr_un	sa;
	struct ucred		cred;
	struct timeval		tv;
	socklen_t		len = sizeof cred;
	char			*dir, *why = NULL;
	int			fd;

	*err = CTL_ENOTREE;
	if (ctl_sockaddr(path, &sa, cause) == -1)
		return (-1);
	dir = ctl_dirname(path);
	if (ctl_trust_dir(dir, &why) == -1) {
		xasprintf(cause, "%s: refusing to connect: %s", path, why);
		free(why);
		free(dir);
		*err = CTL_ESOCKET;
		return (-1);
	}
	free(dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	/* A unix connect waits for room in the backlog up to SO_SNDTIMEO. */
	if (timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		if (errno == EAGAIN || errno == EINPROGRESS) {
			*err = CTL_ETIMEOUT;
			xasprintf(cause, "%s: the tree did not accept the "
			    "connection in time (is it stopped?)", path);
		} else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		xasprintf(cause, "%s: SO_PEERCRED: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (cred.uid != getuid() && cred.uid != 0) {
		xasprintf(cause, "%s: refusing to talk to it: it is served by "
		    "uid %u (pid %ld), not by you (uid %u) or root", path,
		    (unsigned)cred.uid, (long)cred.pid, (unsigned)getuid());
		close(fd);
		*err = CTL_ESOCKET;
		return (-1);
	}
	return (fd);
}

struct ctl *
ctl_listen(struct event_base *base, const char *path, ctl_request_cb cb,
    void *arg, enum ctl_err *err, char **cause)
{
	struct sockaddr_un	 sa;
	struct ctl		*ctl;
	struct stat		 sb;
	char			*why = NULL;
	int			 fd;
	mode_t			 old;

	*err = CTL_ESOCKET;
	/* The length first: a refused path leaves no directory behind. */
	if (ctl_sockaddr(path, &sa, cause) == -1 ||
	    ctl_check_dir(path, cause) == -1)
		return (NULL);
	/* A live tree answers; a stale socket refuses and is replaced. */
	if ((fd = ctl_connect(path, &why)) != -1) {
		close(fd);
		ctl_running_cause(path, cause);
		*err = CTL_ERUNNING;
		return (NULL);
	}
	free(why);
	/* Only a stale socket is replaced: never a file, link or directory. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s: exists and is not a socket: "
			    "refusing to replace it (remove it or choose "
			    "another socket with -S)", path);
			return (NULL);
		}
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (NULL);
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	umask(old);
	chmod(path, 0600);
	if (listen(fd, 128) == -1) {
		xasprintf(cause, "%s: listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (NULL);
	}
	ctl = xcalloc(1, sizeof *ctl);
	TAILQ_INIT(&ctl->clients);
	ctl->base = base;
	ctl->path = xstrdup(path);
	ctl->fd = fd;
	ctl->cb = cb;
	ctl->arg = arg;
	ctl->ev = event_new(base, fd, EV_READ | EV_PERSIST, ctl_accept_cb, ctl);
	ctl->ev_pause = evtimer_new(base, ctl_resume_cb, ctl);
	event_add(ctl->ev, NULL);
	return (ctl);
}

static void
ctl_client_free(struct ctl_client *cl)
{
	struct ctl	*ctl = cl->ctl;

	if (cl->gone != NULL)
		cl->gone(cl, cl->data);
	TAILQ_REMOVE(&ctl->clients, cl, entry);
	ctl->nclients--;
	peer_free(cl->peer);
	free(cl);
	if (ctl->nclients < CTL_MAX && !evtimer_pending(ctl->ev_pause, NULL))
		event_add(ctl->ev, NULL);
}

void
ctl_close(struct ctl *ctl)
{
	struct ctl_client	*cl;

	if (ctl == NULL)
		return;
	while ((cl = TAILQ_FIRST(&ctl->clients)) != NULL) {
		peer_flush_blocking(cl->peer);
		ctl_client_free(cl);
	}
	event_free(ctl->ev);
	event_free(ctl->ev_pause);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

void
ctl_foreach(struct ctl *ctl, void (*fn)(struct ctl_client *, void *),
    void *arg)
{
	struct ctl_client	*cl, *next;

	/* fn may end the client it is given. */
	for (cl = TAILQ_FIRST(&ctl->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (!cl->closing && cl->requested)
			fn(cl, arg);
	}
}

static void
ctl_resume_cb(int fd, short what, void *arg)
{
	struct ctl	*ctl = arg;

	(void)fd;
	(void)what;
	if (ctl->nclients < CTL_MAX)
		event_add(ctl->ev, NULL);
}

static void
ctl_accept_cb(int lfd, short what, void *arg)
{
	struct ctl		*ctl = arg;
	struct ctl_client	*cl;
	struct ucred		 cred;
	socklen_t		 len = sizeof cred;
	struct timeval		 tv = { 0, 200000 };
	int			 fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* Out of descriptors: pause rather than spin. */
			log_warn("control socket: accept");
			event_del(ctl->ev);
			evtimer_add(ctl->ev_pause, &tv);
		}
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		close(fd);
		return;
	}
	cl = xcalloc(1, sizeof *cl);
	cl->ctl = ctl;
	cl->peer = peer_new(ctl->base, fd, ctl_dispatch, ctl_lost, cl);
	peer_set_timeout(cl->peer, CTL_REQ_MS);
	TAILQ_INSERT_TAIL(&ctl->clients, cl, entry);
	if (++ctl->nclients >= CTL_MAX)
		event_del(ctl->ev);
}

static void
ctl_dispatch(struct peer *p, uint16_t type, const uint8_t *data, size_t len,
    void *arg)
{
	struct ctl_client	*cl = arg;
	struct msg_request	 rq;

	(void)p;
	if (type != MSG_REQUEST || cl->requested) {
		peer_send_error(cl->peer, "unexpected message");
		cl->closing = 1;
		peer_close_after_flush(cl->peer);
		return;
	}
	if (msg_unpack_request(data, len, &rq) == -1) {
		peer_send_error(cl->peer, "malformed request");
		cl->closing = 1;
		peer_close_after_flush(cl->peer);
		return;
	}
	cl->flags = rq.flags;
	cl->requested = 1;
	peer_set_timeout(cl->peer, 0);
	/* First of all: the client's proof that the tree is alive. */
	peer_send(cl->peer, MSG_ACCEPTED, NULL, 0);
	cl->ctl->cb(cl, rq.argc, rq.argv, cl->flags, cl->ctl->arg);
	msg_request_free(&rq);
}

static void
ctl_lost(struct peer *p, const char *cause, void *arg)
{
	(void)p;
	(void)cause;
	ctl_client_free(arg);
}

void
ctl_out(struct ctl_client *cl, const char *buf, size_t len)
{
	size_t	n;

	if (cl->closing)
		return;
	if (peer_pending(cl->peer) + len > CTL_OUT_MAX) {
		/* It stopped reading: drop it rather than grow. */
		cl->closing = 1;
		peer_close_after_flush(cl->peer);
		return;
	}
	while (len > 0) {
		n = len > 65536 ? 65536 : len;
		peer_send(cl->peer, MSG_OUT, buf, n);
		buf += n;
		len -= n;
	}
}

static void
ctl_vprintf(struct ctl_client *cl, int type, const char *fmt, va_list ap)
{
	char	*s;
	int	 n;

	if (cl->closing)
		return;
	if ((n = vasprintf(&s, fmt, ap)) == -1)
		fatal("vasprintf");
	if (type == MSG_OUT)
		ctl_out(cl, s, n);
	else
		peer_send(cl->peer, type, s, n);
	free(s);
}

void
ctl_printf(struct ctl_client *cl, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_vprintf(cl, MSG_OUT, fmt, ap);
	va_end(ap);
}

void
ctl_eprintf(struct ctl_client *cl, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_vprintf(cl, MSG_ERR, fmt, ap);
	va_end(ap);
}

void
ctl_exit(struct ctl_client *cl, int status)
{
	struct msg_buf	mb;

	if (cl->closing)
		return;
	msg_buf_init(&mb);
	msg_put_u32(&mb, (uint32_t)status);
	peer_send_buf(cl->peer, MSG_EXIT, &mb);
	cl->closing = 1;
	peer_close_after_flush(cl->peer);
}

void
ctl_set_data(struct ctl_client *cl, void *data, ctl_gone_cb gone)
{
	cl->data = data;
	cl->gone = gone;
}

void *
ctl_data(struct ctl_client *cl)
{
	return (cl->data);
}

uint32_t
ctl_flags(struct ctl_client *cl)
{
	return (cl->flags);
}

size_t
ctl_pending(struct ctl_client *cl)
{
	return (peer_pending(cl->peer));
}

int
ctl_closing(struct ctl_client *cl)
{
	return (cl->closing);
}
