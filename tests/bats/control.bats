#!/usr/bin/env bats
# control.bats: `status` (drawing, --json, filters, exit codes, --quiet)
# and `ls`, against a live tree.

bats_require_minimum_version 1.5.0
load helpers

# A tree with a worker at the top and a supervisor with two workers.
basic_spec() {
	write_spec basic.ini <<-EOF
	[supertree]
	name = ctl-$BATS_TEST_NUMBER
	intensity = 5
	period = 30s

	[web]
	command = sleep 1000

	[grp]
	strategy = rest_for_one

	[grp/a]
	command = sleep 1001

	[grp/b]
	command = sleep 1002
	restart = transient
	EOF
}

all_running() {
	local n
	n=$(st status --json | jq '[.[] | select(.state != "running")] | length')
	[ "$n" = 0 ]
}

start_basic() {
	start_tree "$(basic_spec)"
	wait_for all_running || {
		st status
		cat "$T/err"
		return 1
	}
}

# Run the client on a pseudo-terminal (script(1)); its output in $output.
on_tty() {
	command -v script >/dev/null || skip "script(1) is not installed"
	run script -qec "$*" /dev/null
}

has_esc() {
	printf '%s' "$1" | LC_ALL=C grep -q $'\033'
}

# A byte outside printable ASCII; the carriage returns a pty adds to each
# line (on_tty's output) do not count.
has_non_ascii() {
	printf '%s' "$1" | tr -d '\r' | LC_ALL=C grep -q '[^ -~]'
}

# ---------------------------------------------------------------- drawing

@test "status draws the tree in ASCII when stdout is not a tty" {
	start_basic
	LC_ALL=C.UTF-8 run --separate-stderr st status
	assert_success
	[ "${#lines[@]}" -eq 5 ]
	assert_line --index 0 --regexp '^ctl-[0-9]+ +running +pid [0-9]+'
	assert_line --index 1 --regexp '^\|-- web +running +pid [0-9]+'
	assert_line --index 2 --regexp '^`-- grp +running +pid [0-9]+'
	assert_line --index 3 --regexp '^    \|-- a +running +pid [0-9]+'
	assert_line --index 4 --regexp '^    `-- b +running +pid [0-9]+'
	refute has_non_ascii "$output"
	[ -z "$stderr" ]
}

@test "status writes no escape byte when stdout is not a tty" {
	start_basic
	# Even with a colour-loving environment and a UTF-8 locale.
	TERM=xterm-256color CLICOLOR_FORCE=1 LC_ALL=C.UTF-8 run st status
	assert_success
	refute has_esc "$output"
	refute has_non_ascii "$output"
}

@test "status on a tty uses colour and UTF-8 lines" {
	start_basic
	LC_ALL=C.UTF-8 on_tty "$SUPERTREE" -S "$SOCK" status
	assert_success
	has_esc "$output"
	assert_output --partial "── web"
}

@test "status on a tty honours NO_COLOR" {
	start_basic
	NO_COLOR=1 LC_ALL=C.UTF-8 on_tty "$SUPERTREE" -S "$SOCK" status
	assert_success
	refute has_esc "$output"
	assert_output --partial "web"
}

@test "status on a tty in the C locale draws in ASCII" {
	start_basic
	NO_COLOR=1 LC_ALL=C on_tty "$SUPERTREE" -S "$SOCK" status
	assert_success
	refute has_non_ascii "$output"
	assert_output --partial '|-- web'
}

# ------------------------------------------------------------------- json

@test "status --json is a flat array in tree order" {
	start_basic
	run st status --json
	assert_success
	run jq -r 'if type == "array" then map(.path) | join(" ") else "no" end' \
	    <<<"$output"
	assert_output "supertree web grp grp/a grp/b"
}

@test "status --json: every node has the common fields with their types" {
	start_basic
	st status --json >"$T/s.json"
	run jq -e '
	  all(.[];
	    (.path | type == "string") and
	    (.name | type == "string") and
	    (.kind == "worker" or .kind == "supervisor") and
	    (.parent == null or (.parent | type == "string")) and
	    (.state | type == "string") and
	    (.pid == null or (.pid | type == "number")) and
	    (.ready | type == "boolean") and
	    (.since | type == "number") and
	    (.uptime == null or (.uptime | type == "number")) and
	    (.restarts | type == "number") and
	    has("last_exit") and has("next_restart") and has("error") and
	    (.manual | type == "boolean"))' "$T/s.json"
	assert_success
}

