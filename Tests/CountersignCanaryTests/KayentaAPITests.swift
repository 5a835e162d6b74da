import CountersignEncoding
import Foundation
import Testing

@testable import CountersignCanary

/// Kayenta's `/canary` API as Argo Rollouts' Kayenta provider drives it (reference §2.1), over a scripted
/// metric source.
@Suite struct KayentaAPITests {
    /// Returns fixed series per scope name; throws for scopes named "broken".
    struct ScriptedSource: KayentaMetricSource {
        var series: [String: [Double]]
        func series(
            of metric: CanaryMetricConfiguration, in config: CanaryConfiguration, scope: KayentaScope
        ) async throws(CanaryError) -> [Double] {
            if scope.scope == "broken" { throw CanaryError(.measurementFailed, "store unreachable") }
            return series["\(metric.name)/\(scope.scope)"] ?? []
        }
    }

    static let config = """
        {"id": "cfg-1", "name": "checkout-canary", "applications": ["checkout"],
         "metrics": [{"name": "latency", "groups": ["perf"],
                      "query": {"type": "prometheus", "customInlineTemplate": "PromQL:lat{track=\\"${scope}\\"}"},
                      "analysisConfigurations": {"canary": {"direction": "increase"}}}],
         "classifier": {"groupWeights": {"perf": 100}}}
        """

    static func body(control: String = "stable", experiment: String = "canary", thresholds: Bool = true) -> [UInt8] {
        let t = thresholds ? #", "thresholds": {"pass": 90, "marginal": 75}"# : ""
        return Array(
            """
            {"scopes": {"default": {
               "controlScope": {"scope": "\(control)", "region": "eu", "step": 60,
                                "start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:30:00Z"},
               "experimentScope": {"scope": "\(experiment)", "step": 60,
                                   "start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:30:00Z"}}}\(t)}
            """.utf8)
    }

    static func api(retention: Int = 100) throws -> KayentaAPI {
        let steady = (0..<21).map { 100 + Double($0 % 5) }
        let slower = steady.map { $0 * 1.5 }
        let source = ScriptedSource(series: [
            "latency/stable": steady, "latency/canary": steady.reversed(), "latency/slow": slower,
        ])
        let config = try CanaryConfiguration.decode(json: Data(config.utf8))
        let service = try KayentaService(
            configurations: [config], source: source, store: MemoryKayentaExecutions(retention: retention))
        // Judged for the rest of the test, as the server's service group runs it.
        Task { await service.run() }
        return KayentaAPI(service: service)
    }

    static func json(_ response: KayentaAPI.Response) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Argo's calls: list configs, pick by name, start, poll until complete, read the score.
    static func judge(_ api: KayentaAPI, body: [UInt8]) async throws -> [String: Any] {
        let list = await api.handle(
            method: "GET", path: "/canaryConfig", query: ["application": "checkout"], body: [])
        #expect(list.status == 200)
        let configs = try #require(JSONSerialization.jsonObject(with: Data(list.body)) as? [[String: Any]])
        let id = try #require(configs.first { $0["name"] as? String == "checkout-canary" }?["id"] as? String)
        let started = await api.handle(
            method: "POST", path: "/canary/\(id)", query: ["application": "checkout", "metricsAccountName": "prom"],
            body: body)
        #expect(started.status == 200)
        let executionId = try #require(try json(started)["canaryExecutionId"] as? String)
        #expect(!executionId.isEmpty)
        _ = try await api.service.completed(id: executionId)
        let status = await api.handle(method: "GET", path: "/canary/\(executionId)", query: [:], body: [])
        #expect(status.status == 200)
        return try json(status)
    }

    static func score(_ status: [String: Any]) -> Double? {
        let result = status["result"] as? [String: Any]
        let judge = result?["judgeResult"] as? [String: Any]
        return (judge?["score"] as? [String: Any])?["score"] as? Double
    }

    @Test func argoFlowPasses() async throws {
        let status = try await Self.judge(try Self.api(), body: Self.body())
        #expect(status["complete"] as? Bool == true)
        #expect(status["status"] as? String == "succeeded")
        #expect(status["application"] as? String == "checkout")
        #expect(status["metricsAccountName"] as? String == "prom")
        #expect(status["canaryConfigId"] as? String == "cfg-1")
        #expect(Self.score(status) == 100)
        let results = ((status["result"] as? [String: Any])?["judgeResult"] as? [String: Any])?["results"]
        let latency = try #require((results as? [[String: Any]])?.first)
        #expect(latency["classification"] as? String == "Pass")
        #expect(((latency["controlMetadata"] as? [String: Any])?["stats"] as? [String: Any])?["count"] as? Double == 21)
    }

