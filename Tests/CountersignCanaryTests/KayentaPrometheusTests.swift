import CountersignEncoding
import Foundation
import Testing

@testable import CountersignCanary

/// Kayenta executions reading the real Prometheus loaded with scripts/prometheus-fixture.py's history.
@Suite struct KayentaPrometheusTests {
    static func minute(_ m: Double) -> Date { PrometheusProviderTests.start.addingTimeInterval(m * 60) }

    static func service(direction: String) throws -> KayentaService {
        let json = """
            {"name": "success-rate",
             "metrics": [{"name": "success", "groups": ["health"],
                          "query": {"type": "prometheus", "metricName": "canary_success_rate",
                                    "customFilter": "track=\\"${scope}\\""},
                          "analysisConfigurations": {"canary": {"direction": "\(direction)"}}}],
             "classifier": {"groupWeights": {"health": 100}}}
            """
        let config = try CanaryConfiguration.decode(json: Data(json.utf8))
        let source = PrometheusKayentaSource(address: try PrometheusProviderTests.address())
        let service = try KayentaService(configurations: [config], source: source)
        // Judged for the rest of the test, as the server's service group runs it.
        Task { await service.run() }
        return service
    }

    static func request(control: String, experiment: String, from: Double = 10, to: Double = 30)
        -> KayentaExecutionRequest
    {
        KayentaExecutionRequest(
            scopes: [
                "default": KayentaScopePair(
                    control: KayentaScope(scope: control, start: minute(from), end: minute(to)),
                    experiment: KayentaScope(scope: experiment, start: minute(from), end: minute(to)))
            ], thresholds: .standard)
    }

    @Test func lowerSuccessRateFails() async throws {
        let service = try Self.service(direction: "decrease")
        let started = try await service.start(
            configId: "success-rate", request: Self.request(control: "baseline", experiment: "canary"))
        let done = try await service.completed(id: started.id)
        #expect(done.status == .succeeded)
        let metric = try #require(done.judgement?.metrics.first)
        #expect(metric.classification == .low)
        #expect(metric.canaryStatistics.count == 21)
        #expect(abs(metric.canaryStatistics.mean - 0.99) < 1e-9)
        #expect(abs(metric.baselineStatistics.mean - 0.995) < 1e-9)
        #expect(done.reportedScore == 0)
    }

    @Test func identicalScopesPass() async throws {
        let service = try Self.service(direction: "either")
        let started = try await service.start(
            configId: "success-rate", request: Self.request(control: "canary", experiment: "canary"))
        let done = try await service.completed(id: started.id)
        #expect(done.judgement?.metrics.first?.classification == .pass)
        #expect(done.reportedScore == 100)
    }

    @Test func stepsWithoutSamplesAreNaN() async throws {
        let source = PrometheusKayentaSource(address: try PrometheusProviderTests.address())
        let metric = CanaryMetricConfiguration(
            name: "latency", groups: ["g"],
            query: .object(["customInlineTemplate": .string(#"PromQL:canary_latency_seconds{track="${scope}"}"#)]))
        // Five minutes before the history starts, then five minutes into it.
        let scope = KayentaScope(scope: "canary", start: Self.minute(-5), end: Self.minute(5))
        let series = try await source.series(of: metric, in: CanaryConfiguration(metrics: [metric]), scope: scope)
        #expect(series.count == 11)
        #expect(series.prefix(5).allSatisfy { $0.isNaN })
        for (i, value) in series.dropFirst(5).enumerated() {
            #expect(abs(value - (0.1 + 0.001 * Double(i))) < 1e-9)
        }
    }

    @Test func severalSeriesPerScopeIsAnError() async throws {
        let service = try KayentaService(
            configurations: [
                try CanaryConfiguration.decode(
                    json: Data(
                        #"{"id": "all", "metrics": [{"name": "e", "groups": ["g"], "query": {"customInlineTemplate": "PromQL:canary_error_ratio"}}], "classifier": {}}"#
                            .utf8))
            ], source: PrometheusKayentaSource(address: try PrometheusProviderTests.address()))
        Task { await service.run() }
        let started = try await service.start(configId: "all", request: Self.request(control: "a", experiment: "b"))
        let done = try await service.completed(id: started.id)
        #expect(done.status == .terminal)
        #expect(done.failure?.contains("matched 2 series") == true)
    }
}
