#!/usr/bin/env bats
#
# deps.bats: dependencies as a black box: start = ordered | parallel,
# after = PATH[:CONDITION] ..., oneshot = true. check draws them and
# refuses cycles and unknown paths; a running tree starts nodes once what
# they wait for is met, shows them waiting meanwhile, and stops them in
# the reverse order.

load helpers

# check FILE from the test's directory, so that messages say "tree.ini".
check_spec() {
	cat >"$T/tree.ini"
	cd "$T" || return 1
	run "$SUPERTREE" check "$@" tree.ini
}

@test "deps: check draws start, oneshot and after with each condition" {
	check_spec <<-'EOF'
	[supertree]
	start = parallel
	[db]
	[db/pg]
	command = sleep 100
	[migrate]
	command = true
	oneshot = true
	after = db/pg
	[web]
	command = sleep 100
	after = migrate db/pg:started
	EOF
	assert_success
	assert_line --regexp '^tree +supervisor .*parallel'
	assert_line --regexp 'migrate +worker +transient +oneshot +after: db/pg:ready +cmd: true$'
	assert_line --regexp 'web +worker .*after: migrate:succeeded db/pg:started +cmd: sleep 100$'
}

@test "deps: check --json shows start, oneshot and after" {
	check_spec --json <<-'EOF'
	[supertree]
	start = parallel
	[migrate]
	command = true
	oneshot = true
	[web]
	command = sleep 100
	after = migrate
	EOF
	assert_success
	[ "$(jq -r '.[0].start' <<<"$output")" = parallel ]
	[ "$(jq -r '.[1].oneshot' <<<"$output")" = true ]
	[ "$(jq -c '.[2].after' <<<"$output")" = '[{"path":"migrate","condition":"succeeded"}]' ]
}

@test "deps: check refuses a cycle, naming the whole cycle, exit 2" {
	check_spec <<-'EOF'
	[supertree]
	start = parallel
	[a]
	command = sleep 1
	after = c
	[b]
	command = sleep 1
	after = a
	[c]
	command = sleep 1
	after = b
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:5: [a]: key 'after': cycle: a -> c -> b -> a"
}

@test "deps: check refuses after on a later sibling under an ordered start" {
	check_spec <<-'EOF'
	[a]
	command = sleep 1
	after = b
	[b]
	command = sleep 1
	EOF
	assert_failure 2
	assert_output --partial "tree.ini:3: [a]: key 'after': cycle: a -> b -> a"
	assert_output --partial "set start = parallel"
}

@test "deps: check refuses an unknown path with file:line, exit 2" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1
	after = db/pgx
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'after': unknown node 'db/pgx' (there is no section [db/pgx])"
}

@test "deps: check refuses a node waiting for itself, exit 2" {
	check_spec <<-'EOF'
	[web]
	command = sleep 1
	after = web:started
	EOF
	assert_failure 2
	assert_output "supertree: tree.ini:3: [web]: key 'after': 'web' is this node itself"
}

@test "deps: check refuses a node waiting for its own supervisor's readiness" {
	check_spec <<-'EOF'
	[app]
	[app/web]
	command = sleep 1
	after = app
	EOF
	assert_failure 2
	assert_output --partial "tree.ini:4: [app/web]: key 'after': cycle: app/web -> app -> app/web"
}

@test "deps: check refuses bad start, condition and oneshot placement" {
	check_spec <<-'EOF'
	[s]
	start = sometimes
	oneshot = true
	[s/w]
	command = true
	after = s:soon
	EOF
	assert_failure 2
	assert_line "supertree: tree.ini:2: [s]: key 'start': invalid value 'sometimes' (use ordered or parallel)"
	assert_line --partial "tree.ini:3: [s]: key 'oneshot' needs 'command'"
	assert_line --partial "tree.ini:6: [s/w]: key 'after': invalid condition 'soon'"
}

# A flag file a test touches to make something ready or succeed.
flag() {
	echo "$T/$1.flag"
}

# The line number of the first event line that has $1 in $T/err.
line_of() {
	grep -nF -- "$1" "$T/err" | head -n 1 | cut -d: -f1
}

waiting_for_is() {
	[ "$(st status --json | jq -c --arg p "$1" '.[] | select(.path == $p) | .waiting_for')" = "$2" ]
}

