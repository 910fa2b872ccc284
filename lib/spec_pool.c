/*
 * spec_pool.c: pools, a worker section with 'instances = N' (1 to 10000).
 *
 * A pool is a supervisor at the section's path whose children PATH/1 ...
 * PATH/N are workers made from the section. Between the read and the
 * check passes, spec_pool_expand adds one section per instance after all
 * the sections of the file: its keys are copies of the pool's (but for
 * 'instances' and the supervisor keys, which stay with the pool), with
 * %i the instance number and %% a percent sign in command, environment,
 * directory and output. An instance has no text of its own (its node's
 * text_len is 0): a slice of the tree carries the pool's section, and
 * the child supervisor that parses it expands the pool again, to the
 * very same nodes. The check pass makes the pool's node a supervisor
 * (spec_check.c) and gives each instance SUPERTREE_INSTANCE
 * (spec_pool_instance). A pool's instances are checked alike: only the
 * first one's errors are said, once. Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_int.h"
#include "value.h"
#include "xmalloc.h"

static int	 spec_pool_check(struct spec_ctx *, struct spec_sec *);
static char	*spec_pool_subst(const char *, int);
static int	 spec_pool_keeps(enum spec_keyid);
static void	 spec_pool_add(struct spec_ctx *, int, int);

/* The keys where %i and %% mean something. */
static int
spec_pool_keeps(enum spec_keyid k)
{
	return (k == K_COMMAND || k == K_ENVIRONMENT || k == K_DIRECTORY ||
	    k == K_OUTPUT);
}

/* Every % in those keys must be %i or %%; say where one is not. */
static int
spec_pool_check(struct spec_ctx *ctx, struct spec_sec *sec)
{
	const char	*p;
	int		 k, bad = 0;

	for (k = 0; k < K_NKEYS; k++) {
		if (!spec_pool_keeps(k) || sec->keys[k].s == NULL)
			continue;
		for (p = sec->keys[k].s; (p = strchr(p, '%')) != NULL; p += 2) {
			if (p[1] == 'i' || p[1] == '%')
				continue;
			spec_error(ctx, sec->keys[k].line, sec->path, "key '%s': "
			    "'%%%.1s' in a pool: use %%i for the instance "
			    "number or %%%% for a percent sign",
			    spec_key_table[k].name, p[1] != '\0' ? p + 1 : "");
			bad = 1;
			break;
		}
	}
	return (bad ? -1 : 0);
}

/* s with %i as i and %% as %. Allocated. */
static char *
spec_pool_subst(const char *s, int i)
{
	char	*out, num[16], *q;
	size_t	 n = 0;
	int	 nlen;

	nlen = snprintf(num, sizeof num, "%d", i);
	for (q = (char *)s; *q != '\0'; q++, n++) {
		if (q[0] == '%' && q[1] == 'i') {
			n += nlen - 1;
			q++;
		} else if (q[0] == '%' && q[1] == '%')
			q++;
	}
	out = xmalloc(n + 1);
	for (q = out; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] == 'i') {
			memcpy(q, num, nlen);
			q += nlen;
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			*q++ = '%';
			s++;
		} else
			*q++ = *s;
	}
	*q = '\0';
	return (out);
}

/* Instance i of the pool in section pi, as a new section at the end. */
static void
spec_pool_add(struct spec_ctx *ctx, int pi, int i)
{
	struct spec_sec	*pool = &ctx->secs[pi], *sec;
	struct spec_val	*v, *pv;
	int		 k;

	sec = &ctx->secs[ctx->nsecs++];
	memset(sec, 0, sizeof *sec);
	xasprintf(&sec->path, "%s/%d", pool->path, i);
	sec->line = pool->line;
	sec->off = pool->off;
	sec->pool = pi;
	sec->instance = i;
	for (k = 0; k < K_NKEYS; k++) {
		pv = &pool->keys[k];
		if (pv->s == NULL || k == K_INSTANCES ||
		    spec_key_table[k].where == KW_SUPER)
			continue;
		v = &sec->keys[k];
		*v = *pv;
		v->s = spec_pool_keeps(k) ? spec_pool_subst(pv->s, i) :
		    xstrdup(pv->s);
		v->len = strlen(v->s);
		v->size = v->len + 1;
	}
}

/*
 * After the read pass: every worker section with a valid 'instances'
 * becomes a pool, and its instances new sections. A bad 'instances' is
 * left to the check pass, which says what is wrong with it.
 */
void
spec_pool_expand(struct spec_ctx *ctx)
{
	struct spec_sec	*sec;
	char		*cause;
	long		 n;
	int		 i, j, nsecs = ctx->nsecs;

	for (i = 1; i < nsecs; i++) {
		sec = &ctx->secs[i];
		if (sec->keys[K_INSTANCES].s == NULL ||
		    sec->keys[K_COMMAND].s == NULL)
			continue;
		if (value_long(sec->keys[K_INSTANCES].s, 1, 10000, &n,
		    &cause) != 0) {
			free(cause);
			continue;
		}
		if (spec_pool_check(ctx, sec) == -1)
			continue;
		if (ctx->nsecs + n > SPEC_MAX_NODES) {
			spec_error(ctx, sec->keys[K_INSTANCES].line, sec->path,
			    "key 'instances': too many nodes (a tree has at "
			    "most %d)", SPEC_MAX_NODES);
			continue;
		}
		sec->ninst = (int)n;
		ctx->secs = xreallocarray(ctx->secs, ctx->nsecs + n,
		    sizeof *ctx->secs);
		for (j = 1; j <= n; j++)
			spec_pool_add(ctx, i, j);
	}
}

/*
 * The check pass made section i's node, an instance: it learns its
 * number and gets SUPERTREE_INSTANCE, unless its environment sets it.
 */
void
spec_pool_instance(struct spec_ctx *ctx, int i)
{
	struct tree_node	*n = &ctx->nodes[i];
	int			 k;

	n->instance = ctx->secs[i].instance;
	if (n->kind != TREE_WORKER || n->env == NULL)
		return;
	for (k = 0; k < n->nenv; k++) {
		if (strncmp(n->env[k], "SUPERTREE_INSTANCE=", 19) == 0)
			return;
	}
	n->env = xreallocarray(n->env, n->nenv + 2, sizeof *n->env);
	xasprintf(&n->env[n->nenv++], "SUPERTREE_INSTANCE=%d", n->instance);
	n->env[n->nenv] = NULL;
}
