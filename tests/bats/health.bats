#!/usr/bin/env bats
# health.bats: liveness. Health checks (health = exec:, tcp:, http://) with
# health_interval, health_timeout, health_failures and health_grace; the
# systemd watchdog (watchdog, watchdog_signal, WATCHDOG=1, WATCHDOG=trigger)
# and the other notify messages (EXTEND_TIMEOUT_USEC, RELOADING=1, unknown
# ones); max_memory. A failed check is a crash: the worker is stopped,
# counted, restarted by its restart type and escalated when the budget is
# spent. Ports are picked free at run time.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	common_setup
	LISTENER=
	# The system's python starts in a tenth of the time of a shim.
	PY=python3
	[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
}

teardown() {
	cleanup_tree
	if [ -n "$LISTENER" ]; then
		kill "$LISTENER" 2>/dev/null || true
		wait "$LISTENER" 2>/dev/null || true
	fi
}

# A root that tolerates the restarts the tests provoke.
root() {
	printf '[supertree]\nname = hl-%s\nintensity = 100\nperiod = 60s\n\n' \
	    "$BATS_TEST_NUMBER"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# $T/web.py PORT: answers GET with the code in $T/code (200 if none);
# while $T/hang exists it accepts and never answers.
http_server() {
	cat >"$T/web.py" <<-EOF
	import http.server, os, sys, time
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        while os.path.exists("$T/hang"):
	            time.sleep(0.05)
	        code = 200
	        try:
	            code = int(open("$T/code").read())
	        except Exception:
	            pass
	        self.send_response(code)
	        self.end_headers()
	    def log_message(self, *a):
	        pass
	http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
	EOF
}

# $T/listen.py PORT: listens until killed (a tcp check's target).
tcp_server() {
	cat >"$T/listen.py" <<-EOF
	import socket, sys, time
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", int(sys.argv[1])))
	s.listen(64)
	while True:
	    c, _ = s.accept()
	    c.close()
	EOF
}

# $T/notify.py ARGS: each argument is sent to NOTIFY_SOCKET as a datagram;
# "gate:F" waits for $T/F, "every:MS:MSG" sends MSG every MS ms for ever
# (and appends a line to $T/sent each time), "sleep" sleeps for ever.
notify_script() {
	cat >"$T/notify.py" <<-EOF
	import os, socket, sys, time
	addr = os.environ["NOTIFY_SOCKET"]
	if addr.startswith("@"):
	    addr = "\0" + addr[1:]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	for a in sys.argv[1:]:
	    if a.startswith("gate:"):
	        while not os.path.exists("$T/" + a[5:]):
	            time.sleep(0.05)
	    elif a.startswith("every:"):
	        _, ms, msg = a.split(":", 2)
	        while True:
	            s.sendto(msg.encode(), addr)
	            with open("$T/sent", "a") as f:
	                f.write("x\n")
	            time.sleep(int(ms) / 1000)
	    elif a == "sleep":
	        while True:
	            time.sleep(1000)
	    else:
	        s.sendto(a.encode(), addr)
	EOF
}

lines_ge() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

health_is() {
	[ "$(node_field "$1" health)" = "$2" ]
}

count_of() {
	grep -cF -- "$1" "$T/err" || true
}

# ------------------------------------------------------------------ spec

@test "health: check accepts every liveness key" {
	spec=$( { root; cat <<-EOF
	[a]
	command = sleep 1000
	health = exec:test -e /
	health_interval = 5s
	health_timeout = 500ms
	health_failures = 2
	health_grace = 1s
	[b]
	command = sleep 1000
	health = tcp:127.0.0.1:8080
	watchdog = 30s
	watchdog_signal = SIGTERM
	max_memory = 512M
	[c]
	command = sleep 1000
	health = http://[::1]:8080/healthz
	[d]
	command = sleep 1000
	health = tcp:9000
	EOF
	} | write_spec t.ini)
	run "$SUPERTREE" check "$spec"
	assert_success
}

@test "health: bad values are refused with the key and what to do" {
	cd "$T"
	printf '[w]\ncommand = sleep 1\nhealth = http://example.com/x\n' >a.ini
	run "$SUPERTREE" check a.ini
	assert_failure
	assert_output --partial "a.ini:3: [w]: key 'health': invalid health 'http://example.com/x' (the host must be an IP address or localhost: no DNS)"
	printf '[w]\ncommand = sleep 1\nhealth = udp:53\n' >b.ini
	run "$SUPERTREE" check b.ini
	assert_failure
	assert_output --partial "key 'health': invalid health 'udp:53' (use exec:COMMAND, tcp:[HOST:]PORT or http://HOST:PORT/PATH)"
	printf '[w]\ncommand = sleep 1\nmax_memory = lots\n' >c.ini
	run "$SUPERTREE" check c.ini
	assert_failure
	assert_output --partial "key 'max_memory': invalid size 'lots'"
	printf '[w]\ncommand = sleep 1\nhealth_failures = 0\n' >d.ini
	run "$SUPERTREE" check d.ini
	assert_failure
	assert_output --partial "key 'health_failures'"
	printf '[w]\ncommand = sleep 1\nwatchdog_signal = SIGNOPE\n' >e.ini
	run "$SUPERTREE" check e.ini
	assert_failure
	assert_output --partial "key 'watchdog_signal'"
	printf '[s]\nhealth = tcp:80\n[s/w]\ncommand = sleep 1\n' >f.ini
	run "$SUPERTREE" check f.ini
	assert_failure
	assert_output --partial "health"
}

# ------------------------------------------------------------------ exec

@test "health: exec: a passing check shows ok in status and status --json" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = exec:true
	health_interval = 100ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w ok
	assert_equal "$(node_field w health_failures)" 0
	assert_equal "$(node_field w health_last)" "exec exit 0"
	run st status
	assert_output --regexp "w +running .* health ok"
	assert_equal "$(node_field w restarts)" 0
}

