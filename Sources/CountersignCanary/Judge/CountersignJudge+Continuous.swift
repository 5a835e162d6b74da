/// countersign-v1's rule for a continuous metric (docs/canary.md, "What passes, what is inconclusive, what fails").
///
/// A significance test alone answers "is there evidence of a difference?", and its silence is not evidence of no
/// harm: at small n the interval is wide enough to hold a canary whose mean is 70 times the baseline's
/// (spinnaker/spinnaker#6278), and a location test cannot see a spread that collapsed or exploded (kayenta#780). So
/// the judge makes a three-way decision against the tolerance band, in each direction the metric's `direction`
/// counts:
/// - **Fail** (`High`/`Low`) when harm is established: the whole shift interval lies beyond the band, or a shape or
///   spread test is significant at `shapeSignificance` *and* the canary's tail moved beyond the band.
/// - **Pass** when harm beyond the band is ruled out: the interval's harmful end lies within the band, the mean moved
///   by no more than the band (ranks do not see a few huge values), and no tail moved beyond it through a change of
///   spread (`TailMove`; ranks do not see spread).
/// - **Inconclusive** otherwise: the data neither show nor rule out a harmful change beyond the tolerance.
extension CountersignJudge {
    func classifyContinuous(
        _ metric: CanaryMetricConfiguration, canary rawCanary: [Double], baseline rawBaseline: [Double],
        into result: inout MetricJudgement
    ) {
        let settings = metric.analysis
        let c = settings.outliers.apply(settings.nanStrategy.apply(rawCanary))
        let b = settings.outliers.apply(settings.nanStrategy.apply(rawBaseline))
        result.canaryStatistics = DescriptiveStatistics(c)
        result.baselineStatistics = DescriptiveStatistics(b)
        guard !c.isEmpty, !b.isEmpty else { return noData(metric, into: &result) }
        let minimum = metric.countersign.minimumSamples ?? configuration.minimumSamples
        guard c.count >= minimum, b.count >= minimum else {
            result.classification = .inconclusive
            result.reason = "too few samples: canary \(c.count), baseline \(b.count), need \(minimum) each"
            result.ratio = EffectSize.meanRatio(control: b, experiment: c)
            return
        }
        let bound = band(metric, level: result.baselineStatistics.mean)
        result.ratio = EffectSize.meanRatio(control: b, experiment: c)
        let effect =
            settings.effectSize.measure == .cles ? EffectSize.cles(control: b, experiment: c) : result.ratio
        result.evidence = MetricEvidence(effectSize: effect, bound: bound)
        result.classification = .pass

        let sortedC = c.sorted()
        let sortedB = b.sorted()
        if sortedC == sortedB {
            result.reason = "The Canary and Baseline data are identical"
            return
        }
        // Kayenta's effect-size gates, applied where Kayenta applies them: to the location test.
        let gateHigh = effect.isNaN || effect >= settings.effectSize.allowedIncrease
        let gateLow = effect.isNaN || effect <= settings.effectSize.allowedDecrease
        let direction = settings.direction

        // Location: the interval for the shift canary − baseline.
        let lower: Double
        let upper: Double
        if sortedC.first == sortedC.last && sortedB.first == sortedB.last {
            // Two constants: the shift is known exactly; no noise needed.
            lower = sortedC[0] - sortedB[0]
            upper = lower
        } else {
            do {
                let test = try MannWhitney.test(
                    c, b, confidence: configuration.confidence, rootTolerance: configuration.rootTolerance)
                result.evidence.mannWhitney = test
                lower = Swift.min(test.lowerBound, test.upperBound)
                upper = Swift.max(test.lowerBound, test.upperBound)
            } catch {
                result.classification = .error
                result.reason = error.message
                return
            }
        }
        let interval = "\(lower)…\(upper)"

        // 1. Fail: a shift beyond the band is established.
        if direction.allowsIncrease && lower > bound && gateHigh {
            return fail(
                .high, "\(metric.name): canary higher by \(interval), beyond ±\(bound)", effect, metric,
                into: &result)
        }
        if direction.allowsDecrease && upper < -bound && gateLow {
            return fail(
                .low, "\(metric.name): canary lower by \(-upper)…\(-lower), beyond ±\(bound)", effect, metric,
                into: &result)
        }

        // 2. Fail: a change of shape or spread is established and moved a tail beyond the band. Neither is gated:
        // the mean ratio or CLES a gate reads is exactly what such a change can leave unmoved.
        var tails: [TailMove] = []
        if configuration.shapeTest {
            let shift = result.evidence.mannWhitney?.estimate ?? lower
            if let failure = shapeFailure(metric, sortedC, sortedB, shift: shift, bound: bound, into: &result) {
                return fail(failure.0, failure.1, effect, metric, into: &result, gated: false)
            }
            tails = TailMove.harmful(
                canary: sortedC, baseline: sortedB, direction: direction, bound: bound,
                percentile: configuration.tailPercentile)
            if sortedC.count >= 2, sortedB.count >= 2,
                let spread = try? BrownForsythe.test(sortedX: sortedC, sortedY: sortedB)
            {
                result.evidence.spread = spread
                let alpha = configuration.shapeSignificance
                let established = tails.filter { ($0.grew ? spread.pValueGreater : spread.pValueLess) < alpha }
                if let worst = established.max(by: { $0.amount < $1.amount }) {
                    let p = worst.grew ? spread.pValueGreater : spread.pValueLess
                    return fail(
                        worst.classification,
                        "\(metric.name): \(worst.description), outside ±\(bound) (Brown–Forsythe p = \(p))", effect,
                        metric, into: &result, gated: false)
                }
            }
        }

        // 3. Inconclusive: harm beyond the band is not ruled out.
        if direction.allowsIncrease && upper > bound && gateHigh {
            return inconclusive(
                "\(metric.name): cannot rule out a rise beyond +\(bound); canary − baseline lies in \(interval)",
                into: &result)
        }
        if direction.allowsDecrease && lower < -bound && gateLow {
            return inconclusive(
                "\(metric.name): cannot rule out a fall beyond −\(bound); canary − baseline lies in \(interval)",
                into: &result)
        }
        // The mean guard is gated only by a mean-ratio gate, the one gate that speaks about the mean.
        let meanShift = result.canaryStatistics.mean - result.baselineStatistics.mean
        let meanGate = settings.effectSize.measure == .meanRatio
        let means = "canary mean \(result.canaryStatistics.mean) against \(result.baselineStatistics.mean)"
        if direction.allowsIncrease && meanShift > bound && (!meanGate || gateHigh) {
            return inconclusive(
                "\(metric.name): \(means) (×\(result.ratio)), higher by more than \(bound); the rank interval is "
                    + interval, into: &result)
        }
        if direction.allowsDecrease && -meanShift > bound && (!meanGate || gateLow) {
            return inconclusive(
                "\(metric.name): \(means) (×\(result.ratio)), lower by more than \(bound); the rank interval is "
                    + interval, into: &result)
        }
        if let worst = tails.max(by: { $0.amount < $1.amount }) {
            return inconclusive(
                "\(metric.name): \(worst.description), outside ±\(bound), but the spread test does not establish it",
                into: &result)
        }
    }

