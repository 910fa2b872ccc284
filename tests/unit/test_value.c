/*
 * test_value.c: every value parser of the tree spec, good and bad input,
 * and value_fmt_duration as the inverse of value_duration.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "value.h"

static void	dur_ok(const char *, int64_t);
static void	dur_bad(const char *, const char *);
static void	fmt_is(int64_t, const char *);
static void	bool_is(const char *, int);
static void	long_ok(const char *, long, long, long);
static void	long_bad(const char *, long, long, const char *);
static void	sig_ok(const char *, int);
static void	sig_bad(const char *);
static void	split_is(const char *, int, const char *, const char *,
		    const char *);
static void	split_bad(const char *, const char *);
static void	env_ok(const char *, int, const char *, const char *);
static void	env_bad(const char *, const char *);

static void
dur_ok(const char *s, int64_t want)
{
	int64_t	 ms = -42;
	char	*cause = NULL;

	is_int(value_duration(s, &ms, &cause), 0, "duration '%s' parses", s);
	is_int(ms, want, "duration '%s' is %lld ms", s, (long long)want);
	free(cause);
}

/* Bad input fails with a message that names the value and contains want. */
static void
dur_bad(const char *s, const char *want)
{
	int64_t	 ms = -42;
	char	*cause = NULL;

	is_int(value_duration(s, &ms, &cause), -1, "duration '%s' fails", s);
	ok(cause != NULL && strstr(cause, want) != NULL,
	    "duration '%s': message '%s' has '%s'", s, cause ? cause : "",
	    want);
	is_int(ms, -42, "duration '%s' leaves the result alone", s);
	free(cause);
}

static void
fmt_is(int64_t ms, const char *want)
{
	char	*s = value_fmt_duration(ms), *cause = NULL;
	int64_t	 back = -42;

	is_str(s, want, "value_fmt_duration(%lld)", (long long)ms);
	if (ms >= 0) {
		ok(value_duration(s, &back, &cause) == 0 && back == ms,
		    "'%s' reads back as %lld", s, (long long)ms);
	}
	free(cause);
	free(s);
}

static void
bool_is(const char *s, int want)
{
	char	*cause = NULL;
	int	 v = -1, rc;

	rc = value_bool(s, &v, &cause);
	if (want == -1) {
		ok(rc == -1 && cause != NULL &&
		    strstr(cause, "invalid boolean") != NULL,
		    "bool '%s' fails: %s", s, cause ? cause : "");
	} else
		ok(rc == 0 && v == want, "bool '%s' is %d", s, want);
	free(cause);
}

static void
long_ok(const char *s, long min, long max, long want)
{
	char	*cause = NULL;
	long	 v = -42;

	ok(value_long(s, min, max, &v, &cause) == 0 && v == want,
	    "long '%s' in %ld..%ld is %ld", s, min, max, want);
	free(cause);
}

static void
long_bad(const char *s, long min, long max, const char *want)
{
	char	*cause = NULL;
	long	 v = -42;

	is_int(value_long(s, min, max, &v, &cause), -1, "long '%s' in "
	    "%ld..%ld fails", s, min, max);
	is_str(cause, want, "long '%s' message", s);
	free(cause);
}

static void
sig_ok(const char *s, int want)
{
	char	*cause = NULL;
	int	 sig = -1;

	ok(value_signal(s, &sig, &cause) == 0 && sig == want,
	    "signal '%s' is %d", s, want);
	free(cause);
}

static void
sig_bad(const char *s)
{
	char	*cause = NULL;
	int	 sig = -1;

	ok(value_signal(s, &sig, &cause) == -1 && cause != NULL &&
	    strstr(cause, "signal") != NULL && sig == -1,
	    "signal '%s' fails: %s", s, cause ? cause : "");
	free(cause);
}

/* Split s and compare up to the first three words. */
static void
split_is(const char *s, int argc, const char *a0, const char *a1,
    const char *a2)
{
	const char	*want[3] = { a0, a1, a2 };
	char		**argv = NULL, *cause = NULL;
	int		  n = -1, i;

	if (value_split(s, &argv, &n, &cause) != 0) {
		ok(0, "split [%s] fails: %s", s, cause);
		free(cause);
		return;
	}
	is_int(n, argc, "split [%s] gives %d words", s, argc);
	ok(argv[n] == NULL, "split [%s] is NULL-terminated", s);
	for (i = 0; i < n && i < 3; i++)
		is_str(argv[i], want[i], "split [%s] word %d", s, i);
	value_free_vec(argv);
}

