import Synchronization

/// Compiled patterns by source text, so `matches` with a constant pattern compiles it once per process rather
/// than once per evaluation. Bounded: when full it is cleared, which keeps hostile inputs from growing it.
final class RegexCache: Sendable {
    static let shared = RegexCache(capacity: 256)

    private let capacity: Int
    private let entries = Mutex<[String: LinearRegex]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The compiled pattern; an invalid pattern is an `invalid_argument` evaluation error.
    func regex(_ pattern: String) throws(EvalError) -> LinearRegex {
        if let r = entries.withLock({ $0[pattern] }) { return r }
        let compiled: LinearRegex
        do {
            compiled = try LinearRegex(pattern)
        } catch {
            throw EvalError(.invalidArgument, "invalid regular expression '\(pattern)': \(error)")
        }
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[pattern] = compiled
        }
        return compiled
    }
}
