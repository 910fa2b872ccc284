#!/usr/bin/env bats
# reload.bats: `supertree reload` and SIGHUP re-read the spec file and
# apply the difference: new nodes start, removed nodes stop, changed
# workers restart with their new settings, everything else runs on
# undisturbed. An invalid spec changes nothing.

bats_require_minimum_version 1.5.0
load helpers

# spec_v NAME: the spec text on stdin, written over $T/tree.ini (the file
# the tree was started from); prints the path.
spec_v() {
	cat >"$T/tree.ini"
	echo "$T/tree.ini"
}

root() {
	printf '[supertree]\nname = rl-%s\nintensity = 100\nperiod = 60s\n\n' \
	    "$BATS_TEST_NUMBER"
}

all_running() {
	local n
	n=$(st status --json | jq '[.[] | select(.state != "running" and .state != "ready")] | length')
	[ "$n" = 0 ]
}

has_node() {
	st status --json | jq -e --arg p "$1" 'any(.[]; .path == $p)' >/dev/null
}

# field_is PATH FIELD VALUE
field_is() {
	[ "$(node_field "$1" "$2")" = "$3" ]
}

# pid_changed_to PATH OLDPID STATE
pid_changed_to() {
	local p
	p=$(node_pid "$1")
	[ "$p" != null ] && [ "$p" != "$2" ] && node_state_is "$1" "$3"
}

# Process $1 has a socket open.
has_socket() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'socket:'
}

# The argv of a process, one word a line.
cmdline() {
	tr '\0' '\n' <"/proc/$1/cmdline"
}

# The pids of every node, "path pid" a line, sorted.
all_pids() {
	st status --json | jq -r '.[] | "\(.path) \(.pid)"' | sort
}

three() {
	root
	cat <<-EOF
	[a]
	command = sleep 1001

	[b]
	command = sleep 1002

	[c]
	command = sleep 1003
	EOF
}

@test "reload: a new node is started" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	before=$(all_pids)
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } | spec_v >/dev/null
	run st reload
	assert_success
	assert_output "reloaded rl-$BATS_TEST_NUMBER: 1 added, 0 removed, 0 changed"
	wait_for node_state_is d running
	assert_equal "$(cmdline "$(node_pid d)" | tail -1)" 1004
	# The others run on: same pids.
	assert_equal "$(all_pids | grep -v '^d ')" "$before"
	wait_for err_has "reloaded: 1 added, 0 removed, 0 changed"
}

@test "reload: a removed node is stopped" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	bpid=$(node_pid b)
	apid=$(node_pid a)
	cpid=$(node_pid c)
	{ root; printf '[a]\ncommand = sleep 1001\n\n[c]\ncommand = sleep 1003\n'; } |
	    spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 1 removed, 0 changed"
	wait_for not_alive "$bpid"
	wait_for err_has "b: removed by reload: stopping"
	run has_node b
	assert_failure
	assert_equal "$(node_pid a)" "$apid"
	assert_equal "$(node_pid c)" "$cpid"
	alive "$apid"
	alive "$cpid"
}

@test "reload: a supervisor that loses a running child by reload is ready again" {
	start_tree "$({ root; printf '[s]\n\n[s/a]\ncommand = sleep 1001\n\n[s/b]\ncommand = sleep 1002\n\n[s/c]\ncommand = sleep 1003\n'; } | spec_v)"
	wait_for field_is s ready true
	bpid=$(node_pid s/b)
	{ root; printf '[s]\n\n[s/a]\ncommand = sleep 1001\n\n[s/c]\ncommand = sleep 1003\n'; } |
	    spec_v >/dev/null
	run st reload
	assert_success
	wait_for not_alive "$bpid"
	wait_for field_is s ready true
	# Its start answers at once: it is running and ready.
	run timeout 10 "$SUPERTREE" -S "$SOCK" start s
	assert_success
	run st status --json
	assert_equal "$(jq -r '.[] | select(.kind == "supervisor") | .ready' <<<"$output" | sort -u)" true
}

