# bench/report.sh: turns bench/out/*.csv into docs/benchmarks.md and the
# two charts. Sourced by bench/run (bench/run --doc runs only this).
#
# "Best peer" is the best of supervisord, s6, runit and daemontools on that
# line; the floor is bench/src/floor.c. Hand-written analysis lives in
# bench/notes.md and is copied into the report as it is.

PEER_ORDER="floor supertree supervisord s6 runit daemontools"
OTHERS="supervisord s6 runit daemontools"
# supertree's shapes: flat, deep (10 x 10 x N / 100), with "+out" when the
# workers' output is captured (the default) rather than output = null.
SHAPES="flat deep flat+out deep+out"

shape_label() {
	case $1 in
	deep) echo " (3 levels: 10 × 10 × N/100)" ;;
	flat+out) echo " (output captured)" ;;
	deep+out) echo " (3 levels, output captured)" ;;
	esac
}

# not_all PEER SHAPE N: " (only K started)" when the tree could not start
# all N workers (limits.csv).
not_all() {
	local k
	k=$(csv_get "$OUT/limits.csv" "$1" "$2" "$3" -- started)
	[ -n "$k" ] && echo " (only $k started)"
}

# csv_get FILE KEYCOLS... -- COL: the value of COL on the first row whose
# leading columns equal the keys.
csv_get() {
	local f=$1 col keys=""
	shift
	while [ "$1" != -- ]; do keys="$keys,$1"; shift; done
	col=$2
	[ -f "$f" ] || return 0
	awk -F, -v keys="${keys#,}" -v col="$col" '
	NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	{
		nk = split(keys, k, ",")
		for (i = 1; i <= nk; i++) if ($i != k[i]) next
		print $h[col]; exit
	}' "$f"
}

fmt() {	# a number, with few digits
	awk -v v="$1" 'BEGIN {
		if (v == "") { print "–"; exit }
		if (v + 0 >= 100) printf "%.0f\n", v
		else if (v + 0 >= 10) printf "%.1f\n", v
		else printf "%.2f\n", v }'
}

ratio() {	# a / b, as "1.23×"
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) { print "–"; exit }
		r = a / b
		if (r >= 100) printf "%.0f×\n", r
		else if (r >= 0.01) printf "%.2f×\n", r
		else printf "%.2g×\n", r }'
}

# best COLVALUES...: the smallest of non-empty values.
best() {
	local v b=""
	for v in "$@"; do
		[ -n "$v" ] || continue
		if [ -z "$b" ] || awk -v a="$v" -v b="$b" 'BEGIN { exit !(a < b) }'
		then
			b=$v
		fi
	done
	echo "$b"
}

verdict() {	# value op limit -> met / MISSED
	if [ -z "$1" ]; then echo "not measured"; return; fi
	if awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		if (op == "<") exit !(a < b)
		if (op == "<=") exit !(a <= b)
		if (op == "==") exit !(a == b) }'; then
		echo "met"
	else
		echo "**missed**"
	fi
}

report_latency() {
	local case=$1 title=$2 p fl bp50 bp99 v p50 p99
	[ -f "$OUT/latency.csv" ] || return 0
	grep -q ",$case," "$OUT/latency.csv" || return 0
	fl=$(csv_get "$OUT/latency.csv" floor "$case" -- p50_ms)
	bp50=$(best $(for p in $OTHERS; do csv_get "$OUT/latency.csv" $p "$case" -- p50_ms; done))
	bp99=$(best $(for p in $OTHERS; do csv_get "$OUT/latency.csv" $p "$case" -- p99_ms; done))
	printf '\n### %s\n\n' "$title"
	echo "| peer | samples | min ms | p50 ms | p99 ms | max ms | p50 ÷ floor | p50 ÷ best peer | p99 ÷ best peer |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for p in $PEER_ORDER; do
		v=$(awk -F, -v p=$p -v c="$case" '$1 == p && $2 == c' \
		    "$OUT/latency.csv")
		[ -n "$v" ] || continue
		IFS=, read -r _ _ _ n mn p50 p99 mx <<<"$v"
		echo "| $p | $n | $(fmt "$mn") | $(fmt "$p50") | $(fmt "$p99") | $(fmt "$mx") | $(ratio "$p50" "$fl") | $(ratio "$p50" "$bp50") | $(ratio "$p99" "$bp99") |"
	done
}

