/*
 * value.h: parsers for the value types of the tree spec. Pure: no I/O.
 * Each returns 0 on success, or -1 with *cause set to an allocated message
 * (lower case, no final period, suitable after "key 'x': ").
 */
#ifndef VALUE_H
#define VALUE_H

#include <stdint.h>

int	 value_duration(const char *, int64_t *ms, char **cause);
int	 value_bool(const char *, int *, char **cause);
int	 value_long(const char *, long min, long max, long *, char **cause);
int	 value_signal(const char *, int *sig, char **cause);
const char *value_signame(int sig);	/* "TERM", or NULL if unknown */
int	 value_split(const char *, char ***argv, int *argc, char **cause);
char	*value_quote(const char *);	/* one word, as value_split reads it */
int	 value_env(const char *, char ***env, int *nenv, char **cause);
char	*value_fmt_duration(int64_t ms);	/* "250ms", "5s", "1.5s", ... */
void	 value_free_vec(char **);

#endif
