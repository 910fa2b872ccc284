#!/usr/bin/env bats
# pools.bats: pools (a worker section with 'instances'), scale, add and
# remove of dynamic workers, and rolling restarts.

bats_require_minimum_version 1.5.0
load helpers

# A pool of N instances, each writing "%i $SUPERTREE_INSTANCE" to its file.
pool_spec() {
	write_spec tree.ini <<-EOF
	[supertree]
	name = pools-$BATS_TEST_NUMBER
	[web]
	command = sh -c 'echo "%i \$SUPERTREE_INSTANCE 100%%" >$T/inst.%i; exec sleep 1000'
	instances = ${1:-3}
	intensity = 50
	[other]
	command = sleep 1001
	EOF
}

file_is() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

@test "a pool runs its instances with %i and SUPERTREE_INSTANCE" {
	start_tree "$(pool_spec 3)"
	wait_for node_state_is web/3 running
	for i in 1 2 3; do
		wait_for file_is "$T/inst.$i" "$i $i 100%"
	done
	[ ! -e "$T/inst.4" ]
}

@test "status shows a pool as a supervisor and its instances as workers" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	[ "$(node_field web kind)" = supervisor ]
	[ "$(node_field web instances)" = 2 ]
	[ "$(node_field web/1 kind)" = worker ]
	[ "$(node_field web/2 kind)" = worker ]
	[ "$(node_field web/2 parent)" = web ]
	run st status
	assert_output --partial "web"
	assert_line --regexp '^\|   \|-- 1 +running'
}

@test "one instance killed restarts only itself" {
	start_tree "$(pool_spec 3)"
	wait_for node_state_is web/3 running
	p1=$(node_pid web/1) p2=$(node_pid web/2) p3=$(node_pid web/3)
	kill -KILL "$p2"
	wait_for pid_changed web/2 "$p2"
	[ "$(node_pid web/1)" = "$p1" ]
	[ "$(node_pid web/3)" = "$p3" ]
	[ "$(node_field web/2 restarts)" = 1 ]
	[ "$(node_field web/1 restarts)" = 0 ]
}

@test "strategy on a pool: one_for_all restarts every instance" {
	write_spec tree.ini <<-EOF
	[web]
	command = sleep 100%i
	instances = 2
	strategy = one_for_all
	EOF
	start_tree "$T/tree.ini"
	wait_for node_state_is web/2 running
	p1=$(node_pid web/1) p2=$(node_pid web/2)
	kill -KILL "$p2"
	wait_for pid_changed web/1 "$p1"
	wait_for pid_changed web/2 "$p2"
}

@test "a bad pool is refused with file, line and section" {
	write_spec bad.ini <<-EOF
	[web]
	command = echo %x
	instances = 2
	EOF
	run -2 "$SUPERTREE" check "$T/bad.ini"
	assert_output "supertree: $T/bad.ini:2: [web]: key 'command': '%x' in a pool: use %i for the instance number or %% for a percent sign"
	printf '[web]\ncommand = echo\ninstances = 0\n' >"$T/bad.ini"
	run -2 "$SUPERTREE" check "$T/bad.ini"
	assert_output "supertree: $T/bad.ini:3: [web]: key 'instances': number out of range '0' (1 to 10000)"
	printf '[web]\ncommand = echo\ninstances = 2\n[web/x]\ncommand = echo\n' >"$T/bad.ini"
	run -2 "$SUPERTREE" check "$T/bad.ini"
	assert_output --partial "[web/x]: parent section [web] is a pool"
}