report_cpu() {
	local p v fl bp r c us per
	[ -f "$OUT/cpu.csv" ] || return 0
	per_k() { awk -F, -v p="$1" '$1 == p && $2 == "crash5ms" && $3 > 0 {
		printf "%.3f\n", $4 / $3 }' "$OUT/cpu.csv"; }
	fl=$(per_k floor)
	bp=$(best $(for p in $OTHERS; do per_k $p; done))
	printf '\n## CPU time per 1,000 restarts\n\n'
	echo "Time on CPU of the supervision processes (schedstat, the same clock as utime + stime but to the nanosecond; the floor: its own getrusage) over the counted restarts of the crash loop, per 1,000 restarts. Workers' own time is not included."
	echo
	echo "| peer | restarts counted | CPU ms | CPU ms per 1,000 restarts | ÷ floor | ÷ best peer |"
	echo "|---|---:|---:|---:|---:|---:|"
	for p in $PEER_ORDER; do
		v=$(awk -F, -v p=$p '$1 == p && $2 == "crash5ms"' "$OUT/cpu.csv")
		[ -n "$v" ] || continue
		IFS=, read -r _ _ r us _ <<<"$v"
		per=$(per_k $p)
		echo "| $p | $r | $(fmt "$(awk -v u="$us" 'BEGIN { print u / 1000 }')") | $(fmt "$per") | $(ratio "$per" "$fl") | $(ratio "$per" "$bp") |"
	done
}

report_memory() {
	local n p v pss procs per bp shape
	[ -f "$OUT/scale.csv" ] || return 0
	printf '\n## Supervision memory\n\n'
	echo "Sum of Pss (smaps_rollup) over the supervision processes only, with N long-running workers (a static sleeper): supertree's run process and every supervisor process (workers, by the pids status --json gives, excluded); each peer's top process and every per-service supervisor (s6-supervise, runsv, supervise). Per worker = total ÷ N. The first Pss column is taken right after the \`status --json\` query that lists the workers' pids (supertree's top process keeps some of the heap it used to answer); the second, by the workers' executable instead, before any query."
	echo
	echo "| N | peer | processes | Pss kB | Pss kB before any query | Pss kB per worker | ÷ best peer |"
	echo "|---:|---|---:|---:|---:|---:|---:|"
	for n in $(awk -F, 'NR > 1 { print $3 }' "$OUT/scale.csv" | sort -nu); do
		bp=$(best $(for p in $OTHERS; do csv_get "$OUT/scale.csv" $p flat "$n" -- pss_kb; done))
		for p in $PEER_ORDER; do
			for shape in $SHAPES; do
				v=$(awk -F, -v p=$p -v n=$n -v s=$shape \
				    '$1 == p && $2 == s && $3 == n' "$OUT/scale.csv")
				[ -n "$v" ] || continue
				IFS=, read -r _ _ _ _ procs pss pssq _ _ <<<"$v"
				[ -n "$pss" ] || continue
				per=$(awk -v a="$pss" -v n="$n" 'BEGIN { print a / n }')
				echo "| $n | $p$(shape_label $shape)$(not_all $p $shape $n) | $procs | $pss | $pssq | $(fmt "$per") | $(ratio "$pss" "$bp") |"
			done
		done
	done
}

report_start_stop() {
	local n p v st sts stop bp bs fs fp shape
	[ -f "$OUT/scale.csv" ] || return 0
	printf '\n## Start-up and graceful stop\n\n'
	echo "The floor starts the workers with fork + exec back to back (no waiting for each exec) and stops them with SIGTERM to all at once. Start-up: from launching the top process until the last of the N workers recorded its first instruction (the workers' own clock, the same for every peer); for supertree also until \`supertree wait --for ready supertree\` (one client, started as soon as the socket exists) returned: the root is ready once every worker is up. The full run brings each tree up and down three times and keeps the medians (every trial is in bench/out/scale.csv and stop.csv); the other figures come from the first bring-up. Graceful stop: the peer's own stop command (supertree shutdown; SIGTERM to supervisord; s6-svscanctl -t; SIGHUP to runsvdir; svc -dx after stopping svscan) until every process of the tree, workers included, is gone (pidfds)."
	echo
	echo "| N | peer | all started ms | status shows all running ms | graceful stop ms | start ÷ floor | start ÷ best peer | stop ÷ floor | stop ÷ best peer |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	for n in $(awk -F, 'NR > 1 { print $3 }' "$OUT/scale.csv" | sort -nu); do
		bs=$(best $(for p in $OTHERS; do csv_get "$OUT/scale.csv" $p flat "$n" -- start_ms; done))
		bp=$(best $(for p in $OTHERS; do csv_get "$OUT/stop.csv" $p flat "$n" -- stop_ms; done))
		fs=$(csv_get "$OUT/scale.csv" floor flat "$n" -- start_ms)
		fp=$(csv_get "$OUT/stop.csv" floor flat "$n" -- stop_ms)
		for p in $PEER_ORDER; do
			for shape in $SHAPES; do
				v=$(awk -F, -v p=$p -v n=$n -v s=$shape \
				    '$1 == p && $2 == s && $3 == n' "$OUT/scale.csv")
				[ -n "$v" ] || continue
				IFS=, read -r _ _ _ _ _ _ _ st sts _ <<<"$v"
				stop=$(csv_get "$OUT/stop.csv" $p $shape "$n" -- stop_ms)
				echo "| $n | $p$(shape_label $shape)$(not_all $p $shape $n) | $st | ${sts:-–} | $(fmt "$stop") | $(ratio "$st" "$fs") | $(ratio "$st" "$bs") | $(ratio "$stop" "$fp") | $(ratio "$stop" "$bp") |"
			done
		done
	done
}

