/*
 * reaper.c: run a peer under a child subreaper, so that every process of
 * its tree, orphaned or not, ends up reaped here and nowhere else.
 *
 *   reaper PIDFILE CMD [ARG...]
 *
 * Writes the pid of CMD to PIDFILE, then reaps until it has no children
 * left at all: once CMD and everything it started are gone, it exits
 * (with CMD's status). So "the reaper exited" is the proof that a
 * teardown left nothing behind.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	FILE	*f;
	pid_t	 pid, w;
	int	 st, rv = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: reaper PIDFILE CMD [ARG...]\n");
		return (2);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return (1);
	}
	/* Die quietly with the driver's TERM; the teardown then kills. */
	signal(SIGINT, SIG_IGN);
	if ((pid = fork()) == -1) {
		perror("reaper: fork");
		return (1);
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if ((f = fopen(argv[1], "w")) != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (w == pid)
			rv = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
	}
	return (rv);
}
