/*
 * spec_live.c: the liveness keys of a worker and their canonical form:
 * health (tcp: and http://; exec: is a command, split by spec_key.c),
 * watchdog, watchdog_signal and max_memory. The plain durations and
 * counts (health_interval, health_timeout, health_failures, health_grace)
 * go through the key table. What the keys do is health.c's. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spec_int.h"
#include "value.h"
#include "xmalloc.h"

static int	spec_live_health(struct tree_node *, const char *, char **);
static int	spec_live_http(struct tree_node *, const char *, char **);

int
spec_live_set(struct tree_node *n, enum spec_keyid k, const char *s,
    char **cause)
{
	switch (k) {
	case K_HEALTH:
		return (spec_live_health(n, s, cause));
	case K_WATCHDOG:
		if (strcmp(s, "0") == 0 || strcmp(s, "off") == 0) {
			n->watchdog_ms = 0;
			return (0);
		}
		if (value_duration(s, &n->watchdog_ms, cause) != 0)
			return (-1);
		if (n->watchdog_ms < 1) {
			xasprintf(cause, "must be more than 0 (or off)");
			return (-1);
		}
		return (0);
	case K_WATCHDOG_SIGNAL:
		return (value_signal(s, &n->watchdog_signal, cause));
	case K_MAX_MEMORY:
		if (spec_key_size(s, &n->max_memory, cause) != 0)
			return (-1);
		if (n->max_memory == 0)
			return (spec_key_bad(cause, "invalid max_memory", s,
			    "(use a size above 0, e.g. 512M)"));
		return (0);
	default:
		xasprintf(cause, "not a liveness key");
		return (-1);
	}
}

static int
spec_live_health(struct tree_node *n, const char *s, char **cause)
{
	if (strncmp(s, "http://", 7) == 0)
		return (spec_live_http(n, s, cause));
	if (strncmp(s, "tcp:", 4) != 0)
		return (spec_key_bad(cause, "invalid health", s, "(use "
		    "exec:COMMAND, tcp:[HOST:]PORT or http://HOST:PORT/PATH)"));
	switch (spec_key_hostport(s + 4, &n->health_host, &n->health_port)) {
	case 0:
		n->health = TREE_HEALTH_TCP;
		return (0);
	case -2:
		return (spec_key_bad(cause, "invalid health", s,
		    "(the port must be from 1 to 65535)"));
	case -3:
		return (spec_key_bad(cause, "invalid health", s,
		    "(the host must be an IP address or localhost)"));
	default:
		return (spec_key_bad(cause, "invalid health", s,
		    "(use tcp:[HOST:]PORT, e.g. tcp:127.0.0.1:8080)"));
	}
}

/* http://HOST:PORT/PATH, HOST numeric; the path defaults to /. */
static int
spec_live_http(struct tree_node *n, const char *s, char **cause)
{
	const char	*p = s + 7, *slash;
	char		*hp;
	int		 rv;

	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	if (strcspn(s, " \t\r\n") != strlen(s) || slash == p)
		goto bad;
	hp = xstrndup(p, slash - p);
	if (strchr(hp, ':') == NULL || (hp[0] == '[' &&
	    strstr(hp, "]:") == NULL)) {
		/* No port: 80, as a browser would. */
		char *t;

		xasprintf(&t, "%s:80", hp);
		free(hp);
		hp = t;
	}
	rv = spec_key_hostport(hp, &n->health_host, &n->health_port);
	free(hp);
	if (rv == -2)
		return (spec_key_bad(cause, "invalid health", s,
		    "(the port must be from 1 to 65535)"));
	if (rv == -3)
		return (spec_key_bad(cause, "invalid health", s,
		    "(the host must be an IP address or localhost: no DNS)"));
	if (rv != 0)
		goto bad;
	free(n->health_path);
	n->health_path = xstrdup(*slash == '\0' ? "/" : slash);
	n->health = TREE_HEALTH_HTTP;
	return (0);
bad:
	return (spec_key_bad(cause, "invalid health", s,
	    "(use http://HOST:PORT/PATH, e.g. http://127.0.0.1:8080/health)"));
}

/* The canonical form, for the digest (spec_build.c); exec: is there. */
void
spec_live_fmt(struct buf *b, const struct tree_node *n, enum spec_keyid k)
{
	const char	*name;
	char		*s;

	switch (k) {
	case K_HEALTH:
		if (n->health == TREE_HEALTH_TCP)
			buf_printf(b, "tcp:%s:%d", n->health_host,
			    n->health_port);
		else if (n->health == TREE_HEALTH_HTTP)
			buf_printf(b, "http://%s:%d%s", n->health_host,
			    n->health_port, n->health_path);
		break;
	case K_WATCHDOG:
		s = value_fmt_duration(n->watchdog_ms);
		buf_puts(b, n->watchdog_ms == 0 ? "off" : s);
		free(s);
		break;
	case K_WATCHDOG_SIGNAL:
		if ((name = value_signame(n->watchdog_signal)) != NULL)
			buf_puts(b, name);
		else
			buf_printf(b, "%d", n->watchdog_signal);
		break;
	case K_MAX_MEMORY:
		buf_printf(b, "%lld", (long long)n->max_memory);
		break;
	default:
		break;
	}
}
