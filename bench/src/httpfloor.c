/*
 * httpfloor.c: the floor of an HTTP answer, the least a server can do to
 * send the same bytes: its bodies are read into memory once, and each
 * request, one per connection as a scraper sends it, is accept, read
 * until the blank line, one write of the headers and the body (looping
 * only on short writes), close. No event loop, no rendering.
 *
 *   httpfloor PORTFILE PATH FILE [PATH FILE ...]
 *
 * Listens on 127.0.0.1 on a port of the kernel's choice, written to
 * PORTFILE once it listens. GET PATH answers 200 with FILE's bytes,
 * anything else 404. Runs until killed.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct page {
	const char	*path;
	char		*body;
	size_t		 len;
	char		 head[160];
	size_t		 hlen;
};

static void
load(struct page *p, const char *path, const char *file)
{
	struct stat	sb;
	ssize_t		n;
	size_t		off = 0;
	int		fd;

	if ((fd = open(file, O_RDONLY)) == -1 || fstat(fd, &sb) == -1) {
		perror(file);
		exit(1);
	}
	p->path = path;
	p->len = sb.st_size;
	if ((p->body = malloc(p->len + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	while (off < p->len && (n = read(fd, p->body + off, p->len - off)) > 0)
		off += n;
	close(fd);
	p->hlen = snprintf(p->head, sizeof p->head, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", p->len);
}

/* Write all of iov (headers and body), as the kernel takes it. */
static void
send_all(int fd, struct iovec *iov, int n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= w;
		}
	}
}

static void
serve(int fd, struct page *pages, int npages)
{
	static const char	 nf[] = "HTTP/1.1 404 Not Found\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct iovec		 iov[2];
	char			 req[8192], *sp;
	size_t			 len = 0;
	ssize_t			 n;
	int			 i;

	while (len < sizeof req - 1) {
		if ((n = read(fd, req + len, sizeof req - 1 - len)) <= 0)
			return;
		len += n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	if (strncmp(req, "GET ", 4) == 0 && (sp = strchr(req + 4, ' ')) != NULL) {
		*sp = '\0';
		for (i = 0; i < npages; i++) {
			if (strcmp(req + 4, pages[i].path) != 0)
				continue;
			iov[0].iov_base = pages[i].head;
			iov[0].iov_len = pages[i].hlen;
			iov[1].iov_base = pages[i].body;
			iov[1].iov_len = pages[i].len;
			send_all(fd, iov, 2);
			return;
		}
	}
	iov[0].iov_base = (void *)nf;
	iov[0].iov_len = sizeof nf - 1;
	send_all(fd, iov, 1);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	struct page		*pages;
	FILE			*fp;
	char			 tmp[4096];
	int			 lfd, fd, i, npages;

	if (argc < 4 || argc % 2 != 0) {
		fprintf(stderr, "usage: httpfloor PORTFILE PATH FILE ...\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	npages = (argc - 2) / 2;
	if ((pages = calloc(npages, sizeof *pages)) == NULL)
		return (1);
	for (i = 0; i < npages; i++)
		load(&pages[i], argv[2 + 2 * i], argv[3 + 2 * i]);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1) {
		perror("listen");
		return (1);
	}
	/* Whole or not at all: the driver reads it as soon as it exists. */
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	if ((fp = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		return (1);
	}
	fprintf(fp, "%d\n", ntohs(sin.sin_port));
	if (fclose(fp) == EOF || rename(tmp, argv[1]) == -1) {
		perror(argv[1]);
		return (1);
	}
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		serve(fd, pages, npages);
		close(fd);
	}
}
