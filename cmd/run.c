/*
 * run.c: `supertree run FILE`, and the entry point of a child supervisor
 * process (`supertree __sv FILE ID DEPTH WIDTH [-q]`, started by its
 * parent with its link on fd 3 and its slice of the spec in a sealed
 * memfd on fd 4: see svspawn.c).
 *
 * The process that runs `supertree run` is the top of the tree: its one
 * child is the root supervisor, a process of its own. The top holds the
 * control socket and the mirror of the whole tree's state (each
 * supervisor below holds only its own slice of it); if the root is
 * killed the top wipes what is left, and if the top is killed the root
 * sees its link close and stops the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cmd.h"
#include "addr.h"
#include "cgroup.h"
#include "ctl.h"
#include "http.h"
#include "log.h"
#include "nofile.h"
#include "notify.h"
#include "nstate.h"
#include "proc.h"
#include "remote.h"
#include "sink.h"
#include "spec.h"
#include "resolve.h"
#include "sv.h"
#include "tree.h"
#include "xmalloc.h"

/*
 * Our stdout and stderr never block the loop (sink.c); at exit, what a
 * slow reader has not taken yet gets this long, then is dropped.
 */
#define RUN_STDIO_LINGER_MS	200

/* The exit status of a supervisor whose run ended so. */
static int
run_status(enum sv_end end)
{
	switch (end) {
	case SV_END_OK:
		return (EXIT_OK);
	case SV_END_INTERRUPTED:
		return (EXIT_INTERRUPTED);
	case SV_END_FAILED:
		break;
	}
	return (EXIT_FAIL);
}

/*
 * STATUS= for systemd: counts kept up to date one node at a time, so a
 * state change costs O(1) however large the tree.
 */
static uint8_t	*counted;	/* per node: 1 up, 2 failing */
static int	 nup, nfailing, nworkers = -1;
static int	 notified_ready;

static void
run_notify_count(int id)
{
	const struct tree	*t = remote_tree();
	const struct nstate	*st = &remote_mirror()[id];
	char			 buf[128];
	int			 i, now;

	if (!notify_active())
		return;
	if (nworkers == -1) {
		counted = xcalloc(t->nnodes, 1);
		for (i = 0, nworkers = 0; i < t->nnodes; i++)
			nworkers += t->nodes[i].kind == TREE_WORKER;
	}
	if (id >= t->nnodes || t->nodes[id].kind != TREE_WORKER)
		return;
	now = st->state == NS_RUNNING || st->state == NS_READY ||
	    st->state == NS_RELOADING ? 1 :
	    st->state == NS_BACKOFF || st->state == NS_FAILED ? 2 : 0;
	if (now == counted[id])
		return;
	nup += (now == 1) - (counted[id] == 1);
	nfailing += (now == 2) - (counted[id] == 2);
	counted[id] = now;
	snprintf(buf, sizeof buf, "STATUS=%d of %d workers up%s", nup,
	    nworkers, nfailing ? ", some failing" : "");
	notify_send(buf);
}

/* Node id changed state: READY=1 once the root is ready, and STATUS=. */
void
run_notify_state(int id)
{
	if (!notified_ready && id == 0 && remote_mirror()[0].ready) {
		notified_ready = 1;
		notify_send("READY=1");
	}
	run_notify_count(id);
}

/* A reload changes the node ids: count again from scratch. */
void
run_notify_reset(void)
{
	int	i, n = remote_tree()->nnodes;

	free(counted);
	counted = NULL;
	nup = nfailing = 0;
	nworkers = -1;
	for (i = 0; i < n; i++)
		run_notify_count(i);
}

/*
 * A tree with a cgroup key or cgroup keys on its workers needs a cgroup v2
 * directory it may write to, offering their controllers: said here, with
 * what to do, before anything starts. Then the tree's own directory is
 * made (the top's pid names it: this process is the top).
 */
static int
run_cgroup(struct tree *t, const char *file)
{
	char	*base, *dir, *cause = NULL;

	if (t->cgroup == NULL && !cgroup_needed(t))
		return (0);
	if ((base = cgroup_base(t->cgroup, &cause)) == NULL) {
		fprintf(stderr, "supertree: %s: %s: cgroup keys (memory_max, "
		    "memory_high, cpu_weight, cpu_max, pids_max, cgroup) need "
		    "a writable cgroup v2 directory: run under systemd with "
		    "Delegate=yes, in a container, or as root with cgroup = "
		    "PATH, or remove them\n", file, cause);
		free(cause);
		return (-1);
	}
	if (cgroup_check(t, base, &cause) == -1) {
		fprintf(stderr, "supertree: %s: %s; delegate the controller "
		    "(cgroup.subtree_control of the parent) or remove the "
		    "key\n", file, cause);
		free(cause);
		free(base);
		return (-1);
	}
	dir = cgroup_tree_dir(base, (long)getpid());
	free(base);
	if (cgroup_tree_create(dir, t, &cause) == -1) {
		fprintf(stderr, "supertree: %s: cgroup: %s\n", file, cause);
		free(cause);
		free(dir);
		return (-1);
	}
	free(dir);
	return (0);
}

