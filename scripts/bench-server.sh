#!/usr/bin/env bash
# The server benchmark: a release `countersign serve` over a SQLite ledger of ENTRIES entries (default 1,000,000),
# loaded with wrk from Debian on loopback. Measures the decision endpoint
# (GET /api/v1/deploy-requests/{id}/decision: token lookup, request and decision read back from the ledger) and,
# as the peer in the same run, the bare framework (GET /health), then prints requests/s, p99 and their ratio, and
# the server's peak resident memory.
#   scripts/bench-server.sh            # ENTRIES=1000000 CONNECTIONS=16 SECONDS_PER_RUN=20 ROUNDS=5
# BENCH_DB=path keeps the loaded ledger there and reuses it on the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
entries=${ENTRIES:-1000000}
connections=${CONNECTIONS:-16}
seconds=${SECONDS_PER_RUN:-20}
command -v wrk >/dev/null || { echo "bench-server.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product countersign >/dev/null
bin=.build/release/countersign
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
db=${BENCH_DB:-$work/ledger.db}

if [ -e "$db" ]; then echo "reusing $db"; else
echo "loading $entries ledger entries…"
python3 - "$work" "$entries" <<'PY'
import json, sys
work, total = sys.argv[1], int(sys.argv[2])
chunk = 100_000
for start in range(0, total, chunk):
    with open(f"{work}/chunk-{start // chunk:04d}.jsonl", "w") as f:
        for n in range(start, min(total, start + chunk)):
            f.write(json.dumps({"type": "check.reported", "actor": "ci-builder", "payload": {
                "digest": "sha256:%064x" % (n // 4 + 1), "name": ["unit", "integration", "lint", "e2e"][n % 4],
                "status": "passed", "reportedBy": "ci-builder"}}) + "\n")
PY
for f in "$work"/chunk-*.jsonl; do "$bin" ledger append --database "$db" "$f" >/dev/null; rm "$f"; done
fi
bot=$("$bin" tokens create --identity deploy-bot --role deployer --database "$db" 2>/dev/null)
start_countersign "$bin" "$db" "$work/serve.log"
port=$server_port
pid=$server_pid
base="http://127.0.0.1:$port"
id=$(curl -sf -H "Authorization: Bearer $bot" -d @examples/requests/payments-migration.json \
    "$base/api/v1/deploy-requests" | python3 -c 'import json, sys; print(json.load(sys.stdin)["request"]["id"])')
size=$(curl -sf "$base/metrics" | awk '/^countersign_ledger_entries /{print int($2)}')

run() { # url → "requests/s p99-ms"
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $bot" "$1" > "$work/wrk.txt"
    local rps p99
    rps=$(awk '/Requests\/sec/{print $2}' "$work/wrk.txt")
    p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$work/wrk.txt")
    if grep -q 'Non-2xx' "$work/wrk.txt"; then echo "bench-server.sh: non-2xx answers:" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
    echo "$rps $p99"
}
wrk -t1 -c"$connections" -d3s -H "Authorization: Bearer $bot" "$base/api/v1/deploy-requests/$id/decision" >/dev/null
# The endpoint and its peer take turns, ROUNDS times, SECONDS_PER_RUN split between the rounds: a shared machine's speed
# drifts over a minute by more than the difference being measured, and alternating puts both under the same drift.
rounds=${ROUNDS:-5}
slice=$(( seconds / rounds > 0 ? seconds / rounds : 1 ))
: > "$work/rounds.txt"
for _ in $(seq "$rounds"); do
    seconds=$slice
    read -r d_rps d_p99 < <(run "$base/api/v1/deploy-requests/$id/decision")
    read -r h_rps h_p99 < <(run "$base/health")
    echo "$d_rps $d_p99 $h_rps $h_p99" >> "$work/rounds.txt"
done
rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")
printf 'ledger: %s entries (SQLite), wrk -t1 -c%s on loopback, %s alternating rounds of %ss each, 2 cores shared by wrk and the server\n' \
    "$size" "$connections" "$rounds" "$slice"
python3 - "$work/rounds.txt" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
med = lambda i: statistics.median(r[i] for r in rows)
ratios = [r[0] / r[2] for r in rows]
print("decision endpoint: %.0f requests/s, p99 %.2f ms (medians; target ≥ 5,000/s, p99 ≤ 10 ms)" % (med(0), med(1)))
print("peer, GET /health (the bare framework): %.0f requests/s, p99 %.2f ms" % (med(2), med(3)))
print("decision / health throughput: %.2f (median of the rounds; rounds %s)"
      % (statistics.median(ratios), ", ".join("%.2f" % x for x in ratios)))
PY
printf 'peak resident memory: %s MB (target ≤ 150 MB)\n' "$rss"
