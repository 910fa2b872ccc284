#!/usr/bin/env bats
# kill.bats: SIGKILL of a mid-level supervisor, of the root supervisor
# and of `supertree run` itself: nothing below may survive.

load helpers

nothing_left() {
	[ -z "$(marked_pids)" ]
}

none_alive() {
	local p
	for p in "$@"; do
		not_alive "$p" || return 1
	done
}

# A tree with a worker that leaves a grandchild in its group, a worker
# that ignores SIGTERM, and the same again one level down.
deep_spec() {
	write_spec deep.ini <<EOF
[supertree]
name = deep
intensity = 5
period = 30s

[keep]
command = sleep 1000

[mid]

[mid/w1]
command = sh -c 'sleep 1000 & echo \$! >$T/gc1; wait'

[mid/deaf]
command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 1; done'
shutdown = 1s

[mid/inner]

[mid/inner/w2]
command = sh -c 'sleep 1000 & echo \$! >$T/gc2; wait'
EOF
}

# Every pid below mid: supervisors, workers, grandchildren.
below_mid() {
	local n
	for n in mid/w1 mid/deaf mid/inner mid/inner/w2; do
		node_pid "$n"
	done
	cat "$T/gc1" "$T/gc2"
}

start_deep() {
	start_tree "$(deep_spec)"
	wait_for node_state_is mid/inner/w2 running
	wait_for node_state_is mid/deaf running
	wait_for test -e "$T/deaf.up"
	wait_for test -s "$T/gc1"
	wait_for test -s "$T/gc2"
}

@test "kill: SIGKILL of a mid-level supervisor leaves none of its subtree and it is restarted" {
	start_deep
	keep=$(node_pid keep)
	mid=$(node_pid mid)
	old=$(below_mid)
	rm "$T/gc1" "$T/gc2"
	kill -KILL "$mid"
	wait_for -t 10 none_alive $old
	wait_for pid_changed mid "$mid"
	wait_for node_state_is mid/inner/w2 running
	wait_for node_state_is mid/deaf running
	err_has "mid: killed by SIGKILL"
	assert_equal "$(node_field mid restarts)" 1
	assert_equal "$(node_pid keep)" "$keep"
	# The new subtree is all new processes.
	for p in $(node_pid mid/w1) $(node_pid mid/inner/w2); do
		run ! grep -qx "$p" <<<"$old"
	done
}

@test "kill: SIGKILL of the root supervisor ends supertree run and leaves nothing" {
	start_deep
	root=$(node_pid supertree)
	run ps -o args= -p "$root"
	assert_output "supertree: deep"
	assert_equal "$(ps -o ppid= -p "$root" | tr -d ' ')" "$TREE_PID"
	kill -KILL "$root"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 1
	wait_for -t 10 nothing_left
}

@test "kill: SIGKILL of supertree run itself leaves nothing" {
	start_deep
	pids="$(below_mid) $(node_pid keep) $(node_pid mid) $(node_pid supertree)"
	kill -KILL "$TREE_PID"
	wait_tree
	# The root sees its link go and stops the tree (deaf gets its
	# SIGKILL after its 1s shutdown).
	wait_for none_alive $pids
	wait_for -t 10 nothing_left
}

