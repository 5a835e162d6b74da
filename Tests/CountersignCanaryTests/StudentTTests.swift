import Foundation
import Testing

@testable import CountersignCanary

/// `StudentT` against scipy: `scipy.stats.t.sf(t, df)` (scipy 1.17.1), written out by
/// `python3 Vectors/generate_spread.py`. One degree of freedom to a billion, both tails, p down to 1e-21.
@Suite struct StudentTTests {
    @Test(arguments: [
        (0.5, 1.0, 0.35241638234956674), (-2.0, 1, 0.8524163823495667), (1e-06, 1, 0.4999996816759652),
        (3.0, 2, 0.04773298313335456), (2.5, 5, 0.02724504967118813), (-0.3, 9, 0.6145046481292376),
        (2.0, 18, 0.030410732834666217), (3.5, 28, 0.0007882360706177303),
        (3.408155178353358, 28, 0.0010000000000000054), (-4.0, 28, 0.9997898965714467),
        (1.7, 39.5, 0.04849679302435099), (10.0, 40, 9.656558502057753e-13), (40.0, 20, 7.287348277155374e-21),
        (2.0, 1998, 0.02281770424412982), (5.0, 19998, 2.890759506438698e-07), (-1.0, 19998, 0.8413386962710743),
        (2.5, 199998, 0.006210062460152451), (7.0, 1999998, 1.2802122442402319e-12),
        (100.0, 3, 1.1022609615924553e-06), (2.0, 1e9, 0.022750132083156623),
    ])
    func survivalMatchesScipy(t: Double, degrees: Double, expected: Double) {
        let p = StudentT.survival(t, degreesOfFreedom: degrees)
        #expect(abs(p - expected) <= 1e-9 * expected, "t = \(t), df = \(degrees): \(p)")
        // The CDF is the mirror image, and keeps the small lower tail precise.
        let q = StudentT.cdf(-t, degreesOfFreedom: degrees)
        #expect(abs(q - expected) <= 1e-9 * expected)
    }

    @Test func edges() {
        #expect(StudentT.survival(0, degreesOfFreedom: 7) == 0.5)
        #expect(StudentT.survival(.infinity, degreesOfFreedom: 7) == 0)
        #expect(StudentT.survival(-.infinity, degreesOfFreedom: 7) == 1)
        #expect(StudentT.survival(1e200, degreesOfFreedom: 7) == 0)
        #expect(StudentT.survival(1, degreesOfFreedom: 0).isNaN)
        #expect(StudentT.survival(.nan, degreesOfFreedom: 3).isNaN)
        // Far more degrees of freedom than any canary: the normal tail, Φ(−3) = 0.0013498980316301.
        #expect(abs(StudentT.survival(3, degreesOfFreedom: 1e12) - 0.0013498980316301) < 1e-12)
    }

    /// ln Γ(a + ½) − ln Γ(a) on both sides of the switch to Stirling's series at a = 20: against `lgamma` where
    /// the difference of two lgammas is still accurate, and against the expansion ½·ln a − 1/(8a) + 1/(192a³),
    /// whose next term is below 1e-29 at a = 10⁶.
    @Test func logGammaRatio() {
        let below = StudentT.logGammaRatio(19.999_999)
        let above = StudentT.logGammaRatio(20)
        #expect(abs(above - below) < 1e-7)  // the slope is about 1/(2a) = 0.025, so a 1e-6 step moves it 2.5e-8
        for a in [0.5, 3, 19.5, 20, 25, 60] {
            #expect(abs(StudentT.logGammaRatio(a) - (lgamma(a + 0.5) - lgamma(a))) < 1e-13, "a = \(a)")
        }
        let a = 1e6
        #expect(abs(StudentT.logGammaRatio(a) - (0.5 * log(a) - 1 / (8 * a) + 1 / (192 * a * a * a))) < 1e-14)
    }
}
