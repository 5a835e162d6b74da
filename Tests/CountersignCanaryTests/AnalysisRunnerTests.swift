import CountersignEncoding
import Foundation
import Synchronization
import Testing

@testable import CountersignCanary

/// A provider that answers from a script, one value (or error) per call per metric, and records the clock time
/// of each call.
final class ScriptedProvider: MetricProvider {
    private let state: Mutex<(script: [String: [Result<MeasurementValue, CanaryError>]], calls: [(String, Date)])>

    init(_ script: [String: [Result<MeasurementValue, CanaryError>]]) { state = Mutex((script, [])) }

    var calls: [(String, Date)] { state.withLock { $0.calls } }

    func measure(_ spec: MetricProviderSpec, at time: Date) async throws(CanaryError) -> MeasurementValue {
        guard case .file(let f) = spec else { throw CanaryError(.invalidInput, "scripted metrics use file specs") }
        let next: Result<MeasurementValue, CanaryError> = state.withLock { s in
            s.calls.append((f.path, time))
            guard var queue = s.script[f.path], !queue.isEmpty else {
                return .failure(CanaryError(.measurementFailed, "script for \(f.path) exhausted"))
            }
            let first = queue.removeFirst()
            s.script[f.path] = queue
            return first
        }
        return try next.get()
    }
}

