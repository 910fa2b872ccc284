#!/usr/bin/env bats
# run.bats: `supertree run`: start order, process titles, sessions, exec
# failures, leftover grandchildren, the spec on stdin, spec errors.

load helpers

bats_require_minimum_version 1.5.0

# How many lines of the event log contain $1.
err_count() {
	grep -cF -- "$1" "$T/err" || true
}

err_count_ge() {
	[ "$(err_count "$1")" -ge "$2" ]
}

# How many lines $T/$1 (a file a worker writes) has, 0 if none.
lines_of() {
	if [ -f "$T/$1" ]; then
		wc -l <"$T/$1"
	else
		echo 0
	fi
}

lines_ge() {
	[ "$(lines_of "$1")" -ge "$2" ]
}

# Milliseconds between successive event lines that contain $1.
event_gaps() {
	grep -F -- "$1" "$T/err" | awk '{
		split($1, a, ":")
		ms = (a[1] * 3600 + a[2] * 60 + a[3]) * 1000
		if (NR > 1) print int(ms - prev + 0.5)
		prev = ms
	}'
}

node_error_has() {
	node_field "$1" error | grep -qF -- "$2"
}

proc_field() {
	ps -o "$2=" -p "$1" | tr -d ' '
}

@test "run: children start in file order" {
	spec=$(write_spec order.ini <<EOF
[supertree]
name = order

[c]
command = sleep 1000

[a]
command = sleep 1000

[mid]

[mid/y]
command = sleep 1000

[mid/x]
command = sleep 1000

[b]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is b running
	# The root's own line comes from supertree run, a process of its
	# own: its place among the others is not fixed.
	run sh -c "grep -o '[a-z/]*: started pid' '$T/err' |
	    sed 's/: started pid//' | grep -vx order"
	assert_output "c
a
mid
mid/y
mid/x
b"
}

@test "run: supervisor processes are titled 'supertree: NODE'" {
	spec=$(write_spec titles.ini <<EOF
[supertree]
name = titles

[db]

[db/inner]

[db/inner/w]
command = sleep 1000
EOF
)
	start_tree "$spec"
	wait_for node_state_is db/inner/w running
	run ps -o args= -p "$(node_pid supertree)"
	assert_output "supertree: titles"
	run ps -o args= -p "$(node_pid db)"
	assert_output "supertree: db"
	run ps -o args= -p "$(node_pid db/inner)"
	assert_output "supertree: db/inner"
}

@test "run: every worker leads its own session and process group" {
	spec=$(write_spec session.ini <<EOF
[supertree]
name = session

[a]
command = sleep 1000

[sub]

[sub/b]
command = sh -c 'sleep 1000'
EOF
)
	start_tree "$spec"
	wait_for node_state_is sub/b running
	for w in a sub/b; do
		pid=$(node_pid "$w")
		assert_equal "$(proc_field "$pid" pgid)" "$pid"
		assert_equal "$(proc_field "$pid" sid)" "$pid"
	done
	# And not the session of supertree run itself.
	[ "$(proc_field "$(node_pid a)" sid)" != \
	    "$(proc_field "$TREE_PID" sid)" ]
}

@test "run: a missing program is reported as start failed with ENOENT" {
	spec=$(write_spec enoent.ini <<EOF
[supertree]
name = enoent
intensity = infinity

[ok]
command = sleep 1000

[w]
command = $T/no-such-program
backoff_min = 200ms
EOF
)
	start_tree "$spec"
	wait_for err_has "w: start failed: exec: No such file or directory"
	wait_for node_error_has w "exec: No such file or directory"
	wait_for node_restarts_ge w 1
	# The sibling is untouched, the tree still runs.
	assert_equal "$(node_field ok state)" running
}

@test "run: a program that is not executable fails with EACCES" {
	printf '#!/bin/sh\nexec sleep 1000\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	spec=$(write_spec eacces.ini <<EOF
[supertree]
name = eacces
intensity = infinity

[w]
command = $T/noexec
backoff_min = 200ms
EOF
)
	start_tree "$spec"
	wait_for err_has "w: start failed: exec: Permission denied"
	wait_for node_error_has w "Permission denied"
	wait_for node_restarts_ge w 1
}

@test "run: a bad directory is reported as start failed" {
	spec=$(write_spec baddir.ini <<EOF
[supertree]
name = baddir
intensity = infinity

[w]
command = sleep 1000
directory = $T/no-such-dir
backoff_min = 200ms
EOF
)
	start_tree "$spec"
	wait_for err_has "w: start failed: directory $T/no-such-dir: No such file or directory"
	wait_for node_error_has w "No such file or directory"
	wait_for node_restarts_ge w 1
}

