#!/usr/bin/env bats
# nofile.bats: a supervisor's descriptor budget (issue 11 item 6). A worker
# with captured output costs its supervisor one descriptor (one pipe for
# stdout and stderr, no pidfd), two only while stdout and stderr go to
# different files and the limit has room: the soft RLIMIT_NOFILE is raised
# to what the children need (up to the hard limit), workers still get the
# limits supertree was started with, a limit that caps the tree is said
# once with what to do, and a start that fails (EMFILE, ENOENT, ...) never
# loops hot, even with backoff_min = 0.

bats_require_minimum_version 1.5.0
load helpers

# many N: a tree of N workers that write their soft and hard limit to
# $T/wI.n, then sleep.
many() {
	local i
	printf '[supertree]\nname = nofile-%s\nintensity = 1000\nperiod = 1s\n\n' \
	    "$BATS_TEST_NUMBER"
	for i in $(seq "$1"); do
		printf '[w%d]\ncommand = sh -c %s\nbackoff_min = 0\n\n' "$i" \
		    "'ulimit -n >$T/w$i.tmp; ulimit -Hn >>$T/w$i.tmp; mv $T/w$i.tmp $T/w$i.n; exec sleep 100000'"
	done
}

# restarts_at_least PATH N: evaluated at each try of wait_for.
restarts_at_least() {
	[ "$(node_field "$1" restarts)" -ge "$2" ]
}

# start_limited SOFT HARD SPEC: start_tree under those limits.
start_limited() {
	local soft=$1 hard=$2
	shift 2
	ST_MARK=$ST_MARK prlimit --nofile="$soft:$hard" "$SUPERTREE" run \
	    -S "$SOCK" "$@" >"$T/out" 2>"$T/err" 3>&- &
	TREE_PID=$!
	wait_for st_answers
}

# flat N [PATH]: N workers that sleep, flat, or a pool at PATH.
flat() {
	local i
	printf '[supertree]\nname = nofile-%s\n\n' "$BATS_TEST_NUMBER"
	if [ -n "${2:-}" ]; then
		printf '[%s]\ncommand = sleep 100000\ninstances = %d\n' "$2" "$1"
		return
	fi
	for i in $(seq "$1"); do
		printf '[w%d]\ncommand = sleep 100000\n\n' "$i"
	done
}

# start_limited_1 SOFT HARD SPEC: start_limited, stdout and stderr one file.
start_limited_1() {
	ST_MARK=$ST_MARK prlimit --nofile="$1:$2" "$SUPERTREE" run -S "$SOCK" \
	    "$3" >"$T/out" 2>&1 3>&- &
	TREE_PID=$!
	wait_for st_answers
}

# running_are N: evaluated at each try of wait_for.
running_are() {
	[ "$(st status --json | jq '[.[] | select(.kind == "worker" and
	    .state == "running")] | length')" -eq "$1" ]
}

# fds_of PID: how many descriptors that process holds.
fds_of() {
	ls "/proc/$1/fd" | wc -l
}

# root_pid: the root supervisor's pid (its path is the root's, whatever
# the tree's name).
root_pid() {
	st status --json | jq -r '.[0] | select(.kind == "supervisor") | .pid'
}

# pidfds_of PID: how many of them are pidfds.
pidfds_of() {
	ls -l "/proc/$1/fd" | grep -c 'anon_inode:.pidfd' || true
}

@test "nofile: 400 flat workers run under a limit of 600 (three descriptors each would need 1264)" {
	flat 400 >"$T/t.ini"
	start_limited_1 600 600 "$T/t.ini"
	wait_for -t 90 running_are 400
	# One supervisor holds the 400: one pipe each, its own, and pidfds
	# for as many as the rest of the limit holds (600 - 64 - 400).
	sv=$(root_pid)
	[ -n "$sv" ] && [ -d "/proc/$sv" ]
	echo "fds $(fds_of "$sv"), pidfds $(pidfds_of "$sv")"
	[ "$(fds_of "$sv")" -lt 600 ]
	[ "$(pidfds_of "$sv")" -eq 136 ]
	run ! grep -iE 'too many open files|start failed|RLIMIT_NOFILE' "$T/out"
}

# no_zombies PID: evaluated at each try of wait_for.
no_zombies() {
	! ps --ppid "$1" -o stat= | grep -q Z
}

