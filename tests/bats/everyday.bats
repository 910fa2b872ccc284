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

# ------------------------------------------------------------------ wrap

# wrap ARGS...: supertree wrap in the foreground, with a deadline.
wrap() {
	timeout -k 5 60 env ST_MARK="$ST_MARK" "$SUPERTREE" wrap -S "$SOCK" "$@"
}

@test "wrap: a command that is not found ends wrap at once with 127" {
	local t0
	t0=$(date +%s%N)
	run -127 --separate-stderr wrap -- "$T/no-such-program"
	# At once: not after minutes of backoff.
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 10000 ]
	[[ $stderr == *"supertree: wrap: $T/no-such-program: cannot run it: No such file or directory"* ]]
	# It was tried once, not retried.
	[ "$(grep -c 'start failed' <<<"$stderr")" -eq 1 ]
	[[ $stderr != *"restart 2"* ]]
	[ -z "$(marked_pids)" ]
}

@test "wrap: a command that is not executable ends wrap at once with 127" {
	printf 'echo hi\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	run -127 --separate-stderr wrap -q -- "$T/noexec"
	# -q: no event lines, but the reason still.
	[[ $stderr == *"supertree: wrap: $T/noexec: cannot run it: Permission denied"* ]]
	[[ $stderr != *"start failed"* ]]
}

@test "wrap: a file the kernel cannot run ends wrap at once with 127" {
	printf '\001\002\003 not a program\n' >"$T/garbage"
	chmod 755 "$T/garbage"
	run -127 --separate-stderr wrap -- "$T/garbage"
	[[ $stderr == *"cannot run it: Exec format error"* ]]
}

@test "wrap: after a first start, a failed exec is retried as a start failure" {
	# The script replaces itself by an unrunnable file after its first run.
	cat >"$T/prog" <<-EOF
	#!/bin/sh
	echo run >>$T/runs
	printf 'echo hi\\n' >$T/prog.new
	chmod 644 $T/prog.new
	mv $T/prog.new $T/prog
	exit 3
	EOF
	chmod 755 "$T/prog"
	run --separate-stderr wrap --max-restarts 2 --backoff-min 10ms -- "$T/prog"
	# Retried until max-restarts (then 127: it never ran again).
	[[ $stderr == *"start failed: exec: Permission denied"* ]]
	[[ $stderr == *"max_restarts 2 reached"* ]]
	[[ $stderr != *"cannot run it"* ]]
	[ "$(wc -l <"$T/runs")" -eq 1 ]
}

@test "wrap: the tree and its worker have different names in event lines" {
	run --separate-stderr wrap -- sh -c 'exit 0'
	assert_success
	[ "$(grep -c 'supertree: sh: started pid' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c 'supertree: wrap-sh: started pid' <<<"$stderr")" -eq 1 ]
}

@test "wrap: the worker is a node a live command can name" {
	ST_MARK=$ST_MARK "$SUPERTREE" wrap -S "$SOCK" --name job -- \
	    sh -c "echo \$\$ >>$T/pids; exec sleep 1000" >"$T/out" 2>"$T/err" 3>&- &
	TREE_PID=$!
	wait_for st_answers
	wait_for node_state_is job running
	assert_equal "$(node_field supertree name)" wrap-job
	run st restart job
	assert_success
	[ "$(wc -l <"$T/pids")" -eq 2 ]
}

@test "wrap: a bad option value names the option, in one prefix style" {
	run --separate-stderr "$SUPERTREE" wrap -S "$SOCK" --restart sometimes -- true
	assert_failure 2
	[[ $stderr == "supertree: wrap: --restart: invalid value 'sometimes'"* ]]
	run --separate-stderr "$SUPERTREE" wrap -S "$SOCK" --name 'a b' -- true
	assert_failure 2
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	[[ $stderr == "supertree: wrap: --name 'a b': not a valid name"* ]]
	run --separate-stderr "$SUPERTREE" wrap -S "$SOCK" --bogus -- true
	assert_failure 2
	[[ ${stderr%%$'\n'*} == "supertree: wrap: unknown option '--bogus'" ]]
	[[ $stderr == *"usage: supertree wrap"* ]]
}

@test "help wrap lists -q and -S" {
	run "$SUPERTREE" help wrap
	assert_success
	[[ $output == *"[-q]"* ]]
	[[ $output == *"[-S socket]"* ]]
}

# ---------------------------------------------------------------- notify

@test "notify: a missing NOTIFY_SOCKET is said once, and the tree runs" {
	write_spec n.ini <<-EOF
	[supertree]
	name = n
	[w]
	command = sleep 1000
	[v]
	command = sleep 1000
	EOF
	NOTIFY_SOCKET=$T/nobody.sock start_tree "$T/n.ini"
	wait_for node_state_is v running
	run st status --quiet
	assert_success
	stop_tree
	[ "$(grep -c "NOTIFY_SOCKET $T/nobody.sock: cannot notify" "$T/err")" -eq 1 ]
	grep -q "No such file or directory" "$T/err"
}

@test "notify: a NOTIFY_SOCKET nobody listens on is said once" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	python3 -c "import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind('$T/dead.sock')"
	[ -S "$T/dead.sock" ]
	write_spec n.ini <<-EOF
	[supertree]
	name = n
	[w]
	command = sleep 1000
	EOF
	NOTIFY_SOCKET=$T/dead.sock start_tree "$T/n.ini"
	wait_for node_state_is w running
	stop_tree
	[ "$(grep -c "NOTIFY_SOCKET $T/dead.sock: cannot notify" "$T/err")" -eq 1 ]
	grep -q "Connection refused" "$T/err"
}

