#!/usr/bin/env bats
# cli.bats: the command line itself: help, version, usage errors. None of
# these needs a running tree.

bats_require_minimum_version 1.5.0
load helpers

@test "--help prints the usage and every command, exit 0" {
	run "$SUPERTREE" --help
	assert_success
	assert_line --partial "usage: supertree"
	for c in run check wrap status start stop restart signal wait logs \
	    events shutdown ls help version; do
		assert_line --regexp "^  $c +[a-z]"
	done
}

@test "-h is --help" {
	run "$SUPERTREE" -h
	assert_success
	assert_line --partial "usage: supertree"
}

@test "help with no command is --help" {
	run "$SUPERTREE" help
	assert_success
	assert_line --partial "usage: supertree"
	assert_line --regexp "^  status +"
}

@test "help CMD prints that command's usage on stdout" {
	run --separate-stderr "$SUPERTREE" help status
	assert_success
	assert_line --index 0 --partial "usage: supertree status"
	assert_output --partial "--json"
	[ -z "$stderr" ]
}

@test "help CMD works for every command in the table" {
	for c in run check wrap status start stop restart signal wait logs \
	    events shutdown ls help version; do
		run "$SUPERTREE" help "$c"
		assert_success
		assert_line --index 0 --partial "usage: supertree $c"
	done
}

@test "CMD --help prints that command's usage, exit 0" {
	run "$SUPERTREE" stop --help
	assert_success
	assert_line --index 0 --partial "usage: supertree stop"
}

@test "help nosuch: exit 2 naming the command" {
	run --separate-stderr "$SUPERTREE" help nosuch
	assert_failure 2
	[[ $stderr == *"unknown command 'nosuch'"* ]]
	[ -z "$output" ]
}

@test "--version prints the version, exit 0" {
	run "$SUPERTREE" --version
	assert_success
	assert_output --regexp '^supertree [0-9]+\.[0-9]+(\.[0-9]+)?'
	[ "${#lines[@]}" -eq 1 ]
}

@test "version and -V agree with --version" {
	run "$SUPERTREE" --version
	local v=$output
	run "$SUPERTREE" version
	assert_success
	assert_output "$v"
	run "$SUPERTREE" -V
	assert_success
	assert_output "$v"
}

@test "unknown command: exit 2, message names it and points at --help" {
	run --separate-stderr "$SUPERTREE" frobnicate
	assert_failure 2
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
	[[ $stderr == *"--help"* ]]
	[ -z "$output" ]
}

@test "unknown global option: exit 2, message names it" {
	run --separate-stderr "$SUPERTREE" --frobnicate status
	assert_failure 2
	[[ $stderr == *"unknown option '--frobnicate'"* ]]
	[ -z "$output" ]
}

@test "no command at all: exit 2 with the usage on stderr" {
	run --separate-stderr "$SUPERTREE"
	assert_failure 2
	[[ $stderr == *"usage: supertree"* ]]
	[ -z "$output" ]
}

@test "-S without its argument is a usage error" {
	run --separate-stderr "$SUPERTREE" -S
	assert_failure 2
	[[ $stderr == *"usage"* || $stderr == *"-S"* ]]
}

@test "run with an unknown option: exit 2 with run's usage" {
	run --separate-stderr "$SUPERTREE" run --frobnicate x.ini
	assert_failure 2
	[[ $stderr == *"usage: supertree run"* ]]
}

@test "run without a file: exit 2" {
	run --separate-stderr "$SUPERTREE" run
	assert_failure 2
	[[ $stderr == *"usage: supertree run"* ]]
}

@test "ls with an argument: exit 2" {
	run --separate-stderr "$SUPERTREE" ls extra
	assert_failure 2
	[[ $stderr == *"usage: supertree ls"* ]]
}

@test "a live command with no tree running: exit 4 naming where it looked" {
	run --separate-stderr "$SUPERTREE" status
	assert_failure 4
	[[ $stderr == *"no tree is running"* ]]
	[[ $stderr == *"$XDG_RUNTIME_DIR/supertree"* ]]
}

@test "unknown option of a live command: exit 2 even with no tree" {
	run --separate-stderr "$SUPERTREE" -S "$SOCK" status --frobnicate
	assert_failure 2
	[[ $stderr == *"--frobnicate"* ]]
	run --separate-stderr "$SUPERTREE" -S "$SOCK" wait --for sideways web
	assert_failure 2
	[[ $stderr == *"sideways"* ]]
}
