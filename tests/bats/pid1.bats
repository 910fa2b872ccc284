#!/usr/bin/env bats
# pid1.bats: supertree run as PID 1 of a PID namespace (a container's
# init): orphans are reaped, signals stop it cleanly.

load helpers

nothing_left() {
	[ -z "$(marked_pids)" ]
}

setup() {
	common_setup
	INIT_PID=
	if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
		skip "cannot create PID namespaces here"
	fi
}

teardown() {
	# unshare does not pass signals on: stop the namespace's init.
	if [ -n "$INIT_PID" ]; then
		kill -TERM "$INIT_PID" 2>/dev/null || true
	fi
	cleanup_tree
}

# Children of a process (all its threads), as seen from outside.
children_of() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

# start_ns SPEC: supertree run as PID 1 of a new PID namespace. Sets
# TREE_PID (unshare), INIT_PID (supertree run, outside pid) and ROOT_PID
# (the root supervisor, outside pid).
start_ns() {
	ST_MARK=$ST_MARK unshare --pid --fork --mount-proc \
	    "$SUPERTREE" run -S "$SOCK" "$1" >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
	INIT_PID=$(children_of "$TREE_PID")
	[ -n "$INIT_PID" ]
	# It is PID 1 inside.
	grep -q "^NSpid:[[:space:]]*$INIT_PID[[:space:]]*1\$" \
	    "/proc/$INIT_PID/status"
	ROOT_PID=$(children_of "$INIT_PID")
	[ -n "$ROOT_PID" ]
}

is_zombie_pid() {
	[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = Z ]
}

# No zombie among the children of the given processes.
no_zombie_children() {
	local p c
	for p in "$@"; do
		for c in $(children_of "$p"); do
			if is_zombie_pid "$c"; then
				return 1
			fi
		done
	done
}

# The outside pid of a marked process whose pid in the namespace is $1.
outer_pid() {
	local p
	for p in $(marked_pids); do
		if grep -qE "^NSpid:[[:space:]]+$p[[:space:]]+$1\$" \
		    "/proc/$p/status" 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
}

parent_is() {
	[ "$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = "$2" ]
}

count_of() {
	if [ -f "$T/$1" ]; then
		wc -l <"$T/$1"
	else
		echo 0
	fi
}

count_ge() {
	[ "$(count_of "$1")" -ge "$2" ]
}

@test "pid1: orphaned grandchildren are reaped, no zombies pile up" {
	spec=$(write_spec orphans.ini <<EOF
[supertree]
name = pid1

[w]
command = sh -c 'while :; do (sh -c "sleep 0.1; echo x >>$T/orphans" &); sleep 0.2; done'
EOF
)
	start_ns "$spec"
	wait_for node_state_is w running
	wait_for count_ge orphans 10
	# Every orphan has ended: none is left a zombie under supertree.
	wait_for -t 10 no_zombie_children "$INIT_PID" "$ROOT_PID"
	# And supertree run still runs.
	alive "$INIT_PID"
}

@test "pid1: a worker's orphan is reparented to its supervisor and reaped" {
	# The orphan lives until $T/go appears.
	cat >"$T/w.sh" <<EOF
(sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done' & echo \$! >$T/orphan)
exec sleep 1000
EOF
	spec=$(write_spec one.ini <<EOF
[supertree]
name = pid1

[w]
command = sh $T/w.sh
EOF
)
	start_ns "$spec"
	wait_for node_state_is w running
	wait_for test -s "$T/orphan"
	orphan=$(outer_pid "$(cat "$T/orphan")")
	[ -n "$orphan" ]
	# Its parent is gone: it belongs to the root supervisor now, which
	# reaps it once it ends (no /proc entry left, not even a zombie).
	wait_for parent_is "$orphan" "$ROOT_PID"
	touch "$T/go"
	wait_for test ! -e "/proc/$orphan"
	no_zombie_children "$INIT_PID" "$ROOT_PID"
}

@test "pid1: SIGTERM stops the tree cleanly and exits 0" {
	spec=$(write_spec term.ini <<EOF
[supertree]
name = pid1

[a]
command = sh -c '(sleep 0.2 &); sleep 1000'

[sub]

[sub/b]
command = sh -c 'sleep 1000 & wait'
EOF
)
	start_ns "$spec"
	wait_for node_state_is sub/b running
	kill -TERM "$INIT_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "pid1: shutting down (SIGTERM)"
	wait_for -t 5 nothing_left
}

@test "pid1: a worker's kill -TERM 1 inside the namespace stops the tree" {
	spec=$(write_spec inside.ini <<EOF
[supertree]
name = pid1

[a]
command = sleep 1000

[killer]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.1; done; kill -TERM 1; exec sleep 1000'
EOF
)
	start_ns "$spec"
	wait_for node_state_is killer running
	touch "$T/go"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	err_has "pid1: shutting down (SIGTERM)"
	wait_for -t 5 nothing_left
}

@test "pid1: SIGKILL of the root supervisor ends the tree with 1" {
	spec=$(write_spec rootkill.ini <<EOF
[supertree]
name = pid1

[a]
command = sh -c 'sleep 1000 & wait'

[sub]

[sub/b]
command = sleep 1000
EOF
)
	start_ns "$spec"
	wait_for node_state_is sub/b running
	kill -KILL "$ROOT_PID"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 1
	wait_for -t 5 nothing_left
}
