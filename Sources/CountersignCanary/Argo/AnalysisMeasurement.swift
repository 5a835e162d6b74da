public import Foundation

/// One measurement of one metric: what the provider returned and the phase the conditions gave it.
public struct AnalysisMeasurement: Sendable, Hashable {
    public var metric: String
    /// Successful, Failed, Inconclusive or Error.
    public var phase: AnalysisPhase
    /// The provider's value as Argo stores it (`[0.99]`, `0.5`, `{"ok":true}`); `nil` when the provider failed.
    public var value: String?
    /// Why the phase is not Successful: the condition that decided, or the provider's or evaluator's error.
    public var message: String?
    public var startedAt: Date
    public var finishedAt: Date

    public init(
        metric: String, phase: AnalysisPhase, value: String? = nil, message: String? = nil, startedAt: Date,
        finishedAt: Date
    ) {
        self.metric = metric
        self.phase = phase
        self.value = value
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
