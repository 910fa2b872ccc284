/*
 * ready_tcp.c: whose listening socket a tcp readiness connect reached.
 *
 * Workers that share a port with SO_REUSEPORT (a pool's instances, each
 * with ready = tcp:PORT) make a plain connect meaningless: it may reach a
 * sibling's socket while the worker itself does not listen yet, and a
 * rolling restart would then stop the next instance too early. So when
 * a sibling has the same ready address, the worker is ready only once
 * its own process (its leader, or a child of the leader: a shell that
 * forks its server) holds a socket listening on that port, found from
 * /proc/net/tcp{,6} (the socket's inode) and /proc/PID/fd. This is read
 * only while such a worker is starting, once per retry. Whether a
 * sibling shares the address is the supervisor's to say (svready.c).
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ready.h"

#define READY_MAX_INODES	64

static int	ready_tcp_inodes(int, unsigned long *, int);
static int	ready_tcp_holds(pid_t, const unsigned long *, int);

/* The inodes of the sockets listening on port (IPv4 and IPv6). */
static int
ready_tcp_inodes(int port, unsigned long *inodes, int max)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	FILE		*f;
	char		 line[512], *colon;
	unsigned long	 inode;
	unsigned int	 lport, st;
	int		 i, n = 0;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(files[i], "re")) == NULL)
			continue;
		while (n < max && fgets(line, sizeof line, f) != NULL) {
			/* "sl local rem st txq:rxq tr:when retr uid tmo inode" */
			if ((colon = strchr(line, ':')) == NULL ||
			    (colon = strchr(colon + 1, ':')) == NULL)
				continue;
			if (sscanf(colon + 1, "%x %*s %x %*s %*s %*s %*s %*s %lu",
			    &lport, &st, &inode) != 3)
				continue;
			if ((int)lport == port && st == 0x0a && inode != 0)
				inodes[n++] = inode;
		}
		fclose(f);
	}
	return (n);
}

/* Does process pid hold one of the sockets? */
static int
ready_tcp_holds(pid_t pid, const unsigned long *inodes, int n)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], link[64];
	unsigned long	 inode;
	ssize_t		 len;
	int		 i, found = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return (0);
	while (!found && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "/proc/%ld/fd/%s", (long)pid,
		    e->d_name);
		if ((len = readlink(path, link, sizeof link - 1)) <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < n; i++) {
			if (inodes[i] == inode)
				found = 1;
		}
	}
	closedir(d);
	return (found);
}

/*
 * Whether a connect to port that succeeded makes the worker whose leader
 * is leader ready: always, but for a worker sharing its ready address
 * with a sibling (see above).
 */
int
ready_tcp_owned(pid_t leader, int port, int shared)
{
	unsigned long	 inodes[READY_MAX_INODES];
	char		 path[64], buf[4096], *p, *end;
	FILE		*f;
	long		 kid;
	int		 n, found;

	if (leader == 0 || !shared)
		return (1);
	if ((n = ready_tcp_inodes(port, inodes, READY_MAX_INODES)) == 0)
		return (0);
	if (ready_tcp_holds(leader, inodes, n))
		return (1);
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children",
	    (long)leader, (long)leader);
	if ((f = fopen(path, "re")) == NULL)
		return (0);
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	for (found = 0; p != NULL && !found; p = end) {
		kid = strtol(p, &end, 10);
		if (end == p)
			break;
		found = ready_tcp_holds((pid_t)kid, inodes, n);
	}
	return (found);
}
