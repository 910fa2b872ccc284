#!/usr/bin/env bats
# privileges.bats: what a worker runs as and with (user drop, groups,
# environment, no shell), and what a client can make the tree do (paths
# and arguments from the control socket are validated; clients of
# another uid are refused). CI runs as root; the tests that need it skip
# otherwise.

bats_require_minimum_version 1.5.0
load helpers

teardown() {
	cleanup_tree
	if [ -n "${PRIVDIR:-}" ]; then
		rm -rf "$PRIVDIR"
	fi
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	getent passwd nobody >/dev/null || skip "no user nobody"
}

# A directory that nobody can write to and that every user can reach
# (the bats temp dir is private to root).
privdir() {
	PRIVDIR=$(mktemp -d /tmp/st-priv.XXXXXX)
	chmod 1777 "$PRIVDIR"
}

# raw_request SOCKET ARG...: send one MSG_REQUEST frame as a client would,
# with each ARG taken through Python's escapes (so "\x00" is a NUL byte);
# prints "exit N" and the text the tree sent back.
raw_request() {
	python3 - "$@" <<-'EOF'
	import socket, struct, sys
	path = sys.argv[1]
	args = [a.encode().decode("unicode_escape").encode("latin1")
	        for a in sys.argv[2:]]
	s = socket.socket(socket.AF_UNIX)
	s.connect(path)
	pl = struct.pack(">IH", 0, len(args))
	pl += b"".join(struct.pack(">H", len(a)) + a for a in args)
	s.sendall(struct.pack(">IHBB", len(pl), 200, 1, 0) + pl)
	buf = b""
	while True:
	    d = s.recv(65536)
	    if not d:
	        break
	    buf += d
	while len(buf) >= 8:
	    n, t, v, f = struct.unpack(">IHBB", buf[:8])
	    p, buf = buf[8:8 + n], buf[8 + n:]
	    if t == 203:
	        print("exit", struct.unpack(">i", p)[0])
	    elif t == 255:
	        print("error", p[2:].decode("utf-8", "replace"))
	    else:
	        sys.stdout.write(p.decode("utf-8", "replace"))
	EOF
}

two_workers_spec() {
	write_spec two.ini <<-EOF
	[supertree]
	name = priv-$BATS_TEST_NUMBER
	[w]
	command = sleep 100000
	[g]
	[g/a]
	command = sleep 100000
	EOF
}

all_running() {
	local n
	n=$(st status --json | jq '[.[] | select(.state != "running")] | length')
	[ "$n" = 0 ]
}

# ---------------------------------------------------------------- user

