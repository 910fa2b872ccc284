/*
 * test_dep.c: dependencies as a pure graph (dep.c): the after list's
 * syntax, paths resolved or refused, cycles found and named (through
 * after lists, containment and ordered starts), the start and stop order
 * of a supervisor's children, and when a wait is met.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dep.h"
#include "spec.h"
#include "tap.h"
#include "tree.h"

static struct tree	*parse(const char *, char **);
static int		 fails(const char *, const char *);
static void		 test_parse(void);
static void		 test_check(void);
static void		 test_cycles(void);
static void		 test_order(void);
static void		 test_met(void);
static void		 test_slice(void);

static struct tree *
parse(const char *text, char **cause)
{
	*cause = NULL;
	return (spec_parse("t.ini", text, strlen(text), NULL, cause));
}

/* Does text fail with an error that contains want? */
static int
fails(const char *text, const char *want)
{
	struct tree	*t;
	char		*cause;
	int		 r;

	t = parse(text, &cause);
	if (t != NULL) {
		tree_free(t);
		printf("#   parsed: %s\n", text);
		return (0);
	}
	r = strstr(cause, want) != NULL;
	if (!r)
		printf("#   %s\n", cause);
	free(cause);
	return (r);
}

static void
test_parse(void)
{
	struct tree_after	*a;
	char			*cause;
	int			 n, i;

	ok(dep_parse("db/pg:started, migrate  web:ready x:succeeded", &a, &n,
	    &cause) == 0, "a list with blanks and commas parses");
	is_int(n, 4, "four entries");
	is_str(a[0].path, "db/pg", "the path before the colon");
	is_int(a[0].cond, TREE_COND_STARTED, "started");
	is_int(a[1].cond, TREE_COND_DEFAULT, "no condition: the default");
	is_int(a[2].cond, TREE_COND_READY, "ready");
	is_int(a[3].cond, TREE_COND_SUCCEEDED, "succeeded");
	for (i = 0; i < n; i++)
		free(a[i].path);
	free(a);
	ok(dep_parse("db:done", &a, &n, &cause) == -1 &&
	    strstr(cause, "invalid condition 'done'") != NULL,
	    "an unknown condition is refused: %s", cause);
	free(cause);
	ok(dep_parse(":ready", &a, &n, &cause) == -1 &&
	    strstr(cause, "invalid node path") != NULL,
	    "an empty path is refused");
	free(cause);
	ok(dep_parse("/db", &a, &n, &cause) == -1, "a leading slash is "
	    "refused");
	free(cause);
	ok(dep_parse(" , ", &a, &n, &cause) == -1, "an empty list is refused");
	free(cause);
	is_str(dep_cond_name(TREE_COND_DEFAULT), "ready", "default's name");
}

