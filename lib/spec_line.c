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
static char	*spec_line_piece(struct spec_ctx *, char *, int);
static void	 spec_line_join(struct spec_ctx *, const char *);
static void	 spec_line_classify(struct spec_ctx *, char *);
static void	 spec_line_header(struct spec_ctx *, const char *);
static int	 spec_line_section(struct spec_ctx *, const char *, size_t);
static int	 spec_line_path(struct spec_ctx *, const char *);
static void	 spec_line_key(struct spec_ctx *, const char *, const char *);
static void	 spec_line_cont(struct spec_ctx *, const char *);
static void	 spec_line_backslash(struct spec_ctx *, struct spec_val *,
		     const char *, size_t);
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
 * inih's reader: copy the next line into buf (which holds num bytes, 200
 * in Debian's inih). A line that fits goes in whole with its '\n'; a
 * longer one goes in pieces (spec_line_long), and the next calls hand
 * over the rest of it (spec_line_piece).
 */
char *
spec_line_reader(char *buf, int num, void *arg)
{
	struct spec_ctx	*ctx = arg;
	const char	*line, *nl;
	size_t		 n, left;

	if (num < SPEC_MIN_BUF) {
		if (ctx->pos < ctx->len) {
			spec_error(ctx, 0, NULL, "inih's line buffer is too "
			    "small (%d bytes)", num);
		}
		return (NULL);
	}
	if (ctx->rest != NULL)
		return (spec_line_piece(ctx, buf, num));
	if (ctx->pos >= ctx->len)
		return (NULL);
	ctx->linestart = ctx->pos;
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
	ctx->ilineno++;
	if (n > (size_t)num - 2)
		return (spec_line_long(ctx, buf, line, n, num));
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	spec_line_classify(ctx, buf);
	return (buf);
}

/*
 * A line longer than inih's buffer. It is classified whole, from a copy;
 * then inih gets what leaves it in the state the whole line would have:
 *
 * - a blank line, comment, section header or bad line: a stand-in that
 *   is blank, or "[-]" where the line ended a key's continuations (the
 *   header was handled here, from the copy);
 * - a key line ("key = value") or a continuation line: its value, cut
 *   where inih would cut it (spaces around, an inline comment), in
 *   pieces. The first is "-=" plus a piece for a key, or an indented
 *   piece for a continuation; the others are indented pieces, which inih
 *   takes as continuations of that key. Each piece is wrapped in \001
 *   bytes, so inih strips no space at its edges and finds no comment
 *   start at its front; a spec never holds a control character (see
 *   spec_text_ok), so the marks are unambiguous. The handler joins the
 *   pieces exactly and, after the last, treats the value as the whole
 *   line's (spec_line_whole).
 *
 * An empty key name needs no value: inih gets "=" and the handler says
 * what is missing.
 */
static char *
spec_line_long(struct spec_ctx *ctx, char *buf, const char *line, size_t n,
    int num)
{
	struct spec_split	*sp;
	char			*start, *val;
	size_t			 end, vn;

	if (n + 2 > ctx->scratchsize) {
		ctx->scratchsize = n + 2;
		ctx->scratch = xrealloc(ctx->scratch, ctx->scratchsize);
	}
	memcpy(ctx->scratch, line, n);
	ctx->scratch[n] = '\n';
	ctx->scratch[n + 1] = '\0';
	spec_line_classify(ctx, ctx->scratch);
	start = ctx->scratch + strspn(ctx->scratch, " \t");
	switch (ctx->cls) {
	case CLS_KEY:
		end = spec_line_find(start, "=:");
		if (end == 0) {
			memcpy(buf, "=\n", 3);
			return (buf);
		}
		vn = end;
		while (vn > 0 && isspace((unsigned char)start[vn - 1]))
			vn--;
		free(ctx->longname);
		ctx->longname = xstrndup(start, vn);
		val = start + end + 1;
		val += strspn(val, " \t");
		break;
	case CLS_CONT:
		val = start;
		break;
	default:
		memcpy(buf, ctx->prev ? "\n" : "[-]\n", ctx->prev ? 2 : 5);
		return (buf);
	}
	vn = spec_line_find(val, NULL);
	if (val[vn] == ';')
		ctx->comment = 1;
	while (vn > 0 && isspace((unsigned char)val[vn - 1]))
		vn--;
	ctx->longcls = ctx->cls;
	ctx->longval.len = 0;
	ctx->rest = val;
	ctx->restlen = vn;
	/* Each piece is a line to inih: keep a map to our line numbers. */
	ctx->ilineno--;
	ctx->splits = xreallocarray(ctx->splits, ctx->nsplits + 1,
	    sizeof *ctx->splits);
	sp = &ctx->splits[ctx->nsplits++];
	sp->ifirst = ctx->ilineno + 1;
	sp->npieces = 0;
	sp->line = ctx->lineno;
	return (spec_line_piece(ctx, buf, num));
}

