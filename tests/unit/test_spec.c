/*
 * test_spec.c: spec_parse. Good specs are checked field by field
 * (defaults, paths, order, depth, digests); each kind of bad input is
 * checked for its exact message, line and section. Users and groups come
 * from a fake database (the module is pure), so no test depends on this
 * machine's /etc/passwd.
 */
#include <sys/types.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "tap.h"
#include "tree.h"
#include "xmalloc.h"

/* A worker, so that a spec can be valid. */
#define W "[w]\ncommand = sleep 1\n"

static int	fake_user(const char *, struct spec_user *);
static int	fake_uid(uid_t, struct spec_user *);
static int	fake_group(const char *, gid_t *);

/*
 * Users root (0, group 0, home /root) and www (33, group 34, no home or
 * shell); groups root (0) and www (34).
 */
static const struct spec_ids ids = { fake_user, fake_uid, fake_group };

static struct tree	*good(const char *, const char *);
static void		 bad(const char *, const char *, const char *);
static void		 badn(const char *, size_t, const char *,
			     const char *);
static struct tree_node	*node(struct tree *, const char *);
static void		 test_defaults(void);
static void		 test_names(void);
static void		 test_order(void);
static void		 test_settings(void);
static void		 test_ready_output(void);
static void		 test_digest(void);
static void		 test_syntax(void);
static void		 test_long_lines(void);
static void		 test_backslash(void);
static void		 test_bad_structure(void);
static void		 test_bad_keys(void);
static void		 test_bad_values(void);
static void		 test_bad_text(void);
static void		 test_many(void);

static int
fake_user(const char *name, struct spec_user *u)
{
	if (strcmp(name, "root") == 0)
		return (fake_uid(0, u));
	if (strcmp(name, "www") == 0)
		return (fake_uid(33, u));
	return (-1);
}

static int
fake_uid(uid_t uid, struct spec_user *u)
{
	if (uid != 0 && uid != 33)
		return (-1);
	u->uid = uid;
	u->gid = uid == 0 ? 0 : 34;
	u->name = uid == 0 ? "root" : "www";
	u->dir = uid == 0 ? "/root" : "";
	u->shell = uid == 0 ? "/bin/bash" : "";
	return (0);
}

static int
fake_group(const char *name, gid_t *gid)
{
	if (strcmp(name, "root") == 0)
		*gid = 0;
	else if (strcmp(name, "www") == 0)
		*gid = 34;
	else
		return (-1);
	return (0);
}

static struct tree *
good(const char *text, const char *what)
{
	struct tree	*t;
	char		*cause = NULL, *p;

	t = spec_parse("tree.ini", text, strlen(text), &ids, &cause);
	ok(t != NULL, "%s: valid", what);
	if (t == NULL) {
		for (p = strtok(cause, "\n"); p != NULL; p = strtok(NULL, "\n"))
			printf("#   %s\n", p);
	}
	free(cause);
	return (t);
}

static void
badn(const char *text, size_t len, const char *want, const char *what)
{
	struct tree	*t;
	char		*cause = NULL;

	t = spec_parse("tree.ini", text, len, &ids, &cause);
	ok(t == NULL, "%s: invalid", what);
	is_str(cause, want, "%s: message", what);
	tree_free(t);
	free(cause);
}

static void
bad(const char *text, const char *want, const char *what)
{
	badn(text, strlen(text), want, what);
}

static struct tree_node *
node(struct tree *t, const char *path)
{
	int	id = tree_lookup(t, path);

	return (id == -1 ? NULL : &t->nodes[id]);
}

static void
test_defaults(void)
{
	struct tree		*t;
	struct tree_node	*r, *w;

	t = good("[web]\ncommand = sleep 10\n", "minimal");
	if (t == NULL)
		return;
	is_int(t->nnodes, 2, "minimal: two nodes");
	is_str(t->file, "tree.ini", "minimal: file");
	is_str(t->name, "tree", "minimal: name from the file name");
	ok(t->socket == NULL, "minimal: no socket");
	is_int(t->pathwidth, 9, "minimal: pathwidth is strlen(supertree)");
	r = &t->nodes[0];
	is_str(r->path, "supertree", "root path");
	is_str(r->name, "supertree", "root name");
	is_int(r->id, 0, "root id");
	is_int(r->parent, -1, "root parent");
	is_int(r->depth, 0, "root depth");
	is_int(r->line, 0, "implicit root has line 0");
	is_int(r->kind, TREE_SUPERVISOR, "root is a supervisor");
	is_int(r->nchildren, 1, "root has one child");
	is_int(r->children[0], 1, "root's child is node 1");
	is_int(r->strategy, TREE_ONE_FOR_ONE, "default strategy");
	is_int(r->intensity, 3, "default intensity");
	is_int(r->period_ms, 5000, "default period");
	is_int(r->auto_shutdown, TREE_AUTO_NEVER, "default auto_shutdown");
	is_int(r->shutdown_ms, TREE_SHUTDOWN_INFINITY,
	    "supervisor shutdown defaults to infinity");
	ok(r->argv == NULL && r->env == NULL, "a supervisor has no argv, env");

	w = &t->nodes[1];
	is_str(w->path, "web", "worker path");
	is_str(w->name, "web", "worker name");
	is_int(w->id, 1, "worker id");
	is_int(w->parent, 0, "worker parent");
	is_int(w->depth, 1, "worker depth");
	is_int(w->index, 0, "worker index");
	is_int(w->line, 1, "worker line");
	is_int(w->kind, TREE_WORKER, "worker kind");
	is_int(w->nchildren, 0, "worker has no children");
	is_int(w->argc, 2, "argc");
	is_str(w->argv[0], "sleep", "argv[0]");
	is_str(w->argv[1], "10", "argv[1]");
	ok(w->argv[2] == NULL, "argv is NULL-terminated");
	is_int(w->restart, TREE_PERMANENT, "default restart");
	is_int(w->max_restarts, TREE_UNLIMITED, "default max_restarts");
	is_int(w->shutdown_ms, 5000, "worker shutdown defaults to 5s");
	is_int(w->significant, 0, "default significant");
	is_int(w->backoff_min_ms, 50, "default backoff_min");
	is_int(w->backoff_max_ms, 60000, "default backoff_max");
	ok(w->backoff_multiplier == 1.2, "default backoff_multiplier");
	is_int(w->backoff_reset_ms, 120000, "default backoff_reset");
	ok(w->nexit_codes == 1 && w->exit_codes[0] == 0, "default exit_codes");
	is_int(w->stop_signal, SIGTERM, "default stop_signal");
	ok(w->directory == NULL, "default directory");
	ok(w->env != NULL && w->env[0] == NULL && w->nenv == 0,
	    "default environment is empty");
	ok(w->user == NULL && w->group == NULL, "default user, group");
	is_int(w->umask, -1, "default umask");
	is_int(w->output, TREE_OUT_PREFIX, "default output");
	ok(w->output_path == NULL, "no output path");
	is_int(w->log_max_size, 10 * 1024 * 1024, "default log_max_size");
	is_int(w->log_keep, 3, "default log_keep");
	is_int(w->log_lines, 1000, "default log_lines");
	is_int(w->timestamps, 0, "default timestamps");
	is_int(w->ready, TREE_READY_EXEC, "default ready");
	is_int(w->start_timeout_ms, 30000, "default start_timeout");
	ok(w->digest != NULL && strlen(w->digest) == 32, "worker digest");
	ok(r->digest != NULL && strcmp(r->digest, w->digest) != 0,
	    "root digest");
	tree_free(t);
}