report_idle() {
	local n p v w vc nvc sc
	[ -s "$OUT/idle.csv" ] || return 0
	[ "$(wc -l <"$OUT/idle.csv")" -gt 1 ] || return 0
	printf '\n## Idle cost\n\n'
	echo "With N long-running workers and nothing happening, over a fixed window (scaled to one minute): voluntary context switches of the supervision processes (/proc/PID/task/*/status; each is a wake-up) and their syscalls (perf stat on the raw_syscalls:sys_enter tracepoint, which, unlike strace, adds no wake-up of its own)."
	echo
	echo "| N | peer | window s | wake-ups per minute | syscalls per minute |"
	echo "|---:|---|---:|---:|---:|"
	while IFS=, read -r p n w vc nvc sc; do
		echo "| $n | $p | $w | $(fmt "$(awk -v a="$vc" -v w="$w" 'BEGIN { print a * 60 / w }')") | $(fmt "$(awk -v a="$sc" -v w="$w" 'BEGIN { print a * 60 / w }')") |"
	done < <(tail -n +2 "$OUT/idle.csv" | sort -t, -k2,2n -s)
}

report_status() {
	local p v bp med
	[ -s "$OUT/status.csv" ] || return 0
	[ "$(wc -l <"$OUT/status.csv")" -gt 1 ] || return 0
	printf '\n## Status query\n\n'
	echo "Median wall time of one status query over all workers (hyperfine, after warm-up runs): \`supertree status --json\`, \`supervisorctl status\`, \`s6-svstat\` once per service (s6 has no tree-wide status), \`sv status\` and \`svstat\` on every service."
	echo
	echo "| N | peer | runs | median ms | mean ms | min ms | ÷ best peer |"
	echo "|---:|---|---:|---:|---:|---:|---:|"
	for n in $(awk -F, 'NR > 1 { print $3 }' "$OUT/status.csv" | sort -nu); do
		bp=$(best $(for p in $OTHERS; do csv_get "$OUT/status.csv" $p flat "$n" -- median_ms; done))
		for p in $PEER_ORDER; do
			for shape in $SHAPES; do
				v=$(awk -F, -v p=$p -v n=$n -v s=$shape \
				    '$1 == p && $2 == s && $3 == n' "$OUT/status.csv")
				[ -n "$v" ] || continue
				IFS=, read -r _ _ _ r med mean mn <<<"$v"
				echo "| $n | $p$(shape_label $shape) | $r | $(fmt "$med") | $(fmt "$mean") | $(fmt "$mn") | $(ratio "$med" "$bp") |"
			done
		done
	done
}

report_big() {
	local v big o n s mn p50 p99 mx base k e
	[ -f "$OUT/scale_latency.csv" ] || return 0
	big=$(csv_get "$OUT/machine.csv" big_n -- value)
	printf '\n## Scale: 10,000 workers\n\n'
	echo "supertree with $big long-running workers whose output is captured (the default, \`output = prefix\`), flat (one supervisor) and in three levels (10 × 10 supervisors of $((big / 100)) workers each), beside the floor starting and stopping as many in the same run: the rows with that N in the tables above (memory, start-up, stop, status). Below, the restart latency of one crash-loop worker beside N − 1 sleepers in a flat tree, output captured unless the row says \`null\` (the target: p50 within 1.2 × of the p50 beside 9 sleepers)."
	echo
	echo "| output | N | samples | min ms | p50 ms | p99 ms | max ms | p50 ÷ p50 beside 9 |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	tail -n +2 "$OUT/scale_latency.csv" | while IFS=, read -r o n s mn p50 p99 mx; do
		base=$(awk -F, -v o="$o" '$1 == o && $2 == 10 { print $5 }' \
		    "$OUT/scale_latency.csv")
		echo "| $([ "$o" = default ] && echo captured || echo "$o") | $n | $s | $(fmt "$mn") | $(fmt "$p50") | $(fmt "$p99") | $(fmt "$mx") | $(ratio "$p50" "$base") |"
	done
	if [ "$(wc -l <"$OUT/limits.csv" 2>/dev/null || echo 0)" -gt 1 ]; then
		echo
		echo "**What did not fit in this run:**"
		echo
		tail -n +2 "$OUT/limits.csv" | while IFS=, read -r _ s n k e; do
			echo "- $n workers$(shape_label "$s"): only $k started; the first error: \`${e:-none logged}\`."
		done
	fi
	echo
	echo "Limits: a supervisor holds one pidfd per running worker, plus two pipe read ends per worker with \`output = prefix\` or \`file:\` (\`output = null\` and \`inherit\` hold none); so 10,000 workers in one supervisor need an RLIMIT_NOFILE of about 10,050 with \`output = null\` and about 30,050 with \`prefix\`. The driver raises its soft limit to the hard limit ($(csv_get "$OUT/machine.csv" nofile -- value) here) with \`ulimit -n\`; with a hard limit of 20,000 a flat tree of 10,000 prefixed workers does not fit, and must be split over several supervisors (each its own process, with its own descriptor table), as the three-level tree is. Each worker is a process: kernel.pid_max ($(csv_get "$OUT/machine.csv" pid_max -- value) here) bounds workers plus supervisors plus everything else on the machine."
}

