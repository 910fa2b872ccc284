#!/usr/bin/env bats
# limits.bats: resource exhaustion. Running out of descriptors or of
# processes is a start failure with backoff, never a crash of a
# supervisor, and the tree recovers once the resource is back; the control
# socket pauses under EMFILE instead of spinning; a worker's flood of
# output keeps its supervisor's memory bounded.

bats_require_minimum_version 1.5.0
load helpers

teardown() {
	cleanup_tree
	if [ -n "${LIMDIR:-}" ]; then
		rm -rf "$LIMDIR"
	fi
}

# start_tree_with PREFIX... -- SPEC [ARGS...]: like start_tree, with the
# run command behind a prefix that execs it (prlimit, setpriv), so that
# TREE_PID is still the top process.
start_tree_with() {
	local pre=()
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	local spec=$1
	shift
	ST_MARK=$ST_MARK "${pre[@]}" "$SUPERTREE" run -S "$SOCK" "$@" \
	    "$spec" >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
}

# The path of the first node whose error contains $1, or nothing.
node_with_error() {
	st status --json | jq -r --arg e "$1" \
	    '[.[] | select(.error != null and (.error | contains($e)))][0].path // empty'
}

has_node_with_error() {
	[ -n "$(node_with_error "$1")" ]
}

# utime + stime of a process, in clock ticks.
cpu_ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# A process's resident set (VmRSS) or its peak (VmHWM), in kB.
vm_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# The pid of the supervisor process of node $1 (the root: "supertree").
sv_pid() {
	node_field "$1" pid
}

@test "limits: out of descriptors is a start failure with backoff, and the tree recovers" {
	command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
	{
		printf '[supertree]\nname = nofile\nintensity = infinity\n'
		for i in $(seq -w 1 20); do
			printf '[w%s]\ncommand = sleep 100000\n' "$i"
			printf 'backoff_min = 100ms\nbackoff_max = 300ms\n'
		done
	} >"$T/nofile.ini"
	# 40 descriptors: each worker costs its supervisor three (two output
	# pipes and a pidfd), so about a dozen of the twenty can start.
	start_tree_with prlimit --nofile=40 -- "$T/nofile.ini"
	wait_for has_node_with_error "Too many open files"
	bad=$(node_with_error "Too many open files")
	root=$(sv_pid supertree)
	wait_for node_restarts_ge "$bad" 2
	# A start failure, retried with backoff, shown in status --json.
	wait_for node_state_is "$bad" backoff
	run node_field "$bad" error
	assert_output --partial "Too many open files"
	wait_for err_has "$bad: start failed:"
	err_has "$bad: restarting in"
	# The supervisor did not crash: same process, nothing restarted.
	assert_equal "$(sv_pid supertree)" "$root"
	assert_equal "$(node_field supertree restarts)" 0
	alive "$root"
	# Give descriptors back: stop the first five workers.
	run st stop w01 w02 w03 w04 w05
	assert_success
	wait_for node_state_is "$bad" running
	run node_field "$bad" error
	assert_output null
	assert_equal "$(sv_pid supertree)" "$root"
}

@test "limits: fork failing with EAGAIN (RLIMIT_NPROC) is a start failure with backoff, and the tree recovers" {
	[ "$(id -u)" = 0 ] || skip "needs root (to run the tree as another uid)"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	# A uid with no process at all, so that the limit counts only ours
	# (root ignores RLIMIT_NPROC, hence another uid).
	uid=
	for u in $(seq $((60000 + $$ % 1000)) 64999); do
		if ! ps -u "$u" >/dev/null 2>&1 && ! getent passwd "$u" >/dev/null; then
			uid=$u
			break
		fi
	done
	[ -n "$uid" ] || skip "no free uid"
	setpriv --reuid="$uid" --regid="$uid" --clear-groups test -x "$SUPERTREE" ||
	    skip "$SUPERTREE is not reachable by uid $uid"
	LIMDIR=$(mktemp -d /tmp/st-limits.XXXXXX)
	chmod 711 "$LIMDIR"
	chown "$uid:$uid" "$LIMDIR"
	SOCK=$LIMDIR/tree.sock
	cat >"$LIMDIR/nproc.ini" <<-EOF
	[supertree]
	name = nproc
	intensity = infinity
	[w1]
	command = sleep 100000
	[w2]
	command = sleep 100000
	[w3]
	command = sleep 100000
	[w4]
	command = sleep 100000
	[grp]
	backoff_min = 100ms
	backoff_max = 300ms
	[grp/a]
	command = sleep 100000
	EOF
	chmod 644 "$LIMDIR/nproc.ini"
	# A client trusts only a tree of its own user (or root): talk to
	# this one as $uid, through a wrapper that drops to it (and that the
	# tree, already $uid, runs straight through).
	cat >"$LIMDIR/supertree" <<-EOF
	#!/bin/sh
	[ "\$(id -u)" = 0 ] || exec "$SUPERTREE" "\$@"
	exec setpriv --reuid=$uid --regid=$uid --clear-groups "$SUPERTREE" "\$@"
	EOF
	chmod 755 "$LIMDIR/supertree"
	SUPERTREE=$LIMDIR/supertree
	# Six processes: the top, the root supervisor and four workers; grp's
	# supervisor process cannot be forked.
	start_tree_with setpriv --reuid="$uid" --regid="$uid" --clear-groups \
	    prlimit --nproc=6 -- "$LIMDIR/nproc.ini"
	wait_for err_has "grp: start failed: fork: Resource temporarily unavailable"
	wait_for node_restarts_ge grp 2
	run node_field grp error
	assert_output "fork: Resource temporarily unavailable"
	run node_field grp state
	assert_output --regexp '^(backoff|starting)$'
	root=$(sv_pid supertree)
	alive "$root"
	assert_equal "$(node_field supertree restarts)" 0
	# Processes come free: grp and its worker start.
	run st stop w1 w2
	assert_success
	wait_for node_state_is grp/a running
	assert_equal "$(sv_pid supertree)" "$root"
	[ "$(ps -o uid= -p "$(node_pid grp/a)" | tr -d ' ')" = "$uid" ]
}

