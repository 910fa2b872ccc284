#!/usr/bin/env bats
# ready.bats: readiness protocols (exec, fd:N, notify, tcp:PORT, exec:CMD),
# start_timeout, ordered start (a child starts only after the one before it
# is ready), supervisor readiness and `status --quiet`.
#
# Workers that must not become ready too early wait for a gate file
# ($T/go, created by the test), so "not ready yet" is checked without any
# timing assumption.

bats_require_minimum_version 1.5.0
load helpers

# A root that tolerates the restarts some tests provoke.
root() {
	printf '[supertree]\nname = rd-%s\nintensity = 100\nperiod = 60s\n\n' \
	    "$BATS_TEST_NUMBER"
}

# A shell loop (for sh -c) that waits for the gate file.
gate() {
	echo "while [ ! -f $T/go ]; do sleep 0.05; done"
}

open_gate() {
	touch "$T/go"
}

# field_is PATH FIELD VALUE: a node's status --json field has that value.
field_is() {
	[ "$(node_field "$1" "$2")" = "$3" ]
}

# error_has PATH TEXT: the node's error (status --json) contains TEXT.
error_has() {
	node_field "$1" error | grep -qF -- "$2"
}

# lines_ge FILE N: FILE has at least N lines.
lines_ge() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# At least $1 "ignored a notification" events about w.
ignored_ge() {
	[ "$(grep -c "w: ignored a notification from pid" "$T/err")" -ge "$1" ]
}

# The worker's pid changed from $2, and it is starting again.
pid_changed_starting() {
	local p
	p=$(node_pid "$1")
	[ "$p" != null ] && [ "$p" != "$2" ] && node_state_is "$1" starting
}

is_ready() {
	[ "$(node_field "$1" ready)" = true ]
}

# notify_script NAME: $T/NAME.py sends its arguments, one datagram each, to
# $NOTIFY_SOCKET (an abstract address when it starts with @); an argument
# "gate" waits for $T/go, "sleep" sleeps for ever, "touch:F" creates $T/F.
notify_script() {
	cat >"$T/$1.py" <<-EOF
	import os, socket, sys, time
	addr = os.environ["NOTIFY_SOCKET"]
	if addr.startswith("@"):
	    addr = "\0" + addr[1:]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	for a in sys.argv[1:]:
	    if a == "gate":
	        while not os.path.exists("$T/go"):
	            time.sleep(0.05)
	    elif a == "sleep":
	        while True:
	            time.sleep(1000)
	    elif a.startswith("touch:"):
	        open("$T/" + a[6:], "w").close()
	    else:
	        s.sendto(a.encode(), addr)
	EOF
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ------------------------------------------------------------------ exec

@test "ready: exec (the default) is running and ready as soon as it runs" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w running
	assert_equal "$(node_field w ready)" true
	assert_equal "$(node_field supertree ready)" true
}

# ------------------------------------------------------------------ fd:N

@test "ready: fd:3 is starting until the worker writes a newline, then ready" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	assert_equal "$(node_field w ready)" false
	[ "$(node_pid w)" -gt 0 ]
	run st status --quiet
	assert_failure 3
	open_gate
	wait_for node_state_is w ready
	assert_equal "$(node_field w ready)" true
	err_has "w: ready"
	run st status --quiet
	assert_success
}

@test "ready: fd:3 after 0.5s of work" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'sleep 0.5; echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for is_ready w
	assert_equal "$(node_field w state)" ready
	assert_equal "$(node_field w restarts)" 0
	alive "$(node_pid w)"
	err_has "w: ready"
}

@test "ready: text without a newline on fd:3 is not readiness" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'printf almost >&3; touch $T/wrote; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for test -f "$T/wrote"
	wait_for node_state_is w starting
	# The supervisor has had every chance to read it: a later status still
	# says starting.
	run st wait --for ready --timeout 1s w
	assert_failure 5
	assert_equal "$(node_field w state)" starting
	assert_equal "$(node_field w ready)" false
}

@test "ready: wait --for ready returns once an fd:3 worker is ready" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" wait --for ready --timeout 30s w >"$T/wait.out" 2>&1 &
	wpid=$!
	# It is still waiting: the worker cannot be ready before the gate.
	wait_for node_state_is w starting
	alive "$wpid"
	open_gate
	rc=0
	wait "$wpid" || rc=$?
	assert_equal "$rc" 0
	assert_equal "$(node_field w ready)" true
}

