/*
 * ready.c: how a supervisor learns that a worker is ready.
 *
 * fd:N	  s6-style: the worker gets the write end of a pipe as fd N and is
 *	  ready when it writes a newline to it.
 * notify systemd-style: the worker gets NOTIFY_SOCKET, an abstract unix
 *	  datagram socket of its own; READY=1, STATUS=..., STOPPING=1 and
 *	  MAINPID= are accepted only from processes of the worker's process
 *	  group, checked with the kernel's SCM_CREDENTIALS (not what the
 *	  sender claims). A worker with a watchdog gets the socket too
 *	  (whatever its ready), with WATCHDOG_USEC and WATCHDOG_PID; its
 *	  WATCHDOG=1 and WATCHDOG=trigger go to health.c, EXTEND_TIMEOUT_USEC
 *	  and RELOADING=1 to its lifecycle, and a message we do not know is
 *	  said once (per key and slot), never dropped in silence.
 * tcp:	  ready when a connect to HOST:PORT succeeds; retried every
 *	  READY_RETRY_MS while starting.
 * exec:  ready when the probe command exits 0; run again every
 *	  READY_RETRY_MS; a probe is killed after READY_PROBE_MS.
 *
 * All of it ends when the worker is ready or gone; start_timeout (in
 * sv.c) bounds the whole wait. The retries only happen while a worker is
 * starting, so an idle tree still makes no wake-ups.
 *
 * What ready needs of the slot it serves (its node, its leader, where to
 * say things) comes through struct ready_host: ready does not know the
 * supervisor (svready.c is the supervisor's side).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "proc.h"
#include "ready.h"
#include "spawn.h"
#include "tree.h"
#include "xmalloc.h"

#define READY_RETRY_MS	100
#define READY_PROBE_MS	5000
#define READY_NUNKNOWN	8	/* unknown notification keys said once */

struct ready {
	struct event_base	*base;
	const struct ready_host	*host;
	void		*arg;		/* the slot, for host */
	int		 fd;		/* pipe read end */
	int		 wfd;		/* pipe write end, during spawn */
	struct event	*ev;		/* on fd, connfd or probefd */
	int		 nfd;		/* notify socket, while it runs */
	struct event	*nev;
	char		 unknown[READY_NUNKNOWN][24]; /* keys said once */
	int		 nunknown;
	struct event	*timer;
	int		 connfd;	/* tcp: connect in progress */
	pid_t		 probe;		/* exec: running probe */
	int		 probefd;
	int		 probe_killed;
	char		 name[108];
};

