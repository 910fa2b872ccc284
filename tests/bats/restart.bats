#!/usr/bin/env bats
# restart.bats: restart types (permanent, transient, temporary),
# exit_codes, max_restarts, and restart backoff.

load helpers




# The durations of the "restarting in" lines of node $1, in order.
restart_delays() {
	sed -n "s/.* supertree: $1: restarting in \([^,]*\),.*/\1/p" "$T/err"
}

delays_count_ge() {
	[ "$(restart_delays "$1" | wc -l)" -ge "$2" ]
}

# spec_one NAME KEY=VALUE...: a tree of one worker $T/NAME.sh, with
# a sibling "other" that just runs, and extra keys for the worker.
spec_one() {
	local name=$1 kv
	shift
	{
		printf '[supertree]\nname = rt\nintensity = 10\nperiod = 30s\n\n'
		printf '[other]\ncommand = sleep 1000\n\n'
		printf '[%s]\ncommand = sh %s/%s.sh\n' "$name" "$T" "$name"
		for kv in "$@"; do
			printf '%s\n' "$kv"
		done
	} >"$T/$name.ini"
	echo "$T/$name.ini"
}

@test "restart: permanent is restarted after exit 0" {
	seq_worker w 'exit 0' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = permanent')"
	wait_for runs_ge w 2
	wait_for node_state_is w running
	assert_equal "$(node_field w restarts)" 1
	assert_equal "$(node_field w pid)" "$(sed -n 2p "$T/w.pids")"
	err_has "w: exited code 0"
	err_has "w: restarting in"
}

@test "restart: permanent is restarted after a crash" {
	seq_worker w 'exec sleep 1000'
	start_tree "$(spec_one w)"
	wait_for node_state_is w running
	pid=$(node_pid w)
	kill -KILL "$pid"
	wait_for pid_changed w "$pid"
	err_has "w: killed by SIGKILL"
	assert_equal "$(node_field w restarts)" 1
	assert_equal "$(node_field w last_exit.signal)" KILL
}

@test "restart: transient is restarted after exit 3" {
	seq_worker w 'exit 3' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = transient')"
	wait_for runs_ge w 2
	wait_for node_state_is w running
	assert_equal "$(node_field w restarts)" 1
	err_has "w: exited code 3"
}

@test "restart: transient is not restarted after exit 0" {
	seq_worker w 'exit 0' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = transient')"
	wait_for node_state_is w exited
	assert_equal "$(node_field w restarts)" 0
	assert_equal "$(node_field w last_exit.code)" 0
	assert_equal "$(runs_of w)" 1
	run err_has "w: restarting"
	assert_failure
	# The rest of the tree runs on.
	assert_equal "$(node_field other state)" running
	alive "$TREE_PID"
}

@test "restart: exit_codes = 0 3 makes exit 3 a normal end" {
	seq_worker w 'exit 3' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = transient' 'exit_codes = 0 3')"
	wait_for node_state_is w exited
	assert_equal "$(node_field w last_exit.code)" 3
	assert_equal "$(node_field w restarts)" 0
	assert_equal "$(runs_of w)" 1
}

@test "restart: exit_codes = 0 3 still restarts a transient after exit 4" {
	seq_worker w 'exit 4' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = transient' 'exit_codes = 0 3')"
	wait_for runs_ge w 2
	wait_for node_state_is w running
	assert_equal "$(node_field w restarts)" 1
}

@test "restart: transient killed by a signal not ours is restarted" {
	seq_worker w 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = transient')"
	wait_for node_state_is w running
	pid=$(node_pid w)
	kill -TERM "$pid"
	wait_for pid_changed w "$pid"
	err_has "w: killed by SIGTERM"
	assert_equal "$(node_field w restarts)" 1
}

@test "restart: temporary is not restarted after a failure" {
	seq_worker w 'exit 1' 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = temporary')"
	wait_for node_state_is w exited
	assert_equal "$(node_field w last_exit.code)" 1
	assert_equal "$(node_field w restarts)" 0
	assert_equal "$(runs_of w)" 1
	run err_has "w: restarting"
	assert_failure
}

@test "restart: temporary is not restarted after a crash" {
	seq_worker w 'exec sleep 1000'
	start_tree "$(spec_one w 'restart = temporary')"
	wait_for node_state_is w running
	kill -KILL "$(node_pid w)"
	wait_for node_state_is w exited
	assert_equal "$(node_field w restarts)" 0
	assert_equal "$(runs_of w)" 1
	assert_equal "$(node_field other state)" running
}

@test "restart: max_restarts = 1 allows exactly one restart, then failed" {
	seq_worker w 'exit 1'
	start_tree "$(spec_one w 'max_restarts = 1' 'backoff_min = 100ms')"
	wait_for node_state_is w failed
	wait_for err_has "w: failed: max_restarts 1 reached"
	assert_equal "$(runs_of w)" 2
	assert_equal "$(node_field w restarts)" 1
	# A failed child is not the supervisor's failure: the tree runs on.
	assert_equal "$(node_field other state)" running
	alive "$TREE_PID"
}

