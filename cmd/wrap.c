/*
 * wrap.c: `supertree wrap -- CMD [ARGS...]`: a one-worker tree built from
 * the command line, for wrapping a script in restarts without a file.
 * The tree is written as spec text (so its supervisor process parses the
 * same thing as any other) and exits with the worker's final status.
 * The worker is named after the command (or --name) and the tree
 * "wrap-" and that name, so that their event lines tell them apart and a
 * worker's name given to a live command is never taken for the tree's.
 * Inside the top process, wrap_state watches that worker (node 1) and
 * wrap_status gives the status wrap exits with.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "ctl.h"
#include "log.h"
#include "nstate.h"
#include "remote.h"
#include "spec.h"
#include "resolve.h"
#include "sv.h"
#include "tree.h"
#include "value.h"
#include "xmalloc.h"

static int	wrap_mode;	/* this tree is wrap's */
static int	wrap_ran;	/* its worker started once */
static int	wrap_cannot;	/* its command cannot run */

static char *
default_name(const char *cmd)
{
	const char	*base = strrchr(cmd, '/');
	char		*name, *p;

	name = xstrdup(base != NULL ? base + 1 : cmd);
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
	}
	if (*name == '\0' || strcmp(name, "supertree") == 0) {
		free(name);
		name = xstrdup("wrapped");
	}
	return (name);
}

/* The option of wrap that sets a key of the spec it writes. */
static const char *
key_option(const char *key, size_t len)
{
	static const char	*keys[][2] = {
		{ "restart", "--restart" },
		{ "backoff_min", "--backoff-min" },
		{ "backoff_max", "--backoff-max" },
		{ "max_restarts", "--max-restarts" },
		{ "name", "--name" },
	};
	size_t			 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strlen(keys[i][0]) == len && strncmp(keys[i][0], key,
		    len) == 0)
			return (keys[i][1]);
	}
	return (NULL);
}

/* A worker's name (a section at the top level) and a tree's, both. */
static int
name_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n > 0 && n <= 64 && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n);
}

/*
 * The spec's complaints ("wrap:7: [sh]: key 'restart': invalid value
 * ...") in the terms of wrap's options: "supertree: wrap: --restart:
 * invalid value ...".
 */
static void
print_cause(const char *cause)
{
	const char	*p = cause, *nl, *k, *opt;
	size_t		 klen;

	for (; *p != '\0'; p = *nl == '\n' ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		opt = NULL;
		if ((k = strstr(p, "key '")) != NULL && k < nl) {
			k += 5;
			klen = strcspn(k, "'");
			if ((opt = key_option(k, klen)) != NULL)
				p = k + klen + 3;	/* past "': " */
		}
		if (p > nl)
			p = nl;
		fprintf(stderr, "supertree: wrap: %s%s%.*s\n", opt != NULL ?
		    opt : "", opt != NULL ? ": " : "", (int)(nl - p), p);
	}
}