@test "kill: SIGKILL of supertree run stops a plain tree promptly" {
	spec=$(write_spec plain.ini <<EOF
[supertree]
name = plain

[a]
command = sh -c 'sleep 1000 & wait'

[sub]

[sub/b]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is sub/b running
	kill -KILL "$TREE_PID"
	wait_tree
	wait_for -t 10 nothing_left
}

nchildren_is() {
	[ "$(cat /proc/"$1"/task/*/children | wc -w)" -eq "$2" ]
}

@test "kill: repeated SIGKILLs of a mid supervisor leak nothing in its parent" {
	spec=$(write_spec again.ini <<EOF
[supertree]
name = again
intensity = 100
period = 30s

[mid]
backoff_min = 10ms

[mid/x]
command = sh -c 'sleep 1000 & wait'
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/x running
	root=$(node_pid supertree)
	fds=$(ls "/proc/$root/fd" | wc -l)
	for i in 1 2 3 4 5 6; do
		mid=$(node_pid mid) x=$(node_pid mid/x)
		kill -KILL "$mid"
		wait_for pid_changed mid "$mid"
		wait_for node_state_is mid/x running
		wait_for -t 10 not_alive "$x"
	done
	assert_equal "$(node_field mid restarts)" 6
	[ "$(ls "/proc/$root/fd" | wc -l)" -le $((fds + 1)) ]
	# One mid, one x and its sleep: all that is marked below the root.
	wait_for -t 5 nchildren_is "$root" 1
}

@test "kill: SIGTERM to a mid supervisor stops its subtree and its parent restarts it" {
	spec=$(write_spec midterm.ini <<EOF
[supertree]
name = midterm

[keep]
command = sleep 1000

[mid]

[mid/x]
command = sh -c 'sleep 1000 & wait'
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/x running
	keep=$(node_pid keep) mid=$(node_pid mid) x=$(node_pid mid/x)
	kill -TERM "$mid"
	wait_for pid_changed mid "$mid"
	wait_for pid_changed mid/x "$x"
	not_alive "$x"
	err_has "mid/x: stopping (SIGTERM)"
	err_has "mid: exited code 0"
	assert_equal "$(node_pid keep)" "$keep"
}

@test "kill: SIGTERM to the root supervisor stops the tree and run exits 0" {
	start_tree "$(deep_spec)"
	wait_for node_state_is mid/inner/w2 running
	kill -TERM "$(node_pid supertree)"
	wait_for not_alive "$TREE_PID"
	wait_tree
	assert_equal "$TREE_STATUS" 0
	wait_for -t 5 nothing_left
}

@test "kill: after SIGKILL of a mid supervisor its subtree shows stopped while it waits to restart" {
	spec=$(write_spec wiped.ini <<EOF
[supertree]
name = wiped

[mid]
backoff_min = 60s

[mid/x]
command = sh -c 'sleep 1000 & wait'

[mid/inner]

[mid/inner/y]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is mid/inner/y running
	x=$(node_pid mid/x) y=$(node_pid mid/inner/y)
	kill -KILL "$(node_pid mid)"
	wait_for node_state_is mid backoff
	wait_for -t 10 none_alive "$x" "$y"
	for n in mid/x mid/inner mid/inner/y; do
		assert_equal "$(node_field $n state)" stopped
		assert_equal "$(node_field $n pid)" null
	done
}

@test "kill: SIGKILL of a mid supervisor also kills what is left of a worker it was draining" {
	# w's leader exits; its child ignores SIGTERM, so mid is draining
	# w's group (shutdown 60s) when mid is killed.
	cat >"$T/w.sh" <<EOF
(trap '' TERM; touch $T/child.up; exec sleep 1000) &
echo \$! >>$T/child
while [ ! -e $T/child.up ]; do sleep 0.05; done
exit 1
EOF
	spec=$(write_spec draining.ini <<EOF
[supertree]
name = draining

[mid]
backoff_min = 60s

[mid/w]
command = sh $T/w.sh
shutdown = 60s
EOF
)
	start_tree "$spec"
	wait_for err_has "mid/w: exited code 1"
	wait_for node_state_is mid/w stopping
	child=$(head -n 1 "$T/child")
	alive "$child"
	kill -KILL "$(node_pid mid)"
	wait_for node_state_is mid backoff
	wait_for -t 10 not_alive "$child"
}

@test "kill: SIGKILL of the root supervisor also kills what is left of a worker it was draining" {
	cat >"$T/w.sh" <<EOF
(trap '' TERM; touch $T/child.up; exec sleep 1000) &
echo \$! >>$T/child
while [ ! -e $T/child.up ]; do sleep 0.05; done
exit 1
EOF
	spec=$(write_spec rootdrain.ini <<EOF
[supertree]
name = rootdrain

[w]
command = sh $T/w.sh
shutdown = 60s
EOF
)
	start_tree "$spec"
	wait_for err_has "w: exited code 1"
	wait_for node_state_is w stopping
	child=$(head -n 1 "$T/child")
	alive "$child"
	kill -KILL "$(node_pid supertree)"
	wait_for not_alive "$TREE_PID"
	wait_tree
	wait_for -t 10 not_alive "$child"
	wait_for -t 5 nothing_left
}

@test "kill: SIGKILL of supertree run right after start leaves nothing" {
	spec=$(write_spec early.ini <<EOF
[supertree]
name = early

[a]
command = sh -c 'sleep 1000 & wait'

[sub]

[sub/b]
command = sleep 1000

[c]
command = sleep 1000
EOF
)
	for i in 1 2 3 4 5; do
		ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$spec" \
		    >"$T/out" 2>"$T/err" &
		TREE_PID=$!
		# A different moment each round: none, then 20 to 80ms.
		[ "$i" -gt 1 ] && sleep "0.0$((i * 2 - 2))"
		kill -KILL "$TREE_PID"
		wait_tree
		wait_for -t 10 nothing_left
		rm -f "$SOCK"
	done
}