@test "deps: start = parallel starts a child while an earlier one is not ready" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[slow]
	command = sleep 100
	ready = exec:test -f $(flag slow)
	[fast]
	command = sleep 100
	EOF
	)"
	wait_for node_state_is fast running
	node_state_is slow starting
	touch "$(flag slow)"
	wait_for node_state_is slow ready
}

@test "deps: start = ordered (the default) waits for the child before" {
	start_tree "$(write_spec tree.ini <<-EOF
	[slow]
	command = sleep 100
	ready = exec:test -f $(flag slow)
	[fast]
	command = sleep 100
	EOF
	)"
	wait_for node_state_is slow starting
	node_state_is fast stopped
	touch "$(flag slow)"
	wait_for node_state_is fast running
}

@test "deps: after another subtree's node: ready (the default) waits, and shows it" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[app]
	[app/web]
	command = sleep 100
	after = db/pg
	[db]
	[db/pg]
	command = sleep 100
	ready = exec:test -f $(flag pg)
	EOF
	)"
	wait_for node_state_is db/pg starting
	wait_for waiting_for_is app/web '["db/pg:ready"]'
	node_state_is app/web waiting
	run st status
	assert_line --regexp '`-- web +waiting .*waiting for db/pg:ready'
	wait_for err_has "app/web: waiting for db/pg"
	touch "$(flag pg)"
	wait_for node_state_is app/web running
	[ "$(node_field app/web waiting_for)" = null ]
}

@test "deps: after = PATH:started starts once the node runs, ready or not" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[app]
	[app/web]
	command = sleep 100
	after = db/pg:started
	[db]
	[db/pg]
	command = sleep 100
	ready = exec:test -f $(flag pg)
	EOF
	)"
	wait_for node_state_is app/web running
	node_state_is db/pg starting
}

@test "deps: after a one-shot waits for it to succeed (its default)" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[migrate]
	command = sh -c 'until test -f $(flag mig); do sleep 0.05; done'
	oneshot = true
	[app]
	[app/web]
	command = sleep 100
	after = migrate
	EOF
	)"
	wait_for node_state_is migrate running
	wait_for waiting_for_is app/web '["migrate:succeeded"]'
	touch "$(flag mig)"
	wait_for node_state_is app/web running
	node_state_is migrate done
	[ "$(node_field migrate last_exit.code)" = 0 ]
}

@test "deps: after = PATH:succeeded on a supervisor waits for it to end with 0" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[setup]
	restart = transient
	auto_shutdown = all_significant
	[setup/step]
	command = sh -c 'until test -f $(flag step); do sleep 0.05; done'
	restart = transient
	significant = true
	[web]
	command = sleep 100
	after = setup:succeeded
	EOF
	)"
	wait_for node_state_is web waiting
	touch "$(flag step)"
	wait_for node_state_is web running
	node_state_is setup exited
}

@test "deps: a one-shot that succeeds is done, not restarted, and healthy" {
	start_tree "$(write_spec tree.ini <<-'EOF'
	[migrate]
	command = true
	oneshot = true
	[web]
	command = sleep 100
	EOF
	)"
	wait_for node_state_is web running
	node_state_is migrate done
	[ "$(node_field migrate restarts)" = 0 ]
	wait_for node_state_is supertree running
	run st status
	assert_success
	assert_line --regexp '^\|-- migrate +done '
}

@test "deps: a one-shot that fails is retried with backoff until it succeeds" {
	seq_worker mig 'exit 3' 'exit 3' 'exit 0'
	start_tree "$(write_spec tree.ini <<-EOF
	[migrate]
	command = sh $T/mig.sh
	oneshot = true
	backoff_min = 10ms
	[web]
	command = sleep 100
	after = migrate
	EOF
	)"
	wait_for node_state_is web running
	node_state_is migrate done
	[ "$(runs_of mig)" = 3 ]
	[ "$(node_field migrate restarts)" = 2 ]
	err_has "migrate: restarting in"
}

@test "deps: a dependency's restart does not restart its dependents" {
	start_tree "$(write_spec tree.ini <<-'EOF'
	[supertree]
	start = parallel
	[db]
	command = sleep 100
	backoff_min = 10ms
	[web]
	command = sleep 100
	after = db
	EOF
	)"
	wait_for node_state_is web running
	web=$(node_pid web)
	db=$(node_pid db)
	kill -KILL "$db"
	wait_for pid_changed db "$db"
	[ "$(node_pid web)" = "$web" ]
	[ "$(node_field web restarts)" = 0 ]
}

