#!/usr/bin/env python3
"""Writes the seed inputs of Fuzz/corpus/<target>/ from the repository's tests and examples and from
../shared/testdata (Fuzz/corpus/SOURCES.md says which file came from where, under which licence).

    Fuzz/seed-corpus.py [COUNTERSIGN]

Seeds are named `seed-<origin>-<n>`; every other file in a corpus directory is an input libFuzzer found and
`Fuzz/run.sh --merge` kept. Running the script again rewrites the seeds and leaves those alone. COUNTERSIGN is
the CLI (default .build/debug/countersign), used to make the `ledger` target's evidence packs.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
shared = root.parent / "shared" / "testdata"
corpus = root / "Fuzz" / "corpus"
digest = "sha256:" + "ab" * 32


def write(target, origin, items):
    """Writes each item (str or bytes) as seed-<origin>-<n>, skipping duplicates and empty ones."""
    directory = corpus / target
    directory.mkdir(parents=True, exist_ok=True)
    seen = set()
    n = 0
    for item in items:
        data = item.encode() if isinstance(item, str) else item
        if not data or data in seen:
            continue
        seen.add(data)
        n += 1
        (directory / f"seed-{origin}-{n}").write_bytes(data)


def textproto_string(s):
    """Unescapes a protobuf text-format string literal body (C escapes, \\x, octal, \\u)."""
    out = bytearray()
    i = 0
    b = s.encode()
    while i < len(b):
        c = b[i]
        if c != 0x5C or i + 1 >= len(b):
            out.append(c)
            i += 1
            continue
        e = chr(b[i + 1])
        i += 2
        simple = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39, '"': 34, "?": 63}
        if e in simple:
            out.append(simple[e])
        elif e in "xX":
            m = re.match(rb"[0-9a-fA-F]{1,2}", b[i:])
            out.append(int(m.group(), 16))
            i += len(m.group())
        elif e in "01234567":
            m = re.match(rb"[0-7]{0,2}", b[i:])
            out.append(int(e + m.group().decode(), 8) & 0xFF)
            i += len(m.group())
        elif e in "uU":
            width = 4 if e == "u" else 8
            out += chr(int(b[i : i + width], 16)).encode("utf-8", "surrogatepass")
            i += width
        else:
            out += b"\\" + e.encode()
    return bytes(out)


def swift_multiline_literals(path, containing):
    """The multi-line string literals of a Swift test file that contain `containing`, indentation removed."""
    text = path.read_text()
    found = []
    for m in re.finditer(r'"""\n(.*?)\n([ \t]*)"""', text, re.S):
        body, indent = m.group(1), m.group(2)
        if containing in body and "\\(" not in body:
            found.append("\n".join(line[len(indent) :] for line in body.split("\n")) + "\n")
    return found


def cel():
    exprs = []
    for f in sorted(shared.glob("cel-spec/*.textproto")):
        for m in re.finditer(r'^\s*expr: "((?:[^"\\]|\\.)*)"', f.read_text(), re.M):
            exprs.append(textproto_string(m.group(1)))
    write("cel", "cel-spec", exprs)
    policy = []
    for f in sorted((root / "examples" / "policy").glob("*.yaml")):
        for m in re.finditer(r'(?:match|expr|condition): "((?:[^"\\]|\\.)*)"', f.read_text()):
            policy.append(m.group(1).replace('\\"', '"'))
    write("cel", "examples-policy", policy)
    tests = []
    for f in sorted((root / "Tests" / "CELTests").glob("*.swift")):
        for m in re.finditer(r'(?:compile|eval|evaluate|parse|check)\(\s*"((?:[^"\\]|\\.)*)"', f.read_text()):
            tests.append(m.group(1).replace('\\"', '"').replace("\\\\", "\\"))
        for m in re.finditer(r'(?:compile|eval|evaluate|parse|check)\(\s*#"(.*?)"#', f.read_text()):
            tests.append(m.group(1))
        # Test tables: `("source", expected)`.
        for m in re.finditer(r'^\s*\(\s*"((?:[^"\\]|\\.)*)",', f.read_text(), re.M):
            tests.append(m.group(1).replace('\\"', '"').replace("\\\\", "\\"))
    write("cel", "tests", tests)


def policy():
    files = sorted((root / "examples" / "policy").glob("*.yaml"))
    texts = [f.read_text() for f in files]
    bundle = "\n---\n".join(texts)
    tests = (root / "examples" / "tests" / "gate.yaml").read_text()
    write("policy", "examples", texts + [bundle, tests, bundle + "\n---\n" + tests])
    write("policy", "tests", swift_multiline_literals(root / "Tests/CountersignCoreTests/PolicyLoaderTests.swift", "kind:"))


def json_seeds():
    items = [f.read_bytes() for f in sorted((root / "examples").rglob("*.json"))]
    # The larger webhook payloads are the `webhooks` target's; this one reads up to 16 KiB.
    items += [f.read_bytes() for f in sorted(shared.glob("webhooks/*.json")) if f.stat().st_size <= 16384]
    write("json", "examples-and-shared", items)
    entries = [
        '{"actor":"alice","at":"2026-11-03T10:00:00.000Z","payload":{"id":"inc_1","title":"checkout down"},'
        '"seq":0,"type":"incident.opened"}',
        '{"type":"check.reported","actor":"ci","at":"2026-11-03T10:00:00Z","payload":{"digest":"' + digest + '",'
        '"name":"unit","status":"passed"}}',
        '{"a":[1,2.5,-0,1e21,1e-7,0.000001,9007199254740993,"\\u00e9\\ud83d\\ude00"],"b":{"z":null,"\\u20ac":true,'
        '"\\ud800\\udc00":false}}',
        '[1E400, -1e-400, 123456789012345678901234567890, 5e-324, 1.7976931348623157e308]',
    ]
    write("json", "hand", entries)


def ledger(countersign):
    key = root / "Fuzz" / "ledger-fuzz.key"
    if not Path(countersign).exists() or not key.exists():
        print(f"note: no {countersign} or {key}; the ledger target's packs are left as they are", file=sys.stderr)
        return
    lines = [
        {"type": "policy.published", "actor": "admin", "at": "2026-11-03T09:00:00Z", "payload": {"hash": "sha256:00"}},
        {"type": "check.reported", "actor": "ci", "at": "2026-11-03T09:10:00Z",
         "payload": {"digest": digest, "name": "unit", "status": "passed"}},
        {"type": "incident.opened", "actor": "alice", "at": "2026-11-03T09:20:00Z",
         "payload": {"id": "inc_1", "title": "checkout down", "deploys": []}},
    ]
    packs = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "ledger.db"
        appended = 0
        for n in (1, 3):
            entries = Path(tmp) / f"entries-{n}.jsonl"
            entries.write_text("".join(json.dumps(x) + "\n" for x in lines[appended:n]))
            appended = n
            subprocess.run([countersign, "ledger", "append", "--database", str(store), str(entries)], check=True,
                           stdout=subprocess.DEVNULL)
            pack = Path(tmp) / f"pack-{n}"
            subprocess.run([countersign, "ledger", "export", "--database", str(store), "--from",
                            "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z", "--out", str(pack), "--key",
                            str(key)], check=True, stdout=subprocess.DEVNULL)
            parts = [(pack / name).read_bytes() for name in ("entries.jsonl", "proofs.jsonl", "checkpoint")]
            packs.append(b"\0".join(parts))
            # The same pack with the checkpoint's signature removed: the harness signs it.
            packs.append(b"\0".join(parts[:2] + [parts[2].split(b"\n\n")[0] + b"\n"]))
    write("ledger", "export", packs)


def supply_chain():
    items = []
    payload = {
        "critical": {"identity": {"docker-reference": "registry.example.com/acme/app"},
                     "image": {"docker-manifest-digest": digest}, "type": "cosign container image signature"},
        "optional": {"creator": "fuzz", "n": 1},
    }
    statement_v02 = {
        "_type": "https://in-toto.io/Statement/v0.1", "subject": [{"name": "app", "digest": {"sha256": "ab" * 32}}],
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "predicate": {"builder": {"id": "https://github.com/actions/runner/github-hosted"},
                      "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
                      "invocation": {"configSource": {"uri": "git+https://github.com/acme/app@refs/heads/main",
                                                      "digest": {"sha1": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}},
                                     "environment": {"github_ref": "refs/heads/main"}}},
    }
    statement_v1 = json.loads((corpus / "supply-chain" / "seed-original-statement.json").read_text())
    items += [json.dumps(payload), json.dumps(statement_v02)]
    dependency = statement_v1["predicate"]["buildDefinition"]["resolvedDependencies"][0]
    dependency["digest"]["gitCommit"] = "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"
    items.append(json.dumps(statement_v1))
    items += ["registry.example.com/acme/app:1.0@" + digest, "localhost:5000/a/b/c:tag", digest,
              'Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"']
    write("supply-chain", "hand", items)


def admission():
    items = [(shared / "webhooks" / "k8s.admissionreview.v1.pod-create.request.json").read_bytes()]

    def review(kind, obj, operation="CREATE", namespace="prod"):
        return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "request": {"uid": "uid-1", "kind": {"group": "apps", "version": "v1", "kind": kind},
                                       "namespace": namespace, "operation": operation, "object": obj}})

    def pod(images, init=()):
        return {"containers": [{"name": f"c{i}", "image": x} for i, x in enumerate(images)],
                "initContainers": [{"name": f"i{i}", "image": x} for i, x in enumerate(init)]}

    ok = "registry.example.com/app@sha256:" + "a" * 64
    other = "registry.example.com/app:1.0@sha256:" + "b" * 64
    items += [
        review("Pod", {"metadata": {"name": "p"}, "spec": pod([ok], [other])}),
        review("Deployment", {"metadata": {"name": "d"}, "spec": {"template": {"spec": pod([ok, "nginx:latest"])}}}),
        review("CronJob", {"spec": {"jobTemplate": {"spec": {"template": {"spec": pod([ok])}}}}}),
        review("Pod", None, operation="DELETE"),
        review("ConfigMap", {"data": {}}),
    ]
    write("admission", "shared-and-tests", items)


def webhooks():
    items = []
    for f in sorted(shared.glob("webhooks/*.json")):
        event = f.name.split(".")[0]
        if event.startswith("k8s"):
            continue
        items.append(event.encode() + b"\n" + f.read_bytes())
    request = json.loads((root / "examples" / "requests" / "payments-migration.json").read_text())
    request["change"]["committedAt"] = "2026-11-02T17:45:00.123456789+01:00"
    items += [
        "incident\n" + json.dumps({"title": "checkout errors", "severity": "sev2", "deploys": ["dep_1"]}),
        "deploy-request\n" + json.dumps(request),
        "ping\n{}",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\nHello, World!",
    ]
    write("webhooks", "shared-and-examples", items)


def query():
    t = "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z"
    execution = json.dumps({"scopes": {"default": {
        "controlScope": {"scope": "stable", "step": 60, "start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:30:00Z"},
        "experimentScope": {"scope": "canary", "step": 60, "start": 0, "end": 1200}}},
        "thresholds": {"pass": 90, "marginal": 75}})
    config = json.loads((root / "examples" / "canary" / "config.json").read_text())
    items = [
        "GET /api/v1/deploy-requests?environment=production&verdict=pending&limit=20",
        "GET /api/v1/ledger/entries?from=0&count=100",
        "GET /api/v1/ledger/proofs/inclusion?seq=3&size=10",
        "GET /api/v1/ledger/proofs/consistency?from=1&to=5",
        f"GET /api/v1/metrics/dora?{t}&service=payments&environment=production",
        f"GET /api/v1/metrics/gates?idleWindow=100&{t}",
        f"GET /api/v1/audit/deploys?environment=production&{t}",
        f"GET /api/v1/canary/verdict?digest={digest}&template=slo-gate",
        "GET /ui/requests?q=a+b%20c%2Fd&next=%2Fui%2Fx#frag",
        "GET /canaryConfig?application=checkout",
        "GET /canary/executions?application=ad-hoc&limit=5&page=2&statuses=running,succeeded",
        "GET /canary/01234567-89ab-cdef-0123-456789abcdef",
        "POST /canary/checkout-service?application=checkout&metricsAccountName=prom\n" + execution,
        "POST /canary\n" + json.dumps({"canaryConfig": config, "executionRequest": json.loads(execution)}),
    ]
    write("query", "routes-and-tests", items)


def canary():
    config = json.loads((root / "examples" / "canary" / "config.json").read_text())
    baseline = json.loads((root / "examples" / "canary" / "baseline.json").read_text())
    items = []
    for name in ("canary-good", "canary-slow"):
        sample = json.loads((root / "examples" / "canary" / f"{name}.json").read_text())
        for judge in ("kayenta", "countersign-v1"):
            items.append(json.dumps({"digest": digest, "template": "slo-gate", "config": config,
                                     "canary": sample, "baseline": baseline, "judge": judge}))
    items.append(json.dumps({"digest": digest, "template": "t", "config": config,
                             "canary": {"latency_p99": [1, None, 2], "cpu": []},
                             "baseline": {"latency_p99": [1.5, 1e308, -1e308]},
                             "thresholds": {"pass": 80, "marginal": 60}}))
    write("canary", "examples", items)
    yaml = [(root / "examples" / "canary" / "error-ratio.yaml").read_text()]
    for test in ("AnalysisTemplateDecodingTests", "RolloutTests", "AnalysisRunnerTests"):
        yaml += swift_multiline_literals(root / "Tests" / "CountersignCanaryTests" / f"{test}.swift", "kind:")
    write("canary", "templates", yaml)


if __name__ == "__main__":
    countersign = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build" / "debug" / "countersign")
    os.chdir(root)
    # The supply-chain seeds that predate this script keep their content and names, as seed-original-<name>.
    for p in (corpus / "supply-chain").glob("*"):
        if not p.name.startswith("seed-") and "." in p.name:
            p.rename(p.with_name("seed-original-" + p.name))
    for p in corpus.glob("*/seed-*"):
        if not p.name.startswith("seed-original-"):
            p.unlink()
    cel()
    policy()
    json_seeds()
    ledger(countersign)
    supply_chain()
    admission()
    webhooks()
    query()
    canary()
