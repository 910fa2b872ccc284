/*
 * health.c: a worker's liveness while it runs, and what a failure does.
 *
 * health = exec:CMD   the probe command, run as the worker runs (its user,
 *		       environment and directory, in a session of its own);
 *		       healthy on exit 0. At health_timeout the probe's
 *		       whole process group gets SIGKILL: a hung probe is a
 *		       failed probe, and leaves nothing behind.
 * health = tcp:	       healthy when a non-blocking connect succeeds.
 * health = http://    healthy on a status from 200 to 399 to a GET over a
 *		       non-blocking socket, read on the event loop.
 * Health checks begin health_grace after the worker is ready, then run
 * every health_interval; health_failures in a row make it unhealthy
 * (liveness.c counts and words them).
 *
 * watchdog	       the worker must send WATCHDOG=1 to its NOTIFY_SOCKET
 *		       (ready.c reads it) at least every watchdog; it is
 *		       armed at the spawn, as systemd's.
 * max_memory	       the resident memory of the worker's process group,
 *		       summed every health_interval from /proc.
 *
 * Unhealthy, a silent watchdog or memory over the ceiling all end the same
 * way: the event is said, and the lifecycle is fed FSM_EV_FAIL, which
 * stops the worker with its stop sequence (the watchdog's signal first)
 * and then handles its end as an abnormal exit (fsm.c).
 *
 * Costs: a worker without these keys has no struct health. A checked
 * worker has one timer, armed for the earliest of its deadlines; a
 * keep-alive only moves a deadline (the timer, when it fires early,
 * re-arms itself), so WATCHDOG=1 costs no system call beyond its read.
 * Nothing here walks the supervisor's children.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "health.h"
#include "liveness.h"
#include "log.h"
#include "proc.h"
#include "spawn.h"
#include "sv.h"
#include "value.h"
#include "xmalloc.h"

struct health {
	struct sv_child	*c;		/* opaque: svwork.c */
	struct event	*timer;		/* the one timer */
	int64_t		 armed;		/* its deadline; 0: not armed */
	struct liveness	 live;
	int		 on;		/* the worker runs: checks armed */
	int		 probing;	/* it is ready: health checks run */
	int64_t		 watchdog_ms;	/* WATCHDOG_USEC= may change it */

	/* Deadlines, monotonic ms; 0 for none. */
	int64_t		 wd_due;	/* the watchdog fires */
	int64_t		 check_due;	/* the next health check */
	int64_t		 mem_due;	/* the next memory check */
	int64_t		 probe_due;	/* the check in flight times out */

	/* The check in flight. */
	int		 busy;
	pid_t		 probe;		/* exec: unreaped */
	int		 probefd;
	int		 probe_killed;	/* killed: its end is no result */
	int		 timedout;	/* ... unless it timed out */
	int		 fd;		/* tcp, http: the socket */
	struct event	*ev;		/* on probefd or fd */
	int		 sent;		/* http: the request is sent */
	char		 rbuf[512];	/* http: the response so far */
	size_t		 rlen;
};

static void	health_off(struct health *);
static void	health_cancel(struct health *);
static void	health_arm(struct health *, int64_t);
static void	health_timer_cb(int, short, void *);
static void	health_probe(struct health *);
static void	health_exec(struct health *);
static void	health_connect(struct health *);
static void	health_sock_cb(int, short, void *);
static void	health_http_read(struct health *);
static void	health_probe_cb(int, short, void *);
static void	health_timeout(struct health *);
static void	health_result(struct health *, int, const char *);
static void	health_fail(struct health *, const char *, int);
static int	health_memory(struct health *);
static int64_t	health_rss(pid_t);

struct health *
health_new(struct sv_child *c)
{
	const struct tree_node	*n = sv_child_node(c);
	struct health		*h;

	if (n->kind != TREE_WORKER || (n->health == TREE_HEALTH_NONE &&
	    n->watchdog_ms == 0 && n->max_memory == 0))
		return (NULL);
	h = xcalloc(1, sizeof *h);
	h->c = c;
	h->fd = h->probefd = -1;
	h->timer = evtimer_new(sv_child_base(c), health_timer_cb, h);
	return (h);
}

void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	health_off(h);
	/*
	 * A probe killed just now goes with its slot (a reload retired it):
	 * forget it, so the sweep reaps it as a stray.
	 */
	if (h->probe > 0) {
		sv_child_probe(h->c, h->probe, 0);
		if (h->ev != NULL)
			event_free(h->ev);
		close(h->probefd);
	}
	event_free(h->timer);
	free(h);
}