@test "health: exec: a failing check makes the worker unhealthy: stopped, counted, restarted" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = exec:false
	health_interval = 100ms
	health_failures = 3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: unhealthy: exec exit 1, 3 of 3"
	wait_for node_restarts_ge w 1
	err_has "w: health check failed: exec exit 1, 1 of 3"
	err_has "w: health check failed: exec exit 1, 2 of 3"
	err_has "w: stopping (SIGTERM)"
	wait_for err_has "w: restarting in"
	[ "$(grep -c "w: started pid" "$T/err")" -ge 2 ]
	assert_equal "$(node_field w restart_cause)" exit
}

@test "health: exec: a check that fails then passes recovers without a restart" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = exec:test -e $T/ok
	health_interval = 100ms
	health_failures = 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w failing
	[ "$(node_field w health_failures)" -ge 1 ]
	st status | grep -qE "health failing [0-9]+/1000: exec exit 1"
	# Failing checks make the tree unhealthy (status --quiet, HEALTHCHECK).
	run st status --quiet
	assert_equal "$status" 3
	touch "$T/ok"
	wait_for health_is w ok
	run st status --quiet
	assert_success
	err_has "w: healthy again: exec exit 0"
	assert_equal "$(node_field w health_failures)" 0
	assert_equal "$(node_field w restarts)" 0
}

@test "health: exec: a hanging probe fails at health_timeout and leaves nothing behind" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = exec:sh -c 'sleep 4711 & sleep 4712'
	health_interval = 100ms
	health_timeout = 300ms
	health_failures = 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w failing
	assert_equal "$(node_field w health_last)" "exec timed out after 300ms"
	run st stop w
	assert_success
	# The probes' groups were killed: no sleep 4711 or 4712 is left.
	probes() {
		local p
		for p in $(marked_pids); do
			grep -qaE "^sleep.471[12]" "/proc/$p/cmdline" 2>/dev/null &&
			    return 0
		done
		return 1
	}
	wait_for eval '! probes'
}

