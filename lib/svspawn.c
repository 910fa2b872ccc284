/*
 * svspawn.c: how a supervisor starts a child: a worker (its environment,
 * descriptors, readiness channel and output pipes) or a child supervisor
 * (supertree itself, fork+exec'd, linked by a socketpair on fd 3 and
 * handed its slice of the spec in a sealed memfd on fd 4: the sections of
 * the root, of its ancestors and of its own subtree, cut from the very
 * text its parent parsed, so it holds its own part of the tree and no
 * more). The process creation itself is spawn.c's.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contain.h"
#include "nofile.h"
#include "output.h"
#include "peer.h"
#include "proc.h"
#include "ready.h"
#include "spawn.h"
#include "sv.h"
#include "sv_int.h"
#include "xmalloc.h"

/* Does env (KEY=VALUE strings, NULL-terminated) set the variable of e? */
static int
env_sets(char **env, const char *e)
{
	size_t	klen = strcspn(e, "=");
	int	i;

	for (i = 0; env != NULL && env[i] != NULL; i++) {
		if (strncmp(env[i], e, klen) == 0 && env[i][klen] == '=')
			return (1);
	}
	return (0);
}

/*
 * Build the environment of a worker: ours, minus our internals, then, for
 * a worker with a user, HOME, USER, LOGNAME and SHELL from its passwd
 * entry (as su and systemd set them), then its own 'environment' (which
 * wins over both), then extra (NULL or a NULL-terminated list:
 * NOTIFY_SOCKET for ready = notify, WATCHDOG_USEC and WATCHDOG_PID for a
 * watchdog). A name never appears twice. Only the array is allocated.
 */
char **
sv_child_env(struct sv_child *c, char **extra)
{
	extern char		**environ;
	const struct tree_node	 *n = c->node;
	char			**env;
	int			  nenv = 0, i, k;

	for (i = 0; environ[i] != NULL; i++)
		nenv++;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		nenv++;
	for (i = 0; n->user_env != NULL && n->user_env[i] != NULL; i++)
		nenv++;
	env = xcalloc(nenv + n->nenv + 3, sizeof *env);
	k = 0;
	/* First, so that one short read of /proc/PID/environ finds it. */
	if (n->contain)
		env[k++] = c->marker;
	for (i = 0; environ[i] != NULL; i++) {
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) == 0 ||
		    strncmp(environ[i], "WATCHDOG_", 9) == 0 ||
		    strncmp(environ[i], "SUPERTREE_", 10) == 0 ||
		    strncmp(environ[i], "LISTEN_", 7) == 0 ||
		    strncmp(environ[i], CONTAIN_VAR "=", sizeof CONTAIN_VAR) == 0)
			continue;
		if (env_sets(n->env, environ[i]) ||
		    env_sets(n->user_env, environ[i]))
			continue;
		env[k++] = environ[i];
	}
	for (i = 0; n->user_env != NULL && n->user_env[i] != NULL; i++) {
		if (!env_sets(n->env, n->user_env[i]))
			env[k++] = n->user_env[i];
	}
	for (i = 0; i < n->nenv; i++)
		env[k++] = n->env[i];
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		env[k++] = extra[i];
	env[k] = NULL;
	return (env);
}

/*
 * What every process run for a worker (the worker itself, its readiness
 * probe) gets: its environment (plus extra), directory, umask and ids, a
 * session of its own, and SIGKILL if its supervisor dies. The caller sets
 * argv and the fd map, and frees req->envp after the spawn.
 */
void
sv_worker_req(struct sv_child *c, struct spawn_req *req, char **extra)
{
	const struct tree_node	*n = c->node;
	unsigned long long	 soft, hard;
	int			 i;

	memset(req, 0, sizeof *req);
	req->envp = sv_child_env(c, extra);
	req->dir = n->directory;
	req->umask = n->umask;
	/* supertree's own descriptor limits, not the raised ones. */
	if (nofile_orig(&soft, &hard) == 0)
		req->rlimits[req->nrlimits++] = (struct spawn_rlimit){
		    "limit_nofile", RLIMIT_NOFILE, soft, hard };
	for (i = 0; i < RLIMIT_NKEYS; i++) {
		if (!tree_rlimit(n, i)->set)
			continue;
		req->rlimits[req->nrlimits++] = (struct spawn_rlimit){
		    rlimit_name(i), rlimit_resource(i),
		    tree_rlimit(n, i)->soft, tree_rlimit(n, i)->hard };
	}
	req->set_nice = n->nice != TREE_NICE_UNSET;
	req->nice = n->nice;
	req->set_oom = n->oom_score_adj != TREE_OOM_UNSET;
	req->oom_score_adj = n->oom_score_adj;
	req->set_ids = n->user != NULL || n->group != NULL;
	req->uid = n->user != NULL ? n->uid : getuid();
	req->gid = n->gid;
	req->setsid = 1;
	req->pdeathsig = SIGKILL;
}

