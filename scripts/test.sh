#!/usr/bin/env bash
# The whole test suite: starts the services the tests use (a scratch PostgreSQL on 127.0.0.1), runs `swift test`
# against them, and stops them, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
pg=$(mktemp -d /tmp/countersign-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg"' EXIT
COUNTERSIGN_TEST_POSTGRES=$(scripts/postgres.sh start "$pg")
export COUNTERSIGN_TEST_POSTGRES
swift test "$@"