@test "status --json: names, parents and kinds" {
	start_basic
	run jq -r '.[] | "\(.path) \(.name) \(.kind) \(.parent)"' \
	    <<<"$(st status --json)"
	assert_success
	assert_line --index 0 --regexp '^supertree ctl-[0-9]+ supervisor null$'
	assert_line --index 1 "web web worker supertree"
	assert_line --index 2 "grp grp supervisor supertree"
	assert_line --index 3 "grp/a a worker grp"
	assert_line --index 4 "grp/b b worker grp"
}

@test "status --json: supervisor fields" {
	start_basic
	st status --json >"$T/s.json"
	run jq -e '
	  (.[] | select(.path == "supertree") |
	    .strategy == "one_for_one" and .intensity == 5 and
	    .period == 30 and (.intensity_used | type == "number")) and
	  (.[] | select(.path == "grp") |
	    .strategy == "rest_for_one" and .intensity == 3 and
	    (.period | type == "number") and .intensity_used == 0) and
	  all(.[] | select(.kind == "supervisor"); has("command") | not)' \
	    "$T/s.json"
	assert_success
}

@test "status --json: worker fields" {
	start_basic
	st status --json >"$T/s.json"
	run jq -e '
	  (.[] | select(.path == "web") |
	    .restart == "permanent" and .command == ["sleep", "1000"] and
	    .state == "running" and (.pid > 1) and .ready == true and
	    .restarts == 0 and .last_exit == null and
	    .next_restart == null and .error == null and .manual == false and
	    (.uptime >= 0)) and
	  (.[] | select(.path == "grp/b") | .restart == "transient") and
	  all(.[] | select(.kind == "worker"); has("strategy") | not)' \
	    "$T/s.json"
	assert_success
}

@test "status --json: the pid is the worker's real process" {
	start_basic
	local pid
	pid=$(node_pid web)
	alive "$pid"
	run tr '\0' ' ' <"/proc/$pid/cmdline"
	assert_output "sleep 1000 "
}

@test "status --json: last_exit {code} after an exit, {signal} after a kill" {
	write_spec exits.ini <<-EOF
	[supertree]
	name = exits
	[code]
	command = sh -c 'exit 7'
	restart = temporary
	[sig]
	command = sleep 1000
	restart = temporary
	EOF
	start_tree "$T/exits.ini"
	wait_for node_state_is code exited
	wait_for node_state_is sig running
	kill -KILL "$(node_pid sig)"
	wait_for node_state_is sig exited
	run node_field code last_exit.code
	assert_output 7
	run node_field sig last_exit.signal
	assert_output KILL
	run node_field code last_exit.signal
	assert_output null
}

@test "status --json: a worker in backoff has next_restart, error and restarts" {
	write_spec bad.ini <<-EOF
	[supertree]
	name = bad
	[bad]
	command = $T/no/such/program
	backoff_min = 10s
	EOF
	start_tree "$T/bad.ini"
	wait_for node_state_is bad backoff
	st status --json >"$T/s.json" || true
	run jq -e '.[] | select(.path == "bad") |
	    .pid == null and (.next_restart > 0) and
	    (.next_restart <= 10) and (.error | test("exec")) and
	    .restarts >= 1' "$T/s.json"
	assert_success
}

@test "status --json output is valid JSON even with odd bytes in a command" {
	write_spec odd.ini <<-'EOF'
	[supertree]
	name = odd
	[w]
	command = sh -c 'echo "quote\" back\\ tab	x"; exec sleep 1000'
	EOF
	start_tree "$T/odd.ini"
	wait_for node_state_is w running
	run jq -r '.[] | select(.path == "w") | .command[2]' \
	    <<<"$(st status --json)"
	assert_success
	assert_output --partial 'quote\" back'
}

# ----------------------------------------------------------------- filter

@test "status PATH shows only that subtree" {
	start_basic
	run st status grp
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	assert_line --index 0 --partial "grp"
	assert_line --index 1 --regexp '\|-- a +running'
	assert_line --index 2 --regexp '`-- b +running'
	refute_output --partial "web"
}

@test "status PATH of a worker shows one line" {
	start_basic
	run st status grp/a
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	assert_line --index 0 --regexp 'a +running +pid [0-9]+'
}