/// The runner with a virtual clock: a ten-minute analysis in milliseconds, measuring at exactly the times Argo
/// would.
@Suite struct AnalysisRunnerTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    static func metric(
        _ name: String, interval: Duration? = .seconds(60), initialDelay: Duration? = nil, count: Int? = nil,
        failureLimit: Int = 0, consecutiveErrorLimit: Int = 4, success: String? = "result >= 0.95",
        failure: String? = nil
    ) -> AnalysisMetric {
        AnalysisMetric(
            name: name, interval: interval, initialDelay: initialDelay, count: count, failureLimit: failureLimit,
            consecutiveErrorLimit: consecutiveErrorLimit, successCondition: success, failureCondition: failure,
            provider: .file(SamplesFile(path: name)))
    }

    static func run(
        _ metrics: [AnalysisMetric], dryRun: [String] = [], script: [String: [Result<MeasurementValue, CanaryError>]]
    ) async throws -> (AnalysisRunResult, ScriptedProvider, [AnalysisMeasurement]) {
        let template = try AnalysisTemplate(name: "t", metrics: metrics, dryRunPatterns: dryRun)
        let provider = ScriptedProvider(script)
        let runner = try AnalysisRunner(template: template, provider: provider, clock: VirtualClock(start: start))
        let seen = Mutex<[AnalysisMeasurement]>([])
        let result = await runner.run { m in seen.withLock { $0.append(m) } }
        return (result, provider, seen.withLock { $0 })
    }

    static func values(_ xs: [Double]) -> [Result<MeasurementValue, CanaryError>] { xs.map { .success(.number($0)) } }

    @Test func tenMinuteAnalysisSucceedsOnSchedule() async throws {
        let (result, provider, seen) = try await Self.run(
            [Self.metric("rate", initialDelay: .seconds(30), count: 10)],
            script: ["rate": Self.values(Array(repeating: 0.99, count: 10))])
        #expect(result.phase == .successful)
        #expect(result.message == nil)
        #expect(seen.count == 10)
        let offsets = provider.calls.map { $0.1.timeIntervalSince(Self.start) }
        #expect(offsets == (0..<10).map { 30 + 60 * Double($0) })
        #expect(result.finishedAt.timeIntervalSince(Self.start) == 570)
        #expect(result.runSummary.count == 10)
        #expect(result.runSummary.successful == 10)
        #expect(result.metrics[0].measurements.count == 10)
    }

    @Test func firstFailureFailsAndTerminatesTheRun() async throws {
        let (result, provider, _) = try await Self.run(
            [Self.metric("rate", count: 10), Self.metric("latency", count: 10, success: nil, failure: "result > 1")],
            script: [
                "rate": Self.values([0.99, 0.99, 0.5, 0.99]),
                "latency": Self.values(Array(repeating: 0.2, count: 10)),
            ])
        #expect(result.phase == .failed)
        #expect(result.terminated)
        #expect(result.message == #"Metric "rate" assessed Failed due to failed (1) > failureLimit (0)"#)
        // Both metrics measured three times; nothing starts after the failure.
        #expect(provider.calls.count == 6)
        #expect(result.metrics[1].phase == .successful)  // terminated without violating a limit
    }

    @Test func errorsRetryAfterTenSecondsAndDoNotCount() async throws {
        let down = CanaryError(.measurementFailed, "connection refused")
        let (result, provider, seen) = try await Self.run(
            [Self.metric("rate", count: 2)],
            script: ["rate": [.failure(down), .failure(down), .success(.number(0.99)), .success(.number(0.99))]])
        #expect(result.phase == .successful)
        let offsets = provider.calls.map { $0.1.timeIntervalSince(Self.start) }
        #expect(offsets == [0, 10, 20, 80])
        #expect(seen.map(\.phase) == [.error, .error, .successful, .successful])
        #expect(seen[0].message == "connection refused")
        #expect(result.metrics[0].counts.count == 2)
        #expect(result.metrics[0].counts.error == 2)
    }

    @Test func fifthConsecutiveErrorIsAnError() async throws {
        let down = CanaryError(.measurementFailed, "timeout")
        let (result, provider, _) = try await Self.run(
            [Self.metric("rate", count: 3)], script: ["rate": Array(repeating: .failure(down), count: 9)])
        #expect(result.phase == .error)
        #expect(provider.calls.count == 5)
        #expect(result.message?.contains("consecutiveErrors (5) > consecutiveErrorLimit (4)") == true)
    }

    @Test func failureLimitToleratesFailures() async throws {
        let (result, _, _) = try await Self.run(
            [Self.metric("rate", count: 5, failureLimit: 2)],
            script: ["rate": Self.values([0.5, 0.99, 0.5, 0.99, 0.99])])
        #expect(result.phase == .successful)
        #expect(result.metrics[0].counts.failed == 2)
    }

    @Test func dryRunMetricsAreReportedButDoNotDecide() async throws {
        let (result, _, _) = try await Self.run(
            [Self.metric("rate", count: 2), Self.metric("experimental", count: 2)], dryRun: ["exp.*"],
            script: ["rate": Self.values([0.99, 0.99]), "experimental": Self.values([0.1, 0.1])])
        #expect(result.phase == .successful)
        #expect(result.metrics[1].phase == .failed)
        #expect(result.metrics[1].dryRun)
        #expect(result.dryRunSummary.failed == 1)
        #expect(result.runSummary.failed == 0)
    }

    @Test func onlyDryRunMetricsEndSuccessful() async throws {
        let (result, _, _) = try await Self.run(
            [Self.metric("rate", count: 1)], dryRun: ["rate"], script: ["rate": Self.values([0.1])])
        #expect(result.phase == .successful)
    }

    @Test func inconclusiveStopsTheRun() async throws {
        let (result, _, _) = try await Self.run(
            [Self.metric("rate", count: 3, success: "result >= 0.95", failure: "result < 0.5")],
            script: ["rate": Self.values([0.99, 0.7, 0.99])])
        #expect(result.phase == .inconclusive)
        #expect(result.metrics[0].counts.count == 2)
    }

    @Test func cancellationTerminatesAnUnlimitedMetric() async throws {
        let template = try AnalysisTemplate(name: "t", metrics: [Self.metric("rate")])
        let provider = ScriptedProvider(["rate": Self.values(Array(repeating: 0.99, count: 100_000))])
        let runner = try AnalysisRunner(
            template: template, provider: provider, clock: VirtualClock(start: Self.start))
        let task = Task { await runner.run() }
        while provider.calls.count < 3 { await Task.yield() }
        task.cancel()
        let result = await task.value
        #expect(result.phase == .successful)
        #expect(result.terminated)
    }

    @Test func unsupportedProviderIsRefusedBeforeRunning() throws {
        let m = AnalysisMetric(name: "dd", provider: .other(type: "datadog", raw: .object([:])))
        let template = try AnalysisTemplate(name: "t", metrics: [m])
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try AnalysisRunner(template: template, provider: ScriptedProvider([:]))
        }
    }
}
