/*
 * tree.c: lookups over the immutable tree built by spec.c. Pure.
 *
 * Because nodes are stored in file order and a parent precedes its
 * children, a node's subtree is the contiguous run of ids that follows it
 * while their depth is greater than its own.
 */
#include <stdlib.h>
#include <string.h>

#include "tree.h"
#include "value.h"

int
tree_lookup(const struct tree *t, const char *path)
{
	int	i;

	for (i = 0; i < t->nnodes; i++) {
		if (strcmp(t->nodes[i].path, path) == 0)
			return (i);
	}
	if (strcmp(path, "/") == 0 || strcmp(path, ".") == 0)
		return (0);
	return (-1);
}

/* Is anc an ancestor of id (or id itself)? */
int
tree_is_ancestor(const struct tree *t, int anc, int id)
{
	while (id != -1) {
		if (id == anc)
			return (1);
		id = t->nodes[id].parent;
	}
	return (0);
}

/* The child of anc on the way down to id, or -1 if id is not below anc. */
int
tree_child_toward(const struct tree *t, int anc, int id)
{
	while (id != -1 && t->nodes[id].parent != anc)
		id = t->nodes[id].parent;
	return (id);
}

/* One past the last id of the subtree rooted at id. */
int
tree_subtree_end(const struct tree *t, int id)
{
	int	end, depth = t->nodes[id].depth;

	for (end = id + 1; end < t->nnodes; end++) {
		if (t->nodes[end].depth <= depth)
			break;
	}
	return (end);
}

void
tree_free(struct tree *t)
{
	struct tree_node	*n;
	int			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		free(n->path);
		free(n->name);
		free(n->children);
		value_free_vec(n->argv);
		free(n->exit_codes);
		free(n->directory);
		value_free_vec(n->env);
		value_free_vec(n->user_env);
		free(n->user);
		free(n->group);
		free(n->output_path);
		free(n->ready_host);
		value_free_vec(n->ready_argv);
		free(n->digest);
	}
	free(t->nodes);
	free(t->file);
	free(t->name);
	free(t->socket);
	free(t);
}
