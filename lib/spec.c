/*
 * spec.c: tree spec text -> struct tree, with every error collected.
 *
 * The text goes through inih's ini_parse_stream() with our own reader,
 * because Debian's inih passes no line numbers, reads lines into a fixed
 * 200-byte buffer and silently cuts longer ones, never tells the handler
 * about section headers and truncates section names to 49 bytes. So the
 * reader hands inih one line at a time, counts lines, refuses over-long
 * lines (inih never sees a cut line, so a cut command can never run) and
 * classifies each line exactly as inih will (comment, [section], key,
 * continuation) to track sections and continuations itself. inih is left
 * to split keys from values and to strip comments.
 *
 * Three passes: read (sections and raw values: spec_reader, spec_handler),
 * check (paths, parents, keys and values into one tree_node per section:
 * spec_check) and build (nodes in depth-first order, children, digests:
 * spec_build). Nothing is built unless every check passed; *cause then
 * holds all errors in line order. Work and memory stay bounded by the
 * input size and SPEC_MAX_NODES, so arbitrary bytes cannot make it hang.
 *
 * Not pure: getpwnam/getgrnam resolve user and group, spec_read reads.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ini.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "spec.h"
#include "value.h"
#include "xmalloc.h"

/* The spec travels down the tree in one frame (MSG_MAXLEN, 4 MiB). */
#define SPEC_MAX_SIZE	(4 * 1024 * 1024 - 4096)
#define SPEC_MAX_NODES	100001	/* 100,000 children and the root */
#define SPEC_MAX_ERRORS	100	/* printed */
#define SPEC_KEEP_ERRORS 1000	/* kept, to sort by line */
#define SPEC_ROOT	"supertree"

#define SEC_NONE	(-1)	/* no section header yet */
#define SEC_IGNORE	(-2)	/* a bad header: skip its keys */

enum spec_class { CLS_NONE, CLS_KEY, CLS_CONT };
enum spec_where { KW_CHILD, KW_WORKER, KW_SUPER, KW_ROOT };
enum spec_type { KT_DURATION, KT_BOOL, KT_INT, KT_LIMIT, KT_WORD, KT_FN };

/* Keys in table (and digest) order. */
enum spec_keyid {
	K_COMMAND, K_RESTART, K_MAX_RESTARTS, K_SHUTDOWN, K_SIGNIFICANT,
	K_BACKOFF_MIN, K_BACKOFF_MAX, K_BACKOFF_MULT, K_BACKOFF_RESET,
	K_EXIT_CODES, K_STOP_SIGNAL, K_DIRECTORY, K_ENVIRONMENT, K_USER,
	K_GROUP, K_UMASK, K_OUTPUT, K_LOG_MAX_SIZE, K_LOG_KEEP, K_LOG_LINES,
	K_TIMESTAMPS, K_READY, K_START_TIMEOUT, K_STRATEGY, K_INTENSITY,
	K_PERIOD, K_AUTO_SHUTDOWN, K_NAME, K_SOCKET, K_NKEYS
};

struct spec_word {
	const char	*word;
	int		 value;
};

struct spec_key {
	const char		*name;
	enum spec_where		 where;
	enum spec_type		 type;
	size_t			 off;	/* in struct tree_node */
	long			 min;	/* KT_INT, KT_DURATION */
	long			 max;	/* KT_INT */
	const struct spec_word	*words;	/* KT_WORD */
	const char		*hint;	/* KT_WORD */
};

/* A raw value as read: a key's line plus its continuation lines. */
struct spec_val {
	char		*s;		/* NULL: key not set */
	size_t		 len;
	size_t		 size;
	int		 line;
	int		 comment;	/* an inline comment was cut off */
};

struct spec_sec {
	char		*path;
	int		 line;		/* 0: the implicit root */
	int		 bad;		/* no node: see spec_check */
	int		 dup;
	int		 parent;	/* section index, -1 for the root */
	int		 nkids;
	struct spec_val	 keys[K_NKEYS];
};

struct spec_err {
	int		 line;		/* 0: about the whole file */
	int		 seq;
	char		*msg;
};

struct spec_ctx {
	const char	*file;
	const char	*text;
	size_t		 len;
	size_t		 pos;
	int		 lineno;
	enum spec_class	 cls;		/* of inih's current line */
	int		 prev;		/* inih may continue a key */
	int		 comment;	/* the line's value had a comment */
	int		 cursec;	/* section index or SEC_* */
	struct spec_val	*curval;	/* continuations go here */

	struct spec_sec	*secs;		/* [0] is the root */
	int		 nsecs;
	int		 toomany;
	struct spec_sec	**sorted;	/* by path, then line */
	struct tree_node *nodes;	/* one per section, same index */
	char		*name;
	char		*socket;

	struct spec_err	*errs;
	int		 nerrs;
	int		 nlost;
};

#define OFF(f)	offsetof(struct tree_node, f)

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
static const struct spec_word spec_autos[] = {
	{ "never", TREE_AUTO_NEVER }, { "any_significant", TREE_AUTO_ANY },
	{ "all_significant", TREE_AUTO_ALL }, { NULL, 0 }
};

