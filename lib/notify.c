/*
 * notify.c: send sd_notify(3)-style datagrams to $NOTIFY_SOCKET (a path,
 * or an abstract name starting with '@'). Failures are ignored, as
 * sd_notify does: the supervisor above us may not care.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

static struct sockaddr_un	notify_sa;
static socklen_t		notify_len;
static int			notify_fd = -1;

void
notify_init(struct sv *sv)
{
	const char	*path = getenv("NOTIFY_SOCKET");
	size_t		 n;

	(void)sv;
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof notify_sa.sun_path)
		return;
	memset(&notify_sa, 0, sizeof notify_sa);
	notify_sa.sun_family = AF_UNIX;
	memcpy(notify_sa.sun_path, path, n);
	if (path[0] == '@')
		notify_sa.sun_path[0] = '\0';
	notify_len = offsetof(struct sockaddr_un, sun_path) + n;
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

int
notify_active(void)
{
	return (notify_fd != -1);
}

int
notify_send(const char *msg)
{
	if (notify_fd == -1)
		return (-1);
	return ((int)sendto(notify_fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_sa, notify_len));
}
