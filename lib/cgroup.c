/*
 * cgroup.c: cgroup v2 where one is delegated to us.
 *
 * The directory is the root key cgroup = PATH, or else, when a worker
 * sets a cgroup key (cglimit.h), the cgroup we run in
 * (/proc/self/cgroup, line "0::PATH", below the cgroup2 mount of
 * /proc/self/mountinfo) if we may write there. The top makes the tree's
 * directory DIR/supertree.TOPPID and hands it down to every supervisor
 * (SUPERTREE_CGROUP). Each supervisor process runs in a cgroup of its
 * own, DIR/supertree.TOPPID/sID, joined before its exec like a worker's;
 * each worker's supervisor makes the
 * worker's, DIR/supertree.TOPPID/wID (ID: its node in the whole tree),
 * writes its limits there, and the worker joins it in the new process
 * before exec (spawn.c: it writes 0 to cgroup.procs): nothing of the
 * worker ever runs outside it, and all it starts stays in it, whatever
 * it does. Then:
 * - the kill after shutdown also writes 1 to cgroup.kill, which kills
 *   everything in it at once;
 * - the worker holds processes while cgroup.events says "populated 1"
 *   (read when its leader ends and at each drain check, after a
 *   SIGCHLD: no polling);
 * - when a supervisor dies without stopping its subtree (SIGKILL), its
 *   parent writes cgroup.kill of every cgroup of that subtree;
 * - the worker's directory is removed once it is down, a supervisor's
 *   when it is reaped, the tree's (with anything left below it) when
 *   the top exits.
 * Without a writable cgroup v2 the cgroup keys fail `run` with the
 * reason (cgroup_check); containment (contain.c) works either way.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cglimit.h"
#include "tree.h"
#include "xmalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

static int	read_text(const char *, char *, size_t);
static int	write_text(const char *, const char *);
static char	*cgroup_self(char **);

static int
read_text(const char *path, char *buf, size_t size)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return (-1);
	buf[n] = '\0';
	return ((int)n);
}

static int
write_text(const char *path, const char *s)
{
	ssize_t	n;
	int	fd, saved;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = write(fd, s, strlen(s));
	saved = errno;
	close(fd);
	errno = saved;
	return (n == (ssize_t)strlen(s) ? 0 : -1);
}

/* Does any worker set a cgroup key? */
int
cgroup_needed(const struct tree *t)
{
	int	i, k;

	for (i = 0; i < t->nnodes; i++) {
		for (k = 0; k < CGLIMIT_NKEYS; k++) {
			if (tree_cglimit(&t->nodes[i], k)->set)
				return (1);
		}
	}
	return (0);
}

/* The cgroup v2 directory we run in, or NULL with the reason. */
static char *
cgroup_self(char **cause)
{
	char	 buf[8192], *line, *mnt = NULL, *sp, *path = NULL;
	char	*dir;

	if (read_text("/proc/self/cgroup", buf, sizeof buf) <= 0) {
		xasprintf(cause, "/proc/self/cgroup: %s", strerror(errno));
		return (NULL);
	}
	for (line = strtok_r(buf, "\n", &sp); line != NULL;
	    line = strtok_r(NULL, "\n", &sp)) {
		if (strncmp(line, "0::", 3) == 0)
			path = xstrdup(line + 3);
	}
	if (path == NULL) {
		xasprintf(cause, "no cgroup v2 line in /proc/self/cgroup "
		    "(cgroup v1 only)");
		return (NULL);
	}
	if (read_text("/proc/self/mountinfo", buf, sizeof buf) > 0) {
		for (line = strtok_r(buf, "\n", &sp); line != NULL;
		    line = strtok_r(NULL, "\n", &sp)) {
			if (strstr(line, " - cgroup2 ") == NULL)
				continue;
			/* Field 5 is the mount point. */
			if (sscanf(line, "%*s %*s %*s %*s %ms", &mnt) == 1)
				break;
		}
	}
	if (mnt == NULL) {
		free(path);
		xasprintf(cause, "cgroup v2 is not mounted");
		return (NULL);
	}
	xasprintf(&dir, "%s%s", mnt, strcmp(path, "/") == 0 ? "" : path);
	free(mnt);
	free(path);
	return (dir);
}

