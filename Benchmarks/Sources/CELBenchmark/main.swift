// Measures the CEL engine on the gate expression from issue 2 and compares it, in the same run, with the
// Rust-backed `common-expression-language` Python package (peers/cel_rust_peer.py).
//
//   swift run -c release --package-path Benchmarks CELBenchmark [--iterations N] [--no-peer]
//
// Prints compile time (median of 200), evaluations per second (median of 3 runs of N evaluations after a
// warm-up, one thread) and the ratio to the peer.
import CEL
import Foundation

let expression =
    "request.ref.startsWith('refs/heads/') && request.approvals.size() >= 2 && request.tier in ['low','medium']"
let bindingsJSON = #"{"request": {"ref": "refs/heads/main", "approvals": ["alice","bob"], "tier": "low"}}"#

var iterations = 1_000_000
var runPeer = true
var args = CommandLine.arguments.dropFirst().makeIterator()
while let arg = args.next() {
    switch arg {
    case "--iterations": iterations = Int(args.next() ?? "") ?? iterations
    case "--no-peer": runPeer = false
    default:
        FileHandle.standardError.write(Data("unknown argument \(arg)\n".utf8))
        exit(2)
    }
}

func measure(_ body: () throws -> Void) rethrows -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return clock.now - start
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let env = Environment(variables: ["request": .map(.string, .dyn)])
guard case .map(let bindingMap) = try Value(json: bindingsJSON) else { fatalError("bindings must be an object") }
var bindings: [String: Value] = [:]
for (k, v) in bindingMap.entries { if case .string(let name) = k.value { bindings[name] = v } }

// Compile: parse + type-check + plan.
var program = try env.compile(expression)
var compileSamples: [Double] = []
for _ in 0..<200 {
    let d = try measure { program = try env.compile(expression) }
    compileSamples.append(seconds(d) * 1e6)
}
compileSamples.sort()
let compileMicros = compileSamples[compileSamples.count / 2]

let result = try program.evaluate(bindings)
guard case .bool(true) = result else { fatalError("expected true, got \(result)") }

var sink = 0
for _ in 0..<20_000 { if case .bool(true) = try program.evaluate(bindings) { sink &+= 1 } }
var runs: [Double] = []
for _ in 0..<3 {
    let d = try measure {
        for _ in 0..<iterations { if case .bool(true) = try program.evaluate(bindings) { sink &+= 1 } }
    }
    runs.append(seconds(d))
}
runs.sort()
let median = runs[1]
let evalsPerSecond = Double(iterations) / median
let nsPerEval = median / Double(iterations) * 1e9

print("CEL benchmark — \(expression)")
print(
    String(
        format: "countersign CEL   compile %8.1f µs (median of 200)   %12.0f evals/s   %7.1f ns/eval", compileMicros,
        evalsPerSecond, nsPerEval))

if runPeer {
    let peer = Process()
    peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/cel_rust_peer.py").path
    peer.arguments = ["python3", script, expression, bindingsJSON, "100000"]
    let pipe = Pipe()
    peer.standardOutput = pipe
    try peer.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    peer.waitUntilExit()
    guard peer.terminationStatus == 0,
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
        let peerRate = json["evals_per_second"] as? Double, let peerCompile = json["compile_us"] as? Double
    else {
        FileHandle.standardError.write(
            Data("peer failed: install it with `pip install common-expression-language`\n".utf8))
        exit(1)
    }
    print(
        String(
            format: "%@ %@ compile %8.1f µs (median of 20)    %12.0f evals/s   %7.1f ns/eval",
            json["library"] as? String ?? "peer", json["version"] as? String ?? "", peerCompile, peerRate,
            1e9 / peerRate))
    print(
        String(
            format: "ratio: evaluation %.2f× the peer's rate; compile %.2f× the peer's time", evalsPerSecond / peerRate,
            compileMicros / peerCompile))
}
print(
    "targets: ≥ 2,000,000 evals/s (≤ 500 ns) and compile ≤ 50 µs → evaluation \(nsPerEval <= 500 ? "met" : "NOT met"), compile \(compileMicros <= 50 ? "met" : "NOT met")"
)
if sink == 42 { print("") }
