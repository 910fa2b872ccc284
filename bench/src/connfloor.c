/*
 * connfloor.c: the floor of a tcp: health check, the least a supervisor
 * can do for one: a non-blocking connect to the listener, poll until it
 * completes, read SO_ERROR, close. Nothing else.
 *
 *   connfloor PORT COUNT
 *
 * Connects COUNT times to 127.0.0.1:PORT, one after the other, and prints
 * "cpu_ns N connects C" (its own CPU time, CLOCK_PROCESS_CPUTIME_ID).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin;
	struct pollfd		pfd;
	struct timespec		ts;
	socklen_t		elen;
	long long		ns;
	int			fd, i, n, err, ok = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: connfloor PORT COUNT\n");
		return (2);
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = atoi(argv[2]);
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd == -1)
			return (1);
		if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1 &&
		    errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, 1000);
		}
		err = 0;
		elen = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
		    err == 0)
			ok++;
		close(fd);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	printf("cpu_ns %lld connects %d\n", ns, ok);
	return (0);
}
