#!/usr/bin/env bats
# commands.bats: start, stop, restart, signal, wait, events and shutdown
# on a live tree.

bats_require_minimum_version 1.5.0
load helpers

# Background clients (events, ...) the test started: killed in teardown.
BG_PIDS=

teardown() {
	local p
	for p in $BG_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup_tree
}

# Root with intensity 1: any restart that counted would show at once.
cmd_spec() {
	write_spec cmds.ini <<-EOF
	[supertree]
	name = cmds
	intensity = 1
	period = 60s

	[web]
	command = sleep 1000

	[grp]

	[grp/a]
	command = sleep 1001

	[grp/b]
	command = sleep 1002
	EOF
}

all_running() {
	local n
	n=$(st status --json | jq '[.[] | select(.state != "running")] | length')
	[ "$n" = 0 ]
}

start_cmds() {
	start_tree "$(cmd_spec)"
	wait_for all_running || {
		st status
		cat "$T/err"
		return 1
	}
}

# Live processes of this test whose command line is exactly "$*" (pgrep
# only finds candidates; the test's mark in the environment decides).
pids_of() {
	local p
	for p in $(pgrep -x -f "$*"); do
		if grep -qsaF "ST_MARK=$ST_MARK" "/proc/$p/environ" &&
		    ! is_zombie "$p"; then
			echo "$p"
		fi
	done
}

count_is() {
	local n=$1
	shift
	[ "$(pids_of "$@" | wc -l)" -eq "$n" ]
}

# ------------------------------------------------------------------ stop

@test "stop PATH returns once the worker's process is gone" {
	start_cmds
	local pid
	pid=$(node_pid web)
	alive "$pid"
	run st stop web
	assert_success
	not_alive "$pid"
	run node_field web state
	assert_output stopped
	run node_field web pid
	assert_output null
}

@test "stop PATH waits for a worker that takes its time to exit" {
	write_spec lazy.ini <<-EOF
	[supertree]
	name = lazy
	[lazy]
	command = sh -c 'trap "sleep 0.5; echo bye >$T/bye; exit 0" TERM; while :; do sleep 0.1; done'
	EOF
	start_tree "$T/lazy.ini"
	wait_for node_state_is lazy running
	local pid
	pid=$(node_pid lazy)
	run st stop lazy
	assert_success
	# It had finished its clean-up when stop returned.
	[ -s "$T/bye" ]
	not_alive "$pid"
	run node_field lazy state
	assert_output stopped
}

@test "a stopped worker shows manual and stays stopped" {
	start_cmds
	run st stop web
	assert_success
	run node_field web manual
	assert_output true
	run st status web
	assert_line --regexp 'web +stopped.*manual'
	# Not restarted: it never comes back within the deadline.
	run st wait --for running --timeout 2s web
	assert_failure 5
	run node_field web state
	assert_output stopped
	[ -z "$(pids_of sleep 1000)" ]
}

@test "stopping a worker leaves its siblings alone" {
	start_cmds
	local a
	a=$(node_pid grp/a)
	run st stop web
	assert_success
	[ "$(node_pid grp/a)" = "$a" ]
	alive "$a"
}

@test "start PATH brings a stopped worker back and returns when it runs" {
	start_cmds
	run st stop web
	assert_success
	run st start web
	assert_success
	run node_field web state
	assert_output running
	run node_field web manual
	assert_output false
	alive "$(node_pid web)"
	[ "$(pids_of sleep 1000)" = "$(node_pid web)" ]
}

@test "start of nodes that cannot start names each one with its reason" {
	write_spec fail.ini >/dev/null <<-EOF
	[supertree]
	name = cmds-fail
	[ok]
	command = sleep 1000
	[early]
	command = sh -c 'exit 1'
	restart = temporary
	ready = fd:3
	[gone]
	command = /nonexistent/prog
	restart = temporary
	EOF
	start_tree "$T/fail.ini"
	wait_for node_state_is ok running
	run -1 st start early gone
	assert_line "supertree: early: ended before it was ready"
	assert_line "supertree: gone: exec: No such file or directory"
}

@test "start of a node that already runs succeeds and changes nothing" {
	start_cmds
	local pid
	pid=$(node_pid web)
	run st start web
	assert_success
	[ "$(node_pid web)" = "$pid" ]
}

