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

# A python with py-amqp 5 for the original-client interop checks (AMQPInteropTests run
# scripts/amqp-interop-check.py with it): installed from PyPI once into the stack folder.
if [ -z "${DABROKER_TEST_PYTHON_AMQP:-}" ] && command -v python3 >/dev/null 2>&1; then
    pyamqp=${DABROKER_STACK_DIR:-/var/tmp/dabroker-test-stack}/pyamqp
    if [ ! -f "$pyamqp/lib/amqp/__init__.py" ]; then
        python3 -m pip --version >/dev/null 2>&1 || bash scripts/install-libs.sh python3-pip || true
        python3 -m pip install -q --target "$pyamqp/lib" 'amqp==5.*' >&2 ||
            python3 -m pip install -q --break-system-packages --target "$pyamqp/lib" 'amqp==5.*' >&2 ||
            echo "test.sh: warning: could not install py-amqp; the original-client interop tests will fail" >&2
    fi
    if [ -f "$pyamqp/lib/amqp/__init__.py" ]; then
        printf '#!/bin/sh\nPYTHONPATH=%s exec %s "$@"\n' "$pyamqp/lib" "$(command -v python3)" >"$pyamqp/python"
        chmod 755 "$pyamqp/python"
        export DABROKER_TEST_PYTHON_AMQP=$pyamqp/python
    fi
fi

t1=$(now)
swift build --build-tests
echo "test.sh: build in $(elapsed "$t1")s" >&2

standalone_rc=0
# The release binary runs without the Swift toolchain (docs/operations.md#a-standalone-binary).
# Before the tests, so that the test runner's summary is the last thing printed. Skipped when
# extra arguments select tests.
if [[ $# -eq 0 ]]; then
    t4=$(now)
    bash scripts/standalone-check.sh || standalone_rc=$?
    echo "test.sh: standalone-check in $(elapsed "$t4")s, exit status $standalone_rc" >&2
fi

bench_rc=0
# The benchmark's short mode (docs/performance.md), so that it keeps working. It runs the
# debug binary `swift build --build-tests` just built (a release build would cost a second
# full build); its figures are debug figures, not the release ones. Slow figures never fail
# it; a failed step exits 1 (a warning here), a crash (signal, usage error) fails test.sh.
# Skipped when extra arguments select tests (e.g. --filter). It runs before the tests so
# that the test runner's summary is the last thing printed.
if [[ $# -eq 0 && -x .build/debug/dabroker-bench ]]; then
    t3=$(now)
    brc=0
    echo "test.sh: dabroker-bench --short (DEBUG build: these are not the release figures)" >&2
    .build/debug/dabroker-bench --short || brc=$?
    echo "test.sh: dabroker-bench --short in $(elapsed "$t3")s, exit status $brc" >&2
    if [[ $brc -ge 2 ]]; then
        echo "test.sh: dabroker-bench crashed" >&2
        bench_rc=$brc
    elif [[ $brc -eq 1 ]]; then
        echo "test.sh: warning: a dabroker-bench step failed (see its notes); not failing the run" >&2
    fi
fi

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
# schemathesis against the REST face's OpenAPI document (docs/rest.md#fuzzing).
fuzz_rc=0
if [[ $# -eq 0 ]]; then bash scripts/rest-fuzz.sh || fuzz_rc=$?; fi
[ $rc -eq 0 ] && rc=$fuzz_rc

# The web console in headless Chromium (docs/console.md): after the tests, as its own step;
# its failure fails test.sh. Skipped when extra arguments select tests.
console_rc=0
if [[ $# -eq 0 ]]; then
    t5=$(now)
    bash scripts/console-check.sh || console_rc=$?
    echo "test.sh: console-check in $(elapsed "$t5")s, exit status $console_rc" >&2
fi
[ $rc -eq 0 ] && rc=$bench_rc
[ $rc -eq 0 ] && rc=$standalone_rc
[ $rc -eq 0 ] && rc=$console_rc

exit $rc
