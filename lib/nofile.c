/*
 * nofile.c: the descriptor budget of a supervisor.
 *
 * What a supervisor holds per child (nofile_budget counts it):
 *  - a worker with output = prefix or file: one pipe, which its stdout
 *    and stderr share, since their lines go to the same place (the file;
 *    or our own stdout and stderr when they are one file, as a terminal
 *    or `>log 2>&1` makes them). Only a prefixed worker whose stderr
 *    goes elsewhere than its stdout (`>out 2>err`) gets a second pipe,
 *    and only while the limit has room for every such second pipe: when
 *    it does not, stderr shares the pipe (its lines go to stdout), said
 *    once. An output file adds two: the file and its directory.
 *  - a child supervisor: its link (a socket).
 *  - a pidfd per child, while there is room for it: the children
 *    spawned while their supervisor holds fewer than sv->pidfd_room
 *    pidfds get one, the rest none. A child is ours until we reap
 *    it, so its pid names nothing else until then; its end comes as a
 *    SIGCHLD with its pid, reaped through a pid -> child lookup, and,
 *    since SIGCHLDs that come together are merged into one, a sweep
 *    (waitid(P_ALL)) follows each SIGCHLD within 10 ms (sv.c), a walk of
 *    the kernel's list of our children (2.5 ms for 10,000 on our
 *    machine): the price of the descriptors saved, paid only then.
 * The pidfds go first, then the second pipes: a supervisor of 10,000
 * workers with the default output needs about 20,064 descriptors, 10,064
 * at least (NOFILE_BASE for itself).
 *
 * At start every supervisor raises its soft RLIMIT_NOFILE to what its
 * children need, up to the hard limit; when even the hard one is too low
 * and we may raise it (root: CAP_SYS_RESOURCE), the hard one too, up to
 * fs.nr_open. When the limit still caps the tree, the supervisor says so
 * once, with the number of children it allows and what to do; the starts
 * past it fail with EMFILE, each a start failure that waits
 * FSM_START_FAIL_FLOOR_MS at least.
 *
 * Workers get the limits supertree itself was started with, not the
 * raised ones (a program using select(2) breaks on descriptors past
 * 1024): the top records them (nofile_init(NULL)), hands them to every
 * supervisor it starts (nofile_arg, "SOFT:HARD" on the __sv command
 * line), and every worker's spawn sets them back before its exec
 * (nofile_orig), before its own limit_nofile applies.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nofile.h"
#include "sv.h"
#include "sv_int.h"
#include "tree.h"

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
 * Make room for want descriptors in all. Returns the soft limit we now
 * have (LONG_MAX: none), which may be less.
 */
static long
nofile_raise(long want)
{
	struct rlimit	rl, up;
	rlim_t		nr;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return (LONG_MAX);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want) {
		up = rl;
		if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= (rlim_t)want)
			up.rlim_cur = want;
		else {
			/* Above the hard limit: only with CAP_SYS_RESOURCE. */
			nr = nofile_nr_open();
			up.rlim_cur = up.rlim_max = nr > 0 &&
			    nr < (rlim_t)want ? nr : (rlim_t)want;
			if (setrlimit(RLIMIT_NOFILE, &up) == -1) {
				up.rlim_cur = rl.rlim_max;
				up.rlim_max = rl.rlim_max;
			}
		}
		if (up.rlim_cur > rl.rlim_cur &&
		    setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX)
		return (LONG_MAX);
	return ((long)rl.rlim_cur);
}

/* Are our stdout and stderr one file (a terminal, `>log 2>&1`)? */
static int
nofile_stdio_same(void)
{
	struct stat	a, b;

	if (fstat(STDOUT_FILENO, &a) == -1 || fstat(STDERR_FILENO, &b) == -1)
		return (0);
	return (a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

/*
 * Room for our children's descriptors, counted as the opening comment
 * says; sets sv->pidfd_room and sv->out_merged (whether a prefixed
 * worker's stderr shares its stdout's pipe). Said once when the limit
 * caps us or takes the second pipes away.
 */
void
nofile_budget(struct sv *sv)
{
	const struct tree_node	*n;
	long			 fixed = NOFILE_BASE, second = 0, got, allowed;
	int			 same = nofile_stdio_same(), i;

	for (i = 0; i < sv->n; i++) {
		n = sv->children[i]->node;
		if (n->kind != TREE_WORKER)
			fixed++;
		else if (n->output == TREE_OUT_FILE)
			fixed += 3;
		else if (n->output == TREE_OUT_PREFIX) {
			fixed++;
			second += !same;
		}
	}
	got = nofile_raise(fixed + second + sv->n);
	if (got < fixed) {
		/*
		 * Even without pidfds and second pipes the tree does not fit:
		 * giving them up would not run it whole, so they are kept
		 * (exits by pidfd, stderr apart) and the cap is said.
		 */
		sv->pidfd_room = -1;
		sv->out_merged = same;
		fixed += second + sv->n;
		allowed = got <= NOFILE_BASE ? 0 : (long)((double)sv->n *
		    (got - NOFILE_BASE) / (fixed - NOFILE_BASE));
		sv_event(sv, sv->id, "%d children need about %ld file "
		    "descriptors but RLIMIT_NOFILE allows about %ld children: "
		    "raise the hard limit (ulimit -Hn, LimitNOFILE=) or split "
		    "this supervisor", sv->n, fixed, allowed);
		return;
	}
	/* Second pipes before pidfds; what is left, pidfds for some. */
	sv->out_merged = same || got < fixed + second;
	if (got >= fixed + second + sv->n)
		sv->pidfd_room = -1;
	else
		sv->pidfd_room = got - fixed - (sv->out_merged ? 0 : second);
	if (got >= fixed + second)
		return;
	sv_event(sv, sv->id, "%ld workers write stdout and stderr to "
	    "different files, but RLIMIT_NOFILE (%ld) has no room for a "
	    "second pipe each (%ld descriptors): their stderr shares their "
	    "stdout's pipe and goes to stdout; raise the hard limit (ulimit "
	    "-Hn, LimitNOFILE=) to keep them apart", second, got,
	    fixed + second);
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
