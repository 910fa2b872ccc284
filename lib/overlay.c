/*
 * overlay.c: the running tree's changes to its spec file (see overlay.h).
 *
 * A live pool size replaces the pool's 'instances' line (its place in the
 * file's text is in the pool's node: inst_off, inst_len); the instances
 * keep their paths and settings, so the reload keeps those that stay,
 * starts the new ones in order and stops the surplus. A dynamic worker is
 * a section appended after the file's text: a section may come anywhere
 * after its parent's, and the appended ones come after all of the file's,
 * so a dynamic worker starts after its parent's other children. Its
 * values are written so that the spec parser reads them back as given
 * (single-quoted words, as spec_build does). Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "overlay.h"
#include "xmalloc.h"

static void	 overlay_fmt_word(FILE *, const char *);
static int	 overlay_size_cmp(const void *, const void *);

void
overlay_init(struct overlay *ov)
{
	memset(ov, 0, sizeof *ov);
}

void
overlay_free(struct overlay *ov)
{
	int	i;

	for (i = 0; i < ov->nsizes; i++)
		free(ov->sizes[i].path);
	for (i = 0; i < ov->ndyns; i++) {
		free(ov->dyns[i].path);
		free(ov->dyns[i].text);
	}
	free(ov->sizes);
	free(ov->dyns);
	memset(ov, 0, sizeof *ov);
}

/* The pool at path runs n instances; the file says file_n. */
void
overlay_set_size(struct overlay *ov, const char *path, int file_n, int n)
{
	int	i;

	for (i = 0; i < ov->nsizes; i++) {
		if (strcmp(ov->sizes[i].path, path) == 0)
			break;
	}
	if (n == file_n) {
		if (i < ov->nsizes) {
			free(ov->sizes[i].path);
			ov->sizes[i] = ov->sizes[--ov->nsizes];
		}
		return;
	}
	if (i == ov->nsizes) {
		ov->sizes = xreallocarray(ov->sizes, ov->nsizes + 1,
		    sizeof *ov->sizes);
		ov->sizes[ov->nsizes++].path = xstrdup(path);
	}
	ov->sizes[i].file_n = file_n;
	ov->sizes[i].n = n;
}

/* The live size set for path, or -1. */
int
overlay_size(const struct overlay *ov, const char *path)
{
	int	i;

	for (i = 0; i < ov->nsizes; i++) {
		if (strcmp(ov->sizes[i].path, path) == 0)
			return (ov->sizes[i].n);
	}
	return (-1);
}

/*
 * A word single-quoted, ' as '\'' and ; as '\;' (a ';' after a blank
 * would start a comment, quotes or not).
 */