static void
test_names(void)
{
	struct tree	*t;
	char		*cause = NULL;
	const char	*text = W;

	t = spec_parse("/etc/supertree/web.ini", text, strlen(text), &ids,
	    &cause);
	is_str(t != NULL ? t->name : cause, "web", "name from a path");
	tree_free(t);
	t = spec_parse("-", text, strlen(text), &ids, &cause);
	is_str(t != NULL ? t->name : cause, "stdin", "name for stdin");
	tree_free(t);
	t = spec_parse("spec.conf", text, strlen(text), &ids, &cause);
	is_str(t != NULL ? t->name : cause, "spec.conf", "name keeps .conf");
	tree_free(t);
	text = "[supertree]\nname = my-tree_1.0\nsocket = /run/st.sock\n" W;
	t = spec_parse("x.ini", text, strlen(text), &ids, &cause);
	ok(t != NULL && strcmp(t->name, "my-tree_1.0") == 0 &&
	    strcmp(t->socket, "/run/st.sock") == 0, "name and socket keys");
	if (t != NULL) {
		struct tree	*u;
		const char	*other = "[supertree]\nname = my-tree_1.0\n"
		    "socket = /run/other.sock\n" W;

		u = spec_parse("x.ini", other, strlen(other), &ids, &cause);
		ok(u != NULL && strcmp(t->nodes[0].digest,
		    u->nodes[0].digest) != 0, "root digest covers socket");
		tree_free(u);
	}
	tree_free(t);
	text = W;
	t = spec_parse("my tree.ini", text, strlen(text), &ids, &cause);
	ok(t == NULL, "a bad default name fails");
	is_str(cause, "my tree.ini: tree name 'my tree' (from the file name) "
	    "is not valid: set 'name' in [supertree]", "bad default name");
	free(cause);
	text = "[supertree]\nname = ok\n" W;
	t = spec_parse("my tree.ini", text, strlen(text), &ids, &cause);
	ok(t != NULL && strcmp(t->name, "ok") == 0, "name key fixes it");
	tree_free(t);
}

static void
test_order(void)
{
	struct tree		*t;
	struct tree_node	*n;

	t = good("[db]\nstrategy = rest_for_one\n[web]\ncommand = a\n"
	    "[db/pg]\ncommand = b\n[db/cache]\ncommand = c\n[db/pg2]\n"
	    "[db/pg2/x]\ncommand = d\n[supertree]\nintensity = 7\n", "nested");
	if (t == NULL)
		return;
	is_int(t->nnodes, 7, "nested: seven nodes");
	/* Depth first: the db subtree is contiguous although web comes
	 * between db and its children in the file. */
	is_str(t->nodes[1].path, "db", "id 1 is db");
	is_str(t->nodes[2].path, "db/pg", "id 2 is db/pg");
	is_str(t->nodes[3].path, "db/cache", "id 3 is db/cache");
	is_str(t->nodes[4].path, "db/pg2", "id 4 is db/pg2");
	is_str(t->nodes[5].path, "db/pg2/x", "id 5 is db/pg2/x");
	is_str(t->nodes[6].path, "web", "id 6 is web");
	is_int(tree_subtree_end(t, 1), 6, "db's subtree ends before web");
	is_int(t->nodes[0].line, 12, "explicit root line");
	is_int(t->nodes[0].intensity, 7, "root settings from a late header");
	is_int(t->nodes[0].nchildren, 2, "root has db and web");
	is_int(t->nodes[0].children[0], 1, "root's first child is db");
	is_int(t->nodes[0].children[1], 6, "root's second child is web");
	n = node(t, "db");
	is_int(n->nchildren, 3, "db has three children");
	is_int(n->children[0], 2, "db's children in file order: pg");
	is_int(n->children[1], 3, "db's children in file order: cache");
	is_int(n->children[2], 4, "db's children in file order: pg2");
	is_int(n->strategy, TREE_REST_FOR_ONE, "db strategy");
	n = node(t, "db/pg2/x");
	is_int(n->depth, 3, "db/pg2/x depth");
	is_int(n->parent, 4, "db/pg2/x parent");
	is_str(n->name, "x", "db/pg2/x name");
	is_int(n->line, 10, "db/pg2/x line");
	is_int(node(t, "db/cache")->index, 1, "db/cache index");
	is_int(node(t, "web")->index, 1, "web index");
	is_int(t->pathwidth, 9, "pathwidth");
	tree_free(t);

	t = good("[a.b-c_D9]\n[a.b-c_D9/long-name.1]\ncommand = x\n", "names");
	if (t != NULL)
		is_int(t->pathwidth, 20, "pathwidth of the longest path");
	tree_free(t);
}

