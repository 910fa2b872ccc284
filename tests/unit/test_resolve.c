/*
 * test_resolve.c: the spec's contact with the system: reading a spec file
 * and this machine's user and group lookups.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "tap.h"
#include "tree.h"

/* A worker, so that a spec can be valid. */
#define W "[w]\ncommand = sleep 1\n"

static void	test_read(void);
static void	test_ids(void);

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

int
main(void)
{
	test_read();
	test_ids();
	return (done_testing());
}
