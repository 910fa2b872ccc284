/*
 * reload.c: `reload [FILE]` and SIGHUP, run inside the top process:
 * re-read the spec file, validate it, and if it is good hand it down the
 * tree (remote_apply, then sv_reload). A spec that is not valid changes
 * nothing: the tree runs on as it was, and the reasons are said to the
 * client, or for SIGHUP to the event log.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "remote.h"
#include "resolve.h"
#include "sv.h"
#include "tree.h"

/* Print "supertree: LINE" for each line of a multi-line cause. */
static void
eprint_lines(struct ctl_client *cl, const char *cause)
{
	const char	*p = cause, *nl;

	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (cl != NULL)
			ctl_eprintf(cl, "supertree: %.*s\n", (int)(nl - p), p);
		else
			sv_event(remote_top(), -1, "reload: %.*s",
			    (int)(nl - p), p);
		p = *nl == '\n' ? nl + 1 : nl;
	}
}

/* One reload message, to the client or (SIGHUP) to the event log. */
static void
eprint_msg(struct ctl_client *cl, const char *msg)
{
	if (cl != NULL)
		ctl_eprintf(cl, "supertree: reload: %s\n", msg);
	else
		sv_event(remote_top(), -1, "reload: %s", msg);
}

/*
 * reload (and SIGHUP): re-read the spec file, validate it, and if it is
 * good hand it down the tree. Requests that hold node ids are ended: the
 * ids change. With newfile (reload FILE, an absolute path from the
 * client), that file is read instead and, once applied, is the tree's
 * file from then on: later reloads and SIGHUP read it.
 */
static int
reload_file(struct ctl_client *cl, const char *newfile)
{
	const struct tree	*t = remote_tree();
	struct tree		*nt;
	const char		*file = newfile != NULL ? newfile : t->file;
	char			*text = NULL, *cause = NULL;
	size_t			 len;
	int			 i, oid, added = 0, removed = 0, changed = 0;

	if (wrap_active()) {
		eprint_msg(cl, "this tree's spec came from stdin or the "
		    "command line: there is no file to re-read");
		return (EXIT_USAGE);
	}
	if (strcmp(file, "-") == 0) {
		eprint_msg(cl, "this tree's spec came from stdin or the "
		    "command line: there is no file to re-read (name one: "
		    "supertree reload FILE)");
		return (EXIT_USAGE);
	}
	if (resolve_read(file, &text, &len, &cause) == -1 ||
	    (nt = resolve_parse(file, text, len, &cause)) == NULL ||
	    pool_rebase(&nt, &text, &len, &cause) == -1) {
		eprint_lines(cl, cause);
		eprint_msg(cl, "the new spec is not valid; the tree runs on "
		    "unchanged");
		free(cause);
		free(text);
		return (EXIT_USAGE);
	}
	for (i = 0; i < nt->nnodes; i++) {
		oid = tree_lookup(t, nt->nodes[i].path);
		if (oid == -1)
			added++;
		else if (nt->nodes[i].kind != t->nodes[oid].kind ||
		    (nt->nodes[i].kind == TREE_WORKER &&
		    strcmp(nt->nodes[i].digest,
		    t->nodes[oid].digest) != 0))
			changed++;
	}
	for (i = 0; i < t->nnodes; i++) {
		if (tree_lookup(nt, t->nodes[i].path) == -1)
			removed++;
	}
	if (strcmp(nt->name, t->name) != 0)
		eprint_msg(cl, "a new tree name takes effect only after a "
		    "restart");
	tree_free(nt);
	if (remote_apply(cl, text, len, 0, &cause) == -1) {
		eprint_lines(cl, cause);
		free(cause);
		free(text);
		return (EXIT_FAIL);
	}
	free(text);
	/* The tree is a new one now. */
	t = remote_tree();
	if (newfile != NULL)
		remote_set_file(newfile);
	if (cl != NULL)
		ctl_printf(cl, "reloaded %s: %d added, %d removed, %d changed\n",
		    t->name, added, removed, changed);
	sv_event(remote_top(), -1, "reloaded: %d added, %d removed, %d "
	    "changed", added, removed, changed);
	return (0);
}

void
reload_request(struct ctl_client *cl, int argc, char **argv, uint32_t flags)
{
	(void)flags;
	/* FILE comes absolute from the client ("-" is not stdin). */
	if (argc > 2 || (argc == 2 && argv[1][0] != '/')) {
		ctl_eprintf(cl, "usage: supertree reload [NAME] [FILE]\n");
		remote_finish(cl, EXIT_USAGE);
	} else
		remote_finish(cl, reload_file(cl, argc == 2 ? argv[1] : NULL));
}

/* SIGHUP: as `reload`, said to the event log. */
void
reload_hup(void)
{
	(void)reload_file(NULL, NULL);
}
