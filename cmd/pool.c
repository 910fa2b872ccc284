/*
 * pool.c: scale, add and remove, run inside the top process of a tree on
 * behalf of a client (as remote.c runs the other live commands).
 *
 * None of them changes a running supervisor directly. The top holds the
 * spec file's text and its parse (the base) and the changes made since
 * (struct overlay: live pool sizes, dynamic workers); a command changes
 * the overlay, makes the text the tree runs from the two (overlay_apply)
 * and applies it as a reload does (remote_apply, sv_reload), which keeps
 * every worker whose settings did not change and starts and stops the
 * difference in order. A reload of the file takes the new file as the
 * base and keeps the changes that still fit it (pool_rebase). Dynamic
 * workers are part of the text every supervisor holds: a supervisor that
 * restarts gets them back with the rest of its slice.
 *
 * Waiting: the new workers are awaited as a start awaits them
 * (MSG_OP_AWAIT: up, and ready when they have a readiness protocol); the
 * removed ones by their supervisor, which answers once the slots the
 * reload retired are gone (MSG_OP_SETTLE).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "msg.h"
#include "overlay.h"
#include "resolve.h"
#include "sv.h"
#include "xmalloc.h"

/* Exit statuses of these commands (documented in supertree(1)). */
#define EXIT_NONODE	8	/* no such node; add: no such supervisor */
#define EXIT_EXISTS	9	/* add: the path exists */
#define EXIT_STATIC	10	/* remove: the node comes from the file */
#define EXIT_NOTPOOL	11	/* scale: the node is not a pool */

static struct overlay	 ov;
static struct tree	*base;		/* the file's parse; NULL: the tree's */
static char		*base_text;
static size_t		 base_len;

static int	 pool_base(char **);
static char	*pool_text(size_t *);
static int	 pool_apply(struct ctl_client *, const char *);
static void	 pool_await(struct pending *, int);
static void	 pool_settle(struct pending *, int);
static int	 pool_running(int);
static int	 pool_drop(struct ctl_client *, const char *, const char *);
static int	 pool_name_ok(const char *);
static void	 do_scale(struct ctl_client *, int, char **);
static void	 do_add(struct ctl_client *, int, char **);
static void	 do_remove(struct ctl_client *, int, char **);

/* A node in the file may not say 'dynamic': only add writes it. */
int
pool_file_ok(const struct tree *t, char **cause)
{
	int	i;

	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].dynamic) {
			xasprintf(cause, "%s:%d: [%s]: key 'dynamic' is set by "
			    "'supertree add' only", t->file, t->nodes[i].line,
			    t->nodes[i].path);
			return (-1);
		}
	}
	return (0);
}

/* Until the first change, the tree's own text is the file's. */
static int
pool_base(char **cause)
{
	struct sv	*top = remote_top();
	const char	*text;
	size_t		 len;

	if (base != NULL)
		return (0);
	text = sv_spec(top, &len);
	base = resolve_parse(sv_tree(top)->file, text, len, cause);
	if (base == NULL)
		return (-1);
	base_text = xmalloc(len + 1);
	memcpy(base_text, text, len + 1);
	base_len = len;
	return (0);
}

static char *
pool_text(size_t *lenp)
{
	return (overlay_apply(&ov, base, base_text, base_len, lenp));
}

/*
 * A reload read a new file: *t is its parse and *text its text (both
 * taken). They become the base; the changes that still fit it stay, and
 * *t and *text become the tree and the text to run. -1 with *cause (and
 * *t freed) if that text is not valid.
 */
int
pool_rebase(struct tree **t, char **text, size_t *lenp, char **cause)
{
	struct tree	*nt;
	char		*s;
	size_t		 len;

	if (pool_file_ok(*t, cause) == -1) {
		tree_free(*t);
		*t = NULL;
		return (-1);
	}
	if (ov.nsizes == 0 && ov.ndyns == 0) {
		tree_free(base);
		free(base_text);
		base = NULL;
		base_text = NULL;
		return (0);
	}
	(void)overlay_refresh(&ov, *t);
	s = overlay_apply(&ov, *t, *text, *lenp, &len);
	if ((nt = resolve_parse((*t)->file, s, len, cause)) == NULL) {
		free(s);
		tree_free(*t);
		*t = NULL;
		return (-1);
	}
	tree_free(base);
	free(base_text);
	base = *t;
	base_text = *text;
	base_len = *lenp;
	*t = nt;
	*text = s;
	*lenp = len;
	return (0);
}

