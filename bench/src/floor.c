/*
 * floor.c: the floor of restart latency and CPU, the least a supervisor
 * can do: fork + exec the worker, pidfd_open, poll, waitid(P_PIDFD), and
 * again at once. No signals, no fd map, no setsid, no bookkeeping.
 *
 *   floor WORKER FILE SLOTS MS EXITS
 *
 * Runs SLOTS workers (worker FILE SLOT MS+SLOT*STAGGER, STAGGER from
 * $BENCH_STAGGER_MS) and restarts each as soon as it ends, until EXITS
 * exits in all; then kills what runs and prints "cpu_ns N restarts R" (its
 * own utime + stime, children excluded).
 *
 * With MS < 0 (long-running workers) and EXITS 0 it is the floor of
 * start-up and stop instead: it starts the SLOTS workers back to back,
 * waits until FILE holds SLOTS records, lets a second pass, then sends
 * every worker SIGTERM at once and prints "stop_ms M" once all are reaped.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*worker, *file;
static int		 ms, stagger;

static int
start(int slot, pid_t *pidp)
{
	char	sbuf[16], mbuf[16];
	char	*argv[5];
	pid_t	pid;
	int	fd;

	snprintf(sbuf, sizeof sbuf, "%d", slot);
	snprintf(mbuf, sizeof mbuf, "%d", ms < 0 ? ms : ms + slot * stagger);
	argv[0] = (char *)worker;
	argv[1] = (char *)file;
	argv[2] = sbuf;
	argv[3] = mbuf;
	argv[4] = NULL;
	if ((pid = fork()) == -1) {
		perror("floor: fork");
		exit(1);
	}
	if (pid == 0) {
		execv(worker, argv);
		_exit(127);
	}
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		perror("floor: pidfd_open");
		exit(1);
	}
	*pidp = pid;
	return (fd);
}

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
count_lines(void)
{
	char	buf[65536];
	ssize_t	n, i;
	int	fd, lines = 0;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	}
	close(fd);
	return (lines);
}

/* Start-up and stop of SLOTS long-running workers. */
static int
scale(struct pollfd *pfd, pid_t *pids, int slots)
{
	struct timespec	 ts = { 0, 5000000 };
	siginfo_t	 si;
	double		 t0;
	int		 i, left, r;

	for (i = 0; i < slots; i++) {
		pfd[i].fd = start(i, &pids[i]);
		pfd[i].events = POLLIN;
	}
	while (count_lines() < slots)
		nanosleep(&ts, NULL);
	sleep(1);
	t0 = mono_ms();
	for (i = 0; i < slots; i++)
		syscall(SYS_pidfd_send_signal, pfd[i].fd, SIGTERM, NULL, 0);
	for (left = slots; left > 0; ) {
		if ((r = poll(pfd, slots, -1)) == -1 && errno != EINTR)
			return (1);
		for (i = 0; r > 0 && i < slots; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & POLLIN))
				continue;
			waitid(P_PIDFD, pfd[i].fd, &si, WEXITED);
			close(pfd[i].fd);
			pfd[i].fd = -1;
			left--;
		}
	}
	printf("stop_ms %.3f\n", mono_ms() - t0);
	return (0);
}

int
main(int argc, char **argv)
{
	struct pollfd	*pfd;
	pid_t		*pids;
	struct rusage	 ru;
	siginfo_t	 si;
	int		 slots, exits, done = 0, i;
	const char	*st;

	if (argc != 6) {
		fprintf(stderr, "usage: floor WORKER FILE SLOTS MS EXITS\n");
		return (2);
	}
	worker = argv[1];
	file = argv[2];
	slots = atoi(argv[3]);
	ms = atoi(argv[4]);
	exits = atoi(argv[5]);
	stagger = (st = getenv("BENCH_STAGGER_MS")) != NULL ? atoi(st) : 0;
	if (slots < 1 || slots > 1000000)
		return (2);
	pfd = calloc(slots, sizeof *pfd);
	pids = calloc(slots, sizeof *pids);
	if (pfd == NULL || pids == NULL)
		return (1);
	if (ms < 0 && exits == 0)
		return (scale(pfd, pids, slots));
	for (i = 0; i < slots; i++) {
		pfd[i].fd = start(i, &pids[i]);
		pfd[i].events = POLLIN;
	}
	while (done < exits) {
		if (poll(pfd, slots, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("floor: poll");
			return (1);
		}
		for (i = 0; i < slots; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			memset(&si, 0, sizeof si);
			if (waitid(P_PIDFD, pfd[i].fd, &si, WEXITED) == -1) {
				perror("floor: waitid");
				return (1);
			}
			close(pfd[i].fd);
			done++;
			pfd[i].fd = start(i, &pids[i]);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	for (i = 0; i < slots; i++) {
		kill(pids[i], SIGKILL);
		waitid(P_PIDFD, pfd[i].fd, &si, WEXITED);
	}
	printf("cpu_ns %lld restarts %d\n",
	    (long long)ru.ru_utime.tv_sec * 1000000000LL +
	    ru.ru_utime.tv_usec * 1000LL +
	    (long long)ru.ru_stime.tv_sec * 1000000000LL +
	    ru.ru_stime.tv_usec * 1000LL, done);
	return (0);
}