static const struct spec_key spec_keys[K_NKEYS] = {
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
	{ "strategy", KW_SUPER, KT_WORD, OFF(strategy), 0, 0, spec_strategies,
	  "(use one_for_one, one_for_all or rest_for_one)" },
	{ "intensity", KW_SUPER, KT_LIMIT, OFF(intensity), 0, 0, NULL, NULL },
	{ "period", KW_SUPER, KT_DURATION, OFF(period_ms), 1, 0, NULL, NULL },
	{ "auto_shutdown", KW_SUPER, KT_WORD, OFF(auto_shutdown), 0, 0,
	  spec_autos, "(use never, any_significant or all_significant)" },
	{ "name", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
	{ "socket", KW_ROOT, KT_FN, 0, 0, 0, NULL, NULL },
};

/* Names people reach for, used only to suggest the real key. */
static const char *spec_aliases[][2] = {
	{ "cmd", "command" }, { "exec", "command" }, { "args", "command" },
	{ "cwd", "directory" }, { "dir", "directory" },
	{ "workdir", "directory" }, { "env", "environment" },
	{ "signal", "stop_signal" }, { "kill_signal", "stop_signal" },
	{ "stop_timeout", "shutdown" }, { "timeout", "start_timeout" },
	{ "stdout", "output" }, { "log", "output" }, { NULL, NULL }
};

static void	 spec_error(struct spec_ctx *, int, const char *,
		     const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 spec_bad(char **, const char *, const char *, const char *);
static char	*spec_cause(struct spec_ctx *);
static int	 spec_check_text(struct spec_ctx *);
static size_t	 spec_utf8(const unsigned char *, size_t);
static size_t	 spec_find(const char *, const char *);
static char	*spec_reader(char *, int, void *);
static char	*spec_long_line(struct spec_ctx *, char *, const char *,
		     size_t, int);
static void	 spec_classify(struct spec_ctx *, char *);
static void	 spec_header(struct spec_ctx *, const char *);
static int	 spec_section(struct spec_ctx *, const char *, size_t);
static int	 spec_check_path(struct spec_ctx *, const char *);
static int	 spec_handler(void *, const char *, const char *,
		     const char *);
static void	 spec_key(struct spec_ctx *, const char *, const char *);
static void	 spec_cont(struct spec_ctx *, const char *);
static void	 spec_append(struct spec_val *, const char *, size_t);
static int	 spec_keyid(const char *);
static const char *spec_suggest(const char *);
static int	 spec_distance(const char *, const char *);
static void	 spec_check(struct spec_ctx *);
static int	 spec_seccmp(const void *, const void *);
static int	 spec_errcmp(const void *, const void *);
static int	 spec_lookup(struct spec_ctx *, const char *, size_t);
static void	 spec_parent(struct spec_ctx *, int);
static void	 spec_defaults(struct tree_node *, enum tree_kind);
static void	 spec_node(struct spec_ctx *, int);
static int	 spec_allowed(struct spec_ctx *, int, enum spec_keyid,
		     enum tree_kind);
static int	 spec_set(struct spec_ctx *, struct tree_node *,
		     enum spec_keyid, struct spec_val *, char **);
static int	 spec_special(struct spec_ctx *, struct tree_node *,
		     enum spec_keyid, struct spec_val *, char **);
static int	 spec_argv(struct spec_val *, const char *, char ***, int *,
		     char **);
static int	 spec_env(struct spec_val *, char ***, int *, char **);
static int	 spec_codes(const char *, struct tree_node *, char **);
static int	 spec_size(const char *, int64_t *, char **);
static int	 spec_mult(const char *, double *, char **);
static int	 spec_ready(struct spec_val *, struct tree_node *, char **);
static int	 spec_name_ok(const char *);
static char	*spec_default_name(const char *);
static void	 spec_post(struct spec_ctx *, int, const char *);
static void	 spec_ids(struct spec_ctx *, int);
static char	**spec_user_env(const struct passwd *);
static struct tree *spec_build(struct spec_ctx *);
static void	 spec_order(struct spec_ctx *, int, int *, int *);
static char	*spec_digest(struct spec_ctx *, const struct tree_node *,
		     int);
static void	 spec_fmt_key(FILE *, const struct tree_node *,
		     enum spec_keyid);
static void	 spec_fmt_vec(FILE *, char **);
static void	 spec_free(struct spec_ctx *);

/* Record an error as "FILE[:LINE]: [[SECTION]: ]MESSAGE". */
static void
spec_error(struct spec_ctx *ctx, int line, const char *sec, const char *fmt,
    ...)
{
	struct spec_err	*e;
	va_list		 ap;
	char		 msg[2048], where[32] = "";

	if (ctx->nerrs == SPEC_KEEP_ERRORS) {
		ctx->nlost++;
		return;
	}
	/* Values in messages are clipped: 2048 bytes is plenty. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof where, ":%d", line);
	ctx->errs = xreallocarray(ctx->errs, ctx->nerrs + 1, sizeof *ctx->errs);
	e = &ctx->errs[ctx->nerrs];
	e->line = line;
	e->seq = ctx->nerrs++;
	xasprintf(&e->msg, "%s%s: %s%s%s%s", ctx->file, where,
	    sec != NULL ? "[" : "", sec != NULL ? sec : "",
	    sec != NULL ? "]: " : "", msg);
}

/* Like value.c: "WHAT 'VALUE' HINT" with VALUE clipped; returns -1. */
static int
spec_bad(char **cause, const char *what, const char *s, const char *hint)
{
	size_t	len = strlen(s), n = len > 64 ? 61 : len;

	/* Do not cut a UTF-8 sequence in half. */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	xasprintf(cause, "%s '%.*s%s' %s", what, (int)n, s,
	    n < len ? "..." : "", hint);
	return (-1);
}

static int
spec_errcmp(const void *a, const void *b)
{
	const struct spec_err	*ea = a, *eb = b;
	unsigned int		 la = ea->line - 1, lb = eb->line - 1;

	/* Line 0 (the whole file) wraps to the largest: those go last. */
	if (la != lb)
		return (la < lb ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

static char *
spec_cause(struct spec_ctx *ctx)
{
	FILE	*f;
	char	*s = NULL;
	size_t	 n;
	int	 i, shown;

	if ((f = open_memstream(&s, &n)) == NULL)
		fatal("open_memstream");
	qsort(ctx->errs, ctx->nerrs, sizeof *ctx->errs, spec_errcmp);
	shown = ctx->nerrs > SPEC_MAX_ERRORS ? SPEC_MAX_ERRORS : ctx->nerrs;
	for (i = 0; i < shown; i++)
		fprintf(f, "%s%s", i > 0 ? "\n" : "", ctx->errs[i].msg);
	if (ctx->nerrs + ctx->nlost > shown)
		fprintf(f, "\n%s: too many errors (%d more not shown)",
		    ctx->file, ctx->nerrs + ctx->nlost - shown);
	if (fclose(f) != 0)
		fatal("open_memstream");
	return (s);
}

/* Refuse NUL bytes, control characters and invalid UTF-8 up front. */
static int
spec_check_text(struct spec_ctx *ctx)
{
	const unsigned char	*p = (const unsigned char *)ctx->text;
	size_t			 i, n, len = ctx->len;
	int			 line = 1;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] == '\n')
			line++;
		else if (p[i] == '\0') {
			spec_error(ctx, line, NULL,
			    "not a text file (it contains a NUL byte)");
			return (-1);
		} else if (p[i] == '\r' && (i + 1 == len || p[i + 1] == '\n'))
			continue;
		else if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			spec_error(ctx, line, NULL, "not a text file "
			    "(it contains the control character 0x%02x)", p[i]);
			return (-1);
		} else if (p[i] >= 0x80 &&
		    (n = spec_utf8(p + i, len - i)) == 0) {
			spec_error(ctx, line, NULL,
			    "not a text file (it is not valid UTF-8)");
			return (-1);
		}
	}
	return (0);
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t
spec_utf8(const unsigned char *p, size_t left)
{
	unsigned int	cp, min;
	size_t		n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return (0);
	if (p[0] < 0xe0) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] < 0xf0) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	}
	if (n > left)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (n);
}

