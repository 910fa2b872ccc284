/*
 * spec_int.h: what the files of the spec module share (spec.c, spec_line.c,
 * spec_key.c, spec_check.c, spec_build.c). Not for use outside them.
 *
 * spec_parse (spec.c) drives three passes over one struct spec_ctx: read
 * (spec_line.c: lines, sections and raw values), check (spec_check.c, with
 * the key table and setters of spec_key.c: one tree_node per section) and
 * build (spec_build.c: the tree in depth-first order, canonical form and
 * digests). The whole module is pure: no syscalls, no globals.
 */
#ifndef SPEC_INT_H
#define SPEC_INT_H

#include <stddef.h>
#include <stdio.h>

#include "spec.h"
#include "tree.h"

#define SPEC_MAX_NODES	100001	/* 100,000 children and the root */
#define SPEC_MAX_ERRORS	100	/* printed */
#define SPEC_KEEP_ERRORS 1000	/* kept, to sort by line */
#define SPEC_ROOT	"supertree"

#define SPEC_MIN_BUF	16	/* inih's line buffer, at least */
#define SPEC_MAX_PATH	255	/* bytes of a section name */

#define SEC_NONE	(-1)	/* no section header yet */
#define SEC_IGNORE	(-2)	/* a bad header: skip its keys */

enum spec_class { CLS_NONE, CLS_KEY, CLS_CONT, CLS_PIECE };
enum spec_where { KW_CHILD, KW_WORKER, KW_SUPER, KW_ROOT };
enum spec_type { KT_DURATION, KT_BOOL, KT_INT, KT_LIMIT, KT_WORD, KT_FN };

/* Keys in table (and digest) order. */
enum spec_keyid {
	K_COMMAND, K_RESTART, K_MAX_RESTARTS, K_SHUTDOWN, K_SIGNIFICANT,
	K_BACKOFF_MIN, K_BACKOFF_MAX, K_BACKOFF_MULT, K_BACKOFF_RESET,
	K_EXIT_CODES, K_STOP_SIGNAL, K_DIRECTORY, K_ENVIRONMENT, K_USER,
	K_GROUP, K_UMASK, K_OUTPUT, K_LOG_MAX_SIZE, K_LOG_KEEP, K_LOG_LINES,
	K_TIMESTAMPS, K_READY, K_START_TIMEOUT, K_LIMIT_NOFILE, K_LIMIT_NPROC,
	K_LIMIT_CORE, K_LIMIT_MEMLOCK, K_LIMIT_AS, K_LIMIT_CPU, K_LIMIT_FSIZE,
	K_LIMIT_STACK, K_LIMIT_DATA, K_NICE, K_OOM_SCORE_ADJ, K_INSTANCES,
	K_DYNAMIC, K_CONTAIN,
	/* Liveness (spec_live.c). */
	K_HEALTH, K_HEALTH_INTERVAL, K_HEALTH_TIMEOUT, K_HEALTH_FAILURES,
	K_HEALTH_GRACE, K_WATCHDOG, K_WATCHDOG_SIGNAL, K_MAX_MEMORY,
	K_MEMORY_MAX, K_MEMORY_HIGH, K_CPU_WEIGHT, K_CPU_MAX, K_PIDS_MAX,
	K_STRATEGY, K_INTENSITY, K_PERIOD, K_AUTO_SHUTDOWN, K_START,
	K_AFTER, K_ONESHOT, K_NAME, K_SOCKET, K_HTTP, K_CGROUP,
	K_NKEYS
};

struct spec_word {
	const char	*word;
	int		 value;
};

struct spec_key {
	const char		*name;
	enum spec_where		 where;
	enum spec_type		 type;
	size_t			 off;	/* in struct tree_node */
	long			 min;	/* KT_INT, KT_DURATION */
	long			 max;	/* KT_INT */
	const struct spec_word	*words;	/* KT_WORD */
	const char		*hint;	/* KT_WORD */
};

/* A raw value as read: a key's line plus its continuation lines. */
struct spec_val {
	char		*s;		/* NULL: key not set */
	size_t		 len;
	size_t		 size;
	int		 line;
	int		 comment;	/* an inline comment was cut off */
	int		 bsline;	/* its last line ended in a '\\' */
	size_t		 off;		/* its key line in the text: */
	size_t		 end;		/* start, and past its newline */
};