@test "status --json PATH lists only that subtree, in order" {
	start_basic
	run jq -r 'map(.path) | join(" ")' <<<"$(st status --json grp)"
	assert_output "grp grp/a grp/b"
}

@test "status with two PATHs shows both" {
	start_basic
	run jq -r 'map(.path) | join(" ")' <<<"$(st status --json web grp/b)"
	assert_output "web grp/b"
}

@test "status of an unknown PATH: exit 2 naming it" {
	start_basic
	run --separate-stderr st status nosuch
	assert_failure 2
	[[ $stderr == *"nosuch"* ]]
	[[ $stderr == *"no such node"* ]]
}

@test "status with an unknown option: exit 2" {
	start_basic
	run --separate-stderr st status --frobnicate
	assert_failure 2
	[[ $stderr == *"usage"* ]]
}

# ------------------------------------------------------------ exit codes

@test "status --json of a 400-node tree is complete (several frames)" {
	{
		printf '[supertree]\nname = many\n'
		for i in $(seq 1 400); do
			printf '[w%03d]\ncommand = true\nrestart = temporary\n' "$i"
		done
	} >"$T/many.ini"
	start_tree "$T/many.ini"
	wait_for node_state_is w400 exited
	run jq -r 'length, .[400].path' <<<"$(st status --json)"
	assert_success
	assert_line --index 0 401
	assert_line --index 1 w400
	run st status
	assert_success
	[ "${#lines[@]}" -eq 401 ]
}

@test "status exits 0 when the tree is healthy" {
	start_basic
	run st status
	assert_success
	run st status --json
	assert_success
}

@test "status exits 3 while a permanent worker is in backoff" {
	write_spec bad.ini <<-EOF
	[supertree]
	name = bad
	[web]
	command = sleep 1000
	[bad]
	command = $T/no/such/program
	backoff_min = 10s
	EOF
	start_tree "$T/bad.ini"
	wait_for node_state_is bad backoff
	run st status
	assert_failure 3
	assert_line --regexp 'bad +backoff'
	run st status --json
	assert_failure 3
	run st status --quiet
	assert_failure 3
}

@test "status PATH exits by that subtree only" {
	write_spec bad.ini <<-EOF
	[supertree]
	name = bad
	[web]
	command = sleep 1000
	[bad]
	command = $T/no/such/program
	backoff_min = 10s
	EOF
	start_tree "$T/bad.ini"
	wait_for node_state_is bad backoff
	wait_for node_state_is web running
	run st status web
	assert_success
	run st status bad
	assert_failure 3
}

@test "status exits 3 when a permanent worker has failed for good" {
	write_spec failed.ini <<-EOF
	[supertree]
	name = failed
	[web]
	command = sleep 1000
	[crash]
	command = sh -c 'exit 1'
	max_restarts = 1
	backoff_min = 10ms
	EOF
	start_tree "$T/failed.ini"
	wait_for node_state_is crash failed
	run st status
	assert_failure 3
}

@test "status exits 0 when the only node down was stopped by hand" {
	start_basic
	run st stop web
	assert_success
	wait_for node_state_is web stopped
	run st status
	assert_success
	assert_line --regexp '^\|-- web +stopped.*manual'
	run st status --quiet
	assert_success
}

@test "status exits 0 when a temporary worker has exited normally" {
	write_spec tmp.ini <<-EOF
	[supertree]
	name = tmp
	[web]
	command = sleep 1000
	[once]
	command = true
	restart = temporary
	EOF
	start_tree "$T/tmp.ini"
	wait_for node_state_is once exited
	run st status
	assert_success
}

@test "status exits 4 when no tree answers, naming the socket" {
	run --separate-stderr st status
	assert_failure 4
	[[ $stderr == *"$SOCK"* ]]
	[[ $stderr == *"no tree answers"* ]]
	[ -z "$output" ]
}

@test "status exits 4 once the tree has shut down" {
	start_basic
	stop_tree
	run --separate-stderr st status
	assert_failure 4
	[[ $stderr == *"$SOCK"* ]]
}

