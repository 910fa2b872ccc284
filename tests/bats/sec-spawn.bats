#!/usr/bin/env bats
# sec-spawn.bats: what a worker with a user gets at spawn time (death
# signal kept across the privilege drop, the user's own HOME and names,
# its directory entered as the user), and how status reports a
# supervisor that does not answer. CI runs as root; the tests that need
# it skip otherwise.

bats_require_minimum_version 1.5.0
load helpers

teardown() {
	local p
	for p in ${STOPPED_PIDS:-}; do
		kill -CONT "$p" 2>/dev/null || true
	done
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
	PRIVDIR=$(mktemp -d /tmp/st-secspawn.XXXXXX)
	chmod 1777 "$PRIVDIR"
}

all_running() {
	local n
	n=$(st status --json | jq '[.[] | select(.state != "running")] | length')
	[ "$n" = 0 ]
}

all_dead() {
	local p
	for p in "$@"; do
		alive "$p" && return 1
	done
	return 0
}

# ---------------------------------------------------------------- death signal

@test "SIGKILL of the top, root and mid supervisor at once leaves no user = nobody worker alive" {
	need_root
	spec=$(write_spec pdeath.ini <<-EOF
	[supertree]
	name = pdeath
	[a]
	command = sleep 100000
	user = nobody
	[mid]
	[mid/b]
	command = sleep 100000
	user = nobody
	[mid/c]
	command = sleep 100000
	user = nobody
	group = nogroup
	EOF
	)
	start_tree "$spec"
	wait_for all_running
	workers="$(node_pid a) $(node_pid mid/b) $(node_pid mid/c)"
	for p in $workers; do
		[ "$(ps -o user= -p "$p" | tr -d ' ')" = nobody ]
	done
	kill -KILL "$TREE_PID" "$(node_pid supertree)" "$(node_pid mid)"
	wait_for -t 10 all_dead $workers
	wait "$TREE_PID" || true
	TREE_PID=
}

# ---------------------------------------------------------------- environment

@test "user = nobody: HOME, USER, LOGNAME and SHELL come from nobody's passwd entry" {
	need_root
	privdir
	IFS=: read -r name _ _ _ _ home shell < <(getent passwd nobody)
	spec=$(write_spec env.ini <<-EOF
	[supertree]
	name = env
	[w]
	command = sh -c 'env > $PRIVDIR/env.new; mv $PRIVDIR/env.new $PRIVDIR/env; exec sleep 100000'
	user = nobody
	EOF
	)
	HOME=/root USER=root LOGNAME=root SHELL=/bin/bash start_tree "$spec"
	wait_for test -s "$PRIVDIR/env"
	run cat "$PRIVDIR/env"
	assert_line "HOME=$home"
	assert_line "USER=$name"
	assert_line "LOGNAME=$name"
	assert_line "SHELL=$shell"
	refute_line --regexp '^(HOME|USER|LOGNAME|SHELL)=(/root|root|/bin/bash)$'
	# Each name once.
	[ "$(grep -c '^HOME=' "$PRIVDIR/env")" = 1 ]
}

@test "user = nobody: the spec's environment wins over the passwd entry" {
	need_root
	privdir
	spec=$(write_spec envwin.ini <<-EOF
	[supertree]
	name = envwin
	[w]
	command = sh -c 'env > $PRIVDIR/env.new; mv $PRIVDIR/env.new $PRIVDIR/env; exec sleep 100000'
	user = nobody
	environment = HOME=/srv/w USER=someone
	EOF
	)
	HOME=/root USER=root LOGNAME=root start_tree "$spec"
	wait_for test -s "$PRIVDIR/env"
	run cat "$PRIVDIR/env"
	assert_line "HOME=/srv/w"
	assert_line "USER=someone"
	assert_line "LOGNAME=nobody"
	[ "$(grep -c '^HOME=' "$PRIVDIR/env")" = 1 ]
	[ "$(grep -c '^USER=' "$PRIVDIR/env")" = 1 ]
}

# ---------------------------------------------------------------- directory

