/*
 * spawn.c: fork + exec, the only place in supertree that creates
 * processes.
 *
 * Ordering rules, each for a reason:
 * - Every signal is blocked around fork(), so that no handler (libevent's
 *   included, which writes to a descriptor shared with the parent) can run
 *   in the child between fork and exec. The child resets every disposition
 *   to the default and unblocks everything just before exec.
 * - The parent opens the pidfd right after fork(): the child cannot have
 *   been reaped yet (only we can reap it), so the pid still names it and
 *   from then on the pidfd does, even after the pid is reused.
 * - Exec failure is reported through a close-on-exec pipe: the child writes
 *   which step failed and errno, then _exit(127); a successful exec closes
 *   the pipe and the parent reads 0 bytes. So "cannot exec" is never
 *   mistaken for "crashed at once".
 * - Every descriptor supertree opens is close-on-exec; the fd map is the
 *   only way a descriptor crosses into a child.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "spawn.h"
#include "xmalloc.h"

extern char **environ;

enum spawn_step {
	STEP_FDS,
	STEP_DIR,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_PARENT,
	STEP_EXEC
};

static const char *step_names[] = {
	"descriptors", "directory", "setgroups", "setgid", "setuid",
	"parent", "exec"
};

struct spawn_err {
	int	step;
	int	err;
};

static void	spawn_child(const struct spawn_req *, int, pid_t)
		    __attribute__((noreturn));
static void	spawn_exec(char **, char **);
static int	spawn_fds(const struct spawn_req *, int);

/*
 * Apply the fd map. Sources are first moved above every target, so that
 * a target never overwrites a source still to be copied; dup2() then
 * clears close-on-exec on each target, and nothing else survives exec.
 */
static int
spawn_fds(const struct spawn_req *r, int errfd)
{
	int	i, hi = errfd, tmp[64];

	if (r->nfds > 64)
		return (-1);
	for (i = 0; i < r->nfds; i++) {
		if (r->fds[i].to > hi)
			hi = r->fds[i].to;
		if (r->fds[i].from > hi)
			hi = r->fds[i].from;
	}
	for (i = 0; i < r->nfds; i++) {
		tmp[i] = fcntl(r->fds[i].from, F_DUPFD_CLOEXEC, hi + 1);
		if (tmp[i] == -1)
			return (-1);
	}
	for (i = 0; i < r->nfds; i++) {
		if (dup2(tmp[i], r->fds[i].to) == -1)
			return (-1);
	}
	return (0);
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

static void
spawn_child(const struct spawn_req *r, int errfd, pid_t parent)
{
	struct spawn_err	e;
	sigset_t		set;
	int			sig;

	e.step = STEP_FDS;
	if (r->pdeathsig != 0) {
		prctl(PR_SET_PDEATHSIG, r->pdeathsig, 0, 0, 0);
		/* The parent may have died before prctl: check. */
		e.step = STEP_PARENT;
		if (getppid() != parent) {
			e.err = ESRCH;
			goto fail;
		}
	}
	if (r->setsid)
		setsid();
	e.step = STEP_FDS;
	if (spawn_fds(r, errfd) == -1)
		goto fail;
	e.step = STEP_DIR;
	if (r->dir != NULL && chdir(r->dir) == -1)
		goto fail;
	if (r->umask != -1)
		umask((mode_t)r->umask);
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
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	e.step = STEP_EXEC;
	spawn_exec(r->argv, r->envp != NULL ? r->envp : environ);
fail:
	e.err = errno;
	(void)write(errfd, &e, sizeof e);
	_exit(127);
}

int
spawn(const struct spawn_req *r, pid_t *pidp, int *pidfdp, char **cause)
{
	struct spawn_err	e;
	sigset_t		all, old;
	pid_t			pid, self = getpid();
	int			p[2], pidfd, saved;
	ssize_t			n;

	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		spawn_child(r, p[1], self);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		xasprintf(cause, "fork: %s", strerror(saved));
		return (-1);
	}
	pidfd = proc_pidfd_open(pid);
	if (pidfd == -1) {
		saved = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		xasprintf(cause, "pidfd_open: %s", strerror(saved));
		return (-1);
	}
	do
		n = read(p[0], &e, sizeof e);
	while (n == -1 && errno == EINTR);
	close(p[0]);
	if (n != 0) {
		/* The child failed before exec and is exiting: reap it. */
		waitpid(pid, NULL, 0);
		close(pidfd);
		if (n != (ssize_t)sizeof e)
			xasprintf(cause, "spawn: lost the child's report");
		else if (e.step == STEP_DIR)
			xasprintf(cause, "directory %s: %s", r->dir,
			    strerror(e.err));
		else
			xasprintf(cause, "%s: %s", step_names[e.step],
			    strerror(e.err));
		return (-1);
	}
	*pidp = pid;
	*pidfdp = pidfd;
	return (0);
}
