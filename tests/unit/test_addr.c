/*
 * test_addr.c: [HOST:]PORT as the http key and run --http take it: the
 * default host, IPv4, bracketed IPv6, localhost, and every refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "tap.h"

/* Parse s; "host port" or "refused: cause" in out. */
static const char *
parse(const char *s)
{
	static char	 out[256];
	char		*host = NULL, *cause = NULL;
	int		 port = -1;

	if (addr_parse(s, &host, &port, &cause) == 0) {
		snprintf(out, sizeof out, "%s %d", host, port);
		free(host);
	} else {
		snprintf(out, sizeof out, "refused: %s", cause);
		free(cause);
		if (host != NULL)
			snprintf(out, sizeof out, "host leaked");
	}
	return (out);
}

int
main(void)
{
	is_str(parse("9100"), "127.0.0.1 9100", "a port alone is on 127.0.0.1");
	is_str(parse("1"), "127.0.0.1 1", "port 1");
	is_str(parse("65535"), "127.0.0.1 65535", "port 65535");
	is_str(parse("0.0.0.0:80"), "0.0.0.0 80", "every interface, written");
	is_str(parse("10.1.2.3:8080"), "10.1.2.3 8080", "an IPv4 address");
	is_str(parse("localhost:9"), "localhost 9", "localhost");
	is_str(parse("[::1]:9100"), "::1 9100", "IPv6 in brackets");
	is_str(parse("[::]:9100"), ":: 9100", "every IPv6 interface");
	is_str(parse("0"), "refused: the port must be from 1 to 65535",
	    "port 0");
	is_str(parse("65536"), "refused: the port must be from 1 to 65535",
	    "port 65536");
	is_str(parse("http"), "refused: the port must be from 1 to 65535",
	    "not a number");
	is_str(parse(""), "refused: the port must be from 1 to 65535",
	    "empty");
	is_str(parse("9100 "), "refused: the port must be from 1 to 65535",
	    "trailing blank");
	is_str(parse("127.0.0.1:"),
	    "refused: the port must be from 1 to 65535", "no port");
	is_str(parse(":9100"), "refused: use [HOST:]PORT (an IPv6 address "
	    "goes in brackets: [::1]:9100)", "empty host");
	is_str(parse("::1:9100"), "refused: use [HOST:]PORT (an IPv6 address "
	    "goes in brackets: [::1]:9100)", "IPv6 without brackets");
	is_str(parse("example.com:80"), "refused: the host must be an IP "
	    "address or localhost", "a name is not looked up");
	is_str(parse("[::1]9100"), "refused: use [HOST:]PORT, with an IPv6 "
	    "address in brackets: [::1]:9100", "no colon after the bracket");
	is_str(parse("[]:9100"), "refused: use [HOST:]PORT, with an IPv6 "
	    "address in brackets: [::1]:9100", "empty brackets");
	is_str(parse("[127.0.0.1]:9100"), "refused: not an IPv6 address in "
	    "the brackets", "IPv4 in brackets");
	ok(addr_is_loopback("127.0.0.1"), "127.0.0.1 is loopback");
	ok(addr_is_loopback("127.3.4.5"), "127/8 is loopback");
	ok(addr_is_loopback("::1"), "::1 is loopback");
	ok(addr_is_loopback("localhost"), "localhost is loopback");
	ok(!addr_is_loopback("0.0.0.0"), "0.0.0.0 is not");
	ok(!addr_is_loopback("::"), ":: is not");
	ok(!addr_is_loopback("10.0.0.1"), "10.0.0.1 is not");
	return (done_testing());
}
