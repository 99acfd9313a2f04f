#!/usr/bin/env bash
# The project's test command (README's Quick start; .ci/run calls it): starts the test stack
# (PostgreSQL, MariaDB, RabbitMQ on loopback, see docs/testing.md), builds the tests and runs
# `swift test`. Exits with swift test's status. Extra arguments go to `swift test`
# (e.g. `bash scripts/test.sh --filter DaBrokerCoreTests`).
set -euo pipefail
cd "$(dirname "$0")/.."

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
stack_env=$(bash scripts/test-stack.sh up)
eval "$stack_env"
echo "test.sh: stack ready in $(elapsed "$t0")s" >&2

t1=$(now)
swift build --build-tests
echo "test.sh: build in $(elapsed "$t1")s" >&2

t2=$(now)
rc=0
# --skip-build: the tests were just built; planning the build again costs ~10 s.
swift test --skip-build "$@" || rc=$?
echo "test.sh: swift test in $(elapsed "$t2")s, exit status $rc" >&2
exit $rc
