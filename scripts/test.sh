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
if [ $# -gt 0 ]; then
    # --skip-build: the tests were just built; planning the build again costs ~10 s.
    swift test --skip-build "$@" || rc=$?
else
    # Suites whose type name ends in DisruptiveTests restart or cut off a shared server
    # (PostgreSQL, MariaDB, RabbitMQ): they run after the others, one at a time, so that they
    # cannot break tests running beside them.
    swift test --skip-build --skip DisruptiveTests || rc=$?
    echo "test.sh: main run in $(elapsed "$t2")s, exit status $rc" >&2
    t3=$(now)
    rc2=0
    swift test --skip-build --no-parallel --filter DisruptiveTests || rc2=$?
    echo "test.sh: disruptive run in $(elapsed "$t3")s, exit status $rc2" >&2
    [ $rc -eq 0 ] && rc=$rc2
fi
echo "test.sh: swift test in $(elapsed "$t2")s, exit status $rc" >&2
exit $rc
