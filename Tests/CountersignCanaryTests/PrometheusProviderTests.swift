import Foundation
import Testing

@testable import CountersignCanary

/// The providers against a real Prometheus loaded with the known history of scripts/prometheus-fixture.py
/// (started by scripts/with-prometheus.sh, which scripts/test.sh wraps around the suite).
@Suite struct PrometheusProviderTests {
    /// 2026-01-01T00:00:00Z, the first sample of the fixture.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    static func address() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PROMETHEUS"],
            "COUNTERSIGN_TEST_PROMETHEUS is not set: run the suite through scripts/test.sh, which starts Prometheus")
    }

    static func query(_ promql: String, at minutes: Double, range: PrometheusQuery.RangeQuery? = nil) async throws
        -> MeasurementValue
    {
        let provider = PrometheusProvider(defaultAddress: try address())
        return try await provider.measure(
            PrometheusQuery(query: promql, range: range), at: start.addingTimeInterval(minutes * 60))
    }

    @Test func instantVectorIsOneNumberPerSeries() async throws {
        let v = try await Self.query(#"canary_error_ratio{service="degrading"}"#, at: 30)
        #expect(v == .vector([0.2]))
        let before = try await Self.query(#"canary_error_ratio{service="degrading"}"#, at: 10)
        #expect(before == .vector([0.01]))
        let both = try await Self.query("sort_desc(canary_error_ratio)", at: 30)
        #expect(both == .vector([0.2, 0.01]))
    }

    @Test func scalarIsANumber() async throws {
        let v = try await Self.query(#"scalar(canary_success_rate{track="canary"})"#, at: 5)
        #expect(v == .number(0.99))
    }

    @Test func emptyVectorIsAnEmptyList() async throws {
        #expect(try await Self.query(#"canary_error_ratio{service="nonexistent"}"#, at: 5) == .vector([]))
    }

    @Test func rangeQueryFlattensTheMatrix() async throws {
        // Minutes 10..15 inclusive, one point a minute: latency = 0.1 + 0.001 × minute.
        let v = try await Self.query(
            #"canary_latency_seconds{track="canary"}"#, at: 15,
            range: .init(start: #"now() - duration("5m")"#, end: "now()", step: .seconds(60)))
        guard case .list(let values) = v else {
            Issue.record("not a list: \(v)")
            return
        }
        let expected = (10...15).map { 0.1 + 0.001 * Double($0) }
        #expect(values.count == expected.count)
        for (got, want) in zip(values, expected) {
            guard case .number(let x) = got else {
                Issue.record("not a number")
                continue
            }
            #expect(abs(x - want) < 1e-9)
        }
    }

    @Test func badPromQLIsAnErrorWithPrometheusMessage() async throws {
        let provider = PrometheusProvider(defaultAddress: try Self.address())
        do {
            _ = try await provider.measure(PrometheusQuery(query: "sum("), at: Self.start)
            Issue.record("accepted bad PromQL")
        } catch {
            #expect(error.code == .measurementFailed)
            #expect(error.message.contains("bad_data"), "\(error.message)")
        }
    }

    @Test func unreachableServerIsAnError() async throws {
        let provider = PrometheusProvider(defaultAddress: "http://127.0.0.1:1")
        do {
            _ = try await provider.measure(PrometheusQuery(query: "up", timeout: .seconds(2)), at: Self.start)
            Issue.record("reached a closed port")
        } catch {
            #expect(error.code == .measurementFailed)
            #expect(error.message.contains("127.0.0.1:1"))
        }
    }

    /// A whole Argo template against the real server, replayed over the fixture's hour with a virtual clock: the
    /// steady service passes, the degrading one fails at the first measurement after minute 20.
    @Test func replayedAnalysisRun() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: error-ratio}
            spec:
              args:
              - name: service
              metrics:
              - name: error-ratio
                interval: 5m
                count: 8
                successCondition: len(result) > 0 && result[0] < 0.05
                provider:
                  prometheus:
                    query: canary_error_ratio{service="{{args.service}}"}
            """
        let template = try AnalysisTemplate(yaml: yaml)
        let provider = StandardMetricProvider(prometheus: PrometheusProvider(defaultAddress: try Self.address()))
        for (service, phase, measured) in [("steady", AnalysisPhase.successful, 8), ("degrading", .failed, 5)] {
            let clock = VirtualClock(start: Self.start.addingTimeInterval(60))
            let runner = try AnalysisRunner(
                template: template, arguments: ["service": service], provider: provider, clock: clock)
            let result = await runner.run()
            #expect(result.phase == phase, "\(service)")
            #expect(result.metrics[0].counts.count == measured, "\(service)")
            if phase == .failed {
                #expect(result.metrics[0].measurements.last?.value == "[0.2]")
                #expect(result.finishedAt == Self.start.addingTimeInterval(21 * 60))
            }
        }
    }

    @Test func webProviderReadsJSONWithJSONPath() async throws {
        let base = try Self.address()
        let web = WebProvider()
        let status = try await web.measure(
            WebRequest(url: base + "/api/v1/query?query=vector(1)&time=1767225600", jsonPath: "{$.data.resultType}"))
        #expect(status == .string("vector"))
        let whole = try await web.measure(WebRequest(url: base + "/api/v1/query?query=vector(1)&time=1767225600"))
        guard case .map(let m) = whole else {
            Issue.record("not a map")
            return
        }
        #expect(m["status"] == .string("success"))
        // Not JSON: the raw body is the result.
        let healthy = try await web.measure(WebRequest(url: base + "/-/healthy"))
        guard case .string(let text) = healthy else {
            Issue.record("not a string")
            return
        }
        #expect(text.contains("Healthy"))
    }

    @Test func webProviderErrors() async throws {
        let base = try Self.address()
        let web = WebProvider()
        await #expect(throws: CanaryError(.measurementFailed, "")) {
            try await web.measure(WebRequest(url: base + "/api/v1/does-not-exist"))
        }
        do {
            _ = try await web.measure(
                WebRequest(url: base + "/api/v1/query?query=vector(1)", jsonPath: "{$.data.nothing}"))
            Issue.record("matched nothing yet returned")
        } catch {
            #expect(error.message.hasPrefix("result of web metric produced no value"))
        }
        await #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try await web.measure(WebRequest(url: "file:///etc/passwd"))
        }
    }
}
