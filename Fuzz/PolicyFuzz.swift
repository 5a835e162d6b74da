// libFuzzer harness `policy`: the input is a policy file (a YAML document stream), read the way `countersign
// serve`, `policy check` and `policy test` read one:
//
// 1. `PolicyLoader.load(sources:)` — YAML, every document kind, CEL conditions compiled, cross-references;
// 2. when it loads, `Gate.decide` of the example deploy request against it, so the fuzzed tiers, freezes and CEL
//    conditions are evaluated, not only compiled;
// 3. `PolicyTestRunner.run(path:)` over the same text (its `PolicyTest` documents), against the loaded bundle or,
//    when the input does not load, against examples/policy.
//
// Properties: loading is deterministic (the same text gives the same hash or the same issues in the same order;
// checked on one input in eight, a second load being as dear as the rest); a bundle that loads decides, and
// deciding twice gives the same decision.

internal import CEL
internal import CountersignCore
import CountersignEncoding
internal import Foundation

/// The example policy and the example request with its evidence (run.sh runs from the repository root).
let examplePolicy = try! PolicyLoader.load(path: "examples/policy")
let exampleRequest = try! JSONValueDecoder().decode(
    DeployRequest.self,
    from: [UInt8](Data(contentsOf: URL(fileURLWithPath: "examples/requests/payments-migration.json"))))
let exampleEvidence = try! JSONValueDecoder().decode(
    Evidence.self,
    from: [UInt8](Data(contentsOf: URL(fileURLWithPath: "examples/requests/payments-migration.evidence.json"))))
let decisionTime = RFC3339.date("2026-11-03T10:00:00Z")!
/// `PolicyTestRunner` reads files: the input is written here (a RAM disk when there is one).
let testFile: String = {
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(directory)/countersign-policy-fuzz-\(getpid()).yaml"
}()

func outcome(_ text: String) -> Result<PolicyBundle, PolicyError> {
    do { return .success(try PolicyLoader.load(sources: [("fuzz.yaml", text)])) } catch { return .failure(error) }
}

func describe(_ result: Result<PolicyBundle, PolicyError>) -> String {
    switch result {
    case .success(let bundle): bundle.hash
    case .failure(let error): error.issues.map { "\($0.line): \($0.message)" }.joined(separator: "\n")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    // `PolicyLoader.sources` refuses files that are not UTF-8; the loader only ever sees valid text.
    guard let text = String(validating: input, as: UTF8.self) else { return 0 }
    let first = outcome(text)
    // A second load costs as much as everything else here: one input in eight (by length) is loaded twice.
    if input.count % 8 == 0 {
        require(describe(first) == describe(outcome(text)), "loading the same text twice gave different results")
    }
    let bundle = try? first.get()
    if let bundle {
        let decision = Gate.decide(exampleRequest, evidence: exampleEvidence, policy: bundle, now: decisionTime)
        let again = Gate.decide(exampleRequest, evidence: exampleEvidence, policy: bundle, now: decisionTime)
        require(decision == again, "deciding twice under the same policy gave different decisions")
    }
    if text.contains("PolicyTest") {
        _ = FileManager.default.createFile(atPath: testFile, contents: Data(input))
        _ = try? PolicyTestRunner.run(path: testFile, bundle: bundle ?? examplePolicy)
    }
    return 0
}