@test "directory = a directory the user cannot enter is a start failure with a clear message" {
	need_root
	privdir
	mkdir -m 700 "$PRIVDIR/private"
	spec=$(write_spec dir.ini <<-EOF
	[supertree]
	name = dir
	[w]
	command = sleep 100000
	user = nobody
	directory = $PRIVDIR/private
	backoff_min = 10s
	EOF
	)
	start_tree "$spec"
	wait_for node_state_is w backoff
	run node_field w error
	assert_output --regexp "^directory $PRIVDIR/private: cannot enter as uid [0-9]+ gid [0-9]+: Permission denied\$"
	assert_equal "$(node_field w pid)" null
	wait_for err_has "w: start failed: directory $PRIVDIR/private: cannot enter as uid"
	run ! err_has "crashed"
}

@test "directory = is entered as the user: a directory it can enter is its working directory" {
	need_root
	privdir
	mkdir -m 755 "$PRIVDIR/pub"
	spec=$(write_spec dirok.ini <<-EOF
	[supertree]
	name = dirok
	[w]
	command = sh -c 'pwd > $PRIVDIR/pwd.new; mv $PRIVDIR/pwd.new $PRIVDIR/pwd; exec sleep 100000'
	user = nobody
	directory = $PRIVDIR/pub
	EOF
	)
	start_tree "$spec"
	wait_for test -s "$PRIVDIR/pwd"
	assert_equal "$(cat "$PRIVDIR/pwd")" "$PRIVDIR/pub"
	assert_equal "$(node_field w state)" running
}

# ---------------------------------------------------------------- unresponsive

frozen_spec() {
	write_spec frozen.ini <<-EOF
	[supertree]
	name = frozen
	[a]
	command = sleep 100000
	[mid]
	[mid/b]
	command = sleep 100000
	[mid/deep]
	[mid/deep/c]
	command = sleep 100000
	EOF
}

# freeze NODE: SIGSTOP a node's process (continued again by teardown).
freeze() {
	local pid
	pid=$(node_pid "$1")
	STOPPED_PIDS="${STOPPED_PIDS:-} $pid"
	kill -STOP "$pid"
	wait_for node_is_stopped "$pid"
}

node_is_stopped() {
	[ "$(awk '/^State:/ {print $2}' "/proc/$1/status")" = T ]
}

@test "status: a frozen (SIGSTOPped) supervisor and its subtree show unresponsive, and status exits 3" {
	start_tree "$(frozen_spec)"
	wait_for all_running
	freeze mid
	run st status --json
	assert_failure 3
	echo "$output" >"$T/s.json"
	for p in mid mid/b mid/deep mid/deep/c; do
		assert_equal "$(jq -r --arg p "$p" '.[] | select(.path == $p) |
		    .state' "$T/s.json")" unresponsive
	done
	# What answers is shown as it is.
	for p in supertree a; do
		assert_equal "$(jq -r --arg p "$p" '.[] | select(.path == $p) |
		    .state' "$T/s.json")" running
	done
	run st status
	assert_failure 3
	assert_line --regexp '^`-- mid +unresponsive +pid [0-9]+'
	assert_line --regexp '^\|-- a +running +pid [0-9]+'
	run st status --quiet
	assert_failure 3
}

@test "status: a frozen root makes the whole tree unresponsive" {
	start_tree "$(frozen_spec)"
	wait_for all_running
	freeze supertree
	run st status --json
	assert_failure 3
	run jq -r '[.[] | select(.state != "unresponsive")] | length' <<<"$output"
	assert_output 0
}

@test "status: a node outside the frozen subtree is reported as usual" {
	start_tree "$(frozen_spec)"
	wait_for all_running
	freeze mid
	run st status a
	assert_success
	assert_line --regexp '^\|-- a +running'
	run st status --json mid/deep
	assert_failure 3
	run jq -r '.[].state' <<<"$output"
	assert_output $'unresponsive\nunresponsive'
}

@test "status: a frozen supervisor that is continued is running again" {
	start_tree "$(frozen_spec)"
	wait_for all_running
	freeze mid
	run st status --quiet
	assert_failure 3
	kill -CONT "$(node_pid mid)"
	wait_for st status --quiet
	assert_equal "$(node_field mid/deep/c state)" running
}