@test "reload: a changed command restarts the node with the new command" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	apid=$(node_pid a)
	bpid=$(node_pid b)
	cpid=$(node_pid c)
	three | sed 's/sleep 1002/sleep 2002/' | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 0 removed, 1 changed"
	wait_for pid_changed b "$bpid"
	wait_for not_alive "$bpid"
	assert_equal "$(cmdline "$(node_pid b)")" "$(printf 'sleep\n2002')"
	assert_equal "$(node_field b command)" "$(printf '[\n  "sleep",\n  "2002"\n]')"
	err_has "b: changed by reload: restarting"
	assert_equal "$(node_pid a)" "$apid"
	assert_equal "$(node_pid c)" "$cpid"
}

@test "reload: added, removed and changed at once" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	apid=$(node_pid a)
	bpid=$(node_pid b)
	cpid=$(node_pid c)
	{
		root
		printf '[a]\ncommand = sleep 1001\n\n'
		printf '[b]\ncommand = sleep 2002\n\n'
		printf '[e]\ncommand = sleep 1005\n'
	} | spec_v >/dev/null
	run st reload
	assert_success
	assert_output "reloaded rl-$BATS_TEST_NUMBER: 1 added, 1 removed, 1 changed"
	wait_for err_has "reloaded: 1 added, 1 removed, 1 changed"
	wait_for not_alive "$cpid"
	wait_for pid_changed b "$bpid"
	wait_for node_state_is e running
	assert_equal "$(node_pid a)" "$apid"
	run has_node c
	assert_failure
	# The order of the new spec: a, b, e.
	assert_equal "$(st status --json | jq -r '.[].path' | tr '\n' ' ')" \
	    "supertree a b e "
}

@test "reload: an unchanged node keeps its pid and restart count" {
	# w crashes twice, then runs.
	cat >"$T/w.sh" <<-EOF
	echo \$\$ >>$T/w.pids
	[ "\$(wc -l <$T/w.pids)" -ge 3 ] || exit 1
	exec sleep 1000
	EOF
	spec() {
		root
		printf '[w]\ncommand = sh %s/w.sh\n\n' "$T"
		printf '[x]\ncommand = sleep %s\n' "$1"
	}
	start_tree "$(spec 1001 | spec_v)"
	wait_for node_restarts_ge w 2
	wait_for node_state_is w running
	wpid=$(node_pid w)
	xpid=$(node_pid x)
	assert_equal "$(node_field w restarts)" 2
	spec 2001 | spec_v >/dev/null
	run st reload
	assert_success
	wait_for pid_changed x "$xpid"
	assert_equal "$(node_pid w)" "$wpid"
	assert_equal "$(node_field w restarts)" 2
	assert_equal "$(node_field w last_exit.code)" 1
	assert_equal "$(wc -l <"$T/w.pids")" 3
}

@test "reload: kill -HUP of supertree run reloads" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	bpid=$(node_pid b)
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } |
	    sed 's/sleep 1002/sleep 2002/' | spec_v >/dev/null
	kill -HUP "$TREE_PID"
	wait_for err_has "reloaded: 1 added, 0 removed, 1 changed"
	wait_for node_state_is d running
	wait_for pid_changed b "$bpid"
	assert_equal "$(cmdline "$(node_pid b)" | tail -1)" 2002
	alive "$TREE_PID"
}

