#!/usr/bin/env bats
#
# check.bats: `supertree check FILE` as a black box. A valid spec prints
# the tree and exits 0; an invalid one prints every error as
# "supertree: FILE:LINE: [SECTION]: message" on stderr and exits 2.

load helpers
bats_load_library bats-support
bats_load_library bats-assert

# The drawing shows each node by name, with its kind: "|-- pg  worker".
assert_node() {
	assert_line --regexp "(^| )$1 +$2( |\$)"
}

# Write stdin to tree.ini in the test's directory and check it from there,
# so that messages name the file as "tree.ini".
check_spec() {
	cat >"$BATS_TEST_TMPDIR/tree.ini"
	cd "$BATS_TEST_TMPDIR" || return 1
	run "$SUPERTREE" check tree.ini
}

@test "check: a valid spec prints the tree and exits 0" {
	check_spec <<-'EOF'
	[supertree]
	strategy = one_for_all

	[db]
	[db/postgres]
	command = sleep 1000
	[web]
	command = python3 -m http.server 8080
	ready = tcp:8080
	EOF
	assert_success
	assert_node tree supervisor
	assert_node db supervisor
	assert_node postgres worker
	assert_node web worker
	[ "${#lines[@]}" -eq 4 ]
}

@test "check: reads the spec from stdin with -" {
	cd "$BATS_TEST_TMPDIR"
	run "$SUPERTREE" check - <<-'EOF'
	[worker]
	command = sleep 1000
	EOF
	assert_success
	assert_node stdin supervisor
	assert_node worker worker
}

@test "check: multiline continuation of a command is valid" {
	check_spec <<-'EOF'
	[worker]
	command = sh -c
	    'while true; do
	     sleep 1; done'
	EOF
	assert_success
	assert_node worker worker
	assert_output --partial "while true; do sleep 1; done"
}

@test "check: the example specs are valid" {
	local dir="${SUPERTREE_SRCDIR:-$BATS_TEST_DIRNAME/../..}/examples"
	run "$SUPERTREE" check "$dir/web.ini"
	assert_success
	assert_node app worker
	assert_node health worker
	assert_node janitor worker
	run "$SUPERTREE" check "$dir/pipeline.ini"
	assert_success
	assert_node stages supervisor
	assert_node transform worker
	assert_node deadline worker
}

@test "check: a missing file exits 2" {
	cd "$BATS_TEST_TMPDIR"
	run "$SUPERTREE" check nonexistent.ini
	assert_failure 2
	assert_output "supertree: nonexistent.ini: cannot read: No such file or directory"
}

@test "check: an unknown option is said as one, not read as a file" {
	cd "$BATS_TEST_TMPDIR"
	printf '[w]\ncommand = sleep 1000\n' >tree.ini
	run "$SUPERTREE" check --bogus tree.ini
	assert_failure 2
	assert_line --index 0 "supertree: check: unknown option '--bogus'"
	assert_line --index 1 --partial "usage: supertree check"
	run "$SUPERTREE" check -- tree.ini
	assert_success
	assert_node w worker
}

@test "check: a directory exits 2" {
	cd "$BATS_TEST_TMPDIR"
	mkdir dir.ini
	run "$SUPERTREE" check dir.ini
	assert_failure 2
	assert_output "supertree: dir.ini: cannot read: Is a directory"
}

@test "check: an empty file has no workers" {
	check_spec </dev/null
	assert_failure 2
	assert_output "supertree: tree.ini: no workers: add a section with a command"
}

@test "check: supervisors alone have no workers" {
	check_spec <<-'EOF'
	[supertree]
	strategy = one_for_all
	[db]
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini: no workers: add a section with a command"
}

@test "check: an unknown key suggests the nearest one" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	restrat = always
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: unknown key 'restrat' (did you mean 'restart'?)"
}

@test "check: a worker key without command" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	[db]
	directory = /tmp
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:4: [db]: key 'directory' needs 'command' (a section without command is a supervisor)"
}

@test "check: a supervisor key on a worker" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	strategy = one_for_all
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [w]: key 'strategy' is for supervisors (a section with command is a worker)"
}

@test "check: a duplicate section names the first" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	[w]
	command = sleep 1000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [w]: duplicate section (first at line 1)"
}