/*
 * The lifecycle moved (sv.c calls this after every step): checks start
 * with a run (the watchdog and the memory ceiling at the spawn, health
 * checks once it is ready, after health_grace) and stop with it.
 */
void
health_follow(struct health *h, const struct fsm *f)
{
	const struct tree_node	*n;
	struct nstate		*st;
	int64_t			 now;

	if (h == NULL)
		return;
	if (f->state != FSM_STARTING && f->state != FSM_UP) {
		if (h->on)
			health_off(h);
		return;
	}
	n = sv_child_node(h->c);
	st = sv_child_state(h->c);
	now = proc_mono_ms();
	if (!h->on) {
		h->on = 1;
		liveness_reset(&h->live);
		h->watchdog_ms = n->watchdog_ms;
		h->wd_due = n->watchdog_ms > 0 ? now + n->watchdog_ms : 0;
		h->mem_due = n->max_memory > 0 ? now + n->health_interval_ms :
		    0;
		h->probing = 0;
		h->check_due = 0;
		if (n->health != TREE_HEALTH_NONE) {
			st->health = NSTATE_HEALTH_UNKNOWN;
			st->health_fails = 0;
			st->health_last[0] = '\0';
		}
	}
	if (f->state == FSM_UP && f->ready && !h->probing &&
	    n->health != TREE_HEALTH_NONE && !sv_child_closing(h->c)) {
		h->probing = 1;
		h->check_due = now + n->health_grace_ms;
	}
	health_arm(h, now);
}

/* The worker stopped running: no more checks, nothing left in flight. */
static void
health_off(struct health *h)
{
	health_cancel(h);
	evtimer_del(h->timer);
	h->armed = 0;
	h->on = h->probing = 0;
	h->wd_due = h->check_due = h->mem_due = 0;
}

/* Drop the check in flight (a probe gets SIGKILL; its reap is ignored). */
static void
health_cancel(struct health *h)
{
	if (h->probe > 0 && !h->probe_killed) {
		/* Unreaped: its pid, and so its group's id, is still ours. */
		killpg(h->probe, SIGKILL);
		h->probe_killed = 1;
	}
	if (h->fd != -1) {
		event_free(h->ev);
		h->ev = NULL;
		close(h->fd);
		h->fd = -1;
	}
	h->busy = h->probe > 0;
	h->probe_due = 0;
}

static int64_t
health_min(int64_t a, int64_t b)
{
	if (a == 0)
		return (b);
	if (b == 0)
		return (a);
	return (a < b ? a : b);
}

/* The one timer, for the earliest deadline. */
static void
health_arm(struct health *h, int64_t now)
{
	struct timeval	tv;
	int64_t		due = 0, ms;

	if (!h->on) {
		evtimer_del(h->timer);
		h->armed = 0;
		return;
	}
	due = health_min(due, h->wd_due);
	due = health_min(due, h->mem_due);
	if (h->probing && !h->busy)
		due = health_min(due, h->check_due);
	if (h->busy)
		due = health_min(due, h->probe_due);
	if (due == h->armed)
		return;
	h->armed = due;
	if (due == 0) {
		evtimer_del(h->timer);
		return;
	}
	ms = due > now ? due - now : 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
}

void
health_keepalive(struct health *h)
{
	if (h == NULL || !h->on || h->watchdog_ms == 0)
		return;
	/* Later than the timer: it re-arms itself when it fires. */
	h->wd_due = proc_mono_ms() + h->watchdog_ms;
}

/* WATCHDOG_USEC= from the worker: a new period, from now. */
void
health_watchdog_set(struct health *h, int64_t ms)
{
	if (h == NULL || !h->on || h->watchdog_ms == 0)
		return;
	h->watchdog_ms = ms;
	h->wd_due = proc_mono_ms() + ms;
	h->armed = -1;
	health_arm(h, proc_mono_ms());
}

void
health_trigger(struct health *h)
{
	char	msg[128];

	if (h == NULL || !h->on || sv_child_node(h->c)->watchdog_ms == 0)
		return;
	liveness_watchdog_msg(msg, sizeof msg, h->watchdog_ms, 1);
	health_fail(h, msg, sv_child_node(h->c)->watchdog_signal);
}

