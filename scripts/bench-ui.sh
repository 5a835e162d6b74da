#!/usr/bin/env bash
# The web UI benchmark: a release `countersign serve` over a SQLite ledger of ENTRIES entries (default 1,000,000)
# holding DEPLOYS deploy records (default 10,000) over 90 days — each requested, checked, decided, approved,
# deployed, some failing and some causing incidents — then every page requested RUNS times (default 20). Prints
# each page's median and worst server time (its Server-Timing header) against the 100 ms target, and the ratio
# of its median wall time to the peer measured in the same run, the bare framework's GET /health.
#   scripts/bench-ui.sh                # ENTRIES=1000000 DEPLOYS=10000 RUNS=20
# BENCH_DB=path keeps the loaded ledger there and reuses it on the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
entries=${ENTRIES:-1000000}
deploys=${DEPLOYS:-10000}
runs=${RUNS:-20}
swift build -c release --product countersign >/dev/null
bin=.build/release/countersign
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
db=${BENCH_DB:-$work/ledger.db}

if [ -e "$db" ]; then echo "reusing $db"; else
echo "writing $entries ledger entries with $deploys deploys…"
python3 - "$work" "$entries" "$deploys" <<'PY'
import json, sys, time
work, total, deploys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = time.time()
start = now - 90 * 86400
def ts(t): return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
services = ["payments", "checkout", "search", "web"]
people = ["alice", "bob", "carol", "dave", "erin"]
policy = "sha256:" + "ab" * 32
story = []
def add(t, type, actor, payload): story.append((t, type, actor, payload))
def decision(t, request, verdict, controls):
    add(t, "gate.decided", "countersign", {
        "request": request, "requestID": request, "verdict": verdict, "tier": "stateless", "policy": policy,
        "policyHash": policy, "reasons": [f"{c}: {m}" for c, s, m, _ in controls if s != "satisfied"],
        "controls": [{"control": c, "status": s, "message": m, "rule": r} for c, s, m, r in controls],
        "relaxations": [], "evidenceIDs": [], "decidedAt": ts(t)})
for i in range(deploys + 30):
    t = start + i * (90 * 86400 - 7200) / (deploys + 30)
    service, environment = services[i % 4], "production" if i % 2 else "staging"
    digest, request, author = "sha256:%064x" % (i + 1), f"dr_bench{i}", people[i % 5]
    approver = next(p for p in ["alice", "bob", "carol"] if p != author)
    add(t, "artifact.verified", "ci-builder", {"digest": digest, "policy": "signed-from-main", "verified": True})
    add(t, "deploy.requested", "deploy-bot", {
        "id": request, "service": service, "environment": environment,
        "artifact": f"registry.example.com/{service}@{digest}", "requester": "deploy-bot", "deployer": "deploy-bot",
        "change": {"commit": "%040x" % (i + 1), "ref": "refs/heads/main", "kind": "code", "reversible": True,
                   "committedAt": ts(t - 3 * 3600 - (i % 17) * 600),
                   "pullRequest": {"number": 1000 + i, "author": author, "committers": [author]}}})
    waiting = ("approvals", "pending", "needs 1 more approval from team payments-owners", "payments-owners@stateless")
    passed = [("checks", "satisfied", f"{name} passed", name) for name in ("unit", "integration")]
    decision(t, request, "pending", [("checks", "pending", f"waiting for check {name}", name)
                                     for name in ("unit", "integration")] + [waiting])
    for name in ("unit", "integration"):
        add(t + 60, "check.reported", "ci-builder", {"digest": digest, "name": name, "status": "passed",
                                                      "reportedBy": "ci-builder"})
    decision(t + 60, request, "pending", passed + [waiting])
    if i >= deploys: continue  # the last ones wait in the inbox
    wait = 300 + (i * 7919) % 7200
    add(t + 60 + wait, "approval.granted", approver, {"request": request, "approver": approver, "digest": digest,
                                                       "environment": environment, "team": "payments-owners"})
    done = ("approvals", "satisfied", f"team payments-owners: approved by {approver}", "payments-owners@stateless")
    decision(t + 60 + wait, request, "allowed", passed + [done])
    deploy = f"dep_bench{i}"
    add(t + 120 + wait, "deploy.started", "deploy-bot", {"id": deploy, "request": request,
        "environment": environment, "service": service, "digest": digest})
    add(t + 600 + wait, "deploy.failed" if i % 23 == 0 else "deploy.succeeded", "deploy-bot", {"id": deploy})
    if i % 37 == 0:
        add(t + 900 + wait, "incident.opened", "pagerduty", {"id": f"inc_bench{i}", "title": "errors",
                                                              "deploys": [deploy]})
        add(t + 4000 + wait, "incident.resolved", "carol", {"id": f"inc_bench{i}"})