# The figures of a run of the code before this work (bench/out/before/,
# written by the same bench/run with SUPERTREE pointing at that build),
# beside this run's.
report_before_after() {
	local B=$OUT/before
	[ -f "$B/machine.csv" ] || return 0
	printf '\n## Before and after\n\n'
	echo "The same bench/run, the same machine, minutes apart: before is $(csv_get "$B/machine.csv" supertree_build -- value) (load average $(csv_get "$B/machine.csv" load -- value) at its start, $(csv_get "$B/machine.csv" load_end -- value) at its end), after is this run's binary. Times are in ms, memory in kB; \"–\" was not measured."
	echo
	echo "| figure | before | after |"
	echo "|---|---:|---:|"
	ba() {	# LABEL FILE KEYS... -- COL
		local label=$1 f=$2 b a
		shift 2
		b=$(csv_get "$B/$f" "$@")
		a=$(csv_get "$OUT/$f" "$@")
		echo "| $label | $(fmt "$b")$(OUT=$B not_all "$1" "$2" "$3" 2>/dev/null) | $(fmt "$a")$(not_all "$1" "$2" "$3" 2>/dev/null) |"
	}
	ba "supervision Pss, 1,000 workers, 3 levels (10 × 10 × 10)" scale.csv supertree deep 1000 -- pss_kb
	ba "supervision Pss, 1,000 workers, flat" scale.csv supertree flat 1000 -- pss_kb
	ba "1,000 workers, 3 levels: all running" scale.csv supertree deep 1000 -- start_ms
	ba "1,000 workers, 3 levels: graceful stop" stop.csv supertree deep 1000 -- stop_ms
	ba "10,000 workers, flat, output captured: all running" scale.csv supertree flat+out 10000 -- start_ms
	ba "10,000 workers, flat, output captured: graceful stop" stop.csv supertree flat+out 10000 -- stop_ms
	ba "10,000 workers, flat, output captured: status --json" status.csv supertree flat+out 10000 -- median_ms
	ba "10,000 workers, flat, output captured: supervision Pss" scale.csv supertree flat+out 10000 -- pss_kb
	ba "10,000 workers, flat, output = null: all running" scale.csv supertree flat 10000 -- start_ms
	ba "10,000 workers, flat, output = null: graceful stop" stop.csv supertree flat 10000 -- stop_ms
	ba "10,000 workers, 3 levels, output captured: all running" scale.csv supertree deep+out 10000 -- start_ms
	ba "10,000 workers, 3 levels, output captured: graceful stop" stop.csv supertree deep+out 10000 -- stop_ms
	ba "10,000 workers, 3 levels, output captured: status --json" status.csv supertree deep+out 10000 -- median_ms
	ba "10,000 workers, 3 levels, output captured: supervision Pss" scale.csv supertree deep+out 10000 -- pss_kb
	ba "floor: 10,000 started" scale.csv floor flat 10000 -- start_ms
	ba "floor: 10,000 stopped" stop.csv floor flat 10000 -- stop_ms
	ba "restart p50 beside 9 sleepers, output captured" scale_latency.csv default 10 -- p50_ms
	ba "restart p50 beside 9,999 sleepers, output captured" scale_latency.csv default 10000 -- p50_ms
	ba "restart p50 beside 9 sleepers, output = null" scale_latency.csv null 10 -- p50_ms
	ba "restart p50 beside 9,999 sleepers, output = null" scale_latency.csv null 10000 -- p50_ms
	ba "restart p99 beside 9,999 sleepers, output = null" scale_latency.csv null 10000 -- p99_ms
	ba "crash loop: restart p50" latency.csv supertree crash5ms -- p50_ms
	ba "crash loop: restart p99" latency.csv supertree crash5ms -- p99_ms
	ba "crash loop: floor p99" latency.csv floor crash5ms -- p99_ms
}