static void
split_bad(const char *s, const char *want)
{
	char	**argv = NULL, *cause = NULL;
	int	  n = -1;

	is_int(value_split(s, &argv, &n, &cause), -1, "split [%s] fails", s);
	is_str(cause, want, "split [%s] message", s);
	ok(argv == NULL && n == -1, "split [%s] leaves results alone", s);
	free(cause);
}

/* Quote s, check the quoted form, and that value_split reads s back. */
static void
quote_is(const char *s, const char *want)
{
	char	*q, **argv = NULL, *cause = NULL;
	int	 n = -1;

	q = value_quote(s);
	is_str(q, want, "quote [%s]", s);
	if (value_split(q, &argv, &n, &cause) != 0) {
		ok(0, "quote [%s] reads back: %s", s, cause);
		free(cause);
	} else
		ok(n == 1 && strcmp(argv[0], s) == 0,
		    "quote [%s] reads back as one word", s);
	value_free_vec(argv);
	free(q);
}

static void
env_ok(const char *s, int nenv, const char *e0, const char *e1)
{
	char	**env = NULL, *cause = NULL;
	int	  n = -1;

	if (value_env(s, &env, &n, &cause) != 0) {
		ok(0, "env [%s] fails: %s", s, cause);
		free(cause);
		return;
	}
	is_int(n, nenv, "env [%s] has %d entries", s, nenv);
	ok(env[n] == NULL, "env [%s] is NULL-terminated", s);
	if (n > 0)
		is_str(env[0], e0, "env [%s] entry 0", s);
	if (n > 1)
		is_str(env[1], e1, "env [%s] entry 1", s);
	value_free_vec(env);
}

static void
env_bad(const char *s, const char *want)
{
	char	**env = NULL, *cause = NULL;
	int	  n = -1;

	is_int(value_env(s, &env, &n, &cause), -1, "env [%s] fails", s);
	is_str(cause, want, "env [%s] message", s);
	free(cause);
}

