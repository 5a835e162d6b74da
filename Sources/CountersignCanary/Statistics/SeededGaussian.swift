import Foundation

/// A small, fully specified generator (SplitMix64) with Box–Muller normals.
///
/// The Kayenta-compatible judge needs Gaussian noise; a named algorithm with an explicit seed makes that noise
/// reproducible across runs, platforms and Swift versions, which the standard library's generators do not promise.
/// (`serve --demo` seeds its history from it for the same reason.)
public struct SeededGaussian: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform in (0, 1), never 0, so the logarithm below is finite.
    mutating func nextUnit() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    }

    /// A draw from N(mean, sd²).
    mutating func nextGaussian(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let u1 = nextUnit()
        let u2 = nextUnit()
        return mean + standardDeviation * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A stable 64-bit hash (FNV-1a) of a string, for per-metric seeds; Swift's `Hasher` is randomised per process.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