static void
overlay_fmt_word(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == ';')
			fputs("'\\;'", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The section of a dynamic worker. Allocated. */
char *
overlay_section(const struct overlay_worker *w)
{
	FILE	*f;
	char	*s = NULL;
	size_t	 len;
	int	 i;

	if ((f = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "[%s]\ndynamic = true\ncommand =", w->path);
	for (i = 0; w->argv[i] != NULL; i++) {
		fputc(' ', f);
		overlay_fmt_word(f, w->argv[i]);
	}
	fputc('\n', f);
	if (w->restart != NULL)
		fprintf(f, "restart = %s\n", w->restart);
	if (w->ready != NULL)
		fprintf(f, "ready = %s\n", w->ready);
	if (w->directory != NULL)
		fprintf(f, "directory = %s\n", w->directory);
	if (w->env != NULL && w->env[0] != NULL) {
		fputs("environment =", f);
		for (i = 0; w->env[i] != NULL; i++) {
			fputc(' ', f);
			overlay_fmt_word(f, w->env[i]);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		fatal("open_memstream");
	return (s);
}

/* Add a dynamic worker at path, with its section text (taken). */
void
overlay_add(struct overlay *ov, const char *path, char *text)
{
	ov->dyns = xreallocarray(ov->dyns, ov->ndyns + 1, sizeof *ov->dyns);
	ov->dyns[ov->ndyns].path = xstrdup(path);
	ov->dyns[ov->ndyns++].text = text;
}

/* Remove the dynamic worker at path: 0, or -1 if there is none. */
int
overlay_remove(struct overlay *ov, const char *path)
{
	int	i;

	for (i = 0; i < ov->ndyns; i++) {
		if (strcmp(ov->dyns[i].path, path) != 0)
			continue;
		free(ov->dyns[i].path);
		free(ov->dyns[i].text);
		/* The others keep their order: it is their start order. */
		memmove(&ov->dyns[i], &ov->dyns[i + 1],
		    (ov->ndyns - i - 1) * sizeof *ov->dyns);
		ov->ndyns--;
		return (0);
	}
	return (-1);
}

int
overlay_has(const struct overlay *ov, const char *path)
{
	int	i;

	for (i = 0; i < ov->ndyns; i++) {
		if (strcmp(ov->dyns[i].path, path) == 0)
			return (1);
	}
	return (0);
}

/*
 * The file changed (a reload): keep a live size only while the file
 * still has the pool with the same 'instances', and a dynamic worker
 * only while its parent is still a supervisor (not a pool) and the file
 * has no node at its path. Returns how many changes were dropped.
 */
int
overlay_refresh(struct overlay *ov, const struct tree *file)
{
	const struct tree_node	*n;
	char			*parent, *slash;
	int			 i, k, id, dropped = 0;

	for (i = 0, k = 0; i < ov->nsizes; i++) {
		id = tree_lookup(file, ov->sizes[i].path);
		n = id > 0 ? &file->nodes[id] : NULL;
		if (n != NULL && n->instances == ov->sizes[i].file_n) {
			ov->sizes[k++] = ov->sizes[i];
			continue;
		}
		free(ov->sizes[i].path);
		dropped++;
	}
	ov->nsizes = k;
	for (i = 0, k = 0; i < ov->ndyns; i++) {
		parent = xstrdup(ov->dyns[i].path);
		if ((slash = strrchr(parent, '/')) != NULL)
			*slash = '\0';
		id = slash != NULL ? tree_lookup(file, parent) : 0;
		free(parent);
		n = id >= 0 && id < file->nnodes ? &file->nodes[id] : NULL;
		if (n != NULL && n->kind == TREE_SUPERVISOR &&
		    n->instances == 0 &&
		    tree_lookup(file, ov->dyns[i].path) == -1) {
			ov->dyns[k++] = ov->dyns[i];
			continue;
		}
		free(ov->dyns[i].path);
		free(ov->dyns[i].text);
		dropped++;
	}
	ov->ndyns = k;
	return (dropped);
}

struct overlay_edit {
	size_t	off;
	size_t	len;
	int	n;
};

static int
overlay_size_cmp(const void *a, const void *b)
{
	const struct overlay_edit	*ea = a, *eb = b;

	return (ea->off < eb->off ? -1 : ea->off > eb->off);
}

/*
 * The text the tree runs: the file's text (file is its parse) with the
 * live sizes and the dynamic workers. Allocated, NUL-terminated.
 */
char *
overlay_apply(const struct overlay *ov, const struct tree *file,
    const char *text, size_t len, size_t *lenp)
{
	struct overlay_edit	*ed;
	FILE			*f;
	char			*s = NULL;
	size_t			 slen, at = 0;
	int			 i, ned = 0, id;

	ed = xcalloc(ov->nsizes + 1, sizeof *ed);
	for (i = 0; i < ov->nsizes; i++) {
		id = tree_lookup(file, ov->sizes[i].path);
		if (id <= 0 || file->nodes[id].instances == 0)
			continue;
		ed[ned].off = file->nodes[id].inst_off;
		ed[ned].len = file->nodes[id].inst_len;
		ed[ned++].n = ov->sizes[i].n;
	}
	qsort(ed, ned, sizeof *ed, overlay_size_cmp);
	if ((f = open_memstream(&s, &slen)) == NULL)
		fatal("open_memstream");
	for (i = 0; i < ned; i++) {
		fwrite(text + at, 1, ed[i].off - at, f);
		fprintf(f, "instances = %d\n", ed[i].n);
		at = ed[i].off + ed[i].len;
	}
	fwrite(text + at, 1, len - at, f);
	if (ov->ndyns > 0 && len > 0 && text[len - 1] != '\n')
		fputc('\n', f);
	for (i = 0; i < ov->ndyns; i++)
		fputs(ov->dyns[i].text, f);
	if (fclose(f) != 0)
		fatal("open_memstream");
	free(ed);
	*lenp = slen;
	return (s);
}
