#!/usr/bin/env bats
# socket.bats: the control socket: permissions, one tree per socket, stale
# sockets, foreign owners, and clients that are hostile or just broken.

bats_require_minimum_version 1.5.0
load helpers

EXTRA_PIDS=
SHARED_DIR=

teardown() {
	local p
	for p in $EXTRA_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $EXTRA_PIDS; do
		wait_for -t 10 not_alive "$p" || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup_tree
	if [ -n "$SHARED_DIR" ]; then
		rm -rf "$SHARED_DIR"
	fi
}

sock_spec() {
	write_spec sock.ini <<-EOF
	[supertree]
	name = sock-$BATS_TEST_NUMBER
	[web]
	command = sleep 1000
	EOF
}

# A worker that crashes every 0.2s and is restarted for ever, quickly.
crash_spec() {
	write_spec crash.ini <<-EOF
	[supertree]
	name = crash
	intensity = unlimited
	[web]
	command = sleep 1000
	[crash]
	command = sh -c 'sleep 0.2; exit 1'
	max_restarts = unlimited
	backoff_min = 50ms
	backoff_max = 100ms
	EOF
}

mode_of() {
	stat -c %a "$1"
}

# py SCRIPT [ARGS...]: run a python3 client against $SOCK.
py() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	local script=$1
	shift
	python3 -c "$script" "$SOCK" "$@"
}

# A client that sends bytes, then prints what the tree answers (the frame
# type of every frame, then EOF), waiting at most 15s.
PY_SEND='
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(bytes.fromhex(sys.argv[2]))
if len(sys.argv) > 3 and sys.argv[3] == "shut":
    s.shutdown(socket.SHUT_WR)
s.settimeout(15)
buf = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    print("timeout")
    sys.exit(0)
off = 0
while off + 8 <= len(buf):
    n, t = struct.unpack(">IH", buf[off:off + 6])
    print("frame", t, buf[off + 8:off + 8 + n][2:].decode("utf-8", "replace"))
    off += 8 + n
print("eof")
'

# --------------------------------------------------------- permissions

@test "the socket is mode 0600" {
	start_tree "$(sock_spec)"
	[ -S "$SOCK" ]
	[ "$(mode_of "$SOCK")" = 600 ]
}

@test "the default socket directory is created 0700, the socket 0600" {
	unset SUPERTREE_SOCKET
	[ ! -e "$XDG_RUNTIME_DIR/supertree" ]
	ST_MARK=$ST_MARK "$SUPERTREE" run "$(sock_spec)" >"$T/out" 2>"$T/err" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	local s=$XDG_RUNTIME_DIR/supertree/sock-$BATS_TEST_NUMBER.sock
	wait_for test -S "$s"
	[ "$(mode_of "$XDG_RUNTIME_DIR/supertree")" = 700 ]
	[ "$(mode_of "$s")" = 600 ]
	[ "$(stat -c %u "$XDG_RUNTIME_DIR/supertree")" = "$(id -u)" ]
}

@test "a missing -S directory is created 0700" {
	SOCK=$T/newdir/tree.sock
	start_tree "$(sock_spec)"
	[ "$(mode_of "$T/newdir")" = 700 ]
	[ "$(mode_of "$SOCK")" = 600 ]
}

@test "the socket is gone after the tree stops" {
	start_tree "$(sock_spec)"
	stop_tree
	[ "$TREE_STATUS" -eq 0 ]
	[ ! -e "$SOCK" ]
}

# ------------------------------------------------------ one tree a socket

@test "a second run on the same socket refuses with status 6" {
	start_tree "$(sock_spec)"
	local root
	root=$(node_pid supertree)
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run -S "$SOCK" \
	    "$T/sock.ini"
	assert_failure 6
	[[ $stderr == *"already running"* ]]
	[[ $stderr == *"$SOCK"* ]]
	# The first tree is untouched and still answers.
	run st status
	assert_success
	[ "$(node_pid supertree)" = "$root" ]
	[ -S "$SOCK" ]
}