static void
test_check(void)
{
	struct tree	*t;
	char		*cause;
	int		 db, web, mig;

	t = parse("[supertree]\nstart = parallel\n[db]\n[db/pg]\n"
	    "command = sleep 1\n[migrate]\ncommand = true\noneshot = true\n"
	    "after = db/pg\n[web]\ncommand = sleep 1\n"
	    "after = migrate db:started\n", &cause);
	ok(t != NULL, "a valid tree with after lists parses");
	if (t == NULL) {
		free(cause);
		return;
	}
	db = tree_lookup(t, "db");
	web = tree_lookup(t, "web");
	mig = tree_lookup(t, "migrate");
	ok(t->nodes[0].parallel, "start = parallel");
	ok(t->nodes[mig].oneshot, "oneshot = true");
	is_int(t->nodes[mig].restart, TREE_TRANSIENT,
	    "a one-shot is transient by default");
	is_int(t->nodes[web].after[0].id, mig, "paths resolve to ids");
	is_int(t->nodes[web].after[1].id, db, "a supervisor too");
	is_int(dep_cond(t, &t->nodes[web].after[0]), TREE_COND_SUCCEEDED,
	    "the default is succeeded for a one-shot");
	is_int(dep_cond(t, &t->nodes[mig].after[0]), TREE_COND_READY,
	    "and ready otherwise");
	is_int(t->nodes[web].after_line, 12, "the after key's line");
	tree_free(t);

	ok(fails("[a]\ncommand = sleep 1\nafter = nope\n",
	    "t.ini:3: [a]: key 'after': unknown node 'nope'"),
	    "an unknown path fails with its line");
	ok(fails("[a]\ncommand = sleep 1\nafter = a\n",
	    "t.ini:3: [a]: key 'after': 'a' is this node itself"),
	    "the node itself fails");
	ok(fails("[supertree]\nafter = a\n[a]\ncommand = sleep 1\n",
	    "t.ini:2: [supertree]: key 'after' is not allowed"),
	    "the root cannot wait");
	ok(fails("[a]\ncommand = sleep 1\nafter = b:soon\n",
	    "invalid condition 'soon'"), "a bad condition fails");
	ok(fails("[a]\nstart = sometimes\n[a/w]\ncommand = true\n",
	    "key 'start': invalid value 'sometimes' (use ordered or "
	    "parallel)"), "a bad start fails");
	ok(fails("[a]\ncommand = true\nstart = parallel\n",
	    "key 'start' is for supervisors"), "start is for supervisors");
	ok(fails("[a]\noneshot = true\n[a/w]\ncommand = true\n",
	    "key 'oneshot' needs 'command'"), "oneshot is for workers");
}

static void
test_cycles(void)
{
	ok(fails("[supertree]\nstart = parallel\n[a]\ncommand = sleep 1\n"
	    "after = b\n[b]\ncommand = sleep 1\nafter = a\n",
	    "t.ini:5: [a]: key 'after': cycle: a -> b -> a"),
	    "two nodes waiting for each other");
	ok(fails("[supertree]\nstart = parallel\n[a]\ncommand = sleep 1\n"
	    "after = c\n[b]\ncommand = sleep 1\nafter = a\n[c]\n"
	    "command = sleep 1\nafter = b\n",
	    "cycle: a -> c -> b -> a"), "three nodes: the whole cycle");
	ok(fails("[a]\ncommand = sleep 1\nafter = b\n[b]\ncommand = sleep 1\n",
	    "cycle: a -> b -> a ([supertree] starts its children in order"),
	    "an ordered start waits for the sibling before: a cycle");
	ok(fails("[s]\n[s/w]\ncommand = sleep 1\nafter = s\n",
	    "cycle: s/w -> s -> s/w"),
	    "waiting for its own supervisor to be ready");
	ok(fails("[s]\nafter = s/w:started\n[s/w]\ncommand = sleep 1\n",
	    "cycle: s -> s/w -> s"), "a supervisor waiting for its child");
	ok(fails("[supertree]\nstart = parallel\n[x]\n[x/a]\n"
	    "command = sleep 1\nafter = y/b\n[y]\n[y/b]\ncommand = sleep 1\n"
	    "after = x\n", "cycle: x/a -> y/b -> x -> x/a"),
	    "across subtrees, through a supervisor's readiness");
	ok(!fails("[s]\n[s/w]\ncommand = sleep 1\nafter = s:started\n", ""),
	    "waiting for its supervisor to be started is fine");
	ok(!fails("[a]\ncommand = sleep 1\n[b]\ncommand = sleep 1\n"
	    "after = a\n", ""), "after an earlier sibling in order is fine");
}

static void
test_order(void)
{
	struct tree	*t;
	char		*cause;
	int		 order[4];

	t = parse("[supertree]\nstart = parallel\n[web]\n[web/srv]\n"
	    "command = sleep 1\nafter = db/pg\n[db]\n[db/pg]\n"
	    "command = sleep 1\n[tool]\ncommand = sleep 1\n[cache]\n"
	    "command = sleep 1\n", &cause);
	ok(t != NULL, "parallel tree parses");
	if (t == NULL) {
		free(cause);
		return;
	}
	dep_order(t, 0, order);
	ok(order[0] == 1 && order[1] == 0 && order[2] == 2 && order[3] == 3,
	    "a subtree waited for comes first, the rest in file order "
	    "(%d %d %d %d)", order[0], order[1], order[2], order[3]);
	dep_order(t, tree_lookup(t, "web"), order);
	is_int(order[0], 0, "one child: itself");
	tree_free(t);
}