int
main(void)
{
	const char	*name;
	char		*cause = NULL, big[200];
	int		 i, sig;

	/* Quoting: plain words stay, the rest in single quotes. */
	quote_is("sleep", "sleep");
	quote_is("/usr/bin/x-1.2_a@b%c+d=e:f,g", "/usr/bin/x-1.2_a@b%c+d=e:f,g");
	quote_is("", "''");
	quote_is("a b", "'a b'");
	quote_is("it's", "'it'\\''s'");
	quote_is("'", "''\\'''");
	quote_is("$HOME \\ \"x\" `y` #z ;", "'$HOME \\ \"x\" `y` #z ;'");
	quote_is("\t", "'\t'");

	/* Durations: every unit, fractions, bare seconds. */
	dur_ok("250ms", 250);
	dur_ok("0ms", 0);
	dur_ok("5s", 5000);
	dur_ok("5", 5000);
	dur_ok("0", 0);
	dur_ok("1.5s", 1500);
	dur_ok("1.5", 1500);
	dur_ok("0.25", 250);
	dur_ok("0.001s", 1);
	dur_ok("0.0004s", 0);
	dur_ok("0.0005s", 1);
	dur_ok("1.5ms", 2);
	dur_ok("2m", 120000);
	dur_ok("1.5m", 90000);
	dur_ok("1h", 3600000);
	dur_ok("0.5h", 1800000);
	dur_ok("007s", 7000);
	dur_ok("1.1234567891234s", 1123);
	dur_ok("2147483647s", 2147483647000LL);
	dur_ok("35791394m", 2147483640000LL);
	dur_bad("", "invalid duration ''");
	dur_bad("5x", "invalid duration '5x' (use e.g. 250ms, 5s, 1.5s, 2m, "
	    "1h)");
	dur_bad("-1s", "invalid duration '-1s'");
	dur_bad("+1s", "invalid duration");
	dur_bad("1d", "invalid duration '1d'");
	dur_bad("s", "invalid duration");
	dur_bad("ms", "invalid duration");
	dur_bad(".5s", "invalid duration");
	dur_bad("1.", "invalid duration");
	dur_bad("1.s", "invalid duration");
	dur_bad(" 5s", "invalid duration");
	dur_bad("5 s", "invalid duration");
	dur_bad("5S", "invalid duration");
	dur_bad("1e3", "invalid duration");
	dur_bad("5sec", "invalid duration");
	dur_bad("1h30m", "invalid duration");
	dur_bad("2147483648s", "duration out of range '2147483648s'");
	dur_bad("99999999999h", "duration out of range");
	dur_bad("99999999999999999999999999", "duration out of range");
	dur_bad("2147483647.9999s", "duration out of range");
	/* A long value is clipped in the message. */
	memset(big, '9', sizeof big - 2);
	big[sizeof big - 2] = 'x';
	big[sizeof big - 1] = '\0';
	dur_bad(big, "...'");

	/* Formatting, and reading each result back. */
	fmt_is(0, "0s");
	fmt_is(1, "1ms");
	fmt_is(250, "250ms");
	fmt_is(999, "999ms");
	fmt_is(1000, "1s");
	fmt_is(1500, "1.5s");
	fmt_is(1250, "1.25s");
	fmt_is(1001, "1.001s");
	fmt_is(5000, "5s");
	fmt_is(59000, "59s");
	fmt_is(60000, "1m");
	fmt_is(90000, "90s");
	fmt_is(61500, "61.5s");
	fmt_is(120000, "2m");
	fmt_is(3600000, "1h");
	fmt_is(5400000, "90m");
	fmt_is(86400000, "24h");
	fmt_is(2147483647000LL, "2147483647s");
	fmt_is(-1, "-1ms");
	fmt_is(-5000, "-5s");

	/* Booleans. */
	bool_is("true", 1);
	bool_is("yes", 1);
	bool_is("on", 1);
	bool_is("1", 1);
	bool_is("TRUE", 1);
	bool_is("Yes", 1);
	bool_is("false", 0);
	bool_is("no", 0);
	bool_is("off", 0);
	bool_is("0", 0);
	bool_is("OFF", 0);
	bool_is("", -1);
	bool_is("2", -1);
	bool_is("yess", -1);
	bool_is("t", -1);
	bool_is(" true", -1);

	/* Integers. */
	long_ok("0", 0, 10, 0);
	long_ok("10", 0, 10, 10);
	long_ok("007", 0, 10, 7);
	long_ok("+7", 0, 10, 7);
	long_ok("-5", -10, 10, -5);
	long_ok("9223372036854775807", 0, 9223372036854775807L,
	    9223372036854775807L);
	long_bad("", 0, 10, "invalid number ''");
	long_bad("-", 0, 10, "invalid number '-'");
	long_bad("12a", 0, 10, "invalid number '12a'");
	long_bad(" 1", 0, 10, "invalid number ' 1'");
	long_bad("1.5", 0, 10, "invalid number '1.5'");
	long_bad("0x10", 0, 100, "invalid number '0x10'");
	long_bad("11", 0, 10, "number out of range '11' (0 to 10)");
	long_bad("-1", 0, 10, "number out of range '-1' (0 to 10)");
	long_bad("99999999999999999999999", 0, 10,
	    "number out of range '99999999999999999999999' (0 to 10)");

	/* Signals, both ways. */
	sig_ok("TERM", SIGTERM);
	sig_ok("SIGTERM", SIGTERM);
	sig_ok("term", SIGTERM);
	sig_ok("sigterm", SIGTERM);
	sig_ok("SigHup", SIGHUP);
	sig_ok("KILL", SIGKILL);
	sig_ok("9", 9);
	sig_ok("15", 15);
	sig_ok("1", 1);
	sig_ok("64", 64);
	sig_ok("IOT", SIGABRT);
	sig_ok("POLL", SIGIO);
	sig_ok("CLD", SIGCHLD);
	sig_ok("RTMIN", SIGRTMIN);
	sig_ok("SIGRTMIN+2", SIGRTMIN + 2);
	sig_ok("RTMAX-1", SIGRTMAX - 1);
	sig_ok("RTMAX", SIGRTMAX);
	sig_bad("0");
	sig_bad("65");
	sig_bad("-9");
	sig_bad("");
	sig_bad("SIG");
	sig_bad("FOO");
	sig_bad("TERM ");
	sig_bad("RTMAX+1");
	sig_bad("RTMIN-1");
	sig_bad("RTMIN+");
	sig_bad("99999999999999999999");
	is_str(value_signame(9), "KILL", "value_signame(9)");
	is_str(value_signame(SIGTERM), "TERM", "value_signame(TERM)");
	is_str(value_signame(SIGABRT), "ABRT", "value_signame(ABRT) not IOT");
	is_str(value_signame(SIGIO), "IO", "value_signame(IO) not POLL");
	is_str(value_signame(SIGCHLD), "CHLD", "value_signame(CHLD)");
	is_str(value_signame(SIGWINCH), "WINCH", "value_signame(WINCH)");
	is_str(value_signame(SIGSYS), "SYS", "value_signame(SYS)");
	ok(value_signame(0) == NULL, "value_signame(0) is NULL");
	is_str(value_signame(SIGRTMIN + 1), "RTMIN+1", "value_signame(RTMIN+1) is RTMIN+1");
	ok(value_signame(99) == NULL, "value_signame(99) is NULL");
	is_str(value_signame(SIGRTMIN), "RTMIN", "value_signame(RTMIN)");
	ok(value_signame(SIGRTMAX) != NULL &&
	    strncmp(value_signame(SIGRTMAX), "RTMIN+", 6) == 0,
	    "value_signame(RTMAX) is RTMIN+n");
	{
		int	sig, i;
		char	*cause = NULL;

		/*
		 * Every name reads back as its own number; only the signals
		 * glibc keeps for itself (32 up to SIGRTMIN) have none.
		 */
		for (i = 1; i <= 64; i++) {
			if (value_signame(i) == NULL) {
				if (i >= 32 && i < SIGRTMIN)
					continue;
				break;
			}
			if (value_signal(value_signame(i), &sig, &cause) != 0 ||
			    sig != i)
				break;
		}
		ok(i == 65, "value_signame and value_signal agree on 1 to 64");
		free(cause);
	}
	/* Every standard signal has a name that reads back. */
	for (i = 1; i < 32; i++) {
		if ((name = value_signame(i)) == NULL) {
			ok(0, "signal %d has a name", i);
			continue;
		}
		sig = -1;
		ok(value_signal(name, &sig, &cause) == 0 && sig == i,
		    "value_signal(value_signame(%d) = %s)", i, name);
	}

	/* Command splitting. */
	split_is("sleep 10", 2, "sleep", "10", NULL);
	split_is("  a \t b  c  ", 3, "a", "b", "c");
	split_is("'a b' c", 2, "a b", "c", NULL);
	split_is("'a \"b\" \\n $x'", 1, "a \"b\" \\n $x", NULL, NULL);
	split_is("\"a \\\" b\"", 1, "a \" b", NULL, NULL);
	split_is("\"\\\\ \\$HOME \\`x\\`\"", 1, "\\ $HOME `x`", NULL, NULL);
	split_is("\"\\n \\a\"", 1, "\\n \\a", NULL, NULL);
	split_is("\"it's\"", 1, "it's", NULL, NULL);
	split_is("a\\ b c", 2, "a b", "c", NULL);
	split_is("\\'x\\\"", 1, "'x\"", NULL, NULL);
	split_is("\\\\", 1, "\\", NULL, NULL);
	split_is("''", 1, "", NULL, NULL);
	split_is("\"\" x", 2, "", "x", NULL);
	split_is("a''b", 1, "ab", NULL, NULL);
	split_is("a\"b c\"'d e'f", 1, "ab cd ef", NULL, NULL);
	split_is("'it'\\''s'", 1, "it's", NULL, NULL);
	split_is("echo $HOME * ~ ;", 5, "echo", "$HOME", "*");
	split_is("sh -c 'echo a; echo b'", 3, "sh", "-c", "echo a; echo b");
	split_is("é 'ü x'", 2, "é", "ü x", NULL);
	split_is("", 0, NULL, NULL, NULL);
	split_is("   ", 0, NULL, NULL, NULL);
	split_bad("'abc", "unbalanced quotes (a single quote is not closed)");
	split_bad("a 'b' 'c", "unbalanced quotes (a single quote is not "
	    "closed)");
	split_bad("\"abc", "unbalanced quotes (a double quote is not closed)");
	split_bad("\"a\\\"", "unbalanced quotes (a double quote is not "
	    "closed)");
	split_bad("\"a\\", "unbalanced quotes (a double quote is not closed)");
	split_bad("a\\", "trailing backslash (nothing left to escape)");

	/* Environment pairs. */
	env_ok("A=1 B=2", 2, "A=1", "B=2");
	env_ok("A='x y' B=\"$z\"", 2, "A=x y", "B=$z");
	env_ok("A= _B=c=d", 2, "A=", "_B=c=d");
	env_ok("PATH=/bin:/usr/bin", 1, "PATH=/bin:/usr/bin", NULL);
	env_ok("", 0, NULL, NULL);
	env_bad("A", "invalid entry 'A' (use KEY=VALUE)");
	env_bad("A=1 B", "invalid entry 'B' (use KEY=VALUE)");
	env_bad("=1", "invalid variable name in '=1' (use letters, digits and "
	    "'_', not starting with a digit)");
	env_bad("1A=2", "invalid variable name in '1A=2' (use letters, digits "
	    "and '_', not starting with a digit)");
	env_bad("A-B=1", "invalid variable name in 'A-B=1' (use letters, "
	    "digits and '_', not starting with a digit)");
	env_bad("A=1 A=2", "variable 'A' is set twice");
	env_bad("A='1", "unbalanced quotes (a single quote is not closed)");

	value_free_vec(NULL);
	ok(1, "value_free_vec(NULL) is harmless");
	return (done_testing());
}
