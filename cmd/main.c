/*
 * main.c: the supertree program: global options and the subcommand table.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "proc.h"
#include "spawn.h"
#include "sv.h"
#include "value.h"

const char	*cmd_socket;
int64_t		 cmd_timeout_ms = CMD_TIMEOUT_MS;

const struct cmd_entry cmd_table[] = {
	{ "run", cmd_run, "run [-q] [-S socket] [--http [HOST:]PORT] FILE",
	  "run the tree FILE describes (- reads stdin) until it stops" },
	{ "check", cmd_check, "check [--json] FILE",
	  "validate FILE and draw its tree" },
	{ "wrap", cmd_wrap, "wrap [-q] [-S socket] [--restart TYPE] "
	  "[--backoff-min D] [--backoff-max D] [--max-restarts N] "
	  "[--name NAME] -- CMD [ARG...]",
	  "run one command under supervision, restarting it" },
	{ "status", cmd_remote, "status [--json] [--quiet] [NAME] [PATH...]",
	  "show the live tree; exit 0 when healthy, 3 when not" },
	{ "start", cmd_remote, "start [--no-wait] PATH...",
	  "start stopped nodes and wait until they are up" },
	{ "stop", cmd_remote, "stop [--no-wait] PATH...",
	  "stop nodes by hand; they stay stopped" },
	{ "restart", cmd_remote, "restart [--no-wait | --rolling] PATH...",
	  "stop then start nodes (--rolling: children one at a time)" },
	{ "signal", cmd_remote, "signal SIGNAL PATH...",
	  "send a signal to workers' process groups" },
	{ "wait", cmd_remote, "wait [--for STATE] [--timeout D] PATH...",
	  "wait until nodes are running, ready, stopped or exited" },
	{ "logs", cmd_remote, "logs [-n N] [-f] PATH",
	  "print a worker's last output lines, and follow them" },
	{ "events", cmd_remote, "events [NAME]",
	  "stream every state change as JSON lines" },
	{ "scale", cmd_remote, "scale [--no-wait] PATH N",
	  "change a pool's number of instances" },
	{ "add", cmd_remote, "add [--no-wait] [--restart TYPE] "
	  "[--env KEY=VALUE]... [--ready PROTOCOL] [--directory DIR] "
	  "PATH/NAME -- COMMAND [ARG...]",
	  "add a dynamic worker under a supervisor" },
	{ "remove", cmd_remote, "remove [--no-wait] PATH/NAME",
	  "stop a dynamic worker and take it out of the tree" },
	{ "reload", cmd_remote, "reload [NAME] [FILE]",
	  "re-read the spec file (or read FILE) and apply the difference" },
	{ "shutdown", cmd_remote, "shutdown [NAME]",
	  "stop the whole tree cleanly and wait until it is down" },
	{ "ls", cmd_ls, "ls", "list your running trees, by name" },
	{ "help", cmd_help, "help [COMMAND]", "show help" },
	{ "version", cmd_version, "version", "show the version" },
	{ NULL, NULL, NULL, NULL }
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry	*e;

	for (e = cmd_table; e->name != NULL; e++) {
		if (strcmp(e->name, name) == 0)
			return (e);
	}
	return (NULL);
}

static void
usage_all(FILE *f)
{
	const struct cmd_entry	*e;

	fprintf(f, "usage: supertree [-S socket] [--timeout D] COMMAND [ARGS...]\n\n"
	    "Run programs as an Erlang/OTP-style supervision tree.\n\n"
	    "Commands:\n");
	for (e = cmd_table; e->name != NULL; e++)
		fprintf(f, "  %-9s %s\n", e->name, e->summary);
	fprintf(f, "\nOptions:\n"
	    "  -S PATH    the control socket of the tree\n"
	    "  --timeout D  give up on a tree that does not answer within D\n"
	    "             (default 10s; 0: wait for ever)\n"
	    "  -h, --help show this help\n"
	    "  --version  show the version\n\n"
	    "See supertree(1) and supertree.ini(5).\n");
}

/* The exit status for a failure of the control socket (ctl.c). */
int
cmd_ctl_status(enum ctl_err err)
{
	switch (err) {
	case CTL_ENOTREE:
		return (EXIT_NOTREE);
	case CTL_ETIMEOUT:
		return (EXIT_TIMEOUT);
	case CTL_ERUNNING:
		return (EXIT_RUNNING);
	case CTL_ESOCKET:
		break;
	}
	return (EXIT_SOCKET);
}