@test "health: exec: the probe runs as the worker: its directory and environment" {
	mkdir "$T/wd"
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	directory = $T/wd
	environment = PROBE_WORD=hello
	health = exec:sh -c 'echo "\$PROBE_WORD \$(pwd)" >$T/probe.out'
	health_interval = 100ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w ok
	assert_equal "$(cat "$T/probe.out")" "hello $T/wd"
}

# ------------------------------------------------------------------- tcp

@test "health: tcp: healthy while the port accepts, failing when it does not, then recovering" {
	tcp_server
	port=$(free_port)
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = tcp:127.0.0.1:$port
	health_interval = 100ms
	health_failures = 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w failing
	node_field w health_last | grep -q "tcp: Connection refused"
	"$PY" "$T/listen.py" "$port" 3>&- &
	LISTENER=$!
	wait_for health_is w ok
	assert_equal "$(node_field w health_last)" "tcp connected"
	err_has "w: healthy again: tcp connected"
	kill "$LISTENER"
	wait "$LISTENER" || true
	LISTENER=
	wait_for health_is w failing
	assert_equal "$(node_field w restarts)" 0
}

@test "health: tcp: a port that never answers makes the worker unhealthy" {
	port=$(free_port)
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = tcp:$port
	health_interval = 100ms
	health_failures = 2
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: unhealthy: tcp: Connection refused, 2 of 2"
	wait_for node_restarts_ge w 1
}

# ------------------------------------------------------------------ http

@test "health: http: 200 is ok, 500 is unhealthy after health_failures" {
	http_server
	port=$(free_port)
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/web.py $port
	ready = tcp:$port
	health = http://127.0.0.1:$port/health
	health_interval = 100ms
	health_failures = 3
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w ok
	assert_equal "$(node_field w health_last)" "http 200"
	echo 500 >"$T/code"
	wait_for err_has "w: unhealthy: http 500, 3 of 3"
	wait_for node_restarts_ge w 1
}

@test "health: http: 3xx is healthy; a failing code recovers" {
	http_server
	port=$(free_port)
	echo 503 >"$T/code"
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/web.py $port
	ready = tcp:$port
	health = http://127.0.0.1:$port/
	health_interval = 100ms
	health_failures = 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for health_is w failing
	wait_for eval '[ "$(node_field w health_last)" = "http 503" ]'
	echo 302 >"$T/code"
	wait_for health_is w ok
	assert_equal "$(node_field w health_last)" "http 302"
	assert_equal "$(node_field w restarts)" 0
}

@test "health: http: a server that accepts and never answers fails at health_timeout" {
	http_server
	port=$(free_port)
	touch "$T/hang"
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/web.py $port
	ready = tcp:$port
	health = http://127.0.0.1:$port/health
	health_interval = 100ms
	health_timeout = 200ms
	health_failures = 2
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: unhealthy: http timed out after 200ms, 2 of 2"
	wait_for node_restarts_ge w 1
}

# ----------------------------------------------------------------- grace

@test "health: health_grace delays the first check; unknown until then" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'date +%s%N >$T/started; exec sleep 1000'
	health = exec:sh -c 'date +%s%N >>$T/checks; false'
	health_interval = 100ms
	health_grace = 5s
	health_failures = 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for test -s "$T/started"
	run ! test -e "$T/checks"
	assert_equal "$(node_field w health)" unknown
	wait_for test -s "$T/checks"
	# The first check came at least the grace after the worker started.
	t0=$(cat "$T/started")
	t1=$(head -n 1 "$T/checks")
	[ $(( (t1 - t0) / 1000000 )) -ge 4900 ]
	wait_for health_is w failing
	st status | grep -q "health failing"
}