/*
 * Offset of the first of chars in s, or of an inline comment (a ';' after
 * a blank), or of the NUL: inih's ini_find_chars_or_comment().
 */
static size_t
spec_find(const char *s, const char *chars)
{
	size_t	i;
	int	was_space = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (chars != NULL && strchr(chars, s[i]) != NULL)
			break;
		if (was_space && s[i] == ';')
			break;
		was_space = isspace((unsigned char)s[i]);
	}
	return (i);
}

/*
 * inih's reader: copy the next line into buf (which holds num bytes).
 * The line goes in whole with its '\n' or not at all: a longer line is
 * an error and inih gets a stand-in (see spec_long_line).
 */
static char *
spec_reader(char *buf, int num, void *arg)
{
	struct spec_ctx	*ctx = arg;
	const char	*line, *nl;
	size_t		 n, left;

	if (ctx->pos >= ctx->len || num < 8)
		return (NULL);
	line = ctx->text + ctx->pos;
	left = ctx->len - ctx->pos;
	if ((nl = memchr(line, '\n', left)) != NULL)
		n = nl - line;
	else
		n = left;
	ctx->pos += n + (nl != NULL);
	if (n > 0 && line[n - 1] == '\r')
		n--;
	ctx->lineno++;
	if (n > (size_t)num - 2)
		return (spec_long_line(ctx, buf, line, n, num - 2));
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	spec_classify(ctx, buf);
	return (buf);
}

/*
 * Give inih a short stand-in for an over-long line, one that leaves it in
 * the same state, so the lines after it are read as they would have been.
 * A comment or blank line is harmless: it becomes a blank line. Anything
 * else is an error: a continuation becomes a blank line; a section header
 * becomes one whose keys we ignore; the rest becomes a key whose value and
 * continuations we ignore.
 */
static char *
spec_long_line(struct spec_ctx *ctx, char *buf, const char *line, size_t n,
    int max)
{
	size_t	 i = strspn(line, " \t");
	int	 cont = ctx->prev && i > 0 && i < n, header;

	ctx->cls = CLS_NONE;
	if (i == n || line[i] == ';' || line[i] == '#') {
		memcpy(buf, "\n", 2);
		return (buf);
	}
	header = !cont && line[i] == '[';
	spec_error(ctx, ctx->lineno, header || ctx->cursec < 0 ? NULL :
	    ctx->secs[ctx->cursec].path, "line too long (%zu bytes; the limit "
	    "is %d): split the value over indented continuation lines", n, max);
	ctx->curval = NULL;
	if (cont)
		memcpy(buf, "\n", 2);
	else if (header) {
		ctx->cursec = SEC_IGNORE;
		ctx->prev = 0;
		memcpy(buf, "[-]\n", 5);
	} else {
		ctx->prev = 1;
		memcpy(buf, "-=\n", 4);
	}
	return (buf);
}

/*
 * Classify a line as inih will (ini_parse_stream in inih r55): blank and
 * comment lines change nothing; an indented line after a key continues it
 * (even after blank or comment lines); "[...]" starts a section and ends
 * continuations; anything else must be "key = value" or "key: value".
 */
static void
spec_classify(struct spec_ctx *ctx, char *buf)
{
	const char	*start = buf + strspn(buf, " \t\n");
	size_t		 end, cmt;

	ctx->cls = CLS_NONE;
	ctx->comment = 0;
	if (*start == '\0' || *start == ';' || *start == '#')
		return;
	if (ctx->prev && start > buf) {
		ctx->cls = CLS_CONT;
		return;
	}
	if (*start == '[') {
		spec_header(ctx, start);
		return;
	}
	end = spec_find(start, "=:");
	if (start[end] != '=' && start[end] != ':') {
		spec_error(ctx, ctx->lineno, ctx->cursec < 0 ? NULL :
		    ctx->secs[ctx->cursec].path, "expected 'key = value', "
		    "a [section] header or a comment");
		return;
	}
	cmt = spec_find(start + end + 1, NULL);
	ctx->comment = start[end + 1 + cmt] == ';';
	ctx->prev = end > 0;
	ctx->cls = CLS_KEY;
}

static void
spec_header(struct spec_ctx *ctx, const char *start)
{
	const char	*rest;
	size_t		 end = spec_find(start + 1, "]");

	ctx->curval = NULL;
	if (start[1 + end] != ']') {
		/* inih keeps its previous key and section: we skip keys. */
		spec_error(ctx, ctx->lineno, NULL,
		    "section header without ']'");
		ctx->cursec = SEC_IGNORE;
		return;
	}
	ctx->prev = 0;
	if (spec_section(ctx, start + 1, end) != 0)
		return;
	rest = start + end + 2;
	rest += strspn(rest, " \t\n");
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		spec_error(ctx, ctx->lineno, ctx->secs[ctx->cursec].path,
		    "unexpected text after ']'");
	}
}

