#!/bin/sh
# docs/screenshot.sh [FILE]: make docs/http-page.png (or FILE), the status
# page (GET / of the http key) of a small tree, in headless Chromium
# (Debian's chromium package; ./bootstrap --test installs it). Run it
# after make; SUPERTREE may name the program (default: ./supertree).
#
# The tree runs on its own socket and a free port in a scratch directory,
# with one worker that keeps crashing, so that the picture shows a restart
# budget in use, a last exit and a node in backoff. The screenshot is
# taken once the page is live (its /events stream is open) and the
# crashing worker waits in backoff after a crash; then the tree
# is shut down and the scratch directory removed.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
st=${SUPERTREE:-$top/supertree}
out=${1:-$top/docs/http-page.png}
dir=$(mktemp -d "${TMPDIR:-/tmp}/supertree-shot.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		"$st" -S "$dir/sock" shutdown >/dev/null 2>&1 || kill "$pid"
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/shop.ini" <<SPEC
[supertree]
name = shop
http = $port
intensity = 10
period = 1m

[db]
command = sleep 100000

[web]
strategy = one_for_all
[web/api]
command = sleep 100000
[web/assets]
command = sleep 100000

[jobs]
intensity = 5
period = 1m
[jobs/queue]
command = sleep 100000
[jobs/mailer]
command = sh -c 'sleep 1; exit 1'
backoff_min = 5s
[jobs/reports]
command = sleep 100000
SPEC
"$st" run -q -S "$dir/sock" "$dir/shop.ini" >/dev/null 2>&1 &
pid=$!

python3 "$top/tests/bats/page_probe.py" --size 1000,430 --screenshot "$out" \
    "http://127.0.0.1:$port/" 60 \
    'document.getElementById("live").textContent === "live" &&
     document.querySelector("tr[data-path=\"jobs/mailer\"]").className.indexOf("s-backoff") >= 0 &&
     document.getElementById("health").className === "bad" &&
     !document.querySelector("tr.flash")' \
    >/dev/null
echo "docs/screenshot.sh: wrote $out"