@test "health: no probe starts once the tree shuts down" {
	local n
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	health = exec:sh -c 'echo x >>$T/probes'
	health_interval = 100ms

	[deaf]
	command = sh -c 'trap "" TERM; touch $T/deaf.up; while :; do sleep 0.2; done'
	shutdown = 3s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for lines_ge "$T/probes" 3
	wait_for test -e "$T/deaf.up"
	kill -TERM "$TREE_PID"
	# deaf, stopped first, holds the shutdown up for 3 s: w runs on.
	wait_for err_has "deaf: stopping (SIGTERM)"
	n=$(wc -l <"$T/probes")
	wait_for not_alive "$TREE_PID"
	# At most the probe that was in flight when the shutdown began.
	[ "$(wc -l <"$T/probes")" -le $((n + 1)) ]
}

@test "health: a worker without liveness keys has no health field" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w running
	run st status --json
	refute_output --partial '"health"'
}

# -------------------------------------------------------------- watchdog

@test "watchdog: the worker gets NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (its own pid)" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'echo "\$WATCHDOG_USEC \$WATCHDOG_PID \$\$ \$NOTIFY_SOCKET" >$T/env; exec sleep 1000'
	watchdog = 1h
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for test -s "$T/env"
	read -r usec wpid self sock <"$T/env"
	assert_equal "$usec" 3600000000
	assert_equal "$wpid" "$self"
	[ -n "$sock" ]
}

@test "watchdog: keep-alives keep the worker up" {
	notify_script
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/notify.py every:100:WATCHDOG=1
	watchdog = 2s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	# 60 keep-alives: 6s, three times the watchdog.
	wait_for lines_ge "$T/sent" 60
	assert_equal "$(node_field w restarts)" 0
	run ! err_has "watchdog:"
}

@test "watchdog: no keep-alive: watchdog_signal (SIGABRT), then restarted as a crash" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sleep 1000
	watchdog = 500ms
	limit_core = 0
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: watchdog: no keep-alive for 500ms"
	wait_for err_has "w: killed by SIGABRT"
	err_has "w: stopping (SIGABRT)"
	wait_for node_restarts_ge w 1
	wait_for eval '[ "$(grep -c "w: started pid" "$T/err")" -ge 2 ]'
}

@test "watchdog: why it was stopped stays its error until it starts again" {
	notify_script
	# Silent in its first run; keep-alives once $T/alive exists.
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c '[ -e $T/alive ] && exec $PY $T/notify.py every:100:WATCHDOG=1; exec sleep 1000'
	watchdog = 2s
	limit_core = 0
	backoff_min = 1h
	backoff_max = 1h
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w backoff
	assert_equal "$(node_field w error)" "watchdog: no keep-alive for 2s"
	run st status
	assert_output --partial "error: watchdog: no keep-alive for 2s"
	touch "$T/alive"
	st restart w
	wait_for test -s "$T/sent"
	assert_equal "$(node_field w state)" running
	assert_equal "$(node_field w error)" null
}

@test "watchdog: a worker that ignores watchdog_signal is killed by the stop sequence" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'trap "" USR1; while :; do sleep 0.05; done'
	watchdog = 200ms
	watchdog_signal = SIGUSR1
	shutdown = 300ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: stopping (SIGUSR1)"
	wait_for err_has "w: killed by SIGKILL"
	wait_for node_restarts_ge w 1
}

@test "watchdog: WATCHDOG=trigger fires it at once" {
	notify_script
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/notify.py gate:go WATCHDOG=trigger sleep
	watchdog = 1h
	limit_core = 0
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w running
	touch "$T/go"
	wait_for err_has "w: watchdog: triggered by the worker (WATCHDOG=trigger)"
	wait_for node_restarts_ge w 1
	err_has "w: stopping (SIGABRT)"
}

