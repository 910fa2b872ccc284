/*
 * contain.c: a worker's processes, wherever they went.
 *
 * A worker leads its own session and process group, and its supervisor
 * signals the group; but a process that calls setsid() or setpgid() (a
 * daemon, nohup + setsid, a double fork) leaves the group, and one whose
 * parent dies is reparented to the supervisor (a subreaper), out of the
 * leader's tree. This module finds them all, on demand and never on a
 * timer:
 *
 * - While the leader lives, everything it started that did not
 *   double-fork is below it: a process whose chain of parents reaches the
 *   leader is the worker's.
 * - An orphan reparented to the supervisor is the worker's if it carries
 *   the worker's marker, SUPERVISED_BY=TREE.ID, which every worker gets
 *   in its environment (first, so that one read of /proc/PID/environ finds
 *   it) and which fork, exec, setsid and daemon(3) all keep; or, if its
 *   environment cannot be read (a zombie, a process that made itself
 *   non-dumpable), if its session or group is still the worker's. What
 *   descends from such an orphan is the worker's too.
 * - Only pids allocated since the leader was spawned can be the worker's
 *   (pids are handed out in increasing order, wrapping at pid_max): the
 *   scan reads /proc/PID/stat for those alone, by probing when they are few
 *   (a restart loop: a handful) or by listing /proc otherwise, and the
 *   whole of /proc when the system forked so often since the spawn that
 *   the pids may have wrapped around past the leader's (the fork count in
 *   /proc/stat says so). That is the fallback: where the kernel has
 *   /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN, as Debian's and
 *   most distributions' kernels do), the scan walks down instead, from
 *   the leader and from the supervisor's children that no one knows (the
 *   orphans), reading only the worker's own processes and one list of
 *   the supervisor's children: no /proc read for a pid that is not the
 *   worker's. A walk during which a process it read died (its children
 *   then move to the supervisor, perhaps after the supervisor's list was
 *   read) is taken again until two agree. A supervisor of thousands of
 *   children keeps its list a while, read once for many scans (struct
 *   contain_kids in contain.h).
 *
 * Every signal goes through a pidfd opened on the pid and then checked
 * against the start time the scan read: a pid that was reused between the
 * scan and the signal is never hit. The parsing and the range arithmetic
 * are pure (tests/unit/test_contain.c).
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "contain.h"
#include "proc.h"
#include "xmalloc.h"

#define CONTAIN_PROBE_MAX	2048	/* probe pids below this many */
#define CONTAIN_RESERVED	300	/* the kernel's RESERVED_PIDS */

struct contain_snap {
	struct contain_proc	*p;
	int			 n;
	int			 cap;
};

static int	read_small(const char *, char *, size_t);
static pid_t	contain_pid_max(void);
static int	contain_read_proc(pid_t, struct contain_proc *);
static void	snap_add(struct contain_snap *, pid_t);
static void	snap_take(struct contain_snap *, const struct contain_since *,
		    const struct contain_tree *);
static void	snap_add_pid(struct contain_snap *, pid_t,
		    const struct contain_tree *);
static int	snap_walk(struct contain_snap *, const struct contain_who *);
static void	snap_walk_once(struct contain_snap *,
		    const struct contain_who *, const struct contain_kids *,
		    int *);
static int	kids_read(struct contain_kids *, const struct contain_who *);
static int	kids_get(struct contain_kids *, const struct contain_who *,
		    int);
static int64_t	contain_now_us(void);
static int	read_children(pid_t, long, pid_t **, int *);
static int	read_task_children(pid_t, pid_t, pid_t **, int *);
static int	snap_find(const struct contain_snap *, pid_t);
static int	proc_cmp(const void *, const void *);
static int	contain_root(const struct contain_who *,
		    const struct contain_proc *);
static int	contain_owner(const struct contain_who *,
		    const struct contain_snap *, int *, int *, int);
static void	contain_hit(const struct contain_proc *, int, int);
static int	count_owner(const struct contain_tree *,
		    const struct contain_snap *, int *, int *, int);

/*
 * Parse /proc/PID/stat. The command name may hold spaces and parentheses:
 * the fields start after the last ')'. 0, or -1 if malformed.
 */
