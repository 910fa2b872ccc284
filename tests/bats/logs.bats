#!/usr/bin/env bats
# logs.bats: `logs PATH` (the ring of a worker's last lines), -n, -f.

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

# A worker w that prints 1..N then waits (HUP prints "hup N").
logs_tree() {
	local n=$1
	shift
	{
		printf '[supertree]\nname = logs-%s\n' "$BATS_TEST_NUMBER"
		printf '[w]\ncommand = sh %s/w.sh %s\n' "$T" "$n"
		printf '%s\n' "$@"
		printf '[grp]\n[grp/x]\ncommand = sleep 1000\n'
	} >"$T/logs.ini"
	cat >"$T/w.sh" <<-'EOF'
	k=0
	trap 'k=$((k + 1)); echo "hup $k"' HUP
	seq 1 "$1"
	while :; do sleep 0.05; done
	EOF
	start_tree "$T/logs.ini"
}

logs_has() {
	st logs w | grep -qx "$1"
}

@test "logs PATH prints the worker's last lines" {
	logs_tree 20
	wait_for logs_has 20
	run --separate-stderr st logs w
	assert_success
	[ "$output" = "$(seq 1 20)" ]
	[ -z "$stderr" ]
}

@test "logs -n 5 prints exactly the last five" {
	logs_tree 20
	wait_for logs_has 20
	run st logs -n 5 w
	assert_success
	[ "$output" = "$(seq 16 20)" ]
}

@test "logs -n 1 prints exactly the last one" {
	logs_tree 20
	wait_for logs_has 20
	run st logs -n 1 w
	assert_success
	assert_output 20
}

@test "logs -n more than there are prints them all" {
	logs_tree 7
	wait_for logs_has 7
	run st logs -n 500 w
	assert_success
	[ "$output" = "$(seq 1 7)" ]
}

@test "log_lines = 10 keeps only the last 10 lines" {
	logs_tree 50 "log_lines = 10"
	wait_for logs_has 50
	run st logs w
	assert_success
	[ "$output" = "$(seq 41 50)" ]
	run st logs -n 3 w
	assert_output "$(seq 48 50)"
}

@test "the default ring keeps 1000 lines" {
	logs_tree 1500
	wait_for logs_has 1500
	run st logs w
	assert_success
	[ "${#lines[@]}" -eq 1000 ]
	assert_line --index 0 501
	assert_line --index 999 1500
}

@test "logs of a ring larger than one frame keeps the newest lines" {
	# 1100 lines of ~4000 bytes: more than one 4 MiB frame can carry.
	cat >"$T/big.sh" <<-'EOF'
	l=$(printf "%4000s" "" | tr ' ' q)
	seq 1 1100 | sed "s/\$/ $l/"
	echo LAST
	exec sleep 1000
	EOF
	write_spec big.ini <<-EOF
	[supertree]
	name = big
	[w]
	command = sh $T/big.sh
	output = file:$T/w.log
	log_lines = 1100
	EOF
	start_tree "$T/big.ini"
	wait_for grep -qx LAST "$T/w.log"
	wait_for eval 'st logs -n 1 w | grep -qx LAST'
	st logs w >"$T/dump"
	[ "$(tail -1 "$T/dump")" = LAST ]
	[ "$(tail -2 "$T/dump" | head -1 | cut -d' ' -f1)" = 1100 ]
	# Whatever was dropped was the oldest: the numbers run on to the end.
	local first n
	first=$(head -1 "$T/dump" | cut -d' ' -f1)
	n=$(wc -l <"$T/dump")
	[ "$n" -eq $((1100 - first + 2)) ]
}

@test "logs keeps stderr lines too" {
	write_spec err.ini <<-EOF
	[supertree]
	name = err
	[w]
	command = sh -c 'echo out-line; echo err-line >&2; exec sleep 1000'
	EOF
	start_tree "$T/err.ini"
	wait_for eval 'st logs w | grep -qx err-line'
	run st logs w
	assert_line out-line
	assert_line err-line
}

@test "logs works for output=file workers too" {
	logs_tree 5 "output = file:$T/w.log"
	wait_for logs_has 5
	run st logs w
	assert_output "$(seq 1 5)"
	grep -qx 5 "$T/w.log"
}

@test "logs of a worker that has not printed anything is empty" {
	logs_tree 0
	wait_for node_state_is w running
	run --separate-stderr st logs w
	assert_success
	assert_output ""
}

@test "logs of a worker that exited still prints its lines" {
	write_spec gone.ini <<-EOF
	[supertree]
	name = gone
	[w]
	command = sh -c 'echo last-words'
	restart = temporary
	EOF
	start_tree "$T/gone.ini"
	wait_for node_state_is w exited
	run st logs w
	assert_success
	assert_output last-words
}

@test "logs -f prints the last lines, then streams new ones" {
	logs_tree 3
	wait_for logs_has 3
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f" 2>"$T/f.err" &
	local f=$!
	BG_PIDS="$BG_PIDS $f"
	wait_for grep -qx 3 "$T/f"
	# A new line (the follow may register just after the dump: retry).
	wait_for hup_seen "$T/f"
	alive "$f"
	kill -TERM "$f"
	wait_for not_alive "$f"
	# The dump came first, in order.
	[ "$(head -3 "$T/f")" = "$(seq 1 3)" ]
	# The tree is fine after the follower went away.
	run st status
	assert_success
}