report_http() {
	local peer path n b w sc k mn p50 p99 mx cpu load f50 fcpu
	[ -s "$OUT/http.csv" ] || return 0
	printf '\n## HTTP: /metrics and /status.json\n\n'
	echo "One flat supertree of N sleepers (\`output = null\`) with the \`http\` key: GET /metrics and GET /status.json as a scraper does it, one request per connection, timed by curl (\`%{time_total}\`: connect, request and the whole body) after one warm-up, with the CPU time the top process (the one that listens) spent per request (schedstat); and, before any request, the system calls of the top over the idle window (perf on raw_syscalls:sys_enter). The floor (bench/src/httpfloor.c) then sends the very same bodies from memory, to the same curl, with a bare accept, read, write, close loop: what any server pays to move those bytes over loopback. Then the restart latency of one crash-loop worker beside 9 sleepers while /metrics is scraped every second (compare with the row of 9 sleepers, output null, in the 10,000-worker section). The machine's load average (1 min) is given for each row: the wall times move with it, the CPU times much less."
	echo
	echo "| N | GET | peer | body bytes | requests | min ms | p50 ms | p99 ms | max ms | p50 ÷ floor | server CPU ms per request | ÷ floor | load | top's syscalls, idle window |"
	echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	tail -n +2 "$OUT/http.csv" | while IFS=, read -r peer path n b w sc k mn p50 p99 mx cpu load; do
		f50=$(csv_get "$OUT/http.csv" floor "$path" "$n" -- p50_ms)
		fcpu=$(csv_get "$OUT/http.csv" floor "$path" "$n" -- cpu_ms)
		echo "| $n | $path | $peer | $b | $k | $(fmt "$mn") | $(fmt "$p50") | $(fmt "$p99") | $(fmt "$mx") | $(ratio "$p50" "$f50") | $(fmt "$cpu") | $(ratio "$cpu" "$fcpu") | $load | $([ -n "$w" ] && echo "$sc in $w s" || echo –) |"
	done
	if [ -s "$OUT/http_latency.csv" ]; then
		IFS=, read -r k mn p50 p99 mx <"$OUT/http_latency.csv"
		echo
		echo "Restart latency, crash loop beside 9 sleepers, scraped every second: $k samples, min $(fmt "$mn") ms, p50 $(fmt "$p50") ms, p99 $(fmt "$p99") ms, max $(fmt "$mx") ms."
	fi
}

report_liveness() {
	local kind n secs checks sup probe w sc load f fl
	[ -s "$OUT/liveness.csv" ] || return 0
	printf '\n## Liveness: the cost of health checks\n\n'
	echo "bench/liveness (\`bench/run --only liveness\`): a flat tree of N sleeping workers, each with a health check every second (\`health_interval = 1s\`), once \`health = exec:true\` and once \`health = tcp:\` to one listener; over the window, the CPU time of the supervision processes (the run process and the root supervisor, schedstat) per check, their wake-ups (voluntary context switches), and the CPU time of the probes themselves (cutime + cstime of the root supervisor). Then the same tree without health keys, idle: its wake-ups and system calls (perf), which must be none. The floors are the least a supervisor can spend on one check, one after the other: bench/src/floor.c spawning and reaping /bin/true (fork, exec, pidfd, waitid), bench/src/connfloor.c connecting to the same listener (a non-blocking connect, poll, SO_ERROR, close). A check whose cost grew with the number of workers would cost more per check at N = 1,000 than at N = 100."
	echo
	echo "| check | N | window s | checks | supervision CPU µs per check | ÷ floor | the probe's own CPU µs per check | wake-ups in the window | syscalls in the window | load |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	tail -n +2 "$OUT/liveness.csv" | while IFS=, read -r kind n secs checks sup probe w sc load; do
		fl=""
		case $kind in
		exec|tcp) fl=$(csv_get "$OUT/liveness.csv" "floor-$kind" -- sup_us_per_check) ;;
		esac
		f=$(ratio "$sup" "$fl")
		[ -n "$fl" ] || f=–
		case $kind in
		floor-*) f=1.00× ;;
		none) f=– ;;
		esac
		echo "| $kind | $n | ${secs:-–} | $checks | $(fmt "$sup") | $f | $(fmt "$probe") | ${w:-–} | ${sc:-–} | $load |"
	done
}