int
contain_parse_stat(const char *buf, size_t len, struct contain_proc *p)
{
	const char		*s, *end = buf + len;
	char			*ep;
	unsigned long long	 v[20];
	int			 i;

	memset(p, 0, sizeof *p);
	for (s = end; s > buf && s[-1] != ')'; s--)
		;
	if (s == buf)
		return (-1);
	p->pid = (pid_t)strtol(buf, &ep, 10);
	if (ep == buf || p->pid <= 0)
		return (-1);
	while (s < end && *s == ' ')
		s++;
	if (s >= end)
		return (-1);
	p->state = *s++;
	for (i = 0; i < 20; i++) {
		while (s < end && *s == ' ')
			s++;
		if (s >= end || (*s != '-' && (*s < '0' || *s > '9')))
			return (-1);
		v[i] = strtoull(s, &ep, 10);
		if (ep == s)
			return (-1);
		s = ep;
	}
	p->ppid = (pid_t)v[0];
	p->pgid = (pid_t)v[1];
	p->sid = (pid_t)v[2];
	p->threads = (long)v[16];
	p->start = v[18];
	return (0);
}

/*
 * The value of name in an environment block (NUL-separated KEY=VALUE
 * strings, as /proc/PID/environ gives it), or NULL. The block must end
 * with a NUL.
 */
const char *
contain_env_get(const char *env, size_t len, const char *name)
{
	size_t	 nlen = strlen(name);
	const char *s = env, *end = env + len;

	while (s < end) {
		if ((size_t)(end - s) > nlen && strncmp(s, name, nlen) == 0 &&
		    s[nlen] == '=')
			return (s + nlen + 1);
		s += strnlen(s, (size_t)(end - s)) + 1;
	}
	return (NULL);
}

/* Was pid allocated after lo, up to last (cyclic: pids wrap)? */
int
contain_in_range(pid_t lo, pid_t last, pid_t pid)
{
	if (lo == last)
		return (0);
	if (lo < last)
		return (pid > lo && pid <= last);
	return (pid > lo || pid <= last);
}

/* The marker of node id of tree, as KEY=VALUE. */
void
contain_marker(char *buf, size_t len, long tree, int id)
{
	snprintf(buf, len, "%s=%ld.%d", CONTAIN_VAR, tree, id);
}

/* The node id a marker value names if it is one of tree's, else -1. */
int
contain_marker_id(const char *value, long tree, int *id)
{
	char	*ep;
	long	 t, n;

	t = strtol(value, &ep, 10);
	if (ep == value || *ep != '.' || t != tree)
		return (-1);
	value = ep + 1;
	if (*value < '0' || *value > '9')
		return (-1);
	n = strtol(value, &ep, 10);
	if (*ep != '\0' || n > 0x7fffffff)
		return (-1);
	*id = (int)n;
	return (0);
}

