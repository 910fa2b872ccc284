/*
 * spec_check.c: the check pass, sections to nodes.
 *
 * Duplicate sections, parents (present, earlier in the file, not a
 * worker), then one tree_node per section with every key set through
 * spec_key.c and the checks across keys: backoff bounds, user and group
 * (looked up through the caller's struct spec_ids, so this stays pure).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep.h"
#include "spec_int.h"
#include "value.h"
#include "xmalloc.h"

static int	 spec_check_seccmp(const void *, const void *);
static int	 spec_check_lookup(struct spec_ctx *, const char *, size_t);
static void	 spec_check_parent(struct spec_ctx *, int);
static void	 spec_check_defaults(struct tree_node *, enum tree_kind);
static void	 spec_check_node(struct spec_ctx *, int);
static int	 spec_check_allowed(struct spec_ctx *, int, enum spec_keyid,
		     enum tree_kind);
static void	 spec_check_post(struct spec_ctx *, int, const char *);
static void	 spec_check_ids(struct spec_ctx *, int);
static char	**spec_check_user_env(const struct spec_user *);
static char	*spec_check_default_name(const char *);

/* Duplicates, parents, then one node per section with every value. */
void
spec_check_all(struct spec_ctx *ctx)
{
	struct spec_sec	*first = NULL, *sec;
	int		 i, nworkers = 0;

	ctx->sorted = xcalloc(ctx->nsecs, sizeof *ctx->sorted);
	for (i = 0; i < ctx->nsecs; i++)
		ctx->sorted[i] = &ctx->secs[i];
	qsort(ctx->sorted, ctx->nsecs, sizeof *ctx->sorted, spec_check_seccmp);
	for (i = 0; i < ctx->nsecs; i++) {
		sec = ctx->sorted[i];
		if (first == NULL || strcmp(first->path, sec->path) != 0) {
			first = sec;
			continue;
		}
		sec->dup = sec->bad = 1;
		spec_error(ctx, sec->line, sec->path, "duplicate section "
		    "(first at line %d)", first->line);
	}
	/* A parent has a lower index than its child unless that is wrong. */
	for (i = 1; i < ctx->nsecs; i++) {
		if (!ctx->secs[i].bad)
			spec_check_parent(ctx, i);
	}
	ctx->nodes = xcalloc(ctx->nsecs, sizeof *ctx->nodes);
	for (i = 0; i < ctx->nsecs; i++) {
		if (ctx->secs[i].dup)
			continue;
		spec_check_node(ctx, i);
		if (i > 0 && ctx->secs[i].keys[K_COMMAND].s != NULL)
			nworkers++;
	}
	if (nworkers == 0 && !ctx->toomany && !ctx->slice)
		spec_error(ctx, 0, NULL, "no workers: add a section with a "
		    "command");
	if (ctx->name == NULL) {
		ctx->name = spec_check_default_name(ctx->file);
		if (!spec_key_name_ok(ctx->name)) {
			spec_error(ctx, 0, NULL, "tree name '%.64s' (from the "
			    "file name) is not valid: set 'name' in "
			    "[supertree]", ctx->name);
		}
	}
}

static int
spec_check_seccmp(const void *a, const void *b)
{
	const struct spec_sec	*sa = *(struct spec_sec *const *)a;
	const struct spec_sec	*sb = *(struct spec_sec *const *)b;
	int			 c;

	if ((c = strcmp(sa->path, sb->path)) != 0)
		return (c);
	return (sa->line < sb->line ? -1 : sa->line > sb->line);
}

/* The first (lowest line) section whose path is path[0..n), or -1. */
static int
spec_check_lookup(struct spec_ctx *ctx, const char *path, size_t n)
{
	const char	*p;
	int		 lo = 0, hi = ctx->nsecs, mid, c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		p = ctx->sorted[mid]->path;
		if ((c = strncmp(p, path, n)) == 0)
			c = p[n] != '\0';
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ctx->nsecs && strncmp(ctx->sorted[lo]->path, path, n) == 0 &&
	    ctx->sorted[lo]->path[n] == '\0')
		return (ctx->sorted[lo] - ctx->secs);
	return (-1);
}

