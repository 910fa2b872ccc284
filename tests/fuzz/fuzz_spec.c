/*
 * fuzz_spec.c: libFuzzer target for the spec parser.
 *
 * Any bytes in, a tree or an error out: spec_parse() must never crash,
 * read out of bounds, leak, hang or call fatal() (which exits, and
 * libFuzzer reports an exit as a failure). On success the tree is checked
 * for the invariants tree.h promises (parents before children, node 0 the
 * root, child lists consistent) and every path must look itself up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "tree.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_tree(const struct tree *t)
{
	const struct tree_node	*n;
	int			 i, j;

	if (t->nnodes < 1 || t->nodes[0].parent != -1)
		abort();
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->id != i || (i > 0 && (n->parent < 0 || n->parent >= i)))
			abort();
		for (j = 0; j < n->nchildren; j++) {
			if (n->children[j] <= i || n->children[j] >= t->nnodes ||
			    t->nodes[n->children[j]].parent != i ||
			    t->nodes[n->children[j]].index != j)
				abort();
		}
		if (n->kind == TREE_WORKER && (n->argv == NULL ||
		    n->argv[0] == NULL || n->nchildren != 0))
			abort();
		if (i > 0 && tree_lookup(t, n->path) != i)
			abort();
		if (tree_subtree_end(t, i) <= i ||
		    tree_subtree_end(t, i) > t->nnodes)
			abort();
	}
	/* A subtree is the contiguous run after its root (sv.c relies on it). */
	if (t->nnodes > 300)
		return;
	for (i = 0; i < t->nnodes; i++) {
		for (j = 0; j < t->nnodes; j++) {
			if (tree_is_ancestor(t, i, j) != (j >= i &&
			    j < tree_subtree_end(t, i)))
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree	*t;
	char		*cause = NULL;

	t = spec_parse("fuzz.ini", (const char *)data, size, NULL, &cause);
	if (t == NULL) {
		/* A refusal must say why. */
		if (cause == NULL || *cause == '\0')
			abort();
	} else
		check_tree(t);
	free(cause);
	tree_free(t);
	return (0);
}
