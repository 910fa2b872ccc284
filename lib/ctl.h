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

/*
 * Why ctl_dial or ctl_listen failed. The commands (cmd/) map these to
 * exit statuses; the library only says what went wrong.
 */
enum ctl_err {
	CTL_ENOTREE = 1,	/* no tree answers on the socket */
	CTL_ESOCKET,		/* the socket or its directory is unusable or
				   not to be trusted */
	CTL_ETIMEOUT,		/* the tree did not accept in time */
	CTL_ERUNNING		/* a tree already answers on that socket */
};

char		*ctl_socket_dir(void);
char		*ctl_socket_path(const char *opt, const char *spec_socket,
		     const char *name);
int		 ctl_check_dir(const char *path, char **cause);
int		 ctl_trust_dir(const char *dir, char **cause);
int		 ctl_connect(const char *path, char **cause);
int		 ctl_dial(const char *path, int64_t timeout_ms, enum ctl_err *,
		     char **cause);

struct ctl	*ctl_listen(struct event_base *, const char *path,
		     ctl_request_cb, void *arg, enum ctl_err *,
		     char **cause);
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