/* The directory for the tree's cgroups: key, else our own; or NULL. */
char *
cgroup_base(const char *key, char **cause)
{
	struct statfs	 sf;
	char		*dir, *c = NULL;

	if (key != NULL)
		dir = xstrdup(key);
	else if ((dir = cgroup_self(&c)) == NULL) {
		xasprintf(cause, "no cgroup v2: %s", c);
		free(c);
		return (NULL);
	}
	if (statfs(dir, &sf) == -1 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		xasprintf(cause, "%s is not a cgroup v2 directory", dir);
		free(dir);
		return (NULL);
	}
	if (access(dir, W_OK) == -1) {
		xasprintf(cause, "cgroup %s is not delegated to us (not "
		    "writable: %s)", dir, strerror(errno));
		free(dir);
		return (NULL);
	}
	return (dir);
}

/*
 * Can every cgroup key of t be applied below dir? Each needs its
 * controller in dir's cgroup.controllers.
 */
int
cgroup_check(const struct tree *t, const char *dir, char **cause)
{
	char	path[4096], ctl[512];
	int	i, k;

	snprintf(path, sizeof path, "%s/cgroup.controllers", dir);
	if (read_text(path, ctl, sizeof ctl) < 0)
		ctl[0] = '\0';
	for (i = 0; i < t->nnodes; i++) {
		for (k = 0; k < CGLIMIT_NKEYS; k++) {
			if (!tree_cglimit(&t->nodes[i], k)->set ||
			    cglimit_has(ctl, cglimit_controller(k)))
				continue;
			xasprintf(cause, "[%s]: %s needs the %s controller of "
			    "cgroup v2, which %s does not offer (its "
			    "cgroup.controllers: %s)", t->nodes[i].path,
			    cglimit_name(k), cglimit_controller(k), dir,
			    ctl[0] != '\0' ? strtok(ctl, "\n") : "none");
			return (-1);
		}
	}
	return (0);
}

char *
cgroup_tree_dir(const char *base, long token)
{
	char	*dir;

	xasprintf(&dir, "%s/supertree.%ld", base, token);
	return (dir);
}

/*
 * The top makes the tree's directory and hands the controllers its
 * workers' keys need down to their cgroups.
 */
int
cgroup_tree_create(const char *dir, const struct tree *t, char **cause)
{
	char	path[4096], ctl[64];
	int	i, k, need[CGLIMIT_NKEYS] = { 0 };

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	for (i = 0; i < t->nnodes; i++) {
		for (k = 0; k < CGLIMIT_NKEYS; k++)
			need[k] |= tree_cglimit(&t->nodes[i], k)->set;
	}
	snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir);
	for (k = 0; k < CGLIMIT_NKEYS; k++) {
		if (!need[k])
			continue;
		snprintf(ctl, sizeof ctl, "+%s", cglimit_controller(k));
		if (write_text(path, ctl) == -1) {
			xasprintf(cause, "%s: %s: %s", path, ctl,
			    strerror(errno));
			return (-1);
		}
	}
	return (0);
}

/*
 * The tree's directory at the top's exit, with what is left below it:
 * the cgroups of workers and supervisors that a supervisor's SIGKILL
 * left behind (empty by now: everything of the tree is down).
 */
void
cgroup_tree_remove(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[4096];

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if ((de->d_name[0] != 'w' && de->d_name[0] != 's') ||
			    de->d_type != DT_DIR)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			(void)rmdir(path);
		}
		closedir(d);
	}
	(void)rmdir(dir);
}

