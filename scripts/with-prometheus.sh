#!/usr/bin/env bash
# `scripts/with-prometheus.sh VAR COMMAND...`: starts a real Prometheus on 127.0.0.1 over a TSDB built from the
# known history in scripts/prometheus-fixture.py (promtool tsdb create-blocks-from openmetrics), exports its URL
# as VAR, runs COMMAND, and stops the server whatever the outcome.
set -euo pipefail
var=${1:?usage: with-prometheus.sh VAR COMMAND...}
shift
cd "$(dirname "$0")/.."
source scripts/lib.sh
for tool in prometheus promtool python3; do
    command -v "$tool" >/dev/null || { echo "with-prometheus.sh: $tool is not installed" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/countersign-prom.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
python3 scripts/prometheus-fixture.py "$dir/history.om"
promtool tsdb create-blocks-from openmetrics "$dir/history.om" "$dir/data" >"$dir/promtool.log" 2>&1 ||
    { cat "$dir/promtool.log" >&2; exit 1; }
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' >"$dir/prometheus.yml"
port=$(free_port)
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" >"$dir/prometheus.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
wait_for_url "$url/-/ready" "$pid" "$dir/prometheus.log" 300
export "$var=$url"
"$@"