    @Test func slowerCanaryFails() async throws {
        let status = try await Self.judge(try Self.api(), body: Self.body(experiment: "slow"))
        #expect(Self.score(status) == 0)
        let results = ((status["result"] as? [String: Any])?["judgeResult"] as? [String: Any])?["results"]
        #expect((results as? [[String: Any]])?.first?["classification"] as? String == "High")
    }

    @Test func unreadableMetricMakesTheExecutionTerminal() async throws {
        let status = try await Self.judge(try Self.api(), body: Self.body(experiment: "broken"))
        #expect(status["complete"] as? Bool == true)
        #expect(status["status"] as? String == "terminal")
        #expect(status["result"] == nil)
        #expect((status["exception"] as? [String: Any])?["message"] as? String == "store unreachable")
    }

    @Test func thresholdsAreRequired() async throws {
        let r = await try Self.api().handle(
            method: "POST", path: "/canary/cfg-1", query: [:], body: Self.body(thresholds: false))
        #expect(r.status == 400)
        #expect((try Self.json(r)["message"] as? String)?.contains("Execution request must contain thresholds") == true)
    }

    @Test func unknownConfigAndExecutionAre404() async throws {
        let api = try Self.api()
        let r = await api.handle(method: "POST", path: "/canary/nope", query: [:], body: Self.body())
        #expect(r.status == 404)
        #expect(try Self.json(r)["message"] as? String == "no canary configuration with id \"nope\"")
        #expect(await api.handle(method: "GET", path: "/canary/missing", query: [:], body: []).status == 404)
        #expect(await api.handle(method: "GET", path: "/elsewhere", query: [:], body: []).status == 404)
        #expect(await api.handle(method: "DELETE", path: "/canary/x", query: [:], body: []).status == 405)
    }