@test "reload: an invalid spec is refused with check's errors; the tree runs on" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	before=$(all_pids)
	{
		three | sed 's/sleep 1002/sleep 2002/'
		printf '\n[d]\ncommand = sleep 1004\nready = bogus\nrestart = sometimes\n'
	} | spec_v >/dev/null
	run -2 --separate-stderr "$SUPERTREE" check "$T/tree.ini"
	check_err=$stderr
	[ -n "$check_err" ]
	[[ $check_err == *"tree.ini:17: [d]: key 'ready'"* ]]
	[[ $check_err == *"tree.ini:18: [d]: key 'restart'"* ]]
	run -2 --separate-stderr st reload
	# Every line check printed, word for word.
	while IFS= read -r line; do
		[[ $stderr == *"$line"* ]] || {
			echo "missing from reload: $line" >&2
			false
		}
	done <<<"$check_err"
	[[ $stderr == *"the tree runs on unchanged"* ]]
	[ -z "$output" ]
	# Nothing changed: same nodes, same pids, no stop.
	assert_equal "$(all_pids)" "$before"
	run has_node d
	assert_failure
	run err_has "by reload"
	assert_failure
	run err_has "reloaded:"
	assert_failure
	alive "$TREE_PID"
}

@test "reload: an invalid spec on SIGHUP is logged and changes nothing" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	before=$(all_pids)
	{ three; printf '\n[d]\ncommand = sleep 1004\nbogus_key = 1\n'; } |
	    spec_v >/dev/null
	kill -HUP "$TREE_PID"
	wait_for err_has "the tree runs on unchanged"
	err_has "tree.ini:17:"
	err_has "unknown key 'bogus_key'"
	assert_equal "$(all_pids)" "$before"
	alive "$TREE_PID"
	# A good spec afterwards still applies.
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } | spec_v >/dev/null
	run st reload
	assert_success
	wait_for node_state_is d running
}

@test "reload: a tree started from stdin cannot be reloaded" {
	three >"$T/stdin.ini"
	# start_tree, with the spec on stdin (an & command's stdin is
	# /dev/null unless redirected on the command itself).
	ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" - <"$T/stdin.ini" \
	    >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
	wait_for all_running
	before=$(all_pids)
	run -2 --separate-stderr st reload
	[[ $stderr == *"came from stdin"* ]]
	[[ $stderr == *"no file to re-read"* ]]
	assert_equal "$(all_pids)" "$before"
	# SIGHUP neither reloads nor stops it.
	kill -HUP "$TREE_PID"
	wait_for err_has "no file to re-read"
	alive "$TREE_PID"
	assert_equal "$(all_pids)" "$before"
}

# A supervisor with two workers, and its strategy.
grp_spec() {
	root
	cat <<-EOF
	[grp]
	strategy = $1

	[grp/x]
	command = sleep 1001

	[grp/y]
	command = sleep 1002
	EOF
}

@test "reload: a supervisor's new strategy applies without restarting its children" {
	start_tree "$(grp_spec one_for_one | spec_v)"
	wait_for all_running
	before=$(all_pids)
	grp_spec one_for_all | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 0 removed, 0 changed"
	wait_for field_is grp strategy one_for_all
	assert_equal "$(all_pids)" "$before"
	run err_has "by reload"
	assert_failure
	# And it is the strategy in force: x's crash now restarts y too.
	ypid=$(node_pid grp/y)
	kill -KILL "$(node_pid grp/x)"
	wait_for pid_changed grp/y "$ypid"
	wait_for node_state_is grp/x running
}

@test "reload: a changed worker below a supervisor restarts alone" {
	start_tree "$(grp_spec one_for_all | spec_v)"
	wait_for all_running
	gpid=$(node_pid grp)
	xpid=$(node_pid grp/x)
	ypid=$(node_pid grp/y)
	grp_spec one_for_all | sed 's/sleep 1002/sleep 2002/' | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 0 removed, 1 changed"
	wait_for pid_changed grp/y "$ypid"
	assert_equal "$(cmdline "$(node_pid grp/y)" | tail -1)" 2002
	# A reload is not a crash: one_for_all does not restart x.
	assert_equal "$(node_pid grp/x)" "$xpid"
	assert_equal "$(node_pid grp)" "$gpid"
	assert_equal "$(node_field grp/y restarts)" 0
	wait_for err_has "grp/y: changed by reload: restarting"
}

