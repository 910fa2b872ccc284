#!/usr/bin/env bats
# http.bats: the optional HTTP listener of the top process (http key,
# run --http): GET /metrics (checked by promtool), /healthz, /status.json,
# /events (server-sent events), / (the status page, checked in headless
# Chromium), the errors (405, 404, 413, limits) and hostile clients
# (slowloris, huge headers, a stream that never reads), which must never
# hold up the tree. Every tree listens on a port picked free at run time.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	common_setup
	command -v curl >/dev/null ||
	    skip "curl is not installed (./bootstrap --test installs it)"
	PORT=$(free_port)
	BG=
}

teardown() {
	local p
	for p in $BG; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup_tree
}

# A TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A tree with http on $PORT: api and db run, web supervises api.
http_spec() {
	write_spec tree.ini <<-EOF
	[supertree]
	name = web1
	http = 127.0.0.1:$PORT
	[web]
	intensity = 5
	[web/api]
	command = sleep 1000
	[db]
	command = sleep 1000
	EOF
}

start_http() {
	start_tree "$(http_spec)" "$@"
	wait_for node_state_is db running
	wait_for node_state_is web/api running
}

url() {
	echo "http://127.0.0.1:$PORT$1"
}

# get PATH [CURL ARGS...]: the body; fails on a transport error only.
get() {
	local p=$1
	shift
	curl -sS --max-time 10 "$@" "$(url "$p")"
}

# code PATH [CURL ARGS...]: the status code only.
code() {
	local p=$1
	shift
	curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$@" "$(url "$p")"
}

# header PATH NAME: the value of one response header.
header() {
	curl -sS --max-time 10 -o /dev/null -D - "$(url "$1")" |
	    tr -d '\r' | awk -v h="$2" 'BEGIN { h = tolower(h) ":" }
		tolower($1) == h { sub(/^[^:]*: */, ""); print; exit }'
}

# ---- the key and the flag

@test "check accepts http = PORT, HOST:PORT and [IPV6]:PORT" {
	local v spec
	for v in 9100 127.0.0.1:9100 0.0.0.0:9100 localhost:9100 '[::1]:9100'; do
		spec=$(printf '[supertree]\nhttp = %s\n[w]\ncommand = sleep 1\n' "$v" |
		    write_spec ok.ini)
		run "$SUPERTREE" check "$spec"
		assert_success
	done
}

@test "check refuses a bad http value with file:line, exit 2" {
	local spec
	spec=$(printf '[supertree]\nhttp = 70000\n[w]\ncommand = sleep 1\n' |
	    write_spec bad.ini)
	run -2 "$SUPERTREE" check "$spec"
	assert_output --partial "bad.ini:2: [supertree]: key 'http': invalid http '70000' (the port must be from 1 to 65535)"
	spec=$(printf '[supertree]\nhttp = example.com:80\n[w]\ncommand = sleep 1\n' |
	    write_spec bad2.ini)
	run -2 "$SUPERTREE" check "$spec"
	assert_output --partial "bad2.ini:2: [supertree]: key 'http': invalid http 'example.com:80' (the host must be an IP address or localhost)"
	spec=$(printf '[supertree]\nhttp = ::1:80\n[w]\ncommand = sleep 1\n' |
	    write_spec bad3.ini)
	run -2 "$SUPERTREE" check "$spec"
	assert_output --partial "bad3.ini:2: [supertree]: key 'http': invalid http '::1:80'"
}

@test "http is a key of [supertree] only" {
	local spec
	spec=$(printf '[supertree]\n[w]\ncommand = sleep 1\nhttp = 9100\n' |
	    write_spec w.ini)
	run -2 "$SUPERTREE" check "$spec"
	assert_output --partial "w.ini:4: [w]: key 'http' is only allowed in [supertree]"
}

@test "run --http with a bad address: exit 2, nothing started" {
	local spec
	spec=$(printf '[w]\ncommand = sleep 1000\n' | write_spec t.ini)
	run -2 "$SUPERTREE" run -S "$SOCK" --http 'nope' "$spec"
	assert_output "supertree: --http 'nope': the port must be from 1 to 65535"
	run -4 "$SUPERTREE" -S "$SOCK" status
}

