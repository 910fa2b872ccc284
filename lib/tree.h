/*
 * tree.h: the immutable tree a spec describes.
 *
 * Nodes live in one flat array in file order; a node's id is its index and
 * node 0 is always the root ([supertree]). A parent always comes before its
 * children, so walking the array in order visits every node after its
 * parent. Every setting is resolved to its final value by spec_parse();
 * nothing here changes once the tree is built. Pure: no syscalls.
 *
 * A child supervisor holds only a slice of the tree (tree_slice): the
 * root, the chain of its ancestors and its own subtree, parsed from the
 * sections of the spec text that describe them. Its subtree keeps the
 * order it has in the whole tree and the ancestors come first, one per
 * level, so a node's id in the slice is its id in the whole tree minus
 * (id - depth) of the slice's own node (whose index there is 0: each
 * ancestor has one child in a slice). Only that node and its children
 * have their settings (see spec_parse_slice); the nodes further down are
 * bare (digest NULL): their place, path, kind and section are all their
 * supervisor needs to route, wipe and slice.
 */
#ifndef TREE_H
#define TREE_H

#include "cglimit.h"
#include "rlimit.h"
#include <sys/types.h>
#include <stdint.h>

#define TREE_UNLIMITED		(-1)	/* max_restarts, intensity */
#define TREE_SHUTDOWN_INFINITY	(-1)	/* shutdown = infinity */
#define TREE_SHUTDOWN_BRUTAL	(-2)	/* shutdown = brutal_kill */

enum tree_kind {
	TREE_SUPERVISOR,
	TREE_WORKER
};

enum tree_restart {
	TREE_PERMANENT,
	TREE_TRANSIENT,
	TREE_TEMPORARY
};

enum tree_strategy {
	TREE_ONE_FOR_ONE,
	TREE_ONE_FOR_ALL,
	TREE_REST_FOR_ONE
};

enum tree_auto {
	TREE_AUTO_NEVER,
	TREE_AUTO_ANY,
	TREE_AUTO_ALL
};

enum tree_output {
	TREE_OUT_PREFIX,
	TREE_OUT_INHERIT,
	TREE_OUT_NULL,
	TREE_OUT_FILE
};

enum tree_ready {
	TREE_READY_EXEC,
	TREE_READY_FD,
	TREE_READY_NOTIFY,
	TREE_READY_TCP,
	TREE_READY_PROBE
};

/* An after condition (after = PATH[:CONDITION]); see dep.c. */
enum tree_cond {
	TREE_COND_DEFAULT,	/* succeeded for a one-shot, else ready */
	TREE_COND_STARTED,
	TREE_COND_READY,
	TREE_COND_SUCCEEDED
};

struct tree_after {
	char		*path;		/* as written: a full node path */
	enum tree_cond	 cond;
	int		 id;		/* its node; -1: not in this tree (a
					   slice) */
};

/* Liveness checks of a running worker (health = ...). */
enum tree_health {
	TREE_HEALTH_NONE,
	TREE_HEALTH_EXEC,
	TREE_HEALTH_TCP,
	TREE_HEALTH_HTTP
};

#define TREE_NICE_UNSET		100
#define TREE_OOM_UNSET		(-10000)

/*
 * A node's limit_* keys and cgroup limits (memory_max, ...), apart: most
 * nodes set none, and inline they were half of every node's size.
 */
struct tree_limits {
	struct rlimit_val	rlimits[RLIMIT_NKEYS];
	struct cglimit_val	cglimits[CGLIMIT_NKEYS];
};

struct tree_node {
	int		  id;		/* index in tree.nodes */
	int		  parent;	/* -1 for the root */
	int		  index;	/* position among its siblings */
	int		  depth;	/* 0 for the root */
	int		  line;		/* line of the section header */
	size_t		  text_off;	/* its section in the spec text: */
	size_t		  text_len;	/* header to next header; 0 if none */
	char		 *path;		/* "supertree" for the root, else "db/pg" */
	char		 *name;		/* last segment of path */
	enum tree_kind	  kind;
	int		 *children;	/* child ids in start (file) order */
	int		  nchildren;

