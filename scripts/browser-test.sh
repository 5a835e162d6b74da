#!/usr/bin/env bash
# The web UI in a real browser: `countersign serve --demo` on a scratch ledger, then Tests/Browser/ui_test.py
# drives headless Chromium through Selenium (sign in, approve, a refused forced approval, every page without
# console errors, keyboard, phone width, JavaScript off). Screenshots land in .build/test-output/ui for review.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bin=.build/debug/countersign
python=.build/browser-venv/bin/python
[ -x "$bin" ] || { echo "browser-test.sh: build first ($bin is missing)" >&2; exit 1; }
[ -x "$python" ] || { echo "browser-test.sh: run scripts/python-deps.sh first (no Selenium venv)" >&2; exit 1; }
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || { echo "browser-test.sh: $tool is missing (apt-get install chromium chromium-driver)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; wait "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
server_port=$(free_port)
"$bin" serve --demo --database "$work/demo.db" --policy examples/policy --port "$server_port" >"$work/serve.log" 2>&1 &
server_pid=$!
wait_for_url "http://127.0.0.1:$server_port/health" "$server_pid" "$work/serve.log" 600
tokens=$(python3 - "$work/serve.log" <<'PY'
import json, re, sys
found = dict(re.findall(r"demo token for (\S+) \(\w+\): (cst_\S+)", open(sys.argv[1]).read()))
assert list(found) == ["deploy-bot"], f"--demo prints the deploy bot's token and no person's: {found}"
print(json.dumps(found))
PY
)
screenshots=${COUNTERSIGN_UI_SCREENSHOTS:-$PWD/.build/test-output/ui}
rm -rf "$screenshots"
COUNTERSIGN_UI_URL="http://127.0.0.1:$server_port" COUNTERSIGN_UI_TOKENS="$tokens" \
    COUNTERSIGN_UI_SCREENSHOTS="$screenshots" CHROMIUM="$(command -v chromium)" CHROMEDRIVER="$(command -v chromedriver)" \
    "$python" Tests/Browser/ui_test.py
echo "browser-test.sh: screenshots in $screenshots"
