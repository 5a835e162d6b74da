/// The performance buckets of dora-team/fourkeys' dashboard (the 2019 State of DevOps bands), so a team can read
/// its numbers against the same scale the public tooling uses.
public enum FourKeys {
    /// Deployment frequency from the deploying days of each week and the deploying weeks of each month:
    /// Daily when the median week has ≥ 3 deploying days, Weekly when it has ≥ 1, Monthly when the median month has
    /// ≥ 1 deploying week, otherwise Yearly.
    public static func frequency(daysPerWeek: [Int], weeksPerMonth: [Int]) -> String {
        if median(daysPerWeek) >= 3 { return "Daily" }
        if median(daysPerWeek) >= 1 { return "Weekly" }
        if median(weeksPerMonth) >= 1 { return "Monthly" }
        return "Yearly"
    }

    /// Lead time and recovery time: < 24 h "One day", < 1 week, < 730 h "One month", < 4,380 h "Six months",
    /// otherwise "One year".
    public static func duration(seconds: Double?) -> String? {
        guard let seconds else { return nil }
        let hours = seconds / 3_600
        switch hours {
        case ..<24: return "One day"
        case ..<168: return "One week"
        case ..<730: return "One month"
        case ..<4_380: return "Six months"
        default: return "One year"
        }
    }

    /// Change failure rate: ≤ 15 % "0-15%", < 46 % "16-45%", otherwise "46-60%".
    public static func failureRate(_ rate: Double?) -> String? {
        guard let rate else { return nil }
        if rate <= 0.15 { return "0-15%" }
        if rate < 0.46 { return "16-45%" }
        return "46-60%"
    }

    static func median(_ values: [Int]) -> Double {
        DurationSummary.quantile(values.map(Double.init).sorted(), 0.5) ?? 0
    }
}
