// libFuzzer harness `canary`: an input that starts with `{` is the body of `POST /api/v1/canary/judgements` — a
// Kayenta canary
// configuration with the canary's and the baseline's samples — taken through the library calls
// `ControlPlane.judgeCanary` makes: the body decoded as the server's `CanaryJudgementInput` (same shape) with
// `JSONValueDecoder` (as `PayloadCoding.body` does), the configuration through `CanaryConfiguration.decode(_:)`, then the Kayenta or the
// countersign-v1 judge, and the `canary.judged` ledger payload built from the judgement (score, and a five-number
// summary of each metric's samples). Any other input is a YAML file of the kinds `countersign canary run` reads:
// an Argo `AnalysisTemplate` (durations, counts, CEL conditions), a Flagger analysis and a rollout plan.
//
// Properties: a judgement's score is a finite number and the ledger payload built from it is valid JSON (the
// canonical writer has no spelling for NaN or infinity); judging is deterministic.

internal import CountersignCanary
internal import CountersignCore
import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// `CountersignServer.CanaryJudgementInput`.
struct CanaryJudgementInput: Decodable {
    var digest: String
    var template: String
    var config: JSONValue
    var canary: [String: [Double?]]
    var baseline: [String: [Double?]]
    var judge: String?
    var thresholds: ScoreThresholds?
}

/// `ControlPlane.summary`: the box-plot numbers the ledger keeps for a metric.
func summary(_ values: [Double?]?) -> JSONValue {
    let s = FiveNumberSummary((values ?? []).compactMap { $0 })
    guard s.count > 0 else { return .object([("count", .number(0))]) }
    return .object([
        ("count", .number(Double(s.count))), ("min", .number(s.min)), ("q1", .number(s.q1)),
        ("median", .number(s.median)), ("q3", .number(s.q3)), ("max", .number(s.max)),
    ])
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = bytes(data, size)
    guard body.first == UInt8(ascii: "{") else {
        let text = String(decoding: body, as: UTF8.self)
        _ = try? AnalysisTemplate(yaml: text)
        _ = try? FlaggerAnalysis(yaml: text)
        _ = try? RolloutPlan(yaml: text)
        return 0
    }
    guard let input = try? JSONValueDecoder().decode(CanaryJudgementInput.self, from: body),
        let config = try? CanaryConfiguration.decode(input.config)
    else { return 0 }
    let judge: any CanaryJudge
    switch input.judge ?? "kayenta" {
    case "kayenta": judge = KayentaJudge()
    case "countersign-v1": judge = CountersignJudge()
    default: return 0
    }
    let samples = { (s: [String: [Double?]]) in s.mapValues { $0.map { $0 ?? .nan } } }
    let judgement = judge.judge(
        config: config, canary: samples(input.canary), baseline: samples(input.baseline),
        thresholds: input.thresholds ?? config.scoreThresholds ?? .standard)
    let again = judge.judge(
        config: config, canary: samples(input.canary), baseline: samples(input.baseline),
        thresholds: input.thresholds ?? config.scoreThresholds ?? .standard)
    // Compared as text: statistics of an empty series are NaN, which is never equal to itself.
    require("\(judgement)" == "\(again)", "judging the same samples twice gave different judgements")
    // Kayenta's scorer uses configured group weights as given, so a score may exceed 100; it must stay a number.
    require(judgement.score.isFinite, "the score is \(judgement.score): \(judgement)")
    let payload = JSONValue.object([
        ("outcome", .string(judgement.verdict.rawValue)), ("score", .number(judgement.score)),
        ("judge", .string(judgement.judgeName)),
        (
            "metrics",
            .array(
                judgement.metrics.map { m in
                    .object([
                        ("name", .string(m.name)), ("classification", .string(m.classification.rawValue)),
                        ("canary", summary(input.canary[m.name])), ("baseline", summary(input.baseline[m.name])),
                    ])
                })
        ),
    ])
    let text = payload.canonicalString
    require((try? JSONValue(parsing: text)) != nil, "the canary.judged payload is not JSON: \(text)")
    return 0
}