@test "a port already in use: exit 7 with the address, nothing started" {
	local spec
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("up", flush=True); time.sleep(60)' "$PORT" >"$T/holder" 3>&- &
	BG=$!
	wait_for grep -q up "$T/holder"
	spec=$(http_spec)
	run -7 "$SUPERTREE" run -S "$SOCK" "$spec"
	assert_output --partial "supertree: http: 127.0.0.1:$PORT: cannot listen: Address already in use"
	run -4 "$SUPERTREE" -S "$SOCK" status
}

@test "run --http listens without the key, and wins over it" {
	local spec other
	spec=$(printf '[w]\ncommand = sleep 1000\n' | write_spec t.ini)
	start_tree "$spec" --http "127.0.0.1:$PORT"
	run get /healthz
	assert_success
	assert_output --partial "ok: "
	grep -q "http: listening on 127.0.0.1:$PORT" "$T/err"
	stop_tree
	other=$(free_port)
	start_tree "$(http_spec)" --http "$other"
	run code /healthz
	assert_output 000
	PORT=$other
	run get /healthz
	assert_output --partial "ok: "
}

@test "without http, nothing listens" {
	local spec
	spec=$(printf '[w]\ncommand = sleep 1000\n' | write_spec t.ini)
	start_tree "$spec"
	run ! grep -q "http:" "$T/err"
	run ss -Hltnp
	refute_output --partial "pid=$TREE_PID,"
	run -7 curl -sS --max-time 5 "$(url /healthz)"
}

# ---- the endpoints

@test "GET /healthz: 200 and ok when status exits 0" {
	start_http
	run st status --quiet
	assert_success
	run code /healthz
	assert_output 200
	run get /healthz
	assert_output "ok: all 4 nodes of web1 are where they should be"
	assert_equal "$(header /healthz Content-Type)" "text/plain; charset=utf-8"
}

@test "GET /healthz: 503 and the reason when status exits 3" {
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[ok]
	command = sleep 1000
	[bad]
	command = sh -c 'exit 4'
	max_restarts = 0
	EOF
	start_tree "$T/tree.ini"
	wait_for node_state_is bad failed
	run -3 st status --quiet
	run code /healthz
	assert_output 503
	run get /healthz
	assert_output --regexp '^unhealthy: bad is failed'
	assert_equal "$(get /healthz | wc -l)" 1
}

@test "GET /healthz: a worker failing its health check says so" {
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[w]
	command = sleep 1000
	health = exec:false
	health_interval = 200ms
	health_failures = 1000
	EOF
	start_tree "$T/tree.ini"
	wait_for err_has "w: health check failed: exec exit 1, 1 of 1000"
	run -3 st status --quiet
	run code /healthz
	assert_output 503
	run get /healthz
	assert_output --regexp '^unhealthy: w is running: health failing [0-9]+/1000: exec exit 1$'
}

@test "GET /healthz follows a stop by hand as status does" {
	start_http
	st stop db
	run st status --quiet
	assert_success
	run code /healthz
	assert_output 200
}

@test "GET /metrics: the exposition format, with every contracted metric" {
	local m n
	start_http
	assert_equal "$(header /metrics Content-Type)" \
	    "text/plain; version=0.0.4; charset=utf-8"
	m=$(get /metrics)
	for f in supertree_node_up supertree_node_restarts_total \
	    supertree_node_state supertree_node_start_time_seconds \
	    supertree_node_last_exit_code supertree_supervisor_intensity_used \
	    supertree_tree_healthy; do
		grep -q "^# HELP $f " <<<"$m"
		grep -q "^# TYPE $f \(gauge\|counter\)$" <<<"$m"
	done
	grep -qx 'supertree_node_up{path="db"} 1' <<<"$m"
	grep -qx 'supertree_node_up{path="web/api"} 1' <<<"$m"
	grep -qx 'supertree_node_state{path="db",state="running"} 1' <<<"$m"
	grep -qx 'supertree_node_state{path="db",state="failed"} 0' <<<"$m"
	# One series per state, the same states for every node, one of them 1.
	n=$(grep -c '^supertree_node_state{path="db",' <<<"$m")
	[ "$n" -ge 9 ]
	assert_equal "$(grep -c '^supertree_node_state{path="supertree",' <<<"$m")" "$n"
	assert_equal "$(grep -c '^supertree_node_state{path="db",.*} 1$' <<<"$m")" 1
	grep -qx 'supertree_node_restarts_total{path="db"} 0' <<<"$m"
	grep -qx 'supertree_node_last_exit_code{path="db"} -1' <<<"$m"
	grep -qx 'supertree_supervisor_intensity_used{path="web"} 0' <<<"$m"
	grep -qx 'supertree_tree_healthy 1' <<<"$m"
	grep -qE '^supertree_node_start_time_seconds\{path="db"\} [0-9]{10}\.[0-9]{3}$' <<<"$m"
}

