/*
 * spawn.c: the only place in supertree that creates processes.
 *
 * A child is created with clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), as
 * glibc's posix_spawn does: the child borrows our memory until it calls
 * exec (or exits), so no page tables are copied however large the
 * supervisor grows, and we are suspended until then. Ordering rules, each
 * for a reason:
 * - Every signal is blocked around clone(), so that no handler (libevent's
 *   included) can run in the child, which shares our memory, between
 *   clone and exec. The child resets every disposition to the default and
 *   unblocks everything just before exec.
 * - The kernel hands us the pidfd atomically with the child
 *   (CLONE_PIDFD): there is no moment at which the pid could name
 *   anything else. A request with no_pidfd gets none (a pidfd costs a
 *   descriptor per child, and a supervisor may not have them): the child
 *   is ours, so its pid cannot name anything else until we reap it, which
 *   only its parent can do; the caller finds its end through SIGCHLD.
 * - Exec failure is reported through memory the child shares with us: it
 *   records which step failed and errno, then _exit(127). When clone
 *   returns the child has either exec'd (the record is untouched) or
 *   failed. So "cannot exec" is never mistaken for "crashed at once".
 * - The child only makes system calls and touches its own stack and the
 *   record: no malloc, no stdio, nothing that could leave our state
 *   inconsistent.
 * - Every descriptor supertree opens is close-on-exec; the fd map is the
 *   only way a descriptor crosses into a child.
 * - The ids are dropped before the child does anything else on the
 *   user's behalf: the working directory is entered as the user (a
 *   directory it may not enter fails the start, rather than giving it a
 *   directory it could not reach itself).
 * - PR_SET_PDEATHSIG comes after setuid/setgid, which clear it, and is
 *   followed by a getppid() check against the pid of the supervisor that
 *   spawned us: if it died (even SIGKILLed while suspended in vfork)
 *   before prctl, no signal would ever come, so the child exits instead.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

#include "proc.h"
#include "spawn.h"
#include "xmalloc.h"

extern char **environ;

enum spawn_step {
	STEP_FDS,
	STEP_RLIMIT,
	STEP_NICE,
	STEP_OOM,
	STEP_DIR,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_PARENT,
	STEP_EXEC,
	STEP_CHILD,
	STEP_CGROUP
};

static const char *step_names[] = {
	"descriptors", "limit", "nice", "oom_score_adj", "directory", "setgroups", "setgid", "setuid",
	"parent", "exec", "spawn: the child died before exec", "cgroup"
};

struct spawn_err {
	int	step;
	int	err;
	int	arg;		/* STEP_RLIMIT: which limit */
};

#define SPAWN_SLOT0	10		/* first reserved descriptor */
#define SPAWN_NSLOTS	8
#define SPAWN_LOW	(SPAWN_SLOT0 + SPAWN_NSLOTS)
#define SPAWN_MAXFDS	16

/* What the child needs, on our stack; it writes back err. */
struct spawn_ctx {
	const struct spawn_req	*req;
	pid_t			 parent;
	struct spawn_fd		 map[SPAWN_MAXFDS];	/* fd map (from slots) */
	int			 nmap;
	int			 exec_fd;
	int			 unshare;	/* CLONE_FILES: unshare first */
	int			 errfd;		/* fork mode: the report pipe */
	int			 at_exec;	/* the child got as far as exec */
	struct spawn_err	 err;
	int			 failed;
};

/*
 * Descriptor slots. A child made with CLONE_FILES shares our descriptor
 * table, so the kernel does not copy it (with a thousand workers, copying
 * it and then closing every close-on-exec entry at exec made each spawn
 * cost O(workers)). The child then calls close_range(SPAWN_LOW, ~0,
 * CLOSE_RANGE_UNSHARE), which gives it a private table holding only the
 * descriptors below SPAWN_LOW: its fd map's sources must be there, so we
 * dup them into slots reserved at start-up (spawn_init) and point the
 * slots back at /dev/null once the child has exec'd.
 */
