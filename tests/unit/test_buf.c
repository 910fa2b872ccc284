/*
 * test_buf.c: the string builder: appends, formatting past any internal
 * size, padding, bytes with a NUL, and taking the text.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b = BUF_INIT;
	char		*s, big[5000];
	int		 i;

	s = buf_take(&b);
	is_str(s, "", "an empty builder gives an empty string");
	free(s);

	buf_puts(&b, "ab");
	buf_add(&b, "cdef", 2);
	buf_printf(&b, "-%d-%s", 42, "x");
	buf_pad(&b, 3);
	buf_pad(&b, -1);
	is_str(b.s, "abcd-42-x   ", "puts, add, printf and pad append");
	is_int(b.len, 12, "length");

	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (i = 0; i < 3; i++)
		buf_printf(&b, "%s", big);
	is_int(b.len, 12 + 3 * (sizeof big - 1), "printf past the room grows");
	ok(b.s[b.len] == '\0' && b.s[b.len - 1] == 'z' &&
	    strncmp(b.s, "abcd-42-x   zzz", 15) == 0, "and keeps what was there");

	s = buf_take(&b);
	ok(b.s == NULL && b.len == 0 && b.cap == 0, "take resets the builder");
	is_int(strlen(s), 12 + 3 * (sizeof big - 1), "take gives the text");
	free(s);

	buf_add(&b, "a\0b", 3);
	is_int(b.len, 3, "bytes with a NUL are kept");
	ok(memcmp(b.s, "a\0b", 4) == 0, "and stay NUL-terminated");
	buf_free(&b);
	ok(b.s == NULL && b.len == 0, "free resets the builder");

	buf_printf(&b, "%s", "");
	is_str(b.s, "", "an empty format still gives a string");
	buf_free(&b);
	return (done_testing());
}