static void
test_settings(void)
{
	struct tree		*t;
	struct tree_node	*n;

	t = good("[supertree]\nstrategy = one_for_all\nintensity = infinity\n"
	    "period = 1.5s\nauto_shutdown = any_significant\nrestart = never\n"
	    "[sup]\nstrategy = REST_FOR_ONE\nintensity = 0\nshutdown = 10s\n"
	    "restart = transient\nsignificant = yes\nmax_restarts = 4\n"
	    "[sup/w]\n"
	    "command = sh -c 'exit 3'\nrestart = on-failure\n"
	    "max_restarts = infinity\nexit_codes = 3, 0 ,3 143\n"
	    "shutdown = brutal_kill\nstop_signal = sigint\n"
	    "backoff_min = 1s\nbackoff_max = 1m\nbackoff_multiplier = 2.5\n"
	    "backoff_reset = 1h\ndirectory = /tmp\n"
	    "environment = A=1 B='x y'\nuser = root\numask = 027\n"
	    "significant = true\noutput = null\nlog_max_size = 2K\n"
	    "log_keep = 0\nlog_lines = 0\ntimestamps = on\n"
	    "start_timeout = 250ms\n", "settings");
	if (t == NULL)
		return;
	n = &t->nodes[0];
	is_int(n->strategy, TREE_ONE_FOR_ALL, "root strategy");
	is_int(n->intensity, TREE_UNLIMITED, "intensity infinity");
	is_int(n->period_ms, 1500, "period");
	is_int(n->auto_shutdown, TREE_AUTO_ANY, "auto_shutdown");
	is_int(n->restart, TREE_TEMPORARY, "restart on the root is accepted");
	n = node(t, "sup");
	is_int(n->strategy, TREE_REST_FOR_ONE, "words ignore case");
	is_int(n->intensity, 0, "intensity 0");
	is_int(n->shutdown_ms, 10000, "supervisor shutdown");
	is_int(n->restart, TREE_TRANSIENT, "supervisor restart");
	is_int(n->significant, 1, "supervisor significant");
	is_int(n->max_restarts, 4, "supervisor max_restarts");
	n = node(t, "sup/w");
	is_int(n->argc, 3, "argc");
	is_str(n->argv[2], "exit 3", "quoted argument");
	is_int(n->restart, TREE_TRANSIENT, "on-failure is transient");
	is_int(n->max_restarts, TREE_UNLIMITED, "max_restarts infinity");
	is_int(n->nexit_codes, 3, "exit codes deduplicated");
	ok(n->exit_codes[0] == 0 && n->exit_codes[1] == 3 &&
	    n->exit_codes[2] == 143, "exit codes sorted");
	is_int(n->shutdown_ms, TREE_SHUTDOWN_BRUTAL, "brutal_kill");
	is_int(n->stop_signal, SIGINT, "stop_signal");
	is_int(n->backoff_min_ms, 1000, "backoff_min");
	is_int(n->backoff_max_ms, 60000, "backoff_max");
	ok(n->backoff_multiplier == 2.5, "backoff_multiplier");
	is_int(n->backoff_reset_ms, 3600000, "backoff_reset");
	is_str(n->directory, "/tmp", "directory");
	is_int(n->nenv, 2, "nenv");
	is_str(n->env[1], "B=x y", "env quoting");
	ok(n->env[2] == NULL, "env is NULL-terminated");
	is_str(n->user, "root", "user");
	ok(n->uid == 0 && n->gid == 0, "root's uid and primary gid");
	ok(n->group == NULL, "group unset");
	ok(n->user_env != NULL && strcmp(n->user_env[0], "HOME=/root") == 0 &&
	    strcmp(n->user_env[1], "USER=root") == 0 &&
	    strcmp(n->user_env[2], "LOGNAME=root") == 0 &&
	    strcmp(n->user_env[3], "SHELL=/bin/bash") == 0 &&
	    n->user_env[4] == NULL, "the user's HOME, USER, LOGNAME, SHELL");
	is_int(n->umask, 027, "umask is octal");
	is_int(n->significant, 1, "significant");
	is_int(n->output, TREE_OUT_NULL, "output null");
	is_int(n->log_max_size, 2048, "log_max_size 2K");
	is_int(n->log_keep, 0, "log_keep");
	is_int(n->log_lines, 0, "log_lines");
	is_int(n->timestamps, 1, "timestamps");
	is_int(n->start_timeout_ms, 250, "start_timeout");
	tree_free(t);

	t = good("[w]\ncommand = x\nuser = 0\ngroup = 0\nlog_max_size = 3m\n"
	    "shutdown = infinity\nmax_restarts = 0\n", "numeric ids");
	if (t != NULL) {
		n = &t->nodes[1];
		ok(n->uid == 0 && n->gid == 0, "numeric user and group");
		is_int(n->log_max_size, 3 * 1024 * 1024, "log_max_size 3m");
		is_int(n->shutdown_ms, TREE_SHUTDOWN_INFINITY, "infinity");
		is_int(n->max_restarts, 0, "max_restarts 0");
	}
	tree_free(t);
	t = good("[w]\ncommand = x\nuser = www\n", "a user without home");
	if (t != NULL) {
		n = &t->nodes[1];
		ok(n->uid == 33 && n->gid == 34, "www's uid and primary gid");
		ok(strcmp(n->user_env[0], "HOME=/") == 0 &&
		    strcmp(n->user_env[3], "SHELL=/bin/sh") == 0,
		    "no home is /, no shell /bin/sh");
	}
	tree_free(t);
	t = good("[w]\ncommand = x\ngroup = root\nlog_max_size = 1G\n",
	    "group only");
	if (t != NULL) {
		ok(t->nodes[1].user == NULL && t->nodes[1].gid == 0,
		    "group without user");
		is_int(t->nodes[1].log_max_size, 1024LL * 1024 * 1024, "1G");
	}
	tree_free(t);
}

static void
test_ready_output(void)
{
	struct tree		*t;
	struct tree_node	*n;

	t = good("[a]\ncommand = x\nready = fd:3\noutput = inherit\n"
	    "[b]\ncommand = x\nready = notify\noutput = file:/var/log/b.log\n"
	    "[c]\ncommand = x\nready = tcp:8080\n"
	    "[d]\ncommand = x\nready = tcp:localhost:80\n"
	    "[e]\ncommand = x\nready = tcp:[::1]:443\n"
	    "[f]\ncommand = x\nready = exec:sh -c 'test -e /tmp/x'\n"
	    "[g]\ncommand = x\nready = exec\n", "ready and output");
	if (t == NULL)
		return;
	n = node(t, "a");
	ok(n->ready == TREE_READY_FD && n->ready_fd == 3, "ready fd:3");
	is_int(n->output, TREE_OUT_INHERIT, "output inherit");
	n = node(t, "b");
	is_int(n->ready, TREE_READY_NOTIFY, "ready notify");
	is_int(n->output, TREE_OUT_FILE, "output file");
	is_str(n->output_path, "/var/log/b.log", "output path");
	n = node(t, "c");
	is_int(n->ready, TREE_READY_TCP, "ready tcp");
	is_str(n->ready_host, "127.0.0.1", "tcp host default");
	is_int(n->ready_port, 8080, "tcp port");
	n = node(t, "d");
	is_str(n->ready_host, "localhost", "tcp host");
	is_int(n->ready_port, 80, "tcp port with host");
	n = node(t, "e");
	is_str(n->ready_host, "::1", "tcp IPv6 host");
	is_int(n->ready_port, 443, "tcp IPv6 port");
	n = node(t, "f");
	is_int(n->ready, TREE_READY_PROBE, "ready exec:CMD");
	is_str(n->ready_argv[2], "test -e /tmp/x", "probe argv");
	ok(n->ready_argv[3] == NULL, "probe argv is NULL-terminated");
	is_int(node(t, "g")->ready, TREE_READY_EXEC, "ready exec");
	tree_free(t);
}

