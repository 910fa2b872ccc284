/*
 * addr.c: [HOST:]PORT, as the http key and `supertree run --http` take
 * it. Pure: inet_pton reads a string, nothing else.
 *
 * The host defaults to 127.0.0.1, so that a listener is reachable from
 * other machines only when its address says so in writing. Only literal
 * addresses (and localhost) are accepted: resolving a name would block the
 * top process and could pick an interface nobody meant.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "value.h"
#include "xmalloc.h"

static int	addr_bad(char **, const char *);

static int
addr_bad(char **cause, const char *why)
{
	*cause = xstrdup(why);
	return (-1);
}

int
addr_parse(const char *s, char **host, int *port, char **cause)
{
	struct in6_addr	 a6;
	const char	*p, *q, *portp;
	char		*h, *inner = NULL;
	long		 l;

	*host = NULL;
	if (*s == '[') {
		/* [::1]:8080 */
		if ((q = strchr(s, ']')) == NULL || q == s + 1 || q[1] != ':')
			return (addr_bad(cause, "use [HOST:]PORT, with an "
			    "IPv6 address in brackets: [::1]:9100"));
		h = xstrndup(s + 1, q - s - 1);
		portp = q + 2;
		if (inet_pton(AF_INET6, h, &a6) != 1) {
			free(h);
			return (addr_bad(cause, "not an IPv6 address in "
			    "the brackets"));
		}
	} else if ((p = strrchr(s, ':')) != NULL) {
		if (p == s || strchr(s, ':') != p)
			return (addr_bad(cause, "use [HOST:]PORT (an IPv6 "
			    "address goes in brackets: [::1]:9100)"));
		h = xstrndup(s, p - s);
		portp = p + 1;
		if (strcmp(h, "localhost") != 0 &&
		    inet_pton(AF_INET, h, &a6) != 1) {
			free(h);
			return (addr_bad(cause, "the host must be an IP "
			    "address or localhost"));
		}
	} else {
		h = xstrdup(ADDR_DEFAULT_HOST);
		portp = s;
	}
	if (value_long(portp, 1, 65535, &l, &inner) != 0) {
		free(inner);
		free(h);
		return (addr_bad(cause, "the port must be from 1 to "
		    "65535"));
	}
	*host = h;
	*port = (int)l;
	return (0);
}

int
addr_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (strcmp(host, "localhost") == 0)
		return (1);
	if (inet_pton(AF_INET, host, &a4) == 1)
		return ((ntohl(a4.s_addr) >> 24) == 127);
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return (IN6_IS_ADDR_LOOPBACK(&a6));
	return (0);
}