@test "stop/start by hand never counts against intensity" {
	start_cmds
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run st stop web
		assert_success
		run st start web
		assert_success
	done
	run node_field web restarts
	assert_output 0
	run node_field supertree intensity_used
	assert_output 0
	run node_field supertree state
	assert_output running
	run st status
	assert_success
	[ "$(pids_of sleep 1000 | wc -l)" -eq 1 ]
}

@test "restart PATH gives a new pid and returns when it runs" {
	start_cmds
	local old
	old=$(node_pid web)
	run st restart web
	assert_success
	not_alive "$old"
	run node_field web state
	assert_output running
	[ "$(node_pid web)" != "$old" ]
	alive "$(node_pid web)"
	run node_field supertree intensity_used
	assert_output 0
}

@test "restart of a stopped worker starts it" {
	start_cmds
	run st stop web
	assert_success
	run st restart web
	assert_success
	run node_field web state
	assert_output running
}

@test "stop --no-wait returns while the worker is still stopping" {
	write_spec slow.ini <<-EOF
	[supertree]
	name = slow
	[slow]
	command = sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	shutdown = 60s
	EOF
	start_tree "$T/slow.ini"
	wait_for node_state_is slow running
	local pid
	pid=$(node_pid slow)
	run st stop --no-wait slow
	assert_success
	# It ignores SIGTERM and has a minute: still there, stopping.
	wait_for node_state_is slow stopping
	alive "$pid"
	# Let it go now rather than wait a minute.
	kill -KILL "$pid"
	wait_for node_state_is slow stopped
}

@test "a stop whose client goes away still completes, and the tree goes on" {
	write_spec slow.ini <<-EOF
	[supertree]
	name = slow
	[slow]
	command = sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	shutdown = 60s
	[web]
	command = sleep 1000
	EOF
	start_tree "$T/slow.ini"
	wait_for node_state_is slow running
	local pid c
	pid=$(node_pid slow)
	st stop slow >/dev/null 2>&1 &
	c=$!
	BG_PIDS="$BG_PIDS $c"
	wait_for node_state_is slow stopping
	kill -KILL "$c"
	wait "$c" 2>/dev/null || true
	kill -KILL "$pid"
	wait_for node_state_is slow stopped
	run node_field slow manual
	assert_output true
	run st restart web
	assert_success
	run st status
	assert_success
}

@test "start --no-wait and restart --no-wait succeed" {
	start_cmds
	run st stop web
	assert_success
	run st start --no-wait web
	assert_success
	wait_for node_state_is web running
	local old
	old=$(node_pid web)
	run st restart --no-wait web
	assert_success
	wait_for pid_changed web "$old"
}

@test "stop of a supervisor path stops its whole subtree" {
	start_cmds
	local a b g
	g=$(node_pid grp)
	a=$(node_pid grp/a)
	b=$(node_pid grp/b)
	run st stop grp
	assert_success
	not_alive "$a"
	not_alive "$b"
	not_alive "$g"
	run jq -r '.[] | "\(.path) \(.state) \(.pid)"' <<<"$(st status --json grp)"
	assert_line --index 0 "grp stopped null"
	assert_line --index 1 "grp/a stopped null"
	assert_line --index 2 "grp/b stopped null"
	run node_field web state
	assert_output running
	run st status
	assert_success
}

@test "start of a supervisor path starts its whole subtree" {
	start_cmds
	run st stop grp
	assert_success
	run st start grp
	assert_success
	run jq -r '.[] | "\(.path) \(.state)"' <<<"$(st status --json grp)"
	assert_line --index 0 "grp running"
	assert_line --index 1 "grp/a running"
	assert_line --index 2 "grp/b running"
	[ "$(pids_of sleep 1001)" = "$(node_pid grp/a)" ]
	[ "$(pids_of sleep 1002)" = "$(node_pid grp/b)" ]
}

@test "restart of a supervisor path restarts its whole subtree" {
	start_cmds
	local a b w
	a=$(node_pid grp/a)
	b=$(node_pid grp/b)
	w=$(node_pid web)
	run st restart grp
	assert_success
	not_alive "$a"
	not_alive "$b"
	wait_for pid_changed grp/a "$a"
	wait_for pid_changed grp/b "$b"
	[ "$(node_pid web)" = "$w" ]
}

