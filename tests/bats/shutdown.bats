#!/usr/bin/env bats
# shutdown.bats: stopping the tree with SIGTERM and SIGINT, shutdown
# timeouts, brutal_kill, shutdowns at awkward moments, auto_shutdown.

load helpers

# The nodes of the "stopped" lines, in order.
stopped_order() {
	sed -n 's/^[^ ]* supertree: \(.*\): stopped$/\1/p' "$T/err"
}

# Line number of the first event line that contains $1.
line_of() {
	grep -nF -- "$1" "$T/err" | head -n 1 | cut -d: -f1
}

nothing_left() {
	[ -z "$(marked_pids)" ]
}

four_spec() {
	write_spec four.ini <<EOF
[supertree]
name = four

[a]
command = sleep 1000

[b]
command = sh -c 'sleep 1000 & sleep 1000'

[sub]

[sub/x]
command = sleep 1000

[sub/y]
command = sleep 1000

[c]
command = sleep 1000
EOF
}

@test "shutdown: SIGTERM stops the workers in reverse start order and exits 0" {
	start_tree "$(four_spec)"
	wait_for node_state_is c running
	stop_tree
	assert_equal "$TREE_STATUS" 0
	run stopped_order
	assert_output "c
sub/y
sub/x
sub
b
a
four"
	err_has "four: shutting down (SIGTERM)"
	wait_for -t 5 nothing_left
}

@test "shutdown: SIGINT works like SIGTERM" {
	start_tree "$(four_spec)"
	wait_for node_state_is c running
	kill -INT "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "four: shutting down (SIGINT)"
	run stopped_order
	assert_output "c
sub/y
sub/x
sub
b
a
four"
	wait_for -t 5 nothing_left
}

