/// Stamped by a release build (the commit and the UTC build time); these values are a development build's.
enum BuildStamp {
    static let commit = "unknown"
    static let date = "unknown"
}
