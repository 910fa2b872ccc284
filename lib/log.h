/*
 * log.h: supertree's own messages on stderr, always as
 * "supertree: <object>: <what>[: strerror]".
 */
#ifndef LOG_H
#define LOG_H

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
