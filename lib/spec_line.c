/*
 * spec_line.c: the read pass, lines to sections and raw values.
 *
 * spec_line_reader is inih's reader: it hands inih one line at a time,
 * counts lines, refuses over-long lines (inih never sees a cut line, so a
 * cut command can never run) and classifies each line exactly as inih
 * will (comment, [section], key, continuation) to track sections and
 * continuations itself. inih is left to split keys from values and to
 * strip comments; spec_line_handler stores what it hands back.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "spec_int.h"
#include "xmalloc.h"

static size_t	 spec_line_find(const char *, const char *);
static char	*spec_line_long(struct spec_ctx *, char *, const char *,
		     size_t, int);
static void	 spec_line_classify(struct spec_ctx *, char *);
static void	 spec_line_header(struct spec_ctx *, const char *);
static int	 spec_line_section(struct spec_ctx *, const char *, size_t);
static int	 spec_line_path(struct spec_ctx *, const char *);
static void	 spec_line_key(struct spec_ctx *, const char *, const char *);
static void	 spec_line_cont(struct spec_ctx *, const char *);
static void	 spec_line_append(struct spec_val *, const char *, size_t);

/*
 * Offset of the first of chars in s, or of an inline comment (a ';' after
 * a blank), or of the NUL: inih's ini_find_chars_or_comment().
 */
static size_t
spec_line_find(const char *s, const char *chars)
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
 * an error and inih gets a stand-in (see spec_line_long).
 */
char *
spec_line_reader(char *buf, int num, void *arg)
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
		return (spec_line_long(ctx, buf, line, n, num - 2));
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	spec_line_classify(ctx, buf);
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
spec_line_long(struct spec_ctx *ctx, char *buf, const char *line, size_t n,
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
spec_line_classify(struct spec_ctx *ctx, char *buf)
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
		spec_line_header(ctx, start);
		return;
	}
	end = spec_line_find(start, "=:");
	if (start[end] != '=' && start[end] != ':') {
		spec_error(ctx, ctx->lineno, ctx->cursec < 0 ? NULL :
		    ctx->secs[ctx->cursec].path, "expected 'key = value', "
		    "a [section] header or a comment");
		return;
	}
	cmt = spec_line_find(start + end + 1, NULL);
	ctx->comment = start[end + 1 + cmt] == ';';
	ctx->prev = end > 0;
	ctx->cls = CLS_KEY;
}

static void
spec_line_header(struct spec_ctx *ctx, const char *start)
{
	const char	*rest;
	size_t		 end = spec_line_find(start + 1, "]");

	ctx->curval = NULL;
	if (start[1 + end] != ']') {
		/* inih keeps its previous key and section: we skip keys. */
		spec_error(ctx, ctx->lineno, NULL,
		    "section header without ']'");
		ctx->cursec = SEC_IGNORE;
		return;
	}
	ctx->prev = 0;
	if (spec_line_section(ctx, start + 1, end) != 0)
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
spec_line_section(struct spec_ctx *ctx, const char *name, size_t n)
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
	sec->bad = spec_line_path(ctx, sec->path);
	ctx->cursec = ctx->nsecs++;
	return (0);
}

static int
spec_line_path(struct spec_ctx *ctx, const char *path)
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

int
spec_line_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct spec_ctx	*ctx = arg;

	(void)section;	/* inih cuts it at 49 bytes: we track our own */
	if (ctx->cls == CLS_KEY)
		spec_line_key(ctx, name, value);
	else if (ctx->cls == CLS_CONT)
		spec_line_cont(ctx, value);
	return (1);
}

static void
spec_line_key(struct spec_ctx *ctx, const char *name, const char *value)
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
	} else if ((k = spec_key_find(name)) == -1) {
		if ((try = spec_key_suggest(name)) != NULL) {
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
		spec_line_append(v, value, strlen(value));
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
spec_line_cont(struct spec_ctx *ctx, const char *value)
{
	struct spec_val	*v = ctx->curval;
	const char	*key;
	char		 word[32];
	size_t		 n, w;
	int		 k = -1;

	if (v == NULL)
		return;
	key = spec_key_table[v - ctx->secs[ctx->cursec].keys].name;
	n = spec_line_find(value, NULL);
	if (value[n] == ';')
		v->comment = 1;
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		n--;
	w = strspn(value, "abcdefghijklmnopqrstuvwxyz_");
	if (w > 0 && w < sizeof word) {
		memcpy(word, value, w);
		word[w] = '\0';
		k = spec_key_find(word);
		w += strspn(value + w, " \t");
	}
	if (k != -1 && (value[w] == '=' || value[w] == ':')) {
		spec_error(ctx, ctx->lineno, ctx->secs[ctx->cursec].path,
		    "indented key '%s' would continue the value of '%s': "
		    "remove the indentation", spec_key_table[k].name, key);
	} else if (value[0] == '[' && n > 0 && value[n - 1] == ']') {
		spec_error(ctx, ctx->lineno, ctx->secs[ctx->cursec].path,
		    "indented section header %.*s would continue the value "
		    "of '%s': remove the indentation", (int)n, value, key);
	} else {
		if (v->len > 0)
			spec_line_append(v, " ", 1);
		spec_line_append(v, value, n);
	}
}

static void
spec_line_append(struct spec_val *v, const char *s, size_t n)
{
	if (v->len + n + 1 > v->size) {
		v->size = (v->len + n + 1) * 2;
		v->s = xrealloc(v->s, v->size);
	}
	memcpy(v->s + v->len, s, n);
	v->len += n;
	v->s[v->len] = '\0';
}