@test "a second run of the same tree name on the default socket refuses with 6" {
	unset SUPERTREE_SOCKET
	ST_MARK=$ST_MARK "$SUPERTREE" run "$(sock_spec)" >"$T/out" 2>"$T/err" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	local s=$XDG_RUNTIME_DIR/supertree/sock-$BATS_TEST_NUMBER.sock
	wait_for "$SUPERTREE" -S "$s" status --quiet
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run "$T/sock.ini"
	assert_failure 6
	[[ $stderr == *"already running"* ]]
	run "$SUPERTREE" -S "$s" status --quiet
	assert_success
}

@test "a stale socket left by a SIGKILLed tree is replaced by a new run" {
	start_tree "$(sock_spec)"
	local top=$TREE_PID root
	root=$(node_pid supertree)
	kill -KILL "$top" "$root"
	wait_for not_alive "$top"
	wait_for not_alive "$root"
	wait "$top" 2>/dev/null || true
	TREE_PID=
	# The socket file is left behind, and nobody answers on it.
	[ -S "$SOCK" ]
	run st status
	assert_failure 4
	start_tree "$T/sock.ini"
	run st status
	assert_success
	[ "$(node_pid supertree)" != "$root" ]
}

@test "a regular file where the socket should be is refused and left alone" {
	echo precious >"$T/not-a-socket"
	# (timeout: if it wrongly takes the path, the tree would run on.)
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run \
	    -S "$T/not-a-socket" "$(sock_spec)"
	assert_failure 7
	[[ $stderr == *"$T/not-a-socket"* ]]
	[ -f "$T/not-a-socket" ]
	[ "$(cat "$T/not-a-socket")" = precious ]
}

@test "a symlink where the socket should be is refused and left alone" {
	echo precious >"$T/target"
	ln -s "$T/target" "$T/link.sock"
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run \
	    -S "$T/link.sock" "$(sock_spec)"
	assert_failure 7
	[ -L "$T/link.sock" ]
	[ "$(cat "$T/target")" = precious ]
}

# ---------------------------------------------------------- foreign owner

@test "a socket directory owned by another user is refused with status 7" {
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	[ "$(id -u)" = 0 ] || skip "needs root to chown"
	mkdir "$T/other"
	chmod 700 "$T/other"
	chown nobody "$T/other"
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run \
	    -S "$T/other/tree.sock" "$(sock_spec)"
	assert_failure 7
	[[ $stderr == *"$T/other"* ]]
	[[ $stderr == *"owned by"* ]]
	[ ! -e "$T/other/tree.sock" ]
}

@test "a socket directory writable by others is refused with status 7" {
	mkdir "$T/open"
	chmod 777 "$T/open"
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run \
	    -S "$T/open/tree.sock" "$(sock_spec)"
	assert_failure 7
	[[ $stderr == *"$T/open"* ]]
	[[ $stderr == *"writable"* ]]
}

@test "a socket path that is too long is refused with status 7" {
	local long
	long=$T/$(printf 'x%.0s' $(seq 1 120))
	mkdir -p "$long"
	chmod 700 "$long"
	ST_MARK=$ST_MARK run --separate-stderr timeout 10 "$SUPERTREE" run \
	    -S "$long/tree.sock" "$(sock_spec)"
	assert_failure 7
	[[ $stderr == *"too long"* ]]
}

