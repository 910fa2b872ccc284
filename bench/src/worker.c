/*
 * worker.c: the benchmark's worker, the same binary under every peer.
 *
 *   worker FILE SLOT MS	record a start, live MS milliseconds, record
 *				an exit, exit 1 (a crash); MS < 0: sleep until
 *				a signal ends it (a long-running worker)
 *   worker			the same, with "FILE SLOT MS" read from
 *				./worker.conf (s6, runit and daemontools run
 *				./run with no arguments: run is a symlink here)
 *
 * The start stamp (CLOCK_REALTIME) is taken first thing in main; every
 * record is one write(2) to FILE, opened once with O_APPEND, so records
 * from many workers never mix; the exit stamp is taken just before the
 * last write and _exit. FILE "-" records nothing. Statically linked, so
 * it shares no pages with any supervisor and its exec is cheap and equal
 * for all.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static int	recfd = -1;

/* One record, one write(2): O_APPEND keeps concurrent records whole. */
static void
record(char kind, int slot, long long ns)
{
	char	buf[96];
	int	n;

	if (recfd == -1)
		return;
	n = snprintf(buf, sizeof buf, "%c %d %lld %d\n", kind, slot, ns,
	    (int)getpid());
	(void)write(recfd, buf, n);
}

int
main(int argc, char **argv)
{
	long long	 t0 = now_ns();
	char		 file[4096];
	int		 slot, ms;
	FILE		*f;
	struct timespec	 ts;

	if (argc >= 4) {
		snprintf(file, sizeof file, "%s", argv[1]);
		slot = atoi(argv[2]);
		ms = atoi(argv[3]);
	} else {
		if ((f = fopen("worker.conf", "r")) == NULL ||
		    fscanf(f, "%4095s %d %d", file, &slot, &ms) != 3) {
			fprintf(stderr, "worker: usage: worker FILE SLOT MS\n");
			return (2);
		}
		fclose(f);
	}
	if (strcmp(file, "-") != 0)
		recfd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0644);
	record('S', slot, t0);
	if (ms < 0) {
		for (;;)
			pause();
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
	record('E', slot, now_ns());
	_exit(1);
}
