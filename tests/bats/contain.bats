#!/usr/bin/env bats
# contain.bats: nothing a worker starts outlives it. Each way of leaving
# the worker's process group (setsid, a double fork, nohup + setsid,
# daemon(3), setpgid) against each way a worker goes down (stop, a crash
# and its restart, the leader exiting on its own, shutdown, SIGKILL of its
# supervisor): no escaped process survives.

load helpers

: "${ESCAPER:=$BATS_TEST_DIRNAME/../helpers/escaper}"

setup() {
	common_setup
	[ -x "$ESCAPER" ] || skip "tests/helpers/escaper not built (make check builds it)"
	# What escapes: it records its pid, then sleeps (ST_MARK is in its
	# environment, so teardown finds it if a test fails).
	cat >"$T/payload.sh" <<EOF
#!/bin/sh
echo \$\$ >>$T/esc.pids
exec sleep 1000
EOF
	chmod +x "$T/payload.sh"
}

# The shell line that makes the payload leave the worker's group.
technique() {
	case $1 in
	setsid) echo "setsid $T/payload.sh &" ;;
	doublefork) echo "setsid sh -c '$T/payload.sh & exit 0'" ;;
	nohup) echo "nohup setsid $T/payload.sh >/dev/null 2>&1 &" ;;
	daemon) echo "$ESCAPER daemon $T/payload.sh" ;;
	setpgid) echo "$ESCAPER setpgid $T/payload.sh &" ;;
	esac
}

# worker_script TECHNIQUE END: the worker escapes, waits for its escaped
# process to be up, then sleeps (END = run) or exits 3 (END = exit).
worker_script() {
	{
		echo '#!/bin/sh'
		echo "n=\$(cat $T/esc.pids 2>/dev/null | wc -l)"
		technique "$1"
		echo "while [ \$(cat $T/esc.pids 2>/dev/null | wc -l) -le \$n ]; do sleep 0.02; done"
		if [ "$2" = exit ]; then
			echo 'exit 3'
		else
			echo 'exec sleep 1000'
		fi
	} >"$T/w.sh"
	chmod +x "$T/w.sh"
}

# contain_tree TECHNIQUE END [KEYS]: the worker mid/w, one level down.
contain_tree() {
	worker_script "$1" "$2"
	start_tree "$(write_spec c.ini <<EOF
[supertree]
name = c

[mid]
intensity = 100

[mid/w]
command = $T/w.sh
restart = ${RESTART:-permanent}
shutdown = ${SHUTDOWN:-2s}
${3:-}
EOF
)"
	wait_for test -s "$T/esc.pids"
	[ "$2" = exit ] || wait_for node_state_is mid/w running
}

# Every process of the test left is supertree itself.
only_supervisors() {
	local p st
	st=$(readlink -f "$SUPERTREE")
	for p in $(marked_pids); do
		[ "$(readlink -f /proc/$p/exe 2>/dev/null)" = "$st" ] ||
		    ! alive "$p" || return 1
	done
}

procs_is() {
	[ "$(node_field "$1" procs)" -eq "$2" ]
}

escaped_ge() {
	[ "$(wc -l <"$T/esc.pids")" -ge "$1" ]
}

esc_pid() {
	sed -n "${1:-1}p" "$T/esc.pids"
}

# The escaped process left the worker's group and session, or the test
# proves nothing.
escaped() {
	local p=$1 w
	w=$(node_pid mid/w)
	[ "$(ps -o pgid= -p "$p" | tr -d ' ')" != "$w" ]
}

down_by_stop() {
	contain_tree "$1" run
	local e
	e=$(esc_pid)
	escaped "$e"
	run st stop mid/w
	assert_success
	not_alive "$e"
	only_supervisors
}

down_by_crash() {
	contain_tree "$1" run
	local e w
	e=$(esc_pid)
	escaped "$e"
	w=$(node_pid mid/w)
	kill -KILL "$w"
	wait_for pid_changed mid/w "$w"
	# Restarted only once the escaped process was gone.
	not_alive "$e"
	wait_for escaped_ge 2
	alive "$(esc_pid 2)"
}

down_by_exit() {
	RESTART=temporary contain_tree "$1" exit
	local e
	e=$(esc_pid)
	wait_for node_state_is mid/w exited
	# Down means everything gone.
	not_alive "$e"
	err_has "root/mid/w: exited code 3" || err_has "mid/w: exited code 3"
}

down_by_shutdown() {
	contain_tree "$1" run
	local e
	e=$(esc_pid)
	escaped "$e"
	stop_tree
	[ "$TREE_STATUS" -eq 0 ]
	not_alive "$e"
	[ -z "$(marked_pids)" ]
}

down_by_sigkill() {
	contain_tree "$1" run
	local e m
	e=$(esc_pid)
	escaped "$e"
	m=$(node_pid mid)
	kill -KILL "$m"
	wait_for not_alive "$e"
	wait_for pid_changed mid "$m"
}

@test "contain: setsid, stop" { down_by_stop setsid; }
@test "contain: setsid, crash and restart" { down_by_crash setsid; }
@test "contain: setsid, leader exits" { down_by_exit setsid; }
@test "contain: setsid, shutdown" { down_by_shutdown setsid; }
@test "contain: setsid, SIGKILL of its supervisor" { down_by_sigkill setsid; }

