import CountersignEncoding
import Foundation
import Testing

@testable import CountersignCanary

@Suite struct ConfigurationTests {
    /// Kayenta's integration-test config (kayenta-integration-tests/src/test/resources/canary-configs/prometheus/
    /// muted-metric.json), with an unknown field added at each level.
    static let kayentaDocument = """
        {
          "name": "integration-test-canary-config",
          "description": "A very simple config for integration testing",
          "createdTimestamp": 1, "someFutureField": {"x": 1},
          "judge": {"judgeConfigurations": {}, "name": "NetflixACAJudge-v1.0"},
          "metrics": [
            {
              "name": "Failing metric",
              "query": {"type": "prometheus", "metricName": "integration_failing_metric",
                        "customFilterTemplate": "standard-template"},
              "analysisConfigurations": {"canary": {"critical": true, "muted": true, "direction": "increase",
                                                    "unknownKnob": 3}},
              "groups": ["pod-group"],
              "scopeName": "default"
            },
            {
              "name": "Successful metric",
              "query": {"type": "prometheus", "metricName": "integration_successful_metric"},
              "analysisConfigurations": {"canary": {
                  "critical": true, "direction": "decrease", "nanStrategy": "replace", "mustHaveData": true,
                  "effectSize": {"measure": "cles", "allowedIncrease": 0.6},
                  "outliers": {"strategy": "remove", "outlierFactor": 2}}},
              "groups": ["pod-group", "other"],
              "scopeName": "default"
            }
          ],
          "templates": {"standard-template": "namespace='${namespace}', scope='${scope}'"},
          "classifier": {"groupWeights": {"pod-group": 100}, "scoreThresholds": {"marginal": 50, "pass": 75}}
        }
        """

    @Test func decodesKayentaFormat() throws {
        let config = try CanaryConfiguration.decode(json: Data(Self.kayentaDocument.utf8))
        #expect(config.name == "integration-test-canary-config")
        #expect(config.judgeName == "NetflixACAJudge-v1.0")
        #expect(config.metrics.count == 2)
        let failing = config.metrics[0]
        #expect(failing.analysis.critical && failing.analysis.muted && failing.analysis.direction == .increase)
        #expect(failing.analysis.nanStrategy == .remove && failing.analysis.outliers.strategy == .keep)
        #expect(failing.analysis.effectSize == EffectSizeConfiguration())
        #expect(failing.groups == ["pod-group"])
        guard let query = failing.query.objectDictionary else {
            Issue.record("query not kept")
            return
        }
        #expect(query["type"] == .string("prometheus"))
        let ok = config.metrics[1].analysis
        #expect(ok.direction == .decrease && ok.nanStrategy == .replace && ok.mustHaveData)
        #expect(ok.effectSize.measure == .cles && ok.effectSize.allowedIncrease == 0.6)
        #expect(ok.effectSize.allowedDecrease == 0.5 && ok.effectSize.criticalIncrease == 0.5)
        #expect(ok.outliers == OutlierConfiguration(strategy: .remove, outlierFactor: 2))
        #expect(config.groupWeights == ["pod-group": 100])
        #expect(config.scoreThresholds == ScoreThresholds(pass: 75, marginal: 50))
        #expect(config.templates["standard-template"] != nil)
        #expect(config.warnings.isEmpty)
    }

    /// kayenta-judge/src/test/resources/test-config.json: no analysisConfigurations at all (defaults apply) and a
    /// numeric configVersion.
    @Test func decodesMinimalKayentaFixture() throws {
        let json = """
            {"configVersion": 1.0, "description": "Example",
             "metrics": [{"name": "cpu", "query": {"type": "atlas", "q": "name,CpuRawUser,:eq,:sum"},
                          "extensions": {"canary": {}}, "groups": ["system", "example"]}],
             "classifier": {"groupWeights": {"requests": 50.0, "system": 50.0},
                            "scoreThresholds": {"pass": 95.0, "marginal": 75.0}}}
            """
        let config = try CanaryConfiguration.decode(json: Data(json.utf8))
        #expect(config.metrics[0].analysis == MetricAnalysisConfiguration())
        #expect(config.configVersion == "1.0")
    }

    @Test func unknownEnumStringsTakeKayentaDefaultsWithWarnings() throws {
        let json = """
            {"metrics": [{"name": "m", "groups": ["g"], "analysisConfigurations": {"canary": {
                "direction": "increasing", "nanStrategy": "none", "effectSize": {"measure": "ratio"}}}}],
             "classifier": {"groupWeights": {}}}
            """
        let config = try CanaryConfiguration.decode(json: Data(json.utf8))
        #expect(config.metrics[0].analysis.direction == .either)
        #expect(config.metrics[0].analysis.nanStrategy == .remove)
        #expect(config.metrics[0].analysis.effectSize.measure == .meanRatio)
        #expect(config.warnings.count == 2)  // "none" is Kayenta's own default spelling: no warning
        #expect(config.warnings[0].contains("metrics[0].analysisConfigurations.canary.direction"))
    }

