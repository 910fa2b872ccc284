/*
 * nstate.c: names of node states, as shown by status and used by wait.
 * Pure.
 */
#include <string.h>

#include "nstate.h"

static const char *names[NS_NSTATES] = {
	"stopped", "starting", "running", "ready", "backoff", "stopping",
	"exited", "failed", "waiting", "done", "reloading", "unresponsive"
};

const char *
nstate_name(int state)
{
	if (state < 0 || state >= NS_NSTATES)
		return ("unknown");
	return (names[state]);
}

int
nstate_from_name(const char *s)
{
	int	i;

	for (i = 0; i < NS_NSTATES; i++) {
		if (strcmp(names[i], s) == 0)
			return (i);
	}
	return (-1);
}

/* The cause of a node's last restart, for status --json; NULL if none. */
const char *
nstate_cause_name(int cause)
{
	switch (cause) {
	case NSTATE_CAUSE_EXIT:
		return ("exit");
	case NSTATE_CAUSE_STRATEGY:
		return ("strategy");
	}
	return (NULL);
}
