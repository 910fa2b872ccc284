/*
 * spawn.h: the only place that forks. A spawn either returns a running
 * child that has successfully called exec, held by a pidfd (unless the
 * request says no_pidfd), or fails with
 * the reason (chdir, setuid, exec, ...) in *cause.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>

struct spawn_fd {
	int	from;		/* descriptor in the parent */
	int	to;		/* number it gets in the child */
};

/* A resource limit set in the child before exec. */
struct spawn_rlimit {
	const char	*name;		/* the key, for messages */
	int		 resource;	/* RLIMIT_* */
	unsigned long long soft;	/* ~0ULL: infinity */
	unsigned long long hard;
};
#define SPAWN_NRLIMITS	16

struct spawn_req {
	char		**argv;		/* argv[0] is looked up in PATH */
	char		**envp;		/* NULL: inherit */
	const char	 *dir;		/* NULL: inherit */
	int		  umask;	/* -1: inherit */
	struct spawn_rlimit rlimits[SPAWN_NRLIMITS];
	int		  nrlimits;
	int		  set_nice;	/* setpriority to nice */
	int		  nice;
	int		  set_oom;	/* write oom_score_adj */
	int		  oom_score_adj;
	int		  set_ids;	/* drop to uid/gid */
	uid_t		  uid;
	gid_t		  gid;
	int		  setsid;	/* new session and process group */
	int		  pdeathsig;	/* 0: none */
	struct spawn_fd	 *fds;		/* the only fds that cross exec */
	int		  nfds;
	int		  exec_fd;	/* > 0: exec this file, not argv[0] */
	char		 *pid_var;	/* NULL, or a string of envp ending in
					   '=' with room for 11 more bytes: the
					   child writes its pid there
					   (WATCHDOG_PID) */
	int		  no_pidfd;	/* hand back no pidfd (-1) */
	const char	 *cgroup_procs;	/* join: this cgroup.procs, or NULL */
};

void	spawn_init(void);
int	spawn(const struct spawn_req *, pid_t *, int *pidfd, char **cause);

#endif
