/*
 * test_resolve.c: the spec's contact with the system: reading a spec file
 * and this machine's user and group lookups.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "tap.h"
#include "tree.h"
#include "xmalloc.h"

/* A worker, so that a spec can be valid. */
#define W "[w]\ncommand = sleep 1\n"

static void	test_read(void);
static void	test_ids(void);
static void	test_warnings(void);

static void
test_read(void)
{
	char	*text = NULL, *cause = NULL;
	char	 path[] = "/tmp/test_resolve.XXXXXX";
	size_t	 len = 0;
	int	 fd;

	is_int(resolve_read("/nonexistent/tree.ini", &text, &len, &cause), -1,
	    "read a missing file");
	is_str(cause, "/nonexistent/tree.ini: cannot read: No such file or "
	    "directory", "missing file message");
	free(cause);
	is_int(resolve_read("/", &text, &len, &cause), -1, "read a directory");
	is_str(cause, "/: cannot read: Is a directory", "directory message");
	free(cause);
	if ((fd = mkstemp(path)) == -1) {
		ok(0, "mkstemp");
		return;
	}
	if (write(fd, W, strlen(W)) != (ssize_t)strlen(W))
		ok(0, "write");
	ok(resolve_read(path, &text, &len, &cause) == 0 && len == strlen(W) &&
	    memcmp(text, W, len) == 0 && text[len] == '\0', "read a file");
	free(text);
	/* Past 4 MiB is too large. */
	if (ftruncate(fd, 4 * 1024 * 1024) == 0) {
		is_int(resolve_read(path, &text, &len, &cause), -1, "read a big "
		    "file");
		ok(cause != NULL && strstr(cause, ": too large (more than 4 "
		    "MiB)") != NULL, "big file message");
		free(cause);
	}
	close(fd);
	unlink(path);
}

/* root is uid 0 and group 0 on every Linux system. */
static void
test_ids(void)
{
	struct tree	*t;
	char		*cause = NULL;
	const char	*text = W "user = root\n[g]\ncommand = x\ngroup = root\n";

	t = resolve_parse("tree.ini", text, strlen(text), &cause);
	ok(t != NULL && t->nodes[1].uid == 0 && t->nodes[1].gid == 0 &&
	    t->nodes[2].gid == 0, "root's uid and groups");
	tree_free(t);
	text = W "user = no-such-user-here\ngroup = no-such-group-here\n";
	t = resolve_parse("tree.ini", text, strlen(text), &cause);
	is_str(cause, "tree.ini:3: [w]: key 'user': unknown user "
	    "'no-such-user-here'\ntree.ini:4: [w]: key 'group': unknown group "
	    "'no-such-group-here'", "unknown user and group");
	free(cause);
}

/* Programs not found or not executable are warnings, by line. */
static void
test_warnings(void)
{
	struct tree	*t;
	char		 dir[] = "/tmp/test_resolve.XXXXXX";
	char		*text, *cause = NULL, *w, *want;
	FILE		*f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	xasprintf(&text, "%s/tool", dir);
	f = fopen(text, "w");
	fclose(f);
	chmod(text, 0755);
	free(text);
	xasprintf(&text, "%s/plain", dir);
	f = fopen(text, "w");
	fclose(f);
	free(text);
	xasprintf(&text, "[a]\ncommand = sh -c true\n[b]\ncommand = %s/none\n"
	    "[c]\nrestart = temporary\ncommand = ./plain\ndirectory = %s\n"
	    "[d]\ncommand = tool\nenvironment = PATH=/nonexistent:%s\n"
	    "[e]\ncommand = plain\nenvironment = PATH=%s\n[f]\ncommand = "
	    "no-such-program-here\nenvironment = PATH=%s:/nonexistent\n"
	    "[g]\ncommand = ./tool\ndirectory = %s\n", dir, dir, dir, dir,
	    dir, dir);
	t = resolve_parse("tree.ini", text, strlen(text), &cause);
	ok(t != NULL, "warnings: a valid spec");
	w = t != NULL ? resolve_warnings(t) : NULL;
	xasprintf(&want, "tree.ini:4: [b]: warning: program '%s/none' not "
	    "found\ntree.ini:7: [c]: warning: program './plain' is not "
	    "executable\ntree.ini:13: [e]: warning: program 'plain' is not "
	    "executable (%s/plain)\ntree.ini:16: [f]: warning: program "
	    "'no-such-program-here' not found in PATH (%s:/nonexistent)", dir,
	    dir, dir);
	is_str(w, want, "warnings: by line, found as exec will");
	free(want);
	free(w);
	tree_free(t);
	free(text);
	text = W;
	t = resolve_parse("tree.ini", text, strlen(text), &cause);
	ok(t != NULL && resolve_warnings(t) == NULL, "no warning: NULL");
	tree_free(t);
	xasprintf(&text, "rm -r %s", dir);
	if (system(text) != 0)
		ok(0, "rm");
	free(text);
}

int
main(void)
{
	test_read();
	test_ids();
	test_warnings();
	return (done_testing());
}
