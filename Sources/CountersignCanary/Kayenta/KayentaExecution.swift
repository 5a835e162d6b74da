public import CountersignEncoding
public import Foundation

/// One Kayenta canary execution: a single judgement of one configuration over one request's scopes.
public struct KayentaExecution: Sendable, Hashable {
    /// Kayenta's (Orca's) execution status, lowercase as `GET /canary/{id}` reports it.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case running
        case succeeded
        /// The execution could not judge: a metric could not be read. `failure` says why.
        case terminal
    }

    /// Kayenta's optional query parameters, echoed in the status.
    public struct Accounts: Sendable, Hashable {
        public var application: String
        public var metricsAccountName: String?
        public var configurationAccountName: String?
        public var storageAccountName: String?

        public init(
            application: String = "ad-hoc", metricsAccountName: String? = nil,
            configurationAccountName: String? = nil, storageAccountName: String? = nil
        ) {
            self.application = application
            self.metricsAccountName = metricsAccountName
            self.configurationAccountName = configurationAccountName
            self.storageAccountName = storageAccountName
        }
    }

    public var id: String
    /// `nil` for an ad-hoc execution (`POST /canary` with the config in the body).
    public var configId: String?
    public var configuration: CanaryConfiguration
    public var accounts: Accounts
    public var request: KayentaExecutionRequest
    public var status: Status
    public var judgement: CanaryJudgement?
    public var failure: String?
    public var started: Date
    public var ended: Date?
    /// An ad-hoc execution's configuration as it was sent, so another process can judge it.
    public var configurationJSON: JSONValue? = nil

    public var complete: Bool { status != .running }

    /// The score Argo Rollouts reads (`result.judgeResult.score.score`, truncated to an integer and compared with
    /// the thresholds). For Kayenta's judge it is the weighted score. countersign-v1's verdict can differ from its
    /// score's band (a broken critical metric fails, too little data is inconclusive), and Argo sees only the
    /// score, so the score is moved into the verdict's band: a pass keeps it; marginal and inconclusive land in
    /// [marginal, pass − 1] (Argo's Inconclusive, which pauses the rollout); fail and error land below `marginal`.
    public var reportedScore: Double? {
        guard let judgement else { return nil }
        let t = request.thresholds
        let score = judgement.score
        switch judgement.verdict {
        case .pass: return score
        case .marginal, .inconclusive:
            return Swift.min(Swift.max(score, t.marginal.rounded(.up)), t.pass.rounded(.up) - 1)
        case .fail, .error: return Swift.max(0, Swift.min(score, t.marginal.rounded(.up) - 1))
        }
    }
}
