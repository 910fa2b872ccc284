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
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "spec.h"
#include "xmalloc.h"

static void	 resolve_pw(const struct passwd *, struct spec_user *);
static int	 resolve_user(const char *, struct spec_user *);
static int	 resolve_uid(uid_t, struct spec_user *);
static int	 resolve_group(const char *, gid_t *);

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
