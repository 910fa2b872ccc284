#!/usr/bin/env bats
# wrap.bats: `supertree wrap -- CMD`: one command under supervision,
# exiting with the command's final status.

load helpers

bats_require_minimum_version 1.5.0

nothing_left() {
	[ -z "$(marked_pids)" ]
}

# wrap ARGS...: run supertree wrap in the foreground (with a deadline).
wrap() {
	timeout -k 5 60 env ST_MARK="$ST_MARK" "$SUPERTREE" wrap -S "$SOCK" "$@"
}

runs_of() {
	if [ -f "$T/runs" ]; then
		wc -l <"$T/runs"
	else
		echo 0
	fi
}

@test "wrap: a command that keeps failing exits with its status after max-restarts" {
	run --separate-stderr wrap --restart on-failure --max-restarts 2 \
	    -- sh -c "echo run >>$T/runs; exit 3"
	assert_equal "$status" 3
	assert_equal "$(runs_of)" 3
	[[ "$stderr" == *"failed: max_restarts 2 reached"* ]]
	nothing_left
}

@test "wrap: a command that succeeds exits 0 after one run" {
	run --separate-stderr wrap -- sh -c "echo run >>$T/runs; echo hello"
	assert_equal "$status" 0
	assert_equal "$(runs_of)" 1
	# output = inherit: the command's output is wrap's.
	assert_output hello
	nothing_left
}

@test "wrap: a command that fails then succeeds exits 0" {
	run --separate-stderr wrap --max-restarts 5 -- sh -c \
	    "echo run >>$T/runs; [ \$(wc -l <$T/runs) -ge 3 ] || exit 4"
	assert_equal "$status" 0
	assert_equal "$(runs_of)" 3
}

@test "wrap: --restart never runs the command once and keeps its status" {
	run --separate-stderr wrap --restart never -- sh -c "echo run >>$T/runs; exit 5"
	assert_equal "$status" 5
	assert_equal "$(runs_of)" 1
}

@test "wrap: a command killed by a signal exits 128+N" {
	run --separate-stderr wrap --restart never -- sh -c 'kill -KILL $$'
	assert_equal "$status" 137
}

@test "wrap: --backoff-min sets the delay between runs" {
	run --separate-stderr wrap --max-restarts 2 --backoff-min 300ms \
	    -- sh -c "echo run >>$T/runs; exit 1"
	assert_equal "$status" 1
	[[ "$stderr" == *"restarting in 300ms"* ]]
	assert_equal "$(runs_of)" 3
}

@test "wrap: --name names the node" {
	run --separate-stderr wrap --name myjob -- sh -c 'exit 0'
	assert_equal "$status" 0
	[[ "$stderr" == *"supertree: myjob: started pid"* ]]
}

@test "wrap: the node is named after the command by default" {
	run --separate-stderr wrap -- /bin/sh -c 'exit 0'
	assert_equal "$status" 0
	[[ "$stderr" == *"supertree: sh: started pid"* ]]
}

@test "wrap: arguments reach the command exactly" {
	run --separate-stderr wrap -- sh -c 'printf "%s|" "$@" >"$0"' \
	    "$T/args" "a b" "it's" '' '$HOME' '"q"'
	assert_equal "$status" 0
	run cat "$T/args"
	assert_output "a b|it's||\$HOME|\"q\"|"
}

@test "wrap: a command that cannot start fails wrap" {
	run -127 --separate-stderr wrap --max-restarts 1 -- "$T/no-such-program"
	# As a shell says of a command it cannot find.
	assert_equal "$status" 127
	[[ "$stderr" == *"start failed: exec: No such file or directory"* ]]
}

@test "wrap: SIGTERM stops the command and wrap" {
	ST_MARK=$ST_MARK "$SUPERTREE" wrap -S "$SOCK" -- \
	    sh -c "echo \$\$ >$T/pid; exec sleep 1000" >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for test -s "$T/pid"
	pid=$(cat "$T/pid")
	wait_for st_answers
	stop_tree
	not_alive "$pid"
	err_has "stopping (SIGTERM)"
	wait_for -t 5 nothing_left
}

@test "wrap: a usage error exits 2" {
	run --separate-stderr "$SUPERTREE" wrap -S "$SOCK"
	assert_equal "$status" 2
	run --separate-stderr "$SUPERTREE" wrap -S "$SOCK" --restart sometimes -- true
	assert_equal "$status" 2
}
