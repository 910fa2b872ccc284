/*
 * proc.h: small process utilities shared by the system and event layers:
 * clocks, pidfd system calls, descriptor flags, the process title, and a
 * pid -> pointer map.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>
#include <signal.h>
#include <stdint.h>

int64_t	 proc_mono_ms(void);
int64_t	 proc_wall_ms(void);
int	 proc_pidfd_open(pid_t);
int	 proc_pidfd_signal(int pidfd, int sig);
int	 proc_set_nonblock(int fd);
void	 proc_title_init(int argc, char **argv);
void	 proc_title_set(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
char	*proc_self_exe(void);
int	 proc_tcp_connect(const char *host, int port, int *done);

/*
 * pid -> pointer map, open addressing; used to tell our own children
 * from orphans reparented to us, in O(1).
 */
struct pidmap {
	pid_t	*keys;
	void	**vals;
	size_t	 cap;	/* power of two */
	size_t	 n;
	size_t	 used;	/* n + tombstones */
};

void	 pidmap_put(struct pidmap *, pid_t, void *);
void	*pidmap_get(const struct pidmap *, pid_t);
void	 pidmap_del(struct pidmap *, pid_t);
void	 pidmap_free(struct pidmap *);

#endif
