/*
 * test_page.c: the status page of GET /: one row per node in file order,
 * each cell as status shows it, the health banner, HTML escaping of what
 * comes from children, and nothing fetched from elsewhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "page.h"
#include "spec.h"
#include "tap.h"
#include "xmalloc.h"

#define NOW	INT64_C(1700000100000)

static const char spec[] =
    "[supertree]\n"
    "name = shop\n"
    "[web]\n"
    "intensity = 5\n"
    "period = 1m\n"
    "[web/api]\n"
    "command = /bin/true\n"
    "[db]\n"
    "command = /bin/true\n";

static int
count(const char *s, const char *what)
{
	int	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return (n);
}

int
main(void)
{
	struct buf	 out = BUF_INIT;
	struct tree	*t;
	struct nstate	*st;
	char		*cause = NULL, *p;
	const char	*a, *b;
	size_t		 len;
	int		 i;

	t = spec_parse("t.ini", spec, strlen(spec), NULL, &cause);
	if (t == NULL) {
		printf("# %s\n", cause);
		return (1);
	}
	st = xcalloc(t->nnodes, sizeof *st);
	for (i = 0; i < t->nnodes; i++) {
		st[i].state = NS_RUNNING;
		st[i].pid = 100 + i;
		st[i].started_ms = NOW - 135000;
		st[i].last_exit = NSTATE_NO_EXIT;
	}
	st[1].intensity_used = 2;
	p = page_render(t, st, NOW, &len);
	is_int(len, strlen(p), "the length is the text's");
	ok(strncmp(p, "<!doctype html>", 15) == 0, "an HTML document");
	is_int(count(p, "<tr data-path="), 4, "one row per node");
	a = strstr(p, "data-path=\"web/api\"");
	b = strstr(p, "data-path=\"db\"");
	ok(a != NULL && b != NULL && a < b, "rows in file order");
	ok(strstr(p, "<title>shop \xe2\x80\x94 supertree</title>") != NULL,
	    "the tree's name in the title");
	ok(strstr(p, ">shop</td>") != NULL, "the root row shows the name");
	ok(strstr(p, "class=\"s-running sup\"><td class=\"n\" style=\"--d:1\">"
	    "web</td>") != NULL, "a supervisor row, indented by depth");
	ok(strstr(p, "<td class=\"num\">103</td>") != NULL, "pid");
	ok(strstr(p, "data-up=\"135\">2m15s</td>") != NULL, "uptime");
	ok(strstr(p, "2/5 in 1m") != NULL, "a supervisor's restart budget");
	ok(strstr(p, "class=\"ok\">healthy</span>") != NULL, "healthy banner");
	ok(strstr(p, "new EventSource(\"events\")") != NULL, "the live script");
	ok(strstr(p, "<link") == NULL && strstr(p, "src=") == NULL &&
	    strstr(p, "http://") == NULL && strstr(p, "https://") == NULL,
	    "no external assets");
	free(p);

	st[2].state = NS_BACKOFF;
	st[2].next_ms = NOW + 4000;
	st[2].last_exit = 3;
	st[2].restarts = 4;
	st[2].pid = 0;
	snprintf(st[2].error, sizeof st[2].error, "<script>&'\"");
	p = page_render(t, st, NOW, &len);
	ok(strstr(p, "class=\"bad\">unhealthy: web/api is backoff: "
	    "&lt;script&gt;&amp;&#39;&quot;</span>") != NULL,
	    "unhealthy banner, escaped");
	ok(strstr(p, "<td class=\"err\">&lt;script&gt;&amp;&#39;&quot;</td>")
	    != NULL, "the error, escaped");
	ok(strstr(p, "<script>&") == NULL, "never raw");
	ok(strstr(p, ">restart in 4s</td>") != NULL, "backoff: the delay");
	ok(strstr(p, "<td>exit 3</td>") != NULL, "last exit");
	ok(strstr(p, "<td class=\"num\">4</td>") != NULL, "restarts");
	/* Into a caller's buffer: the same page, in reused memory. */
	buf_puts(&out, "x");
	page_render_buf(&out, t, st, NOW);
	ok(out.len == len + 1 && memcmp(out.s + 1, p, len) == 0,
	    "appended after what the buffer held");
	out.len = 0;
	page_render_buf(&out, t, st, NOW);
	ok(out.len == len && memcmp(out.s, p, len) == 0 &&
	    out.s[out.len] == '\0', "an emptied buffer reused");
	buf_free(&out);
	free(p);
	free(st);
	tree_free(t);
	return (done_testing());
}