struct spec_sec {
	char		*path;
	int		 line;		/* 0: the implicit root */
	size_t		 off;		/* of its header line in the text */
	int		 bad;		/* no node: see spec_check_all */
	int		 dup;
	int		 bare;		/* a slice's far node: no settings */
	int		 parent;	/* section index, -1 for the root */
	int		 nkids;
	int		 ninst;		/* a pool: its instances (spec_pool.c) */
	int		 pool;		/* an instance: its pool's section */
	int		 instance;	/* an instance: its number, from 1 */
	struct spec_val	 keys[K_NKEYS];
};

struct spec_err {
	int		 line;		/* 0: about the whole file */
	int		 seq;
	char		*msg;
};

/* A line handed to inih in pieces: inih counts each as a line. */
struct spec_split {
	int		 ifirst;	/* inih's number of the first piece */
	int		 npieces;
	int		 line;		/* ours */
};

struct spec_ctx {
	const char	*file;
	const struct spec_ids *ids;	/* NULL: names are not looked up */
	const char	*text;
	size_t		 len;
	size_t		 pos;
	size_t		 linestart;	/* offset of the current line */
	int		 slice;		/* a child supervisor's part */
	int		 self;		/* its own section in the slice */
	int		 lineno;
	int		 ilineno;	/* lines handed to inih */
	enum spec_class	 cls;		/* of inih's current line */
	int		 prev;		/* inih may continue a key */
	int		 comment;	/* the line's value had a comment */
	int		 cursec;	/* section index or SEC_* */
	struct spec_val	*curval;	/* continuations go here */

	/* A line longer than inih's buffer (see spec_line_long). */
	char		*scratch;	/* a copy of it, NUL-terminated */
	size_t		 scratchsize;
	const char	*rest;		/* of its value, not handed over yet */
	size_t		 restlen;
	enum spec_class	 longcls;	/* CLS_KEY or CLS_CONT */
	char		*longname;	/* its key */
	struct spec_val	 longval;	/* the pieces handed back, joined */
	struct spec_split *splits;
	int		 nsplits;

	struct spec_sec	*secs;		/* [0] is the root */
	int		 nsecs;
	int		 toomany;
	struct spec_sec	**sorted;	/* by path, then line */
	struct tree_node *nodes;	/* one per section, same index */
	char		*name;
	char		*socket;
	char		*http;		/* [HOST:]PORT as written, or NULL */
	char		*cgroup;

	struct spec_err	*errs;
	int		 nerrs;
	int		 nlost;
	int		 mute;		/* errors of a pool's later instances */
};

#define OFF(f)	offsetof(struct tree_node, f)

/* spec.c */
#define SPEC_CLIP	68	/* 64 bytes, "..." and the NUL */
const char *spec_clip(char *, const char *);
void	 spec_error(struct spec_ctx *, int, const char *, const char *, ...)
	     __attribute__((format(printf, 4, 5)));

/* spec_line.c */
char	*spec_line_reader(char *, int, void *);
int	 spec_line_handler(void *, const char *, const char *, const char *);
int	 spec_line_number(struct spec_ctx *, int);

/* spec_key.c */
extern const struct spec_key spec_key_table[K_NKEYS];
int	 spec_key_find(const char *);
const char *spec_key_suggest(const char *);
int	 spec_key_set(struct spec_ctx *, struct tree_node *, enum spec_keyid,
	     struct spec_val *, char **);
int	 spec_key_name_ok(const char *);
int	 spec_key_bad(char **, const char *, const char *, const char *);
int	 spec_key_hostport(const char *, char **, int *);
int	 spec_key_size(const char *, int64_t *, char **);

/* spec_live.c: the liveness keys (health, watchdog, max_memory). */
int	 spec_live_set(struct tree_node *, enum spec_keyid, const char *,
	     char **);
struct buf;
void	 spec_live_fmt(struct buf *, const struct tree_node *, enum spec_keyid);

/* spec_check.c */
void	 spec_check_all(struct spec_ctx *);

/* spec_pool.c */
void	 spec_pool_expand(struct spec_ctx *);
void	 spec_pool_instance(struct spec_ctx *, int);

/* spec_build.c */
struct tree *spec_build_tree(struct spec_ctx *);

#endif
