#!/usr/bin/env bats
# subtree.bats: every supervisor process below the top runs only its own
# slice of the tree (the sections of its ancestors and of its subtree, cut
# from the spec), with ids of its own. Status, events, output prefixes and
# commands must still name every node by its path, however the spec's
# sections are ordered and however a reload renumbers the nodes.

bats_require_minimum_version 1.5.0
load helpers

# Three levels, sections out of depth-first order, so that no slice is a
# run of the file: each worker's command is "sleep N" with N its own, so a
# pid reported under the wrong path shows.
deep() {
	cat <<-EOF
	[supertree]
	name = sub-$BATS_TEST_NUMBER
	intensity = 100
	period = 60s

	[a]
	intensity = 100
	[b]
	intensity = 100
	[a/x]
	intensity = 100
	[b/y]
	command = sleep 1001
	[a/x/p]
	command = sleep 1002
	[a/q]
	command = sleep 1003
	[a/x/r]
	command = sleep 1004
	[b/z]
	intensity = 100
	[b/z/s]
	command = sleep 1005
	EOF
}

spec_v() {
	cat >"$T/tree.ini"
	echo "$T/tree.ini"
}

# The last word of a process's command line.
last_arg() {
	tr '\0' '\n' <"/proc/$1/cmdline" | tail -n 1
}

# runs PATH N: PATH is running, as "sleep N".
runs() {
	local p
	node_state_is "$1" running || return 1
	p=$(node_pid "$1")
	[ "$(last_arg "$p")" = "$2" ]
}

all_run() {
	runs b/y 1001 && runs a/x/p 1002 && runs a/q 1003 &&
	    runs a/x/r 1004 && runs b/z/s 1005
}

@test "subtree: every node of a deep tree with interleaved sections shows under its own path" {
	start_tree "$(deep | spec_v)"
	wait_for all_run
	for s in a b a/x b/z; do
		assert_equal "$(node_field "$s" kind)" supervisor
		assert_equal "$(node_field "$s" state)" running
	done
	run st status --json
	assert_success
	assert_equal "$(echo "$output" | jq -r '.[].path' | paste -sd ' ')" \
	    "supertree a a/x a/x/p a/x/r a/q b b/y b/z b/z/s"
}

@test "subtree: commands reach nodes two levels down, and only them" {
	start_tree "$(deep | spec_v)"
	wait_for all_run
	ppid=$(node_pid a/x/p)
	spid=$(node_pid b/z/s)
	run st stop a/x/r
	assert_success
	assert_equal "$(node_field a/x/r state)" stopped
	assert_equal "$(node_pid a/x/p)" "$ppid"
	run st restart b/z/s
	assert_success
	wait_for pid_changed b/z/s "$spid"
	assert_equal "$(last_arg "$(node_pid b/z/s)")" 1005
	assert_equal "$(node_field a/x/r state)" stopped
	run st start a/x/r
	assert_success
	wait_for all_run
	assert_equal "$(node_pid a/x/p)" "$ppid"
}

@test "subtree: event lines name deep nodes by path" {
	start_tree "$(deep | spec_v)"
	wait_for all_run
	kill -KILL "$(node_pid b/z/s)"
	wait_for node_restarts_ge b/z/s 1
	wait_for err_has "b/z/s: killed by SIGKILL"
	wait_for all_run
	assert_equal "$(node_field a/x/r restarts)" 0
	assert_equal "$(node_field b/y restarts)" 0
}

@test "subtree: output prefixes are aligned to the whole tree's longest path" {
	write_spec pad.ini <<-EOF
	[supertree]
	name = sub-$BATS_TEST_NUMBER
	[g]
	[g/h]
	[g/h/w]
	command = echo deep-line
	restart = temporary
	[other]
	[other/a-much-longer-name]
	command = sleep 1000
	EOF
	start_tree "$T/pad.ini"
	wait_for grep -q 'deep-line$' "$T/out"
	grep -qE '^g/h/w {20}\| deep-line$' "$T/out"
}

@test "subtree: a reload that renumbers every node keeps reports and commands on their paths" {
	start_tree "$(deep | spec_v)"
	wait_for all_run
	ppid=$(node_pid a/x/p)
	# New first children shift the ids of every node after them.
	deep | awk '
	    /^\[a\]$/ { print "[first]\ncommand = sleep 1000" }
	    { print }
	    /^\[b\]$/ { getline; print; print "[b/first]\ncommand = sleep 1010" }
	    /^\[a\/x\]$/ { getline; print
		print "[a/x/first]\ncommand = sleep 1020" }' | spec_v >/dev/null
	run st reload
	assert_success
	assert_output --partial "3 added, 0 removed, 0 changed"
	wait_for runs first 1000
	wait_for runs b/first 1010
	wait_for runs a/x/first 1020
	wait_for all_run
	assert_equal "$(node_pid a/x/p)" "$ppid"
	# State reports and commands use the new ids, two levels down.
	kill -KILL "$(node_pid a/x/r)"
	wait_for node_restarts_ge a/x/r 1
	wait_for all_run
	assert_equal "$(node_field a/x/p restarts)" 0
	assert_equal "$(node_field a/x/first restarts)" 0
	run st stop b/z/s
	assert_success
	assert_equal "$(node_field b/z/s state)" stopped
	assert_equal "$(node_field b/first state)" running
}

@test "subtree: a killed child supervisor's workers are wiped under their own paths" {
	start_tree "$(deep | spec_v)"
	wait_for all_run
	spid=$(node_pid b/z/s)
	kill -KILL "$(node_pid b/z)"
	wait_for not_alive "$spid"
	wait_for pid_changed b/z/s "$spid"
	wait_for all_run
	assert_equal "$(node_field b/y restarts)" 0
	assert_equal "$(node_field a/x/p restarts)" 0
}
