/*
 * check.c: `supertree check FILE`: validate a spec and draw its tree.
 */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "render.h"
#include "resolve.h"
#include "tree.h"

/* Print each error line as "supertree: <line>". */
static void
print_errors(const char *cause)
{
	const char	*p = cause, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(stderr, "supertree: %.*s\n", (int)(nl - p), p);
		p = *nl == '\n' ? nl + 1 : nl;
	}
}

/*
 * Read and validate a spec; on error, print why and return NULL. What
 * may heal (a program not installed yet) is only a warning.
 */
struct tree *
check_load(const char *file, char **text, size_t *len)
{
	struct tree	*t;
	char		*cause = NULL, *warn;

	if (resolve_read(file, text, len, &cause) == -1) {
		print_errors(cause);
		free(cause);
		return (NULL);
	}
	if ((t = resolve_parse(file, *text, *len, &cause)) == NULL ||
	    pool_file_ok(t, &cause) == -1) {
		tree_free(t);
		print_errors(cause);
		free(cause);
		free(*text);
		*text = NULL;
		return (NULL);
	}
	if ((warn = resolve_warnings(t)) != NULL) {
		print_errors(warn);
		free(warn);
	}
	return (t);
}

int
render_flags(int fd)
{
	const char	*cs;
	const char	*nc = getenv("NO_COLOR");
	int		 flags = 0;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	if (isatty(fd) && cs != NULL && strcmp(cs, "UTF-8") == 0)
		flags |= RENDER_UTF8;
	if (isatty(fd) && (nc == NULL || *nc == '\0'))
		flags |= RENDER_COLOR;
	return (flags);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct tree	*t;
	char		*text, *out;
	size_t		 len;
	int		 ch, json = 0;

	/* --json: the status --json schema, every node stopped. */
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		default:
			cmd_option_error("check", ch, argv);
			return (cmd_usage("check", EXIT_USAGE));
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 2) {
		if (argc < 2)
			fprintf(stderr, "supertree: check: no FILE given (- "
			    "reads stdin)\n");
		else
			fprintf(stderr, "supertree: check: one FILE at a time "
			    "('%s' is one too many)\n", argv[2]);
		return (cmd_usage("check", EXIT_USAGE));
	}
	if ((t = check_load(argv[1], &text, &len)) == NULL)
		return (EXIT_USAGE);
	if (json)
		out = render_json(t, NULL, 0);
	else
		out = render_tree(t, NULL, 0, render_flags(STDOUT_FILENO) &
		    RENDER_UTF8);
	fputs(out, stdout);
	free(out);
	free(text);
	tree_free(t);
	return (0);
}