    @Test(arguments: [
        (#"{"metrics": [], "classifier": {}}"#, "metrics"),
        (#"{"classifier": {}}"#, "metrics: required"),
        (#"{"metrics": [{"name": "m", "groups": ["g"]}]}"#, "classifier: required"),
        (#"{"metrics": [{"groups": ["g"]}], "classifier": {}}"#, "metrics[0].name"),
        (#"{"metrics": [{"name": "m"}], "classifier": {}}"#, "metrics[0].groups"),
        (#"{"metrics": [{"name": "m", "groups": "g"}], "classifier": {}}"#, "metrics[0].groups: expected an array"),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"], "analysisConfigurations": {"canary": {"critical": "true"}}}], "classifier": {}}"#,
            "metrics[0].analysisConfigurations.canary.critical: expected a boolean, got a string"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"], "analysisConfigurations": {"canary": {"effectSize": {"allowedIncrease": "1.1"}}}}], "classifier": {}}"#,
            "metrics[0].analysisConfigurations.canary.effectSize.allowedIncrease: expected a number"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"]}, {"name": "m", "groups": ["g"]}], "classifier": {}}"#,
            "metrics[1].name: duplicate"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"]}], "classifier": {"groupWeights": {"g": -1}}}"#,
            "groupWeights.g"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"]}], "classifier": {"scoreThresholds": {"pass": 50, "marginal": 75}}}"#,
            "marginal (75.0) exceeds pass"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"], "analysisConfigurations": {"countersign": {"kind": "proportion"}}}], "classifier": {}}"#,
            "countersign.denominator"
        ),
        (
            #"{"metrics": [{"name": "m", "groups": ["g"], "analysisConfigurations": {"countersign": {"kind": "ratio"}}}], "classifier": {}}"#,
            "countersign.kind"
        ),
        ("[1, 2]", "(document): expected an object"),
        ("{not json", "not valid JSON"),
    ])
    func malformedConfigsNameTheField(json: String, expected: String) {
        do {
            _ = try CanaryConfiguration.decode(json: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    /// Found by the `canary` fuzz target (Fuzz/corpus/canary/crash-canary-weights): weights are used as given, and
    /// two of 1e308 made the summary score infinite, which reached the ledger as `inf`.
    @Test func weightsNoScoreCanHoldAreRefused() {
        let json =
            #"{"metrics": [{"name": "m", "groups": ["a", "b"]}], "classifier": {"groupWeights": {"a": 1e308, "b": 1e308}}}"#
        #expect(throws: CanaryError.self) { try CanaryConfiguration.decode(json: Data(json.utf8)) }
        let judged = KayentaJudge().judge(
            config: CanaryConfiguration(metrics: [.init(name: "m", groups: ["a", "b"])], groupWeights: ["a": 150]),
            canary: ["m": [1, 2, 3]], baseline: ["m": [1, 2, 3]], thresholds: .standard)
        #expect(judged.score.isFinite)
    }

    @Test func decodesCountersignBlock() throws {
        let json = """
            {"metrics": [{"name": "errors", "groups": ["g"], "analysisConfigurations": {
                "canary": {"direction": "increase", "nanStrategy": "replace"},
                "countersign": {"kind": "proportion", "denominator": "requests", "tolerance": 0.2,
                                "minimumTrials": 500, "minimumSamples": 5}}}],
             "classifier": {"groupWeights": {"g": 100}}}
            """
        let c = try CanaryConfiguration.decode(json: Data(json.utf8)).metrics[0].countersign
        #expect(
            c
                == CountersignMetricConfiguration(
                    kind: .proportion, denominator: "requests", tolerance: 0.2, minimumSamples: 5, minimumTrials: 500))
    }

    @Test func judgeConfigurationRejectsContradictions() {
        var configuration = CountersignJudge.Configuration()
        configuration.confidence = 1.5
        #expect(throws: CanaryError(.invalidConfiguration, "")) { try CountersignJudge(configuration: configuration) }
        configuration = .init()
        configuration.tailPercentile = 40
        #expect(throws: CanaryError(.invalidConfiguration, "")) { try CountersignJudge(configuration: configuration) }
        #expect(throws: Never.self) { try CountersignJudge(configuration: .init()) }
    }
}