static void
health_timer_cb(int fd, short what, void *arg)
{
	struct health	*h = arg;
	char		 msg[128];
	int64_t		 now = proc_mono_ms();

	(void)fd;
	(void)what;
	h->armed = 0;
	if (!h->on)
		return;
	if (h->wd_due != 0 && now >= h->wd_due) {
		liveness_watchdog_msg(msg, sizeof msg, h->watchdog_ms, 0);
		health_fail(h, msg, sv_child_node(h->c)->watchdog_signal);
		return;
	}
	if (h->busy && h->probe_due != 0 && now >= h->probe_due) {
		health_timeout(h);
		if (!h->on)
			return;
	}
	if (h->mem_due != 0 && now >= h->mem_due) {
		h->mem_due = now + sv_child_node(h->c)->health_interval_ms;
		if (health_memory(h))
			return;
	}
	/*
	 * A tree that shuts down stops its workers one after the other:
	 * those that wait their turn need no more checks (they end
	 * anyway), and on a machine already short of CPU, a thousand exec
	 * probes a second would only slow the shutdown. So none starts.
	 */
	if (h->probing && sv_child_closing(h->c)) {
		h->probing = 0;
		h->check_due = 0;
	}
	if (h->probing && !h->busy && h->check_due != 0 &&
	    now >= h->check_due) {
		h->check_due = now + sv_child_node(h->c)->health_interval_ms;
		health_probe(h);
		if (!h->on)
			return;
	}
	health_arm(h, now);
}

static void
health_probe(struct health *h)
{
	h->busy = 1;
	h->probe_due = proc_mono_ms() + sv_child_node(h->c)->health_timeout_ms;
	if (sv_child_node(h->c)->health == TREE_HEALTH_EXEC)
		health_exec(h);
	else
		health_connect(h);
}

/* exec: the probe runs as the worker does, its output to /dev/null. */
static void
health_exec(struct health *h)
{
	const struct tree_node	*n = sv_child_node(h->c);
	struct spawn_req	 req;
	struct spawn_fd		 fds[3];
	char			*cause = NULL, what[NSTATE_TEXTLEN];
	int			 devnull, rv;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		h->busy = 0;
		snprintf(what, sizeof what, "exec: /dev/null: %s",
		    strerror(errno));
		health_result(h, 0, what);
		return;
	}
	fds[0] = (struct spawn_fd){ devnull, 0 };
	fds[1] = (struct spawn_fd){ devnull, 1 };
	fds[2] = (struct spawn_fd){ devnull, 2 };
	sv_worker_req(h->c, &req, NULL);
	req.argv = n->health_argv;
	req.fds = fds;
	req.nfds = 3;
	rv = spawn(&req, &h->probe, &h->probefd, &cause);
	free(req.envp);
	close(devnull);
	if (rv == -1) {
		h->busy = 0;
		h->probe = 0;
		snprintf(what, sizeof what, "exec: %s", cause);
		free(cause);
		health_result(h, 0, what);
		return;
	}
	h->probe_killed = h->timedout = 0;
	sv_child_probe(h->c, h->probe, 1);
	if (h->probefd != -1) {
		h->ev = event_new(sv_child_base(h->c), h->probefd, EV_READ,
		    health_probe_cb, h);
		event_add(h->ev, NULL);
	}
}

pid_t
health_probe_pid(struct health *h)
{
	return (h == NULL ? 0 : h->probe);
}

/*
 * The probe ended: its group goes too (killed while the leader is an
 * unreaped zombie, so the group's id cannot have been reused), then the
 * result. Returns 1 if it was reaped.
 */
int
health_probe_reap(struct health *h)
{
	siginfo_t	 si;
	char		 what[NSTATE_TEXTLEN], *d;
	const char	*sig;
	int		 ok;

	memset(&si, 0, sizeof si);
	if (h == NULL || h->probe == 0 || waitid(h->probefd != -1 ? P_PIDFD :
	    P_PID, h->probefd != -1 ? (id_t)h->probefd : (id_t)h->probe, &si,
	    WEXITED | WNOHANG | WNOWAIT) == -1 || si.si_pid == 0)
		return (0);
	killpg(h->probe, SIGKILL);
	memset(&si, 0, sizeof si);
	(void)waitid(h->probefd != -1 ? P_PIDFD : P_PID, h->probefd != -1 ?
	    (id_t)h->probefd : (id_t)h->probe, &si, WEXITED | WNOHANG);
	sv_child_probe(h->c, h->probe, 0);
	h->probe = 0;
	if (h->ev != NULL) {
		event_free(h->ev);
		h->ev = NULL;
	}
	if (h->probefd != -1)
		close(h->probefd);
	h->probefd = -1;
	h->busy = 0;
	h->probe_due = 0;
	if (!h->on || (h->probe_killed && !h->timedout))
		return (1);
	if (h->timedout) {
		d = value_fmt_duration(sv_child_node(h->c)->health_timeout_ms);
		snprintf(what, sizeof what, "exec timed out after %s", d);
		free(d);
		ok = 0;
	} else if (si.si_code == CLD_EXITED) {
		snprintf(what, sizeof what, "exec exit %d", si.si_status);
		ok = si.si_status == 0;
	} else {
		sig = value_signame(si.si_status);
		snprintf(what, sizeof what, "exec killed by SIG%s",
		    sig != NULL ? sig : "?");
		ok = 0;
	}
	health_result(h, ok, what);
	if (h->on)
		health_arm(h, proc_mono_ms());
	return (1);
}