int
cmd_usage(const char *name, int status)
{
	const struct cmd_entry	*e = cmd_find(name);
	FILE			*f = status == 0 ? stdout : stderr;

	if (e == NULL) {
		usage_all(f);
		return (status);
	}
	fprintf(f, "usage: supertree %s\n%s\n", e->usage, e->summary);
	return (status);
}

/*
 * What getopt did not like, said before the usage line: a long option by
 * its word, a short one by its letter (within a cluster such as -zq,
 * optind has not moved on yet). ch is ':' for a missing value (the
 * option string starts with ':').
 */
void
cmd_option_error(const char *name, int ch, char **argv)
{
	char		 opt[3] = { '-', (char)optopt, '\0' };
	const char	*word = argv[optind - 1];

	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		word = opt;
	fprintf(stderr, "supertree: %s: %s '%s'\n", name, ch == ':' ?
	    "no value given for option" : "unknown option", word);
}

int
cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		if (cmd_find(argv[1]) == NULL) {
			fprintf(stderr, "supertree: help: unknown command "
			    "'%s'\n", argv[1]);
			return (EXIT_USAGE);
		}
		return (cmd_usage(argv[1], 0));
	}
	usage_all(stdout);
	return (0);
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("supertree %s\n", SUPERTREE_VERSION);
	return (0);
}

/* --timeout D: a duration, 0 for none. */
static int
main_timeout(const char *s)
{
	char	*cause = NULL;

	if (value_duration(s, &cmd_timeout_ms, &cause) == -1) {
		fprintf(stderr, "supertree: --timeout: %s\n", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*e;

	/*
	 * Descriptors inherited from whoever started us mean nothing to
	 * supertree, and must not leak into workers: close them (a child
	 * supervisor is handed exactly fds 3 and 4, see svspawn.c). Then,
	 * before anything opens a descriptor, reserve spawn.c's slots.
	 */
	if (argc >= 2 && strcmp(argv[1], "__sv") == 0)
		close_range(5, ~0U, 0);
	else
		close_range(3, ~0U, 0);
	spawn_init();
	/*
	 * Big blocks (a spec's parse, a status reply) are mapped and given
	 * back when freed, always: glibc would otherwise raise this
	 * threshold after the first one is freed and keep the next ones in
	 * the heap for good, in every supervisor process of the tree.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	proc_title_init(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "__sv") == 0)
		return (sv_child_main(argc - 1, argv + 1));
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "-S") == 0 && argc > 1) {
			cmd_socket = argv[1];
			argc -= 2;
			argv += 2;
		} else if (strncmp(argv[0], "--timeout", 9) == 0 &&
		    (argv[0][9] == '=' || (argv[0][9] == '\0' && argc > 1))) {
			if (main_timeout(argv[0][9] == '=' ? argv[0] + 10 :
			    argv[1]) == -1)
				return (EXIT_USAGE);
			argc -= argv[0][9] == '=' ? 1 : 2;
			argv += argv[0][9] == '=' ? 1 : 2;
		} else if (strcmp(argv[0], "-h") == 0 ||
		    strcmp(argv[0], "--help") == 0) {
			usage_all(stdout);
			return (0);
		} else if (strcmp(argv[0], "-V") == 0 ||
		    strcmp(argv[0], "--version") == 0) {
			return (cmd_version(0, NULL));
		} else {
			fprintf(stderr, "supertree: unknown option '%s'\n",
			    argv[0]);
			usage_all(stderr);
			return (EXIT_USAGE);
		}
	}
	if (argc == 0) {
		fprintf(stderr, "supertree: no command given\n");
		usage_all(stderr);
		return (EXIT_USAGE);
	}
	if ((e = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "supertree: unknown command '%s' (see "
		    "'supertree --help')\n", argv[0]);
		return (EXIT_USAGE);
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		return (cmd_usage(e->name, 0));
	return (e->fn(argc, argv));
}