@test "check: a duplicate key names the first" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	shutdown = 1s
	shutdown = 2s
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:4: [w]: duplicate key 'shutdown' (first at line 3)"
}

@test "check: a child before its parent" {
	check_spec <<-'EOF'
	[db/pg]
	command = sleep 1000
	[db]
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:1: [db/pg]: parent section [db] must come before its child (it is at line 3)"
}

@test "check: a child without a parent" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	[db/pg]
	command = sleep 1000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [db/pg]: parent section [db] is missing: add it before this section"
}

@test "check: a child of a worker" {
	check_spec <<-'EOF'
	[w]
	command = sleep 1000
	[w/x]
	command = sleep 1000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [w/x]: parent section [w] has a command, so it is a worker and cannot have children"
}

@test "check: an invalid section name" {
	check_spec <<-'EOF'
	[my web]
	command = sleep 1000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:1: [my web]: invalid section name (use letters, digits, '_', '-' and '.', with '/' between levels)"
}

@test "check: a bad duration" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	shutdown = 5x
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'shutdown': invalid duration '5x' (use e.g. 250ms, 5s, 1.5s, 2m, 1h)"
}

@test "check: a bad boolean" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	significant = sure
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'significant': invalid boolean 'sure' (use true or false, yes or no, on or off, 1 or 0)"
}

@test "check: a bad signal" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	stop_signal = SIGNOPE
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'stop_signal': unknown signal 'SIGNOPE' (use a name such as TERM or INT, or a number 1 to 64)"
}

@test "check: a bad restart type" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	restart = sometimes
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'restart': invalid value 'sometimes' (use permanent, transient or temporary)"
}

@test "check: a bad number" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	log_lines = 2000000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'log_lines': number out of range '2000000' (0 to 1000000)"
}

@test "check: a bad ready port" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	ready = tcp:70000
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'ready': invalid ready 'tcp:70000' (the port must be from 1 to 65535)"
}

@test "check: an unknown user" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1000
	user = no-such-user-here
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'user': unknown user 'no-such-user-here'"
}

@test "check: unbalanced quotes" {
	check_spec <<-'EOF'
	[web]
	command = sh -c 'echo hi
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:2: [web]: key 'command': unbalanced quotes (a single quote is not closed)"
}

@test "check: a ';' after a blank starts a comment, even in quotes" {
	check_spec <<-'EOF'
	[web]
	command = sh -c "echo a ; echo b"
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:2: [web]: key 'command': unbalanced quotes (a double quote is not closed); note that a ';' after a blank starts a comment"
}

@test "check: binary data is not a text file" {
	cd "$BATS_TEST_TMPDIR"
	printf '[web]\ncommand = sleep\0 1000\n' >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_failure 2
	assert_output "supertree: tree.ini:2: not a text file (it contains a NUL byte)"
	printf '[web]\ncommand = sleep \377\n' >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_failure 2
	assert_output "supertree: tree.ini:2: not a text file (it is not valid UTF-8)"
}

# Issue 11 item 7: this line (215 bytes) was refused as longer than
# inih's 200-byte buffer; lines of any length are read whole now.
@test "check: a line longer than inih's buffer is read whole" {
	cd "$BATS_TEST_TMPDIR"
	{
		printf '[ok]\ncommand = sleep 1000\n[web]\ncommand = echo'
		printf ' %s' $(seq 1 70)
		printf '\n'
	} >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_success
	assert_line --regexp '(^| )web +worker( |$)'
}

@test "check: every error is reported, in line order" {
	check_spec <<-'EOF'
	[web]
	comand = sleep 1000
	shutdown = soon
	[db/pg]
	command = sleep 1000
	EOF
	assert_failure 2
	assert_line --index 0 "supertree: tree.ini:2: [web]: unknown key 'comand' (did you mean 'command'?)"
	assert_line --index 1 "supertree: tree.ini:3: [web]: key 'shutdown': invalid duration 'soon' (use e.g. 250ms, 5s, 1.5s, 2m, 1h)"
	assert_line --index 2 "supertree: tree.ini:4: [db/pg]: parent section [db] is missing: add it before this section"
	[ "${#lines[@]}" -eq 3 ]
}