held_spec() {
	write_spec held.ini <<-EOF
	[supertree]
	name = held
	[bad]
	command = $T/no/such/program
	backoff_min = 30s
	[later]
	command = sleep 1000
	EOF
}

@test "start of a node held back by the start plan does not hang" {
	# bad is in backoff during the root's start phase: later waits.
	start_tree "$(held_spec)"
	wait_for node_state_is bad backoff
	run --separate-stderr timeout 5 "$SUPERTREE" -S "$SOCK" start later
	[ "$status" -ne 124 ] || fail "start later hung"
	if [ "$status" -eq 0 ]; then
		run node_field later state
		assert_output running
	else
		[ -n "$stderr" ]
	fi
	run --separate-stderr timeout 5 "$SUPERTREE" -S "$SOCK" restart later
	[ "$status" -ne 124 ] || fail "restart later hung"
}

@test "stopping the node that holds the start plan lets the rest start" {
	start_tree "$(held_spec)"
	wait_for node_state_is bad backoff
	run st stop bad
	assert_success
	wait_for -t 10 node_state_is later running
	run st status
	assert_success
}

@test "stop of a worker in backoff cancels its restart; start tries again" {
	write_spec backoff.ini <<-EOF
	[supertree]
	name = backoff
	[web]
	command = sleep 1000
	[bad]
	command = sh -c 'if [ -e $T/fixed ]; then exec sleep 1003; fi; exit 1'
	backoff_min = 30s
	EOF
	start_tree "$T/backoff.ini"
	wait_for node_state_is bad backoff
	run st stop bad
	assert_success
	run jq -r '.[] | select(.path == "bad") | "\(.state) \(.manual) \(.next_restart)"' \
	    <<<"$(st status --json)"
	assert_output "stopped true null"
	run st status
	assert_success
	touch "$T/fixed"
	run st start bad
	assert_success
	run node_field bad state
	assert_output running
}

@test "stop of several paths at once" {
	start_cmds
	run st stop web grp/a
	assert_success
	run node_field web state
	assert_output stopped
	run node_field grp/a state
	assert_output stopped
	run node_field grp/b state
	assert_output running
}

@test "stop of the root is refused" {
	start_cmds
	run --separate-stderr st stop supertree
	assert_failure 2
	[[ $stderr == *"root"* ]]
	[[ $stderr == *"shutdown"* ]]
	run node_field supertree state
	assert_output running
	run st status
	assert_success
}

@test "restart of the root is refused" {
	start_cmds
	local root
	root=$(node_pid supertree)
	run --separate-stderr st restart supertree
	assert_failure 2
	[[ $stderr == *"root"* ]]
	[ "$(node_pid supertree)" = "$root" ]
}

@test "stop, start, restart, signal, wait of an unknown path: exit 2" {
	start_cmds
	local c
	for c in stop start restart "signal HUP" "wait --timeout 1s"; do
		run --separate-stderr st $c nosuch
		assert_failure 2
		[[ $stderr == *"nosuch"* ]]
		[[ $stderr == *"no such node"* ]]
	done
	run st status
	assert_success
}

@test "stop with no path: exit 2" {
	start_cmds
	run --separate-stderr st stop
	assert_failure 2
	[[ $stderr == *"no node given"* ]]
}

@test "an unknown path among good ones acts on none" {
	start_cmds
	local pid
	pid=$(node_pid web)
	run --separate-stderr st stop web nosuch
	assert_failure 2
	[ "$(node_pid web)" = "$pid" ]
	run node_field web state
	assert_output running
}

# ---------------------------------------------------------------- signal

@test "signal HUP PATH reaches the worker" {
	write_spec hup.ini <<-EOF
	[supertree]
	name = hup
	[web]
	command = sh -c 'trap "echo hup >>$T/hup" HUP; while :; do sleep 0.1; done'
	EOF
	start_tree "$T/hup.ini"
	wait_for node_state_is web running
	local pid
	pid=$(node_pid web)
	run st signal HUP web
	assert_success
	wait_for test -s "$T/hup"
	# Trapped, so the worker lives on.
	[ "$(node_pid web)" = "$pid" ]
	alive "$pid"
}