@test "run: a file that is not a program fails with ENOEXEC, not through sh" {
	# Binary garbage with the execute bit: execve says ENOEXEC. It must
	# be reported, never handed to /bin/sh to interpret.
	printf '\177ELF\001\002garbage\000\000\n' >"$T/garbage"
	chmod 755 "$T/garbage"
	spec=$(write_spec enoexec.ini <<EOF
[supertree]
name = enoexec
intensity = infinity

[w]
command = $T/garbage
backoff_min = 200ms
EOF
)
	start_tree "$spec"
	wait_for err_has "w: start failed: exec: Exec format error"
	wait_for node_error_has w "Exec format error"
	run err_has "w: started pid"
	assert_failure
}

@test "run: exec failures are retried with backoff, not in a hot loop" {
	spec=$(write_spec hot.ini <<EOF
[supertree]
name = hot
intensity = infinity

[w]
command = $T/no-such-program
backoff_min = 100ms
backoff_max = 300ms
EOF
)
	start_tree "$spec"
	wait_for err_count_ge "w: start failed" 8
	wait_for node_restarts_ge w 7
	# At least backoff_min between tries, by the event log's clock (a
	# hot loop would put them all in the same few milliseconds).
	run event_gaps "w: start failed"
	assert_success
	[ "${#lines[@]}" -ge 7 ]
	for g in "${lines[@]}"; do
		[ "$g" -ge 95 ]
	done
	err_has "w: restarting in 100ms"
	err_has "w: restarting in 300ms"
}

@test "run: a crashed worker's leftover process group is gone before it restarts" {
	# Each run checks that no process of an earlier run lives, then
	# leaves a grandchild behind in its group and crashes.
	cat >"$T/w.sh" <<EOF
for p in \$(cat $T/gc 2>/dev/null); do
	if [ -e /proc/\$p ] && ! grep -q '^State:.*Z' /proc/\$p/status; then
		echo "\$p" >>$T/survivors
	fi
done
sleep 1000 &
echo \$! >>$T/gc
sleep 0.3
exit 1
EOF
	spec=$(write_spec leftover.ini <<EOF
[supertree]
name = leftover
intensity = infinity

[w]
command = sh $T/w.sh
backoff_min = 100ms
EOF
)
	start_tree "$spec"
	wait_for lines_ge gc 3
	[ ! -e "$T/survivors" ]
	# The grandchildren of finished runs are gone.
	for p in $(head -n 2 "$T/gc"); do
		not_alive "$p"
	done
}

@test "run: '-' reads the spec from stdin" {
	cat >"$T/stdin.ini" <<EOF
[w]
command = sleep 1000
EOF
	ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" - <"$T/stdin.ini" \
	    >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
	wait_for node_state_is w running
	assert_equal "$(node_field supertree name)" stdin
	stop_tree
	assert_equal "$TREE_STATUS" 0
}

@test "run: a spec error exits 2 and starts nothing" {
	spec=$(write_spec bad.ini <<EOF
[supertree]
name = bad

[w]
command = sleep 1000
restart = sometimes
EOF
)
	run --separate-stderr env ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$spec"
	assert_equal "$status" 2
	[[ "$stderr" == *"restart"* ]]
	[[ "$stderr" == *"sometimes"* ]]
	[ -z "$(marked_pids)" ]
	[ ! -e "$SOCK" ]
}

@test "run: a spec error on stdin exits 2" {
	run --separate-stderr sh -c "printf '[w]\ncommand = sleep 1000\nbogus_key = 1\n' |
	    ST_MARK=$ST_MARK '$SUPERTREE' run -S '$SOCK' -"
	assert_equal "$status" 2
	[[ "$stderr" == *"bogus_key"* ]]
	[ -z "$(marked_pids)" ]
}

@test "run: a missing spec file exits 2" {
	run --separate-stderr "$SUPERTREE" run -S "$SOCK" "$T/nope.ini"
	assert_equal "$status" 2
}

@test "run: a start that succeeds after exec failures clears the error" {
	spec=$(write_spec later.ini <<EOF
[supertree]
name = later
intensity = infinity

[w]
command = $T/prog
backoff_min = 100ms
backoff_max = 200ms
EOF
)
	start_tree "$spec"
	wait_for node_error_has w "exec: No such file or directory"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$T/prog.tmp"
	chmod 755 "$T/prog.tmp"
	mv "$T/prog.tmp" "$T/prog"
	wait_for node_state_is w running
	assert_equal "$(node_field w error)" null
	[ "$(node_field w restarts)" -ge 1 ]
	alive "$(node_pid w)"
}