hup_seen() {
	st signal HUP w
	grep -q '^hup ' "$1"
}

@test "logs -f streams every new line once and in order" {
	logs_tree 0
	wait_for node_state_is w running
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f" 2>"$T/f.err" &
	local f=$!
	BG_PIDS="$BG_PIDS $f"
	wait_for hup_seen "$T/f"
	local first last i
	first=$(grep -m1 '^hup ' "$T/f" | awk '{print $2}')
	for i in 1 2 3 4 5; do
		last=$(max_hup "$T/f")
		st signal HUP w
		wait_for hup_above "$T/f" "$last"
	done
	# Every line the worker wrote since, once each, in order.
	last=$(max_hup "$T/f")
	[ "$last" -ge $((first + 5)) ]
	[ "$(grep '^hup ' "$T/f")" = "$(seq "$first" "$last" | sed 's/^/hup /')" ]
}

max_hup() {
	grep '^hup ' "$1" | awk '{print $2}' | sort -n | tail -1
}

hup_above() {
	[ "$(max_hup "$1")" -gt "$2" ]
}

@test "logs -f by two clients at once; one leaving does not stop the other" {
	logs_tree 0
	wait_for node_state_is w running
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f1" 2>/dev/null &
	local f1=$!
	BG_PIDS="$BG_PIDS $f1"
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f2" 2>/dev/null &
	local f2=$!
	BG_PIDS="$BG_PIDS $f2"
	wait_for hup_seen "$T/f1"
	wait_for hup_seen "$T/f2"
	kill -TERM "$f1"
	wait_for not_alive "$f1"
	: >"$T/f2"
	wait_for hup_seen "$T/f2"
}

@test "logs -f follows across a restart of the worker" {
	logs_tree 0
	wait_for node_state_is w running
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f" 2>/dev/null &
	BG_PIDS="$BG_PIDS $!"
	wait_for hup_seen "$T/f"
	run st restart w
	assert_success
	: >"$T/f"
	wait_for hup_seen "$T/f"
}

@test "logs -f ends with exit 0 when the tree shuts down" {
	logs_tree 3
	wait_for logs_has 3
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f" 2>"$T/f.err" &
	local f=$! rc=0
	BG_PIDS="$BG_PIDS $f"
	wait_for grep -qx 3 "$T/f"
	run st shutdown
	assert_success
	wait_for not_alive "$f"
	wait "$f" || rc=$?
	cat "$T/f.err"
	[ "$rc" -eq 0 ]
}

@test "logs of a supervisor path: exit 2 with a message" {
	logs_tree 3
	run --separate-stderr st logs grp
	assert_failure 2
	[[ $stderr == *"grp"* ]]
	[[ $stderr == *"supervisor"* ]]
	run --separate-stderr st logs supertree
	assert_failure 2
}

@test "logs of an unknown path: exit 2" {
	logs_tree 3
	run --separate-stderr st logs nosuch
	assert_failure 2
	[[ $stderr == *"nosuch"* ]]
}

@test "logs with a bad -n or no path: exit 2" {
	logs_tree 3
	run --separate-stderr st logs -n many w
	assert_failure 2
	[[ $stderr == *"many"* ]]
	run --separate-stderr st logs
	assert_failure 2
	run --separate-stderr st logs w grp/x
	assert_failure 2
}

# Peak resident memory of a process, in kB.
hwm_kb() {
	awk '/^VmHWM:/ {print $2}' "/proc/$1/status"
}

@test "logs -f of a flooding worker keeps the supervisor's memory bounded" {
	# Under ASan the sanitizer's own memory swamps what is measured.
	if nm -D "$SUPERTREE" 2>/dev/null | grep -q __asan_init; then
		skip "not measurable in an ASan build"
	fi
	write_spec flood.ini <<-EOF
	[supertree]
	name = flood
	[w]
	command = sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done; yes | head -n 2000000; echo DONE; exec sleep 1000'
	output = file:$T/w.log
	log_max_size = 1M
	log_keep = 1
	EOF
	# Under ASan, freed memory waits in its quarantine: measure the
	# supervisor's own memory, not the sanitizer's.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
	    start_tree "$T/flood.ini"
	wait_for node_state_is w running
	local root
	root=$(node_pid supertree)
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" logs -f w >"$T/f" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	# The follow is on long before 2,000,000 lines have gone by (and the
	# follower must see some of them, below).
	touch "$T/go"
	wait_for -t 60 grep -qx DONE "$T/w.log"
	run st status --quiet
	assert_success
	# 2,000,000 lines (~32 MB as frames) went by; none may pile up.
	local kb
	kb=$(hwm_kb "$root")
	echo "root supervisor peak RSS: ${kb} kB"
	[ "$kb" -lt 20000 ]
	grep -m1 -qx y "$T/f"
}
