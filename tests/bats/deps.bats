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
