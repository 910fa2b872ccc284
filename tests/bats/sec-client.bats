#!/usr/bin/env bats
# sec-client.bats: the client authenticates the tree before it sends
# anything (the socket's directory, the server's uid), never lets a
# control character it received reach the terminal, never hangs on a
# tree that does not answer, and says why a tree hung up on it.

bats_require_minimum_version 1.5.0
load helpers

EXTRA_PIDS=
SHARED_DIR=

teardown() {
	local p
	for p in $EXTRA_PIDS; do
		kill -CONT "$p" 2>/dev/null || true
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $EXTRA_PIDS; do
		wait_for -t 10 not_alive "$p" || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -z "$TREE_PID" ] || kill -CONT "$TREE_PID" 2>/dev/null || true
	cleanup_tree
	if [ -n "$SHARED_DIR" ]; then
		rm -rf "$SHARED_DIR"
	fi
}

need_nobody() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	PY=$(PATH=/usr/local/bin:/usr/bin:/bin command -v python3) ||
	    skip "no system python3"
}

as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}

# A directory outside the (root-only) test tree, that nobody can reach.
shared_dir() {
	SHARED_DIR=$(mktemp -d /tmp/st-secc.XXXXXX)
	chmod 755 "$SHARED_DIR"
}

# fake_server SOCKET LOG [AS...]: a fake tree on SOCKET (run through AS,
# e.g. as_nobody) that logs how many request bytes each client sent and
# answers with terminal escapes and exit 0, as an impostor would.
fake_server() {
	local sock=$1 log=$2
	shift 2
	cat >"$SHARED_DIR/fake.py" <<-'EOF'
	import os, socket, struct, sys
	path, log = sys.argv[1], sys.argv[2]
	s = socket.socket(socket.AF_UNIX)
	s.bind(path)
	os.chmod(path, 0o666)
	s.listen(8)
	def frame(t, p):
	    return struct.pack(">IHBB", len(p), t, 1, 0) + p
	while True:
	    c, _ = s.accept()
	    c.settimeout(2)
	    got = b""
	    try:
	        while len(got) < 8 or len(got) < 8 + struct.unpack(">I", got[:4])[0]:
	            d = c.recv(65536)
	            if not d:
	                break
	            got += d
	    except OSError:
	        pass
	    with open(log, "a") as f:
	        f.write("got %d\n" % len(got))
	    try:
	        c.sendall(frame(204, b"") +
	            frame(201, b"fake tree \x1b]0;pwned\x07 all \x1b[2Jhealthy\n") +
	            frame(202, b"err \x1b[31m\x9b\xc2\x9b\n") +
	            frame(203, struct.pack(">i", 0)))
	    except OSError:
	        pass
	    c.close()
	EOF
	: >"$log"
	chmod 666 "$log"
	ST_MARK=$ST_MARK "$@" "$PY" "$SHARED_DIR/fake.py" "$sock" "$log" \
	    3>&- &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for test -S "$sock"
}

no_escape_byte() {
	! printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x9b]'
}

logs_have() {
	st logs web | grep -q "$1"
}

spec() {
	write_spec tree.ini <<-EOF
	[supertree]
	name = secc-$BATS_TEST_NUMBER
	[web]
	command = sleep 1000
	EOF
}

# ------------------------------------------------ authenticating the tree

@test "client: a socket directory owned by another user is refused before sending" {
	need_nobody
	shared_dir
	mkdir "$SHARED_DIR/theirs"
	chown nobody "$SHARED_DIR/theirs"
	chmod 700 "$SHARED_DIR/theirs"
	fake_server "$SHARED_DIR/theirs/tree.sock" "$SHARED_DIR/log" as_nobody
	run --separate-stderr "$SUPERTREE" -S "$SHARED_DIR/theirs/tree.sock" \
	    status
	assert_failure 7
	[ -z "$output" ]
	[[ $stderr == *"refusing to connect"* ]]
	[[ $stderr == *"owned by uid $(id -u nobody)"* ]]
	# Not a byte was sent, not even a connection made.
	[ ! -s "$SHARED_DIR/log" ]
}

@test "client: a socket directory writable by others is refused" {
	need_nobody
	shared_dir
	mkdir "$SHARED_DIR/open"
	chmod 777 "$SHARED_DIR/open"
	fake_server "$SHARED_DIR/open/tree.sock" "$SHARED_DIR/log"
	run --separate-stderr "$SUPERTREE" -S "$SHARED_DIR/open/tree.sock" \
	    stop web
	assert_failure 7
	[[ $stderr == *"writable by others (mode 777)"* ]]
	[ ! -s "$SHARED_DIR/log" ]
}

