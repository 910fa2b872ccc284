/*
 * client.c: the client side of the live commands and `ls`. It finds the
 * tree's socket, sends its argv in one MSG_REQUEST frame, then prints
 * what the tree sends back and exits with the status the tree chose.
 *
 * The client trusts nothing it has not checked: ctl_dial refuses a
 * socket in a directory others control and a server of another user
 * (before a byte is sent), and every byte the tree sends passes through
 * escape.c before it reaches the terminal.
 *
 * It never waits for ever on a tree that does not answer: the connect,
 * sending the request and the tree's MSG_ACCEPTED must all happen within
 * --timeout (cmd_timeout_ms), and so must the whole answer of a command
 * that answers at once. Commands that wait for the tree to do something
 * (start, stop, restart, shutdown) or that stream (wait, logs -f,
 * events) wait as long as that takes once the tree has accepted them, as
 * systemctl waits for a job: their own limits apply.
 */
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "escape.h"
#include "msg.h"
#include "proc.h"
#include "value.h"
#include "xmalloc.h"

/* A socket read or write gave up: the peer closed it, or time ran out. */
#define IO_CLOSED	(-1)
#define IO_TIMEOUT	(-2)

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		p += n;
		len -= n;
	}
	return (0);
}

/* Wait until fd is ready for events, or until deadline (0: none). */
static int
io_wait(int fd, short events, int64_t deadline)
{
	struct pollfd	pfd = { fd, events, 0 };
	int64_t		left;
	int		n;

	for (;;) {
		left = -1;
		if (deadline != 0 && (left = deadline - proc_mono_ms()) < 0)
			left = 0;
		n = poll(&pfd, 1, left > 1000000000 ? 1000000000 : (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			return (IO_TIMEOUT);
		return (0);
	}
}

/*
 * Write to the tree. MSG_NOSIGNAL: a tree that closed the connection (it
 * refuses clients of another user) is an error to report, not SIGPIPE.
 */
static int
sock_write_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if (io_wait(fd, POLLOUT, deadline) == IO_TIMEOUT)
			return (IO_TIMEOUT);
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return (IO_CLOSED);
		p += n;
		len -= n;
	}
	return (0);
}

static int
sock_read_all(int fd, void *buf, size_t len, int64_t deadline)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if (io_wait(fd, POLLIN, deadline) == IO_TIMEOUT)
			return (IO_TIMEOUT);
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0)
			errno = 0;
		if (n <= 0)
			return (IO_CLOSED);
		p += n;
		len -= n;
	}
	return (0);
}

/* Print "supertree: CAUSE" for a ctl_dial failure; returns its status. */
static int
dial_failed(enum ctl_err err, char *cause)
{
	if (err == CTL_ENOTREE)
		fprintf(stderr, "supertree: no tree answers on %s\n", cause);
	else
		fprintf(stderr, "supertree: %s\n", cause);
	free(cause);
	return (cmd_ctl_status(err));
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Names of the trees whose sockets are in the default directory, sorted
 * (readdir's order is the file system's, not the user's); -1 (a message
 * printed) if that directory is not to be trusted.
 */
static int
list_trees(char ***names)
{
	DIR		*d;
	struct dirent	*de;
	char		*dir, *path, *why = NULL;
	size_t		 len;
	enum ctl_err	 err;
	int		 n = 0, fd;

	*names = NULL;
	dir = ctl_socket_dir();
	if (ctl_trust_dir(dir, &why) == -1) {
		fprintf(stderr, "supertree: refusing to look for trees: %s\n",
		    why);
		free(why);
		free(dir);
		return (-1);
	}
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".sock") != 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		why = NULL;
		fd = ctl_dial(path, cmd_timeout_ms, &err, &why);
		free(why);
		free(path);
		/* A tree too busy (or stopped) to accept is still there. */
		if (fd == -1 && err != CTL_ETIMEOUT)
			continue;
		if (fd != -1)
			close(fd);
		*names = xreallocarray(*names, n + 1, sizeof **names);
		(*names)[n++] = xstrndup(de->d_name, len - 5);
	}
	closedir(d);
	free(dir);
	if (n > 1)
		qsort(*names, n, sizeof **names, name_cmp);
	return (n);
}

static int
is_tree(const char *name, char **names, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			return (1);
	}
	return (0);
}

static int	client_exchange(const char *, int, char **, int);

static int	list_json;	/* status --json was asked for */
static int	list_quiet;	/* status --quiet: the exit status only */

/*
 * One line per running tree: its name and whether it is healthy; with
 * --json, an array of {"name", "health"} objects.
 */