/* The next piece of a long line: see spec_line_long. */
static char *
spec_line_piece(struct spec_ctx *ctx, char *buf, int num)
{
	struct spec_split	*sp = &ctx->splits[ctx->nsplits - 1];
	size_t			 n, off = 0;

	if (sp->npieces == 0 && ctx->longcls == CLS_KEY) {
		memcpy(buf, "-=", 2);
		off = 2;
	} else
		buf[off++] = ' ';
	n = ctx->restlen;
	if (n > (size_t)num - 6)
		n = num - 6;
	buf[off++] = '\001';
	memcpy(buf + off, ctx->rest, n);
	off += n;
	buf[off++] = '\001';
	buf[off++] = '\n';
	buf[off] = '\0';
	ctx->rest += n;
	ctx->restlen -= n;
	sp->npieces++;
	ctx->ilineno++;
	if (ctx->restlen == 0)
		ctx->rest = NULL;
	ctx->cls = CLS_PIECE;
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
		ctx->secs[0].off = ctx->linestart;
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
	sec->off = ctx->linestart;
	sec->bad = spec_line_path(ctx, sec->path);
	ctx->cursec = ctx->nsecs++;
	return (0);
}

static int
spec_line_path(struct spec_ctx *ctx, const char *path)
{
	const char	*seg, *p;
	char		 clip[SPEC_CLIP];
	size_t		 n;

	if (strlen(path) > SPEC_MAX_PATH) {
		spec_error(ctx, ctx->lineno, spec_clip(clip, path), "section "
		    "name too long (%zu bytes; the limit is %d)", strlen(path),
		    SPEC_MAX_PATH);
		return (1);
	}
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
	else if (ctx->cls == CLS_PIECE)
		spec_line_join(ctx, value);
	return (1);
}

/*
 * A piece of a long line (see spec_line_long): unwrap it and add it to
 * the line's value as it is; after the last, the value is the line's.
 */
static void
spec_line_join(struct spec_ctx *ctx, const char *value)
{
	size_t	n = strlen(value);

	if (n > 0 && value[0] == '\001') {
		value++;
		n--;
	}
	if (n > 0 && value[n - 1] == '\001')
		n--;
	spec_line_append(&ctx->longval, value, n);
	if (ctx->rest != NULL)
		return;
	if (ctx->longcls == CLS_KEY)
		spec_line_key(ctx, ctx->longname, ctx->longval.s);
	else
		spec_line_cont(ctx, ctx->longval.s);
}

/*
 * The line of ours that inih's line number iline is: they differ after
 * a line handed over in pieces.
 */
int
spec_line_number(struct spec_ctx *ctx, int iline)
{
	struct spec_split	*sp;
	int			 i, shift = 0;

	for (i = 0; i < ctx->nsplits; i++) {
		sp = &ctx->splits[i];
		if (iline < sp->ifirst)
			break;
		if (iline < sp->ifirst + sp->npieces)
			return (sp->line);
		shift += sp->npieces - 1;
	}
	return (iline - shift);
}

static void
spec_line_key(struct spec_ctx *ctx, const char *name, const char *value)
{
	struct spec_sec	*sec;
	struct spec_val	*v;
	const char	*try;
	char		 clip[SPEC_CLIP];
	int		 k;

	ctx->curval = NULL;
	if (ctx->cursec == SEC_IGNORE)
		return;
	if (ctx->cursec == SEC_NONE) {
		spec_error(ctx, ctx->lineno, NULL, "key '%s' comes before any "
		    "[section] header", spec_clip(clip, name));
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
			    "'%s'", spec_clip(clip, name));
	} else if ((v = &sec->keys[k])->s != NULL) {
		spec_error(ctx, ctx->lineno, sec->path, "duplicate key '%s' "
		    "(first at line %d)", name, v->line);
	} else {
		v->line = ctx->lineno;
		v->off = ctx->linestart;
		v->end = ctx->pos;
		v->comment = ctx->comment;
		spec_line_append(v, value, strlen(value));
		spec_line_backslash(ctx, v, value, strlen(value));
		ctx->curval = v;
	}
}

/*
 * An indented line continues the previous key's value, joined with a
 * space, or with nothing after a line that ended in a backslash (which
 * goes). Newer inih strips inline comments here and r55 does not: strip
 * them ourselves so both behave alike (a long line comes without its
 * comment: ctx->comment says it had one). An indented line that looks
 * like a key or a section header is almost certainly a mistake, so say
 * so, unless a backslash asked for it.
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
		ctx->comment = 1;
	if (ctx->comment)
		v->comment = 1;
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		n--;
	if (v->bsline != 0) {
		v->s[--v->len] = '\0';
		spec_line_append(v, value, n);
		spec_line_backslash(ctx, v, value, n);
		return;
	}
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
		spec_line_backslash(ctx, v, value, n);
	}
}

/*
 * Does this line of v (s[0..n)) end in a backslash that continues it?
 * An odd number of them, as an even number is escaped backslashes; and
 * not before a comment, since then the comment ends the line. The check
 * pass refuses a value whose last line still asks to go on.
 */
static void
spec_line_backslash(struct spec_ctx *ctx, struct spec_val *v, const char *s,
    size_t n)
{
	size_t	i = n;

	while (i > 0 && s[i - 1] == '\\')
		i--;
	v->bsline = !ctx->comment && (n - i) % 2 == 1 ? ctx->lineno : 0;
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
