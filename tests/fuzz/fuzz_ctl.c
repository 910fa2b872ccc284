/*
 * fuzz_ctl.c: libFuzzer target for the control-socket request parser.
 *
 * The input is what a client writes on the control socket. It is cut into
 * frames as peer.c does; the first frame is parsed exactly as ctl.c's
 * ctl_dispatch() parses a MSG_REQUEST (u32 flags, u16 argc, argc strings,
 * at most CTL_MAXARGS, nothing left over). ctl_dispatch is static and
 * tied to a live client, so its parsing is mirrored here line for line:
 * keep the two in step until the decoder moves into lib/msg.c, where
 * this target can call it directly.
 *
 * The arguments of an accepted request then go through the pure checks
 * cmd/remote.c applies to client text: node paths through tree_lookup()
 * on a fixed tree, signal names, durations and numbers through value.c.
 * Nothing may crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "spec.h"
#include "tree.h"
#include "value.h"

#define CTL_MAXARGS	256	/* as in ctl.c */

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

/* What remote.c does with client text, minus the event loop. */
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

/* ctl_dispatch()'s parsing: returns argc, or -1 for "malformed request". */
static int
parse_request(const uint8_t *data, size_t len, uint32_t *flags, char **argv)
{
	struct msg_rd	r;
	int		argc, i;

	msg_rd_init(&r, data, len);
	*flags = msg_get_u32(&r);
	argc = msg_get_u16(&r);
	if (argc > CTL_MAXARGS)
		r.err = 1;
	for (i = 0; i < argc && !r.err; i++) {
		argv[i] = msg_get_str(&r);
		if (argv[i] == NULL)
			break;
	}
	if (msg_rd_done(&r) == -1 || argc == 0) {
		while (i-- > 0)
			free(argv[i]);
		return (-1);
	}
	argv[argc] = NULL;
	return (argc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_hdr	 h;
	char		*argv[CTL_MAXARGS + 1], *cause;
	uint8_t		*payload;
	uint32_t	 flags;
	int		 argc, i;

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
	argc = parse_request(payload, h.len, &flags, argv);
	free(payload);
	if (argc == -1)
		return (0);
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL)
			abort();
	}
	use_args(argc, argv);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return (0);
}
