# helpers.bash: shared set-up for the bats suites.
#
# Every process a test starts through start_tree carries ST_MARK (a value
# unique to the test) in its environment, and so do all its descendants:
# marked_pids finds them by pid, with no name matching, so a test can
# prove that nothing was left behind and teardown can clean up exactly
# what the test started.

bats_load_library bats-support
bats_load_library bats-assert

: "${SUPERTREE:=$BATS_TEST_DIRNAME/../../supertree}"
: "${WAIT_TIMEOUT:=20}"

common_setup() {
	T=$BATS_TEST_TMPDIR
	export XDG_RUNTIME_DIR=$T/xdg
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
	SOCK=$T/tree.sock
	ST_MARK=st-$$-$RANDOM-$BATS_TEST_NUMBER
	TREE_PID=
}

setup() {
	common_setup
}

teardown() {
	cleanup_tree
}

# Pids of live (non-zombie) processes started by this test.
marked_pids() {
	# One grep over every environ, matching the whole variable (zombies
	# have no environ, so they drop out).
	grep -lsazxF "ST_MARK=$ST_MARK" /proc/[0-9]*/environ 2>/dev/null |
	    awk -F/ -v me=$$ '$3 != me { print $3 }'
}

cleanup_tree() {
	local pids
	if [ -n "$TREE_PID" ] && kill -0 "$TREE_PID" 2>/dev/null; then
		kill -TERM "$TREE_PID" 2>/dev/null || true
		wait_for -t 10 not_alive "$TREE_PID" || kill -KILL "$TREE_PID" 2>/dev/null || true
	fi
	pids=$(marked_pids)
	if [ -n "$pids" ]; then
		kill -KILL $pids 2>/dev/null || true
	fi
}

not_alive() {
	! kill -0 "$1" 2>/dev/null || is_zombie "$1"
}

alive() {
	kill -0 "$1" 2>/dev/null && ! is_zombie "$1"
}

is_zombie() {
	local s
	s=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ "$s" = Z ]
}

# wait_for [-t SECONDS] COMMAND...: run COMMAND until it succeeds, or fail
# after the deadline. Polls every 50ms; never a bare sleep in tests.
wait_for() {
	local t=$WAIT_TIMEOUT deadline
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	deadline=$(( $(date +%s%N) / 1000000 + t * 1000 ))
	until "$@" >/dev/null 2>&1; do
		if [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ]; then
			echo "wait_for: timed out after ${t}s: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# write_spec NAME: the spec text comes on stdin; prints the path.
write_spec() {
	cat >"$T/$1"
	echo "$T/$1"
}

# start_tree SPEC [ARGS...]: run the tree in the background on $SOCK.
start_tree() {
	local spec=$1
	shift
	ST_MARK=$ST_MARK "$SUPERTREE" run -S "$SOCK" "$@" "$spec" \
	    >"$T/out" 2>"$T/err" &
	TREE_PID=$!
	wait_for st_answers
}

st() {
	"$SUPERTREE" -S "$SOCK" "$@"
}

st_answers() {
	"$SUPERTREE" -S "$SOCK" status --quiet
	[ $? -ne 4 ]
}

# stop_tree: SIGTERM and wait; sets TREE_STATUS.
stop_tree() {
	kill -TERM "$TREE_PID"
	wait_tree
}

wait_tree() {
	wait_for not_alive "$TREE_PID"
	TREE_STATUS=0
	wait "$TREE_PID" || TREE_STATUS=$?
	TREE_PID=
}

# A node's field from status --json.
node_field() {
	"$SUPERTREE" -S "$SOCK" status --json | jq -r --arg p "$1" \
	    ".[] | select(.path == \$p) | .$2"
}

node_pid() {
	node_field "$1" pid
}

node_state_is() {
	[ "$(node_field "$1" state)" = "$2" ]
}

node_restarts_ge() {
	[ "$(node_field "$1" restarts)" -ge "$2" ]
}

# A worker's pid changed from $2 and it runs again.
pid_changed() {
	local p
	p=$(node_pid "$1")
	[ "$p" != null ] && [ "$p" != "$2" ] && node_state_is "$1" running
}

err_has() {
	grep -qF -- "$1" "$T/err"
}

# seq_worker NAME ACTION...: write $T/NAME.sh, a worker that records its
# pid in $T/NAME.pids and runs ACTION number n on its n-th run (the last
# ACTION on every later run).
seq_worker() {
	local name=$1 i=0
	shift
	{
		echo "echo \$\$ >>$T/$name.pids"
		echo "n=\$(wc -l <$T/$name.pids)"
		echo 'case $n in'
		while [ $# -gt 1 ]; do
			i=$((i + 1))
			echo "$i) $1 ;;"
			shift
		done
		echo "*) $1 ;;"
		echo 'esac'
	} >"$T/$name.sh"
}

# How many times the worker of seq_worker NAME has started.
runs_of() {
	if [ -f "$T/$1.pids" ]; then
		wc -l <"$T/$1.pids"
	else
		echo 0
	fi
}

runs_ge() {
	[ "$(runs_of "$1")" -ge "$2" ]
}
