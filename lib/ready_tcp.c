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
 * only while such a worker is starting, once per retry.
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ready.h"
#include "sv.h"
#include "xmalloc.h"

#define READY_MAX_INODES	64

static int	ready_tcp_inodes(int, unsigned long *, int);
static int	ready_tcp_holds(pid_t, const unsigned long *, int);

/* Does a sibling wait for readiness at the same address? */
static int
ready_tcp_shared(const struct sv_child *c)
{
	const struct tree_node	*n = c->node, *o;
	struct sv		*sv = c->sv;
	int			 i;

	for (i = 0; i < sv->n; i++) {
		o = sv->children[i]->node;
		if (sv->children[i] == c || o->kind != TREE_WORKER ||
		    o->ready != TREE_READY_TCP || o->ready_port != n->ready_port)
			continue;
		if ((o->ready_host == NULL) == (n->ready_host == NULL) &&
		    (o->ready_host == NULL ||
		    strcmp(o->ready_host, n->ready_host) == 0))
			return (1);
	}
	return (0);
}

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
 * Whether a connect that succeeded makes the worker ready: always, but
 * for a worker sharing its ready address with a sibling (see above).
 */
int
ready_tcp_owned(const struct sv_child *c)
{
	unsigned long	 inodes[READY_MAX_INODES];
	char		 path[64], buf[4096], *p, *end;
	FILE		*f;
	long		 kid;
	int		 n, found;

	if (c->pid == 0 || !ready_tcp_shared(c))
		return (1);
	if ((n = ready_tcp_inodes(c->node->ready_port, inodes,
	    READY_MAX_INODES)) == 0)
		return (0);
	if (ready_tcp_holds(c->pid, inodes, n))
		return (1);
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children",
	    (long)c->pid, (long)c->pid);
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
