#!/usr/bin/env bash
# The ledger benchmark with its PostgreSQL peer measurement: starts a scratch PostgreSQL on 127.0.0.1, runs the
# release-built LedgerBenchmark, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
pg=$(mktemp -d /tmp/countersign-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg"' EXIT
COUNTERSIGN_BENCH_POSTGRES=$(scripts/postgres.sh start "$pg")
export COUNTERSIGN_BENCH_POSTGRES
swift build -c release --package-path Benchmarks --product LedgerBenchmark
Benchmarks/.build/release/LedgerBenchmark
