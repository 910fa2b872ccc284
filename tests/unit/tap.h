/*
 * tap.h: a tiny TAP producer for the C unit tests, run by automake's
 * tap-driver.sh. ok(cond, fmt, ...) prints one test point; done_testing()
 * prints the plan and returns the exit status.
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int tap_c = (cond);						\
	printf("%sok %d - ", tap_c ? "" : "not ", ++tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!tap_c) {							\
		tap_failed++;						\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
	}								\
} while (0)

#define is_int(got, want, ...) do {					\
	long long tap_g = (got), tap_w = (want);			\
	ok(tap_g == tap_w, __VA_ARGS__);				\
	if (tap_g != tap_w)						\
		printf("#   got %lld, want %lld\n", tap_g, tap_w);	\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *tap_g = (got), *tap_w = (want);			\
	int tap_e = (tap_g == NULL || tap_w == NULL) ?			\
	    tap_g == tap_w : strcmp(tap_g, tap_w) == 0;			\
	ok(tap_e, __VA_ARGS__);						\
	if (!tap_e)							\
		printf("#   got '%s', want '%s'\n",			\
		    tap_g ? tap_g : "(null)", tap_w ? tap_w : "(null)");\
} while (0)

#define done_testing() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif
