#!/usr/bin/env bats
# output.bats: what happens to workers' stdout and stderr: prefix, null,
# inherit, file (with rotation), timestamps; nothing lost, nothing mixed.

bats_require_minimum_version 1.5.0
load helpers

# The lines `run` printed for worker PATH, prefix stripped.
lines_of() {
	sed -n "s#^$1 *| ##p" "${2:-$T/out}"
}

count_of() {
	[ "$(lines_of "$1" "${3:-$T/out}" | wc -l)" -eq "$2" ]
}

exited() {
	node_state_is "$1" exited
}

# One temporary worker named w running COMMAND, plus EXTRA spec lines.
one_worker() {
	local cmd=$1
	shift
	{
		printf '[supertree]\nname = out-%s\n[w]\ncommand = %s\n' \
		    "$BATS_TEST_NUMBER" "$cmd"
		printf 'restart = temporary\n'
		printf '%s\n' "$@"
	} >"$T/one.ini"
	start_tree "$T/one.ini"
}

# ---------------------------------------------------------------- prefix

@test "output=prefix (default): lines appear on run's stdout as 'path | line'" {
	one_worker "sh -c 'echo hello; echo world'"
	wait_for exited w
	wait_for count_of w 2
	run lines_of w
	assert_line --index 0 hello
	assert_line --index 1 world
	grep -qE '^w +\| hello$' "$T/out"
}

@test "prefix: stderr lines go to run's stderr, prefixed" {
	one_worker "sh -c 'echo to-out; echo to-err >&2'"
	wait_for exited w
	wait_for grep -qE '^w +\| to-err$' "$T/err"
	wait_for grep -qE '^w +\| to-out$' "$T/out"
	run ! grep -q to-err "$T/out"
	run ! grep -q to-out "$T/err"
}

@test "prefix: paths are padded to one column" {
	write_spec pad.ini <<-EOF
	[supertree]
	name = pad
	[a]
	command = echo short
	restart = temporary
	[group]
	[group/longer-name]
	command = echo long
	restart = temporary
	EOF
	start_tree "$T/pad.ini"
	wait_for grep -q 'short$' "$T/out"
	wait_for grep -q 'long$' "$T/out"
	local c1 c2
	c1=$(grep 'short$' "$T/out" | awk -F'|' '{print length($1)}')
	c2=$(grep 'long$' "$T/out" | awk -F'|' '{print length($1)}')
	[ "$c1" = "$c2" ]
	grep -qE '^group/longer-name \| long$' "$T/out"
}

@test "prefix: no escape bytes when run's stdout is not a tty" {
	one_worker "echo plain"
	wait_for exited w
	wait_for count_of w 1
	run ! env LC_ALL=C grep -q $'\033' "$T/out"
}

@test "100,000 lines from one worker arrive complete and in order" {
	one_worker "seq 1 100000"
	wait_for exited w
	wait_for count_of w 100000
	lines_of w | cmp - <(seq 1 100000)
}

@test "100,000 lines on stderr arrive complete and in order" {
	one_worker "sh -c 'seq 1 100000 >&2'"
	wait_for exited w
	wait_for count_of w 100000 "$T/err"
	lines_of w "$T/err" | cmp - <(seq 1 100000)
}

@test "two workers writing at once never mix within a line" {
	# gen.sh LETTER: 3000 lines of 900 LETTERs, numbered.
	cat >"$T/gen.sh" <<-'EOF'
	l=$(printf "%900s" "" | tr ' ' "$1")
	seq 1 3000 | sed "s/^/$1/; s/\$/ $l/"
	EOF
	# Different supervisors, so two processes write to run's stdout.
	write_spec mix.ini <<-EOF
	[supertree]
	name = mix
	[a]
	[a/w]
	command = sh $T/gen.sh x
	restart = temporary
	[b]
	[b/w]
	command = sh $T/gen.sh y
	restart = temporary
	EOF
	start_tree "$T/mix.ini"
	wait_for exited a/w
	wait_for exited b/w
	wait_for count_of a/w 3000
	wait_for count_of b/w 3000
	# Every line of each is whole, and in order.
	lines_of a/w | cmp - <(sh "$T/gen.sh" x)
	lines_of b/w | cmp - <(sh "$T/gen.sh" y)
	# And nothing else is on stdout.
	[ "$(wc -l <"$T/out")" -eq 6000 ]
}

@test "a last line without a newline arrives" {
	one_worker "printf tail"
	wait_for exited w
	wait_for count_of w 1
	run lines_of w
	assert_output tail
}

@test "a partial last line after full lines arrives, on its own line" {
	one_worker "printf 'one\\ntwo\\nthree'"
	wait_for exited w
	wait_for count_of w 3
	run lines_of w
	assert_line --index 2 three
	[ "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "a worker that writes and exits at once loses nothing" {
	write_spec burst.ini <<-EOF
	[supertree]
	name = burst
	[w1]
	command = seq 1 5000
	restart = temporary
	[w2]
	command = seq 1 5000
	restart = temporary
	[w3]
	command = sh -c 'seq 1 5000; kill -9 \$\$'
	restart = temporary
	[w4]
	command = sh -c 'printf "a\\nb\\nlast"; exit 3'
	restart = temporary
	EOF
	start_tree "$T/burst.ini"
	local w
	for w in w1 w2 w3 w4; do
		wait_for exited "$w"
	done
	for w in w1 w2 w3; do
		wait_for count_of "$w" 5000
		lines_of "$w" | cmp - <(seq 1 5000)
	done
	wait_for count_of w4 3
	run lines_of w4
	assert_output $'a\nb\nlast'
}

@test "output of a group member that outlives the leader is not lost" {
	# The leftover ignores SIGTERM, so it lives on for a while after the
	# leader's exit; what it writes then still arrives.
	cat >"$T/late.sh" <<-EOF
	trap '' TERM
	(sleep 0.5; echo from-grandchild) &
	echo from-child
	EOF
	one_worker "sh $T/late.sh" "shutdown = 30s"
	wait_for grep -qE '^w +\| from-child$' "$T/out"
	wait_for grep -qE '^w +\| from-grandchild$' "$T/out"
	wait_for exited w
}

@test "a very long line is cut into pieces, none lost" {
	cat >"$T/long.sh" <<-'EOF'
	head -c 10000 /dev/zero | tr '\0' z
	echo
	echo after
	EOF
	one_worker "sh $T/long.sh"
	wait_for exited w
	wait_for grep -qE '^w +\| after$' "$T/out"
	local total
	total=$(lines_of w | grep -v '^after$' | tr -d '\n' | wc -c)
	[ "$total" -eq 10000 ]
	[ "$(lines_of w | grep -c '^z')" -ge 3 ]
}

# ------------------------------------------------------------ null/inherit

@test "output=null drops the output" {
	one_worker "sh -c 'echo dropped; echo dropped-err >&2'" "output = null"
	wait_for exited w
	run node_field w last_exit.code
	assert_output 0
	stop_tree
	run ! grep -q dropped "$T/out"
	run ! grep -q dropped "$T/err"
}

@test "output=null: logs has nothing either" {
	write_spec null.ini <<-EOF
	[supertree]
	name = null
	[w]
	command = sh -c 'echo dropped; exec sleep 1000'
	output = null
	EOF
	start_tree "$T/null.ini"
	wait_for node_state_is w running
	run st logs w
	assert_success
	refute_output --partial dropped
}

@test "output=inherit writes straight to run's stdout, without prefix" {
	one_worker "sh -c 'echo inherited; echo inherited-err >&2'" \
	    "output = inherit"
	wait_for exited w
	wait_for grep -qx inherited "$T/out"
	wait_for grep -qx inherited-err "$T/err"
	run ! grep -q '| inherited' "$T/out"
}

# ------------------------------------------------------------------- file

@test "output=file:PATH writes the lines to the file, not to stdout" {
	one_worker "sh -c 'echo one; echo two >&2; echo three'" \
	    "output = file:$T/w.log"
	wait_for exited w
	wait_for grep -qx three "$T/w.log"
	grep -qx one "$T/w.log"
	grep -qx two "$T/w.log"
	run ! grep -q one "$T/out"
}

@test "output=file:PATH appends to an existing file" {
	printf 'old line\n' >"$T/w.log"
	one_worker "echo new line" "output = file:$T/w.log"
	wait_for exited w
	wait_for grep -qx 'new line' "$T/w.log"
	run cat "$T/w.log"
	assert_line --index 0 'old line'
	assert_line --index 1 'new line'
}

@test "output=file:PATH: each restart appends" {
	write_spec again.ini <<-EOF
	[supertree]
	name = again
	[w]
	command = sh -c 'echo run; exec sleep 1000'
	output = file:$T/w.log
	EOF
	start_tree "$T/again.ini"
	wait_for grep -qx run "$T/w.log"
	run st restart w
	assert_success
	wait_for eval '[ "$(grep -c run "$T/w.log")" -eq 2 ]'
}

@test "output=file: rotation with log_max_size=1K log_keep=2 keeps PATH, PATH.1, PATH.2" {
	one_worker "sh -c 'i=0; while [ \$i -lt 300 ]; do echo \"line \$i 0123456789012345678901234567890123456789\"; i=\$((i + 1)); done'" \
	    "output = file:$T/w.log" "log_max_size = 1K" "log_keep = 2"
	wait_for exited w
	wait_for grep -q 'line 299 ' "$T/w.log"
	[ -s "$T/w.log.1" ]
	[ -s "$T/w.log.2" ]
	[ ! -e "$T/w.log.3" ]
	# No file grows far past the limit (one line over at most).
	local f
	for f in "$T/w.log" "$T/w.log.1" "$T/w.log.2"; do
		[ "$(stat -c %s "$f")" -le $((1024 + 100)) ]
	done
	# The newest lines are kept in order across the files.
	cat "$T/w.log.2" "$T/w.log.1" "$T/w.log" >"$T/all"
	local first
	first=$(head -1 "$T/all" | awk '{print $2}')
	cmp <(awk '{print $2}' "$T/all") <(seq "$first" 299)
}

@test "timestamps=true puts a time before each line" {
	one_worker "sh -c 'echo stamped; echo again'" "timestamps = true"
	wait_for exited w
	wait_for count_of w 2
	run lines_of w
	assert_line --index 0 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)? stamped$'
	assert_line --index 1 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ again$'
}

@test "timestamps=true with output=file stamps the file's lines" {
	one_worker "echo stamped" "timestamps = true" "output = file:$T/w.log"
	wait_for exited w
	wait_for grep -q stamped "$T/w.log"
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ stamped$' "$T/w.log"
}

@test "without timestamps the line is the worker's, byte for byte" {
	one_worker "printf '  spaced\\ttab  \\n'"
	wait_for exited w
	wait_for count_of w 1
	run lines_of w
	[ "$output" = $'  spaced\ttab  ' ]
}

# ------------------------------------------------------------- reopening

# A worker that writes "first", then "hup N" on each SIGHUP.
hup_writer() {
	printf 'sh -c %s' "'echo first; k=0; trap \"k=\$((k + 1)); echo hup \$k\" HUP; while :; do sleep 0.05; done'"
}

hup_until_file() {
	st signal HUP "$1"
	[ -s "$2" ]
}

@test "SIGUSR1 to run reopens output files everywhere (logrotate)" {
	write_spec reopen.ini <<-EOF
	[supertree]
	name = reopen
	[w]
	command = $(hup_writer)
	output = file:$T/w.log
	[grp]
	[grp/v]
	command = $(hup_writer)
	output = file:$T/v.log
	EOF
	start_tree "$T/reopen.ini"
	wait_for grep -qx first "$T/w.log"
	wait_for grep -qx first "$T/v.log"
	mv "$T/w.log" "$T/w.log.old"
	mv "$T/v.log" "$T/v.log.old"
	kill -USR1 "$TREE_PID"
	# The reopen is asynchronous: prod the workers until the new files
	# appear.
	wait_for hup_until_file w "$T/w.log"
	wait_for hup_until_file grp/v "$T/v.log"
	grep -q '^hup ' "$T/w.log"
	grep -q '^hup ' "$T/v.log"
	grep -qx first "$T/w.log.old"
	run st status
	assert_success
}

@test "output=file:PATH that cannot be opened is a start failure with the reason" {
	one_worker "echo never" "output = file:$T/no/such/dir/w.log"
	wait_for eval 'node_field w error | grep -q "no/such/dir"'
	run node_field w pid
	assert_output null
	run node_field w error
	assert_output --partial "$T/no/such/dir/w.log"
}

@test "run -q keeps the workers' output and drops supertree's own event lines" {
	write_spec quiet.ini <<-EOF
	[supertree]
	name = quiet
	[w]
	command = sh -c 'echo said; echo said-err >&2'
	restart = temporary
	EOF
	start_tree "$T/quiet.ini" -q
	wait_for exited w
	wait_for grep -qE '^w +\| said$' "$T/out"
	wait_for grep -qE '^w +\| said-err$' "$T/err"
	stop_tree
	[ "$TREE_STATUS" -eq 0 ]
	run ! grep -q 'started pid' "$T/err"
	run ! grep -q 'started pid' "$T/out"
}

@test "output=file:PATH on a full disk: the worker carries on, the failure is said once" {
	[ -w /dev/full ] || skip "/dev/full is not writable"
	one_worker "sh -c 'for i in 1 2 3 4 5; do echo line \$i; done; touch $T/done'" \
	    "output = file:/dev/full"
	wait_for exited w
	[ -f "$T/done" ]
	wait_for err_has "w: output /dev/full: No space left on device"
	[ "$(grep -c 'w: output /dev/full' "$T/err")" -eq 1 ]
	# The lines are lost for the file, not for logs.
	wait_for eval 'st logs w | grep -qx "line 5"'
	run st logs w
	assert_line --index 0 'line 1'
}
