#!/usr/bin/env bash
# The Debian packages the build and the tests need, installed (as root, with --no-install-recommends) when missing,
# so `scripts/test.sh` works on a fresh machine by itself: the IANA time-zone database (CEL timestamp accessors
# and freeze windows take zone names), SQLite's headers (the embedded ledger links the system SQLite), PostgreSQL
# (the scale-out store's tests run against a real one), Prometheus with promtool (the canary providers query a real
# server loaded with known history), Python 3 with pip and venv (schemathesis, the signers, Selenium), a real OCI
# registry and skopeo, openssl for independent signatures, strace (the durability test traces the real binary's
# syncs), curl, shellcheck (the GitHub Action's script), and headless Chromium with its WebDriver for the web UI's tests.
set -euo pipefail
missing=()
[ -e /usr/share/zoneinfo/America/New_York ] || missing+=(tzdata)
[ -e /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v python3 >/dev/null || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl)
command -v strace >/dev/null || missing+=(strace)
command -v curl >/dev/null || missing+=(curl)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v wrk >/dev/null || missing+=(wrk)
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
command -v strip >/dev/null || missing+=(binutils)
command -v pgrep >/dev/null || missing+=(procps)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "system-deps.sh: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
