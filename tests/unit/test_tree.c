/*
 * test_tree.c: the slices of a tree that child supervisors run
 * (tree_slice, spec_parse_slice). Every supervisor of a spec is sliced
 * out and parsed again: the slice must hold its ancestors and its whole
 * subtree, with the same paths, kinds and shape, the same settings
 * (digests) for the supervisor and its children and none for the nodes
 * further down, and ids that differ from the whole tree's by one
 * constant.
 * Only the index among siblings of the slice's own node (and of its
 * ancestors) differs: in the slice it is its parent's only child.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "tap.h"
#include "tree.h"

static int		 no_user(const char *, struct spec_user *);
static int		 no_uid(uid_t, struct spec_user *);
static int		 no_group(const char *, gid_t *);
static struct tree	*parse(const char *, size_t, int, int);
static int		 same_slice(const struct tree *, const struct tree *,
			     int);
static int		 check_all(const char *, const char *);
static void		 test_slices(void);
static void		 test_edges(void);
static void		 test_nested(void);
static void		 test_bare(void);

/* Sections out of depth-first order, and a subtree without workers. */
static const char interleaved[] =
    "; a comment before anything\n"
    "[supertree]\n"
    "name = slices\n"
    "strategy = one_for_all\n"
    "\n"
    "[a]\n"
    "strategy = rest_for_one\n"
    "[b]\n"
    "intensity = 7\n"
    "[a/x]\n"
    "[b/w1]\n"
    "command = sleep 1\n"
    "environment = A=1\n"
    "  B=2\n"
    "\n"
    "; continuation lines and comments stay with their section\n"
    "[a/x/w2]\n"
    "command = sleep 2\n"
    "[a/w3]\n"
    "command = sleep 3\n"
    "[a/x/deep]\n"
    "[a/x/deep/w4]\n"
    "command = sleep 4\n"
    "[empty]\n"
    "[empty/inner]\n"
    "[w5]\n"
    "command = sleep 5\n";

/* A system with no users and no groups: every name is unknown. */
static const struct spec_ids ids = { no_user, no_uid, no_group };

static int
no_user(const char *name, struct spec_user *u)
{
	(void)name;
	(void)u;
	return (-1);
}

static int
no_uid(uid_t uid, struct spec_user *u)
{
	(void)uid;
	(void)u;
	return (-1);
}

static int
no_group(const char *name, gid_t *gid)
{
	(void)name;
	(void)gid;
	return (-1);
}

/* Parse text: the whole spec (self -1) or the slice for node self. */
static struct tree *
parse(const char *text, size_t len, int slice, int self)
{
	struct tree	*t;
	char		*cause = NULL;

	if (slice)
		t = spec_parse_slice("tree.ini", text, len, self, &ids,
		    &cause);
	else
		t = spec_parse("tree.ini", text, len, &ids, &cause);
	if (t == NULL)
		printf("#   %s\n", cause);
	free(cause);
	return (t);
}

/*
 * Is s the slice of t at id: the ancestors first, then id's subtree with
 * every node the same as in t, at its id in t minus (id - depth), with
 * settings for id and its children only?
 */
static int
same_slice(const struct tree *t, const struct tree *s, int id)
{
	const struct tree_node	*a, *b;
	int			 depth = t->nodes[id].depth, off = id - depth;
	int			 end = tree_subtree_end(t, id), i, j, anc;

	if (s->nnodes != depth + end - id)
		return (0);
	for (i = 0, anc = t->nodes[id].parent; i < depth; i++) {
		/* Ancestors, deepest last. */
		a = &t->nodes[anc];
		b = &s->nodes[depth - 1 - i];
		if (strcmp(a->path, b->path) != 0 || b->nchildren != 1)
			return (0);
		anc = a->parent;
	}
	for (i = id; i < end; i++) {
		a = &t->nodes[i];
		b = &s->nodes[i - off];
		if (strcmp(a->path, b->path) != 0 || a->kind != b->kind ||
		    a->depth != b->depth || a->nchildren != b->nchildren)
			return (0);
		if (i == id || a->parent == id) {
			if (b->digest == NULL ||
			    strcmp(a->digest, b->digest) != 0)
				return (0);
		} else if (b->digest != NULL || b->argv != NULL)
			return (0);
		/* id itself is its parent's only child in the slice. */
		if (i > id && (a->parent - off != b->parent ||
		    a->index != b->index))
			return (0);
		for (j = 0; j < a->nchildren; j++) {
			if (a->children[j] - off != b->children[j])
				return (0);
		}
	}
	return (strcmp(t->name, s->name) == 0);
}

/* Slice every supervisor of text and check it; returns how many. */
static int
check_all(const char *text, const char *what)
{
	struct tree	*t, *s;
	char		*sl;
	size_t		 len;
	int		 id, n = 0, good;

	t = parse(text, strlen(text), 0, -1);
	ok(t != NULL, "%s: valid", what);
	if (t == NULL)
		return (0);
	for (id = 0; id < t->nnodes; id++) {
		if (t->nodes[id].kind != TREE_SUPERVISOR)
			continue;
		sl = tree_slice(t, text, id, &len);
		is_int(len, strlen(sl), "%s: slice of %s has no NUL", what,
		    t->nodes[id].path);
		s = parse(sl, len, 1, t->nodes[id].depth);
		good = s != NULL && same_slice(t, s, id);
		ok(good, "%s: slice of %s parses to its subtree", what,
		    t->nodes[id].path);
		if (!good)
			printf("#   slice:\n%s", sl);
		tree_free(s);
		free(sl);
		n++;
	}
	tree_free(t);
	return (n);
}

