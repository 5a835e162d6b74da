internal import CountersignCore
internal import CountersignEncoding
public import Foundation

/// One kind of ledger event: its payload's fields and their JSON names (the type's `Codable` conformance), and what
/// it projects. Producers build values of these types, never payload literals; the ledger encodes each value once
/// (``EntryDraft/init(_:at:actor:)``) and projects it without reading its JSON back.
public protocol LedgerEvent: Codable, Sendable {
    /// The type the event is recorded under.
    var type: EventType { get }

    /// The statements that bring the projection tables up to date with this event, recorded at `entry`. Checks what
    /// the field types cannot say (a non-empty id, a `sha256:` digest), naming the field; events recorded only
    /// return none.
    func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement]
}

/// Where an event is recorded, as projection rows store it.
public struct ProjectionContext: Sendable {
    public let seq: SQLValue
    /// The entry's time in the ledger's sortable form.
    public let at: SQLValue
    public let actor: SQLValue
    public let actorName: String

    init(_ entry: LedgerEntry) {
        seq = .integer(entry.seq)
        at = .text(RFC3339.string(entry.at, fraction: .milliseconds))
        actor = .text(entry.actor)
        actorName = entry.actor
    }
}

extension LedgerEvent {
    /// An error about the field at `path` (`change.commit`).
    func fail(_ path: String, _ what: String) -> LedgerError {
        LedgerError(.invalidInput, "\(type): payload.\(path) \(what)")
    }

    /// A required string, which must not be empty.
    func nonEmpty(_ value: String, _ path: String) throws(LedgerError) -> SQLValue {
        guard !value.isEmpty else { throw fail(path, "must be a non-empty string") }
        return .text(value)
    }

    /// A `sha256:` digest in lowercase hex.
    func sha256Digest(_ value: String, _ path: String) throws(LedgerError) -> SQLValue {
        guard ArtifactReference.isDigest(value) else { throw fail(path, "must be a sha256:<64 lowercase hex> digest") }
        return .text(value)
    }

    /// A digest-pinned artifact reference.
    func pinned(_ value: String, _ path: String) throws(LedgerError) -> ArtifactReference {
        do { return try ArtifactReference(parsing: value) } catch {
            throw fail(path, "is not a digest-pinned reference: \(error.message)")
        }
    }

    /// One of `allowed`.
    func oneOf(_ value: String, _ allowed: [String], _ path: String) throws(LedgerError) -> SQLValue {
        guard allowed.contains(value) else { throw fail(path, "must be one of \(allowed.joined(separator: ", "))") }
        return .text(value)
    }

    /// A hex SHA-256 (a token's or a session's hash).
    func hexSHA256(_ value: String, _ path: String) throws(LedgerError) -> SQLValue {
        guard value.count == 64, value.allSatisfy(\.isHexDigit) else { throw fail(path, "is not a hex SHA-256") }
        return .text(value)
    }
}

extension Optional where Wrapped == String {
    /// The value, or SQL NULL.
    var sql: SQLValue { map(SQLValue.text) ?? .null }
}

extension Array where Element == String {
    /// A list as the projections store it: a canonical JSON array.
    var sql: SQLValue { .text(JSONValue.array(map(JSONValue.string)).canonicalString) }
}

/// A time in a payload, written as the ledger writes times — RFC 3339 UTC with three fraction digits, one fixed
/// width that sorts as text — and read in any RFC 3339 form.
public struct LedgerTime: Codable, Sendable, Hashable {
    public let date: Date

    public init(_ date: Date) { self.date = date }

    public init(from decoder: any Decoder) throws { date = try decoder.singleValueContainer().decode(Date.self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }

    /// The sortable form the projections store.
    public var text: String { RFC3339.string(date, fraction: .milliseconds) }
    var sql: SQLValue { .text(text) }
}