@test "client: an impostor's per-uid socket directory is refused by status and ls" {
	need_nobody
	# The attacker made the victim's default directory first.
	mkdir "$XDG_RUNTIME_DIR/supertree"
	chown nobody "$XDG_RUNTIME_DIR/supertree"
	run --separate-stderr "$SUPERTREE" status
	assert_failure 7
	[[ $stderr == *"$XDG_RUNTIME_DIR/supertree: owned by uid"* ]]
	run --separate-stderr "$SUPERTREE" ls
	assert_failure 7
	run --separate-stderr "$SUPERTREE" shutdown
	assert_failure 7
}

@test "client: a server of another uid is refused (SO_PEERCRED) before sending" {
	need_nobody
	shared_dir
	# A sticky /tmp-like directory passes; the server's uid does not.
	chmod 1777 "$SHARED_DIR"
	fake_server "$SHARED_DIR/tree.sock" "$SHARED_DIR/log" as_nobody
	run --separate-stderr "$SUPERTREE" -S "$SHARED_DIR/tree.sock" shutdown
	assert_failure 7
	[ -z "$output" ]
	[[ $stderr == *"refusing to talk to it: it is served by uid $(id -u nobody)"* ]]
	# It connected (to read the credentials) and sent nothing.
	wait_for grep -qx "got 0" "$SHARED_DIR/log"
}

# ------------------------------------------------ what reaches the terminal

@test "client: control characters from the server are escaped, stdout and stderr" {
	need_nobody
	shared_dir
	fake_server "$SHARED_DIR/tree.sock" "$SHARED_DIR/log"
	run --separate-stderr "$SUPERTREE" -S "$SHARED_DIR/tree.sock" status
	assert_success
	no_escape_byte "$output"
	no_escape_byte "$stderr"
	assert_output 'fake tree \x1b]0;pwned\x07 all \x1b[2Jhealthy'
	[ "$stderr" = 'err \x1b[31m\x9b\xc2\x9b' ]
}

@test "client: a worker's escapes in logs reach the terminal escaped" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	name = secc-$BATS_TEST_NUMBER
	[web]
	command = sh -c 'printf "a\\033]0;pwned\\007b\\033[2Jc\\n"; exec sleep 1000'
	output = prefix
	EOF
	)"
	wait_for logs_have pwned
	run --separate-stderr st logs web
	assert_success
	no_escape_byte "$output"
	assert_output 'a\x1b]0;pwned\x07b\x1b[2Jc'
}

# ------------------------------------------------ a tree that does not answer

@test "client: --timeout ends a command against a stopped tree with status 5" {
	start_tree "$(spec)"
	kill -STOP "$TREE_PID"
	run --separate-stderr timeout 20 "$SUPERTREE" -S "$SOCK" --timeout 1s \
	    status
	kill -CONT "$TREE_PID"
	assert_failure 5
	[[ $stderr == *"did not answer within 1s"* ]]
	run st status
	assert_success
}

@test "client: by default a client of a stopped tree gives up (10s)" {
	start_tree "$(spec)"
	kill -STOP "$TREE_PID"
	run --separate-stderr timeout 30 "$SUPERTREE" -S "$SOCK" stop web
	kill -CONT "$TREE_PID"
	assert_failure 5
	[[ $stderr == *"did not answer within 10s"* ]]
}

@test "client: --timeout bounds the handshake of a stream too" {
	start_tree "$(spec)"
	kill -STOP "$TREE_PID"
	run --separate-stderr timeout 20 "$SUPERTREE" --timeout=500ms \
	    -S "$SOCK" events
	kill -CONT "$TREE_PID"
	assert_failure 5
	[[ $stderr == *"did not answer within 500ms"* ]]
}

@test "client: --timeout does not cut wait or events once the tree answered" {
	start_tree "$(spec)"
	"$SUPERTREE" -S "$SOCK" --timeout 300ms events >"$T/events" 2>&1 3>&- &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	# wait's own 2s deadline is the clock: the client's 300ms is not.
	run --separate-stderr "$SUPERTREE" -S "$SOCK" --timeout 300ms \
	    wait --for stopped --timeout 2s web
	assert_failure 5
	[[ $stderr == *"wait: timed out after 2s"* ]]
	[[ $stderr != *"did not answer"* ]]
	run st stop web
	assert_success
	wait_for grep -q '"state":"stopped"' "$T/events"
	run ! grep -q 'did not answer' "$T/events"
}

