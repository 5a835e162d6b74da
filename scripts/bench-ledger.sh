#!/usr/bin/env bash
# The ledger benchmark with its PostgreSQL measurement: builds LedgerBenchmark in release mode and runs it against
# a scratch PostgreSQL on 127.0.0.1 (URL in COUNTERSIGN_BENCH_POSTGRES).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --package-path Benchmarks --product LedgerBenchmark
exec scripts/with-postgres.sh COUNTERSIGN_BENCH_POSTGRES Benchmarks/.build/release/LedgerBenchmark "$@"