static void
spec_check_parent(struct spec_ctx *ctx, int i)
{
	struct spec_sec	*sec = &ctx->secs[i], *p;
	const char	*slash;
	int		 pi;

	if (sec->pool > 0) {
		sec->parent = sec->pool;
		ctx->secs[sec->pool].nkids++;
		return;
	}
	if ((slash = strrchr(sec->path, '/')) == NULL) {
		sec->parent = 0;
		ctx->secs[0].nkids++;
		return;
	}
	sec->bad = 1;
	if ((pi = spec_check_lookup(ctx, sec->path, slash - sec->path)) == -1) {
		spec_error(ctx, sec->line, sec->path, "parent section [%.*s] "
		    "is missing: add it before this section",
		    (int)(slash - sec->path), sec->path);
		return;
	}
	p = &ctx->secs[pi];
	if (p->bad)
		return;		/* its own error says why */
	if (p->line > sec->line) {
		spec_error(ctx, sec->line, sec->path, "parent section [%s] "
		    "must come before its child (it is at line %d)", p->path,
		    p->line);
	} else if (p->ninst > 0) {
		spec_error(ctx, sec->line, sec->path, "parent section [%s] "
		    "is a pool (it has 'instances'): its children are its "
		    "instances", p->path);
	} else if (p->keys[K_COMMAND].s != NULL) {
		spec_error(ctx, sec->line, sec->path, "parent section [%s] "
		    "has a command, so it is a worker and cannot have "
		    "children", p->path);
	} else {
		sec->bad = 0;
		sec->parent = pi;
		p->nkids++;
	}
}

static void
spec_check_defaults(struct tree_node *n, enum tree_kind kind)
{
	n->kind = kind;
	n->parent = -1;
	n->restart = TREE_PERMANENT;
	n->max_restarts = TREE_UNLIMITED;
	n->shutdown_ms = kind == TREE_WORKER ? 5000 : TREE_SHUTDOWN_INFINITY;
	n->backoff_min_ms = 50;
	n->backoff_max_ms = 60 * 1000;
	n->backoff_multiplier = 1.2;
	n->backoff_reset_ms = 120 * 1000;
	n->stop_signal = SIGTERM;
	n->uid = (uid_t)-1;
	n->gid = (gid_t)-1;
	n->umask = -1;
	n->nice = TREE_NICE_UNSET;
	n->oom_score_adj = TREE_OOM_UNSET;
	n->contain = 1;
	n->output = TREE_OUT_PREFIX;
	n->log_max_size = 10 * 1024 * 1024;
	n->log_keep = 3;
	n->log_lines = 1000;
	n->ready = TREE_READY_EXEC;
	n->ready_fd = -1;
	n->start_timeout_ms = 30 * 1000;
	n->health_interval_ms = 10 * 1000;
	n->health_timeout_ms = 1000;
	n->health_failures = 3;
	n->watchdog_signal = SIGABRT;
	n->strategy = TREE_ONE_FOR_ONE;
	n->intensity = 3;
	n->period_ms = 5 * 1000;
	n->auto_shutdown = TREE_AUTO_NEVER;
	if (kind == TREE_WORKER) {
		n->exit_codes = xcalloc(1, sizeof *n->exit_codes);
		n->nexit_codes = 1;
		n->env = xcalloc(1, sizeof *n->env);
	}
}