static void	ready_read_cb(int, short, void *);
static void	ready_notify_cb(int, short, void *);
static void	ready_timer_cb(int, short, void *);
static void	ready_conn_cb(int, short, void *);
static void	ready_probe_cb(int, short, void *);
static void	ready_retry(struct ready *);
static void	ready_ok(struct ready *);
static void	ready_close(struct ready *);
static int	ready_socket(struct ready *, char **);
static void	ready_unknown(struct ready *, const char *);
static void	ready_event(struct ready *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const struct tree_node *ready_node(struct ready *);
static pid_t	ready_leader(struct ready *);
static int	ready_owned(struct ready *);

struct ready *
ready_new(struct event_base *base, const struct ready_host *host, void *arg)
{
	struct ready	*r;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->host = host;
	r->arg = arg;
	r->fd = r->wfd = r->connfd = r->probefd = r->nfd = -1;
	r->timer = evtimer_new(base, ready_timer_cb, r);
	return (r);
}

static const struct tree_node *
ready_node(struct ready *r)
{
	return (r->host->node(r->arg, NULL));
}

static pid_t
ready_leader(struct ready *r)
{
	return (r->host->leader(r->arg));
}

/* An event line about the worker. */
static void
ready_event(struct ready *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	r->host->event(r->arg, s);
	free(s);
}

void
ready_free(struct ready *r)
{
	if (r == NULL)
		return;
	ready_stop(r);
	/*
	 * A probe still running was just sent SIGKILL, but its slot goes
	 * away with us (a reload retired it): forget it, so that the sweep
	 * reaps it as a stray instead of handing it to a freed slot.
	 */
	if (r->probe > 0) {
		r->host->probe_pid(r->arg, r->probe, 0);
		close(r->probefd);
	}
	event_free(r->timer);
	free(r);
}

/*
 * Before the spawn: the pipe or the socket the worker will use, and the
 * variables that name them (env: READY_NENV slots, NULL-terminated, each
 * allocated; WATCHDOG_PID= has room for the pid, written by spawn.c).
 */
int
ready_prepare(struct ready *r, struct spawn_fd *fds, int *nfds, char **env,
    char **cause)
{
	const struct tree_node	*n = ready_node(r);
	int			 p[2], k = 0;

	env[0] = NULL;
	ready_stop(r);
	r->nunknown = 0;
	if (n->ready == TREE_READY_FD) {
		if (pipe2(p, O_CLOEXEC) == -1) {
			xasprintf(cause, "readiness pipe: %s", strerror(errno));
			return (-1);
		}
		proc_set_nonblock(p[0]);
		r->fd = p[0];
		r->wfd = p[1];
		fds[(*nfds)++] = (struct spawn_fd){ p[1], n->ready_fd };
	}
	if (n->ready != TREE_READY_NOTIFY && n->watchdog_ms == 0)
		return (0);
	if (ready_socket(r, cause) == -1) {
		ready_stop(r);
		return (-1);
	}
	xasprintf(&env[k++], "NOTIFY_SOCKET=%s", r->name);
	if (n->watchdog_ms > 0) {
		xasprintf(&env[k++], "WATCHDOG_USEC=%lld",
		    (long long)n->watchdog_ms * 1000);
		env[k] = xcalloc(1, sizeof "WATCHDOG_PID=" + 12);
		strcpy(env[k++], "WATCHDOG_PID=");
	}
	env[k] = NULL;
	return (0);
}

/* The worker's own notify socket, abstract, with its credentials passed. */
static int
ready_socket(struct ready *r, char **cause)
{
	struct sockaddr_un	 sa;
	static unsigned		 serial;
	int			 one = 1;
	socklen_t		 len;
	int			 id;

	(void)r->host->node(r->arg, &id);
	r->nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->nfd == -1) {
		xasprintf(cause, "notify socket: %s", strerror(errno));
		return (-1);
	}
	setsockopt(r->nfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(r->name, sizeof r->name, "@supertree/%d/%d/%u",
	    (int)getpid(), id, serial++);
	memcpy(sa.sun_path, r->name, strlen(r->name));
	sa.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(r->name);
	if (bind(r->nfd, (struct sockaddr *)&sa, len) == -1) {
		xasprintf(cause, "notify socket: %s", strerror(errno));
		close(r->nfd);
		r->nfd = -1;
		return (-1);
	}
	return (0);
}

/* After the spawn (ok: exec succeeded): start listening or probing. */
void
ready_started(struct ready *r, int ok)
{
	if (r->wfd != -1) {
		close(r->wfd);
		r->wfd = -1;
	}
	if (!ok) {
		ready_stop(r);
		return;
	}
	if (r->nfd != -1) {
		r->nev = event_new(r->base, r->nfd, EV_READ | EV_PERSIST,
		    ready_notify_cb, r);
		event_add(r->nev, NULL);
	}
	switch (ready_node(r)->ready) {
	case TREE_READY_FD:
		r->ev = event_new(r->base, r->fd, EV_READ | EV_PERSIST,
		    ready_read_cb, r);
		event_add(r->ev, NULL);
		break;
	case TREE_READY_TCP:
	case TREE_READY_PROBE:
		ready_timer_cb(-1, 0, r);
		break;
	default:
		break;
	}
}

/*
 * The worker is ready or gone: stop listening, probing and retrying. The
 * notify socket stays open while the worker runs, for STATUS= updates.
 */
static void
ready_quiet(struct ready *r)
{
	evtimer_del(r->timer);
	if (r->connfd != -1) {
		event_free(r->ev);
		r->ev = NULL;
		close(r->connfd);
		r->connfd = -1;
	}
	if (r->probe > 0) {
		r->probe_killed = 1;
		kill(r->probe, SIGKILL);
	}
}

/* The readiness channel (fd: and tcp:) and its probe go. */
static void
ready_close(struct ready *r)
{
	ready_quiet(r);
	if (r->ev != NULL) {
		event_free(r->ev);
		r->ev = NULL;
	}
	if (r->fd != -1) {
		close(r->fd);
		r->fd = -1;
	}
}

void
ready_stop(struct ready *r)
{
	if (r == NULL)
		return;
	ready_close(r);
	if (r->wfd != -1) {
		close(r->wfd);
		r->wfd = -1;
	}
	if (r->nev != NULL) {
		event_free(r->nev);
		r->nev = NULL;
	}
	if (r->nfd != -1) {
		close(r->nfd);
		r->nfd = -1;
	}
}

/* Ready: all but the notify socket goes (STATUS=, WATCHDOG=1 go on). */
static void
ready_ok(struct ready *r)
{
	ready_close(r);
	r->host->ready(r->arg);
}

static void
ready_read_cb(int fd, short what, void *arg)
{
	struct ready	*r = arg;
	char		 buf[512];
	ssize_t		 n;

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && memchr(buf, '\n', n) != NULL) {
		ready_ok(r);
		return;
	}
	if (n <= 0) {
		/* Closed without a newline: it will never say it. */
		event_free(r->ev);
		r->ev = NULL;
		close(r->fd);
		r->fd = -1;
	}
}

