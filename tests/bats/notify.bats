#!/usr/bin/env bats
# notify.bats: `supertree run` speaks the systemd notification protocol to
# whatever runs it (NOTIFY_SOCKET in its environment): READY=1 once the
# whole tree is ready, STATUS= lines about the tree, STOPPING=1 on
# shutdown. Workers never see that socket; a worker with ready = notify
# gets one of its own.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	common_setup
	LISTENER=
}

teardown() {
	cleanup_tree
	if [ -n "$LISTENER" ]; then
		kill "$LISTENER" 2>/dev/null || true
		wait "$LISTENER" 2>/dev/null || true
	fi
}

# A stand-in for systemd: a unix datagram socket at $T/notify.sock; every
# line of every datagram goes to $T/notify.log as "NANOSECONDS LINE".
start_listener() {
	cat >"$T/listener.py" <<-EOF
	import socket, time
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind("$T/notify.sock")
	with open("$T/notify.log", "a", buffering=1) as f:
	    while True:
	        m = s.recv(65536)
	        now = time.time_ns()
	        for line in m.decode(errors="replace").split("\n"):
	            if line:
	                f.write("%d %s\n" % (now, line))
	EOF
	python3 "$T/listener.py" 3>&- &
	LISTENER=$!
	wait_for test -S "$T/notify.sock"
}

# start_tree with NOTIFY_SOCKET set for supertree run.
start_notified() {
	NOTIFY_SOCKET=$T/notify.sock start_tree "$@"
}

got() {
	grep -q -- " $1\$" "$T/notify.log" 2>/dev/null
}

got_re() {
	grep -qE -- "^[0-9]+ $1\$" "$T/notify.log" 2>/dev/null
}

# The time (ns) of the first line equal to $1.
time_of() {
	awk -v m="$1" '{ t = $1; sub(/^[0-9]+ /, "") } $0 == m { print t; exit }' \
	    "$T/notify.log"
}

count_of() {
	grep -c -- " $1\$" "$T/notify.log" || true
}

# A "2 of 2 workers up" line after a "1 of 2" line.
up_again_after_down() {
	local down up
	down=$(grep -n 'STATUS=1 of 2 workers up' "$T/notify.log" | head -1 | cut -d: -f1)
	up=$(grep -n 'STATUS=2 of 2 workers up' "$T/notify.log" | tail -1 | cut -d: -f1)
	[ -n "$down" ] && [ -n "$up" ] && [ "$up" -gt "$down" ]
}

root() {
	printf '[supertree]\nname = nt-%s\nintensity = 100\nperiod = 60s\n\n' \
	    "$BATS_TEST_NUMBER"
}

