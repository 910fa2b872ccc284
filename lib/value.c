/*
 * value.c: parsers for the value types of the tree spec (durations,
 * booleans, integers, signals, shell-like word lists, environment pairs)
 * and the duration formatter that is their inverse.
 *
 * Pure: no I/O, no locale (numbers are parsed by hand so that a locale
 * with a decimal comma cannot change what "1.5s" means). Every parser
 * takes a NUL-terminated string already trimmed by the INI reader and
 * returns 0, or -1 with *cause set to an allocated message that reads
 * well after "key 'x': ". Values echoed in messages are clipped so that
 * a long value cannot flood the error output.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "value.h"
#include "xmalloc.h"

#define VALUE_CLIP	64			/* bytes of a value shown */
#define VALUE_MAX_MS	(2147483647LL * 1000)	/* about 68 years */

struct value_sig {
	const char	*name;
	int		 sig;
};

/* Canonical names come first: value_signame() returns the first match. */
static const struct value_sig value_sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
	{ "IOT", SIGABRT }, { "POLL", SIGIO }, { "CLD", SIGCHLD },
	{ NULL, 0 }
};

static int	 value_fail(char **, const char *, const char *,
		    const char *);
static int	 value_digits(const char **, int64_t, int64_t *);
static int	 value_rtsig(const char *, int *);
static int	 value_isname(const char *, size_t);

/* Set *cause to "WHAT 'VALUE'[ HINT]", clipping VALUE, and return -1. */
static int
value_fail(char **cause, const char *what, const char *s, const char *hint)
{
	size_t		 n = strlen(s);
	const char	*more = "";

	if (n > VALUE_CLIP) {
		n = VALUE_CLIP;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		more = "...";
	}
	xasprintf(cause, "%s '%.*s%s'%s%s", what, (int)n, s, more,
	    hint != NULL ? " " : "", hint != NULL ? hint : "");
	return (-1);
}

/*
 * Read a run of decimal digits at *sp into *v, advancing *sp. Fails if
 * there is no digit or the number passes max.
 */
static int
value_digits(const char **sp, int64_t max, int64_t *v)
{
	const char	*s = *sp;

	if (!isdigit((unsigned char)*s))
		return (-1);
	*v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		if (*v > (max - (*s - '0')) / 10)
			return (-1);
		*v = *v * 10 + (*s - '0');
	}
	*sp = s;
	return (0);
}

int
value_duration(const char *s, int64_t *ms, char **cause)
{
	const char	*p = s, *hint = "(use e.g. 250ms, 5s, 1.5s, 2m, 1h)";
	int64_t		 ip, frac = 0, scale = 1, unit;
	int		 nfrac = 0;

	if (value_digits(&p, VALUE_MAX_MS, &ip) != 0) {
		if (isdigit((unsigned char)*p))
			return (value_fail(cause, "duration out of range", s,
			    NULL));
		return (value_fail(cause, "invalid duration", s, hint));
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return (value_fail(cause, "invalid duration", s, hint));
		/* Digits past the ninth cannot matter at millisecond scale. */
		for (; isdigit((unsigned char)*p); p++) {
			if (nfrac++ < 9) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p == '\0' || strcmp(p, "s") == 0)
		unit = 1000;
	else if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "m") == 0)
		unit = 60 * 1000;
	else if (strcmp(p, "h") == 0)
		unit = 60 * 60 * 1000;
	else
		return (value_fail(cause, "invalid duration", s, hint));
	if (ip > VALUE_MAX_MS / unit)
		return (value_fail(cause, "duration out of range", s, NULL));
	/* Round the fraction to the nearest millisecond. */
	ip = ip * unit + (frac * unit + scale / 2) / scale;
	if (ip > VALUE_MAX_MS)
		return (value_fail(cause, "duration out of range", s, NULL));
	*ms = ip;
	return (0);
}

