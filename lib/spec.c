/*
 * spec.c: tree spec text -> struct tree, with every error collected.
 *
 * The text goes through inih's ini_parse_stream() with our own reader
 * (spec_line.c), because Debian's inih passes no line numbers, reads lines
 * into a fixed 200-byte buffer and silently cuts longer ones, never tells
 * the handler about section headers and truncates section names to 49
 * bytes.
 *
 * Three passes: read (sections and raw values: spec_line.c), check
 * (paths, parents, keys and values into one tree_node per section:
 * spec_check.c with the key table and setters of spec_key.c) and build
 * (nodes in depth-first order, children, digests: spec_build.c). Nothing
 * is built unless every check passed; *cause then holds all errors in line
 * order. Work and memory stay bounded by the input size and
 * SPEC_MAX_NODES, so arbitrary bytes cannot make it hang.
 *
 * This file owns the errors, the up-front text check and the driver.
 * Pure: no syscalls, no globals; user and group lookups come in as
 * struct spec_ids (see spec.h).
 */
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dep.h"
#include "log.h"
#include "spec_int.h"
#include "xmalloc.h"

static int	 spec_errcmp(const void *, const void *);
static char	*spec_cause(struct spec_ctx *);
static int	 spec_text_ok(struct spec_ctx *);
static size_t	 spec_utf8(const unsigned char *, size_t);
static void	 spec_free(struct spec_ctx *);
static void	 spec_dep_error(void *, int, const char *, const char *);
static int	 spec_deps(struct spec_ctx *, struct tree *);
static struct tree *spec_parse_ctx(const char *, const char *, size_t, int,
		     int, const struct spec_ids *, char **);

/*
 * s for a message: as it is, or its first 64 bytes (not cutting a UTF-8
 * sequence) and "...". Returns buf, which holds SPEC_CLIP bytes.
 */
const char *
spec_clip(char *buf, const char *s)
{
	size_t	len = strlen(s), n = 64;

	if (len <= n)
		return (s);
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(buf, SPEC_CLIP, "%.*s...", (int)n, s);
	return (buf);
}

/* Record an error as "FILE[:LINE]: [[SECTION]: ]MESSAGE". */
void
spec_error(struct spec_ctx *ctx, int line, const char *sec, const char *fmt,
    ...)
{
	struct spec_err	*e;
	va_list		 ap;
	char		 msg[2048], where[32] = "";

	if (ctx->mute)
		return;
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
	struct buf	b = BUF_INIT;
	int		i, shown;

	qsort(ctx->errs, ctx->nerrs, sizeof *ctx->errs, spec_errcmp);
	shown = ctx->nerrs > SPEC_MAX_ERRORS ? SPEC_MAX_ERRORS : ctx->nerrs;
	for (i = 0; i < shown; i++)
		buf_printf(&b, "%s%s", i > 0 ? "\n" : "", ctx->errs[i].msg);
	if (ctx->nerrs + ctx->nlost > shown)
		buf_printf(&b, "\n%s: too many errors (%d more not shown)",
		    ctx->file, ctx->nerrs + ctx->nlost - shown);
	return (buf_take(&b));
}

/* Refuse NUL bytes, control characters and invalid UTF-8 up front. */
static int
spec_text_ok(struct spec_ctx *ctx)
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

static void
spec_free(struct spec_ctx *ctx)
{
	struct tree	*t;
	int		 i, k;

	if (ctx->nodes != NULL) {
		/* What spec_build_tree did not take is freed like a tree. */
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
	free(ctx->scratch);
	free(ctx->longname);
	free(ctx->longval.s);
	free(ctx->splits);
	free(ctx->name);
	free(ctx->socket);
	free(ctx->http);
	free(ctx->cgroup);
}

static void
spec_dep_error(void *arg, int line, const char *path, const char *msg)
{
	spec_error(arg, line, path, "%s", msg);
}

/*
 * The after lists, once every node has its id: unknown paths and cycles
 * (dep.c). A slice only resolves what it holds: the top checked the rest.
 */
static int
spec_deps(struct spec_ctx *ctx, struct tree *t)
{
	char	*text;
	int	 node, errs;

	errs = dep_resolve(t, !ctx->slice, spec_dep_error, ctx);
	if (ctx->slice || !dep_cycle(t, &node, &text))
		return (errs != 0 ? -1 : 0);
	spec_error(ctx, t->nodes[node].after_line, t->nodes[node].path,
	    "key 'after': cycle: %s", text);
	free(text);
	return (-1);
}

static struct tree *
spec_parse_ctx(const char *file, const char *text, size_t len, int slice,
    int self, const struct spec_ids *ids, char **cause)
{
	struct spec_ctx	 ctx;
	struct tree	*t = NULL;
	int		 rc, i;

	memset(&ctx, 0, sizeof ctx);
	ctx.file = file;
	ctx.slice = slice;
	ctx.self = self;
	ctx.ids = ids;
	ctx.text = text;
	ctx.len = len;
	ctx.cursec = SEC_NONE;
	ctx.secs = xcalloc(1, sizeof *ctx.secs);
	ctx.secs[0].path = xstrdup(SPEC_ROOT);
	ctx.secs[0].parent = -1;
	ctx.nsecs = 1;

	if (len > SPEC_MAX_SIZE)
		spec_error(&ctx, 0, NULL, "too large (more than 4 MiB)");
	else if (spec_text_ok(&ctx) == 0) {
		if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			ctx.pos = 3;	/* a UTF-8 byte order mark */
		rc = ini_parse_stream(spec_line_reader, &ctx, spec_line_handler,
		    &ctx);
		if (rc < 0)
			fatalx("ini_parse_stream failed (%d)", rc);
		if (rc > 0)
			rc = spec_line_number(&ctx, rc);
		/* Should inih ever see an error we did not, still fail. */
		for (i = 0; rc > 0 && i < ctx.nerrs; i++) {
			if (ctx.errs[i].line == rc)
				rc = 0;
		}
		if (rc > 0)
			spec_error(&ctx, rc, NULL, "syntax error");
		spec_pool_expand(&ctx);
		spec_check_all(&ctx);
	}
	if (ctx.nerrs == 0 && ctx.nlost == 0) {
		t = spec_build_tree(&ctx);
		if (spec_deps(&ctx, t) != 0) {
			tree_free(t);
			t = NULL;
		}
	}
	if (t == NULL && cause != NULL)
		*cause = spec_cause(&ctx);
	spec_free(&ctx);
	return (t);
}

struct tree *
spec_parse(const char *file, const char *text, size_t len,
    const struct spec_ids *ids, char **cause)
{
	return (spec_parse_ctx(file, text, len, 0, -1, ids, cause));
}

/*
 * A slice of a valid spec (tree_slice): the part a child supervisor runs,
 * which need not hold a worker of its own. self is the slice's own node
 * (its depth: the slice's sections are the root, one ancestor per level,
 * then self and its subtree): only self and its children get their
 * settings; the nodes further down are bare (path, kind and section, no
 * settings, no digest).
 */
struct tree *
spec_parse_slice(const char *file, const char *text, size_t len, int self,
    const struct spec_ids *ids, char **cause)
{
	return (spec_parse_ctx(file, text, len, 1, self, ids, cause));
}
