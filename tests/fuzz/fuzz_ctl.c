/*
 * fuzz_ctl.c: libFuzzer target for the control-socket request parser.
 *
 * The input is what a client writes on the control socket. It is cut into
 * frames as peer.c does; the first frame's payload goes through
 * msg_unpack_request(), the decoder ctl.c's ctl_dispatch() uses (u32
 * flags, u16 argc, argc strings, 1 to MSG_REQ_MAXARGS of them, nothing
 * left over).
 *
 * The arguments of an accepted request then go through the pure checks
 * the live commands (cmd/remote.c and the files of its command table)
 * apply to client text: node paths through tree_lookup() on a fixed
 * tree, signal names, durations and numbers through value.c.
 * Nothing may crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "spec.h"
#include "tree.h"
#include "value.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct tree	*tree;

static const char spec[] =
	"[supertree]\nname = fuzz\n"
	"[web]\ncommand = sleep 1000\n"
	"[db]\nstrategy = one_for_all\n"
	"[db/pg]\ncommand = sleep 1000\n"
	"[db/cache]\ncommand = sleep 1000\nrestart = transient\n";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause = NULL;

	(void)argc;
	(void)argv;
	tree = spec_parse("fuzz.ini", spec, sizeof spec - 1, NULL, &cause);
	if (tree == NULL)
		abort();
	return (0);
}

/* What the live commands do with client text, minus the event loop. */
static void
use_args(int argc, char **argv)
{
	char	*cause;
	int64_t	 ms;
	long	 l;
	int	 i, id, sig;

	for (i = 0; i < argc; i++) {
		id = tree_lookup(tree, argv[i]);
		if (id != -1) {
			if (tree_child_toward(tree, 0, id) == -1 && id != 0)
				abort();
			(void)tree_subtree_end(tree, id);
		}
		cause = NULL;
		if (value_signal(argv[i], &sig, &cause) == -1) {
			if (cause == NULL)
				abort();
			free(cause);
		} else if (sig <= 0 || sig >= 65)
			abort();
		cause = NULL;
		if (value_duration(argv[i], &ms, &cause) == -1)
			free(cause);
		else if (ms < 0)
			abort();
		cause = NULL;
		if (value_long(argv[i], 0, 10000000, &l, &cause) == -1)
			free(cause);
		else if (l < 0 || l > 10000000)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_hdr		 h;
	struct msg_request	 rq;
	char			*cause;
	uint8_t			*payload;
	int			 i, rv;

	if (size < MSG_HDRLEN)
		return (0);
	cause = NULL;
	if (msg_unpack_hdr(data, &h, &cause) == -1) {
		free(cause);
		return (0);
	}
	if (size - MSG_HDRLEN < h.len)
		return (0);
	/*
	 * ctl_dispatch refuses any other type before parsing; the type is
	 * ignored here so that every payload reaches the parser.
	 */
	/* Exact-size copy: ASan catches a read one past the payload. */
	payload = malloc(h.len == 0 ? 1 : h.len);
	memcpy(payload, data + MSG_HDRLEN, h.len);
	rv = msg_unpack_request(payload, h.len, &rq);
	free(payload);
	if (rv == -1) {
		if (rq.argv != NULL)
			abort();
		return (0);
	}
	if (rq.argc < 1 || rq.argc > MSG_REQ_MAXARGS ||
	    rq.argv[rq.argc] != NULL)
		abort();
	for (i = 0; i < rq.argc; i++) {
		if (rq.argv[i] == NULL)
			abort();
	}
	use_args(rq.argc, rq.argv);
	msg_request_free(&rq);
	return (0);
}
