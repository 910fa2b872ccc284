#!/usr/bin/env bats
# sec-output.bats: the output path cannot be turned against the supervisor.
# Output files are never written through a symbolic link or another hard
# link, rotation renames only the file it checked, and nothing a worker
# or a reader does (a FIFO without a reader, a reader that never reads, a
# stalled `supertree run | ...`, an escaped flooding writer) blocks a
# supervisor's loop; a failed write never glues two lines together.
# CI runs as root; the tests that need root or another user skip
# otherwise.

bats_require_minimum_version 1.5.0
load helpers

teardown() {
	if [ -n "${READER_PID:-}" ]; then
		kill "$READER_PID" 2>/dev/null || true
		wait "$READER_PID" 2>/dev/null || true
	fi
	cleanup_tree
	if [ -n "${PRIVDIR:-}" ]; then
		rm -rf "$PRIVDIR"
	fi
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to run a worker as another user"
	getent passwd nobody >/dev/null || skip "no user nobody"
}

# A directory that every user can reach, with a log directory owned by
# nobody in it, and a root-only file beside: what a hostile worker would
# like root to append to.
privdir() {
	PRIVDIR=$(mktemp -d /tmp/st-secout.XXXXXX)
	chmod 755 "$PRIVDIR"
	mkdir "$PRIVDIR/logs"
	chown nobody "$PRIVDIR/logs"
	printf 'secret\n' >"$PRIVDIR/secret"
	chmod 600 "$PRIVDIR/secret"
}

secret_untouched() {
	[ "$(cat "$1")" = secret ]
}

# The highest number the worker w printed, as `logs` keeps it.
last_n() {
	st logs -n 1 w | awk '{ print $2 }'
}

n_past() {
	[ "$(last_n)" -ge "$1" ]
}

# ---------------------------------------------------------------- open

@test "output file: a symbolic link at the path is refused at start, never followed" {
	printf 'secret\n' >"$T/secret"
	ln -s "$T/secret" "$T/w.log"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-link
	[w]
	command = echo leaked
	output = file:$T/w.log
	restart = temporary
	EOF
	start_tree "$T/s.ini"
	wait_for err_has "w.log: is a symbolic link: refused"
	secret_untouched "$T/secret"
	[ -L "$T/w.log" ]
}

@test "output file: a hard link to another file is refused" {
	printf 'secret\n' >"$T/secret"
	ln "$T/secret" "$T/w.log"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-hard
	[w]
	command = echo leaked
	output = file:$T/w.log
	restart = temporary
	EOF
	start_tree "$T/s.ini"
	wait_for err_has "w.log: has other hard links: refused"
	secret_untouched "$T/secret"
}

@test "output file: a user=nobody worker that swaps its log for a symlink gets nothing written through it on reopen" {
	need_root
	privdir
	D=$PRIVDIR/logs
	cat >"$PRIVDIR/w.sh" <<-EOF
	rm -f $D/w.log
	ln -s $PRIVDIR/secret $D/w.log
	touch $D/planted
	i=0
	while :; do i=\$((i + 1)); echo "n \$i"; sleep 0.05; done
	EOF
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-swap
	[w]
	command = sh $PRIVDIR/w.sh
	user = nobody
	output = file:$D/w.log
	EOF
	start_tree "$T/s.ini"
	wait_for test -e "$D/planted"
	kill -USR1 "$TREE_PID"
	wait_for err_has "w.log: is a symbolic link: refused"
	# Lines keep coming after the reopen: none may reach the link.
	n=$(last_n)
	wait_for n_past $((n + 3))
	secret_untouched "$PRIVDIR/secret"
}

@test "output file: rotation renames only the file it checked, never a planted symlink" {
	printf 'secret\n' >"$T/secret"
	cat >"$T/w.sh" <<-EOF
	echo first
	while [ ! -e $T/go ]; do sleep 0.05; done
	rm -f $T/w.log
	ln -s $T/secret $T/w.log
	head -c 2000 /dev/zero | tr '\\0' x
	echo
	exec sleep 1000
	EOF
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-rot
	[w]
	command = sh $T/w.sh
	output = file:$T/w.log
	log_max_size = 1K
	log_keep = 2
	EOF
	start_tree "$T/s.ini"
	wait_for grep -q first "$T/w.log"
	touch "$T/go"
	wait_for err_has "w.log: replaced by something else: not rotated"
	wait_for err_has "w.log: is a symbolic link: refused"
	[ ! -L "$T/w.log.1" ] && [ ! -e "$T/w.log.1" ]
	secret_untouched "$T/secret"
}

@test "output file: a FIFO of another user at the path is refused" {
	need_root
	mkfifo "$T/w.log"
	chown nobody "$T/w.log"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-fifo-other
	[w]
	command = echo x
	output = file:$T/w.log
	restart = temporary
	EOF
	start_tree "$T/s.ini"
	wait_for err_has "w.log: is a FIFO of another user: refused"
}

