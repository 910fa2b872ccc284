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

node_error_has() {
	node_field "$1" error | grep -qF "$2"
}

file_has_lines() {
	[ "$(wc -l <"$1" 2>/dev/null)" -ge "$2" ]
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

# How many instances the pool has in status.
ninst() {
	st status --json | jq --arg p "$1/" \
	    '[.[] | select(.path | startswith($p))] | length'
}

ninst_is() {
	[ "$(ninst "$1")" = "$2" ]
}

@test "scale up: new instances start in order and scale waits for them" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	p1=$(node_pid web/1)
	run st scale web 5
	assert_success
	for i in 3 4 5; do
		[ "$(node_field web/$i state)" = running ]
		[ -e "$T/inst.$i" ] || wait_for file_is "$T/inst.$i" "$i $i 100%"
	done
	[ "$(node_pid web/1)" = "$p1" ]
	[ "$(node_field web instances)" = 5 ]
	grep -E 'web/[345]: started' "$T/err" | awk '{print $3}' >"$T/order"
	[ "$(tr -d '\n' <"$T/order")" = "web/3:web/4:web/5:" ]
}

@test "scale down: the surplus stops highest first, waits, and leaves the tree" {
	start_tree "$(pool_spec 4)"
	wait_for node_state_is web/4 running
	p1=$(node_pid web/1) p3=$(node_pid web/3) p4=$(node_pid web/4)
	run st scale web 2
	assert_success
	# scale waited: the surplus is gone already.
	not_alive "$p3"
	not_alive "$p4"
	[ "$(ninst web)" = 2 ]
	[ "$(node_pid web/1)" = "$p1" ]
	run st status web/3
	assert_failure 2
	grep -E 'web/[34]: stopped \(reload\)' "$T/err" | awk '{print $3}' \
	    >"$T/order"
	[ "$(tr -d '\n' <"$T/order")" = "web/4:web/3:" ]
}

@test "scale --no-wait returns at once; the pool gets there" {
	start_tree "$(pool_spec 1)"
	wait_for node_state_is web/1 running
	run st scale --no-wait web 3
	assert_success
	wait_for node_state_is web/3 running
}

@test "a reload keeps the live size unless the file's instances changed" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	st scale web 4
	p4=$(node_pid web/4)
	run st reload
	assert_success
	[ "$(ninst web)" = 4 ]
	[ "$(node_pid web/4)" = "$p4" ]
	pool_spec 3 >/dev/null
	run st reload
	assert_success
	wait_for ninst_is web 3
	run st status web/4
	assert_failure 2
}

@test "scale errors: not a pool (11), no such node (8), bad arguments (2)" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	run -11 st scale other 3
	assert_output --partial "other is not a pool"
	run -8 st scale nope 3
	assert_output --partial "nope: no such node"
	run -2 st scale web 0
	run -2 st scale web 10001
	run -2 st scale web x
	run -2 st scale web
	[ "$(ninst web)" = 2 ]
}

sup_spec() {
	write_spec tree.ini <<-EOF
	[supertree]
	name = pools-$BATS_TEST_NUMBER
	intensity = 50
	[sup]
	intensity = 50
	[sup/a]
	command = sleep 1001
	[w]
	command = sleep 1002
	EOF
}

@test "add: a dynamic worker starts under its supervisor, add waits for it" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	run st add sup/x --env GREETING=hello -- sh -c 'echo "$GREETING" >"$0"; exec sleep 1003' "$T/x.out"
	assert_success
	[ "$(node_field sup/x state)" = running ]
	[ "$(node_field sup/x dynamic)" = true ]
	[ "$(node_field sup/a dynamic)" = null ]
	[ "$(node_field sup/x restart)" = permanent ]
	wait_for file_is "$T/x.out" hello
	run st status
	assert_line --regexp '^\|   `-- x +running.*dynamic'
}

@test "add: restart types apply (temporary stays down, permanent comes back)" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	st add --restart temporary sup/t -- sleep 1004
	st add sup/p -- sleep 1005
	[ "$(node_field sup/t restart)" = temporary ]
	pt=$(node_pid sup/t) pp=$(node_pid sup/p)
	kill -KILL "$pt" "$pp"
	wait_for pid_changed sup/p "$pp"
	wait_for node_state_is sup/t exited
}