int
cmd_wrap(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "restart", required_argument, NULL, 'r' },
		{ "backoff-min", required_argument, NULL, 'b' },
		{ "backoff-max", required_argument, NULL, 'B' },
		{ "max-restarts", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf	 b = BUF_INIT;
	struct tree	*t;
	const char	*restart = "transient", *bmin = NULL, *bmax = NULL;
	const char	*maxr = NULL, *sockopt = NULL;
	char		*name = NULL, *cause = NULL, *q;
	size_t		 len;
	int		 ch, i, quiet = 0, rv;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:qS:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			restart = optarg;
			break;
		case 'b':
			bmin = optarg;
			break;
		case 'B':
			bmax = optarg;
			break;
		case 'm':
			maxr = optarg;
			break;
		case 'n':
			free(name);
			name = xstrdup(optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'S':
			sockopt = optarg;
			break;
		default:
			cmd_option_error("wrap", ch, argv);
			free(name);
			return (cmd_usage("wrap", EXIT_USAGE));
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "supertree: wrap: no command given (after "
		    "--)\n");
		free(name);
		return (cmd_usage("wrap", EXIT_USAGE));
	}
	if (name == NULL)
		name = default_name(argv[optind]);
	else if (!name_ok(name)) {
		fprintf(stderr, "supertree: wrap: --name '%s': not a valid "
		    "name (use 1 to 64 letters, digits, '_', '-' and '.')\n",
		    name);
		free(name);
		return (EXIT_USAGE);
	}
	/* A tree name has at most 64 characters. */
	buf_printf(&b, "[supertree]\nname = wrap-%.59s\nintensity = infinity\n"
	    "auto_shutdown = any_significant\n\n[%s]\nrestart = %s\n"
	    "significant = true\noutput = inherit\n", name, name, restart);
	if (bmin != NULL)
		buf_printf(&b, "backoff_min = %s\n", bmin);
	if (bmax != NULL)
		buf_printf(&b, "backoff_max = %s\n", bmax);
	if (maxr != NULL)
		buf_printf(&b, "max_restarts = %s\n", maxr);
	/* One argument per continuation line keeps lines short. */
	buf_puts(&b, "command =");
	for (i = optind; i < argc; i++) {
		q = value_quote(argv[i]);
		buf_printf(&b, "\n  %s", q);
		free(q);
	}
	buf_puts(&b, "\n");
	if ((t = resolve_parse("wrap", b.s, b.len, &cause)) == NULL) {
		print_cause(cause);
		free(cause);
		buf_free(&b);
		free(name);
		return (EXIT_USAGE);
	}
	/* The text is the tree's now. */
	len = b.len;
	rv = run_tree(t, buf_take(&b), len, sockopt, quiet, 1);
	tree_free(t);
	free(name);
	return (rv);
}

/* Inside the top process: whether its tree is wrap's. */
void
wrap_init(int active)
{
	wrap_mode = active;
}

int
wrap_active(void)
{
	return (wrap_mode);
}

/*
 * wrap: a command that cannot run at its first start (not found, not
 * executable, not a format the kernel runs) will not heal by waiting, so
 * wrap ends at once with 127, as a shell does. Once the command has
 * started, a failed exec (the file was replaced, say) is retried as any
 * start failure. The reason comes up as the worker's error text,
 * "exec: " and strerror(3) of the errno: the root supervisor that wrote
 * it is this same program in the same (C) message locale, so comparing
 * the text is comparing the errno.
 */
void
wrap_state(int id)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*st;
	const char		*why;

	if (!wrap_mode || id != 1 || wrap_ran || wrap_cannot || t->nnodes < 2)
		return;
	st = &remote_mirror()[1];
	if (st->pid != 0) {
		wrap_ran = 1;
		return;
	}
	if (strncmp(st->error, "exec: ", 6) != 0)
		return;
	why = st->error + 6;
	if (strcmp(why, strerror(ENOENT)) != 0 &&
	    strcmp(why, strerror(EACCES)) != 0 &&
	    strcmp(why, strerror(ENOEXEC)) != 0)
		return;
	wrap_cannot = 1;
	log_warnx("wrap: %s: cannot run it: %s", t->nodes[1].argv[0], why);
	sv_shutdown(remote_top(), 0);
}

/* wrap exits with its worker's last status. */
int
wrap_status(void)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*m = remote_mirror();
	int32_t			 e = t->nnodes > 1 ? m[1].last_exit :
				    NSTATE_NO_EXIT;

	if (wrap_cannot)
		return (127);
	/* It never ran (could not start): as a shell says, 127. */
	if (e == NSTATE_NO_EXIT)
		return (m[1].error[0] != '\0' ? 127 :
		    sv_result(remote_top()) != SV_END_OK ? EXIT_FAIL : 0);
	if (e < 0)
		return (128 + -e);
	return (e);
}
