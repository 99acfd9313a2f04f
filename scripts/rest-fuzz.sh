#!/usr/bin/env bash
# schemathesis against the REST face (docs/rest.md#fuzzing): installs schemathesis from PyPI
# into a venv under the test-stack folder (once), serves a fresh Chinook SQLite copy with
# `dabroker serve` (the debug binary; built if missing), runs schemathesis on
# /api/openapi.json (no 5xx, responses conform to the document; a bounded number of examples
# per operation), prints how many requests it sent, and exits non-zero on a failure.
# REST_FUZZ_EXAMPLES (default 25) sets the examples per operation.
set -euo pipefail
cd "$(dirname "$0")/.."

stack=${DABROKER_STACK_DIR:-/var/tmp/dabroker-test-stack}
venv=$stack/schemathesis-venv
work=$(mktemp -d "${TMPDIR:-/tmp}/dabroker-rest-fuzz.XXXXXX")
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv" 2>/dev/null || { bash scripts/install-libs.sh python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q 'schemathesis==4.*' >&2
fi

# Chinook, from $DABROKER_CHINOOK_DIR or shared/datasets/chinook in an ancestor folder.
script=
for dir in "${DABROKER_CHINOOK_DIR:-}" "$PWD/shared/datasets/chinook" "$PWD/../shared/datasets/chinook" \
    "$PWD/../../shared/datasets/chinook"; do
    if [ -n "$dir" ] && [ -f "$dir/Chinook_Sqlite.sql" ]; then script=$dir/Chinook_Sqlite.sql && break; fi
done
[ -n "$script" ] || { echo "rest-fuzz: Chinook_Sqlite.sql not found (set DABROKER_CHINOOK_DIR)" >&2; exit 2; }
python3 - "$script" "$work/chinook.db" <<'PY'
import sqlite3, sys
text = open(sys.argv[1], encoding="utf-8-sig").read()
con = sqlite3.connect(sys.argv[2])
con.executescript(text)
con.close()
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/dabroker.yaml" <<YAML
database: sqlite:$work/chinook.db
secret: rest-fuzz
http: {host: 127.0.0.1, port: $port}
schema: {check: null}
export: {rw: true}
tables:
  Customer: {hide: [Email]}
  Invoice: {rw: false}
  InvoiceLine: {rw: false}
YAML

[ -x .build/debug/dabroker ] || swift build --product dabroker >&2
.build/debug/dabroker serve --config "$work/dabroker.yaml" --log-level warning >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/api/openapi.json" >"$work/openapi.json" || {
    echo "rest-fuzz: the gateway did not serve /api/openapi.json" >&2
    cat "$work/serve.log" >&2
    exit 2
}

rc=0
# From the scratch folder: schemathesis keeps its example database in ./.schemathesis.
# One worker: with two threads, Hypothesis parses lambda sources concurrently and CPython 3.11's
# parser can fail with "AST constructor recursion depth mismatch" (an error of the fuzzer's own,
# seen here once, not a finding about the API).
(cd "$work" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${REST_FUZZ_EXAMPLES:-25}" --workers 1 --phases examples,coverage,fuzzing \
    --report har --report-har-path "$work/requests.har" --seed 1) || rc=$?
requests=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["log"]["entries"]))' \
    "$work/requests.har" 2>/dev/null || echo "an unknown number of")
echo "rest-fuzz: schemathesis sent $requests requests; exit status $rc" >&2
if grep -q "panic\|fatal" "$work/serve.log"; then
    echo "rest-fuzz: the gateway logged a crash:" >&2
    cat "$work/serve.log" >&2
    rc=1
fi
exit $rc
