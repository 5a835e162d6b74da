// Measures keyless Sigstore bundle verification (issue 18), offline and in-process, against sigstore-python
// verifying the same bundles in the same run:
//
//   swift run -c release --package-path Benchmarks KeylessBenchmark [--no-peer]     # PYTHON=… with `pip install sigstore`
//
// Two bundles from the conformance suite (Tests/CountersignSupplyChainTests/Vectors/sigstore-conformance), each
// parsed from its bytes and verified end to end on every iteration — bundle JSON, Fulcio chain at the signing time
// (swift-certificates), embedded SCT, log proof (Rekor v1: signed entry timestamp, inclusion proof, signed
// checkpoint; Rekor v2: inclusion proof, checkpoint, RFC 3161 timestamp), the log body against the bundle, the DSSE
// signature and the statement's subject: CPU time per verification (target ≤ 2 ms).
import CountersignSupplyChain
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let runPeer = !CommandLine.arguments.contains("--no-peer")

/// CPU seconds used by this process: verification is async (swift-certificates' path validation), so its work may
/// run on the concurrency pool's threads, not this one. Nothing else runs in the process while it is measured.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/CountersignSupplyChainTests/Vectors")
let cases = vectors.appendingPathComponent("sigstore-conformance")
let identity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
let issuer = "https://token.actions.githubusercontent.com"
let artifactPath = cases.appendingPathComponent("a.txt")
let artifact = Digest.of(try Data(contentsOf: artifactPath))

struct Case {
    let label: String
    let directory: String
    let root: URL
}
let benchmarks = [
    Case(
        label: "Rekor v1 DSSE bundle (SET, inclusion proof, checkpoint, chain, SCT)",
        directory: "happy-path-intoto-in-dsse-v3",
        root: vectors.appendingPathComponent("sigstore-roots/production_trusted_root.json")),
    Case(
        label: "Rekor v2 DSSE bundle (inclusion proof, checkpoint, RFC 3161, chain, SCT)",
        directory: "rekor2-dsse-happy-path",
        root: cases.appendingPathComponent("rekor2-dsse-happy-path/trusted_root.json")),
]

let rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? 15
let perRound = Int(ProcessInfo.processInfo.environment["PER_ROUND"] ?? "") ?? 100
print("Keyless bundle verification — offline, in-process; CPU time of the process, median of \(rounds) rounds")
for benchmark in benchmarks {
    let bundlePath = cases.appendingPathComponent("\(benchmark.directory)/bundle.sigstore.json")
    let bytes = [UInt8](try Data(contentsOf: bundlePath))
    let root = try TrustedRoot(contentsOf: benchmark.root.path)
    let verifier = BundleVerifier(root: root)
    let identities = [CertificateIdentity(issuer: issuer, subject: identity)]
    func once() async throws -> Bool {
        let bundle = try SigstoreBundle(parsing: bytes)
        if case .verified = await verifier.verify(bundle, artifact: artifact, identities: identities) { return true }
        return false
    }
    guard try await once() else { fatalError("\(benchmark.directory) does not verify") }
    var times: [Double] = []
    for _ in 0..<rounds {
        let t = cpuSeconds()
        for _ in 0..<perRound {
            let verified = try await once()
            precondition(verified)
        }
        times.append((cpuSeconds() - t) / Double(perRound))
    }
    let ours = median(times)
    print(String(format: "%@  %8.0f µs CPU per bundle (target ≤ 2000 µs)", benchmark.label, ours * 1e6))
    guard runPeer else { continue }
    let peer = Process()
    peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/sigstore_python_peer.py").path
    peer.arguments = [
        ProcessInfo.processInfo.environment["PYTHON"] ?? "python3", script, benchmark.root.path, bundlePath.path,
        artifactPath.path, identity, issuer, "\(rounds * 4)",
    ]
    let pipe = Pipe()
    peer.standardOutput = pipe
    try peer.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    peer.waitUntilExit()
    guard peer.terminationStatus == 0, let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
        let peerSeconds = json["seconds"] as? Double
    else {
        FileHandle.standardError.write(Data("peer failed: install it with `pip install sigstore`\n".utf8))
        exit(1)
    }
    print(
        String(
            format:
                "    python %@ %@, same bundle, in-process          %8.0f µs CPU → countersign %.2f× the peer's speed",
            json["library"] as? String ?? "peer", json["version"] as? String ?? "", peerSeconds * 1e6,
            peerSeconds / ours))
}