@test "GET /metrics: a worker reloading (RELOADING=1) is up, with its uptime on the page" {
	cat >"$T/reload.py" <<-'EOF'
	import os, socket, time
	a = os.environ["NOTIFY_SOCKET"]
	a = "\0" + a[1:] if a.startswith("@") else a
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.sendto(b"READY=1", a)
	s.sendto(b"RELOADING=1", a)
	time.sleep(1000)
	EOF
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[w]
	command = python3 $T/reload.py
	ready = notify
	EOF
	start_tree "$T/tree.ini"
	wait_for node_state_is w reloading
	run get /metrics
	assert_line 'supertree_node_state{path="w",state="reloading"} 1'
	assert_line 'supertree_node_up{path="w"} 1'
	run get /
	assert_output --regexp '<tr data-path="w" class="s-reloading"><td[^>]*>w</td><td class="s">reloading</td><td class="num">[0-9]+</td><td class="up num" data-up="[0-9]+">'
}

@test "GET /metrics passes promtool check metrics" {
	command -v promtool >/dev/null ||
	    skip "promtool is not installed (Debian's prometheus package; ./bootstrap --test installs it)"
	start_http
	st signal KILL db
	wait_for node_restarts_ge db 1
	get /metrics >"$T/metrics"
	run promtool check metrics <"$T/metrics"
	assert_success
	assert_output ""
	grep -qx 'supertree_node_last_exit_code{path="db"} 137' "$T/metrics"
	grep -qx 'supertree_node_restarts_total{path="db"} 1' "$T/metrics"
}

@test "GET /status.json is the status --json document" {
	start_http
	get /status.json >"$T/http.json"
	st status --json >"$T/st.json"
	assert_equal "$(header /status.json Content-Type)" "application/json"
	# Uptimes move on between the two: compare the rest.
	assert_equal "$(jq -S 'map(del(.uptime))' "$T/http.json")" \
	    "$(jq -S 'map(del(.uptime))' "$T/st.json")"
	assert_equal "$(jq length "$T/http.json")" 4
}

@test "GET /status.json is byte for byte the document of status --json" {
	start_http
	# Answers reuse the memory of the one before: a big one first.
	get /metrics >/dev/null
	get / >/dev/null
	get /status.json >"$T/http.json"
	st status --json >"$T/st.json"
	sed 's/"uptime":[0-9.]*/"uptime":U/g' "$T/http.json" >"$T/http.u"
	sed 's/"uptime":[0-9.]*/"uptime":U/g' "$T/st.json" >"$T/st.u"
	run cmp "$T/http.u" "$T/st.u"
	assert_success
}

@test "answers in a row are whole: big then small then big, in reused memory" {
	local m n
	start_http
	m=$(get /metrics | wc -c)
	n=$(header /metrics Content-Length)
	[ "$m" -gt 1000 ]
	[ "$m" -eq "$n" ]
	get /healthz >/dev/null
	[ "$(get /metrics | wc -c)" -eq "$m" ]
	[ "$(get / | tail -n 1)" = "</body></html>" ]
	get /metrics >"$T/metrics"
	run promtool check metrics <"$T/metrics"
	assert_success
	[ "$(get /status.json | jq length)" -eq 4 ]
}