static int	list_status;	/* 0, or 3 when a listed tree is not healthy */

static void
list_health(char **names, int n)
{
	char		*path, *argv[] = { "status", "--quiet", NULL };
	const char	*h;
	int		 i, rv;

	if (list_json && !list_quiet)
		printf("[");
	for (i = 0; i < n; i++) {
		path = ctl_socket_path(NULL, NULL, names[i]);
		rv = client_exchange(path, 2, argv, 0);
		h = rv == 0 ? "healthy" : rv == EXIT_UNHEALTHY ? "unhealthy" :
		    "not answering";
		if (rv != 0)
			list_status = EXIT_UNHEALTHY;
		if (list_quiet) {
			free(path);
			continue;
		}
		if (list_json)
			printf("%s\n  {\"name\":\"%s\",\"health\":\"%s\"}",
			    i > 0 ? "," : "", names[i], h);
		else
			printf("%-20s %s\n", names[i], h);
		free(path);
	}
	if (list_json && !list_quiet)
		printf("\n]\n");
}

/* How find_socket reads a first argument that is not a running tree. */
#define NAME_IF_TREE	0	/* a path, or whatever the command takes */
#define NAME_ALWAYS	1	/* a tree name (events, shutdown) */
#define NAME_OR_FILE	2	/* reload: a file if it is one, else a name */

/* reload's FILE: something that exists, or a path with a slash. */
static int
is_file(const char *arg)
{
	return (strchr(arg, '/') != NULL || access(arg, F_OK) == 0);
}

/*
 * Which socket? -S or $SUPERTREE_SOCKET if given; else NAME if the first
 * argument names a running tree (always, for commands that take only a
 * name; for reload, unless it is a file); else the one tree this user
 * runs.
 */
