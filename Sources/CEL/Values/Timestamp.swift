internal import CountersignEncoding

/// A point in time with nanosecond precision: CEL's `google.protobuf.Timestamp`.
///
/// The valid range is 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999999Z; constructing or computing a
/// timestamp outside it is an error, never a wrap-around.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Seconds since the Unix epoch (may be negative).
    public let seconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    public let nanos: Int32

    /// Seconds of 0001-01-01T00:00:00Z.
    public static let minSeconds: Int64 = RFC3339.minSeconds
    /// Seconds of 9999-12-31T23:59:59Z.
    public static let maxSeconds: Int64 = RFC3339.maxSeconds

    /// Creates a timestamp, or returns `nil` when it is outside CEL's range. `nanos` may be any value; it is
    /// normalized into the seconds.
    public init?(seconds: Int64, nanos: Int64 = 0) {
        let (q, r) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        var s = seconds.addingReportingOverflow(q)
        var n = r
        if n < 0 {
            n += 1_000_000_000
            s = s.partialValue.subtractingReportingOverflow(1)
        }
        guard !s.overflow, s.partialValue >= Timestamp.minSeconds, s.partialValue <= Timestamp.maxSeconds else {
            return nil
        }
        self.seconds = s.partialValue
        self.nanos = Int32(n)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }
}

/// A signed span of time with nanosecond precision: CEL's `google.protobuf.Duration`.
///
/// Named `CELDuration` to stay apart from the standard library's `Duration`. The value is an `Int64` count of
/// nanoseconds (about ±292 years); arithmetic that leaves that range is an error.
public struct CELDuration: Sendable, Hashable, Comparable {
    /// The length in nanoseconds.
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Creates a duration from seconds and nanoseconds, or `nil` on overflow.
    public init?(seconds: Int64, nanos: Int64 = 0) {
        let (m, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = m.addingReportingOverflow(nanos)
        guard !o1, !o2 else { return nil }
        nanoseconds = t
    }

    /// Whole seconds, truncated toward zero.
    public var seconds: Int64 { nanoseconds / 1_000_000_000 }
    /// The nanoseconds beyond ``seconds``, with the same sign as the duration.
    public var nanos: Int32 { Int32(nanoseconds % 1_000_000_000) }

    public static func < (lhs: CELDuration, rhs: CELDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}