@test "add --ready and --directory" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	mkdir "$T/wd"
	run st add --directory "$T/wd" --ready fd:3 sup/r -- sh -c 'pwd >where; sleep 0.2; echo >&3; exec sleep 1006'
	assert_success
	[ "$(node_field sup/r ready)" = true ]
	[ "$(cat "$T/wd/where")" = "$T/wd" ]
}

@test "remove: a dynamic worker stops, remove waits, and it leaves the tree" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	st add sup/x -- sleep 1007
	p=$(node_pid sup/x)
	pa=$(node_pid sup/a)
	run st remove sup/x
	assert_success
	not_alive "$p"
	run st status sup/x
	assert_failure 2
	[ "$(node_pid sup/a)" = "$pa" ]
}

@test "dynamic workers survive a reload while their parent exists" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	st add sup/x -- sleep 1008
	st add y -- sleep 1009
	px=$(node_pid sup/x) py=$(node_pid y)
	run st reload
	assert_success
	[ "$(node_pid sup/x)" = "$px" ]
	[ "$(node_pid y)" = "$py" ]
	# The parent leaves the file: its dynamic child goes with it.
	write_spec tree.ini <<-EOF
	[supertree]
	name = pools-$BATS_TEST_NUMBER
	[w]
	command = sleep 1002
	EOF
	run st reload
	assert_success
	wait_for not_alive "$px"
	[ "$(node_pid y)" = "$py" ]
	[ "$(node_field y dynamic)" = true ]
}

@test "a supervisor's restart keeps its dynamic children" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	st add sup/x -- sleep 1010
	px=$(node_pid sup/x)
	run st restart sup
	assert_success
	wait_for node_state_is sup/x running
	[ "$(node_pid sup/x)" != "$px" ]
	[ "$(node_field sup/x dynamic)" = true ]
	ps=$(node_pid sup)
	kill -KILL "$ps"
	wait_for pid_changed sup "$ps"
	wait_for node_state_is sup/x running
}

@test "add: a worker whose first start fails leaves the tree, add exits 1" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	pa=$(node_pid sup/a) pw=$(node_pid w)
	run -1 st add sup/x -- /nonexistent/prog
	assert_output "supertree: sup/x: exec: No such file or directory"
	[ "$(st status --json | jq '[.[] | select(.path == "sup/x")] | length')" = 0 ]
	run st status sup/x
	assert_failure 2
	[ "$(node_pid sup/a)" = "$pa" ]
	[ "$(node_pid w)" = "$pw" ]
	# The same at the top (a directory: Permission denied).
	run -1 st add z -- "$T"
	assert_output "supertree: z: exec: Permission denied"
	run st status z
	assert_failure 2
	# A spawn that fails before the exec (no such directory): the same.
	run -1 st add --directory "$T/nodir" sup/d -- sleep 1
	assert_output --regexp "^supertree: sup/d: .*No such file or directory$"
	run st status sup/d
	assert_failure 2
	# The path is free again: a good command takes it.
	run st add sup/x -- sleep 1011
	assert_success
	[ "$(node_field sup/x state)" = running ]
	[ "$(node_pid sup/a)" = "$pa" ]
}

@test "add: a worker that never ran is not brought back by its supervisor's restart" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	printf '#!/bin/sh\necho ran >"%s"\nexec sleep 1012\n' "$T/ran" >"$T/prog"
	chmod 644 "$T/prog"
	run -1 st add sup/y -- "$T/prog"
	assert_output "supertree: sup/y: exec: Permission denied"
	# Runnable now: had sup/y stayed, the restart would start it.
	chmod 755 "$T/prog"
	run st restart sup
	assert_success
	wait_for node_state_is sup/a running
	[ ! -e "$T/ran" ]
	run st status sup/y
	assert_failure 2
}

@test "add: a worker that started and then exits 1 stays and is restarted" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	run st add sup/x -- sh -c 'echo x >>"$0"; exit 1' "$T/runs"
	assert_success
	wait_for file_has_lines "$T/runs" 2
	[ "$(node_field sup/x dynamic)" = true ]
	[ "$(node_field sup/x restart)" = permanent ]
}

@test "add --no-wait keeps a worker that cannot start; remove takes it out" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	run st add --no-wait sup/n -- /nonexistent/prog
	assert_success
	wait_for node_error_has sup/n "exec: No such file or directory"
	[ "$(node_field sup/n dynamic)" = true ]
	run st remove sup/n
	assert_success
	run st status sup/n
	assert_failure 2
}

