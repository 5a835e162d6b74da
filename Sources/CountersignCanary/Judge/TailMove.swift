/// A tail of the canary that moved beyond the band because its spread changed, in a way the metric's direction
/// counts as harm.
///
/// A tail counts when two things hold on the same side: its percentile (p95 above, p5 below, for the default
/// `tailPercentile`) moved by more than the band against the baseline's, so the canary is worse there; and its
/// distance from the sample's own median moved by more than the band too, so the move is a change of spread, not a
/// shift, which the location test and its effect-size gate judge. (Either alone misleads: a pure shift moves the
/// percentile but not the distance; a canary whose median jumped onto its upper values, as in spinnaker#6278, widens
/// the distance below the median while its low values stay where the baseline's are.) The amount is the smaller of
/// the two moves.
///
/// An `increase` metric is harmed when its upper tail stretches up, a `decrease` metric when its lower tail
/// stretches down; for `either`, a tail that collapsed towards the median counts too, since a metric that must not
/// move either way must not lose its spread either. The classification says which way the tail's percentile moved:
/// up (`High`) or down (`Low`).
struct TailMove {
    var classification: MetricClassification
    /// Whether the canary's spread grew on this side (else it collapsed); picks the spread test's one-sided p.
    var grew: Bool
    /// How far the tail moved, in the metric's units; always more than the band.
    var amount: Double
    var description: String

    static func harmful(
        canary c: [Double], baseline b: [Double], direction: MetricDirection, bound: Double, percentile p: Double
    ) -> [TailMove] {
        let q = 100 - p
        let medianC = BrownForsythe.median(sorted: c)
        let medianB = BrownForsythe.median(sorted: b)
        let highC = Percentile.r7(sorted: c, percent: p)
        let highB = Percentile.r7(sorted: b, percent: p)
        let lowC = Percentile.r7(sorted: c, percent: q)
        let lowB = Percentile.r7(sorted: b, percent: q)
        // Positive when the canary's percentile is higher / its tail is further from its median.
        let upperShift = highC - highB
        let upperSpread = (highC - medianC) - (highB - medianB)
        let lowerShift = lowC - lowB
        let lowerSpread = (medianC - lowC) - (medianB - lowB)
        let upper = "p\(Int(p)) \(highC) against \(highB), p\(Int(p)) − median \(highC - medianC) against "
        let lower = "p\(Int(q)) \(lowC) against \(lowB), median − p\(Int(q)) \(medianC - lowC) against "
        var moves: [TailMove] = []
        func add(_ classification: MetricClassification, grew: Bool, _ shift: Double, _ spread: Double, _ text: String)
        {
            let amount = Swift.min(shift, spread)
            guard amount > bound else { return }
            let what = grew ? "spread grew" : "spread collapsed"
            moves.append(
                TailMove(classification: classification, grew: grew, amount: amount, description: "\(what): \(text)"))
        }
        if direction.allowsIncrease {
            add(.high, grew: true, upperShift, upperSpread, upper + "\(highB - medianB)")
        }
        if direction.allowsDecrease {
            add(.low, grew: true, -lowerShift, lowerSpread, lower + "\(medianB - lowB)")
        }
        if direction == .either {
            add(.low, grew: false, -upperShift, -upperSpread, upper + "\(highB - medianB)")
            add(.high, grew: false, lowerShift, -lowerSpread, lower + "\(medianB - lowB)")
        }
        return moves
    }
}