@test "contain: double fork, stop" { down_by_stop doublefork; }
@test "contain: double fork, crash and restart" { down_by_crash doublefork; }
@test "contain: double fork, leader exits" { down_by_exit doublefork; }
@test "contain: double fork, shutdown" { down_by_shutdown doublefork; }
@test "contain: double fork, SIGKILL of its supervisor" { down_by_sigkill doublefork; }

@test "contain: nohup setsid, stop" { down_by_stop nohup; }
@test "contain: nohup setsid, crash and restart" { down_by_crash nohup; }
@test "contain: nohup setsid, leader exits" { down_by_exit nohup; }
@test "contain: nohup setsid, shutdown" { down_by_shutdown nohup; }
@test "contain: nohup setsid, SIGKILL of its supervisor" { down_by_sigkill nohup; }

@test "contain: daemon(3), stop" { down_by_stop daemon; }
@test "contain: daemon(3), crash and restart" { down_by_crash daemon; }
@test "contain: daemon(3), leader exits" { down_by_exit daemon; }
@test "contain: daemon(3), shutdown" { down_by_shutdown daemon; }
@test "contain: daemon(3), SIGKILL of its supervisor" { down_by_sigkill daemon; }

@test "contain: setpgid, stop" { down_by_stop setpgid; }
@test "contain: setpgid, crash and restart" { down_by_crash setpgid; }
@test "contain: setpgid, leader exits" { down_by_exit setpgid; }
@test "contain: setpgid, shutdown" { down_by_shutdown setpgid; }
@test "contain: setpgid, SIGKILL of its supervisor" { down_by_sigkill setpgid; }

# A supervisor of thousands of children keeps a read of its list of
# children for a while (it costs milliseconds); a threshold of 0 makes
# every supervisor here do the same, so these run that path.
@test "contain: reads of the children kept (dear), double fork, stop" {
	export SUPERTREE_CONTAIN_DEAR=0
	down_by_stop doublefork
}
@test "contain: reads of the children kept (dear), setsid, crash and restart" {
	export SUPERTREE_CONTAIN_DEAR=0
	down_by_crash setsid
}
@test "contain: reads of the children kept (dear), daemon(3), leader exits" {
	export SUPERTREE_CONTAIN_DEAR=0
	down_by_exit daemon
}
@test "contain: reads of the children kept (dear), nohup setsid, shutdown" {
	export SUPERTREE_CONTAIN_DEAR=0
	down_by_shutdown nohup
}
@test "contain: reads of the children kept (dear), SIGKILL of its supervisor" {
	export SUPERTREE_CONTAIN_DEAR=0
	down_by_sigkill doublefork
}

@test "contain: an escaped process that ignores SIGTERM is killed after shutdown" {
	cat >"$T/payload.sh" <<EOF
#!/bin/sh
trap '' TERM
echo \$\$ >>$T/esc.pids
while :; do sleep 0.2; done
EOF
	SHUTDOWN=300ms contain_tree doublefork run
	local e
	e=$(esc_pid)
	run st stop mid/w
	assert_success
	not_alive "$e"
	err_has "still running after 300ms, sending SIGKILL"
}

@test "contain: the worker's environment carries its marker" {
	cat >"$T/w.sh" <<EOF
#!/bin/sh
echo "\$SUPERVISED_BY" >$T/marker
exec sleep 1000
EOF
	chmod +x "$T/w.sh"
	start_tree "$(write_spec c.ini <<EOF
[w]
command = $T/w.sh
EOF
)"
	wait_for test -s "$T/marker"
	grep -qE '^[0-9]+\.[0-9]+$' "$T/marker"
}

@test "contain: contain = false leaves an escaped process behind" {
	contain_tree setsid run "contain = false"
	local e
	e=$(esc_pid)
	run st stop mid/w
	assert_success
	alive "$e"
	kill -KILL "$e"
}

@test "contain: check accepts contain and refuses a bad value" {
	run "$SUPERTREE" check "$(write_spec ok.ini <<EOF
[w]
command = sleep 1
contain = no
EOF
)"
	assert_success
	run "$SUPERTREE" check "$(write_spec bad.ini <<EOF
[w]
command = sleep 1
contain = maybe
EOF
)"
	assert_failure 2
	assert_output --partial "bad.ini:3"
	assert_output --partial "contain"
}

@test "contain: status --json counts a worker's processes, escaped ones included" {
	contain_tree setsid run
	local e
	e=$(esc_pid)
	escaped "$e"
	# The leader's own short-lived children come and go until it execs.
	wait_for procs_is mid/w 2
	run st status
	assert_success
	assert_output --regexp 'w +running .*procs 2'
}

@test "contain: a plain worker has procs 1, not drawn; a stopped one 0" {
	start_tree "$(write_spec p.ini <<EOF
[a]
command = sleep 1000

[b]
command = sleep 1000
EOF
)"
	wait_for node_state_is b running
	[ "$(node_field a procs)" -eq 1 ]
	run st status
	refute_output --partial procs
	run st stop b
	assert_success
	[ "$(node_field b procs)" -eq 0 ]
	[ "$(node_field supertree procs)" = null ]
}