@test "GET /events: one data: line of events JSON per change" {
	local pid
	start_http
	pid=$(node_pid db)
	curl -sS -N --max-time 30 "$(url /events)" >"$T/sse" 3>&- &
	BG=$!
	st events >"$T/events" 3>&- &
	BG="$BG $!"
	# Both are listening once a change reaches them: make changes until it does.
	wait_for eval 'st restart db >/dev/null && grep -q "\"path\":\"db\"" "$T/sse" && grep -q "\"path\":\"db\"" "$T/events"'
	wait_for node_state_is db running
	wait_for same_tail
	# Every non-empty line is "data: " and a JSON object, as events prints.
	run grep -v -e '^data: {' -e '^$' "$T/sse"
	assert_output ""
	sed -n 's/^data: //p' "$T/sse" | jq -e -s 'all(has("path") and has("state"))'
}

# The last three events of the stream and of supertree events are the
# same objects (but for uptimes, which move on).
same_tail() {
	[ "$(sed -n 's/^data: //p' "$T/sse" | jq -c 'del(.uptime)' | tail -n 3)" = \
	    "$(jq -c 'del(.uptime)' "$T/events" | tail -n 3)" ]
}

@test "GET /events ends when the tree ends" {
	start_http
	curl -sS -N --max-time 30 "$(url /events)" >"$T/sse" 2>/dev/null 3>&- &
	BG=$!
	wait_for eval 'st restart db >/dev/null && grep -q "\"path\":\"db\"" "$T/sse"'
	st shutdown
	wait_for not_alive "$BG"
}

@test "GET /: one self-contained page with the tree as a table" {
	local page
	start_http
	assert_equal "$(header / Content-Type)" "text/html; charset=utf-8"
	page=$(get /)
	grep -q '<!doctype html>' <<<"$page"
	grep -q '<title>web1 ' <<<"$page"
	grep -q '<tr data-path="web/api" class="s-running">' <<<"$page"
	grep -q '<tr data-path="db" class="s-running">' <<<"$page"
	grep -q "<td class=\"num\">$(node_pid db)</td>" <<<"$page"
	grep -q '0/5 in 5s' <<<"$page"
	grep -q 'new EventSource("events")' <<<"$page"
	# No external assets: nothing fetched from anywhere else.
	run grep -Ei '<link|src=|@import|url\(|https?://' <<<"$page"
	assert_output ""
}

# A worker whose check fails once $T/bad exists, checked every 200ms.
health_spec() {
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[w]
	command = sleep 1000
	health = exec:test ! -e $T/bad
	health_interval = 200ms
	health_failures = 1000
	EOF
}

@test "GET /: a worker failing its health check says so in its row" {
	touch "$T/bad"
	start_tree "$(health_spec)"
	wait_for err_has "w: health check failed: exec exit 1, 1 of 1000"
	run get /
	assert_output --regexp '<tr data-path="w" class="s-running" data-hf="1000">.*<td class="err">health failing [0-9]+/1000: exec exit 1</td></tr>'
}

@test "the page escapes what comes from the children" {
	cat >"$T/n.py" <<-'EOF'
	import os, socket, time
	addr = os.environ["NOTIFY_SOCKET"]
	if addr.startswith("@"):
	    addr = "\0" + addr[1:]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.sendto(b"READY=1\nSTATUS=<b>x</b> & 'y'", addr)
	time.sleep(1000)
	EOF
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[w]
	command = python3 $T/n.py
	ready = notify
	EOF
	start_tree "$T/tree.ini"
	wait_for eval '[ "$(node_field w status_text)" != null ]'
	run get /
	refute_output --partial '<b>x</b>'
	assert_output --partial "&lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39;"
}

# ---- errors and limits

@test "every method but GET and HEAD: 405 with Allow" {
	local m
	start_http
	for m in POST PUT DELETE PATCH OPTIONS; do
		run code /metrics -X "$m"
		assert_output 405
	done
	run curl -sS --max-time 10 -D - -o /dev/null -X POST "$(url /healthz)"
	assert_output --partial "Allow: GET, HEAD"
	run get /status.json -X DELETE
	assert_output "supertree: only GET (or HEAD) is allowed: this interface is read-only"
}