@test "notify: a NOTIFY_SOCKET that is not a path is said" {
	write_spec n.ini <<-EOF
	[supertree]
	name = n
	[w]
	command = sleep 1000
	EOF
	NOTIFY_SOCKET=relative.sock start_tree "$T/n.ini"
	wait_for node_state_is w running
	stop_tree
	grep -q "NOTIFY_SOCKET 'relative.sock': not an absolute path" "$T/err"
}

# -------------------------------------------------------------- messages

@test "supertree.ini(5) shows the inline-comment example with its blank" {
	command -v groff >/dev/null || skip "groff is not installed"
	local src=${SUPERTREE_SRCDIR:-$BATS_TEST_DIRNAME/../..}
	run groff -mandoc -Tutf8 -rLL=300n "$src/docs/supertree.ini.5"
	assert_success
	[[ $output == *'command = sh -c "a ; b"'* ]]
}

@test "ls lists the trees sorted by name" {
	local n
	for n in zeta alpha mid; do
		printf '[supertree]\nname = %s\n[w]\ncommand = sleep 1000\n' \
		    "$n" >"$T/$n.ini"
		ST_MARK=$ST_MARK "$SUPERTREE" run "$T/$n.ini" >/dev/null \
		    2>&1 3>&- &
		BG_PIDS="$BG_PIDS $!"
		wait_for "$SUPERTREE" status --quiet "$n"
	done
	run "$SUPERTREE" ls
	assert_success
	assert_output "$(printf 'alpha\nmid\nzeta')"
}

@test "already running: the hint names the tree" {
	unset SUPERTREE_SOCKET
	printf '[supertree]\nname = twice\n[w]\ncommand = sleep 1000\n' >"$T/twice.ini"
	ST_MARK=$ST_MARK "$SUPERTREE" run "$T/twice.ini" >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for "$SUPERTREE" status --quiet twice
	run --separate-stderr timeout 10 "$SUPERTREE" run "$T/twice.ini"
	assert_failure 6
	[[ $stderr == *"tree twice is already running"* ]]
	[[ $stderr == *"'supertree shutdown twice'"* ]]
	# On a socket of its own: the hint gives it.
	start_tree "$T/twice.ini"
	run --separate-stderr timeout 10 "$SUPERTREE" run -S "$SOCK" "$T/twice.ini"
	assert_failure 6
	[[ $stderr == *"'supertree -S $SOCK shutdown'"* ]]
}

# usage_error EXPECTED CMD...: exit 2, EXPECTED on the first line of
# stderr, then the usage line.
usage_error() {
	local want=$1
	shift
	run --separate-stderr "$@"
	assert_failure 2
	[[ ${stderr%%$'\n'*} == *"$want"* ]]
	[[ $stderr == *"usage: supertree"* ]]
}

@test "usage errors say what was wrong before the usage line" {
	printf '[supertree]\nname = real\n[w]\ncommand = sleep 1000\n' >"$T/real.ini"
	start_tree "$T/real.ini"
	wait_for node_state_is w running
	usage_error "supertree: logs: no worker given" st logs
	usage_error "supertree: logs: one worker at a time ('x' is one too many)" \
	    st logs w x
	usage_error "supertree: run: one FILE at a time ('extra' is one too many)" \
	    "$SUPERTREE" run "$T/real.ini" extra
	usage_error "supertree: run: no FILE given" "$SUPERTREE" run
	usage_error "supertree: run: unknown option '--bogus'" \
	    "$SUPERTREE" run --bogus "$T/real.ini"
	usage_error "supertree: check: one FILE at a time" \
	    "$SUPERTREE" check "$T/real.ini" extra
	usage_error "supertree: wrap: no command given" "$SUPERTREE" wrap
	usage_error "supertree: ls: unexpected argument 'x'" "$SUPERTREE" ls x
	usage_error "supertree: no command given" "$SUPERTREE"
}

@test "logs NAME with the tree's name alone says a worker is missing" {
	unset SUPERTREE_SOCKET
	printf '[supertree]\nname = real\n[w]\ncommand = sleep 1000\n' >"$T/real.ini"
	ST_MARK=$ST_MARK "$SUPERTREE" run "$T/real.ini" >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for "$SUPERTREE" status --quiet real
	usage_error "supertree: logs: no worker given" "$SUPERTREE" logs real
}

@test "the first Ctrl-C says that a second one kills everything" {
	printf '[supertree]\nname = intr\n[w]\ncommand = sleep 1000\n' >"$T/intr.ini"
	start_tree "$T/intr.ini"
	wait_for node_state_is w running
	kill -INT "$TREE_PID"
	wait_tree
	err_has "intr: shutting down (SIGINT): interrupt again to kill everything at once"
}

@test "status: a supervisor's used restarts go down as its period passes" {
	seq_worker w "exit 1" "exec sleep 1000"
	write_spec budget.ini <<-EOF
	[supertree]
	name = budget
	[sup]
	intensity = 5
	period = 5s
	[sup/w]
	command = sh $T/w.sh
	backoff_min = 10ms
	EOF
	local t0
	t0=$(date +%s%N)
	start_tree "$T/budget.ini"
	wait_for runs_ge w 2
	wait_for node_state_is sup/w running
	# The restart counts at once (unless a loaded machine took the whole
	# period to get here)...
	if [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 4000 ]; then
		run st status sup
		assert_output --partial "one_for_one 1/5 in 5s"
	fi
	# ...and no more once the period has passed, with no new report.
	wait_for -t 15 eval '[ "$(node_field sup intensity_used)" = 0 ]'
	run st status sup
	assert_output --partial "one_for_one 0/5 in 5s"
}