/* Read a small /proc file, NUL-terminated; its length or -1. */
static int
read_small(const char *path, char *buf, size_t size)
{
	ssize_t	n;
	size_t	got = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	while (got < size - 1 &&
	    (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return ((int)got);
}

static pid_t
contain_pid_max(void)
{
	char	buf[32];

	if (read_small("/proc/sys/kernel/pid_max", buf, sizeof buf) <= 0)
		return (4194304);
	return ((pid_t)atol(buf));
}

/* The system's fork count now: the "processes" line of /proc/stat. */
int
contain_since_now(struct contain_since *s)
{
	char	 buf[8192];
	char	*p;

	s->forks = 0;
	if (read_small("/proc/stat", buf, sizeof buf) <= 0 ||
	    (p = strstr(buf, "\nprocesses ")) == NULL)
		return (-1);
	s->forks = strtoull(p + 11, NULL, 10);
	return (0);
}

static int
contain_read_proc(pid_t pid, struct contain_proc *p)
{
	char	path[64], buf[1024];
	int	n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((n = read_small(path, buf, sizeof buf)) <= 0)
		return (-1);
	return (contain_parse_stat(buf, (size_t)n, p));
}

static void
snap_add(struct contain_snap *s, pid_t pid)
{
	struct contain_proc	p;

	if (contain_read_proc(pid, &p) == -1 || p.pid != pid)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->p = xreallocarray(s->p, s->cap, sizeof *s->p);
	}
	s->p[s->n++] = p;
}

static int
proc_cmp(const void *a, const void *b)
{
	const struct contain_proc	*x = a, *y = b;

	return (x->pid < y->pid ? -1 : x->pid > y->pid);
}

/*
 * Add pid to the scan: by its /proc/PID/stat, or, for a leader or a
 * supervisor that t knows (a walk up a chain of parents stops at them, so
 * their own stat is not needed: with 10,000 workers that is 10,000 reads
 * fewer for each status), as a live process of that pid alone.
 */
static void
snap_add_pid(struct contain_snap *s, pid_t pid, const struct contain_tree *t)
{
	int	id;

	if (t == NULL || t->node_of(t->arg, pid, &id) == 0) {
		snap_add(s, pid);
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->p = xreallocarray(s->p, s->cap, sizeof *s->p);
	}
	memset(&s->p[s->n], 0, sizeof s->p[s->n]);
	s->p[s->n].pid = pid;
	s->p[s->n].state = 'S';
	s->p[s->n].threads = 1;
	s->n++;
}

/*
 * The processes that can be the worker's: those given a pid since the
 * spawn, or all of them if the pids may have wrapped around since.
 */
static void
snap_take(struct contain_snap *s, const struct contain_since *since,
    const struct contain_tree *t)
{
	struct contain_since	 now;
	struct dirent		*de;
	DIR			*d;
	char			 buf[128], *p;
	pid_t			 pid_max, last = 0, pid;
	long			 span;
	int			 all;

	pid_max = contain_pid_max();
	all = since->lo <= 0 || contain_since_now(&now) == -1 ||
	    now.forks - since->forks >= (uint64_t)(pid_max -
	    CONTAIN_RESERVED) / 2;
	if (!all) {
		/* The last pid handed out: the last field of loadavg. */
		if (read_small("/proc/loadavg", buf, sizeof buf) <= 0 ||
		    (p = strrchr(buf, ' ')) == NULL)
			all = 1;
		else
			last = (pid_t)atol(p + 1);
	}
	if (!all) {
		span = last >= since->lo ? last - since->lo :
		    (pid_max - since->lo) + (last - CONTAIN_RESERVED);
		if (span <= CONTAIN_PROBE_MAX) {
			for (pid = since->lo; pid != last;) {
				if (++pid >= pid_max)
					pid = CONTAIN_RESERVED;
				snap_add_pid(s, pid, t);
			}
			goto sort;
		}
	}
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atol(de->d_name);
		if (all || contain_in_range(since->lo, last, pid))
			snap_add_pid(s, pid, t);
	}
	closedir(d);
sort:
	if (s->n > 0)
		qsort(s->p, s->n, sizeof *s->p, proc_cmp);
}

/*
 * The children of process pid, those of all its threads when it has more
 * than one (each thread's children are listed apart), appended to *out
 * (xrealloc'd, *n of them). -1 if a list cannot be read (no
 * CONFIG_PROC_CHILDREN, or the process is gone).
 */
static int
read_children(pid_t pid, long threads, pid_t **out, int *n)
{
	char		 path[64];
	struct dirent	*de;
	DIR		*d;

	*n = 0;
	if (threads <= 1)
		return (read_task_children(pid, pid, out, n));
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		/* A thread that ended meanwhile has no children left. */
		(void)read_task_children(pid, (pid_t)atol(de->d_name), out,
		    n);
	}
	closedir(d);
	return (0);
}