static void
test_slices(void)
{
	struct tree	*t;
	char		*sl, *cause = NULL;
	size_t		 len;

	is_int(check_all(interleaved, "interleaved"), 7,
	    "interleaved: every supervisor sliced");

	/* A slice holds none of the sections outside it. */
	t = parse(interleaved, strlen(interleaved), 0, -1);
	sl = tree_slice(t, interleaved, tree_lookup(t, "a/x"), &len);
	ok(strstr(sl, "[b") == NULL && strstr(sl, "[w5]") == NULL &&
	    strstr(sl, "[a/w3]") == NULL && strstr(sl, "[empty") == NULL,
	    "slice of a/x: no section of another subtree");
	ok(strstr(sl, "[supertree]") == sl, "slice of a/x: the root first");
	ok(strstr(sl, "[a]\nstrategy = rest_for_one\n") != NULL &&
	    strstr(sl, "[a/x/deep/w4]\ncommand = sleep 4\n") != NULL,
	    "slice of a/x: its ancestors' and its own sections, whole");
	free(sl);

	/* A subtree without a worker is a valid slice, not a valid spec. */
	sl = tree_slice(t, interleaved, tree_lookup(t, "empty"), &len);
	ok(spec_parse("tree.ini", sl, len, &ids, &cause) == NULL &&
	    strstr(cause, "no workers") != NULL,
	    "slice of empty: spec_parse refuses it (no workers)");
	free(cause);
	free(sl);

	/* The root's slice is the whole tree. */
	sl = tree_slice(t, interleaved, 0, &len);
	ok(strstr(sl, "comment before") == NULL,
	    "root slice: what comes before the first section is left out");
	free(sl);
	tree_free(t);
}

static void
test_edges(void)
{
	/* [supertree] last, and the last line without its newline. */
	check_all("[a]\n[a/w]\ncommand = sleep 1\n[b]\ncommand = sleep 2\n"
	    "[supertree]\nname = last\nintensity = 9", "root last, no newline");
	/* No [supertree] section at all; CRLF line ends. */
	check_all("[g]\r\nstrategy = one_for_all\r\n[g/w]\r\ncommand = x\r\n"
	    "[g/v]\r\ncommand = y", "no root section, CRLF");
	/* A byte order mark, then the root. */
	check_all("\xef\xbb\xbf[supertree]\nname = bom\n[s]\n[s/w]\n"
	    "command = z\n", "byte order mark");
	/* The root in the middle of a subtree's sections. */
	check_all("[s]\n[s/t]\n[supertree]\nname = mid\n[s/t/w]\n"
	    "command = z\n[s/u]\ncommand = u\n", "root among others");
}

/* A slice sliced again is the slice of the whole tree. */
static void
test_nested(void)
{
	struct tree	*t, *s, *u;
	char		*sl, *sl2, *sl3;
	size_t		 len, len2, len3;
	int		 a, x, off;

	t = parse(interleaved, strlen(interleaved), 0, -1);
	a = tree_lookup(t, "a");
	x = tree_lookup(t, "a/x");
	sl = tree_slice(t, interleaved, a, &len);
	s = parse(sl, len, 1, t->nodes[a].depth);
	off = a - t->nodes[a].depth;
	sl2 = tree_slice(s, sl, x - off, &len2);
	sl3 = tree_slice(t, interleaved, x, &len3);
	ok(len2 == len3 && memcmp(sl2, sl3, len2) == 0,
	    "the slice of a/x cut from a's slice is a/x's slice");
	u = parse(sl2, len2, 1, t->nodes[x].depth);
	ok(u != NULL && same_slice(t, u, x), "and it parses to a/x's subtree");
	tree_free(u);
	tree_free(s);
	free(sl);
	free(sl2);
	free(sl3);
	tree_free(t);
}

/*
 * The nodes below a slice's children are bare: the supervisor of a never
 * reads their settings, so even a setting that would not resolve (an
 * unknown user) costs it nothing: only the top checks it.
 */
static void
test_bare(void)
{
	static const char text[] =
	    "[a]\n[a/w]\ncommand = sleep 1\n[a/s]\n[a/s/far]\n"
	    "command = sleep 2\nuser = no-such-user-here\n";
	struct tree	*t;
	char		*cause = NULL;

	t = spec_parse("tree.ini", text, strlen(text), &ids, &cause);
	ok(t == NULL && strstr(cause, "unknown user") != NULL,
	    "bare: the whole spec is checked (unknown user)");
	free(cause);
	/* As a's slice (a valid spec would never hold this). */
	t = parse(text, strlen(text), 1, 1);
	ok(t != NULL, "bare: a's slice parses without resolving far's user");
	if (t != NULL) {
		ok(t->nodes[tree_lookup(t, "a/w")].argv != NULL &&
		    t->nodes[tree_lookup(t, "a/w")].digest != NULL,
		    "bare: a's child has its settings");
		ok(t->nodes[tree_lookup(t, "a/s/far")].kind == TREE_WORKER &&
		    t->nodes[tree_lookup(t, "a/s/far")].argv == NULL &&
		    t->nodes[tree_lookup(t, "a/s/far")].user == NULL &&
		    t->nodes[tree_lookup(t, "a/s/far")].digest == NULL,
		    "bare: a's grandchild is a worker with no settings");
	}
	tree_free(t);
}

int
main(void)
{
	test_slices();
	test_edges();
	test_nested();
	test_bare();
	return (done_testing());
}
