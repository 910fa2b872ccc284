#!/usr/bin/env bats
# cgroup.bats: cgroup v2 where one is delegated. Each test that needs one
# makes its own uniquely named cgroup below the cgroup2 mount and removes
# it; where none can be made (no cgroup v2, not writable) the test is
# skipped and says why. The cgroup keys without a usable cgroup fail
# `run` with the reason.

load helpers

# The cgroup2 mount point, or nothing.
cg_mount() {
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

setup() {
	common_setup
	CG=
}

teardown() {
	cleanup_tree
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		# Only our own cgroup and what supertree made below it.
		find "$CG" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		rmdir "$CG" 2>/dev/null || true
	fi
}

# Make this test's cgroup, or skip with the reason.
need_cgroup() {
	local m
	m=$(cg_mount)
	[ -n "$m" ] || skip "no cgroup v2 mount"
	CG=$m/supertree-test-$ST_MARK
	mkdir "$CG" 2>/dev/null || skip "cannot make a cgroup in $m (not delegated)"
	[ -e "$CG/cgroup.kill" ] || skip "no cgroup.kill (Linux 5.14)"
}

@test "cgroup: a worker runs in its own cgroup below cgroup = PATH" {
	need_cgroup
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = sleep 1000
EOF
)"
	wait_for node_state_is w running
	local p
	p=$(node_pid w)
	grep -q "^0::.*/supertree-test-$ST_MARK/supertree\.$TREE_PID/w[0-9]*\$" "/proc/$p/cgroup"
}

@test "cgroup: status --json gives a worker's CPU use (and memory where the controller is on)" {
	need_cgroup
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = sh -c 'i=0; while [ \$i -lt 20000 ]; do i=\$((i+1)); done; exec sleep 1000'
EOF
)"
	wait_for node_state_is w running
	local cpu
	cpu=$(node_field w cpu_usec)
	[ -n "$cpu" ] && [ "$cpu" != null ] && [ "$cpu" -gt 0 ]
	if grep -qw memory "$CG/cgroup.controllers"; then
		[ "$(node_field w memory_bytes)" -gt 0 ]
	else
		[ "$(node_field w memory_bytes)" = null ]
	fi
	run st status
	assert_success
	assert_output --regexp 'w +running .*cpu [0-9.]+s'
}

@test "cgroup: everything a worker starts stays in its cgroup and is stopped with it" {
	need_cgroup
	cat >"$T/w.sh" <<EOF
#!/bin/sh
setsid sh -c 'echo \$\$ >$T/esc; exec sleep 1000' &
exec sleep 1000
EOF
	chmod +x "$T/w.sh"
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = $T/w.sh
EOF
)"
	wait_for test -s "$T/esc"
	local e d
	e=$(cat "$T/esc")
	d=$(sed -n 's/^0:://p' "/proc/$(node_pid w)/cgroup")
	grep -qx "0::$d" "/proc/$e/cgroup"
	run st stop w
	assert_success
	not_alive "$e"
}

@test "cgroup: a stopped worker's cgroup is removed, and the tree's at exit" {
	need_cgroup
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = sleep 1000
EOF
)"
	wait_for node_state_is w running
	local d
	d=$(find "$CG" -mindepth 2 -maxdepth 2 -type d -name 'w*')
	[ -n "$d" ]
	run st stop w
	assert_success
	[ ! -d "$d" ]
	stop_tree
	[ -z "$(find "$CG" -mindepth 1 -type d)" ]
}

@test "cgroup: each supervisor runs in a cgroup of its own; a SIGKILLed one's subtree is killed by cgroup" {
	need_cgroup
	# An escaped process that ignores SIGTERM, two levels down.
	cat >"$T/w.sh" <<EOF
#!/bin/sh
setsid sh -c 'trap "" TERM HUP; echo \$\$ >$T/esc; while :; do sleep 0.2; done' &
exec sleep 1000
EOF
	chmod +x "$T/w.sh"
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[mid]
strategy = one_for_one

[mid/low]

[mid/low/w]
command = $T/w.sh
EOF
)"
	wait_for node_state_is mid/low/w running
	wait_for test -s "$T/esc"
	local top=$CG/supertree.$TREE_PID p pid esc
	for p in supertree mid mid/low; do
		pid=$(node_pid "$p")
		[ -n "$pid" ]
		grep -q "^0::.*/supertree\.$TREE_PID/s[0-9]*\$" "/proc/$pid/cgroup"
	done
	pid=$(node_pid mid/low/w)
	grep -q "^0::.*/supertree\.$TREE_PID/w[0-9]*\$" "/proc/$pid/cgroup"
	# Each supervisor's cgroup holds the supervisor alone.
	pid=$(node_pid mid)
	[ "$(cat "$top/$(sed -n 's|^0::.*/||p' "/proc/$pid/cgroup")/cgroup.procs")" = "$pid" ]
	esc=$(cat "$T/esc")
	kill -KILL "$pid"
	wait_for not_alive "$esc"
	wait_for node_state_is mid/low/w running
	stop_tree
	[ ! -d "$top" ]
	[ -z "$(find "$CG" -mindepth 1 -type d)" ]
}

@test "cgroup: the kill after shutdown goes through cgroup.kill" {
	need_cgroup
	cat >"$T/w.sh" <<EOF
#!/bin/sh
trap '' TERM
setsid sh -c 'trap "" TERM; echo \$\$ >$T/esc; while :; do sleep 0.2; done' &
while :; do sleep 0.2; done
EOF
	chmod +x "$T/w.sh"
	start_tree "$(write_spec c.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = $T/w.sh
shutdown = 300ms
EOF
)"
	wait_for test -s "$T/esc"
	run st stop w
	assert_success
	not_alive "$(cat "$T/esc")"
	err_has "still running after 300ms, sending SIGKILL"
}

@test "cgroup: memory_max without its controller fails run with the reason" {
	need_cgroup
	grep -qw memory "$CG/cgroup.controllers" &&
	    skip "the memory controller is delegated here"
	run "$SUPERTREE" run -S "$SOCK" "$(write_spec m.ini <<EOF
[supertree]
cgroup = $CG

[w]
command = sleep 1000
memory_max = 64M
EOF
)"
	assert_failure 2
	assert_output --partial "[w]: memory_max needs the memory controller of cgroup v2"
	assert_output --partial "remove the key"
}

@test "cgroup: a cgroup key where no cgroup v2 is writable fails run with what to do" {
	run "$SUPERTREE" run -S "$SOCK" "$(write_spec m.ini <<EOF
[supertree]
cgroup = $T

[w]
command = sleep 1000
pids_max = 10
EOF
)"
	assert_failure 2
	assert_output --partial "is not a cgroup v2 directory"
	assert_output --partial "Delegate=yes"
}

@test "cgroup: check validates the cgroup keys with file and line" {
	run "$SUPERTREE" check "$(write_spec ok.ini <<EOF
[w]
command = sleep 1
memory_max = 512M
memory_high = 400M
cpu_weight = 200
cpu_max = 50%
pids_max = 64
EOF
)"
	assert_success
	run "$SUPERTREE" check "$(write_spec bad.ini <<EOF
[w]
command = sleep 1
cpu_max = lots
EOF
)"
	assert_failure 2
	assert_output --partial "bad.ini:3"
	assert_output --partial "cpu_max"
	run "$SUPERTREE" check "$(write_spec bad2.ini <<EOF
[supertree]
cgroup = relative/path

[w]
command = sleep 1
EOF
)"
	assert_failure 2
	assert_output --partial "bad2.ini:2"
}
