#!/usr/bin/env bash
# Formats the sources in place (`scripts/format.sh`) or checks them (`scripts/format.sh --check`), with the
# repository's .swift-format configuration (4 spaces, 120 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Fuzz)
[ -d Benchmarks ] && paths+=(Benchmarks/Package.swift Benchmarks/Sources)
if [ "${1:-}" = "--check" ]; then
    swift-format lint --strict --parallel -r "${paths[@]}"
else
    swift-format format --in-place --parallel -r "${paths[@]}"
fi