@test "HEAD: the headers of GET, no body" {
	start_http
	run curl -sS --max-time 10 -I "$(url /metrics)"
	assert_success
	assert_output --partial "HTTP/1.1 200 OK"
	assert_output --partial "Content-Length: "
	# Everything the server sends to a HEAD, until it closes: no body.
	run python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
print(repr(data.split(b"\r\n\r\n", 1)[1]))' "$PORT"
	assert_output "b''"
}

@test "unknown paths: 404 with the list of pages" {
	start_http
	for p in /nope /metrics/x /status /index.html /healthz/ /events/x; do
		run code "$p"
		assert_output 404
	done
	run get /nope
	assert_output "supertree: no such page: there are /, /metrics, /healthz, /status.json and /events"
	run code '/metrics?x=1'
	assert_output 200
}

@test "headers past 8 KiB and bodies past 1 KiB are refused" {
	start_http
	run code /metrics -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
	refute_output 200
	[ "$output" -ge 400 ] || [ "$output" = 000 ]
	run code /metrics -X POST --data-binary "@-" <<<"$(head -c 5000 /dev/zero | tr '\0' a)"
	assert_output 413
	run code /healthz
	assert_output 200
}

# A python client that opens N connections to $PORT and keeps them,
# trickling a header byte now and then (slowloris); it prints "open" when
# they are all open and lives until killed.
slowloris() {
	python3 - "$PORT" "$1" >"$T/loris" 2>&1 3>&- <<-'EOF' &
	import socket, sys, time
	port, n = int(sys.argv[1]), int(sys.argv[2])
	conns = []
	for i in range(n):
	    s = socket.socket()
	    s.setblocking(False)
	    try:
	        s.connect(("127.0.0.1", port))
	    except BlockingIOError:
	        pass
	    conns.append(s)
	print("open", flush=True)
	while True:
	    for s in conns:
	        try:
	            s.send(b"X")
	        except OSError:
	            pass
	    time.sleep(0.5)
	EOF
	BG="$BG $!"
}

@test "slowloris: idle connections never hold up the tree, and are capped" {
	local t0 t1 fds
	start_http
	slowloris 300
	wait_for grep -q open "$T/loris"
	# The tree answers at once, and keeps working.
	t0=$(date +%s%N)
	run st status
	assert_success
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -lt 2000 ]
	st restart db
	wait_for node_state_is db running
	# At most 64 connections (and the backlog) take descriptors.
	fds=$(ls /proc/$TREE_PID/fd | wc -l)
	[ "$fds" -lt 120 ]
	# A new client waits its turn (the listener is paused) ...
	run code /healthz --max-time 1
	assert_output 000
	# ... and is served once the idle ones are gone.
	kill $BG
	wait $BG 2>/dev/null || true
	BG=
	wait_for eval '[ "$(code /healthz --max-time 2)" = 200 ]'
}