@test "ready: wait --for ready --timeout ends with status 5 when it never comes" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	run st wait --for ready --timeout 500ms w
	assert_failure 5
	assert_output --partial "timed out after"
	assert_output --partial "w is starting"
}

@test "ready: wait --for ready fails at once when the worker fails for good" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1s
	max_restarts = 0
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	run st wait --for ready --timeout 20s w
	assert_failure 1
	assert_output --partial "w failed"
	assert_equal "$(node_field w state)" failed
}

# ---------------------------------------------------------------- notify

@test "ready: notify: READY=1 makes the worker ready; STATUS= shows in status" {
	notify_script n
	spec=$( { root; cat <<-EOF
	[w]
	command = python3 $T/n.py "STATUS=warming up" gate READY=1 STATUS=serving sleep
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for field_is w status_text "warming up"
	assert_equal "$(node_field w state)" starting
	assert_equal "$(node_field w ready)" false
	open_gate
	wait_for node_state_is w ready
	wait_for field_is w status_text serving
	run st status
	assert_success
	assert_line --regexp '^`-- w +ready +pid [0-9]+.*status: serving'
}

@test "ready: notify: several lines in one datagram" {
	cat >"$T/n2.py" <<-EOF
	import os, socket, time
	addr = os.environ["NOTIFY_SOCKET"]
	addr = "\0" + addr[1:] if addr.startswith("@") else addr
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.sendto(b"STATUS=both lines\nREADY=1\n", addr)
	while True:
	    time.sleep(1000)
	EOF
	spec=$( { root; cat <<-EOF
	[w]
	command = python3 $T/n2.py
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
	assert_equal "$(node_field w status_text)" "both lines"
}

@test "ready: notify: a notification from outside the worker's process group is ignored" {
	notify_script n
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'setsid python3 $T/n.py READY=1 STATUS=forged touch:sent sleep & exec sleep 1000'
	ready = notify
	EOF
	} | write_spec t.ini)
	# The sender stays alive (a sender that is gone can no longer be
	# placed in a group, and is judged by its uid alone).
	start_tree "$spec"
	wait_for test -f "$T/sent"
	wait_for ignored_ge 2
	assert_equal "$(node_field w state)" starting
	assert_equal "$(node_field w ready)" false
	assert_equal "$(node_field w status_text)" null
}

@test "ready: notify: a helper in the worker's process group may notify" {
	notify_script n
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'python3 $T/n.py STATUS=helper READY=1 sleep & exec sleep 1000'
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
	assert_equal "$(node_field w status_text)" helper
}

@test "ready: notify: READY=1 from a helper that exited before it was read counts" {
	# The systemd-notify pattern: a short-lived helper of the worker's
	# script sends READY=1 and exits. The root supervisor (which reads the
	# worker's notify socket) is held stopped until the helper is gone,
	# so the datagram is read only after its sender was reaped.
	notify_script n
	cat >"$T/w.sh" <<-EOF
	$(gate)
	python3 $T/n.py READY=1
	touch $T/done
	exec sleep 1000
	EOF
	spec=$( { root; cat <<-EOF
	[w]
	command = sh $T/w.sh
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	svpid=$(node_pid supertree)
	kill -STOP "$svpid"
	open_gate
	wait_for test -f "$T/done"
	kill -CONT "$svpid"
	wait_for -t 10 node_state_is w ready
}

# ------------------------------------------------------------------- tcp

@test "ready: tcp:PORT is ready once the port accepts connections" {
	port=$(free_port)
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c '$(gate); exec python3 -m http.server
	    --bind 127.0.0.1 --directory $T $port'
	ready = tcp:$port
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	open_gate
	wait_for node_state_is w ready
	# Really listening.
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 5).close()"
}

@test "ready: tcp:HOST:PORT with an explicit host" {
	port=$(free_port)
	spec=$( { root; cat <<-EOF
	[w]
	command = python3 -m http.server --bind 127.0.0.1 --directory $T $port
	ready = tcp:127.0.0.1:$port
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
}

# ---------------------------------------------------------------- exec:CMD

@test "ready: exec:CMD probe is ready once the probe exits 0" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = exec:test -f $T/flag
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	pid=$(node_pid w)
	touch "$T/flag"
	wait_for node_state_is w ready
	# The same process: the probe does not restart it.
	assert_equal "$(node_pid w)" "$pid"
	assert_equal "$(node_field w restarts)" 0
	err_has "w: ready"
}

@test "ready: exec:CMD probe runs in the worker's directory" {
	mkdir "$T/d"
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	directory = $T/d
	ready = exec:test -f flag
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	touch "$T/d/flag"
	wait_for node_state_is w ready
}

@test "ready: exec:CMD probe runs with the worker's environment" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	environment = FLAGNAME=flag2
	ready = exec:sh -c 'test -f $T/\$FLAGNAME'
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	touch "$T/flag2"
	wait_for node_state_is w ready
}

@test "ready: exec:CMD probe that cannot be run says so in status" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = exec:$T/no-such-probe
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	wait_for -t 10 error_has w "ready probe"
	assert_equal "$(node_field w state)" starting
}

# ---------------------------------------------------------- start_timeout

@test "ready: a worker not ready within start_timeout is a failed start, restarted" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	pid=$(node_pid w)
	wait_for err_has "w: not ready within 1s"
	wait_for node_restarts_ge w 1
	wait_for not_alive "$pid"
	err_has "w: restarting in"
	wait_for pid_changed_starting w "$pid"
	wait_for node_restarts_ge w 2
	run st status --quiet
	assert_failure 3
}

@test "ready: a probe that never succeeds is a failed start, like any other" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = exec:false
	start_timeout = 1s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	pid=$(node_pid w)
	wait_for err_has "w: not ready within 1s"
	wait_for node_restarts_ge w 2
	wait_for not_alive "$pid"
	err_has "w: restarting in"
	run err_has "w: ready"
	assert_failure
}