@test "notify: RELOADING=1 shows the worker reloading until READY=1" {
	notify_script
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/notify.py READY=1 gate:r1 RELOADING=1 gate:r2 READY=1 sleep
	ready = notify
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w ready
	touch "$T/r1"
	wait_for node_state_is w reloading
	st status | grep -qE "w +reloading"
	touch "$T/r2"
	wait_for node_state_is w ready
	err_has "w: reloading"
	err_has "w: reloaded"
}

@test "notify: EXTEND_TIMEOUT_USEC extends start_timeout" {
	notify_script
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/notify.py EXTEND_TIMEOUT_USEC=30000000 gate:go READY=1 sleep
	ready = notify
	start_timeout = 2s
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w starting
	# Past start_timeout and still starting, then ready.
	t0=$(date +%s%N)
	wait_for eval '[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 2500 ]'
	node_state_is w starting
	assert_equal "$(node_field w restarts)" 0
	touch "$T/go"
	wait_for node_state_is w ready
	run ! err_has "not ready within"
}

@test "notify: an unknown message is logged once; ERRNO= and STOPPING=1 are said" {
	notify_script
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY $T/notify.py FROB=1 FROB=2 ERRNO=2 STOPPING=1 sleep
	watchdog = 1h
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: says it is stopping"
	err_has "w: ignored notification 'FROB=1' (not supported; said once)"
	assert_equal "$(count_of "ignored notification 'FROB")" 1
	err_has "w: says ERRNO=2: No such file or directory"
}

# ------------------------------------------------------------- max_memory

@test "max_memory: a worker over the ceiling is stopped and restarted" {
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY -c 'import time; b = b"x" * (80 << 20); time.sleep(1000)'
	max_memory = 40M
	health_interval = 200ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "over max_memory 40M"
	grep -qE "w: memory [0-9]+M over max_memory 40M" "$T/err"
	wait_for node_restarts_ge w 1
}

@test "max_memory: why it was stopped is its error in status --json" {
	spec=$( { root; cat <<-EOF
	[w]
	command = $PY -c 'import time; b = b"x" * (80 << 20); time.sleep(1000)'
	max_memory = 40M
	health_interval = 200ms
	backoff_min = 1h
	backoff_max = 1h
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for node_state_is w backoff
	[[ "$(node_field w error)" =~ ^memory\ [0-9]+M\ over\ max_memory\ 40M$ ]]
}

@test "max_memory: the whole process group counts" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'for i in 1 2 3; do python3 -c "import time; b = b\"x\" * (20 << 20); time.sleep(1000)" & done; wait'
	max_memory = 40M
	health_interval = 200ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "over max_memory 40M"
}

@test "max_memory: a worker under the ceiling runs on" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'while :; do echo x >>$T/ticks; sleep 0.1; done'
	max_memory = 1G
	health_interval = 100ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for lines_ge "$T/ticks" 10
	assert_equal "$(node_field w restarts)" 0
	run ! err_has "max_memory"
}

# ------------------------------------------------------------------- OTP

@test "health: a transient worker is restarted after it is unhealthy, even if it exits 0" {
	spec=$( { root; cat <<-EOF
	[w]
	command = sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done'
	restart = transient
	health = exec:false
	health_interval = 100ms
	health_failures = 1
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "w: unhealthy: exec exit 1, 1 of 1"
	wait_for err_has "w: exited code 0"
	wait_for node_restarts_ge w 1
}

@test "health: a flapping check spends its supervisor's budget and escalates to the parent" {
	spec=$( { root; cat <<-EOF
	[sub]
	intensity = 2
	period = 60s
	[sub/w]
	command = sleep 1000
	health = exec:false
	health_interval = 50ms
	health_failures = 1
	backoff_min = 10ms
	EOF
	} | write_spec t.ini)
	start_tree "$spec"
	wait_for err_has "sub: gave up: more than 2 restarts in 1m"
	wait_for node_restarts_ge sub 1
	err_has "sub/w: unhealthy: exec exit 1, 1 of 1"
}