/*
 * Run the tree from the base and the overlay. On failure the lines of
 * the cause are said without the text's file and line (they are those
 * of the made-up text, not of the file).
 */
static int
pool_apply(struct ctl_client *cl, const char *cmd)
{
	struct tree	*t;
	char		*text, *cause = NULL, *line, *next, *at;
	size_t		 len;
	int		 rv = 0;

	text = pool_text(&len);
	if ((t = resolve_parse(base->file, text, len, &cause)) == NULL)
		rv = EXIT_USAGE;
	else {
		tree_free(t);
		if (remote_apply(cl, text, len, 1, &cause) == -1)
			rv = EXIT_FAIL;
	}
	free(text);
	if (rv == 0)
		return (0);
	for (line = cause; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		at = strstr(line, ": [");
		ctl_eprintf(cl, "supertree: %s: %s\n", cmd,
		    at != NULL ? at + 2 : line);
	}
	free(cause);
	return (rv);
}

/* Whether the supervisor id runs (so that its children can start). */
static int
pool_running(int id)
{
	struct sv	*top = remote_top();

	return (sv_mirror(top)[id].pid != 0 &&
	    (sv_mirror(top)[id].state == NS_STARTING ||
	    sv_mirror(top)[id].state == NS_RUNNING ||
	    sv_mirror(top)[id].state == NS_READY));
}

static void
pool_await(struct pending *p, int id)
{
	struct sv	*top = remote_top();

	if (id > 0 && pool_running(sv_tree(top)->nodes[id].parent))
		remote_cmd_send(p, MSG_OP_AWAIT, id);
}

static void
pool_settle(struct pending *p, int id)
{
	if (id >= 0 && pool_running(id))
		remote_cmd_send(p, MSG_OP_SETTLE, id);
}

/* A node name: letters, digits, _ - and ., not . or .. */
static int
pool_name_ok(const char *s)
{
	const char	*p;

	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strlen(s) > 255)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_-.", *p) == NULL)
			return (0);
	}
	return (1);
}

static void
usage(struct ctl_client *cl, const char *cmd)
{
	if (strcmp(cmd, "scale") == 0)
		ctl_eprintf(cl, "usage: supertree scale [--no-wait] PATH N\n");
	else if (strcmp(cmd, "add") == 0)
		ctl_eprintf(cl, "usage: supertree add [--no-wait] [--restart "
		    "TYPE] [--env KEY=VALUE]... [--ready PROTOCOL] "
		    "[--directory DIR] PATH/NAME -- COMMAND [ARG...]\n");
	else
		ctl_eprintf(cl, "usage: supertree remove [--no-wait] "
		    "PATH/NAME\n");
	ctl_exit(cl, EXIT_USAGE);
}

void
pool_request(struct ctl_client *cl, int argc, char **argv)
{
	char	*cause = NULL;

	if (pool_base(&cause) == -1) {
		ctl_eprintf(cl, "supertree: %s: %s\n", argv[0], cause);
		free(cause);
		ctl_exit(cl, EXIT_FAIL);
		return;
	}
	if (strcmp(argv[0], "scale") == 0)
		do_scale(cl, argc, argv);
	else if (strcmp(argv[0], "add") == 0)
		do_add(cl, argc, argv);
	else
		do_remove(cl, argc, argv);
}

/* --no-wait alone; -1 (said) on anything else. */
static int
pool_nowait(struct ctl_client *cl, int argc, char **argv, int *nowait)
{
	int			 ch;
	static const struct option longopts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};

	*nowait = 0;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+n", longopts, NULL)) != -1) {
		if (ch != 'n') {
			ctl_eprintf(cl, "supertree: %s: unknown option '%s'\n",
			    argv[0], argv[optind - 1]);
			return (-1);
		}
		*nowait = 1;
	}
	return (0);
}

