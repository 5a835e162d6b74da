public import Foundation

/// Walks a rollout plan and decides, step by step, what the traffic mover should do (reference §3.5): each
/// `setWeight` is passed on, timed pauses wait on the clock, `pause: {}` holds for a person, and each analysis
/// step runs to completion — Successful continues, Inconclusive holds, Failed or Error aborts.
///
/// The executor keeps no state between calls: a held rollout resumes with ``run(from:onEvent:)`` at the step
/// after the hold, so the control plane can record the hold, wait for a person's decision, and carry on.
public struct RolloutExecutor: Sendable {
    public let plan: RolloutPlan
    /// The run of each analysis step (its templates merged, arguments resolved), by step index.
    private let analyses: [Int: AnalysisRunner]
    private let clock: any AnalysisClock

    /// - Throws: ``CanaryError/Code/invalidConfiguration`` when a step names a template that is not given, the
    ///   templates cannot be merged, or an argument has no value.
    public init(
        plan: RolloutPlan, templates: [AnalysisTemplate], provider: any MetricProvider,
        clock: any AnalysisClock = SystemAnalysisClock()
    ) throws(CanaryError) {
        var byName: [String: AnalysisTemplate] = [:]
        for t in templates { byName[t.name] = t }
        var analyses: [Int: AnalysisRunner] = [:]
        for (i, step) in plan.steps.enumerated() {
            guard case .analysis(let names, let args) = step else { continue }
            var parts: [AnalysisTemplate] = []
            for name in names {
                guard let t = byName[name] else {
                    throw CanaryError(.invalidConfiguration, "steps[\(i)]: analysis template '\(name)' was not given")
                }
                parts.append(t)
            }
            analyses[i] = try AnalysisRunner(
                template: try AnalysisTemplate.merged(parts), arguments: args, provider: provider, clock: clock)
        }
        self.plan = plan
        self.analyses = analyses
        self.clock = clock
    }

    /// Runs from step `start` until the plan promotes, aborts or holds, reporting each decision as it is made.
    public func run(from start: Int = 0, onEvent: @Sendable (RolloutEvent) -> Void = { _ in }) async -> RolloutOutcome {
        var events: [RolloutEvent] = []
        func emit(_ step: Int, _ decision: RolloutDecision, _ analysis: AnalysisRunResult? = nil) {
            let event = RolloutEvent(step: step, decision: decision, at: clock.now(), analysis: analysis)
            events.append(event)
            onEvent(event)
        }
        var index = max(0, start)
        while index < plan.steps.count {
            switch plan.steps[index] {
            case .setWeight(let w):
                emit(index, .setWeight(w))
            case .pause(let duration?):
                do {
                    try await clock.sleep(until: clock.now().addingTimeInterval(duration.timeInterval))
                } catch {
                    emit(index, .hold(reason: "terminated during a pause"))
                    return RolloutOutcome(events: events, resumeAt: index)
                }
            case .pause(nil):
                emit(index, .hold(reason: "CanaryPauseStep: paused until promoted"))
                return RolloutOutcome(events: events, resumeAt: index + 1)
            case .analysis:
                guard let runner = analyses[index] else { break }  // built for every analysis step in init
                let result = await runner.run()
                if Task.isCancelled {
                    // A terminated run ends Successful in Argo's terms; a rollout must not promote on it.
                    emit(index, .hold(reason: "terminated during analysis"), result)
                    return RolloutOutcome(events: events, resumeAt: index)
                }
                let why = result.message.map { ": \($0)" } ?? ""
                switch result.phase {
                case .successful:
                    break
                case .inconclusive:
                    emit(index, .hold(reason: "InconclusiveAnalysisRun\(why)"), result)
                    return RolloutOutcome(events: events, resumeAt: index + 1)
                case .failed, .error:
                    emit(index, .abort(reason: "Step-based analysis phase \(result.phase)\(why)"), result)
                    return RolloutOutcome(events: events, resumeAt: nil)
                case .running, .pending:
                    emit(index, .hold(reason: "analysis ended unfinished"), result)
                    return RolloutOutcome(events: events, resumeAt: index)
                }
            }
            index += 1
        }
        emit(plan.steps.count, .promote)
        return RolloutOutcome(events: events, resumeAt: nil)
    }
}

/// The outcome of walking a rollout plan (or a Flagger analysis): every decision made, the last of which is final.
public struct RolloutOutcome: Sendable, Hashable {
    public var events: [RolloutEvent]
    /// `promote`, `abort` or `hold`.
    public var final: RolloutDecision { events.last?.decision ?? .hold(reason: "no decision was made") }
    /// Where to resume after a hold; `nil` once promoted or aborted.
    public var resumeAt: Int?
}
