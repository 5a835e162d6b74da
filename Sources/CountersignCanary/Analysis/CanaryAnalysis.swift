/// Several judgements over one canary's lifetime, as Kayenta's standalone canary analysis (and Spinnaker's canary
/// stage) runs them, as a pure function over already-collected series.
///
/// Series are aligned: point k of every series covers [k·step, (k + 1)·step) seconds after the analysis start.
/// Judgement i (1-based) covers [beginAfter, beginAfter + i·interval) minutes — a growing window — or, with
/// `lookbackMinutes` > 0, the last `lookback` minutes of that window — a sliding one. A judgement whose score is
/// at or below the marginal threshold (or whose verdict is `fail`) ends the analysis early; only the last score
/// decides.
public enum CanaryAnalysis {
    /// When judgements happen.
    public struct Schedule: Sendable, Hashable {
        public var lifetimeMinutes: Int
        /// Minutes between judgements; nil, 0 or more than the lifetime means one judgement at the end.
        public var intervalMinutes: Int?
        /// > 0: each judgement looks at only this many minutes back from its end.
        public var lookbackMinutes: Int
        /// Minutes skipped at the start (warm-up); both window ends move by this much.
        public var beginAfterMinutes: Int
        /// Seconds per series point (Kayenta's `step`, default 60).
        public var stepSeconds: Int

        /// - Precondition: lifetime > 0, step > 0, lookback and beginAfter ≥ 0.
        public init(
            lifetimeMinutes: Int, intervalMinutes: Int? = nil, lookbackMinutes: Int = 0, beginAfterMinutes: Int = 0,
            stepSeconds: Int = 60
        ) {
            precondition(lifetimeMinutes > 0, "the lifetime must be positive")
            precondition(stepSeconds > 0, "the step must be positive")
            precondition(lookbackMinutes >= 0 && beginAfterMinutes >= 0, "offsets must not be negative")
            self.lifetimeMinutes = lifetimeMinutes
            self.intervalMinutes = intervalMinutes
            self.lookbackMinutes = lookbackMinutes
            self.beginAfterMinutes = beginAfterMinutes
            self.stepSeconds = stepSeconds
        }

        /// The effective interval: Kayenta falls back to the lifetime when the interval is missing, 0 or longer.
        public var effectiveIntervalMinutes: Int {
            guard let i = intervalMinutes, i > 0, i <= lifetimeMinutes else { return lifetimeMinutes }
            return i
        }

        /// The windows of the judgements, in minutes from the analysis start: start..<end.
        public var windows: [Range<Int>] {
            let interval = effectiveIntervalMinutes
            return (1...(lifetimeMinutes / interval)).map { i in
                let end = beginAfterMinutes + i * interval
                let start =
                    lookbackMinutes > 0 ? Swift.max(beginAfterMinutes, end - lookbackMinutes) : beginAfterMinutes
                return start..<end
            }
        }
    }

    /// Kayenta's warning threshold: fewer baseline points than this in any metric "can reduce confidence".
    public static let fewDataPoints = 50

    /// Runs the scheduled judgements and aggregates them as Kayenta does.
    public static func run(
        judge: some CanaryJudge, config: CanaryConfiguration, canary: [String: [Double]],
        baseline: [String: [Double]], schedule: Schedule, thresholds: ScoreThresholds
    ) -> CanaryAnalysisResult {
        var judgements: [WindowedJudgement] = []
        for window in schedule.windows {
            let points =
                (window.lowerBound * 60 / schedule.stepSeconds)..<(window.upperBound * 60 / schedule.stepSeconds)
            let judgement = judge.judge(
                config: config, canary: slice(canary, points), baseline: slice(baseline, points),
                thresholds: thresholds)
            judgements.append(
                WindowedJudgement(startMinute: window.lowerBound, endMinute: window.upperBound, judgement: judgement))
            if judgement.score <= thresholds.marginal || judgement.verdict == .fail { break }
        }
        return aggregate(judgements, thresholds: thresholds)
    }

    static func aggregate(_ judgements: [WindowedJudgement], thresholds: ScoreThresholds) -> CanaryAnalysisResult {
        guard let last = judgements.last?.judgement else {
            return CanaryAnalysisResult(
                judgements: [], didPassThresholds: false, hasWarnings: false,
                message: "There were no successful canary judgements to aggregate", verdict: .error)
        }
        let didPass: Bool
        let message: String
        if last.score <= thresholds.marginal {
            didPass = false
            message = "Final canary score \(last.score) is not above the marginal score threshold."
        } else if last.score < thresholds.pass {
            didPass = false
            message = "Final canary score \(last.score) is below the pass score threshold."
        } else {
            didPass = true
            message = "Final canary score \(last.score) met or exceeded the pass score threshold."
        }
        let hasWarnings = judgements.contains { w in
            w.judgement.metrics.contains { $0.baselineStatistics.count < fewDataPoints }
        }
        return CanaryAnalysisResult(
            judgements: judgements, didPassThresholds: didPass, hasWarnings: hasWarnings, message: message,
            verdict: last.verdict.combined(with: didPass ? .pass : .fail))
    }

    private static func slice(_ series: [String: [Double]], _ points: Range<Int>) -> [String: [Double]] {
        series.mapValues { values in
            let lower = Swift.min(points.lowerBound, values.count)
            let upper = Swift.min(points.upperBound, values.count)
            return Array(values[lower..<upper])
        }
    }
}

/// One judgement of an analysis, with its window in minutes from the analysis start.
public struct WindowedJudgement: Sendable, Hashable, Codable {
    public var startMinute: Int
    public var endMinute: Int
    public var judgement: CanaryJudgement
}

/// The aggregate of an analysis's judgements.
public struct CanaryAnalysisResult: Sendable, Hashable, Codable {
    /// In order; fewer than scheduled when one ended the analysis early.
    public var judgements: [WindowedJudgement]
    /// Kayenta's decision: the last score against the thresholds.
    public var didPassThresholds: Bool
    /// Some metric had fewer than 50 baseline points in some judgement.
    public var hasWarnings: Bool
    public var message: String
    /// The last judgement's verdict combined with the threshold decision (worst wins).
    public var verdict: CanaryVerdict
}