@test "ready: the start_timeout error shows in status while in backoff" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1s
	backoff_min = 30s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w backoff
	assert_equal "$(node_field w error)" "not ready within 1s"
	assert_equal "$(node_field w ready)" false
	assert_equal "$(node_field w last_exit.signal)" KILL
	run st status
	assert_line --regexp '^`-- w +backoff .*error: not ready within 1s'
}

@test "ready: after a failed start the next run can become ready" {
	# The first run never says it is ready; the second one does.
	cat >"$T/w.sh" <<-EOF
	echo \$\$ >>$T/w.pids
	if [ "\$(wc -l <$T/w.pids)" -ge 2 ]; then echo >&3; fi
	exec sleep 1000
	EOF
	spec=$( { root; cat <<-EOF
	[w]
	command = sh $T/w.sh
	ready = fd:3
	start_timeout = 2s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
	assert_equal "$(node_field w restarts)" 1
	assert_equal "$(node_pid w)" "$(sed -n 2p "$T/w.pids")"
	assert_equal "$(node_field w error)" null
}

@test "ready: a crash makes a ready worker and its supervisor not ready again" {
	notify_script n
	spec=$( { root; cat <<-EOF
	[grp]

	[grp/w]
	command = python3 $T/n.py STATUS=up gate READY=1 sleep
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	open_gate
	wait_for node_state_is grp/w ready
	wait_for is_ready grp
	rm "$T/go"
	pid=$(node_pid grp/w)
	kill -KILL "$pid"
	wait_for pid_changed_starting grp/w "$pid"
	# The new run says STATUS=up, then waits at the gate: not ready.
	wait_for field_is grp/w status_text up
	assert_equal "$(node_field grp/w ready)" false
	assert_equal "$(node_field grp ready)" false
	run st status --quiet
	assert_failure 3
	open_gate
	wait_for node_state_is grp/w ready
	wait_for is_ready grp
	wait_for is_ready supertree
}

@test "ready: start waits for readiness" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	open_gate
	wait_for node_state_is w ready
	run st stop w
	assert_success
	rm "$T/go"
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" start w >"$T/start.out" 2>&1 &
	spid=$!
	wait_for node_state_is w starting
	alive "$spid"
	open_gate
	rc=0
	wait "$spid" || rc=$?
	assert_equal "$rc" 0
	assert_equal "$(node_field w state)" ready
}

@test "ready: start of a worker that is never ready fails with the cause" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1s
	backoff_min = 30s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w backoff
	run st start w
	assert_failure 1
	assert_output --partial "not ready within 1s"
}

@test "ready: start_timeout failures count against max_restarts" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1s
	max_restarts = 1
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for -t 30 node_state_is w failed
	assert_equal "$(node_field w restarts)" 1
	assert_equal "$(node_field w pid)" null
	err_has "w: failed: max_restarts 1 reached"
	run st status --quiet
	assert_failure 3
}

# ---------------------------------------------------------- ordered start

@test "ready: ordered start: B starts only after A is ready" {
	spec=$( { root; cat <<-EOF
	[a]
	command = sh -c 'sleep 1; date +%s%N > $T/a.ready; echo >&3; exec sleep 1000'
	ready = fd:3

	[b]
	command = sh -c 'date +%s%N > $T/b.start; exec sleep 1000'
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is b running
	wait_for test -s "$T/b.start"
	[ "$(cat "$T/b.start")" -ge "$(cat "$T/a.ready")" ]
}

@test "ready: ordered start: nothing after a worker that is not ready starts" {
	spec=$( { root; cat <<-EOF
	[a]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3

	[b]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is a starting
	assert_equal "$(node_field b pid)" null
	assert_equal "$(node_field b state)" stopped
	open_gate
	wait_for node_state_is b running
}

@test "ready: one_for_all restarts in order too, each after the one before is ready" {
	# a is ready 0.3s after each start and logs when; b logs each start.
	spec=$( { root; cat <<-EOF
	[grp]
	strategy = one_for_all

	[grp/a]
	command = sh -c 'sleep 0.3; date +%s%N >> $T/a.ready; echo >&3; exec sleep 1000'
	ready = fd:3

	[grp/b]
	command = sh -c 'date +%s%N >> $T/b.start; exec sleep 1000'
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is grp/b running
	bpid=$(node_pid grp/b)
	# b's crash restarts both: a first, then b once a is ready again.
	kill -KILL "$bpid"
	wait_for pid_changed grp/b "$bpid"
	wait_for lines_ge "$T/b.start" 2
	assert_equal "$(wc -l <"$T/a.ready")" 2
	[ "$(sed -n 2p "$T/b.start")" -ge "$(sed -n 2p "$T/a.ready")" ]
}

@test "ready: fd:N works with another descriptor number" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'echo >&7; exec sleep 1000'
	ready = fd:7
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
}

@test "ready: wait --for ready on a supervisor waits for its whole subtree" {
	spec=$( { root; cat <<-EOF
	[grp]

	[grp/w]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is grp/w starting
	run st wait --for ready --timeout 300ms grp
	assert_failure 5
	open_gate
	run st wait --for ready --timeout 20s grp
	assert_success
	assert_equal "$(node_field grp/w state)" ready
}

@test "ready: a supervisor is ready when all its children are; its next sibling waits" {
	spec=$( { root; cat <<-EOF
	[grp]

	[grp/x]
	command = sleep 1000

	[grp/y]
	command = sh -c '$(gate); date +%s%N > $T/y.ready; echo >&3; exec sleep 1000'
	ready = fd:3

	[after]
	command = sh -c 'date +%s%N > $T/after.start; exec sleep 1000'
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is grp/y starting
	assert_equal "$(node_field grp/x state)" running
	assert_equal "$(node_field grp ready)" false
	assert_equal "$(node_field supertree ready)" false
	assert_equal "$(node_field after pid)" null
	run st status --quiet
	assert_failure 3
	open_gate
	wait_for is_ready grp
	wait_for node_state_is after running
	wait_for test -s "$T/after.start"
	[ "$(cat "$T/after.start")" -ge "$(cat "$T/y.ready")" ]
	wait_for is_ready supertree
	run st status --quiet
	assert_success
}

@test "ready: status --quiet is 0 only when healthy" {
	spec=$( { root; cat <<-EOF
	[ok]
	command = sleep 1000

	[w]
	command = sh -c '$(gate); echo >&3; exec sleep 1000'
	ready = fd:3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	run st status --quiet
	assert_failure 3
	assert_output ""
	open_gate
	wait_for node_state_is w ready
	run st status --quiet
	assert_success
	assert_output ""
	# A worker stopped by hand does not make the tree unhealthy.
	st stop ok
	run st status --quiet
	assert_success
}