report_targets() {
	local fl5 fl15 s5 s15 q5 q15 pss st sts stop idle sc stat cpu cpuf hn hm hf
	fl5=$(csv_get "$OUT/latency.csv" floor crash5ms -- p50_ms)
	fl15=$(csv_get "$OUT/latency.csv" floor crash1500ms -- p50_ms)
	s5=$(csv_get "$OUT/latency.csv" supertree crash5ms -- p50_ms)
	s15=$(csv_get "$OUT/latency.csv" supertree crash1500ms -- p50_ms)
	q5=$(csv_get "$OUT/latency.csv" supertree crash5ms -- p99_ms)
	q15=$(csv_get "$OUT/latency.csv" supertree crash1500ms -- p99_ms)
	pss=$(csv_get "$OUT/scale.csv" supertree flat 1000 -- pss_kb)
	st=$(csv_get "$OUT/scale.csv" supertree flat 1000 -- start_ms)
	sts=$(csv_get "$OUT/scale.csv" supertree flat 1000 -- start_status_ms)
	stop=$(csv_get "$OUT/stop.csv" supertree flat 1000 -- stop_ms)
	idle=$(awk -F, '$1 == "supertree" { s += $4 } END { if (NR > 1) print s + 0 }' "$OUT/idle.csv" 2>/dev/null)
	sc=$(awk -F, '$1 == "supertree" { s += $6 } END { if (NR > 1) print s + 0 }' "$OUT/idle.csv" 2>/dev/null)
	stat=$(csv_get "$OUT/status.csv" supertree flat 1000 -- median_ms)
	cpu=$(awk -F, '$1 == "supertree" && $2 == "crash5ms" && $3 > 0 { print $4 / $3 }' "$OUT/cpu.csv" 2>/dev/null)
	cpuf=$(awk -F, '$1 == "floor" && $2 == "crash5ms" && $3 > 0 { print $4 / $3 }' "$OUT/cpu.csv" 2>/dev/null)
	printf '\n## Targets\n\n'
	echo "| target | measured | verdict |"
	echo "|---|---|---|"
	echo "| restart latency p50 ≤ 1.5 × floor, crash loop | $(fmt "$s5") ms vs floor $(fmt "$fl5") ms ($(ratio "$s5" "$fl5")) | $(verdict "$(awk -v a="$s5" -v b="$fl5" 'BEGIN { if (a != "" && b != "") print a / b }')" "<=" 1.5) |"
	echo "| restart latency p50 ≤ 1.5 × floor, crash after 1.5 s | $(fmt "$s15") ms vs floor $(fmt "$fl15") ms ($(ratio "$s15" "$fl15")) | $(verdict "$(awk -v a="$s15" -v b="$fl15" 'BEGIN { if (a != "" && b != "") print a / b }')" "<=" 1.5) |"
	echo "| restart latency p99 < 5 ms, crash loop | $(fmt "$q5") ms | $(verdict "$q5" "<" 5) |"
	echo "| restart latency p99 < 5 ms, crash after 1.5 s | $(fmt "$q15") ms | $(verdict "$q15" "<" 5) |"
	echo "| supervision Pss at 1,000 workers < 5 MiB | $(fmt "$(awk -v a="$pss" 'BEGIN { if (a != "") print a / 1024 }')") MiB | $(verdict "$pss" "<" 5120) |"
	echo "| zero wake-ups per minute when idle (N = $(awk -F, 'NR > 1 && $1 == "supertree" { printf "%s%s", s, $2; s = ", " }' "$OUT/idle.csv" 2>/dev/null)) | $idle context switches, $sc syscalls in all windows | $(verdict "$(( ${idle:-1} + ${sc:-1} ))" "==" 0) |"
	echo "| 1,000 workers running < 700 ms | $st ms (workers' clock); ${sts:-–} ms (status) | $(verdict "$(best "$st" "$sts" | sed 's/^$//'; )" "<" 700) |"
	echo "| graceful stop of 1,000 < 1 s | $(fmt "$stop") ms | $(verdict "$stop" "<" 1000) |"
	echo "| status of 1,000 workers < 10 ms | $(fmt "$stat") ms | $(verdict "$stat" "<" 10) |"
	if [ -s "$OUT/http.csv" ]; then
		hn=$(awk -F, '$1 == "supertree" && $2 == "/metrics" { n = $3 } END { print n }' "$OUT/http.csv")
		hm=$(csv_get "$OUT/http.csv" supertree /metrics "$hn" -- p50_ms)
		hf=$(csv_get "$OUT/http.csv" floor /metrics "$hn" -- p50_ms)
		echo "| GET /metrics of $hn workers < 50 ms (p50) | $(fmt "$hm") ms (the floor, the same bytes: $(fmt "$hf") ms) | $(verdict "$hm" "<" 50) |"
	fi
	report_targets_big
	echo "| supervisor CPU per restart ≤ 2 × floor | $(fmt "$cpu") µs vs floor $(fmt "$cpuf") µs ($(ratio "$cpu" "$cpuf")) | $(verdict "$(awk -v a="$cpu" -v b="$cpuf" 'BEGIN { if (a != "" && b != "") print a / b }')" "<=" 2) |"
}

