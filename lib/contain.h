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

/* /proc. */
int	contain_since_now(struct contain_since *);
int	contain_sweep(const struct contain_who *, int sig, int cont);
void	contain_count(const struct contain_tree *, uint32_t *, int);

#endif
