/*
 * cgroup.h: cgroup v2 for a tree, where one is delegated: the tree's
 * directory, a cgroup per worker, its limits, cgroup.kill and
 * cgroup.events. See cgroup.c.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <stddef.h>
#include <stdint.h>

struct tree;
struct tree_node;

int	 cgroup_needed(const struct tree *);
char	*cgroup_base(const char *, char **);
int	 cgroup_check(const struct tree *, const char *, char **);
char	*cgroup_tree_dir(const char *, long);
int	 cgroup_tree_create(const char *, const struct tree *, char **);
void	 cgroup_tree_remove(const char *);
char	*cgroup_worker(const char *, int, const struct tree_node *, char **);
char	*cgroup_supervisor(const char *, int, char **);
void	 cgroup_node_dir(char *, size_t, const char *, int, int);
int	 cgroup_populated(const char *);
int	 cgroup_kill(const char *);
void	 cgroup_remove(const char *);
int	 cgroup_usage(const char *, uint64_t *, uint64_t *);
uint64_t cgroup_oom_kills(const char *);

#endif