/*
 * Is the sender one of the worker's processes (its process group)? A
 * sender that has exited already (systemd-notify from a shell script)
 * can no longer be looked up: then the kernel-checked uid must be the
 * worker's.
 */
static int
ready_from_worker(struct ready *r, const struct ucred *cred)
{
	const struct tree_node	*n = ready_node(r);
	pid_t			 leader = ready_leader(r), pg;
	uid_t			 uid = n->user != NULL ? n->uid : getuid();

	if (leader == 0)
		return (0);
	if (cred->pid == leader)
		return (1);
	pg = getpgid(cred->pid);
	if (pg == -1 && errno == ESRCH)
		return (cred->uid == uid);
	return (pg == leader);
}

static void
ready_notify_line(struct ready *r, const char *line)
{
	const struct ready_host	*h = r->host;
	long long		 v;
	char			*end;

	if (strcmp(line, "READY=1") == 0) {
		if (ready_node(r)->ready == TREE_READY_NOTIFY &&
		    !h->is_ready(r->arg))
			ready_ok(r);
		else if (h->reloading(r->arg)) {
			ready_event(r, "reloaded");
			h->said(r->arg, READY_SAID_RELOADED, 0, NULL);
		}
	} else if (strncmp(line, "STATUS=", 7) == 0)
		h->said(r->arg, READY_SAID_STATUS, 0, line + 7);
	else if (strcmp(line, "STOPPING=1") == 0)
		ready_event(r, "says it is stopping");
	else if (strncmp(line, "MAINPID=", 8) == 0)
		ready_event(r, "MAINPID=%s noted (the leader stays "
		    "the main process)", line + 8);
	else if (strcmp(line, "WATCHDOG=1") == 0)
		h->said(r->arg, READY_SAID_KEEPALIVE, 0, NULL);
	else if (strcmp(line, "WATCHDOG=trigger") == 0)
		h->said(r->arg, READY_SAID_TRIGGER, 0, NULL);
	else if (strcmp(line, "RELOADING=1") == 0) {
		ready_event(r, "reloading");
		h->said(r->arg, READY_SAID_RELOADING, 0, NULL);
	} else if (strncmp(line, "EXTEND_TIMEOUT_USEC=", 20) == 0) {
		v = strtoll(line + 20, &end, 10);
		if (*end == '\0' && end != line + 20 && v > 0)
			h->said(r->arg, READY_SAID_EXTEND, (v + 999) / 1000,
			    NULL);
	} else if (strncmp(line, "WATCHDOG_USEC=", 14) == 0) {
		v = strtoll(line + 14, &end, 10);
		if (*end == '\0' && end != line + 14 && v > 0)
			h->said(r->arg, READY_SAID_WATCHDOG, (v + 999) / 1000,
			    NULL);
	} else if (strcmp(line, "BARRIER=1") == 0) {
		/* Its pipe came with it and is closed: the barrier is passed. */
	} else if (strncmp(line, "ERRNO=", 6) == 0) {
		v = strtoll(line + 6, &end, 10);
		ready_event(r, "says ERRNO=%s%s%s", line + 6,
		    *end == '\0' && v > 0 && v < 4096 ? ": " : "",
		    *end == '\0' && v > 0 && v < 4096 ? strerror((int)v) : "");
	} else
		ready_unknown(r, line);
}