static void
test_met(void)
{
	struct nstate	st;
	unsigned	b;

	memset(&st, 0, sizeof st);
	st.state = NS_STOPPED;
	b = dep_bits(&st, 0);
	ok(!dep_met(TREE_COND_STARTED, b) && !dep_met(TREE_COND_READY, b) &&
	    !dep_met(TREE_COND_DEFAULT, b), "stopped meets nothing");
	st.state = NS_STARTING;
	b = dep_bits(&st, 0);
	ok(dep_met(TREE_COND_STARTED, b) && !dep_met(TREE_COND_READY, b),
	    "starting: started, not ready");
	st.state = NS_READY;
	st.ready = 1;
	b = dep_bits(&st, 0);
	ok(dep_met(TREE_COND_READY, b) && dep_met(TREE_COND_DEFAULT, b) &&
	    !dep_met(TREE_COND_SUCCEEDED, b), "ready: ready, the default");
	st.state = NS_RUNNING;
	b = dep_bits(&st, 1);
	ok(dep_met(TREE_COND_STARTED, b) && !dep_met(TREE_COND_DEFAULT, b),
	    "a running one-shot: started, but not its default");
	st.state = NS_DONE;
	st.ready = 0;
	b = dep_bits(&st, 1);
	ok(dep_met(TREE_COND_DEFAULT, b) && dep_met(TREE_COND_SUCCEEDED, b) &&
	    dep_met(TREE_COND_READY, b) && dep_met(TREE_COND_STARTED, b),
	    "a one-shot done meets every condition");
	st.state = NS_EXITED;
	st.last_exit = 0;
	ok(dep_met(TREE_COND_SUCCEEDED, dep_bits(&st, 0)),
	    "exited with 0 succeeded");
	st.last_exit = 1;
	ok(!dep_met(TREE_COND_SUCCEEDED, dep_bits(&st, 0)),
	    "exited with 1 did not");
	st.state = NS_BACKOFF;
	ok(!dep_met(TREE_COND_STARTED, dep_bits(&st, 0)),
	    "backoff meets nothing: a dependent waits again");
	st.state = NS_FAILED;
	ok(!dep_met(TREE_COND_SUCCEEDED, dep_bits(&st, 1)),
	    "a failed one-shot did not succeed");
}

/* A slice keeps paths outside it unresolved, without an error. */
static void
test_slice(void)
{
	static const char text[] = "[supertree]\nstart = parallel\n"
	    "[db]\n[db/pg]\ncommand = sleep 1\n[app]\n[app/web]\n"
	    "command = sleep 1\nafter = db/pg\n";
	struct tree	*t, *s;
	char		*cause, *slice;
	size_t		 len;

	t = parse(text, &cause);
	ok(t != NULL, "whole tree parses");
	if (t == NULL) {
		free(cause);
		return;
	}
	slice = tree_slice(t, text, tree_lookup(t, "app"), &len);
	s = spec_parse_slice("t.ini", slice, len, 1, NULL, &cause);
	ok(s != NULL, "the slice of app parses");
	if (s != NULL) {
		is_int(s->nodes[2].nafter, 1, "app/web keeps its after list");
		is_int(s->nodes[2].after[0].id, -1, "db/pg is outside");
		is_str(s->nodes[2].after[0].path, "db/pg", "by its path");
		tree_free(s);
	} else
		free(cause);
	free(slice);
	tree_free(t);
}

int
main(void)
{
	test_parse();
	test_check();
	test_cycles();
	test_order();
	test_met();
	test_slice();
	return (done_testing());
}
