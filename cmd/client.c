/*
 * client.c: the client side of the live commands and `ls`. It finds the
 * tree's socket, sends its argv in one MSG_REQUEST frame, then prints
 * what the tree sends back and exits with the status the tree chose.
 */
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "msg.h"
#include "xmalloc.h"

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

static int
read_all(int fd, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		p += n;
		len -= n;
	}
	return (0);
}

/* Names of the trees whose sockets are in the default directory. */
static int
list_trees(char ***names)
{
	DIR		*d;
	struct dirent	*de;
	char		*dir, *path, *why;
	size_t		 len;
	int		 n = 0, fd;

	*names = NULL;
	dir = ctl_socket_dir();
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
		fd = ctl_connect(path, &why);
		free(why);
		free(path);
		if (fd == -1)
			continue;
		close(fd);
		*names = xreallocarray(*names, n + 1, sizeof **names);
		(*names)[n++] = xstrndup(de->d_name, len - 5);
	}
	closedir(d);
	free(dir);
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

/*
 * Which socket? -S or $SUPERTREE_SOCKET if given; else NAME if the first
 * argument names a running tree (always, for commands that take only a
 * name); else the one tree this user runs.
 */
static char *
find_socket(const char *cmd, int *argc, char ***argv, int name_only)
{
	const char	*env = getenv("SUPERTREE_SOCKET");
	char		**names, *path = NULL, *dir;
	int		  n, i;

	if (cmd_socket != NULL || (env != NULL && *env != '\0'))
		return (ctl_socket_path(cmd_socket, NULL, NULL));
	n = list_trees(&names);
	if (*argc > 0 && (name_only || is_tree((*argv)[0], names, n))) {
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

static uint32_t
client_flags(void)
{
	const char	*nc = getenv("NO_COLOR"), *cs;
	uint32_t	 flags = 0;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	if (isatty(STDOUT_FILENO)) {
		flags |= MSG_REQ_TTY;
		if (nc == NULL || *nc == '\0')
			flags |= MSG_REQ_COLOR;
		if (cs != NULL && strcmp(cs, "UTF-8") == 0)
			flags |= MSG_REQ_UTF8;
	}
	return (flags);
}

/* Send one request and relay the answer; returns the exit status. */
static int
client_exchange(const char *path, int argc, char **argv, int eof_ok)
{
	struct msg_buf	 mb;
	struct msg_hdr	 h;
	uint8_t		 hdr[MSG_HDRLEN], *data = NULL;
	char		*cause = NULL;
	int		 fd, i, rv = -1;

	if ((fd = ctl_connect(path, &cause)) == -1) {
		fprintf(stderr, "supertree: no tree answers on %s\n", cause);
		free(cause);
		return (EXIT_NOTREE);
	}
	msg_buf_init(&mb);
	msg_put_u32(&mb, client_flags());
	msg_put_u16(&mb, argc);
	for (i = 0; i < argc; i++)
		msg_put_str(&mb, argv[i]);
	msg_pack_hdr(hdr, MSG_REQUEST, mb.len);
	if (write_all(fd, hdr, sizeof hdr) == -1 ||
	    write_all(fd, mb.data, mb.len) == -1) {
		msg_buf_free(&mb);
		fprintf(stderr, "supertree: %s: %s\n", path, strerror(errno));
		close(fd);
		return (EXIT_NOTREE);
	}
	msg_buf_free(&mb);
	while (rv == -1) {
		if (read_all(fd, hdr, sizeof hdr) == -1) {
			if (eof_ok)
				rv = 0;
			else {
				fprintf(stderr, "supertree: %s: the tree "
				    "closed the connection\n", path);
				rv = EXIT_FAIL;
			}
			break;
		}
		if (msg_unpack_hdr(hdr, &h, &cause) == -1) {
			fprintf(stderr, "supertree: %s: %s\n", path, cause);
			free(cause);
			rv = EXIT_FAIL;
			break;
		}
		data = xrealloc(data, h.len + 1);
		if (read_all(fd, data, h.len) == -1) {
			rv = eof_ok ? 0 : EXIT_FAIL;
			break;
		}
		switch (h.type) {
		case MSG_OUT:
			if (write_all(STDOUT_FILENO, data, h.len) == -1)
				rv = EXIT_FAIL;
			break;
		case MSG_ERR:
			write_all(STDERR_FILENO, data, h.len);
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
			fprintf(stderr, "supertree: the tree says: %.*s\n",
			    h.len > 2 ? (int)h.len - 2 : 0, data + 2);
			rv = EXIT_FAIL;
			break;
		default:
			break;
		}
	}
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
	const char	*opts[6];
} client_opts[] = {
	{ "status", { "--json", "-j", "--quiet", "-q", NULL } },
	{ "start", { "--no-wait", "-n", NULL } },
	{ "stop", { "--no-wait", "-n", NULL } },
	{ "restart", { "--no-wait", "-n", NULL } },
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

int
cmd_remote(int argc, char **argv)
{
	const char	*cmd = argv[0];
	char		*path, **args;
	int		 name_only, rv, i, n;

	/* Take -S anywhere before the arguments, as a global option. */
	argc--;
	argv++;
	args = xcalloc(argc + 2, sizeof *args);
	args[0] = (char *)cmd;
	for (i = 0, n = 1; i < argc; i++) {
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
	    strcmp(cmd, "events") == 0 || strcmp(cmd, "reload") == 0;
	argc = n - 1;
	argv = args + 1;
	/* Options come before NAME: skip them when looking for it. */
	for (i = 0; i < argc && argv[i][0] == '-' && strcmp(cmd, "status") ==
	    0; i++)
		;
	if (i > 0 && i < argc) {
		int	 rest = argc - i;
		char	**rargv = argv + i;

		if ((path = find_socket(cmd, &rest, &rargv, name_only)) ==
		    NULL) {
			free(args);
			return (EXIT_NOTREE);
		}
		memmove(argv + i, rargv, rest * sizeof *argv);
		argc = i + rest;
	} else if ((path = find_socket(cmd, &argc, &argv, name_only)) ==
	    NULL) {
		free(args);
		return (EXIT_NOTREE);
	}
	if (*path == '\0') {
		/* find_socket listed the trees instead. */
		free(path);
		free(args);
		return (list_status);
	}
	if (name_only && argc > 0) {
		fprintf(stderr, "supertree: %s: unexpected argument '%s'\n",
		    cmd, argv[0]);
		free(path);
		free(args);
		return (EXIT_USAGE);
	}
	argv[-1] = (char *)cmd;
	rv = client_exchange(path, argc + 1, argv - 1,
	    strcmp(cmd, "shutdown") == 0);
	free(path);
	free(args);
	return (rv);
}

int
cmd_ls(int argc, char **argv)
{
	char	**names;
	int	  n, i;

	(void)argv;
	if (argc != 1)
		return (cmd_usage("ls", EXIT_USAGE));
	n = list_trees(&names);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return (0);
}