/* A notification we do not handle: said once per key, never dropped. */
static void
ready_unknown(struct ready *r, const char *line)
{
	char	key[24];
	size_t	n = strcspn(line, "=");
	int	i;

	snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n :
	    sizeof key - 1), line);
	for (i = 0; i < r->nunknown; i++) {
		if (strcmp(r->unknown[i], key) == 0)
			return;
	}
	if (r->nunknown < READY_NUNKNOWN)
		snprintf(r->unknown[r->nunknown++], sizeof r->unknown[0], "%s",
		    key);
	ready_event(r, "ignored notification '%.*s' (not supported; "
	    "said once)", (int)strcspn(line, "\n"), line);
}

static void
ready_notify_cb(int fd, short what, void *arg)
{
	struct ready	*r = arg;
	char		 buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	struct ucred	*cred = NULL;
	char		*line, *save;
	ssize_t		 n;
	int		 i;

	(void)what;
	for (i = 0; i < 16; i++) {
		memset(&mh, 0, sizeof mh);
		iov.iov_base = buf;
		iov.iov_len = sizeof buf - 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1)
			return;
		buf[n] = '\0';
		cred = NULL;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS)
				cred = (struct ucred *)CMSG_DATA(cm);
			else if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_RIGHTS) {
				/* Descriptors sent to us: close them. */
				int *fds = (int *)CMSG_DATA(cm);
				size_t k, nfd = (cm->cmsg_len - CMSG_LEN(0)) /
				    sizeof(int);
				for (k = 0; k < nfd; k++)
					close(fds[k]);
			}
		}
		if (cred == NULL || !ready_from_worker(r, cred)) {
			ready_event(r, "ignored a notification "
			    "from pid %d, not one of its processes",
			    cred != NULL ? (int)cred->pid : -1);
			continue;
		}
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			ready_notify_line(r, line);
			/* A line may have stopped the worker, or freed us. */
			if (r->nfd == -1 || ready_leader(r) == 0)
				return;
		}
	}
}

static void
ready_retry(struct ready *r)
{
	struct timeval	tv = { 0, READY_RETRY_MS * 1000 };

	if (ready_leader(r) == 0)
		return;
	evtimer_add(r->timer, &tv);
}

static void
ready_tcp(struct ready *r)
{
	const struct tree_node	*n = ready_node(r);
	char			*msg;
	int			 fd, done;

	fd = proc_tcp_connect(n->ready_host, n->ready_port, &done);
	if (fd == -2) {
		if (strncmp(r->host->error(r->arg), "ready: ", 7) != 0) {
			xasprintf(&msg, "ready: tcp:%s: not a numeric address",
			    n->ready_host);
			r->host->set_error(r->arg, msg);
			free(msg);
			r->host->event(r->arg, r->host->error(r->arg));
			r->host->report(r->arg);
		}
		ready_retry(r);
		return;
	}
	if (fd == -1) {
		ready_retry(r);
		return;
	}
	if (done) {
		close(fd);
		if (ready_owned(r))
			ready_ok(r);
		else
			ready_retry(r);
		return;
	}
	r->connfd = fd;
	r->ev = event_new(r->base, fd, EV_WRITE, ready_conn_cb, r);
	event_add(r->ev, NULL);
}