static void
test_digest(void)
{
	struct tree	*a, *b;
	const char	*base = "[db]\n[db/pg]\ncommand = postgres -D /x\n"
	    "shutdown = 5s\n[web]\ncommand = web\nrestart = permanent\n";

	a = good(base, "digest base");
	b = good("[db]\n[db/pg]\ncommand = 'postgres' \"-D\" /x\n"
	    "shutdown = 5000ms\n[web]\ncommand = web\nrestart = always\n",
	    "digest, same meaning");
	if (a == NULL || b == NULL)
		goto out;
	is_str(a->nodes[2].digest, b->nodes[2].digest,
	    "same settings spelled otherwise: same digest (db/pg)");
	is_str(a->nodes[3].digest, b->nodes[3].digest,
	    "same settings spelled otherwise: same digest (web)");
	tree_free(b);
	b = good("[db]\n[db/pg]\ncommand = postgres -D /y\nshutdown = 5s\n"
	    "[web]\ncommand = web\n", "digest, another command");
	if (b == NULL)
		goto out;
	ok(strcmp(a->nodes[2].digest, b->nodes[2].digest) != 0,
	    "digest covers the command");
	tree_free(b);
	b = good("[db]\n[db/pg]\ncommand = postgres -D /x\nshutdown = 6s\n"
	    "[web]\ncommand = web\n", "digest, one change");
	if (b == NULL)
		goto out;
	ok(strcmp(a->nodes[2].digest, b->nodes[2].digest) != 0,
	    "a changed key changes the digest");
	is_str(a->nodes[1].digest, b->nodes[1].digest,
	    "the parent's digest is unchanged");
	is_str(a->nodes[3].digest, b->nodes[3].digest,
	    "the sibling's digest is unchanged");
	tree_free(b);
	b = good("[db]\nintensity = 4\n[db/pg]\ncommand = postgres -D /x\n"
	    "shutdown = 5s\n[web]\ncommand = web\n", "digest, sup change");
	if (b != NULL)
		ok(strcmp(a->nodes[1].digest, b->nodes[1].digest) != 0,
		    "a supervisor key changes its digest");
	tree_free(b);
	b = good("[db]\n[db/pg]\ncommand = postgres -D /x\nshutdown = 5s\n"
	    "[web]\ncommand = web\nenvironment = A=1\n", "digest, env");
	if (b != NULL)
		ok(strcmp(a->nodes[3].digest, b->nodes[3].digest) != 0,
		    "the environment is in the digest");
	tree_free(b);
	b = good("[db]\n[db/pg]\ncommand = postgres '-D /x'\nshutdown = 5s\n"
	    "[web]\ncommand = web\n", "digest, argv");
	if (b != NULL)
		ok(strcmp(a->nodes[2].digest, b->nodes[2].digest) != 0,
		    "argument boundaries are in the digest");
	tree_free(b);
	b = NULL;
out:
	tree_free(a);
	tree_free(b);
}

static void
test_syntax(void)
{
	struct tree		*t;
	struct tree_node	*n;

	t = good("; comment\n# comment\n[w]\ncommand = sh -c\n  'echo hi;\n"
	    "\n  # an indented comment line is a comment\n"
	    "    echo there'\nenvironment = A=1\n\tB=2 ; a comment\n"
	    "restart: temporary\n", "continuations");
	if (t != NULL) {
		n = &t->nodes[1];
		is_int(n->argc, 3, "continued command: argc");
		is_str(n->argv[2], "echo hi; echo there",
		    "continued command joined with a space");
		is_int(n->nenv, 2, "continued environment");
		is_str(n->env[1], "B=2", "comment cut from a continuation");
		is_int(n->restart, TREE_TEMPORARY, "key: value syntax");
	}
	tree_free(t);
	t = good("[w]\ncommand =\n    python3 -m http.server\n", "empty first");
	if (t != NULL) {
		is_int(t->nodes[1].argc, 3, "value on the continuation line");
		is_str(t->nodes[1].argv[0], "python3", "no leading space");
	}
	tree_free(t);
	t = good("[w]\ncommand = echo a;b ; comment\n", "inline comment");
	if (t != NULL) {
		is_int(t->nodes[1].argc, 2, "inline comment cut");
		is_str(t->nodes[1].argv[1], "a;b", "';' without a blank kept");
	}
	tree_free(t);
	t = good("\xef\xbb\xbf[w]\r\ncommand = sleep 1\r\n  2\r\n",
	    "BOM, CRLF");
	if (t != NULL) {
		is_int(t->nodes[1].argc, 3, "CRLF lines");
		is_str(t->nodes[1].argv[2], "2", "no CR in values");
	}
	tree_free(t);
	t = good("[w]\ncommand = sleep 1", "no final newline");
	tree_free(t);
	t = good("[w] ; comment\ncommand = x\n", "comment after a header");
	tree_free(t);
	t = good("[w]\ncommand = '' \"\" ' '\n", "empty words");
	if (t != NULL) {
		is_int(t->nodes[1].argc, 3, "empty words are arguments");
		is_str(t->nodes[1].argv[0], "", "an empty argv[0]");
	}
	tree_free(t);
}

/* "1 2 3 ... to" (sep between), allocated. */
static char *
seq(int from, int to, const char *sep)
{
	char	*s = NULL;
	size_t	 n;
	FILE	*f;
	int	 i;

	f = open_memstream(&s, &n);
	for (i = from; i <= to; i++)
		fprintf(f, "%s%d", i > from ? sep : "", i);
	fclose(f);
	return (s);
}

/* Do argv[first..] hold the numbers from..to? */
static int
has_seq(struct tree_node *n, int first, int from, int to)
{
	char	num[16];
	int	i;

	if (n->argc < first + to - from + 1)
		return (0);
	for (i = from; i <= to; i++) {
		snprintf(num, sizeof num, "%d", i);
		if (strcmp(n->argv[first + i - from], num) != 0)
			return (0);
	}
	return (1);
}

/*
 * Lines longer than inih's 200-byte buffer: up to the 4 MiB spec cap,
 * they read as they would with an unlimited buffer.
 */
