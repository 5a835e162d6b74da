import Foundation
import Testing

/// Reads the JSON vector files under Vectors/ (see Vectors/SOURCES). A missing file fails the test that needs it.
enum TestVectors {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("Vectors")

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let url = directory.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(T.self, from: data)
    }
}

/// `kayenta-mannwhitney.json`: the sample arrays of Kayenta's MannWhitneySuite.scala, keyed by test name and then
/// by the Scala variable name.
struct KayentaMannWhitneyVectors: Decodable {
    var source: String
    var cases: [String: [String: [Double]]]

    static let shared = Result { try TestVectors.load(KayentaMannWhitneyVectors.self, "kayenta-mannwhitney.json") }

    static func arrays(_ test: String) throws -> [String: [Double]] {
        let vectors = try shared.get()
        return try #require(vectors.cases[test], "no case \"\(test)\" in kayenta-mannwhitney.json")
    }
}

/// `mannwhitney-scipy.json`, written by generate_mannwhitney.py.
struct ScipyVectors: Decodable {
    struct Case: Decodable {
        var kind: String
        var x: [Double]
        var y: [Double]
        var u: Double
        var p: Double
    }
    struct Quantile: Decodable {
        var p: Double
        var z: Double
    }
    struct CDF: Decodable {
        var x: Double
        var p: Double
    }
    var scipy: String
    var cases: [Case]
    var normalQuantile: [Quantile]
    var normalCDF: [CDF]

    static let shared = Result { try TestVectors.load(ScipyVectors.self, "mannwhitney-scipy.json") }
}

/// |a − b| ≤ tolerance·max(|a|, |b|), with exact equality required when either is 0 or infinite.
func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    if a == b { return true }
    if !a.isFinite || !b.isFinite { return false }
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
}
