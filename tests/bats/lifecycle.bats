#!/usr/bin/env bats
# lifecycle.bats: what status and wait say about a node's life: restart
# counts and their cause, the last exit after a supervisor is killed, and
# a node that has not started yet.

load helpers

root() {
	printf '[supertree]\nname = lc-%s\nintensity = 100\nperiod = 60s\n\n' \
	    "$BATS_TEST_NUMBER"
}

# a, b, c under a supervisor with the given strategy.
abc() {
	root
	printf '[grp]\nstrategy = %s\n\n' "$1"
	printf '[grp/a]\ncommand = sleep 1001\n\n'
	printf '[grp/b]\ncommand = sleep 1002\nbackoff_min = 10ms\n\n'
	printf '[grp/c]\ncommand = sleep 1003\n'
}

all_running() {
	local n
	for n in "$@"; do
		node_state_is "$n" running || return 1
	done
}

@test "lifecycle: one_for_all counts a restart on every sibling it restarts" {
	start_tree "$(abc one_for_all | write_spec t.ini)"
	wait_for all_running grp/a grp/b grp/c
	a=$(node_pid grp/a) c=$(node_pid grp/c)
	kill -KILL "$(node_pid grp/b)"
	wait_for pid_changed grp/a "$a"
	wait_for pid_changed grp/c "$c"
	wait_for all_running grp/a grp/b grp/c
	for n in grp/a grp/b grp/c; do
		assert_equal "$(node_field $n restarts)" 1
	done
}

@test "lifecycle: rest_for_one counts the later siblings, not the earlier" {
	start_tree "$(abc rest_for_one | write_spec t.ini)"
	wait_for all_running grp/a grp/b grp/c
	a=$(node_pid grp/a) c=$(node_pid grp/c)
	kill -KILL "$(node_pid grp/b)"
	wait_for pid_changed grp/c "$c"
	wait_for all_running grp/a grp/b grp/c
	assert_equal "$(node_pid grp/a)" "$a"
	assert_equal "$(node_field grp/a restarts)" 0
	assert_equal "$(node_field grp/b restarts)" 1
	assert_equal "$(node_field grp/c restarts)" 1
}

@test "lifecycle: status --json gives the cause of the last restart" {
	start_tree "$(abc one_for_all | write_spec t.ini)"
	wait_for all_running grp/a grp/b grp/c
	assert_equal "$(node_field grp/b restart_cause)" null
	c=$(node_pid grp/c)
	kill -KILL "$(node_pid grp/b)"
	wait_for pid_changed grp/c "$c"
	wait_for all_running grp/a grp/b grp/c
	assert_equal "$(node_field grp/b restart_cause)" exit
	assert_equal "$(node_field grp/a restart_cause)" strategy
	assert_equal "$(node_field grp/c restart_cause)" strategy
}

# mid/x exits 0 once (so its last exit is code 0), then runs.
killed_mid_spec() {
	seq_worker x 'exit 0' 'exec sleep 1000'
	root
	printf '[mid]\nbackoff_min = 60s\n\n'
	printf '[mid/x]\ncommand = sh %s/x.sh\nbackoff_min = 10ms\n\n' "$T"
	printf '[mid/y]\ncommand = sleep 1000\n'
}

@test "lifecycle: after SIGKILL of a supervisor its workers show killed, not a stale exit" {
	start_tree "$(killed_mid_spec | write_spec t.ini)"
	wait_for runs_ge x 2
	wait_for node_state_is mid/x running
	assert_equal "$(node_field mid/x last_exit.code)" 0
	kill -KILL "$(node_pid mid)"
	wait_for node_state_is mid backoff
	wait_for node_state_is mid/x stopped
	assert_equal "$(node_field mid/x last_exit.signal)" KILL
	assert_equal "$(node_field mid/x last_exit.code)" null
	assert_equal "$(node_field mid/y last_exit.signal)" KILL
}

@test "lifecycle: an event says the workers were killed with their supervisor" {
	start_tree "$(killed_mid_spec | write_spec t.ini)"
	wait_for runs_ge x 2
	wait_for node_state_is mid/y running
	kill -KILL "$(node_pid mid)"
	wait_for err_has "mid/x: killed by SIGKILL with its supervisor mid"
	wait_for err_has "mid/y: killed by SIGKILL with its supervisor mid"
}

# a never becomes ready (it waits for fd 3), so b never starts.
held_spec() {
	root
	printf '[a]\ncommand = sleep 1000\nready = fd:3\nstart_timeout = 1h\n\n'
	printf '[b]\ncommand = sleep 1001\n'
}

@test "lifecycle: wait --for stopped right after run waits for a node not started yet" {
	start_tree "$(held_spec | write_spec t.ini)"
	run --separate-stderr st wait --for stopped --timeout 1s b
	assert_equal "$status" 5
	[[ $stderr == *"b is not started yet"* ]]
	assert_equal "$(node_field b state)" stopped
}

@test "lifecycle: a node not started yet counts as stopped once stopped by hand" {
	start_tree "$(held_spec | write_spec t.ini)"
	run st stop b
	assert_success
	run st wait --for stopped --timeout 10s b
	assert_success
}

@test "lifecycle: a node not started yet counts as stopped below a supervisor stopped by hand" {
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	ready = fd:3
	start_timeout = 1h

	[mid]

	[mid/x]
	command = sleep 1001
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	run st wait --for stopped --timeout 1s mid/x
	assert_equal "$status" 5
	run st stop mid
	assert_success
	run st wait --for stopped --timeout 10s mid/x
	assert_success
}

@test "lifecycle: wait --for stopped still succeeds at once for a node that ran and stopped" {
	start_tree "$(held_spec | write_spec t.ini)"
	wait_for node_state_is a starting
	run st stop a
	assert_success
	run st wait --for stopped --timeout 5s a
	assert_success
}