/*
 * scale PATH N: the pool's new instances are appended and start in
 * order; the surplus stop, highest first (the reverse of their start
 * order), and leave the tree.
 */
static void
do_scale(struct ctl_client *cl, int argc, char **argv)
{
	struct sv		*top = remote_top();
	struct pending		*p;
	const struct tree_node	*n;
	char			*end, path[300];
	long			 want;
	int			 nowait, id, bid, old, i, rv;

	if (pool_nowait(cl, argc, argv, &nowait) == -1)
		return (usage(cl, "scale"));
	argc -= optind;
	argv += optind;
	if (argc != 2) {
		ctl_eprintf(cl, "supertree: scale: %s\n", argc < 2 ?
		    "give a pool and a number of instances" :
		    "too many arguments");
		return (usage(cl, "scale"));
	}
	want = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || want < 1 || want > 10000) {
		ctl_eprintf(cl, "supertree: scale: '%s': not a number of "
		    "instances (1 to 10000)\n", argv[1]);
		return (usage(cl, "scale"));
	}
	if ((id = tree_lookup(sv_tree(top), argv[0])) == -1) {
		ctl_eprintf(cl, "supertree: scale: %s: no such node in tree "
		    "%s\n", argv[0], sv_tree(top)->name);
		ctl_exit(cl, EXIT_NONODE);
		return;
	}
	n = &sv_tree(top)->nodes[id];
	bid = tree_lookup(base, n->path);
	if (n->instances == 0 || bid <= 0) {
		ctl_eprintf(cl, "supertree: scale: %s is not a pool (a worker "
		    "section with 'instances')\n", n->path);
		ctl_exit(cl, EXIT_NOTPOOL);
		return;
	}
	old = n->instances;
	overlay_set_size(&ov, n->path, base->nodes[bid].instances, (int)want);
	if ((rv = pool_apply(cl, "scale")) != 0) {
		overlay_set_size(&ov, argv[0], base->nodes[bid].instances, old);
		ctl_exit(cl, rv);
		return;
	}
	p = remote_cmd_new(cl);
	id = tree_lookup(sv_tree(top), argv[0]);
	if (want < old)
		pool_settle(p, id);
	for (i = old + 1; i <= want; i++) {
		snprintf(path, sizeof path, "%s/%d", argv[0], i);
		pool_await(p, tree_lookup(sv_tree(top), path));
	}
	remote_cmd_sent(p, nowait);
}

/* The values of add's options, checked. */
struct pool_add {
	struct overlay_worker	 w;
	char			**env;
	int			  nenv;
	int			  nowait;
};

static int
add_options(struct ctl_client *cl, int argc, char **argv, struct pool_add *a)
{
	int			 ch;
	static const struct option longopts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ "restart", required_argument, NULL, 'r' },
		{ "env", required_argument, NULL, 'e' },
		{ "ready", required_argument, NULL, 'y' },
		{ "directory", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":n", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			a->nowait = 1;
			break;
		case 'r':
			a->w.restart = optarg;
			break;
		case 'y':
			a->w.ready = optarg;
			break;
		case 'd':
			a->w.directory = optarg;
			break;
		case 'e':
			if (strchr(optarg, '=') == NULL || *optarg == '=') {
				ctl_eprintf(cl, "supertree: add: --env '%s': "
				    "use KEY=VALUE\n", optarg);
				return (-1);
			}
			a->env = xreallocarray(a->env, a->nenv + 2,
			    sizeof *a->env);
			a->env[a->nenv++] = optarg;
			a->env[a->nenv] = NULL;
			break;
		default:
			ctl_eprintf(cl, "supertree: add: %s '%s'\n", ch == ':' ?
			    "no value given for option" : "unknown option",
			    argv[optind - 1]);
			return (-1);
		}
	}
	return (0);
}

