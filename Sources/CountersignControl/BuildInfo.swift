/// What this build is: its semantic version, and the commit and time it was built from. A release build stamps the
/// commit and date into `BuildStamp.swift` (issue 19's image build does, and restores it after); a development
/// build says `unknown`, never a guess.
public enum BuildInfo {
    /// The semantic version: the minor version counts the development stops that changed behaviour.
    public static let version = "0.23.0"
    public static var commit: String { BuildStamp.commit }
    public static var date: String { BuildStamp.date }

    /// `countersign 0.23.0 (commit abc123, built 2026-12-07T…)`.
    public static var description: String { "countersign \(version) (commit \(commit), built \(date))" }
}