@test "signal takes names with SIG, and numbers" {
	write_spec hup.ini <<-EOF
	[supertree]
	name = hup
	[web]
	command = sh -c 'trap "echo usr1 >>$T/sig" USR1; trap "echo hup >>$T/sig" HUP; while :; do sleep 0.1; done'
	EOF
	start_tree "$T/hup.ini"
	wait_for node_state_is web running
	run st signal SIGUSR1 web
	assert_success
	wait_for grep -q usr1 "$T/sig"
	run st signal 1 web
	assert_success
	wait_for grep -q hup "$T/sig"
}

@test "signal to a supervisor path reaches every worker below it" {
	write_spec hup.ini <<-EOF
	[supertree]
	name = hup
	[grp]
	[grp/a]
	command = sh -c 'trap "echo a >>$T/a" HUP; while :; do sleep 0.1; done'
	[grp/b]
	command = sh -c 'trap "echo b >>$T/b" HUP; while :; do sleep 0.1; done'
	EOF
	start_tree "$T/hup.ini"
	wait_for node_state_is grp/a running
	wait_for node_state_is grp/b running
	run st signal HUP grp
	assert_success
	wait_for test -s "$T/a"
	wait_for test -s "$T/b"
}

@test "signal KILL is seen as a crash and the worker is restarted" {
	start_cmds
	local pid
	pid=$(node_pid web)
	run st signal KILL web
	assert_success
	wait_for pid_changed web "$pid"
	run node_field web last_exit.signal
	assert_output KILL
	run node_field web restarts
	assert_output 1
	run node_field supertree intensity_used
	assert_output 1
}

@test "signal with an unknown signal name: exit 2" {
	start_cmds
	run --separate-stderr st signal NOPE web
	assert_failure 2
	[[ $stderr == *"NOPE"* ]]
}

# ----------------------------------------------------------- concurrency

@test "ten concurrent restarts leave exactly one web process" {
	start_cmds
	local i pids=() rc=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		st restart web >"$T/r$i.out" 2>"$T/r$i.err" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || {
			rc=$?
			echo "restart $((i + 1)) exited $rc: $(cat "$T/r$((i + 1)).err")"
		}
	done
	[ "$rc" -eq 0 ]
	wait_for node_state_is web running
	wait_for count_is 1 sleep 1000
	[ "$(pids_of sleep 1000)" = "$(node_pid web)" ]
	run node_field supertree state
	assert_output running
	run node_field supertree intensity_used
	assert_output 0
}

@test "concurrent stop and start end in a consistent state" {
	start_cmds
	local i pids=()
	for i in 1 2 3 4 5; do
		st stop web >/dev/null 2>&1 &
		pids+=($!)
		st start web >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	# Whatever won, the tree agrees with the processes.
	run st start web
	assert_success
	wait_for count_is 1 sleep 1000
	[ "$(pids_of sleep 1000)" = "$(node_pid web)" ]
}

# ------------------------------------------------------------------ wait

@test "wait --for running succeeds at once for a running worker" {
	start_cmds
	run st wait --for running --timeout 5s web
	assert_success
}

@test "wait --for running waits for a start" {
	start_cmds
	run st stop web
	assert_success
	st wait --for running --timeout 20s web >"$T/w.out" 2>&1 &
	local w=$!
	BG_PIDS="$BG_PIDS $w"
	run st start --no-wait web
	assert_success
	local rc=0
	wait "$w" || rc=$?
	[ "$rc" -eq 0 ]
}

@test "wait --for stopped succeeds after a stop" {
	start_cmds
	st wait --for stopped --timeout 20s web >"$T/w.out" 2>&1 &
	local w=$!
	BG_PIDS="$BG_PIDS $w"
	run st stop web
	assert_success
	local rc=0
	wait "$w" || rc=$?
	[ "$rc" -eq 0 ]
}

@test "wait --for exited succeeds when a temporary worker ends" {
	write_spec once.ini <<-EOF
	[supertree]
	name = once
	[once]
	command = sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done'
	restart = temporary
	EOF
	start_tree "$T/once.ini"
	wait_for node_state_is once running
	st wait --for exited --timeout 20s once >"$T/w.out" 2>&1 &
	local w=$!
	BG_PIDS="$BG_PIDS $w"
	touch "$T/go"
	local rc=0
	wait "$w" || rc=$?
	[ "$rc" -eq 0 ]
	run node_field once state
	assert_output exited
}

