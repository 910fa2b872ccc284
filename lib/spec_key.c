/*
 * spec_key.c: the keys of a spec and their setters.
 *
 * One table says where each key is allowed, its type and where its value
 * goes in struct tree_node; simple types are set through the table and
 * the rest (commands, environment, ready, ...) by spec_key_special. Table
 * order is the order of the canonical form (spec_build.c). Unknown names
 * get a suggestion: a near miss, an alias people reach for, or a prefix.
 * Pure.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "dep.h"
#include "log.h"
#include "rlimit.h"
#include "spec_int.h"
#include "value.h"
#include "xmalloc.h"

static int	 spec_key_distance(const char *, const char *);
static int	 spec_key_special(struct spec_ctx *, struct tree_node *,
		     enum spec_keyid, struct spec_val *, char **);
static int	 spec_key_argv(struct spec_val *, const char *, char ***, int *,
		     char **);
static int	 spec_key_env(struct spec_val *, char ***, int *, char **);
static int	 spec_key_codes(const char *, struct tree_node *, char **);
static int	 spec_key_mult(const char *, double *, char **);
static int	 spec_key_ready(struct spec_val *, struct tree_node *, char **);
static int	 spec_key_http(struct spec_ctx *, const char *, char **);

/* Canonical words come first: the digest uses the first match. */
static const struct spec_word spec_restarts[] = {
	{ "permanent", TREE_PERMANENT }, { "transient", TREE_TRANSIENT },
	{ "temporary", TREE_TEMPORARY }, { "always", TREE_PERMANENT },
	{ "on-failure", TREE_TRANSIENT }, { "on_failure", TREE_TRANSIENT },
	{ "never", TREE_TEMPORARY }, { NULL, 0 }
};
static const struct spec_word spec_strategies[] = {
	{ "one_for_one", TREE_ONE_FOR_ONE },
	{ "one_for_all", TREE_ONE_FOR_ALL },
	{ "rest_for_one", TREE_REST_FOR_ONE }, { NULL, 0 }
};
static const struct spec_word spec_starts[] = {
	{ "ordered", 0 }, { "parallel", 1 }, { NULL, 0 }
};
static const struct spec_word spec_autos[] = {
	{ "never", TREE_AUTO_NEVER }, { "any_significant", TREE_AUTO_ANY },
	{ "all_significant", TREE_AUTO_ALL }, { NULL, 0 }
};

