#!/usr/bin/env bash
# The whole test suite: `swift test` against the services the tests use (a scratch PostgreSQL on 127.0.0.1, whose
# URL the tests read from COUNTERSIGN_TEST_POSTGRES), started and stopped around it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-postgres.sh COUNTERSIGN_TEST_POSTGRES swift test "$@"
