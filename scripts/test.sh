#!/usr/bin/env bash
# The whole test suite: `swift test` against the services the tests use, started and stopped around it: a scratch
# PostgreSQL (COUNTERSIGN_TEST_POSTGRES) and a Prometheus loaded with known history (COUNTERSIGN_TEST_PROMETHEUS),
# both on 127.0.0.1; then schemathesis against a live server and its OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/with-postgres.sh COUNTERSIGN_TEST_POSTGRES \
    scripts/with-prometheus.sh COUNTERSIGN_TEST_PROMETHEUS \
    swift test "$@"
scripts/schemathesis.sh
