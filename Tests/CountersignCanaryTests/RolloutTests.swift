import Foundation
import Synchronization
import Testing

@testable import CountersignCanary

/// Argo canary steps judged by Countersign: setWeight, pauses and analysis steps become promote / hold / abort.
@Suite struct RolloutTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    static let rollout = """
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: checkout}
        spec:
          replicas: 10
          strategy:
            canary:
              steps:
              - setWeight: 20
              - pause: {duration: 10m}
              - analysis:
                  templates:
                  - templateName: success-rate
                  args:
                  - name: service
                    value: checkout
              - setWeight: 50
              - pause: {}
              - setWeight: 80
              - pause: {duration: 30}
        """

    static func template(count: Int = 3) throws -> AnalysisTemplate {
        try AnalysisTemplate(
            name: "success-rate", args: [AnalysisArgument(name: "service")],
            metrics: [
                AnalysisMetric(
                    name: "rate", interval: .seconds(60), count: count, successCondition: "result >= 0.95",
                    failureCondition: "result < 0.5", provider: .file(SamplesFile(path: "rate")))
            ])
    }

    @Test func decodesArgoSteps() throws {
        let plan = try RolloutPlan(yaml: Self.rollout)
        #expect(plan.name == "checkout")
        #expect(
            plan.steps == [
                .setWeight(20), .pause(.seconds(600)),
                .analysis(templates: ["success-rate"], args: ["service": "checkout"]),
                .setWeight(50), .pause(nil), .setWeight(80), .pause(.seconds(30)),
            ])
    }

    @Test func refusesWhatItCannotJudge() {
        let header = """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: r}
            spec:
              strategy:
                canary:

            """
        for (body, fragment) in [
            ("      steps:\n      - experiment: {duration: 1h}", "step kind 'experiment' is not supported"),
            (
                "      analysis: {templates: [{templateName: a}]}\n      steps:\n      - setWeight: 5",
                "background analysis"
            ),
            ("      steps:\n      - setWeight: 120", "120 is not a percentage"),
            ("      steps:\n      - {setWeight: 5, pause: {}}", "exactly one kind"),
            ("      steps: []", "at least one step"),
        ] {
            do {
                _ = try RolloutPlan(yaml: header + body)
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }

    @Test func replicaRoundingAsArgo() {
        #expect(RolloutPlan.canaryReplicas(weight: 41, of: 10) == 4)
        #expect(RolloutPlan.canaryReplicas(weight: 45, of: 10) == 5)  // a tie rounds the canary up
        #expect(RolloutPlan.canaryReplicas(weight: 100, of: 3) == 3)
        #expect(RolloutPlan.canaryReplicas(weight: 0, of: 3) == 0)
    }

    static func executor(_ rates: [Double], count: Int = 3) throws -> (RolloutExecutor, VirtualClock) {
        let clock = VirtualClock(start: start)
        let provider = ScriptedProvider(["rate": rates.map { .success(.number($0)) }])
        let executor = try RolloutExecutor(
            plan: try RolloutPlan(yaml: rollout), templates: [try template(count: count)], provider: provider,
            clock: clock)
        return (executor, clock)
    }

    @Test func passingAnalysisHoldsAtTheIndefinitePauseThenPromotes() async throws {
        let (executor, clock) = try Self.executor([0.99, 0.99, 0.99])
        let held = await executor.run()
        #expect(
            held.events.map(\.decision) == [
                .setWeight(20), .setWeight(50), .hold(reason: "CanaryPauseStep: paused until promoted"),
            ])
        #expect(held.resumeAt == 5)
        // 10 minutes of pause, then measurements at +0, +1, +2 minutes.
        #expect(held.events[1].at == Self.start.addingTimeInterval(600 + 120))
        let resumed = await executor.run(from: held.resumeAt ?? 0)
        #expect(resumed.events.map(\.decision) == [.setWeight(80), .promote])
        #expect(resumed.resumeAt == nil)
        #expect(clock.now() == Self.start.addingTimeInterval(600 + 120 + 30))
    }

    @Test func failingAnalysisAborts() async throws {
        let (executor, _) = try Self.executor([0.99, 0.2])
        let outcome = await executor.run()
        guard case .abort(let reason) = outcome.final else {
            Issue.record("expected abort, got \(outcome.final)")
            return
        }
        #expect(
            reason
                == #"Step-based analysis phase Failed: Metric "rate" assessed Failed due to failed (1) > failureLimit (0)"#
        )
        #expect(outcome.events.last?.analysis?.phase == .failed)
        #expect(!outcome.events.contains { $0.decision == .setWeight(50) })
    }

    @Test func inconclusiveAnalysisHolds() async throws {
        let (executor, _) = try Self.executor([0.99, 0.7])
        let outcome = await executor.run()
        guard case .hold(let reason) = outcome.final else {
            Issue.record("expected hold, got \(outcome.final)")
            return
        }
        #expect(reason.hasPrefix("InconclusiveAnalysisRun"))
        #expect(outcome.resumeAt == 3)
    }

    @Test func missingTemplatesAndArgumentsAreRefusedUpFront() throws {
        let plan = try RolloutPlan(yaml: Self.rollout)
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try RolloutExecutor(plan: plan, templates: [], provider: ScriptedProvider([:]))
        }
        let needsTwo = try AnalysisTemplate(
            name: "success-rate", args: [AnalysisArgument(name: "service"), AnalysisArgument(name: "region")],
            metrics: try Self.template().metrics)
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try RolloutExecutor(plan: plan, templates: [needsTwo], provider: ScriptedProvider([:]))
        }
    }

    @Test func mergingTemplates() throws {
        let a = try Self.template()
        var b = try Self.template()
        b.name = "other"
        #expect(throws: CanaryError(.invalidConfiguration, "")) { try AnalysisTemplate.merged([a, b]) }
        b.metrics[0].name = "latency"
        let merged = try AnalysisTemplate.merged([a, b])
        #expect(merged.metrics.map(\.name) == ["rate", "latency"])
        #expect(merged.args.map(\.name) == ["service"])
    }
}