/* The children of one thread, appended to *out. */
static int
read_task_children(pid_t pid, pid_t tid, pid_t **out, int *n)
{
	static char	*buf;
	static size_t	 size;
	char		 path[64], *s, *ep;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd, cap = *n;
	long		 v;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
	    (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (buf == NULL) {
		size = 4096;
		buf = xmalloc(size);
	}
	for (;;) {
		if (got == size - 1) {
			size *= 2;
			buf = xrealloc(buf, size);
		}
		if ((r = read(fd, buf + got, size - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (r == -1)
		return (-1);
	buf[got] = '\0';
	for (s = buf; *s != '\0'; s = ep) {
		v = strtol(s, &ep, 10);
		if (ep == s)
			break;
		if (v <= 0)
			continue;
		if (*n >= cap) {
			cap = cap < 16 ? 16 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[(*n)++] = (pid_t)v;
	}
	return (0);
}

/* Monotonic microseconds. */
static int64_t
contain_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * May a scan take a read of the supervisor's children that found nread of
 * them, is age_us old and cost cost_us? Only a dear one (dear children or
 * more: see contain.h), and not for longer than CONTAIN_DEAR_AGE times
 * its cost, nor than CONTAIN_DEAR_MAX_US. Pure.
 */
int
contain_kids_usable(int dear, int nread, int64_t cost_us, int64_t age_us)
{
	return (nread >= dear && age_us >= 0 &&
	    age_us < cost_us * CONTAIN_DEAR_AGE &&
	    age_us < CONTAIN_DEAR_MAX_US);
}

/*
 * Self's children that known() does not know, read now into k (timed).
 * -1 if the list cannot be read (no CONFIG_PROC_CHILDREN).
 */
static int
kids_read(struct contain_kids *k, const struct contain_who *w)
{
	pid_t	*kids = NULL;
	int64_t	 t0 = contain_now_us();
	int	 nk, i;

	if (read_children(w->self, 1, &kids, &nk) == -1) {
		free(kids);
		return (-1);
	}
	k->n = 0;
	for (i = 0; i < nk; i++) {
		if (w->known != NULL && w->known(w->arg, kids[i]))
			continue;
		if (k->n == k->cap) {
			k->cap = k->cap == 0 ? 16 : k->cap * 2;
			k->pid = xreallocarray(k->pid, k->cap, sizeof *k->pid);
		}
		k->pid[k->n++] = kids[i];
	}
	free(kids);
	k->nread = nk;
	k->read_us = t0;
	k->cost_us = contain_now_us() - t0;
	return (0);
}

/*
 * Self's orphans for a scan: the kept read when it may serve (a dear one,
 * young enough: contain_kids_usable), else a fresh one.
 */
static int
kids_get(struct contain_kids *k, const struct contain_who *w, int fresh)
{
	if (!fresh && k->read_us != 0 &&
	    contain_kids_usable(k->dear, k->nread, k->cost_us,
	    contain_now_us() - k->read_us)) {
		k->stale = 1;
		return (0);
	}
	return (kids_read(k, w));
}

void
contain_kids_free(struct contain_kids *k)
{
	free(k->pid);
	k->pid = NULL;
	k->n = k->cap = 0;
	k->read_us = 0;
}

/*
 * One walk down: the leader and what is below it, and the supervisor's
 * unknown children (orphans: decided later by their marker, from k) and
 * what is below them. *unstable is set when a process read in the walk
 * had died (its children may have moved to the supervisor after its list
 * was read).
 */
static void
snap_walk_once(struct contain_snap *s, const struct contain_who *w,
    const struct contain_kids *k, int *unstable)
{
	pid_t	*kids = NULL;
	int	 nk, i, k2, from;

	*unstable = 0;
	s->n = 0;
	/* Unreaped, the leader is ours: its pid cannot have been reused. */
	if (w->leader > 0)
		snap_add(s, w->leader);
	for (i = 0; i < k->n; i++) {
		if (k->pid[i] != w->leader)
			snap_add(s, k->pid[i]);
	}
	/* Breadth first: s->p grows as children are found. */
	for (from = 0; from < s->n; from++) {
		if (s->p[from].state == 'Z' || s->p[from].state == 'X') {
			*unstable = 1;
			continue;
		}
		if (read_children(s->p[from].pid, s->p[from].threads, &kids,
		    &nk) == -1) {
			*unstable = 1;
			continue;
		}
		for (k2 = 0; k2 < nk; k2++)
			snap_add(s, kids[k2]);
		/* Read after its list: alive then, the list was whole. */
		if (contain_read_proc(s->p[from].pid, &s->p[from]) == -1 ||
		    s->p[from].state == 'Z' || s->p[from].state == 'X')
			*unstable = 1;
		if (s->n > 1 << 20)
			break;
	}
	free(kids);
	if (s->n > 0)
		qsort(s->p, s->n, sizeof *s->p, proc_cmp);
}

/*
 * The worker's processes by walking down (see the top of the file), or -1
 * where the kernel cannot list children (the caller scans pids instead).
 * Taken again while a process died during the walk, until two walks find
 * the same pids (four at most), each time with a fresh read of the
 * supervisor's children (their children came to it), unless that read is
 * dear and a kept one may serve (contain.h).
 */
static int
snap_walk(struct contain_snap *s, const struct contain_who *w)
{
	struct contain_snap	prev;
	struct contain_kids	own, *k;
	int			unstable, tries, same, i, rv = 0;

	memset(&own, 0, sizeof own);
	k = w->kids != NULL ? w->kids : &own;
	memset(&prev, 0, sizeof prev);
	for (tries = 0; tries < 4; tries++) {
		if (kids_get(k, w, w->fresh || w->kids == NULL) == -1) {
			rv = -1;
			break;
		}
		snap_walk_once(s, w, k, &unstable);
		if (!unstable)
			break;
		same = tries > 0 && prev.n == s->n;
		for (i = 0; same && i < s->n; i++)
			same = prev.p[i].pid == s->p[i].pid;
		if (same)
			break;
		prev.p = xreallocarray(prev.p, s->n > 0 ? s->n : 1,
		    sizeof *prev.p);
		memcpy(prev.p, s->p, s->n * sizeof *s->p);
		prev.n = s->n;
	}
	free(prev.p);
	contain_kids_free(&own);
	return (rv);
}

static int
snap_find(const struct contain_snap *s, pid_t pid)
{
	int	lo = 0, hi = s->n - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (s->p[mid].pid == pid)
			return (mid);
		if (s->p[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return (-1);
}

/*
 * Is p one of the worker's, by its marker: 1 or 0, or -1 if its
 * environment cannot be read (a zombie, a process on its way out, one
 * that made itself non-dumpable).
 */
static int
contain_root(const struct contain_who *w, const struct contain_proc *p)
{
	static char	 env[32768];
	char		 path[64];
	const char	*v;
	int		 n;

	snprintf(path, sizeof path, "/proc/%d/environ", (int)p->pid);
	if ((n = read_small(path, env, sizeof env)) <= 0)
		return (-1);
	v = contain_env_get(env, (size_t)n + 1, CONTAIN_VAR);
	return (v != NULL && w->mine(w->arg, v));
}

/*
 * Whose is process i: follow its parents up to the leader (the worker's),
 * or to the supervisor, where the child below it decides by its marker;
 * a process whose chain leaves the scan is not the worker's. If that
 * child's environment cannot be read (it is dying: its children are being
 * reparented to us), process i decides by its own marker, then by its
 * session and group. own[] remembers every answer (2: the chain's top is
 * unreadable), so each process is looked at about once.
 */
static int
contain_owner(const struct contain_who *w, const struct contain_snap *s,
    int *own, int *path, int i)
{
	const struct contain_proc *p;
	int	npath = 0, cur = i, res, k;

	for (;;) {
		if (own[cur] == 2 && cur != i) {
			res = -1;
			break;
		}
		if (own[cur] != -1 && own[cur] != 2) {
			res = own[cur];
			break;
		}
		path[npath++] = cur;
		p = &s->p[cur];
		if (w->leader > 0 && (p->pid == w->leader ||
		    p->ppid == w->leader)) {
			res = 1;
			break;
		}
		if (p->ppid == w->self) {
			if (w->known != NULL && w->known(w->arg, p->pid))
				res = 0;
			else
				res = contain_root(w, p);
			break;
		}
		if ((k = snap_find(s, p->ppid)) == -1 || npath >= s->n) {
			res = 0;
			break;
		}
		cur = k;
	}
	if (res == -1) {
		/* The chain is unknown: what comes below decides alone. */
		for (k = 0; k < npath; k++)
			own[path[k]] = 2;
		p = &s->p[i];
		if ((res = contain_root(w, p)) == -1)
			res = w->pgid > 0 && (p->sid == w->pgid ||
			    p->pgid == w->pgid);
		return (res);
	}
	for (k = 0; k < npath; k++)
		own[path[k]] = res;
	return (res);
}

/*
 * Signal one process through a pidfd, checked against the scan: the pidfd
 * is opened first, then the process's start time is read again; if it is
 * the one the scan saw, the pidfd names it (it lived at both moments, so
 * it held the pid all along), and no reused pid can be hit.
 */
static void
contain_hit(const struct contain_proc *p, int sig, int cont)
{
	struct contain_proc	now;
	int			fd;

	if ((fd = proc_pidfd_open(p->pid)) == -1)
		return;
	if (contain_read_proc(p->pid, &now) == 0 && now.start == p->start) {
		(void)proc_pidfd_signal(fd, sig);
		if (cont)
			(void)proc_pidfd_signal(fd, SIGCONT);
	}
	close(fd);
}

/*
 * The worker's processes, its leader aside (signalled through its own
 * pidfd by the caller): how many there are, and with sig != 0 each that
 * left the worker's group gets sig (then SIGCONT with cont, so a stopped
 * one sees it); the group's members had it from killpg.
 */
int
contain_sweep(const struct contain_who *w, int sig, int cont)
{
	struct contain_snap	 s;
	int			*own, *path, i, n = 0;

	memset(&s, 0, sizeof s);
	if (snap_walk(&s, w) == -1) {
		s.n = 0;
		snap_take(&s, &w->since, NULL);
	}
	if (s.n == 0) {
		free(s.p);
		return (0);
	}
	own = xreallocarray(NULL, s.n, sizeof *own);
	for (i = 0; i < s.n; i++)
		own[i] = -1;
	path = xcalloc(s.n, sizeof *path);
	for (i = 0; i < s.n; i++) {
		if (s.p[i].pid == w->leader || s.p[i].pid == w->self ||
		    s.p[i].state == 'Z' || s.p[i].state == 'X')
			continue;
		if (!contain_owner(w, &s, own, path, i))
			continue;
		n++;
		/*
		 * The group had its signal (killpg) already: a second one
		 * could reach a shell's child forked since, before it reset
		 * the shell's traps, and run a trap twice.
		 */
		if (sig != 0 && (w->pgid <= 0 || s.p[i].pgid != w->pgid))
			contain_hit(&s.p[i], sig, cont);
	}
	free(path);
	free(own);
	free(s.p);
	return (n);
}

/*
 * Whose is process i, for status: a worker's if its chain of parents
 * reaches the worker's leader; if it reaches a supervisor first, the
 * child below the supervisor says by its marker (or, unreadable, i by its
 * own). -2: nobody's. own[] holds answers as node + 3 (0: not known yet,
 * 1: nobody's, 2: the chain's top is unreadable).
 */
static int
count_owner(const struct contain_tree *t, const struct contain_snap *s,
    int *own, int *path, int i)
{
	static char	 env[32768];
	char		 buf[64];
	const char	*v;
	int		 npath = 0, cur = i, prev = -1, res = -2, k, id, kind, n;

	for (;;) {
		if (own[cur] != 0 && !(own[cur] == 2 && cur == i)) {
			res = own[cur] - 3;
			break;
		}
		kind = t->node_of(t->arg, s->p[cur].pid, &id);
		if (kind == CONTAIN_LEADER) {
			res = id;
			break;
		}
		if (kind == CONTAIN_SUPER) {
			res = prev == -1 ? -2 : -1;
			cur = prev;
			break;
		}
		path[npath++] = cur;
		prev = cur;
		if ((k = snap_find(s, s->p[cur].ppid)) == -1 || npath >= s->n)
			break;
		cur = k;
	}
	if (res == -1) {
		/* cur is a child of a supervisor: its marker says whose. */
		for (n = 0; n < 2; n++, cur = i) {
			snprintf(buf, sizeof buf, "/proc/%d/environ",
			    (int)s->p[cur].pid);
			if ((k = read_small(buf, env, sizeof env)) <= 0)
				continue;
			v = contain_env_get(env, (size_t)k + 1, CONTAIN_VAR);
			res = v != NULL && contain_marker_id(v, t->token,
			    &id) == 0 ? id : -2;
			break;
		}
		if (res == -1) {
			own[cur] = 2;
			return (-2);
		}
		if (n == 1)
			return (res);
	}
	for (k = 0; k < npath; k++)
		own[path[k]] = res + 3;
	return (res);
}

/*
 * How many live processes each worker holds now: its leader and
 * everything of it the chains of parents and the markers say is its own.
 * One scan of the pids allocated since the top started.
 */
void
contain_count(const struct contain_tree *t, uint32_t *counts, int nnodes)
{
	struct contain_snap	 s;
	int			*own, *path, i, id;

	memset(counts, 0, nnodes * sizeof *counts);
	memset(&s, 0, sizeof s);
	snap_take(&s, &t->since, t);
	if (s.n == 0)
		return;
	own = xcalloc(s.n, sizeof *own);
	path = xcalloc(s.n, sizeof *path);
	for (i = 0; i < s.n; i++) {
		if (s.p[i].state == 'Z' || s.p[i].state == 'X')
			continue;
		id = count_owner(t, &s, own, path, i);
		if (id >= 0 && id < nnodes)
			counts[id]++;
	}
	free(path);
	free(own);
	free(s.p);
}