/* Runs t, whose spec text (allocated, NUL-terminated) it takes. */
int
run_tree(struct tree *t, char *text, size_t len, const char *sockopt,
    int quiet, int wrap)
{
	struct event_base	*base;
	struct sv		*top;
	struct ctl		*ctl;
	struct http		*http = NULL;
	char			*path, *cause = NULL;
	enum ctl_err		 err;
	int			 rv;

	path = ctl_socket_path(sockopt != NULL ? sockopt : cmd_socket,
	    t->socket, t->name);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	top = sv_new(base, t, -1, 0, text, len);
	sv_set_quiet(top, quiet);
	remote_init(top, wrap);
	ctl = ctl_listen(base, path, remote_request, top, &err, &cause);
	if (ctl == NULL) {
		log_warnx("%s", cause);
		free(cause);
		free(path);
		/* text is the top's: it exits */
		return (cmd_ctl_status(err));
	}
	if (t->http != NULL &&
	    (http = http_start(top, t->http, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		ctl_close(ctl);
		free(path);
		return (EXIT_SOCKET);
	}
	notify_init();
	sink_stdio_init(base);
	/* Give back what checking the spec used and freed (see below). */
	malloc_trim(0);
	rv = run_status(sv_run(top, -1));
	http_stop(http);
	sink_stdio_finish(RUN_STDIO_LINGER_MS);
	ctl_close(ctl);
	free(path);
	if (wrap)
		rv = wrap_status();
	event_base_free(base);
	return (rv);
}

int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "http", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct tree	*t;
	const char	*sockopt = NULL, *httpopt = NULL;
	char		*text, *host, *cause;
	size_t		 len;
	int		 ch, quiet = 0, rv, port;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:qS:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'S':
			sockopt = optarg;
			break;
		case 'H':
			if (addr_parse(optarg, &host, &port, &cause) == -1) {
				log_warnx("--http '%s': %s", optarg, cause);
				free(cause);
				return (EXIT_USAGE);
			}
			free(host);
			httpopt = optarg;
			break;
		default:
			cmd_option_error("run", ch, argv);
			return (cmd_usage("run", EXIT_USAGE));
		}
	}
	if (argc - optind != 1) {
		if (argc == optind)
			fprintf(stderr, "supertree: run: no FILE given (- reads "
			    "stdin)\n");
		else
			fprintf(stderr, "supertree: run: one FILE at a time "
			    "('%s' is one too many)\n", argv[optind + 1]);
		return (cmd_usage("run", EXIT_USAGE));
	}
	if ((t = check_load(argv[optind], &text, &len)) == NULL)
		return (EXIT_USAGE);
	if (run_cgroup(t, argv[optind]) == -1) {
		tree_free(t);
		free(text);
		return (EXIT_USAGE);
	}
	/* --http wins over the spec's http key. */
	if (httpopt != NULL) {
		free(t->http);
		t->http = xstrdup(httpopt);
	}
	rv = run_tree(t, text, len, sockopt, quiet, 0);
	tree_free(t);
	return (rv);
}

/* Read the whole memfd the parent handed us. */
static char *
read_fd(int fd, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (len + 4096 > cap) {
			cap = (len + 4096) * 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*lenp = len;
	/* Kept for good (sv_new takes it): no more than it holds. */
	return (xrealloc(buf, len + 1));
}

/* A number from our command line: internal use only, so never wrong. */
static int
child_arg(const char *s, const char *what)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > INT32_MAX)
		fatalx("__sv: bad %s '%s'", what, s);
	return ((int)v);
}

int
sv_child_main(int argc, char **argv)
{
	struct event_base	*base;
	struct tree		*t;
	struct sv		*sv;
	char			*text, *cause = NULL;
	size_t			 len;
	int			 gid, id, width, rv, quiet, i;

	if (argc < 5)
		fatalx("__sv: internal use only");
	fcntl(3, F_SETFD, FD_CLOEXEC);
	fcntl(4, F_SETFD, FD_CLOEXEC);
	text = read_fd(4, &len);
	close(4);
	gid = child_arg(argv[2], "node id");
	id = child_arg(argv[3], "depth");
	width = child_arg(argv[4], "path width");
	if ((t = spec_parse_slice(argv[1], text, len, id, &resolve_ids,
	    &cause)) == NULL)
		fatalx("%s: spec changed under us: %s", argv[1], cause);
	if (id >= t->nnodes || id > gid ||
	    t->nodes[id].kind != TREE_SUPERVISOR || t->nodes[id].depth != id)
		fatalx("__sv: bad node id %d", gid);
	/* Output lines stay aligned with the whole tree's. */
	t->pathwidth = width;
	quiet = 0;
	for (i = 5; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			nofile_init(argv[++i]);
	}
	/* The title overwrites argv: read it all before. */
	proc_title_set("supertree: %s", id == 0 ? t->name :
	    t->nodes[id].path);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	sv = sv_new(base, t, id, gid - id, text, len);
	sv_set_quiet(sv, quiet);
	sink_stdio_init(base);
	/*
	 * Parsing used far more memory than the tree it built: give the
	 * freed pages back, for there is one such process per supervisor.
	 */
	malloc_trim(0);
	rv = run_status(sv_run(sv, 3));
	sink_stdio_finish(RUN_STDIO_LINGER_MS);
	return (rv);
}