static void
spec_check_node(struct spec_ctx *ctx, int i)
{
	struct spec_sec		*sec = &ctx->secs[i];
	struct tree_node	*n = &ctx->nodes[i];
	struct spec_val		*v;
	const char		*slash;
	char			*cause, ok[K_NKEYS];
	int			 k;

	spec_check_defaults(n, i != 0 && sec->keys[K_COMMAND].s != NULL &&
	    sec->ninst == 0 ? TREE_WORKER : TREE_SUPERVISOR);
	n->line = sec->line;
	n->path = xstrdup(sec->path);
	slash = strrchr(sec->path, '/');
	n->name = xstrdup(slash != NULL ? slash + 1 : sec->path);
	if (sec->ninst > 0) {
		n->instances = sec->ninst;
		n->inst_off = sec->keys[K_INSTANCES].off;
		n->inst_len = sec->keys[K_INSTANCES].end -
		    sec->keys[K_INSTANCES].off;
	}
	/*
	 * In a slice, a supervisor runs only its own node and its children:
	 * the nodes further down keep their place, path and kind, and their
	 * settings (checked by the top already) are not even read.
	 */
	if (ctx->slice && i != 0 && i != ctx->self &&
	    sec->parent != ctx->self) {
		sec->bare = 1;
		/* Its after list orders its supervisor's stop (dep_order). */
		v = &sec->keys[K_AFTER];
		if (v->s != NULL && dep_parse(v->s, &n->after, &n->nafter,
		    &cause) != 0)
			free(cause);
		return;
	}
	/* A pool's instances are alike: the first one speaks for all. */
	ctx->mute = sec->pool > 0 && sec->instance > 1;
	for (k = 0; k < K_NKEYS; k++) {
		v = &sec->keys[k];
		ok[k] = v->s == NULL;
		/* A pool's worker and child keys are its instances'. */
		if (sec->ninst > 0 && spec_key_table[k].where != KW_SUPER) {
			ok[k] = 1;
			continue;
		}
		if (v->s == NULL || !spec_check_allowed(ctx, i, k, n->kind))
			continue;
		if (v->bsline != 0) {
			spec_error(ctx, v->bsline, sec->path, "key '%s': the "
			    "line ends in '\\' but no indented line follows "
			    "to continue it (indent the next line, or remove "
			    "the '\\')", spec_key_table[k].name);
		} else if (spec_key_set(ctx, n, k, v, &cause) != 0) {
			spec_error(ctx, v->line, sec->path, "key '%s': %s",
			    spec_key_table[k].name, cause);
			free(cause);
		} else
			ok[k] = 1;
	}
	spec_check_post(ctx, i, ok);
	if (sec->pool > 0)
		spec_pool_instance(ctx, i);
	ctx->mute = 0;
}

static int
spec_check_allowed(struct spec_ctx *ctx, int i, enum spec_keyid k,
    enum tree_kind kind)
{
	struct spec_sec	*sec = &ctx->secs[i];
	const char	*name = spec_key_table[k].name;
	int		 line = sec->keys[k].line;

	switch (spec_key_table[k].where) {
	case KW_CHILD:
		return (1);
	case KW_ROOT:
		if (i == 0)
			return (1);
		spec_error(ctx, line, sec->path, "key '%s' is only allowed in "
		    "[supertree]", name);
		return (0);
	case KW_WORKER:
		if (kind == TREE_WORKER)
			return (1);
		if (i == 0) {
			spec_error(ctx, line, sec->path, "key '%s' is not "
			    "allowed in [supertree]: the root is always a "
			    "supervisor", name);
		} else
			spec_error(ctx, line, sec->path, "key '%s' needs "
			    "'command' (a section without command is a "
			    "supervisor)", name);
		return (0);
	case KW_SUPER:
		if (kind == TREE_SUPERVISOR)
			return (1);
		spec_error(ctx, line, sec->path, "key '%s' is for supervisors "
		    "(a section with command is a worker)", name);
		return (0);
	}
	return (0);
}