/* Whether the words can go into a spec's text and come back the same. */
static int
add_writable(struct ctl_client *cl, int argc, char **argv,
    const struct pool_add *a)
{
	const char	*bad = NULL;
	int		 i;

	for (i = 0; i < argc && bad == NULL; i++) {
		if (strpbrk(argv[i], "\n\r") != NULL)
			bad = argv[i];
	}
	for (i = 0; i < a->nenv && bad == NULL; i++) {
		if (strpbrk(a->env[i], "\n\r") != NULL)
			bad = a->env[i];
	}
	if (bad == NULL && a->w.directory != NULL &&
	    (strpbrk(a->w.directory, "\n\r;") != NULL ||
	    *a->w.directory == '\0' ||
	    isspace((unsigned char)*a->w.directory) ||
	    isspace((unsigned char)a->w.directory[
	    strlen(a->w.directory) - 1])))
		bad = a->w.directory;
	if (bad == NULL && a->w.ready != NULL &&
	    strpbrk(a->w.ready, "\n\r") != NULL)
		bad = a->w.ready;
	if (bad == NULL && a->w.restart != NULL &&
	    strpbrk(a->w.restart, "\n\r") != NULL)
		bad = a->w.restart;
	if (bad == NULL)
		return (0);
	ctl_eprintf(cl, "supertree: add: '%s': a line break (or, in a "
	    "directory, a ';' or blanks around it) cannot be given\n", bad);
	return (-1);
}

/*
 * add PATH/NAME [options] -- COMMAND [ARG...]: a worker under the
 * supervisor PATH, after its other children; the file's defaults apply.
 */
static void
do_add(struct ctl_client *cl, int argc, char **argv)
{
	struct sv		*top = remote_top();
	struct pool_add		 a;
	struct pending		*p;
	const struct tree_node	*pn;
	char			*parent, *name, *text;
	int			 pid, rv;

	memset(&a, 0, sizeof a);
	if (add_options(cl, argc, argv, &a) == -1) {
		free(a.env);
		return (usage(cl, "add"));
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		ctl_eprintf(cl, "supertree: add: %s\n", argc == 0 ?
		    "no path given" : "no command given (after --)");
		free(a.env);
		return (usage(cl, "add"));
	}
	if (add_writable(cl, argc, argv, &a) == -1) {
		free(a.env);
		return (usage(cl, "add"));
	}
	parent = xstrdup(argv[0]);
	if ((name = strrchr(parent, '/')) != NULL)
		*name++ = '\0';
	else
		name = parent;
	if (!pool_name_ok(name) || (name != parent && *parent == '\0') ||
	    strlen(argv[0]) > 255) {
		ctl_eprintf(cl, "supertree: add: '%s': not a valid path (a "
		    "name is letters, digits, '_', '-' and '.')\n", argv[0]);
		free(parent);
		free(a.env);
		return (usage(cl, "add"));
	}
	pid = name == parent ? 0 : tree_lookup(sv_tree(top), parent);
	if (tree_lookup(sv_tree(top), argv[0]) != -1) {
		ctl_eprintf(cl, "supertree: add: %s: already in tree %s\n",
		    argv[0], sv_tree(top)->name);
		rv = EXIT_EXISTS;
		goto out;
	}
	pn = pid == -1 ? NULL : &sv_tree(top)->nodes[pid];
	if (pn == NULL || pn->kind != TREE_SUPERVISOR || pn->instances > 0) {
		if (pn == NULL)
			ctl_eprintf(cl, "supertree: add: %s: no such supervisor "
			    "in tree %s\n", parent, sv_tree(top)->name);
		else if (pn->kind != TREE_SUPERVISOR)
			ctl_eprintf(cl, "supertree: add: %s is a worker: a "
			    "worker cannot have children\n", parent);
		else
			ctl_eprintf(cl, "supertree: add: %s is a pool: its "
			    "children are its instances (use 'supertree "
			    "scale')\n", parent);
		rv = EXIT_NONODE;
		goto out;
	}
	a.w.path = argv[0];
	a.w.env = a.env;
	a.w.argv = argv + 1;
	text = overlay_section(&a.w);
	overlay_add(&ov, argv[0], text);
	if ((rv = pool_apply(cl, "add")) != 0) {
		overlay_remove(&ov, argv[0]);
		if (rv == EXIT_USAGE)
			ctl_eprintf(cl, "usage: supertree add [--no-wait] "
			    "[--restart TYPE] [--env KEY=VALUE]... [--ready "
			    "PROTOCOL] [--directory DIR] PATH/NAME -- COMMAND "
			    "[ARG...]\n");
		goto out;
	}
	p = remote_cmd_new(cl);
	if (!a.nowait)
		remote_cmd_added(p, argv[0]);
	pool_await(p, tree_lookup(sv_tree(top), argv[0]));
	free(parent);
	free(a.env);
	remote_cmd_sent(p, a.nowait);
	return;
out:
	free(parent);
	free(a.env);
	ctl_exit(cl, rv);
}

