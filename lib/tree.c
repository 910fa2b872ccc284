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
#include "xmalloc.h"

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

/*
 * The spec text of the slice of the tree a child supervisor for node id
 * runs: the sections of the root, of id's ancestors and of id's subtree,
 * in id order. Parsed again (spec_parse_slice), that text gives the very
 * same nodes, paths and settings: each node's section comes after its
 * parent's and siblings keep their file order, so the slice is laid out
 * depth first just as the whole tree is (the root at 0, the ancestors one
 * per level, id at its depth, then its subtree in the same order).
 */
char *
tree_slice(const struct tree *t, const char *text, int id, size_t *lenp)
{
	const struct tree_node	*n;
	char			*buf;
	size_t			 len = 0, k = 0;
	int			 end = tree_subtree_end(t, id), depth;
	int			*ids, nids, i, a;

	/* The ancestors, root first, then the subtree. */
	depth = t->nodes[id].depth;
	nids = depth + (end - id);
	ids = xcalloc(nids, sizeof *ids);
	for (i = depth - 1, a = t->nodes[id].parent; i >= 0; i--) {
		ids[i] = a;
		a = t->nodes[a].parent;
	}
	for (i = id; i < end; i++)
		ids[depth + i - id] = i;
	for (i = 0; i < nids; i++)
		len += t->nodes[ids[i]].text_len + 1;
	buf = xmalloc(len + 1);
	for (i = 0, k = 0; i < nids; i++) {
		n = &t->nodes[ids[i]];
		if (n->text_len == 0)
			continue;
		memcpy(buf + k, text + n->text_off, n->text_len);
		k += n->text_len;
		/* A last line without its newline must not run on. */
		if (text[n->text_off + n->text_len - 1] != '\n')
			buf[k++] = '\n';
	}
	buf[k] = '\0';
	free(ids);
	*lenp = k;
	return (buf);
}

/* Limit k of a node (unset when it has none). */
const struct rlimit_val *
tree_rlimit(const struct tree_node *n, int k)
{
	static const struct rlimit_val	unset;

	return (n->lim != NULL ? &n->lim->rlimits[k] : &unset);
}

const struct cglimit_val *
tree_cglimit(const struct tree_node *n, int k)
{
	static const struct cglimit_val	unset;

	return (n->lim != NULL ? &n->lim->cglimits[k] : &unset);
}

/* A node's limits, to be set: made when the first one is. */
struct tree_limits *
tree_limits(struct tree_node *n)
{
	if (n->lim == NULL)
		n->lim = xcalloc(1, sizeof *n->lim);
	return (n->lim);
}

void
tree_free(struct tree *t)
{
	struct tree_node	*n;
	int			 i, j;

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
		for (j = 0; j < n->nafter; j++)
			free(n->after[j].path);
		free(n->after);
		value_free_vec(n->health_argv);
		free(n->health_host);
		free(n->health_path);
		free(n->digest);
		free(n->lim);
	}
	free(t->nodes);
	free(t->file);
	free(t->name);
	free(t->socket);
	free(t->http);
	free(t->cgroup);
	free(t);
}