@test "user = nobody: the worker runs with nobody's uid and gid and no supplementary groups" {
	need_root
	privdir
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	cat >"$PRIVDIR/probe" <<-'EOF'
	#!/bin/sh
	cd "$(dirname "$0")" || exit 1
	grep -E '^(Uid|Gid|Groups):' /proc/self/status >status.new
	id >id.new
	mv status.new status
	mv id.new id
	exec sleep 100000
	EOF
	chmod 755 "$PRIVDIR/probe"
	spec=$(write_spec user.ini <<-EOF
	[supertree]
	name = user
	[w]
	command = $PRIVDIR/probe
	user = nobody
	EOF
	)
	start_tree "$spec"
	wait_for test -s "$PRIVDIR/status"
	run cat "$PRIVDIR/status"
	assert_line --regexp "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid\$"
	assert_line --regexp "^Gid:[[:space:]]+$gid[[:space:]]+$gid[[:space:]]+$gid[[:space:]]+$gid\$"
	assert_line --regexp '^Groups:[[:space:]]*$'
	run cat "$PRIVDIR/id"
	assert_output "uid=$uid($(id -un nobody)) gid=$gid($(id -gn nobody)) groups=$gid($(id -gn nobody))"
	# The process the tree reports is that process, owned by nobody.
	pid=$(node_pid w)
	[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$uid" ]
	# Its supervisor still runs as root.
	[ "$(ps -o uid= -p "$(node_pid supertree)" | tr -d ' ')" = 0 ]
}

@test "user = nobody: the worker cannot signal its supervisor" {
	need_root
	spec=$(write_spec nokill.ini <<-EOF
	[supertree]
	name = nokill
	[w]
	command = sh -c 'kill -KILL \$PPID; echo "kill: \$?"; exec sleep 100000'
	user = nobody
	restart = temporary
	EOF
	)
	start_tree "$spec"
	wait_for grep -q "kill: 1" "$T/out"
	alive "$(node_pid supertree)"
	assert_equal "$(node_field supertree restarts)" 0
}

@test "check: a bad user name is a spec error that names the key" {
	write_spec baduser.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	user = no-such-user-here
	EOF
	run "$SUPERTREE" check "$T/baduser.ini"
	assert_failure 2
	assert_output --partial "baduser.ini:3: [w]: key 'user': unknown user 'no-such-user-here'"
}

@test "check: a bad group name is a spec error that names the key" {
	write_spec badgroup.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	group = no-such-group-here
	EOF
	run "$SUPERTREE" check "$T/badgroup.ini"
	assert_failure 2
	assert_output --partial "key 'group'"
	assert_output --partial "no-such-group-here"
}

@test "check: a uid without a passwd entry needs a group; -1 is not a uid" {
	write_spec uid.ini >/dev/null <<-EOF
	[a]
	command = sleep 1
	user = 4294967295
	[b]
	command = sleep 1
	user = -1
	[c]
	command = sleep 1
	user =
	EOF
	run "$SUPERTREE" check "$T/uid.ini"
	assert_failure 2
	assert_output --partial "uid.ini:3: [a]: key 'user'"
	assert_output --partial "uid.ini:6: [b]: key 'user'"
	assert_output --partial "uid.ini:9: [c]: key 'user'"
}

# ---------------------------------------------------------------- environment

@test "environment: NOTIFY_SOCKET, LISTEN_* and SUPERTREE_* are not passed to workers; environment entries are" {
	spec=$(write_spec env.ini <<-EOF
	[supertree]
	name = env
	[w]
	command = sh -c 'env > $T/env.new; mv $T/env.new $T/env; exec sleep 100000'
	environment = FOO=bar BAZ="two words" EMPTY=
	EOF
	)
	NOTIFY_SOCKET=$T/no-such-notify.sock SUPERTREE_SECRET=s3cret \
	    SUPERTREE_SOCKET=$T/other.sock LISTEN_FDS=3 LISTEN_PID=1 \
	    KEEP_ME=yes start_tree "$spec"
	wait_for test -s "$T/env"
	run cat "$T/env"
	refute_line --partial NOTIFY_SOCKET
	refute_line --partial SUPERTREE_
	refute_line --partial LISTEN_
	assert_line "FOO=bar"
	assert_line "BAZ=two words"
	assert_line "EMPTY="
	# Everything else of supertree's environment is inherited.
	assert_line "KEEP_ME=yes"
	assert_line "ST_MARK=$ST_MARK"
}

# ---------------------------------------------------------------- no shell

@test "commands are not run through a shell: \$HOME, ;, *, \` and | reach the program literally" {
	# The spec is written with printf so that nothing here expands it.
	printf '%s\n' '[supertree]' 'name = noshell' '[w]' \
	    'command = printf %s| $HOME;x * `id` $(id) >out' \
	    "output = file:$T/w.log" 'restart = temporary' >"$T/noshell.ini"
	start_tree "$T/noshell.ini"
	wait_for node_state_is w exited
	run cat "$T/w.log"
	assert_output '$HOME;x|*|`id`|$(id)|>out|'
	[ ! -e out ] && [ ! -e "$T/out.txt" ]
}

# ---------------------------------------------------------------- control socket

@test "control: bad node paths are refused cleanly (status 2) and the tree keeps running" {
	start_tree "$(two_workers_spec)"
	wait_for all_running
	pids=$(st status --json | jq -r '.[].pid' | sort)
	long=$(head -c 5000 /dev/zero | tr -c a a)
	for p in ../etc /etc/passwd '%s%n%s%n' "$long" '' 'g/' './w' 'g//a' \
	    'g/../w' '*' $'w\n' 'w ' '-w'; do
		run --separate-stderr st stop -- "$p"
		assert_failure 2
		[ -n "$stderr" ]
		# A %-sequence is printed, never interpreted.
		[ "$p" != '%s%n%s%n' ] || [[ "$stderr" == *'%s%n%s%n'* ]]
	done
	run --separate-stderr st stop -- "$long"
	[ "${#stderr}" -lt 6000 ]
	# Nothing was stopped, nothing restarted, the tree answers.
	assert_equal "$(st status --json | jq -r '.[].pid' | sort)" "$pids"
	run st status
	assert_success
	alive "$TREE_PID"
}

@test "control: the root cannot be stopped, started or restarted by hand" {
	start_tree "$(two_workers_spec)"
	wait_for all_running
	for cmd in stop start restart; do
		for p in supertree / .; do
			run st "$cmd" "$p"
			assert_failure 2
		done
	done
	run st status
	assert_success
}

@test "control: a bad option does not poison later requests" {
	# getopt's state must not survive from one request to the next.
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_tree "$(two_workers_spec)"
	wait_for all_running
	# Straight to the tree (the client may check options itself).
	run raw_request "$SOCK" status -zq
	assert_output --partial "exit 2"
	run st status
	assert_success
	assert_output --partial "w "
	run raw_request "$SOCK" stop -zn w
	assert_output --partial "exit 2"
	run raw_request "$SOCK" logs -fz w
	assert_output --partial "exit 2"
	run raw_request "$SOCK" wait -zt 1s w
	assert_output --partial "exit 2"
	assert_equal "$(node_field w state)" running
	run st status --json
	assert_success
	run st stop w
	assert_success
	assert_equal "$(node_field w state)" stopped
	# getopt's complaints are the client's business, not the tree's log.
	run ! grep -q "invalid option" "$T/err"
}

@test "control: a NUL inside a request argument is refused" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_tree "$(two_workers_spec)"
	wait_for all_running
	pid=$(node_pid w)
	run raw_request "$SOCK" stop 'w\x00junk'
	refute_output "exit 0"
	assert_equal "$(node_field w state)" running
	assert_equal "$(node_pid w)" "$pid"
}

