/*
 * proc.c: clocks, pidfd wrappers, descriptor flags, process titles and the
 * pid map. No policy lives here.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static char	*title_base;
static size_t	 title_len;

int64_t
proc_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
proc_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* pidfds are always close-on-exec. */
int
proc_pidfd_open(pid_t pid)
{
	return ((int)syscall(SYS_pidfd_open, pid, 0));
}

int
proc_pidfd_signal(int pidfd, int sig)
{
	return ((int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

int
proc_set_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

/*
 * The process title: ps shows argv, so the title overwrites the argv area
 * (which is contiguous with the environment on Linux; we only use the argv
 * strings themselves, so nothing is moved). PR_SET_NAME sets the comm
 * name that top and pkill see.
 */
void
proc_title_init(int argc, char **argv)
{
	if (argc == 0)
		return;
	title_base = argv[0];
	title_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) -
	    argv[0]) + 1;
}

void
proc_title_set(const char *fmt, ...)
{
	char	buf[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	prctl(PR_SET_NAME, buf, 0, 0, 0);
	if (title_base == NULL || title_len < 2)
		return;
	memset(title_base, '\0', title_len);
	strncpy(title_base, buf, title_len - 1);
}

char *
proc_self_exe(void)
{
	char	buf[PATH_MAX];
	ssize_t	n;

	if ((n = readlink("/proc/self/exe", buf, sizeof buf - 1)) == -1)
		fatal("readlink /proc/self/exe");
	buf[n] = '\0';
	return (xstrdup(buf));
}

static size_t
pidmap_slot(const struct pidmap *m, pid_t pid)
{
	return (((size_t)pid * 2654435761u) & (m->cap - 1));
}

static void
pidmap_grow(struct pidmap *m)
{
	struct pidmap	nm;
	size_t		i;

	nm.cap = m->cap == 0 ? 64 : (m->n * 4 > m->cap ? m->cap * 2 : m->cap);
	nm.keys = xcalloc(nm.cap, sizeof *nm.keys);
	nm.vals = xcalloc(nm.cap, sizeof *nm.vals);
	nm.n = nm.used = 0;
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] > 0)
			pidmap_put(&nm, m->keys[i], m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	*m = nm;
}

/* Keys: 0 is an empty slot, -1 a tombstone. */
void
pidmap_put(struct pidmap *m, pid_t pid, void *val)
{
	size_t	i;

	if ((m->used + 1) * 2 > m->cap)
		pidmap_grow(m);
	for (i = pidmap_slot(m, pid); m->keys[i] > 0 && m->keys[i] != pid;
	    i = (i + 1) & (m->cap - 1))
		;
	if (m->keys[i] != pid) {
		if (m->keys[i] == 0)
			m->used++;
		m->n++;
	}
	m->keys[i] = pid;
	m->vals[i] = val;
}

void *
pidmap_get(const struct pidmap *m, pid_t pid)
{
	size_t	i;

	if (m->cap == 0)
		return (NULL);
	for (i = pidmap_slot(m, pid); m->keys[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == pid)
			return (m->vals[i]);
	}
	return (NULL);
}

void
pidmap_del(struct pidmap *m, pid_t pid)
{
	size_t	i;

	if (m->cap == 0)
		return;
	for (i = pidmap_slot(m, pid); m->keys[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == pid) {
			m->keys[i] = -1;
			m->vals[i] = NULL;
			m->n--;
			return;
		}
	}
}

void
pidmap_free(struct pidmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/*
 * A non-blocking TCP connect to a numeric host (localhost is 127.0.0.1):
 * the socket, connected (*done = 1) or in progress (*done = 0: wait for
 * it to be writable, then read SO_ERROR). -1 with errno if the connect
 * failed at once, -2 if host is not a numeric address: a name would need
 * a DNS lookup, which blocks the whole supervisor (spec keys refuse it).
 */
int
proc_tcp_connect(const char *host, int port, int *done)
{
	struct addrinfo	 hints, *res = NULL;
	char		 serv[8];
	int		 fd, e;

	*done = 0;
	if (host == NULL || strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	snprintf(serv, sizeof serv, "%d", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0 || res == NULL)
		return (-2);
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1) {
		e = errno;
		freeaddrinfo(res);
		errno = e;
		return (-1);
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) == 0)
		*done = 1;
	else if (errno != EINPROGRESS) {
		e = errno;
		freeaddrinfo(res);
		close(fd);
		errno = e;
		return (-1);
	}
	freeaddrinfo(res);
	return (fd);
}