static char *
find_socket(const char *cmd, int *argc, char ***argv, int name_only,
    int *exitcode)
{
	const char	*env = getenv("SUPERTREE_SOCKET");
	char		**names, *path = NULL, *dir;
	int		  n, i;

	*exitcode = EXIT_NOTREE;
	if (cmd_socket != NULL || (env != NULL && *env != '\0'))
		return (ctl_socket_path(cmd_socket, NULL, NULL));
	if ((n = list_trees(&names)) == -1) {
		*exitcode = EXIT_SOCKET;
		return (NULL);
	}
	if (*argc > 0 && (name_only == NAME_ALWAYS ||
	    is_tree((*argv)[0], names, n) ||
	    (name_only == NAME_OR_FILE && !is_file((*argv)[0])))) {
		path = ctl_socket_path(NULL, NULL, (*argv)[0]);
		(*argc)--;
		(*argv)++;
	} else if (n == 1)
		path = ctl_socket_path(NULL, NULL, names[0]);
	else if (n == 0) {
		dir = ctl_socket_dir();
		fprintf(stderr, "supertree: %s: no tree is running (looked in "
		    "%s)\n", cmd, dir);
		free(dir);
	} else if (strcmp(cmd, "status") == 0) {
		/* status of no tree in particular: list them all. */
		list_health(names, n);
		path = xstrdup("");
	} else {
		fprintf(stderr, "supertree: %s: %d trees are running; name "
		    "one:", cmd, n);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fprintf(stderr, "\n");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (path);
}

static int	escape_flags;	/* what our terminal may be sent */

static uint32_t
client_flags(void)
{
	const char	*nc = getenv("NO_COLOR"), *cs;
	uint32_t	 flags = 0;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	escape_flags = 0;
	if (cs != NULL && strcmp(cs, "UTF-8") == 0)
		escape_flags |= ESCAPE_UTF8;
	if (isatty(STDOUT_FILENO)) {
		flags |= MSG_REQ_TTY;
		if (nc == NULL || *nc == '\0')
			flags |= MSG_REQ_COLOR;
		if (escape_flags & ESCAPE_UTF8)
			flags |= MSG_REQ_UTF8;
	}
	return (flags);
}

/*
 * Does the command wait for the tree to act, or stream, once accepted?
 * Then --timeout bounds only the start of the exchange.
 */
static int
client_waits(int argc, char **argv)
{
	const char	*c = argv[0], *p;
	int		 i;

	if (strcmp(c, "start") == 0 || strcmp(c, "stop") == 0 ||
	    strcmp(c, "restart") == 0 || strcmp(c, "shutdown") == 0 ||
	    strcmp(c, "wait") == 0 || strcmp(c, "events") == 0 ||
	    strcmp(c, "scale") == 0 || strcmp(c, "add") == 0 ||
	    strcmp(c, "remove") == 0)
		return (1);
	if (strcmp(c, "logs") != 0)
		return (0);
	/* logs -f, also as -nf, -fn5; the word after -n is its value. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] != '-' || argv[i][1] == '-')
			continue;
		for (p = argv[i] + 1; *p != '\0' && *p != 'n'; p++) {
			if (*p == 'f')
				return (1);
		}
		if (*p == 'n' && p[1] == '\0')
			i++;
	}
	return (0);
}

/* Relay the bytes of a frame to fd, made safe for a terminal. */
static int
relay(int fd, struct escape *e, const void *data, size_t len)
{
	char	*safe;
	size_t	 n;
	int	 rv;

	safe = len == 0 && data == NULL ? escape_flush(e, &n) :
	    escape_feed(e, data, len, &n);
	rv = write_all(fd, safe, n);
	free(safe);
	return (rv);
}

/* The tree hung up on us unanswered: tell the likely reason. */
static int
client_closed(const char *path, int fd, int answered, int eof_ok)
{
	struct ucred	cred;
	socklen_t	len = sizeof cred;

	if (eof_ok)
		return (0);
	if (!answered && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
	    &len) == 0 && cred.uid != getuid()) {
		fprintf(stderr, "supertree: %s: the tree (uid %u) closed the "
		    "connection without answering: a tree answers only its "
		    "own user and root\n", path, (unsigned)cred.uid);
		return (EXIT_SOCKET);
	}
	fprintf(stderr, "supertree: %s: the tree closed the connection\n",
	    path);
	return (EXIT_FAIL);
}

static int
client_timed_out(const char *path)
{
	char	*d = value_fmt_duration(cmd_timeout_ms);

	fprintf(stderr, "supertree: %s: the tree did not answer within %s "
	    "(is it stopped?); see --timeout\n", path, d);
	free(d);
	return (EXIT_TIMEOUT);
}

/* Send one request and relay the answer; returns the exit status. */
static int
client_exchange(const char *path, int argc, char **argv, int eof_ok)
{
	struct msg_buf	 mb;
	struct msg_hdr	 h;
	struct escape	 eout, eerr, emsg;
	uint8_t		 hdr[MSG_HDRLEN], *data = NULL;
	char		*cause = NULL, *safe;
	size_t		 n;
	int64_t		 deadline = 0;
	uint32_t	 flags;
	enum ctl_err	 err;
	int		 fd, io, rv = -1, answered = 0;

	if (cmd_timeout_ms > 0)
		deadline = proc_mono_ms() + cmd_timeout_ms;
	if ((fd = ctl_dial(path, cmd_timeout_ms, &err, &cause)) == -1) {
		if (err == CTL_ETIMEOUT) {
			free(cause);
			return (client_timed_out(path));
		}
		return (dial_failed(err, cause));
	}
	flags = client_flags();
	msg_buf_init(&mb);
	msg_pack_request(&mb, flags, argc, argv);
	msg_pack_hdr(hdr, MSG_REQUEST, mb.len);
	/* Colour sequences pass only if we asked the tree for colour. */
	escape_init(&eout, escape_flags | (flags & MSG_REQ_COLOR ?
	    ESCAPE_SGR : 0));
	escape_init(&eerr, escape_flags);
	if ((io = sock_write_all(fd, hdr, sizeof hdr, deadline)) != 0 ||
	    (io = sock_write_all(fd, mb.data, mb.len, deadline)) != 0) {
		msg_buf_free(&mb);
		rv = io == IO_TIMEOUT ? client_timed_out(path) :
		    client_closed(path, fd, 0, 0);
		close(fd);
		return (rv);
	}
	msg_buf_free(&mb);
	while (rv == -1) {
		if ((io = sock_read_all(fd, hdr, sizeof hdr, deadline)) != 0 ||
		    msg_unpack_hdr(hdr, &h, &cause) == -1 ||
		    (data = xrealloc(data, h.len + 1), io = sock_read_all(fd,
		    data, h.len, deadline)) != 0) {
			if (io == IO_TIMEOUT)
				rv = client_timed_out(path);
			else if (io == IO_CLOSED)
				rv = client_closed(path, fd, answered, eof_ok);
			else {
				escape_init(&emsg, escape_flags);
				safe = escape_feed(&emsg, cause, strlen(cause),
				    &n);
				fprintf(stderr, "supertree: %s: %.*s\n", path,
				    (int)n, safe);
				free(safe);
				free(cause);
				rv = EXIT_FAIL;
			}
			break;
		}
		answered = 1;
		switch (h.type) {
		case MSG_ACCEPTED:
			/* Alive: a job or a stream may now take its time. */
			if (client_waits(argc, argv))
				deadline = 0;
			break;
		case MSG_OUT:
			if (relay(STDOUT_FILENO, &eout, data, h.len) == -1)
				rv = EXIT_FAIL;
			break;
		case MSG_ERR:
			relay(STDERR_FILENO, &eerr, data, h.len);
			break;
		case MSG_EXIT:
			if (h.len == 4)
				rv = (int)((uint32_t)data[0] << 24 |
				    (uint32_t)data[1] << 16 |
				    (uint32_t)data[2] << 8 | data[3]);
			else
				rv = EXIT_FAIL;
			break;
		case MSG_ERROR:
			escape_init(&emsg, escape_flags);
			safe = escape_feed(&emsg, data + 2, h.len > 2 ?
			    h.len - 2 : 0, &n);
			fprintf(stderr, "supertree: the tree says: %.*s\n",
			    (int)n, safe);
			free(safe);
			rv = EXIT_FAIL;
			break;
		default:
			break;
		}
	}
	relay(STDOUT_FILENO, &eout, NULL, 0);
	relay(STDERR_FILENO, &eerr, NULL, 0);
	free(data);
	close(fd);
	return (rv);
}

/*
 * The options each live command takes ("=" after a name: it takes a
 * value). The tree checks them again; this is so that a typo is a usage
 * error (2) even when no tree answers.
 */
static const struct {
	const char	*cmd;
	const char	*opts[8];
} client_opts[] = {
	{ "status", { "--json", "-j", "--quiet", "-q", NULL } },
	{ "start", { "--no-wait", "-n", NULL } },
	{ "stop", { "--no-wait", "-n", NULL } },
	{ "restart", { "--no-wait", "-n", "--rolling", NULL } },
	{ "scale", { "--no-wait", "-n", NULL } },
	{ "add", { "--no-wait", "-n", "--restart=", "--env=", "--ready=",
	    "--directory=", NULL } },
	{ "remove", { "--no-wait", "-n", NULL } },
	{ "wait", { "--for=", "-f=", "--timeout=", "-t=", NULL } },
	{ "logs", { "-n=", "-f", NULL } },
	{ NULL, { NULL } }
};

/*
 * Letters of short options run together; *takes says whether the last
 * one wants its value in the next word. -1 for an unknown letter.
 */
static int
short_opts(const char *const *opts, const char *s, int *takes)
{
	const char	*const *o;

	*takes = 0;
	for (; *s != '\0'; s++) {
		for (o = opts; *o != NULL; o++) {
			if ((*o)[0] == '-' && (*o)[1] == *s &&
			    ((*o)[2] == '\0' || (*o)[2] == '='))
				break;
		}
		if (*o == NULL)
			return (-1);
		if ((*o)[2] == '=') {
			/* The rest of the word, or the next word, is its value. */
			*takes = s[1] == '\0';
			return (0);
		}
	}
	return (0);
}

static int
client_check_opts(const char *cmd, int argc, char **argv)
{
	const char	*const *o, *val;
	size_t		 len;
	int		 i, k, found, takes;

	for (k = 0; client_opts[k].cmd != NULL; k++) {
		if (strcmp(client_opts[k].cmd, cmd) == 0)
			break;
	}
	if (client_opts[k].cmd == NULL)
		return (0);
	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			continue;
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][1] != '-' && argv[i][2] != '\0') {
			/* Short options run together: -jq, -n5, -fn 5. */
			if (short_opts(client_opts[k].opts, argv[i] + 1,
			    &takes) == -1)
				goto unknown;
			if (takes)
				i++;
			continue;
		}
		for (o = client_opts[k].opts, found = 0; *o != NULL; o++) {
			len = strcspn(*o, "=");
			if (strncmp(argv[i], *o, len) != 0 ||
			    (argv[i][len] != '\0' && argv[i][len] != '='))
				continue;
			found = 1;
			val = argv[i][len] == '=' ? argv[i] + len + 1 :
			    i + 1 < argc ? argv[i + 1] : "";
			if ((*o)[len] == '=' && argv[i][len] == '\0')
				i++;	/* its value is the next word */
			if (strcmp(cmd, "wait") == 0 && len <= 5 &&
			    strncmp(*o, "--for", len) == 0 &&
			    strcmp(val, "running") != 0 &&
			    strcmp(val, "ready") != 0 &&
			    strcmp(val, "stopped") != 0 &&
			    strcmp(val, "exited") != 0) {
				fprintf(stderr, "supertree: wait: --for '%s': "
				    "use running, ready, stopped or exited\n",
				    val);
				return (-1);
			}
			break;
		}
		if (!found) {
unknown:
			fprintf(stderr, "supertree: %s: unknown option '%s'\n",
			    cmd, argv[i]);
			cmd_usage(cmd, EXIT_USAGE);
			return (-1);
		}
	}
	return (0);
}

