public import CountersignCanary
internal import CountersignCore
public import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// The Kayenta API over `configurations`, reading metrics from the Prometheus at `prometheus`, its executions
    /// kept in the ledger (``LedgerKayentaExecutions``): any node answers a poll, a restart loses nothing, and each
    /// judged execution is recorded as `canary.judged` with its finish.
    public func kayenta(configurations: [CanaryConfiguration], prometheus: String) throws(CanaryError) -> KayentaAPI {
        let service = try KayentaService(
            configurations: configurations, source: PrometheusKayentaSource(address: prometheus),
            store: LedgerKayentaExecutions(control: self))
        return KayentaAPI(service: service)
    }

    /// The `canary.judged` of one finished Kayenta execution.
    ///
    /// It is Countersign's own analysis of metrics it queried itself, so it may gate — but only the digest and
    /// environment it can be shown to have judged (``KayentaExecution/binding``), under its configuration's name,
    /// and only in an environment of the policy. Any other execution is recorded and gates nothing.
    func canaryJudged(_ execution: KayentaExecution) -> CanaryJudged {
        var judged = CanaryJudged(
            id: execution.id, digest: nil, template: execution.configId ?? "ad-hoc", outcome: .fail, score: nil,
            judge: nil, application: execution.accounts.application, status: execution.status.rawValue)
        if execution.configId != nil, let bound = execution.binding, ArtifactReference.isDigest(bound.digest),
            policy.bundle.environments[Names.canonical(bound.environment)] != nil
        {
            judged.digest = bound.digest
            judged.environment = Names.canonical(bound.environment)
        }
        if let judgement = execution.judgement, let score = execution.reportedScore {
            judged.outcome = judgement.verdict.gateOutcome
            judged.score = score
            judged.judge = judgement.judgeName
        } else {
            judged.failure = execution.failure ?? "not judged"
        }
        return judged
    }
}

/// The body of `POST /api/v1/canary/judgements`: one judgement of a canary against its baseline, bound to the
/// digest it gates.
public struct CanaryJudgementInput: Sendable, Decodable {
    public var digest: String
    /// The environment whose canary and baseline the samples are from: the verdict passes for it alone.
    public var environment: String
    /// The name the tier's `canary.template` refers to.
    public var template: String
    /// A Kayenta canary configuration, as Kayenta accepts it.
    public var config: JSONValue
    public var canary: [String: [Double?]]
    public var baseline: [String: [Double?]]
    /// `kayenta` (default) or `countersign-v1`.
    public var judge: String?
    public var thresholds: ScoreThresholds?
}

extension ControlPlane {
    /// Judges, records `canary.judged` for the digest (the gate's canary control reads it, with the submitter as its
    /// judge) and decides the open requests for the digest again. The samples are the submitter's word, so only an
    /// identity that cannot deploy submits them — an analysis automation with the builder role — never one holding
    /// the deployer role, which would be passing its own canary.
    public func judgeCanary(_ input: CanaryJudgementInput, by principal: Principal) async throws(ControlError)
        -> CanaryJudgement
    {
        try principal.require(.builder, to: "submit canary judgements")
        if policy.bundle.identity(principal.identity)?.roles.contains(.deployer) == true {
            throw ControlError(
                .forbidden,
                "\(principal.identity) holds the deployer role and may not judge canaries: a verdict comes from "
                    + "Countersign's own analysis or an identity that cannot deploy")
        }
        guard ArtifactReference.isDigest(input.digest) else {
            throw ControlError(.badRequest, "digest must be sha256:<64 hex>", details: ["field": "digest"])
        }
        let environment = Names.canonical(input.environment)
        guard policy.bundle.environments[environment] != nil else {
            throw ControlError(
                .badRequest, "environment: '\(input.environment)' is not an environment of the policy",
                details: ["field": "environment"])
        }
        let config: CanaryConfiguration
        do {
            config = try CanaryConfiguration.decode(input.config)
        } catch {
            throw ControlError(.badRequest, "config: \(error.message)", details: ["field": "config"])
        }
        let judge: any CanaryJudge
        switch input.judge ?? "kayenta" {
        case "kayenta": judge = KayentaJudge()
        case "countersign-v1": judge = CountersignJudge()
        default: throw ControlError(.badRequest, "judge must be kayenta or countersign-v1", details: ["field": "judge"])
        }
        let samples = { (s: [String: [Double?]]) in s.mapValues { $0.map { $0 ?? .nan } } }
        let judgement = judge.judge(
            config: config, canary: samples(input.canary), baseline: samples(input.baseline),
            thresholds: input.thresholds ?? config.scoreThresholds ?? .standard)
        try await record(
            CanaryJudged(
                id: Self.newID("cj_"), digest: input.digest, template: input.template,
                outcome: judgement.verdict.gateOutcome, score: judgement.score,
                judge: judgement.judgeName,
                metrics: judgement.metrics.map { m in
                    CanaryJudged.Metric(
                        name: m.name, classification: m.classification.rawValue,
                        canary: Self.summary(input.canary[m.name]), baseline: Self.summary(input.baseline[m.name]))
                }, environment: environment),
            actor: principal.identity)
        try await redecide(digest: input.digest, by: principal.identity)
        return judgement
    }
}

extension ControlPlane {
    /// A metric's sample as the canary pages draw it: count, minimum, quartiles, maximum (null when empty).
    static func summary(_ values: [Double?]?) -> CanaryJudged.Summary {
        let s = FiveNumberSummary((values ?? []).compactMap { $0 })
        guard s.count > 0 else {
            return CanaryJudged.Summary(count: 0, min: nil, q1: nil, median: nil, q3: nil, max: nil)
        }
        return CanaryJudged.Summary(count: s.count, min: s.min, q1: s.q1, median: s.median, q3: s.q3, max: s.max)
    }
}

extension CountersignCanary.CanaryVerdict {
    /// The outcome the gate's canary control reads: a pass passes, fail and error fail (fail closed), marginal
    /// and inconclusive wait for a person.
    var gateOutcome: CountersignCore.CanaryVerdict.Outcome {
        switch self {
        case .pass: .pass
        case .fail, .error: .fail
        case .marginal, .inconclusive: .inconclusive
        }
    }
}