@test "deps: a dependent that restarts while its dependency is down waits again" {
	start_tree "$(write_spec tree.ini <<-'EOF'
	[supertree]
	start = parallel
	[db]
	command = sleep 100
	[web]
	command = sleep 100
	backoff_min = 10ms
	after = db
	EOF
	)"
	wait_for node_state_is web running
	st stop db
	kill -KILL "$(node_pid web)"
	wait_for node_state_is web waiting
	wait_for waiting_for_is web '["db:ready"]'
	st start db
	wait_for node_state_is web running
}

@test "deps: a shutdown stops dependents first, across subtrees" {
	start_tree "$(write_spec tree.ini <<-'EOF'
	[supertree]
	start = parallel
	[app]
	[app/web]
	command = sleep 100
	after = db/pg
	[db]
	[db/pg]
	command = sleep 100
	[tool]
	command = sleep 100
	EOF
	)"
	wait_for node_state_is app/web running
	stop_tree
	[ "$TREE_STATUS" = 0 ]
	web=$(line_of "app/web: stopped")
	pg=$(line_of "db/pg: stopping")
	[ -n "$web" ] && [ -n "$pg" ]
	[ "$web" -lt "$pg" ]
	[ -z "$(marked_pids)" ]
}

@test "deps: a reload that adds a cycle is refused; the tree runs on" {
	spec=$(write_spec tree.ini <<-'EOF'
	[supertree]
	start = parallel
	[a]
	command = sleep 100
	[b]
	command = sleep 100
	after = a
	EOF
	)
	start_tree "$spec"
	wait_for node_state_is b running
	printf '[supertree]\nstart = parallel\n[a]\ncommand = sleep 100\nafter = b\n[b]\ncommand = sleep 100\nafter = a\n' >"$spec"
	run st reload
	assert_failure 2
	assert_output --partial "tree.ini:5: [a]: key 'after': cycle: a -> b -> a"
	node_state_is a running
	node_state_is b running
}

@test "deps: a reload that adds an after list recomputes the wait" {
	spec=$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[db]
	command = sleep 100
	ready = exec:test -f $(flag db)
	EOF
	)
	start_tree "$spec"
	wait_for node_state_is db starting
	printf '[supertree]\nstart = parallel\n[db]\ncommand = sleep 100\nready = exec:test -f %s\n[web]\ncommand = sleep 100\nafter = db\n' "$(flag db)" >"$spec"
	run st reload
	assert_success
	wait_for node_state_is web waiting
	touch "$(flag db)"
	wait_for node_state_is web running
}

events_has_waiting() {
	grep -F '"path":"web"' "$T/ev" | grep -F '"state":"waiting"' |
	    grep -qF '"waiting_for":["db:ready"]'
}

@test "deps: events show a node waiting and what for" {
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	start = parallel
	[db]
	command = sleep 100
	ready = exec:test -f $(flag db)
	[web]
	command = sleep 100
	after = db:started
	EOF
	)"
	wait_for node_state_is web running
	ST_MARK=$ST_MARK "$SUPERTREE" -S "$SOCK" events >"$T/ev" 2>/dev/null 3>&- &
	local ev=$!
	# Now web waits for db to be ready: a reload changes its after list.
	sed -i 's/after = db:started/after = db/' "$T/tree.ini"
	st reload
	wait_for events_has_waiting
	kill -TERM "$ev"
	wait_for not_alive "$ev"
	touch "$(flag db)"
	wait_for node_state_is web running
}

@test "deps: one_for_all leaves a one-shot that is done as it is" {
	seq_worker mig 'exit 0'
	start_tree "$(write_spec tree.ini <<-EOF
	[supertree]
	strategy = one_for_all
	[migrate]
	command = sh $T/mig.sh
	oneshot = true
	[web]
	command = sleep 100
	[api]
	command = sleep 100
	EOF
	)"
	wait_for node_state_is api running
	api=$(node_pid api)
	kill -KILL "$(node_pid web)"
	wait_for pid_changed api "$api"
	node_state_is migrate done
	[ "$(runs_of mig)" = 1 ]
}
