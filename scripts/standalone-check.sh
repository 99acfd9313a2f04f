#!/usr/bin/env bash
# Builds the release `dabroker` with the Swift runtime linked in (--static-swift-stdlib) and
# checks that it runs where no Swift toolchain is: in a private mount namespace where
# /opt/swift (the toolchain) is an empty folder, with an empty environment (`env -i`), it must
# print `--help` and serve the embedded SQLite demo's root over HTTP. Prints the binary's
# size and the shared libraries it needs (`ldd`), which must all be Debian's. As root (the
# mount namespace needs it); CI runs it from scripts/test.sh. See docs/operations.md.
#
#   bash scripts/standalone-check.sh            build, then check
#   bash scripts/standalone-check.sh --no-build check .build/release/dabroker as it is
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '%s\n' "standalone-check: $*" >&2; }
die() {
    log "FAILED: $*"
    exit 1
}

bash scripts/install-libs.sh curl
if [ "${1:-}" != "--no-build" ]; then
    t0=$(date +%s)
    swift build -c release --product dabroker --static-swift-stdlib >&2
    log "release build in $(($(date +%s) - t0)) s"
fi
bin=$(swift build -c release --show-bin-path)/dabroker
[ -x "$bin" ] || die "$bin not found (build it first)"

size=$(stat -c %s "$bin")
log "binary: $bin, $((size / 1024 / 1024)) MiB ($size bytes)"
libs=$(ldd "$bin")
printf '%s\n' "$libs" | sed 's/^/standalone-check: ldd: /' >&2
if printf '%s\n' "$libs" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift|not found' >&2; then
    die "the binary needs the Swift runtime or a missing library (above)"
fi

# The demo's migrations travel beside the binary, as in the container image.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/dabroker"
cp -r migrations "$work/migrations"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The toolchain's folder (/opt/swift here): hidden below, unless it is a system folder.
toolchain=$(cd "$(dirname "$(readlink -f "$(command -v swift)")")/../.." && pwd)
case "$toolchain" in
/ | /usr | /usr/local) toolchain="" ;;
esac
log "hiding the toolchain at ${toolchain:-(not hidden: it is in a system folder)}"

# In a new mount namespace: the toolchain folder hidden, nothing in the environment.
unshare --mount bash -c '
    set -euo pipefail
    [ -z "$3" ] || mount -t tmpfs none "$3"
    cd "$1"
    env -i ./dabroker --help >help.txt
    env -i ./dabroker serve --http-port "$2" --migrations ./migrations >serve.log 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if env -i /usr/bin/curl -sf -X POST -H "Content-Type: application/json" \
            -d "{\"data\": {\"_m\": \"root\"}}" "http://127.0.0.1:$2/rpc" >root.json 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
' bash "$work" "$port" "$toolchain" || die "running the binary without the toolchain failed: $(cat "$work/serve.log" 2>/dev/null)"

grep -q 'serve' "$work/help.txt" || die "dabroker --help printed no 'serve'"
grep -q '"person"' "$work/root.json" 2>/dev/null || die "no root over HTTP; serve said: $(cat "$work/serve.log")"
log "ok: --help and the demo's root over HTTP without the toolchain"