char *
value_fmt_duration(int64_t ms)
{
	const char	*sign = "";
	char		*s;
	int64_t		 frac;
	int		 digits = 3;

	if (ms < 0) {
		sign = "-";
		ms = ms == INT64_MIN ? INT64_MAX : -ms;
	}
	if (ms == 0)
		xasprintf(&s, "0s");
	else if (ms % (60 * 60 * 1000) == 0)
		xasprintf(&s, "%s%lldh", sign, (long long)(ms / 3600000));
	else if (ms % (60 * 1000) == 0)
		xasprintf(&s, "%s%lldm", sign, (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		xasprintf(&s, "%s%llds", sign, (long long)(ms / 1000));
	else if (ms < 1000)
		xasprintf(&s, "%s%lldms", sign, (long long)ms);
	else {
		/* "1.5s", "1.25s", "1.001s": no trailing zeros. */
		for (frac = ms % 1000; frac % 10 == 0; frac /= 10)
			digits--;
		xasprintf(&s, "%s%lld.%0*llds", sign, (long long)(ms / 1000),
		    digits, (long long)frac);
	}
	return (s);
}

int
value_bool(const char *s, int *v, char **cause)
{
	static const char *yes[] = { "true", "yes", "on", "1", NULL };
	static const char *no[] = { "false", "no", "off", "0", NULL };
	int	i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return (0);
		}
	}
	return (value_fail(cause, "invalid boolean", s,
	    "(use true or false, yes or no, on or off, 1 or 0)"));
}

int
value_long(const char *s, long min, long max, long *v, char **cause)
{
	const char	*p = s;
	int64_t		 n;
	int		 neg = 0;
	char		*hint;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p) || p[strspn(p, "0123456789")] != '\0')
		return (value_fail(cause, "invalid number", s, NULL));
	if (value_digits(&p, INT64_MAX, &n) == 0) {
		if (neg)
			n = -n;
		if (n >= min && n <= max) {
			*v = (long)n;
			return (0);
		}
	}
	xasprintf(&hint, "(%ld to %ld)", min, max);
	value_fail(cause, "number out of range", s, hint);
	free(hint);
	return (-1);
}

/* "RTMIN", "RTMIN+3", "RTMAX-2" (without any "SIG" prefix). */
static int
value_rtsig(const char *s, int *sig)
{
	const char	*p;
	int64_t		 off = 0;
	int		 base, dir = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0)
		base = SIGRTMIN;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		base = SIGRTMAX;
	else
		return (-1);
	p = s + 5;
	if (*p == '+' || *p == '-') {
		dir = *p++ == '+' ? 1 : -1;
		if (value_digits(&p, 64, &off) != 0)
			return (-1);
	}
	if (*p != '\0')
		return (-1);
	base += dir * (int)off;
	if (base < SIGRTMIN || base > SIGRTMAX)
		return (-1);
	*sig = base;
	return (0);
}

int
value_signal(const char *s, int *sig, char **cause)
{
	const char	*name = s, *p = s;
	int64_t		 n;
	int		 i;

	if (value_digits(&p, 1000, &n) == 0 && *p == '\0') {
		if (n >= 1 && n <= 64) {
			*sig = (int)n;
			return (0);
		}
		return (value_fail(cause, "signal out of range", s,
		    "(1 to 64)"));
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; value_sigs[i].name != NULL; i++) {
		if (strcasecmp(name, value_sigs[i].name) == 0) {
			*sig = value_sigs[i].sig;
			return (0);
		}
	}
	if (value_rtsig(name, sig) == 0)
		return (0);
	return (value_fail(cause, "unknown signal", s,
	    "(use a name such as TERM or INT, or a number 1 to 64)"));
}

