/*
 * spec_build.c: the build pass, checked nodes to the tree, and each
 * node's canonical form and digest.
 *
 * The canonical form is every key of a node as resolved, one per line in
 * key table order, values written so that they read back the same; reload
 * compares nodes by path and digest (a hash of that text) to find what
 * changed. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dep.h"
#include "spec_int.h"
#include "value.h"
#include "xmalloc.h"

static void	 spec_build_order(struct spec_ctx *, int, int *, int *);
static void	 spec_build_spans(struct spec_ctx *);
static char	*spec_build_hash(char *);
static char	*spec_build_digest(struct spec_ctx *, const struct tree_node *,
		     int);
static void	 spec_build_fmt_key(struct buf *, const struct tree_node *,
		     enum spec_keyid);
static void	 spec_build_fmt_vec(struct buf *, char **);

/*
 * Lay the nodes out depth first, children in file order: a node's subtree
 * is then the run of ids after it (see tree_subtree_end). That is the
 * file order itself whenever each subtree is contiguous in the file.
 */
struct tree *
spec_build_tree(struct spec_ctx *ctx)
{
	struct tree		*t;
	struct tree_node	*n, *p;
	int			*order, *newid, norder = 0, i, j, len;

	for (i = 1; i < ctx->nsecs; i++) {
		p = &ctx->nodes[ctx->secs[i].parent];
		if (p->children == NULL) {
			p->children = xcalloc(ctx->secs[ctx->secs[i].parent].
			    nkids, sizeof *p->children);
		}
		ctx->nodes[i].index = p->nchildren;
		p->children[p->nchildren++] = i;
	}
	spec_build_spans(ctx);
	order = xcalloc(ctx->nsecs, sizeof *order);
	newid = xcalloc(ctx->nsecs, sizeof *newid);
	spec_build_order(ctx, 0, order, &norder);
	for (i = 0; i < norder; i++)
		newid[order[i]] = i;

	t = xcalloc(1, sizeof *t);
	t->nodes = xcalloc(norder, sizeof *t->nodes);
	t->nnodes = norder;
	for (i = 0; i < norder; i++) {
		n = &t->nodes[i];
		*n = ctx->nodes[order[i]];
		memset(&ctx->nodes[order[i]], 0, sizeof *n);
		n->id = i;
		if (order[i] != 0) {
			n->parent = newid[ctx->secs[order[i]].parent];
			n->depth = t->nodes[n->parent].depth + 1;
		}
		for (j = 0; j < n->nchildren; j++)
			n->children[j] = newid[n->children[j]];
		if ((len = strlen(n->path)) > t->pathwidth)
			t->pathwidth = len;
		if (!ctx->secs[order[i]].bare)
			n->digest = spec_build_digest(ctx, n, i == 0);
	}
	free(order);
	free(newid);
	t->file = xstrdup(ctx->file);
	t->name = ctx->name;
	t->socket = ctx->socket;
	t->http = ctx->http;
	t->cgroup = ctx->cgroup;
	ctx->name = ctx->socket = ctx->http = ctx->cgroup = NULL;
	return (t);
}

/*
 * Where each section lies in the text: from its header line to the next
 * header line (or the end), so that tree_slice() can hand a child
 * supervisor the sections of its subtree alone. Sections 1 and up are in
 * file order; the root's [supertree], if any, may be anywhere among them.
 */
static void
spec_build_spans(struct spec_ctx *ctx)
{
	struct spec_sec	*root = &ctx->secs[0];
	size_t		 end;
	int		 i, nfile = ctx->nsecs;

	/* A pool's instances (spec_pool.c) come last, with no text. */
	while (nfile > 1 && ctx->secs[nfile - 1].pool > 0)
		nfile--;
	for (i = 1; i < nfile; i++) {
		end = i + 1 < nfile ? ctx->secs[i + 1].off : ctx->len;
		if (root->line != 0 && root->off > ctx->secs[i].off &&
		    root->off < end)
			end = root->off;
		ctx->nodes[i].text_off = ctx->secs[i].off;
		ctx->nodes[i].text_len = end - ctx->secs[i].off;
	}
	if (root->line == 0)
		return;
	end = ctx->len;
	for (i = 1; i < nfile; i++) {
		if (ctx->secs[i].off > root->off) {
			end = ctx->secs[i].off;
			break;
		}
	}
	ctx->nodes[0].text_off = root->off;
	ctx->nodes[0].text_len = end - root->off;
}

