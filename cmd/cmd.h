/*
 * cmd.h: the supertree program's subcommands. Each has a small file here;
 * the commands that act on a running tree run inside that tree, from the
 * table in remote.c (status.c, control.c, wait.c, logs.c, reload.c,
 * pool.c), and the client (client.c) only carries their output, as tmux
 * does. The exit statuses are chosen here, in cmd/, alone.
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

struct ctl_client;
struct tree;

/*
 * The program's exit statuses, shared by every subcommand and documented
 * in supertree(1) (EXIT STATUS). Only cmd/ exits: the library returns
 * errors (enum ctl_err, enum sv_end) and the commands map them here.
 */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the command or the tree failed */
#define EXIT_USAGE	2	/* bad usage or an invalid spec */
#define EXIT_UNHEALTHY	3	/* status: some node is not where it should */
#define EXIT_NOTREE	4	/* no tree answers on the socket */
#define EXIT_TIMEOUT	5	/* wait's deadline, or the client's --timeout */
#define EXIT_RUNNING	6	/* run: a tree of that name already runs */
#define EXIT_SOCKET	7	/* the socket or its directory is unusable or
				   not to be trusted */
#define EXIT_INTERRUPTED 130	/* run: a second SIGINT killed everything */

int	cmd_ctl_status(enum ctl_err);

struct cmd_entry {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*summary;
};

extern const struct cmd_entry	cmd_table[];
extern const char		*cmd_socket;	/* global -S */
extern int64_t			 cmd_timeout_ms; /* global --timeout; 0: none */

/* How long a client waits for a tree to answer, by default. */
#define CMD_TIMEOUT_MS	10000

const struct cmd_entry	*cmd_find(const char *);
int	cmd_usage(const char *name, int status);
void	cmd_option_error(const char *name, int ch, char **argv);

int	cmd_check(int, char **);
int	cmd_run(int, char **);
int	cmd_wrap(int, char **);
int	cmd_remote(int, char **);
int	cmd_ls(int, char **);
int	cmd_help(int, char **);
int	cmd_version(int, char **);

/* check.c */
struct tree	*check_load(const char *, char **, size_t *);
int		 render_flags(int);

/*
 * run.c: become the top process of a tree, which takes text (the spec,
 * allocated and NUL-terminated); returns the exit status.
 */
int	run_tree(struct tree *, char *text, size_t len,
	    const char *sockopt, int quiet, int wrap);

/* remote.c: the server side of the remote commands. */
struct sv;
void	remote_init(struct sv *, int wrap);
void	remote_request(struct ctl_client *, int, char **, uint32_t, void *);
struct pending;
struct pending	*remote_cmd_new(struct ctl_client *);
uint32_t	 remote_cmd_reqid(struct pending *);
void		 remote_cmd_send(struct pending *, int, int);
void		 remote_cmd_sent(struct pending *, int);
void		 remote_cmd_added(struct pending *, const char *);
struct sv	*remote_top(void);
int		 remote_apply(struct ctl_client *, const char *, size_t, int,
		     char **);

/* wrap.c: the status wrap exits with, once its tree is down. */
int	wrap_status(void);

/* pool.c: scale, add and remove, run inside the tree. */
void	pool_request(struct ctl_client *, int, char **);
void	pool_add_failed(struct ctl_client *, const char *);
int	pool_file_ok(const struct tree *, char **);
int	pool_rebase(struct tree **, char **, size_t *, char **);
int	sv_child_main(int, char **);

#endif