/*
 * reload FILE: the tree runs elsewhere (another directory), so it gets
 * the file's absolute path; NULL (a message printed) if there is none.
 */
static char *
reload_file(const char *arg)
{
	char	*abs;

	if (arg[0] == '-') {
		fprintf(stderr, "supertree: reload: unknown option '%s'\n",
		    arg);
		cmd_usage("reload", EXIT_USAGE);
		return (NULL);
	}
	if ((abs = realpath(arg, NULL)) == NULL) {
		fprintf(stderr, "supertree: reload: %s: %s\n", arg,
		    strerror(errno));
		return (NULL);
	}
	return (abs);
}

int
cmd_remote(int argc, char **argv)
{
	const char	*cmd = argv[0];
	char		*path, **args, *file = NULL;
	int		 name_only, rv, i, n, code;

	/* Take -S anywhere before the arguments, as a global option. */
	argc--;
	argv++;
	args = xcalloc(argc + 2, sizeof *args);
	args[0] = (char *)cmd;
	for (i = 0, n = 1; i < argc; i++) {
		/* After --, the words are add's command's, -S included. */
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				args[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "-S") == 0 && i + 1 < argc) {
			cmd_socket = argv[++i];
			continue;
		}
		args[n++] = argv[i];
	}
	if (client_check_opts(cmd, n - 1, args + 1) == -1) {
		free(args);
		return (EXIT_USAGE);
	}
	for (i = 1; i < n; i++) {
		if (strcmp(args[i], "--json") == 0 || strcmp(args[i], "-j") == 0)
			list_json = 1;
		if (strcmp(args[i], "--quiet") == 0 || strcmp(args[i], "-q") == 0 ||
		    strcmp(args[i], "-jq") == 0 || strcmp(args[i], "-qj") == 0)
			list_quiet = 1;
	}
	name_only = strcmp(cmd, "shutdown") == 0 ||
	    strcmp(cmd, "events") == 0 ? NAME_ALWAYS :
	    strcmp(cmd, "reload") == 0 ? NAME_OR_FILE : NAME_IF_TREE;
	argc = n - 1;
	argv = args + 1;
	/* Options come before NAME: skip them when looking for it. */
	for (i = 0; i < argc && argv[i][0] == '-' && strcmp(cmd, "status") ==
	    0; i++)
		;
	if (i > 0 && i < argc) {
		int	 rest = argc - i;
		char	**rargv = argv + i;

		if ((path = find_socket(cmd, &rest, &rargv, name_only,
		    &code)) == NULL) {
			free(args);
			return (code);
		}
		memmove(argv + i, rargv, rest * sizeof *argv);
		argc = i + rest;
	} else if ((path = find_socket(cmd, &argc, &argv, name_only,
	    &code)) == NULL) {
		free(args);
		return (code);
	}
	if (*path == '\0') {
		/* find_socket listed the trees instead. */
		free(path);
		free(args);
		return (list_status);
	}
	if ((name_only == NAME_ALWAYS && argc > 0) ||
	    (name_only == NAME_OR_FILE && argc > 1)) {
		fprintf(stderr, "supertree: %s: unexpected argument '%s'\n",
		    cmd, argv[name_only == NAME_OR_FILE ? 1 : 0]);
		cmd_usage(cmd, EXIT_USAGE);
		free(path);
		free(args);
		return (EXIT_USAGE);
	}
	if (name_only == NAME_OR_FILE && argc == 1 &&
	    (file = reload_file(argv[0])) == NULL) {
		free(path);
		free(args);
		return (EXIT_USAGE);
	}
	if (file != NULL)
		argv[0] = file;
	argv[-1] = (char *)cmd;
	rv = client_exchange(path, argc + 1, argv - 1,
	    strcmp(cmd, "shutdown") == 0);
	free(file);
	free(path);
	free(args);
	return (rv);
}

int
cmd_ls(int argc, char **argv)
{
	char	**names;
	int	  n, i;

	if (argc != 1) {
		fprintf(stderr, "supertree: ls: unexpected argument '%s'\n",
		    argv[1]);
		return (cmd_usage("ls", EXIT_USAGE));
	}
	if ((n = list_trees(&names)) == -1)
		return (EXIT_SOCKET);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return (0);
}
