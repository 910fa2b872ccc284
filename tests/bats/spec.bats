#!/usr/bin/env bats
# spec.bats: what a spec file can hold, end to end: lines of any length up
# to the 4 MiB spec cap (command and environment lines of 1 KB and 64 KB
# reach the worker exactly), values continued after a backslash, and the
# single error for a spec past the cap.

load helpers

bats_require_minimum_version 1.5.0

# A worker that writes its argument count, its arguments (one per line)
# and the variable BIG, then sleeps: $1 is the command's arguments.
args_worker() {
	printf '%s' "sh -c 'echo \$# >$T/n.new; printf \"%s\\\\n\" \"\$@\" >$T/args.new; printf %s \"\$BIG\" >$T/big.new; mv $T/n.new $T/n; mv $T/args.new $T/args; mv $T/big.new $T/big; exec sleep 100000' sh $1"
}

# The spec of one such worker with the given arguments and environment.
long_spec() {
	write_spec "$1" <<-EOF
	[supertree]
	name = long
	[w]
	command = $(args_worker "$2")
	environment = BIG=$3 SMALL=ok
	EOF
}

@test "spec: a 1 KB command line reaches the worker exactly" {
	words=$(seq -s ' ' 1 280)			# 1,011 bytes
	spec=$(long_spec one.ini "$words" x)
	[ "$(awk 'NR == 4 { print length }' "$spec")" -gt 1024 ]
	start_tree "$spec"
	wait_for test -f "$T/args"
	assert_equal "$(cat "$T/n")" 280
	assert_equal "$(cat "$T/args")" "$(seq 1 280)"
}

@test "spec: a 64 KB command line reaches the worker exactly" {
	# Words of every length, so that pieces end on spaces and in words.
	words=$(seq -s ' ' 1 13000)			# 68,893 bytes
	token=$(seq -s - 1 1000)			# 3,892 bytes
	spec=$(long_spec big.ini "$words '$token  x'" x)
	[ "$(awk 'NR == 4 { print length }' "$spec")" -gt 65536 ]
	start_tree "$spec"
	wait_for test -f "$T/args"
	assert_equal "$(cat "$T/n")" 13001
	assert_equal "$(head -n 13000 "$T/args")" "$(seq 1 13000)"
	assert_equal "$(tail -n 1 "$T/args")" "$token  x"
}

@test "spec: 1 KB and 64 KB environment lines reach the worker exactly" {
	small=$(seq -s - 1 300)				# 1,091 bytes
	spec=$(long_spec env1.ini 1 "$small")
	start_tree "$spec"
	wait_for test -f "$T/big"
	assert_equal "$(cat "$T/big")" "$small"
	stop_tree
	rm -f "$T/big"
	big=$(seq -s - 1 13000)				# 66,893 bytes
	spec=$(long_spec env64.ini 1 "'$big  y'")
	[ "$(awk 'NR == 5 { print length }' "$spec")" -gt 65536 ]
	start_tree "$spec"
	wait_for test -f "$T/big"
	assert_equal "$(cat "$T/big")" "$big  y"
}

@test "check: a 64 KB line is valid, and so is a long comment" {
	cd "$T"
	{
		printf '[web]\n; %s\ncommand = echo' "$(seq -s ' ' 1 20000)"
		printf ' %s' $(seq 1 12000)
		printf '\n'
	} >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_success
	assert_line --regexp '(^| )web +worker( |$)'
}

@test "spec: a line ending in a backslash continues on the next indented line with nothing in between" {
	url=http://127.0.0.1:1/$(seq -s / 1 81)		# 252 bytes
	spec=$(write_spec bs.ini <<-EOF
	[supertree]
	name = bs
	[w]
	command = $(args_worker "${url:0:100}\\")
	    ${url:100:100}\\
	  ${url:200}
	EOF
	)
	run "$SUPERTREE" check "$spec"
	assert_success
	start_tree "$spec"
	wait_for test -f "$T/args"
	assert_equal "$(cat "$T/n")" 1
	assert_equal "$(cat "$T/args")" "$url"
}

@test "check: a backslash at the end of a value's last line is refused" {
	cd "$T"
	printf '[web]\ncommand = echo a\\\n[db]\ncommand = echo b\n' >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_failure 2
	assert_output "supertree: tree.ini:2: [web]: key 'command': the line ends in '\\' but no indented line follows to continue it (indent the next line, or remove the '\\')"
}

@test "check: a spec past the 4 MiB cap is refused once, with no second error" {
	cd "$T"
	{
		printf '[web]\ncommand = echo '
		head -c 5000000 /dev/zero | tr '\0' x
		printf '\n'
	} >tree.ini
	run "$SUPERTREE" check tree.ini
	assert_failure 2
	assert_output "supertree: tree.ini: too large (more than 4 MiB)"
}

# Issue 17 item 3: a program that is not there (yet) is a warning, with
# the line of its command; the spec stays valid.
@test "check: a worker's missing or non-executable program is a warning with its line, and the status stays 0" {
	cd "$T"
	printf '#!/bin/sh\n' >noexec
	chmod 644 noexec
	mkdir -p bin
	printf '#!/bin/sh\n' >bin/tool
	chmod 755 bin/tool
	cat >tree.ini <<-EOF
	[ok]
	command = sleep 1000
	[gone]
	command = $T/no-such-program --flag
	[bare]
	command = no-such-program-here
	[noexec]
	restart = temporary
	command = ./noexec
	[dir]
	command = $T
	[tool]
	command = tool
	environment = PATH=$T/bin
	[rel]
	command = ./tool
	directory = $T/bin
	EOF
	run --separate-stderr "$SUPERTREE" check tree.ini
	assert_success
	assert_equal "${#stderr_lines[@]}" 4
	assert_equal "${stderr_lines[0]}" "supertree: tree.ini:4: [gone]: warning: program '$T/no-such-program' not found"
	assert_equal "${stderr_lines[1]}" "supertree: tree.ini:6: [bare]: warning: program 'no-such-program-here' not found in PATH ($PATH)"
	assert_equal "${stderr_lines[2]}" "supertree: tree.ini:9: [noexec]: warning: program './noexec' is not executable"
	assert_equal "${stderr_lines[3]}" "supertree: tree.ini:11: [dir]: warning: program '$T' is not executable"
	[[ $output == *"tool"* ]]
}

@test "run: warns about a worker's missing program and runs the tree" {
	spec=$(write_spec warn.ini <<-EOF
	[supertree]
	name = warn
	[ok]
	command = sleep 1000
	[gone]
	command = $T/no-such-program
	backoff_min = 1s
	EOF
	)
	start_tree "$spec"
	wait_for node_state_is ok running
	err_has "supertree: $T/warn.ini:6: [gone]: warning: program '$T/no-such-program' not found"
}
