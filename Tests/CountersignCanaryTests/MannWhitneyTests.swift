import Foundation
import Testing

@testable import CountersignCanary

/// Kayenta's Mann-Whitney vectors (reference §1.10 A), from
/// kayenta-mannwhitney/src/test/scala/com/netflix/kayenta/mannwhitney/MannWhitneySuite.scala at spinnaker/kayenta
/// a69573be. The samples are read from Vectors/kayenta-mannwhitney.json; the expected values are the suite's own.
/// Tolerance 1e-6 unless the suite states otherwise.
@Suite struct KayentaMannWhitneyVectorTests {
    static let e = 1e-6

    @Test func wilcoxonDiffFunction() throws {
        let data = try KayentaMannWhitneyVectors.arrays("Wilcoxon Diff Function")
        let x = try #require(data["x"]).sorted()
        let y = try #require(data["y"]).sorted()
        let w0 = try MannWhitney.wilcoxonDifference(mu: 0, zq: 0, sortedX: x, sortedY: y)
        let w5 = try MannWhitney.wilcoxonDifference(mu: 5, zq: 0, sortedX: x, sortedY: y)
        #expect(abs(w0 - -1.229416) <= Self.e)
        #expect(abs(w5 - -35.80606) <= Self.e)
    }

    @Test func zQuant() {
        #expect(abs(NormalDistribution.quantile(0.02 / 2) - -2.326348) <= Self.e)
    }