@test "reload: a new supervisor with its children is started" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	{ three; printf '\n[g2]\n\n[g2/p]\ncommand = sleep 1006\n\n[g2/q]\ncommand = sleep 1007\n'; } |
	    spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "3 added, 0 removed, 0 changed"
	wait_for node_state_is g2/q running
	wait_for node_state_is g2/p running
	assert_equal "$(cmdline "$(node_pid g2/q)" | tail -1)" 1007
}

@test "reload: a removed supervisor stops with its whole subtree" {
	start_tree "$(grp_spec one_for_one | spec_v)"
	wait_for all_running
	gpid=$(node_pid grp)
	xpid=$(node_pid grp/x)
	ypid=$(node_pid grp/y)
	{ root; printf '[other]\ncommand = sleep 1009\n'; } | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "1 added, 3 removed, 0 changed"
	wait_for not_alive "$xpid"
	wait_for not_alive "$ypid"
	wait_for not_alive "$gpid"
	wait_for node_state_is other running
	assert_equal "$(st status --json | jq -r '.[].path' | tr '\n' ' ')" \
	    "supertree other "
}

@test "reload: a worker's new readiness setting applies to its restart" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	bpid=$(node_pid b)
	three | sed "s|^command = sleep 1002|command = sh -c 'sleep 0.2; echo >\&3; exec sleep 1002'\nready = fd:3|" |
	    spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "1 changed"
	wait_for pid_changed_to b "$bpid" ready
}

@test "reload: the same spec again changes nothing" {
	start_tree "$(grp_spec rest_for_one | spec_v)"
	wait_for all_running
	before=$(all_pids)
	run st reload
	assert_success
	assert_output "reloaded rl-$BATS_TEST_NUMBER: 0 added, 0 removed, 0 changed"
	run st reload
	assert_success
	assert_equal "$(all_pids)" "$before"
	run err_has "by reload"
	assert_failure
}

@test "reload: reordered siblings keep their processes and take the new order" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	before=$(all_pids)
	{
		root
		printf '[c]\ncommand = sleep 1003\n\n'
		printf '[a]\ncommand = sleep 1001\n\n'
		printf '[b]\ncommand = sleep 1002\n'
	} | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 0 removed, 0 changed"
	assert_equal "$(all_pids)" "$before"
	assert_equal "$(st status --json | jq -r '.[].path' | tr '\n' ' ')" \
	    "supertree c a b "
	# The new order is the stop order too: b, a, c (reverse).
	stop_tree
	sed -n 's/.* supertree: \([abc]\): stopping.*/\1/p' "$T/err" |
	    tr '\n' ' ' >"$T/order"
	assert_equal "$(cat "$T/order")" "b a c "
}

@test "reload: a changed environment restarts the worker with it" {
	spec() {
		root
		printf '[w]\ncommand = sh -c %s\nenvironment = COLOR=%s\n' \
		    "'echo \$COLOR >>$T/colors; exec sleep 1000'" "$1"
	}
	start_tree "$(spec red | spec_v)"
	wait_for node_state_is w running
	pid=$(node_pid w)
	spec blue | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "1 changed"
	wait_for pid_changed w "$pid"
	wait_for grep -qx blue "$T/colors"
	assert_equal "$(cat "$T/colors")" "$(printf 'red\nblue')"
}

