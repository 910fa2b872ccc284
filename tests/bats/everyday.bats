#!/usr/bin/env bats
# everyday.bats: what a new user hits with real programs (issue 17):
# logs -f across restarts of supervisors, logs -f -n 0, wrap and a command
# that cannot run, wrap's names, notify failures, messages.

bats_require_minimum_version 1.5.0
load helpers

BG_PIDS=

teardown() {
	local p
	for p in $BG_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup_tree
}

# A tree whose worker sup1/sup2/w prints 1..N then waits (HUP prints
# "hup K"), with a worker sup1/x beside sup2.
nested_tree() {
	cat >"$T/w.sh" <<-'EOF'
	k=0
	trap 'k=$((k + 1)); echo "hup $k"' HUP
	seq 1 "$1"
	while :; do sleep 0.05; done
	EOF
	write_spec nested.ini <<-EOF
	[supertree]
	name = nested
	[sup1]
	[sup1/x]
	command = sleep 1000
	[sup1/sup2]
	[sup1/sup2/w]
	command = sh $T/w.sh $1
	EOF
	start_tree "$T/nested.ini"
	wait_for node_state_is sup1/sup2/w running
}

# follow FILE ARGS...: logs -f in the background, into FILE.
follow() {
	local f=$1
	shift
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f "$@" >"$f" \
	    2>"$f.err" 3>&- &
	FOLLOWER=$!
	BG_PIDS="$BG_PIDS $FOLLOWER"
}

# Signal w until a "hup" line shows in FILE.
hup_seen() {
	st signal HUP sup1/sup2/w
	grep -q '^hup ' "$1"
}

@test "logs -f keeps following after a restart of the worker's supervisor" {
	nested_tree 0
	follow "$T/f" sup1/sup2/w
	wait_for hup_seen "$T/f"
	local old
	old=$(node_pid sup1/sup2)
	run st restart sup1/sup2
	assert_success
	[ "$(node_pid sup1/sup2)" != "$old" ]
	: >"$T/f"
	wait_for hup_seen "$T/f"
	alive "$FOLLOWER"
}

@test "logs -f keeps following after a SIGKILL of the worker's supervisor" {
	nested_tree 0
	follow "$T/f" sup1/sup2/w
	wait_for hup_seen "$T/f"
	local w
	w=$(node_pid sup1/sup2/w)
	kill -KILL "$(node_pid sup1/sup2)"
	wait_for pid_changed sup1/sup2/w "$w"
	: >"$T/f"
	wait_for hup_seen "$T/f"
	alive "$FOLLOWER"
}

@test "logs -f keeps following after a SIGKILL of a supervisor higher up" {
	nested_tree 0
	follow "$T/f" sup1/sup2/w
	wait_for hup_seen "$T/f"
	kill -KILL "$(node_pid sup1)"
	: >"$T/f"
	wait_for hup_seen "$T/f"
	alive "$FOLLOWER"
}

@test "logs -f prints the new incarnation's lines once, in order" {
	nested_tree 3
	follow "$T/f" sup1/sup2/w
	wait_for grep -qx 3 "$T/f"
	run st restart sup1/sup2
	assert_success
	# The new worker's 1..3 (the old one's before): each once.
	wait_for hup_seen "$T/f"
	[ "$(grep -x '[0-9]*' "$T/f")" = "$(seq 1 3; seq 1 3)" ]
}

@test "logs -f -n 0 prints only new lines" {
	nested_tree 3
	wait_for eval 'st logs sup1/sup2/w | grep -qx 3'
	follow "$T/f" -n 0 sup1/sup2/w
	wait_for hup_seen "$T/f"
	run grep -cx '[0-9]*' "$T/f"
	assert_output 0
	alive "$FOLLOWER"
}

@test "logs -n 0 prints nothing" {
	nested_tree 3
	wait_for eval 'st logs sup1/sup2/w | grep -qx 3'
	run --separate-stderr st logs -n 0 sup1/sup2/w
	assert_success
	assert_output ""
}