@test "add and remove errors, each with its exit code" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	run -8 st add w/x -- sleep 1
	assert_output "supertree: add: w is a worker: a worker cannot have children"
	run -8 st add nope/x -- sleep 1
	assert_output "supertree: add: nope: no such supervisor in tree pools-$BATS_TEST_NUMBER"
	run -9 st add sup/a -- sleep 1
	assert_output "supertree: add: sup/a: already in tree pools-$BATS_TEST_NUMBER"
	run -10 st remove sup/a
	assert_output --partial "sup/a comes from the spec file"
	run -8 st remove sup/zz
	run -2 st add sup/y
	assert_output --partial "no command given"
	run -2 st add --restart bogus sup/y -- sleep 1
	assert_output --partial "[sup/y]: key 'restart': invalid value 'bogus'"
	run -2 st add --env NOEQUALS sup/y -- sleep 1
	run -2 st add 'sup/b@d' -- sleep 1
	run -2 st add --bogus sup/y -- sleep 1
	run -2 st remove
	run st status sup/y
	assert_failure 2
}

@test "remove of a pool's instance says to use scale, exit 10" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	run -10 st remove web/2
	assert_output "supertree: remove: web/2 is an instance of the pool web, not from 'supertree add': use 'supertree scale'"
	run st status web/2
	assert_success
}

@test "a pool refuses dynamic children and the file refuses 'dynamic'" {
	start_tree "$(pool_spec 2)"
	wait_for node_state_is web/2 running
	run -8 st add web/x -- sleep 1
	assert_output --partial "web is a pool"
	printf '[w]\ncommand = sleep 1\ndynamic = true\n' >"$T/d.ini"
	run -2 "$SUPERTREE" check "$T/d.ini"
	assert_output "supertree: $T/d.ini:1: [w]: key 'dynamic' is set by 'supertree add' only"
}