    @Test func confidenceIntervalAndEstimate() throws {
        let data = try KayentaMannWhitneyVectors.arrays("Mann-Whitney Confidence Interval & Estimate")
        let result = try MannWhitney.test(try #require(data["experimentData"]), try #require(data["controlData"]))
        #expect(abs(result.lowerBound - 6.0) <= Self.e)
        #expect(abs(result.upperBound - 39.0) <= Self.e)
        #expect(abs(result.estimate - 22.5) <= Self.e)
    }

    @Test func problemCase() throws {
        let data = try KayentaMannWhitneyVectors.arrays("Mann-Whitney Confidence Interval & Estimate: Problem Case")
        let result = try MannWhitney.test(
            try #require(data["experiment"]), try #require(data["control"]), confidence: 0.98)
        #expect(abs(result.lowerBound - -1.4808028936386108E-5) <= Self.e)
        #expect(abs(result.upperBound - 1.808255910873413E-5) <= Self.e)
        #expect(abs(result.estimate - 1.808255910873413E-5) <= Self.e)
    }

    @Test func tieOutWithR() throws {
        let data = try KayentaMannWhitneyVectors.arrays(
            "Mann-Whitney Confidence Interval & Estimate: Tie out with R Version")
        let result = try MannWhitney.test(try #require(data["experiment"]), try #require(data["control"]))
        #expect(abs(result.lowerBound - -0.500002521696696) <= Self.e)
        #expect(abs(result.upperBound - -3.486287505871302E-5) <= Self.e)
        #expect(abs(result.estimate - -0.4999393907180323) <= 1e-4)
    }

    @Test func tieOutWithRLarge() throws {
        let data = try KayentaMannWhitneyVectors.arrays(
            "Mann-Whitney Confidence Interval & Estimate: Tie out with R Version (Large)")
        let result = try MannWhitney.test(
            try #require(data["experiment"]), try #require(data["control"]), confidence: 0.98)
        #expect(abs(result.lowerBound - -0.4999173250549087) <= Self.e)
        #expect(abs(result.upperBound - -6.912685789769486E-6) <= Self.e)
        #expect(abs(result.estimate - -3.45044082729315E-5) <= 1e-4)
    }

    @Test func intermediateValues() throws {
        let data = try KayentaMannWhitneyVectors.arrays("Mann-Whitney Intermediate Values / Variables")
        let x = try #require(data["x"])
        let y = try #require(data["y"])
        let sx = x.sorted()
        let sy = y.sorted()
        let muMin = x.min()! - y.max()!
        let muMax = x.max()! - y.min()!
        let zqLower = -NormalDistribution.quantile(0.05 / 2)
        let zqUpper = NormalDistribution.quantile(0.05 / 2)
        func w(_ mu: Double, _ zq: Double) throws -> Double {
            try MannWhitney.wilcoxonDifference(mu: mu, zq: zq, sortedX: sx, sortedY: sy)
        }
        #expect(abs(muMin - -3.124999999999986) <= Self.e)
        #expect(abs(muMax - 5.555555555555557) <= Self.e)
        #expect(abs(zqLower - 1.9599639845400536) <= Self.e)
        #expect(abs(zqUpper - -1.9599639845400536) <= Self.e)
        #expect(abs(try w(muMin, zqLower) - 17.090968923762254) <= Self.e)
        #expect(abs(try w(muMax, zqLower) - -20.997687930433106) <= Self.e)
        #expect(abs(try w(muMin, zqUpper) - 21.01089689284236) <= Self.e)
        #expect(abs(try w(muMax, zqUpper) - -17.077759961353) <= Self.e)
        // The suite calls the solver directly, with the endpoint values above.
        func solve(_ zq: Double) throws -> Double {
            try Zeroin.root(muMin, muMax, fa: try w(muMin, zq), fb: try w(muMax, zq), tolerance: 1e-4) {
                (mu) throws(CanaryError) in try MannWhitney.wilcoxonDifference(mu: mu, zq: zq, sortedX: sx, sortedY: sy)
            }
        }
        #expect(abs(try solve(zqLower) - 3.521755377702165E-5) <= Self.e)
        #expect(abs(try solve(zqUpper) - 2.02456461662334E-5) <= Self.e)
        #expect(abs(try solve(0) - 2.6279243045155653E-5) <= Self.e)
        // The public test gives the same (inverted) interval.
        let result = try MannWhitney.test(x, y, confidence: 0.95)
        #expect(abs(result.lowerBound - 3.521755377702165E-5) <= Self.e)
        #expect(abs(result.upperBound - 2.02456461662334E-5) <= Self.e)
        #expect(result.lowerBound > result.upperBound)
    }
}

/// The scipy oracle: p-values of `scipy.stats.mannwhitneyu(..., method='asymptotic', use_continuity=True)` on
/// seeded random cases (Vectors/mannwhitney-scipy.json, generated by Vectors/generate_mannwhitney.py).
@Suite struct ScipyOracleTests {
    @Test func pValuesAgreeWithScipy() throws {
        let vectors = try ScipyVectors.shared.get()
        #expect(vectors.cases.count > 90)
        for (index, c) in vectors.cases.enumerated() {
            let result = try MannWhitney.pValue(c.x, c.y)
            #expect(
                relativelyClose(result.pValue, c.p, 1e-9),
                "case \(index) (\(c.kind), \(c.x.count)×\(c.y.count)): p \(result.pValue) vs scipy \(c.p)")
            #expect(result.u == c.u, "case \(index): U \(result.u) vs scipy \(c.u)")
        }
    }

    @Test func normalQuantileAgreesWithScipy() throws {
        for q in try ScipyVectors.shared.get().normalQuantile {
            #expect(relativelyClose(NormalDistribution.quantile(q.p), q.z, 1e-14), "Φ⁻¹(\(q.p))")
        }
    }

    @Test func normalCDFAgreesWithScipy() throws {
        for c in try ScipyVectors.shared.get().normalCDF {
            // scipy flushes results below the normal range to 0; the C library keeps the subnormal.
            let p = NormalDistribution.cdf(c.x)
            #expect(relativelyClose(p, c.p, 1e-13) || (c.p == 0 && p < 1e-300), "Φ(\(c.x)) = \(p), scipy \(c.p)")
        }
    }
}

@Suite struct MannWhitneyBehaviourTests {
    @Test func rejectsEmptyAndNaN() {
        #expect(throws: CanaryError(.invalidInput, "")) { try MannWhitney.pValue([], [1]) }
        #expect(throws: CanaryError(.invalidInput, "")) { try MannWhitney.pValue([.nan], [1]) }
        #expect(throws: CanaryError(.invalidInput, "")) { try MannWhitney.test([.infinity, 1], [1, 2]) }
        #expect(throws: CanaryError(.invalidInput, "")) { try MannWhitney.test([1, 2], [1, 2], confidence: 1) }
    }

    @Test func allTiedIntervalIsUndefined() throws {
        #expect(try MannWhitney.pValue([2, 2, 2], [2, 2]).pValue == 1)
        #expect(throws: CanaryError(.undefinedStatistic, "")) { try MannWhitney.test([2, 2, 2], [2, 2]) }
    }

    @Test func relativeToleranceResolvesSmallShifts() throws {
        // Values of order 1e-6 shifted by 1e-7: Kayenta's absolute 1e-4 tolerance cannot see the shift, a relative
        // tolerance recovers it.
        let y = (0..<200).map { 1e-6 + Double($0 % 17) * 1e-8 }
        let x = y.map { $0 + 1e-7 }
        let precise = try MannWhitney.test(x, y, confidence: 0.95, rootTolerance: .relative(1e-6))
        #expect(abs(precise.estimate - 1e-7) < 1e-9)
        #expect(precise.lowerBound <= precise.estimate && precise.estimate <= precise.upperBound)
    }

    @Test func estimateIsTheMedianShift() throws {
        let y = (0..<101).map { Double($0) }
        let x = y.map { $0 + 7.25 }
        let result = try MannWhitney.test(x, y, rootTolerance: .relative(1e-9))
        #expect(abs(result.estimate - 7.25) < 1e-6)
    }
}