const struct spec_key spec_key_table[K_NKEYS] = {
	{ "command", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "restart", KW_CHILD, KT_WORD, OFF(restart), 0, 0, spec_restarts,
	  "(use permanent, transient or temporary)" },
	{ "max_restarts", KW_CHILD, KT_LIMIT, OFF(max_restarts), 0, 0, NULL,
	  NULL },
	{ "shutdown", KW_CHILD, KT_FN, 0, 0, 0, NULL, NULL },
	{ "significant", KW_CHILD, KT_BOOL, OFF(significant), 0, 0, NULL,
	  NULL },
	{ "backoff_min", KW_CHILD, KT_DURATION, OFF(backoff_min_ms), 0, 0,
	  NULL, NULL },
	{ "backoff_max", KW_CHILD, KT_DURATION, OFF(backoff_max_ms), 0, 0,
	  NULL, NULL },
	{ "backoff_multiplier", KW_CHILD, KT_FN, 0, 0, 0, NULL, NULL },
	{ "backoff_reset", KW_CHILD, KT_DURATION, OFF(backoff_reset_ms), 0, 0,
	  NULL, NULL },
	{ "exit_codes", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "stop_signal", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "directory", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "environment", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "user", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "group", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "umask", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "output", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "log_max_size", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "log_keep", KW_WORKER, KT_INT, OFF(log_keep), 0, 1000, NULL, NULL },
	{ "log_lines", KW_WORKER, KT_INT, OFF(log_lines), 0, 1000000, NULL,
	  NULL },
	{ "timestamps", KW_WORKER, KT_BOOL, OFF(timestamps), 0, 0, NULL, NULL },
	{ "ready", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "start_timeout", KW_WORKER, KT_DURATION, OFF(start_timeout_ms), 1, 0,
	  NULL, NULL },
	{ "limit_nofile", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_nproc", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_core", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_memlock", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_as", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_cpu", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_fsize", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_stack", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "limit_data", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "nice", KW_WORKER, KT_INT, OFF(nice), -20, 19, NULL, NULL },
	{ "oom_score_adj", KW_WORKER, KT_INT, OFF(oom_score_adj), -1000, 1000,
	  NULL, NULL },
	{ "instances", KW_WORKER, KT_INT, OFF(instances), 1, 10000, NULL,
	  NULL },
	{ "dynamic", KW_WORKER, KT_BOOL, OFF(dynamic), 0, 0, NULL, NULL },
	{ "contain", KW_WORKER, KT_BOOL, OFF(contain), 0, 0, NULL, NULL },
	{ "health", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "health_interval", KW_WORKER, KT_DURATION, OFF(health_interval_ms),
	  1, 0, NULL, NULL },
	{ "health_timeout", KW_WORKER, KT_DURATION, OFF(health_timeout_ms), 1,
	  0, NULL, NULL },
	{ "health_failures", KW_WORKER, KT_INT, OFF(health_failures), 1,
	  1000000, NULL, NULL },
	{ "health_grace", KW_WORKER, KT_DURATION, OFF(health_grace_ms), 0, 0,
	  NULL, NULL },
	{ "watchdog", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "watchdog_signal", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "max_memory", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "memory_max", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "memory_high", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "cpu_weight", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "cpu_max", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "pids_max", KW_WORKER, KT_FN, 0, 0, 0, NULL, NULL },
	{ "strategy", KW_SUPER, KT_WORD, OFF(strategy), 0, 0, spec_strategies,
	  "(use one_for_one, one_for_all or rest_for_one)" },
	{ "intensity", KW_SUPER, KT_LIMIT, OFF(intensity), 0, 0, NULL, NULL },
	{ "period", KW_SUPER, KT_DURATION, OFF(period_ms), 1, 0, NULL, NULL },
	{ "auto_shutdown", KW_SUPER, KT_WORD, OFF(auto_shutdown), 0, 0,
	  spec_autos, "(use never, any_significant or all_significant)" },
	{ "start", KW_SUPER, KT_WORD, OFF(parallel), 0, 0, spec_starts,
	  "(use ordered or parallel)" },
	{ "after", KW_CHILD, KT_FN, 0, 0, 0, NULL, NULL },
	{ "oneshot", KW_WORKER, KT_BOOL, OFF(oneshot), 0, 0, NULL, NULL },
	{ "name", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
	{ "socket", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
	{ "http", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
	{ "cgroup", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
};

/* Names people reach for, used only to suggest the real key. */
static const char *spec_aliases[][2] = {
	{ "cmd", "command" }, { "exec", "command" }, { "args", "command" },
	{ "cwd", "directory" }, { "dir", "directory" },
	{ "workdir", "directory" }, { "env", "environment" },
	{ "signal", "stop_signal" }, { "kill_signal", "stop_signal" },
	{ "stop_timeout", "shutdown" }, { "timeout", "start_timeout" },
	{ "stdout", "output" }, { "log", "output" },
	{ "depends_on", "after" }, { "requires", "after" },
	{ "wants", "after" }, { "one_shot", "oneshot" }, { "once", "oneshot" },
	{ NULL, NULL }
};

int
spec_key_find(const char *name)
{
	int	k;

	for (k = 0; k < K_NKEYS; k++) {
		if (strcmp(spec_key_table[k].name, name) == 0)
			return (k);
	}
	return (-1);
}

/* The key meant by an unknown name: a near miss, an alias, a prefix. */
const char *
spec_key_suggest(const char *name)
{
	const char	*best = NULL;
	size_t		 n = strlen(name);
	int		 k, d, bestd = 3;

	for (k = 0; k < K_NKEYS; k++) {
		d = spec_key_distance(name, spec_key_table[k].name);
		if (d < bestd && (size_t)d < n) {
			bestd = d;
			best = spec_key_table[k].name;
		}
	}
	if (best != NULL)
		return (best);
	for (k = 0; spec_aliases[k][0] != NULL; k++) {
		if (strcasecmp(name, spec_aliases[k][0]) == 0)
			return (spec_aliases[k][1]);
	}
	for (k = 0; k < K_NKEYS && n >= 3; k++) {
		if (strncmp(name, spec_key_table[k].name, n) == 0)
			return (spec_key_table[k].name);
	}
	return (NULL);
}

/* Levenshtein distance, for names of up to 64 bytes. */
static int
spec_key_distance(const char *a, const char *b)
{
	int	row[65], i, j, diag, up, la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return (INT_MAX);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return (row[lb]);
}

/* Like value.c: "WHAT 'VALUE' HINT" with VALUE clipped; returns -1. */
int
spec_key_bad(char **cause, const char *what, const char *s, const char *hint)
{
	size_t	len = strlen(s), n = len > 64 ? 61 : len;

	/* Do not cut a UTF-8 sequence in half. */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	xasprintf(cause, "%s '%.*s%s' %s", what, (int)n, s,
	    n < len ? "..." : "", hint);
	return (-1);
}

int
spec_key_set(struct spec_ctx *ctx, struct tree_node *n, enum spec_keyid k,
    struct spec_val *v, char **cause)
{
	const struct spec_key	*kd = &spec_key_table[k];
	char			*field = (char *)n + kd->off;
	int64_t			 ms;
	long			 l;
	int			 i;

	switch (kd->type) {
	case KT_DURATION:
		if (value_duration(v->s, &ms, cause) != 0)
			return (-1);
		if (ms < kd->min) {
			xasprintf(cause, "must be more than 0");
			return (-1);
		}
		*(int64_t *)field = ms;
		return (0);
	case KT_BOOL:
		return (value_bool(v->s, (int *)field, cause));
	case KT_INT:
		if (value_long(v->s, kd->min, kd->max, &l, cause) != 0)
			return (-1);
		*(int *)field = (int)l;
		return (0);
	case KT_LIMIT:
		if (strcasecmp(v->s, "unlimited") == 0 ||
		    strcasecmp(v->s, "infinity") == 0)
			l = TREE_UNLIMITED;
		else if (value_long(v->s, 0, INT_MAX, &l, cause) != 0) {
			free(*cause);
			return (spec_key_bad(cause, "invalid value", v->s,
			    "(use a whole number from 0, or unlimited)"));
		}
		*(long *)field = l;
		return (0);
	case KT_WORD:
		for (i = 0; kd->words[i].word != NULL; i++) {
			if (strcasecmp(v->s, kd->words[i].word) == 0) {
				*(int *)field = kd->words[i].value;
				return (0);
			}
		}
		return (spec_key_bad(cause, "invalid value", v->s, kd->hint));
	case KT_FN:
		break;
	}
	return (spec_key_special(ctx, n, k, v, cause));
}

static int
spec_key_special(struct spec_ctx *ctx, struct tree_node *n, enum spec_keyid k,
    struct spec_val *v, char **cause)
{
	const char	*s = v->s;
	char		**env;
	int		  nenv, argc;

	if (*s == '\0' && k != K_ENVIRONMENT && k != K_COMMAND) {
		xasprintf(cause, "empty value");
		return (-1);
	}
	switch (k) {
	case K_COMMAND:
		n->argv_line = v->line;
		return (spec_key_argv(v, s, &n->argv, &n->argc, cause));
	case K_SHUTDOWN:
		if (strcasecmp(s, "brutal_kill") == 0)
			n->shutdown_ms = TREE_SHUTDOWN_BRUTAL;
		else if (strcasecmp(s, "infinity") == 0)
			n->shutdown_ms = TREE_SHUTDOWN_INFINITY;
		else
			return (value_duration(s, &n->shutdown_ms, cause));
		return (0);
	case K_BACKOFF_MULT:
		return (spec_key_mult(s, &n->backoff_multiplier, cause));
	case K_EXIT_CODES:
		return (spec_key_codes(s, n, cause));
	case K_STOP_SIGNAL:
		return (value_signal(s, &n->stop_signal, cause));
	case K_DIRECTORY:
		n->directory = xstrdup(s);
		return (0);
	case K_ENVIRONMENT:
		if (spec_key_env(v, &env, &nenv, cause) != 0)
			return (-1);
		value_free_vec(n->env);
		n->env = env;
		n->nenv = nenv;
		return (0);
	case K_USER:
		n->user = xstrdup(s);
		return (0);
	case K_GROUP:
		n->group = xstrdup(s);
		return (0);
	case K_LIMIT_NOFILE: case K_LIMIT_NPROC: case K_LIMIT_CORE:
	case K_LIMIT_MEMLOCK: case K_LIMIT_AS: case K_LIMIT_CPU:
	case K_LIMIT_FSIZE: case K_LIMIT_STACK: case K_LIMIT_DATA:
		return (rlimit_parse(k - K_LIMIT_NOFILE, s,
		    &tree_limits(n)->rlimits[k - K_LIMIT_NOFILE], cause));
	case K_MEMORY_MAX: case K_MEMORY_HIGH: case K_CPU_WEIGHT:
	case K_CPU_MAX: case K_PIDS_MAX:
		return (cglimit_parse(k - K_MEMORY_MAX, s,
		    &tree_limits(n)->cglimits[k - K_MEMORY_MAX], cause));
	case K_CGROUP:
		if (*s != '/') {
			return (spec_key_bad(cause, "invalid cgroup", s,
			    "(use the absolute path of a cgroup v2 directory)"));
		}
		free(ctx->cgroup);
		ctx->cgroup = xstrdup(s);
		return (0);
	case K_UMASK:
		if (strspn(s, "01234567") != strlen(s) || strlen(s) > 4 ||
		    strtol(s, NULL, 8) > 0777) {
			return (spec_key_bad(cause, "invalid umask", s,
			    "(use octal from 000 to 777, e.g. 022)"));
		}
		n->umask = (int)strtol(s, NULL, 8);
		return (0);
	case K_OUTPUT:
		if (strcasecmp(s, "prefix") == 0)
			n->output = TREE_OUT_PREFIX;
		else if (strcasecmp(s, "inherit") == 0)
			n->output = TREE_OUT_INHERIT;
		else if (strcasecmp(s, "null") == 0)
			n->output = TREE_OUT_NULL;
		else if (strncmp(s, "file:", 5) == 0 && s[5] != '\0') {
			n->output = TREE_OUT_FILE;
			n->output_path = xstrdup(s + 5);
		} else {
			return (spec_key_bad(cause, "invalid output", s,
			    "(use prefix, inherit, null or file:PATH)"));
		}
		return (0);
	case K_LOG_MAX_SIZE:
		return (spec_key_size(s, &n->log_max_size, cause));
	case K_READY:
		return (spec_key_ready(v, n, cause));
	case K_AFTER:
		if (dep_parse(s, &n->after, &n->nafter, cause) != 0)
			return (-1);
		n->after_line = v->line;
		return (0);
	case K_HEALTH:
		if (strncmp(s, "exec:", 5) == 0) {
			n->health = TREE_HEALTH_EXEC;
			return (spec_key_argv(v, s + 5, &n->health_argv, &argc,
			    cause));
		}
		/* FALLTHROUGH */
	case K_WATCHDOG:
	case K_WATCHDOG_SIGNAL:
	case K_MAX_MEMORY:
		return (spec_live_set(n, k, s, cause));
	case K_NAME:
		if (!spec_key_name_ok(s)) {
			return (spec_key_bad(cause, "invalid name", s, "(use 1 to "
			    "64 letters, digits, '_', '-' and '.')"));
		}
		ctx->name = xstrdup(s);
		return (0);
	case K_SOCKET:
		if (strlen(s) >= 108) {
			xasprintf(cause, "socket path too long (%zu bytes; the "
			    "limit is 107)", strlen(s));
			return (-1);
		}
		ctx->socket = xstrdup(s);
		return (0);
	case K_HTTP:
		return (spec_key_http(ctx, s, cause));
	default:
		fatalx("%s: no setter for key %d", __func__, k);
	}
}

/*
 * A value that failed to parse and had a comment cut off it: the cause
 * says so, since the ';' may have cut it mid-quote. Returns -1.
 */
static int
spec_key_cut(const struct spec_val *v, char **cause)
{
	char	*old;

	if (v->comment) {
		old = *cause;
		xasprintf(cause, "%s; note that a ';' after a blank starts a "
		    "comment", old);
		free(old);
	}
	return (-1);
}

/* Split a command; a failure may come from a comment cut off inside. */
static int
spec_key_argv(struct spec_val *v, const char *s, char ***argv, int *argc,
    char **cause)
{
	if (value_split(s, argv, argc, cause) == 0) {
		if (*argc > 0)
			return (0);
		value_free_vec(*argv);
		*argv = NULL;
		xasprintf(cause, "empty command");
	}
	return (spec_key_cut(v, cause));
}

static int
spec_key_env(struct spec_val *v, char ***env, int *nenv, char **cause)
{
	if (value_env(v->s, env, nenv, cause) == 0)
		return (0);
	return (spec_key_cut(v, cause));
}

/* Exit codes 0..255 separated by blanks or commas, kept sorted, unique. */
static int
spec_key_codes(const char *s, struct tree_node *n, char **cause)
{
	char		 seen[256], *word;
	const char	*p = s;
	size_t		 w;
	long		 code;
	int		 i, count = 0;

	memset(seen, 0, sizeof seen);
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		w = strcspn(p, " \t,");
		word = xstrndup(p, w);
		if (value_long(word, 0, 255, &code, cause) != 0) {
			free(word);
			return (-1);
		}
		free(word);
		count += !seen[code];
		seen[code] = 1;
		p += w;
	}
	if (count == 0)
		return (spec_key_bad(cause, "invalid exit codes", s,
		    "(use numbers from 0 to 255, e.g. 0 or 0, 143)"));
	free(n->exit_codes);
	n->exit_codes = xcalloc(count, sizeof *n->exit_codes);
	n->nexit_codes = 0;
	for (i = 0; i < 256; i++) {
		if (seen[i])
			n->exit_codes[n->nexit_codes++] = i;
	}
	return (0);
}

/* Bytes, with an optional K, M or G (powers of 1024). */
int
spec_key_size(const char *s, int64_t *size, char **cause)
{
	const char	*p = s;
	int64_t		 v = 0, mult = 1;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			goto big;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case 'g': case 'G':
		mult <<= 10;
		/* FALLTHROUGH */
	case 'm': case 'M':
		mult <<= 10;
		/* FALLTHROUGH */
	case 'k': case 'K':
		mult <<= 10;
		p++;
		break;
	}
	if (*p != '\0')
		goto bad;
	if (v > INT64_MAX / mult)
		goto big;
	*size = v * mult;
	return (0);
big:
	return (spec_key_bad(cause, "size out of range", s, "(too large)"));
bad:
	return (spec_key_bad(cause, "invalid size", s,
	    "(use bytes, or a number with K, M or G, e.g. 10M)"));
}

/* A decimal from 1 to 100, read by hand to stay locale-proof. */
static int
spec_key_mult(const char *s, double *d, char **cause)
{
	const char	*p = s;
	int64_t		 ip = 0, frac = 0;
	int		 nf = 0;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++)
		ip = ip > 1000 ? ip : ip * 10 + (*p - '0');
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			if (nf++ < 6)
				frac = frac * 10 + (*p - '0');
		}
	}
	if (*p != '\0')
		goto bad;
	for (; nf < 6; nf++)
		frac *= 10;
	if (ip < 1 || ip > 100 || (ip == 100 && frac > 0))
		return (spec_key_bad(cause, "multiplier out of range", s,
		    "(1 to 100)"));
	*d = ip + frac / 1e6;
	return (0);
bad:
	return (spec_key_bad(cause, "invalid multiplier", s,
	    "(use a number from 1 to 100, e.g. 1.5)"));
}