@test "status --quiet prints nothing" {
	start_basic
	run --separate-stderr st status --quiet
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "status --quiet prints nothing when unhealthy either" {
	write_spec bad.ini <<-EOF
	[supertree]
	name = bad
	[bad]
	command = $T/no/such/program
	backoff_min = 10s
	EOF
	start_tree "$T/bad.ini"
	wait_for node_state_is bad backoff
	run --separate-stderr st status --quiet
	assert_failure 3
	[ -z "$output" ]
	[ -z "$stderr" ]
}

# --------------------------------------------------------------------- ls

# Run a tree on the default socket of its name (no -S); its pid goes in
# PID_<name> and in DEFAULT_PIDS for teardown.
DEFAULT_PIDS=
start_default() {
	local spec=$1
	ST_MARK=$ST_MARK "$SUPERTREE" run "$spec" >"$T/out-$2" 2>"$T/err-$2" &
	eval "PID_$2=$!"
	DEFAULT_PIDS="$DEFAULT_PIDS $!"
	wait_for default_answers "$2"
}

teardown() {
	local p
	for p in $DEFAULT_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $DEFAULT_PIDS; do
		wait_for -t 10 not_alive "$p" || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup_tree
}

default_answers() {
	"$SUPERTREE" -S "$XDG_RUNTIME_DIR/supertree/$1.sock" status --quiet
	[ $? -ne 4 ]
}

named_spec() {
	write_spec "$1.ini" <<-EOF
	[supertree]
	name = $1
	[w]
	command = sleep 1000
	EOF
}

@test "ls prints nothing when no tree runs" {
	unset SUPERTREE_SOCKET
	run --separate-stderr "$SUPERTREE" ls
	assert_success
	[ -z "$output" ]
}

@test "ls lists the running trees by name, on the default sockets" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	run "$SUPERTREE" ls
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line alpha
	assert_line beta
	# The default socket is where ls looked.
	[ -S "$XDG_RUNTIME_DIR/supertree/alpha.sock" ]
}

@test "ls forgets a tree once it has shut down" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	run "$SUPERTREE" shutdown beta
	assert_success
	wait_for not_alive "$PID_beta"
	run "$SUPERTREE" ls
	assert_success
	assert_output alpha
}

@test "ls skips a stale socket left by a killed tree" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	local root
	root=$("$SUPERTREE" -S "$XDG_RUNTIME_DIR/supertree/beta.sock" \
	    status --json | jq '.[0].pid')
	kill -KILL "$PID_beta" "$root"
	wait_for not_alive "$PID_beta"
	wait_for not_alive "$root"
	[ -S "$XDG_RUNTIME_DIR/supertree/beta.sock" ]
	run "$SUPERTREE" ls
	assert_success
	assert_output alpha
	# And with one live tree left, a bare status finds it.
	run "$SUPERTREE" status --quiet
	assert_success
}

@test "with one tree running, status without -S finds it" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	run "$SUPERTREE" status
	assert_success
	assert_line --index 0 --regexp '^alpha +running'
}

@test "with two trees running, bare status lists each with its health" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	run --separate-stderr "$SUPERTREE" status
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --regexp '^alpha +healthy$'
	assert_line --regexp '^beta +healthy$'
}

@test "with two trees running, bare status exits 3 if one is unhealthy" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	write_spec beta.ini <<-EOF
	[supertree]
	name = beta
	[bad]
	command = $T/no/such/program
	backoff_min = 10s
	EOF
	start_default "$T/beta.ini" beta any
	wait_for eval '"$SUPERTREE" status beta --json | jq -e ".[1].state == \"backoff\""'
	run --separate-stderr "$SUPERTREE" status
	assert_line --regexp '^alpha +healthy$'
	assert_line --regexp '^beta +unhealthy$'
	assert_failure 3
}

@test "with two trees running, status NAME picks one" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	run "$SUPERTREE" status beta
	assert_success
	assert_line --index 0 --regexp '^beta +running'
	run "$SUPERTREE" status --json beta w
	assert_success
	run jq -r 'map(.path) | join(" ")' <<<"$output"
	assert_output w
}

@test "with two trees running, stop without a tree name is refused naming both" {
	unset SUPERTREE_SOCKET
	start_default "$(named_spec alpha)" alpha
	start_default "$(named_spec beta)" beta
	run --separate-stderr "$SUPERTREE" stop w
	assert_failure
	[[ $stderr == *"alpha"* && $stderr == *"beta"* ]]
	run "$SUPERTREE" stop beta w
	assert_success
	run "$SUPERTREE" -S "$XDG_RUNTIME_DIR/supertree/alpha.sock" status --quiet
	assert_success
}