@test "backoff: delays grow by the multiplier (200ms, 400ms, 800ms)" {
	seq_worker w 'exit 1'
	start_tree "$(spec_one w 'backoff_min = 200ms' 'backoff_multiplier = 2' \
	    'backoff_max = 10s')"
	wait_for delays_count_ge w 4
	run restart_delays w
	assert_equal "${lines[0]}" 200ms
	assert_equal "${lines[1]}" 400ms
	assert_equal "${lines[2]}" 800ms
	assert_equal "${lines[3]}" 1.6s
}

@test "backoff: delays stop at backoff_max" {
	seq_worker w 'exit 1'
	start_tree "$(spec_one w 'backoff_min = 100ms' 'backoff_multiplier = 2' \
	    'backoff_max = 300ms')"
	wait_for delays_count_ge w 4
	run restart_delays w
	assert_equal "${lines[0]}" 100ms
	assert_equal "${lines[1]}" 200ms
	assert_equal "${lines[2]}" 300ms
	assert_equal "${lines[3]}" 300ms
}

@test "backoff: the delay starts again after backoff_reset of uptime" {
	# Three quick failures, then a run longer than backoff_reset.
	seq_worker w 'exit 1' 'exit 1' 'exit 1' 'sleep 1.2; exit 1' \
	    'exec sleep 1000'
	start_tree "$(spec_one w 'backoff_min = 100ms' 'backoff_multiplier = 2' \
	    'backoff_reset = 1s')"
	wait_for -t 30 runs_ge w 5
	run restart_delays w
	assert_output "100ms
200ms
400ms
100ms"
}

@test "backoff: backoff_min = 0 restarts at once" {
	seq_worker w 'exit 1' 'exec sleep 1000'
	start_tree "$(spec_one w 'backoff_min = 0')"
	wait_for runs_ge w 2
	wait_for node_state_is w running
	run restart_delays w
	assert_output "0s"
	assert_equal "$(node_field w next_restart)" null
}

@test "restart: a crashed worker's leftover that ignores SIGTERM is killed after shutdown, then it restarts" {
	seq_worker w \
	    "(trap '' TERM; touch $T/child.up; exec sleep 1000) & echo \$! >$T/child; while [ ! -e $T/child.up ]; do sleep 0.05; done; exit 1" \
	    'exec sleep 1000'
	start_tree "$(spec_one w 'shutdown = 1s' 'backoff_min = 10ms')"
	wait_for runs_ge w 2
	wait_for node_state_is w running
	not_alive "$(cat "$T/child")"
	err_has "w: still running after 1s, sending SIGKILL"
	# The restart came only after the kill.
	kill_line=$(grep -nF "w: still running after 1s" "$T/err" | cut -d: -f1)
	restart_line=$(grep -nF "w: restarting in" "$T/err" | cut -d: -f1)
	[ "$kill_line" -lt "$restart_line" ]
}

proc_state_is() {
	[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = "$2" ]
}

@test "restart: a worker stopped by SIGSTOP is not taken for dead" {
	seq_worker w 'exec sleep 1000'
	start_tree "$(spec_one w)"
	wait_for node_state_is w running
	pid=$(node_pid w)
	kill -STOP "$pid"
	wait_for proc_state_is "$pid" T
	st status --quiet
	kill -CONT "$pid"
	assert_equal "$(node_pid w)" "$pid"
	assert_equal "$(node_field w state)" running
	assert_equal "$(node_field w restarts)" 0
	run err_has "w: exited"
	assert_failure
	run err_has "w: killed"
	assert_failure
}

# Descriptors of a process, and its zombie children.
nfds() {
	ls "/proc/$1/fd" | wc -l
}

zombie_children() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		if [ "$(awk '/^State:/ { print $2 }' "/proc/$c/status" 2>/dev/null)" = Z ]; then
			echo "$c"
		fi
	done
}

no_zombie_children() {
	[ -z "$(zombie_children "$1")" ]
}

@test "restart: many restarts leak no descriptors and leave no zombies" {
	seq_worker w 'echo out; echo err >&2; sleep 1000 & exit 1'
	spec=$(write_spec leak.ini <<EOF
[supertree]
name = leak
intensity = infinity

[w]
command = sh $T/w.sh
backoff_min = 5ms
backoff_multiplier = 1
EOF
)
	start_tree "$spec" -q
	root=$(node_pid supertree)
	wait_for node_restarts_ge w 10
	before=$(nfds "$root") top_before=$(nfds "$TREE_PID")
	wait_for node_restarts_ge w 80
	# The running worker holds up to three (its pidfd and two output
	# pipes) and it may be up at one sample and in backoff at the other;
	# a leak of one per restart would show as about seventy.
	[ "$(nfds "$root")" -le $((before + 3)) ]
	[ "$(nfds "$TREE_PID")" -le $((top_before + 1)) ]
	wait_for -t 5 no_zombie_children "$root"
}

@test "restart: max_restarts = 0 never restarts; the first failure is final" {
	seq_worker w 'exit 1' 'exec sleep 1000'
	start_tree "$(spec_one w 'max_restarts = 0')"
	wait_for node_state_is w failed
	err_has "w: failed: max_restarts 0 reached"
	assert_equal "$(runs_of w)" 1
	assert_equal "$(node_field w restarts)" 0
}
