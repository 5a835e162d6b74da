/// Brent's root finder exactly as R's `zeroin` (R_zeroin2) performs it, the solver `wilcox.test` and Kayenta use.
///
/// Kayenta's Mann-Whitney interval is the root of a step function, so the point returned depends on the solver's
/// exact path; reproducing Kayenta's published values to 1e-6 needs this algorithm step for step: inverse
/// quadratic or secant interpolation, bisection when that is not safe, and never a step below the acting
/// tolerance 2·ε·|b| + tol/2. It returns the best point so far when the iterations run out.
enum Zeroin {
    static let epsilon = 2.220446049250313e-16

    /// A root of `f` in [a, b], given f(a) = `fa` and f(b) = `fb` (which should differ in sign; if not, the
    /// result is some point of the interval, as in R).
    static func root(
        _ ax: Double, _ bx: Double, fa fax: Double, fb fbx: Double, tolerance: Double, maxIterations: Int = 1000,
        _ f: (Double) throws(CanaryError) -> Double
    ) throws(CanaryError) -> Double {
        var a = ax
        var b = bx
        var fa = fax
        var fb = fbx
        var c = a
        var fc = fa
        if fa == 0 { return a }
        if fb == 0 { return b }
        var remaining = maxIterations + 1
        while remaining > 0 {
            remaining -= 1
            let previousStep = b - a
            if abs(fc) < abs(fb) {
                // Make b the best approximation.
                a = b
                b = c
                c = a
                fa = fb
                fb = fc
                fc = fa
            }
            let actingTolerance = 2 * epsilon * abs(b) + tolerance / 2
            var newStep = (c - b) / 2
            if abs(newStep) <= actingTolerance || fb == 0 { return b }

            if abs(previousStep) >= actingTolerance && abs(fa) > abs(fb) {
                // Interpolation may be tried: the previous step was large enough and went the right way.
                var p: Double
                var q: Double
                let cb = c - b
                if a == c {
                    // Two distinct points: secant.
                    let t1 = fb / fa
                    p = cb * t1
                    q = 1.0 - t1
                } else {
                    // Inverse quadratic interpolation.
                    let qa = fa / fc
                    let t1 = fb / fc
                    let t2 = fb / fa
                    p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1.0))
                    q = (qa - 1.0) * (t1 - 1.0) * (t2 - 1.0)
                }
                if p > 0 { q = -q } else { p = -p }
                if p < (0.75 * cb * q - abs(actingTolerance * q) / 2) && p < abs(previousStep * q / 2) {
                    newStep = p / q
                }
            }
            if abs(newStep) < actingTolerance {
                newStep = newStep > 0 ? actingTolerance : -actingTolerance
            }
            a = b
            fa = fb
            b += newStep
            fb = try f(b)
            if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
                // Keep c on the other side of the root from b.
                c = a
                fc = fa
            }
        }
        return b
    }
}