/* Depth is at most 128 (a path has at most 255 bytes): recursion. */
static void
spec_build_order(struct spec_ctx *ctx, int i, int *order, int *norder)
{
	struct tree_node	*n = &ctx->nodes[i];
	int			 j;

	order[(*norder)++] = i;
	for (j = 0; j < n->nchildren; j++)
		spec_build_order(ctx, n->children[j], order, norder);
}

/*
 * The digest kept in the tree is a 128-bit hash of the canonical text
 * (two FNV-1a passes with different bases), not the text itself: every
 * supervisor process holds every node's digest, and reload only compares
 * them. Takes s and frees it.
 */
static char *
spec_build_hash(char *s)
{
	uint64_t	 a = 14695981039346656037ULL, b = 1099511628211ULL * 31;
	const char	*p;
	char		*h;

	for (p = s; *p != '\0'; p++) {
		a = (a ^ (unsigned char)*p) * 1099511628211ULL;
		b = (b ^ (unsigned char)*p) * 1099511628211ULL + 0x9e3779b9;
	}
	free(s);
	xasprintf(&h, "%016llx%016llx", (unsigned long long)a,
	    (unsigned long long)b);
	return (h);
}

static char *
spec_build_digest(struct spec_ctx *ctx, const struct tree_node *n, int root)
{
	struct buf		 b = BUF_INIT;
	enum spec_where		 w;
	int			 k;

	buf_printf(&b, "kind=%s\n", n->kind == TREE_WORKER ? "worker" :
	    "supervisor");
	for (k = 0; k < K_NKEYS; k++) {
		w = spec_key_table[k].where;
		if ((w == KW_WORKER && n->kind != TREE_WORKER) ||
		    (w == KW_SUPER && n->kind != TREE_SUPERVISOR) ||
		    (w == KW_ROOT && !root))
			continue;
		buf_printf(&b, "%s=", spec_key_table[k].name);
		if (k == K_NAME)
			buf_puts(&b, ctx->name);
		else if (k == K_SOCKET)
			buf_puts(&b, ctx->socket != NULL ? ctx->socket : "");
		else if (k == K_HTTP)
			buf_puts(&b, ctx->http != NULL ? ctx->http : "");
		else if (k == K_CGROUP)
			buf_puts(&b, ctx->cgroup != NULL ? ctx->cgroup : "");
		else
			spec_build_fmt_key(&b, n, k);
		buf_puts(&b, "\n");
	}
	return (spec_build_hash(buf_take(&b)));
}

static void
spec_build_fmt_key(struct buf *b, const struct tree_node *n,
    enum spec_keyid k)
{
	const struct spec_key	*kd = &spec_key_table[k];
	const char		*field = (const char *)n + kd->off, *name;
	const struct rlimit_val	*rl;
	char			*s;
	long long		 micro;
	int			 i;