/* Checks across keys of one section, of the values that were valid. */
static void
spec_check_post(struct spec_ctx *ctx, int i, const char *ok)
{
	struct spec_sec		*sec = &ctx->secs[i];
	struct tree_node	*n = &ctx->nodes[i];
	struct spec_val		*vmin = &sec->keys[K_BACKOFF_MIN];
	struct spec_val		*vmax = &sec->keys[K_BACKOFF_MAX];
	char			*a, *b;

	if (ok[K_BACKOFF_MIN] && ok[K_BACKOFF_MAX] &&
	    n->backoff_min_ms > n->backoff_max_ms) {
		a = value_fmt_duration(n->backoff_min_ms);
		b = value_fmt_duration(n->backoff_max_ms);
		if (vmax->s != NULL && vmax->line >= vmin->line) {
			spec_error(ctx, vmax->line, sec->path, "key "
			    "'backoff_max': %s is less than backoff_min %s", b,
			    a);
		} else {
			spec_error(ctx, vmin->line, sec->path, "key "
			    "'backoff_min': %s is more than backoff_max %s", a,
			    b);
		}
		free(a);
		free(b);
	}
	if (n->kind == TREE_WORKER && (n->user != NULL || n->group != NULL))
		spec_check_ids(ctx, i);
	/* A task that runs to completion is retried only if it fails. */
	if (n->oneshot && sec->keys[K_RESTART].s == NULL)
		n->restart = TREE_TRANSIENT;
}

/*
 * Resolve user and group now, so that a typo fails the check rather than
 * the start. Numeric ids need no entry, but without 'group' a uid must
 * have one to give its primary group. The lookups are the caller's
 * (ctx->ids); without them names keep the id -1.
 */
static void
spec_check_ids(struct spec_ctx *ctx, int i)
{
	struct spec_sec		*sec = &ctx->secs[i];
	struct tree_node	*n = &ctx->nodes[i];
	const struct spec_ids	*ids = ctx->ids;
	struct spec_user	 pw = { 0 };
	int			 uline = sec->keys[K_USER].line;
	int			 gline = sec->keys[K_GROUP].line;
	const char		*digits = "0123456789";
	int			 entry = 0;	/* 1: found, -1: unknown user */

	if (n->user != NULL) {
		if (strspn(n->user, digits) == strlen(n->user) &&
		    strlen(n->user) < 10) {
			n->uid = (uid_t)strtol(n->user, NULL, 10);
			if (ids != NULL && ids->uid(n->uid, &pw) == 0)
				entry = 1;
		} else if (ids == NULL)
			entry = -1;
		else if (ids->user(n->user, &pw) == 0) {
			n->uid = pw.uid;
			entry = 1;
		} else {
			spec_error(ctx, uline, sec->path, "key 'user': unknown "
			    "user '%.64s'", n->user);
			entry = -1;
		}
		if (entry == 1)
			n->user_env = spec_check_user_env(&pw);
	}
	if (n->group != NULL) {
		if (strspn(n->group, digits) == strlen(n->group) &&
		    strlen(n->group) < 10)
			n->gid = (gid_t)strtol(n->group, NULL, 10);
		else if (ids != NULL && ids->group(n->group, &n->gid) != 0) {
			spec_error(ctx, gline, sec->path, "key 'group': "
			    "unknown group '%.64s'", n->group);
		}
	} else if (entry == 1)
		n->gid = pw.gid;
	else if (entry == 0 && ids != NULL) {
		spec_error(ctx, uline, sec->path, "key 'user': uid %s has no "
		    "passwd entry, so set 'group' too", n->user);
	}
}

/*
 * The variables su and systemd set for a user from its passwd entry (an
 * empty home is "/", an empty shell /bin/sh, as su does). NULL-terminated.
 */
static char **
spec_check_user_env(const struct spec_user *pw)
{
	const char	*dir = pw->dir, *sh = pw->shell;
	char		**env;

	if (dir == NULL || *dir == '\0')
		dir = "/";
	if (sh == NULL || *sh == '\0')
		sh = "/bin/sh";
	env = xcalloc(5, sizeof *env);
	xasprintf(&env[0], "HOME=%s", dir);
	xasprintf(&env[1], "USER=%s", pw->name);
	xasprintf(&env[2], "LOGNAME=%s", pw->name);
	xasprintf(&env[3], "SHELL=%s", sh);
	return (env);
}

/* "stdin" for "-", else the file's basename without a trailing ".ini". */
static char *
spec_check_default_name(const char *file)
{
	const char	*base;
	size_t		 n;

	if (strcmp(file, "-") == 0)
		return (xstrdup("stdin"));
	base = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
		n -= 4;
	return (xstrndup(base, n));
}