/* Start a section; the first [supertree] fills the root, section 0. */
static int
spec_section(struct spec_ctx *ctx, const char *name, size_t n)
{
	struct spec_sec	*sec;

	if (n == strlen(SPEC_ROOT) && strncmp(name, SPEC_ROOT, n) == 0 &&
	    ctx->secs[0].line == 0) {
		ctx->secs[0].line = ctx->lineno;
		ctx->cursec = 0;
		return (0);
	}
	if (ctx->nsecs == SPEC_MAX_NODES) {
		if (!ctx->toomany) {
			spec_error(ctx, ctx->lineno, NULL, "too many sections "
			    "(a tree has at most %d nodes)", SPEC_MAX_NODES);
		}
		ctx->toomany = 1;
		ctx->cursec = SEC_IGNORE;
		return (-1);
	}
	/* Grow by doubling: nsecs is a power of two when full. */
	if ((ctx->nsecs & (ctx->nsecs - 1)) == 0) {
		ctx->secs = xreallocarray(ctx->secs, ctx->nsecs * 2,
		    sizeof *ctx->secs);
	}
	sec = &ctx->secs[ctx->nsecs];
	memset(sec, 0, sizeof *sec);
	sec->path = xstrndup(name, n);
	sec->line = ctx->lineno;
	sec->bad = spec_check_path(ctx, sec->path);
	ctx->cursec = ctx->nsecs++;
	return (0);
}

static int
spec_check_path(struct spec_ctx *ctx, const char *path)
{
	const char	*seg, *p;
	size_t		 n;

	if (*path == '\0') {
		spec_error(ctx, ctx->lineno, path, "empty section name");
		return (1);
	}
	if (strncmp(path, SPEC_ROOT "/", strlen(SPEC_ROOT) + 1) == 0) {
		spec_error(ctx, ctx->lineno, path, "nodes are named without "
		    "the root: write [%s]", path + strlen(SPEC_ROOT) + 1);
		return (1);
	}
	for (seg = path;; seg = p + 1) {
		n = strcspn(seg, "/");
		p = seg + n;
		if (n == 0 || (n <= 2 && strncmp(seg, "..", n) == 0)) {
			spec_error(ctx, ctx->lineno, path, "invalid section "
			    "name: '%.*s' is not a valid path segment", (int)n,
			    seg);
			return (1);
		}
		if (strspn(seg, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != n) {
			spec_error(ctx, ctx->lineno, path, "invalid section "
			    "name (use letters, digits, '_', '-' and '.', with "
			    "'/' between levels)");
			return (1);
		}
		if (*p == '\0')
			return (0);
	}
}

static int
spec_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct spec_ctx	*ctx = arg;

	(void)section;	/* inih cuts it at 49 bytes: we track our own */
	if (ctx->cls == CLS_KEY)
		spec_key(ctx, name, value);
	else if (ctx->cls == CLS_CONT)
		spec_cont(ctx, value);
	return (1);
}

static void
spec_key(struct spec_ctx *ctx, const char *name, const char *value)
{
	struct spec_sec	*sec;
	struct spec_val	*v;
	const char	*try;
	int		 k;

	ctx->curval = NULL;
	if (ctx->cursec == SEC_IGNORE)
		return;
	if (ctx->cursec == SEC_NONE) {
		spec_error(ctx, ctx->lineno, NULL, "key '%s' comes before any "
		    "[section] header", name);
		return;
	}
	sec = &ctx->secs[ctx->cursec];
	if (*name == '\0') {
		spec_error(ctx, ctx->lineno, sec->path, "missing key name "
		    "before '='");
	} else if ((k = spec_keyid(name)) == -1) {
		if ((try = spec_suggest(name)) != NULL) {
			spec_error(ctx, ctx->lineno, sec->path, "unknown key "
			    "'%s' (did you mean '%s'?)", name, try);
		} else
			spec_error(ctx, ctx->lineno, sec->path, "unknown key "
			    "'%s'", name);
	} else if ((v = &sec->keys[k])->s != NULL) {
		spec_error(ctx, ctx->lineno, sec->path, "duplicate key '%s' "
		    "(first at line %d)", name, v->line);
	} else {
		v->line = ctx->lineno;
		v->comment = ctx->comment;
		spec_append(v, value, strlen(value));
		ctx->curval = v;
	}
}

/*
 * An indented line continues the previous key's value, joined with a
 * space. Newer inih strips inline comments here and r55 does not: strip
 * them ourselves so both behave alike. An indented line that looks like
 * a key or a section header is almost certainly a mistake, so say so.
 */
static void
spec_cont(struct spec_ctx *ctx, const char *value)
{
	struct spec_val	*v = ctx->curval;
	const char	*key;
	char		 word[32];
	size_t		 n, w;
	int		 k = -1;

	if (v == NULL)
		return;
	key = spec_keys[v - ctx->secs[ctx->cursec].keys].name;
	n = spec_find(value, NULL);
	if (value[n] == ';')
		v->comment = 1;
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		n--;
	w = strspn(value, "abcdefghijklmnopqrstuvwxyz_");
	if (w > 0 && w < sizeof word) {
		memcpy(word, value, w);
		word[w] = '\0';
		k = spec_keyid(word);
		w += strspn(value + w, " \t");
	}
	if (k != -1 && (value[w] == '=' || value[w] == ':')) {
		spec_error(ctx, ctx->lineno, ctx->secs[ctx->cursec].path,
		    "indented key '%s' would continue the value of '%s': "
		    "remove the indentation", spec_keys[k].name, key);
	} else if (value[0] == '[' && n > 0 && value[n - 1] == ']') {
		spec_error(ctx, ctx->lineno, ctx->secs[ctx->cursec].path,
		    "indented section header %.*s would continue the value "
		    "of '%s': remove the indentation", (int)n, value, key);
	} else {
		if (v->len > 0)
			spec_append(v, " ", 1);
		spec_append(v, value, n);
	}
}

static void
spec_append(struct spec_val *v, const char *s, size_t n)
{
	if (v->len + n + 1 > v->size) {
		v->size = (v->len + n + 1) * 2;
		v->s = xrealloc(v->s, v->size);
	}
	memcpy(v->s + v->len, s, n);
	v->len += n;
	v->s[v->len] = '\0';
}

static int
spec_keyid(const char *name)
{
	int	k;

	for (k = 0; k < K_NKEYS; k++) {
		if (strcmp(spec_keys[k].name, name) == 0)
			return (k);
	}
	return (-1);
}

