/*
 * sink.h: a line writer that never blocks the event loop: lines go
 * straight to the descriptor while it takes them, wait in a bounded queue
 * while it does not, and are dropped and counted when the queue is full.
 * Also the process's own stdout and stderr, set up the same way.
 */
#ifndef SINK_H
#define SINK_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sink;

#define SINK_QUEUE_MAX		(64 * 1024)	/* per output file */
#define SINK_STDIO_MAX		(1024 * 1024)	/* per stdout, stderr */

struct sink	*sink_new(struct event_base *, int fd, int owned, size_t max);
void		 sink_free(struct sink *);
int		 sink_fd(const struct sink *);
ssize_t		 sink_writev(struct sink *, const struct iovec *, int);
uint64_t	 sink_dropped_total(const struct sink *);

void		 sink_stdio_init(struct event_base *);
void		 sink_stdio_finish(int timeout_ms);
ssize_t		 sink_stdio_writev(int fd, const struct iovec *, int);
ssize_t		 sink_stdio_write(int fd, const void *, size_t);

#endif