const char *
value_signame(int sig)
{
	/* Constant names, not a static buffer: pure code keeps no state. */
	static const char *const rt[] = {
		"RTMIN+0", "RTMIN+1", "RTMIN+2", "RTMIN+3", "RTMIN+4",
		"RTMIN+5", "RTMIN+6", "RTMIN+7", "RTMIN+8", "RTMIN+9",
		"RTMIN+10", "RTMIN+11", "RTMIN+12", "RTMIN+13", "RTMIN+14",
		"RTMIN+15", "RTMIN+16", "RTMIN+17", "RTMIN+18", "RTMIN+19",
		"RTMIN+20", "RTMIN+21", "RTMIN+22", "RTMIN+23", "RTMIN+24",
		"RTMIN+25", "RTMIN+26", "RTMIN+27", "RTMIN+28", "RTMIN+29",
		"RTMIN+30", "RTMIN+31", "RTMIN+32"
	};
	int	i;

	for (i = 0; value_sigs[i].name != NULL; i++) {
		if (value_sigs[i].sig == sig)
			return (value_sigs[i].name);
	}
	/* Real-time signals, named as render.c names them. */
	if (sig >= SIGRTMIN && sig <= SIGRTMAX &&
	    sig - SIGRTMIN < (int)(sizeof rt / sizeof rt[0]))
		return (rt[sig - SIGRTMIN]);
	return (NULL);
}

/*
 * Split s into words like a POSIX shell would, without expanding anything:
 * blanks separate words; a backslash outside quotes takes the next
 * character literally; single quotes keep everything up to the next
 * single quote; double quotes keep everything but a backslash before one
 * of " \ $ ` (which yields that character). Quoted parts and plain text
 * that touch make one word, and '' is an empty word.
 */
int
value_split(const char *s, char ***argv, int *argc, char **cause)
{
	char		**v = NULL, *w;
	const char	 *p;
	size_t		  wn;
	int		  n = 0, inword = 0;

	w = xmalloc(strlen(s) + 1);
	wn = 0;
	for (p = s;; p++) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (inword) {
				v = xreallocarray(v, n + 2, sizeof *v);
				v[n++] = xstrndup(w, wn);
				wn = 0;
				inword = 0;
			}
			if (*p == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*p == '\\') {
			if (*++p == '\0') {
				xasprintf(cause, "trailing backslash "
				    "(nothing left to escape)");
				goto fail;
			}
			w[wn++] = *p;
		} else if (*p == '\'') {
			while (*++p != '\'') {
				if (*p == '\0') {
					xasprintf(cause, "unbalanced quotes "
					    "(a single quote is not closed)");
					goto fail;
				}
				w[wn++] = *p;
			}
		} else if (*p == '"') {
			while (*++p != '"') {
				if (*p == '\0') {
					xasprintf(cause, "unbalanced quotes "
					    "(a double quote is not closed)");
					goto fail;
				}
				if (*p == '\\' && p[1] != '\0' &&
				    strchr("\"\\$`", p[1]) != NULL)
					p++;
				w[wn++] = *p;
			}
		} else
			w[wn++] = *p;
	}
	free(w);
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	v[n] = NULL;
	*argv = v;
	*argc = n;
	return (0);

fail:
	free(w);
	if (v != NULL) {
		v[n] = NULL;
		value_free_vec(v);
	}
	return (-1);
}

/* Is s[0..n) a valid environment variable name? */
static int
value_isname(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return (0);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80 ||
		    (!isalnum((unsigned char)s[i]) && s[i] != '_'))
			return (0);
	}
	return (1);
}

int
value_env(const char *s, char ***env, int *nenv, char **cause)
{
	char	**v, *eq;
	size_t	  kn;
	int	  n, i, j;

	if (value_split(s, &v, &n, cause) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if ((eq = strchr(v[i], '=')) == NULL) {
			value_fail(cause, "invalid entry", v[i],
			    "(use KEY=VALUE)");
			goto fail;
		}
		kn = eq - v[i];
		if (!value_isname(v[i], kn)) {
			value_fail(cause, "invalid variable name in", v[i],
			    "(use letters, digits and '_', not starting with "
			    "a digit)");
			goto fail;
		}
		for (j = 0; j < i; j++) {
			if (strncmp(v[j], v[i], kn + 1) == 0) {
				xasprintf(cause, "variable '%.*s' is set twice",
				    (int)kn, v[i]);
				goto fail;
			}
		}
	}
	*env = v;
	*nenv = n;
	return (0);

fail:
	value_free_vec(v);
	return (-1);
}

void
value_free_vec(char **v)
{
	char	**p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}
