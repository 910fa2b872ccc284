#!/bin/sh
# tests/purity.sh: the pure modules stay pure (run by `make check`, TAP).
#
# Pure modules decide; they do not act: no syscalls, no event loop, no
# clock, no processes, no system databases, no mutable globals. Time comes
# in as now_ms, user lookups as struct spec_ids. For every file of a pure
# module (lib/spec*, policy, fsm, plan, diff, render, msg, value, tree,
# nstate, buf, escape, rlimit, overlay, addr, metrics, page, liveness, cglimit) this checks:
#   1. its #include lines: system headers from an allowed list only (no
#      event2/, unistd.h, sys/ but sys/types.h and sys/queue.h, ...), and
#      of our headers only those of pure modules, log.h and xmalloc.h;
#   2. its code (comments and strings removed) for calls that act: fork,
#      kill, waitid, clock_gettime, getpwnam, open, read, exit, ...;
#   3. its object file, once built, for writable data (objdump: a symbol
#      in .data, .bss or common): a global or a static variable. Constant
#      tables of pointers land in .data.rel.ro, which is read-only.
# Each module is one test line; a failure prints the offending lines.
# Four more lines prove the check can fail: run on a copy of lib/, it
# passes policy.c as it is, and refuses it given a forbidden system
# header, one of our impure headers (sv.h) or a call that acts. The last
# lines keep module boundaries that are not about purity: readiness and
# the systemd notifier know nothing of the supervisor (no sv.h), and a
# worker's output and health checks, the HTTP listener and the commands
# (cmd/) see it through sv.h's narrow views alone, never sv_int.h (where
# struct sv and struct sv_child are defined).
#
# Environment: SUPERTREE_SRCDIR (the source tree, default: this script's
# ..), SUPERTREE (the built program: its directory is the build tree).

src=${SUPERTREE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=$(dirname "${SUPERTREE:-$src/supertree}")

allowed_sys='arpa/inet.h assert.h ctype.h errno.h float.h ini.h
inttypes.h limits.h math.h netinet/in.h signal.h stdarg.h stdbool.h
stddef.h stdint.h stdio.h stdlib.h string.h strings.h sys/queue.h
sys/resource.h sys/types.h'
impure_own='log.h xmalloc.h'
calls='fork|vfork|clone|clone3|execv|execve|execvp|execveat|posix_spawn|
system|popen|kill|killpg|tgkill|pidfd_open|pidfd_send_signal|wait|waitpid|
waitid|wait4|clock_gettime|gettimeofday|time|sleep|usleep|nanosleep|alarm|
setitimer|timer_create|getrlimit|setrlimit|prlimit|getpwnam|getpwuid|
getgrnam|getgrgid|getpwnam_r|getgrnam_r|getenv|setenv|putenv|open|openat|
creat|fopen|fdopen|read|write|pread|pwrite|close|dup|dup2|dup3|pipe|pipe2|
socket|connect|bind|listen|accept|accept4|send|sendmsg|recv|recvmsg|
ioctl|fcntl|stat|fstat|lstat|access|chdir|unlink|rename|mkdir|signal|
sigaction|sigprocmask|raise|exit|_exit|abort|rand|srand|random|getpid|
getuid|geteuid|setuid|setgid|prctl|mmap|memfd_create|event_new|event_add|
event_base_new|evtimer_new'
calls=$(printf '%s' "$calls" | tr -d '\n')

# The files of each pure module.
modules() {
	for m in spec policy fsm plan diff render msg value tree nstate buf \
	    escape rlimit dep overlay addr metrics page liveness cglimit; do
		files=
		for f in "$src/lib/$m.c" "$src/lib/$m.h" "$src/lib/${m}_"*.c \
		    "$src/lib/${m}_"*.h; do
			[ -f "$f" ] && files="$files $f"
		done
		[ -n "$files" ] && echo "$m$files"
	done
}

# The modules to check: all, or (PURITY_ONLY, for the self-tests) one.
checked() {
	modules | while read -r m files; do
		[ -z "$PURITY_ONLY" ] || [ "$m" = "$PURITY_ONLY" ] &&
		    echo "$m $files"
	done
}

# Our headers a pure module may include: those of pure modules.
pure_headers() {
	modules | while read -r m files; do
		for f in $files; do
			case $f in *.h) basename "$f" ;; esac
		done
	done
}

# C text without comments and string or character literals.
strip() {
	awk '
	{
		out = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			d = substr($0, i, 2)
			if (incom) {
				if (d == "*/") { incom = 0; i++ }
				continue
			}
			if (q != "") {
				if (c == "\\") { i++; continue }
				if (c == q) q = ""
				continue
			}
			if (d == "/*") { incom = 1; i++; continue }
			if (d == "//") break
			if (c == "\"" || c == "'"'"'") { q = c; out = out c c; continue }
			out = out c
		}
		printf "%s:%d: %s\n", FILENAME, FNR, out
	}' "$@"
}

