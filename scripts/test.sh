#!/usr/bin/env bash
# The whole test suite: `swift test` against the services the tests use, started and stopped around it: a scratch
# PostgreSQL (COUNTERSIGN_TEST_POSTGRES) and a Prometheus loaded with known history (COUNTERSIGN_TEST_PROMETHEUS),
# a docker-registry seeded with signed images (COUNTERSIGN_TEST_REGISTRY), all on 127.0.0.1; then schemathesis
# against a live server and its OpenAPI document, the web UI in headless Chromium (Selenium), and every command the
# README shows with its output (scripts/readme-check.py: each must print what the README shows), the Kubernetes
# manifests rendered with kubectl kustomize and validated (scripts/kubernetes-check.py), and a short run of
# each libFuzzer target (Fuzz/run.sh --smoke: 4,000 executions or 20 s each, after a build of about six minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages (PostgreSQL, Prometheus, the registry, strace, Chromium, …), installed when missing.
scripts/system-deps.sh
# Python tools from PyPI, installed when missing: schemathesis, and the independent signers of the supply-chain
# fixtures in a venv.
scripts/python-deps.sh
export COUNTERSIGN_TEST_PYTHON=${COUNTERSIGN_TEST_PYTHON:-$PWD/.build/supply-chain-venv/bin/python}
scripts/with-postgres.sh COUNTERSIGN_TEST_POSTGRES \
    scripts/with-prometheus.sh COUNTERSIGN_TEST_PROMETHEUS \
    scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY \
    swift test "$@"
# The container image, built from the debug binary without a Docker engine: pushed to a local registry, inspected,
# run chrooted from its own files alone, signed and verified by countersign itself (starts its own registry).
scripts/image-check.sh
scripts/schemathesis.sh
scripts/browser-test.sh
python3 scripts/readme-check.py
"$COUNTERSIGN_TEST_PYTHON" scripts/kubernetes-check.py --self-test
Fuzz/run.sh --smoke
