#!/usr/bin/env bats
# strategy.bats: one_for_one, one_for_all, rest_for_one; restart
# intensity, giving up and escalation up the tree.

load helpers

nothing_left() {
	[ -z "$(marked_pids)" ]
}

# trapper NAME: a worker script that records in $T/stops when it is
# stopped by SIGTERM ($T/NAME.up tells its trap is set).
trapper() {
	cat >"$T/$1.sh" <<EOF
trap 'echo $1 >>$T/stops; exit 0' TERM
touch $T/$1.up
while :; do sleep 1 & wait \$!; done
EOF
}




# The event lines after the first line that contains $1, as
# "NODE: EVENT" with the timestamp and pids cut off.
events_after() {
	awk -v m="$1" 'f { print } index($0, m) { f = 1 }' "$T/err" |
	    sed -e 's/^[^ ]* supertree: //' -e 's/ pid [0-9]*$//'
}

# Only the stop/start lines of events_after.
plan_after() {
	events_after "$1" | grep -E ': (stopping \(|stopped$|started$)'
}

abc_spec() {
	local strategy=$1
	trapper a
	trapper b
	trapper c
	trapper d
	write_spec "$strategy.ini" <<EOF
[supertree]
name = strat
strategy = $strategy
intensity = 5
period = 30s

[a]
command = sh $T/a.sh

[b]
command = sh $T/b.sh

[c]
command = sh $T/c.sh

[d]
command = sh $T/d.sh
EOF
}

# all_up NAME...: the trappers have set their traps.
all_up() {
	local n
	for n in "$@"; do
		[ -e "$T/$n.up" ] || return 1
	done
}

pids_of() {
	local n
	for n in "$@"; do
		node_pid "$n"
	done
}

@test "strategy: one_for_one restarts only the child that failed" {
	start_tree "$(abc_spec one_for_one)"
	wait_for node_state_is d running
	wait_for all_up a b c d
	a=$(node_pid a) b=$(node_pid b) c=$(node_pid c) d=$(node_pid d)
	kill -KILL "$b"
	wait_for pid_changed b "$b"
	assert_equal "$(pids_of a c d)" "$(printf '%s\n' "$a" "$c" "$d")"
	[ ! -e "$T/stops" ]
}

@test "strategy: one_for_all restarts every child" {
	start_tree "$(abc_spec one_for_all)"
	wait_for node_state_is d running
	wait_for all_up a b c d
	a=$(node_pid a) b=$(node_pid b) c=$(node_pid c) d=$(node_pid d)
	kill -KILL "$b"
	wait_for pid_changed d "$d"
	wait_for pid_changed a "$a"
	wait_for pid_changed b "$b"
	wait_for pid_changed c "$c"
	# Every one of them was restarted once: b by its own end, the
	# others by the strategy (issue 17: restarts tell the truth).
	for n in a b c d; do
		assert_equal "$(node_field $n restarts)" 1
	done
}

@test "strategy: one_for_all stops the others in reverse order, starts all in order" {
	start_tree "$(abc_spec one_for_all)"
	wait_for node_state_is d running
	wait_for all_up a b c d
	d=$(node_pid d)
	kill -KILL "$(node_pid b)"
	wait_for pid_changed d "$d"
	# Stopped from the last to the first, each one down before the next.
	run cat "$T/stops"
	assert_output "d
c
a"
	run plan_after "b: killed by SIGKILL"
	assert_output "d: stopping (SIGTERM)
d: stopped
c: stopping (SIGTERM)
c: stopped
a: stopping (SIGTERM)
a: stopped
a: started
b: started
c: started
d: started"
}

@test "strategy: rest_for_one restarts the failed child and the later ones only" {
	start_tree "$(abc_spec rest_for_one)"
	wait_for node_state_is d running
	wait_for all_up a b c d
	a=$(node_pid a) b=$(node_pid b) c=$(node_pid c) d=$(node_pid d)
	kill -KILL "$b"
	wait_for pid_changed d "$d"
	wait_for pid_changed b "$b"
	wait_for pid_changed c "$c"
	assert_equal "$(node_pid a)" "$a"
	run cat "$T/stops"
	assert_output "d
c"
	run plan_after "b: killed by SIGKILL"
	assert_output "d: stopping (SIGTERM)
d: stopped
c: stopping (SIGTERM)
c: stopped
b: started
c: started
d: started"
}