/* The key meant by an unknown name: a near miss, an alias, a prefix. */
static const char *
spec_suggest(const char *name)
{
	const char	*best = NULL;
	size_t		 n = strlen(name);
	int		 k, d, bestd = 3;

	for (k = 0; k < K_NKEYS; k++) {
		d = spec_distance(name, spec_keys[k].name);
		if (d < bestd && (size_t)d < n) {
			bestd = d;
			best = spec_keys[k].name;
		}
	}
	if (best != NULL)
		return (best);
	for (k = 0; spec_aliases[k][0] != NULL; k++) {
		if (strcasecmp(name, spec_aliases[k][0]) == 0)
			return (spec_aliases[k][1]);
	}
	for (k = 0; k < K_NKEYS && n >= 3; k++) {
		if (strncmp(name, spec_keys[k].name, n) == 0)
			return (spec_keys[k].name);
	}
	return (NULL);
}

/* Levenshtein distance, for names of up to 64 bytes. */
static int
spec_distance(const char *a, const char *b)
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

static int
spec_seccmp(const void *a, const void *b)
{
	const struct spec_sec	*sa = *(struct spec_sec *const *)a;
	const struct spec_sec	*sb = *(struct spec_sec *const *)b;
	int			 c;

	if ((c = strcmp(sa->path, sb->path)) != 0)
		return (c);
	return (sa->line < sb->line ? -1 : sa->line > sb->line);
}

/* Duplicates, parents, then one node per section with every value. */
static void
spec_check(struct spec_ctx *ctx)
{
	struct spec_sec	*first = NULL, *sec;
	int		 i, nworkers = 0;

	ctx->sorted = xcalloc(ctx->nsecs, sizeof *ctx->sorted);
	for (i = 0; i < ctx->nsecs; i++)
		ctx->sorted[i] = &ctx->secs[i];
	qsort(ctx->sorted, ctx->nsecs, sizeof *ctx->sorted, spec_seccmp);
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
			spec_parent(ctx, i);
	}
	ctx->nodes = xcalloc(ctx->nsecs, sizeof *ctx->nodes);
	for (i = 0; i < ctx->nsecs; i++) {
		if (ctx->secs[i].dup)
			continue;
		spec_node(ctx, i);
		if (i > 0 && ctx->secs[i].keys[K_COMMAND].s != NULL)
			nworkers++;
	}
	if (nworkers == 0 && !ctx->toomany)
		spec_error(ctx, 0, NULL, "no workers: add a section with a "
		    "command");
	if (ctx->name == NULL) {
		ctx->name = spec_default_name(ctx->file);
		if (!spec_name_ok(ctx->name)) {
			spec_error(ctx, 0, NULL, "tree name '%.64s' (from the "
			    "file name) is not valid: set 'name' in "
			    "[supertree]", ctx->name);
		}
	}
}