# The targets of issue 11 (per-subtree state, flat cost per event).
report_targets_big() {
	local deep f d v o b9 bb
	deep=$(csv_get "$OUT/scale.csv" supertree deep 1000 -- pss_kb)
	echo "| 3 levels (10 × 10 × 10), 1,000 workers: supervision Pss < 25 MB | $(fmt "$(awk -v a="$deep" 'BEGIN { if (a != "") print a / 1000 }')") MB ($deep kB) | $(verdict "$deep" "<" 25000) |"
	for f in flat+out deep+out; do
		d="10,000 workers$(shape_label $f)"
		v=$(csv_get "$OUT/scale.csv" supertree $f 10000 -- start_ms)
		if [ -n "$(not_all supertree $f 10000)" ]; then
			echo "| $d running < 2 s | did not start$(not_all supertree $f 10000) | **missed** |"
			continue
		fi
		echo "| $d running < 2 s | $(fmt "$v") ms | $(verdict "$v" "<" 2000) |"
		v=$(csv_get "$OUT/stop.csv" supertree $f 10000 -- stop_ms)
		echo "| $d stopped < 1.5 s | $(fmt "$v") ms | $(verdict "$v" "<" 1500) |"
		v=$(csv_get "$OUT/status.csv" supertree $f 10000 -- median_ms)
		echo "| status --json of 10,000$(shape_label $f) < 40 ms | $(fmt "$v") ms | $(verdict "$v" "<" 40) |"
	done
	for o in default null; do
		b9=$(csv_get "$OUT/scale_latency.csv" $o 10 -- p50_ms)
		bb=$(csv_get "$OUT/scale_latency.csv" $o 10000 -- p50_ms)
		[ -n "$bb" ] || continue
		echo "| restart p50 beside 9,999 sleepers ≤ 1.2 × beside 9 (output $([ $o = default ] && echo captured || echo "= null")) | $(fmt "$bb") ms vs $(fmt "$b9") ms ($(ratio "$bb" "$b9")) | $(verdict "$(awk -v a="$bb" -v b="$b9" 'BEGIN { if (a != "" && b != "") print a / b }')" "<=" 1.2) |"
	done
}

report_charts() {
	local dat=$OUT/chart-latency.dat mem=$OUT/chart-memory.dat p n
	command -v gnuplot >/dev/null || return 0
	[ -f "$OUT/latency.csv" ] || return 0
	{
		for p in $PEER_ORDER; do
			printf '%s %s %s %s %s\n' $p \
			    "$(csv_get "$OUT/latency.csv" $p crash5ms -- p50_ms)" \
			    "$(csv_get "$OUT/latency.csv" $p crash5ms -- p99_ms)" \
			    "$(csv_get "$OUT/latency.csv" $p crash1500ms -- p50_ms)" \
			    "$(csv_get "$OUT/latency.csv" $p crash1500ms -- p99_ms)" |
			    awk '{ for (i = 2; i <= 5; i++) if ($i == "") $i = "NaN"; print }'
		done
	} | awk 'NF == 5' >"$dat"
	gnuplot <<EOF 2>"$OUT/gnuplot.log"
set terminal pngcairo size 900,500 font "sans,10"
set output "$(dirname "$DOC")/bench-latency.png"
set title "Restart latency (next start - previous exit), log scale"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "ms"
set yrange [0.1:*]
set grid ytics
set key top left
plot "$dat" using 2:xtic(1) title "p50, crash loop", \
     "" using 3 title "p99, crash loop", \
     "" using 4 title "p50, crash after 1.5 s", \
     "" using 5 title "p99, crash after 1.5 s"
EOF
	[ -f "$OUT/scale.csv" ] || return 0
	rm -f "$mem"
	for p in supertree supervisord s6 runit daemontools; do
		awk -F, -v p=$p '$1 == p && $2 == "flat" && $6 != "" {
			printf "%s %.4f\n", $3, $6 / $3 }' "$OUT/scale.csv" \
		    >>"$mem"
		printf '\n\n' >>"$mem"
	done
	awk -F, '$1 == "supertree" && $2 == "deep" && $6 != "" {
		printf "%s %.4f\n", $3, $6 / $3 }' "$OUT/scale.csv" >>"$mem"
	grep -q . "$mem" || echo "10 NaN" >>"$mem"
	gnuplot <<EOF 2>>"$OUT/gnuplot.log"
set terminal pngcairo size 900,500 font "sans,10"
set output "$(dirname "$DOC")/bench-memory.png"
set title "Supervision memory per worker (Pss of the supervision processes / N)"
set logscale xy
set xrange [5:20000]
set xlabel "N workers"
set ylabel "kB per worker"
set grid
set key top right
plot "$mem" index 0 using 1:2 with linespoints lw 2 title "supertree", \
     "" index 1 using 1:2 with linespoints title "supervisord", \
     "" index 2 using 1:2 with linespoints title "s6", \
     "" index 3 using 1:2 with linespoints title "runit", \
     "" index 4 using 1:2 with linespoints title "daemontools", \
     "" index 5 using 1:2 with points pt 7 ps 1.5 title "supertree, 3 levels (10 x 10 x 10)"
EOF
}