story.sort(key=lambda e: e[0])
fillers = max(0, total - len(story) - 1)
chunk, n, out = 100_000, 0, None
def write(line):
    global n, out
    if n % chunk == 0:
        if out: out.close()
        out = open(f"{work}/chunk-{n // chunk:04d}.jsonl", "w")
    out.write(line + "\n")
    n += 1
for k in range(fillers):
    write(json.dumps({"type": "team.changed", "actor": "admin", "at": ts(start - 86400 + k * 0.05),
                      "payload": {"team": f"t{k % 100}", "n": k}}))
for t, type, actor, payload in story:
    write(json.dumps({"type": type, "actor": actor, "at": ts(t), "payload": payload}))
out.close()
PY
for f in "$work"/chunk-*.jsonl; do "$bin" ledger append --database "$db" "$f" >/dev/null; rm "$f"; done
fi
# The host bootstraps the first admin (a person's token from the host is that one only); the pages read the same.
token=$("$bin" tokens create --identity erin --role admin --database "$db" --policy examples/policy 2>/dev/null)
start_countersign "$bin" "$db" "$work/serve.log"
base="http://127.0.0.1:$server_port"
python3 - "$base" "$token" "$runs" <<'PY'
import http.client, json, re, statistics, sys, time, urllib.parse, urllib.request
base, token, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Sign in as a browser does (the form's CSRF cookie and field, the server's own Origin) for a session cookie.
host = urllib.parse.urlsplit(base).netloc
connection = http.client.HTTPConnection(host, timeout=60)
connection.request("GET", "/ui/sign-in")
form = connection.getresponse()
signin = re.search(r"countersign_signin=([^;]+)", form.getheader("Set-Cookie")).group(1)
form.read()
connection.request("POST", "/ui/sign-in", urllib.parse.urlencode({"csrf": signin, "token": token, "next": "/ui"}),
                   {"Content-Type": "application/x-www-form-urlencoded", "Origin": base,
                    "Cookie": f"countersign_signin={signin}"})
signed = connection.getresponse()
signed.read()
session = next(re.search(r"countersign_session=([^;]+)", v).group(1) for k, v in signed.getheaders()
               if k.lower() == "set-cookie" and v.startswith("countersign_session="))
def get(path, cookie=True):
    request = urllib.request.Request(base + path)
    if cookie: request.add_header("Cookie", f"countersign_session={session}")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as r:
        body = r.read()
        timing = r.headers.get("Server-Timing", "")
    wall = (time.perf_counter() - started) * 1000
    server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
    return body, server, wall
size = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/ledger/entries?count=1",
    headers={"Authorization": f"Bearer {token}"})).read())["size"]
query = json.dumps({"sql": "SELECT COUNT(*) FROM deploys"}).encode()
count = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/audit/query", data=query,
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})).read())["rows"][0][0]
pages = ["/ui", "/ui/requests", "/ui/requests/dr_bench9999", "/ui/metrics", "/ui/metrics?days=30&environment=staging",
         "/ui/metrics?environment=&tier=stateless&sort=block",
         "/ui/canary", "/ui/break-glass", "/ui/ledger", f"/ui/ledger/{size // 2}", "/ui/audit",
         "/ui/audit?sql=SELECT+service%2C+COUNT%28%2A%29+FROM+deploys+GROUP+BY+service",
         "/ui/audit?report=1&environment=production&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"]
for _ in range(3): get("/health", cookie=False)
health = statistics.median(get("/health", cookie=False)[2] for _ in range(runs * 5))
print(f"ledger: {size} entries, {count} deploy records (SQLite); {runs} requests per page; release build")
print(f"peer, GET /health wall time: median {health:.2f} ms")
print(f"{'page':<78} {'server median':>13} {'server max':>10} {'wall/health':>11}")
worst = 0
for page in pages:
    get(page)  # warm
    samples = [get(page) for _ in range(runs)]
    server = [s for _, s, _ in samples]
    wall = statistics.median(w for _, _, w in samples)
    worst = max(worst, max(server))
    print(f"{page:<78} {statistics.median(server):>10.2f} ms {max(server):>7.2f} ms {wall / health:>10.1f}×")
print(f"worst page server time: {worst:.2f} ms (target ≤ 100 ms) → {'met' if worst <= 100 else 'NOT met'}")
PY