static int	slot_null = -1;
static int	slots_ok;
static int	use_fork;

#define SPAWN_STACK	(64 * 1024)

/* Code that runs in the child, on a borrowed stack: not instrumented. */
#if defined(__SANITIZE_ADDRESS__) || defined(__clang__)
#define SPAWN_CHILD	__attribute__((no_sanitize_address))
#else
#define SPAWN_CHILD
#endif

static int	spawn_child(void *) SPAWN_CHILD;
static int	spawn_limits(const struct spawn_req *, struct spawn_err *)
	    SPAWN_CHILD;
static void	spawn_mode(void);
static void	spawn_rlimit_cause(char **, const struct spawn_rlimit *, int);
static pid_t	spawn_fork(struct spawn_ctx *, int *);
static void	spawn_exec(char **, char **) SPAWN_CHILD;
static int	spawn_fds(const struct spawn_fd *, int) SPAWN_CHILD;
static void	spawn_pid_var(char *) SPAWN_CHILD;

/*
 * Apply the fd map. Sources are first moved above every target, so that
 * a target never overwrites a source still to be copied; dup2() then
 * clears close-on-exec on each target, and nothing else survives exec.
 */
static int
spawn_fds(const struct spawn_fd *fds, int nfds)
{
	int	i, hi = 2, tmp[64];

	if (nfds > 64)
		return (-1);
	for (i = 0; i < nfds; i++) {
		if (fds[i].to > hi)
			hi = fds[i].to;
		if (fds[i].from > hi)
			hi = fds[i].from;
	}
	for (i = 0; i < nfds; i++) {
		tmp[i] = fcntl(fds[i].from, F_DUPFD_CLOEXEC, hi + 1);
		if (tmp[i] == -1)
			return (-1);
	}
	for (i = 0; i < nfds; i++) {
		if (dup2(tmp[i], fds[i].to) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Reserve the slots: called first thing at start-up, while the low
 * descriptors are still free. If they are not (an odd parent), spawns
 * simply copy the table as fork does.
 */
void
spawn_init(void)
{
	int	fd;

	spawn_mode();
	for (fd = SPAWN_SLOT0; fd < SPAWN_LOW; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			return;
	}
	if ((slot_null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return;
	for (fd = SPAWN_SLOT0; fd < SPAWN_LOW; fd++) {
		if (dup3(slot_null, fd, O_CLOEXEC) == -1)
			return;
	}
	slots_ok = 1;
}

/* Whether to spawn with plain fork() (see spawn_fork). */
static void
spawn_mode(void)
{
	const char	*e = getenv("SUPERTREE_SPAWN");

	use_fork = (e != NULL && strcmp(e, "fork") == 0);
#ifdef RUNNING_ON_VALGRIND
	if (RUNNING_ON_VALGRIND)
		use_fork = 1;
#endif
}

/*
 * execvp() without its fallback: glibc runs a file that fails with
 * ENOEXEC through /bin/sh, which would turn "not a program" into a worker
 * that starts and exits 127. The search uses the worker's own PATH.
 * Returns only on failure, with errno set (EACCES wins over ENOENT, as in
 * execvp).
 */
static void
spawn_exec(char **argv, char **envp)
{
	const char	*path = NULL, *p, *end;
	char		 buf[4096];
	size_t		 dlen, flen = strlen(argv[0]);
	int		 i, seen_eacces = 0;

	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, envp);
		return;
	}
	for (i = 0; envp[i] != NULL; i++) {
		if (strncmp(envp[i], "PATH=", 5) == 0)
			path = envp[i] + 5;
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		dlen = end - p;
		if (dlen + flen + 2 <= sizeof buf) {
			memcpy(buf, dlen == 0 ? "." : p, dlen == 0 ? 1 : dlen);
			if (dlen == 0)
				dlen = 1;
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, argv[0], flen + 1);
			execve(buf, argv, envp);
			if (errno == EACCES)
				seen_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return;
		}
		if (*end == '\0')
			break;
	}
	errno = seen_eacces ? EACCES : ENOENT;
}

/* In the child: setrlimit, setpriority, oom_score_adj; -1 sets e. */
static int
spawn_limits(const struct spawn_req *r, struct spawn_err *e)
{
	struct rlimit	 rl;
	char		 buf[16];
	int		 i, fd, len, ok;

	e->step = STEP_RLIMIT;
	for (i = 0; i < r->nrlimits; i++) {
		e->arg = i;
		rl.rlim_cur = r->rlimits[i].soft == ~0ULL ? RLIM_INFINITY :
		    (rlim_t)r->rlimits[i].soft;
		rl.rlim_max = r->rlimits[i].hard == ~0ULL ? RLIM_INFINITY :
		    (rlim_t)r->rlimits[i].hard;
		if (setrlimit(r->rlimits[i].resource, &rl) == -1)
			return (-1);
	}
	e->step = STEP_NICE;
	if (r->set_nice && setpriority(PRIO_PROCESS, 0, r->nice) == -1)
		return (-1);
	e->step = STEP_OOM;
	if (r->set_oom) {
		len = snprintf(buf, sizeof buf, "%d\n", r->oom_score_adj);
		if ((fd = open("/proc/self/oom_score_adj",
		    O_WRONLY|O_CLOEXEC)) == -1)
			return (-1);
		ok = write(fd, buf, (size_t)len) == len;
		i = errno;
		close(fd);
		errno = i;
		if (!ok)
			return (-1);
	}
	return (0);
}

/* "NAME=" + our pid, in place: no allocation and no stdio here. */
static void
spawn_pid_var(char *var)
{
	char	digits[12], *p = var + strlen(var);
	pid_t	pid = getpid();
	int	n = 0;

	do {
		digits[n++] = '0' + pid % 10;
		pid /= 10;
	} while (pid > 0 && n < 11);
	while (n > 0)
		*p++ = digits[--n];
	*p = '\0';
}

static int
spawn_child(void *arg)
{
	struct spawn_ctx	*ctx = arg;
	const struct spawn_req	*r = ctx->req;
	struct spawn_err	 e = { 0, 0, 0 };
	sigset_t		 set;
	int			 sig;

	if (r->setsid)
		setsid();
	e.step = STEP_FDS;
	if (ctx->unshare &&
	    close_range(SPAWN_LOW, ~0U, CLOSE_RANGE_UNSHARE) == -1)
		goto fail;
	if (spawn_fds(ctx->map, ctx->nmap) == -1)
		goto fail;
	if (r->umask != -1)
		umask((mode_t)r->umask);
	/*
	 * The worker's cgroup (cgroup.c) before anything of it runs: it
	 * moves itself (0 is the writer), so all it starts is in it.
	 */
	if (r->cgroup_procs != NULL) {
		int	cfd;

		e.step = STEP_CGROUP;
		if ((cfd = open(r->cgroup_procs, O_WRONLY | O_CLOEXEC)) == -1)
			goto fail;
		if (write(cfd, "0", 1) != 1) {
			close(cfd);
			goto fail;
		}
		close(cfd);
	}
	/*
	 * Limits, priority and OOM score before the drop: raising a hard
	 * limit, a negative nice or a lower oom_score_adj need privilege the
	 * user may not have. A failure is a start failure, reported.
	 */
	if (spawn_limits(r, &e) == -1)
		goto fail;
	if (r->set_ids) {
		/* Supplementary groups first, then the gid, then the uid. */
		e.step = STEP_SETGROUPS;
		if (setgroups(0, NULL) == -1)
			goto fail;
		e.step = STEP_SETGID;
		if (setgid(r->gid) == -1)
			goto fail;
		e.step = STEP_SETUID;
		if (setuid(r->uid) == -1)
			goto fail;
	}
	/* As the user: a directory it cannot enter is a start failure. */
	e.step = STEP_DIR;
	if (r->dir != NULL && chdir(r->dir) == -1)
		goto fail;
	/* After the drop: a change of credentials clears the setting. */
	if (r->pdeathsig != 0) {
		prctl(PR_SET_PDEATHSIG, r->pdeathsig, 0, 0, 0);
		/* The parent may have died before prctl: check. */
		e.step = STEP_PARENT;
		if (getppid() != ctx->parent) {
			errno = ESRCH;
			goto fail;
		}
	}
	/* Its own pid, which only the child knows before it runs. */
	if (r->pid_var != NULL)
		spawn_pid_var(r->pid_var);
	/* Dispositions are not shared (no CLONE_SIGHAND): reset ours. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	e.step = STEP_EXEC;
	ctx->at_exec = 1;
	if (ctx->exec_fd > 0)
		execveat(ctx->exec_fd, "", r->argv, r->envp != NULL ? r->envp :
		    environ, AT_EMPTY_PATH);
	else
		spawn_exec(r->argv, r->envp != NULL ? r->envp : environ);
fail:
	e.err = errno;
	if (ctx->errfd != -1)
		(void)write(ctx->errfd, &e, sizeof e);
	else {
		ctx->err = e;
		ctx->failed = 1;
	}
	_exit(127);
}

/*
 * The plain fork() way, for where clone(CLONE_VM | CLONE_VFORK | ...) is
 * not possible: under valgrind (which supports only fork's and threads'
 * clones), or when SUPERTREE_SPAWN=fork asks for it. The failure report
 * then comes through a close-on-exec pipe: 0 bytes read means exec
 * succeeded. The pidfd is opened right after fork: the child cannot have
 * been reaped yet (only we can reap it).
 */
static pid_t
spawn_fork(struct spawn_ctx *ctx, int *pidfdp)
{
	pid_t	pid;
	int	p[2], saved;
	ssize_t	n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	ctx->errfd = p[1];
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		spawn_child(ctx);
	}
	saved = errno;
	close(p[1]);
	ctx->errfd = -1;
	if (pid == -1) {
		close(p[0]);
		errno = saved;
		return (-1);
	}
	*pidfdp = ctx->req->no_pidfd ? -1 : proc_pidfd_open(pid);
	do
		n = read(p[0], &ctx->err, sizeof ctx->err);
	while (n == -1 && errno == EINTR);
	close(p[0]);
	if (n != 0)
		ctx->failed = 1;
	else
		ctx->at_exec = 1;
	return (pid);
}

int
spawn(const struct spawn_req *r, pid_t *pidp, int *pidfdp, char **cause)
{
	static char		*stack;
	struct spawn_ctx	 ctx;
	sigset_t		 all, old;
	pid_t			 pid;
	int			 pidfd = -1, saved, i, flags;

	if (stack == NULL)
		stack = xmalloc(SPAWN_STACK);
	memset(&ctx, 0, sizeof ctx);
	ctx.req = r;
	ctx.parent = getpid();
	ctx.exec_fd = r->exec_fd;
	ctx.errfd = -1;
	flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
	if (!r->no_pidfd)
		flags |= CLONE_PIDFD;
	if (slots_ok && !use_fork && r->nfds < SPAWN_NSLOTS) {
		for (i = 0; i < r->nfds; i++) {
			if (dup3(r->fds[i].from, SPAWN_SLOT0 + i, O_CLOEXEC) ==
			    -1)
				break;
			ctx.map[i] = (struct spawn_fd){ SPAWN_SLOT0 + i,
			    r->fds[i].to };
		}
		ctx.nmap = i;
		/* The last slot carries the image to exec, if any. */
		if (i == r->nfds && (r->exec_fd <= 0 || dup3(r->exec_fd,
		    SPAWN_LOW - 1, O_CLOEXEC) != -1)) {
			if (r->exec_fd > 0)
				ctx.exec_fd = SPAWN_LOW - 1;
			ctx.unshare = 1;
			flags |= CLONE_FILES;
		}
	}
	if (!ctx.unshare) {
		if (r->nfds > SPAWN_MAXFDS) {
			xasprintf(cause, "descriptors: too many (%d)", r->nfds);
			return (-1);
		}
		for (i = 0; i < r->nfds; i++)
			ctx.map[i] = r->fds[i];
		ctx.nmap = r->nfds;
		ctx.exec_fd = r->exec_fd;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/*
	 * CLONE_VFORK: we resume once the child has exec'd or exited, so
	 * ctx is final when clone returns and the stack is free again.
	 */
	if (use_fork)
		pid = spawn_fork(&ctx, &pidfd);
	else
		pid = clone(spawn_child, stack + SPAWN_STACK, flags, &ctx,
		    (flags & CLONE_PIDFD) ? &pidfd : NULL);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Drop the slots' references (a pipe's EOF depends on it). */
	if (slots_ok) {
		for (i = SPAWN_SLOT0; i < SPAWN_LOW; i++)
			(void)dup3(slot_null, i, O_CLOEXEC);
	}
	if (pid == -1) {
		xasprintf(cause, "fork: %s", strerror(saved));
		return (-1);
	}
	if (!ctx.failed && !ctx.at_exec) {
		/* It died (crashed) before it could even report. */
		ctx.failed = 1;
		ctx.err.step = STEP_CHILD;
		ctx.err.err = ECHILD;
	}
	if (ctx.failed) {
		/* The child failed before exec and has exited: reap it. */
		waitpid(pid, NULL, 0);
		if (pidfd != -1)
			close(pidfd);
		if (ctx.err.step == STEP_DIR && r->set_ids)
			xasprintf(cause, "directory %s: cannot enter as uid %u "
			    "gid %u: %s", r->dir, (unsigned int)r->uid,
			    (unsigned int)r->gid, strerror(ctx.err.err));
		else if (ctx.err.step == STEP_DIR)
			xasprintf(cause, "directory %s: %s", r->dir,
			    strerror(ctx.err.err));
		else if (ctx.err.step == STEP_RLIMIT)
			spawn_rlimit_cause(cause, &r->rlimits[ctx.err.arg],
			    ctx.err.err);
		else if (ctx.err.step == STEP_NICE)
			xasprintf(cause, "nice %d: %s", r->nice,
			    strerror(ctx.err.err));
		else if (ctx.err.step == STEP_CGROUP)
			xasprintf(cause, "cgroup %s: %s", r->cgroup_procs,
			    strerror(ctx.err.err));
		else if (ctx.err.step == STEP_OOM)
			xasprintf(cause, "oom_score_adj %d: %s",
			    r->oom_score_adj, strerror(ctx.err.err));
		else
			xasprintf(cause, "%s: %s", step_names[ctx.err.step],
			    strerror(ctx.err.err));
		return (-1);
	}
	*pidp = pid;
	*pidfdp = pidfd;
	return (0);
}

/* "limit_nofile: cannot set 1024:infinity: Operation not permitted". */
static void
spawn_rlimit_cause(char **cause, const struct spawn_rlimit *rl, int err)
{
	char	soft[24], hard[24];

	if (rl->soft == ~0ULL)
		snprintf(soft, sizeof soft, "infinity");
	else
		snprintf(soft, sizeof soft, "%llu", rl->soft);
	if (rl->hard == ~0ULL)
		snprintf(hard, sizeof hard, "infinity");
	else
		snprintf(hard, sizeof hard, "%llu", rl->hard);
	xasprintf(cause, "%s: cannot set %s:%s: %s", rl->name, soft, hard,
	    strerror(err));
}