@test "shutdown: a worker that ignores SIGTERM is killed after its shutdown time" {
	spec=$(write_spec deaf.ini <<EOF
[supertree]
name = deaf

[first]
command = sleep 1000

[w]
command = sh -c 'trap "" TERM; touch $T/w.up; while :; do sleep 1; done'
shutdown = 1s
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	wait_for test -e "$T/w.up"
	stop_tree
	assert_equal "$TREE_STATUS" 0
	err_has "w: stopping (SIGTERM)"
	err_has "w: still running after 1s, sending SIGKILL"
	err_has "w: killed by SIGKILL"
	# first is stopped only once w is down.
	[ "$(line_of "w: stopped")" -lt "$(line_of "first: stopping")" ]
	wait_for -t 5 nothing_left
}

@test "shutdown: a worker is stopped only once its whole group is gone" {
	# The leader dies on SIGTERM; its child ignores it.
	cat >"$T/w.sh" <<EOF
(trap '' TERM; touch $T/child.up; exec sleep 1000) &
echo \$! >$T/child
sleep 1000
EOF
	spec=$(write_spec group.ini <<EOF
[supertree]
name = group

[w]
command = sh $T/w.sh
shutdown = 1s
EOF
)
	start_tree "$spec"
	wait_for test -s "$T/child"
	wait_for test -e "$T/child.up"
	child=$(cat "$T/child")
	alive "$child"
	stop_tree
	assert_equal "$TREE_STATUS" 0
	not_alive "$child"
	err_has "w: still running after 1s, sending SIGKILL"
	# Not counted as stopped when the leader ended, only after the kill.
	[ "$(line_of "w: stopped")" -gt \
	    "$(line_of "w: still running after 1s")" ]
	wait_for -t 5 nothing_left
}

@test "shutdown: brutal_kill stops a worker with SIGKILL at once" {
	cat >"$T/w.sh" <<EOF
trap 'echo term >$T/term; exit 0' TERM
touch $T/w.up
while :; do sleep 1; done
EOF
	spec=$(write_spec brutal.ini <<EOF
[supertree]
name = brutal

[w]
command = sh $T/w.sh
shutdown = brutal_kill
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	wait_for test -e "$T/w.up"
	stop_tree
	assert_equal "$TREE_STATUS" 0
	err_has "w: stopping (SIGKILL)"
	err_has "w: killed by SIGKILL"
	[ ! -e "$T/term" ]
	wait_for -t 5 nothing_left
}

@test "shutdown: a second SIGINT kills everything at once" {
	spec=$(write_spec twice.ini <<EOF
[supertree]
name = twice

[sub]

[sub/deaf]
command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 1; done'
shutdown = 60s

[w]
command = sh -c 'trap "" TERM; touch $T/w.up; while :; do sleep 1; done'
shutdown = 60s
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	wait_for node_state_is sub/deaf running
	wait_for test -e "$T/w.up"
	wait_for test -e "$T/deaf.up"
	deaf=$(node_pid sub/deaf)
	kill -INT "$TREE_PID"
	wait_for err_has "w: stopping (SIGTERM)"
	kill -INT "$TREE_PID"
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	# As a shell reports a command killed by SIGINT.
	assert_equal "$TREE_STATUS" 130
	err_has "second interrupt: killing everything"
	wait_for -t 5 not_alive "$deaf"
	wait_for -t 5 nothing_left
}

@test "shutdown: a shutdown while a worker is in backoff completes promptly" {
	spec=$(write_spec backoff.ini <<EOF
[supertree]
name = backoff

[w]
command = sh -c 'exit 1'
backoff_min = 60s
EOF
)
	start_tree "$spec"
	wait_for node_state_is w backoff
	kill -TERM "$TREE_PID"
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	wait_for -t 5 nothing_left
}

@test "shutdown: a shutdown while a worker is still starting completes promptly" {
	# ready = notify and it never tells: it stays "starting" (and the
	# child after it waits).
	spec=$(write_spec starting.ini <<EOF
[supertree]
name = starting

[w]
command = sleep 1000
ready = notify
start_timeout = 60s

[after]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is w starting
	assert_equal "$(node_field after state)" stopped
	kill -TERM "$TREE_PID"
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	wait_for -t 5 nothing_left
}

# The process has exec'd supertree (it is no longer the shell's fork).
is_supertree() {
	[ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$SUPERTREE")" ]
}

@test "shutdown: SIGTERM right after start leaves nothing behind" {
	spec=$(four_spec)
	for i in 1 2 3 4 5; do
		ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$spec" \
		    >"$T/out" 2>"$T/err" &
		TREE_PID=$!
		# Until bash's child has become supertree, a signal can fall
		# into bash's own handler and be lost (bats traps it).
		wait_for is_supertree "$TREE_PID"
		# A different moment each round: none, then 20 to 80ms.
		[ "$i" -gt 1 ] && sleep "0.0$((i * 2 - 2))"
		kill -TERM "$TREE_PID"
		wait_for -t 15 not_alive "$TREE_PID"
		wait_tree
		# Killed before its handlers were set, or a clean stop.
		[ "$TREE_STATUS" = 0 ] || [ "$TREE_STATUS" = 143 ]
		wait_for -t 5 nothing_left
	done
}

@test "auto_shutdown: any_significant ends the root when a significant child exits 0" {
	spec=$(write_spec any.ini <<EOF
[supertree]
name = any
auto_shutdown = any_significant

[a]
command = sleep 1000

[job]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.1; done; exit 0'
restart = transient
significant = true

[c]
command = sh -c 'sleep 1000 & sleep 1000'
EOF
)
	start_tree "$spec"
	wait_for node_state_is c running
	touch "$T/go"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "any: auto_shutdown: significant child job ended"
	wait_for -t 5 nothing_left
}

@test "auto_shutdown: all_significant waits for every significant child" {
	spec=$(write_spec all.ini <<EOF
[supertree]
name = all
auto_shutdown = all_significant

[a]
command = sleep 1000

[one]
command = sh -c 'exit 0'
restart = transient
significant = true

[two]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.1; done; exit 0'
restart = transient
significant = true
EOF
)
	start_tree "$spec"
	wait_for node_state_is one exited
	assert_equal "$(node_field two state)" running
	run err_has "auto_shutdown"
	assert_failure
	alive "$TREE_PID"
	touch "$T/go"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "all: auto_shutdown: all significant children ended"
	wait_for -t 5 nothing_left
}

@test "auto_shutdown: a transient mid supervisor ends alone; the tree runs on" {
	spec=$(write_spec mid.ini <<EOF
[supertree]
name = top

[keep]
command = sleep 1000

[mid]
restart = transient
auto_shutdown = any_significant

[mid/x]
command = sleep 1000

[mid/job]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.1; done; exit 0'
restart = transient
significant = true
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/job running
	keep=$(node_pid keep)
	x=$(node_pid mid/x)
	touch "$T/go"
	wait_for node_state_is mid exited
	err_has "mid: auto_shutdown: significant child mid/job ended"
	wait_for not_alive "$x"
	assert_equal "$(node_pid keep)" "$keep"
	assert_equal "$(node_field mid restarts)" 0
	alive "$TREE_PID"
}

@test "shutdown: a supervisor stopped by hand shows its children stopped" {
	spec=$(write_spec byhand.ini <<EOF
[supertree]
name = byhand

[keep]
command = sleep 1000

[mid]

[mid/x]
command = sleep 1000

[mid/y]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/y running
	x=$(node_pid mid/x)
	st stop mid
	wait_for not_alive "$x"
	assert_equal "$(node_field mid state)" stopped
	# The last reports of mid reach the top: nothing is left "stopping"
	# with a dead pid.
	wait_for -t 5 node_state_is mid/x stopped
	wait_for -t 5 node_state_is mid/y stopped
	assert_equal "$(node_field mid/x pid)" null
	assert_equal "$(node_field mid/y pid)" null
}

@test "shutdown: stop_signal is the signal that stops a worker" {
	cat >"$T/w.sh" <<EOF
trap 'echo INT >$T/sig; exit 0' INT
trap 'echo TERM >$T/sig; exit 0' TERM
touch $T/w.up
while :; do sleep 1 & wait; done
EOF
	spec=$(write_spec stopsig.ini <<EOF
[supertree]
name = stopsig

[w]
command = sh $T/w.sh
stop_signal = INT
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	wait_for test -e "$T/w.up"
	stop_tree
	assert_equal "$TREE_STATUS" 0
	err_has "w: stopping (SIGINT)"
	run cat "$T/sig"
	assert_output INT
}

@test "shutdown: a supervisor's shutdown time bounds the stop of its subtree" {
	spec=$(write_spec bound.ini <<EOF
[supertree]
name = bound

[mid]
shutdown = 1s

[mid/deaf]
command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 1; done'
shutdown = 60s

[mid/x]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/x running
	wait_for test -e "$T/deaf.up"
	deaf=$(node_pid mid/deaf)
	kill -TERM "$TREE_PID"
	# Far less than deaf's own 60s.
	wait_for -t 15 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "mid: still running after 1s, sending SIGKILL"
	wait_for -t 5 not_alive "$deaf"
	wait_for -t 5 nothing_left
}

@test "shutdown: SIGHUP does not stop the tree" {
	start_tree "$(four_spec)"
	wait_for node_state_is c running
	c=$(node_pid c)
	kill -HUP "$TREE_PID"
	# The tree still answers and nothing was restarted.
	st status --quiet
	alive "$TREE_PID"
	assert_equal "$(node_pid c)" "$c"
	run err_has "shutting down"
	assert_failure
}

@test "shutdown: a node waiting to restart shows stopped once the shutdown begins" {
	# one_for_all: a crashes; while deaf takes its time to stop, the
	# tree is told to stop: a will never restart, so it is not "backoff".
	spec=$(write_spec waiting.ini <<EOF
[supertree]
name = waiting
strategy = one_for_all

[a]
command = sleep 1000

[deaf]
command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 1; done'
shutdown = 4s

[c]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is c running
	wait_for test -e "$T/deaf.up"
	kill -KILL "$(node_pid a)"
	wait_for err_has "deaf: stopping (SIGTERM)"
	kill -TERM "$TREE_PID"
	wait_for err_has "waiting: shutting down (SIGTERM)"
	wait_for -t 3 node_state_is a stopped
	assert_equal "$(node_field a next_restart)" null
	# Seen while deaf still holds the shutdown up, not after.
	assert_equal "$(node_field deaf state)" stopping
}

@test "shutdown: a shutdown while a supervisor waits to restart completes promptly" {
	spec=$(write_spec svbackoff.ini <<EOF
[supertree]
name = svbackoff

[keep]
command = sleep 1000

[mid]
backoff_min = 60s

[mid/x]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/x running
	kill -KILL "$(node_pid mid)"
	wait_for node_state_is mid backoff
	kill -TERM "$TREE_PID"
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	wait_for -t 5 nothing_left
}

@test "shutdown: a shutdown while a crashed worker's group drains completes" {
	# The leader crashed; its child ignores SIGTERM and is being drained.
	cat >"$T/w.sh" <<EOF
(trap '' TERM; touch $T/child.up; exec sleep 1000) &
echo \$! >$T/child
while [ ! -e $T/go ]; do sleep 0.1; done
exit 1
EOF
	spec=$(write_spec drain.ini <<EOF
[supertree]
name = drain

[w]
command = sh $T/w.sh
shutdown = 2s
EOF
)
	start_tree "$spec"
	wait_for test -s "$T/child"
	wait_for test -e "$T/child.up"
	child=$(cat "$T/child")
	touch "$T/go"
	wait_for err_has "w: exited code 1"
	kill -TERM "$TREE_PID"
	wait_for -t 15 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	not_alive "$child"
	run err_has "w: restarting"
	assert_failure
	wait_for -t 5 nothing_left
}

@test "shutdown: a worker whose group was stopped with SIGSTOP is stopped at once" {
	spec=$(write_spec sigstop.ini <<EOF
[supertree]
name = sigstop

[w]
command = sleep 1000
shutdown = 30s

[x]
command = sh -c 'sleep 1000 & wait'
shutdown = 30s
EOF
)
	start_tree "$spec"
	wait_for node_state_is x running
	kill -STOP "$(node_pid w)"
	kill -STOP -- "-$(node_pid x)"
	kill -TERM "$TREE_PID"
	# SIGTERM is followed by SIGCONT: no waiting for the 30s.
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	run err_has "still running after"
	assert_failure
	wait_for -t 5 nothing_left
}

@test "shutdown: a worker killed while it is being stopped is not restarted" {
	cat >"$T/w.sh" <<EOF
trap '' TERM
touch $T/w.up
while :; do sleep 1; done
EOF
	spec=$(write_spec killed.ini <<EOF
[supertree]
name = killed

[w]
command = sh $T/w.sh
shutdown = 60s
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	wait_for test -e "$T/w.up"
	w=$(node_pid w)
	kill -TERM "$TREE_PID"
	wait_for err_has "w: stopping (SIGTERM)"
	kill -KILL -- "-$w"
	wait_for -t 10 not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "w: killed by SIGKILL"
	err_has "w: stopped"
	run err_has "w: restarting"
	assert_failure
	run grep -c "w: started" "$T/err"
	assert_output 1
}