@test "control: malformed requests get an error and the tree keeps serving" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_tree "$(two_workers_spec)"
	wait_for all_running
	# No argument at all, an unknown command, a huge argument count.
	run raw_request "$SOCK"
	assert_output --partial "error malformed request"
	run raw_request "$SOCK" frobnicate
	assert_output --partial "exit 2"
	python3 - "$SOCK" <<-'EOF'
	import socket, struct, sys
	for pl in (struct.pack(">IH", 0, 65535) + b"\x00\x01a",
	           struct.pack(">IH", 0, 1) + b"\xff\xffabc",
	           b"\x00"):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(sys.argv[1])
	    s.sendall(struct.pack(">IHBB", len(pl), 200, 1, 0) + pl)
	    assert s.recv(65536)[4:6] == b"\x00\xff", "no error frame"
	    s.close()
	# A wrong version and an oversize frame: an error, then a close.
	for hdr in (struct.pack(">IHBB", 0, 200, 9, 0),
	            struct.pack(">IHBB", 0x7fffffff, 200, 1, 0)):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(sys.argv[1])
	    s.sendall(hdr)
	    assert s.recv(65536)[4:6] == b"\x00\xff", "no error frame"
	    s.close()
	EOF
	run st status
	assert_success
	alive "$TREE_PID"
}

@test "control: a client of another uid is refused" {
	need_root
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	command -v python3 >/dev/null || skip "python3 is not installed"
	privdir
	chmod 755 "$PRIVDIR"
	SOCK=$PRIVDIR/tree.sock
	start_tree "$(two_workers_spec)"
	wait_for all_running
	# Open the socket's mode: only the peer-credential check is left.
	chmod 666 "$SOCK"
	py=$(PATH=/usr/local/bin:/usr/bin:/bin command -v python3) ||
	    skip "no system python3"
	run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$py" - "$SOCK" <<-'EOF'
	import socket, struct, sys
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	pl = struct.pack(">IH", 0, 1) + struct.pack(">H", 6) + b"status"
	try:
	    s.sendall(struct.pack(">IHBB", len(pl), 200, 1, 0) + pl)
	    print("answer", len(s.recv(65536)))
	except OSError as e:
	    print("refused", e)
	EOF
	# Connected (the mode allows it), then closed unanswered.
	assert_output --regexp '^(answer 0|refused .*(Broken pipe|Connection reset).*)$'
	run st status
	assert_success
}
