/*
 * sv_int.h: what the parts of the supervisor (sv.c, svspawn.c,
 * svlink.c) share with each other and with nobody else.
 */
#ifndef SV_INT_H
#define SV_INT_H

#include <stddef.h>
#include <stdint.h>

struct peer;
struct sv;
struct sv_child;

/* sv.c */
const char	*sv_node_path(struct sv *, int);
void		 sv_child_replies(struct sv_child *, int, int, const char *);
void		 sv_group_signal(struct sv_child *, int);
void		 sv_send_info(struct sv *);
void		 sv_start_order(struct sv *);

/* svspawn.c */
int		 svspawn_worker(struct sv_child *, char **);
int		 svspawn_supervisor(struct sv_child *, char **);

/* svdep.c */
void		 svdep_init(struct sv *);
void		 svdep_free(struct sv *);
void		 svdep_state(struct sv *, int);
void		 svdep_reload(struct sv *);
void		 svdep_dispatch(struct sv *, const uint8_t *, size_t);
int		 svdep_met(const struct sv_child *);
void		 svdep_text(const struct sv_child *, char *, size_t);
/* svcontain.c */
void		 sv_contain_token(struct sv *);
void		 sv_contain_init(struct sv_child *);
void		 sv_contain_spawned(struct sv_child *);
int		 sv_contain(struct sv_child *, int, int);
void		 sv_contain_wipe(struct sv_child *);
int		 sv_cgroup_worker(struct sv_child *, char **);
int		 sv_cgroup_populated(struct sv_child *);
int		 sv_cgroup_oom(struct sv_child *);
void		 sv_cgroup_kill(struct sv_child *);
void		 sv_cgroup_gone(struct sv_child *);

/* svlink.c */
void		 svlink_dispatch(struct peer *, uint16_t, const uint8_t *, size_t,
		     void *);
void		 svlink_lost(struct peer *, const char *, void *);
void		 svlink_up_dispatch(struct peer *, uint16_t, const uint8_t *, size_t,
		     void *);
void		 svlink_up_lost(struct peer *, const char *, void *);

#endif