# A TCP server that shares its port with its siblings (SO_REUSEPORT),
# answers each connection with its instance number, and on SIGTERM
# serves what is already queued before it closes.
reuseport_server() {
	cat >"$T/server.py" <<-'EOF'
	import os, select, signal, socket, sys
	port = int(sys.argv[1])
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
	s.bind(("127.0.0.1", port))
	s.listen(128)
	r, w = os.pipe()
	os.set_blocking(w, False)
	signal.set_wakeup_fd(w)
	signal.signal(signal.SIGTERM, lambda *a: None)
	me = os.environ["SUPERTREE_INSTANCE"].encode()
	def serve(c):
	    try:
	        c.settimeout(5)
	        if c.recv(100):
	            c.sendall(b"ok " + me + b"\n")
	    except OSError:
	        pass
	    c.close()
	while True:
	    ready, _, _ = select.select([s, r], [], [])
	    if r in ready:
	        break
	    serve(s.accept()[0])
	s.setblocking(False)
	while True:
	    try:
	        c, _ = s.accept()
	    except BlockingIOError:
	        break
	    c.setblocking(True)
	    serve(c)
	s.close()
	EOF
	cat >"$T/client.py" <<-'EOF'
	import os, socket, sys
	port, stop = int(sys.argv[1]), sys.argv[2]
	ok = lost = 0
	while not os.path.exists(stop):
	    try:
	        c = socket.create_connection(("127.0.0.1", port), timeout=5)
	        c.sendall(b"hi\n")
	        if c.recv(100).startswith(b"ok "):
	            ok += 1
	        else:
	            lost += 1
	        c.close()
	    except OSError as e:
	        lost += 1
	        print("lost:", e, flush=True)
	    if ok % 20 == 0:
	        with open(stop + ".count", "w") as f:
	            f.write(str(ok))
	print(ok, lost, flush=True)
	EOF
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_tree_migrating SPEC: start_tree in a network namespace of its own
# with net.ipv4.tcp_migrate_req on. When an SO_REUSEPORT listener closes,
# Linux resets the connections still queued on it unless that knob lets it
# hand them to a sibling listener; a server cannot close the window between
# its last accept() and its close() by itself, so without the knob a
# rolling restart of any SO_REUSEPORT server loses the odd connection on a
# loaded machine, whatever the supervisor does. The namespace keeps the
# knob off the machine. Skips where no network namespace can be made.
start_tree_migrating() {
	unshare -n true 2>/dev/null ||
	    skip "needs a network namespace (unshare -n) for net.ipv4.tcp_migrate_req"
	ST_MARK=$ST_MARK unshare -n -- sh -c '
		ip link set lo up &&
		    sysctl -qw net.ipv4.tcp_migrate_req=1 &&
		    exec "$@"' sh "$SUPERTREE" run -S "$SOCK" "$1" \
	    >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
}

# in_tree_net CMD...: CMD in the tree's network namespace.
in_tree_net() {
	nsenter -t "$TREE_PID" -n -- "$@"
}

count_ge() {
	[ "$(cat "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

@test "restart --rolling: one at a time, each after the one before is ready; no request lost" {
	reuseport_server
	port=$(free_port)
	write_spec tree.ini <<-EOF
	[supertree]
	name = pools-$BATS_TEST_NUMBER
	[web]
	command = python3 $T/server.py $port
	instances = 3
	ready = tcp:127.0.0.1:$port
	EOF
	start_tree_migrating "$T/tree.ini"
	wait_for node_field_is web/3 ready true
	p1=$(node_pid web/1) p2=$(node_pid web/2) p3=$(node_pid web/3)
	in_tree_net python3 "$T/client.py" "$port" "$T/stop" >"$T/client.out" 3>&- &
	client=$!
	wait_for count_ge "$T/stop.count" 20
	run st restart --rolling web
	assert_success
	n=$(cat "$T/stop.count")
	wait_for count_ge "$T/stop.count" $((n + 20))
	touch "$T/stop"
	wait "$client"
	cat "$T/client.out"
	read -r ok lost <<<"$(tail -n 1 "$T/client.out")"
	[ "$lost" = 0 ]
	[ "$ok" -ge 40 ]
	for i in 1 2 3; do
		eval old=\$p$i
		[ "$(node_pid web/$i)" != "$old" ]
		[ "$(node_field web/$i ready)" = true ]
	done
	# One at a time: each started only after the one before was ready.
	grep -E 'web/[123]: (stopping|started|ready)' "$T/err" |
	    awk '{print $3 $4}' | tail -n 9 >"$T/seq"
	[ "$(tr -d '\n' <"$T/seq")" = "web/1:stoppingweb/1:startedweb/1:readyweb/2:stoppingweb/2:startedweb/2:readyweb/3:stoppingweb/3:startedweb/3:ready" ]
}

node_field_is() {
	[ "$(node_field "$1" "$2")" = "$3" ]
}

@test "restart --rolling works on any supervisor's children, and on no worker's twice" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	st add sup/b -- sleep 1011
	pa=$(node_pid sup/a) pb=$(node_pid sup/b) pw=$(node_pid w)
	run st restart --rolling sup
	assert_success
	[ "$(node_pid sup/a)" != "$pa" ]
	[ "$(node_pid sup/b)" != "$pb" ]
	[ "$(node_pid w)" = "$pw" ]
	[ "$(node_field w restarts)" = 0 ]
	run -2 st stop --rolling sup
}

@test "restart --rolling with --no-wait is a usage error, nothing restarted" {
	start_tree "$(sup_spec)"
	wait_for node_state_is sup/a running
	pa=$(node_pid sup/a)
	run -2 st restart --rolling --no-wait sup
	assert_line --index 0 "supertree: restart: --no-wait and --rolling cannot go together (a rolling restart waits for each child)"
	[ "$(node_pid sup/a)" = "$pa" ]
}

@test "a command waiting on an instance that scale takes out gets its answer" {
	write_spec tree.ini <<-EOF
	[supertree]
	name = pools-$BATS_TEST_NUMBER
	[web]
	command = sh -c 'trap "" TERM; exec sleep 100%i'
	instances = 2
	shutdown = 4s
	EOF
	start_tree "$T/tree.ini"
	wait_for node_state_is web/2 running
	# A restart that waits for web/2 to come back, while web/2 goes.
	st restart web/2 >"$T/r.out" 2>&1 3>&- &
	r=$!
	wait_for node_state_is web/2 stopping
	run st scale web 1
	assert_success
	rc=0
	wait "$r" || rc=$?
	[ "$rc" = 1 ]
	grep -qF "web/2: taken out by a reload" "$T/r.out"
}