int
svspawn_worker(struct sv_child *c, char **cause)
{
	const struct tree_node	*n = c->node;
	struct spawn_req	 r;
	struct spawn_fd		 fds[5];
	char			**env, *extra[READY_NENV] = { NULL };
	char			 *cgprocs = NULL;
	int			 nfds = 0, devnull, rv, i;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		xasprintf(cause, "/dev/null: %s", strerror(errno));
		return (-1);
	}
	fds[nfds++] = (struct spawn_fd){ devnull, 0 };
	if (output_prepare(c->out, n, devnull, fds, &nfds, cause) == -1) {
		close(devnull);
		return (-1);
	}
	if (c->ready != NULL && ready_prepare(c->ready, fds, &nfds, extra,
	    cause) == -1) {
		output_started(c->out, 0);
		close(devnull);
		return (-1);
	}
	if (sv_cgroup_child(c, cause) == -1) {
		if (c->ready != NULL)
			ready_started(c->ready, 0);
		output_started(c->out, 0);
		close(devnull);
		for (i = 0; extra[i] != NULL; i++)
			free(extra[i]);
		return (-1);
	}
	sv_worker_req(c, &r, extra);
	env = r.envp;
	r.argv = n->argv;
	if (c->cgdir != NULL)
		xasprintf(&cgprocs, "%s/cgroup.procs", c->cgdir);
	r.cgroup_procs = cgprocs;
	r.fds = fds;
	r.nfds = nfds;
	r.no_pidfd = sv_no_pidfd(c->sv);
	for (i = 0; extra[i] != NULL; i++) {
		if (strncmp(extra[i], "WATCHDOG_PID=", 13) == 0)
			r.pid_var = extra[i];
	}
	rv = spawn(&r, &c->pid, &c->pidfd, cause);
	free(cgprocs);
	free(env);
	for (i = 0; extra[i] != NULL; i++)
		free(extra[i]);
	close(devnull);
	output_started(c->out, rv == 0);
	if (c->ready != NULL)
		ready_started(c->ready, rv == 0);
	return (rv);
}

/* A sealed memfd holding the slice of the spec that child c runs. */
static int
spec_memfd(struct sv_child *c, char **cause)
{
	struct sv	*sv = c->sv;
	char		*slice;
	size_t		 len;
	ssize_t		 n;
	int		 fd;

	fd = memfd_create("supertree-spec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd == -1) {
		xasprintf(cause, "memfd_create: %s", strerror(errno));
		return (-1);
	}
	slice = tree_slice(sv->tree, sv->spec_text, c->id, &len);
	n = write(fd, slice, len);
	free(slice);
	if (n != (ssize_t)len) {
		xasprintf(cause, "memfd: %s", n == -1 ? strerror(errno) :
		    "short write");
		close(fd);
		return (-1);
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
	    F_SEAL_SEAL);
	lseek(fd, 0, SEEK_SET);
	return (fd);
}

int
svspawn_supervisor(struct sv_child *c, char **cause)
{
	struct sv	*sv = c->sv;
	struct spawn_req r;
	struct spawn_fd	 fds[2];
	char		 idbuf[16], depthbuf[16], widthbuf[16], *argv[10];
	char		*cgprocs = NULL;
	int		 sp[2], mfd, rv, argc = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		xasprintf(cause, "socketpair: %s", strerror(errno));
		return (-1);
	}
	if (sv_cgroup_child(c, cause) == -1) {
		close(sp[0]);
		close(sp[1]);
		return (-1);
	}
	if ((mfd = spec_memfd(c, cause)) == -1) {
		close(sp[0]);
		close(sp[1]);
		return (-1);
	}
	/*
	 * Its id in the whole tree, its id in its slice (its depth: the
	 * slice starts with its ancestors, one per level) and the whole
	 * tree's longest path, which its slice cannot tell.
	 */
	snprintf(idbuf, sizeof idbuf, "%d", c->id + sv->idoff);
	snprintf(depthbuf, sizeof depthbuf, "%d", c->node->depth);
	snprintf(widthbuf, sizeof widthbuf, "%d", sv->tree->pathwidth);
	argv[argc++] = sv->exe;
	argv[argc++] = "__sv";
	argv[argc++] = sv->tree->file;
	argv[argc++] = idbuf;
	argv[argc++] = depthbuf;
	argv[argc++] = widthbuf;
	if (nofile_arg() != NULL) {
		argv[argc++] = "-n";
		argv[argc++] = (char *)nofile_arg();
	}
	if (sv->quiet)
		argv[argc++] = "-q";
	argv[argc] = NULL;
	fds[0] = (struct spawn_fd){ sp[1], 3 };
	fds[1] = (struct spawn_fd){ mfd, 4 };
	memset(&r, 0, sizeof r);
	r.argv = argv;
	r.umask = -1;
	r.setsid = 1;
	/* A backstop: the link's EOF is the main signal of our death. */
	r.pdeathsig = SIGTERM;
	r.fds = fds;
	r.nfds = 2;
	r.exec_fd = sv->exe_fd;
	r.no_pidfd = sv_no_pidfd(sv);
	if (c->cgdir != NULL)
		xasprintf(&cgprocs, "%s/cgroup.procs", c->cgdir);
	r.cgroup_procs = cgprocs;
	rv = spawn(&r, &c->pid, &c->pidfd, cause);
	free(cgprocs);
	close(sp[1]);
	close(mfd);
	if (rv == -1) {
		close(sp[0]);
		return (-1);
	}
	proc_set_nonblock(sp[0]);
	c->link = peer_new(sv->base, sp[0], svlink_dispatch, svlink_lost, c);
	return (0);
}
