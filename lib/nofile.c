/*
 * nofile.c: the descriptor budget of a supervisor.
 *
 * Each child costs its supervisor three descriptors (pidfd, stdout pipe,
 * stderr pipe), so a supervisor of 10,000 workers needs 30,000 and more:
 * past the usual soft limit of 1024, and on many machines past the hard
 * one. At start every supervisor raises its soft RLIMIT_NOFILE to what
 * its children need, up to the hard limit; when even the hard one is too
 * low and we may raise it (root: CAP_SYS_RESOURCE), the hard one too, up
 * to fs.nr_open. When the limit still caps the tree, the supervisor says
 * so once, with the number of children it allows and what to do
 * (nofile_want returns that number).
 *
 * Workers get the limits supertree itself was started with, not the
 * raised ones (a program using select(2) breaks on descriptors past
 * 1024): the top records them (nofile_init(NULL)), hands them to every
 * supervisor it starts (nofile_arg, "SOFT:HARD" on the __sv command
 * line), and every worker's spawn sets them back before its exec
 * (nofile_orig), before its own limit_nofile applies.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nofile.h"

static struct rlimit	nofile_saved;
static int		nofile_have;
static char		nofile_text[48];

static int
nofile_parse(const char *s, struct rlimit *rl)
{
	unsigned long long	 a, b;
	char			*end;

	errno = 0;
	a = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != ':')
		return (-1);
	s = end + 1;
	b = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return (-1);
	rl->rlim_cur = a == ULLONG_MAX ? RLIM_INFINITY : (rlim_t)a;
	rl->rlim_max = b == ULLONG_MAX ? RLIM_INFINITY : (rlim_t)b;
	return (0);
}

/* Record the limits workers get: inherited ("SOFT:HARD") or ours now. */
void
nofile_init(const char *inherited)
{
	if (inherited == NULL || nofile_parse(inherited, &nofile_saved) == -1) {
		if (getrlimit(RLIMIT_NOFILE, &nofile_saved) == -1)
			return;
	}
	nofile_have = 1;
	snprintf(nofile_text, sizeof nofile_text, "%llu:%llu",
	    nofile_saved.rlim_cur == RLIM_INFINITY ? ULLONG_MAX :
	    (unsigned long long)nofile_saved.rlim_cur,
	    nofile_saved.rlim_max == RLIM_INFINITY ? ULLONG_MAX :
	    (unsigned long long)nofile_saved.rlim_max);
}

const char *
nofile_arg(void)
{
	return (nofile_have ? nofile_text : NULL);
}

static rlim_t
nofile_nr_open(void)
{
	char	buf[32];
	ssize_t	n;
	int	fd;

	if ((fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	return ((rlim_t)strtoull(buf, NULL, 10));
}

/*
 * Make room for nchildren children. Returns how many children the limit
 * allows (nchildren when they fit).
 */
long
nofile_want(long nchildren)
{
	struct rlimit	rl, up;
	rlim_t		want, nr;

	want = (rlim_t)(nchildren * NOFILE_PER_CHILD + NOFILE_BASE);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return (nchildren);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		up = rl;
		if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want)
			up.rlim_cur = want;
		else {
			/* Above the hard limit: only with CAP_SYS_RESOURCE. */
			nr = nofile_nr_open();
			up.rlim_cur = up.rlim_max = nr > 0 && nr < want ?
			    nr : want;
			if (setrlimit(RLIMIT_NOFILE, &up) == -1) {
				up.rlim_cur = rl.rlim_max;
				up.rlim_max = rl.rlim_max;
			}
		}
		if (up.rlim_cur > rl.rlim_cur &&
		    setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return (nchildren);
	if (rl.rlim_cur <= NOFILE_BASE)
		return (0);
	return ((long)((rl.rlim_cur - NOFILE_BASE) / NOFILE_PER_CHILD));
}

/*
 * The limits workers get (~0ULL: infinity), for their spawn request; 0
 * with them, -1 when unknown.
 */
int
nofile_orig(unsigned long long *soft, unsigned long long *hard)
{
	if (!nofile_have)
		return (-1);
	*soft = nofile_saved.rlim_cur == RLIM_INFINITY ? ~0ULL :
	    (unsigned long long)nofile_saved.rlim_cur;
	*hard = nofile_saved.rlim_max == RLIM_INFINITY ? ~0ULL :
	    (unsigned long long)nofile_saved.rlim_max;
	return (0);
}
