/*
 * ctl.h: the control socket of a running tree (server side) and the
 * rules that find a tree's socket (both sides).
 */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct ctl;
struct ctl_client;

typedef void (*ctl_request_cb)(struct ctl_client *, int argc, char **argv,
    uint32_t flags, void *arg);
typedef void (*ctl_gone_cb)(struct ctl_client *, void *data);

/* Exit statuses shared by every subcommand (documented in supertree(1)). */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the command or the tree failed */
#define EXIT_USAGE	2	/* bad usage or an invalid spec */
#define EXIT_UNHEALTHY	3	/* status: some node is not where it should */
#define EXIT_NOTREE	4	/* no tree answers on the socket */
#define EXIT_TIMEOUT	5	/* wait's deadline, or the client's --timeout */
#define EXIT_RUNNING	6	/* run: a tree of that name already runs */
#define EXIT_SOCKET	7	/* the socket or its directory is unusable or
				   not to be trusted */

char		*ctl_socket_dir(void);
char		*ctl_socket_path(const char *opt, const char *spec_socket,
		     const char *name);
int		 ctl_check_dir(const char *path, char **cause);
int		 ctl_trust_dir(const char *dir, char **cause);
int		 ctl_connect(const char *path, char **cause);
int		 ctl_dial(const char *path, int64_t timeout_ms, int *exitcode,
		     char **cause);

struct ctl	*ctl_listen(struct event_base *, const char *path,
		     ctl_request_cb, void *arg, int *exitcode, char **cause);
void		 ctl_close(struct ctl *);
void		 ctl_foreach(struct ctl *, void (*)(struct ctl_client *,
		     void *), void *);

void		 ctl_out(struct ctl_client *, const char *, size_t);
void		 ctl_printf(struct ctl_client *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 ctl_eprintf(struct ctl_client *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 ctl_exit(struct ctl_client *, int status);
void		 ctl_set_data(struct ctl_client *, void *, ctl_gone_cb);
void		*ctl_data(struct ctl_client *);
uint32_t	 ctl_flags(struct ctl_client *);
int		 ctl_closing(struct ctl_client *);
size_t		 ctl_pending(struct ctl_client *);

#endif
