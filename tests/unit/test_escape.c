/*
 * test_escape.c: what the client lets through to a terminal: printable
 * text, UTF-8 and (when asked) colour sequences pass; every other control
 * character, C1 in either form and invalid UTF-8 come out as \xHH, also
 * when a sequence is cut between two frames.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "tap.h"
#include "xmalloc.h"

/* The whole stream s fed in pieces of step bytes, then flushed. */
static char *
run(int flags, const char *s, size_t len, size_t step)
{
	struct escape	 e;
	char		*all = xstrdup(""), *out, *t;
	size_t		 off, n, olen;

	escape_init(&e, flags);
	for (off = 0; ; off += n) {
		n = len - off < step ? len - off : step;
		if (n == 0)
			out = escape_flush(&e, &olen);
		else
			out = escape_feed(&e, s + off, n, &olen);
		xasprintf(&t, "%s%.*s", all, (int)olen, out);
		free(all);
		free(out);
		all = t;
		if (n == 0)
			break;
	}
	return (all);
}

static void
check(int flags, const char *in, size_t len, const char *want,
    const char *what)
{
	char	*got;
	size_t	 step;

	/* Whole, then cut everywhere: the result must not change. */
	for (step = len > 0 ? len : 1; step >= 1; step--) {
		got = run(flags, in, len, step);
		if (strcmp(got, want) != 0) {
			is_str(got, want, "%s (pieces of %zu)", what, step);
			free(got);
			return;
		}
		free(got);
	}
	ok(1, "%s", what);
}

#define CHECK(f, in, want, what) check(f, in, sizeof in - 1, want, what)

int
main(void)
{
	CHECK(0, "plain text\n\tand a tab\n", "plain text\n\tand a tab\n",
	    "printable ASCII, newline and tab pass");
	CHECK(0, "\033]0;pwned\007x", "\\x1b]0;pwned\\x07x",
	    "an OSC title sequence is escaped");
	CHECK(0, "a\rb\bc\177d", "a\\x0db\\x08c\\x7fd",
	    "carriage return, backspace and DEL are escaped");
	CHECK(0, "nul\0byte", "nul\\x00byte", "a NUL byte is escaped");
	CHECK(0, "\033[31mred\033[0m", "\\x1b[31mred\\x1b[0m",
	    "colour is escaped unless asked for");
	CHECK(ESCAPE_SGR, "\033[1;31mred\033[0m", "\033[1;31mred\033[0m",
	    "colour passes when asked for");
	CHECK(ESCAPE_SGR, "\033[2J\033[H", "\\x1b[2J\\x1b[H",
	    "other CSI sequences are escaped even with colour");
	CHECK(ESCAPE_SGR, "\033[31", "\\x1b[31",
	    "a colour sequence cut by the end of the stream is escaped");
	CHECK(ESCAPE_SGR, "\033[1111111111111111111111111111111111111111m",
	    "\\x1b[1111111111111111111111111111111111111111m",
	    "an over-long colour sequence is escaped");
	CHECK(ESCAPE_UTF8, "caf\303\251 \342\202\254 \360\237\214\263",
	    "caf\303\251 \342\202\254 \360\237\214\263",
	    "valid UTF-8 passes");
	CHECK(ESCAPE_UTF8, "\302\233" "2J", "\\xc2\\x9b2J",
	    "a C1 control in UTF-8 is escaped");
	CHECK(ESCAPE_UTF8, "\233" "2J\377", "\\x9b2J\\xff",
	    "invalid UTF-8 bytes are escaped");
	CHECK(ESCAPE_UTF8, "\300\200\355\240\200",
	    "\\xc0\\x80\\xed\\xa0\\x80",
	    "overlong forms and surrogates are escaped");
	CHECK(ESCAPE_UTF8, "x\303", "x\\xc3",
	    "a UTF-8 character cut by the end of the stream is escaped");
	CHECK(0, "\233" "2J\303\233\351", "\\x9b2J\303\\x9b\351",
	    "on an 8-bit terminal, C1 bytes are escaped, the rest passes");
	CHECK(ESCAPE_UTF8 | ESCAPE_SGR, "", "", "nothing in, nothing out");
	return (done_testing());
}