# Pools: scale against start-up from the file (bench/run run_pool).
report_pool() {
	local f=$OUT/pool.csv n
	[ -f "$f" ] || return 0
	n=$(csv_get "$f" startup_file -- n)
	printf '\n## Pools: scale\n\n'
	echo "One pool of sleepers (\`instances\`, \`output = null\`). Start-up: from \`supertree run\` until instance $n runs (instances start in order). \`supertree scale\` waits until the new instances are up, or the surplus ones (stopped one at a time, the highest first) are gone; the instances that stay are not touched."
	echo
	echo "| | ms |"
	echo "|---|---|"
	echo "| start-up of $n instances from the file | $(csv_get "$f" startup_file -- ms) |"
	echo "| \`scale\` 1 → $n | $(csv_get "$f" scale_up -- ms) |"
	echo "| \`scale\` $n → 1 | $(csv_get "$f" scale_down -- ms) |"
}

write_report() {
	local m=$OUT/machine.csv
	report_charts
	{
		echo "# Benchmarks"
		echo
		echo "<!-- Written by bench/run; edit bench/notes.md or bench/report.sh, not this file. -->"
		echo
		echo "supertree against the usual process supervisors, on the same workers, one after the other in one run of \`bench/run\` ($(csv_get "$m" mode -- value) mode; \`make bench\` runs the full one). Raw figures: \`bench/out/*.csv\`."
		echo
		echo "| machine | |"
		echo "|---|---|"
		echo "| date | $(csv_get "$m" date -- value) |"
		echo "| CPUs (nproc) | $(csv_get "$m" nproc -- value) |"
		echo "| CPU model | $(csv_get "$m" cpu -- value) |"
		echo "| memory | $(csv_get "$m" mem -- value) |"
		echo "| kernel | $(csv_get "$m" kernel -- value) |"
		echo "| RLIMIT_NOFILE (raised) / pid_max | $(csv_get "$m" nofile -- value) / $(csv_get "$m" pid_max -- value) |"
		echo "| load average at start / end | $(csv_get "$m" load -- value) / $(csv_get "$m" load_end -- value) |"
		echo "| supertree binary | sha256 $(csv_get "$m" supertree_build -- value) |"
		echo "| versions | supertree $(csv_get "$m" supertree -- value), supervisor $(csv_get "$m" supervisor -- value), s6 $(csv_get "$m" s6 -- value), runit $(csv_get "$m" runit -- value), daemontools $(csv_get "$m" daemontools -- value) (Debian packages) |"
		report_targets
		[ -f "$HERE/notes.md" ] && { echo; cat "$HERE/notes.md"; }
		printf '\n## Restart latency\n\n'
		echo "A tiny static C worker stamps CLOCK_REALTIME first thing in main and again just before it exits (one O_APPEND write per record); latency = its next start − its previous exit, per worker. supertree runs it with \`backoff_min = 0\`, \`intensity = infinity\`, \`output = null\`; supervisord with \`autorestart = true\`, \`startsecs = 0\`; s6, runit and daemontools with the worker itself as \`./run\` (a symlink, no shell). The floor (bench/src/floor.c) is a bare loop: fork, exec, pidfd_open, poll, waitid(P_PIDFD), nothing else. The 1.5 s case runs 4 workers at once, crashing 1.5, 1.6, 1.7 and 1.8 s after their start (staggered, so their restarts rarely meet), under every peer and the floor alike: it is outside the peers' one-second throttles."
		echo
		echo "![restart latency](bench-latency.png)"
		report_latency crash5ms "Crash loop: the worker crashes 5 ms after it starts"
		report_latency crash1500ms "The worker crashes 1.5 s after it starts"
		report_cpu
		report_memory
		echo
		echo "![memory per worker](bench-memory.png)"
		report_start_stop
		report_idle
		report_status
		report_big
		report_pool
		report_http
		report_liveness
		report_before_after
		echo
		echo "## Method"
		echo
		echo '`make bench` (or `bench/run`) runs everything, about 15 minutes; `bench/run --quick` is a smoke run under two minutes (fewer samples, N up to 1,000, the peers at N = 100 and in the crash loop only); `bench/run --doc` rewrites this page from bench/out/. bench/run installs what is missing from Debian packages (supervisor, s6, runit, daemontools, gnuplot-nox, hyperfine, jq) and builds its helpers from bench/src/ into bench/bin/.'
		echo
		echo "Every peer runs under bench/bin/reaper, a child subreaper that exits only once every process of the peer's tree has been reaped; a teardown freezes (SIGSTOP) then kills the tree by pid, top-down, read from /proc/PID/task/*/children, never by name, and checks that the reaper exited and that no worker is left anywhere. Peers are installed from Debian's packages by bench/run. The supervision processes are found by walking /proc/PID/task/*/children from the peer's top process and leaving out the workers. Everything runs in a temporary directory."
		echo
		if [ -s "$OUT/leftovers.log" ]; then
			echo "**Left behind (then killed by pid) in this run:**"
			echo
			sed 's/^/    /' "$OUT/leftovers.log"
		else
			echo "Nothing was left behind in this run: every reaper exited and no worker survived a teardown."
		fi
	} >"$DOC"
}
