/*
 * notify.c: send sd_notify(3)-style datagrams to $NOTIFY_SOCKET (a path,
 * or an abstract name starting with '@'). A failure to send (no socket
 * there, nobody listening) does not stop the tree, as with sd_notify, but
 * it is said: once, and again only after a send has worked in between,
 * so a missing socket is one line and not one per state change. A value
 * that cannot name a socket is said once at start.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un	notify_sa;
static socklen_t		notify_len;
static int			notify_fd = -1;
static int			notify_failing;	/* said, not worked since */
static char			notify_name[sizeof notify_sa.sun_path];

void
notify_init(void)
{
	const char	*path = getenv("NOTIFY_SOCKET");
	size_t		 n;

	if (path == NULL || *path == '\0')
		return;
	n = strlen(path);
	if (path[0] != '/' && path[0] != '@') {
		log_warnx("NOTIFY_SOCKET '%.200s': not an absolute path or "
		    "an @abstract name: ignored", path);
		return;
	}
	if (n >= sizeof notify_sa.sun_path) {
		log_warnx("NOTIFY_SOCKET '%.200s': too long (%zu bytes; the "
		    "limit is %zu): ignored", path, n,
		    sizeof notify_sa.sun_path - 1);
		return;
	}
	memset(&notify_sa, 0, sizeof notify_sa);
	notify_sa.sun_family = AF_UNIX;
	memcpy(notify_sa.sun_path, path, n);
	memcpy(notify_name, path, n + 1);
	if (path[0] == '@')
		notify_sa.sun_path[0] = '\0';
	notify_len = offsetof(struct sockaddr_un, sun_path) + n;
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd == -1)
		log_warn("NOTIFY_SOCKET %s: socket", path);
}

int
notify_active(void)
{
	return (notify_fd != -1);
}

int
notify_send(const char *msg)
{
	ssize_t	n;

	if (notify_fd == -1)
		return (-1);
	n = sendto(notify_fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_sa, notify_len);
	if (n == -1 && !notify_failing) {
		notify_failing = 1;
		log_warn("NOTIFY_SOCKET %s: cannot notify (said once until "
		    "it works again)", notify_name);
	} else if (n != -1)
		notify_failing = 0;
	return ((int)n);
}