@test "limits: the control socket pauses accepting under EMFILE instead of spinning" {
	command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
	command -v python3 >/dev/null || skip "python3 is not installed"
	spec=$(write_spec emfile.ini <<-EOF
	[supertree]
	name = emfile
	[w]
	command = sleep 100000
	EOF
	)
	start_tree_with prlimit --nofile=24 -- "$spec"
	wait_for node_state_is w running
	# Clients connect as fast as they can and send nothing, holding up
	# to 300 connections: the top runs out of descriptors in accept(2).
	cat >"$T/hammer.py" <<-'EOF'
	import socket, sys, time
	path, secs = sys.argv[1], float(sys.argv[2])
	held, n, end = [], 0, time.time() + secs
	while time.time() < end:
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.setblocking(False)
	    try:
	        s.connect(path)
	        held.append(s)
	        n += 1
	    except OSError:
	        s.close()
	        time.sleep(0.001)
	    if len(held) > 300:
	        held.pop(0).close()
	print(n)
	EOF
	before=$(cpu_ticks "$TREE_PID")
	run python3 "$T/hammer.py" "$SOCK" 3
	assert_success
	after=$(cpu_ticks "$TREE_PID")
	echo "# top process CPU: $((after - before)) ticks in 3s; ${output} connections" >&3
	err_has "control socket: accept: Too many open files"
	# Spinning on accept would burn ~300 ticks in 3 s; pausing, almost 0.
	[ $((after - before)) -lt "$(getconf CLK_TCK)" ]
	# The warning is rate-limited by the pause (at most a few per second).
	[ "$(grep -c 'control socket: accept' "$T/err")" -le 40 ]
	# Once the clients are gone the tree answers again.
	wait_for st_answers
	run st status w
	assert_success
	alive "$TREE_PID"
}

@test "limits: a worker's endless line keeps its supervisor's memory bounded" {
	# 64 MiB without a newline, then a short line: the supervisor cuts
	# the long one into 4096-byte pieces and never holds it whole; the
	# file rotates at log_max_size so the disk is bounded too.
	spec=$(write_spec flood.ini <<-EOF
	[supertree]
	name = flood
	[w]
	command = sh -c 'while [ ! -e go ]; do sleep 0.05; done; head -c 67108864 /dev/zero | tr -c x x; echo; echo done; exec sleep 100000'
	directory = $T
	output = file:$T/w.log
	log_max_size = 1M
	log_keep = 1
	log_lines = 100
	EOF
	)
	# Under ASan, freed memory waits in a quarantine (256 MB by default)
	# and would count as growth: turn it off for this tree.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
	    start_tree "$spec"
	wait_for node_state_is w running
	sv=$(sv_pid supertree)
	rss0=$(vm_kb "$sv" VmRSS)
	touch "$T/go"
	wait_for -t 120 grep -qx done "$T/w.log"
	peak=$(vm_kb "$sv" VmHWM)
	echo "# root supervisor: VmRSS ${rss0} kB at start, peak ${peak} kB over 64 MiB" >&3
	[ $((peak - rss0)) -lt 32768 ]
	# Disk: the file and one rotated copy, each about log_max_size.
	[ "$(stat -c %s "$T/w.log")" -lt $((2 * 1024 * 1024)) ]
	[ "$(stat -c %s "$T/w.log.1")" -lt $((2 * 1024 * 1024)) ]
	[ ! -e "$T/w.log.2" ]
	# Each piece of the long line is at most 4096 bytes.
	run st logs -n 100 w
	assert_success
	longest=$(printf '%s\n' "$output" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
	[ "$longest" -le 4096 ]
	[ "$longest" -ge 4000 ]
	assert_line done
}