static void
ready_conn_cb(int fd, short what, void *arg)
{
	struct ready	*r = arg;
	int		 err = 0;
	socklen_t	 len = sizeof err;

	(void)what;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	event_free(r->ev);
	r->ev = NULL;
	close(r->connfd);
	r->connfd = -1;
	/* A sibling's socket (SO_REUSEPORT) is not ours: ready_tcp.c. */
	if (err == 0 && ready_owned(r))
		ready_ok(r);
	else
		ready_retry(r);
}

static void
ready_probe(struct ready *r)
{
	const struct tree_node	*n = ready_node(r);
	struct spawn_req	 req;
	struct spawn_fd		 fds[3];
	struct timeval		 tv = { READY_PROBE_MS / 1000, 0 };
	char			*cause = NULL, *msg;
	int			 devnull, rv;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		ready_retry(r);
		return;
	}
	fds[0] = (struct spawn_fd){ devnull, 0 };
	fds[1] = (struct spawn_fd){ devnull, 1 };
	fds[2] = (struct spawn_fd){ devnull, 2 };
	/* It sees what the worker sees (not our NOTIFY_SOCKET). */
	r->host->probe_req(r->arg, &req);
	req.argv = n->ready_argv;
	req.fds = fds;
	req.nfds = 3;
	rv = spawn(&req, &r->probe, &r->probefd, &cause);
	free(req.envp);
	if (rv == -1) {
		if (strncmp(r->host->error(r->arg), "ready probe: ", 13) != 0)
			ready_event(r, "ready probe: %s", cause);
		xasprintf(&msg, "ready probe: %s", cause);
		r->host->set_error(r->arg, msg);
		free(msg);
		r->host->report(r->arg);
		free(cause);
		close(devnull);
		ready_retry(r);
		return;
	}
	close(devnull);
	r->probe_killed = 0;
	r->host->probe_pid(r->arg, r->probe, 1);
	r->ev = event_new(r->base, r->probefd, EV_READ, ready_probe_cb, r);
	event_add(r->ev, NULL);
	evtimer_add(r->timer, &tv);
}

pid_t
ready_probe_pid(struct ready *r)
{
	return (r == NULL ? 0 : r->probe);
}

/* The probe ended: ready on exit 0, else try again a little later. */
int
ready_probe_reap(struct ready *r)
{
	siginfo_t	si;
	int		ok;

	memset(&si, 0, sizeof si);
	if (r->probe == 0 || waitid(P_PIDFD, r->probefd, &si,
	    WEXITED | WNOHANG) == -1 || si.si_pid == 0)
		return (0);
	r->host->probe_pid(r->arg, r->probe, 0);
	r->probe = 0;
	if (r->ev != NULL) {
		event_free(r->ev);
		r->ev = NULL;
	}
	close(r->probefd);
	r->probefd = -1;
	evtimer_del(r->timer);
	ok = si.si_code == CLD_EXITED && si.si_status == 0;
	if (r->probe_killed || ready_leader(r) == 0)
		return (1);
	if (ok)
		ready_ok(r);
	else
		ready_retry(r);
	return (1);
}

static void
ready_probe_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)ready_probe_reap(arg);
}

static void
ready_timer_cb(int fd, short what, void *arg)
{
	struct ready	*r = arg;

	(void)fd;
	(void)what;
	if (ready_leader(r) == 0)
		return;
	if (r->probe > 0) {
		/* The probe itself hangs: kill it; its end retries. */
		kill(r->probe, SIGKILL);
		return;
	}
	if (ready_node(r)->ready == TREE_READY_TCP)
		ready_tcp(r);
	else if (ready_node(r)->ready == TREE_READY_PROBE)
		ready_probe(r);
}

/*
 * Whether a connect that succeeded makes the worker ready: always, but
 * for a worker sharing its ready address with a sibling (ready_tcp.c).
 */
static int
ready_owned(struct ready *r)
{
	pid_t	leader = ready_leader(r);

	if (leader == 0)
		return (1);
	return (ready_tcp_owned(leader, ready_node(r)->ready_port,
	    r->host->shares_port(r->arg)));
}