static void
health_probe_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)health_probe_reap(arg);
}

/* tcp, http: a non-blocking connect (numeric hosts only: no DNS). */
static void
health_connect(struct health *h)
{
	const struct tree_node	*n = sv_child_node(h->c);
	const char		*kind = n->health == TREE_HEALTH_TCP ? "tcp" :
				    "http";
	char			 what[NSTATE_TEXTLEN];
	int			 done;

	h->sent = 0;
	h->rlen = 0;
	h->fd = proc_tcp_connect(n->health_host, n->health_port, &done);
	if (h->fd < 0) {
		snprintf(what, sizeof what, "%s: %s", kind, h->fd == -2 ?
		    "not a numeric address" : strerror(errno));
		h->fd = -1;
		h->busy = 0;
		h->probe_due = 0;
		health_result(h, 0, what);
		return;
	}
	if (done && n->health == TREE_HEALTH_TCP) {
		close(h->fd);
		h->fd = -1;
		h->busy = 0;
		h->probe_due = 0;
		health_result(h, 1, "tcp connected");
		return;
	}
	h->ev = event_new(sv_child_base(h->c), h->fd, EV_WRITE | EV_PERSIST,
	    health_sock_cb, h);
	event_add(h->ev, NULL);
}

/* The socket's check ended: close it, then the result. */
static void
health_sock_done(struct health *h, int ok, const char *what)
{
	event_free(h->ev);
	h->ev = NULL;
	close(h->fd);
	h->fd = -1;
	h->busy = 0;
	h->probe_due = 0;
	health_result(h, ok, what);
	if (h->on)
		health_arm(h, proc_mono_ms());
}