@test "an event stream that never reads is dropped, memory stays bounded" {
	local rss0 rss1 i
	# AddressSanitizer keeps freed memory in its quarantine (up to 256
	# MB), so RSS says nothing there: the plain build checks the bound.
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		skip "RSS under AddressSanitizer includes its quarantine"
	fi
	write_spec tree.ini <<-EOF
	[supertree]
	http = $PORT
	[pool]
	intensity = infinity
	$(for i in $(seq 1 60); do printf '[pool/w%d]\ncommand = sleep 1000\n' "$i"; done)
	EOF
	start_tree "$T/tree.ini"
	wait_for node_state_is pool/w60 running
	# A client that asks for /events with a tiny window and never reads.
	python3 - "$PORT" >"$T/stuck" 2>&1 3>&- <<-'EOF' &
	import socket, sys, time
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
	s.connect(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	print("asked", flush=True)
	time.sleep(300)
	EOF
	BG=$!
	wait_for grep -q asked "$T/stuck"
	rss0=$(awk '/^VmRSS/ { print $2 }' /proc/$TREE_PID/status)
	# About 90 kB of events per restart of the pool: 2.7 MB in all.
	for i in $(seq 1 30); do
		st restart pool >/dev/null
	done
	rss1=$(awk '/^VmRSS/ { print $2 }' /proc/$TREE_PID/status)
	# The tree is fine, has dropped the stream and has not kept
	# megabytes for it.
	run st status --quiet
	assert_success
	run ss -Htn state established "( sport = :$PORT )"
	assert_output ""
	[ $((rss1 - rss0)) -lt 4096 ]
	run code /healthz
	assert_output 200
}

@test "no wake-ups while nobody is connected" {
	command -v strace >/dev/null || skip "strace is not installed"
	local fds
	start_http
	fds=$(ls /proc/$TREE_PID/fd | wc -l)
	get /metrics >/dev/null
	get /healthz >/dev/null
	curl -sS -N --max-time 1 "$(url /events)" >/dev/null 2>&1 || true
	# Every connection is closed and forgotten; then 2 s of nothing.
	wait_for eval '[ "$(ls /proc/$TREE_PID/fd | wc -l)" -le "$fds" ]'
	timeout -s INT 2 strace -p "$TREE_PID" -o "$T/strace" 2>/dev/null || true
	# Only the epoll_wait it was blocked in when strace came.
	run grep -cv -e 'epoll_wait(.*<detached \.\.\.>' -e '^$' "$T/strace"
	assert_output 0
}

# ---- the page in a browser

@test "the page in headless Chromium shows the tree and follows a restart" {
	command -v chromium >/dev/null ||
	    skip "chromium is not installed (./bootstrap --test installs it)"
	local old new
	start_http
	old=$(node_pid db)
	# 1: the page is live and shows db's pid; 2: db's row shows a new pid.
	python3 "$BATS_TEST_DIRNAME/page_probe.py" "$(url /)" 60 \
	    'document.getElementById("live").textContent === "live" &&
	     (window.__p = document.querySelector("tr[data-path=\"db\"]").cells[2].textContent)' \
	    '(function () {
		var r = document.querySelector("tr[data-path=\"db\"]");
		return r.cells[2].textContent !== window.__p &&
		    r.cells[1].textContent === "running" &&
		    [r.cells[2].textContent, document.querySelectorAll("tbody tr").length,
		     document.querySelector("tr[data-path=\"web/api\"]").cells[1].textContent]
	    })()' >"$T/probe" 2>"$T/probe.err" 3>&- &
	BG=$!
	wait_for -t 60 test -s "$T/probe"
	assert_equal "$(head -n 1 "$T/probe")" "\"$old\""
	st restart db
	wait_for node_state_is db running
	new=$(node_pid db)
	wait_for -t 30 eval '[ "$(wc -l <"$T/probe")" -ge 2 ]'
	assert_equal "$(sed -n 2p "$T/probe" | jq -c .)" "[\"$new\",4,\"running\"]"
}

@test "the page in headless Chromium shows a health check that starts failing" {
	command -v chromium >/dev/null ||
	    skip "chromium is not installed (./bootstrap --test installs it)"
	start_tree "$(health_spec)"
	wait_for eval 'st status --json | grep -q "\"health\":\"ok\""'
	# 1: the page is live and w's note is empty; 2: it names the failure.
	python3 "$BATS_TEST_DIRNAME/page_probe.py" "$(url /)" 60 \
	    'document.getElementById("live").textContent === "live" &&
	     document.querySelector("tr[data-path=\"w\"]").cells[7].textContent === "" &&
	     "empty"' \
	    '(function () {
		var c = document.querySelector("tr[data-path=\"w\"]").cells[7];
		return /^health failing [0-9]+\/1000: exec exit 1$/.test(c.textContent) &&
		    c.className
	    })()' >"$T/probe" 2>"$T/probe.err" 3>&- &
	BG=$!
	wait_for -t 60 test -s "$T/probe"
	assert_equal "$(head -n 1 "$T/probe")" '"empty"'
	touch "$T/bad"
	wait_for -t 30 eval '[ "$(wc -l <"$T/probe")" -ge 2 ]'
	assert_equal "$(sed -n 2p "$T/probe")" '"err"'
}