@test "reload: a changed worker's replacement starts only once the old one is gone" {
	# The old one ignores SIGTERM: it goes only at the SIGKILL after
	# shutdown = 1s. The new one checks at its start whether it is gone.
	spec() {
		root
		printf '[w]\ncommand = sh %s/%s.sh\nshutdown = 1s\n' "$T" "$1"
	}
	cat >"$T/old.sh" <<-EOF
	trap '' TERM
	echo \$\$ >$T/old.pid
	exec sleep 1000
	EOF
	cat >"$T/new.sh" <<-EOF
	if kill -0 \$(cat $T/old.pid) 2>/dev/null; then echo overlap; else echo alone; fi >$T/new.saw
	exec sleep 1000
	EOF
	start_tree "$(spec old | spec_v)"
	wait_for node_state_is w running
	wait_for test -s "$T/old.pid"
	spec new | spec_v >/dev/null
	run st reload
	assert_success
	wait_for test -s "$T/new.saw"
	assert_equal "$(cat "$T/new.saw")" alone
	err_has "w: still running after 1s, sending SIGKILL"
	wait_for node_state_is w running
}

@test "reload: a worker that becomes a supervisor is replaced" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	bpid=$(node_pid b)
	{
		root
		printf '[a]\ncommand = sleep 1001\n\n[b]\n\n'
		printf '[b/inner]\ncommand = sleep 1008\n\n'
		printf '[c]\ncommand = sleep 1003\n'
	} | spec_v >/dev/null
	run st reload
	assert_success
	wait_for not_alive "$bpid"
	wait_for node_state_is b/inner running
	assert_equal "$(node_field b kind)" supervisor
	# b is not new and not gone: it changed.
	assert_output --partial "1 added, 0 removed, 1 changed"
}

@test "reload: a wait in progress is ended, as its nodes may have changed" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" wait --for stopped --timeout 20s a >"$T/wait.out" 2>&1 &
	wpid=$!
	# It is connected (and sends its request at once).
	wait_for has_socket "$wpid"
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } | spec_v >/dev/null
	run st reload
	assert_success
	rc=0
	wait "$wpid" || rc=$?
	assert_equal "$rc" 1
	grep -qF "the tree was reloaded" "$T/wait.out"
}

@test "reload: a new tree name is reported as needing a restart" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	three | sed "s/^name = .*/name = renamed-$BATS_TEST_NUMBER/" | spec_v >/dev/null
	run --separate-stderr st reload
	assert_success
	[[ $stderr == *"a new tree name takes effect only after a restart"* ]]
	assert_equal "$(node_field supertree name)" "rl-$BATS_TEST_NUMBER"
}

@test "reload: a changed root intensity shows in status" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	before=$(all_pids)
	three | sed 's/^intensity = 100/intensity = 7/' | spec_v >/dev/null
	run st reload
	assert_success
	wait_for field_is supertree intensity 7
	assert_equal "$(all_pids)" "$before"
}

@test "reload: a worker stopped by hand stays stopped when it is unchanged" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	run st stop b
	assert_success
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } | spec_v >/dev/null
	run st reload
	assert_success
	wait_for node_state_is d running
	assert_equal "$(node_field b state)" stopped
	assert_equal "$(node_field b manual)" true
}

@test "reload: a starting worker that is removed is stopped, and the next one starts" {
	spec() {
		root
		printf '[a]\ncommand = sleep 1001\n\n'
		if [ "$1" = with ]; then
			printf '[gated]\ncommand = sh -c %s\nready = fd:3\n\n' \
			    "'while :; do sleep 1; done'"
		fi
		printf '[z]\ncommand = sleep 1009\n'
	}
	start_tree "$(spec with | spec_v)"
	wait_for node_state_is gated starting
	gpid=$(node_pid gated)
	assert_equal "$(node_field z pid)" null
	spec without | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "0 added, 1 removed, 0 changed"
	wait_for not_alive "$gpid"
	wait_for node_state_is z running
	run st status --quiet
	assert_success
}