static void
test_long_lines(void)
{
	struct tree		*t;
	struct tree_node	*n;
	char			*text, *words, *tok, *cause;
	size_t			 len, i;
	int			 wrong;

	/* Every length around the piece sizes, spaces at every edge. */
	wrong = 0;
	tok = malloc(700);
	for (len = 150; len < 650; len++) {
		for (i = 0; i < len; i++)
			tok[i] = "ab c  d   e"[i % 11];
		tok[len] = '\0';
		tok[len - 1] = 'z';
		xasprintf(&text, "[w]\ncommand = printf %%s '%s'\n", tok);
		t = spec_parse("tree.ini", text, strlen(text), &ids, &cause);
		if (t == NULL || t->nodes[1].argc != 3 ||
		    strcmp(t->nodes[1].argv[2], tok) != 0)
			wrong++;
		tree_free(t);
		free(text);
		/* The same on a continuation line. */
		xasprintf(&text, "[w]\ncommand = printf %%s\n\t'%s'  \n",
		    tok);
		t = spec_parse("tree.ini", text, strlen(text), &ids, &cause);
		if (t == NULL || t->nodes[1].argc != 3 ||
		    strcmp(t->nodes[1].argv[2], tok) != 0)
			wrong++;
		tree_free(t);
		free(text);
	}
	free(tok);
	is_int(wrong, 0, "lines of 150 to 667 bytes: every value exact");
	tok = malloc(256);
	memset(tok, 'n', 255);
	tok[255] = '\0';
	xasprintf(&text, "[%s]\ncommand = x\n", tok);
	t = good(text, "a section name of 255 bytes");
	ok(t != NULL && strcmp(t->nodes[1].path, tok) == 0,
	    "a section name of 255 bytes: its path");
	tree_free(t);
	free(text);
	free(tok);

	/* 1 KB and 64 KB command lines. */
	words = seq(1, 350, " ");
	xasprintf(&text, "[w]\ncommand = echo %s\n", words);
	ok(strlen(text) > 1024 + 10, "a 1 KB command line");
	t = good(text, "a 1 KB command line");
	ok(t != NULL && t->nodes[1].argc == 351 && has_seq(&t->nodes[1], 1,
	    1, 350), "a 1 KB command line: every argument");
	tree_free(t);
	free(text);
	free(words);
	words = seq(1, 13000, " ");
	xasprintf(&text, "[w]\ncommand = echo %s\n", words);
	ok(strlen(text) > 65536 + 10, "a 64 KB command line");
	t = good(text, "a 64 KB command line");
	ok(t != NULL && t->nodes[1].argc == 13001 && has_seq(&t->nodes[1], 1,
	    1, 13000), "a 64 KB command line: every argument");
	tree_free(t);
	free(text);

	/* 1 KB and 64 KB environment lines. */
	tok = seq(1, 13000, "-");
	xasprintf(&text, "[w]\ncommand = x\nenvironment = A=%.1100s "
	    "BIG='%s  x' C=3\n", tok, tok);
	t = good(text, "a 64 KB environment line");
	if (t != NULL) {
		n = &t->nodes[1];
		is_int(n->nenv, 3, "a 64 KB environment line: nenv");
		ok(strncmp(n->env[0], "A=", 2) == 0 &&
		    strncmp(n->env[0] + 2, tok, 1100) == 0 &&
		    strlen(n->env[0]) == 1102, "a 1 KB variable exact");
		ok(strncmp(n->env[1], "BIG=", 4) == 0 &&
		    strncmp(n->env[1] + 4, tok, strlen(tok)) == 0 &&
		    strcmp(n->env[1] + 4 + strlen(tok), "  x") == 0,
		    "a 64 KB variable exact");
		is_str(n->env[2], "C=3", "the variable after it");
	}
	tree_free(t);
	free(text);
	free(tok);

	/* A long continuation line, comments cut from long lines. */
	xasprintf(&text, "[w]\ncommand = echo\n\t  %s ; %s\n"
	    "environment = A=1 ; %s\nrestart = temporary\n", words, words,
	    words);
	t = good(text, "a long continuation line");
	if (t != NULL) {
		n = &t->nodes[1];
		ok(n->argc == 13001 && has_seq(n, 1, 1, 13000),
		    "a long continuation line: every argument");
		ok(n->nenv == 1 && strcmp(n->env[0], "A=1") == 0,
		    "a long comment cut from a key line");
		is_int(n->restart, TREE_TEMPORARY, "the key after it");
	}
	tree_free(t);
	free(text);
	xasprintf(&text, "[w]\ncommand = printf %%s 'a;b   '   ; %s\n",
	    words);
	t = good(text, "spaces before a long comment");
	if (t != NULL)
		is_str(t->nodes[1].argv[2], "a;b   ", "spaces in quotes kept");
	tree_free(t);
	free(text);
	xasprintf(&text, "[w]\ncommand = sh -c 'echo %s ; echo'\n",
	    words);
	xasprintf(&cause, "tree.ini:2: [w]: key 'command': unbalanced "
	    "quotes (a single quote is not closed); note that a ';' after a "
	    "blank starts a comment");
	bad(text, cause, "a comment inside quotes on a long line");
	free(cause);
	free(text);

	/* Long comment, blank and CRLF lines; long lines in errors. */
	xasprintf(&text, "[w]\n; %s\n   # %s\n%5000s\ncommand = echo "
	    "%s\r\n", words, words, "", words);
	t = good(text, "long comments, a long blank line, CRLF");
	ok(t != NULL && t->nodes[1].argc == 13001 &&
	    strcmp(t->nodes[1].argv[13000], "13000") == 0, "no CR kept");
	tree_free(t);
	free(text);
	xasprintf(&text, "[w]\ncommand = x\n%s\nrestart = bad\n", words);
	bad(text, "tree.ini:3: [w]: expected 'key = value', a [section] "
	    "header or a comment\ntree.ini:4: [w]: key 'restart': invalid "
	    "value 'bad' (use permanent, transient or temporary)",
	    "a long bad line, once, and the line numbers after it");
	free(text);
	xasprintf(&text, "= %s\n" W, words);
	bad(text, "tree.ini:1: key '' comes before any [section] header",
	    "a long line without a key, before any section");
	free(text);
	xasprintf(&text, W "= %s\n", words);
	bad(text, "tree.ini:3: [w]: missing key name before '='",
	    "a long line without a key");
	free(text);
	tok = seq(1, 100, "_");
	xasprintf(&text, W "%s = 1\n", tok);
	bad(text, "tree.ini:3: [w]: unknown key '1_2_3_4_5_6_7_8_9_10_11_12_"
	    "13_14_15_16_17_18_19_20_21_22_23_24_2...'", "a long key name");
	free(text);
	xasprintf(&text, "[%s]\ncommand = x\n" W, tok);
	bad(text, "tree.ini:1: [1_2_3_4_5_6_7_8_9_10_11_12_13_14_15_16_17_18_19_"
	    "20_21_22_23_24_2...]: section name too long (291 bytes; the limit is "
	    "255)", "a long section name");
	free(text);
	xasprintf(&text, "[w\nx = %s\n  %s\n" W, words, words);
	bad(text, "tree.ini:1: section header without ']'", "the keys of a "
	    "bad section are skipped, long lines too");
	free(text);
	free(tok);
	free(words);
}