    @Test func malformedBodiesAre400WithTheField() async throws {
        let api = try Self.api()
        let cases: [(String, String)] = [
            ("not json", "not valid JSON"),
            (#"{"thresholds": {"pass": 90, "marginal": 95}, "scopes": {}}"#, "marginal (95.0) exceeds pass (90.0)"),
            (
                #"{"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {"controlScope": {}}}}"#,
                "scopes.default.experimentScope: required field is missing"
            ),
            (
                #"{"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {"controlScope": {"scope": "a", "start": "yesterday", "end": "2026-01-01T00:00:00Z"}, "experimentScope": {}}}}"#,
                "scopes.default.controlScope.start: \"yesterday\" is not an RFC 3339 time"
            ),
            (
                #"{"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {"controlScope": {"scope": "a", "start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z", "step": 1}, "experimentScope": {}}}}"#,
                "exceed 11000"
            ),
            (
                #"{"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"other": {"controlScope": {"scope": "a", "start": 0, "end": 60}, "experimentScope": {"scope": "b", "start": 0, "end": 60}}}}"#,
                "metric latency reads scope \"default\", which the request's scopes do not include"
            ),
        ]
        for (body, message) in cases {
            let r = await api.handle(method: "POST", path: "/canary/cfg-1", query: [:], body: Array(body.utf8))
            #expect(r.status == 400, "\(body)")
            let got = try Self.json(r)["message"] as? String ?? ""
            #expect(got.contains(message), "\(got)")
        }
    }

    @Test func adHocExecutionCarriesItsConfig() async throws {
        let api = try Self.api()
        let body =
            #"{"canaryConfig": \#(Self.config), "executionRequest": \#(String(decoding: Self.body(), as: UTF8.self))}"#
        let r = await api.handle(method: "POST", path: "/canary", query: [:], body: Array(body.utf8))
        #expect(r.status == 200)
        let id = try #require(try Self.json(r)["canaryExecutionId"] as? String)
        let execution = try await api.service.completed(id: id)
        #expect(execution.configId == nil)
        #expect(execution.accounts.application == "ad-hoc")
        #expect(execution.judgement?.score == 100)
    }

    @Test func configsFilterByApplicationAndExecutionsList() async throws {
        let api = try Self.api()
        let other = await api.handle(method: "GET", path: "/canaryConfig", query: ["application": "search"], body: [])
        #expect(String(decoding: other.body, as: UTF8.self) == "[]")
        _ = try await Self.judge(api, body: Self.body())
        _ = try await Self.judge(api, body: Self.body(experiment: "broken"))
        let terminal = await api.handle(
            method: "GET", path: "/canary/executions", query: ["statuses": "terminal"], body: [])
        let list = try #require(JSONSerialization.jsonObject(with: Data(terminal.body)) as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["status"] as? String == "terminal")
        let bad = await api.handle(method: "GET", path: "/canary/executions", query: ["limit": "0"], body: [])
        #expect(bad.status == 400)
    }

    /// Numbers from a query or a body at their extremes answer 400 or an empty page, never a trap: the first of
    /// these once took the server down with an overflow in the page offset.
    @Test func extremeNumbersAreRefusedNotTrapped() async throws {
        let api = try Self.api()
        _ = try await Self.judge(api, body: Self.body())
        for query in [
            ["limit": "4611686018427387904", "page": "3"], ["limit": "1", "page": "9223372036854775807"],
            ["limit": "-1"], ["page": "0"], ["limit": "1e3"], ["limit": "99999999999999999999"],
        ] {
            let r = await api.handle(method: "GET", path: "/canary/executions", query: query, body: [])
            #expect(r.status == 400, "\(query)")
        }
        let ok = await api.handle(
            method: "GET", path: "/canary/executions", query: ["limit": "1000", "page": "1000000"], body: [])
        #expect(ok.status == 200 && String(decoding: ok.body, as: UTF8.self) == "[]")
        #expect(try await api.service.listExecutions(limit: Int.max / 2, page: 3).isEmpty)
        #expect(try await api.service.listExecutions(limit: Int.max, page: Int.max).isEmpty)
        for (start, end, step) in [("0", "1e300", "60"), ("-1e300", "1e300", "1"), ("0", "9.2e18", "1")] {
            let body =
                #"{"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {"controlScope": {"scope": "a", "start": \#(start), "end": \#(end), "step": \#(step)}, "experimentScope": {"scope": "b", "start": 0, "end": 60}}}}"#
            let r = await api.handle(method: "POST", path: "/canary/cfg-1", query: [:], body: Array(body.utf8))
            #expect(r.status == 400, "\(body): \(String(decoding: r.body, as: UTF8.self))")
        }
    }

    /// Found by the `query` fuzz target (Fuzz/corpus/query/crash-query-scope-span): epoch-second times 2e300 apart
    /// span more points than an Int counts, and counting them trapped.
    @Test func aScopeOfMorePointsThanAnIntCountsIsRefused() async throws {
        let api = try Self.api()
        let body = #"""
            {"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {
              "controlScope": {"scope": "a", "start": -1e300, "end": 1e300},
              "experimentScope": {"scope": "b", "start": 0, "end": 60}}}}
            """#
        let r = await api.handle(method: "POST", path: "/canary/cfg-1", query: [:], body: Array(body.utf8))
        #expect(r.status == 400)
        #expect((try Self.json(r)["message"] as? String ?? "").contains("exceed 11000"))
        let wide = KayentaScope(
            scope: "a", start: Date(timeIntervalSince1970: -1e300), end: Date(timeIntervalSince1970: 1e300))
        #expect(wide.pointCount == .max)
        #expect(KayentaScope(scope: "a", start: .now, end: .now, step: 0).pointCount == 0)
    }

    @Test func retentionEvictsTheOldestFinished() async throws {
        let api = try Self.api(retention: 2)
        var ids: [String] = []
        for _ in 0..<3 {
            let r = await api.handle(method: "POST", path: "/canary/cfg-1", query: [:], body: Self.body())
            let id = try #require(try Self.json(r)["canaryExecutionId"] as? String)
            _ = try await api.service.completed(id: id)
            ids.append(id)
        }
        #expect(await api.handle(method: "GET", path: "/canary/\(ids[0])", query: [:], body: []).status == 404)
        #expect(await api.handle(method: "GET", path: "/canary/\(ids[2])", query: [:], body: []).status == 200)
    }

    @Test func countersignVerdictMovesTheReportedScoreIntoItsBand() throws {
        let request = KayentaExecutionRequest(scopes: [:], thresholds: ScoreThresholds(pass: 90, marginal: 75))
        var execution = KayentaExecution(
            id: "x", configId: nil, configuration: CanaryConfiguration(metrics: []), accounts: .init(),
            request: request, status: .succeeded, started: Date(timeIntervalSince1970: 0))
        func reported(_ score: Double, _ verdict: CanaryVerdict) -> Double? {
            execution.judgement = CanaryJudgement(
                judgeName: "countersign-v1", metrics: [], groups: [], score: score, classification: .pass, reason: nil,
                verdict: verdict)
            return execution.reportedScore
        }
        #expect(reported(100, .pass) == 100)
        #expect(reported(100, .inconclusive) == 89)
        #expect(reported(20, .inconclusive) == 75)
        #expect(reported(100, .fail) == 74)
        #expect(reported(40, .error) == 40)
    }

    @Test func promQLSubstitutesAndEscapes() throws {
        let scope = KayentaScope(
            scope: #"a"b\c"#, location: "eu-1", start: Date(timeIntervalSince1970: 0),
            end: Date(timeIntervalSince1970: 60), extendedScopeParams: ["ns": "shop"])
        func metric(_ query: String) throws -> CanaryMetricConfiguration {
            let json = #"{"type": "prometheus", \#(query)}"#
            return CanaryMetricConfiguration(
                name: "m", groups: ["g"], query: try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
        }
        let inline = try metric(#""customInlineTemplate": "PromQL:sum(rate(x{pod=\"${scope}\",ns=\"${ns}\"}[1m]))""#)
        #expect(
            try PrometheusKayentaSource.promQL(for: inline, templates: [:], scope: scope)
                == #"sum(rate(x{pod="a\"b\\c",ns="shop"}[1m]))"#)
        let filtered = try metric(#""metricName": "up", "customFilterTemplate": "f""#)
        #expect(
            try PrometheusKayentaSource.promQL(for: filtered, templates: ["f": #"region="${location}""#], scope: scope)
                == #"up{region="eu-1"}"#)
        let failures: [(String, [String: String], String)] = [
            (#""customInlineTemplate": "x{a=\"${nope}\"}""#, [:], "must start with \"PromQL:\""),
            (#""customInlineTemplate": "PromQL:x{a=\"${nope}\"}""#, [:], "uses ${nope}, which no scope sets"),
            (#""metricName": "up""#, [:], "Kayenta's resourceType label mapping is not guessed"),
            (#""metricName": "up", "customFilterTemplate": "g""#, [:], "\"g\" is not in the config's templates"),
        ]
        for (query, templates, message) in failures {
            #expect {
                try PrometheusKayentaSource.promQL(for: try metric(query), templates: templates, scope: scope)
            } throws: { ($0 as? CanaryError)?.message.contains(message) == true }
        }
        let datadog = CanaryMetricConfiguration(name: "m", groups: ["g"], query: .object(["type": .string("datadog")]))
        #expect(throws: CanaryError.self) {
            try PrometheusKayentaSource.promQL(for: datadog, templates: [:], scope: scope)
        }
    }
}

/// What an execution can be shown to have judged (`KayentaExecution.binding`) when Argo's Kayenta provider started
/// it: the request carries `scope` and `location` only, so the canary's digest is its scope and the environment its
/// location, and the query must select the series by `${scope}`.
@Suite struct KayentaBindingTests {
    static let canary = "sha256:" + String(repeating: "c", count: 64)
    static let baseline = "sha256:" + String(repeating: "b", count: 64)

    static func execution(
        control: String = baseline, experiment: String = canary,
        locations: (String, String) = ("production", "production"),
        filter: String = #"digest=\"${scope}\""#
    ) throws -> KayentaExecution {
        let config = try CanaryConfiguration.decode(
            json: Data(
                #"{"name": "c", "metrics": [{"name": "m", "groups": ["g"], "query": {"type": "prometheus", "customFilter": "\#(filter)"}, "analysisConfigurations": {"canary": {}}}], "classifier": {"groupWeights": {"g": 100}}}"#
                    .utf8))
        let request = try KayentaExecutionRequest.decode(
            json: Data(
                """
                {"scopes": {"default": {
                   "controlScope": {"scope": "\(control)", "location": "\(locations.0)", "step": 60,
                                    "start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:30:00Z"},
                   "experimentScope": {"scope": "\(experiment)", "location": "\(locations.1)", "step": 60,
                                       "start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:30:00Z"}}},
                 "thresholds": {"pass": 90, "marginal": 75}}
                """.utf8))
        return KayentaExecution(
            id: "x", configId: "c", configuration: config, accounts: .init(), request: request, status: .running,
            started: Date())
    }

    @Test func argosRequestBindsByScopeAndLocation() throws {
        let bound = try #require(try Self.execution().binding)
        #expect(bound.digest == Self.canary && bound.environment == "production")
        // A canary compared with itself, scopes in two places, no environment, a scope that is no digest, a query
        // that does not select by the scope: nothing is bound.
        #expect(try Self.execution(control: Self.canary).binding == nil)
        #expect(try Self.execution(locations: ("production", "staging")).binding == nil)
        #expect(try Self.execution(locations: ("", "")).binding == nil)
        #expect(try Self.execution(experiment: "canary").binding == nil)
        #expect(try Self.execution(experiment: Self.canary.uppercased()).binding == nil)
        #expect(try Self.execution(filter: #"track=\"canary\""#).binding == nil)
        #expect(try Self.execution(filter: #"digest=\"${digest}\""#).binding == nil, "${digest} is empty here")
    }
}
