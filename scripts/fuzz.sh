#!/usr/bin/env bash
# Fuzzes the JSON decoder and the broker's dispatcher with libFuzzer for SECONDS seconds
# (default 60). Not part of CI. Builds the `dabroker-fuzz` product with
# -sanitize=fuzzer,address and -DDABROKER_FUZZ into .build-fuzz/ (apart from the normal
# build), seeds from Fuzz/seeds/, keeps the growing corpus in .build-fuzz/corpus/ and writes
# crashing inputs to .build-fuzz/artifacts/. Replay one with a normal build:
#   swift run dabroker-fuzz .build-fuzz/artifacts/crash-…
# Usage: bash scripts/fuzz.sh [SECONDS] [extra libFuzzer flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
build=.build-fuzz
echo "fuzz: building dabroker-fuzz with -sanitize=fuzzer,address (first build takes minutes)" >&2
swift build -c debug --build-path "$build" --product dabroker-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDABROKER_FUZZ -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
bin="$(swift build -c debug --build-path "$build" --show-bin-path)/dabroker-fuzz"
mkdir -p "$build/corpus" "$build/artifacts"
echo "fuzz: running for ${seconds}s" >&2
# Leak checking is off: the Swift runtime keeps metadata caches alive until exit on purpose.
ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$bin" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/" "$@" "$build/corpus" Fuzz/seeds
