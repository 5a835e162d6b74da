#!/usr/bin/env bash
# Runs schemathesis against a live `countersign serve` and the OpenAPI document it serves: no 5xx, and every
# response conforms to the document (status codes, content types, schemas, headers). Once with an admin token
# and once with a deployer's, so both the admin routes and deploy-request creation are fuzzed.
#
# `positive_data_acceptance` is left out on purpose: it expects every schema-valid body to be accepted, but some
# rules are semantic (an identity must exist in the policy, `from` ≤ `to`), and those rightly answer 400.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bin=.build/debug/countersign
[ -x "$bin" ] || { echo "schemathesis.sh: build first ($bin is missing)" >&2; exit 1; }
command -v schemathesis >/dev/null || { echo "schemathesis.sh: schemathesis is not installed (pip install schemathesis)" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; wait "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/ledger.db"
admin=$("$bin" tokens create --identity erin --role admin --database "$db" --policy examples/policy 2>/dev/null)
deployer=$("$bin" tokens create --identity deploy-bot --role deployer --database "$db" --policy examples/policy 2>/dev/null)
start_countersign "$bin" "$db" "$work/serve.log"
port=$server_port
for token in "$admin" "$deployer"; do
    schemathesis run "http://127.0.0.1:$port/openapi.yaml" -H "Authorization: Bearer $token" \
        --checks all --exclude-checks positive_data_acceptance --max-examples 25 --generation-deterministic \
        --request-timeout 10
done