# Run this script on a copy of lib/ whose policy.c has line added;
# returns its status.
selftest() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/purity.XXXXXX") || return 1
	mkdir "$tmp/lib"
	cp "$src"/lib/*.c "$src"/lib/*.h "$tmp/lib/"
	printf '%s\n' "$1" >>"$tmp/lib/policy.c"
	PURITY_ONLY=policy SUPERTREE_SRCDIR=$tmp SUPERTREE=$tmp/supertree \
	    sh "$0" >/dev/null 2>&1
	rv=$?
	rm -rf "$tmp"
	return "$rv"
}
boundaries='lib/ready.c sv.h sv_int.h
lib/ready_tcp.c sv.h sv_int.h
lib/notify.c sv.h sv_int.h
lib/output.c sv_int.h
lib/health.c sv_int.h
lib/http.c sv_int.h
cmd/*.c sv_int.h'
selftests='#include <unistd.h>
#include "sv.h"
static void purity_selftest(void) { (void)fork(); }'

ownok=" $impure_own $(pure_headers | tr '\n' ' ') "
sysok=" $(echo $allowed_sys) "
n=0
fails=0
nself=0
[ -z "$PURITY_ONLY" ] && nself=$(($(printf '%s\n' "$selftests" | wc -l) + 1 +
    $(printf '%s\n' "$boundaries" | wc -l)))
echo "1..$(($(checked | wc -l) + nself))"
checked | {
	while read -r m files; do
		n=$((n + 1))
		bad=
		# 1. includes
		for f in $files; do
			while IFS= read -r line; do
				h=$(printf '%s' "$line" | sed -n \
				    's/^#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p')
				case $line in
				*'<'*) ok=$sysok ;;
				*) ok=$ownok ;;
				esac
				case $ok in
				*" $h "*) ;;
				*) bad="$bad
#   $(basename "$f"): $line (not allowed in pure code; a pure module of
#     ours belongs in the list in tests/purity.sh)" ;;
				esac
			done <<-EOF
			$(grep -E '^#[[:space:]]*include' "$f")
			EOF
		done
		# 2. calls
		# shellcheck disable=SC2086
		hits=$(strip $files | grep -E "(^|[^A-Za-z0-9_.>])($calls)[[:space:]]*\(" |
		    grep -vE '^[^:]*:[0-9]+: *#')
		if [ -n "$hits" ]; then
			bad="$bad
$(printf '%s\n' "$hits" | sed "s|^$src/lib/|#   |")"
		fi
		# 3. writable data in the objects, if built
		for f in $files; do
			case $f in *.c) ;; *) continue ;; esac
			o=$build/lib/$(basename "$f" .c).o
			[ -f "$o" ] && command -v objdump >/dev/null || continue
			data=$(objdump -t "$o" | awk '$0 ~ / O / &&
			    $(NF - 2) ~ /^(\.data|\.bss|\.tdata|\.tbss|\*COM\*)$/ &&
			    $NF !~ /^(\.|__asan|__ubsan|__sancov|__llvm|__odr_asan)/ {
				print $NF }')
			if [ -n "$data" ]; then
				bad="$bad
#   $(basename "$o"): writable data: $(echo $data)"
			fi
		done
		if [ -z "$bad" ]; then
			echo "ok $n - $m is pure"
		else
			echo "not ok $n - $m is pure$bad"
			fails=$((fails + 1))
		fi
	done
	if [ "$nself" -gt 0 ]; then
		n=$((n + 1))
		if selftest '/* unchanged */'; then
			echo "ok $n - an unchanged copy of policy.c passes"
		else
			echo "not ok $n - an unchanged copy of policy.c passes"
			fails=$((fails + 1))
		fi
	fi
	[ "$nself" -gt 0 ] && while IFS= read -r line; do
		n=$((n + 1))
		if ! selftest "$line"; then
			echo "ok $n - a pure module with '$line' is refused"
		else
			echo "not ok $n - a pure module with '$line' is refused"
			fails=$((fails + 1))
		fi
	done <<-EOF
	$selftests
	EOF
	[ "$nself" -gt 0 ] && while read -r pat hdrs; do
		n=$((n + 1))
		bad=
		for f in $src/$pat; do
			for h in $hdrs; do
				grep -Hn "^#[[:space:]]*include[[:space:]]*\"$h\"" \
				    "$f" >/dev/null && bad="$bad
#   ${f#"$src"/} includes $h"
			done
		done
		if [ -z "$bad" ]; then
			echo "ok $n - $pat includes none of: $hdrs"
		else
			echo "not ok $n - $pat includes none of: $hdrs$bad"
			fails=$((fails + 1))
		fi
	done <<-EOF
	$boundaries
	EOF
	[ "$fails" -eq 0 ]
}
