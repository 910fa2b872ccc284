/*
 * page.c: the status page (GET / of http.c), as one HTML document with no
 * external assets: its style and script are in it.
 *
 * The server writes the whole table (one row per node, in file order,
 * indented by depth) so that the page reads as it is without JavaScript:
 * each node's state, pid, uptime, restarts, last exit, its supervisor's
 * restart budget (on the supervisor's own row: restarts used of its
 * intensity in its period) and its error, failing health check (as status
 * words it: "health failing 2/3: http 500") or STATUS= text. The row of a
 * checked worker carries its health_failures in data-hf, which the JSON
 * of an event does not. The script then
 * keeps it live: it listens to /events (the JSON of `supertree events`,
 * one object per change), updates the node's row in place (rows are found
 * by path in a Map, so a change costs the same with 10 or 10,000 nodes),
 * ticks uptimes once a second, asks /healthz for the banner after a
 * burst of changes, and reloads everything from /status.json whenever
 * the stream (re)connects, so nothing is missed across a reconnection.
 * A node it does not know (the spec was reloaded) reloads the page.
 *
 * Everything that comes from the spec or from a child is escaped for HTML
 * on the way out. Pure: no syscalls, no clock (now_ms comes in).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "page.h"
#include "render.h"
#include "value.h"
#include "xmalloc.h"

static void	put_html(struct buf *, const char *);
static void	put_num(struct buf *, int64_t);
static void	put_row(struct buf *, const struct tree *, int,
		    const struct nstate *, int64_t);
static int	is_up(const struct nstate *);
static int	health_failing(const struct tree_node *,
		    const struct nstate *);

static const char page_style[] =
    "<style>\n"
    ":root{color-scheme:light dark;--bg:#fbfbfa;--fg:#1d1f21;"
    "--dim:#6b7075;--line:#e3e4e6;--row:#f3f4f5;--ok:#1a7f37;"
    "--warn:#9a6700;--bad:#cf222e;--flash:#fff4c2}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e6e6e6;"
    "--dim:#8b9096;--line:#2c3035;--row:#1d2024;--ok:#3fb950;"
    "--warn:#d29922;--bad:#f85149;--flash:#3b3417}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.4 "
    "system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\n"
    "header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4em "
    "1.2em;padding:1em 1.5em .6em;border-bottom:1px solid var(--line)}\n"
    "h1{font-size:1.35em;margin:0;font-weight:600}\n"
    "h1 small{color:var(--dim);font-weight:400;font-size:.7em;"
    "margin-left:.4em}\n"
    "#health{font-weight:600;padding:.15em .6em;border-radius:1em;"
    "border:1px solid currentColor}\n"
    "#health.ok{color:var(--ok)}#health.bad{color:var(--bad)}\n"
    "#live{color:var(--dim);font-size:.9em}\n"
    "#live.on::before{content:\"\\25cf  \";color:var(--ok)}\n"
    "#counts{color:var(--dim);font-size:.9em;margin-left:auto}\n"
    "main{padding:.5em 1.5em 2em}\n"
    "table{border-collapse:collapse;width:100%;"
    "font-variant-numeric:tabular-nums}\n"
    "th{text-align:left;font-weight:600;color:var(--dim);font-size:.85em;"
    "text-transform:uppercase;letter-spacing:.04em;padding:.5em .6em;"
    "border-bottom:1px solid var(--line);position:sticky;top:0;"
    "background:var(--bg)}\n"
    "td{padding:.28em .6em;border-bottom:1px solid var(--line);"
    "white-space:nowrap}\n"
    "tbody tr:hover{background:var(--row)}\n"
    "td.n{padding-left:calc(var(--d,0)*1.4em + .6em)}\n"
    "tr.sup td.n{font-weight:600}\n"
    "tr.sup td.n::before{content:\"\\25be  \";color:var(--dim)}\n"
    "td.num,th.num{text-align:right}\n"
    "td.s::before{content:\"\\25cf  \"}\n"
    ".s-running td.s,.s-ready td.s{color:var(--ok)}\n"
    ".s-starting td.s,.s-stopping td.s,.s-backoff td.s,.s-waiting td.s{"
    "color:var(--warn)}\n"
    ".s-failed td.s,.s-unresponsive td.s{color:var(--bad)}\n"
    ".s-stopped td.s,.s-exited td.s,.s-done td.s{color:var(--dim)}\n"
    "td.err{color:var(--bad);white-space:normal;font-size:.9em}\n"
    "td.dim,span.dim{color:var(--dim)}\n"
    "tr.flash{animation:flash 1.2s ease-out}\n"
    "@keyframes flash{from{background:var(--flash)}to{"
    "background:transparent}}\n"
    "footer{color:var(--dim);font-size:.85em;padding:0 1.5em 1.5em}\n"
    "footer a{color:inherit}\n"
    "</style>\n";

static const char page_script[] =
    "(function(){\n"
    "\"use strict\";\n"
    "var rows=new Map(),live=document.getElementById(\"live\"),\n"
    "  health=document.getElementById(\"health\"),hTimer=0,reloading=0;\n"
    "document.querySelector(\"tbody\").addEventListener(\"animationend\","
    "function(e){\n"
    "  e.target.classList.remove(\"flash\");\n"
    "});\n"
    "document.querySelectorAll(\"tbody "
    "tr[data-path]\").forEach(function(r){\n"
    "  rows.set(r.dataset.path,r);\n"
    "  var u=r.querySelector(\"td.up\");\n"
    "  if(u.dataset.up!==undefined)u.t0=Date.now()-1000*u.dataset.up;\n"
    "});\n"
    "function dur(s){\n"
    "  s=Math.max(0,Math.floor(s));\n"
    "  if(s<60)return s+\"s\";\n"
    "  function p(n){return(n<10?\"0\":\"\")+n;}\n"
    "  if(s<3600)return Math.floor(s/60)+\"m\"+p(s%60)+\"s\";\n"
    "  if(s<86400)return Math.floor(s/3600)+\"h\"+p(Math.floor(s/60)%60)+\"m"
    "\";\n"
    "  return Math.floor(s/86400)+\"d\"+p(Math.floor(s/3600)%24)+\"h\";\n"
    "}\n"
    "function per(s){return "
    "s%3600===0?s/3600+\"h\":s%60===0?s/60+\"m\":s+\"s\";}\n"
    "function text(td,t){if(td.textContent!==t)td.textContent=t;}\n"
    "function apply(n,flash){\n"
    "  var r=rows.get(n.path),c;\n"
    "  if(!r){if(!reloading){reloading=1;setTimeout(function(){"
    "location.reload();},500);}return;}\n"
    "  c=r.cells;\n"
    "  if(r.className.indexOf(\"s-\"+n.state)<0||flash){\n"
    "    r.className=r.className.replace(/\\bs-\\w+/,\"s-\"+n.state);\n"
    "    if(flash){r.classList.remove(\"flash\");void r.offsetWidth;"
    "r.classList.add(\"flash\");}\n"
    "  }\n"
    "  text(c[1],n.state+(n.manual?\" (by hand)\":\"\"));\n"
    "  text(c[2],n.pid===null?\"-\":String(n.pid));\n"
    "  var u=c[3];\n"
    "  if(n.uptime===null){u.t0=undefined;text(u,"
    "n.state===\"backoff\"&&n.next_restart!==null?\"restart in "
    "\"+dur(n.next_restart):\"-\");}\n"
    "  else{u.t0=Date.now()-1000*n.uptime;text(u,dur(n.uptime));}\n"
    "  text(c[4],String(n.restarts));\n"
    "  var e=n.last_exit;\n"
    "  text(c[5],e===null?\"-\":e.code!==undefined?\"exit "
    "\"+e.code:\"SIG\"+e.signal);\n"
    "  if(n.kind===\"supervisor\")\n"
    "    text(c[6],n.intensity_used+\"/\"+(n.intensity===null?\"\\u221e\":n.in"
    "tensity)+\" in \"+per(n.period));\n"
    "  var h=n.health===\"failing\"?\"health failing \"+n.health_failures+"
    "(r.dataset.hf?\"/\"+r.dataset.hf:\"\")+(n.health_last?\": \"+"
    "n.health_last:\"\"):\"\";\n"
    "  text(c[7],n.error||h||n.status_text||\"\");\n"
    "  c[7].className=n.error||h?\"err\":\"dim\";\n"
    "}\n"
    "function checkHealth(){\n"
    "  hTimer=0;\n"
    "  fetch(\"healthz\",{cache:\"no-store\"}).then(function(r){\n"
    "    health.className=r.ok?\"ok\":\"bad\";\n"
    "    return r.text();\n"
    "  }).then(function(t){health.textContent=t.trim().replace(/^ok: .*/,"
    "\"healthy\");}).catch(function(){});\n"
    "}\n"
    "function soon(){if(!hTimer)hTimer=setTimeout(checkHealth,300);}\n"
    "function resync(){\n"
    "  fetch(\"status.json\",{cache:\"no-store\"}).then(function(r){return "
    "r.json();})\n"
    "  .then(function(a){a.forEach(function(n){apply(n,false);});soon();}"
    ").catch(function(){});\n"
    "}\n"
    "setInterval(function(){\n"
    "  var now=Date.now();\n"
    "  rows.forEach(function(r){var u=r.cells[3];"
    "if(u.t0!==undefined)text(u,dur((now-u.t0)/1000));});\n"
    "},1000);\n"
    "if(!window.EventSource)return;\n"
    "var es=new EventSource(\"events\");\n"
    "es.onopen=function(){live.className=\"on\";live.textContent=\"live\";"
    "resync();};\n"
    "es.onerror=function(){live.className=\"\";"
    "live.textContent=\"reconnecting\\u2026\";};\n"
    "es.onmessage=function(m){try{apply(JSON.parse(m.data),true);soon();}"
    "catch(x){}};\n"
    "})();\n";