@test "client: a bad --timeout is a usage error" {
	run --separate-stderr "$SUPERTREE" --timeout soon status
	assert_failure 2
	[[ $stderr == *"--timeout: invalid duration"* ]]
}

# ------------------------------------------------ a tree that hangs up

@test "client: a client of another uid gets a message, not SIGPIPE" {
	need_nobody
	shared_dir
	SOCK=$SHARED_DIR/tree.sock
	start_tree "$(spec)"
	chmod 666 "$SOCK"
	# A request larger than the socket buffer: the tree closes the
	# connection while the client is still writing.
	local big i args=()
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		args+=("$big")
	done
	run --separate-stderr as_nobody "$SUPERTREE" -S "$SOCK" status \
	    "${args[@]}"
	[ "$status" -ne 141 ]
	assert_failure 7
	[[ $stderr == *"closed the connection without answering: a tree answers only its own user and root"* ]]
	run st status
	assert_success
}

# ------------------------------------------------ reload FILE

@test "client: reload FILE applies FILE, and the tree follows it from then on" {
	start_tree "$(spec)"
	wait_for node_state_is web running
	mkdir "$T/elsewhere"
	cat >"$T/elsewhere/next.ini" <<-EOF
	[supertree]
	name = secc-$BATS_TEST_NUMBER
	[web]
	command = sleep 1000
	[api]
	command = sleep 1001
	EOF
	# A relative FILE is the client's, not the tree's.
	cd "$T/elsewhere"
	run --separate-stderr st reload next.ini
	assert_success
	assert_output "reloaded secc-$BATS_TEST_NUMBER: 1 added, 0 removed, 0 changed"
	wait_for node_state_is api running
	# The tree now follows next.ini: SIGHUP reads it, not tree.ini.
	printf '[jobs]\ncommand = sleep 1002\n' >>"$T/elsewhere/next.ini"
	kill -HUP "$TREE_PID"
	wait_for node_state_is jobs running
	run node_state_is api running
	assert_success
}

@test "client: reload of a FILE that does not exist is a usage error; the tree runs on" {
	start_tree "$(spec)"
	wait_for node_state_is web running
	run --separate-stderr st reload "$T/nosuch.ini"
	assert_failure 2
	[[ $stderr == *"$T/nosuch.ini: No such file or directory"* ]]
	# Nothing changed, the tree's file included.
	printf '[more]\ncommand = sleep 1003\n' >>"$T/tree.ini"
	run --separate-stderr st reload
	assert_success
	assert_output "reloaded secc-$BATS_TEST_NUMBER: 1 added, 0 removed, 0 changed"
}

@test "client: reload FILE with an invalid FILE changes nothing" {
	start_tree "$(spec)"
	wait_for node_state_is web running
	printf '[supertree]\nname = x\n[bad]\ncommand = sleep 1\nrestart = sometimes\n' >"$T/bad.ini"
	run --separate-stderr st reload "$T/bad.ini"
	assert_failure 2
	[[ $stderr == *"$T/bad.ini:"* ]]
	[[ $stderr == *"the tree runs on unchanged"* ]]
	printf '[more]\ncommand = sleep 1003\n' >>"$T/tree.ini"
	run --separate-stderr st reload
	assert_success
	assert_output "reloaded secc-$BATS_TEST_NUMBER: 1 added, 0 removed, 0 changed"
}

@test "client: reload takes one FILE at most" {
	start_tree "$(spec)"
	run --separate-stderr st reload "$T/tree.ini" "$T/tree.ini"
	assert_failure 2
	[[ $stderr == *"unexpected argument"* ]]
}

@test "client: without -S, reload FILE reloads the one running tree from FILE" {
	unset SUPERTREE_SOCKET
	local spec=$(spec)
	ST_MARK=$ST_MARK "$SUPERTREE" run "$spec" >"$T/out" 2>"$T/err" 3>&- &
	TREE_PID=$!
	wait_for "$SUPERTREE" status --quiet "secc-$BATS_TEST_NUMBER"
	cp "$spec" "$T/two.ini"
	printf '[api]\ncommand = sleep 1001\n' >>"$T/two.ini"
	run --separate-stderr "$SUPERTREE" reload "$T/two.ini"
	assert_success
	assert_output "reloaded secc-$BATS_TEST_NUMBER: 1 added, 0 removed, 0 changed"
	run --separate-stderr "$SUPERTREE" reload "secc-$BATS_TEST_NUMBER" "$T/two.ini"
	assert_success
	assert_output "reloaded secc-$BATS_TEST_NUMBER: 0 added, 0 removed, 0 changed"
}