/* A line ending in a backslash continues with nothing in between. */
static void
test_backslash(void)
{
	struct tree		*t;
	struct tree_node	*n;
	struct tree		*u;

	t = good("[w]\ncommand = curl http://example.com/a/\\\n"
	    "      b/c\\\n\n\t; a comment between\n  /d?e=f\nrestart = "
	    "transient\n", "backslash");
	if (t != NULL) {
		n = &t->nodes[1];
		is_int(n->argc, 2, "backslash: argc");
		is_str(n->argv[1], "http://example.com/a/b/c/d?e=f",
		    "backslash and indentation dropped");
		is_int(n->restart, TREE_TRANSIENT, "backslash: the next key");
	}
	tree_free(t);
	t = good("[w]\ncommand = echo a\\\\\n  b\n", "escaped backslash");
	if (t != NULL) {
		n = &t->nodes[1];
		ok(n->argc == 3 && strcmp(n->argv[1], "a\\") == 0 &&
		    strcmp(n->argv[2], "b") == 0,
		    "an even number of backslashes does not continue");
	}
	tree_free(t);
	t = good("[w]\ncommand = echo a\\ ; note\n  b\n", "comment");
	if (t != NULL) {
		ok(t->nodes[1].argc == 2 && strcmp(t->nodes[1].argv[1],
		    "a b") == 0, "a comment after a backslash ends the line");
	}
	tree_free(t);
	t = good("[w]\ncommand = echo \\\n  restart=1\\\n  [x]\n"
	    "environment = A=1\\\n  2 B=3\n", "keys after a backslash");
	if (t != NULL) {
		n = &t->nodes[1];
		ok(n->argc == 2 && strcmp(n->argv[1], "restart=1[x]") == 0,
		    "what looks like a key or header is text after a "
		    "backslash");
		ok(n->nenv == 2 && strcmp(n->env[0], "A=12") == 0,
		    "backslash in environment");
	}
	tree_free(t);
	t = good("[w]\ncommand = echo abcdef\n", "one line");
	u = good("[w]\ncommand = echo a\\\n b\\\n  cd\\\n   ef\n",
	    "the same on four lines");
	ok(t != NULL && u != NULL && strcmp(t->nodes[1].digest,
	    u->nodes[1].digest) == 0, "the same digest");
	tree_free(t);
	tree_free(u);
	bad("[w]\ncommand = echo a\\\n[v]\ncommand = echo b\\\n",
	    "tree.ini:2: [w]: key 'command': the line ends in '\\' but no "
	    "indented line follows to continue it (indent the next line, or "
	    "remove the '\\')\n"
	    "tree.ini:4: [v]: key 'command': the line ends in '\\' but no "
	    "indented line follows to continue it (indent the next line, or "
	    "remove the '\\')", "a backslash at the end");
	bad(W "directory = /tmp\\\nrestart = permanent\n",
	    "tree.ini:3: [w]: key 'directory': the line ends in '\\' but no "
	    "indented line follows to continue it (indent the next line, or "
	    "remove the '\\')", "a backslash before a key");
}

static void
test_bad_structure(void)
{
	bad("", "tree.ini: no workers: add a section with a command",
	    "empty text");
	bad("; nothing\n\n", "tree.ini: no workers: add a section with a "
	    "command", "only comments");
	bad("[supertree]\nstrategy = one_for_all\n", "tree.ini: no workers: "
	    "add a section with a command", "only the root");
	bad("[a]\n[a/b]\n", "tree.ini: no workers: add a section with a "
	    "command", "only supervisors");
	bad("[w]\ncommand = x\n[v]\n[w]\ncommand = y\n", "tree.ini:4: [w]: "
	    "duplicate section (first at line 1)", "duplicate section");
	bad("[supertree]\n" W "[supertree]\n", "tree.ini:4: [supertree]: "
	    "duplicate section (first at line 1)", "duplicate root");
	bad(W "[a/b]\ncommand = x\n", "tree.ini:3: [a/b]: parent section [a] "
	    "is missing: add it before this section", "missing parent");
	bad(W "[a/b]\ncommand = x\n[a]\n", "tree.ini:3: [a/b]: parent section "
	    "[a] must come before its child (it is at line 5)",
	    "child before parent");
	bad(W "[w/c]\ncommand = x\n", "tree.ini:3: [w/c]: parent section [w] "
	    "has a command, so it is a worker and cannot have children",
	    "child of a worker");
	bad(W "[a b]\n", "tree.ini:3: [a b]: invalid section name (use "
	    "letters, digits, '_', '-' and '.', with '/' between levels)",
	    "blank in a section name");
	bad(W "[é]\n", "tree.ini:3: [é]: invalid section name (use "
	    "letters, digits, '_', '-' and '.', with '/' between levels)",
	    "non-ASCII section name");
	bad(W "[]\n", "tree.ini:3: []: empty section name", "empty section");
	bad(W "[a//b]\n", "tree.ini:3: [a//b]: invalid section name: '' is "
	    "not a valid path segment", "empty segment");
	bad(W "[/a]\n", "tree.ini:3: [/a]: invalid section name: '' is not "
	    "a valid path segment", "leading slash");
	bad(W "[a/]\n", "tree.ini:3: [a/]: invalid section name: '' is not "
	    "a valid path segment", "trailing slash");
	bad(W "[..]\n", "tree.ini:3: [..]: invalid section name: '..' is "
	    "not a valid path segment", "dot-dot");
	bad(W "[a/.]\n", "tree.ini:3: [a/.]: invalid section name: '.' is "
	    "not a valid path segment", "dot");
	bad(W "[supertree/x]\n", "tree.ini:3: [supertree/x]: nodes are named "
	    "without the root: write [x]", "root in a path");
	bad(W "[x\n", "tree.ini:3: section header without ']'",
	    "unclosed header");
	bad(W "[x] y\n", "tree.ini:3: [x]: unexpected text after ']'",
	    "text after a header");
	bad("command = x\n" W, "tree.ini:1: key 'command' comes before any "
	    "[section] header", "key before any section");
	bad(W "just words\n", "tree.ini:3: [w]: expected 'key = value', a "
	    "[section] header or a comment", "line without =");
	bad(W "= x\n", "tree.ini:3: [w]: missing key name before '='",
	    "empty key name");
}