/* Text or an attribute value, escaped for HTML. */
static void
put_html(struct buf *b, const char *s)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, "&<>\"'");
		buf_add(b, s, n);
		s += n;
		switch (*s) {
		case '\0':
			return;
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			buf_puts(b, "&#39;");
			break;
		}
		s++;
	}
}

static int
is_up(const struct nstate *st)
{
	return (st->state == NS_STARTING || st->state == NS_RUNNING ||
	    st->state == NS_READY || st->state == NS_RELOADING ||
	    st->state == NS_STOPPING);
}

/* Is the node a checked worker whose health check is failing? */
static int
health_failing(const struct tree_node *n, const struct nstate *st)
{
	return (n->kind == TREE_WORKER && n->health != TREE_HEALTH_NONE &&
	    st->health == NSTATE_HEALTH_FAILING);
}

/* A number, without printf (a row has several, and a page 10,000 rows). */
static void
put_num(struct buf *b, int64_t v)
{
	char		 tmp[24], *q = tmp + sizeof tmp;
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--q = '0' + u % 10;
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--q = '-';
	buf_add(b, q, tmp + sizeof tmp - q);
}

static void
put_row(struct buf *b, const struct tree *t, int id, const struct nstate *st,
    int64_t now_ms)
{
	const struct tree_node	*n = &t->nodes[id];
	const char		*state = nstate_name(st->state);
	char			*s;
	int64_t			 up;

	buf_puts(b, "<tr data-path=\"");
	put_html(b, n->path);
	buf_puts(b, "\" class=\"s-");
	buf_puts(b, state);
	if (n->kind == TREE_SUPERVISOR)
		buf_puts(b, " sup");
	if (n->kind == TREE_WORKER && n->health != TREE_HEALTH_NONE) {
		buf_puts(b, "\" data-hf=\"");
		put_num(b, n->health_failures);
	}
	buf_puts(b, "\"><td class=\"n\" style=\"--d:");
	put_num(b, n->depth);
	buf_puts(b, "\">");
	put_html(b, id == 0 && t->name != NULL ? t->name : n->name);
	buf_puts(b, "</td><td class=\"s\">");
	buf_puts(b, state);
	if (st->manual)
		buf_puts(b, " (by hand)");
	buf_puts(b, "</td><td class=\"num\">");
	if (st->pid > 0)
		put_num(b, st->pid);
	else
		buf_puts(b, "-");
	buf_puts(b, "</td><td class=\"up num\"");
	if (is_up(st) && st->started_ms > 0) {
		up = now_ms > st->started_ms ? now_ms - st->started_ms : 0;
		buf_puts(b, " data-up=\"");
		put_num(b, up / 1000);
		buf_puts(b, "\">");
		render_uptime(b, up);
	} else if (st->state == NS_BACKOFF) {
		buf_puts(b, ">restart in ");
		render_uptime(b, st->next_ms > now_ms ? st->next_ms - now_ms : 0);
	} else
		buf_puts(b, ">-");
	buf_puts(b, "</td><td class=\"num\">");
	put_num(b, st->restarts);
	buf_puts(b, "</td><td>");
	s = render_exit(st->last_exit);
	buf_puts(b, s);
	free(s);
	buf_puts(b, "</td><td class=\"num\">");
	if (n->kind == TREE_SUPERVISOR) {
		put_num(b, render_intensity_used(st, n->period_ms, now_ms));
		buf_puts(b, "/");
		if (n->intensity == TREE_UNLIMITED)
			buf_puts(b, "\xe2\x88\x9e");
		else
			put_num(b, n->intensity);
		s = value_fmt_duration(n->period_ms);
		buf_puts(b, " in ");
		buf_puts(b, s);
		free(s);
	}
	if (st->error[0] != '\0') {
		buf_puts(b, "</td><td class=\"err\">");
		put_html(b, st->error);
	} else if (health_failing(n, st)) {
		buf_puts(b, "</td><td class=\"err\">health failing ");
		put_num(b, st->health_fails);
		buf_puts(b, "/");
		put_num(b, n->health_failures);
		if (st->health_last[0] != '\0') {
			buf_puts(b, ": ");
			put_html(b, st->health_last);
		}
	} else {
		buf_puts(b, "</td><td class=\"dim\">");
		put_html(b, st->status);
	}
	buf_puts(b, "</td></tr>\n");
}

