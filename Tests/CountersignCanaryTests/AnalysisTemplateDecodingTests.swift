import Testing

@testable import CountersignCanary

/// AnalysisTemplate YAML is accepted as Argo users write it, with Argo's defaults and validation.
@Suite struct AnalysisTemplateDecodingTests {
    static let successRate = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: success-rate
        spec:
          args:
          - name: service-name
          - name: threshold
            value: "0.95"
          dryRun:
          - metricName: latency.*
          metrics:
          - name: success-rate
            interval: 5m
            count: 3
            failureLimit: 1
            successCondition: result[0] >= 0.95
            provider:
              prometheus:
                address: http://prometheus.example.com:9090
                timeout: 20
                query: |
                  sum(irate(istio_requests_total{reporter="source",destination_service=~"{{args.service-name}}",response_code!~"5.*"}[5m]))
          - name: latency-p99
            initialDelay: 30s
            interval: 1m
            failureCondition: result > 0.5
            provider:
              prometheus:
                query: latency{service="{{ args.service-name }}"}
                rangeQuery:
                  start: now() - duration("5m")
                  end: now()
                  step: 1m
          - name: webcheck
            successCondition: result.ok && result.successPercent >= 0.90
            provider:
              web:
                url: "http://my-server.com/api/v1/measurement?service={{ args.service-name }}"
                timeoutSeconds: 20
                headers:
                - key: Authorization
                  value: "Bearer {{ args.threshold }}"
                jsonPath: "{$.data}"
        """

    @Test func decodesArgoTemplate() throws {
        let t = try AnalysisTemplate(yaml: Self.successRate)
        #expect(t.name == "success-rate")
        #expect(t.args.map(\.name) == ["service-name", "threshold"])
        #expect(t.args[1].value == "0.95")
        #expect(t.metrics.map(\.name) == ["success-rate", "latency-p99", "webcheck"])
        let sr = t.metrics[0]
        #expect(sr.interval == .seconds(300))
        #expect(sr.count == 3)
        #expect(sr.failureLimit == 1)
        #expect(sr.inconclusiveLimit == 0)
        #expect(sr.consecutiveErrorLimit == 4)
        guard case .prometheus(let q) = sr.provider else {
            Issue.record("not prometheus")
            return
        }
        #expect(q.timeout == .seconds(20))
        #expect(q.address == "http://prometheus.example.com:9090")
        let lat = t.metrics[1]
        #expect(lat.initialDelay == .seconds(30))
        #expect(lat.effectiveCount == nil)  // interval only: unlimited
        guard case .prometheus(let r) = lat.provider, let range = r.range else {
            Issue.record("no range")
            return
        }
        #expect(range.step == .seconds(60))
        #expect(t.metrics[2].effectiveCount == 1)  // neither count nor interval: one measurement
        #expect(t.isDryRun("latency-p99"))
        #expect(!t.isDryRun("success-rate"))
    }

    @Test func substitutesArguments() throws {
        let t = try AnalysisTemplate(yaml: Self.successRate)
        let args = try t.resolvedArguments(["service-name": "checkout"])
        #expect(args == ["service-name": "checkout", "threshold": "0.95"])
        guard case .web(let w) = try t.metrics[2].provider.substituting(args) else {
            Issue.record("not web")
            return
        }
        #expect(w.url == "http://my-server.com/api/v1/measurement?service=checkout")
        #expect(w.headers == [HTTPHeader(key: "Authorization", value: "Bearer 0.95")])
        #expect(throws: CanaryError(.invalidConfiguration, "")) { try t.resolvedArguments([:]) }
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try t.resolvedArguments(["service-name": "a", "undeclared": "b"])
        }
    }

    static func rejects(_ yaml: String, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        do {
            _ = try AnalysisTemplate(yaml: yaml)
            Issue.record("accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    static func template(_ metric: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: t}
        spec:
          metrics:
        \(metric)
        """
    }

    @Test func validationErrorsNameTheField() {
        let provider = "    provider: {prometheus: {query: up}}"
        Self.rejects(
            Self.template("  - name: a\n    count: 3\n" + provider), containing: "interval: is required when count > 1")
        Self.rejects(
            Self.template("  - name: a\n    failureLimit: -2\n" + provider), containing: "failureLimit: must be ≥ -1")
        Self.rejects(
            Self.template("  - name: a\n    failureLimit: -1\n" + provider),
            containing: "requires consecutiveSuccessLimit > 0")
        Self.rejects(
            Self.template("  - name: a\n    interval: 1m\n    count: 2\n    failureLimit: 3\n" + provider),
            containing: "count: must be ≥ failureLimit + consecutiveSuccessLimit")
        Self.rejects(
            Self.template("  - name: a\n    interval: fast\n" + provider), containing: "'fast' is not a duration")
        Self.rejects(
            Self.template("  - name: a\n    successCondition: result >>\n" + provider),
            containing: "successCondition")
        Self.rejects(
            Self.template("  - name: a\n    successCondition: '1'\n" + provider), containing: "must evaluate to bool")
        Self.rejects(
            Self.template("  - name: a\n" + provider + "\n  - name: a\n" + provider),
            containing: "duplicate metric name")
        Self.rejects(
            Self.template("  - name: a\n    provider: {prometheus: {query: up}, web: {url: http://x}}"),
            containing: "exactly one provider is required, found 2")
        Self.rejects(
            Self.template("  - name: a\n    provider: {web: {url: http://x, body: hi}}"),
            containing: "a body is not allowed with GET")
        Self.rejects(
            Self.template("  - name: a\n    provider: {web: {url: http://x, jsonPath: '{$.a[?(x)]}'}}"),
            containing: "jsonPath")
        Self.rejects("kind: AnalysisTemplate", containing: "apiVersion: is required")
        Self.rejects("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n", containing: "kind: expected AnalysisTemplate")
        Self.rejects("{{{", containing: "invalid YAML")
    }

    @Test func valueFromIsRefusedNotIgnored() {
        Self.rejects(
            """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: t}
            spec:
              args:
              - name: api-token
                valueFrom: {secretKeyRef: {name: token-secret, key: apiToken}}
              metrics:
              - name: a
                provider: {prometheus: {query: up}}
            """, containing: "valueFrom: not supported")
    }

    @Test func countZeroIsUnset() throws {
        let t = try AnalysisTemplate(
            yaml: Self.template("  - name: a\n    count: 0\n    provider: {prometheus: {query: up}}"))
        #expect(t.metrics[0].count == nil)
        #expect(t.metrics[0].effectiveCount == 1)
    }

    @Test func durations() {
        #expect(AnalysisDuration.parse("1h30m") == .seconds(5400))
        #expect(AnalysisDuration.parse("500ms") == .milliseconds(500))
        #expect(AnalysisDuration.parse("1.5s") == .milliseconds(1500))
        #expect(AnalysisDuration.parse("45") == .seconds(45))
        #expect(AnalysisDuration.parse("5x") == nil)
        #expect(AnalysisDuration.parse("") == nil)
        #expect(AnalysisDuration.parse("m") == nil)
    }

    /// Found reading what the `canary` fuzz target covers (Fuzz/corpus/canary/crash-canary-duration): a bare number
    /// of seconds beyond Duration's Int64 nanoseconds trapped.
    @Test func durationsBeyondWhatADurationHoldsAreRefused() {
        #expect(AnalysisDuration.parse("10000000000") == nil)
        #expect(AnalysisDuration.parse("1e300") == nil)
        #expect(AnalysisDuration.parse("9000000000") == .seconds(9_000_000_000))
        Self.rejects(
            Self.template("  - name: a\n    interval: 10000000000\n    provider: {prometheus: {query: up}}"),
            containing: "is not a duration")
    }
}