static int
spec_key_ready(struct spec_val *v, struct tree_node *n, char **cause)
{
	const char	*s = v->s;
	char		*inner;
	long		 l;
	int		 argc;

	if (strcasecmp(s, "exec") == 0)
		n->ready = TREE_READY_EXEC;
	else if (strcasecmp(s, "notify") == 0)
		n->ready = TREE_READY_NOTIFY;
	else if (strncmp(s, "exec:", 5) == 0) {
		n->ready = TREE_READY_PROBE;
		return (spec_key_argv(v, s + 5, &n->ready_argv, &argc, cause));
	} else if (strncmp(s, "fd:", 3) == 0) {
		if (value_long(s + 3, 3, 1023, &l, &inner) != 0)
			goto badnum;
		n->ready = TREE_READY_FD;
		n->ready_fd = (int)l;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		switch (spec_key_hostport(s + 4, &n->ready_host, &n->ready_port)) {
		case -1:
			goto bad;
		case -2:
			goto badport;
		case -3:
			return (spec_key_bad(cause, "invalid ready", s, "(the host "
			    "must be an IP address or localhost)"));
		}
		n->ready = TREE_READY_TCP;
	} else
		goto bad;
	return (0);
badnum:
	free(inner);
	return (spec_key_bad(cause, "invalid ready", s,
	    "(the descriptor must be from 3 to 1023)"));
badport:
	return (spec_key_bad(cause, "invalid ready", s,
	    "(the port must be from 1 to 65535)"));
bad:
	return (spec_key_bad(cause, "invalid ready", s, "(use exec, fd:N, notify, "
	    "tcp:[HOST:]PORT or exec:COMMAND)"));
}