@test "wait --timeout: exit 5 with a message when the state never comes" {
	start_cmds
	run --separate-stderr st wait --for stopped --timeout 1s web
	assert_failure 5
	[[ $stderr == *"timed out"* ]]
	[[ $stderr == *"web"* ]]
}

@test "wait accepts its options after the path (wait PATH --for STATE --timeout D)" {
	start_cmds
	run st wait web --for running --timeout 5s
	assert_success
	run st wait web --for stopped --timeout 1s
	assert_failure 5
}

@test "wait --for running exits 1 when the worker fails for good" {
	write_spec fail.ini <<-EOF
	[supertree]
	name = fail
	[web]
	command = sleep 1000
	[crash]
	command = sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done; exit 1'
	max_restarts = 1
	backoff_min = 10ms
	EOF
	start_tree "$T/fail.ini"
	wait_for node_state_is crash running
	touch "$T/go"
	wait_for node_state_is crash failed
	run --separate-stderr st wait --for running --timeout 10s crash
	assert_failure 1
	[[ $stderr == *"crash"* && $stderr == *"failed"* ]]
	run st wait --for exited --timeout 5s crash
	assert_success
}

@test "wait --for with a bad state: exit 2" {
	start_cmds
	run --separate-stderr st wait --for sideways web
	assert_failure 2
	[[ $stderr == *"sideways"* ]]
}

@test "wait of several paths waits for all" {
	start_cmds
	run st wait --for running --timeout 5s web grp/a grp/b
	assert_success
	run st stop web
	assert_success
	run st wait --for stopped --timeout 1s web grp/a
	assert_failure 5
}

# ---------------------------------------------------------------- events

# Restart web, then look for its "running" event with a new pid.
restart_seen() {
	local old
	old=$(node_pid web)
	st restart web
	grep -F '"path":"web"' "$T/ev" | grep -F '"state":"running"' |
	    grep -qvF "\"pid\":$old,"
}

@test "events streams state changes as JSON lines" {
	start_cmds
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" events >"$T/ev" 2>"$T/ev.err" &
	local ev=$!
	BG_PIDS="$BG_PIDS $ev"
	wait_for restart_seen
	# Every line is one JSON object with the status schema.
	run jq -e -s 'length > 0 and all(.[]; (.path | type == "string") and
	    (.state | type == "string") and has("pid") and has("restarts"))' \
	    "$T/ev"
	assert_success
	grep -F '"path":"web"' "$T/ev" | grep -qF '"state":"stopping"'
	grep -F '"path":"web"' "$T/ev" | grep -qF '"state":"stopped"'
	kill -TERM "$ev"
	wait_for not_alive "$ev"
	st status --quiet
}

@test "events keeps streaming to two clients at once" {
	start_cmds
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" events >"$T/ev" 2>/dev/null &
	BG_PIDS="$BG_PIDS $!"
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" events >"$T/ev2" 2>/dev/null &
	BG_PIDS="$BG_PIDS $!"
	wait_for restart_seen
	cp "$T/ev2" "$T/ev"
	wait_for restart_seen
}

@test "events ends with exit 0 when the tree shuts down" {
	start_cmds
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" events >"$T/ev" 2>"$T/ev.err" &
	local ev=$! rc=0
	BG_PIDS="$BG_PIDS $ev"
	wait_for restart_seen
	run st shutdown
	assert_success
	wait_for not_alive "$ev"
	wait "$ev" || rc=$?
	cat "$T/ev.err"
	[ "$rc" -eq 0 ]
	# The last word is the root's own stop.
	tail -1 "$T/ev" | grep -qF '"path":"supertree"'
}

# -------------------------------------------------------------- shutdown

@test "shutdown stops the tree cleanly and returns once it is down" {
	start_cmds
	local root
	root=$(node_pid supertree)
	run st shutdown
	assert_success
	not_alive "$root"
	wait_tree
	[ "$TREE_STATUS" -eq 0 ]
	[ -z "$(marked_pids)" ]
	[ ! -e "$SOCK" ]
	run st status
	assert_failure 4
}

@test "shutdown logs the request and stops every worker" {
	start_cmds
	run st shutdown
	assert_success
	wait_tree
	err_has "shutting down (requested)"
	err_has "web: stopped"
	err_has "grp/a: stopped"
}

@test "shutdown with an extra argument: exit 2" {
	start_cmds
	run --separate-stderr st shutdown now please
	assert_failure 2
	run st status
	assert_success
}