char *
page_render(const struct tree *t, const struct nstate *states, int64_t now_ms,
    size_t *lenp)
{
	struct buf	b = BUF_INIT;

	page_render_buf(&b, t, states, now_ms);
	*lenp = b.len;
	return (buf_take(&b));
}

void
page_render_buf(struct buf *bp, const struct tree *t,
    const struct nstate *states, int64_t now_ms)
{
	struct buf	 b = *bp;
	char		*health;
	size_t		 need;
	int		 i, bad;

	/*
	 * About the final size at once (a row is about 250 bytes), so that
	 * a reused buffer does not grow at each answer of a growing tree.
	 */
	need = b.len + sizeof page_style + sizeof page_script + 1024 +
	    (size_t)t->nnodes * 320;
	if (need > b.cap) {
		b.s = xrealloc(b.s, need);
		b.cap = need;
	}
	bad = metrics_health(t, states, &health);
	buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	put_html(&b, t->name);
	buf_puts(&b, " \xe2\x80\x94 supertree</title>\n");
	buf_puts(&b, page_style);
	buf_puts(&b, "</head><body>\n<header><h1>");
	put_html(&b, t->name);
	buf_printf(&b, "<small>supertree</small></h1><span id=\"health\" "
	    "class=\"%s\">", bad ? "bad" : "ok");
	health[strcspn(health, "\n")] = '\0';
	put_html(&b, bad ? health : "healthy");
	free(health);
	buf_printf(&b, "</span><span id=\"live\">as of page load</span>"
	    "<span id=\"counts\">%d nodes</span></header>\n<main><table>\n"
	    "<thead><tr><th>node</th><th>state</th><th class=\"num\">pid</th>"
	    "<th class=\"num\">uptime</th><th class=\"num\">restarts</th>"
	    "<th>last exit</th><th class=\"num\">restart budget</th>"
	    "<th>note</th></tr></thead>\n<tbody>\n",
	    t->nnodes);
	for (i = 0; i < t->nnodes; i++)
		put_row(&b, t, i, &states[i], now_ms);
	buf_puts(&b, "</tbody></table></main>\n<footer>Also: <a href=\""
	    "metrics\">metrics</a> \xc2\xb7 <a href=\"healthz\">healthz</a> "
	    "\xc2\xb7 <a href=\"status.json\">status.json</a> \xc2\xb7 "
	    "<a href=\"events\">events</a></footer>\n<script>\n");
	buf_puts(&b, page_script);
	buf_puts(&b, "</script>\n</body></html>\n");
	*bp = b;
}