# A directory outside the test tree (whose parents may be 0700) that user
# nobody can traverse.
shared_dir() {
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	[ "$(id -u)" = 0 ] || skip "needs root for setpriv"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	SHARED_DIR=$(mktemp -d /tmp/supertree-bats.XXXXXX)
	chmod 711 "$SHARED_DIR"
	SOCK=$SHARED_DIR/tree.sock
	# nobody must be able to run the binary too.
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$SUPERTREE" --version >/dev/null 2>&1 ||
	    skip "user nobody cannot run $SUPERTREE"
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

@test "a client of another uid gets no answer (socket mode)" {
	shared_dir
	start_tree "$(sock_spec)"
	run --separate-stderr as_nobody "$SUPERTREE" -S "$SOCK" status
	assert_failure
	[ "$status" -ne 3 ]
	[ -z "$output" ]
	run st status
	assert_success
}

@test "a client of another uid is refused by the tree even if the socket is opened up" {
	shared_dir
	start_tree "$(sock_spec)"
	chmod 666 "$SOCK"
	run --separate-stderr as_nobody "$SUPERTREE" -S "$SOCK" status
	assert_failure
	[ "$status" -ne 3 ]
	[ -z "$output" ]
	run --separate-stderr as_nobody "$SUPERTREE" -S "$SOCK" stop web
	assert_failure
	run node_field web state
	assert_output running
	run st status
	assert_success
}

# ---------------------------------------------------------- bad clients

@test "a client that sends garbage gets an error and the tree goes on" {
	start_tree "$(sock_spec)"
	run py "$PY_SEND" "$(printf 'garbage garbage garbage\n' | od -An -tx1 | tr -d ' \n')"
	assert_success
	assert_line --regexp '^frame 255 '
	assert_line eof
	run st status
	assert_success
}

@test "a frame header announcing an oversized payload is refused" {
	start_tree "$(sock_spec)"
	# length 0xffffffff, type MSG_REQUEST (200), version 1, flags 0
	run py "$PY_SEND" ffffffff00c80100
	assert_success
	assert_line --regexp '^frame 255 .*limit'
	assert_line eof
	run st status
	assert_success
}

@test "a frame of the wrong protocol version is refused" {
	start_tree "$(sock_spec)"
	run py "$PY_SEND" 0000000000c80900
	assert_success
	assert_line --regexp '^frame 255 .*version'
	assert_line eof
}

@test "a truncated frame header followed by EOF is dropped" {
	start_tree "$(sock_spec)"
	run py "$PY_SEND" 000000 shut
	assert_success
	assert_line eof
	run st status
	assert_success
}

@test "a frame cut short followed by EOF is dropped" {
	start_tree "$(sock_spec)"
	# Announces 100 bytes, sends 4.
	run py "$PY_SEND" 0000006400c8010000000000 shut
	assert_success
	assert_line eof
	run st status
	assert_success
}

@test "a request with a malformed payload is refused" {
	start_tree "$(sock_spec)"
	# MSG_REQUEST of 8 bytes: flags 0, argc 5, then a string cut short.
	run py "$PY_SEND" 0000000800c8010000000000000500ff
	assert_success
	assert_line --regexp '^frame 255 .*malformed'
	assert_line eof
	run st status
	assert_success
}

@test "a request with argc 0 is refused" {
	start_tree "$(sock_spec)"
	run py "$PY_SEND" 0000000600c80100000000000000
	assert_success
	assert_line --regexp '^frame 255 '
	assert_line eof
}

@test "a second request on one connection is refused" {
	start_tree "$(sock_spec)"
	# "wait --for stopped web" blocks; then a second MSG_REQUEST.
	local req
	req=$(python3 -c '
import struct, sys
args = [b"wait", b"--for", b"stopped", b"web"]
p = struct.pack(">IH", 0, len(args)) + b"".join(struct.pack(">H", len(a)) + a for a in args)
f = struct.pack(">IHBB", len(p), 200, 1, 0) + p
sys.stdout.write((f + f).hex())')
	run py "$PY_SEND" "$req"
	assert_success
	assert_line --regexp '^frame 255 .*unexpected'
	assert_line eof
	run node_field web state
	assert_output running
}

@test "a client that connects and says nothing does not block others" {
	start_tree "$(sock_spec)"
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(60)' "$SOCK" "$T/connected" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for test -e "$T/connected"
	run st status
	assert_success
	run st restart web
	assert_success
}

@test "600 silent clients (more than served at once): status still answers, each is dropped" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_tree "$(sock_spec)"
	python3 -c '
import select, socket, sys, time
socks = []
for i in range(600):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    socks.append(s)
open(sys.argv[2], "w").close()
deadline = time.time() + 40
left = set(socks)
while left and time.time() < deadline:
    r, _, _ = select.select(list(left), [], [], 1)
    for s in r:
        if not s.recv(4096):
            left.discard(s)
print("dropped", 600 - len(left))' "$SOCK" "$T/held" >"$T/py.out" 2>&1 &
	local py=$!
	EXTRA_PIDS="$EXTRA_PIDS $py"
	wait_for test -e "$T/held"
	run st status
	assert_success
	local rc=0
	wait "$py" || rc=$?
	cat "$T/py.out"
	[ "$rc" -eq 0 ]
	grep -qx "dropped 600" "$T/py.out"
	run st status --quiet
	assert_success
}

# ------------------------------------------------------------- many at once

@test "200 clients at once: status answers and a crashing worker keeps restarting" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_tree "$(crash_spec)"
	wait_for node_restarts_ge crash 1
	# 200 connections held open: a third say nothing, a third send
	# garbage, a third send half a header.
	python3 -c '
import socket, sys, time
socks = []
for i in range(200):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    if i % 3 == 1:
        s.sendall(b"garbage" * 10)
    elif i % 3 == 2:
        s.sendall(b"\x00\x00")
    socks.append(s)
open(sys.argv[2], "w").close()
time.sleep(60)' "$SOCK" "$T/held" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for test -e "$T/held"
	local r0
	r0=$(node_field crash restarts)
	run st status --json
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	wait_for node_restarts_ge crash $((r0 + 3))
	run node_field web state
	assert_output running
	run node_field supertree state
	assert_output running
}

