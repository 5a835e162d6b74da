#!/usr/bin/env bash
# The soak benchmark: a release `countersign serve` on a fresh SQLite ledger under MINUTES (default 10) minutes of
# mixed load from wrk — new deploy requests (each a new digest), checks reported for recent digests (each re-decides
# by digest), admission reviews of recent digests in a protected namespace, and request lists — in one-minute
# slices. Each slice prints requests/s, p50 and p99 latency, the server's resident memory — split into anonymous
# memory (the heap: what a leak or an unbounded cache grows) and file-backed pages (the ledger file SQLite maps,
# which grows with the file and is page cache the kernel can drop) — and the ledger's size; the summary compares the
# first slice with the last. Cost that grows with history shows as a rising p99, a leak as anonymous memory that
# keeps climbing after the first minutes.
#   scripts/bench-soak.sh            # MINUTES=10 CONNECTIONS=8
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
minutes=${MINUTES:-10}
connections=${CONNECTIONS:-8}
command -v wrk >/dev/null || { echo "bench-soak.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product countersign >/dev/null
bin=.build/release/countersign
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The example policy, with production's admission namespace.
cp -r examples/policy "$work/policy"
sed -i 's/^  approvalMaxAge: 24h$/  approvalMaxAge: 24h\n  namespaces: [shop-prod]/' "$work/policy/00-environments.yaml"
grep -q 'namespaces: \[shop-prod\]' "$work/policy/00-environments.yaml" ||
    { echo "bench-soak.sh: could not add a namespace to the example policy" >&2; exit 1; }
db=$work/ledger.db
bot=$("$bin" tokens create --identity deploy-bot --role deployer --database "$db" --policy "$work/policy" 2>/dev/null)
ci=$("$bin" tokens create --identity ci-builder --role builder --database "$db" --policy "$work/policy" 2>/dev/null)
server_port=$(free_port)
"$bin" serve --database "$db" --policy "$work/policy" --port "$server_port" >"$work/serve.log" 2>&1 &
server_pid=$!
wait_for_url "http://127.0.0.1:$server_port/health" "$server_pid" "$work/serve.log" 200
base="http://127.0.0.1:$server_port"

# One request in ten of each kind but the writes: 3 new requests, 2 checks, 3 admission reviews, 2 lists. Digests
# are numbered per slice and connection so every new request is a new artifact.
cat >"$work/mix.lua" <<'LUA'
local slice, bot, ci = 0, "", ""
local counter = 0
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function init(args) slice, bot, ci = tonumber(args[1]), args[2], args[3] end
local function digest(n) return string.format("sha256:%048x%016x", 0, slice * 100000000 + tid * 1000000 + n) end
function request()
    counter = counter + 1
    local k = counter % 10
    local recent = math.max(1, counter - 5 - (counter % 7))
    if k < 3 then
        return wrk.format("POST", "/api/v1/deploy-requests",
            {["Authorization"] = "Bearer " .. bot, ["Content-Type"] = "application/json"},
            '{"service": "search", "environment": "production", "artifact": "registry.example.com/search@' ..
            digest(counter) .. '", "change": {"commit": "0123456789abcdef0123456789abcdef01234567", ' ..
            '"ref": "refs/heads/main", "kind": "code", "reversible": true, ' ..
            '"pullRequest": {"number": 7, "author": "bob", "committers": ["bob"]}}}')
    elseif k < 5 then
        return wrk.format("POST", "/api/v1/checks",
            {["Authorization"] = "Bearer " .. ci, ["Content-Type"] = "application/json"},
            '{"digest": "' .. digest(recent) .. '", "name": "unit", "status": "passed"}')
    elseif k < 8 then
        return wrk.format("POST", "/admission/validate", {["Content-Type"] = "application/json"},
            '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u-' .. counter ..
            '", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "shop-prod", ' ..
            '"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "search"}, "spec": ' ..
            '{"containers": [{"name": "app", "image": "registry.example.com/search@' .. digest(recent) .. '"}]}}}}')
    else
        return wrk.format("GET", "/api/v1/deploy-requests?environment=production&limit=20",
            {["Authorization"] = "Bearer " .. bot})
    end
end
LUA

ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}'; }
printf 'soak: %s min of mixed load, wrk -t1 -c%s on loopback, 2 cores shared by wrk and the server\n' \
    "$minutes" "$connections"
printf '%6s  %10s  %8s  %8s  %8s  %8s  %8s  %s\n' minute "requests/s" "p50 ms" "p99 ms" "anon MB" "file MB" \
    entries non-2xx
first=""
last=""
for m in $(seq 1 "$minutes"); do
    wrk -t1 -c"$connections" -d60s --latency -s "$work/mix.lua" "$base" -- "$m" "$bot" "$ci" >"$work/wrk.txt"
    rps=$(awk '/Requests\/sec/{print $2}' "$work/wrk.txt")
    p50=$(awk '$1=="50%"{print $2}' "$work/wrk.txt" | ms)
    p99=$(awk '$1=="99%"{print $2}' "$work/wrk.txt" | ms)
    bad=$(awk '/Non-2xx/{print $NF}' "$work/wrk.txt")
    anon=$(awk '/RssAnon/{print int($2/1024)}' "/proc/$server_pid/status")
    file=$(awk '/RssFile/{print int($2/1024)}' "/proc/$server_pid/status")
    size=$(curl -sf "$base/metrics" | awk '/^countersign_ledger_entries /{print int($2)}')
    printf '%6s  %10.0f  %8.2f  %8.2f  %8s  %8s  %8s  %s\n' "$m" "$rps" "$p50" "$p99" "$anon" "$file" "$size" \
        "${bad:-0}"
    [ -n "$first" ] || first="$p99 $anon $file"
    last="$p99 $anon $file"
done
db_mb=$(($(stat -c %s "$db") / 1048576))
read -r p99_first anon_first file_first <<<"$first"
read -r p99_last anon_last file_last <<<"$last"
python3 -c "print('p99 first → last minute: %.2f → %.2f ms (%.2f×); anonymous memory %s → %s MB; mapped file %s → %s MB (ledger file %s MB)' % \
    ($p99_first, $p99_last, $p99_last / $p99_first, $anon_first, $anon_last, $file_first, $file_last, $db_mb))"
