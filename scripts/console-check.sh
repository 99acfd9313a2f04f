#!/usr/bin/env bash
# The web console's browser test (docs/console.md): installs headless Chromium and its
# driver (Debian's chromium and chromium-driver, through scripts/install-libs.sh) and
# selenium (PyPI, into the test-stack folder), serves a copy of the Chinook SQLite database
# with `dabroker serve` (the debug binary; built if missing) behind a bearer token, and runs
# scripts/console-browser-test.py against it. Screenshots of each step go to
# $DABROKER_CONSOLE_SCREENSHOTS (default .build/console-screenshots, not committed).
# Exits non-zero when a step fails. Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '%s\n' "console-check: $*" >&2; }

stack=${DABROKER_STACK_DIR:-/var/tmp/dabroker-test-stack}
shots=${DABROKER_CONSOLE_SCREENSHOTS:-$PWD/.build/console-screenshots}
mkdir -p "$shots" && rm -f "$shots"/*.png   # this run's screenshots only

bash scripts/install-libs.sh chromium chromium-driver python3-pip
sel=$stack/selenium/lib
if [ ! -f "$sel/selenium/__init__.py" ]; then
    log "installing selenium into $sel"
    python3 -m pip install -q --target "$sel" 'selenium==4.*' >&2 ||
        python3 -m pip install -q --break-system-packages --target "$sel" 'selenium==4.*' >&2
fi

# Chinook's SQLite script: $DABROKER_CHINOOK_DIR or shared/datasets/chinook in an ancestor.
script=""
for dir in "${DABROKER_CHINOOK_DIR:-}" "$PWD"/../shared/datasets/chinook "$PWD"/../../shared/datasets/chinook \
    "$PWD"/shared/datasets/chinook; do
    if [ -n "$dir" ] && [ -f "$dir/Chinook_Sqlite.sql" ]; then
        script=$dir/Chinook_Sqlite.sql
        break
    fi
done
if [ -z "$script" ]; then
    log "ERROR: Chinook_Sqlite.sql not found (set DABROKER_CHINOOK_DIR)"
    exit 1
fi

# Always (a no-op when current): the page is compiled into the binary.
swift build --product dabroker >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/dabroker-console.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

python3 - "$script" "$work/chinook.sqlite" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.executescript(open(sys.argv[1], encoding="utf-8-sig").read())
db.commit()
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
cat >"$work/dabroker.yaml" <<EOF
database: sqlite:$work/chinook.sqlite
secret: console-check-secret
http:
  host: 127.0.0.1
  port: $port
  token: $token
console: true
schema:
  check: 1
export:
  rw: false
tables:
  Artist: {rw: true}
  Album: {rw: true}
EOF

.build/debug/dabroker serve --config "$work/dabroker.yaml" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/healthz" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
done
if ! curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/healthz"; then
    log "ERROR: the gateway did not start:"
    cat "$work/serve.log" >&2
    exit 1
fi

rc=0
PYTHONPATH=$sel python3 scripts/console-browser-test.py "http://127.0.0.1:$port" "$token" "$shots" "$work/chinook.sqlite" || rc=$?
if [ $rc -ne 0 ]; then
    log "the gateway's log:"
    tail -n 40 "$work/serve.log" >&2
fi
log "screenshots in $shots"
exit $rc