# ---------------------------------------------------------------- no stall

@test "output file: a FIFO without a reader blocks nothing; a reader that comes later gets the lines" {
	mkfifo "$T/w.fifo"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-fifo
	[a]
	command = sh -c 'echo hello; exec sleep 1000'
	output = file:$T/w.fifo
	[b]
	command = sleep 1000
	EOF
	start_tree "$T/s.ini"
	wait_for node_state_is b running
	run timeout 10 "$SUPERTREE" -S "$SOCK" restart b
	assert_success
	run timeout 10 head -n 1 "$T/w.fifo"
	assert_output hello
	stop_tree
	[ "$TREE_STATUS" -eq 0 ]
}

@test "output file: a FIFO whose reader never reads blocks nothing; lines are dropped and counted" {
	mkfifo "$T/w.fifo"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-fifo-stuck
	[a]
	command = sh -c 'seq 1 200000; exec sleep 1000'
	output = file:$T/w.fifo
	[b]
	command = sleep 1000
	EOF
	start_tree "$T/s.ini"
	# A reader that holds the FIFO open and reads nothing, for now.
	exec 5<"$T/w.fifo"
	wait_for node_state_is b running
	run timeout 10 "$SUPERTREE" -S "$SOCK" restart b
	assert_success
	run timeout 10 "$SUPERTREE" -S "$SOCK" stop b
	assert_success
	# Once it reads, it learns what it missed.
	run timeout 10 grep -m 1 -E '^\[supertree: [0-9]+ lines dropped\]$' <&5
	exec 5<&-
	assert_success
	stop_tree
	[ "$TREE_STATUS" -eq 0 ]
}

@test "supertree run | a reader that never reads: siblings start, stop and shut down promptly" {
	mkfifo "$T/pipe"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-stdio
	[a]
	command = sh -c 'seq 1 200000; seq 1 20000 >&2; exec sleep 1000'
	[b]
	command = sleep 1000
	EOF
	ST_MARK=$ST_MARK sleep 1000 <"$T/pipe" 3>&- &
	READER_PID=$!
	ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$T/s.ini" \
	    >"$T/pipe" 2>&1 3>&- &
	TREE_PID=$!
	wait_for st_answers
	wait_for node_state_is b running
	run timeout 10 "$SUPERTREE" -S "$SOCK" restart b
	assert_success
	run timeout 10 "$SUPERTREE" -S "$SOCK" stop b
	assert_success
	run timeout 10 "$SUPERTREE" -S "$SOCK" start b
	assert_success
	kill -TERM "$TREE_PID"
	wait_for -t 10 not_alive "$TREE_PID"
	wait "$TREE_PID" || true
	TREE_PID=
	[ -z "$(marked_pids | grep -vx "$READER_PID")" ]
}

@test "an escaped writer flooding a worker's pipe does not hold its supervisor" {
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-escape
	[a]
	command = sh -c 'setsid yes flood & seq 1 20000; exit 0'
	restart = temporary
	[b]
	command = sleep 1000
	EOF
	start_tree "$T/s.ini"
	wait_for node_state_is a exited
	run timeout 10 "$SUPERTREE" -S "$SOCK" restart b
	assert_success
	run timeout 10 "$SUPERTREE" -S "$SOCK" stop b
	assert_success
	# It got one pipe's worth after the end, then EPIPE.
	wait_for -t 10 no_marked_yes
}

# No process of this test is still running yes.
no_marked_yes() {
	local p
	for p in $(marked_pids); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" != yes ] || return 1
	done
}

# ---------------------------------------------------------------- torn lines

size_ge() {
	[ "$(stat -c %s "$1")" -ge "$2" ]
}

@test "output file: after a short write (file size limit), the next line starts on a line of its own" {
	mkfifo "$T/in"
	write_spec s.ini <<-EOF
	[supertree]
	name = secout-torn
	[w]
	command = sh -c 'while read -r l; do echo "\$l"; done <$T/in; exec sleep 1000'
	output = file:$T/w.log
	EOF
	start_tree "$T/s.ini"
	exec 6>"$T/in"
	echo first >&6
	wait_for grep -qx first "$T/w.log"
	rp=$(node_pid supertree)
	size=$(stat -c %s "$T/w.log")
	prlimit --pid "$rp" --fsize=$((size + 100)):unlimited
	head -c 300 /dev/zero | tr '\0' y >&6
	echo >&6
	# The limit holds for every file of that process (stderr too): wait
	# for the log to reach it.
	wait_for size_ge "$T/w.log" $((size + 100))
	prlimit --pid "$rp" --fsize=unlimited:unlimited
	echo after >&6
	exec 6>&-
	wait_for grep -q after "$T/w.log"
	grep -qx after "$T/w.log"
	alive "$rp"
}
