/*
 * waitgone.c: how long until a set of processes is gone.
 *
 *   waitgone TIMEOUT_MS PIDFILE [CMD [ARG...]]
 *
 * Opens a pidfd for every pid in PIDFILE (one per line), then runs CMD
 * (if given: the stop command) and waits until every pidfd reports its
 * process ended. Prints "ms M left L" (L processes still there at the
 * timeout) and exits 0 only when none is left.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

int
main(int argc, char **argv)
{
	struct pollfd	*pfd = NULL;
	size_t		 n = 0, cap = 0, left, i;
	double		 t0, deadline, now;
	FILE		*f;
	int		 pid, fd, r;

	if (argc < 3) {
		fprintf(stderr, "usage: waitgone TIMEOUT_MS PIDFILE "
		    "[CMD...]\n");
		return (2);
	}
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return (2);
	}
	while (fscanf(f, "%d", &pid) == 1) {
		if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
			continue;	/* already gone */
		if (n == cap) {
			cap = cap * 2 + 256;
			pfd = realloc(pfd, cap * sizeof *pfd);
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		n++;
	}
	fclose(f);
	/* The stop command: reaped by the kernel, we only time it. */
	signal(SIGCHLD, SIG_IGN);
	t0 = mono_ms();
	deadline = t0 + atof(argv[1]);
	if (argc > 3 && fork() == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	left = n;
	while (left > 0 && (now = mono_ms()) < deadline) {
		r = poll(pfd, n, (int)(deadline - now) + 1);
		if (r == -1 && errno != EINTR)
			break;
		for (i = 0; r > 0 && i < n; i++) {
			if (pfd[i].fd >= 0 && (pfd[i].revents & POLLIN)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;	/* poll skips it now */
				left--;
			}
		}
	}
	printf("ms %.3f left %zu\n", mono_ms() - t0, left);
	return (left == 0 ? 0 : 1);
}