/*
 * A supervisor's cgroup below the tree's directory: it holds the
 * supervisor process alone (its workers and child supervisors have
 * their own, beside it). Its path, or NULL with the reason.
 */
char *
cgroup_supervisor(const char *tdir, int id, char **cause)
{
	char	*dir;

	xasprintf(&dir, "%s/s%d", tdir, id);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		xasprintf(cause, "cgroup %s: %s", dir, strerror(errno));
		free(dir);
		return (NULL);
	}
	return (dir);
}

/* A node's cgroup path by its id in the whole tree (w or s). */
void
cgroup_node_dir(char *buf, size_t size, const char *tdir, int id,
    int worker)
{
	snprintf(buf, size, "%s/%c%d", tdir, worker ? 'w' : 's', id);
}

/*
 * A worker's cgroup below the tree's directory, made (or emptied of
 * stale limits: it may be left from the run before) and given the
 * worker's limits. Its path, or NULL with the reason.
 */
char *
cgroup_worker(const char *tdir, int id, const struct tree_node *n,
    char **cause)
{
	char	*dir, path[4096];
	int	 k;

	xasprintf(&dir, "%s/w%d", tdir, id);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		xasprintf(cause, "cgroup %s: %s", dir, strerror(errno));
		free(dir);
		return (NULL);
	}
	for (k = 0; k < CGLIMIT_NKEYS; k++) {
		if (!tree_cglimit(n, k)->set)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, cglimit_file(k));
		if (write_text(path, tree_cglimit(n, k)->text) == -1) {
			xasprintf(cause, "%s %s: %s", cglimit_name(k),
			    tree_cglimit(n, k)->text, strerror(errno));
			free(dir);
			return (NULL);
		}
	}
	return (dir);
}

/* 1 if anything is in the cgroup, 0 if not, -1 if it cannot be told. */
int
cgroup_populated(const char *dir)
{
	char	path[4096], buf[512], *p;

	snprintf(path, sizeof path, "%s/cgroup.events", dir);
	if (read_text(path, buf, sizeof buf) < 0)
		return (-1);
	if ((p = strstr(buf, "populated ")) == NULL)
		return (-1);
	return (p[10] == '1');
}

/* Kill everything in it at once (cgroup.kill, Linux 5.14). */
int
cgroup_kill(const char *dir)
{
	char	path[4096];

	snprintf(path, sizeof path, "%s/cgroup.kill", dir);
	return (write_text(path, "1"));
}

void
cgroup_remove(const char *dir)
{
	(void)rmdir(dir);
}

/*
 * What the cgroup uses now: memory.current in *mem (UINT64_MAX without
 * the memory controller) and cpu.stat's usage_usec in *cpu (kept by every
 * cgroup v2, controller or not). -1 if the cgroup is not there.
 */
int
cgroup_usage(const char *dir, uint64_t *mem, uint64_t *cpu)
{
	char	path[4096], buf[1024], *ep;

	snprintf(path, sizeof path, "%s/cpu.stat", dir);
	if (read_text(path, buf, sizeof buf) < 0 ||
	    cglimit_stat(buf, "usage_usec", cpu) == -1)
		return (-1);
	*mem = UINT64_MAX;
	snprintf(path, sizeof path, "%s/memory.current", dir);
	if (read_text(path, buf, sizeof buf) > 0) {
		*mem = strtoull(buf, &ep, 10);
		if (ep == buf)
			*mem = UINT64_MAX;
	}
	return (0);
}

/* How many OOM kills memory.events counts in the cgroup (0 without it). */
uint64_t
cgroup_oom_kills(const char *dir)
{
	char		path[4096], buf[1024];
	uint64_t	v = 0;

	snprintf(path, sizeof path, "%s/memory.events", dir);
	if (read_text(path, buf, sizeof buf) < 0 ||
	    cglimit_stat(buf, "oom_kill", &v) == -1)
		return (0);
	return (v);
}
