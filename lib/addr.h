/*
 * addr.h: a listening address written as [HOST:]PORT (the http key and
 * `run --http`). Pure.
 */
#ifndef ADDR_H
#define ADDR_H

#define ADDR_DEFAULT_HOST	"127.0.0.1"

/*
 * Parse s: PORT, HOST:PORT or [IPV6]:PORT. HOST is an IP address or
 * localhost (no DNS: a name could resolve to anything, and resolving
 * blocks); without one, 127.0.0.1. On success *host is allocated (without
 * brackets) and *port is from 1 to 65535; on failure, -1 and *cause (why,
 * without the value: "the port must be from 1 to 65535").
 */
int	addr_parse(const char *s, char **host, int *port, char **cause);

/* Whether host (as addr_parse returns it) is a loopback address. */
int	addr_is_loopback(const char *host);

#endif
