#!/usr/bin/env bats
# limits-keys.bats: the worker keys limit_*, nice and oom_score_adj (issue
# 12 item 3), each observed from inside the worker; check's errors for
# them; a limit the kernel refuses at spawn is a start failure.

bats_require_minimum_version 1.5.0
load helpers

# run_worker KEYS SCRIPT: a tree with one worker w that has KEYS (lines)
# and runs sh -c SCRIPT, writing to $T/w.out; waits for $T/w.done.
run_worker() {
	{
		printf '[w]\ncommand = sh -c %s\n' "'{ $2; } >$T/w.out; touch $T/w.done; exec sleep 100000'"
		printf '%s\n' "$1"
	} >"$T/w.ini"
	start_tree "$T/w.ini"
	wait_for test -e "$T/w.done"
}

# limit_line NAME: soft and hard of "Max NAME" in the worker's limits.
limit_of() {
	grep "^Max $1 " "$T/w.out" | sed "s/^Max $1 *//" | awk '{ print $1, $2 }'
}

@test "limit_nofile = SOFT:HARD: ulimit -n and -Hn inside the worker" {
	run_worker "limit_nofile = 100:200" 'ulimit -n; ulimit -Hn'
	assert_equal "$(cat "$T/w.out")" "$(printf '100\n200')"
}

@test "limit_nofile = N sets soft and hard" {
	run_worker "limit_nofile = 150" 'ulimit -n; ulimit -Hn'
	assert_equal "$(cat "$T/w.out")" "$(printf '150\n150')"
}

@test "limit_nproc, limit_cpu: counts and seconds in /proc/self/limits" {
	# The current hard limit: raising it may need CAP_SYS_RESOURCE.
	h=$(ulimit -Hu)
	[ "$h" != unlimited ] || h=infinity
	run_worker "$(printf 'limit_nproc = %s\nlimit_cpu = 3600' "$h")" \
	    'cat /proc/self/limits'
	[ "$h" != infinity ] || h=unlimited
	assert_equal "$(limit_of processes)" "$h $h"
	assert_equal "$(limit_of 'cpu time')" "3600 3600"
}

@test "limit_core, limit_memlock, limit_as, limit_fsize, limit_stack, limit_data: sizes with K, M, G" {
	run_worker "$(printf '%s\n' 'limit_core = 1M:infinity' \
	    'limit_memlock = 64K' 'limit_as = 4G' 'limit_fsize = 10M:20M' \
	    'limit_stack = 8M' 'limit_data = infinity')" 'cat /proc/self/limits'
	assert_equal "$(limit_of 'core file size')" "1048576 unlimited"
	assert_equal "$(limit_of 'locked memory')" "65536 65536"
	assert_equal "$(limit_of 'address space')" "4294967296 4294967296"
	assert_equal "$(limit_of 'file size')" "10485760 20971520"
	assert_equal "$(limit_of 'stack size')" "8388608 8388608"
	assert_equal "$(limit_of 'data size')" "unlimited unlimited"
}

@test "nice = 7: the worker's nice value" {
	run_worker "nice = 7" 'nice; cut -d" " -f19 /proc/self/stat'
	assert_equal "$(cat "$T/w.out")" "$(printf '7\n7')"
}

@test "oom_score_adj = 500: /proc/self/oom_score_adj in the worker" {
	run_worker "oom_score_adj = 500" 'cat /proc/self/oom_score_adj'
	assert_equal "$(cat "$T/w.out")" 500
}

@test "without the keys the worker inherits the supervisor's limits" {
	run_worker "" 'ulimit -n; cat /proc/self/oom_score_adj'
	assert_equal "$(cat "$T/w.out")" \
	    "$(printf '%s\n%s' "$(ulimit -n)" "$(cat /proc/self/oom_score_adj)")"
}

@test "check: a bad limit value is exit 2 with file:line, section and key" {
	write_spec bad.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	limit_as = 12X
	EOF
	run "$SUPERTREE" check "$T/bad.ini"
	assert_failure 2
	assert_output --partial "bad.ini:3: [w]: key 'limit_as': invalid limit '12X'"
}

@test "check: a count or seconds limit takes no size suffix" {
	write_spec bad.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	limit_cpu = 10K
	limit_nofile = 1M
	EOF
	run "$SUPERTREE" check "$T/bad.ini"
	assert_failure 2
	assert_output --partial "bad.ini:3: [w]: key 'limit_cpu': invalid limit '10K'"
	assert_output --partial "bad.ini:4: [w]: key 'limit_nofile': invalid limit '1M'"
}

@test "check: a hard limit below the soft one is exit 2" {
	write_spec bad.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	limit_nofile = 200:100
	EOF
	run "$SUPERTREE" check "$T/bad.ini"
	assert_failure 2
	assert_output --partial "bad.ini:3: [w]: key 'limit_nofile': hard limit below soft limit"
}

@test "check: nice and oom_score_adj out of range are exit 2" {
	write_spec bad.ini >/dev/null <<-EOF
	[w]
	command = sleep 1
	nice = -21
	oom_score_adj = 1001
	EOF
	run "$SUPERTREE" check "$T/bad.ini"
	assert_failure 2
	assert_output --partial "bad.ini:3: [w]: key 'nice': number out of range '-21' (-20 to 19)"
	assert_output --partial "bad.ini:4: [w]: key 'oom_score_adj': number out of range '1001' (-1000 to 1000)"
}

@test "check: a limit key in a supervisor section is refused" {
	write_spec bad.ini >/dev/null <<-EOF
	[g]
	limit_nofile = 100
	[g.w]
	command = sleep 1
	EOF
	run "$SUPERTREE" check "$T/bad.ini"
	assert_failure 2
	assert_output --partial "limit_nofile"
}

@test "a limit the kernel refuses is a start failure with the key named, not a crash" {
	# Above fs.nr_open: refused even to root.
	write_spec big.ini >/dev/null <<-EOF
	[w]
	command = sleep 100000
	limit_nofile = 2000000000
	backoff_min = 100ms
	EOF
	ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$T/big.ini" \
	    >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for err_has "w: start failed: limit_nofile: cannot set 2000000000:2000000000"
	err_has "w: restarting in"
	# Restarts run out (intensity), the tree exits by itself: no crash.
	wait_tree
	[ "$TREE_STATUS" -lt 128 ]
	run ! grep -q "fatal" "$T/err"
}