@test "notify: READY=1 comes once the whole tree is ready, after a slow worker" {
	start_listener
	spec=$( { root; cat <<-EOF
	[fast]
	command = sleep 1000

	[slow]
	command = sh -c 'sleep 0.5; date +%s%N > $T/slow.ready; echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for got READY=1
	wait_for test -s "$T/slow.ready"
	[ "$(time_of READY=1)" -ge "$(cat "$T/slow.ready")" ]
	assert_equal "$(node_field slow state)" ready
	assert_equal "$(count_of READY=1)" 1
}

@test "notify: no READY=1 while a worker is not ready" {
	start_listener
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000

	[grp]

	[grp/gated]
	command = sh -c 'while [ ! -f $T/go ]; do sleep 0.05; done; echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for node_state_is grp/gated starting
	# The tree has spoken (a STATUS= line about a) but not READY=1.
	wait_for got_re 'STATUS=1 of 2 workers up'
	run got READY=1
	assert_failure
	touch "$T/go"
	wait_for got READY=1
	wait_for got_re 'STATUS=2 of 2 workers up'
}

@test "notify: STATUS= lines describe the tree" {
	start_listener
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000

	[b]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for got READY=1
	wait_for got_re 'STATUS=2 of 2 workers up'
	# A crash shows as fewer workers up.
	pid=$(node_pid b)
	kill -KILL "$pid"
	wait_for pid_changed b "$pid"
	wait_for got_re 'STATUS=1 of 2 workers up.*'
	# Back to 2 of 2 once it runs again; READY=1 is not sent again.
	wait_for up_again_after_down
	assert_equal "$(count_of READY=1)" 1
}

@test "notify: STOPPING=1 on shutdown, after READY=1" {
	start_listener
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for got READY=1
	stop_tree
	assert_equal "$TREE_STATUS" 0
	wait_for got STOPPING=1
	[ "$(time_of STOPPING=1)" -ge "$(time_of READY=1)" ]
	assert_equal "$(count_of STOPPING=1)" 1
}

@test "notify: STOPPING=1 on 'supertree shutdown' too" {
	start_listener
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for got READY=1
	run st shutdown
	assert_success
	wait_tree
	wait_for got STOPPING=1
}

@test "notify: workers do not inherit NOTIFY_SOCKET; a notify worker gets its own" {
	start_listener
	cat >"$T/n.py" <<-EOF
	import os, socket, time
	with open("$T/n.env", "w") as f:
	    for k, v in os.environ.items():
	        f.write("%s=%s\n" % (k, v))
	addr = os.environ["NOTIFY_SOCKET"]
	addr = "\0" + addr[1:] if addr.startswith("@") else addr
	socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", addr)
	while True:
	    time.sleep(1000)
	EOF
	spec=$( { root; cat <<-EOF
	[plain]
	command = sh -c 'env > $T/plain.env; exec sleep 1000'

	[n]
	command = python3 $T/n.py
	ready = notify

	[g]

	[g/deep]
	command = sh -c 'env > $T/deep.env; exec sleep 1000'
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for got READY=1
	wait_for test -s "$T/deep.env"
	# The environment reached the workers (ST_MARK), NOTIFY_SOCKET did not.
	grep -q "^ST_MARK=$ST_MARK\$" "$T/plain.env"
	run grep '^NOTIFY_SOCKET=' "$T/plain.env"
	assert_failure
	run grep '^NOTIFY_SOCKET=' "$T/deep.env"
	assert_failure
	# The notify worker's socket is its own, an abstract one.
	run grep '^NOTIFY_SOCKET=' "$T/n.env"
	assert_success
	assert_equal "${#lines[@]}" 1
	refute_output "NOTIFY_SOCKET=$T/notify.sock"
	assert_output --regexp '^NOTIFY_SOCKET=@'
	assert_equal "$(node_field n state)" ready
	# And what it sent went to its supervisor, not to ours.
	assert_equal "$(count_of READY=1)" 1
}

@test "notify: without NOTIFY_SOCKET nothing is sent and the tree runs" {
	start_listener
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is a running
	stop_tree
	assert_equal "$TREE_STATUS" 0
	[ ! -s "$T/notify.log" ]
}

@test "notify: an abstract NOTIFY_SOCKET (@name) works too" {
	name=supertree-test-$$-$RANDOM
	cat >"$T/alistener.py" <<-EOF
	import socket
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind("\0$name")
	open("$T/bound", "w").close()
	with open("$T/notify.log", "a", buffering=1) as f:
	    while True:
	        for line in s.recv(65536).decode().split("\n"):
	            if line:
	                f.write("0 %s\n" % line)
	EOF
	python3 "$T/alistener.py" 3>&- &
	LISTENER=$!
	wait_for test -f "$T/bound"
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	NOTIFY_SOCKET=@$name start_tree "$spec"
	wait_for got READY=1
}

@test "notify: a readiness probe does not inherit NOTIFY_SOCKET either" {
	start_listener
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = exec:sh -c 'env > $T/probe.env'
	EOF
	} | write_spec t.ini)
	start_notified "$spec"
	wait_for node_state_is w ready
	wait_for got READY=1
	grep -q "^ST_MARK=$ST_MARK\$" "$T/probe.env"
	run grep '^NOTIFY_SOCKET=' "$T/probe.env"
	assert_failure
}

@test "notify: READY=1 comes when a reload makes the tree ready" {
	start_listener
	spec() {
		root
		printf '[a]\ncommand = sleep 1000\n\n'
		printf '[w]\ncommand = sleep 1000\nready = exec:test -f %s/%s\n' "$T" "$1"
	}
	spec never | write_spec t.ini >/dev/null
	start_notified "$T/t.ini"
	wait_for node_state_is w starting
	wait_for got_re 'STATUS=1 of 2 workers up'
	touch "$T/flag"
	spec flag | write_spec t.ini >/dev/null
	run st reload
	assert_success
	wait_for got READY=1
	wait_for got_re 'STATUS=2 of 2 workers up'
	assert_equal "$(count_of READY=1)" 1
}
