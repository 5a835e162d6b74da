/// Effect sizes comparing a canary (experiment) sample with its baseline (control), as Kayenta defines them.
public enum EffectSize {
    /// mean(experiment) / mean(control); NaN when either mean is exactly 0 (or a sample is empty), because a
    /// ratio against nothing says nothing. Kayenta lets a NaN effect pass its gate.
    public static func meanRatio(control: [Double], experiment: [Double]) -> Double {
        guard !control.isEmpty, !experiment.isEmpty else { return .nan }
        let c = DescriptiveStatistics.mean(control)
        let e = DescriptiveStatistics.mean(experiment)
        guard c != 0, e != 0 else { return .nan }
        return e / c
    }

    /// The common-language effect size (Vargha–Delaney A): the probability that a canary value exceeds a
    /// baseline value, ties counted as half. 0.5 means no difference; 1 means the canary is always higher.
    /// NaN when a sample is empty.
    public static func cles(control: [Double], experiment: [Double]) -> Double {
        let m = experiment.count
        let n = control.count
        guard m > 0, n > 0 else { return .nan }
        let r1 = RankSum.ofFirst(experiment.sorted(), control.sorted()).rankSum
        let mm = Double(m)
        return (2 * r1 - mm * (mm + 1)) / (2 * Double(n) * mm)
    }

    /// Cohen's d: |mean_E − mean_C| / pooled standard deviation (pooled with n − 1 weights). NaN when it is
    /// undefined (fewer than two points in all, or zero pooled variance with equal means). Not used by the judges;
    /// reported for explainability.
    public static func cohensD(control: [Double], experiment: [Double]) -> Double {
        let nE = Double(experiment.count)
        let nC = Double(control.count)
        guard nE + nC > 2, nE > 0, nC > 0 else { return .nan }
        let vE = DescriptiveStatistics.variance(experiment)
        let vC = DescriptiveStatistics.variance(control)
        let pooled = ((nE - 1) * vE + (nC - 1) * vC) / (nE + nC - 2)
        let difference = abs(DescriptiveStatistics.mean(experiment) - DescriptiveStatistics.mean(control))
        return difference / pooled.squareRoot()
    }
}
