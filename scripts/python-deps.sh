#!/usr/bin/env bash
# The Python tools the test suite uses, pinned, installed from PyPI when missing: schemathesis (fuzzes the live
# server against its OpenAPI document) and, in a venv inside the build directory, the independent signers the
# supply-chain fixtures are made with (securesystemslib, in-toto-attestation, cryptography) and check-jsonschema,
# which validates policy documents against schemas/policy (PolicySchemaFilesTests), and PyJWT, which the test
# identity provider Tests/IdentityProvider/idp.py signs ID tokens with (and Tests/GitHubApp/github_app.py verifies
# the GitHub App's JWTs with); slack_sdk, whose block models validate the Slack messages; kubernetes-validate, which
# validates the rendered Kubernetes manifests against the API's schemas (scripts/kubernetes-check.py);
# opentelemetry-proto, which the test OTLP receiver decodes traces with (scripts/otlp-receiver.py); and Selenium, which drives
# Chromium through the web UI (scripts/browser-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v schemathesis >/dev/null || [ "$(schemathesis --version 2>/dev/null)" != "schemathesis, version 4.32.5" ]; then
    python3 -m pip install -q "schemathesis==4.32.5"
fi
venv=.build/supply-chain-venv
if ! "$venv/bin/python" -c 'import securesystemslib, in_toto_attestation, cryptography' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'securesystemslib[crypto]==1.6.0' 'in-toto-attestation==0.9.3' 'cryptography==50.0.2'
fi
if ! "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("check-jsonschema") == "0.39.0"' 2>/dev/null; then
    "$venv/bin/pip" install -q 'check-jsonschema==0.39.0'
fi
if ! "$venv/bin/python" -c 'import jwt; assert jwt.__version__ == "2.15.1"' 2>/dev/null; then
    "$venv/bin/pip" install -q 'PyJWT==2.15.1'
fi
if ! "$venv/bin/python" -c 'import slack_sdk.version as v; assert v.__version__ == "3.36.0"' 2>/dev/null; then
    "$venv/bin/pip" install -q 'slack_sdk==3.36.0'
fi
if ! "$venv/bin/python" -c 'import kubernetes_validate.version as v; assert v.__version__ == "1.37.0"' 2>/dev/null; then
    "$venv/bin/pip" install -q 'kubernetes-validate==1.37.0'
fi
if ! "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("opentelemetry-proto") == "1.45.2"' 2>/dev/null; then
    "$venv/bin/pip" install -q 'opentelemetry-proto==1.45.2'
fi
browser=.build/browser-venv
if ! "$browser/bin/python" -c 'import selenium; assert selenium.__version__ == "4.50.0"' 2>/dev/null; then
    python3 -m venv "$browser"
    "$browser/bin/pip" install -q 'selenium==4.50.0'
fi