static void
test_bad_keys(void)
{
	bad(W "comand = x\n", "tree.ini:3: [w]: unknown key 'comand' (did "
	    "you mean 'command'?)", "unknown key, near miss");
	bad(W "restarts = always\n", "tree.ini:3: [w]: unknown key "
	    "'restarts' (did you mean 'restart'?)", "unknown key, plural");
	bad(W "env = A=1\n", "tree.ini:3: [w]: unknown key 'env' (did you "
	    "mean 'environment'?)", "unknown key, alias");
	bad(W "backoff = 1s\n", "tree.ini:3: [w]: unknown key 'backoff' (did "
	    "you mean 'backoff_min'?)", "unknown key, prefix");
	bad(W "frobnicate = 1\n", "tree.ini:3: [w]: unknown key 'frobnicate'",
	    "unknown key, no suggestion");
	bad(W "command = y\n", "tree.ini:3: [w]: duplicate key 'command' "
	    "(first at line 2)", "duplicate key");
	bad(W "[s]\ndirectory = /tmp\n", "tree.ini:4: [s]: key 'directory' "
	    "needs 'command' (a section without command is a supervisor)",
	    "worker key without command");
	bad(W "[s]\nready = notify\n", "tree.ini:4: [s]: key 'ready' needs "
	    "'command' (a section without command is a supervisor)",
	    "ready without command");
	bad(W "strategy = one_for_all\n", "tree.ini:3: [w]: key 'strategy' "
	    "is for supervisors (a section with command is a worker)",
	    "supervisor key on a worker");
	bad(W "name = x\n", "tree.ini:3: [w]: key 'name' is only allowed in "
	    "[supertree]", "root key elsewhere");
	bad("[supertree]\ncommand = x\n" W, "tree.ini:2: [supertree]: key "
	    "'command' is not allowed in [supertree]: the root is always a "
	    "supervisor", "command on the root");
	bad(W "  restart = always\n", "tree.ini:3: [w]: indented key "
	    "'restart' would continue the value of 'command': remove the "
	    "indentation", "indented key");
	bad(W "  [x]\n", "tree.ini:3: [w]: indented section header [x] "
	    "would continue the value of 'command': remove the indentation",
	    "indented header");
}

static void
test_bad_values(void)
{
	char	sock[160];

	bad(W "shutdown = 5x\n", "tree.ini:3: [w]: key 'shutdown': invalid "
	    "duration '5x' (use e.g. 250ms, 5s, 1.5s, 2m, 1h)", "duration");
	bad(W "start_timeout = 0\n", "tree.ini:3: [w]: key 'start_timeout': "
	    "must be more than 0", "zero start_timeout");
	bad("[supertree]\nperiod = 0s\n" W, "tree.ini:2: [supertree]: key "
	    "'period': must be more than 0", "zero period");
	bad(W "timestamps = maybe\n", "tree.ini:3: [w]: key 'timestamps': "
	    "invalid boolean 'maybe' (use true or false, yes or no, on or "
	    "off, 1 or 0)", "boolean");
	bad(W "log_lines = 1000001\n", "tree.ini:3: [w]: key 'log_lines': "
	    "number out of range '1000001' (0 to 1000000)", "int range");
	bad(W "log_keep = many\n", "tree.ini:3: [w]: key 'log_keep': invalid "
	    "number 'many'", "int");
	bad(W "max_restarts = -1\n", "tree.ini:3: [w]: key 'max_restarts': "
	    "invalid value '-1' (use a whole number from 0, or unlimited)",
	    "limit");
	bad(W "restart = sometimes\n", "tree.ini:3: [w]: key 'restart': "
	    "invalid value 'sometimes' (use permanent, transient or "
	    "temporary)", "restart word");
	bad("[s]\nstrategy = one_for_none\n" W, "tree.ini:2: [s]: key "
	    "'strategy': invalid value 'one_for_none' (use one_for_one, "
	    "one_for_all or rest_for_one)", "strategy word");
	bad("[s]\nauto_shutdown = always\n" W, "tree.ini:2: [s]: key "
	    "'auto_shutdown': invalid value 'always' (use never, "
	    "any_significant or all_significant)", "auto_shutdown word");
	bad(W "stop_signal = SIGFOO\n", "tree.ini:3: [w]: key 'stop_signal': "
	    "unknown signal 'SIGFOO' (use a name such as TERM or INT, or a "
	    "number 1 to 64)", "signal");
	bad(W "exit_codes = 0 256\n", "tree.ini:3: [w]: key 'exit_codes': "
	    "number out of range '256' (0 to 255)", "exit code range");
	bad(W "exit_codes = ,\n", "tree.ini:3: [w]: key 'exit_codes': "
	    "invalid exit codes ',' (use numbers from 0 to 255, e.g. 0 or 0, "
	    "143)", "empty exit codes");
	bad(W "umask = 0999\n", "tree.ini:3: [w]: key 'umask': invalid umask "
	    "'0999' (use octal from 000 to 777, e.g. 022)", "umask");
	bad(W "umask = 1777\n", "tree.ini:3: [w]: key 'umask': invalid umask "
	    "'1777' (use octal from 000 to 777, e.g. 022)", "umask range");
	bad(W "output = file:\n", "tree.ini:3: [w]: key 'output': invalid "
	    "output 'file:' (use prefix, inherit, null or file:PATH)",
	    "output");
	bad(W "log_max_size = 10T\n", "tree.ini:3: [w]: key 'log_max_size': "
	    "invalid size '10T' (use bytes, or a number with K, M or G, e.g. "
	    "10M)", "size");
	bad(W "log_max_size = 99999999999G\n", "tree.ini:3: [w]: key "
	    "'log_max_size': size out of range '99999999999G' (too large)",
	    "size overflow");
	bad(W "backoff_multiplier = 0.5\n", "tree.ini:3: [w]: key "
	    "'backoff_multiplier': multiplier out of range '0.5' (1 to 100)",
	    "multiplier range");
	bad(W "backoff_multiplier = 1,5\n", "tree.ini:3: [w]: key "
	    "'backoff_multiplier': invalid multiplier '1,5' (use a number "
	    "from 1 to 100, e.g. 1.5)", "multiplier");
	bad(W "backoff_min = 2m\n", "tree.ini:3: [w]: key 'backoff_min': 2m "
	    "is more than backoff_max 1m", "backoff_min > default max");
	bad(W "backoff_min = 2s\nbackoff_max = 1s\n", "tree.ini:4: [w]: key "
	    "'backoff_max': 1s is less than backoff_min 2s", "backoff order");
	bad(W "ready = tcp:0\n", "tree.ini:3: [w]: key 'ready': invalid "
	    "ready 'tcp:0' (the port must be from 1 to 65535)", "tcp port");
	bad(W "ready = tcp::80\n", "tree.ini:3: [w]: key 'ready': invalid "
	    "ready 'tcp::80' (use exec, fd:N, notify, tcp:[HOST:]PORT or "
	    "exec:COMMAND)", "tcp empty host");
	bad(W "ready = tcp:example.com:80\n", "tree.ini:3: [w]: key 'ready': "
	    "invalid ready 'tcp:example.com:80' (the host must be an IP address "
	    "or localhost)", "ready tcp host name");
	bad(W "ready = fd:2\n", "tree.ini:3: [w]: key 'ready': invalid ready "
	    "'fd:2' (the descriptor must be from 3 to 1023)", "ready fd");
	bad(W "ready = exec:\n", "tree.ini:3: [w]: key 'ready': empty command",
	    "empty probe");
	bad(W "ready = soon\n", "tree.ini:3: [w]: key 'ready': invalid ready "
	    "'soon' (use exec, fd:N, notify, tcp:[HOST:]PORT or "
	    "exec:COMMAND)", "ready word");
	bad(W "environment = A=1 1B=2\n", "tree.ini:3: [w]: key "
	    "'environment': invalid variable name in '1B=2' (use letters, "
	    "digits and '_', not starting with a digit)", "environment");
	bad(W "user = no-such-user-here\n", "tree.ini:3: [w]: key 'user': "
	    "unknown user 'no-such-user-here'", "unknown user");
	bad(W "group = no-such-group-here\n", "tree.ini:3: [w]: key 'group': "
	    "unknown group 'no-such-group-here'", "unknown group");
	bad(W "user = 987654\n", "tree.ini:3: [w]: key 'user': uid 987654 has "
	    "no passwd entry, so set 'group' too", "uid without entry");
	bad(W "directory =\n", "tree.ini:3: [w]: key 'directory': empty value",
	    "empty directory");
	bad("[supertree]\nname = a b\n" W, "tree.ini:2: [supertree]: key "
	    "'name': invalid name 'a b' (use 1 to 64 letters, digits, '_', "
	    "'-' and '.')", "bad name");
	snprintf(sock, sizeof sock, "[supertree]\nsocket = /tmp/%0108d\n" W,
	    0);
	bad(sock, "tree.ini:2: [supertree]: key 'socket': socket path too "
	    "long (113 bytes; the limit is 107)", "long socket path");
	bad("[w]\ncommand = sh -c 'echo\n", "tree.ini:2: [w]: key 'command': "
	    "unbalanced quotes (a single quote is not closed)",
	    "unbalanced quotes");
	bad("[w]\ncommand = sh -c \"a ; b\"\n", "tree.ini:2: [w]: key "
	    "'command': unbalanced quotes (a double quote is not closed); note "
	    "that a ';' after a blank starts a comment", "quote and comment");
	bad("[w]\ncommand =\n", "tree.ini:2: [w]: key 'command': empty "
	    "command", "empty command");
}