	switch (kd->type) {
	case KT_DURATION:
		s = value_fmt_duration(*(const int64_t *)field);
		buf_puts(b, s);
		free(s);
		return;
	case KT_BOOL:
		buf_puts(b, *(const int *)field ? "true" : "false");
		return;
	case KT_INT:
		buf_printf(b, "%d", *(const int *)field);
		return;
	case KT_LIMIT:
		if (*(const long *)field == TREE_UNLIMITED)
			buf_puts(b, "unlimited");
		else
			buf_printf(b, "%ld", *(const long *)field);
		return;
	case KT_WORD:
		for (i = 0; kd->words[i].word != NULL; i++) {
			if (kd->words[i].value == *(const int *)field)
				break;
		}
		buf_puts(b, kd->words[i].word != NULL ? kd->words[i].word :
		    "?");
		return;
	case KT_FN:
		break;
	}
	switch (k) {
	case K_COMMAND:
		spec_build_fmt_vec(b, n->argv);
		break;
	case K_SHUTDOWN:
		if (n->shutdown_ms == TREE_SHUTDOWN_INFINITY)
			buf_puts(b, "infinity");
		else if (n->shutdown_ms == TREE_SHUTDOWN_BRUTAL)
			buf_puts(b, "brutal_kill");
		else {
			s = value_fmt_duration(n->shutdown_ms);
			buf_puts(b, s);
			free(s);
		}
		break;
	case K_BACKOFF_MULT:
		/* Fixed point: printf of a double would follow the locale. */
		micro = (long long)(n->backoff_multiplier * 1e6 + 0.5);
		buf_printf(b, "%lld.%06lld", micro / 1000000, micro % 1000000);
		break;
	case K_EXIT_CODES:
		for (i = 0; i < n->nexit_codes; i++)
			buf_printf(b, "%s%d", i > 0 ? " " : "",
			    n->exit_codes[i]);
		break;
	case K_STOP_SIGNAL:
		if ((name = value_signame(n->stop_signal)) != NULL)
			buf_puts(b, name);
		else
			buf_printf(b, "%d", n->stop_signal);
		break;
	case K_DIRECTORY:
		buf_puts(b, n->directory != NULL ? n->directory : "");
		break;
	case K_ENVIRONMENT:
		spec_build_fmt_vec(b, n->env);
		break;
	case K_USER:
		if (n->user != NULL)
			buf_printf(b, "%s (%u)", n->user, (unsigned int)n->uid);
		break;
	case K_GROUP:
		if (n->user != NULL || n->group != NULL) {
			buf_printf(b, "%s (%u)",
			    n->group != NULL ? n->group : "",
			    (unsigned int)n->gid);
		}
		break;
	case K_LIMIT_NOFILE: case K_LIMIT_NPROC: case K_LIMIT_CORE:
	case K_LIMIT_MEMLOCK: case K_LIMIT_AS: case K_LIMIT_CPU:
	case K_LIMIT_FSIZE: case K_LIMIT_STACK: case K_LIMIT_DATA:
		rl = tree_rlimit(n, k - K_LIMIT_NOFILE);
		if (rl->set)
			buf_printf(b, "%llu:%llu",
			    (unsigned long long)rl->soft,
			    (unsigned long long)rl->hard);
		break;
	case K_MEMORY_MAX: case K_MEMORY_HIGH: case K_CPU_WEIGHT:
	case K_CPU_MAX: case K_PIDS_MAX:
		if (tree_cglimit(n, k - K_MEMORY_MAX)->set)
			buf_puts(b, tree_cglimit(n, k - K_MEMORY_MAX)->text);
		break;
	case K_UMASK:
		if (n->umask == -1)
			buf_puts(b, "inherit");
		else
			buf_printf(b, "%03o", (unsigned int)n->umask);
		break;
	case K_OUTPUT:
		if (n->output == TREE_OUT_FILE)
			buf_printf(b, "file:%s", n->output_path);
		else {
			buf_puts(b, n->output == TREE_OUT_PREFIX ? "prefix" :
			    n->output == TREE_OUT_INHERIT ? "inherit" : "null");
		}
		break;
	case K_LOG_MAX_SIZE:
		buf_printf(b, "%lld", (long long)n->log_max_size);
		break;
	case K_AFTER:
		for (i = 0; i < n->nafter; i++)
			buf_printf(b, "%s%s:%s", i > 0 ? " " : "",
			    n->after[i].path, dep_cond_name(n->after[i].cond));
		break;
	case K_READY:
		if (n->ready == TREE_READY_FD)
			buf_printf(b, "fd:%d", n->ready_fd);
		else if (n->ready == TREE_READY_TCP)
			buf_printf(b, "tcp:%s:%d", n->ready_host,
			    n->ready_port);
		else if (n->ready == TREE_READY_PROBE) {
			buf_puts(b, "exec:");
			spec_build_fmt_vec(b, n->ready_argv);
		} else {
			buf_puts(b, n->ready == TREE_READY_NOTIFY ? "notify" :
			    "exec");
		}
		break;
	case K_HEALTH:
		if (n->health == TREE_HEALTH_EXEC) {
			buf_puts(b, "exec:");
			spec_build_fmt_vec(b, n->health_argv);
		} else
			spec_live_fmt(b, n, k);
		break;
	case K_WATCHDOG:
	case K_WATCHDOG_SIGNAL:
	case K_MAX_MEMORY:
		spec_live_fmt(b, n, k);
		break;
	default:
		break;
	}
}

/* Words as value_split reads them back (value_quote), blank-separated. */
static void
spec_build_fmt_vec(struct buf *b, char **v)
{
	char	*q;
	int	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		q = value_quote(v[i]);
		if (i > 0)
			buf_puts(b, " ");
		buf_puts(b, q);
		free(q);
	}
}