/* http = [HOST:]PORT: checked here, kept as written for the top process. */
static int
spec_key_http(struct spec_ctx *ctx, const char *s, char **cause)
{
	char	*host, *why, *hint;
	int	 port, rv;

	if (addr_parse(s, &host, &port, &why) == -1) {
		xasprintf(&hint, "(%s)", why);
		rv = spec_key_bad(cause, "invalid http", s, hint);
		free(hint);
		free(why);
		return (rv);
	}
	free(host);
	free(ctx->http);
	ctx->http = xstrdup(s);
	return (0);
}

/*
 * [HOST:]PORT or [V6]:PORT, the host numeric or localhost (no DNS at run
 * time: it would block a supervisor); 127.0.0.1 without one. Returns 0,
 * -1 (malformed), -2 (bad port) or -3 (a host that is not an address).
 */
int
spec_key_hostport(const char *p, char **hostp, int *portp)
{
	struct in6_addr	 a6;
	const char	*q, *port;
	char		*host, *inner;
	long		 l;

	if (*p == '[') {
		/* [::1]:8080 */
		if ((q = strchr(p, ']')) == NULL || q == p + 1 || q[1] != ':')
			return (-1);
		host = xstrndup(p + 1, q - p - 1);
		port = q + 2;
	} else if ((q = strrchr(p, ':')) != NULL) {
		if (q == p || strcspn(p, " \t") < (size_t)(q - p))
			return (-1);
		host = xstrndup(p, q - p);
		port = q + 1;
	} else {
		host = xstrdup("127.0.0.1");
		port = p;
	}
	if (value_long(port, 1, 65535, &l, &inner) != 0) {
		free(inner);
		free(host);
		return (-2);
	}
	if (strcmp(host, "localhost") != 0 &&
	    inet_pton(AF_INET, host, &a6) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1) {
		free(host);
		return (-3);
	}
	free(*hostp);
	*hostp = host;
	*portp = (int)l;
	return (0);
}

int
spec_key_name_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n > 0 && n <= 64 && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n);
}