@test "nofile: without room for a pidfd each, a killed worker is reaped and restarted" {
	# 400 workers and 64 for the supervisor fit in 600; a pidfd each
	# does not: the first 136 get one, the exits of the others come
	# through SIGCHLD and the sweep.
	flat 400 >"$T/t.ini"
	start_limited_1 600 600 "$T/t.ini"
	wait_for -t 90 running_are 400
	sv=$(root_pid)
	[ -n "$sv" ] && [ -d "/proc/$sv" ]
	[ "$(pidfds_of "$sv")" -gt 0 ]
	[ "$(pidfds_of "$sv")" -lt 400 ]
	for w in w7 w200 w400; do
		pid=$(node_pid $w)
		kill -KILL "$pid"
		wait_for pid_changed $w "$pid"
		wait_for node_state_is $w running
	done
	wait_for no_zombies "$sv"
	assert_equal "$(node_field w7 restarts)" 1
}

@test "nofile: a pool of 400 instances runs under a limit of 600" {
	flat 400 web >"$T/t.ini"
	start_limited_1 600 600 "$T/t.ini"
	wait_for -t 90 running_are 400
	pool=$(node_field web pid)
	[ -n "$pool" ] && [ -d "/proc/$pool" ]
	[ "$(fds_of "$pool")" -lt 600 ]
	[ "$(pidfds_of "$pool")" -gt 0 ]
	run ! grep -iE 'too many open files|start failed|RLIMIT_NOFILE' "$T/out"
}

@test "nofile: with no room for a second pipe, stderr shares stdout's, said once" {
	flat 400 >"$T/t.ini"
	printf '[e]\ncommand = sh -c %s\n' \
	    "'echo to-err >&2; exec sleep 100000'" >>"$T/t.ini"
	start_limited 600 600 "$T/t.ini"
	wait_for -t 90 running_are 401
	wait_for grep -qE '^e +\| to-err$' "$T/out"
	run ! grep -q to-err "$T/err"
	assert_equal "$(grep -c 'no room for a second pipe' "$T/err")" 1
	run grep 'no room for a second pipe' "$T/err"
	assert_output --partial '401 workers write stdout and stderr to different files'
	assert_output --partial 'raise the hard limit'
	run ! grep -iE 'too many open files|start failed' "$T/err"
}

@test "nofile: with room, stderr keeps a pipe of its own" {
	flat 3 >"$T/t.ini"
	printf '[e]\ncommand = sh -c %s\n' \
	    "'echo to-out; echo to-err >&2; exec sleep 100000'" >>"$T/t.ini"
	start_limited 1000 1000 "$T/t.ini"
	wait_for grep -qE '^e +\| to-err$' "$T/err"
	wait_for grep -qE '^e +\| to-out$' "$T/out"
	run ! grep -q to-err "$T/out"
	run ! grep -q 'RLIMIT_NOFILE' "$T/err"
}

@test "nofile: 150 workers start under a soft limit of 256; each sees 256" {
	many 150 >"$T/t.ini"
	start_limited 256 20000 "$T/t.ini"
	wait_for test -e "$T/w150.n"
	run st wait --for running --timeout 30s w1 w75 w150
	assert_success
	assert_equal "$(cat "$T/w1.n")" "$(printf '256\n20000')"
	assert_equal "$(cat "$T/w150.n")" "$(printf '256\n20000')"
	run ! grep -i 'too many open files' "$T/err"
}

@test "nofile: a hard limit that caps the tree is said once, with what to do" {
	# Raising the hard limit needs CAP_SYS_RESOURCE: without it (or as
	# an ordinary user) the cap holds.
	if capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this process may raise its hard limit (CAP_SYS_RESOURCE)"
	fi
	many 150 >"$T/t.ini"
	start_limited 200 200 "$T/t.ini"
	wait_for grep -q 'RLIMIT_NOFILE allows about' "$T/err"
	assert_equal "$(grep -c 'RLIMIT_NOFILE allows about' "$T/err")" 1
	run grep 'RLIMIT_NOFILE allows about' "$T/err"
	assert_output --partial '150 children need about 514 file descriptors'
	assert_output --partial 'raise the hard limit'
}

@test "nofile: a start that fails waits at least 100ms, even with backoff_min = 0" {
	cat >"$T/t.ini" <<-EOF
	[supertree]
	intensity = 100000
	period = 1s

	[ok]
	command = sleep 100000

	[w]
	command = $T/does-not-exist
	backoff_min = 0
	EOF
	start_tree "$T/t.ini"
	wait_for restarts_at_least w 3
	r1=$(node_field w restarts)
	t1=$(date +%s%N)
	wait_for restarts_at_least w $((r1 + 6))
	t2=$(date +%s%N)
	# Six more restarts: the first may come at once, the five after it
	# 100ms apart at least (without the floor: microseconds apart).
	[ $(((t2 - t1) / 1000000)) -ge 400 ]
	# The loop still serves: a sibling runs, status answers.
	assert_equal "$(node_field ok state)" running
}
