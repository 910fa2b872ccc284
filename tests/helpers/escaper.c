/*
 * escaper: leave the caller's process group the way daemonizing programs
 * do, then exec a command. For the containment tests (contain.bats).
 *
 *   escaper daemon CMD...	daemon(3): fork, the parent exits, setsid
 *   escaper setpgid CMD...	a process group of its own, same session
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: escaper daemon|setpgid cmd...\n");
		return (2);
	}
	if (strcmp(argv[1], "daemon") == 0) {
		if (daemon(1, 0) == -1) {
			perror("escaper: daemon");
			return (1);
		}
	} else if (strcmp(argv[1], "setpgid") == 0) {
		if (setpgid(0, 0) == -1) {
			perror("escaper: setpgid");
			return (1);
		}
	} else {
		fprintf(stderr, "escaper: unknown mode %s\n", argv[1]);
		return (2);
	}
	execvp(argv[2], argv + 2);
	perror("escaper: exec");
	return (127);
}
