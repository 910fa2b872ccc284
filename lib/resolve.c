/*
 * resolve.c: what a spec needs from the system, kept out of the pure
 * spec module: reading the file, and looking up users and groups.
 *
 * Every command that turns a spec file into a tree goes through here:
 * resolve_read for the text, resolve_parse for the tree with this system's
 * users and groups (spec_parse with resolve_ids). A child supervisor that
 * parses the slice it was handed (spec_parse_slice) does the same lookups
 * again for its own workers, so a tree and all its supervisors agree as
 * long as the databases do.
 * resolve_warnings looks at the file system for what `check` and `run`
 * warn about: a program that is not there (yet).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "resolve.h"
#include "spec.h"
#include "xmalloc.h"

static void	 resolve_pw(const struct passwd *, struct spec_user *);
static int	 resolve_user(const char *, struct spec_user *);
static int	 resolve_uid(uid_t, struct spec_user *);
static int	 resolve_group(const char *, gid_t *);
static int	 resolve_file(const char *, const char *);
static char	*resolve_program(const struct tree_node *);

const struct spec_ids resolve_ids = {
	resolve_user, resolve_uid, resolve_group
};

static void
resolve_pw(const struct passwd *pw, struct spec_user *u)
{
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->name = pw->pw_name;
	u->dir = pw->pw_dir;
	u->shell = pw->pw_shell;
}

static int
resolve_user(const char *name, struct spec_user *u)
{
	struct passwd	*pw;

	if ((pw = getpwnam(name)) == NULL)
		return (-1);
	resolve_pw(pw, u);
	return (0);
}

static int
resolve_uid(uid_t uid, struct spec_user *u)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) == NULL)
		return (-1);
	resolve_pw(pw, u);
	return (0);
}

static int
resolve_group(const char *name, gid_t *gid)
{
	struct group	*gr;

	if ((gr = getgrnam(name)) == NULL)
		return (-1);
	*gid = gr->gr_gid;
	return (0);
}

struct tree *
resolve_parse(const char *file, const char *text, size_t len, char **cause)
{
	return (spec_parse(file, text, len, &resolve_ids, cause));
}

/*
 * Can path (relative to dir, if dir is given) be executed? 0 if so,
 * ENOENT if there is nothing there, EACCES if it is there but is not an
 * executable file; -1 if that cannot be told (say, a directory on the way
 * that we may not search), which is worth no warning.
 */
static int
resolve_file(const char *dir, const char *path)
{
	struct stat	 st;
	char		*full = NULL;
	int		 rc = 0;

	if (*path != '/' && dir != NULL) {
		xasprintf(&full, "%s/%s", dir, path);
		path = full;
	}
	if (stat(path, &st) == -1)
		rc = errno == ENOENT || errno == ENOTDIR ? ENOENT : -1;
	else if (!S_ISREG(st.st_mode) || access(path, X_OK) == -1)
		rc = EACCES;
	free(full);
	return (rc);
}

/*
 * What is wrong with a worker's program, as an allocated message, or
 * NULL. It is looked up as spawn_exec() will: a name with a '/' is a path
 * (a relative one from the worker's directory), a bare name is searched in
 * the worker's PATH (its environment's, else ours, else the default), an
 * empty element of PATH meaning the directory itself.
 */
static char *
resolve_program(const struct tree_node *n)
{
	const char	*prog = n->argv[0], *path = NULL, *p, *end;
	char		*file, *msg = NULL, *denied = NULL;
	int		 i, rc;

	if (*prog == '\0')
		return (xstrdup("the program name is empty"));
	if (strchr(prog, '/') != NULL) {
		rc = resolve_file(n->directory, prog);
		if (rc == ENOENT)
			xasprintf(&msg, "program '%s' not found", prog);
		else if (rc == EACCES)
			xasprintf(&msg, "program '%s' is not executable", prog);
		return (msg);
	}
	for (i = 0; i < n->nenv; i++) {
		if (strncmp(n->env[i], "PATH=", 5) == 0)
			path = n->env[i] + 5;
	}
	if (path == NULL && (path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		if (end == p)
			file = xstrdup(prog);
		else
			xasprintf(&file, "%.*s/%s", (int)(end - p), p, prog);
		rc = resolve_file(n->directory, file);
		if (rc == 0 || rc == -1) {
			free(file);
			free(denied);
			return (NULL);
		}
		if (rc == EACCES && denied == NULL)
			denied = file;
		else
			free(file);
		if (*end == '\0')
			break;
	}
	if (denied != NULL) {
		xasprintf(&msg, "program '%s' is not executable (%s)", prog,
		    denied);
		free(denied);
	} else
		xasprintf(&msg, "program '%s' not found in PATH (%s)", prog, path);
	return (msg);
}

char *
resolve_warnings(const struct tree *t)
{
	const struct tree_node	*n;
	FILE			*f;
	char			*s = NULL, *msg;
	size_t			 len;
	int			 i, count = 0;

	if ((f = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->kind != TREE_WORKER || (msg = resolve_program(n)) == NULL)
			continue;
		fprintf(f, "%s%s:%d: [%s]: warning: %s", count++ > 0 ? "\n" : "",
		    t->file, n->argv_line, n->path, msg);
		free(msg);
	}
	if (fclose(f) != 0)
		fatal("open_memstream");
	if (count == 0) {
		free(s);
		return (NULL);
	}
	return (s);
}

int
resolve_read(const char *path, char **text, size_t *len, char **cause)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 n = 0, size = 0;
	ssize_t		 r;
	int		 fd, saved;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	for (;;) {
		if (n == size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xrealloc(buf, size + 1);
		}
		if ((r = read(fd, buf + n, size - n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		if ((n += r) > SPEC_MAX_SIZE) {
			xasprintf(cause, "%s: too large (more than 4 MiB)",
			    path);
			goto out;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return (0);

fail:
	saved = errno;
	xasprintf(cause, "%s: cannot read: %s", path, strerror(saved));
out:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return (-1);
}