# Connections the tree has accepted on $SOCK (server ends carry the path).
accepted_ge() {
	[ "$(awk -v p="$SOCK" '$6 == "03" && $8 == p' /proc/net/unix | wc -l)" -ge "$1" ]
}

@test "shutdown while a shutdown is under way: every client returns 0" {
	# web takes its time to stop: until $T/release exists.
	write_spec slowstop.ini <<-EOF
	[supertree]
	name = slowstop
	[web]
	command = sh -c 'trap "while [ ! -e $T/release ]; do sleep 0.05; done; exit 0" TERM; while :; do sleep 0.1; done'
	shutdown = 60s
	EOF
	start_tree "$T/slowstop.ini"
	wait_for node_state_is web running
	local i pids=() rc bad=0
	st shutdown >"$T/sd1" 2>&1 &
	pids+=($!)
	wait_for node_state_is web stopping
	for i in 2 3; do
		st shutdown >"$T/sd$i" 2>&1 &
		pids+=($!)
	done
	wait_for accepted_ge 3
	touch "$T/release"
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		[ "$rc" -eq 0 ] || bad=$((bad + 1))
	done
	cat "$T"/sd*
	[ "$bad" -eq 0 ]
	wait_tree
	[ "$TREE_STATUS" -eq 0 ]
}

@test "200 concurrent status clients all get an answer" {
	start_tree "$(crash_spec)"
	local i pids=() bad=0 rc
	for i in $(seq 1 200); do
		st status --json >"$T/s$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
			echo "client $((i + 1)) exited $rc: $(head -c 200 "$T/s$((i + 1))")"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
	# Every answer is the whole tree, as valid JSON.
	run jq -s -c 'map(length) | unique' "$T"/s*
	assert_output '[3]'
	run jq -s 'length' "$T"/s*
	assert_output 200
	local r0
	r0=$(node_field crash restarts)
	wait_for node_restarts_ge crash $((r0 + 2))
}
