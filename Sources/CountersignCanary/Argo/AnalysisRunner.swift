public import Foundation

/// Runs an Argo Rollouts analysis: measures each metric on its schedule, assesses metric and run phases exactly
/// as Argo does (reference §3.3), and stops as soon as the outcome is known.
///
/// Cancelling the task that runs ``run(onMeasurement:)`` is Argo's `spec.terminate`: no new measurements start,
/// and metrics that violated no limit complete Successful.
public struct AnalysisRunner: Sendable {
    public let template: AnalysisTemplate
    /// Each metric's state before its first measurement: arguments substituted, conditions compiled.
    private let initial: [MetricRunState]
    private let provider: any MetricProvider
    private let clock: any AnalysisClock

    /// Prepares a run: resolves the arguments and substitutes them into every provider block.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` for an argument without a value, an unknown argument,
    ///   or a provider Countersign does not run.
    public init(
        template: AnalysisTemplate, arguments: [String: String] = [:], provider: any MetricProvider,
        clock: any AnalysisClock = SystemAnalysisClock()
    ) throws(CanaryError) {
        let values = try template.resolvedArguments(arguments)
        var initial: [MetricRunState] = []
        for metric in template.metrics {
            if case .other(let type, _) = metric.provider {
                throw CanaryError(
                    .invalidConfiguration,
                    "metric '\(metric.name)': provider '\(type)' is not supported (use prometheus, web or file)")
            }
            initial.append(
                try MetricRunState(
                    metric: metric, spec: try metric.provider.substituting(values),
                    dryRun: template.isDryRun(metric.name)))
        }
        self.template = template
        self.initial = initial
        self.provider = provider
        self.clock = clock
    }

    /// Runs to completion, calling `onMeasurement` after each measurement in the order they were taken.
    public func run(onMeasurement: @Sendable (AnalysisMeasurement) -> Void = { _ in }) async -> AnalysisRunResult {
        let start = clock.now()
        var states = initial
        for i in states.indices {
            states[i].nextDue = start.addingTimeInterval(states[i].metric.initialDelay.map(\.timeInterval) ?? 0)
        }
        var terminated = false
        while true {
            if Task.isCancelled { terminated = true }
            let phases = states.map { $0.assess(terminating: false).phase }
            let decided = zip(states, phases).contains { state, phase in
                !state.dryRun && [.failed, .error, .inconclusive].contains(phase)
            }
            if decided { terminated = true }
            if terminated || phases.allSatisfy(\.isCompleted) { break }

            let now = clock.now()
            let open = states.indices.filter { !phases[$0].isCompleted }
            let due = open.filter { states[$0].nextDue <= now }
            if due.isEmpty {
                let next = open.map { states[$0].nextDue }.min() ?? now
                do { try await clock.sleep(until: next) } catch { terminated = true }
                continue
            }
            for (i, measurement) in await measure(due.map { ($0, states[$0]) }) {
                states[i].record(measurement)
                onMeasurement(measurement)
            }
        }
        return result(states, terminated: terminated, start: start)
    }

    /// Takes the due measurements concurrently; returns them in metric order so output is deterministic.
    private func measure(_ due: [(Int, MetricRunState)]) async -> [(Int, AnalysisMeasurement)] {
        await withTaskGroup(of: (Int, AnalysisMeasurement).self) { group in
            for (i, state) in due {
                group.addTask { [provider, clock] in
                    let started = clock.now()
                    do throws(CanaryError) {
                        let value = try await provider.measure(state.spec, at: started)
                        let (phase, message) = state.evaluator.evaluate(value)
                        return (
                            i,
                            AnalysisMeasurement(
                                metric: state.metric.name, phase: phase, value: value.description, message: message,
                                startedAt: started, finishedAt: clock.now())
                        )
                    } catch  where Task.isCancelled {
                        // Argo's Terminate(): a measurement cut short by termination does not count against it.
                        return (
                            i,
                            AnalysisMeasurement(
                                metric: state.metric.name, phase: .successful, message: "Metric Terminated",
                                startedAt: started, finishedAt: clock.now())
                        )
                    } catch {
                        return (
                            i,
                            AnalysisMeasurement(
                                metric: state.metric.name, phase: .error, message: error.message, startedAt: started,
                                finishedAt: clock.now())
                        )
                    }
                }
            }
            var out: [(Int, AnalysisMeasurement)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }
        }
    }

    private func result(_ states: [MetricRunState], terminated: Bool, start: Date) -> AnalysisRunResult {
        var metrics: [MetricResult] = []
        for s in states {
            let (phase, message) = s.assess(terminating: terminated)
            metrics.append(
                MetricResult(
                    name: s.metric.name, phase: phase, message: message, dryRun: s.dryRun, counts: s.counts,
                    measurements: s.measurements))
        }
        let deciding = metrics.filter { !$0.dryRun }
        let phase = AnalysisPhase.worst(deciding.map(\.phase))
        var message: String?
        if let worst = deciding.first(where: { $0.phase == phase && $0.message != nil }), let why = worst.message {
            message = "Metric \"\(worst.name)\" assessed \(phase) due to \(why)"
        }
        return AnalysisRunResult(
            phase: phase, message: message, metrics: metrics, terminated: terminated, startedAt: start,
            finishedAt: clock.now())
    }
}
