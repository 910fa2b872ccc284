# regress.bats: regression tests for bugs found while building supertree,
# each named after what went wrong.

load helpers

@test "output = file:/dev/null with rotation never renames the device" {
	spec=$(write_spec devnull.ini <<EOF
[w]
command = sh -c 'i=0; while [ \$i -lt 200 ]; do echo line \$i; i=\$((i+1)); done; exec sleep 1000'
output = file:/dev/null
log_max_size = 1K
log_keep = 2
EOF
)
	start_tree "$spec"
	wait_for node_state_is w running
	stop_tree
	[ -c /dev/null ]
	[ ! -e /dev/null.1 ]
}

@test "descriptors inherited by supertree run do not reach workers" {
	spec=$(write_spec fds.ini <<EOF
[w]
command = sh -c 'ls /proc/\$\$/fd > $T/fds; exec sleep 1000'
EOF
)
	exec 7>"$T/inherited"
	start_tree "$spec"
	exec 7>&-
	wait_for test -s "$T/fds"
	run sort -n "$T/fds"
	refute_line 7
	assert_line 0
	assert_line 1
	assert_line 2
}

@test "SIGTERM in the middle of a large start-up stops promptly and leaves nothing" {
	{
		printf '[supertree]\nname = many\n'
		for i in $(seq 1 300); do
			printf '[w%d]\ncommand = sleep 100000\noutput = null\n' "$i"
		done
	} >"$T/many.ini"
	start_tree "$T/many.ini"
	kill -TERM "$TREE_PID"
	wait_tree
	[ "$TREE_STATUS" -eq 0 ]
	wait_for -t 10 eval '[ -z "$(marked_pids)" ]'
}

@test "child supervisors run the image that is running, even if the file is replaced" {
	cp "$SUPERTREE" "$T/st"
	spec=$(write_spec image.ini <<EOF
[mid]
[mid/w]
command = sleep 1000
EOF
)
	ST_MARK=$ST_MARK "$T/st" run -S "$SOCK" "$spec" >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
	wait_for node_state_is mid/w running
	mid=$(node_pid mid)
	rm "$T/st"
	printf 'not a program\n' >"$T/st"
	chmod 755 "$T/st"
	kill -KILL "$mid"
	wait_for pid_changed mid "$mid"
	wait_for node_state_is mid/w running
	run st status
	assert_success
}
