/*
 * log.c: supertree's own diagnostics. Each message is formatted into one
 * buffer and written with a single write(2), so lines from the several
 * supervisor processes that share stderr never interleave mid-line. In a
 * supervisor, stderr is a sink (sink.c): a stalled reader never blocks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"

static void
log_vwrite(int with_errno, const char *fmt, va_list ap)
{
	char	buf[1024];
	int	saved = errno, n, m;

	n = snprintf(buf, sizeof buf, "supertree: ");
	m = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (m > 0)
		n += m;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	if (with_errno) {
		m = snprintf(buf + n, sizeof buf - n, ": %s", strerror(saved));
		if (m > 0)
			n += m;
		if (n > (int)sizeof buf - 2)
			n = sizeof buf - 2;
	}
	buf[n++] = '\n';
	(void)sink_stdio_write(STDERR_FILENO, buf, n);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(1, fmt, ap);
	va_end(ap);
	exit(70);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(0, fmt, ap);
	va_end(ap);
	exit(70);
}