/*
 * A dynamic worker leaves the overlay, and so the tree (remove, and add
 * whose worker could not start). 0, or the exit status (said).
 */
static int
pool_drop(struct ctl_client *cl, const char *path, const char *cmd)
{
	char	*copy = xstrdup(path);	/* path may be the tree's */
	int	 rv;

	overlay_remove(&ov, copy);
	rv = pool_apply(cl, cmd);
	free(copy);
	return (rv);
}

/*
 * add: the worker at path could not start the first time (its exec
 * failed, or it was refused before it ever ran). As OTP's start_child
 * keeps no child whose start failed, it leaves the tree as remove takes
 * it out: a restart of its supervisor does not bring it back.
 */
void
pool_add_failed(struct ctl_client *cl, const char *path)
{
	if (overlay_has(&ov, path))
		(void)pool_drop(cl, path, "add");
}

/* remove PATH/NAME: a dynamic worker stops, then leaves the tree. */
static void
do_remove(struct ctl_client *cl, int argc, char **argv)
{
	struct sv		*top = remote_top();
	const struct tree_node	*n;
	struct pending		*p;
	char			*parent, *slash;
	int			 nowait, id, rv;

	if (pool_nowait(cl, argc, argv, &nowait) == -1)
		return (usage(cl, "remove"));
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		ctl_eprintf(cl, "supertree: remove: %s\n", argc == 0 ?
		    "no path given" : "one worker at a time");
		return (usage(cl, "remove"));
	}
	if ((id = tree_lookup(sv_tree(top), argv[0])) == -1) {
		ctl_eprintf(cl, "supertree: remove: %s: no such node in tree "
		    "%s\n", argv[0], sv_tree(top)->name);
		ctl_exit(cl, EXIT_NONODE);
		return;
	}
	n = &sv_tree(top)->nodes[id];
	/* A pool's instance: the way to take it out is scale. */
	if (id > 0 && sv_tree(top)->nodes[n->parent].instances > 0) {
		ctl_eprintf(cl, "supertree: remove: %s is an instance of the "
		    "pool %s, not from 'supertree add': use 'supertree scale'\n",
		    n->path, sv_tree(top)->nodes[n->parent].path);
		ctl_exit(cl, EXIT_STATIC);
		return;
	}
	if (!overlay_has(&ov, sv_tree(top)->nodes[id].path)) {
		ctl_eprintf(cl, "supertree: remove: %s comes from the spec "
		    "file, not from 'supertree add': remove its section and "
		    "reload\n", sv_tree(top)->nodes[id].path);
		ctl_exit(cl, EXIT_STATIC);
		return;
	}
	parent = xstrdup(sv_tree(top)->nodes[id].path);
	if ((slash = strrchr(parent, '/')) != NULL)
		*slash = '\0';
	if ((rv = pool_drop(cl, sv_tree(top)->nodes[id].path, "remove")) != 0) {
		free(parent);
		ctl_exit(cl, rv);
		return;
	}
	p = remote_cmd_new(cl);
	pool_settle(p, slash != NULL ? tree_lookup(sv_tree(top), parent) : 0);
	free(parent);
	remote_cmd_sent(p, nowait);
}
