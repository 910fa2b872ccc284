/*
 * test_pool.c: pools in the spec (spec_pool.c): a section with
 * 'instances' becomes a supervisor with one worker per instance, %i and
 * %% are replaced, SUPERTREE_INSTANCE is set, a slice expands the pool
 * again to the same nodes, and each bad input has its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlay.h"
#include "spec.h"
#include "tap.h"
#include "tree.h"
#include "xmalloc.h"

static struct tree *
parse(const char *text, char **cause)
{
	*cause = NULL;
	return (spec_parse("t.ini", text, strlen(text), NULL, cause));
}

static const char *
env_of(const struct tree_node *n, const char *name)
{
	size_t	len = strlen(name);
	int	i;

	for (i = 0; n->env != NULL && n->env[i] != NULL; i++) {
		if (strncmp(n->env[i], name, len) == 0 && n->env[i][len] == '=')
			return (n->env[i] + len + 1);
	}
	return (NULL);
}

static void
test_expand(void)
{
	struct tree		*t;
	const struct tree_node	*p, *w;
	char			*cause;
	const char		*text =
	    "[web]\n"
	    "command = serve --port 80%i --name 'a%%b'\n"
	    "instances = 3\n"
	    "environment = SLOT=%i\n"
	    "directory = /srv/%i\n"
	    "output = file:/var/log/web%i.log\n"
	    "restart = transient\n"
	    "strategy = one_for_all\n"
	    "intensity = 7\n"
	    "[other]\n"
	    "command = sleep 1\n";
	int			 id;

	t = parse(text, &cause);
	ok(t != NULL, "a pool parses (%s)", cause ? cause : "");
	if (t == NULL)
		return;
	is_int(t->nnodes, 6, "root, pool, 3 instances, other");
	id = tree_lookup(t, "web");
	p = &t->nodes[id];
	is_int(p->kind, TREE_SUPERVISOR, "the pool is a supervisor");
	is_int(p->instances, 3, "it knows its size");
	is_int(p->strategy, TREE_ONE_FOR_ALL, "strategy on a pool");
	is_int(p->intensity, 7, "intensity on a pool");
	is_int(p->restart, TREE_PERMANENT, "restart is the instances'");
	is_int(p->nchildren, 3, "three children");
	ok(strncmp(text + p->inst_off, "instances = 3\n", p->inst_len) == 0 &&
	    p->inst_len == 14, "the instances line is found");
	is_str(t->nodes[id + 4].path, "other", "the next section follows");
	w = &t->nodes[tree_lookup(t, "web/2")];
	is_int(w->kind, TREE_WORKER, "an instance is a worker");
	is_int(w->instance, 2, "it knows its number");
	is_int(w->parent, id, "under the pool");
	is_str(w->argv[2], "802", "%%i in command");
	is_str(w->argv[4], "a%b", "%%%% in command");
	is_str(env_of(w, "SLOT"), "2", "%%i in environment");
	is_str(env_of(w, "SUPERTREE_INSTANCE"), "2", "SUPERTREE_INSTANCE");
	is_str(w->directory, "/srv/2", "%%i in directory");
	is_str(w->output_path, "/var/log/web2.log", "%%i in output");
	is_int(w->restart, TREE_TRANSIENT, "child keys go to the instances");
	ok(w->digest != NULL && strcmp(w->digest,
	    t->nodes[tree_lookup(t, "web/1")].digest) != 0,
	    "instances differ by digest");
	is_int(w->text_len, 0, "an instance has no text of its own");
	tree_free(t);
}

static void
test_slice(void)
{
	struct tree		*t, *s;
	char			*cause, *slice;
	size_t			 len;
	const char		*text =
	    "[a]\n"
	    "[a/pool]\n"
	    "command = x %i\n"
	    "instances = 4\n"
	    "[a/z]\n"
	    "command = z\n";
	int			 id, i;

	t = parse(text, &cause);
	ok(t != NULL, "a nested pool parses");
	if (t == NULL)
		return;
	id = tree_lookup(t, "a/pool");
	slice = tree_slice(t, text, id, &len);
	s = spec_parse_slice("t.ini", slice, len, 2, NULL, &cause);
	ok(s != NULL, "its slice parses");
	if (s != NULL) {
		is_int(s->nnodes, 7, "root, a, the pool, 4 instances");
		for (i = 1; i <= 4; i++) {
			char	path[32];

			snprintf(path, sizeof path, "a/pool/%d", i);
			is_int(tree_lookup(s, path), tree_lookup(t, path) -
			    (id - 2), "%s has its id in the slice", path);
		}
		is_str(s->nodes[tree_lookup(s, "a/pool/3")].digest,
		    t->nodes[tree_lookup(t, "a/pool/3")].digest,
		    "and the same digest");
		tree_free(s);
	}
	free(slice);
	slice = tree_slice(t, text, tree_lookup(t, "a"), &len);
	s = spec_parse_slice("t.ini", slice, len, 1, NULL, &cause);
	ok(s != NULL && s->nnodes == 8 &&
	    tree_lookup(s, "a/pool/4") == tree_lookup(t, "a/pool/4"),
	    "a grandparent's slice expands the pool too");
	tree_free(s);
	free(slice);
	tree_free(t);
}

static void
bad(const char *text, const char *want, const char *what)
{
	struct tree	*t;
	char		*cause;

	t = parse(text, &cause);
	ok(t == NULL && cause != NULL && strcmp(cause, want) == 0, "%s", what);
	if (t == NULL && cause != NULL && strcmp(cause, want) != 0)
		printf("#   got '%s'\n#  want '%s'\n", cause, want);
	tree_free(t);
	free(cause);
}

static void
test_bad(void)
{
	bad("[a]\ncommand = x %d\ninstances = 2\n",
	    "t.ini:2: [a]: key 'command': '%d' in a pool: use %i for the "
	    "instance number or %% for a percent sign", "%d is refused");
	bad("[a]\ncommand = x\ninstances = 0\n",
	    "t.ini:3: [a]: key 'instances': number out of range '0' (1 to "
	    "10000)", "instances = 0");
	bad("[a]\ncommand = x\ninstances = 10001\n",
	    "t.ini:3: [a]: key 'instances': number out of range '10001' (1 "
	    "to 10000)", "instances = 10001");
	bad("[a]\ninstances = 2\n[a/b]\ncommand = x\n",
	    "t.ini:2: [a]: key 'instances' needs 'command' (a section "
	    "without command is a supervisor)", "instances without command");
	bad("[a]\ncommand = x\ninstances = 2\n[a/b]\ncommand = x\n",
	    "t.ini:4: [a/b]: parent section [a] is a pool (it has "
	    "'instances'): its children are its instances",
	    "a child section under a pool");
	bad("[a]\ncommand = x\ninstances = 3\nrestart = bogus\n",
	    "t.ini:4: [a/1]: key 'restart': invalid value 'bogus' (use "
	    "permanent, transient or temporary)",
	    "an instance's error is said once");
}

static void
test_plain(void)
{
	struct tree	*t;
	char		*cause;

	t = parse("[a]\ncommand = echo 100%i\n", &cause);
	ok(t != NULL && strcmp(t->nodes[1].argv[1], "100%i") == 0 &&
	    t->nodes[1].instances == 0 && t->nodes[1].instance == 0,
	    "without instances, %%i is left alone");
	tree_free(t);
}

static void
test_overlay(void)
{
	struct overlay		 ov;
	struct overlay_worker	 w;
	struct tree		*t, *e;
	char			*cause, *text;
	char			*argv[] = { "sh", "-c", "echo 'a ; b'", NULL };
	char			*env[] = { "K=v w", NULL };
	const char		*file =
	    "[web]\n"
	    "command = x %i\n"
	    "instances = 2 ; two\n"
	    "[sup]\n"
	    "[sup/a]\n"
	    "command = a";
	const struct tree_node	*n;
	size_t			 len;
	int			 id;

	t = parse(file, &cause);
	ok(t != NULL, "the file parses");
	if (t == NULL)
		return;
	overlay_init(&ov);
	overlay_set_size(&ov, "web", 2, 5);
	is_int(overlay_size(&ov, "web"), 5, "a live size is kept");
	memset(&w, 0, sizeof w);
	w.path = "sup/d";
	w.restart = "temporary";
	w.ready = "fd:3";
	w.directory = "/tmp";
	w.env = env;
	w.argv = argv;
	overlay_add(&ov, "sup/d", overlay_section(&w));
	ok(overlay_has(&ov, "sup/d") && !overlay_has(&ov, "sup/a"),
	    "a dynamic worker is known");
	text = overlay_apply(&ov, t, file, strlen(file), &len);
	e = parse(text, &cause);
	ok(e != NULL, "the text made parses (%s)", cause ? cause : "");
	if (e != NULL) {
		id = tree_lookup(e, "web");
		is_int(e->nodes[id].instances, 5, "the pool has its live size");
		is_int(e->nodes[id].nchildren, 5, "... and 5 instances");
		id = tree_lookup(e, "sup/d");
		ok(id != -1, "the dynamic worker is in the tree");
		n = &e->nodes[id];
		is_int(n->dynamic, 1, "... marked dynamic");
		is_int(n->parent, tree_lookup(e, "sup"), "... under its parent");
		is_int(n->index, 1, "... after its file siblings");
		is_int(n->restart, TREE_TEMPORARY, "... --restart");
		is_int(n->ready, TREE_READY_FD, "... --ready");
		is_str(n->directory, "/tmp", "... --directory");
		is_str(n->argv[2], "echo 'a ; b'", "words with ' and ; kept");
		is_str(n->env[0], "K=v w", "... --env");
		is_int(e->nodes[tree_lookup(e, "sup/a")].dynamic, 0,
		    "a file worker is not dynamic");
		tree_free(e);
	}
	free(text);
	free(cause);
	overlay_set_size(&ov, "web", 2, 2);
	is_int(overlay_size(&ov, "web"), -1, "the file's size: no change held");
	overlay_set_size(&ov, "web", 2, 3);
	is_int(overlay_refresh(&ov, t), 0, "a refresh by the same file keeps all");
	tree_free(t);
	t = parse("[web]\ncommand = x\ninstances = 4\n[w]\ncommand = w\n",
	    &cause);
	is_int(overlay_refresh(&ov, t), 2, "a new file drops what no longer fits");
	ok(overlay_size(&ov, "web") == -1 && !overlay_has(&ov, "sup/d"),
	    "... the size of a changed pool, a worker whose parent went");
	is_int(overlay_remove(&ov, "sup/d"), -1, "it is gone");
	tree_free(t);
	overlay_free(&ov);
}

int
main(void)
{
	test_overlay();
	test_expand();
	test_slice();
	test_bad();
	test_plain();
	return (done_testing());
}
