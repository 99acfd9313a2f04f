#!/usr/bin/env bash
# Installs, with apt, the Debian packages that building DaBroker needs: the C client
# libraries (libpq, libmariadb, libsqlite3, librabbitmq), libcrypto's headers (libssl-dev,
# which libpq-dev pulls in anyway) and pkg-config, plus any extra package names given as
# arguments (scripts/test-stack.sh adds the servers). Idempotent:
# when everything is present it asks dpkg only (well under a second) and changes nothing.
# Progress goes to stderr. Used by scripts/run.sh (README's first command) and by
# scripts/test-stack.sh (the second).
set -euo pipefail

PACKAGES=(libpq-dev libssl-dev libmariadb-dev libsqlite3-dev librabbitmq-dev pkg-config "$@")

log() { printf '%s\n' "install-libs: $*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    log "ERROR: ${missing[*]} must be installed first, and this is not a Debian-like system with apt-get: install them with your system's package manager."
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    log "ERROR: ${missing[*]} must be installed first: run this as root, or run 'sudo apt-get install ${missing[*]}'."
    exit 1
fi

log "installing ${missing[*]}"
# Keep the packages' maintainer scripts from starting the system-wide default servers.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
fi
rc=0
{
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
} >&2 || rc=$?
[ $made_policy = 1 ] && rm -f "$policy"
if [ $rc != 0 ]; then
    log "ERROR: apt-get could not install ${missing[*]} (exit $rc): check the network and apt's sources, then run this again."
    exit 1
fi