static void
health_sock_cb(int fd, short what, void *arg)
{
	struct health		*h = arg;
	const struct tree_node	*n = sv_child_node(h->c);
	const char		*kind = n->health == TREE_HEALTH_TCP ? "tcp" :
				    "http";
	char			 text[NSTATE_TEXTLEN], *req;
	int			 err = 0, len;
	socklen_t		 elen = sizeof err;

	(void)what;
	if (h->sent) {
		health_http_read(h);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		err = errno;
	if (err != 0) {
		snprintf(text, sizeof text, "%s: %s", kind, strerror(err));
		health_sock_done(h, 0, text);
		return;
	}
	if (n->health == TREE_HEALTH_TCP) {
		health_sock_done(h, 1, "tcp connected");
		return;
	}
	/* A request this small always fits in an empty socket buffer. */
	len = xasprintf(&req, "GET %s HTTP/1.0\r\nHost: %s:%d\r\nUser-Agent: "
	    "supertree\r\nConnection: close\r\n\r\n", n->health_path,
	    n->health_host, n->health_port);
	if (send(fd, req, len, MSG_NOSIGNAL) != len) {
		snprintf(text, sizeof text, "http: %s", strerror(errno));
		free(req);
		health_sock_done(h, 0, text);
		return;
	}
	free(req);
	h->sent = 1;
	event_free(h->ev);
	h->ev = event_new(sv_child_base(h->c), fd, EV_READ | EV_PERSIST,
	    health_sock_cb, h);
	event_add(h->ev, NULL);
}

/* Enough of the response to read its status line. */
static void
health_http_read(struct health *h)
{
	char	text[NSTATE_TEXTLEN];
	ssize_t	n;
	int	code, rv;

	n = recv(h->fd, h->rbuf + h->rlen, sizeof h->rbuf - 1 - h->rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		snprintf(text, sizeof text, "http: %s", strerror(errno));
		health_sock_done(h, 0, text);
		return;
	}
	h->rlen += n;
	rv = liveness_http_status(h->rbuf, h->rlen, &code);
	if (rv == 1 && n > 0 && h->rlen < sizeof h->rbuf - 1)
		return;
	if (rv != 0) {
		health_sock_done(h, 0, n == 0 && h->rlen == 0 ?
		    "http: no response" : "http: not an HTTP response");
		return;
	}
	liveness_http_what(text, sizeof text, code);
	health_sock_done(h, liveness_http_ok(code), text);
}

/* The check in flight took longer than health_timeout: a failure. */
static void
health_timeout(struct health *h)
{
	const struct tree_node	*n = sv_child_node(h->c);
	char			 what[NSTATE_TEXTLEN], *d;

	if (h->probe > 0) {
		/* Its end (reaped soon) is the failure, "timed out". */
		killpg(h->probe, SIGKILL);
		h->probe_killed = h->timedout = 1;
		h->probe_due = 0;
		return;
	}
	d = value_fmt_duration(n->health_timeout_ms);
	snprintf(what, sizeof what, "%s timed out after %s",
	    n->health == TREE_HEALTH_TCP ? "tcp" : "http", d);
	free(d);
	health_sock_done(h, 0, what);
}

/* One check's result: counted, said, shown, and maybe the end of it. */
static void
health_result(struct health *h, int ok, const char *what)
{
	struct sv_child		*c = h->c;
	const struct tree_node	*n = sv_child_node(c);
	struct nstate		*st = sv_child_state(c);
	enum liveness_verdict	 v;
	char			 msg[NSTATE_TEXTLEN + 64];
	int			 was = st->health, changed;

	v = liveness_result(&h->live, ok, n->health_failures);
	changed = st->health != liveness_health(&h->live) ||
	    st->health_fails != (uint32_t)h->live.fails ||
	    strcmp(st->health_last, what) != 0;
	st->health = liveness_health(&h->live);
	st->health_fails = h->live.fails;
	snprintf(st->health_last, sizeof st->health_last, "%s", what);
	liveness_check_msg(msg, sizeof msg, v, what, h->live.fails,
	    n->health_failures);
	if (v == LIVENESS_UNHEALTHY) {
		health_fail(h, msg, 0);
		return;
	}
	if (v == LIVENESS_FAILING || was == NSTATE_HEALTH_FAILING)
		child_event(c, "%s", msg);
	if (changed)
		sv_child_changed(c);
}

/* A liveness failure: said, then the lifecycle stops and restarts it. */
static void
health_fail(struct health *h, const char *msg, int sig)
{
	struct sv_child	*c = h->c;
	struct nstate	*st = sv_child_state(c);
	size_t		 len;

	child_event(c, "%s", msg);
	/*
	 * Kept as its error (status, status --json, /healthz, the page) until
	 * its next start, as "not ready within" is: its end alone (SIGTERM)
	 * would not say that it was stopped, nor why.
	 */
	len = strlen(msg);
	if (len >= sizeof st->error)
		len = sizeof st->error - 1;	/* cut, as every error is */
	memcpy(st->error, msg, len);
	st->error[len] = '\0';
	health_off(h);
	sv_child_fail(c, sig);
}

/* max_memory: 1 if over (the worker is then failed). */
static int
health_memory(struct health *h)
{
	const struct tree_node	*n = sv_child_node(h->c);
	pid_t			 pid = sv_child_leader(h->c);
	char			 msg[128];
	int64_t			 rss;

	if (pid == 0)
		return (0);
	rss = health_rss(pid);
	if (!liveness_memory_over(rss, n->max_memory))
		return (0);
	liveness_memory_msg(msg, sizeof msg, rss, n->max_memory);
	health_fail(h, msg, 0);
	return (1);
}

/*
 * The resident memory of process group pg, in bytes: every process of
 * the group (not only the leader's descendants: a daemonized helper that
 * kept its group counts). One pass over /proc.
 */
static int64_t
health_rss(pid_t pg)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[32], buf[1024];
	int64_t		 sum = 0;
	ssize_t		 n;
	long		 pages, psize = sysconf(_SC_PAGESIZE);
	int		 fd, grp;

	if ((d = opendir("/proc")) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "%.20s/stat", de->d_name);
		if ((fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (liveness_stat_parse(buf, &grp, &pages) == 0 && grp == pg)
			sum += (int64_t)pages * psize;
	}
	closedir(d);
	return (sum);
}