/// A Flagger metric source answering from a script of values (`nil` = no data), one per call.
final class ScriptedFlaggerSource: FlaggerMetricSource {
    private let queue: Mutex<[Double?]>
    init(_ values: [Double?]) { queue = Mutex(values) }
    func value(of metric: FlaggerMetric, at time: Date) async throws(CanaryError) -> Double? {
        queue.withLock { q in q.isEmpty ? nil : q.removeFirst() }
    }
}

@Suite struct FlaggerTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    static let canary = """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          analysis:
            interval: 1m
            threshold: 2
            maxWeight: 50
            stepWeight: 20
            metrics:
            - name: error-ratio
              templateRef: {name: error-ratio, namespace: test}
              templateVariables: {service: steady}
              thresholdRange: {max: 0.05}
              interval: 1m
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: error-ratio, namespace: test}
        spec:
          provider: {type: prometheus, address: "http://prometheus:9090"}
          query: canary_error_ratio{service="{{ variables.service }}",ns="{{ namespace }}",t="{{target}}",w="{{ interval }}"}
        """

    static func analysis(threshold: Int = 2, maxWeight: Int = 50, stepWeight: Int = 20, stepWeights: [Int] = [])
        throws -> FlaggerAnalysis
    {
        try FlaggerAnalysis(
            name: "c", interval: .seconds(60), threshold: threshold, maxWeight: maxWeight, stepWeight: stepWeight,
            stepWeights: stepWeights,
            metrics: [FlaggerMetric(name: "m", query: PrometheusQuery(query: "m"), max: 0.05)])
    }

    @Test func decodesCanaryAndMetricTemplate() throws {
        let a = try FlaggerAnalysis(yaml: Self.canary)
        #expect(a.name == "podinfo")
        #expect(a.interval == .seconds(60))
        #expect(a.threshold == 2)
        #expect(a.metrics[0].max == 0.05)
        #expect(a.metrics[0].query.address == "http://prometheus:9090")
        #expect(a.metrics[0].query.query == #"canary_error_ratio{service="steady",ns="test",t="podinfo",w="1m"}"#)
    }

    @Test func defaultsAndClamps() throws {
        let a = try FlaggerAnalysis(
            name: "c", interval: .seconds(2), threshold: 0, stepWeight: 10,
            metrics: [FlaggerMetric(name: "m", query: PrometheusQuery(query: "m"), min: 99)])
        #expect(a.interval == .seconds(10))
        #expect(a.threshold == 1)
        #expect(a.metrics[0].passes(99))  // bounds are inclusive
        #expect(!a.metrics[0].passes(98.9))
    }

    @Test func weightOvershootsMaxWeight() async throws {
        let outcome = await FlaggerExecutor(
            analysis: try Self.analysis(), source: ScriptedFlaggerSource(Array(repeating: 0.01, count: 10)),
            clock: VirtualClock(start: Self.start)
        ).run()
        #expect(outcome.events.map(\.decision) == [.setWeight(20), .setWeight(40), .setWeight(60), .promote])
        #expect(outcome.events.last?.at == Self.start.addingTimeInterval(180))
    }

    @Test func stepWeightsEndAtTheLast() throws {
        let a = try Self.analysis(stepWeights: [1, 5, 25, 50])
        #expect(a.nextWeight(after: 0) == 1)
        #expect(a.nextWeight(after: 5) == 25)
        #expect(a.nextWeight(after: 50) == nil)
    }

    @Test func failedChecksAreCumulativeAndNoDataFails() async throws {
        let checks = Mutex<[FlaggerCheck]>([])
        // pass, fail, pass, no data: the second failure reaches threshold 2, so the next iteration rolls back.
        let outcome = await FlaggerExecutor(
            analysis: try Self.analysis(maxWeight: 100, stepWeight: 10),
            source: ScriptedFlaggerSource([0.01, 0.5, 0.01, nil, 0.01]), clock: VirtualClock(start: Self.start)
        ).run(onCheck: { c in checks.withLock { $0.append(c) } })
        #expect(
            outcome.events.map(\.decision) == [
                .setWeight(10), .setWeight(20), .setWeight(30), .abort(reason: "Failed checks threshold reached 2"),
            ])
        let seen = checks.withLock { $0 }
        #expect(seen.map(\.passed) == [true, false, true, false])
        #expect(seen[3].message == "Halt advancement no values found for metric m")
        #expect(seen[1].message?.contains("outside") == true)
    }

    @Test func badCanaries() {
        for (yaml, fragment) in [
            (
                "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: c}\nspec:\n  targetRef: {name: t}\n  analysis:\n    stepWeight: 10\n    metrics:\n    - name: request-success-rate\n      thresholdRange: {min: 99}",
                "builtin metrics"
            ),
            (
                "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: c}\nspec:\n  targetRef: {name: t}\n  analysis:\n    stepWeight: 10\n    metrics:\n    - name: m\n      query: up\n",
                "thresholdRange needs min or max"
            ),
            (
                "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: c}\nspec:\n  targetRef: {name: t}\n  analysis:\n    stepWeight: 10\n    metrics:\n    - name: m\n      query: 'x{a=\"{{ nope }}\"}'\n      thresholdRange: {max: 1}",
                "unknown template variable 'nope'"
            ),
            ("apiVersion: v1\nkind: ConfigMap\n", "expected flagger.app"),
        ] {
            do {
                _ = try FlaggerAnalysis(yaml: yaml)
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }

    /// The Flagger loop against the real Prometheus, replayed from minute 15: the degrading service fails its
    /// check at minute 20 and rolls back at 21 (threshold 1); the steady one promotes at minute 20.
    @Test func replayedAgainstPrometheus() async throws {
        let address = try PrometheusProviderTests.address()
        for (service, final) in [
            ("steady", RolloutDecision.promote), ("degrading", .abort(reason: "Failed checks threshold reached 1")),
        ] {
            let a = try FlaggerAnalysis(
                name: "c", interval: .seconds(60), threshold: 1, maxWeight: 50, stepWeight: 10,
                metrics: [
                    FlaggerMetric(
                        name: "error-ratio",
                        query: PrometheusQuery(query: "canary_error_ratio{service=\"\(service)\"}"),
                        max: 0.05)
                ])
            let outcome = await FlaggerExecutor(
                analysis: a, source: PrometheusProvider(defaultAddress: address),
                clock: VirtualClock(start: Self.start.addingTimeInterval(15 * 60))
            ).run()
            #expect(outcome.final == final, "\(service)")
            let minute = service == "steady" ? 20.0 : 21.0
            #expect(outcome.events.last?.at == Self.start.addingTimeInterval(minute * 60), "\(service)")
        }
    }
}