    private func inconclusive(_ reason: String, into result: inout MetricJudgement) {
        result.classification = .inconclusive
        result.reason = reason
    }

    /// The one-sided KS test on the canary re-centred by the shift estimate, with its tail check: a shape change
    /// that a pure shift does not explain. Aligning first leaves pure shifts to the location test and its gate.
    private func shapeFailure(
        _ metric: CanaryMetricConfiguration, _ sortedC: [Double], _ sortedB: [Double], shift: Double, bound: Double,
        into result: inout MetricJudgement
    ) -> (MetricClassification, String)? {
        let aligned = sortedC.map { $0 - shift }
        guard let ks = try? KolmogorovSmirnov.test(aligned, sortedB) else { return nil }
        result.evidence.shape = ks
        let alpha = configuration.shapeSignificance
        let p = configuration.tailPercentile
        let direction = metric.analysis.direction
        if direction.allowsIncrease && ks.pValueGreater < alpha {
            let rise = Percentile.r7(sorted: aligned, percent: p) - Percentile.r7(sorted: sortedB, percent: p)
            if rise > bound {
                return (
                    .high,
                    "\(metric.name): distribution shape changed; p\(Int(p)) higher by \(rise) beyond the shift, "
                        + "outside ±\(bound)"
                )
            }
        }
        if direction.allowsDecrease && ks.pValueLess < alpha {
            let q = 100 - p
            let drop = Percentile.r7(sorted: sortedB, percent: q) - Percentile.r7(sorted: aligned, percent: q)
            if drop > bound {
                return (
                    .low,
                    "\(metric.name): distribution shape changed; p\(Int(q)) lower by \(drop) beyond the shift, "
                        + "outside ±\(bound)"
                )
            }
        }
        return nil
    }
}