	/* As a child of its parent (workers and supervisors). */
	enum tree_restart restart;
	long		  max_restarts;	/* TREE_UNLIMITED or >= 0 */
	int64_t		  shutdown_ms;	/* >= 0, or TREE_SHUTDOWN_* */
	int		  significant;
	int64_t		  backoff_min_ms;
	int64_t		  backoff_max_ms;
	double		  backoff_multiplier;
	int64_t		  backoff_reset_ms;
	struct tree_after *after;	/* after = ...: starts once met */
	int		  nafter;
	int		  after_line;	/* line of the after key */

	/* Workers only. */
	char		**argv;		/* NULL-terminated */
	int		  argc;
	int		  argv_line;	/* line of 'command', for messages */
	int		 *exit_codes;	/* normal exits for transient */
	int		  nexit_codes;
	int		  stop_signal;
	char		 *directory;	/* NULL: inherit */
	char		**env;		/* KEY=VALUE, NULL-terminated */
	int		  nenv;
	char		 *user;		/* NULL: unchanged */
	char		 *group;	/* NULL: user's primary group */
	uid_t		  uid;		/* resolved when user != NULL */
	gid_t		  gid;		/* resolved when user or group != NULL */
	char		**user_env;	/* HOME, USER, LOGNAME, SHELL of user */
	int		  umask;	/* -1: inherit */
	struct tree_limits *lim;	/* limit_* and cgroup limit keys;
					   NULL: none (tree_rlimit) */
	int		  nice;		/* TREE_NICE_UNSET: inherit */
	int		  oom_score_adj; /* TREE_OOM_UNSET: inherit */
	int		  contain;	/* hold what leaves the group */
	enum tree_output  output;
	char		 *output_path;	/* for TREE_OUT_FILE */
	int64_t		  log_max_size;	/* bytes; 0: never rotate */
	int		  log_keep;
	int		  log_lines;
	int		  timestamps;
	enum tree_ready	  ready;
	int		  ready_fd;	/* for TREE_READY_FD */
	char		 *ready_host;	/* for TREE_READY_TCP */
	int		  ready_port;
	char		**ready_argv;	/* for TREE_READY_PROBE */
	int64_t		  start_timeout_ms;
	int		  oneshot;	/* runs to completion: done */
	int		  instance;	/* a pool's instance: its number */
	int		  dynamic;	/* added by 'supertree add' */
	enum tree_health  health;	/* liveness (health.c) */
	char		**health_argv;	/* TREE_HEALTH_EXEC */
	char		 *health_host;	/* TREE_HEALTH_TCP, _HTTP */
	int		  health_port;
	char		 *health_path;	/* TREE_HEALTH_HTTP: "/..." */
	int64_t		  health_interval_ms;
	int64_t		  health_timeout_ms;
	int		  health_failures;
	int64_t		  health_grace_ms;
	int64_t		  watchdog_ms;	/* 0: no watchdog */
	int		  watchdog_signal;
	int64_t		  max_memory;	/* bytes; 0: no ceiling */

	/* Supervisors only. */
	enum tree_strategy strategy;
	long		  intensity;	/* TREE_UNLIMITED: never give up */
	int64_t		  period_ms;
	enum tree_auto	  auto_shutdown;
	int		  parallel;	/* start = parallel */
	int		  instances;	/* a pool: its size; else 0 */
	size_t		  inst_off;	/* a pool: its instances line */
	size_t		  inst_len;	/* in the spec text */

	/*
	 * Canonical text of this node's own settings (every key as resolved,
	 * one per line, in a fixed order); reload compares nodes by path and
	 * digest to find what changed.
	 */
	char		 *digest;
};

struct tree {
	char		 *file;		/* as given, for messages */
	char		 *name;		/* tree name */
	char		 *socket;	/* spec's socket key, or NULL */
	char		 *http;		/* spec's http key ([HOST:]PORT), or NULL */
	char		 *cgroup;	/* spec's cgroup key, or NULL */
	struct tree_node *nodes;
	int		  nnodes;
	int		  pathwidth;	/* longest path, for aligned output */
};

int	 tree_lookup(const struct tree *, const char *path);
int	 tree_is_ancestor(const struct tree *, int anc, int id);
int	 tree_child_toward(const struct tree *, int anc, int id);
int	 tree_subtree_end(const struct tree *, int id);
char	*tree_slice(const struct tree *, const char *text, int id,
	    size_t *lenp);
void	 tree_free(struct tree *);
const struct rlimit_val *tree_rlimit(const struct tree_node *, int);
const struct cglimit_val *tree_cglimit(const struct tree_node *, int);
struct tree_limits *tree_limits(struct tree_node *);

#endif
