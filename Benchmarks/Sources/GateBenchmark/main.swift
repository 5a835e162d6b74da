// Measures the deploy gate (issue 3): one decision for the examples/ bundle with a realistic request and
// evidence, and loading + compiling a bundle of 100 tiers.
//
//   swift run -c release --package-path Benchmarks GateBenchmark
//
// Prints the median decision time (and decisions per second on one thread) and the median load time.
import CountersignCore
import CountersignEncoding
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let examples = root.appendingPathComponent("examples")

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let bundle = try PolicyLoader.load(path: examples.appendingPathComponent("policy").path)
let decoder = JSONValueDecoder()
let request = try decoder.decode(
    DeployRequest.self,
    from: [UInt8](Data(contentsOf: examples.appendingPathComponent("requests/payments-migration.json"))))
var evidence = try decoder.decode(
    Evidence.self,
    from: [UInt8](Data(contentsOf: examples.appendingPathComponent("requests/payments-migration.evidence.json"))))
// Complete the approvals so the decision walks every control to "allowed".
evidence.approvals.append(
    Approval(
        id: "apr-302", approver: "dave", digest: evidence.approvals[0].digest, environment: "production",
        at: RFC3339.date("2026-11-03T09:45:00Z")!))
let now = RFC3339.date("2026-11-03T10:00:00Z")!
// As `gate evaluate` reads a hand-written evidence file: its verification is of the policy as loaded.
evidence.stateVerifications(of: request, under: bundle)
let check = Gate.decide(request, evidence: evidence, policy: bundle, now: now)
guard check.verdict == .allowed else { fatalError("expected allowed, got \(check.verdict): \(check.reasons)") }

let clock = ContinuousClock()
var sink = 0
// `--profile N`: only N decisions, for running under valgrind --tool=callgrind.
if let i = CommandLine.arguments.firstIndex(of: "--profile"), i + 1 < CommandLine.arguments.count,
    let n = Int(CommandLine.arguments[i + 1])
{
    for _ in 0..<n { sink &+= Gate.decide(request, evidence: evidence, policy: bundle, now: now).controls.count }
    print(sink)
    exit(0)
}
for _ in 0..<2_000 { sink &+= Gate.decide(request, evidence: evidence, policy: bundle, now: now).controls.count }
var batches: [Double] = []
let perBatch = 2_000
for _ in 0..<15 {
    let start = clock.now
    for _ in 0..<perBatch { sink &+= Gate.decide(request, evidence: evidence, policy: bundle, now: now).controls.count }
    batches.append(seconds(clock.now - start) / Double(perBatch))
}
let decision = median(batches)

// A bundle of 100 tiers (each with a CEL match and a requirement) on top of the examples.
var tiers = ""
for i in 0..<100 {
    tiers += """
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: generated-\(i) }
        spec:
          priority: \(2_000 + i)
          match: "change.kind == 'kind-\(i)' && change.reversible && !('frozen' in change.labels)"
          controls:
            checks: [unit, integration]
            approvals: [{ team: payments-owners, count: 1 }]
            require: [{ expr: "change.ticket.startsWith('PAY-') || change.ticket.startsWith('INC-')", message: "a ticket" }]

        """
}
var sources: [(file: String, text: String)] = []
// The policy's YAML documents (the folder also holds the release key the artifact policy names).
for name in try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent("policy").path).sorted()
where name.hasSuffix(".yaml") {
    let url = examples.appendingPathComponent("policy").appendingPathComponent(name)
    sources.append((name, try String(contentsOf: url, encoding: .utf8)))
}
sources.append(("generated.yaml", tiers))
var loads: [Double] = []
for _ in 0..<15 {
    let start = clock.now
    let b = try PolicyLoader.load(sources: sources)
    loads.append(seconds(clock.now - start))
    sink &+= b.tiers.count
}
let load = median(loads)

print("Gate benchmark — examples/policy, schema-migration request with full evidence (allowed)")
print(
    String(format: "decision          %8.2f µs median   %10.0f decisions/s (one thread)", decision * 1e6, 1 / decision))
print(
    String(format: "load 105 tiers    %8.2f ms median (parse YAML, validate, compile every CEL condition)", load * 1e3))
print(
    "targets: decision ≤ 10 µs (issue 15) → \(decision * 1e6 <= 10 ? "met" : "NOT met"); load of 100 tiers ≤ 50 ms → \(load * 1e3 <= 50 ? "met" : "NOT met")"
)
if sink == 42 { print("") }
