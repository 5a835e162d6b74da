public import Foundation

/// A source of Flagger metric values: one number per check, or `nil` for no data.
public protocol FlaggerMetricSource: Sendable {
    func value(of metric: FlaggerMetric, at time: Date) async throws(CanaryError) -> Double?
}

extension PrometheusProvider: FlaggerMetricSource {
    /// Flagger's reading of a Prometheus answer: a scalar, or the last series of a vector; an empty vector or NaN
    /// is no data; a matrix is an error (Flagger's ErrMultipleValuesReturned).
    public func value(of metric: FlaggerMetric, at time: Date) async throws(CanaryError) -> Double? {
        let value: Double?
        switch try await query(metric.query, at: time) {
        case .scalar(let x): value = x
        case .vector(let xs): value = xs.last
        case .matrix:
            throw CanaryError(.measurementFailed, "metric \(metric.name): the query returned a matrix, not one value")
        }
        guard let value, !value.isNaN else { return nil }
        return value
    }
}

/// One metric check of one Flagger iteration.
public struct FlaggerCheck: Sendable, Hashable {
    public var iteration: Int
    public var metric: String
    /// `nil` for no data or a failed query.
    public var value: Double?
    public var passed: Bool
    public var message: String?
    public var at: Date
}

/// Flagger's control loop over the metric analysis (reference §4.3): each `interval`, roll back once failed
/// checks reach the threshold; otherwise check every metric (the first failure ends the iteration and counts,
/// cumulatively — a later success never resets it); when all pass, step the weight or promote.
public struct FlaggerExecutor: Sendable {
    public let analysis: FlaggerAnalysis
    private let source: any FlaggerMetricSource
    private let clock: any AnalysisClock

    public init(
        analysis: FlaggerAnalysis, source: any FlaggerMetricSource, clock: any AnalysisClock = SystemAnalysisClock()
    ) {
        self.analysis = analysis
        self.source = source
        self.clock = clock
    }

    public func run(
        onCheck: @Sendable (FlaggerCheck) -> Void = { _ in }, onEvent: @Sendable (RolloutEvent) -> Void = { _ in }
    ) async -> RolloutOutcome {
        var events: [RolloutEvent] = []
        func emit(_ iteration: Int, _ decision: RolloutDecision) {
            let event = RolloutEvent(step: iteration, decision: decision, at: clock.now(), analysis: nil)
            events.append(event)
            onEvent(event)
        }
        var weight = 0
        var failedChecks = 0
        var iteration = 0
        while true {
            if failedChecks >= analysis.threshold {
                emit(iteration, .abort(reason: "Failed checks threshold reached \(failedChecks)"))
                return .init(events: events, resumeAt: nil)
            }
            // The first pass only shifts traffic: with no canary traffic there is nothing to measure.
            var passed = true
            if weight > 0 {
                for metric in analysis.metrics {
                    let check = await self.check(metric, iteration: iteration)
                    onCheck(check)
                    if !check.passed {
                        passed = false
                        failedChecks += 1
                        break
                    }
                }
            }
            if passed {
                guard let next = analysis.nextWeight(after: weight) else {
                    emit(iteration, .promote)
                    return .init(events: events, resumeAt: nil)
                }
                weight = next
                emit(iteration, .setWeight(weight))
            }
            do {
                try await clock.sleep(until: clock.now().addingTimeInterval(analysis.interval.timeInterval))
            } catch {
                emit(iteration, .hold(reason: "terminated"))
                return .init(events: events, resumeAt: nil)
            }
            iteration += 1
        }
    }

    private func check(_ metric: FlaggerMetric, iteration: Int) async -> FlaggerCheck {
        let now = clock.now()
        do {
            guard let value = try await source.value(of: metric, at: now) else {
                return FlaggerCheck(
                    iteration: iteration, metric: metric.name, value: nil, passed: false,
                    message: "Halt advancement no values found for metric \(metric.name)", at: now)
            }
            let passed = metric.passes(value)
            var why: String?
            if !passed {
                let range = "[\(metric.min.map { "\($0)" } ?? "-∞"), \(metric.max.map { "\($0)" } ?? "∞")]"
                why = "metric \(metric.name) value \(value) is outside \(range)"
            }
            return FlaggerCheck(
                iteration: iteration, metric: metric.name, value: value, passed: passed, message: why, at: now)
        } catch {
            return FlaggerCheck(
                iteration: iteration, metric: metric.name, value: nil, passed: false, message: error.message, at: now)
        }
    }
}
