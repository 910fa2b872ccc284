/*
 * contain.h: finding every process a worker started, wherever it went
 * (setsid, setpgid, a double fork, daemon(3)), through /proc, and
 * signalling them through pidfds. See contain.c.
 */
#ifndef CONTAIN_H
#define CONTAIN_H

#include <sys/types.h>
#include <stdint.h>

#define CONTAIN_VAR	"SUPERVISED_BY"
#define CONTAIN_MARKLEN	64

/* One process as /proc/PID/stat shows it. */
struct contain_proc {
	pid_t		pid;
	pid_t		ppid;
	pid_t		pgid;
	pid_t		sid;
	char		state;
	long		threads;
	uint64_t	start;		/* clock ticks after boot */
};

/*
 * Where a worker's processes can be: every one of them was given its pid
 * after the leader's, so they lie in the pids allocated since the spawn.
 */
struct contain_since {
	pid_t		lo;		/* the leader's pid */
	uint64_t	forks;		/* the system's fork count then */
};

/*
 * Self's children that known() does not know (the orphans), as last read
 * from its list of children, kept by the caller across scans. Reading the
 * list costs about 0.4 ms with 1,000 children and 15 ms with 10,000 (the
 * kernel walks it from its head again for every 4 KB it hands out), so a
 * scan that needed a fresh read would make a stop of N workers cost N
 * reads of an N-long list. With fewer than dear children in the last
 * read (CONTAIN_DEAR unless the caller says; a count, not a time, so that
 * a read that was merely preempted on a loaded machine changes nothing) a
 * read every scan, as before; with more, a scan takes the last read while
 * it is younger than CONTAIN_DEAR_AGE times what it cost (reads then take
 * at most about 1/20 of the supervisor's time) and than CONTAIN_DEAR_MAX_US,
 * and says so in stale (the caller sweeps once more with fresh set before
 * it ends).
 */
#define CONTAIN_DEAR		500
#define CONTAIN_DEAR_AGE	20
#define CONTAIN_DEAR_MAX_US	1000000
struct contain_kids {
	pid_t		*pid;
	int		 n;
	int		 cap;
	int		 dear;		/* CONTAIN_DEAR, or the caller's */
	int		 nread;		/* children in the last read */
	int64_t		 read_us;	/* monotonic, when read; 0: never */
	int64_t		 cost_us;	/* what that read took */
	int		 stale;		/* a scan took a read not its own */
};

/*
 * Whose processes: those under self (a supervisor) that descend from
 * leader (while it is unreaped), or whose chain up to self starts with a
 * process that carries the marker (mine() says yes to its value), or, for
 * a process whose environment cannot be read, whose session or group is
 * pgid. known() says which of self's children are its own (leaders,
 * supervisors, probes): nothing under another one is ours.
 */
struct contain_who {
	pid_t		 self;
	pid_t		 leader;	/* 0 once reaped */
	pid_t		 pgid;		/* its group and session; 0: none */
	struct contain_since since;
	int		(*mine)(void *, const char *);
	int		(*known)(void *, pid_t);
	void		*arg;
	struct contain_kids *kids;	/* self's orphans, kept; or NULL */
	int		 fresh;		/* read them now, whatever they cost */
};

/*
 * For status: which node a process of the tree belongs to. node_of()
 * says whether a pid is a worker's leader (CONTAIN_LEADER, its node in
 * *id), a supervisor of the tree (CONTAIN_SUPER) or neither (0).
 */
#define CONTAIN_LEADER	1
#define CONTAIN_SUPER	2
struct contain_tree {
	long		 token;		/* the tree's, in markers */
	struct contain_since since;	/* the top's start */
	int		(*node_of)(void *, pid_t, int *);
	void		*arg;
};

/* Pure. */
int	contain_parse_stat(const char *, size_t, struct contain_proc *);
const char *contain_env_get(const char *, size_t, const char *);
int	contain_in_range(pid_t lo, pid_t last, pid_t);
void	contain_marker(char *, size_t, long, int);
int	contain_marker_id(const char *, long, int *);
int	contain_kids_usable(int dear, int nread, int64_t cost_us,
	    int64_t age_us);

/* /proc. */
int	contain_since_now(struct contain_since *);
int	contain_sweep(const struct contain_who *, int sig, int cont);
void	contain_count(const struct contain_tree *, uint32_t *, int);
void	contain_kids_free(struct contain_kids *);

#endif
