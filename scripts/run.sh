#!/usr/bin/env bash
# README's first command: installs the C client libraries the build needs (if missing, with
# apt, as root; see scripts/install-libs.sh), then runs `swift run dabroker ARGS...`.
#   bash scripts/run.sh serve          the embedded default: SQLite demo over HTTP on :8080
#   bash scripts/run.sh find person    any other dabroker command
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-libs.sh
exec swift run dabroker "$@"