/* The first (lowest line) section whose path is path[0..n), or -1. */
static int
spec_lookup(struct spec_ctx *ctx, const char *path, size_t n)
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
spec_parent(struct spec_ctx *ctx, int i)
{
	struct spec_sec	*sec = &ctx->secs[i], *p;
	const char	*slash;
	int		 pi;

	if ((slash = strrchr(sec->path, '/')) == NULL) {
		sec->parent = 0;
		ctx->secs[0].nkids++;
		return;
	}
	sec->bad = 1;
	if ((pi = spec_lookup(ctx, sec->path, slash - sec->path)) == -1) {
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
spec_defaults(struct tree_node *n, enum tree_kind kind)
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
	n->output = TREE_OUT_PREFIX;
	n->log_max_size = 10 * 1024 * 1024;
	n->log_keep = 3;
	n->log_lines = 1000;
	n->ready = TREE_READY_EXEC;
	n->ready_fd = -1;
	n->start_timeout_ms = 30 * 1000;
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
spec_node(struct spec_ctx *ctx, int i)
{
	struct spec_sec		*sec = &ctx->secs[i];
	struct tree_node	*n = &ctx->nodes[i];
	struct spec_val		*v;
	const char		*slash;
	char			*cause, ok[K_NKEYS];
	int			 k;

	spec_defaults(n, i != 0 && sec->keys[K_COMMAND].s != NULL ?
	    TREE_WORKER : TREE_SUPERVISOR);
	n->line = sec->line;
	n->path = xstrdup(sec->path);
	slash = strrchr(sec->path, '/');
	n->name = xstrdup(slash != NULL ? slash + 1 : sec->path);
	for (k = 0; k < K_NKEYS; k++) {
		v = &sec->keys[k];
		ok[k] = v->s == NULL;
		if (v->s == NULL || !spec_allowed(ctx, i, k, n->kind))
			continue;
		if (spec_set(ctx, n, k, v, &cause) != 0) {
			spec_error(ctx, v->line, sec->path, "key '%s': %s",
			    spec_keys[k].name, cause);
			free(cause);
		} else
			ok[k] = 1;
	}
	spec_post(ctx, i, ok);
}

static int
spec_allowed(struct spec_ctx *ctx, int i, enum spec_keyid k,
    enum tree_kind kind)
{
	struct spec_sec	*sec = &ctx->secs[i];
	const char	*name = spec_keys[k].name;
	int		 line = sec->keys[k].line;

	switch (spec_keys[k].where) {
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

static int
spec_set(struct spec_ctx *ctx, struct tree_node *n, enum spec_keyid k,
    struct spec_val *v, char **cause)
{
	const struct spec_key	*kd = &spec_keys[k];
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
			return (spec_bad(cause, "invalid value", v->s,
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
		return (spec_bad(cause, "invalid value", v->s, kd->hint));
	case KT_FN:
		break;
	}
	return (spec_special(ctx, n, k, v, cause));
}

static int
spec_special(struct spec_ctx *ctx, struct tree_node *n, enum spec_keyid k,
    struct spec_val *v, char **cause)
{
	const char	*s = v->s;
	char		**env;
	int		  nenv;

	if (*s == '\0' && k != K_ENVIRONMENT && k != K_COMMAND) {
		xasprintf(cause, "empty value");
		return (-1);
	}
	switch (k) {
	case K_COMMAND:
		return (spec_argv(v, s, &n->argv, &n->argc, cause));
	case K_SHUTDOWN:
		if (strcasecmp(s, "brutal_kill") == 0)
			n->shutdown_ms = TREE_SHUTDOWN_BRUTAL;
		else if (strcasecmp(s, "infinity") == 0)
			n->shutdown_ms = TREE_SHUTDOWN_INFINITY;
		else
			return (value_duration(s, &n->shutdown_ms, cause));
		return (0);
	case K_BACKOFF_MULT:
		return (spec_mult(s, &n->backoff_multiplier, cause));
	case K_EXIT_CODES:
		return (spec_codes(s, n, cause));
	case K_STOP_SIGNAL:
		return (value_signal(s, &n->stop_signal, cause));
	case K_DIRECTORY:
		n->directory = xstrdup(s);
		return (0);
	case K_ENVIRONMENT:
		if (spec_env(v, &env, &nenv, cause) != 0)
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
	case K_UMASK:
		if (strspn(s, "01234567") != strlen(s) || strlen(s) > 4 ||
		    strtol(s, NULL, 8) > 0777) {
			return (spec_bad(cause, "invalid umask", s,
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
			return (spec_bad(cause, "invalid output", s,
			    "(use prefix, inherit, null or file:PATH)"));
		}
		return (0);
	case K_LOG_MAX_SIZE:
		return (spec_size(s, &n->log_max_size, cause));
	case K_READY:
		return (spec_ready(v, n, cause));
	case K_NAME:
		if (!spec_name_ok(s)) {
			return (spec_bad(cause, "invalid name", s, "(use 1 to "
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
	default:
		fatalx("%s: no setter for key %d", __func__, k);
	}
}

/* Split a command; a failure may come from a comment cut off inside. */
static int
spec_argv(struct spec_val *v, const char *s, char ***argv, int *argc,
    char **cause)
{
	char	*old;

	if (value_split(s, argv, argc, cause) == 0) {
		if (*argc > 0)
			return (0);
		value_free_vec(*argv);
		*argv = NULL;
		xasprintf(cause, "empty command");
	}
	if (v->comment) {
		old = *cause;
		xasprintf(cause, "%s; note that a ';' after a blank starts a "
		    "comment", old);
		free(old);
	}
	return (-1);
}

static int
spec_env(struct spec_val *v, char ***env, int *nenv, char **cause)
{
	char	*old;

	if (value_env(v->s, env, nenv, cause) == 0)
		return (0);
	if (v->comment) {
		old = *cause;
		xasprintf(cause, "%s; note that a ';' after a blank starts a "
		    "comment", old);
		free(old);
	}
	return (-1);
}

/* Exit codes 0..255 separated by blanks or commas, kept sorted, unique. */
static int
spec_codes(const char *s, struct tree_node *n, char **cause)
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
		return (spec_bad(cause, "invalid exit codes", s,
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
static int
spec_size(const char *s, int64_t *size, char **cause)
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
	return (spec_bad(cause, "size out of range", s, "(too large)"));
bad:
	return (spec_bad(cause, "invalid size", s,
	    "(use bytes, or a number with K, M or G, e.g. 10M)"));
}

/* A decimal from 1 to 100, read by hand to stay locale-proof. */
static int
spec_mult(const char *s, double *d, char **cause)
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
		return (spec_bad(cause, "multiplier out of range", s,
		    "(1 to 100)"));
	*d = ip + frac / 1e6;
	return (0);
bad:
	return (spec_bad(cause, "invalid multiplier", s,
	    "(use a number from 1 to 100, e.g. 1.5)"));
}

static int
spec_ready(struct spec_val *v, struct tree_node *n, char **cause)
{
	const char	*s = v->s, *p, *q, *port;
	struct in6_addr	 a6;
	char		*inner;
	long		 l;
	int		 argc;

	if (strcasecmp(s, "exec") == 0)
		n->ready = TREE_READY_EXEC;
	else if (strcasecmp(s, "notify") == 0)
		n->ready = TREE_READY_NOTIFY;
	else if (strncmp(s, "exec:", 5) == 0) {
		n->ready = TREE_READY_PROBE;
		return (spec_argv(v, s + 5, &n->ready_argv, &argc, cause));
	} else if (strncmp(s, "fd:", 3) == 0) {
		if (value_long(s + 3, 3, 1023, &l, &inner) != 0)
			goto badnum;
		n->ready = TREE_READY_FD;
		n->ready_fd = (int)l;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		p = s + 4;
		if (*p == '[') {
			/* tcp:[::1]:8080 */
			if ((q = strchr(p, ']')) == NULL || q == p + 1 ||
			    q[1] != ':')
				goto bad;
			n->ready_host = xstrndup(p + 1, q - p - 1);
			port = q + 2;
		} else if ((q = strrchr(p, ':')) != NULL) {
			if (q == p || strcspn(p, " \t") < (size_t)(q - p))
				goto bad;
			n->ready_host = xstrndup(p, q - p);
			port = q + 1;
		} else {
			n->ready_host = xstrdup("127.0.0.1");
			port = p;
		}
		if (value_long(port, 1, 65535, &l, &inner) != 0)
			goto badnum;
		/* No DNS at run time (it would block a supervisor). */
		if (strcmp(n->ready_host, "localhost") != 0 &&
		    inet_pton(AF_INET, n->ready_host, &a6) != 1 &&
		    inet_pton(AF_INET6, n->ready_host, &a6) != 1) {
			free(n->ready_host);
			n->ready_host = NULL;
			return (spec_bad(cause, "invalid ready", s, "(the host "
			    "must be an IP address or localhost)"));
		}
		n->ready = TREE_READY_TCP;
		n->ready_port = (int)l;
	} else
		goto bad;
	return (0);
badnum:
	free(inner);
	return (spec_bad(cause, "invalid ready", s, strncmp(s, "fd", 2) == 0 ?
	    "(the descriptor must be from 3 to 1023)" :
	    "(the port must be from 1 to 65535)"));
bad:
	return (spec_bad(cause, "invalid ready", s, "(use exec, fd:N, notify, "
	    "tcp:[HOST:]PORT or exec:COMMAND)"));
}

static int
spec_name_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n > 0 && n <= 64 && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n);
}

/* "stdin" for "-", else the file's basename without a trailing ".ini". */
static char *
spec_default_name(const char *file)
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

/* Checks across keys of one section, of the values that were valid. */
static void
spec_post(struct spec_ctx *ctx, int i, const char *ok)
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
		spec_ids(ctx, i);
}

/*
 * The variables su and systemd set for a user from its passwd entry (an
 * empty home is "/", an empty shell /bin/sh, as su does). NULL-terminated.
 */
static char **
spec_user_env(const struct passwd *pw)
{
	const char	*dir = pw->pw_dir, *sh = pw->pw_shell;
	char		**env;

	if (dir == NULL || *dir == '\0')
		dir = "/";
	if (sh == NULL || *sh == '\0')
		sh = "/bin/sh";
	env = xcalloc(5, sizeof *env);
	xasprintf(&env[0], "HOME=%s", dir);
	xasprintf(&env[1], "USER=%s", pw->pw_name);
	xasprintf(&env[2], "LOGNAME=%s", pw->pw_name);
	xasprintf(&env[3], "SHELL=%s", sh);
	return (env);
}

/*
 * Resolve user and group now, so that a typo fails the check rather than
 * the start. Numeric ids need no entry, but without 'group' a uid must
 * have one to give its primary group.
 */
static void
spec_ids(struct spec_ctx *ctx, int i)
{
	struct spec_sec		*sec = &ctx->secs[i];
	struct tree_node	*n = &ctx->nodes[i];
	struct passwd		*pw = NULL;
	struct group		*gr;
	int			 uline = sec->keys[K_USER].line;
	int			 gline = sec->keys[K_GROUP].line;
	const char		*digits = "0123456789";
	int			 entry = 0;	/* -1: unknown user */
	gid_t			 pwgid = 0;

	if (n->user != NULL) {
		if (strspn(n->user, digits) == strlen(n->user) &&
		    strlen(n->user) < 10) {
			n->uid = (uid_t)strtol(n->user, NULL, 10);
			pw = getpwuid(n->uid);
		} else if ((pw = getpwnam(n->user)) != NULL)
			n->uid = pw->pw_uid;
		else {
			spec_error(ctx, uline, sec->path, "key 'user': unknown "
			    "user '%.64s'", n->user);
			entry = -1;
		}
		if (pw != NULL) {
			entry = 1;
			pwgid = pw->pw_gid;
			n->user_env = spec_user_env(pw);
		}
	}
	if (n->group != NULL) {
		if (strspn(n->group, digits) == strlen(n->group) &&
		    strlen(n->group) < 10)
			n->gid = (gid_t)strtol(n->group, NULL, 10);
		else if ((gr = getgrnam(n->group)) != NULL)
			n->gid = gr->gr_gid;
		else {
			spec_error(ctx, gline, sec->path, "key 'group': "
			    "unknown group '%.64s'", n->group);
		}
	} else if (entry == 1)
		n->gid = pwgid;
	else if (entry == 0) {
		spec_error(ctx, uline, sec->path, "key 'user': uid %s has no "
		    "passwd entry, so set 'group' too", n->user);
	}
}

/*
 * Lay the nodes out depth first, children in file order: a node's subtree
 * is then the run of ids after it (see tree_subtree_end). That is the
 * file order itself whenever each subtree is contiguous in the file.
 */
static struct tree *
spec_build(struct spec_ctx *ctx)
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
	order = xcalloc(ctx->nsecs, sizeof *order);
	newid = xcalloc(ctx->nsecs, sizeof *newid);
	spec_order(ctx, 0, order, &norder);
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
		n->digest = spec_digest(ctx, n, i == 0);
	}
	free(order);
	free(newid);
	t->file = xstrdup(ctx->file);
	t->name = ctx->name;
	t->socket = ctx->socket;
	ctx->name = ctx->socket = NULL;
	return (t);
}

/* Depth is at most about 100 (a header fits on one line): recursion. */
static void
spec_order(struct spec_ctx *ctx, int i, int *order, int *norder)
{
	struct tree_node	*n = &ctx->nodes[i];
	int			 j;

	order[(*norder)++] = i;
	for (j = 0; j < n->nchildren; j++)
		spec_order(ctx, n->children[j], order, norder);
}

/*
 * The digest kept in the tree is a 128-bit hash of the canonical text
 * (two FNV-1a passes with different bases), not the text itself: every
 * supervisor process holds every node's digest, and reload only compares
 * them. Takes s and frees it.
 */
static char *
spec_hash(char *s)
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
spec_digest(struct spec_ctx *ctx, const struct tree_node *n, int root)
{
	FILE			*f;
	char			*s = NULL;
	size_t			 len;
	enum spec_where		 w;
	int			 k;

	if ((f = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "kind=%s\n", n->kind == TREE_WORKER ? "worker" :
	    "supervisor");
	for (k = 0; k < K_NKEYS; k++) {
		w = spec_keys[k].where;
		if ((w == KW_WORKER && n->kind != TREE_WORKER) ||
		    (w == KW_SUPER && n->kind != TREE_SUPERVISOR) ||
		    (w == KW_ROOT && !root))
			continue;
		fprintf(f, "%s=", spec_keys[k].name);
		if (k == K_NAME)
			fputs(ctx->name, f);
		else if (k == K_SOCKET)
			fputs(ctx->socket != NULL ? ctx->socket : "", f);
		else
			spec_fmt_key(f, n, k);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		fatal("open_memstream");
	return (spec_hash(s));
}

static void
spec_fmt_key(FILE *f, const struct tree_node *n, enum spec_keyid k)
{
	const struct spec_key	*kd = &spec_keys[k];
	const char		*field = (const char *)n + kd->off, *name;
	char			*s;
	long long		 micro;
	int			 i;

	switch (kd->type) {
	case KT_DURATION:
		s = value_fmt_duration(*(const int64_t *)field);
		fputs(s, f);
		free(s);
		return;
	case KT_BOOL:
		fputs(*(const int *)field ? "true" : "false", f);
		return;
	case KT_INT:
		fprintf(f, "%d", *(const int *)field);
		return;
	case KT_LIMIT:
		if (*(const long *)field == TREE_UNLIMITED)
			fputs("unlimited", f);
		else
			fprintf(f, "%ld", *(const long *)field);
		return;
	case KT_WORD:
		for (i = 0; kd->words[i].word != NULL; i++) {
			if (kd->words[i].value == *(const int *)field)
				break;
		}
		fputs(kd->words[i].word != NULL ? kd->words[i].word : "?", f);
		return;
	case KT_FN:
		break;
	}
	switch (k) {
	case K_COMMAND:
		spec_fmt_vec(f, n->argv);
		break;
	case K_SHUTDOWN:
		if (n->shutdown_ms == TREE_SHUTDOWN_INFINITY)
			fputs("infinity", f);
		else if (n->shutdown_ms == TREE_SHUTDOWN_BRUTAL)
			fputs("brutal_kill", f);
		else {
			s = value_fmt_duration(n->shutdown_ms);
			fputs(s, f);
			free(s);
		}
		break;
	case K_BACKOFF_MULT:
		/* Fixed point: printf of a double would follow the locale. */
		micro = (long long)(n->backoff_multiplier * 1e6 + 0.5);
		fprintf(f, "%lld.%06lld", micro / 1000000, micro % 1000000);
		break;
	case K_EXIT_CODES:
		for (i = 0; i < n->nexit_codes; i++)
			fprintf(f, "%s%d", i > 0 ? " " : "", n->exit_codes[i]);
		break;
	case K_STOP_SIGNAL:
		if ((name = value_signame(n->stop_signal)) != NULL)
			fputs(name, f);
		else
			fprintf(f, "%d", n->stop_signal);
		break;
	case K_DIRECTORY:
		fputs(n->directory != NULL ? n->directory : "", f);
		break;
	case K_ENVIRONMENT:
		spec_fmt_vec(f, n->env);
		break;
	case K_USER:
		if (n->user != NULL)
			fprintf(f, "%s (%u)", n->user, (unsigned int)n->uid);
		break;
	case K_GROUP:
		if (n->user != NULL || n->group != NULL) {
			fprintf(f, "%s (%u)", n->group != NULL ? n->group : "",
			    (unsigned int)n->gid);
		}
		break;
	case K_UMASK:
		if (n->umask == -1)
			fputs("inherit", f);
		else
			fprintf(f, "%03o", (unsigned int)n->umask);
		break;
	case K_OUTPUT:
		if (n->output == TREE_OUT_FILE)
			fprintf(f, "file:%s", n->output_path);
		else {
			fputs(n->output == TREE_OUT_PREFIX ? "prefix" :
			    n->output == TREE_OUT_INHERIT ? "inherit" : "null",
			    f);
		}
		break;
	case K_LOG_MAX_SIZE:
		fprintf(f, "%lld", (long long)n->log_max_size);
		break;
	case K_READY:
		if (n->ready == TREE_READY_FD)
			fprintf(f, "fd:%d", n->ready_fd);
		else if (n->ready == TREE_READY_TCP)
			fprintf(f, "tcp:%s:%d", n->ready_host, n->ready_port);
		else if (n->ready == TREE_READY_PROBE) {
			fputs("exec:", f);
			spec_fmt_vec(f, n->ready_argv);
		} else {
			fputs(n->ready == TREE_READY_NOTIFY ? "notify" : "exec",
			    f);
		}
		break;
	default:
		break;
	}
}

/* Words single-quoted as value_split reads them back, ' as '\''. */
static void
spec_fmt_vec(FILE *f, char **v)
{
	const char	*p;
	int		 i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		fputs(i > 0 ? " '" : "'", f);
		for (p = v[i]; *p != '\0'; p++) {
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
	}
}

static void
spec_free(struct spec_ctx *ctx)
{
	struct tree	*t;
	int		 i, k;

	if (ctx->nodes != NULL) {
		/* What spec_build did not take is freed like a tree. */
		t = xcalloc(1, sizeof *t);
		t->nodes = ctx->nodes;
		t->nnodes = ctx->nsecs;
		tree_free(t);
	}
	for (i = 0; i < ctx->nsecs; i++) {
		free(ctx->secs[i].path);
		for (k = 0; k < K_NKEYS; k++)
			free(ctx->secs[i].keys[k].s);
	}
	free(ctx->secs);
	free(ctx->sorted);
	for (i = 0; i < ctx->nerrs; i++)
		free(ctx->errs[i].msg);
	free(ctx->errs);
	free(ctx->name);
	free(ctx->socket);
}

struct tree *
spec_parse(const char *file, const char *text, size_t len, char **cause)
{
	struct spec_ctx	 ctx;
	struct tree	*t = NULL;
	int		 rc, i;

	memset(&ctx, 0, sizeof ctx);
	ctx.file = file;
	ctx.text = text;
	ctx.len = len;
	ctx.cursec = SEC_NONE;
	ctx.secs = xcalloc(1, sizeof *ctx.secs);
	ctx.secs[0].path = xstrdup(SPEC_ROOT);
	ctx.secs[0].parent = -1;
	ctx.nsecs = 1;

	if (len > SPEC_MAX_SIZE)
		spec_error(&ctx, 0, NULL, "too large (more than 4 MiB)");
	else if (spec_check_text(&ctx) == 0) {
		if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			ctx.pos = 3;	/* a UTF-8 byte order mark */
		rc = ini_parse_stream(spec_reader, &ctx, spec_handler, &ctx);
		if (rc < 0)
			fatalx("ini_parse_stream failed (%d)", rc);
		/* Should inih ever see an error we did not, still fail. */
		for (i = 0; rc > 0 && i < ctx.nerrs; i++) {
			if (ctx.errs[i].line == rc)
				rc = 0;
		}
		if (rc > 0)
			spec_error(&ctx, rc, NULL, "syntax error");
		spec_check(&ctx);
	}
	if (ctx.nerrs == 0 && ctx.nlost == 0)
		t = spec_build(&ctx);
	else if (cause != NULL)
		*cause = spec_cause(&ctx);
	spec_free(&ctx);
	return (t);
}

int
spec_read(const char *path, char **text, size_t *len, char **cause)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 n = 0, size = 0;
	ssize_t		 r;
	int		 fd, saved;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	for (;;) {
		if (n == size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xrealloc(buf, size + 1);
		}
		if ((r = read(fd, buf + n, size - n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		if ((n += r) > SPEC_MAX_SIZE) {
			xasprintf(cause, "%s: too large (more than 4 MiB)",
			    path);
			goto out;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return (0);

fail:
	saved = errno;
	xasprintf(cause, "%s: cannot read: %s", path, strerror(saved));
out:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return (-1);
}