@test "strategy: rest_for_one with the last child failing touches no other" {
	start_tree "$(abc_spec rest_for_one)"
	wait_for node_state_is d running
	wait_for all_up a b c d
	a=$(node_pid a) b=$(node_pid b) c=$(node_pid c) d=$(node_pid d)
	kill -KILL "$d"
	wait_for pid_changed d "$d"
	assert_equal "$(pids_of a b c)" "$(printf '%s\n' "$a" "$b" "$c")"
	[ ! -e "$T/stops" ]
}

@test "strategy: one_for_all also restarts a sibling supervisor and its workers" {
	spec=$(write_spec nested.ini <<EOF
[supertree]
name = nest
strategy = one_for_all

[w]
command = sleep 1000

[sub]

[sub/x]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is sub/x running
	sub=$(node_pid sub) x=$(node_pid sub/x)
	kill -KILL "$(node_pid w)"
	wait_for pid_changed sub/x "$x"
	wait_for pid_changed sub "$sub"
	not_alive "$x"
}

@test "intensity: more than intensity restarts in period and the supervisor gives up; its parent restarts it" {
	# w crashes three times: mid (intensity 2) gives up on the third.
	seq_worker w 'exit 1' 'exit 1' 'exit 1' 'exec sleep 1000'
	spec=$(write_spec giveup.ini <<EOF
[supertree]
name = top
intensity = 5
period = 30s

[keep]
command = sleep 1000

[mid]
intensity = 2
period = 30s

[mid/w]
command = sh $T/w.sh
backoff_min = 10ms
EOF
)
	start_tree "$spec"
	wait_for node_state_is keep running
	keep=$(node_pid keep)
	wait_for runs_ge w 4
	wait_for node_state_is mid/w running
	err_has "mid: gave up: more than 2 restarts in 30s"
	err_has "mid: exited code 1"
	assert_equal "$(node_field mid restarts)" 1
	assert_equal "$(node_field mid/w restarts)" 0
	# The restart of mid touched nothing else.
	assert_equal "$(node_pid keep)" "$keep"
	alive "$TREE_PID"
}

@test "intensity: restarts are counted over all the children of a supervisor" {
	seq_worker x 'exit 1' 'exec sleep 1000'
	seq_worker y 'exit 1' 'exec sleep 1000'
	spec=$(write_spec shared.ini <<EOF
[supertree]
name = top
intensity = 5
period = 30s

[mid]
intensity = 1
period = 30s

[mid/x]
command = sh $T/x.sh
backoff_min = 500ms

[mid/y]
command = sh $T/y.sh
backoff_min = 500ms
EOF
)
	start_tree "$spec"
	wait_for err_has "mid: gave up: more than 1 restarts in 30s"
	wait_for node_state_is mid/y running
	wait_for node_state_is mid/x running
	assert_equal "$(node_field mid restarts)" 1
}

@test "intensity: escalation over two levels, the root restarts the mid supervisor" {
	# top > a > b > w. w crash-loops: b (intensity 1) gives up twice,
	# so a (intensity 1) gives up, and the root restarts a.
	seq_worker w 'exit 1' 'exit 1' 'exit 1' 'exit 1' 'exec sleep 1000'
	spec=$(write_spec escalate.ini <<EOF
[supertree]
name = top
intensity = 5
period = 30s

[keep]
command = sleep 1000

[a]
intensity = 1
period = 30s

[a/b]
intensity = 1
period = 30s

[a/b/w]
command = sh $T/w.sh
backoff_min = 10ms
EOF
)
	start_tree "$spec"
	wait_for node_state_is keep running
	keep=$(node_pid keep)
	wait_for runs_ge w 5
	wait_for node_state_is a/b/w running
	wait_for node_state_is a running
	err_has "a/b: gave up: more than 1 restarts in 30s"
	err_has "a: gave up: more than 1 restarts in 30s"
	assert_equal "$(node_field a restarts)" 1
	assert_equal "$(node_pid keep)" "$keep"
	alive "$TREE_PID"
}

@test "intensity: a root that gives up ends supertree run with 1 and leaves nothing" {
	seq_worker w 'exit 1'
	spec=$(write_spec rootfail.ini <<EOF
[supertree]
name = top
intensity = 2
period = 30s

[keep]
command = sh -c 'sleep 1000 & sleep 1000'

[sub]

[sub/deep]
command = sh -c 'sleep 1000 & sleep 1000'

[w]
command = sh $T/w.sh
backoff_min = 10ms
EOF
)
	start_tree "$spec"
	wait_tree
	assert_equal "$TREE_STATUS" 1
	grep -F "top: gave up: more than 2 restarts in 30s" "$T/err"
	wait_for -t 5 nothing_left
	[ ! -e "$SOCK" ]
}

@test "intensity: infinity never gives up" {
	seq_worker w 'exit 1'
	spec=$(write_spec inf.ini <<EOF
[supertree]
name = top
intensity = infinity

[w]
command = sh $T/w.sh
backoff_min = 10ms
backoff_multiplier = 1
EOF
)
	start_tree "$spec"
	wait_for node_restarts_ge w 25
	run err_has "gave up"
	assert_failure
	alive "$TREE_PID"
	err_has "w: restarting in 10ms, restart 25"
}

@test "intensity: restarts older than period no longer count" {
	# Each run lasts longer than period: one restart at a time in it.
	seq_worker w 'sleep 0.5; exit 1' 'sleep 0.5; exit 1' 'sleep 0.5; exit 1' \
	    'exec sleep 1000'
	spec=$(write_spec window.ini <<EOF
[supertree]
name = top
intensity = 1
period = 300ms

[w]
command = sh $T/w.sh
backoff_min = 10ms
EOF
)
	start_tree "$spec"
	wait_for runs_ge w 4
	wait_for node_state_is w running
	assert_equal "$(node_field w restarts)" 3
	run err_has "gave up"
	assert_failure
}

@test "strategy: one_for_all stops a running temporary sibling and does not restart it" {
	spec=$(write_spec temp.ini <<EOF
[supertree]
name = strat
strategy = one_for_all

[a]
command = sleep 1000

[tmp]
command = sleep 1000
restart = temporary

[c]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is c running
	a=$(node_pid a) tmp=$(node_pid tmp) c=$(node_pid c)
	kill -KILL "$c"
	wait_for pid_changed c "$c"
	wait_for pid_changed a "$a"
	wait_for not_alive "$tmp"
	assert_equal "$(node_field tmp state)" stopped
	assert_equal "$(node_field tmp pid)" null
	run grep -c "tmp: started" "$T/err"
	assert_output 1
}

@test "strategy: one_for_all starts nothing until a slow sibling has stopped" {
	spec=$(write_spec slow.ini <<EOF
[supertree]
name = strat
strategy = one_for_all

[a]
command = sleep 1000

[deaf]
command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 1; done'
shutdown = 1s

[c]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is c running
	wait_for all_up deaf
	c=$(node_pid c) deaf=$(node_pid deaf)
	kill -KILL "$(node_pid a)"
	wait_for pid_changed c "$c"
	not_alive "$deaf"
	run plan_after "a: killed by SIGKILL"
	assert_output "c: stopping (SIGTERM)
c: stopped
deaf: stopping (SIGTERM)
deaf: stopped
a: started
deaf: started
c: started"
	err_has "deaf: still running after 1s, sending SIGKILL"
}

@test "intensity: a supervisor that gives up stops its children in reverse order first" {
	# w fails only once a and c have set their traps.
	seq_worker w "while [ ! -e $T/a.up ] || [ ! -e $T/c.up ]; do sleep 0.05; done; exit 1"
	trapper a
	trapper c
	spec=$(write_spec giveup-order.ini <<EOF
[supertree]
name = top
intensity = 5
period = 30s

[mid]
intensity = 1
period = 30s
restart = temporary

[mid/a]
command = sh $T/a.sh

[mid/w]
command = sh $T/w.sh
backoff_min = 10ms

[mid/c]
command = sh $T/c.sh
EOF
)
	start_tree "$spec"
	wait_for err_has "mid: gave up"
	wait_for node_state_is mid exited
	run cat "$T/stops"
	assert_output "c
a"
	run plan_after "mid: gave up"
	assert_output "mid/c: stopping (SIGTERM)
mid/c: stopped
mid/a: stopping (SIGTERM)
mid/a: stopped"
	[ "$(node_field mid last_exit.code)" = 1 ]
	for n in mid/a mid/w mid/c; do
		assert_equal "$(node_field $n pid)" null
	done
}

@test "intensity: intensity = 0 gives up at the first restart" {
	seq_worker w 'exit 1' 'exec sleep 1000'
	spec=$(write_spec zero.ini <<EOF
[supertree]
name = top
intensity = 5
period = 30s

[mid]
intensity = 0

[mid/w]
command = sh $T/w.sh
EOF
)
	start_tree "$spec"
	wait_for runs_ge w 2
	wait_for node_state_is mid/w running
	err_has "mid: gave up: more than 0 restarts in 5s"
	assert_equal "$(node_field mid restarts)" 1
	assert_equal "$(node_field mid/w restarts)" 0
}