static void
test_bad_text(void)
{
	badn(W "x = \0y\n", strlen(W) + 7, "tree.ini:3: not a text file (it "
	    "contains a NUL byte)", "NUL byte");
	bad(W "command = \xff\n", "tree.ini:3: not a text file (it is not "
	    "valid UTF-8)", "invalid UTF-8");
	bad(W "x = \xc0\xaf\n", "tree.ini:3: not a text file (it is not "
	    "valid UTF-8)", "overlong UTF-8");
	bad(W "x = \xed\xa0\x80\n", "tree.ini:3: not a text file (it is not "
	    "valid UTF-8)", "UTF-16 surrogate");
	bad(W "x = \xe2\x82\n", "tree.ini:3: not a text file (it is not "
	    "valid UTF-8)", "truncated UTF-8");
	bad(W "x = \x1b[0m\n", "tree.ini:3: not a text file (it contains the "
	    "control character 0x1b)", "escape character");
	bad(W "a\rb\n", "tree.ini:3: not a text file (it contains the control "
	    "character 0x0d)", "lone CR");
	badn("\x7f" "ELF\x02\x01\x01\0\0\0", 10, "tree.ini:1: not a text file "
	    "(it contains the control character 0x7f)", "binary");
}

static void
test_many(void)
{
	char	*text, *cause = NULL, *p;
	size_t	 size = 1 << 20, n = 0;
	int	 i, lines;
	struct tree *t;

	/* Several errors, found in different passes, come in line order. */
	bad("[w]\nrestart = sometimes\ncomand = x\n[w/x]\n[v]\nuser = root\n"
	    "shutdown = forever\n[line-too-long]\nx = " "0123456789012345678901"
	    "2345678901234567890123456789012345678901234567890123456789012345"
	    "6789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901\n",
	    "tree.ini:2: [w]: key 'restart': invalid value 'sometimes' (use "
	    "permanent, transient or temporary)\n"
	    "tree.ini:3: [w]: unknown key 'comand' (did you mean 'command'?)\n"
	    "tree.ini:6: [v]: key 'user' needs 'command' (a section without "
	    "command is a supervisor)\n"
	    "tree.ini:7: [v]: key 'shutdown': invalid duration 'forever' (use "
	    "e.g. 250ms, 5s, 1.5s, 2m, 1h)\n"
	    "tree.ini:9: [line-too-long]: unknown key 'x'\n"
	    "tree.ini: no workers: add a section with a command",
	    "all errors in line order");

	/* A flood of errors is cut after 100. */
	text = malloc(size);
	n = snprintf(text, size, W);
	for (i = 0; i < 150; i++)
		n += snprintf(text + n, size - n, "bogus%d = 1\n", i);
	t = spec_parse("tree.ini", text, n, &ids, &cause);
	ok(t == NULL, "150 errors: invalid");
	for (lines = 1, p = cause; p != NULL && *p != '\0'; p++)
		lines += *p == '\n';
	is_int(lines, 101, "150 errors: 100 shown and a summary");
	ok(cause != NULL && strstr(cause, "\ntree.ini: too many errors (50 "
	    "more not shown)") != NULL, "150 errors: summary line");
	free(cause);

	/* Too many sections: 100000 and the root make the 100001 allowed. */
	free(text);
	size = 4 << 20;
	text = malloc(size);
	n = 0;
	for (i = 0; i < 100001; i++)
		n += snprintf(text + n, size - n, "[w%d]\ncommand = x\n", i);
	t = spec_parse("tree.ini", text, n, &ids, &cause);
	ok(t == NULL, "100001 sections: invalid");
	is_str(cause, "tree.ini:200001: too many sections (a tree has at most "
	    "100001 nodes)", "100001 sections: message");
	free(cause);
	t = spec_parse("tree.ini", text, n - strlen("[w100000]\ncommand = x\n"),
	    &ids, &cause);
	ok(t != NULL && t->nnodes == 100001, "100000 sections: valid");
	tree_free(t);
	free(text);
}

int
main(void)
{
	test_defaults();
	test_names();
	test_order();
	test_settings();
	test_ready_output();
	test_digest();
	test_syntax();
	test_long_lines();
	test_backslash();
	test_bad_structure();
	test_bad_keys();
	test_bad_values();
	test_bad_text();
	test_many();
	return (done_testing());
}
