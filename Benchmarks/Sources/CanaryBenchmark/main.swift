// Measures the canary statistics (issue 5) against scipy in the same run:
//
//   swift run -c release --package-path Benchmarks CanaryBenchmark [--no-peer]
//
// - the full judgement of one metric — U, p-value, 98 % confidence interval and Hodges–Lehmann estimate — for
//   n = 10,000 per side (target ≤ 20 ms);
// - countersign-v1's whole classification of that metric (the interval plus every shape and spread test it runs on
//   a passing metric, the most work it does), same data, same target;
// - the p-value alone for n = 100,000 per side, against `scipy.stats.mannwhitneyu(method='asymptotic')` on the
//   same data (peers/mannwhitney_scipy_peer.py; `pip install scipy`), printing the ratio.
// Data: seeded, reproducible — normal latencies (mean 120, sd 15) with the canary shifted by 2 %.
import CountersignCanary
import Foundation

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
let runPeer = !CommandLine.arguments.contains("--no-peer")

/// SplitMix64 and Box–Muller: the same numbers on every machine.
struct Samples {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    mutating func latencies(_ n: Int, mean: Double) -> [Double] {
        (0..<n).map { _ in
            let g = (-2 * log(max(next(), 1e-300))).squareRoot() * cos(2 * .pi * next())
            return mean + 15 * g
        }
    }
}

var rng = Samples(state: 20_261_202)
let baseline10k = rng.latencies(10_000, mean: 120)
let canary10k = rng.latencies(10_000, mean: 122.4)
var fullTimes: [Double] = []
var result: MannWhitneyResult?
for _ in 0..<30 {
    let t = clock.now
    result = try MannWhitney.test(canary10k, baseline10k, confidence: 0.98)
    fullTimes.append(seconds(clock.now - t))
}

let judge = CountersignJudge()
let metric = CanaryMetricConfiguration(name: "latency", groups: ["latency"], analysis: .init(direction: .increase))
var judgeTimes: [Double] = []
var judged: MetricJudgement?
for _ in 0..<30 {
    let t = clock.now
    judged = judge.classify(metric, canary: ["latency": canary10k], baseline: ["latency": baseline10k])
    judgeTimes.append(seconds(clock.now - t))
}

let baseline100k = rng.latencies(100_000, mean: 120)
let canary100k = rng.latencies(100_000, mean: 122.4)
var pTimes: [Double] = []
var p = 0.0
for _ in 0..<15 {
    let t = clock.now
    p = try MannWhitney.pValue(canary100k, baseline100k).pValue
    pTimes.append(seconds(clock.now - t))
}

print("Canary benchmark — Mann-Whitney, seeded normal latencies, canary shifted +2 %")
if let r = result {
    print(
        String(
            format:
                "full judgement n=10,000/side  %8.2f ms median of 30 (target ≤ 20 ms)   CI [%.3f, %.3f], estimate %.3f",
            median(fullTimes) * 1e3, r.lowerBound, r.upperBound, r.estimate))
}
if let j = judged {
    print(
        String(
            format: "countersign-v1 metric n=10,000/side %8.2f ms median of 30 (target ≤ 20 ms)   %@",
            median(judgeTimes) * 1e3, j.classification.rawValue))
}
print(String(format: "p-value n=100,000/side        %8.2f ms median of 15   p = %.6g", median(pTimes) * 1e3, p))

if runPeer {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("mw-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    try JSONSerialization.data(withJSONObject: ["x": canary100k, "y": baseline100k]).write(to: file)
    let peer = Process()
    peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/mannwhitney_scipy_peer.py").path
    peer.arguments = ["python3", script, file.path, "15"]
    let pipe = Pipe()
    peer.standardOutput = pipe
    try peer.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    peer.waitUntilExit()
    guard peer.terminationStatus == 0,
        let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
        let peerSeconds = json["seconds"] as? Double, let peerP = json["p"] as? Double
    else {
        FileHandle.standardError.write(Data("peer failed: install it with `pip install scipy`\n".utf8))
        exit(1)
    }
    print(
        String(
            format: "%@ %@ p-value             %8.2f ms median of 15   p = %.6g (relative difference %.1e)",
            json["library"] as? String ?? "peer", json["version"] as? String ?? "", peerSeconds * 1e3, peerP,
            abs(peerP - p) / max(abs(peerP), .leastNormalMagnitude)))
    print(String(format: "ratio: countersign %.2f× faster than scipy on the p-value", peerSeconds / median(pTimes)))
}
