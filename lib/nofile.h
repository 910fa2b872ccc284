/*
 * nofile.h: the descriptor budget of a supervisor (RLIMIT_NOFILE).
 */
#ifndef NOFILE_H
#define NOFILE_H

/* What a supervisor needs besides its children's (sockets, files, ...). */
#define NOFILE_BASE		64

void		 nofile_init(const char *);
struct sv;
void		 nofile_budget(struct sv *);
const char	*nofile_arg(void);
int		 nofile_orig(unsigned long long *, unsigned long long *);

#endif /* NOFILE_H */