@test "reload: two reloads in a row still wait for the old process to go" {
	# The old process ignores SIGTERM and shutdown = infinity: it goes
	# only when the test kills it. The spec changes twice meanwhile; the
	# newest command must start only after the old process is gone.
	spec() {
		root
		printf '[x]\ncommand = sleep 1000\n\n'
		printf '[w]\ncommand = sh %s/%s.sh\nshutdown = infinity\n' "$T" "$1"
	}
	cat >"$T/old.sh" <<-EOF
	trap '' TERM
	echo \$\$ >$T/old.pid
	exec sleep 1000
	EOF
	for v in new1 new2; do
		cat >"$T/$v.sh" <<-EOF
		if kill -0 \$(cat $T/old.pid) 2>/dev/null; then echo overlap; else echo alone; fi >>$T/new.saw
		echo $v >>$T/new.saw
		exec sleep 1000
		EOF
	done
	start_tree "$(spec old | spec_v)"
	wait_for node_state_is w running
	wait_for test -s "$T/old.pid"
	spec new1 | spec_v >/dev/null
	run st reload
	assert_success
	wait_for err_has "w: stopping (SIGTERM)"
	spec new2 | spec_v >/dev/null
	run st reload
	assert_success
	# A command to x goes down the same link as the reload, after it: once
	# it is answered, the root supervisor has applied the reload.
	run st signal CONT x
	assert_success
	assert_equal "$(grep -c 'w: started pid' "$T/err")" 1
	kill -KILL "$(cat "$T/old.pid")"
	wait_for test -s "$T/new.saw"
	wait_for node_state_is w running
	assert_equal "$(cat "$T/new.saw")" "$(printf 'alone\nnew2')"
}

@test "reload: a crash-looping worker whose command is fixed starts at once" {
	spec() {
		root
		printf '[w]\ncommand = %s\nbackoff_min = 60s\n' "$1"
	}
	start_tree "$(spec 'sh -c "exit 3"' | spec_v)"
	wait_for node_state_is w backoff
	spec 'sleep 1000' | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "1 changed"
	# Not after the 60s backoff of the old command.
	wait_for -t 10 node_state_is w running
	assert_equal "$(cmdline "$(node_pid w)")" "$(printf 'sleep\n1000')"
}

@test "reload: a worker stopped by hand stays stopped when its settings change" {
	start_tree "$(three | spec_v)"
	wait_for all_running
	run st stop b
	assert_success
	three | sed 's/sleep 1002/sleep 2002/' | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "1 changed"
	{ three; printf '\n[d]\ncommand = sleep 1004\n'; } |
	    sed 's/sleep 1002/sleep 2002/' | spec_v >/dev/null
	# A second reload (adds d) is a point after which the first is done.
	run st reload
	assert_success
	wait_for node_state_is d running
	assert_equal "$(node_field b state)" stopped
	assert_equal "$(node_field b pid)" null
	assert_equal "$(node_field b manual)" true
	# The new settings apply at the next start by hand.
	run st start b
	assert_success
	wait_for node_state_is b running
	assert_equal "$(cmdline "$(node_pid b)" | tail -1)" 2002
}

@test "reload: a shutdown waits for a replaced worker that is still stopping" {
	# The old command takes 1s to stop cleanly on SIGTERM (shutdown = 20s
	# allows it). The tree is shut down right after the reload: the old
	# process must still get its time, not be killed with the tree.
	spec() {
		root
		printf '[w]\ncommand = sh %s/%s.sh\nshutdown = 20s\n' "$T" "$1"
	}
	cat >"$T/old.sh" <<-EOF
	trap 'sleep 1; echo clean >$T/old.end; exit 0' TERM
	echo \$\$ >$T/old.pid
	sleep 1000 &
	wait
	EOF
	cat >"$T/new.sh" <<-EOF
	exec sleep 1000
	EOF
	start_tree "$(spec old | spec_v)"
	wait_for node_state_is w running
	wait_for test -s "$T/old.pid"
	spec new | spec_v >/dev/null
	run st reload
	assert_success
	wait_for err_has "w: stopping (SIGTERM)"
	stop_tree
	assert_equal "$TREE_STATUS" 0
	assert_equal "$(cat "$T/old.end" 2>/dev/null)" clean
}
