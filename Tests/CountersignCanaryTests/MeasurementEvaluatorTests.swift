import Testing

@testable import CountersignCanary

/// Argo's condition semantics (reference §3.2): the repo's evaluate_test.go vectors and the documented NaN,
/// infinity and empty-vector examples, with conditions in CEL.
@Suite struct MeasurementEvaluatorTests {
    static func phase(_ value: MeasurementValue, success: String? = nil, failure: String? = nil) throws
        -> AnalysisPhase
    {
        try MeasurementEvaluator(successCondition: success, failureCondition: failure).evaluate(value).phase
    }

    @Test func repositoryVectors() throws {
        #expect(try Self.phase(.bool(true), success: "result == true") == .successful)
        #expect(try Self.phase(.vector([2, 2]), success: "2 in result") == .successful)
        #expect(try Self.phase(.number(5), success: "result > 1") == .successful)
        let nested = MeasurementValue.map([
            "service_apdex": .map(["values": .map(["values": .vector([2, 2])])])
        ])
        #expect(try Self.phase(nested, success: "result.service_apdex.values.values.all(x, x > 1)") == .successful)
        // asInt("1.1") is an evaluation error, so the measurement is Error.
        #expect(try Self.phase(.string("1.1"), success: "asInt(result) == 1") == .error)
        #expect(try Self.phase(.string("1"), success: "asInt(result) == 1") == .successful)
        #expect(try Self.phase(.string("0.5"), success: "asFloat(result) == 0.5") == .successful)
    }

    @Test func nonBooleanAndUnknownNamesAreRejectedAtLoad() {
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try MeasurementEvaluator(successCondition: "1", failureCondition: nil)
        }
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try MeasurementEvaluator(successCondition: "invalidVariable", failureCondition: nil)
        }
        #expect(throws: CanaryError(.invalidConfiguration, "")) {
            try MeasurementEvaluator(successCondition: nil, failureCondition: "result >")
        }
    }

    @Test func dynamicNonBooleanIsAnError() throws {
        let e = try MeasurementEvaluator(successCondition: "result", failureCondition: nil)
        let (phase, message) = e.evaluate(.number(1))
        #expect(phase == .error)
        #expect(message == "successCondition: expected bool, but got double")
    }

    @Test func truthTable() throws {
        let v = MeasurementValue.number(0.5)
        #expect(try Self.phase(v) == .successful)
        #expect(try Self.phase(v, success: "result > 0.9") == .failed)
        #expect(try Self.phase(v, success: "result > 0.1") == .successful)
        #expect(try Self.phase(v, failure: "result > 0.1") == .failed)
        #expect(try Self.phase(v, failure: "result > 0.9") == .successful)
        #expect(try Self.phase(v, success: "result > 0.9", failure: "result < 0.1") == .inconclusive)
        #expect(try Self.phase(v, success: "result > 0.1", failure: "result < 0.9") == .failed)  // failure wins
        #expect(try Self.phase(v, success: "result > 0.1", failure: "result < 0.1") == .successful)
    }

    @Test func nanAndInfinityAsDocumented() throws {
        let nan = MeasurementValue.number(.nan)
        #expect(try Self.phase(nan, success: "isNaN(result) || result >= 0.95") == .successful)
        #expect(try Self.phase(nan, success: "result >= 0.95", failure: "result < 0.95") == .inconclusive)
        #expect(try Self.phase(nan, success: "result >= 0.95") == .failed)
        let inf = MeasurementValue.number(.infinity)
        #expect(try Self.phase(inf, success: "result >= 0.95") == .successful)
        #expect(try Self.phase(inf, failure: "isInf(result)") == .failed)
    }

    @Test func emptyVector() throws {
        let empty = MeasurementValue.vector([])
        #expect(try Self.phase(empty, success: "len(result) == 0 || result[0] >= 0.95") == .successful)
        #expect(try Self.phase(empty, success: "size(result) > 0 && result[0] >= 0.95") == .failed)
        let e = try MeasurementEvaluator(successCondition: "result[0] >= 0.95", failureCondition: nil)
        let (phase, message) = e.evaluate(empty)
        #expect(phase == .error)
        #expect(message?.hasPrefix("metric result is nil or empty: no data returned from the metric provider") == true)
    }

    @Test func nilWithDefault() throws {
        #expect(try Self.phase(.null, success: "default(result, 0) < 0.05") == .successful)
        #expect(try Self.phase(.null, success: "isNil(result)") == .successful)
        #expect(try Self.phase(.number(1), success: "default(result, 0) < 0.05") == .failed)
    }

    @Test func storedValueFormat() {
        #expect(MeasurementValue.vector([0.99]).description == "[0.99]")
        #expect(MeasurementValue.number(0.5).description == "0.5")
        #expect(MeasurementValue.map(["ok": .bool(true), "n": .number(3)]).description == #"{"n":3,"ok":true}"#)
    }
}
